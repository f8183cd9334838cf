/* xi-store-sync.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-store-sync"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "xi-contact-private.h"
#include "xi-json.h"
#include "xi-limits.h"
#include "xi-phone.h"
#include "xi-store-private.h"
#include "xi-store-sync.h"

/*
 * Sync is a property of the store's connection, not of its callers
 * (SYNC.md 3.6). When the store opens, it creates TEMP triggers on every
 * synced table, generated from the column lists below. For each insert or
 * update of a row that changes a synced column they bump the row's
 * version, mark it pending and write its outbox op in the same
 * transaction, coalescing into the row's op that was never handed out
 * (attempts = 0) or appending a new one. An update that changes no synced
 * column leaves the version, status and timestamp as they were, so an
 * unchanged re-import or a local-only flag (a message's read state, a
 * contact's opt-out view) queues nothing.
 *
 * Rows from the server (pull pages and push replies) are written with
 * self->sync_applying set: xi_sync_local() is then false and the triggers
 * stay quiet. TEMP triggers belong to this connection only, so the SQL
 * functions they call always exist where they run, and the schema on disk
 * does not depend on this file's column lists.
 *
 * Server-owned tables (quota, profiles, payments, devices) have no sync
 * triggers: they are pulled, never pushed. Every row sync writes is
 * announced by the change triggers of xi-store-changes.c, as any other
 * write is.
 */

/* Longer than any wait an op is given: the longest backoff, or the day a
 * server's Retry-After is held to, with a day to spare. */
#define MAX_OP_WAIT_SECONDS 172800

typedef enum {
  COLUMN_PLAIN,    /* text or number, the same on both sides */
  COLUMN_JSON,     /* JSON text here, an array or object there */
  COLUMN_BOOL,     /* 0/1 here, a boolean there */
  COLUMN_EPOCH,    /* Unix seconds of a past event here (0 = never), a timestamp there */
  COLUMN_DEVICE,   /* the owning device; this device's id when unset */
  COLUMN_LEARNED,  /* as plain, but learned here after the server took the row: its null keeps ours */
} ColumnKind;

typedef struct
{
  const char *name;
  ColumnKind  kind;
} SyncColumn;

typedef struct
{
  const char       *name;
  const char       *conflict;   /* the upsert's conflict target */
  const char       *owner;      /* SQL naming NEW's owning device, or NULL */
  const char       *extra;      /* json_object () pairs the server wants too */
  const SyncColumn *columns;    /* ends with a NULL name */
} SyncTableSpec;

static const SyncColumn groups_columns[] = {
  { "name", COLUMN_PLAIN }, { "description", COLUMN_PLAIN }, { "colour", COLUMN_PLAIN },
  { NULL },
};
static const SyncColumn templates_columns[] = {
  { "name", COLUMN_PLAIN }, { "variants", COLUMN_JSON }, { "asset_ids", COLUMN_JSON },
  { NULL },
};
static const SyncColumn assets_columns[] = {
  { "name", COLUMN_PLAIN }, { "mime_type", COLUMN_PLAIN }, { "size", COLUMN_PLAIN },
  { "sha256", COLUMN_PLAIN },
  { NULL },
};
static const SyncColumn contacts_columns[] = {
  { "name", COLUMN_PLAIN }, { "phone", COLUMN_PLAIN }, { "lid", COLUMN_PLAIN },
  { "tags", COLUMN_JSON }, { "notes", COLUMN_PLAIN }, { "custom_fields", COLUMN_JSON },
  { "on_whatsapp", COLUMN_PLAIN }, { "on_whatsapp_checked_at", COLUMN_EPOCH },
  { NULL },
};
static const SyncColumn group_members_columns[] = {
  { "group_id", COLUMN_PLAIN }, { "contact_id", COLUMN_PLAIN },
  { NULL },
};
static const SyncColumn auto_reply_rules_columns[] = {
  { "name", COLUMN_PLAIN }, { "trigger_kind", COLUMN_PLAIN }, { "keywords", COLUMN_JSON },
  { "reply_text", COLUMN_PLAIN }, { "cooldown_seconds", COLUMN_PLAIN },
  { "hours_start", COLUMN_PLAIN }, { "hours_end", COLUMN_PLAIN }, { "enabled", COLUMN_BOOL },
  { "priority", COLUMN_PLAIN },
  { NULL },
};
static const SyncColumn jobs_columns[] = {
  { "owner_device_id", COLUMN_DEVICE }, { "name", COLUMN_PLAIN },
  { "template_id", COLUMN_PLAIN }, { "group_id", COLUMN_PLAIN },
  { "target_kind", COLUMN_PLAIN }, { "delay_mode", COLUMN_PLAIN },
  { "delay_min_ms", COLUMN_PLAIN }, { "delay_max_ms", COLUMN_PLAIN },
  { "batch_size", COLUMN_PLAIN }, { "batch_rest_ms", COLUMN_PLAIN },
  { "daily_cap", COLUMN_PLAIN }, { "variant_mode", COLUMN_PLAIN },
  { "priority", COLUMN_PLAIN }, { "scheduled_at", COLUMN_PLAIN }, { "state", COLUMN_PLAIN },
  { "transport", COLUMN_PLAIN }, { "total", COLUMN_PLAIN }, { "sent", COLUMN_PLAIN },
  { "failed", COLUMN_PLAIN }, { "skipped", COLUMN_PLAIN }, { "delivered", COLUMN_PLAIN },
  { "read", COLUMN_PLAIN }, { "quota_reservation_id", COLUMN_PLAIN },
  { "started_at", COLUMN_PLAIN }, { "finished_at", COLUMN_PLAIN },
  { "last_error", COLUMN_PLAIN },
  { NULL },
};
/* The rendered text stays on the device (the template is synced), and so
 * does the send loop's retry clock. */
static const SyncColumn job_recipients_columns[] = {
  { "job_id", COLUMN_PLAIN }, { "contact_id", COLUMN_PLAIN }, { "position", COLUMN_PLAIN },
  { "phone", COLUMN_PLAIN }, { "name", COLUMN_PLAIN }, { "state", COLUMN_PLAIN },
  { "skip_reason", COLUMN_PLAIN }, { "attempts", COLUMN_PLAIN },
  { "last_error", COLUMN_PLAIN }, { "wa_message_id", COLUMN_PLAIN },
  { "variant_index", COLUMN_PLAIN }, { "sent_at", COLUMN_PLAIN },
  { "delivered_at", COLUMN_PLAIN }, { "read_at", COLUMN_PLAIN },
  { NULL },
};
static const SyncColumn history_columns[] = {
  { "kind", COLUMN_PLAIN }, { "job_id", COLUMN_PLAIN }, { "contact_id", COLUMN_PLAIN },
  { "summary", COLUMN_PLAIN }, { "details", COLUMN_JSON },
  { NULL },
};
static const SyncColumn suppression_events_columns[] = {
  { "phone", COLUMN_PLAIN }, { "contact_id", COLUMN_PLAIN }, { "event", COLUMN_PLAIN },
  { "source", COLUMN_PLAIN }, { "keyword", COLUMN_PLAIN }, { "message_id", COLUMN_PLAIN },
  { NULL },
};
/* A message kept under its sender's LID is given the number once it is
 * known (xi-store-inbox.c, _xi_store_join_lid ()), and the server, which
 * never changes a message, keeps the copy pushed before. */
static const SyncColumn incoming_messages_columns[] = {
  { "wa_message_id", COLUMN_PLAIN }, { "from_jid", COLUMN_PLAIN }, { "phone", COLUMN_LEARNED },
  { "contact_id", COLUMN_LEARNED }, { "job_id", COLUMN_LEARNED }, { "text", COLUMN_PLAIN },
  { "received_at", COLUMN_PLAIN },
  { NULL },
};
/* The receipts move the state on the computer that sent the message; the
 * others show it in the conversation. */
static const SyncColumn outgoing_messages_columns[] = {
  { "wa_message_id", COLUMN_PLAIN }, { "phone", COLUMN_PLAIN }, { "contact_id", COLUMN_PLAIN },
  { "kind", COLUMN_PLAIN }, { "text", COLUMN_PLAIN }, { "reply_to", COLUMN_PLAIN },
  { "rule_name", COLUMN_PLAIN }, { "state", COLUMN_PLAIN }, { "last_error", COLUMN_PLAIN },
  { "sent_at", COLUMN_PLAIN }, { "delivered_at", COLUMN_PLAIN }, { "read_at", COLUMN_PLAIN },
  { NULL },
};
static const SyncColumn segments_columns[] = {
  { "name", COLUMN_PLAIN }, { "conditions", COLUMN_JSON },
  { NULL },
};

#define JOB_OWNER "(SELECT owner_device_id FROM jobs WHERE id = NEW.job_id)"

/* In dependency order (SYNC.md 3.7): a row is pushed and pulled after the
 * rows it names. */
static const SyncTableSpec table_specs[] = {
  { "groups", "(id)", NULL, NULL, groups_columns },
  { "templates", "(id)", NULL, NULL, templates_columns },
  { "assets", "(id)", NULL, NULL, assets_columns },
  { "contacts", "(id)", NULL, NULL, contacts_columns },
  { "group_members", "(group_id, contact_id)", NULL, NULL, group_members_columns },
  { "segments", "(id)", NULL, NULL, segments_columns },
  { "auto_reply_rules", "(id)", NULL, NULL, auto_reply_rules_columns },
  { "jobs", "(id)", "NEW.owner_device_id", NULL, jobs_columns },
  { "job_recipients", "(id)", JOB_OWNER,
    "'owner_device_id', coalesce ((SELECT j.owner_device_id FROM jobs j"
    " WHERE j.id = job_recipients.job_id), ?5)",
    job_recipients_columns },
  { "history", "(id)", NULL, NULL, history_columns },
  { "suppression_events", "(id)", NULL, NULL, suppression_events_columns },
  { "incoming_messages", "(id)", NULL, NULL, incoming_messages_columns },
  { "outgoing_messages", "(id)", NULL, NULL, outgoing_messages_columns },
};

#define N_TABLES G_N_ELEMENTS (table_specs)

/* The SQL generated from a spec, built once per process. The statement
 * cache is keyed by the SQL's address, so these strings never move. */
typedef struct
{
  const SyncTableSpec *spec;
  guint                index;
  char                *payload;     /* ?1 id, ?2 base, ?3 changed, ?4 op id, ?5 device */
  char                *upsert;      /* ?1..?9 common, then the columns */
  char                *triggers;
  char                *conflicts;
  char                *state;       /* ?1 id: server_version, sync_status, server_seq */
  char                *set_status;  /* ?1 id, ?2 status */
  char                *resync_mark;
  char                *resync_drop;
  char                *restore_begin;   /* no row counts as on the server yet */
  char                *restore_seen;    /* ?1 id, ?2 version, ?3 seq: the server's older copy */
  char                *restore_unseen;  /* rows the server lacks go back as creates */
  char                *restore_requeue; /* the queued ops of unseen rows name every column */
  char                *restore_queue;   /* unseen rows without an op get one */
  char                *restore_pending;
  char                *select;      /* PostgREST's select= for a pull */
} SyncTable;

static SyncTable tables[N_TABLES];
static const char *table_names[N_TABLES + 1];

/*
 * Rows only the server writes that the app shows: the allowance, what
 * reservations hold of it, and payments. They are few, and the app never
 * edits them, so they are kept as the server sent them, one JSON object
 * per row in sync_state under "server:TABLE:ID": their shape follows the
 * server without a local migration, and the signed-out profile's own
 * quota tables stay as they are.
 */
static const char * const server_tables[] = { "user_quotas", "quota_reservations", "payments" };
static const char *pull_names[N_TABLES + G_N_ELEMENTS (server_tables) + 1];

#define SQL_NOW "strftime ('%Y-%m-%dT%H:%M:%fZ', 'now')"


static gboolean row_exec (XiStore     *self,
                          const char  *sql,
                          const char  *a,
                          const char  *b,
                          gint64       n,
                          GError     **error);
static gint64 row_query_int (XiStore     *self,
                             const char  *sql,
                             const char  *a,
                             const char  *b,
                             gint64       fallback,
                             GError     **error);

/* Auxiliary methods */

static void
append_payload_value (GString          *sql,
                      const SyncColumn *column)
{
  const char *c = column->name;

  switch (column->kind)
    {
    case COLUMN_PLAIN:
    case COLUMN_LEARNED:
      g_string_append_printf (sql, ", '%s', \"%s\"", c, c);
      break;
    case COLUMN_JSON:
      g_string_append_printf (sql, ", '%s', json (\"%s\")", c, c);
      break;
    case COLUMN_BOOL:
      g_string_append_printf (sql, ", '%s', json (CASE WHEN \"%s\" IS NULL THEN 'null'"
                              " WHEN \"%s\" THEN 'true' ELSE 'false' END)", c, c, c);
      break;
    case COLUMN_EPOCH:
      g_string_append_printf (sql, ", '%s', CASE WHEN \"%s\" > 0 THEN"
                              " strftime ('%%Y-%%m-%%dT%%H:%%M:%%SZ', \"%s\", 'unixepoch') END",
                              c, c, c);
      break;
    case COLUMN_DEVICE:
      g_string_append_printf (sql, ", '%s', coalesce (\"%s\", ?5)", c, c);
      break;
    default:
      g_assert_not_reached ();
    }
}

static char *
build_payload (const SyncTableSpec *spec)
{
  GString *sql = g_string_new ("SELECT json_object ('id', id, 'master_user_id', master_user_id,"
                               " 'created_at', created_at, 'updated_at', updated_at,"
                               " 'deleted', json (CASE WHEN deleted THEN 'true' ELSE 'false' END)");

  for (const SyncColumn *column = spec->columns; column->name != NULL; column++)
    append_payload_value (sql, column);
  if (spec->extra != NULL)
    g_string_append_printf (sql, ", %s", spec->extra);
  g_string_append_printf (sql, ", 'base_version', ?2, 'sync_changed', json (?3),"
                          " 'last_op_id', ?4) FROM %s WHERE id = ?1", spec->name);
  return g_string_free (sql, FALSE);
}

static char *
build_upsert (const SyncTableSpec *spec)
{
  GString *sql = g_string_new (NULL);
  guint n = 9;
  guint name_param = 0;

  g_string_append_printf (sql, "INSERT INTO %s (id, master_user_id, created_at, updated_at,"
                          " version, server_version, server_seq, deleted, sync_status",
                          spec->name);
  for (const SyncColumn *column = spec->columns; column->name != NULL; column++)
    g_string_append_printf (sql, ", \"%s\"", column->name);
  /* A contact's sort key is written with its name, as every write of
   * the store does (xi-store-contacts.c); left to the trigger, each
   * pulled contact would be written twice. */
  if (spec->columns == contacts_columns)
    g_string_append (sql, ", sort_key");
  g_string_append (sql, ") VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8");
  for (const SyncColumn *column = spec->columns; column->name != NULL; column++)
    {
      g_string_append_printf (sql, ", ?%u", ++n);
      if (g_str_equal (column->name, "name"))
        name_param = n;
    }
  if (spec->columns == contacts_columns)
    g_string_append_printf (sql, ", xi_sort_key (?%u)", name_param);
  g_string_append_printf (sql, ") ON CONFLICT %s DO UPDATE SET master_user_id = excluded.master_user_id,"
                          " created_at = excluded.created_at, updated_at = excluded.updated_at,"
                          " version = excluded.version, server_version = excluded.server_version,"
                          " server_seq = excluded.server_seq, deleted = excluded.deleted,"
                          " sync_status = excluded.sync_status",
                          spec->conflict);
  for (const SyncColumn *column = spec->columns; column->name != NULL; column++)
    if (column->kind == COLUMN_LEARNED)
      g_string_append_printf (sql, ", \"%s\" = coalesce (excluded.\"%s\", \"%s\")", column->name, column->name,
                              column->name);
    else
      g_string_append_printf (sql, ", \"%s\" = excluded.\"%s\"", column->name, column->name);
  if (spec->columns == contacts_columns)
    g_string_append (sql, ", sort_key = excluded.sort_key");
  return g_string_free (sql, FALSE);
}

/* SQL for the columns an update changed, as a JSON array; for an insert,
 * every column. */
static char *
build_changed (const SyncTableSpec *spec,
               gboolean             insert)
{
  GString *sql = g_string_new (NULL);

  if (insert)
    {
      g_string_append (sql, "'[");
      for (const SyncColumn *column = spec->columns; column->name != NULL; column++)
        g_string_append_printf (sql, "\"%s\",", column->name);
      g_string_append (sql, "\"deleted\"]'");
      return g_string_free (sql, FALSE);
    }

  g_string_append (sql, "(SELECT json_group_array (value) FROM json_each (json_array (");
  for (const SyncColumn *column = spec->columns; column->name != NULL; column++)
    g_string_append_printf (sql, "CASE WHEN OLD.\"%s\" IS NOT NEW.\"%s\" THEN '%s' END, ",
                            column->name, column->name, column->name);
  g_string_append (sql, "CASE WHEN OLD.deleted IS NOT NEW.deleted THEN 'deleted' END))"
                   " WHERE type <> 'null')");
  return g_string_free (sql, FALSE);
}

/* The statements that queue the op of NEW's row: coalesce into the op
 * that was never handed out, or append one. */
static void
append_queue (GString             *sql,
              const SyncTableSpec *spec,
              const char          *changed,
              const char          *predicate)
{
  g_autofree char *unsent = g_strdup_printf ("table_name = '%s' AND row_id = NEW.id"
                                             " AND state = 'queued' AND attempts = 0",
                                             spec->name);

  g_string_append_printf (sql,
                          "UPDATE sync_outbox SET changed = (SELECT json_group_array (value) FROM"
                          " (SELECT value FROM json_each (sync_outbox.changed)"
                          " UNION SELECT value FROM json_each (%s)))"
                          " WHERE %s AND %s;",
                          changed, unsent, predicate);
  g_string_append_printf (sql,
                          "INSERT INTO sync_outbox (op_id, master_user_id, table_name, row_id,"
                          " kind, base_version, changed)"
                          " SELECT xi_sync_uuid (), NEW.master_user_id, '%s', NEW.id, 'upsert',"
                          " NEW.server_version, %s"
                          " WHERE %s AND NOT EXISTS (SELECT 1 FROM sync_outbox WHERE %s);",
                          spec->name, changed, predicate, unsent);
}

#define CHANGED "EXISTS (SELECT 1 FROM xi_sync_changes)"

/* The trigger's own row. A membership is found by its key, the pair:
 * its id is indexed only for the lookups from the outbox, and a large
 * import builds that index at the end (xi-store-contacts.c), after
 * reviving memberships has run this trigger. */
static const char *
new_row (const SyncTableSpec *spec)
{
  if (spec->columns == group_members_columns)
    return "group_id = NEW.group_id AND contact_id = NEW.contact_id";
  return "id = NEW.id";
}

static char *
build_triggers (const SyncTableSpec *spec)
{
  GString *sql = g_string_new (NULL);
  g_autofree char *when = NULL;
  g_autofree char *all = build_changed (spec, TRUE);
  g_autofree char *changed = build_changed (spec, FALSE);

  /* A campaign is pushed only by the device that sends it. */
  if (spec->owner != NULL)
    when = g_strdup_printf ("xi_sync_local () AND xi_sync_owns (%s)", spec->owner);
  else
    when = g_strdup ("xi_sync_local ()");

  g_string_append_printf (sql, "CREATE TEMP TRIGGER xi_sync_%s_insert AFTER INSERT ON main.%s"
                          " WHEN %s BEGIN ", spec->name, spec->name, when);
  append_queue (sql, spec, all, "1");
  g_string_append (sql, "END;");

  /* The changed columns are worked out once, into the connection's
   * scratch table, which the other statements read: the trigger stays
   * short, and SQLite parses it at every start. Recursive triggers are
   * off, so the stamping UPDATEs do not fire this trigger again. It
   * watches what it reads (the synced columns, and the stamps it puts
   * back when nothing synced changed), and SQLite leaves it out of an
   * UPDATE of only the device's own columns, which it would leave as
   * they are. */
  g_string_append_printf (sql, "CREATE TEMP TRIGGER xi_sync_%s_update AFTER UPDATE OF", spec->name);
  for (const SyncColumn *column = spec->columns; column->name != NULL; column++)
    g_string_append_printf (sql, " \"%s\",", column->name);
  g_string_append_printf (sql, " deleted, version, sync_status, updated_at ON main.%s"
                          " WHEN %s BEGIN ", spec->name, when);
  g_string_append_printf (sql,
                          "INSERT INTO xi_sync_changes (changed)"
                          " SELECT c FROM (SELECT %s AS c) WHERE c <> '[]';",
                          changed);
  g_string_append_printf (sql,
                          "UPDATE %s SET version = OLD.version + 1, sync_status = 'pending',"
                          " updated_at = CASE WHEN NEW.updated_at IS OLD.updated_at"
                          " THEN %s ELSE NEW.updated_at END"
                          " WHERE %s AND " CHANGED ";",
                          spec->name, SQL_NOW, new_row (spec));
  append_queue (sql, spec, "(SELECT changed FROM xi_sync_changes)", CHANGED);
  /* Nothing synced changed: the write leaves the stamps as they were. */
  g_string_append_printf (sql,
                          "UPDATE %s SET version = OLD.version, sync_status = OLD.sync_status,"
                          " updated_at = OLD.updated_at WHERE %s AND NOT " CHANGED
                          " AND (NEW.version IS NOT OLD.version OR NEW.sync_status IS NOT"
                          " OLD.sync_status OR NEW.updated_at IS NOT OLD.updated_at);",
                          spec->name, new_row (spec));
  g_string_append (sql, "DELETE FROM xi_sync_changes;");
  g_string_append (sql, "END;");

  return g_string_free (sql, FALSE);
}

/*
 * The quota of a campaign this device sends is the server's (SYNC.md
 * 3.9). Its reservation id is chosen once, when the campaign is written,
 * and every later change is one rpc op per reservation: the amount, the
 * job, the running total sent and whether it is over. The op coalesces
 * while it is unsent, so sending a thousand messages offline queues one
 * call, not a thousand; the engine replays reserve_quota (idempotent by
 * its id) and then commits the total, final at the end, which gives back
 * what was not used.
 */
#define QUOTA_FINAL "(NEW.state = 'completed' OR NEW.state = 'failed' OR NEW.state = 'cancelled')"
#define QUOTA_ARGS \
  "(SELECT json_object ('p_reservation_id', r.id, 'p_amount', r.amount, 'p_job_id', NEW.id," \
  " 'p_sent_total', min (NEW.sent, r.amount)," \
  " 'p_final', json (CASE WHEN " QUOTA_FINAL " THEN 'true' ELSE 'false' END))" \
  " FROM quota_reservations r WHERE r.id = NEW.quota_reservation_id)"
#define QUOTA_UNSENT \
  "table_name = 'quota_reservations' AND row_id = NEW.quota_reservation_id" \
  " AND state = 'queued' AND attempts = 0"

static const char quota_trigger[] =
  "CREATE TEMP TRIGGER xi_sync_jobs_quota AFTER UPDATE OF quota_reservation_id, sent, state"
  " ON main.jobs WHEN xi_sync_local () AND NEW.quota_reservation_id IS NOT NULL"
  " AND xi_sync_owns (NEW.owner_device_id)"
  " AND (OLD.quota_reservation_id IS NOT NEW.quota_reservation_id OR OLD.sent IS NOT NEW.sent"
  "  OR (" QUOTA_FINAL " AND OLD.state IS NOT NEW.state))"
  " BEGIN "
  "UPDATE sync_outbox SET rpc_args = " QUOTA_ARGS " WHERE " QUOTA_UNSENT ";"
  "INSERT INTO sync_outbox (op_id, master_user_id, table_name, row_id, kind, base_version,"
  " changed, rpc_args)"
  " SELECT xi_sync_uuid (), NEW.master_user_id, 'quota_reservations', NEW.quota_reservation_id,"
  " 'rpc', 0, '[]', " QUOTA_ARGS
  " WHERE NOT EXISTS (SELECT 1 FROM sync_outbox WHERE " QUOTA_UNSENT ");"
  "END;";

/* What apply_row () reads of a pulled row, and nothing else: the server's
 * own bookkeeping (created_by, last_op_id, sync_changed…) is a third of
 * a contact's JSON, for the server to write, send and the client to parse. */
static char *
build_select (const SyncTableSpec *spec)
{
  GString *select = g_string_new ("id,master_user_id,created_at,updated_at,version,server_seq,"
                                  "deleted");

  for (const SyncColumn *column = spec->columns; column->name != NULL; column++)
    g_string_append_printf (select, ",%s", column->name);
  return g_string_free (select, FALSE);
}

/*
 * A server put back to an earlier copy (a backup) no longer has what was
 * written after it. Every row it did not send, or sent older than this
 * device had it, goes back naming all its columns: a row the server
 * lacks as a create (base_version 0, which it inserts), a row it holds
 * as an edit of the version it holds (a create would meet a contact's
 * merge of two creations, which keeps the server's values). Until the
 * re-sync ends, server_seq 0 tells a row the server did not send. A
 * campaign's rows go back only from the device that sends it, as they
 * were pushed in the first place. Their ops take new ids: one the server
 * applied before its copy was taken is still known there and would be
 * taken as a replay, the row left as the server has it. Each row sent
 * back is remembered (sync_resync, as "repush:" and the table) until the
 * server's reply shows it took the row (complete_one).
 */
static void
build_restore (SyncTable *table)
{
  const SyncTableSpec *spec = table->spec;
  const char *name = spec->name;
  g_autofree char *all = build_changed (spec, TRUE);
  g_autofree char *unseen = g_strdup_printf ("(SELECT row_id FROM sync_resync WHERE table_name"
                                             " = '%s')", name);
  g_autofree char *owned = NULL;

  if (spec->owner != NULL)
    {
      g_autoptr(GString) owner = g_string_new (spec->owner);

      g_string_replace (owner, "NEW.", "t.", 0);
      owned = g_strdup_printf (" AND xi_sync_owns (%s)", owner->str);
    }

  table->restore_begin = g_strdup_printf ("UPDATE %s SET server_seq = 0", name);
  table->restore_seen = g_strdup_printf ("UPDATE %s SET server_version = ?2, server_seq = ?3"
                                         " WHERE id = ?1", name);
  table->restore_unseen = g_strdup_printf ("UPDATE %s SET server_version = 0 WHERE server_seq = 0"
                                           " AND id IN %s", name, unseen);
  table->restore_requeue = g_strdup_printf ("UPDATE sync_outbox SET op_id = xi_sync_uuid (),"
                                            " changed = %s, base_version ="
                                            " (SELECT t.server_version FROM %s t"
                                            " WHERE t.id = sync_outbox.row_id)"
                                            " WHERE table_name = '%s' AND kind = 'upsert'"
                                            " AND state = 'queued' AND row_id IN %s",
                                            all, name, name, unseen);
  table->restore_queue = g_strdup_printf ("INSERT INTO sync_outbox (op_id, master_user_id,"
                                          " table_name, row_id, kind, base_version, changed)"
                                          " SELECT xi_sync_uuid (), t.master_user_id, '%s', t.id,"
                                          " 'upsert', t.server_version, %s FROM %s t"
                                          " WHERE t.id IN %s%s"
                                          " AND NOT EXISTS (SELECT 1 FROM sync_outbox o"
                                          " WHERE o.table_name = '%s' AND o.row_id = t.id"
                                          " AND o.state = 'queued')",
                                          name, all, name, unseen, owned != NULL ? owned : "",
                                          name);
  table->restore_pending = g_strdup_printf ("UPDATE %s SET sync_status = 'pending' WHERE id IN %s"
                                            " AND EXISTS (SELECT 1 FROM sync_outbox o"
                                            " WHERE o.table_name = '%s' AND o.row_id = %s.id"
                                            " AND o.state = 'queued')",
                                            name, unseen, name, name);
}

static gpointer
build_tables (gpointer data)
{
  for (guint i = 0; i < N_TABLES; i++)
    {
      const SyncTableSpec *spec = &table_specs[i];

      tables[i].spec = spec;
      tables[i].index = i;
      tables[i].payload = build_payload (spec);
      tables[i].upsert = build_upsert (spec);
      tables[i].triggers = build_triggers (spec);
      tables[i].conflicts = g_strdup_printf ("SELECT count(*) FROM %s"
                                             " WHERE sync_status = 'conflict'", spec->name);
      tables[i].state = g_strdup_printf ("SELECT server_version, sync_status, server_seq"
                                         " FROM %s WHERE id = ?1", spec->name);
      tables[i].set_status = g_strdup_printf ("UPDATE %s SET sync_status = ?2 WHERE id = ?1",
                                              spec->name);
      tables[i].resync_mark = g_strdup_printf ("INSERT OR IGNORE INTO sync_resync (table_name,"
                                               " row_id) SELECT '%s', id FROM %s", spec->name,
                                               spec->name);
      tables[i].resync_drop = g_strdup_printf ("DELETE FROM %s WHERE id IN (SELECT row_id FROM"
                                               " sync_resync WHERE table_name = '%s')"
                                               " AND NOT EXISTS (SELECT 1 FROM sync_outbox o"
                                               " WHERE o.table_name = '%s' AND o.row_id = %s.id)",
                                               spec->name, spec->name, spec->name, spec->name);
      build_restore (&tables[i]);
      tables[i].select = build_select (spec);
      table_names[i] = spec->name;
    }
  table_names[N_TABLES] = NULL;
  for (guint i = 0; i < N_TABLES; i++)
    pull_names[i] = table_names[i];
  for (guint i = 0; i < G_N_ELEMENTS (server_tables); i++)
    pull_names[N_TABLES + i] = server_tables[i];
  pull_names[G_N_ELEMENTS (pull_names) - 1] = NULL;
  return NULL;
}

static const SyncTable *
lookup_table (const char *name)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, build_tables, NULL);
  if (name == NULL)
    return NULL;
  for (guint i = 0; i < N_TABLES; i++)
    if (g_str_equal (tables[i].spec->name, name))
      return &tables[i];
  return NULL;
}

static const SyncTable *
require_table (const char  *name,
               GError     **error)
{
  const SyncTable *table = lookup_table (name);

  if (table == NULL)
    g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                 _("“%s” is not a synced table."), name != NULL ? name : "");
  return table;
}

static void
sync_local_func (sqlite3_context  *context,
                 int               argc,
                 sqlite3_value   **argv)
{
  XiStore *self = sqlite3_user_data (context);

  sqlite3_result_int (context, !self->sync_applying);
}

static void
sync_uuid_func (sqlite3_context  *context,
                int               argc,
                sqlite3_value   **argv)
{
  sqlite3_result_text (context, _xi_store_new_op_id (), -1, g_free);
}

static void
sync_owns_func (sqlite3_context  *context,
                int               argc,
                sqlite3_value   **argv)
{
  XiStore *self = sqlite3_user_data (context);
  const char *owner = (const char *)sqlite3_value_text (argv[0]);

  /* A campaign made before this device had an id is its own. */
  sqlite3_result_int (context, owner == NULL || g_strcmp0 (owner, self->sync_device_id) == 0);
}

/* Whether this store belongs to a signed-in account, whose changes sync. */
gboolean
_xi_store_sync_enabled (XiStore *self)
{
  return g_strcmp0 (self->master_user_id, XI_STORE_ANONYMOUS_USER) != 0;
}

/**
 * _xi_store_sync_check_command:
 * @self: a #XiStore, on its thread
 * @job_id: the campaign
 * @resume: whether the command would let it send again
 * @error: return location for a #GError
 *
 * Whether the user may change the campaign here: one pulled from another
 * computer of the account is that computer's to send, pause and cancel;
 * one whose quota the server refused must not send until the refused
 * reservation is retried and honoured.
 */
gboolean
_xi_store_sync_check_command (XiStore     *self,
                              const char  *job_id,
                              gboolean     resume,
                              GError     **error)
{
  g_autofree char *refusal = NULL;
  sqlite3_stmt *stmt;
  gint64 foreign;
  int rc;

  _xi_store_assert_thread (self);
  if (!_xi_store_sync_enabled (self))
    return TRUE;

  foreign = row_query_int (self, "SELECT owner_device_id IS NOT NULL AND owner_device_id IS NOT ?2"
                           " FROM jobs WHERE id = ?1", job_id, self->sync_device_id, 0, error);
  if (error != NULL && *error != NULL)
    return FALSE;
  if (foreign)
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_STATE,
                   _("This campaign is sent by another computer of this account. "
                     "Pause, resume or cancel it there."));
      return FALSE;
    }
  if (!resume)
    return TRUE;

  stmt = _xi_store_prepare (self,
                            "SELECT o.last_error FROM jobs j JOIN sync_outbox o"
                            " ON o.table_name = 'quota_reservations'"
                            " AND o.row_id = j.quota_reservation_id"
                            " WHERE j.id = ?1 AND o.state = 'dead' LIMIT 1",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, job_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    refusal = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  if (rc == SQLITE_ROW)
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_QUOTA,
                   _("%s Retry the refused change once the account has more quota, "
                     "then resume the campaign."),
                   refusal != NULL ? refusal : "");
      return FALSE;
    }
  return TRUE;
}

/**
 * _xi_store_sync_note_start:
 * @self: a #XiStore, on its thread
 * @job_id: the campaign about to send
 *
 * Announces, as a change of its reservation, that a campaign whose quota
 * call the server has not answered yet is about to send. The sync
 * service pushes that call at once rather than at its next pass, so a
 * refusal pauses the campaign within seconds, before it sends much.
 */
void
_xi_store_sync_note_start (XiStore    *self,
                           const char *job_id)
{
  g_autofree char *reservation_id = NULL;
  sqlite3_stmt *stmt;

  if (!_xi_store_sync_enabled (self))
    return;
  stmt = _xi_store_prepare (self,
                            "SELECT j.quota_reservation_id FROM jobs j JOIN sync_outbox o"
                            " ON o.table_name = 'quota_reservations'"
                            " AND o.row_id = j.quota_reservation_id"
                            " WHERE j.id = ?1 AND o.state != 'dead' LIMIT 1",
                            NULL);
  if (stmt == NULL)
    return;
  _xi_store_bind_text (stmt, 1, job_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    reservation_id = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  /* Without it the call goes at the next pass, as before. */
  if (reservation_id != NULL)
    _xi_store_note_change (self, "quota_reservations", reservation_id);
}

/**
 * _xi_store_sync_load_quota:
 * @self: a #XiStore, on its thread
 * @quota: (out caller-allocates): the allowance, when the server's is known
 * @error: return location for a #GError
 *
 * Signed in, the allowance is the server's as last pulled: its limit, what
 * it counts as used and what its reservations hold, less what this
 * computer's campaigns reserved that the server has not heard of yet
 * (made offline, their call still queued). The row stands until the
 * server sends another, even past its period_end by this computer's
 * clock: a clock set ahead must not hand out a new month's allowance,
 * and the server rolls the period itself at the next call.
 *
 * Returns: whether @quota was filled; %FALSE with @error unset when there
 *   is no server row (signed out, or never synced)
 */
gboolean
_xi_store_sync_load_quota (XiStore  *self,
                           XiQuota  *quota,
                           GError  **error)
{
  sqlite3_stmt *stmt;
  gint64 limit = 0, used = 0, held = 0, unsent = 0;
  int rc;

  _xi_store_assert_thread (self);
  if (!_xi_store_sync_enabled (self))
    return FALSE;

  stmt = _xi_store_prepare (self,
                            "SELECT json_extract (value, '$.messages_limit'),"
                            " json_extract (value, '$.messages_used'),"
                            " json_extract (value, '$.messages_reserved')"
                            " FROM sync_state WHERE key GLOB 'server:user_quotas:*' LIMIT 1",
                            error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      limit = sqlite3_column_int64 (stmt, 0);
      used = sqlite3_column_int64 (stmt, 1);
      held = sqlite3_column_int64 (stmt, 2);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc != SQLITE_DONE)
        _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  unsent = row_query_int (self,
                          "SELECT coalesce (sum (r.amount), 0) FROM quota_reservations r"
                          " WHERE r.master_user_id = ?1 AND r.state = 'reserved' AND r.deleted = 0"
                          " AND NOT EXISTS (SELECT 1 FROM sync_state s"
                          "  WHERE s.key = 'server:quota_reservations:' || r.id)",
                          self->master_user_id, NULL, 0, error);
  if (error != NULL && *error != NULL)
    return FALSE;

  quota->allowance = CLAMP (limit, 0, G_MAXUINT);
  quota->used = CLAMP (used, 0, G_MAXUINT);
  quota->reserved = CLAMP (held + unsent, 0, G_MAXUINT);
  quota->available = CLAMP (limit - used - held - unsent, 0, G_MAXUINT);
  return TRUE;
}

/**
 * _xi_store_sync_setup:
 * @self: a #XiStore, on its thread, just after the schema is current
 * @error: return location for a #GError
 *
 * Registers the functions and, in an account's folder, creates the
 * triggers that make every local change queue its push, and hands out again the ops that were in flight
 * when the last process stopped: they may have reached the server, so
 * they count as attempted and keep their ids.
 */
gboolean
_xi_store_sync_setup (XiStore  *self,
                      GError  **error)
{
  sqlite3_stmt *stmt;
  int rc;

  _xi_store_assert_thread (self);
  lookup_table (NULL);

  rc = sqlite3_create_function (self->db, "xi_sync_local", 0, SQLITE_UTF8, self,
                                sync_local_func, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function (self->db, "xi_sync_owns", 1, SQLITE_UTF8, self,
                                  sync_owns_func, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function (self->db, "xi_sync_uuid", 0, SQLITE_UTF8, NULL,
                                  sync_uuid_func, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }

  /* In one transaction: each CREATE on its own makes SQLite read the
   * whole schema again, which costs every process tens of milliseconds
   * at start. */
  if (!_xi_store_exec (self, "BEGIN;"
                       "CREATE TEMP TABLE xi_sync_changes (changed TEXT NOT NULL);",
                       error))
    {
      _xi_store_rollback (self);
      return FALSE;
    }
  /* The signed-out profile is never pushed (each account has a folder of
   * its own): its writes need no outbox, which would cost every import
   * and campaign a second insert per row for nothing. */
  for (guint i = 0; i < N_TABLES && _xi_store_sync_enabled (self); i++)
    if (!_xi_store_exec (self, tables[i].triggers, error))
      {
        _xi_store_rollback (self);
        return FALSE;
      }
  if (_xi_store_sync_enabled (self) && !_xi_store_exec (self, quota_trigger, error))
    {
      _xi_store_rollback (self);
      return FALSE;
    }
  if (!_xi_store_commit (self, error))
    return FALSE;

  stmt = _xi_store_prepare (self, "SELECT value FROM sync_state WHERE key = 'device_id'", error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_free (self->sync_device_id);
      self->sync_device_id = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
    }
  sqlite3_reset (stmt);

  /* An account's folder is one device to the server, for as long as the
   * folder lives: its campaigns carry this id from their first push, so
   * only this folder ever sends them. */
  if (self->sync_device_id == NULL && _xi_store_sync_enabled (self))
    {
      g_autofree char *device_id = g_uuid_string_random ();

      if (!row_exec (self, "INSERT INTO sync_state (key, value) VALUES ('device_id', ?1)",
                     device_id, NULL, 0, error))
        return FALSE;
      self->sync_device_id = g_steal_pointer (&device_id);
    }

  /* Asked first, so that an ordinary start takes no write lock. */
  if (row_query_int (self, "SELECT EXISTS (SELECT 1 FROM sync_outbox WHERE state = ?1)",
                     "inflight", NULL, 0, error) == 0)
    return error == NULL || *error == NULL;

  return _xi_store_exec (self,
                         "UPDATE sync_outbox SET state = 'queued', attempts = attempts + 1"
                         " WHERE state = 'inflight'",
                         error);
}

/* A value the server sends for one column is not larger than this (a
 * template's text at four bytes a character): a larger one is a broken or
 * hostile server, and would be shown in full by every list that shows it. */
#define MAX_SERVER_VALUE_BYTES (4 * XI_LIMIT_MESSAGE_CHARS)

static gboolean
bind_text_at_most (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  gsize length = strlen (text);

  if (length > MAX_SERVER_VALUE_BYTES)
    return FALSE;
  sqlite3_bind_text (stmt, index, text, (int) length, SQLITE_TRANSIENT);
  return TRUE;
}

static gboolean
bind_json (sqlite3_stmt *stmt,
           int           index,
           ColumnKind    kind,
           JsonNode     *node)
{
  GType type;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (kind == COLUMN_EPOCH)
        sqlite3_bind_int64 (stmt, index, 0);
      else
        sqlite3_bind_null (stmt, index);
      return TRUE;
    }

  if (kind == COLUMN_JSON)
    {
      g_autofree char *text = json_to_string (node, FALSE);

      return bind_text_at_most (stmt, index, text);
    }

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  if (kind == COLUMN_EPOCH && type == G_TYPE_STRING)
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (json_node_get_string (node), NULL);

      if (time == NULL)
        return FALSE;
      /* The time another computer checked a number, by its clock. One
       * running fast would have its checks look due here (a check made
       * in the future), and this computer's own look due there (a month
       * old by that clock): each would ask WhatsApp about every contact
       * the other checked, back and forth. Taken as no later than now,
       * a stamp is fresh here, and the row stays the server's, with
       * nothing to push back. */
      sqlite3_bind_int64 (stmt, index, MIN (g_date_time_to_unix (time),
                                            g_get_real_time () / G_USEC_PER_SEC));
    }
  else if (type == G_TYPE_STRING)
    return bind_text_at_most (stmt, index, json_node_get_string (node));
  else if (type == G_TYPE_INT64)
    sqlite3_bind_int64 (stmt, index, json_node_get_int (node));
  else if (type == G_TYPE_BOOLEAN)
    sqlite3_bind_int (stmt, index, json_node_get_boolean (node));
  else if (type == G_TYPE_DOUBLE)
    sqlite3_bind_double (stmt, index, json_node_get_double (node));
  else
    return FALSE;

  return TRUE;
}

/* The columns the row's unfinished ops changed, or %NULL when there are
 * none. Dead ops do not count: the server's row wins over them. */
static GHashTable *
pending_columns (XiStore     *self,
                 const char  *table,
                 const char  *id,
                 GError     **error)
{
  g_autoptr(GHashTable) columns = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self,
                            "SELECT DISTINCT j.value FROM sync_outbox o, json_each (o.changed) j"
                            " WHERE o.table_name = ?1 AND o.row_id = ?2 AND o.state != 'dead'",
                            error);
  if (stmt == NULL)
    return NULL;
  _xi_store_bind_text (stmt, 1, table);
  _xi_store_bind_text (stmt, 2, id);
  columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_add (columns, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&columns);
}

/* The local row in the server's form (the push payload), or %NULL. */
static JsonObject *
local_row (XiStore          *self,
           const SyncTable  *table,
           const char       *id,
           GError          **error)
{
  g_autoptr(JsonNode) node = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self, table->payload, error);
  if (stmt == NULL)
    return NULL;
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 5, self->sync_device_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    node = json_from_string ((const char *)sqlite3_column_text (stmt, 0), NULL);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return NULL;
    }
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_ref (json_node_get_object (node));
}

static gboolean
row_exec (XiStore     *self,
          const char  *sql,
          const char  *a,
          const char  *b,
          gint64       n,
          GError     **error)
{
  sqlite3_stmt *stmt = _xi_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, a);
  _xi_store_bind_text (stmt, 2, b);
  sqlite3_bind_int64 (stmt, 3, n);
  return _xi_store_step_done (self, stmt, error);
}

static gint64
row_query_int (XiStore     *self,
               const char  *sql,
               const char  *a,
               const char  *b,
               gint64       fallback,
               GError     **error)
{
  sqlite3_stmt *stmt = _xi_store_prepare (self, sql, error);
  gint64 value = fallback;
  int rc;

  if (stmt == NULL)
    return fallback;
  _xi_store_bind_text (stmt, 1, a);
  _xi_store_bind_text (stmt, 2, b);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    _xi_store_set_error (self, rc, error);
  sqlite3_reset (stmt);
  return value;
}

/* What the store knows of a row from the server; FALSE with @error
 * unset when there is no such row. */
typedef struct
{
  gint64  server_version;
  gint64  server_seq;
  char    status[16];
} RowState;

static gboolean
row_state (XiStore          *self,
           const SyncTable  *table,
           const char       *id,
           RowState         *state,
           GError          **error)
{
  sqlite3_stmt *stmt = _xi_store_prepare (self, table->state, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      state->server_version = sqlite3_column_int64 (stmt, 0);
      g_strlcpy (state->status, (const char *)sqlite3_column_text (stmt, 1), sizeof state->status);
      state->server_seq = sqlite3_column_int64 (stmt, 2);
    }
  else if (rc != SQLITE_DONE)
    _xi_store_set_error (self, rc, error);
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW;
}

static gboolean
set_status (XiStore          *self,
            const SyncTable  *table,
            const char       *id,
            const char       *status,
            GError          **error)
{
  sqlite3_stmt *stmt = _xi_store_prepare (self, table->set_status, error);

  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, status);
  return _xi_store_step_done (self, stmt, error);
}

/* A pulled opt-out or opt-in decides the contact's flag like a local one:
 * the number's latest event wins. */
static gboolean
refresh_opt_out (XiStore     *self,
                 const char  *master_user_id,
                 const char  *phone,
                 GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = _xi_store_prepare (self,
                            "UPDATE contacts SET"
                            " opted_out = coalesce ((SELECT event = 'opt_out' FROM suppression_events"
                            "  WHERE master_user_id = ?1 AND phone = ?2 AND deleted = 0"
                            "  ORDER BY created_at DESC, server_seq DESC LIMIT 1), 0),"
                            " opted_out_at = (SELECT created_at FROM suppression_events"
                            "  WHERE master_user_id = ?1 AND phone = ?2 AND deleted = 0"
                            "  AND event = 'opt_out' ORDER BY created_at DESC LIMIT 1)"
                            " WHERE master_user_id = ?1 AND phone = ?2 AND deleted = 0",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, master_user_id);
  _xi_store_bind_text (stmt, 2, phone);
  return _xi_store_step_done (self, stmt, error);
}

/* A message or opt-out another computer kept under a LID whose number
 * this one knows already: no mapping write is coming to join it, so it
 * joins now, as written here, for the opt-out it gives the number to be
 * pushed. */
static gboolean
join_pulled_lid (XiStore     *self,
                 const char  *address,
                 GError     **error)
{
  g_autofree char *lid_user = NULL;
  g_autofree char *pn_user = NULL;
  gboolean ok;

  if (address == NULL || !xi_phone_is_lid (address))
    return TRUE;
  lid_user = g_strndup (address, strcspn (address, "@"));
  pn_user = _xi_store_pn_of_lid (self, lid_user);
  if (pn_user == NULL)
    return TRUE;
  self->sync_applying = FALSE;
  ok = _xi_store_join_lid (self, lid_user, pn_user, error);
  self->sync_applying = TRUE;
  return ok;
}

/*
 * Two computers offline can each create a row that takes the same local
 * unique key: a group's, a template's or a segment's name, a contact's
 * number, a message's WhatsApp id. The server may hold both, and here the
 * second one would fail the index and stop every page after it. Each
 * computer settles the clash the same way without asking the other.
 * Where the server keeps the key unique too, the row it sent is the one
 * it accepted and wins; otherwise the row with the smaller id keeps the
 * key. A group or contact with the same name or number is the same thing,
 * so the other row is merged into it (its memberships move over and it is
 * deleted); two templates or segments with one name may say or select
 * different things, so the other one is renamed "Name (2)" where the user
 * sees both; a message with the same id is the same message, so the local
 * copy gives way to the server's. The changes are local edits, pushed like the user's, so the
 * server and every computer end with the same rows. The rename is not
 * translated: two computers in different languages must pick one name.
 */
typedef enum {
  CLASH_MERGE,
  CLASH_RENAME,
  CLASH_REPLACE,
} ClashRule;

typedef struct
{
  const char *table;
  const char *column;
  ClashRule   rule;
  gboolean    server_unique;
  const char *find;      /* ?1 master, ?2 key, ?3 id: the other row holding the key */
  const char *retire;    /* ?1 id, ?2 new key: the loser gives up the key */
  const char *taken;     /* ?1 master, ?2 key: whether a live row has it */
} UniqueKey;

static const UniqueKey unique_keys[] = {
  { "groups", "name", CLASH_MERGE, FALSE,
    "SELECT id FROM groups WHERE master_user_id = ?1 AND name = ?2 COLLATE NOCASE"
    " AND deleted = 0 AND id != ?3",
    "UPDATE groups SET deleted = 1 WHERE id = ?1", NULL },
  { "contacts", "phone", CLASH_MERGE, TRUE,
    "SELECT id FROM contacts WHERE master_user_id = ?1 AND phone = ?2 AND deleted = 0"
    " AND id != ?3",
    "UPDATE contacts SET deleted = 1 WHERE id = ?1", NULL },
  { "templates", "name", CLASH_RENAME, FALSE,
    "SELECT id FROM templates WHERE master_user_id = ?1 AND name = ?2 COLLATE NOCASE"
    " AND deleted = 0 AND id != ?3",
    "UPDATE templates SET name = ?2 WHERE id = ?1",
    "SELECT EXISTS (SELECT 1 FROM templates WHERE master_user_id = ?1"
    " AND name = ?2 COLLATE NOCASE AND deleted = 0)" },
  { "segments", "name", CLASH_RENAME, FALSE,
    "SELECT id FROM segments WHERE master_user_id = ?1 AND name = ?2 COLLATE NOCASE"
    " AND deleted = 0 AND id != ?3",
    "UPDATE segments SET name = ?2 WHERE id = ?1",
    "SELECT EXISTS (SELECT 1 FROM segments WHERE master_user_id = ?1"
    " AND name = ?2 COLLATE NOCASE AND deleted = 0)" },
  /* Unique among deleted rows too, here and on the server. */
  { "incoming_messages", "wa_message_id", CLASH_REPLACE, TRUE,
    "SELECT id FROM incoming_messages WHERE master_user_id = ?1 AND wa_message_id = ?2"
    " AND id != ?3",
    "DELETE FROM incoming_messages WHERE id = ?1", NULL },
  { "outgoing_messages", "wa_message_id", CLASH_REPLACE, TRUE,
    "SELECT id FROM outgoing_messages WHERE master_user_id = ?1 AND wa_message_id = ?2"
    " AND id != ?3",
    "DELETE FROM outgoing_messages WHERE id = ?1", NULL },
};

static const UniqueKey *
lookup_unique_key (const char *table)
{
  for (guint i = 0; i < G_N_ELEMENTS (unique_keys); i++)
    if (g_str_equal (unique_keys[i].table, table))
      return &unique_keys[i];
  return NULL;
}

static char *
query_text (XiStore     *self,
            const char  *sql,
            const char  *a,
            const char  *b,
            const char  *c,
            GError     **error)
{
  sqlite3_stmt *stmt = _xi_store_prepare (self, sql, error);
  char *value = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  _xi_store_bind_text (stmt, 1, a);
  _xi_store_bind_text (stmt, 2, b);
  _xi_store_bind_text (stmt, 3, c);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    _xi_store_set_error (self, rc, error);
  sqlite3_reset (stmt);
  return value;
}

/* The first "Name (n)" no live row holds. */
static char *
free_name (XiStore          *self,
           const UniqueKey  *key,
           const char       *name,
           GError          **error)
{
  for (guint n = 2; ; n++)
    {
      g_autofree char *candidate = g_strdup_printf ("%s (%u)", name, n);
      gint64 taken = row_query_int (self, key->taken, self->master_user_id, candidate, 1, error);

      if (error != NULL && *error != NULL)
        return NULL;
      if (!taken)
        return g_steal_pointer (&candidate);
    }
}

/* Where a merged row went, or %NULL. */
static char *
merged_into (XiStore     *self,
             const char  *table,
             const char  *id,
             GError     **error)
{
  g_autofree char *key = g_strconcat ("merged:", table, ":", id, NULL);

  return query_text (self, "SELECT value FROM sync_state WHERE key = ?1", key, NULL, NULL, error);
}

/* Moves one membership, as a local edit: the new pair is added, the old
 * one deleted. */
static gboolean
move_member (XiStore     *self,
             const char  *group_id,
             const char  *contact_id,
             const char  *to_group_id,
             const char  *to_contact_id,
             GError     **error)
{
  g_autofree char *now = _xi_store_now ();

  if (!_xi_store_add_member (self, to_group_id, to_contact_id, now, NULL, error))
    return FALSE;
  return row_exec (self, "UPDATE group_members SET deleted = 1 WHERE group_id = ?1"
                   " AND contact_id = ?2", group_id, contact_id, 0, error);
}

/*
 * What two computers knew of one customer is kept: the winner's values
 * first, the loser's where the winner has none. The name is taken when
 * the winner's is empty; notes are joined (unless one already holds the
 * other); tags and custom fields are the union, the winner's value of a
 * field both have, up to the limits of xi-limits.h, so that the merged
 * contact can still be saved.
 */
static const char merge_contact_sql[] =
  "UPDATE contacts SET"
  " name = CASE WHEN contacts.name = '' THEN l.name ELSE contacts.name END,"
  " notes = CASE WHEN coalesce (l.notes, '') = ''"
  "   OR instr (coalesce (contacts.notes, ''), l.notes) > 0 THEN contacts.notes"
  "  WHEN coalesce (contacts.notes, '') = '' OR instr (l.notes, contacts.notes) > 0 THEN l.notes"
  "  ELSE substr (contacts.notes || char (10) || l.notes, 1, "
  G_STRINGIFY (XI_LIMIT_NOTES_CHARS) ") END,"
  " tags = CASE WHEN l.tags = '[]' THEN contacts.tags ELSE"
  "  (SELECT json_group_array (value) FROM (SELECT value FROM json_each (contacts.tags)"
  "   UNION ALL SELECT value FROM json_each (l.tags)"
  "   WHERE value NOT IN (SELECT value FROM json_each (contacts.tags))"
  "   LIMIT " G_STRINGIFY (XI_LIMIT_TAGS) ")) END,"
  " custom_fields = CASE WHEN l.custom_fields = '{}' THEN contacts.custom_fields ELSE"
  "  (SELECT json_group_object (key, value) FROM (SELECT key, value"
  "   FROM json_each (contacts.custom_fields) UNION ALL SELECT key, value"
  "   FROM json_each (l.custom_fields)"
  "   WHERE key NOT IN (SELECT key FROM json_each (contacts.custom_fields))"
  "   LIMIT " G_STRINGIFY (XI_LIMIT_FIELDS) ")) END"
  " FROM (SELECT name, notes, tags, custom_fields FROM contacts WHERE id = ?2) AS l"
  " WHERE contacts.id = ?1";

/* @loser of @key's table becomes part of @winner: its memberships move
 * over, and memberships pulled later follow the note left here. A
 * contact's data joins the winner's too, as a local edit that reaches
 * the server and the other computers. */
static gboolean
merge_rows (XiStore          *self,
            const UniqueKey  *key,
            const char       *loser,
            const char       *winner,
            GError          **error)
{
  gboolean is_group = g_str_equal (key->table, "groups");
  g_autoptr(GPtrArray) others = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *note = g_strconcat ("merged:", key->table, ":", loser, NULL);
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self, is_group
                            ? "SELECT contact_id FROM group_members WHERE group_id = ?1"
                              " AND deleted = 0"
                            : "SELECT group_id FROM group_members WHERE contact_id = ?1"
                              " AND deleted = 0",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, loser);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (others, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }

  for (guint i = 0; i < others->len; i++)
    {
      const char *other = g_ptr_array_index (others, i);
      gboolean ok = is_group ? move_member (self, loser, other, winner, other, error)
                             : move_member (self, other, loser, other, winner, error);

      if (!ok)
        return FALSE;
    }

  if (!is_group && !row_exec (self, merge_contact_sql, winner, loser, 0, error))
    return FALSE;

  return row_exec (self, "INSERT OR REPLACE INTO sync_state (key, value) VALUES (?1, ?2)",
                   note, winner, 0, error);
}

/* A pulled membership of a group or contact that was merged away is moved
 * to the row it was merged into. */
static gboolean
follow_merges (XiStore     *self,
               JsonObject  *row,
               GError     **error)
{
  const char *group_id = xi_json_get_string (row, "group_id", NULL);
  const char *contact_id = xi_json_get_string (row, "contact_id", NULL);
  g_autofree char *to_group_id = NULL;
  g_autofree char *to_contact_id = NULL;
  gboolean ok;

  if (group_id == NULL || contact_id == NULL || xi_json_get_bool (row, "deleted", FALSE))
    return TRUE;
  to_group_id = merged_into (self, "groups", group_id, error);
  if (error != NULL && *error != NULL)
    return FALSE;
  to_contact_id = merged_into (self, "contacts", contact_id, error);
  if (error != NULL && *error != NULL)
    return FALSE;
  if (to_group_id == NULL && to_contact_id == NULL)
    return TRUE;

  self->sync_applying = FALSE;
  ok = move_member (self, group_id, contact_id,
                    to_group_id != NULL ? to_group_id : group_id,
                    to_contact_id != NULL ? to_contact_id : contact_id, error);
  self->sync_applying = TRUE;
  return ok;
}

/* A clash between a pulled row and another live row here. */
typedef struct
{
  const UniqueKey *key;
  char            *other;       /* the other row's id */
  gboolean         pulled_loses;
  char            *new_key;     /* the pulled row's renamed key */
} Clash;

static void
clash_clear (Clash *clash)
{
  g_clear_pointer (&clash->other, g_free);
  g_clear_pointer (&clash->new_key, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Clash, clash_clear)

/* Finds a clash of the pulled row @id whose key would be @value, and
 * settles it before the row is written: a local loser gives up the key
 * now; a pulled loser is written deleted or renamed (@clash says which). */
static gboolean
settle_clash (XiStore          *self,
              const SyncTable  *table,
              const char       *id,
              const char       *value,
              Clash            *clash,
              GError          **error)
{
  const UniqueKey *key = lookup_unique_key (table->spec->name);
  g_autofree char *renamed = NULL;
  gboolean ok;

  if (key == NULL || value == NULL)
    return TRUE;
  clash->other = query_text (self, key->find, self->master_user_id, value, id, error);
  if (clash->other == NULL)
    return error == NULL || *error == NULL;
  clash->key = key;
  clash->pulled_loses = !key->server_unique && strcmp (id, clash->other) > 0;

  if (key->rule == CLASH_RENAME)
    {
      renamed = free_name (self, key, value, error);
      if (renamed == NULL)
        return FALSE;
    }
  if (clash->pulled_loses)
    {
      clash->new_key = g_steal_pointer (&renamed);
      return TRUE;
    }

  /* A change of the loser the server refused for this very clash is
   * answered now; a replaced row's ops have nothing left to push. */
  if (!row_exec (self, key->rule == CLASH_REPLACE
                 ? "DELETE FROM sync_outbox WHERE table_name = ?1 AND row_id = ?2"
                 : "DELETE FROM sync_outbox WHERE table_name = ?1 AND row_id = ?2"
                   " AND state = 'dead'",
                 key->table, clash->other, 0, error))
    return FALSE;
  self->sync_applying = FALSE;
  ok = row_exec (self, key->retire, clash->other, renamed, 0, error);
  self->sync_applying = TRUE;
  return ok;
}

/* After the pulled row is written: a pulled loser's change is queued for
 * the server like a local edit, and merged rows' memberships move. */
static gboolean
finish_clash (XiStore          *self,
              const SyncTable  *table,
              const char       *id,
              gint64            version,
              Clash            *clash,
              GError          **error)
{
  const char *changed = clash->key->rule == CLASH_MERGE ? "[\"deleted\"]" : "[\"name\"]";
  gboolean ok;

  /* The trigger's two statements: coalesce into the op never handed out,
   * or append one. */
  static const char * const queue[] = {
    "UPDATE sync_outbox SET changed = (SELECT json_group_array (value) FROM"
    " (SELECT value FROM json_each (sync_outbox.changed)"
    " UNION SELECT value FROM json_each (?3)))"
    " WHERE table_name = ?1 AND row_id = ?2 AND state = 'queued' AND attempts = 0",
    "INSERT INTO sync_outbox (op_id, master_user_id, table_name, row_id, kind,"
    " base_version, changed)"
    " SELECT xi_sync_uuid (), ?4, ?1, ?2, 'upsert', ?5, ?3"
    " WHERE NOT EXISTS (SELECT 1 FROM sync_outbox WHERE table_name = ?1 AND row_id = ?2"
    " AND state = 'queued' AND attempts = 0)",
  };

  for (guint i = 0; clash->pulled_loses && i < G_N_ELEMENTS (queue); i++)
    {
      sqlite3_stmt *stmt = _xi_store_prepare (self, queue[i], error);

      if (stmt == NULL)
        return FALSE;
      _xi_store_bind_text (stmt, 1, table->spec->name);
      _xi_store_bind_text (stmt, 2, id);
      _xi_store_bind_text (stmt, 3, changed);
      _xi_store_bind_text (stmt, 4, self->master_user_id);
      sqlite3_bind_int64 (stmt, 5, version);
      if (!_xi_store_step_done (self, stmt, error))
        return FALSE;
    }

  if (clash->key->rule != CLASH_MERGE)
    return TRUE;
  self->sync_applying = FALSE;
  if (clash->pulled_loses)
    ok = merge_rows (self, clash->key, id, clash->other, error);
  else
    ok = merge_rows (self, clash->key, clash->other, id, error);
  self->sync_applying = TRUE;
  return ok;
}

/*
 * Stores one row from the server (SYNC.md 3.7 step 4 and 3.8), with the
 * triggers quiet. Without unfinished local ops the row is taken as it is.
 * A server delete that meets a local edit wins: the edit's queued ops are
 * dropped and the row is marked as a conflict for the user. Otherwise the
 * local edit is rebased: the server row with the locally changed columns
 * on top, and the queued ops now edit from the server's version. A row
 * that clashes with another on a local unique key is settled as above.
 */
/* Row-level security on the server keeps each account's rows to itself.
 * A row of another account means a server that fails at that: it is
 * not kept (it would be another business's customers on this disk, or
 * take over a row of ours by its id), and the page is refused. */
/* Binds the table's columns from the pulled @row, or from @local for
 * the columns its unsent edits changed. */
/* After a write that SQLite refused as NOT NULL: names the first column
 * of @nulls (bits of the spec's columns the server sent null) that the
 * local table declares NOT NULL, in place of SQLite's own words. Asked
 * only then, so that the rows that go in cost nothing more. */
static void
name_required_null (XiStore          *self,
                    const SyncTable  *table,
                    guint64           nulls,
                    GError          **error)
{
  const char *name = table->spec->name;
  guint i = 0;

  for (const SyncColumn *column = table->spec->columns; column->name != NULL; column++, i++)
    {
      int not_null = 0;

      if ((nulls & (G_GUINT64_CONSTANT (1) << i)) == 0 ||
          sqlite3_table_column_metadata (self->db, "main", name, column->name,
                                         NULL, NULL, &not_null, NULL, NULL) != SQLITE_OK ||
          !not_null)
        continue;
      g_clear_error (error);
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                   _("The server sent a value of the wrong type or size for “%s” in “%s”."),
                   column->name, name);
      return;
    }
}

static gboolean
bind_columns (sqlite3_stmt     *stmt,
              const SyncTable  *table,
              JsonObject       *row,
              JsonObject       *local,
              GHashTable       *pending,
              const Clash      *clash,
              guint64          *nulls,
              GError          **error)
{
  const char *name = table->spec->name;
  guint n = 9;

  for (const SyncColumn *column = table->spec->columns; column->name != NULL; column++)
    {
      JsonObject *source = row;
      JsonNode *value;

      if (local != NULL && g_hash_table_contains (pending, column->name))
        source = local;
      /* Pulls select every column: a row without one is not the server's. */
      if (!json_object_has_member (source, column->name))
        {
          g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                       _("A row of “%s” from the server has no “%s”."), name, column->name);
          return FALSE;
        }
      value = json_object_get_member (source, column->name);
      if (clash->new_key != NULL && g_str_equal (column->name, clash->key->column))
        _xi_store_bind_text (stmt, ++n, clash->new_key);
      else if (!bind_json (stmt, ++n, column->kind, value))
        {
          g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                       _("The server sent a value of the wrong type or size for “%s” in “%s”."),
                       column->name, name);
          return FALSE;
        }
      /* By the column's place in the spec; no spec has 64 columns. */
      if (JSON_NODE_HOLDS_NULL (value) && column->kind != COLUMN_EPOCH)
        *nulls |= G_GUINT64_CONSTANT (1) << (n - 10);
    }
  return TRUE;
}

static gboolean
check_row_owner (XiStore     *self,
                 const char  *table,
                 JsonObject  *row,
                 GError     **error)
{
  const char *owner = xi_json_get_string (row, "master_user_id", NULL);

  if (owner == NULL || g_ascii_strcasecmp (owner, self->master_user_id) == 0)
    return TRUE;
  g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
               _("The server sent a row of “%s” that belongs to another account. Nothing of it "
                 "was kept; sync resumes once the server is fixed."), table);
  return FALSE;
}

static gboolean
apply_row (XiStore          *self,
           const SyncTable  *table,
           JsonObject       *row,
           gboolean          may_have_ops,
           gboolean         *conflict,
           GError          **error)
{
  g_auto(Clash) clash = { NULL, };
  const char *name = table->spec->name;
  const char *id = xi_json_get_string (row, "id", NULL);
  g_autoptr(GHashTable) pending = NULL;
  g_autoptr(JsonObject) local = NULL;
  const char *status = "synced";
  gint64 version = xi_json_get_int (row, "version", 0);
  gboolean deleted = xi_json_get_bool (row, "deleted", FALSE);
  g_autofree char *now = NULL;
  const UniqueKey *unique;
  guint64 nulls = 0;
  sqlite3_stmt *stmt;

  *conflict = FALSE;
  if (id == NULL || *id == '\0')
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                   _("A row of “%s” from the server has no id."), name);
      return FALSE;
    }
  if (!check_row_owner (self, name, row, error))
    return FALSE;
  /* An asset's checksum names its file in the data folder. */
  if (g_str_equal (name, "assets") && !_xi_store_sha256_is_valid (xi_json_get_string (row, "sha256", NULL)))
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                   _("A row of “%s” from the server has a checksum that is not one."), name);
      return FALSE;
    }
  if (!may_have_ops)
    pending = g_hash_table_new (g_str_hash, g_str_equal);
  else if ((pending = pending_columns (self, name, id, error)) == NULL)
    return FALSE;

  if (g_hash_table_size (pending) == 0)
    {
      RowState state;

      if (row_state (self, table, id, &state, error))
        {
          /* An older copy than the one already stored (a page read again
           * after a push reply) changes nothing. */
          if (version < state.server_version)
            return TRUE;
          /* A local edit that lost to this delete stays visible as such. */
          if (deleted && g_str_equal (state.status, "conflict"))
            status = "conflict";
        }
      else if (error != NULL && *error != NULL)
        return FALSE;
    }
  else
    {
      local = local_row (self, table, id, error);
      if (local == NULL && error != NULL && *error != NULL)
        return FALSE;

      if (deleted && (local == NULL || !xi_json_get_bool (local, "deleted", FALSE)))
        {
          if (!row_exec (self, "DELETE FROM sync_outbox WHERE table_name = ?1 AND row_id = ?2"
                         " AND state = 'queued'", name, id, 0, error))
            return FALSE;
          status = "conflict";
          *conflict = TRUE;
          g_clear_pointer (&local, json_object_unref);
        }
      else
        {
          status = "pending";
          if (!row_exec (self, "UPDATE sync_outbox SET base_version = ?3 WHERE table_name = ?1"
                         " AND row_id = ?2 AND state = 'queued'", name, id, version, error))
            return FALSE;
        }
    }

  unique = lookup_unique_key (name);
  if (unique != NULL)
    {
      JsonObject *source = row;
      gboolean gone = deleted;

      if (local != NULL && g_hash_table_contains (pending, unique->column))
        source = local;
      if (local != NULL && g_hash_table_contains (pending, "deleted"))
        gone = xi_json_get_bool (local, "deleted", FALSE);
      if ((!gone || unique->rule == CLASH_REPLACE) &&
          !settle_clash (self, table, id,
                         xi_json_get_string (source, unique->column, NULL),
                         &clash, error))
        return FALSE;
      if (clash.pulled_loses)
        status = "pending";
    }

  stmt = _xi_store_prepare (self, table->upsert, error);
  if (stmt == NULL)
    return FALSE;

  now = _xi_store_now ();
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, xi_json_get_string (row, "created_at", now));
  _xi_store_bind_text (stmt, 4, xi_json_get_string (row, "updated_at", now));
  sqlite3_bind_int64 (stmt, 5, version);
  sqlite3_bind_int64 (stmt, 6, xi_json_get_int (row, "server_seq", 0));
  sqlite3_bind_int (stmt, 7, deleted);
  _xi_store_bind_text (stmt, 8, status);

  /* A contact within what the server holds may still have more fields
   * or tags, or longer notes, than this computer lets anyone save (the
   * server's own merge of a contact created twice, another computer): it
   * is bound again fitted, or nobody could edit it here. A value past
   * the server's bounds was refused above. */
  if (!bind_columns (stmt, table, row, local, pending, &clash, &nulls, error) ||
      (table->spec->columns == contacts_columns && _xi_contact_fit_json (row) &&
       !bind_columns (stmt, table, row, local, pending, &clash, &nulls, error)))
    {
      sqlite3_reset (stmt);
      return FALSE;
    }
  /* A pending local delete stays a delete until the server has it. */
  if (local != NULL && g_hash_table_contains (pending, "deleted"))
    sqlite3_bind_int (stmt, 7, xi_json_get_bool (local, "deleted", FALSE));
  if (clash.pulled_loses && clash.key->rule == CLASH_MERGE)
    sqlite3_bind_int (stmt, 7, TRUE);

  if (!_xi_store_step_done (self, stmt, error))
    {
      if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_NOTNULL)
        name_required_null (self, table, nulls, error);
      return FALSE;
    }

  if (clash.key != NULL && !finish_clash (self, table, id, version, &clash, error))
    return FALSE;
  if (table->spec->columns == group_members_columns && !follow_merges (self, row, error))
    return FALSE;

  if (table->spec->columns == suppression_events_columns)
    {
      const char *phone = xi_json_get_string (row, "phone", NULL);

      if (phone != NULL &&
          (!refresh_opt_out (self, self->master_user_id, phone, error) ||
           !join_pulled_lid (self, phone, error)))
        return FALSE;
    }
  if (table->spec->columns == incoming_messages_columns &&
      xi_json_get_string (row, "phone", NULL) == NULL &&
      !join_pulled_lid (self, xi_json_get_string (row, "from_jid", NULL), error))
    return FALSE;

  return TRUE;
}

static gint64
checkpoint_get (XiStore     *self,
                const char  *table,
                GError     **error)
{
  return row_query_int (self, "SELECT last_seq FROM sync_checkpoints"
                        " WHERE master_user_id = ?1 AND table_name = ?2",
                        self->master_user_id, table, 0, error);
}

static gboolean
checkpoint_set (XiStore     *self,
                const char  *table,
                gint64       last_seq,
                GError     **error)
{
  return row_exec (self,
                   "INSERT INTO sync_checkpoints (master_user_id, table_name, last_seq)"
                   " VALUES (?1, ?2, ?3) ON CONFLICT (master_user_id, table_name)"
                   " DO UPDATE SET last_seq = excluded.last_seq",
                   self->master_user_id, table, last_seq, error);
}

/* Makes the next pull read the row again: the checkpoint goes back to
 * just before the row's last known change. */
static gboolean
schedule_repull (XiStore          *self,
                 const SyncTable  *table,
                 const char       *id,
                 GError          **error)
{
  RowState state;
  gint64 checkpoint;

  if (!row_state (self, table, id, &state, error))
    return error == NULL || *error == NULL;
  if (state.server_seq <= 0)
    return TRUE;

  checkpoint = checkpoint_get (self, table->spec->name, error);
  if (error != NULL && *error != NULL)
    return FALSE;
  if (checkpoint < state.server_seq)
    return TRUE;
  return checkpoint_set (self, table->spec->name, state.server_seq - 1, error);
}

/* Store-thread operations */

static void
set_device_func (XiStore  *self,
                 GTask    *task,
                 gpointer  data)
{
  const char *device_id = data;
  GError *error = NULL;

  if (!row_exec (self, "INSERT INTO sync_state (key, value) VALUES ('device_id', ?1)"
                 " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 device_id, NULL, 0, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_free (self->sync_device_id);
  self->sync_device_id = g_strdup (device_id);
  g_task_return_boolean (task, TRUE);
}

static void
get_device_func (XiStore  *self,
                 GTask    *task,
                 gpointer  data)
{
  g_task_return_pointer (task, g_strdup (self->sync_device_id), g_free);
}

static gint
compare_ops (gconstpointer a,
             gconstpointer b)
{
  const XiSyncOp *op_a = *(XiSyncOp * const *)a;
  const XiSyncOp *op_b = *(XiSyncOp * const *)b;
  const SyncTable *table_a = lookup_table (op_a->table_name);
  const SyncTable *table_b = lookup_table (op_b->table_name);
  guint index_a = table_a != NULL ? table_a->index : N_TABLES;
  guint index_b = table_b != NULL ? table_b->index : N_TABLES;

  if (index_a != index_b)
    return index_a < index_b ? -1 : 1;
  return op_a->op_seq < op_b->op_seq ? -1 : op_a->op_seq > op_b->op_seq;
}

static XiSyncOp *
op_from_row (sqlite3_stmt *stmt)
{
  XiSyncOp *op = g_new0 (XiSyncOp, 1);
  g_autoptr(JsonNode) changed = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  op->op_seq = sqlite3_column_int64 (stmt, 0);
  op->op_id = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
  op->table_name = g_strdup ((const char *)sqlite3_column_text (stmt, 2));
  op->row_id = g_strdup ((const char *)sqlite3_column_text (stmt, 3));
  op->kind = g_strdup ((const char *)sqlite3_column_text (stmt, 4));
  op->base_version = sqlite3_column_int64 (stmt, 5);
  changed = json_from_string ((const char *)sqlite3_column_text (stmt, 6), NULL);
  if (changed != NULL && JSON_NODE_HOLDS_ARRAY (changed))
    {
      JsonArray *array = json_node_get_array (changed);

      for (guint i = 0; i < json_array_get_length (array); i++)
        g_strv_builder_add (names, json_array_get_string_element (array, i));
    }
  op->changed = g_strv_builder_end (names);
  op->rpc_args = g_strdup ((const char *)sqlite3_column_text (stmt, 7));
  op->attempts = sqlite3_column_int (stmt, 8);
  op->last_error = g_strdup ((const char *)sqlite3_column_text (stmt, 9));
  return op;
}

#define OP_COLUMNS "op_seq, op_id, table_name, row_id, kind, base_version, changed, rpc_args," \
                   " attempts, last_error"

/* The payload is built now, from the row as it is (SYNC.md 3.6), so the
 * outbox never holds a stale copy. */
static gboolean
fill_payload (XiStore     *self,
              XiSyncOp    *op,
              const char  *changed,
              GError     **error)
{
  const SyncTable *table = lookup_table (op->table_name);
  sqlite3_stmt *stmt;
  int rc;

  if (table == NULL || g_strcmp0 (op->kind, "upsert") != 0)
    return TRUE;

  stmt = _xi_store_prepare (self, table->payload, error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, op->row_id);
  sqlite3_bind_int64 (stmt, 2, op->base_version);
  _xi_store_bind_text (stmt, 3, changed);
  _xi_store_bind_text (stmt, 4, op->op_id);
  _xi_store_bind_text (stmt, 5, self->sync_device_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    op->row_json = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

static void
take_batch_func (XiStore  *self,
                 GTask    *task,
                 gpointer  data)
{
  guint max_ops = GPOINTER_TO_UINT (data);
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_sync_op_free);
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (!_xi_store_begin (self, &error))
    goto failed;

  /* The oldest op of each row only: two ops of one row in one request
   * would make the server's upsert touch the row twice. A next try
   * further ahead than any wait (a server's Retry-After is held to a
   * day) was stamped by a clock that has since been put back: it is due,
   * or the op would wait for as long as that clock ran ahead. */
  stmt = _xi_store_prepare (self,
                            "UPDATE sync_outbox SET state = 'inflight' WHERE op_seq IN"
                            " (SELECT o.op_seq FROM sync_outbox o WHERE o.state = 'queued'"
                            "  AND (o.next_attempt_at <= ?1 OR o.next_attempt_at > ?1 + " G_STRINGIFY (MAX_OP_WAIT_SECONDS) ")"
                            "  AND NOT EXISTS (SELECT 1 FROM sync_outbox p"
                            "   WHERE p.table_name = o.table_name AND p.row_id = o.row_id"
                            "   AND p.op_seq < o.op_seq AND p.state != 'dead')"
                            "  ORDER BY o.op_seq LIMIT ?2)"
                            " RETURNING " OP_COLUMNS,
                            &error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, g_get_real_time () / G_USEC_PER_SEC);
  sqlite3_bind_int64 (stmt, 2, max_ops);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (ops, op_from_row (stmt));
      g_ptr_array_add (changed, g_strdup ((const char *)sqlite3_column_text (stmt, 6)));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, &error);
      goto failed;
    }

  for (guint i = 0; i < ops->len; i++)
    if (!fill_payload (self, g_ptr_array_index (ops, i), g_ptr_array_index (changed, i), &error))
      goto failed;

  if (!_xi_store_commit (self, &error))
    goto failed;

  g_ptr_array_sort (ops, compare_ops);
  g_task_return_pointer (task, g_steal_pointer (&ops), (GDestroyNotify)g_ptr_array_unref);
  return;

failed:
  _xi_store_rollback (self);
  g_task_return_error (task, error);
}

static JsonObject *
parse_object (const char  *json,
              const char  *what,
              GError     **error)
{
  g_autoptr(JsonNode) node = json != NULL ? json_from_string (json, NULL) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                   _("The server’s reply for %s is not a JSON object."), what);
      return NULL;
    }
  return json_object_ref (json_node_get_object (node));
}

/* The server will not hold the messages of this device's campaign: it
 * stops before it sends past the allowance, with the server's reason, and
 * the pause reaches the other computers like any change of the user's. */
static gboolean
pause_for_quota (XiStore     *self,
                 const char  *reservation_id,
                 const char  *reason,
                 GError     **error)
{
  gboolean ok;

  self->sync_applying = FALSE;
  ok = row_exec (self, "UPDATE jobs SET state = 'paused', last_error = ?2"
                 " WHERE quota_reservation_id = ?1 AND (state = 'pending'"
                 " OR state = 'processing' OR state = 'retrying')",
                 reservation_id, reason, 0, error);
  self->sync_applying = TRUE;
  return ok;
}

/* A row sent back after a restore that the server answered without
 * taking it (no row, or a row some other op wrote last): it stays here,
 * and the user is told and may send it again. */
static gboolean
repush_dropped (XiStore          *self,
                const SyncTable  *table,
                XiSyncResult     *result,
                const char       *row_id,
                GError          **error)
{
  g_message ("The server did not take back a row of %s it had lost", table->spec->name);
  return row_exec (self, "UPDATE sync_outbox SET state = 'dead', last_error = ?2 WHERE op_id = ?1",
                   result->op_id,
                   _("The sync server lost this change when it was put back to an earlier copy, "
                     "and did not take it when this computer sent it again."), 0, error) &&
         set_status (self, table, row_id, "rejected", error);
}

/* Whether the server's reply to an op that sends a row back after a
 * restore shows the row taken; the row stops being watched either way.
 * An op that never reached the server counts as taken, so it is handled
 * like any other. */
static gboolean
repush_taken (XiStore          *self,
              const SyncTable  *table,
              XiSyncResult     *result,
              const char       *row_id,
              gboolean         *taken,
              GError          **error)
{
  g_autofree char *key = g_strconcat ("repush:", table->spec->name, NULL);
  gint64 watched;

  *taken = TRUE;
  watched = row_query_int (self, "SELECT EXISTS (SELECT 1 FROM sync_resync"
                           " WHERE table_name = ?1 AND row_id = ?2)", key, row_id, 0, error);
  if (error != NULL && *error != NULL)
    return FALSE;
  if (watched == 0 || result->outcome == XI_SYNC_OUTCOME_TRANSIENT)
    return TRUE;
  if (result->outcome == XI_SYNC_OUTCOME_SKIPPED)
    {
      /* The engine skips an op whose row is gone here without sending
       * it: the server did not turn the row down, and the usual handling
       * of a skipped op fetches the server's copy. */
      g_autoptr(JsonObject) local = local_row (self, table, row_id, error);

      if (local == NULL && error != NULL && *error != NULL)
        return FALSE;
      *taken = local == NULL;
    }
  else if (result->outcome == XI_SYNC_OUTCOME_APPLIED && result->server_row != NULL)
    {
      g_autoptr(JsonObject) row = parse_object (result->server_row, table->spec->name, error);
      const char *last_op_id;

      if (row == NULL)
        return FALSE;
      last_op_id = xi_json_get_string (row, "last_op_id", NULL);
      *taken = last_op_id == NULL || g_strcmp0 (last_op_id, result->op_id) == 0;
    }
  return row_exec (self, "DELETE FROM sync_resync WHERE table_name = ?1 AND row_id = ?2",
                   key, row_id, 0, error);
}

static gboolean
complete_one (XiStore       *self,
              XiSyncResult  *result,
              GError       **error)
{
  g_autofree char *table_name = NULL;
  g_autofree char *row_id = NULL;
  const SyncTable *table;
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self, "SELECT table_name, row_id FROM sync_outbox WHERE op_id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, result->op_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      table_name = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
      row_id = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
    }
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;  /* completed before: a result delivered twice */
  if (rc != SQLITE_ROW)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  table = lookup_table (table_name);
  if (table != NULL)
    {
      gboolean taken;

      if (!repush_taken (self, table, result, row_id, &taken, error))
        return FALSE;
      if (!taken)
        return repush_dropped (self, table, result, row_id, error);
    }

  switch (result->outcome)
    {
    case XI_SYNC_OUTCOME_APPLIED:
      {
        g_autoptr(JsonObject) row = NULL;
        gboolean conflict;

        if (!row_exec (self, "DELETE FROM sync_outbox WHERE op_id = ?1", result->op_id, NULL, 0,
                       error))
          return FALSE;
        if (table == NULL)
          return TRUE;
        /* An insert-only fact the server already had comes back as no row
         * (ignore-duplicates): the local copy is the server's. */
        if (result->server_row == NULL)
          {
            gint64 left = row_query_int (self, "SELECT count(*) FROM sync_outbox"
                                         " WHERE table_name = ?1 AND row_id = ?2",
                                         table_name, row_id, 0, error);

            if (error != NULL && *error != NULL)
              return FALSE;
            return left > 0 || set_status (self, table, row_id, "synced", error);
          }
        if ((row = parse_object (result->server_row, table_name, error)) == NULL)
          return FALSE;
        if (!apply_row (self, table, row, TRUE, &conflict, error))
          return FALSE;
        return TRUE;
      }

    case XI_SYNC_OUTCOME_SKIPPED:
      if (!row_exec (self, "DELETE FROM sync_outbox WHERE op_id = ?1", result->op_id, NULL, 0,
                     error))
        return FALSE;
      if (table == NULL)
        return TRUE;
      /* Deleted here as well (two computers settling one clash): the
       * delete that won is the one asked for, so nothing needs the user. */
      {
        g_autoptr(JsonObject) local = local_row (self, table, row_id, error);

        if (local == NULL && error != NULL && *error != NULL)
          return FALSE;
        return set_status (self, table, row_id,
                           local != NULL && xi_json_get_bool (local, "deleted", FALSE) ? "synced" : "conflict",
                           error) &&
               schedule_repull (self, table, row_id, error);
      }

    case XI_SYNC_OUTCOME_REFUSED:
      if (!row_exec (self, "UPDATE sync_outbox SET state = 'dead', last_error = ?2"
                     " WHERE op_id = ?1", result->op_id, result->message, 0, error))
        return FALSE;
      if (g_str_equal (table_name, "quota_reservations"))
        return pause_for_quota (self, row_id, result->message, error);
      if (table == NULL)
        return TRUE;
      return set_status (self, table, row_id, "rejected", error);

    case XI_SYNC_OUTCOME_TRANSIENT:
      return row_exec (self, "UPDATE sync_outbox SET state = 'queued', attempts = attempts + 1,"
                       " next_attempt_at = ?3, last_error = ?2 WHERE op_id = ?1",
                       result->op_id, result->message,
                       g_get_real_time () / G_USEC_PER_SEC + result->retry_after, error);

    default:
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                   "Unknown sync outcome %d", result->outcome);
      return FALSE;
    }
}

static void
complete_func (XiStore  *self,
               GTask    *task,
               gpointer  data)
{
  GPtrArray *results = data;
  GError *error = NULL;

  if (!_xi_store_begin (self, &error))
    goto failed;

  self->sync_applying = TRUE;
  for (guint i = 0; i < results->len; i++)
    if (!complete_one (self, g_ptr_array_index (results, i), &error))
      break;
  self->sync_applying = FALSE;
  if (error != NULL || !_xi_store_commit (self, &error))
    goto failed;

  g_task_return_boolean (task, TRUE);
  return;

failed:
  _xi_store_rollback (self);
  g_task_return_error (task, error);
}

/* A page as text, or already parsed by the caller (a sealed node that
 * nobody changes any more, so it may cross to this thread). */
typedef struct
{
  char     *table;
  GBytes   *rows;
  JsonNode *root;
} PageData;

static void
page_data_free (gpointer data)
{
  PageData *page = data;

  g_free (page->table);
  g_clear_pointer (&page->rows, g_bytes_unref);
  g_clear_pointer (&page->root, json_node_unref);
  g_free (page);
}

typedef struct
{
  guint  applied;
  gint64 checkpoint;
} PageResult;

/* During a restore: when this device holds a later copy of the row than
 * the server sent, the row stays as it is, unseen, with the server's
 * version to edit from when it goes back; @kept says so. Returns FALSE
 * only on an error. */
static gboolean
keep_newer (XiStore          *self,
            const SyncTable  *table,
            JsonObject       *row,
            gboolean         *kept,
            GError          **error)
{
  const char *id = xi_json_get_string (row, "id", "");
  gint64 version = xi_json_get_int (row, "version", 0);
  g_autoptr(GError) local_error = NULL;
  sqlite3_stmt *stmt;
  RowState state;

  *kept = FALSE;
  /* A row this device does not hold takes the server's copy. */
  if (!row_state (self, table, id, &state, &local_error))
    {
      if (local_error == NULL)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (state.server_version <= version)
    return TRUE;
  *kept = TRUE;
  stmt = _xi_store_prepare (self, table->restore_seen, error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, version);
  sqlite3_bind_int64 (stmt, 3, MAX (xi_json_get_int (row, "server_seq", 1), 1));
  return _xi_store_step_done (self, stmt, error);
}

/* A re-sync after the server went back to a backup, not after a purge. */
static gboolean
is_restoring (XiStore     *self,
              const char  *table,
              GError     **error)
{
  g_autofree char *key = g_strconcat ("restore:", table, NULL);

  return row_query_int (self, "SELECT EXISTS (SELECT 1 FROM sync_state WHERE key = ?1)",
                        key, NULL, 0, error) != 0;
}

static gboolean
apply_page (XiStore          *self,
            const SyncTable  *table,
            JsonArray        *rows,
            PageResult       *result,
            GError          **error)
{
  const char *name = table->spec->name;
  gint64 checkpoint = checkpoint_get (self, name, error);
  gboolean may_have_ops;
  gboolean resyncing;
  gboolean restoring = FALSE;

  if (error != NULL && *error != NULL)
    return FALSE;
  resyncing = row_query_int (self, "SELECT EXISTS (SELECT 1 FROM sync_resync WHERE table_name = ?1)",
                             name, NULL, 0, error) != 0;
  if (error != NULL && *error != NULL)
    return FALSE;
  if (resyncing)
    {
      restoring = is_restoring (self, name, error);
      if (error != NULL && *error != NULL)
        return FALSE;
    }
  /* Asked once per page rather than once per row: a table with nothing
   * waiting to be pushed (every table of a new computer) has no local edit
   * to merge with the server's rows. */
  may_have_ops = row_query_int (self, "SELECT EXISTS (SELECT 1 FROM sync_outbox"
                                " WHERE table_name = ?1 AND state != 'dead')",
                                name, NULL, 0, error) != 0;
  if (error != NULL && *error != NULL)
    return FALSE;

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonNode *node = json_array_get_element (rows, i);
      JsonObject *row;
      gboolean conflict;
      gint64 seq;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                       _("A page of “%s” from the server holds something that is not a row."),
                       name);
          return FALSE;
        }
      row = json_node_get_object (node);
      seq = xi_json_get_int (row, "server_seq", 0);
      checkpoint = MAX (checkpoint, seq);
      result->applied++;
      /* The server lost this device's later copy of the row: it stays
       * unseen, and goes back whole when the re-sync ends. */
      if (restoring)
        {
          gboolean kept;

          if (!keep_newer (self, table, row, &kept, error))
            return FALSE;
          if (kept)
            continue;
        }
      if (!apply_row (self, table, row, may_have_ops, &conflict, error))
        return FALSE;
      if (resyncing &&
          !row_exec (self, "DELETE FROM sync_resync WHERE table_name = ?1 AND row_id = ?2",
                     name, xi_json_get_string (row, "id", NULL), 0, error))
        return FALSE;
    }

  result->checkpoint = checkpoint;
  return checkpoint_set (self, name, checkpoint, error);
}

static gboolean
is_server_table (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (server_tables); i++)
    if (g_strcmp0 (name, server_tables[i]) == 0)
      return TRUE;
  return FALSE;
}

/* A page of a server-owned table: each row replaces its cached copy, a
 * tombstone removes it, and the checkpoint moves in the same transaction. */
static void
apply_server_rows (XiStore    *self,
                   GTask      *task,
                   const char *table,
                   JsonNode   *root)
{
  g_autofree PageResult *result = g_new0 (PageResult, 1);
  GError *error = NULL;
  JsonArray *rows;

  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                               _("A page of “%s” from the server is not a JSON array."), table);
      return;
    }
  rows = json_node_get_array (root);
  if (!_xi_store_begin (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  result->checkpoint = checkpoint_get (self, table, &error);
  /* Queues nothing here (sync_state is not synced), but tells
   * XiStore::changed that these rows came from the server. */
  self->sync_applying = TRUE;
  for (guint i = 0; error == NULL && i < json_array_get_length (rows); i++)
    {
      JsonNode *node = json_array_get_element (rows, i);
      JsonObject *row = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *id = row != NULL ? xi_json_get_string (row, "id", NULL)
                                   : NULL;
      g_autofree char *key = NULL;

      if (id == NULL || *id == '\0')
        {
          g_set_error (&error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                       _("A row of “%s” from the server has no id."), table);
          break;
        }
      if (!check_row_owner (self, table, row, &error))
        break;
      key = g_strconcat ("server:", table, ":", id, NULL);
      if (xi_json_get_bool (row, "deleted", FALSE))
        row_exec (self, "DELETE FROM sync_state WHERE key = ?1", key, NULL, 0, &error);
      else
        {
          g_autofree char *text = json_to_string (node, FALSE);

          row_exec (self, "INSERT INTO sync_state (key, value) VALUES (?1, ?2)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    key, text, 0, &error);
        }
      result->checkpoint = MAX (result->checkpoint, xi_json_get_int (row, "server_seq", 0));
      result->applied++;
    }
  self->sync_applying = FALSE;
  if (error != NULL ||
      !checkpoint_set (self, table, result->checkpoint, &error) ||
      !_xi_store_commit (self, &error))
    {
      _xi_store_rollback (self);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&result), g_free);
}

static void
list_server_rows_func (XiStore  *self,
                       GTask    *task,
                       gpointer  data)
{
  g_autoptr(JsonArray) rows = json_array_new ();
  g_autofree char *pattern = g_strconcat ("server:", (const char *) data, ":*", NULL);
  GError *error = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self, "SELECT value FROM sync_state WHERE key GLOB ?1 ORDER BY key",
                            &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _xi_store_bind_text (stmt, 1, pattern);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonNode *row = json_from_string ((const char *) sqlite3_column_text (stmt, 0), NULL);

      if (row != NULL)
        json_array_add_element (rows, row);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, &error);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&rows), (GDestroyNotify) json_array_unref);
}

static void
apply_page_func (XiStore  *self,
                 GTask    *task,
                 gpointer  data)
{
  PageData *page = data;
  g_autoptr(JsonNode) parsed = NULL;
  g_autofree PageResult *result = g_new0 (PageResult, 1);
  const SyncTable *table = NULL;
  JsonNode *root = page->root;
  GError *error = NULL;
  gboolean ok;

  if (!is_server_table (page->table) && (table = require_table (page->table, &error)) == NULL)
    goto failed_early;
  if (root == NULL)
    {
      if ((parsed = xi_json_parse_bytes (page->rows, &error)) == NULL)
        goto failed_early;
      root = parsed;
    }
  if (root != NULL && is_server_table (page->table))
    {
      apply_server_rows (self, task, page->table, root);
      return;
    }
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (&error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                   _("A page of “%s” from the server is not a JSON array."), page->table);
      goto failed_early;
    }

  if (!_xi_store_begin (self, &error))
    goto failed_early;
  self->sync_applying = TRUE;
  ok = apply_page (self, table, json_node_get_array (root), result, &error);
  self->sync_applying = FALSE;
  if (!ok || !_xi_store_commit_deferring_checkpoint (self, &error))
    {
      _xi_store_rollback (self);
      goto failed_early;
    }

  g_task_return_pointer (task, g_steal_pointer (&result), g_free);
  return;

failed_early:
  g_task_return_error (task, error);
}

/* Both kinds of page end in the same task, so one finish serves both. */
static void
push_page (XiStore             *self,
           const char          *table_name,
           GBytes              *text,
           JsonNode            *root,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  PageData *page = g_new0 (PageData, 1);

  page->table = g_strdup (table_name);
  page->rows = text;
  page->root = root;
  _xi_store_push_bulk (self, apply_page_func, page, page_data_free, xi_store_sync_apply_page_async,
                       cancellable, callback, user_data);
}

static void
get_checkpoint_func (XiStore  *self,
                     GTask    *task,
                     gpointer  data)
{
  GError *error = NULL;
  gint64 checkpoint = checkpoint_get (self, data, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, checkpoint);
}

typedef struct
{
  char   *table;
  gint64  last_seq;
} CheckpointData;

static void
checkpoint_data_free (gpointer data)
{
  CheckpointData *checkpoint = data;

  g_free (checkpoint->table);
  g_free (checkpoint);
}

static void
set_checkpoint_func (XiStore  *self,
                     GTask    *task,
                     gpointer  data)
{
  CheckpointData *checkpoint = data;
  GError *error = NULL;

  if (!checkpoint_set (self, checkpoint->table, checkpoint->last_seq, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
begin_restore (XiStore          *self,
               const SyncTable  *table,
               const char       *key,
               GError          **error)
{
  gboolean ok;

  if (!row_exec (self, "INSERT OR REPLACE INTO sync_state (key, value) VALUES (?1, ?2)",
                 key, "1", 0, error))
    return FALSE;
  /* Bookkeeping, not a local edit: the row triggers must not queue it. */
  self->sync_applying = TRUE;
  ok = _xi_store_exec (self, table->restore_begin, error);
  self->sync_applying = FALSE;
  return ok;
}

/* Inside the caller's transaction: every row of the table counts as not
 * sent by the server until a page brings it. */
static gboolean
mark_resync (XiStore          *self,
             const SyncTable  *table,
             gboolean          restore,
             GError          **error)
{
  const char *name = table->spec->name;
  g_autofree char *key = g_strconcat ("restore:", name, NULL);

  return row_exec (self, "DELETE FROM sync_resync WHERE table_name = ?1", name, NULL, 0, error) &&
         _xi_store_exec (self, table->resync_mark, error) &&
         checkpoint_set (self, name, 0, error) &&
         (!restore || begin_restore (self, table, key, error));
}

static void
begin_resync (XiStore     *self,
              GTask       *task,
              const char  *name,
              gboolean     restore)
{
  const SyncTable *table = lookup_table (name);
  GError *error = NULL;

  if (!_xi_store_begin (self, &error))
    goto failed_early;
  if (!mark_resync (self, table, restore, &error) ||
      !_xi_store_commit (self, &error))
    {
      _xi_store_rollback (self);
      goto failed_early;
    }
  g_task_return_boolean (task, TRUE);
  return;

failed_early:
  g_task_return_error (task, error);
}

static void
begin_resync_func (XiStore  *self,
                   GTask    *task,
                   gpointer  data)
{
  begin_resync (self, task, data, FALSE);
}

static void
begin_restore_func (XiStore  *self,
                    GTask    *task,
                    gpointer  data)
{
  begin_resync (self, task, data, TRUE);
}

/* Ends a re-sync after a restore: nothing is deleted here, since what
 * the server did not send is what it lost; every unseen row is queued to
 * go back to it. Returns how many rows were queued, or -1. */
static gint64
finish_restore (XiStore          *self,
                const SyncTable  *table,
                GError          **error)
{
  const char *name = table->spec->name;
  g_autofree char *key = g_strconcat ("restore:", name, NULL);
  gint64 queued;
  gboolean ok;

  /* Not local edits: the row triggers must not queue anything. */
  self->sync_applying = TRUE;
  ok = _xi_store_exec (self, table->restore_unseen, error);
  self->sync_applying = FALSE;
  if (!ok ||
      !_xi_store_exec (self, table->restore_requeue, error) ||
      !_xi_store_exec (self, table->restore_queue, error))
    return -1;
  queued = row_query_int (self, "SELECT count(*) FROM sync_resync r WHERE r.table_name = ?1"
                          " AND EXISTS (SELECT 1 FROM sync_outbox o WHERE o.table_name = ?1"
                          " AND o.row_id = r.row_id AND o.state = 'queued')",
                          name, NULL, 0, error);
  if (error != NULL && *error != NULL)
    return -1;
  self->sync_applying = TRUE;
  ok = _xi_store_exec (self, table->restore_pending, error);
  self->sync_applying = FALSE;
  if (!ok ||
      !row_exec (self, "INSERT OR IGNORE INTO sync_resync (table_name, row_id)"
                 " SELECT 'repush:' || r.table_name, r.row_id FROM sync_resync r"
                 " WHERE r.table_name = ?1 AND EXISTS (SELECT 1 FROM sync_outbox o"
                 " WHERE o.table_name = ?1 AND o.row_id = r.row_id AND o.state = 'queued')",
                 name, NULL, 0, error) ||
      !row_exec (self, "DELETE FROM sync_resync WHERE table_name = ?1", name, NULL, 0, error) ||
      !row_exec (self, "DELETE FROM sync_state WHERE key = ?1", key, NULL, 0, error))
    return -1;
  return queued;
}

/*
 * Ends a full re-sync (SYNC.md 3.4). A row the server did not send again
 * was purged there: it goes, unless it has ops. Of those, a row never
 * pushed (every op from version 0) is new here and is kept to be pushed;
 * an edit of a purged row is dropped with its ops and counted, so the
 * user can be told.
 */
static void
finish_resync_func (XiStore  *self,
                    GTask    *task,
                    gpointer  data)
{
  const SyncTable *table = lookup_table (data);
  g_autoptr(GPtrArray) dropped = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;
  gboolean restoring;
  sqlite3_stmt *stmt;
  int rc;

  if (!_xi_store_begin (self, &error))
    goto failed_early;

  restoring = is_restoring (self, data, &error);
  if (error != NULL)
    goto failed;
  if (restoring)
    {
      gint64 queued = finish_restore (self, table, &error);

      if (queued < 0 || !_xi_store_commit (self, &error))
        goto failed;
      g_task_return_int (task, queued);
      return;
    }

  stmt = _xi_store_prepare (self,
                            "SELECT DISTINCT r.row_id FROM sync_resync r JOIN sync_outbox o"
                            " ON o.table_name = r.table_name AND o.row_id = r.row_id"
                            " WHERE r.table_name = ?1 AND o.base_version > 0",
                            &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, data);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (dropped, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, &error);
      goto failed;
    }

  for (guint i = 0; i < dropped->len; i++)
    if (!row_exec (self, "DELETE FROM sync_outbox WHERE table_name = ?1 AND row_id = ?2",
                   data, g_ptr_array_index (dropped, i), 0, &error))
      goto failed;

  if (!_xi_store_exec (self, table->resync_drop, &error) ||
      !row_exec (self, "DELETE FROM sync_resync WHERE table_name = ?1", data, NULL, 0, &error) ||
      !_xi_store_commit (self, &error))
    goto failed;

  g_task_return_int (task, dropped->len);
  return;

failed:
  _xi_store_rollback (self);
failed_early:
  g_task_return_error (task, error);
}

static void
get_resync_func (XiStore  *self,
                 GTask    *task,
                 gpointer  data)
{
  g_autofree char *key = g_strconcat ("restore:", (const char *) data, NULL);
  GError *error = NULL;
  gint64 kind;

  kind = row_query_int (self, "SELECT CASE"
                        " WHEN EXISTS (SELECT 1 FROM sync_state WHERE key = ?2) THEN 2"
                        " WHEN EXISTS (SELECT 1 FROM sync_resync WHERE table_name = ?1) THEN 1"
                        " ELSE 0 END", data, key, 0, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, kind);
}

/* Device marks (the server's device_marks): per device, the highest mark
 * this device knows the server held, as "mark:" and the device's id. */

#define MAX_MARKS 256

static gboolean
raise_mark (XiStore     *self,
            const char  *device_id,
            gint64       seq,
            GError     **error)
{
  g_autofree char *key = g_strconcat ("mark:", device_id, NULL);

  /* A mark that did not move writes nothing: most passes change none. */
  return row_exec (self, "INSERT INTO sync_state (key, value) VALUES (?1, ?3)"
                   " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                   " WHERE CAST (value AS INTEGER) < CAST (excluded.value AS INTEGER)",
                   key, NULL, seq, error);
}

/* Whether a mark the server sent is lower than this device knew it: its
 * own mark counts as 0 when the server has none. */
static gboolean
marks_went_back (XiStore      *self,
                 JsonObject   *marks,
                 const char   *device_id,
                 gboolean     *back,
                 GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *back = FALSE;
  stmt = _xi_store_prepare (self, "SELECT substr (key, 6), CAST (value AS INTEGER)"
                            " FROM sync_state WHERE key LIKE 'mark:%'", error);
  if (stmt == NULL)
    return FALSE;
  while (!*back && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *device = (const char *) sqlite3_column_text (stmt, 0);
      gint64 known = sqlite3_column_int64 (stmt, 1);

      if (json_object_has_member (marks, device))
        *back = xi_json_get_int (marks, device, 0) < known;
      else
        *back = g_strcmp0 (device, device_id) == 0 && known > 0;
    }
  sqlite3_reset (stmt);
  if (!*back && rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

/* Every table is read again as after a restore, and the server-owned
 * ones from their start. */
static gboolean
restore_all (XiStore  *self,
             GError  **error)
{
  for (guint i = 0; pull_names[i] != NULL; i++)
    {
      const SyncTable *table = is_server_table (pull_names[i]) ? NULL
                                                               : lookup_table (pull_names[i]);

      if (table != NULL ? !mark_resync (self, table, TRUE, error)
                        : !checkpoint_set (self, pull_names[i], 0, error))
        return FALSE;
    }
  return row_exec (self, "DELETE FROM sync_state WHERE key LIKE 'mark:%'", NULL, NULL, 0, error);
}

typedef struct
{
  JsonNode *marks;
  char     *device_id;
  gint64    pushed;
} MarksData;

static void
marks_data_free (gpointer data)
{
  MarksData *marks = data;

  g_clear_pointer (&marks->marks, json_node_unref);
  g_free (marks->device_id);
  g_free (marks);
}

/*
 * In one transaction: whether the server lost writes it had committed
 * (a mark lower than this device knew it), and if so the restore re-sync
 * of every table, so that a crash cannot forget it; then the marks as
 * the server has them now are what this device knows.
 */
static void
check_marks_func (XiStore  *self,
                  GTask    *task,
                  gpointer  data)
{
  MarksData *marks_data = data;
  JsonObject *marks = json_node_get_object (marks_data->marks);
  g_autoptr(GList) devices = json_object_get_members (marks);
  GError *error = NULL;
  gboolean back;
  guint n = 0;

  if (!_xi_store_begin (self, &error))
    goto failed_early;
  if (!marks_went_back (self, marks, marks_data->device_id, &back, &error) ||
      (back && !restore_all (self, &error)))
    goto failed;
  for (GList *l = devices; l != NULL && n < MAX_MARKS; l = l->next)
    {
      JsonNode *value = json_object_get_member (marks, l->data);

      /* A hostile server's marks are no proof of anything; they only
       * ever make this device read everything again. */
      if (!g_uuid_string_is_valid (l->data) || !JSON_NODE_HOLDS_VALUE (value) ||
          json_node_get_value_type (value) != G_TYPE_INT64)
        continue;
      n++;
      if (!raise_mark (self, l->data, MAX (json_node_get_int (value), 0), &error))
        goto failed;
    }
  if (!_xi_store_commit (self, &error))
    goto failed;
  g_task_return_boolean (task, back);
  return;

failed:
  _xi_store_rollback (self);
failed_early:
  g_task_return_error (task, error);
}

/* The server refused a write because it holds a lower mark than this
 * device saw: the same re-read as for a mark seen lower, in one go. */
static void
restore_all_func (XiStore  *self,
                  GTask    *task,
                  gpointer  data)
{
  GError *error = NULL;

  if (!_xi_store_begin (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!restore_all (self, &error) || !_xi_store_commit (self, &error))
    {
      _xi_store_rollback (self);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
note_pushed_func (XiStore  *self,
                  GTask    *task,
                  gpointer  data)
{
  MarksData *marks_data = data;
  GError *error = NULL;

  if (!raise_mark (self, marks_data->device_id, marks_data->pushed, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
list_dead_func (XiStore  *self,
                GTask    *task,
                gpointer  data)
{
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_sync_op_free);
  GError *error = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self, "SELECT " OP_COLUMNS " FROM sync_outbox WHERE state = 'dead'"
                            " ORDER BY op_seq", &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ops, op_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, &error);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&ops), (GDestroyNotify)g_ptr_array_unref);
}

typedef struct
{
  char     *op_id;
  gboolean  discard;
} DeadData;

static void
dead_data_free (gpointer data)
{
  DeadData *dead = data;

  g_free (dead->op_id);
  g_free (dead);
}

static void
resolve_dead_func (XiStore  *self,
                   GTask    *task,
                   gpointer  data)
{
  DeadData *dead = data;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (!_xi_store_begin (self, &error))
    goto failed_early;

  stmt = _xi_store_prepare (self, "SELECT table_name, row_id FROM sync_outbox WHERE state = 'dead'"
                            " AND (?1 IS NULL OR op_id = ?1)", &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, dead->op_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (rows, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
      g_ptr_array_add (rows, g_strdup ((const char *)sqlite3_column_text (stmt, 1)));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, &error);
      goto failed;
    }

  if (!row_exec (self,
                 dead->discard ? "DELETE FROM sync_outbox WHERE state = 'dead'"
                                 " AND (?1 IS NULL OR op_id = ?1)"
                               : "UPDATE sync_outbox SET state = 'queued', next_attempt_at = 0,"
                                 " last_error = NULL WHERE state = 'dead'"
                                 " AND (?1 IS NULL OR op_id = ?1)",
                 dead->op_id, NULL, 0, &error))
    goto failed;

  self->sync_applying = TRUE;
  for (guint i = 0; i < rows->len; i += 2)
    {
      const SyncTable *table = lookup_table (g_ptr_array_index (rows, i));
      const char *id = g_ptr_array_index (rows, i + 1);

      if (table == NULL)
        continue;
      if (!dead->discard)
        {
          if (!set_status (self, table, id, "pending", &error))
            break;
        }
      else if (!schedule_repull (self, table, id, &error))
        break;
    }
  self->sync_applying = FALSE;
  if (error != NULL || !_xi_store_commit (self, &error))
    goto failed;

  g_task_return_int (task, rows->len / 2);
  return;

failed:
  _xi_store_rollback (self);
failed_early:
  g_task_return_error (task, error);
}

static void
get_counts_func (XiStore  *self,
                 GTask    *task,
                 gpointer  data)
{
  g_autofree XiSyncCounts *counts = g_new0 (XiSyncCounts, 1);
  GError *error = NULL;

  counts->pending = row_query_int (self, "SELECT count(*) FROM sync_outbox WHERE state != ?1",
                                   "dead", NULL, 0, &error);
  if (error == NULL)
    counts->dead = row_query_int (self, "SELECT count(*) FROM sync_outbox WHERE state = ?1",
                                  "dead", NULL, 0, &error);
  for (guint i = 0; error == NULL && i < N_TABLES; i++)
    counts->conflicts += row_query_int (self, tables[i].conflicts, NULL, NULL, 0, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&counts), g_free);
}

/* Public API */

/**
 * xi_sync_op_free:
 * @op: (transfer full) (nullable): an op
 */
void
xi_sync_op_free (XiSyncOp *op)
{
  if (op == NULL)
    return;
  g_free (op->op_id);
  g_free (op->table_name);
  g_free (op->row_id);
  g_free (op->kind);
  g_strfreev (op->changed);
  g_free (op->row_json);
  g_free (op->rpc_args);
  g_free (op->last_error);
  g_free (op);
}

/**
 * xi_sync_result_new:
 * @op_id: the op
 * @outcome: what the server did with it
 * @server_row: (nullable): the row the server returned, as a JSON object
 * @message: (nullable): the server's message
 * @retry_after: seconds to wait before a transient failure is retried
 *
 * Returns: (transfer full): a result for xi_store_sync_complete_async()
 */
XiSyncResult *
xi_sync_result_new (const char    *op_id,
                    XiSyncOutcome  outcome,
                    const char    *server_row,
                    const char    *message,
                    guint          retry_after)
{
  XiSyncResult *result = g_new0 (XiSyncResult, 1);

  g_return_val_if_fail (op_id != NULL, NULL);

  result->op_id = g_strdup (op_id);
  result->outcome = outcome;
  result->server_row = g_strdup (server_row);
  result->message = g_strdup (message);
  result->retry_after = retry_after;
  return result;
}

/**
 * xi_sync_result_free:
 * @result: (transfer full) (nullable): a result
 */
void
xi_sync_result_free (XiSyncResult *result)
{
  if (result == NULL)
    return;
  g_free (result->op_id);
  g_free (result->server_row);
  g_free (result->message);
  g_free (result);
}

/**
 * xi_store_sync_tables:
 *
 * The synced tables a device pushes and pulls, in dependency order: a
 * table comes after the tables its rows name. Server-owned tables are not
 * in the list.
 *
 * Returns: (transfer none) (array zero-terminated=1): the table names
 */
const char * const *
xi_store_sync_tables (void)
{
  lookup_table (NULL);
  return table_names;
}

/**
 * xi_store_sync_pull_tables:
 *
 * What a device pulls, in order: xi_store_sync_tables(), then the tables
 * only the server writes that the app shows (the allowance, its
 * reservations, payments). Pages of every one of them go to
 * xi_store_sync_apply_rows_async().
 *
 * Returns: (transfer none) (array zero-terminated=1): the table names
 */
const char * const *
xi_store_sync_pull_tables (void)
{
  lookup_table (NULL);
  return pull_names;
}

/**
 * xi_store_sync_pull_columns:
 * @table_name: one of xi_store_sync_pull_tables()
 *
 * The columns to ask the server for when pulling @table_name, as
 * PostgREST's `select=` takes them: what the store keeps of a synced
 * table's rows, every column of a server-owned table.
 *
 * Returns: (transfer none): the column list
 */
const char *
xi_store_sync_pull_columns (const char *table_name)
{
  const SyncTable *table = lookup_table (table_name);

  return table != NULL ? table->select : "*";
}

/**
 * xi_store_sync_list_server_rows_async:
 * @self: a #XiStore
 * @table_name: a table of xi_store_sync_pull_tables() that only the
 *   server writes
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the rows
 * @user_data: closure
 *
 * Reads the rows of a server-owned table as last pulled, as the server
 * sent them: what the allowance, its reservations and the payments
 * looked like at the last sync, also offline.
 */
void
xi_store_sync_list_server_rows_async (XiStore             *self,
                                      const char          *table_name,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (is_server_table (table_name));

  _xi_store_push_read (self, list_server_rows_func, g_strdup (table_name), g_free,
                       xi_store_sync_list_server_rows_async, cancellable, callback, user_data);
}

/**
 * xi_store_sync_list_server_rows_finish:
 * @self: a #XiStore
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the rows, JSON objects, in no particular order
 */
JsonArray *
xi_store_sync_list_server_rows_finish (XiStore       *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xi_store_sync_set_device_async:
 * @self: a #XiStore
 * @device_id: this device's id as registered with the server
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when it is saved
 * @user_data: closure
 *
 * Saves which device this is. Campaigns owned by another device are then
 * followed, never pushed; a campaign without an owner is this device's.
 */
void
xi_store_sync_set_device_async (XiStore             *self,
                                const char          *device_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (device_id != NULL);

  _xi_store_push (self, set_device_func, g_strdup (device_id), g_free,
                  xi_store_sync_set_device_async, cancellable, callback, user_data);
}

gboolean
xi_store_sync_set_device_finish (XiStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * xi_store_sync_get_device_async:
 * @self: a #XiStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the id
 * @user_data: closure
 *
 * Reads which device this data folder is. An account's folder gets its
 * id, a random UUID, the first time it opens and keeps it; the sync
 * engine registers it with the server and names it in every request.
 */
void
xi_store_sync_get_device_async (XiStore             *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  _xi_store_push_read (self, get_device_func, NULL, NULL, xi_store_sync_get_device_async,
                       cancellable, callback, user_data);
}

/**
 * xi_store_sync_get_device_finish:
 * @self: a #XiStore
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the device id, %NULL with no error
 *   in the signed-out profile, which is no device of any account
 */
char *
xi_store_sync_get_device_finish (XiStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xi_store_sync_take_batch_async:
 * @self: a #XiStore
 * @max_ops: the most ops to hand out
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the batch
 * @user_data: closure
 *
 * Hands out the oldest queued ops whose retry time has come, at most one
 * per row, and marks them in flight on disk before returning, so a crash
 * before xi_store_sync_complete_async() hands out the same op ids again
 * when the store next opens. The batch is grouped by table in the order of
 * xi_store_sync_tables(), FIFO within a table. Each op carries the row as
 * it is now (#XiSyncOp.row_json). An op whose row no longer exists has no
 * row; complete it as applied without a server row to drop it.
 */
void
xi_store_sync_take_batch_async (XiStore             *self,
                                guint                max_ops,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (max_ops > 0);

  _xi_store_push (self, take_batch_func, GUINT_TO_POINTER (max_ops), NULL,
                  xi_store_sync_take_batch_async, cancellable, callback, user_data);
}

/**
 * xi_store_sync_take_batch_finish:
 * @self: a #XiStore
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type XiSyncOp): the batch, empty
 *   when nothing is due
 */
GPtrArray *
xi_store_sync_take_batch_finish (XiStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xi_store_sync_complete_async:
 * @self: a #XiStore
 * @results: (element-type XiSyncResult): one result per op of a batch
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when they are stored
 * @user_data: closure
 *
 * Records what the server did with a batch, in one transaction
 * (SYNC.md 3.7). Applied: the op is done and the server's row is stored,
 * rebased under any newer local ops. Skipped: a delete on the server won;
 * the op is dropped, the row marked as a conflict and read again by the
 * next pull. Refused: the op is dead, with the server's message, and the
 * row rejected. Transient: the op is queued again, its id unchanged, not
 * before @retry_after seconds. A result for an op already completed is
 * ignored, so results may be delivered twice.
 */
void
xi_store_sync_complete_async (XiStore             *self,
                              GPtrArray           *results,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (results != NULL);

  _xi_store_push (self, complete_func, g_ptr_array_ref (results),
                  (GDestroyNotify)g_ptr_array_unref, xi_store_sync_complete_async,
                  cancellable, callback, user_data);
}

gboolean
xi_store_sync_complete_finish (XiStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * xi_store_sync_apply_page_async:
 * @self: a #XiStore
 * @table_name: one of xi_store_sync_tables()
 * @rows_json: a page of rows as the server sent it: a JSON array of
 *   objects with every column, ordered by `server_seq`
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the page is stored
 * @user_data: closure
 *
 * Stores a pulled page and moves the table's checkpoint to the page's
 * highest `server_seq`, in one transaction (SYNC.md 3.8), without queuing
 * any push. Tombstones are stored as deleted rows; a row with local ops is
 * rebased under them, or marked as a conflict when the server deleted it.
 * A page read twice changes nothing the second time.
 */
void
xi_store_sync_apply_page_async (XiStore             *self,
                                const char          *table_name,
                                GBytes              *rows_json,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (table_name != NULL);
  g_return_if_fail (rows_json != NULL);

  push_page (self, table_name, g_bytes_ref (rows_json), NULL, cancellable, callback, user_data);
}

/**
 * xi_store_sync_apply_rows_async:
 * @self: a #XiStore
 * @table_name: one of xi_store_sync_tables()
 * @rows: a page of rows as the server sent it, already parsed: a sealed
 *   (json_node_seal()) JSON array of objects with every column, ordered by
 *   `server_seq`
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the page is stored
 * @user_data: closure
 *
 * Like xi_store_sync_apply_page_async(), for a page the caller has parsed
 * already, which spares parsing it a second time; the store keeps a
 * reference until it is done. Finish with
 * xi_store_sync_apply_page_finish().
 */
void
xi_store_sync_apply_rows_async (XiStore             *self,
                                const char          *table_name,
                                JsonNode            *rows,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (table_name != NULL);
  g_return_if_fail (rows != NULL && json_node_is_immutable (rows));

  push_page (self, table_name, NULL, json_node_ref (rows), cancellable, callback, user_data);
}

/**
 * xi_store_sync_apply_page_finish:
 * @self: a #XiStore
 * @result: the result
 * @checkpoint: (out) (optional): the table's checkpoint after the page
 * @error: return location for a #GError
 *
 * Returns: how many rows the page held, 0 on error
 */
guint
xi_store_sync_apply_page_finish (XiStore       *self,
                                 GAsyncResult  *result,
                                 gint64        *checkpoint,
                                 GError       **error)
{
  g_autofree PageResult *page = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  page = g_task_propagate_pointer (G_TASK (result), error);
  if (page == NULL)
    return 0;
  if (checkpoint != NULL)
    *checkpoint = page->checkpoint;
  return page->applied;
}

/**
 * xi_store_sync_get_checkpoint_async:
 * @self: a #XiStore
 * @table_name: one of xi_store_sync_tables()
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the checkpoint
 * @user_data: closure
 *
 * Reads the highest `server_seq` pulled for the table and the current
 * user; 0 before the first pull.
 */
void
xi_store_sync_get_checkpoint_async (XiStore             *self,
                                    const char          *table_name,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (table_name != NULL);

  _xi_store_push_read (self, get_checkpoint_func, g_strdup (table_name), g_free,
                  xi_store_sync_get_checkpoint_async, cancellable, callback, user_data);
}

/**
 * xi_store_sync_get_checkpoint_finish:
 * @self: a #XiStore
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: the checkpoint, or -1 on error
 */
gint64
xi_store_sync_get_checkpoint_finish (XiStore       *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  return g_task_propagate_int (G_TASK (result), error);
}

/**
 * xi_store_sync_set_checkpoint_async:
 * @self: a #XiStore
 * @table_name: one of xi_store_sync_tables() or a server-owned table
 * @last_seq: the new checkpoint
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when it is saved
 * @user_data: closure
 *
 * Sets a table's checkpoint by hand. Pulled pages move it themselves;
 * this is for server-owned tables and for tests.
 */
void
xi_store_sync_set_checkpoint_async (XiStore             *self,
                                    const char          *table_name,
                                    gint64               last_seq,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  CheckpointData *checkpoint;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (table_name != NULL);
  g_return_if_fail (last_seq >= 0);

  checkpoint = g_new0 (CheckpointData, 1);
  checkpoint->table = g_strdup (table_name);
  checkpoint->last_seq = last_seq;
  _xi_store_push (self, set_checkpoint_func, checkpoint, checkpoint_data_free,
                  xi_store_sync_set_checkpoint_async, cancellable, callback, user_data);
}

gboolean
xi_store_sync_set_checkpoint_finish (XiStore       *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * _xi_store_sync_quota_period_over:
 * @self: a #XiStore, on its thread
 * @error: return location for a #GError
 *
 * Whether the server's quota row as last pulled has a period that is
 * over by this computer's clock. The clock may be wrong: only the server
 * may say whether the month is over (check_quota_usage).
 *
 * Returns: %TRUE when it looks over; %FALSE when it does not, there is no
 *   cached row, or on error
 */
gboolean
_xi_store_sync_quota_period_over (XiStore  *self,
                                  GError  **error)
{
  g_autofree char *now = _xi_store_now ();

  _xi_store_assert_thread (self);
  if (!_xi_store_sync_enabled (self))
    return FALSE;
  return row_query_int (self,
                        "SELECT EXISTS (SELECT 1 FROM sync_state WHERE key GLOB 'server:user_quotas:*'"
                        " AND julianday (json_extract (value, '$.period_end')) <= julianday (?1))",
                        now, NULL, 0, error) == 1;
}

static void
quota_period_over_func (XiStore  *self,
                        GTask    *task,
                        gpointer  data)
{
  GError *error = NULL;
  gboolean over = _xi_store_sync_quota_period_over (self, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, over);
}

/**
 * xi_store_sync_quota_period_over_async:
 * @self: a #XiStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the answer
 * @user_data: closure
 *
 * Asks _xi_store_sync_quota_period_over(): whether the server is worth
 * asking about a new month.
 */
void
xi_store_sync_quota_period_over_async (XiStore             *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  _xi_store_push_read (self, quota_period_over_func, NULL, NULL,
                       xi_store_sync_quota_period_over_async, cancellable, callback, user_data);
}

/**
 * xi_store_sync_quota_period_over_finish:
 * @self: a #XiStore
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: whether the cached period looks over; %FALSE with @error unset
 *   when it does not or there is no cached row
 */
gboolean
xi_store_sync_quota_period_over_finish (XiStore       *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Only a period that begins where the cached one ended, or later, is a
 * new month: the server's "still this month" to a clock set ahead names
 * the cached period again and changes nothing, and a stale or hostile
 * answer cannot take the row back to an earlier month. */
static void
roll_quota_func (XiStore  *self,
                 GTask    *task,
                 gpointer  data)
{
  GError *error = NULL;
  gboolean ok;

  if (!_xi_store_sync_enabled (self))
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  self->sync_applying = TRUE;
  ok = row_exec (self,
                 "UPDATE sync_state SET value = json_patch (value, ?1)"
                 " WHERE key GLOB 'server:user_quotas:*'"
                 " AND julianday (json_extract (?1, '$.period_start'))"
                 "  >= julianday (json_extract (value, '$.period_end'))"
                 " AND julianday (json_extract (?1, '$.period_end'))"
                 "  > julianday (json_extract (?1, '$.period_start'))",
                 data, NULL, 0, &error);
  self->sync_applying = FALSE;
  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, sqlite3_changes (self->db) > 0);
}

/**
 * xi_store_sync_roll_quota_async:
 * @self: a #XiStore
 * @period: the server's quota now, a JSON object with the quota row's
 *   columns: `messages_limit`, `messages_used`, `messages_reserved`,
 *   `period_start` and `period_end`
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when it is written, or left alone
 * @user_data: closure
 *
 * Writes a new month the server reported (check_quota_usage) into the
 * cached quota row, keeping the row's other fields, when @period begins
 * no earlier than the cached period ends. The server's row itself only
 * changes, and comes in a pull, at its next quota call.
 */
void
xi_store_sync_roll_quota_async (XiStore             *self,
                                const char          *period,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (period != NULL);

  _xi_store_push (self, roll_quota_func, g_strdup (period), g_free,
                  xi_store_sync_roll_quota_async, cancellable, callback, user_data);
}

/**
 * xi_store_sync_roll_quota_finish:
 * @self: a #XiStore
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: whether the cached row now holds the new period; %FALSE with
 *   @error unset when the answer was no new month
 */
gboolean
xi_store_sync_roll_quota_finish (XiStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A task's count, 0 when it failed (-1). */
static guint
count_or_zero (gssize count)
{
  return count > 0 ? (guint)count : 0;
}

static gboolean
check_table_or_fail (XiStore             *self,
                     const char          *table_name,
                     gpointer             source_tag,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GError) error = NULL;

  if (require_table (table_name, &error) != NULL)
    return TRUE;
  g_task_report_error (self, callback, user_data, source_tag, g_steal_pointer (&error));
  return FALSE;
}

/**
 * xi_store_sync_begin_resync_async:
 * @self: a #XiStore
 * @table_name: one of xi_store_sync_tables()
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the re-sync may start
 * @user_data: closure
 *
 * Starts a full re-sync of a table whose checkpoint fell below the
 * server's tombstone fence (SYNC.md 3.4): the checkpoint goes to 0 and
 * every local row is marked unseen. Pull every page from 0 with
 * xi_store_sync_apply_page_async(), then call
 * xi_store_sync_finish_resync_async(). The marks survive a restart.
 */
void
xi_store_sync_begin_resync_async (XiStore             *self,
                                  const char          *table_name,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  if (!check_table_or_fail (self, table_name, xi_store_sync_begin_resync_async, callback, user_data))
    return;
  _xi_store_push (self, begin_resync_func, g_strdup (table_name), g_free,
                  xi_store_sync_begin_resync_async, cancellable, callback, user_data);
}

gboolean
xi_store_sync_begin_resync_finish (XiStore       *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * xi_store_sync_begin_restore_async:
 * @self: a #XiStore
 * @table_name: one of xi_store_sync_tables()
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the re-sync may start
 * @user_data: closure
 *
 * Starts a full re-sync of a table whose checkpoint is past the server's
 * last change: the server was put back to an earlier copy. It runs like
 * xi_store_sync_begin_resync_async(), but when
 * xi_store_sync_finish_resync_async() ends it, the rows the server did
 * not send, or sent older than this device last had them, are queued to
 * be pushed again as creates instead of being deleted; its count is how
 * many. Finish with xi_store_sync_begin_resync_finish().
 */
void
xi_store_sync_begin_restore_async (XiStore             *self,
                                   const char          *table_name,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  if (!check_table_or_fail (self, table_name, xi_store_sync_begin_restore_async, callback, user_data))
    return;
  _xi_store_push (self, begin_restore_func, g_strdup (table_name), g_free,
                  xi_store_sync_begin_restore_async, cancellable, callback, user_data);
}

/**
 * xi_store_sync_finish_resync_async:
 * @self: a #XiStore
 * @table_name: the table being re-synced
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when it is done
 * @user_data: closure
 *
 * Ends a full re-sync: rows the server did not send are deleted, except
 * rows created here and not pushed yet; local edits of rows the server no
 * longer has are dropped with their ops.
 */
void
xi_store_sync_finish_resync_async (XiStore             *self,
                                   const char          *table_name,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  if (!check_table_or_fail (self, table_name, xi_store_sync_finish_resync_async, callback, user_data))
    return;
  _xi_store_push (self, finish_resync_func, g_strdup (table_name), g_free,
                  xi_store_sync_finish_resync_async, cancellable, callback, user_data);
}

/**
 * xi_store_sync_finish_resync_finish:
 * @self: a #XiStore
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: how many rows had local edits that were dropped, or after a
 *   restore, how many rows were queued to go back to the server
 */
guint
xi_store_sync_finish_resync_finish (XiStore       *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  return count_or_zero (g_task_propagate_int (G_TASK (result), error));
}

/**
 * xi_store_sync_get_resync_async:
 * @self: a #XiStore
 * @table_name: one of xi_store_sync_pull_tables()
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the answer
 * @user_data: closure
 *
 * Asks whether a full re-read of the table began and has not ended (the
 * app may have stopped in the middle of it): it goes on from the
 * checkpoint, and xi_store_sync_finish_resync_async() ends it.
 */
void
xi_store_sync_get_resync_async (XiStore             *self,
                                const char          *table_name,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (table_name != NULL);

  _xi_store_push_read (self, get_resync_func, g_strdup (table_name), g_free,
                       xi_store_sync_get_resync_async, cancellable, callback, user_data);
}

/**
 * xi_store_sync_get_resync_finish:
 * @self: a #XiStore
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: the re-read under way, or %XI_SYNC_RESYNC_NONE (also on error)
 */
XiSyncResync
xi_store_sync_get_resync_finish (XiStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  gssize kind;

  g_return_val_if_fail (g_task_is_valid (result, self), XI_SYNC_RESYNC_NONE);
  kind = g_task_propagate_int (G_TASK (result), error);
  return kind > 0 ? (XiSyncResync) kind : XI_SYNC_RESYNC_NONE;
}

/**
 * xi_store_sync_check_marks_async:
 * @self: a #XiStore
 * @marks: a sealed JSON object, the server's `marks` from sync_state():
 *   device id to that device's mark
 * @device_id: (nullable): this data folder's device id
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the answer
 * @user_data: closure
 *
 * Compares the server's device marks with the highest this device knew
 * (from earlier reads and from its own pushes,
 * xi_store_sync_note_pushed_async()). A mark that went down proves the
 * server was put back to an earlier copy: every table then starts the
 * re-read of xi_store_sync_begin_restore_async(), in the same
 * transaction that records the marks as they are now.
 */
void
xi_store_sync_check_marks_async (XiStore             *self,
                                 JsonNode            *marks,
                                 const char          *device_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  MarksData *data;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (marks != NULL && JSON_NODE_HOLDS_OBJECT (marks));
  g_return_if_fail (json_node_is_immutable (marks));

  data = g_new0 (MarksData, 1);
  data->marks = json_node_ref (marks);
  data->device_id = g_strdup (device_id);
  _xi_store_push (self, check_marks_func, data, marks_data_free,
                  xi_store_sync_check_marks_async, cancellable, callback, user_data);
}

/**
 * xi_store_sync_check_marks_finish:
 * @self: a #XiStore
 * @result: the result
 * @restored: (out): whether the server lost writes and every table is
 *   to be read again
 * @error: return location for a #GError
 *
 * Returns: whether the check ran
 */
gboolean
xi_store_sync_check_marks_finish (XiStore       *self,
                                  GAsyncResult  *result,
                                  gboolean      *restored,
                                  GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  *restored = g_task_propagate_boolean (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/**
 * xi_store_sync_restore_all_async:
 * @self: a #XiStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the re-read is set up
 * @user_data: closure
 *
 * The server was put back to an earlier copy (it refused a write that
 * expected this device's mark, %XI_SYNC_ERROR_SERVER_RESTORED): every
 * table starts the re-read of xi_store_sync_begin_restore_async() and the
 * marks this device knew are forgotten, in one transaction, as when
 * xi_store_sync_check_marks_async() finds a mark lower.
 */
void
xi_store_sync_restore_all_async (XiStore             *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  _xi_store_push (self, restore_all_func, NULL, NULL, xi_store_sync_restore_all_async,
                  cancellable, callback, user_data);
}

/**
 * xi_store_sync_restore_all_finish:
 * @self: a #XiStore
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: whether every table is to be read again
 */
gboolean
xi_store_sync_restore_all_finish (XiStore       *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * xi_store_sync_note_pushed_async:
 * @self: a #XiStore
 * @device_id: this data folder's device id
 * @server_seq: the highest `server_seq` the server gave a row this
 *   device wrote
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when noted
 * @user_data: closure
 *
 * Remembers that the server's mark of this device is at least
 * @server_seq, as the server stamps it with the rows it commits.
 */
void
xi_store_sync_note_pushed_async (XiStore             *self,
                                 const char          *device_id,
                                 gint64               server_seq,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  MarksData *data;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (device_id != NULL);

  data = g_new0 (MarksData, 1);
  data->device_id = g_strdup (device_id);
  data->pushed = server_seq;
  _xi_store_push (self, note_pushed_func, data, marks_data_free,
                  xi_store_sync_note_pushed_async, cancellable, callback, user_data);
}

gboolean
xi_store_sync_note_pushed_finish (XiStore       *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * xi_store_sync_list_dead_async:
 * @self: a #XiStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the list
 * @user_data: closure
 *
 * Lists the ops the server refused, oldest first, each with the server's
 * message in #XiSyncOp.last_error (and no row).
 */
void
xi_store_sync_list_dead_async (XiStore             *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  _xi_store_push_read (self, list_dead_func, NULL, NULL, xi_store_sync_list_dead_async,
                  cancellable, callback, user_data);
}

/**
 * xi_store_sync_list_dead_finish:
 * @self: a #XiStore
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type XiSyncOp): the dead ops
 */
GPtrArray *
xi_store_sync_list_dead_finish (XiStore       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xi_store_sync_resolve_dead_async:
 * @self: a #XiStore
 * @op_id: (nullable): a dead op, or %NULL for all of them
 * @action: what to do with them
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when it is done
 * @user_data: closure
 *
 * Retrying queues dead ops again, for when the user fixed what the server
 * refused; their rows are pending again. Discarding drops them; rows the
 * server has are read again by the next pull, so the server's copy
 * replaces the refused change.
 */
void
xi_store_sync_resolve_dead_async (XiStore             *self,
                                  const char          *op_id,
                                  XiSyncDeadAction     action,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  DeadData *dead;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (action == XI_SYNC_DEAD_RETRY || action == XI_SYNC_DEAD_DISCARD);

  dead = g_new0 (DeadData, 1);
  dead->op_id = g_strdup (op_id);
  dead->discard = action == XI_SYNC_DEAD_DISCARD;
  _xi_store_push (self, resolve_dead_func, dead, dead_data_free, xi_store_sync_resolve_dead_async,
                  cancellable, callback, user_data);
}

/**
 * xi_store_sync_resolve_dead_finish:
 * @self: a #XiStore
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: how many ops were retried or dropped
 */
guint
xi_store_sync_resolve_dead_finish (XiStore       *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  return count_or_zero (g_task_propagate_int (G_TASK (result), error));
}

/**
 * xi_store_sync_get_counts_async:
 * @self: a #XiStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the counts
 * @user_data: closure
 *
 * Counts what the sync indicator shows: ops waiting, ops refused and rows
 * in conflict.
 */
void
xi_store_sync_get_counts_async (XiStore             *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  _xi_store_push_read (self, get_counts_func, NULL, NULL, xi_store_sync_get_counts_async,
                  cancellable, callback, user_data);
}

/**
 * xi_store_sync_get_counts_finish:
 * @self: a #XiStore
 * @result: the result
 * @counts: (out caller-allocates): where to store the counts
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
xi_store_sync_get_counts_finish (XiStore       *self,
                                 GAsyncResult  *result,
                                 XiSyncCounts  *counts,
                                 GError       **error)
{
  g_autofree XiSyncCounts *found = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (counts != NULL, FALSE);

  found = g_task_propagate_pointer (G_TASK (result), error);
  if (found == NULL)
    return FALSE;
  *counts = *found;
  return TRUE;
}
