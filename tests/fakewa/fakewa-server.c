/* fakewa-server.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fakewa"

#include "config.h"

#include <libsoup/soup.h>

#include "fakewa-server.h"
#include "wa-binary.h"
#include "wa-cert.h"
#include "wa-error.h"
#include "wa-frame.h"
#include "wa-noise.h"

/*
 * The server side of the transport. Its keys are made at start: a test
 * root, an intermediate it signs, and the server's static key in a leaf
 * the intermediate signs, valid for a day around now. A client trusts it
 * only when given fakewa_server_get_root_key() as its root, which is
 * exactly the check a real client runs against WhatsApp's root.
 */

#define CHAIN_VALIDITY (24 * 60 * 60)

typedef struct
{
  FakewaServer            *server;
  SoupWebsocketConnection *websocket;
  WaFrameReader           *reader;
  WaFrameWriter           *writer;
  WaNoiseHandshake        *handshake;
  WaNoiseCipher           *write_cipher;
  WaNoiseCipher           *read_cipher;
  gboolean                 hello_done;
} Peer;

struct _FakewaServer
{
  GObject     parent_instance;

  SoupServer *soup;
  char       *url;
  WaKeyPair   root;
  WaKeyPair   server_static;
  GBytes     *chain;
  GPtrArray  *peers;   /* Peer* */
};

G_DEFINE_FINAL_TYPE (FakewaServer, fakewa_server, G_TYPE_OBJECT)

enum {
  CLIENT_PAYLOAD,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
peer_free (Peer *peer)
{
  g_signal_handlers_disconnect_by_data (peer->websocket, peer);
  if (soup_websocket_connection_get_state (peer->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (peer->websocket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_object_unref (peer->websocket);
  wa_frame_reader_free (peer->reader);
  wa_frame_writer_free (peer->writer);
  g_clear_pointer (&peer->handshake, wa_noise_handshake_free);
  g_clear_pointer (&peer->write_cipher, wa_noise_cipher_free);
  g_clear_pointer (&peer->read_cipher, wa_noise_cipher_free);
  g_free (peer);
}

static gboolean
send_node (Peer    *peer,
           WaNode  *node,
           GError **error)
{
  g_autoptr(GBytes) plain = wa_binary_pack_frame (node);
  g_autoptr(GBytes) cipher = wa_noise_cipher_encrypt (peer->write_cipher, g_bytes_get_data (plain, NULL),
                                                      g_bytes_get_size (plain), error);

  return cipher != NULL && wa_frame_writer_send (peer->writer, peer->websocket, cipher, error);
}

/* <iq type="get" xmlns="w:p"><ping/></iq> gets its result (§6.4). */
static gboolean
handle_node (Peer    *peer,
             WaNode  *node,
             GError **error)
{
  g_autoptr(WaNode) result = NULL;

  if (!g_str_equal (wa_node_get_tag (node), "iq") ||
      g_strcmp0 (wa_node_get_attr (node, "xmlns"), "w:p") != 0 ||
      wa_node_get_child_by_tag (node, "ping") == NULL)
    return TRUE;

  result = wa_node_new_with_attrs ("iq", "type", "result", "from", "s.whatsapp.net",
                                   "id", wa_node_get_attr (node, "id"), NULL);
  return send_node (peer, result, error);
}

static gboolean
handle_frame (Peer    *peer,
              GBytes  *frame,
              GError **error)
{
  FakewaServer *self = peer->server;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(WaNode) node = NULL;

  if (!peer->hello_done)
    {
      g_autoptr(GBytes) server_hello = NULL;
      WaKeyPair ephemeral;

      wa_key_pair_generate (&ephemeral);
      peer->hello_done = TRUE;
      if (!wa_noise_handshake_read_client_hello (peer->handshake, frame, error))
        return FALSE;
      server_hello = wa_noise_handshake_write_server_hello (peer->handshake, &self->server_static,
                                                            &ephemeral, self->chain, error);
      wa_key_pair_clear (&ephemeral);
      return server_hello != NULL && wa_frame_writer_send (peer->writer, peer->websocket, server_hello, error);
    }

  if (peer->handshake != NULL)
    {
      g_autoptr(GBytes) payload = NULL;
      guint8 client_static[WA_KEY_LEN];

      if (!wa_noise_handshake_read_client_finish (peer->handshake, frame, client_static, &payload, error) ||
          !wa_noise_handshake_split (peer->handshake, &peer->write_cipher, &peer->read_cipher, error))
        return FALSE;
      g_clear_pointer (&peer->handshake, wa_noise_handshake_free);
      g_signal_emit (self, signals[CLIENT_PAYLOAD], 0, payload);
      return TRUE;
    }

  plain = wa_noise_cipher_decrypt (peer->read_cipher, g_bytes_get_data (frame, NULL),
                                   g_bytes_get_size (frame), error);
  if (plain == NULL)
    return FALSE;
  node = wa_binary_unpack_frame (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), error);
  return node != NULL && handle_node (peer, node, error);
}

static void
drop_peer (Peer *peer)
{
  g_ptr_array_remove (peer->server->peers, peer);
}

static void
message_cb (SoupWebsocketConnection *websocket,
            int                      type,
            GBytes                  *message,
            Peer                    *peer)
{
  g_autoptr(GPtrArray) frames = NULL;
  g_autoptr(GError) error = NULL;

  frames = wa_frame_reader_feed (peer->reader, g_bytes_get_data (message, NULL),
                                 g_bytes_get_size (message), &error);
  for (guint i = 0; frames != NULL && i < frames->len && error == NULL; i++)
    handle_frame (peer, g_ptr_array_index (frames, i), &error);

  /* Like the real server, a client that breaks the protocol is cut off
   * without an explanation. */
  if (error != NULL)
    {
      g_debug ("Dropping a client: %s", error->message);
      drop_peer (peer);
    }
}

static void
peer_closed_cb (SoupWebsocketConnection *websocket,
                Peer                    *peer)
{
  drop_peer (peer);
}

static void
websocket_cb (SoupServer              *soup,
              SoupServerMessage       *message,
              const char              *path,
              SoupWebsocketConnection *websocket,
              gpointer                 user_data)
{
  FakewaServer *self = user_data;
  Peer *peer = g_new0 (Peer, 1);

  peer->server = self;
  peer->websocket = g_object_ref (websocket);
  peer->reader = wa_frame_reader_new (WA_FRAME_SIDE_SERVER);
  peer->writer = wa_frame_writer_new (WA_FRAME_SIDE_SERVER);
  peer->handshake = wa_noise_handshake_new (WA_NOISE_ROLE_RESPONDER);
  soup_websocket_connection_set_max_incoming_payload_size (websocket, WA_FRAME_MAX_PAYLOAD + 8);
  g_signal_connect (websocket, "message", G_CALLBACK (message_cb), peer);
  g_signal_connect (websocket, "closed", G_CALLBACK (peer_closed_cb), peer);
  g_ptr_array_add (self->peers, peer);
}

static void
fakewa_server_finalize (GObject *object)
{
  FakewaServer *self = (FakewaServer *)object;

  g_ptr_array_unref (self->peers);
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_pointer (&self->chain, g_bytes_unref);
  g_free (self->url);
  wa_key_pair_clear (&self->root);
  wa_key_pair_clear (&self->server_static);

  G_OBJECT_CLASS (fakewa_server_parent_class)->finalize (object);
}

static void
fakewa_server_class_init (FakewaServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fakewa_server_finalize;

  signals[CLIENT_PAYLOAD] = g_signal_new ("client-payload", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
}

static void
fakewa_server_init (FakewaServer *self)
{
  self->peers = g_ptr_array_new_with_free_func ((GDestroyNotify)peer_free);
}

/**
 * fakewa_server_new:
 *
 * Starts a server on 127.0.0.1 at a free port, serving /ws/chat.
 *
 * Returns: (transfer full) (nullable): the server
 */
FakewaServer *
fakewa_server_new (GError **error)
{
  g_autoptr(FakewaServer) self = g_object_new (FAKEWA_TYPE_SERVER, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  WaKeyPair intermediate;

  if (!wa_crypto_init (error))
    return NULL;

  wa_key_pair_generate (&self->root);
  wa_key_pair_generate (&intermediate);
  wa_key_pair_generate (&self->server_static);
  self->chain = wa_cert_build (self->root.priv, &intermediate, self->server_static.pub, 0, 1,
                               now - CHAIN_VALIDITY, now + CHAIN_VALIDITY);
  wa_key_pair_clear (&intermediate);

  self->soup = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (self->soup, "/ws/chat", NULL, NULL, websocket_cb, self, NULL);
  /* Our own socket, so the port is known without asking libsoup (whose
   * soup_server_get_uris () leaks in 3.2). */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL ||
      !g_socket_bind (socket, address, TRUE, error) ||
      !g_socket_listen (socket, error) ||
      (bound = g_socket_get_local_address (socket, error)) == NULL ||
      !soup_server_listen_socket (self->soup, socket, 0, error))
    return NULL;

  self->url = g_strdup_printf ("ws://127.0.0.1:%u/ws/chat",
                               g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  return g_steal_pointer (&self);
}

const char *
fakewa_server_get_url (FakewaServer *self)
{
  g_return_val_if_fail (FAKEWA_IS_SERVER (self), NULL);
  return self->url;
}

/**
 * fakewa_server_get_root_key:
 *
 * Returns: the public key at the root of this server's certificates
 */
const guint8 *
fakewa_server_get_root_key (FakewaServer *self)
{
  g_return_val_if_fail (FAKEWA_IS_SERVER (self), NULL);
  return self->root.pub;
}

guint
fakewa_server_get_n_clients (FakewaServer *self)
{
  g_return_val_if_fail (FAKEWA_IS_SERVER (self), 0);
  return self->peers->len;
}

/**
 * fakewa_server_drop_all:
 *
 * Closes every client's socket at once, as a lost network would.
 */
void
fakewa_server_drop_all (FakewaServer *self)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  g_ptr_array_set_size (self->peers, 0);
}
