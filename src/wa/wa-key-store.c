/* wa-key-store.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-key-store"

#include "config.h"

#include "wa-key-store.h"

G_DEFINE_INTERFACE (WaKeyStore, wa_key_store, G_TYPE_OBJECT)

static void
wa_key_store_default_init (WaKeyStoreInterface *iface)
{
}

/**
 * wa_key_store_load:
 * @self: a #WaKeyStore
 * @kind: a namespace such as "device" or "session"
 * @key: the key inside @kind
 *
 * Returns: (transfer full) (nullable): the stored bytes
 */
GBytes *
wa_key_store_load (WaKeyStore *self,
                   const char *kind,
                   const char *key)
{
  g_return_val_if_fail (WA_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (kind != NULL && key != NULL, NULL);

  return WA_KEY_STORE_GET_IFACE (self)->load (self, kind, key);
}

void
wa_key_store_save (WaKeyStore *self,
                   const char *kind,
                   const char *key,
                   GBytes     *value)
{
  g_return_if_fail (WA_IS_KEY_STORE (self));
  g_return_if_fail (kind != NULL && key != NULL && value != NULL);

  WA_KEY_STORE_GET_IFACE (self)->save (self, kind, key, value);
}

void
wa_key_store_remove (WaKeyStore *self,
                     const char *kind,
                     const char *key)
{
  g_return_if_fail (WA_IS_KEY_STORE (self));
  g_return_if_fail (kind != NULL && key != NULL);

  WA_KEY_STORE_GET_IFACE (self)->remove (self, kind, key);
}

/**
 * wa_key_store_list:
 * @self: a #WaKeyStore
 * @kind: a namespace
 *
 * Returns: (transfer container) (element-type utf8): the keys under @kind
 */
GPtrArray *
wa_key_store_list (WaKeyStore *self,
                   const char *kind)
{
  g_return_val_if_fail (WA_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (kind != NULL, NULL);

  return WA_KEY_STORE_GET_IFACE (self)->list (self, kind);
}

void
wa_key_store_clear (WaKeyStore *self)
{
  g_return_if_fail (WA_IS_KEY_STORE (self));

  WA_KEY_STORE_GET_IFACE (self)->clear (self);
}

/**
 * wa_key_store_flush_async:
 * @self: a key store
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once every change made so far is durable
 * @user_data: for @callback
 */
void
wa_key_store_flush_async (WaKeyStore          *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  WaKeyStoreInterface *iface;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (WA_IS_KEY_STORE (self));

  iface = WA_KEY_STORE_GET_IFACE (self);
  if (iface->flush_async != NULL)
    {
      iface->flush_async (self, cancellable, callback, user_data);
      return;
    }
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wa_key_store_flush_async);
  g_task_return_boolean (task, TRUE);
}

gboolean
wa_key_store_flush_finish (WaKeyStore    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  WaKeyStoreInterface *iface;

  g_return_val_if_fail (WA_IS_KEY_STORE (self), FALSE);

  iface = WA_KEY_STORE_GET_IFACE (self);
  if (iface->flush_finish != NULL && !g_async_result_is_tagged (result, wa_key_store_flush_async))
    return iface->flush_finish (self, result, error);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * wa_key_store_prefetch_async:
 * @self: a key store
 * @kinds: namespaces such as "session"
 * @keys: the keys inside each of @kinds that will be read soon
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once they are in memory
 * @user_data: for @callback
 */
void
wa_key_store_prefetch_async (WaKeyStore          *self,
                             const char * const  *kinds,
                             const char * const  *keys,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  WaKeyStoreInterface *iface;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (WA_IS_KEY_STORE (self));
  g_return_if_fail (kinds != NULL && keys != NULL);

  iface = WA_KEY_STORE_GET_IFACE (self);
  if (iface->prefetch_async != NULL)
    {
      iface->prefetch_async (self, kinds, keys, cancellable, callback, user_data);
      return;
    }
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wa_key_store_prefetch_async);
  g_task_return_boolean (task, TRUE);
}

gboolean
wa_key_store_prefetch_finish (WaKeyStore    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  WaKeyStoreInterface *iface;

  g_return_val_if_fail (WA_IS_KEY_STORE (self), FALSE);

  iface = WA_KEY_STORE_GET_IFACE (self);
  if (iface->prefetch_finish != NULL && !g_async_result_is_tagged (result, wa_key_store_prefetch_async))
    return iface->prefetch_finish (self, result, error);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* An in-memory key store, for the fake server and for tests; it keeps
 * nothing after the process ends. It also holds the kinds the app's key
 * store loads at start, which are read several times a message (settings
 * of the server's, our own account), so a read allocates nothing: values
 * are kept per kind, under their key. */

struct _WaMemoryKeyStore
{
  GObject     parent_instance;

  GHashTable *kinds;   /* kind -> (key -> GBytes) */
};

static void wa_memory_key_store_iface_init (WaKeyStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WaMemoryKeyStore, wa_memory_key_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WA_TYPE_KEY_STORE,
                                                      wa_memory_key_store_iface_init))

static GBytes *
memory_load (WaKeyStore *store,
             const char *kind,
             const char *key)
{
  WaMemoryKeyStore *self = WA_MEMORY_KEY_STORE (store);
  GHashTable *values = g_hash_table_lookup (self->kinds, kind);
  GBytes *value = values != NULL ? g_hash_table_lookup (values, key) : NULL;

  return value != NULL ? g_bytes_ref (value) : NULL;
}

static void
memory_save (WaKeyStore *store,
             const char *kind,
             const char *key,
             GBytes     *value)
{
  WaMemoryKeyStore *self = WA_MEMORY_KEY_STORE (store);
  GHashTable *values = g_hash_table_lookup (self->kinds, kind);
  gsize len;
  gconstpointer data = g_bytes_get_data (value, &len);

  if (values == NULL)
    {
      values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
      g_hash_table_insert (self->kinds, g_strdup (kind), values);
    }
  /* A private copy: the caller may wipe its buffer. */
  g_hash_table_insert (values, g_strdup (key), g_bytes_new (data, len));
}

static void
memory_remove (WaKeyStore *store,
               const char *kind,
               const char *key)
{
  WaMemoryKeyStore *self = WA_MEMORY_KEY_STORE (store);
  GHashTable *values = g_hash_table_lookup (self->kinds, kind);

  if (values != NULL)
    g_hash_table_remove (values, key);
}

static GPtrArray *
memory_list (WaKeyStore *store,
             const char *kind)
{
  WaMemoryKeyStore *self = WA_MEMORY_KEY_STORE (store);
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  GHashTable *values = g_hash_table_lookup (self->kinds, kind);
  GHashTableIter iter;
  gpointer key;

  if (values == NULL)
    return keys;
  g_hash_table_iter_init (&iter, values);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, g_strdup (key));

  return keys;
}

static void
memory_clear (WaKeyStore *store)
{
  g_hash_table_remove_all (WA_MEMORY_KEY_STORE (store)->kinds);
}

static void
wa_memory_key_store_iface_init (WaKeyStoreInterface *iface)
{
  iface->load = memory_load;
  iface->save = memory_save;
  iface->remove = memory_remove;
  iface->list = memory_list;
  iface->clear = memory_clear;
}

static void
wa_memory_key_store_finalize (GObject *object)
{
  WaMemoryKeyStore *self = (WaMemoryKeyStore *)object;

  g_clear_pointer (&self->kinds, g_hash_table_unref);

  G_OBJECT_CLASS (wa_memory_key_store_parent_class)->finalize (object);
}

static void
wa_memory_key_store_class_init (WaMemoryKeyStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wa_memory_key_store_finalize;
}

static void
wa_memory_key_store_init (WaMemoryKeyStore *self)
{
  self->kinds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
}

/**
 * wa_memory_key_store_new:
 *
 * Returns: (transfer full): an empty key store that lives in memory only
 */
WaKeyStore *
wa_memory_key_store_new (void)
{
  return g_object_new (WA_TYPE_MEMORY_KEY_STORE, NULL);
}
