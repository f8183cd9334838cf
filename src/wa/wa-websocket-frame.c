/* wa-websocket-frame.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-websocket-frame"

#include "config.h"

#include <string.h>

#include "wa-error.h"
#include "wa-websocket-frame.h"
#include "xi-random.h"

/*
 * RFC 6455 framing, the client's side of it: frames from the server are
 * read strictly (no extension was offered, so reserved bits, masks, text
 * and unknown opcodes all end the connection), frames to it are masked.
 *
 * The reader's buffer is filled in place by the socket reads and holds
 * the unread bytes: at most one frame, whose length is checked against
 * the message limit as soon as its header is whole, plus one read.
 */

/* What one read may fill, at least. */
#define READ_CHUNK (16 * 1024)
/* Past this, an emptied buffer is given back, so one large message does
 * not pin its memory for the life of the connection. */
#define KEEP_BUFFER_MAX (64 * 1024)

struct _WaWebsocketReader
{
  guint8     *buffer;
  gsize       size;
  gsize       start;         /* the first unread byte */
  gsize       end;           /* past the last byte read */
  gsize       frame_total;   /* header and payload of the frame being waited for; 0 until known */
  gsize       max_message;
  GByteArray *message;       /* the fragments of a message so far, or %NULL */
  guint16     close_code;    /* why the reader gave up, once it has */
};

/* Auxiliary methods */

static gboolean
refuse (WaWebsocketReader  *self,
        guint16             close_code,
        GError            **error,
        const char         *reason)
{
  self->close_code = close_code;
  g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "The server broke the WebSocket protocol: %s", reason);
  return FALSE;
}

static gboolean
is_known_opcode (guint opcode)
{
  return opcode <= WA_WEBSOCKET_OPCODE_BINARY ||
         (opcode >= WA_WEBSOCKET_OPCODE_CLOSE && opcode <= WA_WEBSOCKET_OPCODE_PONG);
}

/* The codes a peer may send (§7.4.1, and the IANA registry up to 1014);
 * 1004–1006 and 1015 are reserved for local use. */
static gboolean
is_sendable_close_code (guint16 code)
{
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

static gboolean
check_close_payload (WaWebsocketReader  *self,
                     const guint8       *payload,
                     gsize               len,
                     GError            **error)
{
  if (len == 0)
    return TRUE;
  if (len == 1)
    return refuse (self, WA_WEBSOCKET_CLOSE_PROTOCOL_ERROR, error, "a close frame of one byte");
  if (!is_sendable_close_code ((guint16) (payload[0] << 8 | payload[1])))
    return refuse (self, WA_WEBSOCKET_CLOSE_PROTOCOL_ERROR, error, "a close code no peer may send");
  if (!g_utf8_validate_len ((const char *) payload + 2, len - 2, NULL))
    return refuse (self, WA_WEBSOCKET_CLOSE_BAD_DATA, error, "a close reason that is not UTF-8");
  return TRUE;
}

/* The frame's length, or %FALSE while its header is not whole. Lengths
 * must be written in the fewest bytes and, at 64 bits, below 2^63. */
static gboolean
read_header (WaWebsocketReader  *self,
             gsize              *header_len,
             guint64            *payload_len,
             GError            **error)
{
  const guint8 *data = self->buffer + self->start;
  gsize available = self->end - self->start;
  guint length_field = data[1] & 0x7f;

  if (length_field < 126)
    {
      *header_len = 2;
      *payload_len = length_field;
      return TRUE;
    }
  if (length_field == 126)
    {
      if (available < 4)
        return FALSE;
      *header_len = 4;
      *payload_len = (guint64) data[2] << 8 | data[3];
      if (*payload_len < 126)
        return refuse (self, WA_WEBSOCKET_CLOSE_PROTOCOL_ERROR, error, "a length not in its shortest form");
      return TRUE;
    }

  if (available < 10)
    return FALSE;
  *header_len = 10;
  *payload_len = 0;
  for (guint i = 0; i < 8; i++)
    *payload_len = *payload_len << 8 | data[2 + i];
  if (*payload_len >> 63)
    return refuse (self, WA_WEBSOCKET_CLOSE_PROTOCOL_ERROR, error, "a length with its highest bit set");
  if (*payload_len <= G_MAXUINT16)
    return refuse (self, WA_WEBSOCKET_CLOSE_PROTOCOL_ERROR, error, "a length not in its shortest form");
  return TRUE;
}

/* Public API */

/**
 * wa_websocket_reader_new:
 * @max_message: the largest message accepted, whole (fragments added up)
 *
 * Returns: (transfer full): a reader of the server's frames
 */
WaWebsocketReader *
wa_websocket_reader_new (gsize max_message)
{
  WaWebsocketReader *self = g_new0 (WaWebsocketReader, 1);

  self->max_message = max_message;
  return self;
}

void
wa_websocket_reader_free (WaWebsocketReader *self)
{
  if (self == NULL)
    return;
  g_free (self->buffer);
  if (self->message != NULL)
    g_byte_array_unref (self->message);
  g_free (self);
}

/**
 * wa_websocket_reader_get_space:
 * @self: a reader
 * @space: (out): how many bytes may be written at the pointer returned
 *
 * Makes room for the next read: the whole frame being waited for, or a
 * chunk. Write what was read there, then call
 * wa_websocket_reader_commit().
 *
 * Returns: where the next bytes go
 */
guint8 *
wa_websocket_reader_get_space (WaWebsocketReader *self,
                               gsize             *space)
{
  gsize unread = self->end - self->start;
  gsize wanted = MAX (self->frame_total, unread) + READ_CHUNK;

  if (self->start > 0)
    {
      memmove (self->buffer, self->buffer + self->start, unread);
      self->start = 0;
      self->end = unread;
    }
  if (unread == 0 && self->size > KEEP_BUFFER_MAX)
    g_clear_pointer (&self->buffer, g_free);
  if (self->buffer == NULL || self->size < wanted)
    {
      self->buffer = g_realloc (self->buffer, wanted);
      self->size = wanted;
    }

  *space = self->size - self->end;
  return self->buffer + self->end;
}

void
wa_websocket_reader_commit (WaWebsocketReader *self,
                            gsize              len)
{
  g_return_if_fail (len <= self->size - self->end);
  self->end += len;
}

/**
 * wa_websocket_reader_next:
 * @self: a reader
 * @opcode: (out): %WA_WEBSOCKET_OPCODE_BINARY for a whole message, or the
 *   control frame's
 * @payload: (out) (transfer full): the message or the control payload
 * @error: return location for a #GError
 *
 * Takes the next message or control frame out of what was read. A
 * control frame may come between the fragments of a message, and is
 * handed out first.
 *
 * Returns: %TRUE with @opcode and @payload; %FALSE without an error when
 *   more bytes are needed; %FALSE with %WA_ERROR_MALFORMED when the
 *   server broke the protocol, after which
 *   wa_websocket_reader_get_close_code() says why and the reader is not
 *   to be used again
 */
gboolean
wa_websocket_reader_next (WaWebsocketReader  *self,
                          WaWebsocketOpcode  *opcode,
                          GBytes            **payload,
                          GError            **error)
{
  g_return_val_if_fail (self->close_code == 0, FALSE);

  for (;;)
    {
      const guint8 *data = self->buffer + self->start;
      gsize available = self->end - self->start;
      gsize header_len = 0;
      guint64 payload_len = 0;
      gsize assembled = self->message != NULL ? self->message->len : 0;
      gboolean fin;
      guint op;

      if (available < 2)
        return FALSE;
      fin = (data[0] & 0x80) != 0;
      op = data[0] & 0x0f;

      if (data[0] & 0x70)
        return refuse (self, WA_WEBSOCKET_CLOSE_PROTOCOL_ERROR, error, "reserved bits set");
      if (!is_known_opcode (op))
        return refuse (self, WA_WEBSOCKET_CLOSE_PROTOCOL_ERROR, error, "an unknown opcode");
      if (data[1] & 0x80)
        return refuse (self, WA_WEBSOCKET_CLOSE_PROTOCOL_ERROR, error, "a masked frame");
      if ((op & 0x08) && !fin)
        return refuse (self, WA_WEBSOCKET_CLOSE_PROTOCOL_ERROR, error, "a fragmented control frame");
      if ((op & 0x08) && (data[1] & 0x7f) > WA_WEBSOCKET_CONTROL_MAX)
        return refuse (self, WA_WEBSOCKET_CLOSE_PROTOCOL_ERROR, error, "a control frame over 125 bytes");
      if (op == WA_WEBSOCKET_OPCODE_TEXT)
        {
          self->close_code = WA_WEBSOCKET_CLOSE_UNSUPPORTED_DATA;
          g_set_error_literal (error, WA_ERROR, WA_ERROR_MALFORMED, "The server sent text instead of frames");
          return FALSE;
        }
      if (op == WA_WEBSOCKET_OPCODE_CONTINUATION && self->message == NULL)
        return refuse (self, WA_WEBSOCKET_CLOSE_PROTOCOL_ERROR, error, "a continuation of no message");
      if (op == WA_WEBSOCKET_OPCODE_BINARY && self->message != NULL)
        return refuse (self, WA_WEBSOCKET_CLOSE_PROTOCOL_ERROR, error, "a message inside another");

      if (!read_header (self, &header_len, &payload_len, error))
        return FALSE;
      if (!(op & 0x08) && payload_len > self->max_message - assembled)
        return refuse (self, WA_WEBSOCKET_CLOSE_TOO_BIG, error, "a message over the size limit");
      if (available - header_len < payload_len)
        {
          self->frame_total = header_len + (gsize) payload_len;
          return FALSE;
        }

      self->frame_total = 0;
      self->start += header_len + (gsize) payload_len;
      data += header_len;

      if (op & 0x08)
        {
          if (op == WA_WEBSOCKET_OPCODE_CLOSE && !check_close_payload (self, data, (gsize) payload_len, error))
            return FALSE;
          *opcode = op;
          *payload = g_bytes_new (data, (gsize) payload_len);
          return TRUE;
        }

      if (fin && self->message == NULL)
        {
          *opcode = WA_WEBSOCKET_OPCODE_BINARY;
          *payload = g_bytes_new (data, (gsize) payload_len);
          return TRUE;
        }

      if (self->message == NULL)
        self->message = g_byte_array_new ();
      g_byte_array_append (self->message, data, (guint) payload_len);
      if (fin)
        {
          *opcode = WA_WEBSOCKET_OPCODE_BINARY;
          *payload = g_byte_array_free_to_bytes (g_steal_pointer (&self->message));
          return TRUE;
        }
    }
}

/**
 * wa_websocket_reader_get_close_code:
 *
 * Returns: the close code to send the server after
 *   wa_websocket_reader_next() refused its frames, or 0
 */
guint16
wa_websocket_reader_get_close_code (WaWebsocketReader *self)
{
  return self->close_code;
}

/**
 * wa_websocket_reader_finish:
 * @self: a reader
 * @error: return location for a #GError
 *
 * Says whether the connection may end here.
 *
 * Returns: %FALSE with %WA_ERROR_TRUNCATED when the stream ended inside
 *   a frame or between the fragments of a message
 */
gboolean
wa_websocket_reader_finish (WaWebsocketReader  *self,
                            GError            **error)
{
  if (self->end > self->start || self->message != NULL)
    {
      g_set_error_literal (error, WA_ERROR, WA_ERROR_TRUNCATED,
                           "The connection ended in the middle of a WebSocket message");
      return FALSE;
    }
  return TRUE;
}

/**
 * wa_websocket_frame_append:
 * @out: where the frame goes
 * @opcode: its opcode; the frame is always final
 * @payload: (array length=len): its payload
 * @len: the payload's length
 *
 * Appends one client frame, masked with a fresh key as §5.3 requires of
 * every frame a client sends.
 */
void
wa_websocket_frame_append (GByteArray        *out,
                           WaWebsocketOpcode  opcode,
                           const guint8      *payload,
                           gsize              len)
{
  guint8 header[WA_WEBSOCKET_HEADER_MAX];
  gsize header_len = 2;
  guint8 *mask;
  guint8 *body;
  guint8 mask_twice[8];
  guint64 mask_word;
  gsize at;
  gsize pos = 0;

  header[0] = 0x80 | opcode;
  if (len < 126)
    header[1] = 0x80 | (guint8) len;
  else if (len <= G_MAXUINT16)
    {
      header[1] = 0x80 | 126;
      header[2] = (guint8) (len >> 8);
      header[3] = (guint8) len;
      header_len = 4;
    }
  else
    {
      header[1] = 0x80 | 127;
      for (guint i = 0; i < 8; i++)
        header[2 + i] = (guint8) ((guint64) len >> (56 - 8 * i));
      header_len = 10;
    }
  mask = header + header_len;
  xi_random_bytes (mask, 4);
  header_len += 4;

  at = out->len;
  g_byte_array_set_size (out, (guint) (at + header_len + len));
  memcpy (out->data + at, header, header_len);
  body = out->data + at + header_len;
  /* Eight bytes at a time: every message we send passes here. */
  memcpy (mask_twice, mask, 4);
  memcpy (mask_twice + 4, mask, 4);
  memcpy (&mask_word, mask_twice, sizeof mask_word);
  for (; pos + sizeof mask_word <= len; pos += sizeof mask_word)
    {
      guint64 word;

      memcpy (&word, payload + pos, sizeof word);
      word ^= mask_word;
      memcpy (body + pos, &word, sizeof word);
    }
  for (; pos < len; pos++)
    body[pos] = payload[pos] ^ mask[pos & 3];
}

/**
 * wa_websocket_close_payload_get_code:
 * @payload: a close frame's payload, as the reader let it through
 *
 * Returns: its code, %WA_WEBSOCKET_CLOSE_NO_STATUS when it has none
 */
guint16
wa_websocket_close_payload_get_code (GBytes *payload)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (payload, &len);

  return len >= 2 ? (guint16) (data[0] << 8 | data[1]) : WA_WEBSOCKET_CLOSE_NO_STATUS;
}
