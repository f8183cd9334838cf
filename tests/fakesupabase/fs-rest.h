/* fs-rest.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fs-exchange.h"

G_BEGIN_DECLS

FsSchemaCache *fs_schema_cache_new   (void);
void           fs_schema_cache_clear (FsSchemaCache *self);
void           fs_schema_cache_free  (FsSchemaCache *self);

void fs_rest_handle (FsExchange *ex,
                     const char *resource);
void fs_rest_error  (FsExchange *ex,
                     guint       status,
                     const char *code,
                     const char *message,
                     const char *details,
                     const char *hint);

G_END_DECLS
