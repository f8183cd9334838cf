/* fuzz-template.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for the template parser and renderer. The input is
 * the template up to the first NUL byte; after it come the recipient's
 * values, NUL-separated, for name, phone, kota and nama_toko in turn. The
 * first byte after the template repeats every value (1 + byte) times, so
 * that short inputs reach messages past WhatsApp's limit.
 *
 * Besides sanitizer reports, a finding is: a parse error outside the
 * template domain or without a message; a rendered message longer than
 * XI_LIMIT_MESSAGE_CHARS, or invalid UTF-8; a render refused for length
 * without a limit error, or while xi_template_text_get_max_chars() says
 * the longest message fits; a message longer than that measure; two
 * renders with the same seed that differ; a missing variable that the
 * variant does not use. */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xi-limits.h"
#include "xi-template-text.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static const char * const keys[] = { "name", "phone", "kota", "nama_toko" };

typedef struct
{
  char *values[G_N_ELEMENTS (keys)];
} Recipient;

static const char *
lookup (const char *variable,
        gpointer    user_data)
{
  Recipient *recipient = user_data;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (g_str_equal (variable, keys[i]))
      return recipient->values[i];
  return NULL;
}

static void
fail (const char *what)
{
  fprintf (stderr, "template property broken: %s\n", what);
  abort ();
}

static void
check_render (XiTemplateText *text,
              Recipient      *recipient)
{
  XiTemplateLookupFunc func = recipient != NULL ? lookup : NULL;
  gsize max_chars = xi_template_text_get_max_chars (text, func, recipient);
  g_autoptr(GRand) first = g_rand_new_with_seed (7);
  g_autoptr(GRand) second = g_rand_new_with_seed (7);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) missing = NULL;
  g_autofree char *out = xi_template_text_render (text, func, recipient, first, &missing, &error);
  g_autofree char *again = xi_template_text_render (text, func, recipient, second, NULL, NULL);
  char **used = xi_template_text_get_variables (text);

  if (max_chars > XI_LIMIT_MESSAGE_CHARS + 1)
    fail ("the measure is not capped");
  if (out == NULL)
    {
      if (!g_error_matches (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_LONG) || missing != NULL)
        fail ("a render failed without the limit error");
      if (max_chars <= XI_LIMIT_MESSAGE_CHARS)
        fail ("a render failed although its longest message fits");
      if (again != NULL)
        fail ("the same seed rendered once and failed once");
      return;
    }

  if (error != NULL)
    fail ("a message and an error");
  if (!g_utf8_validate (out, -1, NULL))
    fail ("the message is not UTF-8");
  if ((gsize)g_utf8_strlen (out, -1) > XI_LIMIT_MESSAGE_CHARS)
    fail ("the message is longer than the limit");
  if ((gsize)g_utf8_strlen (out, -1) > max_chars)
    fail ("the message is longer than the longest the measure allows");
  if (g_strcmp0 (out, again) != 0)
    fail ("the same seed rendered two messages");
  for (guint i = 0; missing != NULL && missing[i] != NULL; i++)
    if (!g_strv_contains ((const char * const *)used, missing[i]))
      fail ("a missing variable the variant does not use");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *end = (const char *)data + size;
  const char *nul = memchr (data, '\0', size);
  g_autofree char *source = g_strndup ((const char *)data, nul != NULL ? nul - (const char *)data : size);
  g_autoptr(XiTemplateText) any = NULL;
  g_autoptr(XiTemplateText) known = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const known_fields[] = { "kota", NULL };
  Recipient recipient = { { NULL } };
  const char *p;
  guint repeat = 1;

  any = xi_template_text_parse (source, NULL, &error);
  if (any == NULL)
    {
      if (error == NULL || error->domain != XI_TEMPLATE_ERROR || error->message[0] == '\0')
        fail ("a parse failed without a template error");
      return 0;
    }

  /* Knowing fewer fields may only refuse more, never parse differently. */
  known = xi_template_text_parse (source, known_fields, NULL);
  if (known != NULL && g_strv_length (xi_template_text_get_variables (known)) !=
                       g_strv_length (xi_template_text_get_variables (any)))
    fail ("the known fields changed what was parsed");

  p = nul != NULL ? nul + 1 : end;
  if (p < end)
    repeat = 1 + (guint8)*p++;
  for (guint i = 0; i < G_N_ELEMENTS (keys) && p < end; i++)
    {
      const char *stop = memchr (p, '\0', end - p);
      gsize len = (stop != NULL ? stop : end) - p;
      g_autofree char *value = g_utf8_make_valid (p, len);
      GString *repeated = g_string_new (NULL);

      for (guint r = 0; r < repeat; r++)
        g_string_append (repeated, value);
      recipient.values[i] = g_string_free (repeated, FALSE);
      p = stop != NULL ? stop + 1 : end;
    }

  check_render (any, &recipient);
  check_render (any, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_free (recipient.values[i]);
  return 0;
}
