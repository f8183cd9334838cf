/* xi-send-message-dialog.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "xi-context.h"

G_BEGIN_DECLS

#define XI_TYPE_SEND_MESSAGE_DIALOG (xi_send_message_dialog_get_type ())

G_DECLARE_FINAL_TYPE (XiSendMessageDialog, xi_send_message_dialog, XI, SEND_MESSAGE_DIALOG, AdwWindow)

GtkWidget  *xi_send_message_dialog_new       (XiContext           *context,
                                              XiContact           *contact);
void        xi_send_message_dialog_set_text  (XiSendMessageDialog *self,
                                              const char          *text);
const char *xi_send_message_dialog_get_error (XiSendMessageDialog *self);
gboolean    xi_send_message_dialog_is_sending (XiSendMessageDialog *self);
void        xi_send_message_dialog_attach_file (XiSendMessageDialog *self,
                                                GFile               *file);
XiAsset    *xi_send_message_dialog_get_attachment (XiSendMessageDialog *self);

G_END_DECLS
