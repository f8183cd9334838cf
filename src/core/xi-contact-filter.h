/* xi-contact-filter.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "xi-contact.h"

G_BEGIN_DECLS

#define XI_TYPE_CONTACT_FILTER (xi_contact_filter_get_type ())

typedef struct _XiContactFilter XiContactFilter;

GType             xi_contact_filter_get_type      (void) G_GNUC_CONST;
XiContactFilter  *xi_contact_filter_new           (void);
XiContactFilter  *xi_contact_filter_ref           (XiContactFilter     *self);
void              xi_contact_filter_unref         (XiContactFilter     *self);
gboolean          xi_contact_filter_add_where     (XiContactFilter     *self,
                                                   const char          *condition,
                                                   GError             **error);
void              xi_contact_filter_add_tag       (XiContactFilter     *self,
                                                   const char          *tag);
void              xi_contact_filter_set_opted_out (XiContactFilter     *self,
                                                   gboolean             opted_out);
const char      **xi_contact_filter_get_fields    (XiContactFilter     *self);
gboolean          xi_contact_filter_is_empty      (XiContactFilter     *self);
gboolean          xi_contact_filter_matches       (XiContactFilter     *self,
                                                   XiContact           *contact);
XiContactFilter  *xi_contact_filter_new_from_search (const char        *text,
                                                     char             **free_text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiContactFilter, xi_contact_filter_unref)

G_END_DECLS
