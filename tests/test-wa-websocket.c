/* test-wa-websocket.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "wa-error.h"
#include "wa-websocket.h"
#include "wa-websocket-frame.h"
#include "xi-test-utils.h"

/* The WebSocket client against two peers on 127.0.0.1: libsoup's own
 * server, which checks the client's framing and masking strictly, and a
 * raw socket that answers the upgrade by hand and then sends scripted,
 * often hostile, frames one byte at a time, recording what the client
 * sends back. */

#define ORIGIN "https://web.whatsapp.com"

typedef struct
{
  WaWebsocket *websocket;
  GPtrArray   *messages;   /* GBytes* */
  gboolean     closed;
  GError      *error;
  guint        pause_at;   /* stop receiving after this many messages; 0: never */
} Client;

static void
message_cb (WaWebsocket *websocket,
            GBytes      *message,
            Client      *client)
{
  g_ptr_array_add (client->messages, g_bytes_ref (message));
  if (client->messages->len == client->pause_at)
    wa_websocket_set_receiving (websocket, FALSE);
}

static void
closed_cb (WaWebsocket  *websocket,
           const GError *error,
           Client       *client)
{
  g_assert_false (client->closed);
  client->closed = TRUE;
  client->error = error != NULL ? g_error_copy (error) : NULL;
}

static void
client_clear (Client *client)
{
  if (client->websocket != NULL)
    g_signal_handlers_disconnect_by_data (client->websocket, client);
  g_clear_object (&client->websocket);
  g_clear_pointer (&client->messages, g_ptr_array_unref);
  g_clear_error (&client->error);
}

/* Connects, or leaves the error in @client. */
static void
client_connect (Client     *client,
                const char *url,
                gsize       max_message)
{
  g_autoptr(GError) error = NULL;

  client->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  XI_TEST_WAIT (wa_websocket_connect_async (url, ORIGIN, max_message, NULL, xi_test_store_result_cb, &slot_),
                client->websocket = wa_websocket_connect_finish (result_, &error));
  if (client->websocket == NULL)
    {
      client->closed = TRUE;
      client->error = g_steal_pointer (&error);
      return;
    }
  g_signal_connect (client->websocket, "message", G_CALLBACK (message_cb), client);
  g_signal_connect (client->websocket, "closed", G_CALLBACK (closed_cb), client);
}

static void
client_wait_closed (Client *client)
{
  while (!client->closed)
    g_main_context_iteration (NULL, TRUE);
}

/* libsoup's server */

typedef struct
{
  SoupServer              *server;
  char                    *url;
  SoupWebsocketConnection *peer;
  char                    *origin;
  GPtrArray               *received;   /* GBytes* */
  gboolean                 echo;
  gboolean                 peer_closed;
} SoupPeer;

static void
soup_peer_message_cb (SoupWebsocketConnection *connection,
                      int                      type,
                      GBytes                  *message,
                      SoupPeer                *peer)
{
  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_BINARY);
  g_ptr_array_add (peer->received, g_bytes_ref (message));
  if (peer->echo)
    soup_websocket_connection_send_message (connection, SOUP_WEBSOCKET_DATA_BINARY, message);
}

static void
soup_peer_closed_cb (SoupWebsocketConnection *connection,
                     SoupPeer                *peer)
{
  peer->peer_closed = TRUE;
}

static void
soup_peer_websocket_cb (SoupServer              *server,
                        SoupServerMessage       *message,
                        const char              *path,
                        SoupWebsocketConnection *connection,
                        gpointer                 user_data)
{
  SoupPeer *peer = user_data;

  peer->origin = g_strdup (soup_websocket_connection_get_origin (connection));
  peer->peer = g_object_ref (connection);
  soup_websocket_connection_set_max_incoming_payload_size (connection, 1 << 20);
  g_signal_connect (connection, "message", G_CALLBACK (soup_peer_message_cb), peer);
  g_signal_connect (connection, "closed", G_CALLBACK (soup_peer_closed_cb), peer);
}

static void
soup_peer_start (SoupPeer *peer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;

  peer->received = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  peer->server = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (peer->server, "/ws", NULL, NULL, soup_peer_websocket_cb, peer, NULL);
  soup_server_listen_local (peer->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (peer->server);
  peer->url = g_strdup_printf ("ws://127.0.0.1:%d/ws", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
}

static void
soup_peer_clear (SoupPeer *peer)
{
  if (peer->peer != NULL)
    g_signal_handlers_disconnect_by_data (peer->peer, peer);
  g_clear_object (&peer->peer);
  g_clear_object (&peer->server);
  g_clear_pointer (&peer->url, g_free);
  g_clear_pointer (&peer->origin, g_free);
  g_clear_pointer (&peer->received, g_ptr_array_unref);
}

static GBytes *
pattern (gsize len)
{
  guint8 *data = g_malloc (len + 1);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (i * 7 + len);
  return g_bytes_new_take (data, len);
}

/* Every length encoding both ways; libsoup refuses an unmasked or badly
 * masked client frame, so the echo proves the masking. */
static void
test_soup_echo (void)
{
  static const gsize sizes[] = { 0, 1, 125, 126, 127, 65535, 65536, 300000 };
  SoupPeer peer = { 0 };
  Client client = { 0 };

  soup_peer_start (&peer);
  peer.echo = TRUE;
  client_connect (&client, peer.url, 1 << 20);
  g_assert_no_error (client.error);
  while (peer.peer == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (peer.origin, ==, ORIGIN);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GBytes) message = pattern (sizes[i]);
      g_autoptr(GError) error = NULL;

      g_assert_true (wa_websocket_send (client.websocket, g_bytes_get_data (message, NULL), sizes[i], &error));
      g_assert_no_error (error);
    }
  while (client.messages->len < G_N_ELEMENTS (sizes) && !client.closed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (client.error);
  g_assert_false (client.closed);
  g_assert_cmpuint (peer.received->len, ==, G_N_ELEMENTS (sizes));
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GBytes) expected = pattern (sizes[i]);

      g_assert_true (g_bytes_equal (g_ptr_array_index (client.messages, i), expected));
    }

  /* Our close: the server hears the code and reason, we hear no error. */
  wa_websocket_close (client.websocket, WA_WEBSOCKET_CLOSE_NORMAL, "done");
  g_assert_false (wa_websocket_is_open (client.websocket));
  client_wait_closed (&client);
  g_assert_no_error (client.error);
  while (!peer.peer_closed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (peer.peer), ==, WA_WEBSOCKET_CLOSE_NORMAL);
  g_assert_cmpstr (soup_websocket_connection_get_close_data (peer.peer), ==, "done");

  client_clear (&client);
  soup_peer_clear (&peer);
}

/* A burst from the server: the client stops in the middle of what one
 * read brought, hears nothing while paused but still sends, then gets
 * the rest in order, pausing once more on the way. */
static void
test_soup_pause (void)
{
  const guint n = 400;
  SoupPeer peer = { 0 };
  Client client = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 until;

  soup_peer_start (&peer);
  client_connect (&client, peer.url, 1 << 20);
  g_assert_no_error (client.error);
  while (peer.peer == NULL)
    g_main_context_iteration (NULL, TRUE);

  client.pause_at = 3;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) message = pattern (100 + i);

      soup_websocket_connection_send_message (peer.peer, SOUP_WEBSOCKET_DATA_BINARY, message);
    }
  until = g_get_monotonic_time () + 300 * G_TIME_SPAN_MILLISECOND;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (client.messages->len, ==, 3);

  g_assert_true (wa_websocket_send (client.websocket, (const guint8 *) "out", 3, &error));
  g_assert_no_error (error);
  while (peer.received->len < 1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (client.messages->len, ==, 3);

  client.pause_at = 200;
  wa_websocket_set_receiving (client.websocket, TRUE);
  while (client.messages->len < 200 && !client.closed)
    g_main_context_iteration (NULL, TRUE);
  until = g_get_monotonic_time () + 100 * G_TIME_SPAN_MILLISECOND;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (client.messages->len, ==, 200);

  wa_websocket_set_receiving (client.websocket, TRUE);
  while (client.messages->len < n && !client.closed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (client.closed);
  g_assert_cmpuint (client.messages->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) expected = pattern (100 + i);

      g_assert_true (g_bytes_equal (g_ptr_array_index (client.messages, i), expected));
    }

  client_clear (&client);
  soup_peer_clear (&peer);
}

/* The server's close: answered with its code, reported with it. */
static void
test_soup_server_closes (void)
{
  SoupPeer peer = { 0 };
  Client client = { 0 };
  g_autoptr(GError) error = NULL;

  soup_peer_start (&peer);
  client_connect (&client, peer.url, 1024);
  while (peer.peer == NULL)
    g_main_context_iteration (NULL, TRUE);

  soup_websocket_connection_close (peer.peer, 4000, "bye");
  client_wait_closed (&client);
  g_assert_error (client.error, WA_ERROR, WA_ERROR_CONNECTION_CLOSED);
  g_assert_nonnull (strstr (client.error->message, "4000"));
  while (!peer.peer_closed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (wa_websocket_send (client.websocket, (const guint8 *) "x", 1, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_CONNECTION_CLOSED);

  client_clear (&client);
  soup_peer_clear (&peer);
}

/* A message over the limit ends the connection with 1009, which libsoup
 * reads from our close frame. */
static void
test_soup_too_big (void)
{
  SoupPeer peer = { 0 };
  Client client = { 0 };
  g_autoptr(GBytes) big = pattern (1025);

  soup_peer_start (&peer);
  client_connect (&client, peer.url, 1024);
  while (peer.peer == NULL)
    g_main_context_iteration (NULL, TRUE);

  soup_websocket_connection_send_message (peer.peer, SOUP_WEBSOCKET_DATA_BINARY, big);
  client_wait_closed (&client);
  g_assert_error (client.error, WA_ERROR, WA_ERROR_CONNECTION_CLOSED);
  while (!peer.peer_closed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (peer.peer), ==, WA_WEBSOCKET_CLOSE_TOO_BIG);
  g_assert_cmpuint (client.messages->len, ==, 0);

  client_clear (&client);
  soup_peer_clear (&peer);
}

/* A raw peer */

typedef struct
{
  const char *name;
  const char *response;        /* the upgrade's answer with %s for the accept; NULL: a correct one */
  const char *frames;          /* hex, sent one byte at a time, then the socket is shut */
  gsize       max_message;
  guint       messages;        /* how many the client hands out */
  const char *last_message;    /* hex of the last one */
  gint        error_code;      /* WA_ERROR code of the "closed" error */
  guint16     close_code;      /* the client's close frame, 0 when it sends none */
  const char *pong;            /* hex of the client's pong, if one is expected */
} Script;

typedef struct
{
  const Script    *script;
  GSocketListener *listener;
  guint16          port;
  guint16          close_code;  /* of the first close frame the client sent */
  GByteArray      *pong;
  gint             client_done;
} RawPeer;

static char *
read_request (GInputStream *input)
{
  GString *request = g_string_new (NULL);

  while (!g_str_has_suffix (request->str, "\r\n\r\n"))
    {
      char c;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (g_input_stream_read (input, &c, 1, NULL, &error), ==, 1);
      g_string_append_c (request, c);
    }
  return g_string_free (request, FALSE);
}

static char *
accept_for (const char *request)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);
  const char *key = strstr (request, "Sec-WebSocket-Key: ");
  g_autofree char *key_value = NULL;
  guint8 digest[20];
  gsize len = sizeof digest;

  g_assert_nonnull (key);
  key += strlen ("Sec-WebSocket-Key: ");
  key_value = g_strndup (key, strcspn (key, "\r"));
  g_checksum_update (checksum, (const guchar *) key_value, -1);
  g_checksum_update (checksum, (const guchar *) "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", -1);
  g_checksum_get_digest (checksum, digest, &len);
  return g_base64_encode (digest, len);
}

/* @template with its %s replaced by @accept. */
static char *
answer_with_accept (const char *template,
                    const char *accept)
{
  GString *answer = g_string_new (template);

  g_string_replace (answer, "%s", accept, 1);
  return g_string_free (answer, FALSE);
}

static gboolean
read_exactly (GInputStream *input,
              guint8       *buffer,
              gsize         len)
{
  gsize got = 0;

  return g_input_stream_read_all (input, buffer, len, &got, NULL, NULL) && got == len;
}

/* Reads one of the client's frames, unmasking it (every one must be
 * masked); %NULL at the end of the stream. */
static GBytes *
read_client_frame (GInputStream      *input,
                   WaWebsocketOpcode *opcode)
{
  guint8 header[2];
  guint8 mask[4];
  guint64 len;
  guint8 *payload;

  if (!read_exactly (input, header, 2))
    return NULL;
  g_assert_true (header[1] & 0x80);
  len = header[1] & 0x7f;
  if (len >= 126)
    {
      guint8 extended[8];
      guint size = len == 126 ? 2 : 8;

      g_assert_true (read_exactly (input, extended, size));
      len = 0;
      for (guint i = 0; i < size; i++)
        len = len << 8 | extended[i];
    }
  g_assert_true (read_exactly (input, mask, 4));
  payload = g_malloc (len + 1);
  g_assert_true (read_exactly (input, payload, len));
  for (guint64 i = 0; i < len; i++)
    payload[i] ^= mask[i & 3];
  *opcode = header[0] & 0x0f;
  return g_bytes_new_take (payload, len);
}

/* Reads the client's frames until the end, and keeps its first close
 * code and its pong. */
static void
read_client_frames (RawPeer      *peer,
                    GInputStream *input)
{
  GBytes *frame;
  WaWebsocketOpcode opcode;

  while ((frame = read_client_frame (input, &opcode)) != NULL)
    {
      gsize len;
      const guint8 *payload = g_bytes_get_data (frame, &len);

      if (opcode == WA_WEBSOCKET_OPCODE_CLOSE && peer->close_code == 0)
        peer->close_code = len >= 2 ? (guint16) (payload[0] << 8 | payload[1]) : WA_WEBSOCKET_CLOSE_NO_STATUS;
      if (opcode == WA_WEBSOCKET_OPCODE_PONG)
        g_byte_array_append (peer->pong, payload, (guint) len);
      g_bytes_unref (frame);
    }
}

static GBytes *
bytes_from_spaced_hex (const char *spaced)
{
  g_auto(GStrv) parts = g_strsplit (spaced, " ", -1);
  g_autofree char *hex = g_strjoinv ("", parts);

  return xi_test_bytes_from_hex (hex);
}

static gpointer
raw_peer_run (gpointer data)
{
  RawPeer *peer = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = g_socket_listener_accept (peer->listener, NULL, NULL, &error);
  GInputStream *input;
  GOutputStream *output;
  g_autofree char *request = NULL;
  g_autofree char *accept = NULL;
  g_autofree char *response = NULL;
  g_autoptr(GBytes) frames = NULL;
  const guint8 *bytes;
  gsize len;

  g_assert_no_error (error);
  input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  output = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  request = read_request (input);
  g_assert_true (g_str_has_prefix (request, "GET /chat?x=1 HTTP/1.1\r\n"));
  g_assert_nonnull (strstr (request, "\r\nOrigin: " ORIGIN "\r\n"));
  g_assert_nonnull (strstr (request, "\r\nSec-WebSocket-Version: 13\r\n"));
  accept = accept_for (request);
  response = answer_with_accept (peer->script->response != NULL
                                  ? peer->script->response
                                  : "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\n"
                                    "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                                accept);
  g_assert_true (g_output_stream_write_all (output, response, strlen (response), NULL, NULL, NULL));

  frames = bytes_from_spaced_hex (peer->script->frames);
  bytes = g_bytes_get_data (frames, &len);
  for (gsize i = 0; i < len; i++)
    if (!g_output_stream_write_all (output, bytes + i, 1, NULL, NULL, NULL))
      break;
  g_socket_shutdown (g_socket_connection_get_socket (connection), FALSE, TRUE, NULL);

  read_client_frames (peer, input);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return NULL;
}

static void
test_raw_script (gconstpointer data)
{
  const Script *script = data;
  RawPeer peer = { .script = script };
  Client client = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GThread) thread = NULL;
  g_autofree char *url = NULL;

  peer.listener = g_socket_listener_new ();
  peer.pong = g_byte_array_new ();
  peer.port = g_socket_listener_add_any_inet_port (peer.listener, NULL, &error);
  g_assert_no_error (error);
  thread = g_thread_new ("raw-peer", raw_peer_run, &peer);

  url = g_strdup_printf ("ws://127.0.0.1:%u/chat?x=1", peer.port);
  client_connect (&client, url, script->max_message != 0 ? script->max_message : 1024);
  client_wait_closed (&client);
  g_thread_join (g_steal_pointer (&thread));

  g_assert_error (client.error, WA_ERROR, script->error_code);
  g_assert_cmpuint (client.messages != NULL ? client.messages->len : 0, ==, script->messages);
  if (script->last_message != NULL)
    {
      GBytes *last = g_ptr_array_index (client.messages, client.messages->len - 1);
      g_autofree char *hex = xi_test_hex (g_bytes_get_data (last, NULL), g_bytes_get_size (last));

      g_assert_cmpstr (hex, ==, script->last_message);
    }
  g_assert_cmpuint (peer.close_code, ==, script->close_code);
  if (script->pong != NULL)
    {
      g_autofree char *hex = xi_test_hex (peer.pong->data, peer.pong->len);

      g_assert_cmpstr (hex, ==, script->pong);
    }

  client_clear (&client);
  g_byte_array_unref (peer.pong);
  g_object_unref (peer.listener);
}

#define CLOSED    WA_ERROR_CONNECTION_CLOSED
#define PROTOCOL  WA_WEBSOCKET_CLOSE_PROTOCOL_ERROR

static const Script scripts[] = {
  /* What a well-behaved server may do */
  { "/wa-websocket/raw/close-echoed", NULL, "82 01 aa 88 05 0fa0 627965", 0, 1, "aa", CLOSED, 4000, NULL },
  { "/wa-websocket/raw/close-without-code", NULL, "88 00", 0, 0, NULL, CLOSED, WA_WEBSOCKET_CLOSE_NO_STATUS, NULL },
  { "/wa-websocket/raw/fragments-around-ping", NULL, "02 01 aa 89 02 7071 00 00 80 01 bb 88 02 03e8",
    0, 1, "aabb", CLOSED, WA_WEBSOCKET_CLOSE_NORMAL, "7071" },
  { "/wa-websocket/raw/lengths", NULL, "82 7e 007e "
    "555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555"
    "555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555"
    " 8a 00 82 00 88 02 03e8", 0, 2, "", CLOSED, WA_WEBSOCKET_CLOSE_NORMAL, NULL },
  { "/wa-websocket/raw/eof-without-close", NULL, "82 01 aa", 0, 1, "aa", CLOSED, 0, NULL },

  /* What must end the connection */
  { "/wa-websocket/raw/reserved-bits", NULL, "c2 01 aa", 0, 0, NULL, CLOSED, PROTOCOL, NULL },
  { "/wa-websocket/raw/unknown-opcode", NULL, "83 00", 0, 0, NULL, CLOSED, PROTOCOL, NULL },
  { "/wa-websocket/raw/masked", NULL, "82 81 01020304 ab", 0, 0, NULL, CLOSED, PROTOCOL, NULL },
  { "/wa-websocket/raw/text", NULL, "81 02 6869", 0, 0, NULL, WA_ERROR_MALFORMED,
    WA_WEBSOCKET_CLOSE_UNSUPPORTED_DATA, NULL },
  { "/wa-websocket/raw/over-limit", NULL, "82 7f 0000000000100000", 0, 0, NULL, CLOSED,
    WA_WEBSOCKET_CLOSE_TOO_BIG, NULL },
  { "/wa-websocket/raw/fragments-over-limit", NULL, "02 03 aaaaaa 80 03 bbbbbb", 4, 0, NULL, CLOSED,
    WA_WEBSOCKET_CLOSE_TOO_BIG, NULL },
  { "/wa-websocket/raw/length-high-bit", NULL, "82 7f 8000000000000000", 0, 0, NULL, CLOSED, PROTOCOL, NULL },
  { "/wa-websocket/raw/length-not-shortest", NULL, "82 7e 0005 0102030405", 0, 0, NULL, CLOSED, PROTOCOL, NULL },
  { "/wa-websocket/raw/control-too-long", NULL, "89 7e 007e", 0, 0, NULL, CLOSED, PROTOCOL, NULL },
  { "/wa-websocket/raw/control-fragmented", NULL, "09 00", 0, 0, NULL, CLOSED, PROTOCOL, NULL },
  { "/wa-websocket/raw/continuation-of-nothing", NULL, "80 01 aa", 0, 0, NULL, CLOSED, PROTOCOL, NULL },
  { "/wa-websocket/raw/message-inside-message", NULL, "02 01 aa 82 01 bb", 0, 0, NULL, CLOSED, PROTOCOL, NULL },
  { "/wa-websocket/raw/close-one-byte", NULL, "88 01 03", 0, 0, NULL, CLOSED, PROTOCOL, NULL },
  { "/wa-websocket/raw/close-reserved-code", NULL, "88 02 03ed", 0, 0, NULL, CLOSED, PROTOCOL, NULL },
  { "/wa-websocket/raw/close-reason-not-utf8", NULL, "88 03 03e8 ff", 0, 0, NULL, CLOSED,
    WA_WEBSOCKET_CLOSE_BAD_DATA, NULL },
  { "/wa-websocket/raw/eof-mid-frame", NULL, "82 05 0102", 0, 0, NULL, CLOSED, 0, NULL },
  { "/wa-websocket/raw/eof-mid-message", NULL, "02 01 aa", 0, 0, NULL, CLOSED, 0, NULL },

  /* Upgrades to refuse */
  { "/wa-websocket/raw/upgrade-wrong-accept", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Accept: x%s\r\n\r\n", "", 0, 0, NULL, CLOSED, 0, NULL },
  { "/wa-websocket/raw/upgrade-forbidden", "HTTP/1.1 403 Forbidden\r\nX-Accept: %s\r\n\r\n", "", 0, 0, NULL,
    CLOSED, 0, NULL },
  { "/wa-websocket/raw/upgrade-extension", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
    "", 0, 0, NULL, CLOSED, 0, NULL },
};

/* Accepts the client and its upgrade. */
static GSocketConnection *
accept_upgraded (RawPeer *peer)
{
  GSocketConnection *connection = g_socket_listener_accept (peer->listener, NULL, NULL, NULL);
  g_autofree char *request = read_request (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_autofree char *accept = accept_for (request);
  g_autofree char *response = g_strdup_printf ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                               "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                                               accept);
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  g_assert_true (g_output_stream_write_all (output, response, strlen (response), NULL, NULL, NULL));
  return connection;
}

/* A server that stops reading: what waits for it is bounded, and the
 * connection is given up once the bound is passed. */
static gpointer
stalled_peer_run (gpointer data)
{
  RawPeer *peer = data;
  g_autoptr(GSocketConnection) connection = accept_upgraded (peer);

  /* Read nothing until the client has given up. */
  while (!g_atomic_int_get (&peer->client_done))
    g_usleep (10000);
  return NULL;
}

static void
test_raw_stalled (void)
{
  RawPeer peer = { 0 };
  Client client = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GThread) thread = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GBytes) chunk = pattern (1 << 20);
  gsize sent = 0;

  peer.listener = g_socket_listener_new ();
  peer.port = g_socket_listener_add_any_inet_port (peer.listener, NULL, &error);
  g_assert_no_error (error);
  thread = g_thread_new ("stalled-peer", stalled_peer_run, &peer);

  url = g_strdup_printf ("ws://127.0.0.1:%u/", peer.port);
  client_connect (&client, url, 1024);
  g_assert_no_error (client.error);
  while (wa_websocket_send (client.websocket, g_bytes_get_data (chunk, NULL), 1 << 20, &error))
    {
      sent += 1 << 20;
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_cmpuint (sent, <, 4 * WA_WEBSOCKET_MAX_QUEUED);
    }
  g_assert_error (error, WA_ERROR, WA_ERROR_CONNECTION_CLOSED);
  g_assert_true (client.closed);
  g_assert_error (client.error, WA_ERROR, WA_ERROR_CONNECTION_CLOSED);
  g_assert_cmpuint (sent, >=, WA_WEBSOCKET_MAX_QUEUED);

  g_atomic_int_set (&peer.client_done, TRUE);
  g_thread_join (g_steal_pointer (&thread));
  client_clear (&client);
  g_object_unref (peer.listener);
}

/* A server that floods pings and reads nothing meanwhile: RFC 6455 lets
 * the client answer only the latest, and it must, or the pongs pile up
 * past any bound while the sends it counts are capped. */
#define FLOOD_PINGS 100000

typedef struct
{
  RawPeer  raw;
  guint    pongs;
  gboolean latest_answered;
} PingPeer;

static gpointer
ping_flood_peer_run (gpointer data)
{
  PingPeer *peer = data;
  g_autoptr(GSocketConnection) connection = accept_upgraded (&peer->raw);
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  guint8 ping[2 + WA_WEBSOCKET_CONTROL_MAX] = { 0x89, WA_WEBSOCKET_CONTROL_MAX };
  const guint8 close_frame[] = { 0x88, 0x02, 0x03, 0xe8 };
  WaWebsocketOpcode opcode;
  GBytes *frame;

  for (guint32 i = 0; i < FLOOD_PINGS; i++)
    {
      ping[2] = i >> 24;
      ping[3] = i >> 16;
      ping[4] = i >> 8;
      ping[5] = i;
      g_assert_true (g_output_stream_write_all (output, ping, sizeof ping, NULL, NULL, NULL));
    }

  /* Now read, until the answer to the last ping. */
  while (!peer->latest_answered && (frame = read_client_frame (input, &opcode)) != NULL)
    {
      if (opcode == WA_WEBSOCKET_OPCODE_PONG)
        {
          peer->pongs++;
          peer->latest_answered = g_bytes_get_size (frame) == WA_WEBSOCKET_CONTROL_MAX &&
                                  memcmp (g_bytes_get_data (frame, NULL), ping + 2, WA_WEBSOCKET_CONTROL_MAX) == 0;
        }
      g_bytes_unref (frame);
    }
  g_assert_true (g_output_stream_write_all (output, close_frame, sizeof close_frame, NULL, NULL, NULL));
  read_client_frames (&peer->raw, input);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return NULL;
}

static void
test_raw_ping_flood (void)
{
  PingPeer peer = { 0 };
  Client client = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GThread) thread = NULL;
  g_autofree char *url = NULL;

  peer.raw.listener = g_socket_listener_new ();
  peer.raw.pong = g_byte_array_new ();
  peer.raw.port = g_socket_listener_add_any_inet_port (peer.raw.listener, NULL, &error);
  g_assert_no_error (error);
  thread = g_thread_new ("ping-flood-peer", ping_flood_peer_run, &peer);

  url = g_strdup_printf ("ws://127.0.0.1:%u/", peer.raw.port);
  client_connect (&client, url, 1024);
  g_assert_no_error (client.error);
  client_wait_closed (&client);
  g_thread_join (g_steal_pointer (&thread));

  g_test_message ("%u pongs for %u pings", peer.pongs, FLOOD_PINGS);
  g_assert_true (peer.latest_answered);
  /* What the sockets held before the client saw it blocked, at most a
   * few megabytes; without coalescing, every ping gets its pong. */
  g_assert_cmpuint (peer.pongs, <, FLOOD_PINGS / 2);
  g_assert_cmpuint (peer.raw.close_code, ==, WA_WEBSOCKET_CLOSE_NORMAL);
  g_assert_error (client.error, WA_ERROR, WA_ERROR_CONNECTION_CLOSED);

  client_clear (&client);
  g_byte_array_unref (peer.raw.pong);
  g_object_unref (peer.raw.listener);
}

static void
test_not_websocket_address (void)
{
  Client client = { 0 };

  client_connect (&client, "https://example.invalid/", 1024);
  g_assert_error (client.error, WA_ERROR, WA_ERROR_FAILED);
  client_clear (&client);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wa-websocket/soup/echo", test_soup_echo);
  g_test_add_func ("/wa-websocket/soup/server-closes", test_soup_server_closes);
  g_test_add_func ("/wa-websocket/soup/pause", test_soup_pause);
  g_test_add_func ("/wa-websocket/soup/too-big", test_soup_too_big);
  for (guint i = 0; i < G_N_ELEMENTS (scripts); i++)
    g_test_add_data_func (scripts[i].name, &scripts[i], test_raw_script);
  g_test_add_func ("/wa-websocket/raw/stalled", test_raw_stalled);
  g_test_add_func ("/wa-websocket/raw/ping-flood", test_raw_ping_flood);
  g_test_add_func ("/wa-websocket/not-websocket-address", test_not_websocket_address);

  return g_test_run ();
}
