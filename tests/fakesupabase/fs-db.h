/* fs-db.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

typedef struct _FsPool FsPool;

FsPool   *fs_pool_new      (const char   *conninfo,
                            const char   *user,
                            GError      **error);
void      fs_pool_free     (FsPool       *self);
PGconn   *fs_pool_acquire  (FsPool       *self,
                            char        **error_message);
void      fs_pool_release  (FsPool       *self,
                            PGconn       *conn);

PGresult *fs_db_exec       (PGconn       *conn,
                            const char   *sql,
                            GPtrArray    *params);
gboolean  fs_db_ok         (PGresult     *result);
const char *fs_db_sqlstate (PGresult     *result);
char     *fs_db_quote_ident   (PGconn    *conn,
                               const char *name);
char     *fs_db_quote_literal (PGconn    *conn,
                               const char *value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

G_END_DECLS
