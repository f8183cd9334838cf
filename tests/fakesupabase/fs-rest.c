/* fs-rest.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fs-jwt.h"
#include "fs-rest.h"

/*
 * The PostgREST half of the gateway (../shared/SYNC.md §1.3–1.8, §4.3).
 * Every request is one transaction on a connection logged in as
 * `authenticator`, switched to the JWT's role with set_config() exactly
 * as PostgREST does, so row-level security and grants decide what a
 * request may see or change. Names from the request only ever reach SQL
 * as quoted identifiers, values only as untyped parameters; the SQL text
 * itself is built from the gateway's own words and catalog entries.
 */

#define EXPOSED_SCHEMA "public"

typedef struct
{
  PGconn    *conn;
  GPtrArray *params;
} Builder;

typedef struct
{
  char     *name;
  char     *default_expr;
  gboolean  primary_key;
} Column;

typedef struct
{
  GPtrArray *columns;   /* Column */
  char      *quoted;    /* "public"."name" */
} Table;

typedef struct
{
  char     *name;
  char     *type;
} Argument;

typedef struct
{
  GPtrArray *arguments; /* Argument */
  guint      n_required;
  gboolean   returns_set;
  gboolean   composite;
  gboolean   is_void;
  gboolean   read_only;
} Function;

typedef enum {
  RETURN_MINIMAL,
  RETURN_HEADERS_ONLY,
  RETURN_REPRESENTATION,
} ReturnKind;

typedef enum {
  RESOLUTION_NONE,
  RESOLUTION_MERGE,
  RESOLUTION_IGNORE,
} Resolution;

typedef struct
{
  ReturnKind return_kind;
  Resolution resolution;
  gboolean   count_exact;
  gboolean   missing_default;
  gboolean   rollback;
  GPtrArray *applied;
} Preferences;

/* One PostgREST request, on its worker thread. */
typedef struct
{
  FsExchange *ex;
  gboolean    authenticated;
  char       *role;
  char       *claims;
  Preferences prefer;
  gboolean    single_object;
} Request;

/* PostgREST's schema cache: what the catalog says about the tables and
 * functions already asked for, shared by the workers. Misses are not
 * kept, so a table created later is found; `reload-schema` on the control
 * channel forgets everything, as NOTIFY pgrst does. */
struct _FsSchemaCache
{
  GMutex      mutex;
  GHashTable *tables;     /* name → Table, a reference each */
  GHashTable *functions;  /* name → GPtrArray of Function */
};

static const char * const reserved_keys[] = {
  "select", "order", "limit", "offset", "on_conflict", "columns",
  "and", "or", "not.and", "not.or", "apikey", NULL,
};

static const struct
{
  const char *name;
  const char *sql;
} simple_operators[] = {
  { "eq", "=" },
  { "neq", "<>" },
  { "gt", ">" },
  { "gte", ">=" },
  { "lt", "<" },
  { "lte", "<=" },
  { "like", "LIKE" },
  { "ilike", "ILIKE" },
  { "match", "~" },
  { "imatch", "~*" },
  { "cs", "@>" },
  { "cd", "<@" },
  { "ov", "&&" },
  { "isdistinct", "IS DISTINCT FROM" },
};

/* Auxiliary methods */

static void
column_free (gpointer data)
{
  Column *column = data;

  g_free (column->name);
  g_free (column->default_expr);
  g_free (column);
}

static void
table_clear (gpointer data)
{
  Table *table = data;

  g_ptr_array_unref (table->columns);
  g_free (table->quoted);
}

static void
table_unref (Table *table)
{
  g_atomic_rc_box_release_full (table, table_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Table, table_unref)

static void
argument_free (gpointer data)
{
  Argument *argument = data;

  g_free (argument->name);
  g_free (argument->type);
  g_free (argument);
}

static void
function_free (gpointer data)
{
  Function *function = data;

  g_ptr_array_unref (function->arguments);
  g_free (function);
}

static gboolean
is_reserved_key (const char *key)
{
  return g_strv_contains (reserved_keys, key);
}

/* PostgREST's status for a PostgreSQL error (docs/references/errors.rst). */
static guint
status_for_sqlstate (const char *state,
                     gboolean    authenticated)
{
  static const struct
  {
    const char *prefix;
    guint       status;
  } table[] = {
    { "23503", 409 }, { "23505", 409 }, { "25006", 405 }, { "42501", 0 },
    { "42883", 404 }, { "42P01", 404 }, { "42P17", 500 }, { "P0001", 400 },
    { "08", 503 }, { "09", 500 }, { "0L", 403 }, { "0P", 403 }, { "23", 400 },
    { "25", 500 }, { "28", 403 }, { "2D", 500 }, { "38", 500 }, { "39", 500 },
    { "3B", 500 }, { "40", 500 }, { "53", 503 }, { "54", 500 }, { "55", 500 },
    { "57", 500 }, { "58", 500 }, { "F0", 500 }, { "HV", 500 }, { "P0", 500 },
    { "XX", 500 },
  };

  if (g_str_has_prefix (state, "PT") && strlen (state) == 5 &&
      g_ascii_isdigit (state[2]) && g_ascii_isdigit (state[3]) && g_ascii_isdigit (state[4]))
    return (guint) atoi (state + 2);

  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)
    {
      if (g_str_has_prefix (state, table[i].prefix))
        {
          if (table[i].status == 0)
            return authenticated ? 403 : 401;
          return table[i].status;
        }
    }
  return 400;
}

static void
builder_add_nullable (JsonBuilder *builder,
                      const char  *name,
                      const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* A function may pick the whole answer with RAISE SQLSTATE 'PGRST': the
 * message is the JSON body, the detail {"status": N, "headers": {…}}. */
static gboolean
reply_custom_error (FsExchange *ex,
                    PGresult   *result)
{
  const char *message = PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY);
  const char *detail = PQresultErrorField (result, PG_DIAG_MESSAGE_DETAIL);
  g_autoptr(JsonParser) body_parser = json_parser_new ();
  g_autoptr(JsonParser) detail_parser = json_parser_new ();
  JsonObject *control;
  JsonNode *headers;

  if (message == NULL || detail == NULL ||
      !json_parser_load_from_data (body_parser, message, -1, NULL) ||
      !json_parser_load_from_data (detail_parser, detail, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (detail_parser)))
    return FALSE;

  control = json_node_get_object (json_parser_get_root (detail_parser));
  headers = json_object_get_member (control, "headers");
  if (headers != NULL && JSON_NODE_HOLDS_OBJECT (headers))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, json_node_get_object (headers));
      while (json_object_iter_next (&iter, &name, &value))
        if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
          fs_exchange_add_header (ex, name, json_node_get_string (value));
    }
  fs_exchange_reply (ex, (guint) json_object_get_int_member_with_default (control, "status", 400),
                     "application/json; charset=utf-8", g_strdup (message));
  return TRUE;
}

static void
reply_pg_error (Request  *req,
                PGresult *result)
{
  const char *state = fs_db_sqlstate (result);
  const char *message = result != NULL ? PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY) : NULL;

  if (g_str_equal (state, "PGRST") && reply_custom_error (req->ex, result))
    return;

  if (message == NULL)
    message = result != NULL ? PQresultErrorMessage (result) : "The database connection was lost";
  fs_rest_error (req->ex, status_for_sqlstate (state, req->authenticated), state, message,
                 result != NULL ? PQresultErrorField (result, PG_DIAG_MESSAGE_DETAIL) : NULL,
                 result != NULL ? PQresultErrorField (result, PG_DIAG_MESSAGE_HINT) : NULL);
}

static void
parse_error (Request    *req,
             const char *what,
             const char *details)
{
  g_autofree char *message = g_strdup_printf ("\"failed to parse %s\"", what);

  fs_rest_error (req->ex, 400, "PGRST100", message, details, NULL);
}

static void
append_param (Builder    *b,
              GString    *sql,
              const char *value)
{
  g_ptr_array_add (b->params, g_strdup (value));
  g_string_append_printf (sql, "$%u", b->params->len);
}

static void
append_ident (Builder    *b,
              GString    *sql,
              const char *name)
{
  g_autofree char *quoted = fs_db_quote_ident (b->conn, name);

  g_string_append (sql, quoted);
}

static void
append_qualified (Builder    *b,
                  GString    *sql,
                  const char *name)
{
  g_string_append (sql, "pgrst_t.");
  append_ident (b, sql, name);
}

/* Splits @text on the commas that are outside parentheses and outside
 * double quotes (where a backslash escapes the next character). */
static GPtrArray *
split_top_level (const char *text)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_free);
  const char *start = text;
  gboolean quoted = FALSE;
  int depth = 0;

  for (const char *p = text; ; p++)
    {
      if (*p == '\0' || (*p == ',' && depth == 0 && !quoted))
        {
          g_ptr_array_add (items, g_strndup (start, (gsize) (p - start)));
          if (*p == '\0')
            break;
          start = p + 1;
        }
      else if (quoted && *p == '\\' && p[1] != '\0')
        p++;
      else if (*p == '"')
        quoted = !quoted;
      else if (!quoted && *p == '(')
        depth++;
      else if (!quoted && *p == ')')
        depth--;
    }
  return items;
}

static char *
unquote_value (const char *value)
{
  gsize len = strlen (value);
  GString *out;

  if (len < 2 || value[0] != '"' || value[len - 1] != '"')
    return g_strdup (value);

  out = g_string_sized_new (len);
  for (gsize i = 1; i + 1 < len; i++)
    {
      if (value[i] == '\\' && i + 2 < len)
        i++;
      g_string_append_c (out, value[i]);
    }
  return g_string_free (out, FALSE);
}

static gboolean
append_in_list (Builder    *b,
                GString    *sql,
                const char *column,
                const char *list)
{
  gsize len = strlen (list);
  g_autofree char *inner = NULL;
  g_autoptr(GPtrArray) items = NULL;

  if (len < 2 || list[0] != '(' || list[len - 1] != ')')
    return FALSE;
  inner = g_strndup (list + 1, len - 2);
  if (*inner == '\0')
    {
      g_string_append (sql, "false");
      return TRUE;
    }

  items = split_top_level (inner);
  append_qualified (b, sql, column);
  g_string_append (sql, " IN (");
  for (guint i = 0; i < items->len; i++)
    {
      g_autofree char *value = unquote_value (g_ptr_array_index (items, i));

      if (i > 0)
        g_string_append (sql, ", ");
      append_param (b, sql, value);
    }
  g_string_append_c (sql, ')');
  return TRUE;
}

/* One `column=[not.]operator.value` condition. Inside or=()/and() a
 * double-quoted value is unquoted; at the top level the value is taken
 * as it is, as PostgREST does. */
static gboolean
append_condition (Builder    *b,
                  GString    *sql,
                  const char *column,
                  const char *expression,
                  gboolean    in_logic)
{
  gboolean negated = g_str_has_prefix (expression, "not.");
  const char *rest = negated ? expression + 4 : expression;
  const char *dot = strchr (rest, '.');
  g_autofree char *op = NULL;
  g_autofree char *value = NULL;
  gboolean ok = FALSE;

  if (*column == '\0' || dot == NULL)
    return FALSE;
  op = g_strndup (rest, (gsize) (dot - rest));
  value = in_logic ? unquote_value (dot + 1) : g_strdup (dot + 1);

  if (negated)
    g_string_append (sql, "NOT (");

  if (g_str_equal (op, "in"))
    ok = append_in_list (b, sql, column, dot + 1);
  else if (g_str_equal (op, "is"))
    {
      static const char * const is_values[] = { "null", "not_null", "true", "false", "unknown", NULL };
      g_autofree char *lower = g_ascii_strdown (value, -1);

      if (g_strv_contains (is_values, lower))
        {
          append_qualified (b, sql, column);
          if (g_str_equal (lower, "not_null"))
            g_string_append (sql, " IS NOT NULL");
          else
            g_string_append_printf (sql, " IS %s", lower);
          ok = TRUE;
        }
    }
  else
    {
      for (gsize i = 0; i < G_N_ELEMENTS (simple_operators); i++)
        {
          if (!g_str_equal (op, simple_operators[i].name))
            continue;
          /* PostgREST lets `*` stand for `%` so that patterns survive URLs. */
          if (g_str_has_suffix (op, "like"))
            g_strdelimit (value, "*", '%');
          append_qualified (b, sql, column);
          g_string_append_printf (sql, " %s ", simple_operators[i].sql);
          append_param (b, sql, value);
          ok = TRUE;
          break;
        }
    }

  if (negated)
    g_string_append_c (sql, ')');
  return ok;
}

/* Deeper or=()/and() nesting is refused, so a hostile URL cannot
 * exhaust a worker's stack. */
#define MAX_LOGIC_DEPTH 32

static gboolean append_logic (Builder    *b,
                              GString    *sql,
                              const char *group,
                              gboolean    is_or,
                              gboolean    negated,
                              guint       depth);

static gboolean
append_logic_item (Builder    *b,
                   GString    *sql,
                   const char *item,
                   guint       depth)
{
  static const struct
  {
    const char *prefix;
    gboolean    is_or;
    gboolean    negated;
  } groups[] = {
    { "and(", FALSE, FALSE }, { "or(", TRUE, FALSE },
    { "not.and(", FALSE, TRUE }, { "not.or(", TRUE, TRUE },
  };
  g_autofree char *column = NULL;
  const char *dot;

  for (gsize i = 0; i < G_N_ELEMENTS (groups); i++)
    if (g_str_has_prefix (item, groups[i].prefix))
      return append_logic (b, sql, item + strlen (groups[i].prefix) - 1,
                           groups[i].is_or, groups[i].negated, depth + 1);

  dot = strchr (item, '.');
  if (dot == NULL)
    return FALSE;
  column = g_strndup (item, (gsize) (dot - item));
  return append_condition (b, sql, column, dot + 1, TRUE);
}

/* `(item,item,…)` where an item is a condition or a nested and()/or(). */
static gboolean
append_logic (Builder    *b,
              GString    *sql,
              const char *group,
              gboolean    is_or,
              gboolean    negated,
              guint       depth)
{
  gsize len = strlen (group);
  g_autofree char *inner = NULL;
  g_autoptr(GPtrArray) items = NULL;

  if (depth > MAX_LOGIC_DEPTH || len < 3 || group[0] != '(' || group[len - 1] != ')')
    return FALSE;
  inner = g_strndup (group + 1, len - 2);
  items = split_top_level (inner);

  g_string_append (sql, negated ? "NOT (" : "(");
  for (guint i = 0; i < items->len; i++)
    {
      if (i > 0)
        g_string_append (sql, is_or ? " OR " : " AND ");
      if (!append_logic_item (b, sql, g_strstrip ((char *) g_ptr_array_index (items, i)), depth))
        return FALSE;
    }
  g_string_append_c (sql, ')');
  return TRUE;
}

/* The WHERE clause of every filter in the query string; @skip names
 * parameters that are function arguments rather than filters. */
static gboolean
build_where (Request    *req,
             Builder    *b,
             GString    *sql,
             GHashTable *skip)
{
  gboolean any = FALSE;

  for (guint i = 0; i < req->ex->query->len; i++)
    {
      FsParam *param = g_ptr_array_index (req->ex->query, i);
      gboolean logic = g_str_equal (param->key, "and") || g_str_equal (param->key, "or") ||
                       g_str_equal (param->key, "not.and") || g_str_equal (param->key, "not.or");
      gboolean ok;

      if ((!logic && is_reserved_key (param->key)) ||
          (skip != NULL && g_hash_table_contains (skip, param->key)))
        continue;

      g_string_append (sql, any ? " AND " : " WHERE ");
      any = TRUE;
      if (logic)
        ok = append_logic (b, sql, param->value, g_str_has_suffix (param->key, "or"),
                           g_str_has_prefix (param->key, "not."), 0);
      else
        ok = append_condition (b, sql, param->key, param->value, FALSE);
      if (!ok)
        {
          g_autofree char *details = g_strdup_printf ("%s=%s", param->key, param->value);

          parse_error (req, "filter", details);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
valid_cast_type (const char *type)
{
  gsize len = strlen (type);

  if (len == 0 || !g_ascii_isalpha (type[0]))
    return FALSE;
  if (len > 2 && g_str_has_suffix (type, "[]"))
    len -= 2;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (type[i]) && type[i] != '_' && type[i] != ' ')
      return FALSE;
  return TRUE;
}

/* select=a,alias:b,c::text — columns, aliases and casts; resources to
 * embed (`rel(*)`) are not something this gateway offers. */
static gboolean
build_select (Request *req,
              Builder *b,
              GString *sql)
{
  const char *select = fs_exchange_get_param (req->ex, "select");
  g_autoptr(GPtrArray) items = NULL;

  if (select == NULL || *select == '\0')
    {
      g_string_append (sql, "*");
      return TRUE;
    }

  items = split_top_level (select);
  for (guint i = 0; i < items->len; i++)
    {
      char *item = g_strstrip ((char *) g_ptr_array_index (items, i));
      g_autofree char *column = NULL;
      g_autofree char *alias = NULL;
      g_autofree char *cast = NULL;
      char *colons = strstr (item, "::");
      char *colon;

      if (i > 0)
        g_string_append (sql, ", ");
      if (g_str_equal (item, "*"))
        {
          g_string_append (sql, "*");
          continue;
        }
      if (strchr (item, '(') != NULL || *item == '\0')
        {
          parse_error (req, "select", "Embedding resources is not supported by the test gateway");
          return FALSE;
        }
      if (colons != NULL)
        {
          cast = g_strdup (colons + 2);
          *colons = '\0';
          if (!valid_cast_type (cast))
            {
              parse_error (req, "select", cast);
              return FALSE;
            }
        }
      colon = strchr (item, ':');
      if (colon != NULL)
        {
          alias = g_strndup (item, (gsize) (colon - item));
          column = g_strdup (colon + 1);
        }
      else
        column = g_strdup (item);

      append_ident (b, sql, column);
      if (cast != NULL)
        g_string_append_printf (sql, "::%s", cast);
      if (alias != NULL || cast != NULL)
        {
          g_string_append (sql, " AS ");
          append_ident (b, sql, alias != NULL ? alias : column);
        }
    }
  return TRUE;
}

static gboolean
build_order (Request *req,
             Builder *b,
             GString *sql)
{
  const char *order = fs_exchange_get_param (req->ex, "order");
  g_autoptr(GPtrArray) items = NULL;

  if (order == NULL || *order == '\0')
    return TRUE;

  items = split_top_level (order);
  g_string_append (sql, " ORDER BY ");
  for (guint i = 0; i < items->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (items, i), ".", 0);
      guint n = g_strv_length (parts);

      if (n == 0 || n > 3 || *parts[0] == '\0')
        {
          parse_error (req, "order", order);
          return FALSE;
        }
      if (i > 0)
        g_string_append (sql, ", ");
      append_qualified (b, sql, parts[0]);
      for (guint j = 1; j < n; j++)
        {
          if (g_str_equal (parts[j], "asc"))
            g_string_append (sql, " ASC");
          else if (g_str_equal (parts[j], "desc"))
            g_string_append (sql, " DESC");
          else if (g_str_equal (parts[j], "nullsfirst"))
            g_string_append (sql, " NULLS FIRST");
          else if (g_str_equal (parts[j], "nullslast"))
            g_string_append (sql, " NULLS LAST");
          else
            {
              parse_error (req, "order", order);
              return FALSE;
            }
        }
    }
  return TRUE;
}

static gboolean
parse_count (const char *text,
             gint64     *value)
{
  char *end = NULL;
  gint64 v;

  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;
  v = g_ascii_strtoll (text, &end, 10);
  /* Far above any table, and far from overflowing when added up. */
  if (*end != '\0' || v < 0 || v > G_MAXINT32)
    return FALSE;
  *value = v;
  return TRUE;
}

/* The rows asked for, from limit/offset and the Range header together,
 * as PostgREST intersects them; -1 for "no upper bound". */
static gboolean
compute_range (Request *req,
               gint64  *from,
               gint64  *to)
{
  const char *limit = fs_exchange_get_param (req->ex, "limit");
  const char *offset = fs_exchange_get_param (req->ex, "offset");
  const char *range = fs_exchange_get_header (req->ex, "range");
  gint64 value;

  *from = 0;
  *to = -1;

  if (range != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (range, "-", 2);

      if (g_strv_length (parts) != 2 || !parse_count (parts[0], from) ||
          (*parts[1] != '\0' && !parse_count (parts[1], to)))
        {
          parse_error (req, "Range header", range);
          return FALSE;
        }
    }
  if (offset != NULL)
    {
      if (!parse_count (offset, &value))
        {
          parse_error (req, "offset", offset);
          return FALSE;
        }
      *from += value;
    }
  if (limit != NULL)
    {
      if (!parse_count (limit, &value))
        {
          parse_error (req, "limit", limit);
          return FALSE;
        }
      if (*to < 0 || *from + value - 1 < *to)
        *to = *from + value - 1;
    }
  if (req->ex->max_rows > 0 && (*to < 0 || *to - *from + 1 > req->ex->max_rows))
    *to = *from + req->ex->max_rows - 1;
  return TRUE;
}

static void
parse_preferences (FsExchange  *ex,
                   Preferences *prefer)
{
  const char *header = fs_exchange_get_header (ex, "prefer");
  g_auto(GStrv) tokens = NULL;

  memset (prefer, 0, sizeof *prefer);
  prefer->applied = g_ptr_array_new_with_free_func (g_free);
  if (header == NULL)
    return;

  tokens = g_strsplit (header, ",", 0);
  for (guint i = 0; tokens[i] != NULL; i++)
    {
      const char *token = g_strstrip (tokens[i]);
      gboolean known = TRUE;

      if (g_str_equal (token, "return=representation"))
        prefer->return_kind = RETURN_REPRESENTATION;
      else if (g_str_equal (token, "return=headers-only"))
        prefer->return_kind = RETURN_HEADERS_ONLY;
      else if (g_str_equal (token, "return=minimal"))
        prefer->return_kind = RETURN_MINIMAL;
      else if (g_str_equal (token, "resolution=merge-duplicates"))
        prefer->resolution = RESOLUTION_MERGE;
      else if (g_str_equal (token, "resolution=ignore-duplicates"))
        prefer->resolution = RESOLUTION_IGNORE;
      else if (g_str_equal (token, "count=exact") || g_str_equal (token, "count=planned") ||
               g_str_equal (token, "count=estimated"))
        prefer->count_exact = TRUE;
      else if (g_str_equal (token, "missing=default"))
        prefer->missing_default = TRUE;
      else if (g_str_equal (token, "tx=rollback"))
        prefer->rollback = TRUE;
      else
        known = FALSE;
      if (known)
        g_ptr_array_add (prefer->applied, g_strdup (token));
    }
}

static void
request_clear (Request *req)
{
  g_free (req->role);
  g_free (req->claims);
  g_clear_pointer (&req->prefer.applied, g_ptr_array_unref);
}

/* Authorization: a verified HS256 token, or the anonymous role. */
static gboolean
authenticate (Request *req)
{
  const char *authorization = fs_exchange_get_header (req->ex, "authorization");
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  if (authorization == NULL)
    {
      claims = json_object_new ();
      json_object_set_string_member (claims, "role", "anon");
    }
  else
    {
      if (g_ascii_strncasecmp (authorization, "Bearer ", 7) != 0)
        {
          g_set_error_literal (&error, FS_JWT_ERROR, FS_JWT_ERROR_MALFORMED,
                               "Missing Bearer in the Authorization header");
        }
      else
        {
          g_autofree char *token = g_strstrip (g_strdup (authorization + 7));

          claims = fs_jwt_verify (req->ex->jwt_secret, token,
                                  g_get_real_time () / G_USEC_PER_SEC, req->ex->jwt_skew, &error);
        }
      if (claims == NULL)
        {
          gboolean claim_error = g_error_matches (error, FS_JWT_ERROR, FS_JWT_ERROR_EXPIRED) ||
                                 g_error_matches (error, FS_JWT_ERROR, FS_JWT_ERROR_CLAIMS);
          g_autofree char *challenge =
            g_strdup_printf ("Bearer error=\"invalid_token\", error_description=\"%s\"",
                             error->message);

          fs_exchange_add_header (req->ex, "WWW-Authenticate", challenge);
          fs_rest_error (req->ex, 401, claim_error ? "PGRST303" : "PGRST301",
                         error->message, NULL, NULL);
          return FALSE;
        }
      if (!json_object_has_member (claims, "role"))
        json_object_set_string_member (claims, "role", "anon");
    }

  req->role = g_strdup (json_object_get_string_member (claims, "role"));
  req->authenticated = !g_str_equal (req->role, "anon");
  node = json_node_init_object (json_node_alloc (), claims);
  req->claims = json_to_string (node, FALSE);
  return TRUE;
}

static void
append_setting (PGconn     *conn,
                GString    *sql,
                const char *name,
                const char *value)
{
  g_autofree char *quoted_name = fs_db_quote_literal (conn, name);
  g_autofree char *quoted_value = fs_db_quote_literal (conn, value);

  g_string_append_printf (sql, "%sset_config(%s, %s, true)",
                          g_str_has_suffix (sql->str, "SELECT ") ? "" : ", ",
                          quoted_name, quoted_value);
}

static PGresult *
send_in_pipeline (PGconn     *conn,
                  const char *sql,
                  GPtrArray  *params)
{
  if (!PQsendQueryParams (conn, sql, params != NULL ? (int) params->len : 0, NULL,
                          params != NULL ? (const char * const *) params->pdata : NULL,
                          NULL, NULL, 0))
    return PQmakeEmptyPGresult (conn, PGRES_FATAL_ERROR);
  return NULL;
}

/* BEGIN, the request's settings as PostgREST sets them, @sql, COMMIT.
 * Returns the main statement's result, or NULL with the error answered.
 *
 * All four go out in one libpq pipeline: one round trip, and a lock the
 * statement takes (a tenant's counter, a quota row) is held only while
 * PostgreSQL works, never while this thread waits to be scheduled. A held
 * transaction (the `hold` fault) stops before COMMIT. */
static PGresult *
run_transaction (Request    *req,
                 PGconn     *conn,
                 gboolean    read_only,
                 const char *sql,
                 GPtrArray  *params)
{
  g_autoptr(GString) settings = g_string_new ("SELECT ");
  g_autofree char *headers = fs_exchange_dup_headers_json (req->ex);
  GPtrArray *role_settings = g_hash_table_lookup (req->ex->role_settings, req->role);
  const char *end = req->prefer.rollback ? "ROLLBACK" : "COMMIT";
  gboolean hold = req->ex->hold_ms > 0;
  guint n_statements = hold ? 3 : 4;
  PGresult *main_result = NULL;
  PGresult *failure = NULL;
  gboolean broken = FALSE;

  append_setting (conn, settings, "search_path", "public, extensions");
  append_setting (conn, settings, "role", req->role);
  append_setting (conn, settings, "request.jwt.claims", req->claims);
  append_setting (conn, settings, "request.method", req->ex->method);
  append_setting (conn, settings, "request.path", req->ex->path);
  append_setting (conn, settings, "request.headers", headers);
  append_setting (conn, settings, "request.cookies", "{}");
  /* PostgREST applies the role's own settings (statement_timeout above
   * all) per transaction, since SET ROLE does not. */
  for (guint i = 0; role_settings != NULL && i + 1 < role_settings->len; i += 2)
    append_setting (conn, settings, g_ptr_array_index (role_settings, i),
                    g_ptr_array_index (role_settings, i + 1));

  if (!PQenterPipelineMode (conn) ||
      (failure = send_in_pipeline (conn, read_only ? "BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY"
                                                   : "BEGIN ISOLATION LEVEL READ COMMITTED", NULL)) != NULL ||
      (failure = send_in_pipeline (conn, settings->str, NULL)) != NULL ||
      (failure = send_in_pipeline (conn, sql, params)) != NULL ||
      (!hold && (failure = send_in_pipeline (conn, end, NULL)) != NULL) ||
      !PQpipelineSync (conn))
    broken = TRUE;

  /* Each statement answers with its result and then NULL; one that comes
   * after a failure answers PGRES_PIPELINE_ABORTED. */
  for (guint i = 0; !broken && i < n_statements; i++)
    {
      PGresult *result = PQgetResult (conn);
      PGresult *extra;

      if (result == NULL)
        {
          broken = TRUE;
          break;
        }
      while ((extra = PQgetResult (conn)) != NULL)
        PQclear (extra);

      if (i == 2 && fs_db_ok (result))
        main_result = result;
      else if (!fs_db_ok (result) && PQresultStatus (result) != PGRES_PIPELINE_ABORTED && failure == NULL)
        failure = result;
      else
        PQclear (result);
    }
  if (!broken)
    {
      PGresult *sync = PQgetResult (conn);

      broken = sync == NULL || PQresultStatus (sync) != PGRES_PIPELINE_SYNC;
      PQclear (sync);
    }
  if (!PQexitPipelineMode (conn))
    broken = TRUE;

  if (failure != NULL || broken)
    {
      reply_pg_error (req, failure);
      PQclear (failure);
      PQclear (main_result);
      if (!broken && PQtransactionStatus (conn) != PQTRANS_IDLE)
        PQclear (PQexec (conn, "ROLLBACK"));
      return NULL;
    }

  if (hold)
    {
      g_autoptr(PGresult) ended = NULL;

      g_usleep (req->ex->hold_ms * 1000);
      ended = PQexec (conn, end);
      if (!fs_db_ok (ended))
        {
          reply_pg_error (req, ended);
          PQclear (main_result);
          return NULL;
        }
    }
  req->ex->committed = !req->prefer.rollback;
  return main_result;
}

static gpointer
cache_get (FsSchemaCache  *cache,
           GHashTable     *map,
           const char     *name,
           GBoxedCopyFunc  ref)
{
  gpointer value;

  g_mutex_lock (&cache->mutex);
  value = g_hash_table_lookup (map, name);
  if (value != NULL)
    ref (value);
  g_mutex_unlock (&cache->mutex);
  return value;
}

/* Keeps a reference of its own (from @ref). */
static void
cache_put (FsSchemaCache  *cache,
           GHashTable     *map,
           const char     *name,
           gpointer        value,
           GBoxedCopyFunc  ref)
{
  g_mutex_lock (&cache->mutex);
  g_hash_table_replace (map, g_strdup (name), ref (value));
  g_mutex_unlock (&cache->mutex);
}

/* A catalog query about public.@name: $1 is the schema, $2 the name. */
static PGresult *
catalog_query (PGconn     *conn,
               const char *sql,
               const char *name)
{
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (params, g_strdup (EXPOSED_SCHEMA));
  g_ptr_array_add (params, g_strdup (name));
  return fs_db_exec (conn, sql, params);
}

static Table *
lookup_table (Request    *req,
              PGconn     *conn,
              const char *name)
{
  FsSchemaCache *cache = req->ex->schema_cache;
  g_autoptr(PGresult) result = NULL;
  g_autoptr(Table) table = NULL;
  g_autofree char *schema = NULL;
  g_autofree char *relation = NULL;

  table = cache_get (cache, cache->tables, name, g_atomic_rc_box_acquire);
  if (table != NULL)
    return g_steal_pointer (&table);

  result = catalog_query (conn,
    "SELECT a.attname, pg_catalog.pg_get_expr(d.adbin, d.adrelid), "
    "       coalesce(a.attnum = ANY (i.indkey), false) "
    "FROM pg_catalog.pg_class c "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
    "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum "
    "LEFT JOIN pg_catalog.pg_index i ON i.indrelid = c.oid AND i.indisprimary "
    "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'v', 'm', 'p', 'f') "
    "ORDER BY a.attnum", name);
  if (!fs_db_ok (result))
    {
      reply_pg_error (req, result);
      return NULL;
    }
  if (PQntuples (result) == 0)
    {
      g_autofree char *message =
        g_strdup_printf ("Could not find the table '%s.%s' in the schema cache",
                         EXPOSED_SCHEMA, name);

      fs_rest_error (req->ex, 404, "PGRST205", message, NULL, NULL);
      return NULL;
    }

  table = g_atomic_rc_box_new0 (Table);
  table->columns = g_ptr_array_new_with_free_func (column_free);
  for (int row = 0; row < PQntuples (result); row++)
    {
      Column *column = g_new0 (Column, 1);

      column->name = g_strdup (PQgetvalue (result, row, 0));
      if (!PQgetisnull (result, row, 1))
        column->default_expr = g_strdup (PQgetvalue (result, row, 1));
      column->primary_key = g_str_equal (PQgetvalue (result, row, 2), "t");
      g_ptr_array_add (table->columns, column);
    }
  schema = fs_db_quote_ident (conn, EXPOSED_SCHEMA);
  relation = fs_db_quote_ident (conn, name);
  table->quoted = g_strconcat (schema, ".", relation, NULL);

  cache_put (cache, cache->tables, name, table, g_atomic_rc_box_acquire);

  return g_steal_pointer (&table);
}

static Column *
table_find_column (Table      *table,
                   const char *name)
{
  for (guint i = 0; i < table->columns->len; i++)
    {
      Column *column = g_ptr_array_index (table->columns, i);

      if (g_str_equal (column->name, name))
        return column;
    }
  return NULL;
}

static void
reply_unknown_column (Request    *req,
                      const char *column,
                      const char *table)
{
  g_autofree char *message =
    g_strdup_printf ("Could not find the '%s' column of '%s' in the schema cache", column, table);

  fs_rest_error (req->ex, 400, "PGRST204", message, NULL, NULL);
}

static void
add_content_range (Request *req,
                   gint64   from,
                   gint64   n_rows,
                   gint64   total)
{
  g_autofree char *total_text = total >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, total)
                                           : g_strdup ("*");
  g_autofree char *range = NULL;

  if (n_rows > 0 && total != 0)
    range = g_strdup_printf ("%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "/%s",
                             from, from + n_rows - 1, total_text);
  else
    range = g_strdup_printf ("*/%s", total_text);
  fs_exchange_add_header (req->ex, "Content-Range", range);
}

static void
add_preference_applied (Request *req)
{
  g_autofree char *applied = NULL;

  if (req->prefer.applied->len == 0)
    return;
  g_ptr_array_add (req->prefer.applied, NULL);
  applied = g_strjoinv (", ", (char **) req->prefer.applied->pdata);
  g_ptr_array_remove_index (req->prefer.applied, req->prefer.applied->len - 1);
  fs_exchange_add_header (req->ex, "Preference-Applied", applied);
}

/* The body of rows already aggregated by SQL: an array, or the one object
 * asked for with Accept: application/vnd.pgrst.object+json. */
static gboolean
reply_rows (Request    *req,
            guint       status,
            gint64      n_rows,
            const char *array_json)
{
  if (req->single_object)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonArray *rows;
      g_autoptr(JsonNode) first = NULL;

      if (n_rows != 1)
        {
          g_autofree char *details = g_strdup_printf ("The result contains %" G_GINT64_FORMAT " rows",
                                                      n_rows);

          fs_rest_error (req->ex, 406, "PGRST116",
                         "Cannot coerce the result to a single JSON object", details, NULL);
          return FALSE;
        }
      if (!json_parser_load_from_data (parser, array_json, -1, NULL))
        g_return_val_if_reached (FALSE);
      rows = json_node_get_array (json_parser_get_root (parser));
      first = json_node_copy (json_array_get_element (rows, 0));
      fs_exchange_reply (req->ex, status, "application/vnd.pgrst.object+json; charset=utf-8",
                         json_to_string (first, FALSE));
      return TRUE;
    }
  fs_exchange_reply (req->ex, status, "application/json; charset=utf-8",
                     g_strdup (array_json));
  return TRUE;
}

static void
handle_read (Request    *req,
             PGconn     *conn,
             const char *name)
{
  g_autoptr(Table) table = lookup_table (req, conn, name);
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  Builder b = { conn, params };
  g_autoptr(GString) where = g_string_new (NULL);
  g_autoptr(GString) inner = g_string_new ("SELECT ");
  g_autoptr(GString) sql = g_string_new ("SELECT ");
  g_autoptr(PGresult) result = NULL;
  gint64 from, to, n_rows, total = -1;
  guint status = 200;

  if (table == NULL)
    return;
  if (!build_select (req, &b, inner) || !build_where (req, &b, where, NULL))
    return;
  g_string_append_printf (inner, " FROM %s AS pgrst_t%s", table->quoted, where->str);
  if (!build_order (req, &b, inner) || !compute_range (req, &from, &to))
    return;
  if (to >= 0)
    g_string_append_printf (inner, " LIMIT %" G_GINT64_FORMAT,
                            to >= from ? to - from + 1 : 0);
  if (from > 0)
    g_string_append_printf (inner, " OFFSET %" G_GINT64_FORMAT, from);

  if (req->prefer.count_exact)
    g_string_append_printf (sql, "(SELECT pg_catalog.count(*) FROM %s AS pgrst_t%s), ",
                            table->quoted, where->str);
  else
    g_string_append (sql, "NULL::bigint, ");
  g_string_append_printf (sql, "pg_catalog.count(_pgrst_t), "
                          "coalesce(json_agg(_pgrst_t), '[]')::text FROM (%s) _pgrst_t",
                          inner->str);

  result = run_transaction (req, conn, TRUE, sql->str, params);
  if (result == NULL)
    return;

  n_rows = g_ascii_strtoll (PQgetvalue (result, 0, 1), NULL, 10);
  if (!PQgetisnull (result, 0, 0))
    total = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);

  if (total >= 0)
    {
      if (from > total)
        {
          g_autofree char *details =
            g_strdup_printf ("An offset of %" G_GINT64_FORMAT " was requested, but there are only %"
                             G_GINT64_FORMAT " rows.", from, total);

          fs_rest_error (req->ex, 416, "PGRST103", "Requested range not satisfiable", details, NULL);
          return;
        }
      if (n_rows < total)
        status = 206;
    }

  add_content_range (req, from, n_rows, total);
  add_preference_applied (req);
  reply_rows (req, status, n_rows, PQgetvalue (result, 0, 2));
}

/* The keys the payload writes, checked against the table: all objects
 * must have the same keys unless ?columns= names them. */
static GPtrArray *
payload_columns (Request    *req,
                 Table      *table,
                 const char *name,
                 JsonNode   *root)
{
  const char *columns_param = fs_exchange_get_param (req->ex, "columns");
  g_autoptr(GPtrArray) columns = g_ptr_array_new_with_free_func (g_free);

  if (columns_param != NULL)
    {
      g_autoptr(GPtrArray) items = split_top_level (columns_param);

      for (guint i = 0; i < items->len; i++)
        g_ptr_array_add (columns, unquote_value (g_strstrip ((char *) g_ptr_array_index (items, i))));
    }
  else
    {
      JsonArray *rows = json_node_get_array (root);
      g_autoptr(GHashTable) first = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; i < json_array_get_length (rows); i++)
        {
          JsonObject *object = json_array_get_object_element (rows, i);
          g_autoptr(GList) members = json_object_get_members (object);
          gboolean same = TRUE;

          if (i == 0)
            {
              for (GList *l = members; l != NULL; l = l->next)
                {
                  g_hash_table_add (first, l->data);
                  g_ptr_array_add (columns, g_strdup (l->data));
                }
              continue;
            }
          if (g_list_length (members) != g_hash_table_size (first))
            same = FALSE;
          for (GList *l = members; same && l != NULL; l = l->next)
            same = g_hash_table_contains (first, l->data);
          if (!same)
            {
              fs_rest_error (req->ex, 400, "PGRST102", "All object keys must match", NULL, NULL);
              return NULL;
            }
        }
    }

  for (guint i = 0; i < columns->len; i++)
    {
      if (table_find_column (table, g_ptr_array_index (columns, i)) == NULL)
        {
          reply_unknown_column (req, g_ptr_array_index (columns, i), name);
          return NULL;
        }
    }
  return g_steal_pointer (&columns);
}

/* The request body as an array of objects: an object becomes a
 * one-element array; the text itself goes to PostgreSQL untouched. */
static JsonNode *
parse_payload (Request  *req,
               char    **array_text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = fs_exchange_dup_body (req->ex);
  JsonNode *root;

  if (!g_utf8_validate (text, -1, NULL) ||
      !json_parser_load_from_data (parser, text, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !(JSON_NODE_HOLDS_OBJECT (root) || JSON_NODE_HOLDS_ARRAY (root)))
    goto invalid;

  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonArray *array = json_array_new ();
      JsonNode *wrapped = json_node_init_array (json_node_alloc (), array);

      json_array_add_element (array, json_node_copy (root));
      json_array_unref (array);
      *array_text = g_strdup_printf ("[%s]", text);
      return wrapped;
    }

  for (guint i = 0; i < json_array_get_length (json_node_get_array (root)); i++)
    if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (json_node_get_array (root), i)))
      goto invalid;
  *array_text = g_steal_pointer (&text);
  return json_node_copy (root);

invalid:
  fs_rest_error (req->ex, 400, "PGRST102", "Empty or invalid json", NULL, NULL);
  return NULL;
}

/* For representation and headers-only: the mutation as a CTE, then the
 * number of rows it returned, how many were inserted, the rows shaped by
 * select=, and the Location of the first row (from the primary key). */
static gboolean
finish_returning_sql (Request *req,
                      Builder *b,
                      Table   *table,
                      GString *mutation,
                      GString *sql)
{
  gboolean first = TRUE;

  g_string_append_printf (sql,
    "WITH pgrst_mut AS (%s RETURNING pgrst_t AS pgrst_row, (pgrst_t.xmax = 0) AS pgrst_inserted), "
    "pgrst_src AS (SELECT (pgrst_row).* FROM pgrst_mut) "
    "SELECT (SELECT pg_catalog.count(*) FROM pgrst_mut), "
    "(SELECT pg_catalog.count(*) FILTER (WHERE pgrst_inserted) FROM pgrst_mut), "
    "(SELECT coalesce(json_agg(_pgrst_t), '[]')::text FROM (SELECT ",
    mutation->str);
  if (!build_select (req, b, sql))
    return FALSE;
  g_string_append (sql, " FROM pgrst_src) _pgrst_t), (SELECT ");

  for (guint i = 0; i < table->columns->len; i++)
    {
      Column *column = g_ptr_array_index (table->columns, i);
      g_autofree char *key = NULL;
      g_autofree char *literal = NULL;

      if (!column->primary_key)
        continue;
      key = g_strdup_printf ("%s%s=eq.", first ? "" : "&", column->name);
      literal = fs_db_quote_literal (b->conn, key);
      g_string_append (sql, first ? "concat(" : ", ");
      g_string_append_printf (sql, "%s, (pgrst_row).", literal);
      append_ident (b, sql, column->name);
      first = FALSE;
    }
  g_string_append (sql, first ? "NULL::text" : ")");
  g_string_append (sql, " FROM pgrst_mut LIMIT 1)");
  return TRUE;
}

/* @status answers with rows, @bodiless_status without (PostgREST's 204
 * for PATCH and DELETE, but 201 or 200 for POST). */
static void
reply_mutation (Request    *req,
                PGresult   *result,
                guint       status,
                guint       bodiless_status,
                const char *name)
{
  gint64 n_rows;

  if (req->prefer.return_kind == RETURN_MINIMAL)
    {
      n_rows = g_ascii_strtoll (PQcmdTuples (result), NULL, 10);
      if (PQresultStatus (result) == PGRES_TUPLES_OK)
        n_rows = PQntuples (result) > 0 ? g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10) : 0;
      add_content_range (req, 0, n_rows, req->prefer.count_exact ? n_rows : -1);
      add_preference_applied (req);
      fs_exchange_reply (req->ex, bodiless_status, NULL, NULL);
      return;
    }

  n_rows = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  add_content_range (req, 0, n_rows, req->prefer.count_exact ? n_rows : -1);
  add_preference_applied (req);
  if (req->prefer.return_kind == RETURN_HEADERS_ONLY)
    {
      if (!PQgetisnull (result, 0, 3))
        {
          g_autofree char *location = g_strdup_printf ("/%s?%s", name, PQgetvalue (result, 0, 3));

          fs_exchange_add_header (req->ex, "Location", location);
        }
      fs_exchange_reply (req->ex, bodiless_status, NULL, NULL);
      return;
    }
  reply_rows (req, status, n_rows, PQgetvalue (result, 0, 2));
}

/* PUT replaces one row named by its whole primary key: the filters must
 * be `eq` on exactly the key columns, the body one object that carries
 * the same key. */
static gboolean
check_put (Request  *req,
           Table    *table,
           JsonNode *payload)
{
  JsonArray *rows = json_node_get_array (payload);
  g_autofree char *body = fs_exchange_dup_body (req->ex);
  JsonObject *row;
  guint n_keys = 0, n_filters = 0;
  gboolean only_keys = TRUE;

  if (json_array_get_length (rows) != 1 || g_strchug (body)[0] != '{')
    {
      fs_rest_error (req->ex, 400, "PGRST102", "Expected a single JSON object for PUT", NULL, NULL);
      return FALSE;
    }
  row = json_array_get_object_element (rows, 0);

  for (guint i = 0; i < req->ex->query->len; i++)
    {
      FsParam *param = g_ptr_array_index (req->ex->query, i);
      Column *column;
      JsonNode *value;
      g_autofree char *text = NULL;

      if (is_reserved_key (param->key))
        continue;
      n_filters++;
      column = table_find_column (table, param->key);
      if (column == NULL || !column->primary_key || !g_str_has_prefix (param->value, "eq."))
        {
          only_keys = FALSE;
          break;
        }
      value = json_object_get_member (row, param->key);
      if (value != NULL && JSON_NODE_HOLDS_VALUE (value))
        text = json_node_get_value_type (value) == G_TYPE_STRING
               ? g_strdup (json_node_get_string (value)) : json_to_string (value, FALSE);
      if (text == NULL || !g_str_equal (text, param->value + 3))
        {
          fs_rest_error (req->ex, 400, "PGRST115",
                         "Payload values do not match URL in primary key column(s)", NULL, NULL);
          return FALSE;
        }
    }
  for (guint i = 0; i < table->columns->len; i++)
    if (((Column *) g_ptr_array_index (table->columns, i))->primary_key)
      n_keys++;
  if (!only_keys || n_keys == 0 || n_filters != n_keys)
    {
      fs_rest_error (req->ex, 405, "PGRST105",
                     "Filters must include all and only primary key columns with 'eq' operators",
                     NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

static void
handle_insert (Request    *req,
               PGconn     *conn,
               const char *name,
               gboolean    is_put)
{
  g_autoptr(Table) table = lookup_table (req, conn, name);
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  Builder b = { conn, params };
  g_autoptr(JsonNode) payload = NULL;
  g_autoptr(GPtrArray) columns = NULL;
  g_autoptr(GString) mutation = g_string_new (NULL);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(PGresult) result = NULL;
  g_autofree char *array_text = NULL;
  const char *on_conflict = is_put ? NULL : fs_exchange_get_param (req->ex, "on_conflict");
  guint n_objects;
  guint status = 201;

  if (table == NULL || (payload = parse_payload (req, &array_text)) == NULL)
    return;
  if (is_put && !check_put (req, table, payload))
    return;
  if ((columns = payload_columns (req, table, name, payload)) == NULL)
    return;
  n_objects = json_array_get_length (json_node_get_array (payload));

  g_string_append_printf (mutation, "INSERT INTO %s AS pgrst_t ", table->quoted);
  if (columns->len == 0)
    {
      if (n_objects > 1)
        {
          fs_rest_error (req->ex, 400, "PGRST102", "All object keys must match", NULL, NULL);
          return;
        }
      g_string_append (mutation, n_objects == 1 ? "DEFAULT VALUES" : "SELECT * FROM " );
      if (n_objects == 0)
        g_string_append_printf (mutation, "%s WHERE false", table->quoted);
    }
  else
    {
      g_string_append_c (mutation, '(');
      for (guint i = 0; i < columns->len; i++)
        {
          if (i > 0)
            g_string_append (mutation, ", ");
          append_ident (&b, mutation, g_ptr_array_index (columns, i));
        }
      g_string_append (mutation, ") SELECT ");
      for (guint i = 0; i < columns->len; i++)
        {
          Column *column = table_find_column (table, g_ptr_array_index (columns, i));

          if (i > 0)
            g_string_append (mutation, ", ");
          if (req->prefer.missing_default)
            {
              g_autofree char *literal = fs_db_quote_literal (conn, column->name);

              g_string_append_printf (mutation, "CASE WHEN (pgrst_e.j::jsonb) ? %s THEN pgrst_r.",
                                      literal);
              append_ident (&b, mutation, column->name);
              g_string_append_printf (mutation, " ELSE %s END",
                                      column->default_expr != NULL ? column->default_expr : "NULL");
            }
          else
            {
              g_string_append (mutation, "pgrst_r.");
              append_ident (&b, mutation, column->name);
            }
        }
      g_string_append (mutation, " FROM json_array_elements(");
      append_param (&b, mutation, array_text);
      g_string_append_printf (mutation, "::json) WITH ORDINALITY AS pgrst_e(j, n) "
                              "CROSS JOIN LATERAL json_populate_record(NULL::%s, pgrst_e.j) AS pgrst_r "
                              "ORDER BY pgrst_e.n", table->quoted);
    }

  if (is_put)
    req->prefer.resolution = RESOLUTION_MERGE;
  if (req->prefer.resolution != RESOLUTION_NONE)
    {
      g_autoptr(GPtrArray) target = g_ptr_array_new_with_free_func (g_free);

      if (on_conflict != NULL)
        {
          g_autoptr(GPtrArray) items = split_top_level (on_conflict);

          for (guint i = 0; i < items->len; i++)
            g_ptr_array_add (target, g_strdup (g_strstrip ((char *) g_ptr_array_index (items, i))));
        }
      else
        for (guint i = 0; i < table->columns->len; i++)
          {
            Column *column = g_ptr_array_index (table->columns, i);

            if (column->primary_key)
              g_ptr_array_add (target, g_strdup (column->name));
          }
      if (target->len == 0)
        {
          fs_rest_error (req->ex, 400, "PGRST100",
                         "\"failed to parse on_conflict\"",
                         "The table has no primary key; name the conflict columns with on_conflict",
                         NULL);
          return;
        }

      g_string_append (mutation, " ON CONFLICT (");
      for (guint i = 0; i < target->len; i++)
        {
          if (i > 0)
            g_string_append (mutation, ", ");
          append_ident (&b, mutation, g_ptr_array_index (target, i));
        }
      g_string_append (mutation, ")");
      if (req->prefer.resolution == RESOLUTION_IGNORE || columns->len == 0)
        g_string_append (mutation, " DO NOTHING");
      else
        {
          g_string_append (mutation, " DO UPDATE SET ");
          for (guint i = 0; i < columns->len; i++)
            {
              if (i > 0)
                g_string_append (mutation, ", ");
              append_ident (&b, mutation, g_ptr_array_index (columns, i));
              g_string_append (mutation, " = EXCLUDED.");
              append_ident (&b, mutation, g_ptr_array_index (columns, i));
            }
        }
    }

  if (req->prefer.return_kind != RETURN_MINIMAL)
    {
      if (!finish_returning_sql (req, &b, table, mutation, sql))
        return;
    }
  else if (req->prefer.resolution == RESOLUTION_MERGE)
    /* Whether anything was inserted decides 201 or 200; xmax tells. */
    g_string_append_printf (sql,
      "WITH pgrst_mut AS (%s RETURNING (pgrst_t.xmax = 0) AS pgrst_inserted) "
      "SELECT pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE pgrst_inserted) FROM pgrst_mut",
      mutation->str);
  else
    g_string_append (sql, mutation->str);

  result = run_transaction (req, conn, FALSE, sql->str, params);
  if (result == NULL)
    return;

  if (req->prefer.resolution == RESOLUTION_MERGE && PQresultStatus (result) == PGRES_TUPLES_OK &&
      g_ascii_strtoll (PQgetvalue (result, 0, 1), NULL, 10) == 0)
    status = 200;
  /* PUT answers like PATCH, whether it inserted or replaced. */
  if (is_put)
    reply_mutation (req, result, 200, 204, name);
  else
    reply_mutation (req, result, status, status, name);
}

static void
handle_update_or_delete (Request    *req,
                         PGconn     *conn,
                         const char *name,
                         gboolean    is_delete)
{
  g_autoptr(Table) table = lookup_table (req, conn, name);
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  Builder b = { conn, params };
  g_autoptr(GString) mutation = g_string_new (NULL);
  g_autoptr(GString) where = g_string_new (NULL);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(PGresult) result = NULL;
  g_autofree char *body_param = NULL;

  if (table == NULL)
    return;

  if (is_delete)
    g_string_append_printf (mutation, "DELETE FROM %s AS pgrst_t", table->quoted);
  else
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *text = fs_exchange_dup_body (req->ex);
      g_autoptr(GList) members = NULL;
      JsonNode *root;

      if (!g_utf8_validate (text, -1, NULL) ||
          !json_parser_load_from_data (parser, text, -1, NULL) ||
          (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          fs_rest_error (req->ex, 400, "PGRST102", "Empty or invalid json", NULL, NULL);
          return;
        }
      members = json_object_get_members (json_node_get_object (root));
      if (members == NULL)
        {
          /* Nothing to change: PostgREST answers without touching a row. */
          add_content_range (req, 0, 0, -1);
          fs_exchange_reply (req->ex, req->prefer.return_kind == RETURN_REPRESENTATION ? 200 : 204,
                             req->prefer.return_kind == RETURN_REPRESENTATION
                               ? "application/json; charset=utf-8" : NULL,
                             req->prefer.return_kind == RETURN_REPRESENTATION ? g_strdup ("[]") : NULL);
          return;
        }
      g_string_append_printf (mutation, "UPDATE %s AS pgrst_t SET ", table->quoted);
      g_ptr_array_add (params, g_strdup (text));
      body_param = g_strdup_printf ("$%u", params->len);
      for (GList *l = members; l != NULL; l = l->next)
        {
          if (table_find_column (table, l->data) == NULL)
            {
              reply_unknown_column (req, l->data, name);
              return;
            }
          if (l != members)
            g_string_append (mutation, ", ");
          append_ident (&b, mutation, l->data);
          g_string_append_printf (mutation, " = (json_populate_record(NULL::%s, %s::json)).",
                                  table->quoted, body_param);
          append_ident (&b, mutation, l->data);
        }
    }

  if (!build_where (req, &b, where, NULL))
    return;
  g_string_append (mutation, where->str);

  if (req->prefer.return_kind != RETURN_MINIMAL)
    {
      if (!finish_returning_sql (req, &b, table, mutation, sql))
        return;
    }
  else
    g_string_append (sql, mutation->str);

  result = run_transaction (req, conn, FALSE, sql->str, params);
  if (result == NULL)
    return;
  reply_mutation (req, result, 200, 204, name);
}

static Function *
function_from_row (PGresult *result,
                   int       row)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  Function *function = g_new0 (Function, 1);
  JsonArray *arguments;
  guint n_defaults = (guint) atoi (PQgetvalue (result, row, 1));
  char volatility = PQgetvalue (result, row, 3)[0];
  const char *typtype = PQgetvalue (result, row, 4);

  function->arguments = g_ptr_array_new_with_free_func (argument_free);
  function->returns_set = g_str_equal (PQgetvalue (result, row, 2), "t");
  function->composite = g_str_equal (typtype, "c") || g_str_equal (PQgetvalue (result, row, 6), "t");
  function->is_void = g_str_equal (PQgetvalue (result, row, 5), "t");
  function->read_only = volatility == 's' || volatility == 'i';

  if (json_parser_load_from_data (parser, PQgetvalue (result, row, 0), -1, NULL))
    {
      arguments = json_node_get_array (json_parser_get_root (parser));
      for (guint i = 0; i < json_array_get_length (arguments); i++)
        {
          JsonArray *pair = json_array_get_array_element (arguments, i);
          Argument *argument = g_new0 (Argument, 1);

          argument->name = g_strdup (json_array_get_string_element (pair, 0));
          argument->type = g_strdup (json_array_get_string_element (pair, 1));
          g_ptr_array_add (function->arguments, argument);
        }
    }
  function->n_required = function->arguments->len > n_defaults
                         ? function->arguments->len - n_defaults : 0;
  return function;
}

/* The overloads of public.@name, from the cache or the catalog. */
static GPtrArray *
lookup_functions (Request    *req,
                  PGconn     *conn,
                  const char *name)
{
  FsSchemaCache *cache = req->ex->schema_cache;
  g_autoptr(GPtrArray) functions = NULL;
  g_autoptr(PGresult) found = NULL;

  functions = cache_get (cache, cache->functions, name, (GBoxedCopyFunc) g_ptr_array_ref);
  if (functions != NULL)
    return g_steal_pointer (&functions);

  found = catalog_query (conn,
    "SELECT coalesce((SELECT json_agg(json_build_array(coalesce(a.name, ''), "
    "                   pg_catalog.format_type(a.typ, NULL)) ORDER BY a.ord) "
    "        FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]), "
    "                    coalesce(p.proargmodes, array_fill('i'::\"char\", "
    "                             ARRAY[cardinality(p.proargtypes::oid[])])), "
    "                    coalesce(p.proargnames, array_fill(NULL::text, "
    "                             ARRAY[cardinality(coalesce(p.proallargtypes, p.proargtypes::oid[]))]))) "
    "             WITH ORDINALITY AS a(typ, mode, name, ord) "
    "        WHERE a.mode IN ('i', 'b', 'v')), '[]')::text, "
    "       p.pronargdefaults, p.proretset, p.provolatile, rt.typtype, "
    "       p.prorettype = 'pg_catalog.void'::pg_catalog.regtype, "
    "       p.prorettype = 'pg_catalog.record'::pg_catalog.regtype "
    "FROM pg_catalog.pg_proc p "
    "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
    "JOIN pg_catalog.pg_type rt ON rt.oid = p.prorettype "
    "WHERE n.nspname = $1 AND p.proname = $2", name);
  if (!fs_db_ok (found))
    {
      reply_pg_error (req, found);
      return NULL;
    }
  functions = g_ptr_array_new_with_free_func (function_free);
  for (int row = 0; row < PQntuples (found); row++)
    g_ptr_array_add (functions, function_from_row (found, row));
  if (functions->len > 0)
    cache_put (cache, cache->functions, name, functions, (GBoxedCopyFunc) g_ptr_array_ref);
  return g_steal_pointer (&functions);

}

/* PostgREST picks the overload whose argument names cover the keys sent
 * and whose required arguments were all sent. */
static gboolean
function_matches (Function   *function,
                  GHashTable *keys)
{
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < function->arguments->len; i++)
    {
      Argument *argument = g_ptr_array_index (function->arguments, i);

      if (*argument->name == '\0')
        return FALSE;
      if (i < function->n_required && !g_hash_table_contains (keys, argument->name))
        return FALSE;
    }
  g_hash_table_iter_init (&iter, keys);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      gboolean found = FALSE;

      for (guint i = 0; i < function->arguments->len && !found; i++)
        found = g_str_equal (((Argument *) g_ptr_array_index (function->arguments, i))->name, key);
      if (!found)
        return FALSE;
    }
  return TRUE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
reply_no_function (Request    *req,
                   const char *name,
                   GHashTable *keys)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  g_autofree char *list = NULL;
  g_autofree char *message = NULL;
  g_autofree char *details = NULL;
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, keys);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (sorted, key);
  g_ptr_array_sort (sorted, compare_strings);
  g_ptr_array_add (sorted, NULL);
  list = g_strjoinv (", ", (char **) sorted->pdata);

  message = g_strdup_printf ("Could not find the function %s.%s(%s) in the schema cache",
                             EXPOSED_SCHEMA, name, list);
  details = g_strdup_printf ("Searched for the function %s.%s with parameter%s%s or with a single "
                             "unnamed json/jsonb parameter, but no matches were found in the "
                             "schema cache.", EXPOSED_SCHEMA, name,
                             *list != '\0' ? "s " : "s", list);
  fs_rest_error (req->ex, 404, "PGRST202", message, details, NULL);
}

static void
handle_rpc (Request    *req,
            PGconn     *conn,
            const char *name)
{
  gboolean is_get = g_str_equal (req->ex->method, "GET") || g_str_equal (req->ex->method, "HEAD");
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) functions = NULL;
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GString) call = g_string_new (NULL);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GString) where = g_string_new (NULL);
  g_autofree char *args_json = NULL;
  g_autofree char *quoted_name = NULL;
  Builder b = { conn, params };
  Function *function = NULL;
  gboolean whole_body = FALSE;

  functions = lookup_functions (req, conn, name);
  if (functions == NULL)
    return;

  /* The arguments: the body's keys, or for GET the query parameters
   * that are not PostgREST's own. */
  if (is_get)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      GHashTable *names = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint f = 0; f < functions->len; f++)
        {
          Function *candidate = g_ptr_array_index (functions, f);

          for (guint i = 0; i < candidate->arguments->len; i++)
            g_hash_table_add (names, ((Argument *) g_ptr_array_index (candidate->arguments, i))->name);
        }
      json_builder_begin_object (builder);
      for (guint i = 0; i < req->ex->query->len; i++)
        {
          FsParam *param = g_ptr_array_index (req->ex->query, i);

          if (is_reserved_key (param->key) || !g_hash_table_contains (names, param->key))
            continue;
          g_hash_table_add (keys, g_strdup (param->key));
          json_builder_set_member_name (builder, param->key);
          json_builder_add_string_value (builder, param->value);
        }
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      args_json = json_to_string (root, FALSE);
      g_hash_table_unref (names);
    }
  else
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;

      args_json = fs_exchange_dup_body (req->ex);
      if (*g_strstrip (args_json) == '\0')
        {
          g_free (args_json);
          args_json = g_strdup ("{}");
        }
      if (!g_utf8_validate (args_json, -1, NULL) ||
          !json_parser_load_from_data (parser, args_json, -1, NULL) ||
          (root = json_parser_get_root (parser)) == NULL)
        {
          fs_rest_error (req->ex, 400, "PGRST102", "Empty or invalid json", NULL, NULL);
          return;
        }
      if (JSON_NODE_HOLDS_OBJECT (root))
        {
          g_autoptr(GList) members = json_object_get_members (json_node_get_object (root));

          for (GList *l = members; l != NULL; l = l->next)
            g_hash_table_add (keys, g_strdup (l->data));
        }
    }

  for (guint f = 0; f < functions->len && function == NULL; f++)
    if (function_matches (g_ptr_array_index (functions, f), keys))
      function = g_ptr_array_index (functions, f);
  /* A function of one unnamed json or jsonb argument takes the body whole. */
  for (guint f = 0; f < functions->len && function == NULL && !is_get; f++)
    {
      Function *candidate = g_ptr_array_index (functions, f);
      Argument *only = candidate->arguments->len == 1 ? g_ptr_array_index (candidate->arguments, 0) : NULL;

      if (only != NULL && *only->name == '\0' &&
          (g_str_equal (only->type, "json") || g_str_equal (only->type, "jsonb")))
        {
          function = candidate;
          whole_body = TRUE;
        }
    }
  if (function == NULL)
    {
      reply_no_function (req, name, keys);
      return;
    }

  {
    g_autofree char *schema = fs_db_quote_ident (conn, EXPOSED_SCHEMA);
    g_autofree char *relation = fs_db_quote_ident (conn, name);

    quoted_name = g_strconcat (schema, ".", relation, NULL);
  }

  /* json_to_record turns JSON into the arguments' own types (arrays
   * included) the way PostgREST's generated query does. */
  g_string_append_printf (call, "%s(", quoted_name);
  if (whole_body)
    {
      Argument *only = g_ptr_array_index (function->arguments, 0);

      append_param (&b, call, args_json);
      g_string_append_printf (call, "::%s", only->type);
    }
  else
    {
      gboolean first = TRUE;

      for (guint i = 0; i < function->arguments->len; i++)
        {
          Argument *argument = g_ptr_array_index (function->arguments, i);

          if (!g_hash_table_contains (keys, argument->name))
            continue;
          if (!first)
            g_string_append (call, ", ");
          append_ident (&b, call, argument->name);
          g_string_append (call, " => pgrst_args.");
          append_ident (&b, call, argument->name);
          first = FALSE;
        }
    }
  g_string_append_c (call, ')');

  {
    g_autoptr(GString) from = g_string_new (" FROM ");

    if (!whole_body && g_hash_table_size (keys) > 0)
      {
        gboolean first = TRUE;

        g_string_append (from, "json_to_record(");
        append_param (&b, from, args_json);
        g_string_append (from, "::json) AS pgrst_args(");
        for (guint i = 0; i < function->arguments->len; i++)
          {
            Argument *argument = g_ptr_array_index (function->arguments, i);

            if (!g_hash_table_contains (keys, argument->name))
              continue;
            if (!first)
              g_string_append (from, ", ");
            append_ident (&b, from, argument->name);
            g_string_append_printf (from, " %s", argument->type);
            first = FALSE;
          }
        g_string_append (from, ")");
      }
    else
      g_string_append (from, "(SELECT) AS pgrst_args");

    if (function->returns_set)
      {
        g_autoptr(GString) inner = g_string_new ("SELECT ");
        gint64 range_from, range_to;

        if (!build_select (req, &b, inner) || !build_where (req, &b, where, keys))
          return;
        g_string_append_printf (inner, "%s, LATERAL %s AS pgrst_t%s%s", from->str, call->str,
                                function->composite ? "" : "(pgrst_v)", where->str);
        if (!build_order (req, &b, inner) || !compute_range (req, &range_from, &range_to))
          return;
        if (range_to >= 0)
          g_string_append_printf (inner, " LIMIT %" G_GINT64_FORMAT,
                                  range_to >= range_from ? range_to - range_from + 1 : 0);
        if (range_from > 0)
          g_string_append_printf (inner, " OFFSET %" G_GINT64_FORMAT, range_from);
        g_string_append_printf (sql, "SELECT pg_catalog.count(_pgrst_t), coalesce(json_agg(%s), '[]')::text "
                                "FROM (%s) _pgrst_t",
                                function->composite ? "_pgrst_t" : "_pgrst_t.pgrst_v", inner->str);
      }
    else if (function->composite)
      g_string_append_printf (sql, "SELECT 1, to_json(pgrst_t)::text%s, LATERAL %s AS pgrst_t",
                              from->str, call->str);
    else
      g_string_append_printf (sql, "SELECT 1, to_json(%s)::text%s", call->str, from->str);
  }

  result = run_transaction (req, conn, is_get || function->read_only, sql->str, params);
  if (result == NULL)
    return;

  add_preference_applied (req);
  if (function->is_void)
    {
      fs_exchange_reply (req->ex, 204, NULL, NULL);
      return;
    }
  if (function->returns_set)
    {
      reply_rows (req, 200, g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10),
                  PQgetvalue (result, 0, 1));
      return;
    }
  fs_exchange_reply (req->ex, 200, "application/json; charset=utf-8",
                     PQntuples (result) == 0 || PQgetisnull (result, 0, 1)
                       ? g_strdup ("null") : g_strdup (PQgetvalue (result, 0, 1)));
}

static gboolean
check_profile (Request *req)
{
  const char *names[] = { "accept-profile", "content-profile" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *profile = fs_exchange_get_header (req->ex, names[i]);

      if (profile != NULL && !g_str_equal (profile, EXPOSED_SCHEMA))
        {
          g_autofree char *message = g_strdup_printf ("Invalid schema: %s", profile);

          fs_rest_error (req->ex, 406, "PGRST106", message,
                         NULL, "Only the following schemas are exposed: " EXPOSED_SCHEMA);
          return FALSE;
        }
    }
  return TRUE;
}

/* Public API */

/**
 * fs_schema_cache_new:
 *
 * Returns: (transfer full): an empty schema cache
 */
FsSchemaCache *
fs_schema_cache_new (void)
{
  FsSchemaCache *self = g_new0 (FsSchemaCache, 1);

  g_mutex_init (&self->mutex);
  self->tables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) table_unref);
  self->functions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_ptr_array_unref);
  return self;
}

/**
 * fs_schema_cache_clear:
 * @self: a schema cache
 *
 * Forgets every table and function; requests under way keep theirs.
 */
void
fs_schema_cache_clear (FsSchemaCache *self)
{
  g_mutex_lock (&self->mutex);
  g_hash_table_remove_all (self->tables);
  g_hash_table_remove_all (self->functions);
  g_mutex_unlock (&self->mutex);
}

/**
 * fs_schema_cache_free:
 * @self: (transfer full): a schema cache no worker uses any more
 */
void
fs_schema_cache_free (FsSchemaCache *self)
{
  g_hash_table_unref (self->tables);
  g_hash_table_unref (self->functions);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

/**
 * fs_rest_error:
 * @ex: an exchange
 * @status: the HTTP status
 * @code: a SQLSTATE or PGRST code
 * @message: what went wrong
 * @details: (nullable): more about it
 * @hint: (nullable): what to do
 *
 * Answers with PostgREST's error body.
 */
void
fs_rest_error (FsExchange *ex,
               guint       status,
               const char *code,
               const char *message,
               const char *details,
               const char *hint)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  builder_add_nullable (builder, "details", details);
  builder_add_nullable (builder, "hint", hint);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  fs_exchange_reply_json (ex, status, builder);
}

/**
 * fs_rest_handle:
 * @ex: an exchange on its worker thread
 * @resource: the path after /rest/v1/
 *
 * Answers one PostgREST request.
 */
void
fs_rest_handle (FsExchange *ex,
                const char *resource)
{
  Request req = { ex, };
  const char *accept = fs_exchange_get_header (ex, "accept");
  g_autofree char *connect_error = NULL;
  PGconn *conn;

  parse_preferences (ex, &req.prefer);
  req.single_object = accept != NULL && strstr (accept, "application/vnd.pgrst.object+json") != NULL;

  if (!authenticate (&req) || !check_profile (&req))
    goto out;

  if (*resource == '\0' || g_str_equal (resource, "rpc/") || strchr (g_str_has_prefix (resource, "rpc/")
                                                                      ? resource + 4 : resource, '/') != NULL)
    {
      fs_rest_error (ex, 404, "PGRST125", "Invalid path specified in request URL", NULL, NULL);
      goto out;
    }

  conn = fs_pool_acquire (ex->rest_pool, &connect_error);
  if (conn == NULL)
    {
      fs_rest_error (ex, 503, "PGRST000",
                     "Database client error. Retrying the connection.", connect_error, NULL);
      goto out;
    }

  if (g_str_has_prefix (resource, "rpc/"))
    {
      if (g_str_equal (ex->method, "GET") || g_str_equal (ex->method, "HEAD") ||
          g_str_equal (ex->method, "POST"))
        handle_rpc (&req, conn, resource + 4);
      else
        fs_rest_error (ex, 405, "PGRST117", "Unsupported HTTP method", NULL, NULL);
    }
  else if (g_str_equal (ex->method, "GET") || g_str_equal (ex->method, "HEAD"))
    handle_read (&req, conn, resource);
  else if (g_str_equal (ex->method, "POST"))
    handle_insert (&req, conn, resource, FALSE);
  else if (g_str_equal (ex->method, "PUT"))
    handle_insert (&req, conn, resource, TRUE);
  else if (g_str_equal (ex->method, "PATCH"))
    handle_update_or_delete (&req, conn, resource, FALSE);
  else if (g_str_equal (ex->method, "DELETE"))
    handle_update_or_delete (&req, conn, resource, TRUE);
  else
    fs_rest_error (ex, 405, "PGRST117", "Unsupported HTTP method", NULL, NULL);

  fs_pool_release (ex->rest_pool, conn);
  /* HEAD answers with GET's headers and no body, errors included. */
  if (g_str_equal (ex->method, "HEAD"))
    g_clear_pointer (&ex->response_body, g_free);

out:
  request_clear (&req);
}
