/* xi-assets-facade.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-assets-facade"

#include "config.h"

#include "xi-assets-facade.h"

/*
 * The asset library, newest first, as the store lists it. A library holds
 * tens or hundreds of files and a row is a few strings, so a change is
 * followed by reading the list, and the merge touches only what changed.
 */

struct _XiAssetsFacade
{
  XiFacade parent_instance;
};

G_DEFINE_FINAL_TYPE (XiAssetsFacade, xi_assets_facade, XI_TYPE_FACADE)

static int
compare_assets (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  XiAsset *first = (XiAsset *)a;
  XiAsset *second = (XiAsset *)b;
  int order = g_strcmp0 (xi_asset_get_created_at (second), xi_asset_get_created_at (first));

  if (order != 0)
    return order;
  order = g_utf8_collate (xi_asset_get_name (first), xi_asset_get_name (second));
  return order != 0 ? order : g_strcmp0 (xi_asset_get_id (first), xi_asset_get_id (second));
}

static void
assets_listed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GError *error = NULL;
  GPtrArray *assets = xi_store_list_assets_finish (XI_STORE (object), result, &error);

  xi_facade_return_list (user_data, assets, error);
}

static void
xi_assets_facade_read_async (XiFacade            *facade,
                             const char * const  *ids,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (facade, cancellable, callback, user_data);

  g_task_set_source_tag (task, xi_assets_facade_read_async);
  xi_store_list_assets_async (xi_facade_get_store (facade), cancellable, assets_listed_cb, task);
}

static void
xi_assets_facade_class_init (XiAssetsFacadeClass *klass)
{
  XiFacadeClass *facade_class = XI_FACADE_CLASS (klass);

  facade_class->item_type = XI_TYPE_ASSET;
  facade_class->table = "assets";
  facade_class->read_async = xi_assets_facade_read_async;
  facade_class->read_finish = xi_facade_list_finish;
  facade_class->get_id = (const char *(*) (gpointer))xi_asset_get_id;
  facade_class->update = (void (*) (gpointer, gpointer))xi_asset_update_from;
  facade_class->compare = compare_assets;
}

static void
xi_assets_facade_init (XiAssetsFacade *self)
{
}

/**
 * xi_assets_facade_new:
 * @store: the app's store
 *
 * Returns: (transfer full): the assets' facade, empty until reloaded
 */
XiAssetsFacade *
xi_assets_facade_new (XiStore *store)
{
  g_return_val_if_fail (XI_IS_STORE (store), NULL);
  return g_object_new (XI_TYPE_ASSETS_FACADE, "store", store, NULL);
}

/**
 * xi_assets_facade_add_async:
 * @self: a #XiAssetsFacade
 * @path: a local file
 * @cancellable: (nullable): a #GCancellable; the file is added all the same
 * @callback: called once it is stored and in the model
 * @user_data: closure
 *
 * Adds a file to the library (see xi_store_add_asset_async()).
 */
void
xi_assets_facade_add_async (XiAssetsFacade      *self,
                            const char          *path,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (XI_IS_ASSETS_FACADE (self));
  g_return_if_fail (path != NULL);

  xi_facade_save_async (XI_FACADE (self), (XiFacadeWriteFunc)xi_store_add_asset_async,
                        (XiFacadeItemFinishFunc)xi_store_add_asset_finish, (gpointer)path,
                        cancellable, callback, user_data);
}

/**
 * xi_assets_facade_add_finish:
 *
 * Returns: (transfer full): the stored asset, as the model holds it
 */
XiAsset *
xi_assets_facade_add_finish (XiAssetsFacade  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  return xi_facade_save_finish (XI_FACADE (self), result, error);
}

/**
 * xi_assets_facade_delete_async:
 * @self: a #XiAssetsFacade
 * @asset_id: the asset
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once it is gone from the store and the model
 * @user_data: closure
 */
void
xi_assets_facade_delete_async (XiAssetsFacade      *self,
                               const char          *asset_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (XI_IS_ASSETS_FACADE (self));

  xi_facade_delete_async (XI_FACADE (self), (XiFacadeWriteFunc)xi_store_delete_asset_async,
                          xi_store_delete_asset_finish, asset_id, cancellable, callback, user_data);
}

gboolean
xi_assets_facade_delete_finish (XiAssetsFacade  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  return xi_facade_delete_finish (XI_FACADE (self), result, error);
}
