/* xi-asset.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "xi-core-types.h"

G_BEGIN_DECLS

/* WhatsApp's own ceilings for what a message may carry: its apps refuse
 * a bigger picture or document, so a campaign must not find out at the
 * first recipient. */
#define XI_ASSET_MAX_IMAGE_BYTES    (16 * 1000 * 1000)
#define XI_ASSET_MAX_DOCUMENT_BYTES (100 * 1000 * 1000)

/* How much of a file sniffing looks at: enough for an office file's first
 * entries, whose names say what it is. */
#define XI_ASSET_SNIFF_BYTES        (64 * 1024)

#define XI_TYPE_ASSET (xi_asset_get_type ())

G_DECLARE_FINAL_TYPE (XiAsset, xi_asset, XI, ASSET, GObject)

const char  *xi_asset_sniff          (const guint8  *head,
                                      gsize          length,
                                      XiAssetKind   *kind);
gboolean     xi_asset_check_size     (XiAssetKind    kind,
                                      guint64        size,
                                      GError       **error);
XiAsset     *xi_asset_new            (const char    *name,
                                      const char    *mime_type,
                                      guint64        size,
                                      const char    *sha256,
                                      const char    *path);
const char  *xi_asset_get_id         (XiAsset       *self);
const char  *xi_asset_get_name       (XiAsset       *self);
const char  *xi_asset_get_mime_type  (XiAsset       *self);
XiAssetKind  xi_asset_get_kind       (XiAsset       *self);
guint64      xi_asset_get_size       (XiAsset       *self);
const char  *xi_asset_get_sha256     (XiAsset       *self);
const char  *xi_asset_get_path       (XiAsset       *self);
const char  *xi_asset_get_created_at (XiAsset       *self);
void         xi_asset_update_from    (XiAsset       *self,
                                      XiAsset       *newer);

G_END_DECLS
