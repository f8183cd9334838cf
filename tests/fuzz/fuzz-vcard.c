/* fuzz-vcard.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for the vCard reader, on its own and through the
 * import (encoding detection included). Besides sanitizer reports, a
 * finding is: a card whose text is not UTF-8 or whose tags are missing or
 * empty, cards out of file order or past the last line, or a broken
 * property of xi-import-properties.c. */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "xi-import-properties.h"
#include "xi-vcard.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
fail (const char *what)
{
  fprintf (stderr, "vCard property broken: %s\n", what);
  abort ();
}

static gboolean
is_text (const char *value)
{
  return value == NULL || g_utf8_validate (value, -1, NULL);
}

/* Lines as the reader numbers them: CRLF, LF and CR each end one. */
static guint
count_lines (const char *text)
{
  guint n = 1;

  for (const char *p = text; *p != '\0'; p++)
    if (*p == '\n' || (*p == '\r' && p[1] != '\n'))
      n++;
  return n;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *)data, size);
  g_autoptr(GPtrArray) cards = xi_vcard_parse (text);
  guint n_lines = count_lines (text);
  guint last_line = 0;

  for (guint i = 0; i < cards->len; i++)
    {
      XiVCard *card = g_ptr_array_index (cards, i);

      if (card->line == 0 || card->line <= last_line || card->line > n_lines)
        fail ("cards out of file order, or past the last line");
      last_line = card->line;
      if (!is_text (card->name) || !is_text (card->phone) || !is_text (card->notes) ||
          !is_text (card->company) || !is_text (card->email))
        fail ("a card that is not UTF-8");
      if (card->tags == NULL)
        fail ("a card without its tags list");
      for (guint t = 0; card->tags[t] != NULL; t++)
        if (card->tags[t][0] == '\0' || !is_text (card->tags[t]))
          fail ("an empty tag");
    }

  xi_import_check_file (data, size, "contacts.vcf");
  return 0;
}
