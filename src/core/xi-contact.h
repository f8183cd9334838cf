/* xi-contact.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "xi-core-types.h"

G_BEGIN_DECLS

#define XI_TYPE_CONTACT (xi_contact_get_type ())

G_DECLARE_FINAL_TYPE (XiContact, xi_contact, XI, CONTACT, GObject)

XiContact           *xi_contact_new                  (void);
XiContact           *xi_contact_copy                 (XiContact           *self);
void                 xi_contact_update_from          (XiContact           *self,
                                                      XiContact           *saved);

const char          *xi_contact_get_id               (XiContact           *self);
const char          *xi_contact_get_name             (XiContact           *self);
void                 xi_contact_set_name             (XiContact           *self,
                                                      const char          *name);
const char          *xi_contact_get_phone            (XiContact           *self);
void                 xi_contact_set_phone            (XiContact           *self,
                                                      const char          *phone);
const char * const  *xi_contact_get_tags             (XiContact           *self);
void                 xi_contact_set_tags             (XiContact           *self,
                                                      const char * const  *tags);
const char          *xi_contact_get_notes            (XiContact           *self);
void                 xi_contact_set_notes            (XiContact           *self,
                                                      const char          *notes);
const char          *xi_contact_get_custom_field     (XiContact           *self,
                                                      const char          *key);
void                 xi_contact_set_custom_field     (XiContact           *self,
                                                      const char          *key,
                                                      const char          *value);
char               **xi_contact_dup_custom_field_names (XiContact         *self);
gboolean             xi_contact_check_limits         (XiContact           *self,
                                                      GError             **error);
const char * const  *xi_contact_get_group_ids        (XiContact           *self);
void                 xi_contact_set_group_ids        (XiContact           *self,
                                                      const char * const  *group_ids);
gboolean             xi_contact_is_in_group          (XiContact           *self,
                                                      const char          *group_id);
void                 xi_contact_add_group_id         (XiContact           *self,
                                                      const char          *group_id);
void                 xi_contact_remove_group_id      (XiContact           *self,
                                                      const char          *group_id);
XiOnWhatsApp         xi_contact_get_on_whatsapp      (XiContact           *self);
gint64               xi_contact_get_on_whatsapp_checked_at (XiContact     *self);
void                 xi_contact_set_on_whatsapp      (XiContact           *self,
                                                      XiOnWhatsApp         on_whatsapp,
                                                      gint64               checked_at);
gboolean             xi_contact_get_opted_out        (XiContact           *self);
void                 xi_contact_set_opted_out        (XiContact           *self,
                                                      gboolean             opted_out);
gint64               xi_contact_get_version          (XiContact           *self);
const char          *xi_contact_get_updated_at       (XiContact           *self);
gboolean             xi_contact_matches              (XiContact           *self,
                                                      const char          *casefolded_needle);
const char          *xi_contact_get_display_name     (XiContact           *self);
gboolean             xi_contact_has_name             (XiContact           *self);
int                  xi_contact_compare              (XiContact           *a,
                                                      XiContact           *b);
const char          *xi_contact_lookup_variable      (const char          *variable,
                                                      gpointer             contact);

G_END_DECLS
