/* wa-media.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-client.h"

G_BEGIN_DECLS

/* The most a downloaded blob may weigh: a history chunk is a few MB. */
#define WA_MEDIA_MAX_DOWNLOAD (64 * 1024 * 1024)

/* The longest path to a blob a message may name: the media host's are
 * under 300 bytes, its query included. */
#define WA_MEDIA_MAX_DIRECT_PATH 2048

/**
 * WaMediaType:
 * @WA_MEDIA_HISTORY: a history-sync chunk
 * @WA_MEDIA_APP_STATE: an app-state snapshot or patch too large to inline
 * @WA_MEDIA_IMAGE: a picture (imageMessage, stickers)
 * @WA_MEDIA_VIDEO: a video or GIF
 * @WA_MEDIA_AUDIO: a sound or voice note
 * @WA_MEDIA_DOCUMENT: any other file (documentMessage)
 *
 * What a blob holds, which picks its keys and its path on the media host
 * (protocol notes §10).
 */
typedef enum {
  WA_MEDIA_HISTORY,
  WA_MEDIA_APP_STATE,
  WA_MEDIA_IMAGE,
  WA_MEDIA_VIDEO,
  WA_MEDIA_AUDIO,
  WA_MEDIA_DOCUMENT,
} WaMediaType;

/**
 * WaMediaRef:
 * @direct_path: where the blob is on the media host
 * @media_key: the key it is encrypted with
 * @file_enc_sha256: the SHA-256 of the blob
 * @file_sha256: (nullable): the SHA-256 of what it decrypts to
 * @file_length: the size the message announced for what it decrypts to,
 *   or 0 when it said none; a larger blob is refused as it arrives
 *
 * What a message says about a blob.
 */
typedef struct
{
  const char *direct_path;
  GBytes     *media_key;
  GBytes     *file_enc_sha256;
  GBytes     *file_sha256;
  guint64     file_length;
} WaMediaRef;

/**
 * WaMediaUpload:
 * @url: where the media host says the blob is
 * @direct_path: the path a message names, which any device can download
 * @media_key: the key the blob is encrypted with
 * @file_sha256: the SHA-256 of the content
 * @file_enc_sha256: the SHA-256 of the blob
 * @file_length: the size of the content
 * @media_key_timestamp: when the key was made, in seconds since 1970
 *
 * An uploaded blob: what every message that refers to it carries.
 */
typedef struct
{
  char    *url;
  char    *direct_path;
  GBytes  *media_key;
  GBytes  *file_sha256;
  GBytes  *file_enc_sha256;
  guint64  file_length;
  gint64   media_key_timestamp;
} WaMediaUpload;

const char *wa_media_type_mms        (WaMediaType    type);
const char *wa_media_type_info       (WaMediaType    type);
GBytes     *wa_media_encrypt         (WaMediaType    type,
                                      GBytes        *media_key,
                                      GBytes        *plain,
                                      GError       **error) G_GNUC_WARN_UNUSED_RESULT;
GInputStream *wa_media_encrypt_stream (WaMediaType  type,
                                      GBytes        *media_key,
                                      GBytes        *plain,
                                      GError       **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes     *wa_media_decrypt         (WaMediaType    type,
                                      const WaMediaRef *ref,
                                      GBytes        *blob,
                                      GError       **error) G_GNUC_WARN_UNUSED_RESULT;
void        wa_media_download_async  (WaClient      *client,
                                      WaMediaType    type,
                                      const WaMediaRef *ref,
                                      GCancellable  *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer       user_data);
GBytes     *wa_media_download_finish (WaClient      *client,
                                      GAsyncResult  *result,
                                      GError       **error);
void        wa_media_upload_async    (WaClient      *client,
                                      WaMediaType    type,
                                      GBytes        *plain,
                                      GCancellable  *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer       user_data);
WaMediaUpload *wa_media_upload_finish (WaClient     *client,
                                      GAsyncResult  *result,
                                      GError       **error);
void        wa_media_upload_free     (WaMediaUpload *upload);
void        wa_media_set_tls_database (WaClient     *client,
                                      GTlsDatabase  *database);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaMediaUpload, wa_media_upload_free)

G_END_DECLS
