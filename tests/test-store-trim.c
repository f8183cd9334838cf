/* test-store-trim.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <malloc.h>

#include "xi-store.h"
#include "xi-test-utils.h"

/* The store's malloc_trim () calls land here, in the executable, and are
 * counted from the store's thread. */
static gint trims;

int
malloc_trim (size_t pad)
{
  g_atomic_int_inc (&trims);
  return 0;
}

static void
wait_for_trims (gint   expected,
                double seconds)
{
  gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (g_atomic_int_get (&trims) < expected && g_get_monotonic_time () < end)
    g_usleep (20 * 1000);
}

/* A bulk write's freed heap goes back once the store is idle, not at
 * the end of the write, where the next operation faulted it in again. */
static void
test_idle_trim (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autofree char *csv_path = g_build_filename (dir, "contacts.csv", NULL);
  g_autoptr(GString) csv = g_string_new ("name,phone\n");
  g_autoptr(GFile) file = NULL;
  g_autoptr(XiStore) store = xi_store_new (path);
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  for (guint i = 0; i < 2000; i++)
    g_string_append_printf (csv, "Pelanggan %u,0812%08u\n", i, i);
  g_assert_true (g_file_set_contents (csv_path, csv->str, csv->len, NULL));
  file = g_file_new_for_path (csv_path);

  XI_TEST_WAIT (xi_store_open_async (store, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_store_open_finish (store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);

  /* Opening is no bulk write: nothing to give back. */
  wait_for_trims (1, 2.5);
  g_assert_cmpint (g_atomic_int_get (&trims), ==, 0);

  XI_TEST_WAIT (xi_store_import_file_async (store, file, "62", "Pameran", NULL, NULL, NULL, NULL,
                                            xi_test_store_result_cb, &slot_),
                report = xi_store_import_file_finish (store, result_, &error));
  g_assert_no_error (error);
  XI_TEST_WAIT (xi_store_list_groups_async (store, NULL, xi_test_store_result_cb, &slot_),
                groups = xi_store_list_groups_finish (store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_atomic_int_get (&trims), ==, 0);

  wait_for_trims (1, 10);
  g_assert_cmpint (g_atomic_int_get (&trims), ==, 1);

  /* Once given back, idling does not give back again. */
  wait_for_trims (2, 2.5);
  g_assert_cmpint (g_atomic_int_get (&trims), ==, 1);

  xi_store_close (store);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  xi_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xi/store/idle-trim", test_idle_trim);

  return g_test_run ();
}
