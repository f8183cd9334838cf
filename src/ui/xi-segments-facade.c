/* xi-segments-facade.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-segments-facade"

#include "config.h"

#include "xi-segments-facade.h"

/*
 * The saved segments, by name ignoring case, as XiSegmentItems: the
 * Contacts page's filter bar and the Sending page's audience row show
 * the same model. A business saves a handful, so a change is followed
 * by reading them all; the merge keeps the items rows are bound to.
 */

struct _XiSegmentsFacade
{
  XiFacade parent_instance;
};

G_DEFINE_FINAL_TYPE (XiSegmentsFacade, xi_segments_facade, XI_TYPE_FACADE)

/* Names are unique ignoring case, but a segment pulled by sync may meet
 * a local one of the same name before the rename of the clash lands;
 * ids keep each in one place. */
static int
compare_segments (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  const XiSegment *first = xi_segment_item_get_segment ((XiSegmentItem *)a);
  const XiSegment *second = xi_segment_item_get_segment ((XiSegmentItem *)b);
  g_autofree char *first_key = g_utf8_casefold (first->name, -1);
  g_autofree char *second_key = g_utf8_casefold (second->name, -1);
  int order = g_utf8_collate (first_key, second_key);

  if (order != 0)
    return order;
  return g_strcmp0 (first->id, second->id);
}

static GPtrArray *
wrap_segments (GPtrArray *segments)
{
  GPtrArray *items = g_ptr_array_new_full (segments->len, g_object_unref);

  for (guint i = 0; i < segments->len; i++)
    g_ptr_array_add (items, xi_segment_item_new (g_ptr_array_index (segments, i)));
  return items;
}

static void
segments_listed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GPtrArray) segments = NULL;
  GError *error = NULL;

  segments = xi_store_list_segments_finish (XI_STORE (object), result, &error);
  xi_facade_return_list (user_data, segments != NULL ? wrap_segments (segments) : NULL, error);
}

static void
xi_segments_facade_read_async (XiFacade            *facade,
                               const char * const  *ids,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task = g_task_new (facade, cancellable, callback, user_data);

  g_task_set_source_tag (task, xi_segments_facade_read_async);
  xi_store_list_segments_async (xi_facade_get_store (facade), cancellable, segments_listed_cb, task);
}

static void
xi_segments_facade_class_init (XiSegmentsFacadeClass *klass)
{
  XiFacadeClass *facade_class = XI_FACADE_CLASS (klass);

  facade_class->item_type = XI_TYPE_SEGMENT_ITEM;
  facade_class->table = "segments";
  facade_class->read_async = xi_segments_facade_read_async;
  facade_class->read_finish = xi_facade_list_finish;
  facade_class->get_id = (const char *(*) (gpointer))xi_segment_item_get_id;
  facade_class->update = (void (*) (gpointer, gpointer))xi_segment_item_update_from;
  facade_class->compare = compare_segments;
}

static void
xi_segments_facade_init (XiSegmentsFacade *self)
{
}

/**
 * xi_segments_facade_new:
 * @store: the app's store
 *
 * Returns: (transfer full): the saved segments' facade, empty until
 *   reloaded
 */
XiSegmentsFacade *
xi_segments_facade_new (XiStore *store)
{
  g_return_val_if_fail (XI_IS_STORE (store), NULL);
  return g_object_new (XI_TYPE_SEGMENTS_FACADE, "store", store, NULL);
}

static void
segment_added_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(XiSegment) segment = NULL;
  GError *error = NULL;

  segment = xi_store_add_segment_finish (XI_STORE (object), result, &error);
  xi_facade_return_item (g_task_get_source_object (task), task,
                         segment != NULL ? xi_segment_item_new (segment) : NULL, error);
}

/**
 * xi_segments_facade_add_async:
 * @self: a #XiSegmentsFacade
 * @name: the segment's name, unique ignoring case
 * @filter: the conditions it saves
 * @cancellable: (nullable): a #GCancellable; the segment is saved all
 *   the same
 * @callback: called once it is stored and in the model
 * @user_data: closure
 *
 * Saves @filter as a segment (see xi_store_add_segment_async()).
 */
void
xi_segments_facade_add_async (XiSegmentsFacade    *self,
                              const char          *name,
                              XiContactFilter     *filter,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_SEGMENTS_FACADE (self));
  g_return_if_fail (name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_segments_facade_add_async);
  xi_store_add_segment_async (xi_facade_get_store (XI_FACADE (self)), name, filter, cancellable,
                              segment_added_cb, task);
}

/**
 * xi_segments_facade_add_finish:
 *
 * Returns: (transfer full): the saved segment, as the model holds it
 */
XiSegmentItem *
xi_segments_facade_add_finish (XiSegmentsFacade  *self,
                               GAsyncResult      *result,
                               GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xi_segments_facade_delete_async:
 * @self: a #XiSegmentsFacade
 * @segment_id: the segment
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once it is gone from the store and the model
 * @user_data: closure
 */
void
xi_segments_facade_delete_async (XiSegmentsFacade    *self,
                                 const char          *segment_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (XI_IS_SEGMENTS_FACADE (self));

  xi_facade_delete_async (XI_FACADE (self), (XiFacadeWriteFunc)xi_store_delete_segment_async,
                          xi_store_delete_segment_finish, segment_id, cancellable, callback, user_data);
}

gboolean
xi_segments_facade_delete_finish (XiSegmentsFacade  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  return xi_facade_delete_finish (XI_FACADE (self), result, error);
}
