/* wa-frame.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-frame"

#include "config.h"

#include <string.h>

#include "wa-error.h"
#include "wa-frame.h"
#include "wa-tokens.h"

/*
 * The byte stream inside the WebSocket (WA-PROTOCOL.md §1): the client
 * opens with the 4-byte connection header, then every frame, both ways, is
 * a 3-byte big-endian length and that many bytes. WebSocket message
 * boundaries mean nothing: one message may hold several frames, part of
 * one, or the end of one and the start of the next.
 *
 * The reader keeps only the unfinished frame between calls and sizes its
 * buffer from the length prefix, so a peer can make it hold at most one
 * maximal frame (16 MiB) plus whatever chunk is being fed.
 */

/* Past this, a buffer is dropped rather than kept for the next frame, so
 * one large frame does not pin its memory for the life of the connection. */
#define KEEP_BUFFER_MAX (64 * 1024)

struct _WaFrameWriter
{
  gboolean header_pending;
};

struct _WaFrameReader
{
  GByteArray *partial;       /* prefix and body of the frame being read */
  guint       header_seen;   /* connection header bytes matched so far */
  guint       dict_version;  /* what the header announced; 0 until then */
  gboolean    want_header;   /* the server side, until the header is whole */
  gboolean    failed;
};

/* Auxiliary methods */

static gsize
read_length (const guint8 *prefix)
{
  return (gsize) prefix[0] << 16 | (gsize) prefix[1] << 8 | (gsize) prefix[2];
}

/* Once the length is known, reserve the whole frame at once: appending
 * would double the buffer repeatedly and could reach twice the frame. */
static void
reserve_frame (WaFrameReader *self)
{
  gsize total = WA_FRAME_LENGTH_LEN + read_length (self->partial->data);
  GByteArray *sized;

  if (total <= KEEP_BUFFER_MAX)
    return;

  sized = g_byte_array_sized_new ((guint) total);
  g_byte_array_append (sized, self->partial->data, self->partial->len);
  g_byte_array_unref (self->partial);
  self->partial = sized;
}

/* Hands the buffered frame out without copying it. */
static GBytes *
take_partial (WaFrameReader *self)
{
  gsize len = read_length (self->partial->data);
  g_autoptr(GBytes) whole = g_byte_array_free_to_bytes (self->partial);

  self->partial = g_byte_array_new ();
  return g_bytes_new_from_bytes (whole, WA_FRAME_LENGTH_LEN, len);
}

/* Public API */

/**
 * wa_frame_writer_new:
 * @side: which end of the connection writes
 *
 * Returns: (transfer full): a writer; the client's puts the connection
 *   header in front of its first frame only
 */
WaFrameWriter *
wa_frame_writer_new (WaFrameSide side)
{
  WaFrameWriter *self = g_new0 (WaFrameWriter, 1);

  self->header_pending = side == WA_FRAME_SIDE_CLIENT;
  return self;
}

void
wa_frame_writer_free (WaFrameWriter *self)
{
  g_free (self);
}

/**
 * wa_frame_writer_write:
 * @self: a writer
 * @payload: a handshake message or an encrypted frame
 * @len: its length, below 1 << 24
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the bytes to send, or %NULL with
 *   %WA_ERROR_MALFORMED if @payload is too large for the 3-byte length
 */
GBytes *
wa_frame_writer_write (WaFrameWriter  *self,
                       const guint8   *payload,
                       gsize           len,
                       GError        **error)
{
  GByteArray *out;
  guint8 prefix[WA_FRAME_LENGTH_LEN];

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (payload != NULL || len == 0, NULL);

  if (len > WA_FRAME_MAX_PAYLOAD)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED,
                   "A frame of %" G_GSIZE_FORMAT " bytes does not fit the 3-byte length (max %u)",
                   len, WA_FRAME_MAX_PAYLOAD);
      return NULL;
    }

  prefix[0] = (guint8) (len >> 16);
  prefix[1] = (guint8) (len >> 8);
  prefix[2] = (guint8) len;

  out = g_byte_array_sized_new ((guint) (WA_FRAME_HEADER_LEN + WA_FRAME_LENGTH_LEN + len));
  if (self->header_pending)
    {
      g_byte_array_append (out, (const guint8 *) WA_FRAME_HEADER, WA_FRAME_HEADER_LEN);
      self->header_pending = FALSE;
    }
  g_byte_array_append (out, prefix, sizeof prefix);
  if (len > 0)
    g_byte_array_append (out, payload, (guint) len);

  return g_byte_array_free_to_bytes (out);
}

/**
 * wa_frame_writer_send:
 * @self: the writer of this side of @websocket
 * @websocket: an open WebSocket
 * @payload: one frame's payload
 * @error: return location for a #GError
 *
 * Frames @payload and sends it as one binary WebSocket message.
 */
gboolean
wa_frame_writer_send (WaFrameWriter            *self,
                      SoupWebsocketConnection  *websocket,
                      GBytes                   *payload,
                      GError                  **error)
{
  g_autoptr(GBytes) frame = wa_frame_writer_write (self, g_bytes_get_data (payload, NULL),
                                                   g_bytes_get_size (payload), error);

  if (frame == NULL)
    return FALSE;
  /* A socket the peer is closing can be written to no more; the caller
   * hears of it here, and of the close from the socket itself. */
  if (soup_websocket_connection_get_state (websocket) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_CONNECTION_CLOSED, "The connection is closing");
      return FALSE;
    }
  soup_websocket_connection_send_message (websocket, SOUP_WEBSOCKET_DATA_BINARY, frame);
  return TRUE;
}

/**
 * wa_frame_reader_new:
 * @side: which end of the connection reads; the server's reader first
 *   expects the connection header
 *
 * Returns: (transfer full): a reader
 */
WaFrameReader *
wa_frame_reader_new (WaFrameSide side)
{
  WaFrameReader *self = g_new0 (WaFrameReader, 1);

  self->partial = g_byte_array_new ();
  self->want_header = side == WA_FRAME_SIDE_SERVER;
  return self;
}

void
wa_frame_reader_free (WaFrameReader *self)
{
  if (self == NULL)
    return;

  g_byte_array_unref (self->partial);
  g_free (self);
}

/**
 * wa_frame_reader_feed:
 * @self: a reader
 * @data: bytes as they arrived (one WebSocket message, say)
 * @len: their length
 * @error: return location for a #GError
 *
 * Consumes @data and returns every frame it completes, in order. Bytes of
 * an unfinished frame are kept for the next call.
 *
 * Returns: (transfer full) (element-type GBytes) (nullable): the completed
 *   frame payloads, possibly none; %NULL with %WA_ERROR_MALFORMED if a
 *   server-side stream does not start with the connection header, after
 *   which the reader refuses all input
 */
GPtrArray *
wa_frame_reader_feed (WaFrameReader  *self,
                      const guint8   *data,
                      gsize           len,
                      GError        **error)
{
  g_autoptr(GPtrArray) frames = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (self->failed)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "The frame stream already failed");
      return NULL;
    }

  /* Compared byte by byte so a wrong stream fails as early as possible,
   * even if the header arrives split. */
  while (self->want_header && len > 0)
    {
      /* The last byte names the client's token dictionary; any version
       * this library knows is served in that version. */
      gboolean last = self->header_seen == WA_FRAME_HEADER_LEN - 1;

      if (last ? wa_tokens_get (*data) == NULL : *data != (guint8) WA_FRAME_HEADER[self->header_seen])
        {
          self->failed = TRUE;
          g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED,
                       "The stream does not start with the WhatsApp connection header");
          return NULL;
        }
      if (last)
        self->dict_version = *data;
      data++;
      len--;
      if (++self->header_seen == WA_FRAME_HEADER_LEN)
        self->want_header = FALSE;
    }

  frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  while (len > 0)
    {
      gsize need;
      gsize take;

      /* Fast path: whole frames straight from the chunk, no buffering. */
      if (self->partial->len == 0 && len >= WA_FRAME_LENGTH_LEN)
        {
          gsize frame_len = read_length (data);

          if (len - WA_FRAME_LENGTH_LEN >= frame_len)
            {
              g_ptr_array_add (frames, g_bytes_new (data + WA_FRAME_LENGTH_LEN, frame_len));
              data += WA_FRAME_LENGTH_LEN + frame_len;
              len -= WA_FRAME_LENGTH_LEN + frame_len;
              continue;
            }
        }

      /* Complete the length prefix first. */
      if (self->partial->len < WA_FRAME_LENGTH_LEN)
        {
          take = MIN (WA_FRAME_LENGTH_LEN - self->partial->len, len);
          g_byte_array_append (self->partial, data, (guint) take);
          data += take;
          len -= take;
          if (self->partial->len < WA_FRAME_LENGTH_LEN)
            break;
          reserve_frame (self);
        }

      need = WA_FRAME_LENGTH_LEN + read_length (self->partial->data) - self->partial->len;
      take = MIN (need, len);
      if (take > 0)
        g_byte_array_append (self->partial, data, (guint) take);
      data += take;
      len -= take;

      if (take == need)
        g_ptr_array_add (frames, take_partial (self));
    }

  return g_steal_pointer (&frames);
}

/**
 * wa_frame_reader_get_pending:
 *
 * Returns: how many bytes of an unfinished frame are buffered
 */
/**
 * wa_frame_reader_get_dict_version:
 *
 * Returns: the token dictionary version the peer's connection header
 *   announced (server side), or 0 before the whole header arrived
 */
guint
wa_frame_reader_get_dict_version (WaFrameReader *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->dict_version;
}

gsize
wa_frame_reader_get_pending (WaFrameReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->partial->len;
}

/**
 * wa_frame_reader_finish:
 * @self: a reader whose stream has ended
 * @error: return location for a #GError
 *
 * Tells a clean end of stream from one cut inside a frame or inside the
 * connection header.
 *
 * Returns: %FALSE with %WA_ERROR_TRUNCATED if bytes of an unfinished frame
 *   or header are left over
 */
gboolean
wa_frame_reader_finish (WaFrameReader  *self,
                        GError        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->want_header && self->header_seen > 0)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_TRUNCATED,
                   "The stream ended inside the connection header");
      return FALSE;
    }

  if (self->partial->len > 0)
    {
      if (self->partial->len < WA_FRAME_LENGTH_LEN)
        g_set_error (error, WA_ERROR, WA_ERROR_TRUNCATED,
                     "The stream ended inside a frame's length");
      else
        g_set_error (error, WA_ERROR, WA_ERROR_TRUNCATED,
                     "The stream ended inside a frame (%u of %" G_GSIZE_FORMAT " bytes)",
                     self->partial->len - WA_FRAME_LENGTH_LEN, read_length (self->partial->data));
      return FALSE;
    }

  return TRUE;
}
