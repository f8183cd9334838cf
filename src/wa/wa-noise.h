/* wa-noise.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-crypto.h"

G_BEGIN_DECLS

/* The Noise prologue: the connection header "WA", magic 6, dictionary 3. */
#define WA_NOISE_PROLOGUE     "WA\x06\x03"
#define WA_NOISE_PROLOGUE_LEN 4

/**
 * WaNoiseRole:
 * @WA_NOISE_ROLE_INITIATOR: the client, which sends ClientHello
 * @WA_NOISE_ROLE_RESPONDER: the server (the fake server in tests)
 */
typedef enum {
  WA_NOISE_ROLE_INITIATOR,
  WA_NOISE_ROLE_RESPONDER,
} WaNoiseRole;

typedef struct _WaNoiseCipher WaNoiseCipher;
typedef struct _WaNoiseHandshake WaNoiseHandshake;

WaNoiseCipher    *wa_noise_cipher_new                        (const guint8       key[WA_KEY_LEN]) G_GNUC_WARN_UNUSED_RESULT;
void              wa_noise_cipher_free                       (WaNoiseCipher     *self);
GBytes           *wa_noise_cipher_encrypt                    (WaNoiseCipher     *self,
                                                              const guint8      *plain,
                                                              gsize              len,
                                                              GError           **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes           *wa_noise_cipher_decrypt                    (WaNoiseCipher     *self,
                                                              const guint8      *cipher,
                                                              gsize              len,
                                                              GError           **error) G_GNUC_WARN_UNUSED_RESULT;
guint64           wa_noise_cipher_get_counter                (WaNoiseCipher     *self);

WaNoiseHandshake *wa_noise_handshake_new                     (WaNoiseRole        role) G_GNUC_WARN_UNUSED_RESULT;
WaNoiseHandshake *wa_noise_handshake_new_with_prologue       (WaNoiseRole        role,
                                                              const guint8      *prologue,
                                                              gsize              len) G_GNUC_WARN_UNUSED_RESULT;
void              wa_noise_handshake_free                    (WaNoiseHandshake  *self);

/* Initiator (the client), in this order */
GBytes           *wa_noise_handshake_start                   (WaNoiseHandshake  *self,
                                                              const WaKeyPair   *ephemeral) G_GNUC_WARN_UNUSED_RESULT;
gboolean          wa_noise_handshake_read_server_hello       (WaNoiseHandshake  *self,
                                                              GBytes            *message,
                                                              guint8             server_static[WA_KEY_LEN],
                                                              GBytes           **cert_chain,
                                                              GError           **error);
GBytes           *wa_noise_handshake_write_client_finish     (WaNoiseHandshake  *self,
                                                              const WaKeyPair   *noise_static,
                                                              GBytes            *client_payload,
                                                              GError           **error) G_GNUC_WARN_UNUSED_RESULT;

/* Responder (the fake server), in this order */
gboolean          wa_noise_handshake_read_client_hello       (WaNoiseHandshake  *self,
                                                              GBytes            *message,
                                                              GError           **error);
GBytes           *wa_noise_handshake_write_server_hello      (WaNoiseHandshake  *self,
                                                              const WaKeyPair   *server_static,
                                                              const WaKeyPair   *ephemeral,
                                                              GBytes            *cert_chain,
                                                              GError           **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean          wa_noise_handshake_read_client_finish      (WaNoiseHandshake  *self,
                                                              GBytes            *message,
                                                              guint8             client_static[WA_KEY_LEN],
                                                              GBytes           **client_payload,
                                                              GError           **error);

/* Both roles, once the last handshake message is written or read */
gboolean          wa_noise_handshake_split                   (WaNoiseHandshake  *self,
                                                              WaNoiseCipher    **write_cipher,
                                                              WaNoiseCipher    **read_cipher,
                                                              GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaNoiseCipher, wa_noise_cipher_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaNoiseHandshake, wa_noise_handshake_free)

G_END_DECLS
