/* test-store-migrations.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>

#include "xi-store-private.h"
#include "xi-test-utils.h"

/*
 * Every schema version this project ever released is kept as an SQL dump
 * with data (tests/data/store-vN.sql). Each one must open with the current
 * code, upgrade to the current version, keep its rows and end up with the
 * same schema as a fresh database. Adding a migration means adding the dump
 * of the version before it.
 */

static sqlite3 *
open_db (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  return db;
}

static char *
schema_of (const char *path)
{
  sqlite3 *db = open_db (path);
  sqlite3_stmt *stmt = NULL;
  GString *schema = g_string_new (NULL);

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT type, name, sql FROM sqlite_master"
                                       " WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (schema, "%s %s: %s\n", sqlite3_column_text (stmt, 0),
                            sqlite3_column_text (stmt, 1), sqlite3_column_text (stmt, 2));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return g_string_free (schema, FALSE);
}

static gboolean
open_store (const char  *path,
            GError     **error)
{
  g_autoptr(XiStore) store = xi_store_new (path);
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;
  gboolean ok;

  xi_store_open_async (store, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  ok = xi_store_open_finish (store, result, error);
  xi_store_close (store);
  return ok;
}

static guint
user_version (const char *path)
{
  sqlite3 *db = open_db (path);
  guint version = _xi_store_schema_get_version (db);

  sqlite3_close (db);
  return version;
}

static char *
fresh_schema (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "fresh.db", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (open_store (path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (user_version (path), ==, XI_STORE_SCHEMA_VERSION);
  return schema_of (path);
}

static void
test_from_empty (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *schema = fresh_schema (dir);

  g_assert_nonnull (strstr (schema, "table contacts"));
  g_assert_nonnull (strstr (schema, "table job_recipients"));
  g_assert_nonnull (strstr (schema, "table wa_keystore"));
  g_assert_nonnull (strstr (schema, "table sync_outbox"));
  xi_test_rm_rf (dir);
}

/* Builds every older version with the migrations themselves, then upgrades:
 * each step must apply on top of the one before. */
static void
test_stepwise (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *expected = fresh_schema (dir);

  for (guint from = 0; from < XI_STORE_SCHEMA_VERSION; from++)
    {
      g_autofree char *name = g_strdup_printf ("from-%u.db", from);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *schema = NULL;
      g_autoptr(GError) error = NULL;
      sqlite3 *db = open_db (path);

      g_assert_true (_xi_store_schema_migrate (db, from, &error));
      g_assert_no_error (error);
      sqlite3_close (db);
      g_assert_cmpuint (user_version (path), ==, from);

      g_assert_true (open_store (path, &error));
      g_assert_no_error (error);
      schema = schema_of (path);
      g_assert_cmpstr (schema, ==, expected);
    }

  xi_test_rm_rf (dir);
}

static gint64
count (const char *path,
       const char *sql)
{
  sqlite3 *db = open_db (path);
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* Real databases of every released version, with rows in them. */
static void
test_dumps (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *expected = fresh_schema (dir);
  guint found = 0;

  for (guint version = 1; version <= XI_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *dump_name = g_strdup_printf ("store-v%u.sql", version);
      g_autofree char *dump = g_test_build_filename (G_TEST_DIST, "data", dump_name, NULL);
      g_autofree char *sql = NULL;
      g_autofree char *db_name = g_strdup_printf ("dump-%u.db", version);
      g_autofree char *path = g_build_filename (dir, db_name, NULL);
      g_autofree char *schema = NULL;
      g_autoptr(GError) error = NULL;
      gint64 contacts_before;
      sqlite3 *db;

      g_assert_true (g_file_get_contents (dump, &sql, NULL, NULL));
      db = open_db (path);
      g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
      sqlite3_close (db);
      g_assert_cmpuint (user_version (path), ==, version);
      contacts_before = count (path, "SELECT count(*) FROM contacts");
      g_assert_cmpint (contacts_before, >, 0);

      g_assert_true (open_store (path, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (user_version (path), ==, XI_STORE_SCHEMA_VERSION);
      g_assert_cmpint (count (path, "SELECT count(*) FROM contacts"), ==, contacts_before);
      schema = schema_of (path);
      g_assert_cmpstr (schema, ==, expected);
      found++;
    }

  g_assert_cmpuint (found, ==, XI_STORE_SCHEMA_VERSION);
  xi_test_rm_rf (dir);
}

/* Version 2 makes sync a property of the store: every row of a version 1
 * database that was never pushed gets exactly one op, rows only the
 * server writes stop looking pending, and opening again adds nothing. */
static void
test_v1_rows_get_ops (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *dump = g_test_build_filename (G_TEST_DIST, "data", "store-v1.sql", NULL);
  g_autofree char *path = g_build_filename (dir, "v1.db", NULL);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  gint64 pending;
  sqlite3 *db;

  g_assert_true (g_file_get_contents (dump, &sql, NULL, NULL));
  db = open_db (path);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO user_quotas (id, master_user_id, created_at, updated_at,"
                                 " period, allowance, used) VALUES ('q1', 'm', 'now', 'now',"
                                 " '2026-12', 10000, 5)",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  pending = count (path, "SELECT (SELECT count(*) FROM contacts WHERE sync_status = 'pending')"
                   " + (SELECT count(*) FROM groups WHERE sync_status = 'pending')"
                   " + (SELECT count(*) FROM group_members WHERE sync_status = 'pending')"
                   " + (SELECT count(*) FROM templates WHERE sync_status = 'pending')"
                   " + (SELECT count(*) FROM history WHERE sync_status = 'pending')"
                   " + (SELECT count(*) FROM suppression_events WHERE sync_status = 'pending')");
  g_assert_cmpint (pending, >, 5);
  g_assert_cmpint (count (path, "SELECT count(*) FROM sync_outbox"), ==, 0);

  g_assert_true (open_store (path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (path, "SELECT count(*) FROM sync_outbox"), ==, pending);
  g_assert_cmpint (count (path, "SELECT count(DISTINCT table_name || row_id) FROM sync_outbox"),
                   ==, pending);
  g_assert_cmpint (count (path, "SELECT count(*) FROM sync_outbox WHERE table_name = 'contacts'"
                          " AND base_version = 0 AND state = 'queued' AND attempts = 0"
                          " AND json_array_length (changed) = 9"), ==, 4);
  g_assert_cmpint (count (path, "SELECT count(*) FROM sync_outbox WHERE length (op_id) = 36"
                          " AND substr (op_id, 15, 1) = '4'"), ==, pending);
  g_assert_cmpint (count (path, "SELECT count(*) FROM user_quotas WHERE sync_status = 'synced'"), ==, 1);

  g_assert_true (open_store (path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (path, "SELECT count(*) FROM sync_outbox"), ==, pending);
  xi_test_rm_rf (dir);
}

/* Whether compiling @sql needs a temporary table. */
static gboolean
uses_temporary_table (sqlite3    *db,
                      const char *sql)
{
  g_autofree char *explain = g_strconcat ("EXPLAIN ", sql, NULL);
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  g_assert_cmpint (sqlite3_prepare_v2 (db, explain, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    found |= g_str_equal ((const char *)sqlite3_column_text (stmt, 1), "OpenEphemeral");
  sqlite3_finalize (stmt);
  return found;
}

static int
insert_recipient_in_state (sqlite3    *db,
                           const char *id,
                           const char *state)
{
  g_autofree char *sql = g_strdup_printf ("INSERT INTO job_recipients (id, master_user_id, created_at,"
                                          " updated_at, job_id, position, phone, state)"
                                          " VALUES ('%s', 'u', 't', 't', 'j', %u, '62811', '%s')",
                                          id, g_str_hash (id) % 1000, state);

  return sqlite3_exec (db, sql, NULL, NULL, NULL);
}

/* Writing a row checks its constraints without building a table of the
 * allowed values each time, in a new database and in an upgraded one,
 * and the constraints still refuse what they refused before. */
static void
test_cheap_checks (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *dump = g_test_build_filename (G_TEST_DIST, "data", "store-v1.sql", NULL);
  g_autofree char *sql = NULL;
  const char *names[] = { "fresh.db", "upgraded.db" };

  g_assert_true (g_file_get_contents (dump, &sql, NULL, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);
      sqlite3_stmt *stmt = NULL;
      sqlite3 *db;

      if (i == 1)
        {
          db = open_db (path);
          g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
          sqlite3_close (db);
        }
      g_assert_true (open_store (path, &error));
      g_assert_no_error (error);

      db = open_db (path);
      g_assert_cmpint (sqlite3_prepare_v2 (db,
                                           "SELECT name FROM sqlite_master WHERE type = 'table'"
                                           " AND name NOT LIKE 'sqlite_%'",
                                           -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_ptr_array_add (tables, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
      sqlite3_finalize (stmt);
      g_assert_cmpuint (tables->len, >, 10);

      for (guint t = 0; t < tables->len; t++)
        {
          g_autofree char *insert = g_strdup_printf ("INSERT INTO \"%s\" DEFAULT VALUES",
                                                     (char *)g_ptr_array_index (tables, t));

          if (uses_temporary_table (db, insert))
            g_error ("%s: inserting into %s builds a temporary table", names[i],
                     (char *)g_ptr_array_index (tables, t));
        }
      g_assert_false (uses_temporary_table (db, "UPDATE job_recipients SET state = 'sent'"
                                                " WHERE id = 'x'"));

      g_assert_cmpint (insert_recipient_in_state (db, "r1", "read"), ==, SQLITE_OK);
      g_assert_cmpint (insert_recipient_in_state (db, "r2", "bogus"), ==, SQLITE_CONSTRAINT);
      g_assert_cmpint (sqlite3_exec (db, "UPDATE job_recipients SET state = 'lost' WHERE id = 'r1'",
                                     NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
      g_assert_cmpint (sqlite3_exec (db, "UPDATE job_recipients SET sync_status = 'lost'"
                                     " WHERE id = 'r1'", NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
      g_assert_cmpint (sqlite3_exec (db, "UPDATE job_recipients SET sync_status = 'synced'"
                                     " WHERE id = 'r1'", NULL, NULL, NULL), ==, SQLITE_OK);
      sqlite3_close (db);
    }

  xi_test_rm_rf (dir);
}

static void
test_too_new (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "future.db", NULL);
  g_autoptr(GError) error = NULL;
  sqlite3 *db = open_db (path);

  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE x (y); PRAGMA user_version = 999",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_assert_false (open_store (path, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_TOO_NEW);
  /* Nothing was touched. */
  g_assert_cmpuint (user_version (path), ==, 999);
  xi_test_rm_rf (dir);
}

static void
test_not_a_database (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "contacts.csv", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "name,phone\nBudi,0812\n"
                                      "this is definitely not sqlite, but long enough to have a "
                                      "header page of its own ....................................",
                                      -1, NULL));
  g_assert_false (open_store (path, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_CORRUPT);
  xi_test_rm_rf (dir);
}

/* A new database at @path holding the dump @name of tests/data/. */
static sqlite3 *
open_dump (const char *path,
           const char *name)
{
  g_autofree char *dump = g_test_build_filename (G_TEST_DIST, "data", name, NULL);
  g_autofree char *sql = NULL;
  sqlite3 *db;

  g_assert_true (g_file_get_contents (dump, &sql, NULL, NULL));
  db = open_db (path);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  return db;
}

/* Loads the dump @name into @path, adds the rows @sql writes and
 * upgrades the file to the current version. */
static void
upgrade_dump_with (const char *path,
                   const char *name,
                   const char *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = open_dump (path, name);

  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_true (open_store (path, &error));
  g_assert_no_error (error);
}

/* Version 11 orders contacts by a key written with the row: a version
 * 10 file's contacts get theirs, so the list reads names naturally, and
 * the list order's index is built on it. */
static void
test_v11_sort_keys (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "v10.db", NULL);
  g_autoptr(GString) names = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;

  upgrade_dump_with (path, "store-v10.sql",
                     "INSERT INTO contacts (id, master_user_id, created_at, updated_at, name, phone)"
                     " VALUES ('c5', '00000000-0000-0000-0000-000000000000',"
                     " '2026-12-06T10:00:00.000Z', '2026-12-06T10:00:00.000Z',"
                     " 'Pelanggan 10', '6281300000005'),"
                     " ('c6', '00000000-0000-0000-0000-000000000000',"
                     " '2026-12-06T10:00:00.000Z', '2026-12-06T10:00:00.000Z',"
                     " 'Pelanggan 2', '6281300000006'),"
                     " ('c7', '00000000-0000-0000-0000-000000000000',"
                     " '2026-12-06T10:00:00.000Z', '2026-12-06T10:00:00.000Z',"
                     " 'Élan', '6281300000007');");
  db = open_db (path);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT name FROM contacts INDEXED BY contacts_order"
                                       " WHERE master_user_id = '00000000-0000-0000-0000-000000000000'"
                                       " AND deleted = 0 ORDER BY sort_key, phone",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (names, "%s%s", names->len > 0 ? "," : "", sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpstr (names->str, ==, "Budi Santoso,Élan,Pelanggan 2,Pelanggan 10,Siti Aminah,Toko Maju Jaya");
  /* The deleted nameless contact c4 has the key of the nameless too. */
  g_assert_cmpint (count (path, "SELECT count(*) FROM contacts WHERE id = 'c4' AND sort_key = '2'"), ==, 1);
  xi_test_rm_rf (dir);
}

/* Version 12 indexes only the recipients that have a message id: a
 * version 11 file's ids, sent or not yet, are all found from a receipt
 * through the index, and a row without one takes no room in it. */
static void
test_v12_message_index (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "v11.db", NULL);
  g_autoptr(GString) plan = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;

  upgrade_dump_with (path, "store-v11.sql",
                     "INSERT INTO jobs (id, master_user_id, created_at, updated_at, name,"
                     " target_kind, delay_mode, variant_mode, state, transport)"
                     " VALUES ('j1', '00000000-0000-0000-0000-000000000000',"
                     " '2026-12-01T08:00:00.000Z', '2026-12-01T08:00:00.000Z', 'Promo',"
                     " 'group', 'static', 'random', 'paused', 'loopback');"
                     "INSERT INTO job_recipients (id, master_user_id, created_at, updated_at,"
                     " job_id, position, phone, state, wa_message_id, sent_at)"
                     " VALUES ('r1', '00000000-0000-0000-0000-000000000000',"
                     " '2026-12-01T08:00:00.000Z', '2026-12-01T08:00:00.000Z', 'j1', 1,"
                     " '6281234567890', 'sent', '3EB0C0FFEE00000000000001', '2026-12-01T08:01:00.000Z'),"
                     " ('r2', '00000000-0000-0000-0000-000000000000',"
                     " '2026-12-01T08:00:00.000Z', '2026-12-01T08:00:00.000Z', 'j1', 2,"
                     " '6285711112222', 'pending', '3EB0C0FFEE00000000000002', NULL),"
                     " ('r3', '00000000-0000-0000-0000-000000000000',"
                     " '2026-12-01T08:00:00.000Z', '2026-12-01T08:00:00.000Z', 'j1', 3,"
                     " '62215551234', 'skipped', NULL, NULL);");

  /* The lookup of record_receipt () answers from the index. */
  db = open_db (path);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "EXPLAIN QUERY PLAN SELECT job_id, state FROM job_recipients"
                                       " WHERE wa_message_id = ?1 AND master_user_id = ?2",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append (plan, (const char *)sqlite3_column_text (stmt, 3));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_nonnull (strstr (plan->str, "USING INDEX job_recipients_message"));

  g_assert_cmpint (count (path, "SELECT count(*) FROM job_recipients INDEXED BY job_recipients_message"
                                " WHERE wa_message_id = '3EB0C0FFEE00000000000001' AND state = 'sent'"), ==, 1);
  g_assert_cmpint (count (path, "SELECT count(*) FROM job_recipients INDEXED BY job_recipients_message"
                                " WHERE wa_message_id = '3EB0C0FFEE00000000000002' AND state = 'pending'"), ==, 1);
  g_assert_cmpint (count (path, "SELECT count(*) FROM job_recipients INDEXED BY job_recipients_message"
                                " WHERE wa_message_id IS NOT NULL"), ==, 2);
  g_assert_cmpint (count (path, "SELECT count(*) FROM sqlite_schema WHERE name = 'job_recipients_message'"
                                " AND sql LIKE '%WHERE wa_message_id IS NOT NULL'"), ==, 1);
  xi_test_rm_rf (dir);
}

/* Version 12 answers whether any contact has a status from an index of
 * only those contacts, on a version 11 file's rows too: the opted-out
 * contact is in it, the deleted one never is, and a contact checked on
 * WhatsApp afterwards joins it. */
static void
test_v12_contact_status (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "v11.db", NULL);
  g_autoptr(GError) error = NULL;
  sqlite3 *db = open_dump (path, "store-v11.sql");
  static const char with_status[] =
    "SELECT group_concat (id) FROM (SELECT id FROM contacts INDEXED BY contacts_status"
    " WHERE master_user_id = '00000000-0000-0000-0000-000000000000'"
    " AND deleted = 0 AND (opted_out = 1 OR on_whatsapp <> 0) ORDER BY id)";
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_exec (db, "UPDATE contacts SET on_whatsapp = 1 WHERE id = 'c4'",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_assert_true (open_store (path, &error));
  g_assert_no_error (error);

  db = open_db (path);
  g_assert_cmpint (sqlite3_prepare_v2 (db, with_status, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *)sqlite3_column_text (stmt, 0), ==, "c3");
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE contacts SET on_whatsapp = 2 WHERE id = 'c1'",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, with_status, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *)sqlite3_column_text (stmt, 0), ==, "c1,c3");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  xi_test_rm_rf (dir);
}

#define V13_CONTACT(id, phone, deleted, fields) \
  "INSERT INTO contacts (id, master_user_id, created_at, updated_at, phone, deleted, custom_fields)" \
  " VALUES ('" id "', '00000000-0000-0000-0000-000000000000', '2026-12-07T00:00:00.000Z'," \
  " '2026-12-07T00:00:00.000Z', '" phone "', " deleted ", '" fields "');"

#define V13_FIELDS \
  "SELECT group_concat (name || '=' || contacts) FROM (SELECT name, contacts FROM contact_fields" \
  " WHERE master_user_id = '00000000-0000-0000-0000-000000000000' ORDER BY name)"

/* Version 13 counts the names of a version 12 file's custom fields, of
 * live contacts only, ignoring values that are no JSON object (a name
 * an object holds twice counts twice, and is taken away twice); its
 * triggers then follow any program's writes. */
static void
test_v13_contact_fields (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "v12.db", NULL);
  g_autofree char *fields = NULL;
  sqlite3 *db;

  upgrade_dump_with (path, "store-v12.sql",
                     V13_CONTACT ("c5", "6281300000005", "0", "{\"kota\":\"Solo\",\"toko\":\"Maju\"}")
                     V13_CONTACT ("c6", "6281300000006", "0", "not json")
                     V13_CONTACT ("c7", "6281300000007", "0", "[\"kota\"]")
                     V13_CONTACT ("c8", "6281300000008", "1", "{\"hobi\":\"catur\"}")
                     V13_CONTACT ("c9", "6281300000009", "0", "{\"toko\":\"a\",\"toko\":\"b\"}"));
  fields = xi_test_sqlite_text (path, V13_FIELDS);
  g_assert_cmpstr (fields, ==, "kota=3,toko=3");

  db = open_db (path);
  g_assert_cmpint (sqlite3_exec (db,
                                 "UPDATE contacts SET deleted = 0 WHERE id = 'c8';"
                                 "UPDATE contacts SET custom_fields = '{}' WHERE id = 'c5';"
                                 "DELETE FROM contacts WHERE id = 'c9';",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_free (fields);
  fields = xi_test_sqlite_text (path, V13_FIELDS);
  g_assert_cmpstr (fields, ==, "hobi=1,kota=2");
  xi_test_rm_rf (dir);
}

/* The plan SQLite makes for @sql on @path, its details joined. */
static char *
plan_of (const char *path,
         const char *sql)
{
  g_autofree char *explain = g_strconcat ("EXPLAIN QUERY PLAN ", sql, NULL);
  GString *plan = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = open_db (path);

  g_assert_cmpint (sqlite3_prepare_v2 (db, explain, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (plan, "%s;", sqlite3_column_text (stmt, 3));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (plan, FALSE);
}

#define V14_RECIPIENT(id, position, phone, state, message_id, sent_at) \
  "INSERT INTO job_recipients (id, master_user_id, created_at, updated_at, job_id, position, phone," \
  " state, wa_message_id, sent_at) VALUES ('" id "', '00000000-0000-0000-0000-000000000000'," \
  " '2026-12-07T08:00:00.000Z', '2026-12-07T08:00:00.000Z', 'j1', " position ", '" phone "'," \
  " '" state "', " message_id ", " sent_at ");"

/* Version 14 finds a conversation's campaign messages by number among
 * the rows that have a message id, which a send and a receipt no longer
 * change: a version 13 file's sent rows are all found, a row without an
 * id takes no room, and the lookups of a receipt and of an account's
 * messaged contacts do not take the number's index. */
static void
test_v14_recipient_phones (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "v13.db", NULL);
  g_autofree char *by_phone = NULL;
  g_autofree char *by_message = NULL;
  g_autofree char *by_account = NULL;

  upgrade_dump_with (path, "store-v13.sql",
                     V14_RECIPIENT ("r10", "10", "6281234567890", "read", "'3EB0C0FFEE00000000000010'",
                                    "'2026-12-07T08:01:00.000Z'")
                     V14_RECIPIENT ("r11", "11", "6281234567890", "sending", "'3EB0C0FFEE00000000000011'",
                                    "NULL")
                     V14_RECIPIENT ("r12", "12", "6281234567890", "pending", "NULL", "NULL"));

  by_phone = plan_of (path, "SELECT job_id FROM job_recipients WHERE master_user_id = ?1 AND phone = ?2"
                            " AND deleted = 0 AND wa_message_id IS NOT NULL AND sent_at IS NOT NULL"
                            " ORDER BY sent_at DESC LIMIT 1");
  g_assert_nonnull (strstr (by_phone, "USING INDEX job_recipients_phone (phone=? AND master_user_id=?)"));
  by_message = plan_of (path, "SELECT job_id, state FROM job_recipients WHERE wa_message_id = ?1"
                              " AND master_user_id = ?2");
  g_assert_nonnull (strstr (by_message, "USING INDEX job_recipients_message"));
  by_account = plan_of (path, "SELECT contact_id FROM job_recipients WHERE master_user_id = ?1"
                              " AND deleted = 0 AND state = 'sent'");
  g_assert_null (strstr (by_account, "job_recipients_phone"));

  g_assert_cmpint (count (path, "SELECT count(*) FROM job_recipients INDEXED BY job_recipients_phone"
                                " WHERE phone = '6281234567890'"
                                " AND master_user_id = '00000000-0000-0000-0000-000000000000'"
                                " AND wa_message_id IS NOT NULL AND sent_at IS NOT NULL"), ==,
                   count (path, "SELECT count(*) FROM job_recipients NOT INDEXED WHERE phone = '6281234567890'"
                                " AND sent_at IS NOT NULL"));
  g_assert_cmpint (count (path, "SELECT count(*) FROM job_recipients INDEXED BY job_recipients_phone"
                                " WHERE phone = '6281234567890'"
                                " AND master_user_id = '00000000-0000-0000-0000-000000000000'"
                                " AND wa_message_id IS NOT NULL AND sent_at IS NOT NULL"), >=, 2);
  g_assert_cmpint (count (path, "SELECT count(*) FROM job_recipients INDEXED BY job_recipients_phone"
                                " WHERE wa_message_id IS NOT NULL"), ==,
                   count (path, "SELECT count(*) FROM job_recipients WHERE wa_message_id IS NOT NULL"));
  g_assert_cmpint (count (path, "SELECT count(*) FROM sqlite_schema WHERE name = 'job_recipients_sent_phone'"), ==, 0);
  xi_test_rm_rf (dir);
}

/* The store's timestamps, which every migrated and new row carries: ISO
 * 8601 in UTC with milliseconds, 24 characters, the moment of the call. */
static void
test_now (void)
{
  gint64 before = g_get_real_time () / 1000;
  g_autofree char *now = _xi_store_now ();
  gint64 after = g_get_real_time () / 1000;
  g_autoptr(GDateTime) parsed = g_date_time_new_from_iso8601 (now, NULL);
  gint64 at;

  g_assert_true (g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$",
                                       now, 0, 0));
  g_assert_nonnull (parsed);
  at = g_date_time_to_unix (parsed) * 1000 + g_date_time_get_microsecond (parsed) / 1000;
  g_assert_cmpint (at, >=, before);
  g_assert_cmpint (at, <=, after);
}

/* A moment GDateTime holds is written as it writes it, with the
 * milliseconds given, and the year always in four digits; one it does
 * not hold, a peer's claim, is none. */
static void
test_time_text (void)
{
  const gint64 seconds[] = { G_GINT64_CONSTANT (-30610224000), -1, 0, 951782400, 1796630399,
                             G_GINT64_CONSTANT (253402300799) };
  const gint64 outside[] = { G_GINT64_CONSTANT (-62135596801), G_GINT64_CONSTANT (253402300800), G_MAXINT64,
                             G_MININT64 };
  g_autofree char *first = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (seconds); i++)
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (seconds[i]);
      g_autofree char *expected = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S.042Z");
      g_autofree char *text = _xi_store_time_text (seconds[i], 42);

      g_assert_cmpstr (text, ==, expected);
    }
  for (guint i = 0; i < G_N_ELEMENTS (outside); i++)
    g_assert_null (_xi_store_time_text (outside[i], 0));
  first = _xi_store_time_text (G_GINT64_CONSTANT (-62135596800), 0);
  g_assert_cmpstr (first, ==, "0001-01-01T00:00:00.000Z");
}

/* The store's now from a clock before 1970: a negative count of
 * microseconds is the second before, not no time or the epoch. */
static void
test_time_text_usec (void)
{
  const struct { gint64 usec; const char *text; } times[] = {
    { 0, "1970-01-01T00:00:00.000Z" },
    { 1999999, "1970-01-01T00:00:01.999Z" },
    { -1, "1969-12-31T23:59:59.999Z" },
    { -1500000, "1969-12-31T23:59:58.500Z" },
    { -2000000, "1969-12-31T23:59:58.000Z" },
    { G_GINT64_CONSTANT (-62135596800) * G_USEC_PER_SEC, "0001-01-01T00:00:00.000Z" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      g_autofree char *text = _xi_store_time_text_usec (times[i].usec);

      g_assert_cmpstr (text, ==, times[i].text);
    }
  g_assert_null (_xi_store_time_text_usec (G_GINT64_CONSTANT (-62135596800) * G_USEC_PER_SEC - 1));
}

#define V15_CONTACT(id, account, phone, deleted) \
  "INSERT INTO contacts (id, master_user_id, created_at, updated_at, phone, deleted) VALUES ('" id "'," \
  " '" account "', '2026-12-07T11:00:00.000Z', '2026-12-07T11:00:00.000Z', '" phone "', " deleted ");"

/* Version 15 keys a live contact's number by number, then account: a
 * version 14 file keeps its contacts and the rule that a number is live
 * once per account, a lookup by both takes the index by number first,
 * and a query by account alone still takes an index. */
static void
test_v15_contact_phones (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "v14.db", NULL);
  g_autofree char *by_phone = NULL;
  g_autofree char *by_account = NULL;
  sqlite3 *db;

  upgrade_dump_with (path, "store-v14.sql",
                     V15_CONTACT ("c10", "00000000-0000-0000-0000-000000000000", "6281300000010", "1")
                     V15_CONTACT ("c11", "11111111-1111-1111-1111-111111111111", "6281234567890", "0"));

  by_phone = plan_of (path, "SELECT id FROM contacts WHERE master_user_id = ?1 AND phone = ?2"
                            " AND deleted = 0");
  g_assert_nonnull (strstr (by_phone, "USING INDEX contacts_phone (phone=? AND master_user_id=?)"));
  by_account = plan_of (path, "SELECT count(*) FROM contacts WHERE master_user_id = ?1 AND deleted = 0");
  g_assert_nonnull (strstr (by_account, "USING COVERING INDEX contacts_order (master_user_id=? AND deleted=?)"));

  g_assert_cmpint (count (path, "SELECT count(*) FROM contacts INDEXED BY contacts_phone WHERE deleted = 0"), ==,
                   count (path, "SELECT count(*) FROM contacts NOT INDEXED WHERE deleted = 0"));
  db = open_db (path);
  g_assert_cmpint (sqlite3_exec (db, V15_CONTACT ("c12", "00000000-0000-0000-0000-000000000000",
                                                  "6281234567890", "0"), NULL, NULL, NULL), ==,
                   SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_exec (db, V15_CONTACT ("c13", "00000000-0000-0000-0000-000000000000",
                                                  "6281300000010", "0"), NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  xi_test_rm_rf (dir);
}

#define V16_MESSAGE(id, from_jid, phone) \
  "INSERT INTO incoming_messages (id, master_user_id, created_at, updated_at, wa_message_id, from_jid," \
  " phone, received_at) VALUES ('" id "', '00000000-0000-0000-0000-000000000000'," \
  " '2026-12-07T20:00:00.000Z', '2026-12-07T20:00:00.000Z', '" id "', '" from_jid "', " phone "," \
  " '2026-12-07T20:00:00.000Z');"

/* Version 16 finds the messages a LID sent while its number was hidden
 * by their LID, among those without a number, as the join looks them up
 * each time a number is learned: a version 15 file's are in the index,
 * and none with a number is. */
static void
test_v16_lid_messages (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "v15.db", NULL);
  g_autofree char *join = NULL;

  upgrade_dump_with (path, "store-v15.sql",
                     V16_MESSAGE ("m1", "236395184570386@lid", "NULL")
                     V16_MESSAGE ("m2", "236395184570386@lid", "NULL")
                     V16_MESSAGE ("m3", "6281234567890@s.whatsapp.net", "'6281234567890'"));

  join = plan_of (path, "UPDATE incoming_messages SET phone = ?3 WHERE master_user_id = ?1"
                        " AND phone IS NULL AND from_jid = ?2");
  g_assert_nonnull (strstr (join, "USING INDEX incoming_lid (from_jid=? AND master_user_id=?)"));
  g_assert_cmpint (count (path, "SELECT count(*) FROM incoming_messages INDEXED BY incoming_lid"
                                " WHERE phone IS NULL AND from_jid = '236395184570386@lid'"), ==, 2);
  g_assert_cmpint (count (path, "SELECT count(*) FROM incoming_messages INDEXED BY incoming_lid"
                                " WHERE phone IS NULL"), ==,
                   count (path, "SELECT count(*) FROM incoming_messages NOT INDEXED WHERE phone IS NULL"));
  xi_test_rm_rf (dir);
}

/* Version 6 gives the Inbox both sides of a conversation: the automatic
 * replies sent before it, known only from the activity log, join the
 * new table with their rule's text, answering the customer's message. */
static void
test_v6_auto_replies (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "v3.db", NULL);
  g_autoptr(GError) error = NULL;
  sqlite3 *db = open_dump (path, "store-v3.sql");

  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO incoming_messages (id, master_user_id, created_at, updated_at,"
                                 " wa_message_id, from_jid, phone, text, received_at) VALUES ('i1',"
                                 " '00000000-0000-0000-0000-000000000000', '2026-12-01T10:00:00.000Z',"
                                 " '2026-12-01T10:00:00.000Z', 'IN1', '6281234567890@s.whatsapp.net',"
                                 " '6281234567890', 'halo', '2026-12-01T10:00:00.000Z');"
                                 "INSERT INTO auto_reply_rules (id, master_user_id, created_at, updated_at,"
                                 " name, reply_text) VALUES ('r1', '00000000-0000-0000-0000-000000000000',"
                                 " '2026-12-01T09:00:00.000Z', '2026-12-01T09:00:00.000Z', 'Salam',"
                                 " 'Terima kasih');"
                                 "INSERT INTO history (id, master_user_id, created_at, updated_at, kind,"
                                 " summary, details) VALUES ('h2', '00000000-0000-0000-0000-000000000000',"
                                 " '2026-12-01T10:00:01.000Z', '2026-12-01T10:00:01.000Z', 'auto-reply.sent',"
                                 " '', '{\"rule_id\":\"r1\",\"incoming_id\":\"i1\",\"message_id\":\"AR1\"}'),"
                                 " ('h3', '00000000-0000-0000-0000-000000000000', '2026-12-01T10:00:02.000Z',"
                                 " '2026-12-01T10:00:02.000Z', 'auto-reply.sent', '', 'not json');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_assert_true (open_store (path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (path, "SELECT count(*) FROM outgoing_messages"), ==, 1);
  g_assert_cmpint (count (path, "SELECT count(*) FROM outgoing_messages WHERE wa_message_id = 'AR1'"
                                " AND phone = '6281234567890' AND kind = 'auto_reply' AND state = 'sent'"
                                " AND text = 'Terima kasih' AND reply_to = 'IN1' AND rule_name = 'Salam'"),
                   ==, 1);
  xi_test_rm_rf (dir);
}

/* Version 8 syncs the Inbox's own messages and the segments: in an
 * account's folder each of their rows gets one op listing every synced
 * column, an automatic reply version 6 marked synced among them; the
 * signed-out profile's rows queue nothing. */
static void
test_v8_rows_get_ops (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "v7.db", NULL);
  g_autofree char *dump = g_test_build_filename (G_TEST_DIST, "data", "store-v7.sql", NULL);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  gint64 before;
  sqlite3 *db;

  g_assert_true (g_file_get_contents (dump, &sql, NULL, NULL));
  db = open_db (path);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "UPDATE outgoing_messages SET master_user_id = 'acct';"
                                 "UPDATE segments SET master_user_id = 'acct';"
                                 "INSERT INTO outgoing_messages (id, master_user_id, created_at,"
                                 " updated_at, sync_status, wa_message_id, phone, kind, text, state)"
                                 " VALUES ('o2', 'acct', '2026-12-01T10:06:00.000Z',"
                                 " '2026-12-01T10:06:00.000Z', 'synced', 'AR2', '6281234567890',"
                                 " 'auto_reply', 'Terima kasih', 'sent'),"
                                 " ('o3', '00000000-0000-0000-0000-000000000000',"
                                 " '2026-12-01T10:07:00.000Z', '2026-12-01T10:07:00.000Z', 'pending',"
                                 " 'OUT3', '6281234567890', 'reply', 'Oke', 'sent');"
                                 "INSERT INTO segments (id, master_user_id, created_at, updated_at,"
                                 " name, conditions) VALUES ('sg3', '00000000-0000-0000-0000-000000000000',"
                                 " '2026-12-06T15:12:53.000Z', '2026-12-06T15:12:53.000Z', 'Lokal',"
                                 " '[\"#vip\"]');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  before = count (path, "SELECT count(*) FROM sync_outbox");
  g_assert_cmpint (count (path, "SELECT count(*) FROM sync_outbox WHERE table_name = 'segments'"
                          " OR table_name = 'outgoing_messages'"), ==, 0);

  g_assert_true (open_store (path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (path, "SELECT count(*) FROM sync_outbox WHERE table_name = 'outgoing_messages'"
                          " AND row_id IN ('o1', 'o2') AND master_user_id = 'acct' AND kind = 'upsert'"
                          " AND base_version = 0 AND state = 'queued' AND attempts = 0"
                          " AND json_array_length (changed) = 13"), ==, 2);
  g_assert_cmpint (count (path, "SELECT count(*) FROM sync_outbox WHERE table_name = 'segments'"
                          " AND master_user_id = 'acct' AND changed = '[\"name\",\"conditions\","
                          "\"deleted\"]'"), ==, 2);
  g_assert_cmpint (count (path, "SELECT count(*) FROM sync_outbox"), ==, before + 4);
  g_assert_cmpint (count (path, "SELECT count(*) FROM outgoing_messages WHERE id = 'o2'"
                          " AND sync_status = 'pending'"), ==, 1);
  g_assert_cmpint (count (path, "SELECT count(*) FROM sync_outbox WHERE master_user_id = 'acct'"
                          " AND length (op_id) = 36 AND substr (op_id, 15, 1) = '4'"), ==, 4);

  g_assert_true (open_store (path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (path, "SELECT count(*) FROM sync_outbox"), ==, before + 4);
  xi_test_rm_rf (dir);
}

/* Version 9 indexes the live contacts of a version 7 file for search, and
 * its triggers note every later write that the index has to follow. */
static void
test_v9_search_index (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "v7.db", NULL);
  g_autoptr(GError) error = NULL;
  sqlite3 *db = open_dump (path, "store-v7.sql");

  sqlite3_close (db);
  g_assert_true (open_store (path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (path, "SELECT count(*) FROM contacts_search"), ==,
                   count (path, "SELECT count(*) FROM contacts WHERE deleted = 0"));
  g_assert_cmpint (count (path, "SELECT count(*) FROM contacts_search s JOIN contacts c"
                                " ON c.rowid = s.rowid WHERE contacts_search MATCH '\"santoso\"'"
                                " AND c.id = 'c1'"), ==, 1);
  /* The deleted contact c4 is not in it. */
  g_assert_cmpint (count (path, "SELECT count(*) FROM contacts_search WHERE contacts_search MATCH"
                                " 'phone : \"6281300000004\"'"), ==, 0);
  g_assert_cmpint (count (path, "SELECT count(*) FROM contacts_search_stale"), ==, 0);

  db = open_db (path);
  g_assert_cmpint (sqlite3_exec (db,
                                 "UPDATE contacts SET name = 'Budi Hartono' WHERE id = 'c1';"
                                 "UPDATE contacts SET deleted = 1 WHERE id = 'c2';"
                                 "UPDATE contacts SET deleted = 0 WHERE id = 'c4';"
                                 "UPDATE contacts SET notes = 'no search in notes' WHERE id = 'c3';"
                                 "INSERT INTO contacts (id, master_user_id, created_at, updated_at, name, phone)"
                                 " VALUES ('c5', '00000000-0000-0000-0000-000000000000',"
                                 " '2026-12-06T10:00:00.000Z', '2026-12-06T10:00:00.000Z', 'Baru', '6281300000005');"
                                 "DELETE FROM contacts WHERE id = 'c3';",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_cmpint (count (path, "SELECT count(*) FROM contacts_search_stale s JOIN contacts c"
                                " ON c.rowid = s.contact_rowid WHERE c.id IN ('c1', 'c2', 'c4', 'c5')"), ==, 4);
  g_assert_cmpint (count (path, "SELECT count(*) FROM contacts_search_stale"), ==, 5);
  xi_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xi/store/migrations/from-empty", test_from_empty);
  g_test_add_func ("/xi/store/migrations/stepwise", test_stepwise);
  g_test_add_func ("/xi/store/migrations/dumps", test_dumps);
  g_test_add_func ("/xi/store/migrations/v1-rows-get-ops", test_v1_rows_get_ops);
  g_test_add_func ("/xi/store/migrations/cheap-checks", test_cheap_checks);
  g_test_add_func ("/xi/store/migrations/v6-auto-replies", test_v6_auto_replies);
  g_test_add_func ("/xi/store/migrations/v8-rows-get-ops", test_v8_rows_get_ops);
  g_test_add_func ("/xi/store/migrations/v9-search-index", test_v9_search_index);
  g_test_add_func ("/xi/store/migrations/v11-sort-keys", test_v11_sort_keys);
  g_test_add_func ("/xi/store/migrations/v12-message-index", test_v12_message_index);
  g_test_add_func ("/xi/store/migrations/v12-contact-status", test_v12_contact_status);
  g_test_add_func ("/xi/store/migrations/v13-contact-fields", test_v13_contact_fields);
  g_test_add_func ("/xi/store/migrations/v14-recipient-phones", test_v14_recipient_phones);
  g_test_add_func ("/xi/store/migrations/v15-contact-phones", test_v15_contact_phones);
  g_test_add_func ("/xi/store/migrations/v16-lid-messages", test_v16_lid_messages);
  g_test_add_func ("/xi/store/migrations/too-new", test_too_new);
  g_test_add_func ("/xi/store/now", test_now);
  g_test_add_func ("/xi/store/time-text", test_time_text);
  g_test_add_func ("/xi/store/time-text-usec", test_time_text_usec);
  g_test_add_func ("/xi/store/migrations/not-a-database", test_not_a_database);

  return g_test_run ();
}
