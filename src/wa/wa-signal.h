/* wa-signal.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "wa-credentials.h"
#include "wa-jid.h"
#include "wa-key-store.h"
#include "wa-signal-bundle.h"

G_BEGIN_DECLS

#define WA_SIGNAL_ERROR (wa_signal_error_quark ())

/**
 * WaSignalError:
 * @WA_SIGNAL_ERROR_DUPLICATE: the message was decrypted before (a replay,
 *   or the server delivering it twice); the receiver drops it and acks
 * @WA_SIGNAL_ERROR_NO_SESSION: there is no session with that device; the
 *   receiver asks for a retry, the sender fetches a prekey bundle
 * @WA_SIGNAL_ERROR_INVALID_PRE_KEY: a pkmsg names a one-time prekey we no
 *   longer have (used already, or never made); the receiver asks for a
 *   retry with fresh keys
 *
 * The Signal failures a caller acts on in its own way. Everything else
 * is %WA_ERROR: %WA_ERROR_MALFORMED for bytes that do not parse,
 * %WA_ERROR_CRYPTO for what does not verify or decrypt.
 */
typedef enum {
  WA_SIGNAL_ERROR_DUPLICATE,
  WA_SIGNAL_ERROR_NO_SESSION,
  WA_SIGNAL_ERROR_INVALID_PRE_KEY,
} WaSignalError;

GQuark wa_signal_error_quark (void);

/**
 * WaSignalMessageType:
 * @WA_SIGNAL_MESSAGE_PKMSG: a PreKeySignalMessage, sent until the peer
 *   answers; it can start a session on the receiving side
 * @WA_SIGNAL_MESSAGE_MSG: a SignalMessage in an established session
 *
 * The two 1:1 ciphertexts, named as the `type` attribute of `<enc>`
 * names them (protocol notes §7.6).
 */
typedef enum {
  WA_SIGNAL_MESSAGE_PKMSG,
  WA_SIGNAL_MESSAGE_MSG,
} WaSignalMessageType;

const char *wa_signal_message_type_to_string   (WaSignalMessageType  type);
gboolean    wa_signal_message_type_from_string (const char          *text,
                                                WaSignalMessageType *type);

#define WA_TYPE_SIGNAL (wa_signal_get_type ())

G_DECLARE_FINAL_TYPE (WaSignal, wa_signal, WA, SIGNAL, GObject)

WaSignal   *wa_signal_new                    (WaKeyStore            *store,
                                              const WaCredentials   *credentials,
                                              GError               **error);

gboolean    wa_signal_build_session          (WaSignal              *self,
                                              const WaJid           *device,
                                              const WaSignalBundle  *bundle,
                                              GError               **error);
GBytes     *wa_signal_encrypt                (WaSignal              *self,
                                              const WaJid           *device,
                                              GBytes                *plaintext,
                                              WaSignalMessageType   *type,
                                              GError               **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes     *wa_signal_decrypt                (WaSignal              *self,
                                              const WaJid           *device,
                                              WaSignalMessageType    type,
                                              GBytes                *ciphertext,
                                              GError               **error) G_GNUC_WARN_UNUSED_RESULT;
void        wa_signal_prefetch_async         (WaSignal              *self,
                                              GPtrArray             *devices,
                                              GCancellable          *cancellable,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data);
gboolean    wa_signal_prefetch_finish        (WaSignal              *self,
                                              GAsyncResult          *result,
                                              GError               **error);
gboolean    wa_signal_has_session            (WaSignal              *self,
                                              const WaJid           *device);
gboolean    wa_signal_delete_session         (WaSignal              *self,
                                              const WaJid           *device);
guint       wa_signal_delete_all_sessions    (WaSignal              *self,
                                              const WaJid           *user);
GPtrArray  *wa_signal_take_identity_changes  (WaSignal              *self);

GBytes     *wa_signal_pad                    (GBytes                *plaintext);
GBytes     *wa_signal_unpad                  (GBytes                *padded,
                                              GError               **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
