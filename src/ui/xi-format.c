/* xi-format.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

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

/* @iso in the local time zone, or %NULL when it is not a time. */
static GDateTime *
parse_local (const char *iso)
{
  g_autoptr(GDateTime) utc = NULL;

  if (iso == NULL || iso[0] == '\0' || (utc = g_date_time_new_from_iso8601 (iso, NULL)) == NULL)
    return NULL;
  return g_date_time_to_local (utc);
}

/**
 * xi_format_when:
 * @iso: (nullable): a moment, ISO 8601
 * @with_time: whether a day other than today gets its time too
 *
 * Today: the time; this year: the day ("6 Des" in Indonesian); before:
 * the day and the year. Formats come from the translation, so the time
 * is 09.28 in Indonesian whatever the C library's locale says.
 *
 * Returns: (transfer full): the local time of @iso, or "" when it is not
 *   a time
 */
char *
xi_format_when (const char *iso,
                gboolean    with_time)
{
  g_autoptr(GDateTime) local = parse_local (iso);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (local == NULL)
    return g_strdup ("");
  if (g_date_time_get_year (local) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    return g_date_time_format (local, _("%H:%M"));
  if (g_date_time_get_year (local) == g_date_time_get_year (now))
    /* Translators: a day this year (with a time when asked), see g_date_time_format() */
    return g_date_time_format (local, with_time ? _("%-d %b, %H:%M") : _("%-d %b"));
  /* Translators: a day in another year, see g_date_time_format() */
  return g_date_time_format (local, with_time ? _("%-d %b %Y, %H:%M") : _("%-d %b %Y"));
}

/**
 * xi_format_date_time:
 * @iso: (nullable): a moment, ISO 8601
 *
 * Returns: (transfer full): the local day, year and time of @iso
 *   ("6 Des 2026, 09.28" in Indonesian), or "" when it is not a time
 */
char *
xi_format_date_time (const char *iso)
{
  g_autoptr(GDateTime) local = parse_local (iso);

  if (local == NULL)
    return g_strdup ("");
  /* Translators: a date and time, see g_date_time_format() */
  return g_date_time_format (local, _("%-d %b %Y, %H:%M"));
}

/* WhatsApp's markers: *bold*, _italic_, ~strike~, ```mono```. */

static gboolean
is_edge (gunichar c)
{
  return c == 0 || g_unichar_isspace (c) || g_unichar_ispunct (c);
}

/* The closing marker for the one opening at @open (length @len), on the
 * same line, right after something that is not a space and before an
 * edge; or NULL. */
static const char *
find_close (const char *open,
            const char *end,
            const char *marker,
            gsize       len)
{
  const char *inner = open + len;

  if (inner >= end || g_unichar_isspace (g_utf8_get_char (inner)))
    return NULL;
  for (const char *p = inner + 1; p + len <= end; p++)
    {
      gunichar before, after;

      if (*p == '\n' && len == 1)
        return NULL;
      if (strncmp (p, marker, len) != 0)
        continue;
      before = g_utf8_get_char (g_utf8_prev_char (p));
      after = p + len < end ? g_utf8_get_char (p + len) : 0;
      if (!g_unichar_isspace (before) && is_edge (after) && (len > 1 || after != (gunichar)marker[0]))
        return p;
    }
  return NULL;
}

/* @start..@end is text escaped for markup already: markers are only
 * ever paired inside one piece, so the tags nest by construction. */
static void
append_markup (GString    *out,
               const char *start,
               const char *end)
{
  static const struct { const char *marker; const char *open; const char *close; } styles[] = {
    { "```", "<tt>", "</tt>" },
    { "*", "<b>", "</b>" },
    { "_", "<i>", "</i>" },
    { "~", "<s>", "</s>" },
  };
  gunichar previous = 0;
  const char *p = start;

  while (p < end)
    {
      gboolean styled = FALSE;

      if (is_edge (previous))
        for (guint i = 0; i < G_N_ELEMENTS (styles) && !styled; i++)
          {
            gsize len = strlen (styles[i].marker);
            const char *close;

            if ((gsize)(end - p) < 2 * len + 1 || strncmp (p, styles[i].marker, len) != 0 ||
                (close = find_close (p, end, styles[i].marker, len)) == NULL)
              continue;
            g_string_append (out, styles[i].open);
            if (len > 1)
              g_string_append_len (out, p + len, close - (p + len));
            else
              append_markup (out, p + len, close);
            g_string_append (out, styles[i].close);
            previous = (gunichar)styles[i].marker[0];
            p = close + len;
            styled = TRUE;
          }
      if (styled)
        continue;
      previous = g_utf8_get_char (p);
      g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
}

/**
 * xi_format_whatsapp_markup:
 * @text: a message as WhatsApp carries it
 *
 * Pango markup that shows @text as WhatsApp does: *bold*, _italic_,
 * ~strike~ and ```monospace```. The text is escaped before any tag is
 * added, so nothing a customer types becomes markup.
 *
 * Returns: (transfer full): valid Pango markup
 */
char *
xi_format_whatsapp_markup (const char *text)
{
  g_autofree char *escaped = NULL;
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  escaped = g_markup_escape_text (text, -1);
  out = g_string_sized_new (strlen (escaped) + 16);
  append_markup (out, escaped, escaped + strlen (escaped));
  return g_string_free (out, FALSE);
}
