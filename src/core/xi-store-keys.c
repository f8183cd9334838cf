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

typedef struct
{
  char   *kind;
  char   *key;
  GBytes *value;
} KeyOp;

static void
key_op_free (gpointer data)
{
  KeyOp *op = data;

  g_free (op->kind);
  g_free (op->key);
  g_clear_pointer (&op->value, g_bytes_unref);
  g_free (op);
}

static void
put_key_func (XiStore  *self,
              GTask    *task,
              gpointer  data)
{
  KeyOp *op = data;
  GError *error = NULL;
  sqlite3_stmt *stmt;

  if (op->kind == NULL)
    stmt = _xi_store_prepare (self, "DELETE FROM wa_keystore WHERE master_user_id = ?1", &error);
  else if (op->value == NULL)
    stmt = _xi_store_prepare (self,
                              "DELETE FROM wa_keystore WHERE master_user_id = ?1"
                              " AND kind = ?2 AND key = ?3",
                              &error);
  else
    stmt = _xi_store_prepare (self,
                              "INSERT INTO wa_keystore (master_user_id, kind, key, value, updated_at)"
                              " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (master_user_id, kind, key)"
                              " DO UPDATE SET value = ?4, updated_at = ?5",
                              &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  _xi_store_bind_text (stmt, 1, self->master_user_id);
  if (op->kind != NULL)
    {
      _xi_store_bind_text (stmt, 2, op->kind);
      _xi_store_bind_text (stmt, 3, op->key);
    }
  if (op->value != NULL)
    {
      g_autofree char *now = _xi_store_now ();
      gsize len;
      gconstpointer bytes = g_bytes_get_data (op->value, &len);

      sqlite3_bind_blob (stmt, 4, bytes, (int)len, SQLITE_STATIC);
      _xi_store_bind_text (stmt, 5, now);
    }

  if (!_xi_store_step_done (self, stmt, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

/**
 * xi_store_put_key_async:
 * @self: a #XiStore
 * @kind: (nullable): a key-store namespace; %NULL with @key and @value
 *   %NULL wipes the whole key store (the device was unlinked)
 * @key: (nullable): the key inside @kind
 * @value: (nullable): the secret, or %NULL to delete the key
 * @cancellable: (nullable): a #GCancellable
 * @callback: (nullable): called with the result
 * @user_data: closure
 *
 * Writes through one key-store change. Operations run in the order they
 * were queued, so a cache may apply its change at once and let the disk
 * follow.
 */
void
xi_store_put_key_async (XiStore             *self,
                        const char          *kind,
                        const char          *key,
                        GBytes              *value,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  KeyOp *op;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail ((kind == NULL) == (key == NULL));
  g_return_if_fail (kind != NULL || value == NULL);

  op = g_new0 (KeyOp, 1);
  op->kind = g_strdup (kind);
  op->key = g_strdup (key);
  op->value = value != NULL ? g_bytes_ref (value) : NULL;

  _xi_store_push (self, put_key_func, op, key_op_free, xi_store_put_key_async,
                  cancellable, callback, user_data);
}

gboolean
xi_store_put_key_finish (XiStore       *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
