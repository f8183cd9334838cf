/* xi-connection.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "xi-engine-types.h"
#include "xi-net-thread.h"
#include "xi-store.h"

G_BEGIN_DECLS

#define XI_TYPE_CONNECTION (xi_connection_get_type ())

G_DECLARE_FINAL_TYPE (XiConnection, xi_connection, XI, CONNECTION, GObject)

XiConnection      *xi_connection_new              (XiStore              *store,
                                                   XiNetThread          *net_thread);
XiConnectionState  xi_connection_get_state        (XiConnection         *self);
const char        *xi_connection_get_detail       (XiConnection         *self);
guint              xi_connection_get_retry_in     (XiConnection         *self);
const char        *xi_connection_get_jid          (XiConnection         *self);
const char        *xi_connection_get_qr_data      (XiConnection         *self);
guint              xi_connection_get_qr_seconds   (XiConnection         *self);
char              *xi_connection_dup_status_text  (XiConnection         *self);
void               xi_connection_start            (XiConnection         *self);
void               xi_connection_link             (XiConnection         *self);
void               xi_connection_cancel_link      (XiConnection         *self);
void               xi_connection_reconnect_now    (XiConnection         *self);
void               xi_connection_unlink_async     (XiConnection         *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean           xi_connection_unlink_finish    (XiConnection         *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
void               xi_connection_shutdown         (XiConnection         *self);

G_END_DECLS
