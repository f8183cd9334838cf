/* xi-test-facade.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-facade.h"

G_BEGIN_DECLS

XiStore *xi_test_facade_open_store    (const char *dir);
void     xi_test_facade_reload        (XiFacade   *facade);
void     xi_test_facade_wait_followed (XiFacade   *facade);
void     xi_test_facade_tear_down     (XiFacade   *facade,
                                       XiStore    *store,
                                       char       *dir);
void     xi_test_count_notify_cb      (GObject    *object,
                                       GParamSpec *pspec,
                                       GHashTable *counts);
guint    xi_test_count_of             (GHashTable *counts,
                                       const char *name);

G_END_DECLS
