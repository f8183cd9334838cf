/* bench-sync-engine.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gprintf.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench-utils.h"
#include "fs-rig.h"
#include "xi-import-reader.h"
#include "xi-store-sync.h"
#include "xi-supabase-client.h"
#include "xi-sync-engine.h"

/*
 * The sync engine end to end, through the test gateway to PostgreSQL with
 * the project's migrations:
 *
 *   bench-sync-engine [--rows N] [--edits E] [--push P] [--max-rows M]
 *
 * puts N contacts of one account on the server, then times a new
 * computer's first sync into an empty data folder, the sync after E rows
 * were edited elsewhere, and pushing P contacts imported on that computer.
 */

static FsRig *rig;

/* Auxiliary methods */

static G_NORETURN void
fail (const char   *what,
      const GError *error)
{
  g_printerr ("%s: %s\n", what, error != NULL ? error->message : "failed");
  if (rig != NULL)
    fs_rig_stop (g_steal_pointer (&rig));
  exit (1);
}

static void
sql (const char *statement)
{
  g_autoptr(GError) error = NULL;

  if (!fs_rig_sql (rig, statement, &error))
    fail ("SQL", error);
}

/* Wall time; @cpu_ms gets the app's own CPU time (both of its threads),
 * which says more than the wall clock on a machine others share. */
static double
timed_sync (XiSyncEngine *engine,
            XiSyncStats  *stats,
            double       *cpu_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 cpu_start = bench_cpu_usec ();

  xi_sync_engine_run_once_async (engine, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if (!xi_sync_engine_run_once_finish (engine, result, stats, &error))
    fail ("sync", error);
  *cpu_ms = (bench_cpu_usec () - cpu_start) / 1000.0;
  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  guint rows = bench_parse_rows (&argc, &argv, 50000);
  guint edits = bench_parse_option (&argc, &argv, "--edits", 100);
  guint push = bench_parse_option (&argc, &argv, "--push", 10000);
  guint max_rows = bench_parse_option (&argc, &argv, "--max-rows", 1000);
  g_autofree char *dir = bench_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "xender-in.db", NULL);
  g_autofree char *email = g_strdup_printf ("bench-%08x@example.com", g_random_int ());
  g_autofree char *statement = NULL;
  g_autofree char *cap = g_strdup_printf ("max-rows?n=%u", max_rows);
  g_autofree char *csv = NULL;
  g_autoptr(XiSupabaseClient) client = NULL;
  g_autoptr(XiSyncEngine) engine = NULL;
  g_autoptr(XiStore) store = NULL;
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  XiSyncStats stats;
  double cpu_ms;
  double ms;

  /* A bench has no desktop session to keep its sign-in in. */
  g_setenv ("XENDER_IN_SECRETS", "file", FALSE);
  rig = fs_rig_start (NULL, &error);
  if (rig == NULL)
    fail ("starting the test Supabase", error);
  if (!fs_rig_control (rig, cap, &error))
    fail ("max-rows", error);

  store = xi_store_new (db);
  client = xi_supabase_client_new (fs_rig_get_url (rig), fs_rig_get_anon_key (rig),
                                   xi_store_get_secret_store (store), &error);
  if (client == NULL)
    fail ("client", error);
  xi_supabase_client_sign_up_async (client, email, "bench password", NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if (!xi_supabase_client_sign_up_finish (client, result, NULL, &error))
    fail ("sign-up", error);
  g_clear_object (&result);

  /* What another computer of the shop put there before. */
  statement = g_strdup_printf ("insert into public.contacts (id, master_user_id, name, phone, last_op_id)"
                               " select gen_random_uuid(), '%s', 'Pelanggan ' || g,"
                               " '62811' || lpad(g::text, 8, '0'), gen_random_uuid()"
                               " from generate_series(1, %u) g",
                               xi_supabase_client_get_user_id (client), rows);
  sql (statement);

  xi_store_set_master_user_id (store, xi_supabase_client_get_user_id (client));
  xi_store_open_async (store, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if (!xi_store_open_finish (store, result, &error))
    fail ("opening the store", error);
  g_clear_object (&result);
  engine = xi_sync_engine_new (store, client);

  ms = timed_sync (engine, &stats, &cpu_ms);
  if (stats.pulled != rows)
    {
      g_printerr ("first sync pulled %u rows of %u\n", stats.pulled, rows);
      fs_rig_stop (g_steal_pointer (&rig));
      return 1;
    }
  bench_report ("sync_first_pull_time", ms, "ms");
  bench_report ("sync_first_pull_rate", rows / (ms / 1000.0), "rows/s");
  bench_report ("sync_first_pull_app_cpu", cpu_ms, "ms");

  g_free (statement);
  statement = g_strdup_printf ("update public.contacts set name = 'Diubah ' || phone,"
                               " last_op_id = gen_random_uuid(), base_version = version"
                               " where id in (select id from public.contacts order by server_seq"
                               " limit %u)", edits);
  sql (statement);
  ms = timed_sync (engine, &stats, &cpu_ms);
  if (stats.pulled != edits)
    {
      g_printerr ("incremental sync pulled %u rows of %u\n", stats.pulled, edits);
      fs_rig_stop (g_steal_pointer (&rig));
      return 1;
    }
  bench_report ("sync_incremental_time", ms, "ms");
  bench_report ("sync_incremental_app_cpu", cpu_ms, "ms");

  csv = bench_write_numbered_contacts_csv (dir, 0, push);
  {
    g_autoptr(GFile) file = g_file_new_for_path (csv);

    xi_import_read_file_async (file, "62", NULL, NULL, NULL, NULL, bench_result_cb, &slot);
    result = bench_wait (&slot);
    batch = xi_import_read_file_finish (result, &error);
    if (batch == NULL)
      fail ("reading the CSV", error);
    g_clear_object (&result);
  }
  xi_store_import_contacts_async (store, g_steal_pointer (&batch), NULL, NULL, NULL, NULL, NULL,
                                  bench_result_cb, &slot);
  result = bench_wait (&slot);
  report = xi_store_import_contacts_finish (store, result, &error);
  if (report == NULL)
    fail ("importing", error);
  g_clear_object (&result);

  ms = timed_sync (engine, &stats, &cpu_ms);
  /* The import also logs itself in the (synced) history. */
  if (stats.pushed < push || stats.refused > 0)
    {
      g_printerr ("push took %u ops of %u, refused %u\n", stats.pushed, push, stats.refused);
      fs_rig_stop (g_steal_pointer (&rig));
      return 1;
    }
  bench_report ("sync_push_time", ms, "ms");
  bench_report ("sync_push_ops", stats.pushed, "ops");
  bench_report ("sync_push_rate", stats.pushed / (ms / 1000.0), "ops/s");
  bench_report ("sync_push_app_cpu", cpu_ms, "ms");

  g_clear_object (&engine);
  g_clear_object (&client);
  xi_store_close (store);
  fs_rig_stop (g_steal_pointer (&rig));
  bench_rm_rf (dir);
  return 0;
}
