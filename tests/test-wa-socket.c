/* test-wa-socket.c
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

/* The client transport against the fakewa program in another process,
 * over a real loopback socket, with the server steered through its
 * control channel (standard input) the way tests of other clients will
 * steer it; and the handshake's deadline and cancellation against a
 * server that never answers it. */

typedef struct
{
  GSubprocess      *fakewa;
  GOutputStream    *control;
  GDataInputStream *output;
  char             *url;
  GBytes           *root;
  WaCredentials    *credentials;
  GBytes           *payload;
  GPtrArray        *nodes;     /* WaNode*, not answering a request */
  GError           *closed;
} Fixture;

/* A line the program printed, without its prefix. */
static char *
read_output (Fixture    *f,
             const char *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_utf8 (f->output, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, prefix));
  return g_strdup (line + strlen (prefix));
}

static void
command (Fixture    *f,
         const char *line)
{
  g_autofree char *with_end = g_strconcat (line, "\n", NULL);
  g_autofree char *answer = NULL;
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (f->control, with_end, strlen (with_end), NULL, NULL, &error);
  g_assert_no_error (error);
  answer = read_output (f, "");
  g_assert_cmpstr (answer, ==, "ok");
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char *program = g_getenv ("XI_FAKEWA");
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  WaClientInfo info;

  g_assert_nonnull (program);
  f->fakewa = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                program, NULL);
  g_assert_no_error (error);
  f->control = g_subprocess_get_stdin_pipe (f->fakewa);
  f->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->fakewa));

  f->url = read_output (f, "url ");
  g_assert_true (g_str_has_prefix (f->url, "ws://127.0.0.1:"));
  root = read_output (f, "root ");
  f->root = xi_test_bytes_from_hex (root);
  g_assert_cmpuint (g_bytes_get_size (f->root), ==, WA_KEY_LEN);

  f->credentials = wa_credentials_generate ();
  wa_client_info_init (&info);
  f->payload = wa_client_payload_registration (&info, f->credentials, &error);
  g_assert_no_error (error);
  f->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify)wa_node_unref);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* The program ends when its control channel closes. */
  if (f->fakewa != NULL)
    {
      g_output_stream_close (f->control, NULL, &error);
      g_assert_no_error (error);
      g_subprocess_wait_check (f->fakewa, NULL, &error);
      g_assert_no_error (error);
    }
  g_clear_object (&f->output);
  g_clear_object (&f->fakewa);
  g_free (f->url);
  g_bytes_unref (f->root);
  wa_credentials_free (f->credentials);
  g_bytes_unref (f->payload);
  g_ptr_array_unref (f->nodes);
  g_clear_error (&f->closed);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
node_cb (WaConnection *connection,
         WaNode       *node,
         Fixture      *f)
{
  g_ptr_array_add (f->nodes, wa_node_ref (node));
}

static void
closed_cb (WaConnection *connection,
           const GError *error,
           Fixture      *f)
{
  g_clear_error (&f->closed);
  f->closed = g_error_copy (error);
}

static WaConnection *
connect_to (Fixture       *f,
            const char    *url,
            const guint8  *root_key,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  WaConnection *connection;
  GAsyncResult *slot = NULL;

  wa_connection_connect_async (url, root_key, &f->credentials->noise_key, f->payload, cancellable,
                               xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  connection = wa_connection_connect_finish (result, error);
  if (connection != NULL)
    {
      g_signal_connect (connection, "node", G_CALLBACK (node_cb), f);
      g_signal_connect (connection, "closed", G_CALLBACK (closed_cb), f);
    }
  return connection;
}

static WaConnection *
connect_to_program (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  WaConnection *connection = connect_to (f, f->url, g_bytes_get_data (f->root, NULL), NULL, &error);

  g_assert_no_error (error);
  return connection;
}

typedef struct
{
  WaNode   *answer;
  GError   *error;
  gboolean  done;
} Request;

static void
iq_answered_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Request *request = user_data;

  request->answer = wa_connection_send_iq_finish (WA_CONNECTION (object), result, &request->error);
  request->done = TRUE;
}

/* Sends a ping, in Baileys' form (<ping/>) or whatsmeow's (no child),
 * and waits for its answer or its error. */
static WaNode *
ping (WaConnection  *connection,
      gboolean       with_child,
      GError       **error)
{
  g_autoptr(WaNode) iq = wa_node_new_with_attrs ("iq", "to", "@s.whatsapp.net", "type", "get",
                                                 "xmlns", "w:p", NULL);
  Request request = { 0 };

  if (with_child)
    wa_node_add_child (iq, wa_node_new ("ping"));
  wa_connection_send_iq_async (connection, iq, 5000, NULL, iq_answered_cb, &request);
  while (!request.done)
    g_main_context_iteration (NULL, TRUE);
  if (request.error != NULL)
    g_propagate_error (error, request.error);
  return request.answer;
}

static void
assert_pong (WaConnection *connection,
             gboolean      with_child)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WaNode) answer = ping (connection, with_child, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (wa_node_get_tag (answer), ==, "iq");
  g_assert_cmpstr (wa_node_get_attr (answer, "type"), ==, "result");
  g_assert_cmpstr (wa_node_get_attr (answer, "from"), ==, "@s.whatsapp.net");
}

static void
wait_closed (Fixture *f)
{
  while (f->closed == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_ping (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(WaConnection) connection = connect_to_program (f);

  assert_pong (connection, TRUE);
  assert_pong (connection, FALSE);
  g_assert_true (wa_connection_is_open (connection));
}

static void
run_for (guint ms)
{
  gint64 start = g_get_monotonic_time ();

  while (g_get_monotonic_time () - start < ms * 1000)
    g_main_context_iteration (NULL, FALSE);
}

/* A registering client is handed the refs its QR codes are made of
 * (§5.1), in the iq the real server sends right after the handshake. It
 * is not lost on an owner that takes its time to pick the connection up
 * while the main loop runs, as a busy or slow one does. */
static void
test_pairing_refs (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(WaConnection) connection = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) refs = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  WaNode *iq, *pair_device;

  wa_connection_connect_async (f->url, g_bytes_get_data (f->root, NULL), &f->credentials->noise_key,
                               f->payload, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  run_for (300);
  connection = wa_connection_connect_finish (result, &error);
  g_assert_no_error (error);
  g_signal_connect (connection, "node", G_CALLBACK (node_cb), f);

  while (f->nodes->len == 0)
    g_main_context_iteration (NULL, TRUE);
  iq = g_ptr_array_index (f->nodes, 0);
  g_assert_cmpstr (wa_node_get_tag (iq), ==, "iq");
  g_assert_cmpstr (wa_node_get_attr (iq, "type"), ==, "set");
  g_assert_cmpstr (wa_node_get_attr (iq, "xmlns"), ==, "md");
  g_assert_cmpstr (wa_node_get_attr (iq, "from"), ==, "@s.whatsapp.net");
  g_assert_nonnull (wa_node_get_attr (iq, "id"));
  pair_device = wa_node_get_child_by_tag (iq, "pair-device");
  g_assert_nonnull (pair_device);
  refs = wa_node_get_children_by_tag (pair_device, "ref");
  g_assert_nonnull (refs);
  g_assert_cmpuint (refs->len, ==, 6);
  for (guint i = 0; i < refs->len; i++)
    {
      GBytes *ref = wa_node_get_content_bytes (g_ptr_array_index (refs, i));

      g_assert_nonnull (ref);
      g_assert_cmpuint (g_bytes_get_size (ref), >, 2);
      g_assert_cmpmem (g_bytes_get_data (ref, NULL), 2, "2@", 2);
    }
}

/* A server whose certificates do not lead to the root we trust is not
 * WhatsApp, whatever it says. */
static void
test_wrong_root (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(WaConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  guint8 root[WA_KEY_LEN];

  memcpy (root, g_bytes_get_data (f->root, NULL), WA_KEY_LEN);
  root[WA_KEY_LEN - 1] ^= 0x01;
  connection = connect_to (f, f->url, root, NULL, &error);
  g_assert_null (connection);
  g_assert_error (error, WA_ERROR, WA_ERROR_HANDSHAKE);
}

static void
test_drop (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(WaConnection) connection = connect_to_program (f);
  g_autoptr(GError) error = NULL;

  assert_pong (connection, TRUE);
  command (f, "drop");
  wait_closed (f);
  g_assert_error (f->closed, WA_ERROR, WA_ERROR_CONNECTION_CLOSED);
  g_assert_false (wa_connection_is_open (connection));
  g_assert_null (ping (connection, TRUE, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_CONNECTION_CLOSED);
}

/* The request the network took down with it fails with the connection,
 * not with a timeout much later. */
static void
test_drop_after (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(WaConnection) connection = connect_to_program (f);
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GError) error = NULL;

  assert_pong (connection, TRUE);
  command (f, "drop-after 2");
  assert_pong (connection, TRUE);
  g_assert_null (f->closed);

  answer = ping (connection, TRUE, &error);
  g_assert_null (answer);
  g_assert_error (error, WA_ERROR, WA_ERROR_CONNECTION_CLOSED);
  wait_closed (f);
  g_assert_error (f->closed, WA_ERROR, WA_ERROR_CONNECTION_CLOSED);

  /* It happens once: the next connection stays up. */
  g_clear_error (&f->closed);
  g_clear_object (&connection);
  connection = connect_to_program (f);
  assert_pong (connection, TRUE);
  assert_pong (connection, TRUE);
  g_assert_null (f->closed);
}

static void
test_stream_error (Fixture       *f,
                   gconstpointer  data)
{
  const struct {
    const char *command;
    int         expected;
  } cases[] = {
    { "stream-error 515", WA_ERROR_RESTART_REQUIRED },
    { "stream-error 401", WA_ERROR_LOGGED_OUT },
    { "stream-error - replaced", WA_ERROR_REPLACED },
    { "stream-error 503", WA_ERROR_CONNECTION_CLOSED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WaConnection) connection = connect_to_program (f);

      /* An answered ping: the server is past the handshake, where stream
       * errors are sent. */
      assert_pong (connection, TRUE);
      g_clear_error (&f->closed);
      command (f, cases[i].command);
      wait_closed (f);
      g_assert_error (f->closed, WA_ERROR, cases[i].expected);
    }
}

/* A server that opens the WebSocket and then never answers the
 * ClientHello, in this process: the program is not needed. */
static FakewaServer *
start_mute_server (void)
{
  g_autoptr(GError) error = NULL;
  FakewaServer *server = fakewa_server_new (&error);

  g_assert_no_error (error);
  fakewa_server_hold_handshakes (server, TRUE);
  return server;
}

static void
test_handshake_cancelled (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(FakewaServer) server = start_mute_server ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(WaConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  wa_connection_connect_async (fakewa_server_get_url (server), fakewa_server_get_root_key (server),
                               &f->credentials->noise_key, f->payload, cancellable,
                               xi_test_store_result_cb, &slot);
  while (fakewa_server_get_n_clients (server) == 0)
    g_main_context_iteration (NULL, TRUE);
  /* Time for the client to see the upgrade and send its ClientHello,
   * so the cancel lands in the handshake, past libsoup's part. */
  run_for (200);
  g_assert_null (slot);

  g_cancellable_cancel (cancellable);
  result = xi_test_wait_result (&slot);
  connection = wa_connection_connect_finish (result, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Waits out the full deadline of the real clients, so only in slow runs
 * (-m slow). */
static void
test_handshake_deadline (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(FakewaServer) server = NULL;
  g_autoptr(WaConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  if (!g_test_slow ())
    {
      g_test_skip ("waits 20 s; run with -m slow");
      return;
    }

  server = start_mute_server ();
  start = g_get_monotonic_time ();
  connection = connect_to (f, fakewa_server_get_url (server), fakewa_server_get_root_key (server), NULL,
                           &error);
  g_assert_null (connection);
  g_assert_error (error, WA_ERROR, WA_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, (WA_CONNECTION_HANDSHAKE_TIMEOUT_MS - 100) * 1000);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (wa_crypto_init (&error));

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/wa/socket/ping", test_ping);
  ADD ("/wa/socket/pairing-refs", test_pairing_refs);
  ADD ("/wa/socket/wrong-root", test_wrong_root);
  ADD ("/wa/socket/drop", test_drop);
  ADD ("/wa/socket/drop-after", test_drop_after);
  ADD ("/wa/socket/stream-error", test_stream_error);
  ADD ("/wa/socket/handshake-cancelled", test_handshake_cancelled);
  ADD ("/wa/socket/handshake-deadline", test_handshake_deadline);

  return g_test_run ();
}
