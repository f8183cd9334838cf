/* xi-contact-filter-bar.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "xi-context.h"

G_BEGIN_DECLS

#define XI_TYPE_CONTACT_FILTER_BAR (xi_contact_filter_bar_get_type ())

G_DECLARE_FINAL_TYPE (XiContactFilterBar, xi_contact_filter_bar, XI, CONTACT_FILTER_BAR, GtkWidget)

GtkWidget           *xi_contact_filter_bar_new            (void);
void                 xi_contact_filter_bar_set_context    (XiContactFilterBar  *self,
                                                           XiContext           *context);
gboolean             xi_contact_filter_bar_add_condition  (XiContactFilterBar  *self,
                                                           const char          *condition,
                                                           GError             **error);
void                 xi_contact_filter_bar_set_conditions (XiContactFilterBar  *self,
                                                           const char * const  *conditions);
const char * const  *xi_contact_filter_bar_get_conditions (XiContactFilterBar  *self);
XiContactFilter     *xi_contact_filter_bar_dup_filter     (XiContactFilterBar  *self);
char                *xi_contact_filter_bar_describe       (const char          *condition);

G_END_DECLS
