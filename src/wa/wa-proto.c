/* wa-proto.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>

#include "wa-error.h"
#include "wa-proto.h"

/**
 * wa_proto_pack:
 * @message: any protobuf-c message
 *
 * Returns: (transfer full): @message serialized
 */
GBytes *
wa_proto_pack (const ProtobufCMessage *message)
{
  gsize len = protobuf_c_message_get_packed_size (message);
  /* An empty message packs to nothing, but g_malloc (0) returns NULL. */
  guint8 *data = g_malloc (MAX (len, 1));

  protobuf_c_message_pack (message, data);
  return g_bytes_new_take (data, len);
}

/* What malloc () takes for a block: its header, rounded up, and no less
 * than its smallest chunk. Tiny blocks are what a hostile blob is made of. */
#define CHUNK_COST(size) MAX (32, ((size) + 8 + 15) & ~(gsize) 15)

typedef struct
{
  gsize    left;
  gboolean exhausted;
} UnpackBudget;

static void *
budget_alloc_cb (void   *allocator_data,
                 size_t  size)
{
  UnpackBudget *budget = allocator_data;

  if (size > G_MAXSIZE / 2 || CHUNK_COST (size) > budget->left)
    {
      budget->exhausted = TRUE;
      return NULL;
    }
  budget->left -= CHUNK_COST (size);
  return malloc (size);
}

static void
budget_free_cb (void *allocator_data,
                void *pointer)
{
  free (pointer);
}

/**
 * wa_proto_unpack_bounded:
 * @descriptor: what @bytes hold
 * @bytes: a serialized message
 * @ratio: how many times its size the message may take unpacked (not 0)
 * @slack: and how many bytes more
 * @too_big: (out): whether unpacking stopped at that bound
 *
 * Unpacks a message its sender may have made of tiny records, each of
 * which protobuf-c allocates many times larger than it is on the wire.
 * It allocates with malloc (), so the message is freed as usual, with a
 * %NULL allocator.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL when it does
 *   not parse or would take more memory than allowed
 */
ProtobufCMessage *
wa_proto_unpack_bounded (const ProtobufCMessageDescriptor *descriptor,
                         GBytes                           *bytes,
                         gsize                             ratio,
                         gsize                             slack,
                         gboolean                         *too_big)
{
  gsize size = g_bytes_get_size (bytes);
  UnpackBudget budget = { .left = slack };
  ProtobufCAllocator allocator = { budget_alloc_cb, budget_free_cb, &budget };
  ProtobufCMessage *message;

  g_return_val_if_fail (ratio > 0, NULL);

  budget.left += size > (G_MAXSIZE - slack) / ratio ? G_MAXSIZE - slack : size * ratio;
  message = protobuf_c_message_unpack (descriptor, &allocator, size, g_bytes_get_data (bytes, NULL));
  *too_big = message == NULL && budget.exhausted;
  return message;
}

/* Protobuf wire types */
#define WIRE_VARINT 0
#define WIRE_64BIT  1
#define WIRE_LENGTH 2
#define WIRE_32BIT  5

/* The fields through which a Message holds a Message: a wrapper, whose
 * own field holding the next level this returns; 0 for any other. */
static guint
wrapped_message_field (guint64 field)
{
  switch (field)
    {
    case 31: /* Message.deviceSentMessage: DeviceSentMessage.message */
      return 2;
    case 40: /* Message.ephemeralMessage: FutureProofMessage.message */
    case 53: /* Message.documentWithCaptionMessage: the same */
      return 1;
    default:
      return 0;
    }
}

/**
 * wa_proto_varint_size:
 * @value: a number
 *
 * Returns: how many bytes @value takes as a varint on the wire
 */
gsize
wa_proto_varint_size (guint64 value)
{
  gsize size = 1;

  while (value >= 0x80)
    {
      value >>= 7;
      size++;
    }
  return size;
}

/**
 * wa_proto_put_varint:
 * @at: where to write, with room for wa_proto_varint_size (@value) bytes
 * @value: a number
 *
 * Returns: the byte after it
 */
guint8 *
wa_proto_put_varint (guint8  *at,
                     guint64  value)
{
  while (value >= 0x80)
    {
      *at++ = (value & 0x7f) | 0x80;
      value >>= 7;
    }
  *at++ = value;
  return at;
}

static gboolean
read_varint (const guint8 **at,
             const guint8  *end,
             guint64       *value)
{
  guint64 result = 0;

  for (guint shift = 0; shift < 64 && *at < end; shift += 7)
    {
      guint8 byte = *(*at)++;

      result |= (guint64) (byte & 0x7f) << shift;
      if ((byte & 0x80) == 0)
        {
          *value = result;
          return TRUE;
        }
    }
  return FALSE;
}

/* Whether [@at, @end), a Message, or a wrapper whose field
 * @message_field holds the next one, is well formed and holds at most
 * @messages_left more Messages inside one another. Anything protobuf-c
 * would take is well formed here. */
static gboolean
nests_within (const guint8 *at,
              const guint8 *end,
              guint         message_field,
              guint         messages_left)
{
  while (at < end)
    {
      guint64 key, value;
      guint field;

      if (!read_varint (&at, end, &key))
        return FALSE;
      switch (key & 7)
        {
        case WIRE_VARINT:
          if (!read_varint (&at, end, &value))
            return FALSE;
          break;
        case WIRE_64BIT:
        case WIRE_32BIT:
          value = (key & 7) == WIRE_64BIT ? 8 : 4;
          if (value > (guint64) (end - at))
            return FALSE;
          at += value;
          break;
        case WIRE_LENGTH:
          if (!read_varint (&at, end, &value) || value > (guint64) (end - at))
            return FALSE;
          if (message_field == 0 && (field = wrapped_message_field (key >> 3)) != 0 &&
              !nests_within (at, at + value, field, messages_left))
            return FALSE;
          if (message_field != 0 && key >> 3 == message_field &&
              (messages_left == 0 || !nests_within (at, at + value, 0, messages_left - 1)))
            return FALSE;
          at += value;
          break;
        default:
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * wa_proto_unpack_message:
 * @bytes: a serialized Message, as anyone who has our number may send it
 * @error: return location for a %WA_ERROR_MALFORMED
 *
 * protobuf-c unpacks each level of nesting on the stack, and wrappers
 * (sent copies, disappearing messages) nested a few thousand deep, 40 KB,
 * overflow it: a message that nests deeper than
 * %WA_PROTO_MAX_MESSAGE_DEPTH is refused before. It also keeps every
 * unknown field, allocating some 44 times the two bytes an empty one
 * takes on the wire: a message is unpacked within
 * %WA_PROTO_MESSAGE_UNPACK_RATIO times its size plus
 * %WA_PROTO_MESSAGE_UNPACK_SLACK, or refused.
 *
 * Returns: (transfer full) (nullable): the Message, to free with
 *   wa_e2_e__message__free_unpacked (); %NULL if it does not parse, nests
 *   too deep or takes too much memory
 */
WaE2E__Message *
wa_proto_unpack_message (GBytes  *bytes,
                         GError **error)
{
  const guint8 *data = g_bytes_get_data (bytes, NULL);
  gsize size = g_bytes_get_size (bytes);
  ProtobufCMessage *message;
  gboolean too_big = FALSE;

  if (!nests_within (data, data + size, 0, WA_PROTO_MAX_MESSAGE_DEPTH))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "A message that nests too deep");
      return NULL;
    }
  message = wa_proto_unpack_bounded (&wa_e2_e__message__descriptor, bytes, WA_PROTO_MESSAGE_UNPACK_RATIO,
                                     WA_PROTO_MESSAGE_UNPACK_SLACK, &too_big);
  if (message == NULL)
    g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED,
                 too_big ? "A message that takes too much memory to read" : "A message that does not parse");
  return (WaE2E__Message *) message;
}
