/* xi-store-media.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-store-media"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "xi-inbox-private.h"
#include "xi-store-private.h"

/*
 * Received media in the store. A customer's message names a file on
 * WhatsApp's media host; the row beside the message keeps what it takes to
 * fetch and check that file. Once fetched and verified, the content is an
 * asset: a file named by its SHA-256 in the data folder's assets/ (mode
 * 0600 in a 0700 folder, as the database), which a second customer sending
 * the same picture shares, and a row in the assets table.
 *
 * The bytes are written here rather than through the library's import,
 * which copies from a file and logs each addition in the activity log: a
 * customer's picture is in memory already and not the user's doing. The
 * folder and the rule that a file is named by its hash are the library's
 * (xi-store-assets.c), so the library lists, shares and deletes these too.
 */

#define SHA256_LEN 32

static GBytes *
column_bytes (sqlite3_stmt *stmt,
              int           column)
{
  const void *data = sqlite3_column_blob (stmt, column);
  int len = sqlite3_column_bytes (stmt, column);

  return data != NULL ? g_bytes_new (data, len) : NULL;
}

static void
bind_bytes (sqlite3_stmt *stmt,
            int           index,
            GBytes       *bytes)
{
  gsize len = 0;
  const void *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;

  if (data == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_blob (stmt, index, data, (int) len, SQLITE_TRANSIENT);
}

static gboolean
is_sha256 (GBytes *bytes)
{
  return bytes != NULL && g_bytes_get_size (bytes) == SHA256_LEN;
}

XiMediaInfo *
_xi_store_media_from_row (XiStore      *self,
                          sqlite3_stmt *stmt,
                          int           first)
{
  XiMediaInfo *media;

  if (sqlite3_column_type (stmt, first) == SQLITE_NULL)
    return NULL;

  media = g_new0 (XiMediaInfo, 1);
  media->kind = g_strdup ((const char *) sqlite3_column_text (stmt, first));
  media->mimetype = g_strdup ((const char *) sqlite3_column_text (stmt, first + 1));
  media->file_name = g_strdup ((const char *) sqlite3_column_text (stmt, first + 2));
  media->size = (guint64) sqlite3_column_int64 (stmt, first + 3);
  media->width = (guint) sqlite3_column_int (stmt, first + 4);
  media->height = (guint) sqlite3_column_int (stmt, first + 5);
  media->direct_path = g_strdup ((const char *) sqlite3_column_text (stmt, first + 6));
  media->media_key = column_bytes (stmt, first + 7);
  media->file_sha256 = column_bytes (stmt, first + 8);
  media->file_enc_sha256 = column_bytes (stmt, first + 9);
  media->thumbnail = column_bytes (stmt, first + 10);
  if (sqlite3_column_type (stmt, first + 11) != SQLITE_NULL)
    media->asset_path = _xi_store_asset_path (self, (const char *) sqlite3_column_text (stmt, first + 11));
  return media;
}

gboolean
_xi_store_insert_incoming_media (XiStore            *self,
                                 const char         *incoming_id,
                                 const XiMediaInfo  *media,
                                 GError            **error)
{
  sqlite3_stmt *stmt;

  _xi_store_assert_thread (self);

  if (!xi_media_info_kind_is_valid (media->kind) || media->direct_path == NULL ||
      media->direct_path[0] != '/' || media->media_key == NULL || !is_sha256 (media->file_sha256) ||
      !is_sha256 (media->file_enc_sha256))
    {
      g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                           _("The message names a file without the path, key or checksums to fetch it."));
      return FALSE;
    }

  stmt = _xi_store_prepare (self,
                            "INSERT INTO incoming_media (incoming_id, kind, mimetype, file_name, size,"
                            " width, height, direct_path, media_key, file_sha256, file_enc_sha256,"
                            " thumbnail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, incoming_id);
  _xi_store_bind_text (stmt, 2, media->kind);
  _xi_store_bind_text (stmt, 3, media->mimetype);
  _xi_store_bind_text (stmt, 4, media->file_name);
  sqlite3_bind_int64 (stmt, 5, (sqlite3_int64) MIN (media->size, (guint64) G_MAXINT64));
  sqlite3_bind_int (stmt, 6, (int) MIN (media->width, (guint) G_MAXINT));
  sqlite3_bind_int (stmt, 7, (int) MIN (media->height, (guint) G_MAXINT));
  _xi_store_bind_text (stmt, 8, media->direct_path);
  bind_bytes (stmt, 9, media->media_key);
  bind_bytes (stmt, 10, media->file_sha256);
  bind_bytes (stmt, 11, media->file_enc_sha256);
  bind_bytes (stmt, 12, media->thumbnail);
  return _xi_store_step_done (self, stmt, error);
}

/* Saving what was downloaded */

typedef struct
{
  char   *message_id;
  GBytes *content;
} SaveOp;

static void
save_op_free (SaveOp *op)
{
  g_free (op->message_id);
  g_bytes_unref (op->content);
  g_free (op);
}

static gboolean
set_io_error (int          saved_errno,
              const char  *path,
              GError     **error)
{
  g_autofree char *display = g_filename_display_name (path);

  if (saved_errno == ENOSPC || saved_errno == EDQUOT)
    g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL,
                 _("There is no room left on the disk for “%s”. Free some space and try again."), display);
  else
    g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_FAILED,
                 _("Could not write “%s”: %s"), display, g_strerror (saved_errno));
  return FALSE;
}

/* The content under its hash: written once, whole or not at all. */
static char *
write_asset_file (XiStore     *self,
                  const char  *hex,
                  GBytes      *content,
                  GError     **error)
{
  g_autofree char *folder = xi_store_dup_assets_dir (self);
  g_autofree char *path = _xi_store_asset_path (self, hex);
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (content, &len);

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      set_io_error (errno, folder, error);
      return NULL;
    }
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&path);
  if (!g_file_set_contents_full (path, data, (gssize) len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      int code = local_error->code == G_FILE_ERROR_NOSPC ? ENOSPC : EIO;

      set_io_error (code, path, error);
      return NULL;
    }
  return g_steal_pointer (&path);
}

static char *
ensure_asset_row (XiStore            *self,
                  const XiMediaInfo  *media,
                  const char         *hex,
                  gsize               size,
                  GError            **error)
{
  g_autofree char *existing = NULL;
  g_autofree char *name = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self,
                            "SELECT id FROM assets WHERE master_user_id = ?1 AND sha256 = ?2"
                            " AND deleted = 0 LIMIT 1",
                            error);
  if (stmt == NULL)
    return NULL;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, hex);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    existing = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    _xi_store_set_error (self, rc, error);
  sqlite3_reset (stmt);
  if (existing != NULL || rc != SQLITE_DONE)
    return g_steal_pointer (&existing);

  name = xi_media_info_dup_display_name (media);
  return _xi_store_insert_asset (self, name, media->mimetype != NULL ? media->mimetype : "application/octet-stream",
                                 (gint64) size, hex, error);
}

static void
save_incoming_media_func (XiStore  *self,
                          GTask    *task,
                          gpointer  data)
{
  SaveOp *op = data;
  g_autoptr(XiIncoming) incoming = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *path = NULL;
  g_autofree char *asset_id = NULL;
  const XiMediaInfo *media;
  guint8 digest[SHA256_LEN];
  gsize digest_len = sizeof digest;
  gsize len = 0;
  const guint8 *content = g_bytes_get_data (op->content, &len);
  GError *error = NULL;
  sqlite3_stmt *stmt;

  incoming = _xi_store_load_incoming (self, op->message_id, &error);
  if (incoming == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  media = xi_incoming_get_media (incoming);
  if (media == NULL)
    {
      g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                               _("The message carries no file."));
      return;
    }

  /* The network side checked it already; a file that is not the one the
   * message names must never become an asset, whoever passed it. */
  g_checksum_update (checksum, content, len);
  g_checksum_get_digest (checksum, digest, &digest_len);
  if (memcmp (digest, g_bytes_get_data (media->file_sha256, NULL), SHA256_LEN) != 0)
    {
      g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                               _("The file is not the one the customer sent: its checksum does not match."));
      return;
    }

  path = write_asset_file (self, g_checksum_get_string (checksum), op->content, &error);
  if (path == NULL || !_xi_store_begin (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  asset_id = ensure_asset_row (self, media, g_checksum_get_string (checksum), len, &error);
  if (asset_id == NULL)
    goto failed;
  stmt = _xi_store_prepare (self,
                            "UPDATE incoming_media SET asset_id = ?2 WHERE incoming_id = ?1",
                            &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, xi_incoming_get_id (incoming));
  _xi_store_bind_text (stmt, 2, asset_id);
  if (!_xi_store_step_done (self, stmt, &error) || !_xi_store_commit (self, &error))
    goto failed;

  g_clear_object (&incoming);
  incoming = _xi_store_load_incoming (self, op->message_id, &error);
  if (incoming == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&incoming), g_object_unref);
  return;

failed:
  _xi_store_rollback (self);
  g_task_return_error (task, error);
}

/**
 * xi_store_save_incoming_media_async:
 * @self: a #XiStore
 * @message_id: the WhatsApp id of a customer's message that carries a file
 * @content: the file, downloaded, verified and decrypted
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Keeps @content as the message's asset. Fails with
 * %XI_STORE_ERROR_INVALID, storing nothing, when @content is not what the
 * message names (its SHA-256 differs), and with
 * %XI_STORE_ERROR_DISK_FULL when it does not fit.
 */
void
xi_store_save_incoming_media_async (XiStore             *self,
                                    const char          *message_id,
                                    GBytes              *content,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  SaveOp *op;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (message_id != NULL);
  g_return_if_fail (content != NULL);

  op = g_new0 (SaveOp, 1);
  op->message_id = g_strdup (message_id);
  op->content = g_bytes_ref (content);
  _xi_store_push (self, save_incoming_media_func, op, (GDestroyNotify) save_op_free,
                  xi_store_save_incoming_media_async, cancellable, callback, user_data);
}

/**
 * xi_store_save_incoming_media_finish:
 *
 * Returns: (transfer full): the message, whose media now has its
 *   asset_path
 */
XiIncoming *
xi_store_save_incoming_media_finish (XiStore       *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
