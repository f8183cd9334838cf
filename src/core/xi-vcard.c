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
 * 4.0. Android writes 2.1 with QUOTED-PRINTABLE names in a CHARSET, so
 * both the folding of 3.0/4.0 and the soft line breaks of
 * quoted-printable are undone. Nothing here is refused: a card without a
 * usable number still comes out, and the import reader reports it.
 */

/**
 * xi_vcard_free:
 * @card: (nullable): a card
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

/* One content line after unfolding. */
typedef struct
{
  char  *text;
  guint  line;
} Logical;

static void
logical_clear (gpointer data)
{
  g_free (((Logical *)data)->text);
}

typedef struct
{
  char  *name;      /* "TEL", upper case, without its "item1." group */
  char **params;    /* "TYPE=CELL", "CELL", … upper case */
  char  *value;     /* raw */
} Property;

static void
property_clear (Property *prop)
{
  g_free (prop->name);
  g_strfreev (prop->params);
  g_free (prop->value);
}

/* Whether the line's property head (before the first colon) declares
 * quoted-printable, whose lines end in "=" when they continue. */
static gboolean
is_quoted_printable_head (const GString *line)
{
  const char *colon = memchr (line->str, ':', line->len);
  static const char qp[] = "QUOTED-PRINTABLE";

  for (const char *p = line->str; colon != NULL && p + strlen (qp) <= colon; p++)
    if (g_ascii_strncasecmp (p, qp, strlen (qp)) == 0)
      return TRUE;
  return FALSE;
}

static void
add_logical (GArray  *lines,
             GString *text,
             guint    line)
{
  Logical logical = { g_string_free (text, FALSE), line };

  g_array_append_val (lines, logical);
}

/* Joins folded lines: a line starting with a space or tab continues the
 * previous one (3.0/4.0), and so does any line after a quoted-printable
 * line ending in "=" (2.1). Line ends may be CRLF, LF or CR. */
static GArray *
unfold (const char *text)
{
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (Logical));
  GString *current = NULL;
  guint current_line = 0;
  guint number = 1;

  g_array_set_clear_func (lines, logical_clear);

  for (const char *p = text; *p != '\0'; number++)
    {
      gsize len = strcspn (p, "\r\n");
      const char *next = p + len;

      if (next[0] == '\r')
        next += next[1] == '\n' ? 2 : 1;
      else if (next[0] == '\n')
        next++;

      if (current != NULL && current->len > 0 && current->str[current->len - 1] == '=' &&
          is_quoted_printable_head (current))
        {
          g_string_truncate (current, current->len - 1);
          g_string_append_len (current, p, len);
        }
      else if (current != NULL && (p[0] == ' ' || p[0] == '\t'))
        g_string_append_len (current, p + 1, len - 1);
      else
        {
          if (current != NULL)
            add_logical (lines, current, current_line);
          current = g_string_new_len (p, len);
          current_line = number;
        }
      p = next;
    }
  if (current != NULL)
    add_logical (lines, current, current_line);

  return lines;
}

/* "item1.TEL;TYPE=CELL:0812…" → name, parameters and value. */
static gboolean
parse_property (const char *line,
                Property   *prop)
{
  g_autofree char *head = NULL;
  g_auto(GStrv) parts = NULL;
  const char *colon = NULL;
  const char *dot;
  const char *name;
  gboolean quoted = FALSE;

  /* The first colon outside a quoted parameter ends the head. */
  for (const char *p = line; *p != '\0' && colon == NULL; p++)
    {
      if (*p == '"')
        quoted = !quoted;
      else if (*p == ':' && !quoted)
        colon = p;
    }
  if (colon == NULL)
    return FALSE;

  head = g_ascii_strup (line, colon - line);
  parts = g_strsplit (head, ";", -1);
  /* ":oops", ";TYPE=CELL:…" and "item1.:…" name no property: there is
   * nothing to apply them to, so they are skipped like any other line
   * that is not a property. */
  if (parts[0] == NULL)
    return FALSE;
  dot = strrchr (parts[0], '.');
  name = dot != NULL ? dot + 1 : parts[0];
  if (name[0] == '\0')
    return FALSE;

  prop->name = g_strdup (name);
  prop->params = g_strdupv (parts + 1);
  prop->value = g_strdup (colon + 1);
  return TRUE;
}

/* Matches both forms of a parameter value: bare ("CELL", as 2.1 writes
 * it) and keyed ("TYPE=CELL", "TYPE=cell,voice", "TYPE=\"cell,text\""). */
static gboolean
has_param (const Property *prop,
           const char     *value)
{
  for (guint i = 0; prop->params[i] != NULL; i++)
    {
      const char *equals = strchr (prop->params[i], '=');
      g_auto(GStrv) values = g_strsplit_set (equals != NULL ? equals + 1 : prop->params[i],
                                             ",\"", -1);

      if (g_strv_contains ((const char * const *)values, value))
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
          g_string_append_c (out, (char)(g_ascii_xdigit_value (p[1]) << 4 |
                                         g_ascii_xdigit_value (p[2])));
          p += 2;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* The value as valid UTF-8, with its encoding and charset undone. */
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

/* Undoes the escapes of text values: "\n", "\,", "\;" and "\\". */
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
  return g_strstrip (g_string_free (out, FALSE));
}

/* Splits on a separator that is not escaped, then unescapes each part. */
static char **
split_escaped (const char *in,
               char        separator)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GString) part = g_string_new (NULL);

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

  return g_strv_builder_end (builder);
}

static char *
nonempty_or_free (char *value)
{
  if (value != NULL && value[0] == '\0')
    g_clear_pointer (&value, g_free);
  return value;
}

/* N is "Family;Given;Additional;Prefix;Suffix"; people read
 * "Given Additional Family". */
static char *
name_from_n (const char *value)
{
  g_auto(GStrv) parts = split_escaped (value, ';');
  static const guint order[] = { 1, 2, 0 };
  g_autoptr(GString) name = g_string_new (NULL);
  guint n_parts = g_strv_length (parts);

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      if (order[i] >= n_parts || parts[order[i]][0] == '\0')
        continue;
      if (name->len > 0)
        g_string_append_c (name, ' ');
      g_string_append (name, parts[order[i]]);
    }
  return nonempty_or_free (g_strdup (name->str));
}

/* CATEGORIES may come on several lines; empty entries are dropped. */
static void
add_categories (XiVCard    *card,
                const char *value)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) parts = split_escaped (value, ',');

  g_strv_builder_addv (builder, (const char **)card->tags);
  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_strv_builder_add (builder, parts[i]);

  g_strfreev (card->tags);
  card->tags = g_strv_builder_end (builder);
}

/* Phones mark mobiles as CELL (vCard 2.1/3.0), "cell" (4.0), or IPHONE. */
static gboolean
is_mobile (const Property *prop)
{
  return has_param (prop, "CELL") || has_param (prop, "MOBILE") || has_param (prop, "IPHONE");
}

typedef struct
{
  XiVCard  *card;
  char     *n_name;       /* from N, used when there is no FN */
  gboolean  have_mobile;
} Building;

static void
apply_tel (Building       *b,
           const Property *prop,
           const char     *value)
{
  gboolean mobile = is_mobile (prop);
  const char *number = g_ascii_strncasecmp (value, "tel:", 4) == 0 ? value + 4 : value;

  if (b->card->phone != NULL && (b->have_mobile || !mobile))
    return;

  g_free (b->card->phone);
  b->card->phone = nonempty_or_free (g_strstrip (g_strdup (number)));
  b->have_mobile = mobile && b->card->phone != NULL;
}

static void
apply_property (Building       *b,
                const Property *prop)
{
  g_autofree char *value = decoded_value (prop);
  XiVCard *card = b->card;

  if (g_str_equal (prop->name, "FN") && card->name == NULL)
    card->name = nonempty_or_free (unescape (value));
  else if (g_str_equal (prop->name, "N") && b->n_name == NULL)
    b->n_name = name_from_n (value);
  else if (g_str_equal (prop->name, "TEL"))
    apply_tel (b, prop, value);
  else if (g_str_equal (prop->name, "NOTE") && card->notes == NULL)
    card->notes = nonempty_or_free (unescape (value));
  else if (g_str_equal (prop->name, "CATEGORIES"))
    add_categories (card, value);
  else if (g_str_equal (prop->name, "ORG") && card->company == NULL)
    {
      g_auto(GStrv) parts = split_escaped (value, ';');

      card->company = nonempty_or_free (g_strdup (parts[0]));
    }
  else if (g_str_equal (prop->name, "EMAIL") && card->email == NULL)
    card->email = nonempty_or_free (unescape (value));
}

static XiVCard *
finish_card (Building *b)
{
  XiVCard *card = g_steal_pointer (&b->card);

  if (card->name == NULL)
    card->name = g_steal_pointer (&b->n_name);
  g_clear_pointer (&b->n_name, g_free);
  return card;
}

/**
 * xi_vcard_parse:
 * @text: UTF-8 text holding one or more vCards
 *
 * Reads every BEGIN:VCARD … END:VCARD block; text between blocks is
 * ignored, and a last card cut off before its END is kept.
 *
 * Returns: (transfer full) (element-type XiVCard): the cards, in file order
 */
GPtrArray *
xi_vcard_parse (const char *text)
{
  GPtrArray *cards = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_vcard_free);
  g_autoptr(GArray) lines = NULL;
  Building b = { NULL, NULL, FALSE };

  g_return_val_if_fail (text != NULL, cards);

  lines = unfold (text);
  for (guint i = 0; i < lines->len; i++)
    {
      const Logical *logical = &g_array_index (lines, Logical, i);
      Property prop = { 0 };

      if (!parse_property (logical->text, &prop))
        continue;

      if (g_str_equal (prop.name, "BEGIN") && g_ascii_strcasecmp (prop.value, "VCARD") == 0)
        {
          if (b.card != NULL)
            g_ptr_array_add (cards, finish_card (&b));
          b.card = g_new0 (XiVCard, 1);
          b.card->line = logical->line;
          b.card->tags = g_new0 (char *, 1);
          b.have_mobile = FALSE;
        }
      else if (g_str_equal (prop.name, "END") && b.card != NULL)
        g_ptr_array_add (cards, finish_card (&b));
      else if (b.card != NULL)
        apply_property (&b, &prop);

      property_clear (&prop);
    }

  if (b.card != NULL)
    g_ptr_array_add (cards, finish_card (&b));

  return cards;
}
