/* xi-qr-view.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define XI_TYPE_QR_VIEW (xi_qr_view_get_type ())

G_DECLARE_FINAL_TYPE (XiQrView, xi_qr_view, XI, QR_VIEW, GtkWidget)

GtkWidget  *xi_qr_view_new      (void);
void        xi_qr_view_set_text (XiQrView   *self,
                                 const char *text);
const char *xi_qr_view_get_text (XiQrView   *self);

G_END_DECLS
