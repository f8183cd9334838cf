/* test-wa-link.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fakewa-server.h"
#include "wa-client-payload.h"
#include "wa-error.h"
#include "wa-link.h"
#include "xi-test-utils.h"

/* QR pairing end to end over 127.0.0.1: the fake server hands out refs,
 * the client shows them in turn, the fake phone scans one, the client
 * verifies and countersigns, the server checks that and restarts the
 * stream (protocol notes §5.1–5.7). */

typedef struct
{
  FakewaServer  *server;
  WaCredentials *credentials;
  WaConnection  *connection;
  WaLink        *link;
  GPtrArray     *qr_codes;
  char          *client_jid;
  guint8         primary_identity[WA_KEY_LEN];
  char          *server_jid;
  GError        *failed;
  GError        *closed;
} Fixture;

static void
qr_cb (WaLink     *link,
       const char *qr,
       Fixture    *f)
{
  g_ptr_array_add (f->qr_codes, g_strdup (qr));
}

static void
paired_cb (WaLink     *link,
           const char *jid,
           const char *lid,
           WaPairing  *pairing,
           Fixture    *f)
{
  f->client_jid = g_strdup (jid);
  memcpy (f->primary_identity, pairing->primary_identity, WA_KEY_LEN);
}

static void
failed_cb (WaLink       *link,
           const GError *error,
           Fixture      *f)
{
  f->failed = g_error_copy (error);
}

static void
server_paired_cb (FakewaServer *server,
                  const char   *jid,
                  Fixture      *f)
{
  f->server_jid = g_strdup (jid);
}

static void
closed_cb (WaConnection *connection,
           const GError *error,
           Fixture      *f)
{
  f->closed = g_error_copy (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  WaClientInfo info;

  f->server = fakewa_server_new (&error);
  g_assert_no_error (error);
  g_signal_connect (f->server, "paired", G_CALLBACK (server_paired_cb), f);
  f->credentials = wa_credentials_generate ();
  f->qr_codes = g_ptr_array_new_with_free_func (g_free);

  wa_client_info_init (&info);
  payload = wa_client_payload_registration (&info, f->credentials, &error);
  g_assert_no_error (error);
  wa_connection_connect_async (fakewa_server_get_url (f->server), fakewa_server_get_root_key (f->server),
                               &f->credentials->noise_key, payload, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  f->connection = wa_connection_connect_finish (result, &error);
  g_assert_no_error (error);
  g_signal_connect (f->connection, "closed", G_CALLBACK (closed_cb), f);

  f->link = wa_link_new (f->connection, f->credentials);
  g_signal_connect (f->link, "qr", G_CALLBACK (qr_cb), f);
  g_signal_connect (f->link, "paired", G_CALLBACK (paired_cb), f);
  g_signal_connect (f->link, "failed", G_CALLBACK (failed_cb), f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->link);
  g_clear_object (&f->connection);
  g_clear_object (&f->server);
  g_clear_pointer (&f->credentials, wa_credentials_free);
  g_clear_pointer (&f->qr_codes, g_ptr_array_unref);
  g_clear_pointer (&f->client_jid, g_free);
  g_clear_pointer (&f->server_jid, g_free);
  g_clear_error (&f->failed);
  g_clear_error (&f->closed);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
first_node_cb (WaConnection *connection,
               WaNode       *node,
               char        **tag)
{
  if (*tag == NULL)
    *tag = g_strdup (wa_node_get_tag (node));
}

/* Logs in as user:device and returns the tag of the server's answer. */
static char *
first_node_after_login (Fixture *f,
                        guint64  user,
                        guint32  device)
{
  char *tag = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(WaConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  WaClientInfo info;

  wa_client_info_init (&info);
  payload = wa_client_payload_login (&info, user, device);
  wa_connection_connect_async (fakewa_server_get_url (f->server), fakewa_server_get_root_key (f->server),
                               &f->credentials->noise_key, payload, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  connection = wa_connection_connect_finish (result, &error);
  g_assert_no_error (error);
  g_signal_connect (connection, "node", G_CALLBACK (first_node_cb), &tag);
  while (tag == NULL)
    g_main_context_iteration (NULL, TRUE);
  wa_connection_close (connection);
  return tag;
}

static void
test_scan (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *identity = g_base64_encode (f->credentials->identity_key.pub, WA_KEY_LEN);
  g_autofree char *answer = NULL;
  g_autoptr(GError) error = NULL;
  const char *qr;

  while (f->qr_codes->len == 0)
    g_main_context_iteration (NULL, TRUE);
  qr = f->qr_codes->pdata[0];
  g_assert_true (g_str_has_prefix (qr, "https://wa.me/settings/linked_devices#2@fakewa-ref-1-"));
  g_assert_nonnull (strstr (qr, identity));
  g_assert_true (g_str_has_suffix (qr, ",9"));

  /* A code nobody shows is refused by the phone. */
  g_assert_false (fakewa_server_scan (f->server, "https://wa.me/settings/linked_devices#2@nope,a,b,c,9",
                                      "6281234567890", &error));
  g_clear_error (&error);

  g_assert_true (fakewa_server_scan (f->server, qr, "6281234567890", &error));
  g_assert_no_error (error);

  /* The client verified and countersigned; the server checked that
   * signature, and restarted the stream as after every pairing. */
  while (f->client_jid == NULL || f->server_jid == NULL || f->closed == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (f->failed);
  g_assert_cmpstr (f->client_jid, ==, "6281234567890:1@s.whatsapp.net");
  g_assert_cmpstr (f->server_jid, ==, f->client_jid);
  g_assert_cmpmem (f->primary_identity, WA_KEY_LEN, fakewa_server_get_phone_identity (f->server, "6281234567890"), WA_KEY_LEN);

  /* After the restart the device logs in as what it became (§5.7). */
  answer = first_node_after_login (f, G_GUINT64_CONSTANT (6281234567890), 1);
  g_assert_cmpstr (answer, ==, "success");
  /* A device the server does not know is logged out. */
  g_free (answer);
  answer = first_node_after_login (f, G_GUINT64_CONSTANT (6281234567890), 7);
  g_assert_cmpstr (answer, ==, "failure");
}

static void
test_codes_expire (Fixture       *f,
                   gconstpointer  data)
{
  wa_link_set_timing (f->link, 30, 10);

  while (f->failed == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (f->failed, WA_ERROR, WA_ERROR_TIMED_OUT);
  /* Every ref was shown once, in order, each as its own code. */
  g_assert_cmpuint (f->qr_codes->len, ==, 6);
  for (guint i = 0; i < f->qr_codes->len; i++)
    {
      g_autofree char *expected = g_strdup_printf ("#2@fakewa-ref-%u-", i + 1);

      g_assert_nonnull (strstr (f->qr_codes->pdata[i], expected));
    }
  g_assert_null (f->client_jid);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (wa_crypto_init (&error));

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/wa/link/scan", test_scan);
  ADD ("/wa/link/codes-expire", test_codes_expire);

  return g_test_run ();
}
