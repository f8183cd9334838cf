/* wa-noise.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-noise"

#include "config.h"

#include <string.h>

#include "wa-error.h"
#include "wa-handshake.pb-c.h"
#include "wa-noise.h"

/*
 * Noise_XX_25519_AESGCM_SHA256 as WhatsApp runs it (WA-PROTOCOL.md §2):
 * the 32-byte protocol name is the initial hash as is, the prologue is the
 * connection header, and nonces are 8 zero bytes then a 32-bit counter.
 * Both roles are here: the client's, and the server's for the fake server
 * the tests run against.
 */

static const char protocol_name[32] = "Noise_XX_25519_AESGCM_SHA256\0\0\0\0";

struct _WaNoiseCipher
{
  guint8  key[32];
  guint32 counter;
};

struct _WaNoiseHandshake
{
  guint8    h[32];
  guint8    ck[32];
  guint8    k[32];
  guint32   n;
  gboolean  has_key;
  WaKeyPair ephemeral;             /* ours */
  guint8    remote_ephemeral[32];
};

static void
make_iv (guint32 counter,
         guint8  iv[12])
{
  memset (iv, 0, 8);
  iv[8] = counter >> 24;
  iv[9] = counter >> 16;
  iv[10] = counter >> 8;
  iv[11] = counter;
}

/* Transport */

WaNoiseCipher *
wa_noise_cipher_new (const guint8 key[32])
{
  WaNoiseCipher *self = g_new0 (WaNoiseCipher, 1);

  memcpy (self->key, key, 32);
  return self;
}

void
wa_noise_cipher_free (WaNoiseCipher *self)
{
  if (self == NULL)
    return;
  wa_crypto_wipe (self, sizeof *self);
  g_free (self);
}

GBytes *
wa_noise_cipher_encrypt (WaNoiseCipher *self,
                         const guint8  *plain,
                         gsize          len)
{
  guint8 iv[12];

  make_iv (self->counter++, iv);
  return wa_crypto_aes_gcm_seal (self->key, iv, NULL, 0, plain, len);
}

/**
 * wa_noise_cipher_decrypt:
 *
 * A frame that fails authentication is an error and the counter still
 * advances; the stream cannot be trusted after that, so callers close it.
 *
 * Returns: (transfer full) (nullable): the plaintext
 */
GBytes *
wa_noise_cipher_decrypt (WaNoiseCipher  *self,
                         const guint8   *cipher,
                         gsize           len,
                         GError        **error)
{
  guint8 iv[12];

  make_iv (self->counter++, iv);
  return wa_crypto_aes_gcm_open (self->key, iv, NULL, 0, cipher, len, error);
}

/* Handshake state */

WaNoiseHandshake *
wa_noise_handshake_new (void)
{
  WaNoiseHandshake *self = g_new0 (WaNoiseHandshake, 1);

  memcpy (self->h, protocol_name, 32);
  memcpy (self->ck, protocol_name, 32);
  {
    guint8 buffer[36];

    memcpy (buffer, self->h, 32);
    memcpy (buffer + 32, WA_NOISE_PROLOGUE, 4);
    wa_crypto_sha256 (buffer, sizeof buffer, self->h);
  }
  return self;
}

void
wa_noise_handshake_free (WaNoiseHandshake *self)
{
  if (self == NULL)
    return;
  wa_crypto_wipe (self, sizeof *self);
  g_free (self);
}

static void
mix_hash (WaNoiseHandshake *self,
          const guint8     *data,
          gsize             len)
{
  g_autofree guint8 *buffer = g_malloc (32 + len);

  memcpy (buffer, self->h, 32);
  memcpy (buffer + 32, data, len);
  wa_crypto_sha256 (buffer, 32 + len, self->h);
}

static void
mix_key (WaNoiseHandshake *self,
         const guint8      ikm[32])
{
  guint8 out[64];

  wa_crypto_hkdf_sha256 (self->ck, 32, ikm, 32, NULL, 0, out, sizeof out);
  memcpy (self->ck, out, 32);
  memcpy (self->k, out + 32, 32);
  self->n = 0;
  self->has_key = TRUE;
  wa_crypto_wipe (out, sizeof out);
}

static gboolean
mix_dh (WaNoiseHandshake  *self,
        const guint8       priv[32],
        const guint8       pub[32],
        GError           **error)
{
  guint8 shared[32];

  if (!wa_crypto_x25519 (priv, pub, shared, error))
    return FALSE;
  mix_key (self, shared);
  wa_crypto_wipe (shared, sizeof shared);
  return TRUE;
}

static GBytes *
encrypt_and_hash (WaNoiseHandshake *self,
                  const guint8     *plain,
                  gsize             len)
{
  guint8 iv[12];
  GBytes *cipher;

  make_iv (self->n++, iv);
  cipher = wa_crypto_aes_gcm_seal (self->k, iv, self->h, 32, plain, len);
  mix_hash (self, g_bytes_get_data (cipher, NULL), g_bytes_get_size (cipher));
  return cipher;
}

static GBytes *
decrypt_and_hash (WaNoiseHandshake  *self,
                  const guint8      *cipher,
                  gsize              len,
                  GError           **error)
{
  guint8 iv[12];
  GBytes *plain;

  make_iv (self->n++, iv);
  plain = wa_crypto_aes_gcm_open (self->k, iv, self->h, 32, cipher, len, error);
  if (plain != NULL)
    mix_hash (self, cipher, len);
  return plain;
}

static GBytes *
pack (const ProtobufCMessage *message)
{
  gsize len = protobuf_c_message_get_packed_size (message);
  guint8 *data = g_malloc (len + 1);

  protobuf_c_message_pack (message, data);
  return g_bytes_new_take (data, len);
}

static WaHandshake__HandshakeMessage *
unpack (GBytes  *message,
        GError **error)
{
  WaHandshake__HandshakeMessage *parsed;

  parsed = wa_handshake__handshake_message__unpack (NULL, g_bytes_get_size (message),
                                                    g_bytes_get_data (message, NULL));
  if (parsed == NULL)
    g_set_error (error, WA_ERROR, WA_ERROR_HANDSHAKE, "Handshake message does not parse");
  return parsed;
}

static gboolean
is_key (ProtobufCBinaryData  data,
        gboolean             present)
{
  return present && data.len == 32;
}

/* Initiator */

/**
 * wa_noise_client_hello:
 * @self: a fresh handshake
 * @ephemeral: (nullable): the ephemeral key; %NULL makes one (tests pass
 *   a fixed one to reproduce known vectors)
 *
 * Returns: (transfer full): the first handshake message
 */
GBytes *
wa_noise_client_hello (WaNoiseHandshake *self,
                       const WaKeyPair  *ephemeral)
{
  WaHandshake__HandshakeMessage message = WA_HANDSHAKE__HANDSHAKE_MESSAGE__INIT;
  WaHandshake__HandshakeMessage__ClientHello hello = WA_HANDSHAKE__HANDSHAKE_MESSAGE__CLIENT_HELLO__INIT;

  if (ephemeral != NULL)
    self->ephemeral = *ephemeral;
  else
    wa_key_pair_generate (&self->ephemeral);

  mix_hash (self, self->ephemeral.pub, 32);
  hello.has_ephemeral = TRUE;
  hello.ephemeral.data = self->ephemeral.pub;
  hello.ephemeral.len = 32;
  message.client_hello = &hello;
  return pack (&message.base);
}

/**
 * wa_noise_read_server_hello:
 * @server_static: (out): the server's static key, for the certificate check
 * @certificate: (out) (transfer full): the decrypted certificate chain
 */
gboolean
wa_noise_read_server_hello (WaNoiseHandshake  *self,
                            GBytes            *message,
                            guint8             server_static[32],
                            GBytes           **certificate,
                            GError           **error)
{
  g_autoptr(GBytes) remote_static = NULL;
  WaHandshake__HandshakeMessage *parsed = unpack (message, error);
  WaHandshake__HandshakeMessage__ServerHello *hello;
  gboolean ok = FALSE;

  if (parsed == NULL)
    return FALSE;

  hello = parsed->server_hello;
  if (hello == NULL || !is_key (hello->ephemeral, hello->has_ephemeral) ||
      !hello->has_static_ || !hello->has_payload)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_HANDSHAKE, "The server hello is incomplete");
      goto out;
    }

  memcpy (self->remote_ephemeral, hello->ephemeral.data, 32);
  mix_hash (self, self->remote_ephemeral, 32);
  if (!mix_dh (self, self->ephemeral.priv, self->remote_ephemeral, error))
    goto out;

  remote_static = decrypt_and_hash (self, hello->static_.data, hello->static_.len, error);
  if (remote_static == NULL)
    goto out;
  if (g_bytes_get_size (remote_static) != 32)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_HANDSHAKE, "The server's static key is not 32 bytes");
      goto out;
    }
  memcpy (server_static, g_bytes_get_data (remote_static, NULL), 32);

  if (!mix_dh (self, self->ephemeral.priv, server_static, error))
    goto out;
  *certificate = decrypt_and_hash (self, hello->payload.data, hello->payload.len, error);
  ok = *certificate != NULL;

out:
  wa_handshake__handshake_message__free_unpacked (parsed, NULL);
  return ok;
}

/**
 * wa_noise_client_finish:
 * @noise_static: the device's long-term Noise key
 * @payload: the serialized ClientPayload
 *
 * Returns: (transfer full) (nullable): the last handshake message
 */
GBytes *
wa_noise_client_finish (WaNoiseHandshake  *self,
                        const WaKeyPair   *noise_static,
                        GBytes            *payload,
                        GError           **error)
{
  WaHandshake__HandshakeMessage message = WA_HANDSHAKE__HANDSHAKE_MESSAGE__INIT;
  WaHandshake__HandshakeMessage__ClientFinish finish = WA_HANDSHAKE__HANDSHAKE_MESSAGE__CLIENT_FINISH__INIT;
  g_autoptr(GBytes) encrypted_static = encrypt_and_hash (self, noise_static->pub, 32);
  g_autoptr(GBytes) encrypted_payload = NULL;

  if (!mix_dh (self, noise_static->priv, self->remote_ephemeral, error))
    return NULL;
  encrypted_payload = encrypt_and_hash (self, g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));

  finish.has_static_ = TRUE;
  finish.static_.data = (guint8 *)g_bytes_get_data (encrypted_static, &finish.static_.len);
  finish.has_payload = TRUE;
  finish.payload.data = (guint8 *)g_bytes_get_data (encrypted_payload, &finish.payload.len);
  message.client_finish = &finish;
  return pack (&message.base);
}

/* Responder */

gboolean
wa_noise_read_client_hello (WaNoiseHandshake  *self,
                            GBytes            *message,
                            GError           **error)
{
  WaHandshake__HandshakeMessage *parsed = unpack (message, error);
  gboolean ok;

  if (parsed == NULL)
    return FALSE;

  ok = parsed->client_hello != NULL &&
       is_key (parsed->client_hello->ephemeral, parsed->client_hello->has_ephemeral);
  if (ok)
    {
      memcpy (self->remote_ephemeral, parsed->client_hello->ephemeral.data, 32);
      mix_hash (self, self->remote_ephemeral, 32);
    }
  else
    g_set_error (error, WA_ERROR, WA_ERROR_HANDSHAKE, "The client hello has no ephemeral key");

  wa_handshake__handshake_message__free_unpacked (parsed, NULL);
  return ok;
}

/**
 * wa_noise_server_hello:
 * @server_static: the server's static key
 * @ephemeral: (nullable): the server's ephemeral key; %NULL makes one
 * @certificate: the certificate chain to send
 *
 * Returns: (transfer full) (nullable): the second handshake message
 */
GBytes *
wa_noise_server_hello (WaNoiseHandshake  *self,
                       const WaKeyPair   *server_static,
                       const WaKeyPair   *ephemeral,
                       GBytes            *certificate,
                       GError           **error)
{
  WaHandshake__HandshakeMessage message = WA_HANDSHAKE__HANDSHAKE_MESSAGE__INIT;
  WaHandshake__HandshakeMessage__ServerHello hello = WA_HANDSHAKE__HANDSHAKE_MESSAGE__SERVER_HELLO__INIT;
  g_autoptr(GBytes) encrypted_static = NULL;
  g_autoptr(GBytes) encrypted_payload = NULL;

  if (ephemeral != NULL)
    self->ephemeral = *ephemeral;
  else
    wa_key_pair_generate (&self->ephemeral);

  mix_hash (self, self->ephemeral.pub, 32);
  if (!mix_dh (self, self->ephemeral.priv, self->remote_ephemeral, error))
    return NULL;
  encrypted_static = encrypt_and_hash (self, server_static->pub, 32);
  if (!mix_dh (self, server_static->priv, self->remote_ephemeral, error))
    return NULL;
  encrypted_payload = encrypt_and_hash (self, g_bytes_get_data (certificate, NULL),
                                        g_bytes_get_size (certificate));

  hello.has_ephemeral = TRUE;
  hello.ephemeral.data = self->ephemeral.pub;
  hello.ephemeral.len = 32;
  hello.has_static_ = TRUE;
  hello.static_.data = (guint8 *)g_bytes_get_data (encrypted_static, &hello.static_.len);
  hello.has_payload = TRUE;
  hello.payload.data = (guint8 *)g_bytes_get_data (encrypted_payload, &hello.payload.len);
  message.server_hello = &hello;
  return pack (&message.base);
}

/**
 * wa_noise_read_client_finish:
 * @client_static: (out): the client's Noise key, which identifies the device
 * @payload: (out) (transfer full): the decrypted ClientPayload
 */
gboolean
wa_noise_read_client_finish (WaNoiseHandshake  *self,
                             GBytes            *message,
                             guint8             client_static[32],
                             GBytes           **payload,
                             GError           **error)
{
  g_autoptr(GBytes) remote_static = NULL;
  WaHandshake__HandshakeMessage *parsed = unpack (message, error);
  WaHandshake__HandshakeMessage__ClientFinish *finish;
  gboolean ok = FALSE;

  if (parsed == NULL)
    return FALSE;

  finish = parsed->client_finish;
  if (finish == NULL || !finish->has_static_ || !finish->has_payload)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_HANDSHAKE, "The client finish is incomplete");
      goto out;
    }

  remote_static = decrypt_and_hash (self, finish->static_.data, finish->static_.len, error);
  if (remote_static == NULL)
    goto out;
  if (g_bytes_get_size (remote_static) != 32)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_HANDSHAKE, "The client's static key is not 32 bytes");
      goto out;
    }
  memcpy (client_static, g_bytes_get_data (remote_static, NULL), 32);

  if (!mix_dh (self, self->ephemeral.priv, client_static, error))
    goto out;
  *payload = decrypt_and_hash (self, finish->payload.data, finish->payload.len, error);
  ok = *payload != NULL;

out:
  wa_handshake__handshake_message__free_unpacked (parsed, NULL);
  return ok;
}

/**
 * wa_noise_split:
 * @initiator: whether this side sent the client hello
 * @write: (out) (transfer full): encrypts what this side sends
 * @read: (out) (transfer full): decrypts what it receives
 */
void
wa_noise_split (WaNoiseHandshake  *self,
                gboolean           initiator,
                WaNoiseCipher    **write,
                WaNoiseCipher    **read)
{
  guint8 out[64];

  wa_crypto_hkdf_sha256 (self->ck, 32, (const guint8 *)"", 0, NULL, 0, out, sizeof out);
  *write = wa_noise_cipher_new (initiator ? out : out + 32);
  *read = wa_noise_cipher_new (initiator ? out + 32 : out);
  wa_crypto_wipe (out, sizeof out);
}
