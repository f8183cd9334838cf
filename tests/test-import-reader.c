/* test-import-reader.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-import-reader.h"
#include "xi-test-utils.h"

static XiImportBatch *
read_text (const char  *text,
           const char  *name,
           GError     **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  return xi_import_read_bytes (bytes, name, "62", NULL, error);
}

static XiImportRow *
row (XiImportBatch *batch,
     guint          index)
{
  g_assert_cmpuint (index, <, batch->rows->len);
  return g_ptr_array_index (batch->rows, index);
}

static void
test_indonesian_header (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XiImportBatch) batch = read_text (
    "KOTA ASAL;No. HP;Nama Lengkap;Catatan;Label;Grup\n"
    "Bandung;0812-3456-7890;Budi Santoso;suka kopi;vip, reseller;Pameran|Setia\n"
    "Medan;;Tanpa Nomor;;;\n"
    "Jakarta;+62 857 1111 2222;\"Siti\nAminah\";;;\n"
    "Solo;12;Rusak;;;\n"
    ";;;;;\n"
    "Surabaya;6.28123E+12;Excel;;;\n",
    "pelanggan.csv", &error);
  XiImportIssue *issue;

  g_assert_no_error (error);
  g_assert_cmpint (batch->delimiter, ==, ';');
  g_assert_cmpuint (batch->n_records, ==, 5);
  g_assert_cmpuint (batch->rows->len, ==, 2);
  g_assert_cmpuint (batch->issues->len, ==, 3);
  g_assert_cmpstr (batch->custom_field_names[0], ==, "kota_asal");
  g_assert_null (batch->custom_field_names[1]);

  g_assert_cmpstr (row (batch, 0)->name, ==, "Budi Santoso");
  g_assert_cmpstr (row (batch, 0)->phone, ==, "6281234567890");
  g_assert_cmpstr (row (batch, 0)->notes, ==, "suka kopi");
  g_assert_cmpstr (row (batch, 0)->tags[1], ==, "reseller");
  g_assert_cmpstr (row (batch, 0)->groups[0], ==, "Pameran");
  g_assert_cmpstr (row (batch, 0)->groups[1], ==, "Setia");
  g_assert_cmpstr (row (batch, 0)->custom_values[0], ==, "Bandung");
  g_assert_cmpuint (row (batch, 1)->line, ==, 4);
  g_assert_cmpstr (row (batch, 1)->name, ==, "Siti Aminah");

  issue = g_ptr_array_index (batch->issues, 0);
  g_assert_cmpuint (issue->line, ==, 3);
  g_assert_cmpstr (issue->excerpt, ==, "Tanpa Nomor");
  issue = g_ptr_array_index (batch->issues, 1);
  g_assert_cmpuint (issue->line, ==, 6);
  g_assert_cmpstr (issue->excerpt, ==, "12");
  issue = g_ptr_array_index (batch->issues, 2);
  g_assert_cmpuint (issue->line, ==, 8);
  g_assert_nonnull (strstr (issue->reason, "Text"));
}

static void
test_english_any_order (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XiImportBatch) batch = read_text (
    "Phone Number,First Name,Last Name,Email,City,City\r\n"
    "0812 1111 0001,Ani,Wijaya,ani@example.com,Depok,Bogor\r\n",
    NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (batch->rows->len, ==, 1);
  g_assert_cmpstr (row (batch, 0)->name, ==, "Ani Wijaya");
  g_assert_cmpstr (batch->custom_field_names[0], ==, "email");
  g_assert_cmpstr (batch->custom_field_names[1], ==, "city");
  g_assert_cmpstr (batch->custom_field_names[2], ==, "city_6");
  g_assert_cmpstr (row (batch, 0)->custom_values[2], ==, "Bogor");
}

static void
test_headerless (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XiImportBatch) batch = read_text ("Budi,081234567890\nSiti,085711112222\n", NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (batch->rows->len, ==, 2);
  g_assert_cmpstr (row (batch, 0)->name, ==, "Budi");
  g_assert_cmpuint (row (batch, 0)->line, ==, 1);
}

static void
test_no_phone_column (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XiImportBatch) batch = read_text ("name,city\nBudi,Bandung\n", NULL, &error);

  g_assert_null (batch);
  g_assert_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_NO_PHONE_COLUMN);
  g_assert_nonnull (strstr (error->message, "Nomor HP"));
}

static void
test_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XiImportBatch) batch = read_text ("", NULL, &error);

  g_assert_null (batch);
  g_assert_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_EMPTY);
}

static void
test_vcard (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XiImportBatch) batch = read_text (
    "BEGIN:VCARD\nVERSION:3.0\nFN:Budi\nORG:Toko Maju\nTEL;TYPE=CELL:0812-3456-7890\nEND:VCARD\n"
    "BEGIN:VCARD\nVERSION:3.0\nFN:Tanpa Nomor\nEND:VCARD\n",
    "contacts.vcf", &error);

  g_assert_no_error (error);
  g_assert_cmpint (batch->format, ==, XI_IMPORT_FORMAT_VCARD);
  g_assert_cmpuint (batch->rows->len, ==, 1);
  g_assert_cmpstr (row (batch, 0)->phone, ==, "6281234567890");
  g_assert_cmpstr (batch->custom_field_names[0], ==, "company");
  g_assert_cmpstr (row (batch, 0)->custom_values[0], ==, "Toko Maju");
  g_assert_cmpuint (batch->issues->len, ==, 1);
  g_assert_cmpuint (((XiImportIssue *)g_ptr_array_index (batch->issues, 0))->line, ==, 7);
}

static void
progress_cb (double   fraction,
             gpointer user_data)
{
  double *last = user_data;

  g_assert_cmpfloat (fraction, >=, 0.0);
  g_assert_cmpfloat (fraction, <=, 1.0);
  *last = fraction;
}

static void
test_file_async (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "big.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GString) csv = g_string_new ("nama,whatsapp\n");
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  double last = 0.0;
  gint64 start;

  for (guint i = 0; i < 100000; i++)
    g_string_append_printf (csv, "Pelanggan %u,0812-%04u-%04u\n", i, i / 10000, i % 10000);
  g_assert_true (g_file_set_contents (path, csv->str, csv->len, NULL));

  start = g_get_monotonic_time ();
  xi_import_read_file_async (file, "62", NULL, progress_cb, &last, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  batch = xi_import_read_file_finish (result, &error);
  g_test_message ("read 100,000 rows: %.1f ms", (g_get_monotonic_time () - start) / 1000.0);

  g_assert_no_error (error);
  g_assert_cmpuint (batch->rows->len, ==, 100000);
  g_assert_cmpuint (row (batch, 99999)->line, ==, 100001);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpfloat (last, ==, 1.0);
  xi_test_rm_rf (dir);
}

static void
test_cancel (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "c.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  g_assert_true (g_file_set_contents (path, "hp\n081234567890\n", -1, NULL));
  g_cancellable_cancel (cancellable);
  xi_import_read_file_async (file, "62", cancellable, NULL, NULL, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  batch = xi_import_read_file_finish (result, &error);
  g_assert_null (batch);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xi/import/indonesian-header", test_indonesian_header);
  g_test_add_func ("/xi/import/english-any-order", test_english_any_order);
  g_test_add_func ("/xi/import/headerless", test_headerless);
  g_test_add_func ("/xi/import/no-phone-column", test_no_phone_column);
  g_test_add_func ("/xi/import/empty", test_empty);
  g_test_add_func ("/xi/import/vcard", test_vcard);
  g_test_add_func ("/xi/import/file-async", test_file_async);
  g_test_add_func ("/xi/import/cancel", test_cancel);
  g_test_add_func ("/xi/import/missing-file", test_missing_file);

  return g_test_run ();
}
