/* wa-noise.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-noise"

#include "config.h"

#include <string.h>

#include <sodium.h>

#include "wa-error.h"
#include "wa-proto.h"
#include "wa-handshake.pb-c.h"
#include "wa-noise.h"

/*
 * Noise_XX_25519_AESGCM_SHA256 as WhatsApp runs it (WA-PROTOCOL.md §2):
 *
 *   -> e
 *   <- e, ee, s, es        (payload: the server's certificate chain)
 *   -> s, se               (payload: the ClientPayload protobuf)
 *
 * It is standard Noise with two details that matter for interoperability:
 * the 32-byte protocol name is used as the initial h directly (it is not
 * longer than the hash, so Noise says not to hash it), and the GCM nonce is
 * 8 zero bytes then a 32-bit big-endian counter. Both roles live here:
 * the client's, and the server's so the tests and the fake server can run
 * the real handshake against the client.
 *
 * The caller drives it one message at a time, which fits a socket that
 * delivers frames as callbacks: nothing here blocks or owns I/O.
 */

static const guint8 protocol_name[32] = "Noise_XX_25519_AESGCM_SHA256\0\0\0";

/* What the handshake expects next. The role says whether a step is read
 * or written: at STEP_SERVER_HELLO the initiator reads, the responder
 * writes. */
typedef enum {
  STEP_CLIENT_HELLO,
  STEP_SERVER_HELLO,
  STEP_CLIENT_FINISH,
  STEP_SPLIT,
  STEP_DONE,
  STEP_FAILED,
} Step;

struct _WaNoiseCipher
{
  guint8   key[WA_KEY_LEN];
  guint64  counter;   /* next nonce; only 2^32 fit the 4-byte nonce field */
  gboolean broken;    /* a frame failed authentication: the stream is dead */
};

/* Everything but the role and step is secret and wiped when done. */
struct _WaNoiseHandshake
{
  WaNoiseRole role;
  Step        step;

  guint8      h[WA_SHA256_LEN];
  guint8      ck[WA_SHA256_LEN];
  guint8      k[WA_KEY_LEN];
  guint32     n;
  gboolean    has_k;

  WaKeyPair   ephemeral;
  guint8      remote_ephemeral[WA_KEY_LEN];
};

/* Auxiliary methods */

static void
make_iv (guint32 counter,
         guint8  iv[WA_GCM_IV_LEN])
{
  memset (iv, 0, 8);
  iv[8] = (guint8) (counter >> 24);
  iv[9] = (guint8) (counter >> 16);
  iv[10] = (guint8) (counter >> 8);
  iv[11] = (guint8) counter;
}

static void
mix_hash (WaNoiseHandshake *self,
          const guint8     *data,
          gsize             len)
{
  g_autofree guint8 *input = g_malloc (sizeof self->h + len);

  memcpy (input, self->h, sizeof self->h);
  if (len > 0)
    memcpy (input + sizeof self->h, data, len);
  wa_crypto_sha256 (input, sizeof self->h + len, self->h);
}

static void
mix_key (WaNoiseHandshake *self,
         const guint8      ikm[WA_KEY_LEN])
{
  guint8 out[64];

  wa_crypto_hkdf_sha256 (self->ck, sizeof self->ck, ikm, WA_KEY_LEN, NULL, 0, out, sizeof out);
  memcpy (self->ck, out, 32);
  memcpy (self->k, out + 32, 32);
  self->n = 0;
  self->has_k = TRUE;
  sodium_memzero (out, sizeof out);
}

/* MixKey(DH(priv, pub)). @what names the peer key for the error message. */
static gboolean
mix_dh (WaNoiseHandshake  *self,
        const guint8       priv[WA_KEY_LEN],
        const guint8       pub[WA_KEY_LEN],
        const char        *what,
        GError           **error)
{
  guint8 shared[WA_KEY_LEN];

  if (!wa_crypto_x25519 (priv, pub, shared, NULL))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_HANDSHAKE,
                   "Noise handshake: the %s is a low-order point", what);
      return FALSE;
    }

  mix_key (self, shared);
  sodium_memzero (shared, sizeof shared);
  return TRUE;
}

static GBytes *
encrypt_and_hash (WaNoiseHandshake  *self,
                  const guint8      *plain,
                  gsize              len,
                  GError           **error)
{
  guint8 iv[WA_GCM_IV_LEN];
  GBytes *cipher;

  /* Every EncryptAndHash in XX comes after the first MixKey. */
  g_assert (self->has_k);

  make_iv (self->n, iv);
  cipher = wa_crypto_aes_gcm_seal (self->k, iv, self->h, sizeof self->h, plain, len, error);
  if (cipher == NULL)
    return NULL;

  self->n++;
  mix_hash (self, g_bytes_get_data (cipher, NULL), g_bytes_get_size (cipher));
  return cipher;
}

static GBytes *
decrypt_and_hash (WaNoiseHandshake  *self,
                  const guint8      *cipher,
                  gsize              len,
                  const char        *what,
                  GError           **error)
{
  guint8 iv[WA_GCM_IV_LEN];
  GBytes *plain;

  g_assert (self->has_k);

  make_iv (self->n, iv);
  plain = wa_crypto_aes_gcm_open (self->k, iv, self->h, sizeof self->h, cipher, len, NULL);
  if (plain == NULL)
    {
      /* Wrong keys, a changed transcript or changed bytes all end here. */
      g_set_error (error, WA_ERROR, WA_ERROR_HANDSHAKE,
                   "Noise handshake: the %s does not decrypt (damaged or forged message)", what);
      return NULL;
    }

  self->n++;
  mix_hash (self, cipher, len);
  return plain;
}

static WaHandshake__HandshakeMessage *
unpack (GBytes      *message,
        const char  *what,
        GError     **error)
{
  WaHandshake__HandshakeMessage *parsed;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (message, &len);

  parsed = wa_handshake__handshake_message__unpack (NULL, len, data);
  if (parsed == NULL)
    g_set_error (error, WA_ERROR, WA_ERROR_HANDSHAKE, "Noise handshake: the %s does not parse", what);
  return parsed;
}

/* Called at the top of every step. Misuse of the API is a programming
 * error; continuing after a failure only gets a GError, since a caller may
 * reasonably not track that itself. */
static gboolean
enter_step (WaNoiseHandshake  *self,
            WaNoiseRole        role,
            Step               step,
            GError           **error)
{
  if (self->step == STEP_FAILED)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_HANDSHAKE, "Noise handshake: it already failed");
      return FALSE;
    }

  g_return_val_if_fail (self->role == role, FALSE);
  g_return_val_if_fail (self->step == step, FALSE);

  return TRUE;
}

static void
wipe_secrets (WaNoiseHandshake *self)
{
  sodium_memzero (self->h, sizeof self->h);
  sodium_memzero (self->ck, sizeof self->ck);
  sodium_memzero (self->k, sizeof self->k);
  wa_key_pair_clear (&self->ephemeral);
  sodium_memzero (self->remote_ephemeral, sizeof self->remote_ephemeral);
  self->has_k = FALSE;
}

static gboolean
fail (WaNoiseHandshake *self)
{
  wipe_secrets (self);
  self->step = STEP_FAILED;
  return FALSE;
}

static gboolean
is_key (protobuf_c_boolean  present,
        ProtobufCBinaryData data)
{
  return present && data.len == WA_KEY_LEN;
}

static void
set_ephemeral (WaNoiseHandshake *self,
               const WaKeyPair  *ephemeral)
{
  if (ephemeral != NULL)
    self->ephemeral = *ephemeral;
  else
    wa_key_pair_generate (&self->ephemeral);
}

/* Transport */

/**
 * wa_noise_cipher_new:
 * @key: a transport key from wa_noise_handshake_split()
 *
 * One direction of the transport phase: AES-256-GCM with empty AAD and a
 * counter nonce starting at 0 (WA-PROTOCOL.md §2.5). Building one from a
 * known key is useful in tests.
 *
 * Returns: (transfer full): a cipher, freed with wa_noise_cipher_free()
 */
WaNoiseCipher *
wa_noise_cipher_new (const guint8 key[WA_KEY_LEN])
{
  WaNoiseCipher *self = g_new0 (WaNoiseCipher, 1);

  memcpy (self->key, key, WA_KEY_LEN);
  return self;
}

void
wa_noise_cipher_free (WaNoiseCipher *self)
{
  if (self == NULL)
    return;

  sodium_memzero (self, sizeof *self);
  g_free (self);
}

/**
 * wa_noise_cipher_get_counter:
 *
 * Returns: the nonce the next frame will use, i.e. how many frames this
 *   cipher has processed
 */
guint64
wa_noise_cipher_get_counter (WaNoiseCipher *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->counter;
}

/**
 * wa_noise_cipher_encrypt:
 * @plain: one frame's plaintext (flag byte + node)
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the ciphertext with its tag, ready
 *   to be framed; %NULL with %WA_ERROR_CRYPTO once the 2^32 nonces are
 *   used up (the connection must be re-established long before)
 */
GBytes *
wa_noise_cipher_encrypt (WaNoiseCipher  *self,
                         const guint8   *plain,
                         gsize           len,
                         GError        **error)
{
  guint8 iv[WA_GCM_IV_LEN];
  GBytes *cipher;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (plain != NULL || len == 0, NULL);

  if (self->broken || self->counter > G_MAXUINT32)
    {
      self->broken = TRUE;
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO, "Noise transport: this cipher can no longer be used");
      return NULL;
    }

  make_iv ((guint32) self->counter, iv);
  cipher = wa_crypto_aes_gcm_seal (self->key, iv, NULL, 0, plain, len, error);
  if (cipher == NULL)
    self->broken = TRUE;
  self->counter++;

  return cipher;
}

/**
 * wa_noise_cipher_decrypt:
 * @cipher: one received frame (ciphertext and tag)
 * @error: return location for a #GError
 *
 * A frame that fails authentication is %WA_ERROR_CRYPTO. The counter has
 * moved on regardless, so the two sides no longer agree on nonces and the
 * stream cannot recover: every later call fails too, and the caller
 * should close the connection and reconnect.
 *
 * Returns: (transfer full) (nullable): the plaintext
 */
GBytes *
wa_noise_cipher_decrypt (WaNoiseCipher  *self,
                         const guint8   *cipher,
                         gsize           len,
                         GError        **error)
{
  guint8 iv[WA_GCM_IV_LEN];
  g_autoptr(GError) local_error = NULL;
  GBytes *plain;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (cipher != NULL || len == 0, NULL);

  if (self->broken || self->counter > G_MAXUINT32)
    {
      self->broken = TRUE;
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO,
                   "Noise transport: an earlier frame failed, the stream is unusable");
      return NULL;
    }

  make_iv ((guint32) self->counter, iv);
  self->counter++;
  plain = wa_crypto_aes_gcm_open (self->key, iv, NULL, 0, cipher, len, &local_error);
  if (plain == NULL)
    {
      self->broken = TRUE;
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO,
                   "Noise transport: frame %" G_GUINT64_FORMAT " failed authentication",
                   self->counter - 1);
    }

  return plain;
}

/* Handshake */

/**
 * wa_noise_handshake_new:
 * @role: which side this is
 *
 * Starts a handshake state: h = the protocol name, ck = h, then the
 * prologue (this client's connection header) is mixed in. Use one per
 * connection.
 *
 * Returns: (transfer full): the state, freed (and wiped) with
 *   wa_noise_handshake_free()
 */
WaNoiseHandshake *
wa_noise_handshake_new (WaNoiseRole role)
{
  return wa_noise_handshake_new_with_prologue (role, (const guint8 *) WA_NOISE_PROLOGUE, WA_NOISE_PROLOGUE_LEN);
}

/**
 * wa_noise_handshake_new_with_prologue:
 * @role: which side this is
 * @prologue: (array length=len): the connection header the client sent
 * @len: its length
 *
 * Like wa_noise_handshake_new() for a server, whose prologue is whatever
 * header the client announced (its dictionary version may be older).
 *
 * Returns: (transfer full): the state
 */
WaNoiseHandshake *
wa_noise_handshake_new_with_prologue (WaNoiseRole   role,
                                      const guint8 *prologue,
                                      gsize         len)
{
  WaNoiseHandshake *self = g_new0 (WaNoiseHandshake, 1);

  self->role = role;
  self->step = STEP_CLIENT_HELLO;
  memcpy (self->h, protocol_name, sizeof self->h);
  memcpy (self->ck, protocol_name, sizeof self->ck);
  mix_hash (self, prologue, len);

  return self;
}

void
wa_noise_handshake_free (WaNoiseHandshake *self)
{
  if (self == NULL)
    return;

  sodium_memzero (self, sizeof *self);
  g_free (self);
}

/**
 * wa_noise_handshake_start:
 * @self: an initiator's fresh handshake
 * @ephemeral: (nullable): the ephemeral key pair; %NULL makes a fresh one,
 *   which is what a real connection must do. Tests pass the key of a
 *   published vector.
 *
 * Returns: (transfer full): the serialized HandshakeMessage{clientHello},
 *   to send as the first frame
 */
GBytes *
wa_noise_handshake_start (WaNoiseHandshake *self,
                          const WaKeyPair  *ephemeral)
{
  WaHandshake__HandshakeMessage message = WA_HANDSHAKE__HANDSHAKE_MESSAGE__INIT;
  WaHandshake__HandshakeMessage__ClientHello hello = WA_HANDSHAKE__HANDSHAKE_MESSAGE__CLIENT_HELLO__INIT;

  g_return_val_if_fail (self != NULL, NULL);
  if (!enter_step (self, WA_NOISE_ROLE_INITIATOR, STEP_CLIENT_HELLO, NULL))
    return NULL;

  set_ephemeral (self, ephemeral);
  mix_hash (self, self->ephemeral.pub, WA_KEY_LEN);

  hello.has_ephemeral = TRUE;
  hello.ephemeral.data = self->ephemeral.pub;
  hello.ephemeral.len = WA_KEY_LEN;
  message.client_hello = &hello;

  self->step = STEP_SERVER_HELLO;
  return wa_proto_pack (&message.base);
}

/**
 * wa_noise_handshake_read_server_hello:
 * @self: an initiator's handshake after wa_noise_handshake_start()
 * @message: the second frame
 * @server_static: (out caller-allocates): the server's static key
 * @cert_chain: (out) (transfer full): the decrypted CertChain
 * @error: return location for a #GError
 *
 * Processes `e, ee, s, es` and decrypts the payload. The caller must then
 * check @cert_chain against @server_static with wa_cert_verify() before
 * writing ClientFinish: the handshake alone only proves that the server
 * holds @server_static, not that WhatsApp vouches for it.
 *
 * Returns: %FALSE with %WA_ERROR_HANDSHAKE if the message is malformed or
 *   does not authenticate; the handshake is then dead
 */
gboolean
wa_noise_handshake_read_server_hello (WaNoiseHandshake  *self,
                                      GBytes            *message,
                                      guint8             server_static[WA_KEY_LEN],
                                      GBytes           **cert_chain,
                                      GError           **error)
{
  g_autoptr(GBytes) remote_static = NULL;
  g_autoptr(GBytes) payload = NULL;
  WaHandshake__HandshakeMessage *parsed;
  WaHandshake__HandshakeMessage__ServerHello *hello;
  gboolean ok = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (server_static != NULL, FALSE);
  g_return_val_if_fail (cert_chain != NULL && *cert_chain == NULL, FALSE);
  if (!enter_step (self, WA_NOISE_ROLE_INITIATOR, STEP_SERVER_HELLO, error))
    return FALSE;

  parsed = unpack (message, "server hello", error);
  if (parsed == NULL)
    return fail (self);

  hello = parsed->server_hello;
  if (hello == NULL || !hello->has_ephemeral || !hello->has_static_ || !hello->has_payload)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_HANDSHAKE,
                   "Noise handshake: the server hello lacks its ephemeral key, static key or payload");
      goto out;
    }
  if (!is_key (hello->has_ephemeral, hello->ephemeral))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_HANDSHAKE,
                   "Noise handshake: the server's ephemeral key is %" G_GSIZE_FORMAT " bytes, not 32",
                   hello->ephemeral.len);
      goto out;
    }

  /* e, ee */
  memcpy (self->remote_ephemeral, hello->ephemeral.data, WA_KEY_LEN);
  mix_hash (self, self->remote_ephemeral, WA_KEY_LEN);
  if (!mix_dh (self, self->ephemeral.priv, self->remote_ephemeral, "server's ephemeral key", error))
    goto out;

  /* s, es */
  remote_static = decrypt_and_hash (self, hello->static_.data, hello->static_.len,
                                    "server's static key", error);
  if (remote_static == NULL)
    goto out;
  if (g_bytes_get_size (remote_static) != WA_KEY_LEN)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_HANDSHAKE,
                   "Noise handshake: the server's static key is %" G_GSIZE_FORMAT " bytes, not 32",
                   g_bytes_get_size (remote_static));
      goto out;
    }
  if (!mix_dh (self, self->ephemeral.priv, g_bytes_get_data (remote_static, NULL),
               "server's static key", error))
    goto out;

  payload = decrypt_and_hash (self, hello->payload.data, hello->payload.len,
                              "server's certificate payload", error);
  if (payload == NULL)
    goto out;

  memcpy (server_static, g_bytes_get_data (remote_static, NULL), WA_KEY_LEN);
  *cert_chain = g_steal_pointer (&payload);
  self->step = STEP_CLIENT_FINISH;
  ok = TRUE;

out:
  wa_handshake__handshake_message__free_unpacked (parsed, NULL);
  return ok ? TRUE : fail (self);
}

/**
 * wa_noise_handshake_write_client_finish:
 * @self: an initiator's handshake after a verified server hello
 * @noise_static: the device's long-term Noise key pair (noiseKey)
 * @client_payload: the serialized ClientPayload
 * @error: return location for a #GError
 *
 * Processes `s, se` and encrypts the payload. Afterwards call
 * wa_noise_handshake_split().
 *
 * Returns: (transfer full) (nullable): the serialized
 *   HandshakeMessage{clientFinish}, to send as the third frame
 */
GBytes *
wa_noise_handshake_write_client_finish (WaNoiseHandshake  *self,
                                        const WaKeyPair   *noise_static,
                                        GBytes            *client_payload,
                                        GError           **error)
{
  WaHandshake__HandshakeMessage message = WA_HANDSHAKE__HANDSHAKE_MESSAGE__INIT;
  WaHandshake__HandshakeMessage__ClientFinish finish = WA_HANDSHAKE__HANDSHAKE_MESSAGE__CLIENT_FINISH__INIT;
  g_autoptr(GBytes) encrypted_static = NULL;
  g_autoptr(GBytes) encrypted_payload = NULL;
  gsize payload_len = 0;
  const guint8 *payload_data;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (noise_static != NULL, NULL);
  g_return_val_if_fail (client_payload != NULL, NULL);
  if (!enter_step (self, WA_NOISE_ROLE_INITIATOR, STEP_CLIENT_FINISH, error))
    return NULL;

  /* s: still under the key from es, whose nonce is 1 by now. */
  encrypted_static = encrypt_and_hash (self, noise_static->pub, WA_KEY_LEN, error);
  if (encrypted_static == NULL)
    {
      fail (self);
      return NULL;
    }

  /* se */
  if (!mix_dh (self, noise_static->priv, self->remote_ephemeral, "server's ephemeral key", error))
    {
      fail (self);
      return NULL;
    }

  payload_data = g_bytes_get_data (client_payload, &payload_len);
  encrypted_payload = encrypt_and_hash (self, payload_data, payload_len, error);
  if (encrypted_payload == NULL)
    {
      fail (self);
      return NULL;
    }

  finish.has_static_ = TRUE;
  finish.static_.data = (guint8 *) g_bytes_get_data (encrypted_static, &finish.static_.len);
  finish.has_payload = TRUE;
  finish.payload.data = (guint8 *) g_bytes_get_data (encrypted_payload, &finish.payload.len);
  message.client_finish = &finish;

  self->step = STEP_SPLIT;
  return wa_proto_pack (&message.base);
}

/**
 * wa_noise_handshake_read_client_hello:
 * @self: a responder's fresh handshake
 * @message: the first frame (after the connection header)
 * @error: return location for a #GError
 *
 * Returns: %FALSE with %WA_ERROR_HANDSHAKE if the message has no usable
 *   ephemeral key
 */
gboolean
wa_noise_handshake_read_client_hello (WaNoiseHandshake  *self,
                                      GBytes            *message,
                                      GError           **error)
{
  WaHandshake__HandshakeMessage *parsed;
  gboolean ok = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  if (!enter_step (self, WA_NOISE_ROLE_RESPONDER, STEP_CLIENT_HELLO, error))
    return FALSE;

  parsed = unpack (message, "client hello", error);
  if (parsed == NULL)
    return fail (self);

  if (parsed->client_hello == NULL ||
      !is_key (parsed->client_hello->has_ephemeral, parsed->client_hello->ephemeral))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_HANDSHAKE,
                   "Noise handshake: the client hello has no 32-byte ephemeral key");
    }
  else
    {
      memcpy (self->remote_ephemeral, parsed->client_hello->ephemeral.data, WA_KEY_LEN);
      mix_hash (self, self->remote_ephemeral, WA_KEY_LEN);
      self->step = STEP_SERVER_HELLO;
      ok = TRUE;
    }

  wa_handshake__handshake_message__free_unpacked (parsed, NULL);
  return ok ? TRUE : fail (self);
}

/**
 * wa_noise_handshake_write_server_hello:
 * @self: a responder's handshake after the client hello
 * @server_static: the server's static key pair (the key the leaf
 *   certificate names)
 * @ephemeral: (nullable): the server's ephemeral key pair; %NULL makes a
 *   fresh one
 * @cert_chain: the serialized CertChain to send as the payload
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the serialized
 *   HandshakeMessage{serverHello}
 */
GBytes *
wa_noise_handshake_write_server_hello (WaNoiseHandshake  *self,
                                       const WaKeyPair   *server_static,
                                       const WaKeyPair   *ephemeral,
                                       GBytes            *cert_chain,
                                       GError           **error)
{
  WaHandshake__HandshakeMessage message = WA_HANDSHAKE__HANDSHAKE_MESSAGE__INIT;
  WaHandshake__HandshakeMessage__ServerHello hello = WA_HANDSHAKE__HANDSHAKE_MESSAGE__SERVER_HELLO__INIT;
  g_autoptr(GBytes) encrypted_static = NULL;
  g_autoptr(GBytes) encrypted_payload = NULL;
  gsize chain_len = 0;
  const guint8 *chain_data;
  GBytes *out;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (server_static != NULL, NULL);
  g_return_val_if_fail (cert_chain != NULL, NULL);
  if (!enter_step (self, WA_NOISE_ROLE_RESPONDER, STEP_SERVER_HELLO, error))
    return NULL;

  /* e, ee */
  set_ephemeral (self, ephemeral);
  mix_hash (self, self->ephemeral.pub, WA_KEY_LEN);
  if (!mix_dh (self, self->ephemeral.priv, self->remote_ephemeral, "client's ephemeral key", error))
    goto failed;

  /* s, es */
  encrypted_static = encrypt_and_hash (self, server_static->pub, WA_KEY_LEN, error);
  if (encrypted_static == NULL)
    goto failed;
  if (!mix_dh (self, server_static->priv, self->remote_ephemeral, "client's ephemeral key", error))
    goto failed;

  chain_data = g_bytes_get_data (cert_chain, &chain_len);
  encrypted_payload = encrypt_and_hash (self, chain_data, chain_len, error);
  if (encrypted_payload == NULL)
    goto failed;

  hello.has_ephemeral = TRUE;
  hello.ephemeral.data = self->ephemeral.pub;
  hello.ephemeral.len = WA_KEY_LEN;
  hello.has_static_ = TRUE;
  hello.static_.data = (guint8 *) g_bytes_get_data (encrypted_static, &hello.static_.len);
  hello.has_payload = TRUE;
  hello.payload.data = (guint8 *) g_bytes_get_data (encrypted_payload, &hello.payload.len);
  message.server_hello = &hello;

  out = wa_proto_pack (&message.base);
  self->step = STEP_CLIENT_FINISH;
  return out;

failed:
  fail (self);
  return NULL;
}

/**
 * wa_noise_handshake_read_client_finish:
 * @self: a responder's handshake after the server hello
 * @message: the third frame
 * @client_static: (out caller-allocates): the client's Noise key, which
 *   identifies a registered device at login
 * @client_payload: (out) (transfer full): the decrypted ClientPayload
 * @error: return location for a #GError
 *
 * Returns: %FALSE with %WA_ERROR_HANDSHAKE if the message is malformed or
 *   does not authenticate
 */
gboolean
wa_noise_handshake_read_client_finish (WaNoiseHandshake  *self,
                                       GBytes            *message,
                                       guint8             client_static[WA_KEY_LEN],
                                       GBytes           **client_payload,
                                       GError           **error)
{
  g_autoptr(GBytes) remote_static = NULL;
  g_autoptr(GBytes) payload = NULL;
  WaHandshake__HandshakeMessage *parsed;
  WaHandshake__HandshakeMessage__ClientFinish *finish;
  gboolean ok = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (client_static != NULL, FALSE);
  g_return_val_if_fail (client_payload != NULL && *client_payload == NULL, FALSE);
  if (!enter_step (self, WA_NOISE_ROLE_RESPONDER, STEP_CLIENT_FINISH, error))
    return FALSE;

  parsed = unpack (message, "client finish", error);
  if (parsed == NULL)
    return fail (self);

  finish = parsed->client_finish;
  if (finish == NULL || !finish->has_static_ || !finish->has_payload)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_HANDSHAKE,
                   "Noise handshake: the client finish lacks its static key or payload");
      goto out;
    }

  /* s */
  remote_static = decrypt_and_hash (self, finish->static_.data, finish->static_.len,
                                    "client's static key", error);
  if (remote_static == NULL)
    goto out;
  if (g_bytes_get_size (remote_static) != WA_KEY_LEN)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_HANDSHAKE,
                   "Noise handshake: the client's static key is %" G_GSIZE_FORMAT " bytes, not 32",
                   g_bytes_get_size (remote_static));
      goto out;
    }

  /* se */
  if (!mix_dh (self, self->ephemeral.priv, g_bytes_get_data (remote_static, NULL),
               "client's static key", error))
    goto out;

  payload = decrypt_and_hash (self, finish->payload.data, finish->payload.len,
                              "client payload", error);
  if (payload == NULL)
    goto out;

  memcpy (client_static, g_bytes_get_data (remote_static, NULL), WA_KEY_LEN);
  *client_payload = g_steal_pointer (&payload);
  self->step = STEP_SPLIT;
  ok = TRUE;

out:
  wa_handshake__handshake_message__free_unpacked (parsed, NULL);
  return ok ? TRUE : fail (self);
}

/**
 * wa_noise_handshake_split:
 * @self: a handshake whose last message was written (initiator) or read
 *   (responder)
 * @write_cipher: (out) (transfer full): encrypts what this side sends
 * @read_cipher: (out) (transfer full): decrypts what this side receives
 * @error: return location for a #GError
 *
 * Derives the two transport keys, HKDF(ck, "", 64): the first half is the
 * client's sending key, the second the server's. The handshake's secrets
 * are wiped; @self can only be freed afterwards.
 *
 * Returns: %TRUE on success
 */
gboolean
wa_noise_handshake_split (WaNoiseHandshake  *self,
                          WaNoiseCipher    **write_cipher,
                          WaNoiseCipher    **read_cipher,
                          GError           **error)
{
  guint8 out[64];
  gboolean initiator;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (write_cipher != NULL && *write_cipher == NULL, FALSE);
  g_return_val_if_fail (read_cipher != NULL && *read_cipher == NULL, FALSE);
  if (!enter_step (self, self->role, STEP_SPLIT, error))
    return FALSE;

  initiator = self->role == WA_NOISE_ROLE_INITIATOR;
  wa_crypto_hkdf_sha256 (self->ck, sizeof self->ck, NULL, 0, NULL, 0, out, sizeof out);
  *write_cipher = wa_noise_cipher_new (initiator ? out : out + 32);
  *read_cipher = wa_noise_cipher_new (initiator ? out + 32 : out);
  sodium_memzero (out, sizeof out);

  wipe_secrets (self);
  self->step = STEP_DONE;
  return TRUE;
}
