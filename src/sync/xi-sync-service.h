/* xi-sync-service.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "xi-store.h"
#include "xi-store-sync.h"

G_BEGIN_DECLS

/**
 * XiSyncState:
 * @XI_SYNC_STATE_STARTING: the session is being restored
 * @XI_SYNC_STATE_UP_TO_DATE: the last pass sent and received everything
 * @XI_SYNC_STATE_SYNCING: a pass is running
 * @XI_SYNC_STATE_OFFLINE: the server could not be reached; a retry is
 *   scheduled (#XiSyncService:retry-in)
 * @XI_SYNC_STATE_SIGNED_OUT: the server ended the session: sync stopped,
 *   the data stays, the user signs in again
 * @XI_SYNC_STATE_PROBLEM: something that retrying cannot fix
 *   (#XiSyncService:message says what)
 *
 * What the header's sync indicator shows.
 */
typedef enum {
  XI_SYNC_STATE_STARTING,
  XI_SYNC_STATE_UP_TO_DATE,
  XI_SYNC_STATE_SYNCING,
  XI_SYNC_STATE_OFFLINE,
  XI_SYNC_STATE_SIGNED_OUT,
  XI_SYNC_STATE_PROBLEM,
} XiSyncState;

#define XI_TYPE_SYNC_SERVICE (xi_sync_service_get_type ())

G_DECLARE_FINAL_TYPE (XiSyncService, xi_sync_service, XI, SYNC_SERVICE, GObject)

XiSyncService *xi_sync_service_new           (XiStore        *store,
                                              const char     *project_url,
                                              const char     *anon_key);
void           xi_sync_service_start         (XiSyncService  *self);
void           xi_sync_service_sync_now      (XiSyncService  *self);
void           xi_sync_service_stop          (XiSyncService  *self);
XiSyncState    xi_sync_service_get_state     (XiSyncService  *self);
guint          xi_sync_service_get_pending   (XiSyncService  *self);
guint          xi_sync_service_get_refused   (XiSyncService  *self);
guint          xi_sync_service_get_retry_in  (XiSyncService  *self);
const char    *xi_sync_service_get_message   (XiSyncService  *self);
void           xi_sync_service_resolve_refused_async  (XiSyncService       *self,
                                                       const char          *op_id,
                                                       XiSyncDeadAction     action,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
guint          xi_sync_service_resolve_refused_finish (XiSyncService       *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

G_END_DECLS
