/* xi-json.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "xi-json.h"

/*
 * JSON that arrives from outside (the sync server, WhatsApp's media hosts
 * and MEX answers, app state from the phone, rows sync applied) is read
 * through xi_json_parse (): json-glib parses arrays and objects by
 * recursion, so brackets nested a hundred thousand deep in a few hundred
 * kilobytes would overflow the stack of whichever thread reads them.
 *
 * Members of JSON the server sent. json-glib's own getters warn (a
 * critical) when a member holds an object or an array where they expect
 * a value: a broken or hostile server must not be able to do that, so
 * these take whatever is there and give the default for anything that is
 * not of the type asked for.
 */

static JsonNode *
get_value (JsonObject *object,
           const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  return node;
}

/**
 * xi_json_get_string:
 * @object: (nullable): a JSON object
 * @member: a member name
 * @default_value: (nullable): what to return when it is not a string
 *
 * Returns: (transfer none) (nullable): the string @member holds, or
 *   @default_value
 */
const char *
xi_json_get_string (JsonObject *object,
                    const char *member,
                    const char *default_value)
{
  JsonNode *node = get_value (object, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return default_value;
  return json_node_get_string (node);
}

/**
 * xi_json_get_int:
 * @object: (nullable): a JSON object
 * @member: a member name
 * @default_value: what to return when it is not a whole number
 *
 * PostgREST may send a bigint as a string: one that is a whole number in
 * decimal counts too.
 *
 * Returns: the integer @member holds, or @default_value
 */
gint64
xi_json_get_int (JsonObject *object,
                 const char *member,
                 gint64      default_value)
{
  JsonNode *node = get_value (object, member);
  gint64 number;

  if (node == NULL)
    return default_value;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_STRING &&
      g_ascii_string_to_signed (json_node_get_string (node), 10, G_MININT64, G_MAXINT64, &number, NULL))
    return number;
  return default_value;
}

/**
 * xi_json_get_bool:
 * @object: (nullable): a JSON object
 * @member: a member name
 * @default_value: what to return when it is neither a boolean nor a number
 *
 * Returns: the truth @member holds (a number: whether it is not 0), or
 *   @default_value
 */
gboolean
xi_json_get_bool (JsonObject *object,
                  const char *member,
                  gboolean    default_value)
{
  JsonNode *node = get_value (object, member);

  if (node == NULL)
    return default_value;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node) != 0;
  return default_value;
}

/**
 * xi_json_get_object:
 * @object: (nullable): a JSON object
 * @member: a member name
 *
 * Returns: (transfer none) (nullable): the object @member holds, or %NULL
 */
JsonObject *
xi_json_get_object (JsonObject *object,
                    const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

/* Refuses @data when an array or object in it lies deeper than
 * XI_JSON_MAX_DEPTH, or when it holds more than @max_values values,
 * counted as its arrays and objects and the commas between their items:
 * json-glib's tree of a value weighs a few hundred bytes, whatever the
 * few bytes of its text. Brackets and commas inside strings do not
 * count. JSON has no comments, but json-glib reads them: a '"' inside
 * one would make this count think it is in a string while json-glib
 * parses what follows, so any '/' outside a string is refused. */
static gboolean
check_shape (const char  *data,
             gsize        size,
             gsize        max_values,
             GError     **error)
{
  gboolean in_string = FALSE;
  guint depth = 0;
  gsize values = 0;

  for (gsize i = 0; i < size; i++)
    {
      if (in_string)
        {
          if (data[i] == '\\')
            i++;
          else if (data[i] == '"')
            in_string = FALSE;
          continue;
        }
      if (data[i] == '"')
        in_string = TRUE;
      else if (data[i] == '/')
        {
          g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                               _("JSON with a comment"));
          return FALSE;
        }
      else if (data[i] == '[' || data[i] == '{')
        {
          if (++depth > XI_JSON_MAX_DEPTH)
            {
              g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           _("JSON nested deeper than %u levels"), XI_JSON_MAX_DEPTH);
              return FALSE;
            }
          values++;
        }
      else if ((data[i] == ']' || data[i] == '}') && depth > 0)
        depth--;
      else if (data[i] == ',')
        values++;
      else
        continue;
      if (values > max_values)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                               _("JSON of too many values"));
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * xi_json_parse_bounded:
 * @data: (array length=size) (nullable): JSON text, not necessarily
 *   nul-terminated
 * @size: its length in bytes, or -1 when @data is nul-terminated
 * @max_values: the most values (arrays, objects and the items in them)
 *   the text may hold
 * @error: return location for a #GError
 *
 * Parses JSON that came from outside. Text nested deeper than
 * %XI_JSON_MAX_DEPTH levels is refused with
 * %JSON_PARSER_ERROR_INVALID_DATA, and text of more than @max_values
 * values with %G_IO_ERROR_MESSAGE_TOO_LARGE, before json-glib sees it;
 * empty text is refused with %JSON_PARSER_ERROR_PARSE.
 *
 * Returns: (transfer full) (nullable): the root node, or %NULL with @error
 *   set
 */
JsonNode *
xi_json_parse_bounded (const char  *data,
                       gssize       size,
                       gsize        max_values,
                       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (data == NULL)
    data = "";
  if (size < 0)
    size = (gssize) strlen (data);
  if (!check_shape (data, (gsize) size, max_values, error))
    return NULL;
  if (!json_parser_load_from_data (parser, data, size, error))
    return NULL;
  if ((root = json_parser_get_root (parser)) == NULL)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE, _("The JSON text is empty"));
      return NULL;
    }
  return json_node_ref (root);
}

/**
 * xi_json_parse:
 * @data: (array length=size) (nullable): JSON text, not necessarily
 *   nul-terminated
 * @size: its length in bytes, or -1 when @data is nul-terminated
 * @error: return location for a #GError in the %JSON_PARSER_ERROR domain
 *
 * xi_json_parse_bounded () with no bound on the number of values.
 *
 * Returns: (transfer full) (nullable): the root node, or %NULL with @error
 *   set
 */
JsonNode *
xi_json_parse (const char  *data,
               gssize       size,
               GError     **error)
{
  return xi_json_parse_bounded (data, size, G_MAXSIZE, error);
}

/**
 * xi_json_parse_bytes:
 * @bytes: (nullable): JSON text
 * @error: return location for a #GError
 *
 * xi_json_parse () over the contents of @bytes.
 *
 * Returns: (transfer full) (nullable): the root node, or %NULL with @error
 *   set
 */
JsonNode *
xi_json_parse_bytes (GBytes  *bytes,
                     GError **error)
{
  gsize size = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;

  return xi_json_parse (data, data != NULL ? (gssize) size : 0, error);
}
