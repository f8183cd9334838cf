/* xi-fake-monitor.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define XI_TYPE_FAKE_MONITOR (xi_fake_monitor_get_type ())

/* A GNetworkMonitor that a test switches on and off; it emits
 * "network-changed" at once, on the thread that switches it. */
G_DECLARE_FINAL_TYPE (XiFakeMonitor, xi_fake_monitor, XI, FAKE_MONITOR, GObject)

GNetworkMonitor *xi_fake_monitor_new           (void);
void             xi_fake_monitor_set_available (XiFakeMonitor *self,
                                                gboolean       available);

G_END_DECLS
