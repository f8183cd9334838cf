/* xi-facade.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-facade"

#include "config.h"

#include "xi-facade.h"
#include "xi-model-merge.h"

/*
 * A facade's model follows the store: XiStore::changed names the rows
 * any write committed (a page's, the engine's, or sync's), and the
 * facade reads those rows again, one read at a time; what changes while
 * a read runs is read by the next. A write made through the facade puts
 * its result in the model before its caller hears of it, so the page
 * finds the new row at once; the announcement that follows finds it
 * known and changes nothing. Either way each row is in the model once.
 *
 * A read may come back after a newer state of a row was put in by a
 * write's result or by the engine, whose snapshots take another way to
 * the main loop: such rows keep what they have, and are read again.
 */

typedef struct
{
  XiStore      *store;
  GListStore   *model;
  GCancellable *cancellable;
  GHashTable   *pending;     /* ids to read again */
  gboolean      pending_all; /* or everything */
  gboolean      reading;     /* a follow read is running */
  guint         n_reads;     /* reads running, follow and reloads */
  GHashTable   *touched;     /* ids a write or the engine set meanwhile */
} XiFacadePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (XiFacade, xi_facade, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Auxiliary methods */

static gboolean
find_position (XiFacade   *self,
               const char *id,
               guint      *position)
{
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);
  XiFacadeClass *klass = XI_FACADE_GET_CLASS (self);
  GListModel *model = G_LIST_MODEL (priv->model);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (klass->get_id (item), id) == 0)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

/* Whether the item at @position still sorts between its neighbours. */
static gboolean
in_order (XiFacade *self,
          guint     position)
{
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);
  XiFacadeClass *klass = XI_FACADE_GET_CLASS (self);
  GListModel *model = G_LIST_MODEL (priv->model);
  g_autoptr(GObject) item = g_list_model_get_item (model, position);

  if (position > 0)
    {
      g_autoptr(GObject) before = g_list_model_get_item (model, position - 1);

      if (klass->compare (before, item, NULL) > 0)
        return FALSE;
    }
  if (position + 1 < g_list_model_get_n_items (model))
    {
      g_autoptr(GObject) after = g_list_model_get_item (model, position + 1);

      if (klass->compare (item, after, NULL) > 0)
        return FALSE;
    }
  return TRUE;
}

static void
apply_one (XiFacade   *self,
           const char *id,
           gpointer    newer)
{
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);
  XiFacadeClass *klass = XI_FACADE_GET_CLASS (self);
  guint position;

  if (!find_position (self, id, &position))
    {
      if (newer != NULL)
        g_list_store_insert_sorted (priv->model, newer, klass->compare, NULL);
      return;
    }

  if (newer == NULL)
    {
      g_list_store_remove (priv->model, position);
      return;
    }

  {
    g_autoptr(GObject) known = g_list_model_get_item (G_LIST_MODEL (priv->model), position);

    if ((gpointer)known != newer)
      klass->update (known, newer);
    /* A rename can move it; the object stays the same. */
    if (!in_order (self, position))
      {
        g_list_store_remove (priv->model, position);
        g_list_store_insert_sorted (priv->model, known, klass->compare, NULL);
      }
  }
}

static int
compare_ptr (gconstpointer a,
             gconstpointer b,
             gpointer      user_data)
{
  XiFacadeClass *klass = user_data;

  return klass->compare (*(gpointer *)a, *(gpointer *)b, NULL);
}

/* Puts what a read found into the model: every item when @ids is NULL,
 * else those ids, the ones missing from @items being gone. */
static void
apply (XiFacade           *self,
       const char * const *ids,
       GPtrArray          *items)
{
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);
  XiFacadeClass *klass = XI_FACADE_GET_CLASS (self);
  g_autoptr(GHashTable) by_id = NULL;

  if (ids == NULL)
    {
      g_autoptr(GPtrArray) merged = g_ptr_array_new_full (items->len, g_object_unref);

      for (guint i = 0; i < items->len; i++)
        {
          gpointer item = g_ptr_array_index (items, i);
          gpointer known = NULL;

          if (g_hash_table_contains (priv->touched, klass->get_id (item)))
            known = xi_facade_find (self, klass->get_id (item));
          g_ptr_array_add (merged, g_object_ref (known != NULL ? known : item));
        }
      g_ptr_array_sort_with_data (merged, compare_ptr, klass);
      xi_model_merge (priv->model, merged, klass->get_id, klass->update);
      return;
    }

  by_id = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < items->len; i++)
    {
      gpointer item = g_ptr_array_index (items, i);

      g_hash_table_insert (by_id, (gpointer)klass->get_id (item), item);
    }
  for (guint i = 0; ids[i] != NULL; i++)
    if (!g_hash_table_contains (priv->touched, ids[i]))
      apply_one (self, ids[i], g_hash_table_lookup (by_id, ids[i]));
}

static void
read_started (XiFacade *self)
{
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);

  priv->n_reads++;
}

/* The rows set while reads ran are read again once none runs. */
static void
read_ended (XiFacade *self)
{
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);
  GHashTableIter iter;
  gpointer id;

  if (--priv->n_reads > 0)
    return;
  g_hash_table_iter_init (&iter, priv->touched);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    {
      g_hash_table_add (priv->pending, id);
      g_hash_table_iter_steal (&iter);
    }
}

static void follow (XiFacade *self);

typedef struct
{
  XiFacade  *self;
  char     **ids;
} Read;

static void
read_free (Read *read)
{
  g_object_unref (read->self);
  g_strfreev (read->ids);
  g_free (read);
}

static void
followed_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Read *read = user_data;
  XiFacade *self = read->self;
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;

  items = XI_FACADE_GET_CLASS (self)->read_finish (self, result, &error);
  if (items == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      read_free (read);
      return;
    }

  /* The profile is closing (quit, sign-in or sign-out reopen the data
   * folder): what changed last goes with the window that showed it. */
  if (items == NULL && g_error_matches (error, XI_STORE_ERROR, XI_STORE_ERROR_CLOSED))
    {
      priv->reading = FALSE;
      read_ended (self);
      read_free (read);
      return;
    }

  priv->reading = FALSE;
  if (items != NULL)
    apply (self, (const char * const *)read->ids, items);
  else
    g_warning ("Could not read changed rows of %s: %s", XI_FACADE_GET_CLASS (self)->table,
               error->message);
  read_ended (self);
  read_free (read);
  follow (self);
}

/* Reads what changed, one read at a time. */
static void
follow (XiFacade *self)
{
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);
  Read *read;

  if (priv->reading || (!priv->pending_all && g_hash_table_size (priv->pending) == 0))
    return;

  read = g_new0 (Read, 1);
  read->self = g_object_ref (self);
  if (!priv->pending_all)
    read->ids = (char **)g_hash_table_get_keys_as_array (priv->pending, NULL);
  g_hash_table_steal_all (priv->pending);
  priv->pending_all = FALSE;
  priv->reading = TRUE;
  read_started (self);

  XI_FACADE_GET_CLASS (self)->read_async (self, (const char * const *)read->ids, priv->cancellable,
                                          followed_cb, read);
}

/* Callbacks */

static void
store_changed_cb (XiFacade           *self,
                  const char         *table,
                  const char * const *ids,
                  XiStore            *store)
{
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);
  XiFacadeClass *klass = XI_FACADE_GET_CLASS (self);

  if (g_str_equal (table, klass->table) && ids[0] != NULL)
    for (guint i = 0; ids[i] != NULL; i++)
      g_hash_table_add (priv->pending, g_strdup (ids[i]));
  else if (g_str_equal (table, klass->table) ||
           (klass->related != NULL && g_strv_contains (klass->related, table)))
    priv->pending_all = TRUE;
  else
    return;

  follow (self);
}

/* GObject */

static void
xi_facade_constructed (GObject *object)
{
  XiFacade *self = (XiFacade *)object;
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);

  G_OBJECT_CLASS (xi_facade_parent_class)->constructed (object);

  g_assert (priv->store != NULL);
  priv->model = g_list_store_new (XI_FACADE_GET_CLASS (self)->item_type);
  g_signal_connect_object (priv->store, "changed", G_CALLBACK (store_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
xi_facade_dispose (GObject *object)
{
  XiFacade *self = (XiFacade *)object;
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);

  g_cancellable_cancel (priv->cancellable);

  G_OBJECT_CLASS (xi_facade_parent_class)->dispose (object);
}

static void
xi_facade_finalize (GObject *object)
{
  XiFacade *self = (XiFacade *)object;
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);

  g_clear_object (&priv->cancellable);
  g_clear_object (&priv->model);
  g_clear_object (&priv->store);
  g_clear_pointer (&priv->pending, g_hash_table_unref);
  g_clear_pointer (&priv->touched, g_hash_table_unref);

  G_OBJECT_CLASS (xi_facade_parent_class)->finalize (object);
}

static void
xi_facade_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  XiFacade *self = XI_FACADE (object);
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, priv->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_facade_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  XiFacade *self = XI_FACADE (object);
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_STORE:
      priv->store = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_facade_class_init (XiFacadeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = xi_facade_constructed;
  object_class->dispose = xi_facade_dispose;
  object_class->finalize = xi_facade_finalize;
  object_class->get_property = xi_facade_get_property;
  object_class->set_property = xi_facade_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, XI_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
xi_facade_init (XiFacade *self)
{
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);

  priv->cancellable = g_cancellable_new ();
  priv->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  priv->touched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* Public API */

XiStore *
xi_facade_get_store (XiFacade *self)
{
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);

  g_return_val_if_fail (XI_IS_FACADE (self), NULL);
  return priv->store;
}

/**
 * xi_facade_get_model:
 * @self: a #XiFacade
 *
 * Returns: (transfer none): the domain's items, in the facade's order;
 *   an item stays the same object for as long as it exists
 */
GListModel *
xi_facade_get_model (XiFacade *self)
{
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);

  g_return_val_if_fail (XI_IS_FACADE (self), NULL);
  return G_LIST_MODEL (priv->model);
}

/**
 * xi_facade_find:
 * @self: a #XiFacade
 * @id: (nullable): an item's id
 *
 * Returns: (transfer none) (nullable): the model's item with @id
 */
gpointer
xi_facade_find (XiFacade   *self,
                const char *id)
{
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);
  guint position;
  g_autoptr(GObject) item = NULL;

  g_return_val_if_fail (XI_IS_FACADE (self), NULL);

  if (id == NULL || !find_position (self, id, &position))
    return NULL;
  item = g_list_model_get_item (G_LIST_MODEL (priv->model), position);
  return item;   /* still owned by the model */
}

static void
reloaded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiFacade *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) items = NULL;
  GError *error = NULL;

  items = XI_FACADE_GET_CLASS (self)->read_finish (self, result, &error);
  if (items == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      return;
    }
  if (items != NULL)
    apply (self, NULL, items);
  read_ended (self);
  follow (self);
  if (items == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * xi_facade_reload_async:
 * @self: a #XiFacade
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the model holds what the store holds
 * @user_data: closure
 *
 * Reads every item again, for a model that is new or whose store was
 * written by another process.
 */
void
xi_facade_reload_async (XiFacade            *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_FACADE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_facade_reload_async);
  read_started (self);
  XI_FACADE_GET_CLASS (self)->read_async (self, NULL, cancellable, reloaded_cb, task);
}

gboolean
xi_facade_reload_finish (XiFacade      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
note_touched (XiFacade   *self,
              const char *id)
{
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);

  if (priv->n_reads > 0)
    g_hash_table_add (priv->touched, g_strdup (id));
}

/**
 * xi_facade_take:
 * @self: a #XiFacade
 * @item: an item as a write or the engine returned it
 *
 * Puts @item's state into the model: into the item with its id, or as a
 * new item at its place.
 */
void
xi_facade_take (XiFacade *self,
                gpointer  item)
{
  g_return_if_fail (XI_IS_FACADE (self));
  g_return_if_fail (G_TYPE_CHECK_INSTANCE_TYPE (item, XI_FACADE_GET_CLASS (self)->item_type));

  note_touched (self, XI_FACADE_GET_CLASS (self)->get_id (item));
  apply_one (self, XI_FACADE_GET_CLASS (self)->get_id (item), item);
}

/**
 * xi_facade_forget:
 * @self: a #XiFacade
 * @id: the id of an item a write deleted
 */
void
xi_facade_forget (XiFacade   *self,
                  const char *id)
{
  g_return_if_fail (XI_IS_FACADE (self));
  g_return_if_fail (id != NULL);

  note_touched (self, id);
  apply_one (self, id, NULL);
}

/**
 * xi_facade_is_following:
 * @self: a #XiFacade
 *
 * Returns: whether changed rows are being read or wait to be
 */
gboolean
xi_facade_is_following (XiFacade *self)
{
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);

  g_return_val_if_fail (XI_IS_FACADE (self), FALSE);
  return priv->n_reads > 0 || priv->pending_all || g_hash_table_size (priv->pending) > 0;
}

/**
 * xi_facade_return_item:
 * @self: a #XiFacade
 * @task: (transfer full): the task of a write made through a subclass
 * @item: (transfer full) (nullable): what the store wrote, or %NULL
 * @error: (transfer full) (nullable): why the write failed
 *
 * Ends a write that returns an item: the model holds it before the task
 * returns it, so the caller finds it there.
 */
void
xi_facade_return_item (XiFacade *self,
                       GTask    *task,
                       gpointer  item,
                       GError   *error)
{
  g_autoptr(GTask) owned = task;

  g_return_if_fail (XI_IS_FACADE (self));

  if (item == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* A cancelled caller is gone, but the write was made. */
  xi_facade_take (self, item);
  g_task_return_pointer (task, item, g_object_unref);
}

typedef struct
{
  gpointer finish;
  char    *id;
} Write;

static void
write_free (Write *write)
{
  g_free (write->id);
  g_free (write);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  Write *write = g_task_get_task_data (task);
  GError *error = NULL;
  gpointer item = ((XiFacadeItemFinishFunc)write->finish) (XI_STORE (object), result, &error);

  xi_facade_return_item (g_task_get_source_object (task), task, item, error);
}

/**
 * xi_facade_save_async:
 * @self: a #XiFacade
 * @write: the store's save, e.g. xi_store_save_group_async()
 * @finish: its finish, which returns the stored item
 * @item: what to save
 * @cancellable: (nullable): a #GCancellable; the save is made all the same
 * @callback: called once it is stored and in the model
 * @user_data: closure
 *
 * The save of a subclass.
 */
void
xi_facade_save_async (XiFacade               *self,
                      XiFacadeWriteFunc       write,
                      XiFacadeItemFinishFunc  finish,
                      gpointer                item,
                      GCancellable           *cancellable,
                      GAsyncReadyCallback     callback,
                      gpointer                user_data)
{
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);
  Write *data;
  GTask *task;

  g_return_if_fail (XI_IS_FACADE (self));

  data = g_new0 (Write, 1);
  data->finish = finish;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_facade_save_async);
  g_task_set_task_data (task, data, (GDestroyNotify)write_free);
  write (priv->store, item, cancellable, saved_cb, task);
}

/**
 * xi_facade_save_finish:
 *
 * Returns: (transfer full): the stored item, as the model holds it
 */
gpointer
xi_facade_save_finish (XiFacade      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Write *write = g_task_get_task_data (task);
  GError *error = NULL;

  if (!((XiFacadeDeleteFinishFunc)write->finish) (XI_STORE (object), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  xi_facade_forget (g_task_get_source_object (task), write->id);
  g_task_return_boolean (task, TRUE);
}

/**
 * xi_facade_delete_async:
 * @self: a #XiFacade
 * @write: the store's delete, e.g. xi_store_delete_group_async()
 * @finish: its finish
 * @id: the item to delete
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once it is gone from the store and the model
 * @user_data: closure
 *
 * The delete of a subclass.
 */
void
xi_facade_delete_async (XiFacade                 *self,
                        XiFacadeWriteFunc         write,
                        XiFacadeDeleteFinishFunc  finish,
                        const char               *id,
                        GCancellable             *cancellable,
                        GAsyncReadyCallback       callback,
                        gpointer                  user_data)
{
  XiFacadePrivate *priv = xi_facade_get_instance_private (self);
  Write *data;
  GTask *task;

  g_return_if_fail (XI_IS_FACADE (self));
  g_return_if_fail (id != NULL);

  data = g_new0 (Write, 1);
  data->finish = finish;
  data->id = g_strdup (id);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_facade_delete_async);
  g_task_set_task_data (task, data, (GDestroyNotify)write_free);
  write (priv->store, (gpointer)id, cancellable, deleted_cb, task);
}

gboolean
xi_facade_delete_finish (XiFacade      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * xi_facade_return_list:
 * @task: (transfer full): a read_async task of a subclass
 * @items: (transfer full) (nullable) (element-type GObject): what was read
 * @error: (transfer full) (nullable): why the read failed
 */
void
xi_facade_return_list (GTask     *task,
                       GPtrArray *items,
                       GError    *error)
{
  g_autoptr(GTask) owned = task;

  if (items == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, items, (GDestroyNotify)g_ptr_array_unref);
}

/**
 * xi_facade_list_finish:
 * @self: a #XiFacade
 * @result: what xi_facade_return_list () returned
 * @error: return location for a #GError
 *
 * The read_finish of the subclasses whose reads end with
 * xi_facade_return_list ().
 *
 * Returns: (transfer full) (element-type GObject): the items read
 */
GPtrArray *
xi_facade_list_finish (XiFacade      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
