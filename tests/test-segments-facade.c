/* test-segments-facade.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>

#include "xi-segments-facade.h"
#include "xi-test-facade.h"
#include "xi-test-utils.h"

/*
 * XiSegmentsFacade over a real store: segments saved straight to the
 * store (as the command line and sync's pull do) appear in its model, a
 * segment another process renames and redefines is the same object with
 * the new name and conditions and says so, the model keeps the name
 * order, and the facade's own writes show exactly once. Needs no
 * display.
 */

typedef struct
{
  char             *dir;
  XiStore          *store;
  XiSegmentsFacade *facade;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = xi_test_make_tmpdir ();
  f->store = xi_test_facade_open_store (f->dir);
  f->facade = xi_segments_facade_new (f->store);
  xi_test_facade_reload (XI_FACADE (f->facade));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  xi_test_facade_tear_down (XI_FACADE (f->facade), f->store, f->dir);
}

static XiContactFilter *
filter_of (const char * const *conditions)
{
  g_autoptr(GError) error = NULL;
  XiContactFilter *filter = xi_contact_filter_new_from_conditions (conditions, &error);

  g_assert_no_error (error);
  return filter;
}

/* Saves a segment straight to the store, as the command line does. */
static XiSegment *
store_segment (Fixture            *f,
               const char         *name,
               const char * const *conditions)
{
  g_autoptr(XiContactFilter) filter = filter_of (conditions);
  g_autoptr(GError) error = NULL;
  XiSegment *saved = NULL;

  XI_TEST_WAIT (xi_store_add_segment_async (f->store, name, filter, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_add_segment_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_nonnull (saved);
  return saved;
}

static const char *
name_at (Fixture *f,
         guint    position)
{
  g_autoptr(XiSegmentItem) item = g_list_model_get_item (xi_facade_get_model (XI_FACADE (f->facade)),
                                                         position);

  return item != NULL ? xi_segment_item_get_segment (item)->name : NULL;
}

static gboolean
timed_out_cb (gpointer user_data)
{
  g_error ("timed out waiting for another process's change");
  return G_SOURCE_REMOVE;
}

static void
test_follows_store (Fixture       *f,
                    gconstpointer  data)
{
  GListModel *model = xi_facade_get_model (XI_FACADE (f->facade));
  const char *jakarta_conditions[] = { "kota=Jakarta", NULL };
  const char *bandung_conditions[] = { "kota=Bandung", "#grosir", NULL };
  const char *tagged[] = { "#aktif", NULL };
  g_autoptr(XiSegment) jakarta = NULL;
  g_autoptr(XiSegment) gone = NULL;
  g_autoptr(XiSegmentItem) aktif = NULL;
  g_autoptr(XiSegmentItem) twice = NULL;
  g_autoptr(XiContactFilter) filter = filter_of (tagged);
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "store.db", NULL);
  g_autofree char *update = NULL;
  gboolean deleted = FALSE;
  XiSegmentItem *shown;
  sqlite3 *other;
  guint timeout;

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);

  /* Saved elsewhere: it appears. */
  jakarta = store_segment (f, "Pelanggan Jakarta", jakarta_conditions);
  xi_test_facade_wait_followed (XI_FACADE (f->facade));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  shown = xi_facade_find (XI_FACADE (f->facade), jakarta->id);
  g_assert_nonnull (shown);
  g_assert_cmpstrv (xi_segment_item_get_segment (shown)->conditions, jakarta_conditions);

  /* Saved through the facade: in the model when the caller hears, once,
   * and in name order ignoring case. */
  XI_TEST_WAIT (xi_segments_facade_add_async (f->facade, "aktif", filter, NULL, xi_test_store_result_cb, &slot_),
                aktif = xi_segments_facade_add_finish (f->facade, result_, &error));
  g_assert_no_error (error);
  g_assert_true (xi_facade_find (XI_FACADE (f->facade), xi_segment_item_get_id (aktif)) == aktif);
  xi_test_facade_wait_followed (XI_FACADE (f->facade));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_cmpstr (name_at (f, 0), ==, "aktif");
  g_assert_cmpstr (name_at (f, 1), ==, "Pelanggan Jakarta");

  /* A name taken ignoring case is refused and changes nothing. */
  XI_TEST_WAIT (xi_segments_facade_add_async (f->facade, "AKTIF", filter, NULL, xi_test_store_result_cb, &slot_),
                twice = xi_segments_facade_add_finish (f->facade, result_, &error));
  g_assert_null (twice);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_DUPLICATE);
  g_clear_error (&error);
  xi_test_facade_wait_followed (XI_FACADE (f->facade));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);

  /* Renamed and redefined by another process on the same data folder:
   * the same object takes the new fields, says which changed, and moves
   * to its new place. The store notices the other connection's commit
   * on its own, so wait for the name rather than for a read. */
  g_signal_connect (shown, "notify", G_CALLBACK (xi_test_count_notify_cb), counts);
  update = g_strdup_printf ("UPDATE segments SET name = 'Agen Bandung',"
                            " conditions = '[\"kota=Bandung\",\"#grosir\"]', version = version + 1,"
                            " updated_at = strftime ('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now', '+1 second')"
                            " WHERE id = '%s'", jakarta->id);
  g_assert_cmpint (sqlite3_open (path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, update, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (other);
  timeout = g_timeout_add_seconds (20, timed_out_cb, NULL);
  while (g_strcmp0 (xi_segment_item_get_segment (shown)->name, "Agen Bandung") != 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
  xi_test_facade_wait_followed (XI_FACADE (f->facade));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_true (xi_facade_find (XI_FACADE (f->facade), jakarta->id) == shown);
  g_assert_cmpstrv (xi_segment_item_get_segment (shown)->conditions, bandung_conditions);
  g_assert_cmpuint (xi_test_count_of (counts, "name"), ==, 1);
  g_assert_cmpuint (xi_test_count_of (counts, "conditions"), ==, 1);
  g_assert_cmpuint (xi_test_count_of (counts, "id"), ==, 0);
  g_assert_cmpstr (name_at (f, 0), ==, "Agen Bandung");
  g_assert_cmpstr (name_at (f, 1), ==, "aktif");
  g_signal_handlers_disconnect_by_func (shown, xi_test_count_notify_cb, counts);

  /* Deleted elsewhere: gone. */
  XI_TEST_WAIT (xi_store_delete_segment_async (f->store, jakarta->id, NULL, xi_test_store_result_cb, &slot_),
                deleted = xi_store_delete_segment_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (deleted);
  xi_test_facade_wait_followed (XI_FACADE (f->facade));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_null (xi_facade_find (XI_FACADE (f->facade), jakarta->id));

  /* Deleted through the facade: gone at once, and stays gone. */
  XI_TEST_WAIT (xi_segments_facade_delete_async (f->facade, xi_segment_item_get_id (aktif), NULL,
                                                 xi_test_store_result_cb, &slot_),
                deleted = xi_segments_facade_delete_finish (f->facade, result_, &error));
  g_assert_no_error (error);
  g_assert_true (deleted);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  xi_test_facade_wait_followed (XI_FACADE (f->facade));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);

  /* A segment deleted meanwhile cannot be deleted again. */
  XI_TEST_WAIT (xi_segments_facade_delete_async (f->facade, jakarta->id, NULL, xi_test_store_result_cb, &slot_),
                deleted = xi_segments_facade_delete_finish (f->facade, result_, &error));
  g_assert_false (deleted);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND);
}

/* A copy equal to the segment changes nothing and announces nothing. */
static void
test_update_unchanged (void)
{
  const char *conditions[] = { "kota=Medan", NULL };
  const char *more[] = { "kota=Medan", "#grosir", NULL };
  g_autoptr(XiSegment) segment = xi_segment_new ("s1", "Medan", conditions);
  g_autoptr(XiSegment) redefined = xi_segment_new ("s1", "Medan", more);
  g_autoptr(XiSegmentItem) item = xi_segment_item_new (segment);
  g_autoptr(XiSegmentItem) copy = xi_segment_item_new (segment);
  g_autoptr(XiSegmentItem) newer = xi_segment_item_new (redefined);
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);

  g_signal_connect (item, "notify", G_CALLBACK (xi_test_count_notify_cb), counts);
  xi_segment_item_update_from (item, copy);
  g_assert_cmpuint (g_hash_table_size (counts), ==, 0);

  xi_segment_item_update_from (item, newer);
  g_assert_cmpstrv (xi_segment_item_get_segment (item)->conditions, more);
  g_assert_cmpuint (xi_test_count_of (counts, "conditions"), ==, 1);
  g_assert_cmpuint (g_hash_table_size (counts), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("XENDER_IN_SECRETS", "file", TRUE);

  g_test_add ("/xi/segments-facade/follows-store", Fixture, NULL, fixture_setup, test_follows_store,
              fixture_teardown);
  g_test_add_func ("/xi/segment-item/update-unchanged", test_update_unchanged);
  return g_test_run ();
}
