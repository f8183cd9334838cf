/* xi-supabase-client.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "xi-json.h"
#include "xi-store.h"
#include "xi-supabase-client.h"
#include "xi-sync-error.h"

/*
 * XiSupabaseClient speaks to one Supabase project for one account: GoTrue
 * (/auth/v1) for the session and PostgREST (/rest/v1) for rows and RPCs.
 *
 * The session is an access token, short-lived and kept only in memory,
 * and a refresh token, which the server rotates on every use and which
 * therefore has to reach the secret store before its access token is
 * used: a crash after that point leaves the stored token valid. It never
 * goes anywhere else (no property, no log, no synced table).
 */

/* Kept under this name, with the data folder's suffix
 * (xi_secret_store_dup_folder_name()); older versions used the name alone. */
#define SECRET_NAME "supabase-refresh-token"
#define REQUEST_TIMEOUT_SECONDS 30
/* libsoup's timeout is for one wait: a server that sends a byte every
 * 29 seconds would keep a request, and the sync pass, going for ever.
 * Past this, a request is given up whatever still trickles in. */
#define REQUEST_DEADLINE_MS (10 * 60 * 1000)
/* supabase-js refreshes this long before expiry; tokens shorter than
 * twice that are refreshed at half their life instead, so a project
 * configured with very short tokens does not refresh before every call. */
#define REFRESH_MARGIN_USEC (90 * G_USEC_PER_SEC)
#define MAX_BODY_FOR_ERRORS 4096
/* A page of 1,000 rows is a few megabytes; a reply this large is a broken
 * or hostile server, and is refused before it fills the memory. */
#define MAX_REPLY_BYTES (64 * 1024 * 1024)
/* Parsed, each value takes a few hundred bytes whatever its size as text
 * (60 MB of tiny rows took 4.4 GB): a reply of more values is not parsed.
 * A page of 1,000 contacts holds some 30,000. */
#define MAX_REPLY_VALUES 400000
#define READ_CHUNK_BYTES (64 * 1024)
/* The longest a server may make the app wait before it asks again. */
#define MAX_RETRY_AFTER_SECONDS (24 * 3600)

struct _XiSupabaseClient
{
  GObject        parent_instance;

  /* Every field belongs to the thread that created the client; libsoup's
   * session is bound to it too. */
  GThread       *owner;
  SoupSession   *session;
  char          *project_url;
  char          *anon_key;
  XiSecretStore *secrets;

  char          *access_token;
  char          *refresh_token;
  char          *user_id;
  char          *email;
  char          *device_id;        /* X-Device-Id, when this is a data folder's */
  gint64         refresh_at;       /* monotonic microseconds */
  guint          token_serial;     /* bumped with every new access token */

  /* Bumped whenever the session is replaced or dropped, so a refresh that
   * was in flight meanwhile cannot bring back the old one. */
  guint          generation;
  /* The tasks waiting for the one refresh in flight; NULL when none is. */
  GPtrArray     *refresh_waiters;
  guint          deadline_ms;      /* of one request, sent and read */
  guint64        bytes_read;       /* of every reply's body, since the client was made */
};

G_DEFINE_FINAL_TYPE (XiSupabaseClient, xi_supabase_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SIGNED_IN,
  PROP_USER_ID,
  PROP_EMAIL,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

/* The task data of a sign-up that made no session. */
static const int needs_confirmation_marker;

typedef enum {
  API_REST,
  API_AUTH,
} Api;

typedef struct
{
  Api          api;
  char        *method;
  char        *path_and_query;   /* below /rest/v1/ or /auth/v1/ */
  char        *prefer;
  gint64       expected_mark;    /* X-Expected-Mark, or -1 */
  GBytes      *body;
  gboolean     authenticated;
  gboolean     retried;
  guint        token_serial;     /* of the access token it was sent with */
  SoupMessage *message;
  GCancellable *sending;          /* cancelled by the caller's or the deadline */
  GCancellable *caller;
  gulong       caller_handler;
  GSource     *deadline;
  gboolean     past_deadline;
  GInputStream *reply_stream;    /* the reply being read */
  GByteArray  *reply_body;
  gsize        reply_limit;      /* the most of it that is read */
} Request;

typedef struct
{
  guint   status;
  GBytes *body;
} Reply;

/* A sign-in, sign-up or refresh that produced a token response, on its
 * way to the secret store. */
typedef struct
{
  guint  generation;
  char  *access_token;
  char  *refresh_token;
  char  *user_id;
  char  *email;
  gint64 lifetime_usec;
  gint64 received_at;
} Session;

/* Auxiliary methods */

static void
request_stop_deadline (Request *request)
{
  if (request->deadline != NULL)
    {
      g_source_destroy (request->deadline);
      g_clear_pointer (&request->deadline, g_source_unref);
    }
  /* The caller's cancellable may live for the whole session. */
  if (request->caller != NULL)
    g_cancellable_disconnect (request->caller, request->caller_handler);
  request->caller_handler = 0;
  g_clear_object (&request->caller);
  g_clear_object (&request->sending);
}

static void
request_free (Request *request)
{
  g_free (request->method);
  g_free (request->path_and_query);
  g_free (request->prefer);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_clear_object (&request->message);
  g_clear_object (&request->reply_stream);
  g_clear_pointer (&request->reply_body, g_byte_array_unref);
  request_stop_deadline (request);
  g_free (request);
}

static void
reply_free (Reply *reply)
{
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_free (reply);
}

static void
session_free (Session *session)
{
  g_free (session->access_token);
  if (session->refresh_token != NULL)
    memset (session->refresh_token, 0, strlen (session->refresh_token));
  g_free (session->refresh_token);
  g_free (session->user_id);
  g_free (session->email);
  g_free (session);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Session, session_free)

static void
assert_owner (XiSupabaseClient *self)
{
  g_assert (self->owner == g_thread_self ());
}

static void
wipe_string (char **string)
{
  if (*string != NULL)
    memset (*string, 0, strlen (*string));
  g_clear_pointer (string, g_free);
}

static gboolean
is_identifier (const char *name)
{
  if (name == NULL || *name == '\0' || strlen (name) > 63)
    return FALSE;
  if (!g_ascii_islower (*name) && *name != '_')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

static GBytes *
json_node_to_bytes (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize length;
  char *text;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, &length);
  return g_bytes_new_take (text, length);
}

static GBytes *
json_object_to_bytes (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return json_node_to_bytes (node);
}

static JsonNode *
parse_json (GBytes  *bytes,
            GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  JsonNode *root = xi_json_parse_bounded (data, (gssize) size, MAX_REPLY_VALUES, &local_error);

  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
    g_set_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_TOO_LARGE,
                 _("The server sent an answer of more than %u values"), MAX_REPLY_VALUES);
  else if (local_error != NULL)
    g_set_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_BAD_REPLY,
                 _("The server sent an answer that is not JSON: %s"), local_error->message);
  return root;
}

static const char *
object_get_string (JsonObject *object,
                   const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static guint
parse_retry_after (SoupMessageHeaders *headers)
{
  const char *value = soup_message_headers_get_one (headers, "Retry-After");
  g_autoptr(GDateTime) when = NULL;
  guint64 seconds;

  if (value == NULL)
    return 0;
  /* However long it asks for (or for ever, in digits), it gets at most
   * this: a larger number is not ignored, which would retry at once. */
  if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &seconds, NULL))
    return (guint) MIN (seconds, MAX_RETRY_AFTER_SECONDS);
  if (strlen (value) > 0 && strspn (value, "0123456789") == strlen (value))
    return MAX_RETRY_AFTER_SECONDS;
  when = soup_date_time_new_from_http_string (value);
  if (when != NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      GTimeSpan span = g_date_time_difference (when, now);

      if (span > 0)
        return (guint) MIN (span / G_TIME_SPAN_SECOND + 1, MAX_RETRY_AFTER_SECONDS);
    }
  return 0;
}

static XiSyncError
code_for_auth_error (const char *code)
{
  static const struct {
    const char  *code;
    XiSyncError  error;
  } codes[] = {
    { "invalid_credentials", XI_SYNC_ERROR_INVALID_CREDENTIALS },
    { "invalid_grant", XI_SYNC_ERROR_INVALID_CREDENTIALS },
    { "email_not_confirmed", XI_SYNC_ERROR_EMAIL_NOT_CONFIRMED },
    { "user_already_exists", XI_SYNC_ERROR_USER_EXISTS },
    { "email_exists", XI_SYNC_ERROR_USER_EXISTS },
    { "weak_password", XI_SYNC_ERROR_WEAK_PASSWORD },
    { "refresh_token_not_found", XI_SYNC_ERROR_SIGNED_OUT },
    { "refresh_token_already_used", XI_SYNC_ERROR_SIGNED_OUT },
    { "session_expired", XI_SYNC_ERROR_SIGNED_OUT },
    { "session_not_found", XI_SYNC_ERROR_SIGNED_OUT },
    { "user_not_found", XI_SYNC_ERROR_SIGNED_OUT },
    { "user_banned", XI_SYNC_ERROR_SIGNED_OUT },
    { "bad_jwt", XI_SYNC_ERROR_UNAUTHORIZED },
    { "no_authorization", XI_SYNC_ERROR_UNAUTHORIZED },
    { "over_request_rate_limit", XI_SYNC_ERROR_RATE_LIMITED },
  };

  if (code != NULL)
    for (gsize i = 0; i < G_N_ELEMENTS (codes); i++)
      if (g_str_equal (code, codes[i].code))
        return codes[i].error;
  return XI_SYNC_ERROR_FAILED;
}

/* Turns a non-2xx reply into an error carrying the server's code and
 * message. GoTrue has three body shapes (SYNC.md §1.2) and puts its code
 * in a header too; PostgREST always sends {code, message, details, hint}. */
static GError *
error_from_reply (Api                 api,
                  guint               status,
                  SoupMessageHeaders *headers,
                  GBytes             *body)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *server_code = NULL;
  g_autofree char *message = NULL;
  const char *header_code = NULL;
  XiSyncError code = XI_SYNC_ERROR_FAILED;
  GError *error;

  if (body != NULL && g_bytes_get_size (body) > 0 &&
      g_bytes_get_size (body) <= MAX_BODY_FOR_ERRORS)
    root = parse_json (body, NULL);

  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      const char *text;

      if (api == API_AUTH)
        header_code = soup_message_headers_get_one (headers, "x-sb-error-code");
      if (header_code != NULL)
        server_code = g_strdup (header_code);
      else if ((text = object_get_string (object, "error_code")) != NULL ||
               (text = object_get_string (object, "code")) != NULL ||
               (text = object_get_string (object, "error")) != NULL)
        server_code = g_strdup (text);

      if ((text = object_get_string (object, "message")) != NULL ||
          (text = object_get_string (object, "msg")) != NULL ||
          (text = object_get_string (object, "error_description")) != NULL)
        message = g_utf8_make_valid (text, -1);
    }

  if (api == API_AUTH)
    code = code_for_auth_error (server_code);
  else if (g_strcmp0 (server_code, "XI060") == 0)
    code = XI_SYNC_ERROR_SERVER_RESTORED;
  if (code == XI_SYNC_ERROR_FAILED)
    {
      if (status == 429)
        code = XI_SYNC_ERROR_RATE_LIMITED;
      else if (status >= 500)
        code = XI_SYNC_ERROR_UNAVAILABLE;
      else if (status == 401)
        code = XI_SYNC_ERROR_UNAUTHORIZED;
      else if (status == 409)
        code = XI_SYNC_ERROR_CONFLICT;
      else if (status >= 400)
        code = XI_SYNC_ERROR_REFUSED;
    }

  if (message == NULL)
    message = g_strdup_printf (_("The server answered %u %s"), status,
                               soup_status_get_phrase (status));
  if (server_code != NULL)
    error = g_error_new (XI_SYNC_ERROR, code, "%s (%s)", message, server_code);
  else
    error = g_error_new_literal (XI_SYNC_ERROR, code, message);
  xi_sync_error_set_server (error, status, server_code, parse_retry_after (headers));
  return error;
}

static Session *
session_from_reply (JsonNode  *root,
                    guint      generation,
                    GError   **error)
{
  g_autoptr(Session) session = g_new0 (Session, 1);
  JsonObject *object;
  JsonObject *user;
  JsonNode *expires_in;
  gint64 seconds;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    goto bad;
  object = json_node_get_object (root);
  if (!json_object_has_member (object, "user") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "user")))
    goto bad;
  user = json_object_get_object_member (object, "user");
  expires_in = json_object_get_member (object, "expires_in");
  if (object_get_string (object, "access_token") == NULL ||
      object_get_string (object, "refresh_token") == NULL ||
      object_get_string (user, "id") == NULL ||
      expires_in == NULL || !JSON_NODE_HOLDS_VALUE (expires_in) ||
      json_node_get_value_type (expires_in) != G_TYPE_INT64)
    goto bad;
  seconds = json_node_get_int (expires_in);
  if (seconds <= 0 || seconds > 7 * 24 * 3600)
    goto bad;

  session->generation = generation;
  session->access_token = g_strdup (object_get_string (object, "access_token"));
  session->refresh_token = g_strdup (object_get_string (object, "refresh_token"));
  session->user_id = g_strdup (object_get_string (user, "id"));
  session->email = g_strdup (object_get_string (user, "email"));
  session->lifetime_usec = seconds * G_USEC_PER_SEC;
  session->received_at = g_get_monotonic_time ();
  return g_steal_pointer (&session);

bad:
  g_set_error_literal (error, XI_SYNC_ERROR, XI_SYNC_ERROR_BAD_REPLY,
                       _("The server's sign-in answer lacks a token, its lifetime or the user"));
  return NULL;
}

static void
apply_session (XiSupabaseClient *self,
               Session          *session)
{
  gboolean was_signed_in = self->refresh_token != NULL;
  gboolean user_changed = g_strcmp0 (self->user_id, session->user_id) != 0;
  gboolean email_changed = g_strcmp0 (self->email, session->email) != 0;
  gint64 margin = MIN (REFRESH_MARGIN_USEC, session->lifetime_usec / 2);

  wipe_string (&self->access_token);
  wipe_string (&self->refresh_token);
  self->access_token = g_steal_pointer (&session->access_token);
  self->refresh_token = g_steal_pointer (&session->refresh_token);
  g_free (self->user_id);
  self->user_id = g_steal_pointer (&session->user_id);
  g_free (self->email);
  self->email = g_steal_pointer (&session->email);
  self->refresh_at = session->received_at + session->lifetime_usec - margin;
  self->token_serial++;

  if (!was_signed_in)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
  if (user_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_ID]);
  if (email_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMAIL]);
}

static void
drop_session (XiSupabaseClient *self)
{
  gboolean was_signed_in = self->refresh_token != NULL;

  self->generation++;
  wipe_string (&self->access_token);
  wipe_string (&self->refresh_token);
  self->refresh_at = 0;
  if (was_signed_in)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
}

/* The refresh token a secret holds, or NULL when it is missing or not
 * one (empty, oversized, or with a NUL inside). */
static char *
token_from_secret (GBytes *secret)
{
  gsize size = 0;
  const char *data = secret != NULL ? g_bytes_get_data (secret, &size) : NULL;

  if (size == 0 || size > 4096 || memchr (data, '\0', size) != NULL)
    return NULL;
  return g_strndup (data, size);
}

static void
save_session_async (XiSecretStore       *secrets,
                    const char          *refresh_token,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autofree char *name = xi_secret_store_dup_folder_name (secrets, SECRET_NAME);
  g_autoptr(GBytes) secret = g_bytes_new (refresh_token, strlen (refresh_token));

  xi_secret_store_save_async (secrets, name, _("Xender-In account sign-in"), secret, cancellable,
                              callback, user_data);
}

static gboolean
delete_session (XiSecretStore  *secrets,
                GError        **error)
{
  g_autofree char *name = xi_secret_store_dup_folder_name (secrets, SECRET_NAME);

  return xi_secret_store_delete_sync (secrets, name, NULL, error);
}

/* Forgets the session here and in the secret store, keeping the user's
 * identity readable so the UI can say who has to sign in again. */
static void
forget_session (XiSupabaseClient *self)
{
  g_autoptr(GError) error = NULL;

  drop_session (self);
  if (self->secrets != NULL && !delete_session (self->secrets, &error))
    g_warning ("Could not delete the stored Supabase session: %s", error->message);
}

static void send_request (GTask *task);
static void refresh (XiSupabaseClient *self, GTask *waiter);

static void
session_saved_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiSupabaseClient *self = g_task_get_source_object (task);
  Session *session = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!xi_secret_store_save_finish (XI_SECRET_STORE (object), result, &error))
    {
      /* The rotated token lives only in memory now; the server still
       * hands the active token to its parent, so the next start can sign
       * in again with what was stored before. */
      g_warning ("Could not store the Supabase session: %s", error->message);
    }

  if (session->generation != self->generation)
    {
      g_task_return_new_error (task, XI_SYNC_ERROR, XI_SYNC_ERROR_NOT_SIGNED_IN,
                               _("Signed out while signing in"));
      return;
    }
  apply_session (self, session);
  g_task_return_boolean (task, TRUE);
}

/* Stores the new refresh token, then makes the session current; @task
 * returns a boolean and owns nothing yet. */
static void
accept_session (XiSupabaseClient *self,
                Session          *session,
                GTask            *task)
{
  g_task_set_task_data (task, session, (GDestroyNotify) session_free);
  if (self->secrets == NULL)
    {
      apply_session (self, session);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  save_session_async (self->secrets, session->refresh_token, NULL, session_saved_cb, task);
}

/* Request machinery */

static void
reply_failed (GTask  *task,
              GError *error)
{
  XiSupabaseClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);

  if (request->past_deadline)
    {
      guint minutes = MAX (self->deadline_ms / 60000, 1);
      GError *late = g_error_new (XI_SYNC_ERROR, XI_SYNC_ERROR_NETWORK,
                                  ngettext ("The server took more than %u minute to answer",
                                            "The server took more than %u minutes to answer", minutes),
                                  minutes);

      xi_sync_error_set_server (late, 0, NULL, 0);
      g_task_return_error (task, late);
      g_error_free (error);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, error);
  else
    {
      GError *network = g_error_new (XI_SYNC_ERROR, XI_SYNC_ERROR_NETWORK,
                                     _("Could not reach the server: %s"), error->message);

      xi_sync_error_set_server (network, 0, NULL, 0);
      g_task_return_error (task, network);
      g_error_free (error);
    }
  g_object_unref (task);
}

static void reply_read (GTask *task);
static void reply_complete (GTask  *task,
                            GBytes *body);

/* Closing before the end drops the connection: nothing more is read. */
static void
reply_stop_reading (GTask *task)
{
  Request *request = g_task_get_task_data (task);

  g_input_stream_close (request->reply_stream, NULL, NULL);
  g_clear_object (&request->reply_stream);
  reply_complete (task, g_byte_array_free_to_bytes (g_steal_pointer (&request->reply_body)));
}

static void
reply_chunk_read_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  XiSupabaseClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  GError *error = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (chunk == NULL)
    {
      reply_failed (task, error);
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      reply_stop_reading (task);
      return;
    }
  g_byte_array_append (request->reply_body, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  self->bytes_read += g_bytes_get_size (chunk);
  reply_read (task);
}

/* Reads at most one byte past the limit: enough to know it was passed. */
static void
reply_read (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  gsize left = request->reply_limit + 1 - request->reply_body->len;

  if (left == 0)
    {
      reply_stop_reading (task);
      return;
    }
  g_input_stream_read_bytes_async (request->reply_stream, MIN (left, READ_CHUNK_BYTES),
                                   G_PRIORITY_DEFAULT, request->sending, reply_chunk_read_cb, task);
}

static gboolean
status_is_success (guint status)
{
  return status >= 200 && status < 300;
}

/* Legitimate rows can be this large together (a thousand contacts with
 * 64 KB of custom fields and notes each): the page is read again in
 * fewer rows, not given up, or no table after it would ever be pulled. */
static GError *
too_large_error (void)
{
  GError *error = g_error_new (XI_SYNC_ERROR, XI_SYNC_ERROR_TOO_LARGE,
                               _("The server sent an answer larger than %u MB. Check that the "
                                 "project URL names your Supabase project."),
                               MAX_REPLY_BYTES / (1024 * 1024));

  xi_sync_error_set_server (error, 0, NULL, 0);
  return error;
}

static void
request_sent_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);
  GError *error = NULL;
  goffset announced;

  request->reply_stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (request->reply_stream == NULL)
    {
      reply_failed (task, error);
      return;
    }
  /* An error needs only its first bytes; rows need all of theirs. */
  request->reply_limit = status_is_success (soup_message_get_status (request->message))
                         ? MAX_REPLY_BYTES : MAX_BODY_FOR_ERRORS;
  announced = soup_message_headers_get_content_length (soup_message_get_response_headers (request->message));
  if (request->reply_limit == MAX_REPLY_BYTES && announced > MAX_REPLY_BYTES)
    {
      g_input_stream_close (request->reply_stream, NULL, NULL);
      g_clear_object (&request->reply_stream);
      g_task_return_error (task, too_large_error ());
      g_object_unref (task);
      return;
    }
  g_clear_pointer (&request->reply_body, g_byte_array_unref);
  request->reply_body = g_byte_array_new ();
  reply_read (task);
}

static void
reply_complete (GTask  *task_in,
                GBytes *body_in)
{
  g_autoptr(GTask) task = task_in;
  XiSupabaseClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = body_in;
  g_autoptr(Reply) reply = NULL;
  SoupMessageHeaders *headers;
  guint status;

  request_stop_deadline (request);
  status = soup_message_get_status (request->message);
  headers = soup_message_get_response_headers (request->message);
  if (status_is_success (status) && g_bytes_get_size (body) > MAX_REPLY_BYTES)
    {
      g_task_return_error (task, too_large_error ());
      return;
    }
  if (status_is_success (status))
    {
      reply = g_new0 (Reply, 1);
      reply->status = status;
      reply->body = g_steal_pointer (&body);
      g_task_return_pointer (task, g_steal_pointer (&reply), (GDestroyNotify) reply_free);
      return;
    }

  error = error_from_reply (request->api, status, headers, body);
  /* PostgREST says 401 for a token it will not take; GoTrue says 403
   * bad_jwt. Either way the token may have expired while the machine
   * slept (the monotonic clock stops), so refresh once and retry once. */
  if (request->authenticated && !request->retried &&
      g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_UNAUTHORIZED))
    {
      request->retried = TRUE;
      /* Requests that failed together refresh once: the first one in
       * starts the refresh, the others find a newer token already. */
      if (request->token_serial == self->token_serial)
        {
          self->refresh_at = 0;
          refresh (self, g_steal_pointer (&task));
        }
      else
        send_request (g_steal_pointer (&task));
      return;
    }
  if (g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_SIGNED_OUT) && request->authenticated)
    forget_session (self);
  g_task_return_error (task, g_steal_pointer (&error));
}

static gboolean
deadline_passed_cb (gpointer user_data)
{
  Request *request = user_data;

  request->past_deadline = TRUE;
  g_cancellable_cancel (request->sending);
  g_clear_pointer (&request->deadline, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *caller,
                     GCancellable *sending)
{
  g_cancellable_cancel (sending);
}

/* The request is sent and read with a cancellable of its own, which the
 * caller's cancels and so does the deadline. */
static void
start_deadline (XiSupabaseClient *self,
                Request          *request,
                GCancellable     *caller)
{
  request_stop_deadline (request);
  request->past_deadline = FALSE;
  request->sending = g_cancellable_new ();
  if (caller != NULL)
    {
      request->caller = g_object_ref (caller);
      request->caller_handler = g_cancellable_connect (caller, G_CALLBACK (caller_cancelled_cb),
                                                       g_object_ref (request->sending), g_object_unref);
    }
  request->deadline = g_timeout_source_new (self->deadline_ms);
  g_source_set_callback (request->deadline, deadline_passed_cb, request, NULL);
  g_source_attach (request->deadline, g_main_context_get_thread_default ());
}

static void
send_request (GTask *task)
{
  XiSupabaseClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autofree char *uri = NULL;
  SoupMessageHeaders *headers;

  if (request->authenticated && self->access_token == NULL)
    {
      g_task_return_new_error (task, XI_SYNC_ERROR, XI_SYNC_ERROR_NOT_SIGNED_IN,
                               _("Sign in to your account first"));
      g_object_unref (task);
      return;
    }
  if (request->authenticated && g_get_monotonic_time () >= self->refresh_at)
    {
      refresh (self, task);
      return;
    }

  uri = g_strconcat (self->project_url, request->api == API_AUTH ? "/auth/v1/" : "/rest/v1/",
                     request->path_and_query, NULL);
  g_clear_object (&request->message);
  request->message = soup_message_new (request->method, uri);
  if (request->message == NULL)
    {
      g_task_return_new_error (task, XI_SYNC_ERROR, XI_SYNC_ERROR_INVALID_ARGUMENT,
                               _("Could not build a request for the project URL"));
      g_object_unref (task);
      return;
    }
  headers = soup_message_get_request_headers (request->message);
  soup_message_headers_append (headers, "apikey", self->anon_key);
  soup_message_headers_append (headers, "X-Client-Info", "xender-in/" PACKAGE_VERSION);
  soup_message_headers_append (headers, "Accept", "application/json");
  if (request->api == API_AUTH)
    soup_message_headers_append (headers, "X-Supabase-Api-Version", "2024-01-01");
  if (request->authenticated)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", self->access_token, NULL);

      soup_message_headers_append (headers, "Authorization", bearer);
      memset (bearer, 0, strlen (bearer));
      request->token_serial = self->token_serial;
    }
  if (request->prefer != NULL)
    soup_message_headers_append (headers, "Prefer", request->prefer);
  if (request->api == API_REST && self->device_id != NULL)
    soup_message_headers_append (headers, "X-Device-Id", self->device_id);
  if (request->expected_mark >= 0)
    {
      g_autofree char *mark = g_strdup_printf ("%" G_GINT64_FORMAT, request->expected_mark);

      soup_message_headers_append (headers, "X-Expected-Mark", mark);
    }
  if (request->body != NULL)
    soup_message_set_request_body_from_bytes (request->message, "application/json",
                                              request->body);

  start_deadline (self, request, g_task_get_cancellable (task));
  soup_session_send_async (self->session, request->message, G_PRIORITY_DEFAULT,
                           request->sending, request_sent_cb, task);
}

/* Takes @request; the task returns a Reply. */
static void
start_request (XiSupabaseClient    *self,
               Request             *request,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  send_request (task);
}

static Request *
request_new (Api         api,
             const char *method,
             const char *path_and_query,
             gboolean    authenticated)
{
  Request *request = g_new0 (Request, 1);

  request->api = api;
  request->method = g_strdup (method);
  request->path_and_query = g_strdup (path_and_query);
  request->authenticated = authenticated;
  request->expected_mark = -1;
  return request;
}

/* Returns the parsed body of a finished request, or NULL with no error
 * for an empty one (204). */
static JsonNode *
finish_json (GAsyncResult  *result,
             gboolean      *empty,
             GError       **error)
{
  g_autoptr(Reply) reply = g_task_propagate_pointer (G_TASK (result), error);

  *empty = FALSE;
  if (reply == NULL)
    return NULL;
  if (reply->status == 204 || g_bytes_get_size (reply->body) == 0)
    {
      *empty = TRUE;
      return NULL;
    }
  return parse_json (reply->body, error);
}

/* Refresh */

static void
finish_refresh (XiSupabaseClient *self,
                const GError     *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->refresh_waiters);

  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (waiters, i);

      /* A request that waited for a fresh token goes out now. */
      if (g_task_get_source_tag (waiter) != xi_supabase_client_refresh_async &&
          error == NULL)
        {
          send_request (waiter);
          continue;
        }
      if (error != NULL)
        g_task_return_error (waiter, g_error_copy (error));
      else
        g_task_return_boolean (waiter, TRUE);
      g_object_unref (waiter);
    }
}

static void
refresh_accepted_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  XiSupabaseClient *self = XI_SUPABASE_CLIENT (object);
  g_autoptr(GError) error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  finish_refresh (self, error);
}

static void
refresh_replied_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  XiSupabaseClient *self = XI_SUPABASE_CLIENT (object);
  guint generation = GPOINTER_TO_UINT (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  Session *session;
  gboolean empty;

  root = finish_json (result, &empty, &error);
  if (root != NULL && generation == self->generation)
    {
      session = session_from_reply (root, generation, &error);
      if (session != NULL)
        {
          GTask *accept = g_task_new (self, NULL, refresh_accepted_cb, NULL);

          accept_session (self, session, accept);
          return;
        }
    }
  else if (error == NULL)
    {
      if (generation != self->generation)
        g_set_error_literal (&error, XI_SYNC_ERROR, XI_SYNC_ERROR_NOT_SIGNED_IN,
                             _("Signed out while refreshing the session"));
      else
        g_set_error_literal (&error, XI_SYNC_ERROR, XI_SYNC_ERROR_BAD_REPLY,
                             _("The server answered a refresh without a session"));
    }

  /* Only the server saying the session is over signs out; a lost reply
   * keeps the old token, whose rotated child the server hands out again. */
  if (g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_SIGNED_OUT) &&
      generation == self->generation)
    forget_session (self);
  finish_refresh (self, error);
}

static void
send_refresh (XiSupabaseClient *self,
              guint             generation)
{
  g_autoptr(JsonObject) args = NULL;
  Request *request;

  if (generation != self->generation || self->refresh_token == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (XI_SYNC_ERROR, XI_SYNC_ERROR_NOT_SIGNED_IN,
                                                     _("Signed out while refreshing the session"));

      finish_refresh (self, error);
      return;
    }
  args = json_object_new ();
  json_object_set_string_member (args, "refresh_token", self->refresh_token);
  request = request_new (API_AUTH, "POST", "token?grant_type=refresh_token", FALSE);
  request->body = json_object_to_bytes (args);
  /* Not cancellable: other callers wait on the same refresh. */
  start_request (self, request, refresh, NULL, refresh_replied_cb, GUINT_TO_POINTER (generation));
}

static void
stored_token_read_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  XiSupabaseClient *self = XI_SUPABASE_CLIENT (object);
  guint generation = GPOINTER_TO_UINT (user_data);
  g_autoptr(GBytes) secret = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autofree char *stored = token_from_secret (secret);

  /* Nothing readable stored leaves the token held here to try. */
  if (stored != NULL && generation == self->generation && self->refresh_token != NULL &&
      !g_str_equal (stored, self->refresh_token))
    {
      wipe_string (&self->refresh_token);
      self->refresh_token = g_steal_pointer (&stored);
    }
  wipe_string (&stored);
  send_refresh (self, generation);
}

static void restore_lookup_thread (GTask        *task,
                                   gpointer      source_object,
                                   gpointer      task_data,
                                   GCancellable *cancellable);

/* Adds @waiter (owned) to the refresh in flight, starting one if none is:
 * refresh tokens are single use, so two refreshes at once would end the
 * session. Another program on the same data folder (the CLI beside the
 * app) may have rotated the token since this one read it, and GoTrue
 * answers a token two rotations old by ending the session on every
 * computer: the stored token is the newest, so it is read first. */
static void
refresh (XiSupabaseClient *self,
         GTask            *waiter)
{
  g_autoptr(GTask) lookup = NULL;

  assert_owner (self);

  if (self->refresh_token == NULL)
    {
      g_task_return_new_error (waiter, XI_SYNC_ERROR, XI_SYNC_ERROR_NOT_SIGNED_IN,
                               _("Sign in to your account first"));
      g_object_unref (waiter);
      return;
    }
  if (self->refresh_waiters != NULL)
    {
      g_ptr_array_add (self->refresh_waiters, waiter);
      return;
    }
  self->refresh_waiters = g_ptr_array_new ();
  g_ptr_array_add (self->refresh_waiters, waiter);

  if (self->secrets == NULL)
    {
      send_refresh (self, self->generation);
      return;
    }
  lookup = g_task_new (self, NULL, stored_token_read_cb, GUINT_TO_POINTER (self->generation));
  g_task_set_source_tag (lookup, stored_token_read_cb);
  g_task_set_task_data (lookup, g_object_ref (self->secrets), g_object_unref);
  g_task_run_in_thread (lookup, restore_lookup_thread);
}

static void
token_replied_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  XiSupabaseClient *self = XI_SUPABASE_CLIENT (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  Session *session;
  gboolean empty;

  root = finish_json (result, &empty, &error);
  if (root == NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, XI_SYNC_ERROR, XI_SYNC_ERROR_BAD_REPLY,
                             _("The server answered a sign-in without a session"));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A sign-up that waits for the address to be confirmed answers with
   * the user and no tokens. */
  if (g_task_get_source_tag (task) == xi_supabase_client_sign_up_async &&
      JSON_NODE_HOLDS_OBJECT (root) &&
      !json_object_has_member (json_node_get_object (root), "access_token"))
    {
      g_task_set_task_data (task, (gpointer) &needs_confirmation_marker, NULL);
      g_task_return_boolean (task, TRUE);
      return;
    }

  self->generation++;
  session = session_from_reply (root, self->generation, &error);
  if (session == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  accept_session (self, session, g_steal_pointer (&task));
}

static gboolean
check_credentials (const char  *email,
                   const char  *password,
                   GError     **error)
{
  const char *at = email != NULL ? strchr (email, '@') : NULL;

  if (email == NULL || !g_utf8_validate (email, -1, NULL) || at == NULL || at == email ||
      at[1] == '\0' || strchr (email, ' ') != NULL || strlen (email) > 320)
    {
      g_set_error_literal (error, XI_SYNC_ERROR, XI_SYNC_ERROR_INVALID_ARGUMENT,
                           _("Enter an email address like name@example.com"));
      return FALSE;
    }
  if (password == NULL || *password == '\0' || !g_utf8_validate (password, -1, NULL) ||
      strlen (password) > 1024)
    {
      g_set_error_literal (error, XI_SYNC_ERROR, XI_SYNC_ERROR_INVALID_ARGUMENT,
                           _("Enter a password"));
      return FALSE;
    }
  return TRUE;
}

static void
start_credentials (XiSupabaseClient    *self,
                   const char          *path,
                   const char          *email,
                   const char          *password,
                   gpointer             source_tag,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(JsonObject) args = NULL;
  g_autoptr(GError) error = NULL;
  Request *request;

  assert_owner (self);
  g_task_set_source_tag (task, source_tag);
  if (!check_credentials (email, password, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  args = json_object_new ();
  json_object_set_string_member (args, "email", email);
  json_object_set_string_member (args, "password", password);
  request = request_new (API_AUTH, "POST", path, FALSE);
  request->body = json_object_to_bytes (args);
  start_request (self, request, source_tag, cancellable, token_replied_cb,
                 g_steal_pointer (&task));
}

/* GObject */

static void
xi_supabase_client_finalize (GObject *object)
{
  XiSupabaseClient *self = (XiSupabaseClient *)object;

  g_assert (self->refresh_waiters == NULL);

  wipe_string (&self->access_token);
  wipe_string (&self->refresh_token);
  g_clear_object (&self->session);
  g_clear_object (&self->secrets);
  g_free (self->project_url);
  g_free (self->anon_key);
  g_free (self->user_id);
  g_free (self->email);
  g_free (self->device_id);

  G_OBJECT_CLASS (xi_supabase_client_parent_class)->finalize (object);
}

static void
xi_supabase_client_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  XiSupabaseClient *self = XI_SUPABASE_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SIGNED_IN:
      g_value_set_boolean (value, xi_supabase_client_get_signed_in (self));
      break;

    case PROP_USER_ID:
      g_value_set_string (value, self->user_id);
      break;

    case PROP_EMAIL:
      g_value_set_string (value, self->email);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_supabase_client_class_init (XiSupabaseClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = xi_supabase_client_finalize;
  object_class->get_property = xi_supabase_client_get_property;

  /**
   * XiSupabaseClient:signed-in:
   *
   * Whether a session is held. It turns %FALSE on sign-out and when the
   * server ends the session; the data stays where it is.
   */
  properties[PROP_SIGNED_IN] =
    g_param_spec_boolean ("signed-in", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * XiSupabaseClient:user-id:
   *
   * The account's user id (a UUID), kept after the session ends.
   */
  properties[PROP_USER_ID] =
    g_param_spec_string ("user-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * XiSupabaseClient:email:
   *
   * The account's email address, kept after the session ends.
   */
  properties[PROP_EMAIL] =
    g_param_spec_string ("email", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
xi_supabase_client_init (XiSupabaseClient *self)
{
  self->owner = g_thread_self ();
  self->deadline_ms = REQUEST_DEADLINE_MS;
  self->session = soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_SECONDS,
                                                 "idle-timeout", 60,
                                                 "user-agent", "xender-in/" PACKAGE_VERSION,
                                                 NULL);
}

/* Public API */

/**
 * xi_supabase_client_new:
 * @project_url: the project's URL (`https://…`; `http://` only for
 *   localhost)
 * @anon_key: the project's anon or publishable key, never a secret key
 * @secrets: (nullable): where the refresh token is kept; %NULL keeps the
 *   session in memory only
 * @error: return location for an error
 *
 * Creates a client owned by the calling thread: every call and callback
 * happens on it.
 *
 * Returns: (transfer full) (nullable): a signed-out client, or %NULL with
 *   %XI_SYNC_ERROR_INVALID_ARGUMENT saying what to fix
 */
XiSupabaseClient *
xi_supabase_client_new (const char     *project_url,
                        const char     *anon_key,
                        XiSecretStore  *secrets,
                        GError        **error)
{
  g_autoptr(XiSupabaseClient) self = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  g_return_val_if_fail (secrets == NULL || XI_IS_SECRET_STORE (secrets), NULL);

  if (project_url != NULL)
    uri = g_uri_parse (project_url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (uri == NULL || host == NULL || *host == '\0' ||
      g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL ||
      g_uri_get_fragment (uri) != NULL ||
      (g_strcmp0 (g_uri_get_path (uri), "") != 0 && g_strcmp0 (g_uri_get_path (uri), "/") != 0))
    {
      g_set_error_literal (error, XI_SYNC_ERROR, XI_SYNC_ERROR_INVALID_ARGUMENT,
                           _("Enter the project URL as shown in the project's API settings, "
                             "like https://abcdefgh.supabase.co"));
      return NULL;
    }
  if (g_ascii_strcasecmp (scheme, "https") != 0 &&
      !(g_ascii_strcasecmp (scheme, "http") == 0 &&
        (g_str_equal (host, "127.0.0.1") || g_str_equal (host, "::1") ||
         g_ascii_strcasecmp (host, "localhost") == 0)))
    {
      g_set_error_literal (error, XI_SYNC_ERROR, XI_SYNC_ERROR_INVALID_ARGUMENT,
                           _("The project URL must start with https:// so passwords "
                             "and data are encrypted on the way"));
      return NULL;
    }
  if (anon_key == NULL || strlen (anon_key) < 20 || strlen (anon_key) > 4096 ||
      strspn (anon_key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "0123456789-_.") != strlen (anon_key))
    {
      g_set_error_literal (error, XI_SYNC_ERROR, XI_SYNC_ERROR_INVALID_ARGUMENT,
                           _("Enter the project's anon (publishable) key from its API settings"));
      return NULL;
    }
  if (g_str_has_prefix (anon_key, "sb_secret_"))
    {
      g_set_error_literal (error, XI_SYNC_ERROR, XI_SYNC_ERROR_INVALID_ARGUMENT,
                           _("That is the project's secret key, which must never leave "
                             "the server; enter the anon (publishable) key instead"));
      return NULL;
    }

  self = g_object_new (XI_TYPE_SUPABASE_CLIENT, NULL);
  self->project_url = g_strdup (project_url);
  if (g_str_has_suffix (self->project_url, "/"))
    self->project_url[strlen (self->project_url) - 1] = '\0';
  self->anon_key = g_strdup (anon_key);
  g_set_object (&self->secrets, secrets);
  return g_steal_pointer (&self);
}

/**
 * xi_supabase_client_get_project_url:
 * @self: a #XiSupabaseClient
 *
 * Returns: the project URL, without a trailing slash
 */
const char *
xi_supabase_client_get_project_url (XiSupabaseClient *self)
{
  g_return_val_if_fail (XI_IS_SUPABASE_CLIENT (self), NULL);

  return self->project_url;
}

/**
 * xi_supabase_client_set_request_deadline:
 * @self: a #XiSupabaseClient
 * @milliseconds: how long one request may take, sent and read, at least 1
 *
 * Changes how long a request may take before it fails as if the network
 * were gone (ten minutes unless set), for tests.
 */
void
xi_supabase_client_set_request_deadline (XiSupabaseClient *self,
                                         guint             milliseconds)
{
  g_return_if_fail (XI_IS_SUPABASE_CLIENT (self));
  g_return_if_fail (milliseconds > 0);
  assert_owner (self);

  self->deadline_ms = milliseconds;
}

/**
 * xi_supabase_client_set_device_id:
 * @self: a #XiSupabaseClient
 * @device_id: (nullable): the data folder's device id, registered with
 *   the server (`register_device`), or %NULL
 *
 * Names the device in every REST request from now on (`X-Device-Id`): the
 * server lets only a campaign's own device write its rows.
 */
void
xi_supabase_client_set_device_id (XiSupabaseClient *self,
                                  const char       *device_id)
{
  g_return_if_fail (XI_IS_SUPABASE_CLIENT (self));
  g_return_if_fail (device_id == NULL || g_uuid_string_is_valid (device_id));
  g_assert (self->owner == g_thread_self ());

  g_free (self->device_id);
  self->device_id = g_strdup (device_id);
}

/**
 * xi_supabase_client_get_signed_in:
 * @self: a #XiSupabaseClient
 *
 * Returns: whether a session is held
 */
gboolean
xi_supabase_client_get_signed_in (XiSupabaseClient *self)
{
  g_return_val_if_fail (XI_IS_SUPABASE_CLIENT (self), FALSE);

  return self->refresh_token != NULL;
}

/**
 * xi_supabase_client_get_bytes_read:
 * @self: a #XiSupabaseClient
 *
 * What a caller may budget its requests by: a server's replies, bad ones
 * and the ones refused for their size included, cost this much reading.
 *
 * Returns: the bytes of reply bodies read since @self was made
 */
guint64
xi_supabase_client_get_bytes_read (XiSupabaseClient *self)
{
  g_return_val_if_fail (XI_IS_SUPABASE_CLIENT (self), 0);
  assert_owner (self);

  return self->bytes_read;
}

/**
 * xi_supabase_client_get_user_id:
 * @self: a #XiSupabaseClient
 *
 * Returns: (nullable): the id of the account last signed in
 */
const char *
xi_supabase_client_get_user_id (XiSupabaseClient *self)
{
  g_return_val_if_fail (XI_IS_SUPABASE_CLIENT (self), NULL);

  return self->user_id;
}

/**
 * xi_supabase_client_get_email:
 * @self: a #XiSupabaseClient
 *
 * Returns: (nullable): the address of the account last signed in
 */
const char *
xi_supabase_client_get_email (XiSupabaseClient *self)
{
  g_return_val_if_fail (XI_IS_SUPABASE_CLIENT (self), NULL);

  return self->email;
}

static void
session_kept_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!xi_secret_store_save_finish (XI_SECRET_STORE (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * xi_supabase_client_keep_session_async:
 * @self: a signed-in #XiSupabaseClient
 * @secrets: where the session is kept from now on
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the session is stored
 * @user_data: data for @callback
 *
 * Moves the session to @secrets and stores it there. A sign-in learns
 * which account (and so which data folder, with its own secret store) it
 * is for only from the server's answer; this puts the session where that
 * folder's next start looks for it.
 */
void
xi_supabase_client_keep_session_async (XiSupabaseClient    *self,
                                       XiSecretStore       *secrets,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (XI_IS_SUPABASE_CLIENT (self));
  g_return_if_fail (XI_IS_SECRET_STORE (secrets));
  assert_owner (self);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_supabase_client_keep_session_async);
  if (self->refresh_token == NULL)
    {
      g_task_return_new_error (task, XI_SYNC_ERROR, XI_SYNC_ERROR_NOT_SIGNED_IN,
                               _("Sign in to your account first"));
      return;
    }
  g_set_object (&self->secrets, secrets);
  save_session_async (secrets, self->refresh_token, cancellable, session_kept_cb,
                      g_steal_pointer (&task));
}

/**
 * xi_supabase_client_keep_session_finish:
 * @self: a #XiSupabaseClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: whether the session is stored
 */
gboolean
xi_supabase_client_keep_session_finish (XiSupabaseClient  *self,
                                        GAsyncResult      *result,
                                        GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * xi_supabase_client_sign_up_async:
 * @self: a #XiSupabaseClient
 * @email: the new account's address
 * @password: its password
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Creates an account. Projects that confirm addresses answer without a
 * session: the user signs in after following the mail's link.
 */
void
xi_supabase_client_sign_up_async (XiSupabaseClient    *self,
                                  const char          *email,
                                  const char          *password,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (XI_IS_SUPABASE_CLIENT (self));

  start_credentials (self, "signup", email, password, xi_supabase_client_sign_up_async,
                     cancellable, callback, user_data);
}

/**
 * xi_supabase_client_sign_up_finish:
 * @self: a #XiSupabaseClient
 * @result: the result
 * @needs_confirmation: (out) (optional): set to %TRUE when the account
 *   waits for its address to be confirmed and no session was made
 * @error: return location for an error
 *
 * Returns: whether the account was created
 */
gboolean
xi_supabase_client_sign_up_finish (XiSupabaseClient  *self,
                                   GAsyncResult      *result,
                                   gboolean          *needs_confirmation,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (needs_confirmation != NULL)
    *needs_confirmation = g_task_get_task_data (G_TASK (result)) == &needs_confirmation_marker;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * xi_supabase_client_sign_in_async:
 * @self: a #XiSupabaseClient
 * @email: the account's address
 * @password: its password
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Signs in with a password and stores the session.
 */
void
xi_supabase_client_sign_in_async (XiSupabaseClient    *self,
                                  const char          *email,
                                  const char          *password,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (XI_IS_SUPABASE_CLIENT (self));

  start_credentials (self, "token?grant_type=password", email, password,
                     xi_supabase_client_sign_in_async, cancellable, callback, user_data);
}

/**
 * xi_supabase_client_sign_in_finish:
 * @self: a #XiSupabaseClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: whether the client is signed in
 */
gboolean
xi_supabase_client_sign_in_finish (XiSupabaseClient  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Runs on a worker thread, with the secret store only. A session kept
 * under the name every folder once shared is taken over by the first
 * folder that looks: it is the last sign-in's, and the app opens the
 * folder of the account signed in last. */
static void
restore_lookup_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  XiSecretStore *secrets = task_data;
  g_autofree char *name = xi_secret_store_dup_folder_name (secrets, SECRET_NAME);
  g_autoptr(GBytes) secret = NULL;
  GError *error = NULL;

  secret = xi_secret_store_lookup_sync (secrets, name, cancellable, &error);
  if (secret == NULL && error == NULL)
    {
      secret = xi_secret_store_lookup_sync (secrets, SECRET_NAME, cancellable, &error);
      if (secret != NULL &&
          (!xi_secret_store_save_sync (secrets, name, _("Xender-In account sign-in"), secret,
                                       cancellable, &error) ||
           !xi_secret_store_delete_sync (secrets, SECRET_NAME, cancellable, &error)))
        g_clear_pointer (&secret, g_bytes_unref);
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&secret), (GDestroyNotify) g_bytes_unref);
}

static void
restore_looked_up_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiSupabaseClient *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) secret = NULL;
  g_autofree char *token = NULL;
  gboolean was_signed_in;

  secret = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, XI_STORE_ERROR, XI_STORE_ERROR_SECRETS_LOCKED))
    {
      g_task_return_new_error (task, XI_SYNC_ERROR, XI_SYNC_ERROR_KEYRING_LOCKED,
                               _("The keyring is locked: unlock it to sync"));
      return;
    }
  if (secret == NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, XI_SYNC_ERROR, XI_SYNC_ERROR_NOT_SIGNED_IN,
                             _("No account is signed in"));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  token = token_from_secret (secret);
  if (token == NULL)
    {
      g_task_return_new_error (task, XI_SYNC_ERROR, XI_SYNC_ERROR_NOT_SIGNED_IN,
                               _("The stored sign-in is damaged; sign in again"));
      return;
    }
  self->generation++;
  was_signed_in = self->refresh_token != NULL;
  wipe_string (&self->refresh_token);
  self->refresh_token = g_steal_pointer (&token);
  self->refresh_at = 0;
  if (!was_signed_in)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
  refresh (self, g_steal_pointer (&task));
}

/**
 * xi_supabase_client_restore_async:
 * @self: a #XiSupabaseClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Signs in again with the session kept in the secret store, refreshing
 * it. Fails with %XI_SYNC_ERROR_NOT_SIGNED_IN when none is kept, with
 * %XI_SYNC_ERROR_KEYRING_LOCKED when the keyring keeping it does not
 * answer, with %XI_SYNC_ERROR_SIGNED_OUT when the server ended it, and with a
 * transient error (see xi_sync_error_is_transient()) when offline, in
 * which case the client holds the session and the next request retries.
 */
void
xi_supabase_client_restore_async (XiSupabaseClient    *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) lookup = NULL;

  g_return_if_fail (XI_IS_SUPABASE_CLIENT (self));
  assert_owner (self);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_supabase_client_refresh_async);
  if (self->secrets == NULL)
    {
      g_task_return_new_error (task, XI_SYNC_ERROR, XI_SYNC_ERROR_NOT_SIGNED_IN,
                               _("No account is signed in"));
      return;
    }
  lookup = g_task_new (NULL, cancellable, restore_looked_up_cb, g_steal_pointer (&task));
  g_task_set_source_tag (lookup, restore_lookup_thread);
  g_task_set_task_data (lookup, g_object_ref (self->secrets), g_object_unref);
  g_task_run_in_thread (lookup, restore_lookup_thread);
}

/**
 * xi_supabase_client_restore_finish:
 * @self: a #XiSupabaseClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: whether the client is signed in with a fresh token
 */
gboolean
xi_supabase_client_restore_finish (XiSupabaseClient  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * xi_supabase_client_refresh_async:
 * @self: a #XiSupabaseClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Exchanges the refresh token for a new session now. Calls made while a
 * refresh is in flight share it: only one refresh is ever sent at a time.
 * Requests refresh by themselves when needed; this is for callers that
 * want to check the session, like `xender-in-cli status`.
 */
void
xi_supabase_client_refresh_async (XiSupabaseClient    *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_SUPABASE_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_supabase_client_refresh_async);
  refresh (self, task);
}

/**
 * xi_supabase_client_refresh_finish:
 * @self: a #XiSupabaseClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: whether the session was refreshed
 */
gboolean
xi_supabase_client_refresh_finish (XiSupabaseClient  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
object_replied_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  gboolean empty;

  root = finish_json (result, &empty, &error);
  if (root == NULL && error == NULL)
    g_set_error_literal (&error, XI_SYNC_ERROR, XI_SYNC_ERROR_BAD_REPLY,
                         _("The server sent an empty answer"));
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_task_return_new_error (task, XI_SYNC_ERROR, XI_SYNC_ERROR_BAD_REPLY,
                               _("The server sent something else than an object"));
      return;
    }
  g_task_return_pointer (task, json_object_ref (json_node_get_object (root)),
                         (GDestroyNotify) json_object_unref);
}

/**
 * xi_supabase_client_get_user_async:
 * @self: a #XiSupabaseClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Asks the server who is signed in, which also proves the session works.
 */
void
xi_supabase_client_get_user_async (XiSupabaseClient    *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_SUPABASE_CLIENT (self));
  assert_owner (self);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_supabase_client_get_user_async);
  start_request (self, request_new (API_AUTH, "GET", "user", TRUE),
                 xi_supabase_client_get_user_async, cancellable, object_replied_cb, task);
}

/**
 * xi_supabase_client_get_user_finish:
 * @self: a #XiSupabaseClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): GoTrue's user object
 */
JsonObject *
xi_supabase_client_get_user_finish (XiSupabaseClient  *self,
                                    GAsyncResult      *result,
                                    GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
logged_out_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiSupabaseClient *self = g_task_get_source_object (task);
  g_autoptr(GError) server_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) reply = NULL;

  /* Whatever the server said, this computer forgets the session: an
   * offline sign-out must not leave a usable token behind. */
  reply = g_task_propagate_pointer (G_TASK (result), &server_error);
  if (server_error != NULL)
    g_debug ("The server did not take the sign-out: %s", server_error->message);

  drop_session (self);
  if (self->secrets != NULL && !delete_session (self->secrets, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * xi_supabase_client_sign_out_async:
 * @self: a #XiSupabaseClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Ends this computer's session (scope `local`: the account's other
 * computers stay signed in) and deletes it from the secret store, also
 * when the server cannot be reached. Local data is not touched.
 */
void
xi_supabase_client_sign_out_async (XiSupabaseClient    *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_SUPABASE_CLIENT (self));
  assert_owner (self);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_supabase_client_sign_out_async);
  start_request (self, request_new (API_AUTH, "POST", "logout?scope=local", TRUE),
                 xi_supabase_client_sign_out_async, cancellable, logged_out_cb, task);
}

/**
 * xi_supabase_client_sign_out_finish:
 * @self: a #XiSupabaseClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: whether the session is gone from this computer
 */
gboolean
xi_supabase_client_sign_out_finish (XiSupabaseClient  *self,
                                    GAsyncResult      *result,
                                    GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
array_replied_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  gboolean empty;

  root = finish_json (result, &empty, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* PostgREST answers a read, and a write that asks for its rows back,
   * with a list even when it is empty. No body at all is not "no rows":
   * taken as such, a pull would think a table read to its end and skip
   * its rows for good, and a push would think its facts stored. */
  if (empty || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_task_return_new_error (task, XI_SYNC_ERROR, XI_SYNC_ERROR_BAD_REPLY,
                               _("The server sent something else than a list of rows"));
      return;
    }
  g_task_return_pointer (task, json_array_ref (json_node_get_array (root)),
                         (GDestroyNotify) json_array_unref);
}

static gboolean
check_table (GTask      *task,
             const char *table)
{
  if (is_identifier (table))
    return TRUE;
  g_task_return_new_error (task, XI_SYNC_ERROR, XI_SYNC_ERROR_INVALID_ARGUMENT,
                           _("“%s” is not a table or function name"), table);
  g_object_unref (task);
  return FALSE;
}

/**
 * xi_supabase_client_select_async:
 * @self: a #XiSupabaseClient
 * @table: the table
 * @query: (array zero-terminated=1): pairs of PostgREST parameter names
 *   and values (`"server_seq", "gt.41", "order", "server_seq.asc"`), each
 *   percent-encoded here, so a `+` in a timestamp stays a `+`
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Reads rows as the signed-in user. The server may return fewer rows
 * than a `limit` asks for (its max-rows cap): page on a key until a page
 * comes back empty.
 */
void
xi_supabase_client_select_async (XiSupabaseClient    *self,
                                 const char          *table,
                                 const char * const  *query,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GString) path = NULL;
  GTask *task;

  g_return_if_fail (XI_IS_SUPABASE_CLIENT (self));
  g_return_if_fail (query != NULL);
  assert_owner (self);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_supabase_client_select_async);
  if (!check_table (task, table))
    return;

  path = g_string_new (table);
  for (gsize i = 0; query[i] != NULL; i += 2)
    {
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (query[i + 1] == NULL)
        {
          g_task_return_new_error (task, XI_SYNC_ERROR, XI_SYNC_ERROR_INVALID_ARGUMENT,
                                   _("The query parameter “%s” has no value"), query[i]);
          g_object_unref (task);
          return;
        }
      name = g_uri_escape_string (query[i], NULL, FALSE);
      value = g_uri_escape_string (query[i + 1], NULL, FALSE);
      g_string_append_printf (path, "%c%s=%s", i == 0 ? '?' : '&', name, value);
    }
  start_request (self, request_new (API_REST, "GET", path->str, TRUE),
                 xi_supabase_client_select_async, cancellable, array_replied_cb, task);
}

/**
 * xi_supabase_client_select_finish:
 * @self: a #XiSupabaseClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the rows, as objects
 */
JsonArray *
xi_supabase_client_select_finish (XiSupabaseClient  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xi_supabase_client_upsert_async:
 * @self: a #XiSupabaseClient
 * @table: the table
 * @on_conflict: (nullable): the unique columns to merge on, comma
 *   separated; %NULL for the primary key
 * @ignore_duplicates: keep existing rows as they are (append-only facts)
 *   instead of merging into them
 * @expected_mark: the highest mark this device saw the server hold for
 *   it (`X-Expected-Mark`), or -1 to send none
 * @rows: objects that all have the same keys (PostgREST refuses others
 *   with `PGRST102`): write absent values as explicit nulls
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Inserts or updates @rows in one request and one transaction: either all
 * are written or none. A server holding a lower mark for this device than
 * @expected_mark writes none and fails with
 * %XI_SYNC_ERROR_SERVER_RESTORED.
 */
void
xi_supabase_client_upsert_async (XiSupabaseClient    *self,
                                 const char          *table,
                                 const char          *on_conflict,
                                 gboolean             ignore_duplicates,
                                 gint64               expected_mark,
                                 JsonArray           *rows,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *path = NULL;
  Request *request;
  GTask *task;

  g_return_if_fail (XI_IS_SUPABASE_CLIENT (self));
  g_return_if_fail (rows != NULL);
  assert_owner (self);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_supabase_client_upsert_async);
  if (!check_table (task, table))
    return;
  if (on_conflict != NULL)
    {
      g_auto(GStrv) columns = g_strsplit (on_conflict, ",", -1);

      for (guint i = 0; columns[i] != NULL; i++)
        if (!check_table (task, columns[i]))
          return;
      path = g_strdup_printf ("%s?on_conflict=%s", table, on_conflict);
    }
  else
    path = g_strdup (table);

  request = request_new (API_REST, "POST", path, TRUE);
  request->prefer = g_strdup (ignore_duplicates
                              ? "resolution=ignore-duplicates,return=representation"
                              : "resolution=merge-duplicates,return=representation");
  request->expected_mark = expected_mark;
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, rows);
  request->body = json_node_to_bytes (node);
  start_request (self, request, xi_supabase_client_upsert_async, cancellable,
                 array_replied_cb, task);
}

/**
 * xi_supabase_client_upsert_finish:
 * @self: a #XiSupabaseClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the rows as the server stored them
 *   (in no particular order: match them by id). With @ignore_duplicates,
 *   rows that existed already are not returned.
 */
JsonArray *
xi_supabase_client_upsert_finish (XiSupabaseClient  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
rpc_replied_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  gboolean empty;

  root = finish_json (result, &empty, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (empty)
    g_task_return_pointer (task, json_node_new (JSON_NODE_NULL), (GDestroyNotify) json_node_unref);
  else
    g_task_return_pointer (task, root, (GDestroyNotify) json_node_unref);
}

/**
 * xi_supabase_client_rpc_async:
 * @self: a #XiSupabaseClient
 * @function: the function in the `public` schema
 * @args: (nullable): its arguments by name
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Calls a database function with POST, so functions that write run in a
 * read-write transaction.
 */
void
xi_supabase_client_rpc_async (XiSupabaseClient    *self,
                              const char          *function,
                              JsonObject          *args,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(JsonObject) empty = NULL;
  g_autofree char *path = NULL;
  Request *request;
  GTask *task;

  g_return_if_fail (XI_IS_SUPABASE_CLIENT (self));
  assert_owner (self);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_supabase_client_rpc_async);
  if (!check_table (task, function))
    return;

  if (args == NULL)
    args = empty = json_object_new ();
  path = g_strconcat ("rpc/", function, NULL);
  request = request_new (API_REST, "POST", path, TRUE);
  request->body = json_object_to_bytes (args);
  start_request (self, request, xi_supabase_client_rpc_async, cancellable,
                 rpc_replied_cb, task);
}

/**
 * xi_supabase_client_rpc_finish:
 * @self: a #XiSupabaseClient
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the function's result; a null
 *   node for a function returning void
 */
JsonNode *
xi_supabase_client_rpc_finish (XiSupabaseClient  *self,
                               GAsyncResult      *result,
                               GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
