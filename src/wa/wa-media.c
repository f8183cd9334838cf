/* wa-media.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-media"

#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "wa-error.h"
#include "wa-media.h"
#include "wa-media-stream.h"
#include "xi-json.h"

/*
 * Encrypted blobs on WhatsApp's media hosts (protocol notes §10): the
 * media key expands into an IV, an AES key and a MAC key; the blob is the
 * AES-256-CBC ciphertext followed by the first ten bytes of an
 * HMAC-SHA256 over IV and ciphertext, and the message that names it also
 * gives the SHA-256 of the blob and of the plaintext. The host comes from
 * a media_conn query, whose answer is kept on the client until its TTL:
 * a campaign that uploads one picture and thousands of messages that
 * download nothing should not ask the server every time.
 */

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
  [WA_MEDIA_IMAGE] = { "WhatsApp Image Keys", "image" },
  [WA_MEDIA_VIDEO] = { "WhatsApp Video Keys", "video" },
  [WA_MEDIA_AUDIO] = { "WhatsApp Audio Keys", "audio" },
  [WA_MEDIA_DOCUMENT] = { "WhatsApp Document Keys", "document" },
};

/* A media_conn answer, immutable and shared (g_rc_box) between the cache
 * on the client and the operations that use it, all on the client's
 * thread. */
typedef struct
{
  char   *auth;
  char   *hostname;
  gint64  expires;  /* monotonic µs */
} MediaConn;

static GQuark
media_conn_quark (void)
{
  return g_quark_from_static_string ("wa-media-conn");
}

static GQuark
media_tls_quark (void)
{
  return g_quark_from_static_string ("wa-media-tls-database");
}

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

static void
media_conn_clear (MediaConn *conn)
{
  g_free (conn->auth);
  g_free (conn->hostname);
}

static void
media_conn_unref (MediaConn *conn)
{
  g_rc_box_release_full (conn, (GDestroyNotify) media_conn_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MediaConn, media_conn_unref)

/* The padded base64url whatsmeow writes: the media host accepts it both
 * as an upload's token and as a download's hash. */
static char *
base64url (GBytes *bytes)
{
  char *text = g_base64_encode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  return text;
}

/* The media host is reached as the chat server is: over TLS in real use,
 * in the clear only when the client talks to a test server on ws:// that
 * did not give its media host a certificate. */
static const char *
media_scheme (WaClient *client)
{
  if (g_object_get_qdata (G_OBJECT (client), media_tls_quark ()) != NULL)
    return "https";
  return g_str_has_prefix (wa_client_get_url (client), "ws://") ? "http" : "https";
}

static SoupSession *
media_session_new (WaClient *client)
{
  SoupSession *session = soup_session_new ();
  GTlsDatabase *database = g_object_get_qdata (G_OBJECT (client), media_tls_quark ());

  if (database != NULL)
    soup_session_set_tls_database (session, database);
  return session;
}

static SoupMessage *
media_message_new (WaClient   *client,
                   const char *method,
                   const char *uri)
{
  g_autoptr(SoupMessage) message = soup_message_new (method, uri);
  g_autoptr(GUri) chat = NULL;
  g_autofree char *origin = NULL;

  if (message == NULL)
    return NULL;
  /* The media host expects the page the web client runs in. */
  chat = g_uri_parse (wa_client_get_url (client), G_URI_FLAGS_NONE, NULL);
  if (chat != NULL)
    {
      origin = g_strdup_printf ("%s://%s", g_str_equal (g_uri_get_scheme (chat), "ws") ? "http" : "https",
                                g_uri_get_host (chat));
      soup_message_headers_replace (soup_message_get_request_headers (message), "Origin", origin);
    }
  return g_steal_pointer (&message);
}

static MediaConn *
media_conn_parse (WaNode  *answer,
                  GError **error)
{
  WaNode *node = wa_node_get_child_by_tag (answer, "media_conn");
  WaNode *host = wa_node_get_child_by_tag (node, "host");
  const char *hostname = host != NULL ? wa_node_get_attr (host, "hostname") : NULL;
  const char *auth = node != NULL ? wa_node_get_attr (node, "auth") : NULL;
  const char *ttl = node != NULL ? wa_node_get_attr (node, "ttl") : NULL;
  const char *auth_ttl = node != NULL ? wa_node_get_attr (node, "auth_ttl") : NULL;
  guint64 seconds = 0;
  guint64 auth_seconds = G_MAXUINT32;
  MediaConn *conn;

  if (hostname == NULL || hostname[0] == '\0' || strpbrk (hostname, "/?#@ ") != NULL)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "The server named no media host");
      return NULL;
    }
  if (auth == NULL || auth[0] == '\0' || ttl == NULL ||
      !g_ascii_string_to_unsigned (ttl, 10, 0, G_MAXUINT32, &seconds, NULL) ||
      (auth_ttl != NULL && !g_ascii_string_to_unsigned (auth_ttl, 10, 0, G_MAXUINT32, &auth_seconds, NULL)))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "The server's media host came without auth or TTL");
      return NULL;
    }
  conn = g_rc_box_new0 (MediaConn);
  conn->auth = g_strdup (auth);
  conn->hostname = g_strdup (hostname);
  conn->expires = g_get_monotonic_time () + MIN (seconds, auth_seconds) * G_USEC_PER_SEC;
  return conn;
}

static void
media_conn_answered_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WaClient *client = g_task_get_source_object (task);
  g_autoptr(WaNode) answer = NULL;
  GError *error = NULL;
  MediaConn *conn;

  answer = wa_connection_send_iq_finish (WA_CONNECTION (object), result, &error);
  conn = answer != NULL ? media_conn_parse (answer, &error) : NULL;
  if (conn == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_object_set_qdata_full (G_OBJECT (client), media_conn_quark (), g_rc_box_acquire (conn),
                           (GDestroyNotify) media_conn_unref);
  g_task_return_pointer (task, conn, (GDestroyNotify) media_conn_unref);
}

/* The cached media host while its TTL lasts, else a fresh one; @refresh
 * drops the cache first, after the host refused what it gave. */
static void
media_conn_async (WaClient            *client,
                  gboolean             refresh,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (client, cancellable, callback, user_data);
  g_autoptr(WaNode) iq = NULL;
  WaConnection *connection = wa_client_get_connection (client);
  MediaConn *cached;

  g_task_set_source_tag (task, media_conn_async);
  if (refresh)
    g_object_set_qdata (G_OBJECT (client), media_conn_quark (), NULL);
  cached = g_object_get_qdata (G_OBJECT (client), media_conn_quark ());
  if (cached != NULL && g_get_monotonic_time () < cached->expires)
    {
      g_task_return_pointer (task, g_rc_box_acquire (cached), (GDestroyNotify) media_conn_unref);
      return;
    }
  if (wa_client_get_state (client) != WA_CLIENT_STATE_CONNECTED || connection == NULL)
    {
      g_task_return_new_error (task, WA_ERROR, WA_ERROR_CONNECTION_CLOSED, "Not connected to WhatsApp");
      return;
    }
  iq = wa_node_new_with_attrs ("iq", "to", "@s.whatsapp.net", "type", "set", "xmlns", "w:m", NULL);
  wa_node_add_child (iq, wa_node_new ("media_conn"));
  wa_connection_send_iq_async (connection, iq, WA_CONNECTION_IQ_TIMEOUT_MS, cancellable, media_conn_answered_cb,
                               g_steal_pointer (&task));
}

static MediaConn *
media_conn_finish (WaClient      *client,
                   GAsyncResult  *result,
                   GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Public API */

/**
 * wa_media_type_info:
 *
 * Returns: the HKDF info string @type's keys are expanded with
 */
const char *
wa_media_type_info (WaMediaType type)
{
  g_return_val_if_fail (type < G_N_ELEMENTS (media_types), NULL);
  return media_types[type].info;
}

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
  GBytes *cipher;
  g_autoptr(GByteArray) blob = NULL;
  guint8 mac[WA_SHA256_LEN];
  MediaKeys keys;

  g_return_val_if_fail (type < G_N_ELEMENTS (media_types), NULL);

  if (!expand_keys (type, media_key, &keys, error))
    return NULL;
  cipher = wa_crypto_aes_cbc_encrypt (keys.cipher_key, keys.iv, g_bytes_get_data (plain, NULL),
                                      g_bytes_get_size (plain), error);
  if (cipher != NULL)
    {
      /* Taken over rather than copied: a video is held once, not twice. */
      blob = g_bytes_unref_to_array (cipher);
      blob_mac (&keys, blob->data, blob->len, mac);
      g_byte_array_append (blob, mac, WA_MEDIA_MAC_LEN);
    }
  wa_crypto_wipe (&keys, sizeof keys);
  return blob != NULL ? g_byte_array_free_to_bytes (g_steal_pointer (&blob)) : NULL;
}

/**
 * wa_media_encrypt_stream:
 * @type: what @plain is
 * @media_key: the key to encrypt it with
 * @plain: the content, which the stream keeps
 * @error: return location for a #GError
 *
 * The blob wa_media_encrypt() would make, made a chunk at a time as it is
 * read, with wa_media_stream_get_hashes() once read to its end.
 *
 * Returns: (transfer full) (nullable): a #WaMediaStream
 */
GInputStream *
wa_media_encrypt_stream (WaMediaType   type,
                         GBytes       *media_key,
                         GBytes       *plain,
                         GError      **error)
{
  GInputStream *stream;
  MediaKeys keys;

  g_return_val_if_fail (type < G_N_ELEMENTS (media_types), NULL);
  g_return_val_if_fail (plain != NULL, NULL);

  if (!expand_keys (type, media_key, &keys, error))
    return NULL;
  stream = wa_media_stream_new (keys.iv, keys.cipher_key, keys.mac_key, plain);
  wa_crypto_wipe (&keys, sizeof keys);
  return stream;
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
  if (len < WA_MEDIA_MAC_LEN + WA_AES_BLOCK_LEN)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "A media file too short to hold anything");
      return NULL;
    }
  if (!expand_keys (type, ref->media_key, &keys, error))
    return NULL;
  len -= WA_MEDIA_MAC_LEN;
  blob_mac (&keys, data, len, mac);
  if (wa_crypto_equal (mac, data + len, WA_MEDIA_MAC_LEN))
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

/* The blob of content of the announced length: padded to the next block,
 * then the MAC. A sender that announces a small file it is not would
 * otherwise have it fetched at once, up to WA_MEDIA_MAX_DOWNLOAD. */
static guint64
max_blob_size (const WaMediaRef *ref)
{
  if (ref->file_length == 0 || ref->file_length > WA_MEDIA_MAX_DOWNLOAD)
    return G_MAXUINT64;
  return ref->file_length + WA_AES_BLOCK_LEN + WA_MEDIA_MAC_LEN;
}

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
      if (download->data->len + g_bytes_get_size (chunk) > max_blob_size (&download->ref))
        {
          g_task_return_new_error (task, WA_ERROR, WA_ERROR_CRYPTO, "A media file larger than its message said");
          return;
        }
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

static char *
download_uri (WaClient   *client,
              Download   *download,
              const char *hostname)
{
  g_autofree char *hash = base64url (download->ref.file_enc_sha256);

  return g_strdup_printf ("%s://%s%s%shash=%s&mms-type=%s&__wa-mms=", media_scheme (client), hostname,
                          download->direct_path, strchr (download->direct_path, '?') != NULL ? "&" : "?", hash,
                          media_types[download->type].mms);
}

static void
download_conn_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WaClient *client = WA_CLIENT (object);
  Download *download = g_task_get_task_data (task);
  g_autoptr(MediaConn) conn = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autofree char *uri = NULL;
  GCancellable *cancellable;
  GError *error = NULL;

  conn = media_conn_finish (client, result, &error);
  if (conn == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  uri = download_uri (client, download, conn->hostname);
  message = media_message_new (client, SOUP_METHOD_GET, uri);
  if (message == NULL)
    {
      g_task_return_new_error (task, WA_ERROR, WA_ERROR_MALFORMED, "A media path that makes no address");
      return;
    }
  download->session = media_session_new (client);
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
  download = g_new0 (Download, 1);
  download->type = type;
  download->direct_path = g_strdup (ref->direct_path);
  download->ref.direct_path = download->direct_path;
  download->ref.media_key = g_bytes_ref (ref->media_key);
  download->ref.file_enc_sha256 = g_bytes_ref (ref->file_enc_sha256);
  download->ref.file_sha256 = ref->file_sha256 != NULL ? g_bytes_ref (ref->file_sha256) : NULL;
  download->ref.file_length = ref->file_length;
  g_task_set_task_data (task, download, (GDestroyNotify) download_free);
  media_conn_async (client, FALSE, cancellable, download_conn_cb, g_steal_pointer (&task));
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

/* Uploading */

static gboolean
hash_blob (WaMediaType    type,
           GBytes        *media_key,
           GBytes        *plain,
           guint8         plain_hash[WA_SHA256_LEN],
           guint8         enc_hash[WA_SHA256_LEN],
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autofree guint8 *buffer = g_malloc (READ_CHUNK);
  gssize got;

  stream = wa_media_encrypt_stream (type, media_key, plain, error);
  if (stream == NULL)
    return FALSE;
  do
    got = g_input_stream_read (stream, buffer, READ_CHUNK, cancellable, error);
  while (got > 0);
  return got == 0 && wa_media_stream_get_hashes (WA_MEDIA_STREAM (stream), plain_hash, enc_hash);
}

typedef struct
{
  WaMediaType    type;
  GBytes        *plain;
  WaMediaUpload *upload;
  char          *token;
  gboolean       retried;
  SoupSession   *session;
} Upload;

static void
upload_free (Upload *upload)
{
  g_clear_pointer (&upload->plain, g_bytes_unref);
  g_clear_pointer (&upload->upload, wa_media_upload_free);
  g_free (upload->token);
  g_clear_object (&upload->session);
  g_free (upload);
}

static void upload_conn_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data);

static gboolean
parse_upload_answer (Upload   *upload,
                     GBytes   *body,
                     GError  **error)
{
  g_autoptr(JsonNode) root = xi_json_parse_bytes (body, NULL);
  JsonObject *object;
  const char *direct_path;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "The media host answered an upload with no JSON");
      return FALSE;
    }
  object = json_node_get_object (root);
  direct_path = xi_json_get_string (object, "direct_path", NULL);
  if (direct_path == NULL || direct_path[0] != '/')
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "The media host did not say where the upload is");
      return FALSE;
    }
  upload->upload->direct_path = g_strdup (direct_path);
  upload->upload->url = g_strdup (xi_json_get_string (object, "url", NULL));
  return TRUE;
}

/* A refused auth or a vanished host is what an expired media_conn looks
 * like; the upload is then tried once more with a fresh one. */
static gboolean
worth_retrying (SoupMessage  *message,
                const GError *error)
{
  guint status = soup_message_get_status (message);

  if (error != NULL)
    return !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  return status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN || status == SOUP_STATUS_GONE ||
         SOUP_STATUS_IS_SERVER_ERROR (status);
}

static void
posted_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *upload = g_task_get_task_data (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  GError *parse_error = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (body != NULL && soup_message_get_status (message) == SOUP_STATUS_OK)
    {
      if (!parse_upload_answer (upload, body, &parse_error))
        g_task_return_error (task, parse_error);
      else
        g_task_return_pointer (task, g_steal_pointer (&upload->upload), (GDestroyNotify) wa_media_upload_free);
      return;
    }
  if (!upload->retried && worth_retrying (message, error))
    {
      WaClient *client = g_task_get_source_object (task);
      GCancellable *cancellable = g_task_get_cancellable (task);

      upload->retried = TRUE;
      g_debug ("Upload refused (%s), trying once more with a fresh media host",
               error != NULL ? error->message : soup_message_get_reason_phrase (message));
      media_conn_async (client, TRUE, cancellable, upload_conn_cb, g_steal_pointer (&task));
      return;
    }
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_new_error (task, WA_ERROR, WA_ERROR_FAILED, "The media host refused the upload: %u %s",
                             soup_message_get_status (message), soup_message_get_reason_phrase (message));
}

static void
upload_conn_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WaClient *client = WA_CLIENT (object);
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(MediaConn) conn = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GInputStream) body = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *uri = NULL;
  GCancellable *cancellable;
  GError *error = NULL;

  conn = media_conn_finish (client, result, &error);
  if (conn == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  auth = g_uri_escape_string (conn->auth, NULL, FALSE);
  uri = g_strdup_printf ("%s://%s/mms/%s/%s?auth=%s&token=%s", media_scheme (client), conn->hostname,
                         media_types[upload->type].mms, upload->token, auth, upload->token);
  message = media_message_new (client, SOUP_METHOD_POST, uri);
  if (message == NULL)
    {
      g_task_return_new_error (task, WA_ERROR, WA_ERROR_MALFORMED, "A media host that makes no address");
      return;
    }
  /* Encrypted again as it is sent, rather than held: a retry starts over
   * with a stream of its own. */
  body = wa_media_encrypt_stream (upload->type, upload->upload->media_key, upload->plain, &error);
  if (body == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  soup_message_set_request_body (message, "application/octet-stream", body,
                                 (gssize) wa_media_stream_blob_size (upload->upload->file_length));
  if (upload->session == NULL)
    upload->session = media_session_new (client);
  cancellable = g_task_get_cancellable (task);
  soup_session_send_and_read_async (upload->session, message, G_PRIORITY_DEFAULT, cancellable, posted_cb,
                                    g_steal_pointer (&task));
}

/**
 * wa_media_upload_async:
 * @client: a connected client, which asks the server for a media host
 * @type: what @plain is
 * @plain: the content
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the upload, or why there is none
 * @user_data: for @callback
 *
 * Encrypts @plain with a fresh media key and uploads it, a chunk at a
 * time: @plain (a mapped file, typically) is kept, never a copy of it or
 * its blob. An upload the host refuses (its auth expired, or it failed)
 * is redone once with a fresh media host before it fails.
 */
void
wa_media_upload_async (WaClient            *client,
                       WaMediaType          type,
                       GBytes              *plain,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  guint8 key[WA_KEY_LEN];
  guint8 plain_hash[WA_SHA256_LEN];
  guint8 enc_hash[WA_SHA256_LEN];
  GError *error = NULL;
  Upload *upload;

  g_return_if_fail (WA_IS_CLIENT (client));
  g_return_if_fail (type < G_N_ELEMENTS (media_types));
  g_return_if_fail (plain != NULL);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, wa_media_upload_async);
  upload = g_new0 (Upload, 1);
  upload->type = type;
  upload->upload = g_new0 (WaMediaUpload, 1);
  g_task_set_task_data (task, upload, (GDestroyNotify) upload_free);

  wa_crypto_random (key, sizeof key);
  upload->upload->media_key = g_bytes_new (key, sizeof key);
  wa_crypto_wipe (key, sizeof key);
  upload->upload->media_key_timestamp = g_get_real_time () / G_USEC_PER_SEC;
  upload->plain = g_bytes_ref (plain);
  upload->upload->file_length = g_bytes_get_size (plain);

  /* The upload's address names the blob's hash, so the blob is made once
   * for its hashes and again, chunk by chunk, as it is sent. */
  if (!hash_blob (type, upload->upload->media_key, plain, plain_hash, enc_hash, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  upload->upload->file_sha256 = g_bytes_new (plain_hash, sizeof plain_hash);
  upload->upload->file_enc_sha256 = g_bytes_new (enc_hash, sizeof enc_hash);
  upload->token = base64url (upload->upload->file_enc_sha256);
  media_conn_async (client, FALSE, cancellable, upload_conn_cb, g_steal_pointer (&task));
}

/**
 * wa_media_upload_finish:
 *
 * Returns: (transfer full) (nullable): what a message needs to refer to
 *   the upload
 */
WaMediaUpload *
wa_media_upload_finish (WaClient      *client,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * wa_media_upload_free:
 * @upload: (transfer full): an upload
 */
void
wa_media_upload_free (WaMediaUpload *upload)
{
  if (upload == NULL)
    return;
  g_free (upload->url);
  g_free (upload->direct_path);
  g_clear_pointer (&upload->media_key, g_bytes_unref);
  g_clear_pointer (&upload->file_sha256, g_bytes_unref);
  g_clear_pointer (&upload->file_enc_sha256, g_bytes_unref);
  g_free (upload);
}

/**
 * wa_media_set_tls_database:
 * @client: a client
 * @database: (nullable): the only certificates the media host may present,
 *   or %NULL for the system's
 *
 * For tests: a test server's media host has a certificate from a CA the
 * tests made, trusted by this client alone. Setting one also makes the
 * media host be reached over TLS when the chat server is a ws:// one.
 */
void
wa_media_set_tls_database (WaClient     *client,
                           GTlsDatabase *database)
{
  g_return_if_fail (WA_IS_CLIENT (client));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  g_object_set_qdata_full (G_OBJECT (client), media_tls_quark (),
                           database != NULL ? g_object_ref (database) : NULL, g_object_unref);
}
