/* wa-sync-private.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-jid.h"
#include "wa-key-store.h"

G_BEGIN_DECLS

/* Where what app state and history sync learn is kept (the key store's
 * kinds, shared with the rest of the library): never synced, never
 * logged. */
#define WA_SYNC_KIND_APP_STATE    "appstate"
#define WA_SYNC_KIND_CONTACT_NAME "contact-name"
#define WA_SYNC_KIND_PUSH_NAMES   "push-name"

WaJid    *_wa_sync_parse_user      (const char   *text);
void      _wa_sync_save_text       (WaKeyStore   *store,
                                    const char   *kind,
                                    const char   *key,
                                    const char   *text);

G_END_DECLS
