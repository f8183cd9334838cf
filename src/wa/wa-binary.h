/* wa-binary.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-node.h"
#include "wa-tokens.h"

G_BEGIN_DECLS

/* How deep the decoder lets nodes nest; real stanzas stay under ten. */
#define WA_BINARY_MAX_DEPTH    64

/* The most a compressed frame may inflate to: the largest uncompressed
 * frame the 3-byte length prefix allows. */
#define WA_BINARY_MAX_INFLATED (16 * 1024 * 1024)

/* The frame flag bit saying the payload is zlib-compressed. */
#define WA_BINARY_FLAG_COMPRESSED 0x02

GBytes *wa_binary_encode       (WaNode        *node);
GBytes *wa_binary_pack_frame   (WaNode        *node);
WaNode *wa_binary_decode       (const guint8  *data,
                                gsize          len,
                                GError       **error);
WaNode *wa_binary_unpack_frame (const guint8  *plaintext,
                                gsize          len,
                                GError       **error);

GByteArray *wa_binary_inflate (const guint8  *data,
                               gsize          len,
                               gsize          max,
                               GError       **error);

GBytes *wa_binary_pack_frame_with   (WaNode          *node,
                                     const WaTokens  *tokens);
WaNode *wa_binary_unpack_frame_with (const guint8    *plaintext,
                                     gsize            len,
                                     const WaTokens  *tokens,
                                     GError         **error);

G_END_DECLS
