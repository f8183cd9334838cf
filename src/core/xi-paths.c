/* xi-paths.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>

#include "xi-paths.h"

/**
 * xi_paths_dup_data_dir:
 * @override: (nullable): a directory given on the command line
 * @error: return location for a #GError
 *
 * Finds and creates the directory that holds the store: @override, else
 * `XENDER_IN_DATA_DIR`, else `$XDG_DATA_HOME/xender-in`. It holds customer
 * lists and WhatsApp keys, so it is made private to the user (0700).
 *
 * Returns: (transfer full): the directory, or %NULL with @error set
 */
char *
xi_paths_dup_data_dir (const char  *override,
                       GError     **error)
{
  g_autofree char *dir = NULL;
  const char *env = g_getenv ("XENDER_IN_DATA_DIR");

  if (override != NULL && override[0] != '\0')
    dir = g_canonicalize_filename (override, NULL);
  else if (env != NULL && env[0] != '\0')
    dir = g_canonicalize_filename (env, NULL);
  else
    dir = g_build_filename (g_get_user_data_dir (), "xender-in", NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the data folder %s: %s"),
                   dir, g_strerror (saved_errno));
      return NULL;
    }

  /* A folder made by an older version, by hand or by a file manager has
   * the umask's mode: it is made private too. */
  if (g_chmod (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not make the data folder %s private to you: %s"),
                   dir, g_strerror (saved_errno));
      return NULL;
    }

  return g_steal_pointer (&dir);
}

/**
 * xi_paths_dup_store_path:
 * @data_dir: a directory from xi_paths_dup_data_dir()
 *
 * Returns: (transfer full): the path of the SQLite store
 */
char *
xi_paths_dup_store_path (const char *data_dir)
{
  return g_build_filename (data_dir, "xender-in.db", NULL);
}

/**
 * xi_paths_init_i18n:
 *
 * Sets the locale from the environment and binds the translations: from
 * `XENDER_IN_LOCALEDIR` when it is set (the build folder's `po/`, which
 * `build-aux/run-app`, `meson devenv` and the tests name, since an
 * uninstalled program would otherwise look under a prefix that has no
 * translations yet), else from the installed locale folder.
 */
void
xi_paths_init_i18n (void)
{
  const char *env = g_getenv ("XENDER_IN_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, env != NULL && env[0] != '\0' ? env : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
