/* wa-frame.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The connection header the client sends once: "WA", magic 6, dictionary 3. */
#define WA_FRAME_HEADER      "WA\x06\x03"
#define WA_FRAME_HEADER_LEN  4
/* Every frame starts with its length as 3 big-endian bytes. */
#define WA_FRAME_LENGTH_LEN  3
/* A frame payload must be shorter than 1 << 24 bytes. */
#define WA_FRAME_MAX_PAYLOAD ((1u << 24) - 1)

/**
 * WaFrameSide:
 * @WA_FRAME_SIDE_CLIENT: the client: its writer sends the connection
 *   header before the first frame; its reader expects none
 * @WA_FRAME_SIDE_SERVER: the (fake) server: its reader first expects and
 *   checks the connection header; its writer sends none
 */
typedef enum {
  WA_FRAME_SIDE_CLIENT,
  WA_FRAME_SIDE_SERVER,
} WaFrameSide;

typedef struct _WaFrameWriter WaFrameWriter;
typedef struct _WaFrameReader WaFrameReader;

WaFrameWriter *wa_frame_writer_new        (WaFrameSide     side) G_GNUC_WARN_UNUSED_RESULT;
void           wa_frame_writer_free       (WaFrameWriter  *self);
GBytes        *wa_frame_writer_write      (WaFrameWriter  *self,
                                           const guint8   *payload,
                                           gsize           len,
                                           GError        **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean       wa_frame_writer_send       (WaFrameWriter            *self,
                                           SoupWebsocketConnection  *websocket,
                                           GBytes                   *payload,
                                           GError                  **error);

WaFrameReader *wa_frame_reader_new        (WaFrameSide     side) G_GNUC_WARN_UNUSED_RESULT;
void           wa_frame_reader_free       (WaFrameReader  *self);
GPtrArray     *wa_frame_reader_feed       (WaFrameReader  *self,
                                           const guint8   *data,
                                           gsize           len,
                                           GError        **error) G_GNUC_WARN_UNUSED_RESULT;
gsize          wa_frame_reader_get_pending (WaFrameReader *self);
guint          wa_frame_reader_get_dict_version (WaFrameReader *self);
gboolean       wa_frame_reader_finish     (WaFrameReader  *self,
                                           GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaFrameWriter, wa_frame_writer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaFrameReader, wa_frame_reader_free)

G_END_DECLS
