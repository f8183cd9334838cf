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
 * synchronously, so reads come from an in-memory copy loaded once at
 * start-up; every change updates the copy and is queued to the store,
 * whose queue keeps the writes in order. Lives on the network thread.
 */
struct _XiKeyStore
{
  GObject     parent_instance;

  XiStore    *store;
  WaKeyStore *cache;
};

static void xi_key_store_iface_init (WaKeyStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (XiKeyStore, xi_key_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WA_TYPE_KEY_STORE, xi_key_store_iface_init))

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
  return wa_key_store_load (XI_KEY_STORE (store)->cache, kind, key);
}

static void
key_store_save (WaKeyStore *store,
                const char *kind,
                const char *key,
                GBytes     *value)
{
  XiKeyStore *self = XI_KEY_STORE (store);

  wa_key_store_save (self->cache, kind, key, value);
  xi_store_put_key_async (self->store, kind, key, value, NULL, written_cb,
                          (gpointer)g_intern_string (kind));
}

static void
key_store_remove (WaKeyStore *store,
                  const char *kind,
                  const char *key)
{
  XiKeyStore *self = XI_KEY_STORE (store);

  wa_key_store_remove (self->cache, kind, key);
  xi_store_put_key_async (self->store, kind, key, NULL, NULL, written_cb,
                          (gpointer)g_intern_string (kind));
}

static GPtrArray *
key_store_list (WaKeyStore *store,
                const char *kind)
{
  return wa_key_store_list (XI_KEY_STORE (store)->cache, kind);
}

static void
key_store_clear (WaKeyStore *store)
{
  XiKeyStore *self = XI_KEY_STORE (store);

  wa_key_store_clear (self->cache);
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

  g_clear_object (&self->cache);
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
  self->cache = wa_memory_key_store_new ();
}

/**
 * xi_key_store_new:
 * @store: the application store
 * @loaded: (transfer none): what xi_store_load_keys_finish() returned,
 *   "kind\x1fkey" -> value
 *
 * Returns: (transfer full): a key store for the protocol library
 */
XiKeyStore *
xi_key_store_new (XiStore    *store,
                  GHashTable *loaded)
{
  XiKeyStore *self;
  GHashTableIter iter;
  gpointer full, value;

  g_return_val_if_fail (XI_IS_STORE (store), NULL);
  g_return_val_if_fail (loaded != NULL, NULL);

  self = g_object_new (XI_TYPE_KEY_STORE, NULL);
  self->store = g_object_ref (store);

  g_hash_table_iter_init (&iter, loaded);
  while (g_hash_table_iter_next (&iter, &full, &value))
    {
      g_auto(GStrv) parts = g_strsplit (full, "\x1f", 2);

      if (parts[1] != NULL)
        wa_key_store_save (self->cache, parts[0], parts[1], value);
    }

  return self;
}
