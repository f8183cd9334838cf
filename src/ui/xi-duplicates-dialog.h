/* xi-duplicates-dialog.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "xi-context.h"

G_BEGIN_DECLS

#define XI_TYPE_DUPLICATES_DIALOG (xi_duplicates_dialog_get_type ())

G_DECLARE_FINAL_TYPE (XiDuplicatesDialog, xi_duplicates_dialog, XI, DUPLICATES_DIALOG, AdwWindow)

GtkWidget *xi_duplicates_dialog_new          (XiContext          *context);
guint      xi_duplicates_dialog_get_n_shown  (XiDuplicatesDialog *self);
gboolean   xi_duplicates_dialog_get_busy     (XiDuplicatesDialog *self);

G_END_DECLS
