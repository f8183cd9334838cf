/* xi-media-info.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The largest file a customer's message may name that we fetch. */
#define XI_MEDIA_MAX_SIZE (100 * 1024 * 1024)

/**
 * XiMediaInfo:
 * @kind: "image", "video", "audio", "document" or "sticker"
 * @mimetype: (nullable): what the sender says it is
 * @file_name: (nullable): a document's name
 * @size: the size of the content, as the sender says
 * @width: a picture's or video's width, or 0
 * @height: its height, or 0
 * @direct_path: where it is on the media host
 * @media_key: its key
 * @file_sha256: the SHA-256 of the content
 * @file_enc_sha256: the SHA-256 of the encrypted blob
 * @thumbnail: (nullable): the sender's small JPEG preview
 * @asset_path: (nullable): where the verified content is stored, once
 *   downloaded
 *
 * The file a customer's message carries. Immutable once made, so it may
 * cross threads; its caption is the message's text.
 */
typedef struct
{
  char    *kind;
  char    *mimetype;
  char    *file_name;
  guint64  size;
  guint    width;
  guint    height;
  char    *direct_path;
  GBytes  *media_key;
  GBytes  *file_sha256;
  GBytes  *file_enc_sha256;
  GBytes  *thumbnail;
  char    *asset_path;
} XiMediaInfo;

#define XI_TYPE_MEDIA_INFO (xi_media_info_get_type ())

GType        xi_media_info_get_type    (void) G_GNUC_CONST;
XiMediaInfo *xi_media_info_copy        (const XiMediaInfo *info);
void         xi_media_info_free        (XiMediaInfo       *info);
gboolean     xi_media_info_kind_is_valid (const char      *kind);
char        *xi_media_info_dup_display_name (const XiMediaInfo *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiMediaInfo, xi_media_info_free)

G_END_DECLS
