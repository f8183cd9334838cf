/* test-supabase-client.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "xi-supabase-client.h"
#include "xi-sync-error.h"
#include "xi-sync-test-utils.h"
#include "xi-test-utils.h"

/*
 * The Supabase client against real PostgreSQL with the project's
 * migrations behind the test gateway (tests/fakesupabase), one cluster for
 * the whole program and a new account per test.
 */

static FsRig *rig;

typedef struct
{
  char             *dir;
  XiSecretStore    *secrets;
  XiSupabaseClient *client;
  char             *email;
} Fixture;

/* Auxiliary methods */

static void
control (const char *command)
{
  xi_sync_test_control (rig, command);
}

static XiSecretStore *
secrets_in (const char *dir)
{
  g_autofree char *db = g_build_filename (dir, "xender-in.db", NULL);

  return xi_secret_store_new (db, XI_SECRET_BACKEND_FILE);
}

static XiSupabaseClient *
client_new (XiSecretStore *secrets)
{
  g_autoptr(GError) error = NULL;
  XiSupabaseClient *client;

  client = xi_supabase_client_new (fs_rig_get_url (rig), fs_rig_get_anon_key (rig),
                                   secrets, &error);
  g_assert_no_error (error);
  g_assert_nonnull (client);
  return client;
}

static char *
new_email (void)
{
  return g_strdup_printf ("owner-%08x@example.com", g_random_int ());
}

static gboolean
sign_up (XiSupabaseClient *client,
         const char       *email,
         gboolean         *needs_confirmation,
         GError          **error)
{
  gboolean ok = FALSE;

  XI_TEST_WAIT (xi_supabase_client_sign_up_async (client, email, "correct horse battery",
                                                  NULL, xi_test_store_result_cb, &slot_),
                ok = xi_supabase_client_sign_up_finish (client, result_, needs_confirmation,
                                                        error));
  return ok;
}

static gboolean
sign_in (XiSupabaseClient *client,
         const char       *email,
         const char       *password,
         GError          **error)
{
  gboolean ok = FALSE;

  XI_TEST_WAIT (xi_supabase_client_sign_in_async (client, email, password, NULL,
                                                  xi_test_store_result_cb, &slot_),
                ok = xi_supabase_client_sign_in_finish (client, result_, error));
  return ok;
}

static gboolean
refresh (XiSupabaseClient *client,
         GError          **error)
{
  gboolean ok = FALSE;

  XI_TEST_WAIT (xi_supabase_client_refresh_async (client, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_supabase_client_refresh_finish (client, result_, error));
  return ok;
}

static gboolean
restore (XiSupabaseClient *client,
         GError          **error)
{
  gboolean ok = FALSE;

  XI_TEST_WAIT (xi_supabase_client_restore_async (client, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_supabase_client_restore_finish (client, result_, error));
  return ok;
}

static JsonArray *
select_rows (XiSupabaseClient   *client,
             const char         *table,
             const char * const *query,
             GError            **error)
{
  JsonArray *rows = NULL;

  XI_TEST_WAIT (xi_supabase_client_select_async (client, table, query, NULL,
                                                 xi_test_store_result_cb, &slot_),
                rows = xi_supabase_client_select_finish (client, result_, error));
  return rows;
}

static JsonArray *
upsert_expecting (XiSupabaseClient *client,
                  const char       *table,
                  gint64            expected_mark,
                  JsonArray        *rows,
                  GError          **error)
{
  JsonArray *stored = NULL;

  XI_TEST_WAIT (xi_supabase_client_upsert_async (client, table, NULL, FALSE, expected_mark,
                                                 rows, NULL,
                                                 xi_test_store_result_cb, &slot_),
                stored = xi_supabase_client_upsert_finish (client, result_, error));
  return stored;
}

static JsonArray *
upsert (XiSupabaseClient *client,
        const char       *table,
        JsonArray        *rows,
        GError          **error)
{
  return upsert_expecting (client, table, -1, rows, error);
}

static JsonNode *
rpc (XiSupabaseClient *client,
     const char       *function,
     JsonObject       *args,
     GError          **error)
{
  JsonNode *node = NULL;

  XI_TEST_WAIT (xi_supabase_client_rpc_async (client, function, args, NULL,
                                              xi_test_store_result_cb, &slot_),
                node = xi_supabase_client_rpc_finish (client, result_, error));
  return node;
}

static JsonObject *
contact_row (const char *master_user_id,
             const char *phone)
{
  JsonObject *row = json_object_new ();
  JsonArray *changed = json_array_new ();
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *op = g_uuid_string_random ();

  json_array_add_string_element (changed, "name");
  json_array_add_string_element (changed, "phone");
  json_object_set_string_member (row, "id", id);
  json_object_set_string_member (row, "master_user_id", master_user_id);
  json_object_set_string_member (row, "name", "Customer");
  json_object_set_string_member (row, "phone", phone);
  json_object_set_string_member (row, "last_op_id", op);
  json_object_set_int_member (row, "base_version", 0);
  json_object_set_array_member (row, "sync_changed", changed);
  return row;
}

static JsonArray *
contact_rows (const char *master_user_id,
              guint       first,
              guint       n)
{
  JsonArray *rows = json_array_new ();

  for (guint i = first; i < first + n; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62811%08u", i);

      json_array_add_object_element (rows, contact_row (master_user_id, phone));
    }
  return rows;
}

static void
push_contacts (XiSupabaseClient *client,
               guint             n)
{
  const char *master = xi_supabase_client_get_user_id (client);

  for (guint first = 0; first < n; first += 500)
    {
      g_autoptr(JsonArray) rows = contact_rows (master, first, MIN (500, n - first));
      g_autoptr(JsonArray) stored = NULL;
      g_autoptr(GError) error = NULL;

      stored = upsert (client, "contacts", rows, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (json_array_get_length (stored), ==, json_array_get_length (rows));
    }
}

/* Reads every contact the way a pull does: keyset pages on server_seq
 * until an empty page, counting each id once. */
static GHashTable *
pull_contacts (XiSupabaseClient *client,
               guint            *pages)
{
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 checkpoint = 0;

  *pages = 0;
  for (;;)
    {
      g_autofree char *after = g_strdup_printf ("gt.%" G_GINT64_FORMAT, checkpoint);
      g_autofree char *master = g_strconcat ("eq.", xi_supabase_client_get_user_id (client), NULL);
      const char *query[] = { "select", "id,server_seq", "master_user_id", master,
                              "server_seq", after, "order", "server_seq.asc",
                              "limit", "500", NULL };
      g_autoptr(JsonArray) rows = NULL;
      g_autoptr(GError) error = NULL;
      guint length;

      rows = select_rows (client, "contacts", query, &error);
      g_assert_no_error (error);
      length = json_array_get_length (rows);
      if (length == 0)
        break;
      (*pages)++;
      for (guint i = 0; i < length; i++)
        {
          JsonObject *row = json_array_get_object_element (rows, i);
          gint64 seq = json_object_get_int_member (row, "server_seq");

          g_assert_cmpint (seq, >, checkpoint);
          checkpoint = seq;
          g_assert_true (g_hash_table_add (ids, g_strdup (json_object_get_string_member (row, "id"))));
        }
    }
  return g_steal_pointer (&ids);
}

static void
assert_server_error (const GError *error,
                     int           code,
                     guint         status,
                     const char   *server_code)
{
  g_assert_error (error, XI_SYNC_ERROR, code);
  g_assert_cmpuint (xi_sync_error_get_status (error), ==, status);
  g_assert_cmpstr (xi_sync_error_get_server_code (error), ==, server_code);
}

/* Fixture */

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean needs_confirmation = TRUE;

  control ("reset");
  control ("max-rows?n=0");
  control ("token-lifetime?seconds=3600");
  control ("jwt-skew?seconds=30");
  control ("autoconfirm?on=true");

  fixture->dir = xi_test_make_tmpdir ();
  fixture->secrets = secrets_in (fixture->dir);
  fixture->client = client_new (fixture->secrets);
  fixture->email = new_email ();
  g_assert_true (sign_up (fixture->client, fixture->email, &needs_confirmation, &error));
  g_assert_no_error (error);
  g_assert_false (needs_confirmation);
  g_assert_true (xi_supabase_client_get_signed_in (fixture->client));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->secrets);
  xi_test_rm_rf (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->email);
}

/* Tests */

static void
test_new_refuses_bad_input (void)
{
  static const struct {
    const char *url;
    const char *key;
  } cases[] = {
    { "", "eyJhbGciOiJIUzI1NiJ9.e30.abcdefghijklmnop" },
    { "abcdefgh.supabase.co", "eyJhbGciOiJIUzI1NiJ9.e30.abcdefghijklmnop" },
    { "http://abcdefgh.supabase.co", "eyJhbGciOiJIUzI1NiJ9.e30.abcdefghijklmnop" },
    { "https://abcdefgh.supabase.co/rest/v1", "eyJhbGciOiJIUzI1NiJ9.e30.abcdefghijklmnop" },
    { "https://user:pw@abcdefgh.supabase.co", "eyJhbGciOiJIUzI1NiJ9.e30.abcdefghijklmnop" },
    { "https://abcdefgh.supabase.co", "" },
    { "https://abcdefgh.supabase.co", "not a key with spaces in it at all" },
    { "https://abcdefgh.supabase.co", "sb_secret_abcdefghijklmnopqrstuvwxyz" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(XiSupabaseClient) client = NULL;

      client = xi_supabase_client_new (cases[i].url, cases[i].key, NULL, &error);
      g_assert_null (client);
      g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_INVALID_ARGUMENT);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(XiSupabaseClient) client = NULL;

    client = xi_supabase_client_new ("https://abcdefgh.supabase.co/",
                                     "sb_publishable_abcdefghijklmnopqrstuvwxyz", NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (xi_supabase_client_get_project_url (client), ==, "https://abcdefgh.supabase.co");
    g_assert_false (xi_supabase_client_get_signed_in (client));
  }
}

static void
test_sign_in_errors (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(XiSupabaseClient) other = client_new (NULL);
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pending = new_email ();
  gboolean needs_confirmation = FALSE;

  g_assert_nonnull (xi_supabase_client_get_user_id (fixture->client));
  g_assert_cmpstr (xi_supabase_client_get_email (fixture->client), ==, fixture->email);

  XI_TEST_WAIT (xi_supabase_client_get_user_async (fixture->client, NULL,
                                                   xi_test_store_result_cb, &slot_),
                user = xi_supabase_client_get_user_finish (fixture->client, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (user, "id"), ==,
                   xi_supabase_client_get_user_id (fixture->client));

  g_assert_false (sign_in (other, fixture->email, "wrong password", &error));
  assert_server_error (error, XI_SYNC_ERROR_INVALID_CREDENTIALS, 400, "invalid_credentials");
  g_assert_false (xi_supabase_client_get_signed_in (other));
  g_clear_error (&error);

  g_assert_false (sign_up (other, fixture->email, NULL, &error));
  assert_server_error (error, XI_SYNC_ERROR_USER_EXISTS, 422, "user_already_exists");
  g_clear_error (&error);

  g_assert_false (sign_in (other, "not an address", "password", &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  control ("autoconfirm?on=false");
  g_assert_true (sign_up (other, pending, &needs_confirmation, &error));
  g_assert_no_error (error);
  g_assert_true (needs_confirmation);
  g_assert_false (xi_supabase_client_get_signed_in (other));
  g_assert_false (sign_in (other, pending, "correct horse battery", &error));
  assert_server_error (error, XI_SYNC_ERROR_EMAIL_NOT_CONFIRMED, 400, "email_not_confirmed");
  g_clear_error (&error);

  g_assert_true (sign_in (other, fixture->email, "correct horse battery", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (xi_supabase_client_get_user_id (other), ==,
                   xi_supabase_client_get_user_id (fixture->client));
}

static void
test_restore_from_secret_store (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(XiSupabaseClient) again = client_new (fixture->secrets);
  g_autofree char *name = xi_secret_store_dup_folder_name (fixture->secrets,
                                                           "supabase-refresh-token");
  g_autofree char *key_file = xi_secret_store_dup_key_file (fixture->secrets, name);
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  g_assert_cmpint (g_stat (key_file, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0600);

  g_assert_true (restore (again, &error));
  g_assert_no_error (error);
  g_assert_true (xi_supabase_client_get_signed_in (again));
  g_assert_cmpstr (xi_supabase_client_get_user_id (again), ==,
                   xi_supabase_client_get_user_id (fixture->client));
  g_assert_cmpstr (xi_supabase_client_get_email (again), ==, fixture->email);

  /* The restore rotated the token; the first client's copy is now the
   * parent, which GoTrue answers with the active one. Signing out here
   * deletes the stored session, and a third client finds none. */
  XI_TEST_WAIT (xi_supabase_client_sign_out_async (again, NULL, xi_test_store_result_cb, &slot_),
                g_assert_true (xi_supabase_client_sign_out_finish (again, result_, &error)));
  g_assert_no_error (error);
  g_assert_false (xi_supabase_client_get_signed_in (again));
  g_assert_false (g_file_test (key_file, G_FILE_TEST_EXISTS));

  {
    g_autoptr(XiSupabaseClient) third = client_new (fixture->secrets);

    g_assert_false (restore (third, &error));
    g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_NOT_SIGNED_IN);
    g_assert_false (xi_supabase_client_get_signed_in (third));
  }
}

/* Two data folders on one computer, each signed in to its own account:
 * each keeps its own session under a name of its own, and neither uses
 * the name every folder once shared. */
static void
test_session_per_folder (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *other_dir = xi_test_make_tmpdir ();
  g_autoptr(XiSecretStore) other_secrets = secrets_in (other_dir);
  g_autoptr(XiSupabaseClient) other = client_new (other_secrets);
  g_autofree char *other_email = new_email ();
  g_autofree char *name = xi_secret_store_dup_folder_name (fixture->secrets,
                                                           "supabase-refresh-token");
  g_autofree char *other_name = xi_secret_store_dup_folder_name (other_secrets,
                                                                 "supabase-refresh-token");
  g_autoptr(GError) error = NULL;
  gboolean needs_confirmation = TRUE;

  g_assert_true (sign_up (other, other_email, &needs_confirmation, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (name, !=, other_name);

  for (guint i = 0; i < 2; i++)
    {
      XiSecretStore *secrets = i == 0 ? fixture->secrets : other_secrets;
      XiSupabaseClient *signed_in = i == 0 ? fixture->client : other;
      g_autoptr(XiSupabaseClient) restarted = client_new (secrets);
      g_autoptr(GBytes) shared = NULL;

      g_assert_true (restore (restarted, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (xi_supabase_client_get_user_id (restarted), ==,
                       xi_supabase_client_get_user_id (signed_in));
      shared = xi_secret_store_lookup_sync (secrets, "supabase-refresh-token", NULL, &error);
      g_assert_no_error (error);
      g_assert_null (shared);
    }
  g_assert_cmpstr (xi_supabase_client_get_user_id (fixture->client), !=,
                   xi_supabase_client_get_user_id (other));

  xi_test_rm_rf (other_dir);
}

/* A session kept by an older version under the shared name is taken over
 * by the folder's first restore: signed in as before, kept under the
 * folder's name (mode 0600), and the shared entry is gone. */
static void
test_restore_takes_over_shared_session (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autofree char *name = xi_secret_store_dup_folder_name (fixture->secrets,
                                                           "supabase-refresh-token");
  g_autofree char *key_file = xi_secret_store_dup_key_file (fixture->secrets, name);
  g_autoptr(XiSupabaseClient) restarted = client_new (fixture->secrets);
  g_autoptr(GBytes) token = NULL;
  g_autoptr(GBytes) shared = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  token = xi_secret_store_lookup_sync (fixture->secrets, name, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  g_assert_true (xi_secret_store_save_sync (fixture->secrets, "supabase-refresh-token", "Old",
                                            token, NULL, &error));
  g_assert_true (xi_secret_store_delete_sync (fixture->secrets, name, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (restore (restarted, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (xi_supabase_client_get_user_id (restarted), ==,
                   xi_supabase_client_get_user_id (fixture->client));
  shared = xi_secret_store_lookup_sync (fixture->secrets, "supabase-refresh-token", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (shared);
  g_assert_cmpint (g_stat (key_file, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0600);
}

/* Three callers want a fresh token at once: one request goes out. The
 * gateway fails exactly one refresh, so all three see that failure only
 * if they shared it. */
static void
test_refresh_single_flight (Fixture       *fixture,
                            gconstpointer  data)
{
  GAsyncResult *slots[3] = { NULL, };
  g_autoptr(GError) error = NULL;

  control ("fail?status=503&path=/auth/v1/token&times=1");
  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    xi_supabase_client_refresh_async (fixture->client, NULL, xi_test_store_result_cb, &slots[i]);
  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    {
      g_autoptr(GAsyncResult) result = xi_test_wait_result (&slots[i]);

      g_assert_false (xi_supabase_client_refresh_finish (fixture->client, result, &error));
      assert_server_error (error, XI_SYNC_ERROR_UNAVAILABLE, 503, NULL);
      g_assert_true (xi_sync_error_is_transient (error));
      g_clear_error (&error);
    }
  g_assert_true (xi_supabase_client_get_signed_in (fixture->client));

  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    xi_supabase_client_refresh_async (fixture->client, NULL, xi_test_store_result_cb, &slots[i]);
  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    {
      g_autoptr(GAsyncResult) result = xi_test_wait_result (&slots[i]);

      g_assert_true (xi_supabase_client_refresh_finish (fixture->client, result, &error));
      g_assert_no_error (error);
    }
}

/* The server rotates the token and the reply is lost: the client keeps
 * the old one, and presenting it again gets the active session back. */
static void
test_refresh_reply_lost (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(XiSupabaseClient) restarted = NULL;
  g_autoptr(JsonArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  const char *query[] = { "select", "id", NULL };

  control ("drop-after-commit?path=/auth/v1/token");
  g_assert_false (refresh (fixture->client, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_NETWORK);
  g_assert_true (xi_sync_error_is_transient (error));
  g_clear_error (&error);
  g_assert_true (xi_supabase_client_get_signed_in (fixture->client));

  g_assert_true (refresh (fixture->client, &error));
  g_assert_no_error (error);
  rows = select_rows (fixture->client, "contacts", query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (rows), ==, 0);

  /* The stored token is the one that works now. */
  restarted = client_new (fixture->secrets);
  g_assert_true (restore (restarted, &error));
  g_assert_no_error (error);
}

static void
signed_in_notified_cb (GObject    *object,
                       GParamSpec *pspec,
                       gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

/* The app and the CLI on one data folder share its stored session, each
 * with a copy in memory. Two CLI runs rotate the token twice while the
 * app waits; the app's next refresh must present the stored token, not
 * its own two generations old, which GoTrue takes for a stolen one and
 * answers by ending the session for both programs. */
static void
test_refresh_after_other_program (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(XiSupabaseClient) restarted = NULL;
  g_autoptr(JsonArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  const char *query[] = { "select", "id", NULL };
  gboolean refreshed;

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(XiSupabaseClient) cli = client_new (fixture->secrets);

      g_assert_true (restore (cli, &error));
      g_assert_no_error (error);
    }
  /* Past the seconds in which GoTrue still takes a used token. */
  g_assert_true (fs_rig_sql (rig, "UPDATE auth.refresh_tokens"
                                  " SET updated_at = now() - interval '1 minute'", &error));
  g_assert_no_error (error);

  refreshed = refresh (fixture->client, &error);
  g_assert_no_error (error);
  g_assert_true (refreshed);
  g_assert_true (xi_supabase_client_get_signed_in (fixture->client));
  rows = select_rows (fixture->client, "contacts", query, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rows);

  restarted = client_new (fixture->secrets);
  g_assert_true (restore (restarted, &error));
  g_assert_no_error (error);
}

/* The server ended the session: sync stops, the stored token goes, and
 * the user id stays so the app can say who has to sign in again. */
static void
test_refresh_signed_out (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *revoke = g_strdup_printf ("revoke?email=%s", fixture->email);
  g_autoptr(XiSupabaseClient) restarted = NULL;
  g_autoptr(GError) error = NULL;
  const char *query[] = { "select", "id", NULL };
  JsonArray *rows;
  guint notified = 0;

  g_signal_connect (fixture->client, "notify::signed-in", G_CALLBACK (signed_in_notified_cb),
                    &notified);
  control (revoke);
  g_assert_false (refresh (fixture->client, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_SIGNED_OUT);
  g_clear_error (&error);
  g_assert_false (xi_supabase_client_get_signed_in (fixture->client));
  g_assert_cmpuint (notified, ==, 1);
  g_assert_nonnull (xi_supabase_client_get_user_id (fixture->client));

  rows = select_rows (fixture->client, "contacts", query, &error);
  g_assert_null (rows);
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_NOT_SIGNED_IN);
  g_clear_error (&error);

  restarted = client_new (fixture->secrets);
  g_assert_false (restore (restarted, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_NOT_SIGNED_IN);
}

/* PostgREST refuses the token once (as after a suspend the client's
 * monotonic clock did not see): refresh, retry once. Twice is final. */
static void
test_unauthorized_retried_once (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(JsonArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  const char *query[] = { "select", "id", NULL };

  control ("fail?status=401&path=/rest/v1/contacts&times=1");
  rows = select_rows (fixture->client, "contacts", query, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rows);

  control ("fail?status=401&path=/rest/v1/contacts&times=2");
  g_assert_null (select_rows (fixture->client, "contacts", query, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_UNAUTHORIZED);
  g_assert_cmpuint (xi_sync_error_get_status (error), ==, 401);
  g_assert_true (xi_supabase_client_get_signed_in (fixture->client));
}

/* Keyset pages under a 100-row cap while the 3 s access token expires
 * several times: nothing missed, nothing twice, no request refused. */
static void
test_pull_across_token_expiry (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GHashTable) ids = NULL;
  g_autoptr(GError) error = NULL;
  guint pages;

  push_contacts (fixture->client, 1000);
  control ("max-rows?n=100");
  control ("token-lifetime?seconds=3");
  control ("jwt-skew?seconds=0");
  g_assert_true (refresh (fixture->client, &error));
  g_assert_no_error (error);
  control ("delay?ms=400&path=/rest/v1/contacts&times=11");

  ids = pull_contacts (fixture->client, &pages);
  g_assert_cmpuint (g_hash_table_size (ids), ==, 1000);
  g_assert_cmpuint (pages, ==, 10);
}

/* One bad row refuses the whole batch (one transaction) with the
 * server's code; nothing of it is written. */
static void
test_upsert_refused (Fixture       *fixture,
                     gconstpointer  data)
{
  const char *master = xi_supabase_client_get_user_id (fixture->client);
  g_autoptr(JsonArray) rows = contact_rows (master, 0, 3);
  g_autoptr(JsonArray) stored = NULL;
  g_autoptr(JsonArray) all = NULL;
  g_autoptr(GError) error = NULL;
  const char *query[] = { "select", "id", NULL };

  json_object_set_string_member (json_array_get_object_element (rows, 1), "phone", "0812");
  g_assert_null (upsert (fixture->client, "contacts", rows, &error));
  assert_server_error (error, XI_SYNC_ERROR_REFUSED, 400, "23514");
  g_assert_false (xi_sync_error_is_transient (error));
  g_clear_error (&error);
  all = select_rows (fixture->client, "contacts", query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (all), ==, 0);

  /* A second live contact with a number already taken is a conflict. */
  json_object_set_string_member (json_array_get_object_element (rows, 1), "phone", "6281100000000");
  json_array_remove_element (rows, 2);
  g_assert_null (upsert (fixture->client, "contacts", rows, &error));
  assert_server_error (error, XI_SYNC_ERROR_CONFLICT, 409, "23505");
  g_clear_error (&error);

  json_array_remove_element (rows, 1);
  stored = upsert (fixture->client, "contacts", rows, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (stored), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (stored, 0),
                                               "version"), ==, 1);
}

/* A write expecting a device mark the server does not hold (this client
 * names no device, so it holds none) is refused whole as a restored
 * server, which is worth retrying once the device has read it again;
 * expecting none, it goes through. */
static void
test_upsert_expects_mark (Fixture       *fixture,
                          gconstpointer  data)
{
  const char *master = xi_supabase_client_get_user_id (fixture->client);
  g_autoptr(JsonArray) rows = contact_rows (master, 0, 2);
  g_autoptr(JsonArray) stored = NULL;
  g_autoptr(JsonArray) all = NULL;
  g_autoptr(GError) error = NULL;
  const char *query[] = { "select", "id", NULL };

  g_assert_null (upsert_expecting (fixture->client, "contacts", 1, rows, &error));
  assert_server_error (error, XI_SYNC_ERROR_SERVER_RESTORED, 400, "XI060");
  g_assert_true (xi_sync_error_is_transient (error));
  g_clear_error (&error);
  all = select_rows (fixture->client, "contacts", query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (all), ==, 0);

  stored = upsert_expecting (fixture->client, "contacts", 0, rows, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (stored), ==, 2);
}

static void
test_retry_after (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *query[] = { "select", "id", NULL };

  control ("fail?status=503&retry_after=7&path=/rest/v1/");
  g_assert_null (select_rows (fixture->client, "contacts", query, &error));
  assert_server_error (error, XI_SYNC_ERROR_UNAVAILABLE, 503, NULL);
  g_assert_cmpuint (xi_sync_error_get_retry_after (error), ==, 7);
  g_assert_true (xi_sync_error_is_transient (error));
  g_clear_error (&error);

  control ("fail?status=429&retry_after=3&path=/rest/v1/");
  g_assert_null (select_rows (fixture->client, "contacts", query, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_RATE_LIMITED);
  g_assert_cmpuint (xi_sync_error_get_retry_after (error), ==, 3);
  g_clear_error (&error);

  control ("fail?status=429&retry_after=2&path=/auth/v1/token");
  g_assert_false (refresh (fixture->client, &error));
  assert_server_error (error, XI_SYNC_ERROR_RATE_LIMITED, 429, "over_request_rate_limit");
  g_assert_cmpuint (xi_sync_error_get_retry_after (error), ==, 2);
  g_assert_true (xi_supabase_client_get_signed_in (fixture->client));
}

/* Another account's rows never come back, and its id cannot be written. */
static void
test_other_account_isolated (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(XiSupabaseClient) other = client_new (NULL);
  g_autofree char *email = new_email ();
  g_autoptr(JsonArray) rows = NULL;
  g_autoptr(JsonArray) stolen = NULL;
  g_autoptr(GError) error = NULL;
  const char *query[] = { "select", "id,master_user_id", NULL };

  push_contacts (fixture->client, 10);
  g_assert_true (sign_up (other, email, NULL, &error));
  g_assert_no_error (error);

  rows = select_rows (other, "contacts", query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (rows), ==, 0);

  stolen = contact_rows (xi_supabase_client_get_user_id (fixture->client), 100, 1);
  g_assert_null (upsert (other, "contacts", stolen, &error));
  assert_server_error (error, XI_SYNC_ERROR_REFUSED, 403, "42501");
}

static void
test_reserve_quota (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reservation = g_uuid_string_random ();
  JsonObject *result;

  json_object_set_string_member (args, "p_reservation_id", reservation);
  json_object_set_int_member (args, "p_amount", 10);
  first = rpc (fixture->client, "reserve_quota", args, &error);
  g_assert_no_error (error);
  result = json_node_get_object (first);
  g_assert_true (json_object_get_boolean_member (result, "ok"));
  g_assert_false (json_object_get_boolean_member (result, "replayed"));

  again = rpc (fixture->client, "reserve_quota", args, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (again), "replayed"));

  g_assert_null (rpc (fixture->client, "no_such_function", NULL, &error));
  assert_server_error (error, XI_SYNC_ERROR_REFUSED, 404, "PGRST202");
}

/* Two computers of one shop reserve at once more than the allowance
 * holds for both: the server lets exactly one through. */
static void
test_quota_two_computers (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(XiSupabaseClient) other = client_new (NULL);
  g_autoptr(JsonNode) usage = NULL;
  g_autoptr(GError) error = NULL;
  XiSupabaseClient *clients[2] = { fixture->client, other };
  GAsyncResult *slots[2] = { NULL, NULL };
  JsonObject *args[2];
  gint64 available;
  guint granted = 0;

  g_assert_true (sign_in (other, fixture->email, "correct horse battery", &error));
  g_assert_no_error (error);
  usage = rpc (fixture->client, "check_quota_usage", NULL, &error);
  g_assert_no_error (error);
  available = json_object_get_int_member (json_object_get_object_member (json_node_get_object (usage),
                                                                         "quota"), "available");
  g_assert_cmpint (available, >=, 2);

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *id = g_uuid_string_random ();

      args[i] = json_object_new ();
      json_object_set_string_member (args[i], "p_reservation_id", id);
      json_object_set_int_member (args[i], "p_amount", available / 2 + 1);
      xi_supabase_client_rpc_async (clients[i], "reserve_quota", args[i], NULL,
                                    xi_test_store_result_cb, &slots[i]);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GAsyncResult) result = xi_test_wait_result (&slots[i]);
      g_autoptr(JsonNode) reply = xi_supabase_client_rpc_finish (clients[i], result, &error);
      JsonObject *object;

      g_assert_no_error (error);
      object = json_node_get_object (reply);
      if (json_object_get_boolean_member (object, "ok"))
        granted++;
      else
        g_assert_cmpstr (json_object_get_string_member (object, "reason"), ==, "insufficient_quota");
      json_object_unref (args[i]);
    }
  g_assert_cmpuint (granted, ==, 1);
}

/* Signing out works offline too: the session is forgotten here whatever
 * the server says. */
static void
test_sign_out_offline (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(XiSupabaseClient) restarted = NULL;
  g_autoptr(GError) error = NULL;

  control ("fail?status=503&path=/auth/v1/logout");
  XI_TEST_WAIT (xi_supabase_client_sign_out_async (fixture->client, NULL,
                                                   xi_test_store_result_cb, &slot_),
                g_assert_true (xi_supabase_client_sign_out_finish (fixture->client, result_,
                                                                   &error)));
  g_assert_no_error (error);
  g_assert_false (xi_supabase_client_get_signed_in (fixture->client));

  restarted = client_new (fixture->secrets);
  g_assert_false (restore (restarted, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_NOT_SIGNED_IN);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/supabase-client/new/bad-input", test_new_refuses_bad_input);
#define ADD(path, func) \
  g_test_add ("/supabase-client/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("auth/sign-in-errors", test_sign_in_errors);
  ADD ("auth/restore", test_restore_from_secret_store);
  ADD ("auth/session-per-folder", test_session_per_folder);
  ADD ("auth/restore-takes-over-shared-session", test_restore_takes_over_shared_session);
  ADD ("auth/refresh-single-flight", test_refresh_single_flight);
  ADD ("auth/refresh-reply-lost", test_refresh_reply_lost);
  ADD ("auth/refresh-signed-out", test_refresh_signed_out);
  ADD ("auth/refresh-after-other-program", test_refresh_after_other_program);
  ADD ("auth/sign-out-offline", test_sign_out_offline);
  ADD ("rest/unauthorized-retried-once", test_unauthorized_retried_once);
  ADD ("rest/pull-across-token-expiry", test_pull_across_token_expiry);
  ADD ("rest/upsert-refused", test_upsert_refused);
  ADD ("rest/upsert-expects-mark", test_upsert_expects_mark);
  ADD ("rest/retry-after", test_retry_after);
  ADD ("rest/other-account-isolated", test_other_account_isolated);
  ADD ("rpc/reserve-quota", test_reserve_quota);
  ADD ("rpc/quota-two-computers", test_quota_two_computers);
#undef ADD

  return xi_sync_test_run (&rig);
}
