/* xi-contacts-facade.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-contacts-facade"

#include "config.h"

#include "xi-contacts-facade.h"

/*
 * The UI's way to the contacts. Unlike the other domains, no model here
 * holds the contacts themselves: there may be a million of them. Lists
 * are XiContactList, which keep row keys and load what a view shows, and
 * each follows XiStore::changed on its own, so a write made here needs no
 * patching of any model: the store announces it once it is committed,
 * whether it came from this window, the command line or sync.
 *
 * Main thread only.
 */

struct _XiContactsFacade
{
  GObject        parent_instance;

  XiStore       *store;
  XiContactList *all;        /* every contact, in list order */
  GThread       *owner;
};

G_DEFINE_FINAL_TYPE (XiContactsFacade, xi_contacts_facade, G_TYPE_OBJECT)

/* How a store call's result is handed on: the facade's tasks carry the
 * store's finish function and the way to free what it returns. */
typedef struct
{
  gpointer       (*finish)  (XiStore *store, GAsyncResult *result, GError **error);
  GDestroyNotify   destroy;
} PointerResult;

typedef guint    (*CountFinish)   (XiStore *store, GAsyncResult *result, GError **error);
typedef gboolean (*BooleanFinish) (XiStore *store, GAsyncResult *result, GError **error);

static const PointerResult contact_result = {
  (gpointer) xi_store_save_contact_finish, g_object_unref,
};
static const PointerResult found_result = {
  (gpointer) xi_store_get_contact_finish, g_object_unref,
};
static const PointerResult merged_result = {
  (gpointer) xi_store_merge_contacts_finish, g_object_unref,
};
static const PointerResult restored_result = {
  (gpointer) xi_store_restore_contacts_finish, (GDestroyNotify) g_ptr_array_unref,
};
static const PointerResult ids_result = {
  (gpointer) xi_store_list_contact_ids_finish, (GDestroyNotify) g_strfreev,
};
static const PointerResult import_result = {
  (gpointer) xi_store_import_file_finish, (GDestroyNotify) xi_import_report_free,
};

static void
pointer_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  const PointerResult *how = g_task_get_task_data (task);
  GError *error = NULL;
  gpointer value = how->finish (XI_STORE (object), result, &error);

  if (value == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, value, how->destroy);
}

static void
count_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CountFinish finish = (CountFinish) g_task_get_task_data (task);
  GError *error = NULL;
  guint n = finish (XI_STORE (object), result, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

static void
boolean_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BooleanFinish finish = (BooleanFinish) g_task_get_task_data (task);
  GError *error = NULL;
  gboolean value = finish (XI_STORE (object), result, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, value);
}

static GTask *
task_new (XiContactsFacade    *self,
          gpointer             source_tag,
          gconstpointer        how,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_assert (self->owner == g_thread_self ());
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, (gpointer) how, NULL);
  return task;
}

static gpointer
propagate_pointer (XiContactsFacade  *self,
                   GAsyncResult      *result,
                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static guint
propagate_count (XiContactsFacade  *self,
                 GAsyncResult      *result,
                 GError           **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  n = g_task_propagate_int (G_TASK (result), error);
  return n > 0 ? (guint) n : 0;
}

static gboolean
propagate_boolean (XiContactsFacade  *self,
                   GAsyncResult      *result,
                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* GObject */

static void
xi_contacts_facade_finalize (GObject *object)
{
  XiContactsFacade *self = XI_CONTACTS_FACADE (object);

  g_clear_object (&self->all);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (xi_contacts_facade_parent_class)->finalize (object);
}

static void
xi_contacts_facade_class_init (XiContactsFacadeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = xi_contacts_facade_finalize;
}

static void
xi_contacts_facade_init (XiContactsFacade *self)
{
  self->owner = g_thread_self ();
}

/* Public API */

/**
 * xi_contacts_facade_new:
 * @store: the app's store
 *
 * Returns: (transfer full): the contacts' facade; its list of every
 *   contact fills once the store has opened
 */
XiContactsFacade *
xi_contacts_facade_new (XiStore *store)
{
  XiContactsFacade *self;

  g_return_val_if_fail (XI_IS_STORE (store), NULL);

  self = g_object_new (XI_TYPE_CONTACTS_FACADE, NULL);
  self->store = g_object_ref (store);
  self->all = xi_contact_list_new (store);
  return self;
}

XiStore *
xi_contacts_facade_get_store (XiContactsFacade *self)
{
  g_return_val_if_fail (XI_IS_CONTACTS_FACADE (self), NULL);
  return self->store;
}

/**
 * xi_contacts_facade_get_all:
 * @self: a #XiContactsFacade
 *
 * Every live contact, in list order: its length is the number of
 * contacts, and only what is shown of it is loaded. Refreshed with
 * xi_contact_list_refresh() once the store has opened, it then follows
 * the store.
 *
 * Returns: (transfer none): the shared list
 */
XiContactList *
xi_contacts_facade_get_all (XiContactsFacade *self)
{
  g_return_val_if_fail (XI_IS_CONTACTS_FACADE (self), NULL);
  return self->all;
}

/**
 * xi_contacts_facade_new_list:
 * @self: a #XiContactsFacade
 *
 * A list of its own, for a view that searches or filters: set its query
 * with xi_contact_list_set_query().
 *
 * Returns: (transfer full): an empty list that follows the store
 */
XiContactList *
xi_contacts_facade_new_list (XiContactsFacade *self)
{
  g_return_val_if_fail (XI_IS_CONTACTS_FACADE (self), NULL);
  return xi_contact_list_new (self->store);
}

/**
 * xi_contacts_facade_find_async:
 * @self: a #XiContactsFacade
 * @id: a contact id
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the contact
 * @user_data: closure
 *
 * Reads one contact, as it is now in the store.
 */
void
xi_contacts_facade_find_async (XiContactsFacade    *self,
                               const char          *id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_CONTACTS_FACADE (self));
  g_return_if_fail (id != NULL);

  task = task_new (self, xi_contacts_facade_find_async, &found_result, cancellable, callback, user_data);
  xi_store_get_contact_async (self->store, id, cancellable, pointer_done_cb, task);
}

/**
 * xi_contacts_facade_find_finish:
 *
 * Returns: (transfer full): the contact, or %NULL with
 *   %XI_STORE_ERROR_NOT_FOUND when it is gone
 */
XiContact *
xi_contacts_facade_find_finish (XiContactsFacade  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  return propagate_pointer (self, result, error);
}

/**
 * xi_contacts_facade_list_ids_async:
 * @self: a #XiContactsFacade
 * @keys: (array length=n_keys): keys from xi_contact_list_get_key()
 * @n_keys: how many
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the ids
 * @user_data: closure
 *
 * Turns a selection of a list into the ids the writes take, without
 * loading the contacts.
 */
void
xi_contacts_facade_list_ids_async (XiContactsFacade    *self,
                                   const gint64        *keys,
                                   guint                n_keys,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_CONTACTS_FACADE (self));

  task = task_new (self, xi_contacts_facade_list_ids_async, &ids_result, cancellable, callback, user_data);
  xi_store_list_contact_ids_async (self->store, keys, n_keys, cancellable, pointer_done_cb, task);
}

/**
 * xi_contacts_facade_list_ids_finish:
 *
 * Returns: (transfer full): the ids of the contacts still there
 */
char **
xi_contacts_facade_list_ids_finish (XiContactsFacade  *self,
                                    GAsyncResult      *result,
                                    GError           **error)
{
  return propagate_pointer (self, result, error);
}

/**
 * xi_contacts_facade_any_status_async:
 * @self: a #XiContactsFacade
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the answer
 * @user_data: closure
 *
 * Asks whether any contact has opted out or was checked on WhatsApp.
 */
void
xi_contacts_facade_any_status_async (XiContactsFacade    *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_CONTACTS_FACADE (self));

  task = task_new (self, xi_contacts_facade_any_status_async, xi_store_any_contact_status_finish,
                   cancellable, callback, user_data);
  xi_store_any_contact_status_async (self->store, cancellable, boolean_done_cb, task);
}

gboolean
xi_contacts_facade_any_status_finish (XiContactsFacade  *self,
                                      GAsyncResult      *result,
                                      GError           **error)
{
  return propagate_boolean (self, result, error);
}

/**
 * xi_contacts_facade_save_async:
 * @self: a #XiContactsFacade
 * @contact: a new contact, or a changed copy of a stored one
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once it is stored
 * @user_data: closure
 */
void
xi_contacts_facade_save_async (XiContactsFacade    *self,
                               XiContact           *contact,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_CONTACTS_FACADE (self));
  g_return_if_fail (XI_IS_CONTACT (contact));

  task = task_new (self, xi_contacts_facade_save_async, &contact_result, cancellable, callback, user_data);
  xi_store_save_contact_async (self->store, contact, cancellable, pointer_done_cb, task);
}

/**
 * xi_contacts_facade_save_finish:
 *
 * Returns: (transfer full): the stored copy
 */
XiContact *
xi_contacts_facade_save_finish (XiContactsFacade  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  return propagate_pointer (self, result, error);
}

/**
 * xi_contacts_facade_delete_async:
 * @self: a #XiContactsFacade
 * @ids: contact ids
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once they are deleted
 * @user_data: closure
 *
 * Soft-deletes, so xi_contacts_facade_restore_async() can undo it.
 */
void
xi_contacts_facade_delete_async (XiContactsFacade    *self,
                                 const char * const  *ids,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_CONTACTS_FACADE (self));
  g_return_if_fail (ids != NULL);

  task = task_new (self, xi_contacts_facade_delete_async, xi_store_delete_contacts_finish,
                   cancellable, callback, user_data);
  xi_store_delete_contacts_async (self->store, ids, cancellable, count_done_cb, task);
}

/**
 * xi_contacts_facade_delete_finish:
 *
 * Returns: how many were deleted
 */
guint
xi_contacts_facade_delete_finish (XiContactsFacade  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  return propagate_count (self, result, error);
}

/**
 * xi_contacts_facade_restore_async:
 * @self: a #XiContactsFacade
 * @ids: ids of deleted contacts
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once they are back
 * @user_data: closure
 */
void
xi_contacts_facade_restore_async (XiContactsFacade    *self,
                                  const char * const  *ids,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_CONTACTS_FACADE (self));
  g_return_if_fail (ids != NULL);

  task = task_new (self, xi_contacts_facade_restore_async, &restored_result, cancellable, callback,
                   user_data);
  xi_store_restore_contacts_async (self->store, ids, cancellable, pointer_done_cb, task);
}

/**
 * xi_contacts_facade_restore_finish:
 *
 * Returns: (transfer full) (element-type XiContact): the contacts back;
 *   one whose number another contact took meanwhile stays deleted
 */
GPtrArray *
xi_contacts_facade_restore_finish (XiContactsFacade  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  return propagate_pointer (self, result, error);
}

/**
 * xi_contacts_facade_set_opted_out_async:
 * @self: a #XiContactsFacade
 * @ids: contact ids
 * @opted_out: whether they asked to get no more messages
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once it is stored
 * @user_data: closure
 */
void
xi_contacts_facade_set_opted_out_async (XiContactsFacade    *self,
                                        const char * const  *ids,
                                        gboolean             opted_out,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_CONTACTS_FACADE (self));
  g_return_if_fail (ids != NULL);

  task = task_new (self, xi_contacts_facade_set_opted_out_async, xi_store_set_opted_out_finish,
                   cancellable, callback, user_data);
  xi_store_set_opted_out_async (self->store, ids, opted_out, cancellable, count_done_cb, task);
}

/**
 * xi_contacts_facade_set_opted_out_finish:
 *
 * Returns: how many contacts changed
 */
guint
xi_contacts_facade_set_opted_out_finish (XiContactsFacade  *self,
                                         GAsyncResult      *result,
                                         GError           **error)
{
  return propagate_count (self, result, error);
}

/**
 * xi_contacts_facade_merge_async:
 * @self: a #XiContactsFacade
 * @keep_id: the contact that stays
 * @other_id: the duplicate folded into it
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once merged
 * @user_data: closure
 */
void
xi_contacts_facade_merge_async (XiContactsFacade    *self,
                                const char          *keep_id,
                                const char          *other_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_CONTACTS_FACADE (self));

  task = task_new (self, xi_contacts_facade_merge_async, &merged_result, cancellable, callback, user_data);
  xi_store_merge_contacts_async (self->store, keep_id, other_id, NULL, cancellable, pointer_done_cb, task);
}

/**
 * xi_contacts_facade_merge_finish:
 *
 * Returns: (transfer full): the merged contact
 */
XiContact *
xi_contacts_facade_merge_finish (XiContactsFacade  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  return propagate_pointer (self, result, error);
}

/**
 * xi_contacts_facade_keep_both_async:
 * @self: a #XiContactsFacade
 * @first_id: a contact
 * @second_id: the contact that looked like a duplicate of it
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once recorded
 * @user_data: closure
 *
 * Records that the two are different people.
 */
void
xi_contacts_facade_keep_both_async (XiContactsFacade    *self,
                                    const char          *first_id,
                                    const char          *second_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_CONTACTS_FACADE (self));

  task = task_new (self, xi_contacts_facade_keep_both_async, xi_store_keep_both_finish,
                   cancellable, callback, user_data);
  xi_store_keep_both_async (self->store, first_id, second_id, cancellable, boolean_done_cb, task);
}

gboolean
xi_contacts_facade_keep_both_finish (XiContactsFacade  *self,
                                     GAsyncResult      *result,
                                     GError           **error)
{
  return propagate_boolean (self, result, error);
}

/**
 * xi_contacts_facade_import_async:
 * @self: a #XiContactsFacade
 * @file: the file the rows come from, named in the report
 * @contents: (nullable): @file as it was read once already, so that it
 *   is not read again; %NULL reads @file
 * @default_country_code: the country of numbers written without one
 * @options: (nullable): how to read @contents; %NULL guesses
 * @group_name: (nullable): a group to put them in
 * @progress: (nullable): called on the main context as rows are stored
 * @progress_data: closure for @progress
 * @progress_destroy: (nullable): frees @progress_data
 * @cancellable: (nullable): stops the import, which then stores nothing
 * @callback: called with the report
 * @user_data: closure
 */
void
xi_contacts_facade_import_async (XiContactsFacade      *self,
                                 GFile                 *file,
                                 GBytes                *contents,
                                 const char            *default_country_code,
                                 const XiImportOptions *options,
                                 const char            *group_name,
                                 XiStoreProgressFunc    progress,
                                 gpointer               progress_data,
                                 GDestroyNotify         progress_destroy,
                                 GCancellable          *cancellable,
                                 GAsyncReadyCallback    callback,
                                 gpointer               user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_CONTACTS_FACADE (self));

  task = task_new (self, xi_contacts_facade_import_async, &import_result, cancellable, callback, user_data);
  xi_store_import_file_full_async (self->store, file, contents, default_country_code, options, group_name,
                                   progress, progress_data, progress_destroy,
                                   cancellable, pointer_done_cb, task);
}

/**
 * xi_contacts_facade_import_finish:
 *
 * Returns: (transfer full): what was imported, updated and refused
 */
XiImportReport *
xi_contacts_facade_import_finish (XiContactsFacade  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  return propagate_pointer (self, result, error);
}
