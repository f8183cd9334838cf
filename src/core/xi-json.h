/* xi-json.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Deeper than any answer WhatsApp or the sync server sends, and far
 * below what overflows a thread's stack. */
#define XI_JSON_MAX_DEPTH 64

JsonNode   *xi_json_parse       (const char *data,
                                 gssize      size,
                                 GError    **error);
JsonNode   *xi_json_parse_bounded (const char *data,
                                   gssize      size,
                                   gsize       max_values,
                                   GError    **error);
JsonNode   *xi_json_parse_bytes (GBytes     *bytes,
                                 GError    **error);

const char *xi_json_get_string  (JsonObject *object,
                                 const char *member,
                                 const char *default_value);
gint64      xi_json_get_int     (JsonObject *object,
                                 const char *member,
                                 gint64      default_value);
gboolean    xi_json_get_bool    (JsonObject *object,
                                 const char *member,
                                 gboolean    default_value);
JsonObject *xi_json_get_object  (JsonObject *object,
                                 const char *member);

G_END_DECLS
