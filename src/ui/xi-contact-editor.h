/* xi-contact-editor.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "xi-context.h"

G_BEGIN_DECLS

#define XI_TYPE_CONTACT_EDITOR (xi_contact_editor_get_type ())

G_DECLARE_FINAL_TYPE (XiContactEditor, xi_contact_editor, XI, CONTACT_EDITOR, AdwWindow)

GtkWidget *xi_contact_editor_new       (XiContext       *context,
                                        XiContact       *contact);
gboolean   xi_contact_editor_can_save  (XiContactEditor *self);
void       xi_contact_editor_set_phone (XiContactEditor *self,
                                        const char      *phone);
void       xi_contact_editor_set_name  (XiContactEditor *self,
                                        const char      *name);
void       xi_contact_editor_save      (XiContactEditor *self);

G_END_DECLS
