/* test-csv.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-csv.h"
#include "xi-import-reader.h"

/* Reads every record of @text into "a|b|c@line" strings, one per record. */
static char *
records (const char  *text,
         GError     **error)
{
  g_autoptr(XiCsvReader) reader = xi_csv_reader_new (text, xi_csv_detect_delimiter (text));
  GString *out = g_string_new (NULL);

  while (xi_csv_reader_next (reader, error))
    {
      for (guint i = 0; i < xi_csv_reader_get_n_fields (reader); i++)
        g_string_append_printf (out, "%s%s", i > 0 ? "|" : "", xi_csv_reader_get_field (reader, i));
      g_string_append_printf (out, "@%u\n", xi_csv_reader_get_line (reader));
    }
  return g_string_free (out, FALSE);
}

static void
test_table (void)
{
  const struct { const char *in, *out; } table[] = {
    { "a,b\n1,2\n", "a|b@1\n1|2@2\n" },
    { "a,b\r\n1,2\r\n", "a|b@1\n1|2@2\n" },
    { "a,b\r1,2", "a|b@1\n1|2@2\n" },
    { "a;b\n1,5;2\n", "a|b@1\n1,5|2@2\n" },
    { "a\tb\n1\t2\n", "a|b@1\n1|2@2\n" },
    { "a,b\n\"x, y\",2\n", "a|b@1\nx, y|2@2\n" },
    { "a,b\n\"say \"\"hi\"\"\",2\n", "a|b@1\nsay \"hi\"|2@2\n" },
    { "a,b\n\"two\nlines\",2\n3,4\n", "a|b@1\ntwo\nlines|2@2\n3|4@4\n" },
    { "a,b\n\"two\r\nlines\",2\r\n3,4\r\n", "a|b@1\ntwo\nlines|2@2\n3|4@4\n" },
    { "a,b\n\n1,2\n", "a|b@1\n@2\n1|2@3\n" },
    { "a,b,\n1,2,\n", "a|b|@1\n1|2|@2\n" },
    { "a,b\n1\n", "a|b@1\n1@2\n" },
    { "a,b\n5\" tall,2\n", "a|b@1\n5\" tall|2@2\n" },
    { "\"a;b\",c,d\n", "a;b|c|d@1\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *got = records (table[i].in, &error);

      g_test_message ("case %u", i);
      g_assert_no_error (error);
      g_assert_cmpstr (got, ==, table[i].out);
    }
}

static void
test_unterminated (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *got = records ("a,b\n1,2\n\"oops,3\n4,5\n", &error);

  /* The records before the broken one are kept. */
  g_assert_cmpstr (got, ==, "a|b@1\n1|2@2\n");
  g_assert_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE);
  g_assert_nonnull (strstr (error->message, "Line 3"));
}

static void
test_blank (void)
{
  g_autoptr(XiCsvReader) reader = xi_csv_reader_new (";;;\n x ;\n", ';');

  g_assert_true (xi_csv_reader_next (reader, NULL));
  g_assert_true (xi_csv_reader_is_blank (reader));
  g_assert_true (xi_csv_reader_next (reader, NULL));
  g_assert_false (xi_csv_reader_is_blank (reader));
  g_assert_cmpstr (xi_csv_reader_get_field (reader, 5), ==, "");
}

static void
test_encodings (void)
{
  static const guint8 bom[] = { 0xEF, 0xBB, 0xBF, 'n', ',', 'p', '\n' };
  static const guint8 utf16le[] = { 0xFF, 0xFE, 'N', 0, 'a', 0, 'm', 0, 'a', 0, '\t', 0, 0xE9, 0, '\n', 0 };
  static const guint8 utf16be[] = { 0xFE, 0xFF, 0, 'H', 0, 'P', 0, '\n' };
  static const guint8 cp1252[] = { 'J', 'o', 's', 0xE9, ',', 0x80, '\n' };
  static const guint8 utf8[] = { 'J', 'o', 's', 0xC3, 0xA9, '\n' };
  g_autofree char *a = xi_text_to_utf8 (bom, sizeof bom, NULL);
  g_autofree char *b = xi_text_to_utf8 (utf16le, sizeof utf16le, NULL);
  g_autofree char *c = xi_text_to_utf8 (utf16be, sizeof utf16be, NULL);
  g_autofree char *d = xi_text_to_utf8 (cp1252, sizeof cp1252, NULL);
  g_autofree char *e = xi_text_to_utf8 (utf8, sizeof utf8, NULL);

  g_assert_cmpstr (a, ==, "n,p\n");
  g_assert_cmpstr (b, ==, "Nama\t\xc3\xa9\n");
  g_assert_cmpstr (c, ==, "HP\n");
  g_assert_cmpstr (d, ==, "Jos\xc3\xa9,\xe2\x82\xac\n");
  g_assert_cmpstr (e, ==, "Jos\xc3\xa9\n");
  g_assert_cmpint (xi_csv_detect_delimiter ("Nama\tHP\n"), ==, '\t');
  g_assert_cmpint (xi_csv_detect_delimiter ("\"a,b,c\";x\n"), ==, ';');
  g_assert_cmpint (xi_csv_detect_delimiter ("phone\n"), ==, ',');
}

static void
test_speed (void)
{
  g_autoptr(GString) text = g_string_new ("nama,hp,kota\n");
  g_autoptr(XiCsvReader) reader = NULL;
  guint n = 0;
  gint64 start;

  for (guint i = 0; i < 100000; i++)
    g_string_append_printf (text, "Pelanggan %u,0812%08u,Jakarta\n", i, i);

  reader = xi_csv_reader_new (text->str, ',');
  start = g_get_monotonic_time ();
  while (xi_csv_reader_next (reader, NULL))
    n++;
  g_test_message ("100,000 rows: %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (n, ==, 100001);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xi/csv/records", test_table);
  g_test_add_func ("/xi/csv/unterminated-quote", test_unterminated);
  g_test_add_func ("/xi/csv/blank", test_blank);
  g_test_add_func ("/xi/csv/encodings", test_encodings);
  g_test_add_func ("/xi/csv/speed", test_speed);

  return g_test_run ();
}
