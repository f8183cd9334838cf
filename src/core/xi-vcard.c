/* xi-vcard.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-vcard"

#include "config.h"

#include <string.h>

#include "xi-vcard.h"

/*
 * Contacts exported from phones and address books as vCard 2.1, 3.0 or
 * 4.0. Android writes 2.1 with QUOTED-PRINTABLE names, so both the folding
 * of 3.0/4.0 and the soft line breaks of quoted-printable are handled.
 */

void
xi_vcard_free (XiVCard *card)
{
  if (card == NULL)
    return;
  g_free (card->name);
  g_free (card->phone);
  g_free (card->notes);
  g_strfreev (card->tags);
  g_free (card->company);
  g_free (card->email);
  g_free (card);
}

typedef struct
{
  char  *group_and_name;   /* "item1.TEL" */
  char  *name;             /* "TEL", upper case */
  char **params;           /* "TYPE=CELL", "CELL", … upper case */
  char  *value;            /* raw */
  guint  line;
} Property;

static void
property_clear (Property *prop)
{
  g_free (prop->group_and_name);
  g_free (prop->name);
  g_strfreev (prop->params);
  g_free (prop->value);
}

static gboolean
has_param (const Property *prop,
           const char     *param)
{
  for (guint i = 0; prop->params[i] != NULL; i++)
    {
      const char *p = prop->params[i];
      g_auto(GStrv) values = NULL;

      if (g_str_equal (p, param))
        return TRUE;
      if (!g_str_has_prefix (p, "TYPE=") && !g_str_has_prefix (p, "ENCODING=") &&
          !g_str_has_prefix (p, "CHARSET="))
        continue;

      /* TYPE=CELL,VOICE and TYPE="cell,voice" */
      values = g_strsplit_set (strchr (p, '=') + 1, ",\"", -1);
      for (guint v = 0; values[v] != NULL; v++)
        if (g_str_equal (values[v], param))
          return TRUE;
    }
  return FALSE;
}

static const char *
param_value (const Property *prop,
             const char     *key)
{
  gsize len = strlen (key);

  for (guint i = 0; prop->params[i] != NULL; i++)
    if (strncmp (prop->params[i], key, len) == 0 && prop->params[i][len] == '=')
      return prop->params[i] + len + 1;
  return NULL;
}

static char *
decode_quoted_printable (const char *in)
{
  GString *out = g_string_new (NULL);

  for (const char *p = in; *p != '\0'; p++)
    {
      if (p[0] == '=' && g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]))
        {
          g_string_append_c (out, (char)(g_ascii_xdigit_value (p[1]) << 4 | g_ascii_xdigit_value (p[2])));
          p += 2;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* Undoes the escapes of vCard 3.0/4.0 text values. */
static char *
unescape (const char *in)
{
  GString *out = g_string_new (NULL);

  for (const char *p = in; *p != '\0'; p++)
    {
      if (p[0] == '\\' && p[1] != '\0')
        {
          p++;
          g_string_append_c (out, (*p == 'n' || *p == 'N') ? '\n' : *p);
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* Splits on an unescaped separator, then unescapes each part. */
static char **
split_escaped (const char *in,
               char        separator)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GString *part = g_string_new (NULL);

  for (const char *p = in;; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        {
          g_string_append_c (part, *p++);
          g_string_append_c (part, *p);
        }
      else if (*p == separator || *p == '\0')
        {
          g_autofree char *unescaped = unescape (part->str);

          g_strv_builder_add (builder, unescaped);
          g_string_truncate (part, 0);
          if (*p == '\0')
            break;
        }
      else
        g_string_append_c (part, *p);
    }

  g_string_free (part, TRUE);
  return g_strv_builder_end (builder);
}

/* The value as UTF-8 text, with its encoding and charset undone. */
static char *
decoded_value (const Property *prop)
{
  g_autofree char *raw = NULL;
  const char *charset = param_value (prop, "CHARSET");

  if (has_param (prop, "QUOTED-PRINTABLE"))
    raw = decode_quoted_printable (prop->value);
  else
    raw = g_strdup (prop->value);

  if (charset != NULL && g_ascii_strcasecmp (charset, "UTF-8") != 0)
    {
      char *converted = g_convert (raw, -1, "UTF-8", charset, NULL, NULL, NULL);

      if (converted != NULL)
        {
          g_free (raw);
          raw = converted;
        }
    }

  if (!g_utf8_validate (raw, -1, NULL))
    {
      char *fixed = g_utf8_make_valid (raw, -1);
      g_free (raw);
      raw = fixed;
    }

  return g_steal_pointer (&raw);
}

static gboolean
parse_property (const char *line,
                guint       number,
                Property   *prop)
{
  const char *colon;
  g_autofree char *head = NULL;
  g_auto(GStrv) parts = NULL;
  const char *dot;

  /* The first colon outside a quoted parameter ends the head. */
  colon = NULL;
  for (const char *p = line, *quote = NULL; *p != '\0'; p++)
    {
      if (*p == '"')
        quote = quote == NULL ? p : NULL;
      else if (*p == ':' && quote == NULL)
        {
          colon = p;
          break;
        }
    }
  if (colon == NULL)
    return FALSE;

  head = g_ascii_strup (line, colon - line);
  parts = g_strsplit (head, ";", -1);

  prop->group_and_name = g_strdup (parts[0]);
  dot = strrchr (parts[0], '.');
  prop->name = g_strdup (dot != NULL ? dot + 1 : parts[0]);
  prop->params = g_strdupv (parts + 1);
  prop->value = g_strdup (colon + 1);
  prop->line = number;
  return TRUE;
}

/* Joins folded lines: a line starting with a space or tab continues the
 * previous one (3.0/4.0), and a quoted-printable line ending in "=" does
 * too (2.1). Returns the logical lines with the line number each starts on. */
static GPtrArray *
unfold (const char *text,
        GArray     *line_numbers)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) physical = g_strsplit (text, "\n", -1);
  GString *current = NULL;
  guint start = 0;

  for (guint i = 0; physical[i] != NULL; i++)
    {
      char *l = physical[i];
      gsize len = strlen (l);
      gboolean continuation;

      if (len > 0 && l[len - 1] == '\r')
        l[--len] = '\0';

      continuation = current != NULL &&
                     ((l[0] == ' ' || l[0] == '\t') ||
                      (current->len > 0 && current->str[current->len - 1] == '=' &&
                       strstr (current->str, "QUOTED-PRINTABLE") != NULL));

      if (continuation)
        {
          if (l[0] == ' ' || l[0] == '\t')
            g_string_append (current, l + 1);
          else
            {
              g_string_truncate (current, current->len - 1);
              g_string_append (current, l);
            }
          continue;
        }

      if (current != NULL)
        {
          g_ptr_array_add (lines, g_string_free (current, FALSE));
          g_array_append_val (line_numbers, start);
        }
      current = g_string_new (l);
      start = i + 1;
    }

  if (current != NULL)
    {
      g_ptr_array_add (lines, g_string_free (current, FALSE));
      g_array_append_val (line_numbers, start);
    }

  return lines;
}

static void
apply_property (XiVCard        *card,
                const Property *prop,
                gboolean       *have_cell,
                char          **n_name)
{
  g_autofree char *value = decoded_value (prop);

  if (g_str_equal (prop->name, "FN"))
    {
      g_free (card->name);
      card->name = g_strstrip (unescape (value));
    }
  else if (g_str_equal (prop->name, "N") && *n_name == NULL)
    {
      g_auto(GStrv) parts = split_escaped (value, ';');
      g_autoptr(GString) name = g_string_new (NULL);

      /* Family;Given;Additional;Prefix;Suffix → "Given Additional Family" */
      for (guint i = 1; i <= 2 && parts[0] != NULL && i < g_strv_length (parts); i++)
        if (parts[i][0] != '\0')
          g_string_append_printf (name, "%s%s", name->len > 0 ? " " : "", parts[i]);
      if (parts[0] != NULL && parts[0][0] != '\0')
        g_string_append_printf (name, "%s%s", name->len > 0 ? " " : "", parts[0]);
      *n_name = g_strdup (name->str);
    }
  else if (g_str_equal (prop->name, "TEL"))
    {
      gboolean cell = has_param (prop, "CELL") || has_param (prop, "MOBILE");
      const char *number = g_str_has_prefix (value, "tel:") ? value + 4 : value;

      if (card->phone == NULL || (cell && !*have_cell))
        {
          g_free (card->phone);
          card->phone = g_strstrip (g_strdup (number));
          *have_cell = cell;
        }
    }
  else if (g_str_equal (prop->name, "NOTE") && card->notes == NULL)
    card->notes = unescape (value);
  else if (g_str_equal (prop->name, "CATEGORIES"))
    {
      g_strfreev (card->tags);
      card->tags = split_escaped (value, ',');
    }
  else if (g_str_equal (prop->name, "ORG") && card->company == NULL)
    {
      g_auto(GStrv) parts = split_escaped (value, ';');
      card->company = g_strdup (parts[0]);
    }
  else if (g_str_equal (prop->name, "EMAIL") && card->email == NULL)
    card->email = g_strstrip (unescape (value));
}

/**
 * xi_vcard_parse:
 * @text: UTF-8 text holding one or more vCards
 *
 * Returns: (transfer full) (element-type XiVCard): the cards, in file order
 */
GPtrArray *
xi_vcard_parse (const char *text)
{
  GPtrArray *cards = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_vcard_free);
  g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GPtrArray) lines = unfold (text, numbers);
  XiVCard *card = NULL;
  g_autofree char *n_name = NULL;
  gboolean have_cell = FALSE;

  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);
      guint number = g_array_index (numbers, guint, i);
      Property prop = { 0 };

      if (!parse_property (line, number, &prop))
        continue;

      if (g_str_equal (prop.name, "BEGIN") && g_ascii_strcasecmp (prop.value, "VCARD") == 0)
        {
          xi_vcard_free (card);
          card = g_new0 (XiVCard, 1);
          card->line = number;
          card->tags = g_new0 (char *, 1);
          have_cell = FALSE;
          g_clear_pointer (&n_name, g_free);
        }
      else if (g_str_equal (prop.name, "END") && card != NULL)
        {
          if ((card->name == NULL || card->name[0] == '\0') && n_name != NULL)
            {
              g_free (card->name);
              card->name = g_steal_pointer (&n_name);
            }
          g_ptr_array_add (cards, g_steal_pointer (&card));
        }
      else if (card != NULL)
        apply_property (card, &prop, &have_cell, &n_name);

      property_clear (&prop);
    }

  xi_vcard_free (card);
  return cards;
}
