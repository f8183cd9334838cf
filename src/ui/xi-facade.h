/* xi-facade.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "xi-store.h"

G_BEGIN_DECLS

#define XI_TYPE_FACADE (xi_facade_get_type ())

G_DECLARE_DERIVABLE_TYPE (XiFacade, xi_facade, XI, FACADE, GObject)

/* The shapes of the store's writes a facade wraps. */
typedef void     (*XiFacadeWriteFunc)       (XiStore              *store,
                                             gpointer              what,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
typedef gpointer (*XiFacadeItemFinishFunc)  (XiStore              *store,
                                             GAsyncResult         *result,
                                             GError              **error);
typedef gboolean (*XiFacadeDeleteFinishFunc) (XiStore             *store,
                                              GAsyncResult        *result,
                                              GError             **error);

/**
 * XiFacadeClass:
 * @item_type: the type of the model's items
 * @table: the synced table whose row ids are the items' ids
 * @related: (nullable): tables whose changes alter items too, as a whole
 *   (a group's member count follows group_members)
 * @read_async: reads the items with @ids, or every item when @ids is
 *   %NULL; may read more than asked
 * @read_finish: (element-type GObject): the items read
 * @get_id: an item's id
 * @update: copies a newer copy's fields into the item the model holds
 * @compare: the model's order
 *
 * The UI's way to one domain of the store: it owns the domain's list
 * model, keeps it following XiStore::changed, and its subclass exposes the
 * writes pages make. Main thread only.
 */
struct _XiFacadeClass
{
  GObjectClass parent_class;

  GType               item_type;
  const char         *table;
  const char * const *related;

  void        (*read_async)  (XiFacade             *self,
                              const char * const   *ids,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data);
  GPtrArray  *(*read_finish) (XiFacade             *self,
                              GAsyncResult         *result,
                              GError              **error);
  const char *(*get_id)      (gpointer              item);
  void        (*update)      (gpointer              item,
                              gpointer              newer);
  int         (*compare)     (gconstpointer         a,
                              gconstpointer         b,
                              gpointer              user_data);
};

XiStore    *xi_facade_get_store     (XiFacade             *self);
GListModel *xi_facade_get_model     (XiFacade             *self);
gpointer    xi_facade_find          (XiFacade             *self,
                                     const char           *id);
void        xi_facade_reload_async  (XiFacade             *self,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
gboolean    xi_facade_reload_finish (XiFacade             *self,
                                     GAsyncResult         *result,
                                     GError              **error);
void        xi_facade_take          (XiFacade             *self,
                                     gpointer              item);
void        xi_facade_forget        (XiFacade             *self,
                                     const char           *id);
gboolean    xi_facade_is_following  (XiFacade             *self);
void        xi_facade_return_item   (XiFacade             *self,
                                     GTask                *task,
                                     gpointer              item,
                                     GError               *error);
void        xi_facade_save_async    (XiFacade             *self,
                                     XiFacadeWriteFunc     write,
                                     XiFacadeItemFinishFunc finish,
                                     gpointer              item,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
gpointer    xi_facade_save_finish   (XiFacade             *self,
                                     GAsyncResult         *result,
                                     GError              **error);
void        xi_facade_delete_async  (XiFacade             *self,
                                     XiFacadeWriteFunc     write,
                                     XiFacadeDeleteFinishFunc finish,
                                     const char           *id,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
gboolean    xi_facade_delete_finish (XiFacade             *self,
                                     GAsyncResult         *result,
                                     GError              **error);

void        xi_facade_return_list   (GTask                *task,
                                     GPtrArray            *items,
                                     GError               *error);
GPtrArray  *xi_facade_list_finish   (XiFacade             *self,
                                     GAsyncResult         *result,
                                     GError              **error);

G_END_DECLS
