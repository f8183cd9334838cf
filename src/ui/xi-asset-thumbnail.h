/* xi-asset-thumbnail.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "xi-asset.h"

G_BEGIN_DECLS

GtkWidget *xi_asset_thumbnail_new      (XiAsset      *asset,
                                        int           size,
                                        GCancellable *cancellable);
void       xi_asset_thumbnail_show     (GtkImage     *image,
                                        XiAsset      *asset,
                                        int           size,
                                        GCancellable *cancellable);
char      *xi_asset_thumbnail_describe (XiAsset      *asset);

G_END_DECLS
