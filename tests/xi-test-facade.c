/* xi-test-facade.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-test-facade.h"
#include "xi-test-utils.h"

/*
 * What the facades' tests share: a real store in a fresh folder, a
 * facade filled from it, waiting until the facade has read every change
 * the store announced, and counting what an updated item notified.
 */

/**
 * xi_test_facade_open_store:
 * @dir: a fresh folder
 *
 * Returns: (transfer full): a store opened on a new database in @dir
 */
XiStore *
xi_test_facade_open_store (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  XiStore *store = xi_store_new (path);
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  XI_TEST_WAIT (xi_store_open_async (store, NULL, xi_test_store_result_cb, &slot_),
                done = xi_store_open_finish (store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (done);
  return store;
}

void
xi_test_facade_reload (XiFacade *facade)
{
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  XI_TEST_WAIT (xi_facade_reload_async (facade, NULL, xi_test_store_result_cb, &slot_),
                done = xi_facade_reload_finish (facade, result_, &error));
  g_assert_no_error (error);
  g_assert_true (done);
}

static gboolean
timed_out_cb (gpointer user_data)
{
  g_error ("timed out");
  return G_SOURCE_REMOVE;
}

/**
 * xi_test_facade_wait_followed:
 * @facade: a facade
 *
 * Runs the main loop until @facade has read every change announced. The
 * store queues its announcement when it commits, before a write's
 * answer, so one made before this call is pending by then.
 */
void
xi_test_facade_wait_followed (XiFacade *facade)
{
  guint timeout = g_timeout_add_seconds (20, timed_out_cb, NULL);

  while (g_main_context_pending (NULL) || xi_facade_is_following (facade))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
}

/**
 * xi_test_facade_tear_down:
 * @facade: (transfer full): the test's facade, which must be its last ref
 * @store: (transfer full): its store, likewise
 * @dir: (transfer full): the folder the store was in, removed
 */
void
xi_test_facade_tear_down (XiFacade *facade,
                          XiStore  *store,
                          char     *dir)
{
  g_assert_finalize_object (facade);
  xi_store_close (store);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (store);
  xi_test_rm_rf (dir);
  g_free (dir);
}

/**
 * xi_test_count_notify_cb:
 * @counts: property name -> times notified, the names static
 *
 * A "notify" handler counting how often each property of an item a
 * facade updates says it changed.
 */
void
xi_test_count_notify_cb (GObject    *object,
                         GParamSpec *pspec,
                         GHashTable *counts)
{
  const char *name = g_param_spec_get_name (pspec);

  g_hash_table_insert (counts, (gpointer)name, GUINT_TO_POINTER (xi_test_count_of (counts, name) + 1));
}

guint
xi_test_count_of (GHashTable *counts,
                  const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, name));
}
