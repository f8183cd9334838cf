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
