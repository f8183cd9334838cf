/* xi-sync-engine.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-sync"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "xi-json.h"
#include "xi-store-sync.h"
#include "xi-sync-engine.h"
#include "xi-sync-error.h"

/*
 * One pass of sync (SYNC.md §3.7, §3.8): push the outbox batch by batch,
 * then pull every table from its checkpoint. The engine talks to SQLite
 * only through the store's async API and to the server only through the
 * client, so it never blocks the thread it runs on.
 *
 * Push: a batch of ops (full rows, the same op ids on every retry) goes
 * out as one upsert per table. A permanent refusal of a group is bisected
 * until the one op the server refuses is found; that op becomes dead with
 * the server's message and the rest go through. A transient failure puts
 * the whole remaining batch back with a backoff, so nothing is lost and a
 * replay is a no-op on the server (last_op_id).
 *
 * Rpc ops are calls, not rows: a campaign's quota (SYNC.md 3.9) is one op
 * per reservation carrying the amount, the running total sent and whether
 * the campaign is over. It replays reserve_quota, which is idempotent by
 * the reservation id, then commits the total; a reservation the server
 * will not hold is refused, and the store pauses the campaign with the
 * server's numbers.
 *
 * Each upsert names the mark this device expects the server to hold for
 * it (X-Expected-Mark): what sync_state() showed, or what the server
 * gave this pass's own writes since. A server restored after that read
 * refuses the write whole, and the pass starts the same re-read as for
 * a mark seen lower in sync_state(), instead of writing into the copy
 * and lifting the mark past what it lost.
 *
 * Pull: keyset pages on server_seq until an empty page. The server may
 * cap a page below the limit asked for, so a short page is not the end.
 * Each page and its checkpoint are applied in one SQLite transaction by
 * the store.
 *
 * A reply too large to read, to a page or to a push group, is asked for
 * again in fewer rows (rows_after_too_large ()); a single row's is given
 * up, and a pushed row whose reply is that large goes again after a
 * backoff, so it stalls no other. Whatever the server sends, a pass reads
 * at most MAX_PASS_READ_BYTES, but for a table's full re-read.
 */

#define BATCH_OPS 200
#define PAGE_ROWS 1000
#define MAX_BACKOFF_SECONDS 300
/* Four replies of the most the client reads (64 MB): a hostile server's
 * endless replies cost this much a pass, and a pass of real rows past it
 * goes on from its checkpoint at the next. */
#define MAX_PASS_READ_BYTES (G_GUINT64_CONSTANT (256) * 1024 * 1024)

/* One pass at a time per data folder, across programs (see lock_try). */
#define LOCK_FILE_NAME "sync.lock"
#define LOCK_WAIT_MS   10000
#define LOCK_POLL_MS   100

struct _XiSyncEngine
{
  GObject           parent_instance;

  /* Belongs to the thread that made it, like the client it uses. */
  GThread          *owner;
  XiStore          *store;
  XiSupabaseClient *client;
  char             *device_id;   /* registered with the server by this engine */
  gboolean          running;
};

G_DEFINE_FINAL_TYPE (XiSyncEngine, xi_sync_engine, G_TYPE_OBJECT)

enum {
  SIGNAL_PUSHING,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A group of ops of one table sent as one request. */
typedef struct
{
  char      *table;
  GPtrArray *ops;     /* XiSyncOp*, borrowed from Run.batch */
  gboolean   rpc;     /* one call: ops holds that op alone */
  gboolean   shrunk;  /* split off a group whose reply was too large to read */
} Unit;

typedef struct
{
  XiSyncStats  stats;

  GPtrArray   *batch;      /* XiSyncOp*, owned */
  GPtrArray   *results;    /* XiSyncResult*, owned */
  GQueue       units;      /* Unit*, owned */
  GError      *push_error; /* the transient failure that ended the push */

  const char * const *tables;
  guint        table_index;
  gint64       checkpoint; /* the table's, as far as pages have been applied */
  gint64       cursor;     /* the table's, as far as pages have been read */
  gint64       last_seq;   /* the account's counter when the pass began, or -1 */
  guint        page_rows;  /* the limit asked for, cut for pages too large to read,
                             doubled again after each page read */
  gboolean     page_shrunk; /* page_rows was cut after the last page's reply */
  guint64      read_before; /* the client's bytes read when the pass began */
  guint64      read_budget; /* MAX_PASS_READ_BYTES, or less in tests */
  gboolean     reading;
  guint        applying;   /* pages handed to the store, not applied yet */
  GError      *pull_error; /* the first failure; the pull ends once nothing is in flight */
  gint64       fence;
  JsonObject  *purged;     /* per table, from sync_state() */
  XiSyncResync rereading;  /* the table's full re-read under way in this pass, and why */
  JsonArray   *held;       /* a page waiting for the server's counter to vouch for it */
  gint64       held_top;   /* the highest server_seq that page claims */
  XiSyncResync resume;     /* the table's re-read under way when the pass came to it */
  gboolean     marked;     /* the server keeps this device's mark: its pushes raise it */
  gboolean     reregistered; /* after marks that went back, once a pass */
  gint64       own_top;    /* the highest server_seq of a row this pass wrote */
  gint64       expected_mark; /* sent with each upsert; -1 when the server keeps no marks */
  int          lock_fd;    /* holds flock () on the folder's sync.lock; -1 when not */
  guint        lock_waited_ms;
} Run;

/* Auxiliary methods */

static void
unit_free (Unit *unit)
{
  g_free (unit->table);
  g_ptr_array_unref (unit->ops);
  g_free (unit);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Unit, unit_free)

static void
run_free (Run *run)
{
  g_clear_pointer (&run->batch, g_ptr_array_unref);
  g_clear_pointer (&run->results, g_ptr_array_unref);
  g_queue_clear_full (&run->units, (GDestroyNotify) unit_free);
  g_clear_error (&run->push_error);
  g_clear_error (&run->pull_error);
  g_clear_pointer (&run->purged, json_object_unref);
  g_clear_pointer (&run->held, json_array_unref);
  if (run->lock_fd >= 0)
    close (run->lock_fd);
  g_free (run);
}

/* Append-only facts: a replay must not touch the row the server has. */
static gboolean
is_append_only (const char *table)
{
  return g_str_equal (table, "history") ||
         g_str_equal (table, "suppression_events") ||
         g_str_equal (table, "incoming_messages");
}

static const char *
conflict_target (const char *table)
{
  return g_str_equal (table, "group_members") ? "group_id,contact_id" : NULL;
}

static void
add_result (Run           *run,
            XiSyncOp      *op,
            XiSyncOutcome  outcome,
            const char    *server_row,
            const char    *message,
            guint          retry_after)
{
  g_ptr_array_add (run->results,
                   xi_sync_result_new (op->op_id, outcome, server_row, message, retry_after));
  switch (outcome)
    {
    case XI_SYNC_OUTCOME_APPLIED:
      run->stats.pushed++;
      break;
    case XI_SYNC_OUTCOME_SKIPPED:
      run->stats.skipped++;
      break;
    case XI_SYNC_OUTCOME_REFUSED:
      run->stats.refused++;
      break;
    case XI_SYNC_OUTCOME_TRANSIENT:
    default:
      break;
    }
}

static void
requeue_unit (Run          *run,
              Unit         *unit,
              const GError *error)
{
  guint retry_after = xi_sync_error_get_retry_after (error);
  /* Sent again as soon as this device has read the restored server. */
  gboolean now = g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_SERVER_RESTORED);

  for (guint i = 0; i < unit->ops->len; i++)
    {
      XiSyncOp *op = g_ptr_array_index (unit->ops, i);

      add_result (run, op, XI_SYNC_OUTCOME_TRANSIENT, NULL, error->message,
                  now ? 0 : xi_sync_engine_backoff_seconds (op->attempts, retry_after));
    }
}

/* Every op of the units still queued goes back with the same id. */
static void
requeue_rest (Run          *run,
              Unit         *current,
              const GError *error)
{
  Unit *unit;

  requeue_unit (run, current, error);
  while ((unit = g_queue_pop_head (&run->units)) != NULL)
    {
      requeue_unit (run, unit, error);
      unit_free (unit);
    }
}

/* How many rows to ask for after a reply too large to read, or 0 to give
 * up: half as many; but once a request already cut for that reason is
 * answered too large again, one. A reply that never ends costs a full
 * read each time, and halving from a thousand rows would read it ten
 * times; rows that are merely large come through one at a time, and the
 * page doubles again from there. */
static guint
rows_after_too_large (guint    rows,
                      gboolean shrunk)
{
  if (rows <= 1)
    return 0;
  return shrunk ? 1 : rows / 2;
}

static gboolean
over_read_budget (XiSyncEngine  *self,
                  Run           *run,
                  GError       **error)
{
  if (xi_supabase_client_get_bytes_read (self->client) - run->read_before <= run->read_budget)
    return FALSE;
  g_set_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_TOO_LARGE,
               _("The server sent more than %u MB in one sync; the rest follows at the next "
                 "sync. If this repeats, check that the project URL names your Supabase project."),
               (guint) (MAX_PASS_READ_BYTES / (1024 * 1024)));
  return TRUE;
}

/* Puts @unit's ops back at the head of the queue, in order, in groups of
 * at most @size. */
static void
split_unit (Run      *run,
            Unit     *unit,
            guint     size,
            gboolean  shrunk)
{
  guint n = (unit->ops->len + size - 1) / size;

  for (guint i = n; i-- > 0;)
    {
      Unit *part = g_new0 (Unit, 1);

      part->table = g_strdup (unit->table);
      part->ops = g_ptr_array_new ();
      part->shrunk = shrunk;
      for (guint j = i * size; j < MIN ((i + 1) * size, unit->ops->len); j++)
        g_ptr_array_add (part->ops, g_ptr_array_index (unit->ops, j));
      g_queue_push_head (&run->units, part);
    }
}

static char *
node_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

static void take_batch (GTask *task);
static void push_ended (GTask *task);
static void send_next_unit (GTask *task);
static void pull_table (GTask *task);
static void pull_page (GTask *task);
static void lock_try (GTask *task);
static void register_again (GTask *task);
static void check_quota_period (GTask *task);

/* Push */

/* The server refused a write for holding a lower mark than this pass
 * read: it was restored after that read. Whatever this pass wrote before
 * may be lost with it, so none of it raises the mark this device knows. */
static void
restored_all_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!xi_store_sync_restore_all_finish (XI_STORE (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  g_message ("The server refused a write for a device mark it no longer has: it was "
             "restored from a backup; reading everything again");
  run->own_top = 0;
  register_again (task);
}

static void
completed_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!xi_store_sync_complete_finish (XI_STORE (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_pointer (&run->batch, g_ptr_array_unref);
  g_clear_pointer (&run->results, g_ptr_array_unref);

  if (g_error_matches (run->push_error, XI_SYNC_ERROR, XI_SYNC_ERROR_SERVER_RESTORED))
    {
      XiSyncEngine *self = g_task_get_source_object (task);
      GCancellable *cancellable = g_task_get_cancellable (task);

      g_clear_error (&run->push_error);
      if (run->reregistered)
        {
          /* Restored twice in one pass, or a server that keeps refusing:
           * the ops wait, and the next pass reads it again. */
          g_task_return_new_error (task, XI_SYNC_ERROR, XI_SYNC_ERROR_SERVER_RESTORED,
                                   _("The sync server was put back to an earlier copy while "
                                     "syncing; sync tries again later"));
          return;
        }
      xi_store_sync_restore_all_async (self->store, cancellable, restored_all_cb,
                                       g_steal_pointer (&task));
      return;
    }
  /* After a transient failure the rest waits for its backoff; pulling
   * now would only fail the same way. */
  if (run->push_error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&run->push_error));
      return;
    }
  take_batch (g_steal_pointer (&task));
}

static void
complete_batch (GTask *task)
{
  XiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  /* Not cancellable: the ops are in flight on disk until this lands. */
  xi_store_sync_complete_async (self->store, run->results, NULL, completed_cb, task);
}

static void
upserted_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(Unit) unit = g_queue_pop_head (&run->units);
  g_autoptr(GHashTable) by_id = NULL;
  g_autoptr(JsonArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  rows = xi_supabase_client_upsert_finish (XI_SUPABASE_CLIENT (object), result, &error);
  if (rows == NULL)
    {
      gboolean permanent = g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_REFUSED) ||
                           g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_CONFLICT);
      gboolean too_large = g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_TOO_LARGE);

      if (permanent && unit->ops->len > 1)
        {
          /* Bisect: the halves go first, in order, and each is retried
           * alone until the refused op stands by itself. */
          split_unit (run, unit, (unit->ops->len + 1) / 2, unit->shrunk);
          send_next_unit (task);
          return;
        }
      if (too_large && unit->ops->len > 1)
        {
          split_unit (run, unit, rows_after_too_large (unit->ops->len, unit->shrunk), TRUE);
          send_next_unit (task);
          return;
        }
      if (too_large)
        {
          /* The server wrote the row before it answered, and the size of
           * its answer says nothing about the row: a hostile or broken
           * server must not kill it. It goes again after a backoff; the
           * rows after it go now, within the pass's read budget. */
          requeue_unit (run, unit, error);
          send_next_unit (task);
          return;
        }
      if (permanent)
        {
          add_result (run, g_ptr_array_index (unit->ops, 0), XI_SYNC_OUTCOME_REFUSED,
                      NULL, error->message, 0);
          send_next_unit (task);
          return;
        }
      /* Transient, signed out or cancelled: everything left goes back. */
      requeue_rest (run, unit, error);
      run->push_error = g_steal_pointer (&error);
      complete_batch (task);
      return;
    }

  by_id = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonNode *node = json_array_get_element (rows, i);
      JsonObject *row = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *id = xi_json_get_string (row, "id", NULL);

      if (id != NULL)
        g_hash_table_insert (by_id, (gpointer) id, node);
    }
  for (guint i = 0; i < unit->ops->len; i++)
    {
      XiSyncOp *op = g_ptr_array_index (unit->ops, i);
      JsonNode *node = g_hash_table_lookup (by_id, op->row_id);

      if (node != NULL)
        {
          JsonObject *row = json_node_get_object (node);
          g_autofree char *text = node_to_string (node);

          /* Written by this op (a replay or another device's later write
           * may come back instead): the server marked this device at
           * least that high when it committed. */
          if (is_append_only (unit->table) ||
              g_strcmp0 (xi_json_get_string (row, "last_op_id", NULL), op->op_id) == 0)
            run->own_top = MAX (run->own_top, xi_json_get_int (row, "server_seq", 0));
          add_result (run, op, XI_SYNC_OUTCOME_APPLIED, text, NULL, 0);
        }
      else if (is_append_only (unit->table))
        {
          /* ignore-duplicates returns nothing for a fact the server
           * already has: this op's own earlier push, its reply lost. */
          add_result (run, op, XI_SYNC_OUTCOME_APPLIED, NULL, NULL, 0);
        }
      else
        add_result (run, op, XI_SYNC_OUTCOME_SKIPPED, NULL, NULL, 0);
    }
  /* The server marked this device at least as high with this request. */
  if (run->expected_mark >= 0)
    run->expected_mark = MAX (run->expected_mark, run->own_top);
  send_next_unit (task);
}

/* A failed call: a refusal for good kills the op (and pauses its
 * campaign), anything else sends the rest back. */
static void
rpc_failed (GTask  *task,
            GError *error)
{
  Run *run = g_task_get_task_data (task);
  g_autoptr(Unit) unit = g_queue_pop_head (&run->units);

  if (g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_REFUSED) ||
      g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_CONFLICT))
    {
      add_result (run, g_ptr_array_index (unit->ops, 0), XI_SYNC_OUTCOME_REFUSED, NULL,
                  error->message, 0);
      g_error_free (error);
      send_next_unit (task);
      return;
    }
  requeue_rest (run, unit, error);
  run->push_error = error;
  complete_batch (task);
}

/* The quota functions answer business outcomes as {"ok": false, …}. */
static JsonObject *
rpc_reply (JsonNode  *reply,
           GError   **error)
{
  if (reply == NULL || !JSON_NODE_HOLDS_OBJECT (reply) ||
      !json_object_has_member (json_node_get_object (reply), "ok"))
    {
      g_set_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_BAD_REPLY,
                   _("The server’s answer about the quota could not be understood"));
      return NULL;
    }
  return json_node_get_object (reply);
}

static void
quota_committed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(Unit) unit = NULL;
  g_autofree char *text = NULL;
  GError *error = NULL;

  reply = xi_supabase_client_rpc_finish (XI_SUPABASE_CLIENT (object), result, &error);
  if (reply == NULL || rpc_reply (reply, &error) == NULL)
    {
      rpc_failed (task, error);
      return;
    }
  unit = g_queue_pop_head (&run->units);
  text = node_to_string (reply);
  add_result (run, g_ptr_array_index (unit->ops, 0), XI_SYNC_OUTCOME_APPLIED, text, NULL, 0);
  send_next_unit (task);
}

static void
quota_reserved_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  XiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  Unit *unit = g_queue_peek_head (&run->units);
  XiSyncOp *op = g_ptr_array_index (unit->ops, 0);
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonNode) args_node = NULL;
  g_autoptr(JsonObject) commit = NULL;
  JsonObject *answer;
  JsonObject *args;
  GError *error = NULL;

  reply = xi_supabase_client_rpc_finish (XI_SUPABASE_CLIENT (object), result, &error);
  if (reply == NULL || (answer = rpc_reply (reply, &error)) == NULL)
    {
      rpc_failed (task, error);
      return;
    }

  if (!xi_json_get_bool (answer, "ok", FALSE))
    {
      g_autoptr(Unit) refused = g_queue_pop_head (&run->units);
      gint64 requested = xi_json_get_int (answer, "requested", 0);
      gint64 available = xi_json_get_int (answer, "available", 0);
      g_autofree char *message = NULL;

      message = g_strdup_printf (ngettext ("The account’s quota is spent: this campaign needs "
                                           "%u message and only %u are left this month.",
                                           "The account’s quota is spent: this campaign needs "
                                           "%u messages and only %u are left this month.",
                                           (gulong) requested),
                                 (guint) CLAMP (requested, 0, G_MAXUINT),
                                 (guint) CLAMP (available, 0, G_MAXUINT));
      add_result (run, op, XI_SYNC_OUTCOME_REFUSED, NULL, message, 0);
      send_next_unit (task);
      return;
    }

  args_node = json_from_string (op->rpc_args, NULL);
  args = json_node_get_object (args_node);
  /* Nothing sent yet and still running: the reservation is all there is. */
  if (json_object_get_int_member_with_default (args, "p_sent_total", 0) == 0 &&
      !json_object_get_boolean_member_with_default (args, "p_final", FALSE))
    {
      g_autoptr(Unit) done = g_queue_pop_head (&run->units);
      g_autofree char *text = node_to_string (reply);

      add_result (run, op, XI_SYNC_OUTCOME_APPLIED, text, NULL, 0);
      send_next_unit (task);
      return;
    }

  commit = json_object_new ();
  json_object_set_string_member (commit, "p_reservation_id",
                                 json_object_get_string_member (args, "p_reservation_id"));
  json_object_set_int_member (commit, "p_sent_total",
                              json_object_get_int_member_with_default (args, "p_sent_total", 0));
  json_object_set_boolean_member (commit, "p_final",
                                  json_object_get_boolean_member_with_default (args, "p_final",
                                                                               FALSE));
  xi_supabase_client_rpc_async (self->client, "commit_quota_usage", commit,
                                g_task_get_cancellable (task), quota_committed_cb, task);
}

static gboolean
quota_args_valid (JsonObject *args)
{
  const char *reservation = json_object_get_string_member_with_default (args, "p_reservation_id",
                                                                        NULL);
  const char *job = json_object_get_string_member_with_default (args, "p_job_id", NULL);

  return reservation != NULL && g_uuid_string_is_valid (reservation) &&
         job != NULL && g_uuid_string_is_valid (job) &&
         json_object_get_int_member_with_default (args, "p_amount", 0) > 0;
}

static void
send_rpc (GTask *task,
          Unit  *unit)
{
  XiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  XiSyncOp *op = g_ptr_array_index (unit->ops, 0);
  g_autoptr(JsonNode) args_node = op->rpc_args != NULL ? json_from_string (op->rpc_args, NULL)
                                                       : NULL;
  g_autoptr(JsonObject) reserve = NULL;
  JsonObject *args;

  args = args_node != NULL && JSON_NODE_HOLDS_OBJECT (args_node)
         ? json_node_get_object (args_node) : NULL;
  if (!g_str_equal (op->table_name, "quota_reservations") || args == NULL ||
      !quota_args_valid (args))
    {
      g_autoptr(Unit) refused = g_queue_pop_head (&run->units);

      add_result (run, op, XI_SYNC_OUTCOME_REFUSED, NULL,
                  _("This version of Xender-In cannot send this change; update it"), 0);
      send_next_unit (task);
      return;
    }

  reserve = json_object_new ();
  json_object_set_string_member (reserve, "p_reservation_id",
                                 json_object_get_string_member (args, "p_reservation_id"));
  json_object_set_int_member (reserve, "p_amount", json_object_get_int_member (args, "p_amount"));
  json_object_set_string_member (reserve, "p_job_id",
                                 json_object_get_string_member (args, "p_job_id"));
  xi_supabase_client_rpc_async (self->client, "reserve_quota", reserve,
                                g_task_get_cancellable (task), quota_reserved_cb, task);
}

static void
send_next_unit (GTask *task)
{
  XiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(JsonArray) rows = NULL;
  GError *error = NULL;
  Unit *unit;

  unit = g_queue_peek_head (&run->units);
  if (unit == NULL)
    {
      complete_batch (task);
      return;
    }
  if (over_read_budget (self, run, &error))
    {
      g_autoptr(Unit) current = g_queue_pop_head (&run->units);

      requeue_rest (run, current, error);
      run->push_error = error;
      complete_batch (task);
      return;
    }
  if (unit->rpc)
    {
      send_rpc (task, unit);
      return;
    }

  rows = json_array_new ();
  for (guint i = 0; i < unit->ops->len; i++)
    {
      XiSyncOp *op = g_ptr_array_index (unit->ops, i);
      g_autoptr(JsonNode) row = json_from_string (op->row_json, NULL);

      /* The store builds these; one it cannot have built is a bug there,
       * and the server gets to say no to it like to any bad row. */
      json_array_add_element (rows, row != NULL ? g_steal_pointer (&row)
                                                : json_node_new (JSON_NODE_NULL));
    }
  xi_supabase_client_upsert_async (self->client, unit->table, conflict_target (unit->table),
                                   is_append_only (unit->table), run->expected_mark, rows,
                                   g_task_get_cancellable (task), upserted_cb, task);
}

static void
batch_taken_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  XiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  Unit *unit = NULL;

  run->batch = xi_store_sync_take_batch_finish (XI_STORE (object), result, &error);
  if (run->batch == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  g_ptr_array_set_free_func (run->batch, (GDestroyNotify) xi_sync_op_free);
  if (run->batch->len == 0)
    {
      g_clear_pointer (&run->batch, g_ptr_array_unref);
      push_ended (task);
      return;
    }

  run->results = g_ptr_array_new_with_free_func ((GDestroyNotify) xi_sync_result_free);
  for (guint i = 0; i < run->batch->len; i++)
    {
      XiSyncOp *op = g_ptr_array_index (run->batch, i);

      if (g_strcmp0 (op->kind, "rpc") == 0)
        {
          unit = g_new0 (Unit, 1);
          unit->table = g_strdup (op->table_name);
          unit->ops = g_ptr_array_new ();
          unit->rpc = TRUE;
          g_ptr_array_add (unit->ops, op);
          g_queue_push_tail (&run->units, unit);
          unit = NULL;
          continue;
        }
      if (g_strcmp0 (op->kind, "upsert") != 0)
        {
          add_result (run, op, XI_SYNC_OUTCOME_REFUSED, NULL,
                      _("This version of Xender-In cannot send this change; update it"), 0);
          continue;
        }
      if (op->row_json == NULL)
        {
          /* The row is gone here; the next pull brings the server's. */
          add_result (run, op, XI_SYNC_OUTCOME_SKIPPED, NULL, NULL, 0);
          continue;
        }
      if (unit == NULL || !g_str_equal (unit->table, op->table_name))
        {
          unit = g_new0 (Unit, 1);
          unit->table = g_strdup (op->table_name);
          unit->ops = g_ptr_array_new ();
          g_queue_push_tail (&run->units, unit);
        }
      g_ptr_array_add (unit->ops, op);
    }
  g_signal_emit (self, signals[SIGNAL_PUSHING], 0, run->batch->len);
  send_next_unit (task);
}

static void
pushes_noted_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!xi_store_sync_note_pushed_finish (XI_STORE (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  pull_table (task);
}

/* What this pass wrote raised the server's mark of this device: a later
 * pass that reads the mark lower knows the server lost it. */
static void
push_ended (GTask *task)
{
  XiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  if (!run->marked || run->own_top <= 0)
    {
      pull_table (task);
      return;
    }
  xi_store_sync_note_pushed_async (self->store, self->device_id, run->own_top,
                                   g_task_get_cancellable (task), pushes_noted_cb, task);
}

static void
take_batch (GTask *task)
{
  XiSyncEngine *self = g_task_get_source_object (task);

  xi_store_sync_take_batch_async (self->store, BATCH_OPS, g_task_get_cancellable (task),
                                  batch_taken_cb, task);
}

/* Pull
 *
 * The read of the next page goes out as soon as a page arrives (its last
 * server_seq is the next cursor) while the store applies that page: the
 * store runs its work in order, so pages still land one after another,
 * each with its checkpoint, and the network and SQLite wait for each
 * other only at the end of a table. The pass holds one reference on its
 * task for the whole pull; every request in flight holds another.
 */

static void
pull_failed (Run    *run,
             GError *error)
{
  if (run->pull_error == NULL)
    run->pull_error = error;
  else
    g_error_free (error);
}

static void
next_table (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  run->table_index++;
  pull_table (task);
}

static void
resync_finished_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  guint count;

  count = xi_store_sync_finish_resync_finish (XI_STORE (object), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  if (run->rereading == XI_SYNC_RESYNC_RESTORE && count > 0)
    {
      g_message ("The server lost %u rows of %s that this computer still has; they are queued to go back",
                 count, run->tables[run->table_index]);
      run->stats.restored += count;
    }
  run->rereading = XI_SYNC_RESYNC_NONE;
  next_table (task);
}

static void
caught_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!xi_store_sync_set_checkpoint_finish (XI_STORE (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  next_table (task);
}

/* Once the table's last page is read and every page applied: on to the
 * next table, or the pass ends with the first error. */
static void
table_settled (GTask *task)
{
  XiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  const char *table = run->tables[run->table_index];

  if (run->reading || run->applying > 0)
    return;
  if (run->pull_error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&run->pull_error));
      g_object_unref (task);
      return;
    }
  if (run->rereading != XI_SYNC_RESYNC_NONE)
    {
      xi_store_sync_finish_resync_async (self->store, table, g_task_get_cancellable (task),
                                         resync_finished_cb, task);
      return;
    }
  /* The empty page was read after the server's counter: the table has no
   * row up to it that this device has not seen, so the next pass need not
   * ask about this table until something newer exists. */
  if (run->last_seq > run->checkpoint)
    {
      xi_store_sync_set_checkpoint_async (self->store, table, run->last_seq,
                                          g_task_get_cancellable (task), caught_up_cb, task);
      return;
    }
  next_table (task);
}

static void
page_applied_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gint64 checkpoint = 0;
  guint applied;

  run->applying--;
  applied = xi_store_sync_apply_page_finish (XI_STORE (object), result, &checkpoint, &error);
  if (error != NULL)
    pull_failed (run, g_steal_pointer (&error));
  else
    {
      /* The user's rows; the server's own (quota, payments) are not news. */
      if (g_strv_contains (xi_store_sync_tables (), run->tables[run->table_index]))
        run->stats.pulled += applied;
      run->checkpoint = MAX (run->checkpoint, checkpoint);
    }
  table_settled (task);
}

/* The highest server_seq a page claims, wherever in the page it is. */
static gint64
page_top (JsonArray *rows)
{
  gint64 top = 0;

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonNode *node = json_array_get_element (rows, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        top = MAX (top, xi_json_get_int (json_node_get_object (node), "server_seq", 0));
    }
  return top;
}

static void
hand_over_page (GTask     *task,
                JsonArray *rows)
{
  XiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

  /* Handed over sealed and no longer touched here: the store reads it on
   * its thread instead of parsing the page a second time. */
  json_node_take_array (node, rows);
  json_node_seal (node);
  run->applying++;
  xi_store_sync_apply_rows_async (self->store, run->tables[run->table_index], node,
                                  g_task_get_cancellable (task), page_applied_cb,
                                  g_object_ref (task));
  /* A few large rows cut the page; the rows after them may be small,
   * and a table read a row at a time would take a request per row. */
  run->page_rows = MIN (run->page_rows * 2, PAGE_ROWS);
  run->page_shrunk = FALSE;
  pull_page (task);
}

static void
state_rechecked_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  const char *table = run->tables[run->table_index];
  g_autoptr(JsonArray) rows = g_steal_pointer (&run->held);
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GError) error = NULL;
  gint64 last_seq = -1;

  run->reading = FALSE;
  state = xi_supabase_client_rpc_finish (XI_SUPABASE_CLIENT (object), result, &error);
  if (state == NULL)
    {
      pull_failed (run, g_steal_pointer (&error));
      table_settled (task);
      return;
    }
  if (JSON_NODE_HOLDS_OBJECT (state))
    last_seq = xi_json_get_int (json_node_get_object (state), "last_seq", -1);
  if (last_seq < run->held_top)
    {
      g_message ("The server sent a row of %s numbered %" G_GINT64_FORMAT
                 " past its own last change %" G_GINT64_FORMAT "; the page is refused",
                 table, run->held_top, last_seq);
      pull_failed (run, g_error_new (XI_SYNC_ERROR, XI_SYNC_ERROR_BAD_REPLY,
                                     _("The server sent rows of “%s” numbered past its own last "
                                       "change; nothing of that page was kept"),
                                     table));
      table_settled (task);
      return;
    }
  run->last_seq = last_seq;
  if (run->pull_error != NULL)
    {
      table_settled (task);
      return;
    }
  hand_over_page (task, g_steal_pointer (&rows));
}

static void
page_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  const char *table = run->tables[run->table_index];
  g_autoptr(JsonArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *last;
  gint64 cursor = 0;
  gint64 top;
  guint fewer;
  guint n;

  run->reading = FALSE;
  rows = xi_supabase_client_select_finish (XI_SUPABASE_CLIENT (object), result, &error);
  /* Rows of the size the server allows can still add up to a page that
   * would take gigabytes to parse: the same rows are asked for in smaller
   * pages, down to one at a time. */
  if (g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_TOO_LARGE) && run->pull_error == NULL &&
      (fewer = rows_after_too_large (run->page_rows, run->page_shrunk)) > 0)
    {
      run->page_rows = fewer;
      run->page_shrunk = TRUE;
      g_debug ("A page of %s was too large to read; asking for %u rows", table, run->page_rows);
      pull_page (task);
      return;
    }
  if (g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_TOO_LARGE))
    {
      g_clear_error (&error);
      g_set_error (&error, XI_SYNC_ERROR, XI_SYNC_ERROR_TOO_LARGE,
                   _("The server holds a row of “%s” too large for this computer to read; "
                     "sync stops before it until the server is fixed"),
                   table);
    }
  if (rows == NULL)
    {
      pull_failed (run, g_steal_pointer (&error));
      table_settled (task);
      return;
    }
  n = json_array_get_length (rows);
  if (n == 0 || run->pull_error != NULL)
    {
      table_settled (task);
      return;
    }

  last = json_array_get_element (rows, n - 1);
  if (JSON_NODE_HOLDS_OBJECT (last))
    cursor = xi_json_get_int (json_node_get_object (last), "server_seq", 0);
  if (cursor <= run->cursor)
    {
      pull_failed (run, g_error_new (XI_SYNC_ERROR, XI_SYNC_ERROR_BAD_REPLY,
                                     _("The server sent a page of “%s” that does not move forward"),
                                     table));
      table_settled (task);
      return;
    }
  run->cursor = cursor;

  /* The store keeps the highest server_seq of a page as the checkpoint,
   * and nothing below it is asked for again: a number past the server's
   * own counter would hide every later change for good. Rows written
   * since the counter was read (this pass's own push) are vouched for by
   * reading it again; the page waits, and the reading flag holds the
   * table open meanwhile. */
  top = page_top (rows);
  if (run->last_seq >= 0 && top > run->last_seq)
    {
      run->reading = TRUE;
      run->held = g_steal_pointer (&rows);
      run->held_top = top;
      xi_supabase_client_rpc_async (self->client, "sync_state", NULL,
                                    g_task_get_cancellable (task), state_rechecked_cb,
                                    g_object_ref (task));
      return;
    }
  hand_over_page (task, g_steal_pointer (&rows));
}

static void
pull_page (GTask *task)
{
  XiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autofree char *master = g_strconcat ("eq.", xi_store_get_master_user_id (self->store), NULL);
  g_autofree char *after = g_strdup_printf ("gt.%" G_GINT64_FORMAT, run->cursor);
  g_autofree char *limit = g_strdup_printf ("%u", run->page_rows);
  const char *query[] = {
    "select", xi_store_sync_pull_columns (run->tables[run->table_index]),
    "master_user_id", master,
    "server_seq", after,
    "order", "server_seq.asc",
    "limit", limit,
    NULL
  };
  GError *error = NULL;

  /* A full re-read stopped here would start over from the first row at
   * the next pass, and never end on a table larger than the budget. Each
   * of its pages moves the cursor on, so it ends when the rows do. */
  if (run->rereading == XI_SYNC_RESYNC_NONE && over_read_budget (self, run, &error))
    {
      pull_failed (run, error);
      table_settled (task);
      return;
    }
  run->reading = TRUE;
  xi_supabase_client_select_async (self->client, run->tables[run->table_index], query,
                                   g_task_get_cancellable (task), page_read_cb,
                                   g_object_ref (task));
}

static void
resync_begun_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!xi_store_sync_begin_resync_finish (XI_STORE (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  run->checkpoint = run->cursor = 0;
  pull_page (task);
}

/* The server's own rows (quota, payments) are only read again. */
static void
rewound_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!xi_store_sync_set_checkpoint_finish (XI_STORE (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  run->checkpoint = run->cursor = 0;
  pull_page (task);
}

static void
checkpoint_read_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  const char *table = run->tables[run->table_index];
  g_autoptr(GError) error = NULL;
  gint64 fence = run->fence;

  run->checkpoint = xi_store_sync_get_checkpoint_finish (XI_STORE (object), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  run->cursor = run->checkpoint;

  if (run->purged != NULL && json_object_has_member (run->purged, table))
    fence = xi_json_get_int (run->purged, table, fence);
  /* Tombstones this device never saw are gone from the server: only a
   * full read of the table tells which rows still exist (SYNC.md §3.4).
   * The server-owned rows the app shows are kept, not deleted, there. A
   * re-read left unfinished starts over as well: the fence may have
   * passed its checkpoint while the app was closed, and going on from
   * there would keep a row deleted elsewhere alive here for good. */
  if (run->checkpoint > 0 && run->checkpoint < fence &&
      g_strv_contains (xi_store_sync_tables (), table))
    {
      g_debug ("Re-reading %s: its checkpoint is below the tombstone fence", table);
      /* A re-read after a restore starts over as one: what the server
       * lost still goes back to it. */
      run->rereading = run->resume == XI_SYNC_RESYNC_RESTORE ? XI_SYNC_RESYNC_RESTORE : XI_SYNC_RESYNC_PURGE;
      if (run->rereading == XI_SYNC_RESYNC_RESTORE)
        xi_store_sync_begin_restore_async (XI_STORE (object), table,
                                           g_task_get_cancellable (task), resync_begun_cb, task);
      else
        xi_store_sync_begin_resync_async (XI_STORE (object), table, g_task_get_cancellable (task),
                                          resync_begun_cb, task);
      return;
    }
  /* This device has read further than the server has ever written: the
   * server was put back to an earlier copy (a backup). What it holds is
   * read again from the start, and what it lost goes back to it. */
  if (run->last_seq >= 0 && run->checkpoint > run->last_seq)
    {
      g_message ("The server's counter %" G_GINT64_FORMAT " is behind the checkpoint %"
                 G_GINT64_FORMAT " of %s: it was restored from a backup; reading it again",
                 run->last_seq, run->checkpoint, table);
      if (g_strv_contains (xi_store_sync_tables (), table))
        {
          run->rereading = XI_SYNC_RESYNC_RESTORE;
          xi_store_sync_begin_restore_async (XI_STORE (object), table,
                                             g_task_get_cancellable (task), resync_begun_cb, task);
        }
      else
        xi_store_sync_set_checkpoint_async (XI_STORE (object), table, 0,
                                            g_task_get_cancellable (task), rewound_cb, task);
      return;
    }
  /* A re-read that an earlier pass began and did not end (the app was
   * stopped, or the server's device marks went back) goes on from its
   * checkpoint until the end of the table. */
  if (run->resume != XI_SYNC_RESYNC_NONE)
    {
      g_debug ("Going on reading %s again from %" G_GINT64_FORMAT, table, run->checkpoint);
      run->rereading = run->resume;
      pull_page (task);
      return;
    }
  /* Nothing was written on the server since this table was last read. */
  if (run->last_seq >= 0 && run->checkpoint >= run->last_seq)
    {
      next_table (task);
      return;
    }
  pull_page (task);
}

static void
resync_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  run->resume = xi_store_sync_get_resync_finish (XI_STORE (object), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  xi_store_sync_get_checkpoint_async (XI_STORE (object), run->tables[run->table_index],
                                      g_task_get_cancellable (task), checkpoint_read_cb, task);
}

static void
pull_table (GTask *task)
{
  XiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  if (run->tables[run->table_index] == NULL)
    {
      check_quota_period (task);
      return;
    }
  run->page_rows = PAGE_ROWS;
  run->page_shrunk = FALSE;
  xi_store_sync_get_resync_async (self->store, run->tables[run->table_index],
                                  g_task_get_cancellable (task), resync_read_cb, task);
}

/* The month's roll-over
 *
 * The server rolls a quota row into the new month lazily, at its next
 * quota call, and a pull sends only rows that changed; but the store
 * refuses a campaign the cached row cannot cover before any call is
 * made. So once a pass, after the pull, a cached period that is over by
 * this computer's clock is checked with the server (check_quota_usage,
 * read-only, by the server's clock), and a new month it reports goes into
 * the cached row. It is housekeeping: whatever goes wrong leaves the
 * cached row as it was and the pass as it went, save a cancellation.
 */

static void
quota_check_ended (GTask  *task,
                   GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, error);
  else
    {
      if (error != NULL)
        {
          g_message ("The month's quota could not be checked with the server: %s",
                     error->message);
          g_error_free (error);
        }
      g_task_return_boolean (task, TRUE);
    }
  g_object_unref (task);
}

static void
quota_rolled_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (xi_store_sync_roll_quota_finish (XI_STORE (object), result, &error))
    g_message ("The server began a new month of the quota");
  quota_check_ended (task, error);
}

/* A count as the quota row holds it (a non-negative integer column). */
static gboolean
copy_quota_count (JsonObject *quota,
                  const char *name,
                  JsonObject *period,
                  const char *column)
{
  JsonNode *node = json_object_get_member (quota, name);
  gint64 value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  value = json_node_get_int (node);
  if (value < 0 || value > G_MAXINT32)
    return FALSE;
  json_object_set_int_member (period, column, value);
  return TRUE;
}

/* A time as the quota row holds it; the store compares it as a date and
 * leaves the row alone when it is none. */
static gboolean
copy_quota_time (JsonObject *quota,
                 const char *name,
                 JsonObject *period)
{
  const char *text = xi_json_get_string (quota, name, NULL);

  if (text == NULL || strlen (text) > 64)
    return FALSE;
  json_object_set_string_member (period, name, text);
  return TRUE;
}

/* check_quota_usage's answer as the columns of the cached row, or NULL
 * when it is not one: not ok, no quota, or numbers no row can hold. */
static char *
quota_period_from_reply (JsonNode *reply)
{
  g_autoptr(JsonObject) period = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *answer;
  JsonObject *quota;

  if (reply == NULL || !JSON_NODE_HOLDS_OBJECT (reply))
    return NULL;
  answer = json_node_get_object (reply);
  if (!xi_json_get_bool (answer, "ok", FALSE) ||
      (quota = xi_json_get_object (answer, "quota")) == NULL)
    return NULL;
  if (!copy_quota_count (quota, "limit", period, "messages_limit") ||
      !copy_quota_count (quota, "used", period, "messages_used") ||
      !copy_quota_count (quota, "reserved", period, "messages_reserved") ||
      !copy_quota_time (quota, "period_start", period) ||
      !copy_quota_time (quota, "period_end", period))
    return NULL;
  json_node_set_object (root, period);
  return node_to_string (root);
}

static void
quota_checked_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  XiSyncEngine *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *period = NULL;
  GError *error = NULL;

  reply = xi_supabase_client_rpc_finish (XI_SUPABASE_CLIENT (object), result, &error);
  if (reply == NULL)
    {
      quota_check_ended (task, error);
      return;
    }
  period = quota_period_from_reply (reply);
  if (period == NULL)
    {
      g_message ("The server's answer about the month's quota could not be understood; "
                 "the quota as last synced stands");
      quota_check_ended (task, NULL);
      return;
    }
  xi_store_sync_roll_quota_async (self->store, period, g_task_get_cancellable (task),
                                  quota_rolled_cb, task);
}

static void
quota_period_read_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  XiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;

  if (!xi_store_sync_quota_period_over_finish (XI_STORE (object), result, &error) ||
      over_read_budget (self, run, &error))
    {
      quota_check_ended (task, error);
      return;
    }
  xi_supabase_client_rpc_async (self->client, "check_quota_usage", NULL,
                                g_task_get_cancellable (task), quota_checked_cb, task);
}

static void
check_quota_period (GTask *task)
{
  XiSyncEngine *self = g_task_get_source_object (task);

  xi_store_sync_quota_period_over_async (self->store, g_task_get_cancellable (task),
                                         quota_period_read_cb, task);
}

static void device_read_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data);

/* The server was put back to an earlier copy, and every table is to be
 * read again (the store has begun that on disk). This device registers
 * again first, since the copy may predate its registration: its pushes
 * must raise its mark and may write its campaigns. Once a pass. */
static void
register_again (GTask *task)
{
  XiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  run->reregistered = TRUE;
  g_clear_pointer (&self->device_id, g_free);
  xi_store_sync_get_device_async (self->store, g_task_get_cancellable (task), device_read_cb, task);
}

/* A device mark lower than this device knew it: the server was put back
 * to an earlier copy, whatever its counter says now. */
static void
marks_checked_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean restored = FALSE;

  if (!xi_store_sync_check_marks_finish (XI_STORE (object), result, &restored, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  if (!restored || run->reregistered)
    {
      take_batch (task);
      return;
    }
  g_message ("A device mark on the server went back: it was restored from a backup; "
             "reading everything again");
  register_again (task);
}

static void
state_read_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  XiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(JsonNode) marks_node = NULL;
  JsonObject *object_state;
  JsonObject *marks;

  state = xi_supabase_client_rpc_finish (XI_SUPABASE_CLIENT (object), result, &error);
  if (state == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (state))
    {
      g_task_return_new_error (task, XI_SYNC_ERROR, XI_SYNC_ERROR_BAD_REPLY,
                               _("The server's sync state is not an object"));
      g_object_unref (task);
      return;
    }
  object_state = json_node_get_object (state);
  run->fence = xi_json_get_int (object_state, "purged_before_seq", 0);
  /* A server that does not say is asked about every table. */
  run->last_seq = xi_json_get_int (object_state, "last_seq", -1);
  /* Read again after this device registers again, following a restore. */
  g_clear_pointer (&run->purged, json_object_unref);
  if (xi_json_get_object (object_state, "purged") != NULL)
    run->purged = json_object_ref (xi_json_get_object (object_state, "purged"));
  marks = xi_json_get_object (object_state, "marks");
  run->expected_mark = -1;
  /* A server without device marks (older than them) proves nothing. */
  if (marks == NULL || self->device_id == NULL)
    {
      take_batch (task);
      return;
    }
  run->marked = json_object_has_member (marks, self->device_id);
  /* Unless the check finds it lower than this device knew, the mark
   * shown is the highest this device has seen for itself. */
  run->expected_mark = MAX (xi_json_get_int (marks, self->device_id, 0), 0);
  marks_node = json_node_init_object (json_node_alloc (), marks);
  json_node_seal (marks_node);
  xi_store_sync_check_marks_async (self->store, marks_node, self->device_id,
                                   g_task_get_cancellable (task), marks_checked_cb, task);
}

static void
read_state (GTask *task)
{
  XiSyncEngine *self = g_task_get_source_object (task);

  xi_supabase_client_rpc_async (self->client, "sync_state", NULL, g_task_get_cancellable (task),
                                state_read_cb, task);
}

static void
device_registered_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  XiSyncEngine *self = g_task_get_source_object (task);
  g_autofree char *device_id = g_strdup (g_object_get_data (G_OBJECT (task), "device-id"));
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = xi_supabase_client_rpc_finish (XI_SUPABASE_CLIENT (object), result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  g_free (self->device_id);
  self->device_id = g_steal_pointer (&device_id);
  xi_supabase_client_set_device_id (self->client, self->device_id);
  read_state (task);
}

/* The folder's device is registered once per engine, before anything is
 * pushed: the server takes a campaign's rows only from its own device. */
static void
device_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  XiSyncEngine *self = g_task_get_source_object (task);
  g_autofree char *device_id = NULL;
  g_autoptr(JsonObject) args = NULL;
  g_autoptr(GError) error = NULL;
  const char *name = g_get_host_name ();

  device_id = xi_store_sync_get_device_finish (XI_STORE (object), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  if (device_id == NULL || g_strcmp0 (device_id, self->device_id) == 0)
    {
      read_state (task);
      return;
    }

  args = json_object_new ();
  json_object_set_string_member (args, "p_device_id", device_id);
  json_object_set_string_member (args, "p_name", g_utf8_strlen (name, -1) <= 100 ? name
                                                                              : "Xender-In");
  json_object_set_string_member (args, "p_platform", "Linux");
  g_object_set_data_full (G_OBJECT (task), "device-id", g_steal_pointer (&device_id), g_free);
  xi_supabase_client_rpc_async (self->client, "register_device", args,
                                g_task_get_cancellable (task), device_registered_cb, task);
}

/* Two programs syncing one data folder at once (the app, and
 * `xender-in-cli sync --once` from cron) would each compare what the
 * server told them with what the other wrote locally meanwhile: a device
 * mark or checkpoint the other pass raised reads as a server put back to
 * an earlier copy, and every table would be read again. A pass holds
 * flock () on `sync.lock` in the folder from its start to its end, and
 * the kernel drops it however the process ends. The file is never
 * removed: a lock on an unlinked file would lock nothing. A pass that
 * finds the lock taken waits a little for the other to end, then gives
 * up with an error that is retried later. */
static char *
lock_path (XiSyncEngine *self)
{
  g_autofree char *dir = g_path_get_dirname (xi_store_get_path (self->store));

  return g_build_filename (dir, LOCK_FILE_NAME, NULL);
}

static int
lock_open (XiSyncEngine  *self,
           GError       **error)
{
  g_autofree char *path = lock_path (self);
  int fd = g_open (path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_FAILED,
                   _("Cannot open the lock file “%s”: %s"), path,
                   saved_errno == ELOOP ? _("it is a symbolic link") : g_strerror (saved_errno));
    }
  return fd;
}

static void
lock_failed (GTask  *task,
             GError *error)
{
  g_task_return_error (task, error);
  g_object_unref (task);
}

static gboolean
lock_poll_cb (gpointer user_data)
{
  lock_try (user_data);
  return G_SOURCE_REMOVE;
}

static void
lock_try (GTask *task)
{
  XiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;
  int saved_errno;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (run->lock_fd < 0 && (run->lock_fd = lock_open (self, &error)) < 0)
    {
      lock_failed (task, error);
      return;
    }
  if (flock (run->lock_fd, LOCK_EX | LOCK_NB) == 0)
    {
      xi_store_sync_get_device_async (self->store, g_task_get_cancellable (task), device_read_cb,
                                      task);
      return;
    }
  saved_errno = errno;
  if (saved_errno != EWOULDBLOCK && saved_errno != EINTR)
    {
      g_autofree char *path = lock_path (self);

      lock_failed (task, g_error_new (XI_SYNC_ERROR, XI_SYNC_ERROR_FAILED,
                                      _("Cannot lock “%s”: %s"), path,
                                      g_strerror (saved_errno)));
      return;
    }
  if (run->lock_waited_ms >= LOCK_WAIT_MS)
    {
      lock_failed (task, g_error_new_literal (XI_SYNC_ERROR, XI_SYNC_ERROR_BUSY,
                                              _("Another program is syncing this data folder; "
                                                "sync tries again later")));
      return;
    }
  if (run->lock_waited_ms == 0)
    g_debug ("Another program is syncing this data folder; waiting for it");
  run->lock_waited_ms += LOCK_POLL_MS;
  g_timeout_add (LOCK_POLL_MS, lock_poll_cb, task);
}

/* GObject */

static void
xi_sync_engine_finalize (GObject *object)
{
  XiSyncEngine *self = (XiSyncEngine *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->client);
  g_free (self->device_id);

  G_OBJECT_CLASS (xi_sync_engine_parent_class)->finalize (object);
}

static void
xi_sync_engine_class_init (XiSyncEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = xi_sync_engine_finalize;

  /**
   * XiSyncEngine::pushing:
   * @self: the engine
   * @n_ops: how many ops the batch holds
   *
   * Emitted on the engine's thread before each batch of ops goes to the
   * server, once the pass has read and checked the server's state. The
   * pass waits for the handlers to return.
   */
  signals[SIGNAL_PUSHING] =
    g_signal_new ("pushing", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
xi_sync_engine_init (XiSyncEngine *self)
{
  self->owner = g_thread_self ();
}

/* Public API */

/**
 * xi_sync_engine_new:
 * @store: the account's open store; its master user id is the account's
 * @client: a client signed in to that account
 *
 * Creates an engine owned by the calling thread, which must be the
 * client's.
 *
 * Returns: (transfer full): a new #XiSyncEngine
 */
XiSyncEngine *
xi_sync_engine_new (XiStore          *store,
                    XiSupabaseClient *client)
{
  XiSyncEngine *self;

  g_return_val_if_fail (XI_IS_STORE (store), NULL);
  g_return_val_if_fail (XI_IS_SUPABASE_CLIENT (client), NULL);

  self = g_object_new (XI_TYPE_SYNC_ENGINE, NULL);
  self->store = g_object_ref (store);
  self->client = g_object_ref (client);
  return self;
}

/**
 * xi_sync_engine_backoff_seconds:
 * @attempts: how often the op was sent before
 * @retry_after: what the server asked for (`Retry-After`), or 0
 *
 * How long a failed op waits: doubling with each attempt up to five
 * minutes, with jitter so that computers that went offline together do
 * not come back in step, and never less than the server asked for.
 *
 * Returns: seconds
 */
guint
xi_sync_engine_backoff_seconds (guint attempts,
                                guint retry_after)
{
  guint ceiling = 1u << MIN (attempts, 9u);
  guint seconds;

  ceiling = MIN (ceiling, MAX_BACKOFF_SECONDS);
  seconds = (guint) g_random_int_range ((gint32) (ceiling + 1) / 2, (gint32) ceiling + 1);
  return MAX (seconds, retry_after);
}

/**
 * xi_sync_engine_run_once_async:
 * @self: a #XiSyncEngine
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the pass is over
 * @user_data: data for @callback
 *
 * Pushes every op that is due, then pulls every table. A transient
 * failure ends the pass with that error (see xi_sync_error_is_transient());
 * the ops it concerned wait for their backoff.
 */
void
xi_sync_engine_run_once_async (XiSyncEngine        *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  const char *budget;
  GTask *task;
  Run *run;

  g_return_if_fail (XI_IS_SYNC_ENGINE (self));
  g_assert (self->owner == g_thread_self ());

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_sync_engine_run_once_async);
  if (self->running)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                               _("Sync is running already"));
      g_object_unref (task);
      return;
    }
  run = g_new0 (Run, 1);
  run->read_before = xi_supabase_client_get_bytes_read (self->client);
  /* Tests shrink the budget; nobody else should. */
  budget = g_getenv ("XI_SYNC_READ_BUDGET_BYTES");
  run->read_budget = budget != NULL ? CLAMP (g_ascii_strtoull (budget, NULL, 10), 1, MAX_PASS_READ_BYTES)
                                    : MAX_PASS_READ_BYTES;
  run->tables = xi_store_sync_pull_tables ();
  run->lock_fd = -1;
  run->expected_mark = -1;
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  self->running = TRUE;
  lock_try (task);
}

/**
 * xi_sync_engine_run_once_finish:
 * @self: a #XiSyncEngine
 * @result: the result
 * @stats: (out) (optional): what the pass did, also when it failed
 * @error: return location for an error
 *
 * Returns: whether the pass got through both push and pull
 */
gboolean
xi_sync_engine_run_once_finish (XiSyncEngine  *self,
                                GAsyncResult  *result,
                                XiSyncStats   *stats,
                                GError       **error)
{
  Run *run;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  /* A pass refused as busy has no run of its own. */
  run = g_task_get_task_data (G_TASK (result));
  if (run != NULL)
    {
      self->running = FALSE;
      /* Released now, not when the task goes: the caller may start the
       * next pass, or another program may, before that. */
      if (run->lock_fd >= 0)
        {
          close (run->lock_fd);
          run->lock_fd = -1;
        }
    }
  if (stats != NULL)
    *stats = run != NULL ? run->stats : (XiSyncStats) { 0, };
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * xi_sync_stats_describe_restored:
 * @stats: what a pass did
 *
 * Returns: (transfer full) (nullable): what the user is told when the
 *   server had been put back to an earlier copy and this computer sent
 *   it what it lost, or %NULL when that did not happen
 */
char *
xi_sync_stats_describe_restored (const XiSyncStats *stats)
{
  g_return_val_if_fail (stats != NULL, NULL);

  if (stats->restored == 0)
    return NULL;
  return g_strdup_printf (ngettext ("The sync server was put back to an earlier copy of your data. "
                                    "%u item it lost is being sent to it again from this computer.",
                                    "The sync server was put back to an earlier copy of your data. "
                                    "%u items it lost are being sent to it again from this computer.",
                                    stats->restored),
                          stats->restored);
}
