/* test-import-reader.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xi-contact.h"
#include "xi-csv.h"
#include "xi-import-reader.h"
#include "xi-limits.h"
#include "xi-phone.h"
#include "xi-test-utils.h"

static XiImportBatch *
read_data (const void  *data,
           gsize        len,
           const char  *name,
           GError     **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, len);

  return xi_import_read_bytes (bytes, name, "62", NULL, error);
}

static XiImportBatch *
read_text (const char *text,
           const char *name)
{
  g_autoptr(GError) error = NULL;
  XiImportBatch *batch = read_data (text, strlen (text), name, &error);

  g_assert_no_error (error);
  g_assert_nonnull (batch);
  return batch;
}

static XiImportRow *
row (XiImportBatch *batch,
     guint          index)
{
  g_assert_cmpuint (index, <, batch->rows->len);
  return g_ptr_array_index (batch->rows, index);
}

static XiImportIssue *
issue (XiImportBatch *batch,
       guint          index)
{
  g_assert_cmpuint (index, <, batch->issues->len);
  return g_ptr_array_index (batch->issues, index);
}

static void
assert_issue (XiImportBatch *batch,
              guint          index,
              guint          line,
              const char    *excerpt,
              const char    *reason_part)
{
  XiImportIssue *i = issue (batch, index);

  g_assert_cmpuint (i->line, ==, line);
  g_assert_cmpstr (i->excerpt, ==, excerpt);
  g_assert_nonnull (strstr (i->reason, reason_part));
}

static void
assert_custom_names (XiImportBatch *batch,
                     const char    *joined)
{
  g_autofree char *got = g_strjoinv (",", batch->custom_field_names);

  g_assert_cmpstr (got, ==, joined);
}

static void
test_indonesian_header (void)
{
  g_autoptr(XiImportBatch) batch = read_text (
    "No;KOTA ASAL;No. HP;Nama Lengkap;Catatan;Label;Grup\n"
    "1;Bandung;0812-3456-7890;Budi Santoso;suka kopi;vip, reseller;Pameran|Setia\n"
    "2;Medan;;Tanpa Nomor;;;\n"
    "3;Jakarta;+62 857 1111 2222;\"Siti\nAminah\";;;\n"
    "4;Solo;12;Rusak;;;\n"
    ";;;;;;\n"
    "5;Surabaya;6.28123E+12;Excel;;;\n"
    "6;Depok;'081311112222;Ani;;;\n",
    "pelanggan.csv");

  g_assert_cmpint (batch->format, ==, XI_IMPORT_FORMAT_DELIMITED);
  g_assert_cmpint (batch->delimiter, ==, ';');
  g_assert_cmpuint (batch->n_records, ==, 6);
  g_assert_cmpuint (batch->rows->len, ==, 3);
  g_assert_cmpuint (batch->issues->len, ==, 3);
  /* "No" is the row number here, since a better phone column exists. */
  assert_custom_names (batch, "no,kota_asal");

  g_assert_cmpuint (row (batch, 0)->line, ==, 2);
  g_assert_cmpstr (row (batch, 0)->name, ==, "Budi Santoso");
  g_assert_cmpstr (row (batch, 0)->phone, ==, "6281234567890");
  g_assert_cmpstr (row (batch, 0)->notes, ==, "suka kopi");
  g_assert_cmpuint (g_strv_length (row (batch, 0)->tags), ==, 2);
  g_assert_cmpstr (row (batch, 0)->tags[1], ==, "reseller");
  g_assert_cmpuint (g_strv_length (row (batch, 0)->groups), ==, 2);
  g_assert_cmpstr (row (batch, 0)->groups[0], ==, "Pameran");
  g_assert_cmpstr (row (batch, 0)->groups[1], ==, "Setia");
  g_assert_cmpstr (row (batch, 0)->custom_values[0], ==, "1");
  g_assert_cmpstr (row (batch, 0)->custom_values[1], ==, "Bandung");

  g_assert_cmpuint (row (batch, 1)->line, ==, 4);
  g_assert_cmpstr (row (batch, 1)->name, ==, "Siti Aminah");
  g_assert_null (row (batch, 1)->notes);
  g_assert_nonnull (row (batch, 1)->tags);
  g_assert_null (row (batch, 1)->tags[0]);
  g_assert_nonnull (row (batch, 1)->groups);
  g_assert_null (row (batch, 1)->groups[0]);

  /* After the quoted line break, line numbers still match the file. */
  g_assert_cmpuint (row (batch, 2)->line, ==, 9);
  g_assert_cmpstr (row (batch, 2)->phone, ==, "6281311112222");

  assert_issue (batch, 0, 3, "Tanpa Nomor", "no phone number");
  assert_issue (batch, 1, 6, "12", "too short");
  assert_issue (batch, 2, 8, "6.28123E+12", "Text");
}

/* A name is one line with single spaces, however the cell spaced it; a
 * name of spaces alone is no name. */
static void
test_name_one_line (void)
{
  g_autoptr(XiImportBatch) batch = read_text (
    "Nama,No HP\n"
    "\"  Budi \t\r\n\n  Santoso\t \",081234567890\n"
    "\" \t \",081234567891\n"
    "Ani,081234567892\n",
    "pelanggan.csv");

  g_assert_cmpuint (batch->rows->len, ==, 3);
  g_assert_cmpstr (row (batch, 0)->name, ==, "Budi Santoso");
  g_assert_null (row (batch, 1)->name);
  g_assert_cmpstr (row (batch, 2)->name, ==, "Ani");
}

static void
test_english_header (void)
{
  g_autoptr(XiImportBatch) batch = read_text (
    "PHONE NUMBER,first name,Last Name,E-mail,City,city,,Tags,Notes,Négara\r\n"
    "0812 1111 0001,Ani,Wijaya,ani@example.com,Depok,Bogor,lost,vip; reseller | lama,"
    "\"Line 1\nLine 2\",ID\r\n"
    "0812 1111 0002,,Santoso,,,,,,,\r\n"
    "0812 1111 0003,Dewi,,,,,,,,\r\n",
    NULL);

  g_assert_cmpint (batch->delimiter, ==, ',');
  g_assert_cmpuint (batch->rows->len, ==, 3);
  /* The untitled column is dropped; the repeated title gets a suffix. */
  assert_custom_names (batch, "e_mail,city,city_2,negara");

  g_assert_cmpstr (row (batch, 0)->name, ==, "Ani Wijaya");
  g_assert_cmpstr (row (batch, 0)->custom_values[0], ==, "ani@example.com");
  g_assert_cmpstr (row (batch, 0)->custom_values[2], ==, "Bogor");
  g_assert_cmpstr (row (batch, 0)->custom_values[3], ==, "ID");
  g_assert_cmpuint (g_strv_length (row (batch, 0)->tags), ==, 3);
  g_assert_cmpstr (row (batch, 0)->tags[2], ==, "lama");
  g_assert_cmpstr (row (batch, 0)->notes, ==, "Line 1\nLine 2");
  g_assert_cmpuint (row (batch, 1)->line, ==, 4);
  g_assert_cmpstr (row (batch, 1)->name, ==, "Santoso");
  g_assert_null (row (batch, 1)->custom_values[0]);
  g_assert_cmpstr (row (batch, 2)->name, ==, "Dewi");
}

/* Every accepted title, in any case and punctuation, finds its column. */
static void
test_aliases (void)
{
  static const char * const phones[] = {
    "phone", "Nomor", "no", "No. HP", "hp", "Handphone", "nomor hp", "Nomor WA", "WhatsApp",
    "wa", "Telepon", "TELP.", "mobile", "Phone Number", "cell", "Ponsel", "No WA", "no_telp",
  };
  static const char * const names[] = {
    "name", "Nama", "nama lengkap", "Full Name", "contact", "Kontak", "CUSTOMER", "Pelanggan",
    "Nama-Pelanggan",
  };

  for (guint i = 0; i < G_N_ELEMENTS (phones); i++)
    {
      g_autofree char *text = g_strdup_printf ("Nama,%s\nBudi,0812-3456-7890\n", phones[i]);
      g_autoptr(XiImportBatch) batch = read_text (text, NULL);

      g_test_message ("phone title “%s”", phones[i]);
      g_assert_cmpuint (batch->rows->len, ==, 1);
      g_assert_cmpstr (row (batch, 0)->phone, ==, "6281234567890");
      g_assert_cmpstr (row (batch, 0)->name, ==, "Budi");
      assert_custom_names (batch, "");
    }

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *text = g_strdup_printf ("HP\t%s\n0812-3456-7890\tBudi Santoso\n", names[i]);
      g_autoptr(XiImportBatch) batch = read_text (text, NULL);

      g_test_message ("name title “%s”", names[i]);
      g_assert_cmpstr (row (batch, 0)->name, ==, "Budi Santoso");
    }
}

static void
test_first_last_name (void)
{
  g_autoptr(XiImportBatch) batch = read_text (
    "Nama Belakang;Nama Depan;HP\n"
    "Santoso;Budi;081234567890\n"
    ";Siti;081234567891\n",
    NULL);

  g_assert_cmpstr (row (batch, 0)->name, ==, "Budi Santoso");
  g_assert_cmpstr (row (batch, 1)->name, ==, "Siti");
}

/* WhatsApp beats mobile beats telephone; an empty cell falls back. */
static void
test_phone_preference (void)
{
  g_autoptr(XiImportBatch) batch = read_text (
    "No,Telepon,Nama,HP,WA\n"
    "1,021-5551234,Budi,0812-0000-0001,0813-0000-0001\n"
    "2,021-5551235,Siti,0812-0000-0002,\n"
    "3,021-5551236,Ani,,\n"
    "4,,Dewi,,\n",
    NULL);

  assert_custom_names (batch, "no");
  g_assert_cmpuint (batch->rows->len, ==, 3);
  g_assert_cmpstr (row (batch, 0)->phone, ==, "6281300000001");
  g_assert_cmpstr (row (batch, 1)->phone, ==, "6281200000002");
  g_assert_cmpstr (row (batch, 2)->phone, ==, "62215551236");
  assert_issue (batch, 0, 5, "Dewi", "no phone number");
}

static void
test_title_rows (void)
{
  g_autoptr(XiImportBatch) batch = read_text (
    "DATA PELANGGAN TOKO MAJU\r\n"
    "Per Januari 2026;;\r\n"
    ";;\r\n"
    "Nama;HP;Kota\r\n"
    "Budi;0812-3456-7890;Bandung\r\n",
    NULL);

  g_assert_cmpint (batch->delimiter, ==, ';');
  g_assert_cmpuint (batch->n_records, ==, 1);
  g_assert_cmpuint (row (batch, 0)->line, ==, 5);
  assert_custom_names (batch, "kota");
}

static void
test_bad_rows (void)
{
  g_autoptr(XiImportBatch) batch = read_text (
    "nama,hp\n"
    "\"Budi\n\nSantoso\",0812-3456-7890\n"
    "Siti,0812-ABCD\n"
    "\n"
    "Ani,\"0812 1111 2222\n"
    "Dewi,0857 1111 2222\n"
    "Tanpa,\n"
    ",\n"
    ",,kota saja\n"
    ",0812 3456 7890 / 0813 0000 0000\n",
    NULL);

  g_assert_cmpuint (batch->n_records, ==, 7);
  g_assert_cmpuint (batch->rows->len, ==, 2);
  g_assert_cmpuint (row (batch, 0)->line, ==, 2);
  g_assert_cmpstr (row (batch, 0)->name, ==, "Budi Santoso");
  /* The row after an unclosed quote is read again. */
  g_assert_cmpuint (row (batch, 1)->line, ==, 8);
  g_assert_cmpstr (row (batch, 1)->name, ==, "Dewi");

  g_assert_cmpuint (batch->issues->len, ==, 5);
  assert_issue (batch, 0, 5, "0812-ABCD", "digits");
  assert_issue (batch, 1, 7, NULL, "quote");
  assert_issue (batch, 2, 9, "Tanpa", "no phone number");
  assert_issue (batch, 3, 11, "kota saja", "no phone number");
  assert_issue (batch, 4, 12, "0812 3456 7890 / 0813 0000 0000", "more than one");
}

/* A row past the row limit is one issue naming its line; the rows before
 * and after it are imported. */
static void
test_row_too_long (void)
{
  g_autoptr(GString) text = g_string_new ("nama,hp,catatan\nBudi,0812 1111 2222,\"");
  g_autoptr(XiImportBatch) batch = NULL;
  gsize start = text->len;

  while (text->len - start <= XI_LIMIT_IMPORT_ROW_BYTES)
    g_string_append (text, "panjang\n");
  g_string_append (text, "\"\nSiti,0813 1111 2222,\nAni,0814 1111 2222,ok\n");

  batch = read_text (text->str, NULL);
  g_assert_cmpuint (batch->rows->len, ==, 2);
  g_assert_cmpstr (row (batch, 0)->name, ==, "Siti");
  g_assert_cmpstr (row (batch, 1)->name, ==, "Ani");
  g_assert_cmpuint (batch->issues->len, ==, 1);
  assert_issue (batch, 0, 2, NULL, "1 MB");
}

/* How many records a file holds at most is known from its lines, however
 * wide its rows: the store sizes a large import by it. */
static void
test_max_records (void)
{
  g_autoptr(GString) text = g_string_new ("DATA PELANGGAN\r\n\r\nnama,hp,catatan\r\n");
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(XiImportBatch) vcards = NULL;

  for (guint i = 0; i < 300; i++)
    {
      g_string_append_printf (text, "Pelanggan %u,0812 2000 %04u,", i, i);
      for (guint c = 0; c < 200; c++)
        g_string_append_c (text, 'a' + c % 26);
      g_string_append (text, "\r\n");
    }
  g_string_append (text, "Dua Baris,0812 2000 9999,\"satu\r\ndua\"\r\n");

  batch = read_text (text->str, NULL);
  g_assert_cmpuint (batch->rows->len, ==, 301);
  /* The quoted line break counts as a line. */
  g_assert_cmpuint (batch->max_records, ==, 303);

  vcards = read_text ("BEGIN:VCARD\nFN:Budi\nTEL:0812 1111 2222\nNOTE:a\nEND:VCARD\n"
                      "BEGIN:VCARD\nFN:Siti\nTEL:0813 1111 2222\nNOTE:b\nEND:VCARD\n", "x.vcf");
  g_assert_cmpuint (vcards->max_records, ==, 2);
}

static void
test_long_excerpt (void)
{
  g_autoptr(GString) text = g_string_new ("hp\n");
  g_autoptr(XiImportBatch) batch = NULL;
  const char *excerpt;

  for (guint i = 0; i < 20; i++)
    g_string_append (text, "abcde ");
  g_string_append_c (text, '\n');

  batch = read_text (text->str, NULL);
  excerpt = issue (batch, 0)->excerpt;
  g_assert_cmpuint (g_utf8_strlen (excerpt, -1), ==, 61);
  g_assert_true (g_str_has_suffix (excerpt, "…"));
}

static void
test_custom_names (void)
{
  g_autoptr(XiImportBatch) batch = read_text (
    "HP,Kota Asal,kota,KOTA,kota_2,Kota!,\xe5\x9f\x8e\xe5\xb8\x82,  \n"
    "081234567890,a,b,c,d,e,f,g\n",
    NULL);

  assert_custom_names (batch, "kota_asal,kota,kota_2,kota_2_2,kota_3,column_7");
  g_assert_cmpstr (row (batch, 0)->custom_values[5], ==, "f");
}

static void
test_headerless (void)
{
  g_autoptr(XiImportBatch) batch = read_text (
    "Budi,081234567890,Bandung\n"
    "Siti,085711112222,\n"
    "Rusak,12,Solo\n",
    NULL);

  g_assert_cmpuint (batch->n_records, ==, 3);
  g_assert_cmpuint (batch->rows->len, ==, 2);
  g_assert_cmpstr (row (batch, 0)->name, ==, "Budi");
  g_assert_cmpuint (row (batch, 0)->line, ==, 1);
  g_assert_cmpstr (row (batch, 1)->phone, ==, "6285711112222");
  assert_custom_names (batch, "column_3");
  g_assert_cmpstr (row (batch, 0)->custom_values[0], ==, "Bandung");
  assert_issue (batch, 0, 3, "12", "too short");
}

static void
test_headerless_phone_only (void)
{
  g_autoptr(XiImportBatch) batch = read_text ("\n0812-3456-7890\r\n+62 857 1111 2222\r\n", NULL);

  g_assert_cmpuint (batch->rows->len, ==, 2);
  g_assert_null (row (batch, 0)->name);
  g_assert_cmpuint (row (batch, 0)->line, ==, 2);
}

static void
test_file_errors (void)
{
  static const guint8 xls[] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0x00 };
  static const struct {
    const char *text;
    int         code;
    const char *part;
  } cases[] = {
    { "", XI_IMPORT_ERROR_EMPTY, "empty" },
    { "\n\r\n;;\n", XI_IMPORT_ERROR_EMPTY, "empty" },
    { "name,city\nBudi,Bandung\n", XI_IMPORT_ERROR_NO_PHONE_COLUMN, "“Nomor HP”" },
    { "Nama;Kontak\nBudi;Bandung\n", XI_IMPORT_ERROR_NO_PHONE_COLUMN, "“WhatsApp”" },
    { "\"Nama;HP\nBudi;0812", XI_IMPORT_ERROR_UNREADABLE, "Line 1" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(XiImportBatch) workbook = read_data (xls, sizeof xls, "pelanggan.xls", &error);

  g_assert_null (workbook);
  g_assert_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNSUPPORTED_FORMAT);
  g_assert_nonnull (strstr (error->message, "(.xls)"));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(XiImportBatch) batch = read_data (cases[i].text, strlen (cases[i].text), NULL,
                                                  &local_error);

      g_test_message ("case %u", i);
      g_assert_null (batch);
      g_assert_error (local_error, XI_IMPORT_ERROR, cases[i].code);
      g_assert_nonnull (strstr (local_error->message, cases[i].part));
    }
}

static void
test_encodings (void)
{
  /* Excel "CSV" on Windows: Windows-1252, semicolons. */
  static const guint8 cp1252[] = "Nama;HP\r\nJos\xe9 \x93Pak\x94;0812-3456-7890\r\n";
  static const char unicode_text[] = "Nama\tHP\r\nSiti\t0857 1111 2222\r\n";
  g_autoptr(GByteArray) utf16 = g_byte_array_new ();
  g_autoptr(XiImportBatch) a = NULL;
  g_autoptr(XiImportBatch) b = NULL;
  g_autoptr(GError) error = NULL;

  a = read_data (cp1252, sizeof cp1252 - 1, "excel.csv", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (row (a, 0)->name, ==, "Jos\xc3\xa9 \xe2\x80\x9cPak\xe2\x80\x9d");

  /* Excel "Unicode text": UTF-16LE with a BOM, tabs. */
  g_byte_array_append (utf16, (const guint8 *)"\xFF\xFE", 2);
  for (const char *p = unicode_text; *p != '\0'; p++)
    g_byte_array_append (utf16, (const guint8[]) { (guint8)*p, 0 }, 2);
  b = read_data (utf16->data, utf16->len, "contacts.txt", &error);
  g_assert_no_error (error);
  g_assert_cmpint (b->delimiter, ==, '\t');
  g_assert_cmpstr (row (b, 0)->phone, ==, "6285711112222");
}

static void
test_vcard (void)
{
  g_autoptr(XiImportBatch) batch = read_text (
    "BEGIN:VCARD\nVERSION:3.0\nFN:Budi\nORG:Toko Maju\nTEL;TYPE=CELL:0812-3456-7890\n"
    "CATEGORIES:vip\nNOTE:Pelanggan lama\nEND:VCARD\n"
    "BEGIN:VCARD\nVERSION:3.0\nFN:Tanpa Nomor\nEND:VCARD\n"
    "BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:;=C3=89ko;;;\n"
    "TEL;CELL:+62 857 1111 2222\nEMAIL:eko@example.com\nEND:VCARD\n",
    "Contacts.VCF");

  g_assert_cmpint (batch->format, ==, XI_IMPORT_FORMAT_VCARD);
  g_assert_cmpuint (batch->n_records, ==, 3);
  g_assert_cmpuint (batch->rows->len, ==, 2);
  assert_custom_names (batch, "company,email");

  g_assert_cmpstr (row (batch, 0)->phone, ==, "6281234567890");
  g_assert_cmpstr (row (batch, 0)->name, ==, "Budi");
  g_assert_cmpstr (row (batch, 0)->notes, ==, "Pelanggan lama");
  g_assert_cmpstr (row (batch, 0)->tags[0], ==, "vip");
  g_assert_cmpstr (row (batch, 0)->custom_values[0], ==, "Toko Maju");
  g_assert_null (row (batch, 0)->custom_values[1]);

  g_assert_cmpuint (row (batch, 1)->line, ==, 13);
  g_assert_cmpstr (row (batch, 1)->name, ==, "\xc3\x89ko");
  g_assert_cmpstr (row (batch, 1)->custom_values[1], ==, "eko@example.com");

  assert_issue (batch, 0, 9, "Tanpa Nomor", "no phone number");
}

static void
test_vcard_by_content (void)
{
  g_autoptr(XiImportBatch) batch = read_text (
    "\r\nbegin:vcard\r\nfn:Siti\r\ntel:0857 1111 2222\r\nend:vcard\r\n", "export.txt");
  g_autoptr(GError) error = NULL;
  g_autoptr(XiImportBatch) none = read_data ("nama,hp\n", 8, "kosong.vcf", &error);

  g_assert_cmpint (batch->format, ==, XI_IMPORT_FORMAT_VCARD);
  g_assert_cmpuint (row (batch, 0)->line, ==, 2);
  assert_custom_names (batch, "");

  g_assert_null (none);
  g_assert_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_EMPTY);
}

typedef struct
{
  double        last;
  guint         calls;
  GCancellable *cancel_on_first;
} Progress;

static void
progress_cb (double   fraction,
             gpointer user_data)
{
  Progress *progress = user_data;

  g_assert_cmpfloat (fraction, >=, progress->last);
  g_assert_cmpfloat (fraction, <=, 1.0);
  progress->last = fraction;
  progress->calls++;
  if (progress->cancel_on_first != NULL)
    g_cancellable_cancel (progress->cancel_on_first);
}

static char *
write_big_file (const char *dir,
                guint       n_rows)
{
  g_autoptr(GString) csv = g_string_new ("nama,whatsapp,kota\n");
  char *path = g_build_filename (dir, "big.csv", NULL);

  for (guint i = 0; i < n_rows; i++)
    g_string_append_printf (csv, "Pelanggan %u,0812-%04u-%04u,Jakarta\n", i, i / 10000, i % 10000);
  g_assert_true (g_file_set_contents (path, csv->str, csv->len, NULL));
  return path;
}

static void
test_file_async (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = write_big_file (dir, 100000);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  Progress progress = { 0 };
  gint64 start;
  double ms;

  start = g_get_monotonic_time ();
  xi_import_read_file_async (file, "62", NULL, progress_cb, &progress, NULL,
                             xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  batch = xi_import_read_file_finish (result, &error);
  ms = (g_get_monotonic_time () - start) / 1000.0;
  /* How fast is bench-import's to say: a wall-clock limit here only
   * measures how busy the machine is. */
  g_test_message ("loaded and read 100,000 rows in %.1f ms", ms);

  g_assert_no_error (error);
  g_assert_cmpuint (batch->n_records, ==, 100000);
  g_assert_cmpuint (batch->rows->len, ==, 100000);
  g_assert_cmpuint (batch->issues->len, ==, 0);
  g_assert_cmpuint (row (batch, 0)->line, ==, 2);
  g_assert_cmpuint (row (batch, 99999)->line, ==, 100001);
  g_assert_cmpstr (row (batch, 99999)->phone, ==, "6281200099999");
  g_assert_cmpstr (row (batch, 99999)->custom_values[0], ==, "Jakarta");

  /* Progress is coalesced and ends at 100 % before the result. */
  g_assert_cmpuint (progress.calls, >, 0);
  g_assert_cmpuint (progress.calls, <=, 101);
  g_assert_cmpfloat (progress.last, ==, 1.0);
  xi_test_rm_rf (dir);
}

static void
read_file_expect_cancelled (GFile        *file,
                            GCancellable *cancellable,
                            Progress     *progress)
{
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  xi_import_read_file_async (file, "62", cancellable, progress != NULL ? progress_cb : NULL,
                             progress, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  batch = xi_import_read_file_finish (result, &error);
  g_assert_null (batch);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_cancel (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = write_big_file (dir, 300000);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GCancellable) before = g_cancellable_new ();
  g_autoptr(GCancellable) during = g_cancellable_new ();
  Progress progress = { 0, 0, during };

  g_cancellable_cancel (before);
  read_file_expect_cancelled (file, before, NULL);

  /* Cancelled from the first progress report, the read stops early. */
  read_file_expect_cancelled (file, during, &progress);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpfloat (progress.last, <, 1.0);
  xi_test_rm_rf (dir);
}

static void
test_missing_file (void)
{
  g_autoptr(GFile) file = g_file_new_for_path ("/nonexistent/xender-in/contacts.csv");
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  xi_import_read_file_async (file, "62", NULL, NULL, NULL, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  batch = xi_import_read_file_finish (result, &error);
  g_assert_null (batch);
  g_assert_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE);
  g_assert_nonnull (strstr (error->message, "contacts.csv"));
}

/* Issue 18: a 2 MB vCard name was imported as it was. A row over a limit
 * becomes an issue on its line, quoted short, and the other rows go in;
 * a file with more columns than a contact keeps fields is refused. */
static void
test_limits (void)
{
  g_autoptr(GString) vcf = g_string_new ("BEGIN:VCARD\nFN:");
  g_autoptr(GString) csv = g_string_new ("Nama,HP,Catatan,Tags\n");
  g_autoptr(GString) wide = g_string_new (NULL);
  g_autoptr(XiImportBatch) cards = NULL;
  g_autoptr(XiImportBatch) rows = NULL;
  g_autoptr(XiImportBatch) refused = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 2 * 1024 * 1024 / 8; i++)
    g_string_append (vcf, "Budiiiii");
  g_string_append (vcf, "\nTEL:0812 3456 7890\nEND:VCARD\n"
                        "BEGIN:VCARD\nFN:Siti\nTEL:0857 1111 2222\nEND:VCARD\n");
  cards = read_text (vcf->str, "x.vcf");
  g_assert_cmpuint (cards->rows->len, ==, 1);
  g_assert_cmpstr (row (cards, 0)->name, ==, "Siti");
  g_assert_cmpuint (cards->issues->len, ==, 1);
  g_assert_cmpuint (issue (cards, 0)->line, ==, 1);
  g_assert_nonnull (strstr (issue (cards, 0)->reason, "256"));
  g_assert_cmpuint (g_utf8_strlen (issue (cards, 0)->excerpt, -1), <=, 61);

  g_string_append (csv, "Budi,0812 3456 7890,ok,vip\n");
  g_string_append (csv, "Ani,0813 1111 2222,\"");
  for (guint i = 0; i < XI_LIMIT_NOTES_CHARS + 1; i++)
    g_string_append_c (csv, 'n');
  g_string_append (csv, "\",\nSiti,0857 1111 2222,,");
  for (guint i = 0; i < XI_LIMIT_TAGS + 1; i++)
    g_string_append_printf (csv, "%st%u", i > 0 ? "|" : "", i);
  g_string_append (csv, "\n");
  rows = read_text (csv->str, "x.csv");
  g_assert_cmpuint (rows->rows->len, ==, 1);
  g_assert_cmpstr (row (rows, 0)->name, ==, "Budi");
  g_assert_cmpuint (rows->issues->len, ==, 2);
  assert_issue (rows, 0, 3, "Ani", "4096");
  assert_issue (rows, 1, 4, "Siti", "50");

  g_string_append (wide, "HP");
  for (guint i = 0; i < XI_LIMIT_FIELDS + 1; i++)
    g_string_append_printf (wide, ",Kolom %u", i);
  g_string_append (wide, "\n0812 3456 7890\n");
  refused = read_data (wide->str, wide->len, "x.csv", &error);
  g_assert_null (refused);
  g_assert_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_MANY);
  g_assert_nonnull (strstr (error->message, "65"));
}

/* Found by fuzz-vcard: an escaped line break in FN gave a name on two
 * lines, which the CSV import never does; it is one line from either. */
static void
test_vcard_name_one_line (void)
{
  g_autoptr(XiImportBatch) batch = read_text ("BEGIN:VCARD\nFN:Budi\\n  Santoso\\n\nTEL:0812 3456 7890\n"
                                              "END:VCARD\nBEGIN:VCARD\nFN:\\n\nTEL:0813 1111 2222\n"
                                              "END:VCARD\n", "x.vcf");

  g_assert_cmpuint (batch->rows->len, ==, 2);
  g_assert_cmpstr (row (batch, 0)->name, ==, "Budi Santoso");
  g_assert_null (row (batch, 1)->name);
}

/* A file bigger than any contact list is refused before it is read: the
 * file here is sparse, so it takes no room on disk. */
static void
test_file_too_big (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "huge.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  int fd;

  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t)XI_LIMIT_IMPORT_BYTES + 1), ==, 0);
  close (fd);

  xi_import_read_file_async (file, "62", NULL, NULL, NULL, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  batch = xi_import_read_file_finish (result, &error);
  g_assert_null (batch);
  g_assert_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_BIG);
  g_assert_nonnull (strstr (error->message, "128 MB"));
  xi_test_rm_rf (dir);
}

/* More than the limit, through a pipe: its size says nothing. */
#define ENDLESS_BYTES ((gsize) XI_LIMIT_IMPORT_BYTES + 64 * 1024 * 1024)

static gpointer
fill_pipe_thread (gpointer data)
{
  const char *path = data;
  static const char row[] = "Pelanggan,081200000000\n";
  char chunk[64 * 1024];
  gsize written = 0;
  int fd = open (path, O_WRONLY);

  g_assert_cmpint (fd, >=, 0);
  for (gsize i = 0; i + sizeof row - 1 <= sizeof chunk; i += sizeof row - 1)
    memcpy (chunk + i, row, sizeof row - 1);
  while (written < ENDLESS_BYTES)
    {
      ssize_t n = write (fd, chunk, sizeof chunk);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break;
      written += n;
    }
  close (fd);
  return GSIZE_TO_POINTER (written);
}

/* A pipe that brings more than any contact list is refused once the limit
 * is read, not after everything it brings was kept in memory. */
static void
test_file_endless (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "contacts.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) contents = NULL;
  GAsyncResult *slot = NULL;
  GThread *writer;
  gsize written;

  /* The writer learns that nobody reads any more from EPIPE. */
  signal (SIGPIPE, SIG_IGN);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  writer = g_thread_new ("fill-pipe", fill_pipe_thread, path);
  xi_import_load_file_async (file, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  contents = xi_import_load_file_finish (result, &error);
  g_assert_null (contents);
  g_assert_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_BIG);
  written = GPOINTER_TO_SIZE (g_thread_join (writer));
  g_assert_cmpuint (written, <, ENDLESS_BYTES);
  xi_test_rm_rf (dir);
}

typedef struct
{
  const char *path;
  gint        appended;
  gint        stop;
} Appender;

static gpointer
append_thread (gpointer data)
{
  Appender *appender = data;
  static const char row[] = "Pelanggan Baru,081299999999\n";
  int fd = open (appender->path, O_WRONLY | O_APPEND);

  g_assert_cmpint (fd, >=, 0);
  while (!g_atomic_int_get (&appender->stop))
    {
      g_assert_cmpint (write (fd, row, sizeof row - 1), ==, sizeof row - 1);
      g_atomic_int_inc (&appender->appended);
      g_usleep (100);
    }
  close (fd);
  return NULL;
}

/* A file still being written while it is read is refused, saying so,
 * rather than imported as whatever part of it had arrived. The file is
 * large enough that rows are added all the while it is read. */
static void
test_file_changing (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "contacts.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GString) csv = g_string_new ("Nama,No HP\n");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) contents = NULL;
  Appender appender = { path, 0, 0 };
  GAsyncResult *slot = NULL;
  GThread *thread;

  for (guint i = 0; csv->len < 96 * 1024 * 1024; i++)
    g_string_append_printf (csv, "Pelanggan %u,0812%08u\n", i, i);
  g_assert_true (g_file_set_contents (path, csv->str, csv->len, NULL));
  thread = g_thread_new ("append", append_thread, &appender);
  while (g_atomic_int_get (&appender.appended) == 0)
    g_usleep (100);

  xi_import_load_file_async (file, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  g_atomic_int_set (&appender.stop, 1);
  g_thread_join (thread);
  contents = xi_import_load_file_finish (result, &error);
  g_assert_null (contents);
  g_assert_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE);
  g_assert_cmpstr (error->message, ==, "contacts.csv changed while it was read. Wait until it is completely "
                                       "saved or copied, then import it again.");

  /* Once it stays as it is, it is read. */
  g_clear_object (&result);
  g_clear_error (&error);
  xi_import_load_file_async (file, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  contents = xi_import_load_file_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (contents), ==,
                    csv->len + (gsize) appender.appended * strlen ("Pelanggan Baru,081299999999\n"));
  xi_test_rm_rf (dir);
}

/* What the export writes, the import reads back: names, numbers, tags,
 * groups, notes with line breaks, quotes and commas, custom fields; the
 * opt-out column is not taken for a custom field. */
static void
test_export_round_trip (void)
{
  static const char * const custom_names[] = { "kota", "label", NULL };
  static const char * const tags[] = { "vip", "pelanggan lama", NULL };
  g_autoptr(XiContact) budi = xi_contact_new ();
  g_autoptr(XiContact) siti = xi_contact_new ();
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autoptr(XiImportBatch) batch = NULL;

  xi_contact_set_name (budi, "Budi \"Bos\" Santoso");
  xi_contact_set_phone (budi, "6281234567890");
  xi_contact_set_tags (budi, tags);
  xi_contact_set_notes (budi, "Suka diskon,\nsejak 2019");
  xi_contact_set_custom_field (budi, "kota", "Bandung; Jawa Barat");
  xi_contact_set_custom_field (budi, "label", "Gold");
  xi_contact_set_opted_out (budi, TRUE);
  xi_contact_set_phone (siti, "12025550123");

  xi_csv_append_contacts_header (csv, custom_names);
  xi_csv_append_contact (csv, budi, "Reseller, Pameran", custom_names);
  xi_csv_append_contact (csv, siti, "", custom_names);
  batch = read_text (csv->str, "contacts.csv");

  g_assert_cmpuint (batch->issues->len, ==, 0);
  /* "label" is also a title of the tags column; in an export it is the
   * custom field it was written as. */
  g_assert_cmpuint (g_strv_length (batch->custom_field_names), ==, 2);
  g_assert_cmpstr (batch->custom_field_names[0], ==, "kota");
  g_assert_cmpstr (batch->custom_field_names[1], ==, "label");
  g_assert_cmpstr (row (batch, 0)->custom_values[1], ==, "Gold");
  g_assert_cmpstr (row (batch, 0)->name, ==, "Budi \"Bos\" Santoso");
  g_assert_cmpstr (row (batch, 0)->phone, ==, "6281234567890");
  g_assert_cmpuint (g_strv_length (row (batch, 0)->tags), ==, 2);
  g_assert_cmpstr (row (batch, 0)->tags[1], ==, "pelanggan lama");
  g_assert_cmpuint (g_strv_length (row (batch, 0)->groups), ==, 2);
  g_assert_cmpstr (row (batch, 0)->groups[1], ==, "Pameran");
  g_assert_cmpstr (row (batch, 0)->notes, ==, "Suka diskon,\nsejak 2019");
  g_assert_cmpstr (row (batch, 0)->custom_values[0], ==, "Bandung; Jawa Barat");
  g_assert_null (row (batch, 1)->name);
  g_assert_cmpstr (row (batch, 1)->phone, ==, "12025550123");
  g_assert_null (row (batch, 1)->custom_values[0]);
}

static XiImportBatch *
read_with_options (const char             *text,
                   const XiImportOptions  *options,
                   GError                **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  return xi_import_read_bytes_full (bytes, "pelanggan.csv", "62", options, NULL, error);
}

static void
assert_roles (XiImportBatch *batch,
              const char    *joined)
{
  g_autofree char *got = g_strjoinv (",", batch->column_roles);

  g_assert_cmpstr (got, ==, joined);
}

/* What a preview shows: the guessed roles, titles, encoding and first
 * records, all of which the user can then change. */
static void
test_preview_description (void)
{
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(GString) text = g_string_new ("Nama;No HP;Kota Asal;Label\n");

  for (guint i = 0; i < XI_IMPORT_SAMPLE_ROWS + 5; i++)
    g_string_append_printf (text, "Pelanggan %u;08123456%04u;Bandung;vip\n", i, i);
  batch = read_text (text->str, "pelanggan.csv");

  g_assert_cmpint (batch->delimiter, ==, ';');
  g_assert_cmpstr (batch->encoding, ==, "UTF-8");
  g_assert_true (batch->has_header);
  g_assert_false (batch->missing_phone);
  g_assert_cmpstr (batch->column_titles[2], ==, "Kota Asal");
  assert_roles (batch, "name,phone,field:kota_asal,tags");
  g_assert_cmpuint (batch->sample->len, ==, XI_IMPORT_SAMPLE_ROWS);
  g_assert_cmpstr (((char **)g_ptr_array_index (batch->sample, 1))[0], ==, "Pelanggan 1");
  g_assert_cmpuint (batch->rows->len, ==, XI_IMPORT_SAMPLE_ROWS + 5);
}

/* Each choice of the preview changes what is read: the delimiter, the
 * header and every column's role, a custom field under a key of the
 * user's choosing included. */
static void
test_options (void)
{
  const char *text = "Nama,Kota;Telp;Catatan\n"
                     "Budi, Bandung;081234567890;suka kopi\n"
                     "Ani, Medan;081311112222;\n";
  char *roles[] = { "ignore", "", "field:kota", NULL };
  char *headerless_roles[] = { "name", "phone", "", NULL };
  XiImportOptions options = { .delimiter = ';', .columns = roles };
  g_autoptr(GError) error = NULL;
  g_autoptr(XiImportBatch) batch = read_with_options (text, &options, &error);

  g_assert_no_error (error);
  g_assert_cmpint (batch->delimiter, ==, ';');
  assert_roles (batch, "ignore,phone,field:kota");
  assert_custom_names (batch, "kota");
  g_assert_cmpuint (batch->rows->len, ==, 2);
  g_assert_null (row (batch, 0)->name);
  g_assert_null (row (batch, 0)->notes);
  g_assert_cmpstr (row (batch, 0)->custom_values[0], ==, "suka kopi");

  /* Without the header every row is data: its title row is refused. */
  g_clear_pointer (&batch, xi_import_batch_free);
  options.columns = headerless_roles;
  options.header = XI_IMPORT_HEADER_ABSENT;
  batch = read_with_options (text, &options, &error);
  g_assert_no_error (error);
  g_assert_false (batch->has_header);
  g_assert_cmpstr (batch->column_titles[0], ==, "");
  assert_roles (batch, "name,phone,field:column_3");
  g_assert_cmpuint (batch->rows->len, ==, 2);
  g_assert_cmpstr (row (batch, 0)->name, ==, "Budi, Bandung");
  g_assert_cmpuint (batch->issues->len, ==, 1);
  assert_issue (batch, 0, 1, "Telp", "");

  /* An unknown role is refused with the column it was given to. */
  g_clear_pointer (&batch, xi_import_batch_free);
  roles[0] = "birthday";
  options.columns = roles;
  options.header = XI_IMPORT_HEADER_AUTO;
  batch = read_with_options (text, &options, &error);
  g_assert_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE);
  g_assert_nonnull (strstr (error->message, "Column 1"));
  g_assert_null (batch);
}

/* A file whose titles name no phone column can still be previewed, and
 * read once the user says which column holds the numbers. */
static void
test_missing_phone (void)
{
  const char *text = "Pelanggan,Nomor Pelanggan\nBudi,081234567890\nAni,081311112222\n";
  char *roles[] = { "name", "phone", NULL };
  XiImportOptions options = { .keep_without_phone = TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(XiImportBatch) batch = read_with_options (text, NULL, &error);

  g_assert_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_NO_PHONE_COLUMN);
  g_assert_null (batch);
  g_clear_error (&error);

  batch = read_with_options (text, &options, &error);
  g_assert_no_error (error);
  g_assert_true (batch->missing_phone);
  g_assert_true (batch->has_header);
  g_assert_cmpuint (batch->rows->len, ==, 0);
  g_assert_cmpuint (batch->issues->len, ==, 0);
  g_assert_cmpuint (batch->sample->len, ==, 2);
  assert_roles (batch, "name,field:nomor_pelanggan");

  g_clear_pointer (&batch, xi_import_batch_free);
  options.columns = roles;
  batch = read_with_options (text, &options, &error);
  g_assert_no_error (error);
  g_assert_false (batch->missing_phone);
  g_assert_cmpuint (batch->rows->len, ==, 2);
  g_assert_cmpstr (row (batch, 1)->phone, ==, "6281311112222");
  g_assert_cmpstr (row (batch, 1)->name, ==, "Ani");
}

/* The encoding a preview shows is the one the text was decoded with. */
static void
test_encoding_shown (void)
{
  static const guint8 cp1252[] = "Nama;HP\nJos\xe9;081234567890\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(XiImportBatch) batch = read_data (cp1252, sizeof cp1252 - 1, "a.csv", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (batch->encoding, ==, "Windows-1252");
  g_assert_cmpstr (row (batch, 0)->name, ==, "José");
}

/* A chosen encoding overrides the guess; a sample read stops after the
 * rows a preview shows, with the layout the whole read finds. */
static void
test_chosen_encoding_and_sample (void)
{
  g_autoptr(GString) text = g_string_new ("Nama;HP\n");
  XiImportOptions options = { .encoding = (char *)"ISO-8859-1" };
  g_autoptr(GError) error = NULL;
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(XiImportBatch) whole = NULL;

  g_string_append (text, "Jos\x80;081234567890\n");
  for (guint i = 0; i < 100; i++)
    g_string_append_printf (text, "Pelanggan %u;0812%08u\n", i, i);

  batch = read_with_options (text->str, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (batch->encoding, ==, "ISO-8859-1");
  g_assert_cmpstr (row (batch, 0)->name, ==, "Jos\xc2\x80");
  g_assert_cmpuint (batch->rows->len, ==, 101);
  whole = g_steal_pointer (&batch);

  options.sample_only = TRUE;
  batch = read_with_options (text->str, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (batch->n_records, ==, XI_IMPORT_SAMPLE_ROWS);
  g_assert_cmpuint (batch->rows->len, ==, XI_IMPORT_SAMPLE_ROWS);
  g_assert_cmpuint (batch->sample->len, ==, XI_IMPORT_SAMPLE_ROWS);
  g_assert_cmpint (batch->delimiter, ==, whole->delimiter);
  g_assert_true (g_strv_equal ((const char * const *)batch->column_roles,
                               (const char * const *)whole->column_roles));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xi/import/header/indonesian", test_indonesian_header);
  g_test_add_func ("/xi/import/header/english", test_english_header);
  g_test_add_func ("/xi/import/name-one-line", test_name_one_line);
  g_test_add_func ("/xi/import/header/aliases", test_aliases);
  g_test_add_func ("/xi/import/header/first-last-name", test_first_last_name);
  g_test_add_func ("/xi/import/header/phone-preference", test_phone_preference);
  g_test_add_func ("/xi/import/header/title-rows", test_title_rows);
  g_test_add_func ("/xi/import/header/custom-names", test_custom_names);
  g_test_add_func ("/xi/import/bad-rows", test_bad_rows);
  g_test_add_func ("/xi/import/long-excerpt", test_long_excerpt);
  g_test_add_func ("/xi/import/row-too-long", test_row_too_long);
  g_test_add_func ("/xi/import/max-records", test_max_records);
  g_test_add_func ("/xi/import/headerless", test_headerless);
  g_test_add_func ("/xi/import/headerless-phone-only", test_headerless_phone_only);
  g_test_add_func ("/xi/import/file-errors", test_file_errors);
  g_test_add_func ("/xi/import/encodings", test_encodings);
  g_test_add_func ("/xi/import/vcard", test_vcard);
  g_test_add_func ("/xi/import/vcard-by-content", test_vcard_by_content);
  g_test_add_func ("/xi/import/file-async", test_file_async);
  g_test_add_func ("/xi/import/cancel", test_cancel);
  g_test_add_func ("/xi/import/missing-file", test_missing_file);
  g_test_add_func ("/xi/import/limits", test_limits);
  g_test_add_func ("/xi/import/vcard-name-one-line", test_vcard_name_one_line);
  g_test_add_func ("/xi/import/file-too-big", test_file_too_big);
  g_test_add_func ("/xi/import/file-endless", test_file_endless);
  g_test_add_func ("/xi/import/file-changing", test_file_changing);
  g_test_add_func ("/xi/import/export-round-trip", test_export_round_trip);
  g_test_add_func ("/xi/import/preview/description", test_preview_description);
  g_test_add_func ("/xi/import/preview/options", test_options);
  g_test_add_func ("/xi/import/preview/missing-phone", test_missing_phone);
  g_test_add_func ("/xi/import/preview/encoding", test_encoding_shown);
  g_test_add_func ("/xi/import/preview/chosen-encoding-sample", test_chosen_encoding_and_sample);

  return g_test_run ();
}
