/* test-store-sync.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <unistd.h>

#include "xi-limits.h"
#include "xi-store.h"
#include "xi-store-private.h"
#include "xi-store-sync.h"
#include "xi-test-utils.h"

/* An account's folder: only those queue pushes (the signed-out profile
 * never syncs). */
#define MASTER "6f1c0e2a-0000-4000-8000-0000000000aa"

/*
 * The store's side of sync on a real SQLite file: every local change
 * queues exactly one (coalesced) op, rows from the server queue none, and
 * the batch, completion, pull, rebase, deletes-win, dead-op and re-sync
 * paths leave the rows and the outbox as SYNC.md 3.4-3.8 say. A second
 * connection reads the file to check what the store wrote.
 */

typedef struct
{
  char    *dir;
  char    *path;
  XiStore *store;
  sqlite3 *db;
  gint64   server_seq;   /* the fake server's counter */
  gboolean signed_out;   /* the store is the signed-out profile's */
} Fixture;

static void
fixture_open (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  f->store = xi_store_new (f->path);
  if (!f->signed_out)
    xi_store_set_master_user_id (f->store, MASTER);
  XI_TEST_WAIT (xi_store_open_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_store_open_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
fixture_close (Fixture *f)
{
  xi_store_close (f->store);
  g_assert_finalize_object (f->store);
  f->store = NULL;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = xi_test_make_tmpdir ();
  f->path = g_build_filename (f->dir, "store.db", NULL);
  f->signed_out = data != NULL;
  fixture_open (f);
  g_assert_cmpint (sqlite3_open (f->path, &f->db), ==, SQLITE_OK);
  sqlite3_busy_timeout (f->db, 5000);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  sqlite3_close (f->db);
  if (f->store != NULL)
    fixture_close (f);
  xi_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

/* Reading the file */

static gint64
q_int (Fixture    *f,
       const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (f->db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static char *
q_text (Fixture    *f,
        const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (f->db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

static gint64
n_ops (Fixture *f)
{
  return q_int (f, "SELECT count(*) FROM sync_outbox");
}

static char *
changed_of (Fixture    *f,
            const char *row_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT (SELECT json_group_array (value) FROM"
                                          " (SELECT value FROM json_each (changed) ORDER BY value))"
                                          " FROM sync_outbox WHERE row_id = '%s'"
                                          " ORDER BY op_seq DESC LIMIT 1", row_id);
  return q_text (f, sql);
}

/* The store's API, synchronously */

static XiContact *
save_contact (Fixture   *f,
              XiContact *contact)
{
  g_autoptr(GError) error = NULL;
  XiContact *saved = NULL;

  XI_TEST_WAIT (xi_store_save_contact_async (f->store, contact, NULL, xi_test_store_result_cb,
                                             &slot_),
                saved = xi_store_save_contact_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return saved;
}

static XiContact *
new_contact (Fixture    *f,
             const char *name,
             const char *phone)
{
  g_autoptr(XiContact) contact = xi_contact_new ();

  xi_contact_set_name (contact, name);
  xi_contact_set_phone (contact, phone);
  return save_contact (f, contact);
}

static GPtrArray *
take (Fixture *f,
      guint    max)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *ops = NULL;

  XI_TEST_WAIT (xi_store_sync_take_batch_async (f->store, max, NULL, xi_test_store_result_cb,
                                                &slot_),
                ops = xi_store_sync_take_batch_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_nonnull (ops);
  return ops;
}

static void
complete (Fixture   *f,
          GPtrArray *results)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  XI_TEST_WAIT (xi_store_sync_complete_async (f->store, results, NULL, xi_test_store_result_cb,
                                              &slot_),
                ok = xi_store_sync_complete_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
}

static guint
apply_page (Fixture    *f,
            const char *table,
            const char *json,
            gint64     *checkpoint)
{
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));
  g_autoptr(GError) error = NULL;
  guint n = 0;

  XI_TEST_WAIT (xi_store_sync_apply_page_async (f->store, table, bytes, NULL,
                                                xi_test_store_result_cb, &slot_),
                n = xi_store_sync_apply_page_finish (f->store, result_, checkpoint, &error));
  g_assert_no_error (error);
  return n;
}

static gint64
get_checkpoint (Fixture    *f,
                const char *table)
{
  g_autoptr(GError) error = NULL;
  gint64 checkpoint = -1;

  XI_TEST_WAIT (xi_store_sync_get_checkpoint_async (f->store, table, NULL,
                                                    xi_test_store_result_cb, &slot_),
                checkpoint = xi_store_sync_get_checkpoint_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return checkpoint;
}

/* What the server would answer for an op: its row, stamped. */
static char *
server_row (Fixture        *f,
            const XiSyncOp *op,
            gint64          version)
{
  g_autoptr(JsonNode) node = json_from_string (op->row_json, NULL);
  JsonObject *row;

  g_assert_nonnull (node);
  row = json_node_get_object (node);
  json_object_set_int_member (row, "version", version);
  json_object_set_int_member (row, "server_seq", ++f->server_seq);
  return json_to_string (node, FALSE);
}

/* Completes a batch as a server that takes every op would. */
static void
complete_applied (Fixture   *f,
                  GPtrArray *ops)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_sync_result_free);

  for (guint i = 0; i < ops->len; i++)
    {
      XiSyncOp *op = g_ptr_array_index (ops, i);
      g_autofree char *row = server_row (f, op, op->base_version + 1);

      g_ptr_array_add (results, xi_sync_result_new (op->op_id, XI_SYNC_OUTCOME_APPLIED,
                                                    row, NULL, 0));
    }
  complete (f, results);
}

/* Pushes everything queued. */
static void
push_all (Fixture *f)
{
  for (;;)
    {
      g_autoptr(GPtrArray) ops = take (f, 100);

      if (ops->len == 0)
        break;
      complete_applied (f, ops);
    }
  g_assert_cmpint (n_ops (f), ==, 0);
}

static GPtrArray *
one_result (const char    *op_id,
            XiSyncOutcome  outcome,
            const char    *row,
            const char    *message,
            guint          retry_after)
{
  GPtrArray *results = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_sync_result_free);

  g_ptr_array_add (results, xi_sync_result_new (op_id, outcome, row, message, retry_after));
  return results;
}

/* A contacts row as the server sends it. */
static char *
contact_json (const char *id,
              const char *name,
              const char *notes,
              gint64      version,
              gint64      seq,
              gboolean    deleted)
{
  return g_strdup_printf ("{\"id\":\"%s\",\"master_user_id\":\"" MASTER "\","
                          "\"created_by\":null,\"created_at\":\"2026-12-01T10:00:00+00:00\","
                          "\"updated_at\":\"2026-12-01T10:00:00+00:00\",\"version\":%" G_GINT64_FORMAT ","
                          "\"server_seq\":%" G_GINT64_FORMAT ",\"deleted\":%s,\"deleted_at\":null,"
                          "\"last_op_id\":null,\"base_version\":null,\"sync_changed\":null,"
                          "\"name\":\"%s\",\"phone\":\"62812%07" G_GINT64_FORMAT "\",\"lid\":null,"
                          "\"tags\":[\"vip\"],\"notes\":%s%s%s,\"custom_fields\":{\"kota\":\"Solo\"},"
                          "\"on_whatsapp\":1,\"on_whatsapp_checked_at\":\"2026-12-01T09:00:00+00:00\"}",
                          id, version, seq, deleted ? "true" : "false", name,
                          (gint64)g_str_hash (id) % 10000000,
                          notes != NULL ? "\"" : "", notes != NULL ? notes : "null",
                          notes != NULL ? "\"" : "");
}

/* Tests */

/* Every path that changes a synced row queues one op for it, in the same
 * transaction; edits before a push coalesce into it. */
static void
test_mutations_queue (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(XiContact) budi = new_contact (f, "Budi", "6281234567890");
  g_autoptr(XiContact) edited = NULL;
  g_autoptr(XiGroup) group = xi_group_new ("Pelanggan");
  g_autoptr(XiGroup) saved_group = NULL;
  g_autoptr(XiTemplate) template = xi_template_new ("Promo");
  g_autoptr(XiTemplate) saved_template = NULL;
  g_autoptr(XiIncoming) incoming = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *changed = NULL;
  g_autofree char *sql = NULL;
  const char *ids[] = { xi_contact_get_id (budi), NULL };
  const char *variants[] = { "Halo {name}", NULL };
  guint n = 0;

  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'contacts'"), ==, 1);
  changed = changed_of (f, xi_contact_get_id (budi));
  g_assert_cmpstr (changed, ==, "[\"custom_fields\",\"deleted\",\"lid\",\"name\",\"notes\","
                   "\"on_whatsapp\",\"on_whatsapp_checked_at\",\"phone\",\"tags\"]");

  /* Two more edits: still one op. */
  xi_contact_set_notes (budi, "pays cash");
  g_clear_object (&edited);
  edited = save_contact (f, budi);
  xi_contact_set_name (edited, "Budi Santoso");
  g_clear_object (&edited);
  edited = save_contact (f, budi);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'contacts'"), ==, 1);

  push_all (f);
  sql = g_strdup_printf ("SELECT version FROM contacts WHERE id = '%s'", xi_contact_get_id (budi));
  g_assert_cmpint (q_int (f, sql), ==, 1);

  /* An edit after the push: one new op with the changed column only. */
  xi_contact_set_name (budi, "Budi S.");
  g_clear_object (&edited);
  edited = save_contact (f, budi);
  g_clear_pointer (&changed, g_free);
  changed = changed_of (f, xi_contact_get_id (budi));
  g_assert_cmpstr (changed, ==, "[\"name\"]");
  g_assert_cmpint (q_int (f, sql), ==, 2);
  push_all (f);

  /* Opting out is a suppression event; the contact's flag is a local view
   * of it and queues nothing for the contact. */
  XI_TEST_WAIT (xi_store_set_opted_out_async (f->store, ids, TRUE, NULL, xi_test_store_result_cb,
                                              &slot_),
                n = xi_store_set_opted_out_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'suppression_events'"),
                   ==, 1);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'contacts'"), ==, 0);
  g_assert_cmpint (q_int (f, sql), ==, 2);
  push_all (f);

  /* Groups, members, templates. */
  XI_TEST_WAIT (xi_store_save_group_async (f->store, group, NULL, xi_test_store_result_cb, &slot_),
                saved_group = xi_store_save_group_finish (f->store, result_, &error));
  g_assert_no_error (error);
  XI_TEST_WAIT (xi_store_add_group_members_async (f->store, xi_group_get_id (saved_group), ids, NULL,
                                                  xi_test_store_result_cb, &slot_),
                n = xi_store_add_group_members_finish (f->store, result_, &error));
  g_assert_no_error (error);
  xi_template_set_variants (template, variants);
  XI_TEST_WAIT (xi_store_save_template_async (f->store, template, NULL, xi_test_store_result_cb,
                                              &slot_),
                saved_template = xi_store_save_template_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'groups'"), ==, 1);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'group_members'"),
                   ==, 1);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'templates'"), ==, 1);
  push_all (f);

  /* An incoming message is a fact: one op; reading it queues nothing. */
  XI_TEST_WAIT (xi_store_record_incoming_async (f->store, "6281234567890",
                                                "6281234567890@s.whatsapp.net", "3EB0A1", "halo",
                                                NULL, NULL, xi_test_store_result_cb, &slot_),
                incoming = xi_store_record_incoming_finish (f->store, result_, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'incoming_messages'"),
                   ==, 1);
  push_all (f);
  XI_TEST_WAIT (xi_store_mark_conversation_read_async (f->store, "6281234567890", NULL,
                                                       xi_test_store_result_cb, &slot_),
                n = xi_store_mark_conversation_read_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM incoming_messages WHERE is_read = 1"), ==, 1);
  g_assert_cmpint (n_ops (f), ==, 0);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM incoming_messages WHERE sync_status != 'synced'"),
                   ==, 0);

  /* Deleting is an edit of the deleted flag. */
  XI_TEST_WAIT (xi_store_delete_contacts_async (f->store, ids, NULL, xi_test_store_result_cb, &slot_),
                n = xi_store_delete_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_clear_pointer (&changed, g_free);
  changed = changed_of (f, xi_contact_get_id (budi));
  g_assert_cmpstr (changed, ==, "[\"deleted\"]");
}

static XiImportRow *
import_row (const char *name,
            const char *phone)
{
  XiImportRow *row = g_new0 (XiImportRow, 1);

  row->line = 2;
  row->name = g_strdup (name);
  row->phone = g_strdup (phone);
  row->tags = g_new0 (char *, 1);
  row->groups = g_new0 (char *, 1);
  row->custom_values = g_new0 (char *, 1);
  return row;
}

static void
import (Fixture *f)
{
  XiImportBatch *batch = xi_import_batch_new ();
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (batch->rows, import_row ("Siti", "6285700000001"));
  g_ptr_array_add (batch->rows, import_row ("Dewi", "6285700000002"));
  batch->n_records = 2;
  XI_TEST_WAIT (xi_store_import_contacts_async (f->store, batch, "Pameran", NULL, NULL, NULL, NULL,
                                                xi_test_store_result_cb, &slot_),
                report = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
}

#define BULK 1500

static void
import_bulk (Fixture *f)
{
  XiImportBatch *batch = xi_import_batch_new ();
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < BULK; i++)
    {
      g_autofree char *name = g_strdup_printf ("Bulk %u", i);
      g_autofree char *phone = g_strdup_printf ("62858000%05u", i);

      g_ptr_array_add (batch->rows, import_row (name, phone));
    }
  batch->n_records = BULK;
  XI_TEST_WAIT (xi_store_import_contacts_async (f->store, batch, "Pameran", NULL, NULL, NULL, NULL,
                                                xi_test_store_result_cb, &slot_),
                report = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report->imported + report->updated, ==, BULK);
}

/* An import large enough to write without the per-row triggers, in an
 * account's folder, into a nearly empty one (so the membership indexes
 * are built at the end): every contact and membership gets its one op,
 * the indexes are back, and the same file after the memberships were
 * removed revives each of them with one op naming the flag. */
static void
test_bulk_import_ops (Fixture       *f,
                      gconstpointer  data)
{
  import_bulk (f);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'contacts'"
                          " AND changed LIKE '%\"name\"%'"), ==, BULK);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox o JOIN group_members m ON m.id = o.row_id"
                          " WHERE o.table_name = 'group_members'"
                          " AND o.changed = '[\"group_id\",\"contact_id\",\"deleted\"]'"), ==, BULK);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
                          " AND (name = 'group_members_id' OR name = 'group_members_contact')"), ==, 2);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM group_members INDEXED BY group_members_id"
                          " WHERE id > ''"), ==, BULK);
  push_all (f);
  g_assert_cmpint (n_ops (f), ==, 0);

  /* Behind the store's back, so the removal queues nothing. */
  g_assert_cmpint (sqlite3_exec (f->db, "UPDATE group_members SET deleted = 1", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  import_bulk (f);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox o JOIN group_members m ON m.id = o.row_id"
                          " WHERE o.table_name = 'group_members' AND o.changed = '[\"deleted\"]'"
                          " AND m.deleted = 0 AND m.version = 2 AND m.sync_status = 'pending'"), ==, BULK);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'group_members'"), ==, BULK);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM group_members INDEXED BY group_members_id"
                          " WHERE id > ''"), ==, BULK);
}

/* The milliseconds a version 7 UUID was made at: its first 48 bits. */
static gint64
op_id_ms (const char *op_id)
{
  g_autofree char *hex = g_strdup_printf ("%.8s%.4s", op_id, op_id + 9);

  return g_ascii_strtoll (hex, NULL, 16);
}

/* Ops are named by time-ordered (version 7) UUIDs: each op's id is larger
 * than the one before it, so a bulk write appends to the op_id index,
 * and every id is a well-formed UUID the server takes, made now. */
static void
test_op_ids_ordered (Fixture       *f,
                     gconstpointer  data)
{
  gint64 before = g_get_real_time () / 1000;
  g_autofree char *first_id = NULL;
  g_autofree char *last_id = NULL;
  gint64 first_ms, last_ms;

  import_bulk (f);
  g_assert_cmpint (n_ops (f), >, 2 * BULK);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox a JOIN sync_outbox b"
                          " ON b.op_seq = (SELECT min (op_seq) FROM sync_outbox WHERE op_seq > a.op_seq)"
                          " WHERE b.op_id <= a.op_id"), ==, 0);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE length (op_id) <> 36"
                          " OR op_id GLOB '*[^0-9a-f-]*' OR substr (op_id, 15, 1) <> '7'"
                          " OR substr (op_id, 20, 1) NOT IN ('8', '9', 'a', 'b')"
                          " OR substr (op_id, 9, 1) <> '-' OR substr (op_id, 14, 1) <> '-'"
                          " OR substr (op_id, 19, 1) <> '-' OR substr (op_id, 24, 1) <> '-'"), ==, 0);
  first_id = q_text (f, "SELECT op_id FROM sync_outbox ORDER BY op_seq LIMIT 1");
  last_id = q_text (f, "SELECT op_id FROM sync_outbox ORDER BY op_seq DESC LIMIT 1");
  first_ms = op_id_ms (first_id);
  last_ms = op_id_ms (last_id);
  g_assert_cmpint (first_ms, >=, before);
  g_assert_cmpint (last_ms, >=, first_ms);
  g_assert_cmpint (last_ms, <=, g_get_real_time () / 1000 + 1000);
}

/* Importing the same file again changes nothing: no version bump, no op,
 * the rows stay synced. */
/* The signed-out profile never syncs (each account has its own folder):
 * its writes queue nothing and pay nothing for it. */
static void
test_signed_out_queues_nothing (Fixture       *f,
                                gconstpointer  data)
{
  import (f);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM contacts"), ==, 2);
  g_assert_cmpint (n_ops (f), ==, 0);
}

static void
test_unchanged_reimport (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  import (f);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'contacts'"), ==, 2);
  push_all (f);
  before = q_text (f, "SELECT group_concat (id || version || updated_at || sync_status) FROM"
                   " (SELECT * FROM contacts UNION ALL SELECT * FROM contacts WHERE 0 ORDER BY id)");

  import (f);
  /* The import itself is logged: that history row is the only op. */
  g_assert_cmpint (n_ops (f), ==, 1);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'history'"), ==, 1);
  after = q_text (f, "SELECT group_concat (id || version || updated_at || sync_status) FROM"
                  " (SELECT * FROM contacts UNION ALL SELECT * FROM contacts WHERE 0 ORDER BY id)");
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM contacts WHERE sync_status != 'synced'"), ==, 0);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM group_members WHERE sync_status != 'synced'"), ==, 0);
}

/* Rows pulled from the server queue nothing, and the checkpoint moves in
 * the same transaction. */
static void
test_pull_queues_nothing (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *a = contact_json ("7d1f0a52-0000-4000-8000-000000000001", "Ani", NULL, 3, 41, FALSE);
  g_autofree char *b = contact_json ("7d1f0a52-0000-4000-8000-000000000002", "Bayu", "n", 1, 42, FALSE);
  g_autofree char *page = g_strdup_printf ("[%s,%s]", a, b);
  g_autofree char *tags = NULL;
  gint64 checkpoint = 0;

  g_assert_cmpuint (apply_page (f, "contacts", page, &checkpoint), ==, 2);
  g_assert_cmpint (checkpoint, ==, 42);
  g_assert_cmpint (get_checkpoint (f, "contacts"), ==, 42);
  g_assert_cmpint (n_ops (f), ==, 0);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM contacts WHERE sync_status = 'synced'"
                          " AND server_version = version"), ==, 2);
  g_assert_cmpint (q_int (f, "SELECT on_whatsapp_checked_at FROM contacts WHERE name = 'Ani'"),
                   ==, 1796115600);
  tags = q_text (f, "SELECT tags || custom_fields FROM contacts WHERE name = 'Ani'");
  g_assert_cmpstr (tags, ==, "[\"vip\"]{\"kota\":\"Solo\"}");
  /* The pulled names get their sort keys on this side. */
  g_free (tags);
  tags = q_text (f, "SELECT group_concat (sort_key, ',') FROM (SELECT sort_key FROM contacts"
                 " ORDER BY sort_key)");
  g_assert_cmpstr (tags, ==, "1ani,1bayu");

  /* The same page again (a crash before the next one) changes nothing. */
  g_assert_cmpuint (apply_page (f, "contacts", page, &checkpoint), ==, 2);
  g_assert_cmpint (checkpoint, ==, 42);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM contacts"), ==, 2);
  g_assert_cmpint (n_ops (f), ==, 0);

  /* A tombstone. */
  g_clear_pointer (&a, g_free);
  a = contact_json ("7d1f0a52-0000-4000-8000-000000000001", "Ani", NULL, 4, 50, TRUE);
  g_clear_pointer (&page, g_free);
  page = g_strdup_printf ("[%s]", a);
  apply_page (f, "contacts", page, NULL);
  g_assert_cmpint (q_int (f, "SELECT deleted FROM contacts WHERE name = 'Ani'"), ==, 1);
  g_assert_cmpint (n_ops (f), ==, 0);
  g_assert_cmpint (get_checkpoint (f, "contacts"), ==, 50);
}

/* The names that a search of @text finds, comma-separated. */
static char *
search_names (Fixture    *f,
              const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GString) names = g_string_new (NULL);

  XI_TEST_WAIT (xi_store_search_contacts_async (f->store, text, NULL, xi_test_store_result_cb, &slot_),
                found = xi_store_search_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < found->len; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? "," : "",
                            xi_contact_get_name (g_ptr_array_index (found, i)));
  return g_string_free (g_steal_pointer (&names), FALSE);
}

/* Applies a pulled page of one contact named @name. */
static void
pull_contact (Fixture    *f,
              const char *id,
              const char *name,
              gint64      version,
              gboolean    deleted)
{
  g_autofree char *row = contact_json (id, name, NULL, version, 10 + version, deleted);
  g_autofree char *page = g_strdup_printf ("[%s]", row);

  apply_page (f, "contacts", page, NULL);
}

/* Rows written by sync reach the search index through the table's
 * triggers: pulled, renamed by another device, and deleted there. */
static void
test_pull_indexes_contacts (Fixture       *f,
                            gconstpointer  data)
{
  const char *id = "7d1f0a52-0000-4000-8000-000000000007";
  g_autofree char *found = NULL;
  g_autofree char *renamed = NULL;
  g_autofree char *old_name = NULL;
  g_autofree char *deleted = NULL;

  pull_contact (f, id, "Wulan Sari", 1, FALSE);
  found = search_names (f, "ulan s");
  g_assert_cmpstr (found, ==, "Wulan Sari");
  xi_test_wait_for_search_index (f->path);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM contacts_search WHERE contacts_search MATCH '\"ulan s\"'"),
                   ==, 1);

  pull_contact (f, id, "Wulan Pratiwi", 2, FALSE);
  old_name = search_names (f, "ulan s");
  g_assert_cmpstr (old_name, ==, "");
  renamed = search_names (f, "pratiwi");
  g_assert_cmpstr (renamed, ==, "Wulan Pratiwi");

  pull_contact (f, id, "Wulan Pratiwi", 3, TRUE);
  deleted = search_names (f, "pratiwi");
  g_assert_cmpstr (deleted, ==, "");
  xi_test_wait_for_search_index (f->path);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM contacts_search"), ==, 0);
}

/* Bad pages are refused whole, with a message, and change nothing. */
static void
test_pull_rejects_bad_pages (Fixture       *f,
                             gconstpointer  data)
{
  static const char * const pages[] = {
    "{\"id\":1}",
    "[{\"name\":\"no id\"}]",
    "[1, 2]",
    "[{\"id\":\"x\",\"server_seq\":3,\"version\":1,\"name\":\"a\",\"phone\":\"628\","
    "\"on_whatsapp_checked_at\":\"not a time\"}]",
    "not json",
  };

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (pages[i], strlen (pages[i]));
      g_autoptr(GError) error = NULL;

      XI_TEST_WAIT (xi_store_sync_apply_page_async (f->store, "contacts", bytes, NULL,
                                                    xi_test_store_result_cb, &slot_),
                    xi_store_sync_apply_page_finish (f->store, result_, NULL, &error));
      g_assert_nonnull (error);
      g_test_message ("page %u: %s", i, error->message);
    }

  {
    g_autoptr(GBytes) bytes = g_bytes_new_static ("[]", 2);
    g_autoptr(GError) error = NULL;

    XI_TEST_WAIT (xi_store_sync_apply_page_async (f->store, "wa_keystore", bytes, NULL,
                                                  xi_test_store_result_cb, &slot_),
                  xi_store_sync_apply_page_finish (f->store, result_, NULL, &error));
    g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID);
  }

  g_assert_cmpint (q_int (f, "SELECT count(*) FROM contacts"), ==, 0);
  g_assert_cmpint (get_checkpoint (f, "contacts"), ==, 0);
}

/* A batch: FIFO, one op per row, grouped by table in dependency order,
 * each with the full row; in flight on disk. */
static void
test_batch (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(XiContact) c1 = new_contact (f, "Satu", "6281100000001");
  g_autoptr(XiGroup) group = xi_group_new ("Grosir");
  g_autoptr(XiGroup) saved_group = NULL;
  g_autoptr(XiContact) c2 = new_contact (f, "Dua", "6281100000002");
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(JsonNode) row = NULL;
  g_autoptr(GError) error = NULL;
  XiSyncOp *op;

  XI_TEST_WAIT (xi_store_save_group_async (f->store, group, NULL, xi_test_store_result_cb, &slot_),
                saved_group = xi_store_save_group_finish (f->store, result_, &error));
  g_assert_no_error (error);

  ops = take (f, 10);
  g_assert_cmpuint (ops->len, ==, 3);
  /* The group was made last but is pushed first: contacts may name it. */
  op = g_ptr_array_index (ops, 0);
  g_assert_cmpstr (op->table_name, ==, "groups");
  op = g_ptr_array_index (ops, 1);
  g_assert_cmpstr (op->row_id, ==, xi_contact_get_id (c1));
  g_assert_cmpint (op->base_version, ==, 0);
  g_assert_cmpstr (op->kind, ==, "upsert");
  op = g_ptr_array_index (ops, 2);
  g_assert_cmpstr (op->row_id, ==, xi_contact_get_id (c2));

  row = json_from_string (op->row_json, NULL);
  g_assert_nonnull (row);
  {
    JsonObject *object = json_node_get_object (row);
    static const char * const keys[] = {
      "id", "master_user_id", "created_at", "updated_at", "deleted", "name", "phone", "lid",
      "tags", "notes", "custom_fields", "on_whatsapp", "on_whatsapp_checked_at",
      "base_version", "sync_changed", "last_op_id",
    };

    g_assert_cmpuint (json_object_get_size (object), ==, G_N_ELEMENTS (keys));
    for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
      g_assert_true (json_object_has_member (object, keys[i]));
    g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (object, "lid")));
    g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "tags")));
    g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "custom_fields")));
    g_assert_false (json_object_get_boolean_member (object, "deleted"));
    g_assert_cmpstr (json_object_get_string_member (object, "last_op_id"), ==, op->op_id);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "sync_changed")),
                      ==, g_strv_length (op->changed));
  }

  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE state = 'inflight'"), ==, 3);
  again = take (f, 10);
  g_assert_cmpuint (again->len, ==, 0);
}

/* A crash between "in flight" and "complete": the next process hands out
 * the same op ids, counted as attempted, and an edit in between gets an op
 * of its own instead of joining one the server may already have. */
static void
test_crash_replays_same_ops (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(XiContact) c1 = new_contact (f, "Satu", "6281100000001");
  g_autoptr(XiContact) c2 = new_contact (f, "Dua", "6281100000002");
  g_autoptr(XiContact) edited = NULL;
  g_autoptr(GPtrArray) first = take (f, 10);
  g_autoptr(GPtrArray) second = NULL;

  g_assert_cmpuint (first->len, ==, 2);

  xi_contact_set_notes (c1, "edited while in flight");
  edited = save_contact (f, c1);
  g_assert_cmpint (n_ops (f), ==, 3);

  fixture_close (f);
  fixture_open (f);

  second = take (f, 10);
  g_assert_cmpuint (second->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      XiSyncOp *a = g_ptr_array_index (first, i);
      XiSyncOp *b = g_ptr_array_index (second, i);

      g_assert_cmpstr (a->op_id, ==, b->op_id);
      g_assert_cmpuint (b->attempts, ==, 1);
    }
  /* The edit waits for the row's first op. */
  complete_applied (f, second);
  push_all (f);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM contacts WHERE sync_status = 'synced'"), ==, 2);
}

/* A push reply stores the server's row; with a newer local op the local
 * change is rebased onto it. */
static void
test_complete_applied_and_rebase (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(XiContact) c = new_contact (f, "Satu", "6281100000001");
  g_autoptr(XiContact) edited = NULL;
  g_autoptr(GPtrArray) ops = take (f, 10);
  XiSyncOp *op = g_ptr_array_index (ops, 0);
  g_autoptr(JsonNode) node = json_from_string (op->row_json, NULL);
  g_autofree char *reply = NULL;
  g_autofree char *notes = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) next = NULL;

  /* Meanwhile the user edits the notes; and another device renamed the
   * contact, which the server's reply carries. */
  xi_contact_set_notes (c, "local note");
  edited = save_contact (f, c);

  json_object_set_string_member (json_node_get_object (node), "name", "Renamed elsewhere");
  json_object_set_int_member (json_node_get_object (node), "version", 5);
  json_object_set_int_member (json_node_get_object (node), "server_seq", 77);
  reply = json_to_string (node, FALSE);
  results = one_result (op->op_id, XI_SYNC_OUTCOME_APPLIED, reply, NULL, 0);
  complete (f, results);

  name = q_text (f, "SELECT name FROM contacts");
  notes = q_text (f, "SELECT notes FROM contacts");
  g_assert_cmpstr (name, ==, "Renamed elsewhere");
  g_assert_cmpstr (notes, ==, "local note");
  g_assert_cmpint (q_int (f, "SELECT server_version FROM contacts"), ==, 5);
  g_assert_cmpint (q_int (f, "SELECT sync_status = 'pending' FROM contacts"), ==, 1);
  g_assert_cmpint (n_ops (f), ==, 1);
  g_assert_cmpint (q_int (f, "SELECT base_version FROM sync_outbox"), ==, 5);

  /* Completing twice (a reply delivered again) is harmless. */
  complete (f, results);
  g_assert_cmpint (n_ops (f), ==, 1);

  next = take (f, 10);
  g_assert_cmpuint (next->len, ==, 1);
  g_clear_pointer (&results, g_ptr_array_unref);
  g_clear_pointer (&reply, g_free);
  reply = server_row (f, g_ptr_array_index (next, 0), 6);
  results = one_result (((XiSyncOp *)g_ptr_array_index (next, 0))->op_id, XI_SYNC_OUTCOME_APPLIED,
                        reply, NULL, 0);
  complete (f, results);
  g_assert_cmpint (q_int (f, "SELECT sync_status = 'synced' AND server_version = 6 FROM contacts"),
                   ==, 1);
  g_assert_cmpint (n_ops (f), ==, 0);
}

/* A customer's message from @address is stored and pushed: the server
 * answers with its row, stamped, or (@answer FALSE) with nothing, as for
 * a fact it already had. Returns the row it answered, or %NULL. */
static char *
push_incoming (Fixture    *f,
               const char *address,
               const char *from_jid,
               gboolean    answer)
{
  g_autoptr(XiIncoming) incoming = NULL;
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  char *reply = NULL;

  XI_TEST_WAIT (xi_store_record_incoming_async (f->store, address, from_jid, "3EB0A1", "halo",
                                                NULL, NULL, xi_test_store_result_cb, &slot_),
                incoming = xi_store_record_incoming_finish (f->store, result_, NULL, &error));
  g_assert_no_error (error);
  ops = take (f, 10);
  for (guint i = 0; i < ops->len; i++)
    {
      XiSyncOp *op = g_ptr_array_index (ops, i);

      if (!g_str_equal (op->table_name, "incoming_messages"))
        continue;
      reply = answer ? server_row (f, op, 1) : NULL;
      results = one_result (op->op_id, XI_SYNC_OUTCOME_APPLIED, reply, NULL, 0);
    }
  g_assert_nonnull (results);
  complete (f, results);
  return reply;
}

/* A fact the server already had (a replay after a lost reply) comes back
 * without a row under ignore-duplicates: the op is done, the row synced. */
static void
test_complete_duplicate_fact (Fixture       *f,
                              gconstpointer  data)
{
  g_assert_null (push_incoming (f, "6281234567890", "6281234567890@s.whatsapp.net", FALSE));
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'incoming_messages'"),
                   ==, 0);
  g_assert_cmpint (q_int (f, "SELECT sync_status = 'synced' FROM incoming_messages"), ==, 1);
}

/* A message kept under its sender's LID is pushed without a number, and
 * the server, which never changes a message, keeps it so. Given its
 * number here later (_xi_store_join_lid ()), it keeps the number, its
 * contact and its campaign when the server's copy is pulled again. */
static void
test_pull_keeps_learned_number (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *reply = push_incoming (f, "236395184570386@lid", NULL, TRUE);
  g_autofree char *page = g_strdup_printf ("[%s]", reply);

  g_assert_nonnull (strstr (reply, "\"phone\":null"));
  /* As the join leaves it once its push, a fact the server had, is done. */
  g_assert_cmpint (sqlite3_exec (f->db, "UPDATE incoming_messages SET phone = '6281234567890',"
                                 " contact_id = 'c1', job_id = 'j1'", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpuint (apply_page (f, "incoming_messages", page, NULL), ==, 1);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM incoming_messages WHERE phone = '6281234567890'"
                          " AND contact_id = 'c1' AND job_id = 'j1' AND from_jid = '236395184570386@lid'"
                          " AND text = 'halo'"), ==, 1);
}

/* A STOP another computer kept under a LID whose number this one knows:
 * pulled, the message joins the number and the number takes the opt-out,
 * pushed from here, though no mapping is written again. */
static void
test_pull_joins_known_lid (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(XiIncoming) incoming = NULL;
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_key_change_free);
  g_autoptr(GBytes) number = g_bytes_new_static ("6281234567890", 13);
  g_autoptr(GHashTable) keys = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message_page = NULL;
  g_autofree char *event_page = NULL;
  gboolean ok = FALSE;

  XI_TEST_WAIT (xi_store_record_incoming_async (f->store, "236395184570386@lid", NULL, "3EB0A1", "STOP",
                                                "STOP", NULL, xi_test_store_result_cb, &slot_),
                incoming = xi_store_record_incoming_finish (f->store, result_, NULL, &error));
  g_assert_no_error (error);
  ops = take (f, 10);
  for (guint i = 0; i < ops->len; i++)
    {
      XiSyncOp *op = g_ptr_array_index (ops, i);
      g_autofree char *row = server_row (f, op, 1);

      if (g_str_equal (op->table_name, "incoming_messages"))
        message_page = g_strdup_printf ("[%s]", row);
      else if (g_str_equal (op->table_name, "suppression_events"))
        event_page = g_strdup_printf ("[%s]", row);
    }
  g_assert_nonnull (message_page);
  g_assert_nonnull (event_page);
  /* As if they were written on the other computer only. */
  g_assert_cmpint (sqlite3_exec (f->db, "DELETE FROM sync_outbox; DELETE FROM incoming_messages;"
                                 " DELETE FROM suppression_events; DELETE FROM history", NULL, NULL, NULL),
                   ==, SQLITE_OK);

  XI_TEST_WAIT (xi_store_load_keys_async (f->store, NULL, NULL, xi_test_store_result_cb, &slot_),
                keys = xi_store_load_keys_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_ptr_array_add (changes, xi_key_change_new (XI_STORE_KEY_KIND_LID_PN, "236395184570386", number));
  XI_TEST_WAIT (xi_store_put_keys_async (f->store, changes, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_store_put_keys_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);

  g_assert_cmpuint (apply_page (f, "incoming_messages", message_page, NULL), ==, 1);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM incoming_messages WHERE phone = '6281234567890'"
                          " AND from_jid = '236395184570386@lid'"), ==, 1);
  g_assert_cmpuint (apply_page (f, "suppression_events", event_page, NULL), ==, 1);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM suppression_events WHERE phone = '6281234567890'"
                          " AND event = 'opt_out' AND message_id = '3EB0A1' AND sync_status = 'pending'"), ==, 1);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'suppression_events'"), ==, 1);
}

/* Deletes win: an op the server skipped is dropped, the row is marked and
 * the next pull reads it again. */
static void
test_complete_skipped (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *row = contact_json ("7d1f0a52-0000-4000-8000-00000000000a", "Ani", NULL, 3, 41, FALSE);
  g_autofree char *page = g_strdup_printf ("[%s]", row);
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(XiContact) edited = NULL;
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  XiSyncOp *op;

  apply_page (f, "contacts", page, NULL);
  g_clear_pointer (&page, g_free);
  g_clear_pointer (&row, g_free);
  row = contact_json ("7d1f0a52-0000-4000-8000-00000000000b", "Later", NULL, 1, 60, FALSE);
  page = g_strdup_printf ("[%s]", row);
  apply_page (f, "contacts", page, NULL);
  g_assert_cmpint (get_checkpoint (f, "contacts"), ==, 60);

  XI_TEST_WAIT (xi_store_list_contacts_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                contacts = xi_store_list_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < contacts->len; i++)
    if (g_str_equal (xi_contact_get_name (g_ptr_array_index (contacts, i)), "Ani"))
      {
        xi_contact_set_notes (g_ptr_array_index (contacts, i), "stale edit");
        edited = save_contact (f, g_ptr_array_index (contacts, i));
      }
  g_assert_nonnull (edited);

  ops = take (f, 10);
  g_assert_cmpuint (ops->len, ==, 1);
  op = g_ptr_array_index (ops, 0);
  g_assert_cmpint (op->base_version, ==, 3);
  results = one_result (op->op_id, XI_SYNC_OUTCOME_SKIPPED, NULL, NULL, 0);
  complete (f, results);

  g_assert_cmpint (n_ops (f), ==, 0);
  g_assert_cmpint (q_int (f, "SELECT sync_status = 'conflict' FROM contacts WHERE name = 'Ani'"), ==, 1);
  g_assert_cmpint (get_checkpoint (f, "contacts"), ==, 40);

  /* The pull brings the delete; the row stays marked for the user. */
  g_clear_pointer (&page, g_free);
  g_clear_pointer (&row, g_free);
  row = contact_json ("7d1f0a52-0000-4000-8000-00000000000a", "Ani", NULL, 4, 61, TRUE);
  page = g_strdup_printf ("[%s]", row);
  apply_page (f, "contacts", page, NULL);
  g_assert_cmpint (q_int (f, "SELECT deleted = 1 AND sync_status = 'conflict' FROM contacts"
                          " WHERE name = 'Ani'"), ==, 1);
  g_assert_cmpint (n_ops (f), ==, 0);
}

/* A pulled delete meets a pending local edit: the delete wins, the queued
 * op goes, the user is told (conflict). A pulled edit meets a pending
 * local edit of another column: both survive. */
static void
test_pull_conflicts_and_rebase (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *a = contact_json ("7d1f0a52-0000-4000-8000-000000000001", "Ani", NULL, 3, 41, FALSE);
  g_autofree char *b = contact_json ("7d1f0a52-0000-4000-8000-000000000002", "Bayu", NULL, 1, 42, FALSE);
  g_autofree char *page = g_strdup_printf ("[%s,%s]", a, b);
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *notes = NULL;
  g_autofree char *name = NULL;
  XiSyncCounts counts = { 0, };
  gboolean ok = FALSE;

  apply_page (f, "contacts", page, NULL);
  XI_TEST_WAIT (xi_store_list_contacts_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                contacts = xi_store_list_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < contacts->len; i++)
    {
      g_autoptr(XiContact) saved = NULL;

      xi_contact_set_notes (g_ptr_array_index (contacts, i), "offline edit");
      saved = save_contact (f, g_ptr_array_index (contacts, i));
    }
  g_assert_cmpint (n_ops (f), ==, 2);

  g_clear_pointer (&a, g_free);
  g_clear_pointer (&b, g_free);
  g_clear_pointer (&page, g_free);
  a = contact_json ("7d1f0a52-0000-4000-8000-000000000001", "Ani", NULL, 4, 43, TRUE);
  b = contact_json ("7d1f0a52-0000-4000-8000-000000000002", "Bayu Aji", "server note", 2, 44, FALSE);
  page = g_strdup_printf ("[%s,%s]", a, b);
  apply_page (f, "contacts", page, NULL);

  g_assert_cmpint (q_int (f, "SELECT deleted = 1 AND sync_status = 'conflict' FROM contacts"
                          " WHERE name = 'Ani'"), ==, 1);
  name = q_text (f, "SELECT name FROM contacts WHERE id LIKE '%0002'");
  notes = q_text (f, "SELECT notes FROM contacts WHERE id LIKE '%0002'");
  g_assert_cmpstr (name, ==, "Bayu Aji");
  g_assert_cmpstr (notes, ==, "offline edit");
  g_assert_cmpint (q_int (f, "SELECT sync_status = 'pending' AND server_version = 2 FROM contacts"
                          " WHERE id LIKE '%0002'"), ==, 1);
  g_assert_cmpint (n_ops (f), ==, 1);
  g_assert_cmpint (q_int (f, "SELECT base_version FROM sync_outbox"), ==, 2);

  XI_TEST_WAIT (xi_store_sync_get_counts_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_store_sync_get_counts_finish (f->store, result_, &counts, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (counts.pending, ==, 1);
  g_assert_cmpuint (counts.dead, ==, 0);
  g_assert_cmpuint (counts.conflicts, ==, 1);
}

/* Refused ops are dead with the server's reason, listed, and can be
 * retried or discarded; transient failures wait their turn. */
static void
test_dead_and_transient (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(XiContact) c1 = new_contact (f, "Satu", "6281100000001");
  g_autoptr(XiContact) c2 = new_contact (f, "Dua", "6281100000002");
  g_autoptr(GPtrArray) ops = take (f, 10);
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_sync_result_free);
  g_autoptr(GPtrArray) dead = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) retried = NULL;
  g_autoptr(GError) error = NULL;
  XiSyncOp *refused = g_ptr_array_index (ops, 0);
  XiSyncOp *failed = g_ptr_array_index (ops, 1);
  XiSyncCounts counts = { 0, };
  guint n = 0;

  g_ptr_array_add (results, xi_sync_result_new (refused->op_id, XI_SYNC_OUTCOME_REFUSED, NULL,
                                                "new row violates check constraint", 0));
  g_ptr_array_add (results, xi_sync_result_new (failed->op_id, XI_SYNC_OUTCOME_TRANSIENT, NULL,
                                                "503 Service Unavailable", 3600));
  complete (f, results);

  g_assert_cmpint (q_int (f, "SELECT count(*) FROM contacts WHERE sync_status = 'rejected'"), ==, 1);
  g_assert_cmpint (q_int (f, "SELECT attempts FROM sync_outbox WHERE state = 'queued'"), ==, 1);
  g_assert_cmpint (q_int (f, "SELECT next_attempt_at > strftime ('%s', 'now') + 3500"
                          " FROM sync_outbox WHERE state = 'queued'"), ==, 1);

  /* Not due yet; the dead one is not handed out. */
  none = take (f, 10);
  g_assert_cmpuint (none->len, ==, 0);

  XI_TEST_WAIT (xi_store_sync_list_dead_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                dead = xi_store_sync_list_dead_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dead->len, ==, 1);
  g_assert_cmpstr (((XiSyncOp *)g_ptr_array_index (dead, 0))->op_id, ==, refused->op_id);
  g_assert_cmpstr (((XiSyncOp *)g_ptr_array_index (dead, 0))->last_error, ==,
                   "new row violates check constraint");

  XI_TEST_WAIT (xi_store_sync_get_counts_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                xi_store_sync_get_counts_finish (f->store, result_, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.pending, ==, 1);
  g_assert_cmpuint (counts.dead, ==, 1);

  XI_TEST_WAIT (xi_store_sync_resolve_dead_async (f->store, NULL, XI_SYNC_DEAD_RETRY, NULL,
                                                  xi_test_store_result_cb, &slot_),
                n = xi_store_sync_resolve_dead_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM contacts WHERE sync_status = 'rejected'"), ==, 0);
  retried = take (f, 10);
  g_assert_cmpuint (retried->len, ==, 1);
  g_assert_cmpstr (((XiSyncOp *)g_ptr_array_index (retried, 0))->op_id, ==, refused->op_id);

  g_clear_pointer (&results, g_ptr_array_unref);
  results = one_result (refused->op_id, XI_SYNC_OUTCOME_REFUSED, NULL, "still wrong", 0);
  complete (f, results);
  XI_TEST_WAIT (xi_store_sync_resolve_dead_async (f->store, refused->op_id, XI_SYNC_DEAD_DISCARD,
                                                  NULL, xi_test_store_result_cb, &slot_),
                n = xi_store_sync_resolve_dead_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE state = 'dead'"), ==, 0);
}

/* A full re-sync below the fence: unseen rows without ops go, unseen rows
 * created here stay to be pushed, unseen edits are dropped and counted. */
static void
test_resync (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *a = contact_json ("7d1f0a52-0000-4000-8000-000000000001", "Kept", NULL, 1, 10, FALSE);
  g_autofree char *b = contact_json ("7d1f0a52-0000-4000-8000-000000000002", "Purged", NULL, 1, 11, FALSE);
  g_autofree char *c = contact_json ("7d1f0a52-0000-4000-8000-000000000003", "Edited", NULL, 1, 12, FALSE);
  g_autofree char *page = g_strdup_printf ("[%s,%s,%s]", a, b, c);
  g_autoptr(XiContact) local = new_contact (f, "New here", "6281100000009");
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;
  guint dropped = 0;

  apply_page (f, "contacts", page, NULL);
  XI_TEST_WAIT (xi_store_list_contacts_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                contacts = xi_store_list_contacts_finish (f->store, result_, &error));
  for (guint i = 0; i < contacts->len; i++)
    if (g_str_equal (xi_contact_get_name (g_ptr_array_index (contacts, i)), "Edited"))
      {
        g_autoptr(XiContact) saved = NULL;

        xi_contact_set_notes (g_ptr_array_index (contacts, i), "edit of a purged row");
        saved = save_contact (f, g_ptr_array_index (contacts, i));
      }
  g_assert_cmpint (n_ops (f), ==, 2);

  XI_TEST_WAIT (xi_store_sync_begin_resync_async (f->store, "contacts", NULL,
                                                  xi_test_store_result_cb, &slot_),
                ok = xi_store_sync_begin_resync_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpint (get_checkpoint (f, "contacts"), ==, 0);

  /* The marks survive a restart. */
  fixture_close (f);
  fixture_open (f);

  g_clear_pointer (&page, g_free);
  page = g_strdup_printf ("[%s]", a);
  apply_page (f, "contacts", page, NULL);

  XI_TEST_WAIT (xi_store_sync_finish_resync_async (f->store, "contacts", NULL,
                                                   xi_test_store_result_cb, &slot_),
                dropped = xi_store_sync_finish_resync_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dropped, ==, 1);

  g_assert_cmpint (q_int (f, "SELECT count(*) FROM contacts WHERE name = 'Kept'"), ==, 1);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM contacts WHERE name = 'Purged'"), ==, 0);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM contacts WHERE name = 'Edited'"), ==, 0);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM contacts WHERE name = 'New here'"), ==, 1);
  g_assert_cmpint (n_ops (f), ==, 1);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_resync"), ==, 0);
}

/* An opt-out pulled from another device is honoured here: the contact is
 * flagged, and nothing is queued back. */
static void
test_pulled_opt_out (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(XiContact) c = new_contact (f, "Budi", "6281234567890");
  g_autofree char *page = NULL;

  push_all (f);
  page = g_strdup_printf ("[{\"id\":\"1c7e2d40-0000-4000-8000-000000000001\","
                          "\"master_user_id\":\"" MASTER "\","
                          "\"created_at\":\"2026-12-02T08:00:00+00:00\","
                          "\"updated_at\":\"2026-12-02T08:00:00+00:00\",\"version\":1,"
                          "\"server_seq\":90,\"deleted\":false,\"phone\":\"6281234567890\","
                          "\"contact_id\":\"%s\",\"event\":\"opt_out\",\"source\":\"reply\","
                          "\"keyword\":\"STOP\",\"message_id\":\"3EB0FF\"}]",
                          xi_contact_get_id (c));
  apply_page (f, "suppression_events", page, NULL);
  g_assert_cmpint (q_int (f, "SELECT opted_out FROM contacts"), ==, 1);
  g_assert_cmpint (n_ops (f), ==, 0);
  g_assert_cmpint (q_int (f, "SELECT sync_status = 'synced' FROM contacts"), ==, 1);
}

static char *
job_json (const char *id,
          const char *owner,
          const char *name,
          gint64      seq)
{
  return g_strdup_printf ("[{\"id\":\"%s\",\"master_user_id\":\"" MASTER "\","
                          "\"created_at\":\"2026-12-02T08:00:00+00:00\","
                          "\"updated_at\":\"2026-12-02T08:00:00+00:00\",\"version\":3,"
                          "\"server_seq\":%" G_GINT64_FORMAT ",\"deleted\":false,"
                          "\"owner_device_id\":\"%s\",\"name\":\"%s\",\"template_id\":null,"
                          "\"group_id\":null,\"target_kind\":\"group\",\"delay_mode\":\"random\","
                          "\"delay_min_ms\":20000,\"delay_max_ms\":45000,\"batch_size\":0,"
                          "\"batch_rest_ms\":0,\"daily_cap\":0,\"variant_mode\":\"random\","
                          "\"priority\":0,\"scheduled_at\":null,\"state\":\"processing\","
                          "\"transport\":null,\"total\":10,\"sent\":4,\"failed\":0,\"skipped\":0,"
                          "\"delivered\":0,\"read\":0,\"quota_reservation_id\":null,"
                          "\"started_at\":null,\"finished_at\":null,\"last_error\":null}]",
                          id, seq, owner, name);
}

static void
pause_job (Fixture    *f,
           const char *id)
{
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GError) error = NULL;

  XI_TEST_WAIT (xi_store_command_job_async (f->store, id, XI_JOB_COMMAND_PAUSE, NULL,
                                            xi_test_store_result_cb, &slot_),
                job = xi_store_command_job_finish (f->store, result_, &error));
  g_assert_no_error (error);
}

/* Campaigns are pushed and changed only by the device that owns them;
 * the others follow them. */
static void
test_jobs_of_other_devices (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *elsewhere = NULL;
  g_autofree char *mine = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  XI_TEST_WAIT (xi_store_sync_set_device_async (f->store, "d0000000-0000-4000-8000-000000000001",
                                                NULL, xi_test_store_result_cb, &slot_),
                ok = xi_store_sync_set_device_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);

  elsewhere = job_json ("a0000000-0000-4000-8000-000000000001",
                        "d0000000-0000-4000-8000-000000000002", "Elsewhere", 5);
  apply_page (f, "jobs", elsewhere, NULL);
  g_assert_cmpint (q_int (f, "SELECT sent FROM jobs"), ==, 4);
  g_assert_cmpint (n_ops (f), ==, 0);

  /* Another device's campaign is read-only here: that device sends it. */
  XI_TEST_WAIT (xi_store_command_job_async (f->store, "a0000000-0000-4000-8000-000000000001",
                                            XI_JOB_COMMAND_PAUSE, NULL,
                                            xi_test_store_result_cb, &slot_),
                g_assert_null (xi_store_command_job_finish (f->store, result_, &error)));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_cmpint (q_int (f, "SELECT state = 'processing' FROM jobs"), ==, 1);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'jobs'"), ==, 0);

  /* The store survives a restart knowing which device it is. */
  fixture_close (f);
  fixture_open (f);
  mine = job_json ("a0000000-0000-4000-8000-000000000002",
                   "d0000000-0000-4000-8000-000000000001", "Mine", 6);
  apply_page (f, "jobs", mine, NULL);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'jobs'"), ==, 0);
  pause_job (f, "a0000000-0000-4000-8000-000000000002");
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'jobs'"
                          " AND row_id LIKE '%0002'"), ==, 1);
}

static char *
get_device (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  char *device_id = NULL;

  XI_TEST_WAIT (xi_store_sync_get_device_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                device_id = xi_store_sync_get_device_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return device_id;
}

/* An account's folder is one device, from its first opening on; the
 * signed-out profile is none. */
static void
test_device_per_folder (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *first = get_device (f);
  g_autofree char *again = NULL;
  g_autofree char *stored = NULL;

  if (f->signed_out)
    {
      g_assert_null (first);
      g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_state"), ==, 0);
      return;
    }
  g_assert_true (g_uuid_string_is_valid (first));
  fixture_close (f);
  fixture_open (f);
  again = get_device (f);
  g_assert_cmpstr (again, ==, first);
  stored = q_text (f, "SELECT value FROM sync_state WHERE key = 'device_id'");
  g_assert_cmpstr (stored, ==, first);
}

static JsonArray *
server_rows (Fixture    *f,
             const char *table)
{
  g_autoptr(GError) error = NULL;
  JsonArray *rows = NULL;

  XI_TEST_WAIT (xi_store_sync_list_server_rows_async (f->store, table, NULL,
                                                      xi_test_store_result_cb, &slot_),
                rows = xi_store_sync_list_server_rows_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return rows;
}

/* Rows only the server writes are kept as it sent them, replaced by a
 * newer copy, dropped by a tombstone, and queue nothing. */
static void
test_server_rows (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JsonArray) first = NULL;
  g_autoptr(JsonArray) second = NULL;
  g_autoptr(JsonArray) reservations = NULL;
  gint64 checkpoint = 0;
  JsonObject *row;

  g_assert_true (g_strv_contains (xi_store_sync_pull_tables (), "user_quotas"));
  g_assert_false (g_strv_contains (xi_store_sync_tables (), "user_quotas"));

  apply_page (f, "user_quotas",
              "[{\"id\":\"9a000000-0000-4000-8000-000000000001\",\"master_user_id\":\"" MASTER "\","
              "\"server_seq\":7,\"deleted\":false,\"plan\":\"free\",\"messages_limit\":500,"
              "\"messages_used\":3,\"messages_reserved\":20}]", &checkpoint);
  g_assert_cmpint (checkpoint, ==, 7);
  apply_page (f, "quota_reservations",
              "[{\"id\":\"9b000000-0000-4000-8000-000000000001\",\"server_seq\":8,\"deleted\":false,"
              "\"amount\":20,\"used\":0,\"status\":\"pending\"},"
              "{\"id\":\"9b000000-0000-4000-8000-000000000002\",\"server_seq\":9,\"deleted\":false,"
              "\"amount\":5,\"used\":5,\"status\":\"committed\"}]", &checkpoint);
  g_assert_cmpint (checkpoint, ==, 9);
  first = server_rows (f, "user_quotas");
  g_assert_cmpuint (json_array_get_length (first), ==, 1);
  row = json_array_get_object_element (first, 0);
  g_assert_cmpint (json_object_get_int_member (row, "messages_reserved"), ==, 20);

  apply_page (f, "user_quotas",
              "[{\"id\":\"9a000000-0000-4000-8000-000000000001\",\"master_user_id\":\"" MASTER "\","
              "\"server_seq\":10,\"deleted\":false,\"plan\":\"free\",\"messages_limit\":1500,"
              "\"messages_used\":3,\"messages_reserved\":0}]", &checkpoint);
  apply_page (f, "quota_reservations",
              "[{\"id\":\"9b000000-0000-4000-8000-000000000002\",\"server_seq\":11,"
              "\"deleted\":true}]", &checkpoint);
  second = server_rows (f, "user_quotas");
  g_assert_cmpuint (json_array_get_length (second), ==, 1);
  row = json_array_get_object_element (second, 0);
  g_assert_cmpint (json_object_get_int_member (row, "messages_limit"), ==, 1500);
  reservations = server_rows (f, "quota_reservations");
  g_assert_cmpuint (json_array_get_length (reservations), ==, 1);
  g_assert_cmpint (get_checkpoint (f, "quota_reservations"), ==, 11);
  g_assert_cmpint (n_ops (f), ==, 0);
}

typedef struct
{
  guint  emissions;
  guint  ids;
  char  *table;
} ChangedSeen;

static void
changed_cb (XiStore            *store,
            const char         *table,
            const char * const *ids,
            gpointer            user_data)
{
  ChangedSeen *seen = user_data;

  seen->emissions++;
  seen->ids += g_strv_length ((char **)ids);
  g_free (seen->table);
  seen->table = g_strdup (table);
}

/* Pulled rows are announced once per table per main-loop turn. */
static void
test_changed_signal (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *a = contact_json ("7d1f0a52-0000-4000-8000-000000000001", "Ani", NULL, 1, 1, FALSE);
  g_autofree char *b = contact_json ("7d1f0a52-0000-4000-8000-000000000002", "Bayu", NULL, 1, 2, FALSE);
  g_autofree char *page1 = g_strdup_printf ("[%s]", a);
  g_autofree char *page2 = g_strdup_printf ("[%s]", b);
  g_autoptr(GBytes) bytes1 = g_bytes_new (page1, strlen (page1));
  g_autoptr(GBytes) bytes2 = g_bytes_new (page2, strlen (page2));
  g_autoptr(GError) error = NULL;
  ChangedSeen seen = { 0, };
  GAsyncResult *slot1 = NULL;
  GAsyncResult *slot2 = NULL;
  g_autoptr(GAsyncResult) result1 = NULL;
  g_autoptr(GAsyncResult) result2 = NULL;
  g_autoptr(GMainContext) results_context = g_main_context_new ();
  gulong handler;

  handler = g_signal_connect (f->store, "changed", G_CALLBACK (changed_cb), &seen);

  /* Two pages, their results collected on a context of their own, so the
   * store's main context runs only once both are stored: one emission
   * carries both ids. */
  g_main_context_push_thread_default (results_context);
  xi_store_sync_apply_page_async (f->store, "contacts", bytes1, NULL, xi_test_store_result_cb, &slot1);
  xi_store_sync_apply_page_async (f->store, "contacts", bytes2, NULL, xi_test_store_result_cb, &slot2);
  while (slot1 == NULL || slot2 == NULL)
    g_main_context_iteration (results_context, TRUE);
  g_main_context_pop_thread_default (results_context);
  result1 = slot1;
  result2 = slot2;
  xi_store_sync_apply_page_finish (f->store, result1, NULL, &error);
  g_assert_no_error (error);
  xi_store_sync_apply_page_finish (f->store, result2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (seen.emissions, ==, 0);

  while (seen.emissions == 0)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (seen.emissions, ==, 1);
  g_assert_cmpstr (seen.table, ==, "contacts");
  g_assert_cmpuint (seen.ids, ==, 2);

  g_signal_handler_disconnect (f->store, handler);
  g_free (seen.table);
}

static void
changes_noted_cb (XiStore            *store,
                  const char         *table,
                  const char * const *ids,
                  gpointer            user_data)
{
  GPtrArray *noted = user_data;

  for (guint i = 0; ids[i] != NULL; i++)
    g_ptr_array_add (noted, g_strconcat (table, " ", ids[i], NULL));
  if (ids[0] == NULL)
    g_ptr_array_add (noted, g_strconcat (table, " *", NULL));
}

/* Applies a page and checks what the store announced for it once every
 * pending emission ran. */
static void
apply_expecting (Fixture    *f,
                 GPtrArray  *noted,
                 const char *table,
                 const char *page,
                 const char *expected)
{
  g_autofree char *joined = NULL;
  gint64 checkpoint = 0;

  apply_page (f, table, page, &checkpoint);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_ptr_array_add (noted, NULL);
  joined = g_strjoinv (",", (char **)noted->pdata);
  g_ptr_array_set_size (noted, 0);
  g_assert_cmpstr (joined, ==, expected);
}

/* Each server-owned row the pull stores, replaces or drops is announced
 * once, under the server's table and the row's id, by the store's one
 * mechanism; storing the same copy again announces nothing, and none of
 * it queues a push. */
static void
test_server_rows_announced (Fixture       *f,
                            gconstpointer  data)
{
  static const struct {
    const char *table;
    const char *id;
    const char *row;
    const char *newer;
  } server[] = {
    { "user_quotas", "9a000000-0000-4000-8000-000000000001",
      "\"plan\":\"free\",\"messages_limit\":500", "\"plan\":\"pro\",\"messages_limit\":5000" },
    { "quota_reservations", "9b000000-0000-4000-8000-000000000001",
      "\"amount\":20,\"used\":0", "\"amount\":20,\"used\":20" },
    { "payments", "9c000000-0000-4000-8000-000000000001",
      "\"amount\":150000,\"status\":\"pending\"", "\"amount\":150000,\"status\":\"paid\"" },
  };
  g_autoptr(GPtrArray) noted = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) local = g_ptr_array_new_with_free_func (g_free);
  gulong handler;
  gulong local_handler;

  /* Announced as applied, never as local: sync must not push for them. */
  handler = g_signal_connect (f->store, "changed::applied", G_CALLBACK (changes_noted_cb), noted);
  local_handler = g_signal_connect (f->store, "changed::local", G_CALLBACK (changes_noted_cb), local);
  for (guint i = 0; i < G_N_ELEMENTS (server); i++)
    {
      g_autofree char *first = g_strdup_printf ("[{\"id\":\"%s\",\"server_seq\":%u,"
                                                "\"deleted\":false,%s}]",
                                                server[i].id, 10 * i + 1, server[i].row);
      g_autofree char *newer = g_strdup_printf ("[{\"id\":\"%s\",\"server_seq\":%u,"
                                                "\"deleted\":false,%s}]",
                                                server[i].id, 10 * i + 2, server[i].newer);
      g_autofree char *gone = g_strdup_printf ("[{\"id\":\"%s\",\"server_seq\":%u,"
                                               "\"deleted\":true}]",
                                               server[i].id, 10 * i + 3);
      g_autofree char *expected = g_strconcat (server[i].table, " ", server[i].id, NULL);

      g_test_message ("%s", server[i].table);
      apply_expecting (f, noted, server[i].table, first, expected);
      apply_expecting (f, noted, server[i].table, first, "");
      apply_expecting (f, noted, server[i].table, newer, expected);
      apply_expecting (f, noted, server[i].table, gone, expected);
    }
  g_signal_handler_disconnect (f->store, handler);
  g_signal_handler_disconnect (f->store, local_handler);
  g_assert_cmpuint (local->len, ==, 0);

  g_assert_cmpint (n_ops (f), ==, 0);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_state WHERE key GLOB 'server:*'"), ==, 0);
}

/* Pulled rows of a synced table are announced by the same triggers as
 * local writes: each row that changed once, one that came again not at
 * all, and they queue nothing. They are "applied"; a local save is
 * "local". */
static void
test_pulled_rows_announced (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *a = contact_json ("7d1f0a52-0000-4000-8000-000000000011", "Ani", NULL, 1, 1, FALSE);
  g_autofree char *page = g_strdup_printf ("[%s]", a);
  g_autoptr(GPtrArray) noted = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) local = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(XiContact) budi = NULL;
  gulong handler;
  gulong local_handler;

  handler = g_signal_connect (f->store, "changed::applied", G_CALLBACK (changes_noted_cb), noted);
  local_handler = g_signal_connect (f->store, "changed::local", G_CALLBACK (changes_noted_cb), local);
  apply_expecting (f, noted, "contacts", page, "contacts 7d1f0a52-0000-4000-8000-000000000011");
  apply_expecting (f, noted, "contacts", page, "");
  g_assert_cmpuint (local->len, ==, 0);
  g_assert_cmpint (n_ops (f), ==, 0);

  /* A local save is the other kind. */
  budi = new_contact (f, "Budi", "6281200000002");
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (noted->len, ==, 0);
  g_assert_cmpuint (local->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (local, 0), "contacts "));
  g_signal_handler_disconnect (f->store, handler);
  g_signal_handler_disconnect (f->store, local_handler);
}

/* A merge is a save of the kept contact and a delete of the other, so
 * the server gets both, with the memberships that moved and the kept
 * number's opt-out. */
static void
test_merge_queues (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(XiContact) keep = new_contact (f, "Siti", "6281200000001");
  g_autoptr(XiContact) other = xi_contact_new ();
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(XiContact) merged = NULL;
  g_autoptr(XiGroup) group = xi_group_new ("Setia");
  g_autoptr(XiGroup) saved_group = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *changed = NULL;

  XI_TEST_WAIT (xi_store_save_group_async (f->store, group, NULL, xi_test_store_result_cb, &slot_),
                saved_group = xi_store_save_group_finish (f->store, result_, &error));
  g_assert_no_error (error);
  xi_contact_set_name (other, "Bu Siti");
  xi_contact_set_phone (other, "6281200000002");
  xi_contact_add_group_id (other, xi_group_get_id (saved_group));
  xi_contact_set_opted_out (other, TRUE);
  saved = save_contact (f, other);
  push_all (f);

  XI_TEST_WAIT (xi_store_merge_contacts_async (f->store, xi_contact_get_id (keep),
                                               xi_contact_get_id (saved), "Siti Aminah", NULL,
                                               xi_test_store_result_cb, &slot_),
                merged = xi_store_merge_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (xi_contact_get_opted_out (merged));

  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'contacts'"), ==, 2);
  changed = changed_of (f, xi_contact_get_id (saved));
  g_assert_cmpstr (changed, ==, "[\"deleted\"]");
  g_clear_pointer (&changed, g_free);
  changed = changed_of (f, xi_contact_get_id (keep));
  g_assert_cmpstr (changed, ==, "[\"name\"]");
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'group_members'"),
                   ==, 2);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_outbox WHERE table_name = 'suppression_events'"),
                   ==, 1);
}

/* A contact row of the server's form with @tags (a JSON array) and
 * @fields (a JSON object) as given. */
static char *
wide_contact_json (const char *id,
                   const char *phone,
                   const char *name,
                   const char *tags,
                   const char *fields,
                   gint64      seq)
{
  return g_strdup_printf ("{\"id\":\"%s\",\"master_user_id\":\"" MASTER "\","
                          "\"created_at\":\"2026-12-01T10:00:00+00:00\","
                          "\"updated_at\":\"2026-12-01T10:00:00+00:00\",\"version\":1,"
                          "\"server_seq\":%" G_GINT64_FORMAT ",\"deleted\":false,"
                          "\"name\":\"%s\",\"phone\":\"%s\",\"lid\":null,\"tags\":%s,"
                          "\"notes\":null,\"custom_fields\":%s,\"on_whatsapp\":1,"
                          "\"on_whatsapp_checked_at\":null}",
                          id, seq, name, phone, tags, fields);
}

/* @n fields named PREFIX000… with short values, as a JSON object. */
static char *
fields_json (const char *prefix,
             guint       n)
{
  g_autoptr(GString) json = g_string_new ("{");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (json, "%s\"%s%03u\":\"v%u\"", i > 0 ? "," : "", prefix, i, i);
  g_string_append_c (json, '}');
  return g_string_free (g_steal_pointer (&json), FALSE);
}

static XiContact *
get_contact (Fixture    *f,
             const char *id)
{
  g_autoptr(GError) error = NULL;
  XiContact *contact = NULL;

  XI_TEST_WAIT (xi_store_get_contact_async (f->store, id, NULL, xi_test_store_result_cb, &slot_),
                contact = xi_store_get_contact_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_nonnull (contact);
  return contact;
}

/* The server bounds a contact only by its bytes. A row with more fields
 * and tags, longer names and values than anyone may save here arrives
 * within the limits everything else is held to, the same on every
 * computer, and can be edited and saved again. */
static void
test_pulled_contact_fits (Fixture       *f,
                          gconstpointer  data)
{
  const char *id = "7d1f0a52-0000-4000-8000-0000000000f1";
  g_autoptr(GString) tags = g_string_new ("[");
  g_autofree char *fields = fields_json ("f", 200);
  g_autofree char *long_name = g_strnfill (XI_LIMIT_NAME_CHARS + 50, 'n');
  g_autofree char *long_value = g_strnfill (XI_LIMIT_FIELD_CHARS * 3, 'x');
  g_autofree char *long_key = g_strnfill (XI_LIMIT_FIELD_NAME_CHARS + 1, 'k');
  g_autofree char *wide = NULL;
  g_autofree char *row = NULL;
  g_autofree char *page = NULL;
  g_autoptr(XiContact) pulled = NULL;
  g_autoptr(XiContact) saved = NULL;
  g_auto(GStrv) names = NULL;
  g_autoptr(GError) error = NULL;
  const char *value;

  for (guint i = 0; i < XI_LIMIT_TAGS * 2; i++)
    g_string_append_printf (tags, "%s\"t%u\"", i > 0 ? "," : "", i);
  g_string_append_c (tags, ']');
  /* Sorted first: an unusable name and a value too long. */
  fields[strlen (fields) - 1] = '\0';
  wide = g_strdup_printf ("{\"%s\":\"v\",\"a\":\"%s\",\"aa\":7,%s}", long_key, long_value, fields + 1);
  row = wide_contact_json (id, "6281200000301", long_name, tags->str, wide, 5);
  page = g_strdup_printf ("[%s]", row);
  g_assert_cmpuint (apply_page (f, "contacts", page, NULL), ==, 1);

  pulled = get_contact (f, id);
  g_assert_true (xi_contact_check_limits (pulled, &error));
  g_assert_no_error (error);
  names = xi_contact_dup_custom_field_names (pulled);
  g_assert_cmpuint (g_strv_length (names), ==, XI_LIMIT_FIELDS);
  value = xi_contact_get_custom_field (pulled, "a");
  g_assert_cmpuint (g_utf8_strlen (value, -1), ==, XI_LIMIT_FIELD_CHARS);
  g_assert_true (g_str_has_suffix (value, "…"));
  g_assert_null (xi_contact_get_custom_field (pulled, long_key));
  g_assert_null (xi_contact_get_custom_field (pulled, "aa"));
  g_assert_cmpstr (xi_contact_get_custom_field (pulled, "f000"), ==, "v0");
  g_assert_cmpstr (xi_contact_get_custom_field (pulled, "f062"), ==, "v62");
  g_assert_null (xi_contact_get_custom_field (pulled, "f063"));
  g_assert_cmpuint (g_strv_length ((char **)xi_contact_get_tags (pulled)), ==, XI_LIMIT_TAGS);
  g_assert_cmpuint (g_utf8_strlen (xi_contact_get_name (pulled), -1), ==, XI_LIMIT_NAME_CHARS);

  xi_contact_set_notes (pulled, "Edited here");
  saved = save_contact (f, pulled);
  g_assert_cmpstr (xi_contact_get_notes (saved), ==, "Edited here");
}

/* The server's row and a contact of this computer are one customer (one
 * number), each with fields and tags within the limits: together they
 * would pass them. The one contact left keeps no more than anyone may
 * save. */
static void
test_merged_contact_fits (Fixture       *f,
                          gconstpointer  data)
{
  const char *id = "7d1f0a52-0000-4000-8000-0000000000f2";
  g_autoptr(XiContact) local = xi_contact_new ();
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(XiContact) merged = NULL;
  g_autoptr(GStrvBuilder) local_tags = g_strv_builder_new ();
  g_auto(GStrv) local_tagv = NULL;
  g_autoptr(GString) tags = g_string_new ("[");
  g_autofree char *fields = fields_json ("s", XI_LIMIT_FIELDS - 10);
  g_autofree char *row = NULL;
  g_autofree char *page = NULL;
  g_autofree char *merged_id = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  xi_contact_set_name (local, "Dewi");
  xi_contact_set_phone (local, "6281200000302");
  for (guint i = 0; i < XI_LIMIT_FIELDS - 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("l%03u", i);

      xi_contact_set_custom_field (local, name, "here");
    }
  for (guint i = 0; i < XI_LIMIT_TAGS - 5; i++)
    {
      g_autofree char *tag = g_strdup_printf ("lt%u", i);

      g_strv_builder_add (local_tags, tag);
      g_string_append_printf (tags, "%s\"st%u\"", i > 0 ? "," : "", i);
    }
  g_string_append_c (tags, ']');
  local_tagv = g_strv_builder_end (local_tags);
  xi_contact_set_tags (local, (const char * const *)local_tagv);
  saved = save_contact (f, local);

  row = wide_contact_json (id, "6281200000302", "Dewi", tags->str, fields, 6);
  page = g_strdup_printf ("[%s]", row);
  apply_page (f, "contacts", page, NULL);

  g_assert_cmpint (q_int (f, "SELECT count(*) FROM contacts WHERE deleted = 0"), ==, 1);
  merged_id = q_text (f, "SELECT id FROM contacts WHERE deleted = 0");
  merged = get_contact (f, merged_id);
  g_assert_true (xi_contact_check_limits (merged, &error));
  g_assert_no_error (error);
  names = xi_contact_dup_custom_field_names (merged);
  g_assert_cmpuint (g_strv_length (names), ==, XI_LIMIT_FIELDS);
  g_assert_cmpuint (g_strv_length ((char **)xi_contact_get_tags (merged)), ==, XI_LIMIT_TAGS);
}

/* A server whose row-level security fails sends rows of another
 * account: the page is refused whole, nothing of it is kept, and a row
 * of ours named by its id stays ours. */
static void
test_pull_refuses_other_accounts (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(XiContact) ours = new_contact (f, "Ani", "6281200000401");
  g_autofree char *ours_row = contact_json (xi_contact_get_id (ours), "Ani", NULL, 1, 3, FALSE);
  g_autofree char *theirs = contact_json ("7d1f0a52-0000-4000-8000-0000000000f3", "Bayu", NULL, 1, 4,
                                          FALSE);
  g_autofree char *taken = NULL;
  g_autofree char *foreign = NULL;
  g_autofree char *name = NULL;
  const char *pages[][2] = {
    { "contacts", NULL },
    { "contacts", NULL },
    { "user_quotas", "[{\"id\":\"7d1f0a52-0000-4000-8000-0000000000f4\",\"master_user_id\":"
                     "\"6f1c0e2a-0000-4000-8000-0000000000bb\",\"server_seq\":9,"
                     "\"messages_limit\":1000000}]" },
  };
  g_autoptr(GString) other = NULL;

  /* Another account's customer, and another account's row under our
   * contact's id. */
  other = g_string_new (theirs);
  g_string_replace (other, MASTER, "6f1c0e2a-0000-4000-8000-0000000000bb", 0);
  foreign = g_strdup_printf ("[%s]", other->str);
  g_string_assign (other, ours_row);
  g_string_replace (other, MASTER, "6f1c0e2a-0000-4000-8000-0000000000bb", 0);
  g_string_replace (other, "\"Ani\"", "\"Taken\"", 0);
  taken = g_strdup_printf ("[%s]", other->str);
  pages[0][1] = foreign;
  pages[1][1] = taken;

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (pages[i][1], strlen (pages[i][1]));
      g_autoptr(GError) error = NULL;

      XI_TEST_WAIT (xi_store_sync_apply_page_async (f->store, pages[i][0], bytes, NULL,
                                                    xi_test_store_result_cb, &slot_),
                    xi_store_sync_apply_page_finish (f->store, result_, NULL, &error));
      g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "another account"));
    }

  g_assert_cmpint (q_int (f, "SELECT count(*) FROM contacts"), ==, 1);
  name = q_text (f, "SELECT name || ' ' || master_user_id FROM contacts");
  g_assert_cmpstr (name, ==, "Ani " MASTER);
  g_assert_cmpint (q_int (f, "SELECT count(*) FROM sync_state WHERE key GLOB 'server:*'"), ==, 0);
  g_assert_cmpint (get_checkpoint (f, "contacts"), ==, 0);
  g_assert_cmpint (get_checkpoint (f, "user_quotas"), ==, 0);
}

/* A page of @n contacts from sequence number @first_seq on. */
static char *
contacts_page (guint  n,
               gint64 first_seq)
{
  g_autoptr(GString) page = g_string_new ("[");

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("7d1f0a52-0000-4000-8000-%012u", 100000 + i);
      g_autofree char *phone = g_strdup_printf ("6281300%06u", i);
      g_autofree char *name = g_strdup_printf ("Pelanggan %u", i);
      g_autofree char *row = wide_contact_json (id, phone, name, "[\"grosir\"]",
                                                "{\"kota\":\"Surakarta\"}", first_seq + i);

      g_string_append_printf (page, "%s%s", i > 0 ? "," : "", row);
    }
  g_string_append_c (page, ']');
  return g_string_free (g_steal_pointer (&page), FALSE);
}

/* Where a child that could not mount its tmpfs says so to @parent. */
static char *
no_tmpfs_marker (GPid parent)
{
  g_autofree char *name = g_strdup_printf ("xi-store-sync-no-tmpfs-%d", (int)parent);

  return g_build_filename (g_get_tmp_dir (), name, NULL);
}

/* A pull on a full disk: the page is refused saying so, nothing of it is
 * kept and the checkpoint stays; with room again the same page applies.
 * Runs in a child with a tmpfs of its own (needs root). */
static void
test_pull_disk_full (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *marker = NULL;

  if (g_test_subprocess ())
    {
      g_autofree char *mnt = g_build_filename (f->dir, "mnt", NULL);
      g_autofree char *path = g_build_filename (mnt, "store.db", NULL);
      g_autofree char *filler = g_build_filename (mnt, "filler", NULL);
      g_autofree char *page = contacts_page (3000, 1);
      g_autoptr(GBytes) bytes = g_bytes_new (page, strlen (page));
      g_autoptr(XiStore) store = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *zeros = g_malloc0 (65536);
      gint64 checkpoint = -1;
      gboolean ok = FALSE;
      guint applied = 0;
      g_autoptr(GArray) keys = NULL;
      int fd;

      g_assert_cmpint (g_mkdir (mnt, 0700), ==, 0);
      if (unshare (CLONE_NEWNS) != 0 || mount ("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
          mount ("tmpfs", mnt, "tmpfs", 0, "size=4m,mode=0700") != 0)
        {
          g_autofree char *parent_marker = no_tmpfs_marker (getppid ());

          g_assert_true (g_file_set_contents (parent_marker, "", 0, NULL));
          return;
        }

      store = xi_store_new (path);
      xi_store_set_master_user_id (store, MASTER);
      XI_TEST_WAIT (xi_store_open_async (store, NULL, xi_test_store_result_cb, &slot_),
                    ok = xi_store_open_finish (store, result_, &error));
      g_assert_no_error (error);
      g_assert_true (ok);

      fd = g_open (filler, O_WRONLY | O_CREAT, 0600);
      g_assert_cmpint (fd, >=, 0);
      while (write (fd, zeros, 65536) > 0)
        ;
      g_assert_cmpint (ftruncate (fd, lseek (fd, 0, SEEK_END) - 64 * 1024), ==, 0);
      close (fd);

      XI_TEST_WAIT (xi_store_sync_apply_page_async (store, "contacts", bytes, NULL,
                                                    xi_test_store_result_cb, &slot_),
                    applied = xi_store_sync_apply_page_finish (store, result_, &checkpoint, &error));
      g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);
      g_assert_cmpuint (applied, ==, 0);
      g_clear_error (&error);
      XI_TEST_WAIT (xi_store_sync_get_checkpoint_async (store, "contacts", NULL,
                                                        xi_test_store_result_cb, &slot_),
                    checkpoint = xi_store_sync_get_checkpoint_finish (store, result_, &error));
      g_assert_no_error (error);
      g_assert_cmpint (checkpoint, ==, 0);
      XI_TEST_WAIT (xi_store_list_contact_keys_async (store, NULL, NULL, NULL,
                                                      xi_test_store_result_cb, &slot_),
                    keys = xi_store_list_contact_keys_finish (store, result_, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (keys->len, ==, 0);

      g_assert_cmpint (g_unlink (filler), ==, 0);
      XI_TEST_WAIT (xi_store_sync_apply_page_async (store, "contacts", bytes, NULL,
                                                    xi_test_store_result_cb, &slot_),
                    applied = xi_store_sync_apply_page_finish (store, result_, &checkpoint, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (applied, ==, 3000);
      g_assert_cmpint (checkpoint, ==, 3000);
      xi_store_close (store);
      return;
    }

  if (getuid () != 0)
    {
      g_test_skip ("A tmpfs of a given size needs root (in a private mount namespace).");
      return;
    }
  marker = no_tmpfs_marker (getpid ());
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  if (g_unlink (marker) == 0)
    g_test_skip ("No tmpfs could be mounted in a private mount namespace.");
}

/* Runs @sql in a transaction on the store's own connection, whose TEMP
 * triggers hear it, with CHECK constraints off: a column is given a value
 * its constraint may refuse, to see that its change is heard. */
static void
store_exec_func (XiStore  *self,
                 GTask    *task,
                 gpointer  data)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA ignore_check_constraints = ON; BEGIN; %s; COMMIT",
                                          (const char *)data);
  GError *error = NULL;
  gboolean ok;

  ok = _xi_store_exec (self, sql, &error);
  if (!ok)
    _xi_store_rollback (self);
  _xi_store_exec (self, "PRAGMA ignore_check_constraints = OFF", NULL);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
store_exec (Fixture    *f,
            const char *sql)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  XI_TEST_WAIT (_xi_store_push (f->store, store_exec_func, g_strdup (sql), g_free, store_exec, NULL,
                                xi_test_store_result_cb, &slot_),
                ok = g_task_propagate_boolean (G_TASK (result_), &error));
  g_assert_no_error (error);
  g_assert_true (ok);
}

/* Name, declared type, and whether it must be given, of each column of
 * @table as the file has it now. */
static GPtrArray *
table_columns (Fixture    *f,
               const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT name, type, \"notnull\" AND dflt_value IS NULL"
                                          " FROM pragma_table_info ('%s')", table);
  GPtrArray *columns = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (f->db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      char **column = g_new0 (char *, 4);

      column[0] = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
      column[1] = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
      column[2] = g_strdup (sqlite3_column_int (stmt, 2) ? "required" : "");
      g_ptr_array_add (columns, column);
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (columns->len, >, 0);
  return columns;
}

#define EVERY_COLUMN_ROW "7d1f0a52-0000-4000-8000-0000000000c0"

/* A row of @table with only what it must have. */
static void
insert_bare_row (Fixture    *f,
                 const char *table,
                 GPtrArray  *columns)
{
  g_autoptr(GString) names = g_string_new (NULL);
  g_autoptr(GString) values = g_string_new (NULL);
  g_autofree char *sql = NULL;

  for (guint i = 0; i < columns->len; i++)
    {
      char **column = g_ptr_array_index (columns, i);

      if (*column[2] == '\0')
        continue;
      g_string_append_printf (names, "%s\"%s\"", names->len > 0 ? ", " : "", column[0]);
      if (g_str_equal (column[0], "id"))
        g_string_append_printf (values, "%s'" EVERY_COLUMN_ROW "'", values->len > 0 ? ", " : "");
      else if (g_str_equal (column[0], "master_user_id"))
        g_string_append_printf (values, "%s'" MASTER "'", values->len > 0 ? ", " : "");
      else
        g_string_append_printf (values, "%s%s", values->len > 0 ? ", " : "",
                                g_str_equal (column[1], "INTEGER") ? "0" : "'x'");
    }
  sql = g_strdup_printf ("INSERT INTO %s (%s) VALUES (%s)", table, names->str, values->str);
  store_exec (f, sql);
}

/* What the store announced once every pending emission ran. */
static char *
take_announced (GPtrArray *noted)
{
  char *joined;

  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_ptr_array_add (noted, NULL);
  joined = g_strjoinv (",", (char **)noted->pdata);
  g_ptr_array_set_size (noted, 0);
  return joined;
}

/* Gives @column of the bare row of @table a value it did not hold, of
 * its kind (JSON stays JSON), with an empty outbox. A campaign with no
 * owner is this device's, and stays so: another's is not pushed here. */
static void
update_column (Fixture    *f,
               const char *table,
               const char *column)
{
  g_autofree char *sql = NULL;

  if (g_str_equal (column, "owner_device_id"))
    sql = g_strdup_printf ("DELETE FROM sync_outbox; UPDATE %s SET owner_device_id ="
                           " (SELECT value FROM sync_state WHERE key = 'device_id')"
                           " WHERE id = '" EVERY_COLUMN_ROW "'", table);
  else
    sql = g_strdup_printf ("DELETE FROM sync_outbox; UPDATE %s SET \"%s\" ="
                           " CASE WHEN typeof (\"%s\") IN ('integer', 'real') THEN \"%s\" + 1"
                           " WHEN NOT coalesce (json_valid (\"%s\"), 0) THEN coalesce (\"%s\", '') || 'x'"
                           " WHEN json_type (\"%s\") = 'array' THEN json_insert (\"%s\", '$[#]', 'x')"
                           " WHEN json_type (\"%s\") = 'object' THEN json_set (\"%s\", '$.x', 1)"
                           " ELSE \"%s\" || 'x' END WHERE id = '" EVERY_COLUMN_ROW "'",
                           table, column, column, column, column, column, column, column, column, column,
                           column);

  store_exec (f, sql);
}

/* Every column of every synced table, as the file has it now, so that a
 * column a migration adds is covered the day it is added: a change of
 * it alone is announced, and queues a push naming it when it is synced
 * (the store keeps it from the server) and nothing when it is the
 * device's own. The stamps alone are neither, and sync puts them back.
 * The triggers name the columns they watch: one left out would be
 * missed here. */
static void
test_every_column_heard (Fixture       *f,
                         gconstpointer  data)
{
  static const char * const stamps[] = { "updated_at", "version", "server_version", "server_seq", NULL };
  /* Kept from the server, but never pushed. */
  static const char * const identity[] = { "master_user_id", "created_at", NULL };
  const char * const *tables = xi_store_sync_tables ();
  g_autoptr(GPtrArray) noted = g_ptr_array_new_with_free_func (g_free);
  gulong handler = g_signal_connect (f->store, "changed", G_CALLBACK (changes_noted_cb), noted);

  for (guint t = 0; tables[t] != NULL; t++)
    {
      g_auto(GStrv) synced = g_strsplit (xi_store_sync_pull_columns (tables[t]), ",", -1);
      g_autoptr(GPtrArray) columns = table_columns (f, tables[t]);
      g_autofree char *row = g_strconcat (tables[t], " " EVERY_COLUMN_ROW, NULL);
      g_autofree char *stamped = g_strdup_printf ("SELECT version || updated_at FROM %s", tables[t]);
      g_autofree char *delete = g_strdup_printf ("DELETE FROM %s", tables[t]);

      insert_bare_row (f, tables[t], columns);
      g_free (take_announced (noted));
      for (guint i = 0; i < columns->len; i++)
        {
          const char *column = ((char **)g_ptr_array_index (columns, i))[0];
          g_autofree char *before = q_text (f, stamped);
          g_autofree char *after = NULL;
          g_autofree char *announced = NULL;
          g_autofree char *queued = NULL;
          g_autofree char *pushed = g_strdup_printf ("[\"%s\"]", column);

          if (g_str_equal (column, "id"))
            continue;
          g_test_message ("%s.%s", tables[t], column);
          update_column (f, tables[t], column);
          announced = take_announced (noted);
          queued = changed_of (f, EVERY_COLUMN_ROW);
          if (g_strv_contains (stamps, column))
            {
              after = q_text (f, stamped);
              g_assert_cmpstr (announced, ==, "");
              g_assert_null (queued);
              g_assert_cmpstr (after, ==, before);
              continue;
            }
          g_assert_cmpstr (announced, ==, row);
          if (g_strv_contains ((const char * const *)synced, column) && !g_strv_contains (identity, column))
            g_assert_cmpstr (queued, ==, pushed);
          else
            g_assert_null (queued);
        }
      store_exec (f, delete);
      g_free (take_announced (noted));
    }
  g_signal_handler_disconnect (f->store, handler);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/xi/store/sync/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("mutations-queue", test_mutations_queue);
  ADD ("merge-queues", test_merge_queues);
  ADD ("unchanged-reimport", test_unchanged_reimport);
  ADD ("bulk-import-ops", test_bulk_import_ops);
  ADD ("op-ids-ordered", test_op_ids_ordered);
  g_test_add ("/xi/store/sync/signed-out-queues-nothing", Fixture, "signed out", fixture_setup,
              test_signed_out_queues_nothing, fixture_teardown);
  ADD ("pull-queues-nothing", test_pull_queues_nothing);
  ADD ("pull-rejects-bad-pages", test_pull_rejects_bad_pages);
  ADD ("pull-indexes-contacts", test_pull_indexes_contacts);
  ADD ("batch", test_batch);
  ADD ("crash-replays-same-ops", test_crash_replays_same_ops);
  ADD ("complete-applied-and-rebase", test_complete_applied_and_rebase);
  ADD ("complete-duplicate-fact", test_complete_duplicate_fact);
  ADD ("pull-keeps-learned-number", test_pull_keeps_learned_number);
  ADD ("pull-joins-known-lid", test_pull_joins_known_lid);
  ADD ("complete-skipped", test_complete_skipped);
  ADD ("pull-conflicts-and-rebase", test_pull_conflicts_and_rebase);
  ADD ("dead-and-transient", test_dead_and_transient);
  ADD ("resync", test_resync);
  ADD ("pulled-opt-out", test_pulled_opt_out);
  ADD ("jobs-of-other-devices", test_jobs_of_other_devices);
  ADD ("device-per-folder", test_device_per_folder);
  ADD ("server-rows", test_server_rows);
  g_test_add ("/xi/store/sync/signed-out-is-no-device", Fixture, "signed out", fixture_setup,
              test_device_per_folder, fixture_teardown);
  ADD ("changed-signal", test_changed_signal);
  ADD ("every-column-heard", test_every_column_heard);
  ADD ("server-rows-announced", test_server_rows_announced);
  ADD ("pulled-rows-announced", test_pulled_rows_announced);
  ADD ("pulled-contact-fits", test_pulled_contact_fits);
  ADD ("pull-refuses-other-accounts", test_pull_refuses_other_accounts);
  ADD ("pull-disk-full", test_pull_disk_full);
  ADD ("merged-contact-fits", test_merged_contact_fits);

#undef ADD

  return g_test_run ();
}
