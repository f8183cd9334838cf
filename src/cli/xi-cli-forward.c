/* xi-cli-forward.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-cli-forward"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "xi-cli.h"

/*
 * Commands that need the engine, while the app holds it: one process per
 * data folder talks to WhatsApp (HACKING.md, "One engine per data
 * folder"), so the command goes to the app over its D-Bus interface
 * instead of failing. "send" becomes SendMessage; "link" asks the app to
 * link and draws the codes it announces; "run" follows the app, which
 * already sends every campaign, and reports its progress.
 */

typedef struct
{
  XiCli      *cli;
  GMainLoop  *loop;
  int         status;
  gboolean    until_idle;
  gboolean    interrupted;
  gint64      last_print;
  GDBusConnection *bus;
  guint       subscription;
  guint       watch;
} Following;

static void
strip_remote_error (GError *error)
{
  if (g_dbus_error_is_remote_error (error))
    g_dbus_error_strip_remote_error (error);
}

static gboolean
interrupted_cb (gpointer user_data)
{
  Following *following = user_data;

  following->interrupted = TRUE;
  g_main_loop_quit (following->loop);
  return G_SOURCE_CONTINUE;
}

static void
app_vanished_cb (GDBusConnection *bus,
                 const char      *name,
                 gpointer         user_data)
{
  Following *following = user_data;

  following->status = xi_cli_fail_message (following->cli, "%s", _("Xender-In closed."));
  g_main_loop_quit (following->loop);
}

/* Subscribes @callback to the app's signals, before any call whose
 * answer comes as a signal, so none is missed. */
static void
follow_start (Following           *following,
              XiDbusXenderIn1     *app,
              GDBusSignalCallback  callback)
{
  GDBusProxy *proxy = G_DBUS_PROXY (app);
  g_autofree char *owner = g_dbus_proxy_get_name_owner (proxy);

  following->bus = g_dbus_proxy_get_connection (proxy);
  following->subscription = g_dbus_connection_signal_subscribe (following->bus, owner,
                                                                g_dbus_proxy_get_interface_name (proxy),
                                                                NULL, g_dbus_proxy_get_object_path (proxy),
                                                                NULL, G_DBUS_SIGNAL_FLAGS_NONE, callback,
                                                                following, NULL);
  following->watch = g_bus_watch_name_on_connection (following->bus, owner, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                     NULL, app_vanished_cb, following, NULL);
}

/* Runs the loop until a callback quits it, Ctrl+C, or the app leaves the
 * bus, then stops following. */
static void
follow_run (Following *following)
{
  guint sigint = g_unix_signal_add (SIGINT, interrupted_cb, following);
  guint sigterm = g_unix_signal_add (SIGTERM, interrupted_cb, following);

  g_main_loop_run (following->loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_bus_unwatch_name (following->watch);
  g_dbus_connection_signal_unsubscribe (following->bus, following->subscription);
}

/* "send" */

/**
 * xi_cli_forward_send:
 * @app: the app that holds the engine
 * @phone: E.164 digits, checked
 * @text: the message, checked
 *
 * Sends through the app's connection, and says so as "send" does.
 *
 * Returns: the exit status
 */
int
xi_cli_forward_send (XiCli           *cli,
                     XiDbusXenderIn1 *app,
                     const char      *phone,
                     const char      *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = g_strconcat ("+", phone, NULL);
  g_autofree char *id = NULL;

  if (!xi_dbus_xender_in1_call_send_message_sync (app, number, text, &id, NULL, &error))
    {
      strip_remote_error (error);
      return xi_cli_fail (cli, error);
    }

  xi_cli_print_sent (cli, phone, id);
  return XI_CLI_EXIT_OK;
}

/* "link" */

static void
link_signal_cb (GDBusConnection *bus,
                const char      *sender,
                const char      *path,
                const char      *interface,
                const char      *name,
                GVariant        *parameters,
                gpointer         user_data)
{
  Following *following = user_data;
  g_autoptr(GError) error = NULL;
  const char *word;
  gboolean sending;

  if (g_str_equal (name, "QrCode"))
    {
      g_variant_get (parameters, "(&s)", &word);
      if (!xi_cli_print_qr (following->cli, word, &error))
        {
          following->status = xi_cli_fail (following->cli, error);
          g_main_loop_quit (following->loop);
        }
      return;
    }
  if (!g_str_equal (name, "StatusChanged"))
    return;

  g_variant_get (parameters, "(&sb)", &word, &sending);
  if (g_str_equal (word, "connected"))
    {
      if (!following->cli->json)
        g_print ("%s\n", _("Linked: Xender-In sends through this WhatsApp account."));
      following->status = XI_CLI_EXIT_OK;
      g_main_loop_quit (following->loop);
    }
  else if (g_str_equal (word, "link-expired"))
    {
      following->status = xi_cli_fail_message (following->cli, "%s",
                                               _("Nobody scanned the codes in time. Run “xender-in-cli "
                                                 "link” again when the phone is at hand."));
      g_main_loop_quit (following->loop);
    }
  else if (g_str_equal (word, "failed") || g_str_equal (word, "banned") || g_str_equal (word, "outdated"))
    {
      following->status = xi_cli_fail_message (following->cli, "%s",
                                               _("Xender-In could not link: its window says why."));
      g_main_loop_quit (following->loop);
    }
}

/**
 * xi_cli_forward_link:
 * @app: the app that holds the engine
 *
 * Asks the app to link, and draws each code it announces until the phone
 * scanned one. Ctrl+C stops linking in the app too.
 *
 * Returns: the exit status
 */
int
xi_cli_forward_link (XiCli           *cli,
                     XiDbusXenderIn1 *app)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *connection = NULL;
  gboolean sending;
  Following following = { .cli = cli, .loop = loop, .status = XI_CLI_EXIT_USER_ERROR };

  if (!xi_dbus_xender_in1_call_get_status_sync (app, &connection, &sending, NULL, &error))
    {
      strip_remote_error (error);
      return xi_cli_fail (cli, error);
    }
  if (g_str_equal (connection, "connected"))
    {
      if (!cli->json)
        g_print ("%s\n", _("Xender-In is already linked and connected to WhatsApp."));
      return XI_CLI_EXIT_OK;
    }
  if (!cli->json)
    g_print ("%s\n", _("Xender-In is open: it links this computer, and its codes show here too."));

  follow_start (&following, app, link_signal_cb);
  if (!xi_dbus_xender_in1_call_connect_sync (app, NULL, &error))
    {
      strip_remote_error (error);
      following.status = xi_cli_fail (cli, error);
      g_idle_add_once ((GSourceOnceFunc) g_main_loop_quit, loop);
    }
  follow_run (&following);
  if (following.interrupted)
    {
      xi_dbus_xender_in1_call_disconnect_sync (app, NULL, NULL);
      return XI_CLI_EXIT_USER_ERROR;
    }
  return following.status;
}

/* "run" */

static void
run_signal_cb (GDBusConnection *bus,
               const char      *sender,
               const char      *path,
               const char      *interface,
               const char      *name,
               GVariant        *parameters,
               gpointer         user_data)
{
  Following *following = user_data;

  if (g_str_equal (name, "JobProgress"))
    {
      const char *id, *state;
      guint total, sent, failed, skipped, remaining;
      gint64 now = g_get_monotonic_time ();

      g_variant_get (parameters, "(&s&suuuuu)", &id, &state, &total, &sent, &failed, &skipped, &remaining);
      /* As "run" itself: a line a second is plenty for a person. */
      if (following->cli->json || now - following->last_print < G_USEC_PER_SEC)
        return;
      following->last_print = now;
      g_printerr (_("%.8s: %u sent, %u failed, %u to go\n"), id, sent, failed, remaining);
    }
  else if (g_str_equal (name, "StatusChanged"))
    {
      const char *connection;
      gboolean sending;

      g_variant_get (parameters, "(&sb)", &connection, &sending);
      if (following->until_idle && !sending)
        g_main_loop_quit (following->loop);
    }
}

/**
 * xi_cli_forward_run:
 * @app: the app that holds the engine
 * @until_idle: return once the app sends nothing
 *
 * The app already sends every campaign: "run" reports its progress
 * until interrupted or, with @until_idle, until nothing is sending.
 *
 * Returns: the exit status
 */
int
xi_cli_forward_run (XiCli           *cli,
                    XiDbusXenderIn1 *app,
                    gboolean         until_idle)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *connection = NULL;
  gboolean sending;
  Following following = { .cli = cli, .loop = loop, .status = XI_CLI_EXIT_OK, .until_idle = until_idle };

  g_printerr ("xender-in-cli: %s\n", _("Xender-In is open and sends the campaigns of this data folder; "
                                       "following its progress."));
  follow_start (&following, app, run_signal_cb);
  if (!xi_dbus_xender_in1_call_get_status_sync (app, &connection, &sending, NULL, &error))
    {
      strip_remote_error (error);
      following.status = xi_cli_fail (cli, error);
      g_idle_add_once ((GSourceOnceFunc) g_main_loop_quit, loop);
    }
  else if (until_idle && !sending)
    g_idle_add_once ((GSourceOnceFunc) g_main_loop_quit, loop);
  follow_run (&following);
  return following.status;
}
