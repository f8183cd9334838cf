/* xi-progress.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*XiProgressFunc) (double   fraction,
                                gpointer user_data);

typedef struct _XiProgressRelay XiProgressRelay;

XiProgressRelay *xi_progress_relay_new    (XiProgressFunc   func,
                                           gpointer         user_data,
                                           GDestroyNotify   destroy);
XiProgressRelay *xi_progress_relay_ref    (XiProgressRelay *self);
void             xi_progress_relay_unref  (XiProgressRelay *self);
void             xi_progress_relay_report (XiProgressRelay *self,
                                           double           fraction);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiProgressRelay, xi_progress_relay_unref)

G_END_DECLS
