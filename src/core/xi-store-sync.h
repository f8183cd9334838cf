/* xi-store-sync.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "xi-store.h"

G_BEGIN_DECLS

/**
 * XiSyncOp:
 * @op_seq: the op's place in the outbox (FIFO order)
 * @op_id: the op's UUID, sent as `last_op_id`; the same on every retry
 * @table_name: the synced table
 * @row_id: the row's id
 * @kind: "upsert" (a row) or "rpc" (a call)
 * @base_version: the server version the change was made from
 * @changed: (array zero-terminated=1): the columns the op changed
 * @row_json: (nullable): the row as the server takes it: every column with
 *   explicit nulls, plus `base_version`, `sync_changed` and `last_op_id`;
 *   %NULL for an rpc op or a row that no longer exists
 * @rpc_args: (nullable): the call's arguments as JSON, rpc ops only
 * @attempts: how many times it was handed out before
 * @last_error: (nullable): why the server refused it (dead ops) or why the
 *   last attempt failed
 *
 * One queued change, as the sync engine pushes it. A plain snapshot: it
 * holds no reference to the store and may cross threads.
 */
typedef struct
{
  gint64   op_seq;
  char    *op_id;
  char    *table_name;
  char    *row_id;
  char    *kind;
  gint64   base_version;
  char   **changed;
  char    *row_json;
  char    *rpc_args;
  guint    attempts;
  char    *last_error;
} XiSyncOp;

void            xi_sync_op_free                      (XiSyncOp              *op);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiSyncOp, xi_sync_op_free)

/**
 * XiSyncOutcome:
 * @XI_SYNC_OUTCOME_APPLIED: the server took the op and returned the row,
 *   or returned nothing for an insert-only fact it already had
 * @XI_SYNC_OUTCOME_SKIPPED: the server left the row out of its reply: it
 *   was deleted there and the delete wins over this edit
 * @XI_SYNC_OUTCOME_REFUSED: the server refused the op for good (a 4xx that
 *   is not about the session); it becomes dead
 * @XI_SYNC_OUTCOME_TRANSIENT: the network or the server failed; the op is
 *   queued again with the same id
 */
typedef enum {
  XI_SYNC_OUTCOME_APPLIED,
  XI_SYNC_OUTCOME_SKIPPED,
  XI_SYNC_OUTCOME_REFUSED,
  XI_SYNC_OUTCOME_TRANSIENT,
} XiSyncOutcome;

/**
 * XiSyncResult:
 * @op_id: the op this is about
 * @outcome: what happened to it
 * @server_row: (nullable): the row the server returned, a JSON object;
 *   %NULL when it returned none (the local row then counts as synced)
 * @message: (nullable): the server's message, kept with a dead op
 * @retry_after: for %XI_SYNC_OUTCOME_TRANSIENT, seconds before the op may
 *   be handed out again (the engine's backoff or the server's Retry-After)
 */
typedef struct
{
  char          *op_id;
  XiSyncOutcome  outcome;
  char          *server_row;
  char          *message;
  guint          retry_after;
} XiSyncResult;

XiSyncResult   *xi_sync_result_new                   (const char            *op_id,
                                                      XiSyncOutcome          outcome,
                                                      const char            *server_row,
                                                      const char            *message,
                                                      guint                  retry_after);
void            xi_sync_result_free                  (XiSyncResult          *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiSyncResult, xi_sync_result_free)

/**
 * XiSyncDeadAction:
 * @XI_SYNC_DEAD_RETRY: queue the op again
 * @XI_SYNC_DEAD_DISCARD: drop it and take the server's copy of the row
 */
typedef enum {
  XI_SYNC_DEAD_RETRY,
  XI_SYNC_DEAD_DISCARD,
} XiSyncDeadAction;

/**
 * XiSyncResync:
 * @XI_SYNC_RESYNC_NONE: the table is read from its checkpoint as usual
 * @XI_SYNC_RESYNC_PURGE: a full re-read after tombstones were purged
 * @XI_SYNC_RESYNC_RESTORE: a full re-read after the server was put back
 *   to an earlier copy
 *
 * A full re-read of a table under way (it survives a restart).
 */
typedef enum {
  XI_SYNC_RESYNC_NONE,
  XI_SYNC_RESYNC_PURGE,
  XI_SYNC_RESYNC_RESTORE,
} XiSyncResync;

/**
 * XiSyncCounts:
 * @pending: ops waiting to be pushed or being pushed
 * @dead: ops the server refused, waiting for the user
 * @conflicts: rows whose local edit met a delete from another device
 */
typedef struct
{
  guint pending;
  guint dead;
  guint conflicts;
} XiSyncCounts;

const char * const *xi_store_sync_tables             (void);
const char * const *xi_store_sync_pull_tables        (void);
const char     *xi_store_sync_pull_columns           (const char            *table_name);

void            xi_store_sync_set_device_async       (XiStore               *self,
                                                      const char            *device_id,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_sync_set_device_finish      (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_sync_list_server_rows_async (XiStore               *self,
                                                      const char            *table_name,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
JsonArray      *xi_store_sync_list_server_rows_finish (XiStore              *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_sync_get_device_async       (XiStore               *self,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
char           *xi_store_sync_get_device_finish      (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_sync_take_batch_async       (XiStore               *self,
                                                      guint                  max_ops,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GPtrArray      *xi_store_sync_take_batch_finish      (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_sync_complete_async         (XiStore               *self,
                                                      GPtrArray             *results,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_sync_complete_finish        (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_sync_apply_page_async       (XiStore               *self,
                                                      const char            *table_name,
                                                      GBytes                *rows_json,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
void            xi_store_sync_apply_rows_async       (XiStore               *self,
                                                      const char            *table_name,
                                                      JsonNode              *rows,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
guint           xi_store_sync_apply_page_finish      (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      gint64                *checkpoint,
                                                      GError               **error);
void            xi_store_sync_get_checkpoint_async   (XiStore               *self,
                                                      const char            *table_name,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gint64          xi_store_sync_get_checkpoint_finish  (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_sync_set_checkpoint_async   (XiStore               *self,
                                                      const char            *table_name,
                                                      gint64                 last_seq,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_sync_set_checkpoint_finish  (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_sync_quota_period_over_async (XiStore              *self,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_sync_quota_period_over_finish (XiStore             *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_sync_roll_quota_async       (XiStore               *self,
                                                      const char            *period,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_sync_roll_quota_finish      (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_sync_begin_resync_async     (XiStore               *self,
                                                      const char            *table_name,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_sync_begin_resync_finish    (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_sync_begin_restore_async    (XiStore               *self,
                                                      const char            *table_name,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
void            xi_store_sync_get_resync_async       (XiStore               *self,
                                                      const char            *table_name,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiSyncResync    xi_store_sync_get_resync_finish      (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_sync_check_marks_async      (XiStore               *self,
                                                      JsonNode              *marks,
                                                      const char            *device_id,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_sync_check_marks_finish     (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      gboolean              *restored,
                                                      GError               **error);
void            xi_store_sync_restore_all_async      (XiStore               *self,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_sync_restore_all_finish     (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_sync_note_pushed_async      (XiStore               *self,
                                                      const char            *device_id,
                                                      gint64                 server_seq,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_sync_note_pushed_finish     (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_sync_finish_resync_async    (XiStore               *self,
                                                      const char            *table_name,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
guint           xi_store_sync_finish_resync_finish   (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_sync_list_dead_async        (XiStore               *self,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GPtrArray      *xi_store_sync_list_dead_finish       (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_sync_resolve_dead_async     (XiStore               *self,
                                                      const char            *op_id,
                                                      XiSyncDeadAction       action,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
guint           xi_store_sync_resolve_dead_finish    (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_sync_get_counts_async       (XiStore               *self,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_sync_get_counts_finish      (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      XiSyncCounts          *counts,
                                                      GError               **error);

G_END_DECLS
