/* xi-key-store.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-key-store"

#include "config.h"

#include "xi-key-store.h"

/*
 * The WhatsApp key store on top of XiStore. libsignal asks for keys
 * synchronously, so reads come from a cache loaded once at start-up; every
 * change updates the cache and is queued to the store, whose queue keeps
 * the writes in order. Lives on the network thread.
 */
struct _XiKeyStore
{
  GObject     parent_instance;

  XiStore    *store;
  GHashTable *cache;    /* "kind\x1fkey" -> GBytes */
};

static void xi_key_store_iface_init (WaKeyStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (XiKeyStore, xi_key_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WA_TYPE_KEY_STORE, xi_key_store_iface_init))

static char *
compose (const char *kind,
         const char *key)
{
  return g_strconcat (kind, "\x1f", key, NULL);
}

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* Never log the key or the value: the kind is enough to find the bug. */
  if (!xi_store_put_key_finish (XI_STORE (object), result, &error))
    g_warning ("Could not save WhatsApp credentials (%s): %s",
               (const char *)user_data, error->message);
}

static GBytes *
key_store_load (WaKeyStore *store,
                const char *kind,
                const char *key)
{
  XiKeyStore *self = XI_KEY_STORE (store);
  g_autofree char *full = compose (kind, key);
  GBytes *value = g_hash_table_lookup (self->cache, full);

  return value != NULL ? g_bytes_ref (value) : NULL;
}

static void
key_store_save (WaKeyStore *store,
                const char *kind,
                const char *key,
                GBytes     *value)
{
  XiKeyStore *self = XI_KEY_STORE (store);
  gsize len;
  gconstpointer data = g_bytes_get_data (value, &len);
  GBytes *copy = g_bytes_new (data, len);

  g_hash_table_insert (self->cache, compose (kind, key), copy);
  xi_store_put_key_async (self->store, kind, key, copy, NULL, written_cb, (gpointer)g_intern_string (kind));
}

static void
key_store_remove (WaKeyStore *store,
                  const char *kind,
                  const char *key)
{
  XiKeyStore *self = XI_KEY_STORE (store);
  g_autofree char *full = compose (kind, key);

  if (g_hash_table_remove (self->cache, full))
    xi_store_put_key_async (self->store, kind, key, NULL, NULL, written_cb,
                            (gpointer)g_intern_string (kind));
}

static GPtrArray *
key_store_list (WaKeyStore *store,
                const char *kind)
{
  XiKeyStore *self = XI_KEY_STORE (store);
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *prefix = compose (kind, "");
  gsize prefix_len = strlen (prefix);
  GHashTableIter iter;
  gpointer full;

  g_hash_table_iter_init (&iter, self->cache);
  while (g_hash_table_iter_next (&iter, &full, NULL))
    if (strncmp (full, prefix, prefix_len) == 0)
      g_ptr_array_add (keys, g_strdup ((const char *)full + prefix_len));

  return keys;
}

static void
key_store_clear (WaKeyStore *store)
{
  XiKeyStore *self = XI_KEY_STORE (store);

  g_hash_table_remove_all (self->cache);
  xi_store_put_key_async (self->store, NULL, NULL, NULL, NULL, written_cb, (gpointer)"all");
}

static void
xi_key_store_iface_init (WaKeyStoreInterface *iface)
{
  iface->load = key_store_load;
  iface->save = key_store_save;
  iface->remove = key_store_remove;
  iface->list = key_store_list;
  iface->clear = key_store_clear;
}

static void
xi_key_store_finalize (GObject *object)
{
  XiKeyStore *self = (XiKeyStore *)object;

  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (xi_key_store_parent_class)->finalize (object);
}

static void
xi_key_store_class_init (XiKeyStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = xi_key_store_finalize;
}

static void
xi_key_store_init (XiKeyStore *self)
{
}

/**
 * xi_key_store_new:
 * @store: the application store
 * @loaded: (transfer none): what xi_store_load_keys_finish() returned
 *
 * Returns: (transfer full): a key store for the protocol library
 */
XiKeyStore *
xi_key_store_new (XiStore    *store,
                  GHashTable *loaded)
{
  XiKeyStore *self;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (XI_IS_STORE (store), NULL);
  g_return_val_if_fail (loaded != NULL, NULL);

  self = g_object_new (XI_TYPE_KEY_STORE, NULL);
  self->store = g_object_ref (store);
  self->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify)g_bytes_unref);

  g_hash_table_iter_init (&iter, loaded);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (self->cache, g_strdup (key), g_bytes_ref (value));

  return self;
}
