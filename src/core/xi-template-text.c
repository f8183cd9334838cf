/* xi-template-text.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-template-text"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "xi-limits.h"
#include "xi-template-text.h"

/*
 * The template syntax (docs/templates.md):
 *
 *   {name}            a variable
 *   {name|Kak}        a variable with a fallback for recipients without one
 *   {{Halo|Hai}}      a choice: one option is picked per recipient
 *   \{ \} \\          literal characters; \| too inside choices and fallbacks
 *
 * A variant is parsed once and rendered for every recipient of a campaign,
 * possibly 100,000 times, so parsing produces one flat array of segments
 * and a single pool holding all literal text. Rendering walks the array,
 * appends to one GString and never looks at the source again.
 *
 * A choice is one CHOICE segment followed by the segments of all its
 * options; self->bounds says where each option starts and where the choice
 * ends. Choices do not nest, so the renderer needs no recursion or stack.
 */

G_DEFINE_QUARK (xi-template-error-quark, xi_template_error)

typedef enum {
  SEGMENT_TEXT,
  SEGMENT_VARIABLE,
  SEGMENT_CHOICE,
} SegmentKind;

/* Variables the engine derives itself, resolved at parse time so that
 * rendering never compares names. */
typedef enum {
  ROLE_PLAIN,
  ROLE_FIRST_NAME,
  ROLE_PHONE,
} VariableRole;

typedef struct
{
  SegmentKind   kind;
  VariableRole  role;          /* VARIABLE */
  gboolean      has_fallback;  /* VARIABLE */
  guint         index;         /* VARIABLE: in variables; CHOICE: in bounds */
  gsize         offset;        /* TEXT: the text in pool; VARIABLE: the fallback */
  gsize         len;           /* TEXT, VARIABLE: bytes at offset; CHOICE: n options */
} Segment;

struct _XiTemplateText
{
  char     *source;
  char     *pool;         /* all literal text and fallbacks, back to back */
  Segment  *segments;
  guint     n_segments;
  guint    *bounds;       /* per choice: n option starts, then its end */
  char    **variables;    /* distinct names, lower case, in order of first use */
  gsize     size_hint;    /* a good first allocation for a rendered message */
};

static const char * const builtins[] = { "name", "first_name", "phone", NULL };

/* Indonesian names of the built-ins. They always mean the built-in: the
 * import turns columns with these titles into the name and the number, so
 * no custom field is called that, and campaign creation (which parses with
 * no field list) reads a template exactly as the editor did. */
static const struct {
  const char *alias;
  const char *name;
} aliases[] = {
  { "nama", "name" },
  { "nama_lengkap", "name" },
  { "nama_depan", "first_name" },
  { "telepon", "phone" },
  { "nomor_hp", "phone" },
  { "no_hp", "phone" },
  { "no_wa", "phone" },
};

/* Words before a name that are not the name: {first_name} of "Ibu Siti
 * Aminah" is "Siti". Compared ignoring case and a final dot ("Bpk.").
 * Sorted as strcmp () orders them, for bsearch (): a campaign looks up
 * the first word of every recipient's name. */
static const char * const honorifics[] = {
  "aa", "abang", "adik", "akang", "bang", "bapak", "bpk", "bu", "cici", "cik", "dek", "dik",
  "dr", "dra", "drs", "h", "hajah", "haji", "hajjah", "hj", "ibu", "ir", "kak", "kakak", "kang",
  "koh", "madam", "mas", "mba", "mbak", "miss", "mr", "mrs", "ms", "nona", "ny", "nyonya", "om",
  "pak", "prof", "saudara", "saudari", "sdr", "sdri", "sir", "tante", "teh", "tuan", "uda",
  "ustad", "ustadz", "ustadzah",
};

/* A typo suggestion further away than this is more confusing than none. */
#define MAX_SUGGESTION_DISTANCE 2

/* Longer names are not typos of a field name; don't spend time on them. */
#define MAX_SUGGESTION_LENGTH 64

/* Auxiliary methods */

typedef struct
{
  const char          *pos;
  guint                offset;     /* characters from the start */
  guint                line;
  guint                column;
  const char * const  *known;
  GArray              *segments;   /* Segment */
  GArray              *bounds;     /* guint */
  GString             *pool;
  GPtrArray           *variables;  /* char *, distinct, in order */
  gsize                pending;    /* pool offset of text not yet in a segment */
  GPtrArray           *problems;   /* XiTemplateProblem; NULL stops at the first error */
} Parser;

/* Advances one character, keeping line and column, and returns it. */
static gunichar
advance (Parser *p)
{
  gunichar c = g_utf8_get_char (p->pos);

  g_assert (*p->pos != '\0');

  p->pos = g_utf8_next_char (p->pos);
  p->offset++;
  if (c == '\n')
    {
      p->line++;
      p->column = 1;
    }
  else
    p->column++;
  return c;
}

/* Copies one character of literal text into the pool. */
static void
take_char (Parser *p)
{
  const char *start = p->pos;

  advance (p);
  g_string_append_len (p->pool, start, p->pos - start);
}

/* Whether @p is at an escape sequence; @specials are the characters that
 * can be escaped here. A backslash before anything else is literal, so
 * "50\%" and Windows paths survive unchanged. */
static gboolean
at_escape (const Parser *p,
           const char   *specials)
{
  return p->pos[0] == '\\' && p->pos[1] != '\0' && strchr (specials, p->pos[1]) != NULL;
}

static void
set_error (GError          **error,
           XiTemplateError   code,
           guint             line,
           guint             column,
           const char       *message)
{
  /* Translators: "Line 2, column 7: the brace opened here is never closed."
   * The second %s is one of the messages below, which start in lower case. */
  g_set_error (error, XI_TEMPLATE_ERROR, code, _("Line %u, column %u: %s"), line, column, message);
}

/* Called with the error just set: when every problem is wanted, files it
 * with the text it covers (from @start to where the parser is now) and
 * returns TRUE to carry on after it; otherwise FALSE, to stop. */
static gboolean
keep_going (Parser  *p,
            guint    start,
            GError **error)
{
  XiTemplateProblem *problem;

  if (p->problems == NULL)
    return FALSE;

  g_assert (error != NULL && *error != NULL);

  problem = g_new0 (XiTemplateProblem, 1);
  problem->start = start;
  problem->end = MAX (p->offset, start + 1);
  problem->error = g_steal_pointer (error);
  g_ptr_array_add (p->problems, problem);
  return TRUE;
}

static int
compare_problems (gconstpointer a,
                  gconstpointer b)
{
  const XiTemplateProblem *pa = *(XiTemplateProblem * const *)a;
  const XiTemplateProblem *pb = *(XiTemplateProblem * const *)b;

  if (pa->start != pb->start)
    return pa->start < pb->start ? -1 : 1;
  return 0;
}

static const char *
resolve_alias (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    if (g_str_equal (aliases[i].alias, name))
      return aliases[i].name;
  return name;
}

static Segment *
add_segment (Parser      *p,
             SegmentKind  kind)
{
  Segment segment = { kind, ROLE_PLAIN, FALSE, 0, 0, 0 };

  g_array_append_val (p->segments, segment);
  return &g_array_index (p->segments, Segment, p->segments->len - 1);
}

/* Turns the literal text gathered since the last segment into one. */
static void
flush_text (Parser *p)
{
  Segment *segment;

  if (p->pool->len > p->pending)
    {
      segment = add_segment (p, SEGMENT_TEXT);
      segment->offset = p->pending;
      segment->len = p->pool->len - p->pending;
    }
  p->pending = p->pool->len;
}

/* Optimal string alignment distance: like Levenshtein, but a swap of two
 * neighbours ("nmae") counts as one typo, which is how people mistype. */
static guint
edit_distance (const char *a,
               const char *b)
{
  gsize la = strlen (a);
  gsize lb = strlen (b);
  gsize width = lb + 1;
  g_autofree guint *d = g_new (guint, (la + 1) * width);

  for (gsize i = 0; i <= la; i++)
    d[i * width] = i;
  for (gsize j = 0; j <= lb; j++)
    d[j] = j;

  for (gsize i = 1; i <= la; i++)
    for (gsize j = 1; j <= lb; j++)
      {
        guint cost = a[i - 1] == b[j - 1] ? 0 : 1;
        guint best = MIN (d[(i - 1) * width + j] + 1, d[i * width + j - 1] + 1);

        best = MIN (best, d[(i - 1) * width + j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
          best = MIN (best, d[(i - 2) * width + j - 2] + 1);
        d[i * width + j] = best;
      }

  return d[la * width + lb];
}

static gboolean
is_known (const Parser *p,
          const char   *name)
{
  /* No list means the caller cannot know the fields (a preview of a
   * template saved before a column was removed): accept any name. */
  if (p->known == NULL || g_strv_contains (builtins, resolve_alias (name)))
    return TRUE;

  for (guint i = 0; p->known[i] != NULL; i++)
    if (g_ascii_strcasecmp (p->known[i], name) == 0)
      return TRUE;
  return FALSE;
}

/* The known variable closest to @name, lower case, or %NULL when none is
 * close enough to be a plausible typo. */
static char *
closest_known (const Parser *p,
               const char   *name)
{
  g_autofree char *best = NULL;
  guint best_distance = MAX_SUGGESTION_DISTANCE + 1;
  gsize len = strlen (name);

  if (len > MAX_SUGGESTION_LENGTH)
    return NULL;

  for (guint pass = 0; pass < 2; pass++)
    {
      const char * const *list = pass == 0 ? builtins : p->known;

      for (guint i = 0; list != NULL && list[i] != NULL; i++)
        {
          g_autofree char *candidate = g_ascii_strdown (list[i], -1);
          guint distance;

          if (strlen (candidate) > MAX_SUGGESTION_LENGTH)
            continue;

          /* Two edits in a two-letter name turn anything into anything. */
          distance = edit_distance (name, candidate);
          if (distance < best_distance && distance < len)
            {
              g_free (best);
              best = g_steal_pointer (&candidate);
              best_distance = distance;
            }
        }
    }

  return g_steal_pointer (&best);
}

static gboolean
is_valid_name (const char *name)
{
  for (const char *c = name; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '_')
      return FALSE;
  return TRUE;
}

/* "Nama Lengkap" → "nama_lengkap", the way imported column names are made,
 * to suggest the variable somebody meant when they typed the column title. */
static char *
name_from_title (const char *text)
{
  GString *name = g_string_new (NULL);

  for (const char *c = text; *c != '\0'; c++)
    {
      if (g_ascii_isalnum (*c))
        g_string_append_c (name, g_ascii_tolower (*c));
      else if (name->len > 0 && name->str[name->len - 1] != '_')
        g_string_append_c (name, '_');
    }
  while (name->len > 0 && name->str[name->len - 1] == '_')
    g_string_truncate (name, name->len - 1);

  return g_string_free (name, FALSE);
}

static void
set_unknown_variable_error (const Parser  *p,
                            const char    *typed,
                            guint          line,
                            guint          column,
                            GError       **error)
{
  g_autofree char *message = NULL;
  g_autofree char *suggestion = NULL;

  if (is_valid_name (typed))
    {
      g_autofree char *lower = g_ascii_strdown (typed, -1);

      suggestion = closest_known (p, lower);
    }
  else
    {
      g_autofree char *name = name_from_title (typed);

      if (name[0] != '\0' && is_known (p, name))
        suggestion = g_steal_pointer (&name);
    }

  if (suggestion != NULL)
    /* Translators: keep the braces; the second {%s} is a variable name
     * the user has to type as it is, so it is never translated. */
    message = g_strdup_printf (_("unknown variable {%s}. Did you mean {%s}?"), typed, suggestion);
  else if (!is_valid_name (typed))
    /* Translators: keep {first_name} as it is, it is a variable name. */
    message = g_strdup_printf (_("{%s} is not a variable name. A name has only letters, digits "
                                 "and _, such as {first_name}."), typed);
  else
    /* Translators: keep {name}, {first_name} and {phone} as they are. */
    message = g_strdup_printf (_("unknown variable {%s}. Use {name}, {first_name}, {phone} "
                                 "or a column of your contacts."), typed);

  set_error (error, XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, line, column, message);
}

/* The index of @name in the distinct variables, adding it on first use. */
static guint
intern_variable (Parser *p,
                 char   *name)
{
  guint index;

  if (g_ptr_array_find_with_equal_func (p->variables, name, g_str_equal, &index))
    {
      g_free (name);
      return index;
    }

  g_ptr_array_add (p->variables, name);
  return p->variables->len - 1;
}

/* Parses "{name}" or "{name|fallback}" at p->pos into one segment. A
 * variable ends on its line: an unclosed brace is then reported where it
 * was opened, not at the end of the message. */
static gboolean
parse_variable (Parser  *p,
                GError **error)
{
  guint start = p->offset;
  guint line = p->line;
  guint column = p->column;
  g_autoptr(GString) raw = g_string_new (NULL);
  g_autofree char *typed = NULL;
  g_autofree char *name = NULL;
  gboolean has_fallback = FALSE;
  gsize fallback_offset;
  Segment *segment;

  flush_text (p);
  advance (p);   /* { */

  /* The name, kept raw so that the error shows what was typed. */
  while (*p->pos != '\0' && strchr ("{}|\n", *p->pos) == NULL)
    {
      const char *from = p->pos;

      if (at_escape (p, "{}|\\"))
        advance (p);
      advance (p);
      g_string_append_len (raw, from, p->pos - from);
    }

  /* The fallback goes straight into the pool, escapes undone. */
  fallback_offset = p->pool->len;
  if (*p->pos == '|')
    {
      has_fallback = TRUE;
      advance (p);
      while (*p->pos != '\0' && strchr ("{}\n", *p->pos) == NULL)
        {
          if (at_escape (p, "{}|\\"))
            advance (p);
          take_char (p);
        }
    }

  if (*p->pos == '{')
    {
      set_error (error, XI_TEMPLATE_ERROR_UNCLOSED_BRACE, line, column,
                 /* Translators: keep \{ as it is. */
                 _("the brace opened here is not closed before the next one opens. A variable "
                   "cannot contain another variable; write \\{ for a brace in the text."));
      return keep_going (p, start, error);
    }
  if (*p->pos != '}')
    {
      set_error (error, XI_TEMPLATE_ERROR_UNCLOSED_BRACE, line, column,
                 /* Translators: keep {name}, a variable name, as it is. */
                 _("the brace opened here is never closed. Write the variable as {name}."));
      return keep_going (p, start, error);
    }
  advance (p);   /* } */

  typed = g_strstrip (g_string_free (g_steal_pointer (&raw), FALSE));
  if (typed[0] == '\0')
    {
      set_error (error, XI_TEMPLATE_ERROR_EMPTY_VARIABLE, line, column,
                 /* Translators: keep {name}, a variable name, as it is. */
                 _("the braces are empty. Put a variable name in them, such as {name}."));
      return keep_going (p, start, error);
    }

  name = g_ascii_strdown (typed, -1);
  if (!is_valid_name (name) || !is_known (p, name))
    {
      set_unknown_variable_error (p, typed, line, column, error);
      return keep_going (p, start, error);
    }
  if (resolve_alias (name) != name)
    {
      char *canonical = g_strdup (resolve_alias (name));

      g_free (name);
      name = canonical;
    }

  /* Spaces around a fallback belong to the braces, like those around the
   * name: "{ name | Kak }" reads as "Kak", not " Kak ". */
  if (has_fallback)
    {
      gsize end = p->pool->len;

      while (fallback_offset < end && (p->pool->str[fallback_offset] == ' ' ||
                                       p->pool->str[fallback_offset] == '\t'))
        fallback_offset++;
      while (end > fallback_offset && (p->pool->str[end - 1] == ' ' ||
                                       p->pool->str[end - 1] == '\t'))
        end--;
      g_string_truncate (p->pool, end);
    }

  segment = add_segment (p, SEGMENT_VARIABLE);
  segment->has_fallback = has_fallback;
  segment->offset = fallback_offset;
  segment->len = has_fallback ? p->pool->len - fallback_offset : 0;
  if (g_str_equal (name, "first_name"))
    segment->role = ROLE_FIRST_NAME;
  else if (g_str_equal (name, "phone"))
    segment->role = ROLE_PHONE;
  segment->index = intern_variable (p, g_steal_pointer (&name));

  p->pending = p->pool->len;
  return TRUE;
}

/* Parses "{{a|b|…}}" at p->pos: one CHOICE segment followed by the
 * segments of every option. */
static gboolean
parse_choice (Parser  *p,
              GError **error)
{
  guint start = p->offset;
  guint line = p->line;
  guint column = p->column;
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (guint));
  guint choice;
  guint end;
  Segment *segment;

  flush_text (p);
  choice = p->segments->len;
  add_segment (p, SEGMENT_CHOICE);
  advance (p);
  advance (p);   /* {{ */
  g_array_append_val (starts, p->segments->len);

  for (;;)
    {
      if (*p->pos == '\0')
        {
          set_error (error, XI_TEMPLATE_ERROR_UNCLOSED_BRACE, line, column,
                     /* Translators: keep {{ and }} as they are. */
                     _("the choice opened here with {{ is never closed with }}."));
          keep_going (p, start, error);
          return FALSE;
        }
      else if (at_escape (p, "{}|\\"))
        {
          advance (p);
          take_char (p);
        }
      else if (p->pos[0] == '{' && p->pos[1] == '{')
        {
          guint inner = p->offset;

          set_error (error, XI_TEMPLATE_ERROR_BAD_CHOICE, p->line, p->column,
                     _("a choice cannot contain another choice."));
          /* Go on after the inner choice, so that its }} does not read as
           * the end of the outer one. */
          while (*p->pos != '\0' && !(p->pos[0] == '}' && p->pos[1] == '}'))
            advance (p);
          if (*p->pos != '\0')
            {
              advance (p);
              advance (p);
            }
          if (!keep_going (p, inner, error))
            return FALSE;
        }
      else if (p->pos[0] == '{')
        {
          if (!parse_variable (p, error))
            return FALSE;
        }
      else if (p->pos[0] == '|')
        {
          flush_text (p);
          advance (p);
          g_array_append_val (starts, p->segments->len);
        }
      else if (p->pos[0] == '}' && p->pos[1] == '}')
        {
          flush_text (p);
          advance (p);
          advance (p);
          break;
        }
      else if (p->pos[0] == '}')
        {
          guint brace = p->offset;

          set_error (error, XI_TEMPLATE_ERROR_UNEXPECTED_CLOSE, p->line, p->column,
                     /* Translators: keep the braces and the bar as they are. */
                     _("a choice ends with two braces: {{Halo|Hai}}."));
          advance (p);
          if (!keep_going (p, brace, error))
            return FALSE;
          /* Most likely meant as the end of the choice. */
          flush_text (p);
          break;
        }
      else
        take_char (p);
    }

  /* "{{name}}" is what people who know other template tools type. */
  if (starts->len < 2)
    {
      set_error (error, XI_TEMPLATE_ERROR_BAD_CHOICE, line, column,
                 /* Translators: keep the braces, the bar and {name}, a variable
                  * name, as they are; the greetings may be translated. */
                 _("a choice needs at least two options separated by |, such as {{Halo|Hai}}. "
                   "A variable is written with single braces: {name}."));
      return keep_going (p, start, error);
    }

  end = p->segments->len;
  segment = &g_array_index (p->segments, Segment, choice);
  segment->index = p->bounds->len;
  segment->len = starts->len;
  g_array_append_vals (p->bounds, starts->data, starts->len);
  g_array_append_val (p->bounds, end);

  return TRUE;
}

/* The text outside choices; FALSE at the first error, unless every
 * problem is wanted (p->problems), when it goes on as far as it can. */
static gboolean
parse_text (Parser  *p,
            GError **error)
{
  while (*p->pos != '\0')
    {
      if (at_escape (p, "{}\\"))
        {
          advance (p);
          take_char (p);
        }
      else if (p->pos[0] == '{' && p->pos[1] == '{')
        {
          if (!parse_choice (p, error))
            return FALSE;
        }
      else if (p->pos[0] == '{')
        {
          if (!parse_variable (p, error))
            return FALSE;
        }
      else if (p->pos[0] == '}')
        {
          guint start = p->offset;

          set_error (error, XI_TEMPLATE_ERROR_UNEXPECTED_CLOSE, p->line, p->column,
                     /* Translators: keep \} as it is. */
                     _("this closing brace has no opening one. Remove it, or write \\} "
                       "for a brace."));
          advance (p);
          if (!keep_going (p, start, error))
            return FALSE;
        }
      else
        take_char (p);
    }
  flush_text (p);
  return TRUE;
}

static gboolean
is_blank (const char *text)
{
  for (const char *c = text; *c != '\0'; c = g_utf8_next_char (c))
    if (!g_unichar_isspace (g_utf8_get_char (c)))
      return FALSE;
  return TRUE;
}

static void
xi_template_text_clear (gpointer data)
{
  XiTemplateText *self = data;

  g_free (self->source);
  g_free (self->pool);
  g_free (self->segments);
  g_free (self->bounds);
  g_strfreev (self->variables);
}

typedef struct
{
  XiTemplateLookupFunc  lookup;
  gpointer              lookup_data;
  GString              *out;
  gsize                 chars;     /* characters in @out; 0 until they are counted */
  gboolean              too_long;  /* @out stopped growing at the limit */
  gboolean              want_missing;
  GPtrArray            *missing;   /* borrowed names, created on the first one */
} Render;

/* Every character of a message goes through here, so that no recipient's
 * values, however long, make a message longer than WhatsApp takes, nor
 * make us build one: the first piece past the limit stops the message. */
static void
append (Render     *r,
        const char *text,
        gsize       len)
{
  if (r->too_long)
    return;
  /* Measuring only: xi_template_text_get_max_chars() keeps the count. */
  if (r->out == NULL)
    {
      r->chars += g_utf8_strlen (text, len);
      return;
    }
  /* A character takes at least a byte, so the characters of a message
   * are counted only once its bytes pass the limit; counting every piece
   * of every message was 2 % of creating a campaign. */
  if (r->out->len + len > XI_LIMIT_MESSAGE_CHARS)
    {
      if (r->chars == 0)
        r->chars = g_utf8_strlen (r->out->str, r->out->len);
      r->chars += g_utf8_strlen (text, len);
      if (r->chars > XI_LIMIT_MESSAGE_CHARS)
        {
          r->too_long = TRUE;
          return;
        }
    }
  g_string_append_len (r->out, text, len);
}

static gboolean
is_digits (const char *text)
{
  for (const char *c = text; *c != '\0'; c++)
    if (!g_ascii_isdigit (*c))
      return FALSE;
  return TRUE;
}

static int
compare_words (const void *a,
               const void *b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

static gboolean
is_honorific (const char *word,
              gsize       len)
{
  char folded[16];

  if (len > 0 && word[len - 1] == '.')
    len--;
  if (len == 0 || len >= sizeof folded)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    folded[i] = g_ascii_tolower (word[i]);
  folded[len] = '\0';
  return bsearch (&(const char *){ folded }, honorifics, G_N_ELEMENTS (honorifics),
                  sizeof honorifics[0], compare_words) != NULL;
}

/* Finds the next word of [*pos, end) in @word and @word_len. Contact names
 * come from spreadsheets, so they are decoded defensively. */
static gboolean
next_word (const char  **pos,
           const char   *end,
           const char  **word,
           gsize        *word_len)
{
  const char *start = NULL;
  const char *c;

  for (c = *pos; c < end; )
    {
      gunichar ch = g_utf8_get_char_validated (c, end - c);
      gboolean space = ch < (gunichar)-2 && g_unichar_isspace (ch);

      if (space && start != NULL)
        break;
      if (!space && start == NULL)
        start = c;
      c = ch < (gunichar)-2 ? g_utf8_next_char (c) : c + 1;
    }

  *pos = c;
  if (start == NULL)
    return FALSE;
  *word = start;
  *word_len = c - start;
  return TRUE;
}

/* Appends the first word of @name that is not a title such as "Ibu" or
 * "Pak", if it has one; a name made only of titles gives the first. */
static gboolean
append_first_word (Render     *r,
                   const char *name)
{
  const char *pos = name;
  const char *end;
  const char *first = NULL;
  gsize first_len = 0;
  const char *word;
  gsize len;

  if (name == NULL)
    return FALSE;

  end = name + strlen (name);
  while (next_word (&pos, end, &word, &len))
    {
      if (first == NULL)
        {
          first = word;
          first_len = len;
        }
      if (!is_honorific (word, len))
        {
          append (r, word, len);
          return TRUE;
        }
    }

  if (first == NULL)
    return FALSE;

  append (r, first, first_len);
  return TRUE;
}

/* Appends the recipient's value of the variable of @segment; FALSE when the
 * recipient has none. */
static gboolean
append_value (const XiTemplateText *self,
              Render               *r,
              const Segment        *segment)
{
  const char *name = self->variables[segment->index];
  const char *value;

  if (r->lookup == NULL)
    return FALSE;

  value = r->lookup (name, r->lookup_data);

  /* Callers may supply first_name themselves; only NULL means "derive it". */
  if (value == NULL && segment->role == ROLE_FIRST_NAME)
    return append_first_word (r, r->lookup ("name", r->lookup_data));

  if (value == NULL || value[0] == '\0')
    return FALSE;

  /* Contacts store E.164 digits; customers know numbers with a "+". */
  if (segment->role == ROLE_PHONE && is_digits (value))
    append (r, "+", 1);
  append (r, value, strlen (value));
  return TRUE;
}

/* Renders segments [@from, @to), which contain no choice. */
static void
render_run (const XiTemplateText *self,
            Render               *r,
            guint                 from,
            guint                 to)
{
  for (guint i = from; i < to; i++)
    {
      const Segment *segment = &self->segments[i];

      g_assert (segment->kind != SEGMENT_CHOICE);

      if (segment->kind == SEGMENT_TEXT)
        append (r, self->pool + segment->offset, segment->len);
      else if (append_value (self, r, segment))
        continue;
      else if (segment->has_fallback)
        append (r, self->pool + segment->offset, segment->len);
      else if (r->want_missing)
        {
          /* Names are interned in self->variables, so pointers compare. */
          const char *name = self->variables[segment->index];

          if (r->missing == NULL)
            r->missing = g_ptr_array_new ();
          if (!g_ptr_array_find (r->missing, name, NULL))
            g_ptr_array_add (r->missing, (gpointer)name);
        }
    }
}

/* Public API */

/**
 * xi_template_builtin_variables:
 *
 * The variables every recipient has: `name`, `first_name` (the first word
 * of the name) and `phone` (shown with a leading "+").
 *
 * Returns: (transfer none) (array zero-terminated=1): the built-in names
 */
const char * const *
xi_template_builtin_variables (void)
{
  return builtins;
}

/**
 * xi_template_text_parse:
 * @source: the text of one variant, UTF-8
 * @known_variables: (nullable) (array zero-terminated=1): custom fields the
 *   recipients may have, besides the built-ins, compared ignoring case;
 *   %NULL accepts any variable (for previews of templates saved before a
 *   field was removed)
 * @error: return location for a #GError in %XI_TEMPLATE_ERROR
 *
 * Parses @source once, so that it can then be rendered for any number of
 * recipients. The error messages are translated, written for the user and
 * start with the line and column (1-based, in characters) of the problem,
 * except for %XI_TEMPLATE_ERROR_EMPTY.
 *
 * Returns: (transfer full) (nullable): the parsed variant, or %NULL with
 *   @error set
 */
XiTemplateText *
xi_template_text_parse (const char          *source,
                        const char * const  *known_variables,
                        GError             **error)
{
  g_autoptr(GArray) segments = g_array_new (FALSE, FALSE, sizeof (Segment));
  g_autoptr(GArray) bounds = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GString) pool = g_string_new (NULL);
  g_autoptr(GPtrArray) variables = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *valid = NULL;
  Parser p = { NULL, 0, 1, 1, known_variables, segments, bounds, pool, variables, 0, NULL };
  XiTemplateText *self;

  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Text pasted from elsewhere may be broken; the parser walks characters
   * and must not run past the end. */
  valid = g_utf8_make_valid (source, -1);
  p.pos = valid;

  if (is_blank (valid))
    {
      g_set_error_literal (error, XI_TEMPLATE_ERROR, XI_TEMPLATE_ERROR_EMPTY,
                           _("The message is empty. Write the text your customers will get."));
      return NULL;
    }

  if (!parse_text (&p, error))
    return NULL;

  g_ptr_array_add (variables, NULL);

  self = g_atomic_rc_box_new0 (XiTemplateText);
  self->source = g_steal_pointer (&valid);
  self->size_hint = pool->len + 16 * (variables->len - 1) + 1;
  self->n_segments = segments->len;
  self->segments = (Segment *)(gpointer)g_array_free (g_steal_pointer (&segments), FALSE);
  self->bounds = (guint *)(gpointer)g_array_free (g_steal_pointer (&bounds), FALSE);
  self->pool = g_string_free (g_steal_pointer (&pool), FALSE);
  self->variables = (char **)g_ptr_array_free (g_steal_pointer (&variables), FALSE);

  return self;
}

/**
 * xi_template_text_check:
 * @source: the text of one variant, UTF-8
 * @known_variables: (nullable) (array zero-terminated=1): as for
 *   xi_template_text_parse()
 *
 * Finds every problem in @source, not only the first, so that an editor
 * can mark them all at once. After a problem the parser skips what it
 * cannot read and goes on, so a problem may hide another one only inside
 * a brace that is never closed.
 *
 * Returns: (transfer full) (element-type XiTemplateProblem): the problems
 *   in the order of the text; empty when xi_template_text_parse() would
 *   succeed
 */
GPtrArray *
xi_template_text_check (const char         *source,
                        const char * const *known_variables)
{
  g_autoptr(GArray) segments = g_array_new (FALSE, FALSE, sizeof (Segment));
  g_autoptr(GArray) bounds = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GString) pool = g_string_new (NULL);
  g_autoptr(GPtrArray) variables = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (xi_template_problem_free);
  g_autofree char *valid = NULL;
  g_autoptr(GError) error = NULL;
  Parser p = { NULL, 0, 1, 1, known_variables, segments, bounds, pool, variables, 0, problems };

  g_return_val_if_fail (source != NULL, NULL);

  valid = g_utf8_make_valid (source, -1);
  p.pos = valid;

  if (is_blank (valid))
    {
      XiTemplateProblem *problem = g_new0 (XiTemplateProblem, 1);

      problem->error = g_error_new_literal (XI_TEMPLATE_ERROR, XI_TEMPLATE_ERROR_EMPTY,
                                            _("The message is empty. Write the text your "
                                              "customers will get."));
      g_ptr_array_add (problems, problem);
      return g_steal_pointer (&problems);
    }

  /* Every error is filed and cleared on the way; only an end of text
   * inside a choice stops early, and it is filed too. */
  parse_text (&p, &error);
  g_assert (error == NULL);

  /* A choice is filed after the problems inside it. */
  g_ptr_array_sort (problems, compare_problems);

  return g_steal_pointer (&problems);
}

/**
 * xi_template_problem_free:
 * @problem: (transfer full): a problem from xi_template_text_check()
 */
void
xi_template_problem_free (gpointer problem)
{
  XiTemplateProblem *self = problem;

  if (self == NULL)
    return;
  g_clear_error (&self->error);
  g_free (self);
}

/**
 * xi_template_text_ref:
 * @self: a parsed variant
 *
 * Takes a reference; safe from any thread.
 *
 * Returns: (transfer full): @self
 */
XiTemplateText *
xi_template_text_ref (XiTemplateText *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

/**
 * xi_template_text_unref:
 * @self: (transfer full): a parsed variant
 *
 * Drops a reference; the last one frees @self. Safe from any thread.
 */
void
xi_template_text_unref (XiTemplateText *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, xi_template_text_clear);
}

/**
 * xi_template_text_get_source:
 * @self: a parsed variant
 *
 * Returns: (transfer none): the text @self was parsed from (with any
 *   invalid UTF-8 replaced)
 */
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
 * The variables @self uses, each once, lower case, in order of first use
 * (variables inside choices and those with a fallback included).
 *
 * Returns: (transfer none) (array zero-terminated=1): the names; owned by
 *   @self, do not modify or free
 */
char **
xi_template_text_get_variables (XiTemplateText *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->variables;
}

/**
 * xi_template_text_needs_value:
 * @self: a parsed variant
 * @variable: one of the names xi_template_text_get_variables() returns
 *
 * Whether @variable stands somewhere in @self without a fallback, so that
 * a recipient with no value for it can get a message with a gap there
 * (which xi_template_text_render() reports as missing when it renders
 * that place). Lets a preview tell who lacks a value without rendering
 * every message.
 *
 * Returns: %TRUE if some use of @variable has no fallback
 */
gboolean
xi_template_text_needs_value (XiTemplateText *self,
                              const char     *variable)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (variable != NULL, FALSE);

  for (guint i = 0; i < self->n_segments; i++)
    {
      const Segment *segment = &self->segments[i];

      if (segment->kind == SEGMENT_VARIABLE && !segment->has_fallback &&
          g_str_equal (self->variables[segment->index], variable))
        return TRUE;
    }
  return FALSE;
}

/**
 * xi_template_text_get_max_chars:
 * @self: a parsed variant
 * @lookup: (nullable) (scope call): as for xi_template_text_render()
 * @lookup_data: closure for @lookup
 *
 * Measures the longest message @self can give this recipient, whichever
 * option each choice takes, without building it; a campaign checks every
 * recipient with this before it stores any message. Counting stops at
 * the first piece that takes the total past %XI_LIMIT_MESSAGE_CHARS, so a
 * variable used a thousand times is not counted a thousand times.
 *
 * Returns: the length in characters, at most %XI_LIMIT_MESSAGE_CHARS + 1
 */
gsize
xi_template_text_get_max_chars (XiTemplateText       *self,
                                XiTemplateLookupFunc  lookup,
                                gpointer              lookup_data)
{
  Render r = { lookup, lookup_data, NULL, 0, FALSE, FALSE, NULL };
  gsize total = 0;
  guint i = 0;

  g_return_val_if_fail (self != NULL, 0);

  while (i < self->n_segments && total <= XI_LIMIT_MESSAGE_CHARS)
    {
      const Segment *segment = &self->segments[i];

      if (segment->kind == SEGMENT_CHOICE)
        {
          const guint *bounds = &self->bounds[segment->index];
          gsize longest = 0;

          for (guint option = 0; option < segment->len; option++)
            {
              r.chars = 0;
              render_run (self, &r, bounds[option], bounds[option + 1]);
              longest = MAX (longest, r.chars);
            }
          total += longest;
          i = bounds[segment->len];
        }
      else
        {
          r.chars = 0;
          render_run (self, &r, i, i + 1);
          total += r.chars;
          i++;
        }
    }

  return MIN (total, XI_LIMIT_MESSAGE_CHARS + 1);
}

/**
 * xi_template_text_render:
 * @self: a parsed variant
 * @lookup: (nullable) (scope call): returns each variable's value for the
 *   recipient; %NULL when there is no recipient (every variable is missing)
 * @lookup_data: closure for @lookup
 * @rand: (nullable): picks the option of each choice, uniformly; %NULL
 *   uses the global generator
 * @missing: (out) (optional) (nullable) (transfer full) (array zero-terminated=1):
 *   the variables the recipient has no value for and that have no
 *   fallback, each once in order of appearance, or %NULL when there are
 *   none
 * @error: return location for a #GError
 *
 * Renders the message for one recipient. @lookup is called with lower-case
 * names; `first_name` is derived from `name` when @lookup returns %NULL for
 * it, and a `phone` made of digits only is shown with a leading "+". A
 * missing variable without a fallback renders as nothing, and the text
 * around it is kept exactly as written. Values are inserted as they are,
 * never parsed as templates.
 *
 * A message is at most %XI_LIMIT_MESSAGE_CHARS characters, the most
 * WhatsApp accepts; when the recipient's values would make it longer,
 * rendering stops there and fails with %XI_LIMIT_ERROR_TOO_LONG.
 *
 * @self is immutable, so threads may render it at the same time, each with
 * its own @rand.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with @error
 *   set when it would be too long
 */
char *
xi_template_text_render (XiTemplateText        *self,
                         XiTemplateLookupFunc   lookup,
                         gpointer               lookup_data,
                         GRand                 *rand,
                         char                ***missing,
                         GError               **error)
{
  Render r = { lookup, lookup_data, NULL, 0, FALSE, missing != NULL, NULL };
  guint i = 0;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  r.out = g_string_sized_new (MIN (self->size_hint, XI_LIMIT_MESSAGE_CHARS));

  while (i < self->n_segments && !r.too_long)
    {
      const Segment *segment = &self->segments[i];

      if (segment->kind == SEGMENT_CHOICE)
        {
          const guint *bounds = &self->bounds[segment->index];
          gint32 n = (gint32)segment->len;
          guint pick = rand != NULL ? (guint)g_rand_int_range (rand, 0, n)
                                    : (guint)g_random_int_range (0, n);

          render_run (self, &r, bounds[pick], bounds[pick + 1]);
          i = bounds[n];
        }
      else
        {
          render_run (self, &r, i, i + 1);
          i++;
        }
    }

  if (r.too_long)
    {
      g_clear_pointer (&r.missing, g_ptr_array_unref);
      g_string_free (r.out, TRUE);
      if (missing != NULL)
        *missing = NULL;
      xi_limit_set_message_error (error);
      return NULL;
    }

  if (missing != NULL)
    {
      *missing = NULL;
      if (r.missing != NULL)
        {
          *missing = g_new (char *, r.missing->len + 1);
          for (guint m = 0; m < r.missing->len; m++)
            (*missing)[m] = g_strdup (g_ptr_array_index (r.missing, m));
          (*missing)[r.missing->len] = NULL;
          g_ptr_array_unref (r.missing);
        }
    }

  return g_string_free (r.out, FALSE);
}

/**
 * xi_template_name_key:
 * @name: (nullable): a contact's name
 *
 * What two names of one person have in common: the words that are not
 * titles ("Ibu", "Pak", "Bpk." …, as {first_name} skips them), case
 * folded, single spaces. "Ibu  Siti Aminah" and "siti aminah" give the
 * same key.
 *
 * Returns: (transfer full) (nullable): the key, or %NULL for a name with
 *   no word but titles
 */
char *
xi_template_name_key (const char *name)
{
  g_autoptr(GString) key = g_string_new (NULL);
  const char *pos = name;
  const char *end;
  const char *word;
  gsize len;

  if (name == NULL)
    return NULL;

  end = name + strlen (name);
  while (next_word (&pos, end, &word, &len))
    {
      g_autofree char *valid = NULL;
      g_autofree char *folded = NULL;

      if (is_honorific (word, len))
        continue;
      valid = g_utf8_make_valid (word, len);
      folded = g_utf8_casefold (valid, -1);
      if (key->len > 0)
        g_string_append_c (key, ' ');
      g_string_append (key, folded);
    }

  return key->len > 0 ? g_string_free (g_steal_pointer (&key), FALSE) : NULL;
}
