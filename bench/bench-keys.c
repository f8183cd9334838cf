/* bench-keys.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "bench-utils.h"
#include "xi-store.h"

/*
 * The WhatsApp key store as a campaign uses it: per message, one batch
 * with the session record of the recipient's device (about 1.2 KB, as
 * libsignal's grow to) and its identity, written in one transaction;
 * then the whole store read back, as at start-up. Run against a tree
 * with and without sealing, this is what sealing every value costs.
 *  - keys-put-batch: wall time per batch, the store thread's commit
 *    included;
 *  - keys-put-cpu: CPU time of the process per batch;
 *  - keys-load: reading (and opening) N * 2 values at start-up, the
 *    best of a few rounds.
 */

#define SESSION_BYTES 1200
#define LOAD_ROUNDS   5

static void
put (XiStore   *store,
     GPtrArray *changes)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  xi_store_put_keys_async (store, changes, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if (!xi_store_put_keys_finish (store, result, &error))
    g_error ("put: %s", error->message);
}

static GHashTable *
load (XiStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  GHashTable *loaded;

  xi_store_load_keys_async (store, NULL, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  loaded = xi_store_load_keys_finish (store, result, &error);
  if (loaded == NULL)
    g_error ("load: %s", error->message);
  return loaded;
}

static gint64
cpu_us (void)
{
  return (gint64)(clock () * (G_USEC_PER_SEC / (double)CLOCKS_PER_SEC));
}

int
main (int   argc,
      char *argv[])
{
  guint rows = bench_parse_rows (&argc, &argv, 2000);
  g_autofree char *dir = bench_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "bench.db", NULL);
  g_autoptr(XiStore) store = NULL;
  g_autoptr(GHashTable) loaded = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint8 record[SESSION_BYTES];
  GAsyncResult *slot = NULL;
  gint64 start, start_cpu;
  gint64 best_load = G_MAXINT64;

  /* A benchmark must not leave keys in the keyring of whoever runs it. */
  g_setenv ("XENDER_IN_SECRETS", "file", FALSE);
  store = xi_store_new (db);
  xi_store_open_async (store, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if (!xi_store_open_finish (store, result, &error))
    g_error ("open: %s", error->message);
  g_clear_pointer (&loaded, g_hash_table_unref);
  loaded = load (store);

  for (guint i = 0; i < sizeof record; i++)
    record[i] = g_random_int_range (0, 256);

  start = g_get_monotonic_time ();
  start_cpu = cpu_us ();
  for (guint i = 0; i < rows; i++)
    {
      g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_key_change_free);
      g_autofree char *address = g_strdup_printf ("62812%08u.0", i);
      g_autoptr(GBytes) session = NULL;
      g_autoptr(GBytes) identity = g_bytes_new (record, 33);

      record[i % sizeof record] ^= 0x5a;
      session = g_bytes_new (record, sizeof record);
      g_ptr_array_add (changes, xi_key_change_new ("session", address, session));
      g_ptr_array_add (changes, xi_key_change_new ("identity", address, identity));
      put (store, changes);
    }
  bench_report ("keys-put-batch", (g_get_monotonic_time () - start) / 1000.0 / rows, "ms");
  bench_report ("keys-put-cpu", (cpu_us () - start_cpu) / (double)rows, "us/batch");

  /* The best of a few: the machine may be busy with other work. */
  for (guint round = 0; round < LOAD_ROUNDS; round++)
    {
      start = g_get_monotonic_time ();
      g_clear_pointer (&loaded, g_hash_table_unref);
      loaded = load (store);
      best_load = MIN (best_load, g_get_monotonic_time () - start);
      if (g_hash_table_size (loaded) != rows * 2)
        g_error ("loaded %u of %u values", g_hash_table_size (loaded), rows * 2);
    }
  bench_report ("keys-load", best_load / 1000.0, "ms");

  xi_store_close (store);
  bench_rm_rf (dir);
  return 0;
}
