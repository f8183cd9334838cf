/* xi-media-cache.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-media.h"
#include "xi-asset.h"

G_BEGIN_DECLS

/**
 * XiSentMedia:
 * @upload: where the blob is and its keys
 * @jpeg_thumbnail: (nullable): a picture's small preview
 * @width: a picture's width, or 0 when it could not be read
 * @height: a picture's height, or 0
 * @page_count: a PDF's pages, or 0 when unknown
 *
 * An asset as every message that carries it refers to it. Immutable and
 * reference counted (xi_sent_media_ref()).
 */
typedef struct
{
  WaMediaUpload *upload;
  GBytes        *jpeg_thumbnail;
  guint          width;
  guint          height;
  guint          page_count;
} XiSentMedia;

XiSentMedia *xi_sent_media_ref   (XiSentMedia *media);
void         xi_sent_media_unref (XiSentMedia *media);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiSentMedia, xi_sent_media_unref)

/* How long an upload is referred to before it is made again: the media
 * host keeps blobs for a limited time, and a campaign that runs for days
 * must not send its last recipients a picture that is gone. */
#define XI_MEDIA_CACHE_REUSE_S (G_GINT64_CONSTANT (24) * 60 * 60)

#define XI_TYPE_MEDIA_CACHE (xi_media_cache_get_type ())

G_DECLARE_FINAL_TYPE (XiMediaCache, xi_media_cache, XI, MEDIA_CACHE, GObject)

XiMediaCache *xi_media_cache_new        (WaClient       *client);
void          xi_media_cache_get_async  (XiMediaCache   *self,
                                         XiAsset        *asset,
                                         GCancellable   *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer        user_data);
XiSentMedia  *xi_media_cache_get_finish (XiMediaCache   *self,
                                         GAsyncResult   *result,
                                         GError        **error);
gboolean      xi_media_cache_forget     (XiMediaCache   *self,
                                         XiAsset        *asset,
                                         XiSentMedia    *stale);
guint         xi_media_cache_get_n_uploads (XiMediaCache *self);
void          xi_media_cache_set_preview_time_limit (XiMediaCache *self,
                                                     guint         limit_ms);

G_END_DECLS
