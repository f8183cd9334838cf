/* xi-link-dialog.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "xi-connection.h"

G_BEGIN_DECLS

#define XI_TYPE_LINK_DIALOG (xi_link_dialog_get_type ())

G_DECLARE_FINAL_TYPE (XiLinkDialog, xi_link_dialog, XI, LINK_DIALOG, AdwWindow)

GtkWidget  *xi_link_dialog_new            (XiConnection *connection);
const char *xi_link_dialog_get_page_name  (XiLinkDialog *self);

G_END_DECLS
