/* wa-proto.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <protobuf-c/protobuf-c.h>

#include "wa-e2e.pb-c.h"

G_BEGIN_DECLS

/* How deep one Message may hold another (a copy of what we sent holds
 * the message, which may hold another copy...). */
#define WA_PROTO_MAX_MESSAGE_DEPTH 8

/* What one Message may take unpacked: this many times its size, plus the
 * slack for the structures even a short text fills. Real messages take
 * one to three times their size. */
#define WA_PROTO_MESSAGE_UNPACK_RATIO 8
#define WA_PROTO_MESSAGE_UNPACK_SLACK (256 * 1024)

/* One field of a serialized message: its number, wire type, value (a
 * varint) or bytes (data, len: the payload of a length-delimited field),
 * and where the whole field lies on the wire. */
typedef struct
{
  guint64       number;
  guint         wire_type;
  guint64       value;
  const guint8 *data;
  gsize         len;
  const guint8 *wire;
  gsize         wire_len;
} WaProtoField;

/* Memory that several unpackings share, in malloc ()'s chunks. */
typedef struct
{
  gsize    left;
  gboolean exhausted;
} WaProtoBudget;

GBytes          *wa_proto_pack           (const ProtobufCMessage *message);
ProtobufCMessage *wa_proto_unpack_bounded (const ProtobufCMessageDescriptor *descriptor,
                                           GBytes                           *bytes,
                                           gsize                             ratio,
                                           gsize                             slack,
                                           gboolean                         *too_big);
void             wa_proto_budget_init    (WaProtoBudget                    *budget,
                                          gsize                             size,
                                          gsize                             ratio,
                                          gsize                             slack);
ProtobufCMessage *wa_proto_unpack_budgeted (const ProtobufCMessageDescriptor *descriptor,
                                            GBytes                           *bytes,
                                            WaProtoBudget                    *budget);
ProtobufCMessage *wa_proto_unpack_known  (const ProtobufCMessageDescriptor *descriptor,
                                           const guint8                     *data,
                                           gsize                             len,
                                           gsize                             max_known,
                                           GError                          **error);
const guint8    *wa_proto_bytes_range    (GBytes                 *bytes,
                                          const guint8          **end);
gboolean         wa_proto_next_field     (const guint8          **at,
                                          const guint8           *end,
                                          WaProtoField           *field);
WaE2E__Message  *wa_proto_unpack_message (GBytes                 *bytes,
                                          GError                **error);
gsize            wa_proto_varint_size    (guint64                 value);
guint8          *wa_proto_put_varint     (guint8                 *at,
                                          guint64                 value);

G_END_DECLS
