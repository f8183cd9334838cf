/* xi-sign-in-dialog.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "xi-sync-account.h"

G_BEGIN_DECLS

#define XI_TYPE_SIGN_IN_DIALOG (xi_sign_in_dialog_get_type ())

G_DECLARE_FINAL_TYPE (XiSignInDialog, xi_sign_in_dialog, XI, SIGN_IN_DIALOG, AdwWindow)

GtkWidget  *xi_sign_in_dialog_new  (XiSyncAccount *account);

G_END_DECLS
