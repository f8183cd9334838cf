/* wa-connection.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-connection"

#include "config.h"

#include <libsoup/soup.h>

#include "wa-binary.h"
#include "wa-cert.h"
#include "wa-connection.h"
#include "wa-error.h"
#include "wa-frame.h"
#include "wa-noise.h"

/*
 * The client side of the transport (protocol notes §1–2): a libsoup
 * WebSocket whose binary messages carry 3-byte-length frames, the first
 * one after the connection header. The first frames are the Noise XX
 * handshake; the server's static key must be vouched for by a certificate
 * chain ending at the root key, exactly as the real clients check. After
 * that every frame is an encrypted binary node.
 *
 * A WebSocket message is not a frame: the server may split or merge them,
 * so everything goes through the frame reader.
 */

/* The server's messages are frames of up to 16 MiB plus their prefix. */
#define MAX_MESSAGE (WA_FRAME_MAX_PAYLOAD + WA_FRAME_LENGTH_LEN + WA_FRAME_HEADER_LEN)

/* The Origin the WhatsApp Web page sends, which the server expects. */
#define ORIGIN "https://web.whatsapp.com"

typedef enum {
  STATE_HANDSHAKE,
  STATE_OPEN,
  STATE_CLOSED,
} State;

struct _WaConnection
{
  GObject                  parent_instance;

  SoupSession             *session;
  SoupWebsocketConnection *websocket;
  WaFrameReader           *reader;
  WaFrameWriter           *writer;
  State                    state;

  /* The handshake, until it completes */
  GTask                   *connect_task;
  WaNoiseHandshake        *handshake;
  guint8                   root_key[WA_KEY_LEN];
  WaKeyPair                noise_static;
  GBytes                  *client_payload;

  WaNoiseCipher           *write_cipher;
  WaNoiseCipher           *read_cipher;
};

G_DEFINE_FINAL_TYPE (WaConnection, wa_connection, G_TYPE_OBJECT)

enum {
  NODE,
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
clear_handshake (WaConnection *self)
{
  g_clear_pointer (&self->handshake, wa_noise_handshake_free);
  g_clear_pointer (&self->client_payload, g_bytes_unref);
  wa_key_pair_clear (&self->noise_static);
}

/* Ends the connection once, telling whoever waits: the connect call while
 * the handshake runs, the "closed" signal after. */
static void
fail (WaConnection *self,
      GError       *error)
{
  g_autoptr(GError) owned = error;

  if (self->state == STATE_CLOSED)
    return;

  if (self->websocket != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->websocket, self);
      if (soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->websocket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    }
  clear_handshake (self);

  if (self->state == STATE_HANDSHAKE && self->connect_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

      self->state = STATE_CLOSED;
      g_task_return_error (task, g_steal_pointer (&owned));
      return;
    }

  self->state = STATE_CLOSED;
  g_signal_emit (self, signals[CLOSED], 0, owned);
}

static gboolean
send_bytes (WaConnection  *self,
            GBytes        *payload,
            GError       **error)
{
  return wa_frame_writer_send (self->writer, self->websocket, payload, error);
}

static gboolean
handle_server_hello (WaConnection  *self,
                     GBytes        *frame,
                     GError       **error)
{
  g_autoptr(GBytes) chain = NULL;
  g_autoptr(GBytes) finish = NULL;
  g_autoptr(GTask) task = NULL;
  guint8 server_static[WA_KEY_LEN];

  if (!wa_noise_handshake_read_server_hello (self->handshake, frame, server_static, &chain, error) ||
      !wa_cert_verify (chain, self->root_key, server_static, g_get_real_time () / G_USEC_PER_SEC, error))
    return FALSE;

  finish = wa_noise_handshake_write_client_finish (self->handshake, &self->noise_static,
                                                   self->client_payload, error);
  if (finish == NULL || !send_bytes (self, finish, error) ||
      !wa_noise_handshake_split (self->handshake, &self->write_cipher, &self->read_cipher, error))
    return FALSE;

  clear_handshake (self);
  self->state = STATE_OPEN;
  task = g_steal_pointer (&self->connect_task);
  g_task_return_pointer (task, g_object_ref (self), g_object_unref);
  return TRUE;
}

static gboolean
handle_frame (WaConnection  *self,
              GBytes        *frame,
              GError       **error)
{
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(WaNode) node = NULL;

  if (self->state == STATE_HANDSHAKE)
    return handle_server_hello (self, frame, error);

  plain = wa_noise_cipher_decrypt (self->read_cipher, g_bytes_get_data (frame, NULL),
                                   g_bytes_get_size (frame), error);
  if (plain == NULL)
    return FALSE;
  node = wa_binary_unpack_frame (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), error);
  if (node == NULL)
    return FALSE;

  g_signal_emit (self, signals[NODE], 0, node);
  return TRUE;
}

static void
message_cb (SoupWebsocketConnection *websocket,
            int                      type,
            GBytes                  *message,
            WaConnection            *self)
{
  g_autoptr(WaConnection) hold = g_object_ref (self);
  g_autoptr(GPtrArray) frames = NULL;
  GError *error = NULL;

  if (type != SOUP_WEBSOCKET_DATA_BINARY)
    {
      fail (self, g_error_new (WA_ERROR, WA_ERROR_MALFORMED, "The server sent text instead of frames"));
      return;
    }

  frames = wa_frame_reader_feed (self->reader, g_bytes_get_data (message, NULL),
                                 g_bytes_get_size (message), &error);
  if (frames == NULL)
    {
      fail (self, error);
      return;
    }

  /* A frame handler may close the connection; stop there. */
  for (guint i = 0; i < frames->len && self->state != STATE_CLOSED; i++)
    if (!handle_frame (self, g_ptr_array_index (frames, i), &error))
      {
        fail (self, error);
        return;
      }
}

static void
closed_cb (SoupWebsocketConnection *websocket,
           WaConnection            *self)
{
  fail (self, g_error_new (WA_ERROR, WA_ERROR_CONNECTION_CLOSED,
                           "The server closed the connection (code %u)",
                           soup_websocket_connection_get_close_code (websocket)));
}

static void
websocket_error_cb (SoupWebsocketConnection *websocket,
                    GError                  *error,
                    WaConnection            *self)
{
  fail (self, g_error_new (WA_ERROR, WA_ERROR_CONNECTION_CLOSED, "The connection failed: %s",
                           error->message));
}

static void
websocket_connected_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(WaConnection) self = user_data;
  g_autoptr(GBytes) hello = NULL;
  GError *error = NULL;
  WaKeyPair ephemeral;

  self->websocket = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  if (self->websocket == NULL)
    {
      fail (self, error);
      return;
    }

  soup_websocket_connection_set_max_incoming_payload_size (self->websocket, MAX_MESSAGE);
  g_signal_connect (self->websocket, "message", G_CALLBACK (message_cb), self);
  g_signal_connect (self->websocket, "closed", G_CALLBACK (closed_cb), self);
  g_signal_connect (self->websocket, "error", G_CALLBACK (websocket_error_cb), self);

  wa_key_pair_generate (&ephemeral);
  hello = wa_noise_handshake_start (self->handshake, &ephemeral);
  wa_key_pair_clear (&ephemeral);
  if (!send_bytes (self, hello, &error))
    fail (self, error);
}

static void
wa_connection_dispose (GObject *object)
{
  WaConnection *self = (WaConnection *)object;

  if (self->websocket != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->websocket, self);
      if (soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->websocket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    }
  g_clear_object (&self->websocket);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (wa_connection_parent_class)->dispose (object);
}

static void
wa_connection_finalize (GObject *object)
{
  WaConnection *self = (WaConnection *)object;

  clear_handshake (self);
  g_clear_pointer (&self->reader, wa_frame_reader_free);
  g_clear_pointer (&self->writer, wa_frame_writer_free);
  g_clear_pointer (&self->write_cipher, wa_noise_cipher_free);
  g_clear_pointer (&self->read_cipher, wa_noise_cipher_free);

  G_OBJECT_CLASS (wa_connection_parent_class)->finalize (object);
}

static void
wa_connection_class_init (WaConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wa_connection_dispose;
  object_class->finalize = wa_connection_finalize;

  signals[NODE] = g_signal_new ("node", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 1, WA_TYPE_NODE);
  signals[CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
wa_connection_init (WaConnection *self)
{
  self->reader = wa_frame_reader_new (WA_FRAME_SIDE_CLIENT);
  self->writer = wa_frame_writer_new (WA_FRAME_SIDE_CLIENT);
  self->handshake = wa_noise_handshake_new (WA_NOISE_ROLE_INITIATOR);
}

/**
 * wa_connection_connect_async:
 * @url: the server, normally %WA_CONNECTION_DEFAULT_URL
 * @root_key: the key the server's certificate chain must end at, normally
 *   wa_cert_default_root_key()
 * @noise_static: the device's noise key (see #WaCredentials)
 * @client_payload: the serialized ClientPayload (registration or login)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the handshake is done or failed
 * @user_data: closure
 *
 * Opens the WebSocket and runs the Noise handshake.
 */
void
wa_connection_connect_async (const char          *url,
                             const guint8         root_key[WA_KEY_LEN],
                             const WaKeyPair     *noise_static,
                             GBytes              *client_payload,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(SoupMessage) message = NULL;
  WaConnection *self;

  g_return_if_fail (url != NULL);
  g_return_if_fail (root_key != NULL && noise_static != NULL && client_payload != NULL);

  self = g_object_new (WA_TYPE_CONNECTION, NULL);
  self->connect_task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (self->connect_task, wa_connection_connect_async);
  /* Nothing else holds the connection until the handshake is over. */
  g_task_set_task_data (self->connect_task, g_object_ref (self), g_object_unref);
  memcpy (self->root_key, root_key, WA_KEY_LEN);
  self->noise_static = *noise_static;
  self->client_payload = g_bytes_ref (client_payload);

  message = soup_message_new (SOUP_METHOD_GET, url);
  if (message == NULL)
    {
      fail (self, g_error_new (WA_ERROR, WA_ERROR_FAILED, "“%s” is not a WebSocket address", url));
      g_object_unref (self);
      return;
    }

  self->session = soup_session_new ();
  soup_session_websocket_connect_async (self->session, message, ORIGIN, NULL, G_PRIORITY_DEFAULT,
                                        cancellable, websocket_connected_cb, self);
}

/**
 * wa_connection_connect_finish:
 *
 * Returns: (transfer full): the open connection; %WA_ERROR_HANDSHAKE when
 *   the server could not prove who it is
 */
WaConnection *
wa_connection_connect_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * wa_connection_send_node:
 *
 * Encrypts and sends one node.
 */
gboolean
wa_connection_send_node (WaConnection  *self,
                         WaNode        *node,
                         GError       **error)
{
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) cipher = NULL;

  g_return_val_if_fail (WA_IS_CONNECTION (self), FALSE);

  if (self->state != STATE_OPEN)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_CONNECTION_CLOSED, "The connection is not open");
      return FALSE;
    }

  plain = wa_binary_pack_frame (node);
  cipher = wa_noise_cipher_encrypt (self->write_cipher, g_bytes_get_data (plain, NULL),
                                    g_bytes_get_size (plain), error);
  return cipher != NULL && send_bytes (self, cipher, error);
}

/**
 * wa_connection_close:
 *
 * Closes the connection from this side; "closed" follows.
 */
void
wa_connection_close (WaConnection *self)
{
  g_return_if_fail (WA_IS_CONNECTION (self));

  fail (self, g_error_new (WA_ERROR, WA_ERROR_CONNECTION_CLOSED, "Closed by this device"));
}

gboolean
wa_connection_is_open (WaConnection *self)
{
  g_return_val_if_fail (WA_IS_CONNECTION (self), FALSE);
  return self->state == STATE_OPEN;
}
