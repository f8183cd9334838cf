/* xi-cli-link.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-cli-link"

#include "config.h"

#include <glib/gi18n.h>

#include "wa-client.h"
#include "wa-error.h"
#include "wa-jid.h"
#include "wa-pairing.h"
#include "xi-cli.h"
#include "xi-key-store.h"
#include "xi-phone.h"
#include "xi-qr.h"
#include "xi-wa-endpoint.h"

/*
 * "xender-in-cli link": link this computer to a WhatsApp account by QR
 * code, in the terminal, then log in once as the new device to prove it.
 * A device that is already linked only logs in.
 *
 * The server and its root key can be replaced for tests through
 * XI_WA_URL and XI_WA_ROOT_KEY (hex), see xi_wa_endpoint_read().
 */

typedef struct
{
  XiCli      *cli;
  GMainLoop  *loop;
  gboolean    was_linked;
  GError     *error;
} Linking;

static void
qr_cb (WaClient   *client,
       const char *qr,
       Linking    *linking)
{
  g_autoptr(XiQrCode) code = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *drawing = NULL;

  if (linking->cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "qr");
      json_builder_add_string_value (builder, qr);
      json_builder_end_object (builder);
      xi_cli_print_json (builder);
      return;
    }

  code = xi_qr_code_new (qr, &error);
  if (code == NULL)
    {
      linking->error = g_steal_pointer (&error);
      g_main_loop_quit (linking->loop);
      return;
    }
  drawing = xi_qr_code_to_terminal (code);
  g_print ("%s\n%s\n", drawing,
           _("On your phone open WhatsApp, Settings, Linked devices, Link a device, and scan this code."));
}

/* The command is done once logged in, or as soon as the client would
 * have to wait: a person at a terminal wants the reason, not retries. */
static void
state_cb (WaClient   *client,
          GParamSpec *pspec,
          Linking    *linking)
{
  const char *reason = wa_client_get_last_error (client);

  switch (wa_client_get_state (client))
    {
    case WA_CLIENT_STATE_CONNECTED:
      break;
    case WA_CLIENT_STATE_LOGGED_OUT:
      linking->error = g_error_new (WA_ERROR, WA_ERROR_LOGGED_OUT,
                                    _("This computer was unlinked from WhatsApp (on the phone, or by "
                                      "WhatsApp). Run “xender-in-cli link” to link it again."));
      break;
    case WA_CLIENT_STATE_WAITING:
    case WA_CLIENT_STATE_REPLACED:
    case WA_CLIENT_STATE_STOPPED:
      linking->error = g_error_new (WA_ERROR, WA_ERROR_FAILED, _("Could not link to WhatsApp: %s"),
                                    reason != NULL ? reason : "?");
      break;
    default:
      return;
    }
  g_main_loop_quit (linking->loop);
}

static XiKeyStore *
load_keys (XiCli   *cli,
           GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GHashTable) loaded = NULL;
  GAsyncResult *slot = NULL;

  xi_store_load_keys_async (cli->store, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  loaded = xi_store_load_keys_finish (cli->store, result, error);
  return loaded != NULL ? xi_key_store_new (cli->store, loaded) : NULL;
}

static int
print_linked (XiCli      *cli,
              const char *device_jid,
              gboolean    was_linked)
{
  g_autoptr(WaJid) jid = wa_jid_parse (device_jid, NULL);
  g_autofree char *number = xi_phone_format_international (jid != NULL ? wa_jid_get_user (jid) : device_jid);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "linked");
      json_builder_add_string_value (builder, device_jid);
      json_builder_end_object (builder);
      xi_cli_print_json (builder);
    }
  else if (was_linked)
    g_print (_("Already linked to WhatsApp as %s.\n"), number);
  else
    g_print (_("Linked to WhatsApp as %s.\n"), number);
  return XI_CLI_EXIT_OK;
}

int
xi_cli_link (XiCli  *cli,
             int     argc,
             char  **argv)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(XiKeyStore) keys = NULL;
  g_autoptr(WaClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved_jid = NULL;
  g_autofree char *url = NULL;
  Linking linking = { .cli = cli, .loop = loop };
  guint8 root_key[WA_KEY_LEN];
  int status;

  if (argc != 1)
    return xi_cli_usage ("%s", _("“link” takes no arguments."));
  if (!wa_crypto_init (&error) || !xi_wa_endpoint_read (&url, root_key, &error) ||
      (keys = load_keys (cli, &error)) == NULL)
    return xi_cli_fail (cli, error);

  saved_jid = wa_pairing_load_device_jid (WA_KEY_STORE (keys));
  client = wa_client_new (WA_KEY_STORE (keys), url, root_key);
  g_signal_connect (client, "qr", G_CALLBACK (qr_cb), &linking);
  g_signal_connect (client, "notify::state", G_CALLBACK (state_cb), &linking);
  wa_client_start (client);
  g_main_loop_run (loop);

  if (linking.error == NULL)
    status = print_linked (cli, wa_client_get_device_jid (client), saved_jid != NULL);
  else
    status = xi_cli_fail (cli, linking.error);

  g_signal_handlers_disconnect_by_data (client, &linking);
  wa_client_stop (client);
  g_clear_error (&linking.error);
  return status;
}
