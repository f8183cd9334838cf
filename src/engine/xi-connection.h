/* xi-connection.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "wa-client.h"
#include "wa-crypto.h"
#include "xi-campaign-runner.h"
#include "xi-number-check.h"
#include "xi-store.h"

G_BEGIN_DECLS

/**
 * XiConnectionStatus:
 * @XI_CONNECTION_STATUS_STARTING: the saved session is being read
 * @XI_CONNECTION_STATUS_NOT_LINKED: no WhatsApp account is linked, and
 *   nothing connects until the user asks to link one
 * @XI_CONNECTION_STATUS_LINKING: linking: waiting for a code, or showing
 *   one (#XiConnection:qr)
 * @XI_CONNECTION_STATUS_LINK_EXPIRED: nobody scanned the codes in time
 * @XI_CONNECTION_STATUS_CONNECTING: logging in with the saved session
 * @XI_CONNECTION_STATUS_CONNECTED: logged in; messages can go
 * @XI_CONNECTION_STATUS_RECONNECTING: the connection failed or was lost;
 *   trying again at #XiConnection:retry-at
 * @XI_CONNECTION_STATUS_NO_NETWORK: as RECONNECTING, while the computer
 *   has no network
 * @XI_CONNECTION_STATUS_LOGGED_OUT: the phone or WhatsApp unlinked this
 *   computer; its keys are gone and it must be linked again
 * @XI_CONNECTION_STATUS_REPLACED: the same device connected from another
 *   place and took over; nothing reconnects until the user asks
 * @XI_CONNECTION_STATUS_FAILED: the client gave up for a reason trying
 *   again cannot fix by itself; #XiConnection:reason says which
 * @XI_CONNECTION_STATUS_BANNED: WhatsApp banned the account for good; the
 *   session is gone
 * @XI_CONNECTION_STATUS_TEMPORARILY_BANNED: WhatsApp banned the account
 *   until #XiConnection:retry-at, when it connects again by itself
 * @XI_CONNECTION_STATUS_OUTDATED: WhatsApp refuses this version of the
 *   WhatsApp Web protocol: the version setting must be updated
 *
 * What the user is told about the WhatsApp connection.
 */
typedef enum {
  XI_CONNECTION_STATUS_STARTING,
  XI_CONNECTION_STATUS_NOT_LINKED,
  XI_CONNECTION_STATUS_LINKING,
  XI_CONNECTION_STATUS_LINK_EXPIRED,
  XI_CONNECTION_STATUS_CONNECTING,
  XI_CONNECTION_STATUS_CONNECTED,
  XI_CONNECTION_STATUS_RECONNECTING,
  XI_CONNECTION_STATUS_NO_NETWORK,
  XI_CONNECTION_STATUS_LOGGED_OUT,
  XI_CONNECTION_STATUS_REPLACED,
  XI_CONNECTION_STATUS_FAILED,
  XI_CONNECTION_STATUS_BANNED,
  XI_CONNECTION_STATUS_TEMPORARILY_BANNED,
  XI_CONNECTION_STATUS_OUTDATED,
} XiConnectionStatus;

#define XI_TYPE_CONNECTION_STATUS (xi_connection_status_get_type ())
GType xi_connection_status_get_type (void) G_GNUC_CONST;

#define XI_TYPE_CONNECTION (xi_connection_get_type ())

/* The main thread's view of the WhatsApp connection. The client itself
 * lives on the network thread; this object drives it from there and
 * publishes what the UI needs as properties, notified on the thread that
 * created it. */
G_DECLARE_FINAL_TYPE (XiConnection, xi_connection, XI, CONNECTION, GObject)

XiConnection       *xi_connection_new                (XiStore             *store,
                                                      GMainContext        *net_context,
                                                      const char          *url,
                                                      const guint8         root_key[WA_KEY_LEN]);
void                xi_connection_set_network_monitor (XiConnection       *self,
                                                      GNetworkMonitor     *monitor);
void                xi_connection_set_backoff        (XiConnection        *self,
                                                      guint                first_ms,
                                                      guint                max_ms);
gboolean            xi_connection_set_wa_version     (XiConnection        *self,
                                                      const char          *version,
                                                      GError             **error);
void                xi_connection_start              (XiConnection        *self);
void                xi_connection_stop               (XiConnection        *self);
void                xi_connection_link               (XiConnection        *self);
void                xi_connection_cancel_link        (XiConnection        *self);
void                xi_connection_unlink_async       (XiConnection        *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean            xi_connection_unlink_finish      (XiConnection        *self,
                                                      GAsyncResult        *result,
                                                      gboolean            *removed,
                                                      GError             **error);

XiConnectionStatus  xi_connection_get_status         (XiConnection        *self);
gint64              xi_connection_get_retry_at       (XiConnection        *self);
guint               xi_connection_get_seconds_to_retry (XiConnection      *self);
const char         *xi_connection_get_reason         (XiConnection        *self);
gint64              xi_connection_get_new_chats_paused_until (XiConnection *self);
const char         *xi_connection_get_qr             (XiConnection        *self);
const char         *xi_connection_get_phone          (XiConnection        *self);
const char         *xi_connection_get_device_name    (XiConnection        *self);
gboolean            xi_connection_is_linked          (XiConnection        *self);

void                xi_connection_set_runner         (XiConnection        *self,
                                                      XiCampaignRunner    *runner);
void                xi_connection_send_text_async    (XiConnection        *self,
                                                      const char          *phone,
                                                      const char          *text,
                                                      XiAsset             *attachment,
                                                      const char          *reply_to,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
char               *xi_connection_send_text_finish   (XiConnection        *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
void                xi_connection_check_numbers_async (XiConnection       *self,
                                                      const char * const  *phones,
                                                      XiNumberCheckProgress progress,
                                                      gpointer             progress_data,
                                                      GDestroyNotify       progress_destroy,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GPtrArray          *xi_connection_check_numbers_finish (XiConnection      *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

char               *xi_connection_describe_refusal   (WaClientState        state,
                                                      const char          *ban_code,
                                                      gint64               ban_until);
void                xi_connection_keep_link_async    (WaClient            *client,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean            xi_connection_keep_link_finish   (WaClient            *client,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS
