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

static void *
budget_alloc_cb (void   *allocator_data,
                 size_t  size)
{
  WaProtoBudget *budget = allocator_data;

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
  WaProtoBudget budget;
  ProtobufCMessage *message;

  g_return_val_if_fail (ratio > 0, NULL);

  wa_proto_budget_init (&budget, g_bytes_get_size (bytes), ratio, slack);
  message = wa_proto_unpack_budgeted (descriptor, bytes, &budget);
  *too_big = message == NULL && budget.exhausted;
  return message;
}

/**
 * wa_proto_budget_init:
 * @budget: (out caller-allocates): the budget
 * @size: the bytes on the wire it is for
 * @ratio: how many times @size they may take unpacked (not 0)
 * @slack: and how many bytes more
 *
 * Sets up a budget for wa_proto_unpack_budgeted (), to share between
 * messages that are all kept, such as the actions of one app-state
 * snapshot: each bounded on its own would add its slack.
 */
void
wa_proto_budget_init (WaProtoBudget *budget,
                      gsize          size,
                      gsize          ratio,
                      gsize          slack)
{
  g_return_if_fail (ratio > 0);

  budget->exhausted = FALSE;
  budget->left = slack + (size > (G_MAXSIZE - slack) / ratio ? G_MAXSIZE - slack : size * ratio);
}

/**
 * wa_proto_unpack_budgeted:
 * @descriptor: what @bytes hold
 * @bytes: a serialized message
 * @budget: (inout): what is left to allocate; exhausted when unpacking
 *   stopped at it
 *
 * As wa_proto_unpack_bounded (), taking from a shared @budget.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL when it does
 *   not parse or would take more than is left
 */
ProtobufCMessage *
wa_proto_unpack_budgeted (const ProtobufCMessageDescriptor *descriptor,
                          GBytes                           *bytes,
                          WaProtoBudget                    *budget)
{
  ProtobufCAllocator allocator = { budget_alloc_cb, budget_free_cb, budget };

  return protobuf_c_message_unpack (descriptor, &allocator, g_bytes_get_size (bytes),
                                    g_bytes_get_data (bytes, NULL));
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

/**
 * wa_proto_bytes_range:
 * @bytes: serialized data
 * @end: (out): the byte past its end
 *
 * An empty #GBytes may hold %NULL, to which C allows no offset, not even
 * 0: this gives the range to walk either way.
 *
 * Returns: its first byte, %NULL when empty
 */
const guint8 *
wa_proto_bytes_range (GBytes        *bytes,
                      const guint8 **end)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  *end = size > 0 ? data + size : data;
  return data;
}

/**
 * wa_proto_next_field:
 * @at: (inout): where the field starts; moved past it
 * @end: the end of the message
 * @field: (out): the field read
 *
 * Reads one field of a serialized message without unpacking it, so a
 * message of many records can be read one record at a time.
 *
 * Returns: %FALSE if no well-formed field starts at @at
 */
gboolean
wa_proto_next_field (const guint8 **at,
                     const guint8  *end,
                     WaProtoField  *field)
{
  const guint8 *start = *at;
  guint64 key, len;

  if (!read_varint (at, end, &key))
    return FALSE;
  field->number = key >> 3;
  field->wire_type = key & 7;
  field->value = 0;
  switch (field->wire_type)
    {
    case WIRE_VARINT:
      len = 0;
      if (!read_varint (at, end, &field->value))
        return FALSE;
      break;
    case WIRE_64BIT:
      len = 8;
      break;
    case WIRE_32BIT:
      len = 4;
      break;
    case WIRE_LENGTH:
      if (!read_varint (at, end, &len))
        return FALSE;
      break;
    default:
      return FALSE;
    }
  if (len > (guint64) (end - *at))
    return FALSE;
  field->data = *at;
  field->len = len;
  *at += len;
  field->wire = start;
  field->wire_len = *at - start;
  return TRUE;
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
      WaProtoField field;
      guint next;

      if (!wa_proto_next_field (&at, end, &field))
        return FALSE;
      if (field.wire_type != WIRE_LENGTH)
        continue;
      if (message_field == 0 && (next = wrapped_message_field (field.number)) != 0 &&
          !nests_within (field.data, field.data + field.len, next, messages_left))
        return FALSE;
      if (message_field != 0 && field.number == message_field &&
          (messages_left == 0 || !nests_within (field.data, field.data + field.len, 0, messages_left - 1)))
        return FALSE;
    }
  return TRUE;
}

/**
 * wa_proto_unpack_known:
 * @descriptor: what @data holds
 * @data: (array length=len): one serialized record of a larger message
 * @len: its length
 * @max_known: the most its fields that @descriptor names may weigh
 * @error: return location for a %WA_ERROR_MALFORMED
 *
 * Unpacks only the fields @descriptor names: protobuf-c would otherwise
 * copy every other field, such as the messages of a history chunk's
 * chat, which this client never reads. What is left weighs at most
 * @max_known and is unpacked within %WA_PROTO_MESSAGE_UNPACK_RATIO times
 * that, so a record takes bounded memory however large it is.
 *
 * Returns: (transfer full) (nullable): the record, to free with
 *   protobuf_c_message_free_unpacked (..., %NULL)
 */
ProtobufCMessage *
wa_proto_unpack_known (const ProtobufCMessageDescriptor  *descriptor,
                       const guint8                      *data,
                       gsize                              len,
                       gsize                              max_known,
                       GError                           **error)
{
  g_autoptr(GByteArray) known = g_byte_array_new ();
  g_autoptr(GBytes) bytes = NULL;
  const guint8 *at = data;
  const guint8 *end = data + len;
  ProtobufCMessage *message;
  gboolean too_big = FALSE;

  while (at < end)
    {
      WaProtoField field;

      if (!wa_proto_next_field (&at, end, &field))
        {
          g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "A record that does not parse");
          return NULL;
        }
      if (field.number > G_MAXUINT || protobuf_c_message_descriptor_get_field (descriptor, field.number) == NULL)
        continue;
      if (field.wire_len > max_known - MIN (known->len, max_known))
        {
          g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "A record that takes too much memory to read");
          return NULL;
        }
      g_byte_array_append (known, field.wire, field.wire_len);
    }
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&known));
  message = wa_proto_unpack_bounded (descriptor, bytes, WA_PROTO_MESSAGE_UNPACK_RATIO, 4096, &too_big);
  if (message == NULL)
    g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED,
                 too_big ? "A record that takes too much memory to read" : "A record that does not parse");
  return message;
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
  const guint8 *end;
  const guint8 *data = wa_proto_bytes_range (bytes, &end);
  ProtobufCMessage *message;
  gboolean too_big = FALSE;

  if (!nests_within (data, end, 0, WA_PROTO_MAX_MESSAGE_DEPTH))
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
