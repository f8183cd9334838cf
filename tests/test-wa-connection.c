/* test-wa-connection.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fakewa-server.h"
#include "wa-client-payload.h"
#include "wa-connection.h"
#include "wa-error.h"
#include "xi-test-utils.h"

/* The client transport against the fake server over 127.0.0.1: the
 * WebSocket, the frames, the Noise handshake with the certificate chain
 * checked, encrypted nodes both ways, and the ways it ends. */

typedef struct
{
  FakewaServer  *server;
  WaCredentials *credentials;
  GBytes        *payload;
  GBytes        *received_payload;
  WaNode        *received;
  GError        *closed;
} Fixture;

static void
payload_cb (FakewaServer *server,
            GBytes       *payload,
            Fixture      *f)
{
  g_clear_pointer (&f->received_payload, g_bytes_unref);
  f->received_payload = g_bytes_ref (payload);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  WaClientInfo info;

  f->server = fakewa_server_new (&error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (fakewa_server_get_url (f->server), "ws://127.0.0.1:"));
  g_signal_connect (f->server, "client-payload", G_CALLBACK (payload_cb), f);

  f->credentials = wa_credentials_generate ();
  wa_client_info_init (&info);
  f->payload = wa_client_payload_registration (&info, f->credentials, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->server);
  g_clear_pointer (&f->credentials, wa_credentials_free);
  g_clear_pointer (&f->payload, g_bytes_unref);
  g_clear_pointer (&f->received_payload, g_bytes_unref);
  g_clear_pointer (&f->received, wa_node_unref);
  g_clear_error (&f->closed);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static WaConnection *
connect_with_root (Fixture       *f,
                   const guint8  *root_key,
                   GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  wa_connection_connect_async (fakewa_server_get_url (f->server), root_key, &f->credentials->noise_key,
                               f->payload, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  return wa_connection_connect_finish (result, error);
}

static void
node_cb (WaConnection *connection,
         WaNode       *node,
         Fixture      *f)
{
  g_clear_pointer (&f->received, wa_node_unref);
  f->received = wa_node_ref (node);
}

static void
closed_cb (WaConnection *connection,
           const GError *error,
           Fixture      *f)
{
  g_clear_error (&f->closed);
  f->closed = g_error_copy (error);
}

static void
test_handshake_and_ping (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(WaConnection) connection = NULL;
  g_autoptr(WaNode) ping = NULL;
  g_autoptr(GError) error = NULL;

  connection = connect_with_root (f, fakewa_server_get_root_key (f->server), &error);
  g_assert_no_error (error);
  g_assert_true (wa_connection_is_open (connection));
  g_signal_connect (connection, "node", G_CALLBACK (node_cb), f);

  /* The server decrypted exactly the payload we sent. */
  while (f->received_payload == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_bytes_equal (f->received_payload, f->payload));

  ping = wa_node_new_with_attrs ("iq", "id", "ping-1", "type", "get", "xmlns", "w:p",
                                 "to", "s.whatsapp.net", NULL);
  wa_node_add_child (ping, wa_node_new ("ping"));
  g_assert_true (wa_connection_send_node (connection, ping, &error));
  g_assert_no_error (error);

  /* A registering client is first handed its pairing refs. */
  while (f->received == NULL || g_strcmp0 (wa_node_get_attr (f->received, "id"), "ping-1") != 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (wa_node_get_tag (f->received), ==, "iq");
  g_assert_cmpstr (wa_node_get_attr (f->received, "type"), ==, "result");
  g_assert_cmpstr (wa_node_get_attr (f->received, "id"), ==, "ping-1");

  wa_connection_close (connection);
  g_assert_false (wa_connection_is_open (connection));
}

/* A server whose certificates do not lead to the root we trust is not
 * WhatsApp, whatever it says. */
static void
test_wrong_root (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(WaConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  WaKeyPair other;

  wa_key_pair_generate (&other);
  connection = connect_with_root (f, other.pub, &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_HANDSHAKE);
  g_assert_null (connection);
  g_assert_null (f->received_payload);
}

static void
test_server_drops (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(WaConnection) connection = NULL;
  g_autoptr(WaNode) ping = wa_node_new ("iq");
  g_autoptr(GError) error = NULL;

  connection = connect_with_root (f, fakewa_server_get_root_key (f->server), &error);
  g_assert_no_error (error);
  g_signal_connect (connection, "closed", G_CALLBACK (closed_cb), f);
  while (fakewa_server_get_n_clients (f->server) == 0 || f->received_payload == NULL)
    g_main_context_iteration (NULL, TRUE);

  fakewa_server_drop_all (f->server);
  while (f->closed == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (f->closed, WA_ERROR, WA_ERROR_CONNECTION_CLOSED);
  g_assert_false (wa_connection_is_open (connection));
  g_assert_false (wa_connection_send_node (connection, ping, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_CONNECTION_CLOSED);
}

static void
test_nobody_listening (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(WaConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup (fakewa_server_get_url (f->server));
  GAsyncResult *slot = NULL;

  g_clear_object (&f->server);
  wa_connection_connect_async (url, f->credentials->noise_key.pub, &f->credentials->noise_key,
                               f->payload, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  connection = wa_connection_connect_finish (result, &error);
  g_assert_null (connection);
  g_assert_nonnull (error);
}

static void
iq_answered_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GError **error = ((gpointer *)user_data)[1];
  WaNode **answer = ((gpointer *)user_data)[0];

  *answer = wa_connection_send_iq_finish (WA_CONNECTION (object), result, error);
  ((gpointer *)user_data)[2] = GINT_TO_POINTER (TRUE);
}

/* Sends @iq and waits for its answer or its error. */
static WaNode *
request (WaConnection  *connection,
         WaNode        *iq,
         guint          timeout_ms,
         GError       **error)
{
  WaNode *answer = NULL;
  gpointer data[3] = { &answer, error, GINT_TO_POINTER (FALSE) };

  wa_connection_send_iq_async (connection, iq, timeout_ms, NULL, iq_answered_cb, data);
  while (!GPOINTER_TO_INT (data[2]))
    g_main_context_iteration (NULL, TRUE);
  return answer;
}

/* Runs the loop for @ms, the connection staying open. */
static void
keep_alive_for (Fixture      *f,
                WaConnection *connection,
                guint         ms)
{
  gint64 start = g_get_monotonic_time ();

  while (g_get_monotonic_time () - start < ms * 1000)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (wa_connection_is_open (connection));
  g_assert_null (f->closed);
}

static void
assert_silence_is_loss (Fixture      *f,
                        WaConnection *connection)
{
  fakewa_server_set_silent (f->server, TRUE);
  while (f->closed == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (f->closed, WA_ERROR, WA_ERROR_TIMED_OUT);
  g_assert_false (wa_connection_is_open (connection));
}

static void
test_requests_and_keepalive (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(WaConnection) connection = NULL;
  g_autoptr(WaNode) ping = wa_node_new_with_attrs ("iq", "type", "get", "xmlns", "w:p", NULL);
  g_autoptr(WaNode) unknown = wa_node_new_with_attrs ("iq", "type", "get", "xmlns", "nothing", NULL);
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GError) error = NULL;

  connection = connect_with_root (f, fakewa_server_get_root_key (f->server), &error);
  g_assert_no_error (error);
  g_signal_connect (connection, "node", G_CALLBACK (node_cb), f);
  g_signal_connect (connection, "closed", G_CALLBACK (closed_cb), f);

  /* The answer is matched by id and does not reach the "node" signal. */
  wa_node_add_child (ping, wa_node_new ("ping"));
  answer = request (connection, ping, 5000, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (wa_node_get_attr (answer, "type"), ==, "result");
  g_assert_cmpstr (wa_node_get_attr (answer, "id"), ==, wa_node_get_attr (ping, "id"));
  g_assert_true (f->received == NULL || g_strcmp0 (wa_node_get_attr (f->received, "type"), "result") != 0);

  /* A request the server does not support is refused with its code… */
  g_clear_pointer (&answer, wa_node_unref);
  answer = request (connection, unknown, 5000, &error);
  g_assert_null (answer);
  g_assert_error (error, WA_ERROR, WA_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "501"));
  g_clear_error (&error);

  /* …and one nobody answers times out. */
  fakewa_server_set_silent (f->server, TRUE);
  g_clear_pointer (&ping, wa_node_unref);
  ping = wa_node_new_with_attrs ("iq", "type", "get", "xmlns", "w:p", NULL);
  answer = request (connection, ping, 100, &error);
  g_assert_null (answer);
  g_assert_error (error, WA_ERROR, WA_ERROR_TIMED_OUT);
  g_clear_error (&error);
  fakewa_server_set_silent (f->server, FALSE);

  /* Keepalive: answered pings keep the connection… */
  wa_connection_start_keepalive (connection, 30, 200);
  keep_alive_for (f, connection, 300);

  /* …a silent server ends it as lost. */
  assert_silence_is_loss (f, connection);
}

/* While the owner reads nothing, answers wait unread: a ping's, or any
 * request's, is no lost connection. Once it reads again they are heard,
 * and silence is a loss again. */
static void
test_paused_keepalive (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(WaConnection) connection = NULL;
  g_autoptr(WaNode) ping = wa_node_new_with_attrs ("iq", "type", "get", "xmlns", "w:p", NULL);
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  gpointer answered[3] = { &answer, &error, GINT_TO_POINTER (FALSE) };

  connection = connect_with_root (f, fakewa_server_get_root_key (f->server), &error);
  g_assert_no_error (error);
  g_signal_connect (connection, "closed", G_CALLBACK (closed_cb), f);

  wa_connection_start_keepalive (connection, 30, 100);
  wa_connection_set_receiving (connection, FALSE);
  wa_node_add_child (ping, wa_node_new ("ping"));
  /* The request's time runs out well within the pause; after it, the
   * answer must be read within that time again, which a loaded machine
   * could miss were it as short as the keepalive's. */
  wa_connection_send_iq_async (connection, ping, 1000, NULL, iq_answered_cb, answered);
  keep_alive_for (f, connection, 1500);
  g_assert_false (GPOINTER_TO_INT (answered[2]));

  wa_connection_set_receiving (connection, TRUE);
  while (!GPOINTER_TO_INT (answered[2]))
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (error);
  g_assert_cmpstr (wa_node_get_attr (answer, "type"), ==, "result");
  assert_silence_is_loss (f, connection);
}

/* Each stream error tells the owner what to do next (§6.5). */
static void
test_stream_errors (Fixture       *f,
                    gconstpointer  data)
{
  const struct {
    const char *code;
    const char *conflict;
    int         expected;
  } cases[] = {
    { "515", NULL, WA_ERROR_RESTART_REQUIRED },
    { "401", NULL, WA_ERROR_LOGGED_OUT },
    { NULL, "device_removed", WA_ERROR_LOGGED_OUT },
    { NULL, "replaced", WA_ERROR_REPLACED },
    { "503", NULL, WA_ERROR_CONNECTION_CLOSED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WaConnection) connection = NULL;
      g_autoptr(GError) error = NULL;

      g_clear_error (&f->closed);
      g_clear_pointer (&f->received_payload, g_bytes_unref);
      connection = connect_with_root (f, fakewa_server_get_root_key (f->server), &error);
      g_assert_no_error (error);
      g_signal_connect (connection, "closed", G_CALLBACK (closed_cb), f);
      while (f->received_payload == NULL)
        g_main_context_iteration (NULL, TRUE);

      fakewa_server_stream_error (f->server, cases[i].code, cases[i].conflict);
      while (f->closed == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_assert_error (f->closed, WA_ERROR, cases[i].expected);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (wa_crypto_init (&error));

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/wa/connection/handshake-and-ping", test_handshake_and_ping);
  ADD ("/wa/connection/wrong-root", test_wrong_root);
  ADD ("/wa/connection/server-drops", test_server_drops);
  ADD ("/wa/connection/nobody-listening", test_nobody_listening);
  ADD ("/wa/connection/requests-and-keepalive", test_requests_and_keepalive);
  ADD ("/wa/connection/paused-keepalive", test_paused_keepalive);
  ADD ("/wa/connection/stream-errors", test_stream_errors);

  return g_test_run ();
}
