/* test-store-other-process.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "xi-store.h"
#include "xi-test-utils.h"

/*
 * XiStore::changed for what another process commits to the same data
 * folder: the real xender-in-cli ($XI_CLI) writes while a store in this
 * process listens. Each table the other process changed is announced
 * whole, as a local change, the tables it left alone are not, and this
 * process's own commits are announced row by row as before, not again
 * as somebody else's.
 */

typedef struct
{
  char       *dir;
  char       *data_dir;
  XiStore    *store;
  GHashTable *whole;     /* table -> times announced whole */
  GHashTable *by_rows;   /* table -> times announced with ids */
  guint       applied;
} Fixture;

static void
count (GHashTable *counts,
       const char *table)
{
  g_hash_table_insert (counts, g_strdup (table),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, table)) + 1));
}

static guint
times (GHashTable *counts,
       const char *table)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, table));
}

static void
local_cb (XiStore            *store,
          const char         *table,
          const char * const *ids,
          Fixture            *f)
{
  count (ids[0] == NULL ? f->whole : f->by_rows, table);
}

static void
applied_cb (XiStore            *store,
            const char         *table,
            const char * const *ids,
            Fixture            *f)
{
  f->applied++;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  f->dir = xi_test_make_tmpdir ();
  f->data_dir = g_build_filename (f->dir, "data", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->data_dir, 0700), ==, 0);
  path = g_build_filename (f->data_dir, "xender-in.db", NULL);
  f->store = xi_store_new (path);
  f->whole = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f->by_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* Before it opens, as the app's models do: the store then knows what
   * its tables hold. */
  g_signal_connect (f->store, "changed::local", G_CALLBACK (local_cb), f);
  g_signal_connect (f->store, "changed::applied", G_CALLBACK (applied_cb), f);
  XI_TEST_WAIT (xi_store_open_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_store_open_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
close_store (XiStore *store)
{
  xi_store_close (store);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (store);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  close_store (f->store);
  g_hash_table_unref (f->whole);
  g_hash_table_unref (f->by_rows);
  xi_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->data_dir);
}

/* Runs the command line on the fixture's folder and waits for it. */
static void
run_cli (Fixture    *f,
         const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  va_list ap;

  g_ptr_array_add (argv, (gpointer)g_getenv ("XI_CLI"));
  g_ptr_array_add (argv, (gpointer)"--data-dir");
  g_ptr_array_add (argv, f->data_dir);
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *)argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
timed_out_cb (gpointer user_data)
{
  g_error ("timed out waiting for %s", (const char *)user_data);
  return G_SOURCE_REMOVE;
}

/* The main loop runs (the store's announcements need it) until @table is
 * announced whole, then a second more, for anything announced after it. */
static void
wait_whole (Fixture    *f,
            const char *table)
{
  guint timeout = g_timeout_add_seconds (20, timed_out_cb, (gpointer)table);
  gint64 end;

  while (times (f->whole, table) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
  end = g_get_monotonic_time () + G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10000);
}

static void
test_other_process_writes (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(XiGroup) group = xi_group_new ("Pelanggan setia");
  g_autoptr(XiGroup) saved = NULL;
  g_autoptr(GError) error = NULL;

  run_cli (f, "contacts", "add", "--name", "Rina", "6281300000001", NULL);
  wait_whole (f, "contacts");
  g_assert_cmpuint (times (f->whole, "contacts"), ==, 1);
  g_assert_cmpuint (times (f->whole, "templates"), ==, 0);
  g_assert_cmpuint (times (f->whole, "groups"), ==, 0);

  run_cli (f, "templates", "add", "Salam", "Halo {name}!", NULL);
  wait_whole (f, "templates");
  g_assert_cmpuint (times (f->whole, "templates"), ==, 1);
  g_assert_cmpuint (times (f->whole, "contacts"), ==, 1);

  run_cli (f, "groups", "add", "Grosir", NULL);
  wait_whole (f, "groups");
  g_assert_cmpuint (times (f->whole, "groups"), ==, 1);
  g_assert_cmpuint (times (f->whole, "contacts"), ==, 1);
  g_assert_cmpuint (times (f->whole, "templates"), ==, 1);
  g_assert_cmpuint (times (f->whole, "group_members"), ==, 0);

  run_cli (f, "groups", "add-members", "Grosir", "6281300000001", NULL);
  wait_whole (f, "group_members");
  g_assert_cmpuint (times (f->whole, "group_members"), ==, 1);
  g_assert_cmpuint (times (f->whole, "contacts"), ==, 1);

  /* This process's own save: its row, once, and nothing whole. */
  XI_TEST_WAIT (xi_store_save_group_async (f->store, group, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_group_finish (f->store, result_, &error));
  g_assert_no_error (error);
  {
    gint64 end = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

    while (g_get_monotonic_time () < end)
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (10000);
  }
  g_assert_cmpuint (times (f->by_rows, "groups"), ==, 1);
  g_assert_cmpuint (times (f->whole, "groups"), ==, 1);
  g_assert_cmpuint (f->applied, ==, 0);
}

/* The list order as a reader sees it, names joined with commas. */
static char *
listed_names (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->data_dir, "xender-in.db", NULL);
  g_autoptr(GString) names = g_string_new (NULL);
  sqlite3_stmt *stmt;
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM contacts WHERE deleted = 0"
                                           " ORDER BY sort_key, phone", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (names, "%s%s", names->len > 0 ? "," : "", sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (g_steal_pointer (&names), FALSE);
}

/* A row another program writes with SQLite itself (the sqlite3 shell, a
 * script) has no sort key: the listening store gives it one before it
 * announces the change, so the contact lists by its name, not first. */
static void
test_raw_writer_sorted (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->data_dir, "xender-in.db", NULL);
  g_autofree char *names = NULL;
  sqlite3 *db;

  run_cli (f, "contacts", "add", "--name", "Ani", "6281300000001", NULL);
  run_cli (f, "contacts", "add", "--name", "Citra", "6281300000003", NULL);
  wait_whole (f, "contacts");
  g_hash_table_remove_all (f->whole);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_busy_timeout (db, 10000), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO contacts (id, master_user_id, created_at, updated_at, name, phone)"
                                     " SELECT '00000000-0000-4000-8000-00000000b0d1', master_user_id,"
                                     "  '2026-12-07T00:00:00Z', '2026-12-07T00:00:00Z', 'Budi', '6281300000002'"
                                     " FROM contacts LIMIT 1",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  wait_whole (f, "contacts");
  names = listed_names (f);
  g_assert_cmpstr (names, ==, "Ani,Budi,Citra");
}

/* The inotify watches this process holds on @path's inode, from what
 * /proc tells of its inotify descriptors. */
static guint
inotify_watches_on (const char *path)
{
  g_autoptr(GDir) fds = g_dir_open ("/proc/self/fdinfo", 0, NULL);
  const char *name;
  struct stat st;
  guint watches = 0;

  g_assert_nonnull (fds);
  if (g_stat (path, &st) != 0)
    return 0;
  while ((name = g_dir_read_name (fds)) != NULL)
    {
      g_autofree char *info_path = g_build_filename ("/proc/self/fdinfo", name, NULL);
      g_autofree char *info = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_file_get_contents (info_path, &info, NULL, NULL))
        continue;
      lines = g_strsplit (info, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          const char *ino = strstr (lines[i], " ino:");

          if (g_str_has_prefix (lines[i], "inotify wd:") && ino != NULL &&
              g_ascii_strtoull (ino + strlen (" ino:"), NULL, 16) == (guint64)st.st_ino)
            watches++;
        }
    }
  return watches;
}

/* Watches on the database's folder and on its WAL: GIO watches a file
 * through its folder, which then hears of every write to the WAL. */
static guint
watches_on_store (const char *data_dir)
{
  g_autofree char *wal = g_build_filename (data_dir, "xender-in.db-wal", NULL);

  return inotify_watches_on (data_dir) + inotify_watches_on (wal);
}

static XiStore *
open_store_in (const char *data_dir,
               gboolean    ignoring_others)
{
  g_autofree char *path = g_build_filename (data_dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = xi_store_new (path);
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  g_assert_cmpint (g_mkdir_with_parents (data_dir, 0700), ==, 0);
  if (ignoring_others)
    xi_store_ignore_other_processes (store);
  XI_TEST_WAIT (xi_store_open_async (store, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_store_open_finish (store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  return g_steal_pointer (&store);
}

/* A process that hears nothing ("xender-in-cli run") keeps no watch: each
 * commit of a campaign would otherwise queue inotify events in the
 * kernel, for nobody. */
static void
test_ignoring_others_watches_nothing (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *listening_dir = g_build_filename (dir, "listening", NULL);
  g_autofree char *ignoring_dir = g_build_filename (dir, "ignoring", NULL);
  XiStore *listening = open_store_in (listening_dir, FALSE);
  XiStore *ignoring = open_store_in (ignoring_dir, TRUE);

  g_assert_cmpuint (watches_on_store (listening_dir), >, 0);
  g_assert_cmpuint (watches_on_store (ignoring_dir), ==, 0);

  close_store (ignoring);
  close_store (listening);
  xi_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/xi/store/other-process/writes", Fixture, NULL, fixture_setup, test_other_process_writes,
              fixture_teardown);
  g_test_add ("/xi/store/other-process/raw-writer-sorted", Fixture, NULL, fixture_setup, test_raw_writer_sorted,
              fixture_teardown);
  g_test_add_func ("/xi/store/other-process/ignoring-watches-nothing", test_ignoring_others_watches_nothing);
  return g_test_run ();
}
