/* xi-store-changes.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-store-changes"

#include "config.h"

#include "xi-store-private.h"
#include "xi-store-sync.h"

/*
 * XiStore::changed tells the models which rows to read again, whoever
 * wrote them through this store: a page, the engine or sync, and, more
 * coarsely, another process on the same data folder (see "Other
 * processes" below). It is a property of the connection,
 * like sync's outbox, rather than a call in each operation:
 * when the store opens, TEMP triggers on every synced table hand the
 * (table, id) of each inserted, updated or deleted row to
 * xi_store_changed (), which collects them for the open transaction.
 *
 * Rows only the server writes (the allowance, its reservations, payments)
 * are cached in sync_state under "server:TABLE:ID"; a trigger there
 * announces them under the server's table name, so sync has no list of
 * changes of its own to keep.
 *
 * Each table's announcement says where its rows came from: "changed::local"
 * when some row was written on this computer (outside sync's applying),
 * "changed::applied" when all of them were rows sync applied from the
 * server, which sync must not take as a reason to push.
 *
 * The WAL hook runs once SQLite has committed, so only then are the
 * collected rows published; the rollback hook forgets them. An update
 * counts only when a column other than the stamps (updated_at, version,
 * the server's counters) differs, so saving a row unchanged, or a
 * re-import of the same file, announces nothing.
 */

/* Past this many rows of one table in one turn, the ids are not worth
 * listing: listeners get an empty list and read the whole table again. A
 * campaign of 100,000 recipients then costs one reload, not 100,000 ids. */
#define MAX_IDS 10000

/* Columns that change with every write, synced or not. */
static const char * const stamp_columns[] = {
  "id", "updated_at", "version", "server_version", "server_seq", NULL,
};

typedef struct
{
  GHashTable *ids;   /* owned strings */
  gboolean    all;   /* too many: the whole table */
  gboolean    local; /* some row was not applied from the server */
} TableChanges;

static void
table_changes_free (gpointer data)
{
  TableChanges *changes = data;

  g_hash_table_unref (changes->ids);
  g_free (changes);
}

static GHashTable *
change_set_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, table_changes_free);
}

static TableChanges *
change_set_lookup (GHashTable *set,
                   const char *table)
{
  TableChanges *changes = g_hash_table_lookup (set, table);

  if (changes == NULL)
    {
      changes = g_new0 (TableChanges, 1);
      changes->ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (set, g_strdup (table), changes);
    }
  return changes;
}

/* Too many rows to name: listeners read the whole table again. */
static void
table_changes_take_all (TableChanges *changes)
{
  changes->all = TRUE;
  g_hash_table_remove_all (changes->ids);
}

static void
change_set_add (GHashTable *set,
                const char *table,
                const char *id,
                gboolean    local)
{
  TableChanges *changes = change_set_lookup (set, table);

  changes->local |= local;
  if (changes->all || g_hash_table_contains (changes->ids, id))
    return;
  if (g_hash_table_size (changes->ids) >= MAX_IDS)
    {
      table_changes_take_all (changes);
      return;
    }
  g_hash_table_add (changes->ids, g_strdup (id));
}

static gboolean
emit_changes_cb (gpointer user_data)
{
  XiStore *self = user_data;
  g_autoptr(GHashTable) set = NULL;
  GHashTableIter iter;
  const char *table;
  TableChanges *changes;

  g_mutex_lock (&self->changes_lock);
  set = g_steal_pointer (&self->changes);
  g_clear_pointer (&self->changes_source, g_source_unref);
  g_mutex_unlock (&self->changes_lock);

  if (set == NULL)
    return G_SOURCE_REMOVE;

  g_hash_table_iter_init (&iter, set);
  while (g_hash_table_iter_next (&iter, (gpointer *)&table, (gpointer *)&changes))
    {
      g_autofree const char **list = NULL;

      if (changes->all)
        list = g_new0 (const char *, 1);
      else
        list = (const char **)g_hash_table_get_keys_as_array (changes->ids, NULL);
      _xi_store_emit_changed (self, table, list, changes->local);
    }

  return G_SOURCE_REMOVE;
}

/* Must hold changes_lock. */
static void
schedule_emission (XiStore *self)
{
  if (self->changes_source != NULL)
    return;

  self->changes_source = g_idle_source_new ();
  g_source_set_priority (self->changes_source, G_PRIORITY_DEFAULT_IDLE);
  /* No reference: closing the store destroys the source. */
  g_source_set_callback (self->changes_source, emit_changes_cb, self, NULL);
  g_source_set_static_name (self->changes_source, "[xi-store] changed");
  g_source_attach (self->changes_source, self->context);
}

/* Called on the store thread after a commit. Changes pile up until the
 * main context runs the one pending emission, so a pull of thousands of
 * rows costs the UI one reload per table, not one per row. */
void
_xi_store_note_change (XiStore    *self,
                       const char *table,
                       const char *id)
{
  _xi_store_assert_thread (self);

  if (!_xi_store_changed_is_heard (self))
    return;
  g_mutex_lock (&self->changes_lock);
  if (self->changes == NULL)
    self->changes = change_set_new ();
  change_set_add (self->changes, table, id, TRUE);
  schedule_emission (self);
  g_mutex_unlock (&self->changes_lock);
}

/**
 * _xi_store_changes_note:
 * @self: a #XiStore, on its thread, in a transaction
 * @table: a synced table
 * @id: the id of a row of @table the transaction wrote
 *
 * Does what the insert trigger of @table does, for a writer that paused
 * it with _xi_store_changes_pause_inserts().
 */
void
_xi_store_changes_note (XiStore    *self,
                        const char *table,
                        const char *id)
{
  _xi_store_assert_thread (self);

  if (self->pending_changes == NULL)
    self->pending_changes = change_set_new ();
  /* Read per row: sync stops applying for a moment to queue a change of
   * its own in the transaction that applies a pulled row. */
  change_set_add (self->pending_changes, table, id, !self->sync_applying);
}

/**
 * _xi_store_changes_note_many:
 * @self: a #XiStore, on its thread, in a transaction
 * @table: a synced table
 * @rows: how many rows of @table one statement wrote, none of them
 *   named before
 *
 * For a writer that paused the insert trigger of @table and wrote rows
 * in bulk without seeing their ids: so many rows are announced as the
 * whole table, as naming them one by one would end.
 *
 * Returns: whether the rows are noted; %FALSE when they are few enough
 *   to be named with _xi_store_changes_note()
 */
gboolean
_xi_store_changes_note_many (XiStore    *self,
                             const char *table,
                             guint64     rows)
{
  TableChanges *changes;

  _xi_store_assert_thread (self);

  if (rows <= MAX_IDS)
    return FALSE;
  if (self->pending_changes == NULL)
    self->pending_changes = change_set_new ();
  changes = change_set_lookup (self->pending_changes, table);
  changes->local |= !self->sync_applying;
  table_changes_take_all (changes);
  return TRUE;
}

static void
changed_func (sqlite3_context  *context,
              int               argc,
              sqlite3_value   **argv)
{
  XiStore *self = sqlite3_user_data (context);
  const char *table = (const char *)sqlite3_value_text (argv[0]);
  const char *id = (const char *)sqlite3_value_text (argv[1]);

  if (table == NULL || id == NULL)
    return;
  _xi_store_changes_note (self, table, id);
}

static void
rolled_back_cb (void *user_data)
{
  XiStore *self = user_data;

  g_clear_pointer (&self->pending_changes, g_hash_table_unref);
}

/*
 * Other processes
 *
 * The command line writes through a connection of its own, whose TEMP
 * triggers tell nobody here. What this process can see cheaply is that
 * the WAL file changed (a GFileMonitor: inotify, no timer, nothing to do
 * while nobody writes) and, on the store thread, whether PRAGMA
 * data_version moved, which happens only when another connection
 * committed, never for this one's own commits. Then each synced table's
 * fingerprint (its row count, the sum of its rows' versions, which every
 * synced edit bumps, and the latest updated_at) says which tables another
 * process changed, and those are announced whole, as local changes:
 * what they queued is this computer's to push. A table this connection
 * wrote since the last look has no fingerprint (its commits drop it) and
 * is announced with them.
 */

/* For contacts, also counts the rows whose sort key is the column's empty
 * default into @unsorted: a row another program wrote (the sqlite3
 * shell, a script) without our sort_key triggers, which would list
 * first. Counting them rides on the scan the fingerprint makes anyway. */
static char *
fingerprint (XiStore    *self,
             const char *table,
             gint64     *unsorted)
{
  gboolean contacts = g_str_equal (table, "contacts");
  /* No rowid: group_members has none. */
  g_autofree char *sql = g_strdup_printf ("SELECT count(*), total(version), max(updated_at)%s"
                                          " FROM main.\"%s\"",
                                          contacts ? ", total (sort_key = '')" : "", table);
  sqlite3_stmt *stmt = NULL;
  char *print = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_warning ("Cannot tell whether other programs changed %s: %s", table, sqlite3_errmsg (self->db));
      return NULL;
    }
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      print = g_strdup_printf ("%" G_GINT64_FORMAT ":%.17g:%s",
                               (gint64)sqlite3_column_int64 (stmt, 0),
                               sqlite3_column_double (stmt, 1),
                               (const char *)sqlite3_column_text (stmt, 2) ?: "");
      if (contacts)
        *unsorted = sqlite3_column_int64 (stmt, 3);
    }
  sqlite3_finalize (stmt);
  return print;
}

static gint64
data_version (XiStore *self)
{
  sqlite3_stmt *stmt = NULL;
  gint64 version = -1;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA data_version", -1, &stmt, NULL) != SQLITE_OK)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return version;
}

/* The tables this connection just committed to: their fingerprints are
 * stale, and reading them again after each commit would cost a scan. */
static void
forget_fingerprints (XiStore    *self,
                     GHashTable *committed)
{
  GHashTableIter iter;
  const char *table;

  if (self->fingerprints == NULL)
    return;
  g_hash_table_iter_init (&iter, committed);
  while (g_hash_table_iter_next (&iter, (gpointer *)&table, NULL))
    g_hash_table_remove (self->fingerprints, table);
}

/* Gives the contacts another program wrote without a sort key theirs, in
 * one statement on the rows with the empty key, then takes the contacts'
 * fingerprint again, since this commit dropped it. The statement scans
 * the table, but only runs when a fingerprint found such rows. */
static void
repair_sort_keys (XiStore *self,
                  gint64   unsorted)
{
  g_autoptr(GError) error = NULL;
  gint64 left = 0;
  char *print;

  g_debug ("Giving %" G_GINT64_FORMAT " contacts another program wrote their sort key", unsorted);
  if (!_xi_store_begin (self, &error))
    {
      g_warning ("Cannot sort the contacts another program wrote: %s", error->message);
      return;
    }
  if (!_xi_store_exec (self, "UPDATE main.contacts SET sort_key = xi_sort_key (name) WHERE sort_key = ''",
                       &error) ||
      !_xi_store_commit (self, &error))
    {
      g_warning ("Cannot sort the contacts another program wrote: %s", error->message);
      _xi_store_rollback (self);
      return;
    }
  if ((print = fingerprint (self, "contacts", &left)) != NULL)
    g_hash_table_insert (self->fingerprints, (gpointer)"contacts", print);
}

/* Takes note of every table's fingerprint; returns the tables whose
 * fingerprint moved or was not known. */
static GPtrArray *
take_fingerprints (XiStore *self)
{
  const char * const *tables = xi_store_sync_tables ();
  GPtrArray *moved = g_ptr_array_new ();
  gint64 unsorted = 0;

  if (self->fingerprints == NULL)
    self->fingerprints = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  for (guint i = 0; tables[i] != NULL; i++)
    {
      char *print = fingerprint (self, tables[i], &unsorted);

      if (print == NULL || g_strcmp0 (print, g_hash_table_lookup (self->fingerprints, tables[i])) != 0)
        g_ptr_array_add (moved, (gpointer)tables[i]);
      if (print != NULL)
        g_hash_table_insert (self->fingerprints, (gpointer)tables[i], print);
      else
        g_hash_table_remove (self->fingerprints, tables[i]);
    }
  if (unsorted > 0)
    repair_sort_keys (self, unsorted);
  return moved;
}

static void
look_func (XiStore  *self,
           GTask    *task,
           gpointer  data)
{
  g_autoptr(GPtrArray) moved = NULL;
  gint64 version = data_version (self);

  if (version == self->data_version)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  self->data_version = version;
  moved = take_fingerprints (self);
  g_debug ("Another process changed %u tables", moved->len);
  if (moved->len > 0)
    {
      g_mutex_lock (&self->changes_lock);
      if (self->changes == NULL)
        self->changes = change_set_new ();
      for (guint i = 0; i < moved->len; i++)
        {
          TableChanges *changes = change_set_lookup (self->changes, g_ptr_array_index (moved, i));

          changes->all = TRUE;
          changes->local = TRUE;
          g_hash_table_remove_all (changes->ids);
        }
      schedule_emission (self);
      g_mutex_unlock (&self->changes_lock);
    }
  g_task_return_boolean (task, TRUE);
}

/* On the store's main context. This process's own commits change the WAL
 * too; the store thread tells them apart. GIO delivers a burst of
 * changes at most once in 800 ms, so looks need no coalescing. */
static void
wal_changed_cb (GFileMonitor      *monitor,
                GFile             *file,
                GFile             *other_file,
                GFileMonitorEvent  event,
                gpointer           user_data)
{
  XiStore *self = user_data;

  if (event != G_FILE_MONITOR_EVENT_CHANGED && event != G_FILE_MONITOR_EVENT_CREATED)
    return;
  if (!_xi_store_changed_is_heard (self))
    return;
  _xi_store_push_detached (self, look_func);
}

/**
 * _xi_store_changes_watch:
 * @self: a #XiStore just opened, on the context it was made on
 *
 * Starts looking for other processes' commits; the look's results come
 * on this context, where "changed" is emitted.
 */
void
_xi_store_changes_watch (XiStore *self)
{
  g_autofree char *wal_path = NULL;
  g_autoptr(GFile) wal = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainContext) here = g_main_context_ref_thread_default ();

  g_return_if_fail (here == self->context);

  if (self->wal_monitor != NULL)
    return;
  wal_path = g_strconcat (self->path, "-wal", NULL);
  wal = g_file_new_for_path (wal_path);
  self->wal_monitor = g_file_monitor_file (wal, G_FILE_MONITOR_NONE, NULL, &error);
  if (self->wal_monitor == NULL)
    {
      g_warning ("Changes made by other programs will show after a restart: %s", error->message);
      return;
    }
  g_signal_connect (self->wal_monitor, "changed", G_CALLBACK (wal_changed_cb), self);
}

/**
 * _xi_store_changes_committed:
 * @self: a #XiStore, on its thread
 *
 * Publishes the rows the transaction that just committed changed. Called
 * from the WAL hook, which SQLite runs only after a commit succeeded.
 */
void
_xi_store_changes_committed (XiStore *self)
{
  g_autoptr(GHashTable) pending = g_steal_pointer (&self->pending_changes);
  GHashTableIter iter;
  const char *table;
  TableChanges *changes;

  if (pending == NULL)
    return;
  forget_fingerprints (self, pending);

  /* Nobody listening now hears nothing later either: a listener that
   * connects afterwards reads what it shows first. */
  if (!_xi_store_changed_is_heard (self))
    return;

  g_mutex_lock (&self->changes_lock);
  if (self->changes == NULL)
    self->changes = change_set_new ();
  g_hash_table_iter_init (&iter, pending);
  while (g_hash_table_iter_next (&iter, (gpointer *)&table, (gpointer *)&changes))
    {
      GHashTableIter ids;
      const char *id;

      if (changes->all)
        {
          TableChanges *published = change_set_lookup (self->changes, table);

          published->all = TRUE;
          published->local |= changes->local;
          g_hash_table_remove_all (published->ids);
          continue;
        }
      g_hash_table_iter_init (&ids, changes->ids);
      while (g_hash_table_iter_next (&ids, (gpointer *)&id, NULL))
        change_set_add (self->changes, table, id, changes->local);
    }
  schedule_emission (self);
  g_mutex_unlock (&self->changes_lock);
}

/**
 * _xi_store_changes_clear:
 * @self: a #XiStore
 *
 * Forgets every change not announced yet; nothing is announced after the
 * store closes. Called once the store thread is gone.
 */
void
_xi_store_changes_clear (XiStore *self)
{
  g_clear_pointer (&self->pending_changes, g_hash_table_unref);
  g_clear_pointer (&self->fingerprints, g_hash_table_unref);
  if (self->wal_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->wal_monitor, self);
      g_file_monitor_cancel (self->wal_monitor);
      g_clear_object (&self->wal_monitor);
    }

  g_mutex_lock (&self->changes_lock);
  if (self->changes_source != NULL)
    g_source_destroy (self->changes_source);
  g_clear_pointer (&self->changes_source, g_source_unref);
  g_clear_pointer (&self->changes, g_hash_table_unref);
  g_mutex_unlock (&self->changes_lock);
}

static void
append_insert_trigger (GString    *sql,
                       const char *table)
{
  g_string_append_printf (sql,
                          "CREATE TEMP TRIGGER xi_changed_%s_insert AFTER INSERT ON main.%s"
                          " BEGIN SELECT xi_store_changed ('%s', NEW.id); END;",
                          table, table, table);
}

/*
 * An update trigger is named with the columns it watches (AFTER UPDATE
 * OF): SQLite leaves it out of every UPDATE that sets none of them, and
 * loads only the old values that the triggers it keeps compare. It
 * compares its columns in order and stops at the first that differs,
 * so what an update most often changes comes first.
 *
 * A campaign's counters move with every message, written by an UPDATE
 * of their own (_xi_store_write_job_counts ()): they get a trigger of
 * their own too, which loads their old values and not the whole row's.
 * A recipient is written three times a message (its message id, its
 * outcome, its receipt), each setting only columns of its progress:
 * those get a trigger of their own too, so none of the three loads the
 * rendered text, the name or the number. Most of them move its state.
 */
static const char * const job_counters[] = {
  "sent", "delivered", "read", "failed", "skipped", "total", NULL,
};
static const char * const recipient_moves[] = {
  "state", "wa_message_id", "attempts", "next_attempt_at", "last_error", "skip_reason",
  "sent_at", "delivered_at", "read_at", "sync_status", NULL,
};

typedef struct
{
  const char         *table;
  const char * const *columns;
  gboolean            apart;  /* in a trigger of their own */
} LikelyChanges;

static const LikelyChanges likely_changes[] = {
  { "jobs", job_counters, TRUE },
  { "job_recipients", recipient_moves, TRUE },
};

static const LikelyChanges *
lookup_likely_changes (const char *table)
{
  for (guint i = 0; i < G_N_ELEMENTS (likely_changes); i++)
    if (g_str_equal (likely_changes[i].table, table))
      return &likely_changes[i];
  return NULL;
}

/* An update trigger hearing a change of any of @columns; none without
 * columns. */
static void
append_update_trigger (GString    *sql,
                       const char *table,
                       const char *name,
                       GPtrArray  *columns)
{
  if (columns->len == 0)
    return;
  g_string_append_printf (sql, "CREATE TEMP TRIGGER xi_changed_%s_%s AFTER UPDATE OF ", table, name);
  for (guint i = 0; i < columns->len; i++)
    g_string_append_printf (sql, "%s\"%s\"", i > 0 ? ", " : "", (const char *)g_ptr_array_index (columns, i));
  g_string_append_printf (sql, " ON main.%s WHEN ", table);
  for (guint i = 0; i < columns->len; i++)
    {
      const char *column = g_ptr_array_index (columns, i);

      g_string_append_printf (sql, "%sOLD.\"%s\" IS NOT NEW.\"%s\"", i > 0 ? " OR " : "", column, column);
    }
  g_string_append_printf (sql, " BEGIN SELECT xi_store_changed ('%s', NEW.id); END;", table);
}

/* The TEMP triggers of @table: a change of any column but the stamps is
 * heard, as the table is now, so a column a migration adds is too. */
static char *
build_triggers (XiStore     *self,
                const char  *table,
                GError     **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GPtrArray) columns = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) likely = g_ptr_array_new ();
  g_autoptr(GPtrArray) others = g_ptr_array_new ();
  g_autofree char *pragma = g_strdup_printf ("PRAGMA main.table_info (\"%s\")", table);
  const LikelyChanges *changes = lookup_likely_changes (table);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, pragma, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _xi_store_set_error (self, rc, error);
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *column = (const char *)sqlite3_column_text (stmt, 1);

      if (!g_strv_contains (stamp_columns, column))
        g_ptr_array_add (columns, g_strdup (column));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return NULL;
    }

  /* In the order of the list, and only those the table has. */
  for (guint i = 0; changes != NULL && changes->columns[i] != NULL; i++)
    {
      guint index;

      if (g_ptr_array_find_with_equal_func (columns, changes->columns[i], g_str_equal, &index))
        g_ptr_array_add (likely, g_ptr_array_index (columns, index));
    }
  for (guint i = 0; i < columns->len; i++)
    if (!g_ptr_array_find_with_equal_func (likely, g_ptr_array_index (columns, i), g_str_equal, NULL))
      g_ptr_array_add (others, g_ptr_array_index (columns, i));

  append_insert_trigger (sql, table);
  if (changes != NULL && changes->apart)
    {
      append_update_trigger (sql, table, "often", likely);
      append_update_trigger (sql, table, "update", others);
    }
  else
    {
      g_ptr_array_extend (likely, others, NULL, NULL);
      append_update_trigger (sql, table, "update", likely);
    }
  g_string_append_printf (sql,
                          "CREATE TEMP TRIGGER xi_changed_%s_delete AFTER DELETE ON main.%s"
                          " BEGIN SELECT xi_store_changed ('%s', OLD.id); END;",
                          table, table, table);
  return g_string_free (g_steal_pointer (&sql), FALSE);
}

/*
 * A trigger is a small program that SQLite runs for every row, which
 * costs a bulk writer (a campaign's 100,000 recipients, an import) more
 * than the row's own insert into its indexes. Such a writer drops the
 * insert trigger of its table for the time of its transaction and names
 * the rows it inserts itself (_xi_store_changes_note()). The TEMP schema
 * is part of the transaction: a rollback brings the trigger back, and the
 * writer puts it back before it commits.
 */

/**
 * _xi_store_changes_pause_inserts:
 * @self: a #XiStore, on its thread, in a transaction, with no statement
 *   running
 * @table: a synced table
 * @error: return location for a #GError
 *
 * Returns: whether the insert trigger of @table is gone until
 *   _xi_store_changes_resume_inserts() or the rollback
 */
gboolean
_xi_store_changes_pause_inserts (XiStore     *self,
                                 const char  *table,
                                 GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("DROP TRIGGER temp.xi_changed_%s_insert", table);

  _xi_store_assert_thread (self);
  g_return_val_if_fail (!sqlite3_get_autocommit (self->db), FALSE);

  return _xi_store_exec (self, sql, error);
}

/**
 * _xi_store_changes_resume_inserts:
 * @self: a #XiStore, on its thread, in the transaction that paused @table
 * @table: a synced table
 * @error: return location for a #GError
 *
 * Returns: whether the insert trigger of @table is back
 */
gboolean
_xi_store_changes_resume_inserts (XiStore     *self,
                                  const char  *table,
                                  GError     **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);

  _xi_store_assert_thread (self);

  append_insert_trigger (sql, table);
  return _xi_store_exec (self, sql->str, error);
}
/* The key is "server:" (seven characters), the table, ":" and the id. */
#define SERVER_KEY(row) "substr (" row ".key, 8)"
#define SERVER_TABLE(row) "substr (" SERVER_KEY (row) ", 1, instr (" SERVER_KEY (row) ", ':') - 1)"
#define SERVER_ID(row) "substr (" SERVER_KEY (row) ", instr (" SERVER_KEY (row) ", ':') + 1)"
#define SERVER_CHANGED(row) "SELECT xi_store_changed (" SERVER_TABLE (row) ", " SERVER_ID (row) ");"

static const char server_triggers[] =
  "CREATE TEMP TRIGGER xi_changed_server_insert AFTER INSERT ON main.sync_state"
  " WHEN NEW.key GLOB 'server:?*:?*' BEGIN " SERVER_CHANGED ("NEW") " END;"
  "CREATE TEMP TRIGGER xi_changed_server_update AFTER UPDATE ON main.sync_state"
  " WHEN NEW.key GLOB 'server:?*:?*' AND NEW.value IS NOT OLD.value"
  " BEGIN " SERVER_CHANGED ("NEW") " END;"
  "CREATE TEMP TRIGGER xi_changed_server_delete AFTER DELETE ON main.sync_state"
  " WHEN OLD.key GLOB 'server:?*:?*' BEGIN " SERVER_CHANGED ("OLD") " END;";

/**
 * _xi_store_changes_setup:
 * @self: a #XiStore, on its thread, just after the schema is current
 * @error: return location for a #GError
 *
 * Registers xi_store_changed () and the hooks, and creates the triggers
 * that report every change of a synced table, signed in or not, and of
 * the server-owned rows sync caches.
 *
 * Returns: whether the triggers exist
 */
gboolean
_xi_store_changes_setup (XiStore  *self,
                         GError  **error)
{
  const char * const *tables = xi_store_sync_tables ();
  int rc;

  _xi_store_assert_thread (self);

  rc = sqlite3_create_function (self->db, "xi_store_changed", 2, SQLITE_UTF8, self,
                                changed_func, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  sqlite3_rollback_hook (self->db, rolled_back_cb, self);

  /* One transaction, for the reason given in _xi_store_sync_setup (). */
  if (!_xi_store_exec (self, "BEGIN", error))
    return FALSE;
  for (guint i = 0; tables[i] != NULL; i++)
    {
      g_autofree char *sql = build_triggers (self, tables[i], error);

      if (sql == NULL || !_xi_store_exec (self, sql, error))
        {
          _xi_store_rollback (self);
          return FALSE;
        }
    }
  if (!_xi_store_exec (self, server_triggers, error))
    {
      _xi_store_rollback (self);
      return FALSE;
    }
  if (!_xi_store_commit (self, error))
    return FALSE;
  /* What other processes change is told apart from here on. The
   * fingerprints cost a scan of each table (35 ms for 100,000 contacts),
   * which a process nobody listens to, such as a command, does not pay;
   * one whose listeners connect later hears the first other process's
   * commit as a change of every table. */
  self->data_version = data_version (self);
  if (_xi_store_changed_is_heard (self))
    g_ptr_array_unref (take_fingerprints (self));
  return TRUE;
}
