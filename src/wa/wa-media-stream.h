/* wa-media-stream.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "wa-crypto.h"

G_BEGIN_DECLS

#define WA_MEDIA_MAC_LEN 10

#define WA_TYPE_MEDIA_STREAM (wa_media_stream_get_type ())

G_DECLARE_FINAL_TYPE (WaMediaStream, wa_media_stream, WA, MEDIA_STREAM, GInputStream)

GInputStream *wa_media_stream_new           (const guint8   iv[WA_AES_BLOCK_LEN],
                                             const guint8   cipher_key[WA_AES_KEY_LEN],
                                             const guint8   mac_key[WA_KEY_LEN],
                                             GBytes        *plain);
guint64       wa_media_stream_blob_size     (guint64        plain_size);
gboolean      wa_media_stream_get_hashes    (WaMediaStream *self,
                                             guint8         file_sha256[WA_SHA256_LEN],
                                             guint8         file_enc_sha256[WA_SHA256_LEN]);

G_END_DECLS
