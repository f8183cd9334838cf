/* wa-noise.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-crypto.h"

G_BEGIN_DECLS

/* The connection header: "WA", magic 6, dictionary version 3. */
#define WA_NOISE_PROLOGUE "WA\x06\x03"

typedef struct _WaNoiseCipher WaNoiseCipher;
typedef struct _WaNoiseHandshake WaNoiseHandshake;

WaNoiseCipher    *wa_noise_cipher_new              (const guint8       key[32]);
void              wa_noise_cipher_free             (WaNoiseCipher     *self);
GBytes           *wa_noise_cipher_encrypt          (WaNoiseCipher     *self,
                                                    const guint8      *plain,
                                                    gsize              len);
GBytes           *wa_noise_cipher_decrypt          (WaNoiseCipher     *self,
                                                    const guint8      *cipher,
                                                    gsize              len,
                                                    GError           **error);

WaNoiseHandshake *wa_noise_handshake_new           (void);
void              wa_noise_handshake_free          (WaNoiseHandshake  *self);

/* Initiator (the client) */
GBytes           *wa_noise_client_hello            (WaNoiseHandshake  *self,
                                                    const WaKeyPair   *ephemeral);
gboolean          wa_noise_read_server_hello       (WaNoiseHandshake  *self,
                                                    GBytes            *message,
                                                    guint8             server_static[32],
                                                    GBytes           **certificate,
                                                    GError           **error);
GBytes           *wa_noise_client_finish           (WaNoiseHandshake  *self,
                                                    const WaKeyPair   *noise_static,
                                                    GBytes            *payload,
                                                    GError           **error);

/* Responder (the fake server in tests) */
gboolean          wa_noise_read_client_hello       (WaNoiseHandshake  *self,
                                                    GBytes            *message,
                                                    GError           **error);
GBytes           *wa_noise_server_hello            (WaNoiseHandshake  *self,
                                                    const WaKeyPair   *server_static,
                                                    const WaKeyPair   *ephemeral,
                                                    GBytes            *certificate,
                                                    GError           **error);
gboolean          wa_noise_read_client_finish      (WaNoiseHandshake  *self,
                                                    GBytes            *message,
                                                    guint8             client_static[32],
                                                    GBytes           **payload,
                                                    GError           **error);

void              wa_noise_split                   (WaNoiseHandshake  *self,
                                                    gboolean           initiator,
                                                    WaNoiseCipher    **write,
                                                    WaNoiseCipher    **read);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaNoiseCipher, wa_noise_cipher_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaNoiseHandshake, wa_noise_handshake_free)

G_END_DECLS
