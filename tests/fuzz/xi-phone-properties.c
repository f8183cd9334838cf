/* xi-phone-properties.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "xi-phone.h"
#include "xi-phone-properties.h"

/*
 * What must hold for every number the normaliser accepts, shared by the
 * fuzz target and test-phone (which runs it over the tests' numbers and
 * the fuzz corpus): the stored digits pass the campaign's validity check,
 * normalising them again (with "+", as a campaign does, and as we print
 * them) gives the same digits, and so does the default country having no
 * say once the number is international. A refusal must come with a
 * sentence in the phone error domain.
 */

/**
 * xi_phone_check_properties:
 * @input: (nullable): a number as typed
 * @default_country_code: (nullable): as for xi_phone_normalize()
 *
 * Returns: (transfer full) (nullable): %NULL when every property holds,
 *   else what broke, with the numbers involved
 */
char *
xi_phone_check_properties (const char *input,
                           const char *default_country_code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = xi_phone_normalize (input, default_country_code, &error);
  g_autofree char *plus = NULL;
  g_autofree char *again = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *shown_again = NULL;
  g_autofree char *elsewhere = NULL;

  if (stored == NULL)
    {
      if (error == NULL || error->domain != XI_PHONE_ERROR || error->message[0] == '\0')
        return g_strdup_printf ("“%s” refused without a phone error", input);
      return NULL;
    }
  if (error != NULL)
    return g_strdup_printf ("“%s” gave %s and an error", input, stored);

  for (const char *p = stored; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return g_strdup_printf ("“%s” gave %s, which is not only digits", input, stored);
  if (strlen (stored) > 15)
    return g_strdup_printf ("“%s” gave %s, longer than E.164 allows", input, stored);

  if (!xi_phone_is_valid (stored))
    return g_strdup_printf ("“%s” gave %s, which a campaign skips as invalid", input, stored);

  plus = g_strconcat ("+", stored, NULL);
  again = xi_phone_normalize (plus, default_country_code, NULL);
  if (g_strcmp0 (again, stored) != 0)
    return g_strdup_printf ("“%s” gave %s, but %s gives %s", input, stored, plus,
                            again != NULL ? again : "an error");

  shown = xi_phone_format_international (stored);
  shown_again = xi_phone_normalize (shown, default_country_code, NULL);
  if (g_strcmp0 (shown_again, stored) != 0)
    return g_strdup_printf ("“%s” gave %s, shown as “%s”, which gives %s", input, stored, shown,
                            shown_again != NULL ? shown_again : "an error");

  elsewhere = xi_phone_normalize (plus, "1", NULL);
  if (g_strcmp0 (elsewhere, stored) != 0)
    return g_strdup_printf ("%s depends on the default country", plus);

  return NULL;
}

/**
 * xi_phone_check_corpus_file:
 * @contents: a file of the phone fuzz corpus: the default country code on
 *   the first line, the number as typed after it
 * @len: length of @contents
 *
 * Returns: (transfer full) (nullable): as xi_phone_check_properties()
 */
char *
xi_phone_check_corpus_file (const char *contents,
                            gsize       len)
{
  const char *newline = memchr (contents, '\n', len);
  g_autofree char *country = NULL;
  g_autofree char *number = NULL;

  if (newline == NULL)
    {
      number = g_strndup (contents, len);
      return xi_phone_check_properties (number, NULL);
    }

  country = g_strndup (contents, newline - contents);
  number = g_strndup (newline + 1, len - (newline + 1 - contents));
  return xi_phone_check_properties (number, country);
}
