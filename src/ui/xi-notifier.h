/* xi-notifier.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "xi-campaign-runner.h"
#include "xi-connection.h"

G_BEGIN_DECLS

#define XI_TYPE_NOTIFIER (xi_notifier_get_type ())

G_DECLARE_FINAL_TYPE (XiNotifier, xi_notifier, XI, NOTIFIER, GObject)

XiNotifier *xi_notifier_new            (GtkApplication   *application);
void        xi_notifier_set_runner     (XiNotifier       *self,
                                        XiCampaignRunner *runner);
void        xi_notifier_set_connection (XiNotifier       *self,
                                        XiConnection     *connection);

G_END_DECLS
