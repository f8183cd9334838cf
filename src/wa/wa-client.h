/* wa-client.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-connection.h"
#include "wa-credentials.h"
#include "wa-key-store.h"

G_BEGIN_DECLS

/* Where our push name is kept (shared with app-state sync). */
#define WA_CLIENT_PUSH_NAME_KIND "account"
#define WA_CLIENT_PUSH_NAME_KEY  "push-name"

/**
 * WaClientState:
 * @WA_CLIENT_STATE_STOPPED: not started, or stopped
 * @WA_CLIENT_STATE_CONNECTING: opening a connection or logging in
 * @WA_CLIENT_STATE_PAIRING: showing QR codes (see the "qr" signal)
 * @WA_CLIENT_STATE_CONNECTED: logged in; messages can flow
 * @WA_CLIENT_STATE_WAITING: the connection was lost; trying again in
 *   #WaClient:retry-in seconds, or as soon as the network is back
 * @WA_CLIENT_STATE_LOGGED_OUT: the device was unlinked; its keys are gone
 *   and it must be linked again
 * @WA_CLIENT_STATE_REPLACED: another connection of this device took over;
 *   no automatic reconnect, or the two would fight
 * @WA_CLIENT_STATE_BANNED: WhatsApp banned the account for good (login
 *   failure 403 or 406); the session is gone
 * @WA_CLIENT_STATE_TEMPORARILY_BANNED: WhatsApp banned the account for a
 *   while (login failure 402, wa_client_get_ban_code()); the client tries
 *   again when the ban ends (wa_client_get_ban_until()), not sooner
 * @WA_CLIENT_STATE_OUTDATED: WhatsApp refuses this client version (login
 *   failure 405); nothing reconnects until the version is updated
 */
typedef enum {
  WA_CLIENT_STATE_STOPPED,
  WA_CLIENT_STATE_CONNECTING,
  WA_CLIENT_STATE_PAIRING,
  WA_CLIENT_STATE_CONNECTED,
  WA_CLIENT_STATE_WAITING,
  WA_CLIENT_STATE_LOGGED_OUT,
  WA_CLIENT_STATE_REPLACED,
  WA_CLIENT_STATE_BANNED,
  WA_CLIENT_STATE_TEMPORARILY_BANNED,
  WA_CLIENT_STATE_OUTDATED,
} WaClientState;

#define WA_TYPE_CLIENT (wa_client_get_type ())

/* A WhatsApp device that stays connected: it links itself by QR code when
 * it has no session, logs in when it has one, answers the server's
 * keepalive needs, and reconnects by itself with exponential backoff and
 * jitter when the connection is lost (protocol notes §5–6). Signals: "qr"
 * (text to show), "paired" (device JID), "node" (every node received
 * while connected). Watch the "state" property. Lives on one thread. */
G_DECLARE_FINAL_TYPE (WaClient, wa_client, WA, CLIENT, GObject)

WaClient      *wa_client_new            (WaKeyStore    *store,
                                         const char    *url,
                                         const guint8   root_key[WA_KEY_LEN]);
void           wa_client_start          (WaClient      *self);
void           wa_client_stop           (WaClient      *self);
WaClientState  wa_client_get_state      (WaClient      *self);
guint          wa_client_get_retry_in   (WaClient      *self);
const char    *wa_client_get_last_error (WaClient      *self);
const char    *wa_client_get_url        (WaClient      *self);
const char    *wa_client_get_device_jid (WaClient      *self);
const char    *wa_client_get_lid        (WaClient      *self);
const char    *wa_client_get_ban_code   (WaClient      *self);
gint64         wa_client_get_ban_until  (WaClient      *self);
gboolean       wa_client_get_caught_up  (WaClient      *self);
gboolean       wa_client_get_available  (WaClient      *self);
const WaCredentials *wa_client_get_credentials (WaClient *self);
WaKeyStore    *wa_client_get_key_store  (WaClient      *self);
gboolean       wa_client_save_link      (WaClient      *self);
WaConnection  *wa_client_get_connection (WaClient      *self);
void           wa_client_unlink_async   (WaClient      *self,
                                         GCancellable  *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer       user_data);
gboolean       wa_client_unlink_finish  (WaClient      *self,
                                         GAsyncResult  *result,
                                         gboolean      *removed,
                                         GError       **error);
void           wa_client_set_backoff    (WaClient      *self,
                                         guint          first_ms,
                                         guint          max_ms);
void           wa_client_set_network_monitor (WaClient   *self,
                                         GNetworkMonitor *monitor);
void           wa_client_set_app_version (WaClient     *self,
                                         const guint32  version[3]);
void           wa_client_set_receiving  (WaClient      *self,
                                         gboolean       receiving);
void           wa_client_set_keepalive  (WaClient      *self,
                                         guint          interval_ms,
                                         guint          timeout_ms);

typedef gint64 (*WaClientClock) (gpointer user_data);

void           wa_client_set_clock      (WaClient      *self,
                                         WaClientClock  clock,
                                         gpointer       user_data);

G_END_DECLS
