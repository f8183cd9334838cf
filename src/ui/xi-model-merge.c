/* xi-model-merge.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-model-merge.h"

/**
 * xi_model_merge:
 * @store: a list of items that have ids
 * @items: (element-type GObject): the same list read again, in its order
 * @id_func: the id of an item
 * @update_func: copies a newer item's fields into a known one
 *
 * Makes @store hold what @items holds, keeping the object of every item it
 * knew: widgets and pages that hold an item go on showing it, and only
 * the fields that changed notify. The list itself changes only where
 * items came, went or moved, so a list view keeps its selection and its
 * place when a reload brings nothing new.
 */
void
xi_model_merge (GListStore        *store,
                GPtrArray         *items,
                XiModelIdFunc      id_func,
                XiModelUpdateFunc  update_func)
{
  GListModel *model = G_LIST_MODEL (store);
  guint n = g_list_model_get_n_items (model);
  g_autoptr(GHashTable) known = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  g_autoptr(GPtrArray) merged = g_ptr_array_new_full (items->len, g_object_unref);
  gboolean same_order = n == items->len;

  for (guint i = 0; i < n; i++)
    {
      gpointer item = g_list_model_get_item (model, i);

      g_hash_table_insert (known, (gpointer)id_func (item), item);
    }

  for (guint i = 0; i < items->len; i++)
    {
      gpointer newer = g_ptr_array_index (items, i);
      gpointer item = g_hash_table_lookup (known, id_func (newer));

      if (item != NULL)
        {
          if (item != newer)
            update_func (item, newer);
          g_ptr_array_add (merged, g_object_ref (item));
        }
      else
        g_ptr_array_add (merged, g_object_ref (newer));

      if (same_order)
        {
          g_autoptr(GObject) at = g_list_model_get_item (model, i);

          same_order = (gpointer)at == g_ptr_array_index (merged, i);
        }
    }

  if (!same_order)
    g_list_store_splice (store, 0, n, merged->pdata, merged->len);
}
