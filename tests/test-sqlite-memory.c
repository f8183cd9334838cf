/* test-sqlite-memory.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "xi-sqlite-memory.h"
#include "xi-store.h"
#include "xi-test-utils.h"

#if defined(__has_include)
# if __has_include(<valgrind/valgrind.h>)
#  include <valgrind/valgrind.h>
#  define HAVE_VALGRIND_H 1
# endif
#endif

/* The first test of this program: nothing has touched SQLite before the
 * store opens its database, as in the app and the command line. */
static void
test_store_installs (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  XiStore *store = xi_store_new (path);
  void *probe;

  xi_store_open_async (store, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  g_assert_true (xi_store_open_finish (store, result, &error));
  g_assert_no_error (error);

  /* Only this allocator rounds a block up to its size class: the C
   * library's would say 104. */
  probe = sqlite3_malloc (100);
  g_assert_cmpuint (sqlite3_msize (probe), ==, xi_sqlite_memory_keeps_freed () ? 128 : 100);
  sqlite3_free (probe);
  g_assert_true (xi_sqlite_memory_install ());

  g_clear_object (&result);
  xi_store_close (store);
  g_assert_finalize_object (store);
  xi_test_rm_rf (dir);
}

static void
test_sizes (void)
{
  g_autofree guint8 *expected = g_malloc (100000);
  guint8 *small, *again, *large;

  g_assert_true (xi_sqlite_memory_install ());

  /* SQLite asks xRoundup before it allocates, and uses all of it. */
  if (xi_sqlite_memory_keeps_freed ())
    {
      small = sqlite3_malloc (100);
      g_assert_cmpuint (sqlite3_msize (small), ==, 128);
      memset (small, 0xa5, 128);
      sqlite3_free (small);
      again = sqlite3_malloc (120);
      g_assert_true (again == small);
      sqlite3_free (again);
    }
  else
    {
      /* So that a checker sees a write past what was asked for. */
      small = sqlite3_malloc (100);
      g_assert_cmpuint (sqlite3_msize (small), ==, 100);
      sqlite3_free (small);
    }

  /* A block grown past the largest class keeps what it held. */
  small = sqlite3_malloc (3000);
  for (guint i = 0; i < 3000; i++)
    small[i] = expected[i] = (guint8) (i * 7);
  large = sqlite3_realloc (small, 50000);
  g_assert_cmpuint (sqlite3_msize (large), >=, 50000);
  for (guint i = 3000; i < 50000; i++)
    large[i] = expected[i] = (guint8) (i * 13);
  large = sqlite3_realloc (large, 100000);
  g_assert_cmpuint (sqlite3_msize (large), >=, 100000);
  g_assert_cmpmem (large, 50000, expected, 50000);
  /* Shrinking keeps the block. */
  g_assert_true (sqlite3_realloc (large, 10) == large);
  sqlite3_free (large);
}

static gpointer
work_in_memory (gpointer data)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE t (v TEXT);"
                                     " WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)"
                                     " INSERT INTO t SELECT printf ('%0500d', i) FROM n;"
                                     " SELECT count(*) FROM t",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  return GSIZE_TO_POINTER (xi_sqlite_memory_cached_bytes ());
}

/* What a thread kept is its own, and goes back as it ends: valgrind's
 * leak check (sqlite-memory-leaks) finds it lost otherwise. */
static void
test_thread_ends (void)
{
  GThread *thread;
  gsize kept_there, kept_here;

  g_assert_true (xi_sqlite_memory_install ());
  kept_here = xi_sqlite_memory_cached_bytes ();
  thread = g_thread_new ("sqlite-memory", work_in_memory, NULL);
  kept_there = GPOINTER_TO_SIZE (g_thread_join (thread));
  g_assert_cmpint (kept_there > 0, ==, xi_sqlite_memory_keeps_freed ());
  g_assert_cmpuint (xi_sqlite_memory_cached_bytes (), ==, kept_here);
}

/* A database's work runs through it, and what it keeps stays bounded
 * however much was allocated at once; shutting SQLite down hands back
 * everything. */
static void
test_returned (void)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GPtrArray) blocks = g_ptr_array_new ();
  guint8 blob[700];
  gint64 rows = 0;

  g_assert_true (xi_sqlite_memory_install ());

  memset (blob, 0x5a, sizeof blob);
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB); BEGIN",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO t (v) VALUES (?)", -1, &stmt, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < 5000; i++)
    {
      blob[0] = (guint8) i;
      sqlite3_bind_blob (stmt, 1, blob, sizeof blob, SQLITE_TRANSIENT);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM t WHERE length(v) = 700", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  rows = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  g_assert_cmpint (rows, ==, 5000);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  g_assert_cmpint (xi_sqlite_memory_cached_bytes () > 0, ==, xi_sqlite_memory_keeps_freed ());
  g_assert_cmpuint (xi_sqlite_memory_cached_bytes (), <=, XI_SQLITE_MEMORY_MAX_CACHED);

  /* Four times what may be kept, freed at once. */
  for (guint i = 0; i < 4 * XI_SQLITE_MEMORY_MAX_CACHED / 256; i++)
    g_ptr_array_add (blocks, sqlite3_malloc (256));
  for (guint i = 0; i < blocks->len; i++)
    sqlite3_free (blocks->pdata[i]);
  g_assert_cmpuint (xi_sqlite_memory_cached_bytes (), <=, XI_SQLITE_MEMORY_MAX_CACHED);
  g_assert_cmpint (xi_sqlite_memory_cached_bytes () > XI_SQLITE_MEMORY_MAX_CACHED / 2,
                   ==, xi_sqlite_memory_keeps_freed ());

  g_assert_cmpint (sqlite3_shutdown (), ==, SQLITE_OK);
  g_assert_cmpuint (xi_sqlite_memory_cached_bytes (), ==, 0);
}

/* Run by sqlite-memory-misuse under valgrind, which must see each
 * misuse below; the free lists would have hidden all three. */
static void
test_valgrind_sees_misuse (void)
{
#if defined(HAVE_VALGRIND_H)
  volatile guint8 *block;
  guint errors;

  if (!RUNNING_ON_VALGRIND)
    {
      g_test_skip ("only under valgrind");
      return;
    }
  g_assert_true (xi_sqlite_memory_install ());
  g_assert_false (xi_sqlite_memory_keeps_freed ());

  /* Past the pointer a free list would have written there. */
  block = sqlite3_malloc (100);
  sqlite3_free ((void *) block);
  errors = VALGRIND_COUNT_ERRORS;
  block[50] = 1;
  g_assert_cmpuint (VALGRIND_COUNT_ERRORS, >, errors);

  block = sqlite3_malloc (100);
  sqlite3_free ((void *) block);
  errors = VALGRIND_COUNT_ERRORS;
  sqlite3_free ((void *) block);
  g_assert_cmpuint (VALGRIND_COUNT_ERRORS, >, errors);

  /* Within the size class 100 bytes would be rounded up to. */
  block = sqlite3_malloc (100);
  errors = VALGRIND_COUNT_ERRORS;
  block[100] = 1;
  g_assert_cmpuint (VALGRIND_COUNT_ERRORS, >, errors);
  sqlite3_free ((void *) block);
#else
  g_test_skip ("valgrind's header is not installed");
#endif
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xi/sqlite-memory/store-installs", test_store_installs);
  g_test_add_func ("/xi/sqlite-memory/sizes", test_sizes);
  g_test_add_func ("/xi/sqlite-memory/thread-ends", test_thread_ends);
  g_test_add_func ("/xi/sqlite-memory/returned", test_returned);
  g_test_add_func ("/xi/sqlite-memory/valgrind-sees-misuse", test_valgrind_sees_misuse);

  return g_test_run ();
}
