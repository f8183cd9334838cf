/* wa-connection.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-connection"

#include "config.h"

#include "wa-binary.h"
#include "wa-cert.h"
#include "wa-connection.h"
#include "wa-error.h"
#include "wa-frame.h"
#include "wa-noise.h"
#include "wa-websocket.h"
#include "wa-websocket-frame.h"

/*
 * The client side of the transport (protocol notes §1–2): a WebSocket
 * (WaWebsocket) whose binary messages carry 3-byte-length frames, the first
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

  WaWebsocket             *websocket;
  WaFrameReader           *reader;
  WaFrameWriter           *writer;
  State                    state;

  /* The handshake, until it completes */
  GTask                   *connect_task;
  WaNoiseHandshake        *handshake;
  guint8                   root_key[WA_KEY_LEN];
  WaKeyPair                noise_static;
  GBytes                  *client_payload;
  GSource                 *handshake_deadline;
  GSource                 *handshake_cancelled;

  WaNoiseCipher           *write_cipher;
  WaNoiseCipher           *read_cipher;

  /* From the handshake's end until the owner has the connection (and has
   * connected to its signals), what arrives waits here: the server speaks
   * first right after ClientFinish (pair-device, success, stream errors),
   * and a busy or slow client may read that before its connect callback
   * has run. */
  gboolean                 held;
  GQueue                   held_frames;   /* GBytes* */
  GError                  *held_end;

  GHashTable              *pending;       /* "TAG ID" -> Pending: a request waiting for the TAG with its id */
  guint                    next_iq;
  char                    *id_prefix;
  GSource                 *keepalive;
  guint                    keepalive_interval_ms;
  guint                    keepalive_timeout_ms;
  gboolean                 receiving_paused;
  guint                    pauses;        /* how many times it stopped receiving */
  GThread                 *owner;         /* made on it, used only from it */
};

#define assert_owner(self) g_assert ((self)->owner == g_thread_self ())

G_DEFINE_FINAL_TYPE (WaConnection, wa_connection, G_TYPE_OBJECT)

enum {
  NODE,
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
clear_handshake (WaConnection *self)
{
  clear_source (&self->handshake_deadline);
  clear_source (&self->handshake_cancelled);
  g_clear_pointer (&self->handshake, wa_noise_handshake_free);
  g_clear_pointer (&self->client_payload, g_bytes_unref);
  wa_key_pair_clear (&self->noise_static);
}

typedef struct
{
  GTask   *task;
  GSource *timeout;
  guint    pauses;   /* the connection's, when the wait started */
} Pending;

static void
pending_free (Pending *pending)
{
  g_source_destroy (pending->timeout);
  g_source_unref (pending->timeout);
  g_object_unref (pending->task);
  g_free (pending);
}

/* Removes the request waiting under @key and hands its task over, or
 * %NULL. */
static GTask *
take_pending (WaConnection *self,
              const char   *key)
{
  g_autofree char *stored_key = NULL;
  Pending *pending;
  GTask *task;

  if (!g_hash_table_steal_extended (self->pending, key, (gpointer *)&stored_key, (gpointer *)&pending))
    return NULL;
  task = g_object_ref (pending->task);
  pending_free (pending);
  return task;
}

static GTask *
take_answered (WaConnection *self,
               const char   *answer_tag,
               const char   *id)
{
  g_autofree char *key = g_strdup_printf ("%s %s", answer_tag, id);

  return take_pending (self, key);
}

static void
fail_pending (WaConnection *self,
              const GError *error)
{
  g_autoptr(GList) keys = g_hash_table_get_keys (self->pending);

  for (GList *l = keys; l != NULL; l = l->next)
    {
      g_autofree char *key = g_strdup (l->data);
      g_autoptr(GTask) task = take_pending (self, key);

      g_task_return_error (task, g_error_copy (error));
    }
}

static void
close_websocket (WaConnection *self)
{
  if (self->websocket == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->websocket, self);
  wa_websocket_close (self->websocket, WA_WEBSOCKET_CLOSE_NORMAL, NULL);
}

/* Ends the connection once, telling whoever waits: the connect call while
 * the handshake runs, the "closed" signal after. */
static void
fail (WaConnection *self,
      GError       *error)
{
  g_autoptr(GError) owned = error;
  /* The requests failed below may hold the last references to us. */
  g_autoptr(WaConnection) alive = g_object_ref (self);

  if (self->state == STATE_CLOSED)
    return;

  close_websocket (self);
  clear_handshake (self);

  fail_pending (self, owned);
  clear_source (&self->keepalive);

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
  g_autoptr(GBytes) frame = wa_frame_writer_write (self->writer, g_bytes_get_data (payload, NULL),
                                                   g_bytes_get_size (payload), error);

  return frame != NULL &&
         wa_websocket_send (self->websocket, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), error);
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
  self->held = TRUE;
  task = g_steal_pointer (&self->connect_task);
  g_task_return_pointer (task, g_object_ref (self), g_object_unref);
  return TRUE;
}

/* The server's ack of a message (§7.8): what it refused comes back with
 * the code of why. 463: the recipient needs a privacy token from an
 * earlier conversation (a stranger, to the server). */
static GError *
refused_message (WaNode *ack)
{
  const char *code = wa_node_get_attr (ack, "error");

  if (g_strcmp0 (code, "463") == 0)
    return g_error_new (WA_ERROR, WA_ERROR_NEEDS_PRIVACY_TOKEN,
                        "The server refused the message to a number that never wrote first (463)");
  if (g_strcmp0 (code, "479") == 0)
    return g_error_new (WA_ERROR, WA_ERROR_INVALID_STANZA, "The server found the message malformed (479)");
  return g_error_new (WA_ERROR, WA_ERROR_REFUSED, "The server refused the message (%s)", code);
}

/* An iq result or error goes to whoever sent the iq with its id; a
 * message's ack to whoever sent the message. */
static gboolean
answer_pending (WaConnection *self,
                WaNode       *node)
{
  const char *tag = wa_node_get_tag (node);
  const char *id = wa_node_get_attr (node, "id");
  const char *type = wa_node_get_attr (node, "type");
  g_autoptr(GTask) task = NULL;

  if (id == NULL)
    return FALSE;

  if (g_str_equal (tag, "ack") && g_strcmp0 (wa_node_get_attr (node, "class"), "message") == 0)
    {
      if ((task = take_answered (self, "ack", id)) == NULL)
        return FALSE;
      if (wa_node_get_attr (node, "error") != NULL)
        g_task_return_error (task, refused_message (node));
      else
        g_task_return_pointer (task, wa_node_ref (node), (GDestroyNotify)wa_node_unref);
      return TRUE;
    }

  if (!g_str_equal (tag, "iq") || (g_strcmp0 (type, "result") != 0 && g_strcmp0 (type, "error") != 0) ||
      (task = take_answered (self, "iq", id)) == NULL)
    return FALSE;

  if (g_str_equal (type, "error"))
    {
      WaNode *error = wa_node_get_child_by_tag (node, "error");

      g_task_return_new_error (task, WA_ERROR, WA_ERROR_FAILED, "The server refused the request (%s %s)",
                               error != NULL ? wa_node_get_attr (error, "code") : "?",
                               error != NULL ? wa_node_get_attr (error, "text") : "");
    }
  else
    g_task_return_pointer (task, wa_node_ref (node), (GDestroyNotify)wa_node_unref);
  return TRUE;
}

/* What a <stream:error> means for the owner (protocol notes §6.5): it
 * decides from the code whether to reconnect at once, later, never, or
 * to forget the device. */
static GError *
stream_error (WaNode *node)
{
  const char *code = wa_node_get_attr (node, "code");
  WaNode *conflict = wa_node_get_child_by_tag (node, "conflict");
  const char *conflict_type = conflict != NULL ? wa_node_get_attr (conflict, "type") : NULL;

  if (g_strcmp0 (code, "515") == 0)
    return g_error_new (WA_ERROR, WA_ERROR_RESTART_REQUIRED, "The server asked for a new connection");
  if (g_strcmp0 (code, "401") == 0 || g_strcmp0 (conflict_type, "device_removed") == 0)
    return g_error_new (WA_ERROR, WA_ERROR_LOGGED_OUT, "This device was unlinked");
  if (g_strcmp0 (conflict_type, "replaced") == 0)
    return g_error_new (WA_ERROR, WA_ERROR_REPLACED,
                        "Another connection of this device took over");
  return g_error_new (WA_ERROR, WA_ERROR_CONNECTION_CLOSED, "The server ended the stream (code %s)",
                      code != NULL ? code : "none");
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

  if (g_str_equal (wa_node_get_tag (node), "stream:error"))
    {
      fail (self, stream_error (node));
      return TRUE;
    }
  if (!answer_pending (self, node))
    g_signal_emit (self, signals[NODE], 0, node);
  return TRUE;
}

/* The socket's end, after what came before it. */
static void
end (WaConnection *self,
     GError       *error)
{
  if (self->held && self->held_end == NULL)
    self->held_end = error;
  else if (self->held)
    g_error_free (error);
  else
    fail (self, error);
}

static void
message_cb (WaWebsocket  *websocket,
            GBytes       *message,
            WaConnection *self)
{
  g_autoptr(WaConnection) hold = g_object_ref (self);
  g_autoptr(GPtrArray) frames = NULL;
  GError *error = NULL;

  assert_owner (self);
  frames = wa_frame_reader_feed (self->reader, g_bytes_get_data (message, NULL),
                                 g_bytes_get_size (message), &error);
  if (frames == NULL)
    {
      end (self, error);
      return;
    }

  /* A frame handler may close the connection; stop there. */
  for (guint i = 0; i < frames->len && self->state != STATE_CLOSED; i++)
    if (self->held)
      g_queue_push_tail (&self->held_frames, g_bytes_ref (g_ptr_array_index (frames, i)));
    else if (!handle_frame (self, g_ptr_array_index (frames, i), &error))
      {
        fail (self, error);
        return;
      }
}

/* Only the server's close, a broken protocol or a failed socket get
 * here: our own close disconnects first. */
static void
closed_cb (WaWebsocket  *websocket,
           const GError *error,
           WaConnection *self)
{
  end (self, g_error_copy (error));
}

static gboolean
handshake_timed_out_cb (gpointer user_data)
{
  fail (user_data, g_error_new (WA_ERROR, WA_ERROR_TIMED_OUT,
                                "The server did not answer the handshake in time"));
  return G_SOURCE_REMOVE;
}

static gboolean
handshake_cancelled_cb (GCancellable *cancellable,
                        gpointer      user_data)
{
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  fail (user_data, error);
  return G_SOURCE_REMOVE;
}

/* A server that accepts the WebSocket and then says nothing must not hold
 * the connect call forever, nor past its cancellation: the WebSocket
 * watches only the upgrade. */
static void
watch_handshake (WaConnection *self)
{
  GCancellable *cancellable = g_task_get_cancellable (self->connect_task);

  self->handshake_deadline = g_timeout_source_new (WA_CONNECTION_HANDSHAKE_TIMEOUT_MS);
  g_source_set_callback (self->handshake_deadline, handshake_timed_out_cb, self, NULL);
  g_source_attach (self->handshake_deadline, g_main_context_get_thread_default ());

  if (cancellable == NULL)
    return;
  self->handshake_cancelled = g_cancellable_source_new (cancellable);
  g_source_set_callback (self->handshake_cancelled, G_SOURCE_FUNC (handshake_cancelled_cb), self, NULL);
  g_source_attach (self->handshake_cancelled, g_main_context_get_thread_default ());
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

  self->websocket = wa_websocket_connect_finish (result, &error);
  if (self->websocket == NULL)
    {
      fail (self, error);
      return;
    }

  g_signal_connect (self->websocket, "message", G_CALLBACK (message_cb), self);
  g_signal_connect (self->websocket, "closed", G_CALLBACK (closed_cb), self);
  watch_handshake (self);

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

  clear_source (&self->keepalive);
  close_websocket (self);
  g_clear_object (&self->websocket);

  G_OBJECT_CLASS (wa_connection_parent_class)->dispose (object);
}

static void
wa_connection_finalize (GObject *object)
{
  WaConnection *self = (WaConnection *)object;

  clear_handshake (self);
  g_queue_clear_full (&self->held_frames, (GDestroyNotify)g_bytes_unref);
  g_clear_error (&self->held_end);
  g_clear_pointer (&self->reader, wa_frame_reader_free);
  g_clear_pointer (&self->writer, wa_frame_writer_free);
  g_clear_pointer (&self->write_cipher, wa_noise_cipher_free);
  g_clear_pointer (&self->read_cipher, wa_noise_cipher_free);
  g_hash_table_unref (self->pending);
  g_free (self->id_prefix);

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
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)pending_free);
  /* Ids need only be unique per connection; a random prefix keeps them
   * from repeating across reconnects, as the real clients do. */
  self->id_prefix = g_strdup_printf ("%u.%u-", g_random_int_range (10000, 99999), g_random_int_range (1, 99));
  self->owner = g_thread_self ();
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
 * Opens the WebSocket and runs the Noise handshake. A server that does
 * not answer it within %WA_CONNECTION_HANDSHAKE_TIMEOUT_MS fails it with
 * %WA_ERROR_TIMED_OUT; @cancellable ends it at any point.
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

  wa_websocket_connect_async (url, ORIGIN, MAX_MESSAGE, cancellable, websocket_connected_cb, self);
}

/* Hands over what arrived while the owner did not have the connection
 * yet, in order, then the socket's end if it came. */
static gboolean
release_cb (gpointer user_data)
{
  WaConnection *self = user_data;
  GError *error = NULL;
  GBytes *frame;

  self->held = FALSE;
  while ((frame = g_queue_pop_head (&self->held_frames)) != NULL)
    {
      g_autoptr(GBytes) owned = frame;

      if (self->state == STATE_CLOSED)
        continue;
      if (!handle_frame (self, frame, &error))
        fail (self, g_steal_pointer (&error));
    }
  if (self->held_end != NULL)
    fail (self, g_steal_pointer (&self->held_end));
  return G_SOURCE_REMOVE;
}

/**
 * wa_connection_connect_finish:
 *
 * Connect to the signals before returning to the main loop: nodes the
 * server sent right after the handshake are emitted from there.
 *
 * Returns: (transfer full): the open connection; %WA_ERROR_HANDSHAKE when
 *   the server could not prove who it is
 */
WaConnection *
wa_connection_connect_finish (GAsyncResult  *result,
                              GError       **error)
{
  WaConnection *self;
  g_autoptr(GSource) release = NULL;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  self = g_task_propagate_pointer (G_TASK (result), error);
  if (self == NULL || !self->held)
    return self;

  release = g_idle_source_new ();
  g_source_set_callback (release, release_cb, g_object_ref (self), g_object_unref);
  g_source_attach (release, g_main_context_get_thread_default ());
  return self;
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
  assert_owner (self);

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

static gboolean
request_timed_out_cb (gpointer user_data)
{
  GTask *pending_task = user_data;
  WaConnection *self = g_task_get_source_object (pending_task);
  Pending *pending = g_hash_table_lookup (self->pending, g_task_get_task_data (pending_task));
  g_autoptr(GTask) task = NULL;

  /* While nothing is read, or if nothing was for a while, the answer may
   * be waiting unread on the socket: that is no silence, and the wait
   * starts again. */
  if (pending != NULL && (self->receiving_paused || pending->pauses != self->pauses))
    {
      pending->pauses = self->pauses;
      return G_SOURCE_CONTINUE;
    }
  task = take_pending (self, g_task_get_task_data (pending_task));
  if (task != NULL)
    g_task_return_new_error (task, WA_ERROR, WA_ERROR_TIMED_OUT, "The server did not answer in time");
  return G_SOURCE_REMOVE;
}

/* Sends @node and waits up to @timeout_ms for the @answer_tag with the
 * same id; the answer does not reach the "node" signal. */
static void
send_request (WaConnection        *self,
              WaNode              *node,
              const char          *answer_tag,
              guint                timeout_ms,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data,
              gpointer             source_tag)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  char *key = g_strdup_printf ("%s %s", answer_tag, wa_node_get_attr (node, "id"));
  Pending *pending;

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, key, g_free);

  if (!wa_connection_send_node (self, node, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The timeout lives exactly as long as the entry (pending_free). */
  pending = g_new0 (Pending, 1);
  pending->task = g_object_ref (task);
  pending->pauses = self->pauses;
  pending->timeout = g_timeout_source_new (timeout_ms);
  g_source_set_callback (pending->timeout, request_timed_out_cb, pending->task, NULL);
  g_source_attach (pending->timeout, g_main_context_get_thread_default ());
  g_hash_table_insert (self->pending, g_strdup (key), pending);
}

/**
 * wa_connection_send_iq_async:
 * @self: an open connection
 * @iq: the request; given an id when it has none
 * @timeout_ms: how long to wait for the answer
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the answer, an error iq, or the timeout
 * @user_data: closure
 *
 * Sends a request and waits for the iq answering it (same id); the
 * answer does not reach the "node" signal.
 */
void
wa_connection_send_iq_async (WaConnection        *self,
                             WaNode              *iq,
                             guint                timeout_ms,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (WA_IS_CONNECTION (self));
  assert_owner (self);

  if (wa_node_get_attr (iq, "id") == NULL)
    {
      g_autofree char *fresh = g_strdup_printf ("%s%u", self->id_prefix, ++self->next_iq);

      wa_node_set_attr (iq, "id", fresh);
    }
  send_request (self, iq, "iq", timeout_ms, cancellable, callback, user_data, wa_connection_send_iq_async);
}

/**
 * wa_connection_send_message_async:
 * @self: an open connection
 * @message: a `<message>` stanza with its id
 * @timeout_ms: how long to wait for the server's ack
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the ack, the refusal or the timeout
 * @user_data: closure
 *
 * Sends a message and waits for the server's `<ack class="message">` with
 * its id (§7.8): only that ack says the server took it. A refusal comes
 * back as %WA_ERROR_NEEDS_PRIVACY_TOKEN or %WA_ERROR_REFUSED.
 */
void
wa_connection_send_message_async (WaConnection        *self,
                                  WaNode              *message,
                                  guint                timeout_ms,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (WA_IS_CONNECTION (self));
  g_return_if_fail (wa_node_get_attr (message, "id") != NULL);
  assert_owner (self);

  send_request (self, message, "ack", timeout_ms, cancellable, callback, user_data,
                wa_connection_send_message_async);
}

/**
 * wa_connection_send_message_finish:
 *
 * Returns: (transfer full): the server's ack
 */
WaNode *
wa_connection_send_message_finish (WaConnection  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * wa_connection_send_iq_finish:
 *
 * Returns: (transfer full): the answering iq
 */
WaNode *
wa_connection_send_iq_finish (WaConnection  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean send_keepalive_cb (gpointer user_data);

static void
schedule_keepalive (WaConnection *self,
                    guint         interval_ms)
{
  self->keepalive = g_timeout_source_new (interval_ms);
  g_source_set_callback (self->keepalive, send_keepalive_cb, self, NULL);
  g_source_attach (self->keepalive, g_main_context_get_thread_default ());
}

static void
keepalive_answered_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  WaConnection *self = WA_CONNECTION (object);
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = wa_connection_send_iq_finish (self, result, &error);
  if (self->state != STATE_OPEN)
    return;
  /* A silent server is a lost connection: end it, so the owner reconnects. */
  if (answer == NULL)
    {
      fail (self, g_error_new (WA_ERROR, WA_ERROR_TIMED_OUT, "The connection was lost: %s", error->message));
      return;
    }
  schedule_keepalive (self, self->keepalive_interval_ms);
}

static gboolean
send_keepalive_cb (gpointer user_data)
{
  WaConnection *self = user_data;
  g_autoptr(WaNode) ping = wa_node_new_with_attrs ("iq", "to", "@s.whatsapp.net", "type", "get",
                                                   "xmlns", "w:p", NULL);

  g_clear_pointer (&self->keepalive, g_source_unref);
  wa_node_add_child (ping, wa_node_new ("ping"));
  wa_connection_send_iq_async (self, ping, self->keepalive_timeout_ms, NULL, keepalive_answered_cb, NULL);
  return G_SOURCE_REMOVE;
}

/**
 * wa_connection_start_keepalive:
 * @self: an open connection
 * @interval_ms: between pings, normally %WA_CONNECTION_KEEPALIVE_INTERVAL_MS
 * @timeout_ms: how long a ping may go unanswered before the connection
 *   is declared lost and closed (%WA_ERROR_TIMED_OUT)
 */
void
wa_connection_start_keepalive (WaConnection *self,
                               guint         interval_ms,
                               guint         timeout_ms)
{
  g_return_if_fail (WA_IS_CONNECTION (self));
  g_return_if_fail (self->state == STATE_OPEN && self->keepalive == NULL);
  assert_owner (self);

  self->keepalive_interval_ms = interval_ms;
  self->keepalive_timeout_ms = timeout_ms;
  schedule_keepalive (self, self->keepalive_interval_ms);
}

/**
 * wa_connection_set_receiving:
 * @self: an open connection
 * @receiving: %FALSE to read nothing more from the server for now
 *
 * Leaves what the server sends on the socket (TCP holds the rest on the
 * server) until called with %TRUE; what was read before comes first
 * then. Sending goes on; a request whose answer may be waiting unread
 * (one sent or waiting while paused) waits again instead of timing out,
 * so neither the keepalive nor a message's ack takes the quiet for a
 * lost connection.
 */
void
wa_connection_set_receiving (WaConnection *self,
                             gboolean      receiving)
{
  g_return_if_fail (WA_IS_CONNECTION (self));
  assert_owner (self);

  if (!receiving && !self->receiving_paused)
    self->pauses++;
  self->receiving_paused = !receiving;
  if (self->websocket != NULL)
    wa_websocket_set_receiving (self->websocket, receiving);
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
  assert_owner (self);

  fail (self, g_error_new (WA_ERROR, WA_ERROR_CONNECTION_CLOSED, "Closed by this device"));
}

gboolean
wa_connection_is_open (WaConnection *self)
{
  g_return_val_if_fail (WA_IS_CONNECTION (self), FALSE);
  assert_owner (self);
  return self->state == STATE_OPEN;
}
