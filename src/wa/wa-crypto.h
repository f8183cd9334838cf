/* wa-crypto.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * WaKeyPair:
 * @priv: a clamped Curve25519 private key
 * @pub: its public key, without the 0x05 type byte
 */
typedef struct
{
  guint8 priv[32];
  guint8 pub[32];
} WaKeyPair;

gboolean  wa_crypto_init            (GError       **error);
void      wa_crypto_random          (guint8        *out,
                                     gsize          len);
void      wa_crypto_sha256          (const guint8  *data,
                                     gsize          len,
                                     guint8         out[32]);
void      wa_crypto_hmac_sha256     (const guint8  *key,
                                     gsize          key_len,
                                     const guint8  *data,
                                     gsize          len,
                                     guint8         out[32]);
void      wa_crypto_hkdf_sha256     (const guint8  *salt,
                                     gsize          salt_len,
                                     const guint8  *ikm,
                                     gsize          ikm_len,
                                     const guint8  *info,
                                     gsize          info_len,
                                     guint8        *out,
                                     gsize          out_len);
GBytes   *wa_crypto_aes_gcm_seal    (const guint8   key[32],
                                     const guint8   iv[12],
                                     const guint8  *aad,
                                     gsize          aad_len,
                                     const guint8  *plain,
                                     gsize          len);
GBytes   *wa_crypto_aes_gcm_open    (const guint8   key[32],
                                     const guint8   iv[12],
                                     const guint8  *aad,
                                     gsize          aad_len,
                                     const guint8  *cipher,
                                     gsize          len,
                                     GError       **error);
void      wa_key_pair_generate      (WaKeyPair     *pair);
void      wa_key_pair_from_private  (WaKeyPair     *pair,
                                     const guint8   priv[32]);
gboolean  wa_crypto_x25519          (const guint8   priv[32],
                                     const guint8   pub[32],
                                     guint8         out[32],
                                     GError       **error);
void      wa_crypto_sign            (const guint8   priv[32],
                                     const guint8  *message,
                                     gsize          len,
                                     guint8         signature[64]);
gboolean  wa_crypto_verify          (const guint8   pub[32],
                                     const guint8  *message,
                                     gsize          len,
                                     const guint8   signature[64]);
void      wa_crypto_wipe            (gpointer       data,
                                     gsize          len);

G_END_DECLS
