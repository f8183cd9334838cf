/* wa-media.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-media"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "wa-error.h"
#include "wa-media.h"

/*
 * Encrypted blobs on WhatsApp's media hosts (protocol notes §10): the
 * media key expands into an IV, an AES key and a MAC key; the blob is the
 * AES-256-CBC ciphertext followed by the first ten bytes of an
 * HMAC-SHA256 over IV and ciphertext, and the message that names it also
 * gives the SHA-256 of the blob and of the plaintext. The host comes from
 * a media_conn query; this client only downloads (history chunks and
 * app-state blobs its phone uploaded).
 */

#define MEDIA_MAC_LEN 10
#define EXPANDED_LEN 112
#define READ_CHUNK (64 * 1024)

typedef struct
{
  guint8 iv[WA_AES_BLOCK_LEN];
  guint8 cipher_key[WA_AES_KEY_LEN];
  guint8 mac_key[WA_KEY_LEN];
} MediaKeys;

static const struct
{
  const char *info;
  const char *mms;
} media_types[] = {
  [WA_MEDIA_HISTORY] = { "WhatsApp History Keys", "md-msg-hist" },
  [WA_MEDIA_APP_STATE] = { "WhatsApp App State Keys", "md-app-state" },
};

/* Auxiliary methods */

static gboolean
expand_keys (WaMediaType   type,
             GBytes       *media_key,
             MediaKeys    *keys,
             GError      **error)
{
  guint8 expanded[EXPANDED_LEN];

  if (media_key == NULL || g_bytes_get_size (media_key) != WA_KEY_LEN)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "A media key that is not 32 bytes");
      return FALSE;
    }
  wa_crypto_hkdf_sha256 (NULL, 0, g_bytes_get_data (media_key, NULL), WA_KEY_LEN,
                         (const guint8 *) media_types[type].info, strlen (media_types[type].info),
                         expanded, sizeof expanded);
  memcpy (keys->iv, expanded, WA_AES_BLOCK_LEN);
  memcpy (keys->cipher_key, expanded + WA_AES_BLOCK_LEN, WA_AES_KEY_LEN);
  memcpy (keys->mac_key, expanded + WA_AES_BLOCK_LEN + WA_AES_KEY_LEN, WA_KEY_LEN);
  wa_crypto_wipe (expanded, sizeof expanded);
  return TRUE;
}

static void
blob_mac (const MediaKeys *keys,
          const guint8    *cipher,
          gsize            len,
          guint8           out[WA_SHA256_LEN])
{
  g_autoptr(GByteArray) message = g_byte_array_sized_new (WA_AES_BLOCK_LEN + len);

  g_byte_array_append (message, keys->iv, WA_AES_BLOCK_LEN);
  g_byte_array_append (message, cipher, len);
  wa_crypto_hmac_sha256 (keys->mac_key, WA_KEY_LEN, message->data, message->len, out);
}

static gboolean
hash_matches (GBytes       *expected,
              const guint8 *data,
              gsize         len)
{
  guint8 hash[WA_SHA256_LEN];

  wa_crypto_sha256 (data, len, hash);
  return g_bytes_get_size (expected) == WA_SHA256_LEN &&
         wa_crypto_equal (hash, g_bytes_get_data (expected, NULL), WA_SHA256_LEN);
}

/* Public API */

/**
 * wa_media_type_mms:
 *
 * Returns: the name of @type's folder on the media host
 */
const char *
wa_media_type_mms (WaMediaType type)
{
  g_return_val_if_fail (type < G_N_ELEMENTS (media_types), NULL);
  return media_types[type].mms;
}

/**
 * wa_media_encrypt:
 * @type: what @plain is
 * @media_key: a random 32-byte key
 * @plain: the content
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the blob to upload
 */
GBytes *
wa_media_encrypt (WaMediaType   type,
                  GBytes       *media_key,
                  GBytes       *plain,
                  GError      **error)
{
  g_autoptr(GBytes) cipher = NULL;
  g_autoptr(GByteArray) blob = NULL;
  guint8 mac[WA_SHA256_LEN];
  MediaKeys keys;
  gsize len;

  g_return_val_if_fail (type < G_N_ELEMENTS (media_types), NULL);

  if (!expand_keys (type, media_key, &keys, error))
    return NULL;
  cipher = wa_crypto_aes_cbc_encrypt (keys.cipher_key, keys.iv, g_bytes_get_data (plain, NULL),
                                      g_bytes_get_size (plain), error);
  if (cipher != NULL)
    {
      const guint8 *data = g_bytes_get_data (cipher, &len);

      blob_mac (&keys, data, len, mac);
      blob = g_byte_array_sized_new (len + MEDIA_MAC_LEN);
      g_byte_array_append (blob, data, len);
      g_byte_array_append (blob, mac, MEDIA_MAC_LEN);
    }
  wa_crypto_wipe (&keys, sizeof keys);
  return blob != NULL ? g_byte_array_free_to_bytes (g_steal_pointer (&blob)) : NULL;
}

/**
 * wa_media_decrypt:
 * @type: what the blob holds
 * @ref: what the message said about it
 * @blob: the blob as downloaded
 * @error: return location for a #GError
 *
 * Checks the blob's hash and MAC, decrypts it and checks the plaintext's
 * hash when @ref gives one.
 *
 * Returns: (transfer full) (nullable): the content, or %NULL with
 *   %WA_ERROR_CRYPTO when anything does not match
 */
GBytes *
wa_media_decrypt (WaMediaType        type,
                  const WaMediaRef  *ref,
                  GBytes            *blob,
                  GError           **error)
{
  g_autoptr(GBytes) plain = NULL;
  guint8 mac[WA_SHA256_LEN];
  const guint8 *data;
  MediaKeys keys;
  gsize len;

  g_return_val_if_fail (type < G_N_ELEMENTS (media_types), NULL);
  g_return_val_if_fail (ref != NULL && blob != NULL, NULL);

  data = g_bytes_get_data (blob, &len);
  if (ref->file_enc_sha256 == NULL || !hash_matches (ref->file_enc_sha256, data, len))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO, "The downloaded file is not the one the message names");
      return NULL;
    }
  if (len < MEDIA_MAC_LEN + WA_AES_BLOCK_LEN)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "A media file too short to hold anything");
      return NULL;
    }
  if (!expand_keys (type, ref->media_key, &keys, error))
    return NULL;
  len -= MEDIA_MAC_LEN;
  blob_mac (&keys, data, len, mac);
  if (wa_crypto_equal (mac, data + len, MEDIA_MAC_LEN))
    plain = wa_crypto_aes_cbc_decrypt (keys.cipher_key, keys.iv, data, len, error);
  else
    g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO, "A media file whose MAC does not verify");
  wa_crypto_wipe (&keys, sizeof keys);
  if (plain == NULL)
    return NULL;
  if (ref->file_sha256 != NULL &&
      !hash_matches (ref->file_sha256, g_bytes_get_data (plain, NULL), g_bytes_get_size (plain)))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO, "A media file that decrypts to something else than named");
      return NULL;
    }
  return g_steal_pointer (&plain);
}

/* Downloading */

typedef struct
{
  WaMediaType   type;
  char         *direct_path;
  WaMediaRef    ref;
  SoupSession  *session;
  GInputStream *body;
  GByteArray   *data;
} Download;

static void
download_free (Download *download)
{
  g_free (download->direct_path);
  g_clear_pointer (&download->ref.media_key, g_bytes_unref);
  g_clear_pointer (&download->ref.file_enc_sha256, g_bytes_unref);
  g_clear_pointer (&download->ref.file_sha256, g_bytes_unref);
  g_clear_object (&download->session);
  g_clear_object (&download->body);
  g_clear_pointer (&download->data, g_byte_array_unref);
  g_free (download);
}

static void read_more (GTask *task);

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Download *download = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  g_autoptr(GBytes) blob = NULL;
  GError *error = NULL;
  GBytes *plain;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (chunk == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_bytes_get_size (chunk) > 0)
    {
      if (download->data->len + g_bytes_get_size (chunk) > WA_MEDIA_MAX_DOWNLOAD)
        {
          g_task_return_new_error (task, WA_ERROR, WA_ERROR_MALFORMED, "A media file larger than %u MB",
                                   WA_MEDIA_MAX_DOWNLOAD / (1024 * 1024));
          return;
        }
      g_byte_array_append (download->data, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
      read_more (g_steal_pointer (&task));
      return;
    }
  blob = g_byte_array_free_to_bytes (g_steal_pointer (&download->data));
  plain = wa_media_decrypt (download->type, &download->ref, blob, &error);
  if (plain == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, plain, (GDestroyNotify) g_bytes_unref);
}

static void
read_more (GTask *task)
{
  Download *download = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (download->body, READ_CHUNK, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                   read_cb, task);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Download *download = g_task_get_task_data (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  GError *error = NULL;

  download->body = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (download->body == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (soup_message_get_status (message) != SOUP_STATUS_OK)
    {
      g_task_return_new_error (task, WA_ERROR, WA_ERROR_FAILED, "The media host answered %u %s",
                               soup_message_get_status (message), soup_message_get_reason_phrase (message));
      return;
    }
  download->data = g_byte_array_new ();
  read_more (g_steal_pointer (&task));
}

/* The media host is reached as the chat server is: over TLS in real use,
 * in the clear only when the client talks to a test server on ws://. */
static char *
download_uri (WaClient   *client,
              Download   *download,
              const char *hostname)
{
  const char *scheme = g_str_has_prefix (wa_client_get_url (client), "ws://") ? "http" : "https";
  g_autofree char *hash = g_base64_encode (g_bytes_get_data (download->ref.file_enc_sha256, NULL),
                                           g_bytes_get_size (download->ref.file_enc_sha256));

  g_strdelimit (hash, "+", '-');
  g_strdelimit (hash, "/", '_');
  return g_strdup_printf ("%s://%s%s%shash=%s&mms-type=%s&__wa-mms=", scheme, hostname, download->direct_path,
                          strchr (download->direct_path, '?') != NULL ? "&" : "?", hash,
                          media_types[download->type].mms);
}

static void
media_conn_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WaClient *client = g_task_get_source_object (task);
  Download *download = g_task_get_task_data (task);
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GUri) chat = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *origin = NULL;
  GCancellable *cancellable;
  GError *error = NULL;
  WaNode *host;

  answer = wa_connection_send_iq_finish (WA_CONNECTION (object), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  host = wa_node_get_child_by_tag (wa_node_get_child_by_tag (answer, "media_conn"), "host");
  if (host == NULL || wa_node_get_attr (host, "hostname") == NULL ||
      strpbrk (wa_node_get_attr (host, "hostname"), "/?#@ ") != NULL)
    {
      g_task_return_new_error (task, WA_ERROR, WA_ERROR_MALFORMED, "The server named no media host");
      return;
    }
  uri = download_uri (client, download, wa_node_get_attr (host, "hostname"));
  message = soup_message_new (SOUP_METHOD_GET, uri);
  if (message == NULL)
    {
      g_task_return_new_error (task, WA_ERROR, WA_ERROR_MALFORMED, "A media path that makes no address");
      return;
    }
  /* The media host expects the page the web client runs in. */
  chat = g_uri_parse (wa_client_get_url (client), G_URI_FLAGS_NONE, NULL);
  if (chat != NULL)
    {
      origin = g_strdup_printf ("%s://%s", g_str_equal (g_uri_get_scheme (chat), "ws") ? "http" : "https",
                                g_uri_get_host (chat));
      soup_message_headers_replace (soup_message_get_request_headers (message), "Origin", origin);
    }
  download->session = soup_session_new ();
  cancellable = g_task_get_cancellable (task);
  soup_session_send_async (download->session, message, G_PRIORITY_DEFAULT, cancellable, sent_cb,
                           g_steal_pointer (&task));
}

/**
 * wa_media_download_async:
 * @client: a connected client, which asks the server for a media host
 * @type: what the blob holds
 * @ref: where it is and how it is encrypted
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the content, or why there is none
 * @user_data: for @callback
 *
 * Downloads, checks and decrypts a blob.
 */
void
wa_media_download_async (WaClient            *client,
                         WaMediaType          type,
                         const WaMediaRef    *ref,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(WaNode) iq = NULL;
  WaConnection *connection;
  Download *download;

  g_return_if_fail (WA_IS_CLIENT (client));
  g_return_if_fail (type < G_N_ELEMENTS (media_types));
  g_return_if_fail (ref != NULL);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, wa_media_download_async);
  if (ref->direct_path == NULL || ref->direct_path[0] != '/' || ref->media_key == NULL ||
      ref->file_enc_sha256 == NULL)
    {
      g_task_return_new_error (task, WA_ERROR, WA_ERROR_MALFORMED, "A media reference without a path or keys");
      return;
    }
  connection = wa_client_get_connection (client);
  if (wa_client_get_state (client) != WA_CLIENT_STATE_CONNECTED || connection == NULL)
    {
      g_task_return_new_error (task, WA_ERROR, WA_ERROR_CONNECTION_CLOSED, "Not connected to WhatsApp");
      return;
    }

  download = g_new0 (Download, 1);
  download->type = type;
  download->direct_path = g_strdup (ref->direct_path);
  download->ref.direct_path = download->direct_path;
  download->ref.media_key = g_bytes_ref (ref->media_key);
  download->ref.file_enc_sha256 = g_bytes_ref (ref->file_enc_sha256);
  download->ref.file_sha256 = ref->file_sha256 != NULL ? g_bytes_ref (ref->file_sha256) : NULL;
  g_task_set_task_data (task, download, (GDestroyNotify) download_free);

  iq = wa_node_new_with_attrs ("iq", "to", "@s.whatsapp.net", "type", "set", "xmlns", "w:m", NULL);
  wa_node_add_child (iq, wa_node_new ("media_conn"));
  wa_connection_send_iq_async (connection, iq, WA_CONNECTION_IQ_TIMEOUT_MS, cancellable, media_conn_cb,
                               g_steal_pointer (&task));
}

/**
 * wa_media_download_finish:
 *
 * Returns: (transfer full) (nullable): the decrypted content
 */
GBytes *
wa_media_download_finish (WaClient      *client,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
