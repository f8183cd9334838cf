/* wa-binary.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-node.h"

G_BEGIN_DECLS

/* The largest frame the protocol can carry (3-byte length). */
#define WA_BINARY_MAX_FRAME (1 << 24)

GBytes *wa_binary_encode       (WaNode        *node);
WaNode *wa_binary_decode       (const guint8  *data,
                                gsize          len,
                                GError       **error);
WaNode *wa_binary_unpack_frame (const guint8  *data,
                                gsize          len,
                                GError       **error);

G_END_DECLS
