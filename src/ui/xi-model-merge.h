/* xi-model-merge.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef const char *(*XiModelIdFunc)     (gpointer item);
typedef void        (*XiModelUpdateFunc) (gpointer item,
                                          gpointer newer);

void xi_model_merge (GListStore        *store,
                     GPtrArray         *items,
                     XiModelIdFunc      id_func,
                     XiModelUpdateFunc  update_func);

G_END_DECLS
