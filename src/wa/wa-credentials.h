/* wa-credentials.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-crypto.h"
#include "wa-key-store.h"

G_BEGIN_DECLS

/* The id both clients give their first signed prekey; each rotation
 * takes the next one. */
#define WA_SIGNED_PRE_KEY_ID 1

/**
 * WaCredentials:
 * @noise_key: the static key of the Noise handshake
 * @identity_key: the Signal identity, which the phone's ADV signature binds
 * @signed_pre_key: the current signed prekey
 * @signed_pre_key_signature: XEd25519 by @identity_key over 0x05 || public
 * @signed_pre_key_id: its id (24 bits), %WA_SIGNED_PRE_KEY_ID at first
 * @signed_pre_key_time: when it was made, Unix seconds; 0 when unknown
 *   (stored before rotation existed)
 * @registration_id: the Signal registration id, 14 bits as Baileys makes it
 * @adv_secret: shared with the phone through the QR code; authenticates
 *   pair-success
 *
 * What a companion device generates once and keeps until it is unlinked
 * (protocol notes §3.3). Secret: wipe with wa_credentials_free(), never
 * log.
 */
typedef struct
{
  WaKeyPair  noise_key;
  WaKeyPair  identity_key;
  WaKeyPair  signed_pre_key;
  guint8     signed_pre_key_signature[WA_SIGNATURE_LEN];
  guint32    signed_pre_key_id;
  gint64     signed_pre_key_time;
  guint32    registration_id;
  guint8     adv_secret[WA_KEY_LEN];
} WaCredentials;

WaCredentials *wa_credentials_generate        (void);
WaCredentials *wa_credentials_load            (WaKeyStore            *store,
                                               GError               **error);
WaCredentials *wa_credentials_load_or_create  (WaKeyStore            *store,
                                               gboolean              *created,
                                               GError               **error);
void           wa_credentials_save            (const WaCredentials   *self,
                                               WaKeyStore            *store);
gboolean       wa_credentials_check           (const WaCredentials   *self);
void           wa_credentials_sign_pre_key    (const guint8          *identity_private,
                                               const guint8          *pre_key_public,
                                               guint8                *signature);
char          *wa_credentials_qr_data         (const WaCredentials   *self,
                                               const char            *ref,
                                               char                   platform);
void           wa_credentials_free            (WaCredentials         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaCredentials, wa_credentials_free)

G_END_DECLS
