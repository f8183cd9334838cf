/* xi-sync-preferences-page.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "xi-context.h"

G_BEGIN_DECLS

#define XI_TYPE_SYNC_PREFERENCES_PAGE (xi_sync_preferences_page_get_type ())

G_DECLARE_FINAL_TYPE (XiSyncPreferencesPage, xi_sync_preferences_page, XI, SYNC_PREFERENCES_PAGE,
                      AdwPreferencesPage)

GtkWidget  *xi_sync_preferences_page_new  (XiContext *context);

G_END_DECLS
