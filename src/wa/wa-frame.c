/* wa-frame.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-frame"

#include "config.h"

#include <string.h>

#include "wa-binary.h"
#include "wa-error.h"
#include "wa-frame.h"
#include "wa-noise.h"

/*
 * The byte stream inside the WebSocket (WA-PROTOCOL.md §1): the client
 * opens with the 4-byte connection header, then every frame is a 3-byte
 * big-endian length and that many bytes. WebSocket message boundaries mean
 * nothing: one message may hold several frames or part of one, so the
 * reader buffers until a frame is whole.
 */

#define HEADER_LEN 4
#define LENGTH_LEN 3

struct _WaFrameReader
{
  GByteArray *buffer;
  gboolean    expect_header;   /* the server side, before the first frame */
};

/**
 * wa_frame_encode:
 * @payload: a Noise message or encrypted frame
 * @with_header: prepend the connection header (the client's first frame)
 *
 * Returns: (transfer full) (nullable): the bytes to send
 */
GBytes *
wa_frame_encode (const guint8  *payload,
                 gsize          len,
                 gboolean       with_header,
                 GError       **error)
{
  GByteArray *out;
  guint8 length[LENGTH_LEN] = { len >> 16, len >> 8, len };

  if (len >= WA_BINARY_MAX_FRAME)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_FAILED, "Frame of %" G_GSIZE_FORMAT " bytes is too large", len);
      return NULL;
    }

  out = g_byte_array_sized_new (HEADER_LEN + LENGTH_LEN + len);
  if (with_header)
    g_byte_array_append (out, (const guint8 *)WA_NOISE_PROLOGUE, HEADER_LEN);
  g_byte_array_append (out, length, LENGTH_LEN);
  g_byte_array_append (out, payload, len);
  return g_byte_array_free_to_bytes (out);
}

/**
 * wa_frame_reader_new:
 * @expect_header: whether the stream starts with the connection header
 *   (what a server reads)
 *
 * Returns: (transfer full): a reader
 */
WaFrameReader *
wa_frame_reader_new (gboolean expect_header)
{
  WaFrameReader *self = g_new0 (WaFrameReader, 1);

  self->buffer = g_byte_array_new ();
  self->expect_header = expect_header;
  return self;
}

void
wa_frame_reader_free (WaFrameReader *self)
{
  if (self == NULL)
    return;
  g_byte_array_unref (self->buffer);
  g_free (self);
}

/**
 * wa_frame_reader_push:
 * @self: a reader
 * @data: bytes as they arrived
 *
 * Returns: %FALSE if the stream does not start with the connection header
 */
gboolean
wa_frame_reader_push (WaFrameReader  *self,
                      const guint8   *data,
                      gsize           len,
                      GError        **error)
{
  g_byte_array_append (self->buffer, data, len);

  if (self->expect_header && self->buffer->len >= HEADER_LEN)
    {
      if (memcmp (self->buffer->data, WA_NOISE_PROLOGUE, HEADER_LEN) != 0)
        {
          g_set_error (error, WA_ERROR, WA_ERROR_HANDSHAKE, "The stream does not start with the WA header");
          return FALSE;
        }
      g_byte_array_remove_range (self->buffer, 0, HEADER_LEN);
      self->expect_header = FALSE;
    }
  return TRUE;
}

/**
 * wa_frame_reader_pop:
 * @self: a reader
 *
 * Returns: (transfer full) (nullable): the next whole frame, or %NULL
 *   until more bytes arrive
 */
GBytes *
wa_frame_reader_pop (WaFrameReader *self)
{
  gsize len;
  GBytes *frame;

  if (self->expect_header || self->buffer->len < LENGTH_LEN)
    return NULL;

  len = (gsize)self->buffer->data[0] << 16 | (gsize)self->buffer->data[1] << 8 | self->buffer->data[2];
  if (self->buffer->len < LENGTH_LEN + len)
    return NULL;

  frame = g_bytes_new (self->buffer->data + LENGTH_LEN, len);
  g_byte_array_remove_range (self->buffer, 0, LENGTH_LEN + len);
  return frame;
}
