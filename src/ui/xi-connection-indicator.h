/* xi-connection-indicator.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "xi-connection.h"

G_BEGIN_DECLS

#define XI_TYPE_CONNECTION_INDICATOR (xi_connection_indicator_get_type ())

G_DECLARE_FINAL_TYPE (XiConnectionIndicator, xi_connection_indicator, XI, CONNECTION_INDICATOR, GtkWidget)

void          xi_connection_indicator_set_connection (XiConnectionIndicator *self,
                                                      XiConnection          *connection);
void          xi_connection_indicator_open           (XiConnectionIndicator *self);
const char   *xi_connection_indicator_get_text       (XiConnectionIndicator *self);

G_END_DECLS
