/* notification-standin.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>

/* A desktop notification server for tests: it owns
 * org.freedesktop.Notifications on the session bus and writes what it is
 * asked to a log, one line a call:
 *
 *   notify ID<TAB>SUMMARY<TAB>BODY<TAB>KEY=LABEL,KEY=LABEL…
 *   close ID
 *
 * A test clicks a button with `gdbus call … --method
 * io.github.xenderin.Test.NotificationStandin.Invoke ID KEY`, which
 * emits ActionInvoked from the server's own connection, as a real
 * server would. It prints "ready" once it owns the name. */

static const char introspection[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "    <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "  </interface>"
  "  <interface name='io.github.xenderin.Test.NotificationStandin'>"
  "    <method name='Invoke'><arg type='u' direction='in'/><arg type='s' direction='in'/></method>"
  "  </interface>"
  "</node>";

typedef struct
{
  FILE    *log;
  guint32  last_id;
} Server;

static void
method_called_cb (GDBusConnection       *connection,
                  const char            *sender,
                  const char            *object_path,
                  const char            *interface_name,
                  const char            *method_name,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation,
                  gpointer               user_data)
{
  Server *server = user_data;

  if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char *caps[] = { "actions", "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_str_equal (method_name, "GetServerInformation"))
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(ssss)", "standin", "xender-in", "1", "1.2"));
  else if (g_str_equal (method_name, "Notify"))
    {
      const char *summary, *body;
      g_autofree const char **actions = NULL;
      g_autoptr(GString) pairs = g_string_new (NULL);
      guint32 replaces;
      guint32 id;

      g_variant_get (parameters, "(&su&s&s&s^a&s@a{sv}i)", NULL, &replaces, NULL, &summary, &body,
                     &actions, NULL, NULL);
      id = replaces != 0 ? replaces : ++server->last_id;
      /* Actions come as key, label, key, label… */
      for (guint i = 0; actions[i] != NULL && actions[i + 1] != NULL; i += 2)
        g_string_append_printf (pairs, "%s%s=%s", pairs->len > 0 ? "," : "", actions[i], actions[i + 1]);
      fprintf (server->log, "notify %u\t%s\t%s\t%s\n", id, summary, body, pairs->str);
      fflush (server->log);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", id));
    }
  else if (g_str_equal (method_name, "CloseNotification"))
    {
      guint32 id;

      g_variant_get (parameters, "(u)", &id);
      fprintf (server->log, "close %u\n", id);
      fflush (server->log);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "Invoke"))
    {
      guint32 id;
      const char *key;

      g_variant_get (parameters, "(u&s)", &id, &key);
      g_dbus_connection_emit_signal (connection, NULL, "/org/freedesktop/Notifications",
                                     "org.freedesktop.Notifications", "ActionInvoked",
                                     g_variant_new ("(us)", id, key), NULL);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "No method %s", method_name);
}

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  g_print ("ready\n");
}

static void
name_lost_cb (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  g_printerr ("notification-standin: could not own %s\n", name);
  exit (1);
}

int
main (int   argc,
      char *argv[])
{
  static const GDBusInterfaceVTable vtable = { method_called_cb, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  Server server = { 0 };

  if (argc != 2)
    {
      g_printerr ("Usage: notification-standin LOG\n");
      return 2;
    }
  server.log = fopen (argv[1], "w");
  if (server.log == NULL)
    {
      g_printerr ("notification-standin: cannot write %s\n", argv[1]);
      return 1;
    }

  info = g_dbus_node_info_new_for_xml (introspection, &error);
  g_assert_no_error (error);
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL)
    {
      g_printerr ("notification-standin: %s\n", error->message);
      return 1;
    }
  for (guint i = 0; info->interfaces[i] != NULL; i++)
    if (g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications", info->interfaces[i],
                                           &vtable, &server, NULL, &error) == 0)
      {
        g_printerr ("notification-standin: %s\n", error->message);
        return 1;
      }
  g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications", G_BUS_NAME_OWNER_FLAGS_NONE,
                                name_acquired_cb, name_lost_cb, NULL, NULL);
  g_main_loop_run (loop);
  return 0;
}
