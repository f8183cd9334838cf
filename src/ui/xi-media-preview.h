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
 * the picture it decodes to may claim, before anything is decoded. */
#define XI_MEDIA_PREVIEW_MAX_BYTES (16 * 1024 * 1024)
#define XI_MEDIA_PREVIEW_MAX_SIDE  16384

GdkPixbuf *xi_media_preview_decode (GBytes  *data,
                                    int      max_side,
                                    GError **error);

G_END_DECLS
