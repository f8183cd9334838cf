/* xi-test-utils.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "xi-test-utils.h"

/* Every test makes its own data under the system temporary directory. */
char *
xi_test_make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("xi-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
xi_test_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (path == NULL)
    return;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      xi_test_rm_rf (child);
    }
  g_rmdir (path);
}

void
xi_test_store_result_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

/* Spinning the default context is fine in tests; product code never does. */
GAsyncResult *
xi_test_wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (slot);
}

GBytes *
xi_test_bytes_from_hex (const char *hex)
{
  gsize len = strlen (hex);
  guint8 *out;

  g_assert_cmpuint (len % 2, ==, 0);
  out = g_malloc (len / 2 + 1);
  for (gsize i = 0; i < len / 2; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      g_assert_cmpint (hi, >=, 0);
      g_assert_cmpint (lo, >=, 0);
      out[i] = (guint8) (hi << 4 | lo);
    }
  return g_bytes_new_take (out, len / 2);
}

char *
xi_test_hex (const guint8 *data,
             gsize         len)
{
  GString *s = g_string_sized_new (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, "%02x", data[i]);
  return g_string_free (s, FALSE);
}
