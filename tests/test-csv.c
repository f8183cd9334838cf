/* test-csv.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#if __has_include (<valgrind/valgrind.h>)
# include <valgrind/valgrind.h>
#else
# define RUNNING_ON_VALGRIND 0
#endif

#include <glib/gstdio.h>

#include "xi-csv.h"
#include "xi-import-reader.h"
#include "xi-limits.h"
#include "xi-test-utils.h"

/* Reads every record of @text into "a|b|c@line" strings, one per record,
 * and "!@line" for a record refused with an error. */
static char *
records (const char *text)
{
  g_autoptr(XiCsvReader) reader = xi_csv_reader_new (text, xi_csv_detect_delimiter (text));
  GString *out = g_string_new (NULL);

  for (;;)
    {
      g_autoptr(GError) error = NULL;

      if (!xi_csv_reader_next (reader, &error))
        {
          if (error == NULL)
            break;
          g_assert_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE);
          g_string_append_printf (out, "!@%u\n", xi_csv_reader_get_line (reader));
          continue;
        }
      for (guint i = 0; i < xi_csv_reader_get_n_fields (reader); i++)
        g_string_append_printf (out, "%s%s", i > 0 ? "|" : "", xi_csv_reader_get_field (reader, i));
      g_string_append_printf (out, "@%u\n", xi_csv_reader_get_line (reader));
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  const char *in;
  const char *out;
} Case;

static void
check_cases (const Case *cases,
             gsize       n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    {
      g_autofree char *got = records (cases[i].in);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, cases[i].in);
      g_assert_cmpstr (got, ==, cases[i].out);
    }
}

#define CHECK(cases) check_cases (cases, G_N_ELEMENTS (cases))

static void
test_line_ends (void)
{
  static const Case cases[] = {
    { "a,b\n1,2\n", "a|b@1\n1|2@2\n" },
    { "a,b\r\n1,2\r\n", "a|b@1\n1|2@2\n" },
    { "a,b\r1,2", "a|b@1\n1|2@2\n" },
    { "a,b\n1,2", "a|b@1\n1|2@2\n" },
    { "a,b\n\n1,2\n", "a|b@1\n@2\n1|2@3\n" },
    { "a,b\r\n\r\n\r\n1,2\r\n", "a|b@1\n@2\n@3\n1|2@4\n" },
    { "", "" },
  };

  CHECK (cases);
}

static void
test_quotes (void)
{
  static const Case cases[] = {
    { "a,b\n\"x, y\",2\n", "a|b@1\nx, y|2@2\n" },
    { "a,b\n\"say \"\"hi\"\"\",2\n", "a|b@1\nsay \"hi\"|2@2\n" },
    { "a,b\n\"\",\"\"\"\"\n", "a|b@1\n|\"@2\n" },
    /* A stray quote inside an unquoted field is text, as in spreadsheets. */
    { "a,b\n5\" tall,2\n", "a|b@1\n5\" tall|2@2\n" },
    { "a,b\n\"quoted\"tail,2\n", "a|b@1\nquotedtail|2@2\n" },
    { "a,b\n1, \"x, y\"\n", "a|b@1\n1|x, y@2\n" },
    { "a,b\n1, x\n", "a|b@1\n1| x@2\n" },
  };

  CHECK (cases);
}

/* A value a spreadsheet would run as a formula is shown as text in an
 * export, and imports as it was. */
static void
test_formulas (void)
{
  static const struct { const char *value, *cell; } cases[] = {
    { "=HYPERLINK(\"http://x\",\"klik\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"klik\"\")\"" },
    { "=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0" },
    { "@SUM(1+1)", "'@SUM(1+1)" },
    { "+1+cmd|x", "'+1+cmd|x" },
    { "-2+3+cmd|x", "'-2+3+cmd|x" },
    { "\t=1+1", "'\t=1+1" },
    /* Numbers and phone numbers compute nothing anyone could plant. */
    { "+62 812-3456-7890", "+62 812-3456-7890" },
    { "-5", "-5" },
    { "Budi = pelanggan", "Budi = pelanggan" },
    { "", "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) out = g_string_new ("value\n");
      g_autoptr(XiCsvReader) reader = NULL;

      xi_csv_append_cell (out, cases[i].value);
      g_assert_cmpstr (out->str + strlen ("value\n"), ==, cases[i].cell);
      g_string_append_c (out, '\n');

      reader = xi_csv_reader_new (out->str, ',');
      g_assert_true (xi_csv_reader_next (reader, NULL));
      g_assert_true (xi_csv_reader_next (reader, NULL));
      g_assert_cmpstr (xi_csv_reader_get_field (reader, 0), ==, cases[i].value);
    }

  /* A plain field is written as it is, for what only programs read. */
  {
    g_autoptr(GString) out = g_string_new (NULL);

    xi_csv_append_field (out, "=1+1");
    g_assert_cmpstr (out->str, ==, "=1+1");
  }
}

static void
test_embedded_newlines (void)
{
  static const Case cases[] = {
    { "a,b\n\"two\nlines\",2\n3,4\n", "a|b@1\ntwo\nlines|2@2\n3|4@4\n" },
    { "a,b\n\"two\r\nlines\",2\r\n3,4\r\n", "a|b@1\ntwo\nlines|2@2\n3|4@4\n" },
    { "a,b\r\"two\rlines\",2\r3,4\r", "a|b@1\ntwo\nlines|2@2\n3|4@4\n" },
    { "a,b\n\"x\n\n\ny\",2\n3,4\n5,6\n", "a|b@1\nx\n\n\ny|2@2\n3|4@6\n5|6@7\n" },
  };

  CHECK (cases);
}

static void
test_delimiters (void)
{
  static const Case cases[] = {
    { "a;b\n1,5;2\n", "a|b@1\n1,5|2@2\n" },
    { "a\tb\n1\t2\n", "a|b@1\n1|2@2\n" },
    { "a\tb\n\"x\ty\"\t2\n", "a|b@1\nx\ty|2@2\n" },
    { "\"a;b\",c,d\n", "a;b|c|d@1\n" },
    /* A trailing delimiter is one more, empty, field. */
    { "a,b,\n1,2,\n", "a|b|@1\n1|2|@2\n" },
    { "a;b;\n1;2;\n", "a|b|@1\n1|2|@2\n" },
    /* A short record has fewer fields. */
    { "a,b\n1\n", "a|b@1\n1@2\n" },
  };

  CHECK (cases);
}

static void
test_detect_delimiter (void)
{
  g_assert_cmpint (xi_csv_detect_delimiter ("Nama\tHP\n"), ==, '\t');
  g_assert_cmpint (xi_csv_detect_delimiter ("Nama;HP;Kota\n"), ==, ';');
  g_assert_cmpint (xi_csv_detect_delimiter ("nama,hp;x,y\n"), ==, ',');
  g_assert_cmpint (xi_csv_detect_delimiter ("\"a,b,c\";x\n"), ==, ';');
  g_assert_cmpint (xi_csv_detect_delimiter ("\"a\nb,c,d\";x\n"), ==, ';');
  g_assert_cmpint (xi_csv_detect_delimiter ("phone\n0812\n"), ==, ',');
  g_assert_cmpint (xi_csv_detect_delimiter (""), ==, ',');
  /* A title row without delimiters above the header. */
  g_assert_cmpint (xi_csv_detect_delimiter ("DATA PELANGGAN\r\n\r\nNama;HP\r\n"), ==, ';');
}

static void
test_unterminated (void)
{
  static const Case cases[] = {
    /* Rows before the broken one are kept, and so are those after it:
     * an unclosed quote means no other quote follows. */
    { "a,b\n1,2\n\"oops,3\n4,5\n", "a|b@1\n1|2@2\n!@3\n4|5@4\n" },
    { "a,b\r\n1,\"oops\r\n4,5", "a|b@1\n!@2\n4|5@3\n" },
    { "a,b\n1,2\n3,\"never closed", "a|b@1\n1|2@2\n!@3\n" },
    { "a,b\n\"x\ny\",2\n3,\"oops\n5,6\n", "a|b@1\nx\ny|2@2\n!@4\n5|6@5\n" },
  };
  g_autoptr(XiCsvReader) reader = xi_csv_reader_new ("a\n\"x\n", ',');
  g_autoptr(GError) error = NULL;

  CHECK (cases);

  g_assert_true (xi_csv_reader_next (reader, NULL));
  g_assert_false (xi_csv_reader_next (reader, &error));
  g_assert_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE);
  g_assert_cmpuint (xi_csv_reader_get_line (reader), ==, 2);
  g_assert_false (xi_csv_reader_next (reader, NULL));
}

/* A record past the row limit is refused, whole, with its line, whether
 * its bulk is one unquoted cell, a quoted cell over several lines or
 * many small cells; the records around it are read as usual. */
static void
test_row_limit (void)
{
  static const char * const bulks[] = { "x", "\"a\nb\"", "," };

  for (guint b = 0; b < G_N_ELEMENTS (bulks); b++)
    {
      g_autoptr(GString) text = g_string_new ("a,b\n1,2\n3,");
      g_autofree char *got = NULL;
      g_autofree char *want = NULL;
      g_autofree char *last = NULL;
      guint lines = 0;
      gsize start = text->len;

      /* Twice the limit: a quoted cell keeps fewer bytes than it takes. */
      while (text->len - start <= 2 * XI_LIMIT_IMPORT_ROW_BYTES)
        {
          g_string_append (text, bulks[b]);
          lines += strchr (bulks[b], '\n') != NULL;
        }
      g_string_append (text, "\n5,6\n");
      g_string_append (text, "7,");
      /* Just under the limit, a row is read. */
      for (guint i = 0; i < XI_LIMIT_IMPORT_ROW_BYTES - 8; i++)
        g_string_append_c (text, 'y');
      g_string_append (text, "\n");

      got = records (text->str);
      g_assert_true (g_str_has_prefix (got, "a|b@1\n1|2@2\n!@3\n"));
      want = g_strdup_printf ("5|6@%u\n7|", 4 + lines);
      g_assert_nonnull (strstr (got, want));
      last = g_strdup_printf ("y@%u\n", 5 + lines);
      g_assert_true (g_str_has_suffix (got, last));
    }
}

static void
test_blank (void)
{
  g_autoptr(XiCsvReader) reader = xi_csv_reader_new (";;;\n x ;\n", ';');

  g_assert_true (xi_csv_reader_next (reader, NULL));
  g_assert_cmpuint (xi_csv_reader_get_n_fields (reader), ==, 4);
  g_assert_true (xi_csv_reader_is_blank (reader));
  g_assert_true (xi_csv_reader_next (reader, NULL));
  g_assert_false (xi_csv_reader_is_blank (reader));
  g_assert_cmpstr (xi_csv_reader_get_field (reader, 0), ==, " x ");
  g_assert_cmpstr (xi_csv_reader_get_field (reader, 5), ==, "");
  g_assert_cmpuint (xi_csv_reader_get_offset (reader), ==, 9);
  g_assert_false (xi_csv_reader_next (reader, NULL));
}

static char *
decode (const guint8 *data,
        gsize         len)
{
  g_autoptr(GError) error = NULL;
  char *text = xi_text_to_utf8 (data, len, &error);

  g_assert_no_error (error);
  return text;
}

static void
test_encodings (void)
{
  static const guint8 bom[] = { 0xEF, 0xBB, 0xBF, 'n', ',', 'p', '\n' };
  static const guint8 utf16le[] = { 0xFF, 0xFE, 'N', 0, 'a', 0, 'm', 0, 'a', 0, '\t', 0,
                                    0xE9, 0, '\n', 0 };
  static const guint8 utf16be[] = { 0xFE, 0xFF, 0, 'H', 0, 'P', 0, '\n', 0x20, 0xAC };
  static const guint8 cp1252[] = { 'J', 'o', 's', 0xE9, ',', 0x80, 0x93, 'x', 0x94, '\n' };
  static const guint8 cp1252_hole[] = { 'a', 0x81, 'b' };
  static const guint8 utf8[] = { 'J', 'o', 's', 0xC3, 0xA9, '\n' };
  g_autofree char *a = decode (bom, sizeof bom);
  g_autofree char *b = decode (utf16le, sizeof utf16le);
  g_autofree char *c = decode (utf16be, sizeof utf16be);
  g_autofree char *d = decode (cp1252, sizeof cp1252);
  g_autofree char *e = decode (cp1252_hole, sizeof cp1252_hole);
  g_autofree char *f = decode (utf8, sizeof utf8);
  g_autofree char *g = decode ((const guint8 *)"", 0);

  g_assert_cmpstr (a, ==, "n,p\n");
  g_assert_cmpstr (b, ==, "Nama\t\xc3\xa9\n");
  g_assert_cmpstr (c, ==, "HP\n\xe2\x82\xac");
  g_assert_cmpstr (d, ==, "Jos\xc3\xa9,\xe2\x82\xac\xe2\x80\x9cx\xe2\x80\x9d\n");
  g_assert_cmpstr (e, ==, "a\xc2\x81" "b");
  g_assert_cmpstr (f, ==, "Jos\xc3\xa9\n");
  g_assert_cmpstr (g, ==, "");
}

static void
test_encoding_errors (void)
{
  static const guint8 binary[] = { 'P', 'K', 0x03, 0x04, 0x00, 0x00 };
  static const guint8 odd_utf16[] = { 0xFF, 0xFE, 'a', 0, 'b' };
  static const guint8 nul_utf16[] = { 0xFF, 0xFE, 'a', 0, 0, 0, 'b', 0 };
  const struct { const guint8 *data; gsize len; } cases[] = {
    { binary, sizeof binary },
    { odd_utf16, sizeof odd_utf16 },
    { nul_utf16, sizeof nul_utf16 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = xi_text_to_utf8 (cases[i].data, cases[i].len, &error);

      g_assert_null (text);
      g_assert_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE);
    }
}

/* An encoding the user chose is followed, where the guess would differ. */
static void
test_chosen_encodings (void)
{
  static const guint8 euro[] = { 'a', 0x80, 0xE9 };
  static const guint8 utf16_plain[] = { 'N', 0, 'o', 0 };
  static const guint8 utf16_be_bom[] = { 0xFE, 0xFF, 0, 'N', 0, 'o' };
  static const guint8 utf8_bom[] = { 0xEF, 0xBB, 0xBF, 'N', 'o' };
  static const guint8 bad_utf8[] = { 'a', '\n', 'b', '\n', 0xE9, '\n' };
  const struct {
    const guint8 *data;
    gsize         len;
    const char   *chosen;
    const char   *text;
    const char   *found;
  } cases[] = {
    { euro, sizeof euro, "Windows-1252", "a\xe2\x82\xac\xc3\xa9", "Windows-1252" },
    { euro, sizeof euro, "ISO-8859-1", "a\xc2\x80\xc3\xa9", "ISO-8859-1" },
    { utf16_plain, sizeof utf16_plain, "UTF-16", "No", "UTF-16LE" },
    { utf16_be_bom, sizeof utf16_be_bom, "UTF-16", "No", "UTF-16BE" },
    { utf8_bom, sizeof utf8_bom, "UTF-8", "No", "UTF-8" },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *refused = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *found = NULL;
      g_autofree char *text = xi_text_to_utf8_as (cases[i].data, cases[i].len, cases[i].chosen,
                                                  &found, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (text, ==, cases[i].text);
      g_assert_cmpstr (found, ==, cases[i].found);
    }

  /* Without a choice, UTF-16 without its mark is taken for binary. */
  refused = xi_text_to_utf8_as (utf16_plain, sizeof utf16_plain, NULL, NULL, &error);
  g_assert_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE);
  g_clear_error (&error);

  /* Chosen UTF-8 that is not: the line at fault is named. */
  g_assert_null (xi_text_to_utf8_as (bad_utf8, sizeof bad_utf8, "UTF-8", NULL, &error));
  g_assert_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE);
  g_assert_nonnull (strstr (error->message, "3"));
  g_clear_error (&error);

  g_assert_null (xi_text_to_utf8_as (euro, sizeof euro, "EBCDIC", NULL, &error));
  g_assert_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE);
}

/* A UTF-16 file as Excel's "Unicode text" writes it, read end to end. */
static void
test_utf16_file (void)
{
  static const char sheet[] = "Nama\tNo HP\r\n\"Siti\r\nAminah\"\t0812\r\nBudi\t0813\r\n";
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autofree char *text = NULL;
  g_autofree char *got = NULL;

  g_byte_array_append (bytes, (const guint8 *)"\xFF\xFE", 2);
  for (const char *p = sheet; *p != '\0'; p++)
    g_byte_array_append (bytes, (const guint8[]) { (guint8)*p, 0 }, 2);

  text = decode (bytes->data, bytes->len);
  got = records (text);
  g_assert_cmpstr (got, ==, "Nama|No HP@1\nSiti\nAminah|0812@2\nBudi|0813@4\n");
}

static void
test_speed (void)
{
  g_autoptr(GString) csv = g_string_new ("name,phone,city\n");
  g_autoptr(XiCsvReader) reader = NULL;
  g_autofree char *text = NULL;
  guint n = 0;
  gint64 start;
  double ms;

  for (guint i = 0; i < 100000; i++)
    g_string_append_printf (csv, "Pelanggan %u,0812%08u,Jakarta\n", i, i);

  start = g_get_monotonic_time ();
  text = xi_text_to_utf8 ((const guint8 *)csv->str, csv->len, NULL);
  reader = xi_csv_reader_new (text, xi_csv_detect_delimiter (text));
  while (xi_csv_reader_next (reader, NULL))
    n++;
  ms = (g_get_monotonic_time () - start) / 1000.0;

  g_test_message ("decoded and parsed 100,000 rows in %.1f ms", ms);
  g_assert_cmpuint (n, ==, 100001);
  g_assert_cmpstr (xi_csv_reader_get_field (reader, 1), ==, "081200099999");
  g_assert_cmpuint (xi_csv_reader_get_line (reader), ==, 100001);
  if (!RUNNING_ON_VALGRIND)
    g_assert_cmpfloat (ms, <, 300.0);
}

/* What xi_csv_save_async () leaves: a file readable by the user only,
 * holding all of it, in place of the one there before. (On a full disk
 * it leaves the one before: test-engine-lock's /cli-export/disk-full.) */
static void
test_save (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "laporan.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GBytes) contents = g_bytes_new_static ("name,phone\r\nSari,+6281234567890\r\n", 35);
  g_autoptr(GError) error = NULL;
  g_autofree char *read_back = NULL;
  GStatBuf info;

  g_assert_true (g_file_set_contents_full (path, "older", -1, G_FILE_SET_CONTENTS_NONE, 0644, NULL));
  XI_TEST_WAIT (xi_csv_save_async (file, contents, NULL, xi_test_store_result_cb, &slot_),
                g_assert_true (xi_csv_save_finish (file, result_, &error)));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &read_back, NULL, NULL));
  g_assert_cmpstr (read_back, ==, "name,phone\r\nSari,+6281234567890\r\n");
  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
  xi_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xi/csv/line-ends", test_line_ends);
  g_test_add_func ("/xi/csv/quotes", test_quotes);
  g_test_add_func ("/xi/csv/formulas", test_formulas);
  g_test_add_func ("/xi/csv/embedded-newlines", test_embedded_newlines);
  g_test_add_func ("/xi/csv/delimiters", test_delimiters);
  g_test_add_func ("/xi/csv/detect-delimiter", test_detect_delimiter);
  g_test_add_func ("/xi/csv/unterminated-quote", test_unterminated);
  g_test_add_func ("/xi/csv/row-limit", test_row_limit);
  g_test_add_func ("/xi/csv/blank", test_blank);
  g_test_add_func ("/xi/csv/encodings", test_encodings);
  g_test_add_func ("/xi/csv/encoding-errors", test_encoding_errors);
  g_test_add_func ("/xi/csv/utf16-file", test_utf16_file);
  g_test_add_func ("/xi/csv/chosen-encodings", test_chosen_encodings);
  g_test_add_func ("/xi/csv/speed", test_speed);
  g_test_add_func ("/xi/csv/save", test_save);

  return g_test_run ();
}
