/* xi-ui-wa-test-utils.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-loopback-transport.h"
#include "xi-test-utils.h"
#include "xi-ui-wa-test-utils.h"
#include "xi-wa-endpoint.h"

/* The app's WhatsApp side against the fake server in the test's process,
 * wired as the application wires it: the runner on its network thread,
 * the connection handing its transport to it, both in the context. */

/**
 * xi_ui_wa_start:
 * @runner: (out): the runner, with the loopback transport for rehearsals
 *
 * Returns: (transfer full): the started connection, not linked yet
 */
XiConnection *
xi_ui_wa_start (XiUiFixture       *f,
                FakewaServer      *server,
                XiCampaignRunner **runner)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *journal = g_build_filename (f->dir, "loopback-journal.tsv", NULL);
  g_autofree char *root = xi_test_hex (fakewa_server_get_root_key (server), WA_KEY_LEN);
  g_autofree char *url = NULL;
  guint8 root_key[WA_KEY_LEN];
  XiConnection *connection;

  g_setenv ("XI_WA_URL", fakewa_server_get_url (server), TRUE);
  g_setenv ("XI_WA_ROOT_KEY", root, TRUE);
  *runner = xi_campaign_runner_new (f->store, xi_loopback_transport_factory, g_steal_pointer (&journal), g_free);
  g_assert_true (xi_campaign_runner_start (*runner, &error));
  g_assert_no_error (error);
  xi_context_set_runner (f->context, *runner);
  g_assert_true (xi_wa_endpoint_read (&url, root_key, &error));
  g_assert_no_error (error);
  connection = xi_connection_new (f->store, xi_campaign_runner_get_network_context (*runner), url, root_key);
  xi_connection_set_runner (connection, *runner);
  xi_connection_start (connection);
  xi_context_set_connection (f->context, connection);
  return connection;
}

void
xi_ui_wa_stop (XiConnection     **connection,
               XiCampaignRunner **runner)
{
  xi_connection_stop (*connection);
  g_clear_object (connection);
  xi_campaign_runner_stop (*runner);
  g_clear_object (runner);
  g_unsetenv ("XI_WA_URL");
  g_unsetenv ("XI_WA_ROOT_KEY");
}

static gboolean
has_qr (gpointer data)
{
  return xi_connection_get_qr (data) != NULL;
}

static gboolean
is_connected (gpointer data)
{
  return xi_connection_get_status (data) == XI_CONNECTION_STATUS_CONNECTED;
}

/* Links and connects, as the phone of @phone scanning the code would. */
void
xi_ui_wa_link_account (XiConnection *connection,
                       FakewaServer *server,
                       const char   *phone)
{
  g_autoptr(GError) error = NULL;

  xi_connection_link (connection);
  g_assert_true (xi_ui_wait_for (has_qr, connection, 15000));
  g_assert_true (fakewa_server_scan (server, xi_connection_get_qr (connection), phone, &error));
  g_assert_no_error (error);
  g_assert_true (xi_ui_wait_for (is_connected, connection, 15000));
  xi_ui_spin (200);
}
