/* xi-media-preview.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

/* The most a preview's source may weigh, and the most pixels a side of
 * the picture it decodes to may claim, before anything is decoded; the
 * most pixels in all is the caller's: a message's own thumbnail is small,
 * a downloaded photo may have 40 megapixels. */
#define XI_MEDIA_PREVIEW_MAX_BYTES            (16 * 1024 * 1024)
#define XI_MEDIA_PREVIEW_MAX_SIDE             16384
#define XI_MEDIA_PREVIEW_THUMBNAIL_MAX_PIXELS (1024 * 1024)
#define XI_MEDIA_PREVIEW_PICTURE_MAX_PIXELS   (40 * 1000 * 1000)

typedef enum
{
  XI_MEDIA_PREVIEW_DEFAULT           = 0,
  XI_MEDIA_PREVIEW_TRUST_JPEG_HEADER = 1 << 0,
} XiMediaPreviewFlags;

const char *xi_media_preview_sniff       (GBytes              *data,
                                          XiMediaPreviewFlags  flags);
GdkPixbuf  *xi_media_preview_decode      (GBytes              *data,
                                          int                  max_side,
                                          gint64               max_pixels,
                                          GError             **error);
GdkPixbuf  *xi_media_preview_decode_full (GBytes              *data,
                                          int                  max_side,
                                          gint64               max_pixels,
                                          XiMediaPreviewFlags  flags,
                                          GError             **error);

G_END_DECLS
