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

/**
 * XiContactFilterSet:
 * @XI_CONTACT_FILTER_SET_GROUP: the group named: the id of the live
 *   group of that name (names are unique among live groups), not its
 *   members
 * @XI_CONTACT_FILTER_SET_MESSAGED: everyone a message was ever sent to
 * @XI_CONTACT_FILTER_SET_REPLIED: who replied to the campaign named
 *
 * What only the store knows: the sets of contacts messaged or who
 * replied, and which group a name means.
 */
typedef enum {
  XI_CONTACT_FILTER_SET_GROUP,
  XI_CONTACT_FILTER_SET_MESSAGED,
  XI_CONTACT_FILTER_SET_REPLIED,
} XiContactFilterSet;

/**
 * XiContactFilterResolveFunc:
 * @set: which set
 * @name: the group or campaign named, casefolded; unused for
 *   %XI_CONTACT_FILTER_SET_MESSAGED
 * @user_data: closure
 * @error: return location for an error, such as no group of that name
 *
 * Returns: (transfer full) (nullable): the contact ids, or the group's
 *   id for %XI_CONTACT_FILTER_SET_GROUP, a set of strings
 */
typedef GHashTable *(*XiContactFilterResolveFunc) (XiContactFilterSet   set,
                                                   const char          *name,
                                                   gpointer             user_data,
                                                   GError             **error);

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
XiContactFilter  *xi_contact_filter_new_from_conditions (const char * const  *conditions,
                                                         GError             **error);
const char * const *xi_contact_filter_get_conditions (XiContactFilter  *self);
gboolean          xi_contact_filter_needs_resolving (XiContactFilter  *self);
char             *xi_contact_filter_get_fields_pattern (XiContactFilter *self);
char             *xi_contact_filter_dup_members_sql (XiContactFilter *self);
void              xi_contact_filter_append_fields_sql (XiContactFilter *self,
                                                       GString         *sql,
                                                       guint            filter_param);
char             *xi_contact_filter_dup_exclusions_sql (XiContactFilter *self);
gboolean          xi_contact_filter_field_matches (XiContactFilter     *self,
                                                   guint                index,
                                                   const char          *value);
gboolean          xi_contact_filter_resolve       (XiContactFilter            *self,
                                                   XiContactFilterResolveFunc  func,
                                                   gpointer                    user_data,
                                                   GError                    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiContactFilter, xi_contact_filter_unref)

G_END_DECLS
