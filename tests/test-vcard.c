/* test-vcard.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-vcard.h"

static XiVCard *
card_at (GPtrArray *cards,
         guint      index)
{
  g_assert_cmpuint (index, <, cards->len);
  return g_ptr_array_index (cards, index);
}

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
    "TEL;TYPE=CELL:0813 0000 0000\r\n"
    "EMAIL;TYPE=INTERNET:budi@example.com\r\n"
    "NOTE:Suka diskon\\nPelanggan lama\\; sejak 2019\r\n"
    "CATEGORIES:vip,reseller\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "N:Aminah;Siti;;;\r\n"
    "item1.TEL:+62 857\r\n"
    " 1111 2222\r\n"
    "item1.X-ABLabel:WhatsApp\r\n"
    "END:VCARD\r\n");
  XiVCard *budi, *siti;

  g_assert_cmpuint (cards->len, ==, 2);
  budi = card_at (cards, 0);
  siti = card_at (cards, 1);

  g_assert_cmpuint (budi->line, ==, 1);
  g_assert_cmpstr (budi->name, ==, "Budi Santoso");
  /* The first mobile wins over a work number listed before it. */
  g_assert_cmpstr (budi->phone, ==, "0812 3456 7890");
  g_assert_cmpstr (budi->company, ==, "Toko Maju, Jaya");
  g_assert_cmpstr (budi->email, ==, "budi@example.com");
  g_assert_cmpstr (budi->notes, ==, "Suka diskon\nPelanggan lama; sejak 2019");
  g_assert_cmpuint (g_strv_length (budi->tags), ==, 2);
  g_assert_cmpstr (budi->tags[0], ==, "vip");
  g_assert_cmpstr (budi->tags[1], ==, "reseller");

  /* No FN: the name comes from N; a folded, grouped TEL is joined. */
  g_assert_cmpuint (siti->line, ==, 13);
  g_assert_cmpstr (siti->name, ==, "Siti Aminah");
  g_assert_cmpstr (siti->phone, ==, "+62 8571111 2222");
  g_assert_null (siti->company);
  g_assert_null (siti->email);
  g_assert_null (siti->notes);
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
    "TEL;HOME:0274123456\n"
    "TEL;CELL;PREF:081299990000\n"
    "NOTE;ENCODING=QUOTED-PRINTABLE:Langganan=0D=0Abulanan=\n"
    "=3D OK\n"
    "END:VCARD\n"
    "BEGIN:VCARD\n"
    "VERSION:2.1\n"
    "FN;CHARSET=ISO-8859-1;QUOTED-PRINTABLE:Jos=E9\n"
    "TEL;VOICE:0274 555 111\n"
    "END:VCARD\n");
  XiVCard *eko, *jose;

  g_assert_cmpuint (cards->len, ==, 2);
  eko = card_at (cards, 0);
  g_assert_cmpstr (eko->name, ==, "\xc3\x89ko Prasetyo");
  g_assert_cmpstr (eko->phone, ==, "081299990000");
  g_assert_cmpstr (eko->notes, ==, "Langganan\r\nbulanan= OK");
  g_assert_nonnull (eko->tags);
  g_assert_null (eko->tags[0]);

  /* Line numbers count the physical lines, soft breaks included. */
  jose = card_at (cards, 1);
  g_assert_cmpuint (jose->line, ==, 11);
  g_assert_cmpstr (jose->name, ==, "Jos\xc3\xa9");
  g_assert_cmpstr (jose->phone, ==, "0274 555 111");
}

static void
test_v4 (void)
{
  g_autoptr(GPtrArray) cards = xi_vcard_parse (
    "BEGIN:VCARD\nVERSION:4.0\nFN:Dewi\n"
    "TEL;VALUE=uri;TYPE=home:tel:+62-21-555-0000\n"
    "TEL;VALUE=uri;TYPE=\"cell,text\":tel:+62-813-0000-0001\n"
    "END:VCARD\n"
    "garbage between cards\n"
    "BEGIN:VCARD\nVERSION:4.0\nFN:No Number\nEND:VCARD\n");
  XiVCard *dewi;

  g_assert_cmpuint (cards->len, ==, 2);
  dewi = card_at (cards, 0);
  g_assert_cmpstr (dewi->phone, ==, "+62-813-0000-0001");
  g_assert_null (card_at (cards, 1)->phone);
  g_assert_cmpuint (card_at (cards, 1)->line, ==, 8);
}

static void
test_lenient (void)
{
  /* Lower case everywhere, CR line ends, categories over two lines with
   * an empty entry, an iPhone mobile after a home number, an empty FN,
   * and a file cut off before the last END. */
  g_autoptr(GPtrArray) cards = xi_vcard_parse (
    "begin:vcard\r"
    "version:3.0\r"
    "fn:\r"
    "n:Wijaya;Ani;Putri;Ibu;\r"
    "item1.tel;type=HOME:0274 111 222\r"
    "item2.tel;type=IPHONE;type=CELL;type=VOICE:0811 2233 4455\r"
    "categories:vip,,reseller\r"
    "categories:Pameran\r"
    "end:vcard\r"
    "BEGIN:VCARD\r"
    "FN:Terpotong\r"
    "TEL;TYPE=cell:0812 0000 1111\r");
  XiVCard *ani, *cut;

  g_assert_cmpuint (cards->len, ==, 2);
  ani = card_at (cards, 0);
  g_assert_cmpstr (ani->name, ==, "Ani Putri Wijaya");
  g_assert_cmpstr (ani->phone, ==, "0811 2233 4455");
  g_assert_cmpuint (g_strv_length (ani->tags), ==, 3);
  g_assert_cmpstr (ani->tags[1], ==, "reseller");
  g_assert_cmpstr (ani->tags[2], ==, "Pameran");

  cut = card_at (cards, 1);
  g_assert_cmpuint (cut->line, ==, 10);
  g_assert_cmpstr (cut->name, ==, "Terpotong");
  g_assert_cmpstr (cut->phone, ==, "0812 0000 1111");
}

static void
test_not_vcard (void)
{
  g_autoptr(GPtrArray) csv = xi_vcard_parse ("name,phone\nBudi,0812\n");
  g_autoptr(GPtrArray) empty = xi_vcard_parse ("");

  g_assert_cmpuint (csv->len, ==, 0);
  g_assert_cmpuint (empty->len, ==, 0);
}

/* Issue 18: a line starting with ":" crashed the importer. Such lines,
 * and others whose head names no property, are skipped; the card keeps
 * what the lines around them say. */
static void
test_nameless_property (void)
{
  g_autoptr(GPtrArray) cards = xi_vcard_parse ("BEGIN:VCARD\n"
                                               ":oops\n"
                                               ";TYPE=CELL:0813 1111 2222\n"
                                               "item1.:0813 3333 4444\n"
                                               ":\n"
                                               "FN:B\n"
                                               "TEL:081234567890\n"
                                               "END:VCARD\n");
  XiVCard *card;

  g_assert_cmpuint (cards->len, ==, 1);
  card = card_at (cards, 0);
  g_assert_cmpstr (card->name, ==, "B");
  g_assert_cmpstr (card->phone, ==, "081234567890");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xi/vcard/v3", test_v3);
  g_test_add_func ("/xi/vcard/android-2.1", test_android_21);
  g_test_add_func ("/xi/vcard/v4", test_v4);
  g_test_add_func ("/xi/vcard/lenient", test_lenient);
  g_test_add_func ("/xi/vcard/not-a-vcard", test_not_vcard);
  g_test_add_func ("/xi/vcard/nameless-property", test_nameless_property);

  return g_test_run ();
}
