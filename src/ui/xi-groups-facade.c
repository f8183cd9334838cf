/* xi-groups-facade.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-groups-facade"

#include "config.h"

#include "xi-groups-facade.h"

/*
 * Groups, by name, with their member counts. A membership row names the
 * pair, not the group, so any change of group_members reads the groups
 * again; there are tens of them, and the merge touches only the groups
 * whose name or count changed. Membership changes made here read them
 * before returning, so the page shows the new count with its toast.
 */

struct _XiGroupsFacade
{
  XiFacade parent_instance;
};

G_DEFINE_FINAL_TYPE (XiGroupsFacade, xi_groups_facade, XI_TYPE_FACADE)

static const char * const related_tables[] = { "group_members", NULL };

static int
compare_groups (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  return g_utf8_collate (xi_group_get_name ((XiGroup *)a), xi_group_get_name ((XiGroup *)b));
}

static void
groups_listed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GError *error = NULL;
  GPtrArray *groups = xi_store_list_groups_finish (XI_STORE (object), result, &error);

  xi_facade_return_list (user_data, groups, error);
}

static void
xi_groups_facade_read_async (XiFacade            *facade,
                             const char * const  *ids,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (facade, cancellable, callback, user_data);

  g_task_set_source_tag (task, xi_groups_facade_read_async);
  xi_store_list_groups_async (xi_facade_get_store (facade), cancellable, groups_listed_cb, task);
}

static void
xi_groups_facade_class_init (XiGroupsFacadeClass *klass)
{
  XiFacadeClass *facade_class = XI_FACADE_CLASS (klass);

  facade_class->item_type = XI_TYPE_GROUP;
  facade_class->table = "groups";
  facade_class->related = related_tables;
  facade_class->read_async = xi_groups_facade_read_async;
  facade_class->read_finish = xi_facade_list_finish;
  facade_class->get_id = (const char *(*) (gpointer))xi_group_get_id;
  facade_class->update = (void (*) (gpointer, gpointer))xi_group_update_from;
  facade_class->compare = compare_groups;
}

static void
xi_groups_facade_init (XiGroupsFacade *self)
{
}

/**
 * xi_groups_facade_new:
 * @store: the app's store
 *
 * Returns: (transfer full): the groups' facade, empty until reloaded
 */
XiGroupsFacade *
xi_groups_facade_new (XiStore *store)
{
  g_return_val_if_fail (XI_IS_STORE (store), NULL);
  return g_object_new (XI_TYPE_GROUPS_FACADE, "store", store, NULL);
}

/**
 * xi_groups_facade_save_async:
 * @self: a #XiGroupsFacade
 * @group: a new group, or a changed copy of a stored one
 * @cancellable: (nullable): a #GCancellable; the save is made all the same
 * @callback: called once it is stored and in the model
 * @user_data: closure
 */
void
xi_groups_facade_save_async (XiGroupsFacade      *self,
                             XiGroup             *group,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (XI_IS_GROUPS_FACADE (self));
  g_return_if_fail (XI_IS_GROUP (group));

  xi_facade_save_async (XI_FACADE (self), (XiFacadeWriteFunc)xi_store_save_group_async,
                        (XiFacadeItemFinishFunc)xi_store_save_group_finish, group, cancellable,
                        callback, user_data);
}

/**
 * xi_groups_facade_save_finish:
 *
 * Returns: (transfer full): the stored copy, with its member count
 */
XiGroup *
xi_groups_facade_save_finish (XiGroupsFacade  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  return xi_facade_save_finish (XI_FACADE (self), result, error);
}

/**
 * xi_groups_facade_delete_async:
 * @self: a #XiGroupsFacade
 * @group_id: the group; its contacts are kept
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once it is gone from the store and the model
 * @user_data: closure
 */
void
xi_groups_facade_delete_async (XiGroupsFacade      *self,
                               const char          *group_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (XI_IS_GROUPS_FACADE (self));

  xi_facade_delete_async (XI_FACADE (self), (XiFacadeWriteFunc)xi_store_delete_group_async,
                          xi_store_delete_group_finish, group_id, cancellable, callback, user_data);
}

gboolean
xi_groups_facade_delete_finish (XiGroupsFacade  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  return xi_facade_delete_finish (XI_FACADE (self), result, error);
}

/* Membership */

static void
counts_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* The change is made; a failed read only leaves the counts to the
   * announcement that follows. */
  if (!xi_facade_reload_finish (XI_FACADE (object), result, &error))
    g_debug ("Could not read the groups again: %s", error->message);
  g_task_return_int (task, GPOINTER_TO_UINT (g_task_get_task_data (task)));
}

static void
members_changed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  guint n;

  if (g_task_get_source_tag (task) == xi_groups_facade_add_members_async)
    n = xi_store_add_group_members_finish (XI_STORE (object), result, &error);
  else
    n = xi_store_remove_group_members_finish (XI_STORE (object), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, GUINT_TO_POINTER (n), NULL);
  xi_facade_reload_async (g_task_get_source_object (task), NULL, counts_read_cb, task);
}

static void
change_members (XiGroupsFacade      *self,
                gpointer             source_tag,
                const char          *group_id,
                const char * const  *contact_ids,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  XiStore *store = xi_facade_get_store (XI_FACADE (self));
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  if (source_tag == xi_groups_facade_add_members_async)
    xi_store_add_group_members_async (store, group_id, contact_ids, cancellable, members_changed_cb, task);
  else
    xi_store_remove_group_members_async (store, group_id, contact_ids, cancellable, members_changed_cb,
                                         task);
}

/**
 * xi_groups_facade_add_members_async:
 * @self: a #XiGroupsFacade
 * @group_id: the group
 * @contact_ids: the contacts to put in it
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once they are in, with the group's new count shown
 * @user_data: closure
 */
void
xi_groups_facade_add_members_async (XiGroupsFacade      *self,
                                    const char          *group_id,
                                    const char * const  *contact_ids,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (XI_IS_GROUPS_FACADE (self));
  g_return_if_fail (group_id != NULL && contact_ids != NULL);

  change_members (self, xi_groups_facade_add_members_async, group_id, contact_ids, cancellable,
                  callback, user_data);
}

/**
 * xi_groups_facade_add_members_finish:
 *
 * Returns: how many contacts joined the group
 */
guint
xi_groups_facade_add_members_finish (XiGroupsFacade  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  return g_task_propagate_int (G_TASK (result), error);
}

/**
 * xi_groups_facade_remove_members_async:
 * @self: a #XiGroupsFacade
 * @group_id: the group
 * @contact_ids: the contacts to take out of it
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once they are out, with the group's new count shown
 * @user_data: closure
 */
void
xi_groups_facade_remove_members_async (XiGroupsFacade      *self,
                                       const char          *group_id,
                                       const char * const  *contact_ids,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (XI_IS_GROUPS_FACADE (self));
  g_return_if_fail (group_id != NULL && contact_ids != NULL);

  change_members (self, xi_groups_facade_remove_members_async, group_id, contact_ids, cancellable,
                  callback, user_data);
}

/**
 * xi_groups_facade_remove_members_finish:
 *
 * Returns: how many contacts left the group
 */
guint
xi_groups_facade_remove_members_finish (XiGroupsFacade  *self,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  return g_task_propagate_int (G_TASK (result), error);
}
