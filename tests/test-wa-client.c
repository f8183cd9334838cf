/* test-wa-client.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fakewa-server.h"
#include "wa-account-status.h"
#include "wa-client-payload.h"
#include "wa-handshake.pb-c.h"
#include "wa-client.h"
#include "wa-credentials.h"
#include "wa-error.h"
#include "wa-prekeys.h"
#include "wa-pairing.h"
#include "wa-usync.h"
#include "xi-fake-monitor.h"
#include "xi-test-utils.h"

/* A device's whole connection life against the fake server: linking by
 * QR, the restart and login, reconnecting after a drop or a silent link,
 * and the ends that must not reconnect (unlinked, replaced). */

typedef struct
{
  FakewaServer *server;
  WaKeyStore   *store;
  WaClient     *client;
  char         *qr;
  GArray       *states;
} Fixture;

static void
qr_cb (WaClient   *client,
       const char *qr,
       Fixture    *f)
{
  g_free (f->qr);
  f->qr = g_strdup (qr);
}

static void
state_cb (WaClient   *client,
          GParamSpec *pspec,
          Fixture    *f)
{
  int state = wa_client_get_state (client);

  g_array_append_val (f->states, state);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->server = fakewa_server_new (&error);
  g_assert_no_error (error);
  f->store = wa_memory_key_store_new ();
  f->states = g_array_new (FALSE, FALSE, sizeof (int));
  f->client = wa_client_new (f->store, fakewa_server_get_url (f->server), fakewa_server_get_root_key (f->server));
  wa_client_set_backoff (f->client, 20, 200);
  g_signal_connect (f->client, "qr", G_CALLBACK (qr_cb), f);
  g_signal_connect (f->client, "notify::state", G_CALLBACK (state_cb), f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->client);
  g_clear_object (&f->server);
  g_clear_object (&f->store);
  g_clear_pointer (&f->qr, g_free);
  g_array_unref (f->states);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Links the client as a device of 6281234567890. */
static void
link_device (Fixture *f)
{
  fakewa_server_link_client (f->server, f->client, "6281234567890");
}

static void
test_link_then_log_in (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *saved = NULL;
  g_autofree char *lid = NULL;

  link_device (f);
  g_assert_cmpstr (wa_client_get_device_jid (f->client), ==, "6281234567890:1@s.whatsapp.net");
  /* Logged in, it gave the server a first batch of prekeys (§6.3). */
  g_assert_cmpuint (fakewa_server_get_prekey_count (f->server, "6281234567890:1@s.whatsapp.net"), ==, 812);
  {
    g_autoptr(GPtrArray) prekeys = wa_key_store_list (f->store, "prekey");

    g_assert_cmpuint (prekeys->len, ==, 812);
  }
  saved = wa_pairing_load_device_jid (f->store);
  g_assert_cmpstr (saved, ==, "6281234567890:1@s.whatsapp.net");
  /* The LID pair-success named is kept beside it, and <success> agrees. */
  lid = fakewa_server_dup_device_lid (f->server, saved);
  g_assert_cmpstr (wa_client_get_lid (f->client), ==, lid);
  g_clear_pointer (&saved, g_free);
  saved = wa_pairing_load_lid (f->store);
  g_assert_cmpstr (saved, ==, lid);

  /* A new client on the same keys logs straight in, no QR. */
  g_clear_object (&f->client);
  g_clear_pointer (&f->qr, g_free);
  f->client = wa_client_new (f->store, fakewa_server_get_url (f->server), fakewa_server_get_root_key (f->server));
  g_signal_connect (f->client, "qr", G_CALLBACK (qr_cb), f);
  wa_client_start (f->client);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_CONNECTED);
  g_assert_null (f->qr);
  g_assert_cmpstr (wa_client_get_lid (f->client), ==, lid);
  /* Enough prekeys are left on the server: none more. */
  g_assert_cmpuint (fakewa_server_get_prekey_count (f->server, "6281234567890:1@s.whatsapp.net"), ==, 812);
}

static void
test_reconnects (Fixture       *f,
                 gconstpointer  data)
{
  link_device (f);

  /* A dropped socket: wait a little, come back, log in again. */
  g_array_set_size (f->states, 0);
  fakewa_server_drop_all (f->server);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_WAITING);
  g_assert_nonnull (wa_client_get_last_error (f->client));
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_CONNECTED);

  /* A server restarting (503) is the same. */
  fakewa_server_stream_error (f->server, "503", NULL);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_WAITING);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_CONNECTED);

  /* A link that goes silent is noticed by the keepalive. */
  wa_client_set_keepalive (f->client, 30, 100);
  fakewa_server_drop_all (f->server);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_WAITING);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_CONNECTED);
  fakewa_server_set_silent (f->server, TRUE);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_WAITING);
  g_assert_nonnull (strstr (wa_client_get_last_error (f->client), "lost"));
  fakewa_server_set_silent (f->server, FALSE);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_CONNECTED);
}

/* The end of the (empty) backlog, <ib><offline/>, may be handled before
 * the answer to <active/>, as when both come in one read: every
 * connection still ends caught up, at once rather than after a
 * campaign's grace of seconds. */
static void
test_caught_up_every_login (Fixture       *f,
                            gconstpointer  data)
{
  link_device (f);
  fakewa_server_set_backlog_first (f->server, TRUE);
  for (guint i = 0; i < 3; i++)
    {
      gint64 deadline;

      fakewa_server_drop_all (f->server);
      fakewa_wait_for_client (f->client, WA_CLIENT_STATE_WAITING);
      fakewa_wait_for_client (f->client, WA_CLIENT_STATE_CONNECTED);
      deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
      while (!wa_client_get_caught_up (f->client) && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, FALSE);
      g_assert_true (wa_client_get_caught_up (f->client));
    }
}

static void
test_server_gone_backs_off (Fixture       *f,
                            gconstpointer  data)
{
  guint waits = 0;

  link_device (f);
  g_clear_object (&f->server);

  /* Each failed try waits again, longer each time up to the ceiling. */
  while (waits < 4)
    {
      fakewa_wait_for_client (f->client, WA_CLIENT_STATE_WAITING);
      waits++;
      fakewa_wait_for_client (f->client, WA_CLIENT_STATE_CONNECTING);
    }
  g_assert_cmpuint (wa_client_get_retry_in (f->client), <=, 1);
  wa_client_stop (f->client);
  g_assert_cmpint (wa_client_get_state (f->client), ==, WA_CLIENT_STATE_STOPPED);
}

static void
test_unlinked_and_replaced (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) keys = NULL;

  link_device (f);

  /* Another connection took over: stop, do not fight it. */
  fakewa_server_stream_error (f->server, NULL, "replaced");
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_REPLACED);
  g_usleep (100 * 1000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (wa_client_get_state (f->client), ==, WA_CLIENT_STATE_REPLACED);

  /* Unlinked from the phone: the keys go, the next start links anew. */
  wa_client_start (f->client);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_CONNECTED);
  fakewa_server_stream_error (f->server, "401", NULL);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_LOGGED_OUT);
  keys = wa_key_store_list (f->store, "device");
  g_assert_cmpuint (keys->len, ==, 0);

  g_clear_pointer (&f->qr, g_free);
  wa_client_start (f->client);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_PAIRING);
  g_assert_nonnull (f->qr);
}

static void
unlinked_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (wa_client_unlink_finish (WA_CLIENT (object), result, NULL, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
unlink_and_wait (Fixture *f)
{
  gboolean done = FALSE;

  wa_client_unlink_async (f->client, NULL, unlinked_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* "Unlink" here: the server is told and forgets the device, the keys go,
 * and the device cannot log in as itself again. Offline, the keys go all
 * the same. */
static void
test_unlink (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;

  link_device (f);
  unlink_and_wait (f);
  g_assert_cmpint (wa_client_get_state (f->client), ==, WA_CLIENT_STATE_LOGGED_OUT);
  g_assert_null (wa_client_get_device_jid (f->client));
  g_assert_null (wa_client_get_lid (f->client));
  keys = wa_key_store_list (f->store, "device");
  g_assert_cmpuint (keys->len, ==, 0);
  g_assert_cmpuint (fakewa_server_get_prekey_count (f->server, "6281234567890:1@s.whatsapp.net"), ==, 0);

  /* Linked again, then unlinked while the server is away. */
  g_clear_pointer (&f->qr, g_free);
  wa_client_start (f->client);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_PAIRING);
  g_assert_true (fakewa_server_scan (f->server, f->qr, "6281234567890", &error));
  g_assert_no_error (error);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_CONNECTED);
  g_assert_cmpstr (wa_client_get_device_jid (f->client), ==, "6281234567890:2@s.whatsapp.net");
  g_clear_object (&f->server);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_WAITING);
  unlink_and_wait (f);
  g_assert_cmpint (wa_client_get_state (f->client), ==, WA_CLIENT_STATE_LOGGED_OUT);
  g_clear_pointer (&keys, g_ptr_array_unref);
  keys = wa_key_store_list (f->store, "device");
  g_assert_cmpuint (keys->len, ==, 0);
}

static void
request_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static WaNode *
request (WaClient *client,
         WaNode   *iq,
         guint     timeout_ms,
         GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  WaConnection *connection = wa_client_get_connection (client);

  wa_connection_send_iq_async (connection, iq, timeout_ms, NULL, request_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return wa_connection_send_iq_finish (connection, result, error);
}

/* The fake server knows who is on WhatsApp, their devices and their
 * LIDs, and our usync queries read its answers (§7.2, §9). */
static void
test_usync (Fixture       *f,
            gconstpointer  data)
{
  const char *phones[] = { "6281234567890", "6285700000001", "6289999999999", NULL };
  const char *users[] = { "6281234567890@s.whatsapp.net", "6285700000001@s.whatsapp.net", NULL };
  g_autoptr(WaNode) contacts = wa_usync_contacts_request (phones);
  g_autoptr(WaNode) devices = wa_usync_devices_request (users);
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lid = NULL;
  g_autofree char *lid_user = NULL;
  WaContactCheck *check;

  link_device (f);
  fakewa_server_add_account (f->server, "6285700000001");

  answer = request (f->client, contacts, 5000, &error);
  g_assert_no_error (error);
  checks = wa_usync_parse_contacts (answer, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (checks->len, ==, 3);

  /* The linked account: on WhatsApp, with the LID pair-success named. */
  check = g_ptr_array_index (checks, 0);
  g_assert_cmpstr (check->phone, ==, "6281234567890");
  g_assert_true (check->on_whatsapp);
  g_assert_cmpstr (check->jid, ==, "6281234567890@s.whatsapp.net");
  lid = fakewa_server_dup_device_lid (f->server, "6281234567890:1@s.whatsapp.net");
  lid_user = g_strdup_printf ("%.*s@lid", (int) (strchr (lid, ':') - lid), lid);
  g_assert_cmpstr (check->lid, ==, lid_user);
  /* An account with no companion, and a number not on WhatsApp. */
  g_assert_true (((WaContactCheck *) g_ptr_array_index (checks, 1))->on_whatsapp);
  check = g_ptr_array_index (checks, 2);
  g_assert_false (check->on_whatsapp);
  g_assert_null (check->lid);

  /* Devices: each account's phone, and the companion of the first. */
  g_clear_pointer (&answer, wa_node_unref);
  answer = request (f->client, devices, 5000, &error);
  g_assert_no_error (error);
  listed = wa_usync_parse_devices (answer, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (listed, 0), ==, "6281234567890@s.whatsapp.net");
  g_assert_cmpstr (g_ptr_array_index (listed, 1), ==, "6281234567890:1@s.whatsapp.net");
  g_assert_cmpstr (g_ptr_array_index (listed, 2), ==, "6285700000001@s.whatsapp.net");
}

/* A refused login says why, and the client reacts as the reason asks
 * (§6.1): the server's trouble is retried, a ban ends the session, an
 * outdated client stops. */
static void
test_refused_logins (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;

  link_device (f);

  fakewa_server_refuse_logins (f->server, "503");
  fakewa_server_drop_all (f->server);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_WAITING);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_CONNECTING);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_WAITING);
  g_assert_nonnull (strstr (wa_client_get_last_error (f->client), "503"));
  fakewa_server_refuse_logins (f->server, NULL);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_CONNECTED);

  /* Banned for a while: its own state, with the code and the end, and
   * the next try waits until the ban ends. */
  fakewa_server_ban_for (f->server, 3);
  fakewa_server_drop_all (f->server);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_WAITING);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_CONNECTING);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_TEMPORARILY_BANNED);
  g_assert_nonnull (strstr (wa_client_get_last_error (f->client), "for a while"));
  g_assert_cmpuint (wa_client_get_retry_in (f->client), ==, 3);
  g_assert_cmpstr (wa_client_get_ban_code (f->client), ==, "101");
  g_assert_cmpint (wa_client_get_ban_until (f->client), >=, g_get_real_time () / G_USEC_PER_SEC + 2);
  g_assert_cmpint (wa_client_get_ban_until (f->client), <=, g_get_real_time () / G_USEC_PER_SEC + 3);
  fakewa_server_refuse_logins (f->server, NULL);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_CONNECTED);

  /* Too old: its own state, and no loop of retries. */
  fakewa_server_refuse_logins (f->server, "405");
  fakewa_server_drop_all (f->server);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_OUTDATED);
  g_assert_nonnull (strstr (wa_client_get_last_error (f->client), "no longer accepts"));

  fakewa_server_refuse_logins (f->server, "403");
  wa_client_start (f->client);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_BANNED);
  g_assert_nonnull (strstr (wa_client_get_last_error (f->client), "banned"));
  keys = wa_key_store_list (f->store, "device");
  g_assert_cmpuint (keys->len, ==, 0);
}

static void
payload_cb (FakewaServer *server,
            GBytes       *payload,
            GBytes      **last)
{
  g_clear_pointer (last, g_bytes_unref);
  *last = g_bytes_ref (payload);
}

/* The version announced is a setting: the next login carries it. */
static void
test_app_version (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) last = NULL;
  WaHandshake__ClientPayload *payload;
  const guint32 version[3] = { 2, 3000, 1099999999 };
  guint32 parsed[3];
  g_autoptr(GError) error = NULL;

  g_assert_true (wa_app_version_parse ("2.3000.1099999999", parsed, &error));
  g_assert_cmpmem (parsed, sizeof parsed, version, sizeof version);
  g_assert_false (wa_app_version_parse ("2.3000", parsed, NULL));
  g_assert_false (wa_app_version_parse ("2.3000.x", parsed, NULL));
  g_assert_false (wa_app_version_parse ("2..3", parsed, NULL));
  g_assert_false (wa_app_version_parse ("2.3000.99999999999", parsed, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);

  link_device (f);
  g_signal_connect (f->server, "client-payload", G_CALLBACK (payload_cb), &last);
  wa_client_set_app_version (f->client, version);
  fakewa_server_drop_all (f->server);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_WAITING);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_CONNECTED);
  g_assert_nonnull (last);
  payload = wa_handshake__client_payload__unpack (NULL, g_bytes_get_size (last), g_bytes_get_data (last, NULL));
  g_assert_nonnull (payload);
  g_assert_cmpuint (payload->user_agent->app_version->primary, ==, 2);
  g_assert_cmpuint (payload->user_agent->app_version->secondary, ==, 3000);
  g_assert_cmpuint (payload->user_agent->app_version->tertiary, ==, 1099999999);
  wa_handshake__client_payload__free_unpacked (payload, NULL);
  g_signal_handlers_disconnect_by_data (f->server, &last);
}

/* A slow server: answers come late but in order, and a client that
 * waits long enough gets them. */
static void
test_slow_server (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(WaNode) first = wa_node_new_with_attrs ("iq", "type", "get", "xmlns", "w:p", NULL);
  g_autoptr(WaNode) second = wa_node_new_with_attrs ("iq", "type", "get", "xmlns", "w:p", NULL);
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  link_device (f);
  fakewa_server_set_reply_delay (f->server, 300);

  answer = request (f->client, first, 100, &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_TIMED_OUT);
  g_clear_error (&error);

  start = g_get_monotonic_time ();
  answer = request (f->client, second, 2000, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (wa_node_get_attr (answer, "id"), ==, wa_node_get_attr (second, "id"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * 1000);
}

static void
relayed_cb (FakewaServer *server,
            const char   *from,
            const char   *to,
            const char   *type,
            GPtrArray    *relays)
{
  g_ptr_array_add (relays, g_strdup_printf ("%s %s %s", from, to, type));
}

static WaNode *
send_message (WaClient *client,
              WaNode   *message,
              GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  WaConnection *connection = wa_client_get_connection (client);

  wa_connection_send_message_async (connection, message, 5000, NULL, request_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return wa_connection_send_message_finish (connection, result, error);
}

static WaNode *
test_message (const char *id)
{
  WaNode *message = wa_node_new_with_attrs ("message", "id", id, "type", "text",
                                            "to", "6285700000001@s.whatsapp.net", NULL);
  WaNode *participants = wa_node_add_child (message, wa_node_new ("participants"));
  WaNode *to = wa_node_add_child (participants, wa_node_new_with_attrs ("to", "jid", "6285700000001@s.whatsapp.net",
                                                                        NULL));
  WaNode *enc = wa_node_add_child (to, wa_node_new_with_attrs ("enc", "v", "2", "type", "pkmsg", NULL));

  wa_node_set_content_data (enc, (const guint8 *) "\x33opaque", 7);
  return message;
}

/* Only the server's ack says it took a message (§7.8); a refusal says
 * why, and a refused message goes nowhere. */
static void
test_message_acks (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) relays = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(WaNode) first = test_message ("3EB0000000000000000001");
  g_autoptr(WaNode) second = test_message ("3EB0000000000000000002");
  g_autoptr(WaNode) third = test_message ("3EB0000000000000000003");
  g_autoptr(WaNode) ack = NULL;
  g_autoptr(GError) error = NULL;

  link_device (f);
  fakewa_server_add_account (f->server, "6285700000001");
  g_signal_connect (f->server, "relayed", G_CALLBACK (relayed_cb), relays);

  ack = send_message (f->client, first, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (wa_node_get_attr (ack, "class"), ==, "message");
  g_assert_cmpstr (wa_node_get_attr (ack, "id"), ==, "3EB0000000000000000001");
  g_assert_cmpuint (relays->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (relays, 0), ==,
                   "6281234567890:1@s.whatsapp.net 6285700000001@s.whatsapp.net pkmsg");

  fakewa_server_refuse_messages (f->server, "463");
  g_clear_pointer (&ack, wa_node_unref);
  ack = send_message (f->client, second, &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_NEEDS_PRIVACY_TOKEN);
  g_clear_error (&error);

  fakewa_server_refuse_messages (f->server, "479");
  ack = send_message (f->client, third, &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_INVALID_STANZA);
  g_assert_nonnull (strstr (error->message, "479"));
  g_assert_cmpuint (relays->len, ==, 1);
}

/* Losing the network ends the connection at once; getting it back
 * reconnects at once, whatever the backoff had reached. */
static void
test_network_changes (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) monitor = xi_fake_monitor_new ();

  wa_client_set_backoff (f->client, 60000, 60000);
  wa_client_set_network_monitor (f->client, G_NETWORK_MONITOR (monitor));
  link_device (f);

  xi_fake_monitor_set_available (XI_FAKE_MONITOR (monitor), FALSE);
  g_assert_cmpint (wa_client_get_state (f->client), ==, WA_CLIENT_STATE_WAITING);
  g_assert_cmpstr (wa_client_get_last_error (f->client), ==, "No network");
  g_assert_cmpuint (wa_client_get_retry_in (f->client), >=, 30);

  /* Without the monitor the next try would be half a minute away. */
  xi_fake_monitor_set_available (XI_FAKE_MONITOR (monitor), TRUE);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_CONNECTED);
}

static gboolean
topped_up (Fixture       *f,
           const char    *jid)
{
  return fakewa_server_get_prekey_count (f->server, jid) == 2 + 50 && fakewa_server_get_n_acks (f->server) == 1;
}

/* The server's "prekeys low" notification is acknowledged and answered
 * with a top-up (§6.3, §6.6). */
static void
test_prekeys_low (Fixture       *f,
                  gconstpointer  data)
{
  const char *jid = "6281234567890:1@s.whatsapp.net";
  gint64 deadline;

  link_device (f);
  fakewa_server_report_prekeys_low (f->server, jid);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!topped_up (f, jid))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  {
    g_autoptr(GPtrArray) prekeys = wa_key_store_list (f->store, "prekey");

    g_assert_cmpuint (prekeys->len, ==, 812 + 50);
  }
}

static gboolean
all_acknowledged (Fixture *f,
                  guint    n)
{
  return fakewa_server_get_n_acks (f->server) == n &&
         fakewa_server_get_prekey_count (f->server, "6281234567890:1@s.whatsapp.net") > 2;
}

/* A burst of "prekeys low" notifications, as a server that repeats
 * itself (or a hostile one) sends, is one shortage: one top-up, not one
 * per notification, each of which would make and keep fifty keys. */
static void
test_prekeys_low_flood (Fixture       *f,
                        gconstpointer  data)
{
  const char *jid = "6281234567890:1@s.whatsapp.net";
  gint64 deadline;

  link_device (f);
  for (guint i = 0; i < 20; i++)
    fakewa_server_report_prekeys_low (f->server, jid);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!all_acknowledged (f, 20))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  /* Whatever else the burst set off has had time to reach the server. */
  deadline = g_get_monotonic_time () + 300 * 1000;
  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (fakewa_server_get_prekey_count (f->server, jid), ==, 2 + 50);
  {
    g_autoptr(GPtrArray) prekeys = wa_key_store_list (f->store, "prekey");

    g_assert_cmpuint (prekeys->len, ==, 812 + 50);
  }
}

/* A <success> the server sends twice for one login starts one session:
 * one first batch of prekeys, not two. */
static void
test_success_repeated (Fixture       *f,
                       gconstpointer  data)
{
  const char *jid = "6281234567890:1@s.whatsapp.net";
  g_autoptr(GPtrArray) prekeys = NULL;
  gint64 deadline;

  fakewa_server_set_repeat_success (f->server, TRUE);
  link_device (f);
  /* Whatever the second one set off has had time to reach the server. */
  deadline = g_get_monotonic_time () + 300 * 1000;
  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (wa_client_get_state (f->client), ==, WA_CLIENT_STATE_CONNECTED);
  g_assert_cmpuint (fakewa_server_get_prekey_count (f->server, jid), ==, 812);
  prekeys = wa_key_store_list (f->store, "prekey");
  g_assert_cmpuint (prekeys->len, ==, 812);
}

static gint64
test_clock (gpointer user_data)
{
  return *(gint64 *)user_data;
}

/* Until the server hands out signed prekey @id and the client took it
 * as its own. */
static void
wait_for_signed_prekey (Fixture    *f,
                        const char *jid,
                        guint32     id)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (fakewa_server_get_signed_prekey_id (f->server, jid) != id ||
         wa_client_get_credentials (f->client)->signed_pre_key_id != id)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* WA-FIDELITY §5: 27 days on (an injected clock), the next login
 * replaces the signed prekey, the server hands out the new one, the old
 * one is kept, and a login before the next 27 days changes nothing. */
static void
test_signed_prekey_rotation (Fixture       *f,
                             gconstpointer  data)
{
  const char *jid = "6281234567890:1@s.whatsapp.net";
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GBytes) kept = NULL;

  wa_client_set_clock (f->client, test_clock, &now);
  link_device (f);
  g_assert_cmpuint (fakewa_server_get_signed_prekey_id (f->server, jid), ==, 1);

  now += WA_PREKEYS_ROTATE_INTERVAL_S + 60;
  fakewa_server_drop_all (f->server);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_WAITING);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_CONNECTED);
  wait_for_signed_prekey (f, jid, 2);
  g_assert_cmpuint (wa_client_get_credentials (f->client)->signed_pre_key_id, ==, 2);
  kept = wa_key_store_load (f->store, "signed-prekey", "1");
  g_assert_nonnull (kept);

  now += 24 * 60 * 60;
  fakewa_server_drop_all (f->server);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_WAITING);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_CONNECTED);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (fakewa_server_get_signed_prekey_id (f->server, jid), ==, 2);
}

static gboolean
reuploaded (Fixture    *f,
            const char *jid,
            guint       count)
{
  return fakewa_server_get_prekey_count (f->server, jid) == count;
}

/* The server lists prekeys this device no longer holds: the digest
 * check after login does not match, and the device uploads again. */
static void
test_digest_mismatch (Fixture       *f,
                      gconstpointer  data)
{
  const char *jid = "6281234567890:1@s.whatsapp.net";
  gint64 deadline;

  link_device (f);
  g_assert_cmpuint (fakewa_server_get_prekey_count (f->server, jid), ==, 812);
  wa_key_store_remove (f->store, "prekey", "7");
  fakewa_server_drop_all (f->server);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_WAITING);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_CONNECTED);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!reuploaded (f, jid, 812 + WA_PREKEYS_TOP_UP))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static gboolean
all_clean (Fixture    *f,
           const char *jid)
{
  return fakewa_server_count_dirty (f->server, jid) == 0;
}

/* Each dirty bit the server sets is cleaned with its type and
 * timestamp (WA-FIDELITY §8), or the server keeps it set. */
static void
test_dirty_bits (Fixture       *f,
                 gconstpointer  data)
{
  const char *jid = "6281234567890:1@s.whatsapp.net";
  const char *types[] = { "account_sync", "groups", "syncd_app_state", "newsletter_metadata" };
  gint64 deadline;

  link_device (f);
  while (!wa_client_get_caught_up (f->client))
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    fakewa_server_mark_dirty (f->server, jid, types[i]);
  g_assert_cmpuint (fakewa_server_count_dirty (f->server, jid), ==, G_N_ELEMENTS (types));
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!all_clean (f, jid))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* What a connection keeps for "status": each saved state with its time,
 * a temporary ban's end and code (tabs cannot break the record), the
 * time-lock until it is lifted; unlinking and passing states leave
 * nothing; a record from a later version is not misread. */
static void
test_account_status (void)
{
  g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
  g_autoptr(WaAccountStatus) none = wa_account_status_load (store);
  g_autoptr(WaAccountStatus) banned = NULL;
  g_autoptr(WaAccountStatus) locked = NULL;
  g_autoptr(WaAccountStatus) lifted = NULL;
  g_autoptr(WaAccountStatus) future = NULL;
  g_autoptr(GBytes) unknown = g_bytes_new_static ("quarantined\t5\t0\t", 15);

  g_assert_false (none->linked);
  g_assert_false (none->known);

  wa_account_status_save_state (store, WA_CLIENT_STATE_TEMPORARILY_BANNED, 100, "10\t1", 7300);
  wa_account_status_save_state (store, WA_CLIENT_STATE_CONNECTING, 200, NULL, 0);
  wa_account_status_save_state (store, WA_CLIENT_STATE_LOGGED_OUT, 300, NULL, 0);
  banned = wa_account_status_load (store);
  g_assert_true (banned->known);
  g_assert_cmpint (banned->state, ==, WA_CLIENT_STATE_TEMPORARILY_BANNED);
  g_assert_cmpint (banned->since, ==, 100);
  g_assert_cmpint (banned->ban_until, ==, 7300);
  g_assert_cmpstr (banned->ban_code, ==, "10 1");

  wa_account_status_save_timelock (store, 5000, "WEB_COMPANION_ONLY");
  locked = wa_account_status_load (store);
  g_assert_cmpint (locked->timelock_until, ==, 5000);
  g_assert_cmpstr (locked->timelock_kind, ==, "WEB_COMPANION_ONLY");
  wa_account_status_save_timelock (store, 0, NULL);
  g_assert_null (wa_key_store_load (store, "account", "timelock"));
  wa_account_status_save_state (store, WA_CLIENT_STATE_CONNECTED, 400, "ignored", 9);
  lifted = wa_account_status_load (store);
  g_assert_cmpint (lifted->state, ==, WA_CLIENT_STATE_CONNECTED);
  g_assert_cmpint (lifted->ban_until, ==, 0);
  g_assert_null (lifted->ban_code);
  g_assert_cmpint (lifted->timelock_until, ==, 0);

  wa_key_store_save (store, "account", "state", unknown);
  future = wa_account_status_load (store);
  g_assert_false (future->known);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (wa_crypto_init (&error));

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/wa/client/link-then-log-in", test_link_then_log_in);
  ADD ("/wa/client/reconnects", test_reconnects);
  ADD ("/wa/client/caught-up-every-login", test_caught_up_every_login);
  ADD ("/wa/client/server-gone-backs-off", test_server_gone_backs_off);
  ADD ("/wa/client/unlinked-and-replaced", test_unlinked_and_replaced);
  ADD ("/wa/client/unlink", test_unlink);
  ADD ("/wa/client/usync", test_usync);
  ADD ("/wa/client/refused-logins", test_refused_logins);
  ADD ("/wa/client/app-version", test_app_version);
  ADD ("/wa/client/slow-server", test_slow_server);
  ADD ("/wa/client/message-acks", test_message_acks);
  ADD ("/wa/client/network-changes", test_network_changes);
  ADD ("/wa/client/prekeys-low", test_prekeys_low);
  ADD ("/wa/client/prekeys-low-flood", test_prekeys_low_flood);
  ADD ("/wa/client/success-repeated", test_success_repeated);
  ADD ("/wa/client/signed-prekey-rotation", test_signed_prekey_rotation);
  ADD ("/wa/client/digest-mismatch", test_digest_mismatch);
  ADD ("/wa/client/dirty-bits", test_dirty_bits);
  g_test_add_func ("/wa/client/account-status", test_account_status);

  return g_test_run ();
}
