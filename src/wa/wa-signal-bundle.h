/* wa-signal-bundle.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-crypto.h"
#include "wa-jid.h"
#include "wa-node.h"

G_BEGIN_DECLS

/**
 * WaSignalBundle:
 * @registration_id: the device's registration id
 * @identity_key: its identity public key, 32 bytes as on the wire
 * @signed_pre_key_id: the id of its signed prekey (24 bits)
 * @signed_pre_key: the signed prekey's public key, 32 bytes
 * @signed_pre_key_signature: the identity's signature over 0x05 || it
 * @has_pre_key: whether the server still had a one-time prekey
 * @pre_key_id: that prekey's id (24 bits)
 * @pre_key: its public key, 32 bytes
 *
 * A device's prekey bundle, as the `<user>` of an `<iq xmlns="encrypt">`
 * key answer carries it (protocol notes §7.3), or the `<keys>` of a retry
 * receipt (§8.5).
 */
typedef struct
{
  guint32  registration_id;
  guint8   identity_key[WA_KEY_LEN];
  guint32  signed_pre_key_id;
  guint8   signed_pre_key[WA_KEY_LEN];
  guint8   signed_pre_key_signature[WA_SIGNATURE_LEN];
  gboolean has_pre_key;
  guint32  pre_key_id;
  guint8   pre_key[WA_KEY_LEN];
} WaSignalBundle;

/**
 * WaSignalBundleAnswer:
 * @device: the device the server answered about
 * @bundle: its bundle, when @error is %NULL
 * @error: (nullable): why there is none: the server's `<error>` (a
 *   device that never uploaded keys) or a bundle that does not parse
 *
 * What a key fetch gave for one device.
 */
typedef struct
{
  WaJid          *device;
  WaSignalBundle  bundle;
  GError         *error;
} WaSignalBundleAnswer;

void        wa_signal_bundle_answer_free  (WaSignalBundleAnswer  *answer);

gboolean    wa_signal_bundle_parse        (WaNode                *node,
                                           WaSignalBundle        *bundle,
                                           GError               **error);
WaNode     *wa_signal_bundles_request     (GPtrArray             *devices,
                                           gboolean               identity);
GPtrArray  *wa_signal_parse_bundles       (WaNode                *answer,
                                           GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaSignalBundleAnswer, wa_signal_bundle_answer_free)

G_END_DECLS
