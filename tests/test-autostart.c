/* test-autostart.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "xi-autostart.h"
#include "xi-test-utils.h"

/* "Start at login" outside Flatpak: the XDG autostart file in an
 * isolated configuration folder, read back the way a session reads it. */

static gboolean
set (gboolean     enabled,
     const char  *data_dir,
     GError     **error)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  xi_autostart_set_async (enabled, data_dir, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  return xi_autostart_set_finish (result, error);
}

/* The file starts this very binary in the background, with a data folder
 * whose name needs the Exec key's quoting; turning it off removes it. */
static void
test_file (void)
{
  const char *data_dir = "/srv/toko budi/\"data\" $HOME `x` \\ 100%";
  g_autofree char *path = xi_autostart_dup_path ();
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *option = g_strconcat ("--data-dir=", data_dir, NULL);
  g_autoptr(GKeyFile) entry = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *exec = NULL;
  g_autofree char *type = NULL;
  g_autofree char *validator = NULL;
  g_autofree char *unpercented = NULL;
  g_auto(GStrv) parts = NULL;
  g_auto(GStrv) argv = NULL;
  GStatBuf st;

  g_assert_true (g_str_has_prefix (path, g_get_user_config_dir ()));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_assert_true (set (TRUE, data_dir, &error));
  g_assert_no_error (error);
  g_assert_true (g_key_file_load_from_file (entry, path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  type = g_key_file_get_string (entry, "Desktop Entry", "Type", NULL);
  g_assert_cmpstr (type, ==, "Application");
  g_assert_true (g_key_file_get_boolean (entry, "Desktop Entry", "X-GNOME-Autostart-enabled", NULL));
  g_assert_true (g_key_file_get_boolean (entry, "Desktop Entry", "NoDisplay", NULL));

  /* The Exec key's quoting is the shell's double quotes, plus %% for %. */
  exec = g_key_file_get_string (entry, "Desktop Entry", "Exec", &error);
  g_assert_no_error (error);
  parts = g_strsplit (exec, "%%", -1);
  unpercented = g_strjoinv ("%", parts);
  g_assert_true (g_shell_parse_argv (unpercented, NULL, &argv, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (argv), ==, 3);
  g_assert_cmpstr (argv[0], ==, self_path);
  g_assert_cmpstr (argv[1], ==, "--background");
  g_assert_cmpstr (argv[2], ==, option);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0644);
  /* Whatever the session's reader is, the file follows the format. */
  if ((validator = g_find_program_in_path ("desktop-file-validate")) != NULL)
    {
      const char *validate[] = { validator, path, NULL };
      int status = -1;

      g_assert_true (g_spawn_sync (NULL, (char **) validate, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                                   &status, &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
    }

  /* Without a data folder of its own, only the binary and --background. */
  g_assert_true (set (TRUE, NULL, &error));
  g_assert_true (g_key_file_load_from_file (entry, path, G_KEY_FILE_NONE, &error));
  g_clear_pointer (&exec, g_free);
  exec = g_key_file_get_string (entry, "Desktop Entry", "Exec", NULL);
  g_assert_true (g_str_has_suffix (exec, "\" \"--background\""));

  g_assert_true (set (FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  /* Off twice is still off. */
  g_assert_true (set (FALSE, NULL, &error));
  g_assert_no_error (error);
}

/* A file where the folder should be: the error names it. */
static void
test_unwritable (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "autostart", NULL);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (g_get_user_config_dir (), 0700);
  g_assert_true (g_file_set_contents (dir, "", 0, NULL));
  g_assert_false (set (TRUE, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "autostart"));
  g_unlink (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/xi/autostart/file", test_file);
  g_test_add_func ("/xi/autostart/unwritable", test_unwritable);

  return g_test_run ();
}
