/* xi-cli-link.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-cli-link"

#include "config.h"

#include <glib/gi18n.h>

#include "wa-cert.h"
#include "wa-client-payload.h"
#include "wa-connection.h"
#include "wa-error.h"
#include "wa-link.h"
#include "xi-cli.h"
#include "xi-key-store.h"
#include "xi-phone.h"
#include "xi-qr.h"

/*
 * "xender-in-cli link": link this computer to a WhatsApp account by QR
 * code, in the terminal, then log in once as the new device to prove it.
 * A device that is already linked only logs in.
 *
 * The server and its root key can be replaced for tests through
 * XI_WA_URL and XI_WA_ROOT_KEY (hex); nothing else changes them.
 */

typedef struct
{
  XiCli          *cli;
  XiKeyStore     *keys;
  WaCredentials  *credentials;
  const char     *url;
  guint8          root_key[WA_KEY_LEN];
  GMainLoop      *loop;
  WaConnection   *connection;
  WaLink         *link;
  char           *device_jid;
  gboolean        logging_in;
  GError         *error;
  gboolean        linked;
} Linking;

static void log_in (Linking *linking);

static void
finish (Linking *linking,
        GError  *error)
{
  if (error != NULL && linking->error == NULL)
    linking->error = error;
  else if (error != NULL)
    g_error_free (error);
  g_main_loop_quit (linking->loop);
}

static void
qr_cb (WaLink     *link,
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
      finish (linking, g_steal_pointer (&error));
      return;
    }
  drawing = xi_qr_code_to_terminal (code);
  g_print ("%s\n%s\n", drawing,
           _("On your phone open WhatsApp, Settings, Linked devices, Link a device, and scan this code."));
}

static void
paired_cb (WaLink     *link,
           const char *jid,
           WaPairing  *pairing,
           Linking    *linking)
{
  wa_pairing_save (pairing, jid, WA_KEY_STORE (linking->keys));
  linking->device_jid = g_strdup (jid);
}

static void
link_failed_cb (WaLink       *link,
                const GError *error,
                Linking      *linking)
{
  finish (linking, g_error_copy (error));
}

/* The server ends the stream after a pairing (515): the cue to log in as
 * the new device. */
static void
closed_after_pairing_cb (WaConnection *connection,
                         const GError *error,
                         Linking      *linking)
{
  if (linking->device_jid != NULL && !linking->logging_in)
    log_in (linking);
}

static void
login_node_cb (WaConnection *connection,
               WaNode       *node,
               Linking      *linking)
{
  if (g_str_equal (wa_node_get_tag (node), "success"))
    {
      linking->linked = TRUE;
      finish (linking, NULL);
    }
  else if (g_str_equal (wa_node_get_tag (node), "failure"))
    {
      const char *reason = wa_node_get_attr (node, "reason");

      /* 401: unlinked from the phone. The keys are worthless now; keeping
       * them would only make the next link fail the same way. */
      if (g_strcmp0 (reason, "401") == 0)
        {
          wa_key_store_clear (WA_KEY_STORE (linking->keys));
          finish (linking, g_error_new (WA_ERROR, WA_ERROR_LOGGED_OUT,
                                        _("This computer was unlinked from WhatsApp (on the phone, or by "
                                          "WhatsApp). Run “xender-in-cli link” to link it again.")));
        }
      else
        finish (linking, g_error_new (WA_ERROR, WA_ERROR_FAILED,
                                      _("WhatsApp refused to log this computer in (reason %s). Try again "
                                        "later."), reason != NULL ? reason : "?"));
    }
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Linking *linking = user_data;
  GError *error = NULL;

  g_clear_object (&linking->connection);
  linking->connection = wa_connection_connect_finish (result, &error);
  if (linking->connection == NULL)
    {
      finish (linking, error);
      return;
    }

  if (linking->logging_in)
    {
      g_signal_connect (linking->connection, "node", G_CALLBACK (login_node_cb), linking);
      return;
    }

  g_signal_connect (linking->connection, "closed", G_CALLBACK (closed_after_pairing_cb), linking);
  linking->link = wa_link_new (linking->connection, linking->credentials);
  g_signal_connect (linking->link, "qr", G_CALLBACK (qr_cb), linking);
  g_signal_connect (linking->link, "paired", G_CALLBACK (paired_cb), linking);
  g_signal_connect (linking->link, "failed", G_CALLBACK (link_failed_cb), linking);
}

static gboolean
parse_user (const char  *device_jid,
            guint64     *user,
            guint32     *device)
{
  g_auto(GStrv) parts = g_strsplit_set (device_jid, ":@", 3);
  guint64 number;

  if (g_strv_length (parts) != 3 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 1, G_MAXUINT64, user, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 0, G_MAXUINT16, &number, NULL))
    return FALSE;
  *device = number;
  return TRUE;
}

static void
log_in (Linking *linking)
{
  g_autoptr(GBytes) payload = NULL;
  WaClientInfo info;
  guint64 user;
  guint32 device;

  if (!parse_user (linking->device_jid, &user, &device))
    {
      finish (linking, g_error_new (WA_ERROR, WA_ERROR_MALFORMED,
                                    _("The saved WhatsApp session is damaged.")));
      return;
    }
  linking->logging_in = TRUE;
  wa_client_info_init (&info);
  payload = wa_client_payload_login (&info, user, device);
  wa_connection_connect_async (linking->url, linking->root_key, &linking->credentials->noise_key,
                               payload, NULL, connected_cb, linking);
}

static void
register_device (Linking *linking)
{
  g_autoptr(GBytes) payload = NULL;
  WaClientInfo info;

  wa_client_info_init (&info);
  payload = wa_client_payload_registration (&info, linking->credentials, &linking->error);
  if (payload == NULL)
    {
      finish (linking, NULL);
      return;
    }
  wa_connection_connect_async (linking->url, linking->root_key, &linking->credentials->noise_key,
                               payload, NULL, connected_cb, linking);
}

static gboolean
read_test_settings (Linking  *linking,
                    GError  **error)
{
  const char *root_hex = g_getenv ("XI_WA_ROOT_KEY");

  linking->url = g_getenv ("XI_WA_URL");
  if (linking->url == NULL)
    linking->url = WA_CONNECTION_DEFAULT_URL;
  memcpy (linking->root_key, wa_cert_default_root_key (), WA_KEY_LEN);
  if (root_hex == NULL)
    return TRUE;

  for (guint i = 0; i < WA_KEY_LEN; i++)
    {
      int high = strlen (root_hex) == WA_KEY_LEN * 2 ? g_ascii_xdigit_value (root_hex[2 * i]) : -1;
      int low = high >= 0 ? g_ascii_xdigit_value (root_hex[2 * i + 1]) : -1;

      if (low < 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("XI_WA_ROOT_KEY must be %u hexadecimal digits."), WA_KEY_LEN * 2);
          return FALSE;
        }
      linking->root_key[i] = high << 4 | low;
    }
  return TRUE;
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
  g_autofree char *user = g_strndup (device_jid, strcspn (device_jid, ":@"));
  g_autofree char *number = xi_phone_format_international (user);

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
  g_autoptr(WaCredentials) credentials = NULL;
  g_autoptr(GError) error = NULL;
  Linking linking = { .cli = cli, .loop = loop };
  gboolean was_linked;
  int status;

  if (argc != 1)
    return xi_cli_usage ("%s", _("“link” takes no arguments."));
  if (!wa_crypto_init (&error) || !read_test_settings (&linking, &error) ||
      (keys = load_keys (cli, &error)) == NULL ||
      (credentials = wa_credentials_load_or_create (WA_KEY_STORE (keys), NULL, &error)) == NULL)
    return xi_cli_fail (cli, error);

  linking.keys = keys;
  linking.credentials = credentials;
  linking.device_jid = wa_pairing_load_device_jid (WA_KEY_STORE (keys));
  was_linked = linking.device_jid != NULL;
  if (was_linked)
    log_in (&linking);
  else
    register_device (&linking);
  g_main_loop_run (loop);

  if (linking.linked)
    status = print_linked (cli, linking.device_jid, was_linked);
  else
    status = xi_cli_fail (cli, linking.error);

  g_clear_object (&linking.link);
  g_clear_object (&linking.connection);
  g_clear_error (&linking.error);
  g_free (linking.device_jid);
  return status;
}
