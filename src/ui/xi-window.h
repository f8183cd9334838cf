/* xi-window.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "xi-context.h"

G_BEGIN_DECLS

#define XI_TYPE_WINDOW (xi_window_get_type ())

G_DECLARE_FINAL_TYPE (XiWindow, xi_window, XI, WINDOW, AdwApplicationWindow)

typedef struct _XiApplication XiApplication;

XiWindow   *xi_window_new               (XiApplication *application,
                                         XiContext     *context);
GtkWidget  *xi_window_import_file       (XiWindow      *self,
                                         GFile         *file);
void        xi_window_show_page         (XiWindow      *self,
                                         const char    *name);
const char *xi_window_get_visible_page  (XiWindow      *self);
GtkWidget  *xi_window_get_page          (XiWindow      *self,
                                         const char    *name);
void        xi_window_show_conversation (XiWindow      *self,
                                         const char    *phone);
void        xi_window_add_toast         (XiWindow      *self,
                                         AdwToast      *toast);
void        xi_window_show_fatal_error  (XiWindow      *self,
                                         const char    *title,
                                         const char    *detail);

G_END_DECLS
