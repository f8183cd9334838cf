/* xi-contact-list.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "xi-contact-filter.h"
#include "xi-store.h"

G_BEGIN_DECLS

#define XI_TYPE_CONTACT_LIST (xi_contact_list_get_type ())

G_DECLARE_FINAL_TYPE (XiContactList, xi_contact_list, XI, CONTACT_LIST, GObject)

XiContactList *xi_contact_list_new          (XiStore          *store);
void           xi_contact_list_set_query    (XiContactList    *self,
                                             const char       *text,
                                             XiContactFilter  *filter);
void           xi_contact_list_refresh      (XiContactList    *self);
void           xi_contact_list_clear        (XiContactList    *self);
gboolean       xi_contact_list_get_loading  (XiContactList    *self);
gint64         xi_contact_list_get_key      (XiContactList    *self,
                                             guint             position);
guint          xi_contact_list_get_n_cached (XiContactList    *self);

G_END_DECLS
