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

GListModel        *xi_groups_page_get_groups            (XiGroupsPage *self);
void               xi_groups_page_select_group          (XiGroupsPage *self,
                                                         guint         position);
gboolean           xi_groups_page_select_group_by_id    (XiGroupsPage *self,
                                                         const char   *group_id);
XiGroup           *xi_groups_page_get_selected_group    (XiGroupsPage *self);
GListModel        *xi_groups_page_get_members           (XiGroupsPage *self);
GtkSelectionModel *xi_groups_page_get_member_selection  (XiGroupsPage *self);
void               xi_groups_page_set_member_search     (XiGroupsPage *self,
                                                         const char   *text);

/* The "Add Contacts…" picker (a modal window); exposed for tests. */
GtkWidget         *xi_groups_page_open_picker           (XiGroupsPage *self);
GListModel        *xi_groups_page_picker_get_candidates (GtkWidget    *picker);
void               xi_groups_page_picker_set_search     (GtkWidget    *picker,
                                                         const char   *text);
void               xi_groups_page_picker_set_chosen     (GtkWidget    *picker,
                                                         XiContact    *contact,
                                                         gboolean      chosen);
guint              xi_groups_page_picker_get_n_chosen   (GtkWidget    *picker);

G_END_DECLS
