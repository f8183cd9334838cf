/* fs-auth.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fs-auth.h"
#include "fs-jwt.h"

/*
 * The GoTrue half of the gateway (../shared/SYNC.md §1.2, §4.4), on a
 * connection logged in as supabase_auth_admin, which owns the auth schema
 * as it does on Supabase. Passwords are bcrypt hashes made by pgcrypto;
 * refresh tokens rotate on every use with GoTrue's rules: a revoked token
 * is accepted again for 10 seconds, the parent of the session's active
 * token gets that active token back (the answer to a refresh whose reply
 * was lost), and any other reuse ends the session.
 */

#define REUSE_INTERVAL "10 seconds"
#define NEW_TOKEN_SQL "translate(encode(extensions.gen_random_bytes(18), 'base64'), '+/', '-_')"

/* The user as GoTrue shows it; `u` is a row of auth.users. */
#define USER_JSON_SQL \
  "json_build_object('id', u.id, 'aud', 'authenticated', 'role', 'authenticated', " \
  "'email', u.email, 'email_confirmed_at', u.email_confirmed_at, 'phone', '', " \
  "'confirmed_at', u.email_confirmed_at, 'last_sign_in_at', u.last_sign_in_at, " \
  "'app_metadata', coalesce(u.raw_app_meta_data, '{}'::jsonb), " \
  "'user_metadata', coalesce(u.raw_user_meta_data, '{}'::jsonb), " \
  "'identities', json_build_array(json_build_object('identity_id', u.id, 'id', u.id::text, " \
  "  'user_id', u.id, 'identity_data', json_build_object('email', u.email, " \
  "  'email_verified', u.email_confirmed_at IS NOT NULL, 'phone_verified', false, 'sub', u.id::text), " \
  "  'provider', 'email', 'last_sign_in_at', u.last_sign_in_at, 'created_at', u.created_at, " \
  "  'updated_at', u.updated_at, 'email', u.email)), " \
  "'created_at', u.created_at, 'updated_at', u.updated_at, " \
  "'is_anonymous', coalesce(u.is_anonymous, false))::text"

#define USER_COLUMNS_SQL \
  "u.id::text, u.email, coalesce(u.raw_app_meta_data, '{}'::jsonb)::text, " \
  "coalesce(u.raw_user_meta_data, '{}'::jsonb)::text, " USER_JSON_SQL

typedef struct
{
  FsExchange *ex;
  PGconn     *conn;
} Call;

/* Auxiliary methods */

static gboolean
new_error_shape (const char *api_version)
{
  return api_version != NULL && g_strcmp0 (api_version, "2024-01-01") >= 0;
}

static JsonBuilder *
build_error (const char *api_version,
             guint       status,
             const char *code,
             const char *message,
             const char *weak_reason)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  if (new_error_shape (api_version))
    {
      json_builder_add_string_value (builder, code);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, message);
    }
  else
    {
      json_builder_add_int_value (builder, status);
      json_builder_set_member_name (builder, "error_code");
      json_builder_add_string_value (builder, code);
      json_builder_set_member_name (builder, "msg");
      json_builder_add_string_value (builder, message);
    }
  if (weak_reason != NULL)
    {
      json_builder_set_member_name (builder, "weak_password");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "reasons");
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, weak_reason);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  return builder;
}

static void
auth_error_full (FsExchange *ex,
                 guint       status,
                 const char *code,
                 const char *message,
                 const char *weak_reason)
{
  g_autoptr(JsonBuilder) builder =
    build_error (fs_exchange_get_header (ex, "x-supabase-api-version"), status, code, message,
                 weak_reason);

  fs_exchange_add_header (ex, "x-sb-error-code", code);
  fs_exchange_reply_json (ex, status, builder);
}

static void
auth_error (FsExchange *ex,
            guint       status,
            const char *code,
            const char *message)
{
  auth_error_full (ex, status, code, message, NULL);
}

static void
database_error (Call     *call,
                PGresult *result)
{
  const char *message = result != NULL ? PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY) : NULL;

  /* Not a warning: the tests run with fatal warnings, and a database
   * error is an answer to give, not a reason to stop serving. */
  g_printerr ("fakesupabase: auth query failed: %s\n",
              message != NULL ? message : PQerrorMessage (call->conn));
  auth_error (call->ex, 500, "unexpected_failure", "Database error");
}

static PGresult *
exec (Call       *call,
      const char *sql,
      ...) G_GNUC_NULL_TERMINATED;

/* Runs @sql with the string parameters that follow, up to NULL. */
static PGresult *
exec (Call       *call,
      const char *sql,
      ...)
{
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  const char *value;
  va_list ap;

  va_start (ap, sql);
  while ((value = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (params, g_strdup (value));
  va_end (ap);

  return fs_db_exec (call->conn, sql, params);
}

static gboolean
run (Call       *call,
     const char *sql)
{
  g_autoptr(PGresult) result = PQexec (call->conn, sql);

  if (!fs_db_ok (result))
    {
      database_error (call, result);
      return FALSE;
    }
  return TRUE;
}

/* COMMIT, after the `hold` fault's wait if there is one. */
static gboolean
commit (Call *call)
{
  if (call->ex->hold_ms > 0)
    g_usleep (call->ex->hold_ms * 1000);
  if (!run (call, "COMMIT"))
    return FALSE;
  call->ex->committed = TRUE;
  return TRUE;
}

static void
rollback (Call *call)
{
  PQclear (PQexec (call->conn, "ROLLBACK"));
}

static JsonObject *
parse_body (FsExchange *ex)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = fs_exchange_dup_body (ex);
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      auth_error (ex, 400, "bad_json", "Could not parse request body as JSON");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static const char *
body_string (JsonObject *body,
             const char *name)
{
  JsonNode *node = json_object_get_member (body, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, text, -1, NULL))
    return json_node_init_object (json_node_alloc (), json_object_new ());
  return json_node_copy (json_parser_get_root (parser));
}

static gboolean
valid_email (const char *email)
{
  const char *at = strchr (email, '@');

  if (at == NULL || at == email || strchr (at + 1, '@') != NULL ||
      strchr (at + 1, '.') == NULL || g_str_has_suffix (email, "."))
    return FALSE;
  for (const char *p = email; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
      return FALSE;
  return TRUE;
}

static void
reply_raw_json (FsExchange *ex,
                guint       status,
                const char *json)
{
  fs_exchange_reply (ex, status, "application/json", g_strdup (json));
}

/* The token response for a user row (USER_COLUMNS_SQL) and a session. */
static void
reply_tokens (Call       *call,
              PGresult   *user,
              const char *session_id,
              const char *refresh_token)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint lifetime = call->ex->token_lifetime;
  g_autoptr(JsonObject) claims = json_object_new ();
  g_autoptr(JsonObject) amr = json_object_new ();
  g_autoptr(JsonArray) amr_list = json_array_new ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *issuer = g_strconcat (call->ex->base_url, "/auth/v1", NULL);
  g_autofree char *access_token = NULL;

  json_object_set_string_member (claims, "iss", issuer);
  json_object_set_string_member (claims, "sub", PQgetvalue (user, 0, 0));
  json_object_set_string_member (claims, "aud", "authenticated");
  json_object_set_int_member (claims, "exp", now + lifetime);
  json_object_set_int_member (claims, "iat", now);
  json_object_set_string_member (claims, "email", PQgetvalue (user, 0, 1));
  json_object_set_string_member (claims, "phone", "");
  json_object_set_member (claims, "app_metadata", parse_json (PQgetvalue (user, 0, 2)));
  json_object_set_member (claims, "user_metadata", parse_json (PQgetvalue (user, 0, 3)));
  json_object_set_string_member (claims, "role", "authenticated");
  json_object_set_string_member (claims, "aal", "aal1");
  json_object_set_string_member (amr, "method", "password");
  json_object_set_int_member (amr, "timestamp", now);
  json_array_add_object_element (amr_list, json_object_ref (amr));
  json_object_set_array_member (claims, "amr", json_array_ref (amr_list));
  json_object_set_string_member (claims, "session_id", session_id);
  json_object_set_boolean_member (claims, "is_anonymous", FALSE);
  access_token = fs_jwt_sign (call->ex->jwt_secret, claims);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "access_token");
  json_builder_add_string_value (builder, access_token);
  json_builder_set_member_name (builder, "token_type");
  json_builder_add_string_value (builder, "bearer");
  json_builder_set_member_name (builder, "expires_in");
  json_builder_add_int_value (builder, lifetime);
  json_builder_set_member_name (builder, "expires_at");
  json_builder_add_int_value (builder, now + lifetime);
  json_builder_set_member_name (builder, "refresh_token");
  json_builder_add_string_value (builder, refresh_token);
  json_builder_set_member_name (builder, "user");
  json_builder_add_value (builder, parse_json (PQgetvalue (user, 0, 4)));
  json_builder_end_object (builder);
  fs_exchange_reply_json (call->ex, 200, builder);
}

static PGresult *
load_user (Call       *call,
           const char *user_id)
{
  return exec (call, "SELECT " USER_COLUMNS_SQL " FROM auth.users u WHERE u.id = $1::uuid",
               user_id, NULL);
}

/* A new session with its first refresh token, inside the caller's
 * transaction; answers the token response and commits. */
static void
start_session (Call       *call,
               const char *user_id)
{
  g_autoptr(PGresult) session = NULL;
  g_autoptr(PGresult) token = NULL;
  g_autoptr(PGresult) user = NULL;

  session = exec (call,
                  "INSERT INTO auth.sessions (id, user_id, created_at, updated_at) "
                  "VALUES (gen_random_uuid(), $1::uuid, now(), now()) RETURNING id::text",
                  user_id, NULL);
  if (!fs_db_ok (session))
    goto failed;
  token = exec (call,
                "INSERT INTO auth.refresh_tokens (token, user_id, session_id, revoked, created_at, updated_at) "
                "VALUES (" NEW_TOKEN_SQL ", $1, $2::uuid, false, now(), now()) RETURNING token",
                user_id, PQgetvalue (session, 0, 0), NULL);
  if (!fs_db_ok (token))
    goto failed;
  PQclear (exec (call, "UPDATE auth.users SET last_sign_in_at = now() WHERE id = $1::uuid",
                 user_id, NULL));
  user = load_user (call, user_id);
  if (!fs_db_ok (user) || PQntuples (user) != 1)
    goto failed;
  if (!commit (call))
    return;
  reply_tokens (call, user, PQgetvalue (session, 0, 0), PQgetvalue (token, 0, 0));
  return;

failed:
  database_error (call, token != NULL ? token : session);
  rollback (call);
}

static void
handle_signup (Call *call)
{
  g_autoptr(JsonObject) body = parse_body (call->ex);
  g_autoptr(PGresult) existing = NULL;
  g_autoptr(PGresult) created = NULL;
  g_autoptr(JsonNode) data_node = NULL;
  g_autofree char *email = NULL;
  g_autofree char *data_json = NULL;
  g_autofree char *app_json = NULL;
  const char *password;
  JsonNode *data;

  if (body == NULL)
    return;
  password = body_string (body, "password");
  if (body_string (body, "email") == NULL || *body_string (body, "email") == '\0')
    {
      auth_error (call->ex, 400, "validation_failed", "To signup, please provide your email");
      return;
    }
  email = g_utf8_strdown (body_string (body, "email"), -1);
  if (!valid_email (email))
    {
      auth_error (call->ex, 400, "validation_failed", "Unable to validate email address: invalid format");
      return;
    }
  if (password == NULL || *password == '\0')
    {
      auth_error (call->ex, 400, "validation_failed", "Signup requires a valid password");
      return;
    }
  if (g_utf8_strlen (password, -1) < 6)
    {
      auth_error_full (call->ex, 422, "weak_password", "Password should be at least 6 characters.",
                       "length");
      return;
    }
  data = json_object_get_member (body, "data");
  if (data != NULL && !JSON_NODE_HOLDS_NULL (data) && !JSON_NODE_HOLDS_OBJECT (data))
    {
      auth_error (call->ex, 400, "validation_failed", "data must be an object");
      return;
    }
  data_node = data != NULL && JSON_NODE_HOLDS_OBJECT (data)
              ? json_node_copy (data)
              : json_node_init_object (json_node_alloc (), json_object_new ());
  data_json = json_to_string (data_node, FALSE);
  app_json = g_strdup ("{\"provider\":\"email\",\"providers\":[\"email\"]}");

  if (!run (call, "BEGIN"))
    return;
  existing = exec (call,
                   "SELECT u.id::text, u.email_confirmed_at IS NOT NULL FROM auth.users u "
                   "WHERE u.email = $1 AND NOT coalesce(u.is_anonymous, false) FOR UPDATE",
                   email, NULL);
  if (!fs_db_ok (existing))
    {
      database_error (call, existing);
      rollback (call);
      return;
    }

  if (PQntuples (existing) > 0)
    {
      gboolean confirmed = g_str_equal (PQgetvalue (existing, 0, 1), "t");

      if (call->ex->autoconfirm || !confirmed)
        {
          rollback (call);
          if (call->ex->autoconfirm)
            auth_error (call->ex, 422, "user_already_exists", "User already registered");
          else
            {
              /* An unconfirmed address is asked again; GoTrue answers with
               * the user, still without a session. */
              g_autoptr(PGresult) user = NULL;

              if (!run (call, "BEGIN"))
                return;
              user = load_user (call, PQgetvalue (existing, 0, 0));
              rollback (call);
              if (fs_db_ok (user) && PQntuples (user) == 1)
                reply_raw_json (call->ex, 200, PQgetvalue (user, 0, 4));
              else
                database_error (call, user);
            }
          return;
        }
      /* With confirmations on, GoTrue does not reveal that a confirmed
       * address is taken: it answers with a made-up user without
       * identities. */
      rollback (call);
      {
        g_autoptr(PGresult) fake = NULL;

        if (!run (call, "BEGIN"))
          return;
        fake = exec (call,
                     "SELECT json_build_object('id', gen_random_uuid(), 'aud', 'authenticated', "
                     "'role', 'authenticated', 'email', $1::text, 'phone', '', "
                     "'app_metadata', $2::jsonb, 'user_metadata', $3::jsonb, "
                     "'identities', '[]'::json, 'created_at', now(), 'updated_at', now(), "
                     "'is_anonymous', false)::text",
                     email, app_json, data_json, NULL);
        rollback (call);
        if (fs_db_ok (fake))
          reply_raw_json (call->ex, 200, PQgetvalue (fake, 0, 0));
        else
          database_error (call, fake);
      }
      return;
    }

  created = exec (call,
                  "INSERT INTO auth.users (instance_id, id, aud, role, email, encrypted_password, "
                  "  email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, "
                  "  updated_at, is_anonymous) "
                  "VALUES ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), "
                  "  'authenticated', 'authenticated', $1, "
                  "  extensions.crypt($2, extensions.gen_salt('bf')), "
                  "  CASE WHEN $3::boolean THEN now() END, $4::jsonb, $5::jsonb, now(), now(), false) "
                  "RETURNING id::text",
                  email, password, call->ex->autoconfirm ? "true" : "false", app_json, data_json,
                  NULL);
  if (!fs_db_ok (created))
    {
      /* Another sign-up of the same address committed first. */
      if (g_str_equal (fs_db_sqlstate (created), "23505"))
        auth_error (call->ex, 422, "user_already_exists", "User already registered");
      else
        database_error (call, created);
      rollback (call);
      return;
    }

  if (call->ex->autoconfirm)
    {
      start_session (call, PQgetvalue (created, 0, 0));
      return;
    }

  {
    g_autoptr(PGresult) user = load_user (call, PQgetvalue (created, 0, 0));

    if (!fs_db_ok (user) || !commit (call))
      {
        if (!fs_db_ok (user))
          {
            database_error (call, user);
            rollback (call);
          }
        return;
      }
    reply_raw_json (call->ex, 200, PQgetvalue (user, 0, 4));
  }
}

static void
grant_password (Call *call)
{
  g_autoptr(JsonObject) body = parse_body (call->ex);
  g_autoptr(PGresult) found = NULL;
  g_autofree char *email = NULL;
  const char *password;

  if (body == NULL)
    return;
  password = body_string (body, "password");
  if (body_string (body, "email") == NULL || password == NULL)
    {
      auth_error (call->ex, 400, "validation_failed", "missing email or phone");
      return;
    }
  email = g_utf8_strdown (body_string (body, "email"), -1);

  if (!run (call, "BEGIN"))
    return;
  found = exec (call,
                "SELECT u.id::text, u.email_confirmed_at IS NOT NULL, "
                "       coalesce(u.encrypted_password = extensions.crypt($2, u.encrypted_password), false) "
                "FROM auth.users u WHERE u.email = $1 AND NOT coalesce(u.is_anonymous, false)",
                email, password, NULL);
  if (!fs_db_ok (found))
    {
      database_error (call, found);
      rollback (call);
      return;
    }
  if (PQntuples (found) == 0 || !g_str_equal (PQgetvalue (found, 0, 2), "t"))
    {
      rollback (call);
      auth_error (call->ex, 400, "invalid_credentials", "Invalid login credentials");
      return;
    }
  if (!g_str_equal (PQgetvalue (found, 0, 1), "t"))
    {
      rollback (call);
      auth_error (call->ex, 400, "email_not_confirmed", "Email not confirmed");
      return;
    }
  start_session (call, PQgetvalue (found, 0, 0));
}

static void
grant_refresh_token (Call *call)
{
  g_autoptr(JsonObject) body = parse_body (call->ex);
  g_autoptr(PGresult) found = NULL;
  g_autoptr(PGresult) active = NULL;
  g_autoptr(PGresult) issued = NULL;
  g_autoptr(PGresult) user = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *user_id = NULL;
  g_autofree char *token_id = NULL;
  g_autofree char *refresh_token = NULL;
  const char *presented;

  if (body == NULL)
    return;
  presented = body_string (body, "refresh_token");
  if (presented == NULL || *presented == '\0')
    {
      auth_error (call->ex, 400, "refresh_token_not_found",
                  "Invalid Refresh Token: Refresh Token Not Found");
      return;
    }

  if (!run (call, "BEGIN"))
    return;
  /* The session row is locked first so that two refreshes of one session
   * are serialised and agree on which token is active. */
  found = exec (call,
                "SELECT rt.id::text, rt.revoked, s.id::text, rt.user_id, "
                "       rt.updated_at + interval '" REUSE_INTERVAL "' > now(), "
                "       s.not_after IS NOT NULL AND s.not_after <= now() "
                "FROM auth.refresh_tokens rt JOIN auth.sessions s ON s.id = rt.session_id "
                "WHERE rt.token = $1 FOR UPDATE OF s, rt",
                presented, NULL);
  if (!fs_db_ok (found))
    {
      database_error (call, found);
      rollback (call);
      return;
    }
  if (PQntuples (found) == 0)
    {
      rollback (call);
      auth_error (call->ex, 400, "refresh_token_not_found",
                  "Invalid Refresh Token: Refresh Token Not Found");
      return;
    }
  if (g_str_equal (PQgetvalue (found, 0, 5), "t"))
    {
      rollback (call);
      auth_error (call->ex, 400, "session_expired", "Invalid Refresh Token: Session Expired");
      return;
    }
  token_id = g_strdup (PQgetvalue (found, 0, 0));
  session_id = g_strdup (PQgetvalue (found, 0, 2));
  user_id = g_strdup (PQgetvalue (found, 0, 3));

  if (g_str_equal (PQgetvalue (found, 0, 1), "t"))
    {
      active = exec (call,
                     "SELECT token, parent FROM auth.refresh_tokens "
                     "WHERE session_id = $1::uuid AND NOT coalesce(revoked, false) "
                     "ORDER BY id DESC LIMIT 1",
                     session_id, NULL);
      if (!fs_db_ok (active))
        {
          database_error (call, active);
          rollback (call);
          return;
        }
      if (PQntuples (active) == 1 && g_strcmp0 (PQgetvalue (active, 0, 1), presented) == 0)
        refresh_token = g_strdup (PQgetvalue (active, 0, 0));
      else if (!g_str_equal (PQgetvalue (found, 0, 4), "t"))
        {
          /* Reuse outside the interval: someone else may hold the token,
           * so the whole session ends. */
          g_autoptr(PGresult) ended = exec (call, "DELETE FROM auth.sessions WHERE id = $1::uuid",
                                            session_id, NULL);

          if (!fs_db_ok (ended) || !commit (call))
            {
              if (!fs_db_ok (ended))
                {
                  database_error (call, ended);
                  rollback (call);
                }
              return;
            }
          auth_error (call->ex, 400, "refresh_token_already_used",
                      "Invalid Refresh Token: Already Used");
          return;
        }
    }

  if (refresh_token == NULL)
    {
      g_autoptr(PGresult) revoked = exec (call,
                                          "UPDATE auth.refresh_tokens SET revoked = true, updated_at = now() "
                                          "WHERE id = $1::bigint AND NOT coalesce(revoked, false)",
                                          token_id, NULL);

      if (!fs_db_ok (revoked))
        {
          database_error (call, revoked);
          rollback (call);
          return;
        }
      issued = exec (call,
                     "INSERT INTO auth.refresh_tokens (token, user_id, session_id, parent, revoked, "
                     "  created_at, updated_at) "
                     "VALUES (" NEW_TOKEN_SQL ", $1, $2::uuid, $3, false, now(), now()) RETURNING token",
                     user_id, session_id, presented, NULL);
      if (!fs_db_ok (issued))
        {
          database_error (call, issued);
          rollback (call);
          return;
        }
      refresh_token = g_strdup (PQgetvalue (issued, 0, 0));
    }

  PQclear (exec (call, "UPDATE auth.sessions SET updated_at = now() WHERE id = $1::uuid",
                 session_id, NULL));
  user = load_user (call, user_id);
  if (!fs_db_ok (user) || PQntuples (user) != 1)
    {
      database_error (call, user);
      rollback (call);
      return;
    }
  if (!commit (call))
    return;
  reply_tokens (call, user, session_id, refresh_token);
}

/* GoTrue's requireAuthentication: a Bearer token whose user and session
 * still exist. Fills @claims_out and leaves a transaction open. */
static gboolean
require_user (Call        *call,
              JsonObject **claims_out)
{
  const char *authorization = fs_exchange_get_header (call->ex, "authorization");
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) found = NULL;
  g_autofree char *token = NULL;
  const char *sub;
  const char *session_id;

  if (authorization == NULL || g_ascii_strncasecmp (authorization, "Bearer ", 7) != 0)
    {
      auth_error (call->ex, 401, "no_authorization", "This endpoint requires a valid Bearer token");
      return FALSE;
    }
  token = g_strstrip (g_strdup (authorization + 7));
  /* GoTrue allows no clock skew on its own tokens. */
  claims = fs_jwt_verify (call->ex->jwt_secret, token, g_get_real_time () / G_USEC_PER_SEC, 0,
                          &error);
  if (claims == NULL)
    {
      g_autofree char *message = g_strdup_printf ("invalid JWT: unable to parse or verify signature, %s",
                                                  error->message);

      auth_error (call->ex, 403, "bad_jwt", message);
      return FALSE;
    }
  sub = json_object_get_string_member_with_default (claims, "sub", NULL);
  if (sub == NULL || !g_uuid_string_is_valid (sub))
    {
      auth_error (call->ex, 403, "bad_jwt", "invalid claim: missing sub claim");
      return FALSE;
    }
  session_id = json_object_get_string_member_with_default (claims, "session_id", NULL);
  if (session_id != NULL && !g_uuid_string_is_valid (session_id))
    {
      auth_error (call->ex, 403, "bad_jwt", "invalid claim: session_id claim must be a UUID");
      return FALSE;
    }

  if (!run (call, "BEGIN"))
    return FALSE;
  found = exec (call,
                "SELECT EXISTS (SELECT 1 FROM auth.users WHERE id = $1::uuid), "
                "       $2::uuid IS NULL OR EXISTS (SELECT 1 FROM auth.sessions WHERE id = $2::uuid)",
                sub, session_id, NULL);
  if (!fs_db_ok (found))
    {
      database_error (call, found);
      rollback (call);
      return FALSE;
    }
  if (!g_str_equal (PQgetvalue (found, 0, 0), "t"))
    {
      rollback (call);
      auth_error (call->ex, 403, "user_not_found", "User from sub claim in JWT does not exist");
      return FALSE;
    }
  if (!g_str_equal (PQgetvalue (found, 0, 1), "t"))
    {
      rollback (call);
      auth_error (call->ex, 403, "session_not_found",
                  "Session from session_id claim in JWT does not exist");
      return FALSE;
    }
  *claims_out = g_steal_pointer (&claims);
  return TRUE;
}

static void
handle_user (Call *call)
{
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(PGresult) user = NULL;

  if (!require_user (call, &claims))
    return;
  user = load_user (call, json_object_get_string_member (claims, "sub"));
  rollback (call);
  if (!fs_db_ok (user) || PQntuples (user) != 1)
    {
      database_error (call, user);
      return;
    }
  reply_raw_json (call->ex, 200, PQgetvalue (user, 0, 4));
}

static void
handle_logout (Call *call)
{
  const char *scope = fs_exchange_get_param (call->ex, "scope");
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(PGresult) ended = NULL;
  const char *session_id;
  const char *sub;

  if (scope == NULL)
    scope = "global";
  if (!g_str_equal (scope, "global") && !g_str_equal (scope, "local") && !g_str_equal (scope, "others"))
    {
      auth_error (call->ex, 400, "validation_failed", "Unsupported logout scope");
      return;
    }
  if (!require_user (call, &claims))
    return;
  sub = json_object_get_string_member (claims, "sub");
  session_id = json_object_get_string_member_with_default (claims, "session_id", NULL);

  if (g_str_equal (scope, "global") || session_id == NULL)
    ended = exec (call, "DELETE FROM auth.sessions WHERE user_id = $1::uuid", sub, NULL);
  else if (g_str_equal (scope, "local"))
    ended = exec (call, "DELETE FROM auth.sessions WHERE id = $1::uuid", session_id, NULL);
  else
    ended = exec (call, "DELETE FROM auth.sessions WHERE user_id = $1::uuid AND id <> $2::uuid",
                  sub, session_id, NULL);
  if (!fs_db_ok (ended))
    {
      database_error (call, ended);
      rollback (call);
      return;
    }
  if (!commit (call))
    return;
  fs_exchange_reply (call->ex, 204, NULL, NULL);
}

static void
handle_settings (Call *call)
{
  g_autofree char *settings =
    g_strdup_printf ("{\"external\":{\"email\":true,\"phone\":false},\"disable_signup\":false,"
                     "\"mailer_autoconfirm\":%s,\"phone_autoconfirm\":false,\"sms_provider\":\"\","
                     "\"saml_enabled\":false}",
                     call->ex->autoconfirm ? "true" : "false");

  reply_raw_json (call->ex, 200, settings);
}

/* Public API */

/**
 * fs_auth_handle:
 * @ex: an exchange on its worker thread
 * @route: the path after /auth/v1/
 *
 * Answers one GoTrue request.
 */
void
fs_auth_handle (FsExchange *ex,
                const char *route)
{
  g_autofree char *connect_error = NULL;
  gboolean post = g_str_equal (ex->method, "POST");
  gboolean get = g_str_equal (ex->method, "GET");
  Call call = { ex, NULL };

  if (new_error_shape (fs_exchange_get_header (ex, "x-supabase-api-version")))
    fs_exchange_add_header (ex, "x-supabase-api-version", "2024-01-01");

  if (get && g_str_equal (route, "settings"))
    {
      handle_settings (&call);
      return;
    }
  if (!((post && (g_str_equal (route, "signup") || g_str_equal (route, "token") ||
                  g_str_equal (route, "logout"))) ||
        (get && g_str_equal (route, "user"))))
    {
      auth_error (ex, 404, "not_found", "The requested resource was not found");
      return;
    }

  call.conn = fs_pool_acquire (ex->auth_pool, &connect_error);
  if (call.conn == NULL)
    {
      g_printerr ("fakesupabase: no auth database connection: %s\n", connect_error);
      auth_error (ex, 500, "unexpected_failure", "Database error");
      return;
    }

  if (g_str_equal (route, "signup"))
    handle_signup (&call);
  else if (g_str_equal (route, "user"))
    handle_user (&call);
  else if (g_str_equal (route, "logout"))
    handle_logout (&call);
  else
    {
      const char *grant = fs_exchange_get_param (ex, "grant_type");

      if (g_strcmp0 (grant, "password") == 0)
        grant_password (&call);
      else if (g_strcmp0 (grant, "refresh_token") == 0)
        grant_refresh_token (&call);
      else
        auth_error (ex, 400, "validation_failed", "unsupported_grant_type");
    }

  fs_pool_release (ex->auth_pool, call.conn);
}

/**
 * fs_auth_dup_error:
 * @api_version: (nullable): the request's X-Supabase-Api-Version
 * @status: the HTTP status
 * @code: GoTrue's error code
 * @message: what went wrong
 *
 * For answers GoTrue's half does not make itself (injected faults).
 *
 * Returns: (transfer full): GoTrue's error body in the shape @api_version asks for
 */
char *
fs_auth_dup_error (const char *api_version,
                   guint       status,
                   const char *code,
                   const char *message)
{
  g_autoptr(JsonBuilder) builder = build_error (api_version, status, code, message, NULL);
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

/**
 * fs_auth_end_sessions:
 * @ex: an exchange on its worker thread
 * @email: (nullable): whose sessions end
 * @session_id: (nullable): which session ends
 *
 * The control channel's "revoke": the sessions end as if the user had
 * signed out everywhere, so their refresh tokens stop working at once.
 */
void
fs_auth_end_sessions (FsExchange *ex,
                      const char *email,
                      const char *session_id)
{
  g_autofree char *connect_error = NULL;
  g_autoptr(PGresult) ended = NULL;
  g_autofree char *body = NULL;
  Call call = { ex, NULL };

  call.conn = fs_pool_acquire (ex->auth_pool, &connect_error);
  if (call.conn == NULL)
    {
      fs_exchange_reply (ex, 500, "text/plain", g_strdup (connect_error));
      return;
    }
  if (session_id != NULL && g_uuid_string_is_valid (session_id))
    ended = exec (&call, "DELETE FROM auth.sessions WHERE id = $1::uuid", session_id, NULL);
  else if (email != NULL)
    ended = exec (&call,
                  "DELETE FROM auth.sessions WHERE user_id IN "
                  "(SELECT id FROM auth.users WHERE email = lower($1))", email, NULL);
  if (ended == NULL)
    fs_exchange_reply (ex, 400, "text/plain", g_strdup ("name an email or a session_id\n"));
  else if (!fs_db_ok (ended))
    fs_exchange_reply (ex, 500, "text/plain", g_strdup (PQresultErrorMessage (ended)));
  else
    {
      body = g_strdup_printf ("{\"sessions_ended\":%s}", PQcmdTuples (ended));
      fs_exchange_reply (ex, 200, "application/json", g_steal_pointer (&body));
    }
  fs_pool_release (ex->auth_pool, call.conn);
}

/**
 * fs_auth_confirm:
 * @ex: an exchange on its worker thread
 * @email: whose address is confirmed
 *
 * Stands for the user clicking the link of the confirmation mail.
 */
void
fs_auth_confirm (FsExchange *ex,
                 const char *email)
{
  g_autofree char *connect_error = NULL;
  g_autoptr(PGresult) confirmed = NULL;
  Call call = { ex, NULL };

  call.conn = fs_pool_acquire (ex->auth_pool, &connect_error);
  if (call.conn == NULL)
    {
      fs_exchange_reply (ex, 500, "text/plain", g_strdup (connect_error));
      return;
    }
  confirmed = exec (&call,
                    "UPDATE auth.users SET email_confirmed_at = coalesce(email_confirmed_at, now()) "
                    "WHERE email = lower($1)", email, NULL);
  if (!fs_db_ok (confirmed))
    fs_exchange_reply (ex, 500, "text/plain", g_strdup (PQresultErrorMessage (confirmed)));
  else if (g_str_equal (PQcmdTuples (confirmed), "0"))
    fs_exchange_reply (ex, 404, "text/plain", g_strdup ("no such user\n"));
  else
    fs_exchange_reply (ex, 200, "application/json", g_strdup ("{\"confirmed\":true}"));
  fs_pool_release (ex->auth_pool, call.conn);
}
