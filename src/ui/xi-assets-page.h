/* xi-assets-page.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-page.h"

G_BEGIN_DECLS

#define XI_TYPE_ASSETS_PAGE (xi_assets_page_get_type ())

G_DECLARE_FINAL_TYPE (XiAssetsPage, xi_assets_page, XI, ASSETS_PAGE, XiPage)

void        xi_assets_page_add_files  (XiAssetsPage *self,
                                       GSList       *files);
GListModel *xi_assets_page_get_assets (XiAssetsPage *self);

G_END_DECLS
