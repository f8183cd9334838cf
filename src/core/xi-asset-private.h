/* xi-asset-private.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-asset.h"

G_BEGIN_DECLS

XiAsset *_xi_asset_new_from_store (const char *id,
                                   const char *name,
                                   const char *mime_type,
                                   guint64     size,
                                   const char *sha256,
                                   const char *path,
                                   const char *created_at);

G_END_DECLS
