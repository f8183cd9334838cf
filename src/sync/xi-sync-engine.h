/* xi-sync-engine.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "xi-store.h"
#include "xi-supabase-client.h"

G_BEGIN_DECLS

/**
 * XiSyncStats:
 * @pushed: ops the server took
 * @refused: ops the server refused for good (now dead, shown to the user)
 * @skipped: ops whose row was deleted on the server meanwhile
 * @pulled: rows of the synced tables (xi_store_sync_tables()) read from
 *   the server and applied; the allowance and payments are not counted
 * @restored: rows the server lost (it was put back to an earlier copy)
 *   that this device had and queued to push again
 *
 * What one pass of sync did.
 */
typedef struct
{
  guint pushed;
  guint refused;
  guint skipped;
  guint pulled;
  guint restored;
} XiSyncStats;

#define XI_TYPE_SYNC_ENGINE (xi_sync_engine_get_type ())

G_DECLARE_FINAL_TYPE (XiSyncEngine, xi_sync_engine, XI, SYNC_ENGINE, GObject)

XiSyncEngine *xi_sync_engine_new             (XiStore              *store,
                                              XiSupabaseClient     *client);
void          xi_sync_engine_run_once_async  (XiSyncEngine         *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean      xi_sync_engine_run_once_finish (XiSyncEngine         *self,
                                              GAsyncResult         *result,
                                              XiSyncStats          *stats,
                                              GError              **error);
guint         xi_sync_engine_backoff_seconds (guint                 attempts,
                                              guint                 retry_after);
char         *xi_sync_stats_describe_restored (const XiSyncStats   *stats);

G_END_DECLS
