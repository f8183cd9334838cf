/* xi-store-keys.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-store-keys"

#include "config.h"

#include "xi-store-private.h"

/*
 * The WhatsApp device credentials and Signal store, on the store thread.
 * The values are secrets: this file never logs them, and the table has no
 * sync columns, so no sync code can ever pick them up.
 */

static void
load_keys_func (XiStore  *self,
                GTask    *task,
                gpointer  data)
{
  g_autoptr(GHashTable) keys = NULL;
  GError *error = NULL;
  sqlite3_stmt *stmt;
  int rc;

  keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_bytes_unref);
  stmt = _xi_store_prepare (self,
                            "SELECT kind, key, value FROM wa_keystore WHERE master_user_id = ?1",
                            &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  _xi_store_bind_text (stmt, 1, self->master_user_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (keys,
                         g_strconcat ((const char *)sqlite3_column_text (stmt, 0), "\x1f",
                                      (const char *)sqlite3_column_text (stmt, 1), NULL),
                         g_bytes_new (sqlite3_column_blob (stmt, 2),
                                      sqlite3_column_bytes (stmt, 2)));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, &error);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&keys), (GDestroyNotify)g_hash_table_unref);
}

/**
 * xi_store_load_keys_async:
 * @self: a #XiStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Loads the whole key store of the current user, for a cache that serves
 * libsignal's synchronous reads on the network thread.
 */
void
xi_store_load_keys_async (XiStore             *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  _xi_store_push (self, load_keys_func, NULL, NULL, xi_store_load_keys_async,
                  cancellable, callback, user_data);
}

/**
 * xi_store_load_keys_finish:
 *
 * Returns: (transfer full) (element-type utf8 GBytes): "kind\x1fkey" to value
 */
GHashTable *
xi_store_load_keys_finish (XiStore       *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xi_key_change_new:
 * @kind: (nullable): a key-store namespace; %NULL (with @key and @value
 *   %NULL) wipes the whole key store, as when the device is unlinked
 * @key: (nullable): the key inside @kind
 * @value: (nullable): the secret, or %NULL to delete the key
 *
 * Returns: (transfer full): one change for xi_store_put_keys_async()
 */
XiKeyChange *
xi_key_change_new (const char *kind,
                   const char *key,
                   GBytes     *value)
{
  XiKeyChange *change = g_new0 (XiKeyChange, 1);

  g_return_val_if_fail ((kind == NULL) == (key == NULL), NULL);
  g_return_val_if_fail (kind != NULL || value == NULL, NULL);

  change->kind = g_strdup (kind);
  change->key = g_strdup (key);
  change->value = value != NULL ? g_bytes_ref (value) : NULL;
  return change;
}

void
xi_key_change_free (XiKeyChange *change)
{
  if (change == NULL)
    return;
  g_free (change->kind);
  g_free (change->key);
  g_clear_pointer (&change->value, g_bytes_unref);
  g_free (change);
}

static gboolean
apply_key_change (XiStore      *self,
                  XiKeyChange  *change,
                  GError      **error)
{
  sqlite3_stmt *stmt;

  if (change->kind == NULL)
    stmt = _xi_store_prepare (self, "DELETE FROM wa_keystore WHERE master_user_id = ?1", error);
  else if (change->value == NULL)
    stmt = _xi_store_prepare (self,
                              "DELETE FROM wa_keystore WHERE master_user_id = ?1"
                              " AND kind = ?2 AND key = ?3",
                              error);
  else
    stmt = _xi_store_prepare (self,
                              "INSERT INTO wa_keystore (master_user_id, kind, key, value, updated_at)"
                              " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (master_user_id, kind, key)"
                              " DO UPDATE SET value = ?4, updated_at = ?5",
                              error);
  if (stmt == NULL)
    return FALSE;

  _xi_store_bind_text (stmt, 1, self->master_user_id);
  if (change->kind != NULL)
    {
      _xi_store_bind_text (stmt, 2, change->kind);
      _xi_store_bind_text (stmt, 3, change->key);
    }
  if (change->value != NULL)
    {
      g_autofree char *now = _xi_store_now ();
      gsize len;
      gconstpointer bytes = g_bytes_get_data (change->value, &len);

      sqlite3_bind_blob (stmt, 4, bytes, (int)len, SQLITE_STATIC);
      _xi_store_bind_text (stmt, 5, now);
    }
  return _xi_store_step_done (self, stmt, error);
}

static void
put_keys_func (XiStore  *self,
               GTask    *task,
               gpointer  data)
{
  GPtrArray *changes = data;
  GError *error = NULL;

  /* Nothing to write still answers: it tells the caller that everything
   * queued before has been written. */
  if (changes->len == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (!_xi_store_begin (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < changes->len; i++)
    if (!apply_key_change (self, g_ptr_array_index (changes, i), &error))
      {
        _xi_store_rollback (self);
        g_task_return_error (task, error);
        return;
      }
  if (!_xi_store_commit (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * xi_store_put_keys_async:
 * @self: a #XiStore
 * @changes: (element-type XiKeyChange): the changes, in order
 * @cancellable: (nullable): a #GCancellable
 * @callback: (nullable): called once they are all written, or none
 * @user_data: closure
 *
 * Writes key-store changes in one transaction. Operations run in the
 * order they were queued, so a cache may apply its changes at once and
 * let the disk follow; an empty batch completes once everything queued
 * before it is written.
 */
void
xi_store_put_keys_async (XiStore             *self,
                         GPtrArray           *changes,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (changes != NULL);

  _xi_store_push (self, put_keys_func, g_ptr_array_ref (changes), (GDestroyNotify) g_ptr_array_unref,
                  xi_store_put_keys_async, cancellable, callback, user_data);
}

gboolean
xi_store_put_keys_finish (XiStore       *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
