/* xi-groups-page.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-page.h"

G_BEGIN_DECLS

#define XI_TYPE_GROUPS_PAGE (xi_groups_page_get_type ())

G_DECLARE_FINAL_TYPE (XiGroupsPage, xi_groups_page, XI, GROUPS_PAGE, XiPage)

void        xi_groups_page_select_group (XiGroupsPage *self,
                                         guint         position);
GListModel *xi_groups_page_get_members  (XiGroupsPage *self);

G_END_DECLS
