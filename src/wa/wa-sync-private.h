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
#define WA_SYNC_KIND_LID_PN       "lid-pn"
#define WA_SYNC_KIND_PN_LID       "pn-lid"
#define WA_SYNC_KIND_TCTOKEN      "tctoken"
#define WA_SYNC_KIND_NCT_SALT     "nct-salt"
#define WA_SYNC_KEY_NCT_SALT      "salt"
#define WA_SYNC_KIND_ACCOUNT      "account"
#define WA_SYNC_KEY_PUSH_NAME     "push-name"
#define WA_SYNC_KIND_CONTACT_NAME "contact-name"
#define WA_SYNC_KIND_PUSH_NAMES   "push-name"

WaJid    *_wa_sync_parse_user      (const char   *text);
void      _wa_sync_remember_lid_pn (WaKeyStore   *store,
                                    const char   *lid_user,
                                    const char   *pn_user);
char     *_wa_sync_pn_of_lid       (WaKeyStore   *store,
                                    const char   *lid_user);
char     *_wa_sync_lid_of_pn       (WaKeyStore   *store,
                                    const char   *pn_user);
void      _wa_sync_save_text       (WaKeyStore   *store,
                                    const char   *kind,
                                    const char   *key,
                                    const char   *text);
gboolean  _wa_sync_save_tctoken    (WaKeyStore   *store,
                                    const char   *lid_user,
                                    guint64       timestamp,
                                    const guint8 *token,
                                    gsize         len);

G_END_DECLS
