/* xi-sync-account.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "xi-json.h"
#include "xi-paths.h"
#include "xi-store.h"
#include "xi-supabase-client.h"
#include "xi-sync-account.h"
#include "xi-sync-error.h"

/*
 * Which Supabase project this data folder syncs with and who is signed
 * in, in `sync.ini` (mode 0600) beside the signed-out database.
 *
 * Every (project, account) pair gets its own data folder,
 * `accounts/<project>-<user id>/`, with its own database and key files,
 * so signing in to another account or project never mixes rows, and the
 * signed-out database stays exactly as it was. No token is kept here: the
 * session lives in the account folder's secret store.
 */

#define FILE_NAME "sync.ini"
#define GROUP_PROJECT "project"
#define GROUP_ACCOUNT "account"

struct _XiSyncAccount
{
  GObject   parent_instance;

  char     *data_dir;
  char     *path;
  GKeyFile *file;
  /* "group/key" -> the value last read, so getters can return const. */
  GHashTable *values;
};

G_DEFINE_FINAL_TYPE (XiSyncAccount, xi_sync_account, G_TYPE_OBJECT)

/* Auxiliary methods */

static gboolean
save (XiSyncAccount  *self,
      GError        **error)
{
  g_autofree char *data = NULL;
  gsize length;

  data = g_key_file_to_data (self->file, &length, NULL);
  return g_file_set_contents_full (self->path, data, (gssize) length,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static const char *
get (XiSyncAccount *self,
     const char    *group,
     const char    *key)
{
  g_autofree char *value = g_key_file_get_string (self->file, group, key, NULL);
  g_autofree char *name = NULL;
  const char *kept;

  if (value == NULL || *value == '\0')
    return NULL;
  /* An unchanged value keeps its address for callers still holding it. */
  name = g_strconcat (group, "/", key, NULL);
  kept = g_hash_table_lookup (self->values, name);
  if (g_strcmp0 (kept, value) == 0)
    return kept;
  kept = value;
  g_hash_table_replace (self->values, g_steal_pointer (&name), g_steal_pointer (&value));
  return kept;
}

static XiSupabaseClient *
project_client (XiSyncAccount  *self,
                XiSecretStore  *secrets,
                GError        **error)
{
  if (xi_sync_account_get_project_url (self) == NULL)
    {
      g_set_error_literal (error, XI_SYNC_ERROR, XI_SYNC_ERROR_INVALID_ARGUMENT,
                           _("No project is set up: enter its URL and anon key first."));
      return NULL;
    }
  return xi_supabase_client_new (xi_sync_account_get_project_url (self),
                                 xi_sync_account_get_anon_key (self), secrets, error);
}

/* A sign-in in flight, on the caller's thread. The password is wiped
 * as soon as the server has answered. */
typedef struct
{
  XiSupabaseClient *client;
  char             *email;
  char             *password;
  char             *master_id;
  gboolean          create;
  gboolean          needs_confirmation;
} SignIn;

static void
wipe_password (SignIn *sign_in)
{
  if (sign_in->password == NULL)
    return;
  memset (sign_in->password, 0, strlen (sign_in->password));
  g_clear_pointer (&sign_in->password, g_free);
}

static void
sign_in_free (SignIn *sign_in)
{
  wipe_password (sign_in);
  g_clear_object (&sign_in->client);
  g_free (sign_in->email);
  g_free (sign_in->master_id);
  g_free (sign_in);
}

static void
session_kept_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiSyncAccount *self = g_task_get_source_object (task);
  SignIn *sign_in = g_task_get_task_data (task);
  XiSupabaseClient *client = XI_SUPABASE_CLIENT (object);
  GError *error = NULL;

  if (!xi_supabase_client_keep_session_finish (client, result, &error) ||
      !xi_sync_account_set_signed_in (self, xi_supabase_client_get_user_id (client),
                                      sign_in->master_id, xi_supabase_client_get_email (client),
                                      &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* Keeps the session in the secret store of the account's own folder,
 * where the account's database will be. */
static void
keep_session (GTask *task)
{
  XiSyncAccount *self = g_task_get_source_object (task);
  SignIn *sign_in = g_task_get_task_data (task);
  g_autoptr(XiSecretStore) secrets = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *path = NULL;
  GError *error = NULL;

  folder = xi_sync_account_dup_folder (self, xi_supabase_client_get_user_id (sign_in->client),
                                       &error);
  if (folder == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  path = xi_paths_dup_store_path (folder);
  secrets = xi_secret_store_new (path, xi_secret_store_backend_from_env ());
  xi_supabase_client_keep_session_async (sign_in->client, secrets, g_task_get_cancellable (task),
                                         session_kept_cb, task);
}

/* The tenant of a user: their own id, or their owner's for staff. */
static void
profile_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SignIn *sign_in = g_task_get_task_data (task);
  XiSupabaseClient *client = XI_SUPABASE_CLIENT (object);
  g_autoptr(JsonArray) rows = NULL;
  GError *error = NULL;
  JsonObject *row;

  rows = xi_supabase_client_select_finish (client, result, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (json_array_get_length (rows) == 0)
    sign_in->master_id = g_strdup (xi_supabase_client_get_user_id (client));
  else
    {
      JsonNode *first = json_array_get_element (rows, 0);

      row = JSON_NODE_HOLDS_OBJECT (first) ? json_node_get_object (first) : NULL;
      if (!g_uuid_string_is_valid (xi_json_get_string (row, "master_user_id", "")))
        {
          g_task_return_new_error (task, XI_SYNC_ERROR, XI_SYNC_ERROR_BAD_REPLY, "%s",
                                   _("The server's profile of this account names no shop"));
          return;
        }
      sign_in->master_id = g_strdup (xi_json_get_string (row, "master_user_id", NULL));
    }
  keep_session (g_steal_pointer (&task));
}

static void
read_profile (GTask *task)
{
  SignIn *sign_in = g_task_get_task_data (task);
  g_autofree char *filter = g_strconcat ("eq.", xi_supabase_client_get_user_id (sign_in->client), NULL);
  const char *query[] = { "select", "master_user_id", "id", filter, NULL };

  xi_supabase_client_select_async (sign_in->client, "profiles", query, g_task_get_cancellable (task),
                                   profile_read_cb, task);
}

static void
answered_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SignIn *sign_in = g_task_get_task_data (task);
  XiSupabaseClient *client = XI_SUPABASE_CLIENT (object);
  GError *error = NULL;
  gboolean ok;

  wipe_password (sign_in);
  if (sign_in->create)
    ok = xi_supabase_client_sign_up_finish (client, result, &sign_in->needs_confirmation, &error);
  else
    ok = xi_supabase_client_sign_in_finish (client, result, &error);
  if (!ok)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Nobody is signed in until the address is confirmed. */
  if (sign_in->needs_confirmation)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  read_profile (g_steal_pointer (&task));
}

static void
signed_out_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiSyncAccount *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!xi_supabase_client_sign_out_finish (XI_SUPABASE_CLIENT (object), result, &error) ||
      !xi_sync_account_set_signed_out (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
restored_for_sign_out_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  GTask *task = user_data;
  XiSupabaseClient *client = XI_SUPABASE_CLIENT (object);

  /* Offline the session cannot be refreshed; signing out still forgets
   * it on this computer. */
  xi_supabase_client_restore_finish (client, result, NULL);
  xi_supabase_client_sign_out_async (client, g_task_get_cancellable (task), signed_out_cb, task);
}

/* Deletes @file and everything under it, never following a link. */
static gboolean
delete_tree (GFile         *file,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, NULL);
  while (children != NULL)
    {
      GFileInfo *info;
      GFile *child;

      if (!g_file_enumerator_iterate (children, &info, &child, cancellable, error))
        return FALSE;
      if (info == NULL)
        break;
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        {
          if (!delete_tree (child, cancellable, error))
            return FALSE;
        }
      else if (!g_file_delete (child, cancellable, error))
        return FALSE;
    }
  return g_file_delete (file, cancellable, error);
}

static void
delete_folder_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  g_autoptr(GFile) folder = g_file_new_for_path (task_data);
  g_autofree char *database = xi_paths_dup_store_path (task_data);
  GError *error = NULL;

  /* The keys kept outside the folder first: once the database is gone,
   * nothing says which keyring entries were its own. */
  if (!xi_store_forget_secrets_sync (database, cancellable, &error) ||
      !delete_tree (folder, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* GObject */

static void
xi_sync_account_finalize (GObject *object)
{
  XiSyncAccount *self = (XiSyncAccount *)object;

  g_free (self->data_dir);
  g_free (self->path);
  g_key_file_unref (self->file);
  g_hash_table_unref (self->values);

  G_OBJECT_CLASS (xi_sync_account_parent_class)->finalize (object);
}

static void
xi_sync_account_class_init (XiSyncAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = xi_sync_account_finalize;
}

static void
xi_sync_account_init (XiSyncAccount *self)
{
  self->file = g_key_file_new ();
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* Public API */

/**
 * xi_sync_account_load:
 * @data_dir: the data folder of the signed-out profile
 * @error: return location for an error
 *
 * Reads which project and account @data_dir syncs with; a folder that
 * never did has neither.
 *
 * Returns: (transfer full) (nullable): the settings, or %NULL when the
 *   file exists but cannot be read
 */
XiSyncAccount *
xi_sync_account_load (const char  *data_dir,
                      GError     **error)
{
  g_autoptr(XiSyncAccount) self = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (data_dir != NULL, NULL);

  self = g_object_new (XI_TYPE_SYNC_ACCOUNT, NULL);
  self->data_dir = g_strdup (data_dir);
  self->path = g_build_filename (data_dir, FILE_NAME, NULL);
  if (!g_key_file_load_from_file (self->file, self->path, G_KEY_FILE_NONE, &local_error) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_FAILED,
                   _("Cannot read the sync settings “%s”: %s"), self->path, local_error->message);
      return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * xi_sync_account_get_project_url:
 * @self: a #XiSyncAccount
 *
 * Returns: (nullable): the Supabase project URL, if configured
 */
const char *
xi_sync_account_get_project_url (XiSyncAccount *self)
{
  g_return_val_if_fail (XI_IS_SYNC_ACCOUNT (self), NULL);
  return get (self, GROUP_PROJECT, "url");
}

/**
 * xi_sync_account_get_anon_key:
 * @self: a #XiSyncAccount
 *
 * Returns: (nullable): the project's anon key, if configured
 */
const char *
xi_sync_account_get_anon_key (XiSyncAccount *self)
{
  g_return_val_if_fail (XI_IS_SYNC_ACCOUNT (self), NULL);
  return get (self, GROUP_PROJECT, "anon-key");
}

/**
 * xi_sync_account_get_user_id:
 * @self: a #XiSyncAccount
 *
 * Returns: (nullable): the signed-in user's id
 */
const char *
xi_sync_account_get_user_id (XiSyncAccount *self)
{
  g_return_val_if_fail (XI_IS_SYNC_ACCOUNT (self), NULL);
  return get (self, GROUP_ACCOUNT, "user-id");
}

/**
 * xi_sync_account_get_master_id:
 * @self: a #XiSyncAccount
 *
 * Returns: (nullable): the tenant of the signed-in user: their own id for
 *   an owner, the owner's for staff
 */
const char *
xi_sync_account_get_master_id (XiSyncAccount *self)
{
  g_return_val_if_fail (XI_IS_SYNC_ACCOUNT (self), NULL);
  return get (self, GROUP_ACCOUNT, "master-id");
}

/**
 * xi_sync_account_get_email:
 * @self: a #XiSyncAccount
 *
 * Returns: (nullable): the signed-in user's address
 */
const char *
xi_sync_account_get_email (XiSyncAccount *self)
{
  g_return_val_if_fail (XI_IS_SYNC_ACCOUNT (self), NULL);
  return get (self, GROUP_ACCOUNT, "email");
}

/**
 * xi_sync_account_configure:
 * @self: a #XiSyncAccount
 * @project_url: the project's URL
 * @anon_key: its anon (publishable) key
 * @error: return location for an error
 *
 * Saves the project to sync with, once checked. Refused while someone is
 * signed in to another project: they sign out first.
 *
 * Returns: whether it was saved
 */
gboolean
xi_sync_account_configure (XiSyncAccount  *self,
                           const char     *project_url,
                           const char     *anon_key,
                           GError        **error)
{
  g_autoptr(XiSupabaseClient) check = NULL;

  g_return_val_if_fail (XI_IS_SYNC_ACCOUNT (self), FALSE);

  check = xi_supabase_client_new (project_url, anon_key, NULL, error);
  if (check == NULL)
    return FALSE;
  if (xi_sync_account_get_user_id (self) != NULL &&
      g_strcmp0 (xi_sync_account_get_project_url (self),
                 xi_supabase_client_get_project_url (check)) != 0)
    {
      g_set_error_literal (error, XI_SYNC_ERROR, XI_SYNC_ERROR_INVALID_ARGUMENT,
                           _("Sign out before switching to another project"));
      return FALSE;
    }
  g_key_file_set_string (self->file, GROUP_PROJECT, "url",
                         xi_supabase_client_get_project_url (check));
  g_key_file_set_string (self->file, GROUP_PROJECT, "anon-key", anon_key);
  return save (self, error);
}

/**
 * xi_sync_account_set_signed_in:
 * @self: a #XiSyncAccount
 * @user_id: the user's id
 * @master_id: their tenant's id
 * @email: (nullable): their address
 * @error: return location for an error
 *
 * Records who is signed in; their folder is then the one the app opens.
 *
 * Returns: whether it was saved
 */
gboolean
xi_sync_account_set_signed_in (XiSyncAccount  *self,
                               const char     *user_id,
                               const char     *master_id,
                               const char     *email,
                               GError        **error)
{
  g_return_val_if_fail (XI_IS_SYNC_ACCOUNT (self), FALSE);
  g_return_val_if_fail (g_uuid_string_is_valid (user_id), FALSE);
  g_return_val_if_fail (g_uuid_string_is_valid (master_id), FALSE);

  g_key_file_set_string (self->file, GROUP_ACCOUNT, "user-id", user_id);
  g_key_file_set_string (self->file, GROUP_ACCOUNT, "master-id", master_id);
  g_key_file_set_string (self->file, GROUP_ACCOUNT, "email", email != NULL ? email : "");
  return save (self, error);
}

/**
 * xi_sync_account_set_signed_out:
 * @self: a #XiSyncAccount
 * @error: return location for an error
 *
 * Forgets who was signed in, so the signed-out profile opens again. The
 * account's folder stays unless the caller deletes it.
 *
 * Returns: whether it was saved
 */
gboolean
xi_sync_account_set_signed_out (XiSyncAccount  *self,
                                GError        **error)
{
  g_return_val_if_fail (XI_IS_SYNC_ACCOUNT (self), FALSE);

  g_key_file_remove_group (self->file, GROUP_ACCOUNT, NULL);
  return save (self, error);
}

/**
 * xi_sync_account_dup_folder:
 * @self: a configured #XiSyncAccount
 * @user_id: an account of the configured project
 * @error: return location for an error
 *
 * Returns the data folder of @user_id in the configured project, making
 * it (mode 0700) if needed.
 *
 * Returns: (transfer full) (nullable): the folder
 */
char *
xi_sync_account_dup_folder (XiSyncAccount  *self,
                            const char     *user_id,
                            GError        **error)
{
  g_autofree char *project = NULL;
  g_autofree char *name = NULL;
  g_autofree char *folder = NULL;
  const char *url;

  g_return_val_if_fail (XI_IS_SYNC_ACCOUNT (self), NULL);

  url = xi_sync_account_get_project_url (self);
  if (url == NULL || user_id == NULL || !g_uuid_string_is_valid (user_id))
    {
      g_set_error_literal (error, XI_SYNC_ERROR, XI_SYNC_ERROR_NOT_SIGNED_IN,
                           _("Configure the project and sign in first"));
      return NULL;
    }
  project = g_compute_checksum_for_string (G_CHECKSUM_SHA256, url, -1);
  project[12] = '\0';
  name = g_strdup_printf ("%s-%s", project, user_id);
  folder = g_build_filename (self->data_dir, "accounts", name, NULL);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot make the account folder “%s”: %s"), folder, g_strerror (saved_errno));
      return NULL;
    }
  return g_steal_pointer (&folder);
}

/**
 * xi_sync_account_dup_store_dir:
 * @self: a #XiSyncAccount
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the folder whose database the app
 *   opens: the signed-in account's, else the signed-out profile's
 */
char *
xi_sync_account_dup_store_dir (XiSyncAccount  *self,
                               GError        **error)
{
  g_return_val_if_fail (XI_IS_SYNC_ACCOUNT (self), NULL);

  if (xi_sync_account_get_user_id (self) == NULL)
    return g_strdup (self->data_dir);
  return xi_sync_account_dup_folder (self, xi_sync_account_get_user_id (self), error);
}

/**
 * xi_sync_account_sign_in_async:
 * @self: a configured #XiSyncAccount
 * @email: the account's address
 * @password: its password; the copy kept meanwhile is wiped once sent
 * @create: whether to create the account first
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done, on the caller's thread-default context
 * @user_data: data for @callback
 *
 * Signs in (or up) with the project's server, keeps the session in the
 * secret store of the account's own folder and records who is signed
 * in. The caller then opens that folder's database.
 */
void
xi_sync_account_sign_in_async (XiSyncAccount       *self,
                               const char          *email,
                               const char          *password,
                               gboolean             create,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SignIn *sign_in;
  GError *error = NULL;

  g_return_if_fail (XI_IS_SYNC_ACCOUNT (self));
  g_return_if_fail (email != NULL && password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_sync_account_sign_in_async);
  /* Once recorded, a sign-in is reported as done even if cancelled
   * meanwhile: the caller must open the account's folder. */
  g_task_set_check_cancellable (task, FALSE);
  sign_in = g_new0 (SignIn, 1);
  sign_in->email = g_strdup (email);
  sign_in->password = g_strdup (password);
  sign_in->create = create;
  g_task_set_task_data (task, sign_in, (GDestroyNotify) sign_in_free);

  if (xi_sync_account_get_user_id (self) != NULL)
    {
      g_task_return_new_error (task, XI_SYNC_ERROR, XI_SYNC_ERROR_INVALID_ARGUMENT,
                               _("%s is signed in: sign out first."),
                               xi_sync_account_get_email (self));
      return;
    }
  sign_in->client = project_client (self, NULL, &error);
  if (sign_in->client == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (create)
    xi_supabase_client_sign_up_async (sign_in->client, email, sign_in->password, cancellable,
                                      answered_cb, g_steal_pointer (&task));
  else
    xi_supabase_client_sign_in_async (sign_in->client, email, sign_in->password, cancellable,
                                      answered_cb, g_steal_pointer (&task));
}

/**
 * xi_sync_account_sign_in_finish:
 * @self: a #XiSyncAccount
 * @result: the result
 * @needs_confirmation: (out) (optional): set when the new account waits
 *   for its address to be confirmed; nobody is signed in then
 * @error: return location for an error
 *
 * Returns: whether it worked
 */
gboolean
xi_sync_account_sign_in_finish (XiSyncAccount  *self,
                                GAsyncResult   *result,
                                gboolean       *needs_confirmation,
                                GError        **error)
{
  SignIn *sign_in;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  sign_in = g_task_get_task_data (G_TASK (result));
  if (needs_confirmation != NULL)
    *needs_confirmation = sign_in->needs_confirmation;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * xi_sync_account_sign_out_async:
 * @self: a #XiSyncAccount someone is signed in to
 * @secrets: the secret store of the account's folder, which keeps the
 *   session
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Ends this computer's session, also offline, and records that nobody
 * is signed in. The account's folder is left to the caller.
 */
void
xi_sync_account_sign_out_async (XiSyncAccount       *self,
                                XiSecretStore       *secrets,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(XiSupabaseClient) client = NULL;
  GError *error = NULL;

  g_return_if_fail (XI_IS_SYNC_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_sync_account_sign_out_async);
  if (xi_sync_account_get_user_id (self) == NULL)
    {
      g_task_return_new_error (task, XI_SYNC_ERROR, XI_SYNC_ERROR_NOT_SIGNED_IN, "%s",
                               _("Nobody is signed in."));
      return;
    }
  client = project_client (self, secrets, &error);
  if (client == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  xi_supabase_client_restore_async (client, cancellable, restored_for_sign_out_cb,
                                    g_steal_pointer (&task));
}

/**
 * xi_sync_account_sign_out_finish:
 * @self: a #XiSyncAccount
 * @result: the result
 * @error: return location for an error
 *
 * Returns: whether the session is gone from this computer
 */
gboolean
xi_sync_account_sign_out_finish (XiSyncAccount  *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * xi_sync_account_delete_folder_async:
 * @self: a #XiSyncAccount
 * @folder: an account folder of this data folder, as
 *   xi_sync_account_dup_folder() gave it; not the one open now
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Deletes the local copy of an account's data, once signed out and its
 * database closed, and the keys of its WhatsApp keys from the secret
 * store (the session went at sign-out). A worker thread does the
 * deleting.
 */
void
xi_sync_account_delete_folder_async (XiSyncAccount       *self,
                                     const char          *folder,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *accounts = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *open_now = NULL;

  g_return_if_fail (XI_IS_SYNC_ACCOUNT (self));
  g_return_if_fail (folder != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_sync_account_delete_folder_async);
  accounts = g_build_filename (self->data_dir, "accounts", NULL);
  parent = g_path_get_dirname (folder);
  open_now = xi_sync_account_dup_store_dir (self, NULL);
  /* Anything else is a caller's bug that would delete the wrong data. */
  if (g_strcmp0 (parent, accounts) != 0 || g_strcmp0 (folder, open_now) == 0)
    {
      g_task_return_new_error (task, XI_SYNC_ERROR, XI_SYNC_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not the folder of a signed-out account"), folder);
      return;
    }
  g_task_set_task_data (task, g_strdup (folder), g_free);
  g_task_run_in_thread (task, delete_folder_thread);
}

/**
 * xi_sync_account_delete_folder_finish:
 * @self: a #XiSyncAccount
 * @result: the result
 * @error: return location for an error
 *
 * Returns: whether the folder is gone
 */
gboolean
xi_sync_account_delete_folder_finish (XiSyncAccount  *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
