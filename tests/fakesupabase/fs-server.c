/* fs-server.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "fs-auth.h"
#include "fs-db.h"
#include "fs-exchange.h"
#include "fs-jwt.h"
#include "fs-rest.h"
#include "fs-server.h"

/*
 * The gateway: one SoupServer on 127.0.0.1 in front of PostgreSQL,
 * answering /rest/v1 as PostgREST and /auth/v1 as GoTrue, behind the API
 * key check Supabase's own gateway makes. Requests are answered by worker
 * threads, each with its own database connection, so that a transaction
 * held open (a fault, or a lock wait) never stalls the others; the
 * SoupServer and the fault settings stay on the main thread.
 *
 * /control/… (same port, loopback only, no key) changes settings and
 * injects the faults of ../shared/SYNC.md §4.5; every fault names a path
 * prefix and how many requests it hits.
 */

#define DEFAULT_TOKEN_LIFETIME 3600
#define MAX_WORKERS 32

typedef enum {
  FAULT_FAIL,
  FAULT_DELAY,
  FAULT_DROP_AFTER_COMMIT,
  FAULT_HOLD,
  FAULT_STALL_AFTER_COMMIT,
} FaultKind;

typedef struct
{
  FaultKind kind;
  char     *path;
  char     *method;
  guint     times;
  guint     status;
  guint     retry_after;
  guint     ms;
} Fault;

typedef enum {
  ROUTE_REST,
  ROUTE_AUTH,
  ROUTE_REVOKE,
  ROUTE_CONFIRM,
} Route;

/* A request between the main thread and a worker: created and freed on
 * the main thread; `ex` belongs to the worker between the push to the
 * pool and job_finished_cb(), everything else to the main thread. */
typedef struct
{
  FsServer          *server;
  SoupServerMessage *msg;
  FsExchange        *ex;
  Route              route;
  char              *resource;
  gulong             disconnected_id;
  gboolean           gone;
  guint              stall_ms;    /* committed, then this long before the reply */
} Job;

struct _FsServer
{
  GObject       parent_instance;

  /* Main thread only */
  GMainContext *context;
  SoupServer   *server;
  GThreadPool  *workers;
  GList        *faults;        /* Fault */
  guint         max_rows;
  guint         token_lifetime;
  guint         jwt_skew;
  gboolean      autoconfirm;

  /* Immutable once constructed, read by the workers */
  char         *jwt_secret;
  char         *url;
  char         *anon_key;
  char         *service_key;
  FsPool       *rest_pool;
  FsPool       *auth_pool;
  GHashTable   *role_settings;
  FsSchemaCache *schema_cache;
};

G_DEFINE_FINAL_TYPE (FsServer, fs_server, G_TYPE_OBJECT)

/* Auxiliary methods */

static void
fault_free (gpointer data)
{
  Fault *fault = data;

  g_free (fault->path);
  g_free (fault->method);
  g_free (fault);
}

static void
job_free (Job *job)
{
  if (job->disconnected_id != 0)
    g_signal_handler_disconnect (job->msg, job->disconnected_id);
  g_object_unref (job->msg);
  g_object_unref (job->server);
  g_clear_pointer (&job->ex, fs_exchange_free);
  g_free (job->resource);
  g_free (job);
}

static char *
make_key (const char *secret,
          const char *role)
{
  g_autoptr(JsonObject) claims = json_object_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  json_object_set_string_member (claims, "iss", "supabase");
  json_object_set_string_member (claims, "ref", "fakesupabase");
  json_object_set_string_member (claims, "role", role);
  json_object_set_int_member (claims, "iat", now);
  json_object_set_int_member (claims, "exp", now + 10 * 365 * 24 * 3600);
  return fs_jwt_sign (secret, claims);
}

/* Counts one hit of the first fault of @kind that matches the request
 * and copies it to @out (without its path and method). */
static gboolean
take_fault (FsServer   *self,
            FaultKind   kind,
            const char *method,
            const char *path,
            Fault      *out)
{
  for (GList *l = self->faults; l != NULL; l = l->next)
    {
      Fault *fault = l->data;

      if (fault->kind != kind || !g_str_has_prefix (path, fault->path) ||
          (fault->method != NULL && g_ascii_strcasecmp (fault->method, method) != 0))
        continue;
      *out = *fault;
      out->path = NULL;
      out->method = NULL;
      fault->times--;
      if (fault->times == 0)
        {
          fault_free (fault);
          self->faults = g_list_delete_link (self->faults, l);
        }
      return TRUE;
    }
  return FALSE;
}

static void
reply_text (SoupServerMessage *msg,
            guint              status,
            const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    body, strlen (body));
}

/* The answers of Supabase's API gateway, which checks the key before
 * PostgREST or GoTrue see the request. */
static gboolean
check_api_key (FsServer          *self,
               SoupServerMessage *msg,
               GHashTable        *headers,
               GPtrArray         *query)
{
  const char *key = g_hash_table_lookup (headers, "apikey");

  if (key == NULL)
    key = fs_params_lookup (query, "apikey");
  if (key == NULL)
    {
      reply_text (msg, 401, "{\"message\":\"No API key found in request\","
                            "\"hint\":\"No `apikey` request header or url param was found.\"}");
      return FALSE;
    }
  if (!g_str_equal (key, self->anon_key) && !g_str_equal (key, self->service_key))
    {
      reply_text (msg, 401, "{\"message\":\"Invalid API key\","
                            "\"hint\":\"Double check your Supabase `anon` or `service_role` API key.\"}");
      return FALSE;
    }
  return TRUE;
}

/* The query string in order, with repeated keys kept (PostgREST allows
 * two filters on one column); `+` is a space, as in form encoding. */
static GPtrArray *
parse_query (const char *query,
             gboolean   *valid)
{
  GPtrArray *params = g_ptr_array_new_with_free_func (NULL);
  g_auto(GStrv) pairs = NULL;

  *valid = TRUE;
  if (query == NULL || *query == '\0')
    return params;

  pairs = g_strsplit (query, "&", 0);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      char *eq = strchr (pairs[i], '=');
      g_autofree char *raw_key = NULL;
      g_autofree char *raw_value = NULL;
      FsParam *param;

      if (*pairs[i] == '\0')
        continue;
      raw_key = g_strndup (pairs[i], eq != NULL ? (gsize) (eq - pairs[i]) : strlen (pairs[i]));
      raw_value = g_strdup (eq != NULL ? eq + 1 : "");
      g_strdelimit (raw_key, "+", ' ');
      g_strdelimit (raw_value, "+", ' ');

      param = g_new0 (FsParam, 1);
      param->key = g_uri_unescape_string (raw_key, NULL);
      param->value = g_uri_unescape_string (raw_value, NULL);
      if (param->key == NULL || param->value == NULL ||
          !g_utf8_validate (param->key, -1, NULL) || !g_utf8_validate (param->value, -1, NULL))
        *valid = FALSE;
      g_ptr_array_add (params, param);
    }
  return params;
}

static void
param_free (gpointer data)
{
  FsParam *param = data;

  g_free (param->key);
  g_free (param->value);
  g_free (param);
}

static guint
query_uint (GPtrArray  *query,
            const char *key,
            guint       fallback)
{
  const char *value = fs_params_lookup (query, key);
  guint64 number;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &number, NULL))
    return fallback;
  return (guint) number;
}

static void
finish_job (Job *job)
{
  FsExchange *ex = job->ex;

  if (job->gone)
    return;

  if (ex->drop_after_commit)
    {
      /* The work is done and committed; the client never hears of it. */
      g_autoptr(GIOStream) stream = soup_server_message_steal_connection (job->msg);

      if (stream != NULL)
        g_io_stream_close (stream, NULL, NULL);
      return;
    }

  soup_server_message_set_status (job->msg, ex->status != 0 ? ex->status : 500, NULL);
  for (guint i = 0; i + 1 < ex->response_headers->len; i += 2)
    soup_message_headers_append (soup_server_message_get_response_headers (job->msg),
                                 g_ptr_array_index (ex->response_headers, i),
                                 g_ptr_array_index (ex->response_headers, i + 1));
  if (ex->response_body != NULL)
    {
      gsize len = strlen (ex->response_body);

      soup_server_message_set_response (job->msg, ex->content_type, SOUP_MEMORY_TAKE,
                                        g_steal_pointer (&ex->response_body), len);
    }
  if (g_getenv ("FAKESUPABASE_TRACE") != NULL)
    g_printerr ("fakesupabase: %s %s -> %u\n", ex->method, ex->path, ex->status);
  soup_server_message_unpause (job->msg);
}

static gboolean
job_finished_cb (gpointer user_data)
{
  Job *job = user_data;

  /* Time for a test to kill the client between the commit and the reply. */
  if (job->stall_ms > 0 && !job->gone)
    {
      g_autoptr(GSource) stall = g_timeout_source_new (job->stall_ms);

      job->stall_ms = 0;
      g_source_set_callback (stall, job_finished_cb, job, NULL);
      g_source_attach (stall, job->server->context);
      return G_SOURCE_REMOVE;
    }
  finish_job (job);
  job_free (job);
  return G_SOURCE_REMOVE;
}

static void
run_job (gpointer data,
         gpointer user_data)
{
  Job *job = data;

  switch (job->route)
    {
    case ROUTE_REST:
      fs_rest_handle (job->ex, job->resource);
      break;
    case ROUTE_AUTH:
      fs_auth_handle (job->ex, job->resource);
      break;
    case ROUTE_REVOKE:
      fs_auth_end_sessions (job->ex, fs_exchange_get_param (job->ex, "email"),
                            fs_exchange_get_param (job->ex, "session_id"));
      break;
    case ROUTE_CONFIRM:
      fs_auth_confirm (job->ex, fs_exchange_get_param (job->ex, "email"));
      break;
    default:
      g_assert_not_reached ();
    }

  g_main_context_invoke (job->server->context, job_finished_cb, job);
}

static gboolean
delay_elapsed_cb (gpointer user_data)
{
  Job *job = user_data;

  g_thread_pool_push (job->server->workers, job, NULL);
  return G_SOURCE_REMOVE;
}

static void
message_disconnected_cb (SoupServerMessage *msg,
                         Job               *job)
{
  job->gone = TRUE;
}

static void
handle_control (FsServer          *self,
                SoupServerMessage *msg,
                const char        *command,
                GPtrArray         *query,
                Job              **job_out)
{
  static const struct
  {
    const char *name;
    FaultKind   kind;
  } fault_commands[] = {
    { "fail", FAULT_FAIL },
    { "delay", FAULT_DELAY },
    { "drop-after-commit", FAULT_DROP_AFTER_COMMIT },
    { "hold", FAULT_HOLD },
    { "stall-after-commit", FAULT_STALL_AFTER_COMMIT },
  };

  *job_out = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (fault_commands); i++)
    {
      Fault *fault;

      if (!g_str_equal (command, fault_commands[i].name))
        continue;
      fault = g_new0 (Fault, 1);
      fault->kind = fault_commands[i].kind;
      fault->path = g_strdup (fs_params_lookup (query, "path"));
      if (fault->path == NULL)
        fault->path = g_strdup ("/");
      fault->method = g_strdup (fs_params_lookup (query, "method"));
      fault->times = query_uint (query, "times", 1);
      fault->status = query_uint (query, "status", 503);
      fault->retry_after = query_uint (query, "retry_after", 0);
      fault->ms = query_uint (query, "ms", 1000);
      if (fault->times == 0 || fault->status < 100 || fault->status > 599)
        {
          fault_free (fault);
          reply_text (msg, 400, "{\"error\":\"times must be at least 1 and status an HTTP status\"}");
          return;
        }
      self->faults = g_list_append (self->faults, fault);
      reply_text (msg, 200, "{\"ok\":true}");
      return;
    }

  if (g_str_equal (command, "reset"))
    {
      g_list_free_full (g_steal_pointer (&self->faults), fault_free);
      reply_text (msg, 200, "{\"ok\":true}");
    }
  else if (g_str_equal (command, "reload-schema"))
    {
      fs_schema_cache_clear (self->schema_cache);
      reply_text (msg, 200, "{\"ok\":true}");
    }
  else if (g_str_equal (command, "max-rows"))
    {
      self->max_rows = query_uint (query, "n", 0);
      reply_text (msg, 200, "{\"ok\":true}");
    }
  else if (g_str_equal (command, "token-lifetime"))
    {
      self->token_lifetime = MAX (query_uint (query, "seconds", DEFAULT_TOKEN_LIFETIME), 1);
      reply_text (msg, 200, "{\"ok\":true}");
    }
  else if (g_str_equal (command, "jwt-skew"))
    {
      self->jwt_skew = query_uint (query, "seconds", FS_JWT_SKEW_SECONDS);
      reply_text (msg, 200, "{\"ok\":true}");
    }
  else if (g_str_equal (command, "autoconfirm"))
    {
      self->autoconfirm = g_strcmp0 (fs_params_lookup (query, "on"), "false") != 0;
      reply_text (msg, 200, "{\"ok\":true}");
    }
  else if (g_str_equal (command, "revoke") || g_str_equal (command, "confirm"))
    {
      Job *job = g_new0 (Job, 1);

      job->route = g_str_equal (command, "revoke") ? ROUTE_REVOKE : ROUTE_CONFIRM;
      *job_out = job;
    }
  else
    reply_text (msg, 404, "{\"error\":\"unknown control command\"}");
}

static void
server_request_cb (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *unused_query,
                   gpointer           user_data)
{
  FsServer *self = FS_SERVER (user_data);
  const char *method = soup_server_message_get_method (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr(GPtrArray) query = NULL;
  g_autoptr(GHashTable) headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  SoupMessageHeadersIter iter;
  const char *name, *value;
  Job *job = NULL;
  Fault fault;
  gboolean valid;
  guint delay_ms = 0;

  query = parse_query (g_uri_get_query (uri), &valid);
  g_ptr_array_set_free_func (query, param_free);
  if (!valid)
    {
      reply_text (msg, 400, "{\"message\":\"The query string is not valid percent-encoded UTF-8\"}");
      return;
    }

  soup_message_headers_iter_init (&iter, soup_server_message_get_request_headers (msg));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      /* Headers reach SQL (request.headers) as text: bytes that are not
       * UTF-8 become U+FFFD rather than an error or a crash. */
      g_autofree char *lower = g_ascii_strdown (name, -1);
      char *key = g_utf8_make_valid (lower, -1);
      g_autofree char *text = g_utf8_make_valid (value, -1);
      const char *previous = g_hash_table_lookup (headers, key);

      g_hash_table_replace (headers, key, previous != NULL ? g_strconcat (previous, ", ", text, NULL)
                                                           : g_strdup (text));
    }

  if (g_str_has_prefix (path, "/control/"))
    {
      handle_control (self, msg, path + strlen ("/control/"), query, &job);
      if (job == NULL)
        return;
    }
  else
    {
      if (take_fault (self, FAULT_FAIL, method, path, &fault))
        {
          if (fault.retry_after > 0)
            {
              g_autofree char *seconds = g_strdup_printf ("%u", fault.retry_after);

              soup_message_headers_append (soup_server_message_get_response_headers (msg),
                                           "Retry-After", seconds);
            }
          if (g_str_has_prefix (path, "/auth/v1/") && fault.status == 429)
            {
              const char *version = g_hash_table_lookup (headers, "x-supabase-api-version");
              g_autofree char *body = fs_auth_dup_error (version, 429, "over_request_rate_limit",
                                                         "Request rate limit reached");
              SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);

              soup_message_headers_append (response, "x-sb-error-code", "over_request_rate_limit");
              if (version != NULL)
                soup_message_headers_append (response, "x-supabase-api-version", version);
              reply_text (msg, 429, body);
            }
          else
            {
              g_autofree char *body =
                g_strdup_printf ("{\"message\":\"%s (fault injected by the test gateway)\"}",
                                 soup_status_get_phrase (fault.status));

              reply_text (msg, fault.status, body);
            }
          return;
        }

      if (!g_str_has_prefix (path, "/rest/v1/") && !g_str_has_prefix (path, "/auth/v1/"))
        {
          reply_text (msg, 404, "{\"message\":\"no Route matched with those values\"}");
          return;
        }
      if (!check_api_key (self, msg, headers, query))
        return;

      job = g_new0 (Job, 1);
      if (g_str_has_prefix (path, "/rest/v1/"))
        {
          job->route = ROUTE_REST;
          job->resource = g_strdup (path + strlen ("/rest/v1/"));
        }
      else
        {
          job->route = ROUTE_AUTH;
          job->resource = g_strdup (path + strlen ("/auth/v1/"));
        }
    }

  job->server = g_object_ref (self);
  job->msg = g_object_ref (msg);
  job->ex = g_new0 (FsExchange, 1);
  job->ex->jwt_secret = self->jwt_secret;
  job->ex->base_url = self->url;
  job->ex->rest_pool = self->rest_pool;
  job->ex->auth_pool = self->auth_pool;
  job->ex->role_settings = self->role_settings;
  job->ex->schema_cache = self->schema_cache;
  job->ex->method = g_strdup (method);
  job->ex->path = g_strdup (path);
  job->ex->query = g_steal_pointer (&query);
  job->ex->headers = g_steal_pointer (&headers);
  job->ex->body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  job->ex->max_rows = self->max_rows;
  job->ex->token_lifetime = self->token_lifetime;
  job->ex->jwt_skew = self->jwt_skew;
  job->ex->autoconfirm = self->autoconfirm;
  job->ex->response_headers = g_ptr_array_new_with_free_func (g_free);

  if (job->route == ROUTE_REST || job->route == ROUTE_AUTH)
    {
      if (take_fault (self, FAULT_HOLD, method, path, &fault))
        job->ex->hold_ms = fault.ms;
      job->ex->drop_after_commit = take_fault (self, FAULT_DROP_AFTER_COMMIT, method, path, &fault);
      if (take_fault (self, FAULT_STALL_AFTER_COMMIT, method, path, &fault))
        job->stall_ms = fault.ms;
      if (take_fault (self, FAULT_DELAY, method, path, &fault))
        delay_ms = fault.ms;
    }

  job->disconnected_id = g_signal_connect (msg, "disconnected",
                                           G_CALLBACK (message_disconnected_cb), job);
  soup_server_message_pause (msg);
  if (delay_ms > 0)
    g_timeout_add (delay_ms, delay_elapsed_cb, job);
  else
    g_thread_pool_push (self->workers, job, NULL);
}

static gboolean
load_role_settings (FsServer  *self,
                    GError   **error)
{
  g_autofree char *message = NULL;
  g_autoptr(PGresult) result = NULL;
  PGconn *conn = fs_pool_acquire (self->rest_pool, &message);

  if (conn == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, message);
      return FALSE;
    }

  /* RLS means nothing to a superuser or a BYPASSRLS role. */
  result = PQexec (conn, "SELECT rolsuper OR rolbypassrls FROM pg_catalog.pg_roles "
                         "WHERE rolname = current_user");
  if (!fs_db_ok (result) || PQntuples (result) != 1 || g_str_equal (PQgetvalue (result, 0, 0), "t"))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                           "The --db role must be authenticator, not a superuser or a role that "
                           "bypasses row-level security");
      fs_pool_release (self->rest_pool, conn);
      return FALSE;
    }
  g_clear_pointer (&result, PQclear);

  result = PQexec (conn,
                   "SELECT r.rolname, split_part(c, '=', 1), substr(c, strpos(c, '=') + 1) "
                   "FROM pg_catalog.pg_db_role_setting s "
                   "JOIN pg_catalog.pg_roles r ON r.oid = s.setrole "
                   "CROSS JOIN LATERAL unnest(s.setconfig) AS c "
                   "WHERE s.setdatabase IN (0, (SELECT oid FROM pg_catalog.pg_database "
                   "                            WHERE datname = current_database())) "
                   "ORDER BY s.setdatabase");
  if (!fs_db_ok (result))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot read the roles' settings: %s",
                   PQresultErrorMessage (result));
      fs_pool_release (self->rest_pool, conn);
      return FALSE;
    }
  for (int row = 0; row < PQntuples (result); row++)
    {
      const char *role = PQgetvalue (result, row, 0);
      GPtrArray *settings = g_hash_table_lookup (self->role_settings, role);

      if (settings == NULL)
        {
          settings = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (self->role_settings, g_strdup (role), settings);
        }
      g_ptr_array_add (settings, g_strdup (PQgetvalue (result, row, 1)));
      g_ptr_array_add (settings, g_strdup (PQgetvalue (result, row, 2)));
    }
  fs_pool_release (self->rest_pool, conn);
  return TRUE;
}

/* GObject overrides */

static void
fs_server_finalize (GObject *object)
{
  FsServer *self = FS_SERVER (object);

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  if (self->workers != NULL)
    g_thread_pool_free (self->workers, FALSE, TRUE);
  g_list_free_full (self->faults, fault_free);
  g_clear_pointer (&self->rest_pool, fs_pool_free);
  g_clear_pointer (&self->auth_pool, fs_pool_free);
  g_clear_pointer (&self->role_settings, g_hash_table_unref);
  g_clear_pointer (&self->schema_cache, fs_schema_cache_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->jwt_secret);
  g_free (self->url);
  g_free (self->anon_key);
  g_free (self->service_key);

  G_OBJECT_CLASS (fs_server_parent_class)->finalize (object);
}

static void
fs_server_class_init (FsServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fs_server_finalize;
}

static void
fs_server_init (FsServer *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->token_lifetime = DEFAULT_TOKEN_LIFETIME;
  self->jwt_skew = FS_JWT_SKEW_SECONDS;
  self->autoconfirm = TRUE;
  self->role_settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) g_ptr_array_unref);
  self->schema_cache = fs_schema_cache_new ();
}

/* Public API */

/**
 * fs_server_new:
 * @conninfo: libpq connection string for the `authenticator` role
 * @auth_user: the role GoTrue's half logs in as (supabase_auth_admin)
 * @jwt_secret: the HS256 secret of every token
 * @port: the port on 127.0.0.1, 0 for any free one
 * @error: why the gateway cannot start
 *
 * Returns: (transfer full) (nullable): a listening gateway
 */
FsServer *
fs_server_new (const char  *conninfo,
               const char  *auth_user,
               const char  *jwt_secret,
               guint        port,
               GError     **error)
{
  g_autoptr(FsServer) self = g_object_new (FS_TYPE_SERVER, NULL);
  g_autoptr(GSList) uris = NULL;

  self->jwt_secret = g_strdup (jwt_secret);
  self->anon_key = make_key (jwt_secret, "anon");
  self->service_key = make_key (jwt_secret, "service_role");

  self->rest_pool = fs_pool_new (conninfo, NULL, error);
  if (self->rest_pool == NULL || !load_role_settings (self, error))
    return NULL;
  self->auth_pool = fs_pool_new (conninfo, auth_user, error);
  if (self->auth_pool == NULL)
    return NULL;

  self->workers = g_thread_pool_new (run_job, NULL, MAX_WORKERS, FALSE, error);
  if (self->workers == NULL)
    return NULL;

  self->server = soup_server_new ("server-header", "fakesupabase", NULL);
  soup_server_add_handler (self->server, NULL, server_request_cb, self, NULL);
  if (!soup_server_listen_local (self->server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return NULL;

  uris = soup_server_get_uris (self->server);
  self->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  return g_steal_pointer (&self);
}

/**
 * fs_server_get_url:
 * @self: a gateway
 *
 * Returns: its base URL, without a trailing slash
 */
const char *
fs_server_get_url (FsServer *self)
{
  g_return_val_if_fail (FS_IS_SERVER (self), NULL);
  return self->url;
}

/**
 * fs_server_get_anon_key:
 * @self: a gateway
 *
 * Returns: the `anon` API key, an HS256 JWT
 */
const char *
fs_server_get_anon_key (FsServer *self)
{
  g_return_val_if_fail (FS_IS_SERVER (self), NULL);
  return self->anon_key;
}

/**
 * fs_server_get_service_key:
 * @self: a gateway
 *
 * Returns: the `service_role` API key, which bypasses row-level security
 */
const char *
fs_server_get_service_key (FsServer *self)
{
  g_return_val_if_fail (FS_IS_SERVER (self), NULL);
  return self->service_key;
}

/**
 * fs_server_set_max_rows:
 * @self: a gateway
 * @max_rows: the most rows one read returns, 0 for no cap
 */
void
fs_server_set_max_rows (FsServer *self,
                        guint     max_rows)
{
  g_return_if_fail (FS_IS_SERVER (self));
  self->max_rows = max_rows;
}

/**
 * fs_server_set_autoconfirm:
 * @self: a gateway
 * @autoconfirm: whether sign-up confirms the address at once and signs in
 */
void
fs_server_set_autoconfirm (FsServer *self,
                           gboolean  autoconfirm)
{
  g_return_if_fail (FS_IS_SERVER (self));
  self->autoconfirm = autoconfirm;
}

/**
 * fs_server_set_token_lifetime:
 * @self: a gateway
 * @seconds: how long new access tokens live
 */
void
fs_server_set_token_lifetime (FsServer *self,
                              guint     seconds)
{
  g_return_if_fail (FS_IS_SERVER (self));
  self->token_lifetime = MAX (seconds, 1);
}
