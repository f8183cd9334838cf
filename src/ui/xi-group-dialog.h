/* xi-group-dialog.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "xi-context.h"

G_BEGIN_DECLS

#define XI_TYPE_GROUP_DIALOG (xi_group_dialog_get_type ())

G_DECLARE_FINAL_TYPE (XiGroupDialog, xi_group_dialog, XI, GROUP_DIALOG, AdwWindow)

GtkWidget  *xi_group_dialog_new             (XiContext     *context,
                                             XiGroup       *group);
void        xi_group_dialog_set_name        (XiGroupDialog *self,
                                             const char    *name);
void        xi_group_dialog_set_description (XiGroupDialog *self,
                                             const char    *description);
void        xi_group_dialog_set_colour      (XiGroupDialog *self,
                                             const char    *colour);
gboolean    xi_group_dialog_can_save        (XiGroupDialog *self);
const char *xi_group_dialog_get_message     (XiGroupDialog *self);
void        xi_group_dialog_save            (XiGroupDialog *self);

G_END_DECLS
