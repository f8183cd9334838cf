/* xi-key-store.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-key-store.h"
#include "xi-store.h"

G_BEGIN_DECLS

#define XI_TYPE_KEY_STORE (xi_key_store_get_type ())

G_DECLARE_FINAL_TYPE (XiKeyStore, xi_key_store, XI, KEY_STORE, GObject)

XiKeyStore *xi_key_store_new (XiStore    *store,
                              GHashTable *loaded);

G_END_DECLS
