/* xi-format.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "xi-format.h"

/*
 * Numbers, times and durations as the user's language writes them:
 * 100.000 and 09.28 in Indonesian, 100,000 and 09:28 in English. Counts go
 * through the C library's grouping for LC_NUMERIC; times through formats
 * the translators give, because the locale's own %X carries seconds.
 */

/**
 * xi_format_count:
 * @count: a number of things
 *
 * Returns: (transfer full): @count with the locale's thousands separator
 */
char *
xi_format_count (guint count)
{
  return g_strdup_printf ("%'u", count);
}

/**
 * xi_format_clock:
 * @unix_seconds: a moment
 *
 * "14:32" today, "Thu 14:32" on another day: campaigns rarely run for more
 * than a few days.
 *
 * Returns: (transfer full): the local time of @unix_seconds
 */
char *
xi_format_clock (gint64 unix_seconds)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (unix_seconds);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (when == NULL)
    return g_strdup ("");
  if (g_date_time_get_year (when) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (when) == g_date_time_get_day_of_year (now))
    /* Translators: a time today, see g_date_time_format(); Indonesian writes %H.%M */
    return g_date_time_format (when, _("%H:%M"));
  /* Translators: a time on another day this week, see g_date_time_format() */
  return g_date_time_format (when, _("%a %H:%M"));
}

/**
 * xi_format_duration:
 * @milliseconds: how long
 *
 * Rounded to what matters at that length: minutes under an hour, hours and
 * minutes under a day, then days and hours.
 *
 * Returns: (transfer full): "about 2 hours 10 minutes" or the like
 */
char *
xi_format_duration (gint64 milliseconds)
{
  gint64 minutes = (MAX (milliseconds, 0) + 30 * 1000) / (60 * 1000);
  g_autofree char *large = NULL;
  g_autofree char *small = NULL;
  guint days, hours;

  if (minutes < 1)
    return g_strdup (_("under a minute"));
  if (minutes < 60)
    return g_strdup_printf (ngettext ("about %u minute", "about %u minutes", (gulong)minutes),
                            (guint)minutes);

  if (minutes < 24 * 60)
    {
      hours = minutes / 60;
      minutes %= 60;
      large = g_strdup_printf (ngettext ("%u hour", "%u hours", hours), hours);
      if (minutes > 0)
        small = g_strdup_printf (ngettext ("%u minute", "%u minutes", (gulong)minutes), (guint)minutes);
    }
  else
    {
      hours = (minutes + 30) / 60;
      days = hours / 24;
      hours %= 24;
      large = g_strdup_printf (ngettext ("%u day", "%u days", days), days);
      if (hours > 0)
        small = g_strdup_printf (ngettext ("%u hour", "%u hours", hours), hours);
    }

  if (small == NULL)
    /* Translators: a rough duration, such as "about 3 hours" */
    return g_strdup_printf (_("about %s"), large);
  /* Translators: a rough duration, such as "about 3 hours 10 minutes" */
  return g_strdup_printf (_("about %s %s"), large, small);
}

/**
 * xi_format_short_wait:
 * @seconds: a wait before the next try
 *
 * Short enough for the header bar, where a wait can be seconds or hours.
 *
 * Returns: (transfer full): "12 s", "3 min" or "2 h"
 */
char *
xi_format_short_wait (guint seconds)
{
  if (seconds < 120)
    /* Translators: a short duration, as in "Reconnecting in 12 s" */
    return g_strdup_printf (_("%u s"), seconds);
  if (seconds < 120 * 60)
    return g_strdup_printf (_("%u min"), (seconds + 59) / 60);
  return g_strdup_printf (_("%u h"), (seconds + 3599) / 3600);
}
