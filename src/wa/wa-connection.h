/* wa-connection.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "wa-crypto.h"
#include "wa-node.h"

G_BEGIN_DECLS

/* The WhatsApp Web endpoint (protocol notes §1). Tests and the command
 * line may point elsewhere; the app never does. */
#define WA_CONNECTION_DEFAULT_URL "wss://web.whatsapp.com/ws/chat"

/* The generic iq deadline (whatsmeow 75 s, Baileys 60 s) and the
 * keepalive rhythm (§6.4). */
#define WA_CONNECTION_IQ_TIMEOUT_MS        60000
#define WA_CONNECTION_KEEPALIVE_INTERVAL_MS 25000
#define WA_CONNECTION_KEEPALIVE_TIMEOUT_MS  10000

/* How long both clients wait for the ServerHello (§2.2). */
#define WA_CONNECTION_HANDSHAKE_TIMEOUT_MS 20000

#define WA_TYPE_CONNECTION (wa_connection_get_type ())

/* One encrypted connection to the server: a WebSocket carrying 3-byte
 * length frames, the Noise XX handshake with the server's certificate
 * chain checked against a root key, then binary nodes both ways.
 * Signals, on the thread-default context of the connect call: "node"
 * (WaNode) for every node received, "closed" (GError) once. */
G_DECLARE_FINAL_TYPE (WaConnection, wa_connection, WA, CONNECTION, GObject)

void          wa_connection_connect_async  (const char           *url,
                                            const guint8          root_key[WA_KEY_LEN],
                                            const WaKeyPair      *noise_static,
                                            GBytes               *client_payload,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
WaConnection *wa_connection_connect_finish (GAsyncResult         *result,
                                            GError              **error);
gboolean      wa_connection_send_node      (WaConnection         *self,
                                            WaNode               *node,
                                            GError              **error);
void          wa_connection_send_iq_async  (WaConnection         *self,
                                            WaNode               *iq,
                                            guint                 timeout_ms,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
WaNode       *wa_connection_send_iq_finish (WaConnection         *self,
                                            GAsyncResult         *result,
                                            GError              **error);
void          wa_connection_send_message_async  (WaConnection    *self,
                                            WaNode               *message,
                                            guint                 timeout_ms,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
WaNode       *wa_connection_send_message_finish (WaConnection    *self,
                                            GAsyncResult         *result,
                                            GError              **error);
void          wa_connection_start_keepalive (WaConnection        *self,
                                            guint                 interval_ms,
                                            guint                 timeout_ms);
void          wa_connection_set_receiving  (WaConnection         *self,
                                            gboolean              receiving);
void          wa_connection_close          (WaConnection         *self);
gboolean      wa_connection_is_open        (WaConnection         *self);

G_END_DECLS
