/* xi-opt-out.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "xi-opt-out.h"

/*
 * Opt-out replies. A customer who answers a campaign with "STOP" must never
 * be messaged again, but one who writes "don't stop the promo, I like it"
 * must not be dropped: so a reply is an opt-out only when the whole message
 * is a keyword, once the decoration people add around it is gone (spaces,
 * punctuation, emoji: " STOP!! 🙏"). Matching ignores case the Unicode
 * way and treats any run of spaces inside a phrase as one ("stop  promo").
 */

static const char * const default_keywords[] = {
  "STOP",
  "BERHENTI",
  "UNSUBSCRIBE",
  "UNSUB",
  "STOP PROMO",
  NULL,
};

/* GLib reorders a run of combining marks, and composes a run of
 * characters, in time that grows with the square of the run: 65,536 marks
 * of two classes in one message took 15 s, and every incoming message is
 * normalised once for the opt-out check and again for each auto-reply
 * keyword. No text a person writes has more than 30 marks on one letter
 * (Unicode's stream-safe limit, UAX #15), so the marks past that are
 * dropped, and the text is normalised a piece of about PIECE_BYTES at a
 * time, cut before a character that starts a new sequence. */
#define MAX_MARKS   30
#define PIECE_BYTES 256

static void
append_folded (GString    *out,
               const char *piece,
               gssize      len)
{
  g_autofree char *normal = g_utf8_normalize (piece, len, G_NORMALIZE_ALL_COMPOSE);
  g_autofree char *folded = g_utf8_casefold (normal, -1);

  g_string_append (out, folded);
}

/* @text, valid UTF-8, normalised (NFKC) and case-folded. */
static char *
normalize_and_fold (const char *text)
{
  g_autoptr(GString) piece = g_string_new (NULL);
  GString *out = g_string_new (NULL);
  guint marks = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_combining_class (c) != 0)
        {
          if (++marks > MAX_MARKS)
            continue;
        }
      else
        {
          marks = 0;
          if (piece->len >= PIECE_BYTES)
            {
              append_folded (out, piece->str, (gssize)piece->len);
              g_string_truncate (piece, 0);
            }
        }
      g_string_append_unichar (piece, c);
    }
  append_folded (out, piece->str, (gssize)piece->len);
  return g_string_free (out, FALSE);
}

/**
 * xi_opt_out_default_keywords:
 *
 * The keywords used until the user edits the list (the "opt-out-keywords"
 * setting has the same default).
 *
 * Returns: (transfer none) (array zero-terminated=1): the default keywords
 */
const char * const *
xi_opt_out_default_keywords (void)
{
  return default_keywords;
}

/**
 * xi_opt_out_normalize:
 * @text: (nullable): a message or a keyword
 *
 * Case-folds @text, drops everything before the first and after the last
 * letter or digit (spaces, punctuation, emoji and other symbols) and turns
 * every run of white space inside into one space.
 *
 * Returns: (transfer full): the normalised text, possibly empty
 */
char *
xi_opt_out_normalize (const char *text)
{
  g_autofree char *folded = NULL;
  GString *out;
  gboolean space = FALSE;
  const char *start = NULL, *end = NULL;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return g_strdup ("");

  folded = normalize_and_fold (text);

  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (!g_unichar_isalnum (g_utf8_get_char (p)))
        continue;
      if (start == NULL)
        start = p;
      end = g_utf8_next_char (p);
    }
  if (start == NULL)
    return g_strdup ("");

  out = g_string_sized_new (end - start);
  for (const char *p = start; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        {
          space = TRUE;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

/**
 * xi_opt_out_match:
 * @text: (nullable): an incoming message
 * @keywords: (nullable) (array zero-terminated=1): the opt-out keywords;
 *   %NULL for the defaults
 *
 * Tells whether @text, as a whole, is one of @keywords, both compared
 * after xi_opt_out_normalize(). "Stop.", " STOP!! " and "stop promo" are
 * opt-outs; "please stop sending at night" is not.
 *
 * Returns: (transfer full) (nullable): the keyword that matched, as
 *   written in @keywords, or %NULL
 */
char *
xi_opt_out_match (const char         *text,
                  const char * const *keywords)
{
  g_autofree char *message = xi_opt_out_normalize (text);

  if (keywords == NULL)
    keywords = default_keywords;
  if (message[0] == '\0')
    return NULL;

  for (guint i = 0; keywords[i] != NULL; i++)
    {
      g_autofree char *keyword = xi_opt_out_normalize (keywords[i]);

      if (keyword[0] != '\0' && g_str_equal (keyword, message))
        return g_strdup (keywords[i]);
    }
  return NULL;
}

/* Whether the character at @p (or the end of the text) is not part of a
 * word. */
static gboolean
is_boundary (const char *p)
{
  return *p == '\0' || !g_unichar_isalnum (g_utf8_get_char (p));
}

/**
 * xi_text_contains_phrase:
 * @text: (nullable): a message
 * @phrase: a keyword or a few words
 *
 * How an auto-reply keyword matches: @phrase appears in @text as whole
 * words, ignoring case, with any run of spaces equal to one, and anything
 * that is not a letter or digit acting as a word boundary. "harga" matches
 * "Berapa harga?" and "HARGA!!", not "menghargai".
 *
 * Returns: whether @phrase occurs in @text
 */
gboolean
xi_text_contains_phrase (const char *text,
                         const char *phrase)
{
  g_autofree char *haystack = xi_opt_out_normalize (text);
  g_autofree char *needle = xi_opt_out_normalize (phrase);
  gsize len = strlen (needle);

  if (len == 0)
    return FALSE;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    {
      if ((p == haystack || is_boundary (g_utf8_prev_char (p))) && is_boundary (p + len))
        return TRUE;
    }
  return FALSE;
}
