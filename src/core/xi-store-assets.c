/* xi-store-assets.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-store-assets"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xi-asset-private.h"
#include "xi-limits.h"
#include "xi-store-private.h"

/*
 * The asset library. A file is added in two steps: a worker thread copies
 * it into the data folder's assets/ under its SHA-256 (through a private
 * temporary file that is renamed only once complete, so a full disk or a
 * crash never leaves half a file under a real name), then the store
 * thread records the row. The same bytes added twice are one file and one
 * row. A file stays on disk while any row or unfinished campaign names
 * its hash, whoever's they are: two accounts on one computer share the
 * folder.
 */

#define COPY_CHUNK (64 * 1024)

#define ASSET_COLUMNS "id, name, mime_type, size, sha256, created_at, local_path"

typedef struct
{
  char    *source;
  char    *dir;
  char    *name;
  char    *mime_type;
  char    *sha256;
  guint64  size;
} Import;

static void
import_free (Import *import)
{
  g_free (import->source);
  g_free (import->dir);
  g_free (import->name);
  g_free (import->mime_type);
  g_free (import->sha256);
  g_free (import);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Import, import_free)

/* Copying, on a worker thread */

static gboolean
set_write_error (GError     **error,
                 int          saved_errno,
                 const char  *name)
{
  if (saved_errno == ENOSPC || saved_errno == EDQUOT)
    g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL,
                 _("The disk is full: “%s” could not be added. Free some space and try again."), name);
  else
    g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_FAILED,
                 _("“%s” could not be copied into the data folder: %s"), name, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
write_all (int            fd,
           const guint8  *data,
           gsize          length,
           int           *saved_errno)
{
  while (length > 0)
    {
      gssize written = write (fd, data, length);

      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        {
          *saved_errno = errno;
          return FALSE;
        }
      data += written;
      length -= written;
    }
  return TRUE;
}

static gssize
read_some (int     fd,
           guint8 *buffer,
           gsize   length)
{
  gssize got;

  do
    got = read (fd, buffer, length);
  while (got < 0 && errno == EINTR);
  return got;
}

/* Fills @buffer as far as the file goes: sniffing needs the whole head,
 * not whatever one read() returned. */
static gssize
read_full (int     fd,
           guint8 *buffer,
           gsize   length)
{
  gsize total = 0;

  while (total < length)
    {
      gssize got = read_some (fd, buffer + total, length - total);

      if (got < 0)
        return -1;
      if (got == 0)
        break;
      total += got;
    }
  return total;
}

/* Streams the file into a temporary file of the library, hashing on the
 * way; the file is read once and never held whole in memory. */
static gboolean
copy_to_temporary (Import        *import,
                   int            in,
                   guint64        expected,
                   char         **temporary,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autofree guint8 *buffer = g_malloc (MAX (COPY_CHUNK, XI_ASSET_SNIFF_BYTES));
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *template_ = g_build_filename (import->dir, ".adding-XXXXXX", NULL);
  guint64 copied = 0;
  XiAssetKind kind;
  gssize got;
  int saved_errno = 0;
  int out;

  got = read_full (in, buffer, XI_ASSET_SNIFF_BYTES);
  if (got < 0)
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID, _("Cannot read “%s”: %s"),
                   import->name, g_strerror (errno));
      return FALSE;
    }
  import->mime_type = g_strdup (xi_asset_sniff (buffer, got, &kind));
  if (!xi_asset_check_size (kind, expected, error))
    return FALSE;

  if (g_mkdir_with_parents (import->dir, 0700) != 0)
    return set_write_error (error, errno, import->name);
  out = g_mkstemp_full (template_, O_WRONLY | O_CLOEXEC, 0600);
  if (out < 0)
    return set_write_error (error, errno, import->name);

  while (got > 0)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto failed;
      g_checksum_update (checksum, buffer, got);
      if (!write_all (out, buffer, got, &saved_errno))
        goto write_failed;
      copied += got;
      got = read_some (in, buffer, COPY_CHUNK);
    }
  if (got < 0)
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID, _("Cannot read “%s”: %s"),
                   import->name, g_strerror (errno));
      goto failed;
    }
  if (copied != expected)
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                   _("“%s” changed while it was being added. Try again once it is saved."), import->name);
      goto failed;
    }
  /* The row that names the file must never outlive a power cut that the
   * file's bytes did not. */
  if (fsync (out) != 0 || close (out) != 0)
    {
      saved_errno = errno;
      out = -1;
      goto write_failed;
    }

  import->size = copied;
  import->sha256 = g_strdup (g_checksum_get_string (checksum));
  *temporary = g_steal_pointer (&template_);
  return TRUE;

write_failed:
  set_write_error (error, saved_errno, import->name);
failed:
  if (out >= 0)
    close (out);
  g_unlink (template_);
  return FALSE;
}

static void
copy_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Import *import = task_data;
  g_autofree char *temporary = NULL;
  g_autofree char *final = NULL;
  GError *error = NULL;
  struct stat info;
  int in;

  in = g_open (import->source, O_RDONLY | O_CLOEXEC, 0);
  if (in < 0)
    {
      g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_INVALID, _("Cannot read “%s”: %s"),
                               import->name, g_strerror (errno));
      return;
    }
  if (fstat (in, &info) != 0 || !S_ISREG (info.st_mode))
    {
      close (in);
      g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                               _("“%s” is not a file. Choose a picture or a document."), import->name);
      return;
    }
  if (!copy_to_temporary (import, in, info.st_size, &temporary, cancellable, &error))
    {
      close (in);
      g_task_return_error (task, error);
      return;
    }
  close (in);

  /* Renaming over a file with the same name replaces identical bytes, so
   * two processes adding one file at once both succeed. */
  final = g_build_filename (import->dir, import->sha256, NULL);
  if (g_rename (temporary, final) != 0)
    {
      int saved_errno = errno;

      g_unlink (temporary);
      set_write_error (&error, saved_errno, import->name);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* Rows, on the store thread */

/* Where the library keeps the file of these bytes. */
char *
_xi_store_asset_path (XiStore    *self,
                      const char *sha256)
{
  g_autofree char *dir = NULL;

  /* The checksum comes from the row, which another computer (through
   * the server) may have written: anything else than a checksum could
   * name a file outside the folder, to send or to delete. */
  if (!_xi_store_sha256_is_valid (sha256))
    return NULL;
  dir = xi_store_dup_assets_dir (self);
  return g_build_filename (dir, sha256, NULL);
}

/* 64 lowercase hexadecimal digits, as the store writes them. */
gboolean
_xi_store_sha256_is_valid (const char *sha256)
{
  if (sha256 == NULL || strlen (sha256) != 64)
    return FALSE;
  for (const char *p = sha256; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && (*p < 'a' || *p > 'f'))
      return FALSE;
  return TRUE;
}

static XiAsset *
asset_from_row (XiStore      *self,
                sqlite3_stmt *stmt)
{
  const char *sha256 = (const char *)sqlite3_column_text (stmt, 4);
  g_autofree char *path = NULL;

  if (sqlite3_column_type (stmt, 6) != SQLITE_NULL)
    path = _xi_store_asset_path (self, sha256);
  return _xi_asset_new_from_store ((const char *)sqlite3_column_text (stmt, 0),
                                   (const char *)sqlite3_column_text (stmt, 1),
                                   (const char *)sqlite3_column_text (stmt, 2),
                                   sqlite3_column_int64 (stmt, 3), sha256, path,
                                   (const char *)sqlite3_column_text (stmt, 5));
}

#define SELECT_ASSETS \
  "SELECT " ASSET_COLUMNS " FROM assets WHERE master_user_id = ?1 AND deleted = 0"
#define ASSETS_ORDER " ORDER BY created_at DESC, name COLLATE NOCASE"

/* The current user's live assets that @sql (a literal: the store caches
 * statements by its address) finds, binding @value (an id, a hash or
 * nothing) as ?2. */
static GPtrArray *
query_assets (XiStore     *self,
              const char  *sql,
              const char  *value,
              GError     **error)
{
  g_autoptr(GPtrArray) assets = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt;
  int rc;

  if ((stmt = _xi_store_prepare (self, sql, error)) == NULL)
    return NULL;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, value);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (assets, asset_from_row (self, stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&assets);
}

/* Called with the id of a template's or a campaign's asset. */
XiAsset *
_xi_store_load_asset (XiStore     *self,
                      const char  *id,
                      GError     **error)
{
  g_autoptr(GPtrArray) found = query_assets (self, SELECT_ASSETS " AND id = ?2", id, error);

  if (found == NULL)
    return NULL;
  if (found->len == 0)
    {
      g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND,
                           _("The attachment is no longer in the assets. Attach it again."));
      return NULL;
    }
  return g_object_ref (g_ptr_array_index (found, 0));
}

static XiAsset *
record_asset (XiStore  *self,
              Import   *import,
              GError  **error)
{
  g_autoptr(GPtrArray) same = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;

  same = query_assets (self, SELECT_ASSETS " AND sha256 = ?2", import->sha256, error);
  if (same == NULL)
    return NULL;
  if (same->len > 0)
    return g_object_ref (g_ptr_array_index (same, 0));

  /* Another process deleting the last row of these bytes may have removed
   * the file after it was copied; its transaction has committed by now. */
  path = _xi_store_asset_path (self, import->sha256);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_FAILED,
                   _("“%s” was removed from the data folder while it was being added. Try again."),
                   import->name);
      return NULL;
    }

  id = _xi_store_insert_asset (self, import->name, import->mime_type, import->size, import->sha256, error);
  if (id == NULL || !_xi_store_log_activity (self, "asset.added", import->name, NULL, error))
    return NULL;
  return _xi_store_load_asset (self, id, error);
}

/**
 * _xi_store_insert_asset:
 * @sha256: the bytes' hash; their file is already under _xi_store_asset_path()
 *
 * The row of a new asset, its file named relative to the data folder so
 * that the folder can move: one convention for the library's files and
 * the customers' files the Inbox keeps.
 *
 * Returns: (transfer full) (nullable): the new row's id
 */
char *
_xi_store_insert_asset (XiStore     *self,
                        const char  *name,
                        const char  *mime_type,
                        gint64       size,
                        const char  *sha256,
                        GError     **error)
{
  g_autofree char *id = _xi_store_new_id ();
  g_autofree char *now = _xi_store_now ();
  g_autofree char *local_path = g_build_filename ("assets", sha256, NULL);
  sqlite3_stmt *stmt;

  stmt = _xi_store_prepare (self,
                            "INSERT INTO assets (id, master_user_id, created_at, updated_at, name,"
                            " mime_type, size, sha256, local_path) VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8)",
                            error);
  if (stmt == NULL)
    return NULL;
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  _xi_store_bind_text (stmt, 4, name);
  _xi_store_bind_text (stmt, 5, mime_type);
  sqlite3_bind_int64 (stmt, 6, size);
  _xi_store_bind_text (stmt, 7, sha256);
  _xi_store_bind_text (stmt, 8, local_path);
  if (!_xi_store_step_done (self, stmt, error))
    return NULL;
  return g_steal_pointer (&id);
}

static void
record_asset_func (XiStore  *self,
                   GTask    *task,
                   gpointer  data)
{
  GError *error = NULL;
  XiAsset *asset;

  if (!_xi_store_begin (self, &error) ||
      (asset = record_asset (self, data, &error)) == NULL ||
      !_xi_store_commit (self, &error))
    {
      _xi_store_rollback (self);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, asset, g_object_unref);
}

static void
recorded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  XiAsset *asset = g_task_propagate_pointer (G_TASK (result), &error);

  if (asset == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, asset, g_object_unref);
}

static void
copied_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiStore *self = XI_STORE (object);
  Import *import = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_debug ("Asset copied: %" G_GUINT64_FORMAT " bytes, %s", import->size, import->mime_type);
  _xi_store_push (self, record_asset_func, import, NULL, xi_store_add_asset_async,
                  g_task_get_cancellable (task), recorded_cb, g_object_ref (task));
}

/* Deleting */

/* The first name @sql (binding the user as ?1, @value as ?2) finds, or
 * %NULL in *@name when it finds none. */
static gboolean
first_name (XiStore     *self,
            const char  *sql,
            const char  *value,
            char       **name,
            GError     **error)
{
  sqlite3_stmt *stmt = _xi_store_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, value);
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    *name = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_unused (XiStore     *self,
              XiAsset     *asset,
              GError     **error)
{
  g_autofree char *template_name = NULL;
  g_autofree char *job_name = NULL;

  if (!first_name (self,
                   "SELECT name FROM templates WHERE master_user_id = ?1 AND deleted = 0"
                   " AND EXISTS (SELECT 1 FROM json_each (templates.asset_ids) WHERE value = ?2)"
                   " ORDER BY name LIMIT 1",
                   xi_asset_get_id (asset), &template_name, error) ||
      !first_name (self,
                   "SELECT name FROM jobs WHERE master_user_id = ?1 AND deleted = 0 AND asset_sha256 = ?2"
                   " AND state IN ('pending', 'processing', 'paused', 'retrying')"
                   " ORDER BY created_at LIMIT 1",
                   xi_asset_get_sha256 (asset), &job_name, error))
    return FALSE;

  if (template_name != NULL)
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_STATE,
                   _("“%s” is attached to the template “%s”. Remove it from the template first."),
                   xi_asset_get_name (asset), template_name);
      return FALSE;
    }
  if (job_name != NULL)
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_STATE,
                   _("“%s” is attached to the campaign “%s”, which has not finished. Wait for it or "
                     "cancel it first."),
                   xi_asset_get_name (asset), job_name);
      return FALSE;
    }
  return TRUE;
}

/* Whether the file is still needed once this row is gone: by another
 * row of any user, or by any campaign still to send it. */
static gboolean
bytes_still_used (XiStore     *self,
                  const char  *sha256,
                  gboolean    *used,
                  GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self,
                            "SELECT EXISTS (SELECT 1 FROM assets WHERE sha256 = ?1 AND deleted = 0)"
                            " OR EXISTS (SELECT 1 FROM jobs WHERE asset_sha256 = ?1 AND deleted = 0"
                            "  AND state IN ('pending', 'processing', 'paused', 'retrying'))",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, sha256);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *used = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

static void
delete_asset_func (XiStore  *self,
                   GTask    *task,
                   gpointer  data)
{
  g_autoptr(XiAsset) asset = NULL;
  g_autofree char *now = _xi_store_now ();
  GError *error = NULL;
  gboolean used = TRUE;
  sqlite3_stmt *stmt;

  if (!_xi_store_begin (self, &error) ||
      (asset = _xi_store_load_asset (self, data, &error)) == NULL ||
      !check_unused (self, asset, &error))
    goto failed;

  stmt = _xi_store_prepare (self,
                            "UPDATE assets SET deleted = 1, updated_at = ?3,"
                            " version = version + 1, sync_status = 'pending'"
                            " WHERE id = ?1 AND master_user_id = ?2",
                            &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, data);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  if (!_xi_store_step_done (self, stmt, &error) ||
      !bytes_still_used (self, xi_asset_get_sha256 (asset), &used, &error) ||
      !_xi_store_log_activity (self, "asset.deleted", xi_asset_get_name (asset), NULL, &error) ||
      !_xi_store_commit (self, &error))
    goto failed;

  /* After the commit: a crash in between leaves an unused file, never a
   * row without its bytes. */
  if (!used && xi_asset_get_path (asset) != NULL && g_unlink (xi_asset_get_path (asset)) != 0 &&
      errno != ENOENT)
    g_warning ("Could not remove a deleted asset's file: %s", g_strerror (errno));
  g_task_return_boolean (task, TRUE);
  return;

failed:
  _xi_store_rollback (self);
  g_task_return_error (task, error);
}

static void
list_assets_func (XiStore  *self,
                  GTask    *task,
                  gpointer  data)
{
  GError *error = NULL;
  GPtrArray *assets = query_assets (self, SELECT_ASSETS ASSETS_ORDER, NULL, &error);

  if (assets == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, assets, (GDestroyNotify)g_ptr_array_unref);
}

/* Public API */

/**
 * xi_store_dup_assets_dir:
 * @self: a #XiStore
 *
 * Returns: (transfer full): the folder beside the database where the
 *   library keeps each file under its SHA-256
 */
char *
xi_store_dup_assets_dir (XiStore *self)
{
  g_autofree char *data_dir = NULL;

  g_return_val_if_fail (XI_IS_STORE (self), NULL);

  data_dir = g_path_get_dirname (xi_store_get_path (self));
  return g_build_filename (data_dir, "assets", NULL);
}

/**
 * xi_store_add_asset_async:
 * @self: a #XiStore
 * @path: the file to add
 * @cancellable: (nullable): stops the copy; once the row is being written
 *   it is written
 * @callback: called with the result
 * @user_data: closure
 *
 * Copies a file into the library. Its type comes from its content; files
 * WhatsApp would refuse (too big, empty) are refused with a message that
 * says so, and nothing is stored. Adding bytes already there returns the
 * asset that has them.
 */
void
xi_store_add_asset_async (XiStore             *self,
                          const char          *path,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) copy = NULL;
  g_autoptr(Import) import = g_new0 (Import, 1);
  g_autofree char *name = NULL;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_store_add_asset_async);
  name = g_path_get_basename (path);
  import->source = g_strdup (path);
  import->dir = xi_store_dup_assets_dir (self);
  import->name = g_utf8_make_valid (name, -1);
  if (!xi_limit_check_name (import->name, NULL))
    {
      g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                               _("The file name is too long. Rename the file and add it again."));
      return;
    }

  /* The outer task owns what the copy learns, until the row is written. */
  copy = g_task_new (self, cancellable, copied_cb, g_object_ref (task));
  g_task_set_source_tag (copy, xi_store_add_asset_async);
  g_task_set_task_data (copy, import, NULL);
  g_task_set_task_data (task, g_steal_pointer (&import), (GDestroyNotify)import_free);
  g_task_run_in_thread (copy, copy_thread);
}

/**
 * xi_store_add_asset_finish:
 *
 * Returns: (transfer full): the asset with these bytes
 */
XiAsset *
xi_store_add_asset_finish (XiStore       *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xi_store_list_assets_async:
 * @self: a #XiStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Loads the current user's assets, the newest first.
 */
void
xi_store_list_assets_async (XiStore             *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  _xi_store_push_read (self, list_assets_func, NULL, NULL, xi_store_list_assets_async,
                       cancellable, callback, user_data);
}

/**
 * xi_store_list_assets_finish:
 *
 * Returns: (transfer container) (element-type XiAsset): the assets
 */
GPtrArray *
xi_store_list_assets_finish (XiStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xi_store_delete_asset_async:
 * @self: a #XiStore
 * @asset_id: the asset
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Removes an asset, refusing (%XI_STORE_ERROR_STATE, naming it) while a
 * template or an unfinished campaign uses it. Its file goes once nothing
 * names its bytes.
 */
void
xi_store_delete_asset_async (XiStore             *self,
                             const char          *asset_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (asset_id != NULL);

  _xi_store_push (self, delete_asset_func, g_strdup (asset_id), g_free, xi_store_delete_asset_async,
                  cancellable, callback, user_data);
}

gboolean
xi_store_delete_asset_finish (XiStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
