/* xi-import-dialog.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "xi-context.h"

G_BEGIN_DECLS

#define XI_TYPE_IMPORT_DIALOG (xi_import_dialog_get_type ())

G_DECLARE_FINAL_TYPE (XiImportDialog, xi_import_dialog, XI, IMPORT_DIALOG, AdwWindow)

GtkWidget      *xi_import_dialog_new         (XiContext      *context,
                                              GFile          *file);
void            xi_import_dialog_start       (XiImportDialog *self,
                                              const char     *group_name);
XiImportReport *xi_import_dialog_get_preview (XiImportDialog *self);
XiImportReport *xi_import_dialog_get_report  (XiImportDialog *self);

G_END_DECLS
