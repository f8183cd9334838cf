/* wa-proto.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

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
