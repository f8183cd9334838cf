/* wa-crypto.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-crypto"

#include "config.h"

#include <limits.h>
#include <string.h>

#include <openssl/evp.h>
#include <protobuf-c/protobuf-c.h>
#include <sodium.h>

#include "wa-crypto.h"
#include "wa-error.h"

/*
 * The primitives the WhatsApp protocol needs, in one place so the rest of
 * the library never touches libsodium, OpenSSL or libsignal directly.
 *
 * Who does what, and why:
 *  - libsodium: random bytes, X25519, HMAC-SHA512 (app state only) and
 *    AES-256-GCM when the CPU has AES-NI + PCLMUL (its only GCM
 *    implementation).
 *  - OpenSSL EVP: SHA-256 and the HMAC-SHA256 built on it (libcrypto
 *    uses the CPU's SHA extensions where libsodium's SHA-256 is portable
 *    C, about three times slower, and a message costs a dozen HMACs),
 *    AES-CBC and AES-CTR (libsodium 1.0.18 has neither), GCM on CPUs
 *    libsodium refuses, and MD5 (only for the registration buildHash).
 *  - HMAC and HKDF are written here on the EVP digest: EVP_MAC allocates
 *    and looks up a provider context on every key, which costs more than
 *    the two hashes of a short message.
 *  - Signatures are the Signal Curve25519 scheme (Ed25519 over the
 *    birational image of the Montgomery key, sign bit in byte 63). Only
 *    libsignal-protocol-c implements it; libsodium's Ed25519 produces
 *    signatures WhatsApp would reject.
 *
 * Nothing here logs, so no key material can reach a log by accident.
 */

/* libsignal-protocol-c exports these raw primitives but installs no header
 * for them. They work on bare 32-byte keys and need no signal_context, which
 * curve_calculate_signature() would (it takes its randomness from the
 * context's crypto provider). Both return 0 on success. */
int curve25519_sign   (unsigned char       *signature_out,
                       const unsigned char *curve25519_privkey,
                       const unsigned char *msg,
                       const unsigned long  msg_len,
                       const unsigned char *random);
int curve25519_verify (const unsigned char *signature,
                       const unsigned char *curve25519_pubkey,
                       const unsigned char *msg,
                       const unsigned long  msg_len);

/* EVP takes int lengths; feed longer inputs in pieces of this size. */
#define EVP_CHUNK (1 << 30)

#define SHA256_BLOCK_LEN 64

struct _WaHmac
{
  EVP_MD_CTX *md;
  guint8      inner_pad[SHA256_BLOCK_LEN];
  guint8      outer_pad[SHA256_BLOCK_LEN];
  /* Whether md holds the inner pad: a MAC restarts only once fed again,
   * since most are finished once and freed (libsignal makes one per MAC,
   * seven for each message it encrypts), and a restart hashes a block. */
  gboolean    started;
};

static void hmac_destroy (gpointer data);

/* libsignal makes and frees an HMAC for every MAC it computes, seven per
 * device per message, and each one allocated three times (ours, OpenSSL's
 * digest context and its SHA-256 state) and freed as much, a third of
 * what a short MAC cost. So each thread keeps the last one freed for its
 * next, wiped, and frees it when the thread ends. */
static GPrivate spare_hmac = G_PRIVATE_INIT (hmac_destroy);

/* Decided once by wa_crypto_init(); until then the portable path is used. */
static gboolean use_sodium_gcm;
static gboolean force_openssl_gcm;

/* Auxiliary methods */

/* The context already knows whether it encrypts; out == NULL feeds AAD. */
static gboolean
evp_update (EVP_CIPHER_CTX *ctx,
            guint8         *out,
            gsize          *out_len,
            const guint8   *in,
            gsize           len)
{
  gsize done = 0;

  *out_len = 0;
  while (done < len)
    {
      int chunk = (int) MIN (len - done, (gsize) EVP_CHUNK);
      int written = 0;

      if (EVP_CipherUpdate (ctx, out != NULL ? out + *out_len : NULL, &written, in + done, chunk) != 1)
        return FALSE;

      done += chunk;
      if (out != NULL)
        *out_len += written;
    }

  return TRUE;
}

/* Fetched once: EVP_sha256 () would look the implementation up in the
 * provider store at every EVP_DigestInit_ex (). */
static const EVP_MD *
sha256_md (void)
{
  static gsize md;

  if (g_once_init_enter (&md))
    {
      EVP_MD *fetched = EVP_MD_fetch (NULL, "SHA256", NULL);

      if (fetched == NULL)
        g_error ("OpenSSL has no SHA-256");
      g_once_init_leave (&md, (gsize) fetched);
    }
  return (const EVP_MD *) md;
}

/* The same for the ciphers: EVP_aes_256_cbc () and its kin are looked up
 * again at every EVP_CipherInit_ex (), which cost more than encrypting a
 * message body (libsignal asks for one AES-CBC per device per message). */
static const EVP_CIPHER *
fetched_cipher (gsize      *slot,
                const char *name)
{
  if (g_once_init_enter (slot))
    {
      EVP_CIPHER *fetched = EVP_CIPHER_fetch (NULL, name, NULL);

      if (fetched == NULL)
        g_error ("OpenSSL has no %s", name);
      g_once_init_leave (slot, (gsize) fetched);
    }
  return (const EVP_CIPHER *) *slot;
}

static const EVP_CIPHER *
aes_256_cbc (void)
{
  static gsize cipher;

  return fetched_cipher (&cipher, "AES-256-CBC");
}

static const EVP_CIPHER *
aes_256_ctr (void)
{
  static gsize cipher;

  return fetched_cipher (&cipher, "AES-256-CTR");
}

static const EVP_CIPHER *
aes_256_gcm (void)
{
  static gsize cipher;

  return fetched_cipher (&cipher, "AES-256-GCM");
}

static void
digest_init (EVP_MD_CTX *ctx)
{
  /* Fails only when out of memory, which GLib treats as fatal too. */
  if (EVP_DigestInit_ex2 (ctx, sha256_md (), NULL) != 1)
    g_error ("OpenSSL could not start a SHA-256 digest");
}

static void
digest_update (EVP_MD_CTX   *ctx,
               const guint8 *data,
               gsize         len)
{
  if (len > 0 && EVP_DigestUpdate (ctx, data, len) != 1)
    g_error ("OpenSSL could not run SHA-256");
}

static void
digest_final (EVP_MD_CTX *ctx,
              guint8      out[WA_SHA256_LEN])
{
  if (EVP_DigestFinal_ex (ctx, out, NULL) != 1)
    g_error ("OpenSSL could not finish a SHA-256 digest");
}

static EVP_MD_CTX *
digest_new (void)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();

  if (ctx == NULL)
    g_error ("OpenSSL could not allocate a digest context");
  return ctx;
}

/* RFC 2104: a key longer than the block is hashed first; both pads are
 * the key, zero-filled to the block, XORed with their constants. */
static void
hmac_set_key (WaHmac       *self,
              const guint8 *key,
              gsize         key_len)
{
  guint8 hashed[WA_SHA256_LEN];

  if (key_len > SHA256_BLOCK_LEN)
    {
      digest_init (self->md);
      digest_update (self->md, key, key_len);
      digest_final (self->md, hashed);
      key = hashed;
      key_len = sizeof hashed;
    }

  memset (self->inner_pad, 0x36, SHA256_BLOCK_LEN);
  memset (self->outer_pad, 0x5c, SHA256_BLOCK_LEN);
  for (gsize i = 0; i < key_len; i++)
    {
      self->inner_pad[i] ^= key[i];
      self->outer_pad[i] ^= key[i];
    }
  sodium_memzero (hashed, sizeof hashed);
  self->started = FALSE;
}

static void
hmac_update (WaHmac       *self,
             const guint8 *data,
             gsize         len)
{
  if (!self->started)
    {
      digest_init (self->md);
      digest_update (self->md, self->inner_pad, SHA256_BLOCK_LEN);
      self->started = TRUE;
    }
  digest_update (self->md, data, len);
}

static void
hmac_finish (WaHmac *self,
             guint8  out[WA_SHA256_LEN])
{
  guint8 inner[WA_SHA256_LEN];

  hmac_update (self, NULL, 0);
  digest_final (self->md, inner);
  digest_init (self->md);
  digest_update (self->md, self->outer_pad, SHA256_BLOCK_LEN);
  digest_update (self->md, inner, sizeof inner);
  digest_final (self->md, out);
  sodium_memzero (inner, sizeof inner);
  self->started = FALSE;
}

static void
hmac_clear (WaHmac *self)
{
  /* The digest context holds state derived from the key. */
  EVP_MD_CTX_free (self->md);
  sodium_memzero (self, sizeof *self);
}

static void
hmac_destroy (gpointer data)
{
  hmac_clear (data);
  g_free (data);
}

static void
set_evp_error (GError     **error,
               const char  *what)
{
  g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO, "OpenSSL could not run %s", what);
}

static GBytes *
gcm_seal_openssl (const guint8  key[WA_AES_KEY_LEN],
                  const guint8  iv[WA_GCM_IV_LEN],
                  const guint8 *aad,
                  gsize         aad_len,
                  const guint8 *plain,
                  gsize         len,
                  GError      **error)
{
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  guint8 *out = g_malloc (len + WA_AES_BLOCK_LEN + WA_GCM_TAG_LEN);
  gsize out_len = 0;
  gsize unused = 0;
  int final_len = 0;

  if (ctx == NULL ||
      EVP_EncryptInit_ex (ctx, aes_256_gcm (), NULL, NULL, NULL) != 1 ||
      EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_IVLEN, WA_GCM_IV_LEN, NULL) != 1 ||
      EVP_EncryptInit_ex (ctx, NULL, NULL, key, iv) != 1 ||
      !evp_update (ctx, NULL, &unused, aad, aad_len) ||
      !evp_update (ctx, out, &out_len, plain, len) ||
      EVP_EncryptFinal_ex (ctx, out + out_len, &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_GET_TAG, WA_GCM_TAG_LEN, out + len) != 1)
    {
      EVP_CIPHER_CTX_free (ctx);
      g_free (out);
      set_evp_error (error, "AES-256-GCM");
      return NULL;
    }

  EVP_CIPHER_CTX_free (ctx);
  return g_bytes_new_take (out, len + WA_GCM_TAG_LEN);
}

static GBytes *
gcm_open_openssl (const guint8  key[WA_AES_KEY_LEN],
                  const guint8  iv[WA_GCM_IV_LEN],
                  const guint8 *aad,
                  gsize         aad_len,
                  const guint8 *cipher,
                  gsize         len,
                  GError      **error)
{
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  gsize plain_len = len - WA_GCM_TAG_LEN;
  guint8 *out = g_malloc (plain_len + WA_AES_BLOCK_LEN);
  guint8 tag[WA_GCM_TAG_LEN];
  gsize out_len = 0;
  gsize unused = 0;
  int final_len = 0;
  gboolean ok;

  /* The tag control takes a non-const pointer. */
  memcpy (tag, cipher + plain_len, sizeof tag);

  ok = ctx != NULL &&
       EVP_DecryptInit_ex (ctx, aes_256_gcm (), NULL, NULL, NULL) == 1 &&
       EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_IVLEN, WA_GCM_IV_LEN, NULL) == 1 &&
       EVP_DecryptInit_ex (ctx, NULL, NULL, key, iv) == 1 &&
       evp_update (ctx, NULL, &unused, aad, aad_len) &&
       evp_update (ctx, out, &out_len, cipher, plain_len) &&
       EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_TAG, WA_GCM_TAG_LEN, tag) == 1 &&
       EVP_DecryptFinal_ex (ctx, out + out_len, &final_len) == 1;
  EVP_CIPHER_CTX_free (ctx);

  if (!ok)
    {
      /* Never hand out plaintext that failed authentication. */
      sodium_memzero (out, plain_len);
      g_free (out);
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO, "Encrypted data failed authentication");
      return NULL;
    }

  return g_bytes_new_take (out, plain_len);
}

static GBytes *
aes_openssl (const EVP_CIPHER  *type,
             gboolean           encrypt,
             const guint8       key[WA_AES_KEY_LEN],
             const guint8       iv[WA_AES_BLOCK_LEN],
             const guint8      *in,
             gsize              len,
             const char        *what,
             GError           **error)
{
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  gsize capacity = len + WA_AES_BLOCK_LEN;
  guint8 *out = g_malloc (capacity);
  gsize out_len = 0;
  int final_len = 0;
  gboolean ok;

  ok = ctx != NULL &&
       EVP_CipherInit_ex (ctx, type, NULL, key, iv, encrypt ? 1 : 0) == 1 &&
       evp_update (ctx, out, &out_len, in, len) &&
       EVP_CipherFinal_ex (ctx, out + out_len, &final_len) == 1;
  EVP_CIPHER_CTX_free (ctx);

  if (!ok)
    {
      sodium_memzero (out, capacity);
      g_free (out);
      /* The only failure a peer can cause is bad CBC padding, which means
       * the data is damaged or the key is wrong. */
      if (!encrypt)
        g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO, "%s data does not decrypt (wrong key or damaged)", what);
      else
        set_evp_error (error, what);
      return NULL;
    }

  return g_bytes_new_take (out, out_len + final_len);
}

/* Signatures use the scalar as stored, so keys are kept clamped. */
static void
clamp (guint8 priv[WA_KEY_LEN])
{
  priv[0] &= 248;
  priv[31] &= 127;
  priv[31] |= 64;
}

/* Public API */

/**
 * wa_crypto_init:
 * @error: return location for a #GError
 *
 * Initialises libsodium, picks the AES-GCM implementation, and checks what
 * the build cannot: that the protobuf-c runtime is 1.4 or newer.
 * libsignal-protocol-c carries a copy of protobuf-c 1.1.1 that silently
 * wins when it comes first on the link line (WA-PROTOCOL.md §11.5). Call it
 * once before any other function here; calling it again is harmless.
 *
 * Returns: %TRUE when the protocol can run in this process
 */
gboolean
wa_crypto_init (GError **error)
{
  if (sodium_init () < 0)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO, "libsodium could not be initialised");
      return FALSE;
    }

  if (protobuf_c_version_number () < 1004000)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_FAILED,
                   "protobuf-c %s is linked instead of 1.4 or newer: "
                   "libprotobuf-c must come before libsignal-protocol-c when linking",
                   protobuf_c_version ());
      return FALSE;
    }

  use_sodium_gcm = crypto_aead_aes256gcm_is_available () != 0;

  return TRUE;
}

void
_wa_crypto_force_openssl_gcm (gboolean force)
{
  force_openssl_gcm = force;
}

/**
 * wa_crypto_random:
 * @out: (out caller-allocates): where to write
 * @len: how many bytes
 *
 * Fills @out with bytes from the system's CSPRNG.
 */
void
wa_crypto_random (gpointer out,
                  gsize    len)
{
  randombytes_buf (out, len);
}

/**
 * wa_crypto_wipe:
 * @data: secret bytes
 * @len: their length
 *
 * Overwrites secrets in a way the compiler cannot optimise away.
 */
void
wa_crypto_wipe (gpointer data,
                gsize    len)
{
  if (data != NULL)
    sodium_memzero (data, len);
}

/**
 * wa_crypto_equal:
 *
 * Compares two buffers in constant time, for MACs and keys.
 *
 * Returns: whether the @len bytes at @a and @b are equal
 */
gboolean
wa_crypto_equal (const guint8 *a,
                 const guint8 *b,
                 gsize         len)
{
  return sodium_memcmp (a, b, len) == 0;
}

void
wa_crypto_sha256 (const guint8 *data,
                  gsize         len,
                  guint8        out[WA_SHA256_LEN])
{
  g_return_if_fail (data != NULL || len == 0);

  if (EVP_Digest (len > 0 ? data : (const guint8 *) "", len, out, NULL, sha256_md (), NULL) != 1)
    g_error ("OpenSSL could not run SHA-256");
}

/**
 * wa_crypto_md5:
 *
 * MD5, which WhatsApp uses only for the registration buildHash. It can
 * fail where OpenSSL runs in FIPS mode.
 *
 * Returns: %FALSE with %WA_ERROR_CRYPTO if MD5 is unavailable
 */
gboolean
wa_crypto_md5 (const guint8  *data,
               gsize          len,
               guint8         out[WA_MD5_LEN],
               GError       **error)
{
  unsigned int out_len = 0;

  if (EVP_Digest (data, len, out, &out_len, EVP_md5 (), NULL) != 1 || out_len != WA_MD5_LEN)
    {
      set_evp_error (error, "MD5");
      return FALSE;
    }

  return TRUE;
}

/**
 * wa_crypto_hmac_sha256:
 * @key: the key, any length
 *
 * HMAC-SHA256 of @data.
 */
void
wa_crypto_hmac_sha256 (const guint8 *key,
                       gsize         key_len,
                       const guint8 *data,
                       gsize         len,
                       guint8        out[WA_SHA256_LEN])
{
  WaHmac hmac = { digest_new () };

  hmac_set_key (&hmac, key, key_len);
  hmac_update (&hmac, data, len);
  hmac_finish (&hmac, out);
  hmac_clear (&hmac);
}

/**
 * wa_hmac_new:
 * @key: the key, any length
 *
 * An HMAC-SHA256 fed in pieces, and reusable: wa_hmac_finish() starts it
 * over with the same key.
 *
 * Returns: (transfer full): a new HMAC; free it with wa_hmac_free(),
 *   which wipes the key
 */
WaHmac *
wa_hmac_new (const guint8 *key,
             gsize         key_len)
{
  WaHmac *self;

  g_return_val_if_fail (key != NULL || key_len == 0, NULL);

  self = g_private_get (&spare_hmac);
  if (self != NULL)
    g_private_set (&spare_hmac, NULL);
  else
    {
      self = g_new0 (WaHmac, 1);
      self->md = digest_new ();
    }
  hmac_set_key (self, key, key_len);
  return self;
}

void
wa_hmac_update (WaHmac       *self,
                const guint8 *data,
                gsize         len)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || len == 0);

  hmac_update (self, data, len);
}

/**
 * wa_hmac_finish:
 * @out: (out caller-allocates): the MAC of everything fed since the last
 *   call
 *
 * Writes the MAC and starts @self over with the same key.
 */
void
wa_hmac_finish (WaHmac *self,
                guint8  out[WA_SHA256_LEN])
{
  g_return_if_fail (self != NULL);

  hmac_finish (self, out);
}

void
wa_hmac_free (WaHmac *self)
{
  if (self == NULL)
    return;
  if (g_private_get (&spare_hmac) != NULL)
    {
      hmac_destroy (self);
      return;
    }
  /* Nothing derived from the key stays: the pads are wiped, and the
   * digest's state is wiped and freed. OpenSSL 3.0 frees and allocates
   * that state again at every EVP_DigestInit_ex2 (), so starting the
   * digest over here cost one more of each. */
  sodium_memzero (self->inner_pad, sizeof self->inner_pad);
  sodium_memzero (self->outer_pad, sizeof self->outer_pad);
  if (EVP_MD_CTX_reset (self->md) != 1)
    g_error ("OpenSSL could not reset a SHA-256 digest");
  self->started = FALSE;
  g_private_set (&spare_hmac, self);
}

/**
 * wa_crypto_hmac_sha512:
 * @key: the key, any length
 *
 * HMAC-SHA512 of @data (app-state value MACs use its first half).
 */
void
wa_crypto_hmac_sha512 (const guint8 *key,
                       gsize         key_len,
                       const guint8 *data,
                       gsize         len,
                       guint8        out[WA_SHA512_LEN])
{
  crypto_auth_hmacsha512_state state;

  crypto_auth_hmacsha512_init (&state, key, key_len);
  crypto_auth_hmacsha512_update (&state, data, len);
  crypto_auth_hmacsha512_final (&state, out);
  sodium_memzero (&state, sizeof state);
}

/**
 * wa_crypto_hkdf_sha256:
 * @salt: (nullable): the salt; %NULL means 32 zero bytes (RFC 5869 §2.2)
 * @salt_len: length of @salt, ignored when it is %NULL
 * @ikm: the input keying material
 * @info: (nullable): the context string, may be empty
 * @out: (out caller-allocates): @out_len bytes of output
 * @out_len: at most %WA_HKDF_MAX_LEN (255 × 32) bytes
 *
 * HKDF-SHA256 (RFC 5869), extract then expand.
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
  static const guint8 zero_salt[WA_SHA256_LEN] = { 0 };
  WaHmac hmac = { digest_new () };
  guint8 prk[WA_SHA256_LEN];
  guint8 block[WA_SHA256_LEN];
  gsize done = 0;
  guint8 counter = 1;

  g_return_if_fail (out_len <= WA_HKDF_MAX_LEN);
  g_return_if_fail (out != NULL || out_len == 0);

  if (salt == NULL)
    {
      salt = zero_salt;
      salt_len = sizeof zero_salt;
    }
  hmac_set_key (&hmac, salt, salt_len);
  hmac_update (&hmac, ikm, ikm_len);
  hmac_finish (&hmac, prk);

  /* T(i) = HMAC(PRK, T(i-1) || info || i), T(0) empty. */
  hmac_set_key (&hmac, prk, sizeof prk);
  while (done < out_len)
    {
      gsize take = MIN (sizeof block, out_len - done);

      if (counter > 1)
        hmac_update (&hmac, block, sizeof block);
      hmac_update (&hmac, info, info_len);
      hmac_update (&hmac, &counter, 1);
      hmac_finish (&hmac, block);

      memcpy (out + done, block, take);
      done += take;
      counter++;
    }

  hmac_clear (&hmac);
  sodium_memzero (prk, sizeof prk);
  sodium_memzero (block, sizeof block);
}

/**
 * wa_crypto_aes_gcm_seal:
 * @key: the 32-byte key
 * @iv: the 12-byte nonce; never reuse one with the same key
 * @aad: (nullable): additional authenticated data
 * @error: return location for a #GError
 *
 * AES-256-GCM encryption.
 *
 * Returns: (transfer full) (nullable): the ciphertext with its 16-byte tag
 *   appended, or %NULL with %WA_ERROR_CRYPTO if the backend failed
 */
GBytes *
wa_crypto_aes_gcm_seal (const guint8   key[WA_AES_KEY_LEN],
                        const guint8   iv[WA_GCM_IV_LEN],
                        const guint8  *aad,
                        gsize          aad_len,
                        const guint8  *plain,
                        gsize          len,
                        GError       **error)
{
  guint8 *out;
  unsigned long long out_len = 0;

  if (!use_sodium_gcm || force_openssl_gcm)
    return gcm_seal_openssl (key, iv, aad, aad_len, plain, len, error);

  out = g_malloc (len + crypto_aead_aes256gcm_ABYTES);
  crypto_aead_aes256gcm_encrypt (out, &out_len, plain, len, aad, aad_len, NULL, iv, key);
  return g_bytes_new_take (out, out_len);
}

/**
 * wa_crypto_aes_gcm_open:
 * @cipher: ciphertext followed by the 16-byte tag
 * @error: return location for a #GError
 *
 * AES-256-GCM decryption; see wa_crypto_aes_gcm_seal().
 *
 * Returns: (transfer full) (nullable): the plaintext, or %NULL with
 *   %WA_ERROR_CRYPTO when the tag does not verify
 */
GBytes *
wa_crypto_aes_gcm_open (const guint8   key[WA_AES_KEY_LEN],
                        const guint8   iv[WA_GCM_IV_LEN],
                        const guint8  *aad,
                        gsize          aad_len,
                        const guint8  *cipher,
                        gsize          len,
                        GError       **error)
{
  guint8 *out;
  unsigned long long out_len = 0;

  if (len < WA_GCM_TAG_LEN)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO,
                   "Encrypted data of %" G_GSIZE_FORMAT " bytes is shorter than its tag", len);
      return NULL;
    }

  if (!use_sodium_gcm || force_openssl_gcm)
    return gcm_open_openssl (key, iv, aad, aad_len, cipher, len, error);

  out = g_malloc (len - WA_GCM_TAG_LEN);
  if (crypto_aead_aes256gcm_decrypt (out, &out_len, NULL, cipher, len, aad, aad_len, iv, key) != 0)
    {
      sodium_memzero (out, len - WA_GCM_TAG_LEN);
      g_free (out);
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO, "Encrypted data failed authentication");
      return NULL;
    }

  return g_bytes_new_take (out, out_len);
}

/**
 * wa_crypto_aes_cbc_encrypt:
 * @key: the 32-byte key
 * @iv: the 16-byte IV
 *
 * AES-256-CBC with PKCS#7 padding, as used for media (WA-PROTOCOL.md
 * §10.3). CBC has no integrity of its own: callers check a MAC first.
 *
 * Returns: (transfer full) (nullable): the ciphertext, a whole number of
 *   blocks and always longer than @len
 */
GBytes *
wa_crypto_aes_cbc_encrypt (const guint8   key[WA_AES_KEY_LEN],
                           const guint8   iv[WA_AES_BLOCK_LEN],
                           const guint8  *plain,
                           gsize          len,
                           GError       **error)
{
  return aes_openssl (aes_256_cbc (), TRUE, key, iv, plain, len, "AES-256-CBC", error);
}

/**
 * wa_crypto_aes_cbc_decrypt:
 *
 * Reverses wa_crypto_aes_cbc_encrypt() and strips the padding.
 *
 * Returns: (transfer full) (nullable): the plaintext, or %NULL with
 *   %WA_ERROR_CRYPTO when the length or the padding is wrong
 */
GBytes *
wa_crypto_aes_cbc_decrypt (const guint8   key[WA_AES_KEY_LEN],
                           const guint8   iv[WA_AES_BLOCK_LEN],
                           const guint8  *cipher,
                           gsize          len,
                           GError       **error)
{
  if (len == 0 || len % WA_AES_BLOCK_LEN != 0)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO,
                   "AES-256-CBC data of %" G_GSIZE_FORMAT " bytes is not a whole number of blocks", len);
      return NULL;
    }

  return aes_openssl (aes_256_cbc (), FALSE, key, iv, cipher, len, "AES-256-CBC", error);
}

/**
 * wa_crypto_aes_ctr:
 * @iv: the initial 128-bit counter block, incremented big-endian
 *
 * AES-256-CTR; the same call encrypts and decrypts (used by the pairing
 * code flow, WA-PROTOCOL.md §5.8).
 *
 * Returns: (transfer full) (nullable): @len bytes of output
 */
GBytes *
wa_crypto_aes_ctr (const guint8   key[WA_AES_KEY_LEN],
                   const guint8   iv[WA_AES_BLOCK_LEN],
                   const guint8  *data,
                   gsize          len,
                   GError       **error)
{
  return aes_openssl (aes_256_ctr (), TRUE, key, iv, data, len, "AES-256-CTR", error);
}

/**
 * wa_key_pair_from_private:
 * @pair: (out caller-allocates): the key pair to fill
 * @priv: 32 bytes of private key; clamped on the way in
 *
 * Completes a key pair from a stored or test private key.
 */
void
wa_key_pair_from_private (WaKeyPair    *pair,
                          const guint8  priv[WA_KEY_LEN])
{
  g_return_if_fail (pair != NULL);

  memmove (pair->priv, priv, WA_KEY_LEN);
  clamp (pair->priv);
  crypto_scalarmult_curve25519_base (pair->pub, pair->priv);
}

/**
 * wa_key_pair_generate:
 * @pair: (out caller-allocates): the key pair to fill
 *
 * Makes a fresh X25519 key pair with a clamped private key.
 */
void
wa_key_pair_generate (WaKeyPair *pair)
{
  g_return_if_fail (pair != NULL);

  randombytes_buf (pair->priv, WA_KEY_LEN);
  wa_key_pair_from_private (pair, pair->priv);
}

/**
 * wa_key_pair_clear:
 *
 * Wipes both halves of @pair.
 */
void
wa_key_pair_clear (WaKeyPair *pair)
{
  if (pair != NULL)
    sodium_memzero (pair, sizeof *pair);
}

/**
 * wa_crypto_x25519:
 * @out: (out caller-allocates): the 32-byte shared secret
 * @error: return location for a #GError
 *
 * X25519 agreement between our @priv and a peer's @pub.
 *
 * Returns: %FALSE with %WA_ERROR_CRYPTO when @pub is a low-order point
 *   (the secret would be all zeros, i.e. known to anyone)
 */
gboolean
wa_crypto_x25519 (const guint8   priv[WA_KEY_LEN],
                  const guint8   pub[WA_KEY_LEN],
                  guint8         out[WA_KEY_LEN],
                  GError       **error)
{
  if (crypto_scalarmult_curve25519 (out, priv, pub) != 0)
    {
      sodium_memzero (out, WA_KEY_LEN);
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO, "The peer's public key is a low-order point");
      return FALSE;
    }

  return TRUE;
}

/**
 * wa_crypto_sign_with_random:
 * @priv: a clamped Curve25519 private key
 * @random: the 64 bytes hashed into the nonce
 * @signature: (out caller-allocates): 64 bytes
 *
 * The Signal Curve25519 signature with caller-chosen randomness. Only
 * meant for reproducing published test vectors (they use zeros); real
 * signatures must come from wa_crypto_sign().
 */
void
wa_crypto_sign_with_random (const guint8  priv[WA_KEY_LEN],
                            const guint8 *message,
                            gsize         len,
                            const guint8  random[64],
                            guint8        signature[WA_SIGNATURE_LEN])
{
  /* It fails only when its working buffer cannot be allocated; GLib treats
   * running out of memory as fatal everywhere else, so do the same. */
  if (curve25519_sign (signature, priv, message, len, random) != 0)
    g_error ("Out of memory while signing %" G_GSIZE_FORMAT " bytes", len);
}

/**
 * wa_crypto_sign:
 * @priv: a clamped Curve25519 private key
 * @signature: (out caller-allocates): 64 bytes
 *
 * Signs @message with the Signal Curve25519 scheme WhatsApp uses for
 * certificates and ADV identities. Fresh randomness goes into every
 * signature, so the same input signs differently each time.
 */
void
wa_crypto_sign (const guint8  priv[WA_KEY_LEN],
                const guint8 *message,
                gsize         len,
                guint8        signature[WA_SIGNATURE_LEN])
{
  guint8 random[64];

  randombytes_buf (random, sizeof random);
  wa_crypto_sign_with_random (priv, message, len, random, signature);
  sodium_memzero (random, sizeof random);
}

/**
 * wa_crypto_verify:
 * @pub: the signer's 32-byte public key (no 0x05 prefix)
 *
 * Returns: whether @signature is a valid Signal Curve25519 signature of
 *   @message by @pub
 */
gboolean
wa_crypto_verify (const guint8  pub[WA_KEY_LEN],
                  const guint8 *message,
                  gsize         len,
                  const guint8  signature[WA_SIGNATURE_LEN])
{
  /* Anything but 0 (including an allocation failure) counts as invalid. */
  return curve25519_verify (signature, pub, message, len) == 0;
}
