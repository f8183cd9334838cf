/* wa-client.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "wa-key-store.h"

G_BEGIN_DECLS

/**
 * WaClientState:
 * @WA_CLIENT_STATE_DISCONNECTED: no socket; wa_client_connect() not called or given up
 * @WA_CLIENT_STATE_CONNECTING: socket and Noise handshake in progress
 * @WA_CLIENT_STATE_PAIRING: registered connection waiting for the phone to scan a QR code
 * @WA_CLIENT_STATE_CONNECTED: logged in; messages can flow
 * @WA_CLIENT_STATE_LOGGED_OUT: the server ended this device's session; keys were wiped
 *
 * The connection as the protocol sees it. Reconnecting with backoff is the
 * caller's policy (the engine's monitor), not the client's.
 */
typedef enum {
  WA_CLIENT_STATE_DISCONNECTED,
  WA_CLIENT_STATE_CONNECTING,
  WA_CLIENT_STATE_PAIRING,
  WA_CLIENT_STATE_CONNECTED,
  WA_CLIENT_STATE_LOGGED_OUT,
} WaClientState;

/**
 * WaDisconnectReason:
 * @WA_DISCONNECT_NONE: still connected, or closed on request
 * @WA_DISCONNECT_NETWORK: socket error, drop or keep-alive timeout: reconnect with backoff
 * @WA_DISCONNECT_RESTART: the server asked for a restart (515): reconnect at once
 * @WA_DISCONNECT_SERVER_UNAVAILABLE: 503 or 500: reconnect with backoff
 * @WA_DISCONNECT_LOGGED_OUT: 401, device removed, or 403/406: do not reconnect
 * @WA_DISCONNECT_REPLACED: another connection with these credentials took over: do not reconnect
 * @WA_DISCONNECT_BANNED: 402 temporary ban (see the expiry) or similar: do not reconnect
 * @WA_DISCONNECT_OUTDATED: 405 client version refused: do not reconnect
 * @WA_DISCONNECT_QR_EXPIRED: every pairing code expired unscanned: link again on request
 * @WA_DISCONNECT_HANDSHAKE: the server's certificate or Noise handshake was refused
 */
typedef enum {
  WA_DISCONNECT_NONE,
  WA_DISCONNECT_NETWORK,
  WA_DISCONNECT_RESTART,
  WA_DISCONNECT_SERVER_UNAVAILABLE,
  WA_DISCONNECT_LOGGED_OUT,
  WA_DISCONNECT_REPLACED,
  WA_DISCONNECT_BANNED,
  WA_DISCONNECT_OUTDATED,
  WA_DISCONNECT_QR_EXPIRED,
  WA_DISCONNECT_HANDSHAKE,
} WaDisconnectReason;

#define WA_TYPE_CLIENT (wa_client_get_type ())

/*
 * WaClient: one linked device talking to the server. Lives on one thread
 * (the network thread in the app) and uses that thread's default main
 * context for its socket and timers.
 *
 * Signals:
 *  - "qr" (const char *qr_data, guint seconds_valid): show this pairing
 *    code; emitted again when the server's next ref takes over.
 *  - "paired" (const char *jid, const char *platform): the phone accepted
 *    this device; a restart and login follow by themselves.
 *  - "connected": logged in.
 *  - "disconnected" (WaDisconnectReason reason, const char *detail).
 *  - "logged-out" (const char *detail): the session is gone and the
 *    device keys were wiped from the key store.
 *  - "node" (gpointer WaNode): every decrypted stanza, after the client's
 *    own handling, for the layers above (messages, receipts).
 *
 * Properties: "state" (WaClientState), "jid" (own device JID, nullable),
 * "push-name".
 */
G_DECLARE_FINAL_TYPE (WaClient, wa_client, WA, CLIENT, GObject)

WaClient           *wa_client_new               (WaKeyStore           *keys);
void                wa_client_set_server        (WaClient             *self,
                                                 const char           *url,
                                                 const guint8         *root_key);
void                wa_client_set_device_name   (WaClient             *self,
                                                 const char           *name);
gboolean            wa_client_is_registered     (WaClient             *self);
WaClientState       wa_client_get_state         (WaClient             *self);
const char         *wa_client_get_jid           (WaClient             *self);
void                wa_client_connect           (WaClient             *self);
void                wa_client_disconnect        (WaClient             *self);
void                wa_client_logout_async      (WaClient             *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean            wa_client_logout_finish     (WaClient             *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

G_END_DECLS
