/* wa-crypto.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define WA_KEY_LEN          32
#define WA_SIGNATURE_LEN    64
#define WA_SHA256_LEN       32
#define WA_SHA512_LEN       64
#define WA_MD5_LEN          16
#define WA_AES_KEY_LEN      32
#define WA_AES_BLOCK_LEN    16
#define WA_GCM_IV_LEN       12
#define WA_GCM_TAG_LEN      16
#define WA_HKDF_MAX_LEN     (255 * 32)

/**
 * WaKeyPair:
 * @priv: a clamped Curve25519 private key
 * @pub: its public key, 32 bytes without the 0x05 type byte
 *
 * An X25519 key pair as WhatsApp keeps it. The private key is stored
 * clamped because the signature code uses the scalar as it is.
 * Clear it with wa_key_pair_clear() when done.
 */
typedef struct
{
  guint8 priv[WA_KEY_LEN];
  guint8 pub[WA_KEY_LEN];
} WaKeyPair;

/**
 * WaHmac:
 *
 * An HMAC-SHA256 in progress; see wa_hmac_new().
 */
typedef struct _WaHmac WaHmac;

gboolean  wa_crypto_init                (GError       **error);

void      wa_crypto_random              (gpointer       out,
                                         gsize          len);
void      wa_crypto_wipe                (gpointer       data,
                                         gsize          len);
gboolean  wa_crypto_equal               (const guint8  *a,
                                         const guint8  *b,
                                         gsize          len);

void      wa_crypto_sha256              (const guint8  *data,
                                         gsize          len,
                                         guint8         out[WA_SHA256_LEN]);
WaHmac   *wa_hmac_new                   (const guint8  *key,
                                         gsize          key_len) G_GNUC_WARN_UNUSED_RESULT;
void      wa_hmac_update                (WaHmac        *self,
                                         const guint8  *data,
                                         gsize          len);
void      wa_hmac_finish                (WaHmac        *self,
                                         guint8         out[WA_SHA256_LEN]);
void      wa_hmac_free                  (WaHmac        *self);

gboolean  wa_crypto_md5                 (const guint8  *data,
                                         gsize          len,
                                         guint8         out[WA_MD5_LEN],
                                         GError       **error);
void      wa_crypto_hmac_sha256         (const guint8  *key,
                                         gsize          key_len,
                                         const guint8  *data,
                                         gsize          len,
                                         guint8         out[WA_SHA256_LEN]);
void      wa_crypto_hmac_sha512         (const guint8  *key,
                                         gsize          key_len,
                                         const guint8  *data,
                                         gsize          len,
                                         guint8         out[WA_SHA512_LEN]);
void      wa_crypto_hkdf_sha256         (const guint8  *salt,
                                         gsize          salt_len,
                                         const guint8  *ikm,
                                         gsize          ikm_len,
                                         const guint8  *info,
                                         gsize          info_len,
                                         guint8        *out,
                                         gsize          out_len);

GBytes   *wa_crypto_aes_gcm_seal        (const guint8   key[WA_AES_KEY_LEN],
                                         const guint8   iv[WA_GCM_IV_LEN],
                                         const guint8  *aad,
                                         gsize          aad_len,
                                         const guint8  *plain,
                                         gsize          len,
                                         GError       **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes   *wa_crypto_aes_gcm_open        (const guint8   key[WA_AES_KEY_LEN],
                                         const guint8   iv[WA_GCM_IV_LEN],
                                         const guint8  *aad,
                                         gsize          aad_len,
                                         const guint8  *cipher,
                                         gsize          len,
                                         GError       **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes   *wa_crypto_aes_cbc_encrypt     (const guint8   key[WA_AES_KEY_LEN],
                                         const guint8   iv[WA_AES_BLOCK_LEN],
                                         const guint8  *plain,
                                         gsize          len,
                                         GError       **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes   *wa_crypto_aes_cbc_decrypt     (const guint8   key[WA_AES_KEY_LEN],
                                         const guint8   iv[WA_AES_BLOCK_LEN],
                                         const guint8  *cipher,
                                         gsize          len,
                                         GError       **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes   *wa_crypto_aes_ctr             (const guint8   key[WA_AES_KEY_LEN],
                                         const guint8   iv[WA_AES_BLOCK_LEN],
                                         const guint8  *data,
                                         gsize          len,
                                         GError       **error) G_GNUC_WARN_UNUSED_RESULT;

void      wa_key_pair_generate          (WaKeyPair     *pair);
void      wa_key_pair_from_private      (WaKeyPair     *pair,
                                         const guint8   priv[WA_KEY_LEN]);
void      wa_key_pair_clear             (WaKeyPair     *pair);
gboolean  wa_crypto_x25519              (const guint8   priv[WA_KEY_LEN],
                                         const guint8   pub[WA_KEY_LEN],
                                         guint8         out[WA_KEY_LEN],
                                         GError       **error);

void      wa_crypto_sign                (const guint8   priv[WA_KEY_LEN],
                                         const guint8  *message,
                                         gsize          len,
                                         guint8         signature[WA_SIGNATURE_LEN]);
void      wa_crypto_sign_with_random    (const guint8   priv[WA_KEY_LEN],
                                         const guint8  *message,
                                         gsize          len,
                                         const guint8   random[64],
                                         guint8         signature[WA_SIGNATURE_LEN]);
gboolean  wa_crypto_verify              (const guint8   pub[WA_KEY_LEN],
                                         const guint8  *message,
                                         gsize          len,
                                         const guint8   signature[WA_SIGNATURE_LEN]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaHmac, wa_hmac_free)

/* Tests only: run AES-GCM through OpenSSL even where libsodium could. */
void      _wa_crypto_force_openssl_gcm  (gboolean       force);

G_END_DECLS
