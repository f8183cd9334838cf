/* xi-auto-reply-dialog.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "xi-auto-reply-facade.h"

G_BEGIN_DECLS

#define XI_TYPE_AUTO_REPLY_DIALOG (xi_auto_reply_dialog_get_type ())

G_DECLARE_FINAL_TYPE (XiAutoReplyDialog, xi_auto_reply_dialog, XI, AUTO_REPLY_DIALOG, AdwWindow)

GtkWidget *xi_auto_reply_dialog_new  (XiAutoReplyFacade *facade,
                                      XiAutoReplyRule   *rule);
void       xi_auto_reply_dialog_save (XiAutoReplyDialog *self);

G_END_DECLS
