/* wa-key-store.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define WA_TYPE_KEY_STORE (wa_key_store_get_type ())

G_DECLARE_INTERFACE (WaKeyStore, wa_key_store, WA, KEY_STORE, GObject)

/**
 * WaKeyStoreInterface:
 * @load: returns the value stored under (@kind, @key), or %NULL
 * @save: stores @value under (@kind, @key), replacing any older value
 * @remove: forgets (@kind, @key)
 * @list: returns the keys stored under @kind
 * @clear: forgets everything (used when the device is unlinked)
 * @flush_async: (nullable): makes every change so far durable; the
 *   library calls it before anything that depends on them leaves the
 *   machine (a message encrypted with a session's next key). Without it,
 *   changes are taken to be durable at once.
 * @flush_finish: (nullable): finishes @flush_async
 * @prefetch_async: (nullable): reads the values of @keys under each of
 *   @kinds ahead, for a store that keeps only some in memory, so that the
 *   synchronous reads that follow do not wait on the disk. Without it,
 *   every value is taken to be in memory already.
 * @prefetch_finish: (nullable): finishes @prefetch_async
 *
 * Where the protocol library keeps its secrets: the device credentials and
 * the Signal identities, sessions and prekeys. The library never touches a
 * database itself; the application implements this on its own store and
 * keeps the values out of logs and out of sync.
 *
 * Calls are synchronous and made on the network thread only, because
 * libsignal's store callbacks are synchronous: an implementation serves
 * reads from memory and writes through to disk in order.
 */
struct _WaKeyStoreInterface
{
  GTypeInterface parent_iface;

  GBytes     *(*load)   (WaKeyStore *self,
                         const char *kind,
                         const char *key);
  void        (*save)   (WaKeyStore *self,
                         const char *kind,
                         const char *key,
                         GBytes     *value);
  void        (*remove) (WaKeyStore *self,
                         const char *kind,
                         const char *key);
  GPtrArray  *(*list)   (WaKeyStore *self,
                         const char *kind);
  void        (*clear)  (WaKeyStore *self);
  void        (*flush_async)  (WaKeyStore          *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);
  gboolean    (*flush_finish) (WaKeyStore          *self,
                               GAsyncResult        *result,
                               GError             **error);
  void        (*prefetch_async)  (WaKeyStore          *self,
                                  const char * const  *kinds,
                                  const char * const  *keys,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
  gboolean    (*prefetch_finish) (WaKeyStore          *self,
                                  GAsyncResult        *result,
                                  GError             **error);
};

GBytes     *wa_key_store_load   (WaKeyStore *self,
                                 const char *kind,
                                 const char *key);
void        wa_key_store_save   (WaKeyStore *self,
                                 const char *kind,
                                 const char *key,
                                 GBytes     *value);
void        wa_key_store_remove (WaKeyStore *self,
                                 const char *kind,
                                 const char *key);
GPtrArray  *wa_key_store_list   (WaKeyStore *self,
                                 const char *kind);
void        wa_key_store_clear  (WaKeyStore *self);
void        wa_key_store_flush_async  (WaKeyStore          *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean    wa_key_store_flush_finish (WaKeyStore          *self,
                                       GAsyncResult        *result,
                                       GError             **error);
void        wa_key_store_prefetch_async  (WaKeyStore          *self,
                                          const char * const  *kinds,
                                          const char * const  *keys,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean    wa_key_store_prefetch_finish (WaKeyStore          *self,
                                          GAsyncResult        *result,
                                          GError             **error);

#define WA_TYPE_MEMORY_KEY_STORE (wa_memory_key_store_get_type ())

G_DECLARE_FINAL_TYPE (WaMemoryKeyStore, wa_memory_key_store, WA, MEMORY_KEY_STORE, GObject)

WaKeyStore *wa_memory_key_store_new (void);

G_END_DECLS
