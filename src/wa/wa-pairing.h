/* wa-pairing.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-credentials.h"
#include "wa-key-store.h"

G_BEGIN_DECLS

/**
 * WaPairing:
 * @account: the phone's signed device identity with our device signature
 *   added: stored, and attached to the first message to each new contact
 * @reply: the same without the account signature key, for the
 *   pair-device-sign answer
 * @key_index: the device's key index, sent as key-index in that answer
 * @primary_identity: the phone's identity key, to trust as its Signal
 *   identity
 *
 * What a verified pair-success yields (protocol notes §5.5–5.6).
 */
typedef struct
{
  GBytes  *account;
  GBytes  *reply;
  guint32  key_index;
  guint8   primary_identity[WA_KEY_LEN];
} WaPairing;

WaPairing  *wa_pairing_verify        (const WaCredentials  *credentials,
                                      GBytes               *device_identity,
                                      GError              **error);
void        wa_pairing_error_reply   (const GError         *error,
                                      guint                *code,
                                      const char          **text);
void        wa_pairing_save          (const WaPairing      *self,
                                      const char           *device_jid,
                                      WaKeyStore           *store);
char       *wa_pairing_load_device_jid (WaKeyStore         *store);
GBytes     *wa_pairing_load_account  (WaKeyStore           *store);
void        wa_pairing_save_lid      (WaKeyStore           *store,
                                      const char           *lid);
char       *wa_pairing_load_lid      (WaKeyStore           *store);
WaPairing  *wa_pairing_copy          (const WaPairing      *self);
void        wa_pairing_free          (WaPairing            *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaPairing, wa_pairing_free)

G_END_DECLS
