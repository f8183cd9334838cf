/* wa-websocket-frame.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* RFC 6455 §5.2 */
typedef enum {
  WA_WEBSOCKET_OPCODE_CONTINUATION = 0x0,
  WA_WEBSOCKET_OPCODE_TEXT         = 0x1,
  WA_WEBSOCKET_OPCODE_BINARY       = 0x2,
  WA_WEBSOCKET_OPCODE_CLOSE        = 0x8,
  WA_WEBSOCKET_OPCODE_PING         = 0x9,
  WA_WEBSOCKET_OPCODE_PONG         = 0xa,
} WaWebsocketOpcode;

/* RFC 6455 §7.4.1 */
#define WA_WEBSOCKET_CLOSE_NORMAL           1000
#define WA_WEBSOCKET_CLOSE_PROTOCOL_ERROR   1002
#define WA_WEBSOCKET_CLOSE_UNSUPPORTED_DATA 1003
#define WA_WEBSOCKET_CLOSE_NO_STATUS        1005
#define WA_WEBSOCKET_CLOSE_ABNORMAL         1006
#define WA_WEBSOCKET_CLOSE_BAD_DATA         1007
#define WA_WEBSOCKET_CLOSE_TOO_BIG          1009

/* A control frame's payload, at most (§5.5). */
#define WA_WEBSOCKET_CONTROL_MAX 125
/* The longest client frame header: 2 bytes, 8 of length, 4 of mask. */
#define WA_WEBSOCKET_HEADER_MAX 14

typedef struct _WaWebsocketReader WaWebsocketReader;

WaWebsocketReader *wa_websocket_reader_new        (gsize               max_message) G_GNUC_WARN_UNUSED_RESULT;
void               wa_websocket_reader_free       (WaWebsocketReader  *self);
guint8            *wa_websocket_reader_get_space  (WaWebsocketReader  *self,
                                                   gsize              *space);
void               wa_websocket_reader_commit     (WaWebsocketReader  *self,
                                                   gsize               len);
gboolean           wa_websocket_reader_next       (WaWebsocketReader  *self,
                                                   WaWebsocketOpcode  *opcode,
                                                   GBytes            **payload,
                                                   GError            **error);
guint16            wa_websocket_reader_get_close_code (WaWebsocketReader *self);
gboolean           wa_websocket_reader_finish     (WaWebsocketReader  *self,
                                                   GError            **error);

void               wa_websocket_frame_append      (GByteArray         *out,
                                                   WaWebsocketOpcode   opcode,
                                                   const guint8       *payload,
                                                   gsize               len);
guint16            wa_websocket_close_payload_get_code (GBytes        *payload);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaWebsocketReader, wa_websocket_reader_free)

G_END_DECLS
