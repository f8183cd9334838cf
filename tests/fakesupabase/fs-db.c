/* fs-db.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fs-db.h"

/*
 * A pool of libpq connections shared by the worker threads. A connection
 * is handed to one worker at a time; one that comes back broken or still
 * inside a transaction is closed rather than reused, so a request can
 * never inherit another's role or settings.
 */

/* Shared by every worker thread: the strings never change after
 * fs_pool_new(), and the queue is the only thing they touch. */
struct _FsPool
{
  char        *conninfo;
  char        *user;
  GAsyncQueue *idle;
};

/* Auxiliary methods */

static PGconn *
pool_connect (FsPool  *self,
              char   **error_message)
{
  const char *keys[] = { "dbname", "user", "application_name", NULL };
  const char *values[] = { self->conninfo, self->user, "fakesupabase", NULL };
  PGconn *conn;

  /* With expand_dbname the conninfo string is read as a whole; the user
   * given here replaces the one it names. */
  if (self->user == NULL)
    {
      keys[1] = "application_name";
      values[1] = "fakesupabase";
      keys[2] = NULL;
      values[2] = NULL;
    }
  conn = PQconnectdbParams (keys, values, 1);
  if (PQstatus (conn) != CONNECTION_OK)
    {
      *error_message = g_strdup (PQerrorMessage (conn));
      g_strchomp (*error_message);
      PQfinish (conn);
      return NULL;
    }
  return conn;
}

/* Public API */

/**
 * fs_pool_new:
 * @conninfo: a libpq connection string
 * @user: (nullable): the role to log in as instead of the one @conninfo names
 * @error: where a failed first connection is reported
 *
 * Opens one connection right away so that a wrong connection string is
 * reported at start-up, not on the first request.
 *
 * Returns: (transfer full) (nullable): the pool
 */
FsPool *
fs_pool_new (const char  *conninfo,
             const char  *user,
             GError     **error)
{
  FsPool *self = g_new0 (FsPool, 1);
  g_autofree char *message = NULL;
  PGconn *conn;

  self->conninfo = g_strdup (conninfo);
  self->user = g_strdup (user);
  self->idle = g_async_queue_new ();

  conn = pool_connect (self, &message);
  if (conn == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                   "Cannot connect to PostgreSQL%s%s: %s",
                   user != NULL ? " as " : "", user != NULL ? user : "", message);
      fs_pool_free (self);
      return NULL;
    }
  g_async_queue_push (self->idle, conn);

  return self;
}

/**
 * fs_pool_free:
 * @self: (transfer full): a pool no worker uses any more
 */
void
fs_pool_free (FsPool *self)
{
  PGconn *conn;

  while ((conn = g_async_queue_try_pop (self->idle)) != NULL)
    PQfinish (conn);
  g_async_queue_unref (self->idle);
  g_free (self->conninfo);
  g_free (self->user);
  g_free (self);
}

/**
 * fs_pool_acquire:
 * @self: a pool
 * @error_message: (out): why no connection could be made
 *
 * Returns: (nullable): an idle connection, or a new one
 */
PGconn *
fs_pool_acquire (FsPool  *self,
                 char   **error_message)
{
  PGconn *conn = g_async_queue_try_pop (self->idle);

  if (conn != NULL && PQstatus (conn) == CONNECTION_OK)
    return conn;
  if (conn != NULL)
    PQfinish (conn);
  return pool_connect (self, error_message);
}

/**
 * fs_pool_release:
 * @self: a pool
 * @conn: (transfer full): a connection taken from @self
 */
void
fs_pool_release (FsPool *self,
                 PGconn *conn)
{
  if (PQstatus (conn) != CONNECTION_OK ||
      PQtransactionStatus (conn) != PQTRANS_IDLE ||
      PQpipelineStatus (conn) != PQ_PIPELINE_OFF)
    {
      PQfinish (conn);
      return;
    }
  g_async_queue_push (self->idle, conn);
}

/**
 * fs_db_exec:
 * @conn: a connection
 * @sql: one statement
 * @params: (nullable) (element-type utf8): values for $1, $2, …; a %NULL
 *   element is SQL NULL
 *
 * Parameters are sent untyped, so PostgreSQL gives each the type its
 * place in the statement asks for, as it does for PostgREST's filters.
 *
 * Returns: (transfer full): the result, also when it is an error
 */
PGresult *
fs_db_exec (PGconn     *conn,
            const char *sql,
            GPtrArray  *params)
{
  return PQexecParams (conn, sql,
                       params != NULL ? (int) params->len : 0, NULL,
                       params != NULL ? (const char * const *) params->pdata : NULL,
                       NULL, NULL, 0);
}

/**
 * fs_db_ok:
 * @result: (nullable): a result
 *
 * Returns: whether the statement succeeded
 */
gboolean
fs_db_ok (PGresult *result)
{
  ExecStatusType status = result != NULL ? PQresultStatus (result) : PGRES_FATAL_ERROR;

  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

/**
 * fs_db_sqlstate:
 * @result: a failed result
 *
 * Returns: its SQLSTATE, "08006" when the server sent none (a lost connection)
 */
const char *
fs_db_sqlstate (PGresult *result)
{
  const char *state = result != NULL ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;

  return state != NULL ? state : "08006";
}

static char *
copy_escaped (char *escaped)
{
  char *copy;

  /* libpq fails only on invalid encoding (the server refuses what is not
   * UTF-8 before it gets here) or out of memory; neither may turn into
   * text spliced unquoted into SQL. */
  g_assert (escaped != NULL);
  copy = g_strdup (escaped);
  PQfreemem (escaped);
  return copy;
}

/**
 * fs_db_quote_ident:
 * @conn: a connection
 * @name: any UTF-8 text
 *
 * Returns: (transfer full): @name as a double-quoted identifier
 */
char *
fs_db_quote_ident (PGconn     *conn,
                   const char *name)
{
  return copy_escaped (PQescapeIdentifier (conn, name, strlen (name)));
}

/**
 * fs_db_quote_literal:
 * @conn: a connection
 * @value: any UTF-8 text
 *
 * Returns: (transfer full): @value as a string literal
 */
char *
fs_db_quote_literal (PGconn     *conn,
                     const char *value)
{
  return copy_escaped (PQescapeLiteral (conn, value, strlen (value)));
}
