/* xi-assets-facade.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-facade.h"

G_BEGIN_DECLS

#define XI_TYPE_ASSETS_FACADE (xi_assets_facade_get_type ())

G_DECLARE_FINAL_TYPE (XiAssetsFacade, xi_assets_facade, XI, ASSETS_FACADE, XiFacade)

XiAssetsFacade *xi_assets_facade_new           (XiStore               *store);
void            xi_assets_facade_add_async     (XiAssetsFacade        *self,
                                                const char            *path,
                                                GCancellable          *cancellable,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data);
XiAsset        *xi_assets_facade_add_finish    (XiAssetsFacade        *self,
                                                GAsyncResult          *result,
                                                GError               **error);
void            xi_assets_facade_delete_async  (XiAssetsFacade        *self,
                                                const char            *asset_id,
                                                GCancellable          *cancellable,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data);
gboolean        xi_assets_facade_delete_finish (XiAssetsFacade        *self,
                                                GAsyncResult          *result,
                                                GError               **error);

G_END_DECLS
