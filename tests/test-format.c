/* test-format.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "xi-format.h"
#include "xi-test-utils.h"

/* Numbers and times in the user's language: Indonesian groups thousands
 * with a dot and writes 09.28. The Indonesian locale is compiled into the
 * test's own folder (LOCPATH), so no system locale needs generating. */

static char *locale_dir;

static void
use_locale (const char *name)
{
  g_assert_nonnull (setlocale (LC_ALL, name));
  g_setenv ("LANGUAGE", g_str_has_prefix (name, "id") ? "id" : "C", TRUE);
  /* gettext caches what it found for the previous language. */
  textdomain (GETTEXT_PACKAGE);
}

static void
test_indonesian (void)
{
  g_autoptr(GDateTime) today = g_date_time_new_now_local ();
  g_autoptr(GDateTime) at = g_date_time_new_local (g_date_time_get_year (today),
                                                   g_date_time_get_month (today),
                                                   g_date_time_get_day_of_month (today), 9, 28, 0);
  g_autofree char *count = NULL;
  g_autofree char *clock = NULL;
  g_autofree char *duration = NULL;

  use_locale ("id_ID.UTF-8");
  count = xi_format_count (100000);
  clock = xi_format_clock (g_date_time_to_unix (at));
  duration = xi_format_duration ((2 * 60 + 10) * 60 * 1000);
  g_assert_cmpstr (count, ==, "100.000");
  g_assert_cmpstr (clock, ==, "09.28");
  g_assert_cmpstr (duration, ==, "sekitar 2 jam 10 menit");
  use_locale ("C.UTF-8");
}

static void
test_durations (void)
{
  const struct { gint64 ms; const char *text; } table[] = {
    { 0, "under a minute" },
    { 29 * 1000, "under a minute" },
    { 90 * 1000, "about 2 minutes" },
    { 60 * 60 * 1000, "about 1 hour" },
    { (3 * 60 + 10) * 60 * 1000, "about 3 hours 10 minutes" },
    { (23 * 60 + 59) * 60 * 1000 + 40 * 1000, "about 1 day" },
    { (2 * 24 + 5) * 60 * 60 * 1000, "about 2 days 5 hours" },
    { -5000, "under a minute" },
  };

  use_locale ("C.UTF-8");
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *text = xi_format_duration (table[i].ms);

      g_assert_cmpstr (text, ==, table[i].text);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;
  int result;

  g_test_init (&argc, &argv, NULL);

  locale_dir = g_dir_make_tmp ("xi-locale-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autofree char *target = g_build_filename (locale_dir, "id_ID.UTF-8", NULL);
    const char *localedef[] = { "localedef", "-i", "id_ID", "-f", "UTF-8", target, NULL };

    g_spawn_sync (NULL, (char **)localedef, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                  &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, &error));
    g_assert_no_error (error);
  }
  g_setenv ("LOCPATH", locale_dir, TRUE);
  bindtextdomain (GETTEXT_PACKAGE, XI_TEST_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_add_func ("/xi/format/indonesian", test_indonesian);
  g_test_add_func ("/xi/format/durations", test_durations);

  result = g_test_run ();

  xi_test_rm_rf (locale_dir);
  g_free (locale_dir);
  return result;
}
