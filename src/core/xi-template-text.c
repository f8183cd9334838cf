/* xi-template-text.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-template-text"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "xi-template-text.h"

/*
 * The template syntax (docs/templates.md):
 *
 *   {name}            a variable
 *   {name|Kak}        a variable with a fallback for recipients without one
 *   {{Halo|Hai}}      a choice: one option is picked per recipient
 *   \{ \} \| \\       literal characters
 *
 * A variant is parsed once into a flat list of segments and rendered for
 * every recipient, so a campaign of 100,000 never parses twice. Errors
 * carry the line and column where the user has to look.
 */

G_DEFINE_QUARK (xi-template-error-quark, xi_template_error)

typedef enum {
  SEGMENT_TEXT,
  SEGMENT_VARIABLE,
  SEGMENT_CHOICE,
} SegmentKind;

typedef struct _Segment Segment;

struct _Segment
{
  SegmentKind  kind;
  char        *text;       /* TEXT: the text; VARIABLE: the name */
  char        *fallback;   /* VARIABLE: NULL when there is none */
  GPtrArray   *options;    /* CHOICE: GPtrArray of GPtrArray of Segment */
};

struct _XiTemplateText
{
  char      *source;
  GPtrArray *segments;
  char     **variables;
};

static const char * const builtins[] = { "name", "first_name", "phone", NULL };

const char * const *
xi_template_builtin_variables (void)
{
  return builtins;
}

static void
segment_free (gpointer data)
{
  Segment *segment = data;

  g_free (segment->text);
  g_free (segment->fallback);
  g_clear_pointer (&segment->options, g_ptr_array_unref);
  g_free (segment);
}

static GPtrArray *
segment_list_new (void)
{
  return g_ptr_array_new_with_free_func (segment_free);
}

typedef struct
{
  const char          *pos;
  guint                line;
  guint                column;
  const char * const  *known;
  GPtrArray           *variables;   /* distinct names in order */
} Parser;

/* Advances one UTF-8 character, keeping line and column. */
static gunichar
advance (Parser *p)
{
  gunichar c = g_utf8_get_char (p->pos);

  p->pos = g_utf8_next_char (p->pos);
  if (c == '\n')
    {
      p->line++;
      p->column = 1;
    }
  else
    p->column++;
  return c;
}

static void
set_error (GError        **error,
           XiTemplateError code,
           guint           line,
           guint           column,
           const char     *message)
{
  g_set_error (error, XI_TEMPLATE_ERROR, code, _("Line %u, column %u: %s"), line, column, message);
}

static guint
edit_distance (const char *a,
               const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diagonal = row[0];

      row[0] = i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint above = row[j];
          guint cost = a[i - 1] == b[j - 1] ? 0 : 1;

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }
  return row[lb];
}

static gboolean
is_known (const Parser *p,
          const char   *name)
{
  if (p->known == NULL || g_strv_contains (builtins, name))
    return TRUE;
  return g_strv_contains (p->known, name);
}

static const char *
closest_known (const Parser *p,
               const char   *name)
{
  const char *best = NULL;
  guint best_distance = 3;

  for (guint pass = 0; pass < 2; pass++)
    {
      const char * const *list = pass == 0 ? builtins : p->known;

      for (guint i = 0; list != NULL && list[i] != NULL; i++)
        {
          guint d = edit_distance (name, list[i]);

          if (d < best_distance)
            {
              best = list[i];
              best_distance = d;
            }
        }
    }
  return best;
}

static gboolean
valid_name (const char *name)
{
  for (const char *c = name; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '_')
      return FALSE;
  return TRUE;
}

/* Text up to one of @stops, with escapes undone. */
static void
read_text (Parser     *p,
           GString    *out,
           const char *stops)
{
  while (*p->pos != '\0' && strchr (stops, *p->pos) == NULL)
    {
      if (p->pos[0] == '\\' && p->pos[1] != '\0' && strchr ("{}|\\", p->pos[1]) != NULL)
        advance (p);
      g_string_append_unichar (out, advance (p));
    }
}

static Segment *
parse_variable (Parser  *p,
                GError **error)
{
  guint line = p->line, column = p->column;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *name = NULL;
  Segment *segment;
  char *bar;

  advance (p);   /* { */
  while (*p->pos != '\0' && *p->pos != '}' && *p->pos != '{' && *p->pos != '\n')
    {
      if (p->pos[0] == '\\' && p->pos[1] != '\0' && strchr ("{}|\\", p->pos[1]) != NULL)
        {
          /* Keep escaped bars apart from the one that starts the fallback. */
          g_string_append_c (body, '\\');
          advance (p);
        }
      g_string_append_unichar (body, advance (p));
    }

  if (*p->pos != '}')
    {
      set_error (error, XI_TEMPLATE_ERROR_UNCLOSED_BRACE, line, column,
                 _("the brace opened here is never closed. Write the variable as {name}."));
      return NULL;
    }
  advance (p);   /* } */

  bar = body->str;
  while ((bar = strchr (bar, '|')) != NULL && bar > body->str && bar[-1] == '\\')
    bar++;
  name = g_strstrip (g_ascii_strdown (body->str, bar != NULL ? bar - body->str : -1));

  if (name[0] == '\0')
    {
      set_error (error, XI_TEMPLATE_ERROR_EMPTY_VARIABLE, line, column,
                 _("the braces are empty. Put a variable name in them, such as {name}."));
      return NULL;
    }

  if (!valid_name (name) || !is_known (p, name))
    {
      const char *suggestion = valid_name (name) ? closest_known (p, name) : NULL;
      g_autofree char *message = NULL;

      if (suggestion != NULL)
        message = g_strdup_printf (_("unknown variable {%s}. Did you mean {%s}?"), name, suggestion);
      else
        message = g_strdup_printf (_("unknown variable {%s}. Use {name}, {first_name}, {phone} "
                                     "or a column of your contacts."), name);
      set_error (error, XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, line, column, message);
      return NULL;
    }

  segment = g_new0 (Segment, 1);
  segment->kind = SEGMENT_VARIABLE;
  segment->text = g_steal_pointer (&name);
  if (bar != NULL)
    {
      GString *fallback = g_string_new (NULL);

      for (const char *c = bar + 1; *c != '\0'; c++)
        {
          if (c[0] == '\\' && c[1] != '\0')
            c++;
          g_string_append_c (fallback, *c);
        }
      segment->fallback = g_string_free (fallback, FALSE);
    }

  if (!g_ptr_array_find_with_equal_func (p->variables, segment->text, g_str_equal, NULL))
    g_ptr_array_add (p->variables, g_strdup (segment->text));

  return segment;
}

static void
add_text (GPtrArray *segments,
          GString   *text)
{
  Segment *segment;

  if (text->len == 0)
    return;

  segment = g_new0 (Segment, 1);
  segment->kind = SEGMENT_TEXT;
  segment->text = g_strndup (text->str, text->len);
  g_ptr_array_add (segments, segment);
  g_string_truncate (text, 0);
}

static Segment *
parse_choice (Parser  *p,
              GError **error)
{
  guint line = p->line, column = p->column;
  g_autoptr(GPtrArray) options = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
  g_autoptr(GPtrArray) current = segment_list_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  Segment *segment;

  advance (p);
  advance (p);   /* {{ */

  for (;;)
    {
      read_text (p, text, "{}|");

      if (*p->pos == '\0')
        {
          set_error (error, XI_TEMPLATE_ERROR_UNCLOSED_BRACE, line, column,
                     _("the choice opened here with {{ is never closed with }}."));
          return NULL;
        }
      if (p->pos[0] == '{' && p->pos[1] == '{')
        {
          set_error (error, XI_TEMPLATE_ERROR_BAD_CHOICE, p->line, p->column,
                     _("a choice cannot contain another choice."));
          return NULL;
        }
      if (p->pos[0] == '{')
        {
          Segment *variable;

          add_text (current, text);
          if ((variable = parse_variable (p, error)) == NULL)
            return NULL;
          g_ptr_array_add (current, variable);
          continue;
        }

      add_text (current, text);
      g_ptr_array_add (options, g_steal_pointer (&current));
      current = segment_list_new ();

      if (*p->pos == '|')
        {
          advance (p);
          continue;
        }

      /* A single } inside a choice has no meaning; the choice ends at }}. */
      if (p->pos[1] != '}')
        {
          set_error (error, XI_TEMPLATE_ERROR_UNEXPECTED_CLOSE, p->line, p->column,
                     _("a choice ends with two braces: {{Halo|Hai}}."));
          return NULL;
        }
      advance (p);
      advance (p);
      break;
    }

  if (options->len < 2)
    {
      set_error (error, XI_TEMPLATE_ERROR_BAD_CHOICE, line, column,
                 _("a choice needs at least two options separated by |, such as {{Halo|Hai}}. "
                   "A variable is written with single braces: {name}."));
      return NULL;
    }

  segment = g_new0 (Segment, 1);
  segment->kind = SEGMENT_CHOICE;
  segment->options = g_steal_pointer (&options);
  return segment;
}

static void
xi_template_text_clear (gpointer data)
{
  XiTemplateText *self = data;

  g_free (self->source);
  g_clear_pointer (&self->segments, g_ptr_array_unref);
  g_strfreev (self->variables);
}

/**
 * xi_template_text_parse:
 * @source: the text of one variant
 * @known_variables: (nullable) (array zero-terminated=1): custom fields the
 *   recipients may have, besides the built-ins; %NULL accepts any variable
 *   (for previews of templates saved before a field was removed)
 * @error: return location for a #GError in %XI_TEMPLATE_ERROR
 *
 * Returns: (transfer full) (nullable): the parsed variant
 */
XiTemplateText *
xi_template_text_parse (const char          *source,
                        const char * const  *known_variables,
                        GError             **error)
{
  g_autoptr(GPtrArray) segments = segment_list_new ();
  g_autoptr(GPtrArray) variables = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *trimmed = NULL;
  Parser p = { source, 1, 1, known_variables, variables };
  XiTemplateText *self;

  g_return_val_if_fail (source != NULL, NULL);

  trimmed = g_strstrip (g_strdup (source));
  if (trimmed[0] == '\0')
    {
      g_set_error_literal (error, XI_TEMPLATE_ERROR, XI_TEMPLATE_ERROR_EMPTY,
                           _("The message is empty. Write the text your customers will get."));
      return NULL;
    }

  while (*p.pos != '\0')
    {
      Segment *segment;

      read_text (&p, text, "{}");
      if (*p.pos == '\0')
        break;

      if (*p.pos == '}')
        {
          set_error (error, XI_TEMPLATE_ERROR_UNEXPECTED_CLOSE, p.line, p.column,
                     _("this closing brace has no opening one. Remove it, or write \\} for a brace."));
          return NULL;
        }

      add_text (segments, text);
      segment = p.pos[1] == '{' ? parse_choice (&p, error) : parse_variable (&p, error);
      if (segment == NULL)
        return NULL;
      g_ptr_array_add (segments, segment);
    }
  add_text (segments, text);

  g_ptr_array_add (variables, NULL);
  self = g_atomic_rc_box_new0 (XiTemplateText);
  self->source = g_strdup (source);
  self->segments = g_steal_pointer (&segments);
  self->variables = (char **)g_ptr_array_free (g_steal_pointer (&variables), FALSE);

  return self;
}

XiTemplateText *
xi_template_text_ref (XiTemplateText *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_atomic_rc_box_acquire (self);
}

void
xi_template_text_unref (XiTemplateText *self)
{
  g_return_if_fail (self != NULL);
  g_atomic_rc_box_release_full (self, xi_template_text_clear);
}

const char *
xi_template_text_get_source (XiTemplateText *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->source;
}

/**
 * xi_template_text_get_variables:
 * @self: a parsed variant
 *
 * Returns: (transfer none): the distinct variables used, in order of first use
 */
char **
xi_template_text_get_variables (XiTemplateText *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->variables;
}

typedef struct
{
  XiTemplateLookupFunc  lookup;
  gpointer              data;
  GRand                *rand;
  GPtrArray            *missing;
  GString              *out;
  char                 *scratch;
} Render;

/* The value of a variable, deriving first_name and the "+" of phone. */
static const char *
value_of (Render     *r,
          const char *name)
{
  const char *value = r->lookup (name, r->data);

  if (value != NULL && value[0] != '\0')
    {
      if (g_str_equal (name, "phone") && g_ascii_isdigit (value[0]))
        {
          g_free (r->scratch);
          r->scratch = g_strconcat ("+", value, NULL);
          return r->scratch;
        }
      return value;
    }

  if (g_str_equal (name, "first_name"))
    {
      const char *full = r->lookup ("name", r->data);
      const char *end;

      if (full == NULL)
        return NULL;
      while (g_ascii_isspace (*full))
        full++;
      end = full + strcspn (full, " \t\n");
      if (end == full)
        return NULL;
      g_free (r->scratch);
      r->scratch = g_strndup (full, end - full);
      return r->scratch;
    }

  return NULL;
}

static void
render_segments (Render    *r,
                 GPtrArray *segments)
{
  for (guint i = 0; i < segments->len; i++)
    {
      Segment *segment = g_ptr_array_index (segments, i);
      const char *value;

      switch (segment->kind)
        {
        case SEGMENT_TEXT:
          g_string_append (r->out, segment->text);
          break;

        case SEGMENT_VARIABLE:
          value = value_of (r, segment->text);
          if (value != NULL)
            g_string_append (r->out, value);
          else if (segment->fallback != NULL)
            g_string_append (r->out, segment->fallback);
          else if (r->missing != NULL &&
                   !g_ptr_array_find_with_equal_func (r->missing, segment->text, g_str_equal, NULL))
            g_ptr_array_add (r->missing, g_strdup (segment->text));
          break;

        case SEGMENT_CHOICE:
        default:
          {
            guint n = segment->options->len;
            guint pick = r->rand != NULL ? (guint)g_rand_int_range (r->rand, 0, n)
                                         : (guint)g_random_int_range (0, n);

            render_segments (r, g_ptr_array_index (segment->options, pick));
          }
          break;
        }
    }
}

/**
 * xi_template_text_render:
 * @self: a parsed variant
 * @lookup: returns each variable's value for the recipient
 * @lookup_data: closure for @lookup
 * @rand: (nullable): picks the choices; %NULL uses the global generator
 * @missing: (out) (optional) (transfer full): variables the recipient has
 *   no value for and that have no fallback, or %NULL when there are none
 *
 * Returns: (transfer full): the message for one recipient
 */
char *
xi_template_text_render (XiTemplateText        *self,
                         XiTemplateLookupFunc   lookup,
                         gpointer               lookup_data,
                         GRand                 *rand,
                         char                ***missing)
{
  Render r = { lookup, lookup_data, rand, NULL, NULL, NULL };

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (lookup != NULL, NULL);

  r.out = g_string_sized_new (strlen (self->source) + 32);
  if (missing != NULL)
    r.missing = g_ptr_array_new ();

  render_segments (&r, self->segments);
  g_free (r.scratch);

  if (missing != NULL)
    {
      if (r.missing->len == 0)
        {
          g_ptr_array_free (r.missing, TRUE);
          *missing = NULL;
        }
      else
        {
          g_ptr_array_add (r.missing, NULL);
          *missing = (char **)g_ptr_array_free (r.missing, FALSE);
        }
    }

  return g_string_free (r.out, FALSE);
}
