/* xi-cli-link.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-cli-link"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "xi-cli.h"
#include "xi-connection.h"
#include "xi-engine-enums.h"
#include "xi-phone.h"
#include "xi-qr.h"

/*
 * "xender-in-cli link": links this computer to a WhatsApp account by QR
 * code, drawn in the terminal, and waits until the phone has scanned it.
 * With --json every step is one JSON object per line, which is how the
 * tests drive it against the fake server.
 */

typedef struct
{
  XiCli        *cli;
  XiConnection *connection;
  GMainLoop    *loop;
  int           status;
  gboolean      asked_to_link;
} LinkRun;

static void
emit_json (LinkRun    *run,
           const char *event,
           const char *key,
           const char *value)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *line = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);
  if (key != NULL)
    {
      json_builder_set_member_name (builder, key);
      json_builder_add_string_value (builder, value);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, NULL);
  g_print ("%s\n", line);
}

static void
finish (LinkRun *run,
        int      status)
{
  run->status = status;
  g_main_loop_quit (run->loop);
}

static char *
own_number (XiConnection *connection)
{
  g_autofree char *user = NULL;
  const char *jid = xi_connection_get_jid (connection);
  const char *end;

  if (jid == NULL)
    return g_strdup ("");

  end = jid + strcspn (jid, ":@");
  user = g_strndup (jid, end - jid);
  return xi_phone_format_international (user);
}

static void
qr_changed_cb (XiConnection *connection,
               GParamSpec   *pspec,
               LinkRun      *run)
{
  const char *data = xi_connection_get_qr_data (connection);
  g_autoptr(XiQrCode) code = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *drawing = NULL;

  if (data == NULL)
    return;

  if (run->cli->json)
    {
      emit_json (run, "qr", "data", data);
      return;
    }

  if ((code = xi_qr_code_new (data, &error)) == NULL)
    {
      finish (run, xi_cli_fail (run->cli, error));
      return;
    }

  drawing = xi_qr_code_to_terminal (code);
  g_print ("\n%s\n", drawing);
  g_print (_("Open WhatsApp on your phone: Settings → Linked devices → Link a device, "
             "and scan this code. It changes in %u seconds.\n"),
           xi_connection_get_qr_seconds (connection));
}

static void
state_changed_cb (XiConnection *connection,
                  GParamSpec   *pspec,
                  LinkRun      *run)
{
  XiConnectionState state = xi_connection_get_state (connection);
  const char *detail = xi_connection_get_detail (connection);
  g_autofree char *number = NULL;

  switch (state)
    {
    case XI_CONNECTION_STATE_NOT_LINKED:
      if (!run->asked_to_link)
        {
          run->asked_to_link = TRUE;
          xi_connection_link (connection);
        }
      else
        finish (run, xi_cli_fail_message (run->cli, "%s",
                                          detail != NULL ? detail : _("The device was not linked.")));
      break;

    case XI_CONNECTION_STATE_CONNECTED:
      number = own_number (connection);
      if (run->cli->json)
        emit_json (run, "connected", "jid", xi_connection_get_jid (connection));
      else if (run->asked_to_link)
        g_print (_("Linked to WhatsApp as %s.\n"), number);
      else
        g_print (_("Already linked to WhatsApp as %s.\n"), number);
      finish (run, XI_CLI_EXIT_OK);
      break;

    case XI_CONNECTION_STATE_LOGGED_OUT:
    case XI_CONNECTION_STATE_STOPPED:
      finish (run, xi_cli_fail_message (run->cli, "%s",
                                        detail != NULL ? detail : _("Could not connect to WhatsApp.")));
      break;

    case XI_CONNECTION_STATE_CONNECTING:
    case XI_CONNECTION_STATE_PAIRING:
    case XI_CONNECTION_STATE_RECONNECTING:
    case XI_CONNECTION_STATE_NO_NETWORK:
    default:
      if (run->cli->json)
        {
          g_autoptr(GEnumClass) klass = g_type_class_ref (XI_TYPE_CONNECTION_STATE);
          emit_json (run, "state", "state", g_enum_get_value (klass, state)->value_nick);
        }
      else if (detail != NULL && state != XI_CONNECTION_STATE_PAIRING)
        g_printerr ("%s\n", detail);
      break;
    }
}

static gboolean
interrupted_cb (gpointer user_data)
{
  LinkRun *run = user_data;

  xi_connection_cancel_link (run->connection);
  finish (run, xi_cli_fail_message (run->cli, "%s", _("Linking cancelled.")));
  return G_SOURCE_REMOVE;
}

int
xi_cli_link (XiCli  *cli,
             int     argc,
             char  **argv)
{
  g_autoptr(XiNetThread) net_thread = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  LinkRun run = { .cli = cli, .status = XI_CLI_EXIT_OK };
  guint sigint;

  if (argc != 1)
    return xi_cli_usage ("%s", _("“link” takes no arguments."));

  net_thread = xi_net_thread_new ();
  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  run.connection = xi_connection_new (cli->store, net_thread);

  g_signal_connect (run.connection, "notify::state", G_CALLBACK (state_changed_cb), &run);
  g_signal_connect (run.connection, "notify::qr-data", G_CALLBACK (qr_changed_cb), &run);
  sigint = g_unix_signal_add (SIGINT, interrupted_cb, &run);

  xi_connection_start (run.connection);
  g_main_loop_run (loop);

  g_source_remove (sigint);
  g_signal_handlers_disconnect_by_data (run.connection, &run);
  xi_connection_shutdown (run.connection);
  g_object_unref (run.connection);
  xi_net_thread_stop (net_thread, NULL, NULL, NULL);

  return run.status;
}
