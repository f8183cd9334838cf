/* test-format.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <pango/pango.h>
#include <string.h>

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

/* Dates the way Indonesian writes them: "6 Des 2026", "09.28". */
static void
test_indonesian_dates (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) today = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                                      g_date_time_get_day_of_month (now), 9, 28, 0);
  g_autoptr(GDateTime) before = g_date_time_new_local (g_date_time_get_year (now) - 1, 12, 6, 14, 5, 0);
  g_autoptr(GDateTime) today_utc = g_date_time_to_utc (today);
  g_autoptr(GDateTime) before_utc = g_date_time_to_utc (before);
  g_autofree char *today_iso = g_date_time_format_iso8601 (today_utc);
  g_autofree char *before_iso = g_date_time_format_iso8601 (before_utc);
  g_autofree char *expected_day = g_strdup_printf ("6 Des %d", g_date_time_get_year (before));
  g_autofree char *expected_moment = g_strdup_printf ("6 Des %d, 14.05", g_date_time_get_year (before));
  g_autofree char *english_day = g_strdup_printf ("6 Dec %d", g_date_time_get_year (before));
  g_autofree char *time = NULL;
  g_autofree char *day = NULL;
  g_autofree char *moment = NULL;
  g_autofree char *english = NULL;
  g_autofree char *junk = NULL;

  use_locale ("id_ID.UTF-8");
  time = xi_format_when (today_iso, TRUE);
  day = xi_format_when (before_iso, FALSE);
  moment = xi_format_when (before_iso, TRUE);
  g_assert_cmpstr (time, ==, "09.28");
  g_assert_cmpstr (day, ==, expected_day);
  g_assert_cmpstr (moment, ==, expected_moment);
  g_free (moment);
  moment = xi_format_date_time (before_iso);
  g_assert_cmpstr (moment, ==, expected_moment);
  use_locale ("C.UTF-8");
  english = xi_format_when (before_iso, FALSE);
  g_assert_cmpstr (english, ==, english_day);
  junk = xi_format_when ("yesterday", TRUE);
  g_assert_cmpstr (junk, ==, "");
}

static void
test_whatsapp_markup (void)
{
  const struct { const char *text; const char *markup; } table[] = {
    { "*Diskon* 50%", "<b>Diskon</b> 50%" },
    { "_miring_ dan ~coret~", "<i>miring</i> dan <s>coret</s>" },
    { "*_tebal miring_*", "<b><i>tebal miring</i></b>" },
    { "```kode *tetap*```", "<tt>kode *tetap*</tt>" },
    { "harga 5*3*2 = 30", "harga 5*3*2 = 30" },
    { "nama_file_baru.txt", "nama_file_baru.txt" },
    { "* bukan tebal*", "* bukan tebal*" },
    { "*tidak\nmelintasi baris*", "*tidak\nmelintasi baris*" },
    { "**", "**" },
    { "(*ya*)", "(<b>ya</b>)" },
    { "<b>bukan markup</b> & *ini*", "&lt;b&gt;bukan markup&lt;/b&gt; &amp; <b>ini</b>" },
    { "*<span foreground='red'>*", "<b>&lt;span foreground=&apos;red&apos;&gt;</b>" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *markup = xi_format_whatsapp_markup (table[i].text);

      g_assert_cmpstr (markup, ==, table[i].markup);
    }
}

/* Whatever is typed, the result parses as markup and shows every
 * character that is not a marker. */
static void
test_whatsapp_markup_any_text (void)
{
  static const char alphabet[] = "*_~` <>&'\"ab\n";
  GRand *rand = g_rand_new_with_seed (15);

  for (guint round = 0; round < 20000; round++)
    {
      char text[24];
      guint len = g_rand_int_range (rand, 0, sizeof text);
      g_autofree char *markup = NULL;
      g_autofree char *plain = NULL;
      g_autoptr(GError) error = NULL;
      GString *expected = g_string_new (NULL);
      GString *shown = g_string_new (NULL);

      for (guint i = 0; i < len; i++)
        text[i] = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
      text[len] = '\0';
      markup = xi_format_whatsapp_markup (text);
      g_assert_true (pango_parse_markup (markup, -1, 0, NULL, &plain, NULL, &error));
      g_assert_no_error (error);
      for (const char *p = text; *p != '\0'; p++)
        if (strchr ("*_~`", *p) == NULL)
          g_string_append_c (expected, *p);
      for (const char *p = plain; *p != '\0'; p++)
        if (strchr ("*_~`", *p) == NULL)
          g_string_append_c (shown, *p);
      g_assert_cmpstr (shown->str, ==, expected->str);
      g_string_free (expected, TRUE);
      g_string_free (shown, TRUE);
    }
  g_rand_free (rand);
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
  int result;

  g_test_init (&argc, &argv, NULL);

  locale_dir = xi_test_compile_locale ("id_ID");
  bindtextdomain (GETTEXT_PACKAGE, XI_TEST_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_add_func ("/xi/format/indonesian", test_indonesian);
  g_test_add_func ("/xi/format/durations", test_durations);
  g_test_add_func ("/xi/format/indonesian-dates", test_indonesian_dates);
  g_test_add_func ("/xi/format/whatsapp-markup", test_whatsapp_markup);
  g_test_add_func ("/xi/format/whatsapp-markup-any-text", test_whatsapp_markup_any_text);

  result = g_test_run ();

  xi_test_rm_rf (locale_dir);
  g_free (locale_dir);
  return result;
}
