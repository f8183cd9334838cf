/* xi-sync-indicator.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "xi-context.h"

G_BEGIN_DECLS

#define XI_TYPE_SYNC_INDICATOR (xi_sync_indicator_get_type ())

G_DECLARE_FINAL_TYPE (XiSyncIndicator, xi_sync_indicator, XI, SYNC_INDICATOR, GtkWidget)

void         xi_sync_indicator_set_context  (XiSyncIndicator *self,
                                             XiContext       *context);
const char  *xi_sync_indicator_get_text     (XiSyncIndicator *self);
void         xi_sync_indicator_open         (XiSyncIndicator *self);

G_END_DECLS
