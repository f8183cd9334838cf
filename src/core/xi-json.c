/* xi-json.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-json.h"

/*
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
