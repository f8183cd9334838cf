/* fs-exchange.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "fs-db.h"

G_BEGIN_DECLS

typedef struct _FsSchemaCache FsSchemaCache;

typedef struct
{
  char *key;
  char *value;
} FsParam;

/* Everything a worker thread needs to answer one request: a snapshot of
 * the request and of the gateway's settings taken on the main thread when
 * the request arrived, and the response the worker fills in. From
 * dispatch to completion the exchange belongs to the worker alone. */
typedef struct
{
  /* Shared, immutable configuration */
  const char *jwt_secret;
  const char *base_url;
  FsPool     *rest_pool;
  FsPool     *auth_pool;
  GHashTable *role_settings;   /* role → GPtrArray of "name", "value", … */
  FsSchemaCache *schema_cache; /* thread-safe */

  /* The request */
  char       *method;
  char       *path;
  GPtrArray  *query;           /* FsParam, in the order of the query string */
  GHashTable *headers;         /* lower-case name → value */
  GBytes     *body;

  /* Settings and faults as they were when the request arrived */
  guint       max_rows;        /* 0: no cap */
  guint       hold_ms;
  guint       token_lifetime;
  guint       jwt_skew;
  gboolean    autoconfirm;
  gboolean    drop_after_commit;

  /* The response */
  guint       status;
  GPtrArray  *response_headers; /* name, value, name, value, … */
  char       *content_type;
  char       *response_body;
  gboolean    committed;
} FsExchange;

void        fs_exchange_free       (FsExchange  *self);
const char *fs_exchange_get_header (FsExchange  *self,
                                    const char  *name);
const char *fs_exchange_get_param  (FsExchange  *self,
                                    const char  *key);
void        fs_exchange_add_header (FsExchange  *self,
                                    const char  *name,
                                    const char  *value);
void        fs_exchange_reply      (FsExchange  *self,
                                    guint        status,
                                    const char  *content_type,
                                    char        *body);
void        fs_exchange_reply_json (FsExchange  *self,
                                    guint        status,
                                    JsonBuilder *builder);
char       *fs_exchange_dup_headers_json (FsExchange *self);
char       *fs_exchange_dup_body   (FsExchange  *self);
const char *fs_params_lookup       (GPtrArray   *params,
                                    const char  *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsExchange, fs_exchange_free)

G_END_DECLS
