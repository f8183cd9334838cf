/* test-store.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xi-contact-filter.h"
#include "xi-limits.h"
#include "xi-store.h"
#include "xi-test-utils.h"

typedef struct
{
  char    *dir;
  char    *path;
  XiStore *store;
} Fixture;

static void
fixture_open (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  f->store = xi_store_new (f->path);
  xi_store_open_async (f->store, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  g_assert_true (xi_store_open_finish (f->store, result, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = xi_test_make_tmpdir ();
  f->path = g_build_filename (f->dir, "store.db", NULL);
  fixture_open (f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  xi_store_close (f->store);
  g_assert_finalize_object (f->store);
  xi_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

/* Synchronous helpers over the async API, for readable tests. */

/* Arguments with unparenthesised commas (compound literals) must be
 * declared as variables first: they would be split into macro arguments. */
#define WAIT(call, finish) \
  G_STMT_START { \
    GAsyncResult *slot_ = NULL; \
    g_autoptr(GAsyncResult) result_ = NULL; \
    call; \
    result_ = xi_test_wait_result (&slot_); \
    finish; \
  } G_STMT_END

static GPtrArray *
list_contacts (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *contacts = NULL;

  WAIT (xi_store_list_contacts_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        contacts = xi_store_list_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return contacts;
}

/* Compares the names of the contacts a search finds, in order and
 * comma-separated, with @expected. */
static void
assert_search (Fixture    *f,
               const char *text,
               const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GString) names = g_string_new (NULL);

  WAIT (xi_store_search_contacts_async (f->store, text, NULL, xi_test_store_result_cb, &slot_),
        contacts = xi_store_search_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < contacts->len; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? "," : "",
                            xi_contact_get_name (g_ptr_array_index (contacts, i)));
  g_assert_cmpstr (names->str, ==, expected);
}

static GPtrArray *
list_groups (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *groups = NULL;

  WAIT (xi_store_list_groups_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        groups = xi_store_list_groups_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return groups;
}

static XiContact *
save_contact (Fixture    *f,
              XiContact  *contact,
              GError    **error)
{
  XiContact *saved = NULL;

  WAIT (xi_store_save_contact_async (f->store, contact, NULL, xi_test_store_result_cb, &slot_),
        saved = xi_store_save_contact_finish (f->store, result_, error));
  return saved;
}

static XiContact *
new_contact (const char *name,
             const char *phone)
{
  XiContact *contact = xi_contact_new ();

  xi_contact_set_name (contact, name);
  xi_contact_set_phone (contact, phone);
  return contact;
}

static XiGroup *
save_group (Fixture    *f,
            XiGroup    *group,
            GError    **error)
{
  XiGroup *saved = NULL;

  WAIT (xi_store_save_group_async (f->store, group, NULL, xi_test_store_result_cb, &slot_),
        saved = xi_store_save_group_finish (f->store, result_, error));
  return saved;
}

static sqlite3 *
open_raw (Fixture *f)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  /* The store brings its search index up to date between operations,
   * a short write at a time. */
  sqlite3_busy_timeout (db, 5000);
  return db;
}

static gint64
count_rows (Fixture    *f,
            const char *sql)
{
  sqlite3 *db = open_raw (f);
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* Tests */

/* Another process holds the write lock past the wait (a long import from
 * the command line while the app saves): the write fails saying why, not
 * with SQLite's "database is locked", and goes through once it is free. */
static void
test_busy_elsewhere (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(XiContact) contact = new_contact ("Budi", "6281234567890");
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = open_raw (f);

  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  saved = save_contact (f, contact, &error);
  g_assert_null (saved);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "Another Xender-In"));
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts"), ==, 0);

  g_clear_error (&error);
  saved = save_contact (f, contact, &error);
  g_assert_no_error (error);
  g_assert_nonnull (saved);
}

static void
test_open_private (Fixture       *f,
                   gconstpointer  data)
{
  static const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (f->path, suffixes[i], NULL);
      struct stat st;

      g_assert_cmpint (g_stat (file, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
    }
  g_assert_cmpint (count_rows (f, "PRAGMA user_version"), ==, XI_STORE_SCHEMA_VERSION);
  g_assert_cmpstr (xi_store_get_master_user_id (f->store), ==, XI_STORE_ANONYMOUS_USER);
}

/* A link planted where the database goes is refused, not followed. */
static void
test_open_refuses_link (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autofree char *target = g_build_filename (dir, "elsewhere.db", NULL);
  g_autoptr(GError) error = NULL;
  XiStore *store;
  gboolean ok = TRUE;

  g_assert_cmpint (symlink (target, path), ==, 0);
  store = xi_store_new (path);
  WAIT (xi_store_open_async (store, NULL, xi_test_store_result_cb, &slot_),
        ok = xi_store_open_finish (store, result_, &error));
  g_assert_false (ok);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "symbolic link"));
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));

  xi_store_close (store);
  g_assert_finalize_object (store);
  xi_test_rm_rf (dir);
}

static void
test_contact_crud (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(XiContact) budi = new_contact ("Budi Santoso", "6281234567890");
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(XiContact) again = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first_id = NULL;
  const char *tags[] = { "vip", "jakarta", NULL };
  const char *delete_ids[] = { NULL, NULL };
  guint deleted = 0;

  xi_contact_set_tags (budi, tags);
  xi_contact_set_custom_field (budi, "city", "Jakarta");
  saved = save_contact (f, budi, &error);
  g_assert_no_error (error);
  g_assert_nonnull (xi_contact_get_id (saved));
  first_id = g_strdup (xi_contact_get_id (saved));
  g_assert_cmpstr (xi_contact_get_custom_field (saved, "city"), ==, "Jakarta");
  g_assert_true (g_strv_equal (xi_contact_get_tags (saved), tags));

  xi_contact_set_name (saved, "Budi S.");
  g_clear_object (&again);
  again = save_contact (f, saved, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (xi_contact_get_name (again), ==, "Budi S.");
  g_assert_cmpint (xi_contact_get_version (again), ==, xi_contact_get_version (saved) + 1);

  contacts = list_contacts (f);
  g_assert_cmpuint (contacts->len, ==, 1);

  delete_ids[0] = first_id;
  WAIT (xi_store_delete_contacts_async (f->store, delete_ids, NULL, xi_test_store_result_cb, &slot_),
        deleted = xi_store_delete_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (deleted, ==, 1);
  g_clear_pointer (&contacts, g_ptr_array_unref);
  contacts = list_contacts (f);
  g_assert_cmpuint (contacts->len, ==, 0);

  /* The row is soft-deleted, and creating the same number revives it. */
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts WHERE deleted = 1"), ==, 1);
  g_clear_object (&again);
  again = save_contact (f, budi, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (xi_contact_get_id (again), ==, first_id);
}

static GPtrArray *
restore_contacts (Fixture            *f,
                  const char * const *ids)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *restored = NULL;

  WAIT (xi_store_restore_contacts_async (f->store, ids, NULL, xi_test_store_result_cb, &slot_),
        restored = xi_store_restore_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return restored;
}

/* Undoing a deletion brings back the contact and the memberships the
 * deletion ended, and nothing else. */
/* The store's search finds what the contacts page's filter shows, whole
 * contacts with their groups, without loading the others. */
static void
test_contact_search (Fixture       *f,
                     gconstpointer  data)
{
  const char *people[][2] = {
    { "Budi Santoso", "6281234567890" },
    { "ÇAĞLA Öztürk", "6285711112222" },
    { "Siti Aminah", "628129990001" },
    { "Gone", "6281200000099" },
  };
  g_autoptr(XiGroup) group = xi_group_new ("Pelanggan");
  g_autoptr(XiGroup) saved_group = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;
  const char *gone[] = { NULL, NULL };
  const char *members[] = { NULL, NULL };
  char *budi_id = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (people); i++)
    {
      g_autoptr(XiContact) contact = new_contact (people[i][0], people[i][1]);
      g_autoptr(XiContact) saved = save_contact (f, contact, &error);

      g_assert_no_error (error);
      if (i == 0)
        budi_id = g_strdup (xi_contact_get_id (saved));
      if (i == 3)
        gone[0] = g_strdup (xi_contact_get_id (saved));
    }
  WAIT (xi_store_delete_contacts_async (f->store, gone, NULL, xi_test_store_result_cb, &slot_),
        xi_store_delete_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_free ((char *)gone[0]);

  WAIT (xi_store_save_group_async (f->store, group, NULL, xi_test_store_result_cb, &slot_),
        saved_group = xi_store_save_group_finish (f->store, result_, &error));
  g_assert_no_error (error);
  members[0] = budi_id;
  WAIT (xi_store_add_group_members_async (f->store, xi_group_get_id (saved_group), members, NULL,
                                          xi_test_store_result_cb, &slot_),
        xi_store_add_group_members_finish (f->store, result_, &error));
  g_assert_no_error (error);

  assert_search (f, "budi", "Budi Santoso");
  assert_search (f, "çağla", "ÇAĞLA Öztürk");
  assert_search (f, "ÖZT", "ÇAĞLA Öztürk");
  /* A number as people write it locally, and a fragment of it. */
  assert_search (f, "0812-3456", "Budi Santoso");
  assert_search (f, "0812", "Budi Santoso,Siti Aminah");
  /* In the contact list's order, where Ç is C. */
  assert_search (f, "a", "Budi Santoso,ÇAĞLA Öztürk,Siti Aminah");
  assert_search (f, "", "Budi Santoso,ÇAĞLA Öztürk,Siti Aminah");
  /* Deleted contacts are not found. */
  assert_search (f, "gone", "");
  assert_search (f, "zzz", "");

  WAIT (xi_store_search_contacts_async (f->store, "santoso", NULL, xi_test_store_result_cb, &slot_),
        found = xi_store_search_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_true (xi_contact_is_in_group (g_ptr_array_index (found, 0), xi_group_get_id (saved_group)));
  g_free (budi_id);
}

static GArray *
list_keys (Fixture         *f,
           const char      *text,
           XiContactFilter *filter)
{
  g_autoptr(GError) error = NULL;
  GArray *keys = NULL;

  WAIT (xi_store_list_contact_keys_async (f->store, text, filter, NULL, xi_test_store_result_cb, &slot_),
        keys = xi_store_list_contact_keys_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_nonnull (keys);
  return keys;
}

/* The contacts that @keys name, by display name, comma-separated; a
 * contact that is gone shows as "-". */
static char *
names_of_keys (Fixture *f,
               GArray  *keys)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  GString *names = g_string_new (NULL);

  WAIT (xi_store_load_contact_keys_async (f->store, (const gint64 *)(gpointer)keys->data, keys->len, NULL,
                                          xi_test_store_result_cb, &slot_),
        contacts = xi_store_load_contact_keys_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (contacts->len, ==, keys->len);
  for (guint i = 0; i < contacts->len; i++)
    {
      XiContact *contact = g_ptr_array_index (contacts, i);

      g_string_append_printf (names, "%s%s", i > 0 ? "," : "",
                              contact != NULL ? xi_contact_get_display_name (contact) : "-");
    }
  return g_string_free (names, FALSE);
}

static char *
search_keys (Fixture    *f,
             const char *typed)
{
  g_autofree char *text = NULL;
  g_autoptr(XiContactFilter) filter = xi_contact_filter_new_from_search (typed, &text);
  g_autoptr(GArray) keys = list_keys (f, text, filter);

  return names_of_keys (f, keys);
}

#define STALE_ROWS "SELECT count (*) FROM contacts_search_stale"

/* Lists are answered as row keys in list order (named contacts by name,
 * then the nameless by number), filtered and searched by the store, and
 * a key of a deleted contact loads as nothing. */
static void
test_contact_keys (Fixture       *f,
                   gconstpointer  data)
{
  static const struct { const char *name; const char *phone; const char *kota; } rows[] = {
    { "budi Santoso", "6281234567890", "Jakarta" },
    { "", "6285700000002", NULL },
    { "Citra Lestari", "6281398765432", "Bandung" },
    { "Ani", "6285600001111", "Jakarta Selatan" },
    { " ", "6285700000001", "Jakarta" },
  };
  g_autoptr(GArray) all = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *budi_id = NULL;
  g_autofree char *listed = NULL;
  g_autofree char *after = NULL;
  const char *gone[] = { NULL, NULL };
  sqlite3 *db;

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(XiContact) contact = new_contact (rows[i].name, rows[i].phone);
      g_autoptr(XiContact) saved = NULL;

      if (rows[i].kota != NULL)
        xi_contact_set_custom_field (contact, "kota", rows[i].kota);
      saved = save_contact (f, contact, &error);
      g_assert_no_error (error);
      if (i == 0)
        budi_id = g_strdup (xi_contact_get_id (saved));
    }

  all = list_keys (f, NULL, NULL);
  listed = names_of_keys (f, all);
  g_assert_cmpstr (listed, ==, "Ani,budi Santoso,Citra Lestari,+62 857-0000-0001,+62 857-0000-0002");

  g_free (listed);
  listed = search_keys (f, "kota:jak");
  g_assert_cmpstr (listed, ==, "Ani,budi Santoso,+62 857-0000-0001");
  g_free (listed);
  listed = search_keys (f, "kota:jak santo");
  g_assert_cmpstr (listed, ==, "budi Santoso");
  g_free (listed);
  listed = search_keys (f, "0813-9876");
  g_assert_cmpstr (listed, ==, "Citra Lestari");
  xi_test_wait_for_search_index (f->path);

  gone[0] = budi_id;
  WAIT (xi_store_delete_contacts_async (f->store, gone, NULL, xi_test_store_result_cb, &slot_),
        xi_store_delete_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  after = names_of_keys (f, all);
  g_assert_cmpstr (after, ==, "Ani,-,Citra Lestari,+62 857-0000-0001,+62 857-0000-0002");

  /* A search of three letters or more is answered by the index alone
   * once it is up to date: without Citra's entry it no longer finds her,
   * while a shorter one, which reads every row, still does. */
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM contacts_search WHERE contacts_search MATCH 'citra'",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_free (listed);
  listed = search_keys (f, "citra");
  g_assert_cmpstr (listed, ==, "");
  g_free (listed);
  listed = search_keys (f, "ci");
  g_assert_cmpstr (listed, ==, "Citra Lestari");
}

/* Runs @sql on a connection of its own, as another process would. */
static void
exec_raw (Fixture    *f,
          const char *sql)
{
  sqlite3 *db = open_raw (f);

  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* Rows changed since the search index was last brought up to date, here
 * or by another process, are found as they are now: a new one, a renamed
 * one under its new name only, a deleted or removed one not at all,
 * each in list order among those the index answers for. The index then
 * catches up on its own and answers the same. */
static void
test_contact_search_stale (Fixture       *f,
                           gconstpointer  data)
{
  static const char * const names[] = { "Budi Santoso", "Budi Utomo", "Citra Budiman", "Siti Aminah",
                                         "Dewi Lestari", "Joko Budianto" };
  g_autoptr(GError) error = NULL;
  g_autoptr(XiContact) siti = NULL;
  g_autoptr(XiContact) renamed = NULL;
  g_autofree char *before = NULL;
  g_autofree char *found = NULL;
  g_autofree char *renamed_away = NULL;
  g_autofree char *removed = NULL;
  g_autofree char *by_number = NULL;
  g_autofree char *indexed = NULL;
  g_autofree char *indexed_away = NULL;
  const char *gone[2] = { NULL, NULL };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812300000%02u", i);
      g_autoptr(XiContact) contact = new_contact (names[i], phone);
      g_autoptr(XiContact) saved = save_contact (f, contact, &error);

      g_assert_no_error (error);
      if (i == 3)
        siti = g_object_ref (saved);
      if (i == 5)
        gone[0] = g_intern_string (xi_contact_get_id (saved));
    }
  before = search_keys (f, "budi");
  g_assert_cmpstr (before, ==, "Budi Santoso,Budi Utomo,Citra Budiman,Joko Budianto");
  xi_test_wait_for_search_index (f->path);

  /* Another process adds a Budi, renames one away and another to one,
   * and removes a row outright; this one deletes Joko and renames Siti. */
  exec_raw (f, "INSERT INTO contacts (id, master_user_id, created_at, updated_at, name, phone, sort_key)"
               " SELECT 'other-1', master_user_id, created_at, updated_at, 'Ani Budiarti', '6281299990001',"
               " '1ani budiarti' FROM contacts WHERE name = 'Budi Santoso';"
               "UPDATE contacts SET name = 'Utomo Saja', sort_key = '1utomo saja' WHERE name = 'Budi Utomo';"
               "UPDATE contacts SET name = 'Dewi Budiwati', sort_key = '1dewi budiwati'"
               " WHERE name = 'Dewi Lestari';"
               "DELETE FROM contacts WHERE name = 'Citra Budiman';");
  WAIT (xi_store_delete_contacts_async (f->store, gone, NULL, xi_test_store_result_cb, &slot_),
        xi_store_delete_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  xi_contact_set_name (siti, "Siti Budi");
  renamed = save_contact (f, siti, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f, STALE_ROWS), ==, 6);

  found = search_keys (f, "budi");
  g_assert_cmpstr (found, ==, "Ani Budiarti,Budi Santoso,Dewi Budiwati,Siti Budi");
  renamed_away = search_keys (f, "utomo");
  g_assert_cmpstr (renamed_away, ==, "Utomo Saja");
  removed = search_keys (f, "citra");
  g_assert_cmpstr (removed, ==, "");
  by_number = search_keys (f, "0812-9999");
  g_assert_cmpstr (by_number, ==, "Ani Budiarti");

  xi_test_wait_for_search_index (f->path);
  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM contacts_search"), ==, 5);
  indexed = search_keys (f, "budi");
  g_assert_cmpstr (indexed, ==, found);
  indexed_away = search_keys (f, "utomo");
  g_assert_cmpstr (indexed_away, ==, "Utomo Saja");
}

/* Contacts the search index has yet to hold when the store opens, left
 * by a crash in the middle of catching up or by another program, are
 * indexed with nobody searching, a transaction at a time; two stores
 * on one file catching up at once index each row once. */
static void
test_search_index_catches_up_after_restart (Fixture       *f,
                                            gconstpointer  data)
{
  g_autoptr(XiStore) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;

  xi_store_close (f->store);
  g_assert_finalize_object (f->store);
  f->store = NULL;
  exec_raw (f, "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 9000)"
               " INSERT INTO contacts (id, master_user_id, created_at, updated_at, name, phone, sort_key)"
               " SELECT 'bulk-' || i, '" XI_STORE_ANONYMOUS_USER "', '2026-12-07', '2026-12-07', 'Bulk ' || i, '62858' || (1000000 + i),"
               " '1bulk ' || i FROM n;"
               /* What a crash after the first transaction left. */
               "INSERT INTO contacts_search (rowid, name, phone)"
               " SELECT rowid, name, phone FROM contacts WHERE rowid <= 1000;"
               "DELETE FROM contacts_search_stale WHERE contact_rowid <= 1000;");
  g_assert_cmpint (count_rows (f, STALE_ROWS), ==, 8000);

  fixture_open (f);
  other = xi_store_new (f->path);
  WAIT (xi_store_open_async (other, NULL, xi_test_store_result_cb, &slot_),
        xi_store_open_finish (other, result_, &error));
  g_assert_no_error (error);
  xi_test_wait_for_search_index (f->path);

  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM contacts_search"), ==, 9000);
  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM contacts_search WHERE contacts_search MATCH '\"bulk 8999\"'"),
                   ==, 1);
  exec_raw (f, "INSERT INTO contacts_search (contacts_search) VALUES ('integrity-check')");
  found = search_keys (f, "bulk 4321");
  g_assert_cmpstr (found, ==, "Bulk 4321");
  xi_store_close (other);
}

/* A search that fails on a damaged index says why, in SQLite's words. */
static void
test_contact_search_damaged (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) keys = NULL;
  g_autoptr(GArray) failed = NULL;
  sqlite3 *db;

  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *name = g_strdup_printf ("Budi Santoso %u", i);
      g_autofree char *phone = g_strdup_printf ("62812000%05u", i);
      g_autoptr(XiContact) contact = new_contact (name, phone);
      g_autoptr(XiContact) saved = save_contact (f, contact, &error);

      g_assert_no_error (error);
    }
  keys = list_keys (f, "budi", NULL);
  g_assert_cmpuint (keys->len, ==, 300);
  xi_test_wait_for_search_index (f->path);

  db = open_raw (f);
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM contacts_search_data WHERE id > 10", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);
  WAIT (xi_store_list_contact_keys_async (f->store, "budi", NULL, NULL, xi_test_store_result_cb, &slot_),
        failed = xi_store_list_contact_keys_finish (f->store, result_, &error));
  g_assert_null (failed);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_null (strstr (error->message, "not an error"));
}

/* Closes the store and opens it again as @user's. */
static void
reopen_as (Fixture    *f,
           const char *user)
{
  g_autoptr(GError) error = NULL;

  xi_store_close (f->store);
  g_assert_finalize_object (f->store);
  f->store = xi_store_new (f->path);
  xi_store_set_master_user_id (f->store, user);
  WAIT (xi_store_open_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        xi_store_open_finish (f->store, result_, &error));
  g_assert_no_error (error);
}

/* Asserts that a search for @typed lists exactly the contacts of the
 * whole list that xi_contact_matches() finds, in the list's order. */
static void
assert_search_keys_match_list (Fixture    *f,
                               const char *typed)
{
  g_autofree char *needle = g_utf8_casefold (typed, -1);
  g_autoptr(GArray) all = list_keys (f, NULL, NULL);
  g_autoptr(GArray) found = list_keys (f, typed, NULL);
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;

  WAIT (xi_store_load_contact_keys_async (f->store, (const gint64 *)(gpointer)all->data, all->len, NULL,
                                          xi_test_store_result_cb, &slot_),
        contacts = xi_store_load_contact_keys_finish (f->store, result_, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < contacts->len; i++)
    if (xi_contact_matches (g_ptr_array_index (contacts, i), needle))
      g_array_append_val (expected, g_array_index (all, gint64, i));

  g_test_message ("search \"%s\": %u of %u contacts", typed, expected->len, all->len);
  g_assert_cmpmem (found->data, found->len * sizeof (gint64), expected->data, expected->len * sizeof (gint64));
}

static gboolean
database_is_mapped (Fixture *f)
{
  g_autofree char *maps = NULL;
  g_autofree char *mapped = g_strdup_printf (" %s\n", f->path);

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  return strstr (maps, mapped) != NULL;
}

/* The store's file stays mapped into memory while searches follow one
 * another, and is not once the store has had nothing to do for a
 * moment. */
static void
assert_database_unmapped_when_idle (Fixture *f)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  g_assert_true (database_is_mapped (f));
  while (database_is_mapped (f))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * G_TIME_SPAN_MILLISECOND);
    }
}

/* A search answered from the index lists the same contacts in the same
 * order as a test of every contact of the list: names saved in an order
 * other than the list's, with capitals and accents, nameless contacts,
 * numbers typed in local form, deleted contacts, another account's
 * contacts and rows another process changed since the last search. */
static void
test_contact_search_order (Fixture       *f,
                           gconstpointer  data)
{
  static const char *firsts[] = { "Budi", "budi", "BUDI", "Çağla", "Straße", "Siti", "Toko 0812", "", "Ani" };
  static const char *lasts[] = { "Santoso", "Budiman", "Öztürk", "Aminah", "" };
  static const char *typed[] = { "budi", "BUDI", "udi s", "çağ", "ÖZT", "stra", "toko 0812", "0812",
                                 "0812-1", "62812", "santoso", "bu", "zzz" };
  static const char *long_names[] = { "Budi Santoso Wijayakusuma", "Budi Santoso Wi", "Budi Santoso Wijaya",
                                      "Budi Santoso Wi Santoso", "Budi Santoso Wijaya", "Budi Santoso Wijaya",
                                      "Rudiyanto Dewi Sari" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (17);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db;

  reopen_as (f, "5f0c9a4e-2b1d-4c7e-9a36-0d8e7f1b2c3a");
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("Budi Lain %u", i);
      g_autofree char *phone = g_strdup_printf ("628120000%04u", i);
      g_autoptr(XiContact) contact = new_contact (name, phone);
      g_autoptr(XiContact) saved = save_contact (f, contact, &error);

      g_assert_no_error (error);
    }
  reopen_as (f, XI_STORE_ANONYMOUS_USER);

  for (guint i = 0; i < 80; i++)
    {
      const char *first = firsts[g_rand_int_range (rand, 0, G_N_ELEMENTS (firsts))];
      const char *last = lasts[g_rand_int_range (rand, 0, G_N_ELEMENTS (lasts))];
      g_autofree char *name = g_strstrip (g_strdup_printf ("%s %s", first, last));
      g_autofree char *phone = g_strdup_printf ("62812%d000%04u", g_rand_int_range (rand, 0, 3), i);
      g_autoptr(XiContact) contact = new_contact (name, phone);
      g_autoptr(XiContact) saved = save_contact (f, contact, &error);

      g_assert_no_error (error);
      if (i % 9 == 4)
        g_ptr_array_add (gone, g_strdup (xi_contact_get_id (saved)));
    }
  /* Names whose sort keys share their first 16 bytes, which the search
   * compares as numbers, and differ after them or in length; and one
   * with every trigram the index is asked for "udi s" but not the text. */
  for (guint i = 0; i < G_N_ELEMENTS (long_names); i++)
    {
      g_autofree char *phone = g_strdup_printf ("62813%d0000%03u", 2 - (int)i % 3, i);
      g_autoptr(XiContact) contact = new_contact (long_names[i], phone);
      g_autoptr(XiContact) saved = save_contact (f, contact, &error);

      g_assert_no_error (error);
    }
  g_ptr_array_add (gone, NULL);
  WAIT (xi_store_delete_contacts_async (f->store, (const char **)gone->pdata, NULL, xi_test_store_result_cb,
                                        &slot_),
        xi_store_delete_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    assert_search_keys_match_list (f, typed[i]);

  /* Another process renames, deletes and restores contacts after the
   * index was brought up to date. */
  db = open_raw (f);
  g_assert_cmpint (sqlite3_exec (db,
                                 "UPDATE contacts SET name = 'Budi Baru' WHERE rowid IN"
                                 " (SELECT rowid FROM contacts WHERE name LIKE 'Siti%' LIMIT 3);"
                                 "UPDATE contacts SET name = 'Ani' WHERE rowid IN"
                                 " (SELECT rowid FROM contacts WHERE name LIKE 'budi%' LIMIT 3);"
                                 "UPDATE contacts SET deleted = 1 WHERE rowid IN"
                                 " (SELECT rowid FROM contacts WHERE name LIKE '%Santoso' AND deleted = 0 LIMIT 2);"
                                 "UPDATE contacts SET deleted = 0 WHERE deleted = 1 AND name LIKE '%budi%';"
                                 /* Numbers longer than 16 bytes that share them. */
                                 "UPDATE contacts SET phone = '6281399999999999' || (1000 - rowid)"
                                 " WHERE name = 'Budi Santoso Wijaya';",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    assert_search_keys_match_list (f, typed[i]);

  /* Another program writes sort keys as blobs, which SQLite lists after
   * every text whatever their bytes. */
  db = open_raw (f);
  g_assert_cmpint (sqlite3_exec (db,
                                 "UPDATE contacts SET sort_key = CAST(sort_key AS BLOB) WHERE rowid IN"
                                 " (SELECT rowid FROM contacts WHERE name LIKE 'Budi%' AND deleted = 0 LIMIT 2)",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    assert_search_keys_match_list (f, typed[i]);
  assert_database_unmapped_when_idle (f);
}

/* Each contact @keys name as its name, or "(PHONE)" without one. */
static char *
names_or_phones_of_keys (Fixture      *f,
                         const gint64 *keys,
                         guint         n_keys)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  GString *names = g_string_new (NULL);

  WAIT (xi_store_load_contact_keys_async (f->store, keys, n_keys, NULL, xi_test_store_result_cb, &slot_),
        contacts = xi_store_load_contact_keys_finish (f->store, result_, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < contacts->len; i++)
    {
      XiContact *contact = g_ptr_array_index (contacts, i);

      if (names->len > 0)
        g_string_append_c (names, ',');
      if (xi_contact_has_name (contact))
        g_string_append (names, xi_contact_get_name (contact));
      else
        g_string_append_printf (names, "(%s)", xi_contact_get_phone (contact));
    }
  return g_string_free (names, FALSE);
}

#define NATURAL_ORDER \
  "Émile,emile,pelanggan 1,Pelanggan 2,Pelanggan 02,Pelanggan 10,Pelanggan 10 b,Pelanggan 100," \
  "Pelanggan 99999999999999999,Pelanggan 100000000000000000,Zaenal,Zoë,zoe,Zulu," \
  "(6285700000001),(6285700000002),(6285700000003)"

/* The list orders names as people read them: numbers by their value,
 * letters without regard to case or accents, the nameless last by
 * number; equal names by number. The keys read a few at a time (as the
 * contacts list pages them) give the same order, xi_contact_compare()
 * agrees with it, and a renamed contact moves. */
static void
test_contact_natural_order (Fixture       *f,
                            gconstpointer  data)
{
  static const char * const rows[][2] = {
    { "Pelanggan 10", "6281200000010" },
    { "Zulu", "6281200000011" },
    { "", "6285700000002" },
    { "Pelanggan 2", "6281200000002" },
    { "zoe", "6281200000013" },
    { "Pelanggan 100", "6281200000100" },
    { "Zoë", "6281200000012" },
    { "Pelanggan 100000000000000000", "6281200000300" },
    { "pelanggan 1", "6281200000001" },
    { " \t", "6285700000003" },
    { "Pelanggan 02", "6281200000003" },
    { "emile", "6281200000015" },
    { "Pelanggan 99999999999999999", "6281200000200" },
    { "Émile", "6281200000014" },
    { "Pelanggan 10 b", "6281200000020" },
    { "Zaenal", "6281200000030" },
    { " ", "6285700000001" },
  };
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GArray) keys = NULL;
  g_autoptr(GString) paged = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(XiContact) zaenal = NULL;
  g_autoptr(XiContact) renamed = NULL;
  g_autofree char *listed = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(XiContact) contact = new_contact (rows[i][0], rows[i][1]);
      g_autoptr(XiContact) saved = save_contact (f, contact, &error);

      g_assert_no_error (error);
      if (g_str_equal (rows[i][0], "Zaenal"))
        zaenal = g_object_ref (saved);
    }

  keys = list_keys (f, NULL, NULL);
  listed = names_or_phones_of_keys (f, (const gint64 *)(gpointer)keys->data, keys->len);
  g_assert_cmpstr (listed, ==, NATURAL_ORDER);

  for (guint i = 0; i < keys->len; i += 4)
    {
      g_autofree char *page = names_or_phones_of_keys (f, &g_array_index (keys, gint64, i),
                                                       MIN (4, keys->len - i));

      g_string_append_printf (paged, "%s%s", i > 0 ? "," : "", page);
    }
  g_assert_cmpstr (paged->str, ==, NATURAL_ORDER);

  contacts = list_contacts (f);
  g_assert_cmpuint (contacts->len, ==, G_N_ELEMENTS (rows));
  for (guint i = 1; i < contacts->len; i++)
    g_assert_cmpint (xi_contact_compare (g_ptr_array_index (contacts, i - 1),
                                         g_ptr_array_index (contacts, i)), <, 0);

  xi_contact_set_name (zaenal, "Pelanggan 3");
  renamed = save_contact (f, zaenal, &error);
  g_assert_no_error (error);
  g_clear_pointer (&keys, g_array_unref);
  g_free (listed);
  keys = list_keys (f, "pelanggan", NULL);
  listed = names_or_phones_of_keys (f, (const gint64 *)(gpointer)keys->data, keys->len);
  g_assert_cmpstr (listed, ==, "pelanggan 1,Pelanggan 2,Pelanggan 02,Pelanggan 3,Pelanggan 10,"
                               "Pelanggan 10 b,Pelanggan 100,Pelanggan 99999999999999999,"
                               "Pelanggan 100000000000000000");
}

/* The ids of @contacts in order, comma-separated. */
static char *
ids_of (GPtrArray *contacts)
{
  GString *ids = g_string_new (NULL);

  for (guint i = 0; i < contacts->len; i++)
    g_string_append_printf (ids, "%s%s", i > 0 ? "," : "",
                            xi_contact_get_id (g_ptr_array_index (contacts, i)));
  return g_string_free (ids, FALSE);
}

/* A segment is decided in SQL, on the rows, and chooses exactly the
 * contacts, in the list's order, that xi_contact_filter_matches () does
 * on whole contacts: every kind of condition, each way round. */
static void
test_filter_in_sql (Fixture       *f,
                    gconstpointer  data)
{
  static const char * const filters[][4] = {
    { "kota=jakarta", NULL },
    { "kota~JAK", "opted_out=no", NULL },
    { "kota!=Bandung", NULL },
    { "kota=", NULL },
    { "group=Pameran", NULL },
    { "group!=Pameran", "#vip", NULL },
    { "messaged=no", NULL },
    { "messaged=yes", "kota!=Bandung", NULL },
    { "replied!=Promo", NULL },
    { "name~pelanggan 1", NULL },
    { "name=", NULL },
    { "phone~00001", NULL },
    { "tag=grosir", NULL },
    { "tag!=vip", "opted_out=yes", NULL },
    { "#vip", "#grosir", NULL },
    { "whatsapp=yes", NULL },
    { "whatsapp!=unknown", "group=Pameran", NULL },
    { "group=ruko", NULL },
    { "group!=Ruko", "group=Pameran", NULL },
    { "group=Kecil", "#vip", NULL },
    /* Leaving out a few members walks the list order's index; leaving
     * out many reads the table. */
    { "group!=kecil", NULL },
    { "group!=kecil", "group!=Ruko", NULL },
    { "group!=Pameran", NULL },
  };
  static const char * const vip[] = { "vip", NULL };
  static const char * const both[] = { "VIP", "grosir", NULL };
  static const char * const kota[] = { "Jakarta", "jakarta selatan", NULL, "Bandung" };
  g_autoptr(XiGroup) group = xi_group_new ("Pameran");
  g_autoptr(XiGroup) saved_group = NULL;
  g_autoptr(GPtrArray) everybody = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) messaged = g_string_new (NULL);
  sqlite3 *db;

  saved_group = save_group (f, group, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *name = i % 7 == 0 ? g_strdup ("") : g_strdup_printf ("Pelanggan %u", i);
      g_autofree char *phone = g_strdup_printf ("62812000%05u", i);
      g_autoptr(XiContact) contact = new_contact (name, phone);
      g_autoptr(XiContact) saved = NULL;
      const char *groups[] = { xi_group_get_id (saved_group), NULL };

      xi_contact_set_tags (contact, i % 3 == 0 ? vip : i % 3 == 1 ? both : NULL);
      if (kota[i % 4] != NULL)
        xi_contact_set_custom_field (contact, "kota", kota[i % 4]);
      xi_contact_set_opted_out (contact, i % 5 == 0);
      if (i % 2 == 0)
        xi_contact_set_group_ids (contact, groups);
      saved = save_contact (f, contact, &error);
      g_assert_no_error (error);
      if (i % 6 <= 1)
        g_string_append_printf (messaged, "%s('r%u', '%s', '%s', '2026-12-06T10:00:00.000Z',"
                                " '2026-12-06T10:00:00.000Z', 'j1', %u, '%s', '%s')",
                                messaged->len > 0 ? "," : "", i, xi_contact_get_id (saved),
                                XI_STORE_ANONYMOUS_USER, i, phone, i % 6 == 0 ? "sent" : "pending");
    }

  /* Messaged: sent to those of i % 6 == 0; queued for i % 6 == 1, which
   * does not count. The campaign, Promo, got a reply from number 12. On
   * WhatsApp: those of i % 3 == 2. */
  db = open_raw (f);
  {
    g_autofree char *sql = g_strdup_printf ("INSERT INTO job_recipients (id, contact_id, master_user_id,"
                                            " created_at, updated_at, job_id, position, phone, state)"
                                            " VALUES %s;"
                                            "INSERT INTO jobs (id, master_user_id, created_at,"
                                            " updated_at, name) VALUES ('j1', '%s',"
                                            " '2026-12-06T10:00:00.000Z', '2026-12-06T10:00:00.000Z',"
                                            " 'Promo');"
                                            "INSERT INTO incoming_messages (id, master_user_id,"
                                            " created_at, updated_at, wa_message_id, from_jid, phone,"
                                            " contact_id, job_id, received_at)"
                                            " SELECT 'in1', master_user_id, created_at, updated_at,"
                                            " 'W1', phone || '@s.whatsapp.net', phone, id, 'j1',"
                                            " created_at FROM contacts WHERE phone = '6281200000012';"
                                            "UPDATE contacts SET on_whatsapp = 1"
                                            " WHERE CAST (substr (phone, -5) AS INTEGER) %% 3 = 2;"
                                            /* A group as a sync pull may write it, its id
                                             * quoted in SQL; i %% 4 == 3 were removed. */
                                            "INSERT INTO groups (id, master_user_id, created_at,"
                                            " updated_at, name) VALUES ('ru''ko', '%s',"
                                            " '2026-12-06T10:00:00.000Z', '2026-12-06T10:00:00.000Z',"
                                            " 'Ruko');"
                                            "INSERT INTO group_members (id, master_user_id, created_at,"
                                            " updated_at, deleted, group_id, contact_id)"
                                            " SELECT 'gm' || rowid, master_user_id, created_at,"
                                            " updated_at, CAST (substr (phone, -5) AS INTEGER) %% 4 = 3,"
                                            " 'ru''ko', id FROM contacts"
                                            " WHERE CAST (substr (phone, -5) AS INTEGER) %% 2 = 1;"
                                            /* A group few enough to be read by its
                                             * members: i %% 20 == 1, and 2 removed. */
                                            "INSERT INTO groups (id, master_user_id, created_at,"
                                            " updated_at, name) VALUES ('kecil', '%s',"
                                            " '2026-12-06T10:00:00.000Z', '2026-12-06T10:00:00.000Z',"
                                            " 'Kecil');"
                                            "INSERT INTO group_members (id, master_user_id, created_at,"
                                            " updated_at, deleted, group_id, contact_id)"
                                            " SELECT 'gk' || rowid, master_user_id, created_at,"
                                            " updated_at, CAST (substr (phone, -5) AS INTEGER) %% 20 = 2,"
                                            " 'kecil', id FROM contacts"
                                            " WHERE CAST (substr (phone, -5) AS INTEGER) %% 20 IN (1, 2)",
                                            messaged->str, XI_STORE_ANONYMOUS_USER, XI_STORE_ANONYMOUS_USER,
                                            XI_STORE_ANONYMOUS_USER);

    g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  }
  sqlite3_close (db);

  everybody = list_contacts (f);
  g_assert_cmpuint (everybody->len, ==, 60);

  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    {
      g_autoptr(XiContactFilter) filter = xi_contact_filter_new_from_conditions (filters[i], &error);
      g_autoptr(GPtrArray) chosen = NULL;
      g_autoptr(GPtrArray) expected = g_ptr_array_new ();
      g_autofree char *chosen_ids = NULL;
      g_autofree char *expected_ids = NULL;

      g_assert_no_error (error);
      WAIT (xi_store_filter_contacts_async (f->store, filter, NULL, xi_test_store_result_cb, &slot_),
            chosen = xi_store_filter_contacts_finish (f->store, result_, &error));
      g_assert_no_error (error);

      /* The call resolved the filter's groups and campaigns, so the
       * contacts themselves can be judged here as before. */
      for (guint j = 0; j < everybody->len; j++)
        if (xi_contact_filter_matches (filter, g_ptr_array_index (everybody, j)))
          g_ptr_array_add (expected, g_ptr_array_index (everybody, j));
      g_assert_cmpuint (expected->len, >, 0);
      g_assert_cmpuint (expected->len, <, everybody->len);

      chosen_ids = ids_of (chosen);
      expected_ids = ids_of (expected);
      g_assert_cmpstr (chosen_ids, ==, expected_ids);

      /* Only the ids, as a segment's campaign takes them. */
      {
        g_auto(GStrv) ids = NULL;
        g_autofree char *joined = NULL;

        WAIT (xi_store_filter_contact_ids_async (f->store, filter, NULL, xi_test_store_result_cb, &slot_),
              ids = xi_store_filter_contact_ids_finish (f->store, result_, &error));
        g_assert_no_error (error);
        joined = g_strjoinv (",", ids);
        g_assert_cmpstr (joined, ==, expected_ids);
      }
    }
}

static void
test_contact_restore (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(XiGroup) kept_new = xi_group_new ("Kept");
  g_autoptr(XiGroup) left_new = xi_group_new ("Left before");
  g_autoptr(XiGroup) gone_new = xi_group_new ("Deleted since");
  g_autoptr(XiGroup) kept = NULL;
  g_autoptr(XiGroup) left = NULL;
  g_autoptr(XiGroup) gone = NULL;
  g_autoptr(XiContact) a_new = new_contact ("A", "6281300000001");
  g_autoptr(XiContact) b_new = new_contact ("B", "6281300000002");
  g_autoptr(XiContact) c_new = new_contact ("C", "6281300000003");
  g_autoptr(XiContact) a = NULL;
  g_autoptr(XiContact) b = NULL;
  g_autoptr(XiContact) c = NULL;
  g_autoptr(XiContact) c_moved = NULL;
  g_autoptr(GPtrArray) restored = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;
  const char *group_ids[] = { NULL, NULL, NULL, NULL };
  const char *only_a[] = { NULL, NULL };
  const char *a_and_b[] = { NULL, NULL, NULL };
  XiContact *back;
  gboolean done = FALSE;
  guint n = 0;

  kept = save_group (f, kept_new, &error);
  left = save_group (f, left_new, &error);
  gone = save_group (f, gone_new, &error);
  g_assert_no_error (error);
  group_ids[0] = xi_group_get_id (kept);
  group_ids[1] = xi_group_get_id (left);
  group_ids[2] = xi_group_get_id (gone);
  xi_contact_set_group_ids (a_new, group_ids);
  xi_contact_set_custom_field (a_new, "kota", "Bandung");
  a = save_contact (f, a_new, &error);
  b = save_contact (f, b_new, &error);
  c = save_contact (f, c_new, &error);
  g_assert_no_error (error);
  only_a[0] = a_and_b[0] = xi_contact_get_id (a);
  a_and_b[1] = xi_contact_get_id (b);

  WAIT (xi_store_remove_group_members_async (f->store, xi_group_get_id (left), only_a,
                                             NULL, xi_test_store_result_cb, &slot_),
        n = xi_store_remove_group_members_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  /* The memberships the deletion ends carry its time stamp, in
   * milliseconds: the earlier removal must not share it. */
  g_usleep (5000);

  WAIT (xi_store_delete_contacts_async (f->store, a_and_b, NULL, xi_test_store_result_cb, &slot_),
        n = xi_store_delete_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);
  WAIT (xi_store_delete_group_async (f->store, xi_group_get_id (gone), NULL, xi_test_store_result_cb, &slot_),
        done = xi_store_delete_group_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (done);

  /* C takes B's number while B is deleted: B cannot come back. */
  xi_contact_set_phone (c, "6281300000002");
  c_moved = save_contact (f, c, &error);
  g_assert_no_error (error);

  restored = restore_contacts (f, a_and_b);
  g_assert_cmpuint (restored->len, ==, 1);
  back = g_ptr_array_index (restored, 0);
  g_assert_cmpstr (xi_contact_get_id (back), ==, xi_contact_get_id (a));
  g_assert_cmpstr (xi_contact_get_custom_field (back, "kota"), ==, "Bandung");
  g_assert_true (xi_contact_is_in_group (back, xi_group_get_id (kept)));
  g_assert_false (xi_contact_is_in_group (back, xi_group_get_id (left)));
  g_assert_false (xi_contact_is_in_group (back, xi_group_get_id (gone)));
  g_assert_cmpuint (g_strv_length ((char **)xi_contact_get_group_ids (back)), ==, 1);
  /* A new version, for the sync engine to push like any edit. */
  g_assert_cmpint (xi_contact_get_version (back), ==, xi_contact_get_version (a) + 2);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts WHERE deleted = 0"
                                  " AND sync_status = 'pending' AND name = 'A'"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts WHERE deleted = 1"), ==, 1);

  /* A live contact is left as it is. */
  again = restore_contacts (f, only_a);
  g_assert_cmpuint (again->len, ==, 0);
}

static void
test_contact_rules (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(XiContact) a = new_contact ("Ani", "6281111111111");
  g_autoptr(XiContact) b = new_contact ("Bayu", "6281111111111");
  g_autoptr(XiContact) bad = new_contact ("Bad", "0812-abc");
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(XiContact) saved_wordy = NULL;
  g_autoptr(XiContact) none = NULL;
  g_autoptr(GError) error = NULL;

  saved = save_contact (f, a, &error);
  g_assert_no_error (error);

  none = save_contact (f, b, &error);
  g_assert_null (none);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_DUPLICATE);
  g_assert_nonnull (strstr (error->message, "Ani"));
  g_clear_error (&error);

  none = save_contact (f, bad, &error);
  g_assert_null (none);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Issue 18: digits a campaign would skip as an invalid number are not
   * stored, and nor is a name past its limit. */
  {
    g_autoptr(XiContact) skipped = new_contact ("Peru", "5105552631");
    g_autofree char *long_name = g_strnfill (XI_LIMIT_NAME_CHARS + 1, 'a');
    g_autoptr(XiContact) wordy = new_contact (long_name, "6281222222222");

    none = save_contact (f, skipped, &error);
    g_assert_null (none);
    g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID);
    g_clear_error (&error);

    none = save_contact (f, wordy, &error);
    g_assert_null (none);
    g_assert_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_LONG);
    g_clear_error (&error);

    xi_contact_set_name (wordy, "Wati");
    xi_contact_set_custom_field (wordy, "kota", long_name);
    saved_wordy = save_contact (f, wordy, &error);
    g_assert_no_error (error);
  }
}

static void
test_scoping (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(XiContact) mine = new_contact ("Mine", "6281200000001");
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  saved = save_contact (f, mine, &error);
  g_assert_no_error (error);

  /* Another tenant's rows in the same file stay invisible, even with the
   * same phone number. */
  db = open_raw (f);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO contacts (id, master_user_id, created_at, updated_at,"
                                 " name, phone) VALUES ('other-1', 'someone-else', 'x', 'x',"
                                 " 'Theirs', '6281200000001');"
                                 "INSERT INTO groups (id, master_user_id, created_at, updated_at,"
                                 " name) VALUES ('g-other', 'someone-else', 'x', 'x', 'Theirs');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  contacts = list_contacts (f);
  g_assert_cmpuint (contacts->len, ==, 1);
  g_assert_cmpstr (xi_contact_get_name (g_ptr_array_index (contacts, 0)), ==, "Mine");
  g_clear_pointer (&contacts, g_ptr_array_unref);
  contacts = list_groups (f);
  g_assert_cmpuint (contacts->len, ==, 0);

  {
    guint added = 99;
    const char *ids[] = { xi_contact_get_id (saved), NULL };

    WAIT (xi_store_add_group_members_async (f->store, "g-other", ids,
                                            NULL, xi_test_store_result_cb, &slot_),
          added = xi_store_add_group_members_finish (f->store, result_, &error));
    g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND);
    g_assert_cmpuint (added, ==, 0);
  }
}

static void
test_groups (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(XiGroup) pelanggan = xi_group_new ("Pelanggan");
  g_autoptr(XiGroup) dup = xi_group_new ("  pelanggan ");
  g_autoptr(XiGroup) saved = NULL;
  g_autoptr(XiGroup) none = NULL;
  g_autoptr(XiContact) a = NULL;
  g_autoptr(XiContact) b = NULL;
  g_autoptr(XiContact) a_new = new_contact ("A", "6281300000001");
  g_autoptr(XiContact) b_new = new_contact ("B", "6281300000002");
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;
  const char *both[] = { NULL, NULL, NULL, NULL };
  const char *only_b[] = { NULL, NULL };
  guint n = 0;

  saved = save_group (f, pelanggan, &error);
  g_assert_no_error (error);
  none = save_group (f, dup, &error);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_DUPLICATE);
  g_clear_error (&error);

  a = save_contact (f, a_new, &error);
  b = save_contact (f, b_new, &error);
  g_assert_no_error (error);

  both[0] = both[2] = xi_contact_get_id (a);
  both[1] = only_b[0] = xi_contact_get_id (b);

  WAIT (xi_store_add_group_members_async (f->store, xi_group_get_id (saved), both,
                                          NULL, xi_test_store_result_cb, &slot_),
        n = xi_store_add_group_members_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);

  groups = list_groups (f);
  g_assert_cmpuint (groups->len, ==, 1);
  g_assert_cmpuint (xi_group_get_member_count (g_ptr_array_index (groups, 0)), ==, 2);

  contacts = list_contacts (f);
  g_assert_true (xi_contact_is_in_group (g_ptr_array_index (contacts, 0), xi_group_get_id (saved)));

  WAIT (xi_store_remove_group_members_async (f->store, xi_group_get_id (saved), only_b,
                                             NULL, xi_test_store_result_cb, &slot_),
        n = xi_store_remove_group_members_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);

  /* Rename keeps members; delete keeps contacts. */
  xi_group_set_name (saved, "Pelanggan Setia");
  g_clear_object (&none);
  none = save_group (f, saved, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (xi_group_get_member_count (none), ==, 1);

  {
    gboolean ok = FALSE;

    WAIT (xi_store_delete_group_async (f->store, xi_group_get_id (saved), NULL,
                                       xi_test_store_result_cb, &slot_),
          ok = xi_store_delete_group_finish (f->store, result_, &error));
    g_assert_no_error (error);
    g_assert_true (ok);
  }

  g_clear_pointer (&groups, g_ptr_array_unref);
  groups = list_groups (f);
  g_assert_cmpuint (groups->len, ==, 0);
  g_clear_pointer (&contacts, g_ptr_array_unref);
  contacts = list_contacts (f);
  g_assert_cmpuint (contacts->len, ==, 2);
  g_assert_false (xi_contact_is_in_group (g_ptr_array_index (contacts, 0), xi_group_get_id (saved)));
}

/* The member count of each group in @groups, in order, comma-separated. */
static char *
member_counts (GPtrArray *groups)
{
  GString *counts = g_string_new (NULL);

  for (guint i = 0; i < groups->len; i++)
    g_string_append_printf (counts, "%s%s=%u", i > 0 ? "," : "",
                            xi_group_get_name (g_ptr_array_index (groups, i)),
                            xi_group_get_member_count (g_ptr_array_index (groups, i)));
  return g_string_free (counts, FALSE);
}

/* Sync applies a pulled contact's deletion before the deletion of its
 * memberships, and another program may delete a contact without them:
 * such a contact is not a member, whether or not its membership was
 * removed as well. */
static void
test_group_member_counts (Fixture       *f,
                          gconstpointer  data)
{
  static const char *names[] = { "A", "B", "C", "D" };
  g_autoptr(XiGroup) one_new = xi_group_new ("Satu");
  g_autoptr(XiGroup) two_new = xi_group_new ("Dua");
  g_autoptr(XiGroup) one = NULL;
  g_autoptr(XiGroup) two = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *counts = NULL;
  g_autofree char *sql = NULL;
  XiContact *contacts[G_N_ELEMENTS (names)];
  const char *in_one[4] = { NULL };
  const char *in_two[3] = { NULL };
  const char *only_c[2] = { NULL };
  sqlite3 *db;
  guint n = 0;

  one = save_group (f, one_new, &error);
  g_assert_no_error (error);
  two = save_group (f, two_new, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(XiContact) contact = new_contact (names[i], NULL);
      g_autofree char *phone = g_strdup_printf ("628130000001%u", i);

      xi_contact_set_phone (contact, phone);
      contacts[i] = save_contact (f, contact, &error);
      g_assert_no_error (error);
    }
  in_one[0] = in_two[0] = xi_contact_get_id (contacts[0]);
  in_one[1] = xi_contact_get_id (contacts[1]);
  in_one[2] = only_c[0] = xi_contact_get_id (contacts[2]);
  in_two[1] = xi_contact_get_id (contacts[3]);
  WAIT (xi_store_add_group_members_async (f->store, xi_group_get_id (one), in_one, NULL,
                                          xi_test_store_result_cb, &slot_),
        n = xi_store_add_group_members_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  WAIT (xi_store_add_group_members_async (f->store, xi_group_get_id (two), in_two, NULL,
                                          xi_test_store_result_cb, &slot_),
        n = xi_store_add_group_members_finish (f->store, result_, &error));
  g_assert_no_error (error);
  WAIT (xi_store_remove_group_members_async (f->store, xi_group_get_id (one), only_c, NULL,
                                             xi_test_store_result_cb, &slot_),
        n = xi_store_remove_group_members_finish (f->store, result_, &error));
  g_assert_no_error (error);

  groups = list_groups (f);
  counts = member_counts (groups);
  g_assert_cmpstr (counts, ==, "Dua=2,Satu=2");

  /* A is deleted with its two memberships left live; C, already out of
   * Satu, is deleted too and must not be taken off twice. */
  db = open_raw (f);
  sql = g_strdup_printf ("UPDATE contacts SET deleted = 1 WHERE id IN ('%s', '%s')",
                         xi_contact_get_id (contacts[0]), xi_contact_get_id (contacts[2]));
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_clear_pointer (&groups, g_ptr_array_unref);
  g_clear_pointer (&counts, g_free);
  groups = list_groups (f);
  counts = member_counts (groups);
  g_assert_cmpstr (counts, ==, "Dua=1,Satu=1");

  g_clear_object (&one_new);
  one_new = save_group (f, one, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (xi_group_get_member_count (one_new), ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_object_unref (contacts[i]);
}

static void
test_templates (Fixture       *f,
                gconstpointer  data)
{
  const char *variants[] = { "Halo {name}!", "Hai {name|Kak}", NULL };
  const char *empty_variants[] = { "  ", NULL };
  g_autoptr(XiTemplate) promo = xi_template_new ("Promo");
  g_autoptr(XiTemplate) dup = xi_template_new ("PROMO");
  g_autoptr(XiTemplate) empty = xi_template_new ("Empty");
  g_autoptr(XiTemplate) saved = NULL;
  g_autoptr(XiTemplate) none = NULL;
  g_autoptr(GPtrArray) templates = NULL;
  g_autoptr(GError) error = NULL;

  xi_template_set_variants (promo, variants);
  WAIT (xi_store_save_template_async (f->store, promo, NULL, xi_test_store_result_cb, &slot_),
        saved = xi_store_save_template_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (g_strv_equal (xi_template_get_variants (saved), variants));

  xi_template_set_variants (dup, variants);
  WAIT (xi_store_save_template_async (f->store, dup, NULL, xi_test_store_result_cb, &slot_),
        none = xi_store_save_template_finish (f->store, result_, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_DUPLICATE);
  g_clear_error (&error);

  /* Issue 18: a 120 KB variant is more than any message can be. */
  {
    g_autoptr(XiTemplate) huge = xi_template_new ("Huge");
    g_autofree char *text = g_strnfill (120 * 1024, 'x');
    const char *huge_variants[] = { "Halo", text, NULL };

    xi_template_set_variants (huge, huge_variants);
    WAIT (xi_store_save_template_async (f->store, huge, NULL, xi_test_store_result_cb, &slot_),
          none = xi_store_save_template_finish (f->store, result_, &error));
    g_assert_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_LONG);
    g_assert_nonnull (strstr (error->message, "Variant 2"));
    g_clear_error (&error);
  }

  xi_template_set_variants (empty, empty_variants);
  WAIT (xi_store_save_template_async (f->store, empty, NULL, xi_test_store_result_cb, &slot_),
        none = xi_store_save_template_finish (f->store, result_, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID);
  g_clear_error (&error);

  WAIT (xi_store_list_templates_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        templates = xi_store_list_templates_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (templates->len, ==, 1);

  {
    gboolean ok = FALSE;

    WAIT (xi_store_delete_template_async (f->store, xi_template_get_id (saved), NULL,
                                          xi_test_store_result_cb, &slot_),
          ok = xi_store_delete_template_finish (f->store, result_, &error));
    g_assert_no_error (error);
    g_assert_true (ok);
  }
}

static XiImportRow *
import_row (guint       line,
            const char *name,
            const char *phone,
            const char *tag,
            const char *city)
{
  XiImportRow *row = g_new0 (XiImportRow, 1);

  row->line = line;
  row->name = g_strdup (name);
  row->phone = g_strdup (phone);
  row->tags = tag != NULL ? g_strsplit (tag, ",", -1) : g_new0 (char *, 1);
  row->groups = g_new0 (char *, 1);
  row->custom_values = g_new0 (char *, 1);
  row->custom_values[0] = g_strdup (city);
  row->notes = NULL;
  return row;
}

static XiImportBatch *
make_batch (guint n_extra)
{
  XiImportBatch *batch = xi_import_batch_new ();
  XiImportIssue *issue = g_new0 (XiImportIssue, 1);
  const char *names[] = { "city", NULL };

  g_strfreev (batch->custom_field_names);
  batch->custom_field_names = g_strdupv ((char **)names);

  g_ptr_array_add (batch->rows, import_row (2, "Siti", "6285700000001", "vip", "Bandung"));
  g_ptr_array_add (batch->rows, import_row (3, "", "6285700000002", NULL, NULL));
  /* The same number twice in one file: the second updates the first. */
  g_ptr_array_add (batch->rows, import_row (4, "Siti Aminah", "6285700000001", "reseller", NULL));
  for (guint i = 0; i < n_extra; i++)
    {
      g_autofree char *phone = g_strdup_printf ("628580%07u", i);
      g_ptr_array_add (batch->rows, import_row (5 + i, "Bulk", phone, NULL, NULL));
    }

  issue->line = 9;
  issue->excerpt = g_strdup ("12");
  issue->reason = g_strdup ("too short");
  g_ptr_array_add (batch->issues, issue);
  batch->n_records = batch->rows->len + 1;

  return batch;
}

/* A row of a file with two custom columns, city and toko. */
static XiImportRow *
shop_row (guint       line,
          const char *phone,
          const char *city,
          const char *toko)
{
  XiImportRow *row = import_row (line, "Siti", phone, NULL, city);

  row->custom_values = g_renew (char *, row->custom_values, 2);
  row->custom_values[1] = g_strdup (toko);
  return row;
}

static void
raw_exec (Fixture    *f,
          const char *sql)
{
  sqlite3 *db = open_raw (f);

  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* Checks that the custom fields the store lists are @expected
 * (comma-separated), and that their kept counts are what reading every
 * contact's JSON counts. */
static void
assert_custom_fields (Fixture    *f,
                      const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *listed = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *counted = NULL;

  WAIT (xi_store_list_custom_fields_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        names = xi_store_list_custom_fields_finish (f->store, result_, &error));
  g_assert_no_error (error);
  listed = g_strjoinv (",", names);
  g_assert_cmpstr (listed, ==, expected);

  kept = xi_test_sqlite_text (f->path,
                              "SELECT ifnull (group_concat (name || '=' || contacts), '')"
                              " FROM (SELECT name, contacts FROM contact_fields ORDER BY name)");
  counted = xi_test_sqlite_text (f->path,
                                 "SELECT ifnull (group_concat (name || '=' || n), '') FROM"
                                 " (SELECT f.key AS name, count (*) AS n FROM contacts c,"
                                 "  json_each (CASE WHEN json_valid (c.custom_fields) THEN"
                                 "   CASE json_type (c.custom_fields) WHEN 'object'"
                                 "   THEN c.custom_fields END END) f"
                                 "  WHERE c.deleted = 0 GROUP BY f.key ORDER BY f.key)");
  g_assert_cmpstr (kept, ==, counted);
}

#define RAW_CONTACT(id, phone, fields) \
  "INSERT INTO contacts (id, master_user_id, created_at, updated_at, phone, custom_fields)" \
  " VALUES ('" id "', (SELECT master_user_id FROM contacts LIMIT 1), '2026-12-07T00:00:00.000Z'," \
  " '2026-12-07T00:00:00.000Z', '" phone "', '" fields "');"

/* The names of contacts' custom fields are kept as rows change, whoever
 * changes them: this store, another program with SQLite itself, a large
 * import that pauses the trigger and counts them itself. */
static void
test_custom_field_names (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(XiContact) a_new = new_contact ("A", "6281300000021");
  g_autoptr(XiContact) b_new = new_contact ("B", "6281300000022");
  g_autoptr(XiContact) a = NULL;
  g_autoptr(XiContact) b = NULL;
  g_autoptr(XiContact) b_edited = NULL;
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GPtrArray) restored = NULL;
  g_autoptr(GError) error = NULL;
  XiImportBatch *batch;
  const char *gone[2] = { NULL };
  const char *names[] = { "city", "toko", NULL };

  assert_custom_fields (f, "");

  xi_contact_set_custom_field (a_new, "kota", "Bandung");
  xi_contact_set_custom_field (a_new, "email", "a@example.com");
  xi_contact_set_custom_field (b_new, "kota", "Medan");
  a = save_contact (f, a_new, &error);
  g_assert_no_error (error);
  b = save_contact (f, b_new, &error);
  g_assert_no_error (error);
  assert_custom_fields (f, "email,kota");

  xi_contact_set_custom_field (b, "kota", NULL);
  xi_contact_set_custom_field (b, "hobi", "catur");
  b_edited = save_contact (f, b, &error);
  g_assert_no_error (error);
  assert_custom_fields (f, "email,hobi,kota");

  gone[0] = xi_contact_get_id (a);
  WAIT (xi_store_delete_contacts_async (f->store, gone, NULL, xi_test_store_result_cb, &slot_),
        xi_store_delete_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  assert_custom_fields (f, "hobi");
  restored = restore_contacts (f, gone);
  assert_custom_fields (f, "email,hobi,kota");

  /* Another program: JSON that is no object has no names and fails no
   * write; a row deleted outright takes its names with it. */
  raw_exec (f, RAW_CONTACT ("r1", "6281300000031", "{\"toko\":\"Maju\",\"kota\":\"Solo\"}")
               RAW_CONTACT ("r2", "6281300000032", "not json")
               RAW_CONTACT ("r3", "6281300000033", "[1, 2]"));
  assert_custom_fields (f, "email,hobi,kota,toko");
  raw_exec (f, "UPDATE contacts SET custom_fields = '{\"toko\":\"Jaya\"}' WHERE id = 'r2';"
               "UPDATE contacts SET custom_fields = 'oops' WHERE id = 'r1';");
  assert_custom_fields (f, "email,hobi,kota,toko");
  raw_exec (f, "DELETE FROM contacts WHERE id = 'r2'");
  assert_custom_fields (f, "email,hobi,kota");

  /* A large import: the first row is new, the second merges into it and
   * adds a field, the rest are new with a city each. */
  batch = xi_import_batch_new ();
  g_strfreev (batch->custom_field_names);
  batch->custom_field_names = g_strdupv ((char **)names);
  g_ptr_array_add (batch->rows, shop_row (2, "6285700000001", "Bandung", NULL));
  g_ptr_array_add (batch->rows, shop_row (3, "6285700000001", NULL, "Maju"));
  for (guint i = 0; i < 1500; i++)
    {
      g_autofree char *phone = g_strdup_printf ("628580%07u", i);

      g_ptr_array_add (batch->rows, shop_row (4 + i, phone, "Medan", NULL));
    }
  batch->n_records = batch->rows->len + 1;
  WAIT (xi_store_import_contacts_async (f->store, batch, NULL, NULL, NULL, NULL, NULL,
                                        xi_test_store_result_cb, &slot_),
        report = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report->imported, ==, 1501);
  g_assert_cmpuint (report->updated, ==, 1);
  assert_custom_fields (f, "city,email,hobi,kota,toko");
  g_assert_cmpuint (count_rows (f, "SELECT contacts FROM contact_fields WHERE name = 'city'"), ==, 1501);
  g_assert_cmpuint (count_rows (f, "SELECT count (*) FROM sqlite_schema WHERE type = 'trigger'"
                                   " AND name = 'contact_fields_insert'"), ==, 1);
}

static void
progress_cb (double   fraction,
             gpointer user_data)
{
  double *last = user_data;

  g_assert_cmpfloat (fraction, >=, *last);
  *last = fraction;
}

static void
test_import (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(XiContact) existing = new_contact ("Dewi", "6285700000002");
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) fields = NULL;
  double last = 0.0;
  XiContact *siti = NULL;
  XiContact *dewi = NULL;
  const char * const dewi_tags[] = { "zeta", "alpha", NULL };

  xi_contact_set_opted_out (existing, TRUE);
  xi_contact_set_tags (existing, dewi_tags);
  saved = save_contact (f, existing, &error);
  g_assert_no_error (error);

  WAIT (xi_store_import_contacts_async (f->store, make_batch (0), "Pameran 2026",
                                        progress_cb, &last, NULL, NULL,
                                        xi_test_store_result_cb, &slot_),
        report = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report->imported, ==, 1);
  g_assert_cmpuint (report->updated, ==, 2);
  g_assert_cmpuint (report->skipped, ==, 1);
  g_assert_cmpuint (report->issues->len, ==, 1);
  g_assert_cmpfloat (last, ==, 1.0);

  contacts = list_contacts (f);
  g_assert_cmpuint (contacts->len, ==, 2);
  for (guint i = 0; i < contacts->len; i++)
    {
      XiContact *c = g_ptr_array_index (contacts, i);
      if (g_str_equal (xi_contact_get_phone (c), "6285700000001"))
        siti = c;
      else
        dewi = c;
    }

  /* Merged: later name wins, tags are united, fields kept. */
  g_assert_cmpstr (xi_contact_get_name (siti), ==, "Siti Aminah");
  g_assert_true (g_strv_contains (xi_contact_get_tags (siti), "vip"));
  g_assert_true (g_strv_contains (xi_contact_get_tags (siti), "reseller"));
  g_assert_cmpstr (xi_contact_get_custom_field (siti, "city"), ==, "Bandung");
  /* An empty cell never erases, and an import never lifts an opt-out. */
  g_assert_cmpstr (xi_contact_get_name (dewi), ==, "Dewi");
  g_assert_true (xi_contact_get_opted_out (dewi));
  /* A row without tags leaves them as the user wrote them, in order. */
  g_assert_true (g_strv_equal (xi_contact_get_tags (dewi), dewi_tags));

  groups = list_groups (f);
  g_assert_cmpuint (groups->len, ==, 1);
  g_assert_cmpstr (xi_group_get_name (g_ptr_array_index (groups, 0)), ==, "Pameran 2026");
  g_assert_cmpuint (xi_group_get_member_count (g_ptr_array_index (groups, 0)), ==, 2);

  WAIT (xi_store_list_custom_fields_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        fields = xi_store_list_custom_fields_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (fields[0], ==, "city");
  g_assert_null (fields[1]);

  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM history WHERE kind = 'contacts.imported'"),
                   ==, 1);
}

static void
test_import_cancel (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  WAIT (xi_store_import_contacts_async (f->store, make_batch (5000), NULL, NULL, NULL, NULL,
                                        cancellable, xi_test_store_result_cb, &slot_),
        report = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (report);

  contacts = list_contacts (f);
  g_assert_cmpuint (contacts->len, ==, 0);
}

/* The name-based (version 5) UUID of the tenant and a natural key, as
 * the store derived it from the start, with GChecksum: rows synced long
 * ago carry these ids, so the store's derivation must never drift. */
static char *
reference_derived_id (const char *master_user_id,
                      const char *kind,
                      const char *a,
                      const char *b)
{
  static const guint8 namespace[16] = {
    0x6b, 0x1f, 0x3e, 0x52, 0x0d, 0x8a, 0x4c, 0x41,
    0x9f, 0x2e, 0x27, 0x8b, 0x44, 0xd0, 0x51, 0x93,
  };
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 d[20];
  gsize len = sizeof d;

  g_checksum_update (sha1, namespace, sizeof namespace);
  g_checksum_update (sha1, (const guchar *)master_user_id, -1);
  g_checksum_update (sha1, (const guchar *)"\x1f", 1);
  g_checksum_update (sha1, (const guchar *)kind, -1);
  g_checksum_update (sha1, (const guchar *)"\x1f", 1);
  g_checksum_update (sha1, (const guchar *)a, -1);
  if (b != NULL)
    {
      g_checksum_update (sha1, (const guchar *)"\x1f", 1);
      g_checksum_update (sha1, (const guchar *)b, -1);
    }
  g_checksum_get_digest (sha1, d, &len);
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          d[0], d[1], d[2], d[3], d[4], d[5], (d[6] & 0x0f) | 0x50, d[7],
                          (d[8] & 0x3f) | 0x80, d[9], d[10], d[11], d[12], d[13], d[14], d[15]);
}

/* Every imported contact and membership has the id derived from its
 * number and pair, byte for byte, in the signed-out profile and in an
 * account's: ids of rows synced before must come out the same. */
static void
test_import_derived_ids (Fixture       *f,
                         gconstpointer  data)
{
  const char *tenants[] = { NULL, "0b7e2f6c-51a4-4d3e-9a8b-6c1d2e3f4a5b" };

  for (guint t = 0; t < G_N_ELEMENTS (tenants); t++)
    {
      g_autoptr(XiImportReport) report = NULL;
      g_autoptr(GError) error = NULL;
      sqlite3 *db;
      sqlite3_stmt *stmt = NULL;
      guint checked = 0;

      if (tenants[t] != NULL)
        {
          xi_store_close (f->store);
          g_assert_finalize_object (f->store);
          f->store = xi_store_new (f->path);
          xi_store_set_master_user_id (f->store, tenants[t]);
          WAIT (xi_store_open_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                xi_store_open_finish (f->store, result_, &error));
          g_assert_no_error (error);
        }
      WAIT (xi_store_import_contacts_async (f->store, make_batch (1200), "Pameran 2026", NULL, NULL,
                                            NULL, NULL, xi_test_store_result_cb, &slot_),
            report = xi_store_import_contacts_finish (f->store, result_, &error));
      g_assert_no_error (error);

      db = open_raw (f);
      g_assert_cmpint (sqlite3_prepare_v2 (db,
                                           "SELECT c.master_user_id, c.id, c.phone, m.id, m.group_id"
                                           " FROM contacts c JOIN group_members m ON m.contact_id = c.id"
                                           " WHERE c.master_user_id = coalesce (?1, c.master_user_id)",
                                           -1, &stmt, NULL), ==, SQLITE_OK);
      sqlite3_bind_text (stmt, 1, tenants[t], -1, SQLITE_STATIC);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *tenant = (const char *)sqlite3_column_text (stmt, 0);
          const char *contact_id = (const char *)sqlite3_column_text (stmt, 1);
          g_autofree char *want_contact = NULL;
          g_autofree char *want_member = NULL;

          want_contact = reference_derived_id (tenant, "contact",
                                               (const char *)sqlite3_column_text (stmt, 2), NULL);
          want_member = reference_derived_id (tenant, "member",
                                              (const char *)sqlite3_column_text (stmt, 4), contact_id);
          g_assert_cmpstr (contact_id, ==, want_contact);
          g_assert_cmpstr ((const char *)sqlite3_column_text (stmt, 3), ==, want_member);
          checked++;
        }
      sqlite3_finalize (stmt);
      sqlite3_close (db);
      g_assert_cmpuint (checked, ==, 1202);
    }
}

#define SEARCH_TRIGGERS \
  "SELECT count (*) FROM sqlite_schema WHERE type = 'trigger' AND name = 'contacts_search_insert'"
#define DEFERRED_INDEXES \
  "SELECT count (*) FROM sqlite_schema WHERE type = 'index' AND (name = 'contacts_order'" \
  " OR name = 'group_members_contact' OR name = 'group_members_id')"

/* A large import writes without the search index's per-row trigger and
 * notes its new contacts in one statement: every one is found, the
 * trigger is back for the next write, and an import that is cancelled
 * or previewed leaves it as it was. Into a nearly empty table it builds
 * three indexes at the end, which are then there and hold every row. */
static void
test_import_search_index (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(XiImportReport) preview = NULL;
  g_autoptr(XiContact) before = new_contact ("Ratna Kusuma", "6281311112222");
  g_autoptr(XiContact) after = new_contact ("Zaskia Putri", "6281333334444");
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listed = NULL;

  saved = save_contact (f, before, &error);
  g_assert_no_error (error);

  g_cancellable_cancel (cancellable);
  WAIT (xi_store_import_contacts_async (f->store, make_batch (2000), "Baru", NULL, NULL, NULL,
                                        cancellable, xi_test_store_result_cb, &slot_),
        report = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  WAIT (xi_store_preview_import_async (f->store, make_batch (2000), "Baru", NULL,
                                       xi_test_store_result_cb, &slot_),
        preview = xi_store_preview_import_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (preview->imported, ==, 2002);
  g_assert_cmpuint (count_rows (f, SEARCH_TRIGGERS), ==, 1);
  g_assert_cmpuint (count_rows (f, DEFERRED_INDEXES), ==, 3);

  WAIT (xi_store_import_contacts_async (f->store, make_batch (2000), "Baru", NULL, NULL, NULL,
                                        NULL, xi_test_store_result_cb, &slot_),
        report = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report->imported, ==, 2002);
  g_assert_cmpuint (count_rows (f, SEARCH_TRIGGERS), ==, 1);
  g_assert_cmpuint (count_rows (f, DEFERRED_INDEXES), ==, 3);
  g_assert_cmpuint (count_rows (f, "SELECT count (*) FROM group_members INDEXED BY group_members_contact"
                                   " WHERE contact_id > ''"), ==, 2002);
  g_assert_cmpuint (count_rows (f, "SELECT count (*) FROM contacts INDEXED BY contacts_order"
                                   " WHERE master_user_id > ''"), ==, 2003);
  /* The import wrote each new contact's sort key itself. */
  g_assert_cmpuint (count_rows (f, "SELECT count (*) FROM contacts WHERE sort_key = '1bulk'"), ==, 2000);

  listed = search_keys (f, "0858-0000-1999");
  g_assert_cmpstr (listed, ==, "Bulk");
  g_free (listed);
  listed = search_keys (f, "siti");
  g_assert_cmpstr (listed, ==, "Siti Aminah");
  g_free (listed);
  listed = search_keys (f, "ratna");
  g_assert_cmpstr (listed, ==, "Ratna Kusuma");
  xi_test_wait_for_search_index (f->path);
  g_assert_cmpuint (count_rows (f, "SELECT count (*) FROM contacts_search WHERE contacts_search MATCH 'bulk'"),
                    ==, 2000);

  g_clear_object (&saved);
  saved = save_contact (f, after, &error);
  g_assert_no_error (error);
  g_free (listed);
  listed = search_keys (f, "zaskia");
  g_assert_cmpstr (listed, ==, "Zaskia Putri");
}

/* Each live contact as one line: number, name, fields, tags and groups. */
static char *
dump_contacts (const char *path)
{
  g_autoptr(GString) out = g_string_new (NULL);
  sqlite3 *db;
  sqlite3_stmt *stmt;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT c.phone || '|' || c.name || '|' || c.custom_fields || '|'"
                                       " || c.tags || '|' || coalesce (c.notes, '') || '|' || coalesce ("
                                       "  (SELECT group_concat (name) FROM (SELECT g.name FROM group_members m"
                                       "   JOIN groups g ON g.id = m.group_id WHERE m.contact_id = c.id"
                                       "   AND m.deleted = 0 ORDER BY g.name)), '')"
                                       " FROM contacts c WHERE c.deleted = 0 ORDER BY c.phone",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (out, "%s\n", sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A file of more rows than a streaming import holds at once: read as it
 * is written, it gives what the same file read whole gives, merges
 * across the rows handed on in different turns included, and every
 * refused row keeps its line. */
static void
test_import_file_streams (Fixture       *f,
                          gconstpointer  data)
{
  const guint n = 52000;
  g_autoptr(GString) csv = g_string_new ("Nama,Nomor HP,Kota,Grup,Catatan\n");
  g_autofree char *csv_path = g_build_filename (f->dir, "pelanggan.csv", NULL);
  g_autofree char *other_path = g_build_filename (f->dir, "other.db", NULL);
  g_autoptr(GFile) file = NULL;
  g_autoptr(XiStore) other = xi_store_new (other_path);
  g_autoptr(XiImportReport) streamed = NULL;
  g_autoptr(XiImportReport) whole = NULL;
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *streamed_dump = NULL;
  g_autofree char *whole_dump = NULL;
  XiStore *stores[] = { f->store, other };

  for (guint i = 1; i <= n; i++)
    {
      if (i == 2)
        g_string_append (csv, "Salah,12,Medan,,\n");
      else if (i == n)
        /* The first customer again, past the first turn: merged. */
        g_string_append (csv, "Pelanggan Satu,0813-0000-0001,Bogor,Lain,baru\n");
      else
        g_string_append_printf (csv, "Pelanggan %u,0813-%04u-%04u,Kota %u,G%u,\n",
                                i, i / 10000, i % 10000, i % 7, i % 3);
    }
  g_assert_true (g_file_set_contents (csv_path, csv->str, csv->len, NULL));
  file = g_file_new_for_path (csv_path);

  WAIT (xi_store_open_async (other, NULL, xi_test_store_result_cb, &slot_),
        xi_store_open_finish (other, result_, &error));
  g_assert_no_error (error);

  /* A customer the shop already has, whose number the file lists. */
  for (guint i = 0; i < G_N_ELEMENTS (stores); i++)
    {
      g_autoptr(XiContact) known = new_contact ("Langganan Lama", "6281300051500");
      g_autoptr(XiContact) saved = NULL;

      xi_contact_set_custom_field (known, "hobi", "memancing");
      WAIT (xi_store_save_contact_async (stores[i], known, NULL, xi_test_store_result_cb, &slot_),
            saved = xi_store_save_contact_finish (stores[i], result_, &error));
      g_assert_no_error (error);
    }

  WAIT (xi_store_import_file_async (f->store, file, "62", "Pameran", NULL, NULL, NULL, NULL,
                                    xi_test_store_result_cb, &slot_),
        streamed = xi_store_import_file_finish (f->store, result_, &error));
  g_assert_no_error (error);

  WAIT (xi_import_read_file_async (file, "62", NULL, NULL, NULL, NULL, xi_test_store_result_cb, &slot_),
        batch = xi_import_read_file_finish (result_, &error));
  g_assert_no_error (error);
  WAIT (xi_store_import_contacts_async (other, g_steal_pointer (&batch), "Pameran", NULL, NULL, NULL,
                                        NULL, xi_test_store_result_cb, &slot_),
        whole = xi_store_import_contacts_finish (other, result_, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (streamed->imported, ==, n - 3);
  g_assert_cmpuint (streamed->updated, ==, 2);
  g_assert_cmpuint (streamed->skipped, ==, 1);
  g_assert_cmpuint (streamed->issues->len, ==, 1);
  g_assert_cmpuint (((XiImportIssue *)streamed->issues->pdata[0])->line, ==, 3);
  g_assert_cmpuint (whole->imported, ==, streamed->imported);
  g_assert_cmpuint (whole->updated, ==, streamed->updated);
  g_assert_cmpuint (whole->skipped, ==, streamed->skipped);

  xi_store_close (other);
  streamed_dump = dump_contacts (f->path);
  whole_dump = dump_contacts (other_path);
  g_assert_cmpstr (streamed_dump, ==, whole_dump);
  g_assert_nonnull (strstr (streamed_dump, "6281300000001|Pelanggan Satu|{\"kota\":\"Bogor\"}|[]|baru|G1,Lain,Pameran\n"));
  g_assert_nonnull (strstr (streamed_dump, "6281300051500|Pelanggan 51500|{\"hobi\":\"memancing\",\"kota\":\"Kota 1\"}|[]||G2,Pameran\n"));
}

/* Closing a window cancels its GCancellable: a Save it queued behind a
 * long import still reaches the disk, and its callback hears CANCELLED
 * so it leaves the gone widget alone. A read is simply skipped. */
static void
test_write_outlives_cancel (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(XiContact) contact = new_contact ("Gita", "6281600000001");
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(GPtrArray) skipped = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) import_error = NULL;
  g_autoptr(GError) save_error = NULL;
  g_autoptr(GError) read_error = NULL;
  g_autoptr(GAsyncResult) import_result = NULL;
  g_autoptr(GAsyncResult) save_result = NULL;
  g_autoptr(GAsyncResult) read_result = NULL;
  GAsyncResult *import_slot = NULL, *save_slot = NULL, *read_slot = NULL;
  gboolean found = FALSE;

  xi_store_import_contacts_async (f->store, make_batch (20000), NULL, NULL, NULL, NULL,
                                  NULL, xi_test_store_result_cb, &import_slot);
  xi_store_save_contact_async (f->store, contact, cancellable, xi_test_store_result_cb, &save_slot);
  xi_store_list_contacts_async (f->store, cancellable, xi_test_store_result_cb, &read_slot);
  g_cancellable_cancel (cancellable);

  import_result = xi_test_wait_result (&import_slot);
  report = xi_store_import_contacts_finish (f->store, import_result, &import_error);
  g_assert_no_error (import_error);
  save_result = xi_test_wait_result (&save_slot);
  saved = xi_store_save_contact_finish (f->store, save_result, &save_error);
  g_assert_error (save_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (saved);
  read_result = xi_test_wait_result (&read_slot);
  skipped = xi_store_list_contacts_finish (f->store, read_result, &read_error);
  g_assert_error (read_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (skipped);

  contacts = list_contacts (f);
  g_assert_cmpuint (contacts->len, ==, 20002 + 1);
  for (guint i = 0; i < contacts->len; i++)
    if (g_str_equal (xi_contact_get_phone (g_ptr_array_index (contacts, i)), "6281600000001"))
      found = TRUE;
  g_assert_true (found);
}

static void
test_opt_out (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(XiContact) c = new_contact ("Eko", "6281400000001");
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(GError) error = NULL;
  const char *ids[] = { NULL, NULL };
  guint changed = 0;

  saved = save_contact (f, c, &error);
  g_assert_no_error (error);

  ids[0] = xi_contact_get_id (saved);
  WAIT (xi_store_set_opted_out_async (f->store, ids, TRUE, NULL, xi_test_store_result_cb, &slot_),
        changed = xi_store_set_opted_out_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 1);

  /* Again: nothing changes, nothing is recorded twice. */
  WAIT (xi_store_set_opted_out_async (f->store, ids, TRUE, NULL, xi_test_store_result_cb, &slot_),
        changed = xi_store_set_opted_out_finish (f->store, result_, &error));
  g_assert_cmpuint (changed, ==, 0);

  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM suppression_events WHERE event = 'opt_out'"),
                   ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts WHERE opted_out = 1"), ==, 1);
}

static void
test_export (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(XiContact) c = new_contact ("Fajar, \"Toko\" Maju", "6281500000001");
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = g_build_filename (f->dir, "export.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (out);
  g_autofree char *contents = NULL;
  guint n = 0;

  xi_contact_set_custom_field (c, "kota", "Surabaya");
  saved = save_contact (f, c, &error);
  g_assert_no_error (error);

  WAIT (xi_store_export_contacts_async (f->store, file, NULL, NULL, xi_test_store_result_cb, &slot_),
        n = xi_store_export_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);

  g_assert_true (g_file_get_contents (out, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "\xef\xbb\xbfname,phone,tags,groups,notes,opted_out,kota\r\n"));
  g_assert_nonnull (strstr (contents, "\"Fajar, \"\"Toko\"\" Maju\",+62"));
  g_assert_nonnull (strstr (contents, ",no,Surabaya\r\n"));
}

/* XiStore::changed, as a listener sees it: per table, how many emissions
 * and every id they named. */
typedef struct
{
  GHashTable *emissions;   /* table -> count */
  GHashTable *ids;         /* table -> set of ids */
  guint       empty;       /* emissions that named no id: the whole table */
} Changes;

static void
store_changed_cb (XiStore            *store,
                  const char         *table,
                  const char * const *ids,
                  Changes            *changes)
{
  GHashTable *set = g_hash_table_lookup (changes->ids, table);

  g_hash_table_insert (changes->emissions, g_strdup (table),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (changes->emissions,
                                                                                table)) + 1));
  if (set == NULL)
    {
      set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (changes->ids, g_strdup (table), set);
    }
  if (ids[0] == NULL)
    changes->empty++;
  for (guint i = 0; ids[i] != NULL; i++)
    g_hash_table_add (set, g_strdup (ids[i]));
}

static void
changes_watch (Changes *changes,
               XiStore *store)
{
  changes->emissions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  changes->ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify)g_hash_table_unref);
  g_signal_connect (store, "changed", G_CALLBACK (store_changed_cb), changes);
}

/* Runs what the main context has to do (the coalesced emission among
 * it), then forgets what was seen so far. */
static void
changes_reset (Changes *changes)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_hash_table_remove_all (changes->emissions);
  g_hash_table_remove_all (changes->ids);
  changes->empty = 0;
}

static void
changes_clear (Changes *changes,
               XiStore *store)
{
  g_signal_handlers_disconnect_by_data (store, changes);
  g_clear_pointer (&changes->emissions, g_hash_table_unref);
  g_clear_pointer (&changes->ids, g_hash_table_unref);
}

static guint
changes_count (Changes    *changes,
               const char *table)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return GPOINTER_TO_UINT (g_hash_table_lookup (changes->emissions, table));
}

static GHashTable *
changes_ids (Changes    *changes,
             const char *table)
{
  return g_hash_table_lookup (changes->ids, table);
}

/* A commit nobody listens to is not announced to a listener that
 * connects after it: the store thread had no reason to wake the main
 * thread, as when the command line sends a campaign. */
static void
test_changed_unheard (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(XiGroup) group = xi_group_new ("Pelanggan");
  g_autoptr(XiGroup) saved = NULL;
  g_autoptr(XiGroup) renamed = NULL;
  g_autoptr(GError) error = NULL;
  Changes changes = { 0 };

  saved = save_group (f, group, &error);
  g_assert_no_error (error);
  changes_watch (&changes, f->store);
  g_assert_cmpuint (changes_count (&changes, "groups"), ==, 0);

  xi_group_set_name (saved, "Pelanggan lama");
  renamed = save_group (f, saved, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes_count (&changes, "groups"), ==, 1);
  changes_clear (&changes, f->store);
}

/* A page's own save is announced like a pulled row: once, with its id. */
static void
test_changed_local (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(XiGroup) group = xi_group_new ("Pelanggan");
  g_autoptr(XiGroup) saved = NULL;
  g_autoptr(XiGroup) renamed = NULL;
  g_autoptr(GError) error = NULL;
  Changes changes = { 0 };
  gboolean ok = FALSE;

  changes_watch (&changes, f->store);

  saved = save_group (f, group, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes_count (&changes, "groups"), ==, 1);
  g_assert_cmpuint (g_hash_table_size (changes_ids (&changes, "groups")), ==, 1);
  g_assert_true (g_hash_table_contains (changes_ids (&changes, "groups"), xi_group_get_id (saved)));
  g_assert_cmpuint (changes_count (&changes, "contacts"), ==, 0);
  changes_reset (&changes);

  xi_group_set_name (saved, "Pelanggan lama");
  renamed = save_group (f, saved, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes_count (&changes, "groups"), ==, 1);
  g_assert_true (g_hash_table_contains (changes_ids (&changes, "groups"), xi_group_get_id (saved)));
  changes_reset (&changes);

  WAIT (xi_store_delete_group_async (f->store, xi_group_get_id (saved), NULL,
                                     xi_test_store_result_cb, &slot_),
        ok = xi_store_delete_group_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (changes_count (&changes, "groups"), ==, 1);
  g_assert_true (g_hash_table_contains (changes_ids (&changes, "groups"), xi_group_get_id (saved)));

  changes_clear (&changes, f->store);
}

/* An import preview writes every row and rolls them back: nothing of it
 * is announced, not even with the next transaction that commits. */
static void
test_changed_rollback (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(XiGroup) group = xi_group_new ("Reseller");
  g_autoptr(XiGroup) saved = NULL;
  g_autoptr(GError) error = NULL;
  Changes changes = { 0 };

  changes_watch (&changes, f->store);

  WAIT (xi_store_preview_import_async (f->store, make_batch (50), "Baru", NULL,
                                       xi_test_store_result_cb, &slot_),
        report = xi_store_preview_import_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report->imported, ==, 52);
  g_assert_cmpuint (changes_count (&changes, "contacts"), ==, 0);
  g_assert_cmpuint (changes_count (&changes, "groups"), ==, 0);

  saved = save_group (f, group, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes_count (&changes, "contacts"), ==, 0);
  g_assert_cmpuint (changes_count (&changes, "group_members"), ==, 0);
  g_assert_cmpuint (changes_count (&changes, "groups"), ==, 1);
  g_assert_cmpuint (g_hash_table_size (changes_ids (&changes, "groups")), ==, 1);
  g_assert_true (g_hash_table_contains (changes_ids (&changes, "groups"), xi_group_get_id (saved)));

  changes_clear (&changes, f->store);
}

typedef struct
{
  guint pending;
  guint failed;
} Batch;

static void
contact_saved_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Batch *batch = user_data;
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(GError) error = NULL;

  saved = xi_store_save_contact_finish (XI_STORE (object), result, &error);
  if (saved == NULL)
    batch->failed++;
  batch->pending--;
}

/* A thousand saves finished before the main loop turns: one emission for
 * the table, naming all of them. Their callbacks run on a context of
 * their own, so the main context sees nothing until they are all done. */
static void
test_changed_coalesced (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  Changes changes = { 0 };
  Batch batch = { 0 };

  changes_watch (&changes, f->store);

  g_main_context_push_thread_default (context);
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812%07u", i);
      g_autoptr(XiContact) contact = new_contact ("Budi", phone);

      batch.pending++;
      xi_store_save_contact_async (f->store, contact, NULL, contact_saved_cb, &batch);
    }
  while (batch.pending > 0)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  g_assert_cmpuint (batch.failed, ==, 0);

  g_assert_cmpuint (changes_count (&changes, "contacts"), ==, 1);
  g_assert_cmpuint (g_hash_table_size (changes_ids (&changes, "contacts")), ==, 1000);
  g_assert_cmpuint (changes.empty, ==, 0);
  changes_reset (&changes);

  /* Past what is worth listing, an empty list says: the whole table. */
  {
    g_autoptr(XiImportReport) report = NULL;
    g_autoptr(GError) error = NULL;

    WAIT (xi_store_import_contacts_async (f->store, make_batch (10050), NULL, NULL, NULL, NULL,
                                          NULL, xi_test_store_result_cb, &slot_),
          report = xi_store_import_contacts_finish (f->store, result_, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (changes_count (&changes, "contacts"), ==, 1);
    g_assert_cmpuint (g_hash_table_size (changes_ids (&changes, "contacts")), ==, 0);
    g_assert_cmpuint (changes.empty, ==, 1);
  }

  changes_clear (&changes, f->store);
}

/*
 * A large import into a folder that has contacts, with a group: the
 * contacts it creates join the group in one statement at the end, the
 * ones it merges with their batch. Every contact of the file is a member
 * once (its number listed twice too), a membership of a new contact that
 * was removed before is revived, not added again, and every membership
 * is announced.
 */
static void
test_import_group_at_end (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(XiContact) known = new_contact ("Siti", "6285700000001");
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(XiImportReport) first = NULL;
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tenant = NULL;
  g_autofree char *group_id = NULL;
  g_autofree char *stale_contact = NULL;
  g_autofree char *stale_member = NULL;
  g_autofree char *sql = NULL;
  Changes changes = { 0 };
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  XiImportBatch *small = xi_import_batch_new ();

  saved = save_contact (f, known, &error);
  g_assert_no_error (error);
  g_ptr_array_add (small->rows, import_row (2, "Dewi", "6285700000002", NULL, NULL));
  WAIT (xi_store_import_contacts_async (f->store, small, "Pameran", NULL, NULL, NULL, NULL,
                                        xi_test_store_result_cb, &slot_),
        first = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);

  /* A membership removed before for a number the file brings anew,
   * written as another process would: heard before the import, so that
   * its announcement (the whole table) is not taken for the import's. */
  changes_watch (&changes, f->store);
  db = open_raw (f);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT g.master_user_id, g.id FROM groups g"
                                       " WHERE g.name = 'Pameran'", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  tenant = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  group_id = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
  sqlite3_finalize (stmt);
  stale_contact = reference_derived_id (tenant, "contact", "6285800000007", NULL);
  stale_member = reference_derived_id (tenant, "member", group_id, stale_contact);
  sql = g_strdup_printf ("INSERT INTO group_members (id, master_user_id, created_at, updated_at,"
                         " deleted, group_id, contact_id) VALUES ('%s', '%s', '2026-01-01', '2026-01-01',"
                         " 1, '%s', '%s')", stale_member, tenant, group_id, stale_contact);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  while (changes_ids (&changes, "group_members") == NULL)
    g_main_context_iteration (NULL, TRUE);
  changes_reset (&changes);

  WAIT (xi_store_import_contacts_async (f->store, make_batch (1500), "Pameran", NULL, NULL, NULL,
                                        NULL, xi_test_store_result_cb, &slot_),
        report = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report->imported, ==, 1500);
  g_assert_cmpuint (report->updated, ==, 3);

  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM contacts"), ==, 1502);
  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM group_members"), ==, 1502);
  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM contacts c WHERE 1 = (SELECT count (*)"
                               " FROM group_members m JOIN groups g ON g.id = m.group_id"
                               " WHERE m.contact_id = c.id AND m.deleted = 0 AND g.name = 'Pameran')"),
                   ==, 1502);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count (*) FROM group_members WHERE id = '%s' AND deleted = 0"
                         " AND version = 2 AND created_at = '2026-01-01'", stale_member);
  g_assert_cmpint (count_rows (f, sql), ==, 1);
  /* Dewi was a member already: the 1,501 others are announced, on the
   * main context, maybe after the import's result. */
  while (changes_ids (&changes, "group_members") == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_hash_table_size (changes_ids (&changes, "group_members")), ==, 1501);
  g_assert_true (g_hash_table_contains (changes_ids (&changes, "group_members"), stale_member));
  changes_clear (&changes, f->store);
}

/* A large import into a folder holding more contacts than the file
 * brings new ones: the new contacts are read back by rowid and sorted
 * before they join the group. Numbers the folder has, and a number the
 * file lists twice, join once; nothing else joins, and every membership
 * is announced. */
static void
test_import_group_at_end_sorted (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(XiImportReport) first = NULL;
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  XiImportBatch *known = xi_import_batch_new ();
  XiImportBatch *batch = xi_import_batch_new ();
  Changes changes = { 0 };

  for (guint i = 0; i < 3000; i++)
    {
      g_autofree char *phone = g_strdup_printf ("628570%07u", i);

      g_ptr_array_add (known->rows, import_row (2 + i, "Lama", phone, NULL, NULL));
    }
  WAIT (xi_store_import_contacts_async (f->store, known, "Lama", NULL, NULL, NULL, NULL,
                                        xi_test_store_result_cb, &slot_),
        first = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (first->imported, ==, 3000);

  /* 300 numbers the folder has, 1,200 new ones, the last of them twice. */
  for (guint i = 0; i < 1500; i++)
    {
      g_autofree char *phone = g_strdup_printf ("628570%07u", 2700 + i);
      g_autofree char *name = g_strdup_printf ("Baru %u", i);

      g_ptr_array_add (batch->rows, import_row (2 + i, name, phone, NULL, NULL));
    }
  g_ptr_array_add (batch->rows, import_row (1502, "Baru Lagi", "6285700004199", NULL, NULL));

  changes_watch (&changes, f->store);
  WAIT (xi_store_import_contacts_async (f->store, batch, "Baru", NULL, NULL, NULL, NULL,
                                        xi_test_store_result_cb, &slot_),
        report = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report->imported, ==, 1200);
  g_assert_cmpuint (report->updated, ==, 301);

  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM contacts"), ==, 4200);
  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM group_members m JOIN groups g"
                               " ON g.id = m.group_id WHERE g.name = 'Baru' AND m.deleted = 0"), ==, 1500);
  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM group_members m JOIN groups g"
                               " ON g.id = m.group_id JOIN contacts c ON c.id = m.contact_id"
                               " WHERE g.name = 'Baru' AND c.phone >= '6285700002700'"), ==, 1500);
  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM group_members"), ==, 4500);
  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM contacts WHERE name = 'Baru Lagi'"), ==, 1);
  while (changes_ids (&changes, "group_members") == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_hash_table_size (changes_ids (&changes, "group_members")), ==, 1500);
  changes_clear (&changes, f->store);

  found = search_keys (f, "Baru 1199");
  g_assert_cmpstr (found, ==, "Baru 1199");
}

/* A large import names its new contacts and memberships itself rather
 * than through the per-row triggers, which it puts back afterwards. */
static void
test_changed_bulk_import (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(XiContact) contact = new_contact ("Yanti", "6281399998888");
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;
  Changes changes = { 0 };

  changes_watch (&changes, f->store);

  WAIT (xi_store_import_contacts_async (f->store, make_batch (1500), "Baru", NULL, NULL, NULL,
                                        NULL, xi_test_store_result_cb, &slot_),
        report = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changes_count (&changes, "contacts"), ==, 1);
  g_assert_cmpuint (changes.empty, ==, 0);
  contacts = list_contacts (f);
  g_assert_cmpuint (contacts->len, ==, 1502);
  g_assert_cmpuint (g_hash_table_size (changes_ids (&changes, "contacts")), ==, 1502);
  for (guint i = 0; i < contacts->len; i++)
    g_assert_true (g_hash_table_contains (changes_ids (&changes, "contacts"),
                                          xi_contact_get_id (contacts->pdata[i])));
  g_assert_cmpuint (changes_count (&changes, "group_members"), ==, 1);
  g_assert_cmpuint (g_hash_table_size (changes_ids (&changes, "group_members")), ==, 1502);
  changes_reset (&changes);

  saved = save_contact (f, contact, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes_count (&changes, "contacts"), ==, 1);
  g_assert_cmpuint (g_hash_table_size (changes_ids (&changes, "contacts")), ==, 1);
  g_assert_true (g_hash_table_contains (changes_ids (&changes, "contacts"), xi_contact_get_id (saved)));

  changes_clear (&changes, f->store);
}

/* An import that adds more memberships than XiStore::changed lists in one
 * statement announces the whole table, as naming them one by one did. */
static void
test_changed_bulk_import_many (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GError) error = NULL;
  Changes changes = { 0 };

  changes_watch (&changes, f->store);

  WAIT (xi_store_import_contacts_async (f->store, make_batch (10500), "Baru", NULL, NULL, NULL,
                                        NULL, xi_test_store_result_cb, &slot_),
        report = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report->imported, ==, 10502);
  g_assert_cmpuint (changes_count (&changes, "group_members"), ==, 1);
  g_assert_cmpuint (g_hash_table_size (changes_ids (&changes, "group_members")), ==, 0);
  g_assert_cmpuint (changes_count (&changes, "contacts"), ==, 1);
  g_assert_cmpuint (g_hash_table_size (changes_ids (&changes, "contacts")), ==, 0);
  g_assert_cmpuint (changes.empty, ==, 2);
  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM group_members m JOIN contacts c"
                               " ON c.id = m.contact_id JOIN groups g ON g.id = m.group_id"
                               " WHERE g.name = 'Baru' AND m.deleted = 0"), ==, 10502);

  changes_clear (&changes, f->store);
}

/* make_batch () without its number given twice: a file that does so
 * changes that contact twice on every import. */
static XiImportBatch *
unique_batch (void)
{
  XiImportBatch *batch = make_batch (20);

  g_ptr_array_remove_index (batch->rows, 2);
  return batch;
}

static XiContact *
find_by_phone (GPtrArray  *contacts,
               const char *phone)
{
  for (guint i = 0; i < contacts->len; i++)
    if (g_str_equal (xi_contact_get_phone (g_ptr_array_index (contacts, i)), phone))
      return g_ptr_array_index (contacts, i);
  g_assert_not_reached ();
}

/* Importing a file again merges the rows that changed a contact and
 * leaves the others as they were, stamps and all, whichever row comes
 * first; in a group already, a contact stays its member once. */
static void
test_import_again (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(XiImportReport) first = NULL;
  g_autoptr(XiImportReport) again = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GError) error = NULL;
  XiImportBatch *changed = unique_batch ();
  XiImportRow *nameless = g_ptr_array_index (changed->rows, 1);

  WAIT (xi_store_import_contacts_async (f->store, unique_batch (), "Pameran", NULL, NULL, NULL,
                                        NULL, xi_test_store_result_cb, &slot_),
        first = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  before = list_contacts (f);

  g_assert_cmpstr (nameless->phone, ==, "6285700000002");
  g_free (nameless->name);
  nameless->name = g_strdup ("Dewi");
  WAIT (xi_store_import_contacts_async (f->store, changed, "Pameran", NULL, NULL, NULL,
                                        NULL, xi_test_store_result_cb, &slot_),
        again = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (again->imported, ==, 0);
  g_assert_cmpuint (again->updated, ==, first->imported);

  after = list_contacts (f);
  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 0; i < before->len; i++)
    {
      XiContact *old = g_ptr_array_index (before, i);
      XiContact *now = find_by_phone (after, xi_contact_get_phone (old));

      g_test_message ("%s", xi_contact_get_phone (old));
      g_assert_cmpstr (xi_contact_get_id (now), ==, xi_contact_get_id (old));
      if (g_str_equal (xi_contact_get_phone (old), "6285700000002"))
        {
          g_assert_cmpstr (xi_contact_get_name (now), ==, "Dewi");
          g_assert_cmpint (xi_contact_get_version (now), ==, xi_contact_get_version (old) + 1);
        }
      else
        {
          g_assert_cmpstr (xi_contact_get_name (now), ==, xi_contact_get_name (old));
          g_assert_cmpint (xi_contact_get_version (now), ==, xi_contact_get_version (old));
          g_assert_cmpstr (xi_contact_get_updated_at (now), ==, xi_contact_get_updated_at (old));
        }
    }

  groups = list_groups (f);
  g_assert_cmpuint (groups->len, ==, 1);
  g_assert_cmpuint (xi_group_get_member_count (g_ptr_array_index (groups, 0)), ==, before->len);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM group_members"), ==, before->len);
}

/* Saving what is already stored, or importing the same file again,
 * changes no row and announces none. */
static void
test_changed_unchanged (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(XiContact) contact = new_contact ("Sari", "6281300000001");
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(XiContact) again = NULL;
  g_autoptr(XiGroup) group = xi_group_new ("Grosir");
  g_autoptr(XiGroup) saved_group = NULL;
  g_autoptr(XiGroup) group_again = NULL;
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GError) error = NULL;
  Changes changes = { 0 };

  changes_watch (&changes, f->store);

  saved = save_contact (f, contact, &error);
  g_assert_no_error (error);
  saved_group = save_group (f, group, &error);
  g_assert_no_error (error);
  WAIT (xi_store_import_contacts_async (f->store, unique_batch (), "Grosir", NULL, NULL, NULL,
                                        NULL, xi_test_store_result_cb, &slot_),
        report = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changes_count (&changes, "contacts"), >, 0);
  changes_reset (&changes);

  again = save_contact (f, saved, &error);
  g_assert_no_error (error);
  group_again = save_group (f, saved_group, &error);
  g_assert_no_error (error);
  g_clear_pointer (&report, xi_import_report_free);
  WAIT (xi_store_import_contacts_async (f->store, unique_batch (), "Grosir", NULL, NULL, NULL,
                                        NULL, xi_test_store_result_cb, &slot_),
        report = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changes_count (&changes, "contacts"), ==, 0);
  g_assert_cmpuint (changes_count (&changes, "groups"), ==, 0);
  g_assert_cmpuint (changes_count (&changes, "group_members"), ==, 0);

  changes_clear (&changes, f->store);
}

static void
test_closed (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "never-opened.db", NULL);
  XiStore *store = xi_store_new (path);
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;

  WAIT (xi_store_list_contacts_async (store, NULL, xi_test_store_result_cb, &slot_),
        contacts = xi_store_list_contacts_finish (store, result_, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_CLOSED);

  xi_store_close (store);
  g_assert_finalize_object (store);
  xi_test_rm_rf (dir);
}

/* The app tests contacts itself and asks the store only for what it
 * alone knows: which group a name means (a contact read after joining
 * it carries its id), and an error for a group that does not exist. */
static void
test_resolve_filter (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(XiGroup) grosir_new = xi_group_new ("Grosir");
  g_autoptr(XiGroup) grosir = NULL;
  g_autoptr(XiContact) a_new = new_contact ("A", "6281300000001");
  g_autoptr(XiContact) b_new = new_contact ("B", "6281300000002");
  g_autoptr(XiContact) a = NULL;
  g_autoptr(XiContact) b = NULL;
  g_autoptr(XiContactFilter) in_group = xi_contact_filter_new ();
  g_autoptr(XiContactFilter) outside = xi_contact_filter_new ();
  g_autoptr(XiContactFilter) missing = xi_contact_filter_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *a_id = NULL;
  const char *members[] = { NULL, NULL };
  gboolean ok = FALSE;
  guint n = 0;

  grosir = save_group (f, grosir_new, &error);
  a = save_contact (f, a_new, &error);
  b = save_contact (f, b_new, &error);
  g_assert_no_error (error);
  a_id = g_strdup (xi_contact_get_id (a));
  members[0] = a_id;
  WAIT (xi_store_add_group_members_async (f->store, xi_group_get_id (grosir), members,
                                          NULL, xi_test_store_result_cb, &slot_),
        n = xi_store_add_group_members_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  g_clear_object (&a);
  WAIT (xi_store_get_contact_async (f->store, a_id, NULL, xi_test_store_result_cb, &slot_),
        a = xi_store_get_contact_finish (f->store, result_, &error));
  g_assert_no_error (error);

  g_assert_true (xi_contact_filter_add_where (in_group, "group=grosir", NULL));
  g_assert_true (xi_contact_filter_add_where (outside, "group!=Grosir", NULL));
  g_assert_true (xi_contact_filter_add_where (missing, "group=Eceran", NULL));

  WAIT (xi_store_resolve_filter_async (f->store, in_group, NULL, xi_test_store_result_cb, &slot_),
        ok = xi_store_resolve_filter_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_true (xi_contact_filter_matches (in_group, a));
  g_assert_false (xi_contact_filter_matches (in_group, b));

  WAIT (xi_store_resolve_filter_async (f->store, outside, NULL, xi_test_store_result_cb, &slot_),
        ok = xi_store_resolve_filter_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_false (xi_contact_filter_matches (outside, a));
  g_assert_true (xi_contact_filter_matches (outside, b));

  WAIT (xi_store_resolve_filter_async (f->store, missing, NULL, xi_test_store_result_cb, &slot_),
        ok = xi_store_resolve_filter_finish (f->store, result_, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND);
  g_assert_false (ok);
}

static GPtrArray *
find_duplicates (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *clusters = NULL;

  WAIT (xi_store_find_duplicates_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        clusters = xi_store_find_duplicates_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return clusters;
}

static XiContact *
merge (Fixture     *f,
       XiContact   *keep,
       XiContact   *other,
       const char  *name,
       GError     **error)
{
  XiContact *merged = NULL;

  WAIT (xi_store_merge_contacts_async (f->store, xi_contact_get_id (keep), xi_contact_get_id (other),
                                       name, NULL, xi_test_store_result_cb, &slot_),
        merged = xi_store_merge_contacts_finish (f->store, result_, error));
  return merged;
}

/* Two contacts within the limits pass them together: 40 fields and 30
 * tags each, notes of 3,000 characters. The merged one keeps all of the
 * kept contact's and fills up with the other's, and is saved. */
static void
test_merge_fits (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(XiContact) a = new_contact ("Siti", "6281200000011");
  g_autoptr(XiContact) b = new_contact ("Siti", "6281200000012");
  g_autoptr(XiContact) keep = NULL;
  g_autoptr(XiContact) other = NULL;
  g_autoptr(XiContact) merged = NULL;
  g_autoptr(GStrvBuilder) tags_a = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) tags_b = g_strv_builder_new ();
  g_auto(GStrv) tagv_a = NULL;
  g_auto(GStrv) tagv_b = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *notes_a = g_strnfill (3000, 'a');
  g_autofree char *notes_b = g_strnfill (3000, 'b');
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *key_a = g_strdup_printf ("a%02u", i);
      g_autofree char *key_b = g_strdup_printf ("b%02u", i);

      xi_contact_set_custom_field (a, key_a, "a");
      xi_contact_set_custom_field (b, key_b, "b");
    }
  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *tag_a = g_strdup_printf ("ta%u", i);
      g_autofree char *tag_b = g_strdup_printf ("tb%u", i);

      g_strv_builder_add (tags_a, tag_a);
      g_strv_builder_add (tags_b, tag_b);
    }
  tagv_a = g_strv_builder_end (tags_a);
  tagv_b = g_strv_builder_end (tags_b);
  xi_contact_set_tags (a, (const char * const *)tagv_a);
  xi_contact_set_tags (b, (const char * const *)tagv_b);
  xi_contact_set_notes (a, notes_a);
  xi_contact_set_notes (b, notes_b);
  keep = save_contact (f, a, &error);
  g_assert_no_error (error);
  other = save_contact (f, b, &error);
  g_assert_no_error (error);

  merged = merge (f, keep, other, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (merged);
  g_assert_true (xi_contact_check_limits (merged, &error));
  g_assert_no_error (error);
  names = xi_contact_dup_custom_field_names (merged);
  g_assert_cmpuint (g_strv_length (names), ==, XI_LIMIT_FIELDS);
  g_assert_cmpstr (xi_contact_get_custom_field (merged, "a39"), ==, "a");
  g_assert_cmpuint (g_strv_length ((char **)xi_contact_get_tags (merged)), ==, XI_LIMIT_TAGS);
  g_assert_true (g_strv_contains (xi_contact_get_tags (merged), "ta29"));
  g_assert_true (g_str_has_prefix (xi_contact_get_notes (merged), notes_a));
  g_assert_cmpuint (g_utf8_strlen (xi_contact_get_notes (merged), -1), ==, XI_LIMIT_NOTES_CHARS);
}

/* Names that differ only in titles, case and spacing are one person with
 * two numbers; merging keeps one contact with everything both had, an
 * opt-out included, and sync carries the update and the delete. */
static void
test_duplicates (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(XiContact) a = new_contact ("Ibu Siti  Aminah", "6281200000001");
  g_autoptr(XiContact) b = new_contact ("siti aminah", "6281200000002");
  g_autoptr(XiContact) c = new_contact ("Budi", "6281200000003");
  g_autoptr(XiContact) d = new_contact ("Pak", "6281200000004");
  g_autoptr(XiContact) e = new_contact ("Bu", "6281200000005");
  g_autoptr(XiGroup) g1 = xi_group_new ("Pameran");
  g_autoptr(XiGroup) g2 = xi_group_new ("Setia");
  g_autoptr(XiGroup) saved_g1 = NULL;
  g_autoptr(XiGroup) saved_g2 = NULL;
  g_autoptr(XiContact) sa = NULL;
  g_autoptr(XiContact) sb = NULL;
  g_autoptr(XiContact) sc = NULL;
  g_autoptr(XiContact) merged = NULL;
  g_autoptr(GPtrArray) clusters = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;
  const char *tags_a[] = { "vip", NULL };
  const char *tags_b[] = { "grosir", "vip", NULL };
  GPtrArray *cluster;

  saved_g1 = save_group (f, g1, &error);
  g_assert_no_error (error);
  saved_g2 = save_group (f, g2, &error);
  g_assert_no_error (error);

  xi_contact_set_tags (a, tags_a);
  xi_contact_set_custom_field (a, "kota", "Bandung");
  xi_contact_add_group_id (a, xi_group_get_id (saved_g1));
  xi_contact_set_notes (a, "suka kopi");
  xi_contact_set_tags (b, tags_b);
  xi_contact_set_custom_field (b, "kota", "Medan");
  xi_contact_set_custom_field (b, "ulang_tahun", "1 Mei");
  xi_contact_add_group_id (b, xi_group_get_id (saved_g2));
  xi_contact_set_notes (b, "pelanggan lama");
  xi_contact_set_opted_out (b, TRUE);
  sa = save_contact (f, a, &error);
  g_assert_no_error (error);
  sb = save_contact (f, b, &error);
  g_assert_no_error (error);
  sc = save_contact (f, c, &error);
  g_assert_no_error (error);
  g_clear_object (&sc);
  sc = save_contact (f, d, &error);
  g_assert_no_error (error);
  g_clear_object (&sc);
  sc = save_contact (f, e, &error);
  g_assert_no_error (error);

  /* Titles alone are no name: "Pak" and "Bu" are not one person. */
  clusters = find_duplicates (f);
  g_assert_cmpuint (clusters->len, ==, 1);
  cluster = g_ptr_array_index (clusters, 0);
  g_assert_cmpuint (cluster->len, ==, 2);
  g_assert_cmpstr (xi_contact_get_id (g_ptr_array_index (cluster, 0)), ==, xi_contact_get_id (sa));
  g_assert_cmpstr (xi_contact_get_id (g_ptr_array_index (cluster, 1)), ==, xi_contact_get_id (sb));

  merged = merge (f, sa, sa, NULL, &error);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID);
  g_clear_error (&error);

  merged = merge (f, sa, sb, "Siti Aminah", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (xi_contact_get_name (merged), ==, "Siti Aminah");
  g_assert_cmpstr (xi_contact_get_phone (merged), ==, "6281200000001");
  g_assert_cmpuint (g_strv_length ((char **)xi_contact_get_tags (merged)), ==, 2);
  g_assert_cmpstr (xi_contact_get_custom_field (merged, "kota"), ==, "Bandung");
  g_assert_cmpstr (xi_contact_get_custom_field (merged, "ulang_tahun"), ==, "1 Mei");
  g_assert_cmpstr (xi_contact_get_notes (merged), ==, "suka kopi\n\npelanggan lama");
  g_assert_true (xi_contact_is_in_group (merged, xi_group_get_id (saved_g1)));
  g_assert_true (xi_contact_is_in_group (merged, xi_group_get_id (saved_g2)));

  /* Opted out under one number, so under the kept one too; the other
   * number's own opt-out stays on record. */
  g_assert_true (xi_contact_get_opted_out (merged));
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM suppression_events"
                                  " WHERE event = 'opt_out' AND phone = '6281200000002'"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM suppression_events"
                                  " WHERE event = 'opt_out' AND phone = '6281200000001'"), ==, 1);

  contacts = list_contacts (f);
  g_assert_cmpuint (contacts->len, ==, 4);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts WHERE deleted = 1"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM group_members WHERE deleted = 0"), ==, 2);

  g_clear_pointer (&clusters, g_ptr_array_unref);
  clusters = find_duplicates (f);
  g_assert_cmpuint (clusters->len, ==, 0);
}

/* Two people with one name, kept apart, are not proposed again, while a
 * third of that name still is, with either of them. */
static void
test_keep_both (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(XiContact) a = new_contact ("Dewi", "6281200000011");
  g_autoptr(XiContact) b = new_contact ("Kak Dewi", "6281200000012");
  g_autoptr(XiContact) c = new_contact ("DEWI", "6281200000013");
  g_autoptr(XiContact) sa = NULL;
  g_autoptr(XiContact) sb = NULL;
  g_autoptr(XiContact) sc = NULL;
  g_autoptr(GPtrArray) clusters = NULL;
  g_autoptr(GError) error = NULL;
  gboolean kept = FALSE;

  sa = save_contact (f, a, &error);
  g_assert_no_error (error);
  sb = save_contact (f, b, &error);
  g_assert_no_error (error);

  WAIT (xi_store_keep_both_async (f->store, xi_contact_get_id (sb), xi_contact_get_id (sa), NULL,
                                  xi_test_store_result_cb, &slot_),
        kept = xi_store_keep_both_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (kept);
  clusters = find_duplicates (f);
  g_assert_cmpuint (clusters->len, ==, 0);

  sc = save_contact (f, c, &error);
  g_assert_no_error (error);
  g_clear_pointer (&clusters, g_ptr_array_unref);
  clusters = find_duplicates (f);
  g_assert_cmpuint (clusters->len, ==, 1);
  g_assert_cmpuint (((GPtrArray *)g_ptr_array_index (clusters, 0))->len, ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/xi/store/open-private", Fixture, NULL, fixture_setup, test_open_private, fixture_teardown);
  g_test_add ("/xi/store/busy-elsewhere", Fixture, NULL, fixture_setup, test_busy_elsewhere, fixture_teardown);
  g_test_add ("/xi/store/contacts/duplicates", Fixture, NULL, fixture_setup, test_duplicates, fixture_teardown);
  g_test_add ("/xi/store/contacts/merge-fits", Fixture, NULL, fixture_setup, test_merge_fits, fixture_teardown);
  g_test_add ("/xi/store/contacts/keep-both", Fixture, NULL, fixture_setup, test_keep_both, fixture_teardown);
  g_test_add ("/xi/store/contacts/crud", Fixture, NULL, fixture_setup, test_contact_crud, fixture_teardown);
  g_test_add ("/xi/store/contacts/search", Fixture, NULL, fixture_setup, test_contact_search, fixture_teardown);
  g_test_add ("/xi/store/contacts/keys", Fixture, NULL, fixture_setup, test_contact_keys, fixture_teardown);
  g_test_add ("/xi/store/contacts/search-order", Fixture, NULL, fixture_setup, test_contact_search_order,
              fixture_teardown);
  g_test_add ("/xi/store/contacts/search-stale", Fixture, NULL, fixture_setup, test_contact_search_stale,
              fixture_teardown);
  g_test_add ("/xi/store/contacts/search-index-catches-up-after-restart", Fixture, NULL, fixture_setup,
              test_search_index_catches_up_after_restart, fixture_teardown);
  g_test_add ("/xi/store/contacts/search-damaged", Fixture, NULL, fixture_setup, test_contact_search_damaged,
              fixture_teardown);
  g_test_add ("/xi/store/contacts/filter-in-sql", Fixture, NULL, fixture_setup, test_filter_in_sql,
              fixture_teardown);
  g_test_add ("/xi/store/contacts/natural-order", Fixture, NULL, fixture_setup, test_contact_natural_order,
              fixture_teardown);
  g_test_add ("/xi/store/contacts/restore", Fixture, NULL, fixture_setup, test_contact_restore, fixture_teardown);
  g_test_add ("/xi/store/contacts/rules", Fixture, NULL, fixture_setup, test_contact_rules, fixture_teardown);
  g_test_add ("/xi/store/contacts/opt-out", Fixture, NULL, fixture_setup, test_opt_out, fixture_teardown);
  g_test_add ("/xi/store/contacts/import", Fixture, NULL, fixture_setup, test_import, fixture_teardown);
  g_test_add ("/xi/store/contacts/import-again", Fixture, NULL, fixture_setup, test_import_again,
              fixture_teardown);
  g_test_add ("/xi/store/contacts/import-cancel", Fixture, NULL, fixture_setup, test_import_cancel, fixture_teardown);
  g_test_add ("/xi/store/contacts/import-derived-ids", Fixture, NULL, fixture_setup,
              test_import_derived_ids, fixture_teardown);
  g_test_add ("/xi/store/contacts/import-group-at-end", Fixture, NULL, fixture_setup,
              test_import_group_at_end, fixture_teardown);
  g_test_add ("/xi/store/contacts/import-group-at-end-sorted", Fixture, NULL, fixture_setup,
              test_import_group_at_end_sorted, fixture_teardown);
  g_test_add ("/xi/store/contacts/import-search-index", Fixture, NULL, fixture_setup,
              test_import_search_index, fixture_teardown);
  g_test_add ("/xi/store/contacts/import-file-streams", Fixture, NULL, fixture_setup,
              test_import_file_streams, fixture_teardown);
  g_test_add ("/xi/store/contacts/write-outlives-cancel", Fixture, NULL, fixture_setup,
              test_write_outlives_cancel, fixture_teardown);
  g_test_add ("/xi/store/contacts/export", Fixture, NULL, fixture_setup, test_export, fixture_teardown);
  g_test_add ("/xi/store/contacts/custom-field-names", Fixture, NULL, fixture_setup,
              test_custom_field_names, fixture_teardown);
  g_test_add ("/xi/store/scoping", Fixture, NULL, fixture_setup, test_scoping, fixture_teardown);
  g_test_add ("/xi/store/groups", Fixture, NULL, fixture_setup, test_groups, fixture_teardown);
  g_test_add ("/xi/store/groups/member-counts", Fixture, NULL, fixture_setup, test_group_member_counts,
              fixture_teardown);
  g_test_add ("/xi/store/resolve-filter", Fixture, NULL, fixture_setup, test_resolve_filter, fixture_teardown);
  g_test_add ("/xi/store/templates", Fixture, NULL, fixture_setup, test_templates, fixture_teardown);
  g_test_add ("/xi/store/changed/unheard", Fixture, NULL, fixture_setup, test_changed_unheard,
              fixture_teardown);
  g_test_add ("/xi/store/changed/local", Fixture, NULL, fixture_setup, test_changed_local,
              fixture_teardown);
  g_test_add ("/xi/store/changed/rollback", Fixture, NULL, fixture_setup, test_changed_rollback,
              fixture_teardown);
  g_test_add ("/xi/store/changed/bulk-import", Fixture, NULL, fixture_setup, test_changed_bulk_import,
              fixture_teardown);
  g_test_add ("/xi/store/changed/bulk-import-many", Fixture, NULL, fixture_setup,
              test_changed_bulk_import_many, fixture_teardown);
  g_test_add ("/xi/store/changed/coalesced", Fixture, NULL, fixture_setup, test_changed_coalesced,
              fixture_teardown);
  g_test_add ("/xi/store/changed/unchanged", Fixture, NULL, fixture_setup, test_changed_unchanged,
              fixture_teardown);
  g_test_add_func ("/xi/store/closed", test_closed);
  g_test_add_func ("/xi/store/open-refuses-link", test_open_refuses_link);

  return g_test_run ();
}
