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
#include "xi-phone.h"
#include "xi-qr.h"

/*
 * "xender-in-cli link": link this computer to a WhatsApp account by QR
 * code, in the terminal, then log in once as the new device to prove it.
 * A device that is already linked only logs in. The connection itself is
 * xi-cli-whatsapp.c's.
 */

typedef struct
{
  XiCli      *cli;
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
      wa_client_stop (client);
      return;
    }
  drawing = xi_qr_code_to_terminal (code);
  g_print ("%s\n%s\n", drawing,
           _("On your phone open WhatsApp, Settings, Linked devices, Link a device, and scan this code."));
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
  g_autoptr(WaClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved_jid = NULL;
  Linking linking = { .cli = cli };
  int status;

  if (argc != 1)
    return xi_cli_usage ("%s", _("“link” takes no arguments."));
  if ((status = xi_cli_lock_engine (cli, FALSE)) != XI_CLI_EXIT_OK)
    return status;
  if ((client = xi_cli_whatsapp_client_for_link (cli, &error)) == NULL)
    return xi_cli_fail (cli, error);

  saved_jid = wa_pairing_load_device_jid (wa_client_get_key_store (client));
  g_signal_connect (client, "qr", G_CALLBACK (qr_cb), &linking);
  if (xi_cli_whatsapp_connect (client, FALSE, &error) && linking.error == NULL)
    status = print_linked (cli, wa_client_get_device_jid (client), saved_jid != NULL);
  else
    status = xi_cli_fail (cli, linking.error != NULL ? linking.error : error);

  g_signal_handlers_disconnect_by_data (client, &linking);
  wa_client_stop (client);
  g_clear_error (&linking.error);
  return status;
}
