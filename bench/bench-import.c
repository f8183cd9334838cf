/* bench-import.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <sys/resource.h>

#include "bench-utils.h"
#include "xi-import-reader.h"
#include "xi-store.h"

/*
 * Contact import, end to end: a spreadsheet-like CSV of N rows (--rows,
 * default 100,000) is read, normalised and written to a fresh store by
 * xi_store_import_file_async(), as `xender-in-cli contacts import` does,
 * then imported again, which updates every contact. Targets: 100,000
 * rows under 1.5 s; 1,000,000 under 15 s in under 200 MB (peak-rss, the
 * process's high-water mark, the store's cache included).
 * `--batch 1` measures the dialog's path instead: the whole file read
 * into a batch, then written.
 */

static XiImportReport *
import_file (XiStore *store,
             GFile   *file,
             gboolean batch_path)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *group = g_getenv ("BENCH_NO_GROUP") ? NULL : "Bench";
  GAsyncResult *slot = NULL;
  XiImportReport *report;

  if (batch_path)
    {
      g_autoptr(XiImportBatch) batch = NULL;

      xi_import_read_file_async (file, "62", NULL, NULL, NULL, NULL, bench_result_cb, &slot);
      result = bench_wait (&slot);
      if ((batch = xi_import_read_file_finish (result, &error)) == NULL)
        g_error ("read: %s", error->message);
      g_clear_object (&result);
      xi_store_import_contacts_async (store, g_steal_pointer (&batch), group, NULL, NULL, NULL,
                                      NULL, bench_result_cb, &slot);
      result = bench_wait (&slot);
      report = xi_store_import_contacts_finish (store, result, &error);
    }
  else
    {
      xi_store_import_file_async (store, file, "62", group, NULL, NULL, NULL, NULL,
                                  bench_result_cb, &slot);
      result = bench_wait (&slot);
      report = xi_store_import_file_finish (store, result, &error);
    }
  if (report == NULL)
    g_error ("import: %s", error->message);
  return report;
}

int
main (int   argc,
      char *argv[])
{
  guint rows = bench_parse_rows (&argc, &argv, 100000);
  gboolean batch_path = bench_parse_option (&argc, &argv, "--batch", 0) != 0;
  g_autofree char *dir = bench_make_tmpdir ();
  g_autofree char *csv = bench_write_contacts_csv (dir, rows);
  g_autofree char *db = g_build_filename (dir, "bench.db", NULL);
  g_autoptr(XiStore) store = xi_store_new (db);
  g_autoptr(GFile) file = g_file_new_for_path (csv);
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(XiImportReport) again = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  struct rusage usage;
  GAsyncResult *slot = NULL;
  gint64 start, cpu_start, stored, cpu_stored;

  xi_store_open_async (store, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if (!xi_store_open_finish (store, result, &error))
    g_error ("open: %s", error->message);

  start = g_get_monotonic_time ();
  cpu_start = bench_cpu_usec ();
  report = import_file (store, file, batch_path);
  stored = g_get_monotonic_time ();
  cpu_stored = bench_cpu_usec ();
  if (report->imported != rows)
    g_error ("imported %u of %u rows", report->imported, rows);

  bench_report ("import_rows", rows, "rows");
  bench_report ("import_total_time", (stored - start) / 1000.0, "ms");
  bench_report ("import_cpu_time", (cpu_stored - cpu_start) / 1000.0, "ms");
  bench_report ("import_rate", rows / ((stored - start) / 1e6), "rows/s");

  /* Linux gives ru_maxrss in KiB. */
  if (getrusage (RUSAGE_SELF, &usage) != 0)
    g_error ("getrusage: %s", g_strerror (errno));
  bench_report ("import_peak_rss", usage.ru_maxrss, "KiB");

  start = g_get_monotonic_time ();
  cpu_start = bench_cpu_usec ();
  again = import_file (store, file, batch_path);
  if (again->updated != rows)
    g_error ("updated %u of %u rows", again->updated, rows);
  bench_report ("reimport_total_time", (g_get_monotonic_time () - start) / 1000.0, "ms");
  bench_report ("reimport_cpu_time", (bench_cpu_usec () - cpu_start) / 1000.0, "ms");

  xi_store_close (store);
  bench_rm_rf (dir);
  return 0;
}
