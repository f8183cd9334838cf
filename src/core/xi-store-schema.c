/* xi-store-schema.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-store-schema"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-contact-private.h"
#include "xi-store-private.h"

/*
 * The schema, one migration per version (PRAGMA user_version). A released
 * migration is never edited: a change is a new migration appended to the
 * list, with XI_STORE_SCHEMA_VERSION bumped and a tests/data/store-vN.sql
 * dump of the previous version added, so tests/test-store-migrations.c can
 * upgrade from every earlier version.
 *
 * Every table a user owns carries the sync columns (SPEC.md, SYNC.md 3.6):
 * id (UUID text), master_user_id (the tenant; every query filters on it),
 * created_at/updated_at (ISO 8601 UTC, display only), version (bumped on
 * every local change), server_version/server_seq (what the last sync saw),
 * deleted (soft delete) and sync_status. The WhatsApp key store, the sync
 * outbox and the checkpoints are never synced and have no such columns.
 */

#define SYNC_COLUMNS_HEAD \
  "id TEXT PRIMARY KEY NOT NULL," \
  "master_user_id TEXT NOT NULL," \
  "created_at TEXT NOT NULL," \
  "updated_at TEXT NOT NULL," \
  "version INTEGER NOT NULL DEFAULT 1," \
  "server_version INTEGER NOT NULL DEFAULT 0," \
  "server_seq INTEGER NOT NULL DEFAULT 0," \
  "deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))," \
  "sync_status TEXT NOT NULL DEFAULT 'pending'"

#define SYNC_COLUMNS \
  SYNC_COLUMNS_HEAD " CHECK (sync_status IN ('pending', 'synced', 'conflict', 'rejected'))"

static const char migration_v1[] =
  /* Audience */
  "CREATE TABLE contacts (" SYNC_COLUMNS ","
  " name TEXT NOT NULL DEFAULT '',"
  " phone TEXT NOT NULL,"
  " lid TEXT,"
  " tags TEXT NOT NULL DEFAULT '[]',"
  " notes TEXT,"
  " custom_fields TEXT NOT NULL DEFAULT '{}',"
  " on_whatsapp INTEGER NOT NULL DEFAULT 0 CHECK (on_whatsapp IN (0, 1, 2)),"
  " on_whatsapp_checked_at INTEGER NOT NULL DEFAULT 0,"
  " opted_out INTEGER NOT NULL DEFAULT 0 CHECK (opted_out IN (0, 1)),"
  " opted_out_at TEXT);"
  "CREATE UNIQUE INDEX contacts_phone ON contacts (master_user_id, phone) WHERE deleted = 0;"

  "CREATE TABLE groups (" SYNC_COLUMNS ","
  " name TEXT NOT NULL,"
  " description TEXT,"
  " colour TEXT);"
  "CREATE UNIQUE INDEX groups_name ON groups (master_user_id, name COLLATE NOCASE) WHERE deleted = 0;"

  /* A link row: keyed by its natural pair (SYNC.md 3.1); the id is
   * derived from the pair, so it is unique without an index of its own. */
  "CREATE TABLE group_members ("
  " id TEXT NOT NULL,"
  " master_user_id TEXT NOT NULL,"
  " created_at TEXT NOT NULL,"
  " updated_at TEXT NOT NULL,"
  " version INTEGER NOT NULL DEFAULT 1,"
  " server_version INTEGER NOT NULL DEFAULT 0,"
  " server_seq INTEGER NOT NULL DEFAULT 0,"
  " deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),"
  " sync_status TEXT NOT NULL DEFAULT 'pending'"
  "  CHECK (sync_status IN ('pending', 'synced', 'conflict', 'rejected')),"
  " group_id TEXT NOT NULL,"
  " contact_id TEXT NOT NULL,"
  " PRIMARY KEY (group_id, contact_id)) WITHOUT ROWID;"
  "CREATE INDEX group_members_contact ON group_members (contact_id);"

  /* Content */
  "CREATE TABLE templates (" SYNC_COLUMNS ","
  " name TEXT NOT NULL,"
  " variants TEXT NOT NULL DEFAULT '[]',"
  " asset_ids TEXT NOT NULL DEFAULT '[]');"
  "CREATE UNIQUE INDEX templates_name ON templates (master_user_id, name COLLATE NOCASE) WHERE deleted = 0;"

  "CREATE TABLE assets (" SYNC_COLUMNS ","
  " name TEXT NOT NULL,"
  " mime_type TEXT NOT NULL,"
  " size INTEGER NOT NULL DEFAULT 0,"
  " sha256 TEXT NOT NULL,"
  " local_path TEXT);"

  /* Campaigns: the write-ahead log (DESIGN.md) */
  "CREATE TABLE jobs (" SYNC_COLUMNS ","
  " owner_device_id TEXT,"
  " name TEXT NOT NULL DEFAULT '',"
  " template_id TEXT,"
  " group_id TEXT,"
  " target_kind TEXT NOT NULL DEFAULT 'group' CHECK (target_kind IN ('group', 'list')),"
  " delay_mode TEXT NOT NULL DEFAULT 'random' CHECK (delay_mode IN ('static', 'random')),"
  " delay_min_ms INTEGER NOT NULL DEFAULT 20000,"
  " delay_max_ms INTEGER NOT NULL DEFAULT 45000,"
  " batch_size INTEGER NOT NULL DEFAULT 0,"
  " batch_rest_ms INTEGER NOT NULL DEFAULT 0,"
  " daily_cap INTEGER NOT NULL DEFAULT 0,"
  " variant_mode TEXT NOT NULL DEFAULT 'random' CHECK (variant_mode IN ('random', 'round_robin')),"
  " priority INTEGER NOT NULL DEFAULT 0,"
  " scheduled_at TEXT,"
  " state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'processing', 'paused',"
  "  'retrying', 'completed', 'failed', 'cancelled')),"
  " transport TEXT,"
  " total INTEGER NOT NULL DEFAULT 0,"
  " sent INTEGER NOT NULL DEFAULT 0,"
  " failed INTEGER NOT NULL DEFAULT 0,"
  " skipped INTEGER NOT NULL DEFAULT 0,"
  " delivered INTEGER NOT NULL DEFAULT 0,"
  " read INTEGER NOT NULL DEFAULT 0,"
  " quota_reservation_id TEXT,"
  " started_at TEXT,"
  " finished_at TEXT,"
  " last_error TEXT);"
  "CREATE INDEX jobs_queue ON jobs (master_user_id, state, priority, created_at);"

  "CREATE TABLE job_recipients (" SYNC_COLUMNS ","
  " job_id TEXT NOT NULL,"
  " contact_id TEXT,"
  " position INTEGER NOT NULL,"
  " phone TEXT NOT NULL,"
  " name TEXT,"
  " state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent',"
  "  'delivered', 'read', 'failed', 'skipped')),"
  " skip_reason TEXT,"
  " attempts INTEGER NOT NULL DEFAULT 0,"
  " next_attempt_at INTEGER NOT NULL DEFAULT 0,"
  " last_error TEXT,"
  " wa_message_id TEXT,"
  " variant_index INTEGER,"
  " rendered_text TEXT,"
  " sent_at TEXT,"
  " delivered_at TEXT,"
  " read_at TEXT,"
  " UNIQUE (job_id, position));"
  "CREATE INDEX job_recipients_state ON job_recipients (job_id, state, position);"
  "CREATE INDEX job_recipients_message ON job_recipients (wa_message_id);"

  /* Append-only facts */
  "CREATE TABLE history (" SYNC_COLUMNS ","
  " kind TEXT NOT NULL,"
  " job_id TEXT,"
  " contact_id TEXT,"
  " summary TEXT NOT NULL DEFAULT '',"
  " details TEXT NOT NULL DEFAULT '{}');"
  "CREATE INDEX history_time ON history (master_user_id, created_at);"

  "CREATE TABLE suppression_events (" SYNC_COLUMNS ","
  " phone TEXT NOT NULL,"
  " contact_id TEXT,"
  " event TEXT NOT NULL CHECK (event IN ('opt_out', 'opt_in')),"
  " source TEXT NOT NULL CHECK (source IN ('reply', 'manual', 'import', 'sync')),"
  " keyword TEXT,"
  " message_id TEXT);"
  "CREATE INDEX suppression_phone ON suppression_events (master_user_id, phone, created_at);"

  "CREATE TABLE incoming_messages (" SYNC_COLUMNS ","
  " wa_message_id TEXT NOT NULL,"
  " from_jid TEXT NOT NULL,"
  " phone TEXT,"
  " contact_id TEXT,"
  " job_id TEXT,"
  " text TEXT,"
  " received_at TEXT NOT NULL,"
  " is_read INTEGER NOT NULL DEFAULT 0,"
  " UNIQUE (master_user_id, wa_message_id));"
  "CREATE INDEX incoming_contact ON incoming_messages (master_user_id, contact_id, received_at);"

  "CREATE TABLE auto_reply_rules (" SYNC_COLUMNS ","
  " name TEXT NOT NULL,"
  " trigger_kind TEXT NOT NULL DEFAULT 'keyword' CHECK (trigger_kind IN ('keyword', 'any')),"
  " keywords TEXT NOT NULL DEFAULT '[]',"
  " reply_text TEXT NOT NULL,"
  " cooldown_seconds INTEGER NOT NULL DEFAULT 86400,"
  " hours_start INTEGER,"
  " hours_end INTEGER,"
  " enabled INTEGER NOT NULL DEFAULT 1,"
  " priority INTEGER NOT NULL DEFAULT 0);"

  /* Quota and account, mostly owned by the server */
  "CREATE TABLE user_quotas (" SYNC_COLUMNS ","
  " period TEXT NOT NULL,"
  " allowance INTEGER NOT NULL,"
  " used INTEGER NOT NULL DEFAULT 0,"
  " UNIQUE (master_user_id, period));"

  "CREATE TABLE quota_reservations (" SYNC_COLUMNS ","
  " job_id TEXT,"
  " period TEXT NOT NULL,"
  " amount INTEGER NOT NULL,"
  " committed INTEGER NOT NULL DEFAULT 0,"
  " released INTEGER NOT NULL DEFAULT 0,"
  " state TEXT NOT NULL DEFAULT 'reserved' CHECK (state IN ('reserved', 'committed', 'released')));"

  "CREATE TABLE profiles (" SYNC_COLUMNS ","
  " email TEXT,"
  " display_name TEXT,"
  " plan TEXT);"

  "CREATE TABLE devices (" SYNC_COLUMNS ","
  " name TEXT NOT NULL,"
  " last_seen_at TEXT);"

  "CREATE TABLE payments (" SYNC_COLUMNS ","
  " amount INTEGER NOT NULL,"
  " currency TEXT NOT NULL,"
  " status TEXT NOT NULL,"
  " description TEXT,"
  " paid_at TEXT);"

  /* Never synced */
  "CREATE TABLE sync_outbox ("
  " op_seq INTEGER PRIMARY KEY AUTOINCREMENT,"
  " op_id TEXT NOT NULL UNIQUE,"
  " master_user_id TEXT NOT NULL,"
  " table_name TEXT NOT NULL,"
  " row_id TEXT NOT NULL,"
  " kind TEXT NOT NULL CHECK (kind IN ('upsert', 'rpc')),"
  " base_version INTEGER NOT NULL,"
  " changed TEXT NOT NULL,"
  " rpc_args TEXT,"
  " state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'inflight', 'dead')),"
  " attempts INTEGER NOT NULL DEFAULT 0,"
  " next_attempt_at INTEGER NOT NULL DEFAULT 0,"
  " last_error TEXT);"
  "CREATE INDEX sync_outbox_row ON sync_outbox (table_name, row_id);"

  "CREATE TABLE sync_checkpoints ("
  " master_user_id TEXT NOT NULL,"
  " table_name TEXT NOT NULL,"
  " last_seq INTEGER NOT NULL DEFAULT 0,"
  " PRIMARY KEY (master_user_id, table_name));"

  /* WhatsApp device credentials and the Signal store: secret. */
  "CREATE TABLE wa_keystore ("
  " master_user_id TEXT NOT NULL,"
  " kind TEXT NOT NULL,"
  " key TEXT NOT NULL,"
  " value BLOB NOT NULL,"
  " updated_at TEXT NOT NULL,"
  " PRIMARY KEY (master_user_id, kind, key));";

/* A random (version 4) UUID in SQL, for ops queued by SQL itself. */
#define SQL_UUID \
  "lower (hex (randomblob (4)) || '-' || hex (randomblob (2)) || '-4'" \
  " || substr (hex (randomblob (2)), 2) || '-'" \
  " || substr ('89ab', 1 + (abs (random ()) % 4), 1) || substr (hex (randomblob (2)), 2)" \
  " || '-' || hex (randomblob (6)))"

/* Every row that was never pushed gets its op, listing all of its synced
 * columns: a device signing in for the first time uploads what it has. */
#define QUEUE_WHERE(table, columns, where) \
  "INSERT INTO sync_outbox (op_id, master_user_id, table_name, row_id, kind," \
  " base_version, changed)" \
  " SELECT " SQL_UUID ", master_user_id, '" table "', id, 'upsert', server_version, '" columns "'" \
  " FROM " table " WHERE " where " ORDER BY created_at;"
#define QUEUE_PENDING(table, columns) QUEUE_WHERE (table, columns, "sync_status = 'pending'")

/*
 * Sync becomes a property of the store (xi-store-sync.c): the store's own
 * connection stamps and queues every change. This migration prepares the
 * data for it. Rows only the server writes (quota, account) are never
 * pushed, so they stop looking pending. The read state of an incoming
 * message and a contact's opt-out flag are local views of synced facts
 * (the message; the suppression events) and never pushed.
 */
static const char migration_v2[] =
  "UPDATE user_quotas SET sync_status = 'synced';"
  "UPDATE quota_reservations SET sync_status = 'synced';"
  "UPDATE profiles SET sync_status = 'synced';"
  "UPDATE devices SET sync_status = 'synced';"
  "UPDATE payments SET sync_status = 'synced';"

  /* The triggers find a membership by its id. Ops are found by row
   * (sync_outbox_row) and handed out in op_seq order; an index on the
   * state would draw the row lookups away from sync_outbox_row. */
  "CREATE INDEX group_members_id ON group_members (id);"

  /* This device's id, which decides whose campaigns it pushes. */
  "CREATE TABLE sync_state ("
  " key TEXT PRIMARY KEY NOT NULL,"
  " value TEXT NOT NULL);"

  /* The rows of a table being pulled anew that the server has not sent yet
   * (SYNC.md 3.4); kept on disk so a re-sync survives a restart. */
  "CREATE TABLE sync_resync ("
  " table_name TEXT NOT NULL,"
  " row_id TEXT NOT NULL,"
  " PRIMARY KEY (table_name, row_id)) WITHOUT ROWID;"

  QUEUE_PENDING ("groups", "[\"name\",\"description\",\"colour\",\"deleted\"]")
  QUEUE_PENDING ("templates", "[\"name\",\"variants\",\"asset_ids\",\"deleted\"]")
  QUEUE_PENDING ("assets", "[\"name\",\"mime_type\",\"size\",\"sha256\",\"deleted\"]")
  QUEUE_PENDING ("contacts", "[\"name\",\"phone\",\"lid\",\"tags\",\"notes\",\"custom_fields\","
                 "\"on_whatsapp\",\"on_whatsapp_checked_at\",\"deleted\"]")
  QUEUE_PENDING ("group_members", "[\"group_id\",\"contact_id\",\"deleted\"]")
  QUEUE_PENDING ("auto_reply_rules", "[\"name\",\"trigger_kind\",\"keywords\",\"reply_text\","
                 "\"cooldown_seconds\",\"hours_start\",\"hours_end\",\"enabled\",\"priority\","
                 "\"deleted\"]")
  QUEUE_PENDING ("jobs", "[\"owner_device_id\",\"name\",\"template_id\",\"group_id\","
                 "\"target_kind\",\"delay_mode\",\"delay_min_ms\",\"delay_max_ms\",\"batch_size\","
                 "\"batch_rest_ms\",\"daily_cap\",\"variant_mode\",\"priority\",\"scheduled_at\","
                 "\"state\",\"transport\",\"total\",\"sent\",\"failed\",\"skipped\",\"delivered\","
                 "\"read\",\"quota_reservation_id\",\"started_at\",\"finished_at\",\"last_error\","
                 "\"deleted\"]")
  QUEUE_PENDING ("job_recipients", "[\"job_id\",\"contact_id\",\"position\",\"phone\",\"name\","
                 "\"state\",\"skip_reason\",\"attempts\",\"last_error\",\"wa_message_id\","
                 "\"variant_index\",\"sent_at\",\"delivered_at\",\"read_at\",\"deleted\"]")
  QUEUE_PENDING ("history", "[\"kind\",\"job_id\",\"contact_id\",\"summary\",\"details\","
                 "\"deleted\"]")
  QUEUE_PENDING ("suppression_events", "[\"phone\",\"contact_id\",\"event\",\"source\","
                 "\"keyword\",\"message_id\",\"deleted\"]")
  QUEUE_PENDING ("incoming_messages", "[\"wa_message_id\",\"from_jid\",\"phone\",\"contact_id\","
                 "\"job_id\",\"text\",\"received_at\",\"deleted\"]");
/* One rewrite of the stored CREATE TABLE text, as arguments of SQL's replace ():
 * quotes inside are doubled. */
#define REWRITE(from, to) "'" from "', '" to "')"

/*
 * Speed. SQLite 3.40 checks `col IN (a, b, c)` with three or more
 * constants by building a temporary B-tree of the list every time an
 * INSERT or UPDATE runs: once per message sent and per recipient of a
 * new campaign. The same constraints written as equalities joined by OR
 * mean the same thing (a NULL passes both) and cost a few comparisons.
 * A CHECK cannot be altered and copying every table would take minutes
 * for a large account, so the stored table definitions are edited in
 * place, which SQLite documents as safe for changing CHECK constraints:
 * every row satisfies the new ones because they are the old ones. A
 * connection still holding the old definitions checks the same rule.
 *
 * job_recipients_state served only the sending loop's first look at a
 * campaign and cancelling one; the (job_id, position) key answers both
 * by reading one campaign's rows, and every state change of every
 * message no longer updates a second index.
 */
static const char migration_v3[] =
  "PRAGMA writable_schema = ON;"
  "UPDATE sqlite_schema SET sql ="
  " replace (replace (replace (replace (replace (replace (replace (sql,"
  REWRITE ("CHECK (sync_status IN (''pending'', ''synced'', ''conflict'', ''rejected''))",
           "CHECK (sync_status = ''pending'' OR sync_status = ''synced''"
           " OR sync_status = ''conflict'' OR sync_status = ''rejected'')") ","
  REWRITE ("CHECK (on_whatsapp IN (0, 1, 2))",
           "CHECK (on_whatsapp = 0 OR on_whatsapp = 1 OR on_whatsapp = 2)") ","
  REWRITE ("CHECK (state IN (''pending'', ''processing'', ''paused'',  ''retrying'', ''completed'', ''failed'',"
           " ''cancelled''))",
           "CHECK (state = ''pending'' OR state = ''processing'' OR state = ''paused''"
           " OR state = ''retrying'' OR state = ''completed'' OR state = ''failed''"
           " OR state = ''cancelled'')") ","
  REWRITE ("CHECK (state IN (''pending'', ''sending'', ''sent'',  ''delivered'', ''read'', ''failed'',"
           " ''skipped''))",
           "CHECK (state = ''pending'' OR state = ''sending'' OR state = ''sent''"
           " OR state = ''delivered'' OR state = ''read'' OR state = ''failed'' OR state = ''skipped'')") ","
  REWRITE ("CHECK (source IN (''reply'', ''manual'', ''import'', ''sync''))",
           "CHECK (source = ''reply'' OR source = ''manual'' OR source = ''import''"
           " OR source = ''sync'')") ","
  REWRITE ("CHECK (state IN (''reserved'', ''committed'', ''released''))",
           "CHECK (state = ''reserved'' OR state = ''committed'' OR state = ''released'')") ","
  REWRITE ("CHECK (state IN (''queued'', ''inflight'', ''dead''))",
           "CHECK (state = ''queued'' OR state = ''inflight'' OR state = ''dead'')")
  " WHERE type = 'table';"
  "PRAGMA writable_schema = RESET;"
  "DROP INDEX job_recipients_state;";

/* Version 4: a campaign records the attachment it was made with (its
 * SHA-256, name and type), so a resumed or crashed campaign sends the
 * same bytes even if the template's attachment changed since; the asset
 * library finds its files by hash. These columns stay on this computer:
 * the bytes do too. */
static const char migration_v4[] =
  "ALTER TABLE jobs ADD COLUMN asset_sha256 TEXT;"
  "ALTER TABLE jobs ADD COLUMN asset_name TEXT;"
  "ALTER TABLE jobs ADD COLUMN asset_mime_type TEXT;"
  "ALTER TABLE jobs ADD COLUMN asset_size INTEGER NOT NULL DEFAULT 0;"
  "CREATE INDEX assets_sha256 ON assets (sha256);";

/*
 * Received media. A customer's picture or file is named by its message
 * (where it is, its key and hashes, a preview) and fetched later, on
 * demand or at once when small; the verified content then becomes an
 * asset. One row per message, beside it rather than in it, so the synced
 * message row stays as it is: the key and the hashes are what decrypts the
 * customer's file and never leave this computer.
 */
static const char migration_v5[] =
  "CREATE TABLE incoming_media ("
  " incoming_id TEXT PRIMARY KEY NOT NULL,"
  " kind TEXT NOT NULL CHECK (kind = 'image' OR kind = 'video' OR kind = 'audio'"
  "  OR kind = 'document' OR kind = 'sticker'),"
  " mimetype TEXT,"
  " file_name TEXT,"
  " size INTEGER NOT NULL DEFAULT 0,"
  " width INTEGER NOT NULL DEFAULT 0,"
  " height INTEGER NOT NULL DEFAULT 0,"
  " direct_path TEXT NOT NULL,"
  " media_key BLOB NOT NULL,"
  " file_sha256 BLOB NOT NULL,"
  " file_enc_sha256 BLOB NOT NULL,"
  " thumbnail BLOB,"
  " asset_id TEXT);";

/*
 * Version 6: the Inbox shows both sides of a conversation. Campaign messages are in
 * job_recipients already; what was sent by hand (the Inbox's composer, the
 * Send message dialog) and the automatic replies get a table of their own,
 * with the receipts the campaign rows keep. It is local: sync pushes the
 * tables listed in xi-store-sync.c, which this one is not (yet) among.
 * reply_to is the customer's message a reply answers, which decides
 * whether a number that opted out may be answered at all.
 *
 * A conversation finds its campaign messages by number; the index holds
 * only the rows that were sent, so writing a new campaign's pending rows
 * does not touch it.
 */

/* The sync columns with the constraints as version 3 left them. */
#define SYNC_COLUMNS_V3 \
  SYNC_COLUMNS_HEAD " CHECK (sync_status = 'pending' OR sync_status = 'synced'" \
  " OR sync_status = 'conflict' OR sync_status = 'rejected')"

static const char migration_v6[] =
  "CREATE TABLE outgoing_messages (" SYNC_COLUMNS_V3 ","
  " wa_message_id TEXT NOT NULL,"
  " phone TEXT NOT NULL,"
  " contact_id TEXT,"
  " kind TEXT NOT NULL CHECK (kind = 'reply' OR kind = 'auto_reply'),"
  " text TEXT NOT NULL,"
  " reply_to TEXT,"
  " rule_name TEXT,"
  " state TEXT NOT NULL DEFAULT 'pending' CHECK (state = 'pending' OR state = 'sent'"
  "  OR state = 'delivered' OR state = 'read' OR state = 'failed'),"
  " last_error TEXT,"
  " sent_at TEXT,"
  " delivered_at TEXT,"
  " read_at TEXT,"
  " UNIQUE (master_user_id, wa_message_id));"
  "CREATE INDEX outgoing_phone ON outgoing_messages (master_user_id, phone, created_at);"
  "CREATE INDEX incoming_phone ON incoming_messages (master_user_id, phone, received_at);"
  "CREATE INDEX job_recipients_sent_phone ON job_recipients (master_user_id, phone, sent_at)"
  " WHERE sent_at IS NOT NULL;"

  /* The automatic replies sent so far, from the activity log. */
  "INSERT INTO outgoing_messages (id, master_user_id, created_at, updated_at, sync_status,"
  " wa_message_id, phone, contact_id, kind, text, reply_to, rule_name, state, sent_at)"
  " SELECT h.id, h.master_user_id, h.created_at, h.created_at, 'synced',"
  "  json_extract (h.details, '$.message_id'), m.phone, h.contact_id, 'auto_reply', r.reply_text,"
  "  m.wa_message_id, r.name, 'sent', h.created_at"
  " FROM history h"
  " JOIN incoming_messages m ON m.id = json_extract (h.details, '$.incoming_id')"
  " JOIN auto_reply_rules r ON r.id = json_extract (h.details, '$.rule_id')"
  " WHERE h.kind = 'auto-reply.sent' AND json_valid (h.details)"
  " AND json_extract (h.details, '$.message_id') IS NOT NULL AND m.phone IS NOT NULL"
  " ON CONFLICT DO NOTHING;";

/*
 * Version 7, segments: saved audience filters (xi-store-segments.c). The conditions
 * are kept as typed, a JSON array of strings, and evaluated each time a
 * campaign is created from them. The table has the sync columns so that
 * it can join sync once the server has the table; until then it stays
 * on this computer.
 */
static const char migration_v7[] =
  "CREATE TABLE segments ("
  " id TEXT PRIMARY KEY NOT NULL,"
  " master_user_id TEXT NOT NULL,"
  " created_at TEXT NOT NULL,"
  " updated_at TEXT NOT NULL,"
  " version INTEGER NOT NULL DEFAULT 1,"
  " server_version INTEGER NOT NULL DEFAULT 0,"
  " server_seq INTEGER NOT NULL DEFAULT 0,"
  " deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted = 0 OR deleted = 1),"
  /* Written as version 3 rewrote the other tables' checks: an IN list
   * builds a temporary B-tree on every insert. */
  " sync_status TEXT NOT NULL DEFAULT 'pending' CHECK (sync_status = 'pending'"
  "  OR sync_status = 'synced' OR sync_status = 'conflict' OR sync_status = 'rejected'),"
  " name TEXT NOT NULL,"
  " conditions TEXT NOT NULL DEFAULT '[]');"
  "CREATE UNIQUE INDEX segments_name ON segments (master_user_id, name COLLATE NOCASE) WHERE deleted = 0;";

/*
 * Version 8: the Inbox's own messages and the segments join sync (the
 * server's tables come with supabase/migrations/…_outgoing_segments.sql).
 * Their rows were never pushed: in an account's folder each gets its op,
 * as version 2 did for the other tables, including the automatic replies
 * version 6 copied from the activity log and marked synced. The
 * signed-out profile is never pushed, so its rows stay as they are.
 */
#define ACCOUNT_ROWS "master_user_id != '" XI_STORE_ANONYMOUS_USER "'"

static const char migration_v8[] =
  "UPDATE outgoing_messages SET sync_status = 'pending'"
  " WHERE server_version = 0 AND " ACCOUNT_ROWS ";"
  QUEUE_WHERE ("outgoing_messages", "[\"wa_message_id\",\"phone\",\"contact_id\",\"kind\","
               "\"text\",\"reply_to\",\"rule_name\",\"state\",\"last_error\",\"sent_at\","
               "\"delivered_at\",\"read_at\",\"deleted\"]",
               "sync_status = 'pending' AND " ACCOUNT_ROWS)
  QUEUE_WHERE ("segments", "[\"name\",\"conditions\",\"deleted\"]",
               "sync_status = 'pending' AND " ACCOUNT_ROWS);

/*
 * Version 9, finding contacts among a million. A search is a substring of
 * the name or of the number, so the index is FTS5's trigram index of both,
 * holding the live rows under the contact's rowid, built here from the
 * rows there are. It is not written row by row: FTS5 writes a segment
 * for every statement that changes it, which made an import four times
 * slower. Instead the table's triggers note the rowid of every row
 * inserted, renamed, renumbered, deleted or restored, whoever writes it
 * (the app, an import, a row that sync applies), and the store brings the
 * index up to date from those notes in one statement before it searches
 * (xi-store-contacts.c). The index holds a copy of the two columns rather
 * than pointing at the table, so a stale entry can only make a candidate
 * that the search checks and drops.
 *
 * The ordered index serves the contacts list, named contacts first by
 * name, then the nameless by number, so that the list's keys are read
 * from it alone, without sorting or reading the table; "deleted" is a
 * column of it rather than its WHERE, since SQLite reads the table for a
 * partial index's terms.
 */
static const char migration_v9[] =
  "CREATE VIRTUAL TABLE contacts_search USING fts5 (name, phone, tokenize = 'trigram');"
  "INSERT INTO contacts_search (rowid, name, phone)"
  " SELECT rowid, name, phone FROM contacts WHERE deleted = 0;"
  "CREATE TABLE contacts_search_stale (contact_rowid INTEGER PRIMARY KEY NOT NULL);"
  /* Not INSERT OR IGNORE: the conflict handling of the statement that
   * fires a trigger replaces an OR clause in it, and the upserts that
   * revive a deleted contact made that fail; an upsert's own clause
   * stays. */
  "CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN"
  " INSERT INTO contacts_search_stale (contact_rowid) VALUES (new.rowid)"
  "  ON CONFLICT DO NOTHING;"
  " END;"
  "CREATE TRIGGER contacts_search_update AFTER UPDATE OF name, phone, deleted ON contacts BEGIN"
  " INSERT INTO contacts_search_stale (contact_rowid) VALUES (new.rowid)"
  "  ON CONFLICT DO NOTHING;"
  " END;"
  "CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN"
  " INSERT INTO contacts_search_stale (contact_rowid) VALUES (old.rowid)"
  "  ON CONFLICT DO NOTHING;"
  " END;"
  "CREATE INDEX contacts_order ON contacts"
  " (master_user_id, deleted, trim (name, ' ' || char (9)) = '', name COLLATE NOCASE, phone);";

/*
 * Version 10: pairs of contacts the user said are two people ("Keep
 * Both"), so that finding duplicates by name does not propose them again.
 * The pair is stored once, the smaller id first. It is this computer's
 * judgement about its own list and is not synced.
 */
static const char migration_v10[] =
  "CREATE TABLE distinct_contacts ("
  " master_user_id TEXT NOT NULL,"
  " first_id TEXT NOT NULL,"
  " second_id TEXT NOT NULL,"
  " created_at TEXT NOT NULL,"
  " PRIMARY KEY (master_user_id, first_id, second_id),"
  " CHECK (first_id < second_id)) WITHOUT ROWID;";

/*
 * Version 11, a natural order. The contacts list sorted names as text
 * (NOCASE folds ASCII only), so "Pelanggan 10" came before "Pelanggan
 * 2". The order is now a key stored with the row, xi_sort_key (name)
 * (_xi_contact_sort_key ()): the name casefolded, without accents, with
 * its numbers comparable by value, the nameless after every name.
 *
 * A key written with the row rather than a collation of our own: an
 * index on a collation that is not registered makes every write to the
 * table fail on any other connection (the sqlite3 shell, a backup tool,
 * a test's own), and a collation function would run at every step of
 * every index search and insert, where the stored key is compared as
 * bytes. The store's connection writes the key with each name
 * (xi-store-contacts.c); a row written behind its back keeps the
 * default, '', and lists first until its name is next saved.
 */
static const char migration_v11[] =
  "ALTER TABLE contacts ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';"
  "UPDATE contacts SET sort_key = xi_sort_key (name);"
  "DROP INDEX contacts_order;"
  "CREATE INDEX contacts_order ON contacts (master_user_id, deleted, sort_key, phone);";

/*
 * Version 12.
 *
 * Recipients' message ids: a row's id is now chosen when the engine first
 * takes the row for sending, not when the campaign is created
 * (xi-store-jobs.c, assign_message_ids ()), so the index that finds a
 * row from a receipt's id holds only the rows that have one. A new
 * campaign's rows then cost it nothing: its 100,000 random ids were a
 * third of the time of creating it (bench-campaign, campaign-create-cpu
 * 0.75 s with them, 0.51 s without). A lookup by id (wa_message_id = ?)
 * implies the index's condition, so SQLite uses it for every receipt.
 */
#define MIGRATION_V12_RECIPIENT_MESSAGES \
  "DROP INDEX job_recipients_message;" \
  "CREATE INDEX job_recipients_message ON job_recipients (wa_message_id)" \
  " WHERE wa_message_id IS NOT NULL;"

/*
 * Contacts with a status. Whether any contact opted out or was checked on
 * WhatsApp decides whether lists show a Status column; where none has,
 * the answer read every row, 1.5 s of CPU at each start with 1,000,000
 * contacts. This index holds only those contacts (none after an import),
 * so it costs nothing to keep and answers at once; SQLite keeps it
 * whoever writes the rows.
 */
#define MIGRATION_V12_CONTACT_STATUS \
  "CREATE INDEX contacts_status ON contacts (master_user_id)" \
  " WHERE deleted = 0 AND (opted_out = 1 OR on_whatsapp <> 0);"

/* Each change of version 12 is a block of its own above. */
static const char migration_v12[] =
  MIGRATION_V12_RECIPIENT_MESSAGES
  MIGRATION_V12_CONTACT_STATUS;

/*
 * Version 13.
 *
 * The names of contacts' custom fields, each with the number of live
 * contacts that have it. Every start listed them for the templates and
 * the filter bar by reading every contact's JSON: 2.3 s with a million
 * contacts. The triggers keep the counts whoever writes the rows (sync,
 * a second process, the sqlite3 shell), reading only the JSON of the row
 * written; a large import pauses the insert trigger and adds what it
 * counted itself (xi-store-fields.c), which costs it nothing measurable
 * where the trigger cost it about 2 s a million. A name stays listed
 * while its count is above zero. A value that is not a JSON object has
 * no names, as the filters read it. A name an object holds twice counts
 * twice, and is taken away twice: telling them apart would build a
 * temporary B-tree in every insert.
 */
#define CONTACT_FIELDS_OF(row) \
  " json_each (CASE WHEN json_valid (" row ".custom_fields)" \
  "  THEN CASE json_type (" row ".custom_fields) WHEN 'object' THEN " row ".custom_fields END END)"
/* A count is added to and taken from by upserts, in whatever order, so
 * that one taken before its name was added (an import's rows are added
 * when it ends) is not lost; a count back at zero goes. */
#define CONTACT_FIELDS_COUNT(row, delta) \
  " INSERT INTO contact_fields (master_user_id, name, contacts)" \
  "  SELECT " row ".master_user_id, key, " delta " FROM" CONTACT_FIELDS_OF (row) \
  "  WHERE " row ".deleted = 0 ON CONFLICT DO UPDATE SET contacts = contacts + " delta ";"
#define CONTACT_FIELDS_ADD CONTACT_FIELDS_COUNT ("NEW", "1")
#define CONTACT_FIELDS_REMOVE \
  CONTACT_FIELDS_COUNT ("OLD", "-1") \
  " DELETE FROM contact_fields WHERE master_user_id = OLD.master_user_id AND contacts = 0;"
#define MIGRATION_V13_CONTACT_FIELDS \
  "CREATE TABLE contact_fields (" \
  " master_user_id TEXT NOT NULL," \
  " name TEXT NOT NULL," \
  " contacts INTEGER NOT NULL," \
  " PRIMARY KEY (master_user_id, name)) WITHOUT ROWID;" \
  "INSERT INTO contact_fields (master_user_id, name, contacts)" \
  " SELECT c.master_user_id, f.key, count (*) FROM contacts c," CONTACT_FIELDS_OF ("c") " f" \
  " WHERE c.deleted = 0 GROUP BY c.master_user_id, f.key;" \
  "CREATE TRIGGER contact_fields_insert AFTER INSERT ON contacts" \
  " WHEN NEW.deleted = 0 AND NEW.custom_fields <> '{}' BEGIN" CONTACT_FIELDS_ADD " END;" \
  "CREATE TRIGGER contact_fields_update AFTER UPDATE OF custom_fields, deleted, master_user_id" \
  " ON contacts WHEN (NEW.custom_fields IS NOT OLD.custom_fields OR NEW.deleted IS NOT OLD.deleted" \
  "  OR NEW.master_user_id IS NOT OLD.master_user_id)" \
  " AND ((OLD.deleted = 0 AND OLD.custom_fields <> '{}') OR (NEW.deleted = 0 AND NEW.custom_fields <> '{}'))" \
  " BEGIN" CONTACT_FIELDS_ADD CONTACT_FIELDS_REMOVE " END;" \
  "CREATE TRIGGER contact_fields_delete AFTER DELETE ON contacts" \
  " WHEN OLD.deleted = 0 AND OLD.custom_fields <> '{}' BEGIN" CONTACT_FIELDS_REMOVE " END;"

/* Each change of version 13 is a block of its own above. */
static const char migration_v13[] =
  MIGRATION_V13_CONTACT_FIELDS;

/*
 * Version 14.
 *
 * A conversation finds its campaign messages by number. The index that
 * found them held each row's sent_at, so every message sent added an
 * entry, between the entries of the campaigns sent before to the same
 * people: a page or two of the index rewritten per message, 1.5 of its 6
 * WAL pages (bench-whatsapp, a second campaign to 300 people). Keyed by
 * number alone and holding the rows that have a message id, it takes
 * its entries when the ids are chosen, a window of rows in one
 * transaction (xi-store-jobs.c, assign_message_ids ()), and no send or
 * receipt touches it again. Every sent row has an id, so a lookup
 * saying both (wa_message_id IS NOT NULL AND sent_at IS NOT NULL) finds
 * the same rows; the number comes first so that no query by account
 * alone takes it for an account index.
 */
#define MIGRATION_V14_RECIPIENT_PHONES \
  "DROP INDEX job_recipients_sent_phone;" \
  "CREATE INDEX job_recipients_phone ON job_recipients (phone, master_user_id)" \
  " WHERE wa_message_id IS NOT NULL;"

/* Each change of version 14 is a block of its own above. */
static const char migration_v14[] =
  MIGRATION_V14_RECIPIENT_PHONES;

/*
 * Version 15.
 *
 * A live contact's number is unique in its account, and the index that
 * says so leads with the number. Led by the account, which every row of
 * a folder shares, each comparison in it went through the same 36
 * characters before reaching the number: an import, which looks every
 * row's number up there and inserts it at a random place, spent 12 % of
 * its contact inserts comparing account ids (sqlite3 shell, 100,000 rows
 * in the order of their ids, 1.59 G instructions with the old order,
 * 1.40 G with the new). Every lookup names both columns, so the same
 * rows are found, and an upsert's conflict target matches the index's
 * columns in any order.
 */
#define MIGRATION_V15_CONTACT_PHONES \
  "DROP INDEX contacts_phone;" \
  "CREATE UNIQUE INDEX contacts_phone ON contacts (phone, master_user_id) WHERE deleted = 0;"

/* Each change of version 15 is a block of its own above. */
static const char migration_v15[] =
  MIGRATION_V15_CONTACT_PHONES;

/*
 * Version 16.
 *
 * A customer whose number WhatsApp hides writes from a LID; the message
 * is kept without a number, under the LID in from_jid, until the number
 * is known (xi-store-inbox.c, _xi_store_join_lid ()). Every mapping the
 * WhatsApp keys learn looks those messages up, and one history sync
 * names thousands of mappings: by the index on the number, each look
 * went through every message without one (31 ms each among 22,000 of
 * them, 0.02 ms by this index; python's sqlite3 on a copy of the v15
 * dump with 200,000 messages). The index holds the messages without a
 * number only, which stay few, and also lists their conversations in
 * order.
 */
#define MIGRATION_V16_LID_MESSAGES \
  "CREATE INDEX incoming_lid ON incoming_messages (from_jid, master_user_id) WHERE phone IS NULL;"

/* Each change of version 16 is a block of its own above. */
static const char migration_v16[] =
  MIGRATION_V16_LID_MESSAGES;

static const char * const migrations[] = {
  migration_v1,
  migration_v2,
  migration_v3,
  migration_v4,
  migration_v5,
  migration_v6,
  migration_v7,
  migration_v8,
  migration_v9,
  migration_v10,
  migration_v11,
  migration_v12,
  migration_v13,
  migration_v14,
  migration_v15,
  migration_v16,
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == XI_STORE_SCHEMA_VERSION);

guint
_xi_store_schema_get_version (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  guint version = 0;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = (guint)sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  return version;
}

static gboolean
exec_or_error (sqlite3     *db,
               const char  *sql,
               guint        version,
               GError     **error)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) == SQLITE_OK)
    return TRUE;

  g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_MIGRATION,
               _("Could not upgrade the database to version %u: %s"),
               version, message != NULL ? message : sqlite3_errmsg (db));
  sqlite3_free (message);
  return FALSE;
}

static void
sort_key_func (sqlite3_context  *context,
               int               argc,
               sqlite3_value   **argv)
{
  sqlite3_result_text (context, _xi_contact_sort_key ((const char *)sqlite3_value_text (argv[0])),
                       -1, g_free);
}

/**
 * _xi_store_schema_migrate:
 * @db: an open connection
 * @target_version: the version to reach (tests build old versions with it)
 * @error: return location for a #GError
 *
 * Applies each missing migration in its own transaction, so a failure
 * leaves the file at the last good version.
 */
gboolean
_xi_store_schema_migrate (sqlite3  *db,
                          guint     target_version,
                          GError  **error)
{
  guint version;

  g_return_val_if_fail (target_version <= XI_STORE_SCHEMA_VERSION, FALSE);

  /* Migrations compute contacts' sort keys, and so does every later
   * write of a name through this connection. */
  if (sqlite3_create_function (db, "xi_sort_key", 1,
                               SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                               sort_key_func, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_MIGRATION,
                   _("Could not upgrade the database to version %u: %s"),
                   target_version, sqlite3_errmsg (db));
      return FALSE;
    }

  /* Reading the header is the first access to the file: a file that is not
   * a database fails here. */
  if (sqlite3_exec (db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK)
    {
      int rc = sqlite3_errcode (db) & 0xff;

      g_set_error (error, XI_STORE_ERROR,
                   rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT ? XI_STORE_ERROR_CORRUPT
                                                               : XI_STORE_ERROR_FAILED,
                   _("The database file is damaged or is not a Xender-In database (%s)."),
                   sqlite3_errmsg (db));
      return FALSE;
    }

  /* The version is read inside each migration's write transaction: when
   * several processes open one new folder at once, the first creates the
   * tables and the others, waiting on BEGIN IMMEDIATE, then see the new
   * version instead of creating them again. */
  for (;;)
    {
      g_autofree char *bump = NULL;

      if (!exec_or_error (db, "BEGIN IMMEDIATE", target_version, error))
        return FALSE;

      version = _xi_store_schema_get_version (db);
      if (version > XI_STORE_SCHEMA_VERSION)
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_TOO_NEW,
                       _("This database was written by a newer version of Xender-In "
                         "(schema %u; this version understands up to %u). "
                         "Update Xender-In to open it."),
                       version, (guint)XI_STORE_SCHEMA_VERSION);
          return FALSE;
        }
      if (version >= target_version)
        return exec_or_error (db, "COMMIT", version, error);

      bump = g_strdup_printf ("PRAGMA user_version = %u", version + 1);
      if (!exec_or_error (db, migrations[version], version + 1, error) ||
          !exec_or_error (db, bump, version + 1, error) ||
          !exec_or_error (db, "COMMIT", version + 1, error))
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }

      g_debug ("Database upgraded to schema version %u", version + 1);
    }
}
