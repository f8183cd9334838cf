/* test-vcard.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-vcard.h"

static void
test_v3 (void)
{
  g_autoptr(GPtrArray) cards = xi_vcard_parse (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "N:Santoso;Budi;;;\r\n"
    "FN:Budi Santoso\r\n"
    "ORG:Toko Maju\\, Jaya;Penjualan\r\n"
    "TEL;TYPE=WORK,VOICE:021-555-1234\r\n"
    "TEL;TYPE=CELL:0812 3456 7890\r\n"
    "EMAIL;TYPE=INTERNET:budi@example.com\r\n"
    "NOTE:Suka diskon\\nPelanggan lama\r\n"
    "CATEGORIES:vip,reseller\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "N:Aminah;Siti;;;\r\n"
    "item1.TEL:+62 857\r\n"
    " 1111 2222\r\n"
    "END:VCARD\r\n");
  XiVCard *budi, *siti;

  g_assert_cmpuint (cards->len, ==, 2);
  budi = g_ptr_array_index (cards, 0);
  siti = g_ptr_array_index (cards, 1);

  g_assert_cmpuint (budi->line, ==, 1);
  g_assert_cmpstr (budi->name, ==, "Budi Santoso");
  g_assert_cmpstr (budi->phone, ==, "0812 3456 7890");
  g_assert_cmpstr (budi->company, ==, "Toko Maju, Jaya");
  g_assert_cmpstr (budi->email, ==, "budi@example.com");
  g_assert_cmpstr (budi->notes, ==, "Suka diskon\nPelanggan lama");
  g_assert_cmpstr (budi->tags[0], ==, "vip");
  g_assert_cmpstr (budi->tags[1], ==, "reseller");

  /* No FN: the name comes from N; a folded TEL is joined. */
  g_assert_cmpuint (siti->line, ==, 12);
  g_assert_cmpstr (siti->name, ==, "Siti Aminah");
  g_assert_cmpstr (siti->phone, ==, "+62 8571111 2222");
}

static void
test_android_21 (void)
{
  g_autoptr(GPtrArray) cards = xi_vcard_parse (
    "BEGIN:VCARD\n"
    "VERSION:2.1\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:;=C3=89ko;;;\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=89ko Pras=\n"
    "etyo\n"
    "TEL;CELL:081299990000\n"
    "TEL;HOME:0274123456\n"
    "END:VCARD\n");
  XiVCard *eko;

  g_assert_cmpuint (cards->len, ==, 1);
  eko = g_ptr_array_index (cards, 0);
  g_assert_cmpstr (eko->name, ==, "\xc3\x89ko Prasetyo");
  g_assert_cmpstr (eko->phone, ==, "081299990000");
  g_assert_nonnull (eko->tags);
  g_assert_null (eko->tags[0]);
}

static void
test_v4_uri (void)
{
  g_autoptr(GPtrArray) cards = xi_vcard_parse (
    "BEGIN:VCARD\nVERSION:4.0\nFN:Dewi\nTEL;VALUE=uri;TYPE=\"cell,text\":tel:+62-813-0000-0001\nEND:VCARD\n"
    "garbage between cards\n"
    "BEGIN:VCARD\nVERSION:4.0\nFN:No Number\nEND:VCARD\n");
  XiVCard *dewi;

  g_assert_cmpuint (cards->len, ==, 2);
  dewi = g_ptr_array_index (cards, 0);
  g_assert_cmpstr (dewi->phone, ==, "+62-813-0000-0001");
  g_assert_null (((XiVCard *)g_ptr_array_index (cards, 1))->phone);
}

static void
test_empty (void)
{
  g_autoptr(GPtrArray) cards = xi_vcard_parse ("name,phone\nBudi,0812\n");

  g_assert_cmpuint (cards->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xi/vcard/v3", test_v3);
  g_test_add_func ("/xi/vcard/android-2.1", test_android_21);
  g_test_add_func ("/xi/vcard/v4-uri", test_v4_uri);
  g_test_add_func ("/xi/vcard/not-a-vcard", test_empty);

  return g_test_run ();
}
