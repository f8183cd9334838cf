/* wa-websocket.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How much may wait unsent for a peer that does not read before the
 * connection is given up. */
#define WA_WEBSOCKET_MAX_QUEUED (32u * 1024 * 1024)

#define WA_TYPE_WEBSOCKET (wa_websocket_get_type ())

/* The client end of a WebSocket (RFC 6455) carrying binary messages.
 * Signals, on the thread-default context of the connect call: "message"
 * (GBytes) for every message, "closed" (GError) once, when the server
 * closed, broke the protocol or the socket failed. */
G_DECLARE_FINAL_TYPE (WaWebsocket, wa_websocket, WA, WEBSOCKET, GObject)

void         wa_websocket_connect_async  (const char           *url,
                                          const char           *origin,
                                          gsize                 max_message,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
WaWebsocket *wa_websocket_connect_finish (GAsyncResult         *result,
                                          GError              **error);
gboolean     wa_websocket_send           (WaWebsocket          *self,
                                          const guint8         *message,
                                          gsize                 len,
                                          GError              **error);
void         wa_websocket_close          (WaWebsocket          *self,
                                          guint16               code,
                                          const char           *reason);
void         wa_websocket_set_receiving  (WaWebsocket          *self,
                                          gboolean              receiving);
gboolean     wa_websocket_is_open        (WaWebsocket          *self);

G_END_DECLS
