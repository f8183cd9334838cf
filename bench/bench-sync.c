/* bench-sync.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <time.h>

#include "bench-utils.h"
#include "xi-import-reader.h"
#include "xi-store.h"
#include "xi-store-sync.h"

/*
 * The store's side of sync, without the network. Push: N contacts are
 * imported (each change queues its op in the import's transaction), then
 * every queued op is taken in batches of 200 and completed as applied
 * with the server's copy of the row, as the sync engine does; only the
 * store's calls are timed, not the making of the replies. Pull: --pull
 * rows arrive in pages of 500, each stored with its checkpoint in one
 * transaction. Targets: 10,000 changes pushed (store side) under 2 s;
 * 50,000 pulled rows applied under 5 s.
 */

/* A signed-in account's folder: the signed-out profile queues no pushes. */
#define MASTER "6f1c0e2a-0000-4000-8000-0000000000aa"
#define PUSH_BATCH 200

#define PULL_PAGE  500

static XiStore *
open_store (const char *dir,
            const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(XiStore) store = xi_store_new (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  xi_store_set_master_user_id (store, MASTER);
  xi_store_open_async (store, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if (!xi_store_open_finish (store, result, &error))
    g_error ("open: %s", error->message);
  return g_steal_pointer (&store);
}

static void
import (XiStore    *store,
        const char *dir,
        guint       rows)
{
  g_autofree char *csv = bench_write_contacts_csv (dir, rows);
  g_autoptr(GFile) file = g_file_new_for_path (csv);
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  gint64 start;

  xi_import_read_file_async (file, "62", NULL, NULL, NULL, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if ((batch = xi_import_read_file_finish (result, &error)) == NULL)
    g_error ("read: %s", error->message);
  g_clear_object (&result);

  start = g_get_monotonic_time ();
  xi_store_import_contacts_async (store, g_steal_pointer (&batch), "Bench", NULL, NULL, NULL,
                                  NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if ((report = xi_store_import_contacts_finish (store, result, &error)) == NULL)
    g_error ("import: %s", error->message);
  bench_report ("sync-import-queueing-ms", (g_get_monotonic_time () - start) / 1000.0, "ms");
}

static char *
server_copy (const XiSyncOp *op,
             gint64          seq)
{
  g_autoptr(JsonNode) node = json_from_string (op->row_json, NULL);

  json_object_set_int_member (json_node_get_object (node), "version", op->base_version + 1);
  json_object_set_int_member (json_node_get_object (node), "server_seq", seq);
  return json_to_string (node, FALSE);
}

static void
bench_push (const char *dir,
            guint       rows)
{
  g_autoptr(XiStore) store = open_store (dir, "push.db");
  gint64 spent = 0, cpu = 0, seq = 0;
  guint pushed = 0;

  import (store, dir, rows);

  for (;;)
    {
      g_autoptr(GPtrArray) ops = NULL;
      g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_sync_result_free);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      GAsyncResult *slot = NULL;
      gint64 start = g_get_monotonic_time ();
      gint64 cpu_start = bench_cpu_usec ();

      xi_store_sync_take_batch_async (store, PUSH_BATCH, NULL, bench_result_cb, &slot);
      result = bench_wait (&slot);
      if ((ops = xi_store_sync_take_batch_finish (store, result, &error)) == NULL)
        g_error ("take: %s", error->message);
      spent += g_get_monotonic_time () - start;
      cpu += bench_cpu_usec () - cpu_start;
      g_clear_object (&result);
      if (ops->len == 0)
        break;

      for (guint i = 0; i < ops->len; i++)
        {
          XiSyncOp *op = g_ptr_array_index (ops, i);
          g_autofree char *row = server_copy (op, ++seq);

          g_ptr_array_add (results, xi_sync_result_new (op->op_id, XI_SYNC_OUTCOME_APPLIED, row,
                                                        NULL, 0));
        }

      start = g_get_monotonic_time ();
      cpu_start = bench_cpu_usec ();
      xi_store_sync_complete_async (store, results, NULL, bench_result_cb, &slot);
      result = bench_wait (&slot);
      if (!xi_store_sync_complete_finish (store, result, &error))
        g_error ("complete: %s", error->message);
      spent += g_get_monotonic_time () - start;
      cpu += bench_cpu_usec () - cpu_start;
      pushed += ops->len;
    }

  bench_report ("sync-push-ops", pushed, "ops");
  bench_report ("sync-push-store-ms", spent / 1000.0, "ms");
  bench_report ("sync-push-store-cpu-ms", cpu / 1000.0, "ms");
  bench_report ("sync-push-ops-per-s", pushed / (spent / (double)G_USEC_PER_SEC), "ops/s");
  xi_store_close (store);
}

static GBytes *
make_page (guint first,
           guint n)
{
  GString *page = g_string_new ("[");

  for (guint i = first; i < first + n; i++)
    g_string_append_printf (page,
                            "%s{\"id\":\"5e1a0c3b-0000-4000-8000-%012u\","
                            "\"master_user_id\":\"" MASTER "\","
                            "\"created_by\":null,\"created_at\":\"2026-12-01T10:00:00.123+00:00\","
                            "\"updated_at\":\"2026-12-01T10:00:00.123+00:00\",\"version\":1,"
                            "\"server_seq\":%u,\"deleted\":false,\"deleted_at\":null,"
                            "\"last_op_id\":null,\"base_version\":null,\"sync_changed\":null,"
                            "\"name\":\"Pelanggan %u\",\"phone\":\"62813%08u\",\"lid\":null,"
                            "\"tags\":[\"grosir\"],\"notes\":null,"
                            "\"custom_fields\":{\"kota\":\"Bandung\"},\"on_whatsapp\":0,"
                            "\"on_whatsapp_checked_at\":null}",
                            i == first ? "" : ",", i, i + 1, i, i);
  g_string_append (page, "]");
  return g_string_free_to_bytes (page);
}

static void
bench_pull (const char *dir,
            guint       rows)
{
  g_autoptr(XiStore) store = open_store (dir, "pull.db");
  g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  gint64 start, cpu_start, checkpoint = 0;
  guint applied = 0;

  for (guint first = 0; first < rows; first += PULL_PAGE)
    g_ptr_array_add (pages, make_page (first, MIN (PULL_PAGE, rows - first)));

  start = g_get_monotonic_time ();
  cpu_start = bench_cpu_usec ();
  for (guint i = 0; i < pages->len; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      GAsyncResult *slot = NULL;

      xi_store_sync_apply_page_async (store, "contacts", g_ptr_array_index (pages, i), NULL,
                                      bench_result_cb, &slot);
      result = bench_wait (&slot);
      applied += xi_store_sync_apply_page_finish (store, result, &checkpoint, &error);
      if (error != NULL)
        g_error ("apply: %s", error->message);
    }

  bench_report ("sync-pull-rows", applied, "rows");
  bench_report ("sync-pull-ms", (g_get_monotonic_time () - start) / 1000.0, "ms");
  bench_report ("sync-pull-cpu-ms", (bench_cpu_usec () - cpu_start) / 1000.0, "ms");
  bench_report ("sync-pull-rows-per-s",
                applied / ((g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC), "rows/s");
  if (checkpoint != rows)
    g_error ("the checkpoint is %" G_GINT64_FORMAT ", not %u", checkpoint, rows);
  xi_store_close (store);
}

int
main (int   argc,
      char *argv[])
{
  guint pull = bench_parse_option (&argc, &argv, "--pull", 50000);
  guint rows = bench_parse_rows (&argc, &argv, 10000);
  g_autofree char *dir = bench_make_tmpdir ();

  bench_push (dir, rows);
  bench_pull (dir, pull);

  bench_rm_rf (dir);
  return 0;
}
