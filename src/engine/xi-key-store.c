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
 * start-up; every change updates the copy at once and is queued for the
 * store, which writes the queue in one transaction when asked to flush
 * (before a message encrypted with those keys leaves: a session whose
 * next key was used but not saved would use it again after a crash, and
 * the recipient would drop the second message as a replay) or, failing
 * that, when the thread is next idle. Several changes to one key between
 * two writes are written once. Lives on the network thread.
 */
struct _XiKeyStore
{
  GObject     parent_instance;

  XiStore    *store;
  WaKeyStore *cache;
  GPtrArray  *pending;        /* XiKeyChange*, in order */
  GHashTable *pending_index;  /* "kind\x1fkey" -> position in pending + 1 */
  GSource    *idle_write;
  GThread    *owner;
};

#define assert_owner(self) g_assert ((self)->owner == g_thread_self ())

static void xi_key_store_iface_init (WaKeyStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (XiKeyStore, xi_key_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WA_TYPE_KEY_STORE, xi_key_store_iface_init))

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* Never log a key or a value. */
  if (!xi_store_put_keys_finish (XI_STORE (object), result, &error))
    g_warning ("Could not save WhatsApp credentials: %s", error->message);
}

static GPtrArray *
take_pending (XiKeyStore *self)
{
  GPtrArray *changes = g_steal_pointer (&self->pending);

  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) xi_key_change_free);
  g_hash_table_remove_all (self->pending_index);
  if (self->idle_write != NULL)
    {
      g_source_destroy (self->idle_write);
      g_clear_pointer (&self->idle_write, g_source_unref);
    }
  return changes;
}

static gboolean
idle_write_cb (gpointer user_data)
{
  XiKeyStore *self = user_data;
  g_autoptr(GPtrArray) changes = take_pending (self);

  xi_store_put_keys_async (self->store, changes, NULL, written_cb, NULL);
  return G_SOURCE_REMOVE;
}

static void
queue_change (XiKeyStore  *self,
              XiKeyChange *change)
{
  g_autofree char *full = NULL;
  guint position;

  if (change->kind == NULL)
    {
      g_ptr_array_set_size (self->pending, 0);
      g_hash_table_remove_all (self->pending_index);
      g_ptr_array_add (self->pending, change);
    }
  else
    {
      full = g_strconcat (change->kind, "\x1f", change->key, NULL);
      position = GPOINTER_TO_UINT (g_hash_table_lookup (self->pending_index, full));
      if (position > 0)
        {
          xi_key_change_free (g_ptr_array_index (self->pending, position - 1));
          g_ptr_array_index (self->pending, position - 1) = change;
        }
      else
        {
          g_ptr_array_add (self->pending, change);
          g_hash_table_insert (self->pending_index, g_steal_pointer (&full),
                               GUINT_TO_POINTER (self->pending->len));
        }
    }

  if (self->idle_write == NULL)
    {
      self->idle_write = g_idle_source_new ();
      g_source_set_callback (self->idle_write, idle_write_cb, self, NULL);
      g_source_attach (self->idle_write, g_main_context_get_thread_default ());
    }
}

static GBytes *
key_store_load (WaKeyStore *store,
                const char *kind,
                const char *key)
{
  assert_owner (XI_KEY_STORE (store));
  return wa_key_store_load (XI_KEY_STORE (store)->cache, kind, key);
}

static void
key_store_save (WaKeyStore *store,
                const char *kind,
                const char *key,
                GBytes     *value)
{
  XiKeyStore *self = XI_KEY_STORE (store);

  assert_owner (self);
  wa_key_store_save (self->cache, kind, key, value);
  queue_change (self, xi_key_change_new (kind, key, value));
}

static void
key_store_remove (WaKeyStore *store,
                  const char *kind,
                  const char *key)
{
  XiKeyStore *self = XI_KEY_STORE (store);

  assert_owner (self);
  wa_key_store_remove (self->cache, kind, key);
  queue_change (self, xi_key_change_new (kind, key, NULL));
}

static GPtrArray *
key_store_list (WaKeyStore *store,
                const char *kind)
{
  assert_owner (XI_KEY_STORE (store));
  return wa_key_store_list (XI_KEY_STORE (store)->cache, kind);
}

static void
key_store_clear (WaKeyStore *store)
{
  XiKeyStore *self = XI_KEY_STORE (store);

  assert_owner (self);
  wa_key_store_clear (self->cache);
  queue_change (self, xi_key_change_new (NULL, NULL, NULL));
}

static void
flushed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (xi_store_put_keys_finish (XI_STORE (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* The store runs its queue in order: once this batch (empty or not) is
 * written, so is everything before it. */
static void
key_store_flush_async (WaKeyStore          *store,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  XiKeyStore *self = XI_KEY_STORE (store);
  g_autoptr(GPtrArray) changes = NULL;
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  assert_owner (self);
  changes = take_pending (self);
  g_task_set_source_tag (task, key_store_flush_async);
  xi_store_put_keys_async (self->store, changes, NULL, flushed_cb, task);
}

static gboolean
key_store_flush_finish (WaKeyStore    *store,
                        GAsyncResult  *result,
                        GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
xi_key_store_iface_init (WaKeyStoreInterface *iface)
{
  iface->load = key_store_load;
  iface->save = key_store_save;
  iface->remove = key_store_remove;
  iface->list = key_store_list;
  iface->clear = key_store_clear;
  iface->flush_async = key_store_flush_async;
  iface->flush_finish = key_store_flush_finish;
}

static void
xi_key_store_finalize (GObject *object)
{
  XiKeyStore *self = (XiKeyStore *)object;
  g_autoptr(GPtrArray) changes = take_pending (self);

  /* What is still queued goes to disk; the store outlives this. */
  if (changes->len > 0)
    xi_store_put_keys_async (self->store, changes, NULL, written_cb, NULL);
  g_ptr_array_unref (self->pending);
  g_hash_table_unref (self->pending_index);
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
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) xi_key_change_free);
  self->pending_index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->owner = g_thread_self ();
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
