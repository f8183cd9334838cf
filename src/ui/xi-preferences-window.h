/* xi-preferences-window.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "xi-context.h"

G_BEGIN_DECLS

#define XI_TYPE_PREFERENCES_WINDOW (xi_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (XiPreferencesWindow, xi_preferences_window, XI, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget *xi_preferences_window_new (XiContext *context);

G_END_DECLS
