/* xi-contacts-page.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-contact-filter.h"
#include "xi-page.h"

G_BEGIN_DECLS

#define XI_TYPE_CONTACTS_PAGE (xi_contacts_page_get_type ())

G_DECLARE_FINAL_TYPE (XiContactsPage, xi_contacts_page, XI, CONTACTS_PAGE, XiPage)

GArray      *xi_contacts_page_dup_selected_keys (XiContactsPage *self);
void         xi_contacts_page_set_search       (XiContactsPage *self,
                                                const char     *text);
void         xi_contacts_page_apply_filter     (XiContactsPage  *self,
                                                XiContactFilter *filter);
GListModel  *xi_contacts_page_get_visible      (XiContactsPage *self);
void         xi_contacts_page_focus_list       (XiContactsPage *self);
GtkWidget   *xi_contacts_page_open_editor      (XiContactsPage *self,
                                                XiContact      *contact);

G_END_DECLS
