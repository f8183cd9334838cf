/* wa-signal-provider.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-signal"

#include "config.h"

#include <sodium.h>

#include "wa-crypto.h"
#include "wa-signal-provider.h"

/*
 * The primitives libsignal-protocol-c asks its host for (protocol notes
 * §11.2): randomness and SHA-512 from libsodium, HMAC-SHA256 from
 * wa-crypto (on libcrypto's SHA-256, the fastest here), and the two
 * AES modes libsodium lacks (CBC with PKCS#5 padding for message bodies,
 * CTR for nothing WhatsApp uses today but part of the interface) through
 * wa-crypto's OpenSSL EVP code, so the project has one AES implementation.
 *
 * Every function returns libsignal's codes: 0 on success, SG_ERR_* below
 * zero. None of them keeps state between calls except through the
 * contexts libsignal hands back.
 */

static int
provider_random (uint8_t *data,
                 size_t   len,
                 void    *user_data)
{
  wa_crypto_random (data, len);
  return SG_SUCCESS;
}

static int
provider_hmac_sha256_init (void          **hmac_context,
                           const uint8_t  *key,
                           size_t          key_len,
                           void           *user_data)
{
  *hmac_context = wa_hmac_new (key, key_len);
  return SG_SUCCESS;
}

static int
provider_hmac_sha256_update (void          *hmac_context,
                             const uint8_t *data,
                             size_t         data_len,
                             void          *user_data)
{
  wa_hmac_update (hmac_context, data, data_len);
  return SG_SUCCESS;
}

static int
provider_hmac_sha256_final (void           *hmac_context,
                            signal_buffer **output,
                            void           *user_data)
{
  signal_buffer *buffer = signal_buffer_alloc (WA_SHA256_LEN);

  if (buffer == NULL)
    return SG_ERR_NOMEM;
  wa_hmac_finish (hmac_context, signal_buffer_data (buffer));
  *output = buffer;
  return SG_SUCCESS;
}

static void
provider_hmac_sha256_cleanup (void *hmac_context,
                              void *user_data)
{
  wa_hmac_free (hmac_context);
}

static int
provider_sha512_init (void **digest_context,
                      void  *user_data)
{
  crypto_hash_sha512_state *state = g_new (crypto_hash_sha512_state, 1);

  crypto_hash_sha512_init (state);
  *digest_context = state;
  return SG_SUCCESS;
}

static int
provider_sha512_update (void          *digest_context,
                        const uint8_t *data,
                        size_t         data_len,
                        void          *user_data)
{
  crypto_hash_sha512_update (digest_context, data, data_len);
  return SG_SUCCESS;
}

static int
provider_sha512_final (void           *digest_context,
                       signal_buffer **output,
                       void           *user_data)
{
  signal_buffer *buffer = signal_buffer_alloc (crypto_hash_sha512_BYTES);

  if (buffer == NULL)
    return SG_ERR_NOMEM;
  crypto_hash_sha512_final (digest_context, signal_buffer_data (buffer));
  /* The interface wants the context ready for another digest. */
  crypto_hash_sha512_init (digest_context);
  *output = buffer;
  return SG_SUCCESS;
}

static void
provider_sha512_cleanup (void *digest_context,
                         void *user_data)
{
  /* SHA-512 feeds the signature code, whose input includes the private key. */
  wa_crypto_wipe (digest_context, sizeof (crypto_hash_sha512_state));
  g_free (digest_context);
}

/* Copies the result into a libsignal buffer and wipes ours: a decryption
 * result is a message key or a plaintext. */
static int
take_result (GBytes         *bytes,
             signal_buffer **output)
{
  gsize len;
  guint8 *data = g_bytes_unref_to_data (bytes, &len);
  signal_buffer *buffer = signal_buffer_create (data, len);

  wa_crypto_wipe (data, len);
  g_free (data);
  if (buffer == NULL)
    return SG_ERR_NOMEM;
  *output = buffer;
  return SG_SUCCESS;
}

static int
provider_cipher (gboolean         encrypt,
                 signal_buffer  **output,
                 int              cipher,
                 const uint8_t   *key,
                 size_t           key_len,
                 const uint8_t   *iv,
                 size_t           iv_len,
                 const uint8_t   *input,
                 size_t           input_len)
{
  g_autoptr(GError) error = NULL;
  GBytes *result;

  /* Signal v3 derives 32-byte cipher keys and 16-byte IVs everywhere
   * (message keys and sender keys alike); wa-crypto is AES-256 only. */
  if (key_len != WA_AES_KEY_LEN || iv_len != WA_AES_BLOCK_LEN)
    return SG_ERR_INVAL;

  switch (cipher)
    {
    case SG_CIPHER_AES_CBC_PKCS5:
      /* PKCS#5 and PKCS#7 padding are the same for 16-byte blocks. */
      result = encrypt ? wa_crypto_aes_cbc_encrypt (key, iv, input, input_len, &error)
                       : wa_crypto_aes_cbc_decrypt (key, iv, input, input_len, &error);
      break;
    case SG_CIPHER_AES_CTR_NOPADDING:
      result = wa_crypto_aes_ctr (key, iv, input, input_len, &error);
      break;
    default:
      return SG_ERR_INVAL;
    }

  if (result == NULL)
    {
      /* libsignal has no room for our message; say it at debug level,
       * which carries no key or plaintext. */
      g_debug ("AES %s failed: %s", encrypt ? "encryption" : "decryption", error->message);
      return SG_ERR_UNKNOWN;
    }
  return take_result (result, output);
}

static int
provider_encrypt (signal_buffer **output,
                  int             cipher,
                  const uint8_t  *key,
                  size_t          key_len,
                  const uint8_t  *iv,
                  size_t          iv_len,
                  const uint8_t  *plaintext,
                  size_t          plaintext_len,
                  void           *user_data)
{
  return provider_cipher (TRUE, output, cipher, key, key_len, iv, iv_len, plaintext, plaintext_len);
}

static int
provider_decrypt (signal_buffer **output,
                  int             cipher,
                  const uint8_t  *key,
                  size_t          key_len,
                  const uint8_t  *iv,
                  size_t          iv_len,
                  const uint8_t  *ciphertext,
                  size_t          ciphertext_len,
                  void           *user_data)
{
  return provider_cipher (FALSE, output, cipher, key, key_len, iv, iv_len, ciphertext, ciphertext_len);
}

static const signal_crypto_provider provider = {
  .random_func = provider_random,
  .hmac_sha256_init_func = provider_hmac_sha256_init,
  .hmac_sha256_update_func = provider_hmac_sha256_update,
  .hmac_sha256_final_func = provider_hmac_sha256_final,
  .hmac_sha256_cleanup_func = provider_hmac_sha256_cleanup,
  .sha512_digest_init_func = provider_sha512_init,
  .sha512_digest_update_func = provider_sha512_update,
  .sha512_digest_final_func = provider_sha512_final,
  .sha512_digest_cleanup_func = provider_sha512_cleanup,
  .encrypt_func = provider_encrypt,
  .decrypt_func = provider_decrypt,
  .user_data = NULL,
};

/**
 * wa_signal_crypto_provider:
 *
 * The crypto provider for signal_context_set_crypto_provider(), which
 * copies it. Call wa_crypto_init() first: it initialises libsodium.
 *
 * Returns: (transfer none): the provider, valid for the process's life
 */
const signal_crypto_provider *
wa_signal_crypto_provider (void)
{
  return &provider;
}
