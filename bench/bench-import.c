/* bench-import.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "bench-utils.h"
#include "xi-import-reader.h"
#include "xi-store.h"

/*
 * Contact import, end to end: a spreadsheet-like CSV of N rows is read,
 * normalised and written to a fresh store, as the import dialog does.
 * Target: 100,000 rows under 1.5 s.
 */
int
main (int   argc,
      char *argv[])
{
  guint rows = bench_parse_rows (&argc, &argv, 100000);
  g_autofree char *dir = bench_make_tmpdir ();
  g_autofree char *csv = bench_write_contacts_csv (dir, rows);
  g_autofree char *db = g_build_filename (dir, "bench.db", NULL);
  g_autoptr(XiStore) store = xi_store_new (db);
  g_autoptr(GFile) file = g_file_new_for_path (csv);
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  gint64 start, parsed, stored;

  xi_store_open_async (store, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if (!xi_store_open_finish (store, result, &error))
    g_error ("open: %s", error->message);
  g_clear_object (&result);

  start = g_get_monotonic_time ();
  xi_import_read_file_async (file, "62", NULL, NULL, NULL, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  batch = xi_import_read_file_finish (result, &error);
  if (batch == NULL)
    g_error ("read: %s", error->message);
  g_clear_object (&result);
  parsed = g_get_monotonic_time ();

  xi_store_import_contacts_async (store, g_steal_pointer (&batch), g_getenv ("BENCH_NO_GROUP") ? NULL : "Bench", NULL, NULL, NULL,
                                  NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  report = xi_store_import_contacts_finish (store, result, &error);
  if (report == NULL)
    g_error ("import: %s", error->message);
  stored = g_get_monotonic_time ();

  if (report->imported != rows)
    g_error ("imported %u of %u rows", report->imported, rows);

  bench_report ("import_rows", rows, "rows");
  bench_report ("import_parse_time", (parsed - start) / 1000.0, "ms");
  bench_report ("import_store_time", (stored - parsed) / 1000.0, "ms");
  bench_report ("import_total_time", (stored - start) / 1000.0, "ms");
  bench_report ("import_rate", rows / ((stored - start) / 1e6), "rows/s");

  xi_store_close (store);
  bench_rm_rf (dir);
  return 0;
}
