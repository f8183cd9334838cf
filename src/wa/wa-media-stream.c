/* wa-media-stream.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-media"

#include "config.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <string.h>

#include "wa-error.h"
#include "wa-media-stream.h"

/*
 * A media blob (protocol notes §10) made as it is read: the content is
 * encrypted a chunk at a time and the MAC and both hashes follow along,
 * so uploading a 64 MB video never holds its ciphertext in memory. The
 * content itself is usually a mapped file, whose pages the kernel can
 * drop again once read.
 *
 * libsoup reads a request body from a worker thread; GInputStream lets
 * one read run at a time, so the state needs no lock.
 */

#define CHUNK (64 * 1024)
#define OUT_LEN (CHUNK + 2 * WA_AES_BLOCK_LEN + WA_MEDIA_MAC_LEN)

struct _WaMediaStream
{
  GInputStream    parent_instance;

  GBytes         *plain;
  gsize           offset;
  EVP_CIPHER_CTX *cipher;
  EVP_MAC_CTX    *mac;
  EVP_MD_CTX     *plain_sha;
  EVP_MD_CTX     *enc_sha;
  guint8         *out;  /* OUT_LEN bytes of blob not read yet */
  gsize           out_pos;
  gsize           out_len;
  gboolean        finished;
  guint8          file_sha256[WA_SHA256_LEN];
  guint8          file_enc_sha256[WA_SHA256_LEN];
};

G_DEFINE_FINAL_TYPE (WaMediaStream, wa_media_stream, G_TYPE_INPUT_STREAM)

/* Auxiliary methods */

/* The ciphertext in out[0..len) joins the MAC and the blob's hash. */
static gboolean
take_cipher (WaMediaStream *self,
             int            len)
{
  self->out_pos = 0;
  self->out_len = (gsize) len;
  return EVP_MAC_update (self->mac, self->out, self->out_len) == 1 &&
         EVP_DigestUpdate (self->enc_sha, self->out, self->out_len) == 1;
}

static gboolean
encrypt_chunk (WaMediaStream *self)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (self->plain, &size);
  gsize len = MIN (size - self->offset, CHUNK);
  int written = 0;

  if (EVP_DigestUpdate (self->plain_sha, data + self->offset, len) != 1 ||
      EVP_EncryptUpdate (self->cipher, self->out, &written, data + self->offset, (int) len) != 1)
    return FALSE;
  self->offset += len;
  return take_cipher (self, written);
}

/* The padding block, then the first bytes of the MAC, which the blob's
 * hash covers too. */
static gboolean
finish_blob (WaMediaStream *self)
{
  guint8 mac[EVP_MAX_MD_SIZE];
  gsize mac_len = 0;
  int written = 0;
  unsigned int hash_len = 0;

  if (EVP_EncryptFinal_ex (self->cipher, self->out, &written) != 1 || !take_cipher (self, written) ||
      EVP_MAC_final (self->mac, mac, &mac_len, sizeof mac) != 1 || mac_len < WA_MEDIA_MAC_LEN ||
      EVP_DigestUpdate (self->enc_sha, mac, WA_MEDIA_MAC_LEN) != 1 ||
      EVP_DigestFinal_ex (self->enc_sha, self->file_enc_sha256, &hash_len) != 1 ||
      EVP_DigestFinal_ex (self->plain_sha, self->file_sha256, &hash_len) != 1)
    return FALSE;
  memcpy (self->out + self->out_len, mac, WA_MEDIA_MAC_LEN);
  self->out_len += WA_MEDIA_MAC_LEN;
  wa_crypto_wipe (mac, sizeof mac);
  self->finished = TRUE;
  return TRUE;
}

/* GInputStream */

static gssize
wa_media_stream_read (GInputStream  *stream,
                      void          *buffer,
                      gsize          count,
                      GCancellable  *cancellable,
                      GError       **error)
{
  WaMediaStream *self = WA_MEDIA_STREAM (stream);
  gsize given = 0;

  while (given < count)
    {
      gsize n;

      if (self->out_pos == self->out_len)
        {
          gboolean ok;

          if (self->finished)
            break;
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return -1;
          if (self->offset < g_bytes_get_size (self->plain))
            ok = encrypt_chunk (self);
          else
            ok = finish_blob (self);
          if (!ok)
            {
              g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO, "Could not encrypt the media");
              return -1;
            }
          continue;
        }
      n = MIN (count - given, self->out_len - self->out_pos);
      memcpy ((guint8 *) buffer + given, self->out + self->out_pos, n);
      self->out_pos += n;
      given += n;
    }
  return (gssize) given;
}

static gboolean
wa_media_stream_close (GInputStream  *stream,
                       GCancellable  *cancellable,
                       GError       **error)
{
  return TRUE;
}

/* GObject */

static void
wa_media_stream_finalize (GObject *object)
{
  WaMediaStream *self = WA_MEDIA_STREAM (object);

  g_clear_pointer (&self->plain, g_bytes_unref);
  g_clear_pointer (&self->cipher, EVP_CIPHER_CTX_free);
  g_clear_pointer (&self->mac, EVP_MAC_CTX_free);
  g_clear_pointer (&self->plain_sha, EVP_MD_CTX_free);
  g_clear_pointer (&self->enc_sha, EVP_MD_CTX_free);
  wa_crypto_wipe (self->out, OUT_LEN);
  g_free (self->out);

  G_OBJECT_CLASS (wa_media_stream_parent_class)->finalize (object);
}

static void
wa_media_stream_class_init (WaMediaStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = wa_media_stream_finalize;
  stream_class->read_fn = wa_media_stream_read;
  stream_class->close_fn = wa_media_stream_close;
}

static void
wa_media_stream_init (WaMediaStream *self)
{
  self->out = g_malloc (OUT_LEN);
}

/**
 * wa_media_stream_new:
 * @iv: the blob's IV
 * @cipher_key: its AES-256 key
 * @mac_key: its HMAC-SHA256 key
 * @plain: the content, kept until the stream is finalized
 *
 * Returns: (transfer full): a stream of the blob, which is
 *   wa_media_stream_blob_size() bytes long
 */
GInputStream *
wa_media_stream_new (const guint8  iv[WA_AES_BLOCK_LEN],
                     const guint8  cipher_key[WA_AES_KEY_LEN],
                     const guint8  mac_key[WA_KEY_LEN],
                     GBytes       *plain)
{
  g_autoptr(WaMediaStream) self = NULL;
  EVP_MAC *hmac;
  OSSL_PARAM params[] = {
    OSSL_PARAM_construct_utf8_string (OSSL_MAC_PARAM_DIGEST, (char *) "SHA256", 0),
    OSSL_PARAM_construct_end (),
  };
  gboolean ok;

  g_return_val_if_fail (plain != NULL, NULL);

  self = g_object_new (WA_TYPE_MEDIA_STREAM, NULL);
  self->plain = g_bytes_ref (plain);
  self->cipher = EVP_CIPHER_CTX_new ();
  self->plain_sha = EVP_MD_CTX_new ();
  self->enc_sha = EVP_MD_CTX_new ();
  hmac = EVP_MAC_fetch (NULL, "HMAC", NULL);
  self->mac = hmac != NULL ? EVP_MAC_CTX_new (hmac) : NULL;
  EVP_MAC_free (hmac);
  /* Only running out of memory fails here, which GLib aborts on too. */
  ok = self->cipher != NULL && self->plain_sha != NULL && self->enc_sha != NULL && self->mac != NULL &&
       EVP_EncryptInit_ex (self->cipher, EVP_aes_256_cbc (), NULL, cipher_key, iv) == 1 &&
       EVP_DigestInit_ex (self->plain_sha, EVP_sha256 (), NULL) == 1 &&
       EVP_DigestInit_ex (self->enc_sha, EVP_sha256 (), NULL) == 1 &&
       EVP_MAC_init (self->mac, mac_key, WA_KEY_LEN, params) == 1 &&
       EVP_MAC_update (self->mac, iv, WA_AES_BLOCK_LEN) == 1;
  if (!ok)
    g_error ("OpenSSL could not set up AES-256-CBC, SHA-256 or HMAC");
  return G_INPUT_STREAM (g_steal_pointer (&self));
}

/**
 * wa_media_stream_blob_size:
 * @plain_size: the size of the content
 *
 * Returns: the size of its blob: the content padded to whole AES blocks
 *   (a full block of padding when it already fills them), then the MAC
 */
guint64
wa_media_stream_blob_size (guint64 plain_size)
{
  return (plain_size / WA_AES_BLOCK_LEN + 1) * WA_AES_BLOCK_LEN + WA_MEDIA_MAC_LEN;
}

/**
 * wa_media_stream_get_hashes:
 * @self: a stream read to its end
 * @file_sha256: (out caller-allocates): the SHA-256 of the content
 * @file_enc_sha256: (out caller-allocates): the SHA-256 of the blob
 *
 * Returns: %FALSE when the stream has not been read to its end yet
 */
gboolean
wa_media_stream_get_hashes (WaMediaStream *self,
                            guint8         file_sha256[WA_SHA256_LEN],
                            guint8         file_enc_sha256[WA_SHA256_LEN])
{
  g_return_val_if_fail (WA_IS_MEDIA_STREAM (self), FALSE);

  if (!self->finished)
    return FALSE;
  memcpy (file_sha256, self->file_sha256, WA_SHA256_LEN);
  memcpy (file_enc_sha256, self->file_enc_sha256, WA_SHA256_LEN);
  return TRUE;
}
