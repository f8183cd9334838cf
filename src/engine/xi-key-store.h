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

/* Values of the kinds read on demand kept in memory: a few batches of
 * recipients' worth. Each recipient takes about eight (its session and
 * identity, its LID both ways, the privacy tokens by LID and by number),
 * and the messenger reads the next batch of 50 while one is sent. */
#define XI_KEY_STORE_CACHE_SIZE 4096

XiKeyStore         *xi_key_store_new              (XiStore    *store,
                                                   GHashTable *loaded);
void                xi_key_store_close            (XiKeyStore *self);
const char * const *xi_key_store_lazy_kinds       (void);
void                xi_key_store_set_cache_size   (XiKeyStore *self,
                                                   guint       size);
guint               xi_key_store_get_cached       (XiKeyStore *self);
guint               xi_key_store_get_waits        (XiKeyStore *self);
guint               xi_key_store_get_values_read  (XiKeyStore *self);
guint               xi_key_store_get_transactions (XiKeyStore *self);

G_END_DECLS
