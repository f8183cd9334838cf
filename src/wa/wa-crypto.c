/* wa-crypto.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-crypto"

#include "config.h"

#include <protobuf-c/protobuf-c.h>
#include <sodium.h>
#include <string.h>

#include "wa-crypto.h"
#include "wa-error.h"

/*
 * The primitives the protocol needs. libsodium provides hashing, HMAC,
 * X25519 and AES-256-GCM; HKDF is built here from HMAC-SHA256 (libsodium
 * 1.0.18 has none). Signatures are the Signal scheme (XEdDSA over the
 * Montgomery key), which only libsignal-protocol-c implements; libsodium's
 * Ed25519 is a different scheme. Keys are never logged.
 */

/* libsignal-protocol-c exports these but its headers do not declare them. */
int curve25519_sign   (unsigned char       *signature_out,
                       const unsigned char *curve25519_privkey,
                       const unsigned char *msg,
                       const unsigned long  msg_len,
                       const unsigned char *random);
int curve25519_verify (const unsigned char *signature,
                       const unsigned char *curve25519_pubkey,
                       const unsigned char *msg,
                       const unsigned long  msg_len);

/**
 * wa_crypto_init:
 * @error: return location for a #GError
 *
 * Initialises libsodium and checks what the build cannot: that the
 * protobuf-c runtime is the current one (libsignal-protocol-c carries an
 * old copy that wins when it is linked first), and that this processor
 * can do AES-256-GCM.
 *
 * Returns: %TRUE when the protocol can run here
 */
gboolean
wa_crypto_init (GError **error)
{
  if (sodium_init () < 0)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO, "libsodium could not start");
      return FALSE;
    }
  if (protobuf_c_version_number () < 1004000)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_FAILED,
                   "protobuf-c %s is linked instead of 1.4 or newer: the link order is wrong",
                   protobuf_c_version ());
      return FALSE;
    }
  if (!crypto_aead_aes256gcm_is_available ())
    {
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO,
                   "This processor has no AES instructions, which WhatsApp's encryption needs here");
      return FALSE;
    }
  return TRUE;
}

void
wa_crypto_random (guint8 *out,
                  gsize   len)
{
  randombytes_buf (out, len);
}

void
wa_crypto_wipe (gpointer data,
                gsize    len)
{
  sodium_memzero (data, len);
}

void
wa_crypto_sha256 (const guint8 *data,
                  gsize         len,
                  guint8        out[32])
{
  crypto_hash_sha256 (out, data, len);
}

void
wa_crypto_hmac_sha256 (const guint8 *key,
                       gsize         key_len,
                       const guint8 *data,
                       gsize         len,
                       guint8        out[32])
{
  crypto_auth_hmacsha256_state state;

  crypto_auth_hmacsha256_init (&state, key, key_len);
  crypto_auth_hmacsha256_update (&state, data, len);
  crypto_auth_hmacsha256_final (&state, out);
  sodium_memzero (&state, sizeof state);
}

/**
 * wa_crypto_hkdf_sha256:
 * @salt: (nullable): the salt; %NULL means 32 zero bytes (RFC 5869)
 * @out_len: at most 255 × 32 bytes
 *
 * HKDF-SHA256, extract then expand.
 */
void
wa_crypto_hkdf_sha256 (const guint8 *salt,
                       gsize         salt_len,
                       const guint8 *ikm,
                       gsize         ikm_len,
                       const guint8 *info,
                       gsize         info_len,
                       guint8       *out,
                       gsize         out_len)
{
  static const guint8 zeros[32] = { 0 };
  guint8 prk[32];
  guint8 block[32];
  gsize done = 0;

  g_return_if_fail (out_len <= 255 * 32);

  if (salt == NULL)
    {
      salt = zeros;
      salt_len = sizeof zeros;
    }
  wa_crypto_hmac_sha256 (salt, salt_len, ikm, ikm_len, prk);

  for (guint8 counter = 1; done < out_len; counter++)
    {
      crypto_auth_hmacsha256_state state;

      crypto_auth_hmacsha256_init (&state, prk, sizeof prk);
      if (counter > 1)
        crypto_auth_hmacsha256_update (&state, block, sizeof block);
      crypto_auth_hmacsha256_update (&state, info, info_len);
      crypto_auth_hmacsha256_update (&state, &counter, 1);
      crypto_auth_hmacsha256_final (&state, block);
      sodium_memzero (&state, sizeof state);

      memcpy (out + done, block, MIN (sizeof block, out_len - done));
      done += MIN (sizeof block, out_len - done);
    }

  sodium_memzero (prk, sizeof prk);
  sodium_memzero (block, sizeof block);
}

/**
 * wa_crypto_aes_gcm_seal:
 *
 * Returns: (transfer full): the ciphertext with its 16-byte tag appended
 */
GBytes *
wa_crypto_aes_gcm_seal (const guint8  key[32],
                        const guint8  iv[12],
                        const guint8 *aad,
                        gsize         aad_len,
                        const guint8 *plain,
                        gsize         len)
{
  guint8 *out = g_malloc (len + crypto_aead_aes256gcm_ABYTES);
  unsigned long long out_len = 0;

  crypto_aead_aes256gcm_encrypt (out, &out_len, plain, len, aad, aad_len, NULL, iv, key);
  return g_bytes_new_take (out, out_len);
}

/**
 * wa_crypto_aes_gcm_open:
 *
 * Returns: (transfer full) (nullable): the plaintext, or %NULL with
 *   %WA_ERROR_CRYPTO when the tag does not verify
 */
GBytes *
wa_crypto_aes_gcm_open (const guint8   key[32],
                        const guint8   iv[12],
                        const guint8  *aad,
                        gsize          aad_len,
                        const guint8  *cipher,
                        gsize          len,
                        GError       **error)
{
  guint8 *out;
  unsigned long long out_len = 0;

  if (len < crypto_aead_aes256gcm_ABYTES)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO, "Encrypted frame is shorter than its tag");
      return NULL;
    }

  out = g_malloc (len);
  if (crypto_aead_aes256gcm_decrypt (out, &out_len, NULL, cipher, len, aad, aad_len, iv, key) != 0)
    {
      g_free (out);
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO, "Encrypted frame failed authentication");
      return NULL;
    }
  return g_bytes_new_take (out, out_len);
}

/* Signatures use the scalar as stored, so keys are kept clamped. */
static void
clamp (guint8 priv[32])
{
  priv[0] &= 248;
  priv[31] &= 127;
  priv[31] |= 64;
}

void
wa_key_pair_from_private (WaKeyPair    *pair,
                          const guint8  priv[32])
{
  memcpy (pair->priv, priv, 32);
  clamp (pair->priv);
  crypto_scalarmult_curve25519_base (pair->pub, pair->priv);
}

void
wa_key_pair_generate (WaKeyPair *pair)
{
  guint8 priv[32];

  randombytes_buf (priv, sizeof priv);
  wa_key_pair_from_private (pair, priv);
  sodium_memzero (priv, sizeof priv);
}

gboolean
wa_crypto_x25519 (const guint8   priv[32],
                  const guint8   pub[32],
                  guint8         out[32],
                  GError       **error)
{
  if (crypto_scalarmult_curve25519 (out, priv, pub) != 0)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO, "The peer sent a weak public key");
      return FALSE;
    }
  return TRUE;
}

void
wa_crypto_sign (const guint8  priv[32],
                const guint8 *message,
                gsize         len,
                guint8        signature[64])
{
  guint8 random[64];

  randombytes_buf (random, sizeof random);
  curve25519_sign (signature, priv, message, len, random);
  sodium_memzero (random, sizeof random);
}

gboolean
wa_crypto_verify (const guint8  pub[32],
                  const guint8 *message,
                  gsize         len,
                  const guint8  signature[64])
{
  return curve25519_verify (signature, pub, message, len) == 0;
}
