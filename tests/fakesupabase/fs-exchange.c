/* fs-exchange.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fs-exchange.h"

/**
 * fs_exchange_free:
 * @self: (transfer full): an exchange
 */
void
fs_exchange_free (FsExchange *self)
{
  g_free (self->method);
  g_free (self->path);
  g_clear_pointer (&self->query, g_ptr_array_unref);
  g_clear_pointer (&self->headers, g_hash_table_unref);
  g_clear_pointer (&self->body, g_bytes_unref);
  g_clear_pointer (&self->response_headers, g_ptr_array_unref);
  g_free (self->content_type);
  g_free (self->response_body);
  g_free (self);
}

/**
 * fs_exchange_get_header:
 * @self: an exchange
 * @name: a lower-case header name
 *
 * Returns: (nullable): the header's value
 */
const char *
fs_exchange_get_header (FsExchange *self,
                        const char *name)
{
  return g_hash_table_lookup (self->headers, name);
}

/**
 * fs_exchange_get_param:
 * @self: an exchange
 * @key: a query parameter
 *
 * Returns: (nullable): the first value of @key in the query string
 */
const char *
fs_exchange_get_param (FsExchange *self,
                       const char *key)
{
  return fs_params_lookup (self->query, key);
}

/**
 * fs_params_lookup:
 * @params: (element-type FsParam): a parsed query string
 * @key: a parameter
 *
 * Returns: (nullable): the first value of @key
 */
const char *
fs_params_lookup (GPtrArray  *params,
                  const char *key)
{
  for (guint i = 0; i < params->len; i++)
    {
      FsParam *param = g_ptr_array_index (params, i);

      if (g_str_equal (param->key, key))
        return param->value;
    }
  return NULL;
}

/**
 * fs_exchange_dup_body:
 * @self: an exchange
 *
 * Returns: (transfer full): the request body as a string, empty when
 *   there was none; a body with a NUL byte ends there
 */
char *
fs_exchange_dup_body (FsExchange *self)
{
  gsize size = 0;
  const char *data = self->body != NULL ? g_bytes_get_data (self->body, &size) : NULL;

  return g_strndup (data != NULL ? data : "", size);
}

/**
 * fs_exchange_add_header:
 * @self: an exchange
 * @name: a response header
 * @value: its value
 */
void
fs_exchange_add_header (FsExchange *self,
                        const char *name,
                        const char *value)
{
  g_ptr_array_add (self->response_headers, g_strdup (name));
  g_ptr_array_add (self->response_headers, g_strdup (value));
}

/**
 * fs_exchange_reply:
 * @self: an exchange
 * @status: the HTTP status
 * @content_type: (nullable): the body's type
 * @body: (transfer full) (nullable): the body
 */
void
fs_exchange_reply (FsExchange *self,
                   guint       status,
                   const char *content_type,
                   char       *body)
{
  self->status = status;
  g_free (self->content_type);
  self->content_type = g_strdup (content_type);
  g_free (self->response_body);
  self->response_body = body;
}

/**
 * fs_exchange_reply_json:
 * @self: an exchange
 * @status: the HTTP status
 * @builder: a builder holding the body
 */
void
fs_exchange_reply_json (FsExchange  *self,
                        guint        status,
                        JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  fs_exchange_reply (self, status, "application/json; charset=utf-8",
                     json_to_string (root, FALSE));
}

/**
 * fs_exchange_dup_headers_json:
 * @self: an exchange
 *
 * Returns: (transfer full): the request headers as one JSON object, the
 *   form PostgREST gives request.headers
 */
char *
fs_exchange_dup_headers_json (FsExchange *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  GHashTableIter iter;
  gpointer key, value;

  json_builder_begin_object (builder);
  g_hash_table_iter_init (&iter, self->headers);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      json_builder_set_member_name (builder, key);
      json_builder_add_string_value (builder, value);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}
