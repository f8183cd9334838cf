/* xi-autostart.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-autostart"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "xi-autostart.h"

/* "Start at login". A sandboxed app cannot write the host's autostart
 * folder: under Flatpak the Background portal writes the entry for it,
 * after asking the user. Elsewhere it is an XDG autostart file that runs
 * the binary that is running now (an uninstalled build starts itself
 * too), with the data folder it was given. */

#define PORTAL_BUS_NAME    "org.freedesktop.portal.Desktop"
#define PORTAL_OBJECT_PATH "/org/freedesktop/portal/desktop"
#define PORTAL_BACKGROUND  "org.freedesktop.portal.Background"
#define PORTAL_REQUEST     "org.freedesktop.portal.Request"

/* Auxiliary methods */

static gboolean
in_flatpak (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

static char **
dup_command_line (const char *data_dir)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);

  g_strv_builder_add (builder, self_path != NULL && !in_flatpak () ? self_path : "xender-in");
  g_strv_builder_add (builder, "--background");
  if (data_dir != NULL)
    {
      g_autofree char *option = g_strconcat ("--data-dir=", data_dir, NULL);

      g_strv_builder_add (builder, option);
    }
  return g_strv_builder_end (builder);
}

/* The Exec key's own quoting (Desktop Entry Specification): every
 * argument quoted, with ", `, $ and \ escaped, then every \ doubled
 * again as the key file's string escape. */
static char *
exec_line (char **argv)
{
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint i = 0; argv[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (line, ' ');
      g_string_append_c (line, '"');
      for (const char *c = argv[i]; *c != '\0'; c++)
        {
          if (*c == '"' || *c == '`' || *c == '$' || *c == '\\')
            g_string_append_c (line, '\\');
          if (*c == '%')
            g_string_append_c (line, '%');
          g_string_append_c (line, *c);
        }
      g_string_append_c (line, '"');
    }
  return g_string_free (g_steal_pointer (&line), FALSE);
}

static gboolean
write_file (char    **argv,
            GError  **error)
{
  g_autoptr(GKeyFile) entry = g_key_file_new ();
  g_autofree char *path = xi_autostart_dup_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *exec = exec_line (argv);
  g_autofree char *contents = NULL;
  gsize length;

  g_key_file_set_string (entry, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_TYPE,
                         G_KEY_FILE_DESKTOP_TYPE_APPLICATION);
  g_key_file_set_string (entry, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_NAME, "Xender-In");
  g_key_file_set_string (entry, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_ICON, APP_ID);
  /* The key file escapes backslashes once more, as the format wants. */
  g_key_file_set_string (entry, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_EXEC, exec);
  g_key_file_set_boolean (entry, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_NO_DISPLAY, TRUE);
  g_key_file_set_boolean (entry, G_KEY_FILE_DESKTOP_GROUP, "X-GNOME-Autostart-enabled", TRUE);
  contents = g_key_file_to_data (entry, &length, NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create the folder %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  return g_file_set_contents_full (path, contents, length, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

static gboolean
remove_file (GError **error)
{
  g_autofree char *path = xi_autostart_dup_path ();

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not remove %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* The portal */

typedef struct
{
  GDBusConnection *bus;
  guint            subscription;
  gboolean         enabled;
} PortalCall;

static void
portal_call_free (PortalCall *call)
{
  if (call->subscription != 0)
    g_dbus_connection_signal_unsubscribe (call->bus, call->subscription);
  g_clear_object (&call->bus);
  g_free (call);
}

static void
portal_response_cb (GDBusConnection *bus,
                    const char      *sender,
                    const char      *path,
                    const char      *interface,
                    const char      *name,
                    GVariant        *parameters,
                    gpointer         user_data)
{
  g_autoptr(GTask) task = user_data;
  PortalCall *call = g_task_get_task_data (task);
  g_autoptr(GVariant) results = NULL;
  gboolean autostart = FALSE;
  guint32 response;

  g_dbus_connection_signal_unsubscribe (bus, call->subscription);
  call->subscription = 0;
  g_variant_get (parameters, "(u@a{sv})", &response, &results);
  g_variant_lookup (results, "autostart", "b", &autostart);
  if (response != 0 || autostart != call->enabled)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "%s",
                             _("The desktop did not let Xender-In change whether it starts at login. "
                               "Check Background Apps in the system settings."));
  else
    g_task_return_boolean (task, TRUE);
}

static void
portal_called_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    g_task_return_error (task, error);
  /* Otherwise the subscription holds the task until the response. */
}

static void
request_background (GTask    *task,
                    gboolean  enabled,
                    char    **argv)
{
  PortalCall *call = g_new0 (PortalCall, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = g_strdup_printf ("xender_in_%u", g_random_int ());
  g_autofree char *sender = NULL;
  g_autofree char *request_path = NULL;
  GVariantBuilder options;

  g_task_set_task_data (task, call, (GDestroyNotify) portal_call_free);
  call->enabled = enabled;
  call->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, g_task_get_cancellable (task), &error);
  if (call->bus == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The request's path is known before the call: subscribing first
   * cannot miss a quick answer. */
  sender = g_strdup (g_dbus_connection_get_unique_name (call->bus) + 1);
  g_strdelimit (sender, ".", '_');
  request_path = g_strconcat (PORTAL_OBJECT_PATH "/request/", sender, "/", token, NULL);
  call->subscription = g_dbus_connection_signal_subscribe (call->bus, PORTAL_BUS_NAME, PORTAL_REQUEST, "Response",
                                                           request_path, NULL,
                                                           G_DBUS_SIGNAL_FLAGS_NONE,
                                                           portal_response_cb, g_object_ref (task),
                                                           g_object_unref);

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "handle_token", g_variant_new_string (token));
  g_variant_builder_add (&options, "{sv}", "reason",
                         g_variant_new_string (_("Xender-In starts at login to notify you of replies.")));
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (enabled));
  g_variant_builder_add (&options, "{sv}", "commandline", g_variant_new_strv ((const char * const *) argv, -1));
  g_variant_builder_add (&options, "{sv}", "dbus-activatable", g_variant_new_boolean (FALSE));
  g_dbus_connection_call (call->bus, PORTAL_BUS_NAME, PORTAL_OBJECT_PATH, PORTAL_BACKGROUND, "RequestBackground",
                          g_variant_new ("(sa{sv})", "", &options), G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, g_task_get_cancellable (task), portal_called_cb,
                          g_object_ref (task));
}

/* Public API */

/**
 * xi_autostart_dup_path:
 *
 * Returns: (transfer full): where the autostart file goes outside Flatpak
 */
char *
xi_autostart_dup_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", APP_ID ".desktop", NULL);
}

/**
 * xi_autostart_set_async:
 * @enabled: whether Xender-In starts, without a window, at login
 * @data_dir: (nullable): the data folder it was started with, if not the
 *   default one
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once done
 * @user_data: closure
 *
 * Writes or removes the autostart file, or under Flatpak asks the
 * Background portal, which may ask the user.
 */
void
xi_autostart_set_async (gboolean             enabled,
                        const char          *data_dir,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_auto(GStrv) argv = dup_command_line (data_dir);
  GError *error = NULL;

  g_task_set_source_tag (task, xi_autostart_set_async);
  if (in_flatpak ())
    request_background (task, enabled, argv);
  else if (enabled ? write_file (argv, &error) : remove_file (&error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * xi_autostart_set_finish:
 *
 * Returns: whether the change took effect, or %FALSE with @error set
 */
gboolean
xi_autostart_set_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
