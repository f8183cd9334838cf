/* xi-funnel-bar.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define XI_TYPE_FUNNEL_BAR (xi_funnel_bar_get_type ())

G_DECLARE_FINAL_TYPE (XiFunnelBar, xi_funnel_bar, XI, FUNNEL_BAR, GtkWidget)

GtkWidget  *xi_funnel_bar_new          (void);
void        xi_funnel_bar_set_counts   (XiFunnelBar *self,
                                        guint        total,
                                        guint        sent,
                                        guint        delivered,
                                        guint        read,
                                        guint        failed,
                                        guint        skipped);
char       *xi_funnel_bar_dup_summary  (XiFunnelBar *self);

G_END_DECLS
