/* xi-media-info.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "xi-media-info.h"

G_DEFINE_BOXED_TYPE (XiMediaInfo, xi_media_info, xi_media_info_copy, xi_media_info_free)

static GBytes *
bytes_ref0 (GBytes *bytes)
{
  return bytes != NULL ? g_bytes_ref (bytes) : NULL;
}

/**
 * xi_media_info_copy:
 * @info: a #XiMediaInfo
 *
 * Returns: (transfer full): a copy of @info
 */
XiMediaInfo *
xi_media_info_copy (const XiMediaInfo *info)
{
  XiMediaInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_new0 (XiMediaInfo, 1);
  copy->kind = g_strdup (info->kind);
  copy->mimetype = g_strdup (info->mimetype);
  copy->file_name = g_strdup (info->file_name);
  copy->size = info->size;
  copy->width = info->width;
  copy->height = info->height;
  copy->direct_path = g_strdup (info->direct_path);
  copy->media_key = bytes_ref0 (info->media_key);
  copy->file_sha256 = bytes_ref0 (info->file_sha256);
  copy->file_enc_sha256 = bytes_ref0 (info->file_enc_sha256);
  copy->thumbnail = bytes_ref0 (info->thumbnail);
  copy->asset_path = g_strdup (info->asset_path);
  return copy;
}

/**
 * xi_media_info_free:
 * @info: (nullable): a #XiMediaInfo
 */
void
xi_media_info_free (XiMediaInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->kind);
  g_free (info->mimetype);
  g_free (info->file_name);
  g_free (info->direct_path);
  g_clear_pointer (&info->media_key, g_bytes_unref);
  g_clear_pointer (&info->file_sha256, g_bytes_unref);
  g_clear_pointer (&info->file_enc_sha256, g_bytes_unref);
  g_clear_pointer (&info->thumbnail, g_bytes_unref);
  g_free (info->asset_path);
  g_free (info);
}

/**
 * xi_media_info_kind_is_valid:
 * @kind: (nullable): a kind of media
 *
 * Returns: whether the store keeps media of @kind
 */
gboolean
xi_media_info_kind_is_valid (const char *kind)
{
  return g_strcmp0 (kind, "image") == 0 || g_strcmp0 (kind, "video") == 0 ||
         g_strcmp0 (kind, "audio") == 0 || g_strcmp0 (kind, "document") == 0 ||
         g_strcmp0 (kind, "sticker") == 0;
}

/**
 * xi_media_info_dup_display_name:
 * @info: a #XiMediaInfo
 *
 * The name to show and to suggest when saving: a document's own name,
 * else the kind of media.
 *
 * Returns: (transfer full): a name for the user
 */
char *
xi_media_info_dup_display_name (const XiMediaInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  if (info->file_name != NULL && info->file_name[0] != '\0')
    return g_strdup (info->file_name);
  if (g_strcmp0 (info->kind, "image") == 0)
    return g_strdup (_("Picture"));
  if (g_strcmp0 (info->kind, "sticker") == 0)
    return g_strdup (_("Sticker"));
  if (g_strcmp0 (info->kind, "video") == 0)
    return g_strdup (_("Video"));
  if (g_strcmp0 (info->kind, "audio") == 0)
    return g_strdup (_("Audio"));
  return g_strdup (_("Document"));
}
