/* xi-net-thread.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define XI_TYPE_NET_THREAD (xi_net_thread_get_type ())

G_DECLARE_FINAL_TYPE (XiNetThread, xi_net_thread, XI, NET_THREAD, GObject)

XiNetThread  *xi_net_thread_new         (void);
GMainContext *xi_net_thread_get_context (XiNetThread    *self);
gboolean      xi_net_thread_is_current  (XiNetThread    *self);
gboolean      xi_net_thread_is_running  (XiNetThread    *self);
void          xi_net_thread_invoke      (XiNetThread    *self,
                                         GSourceFunc     func,
                                         gpointer        data,
                                         GDestroyNotify  destroy);
void          xi_net_thread_stop        (XiNetThread    *self,
                                         GSourceFunc     shutdown,
                                         gpointer        data,
                                         GDestroyNotify  destroy);

G_END_DECLS
