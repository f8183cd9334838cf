/* xi-templates-facade.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-templates-facade"

#include "config.h"

#include "xi-templates-facade.h"

/*
 * Templates, by name. A user has tens of them, so a change is followed
 * by reading the list, which costs about what reading one would, and
 * the merge touches only the templates that changed.
 */

struct _XiTemplatesFacade
{
  XiFacade parent_instance;
};

G_DEFINE_FINAL_TYPE (XiTemplatesFacade, xi_templates_facade, XI_TYPE_FACADE)

static int
compare_templates (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  return g_utf8_collate (xi_template_get_name ((XiTemplate *)a), xi_template_get_name ((XiTemplate *)b));
}

static void
templates_listed_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GError *error = NULL;
  GPtrArray *templates = xi_store_list_templates_finish (XI_STORE (object), result, &error);

  xi_facade_return_list (user_data, templates, error);
}

static void
xi_templates_facade_read_async (XiFacade            *facade,
                                const char * const  *ids,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (facade, cancellable, callback, user_data);

  g_task_set_source_tag (task, xi_templates_facade_read_async);
  xi_store_list_templates_async (xi_facade_get_store (facade), cancellable, templates_listed_cb, task);
}

static void
xi_templates_facade_class_init (XiTemplatesFacadeClass *klass)
{
  XiFacadeClass *facade_class = XI_FACADE_CLASS (klass);

  facade_class->item_type = XI_TYPE_TEMPLATE;
  facade_class->table = "templates";
  facade_class->read_async = xi_templates_facade_read_async;
  facade_class->read_finish = xi_facade_list_finish;
  facade_class->get_id = (const char *(*) (gpointer))xi_template_get_id;
  facade_class->update = (void (*) (gpointer, gpointer))xi_template_update_from;
  facade_class->compare = compare_templates;
}

static void
xi_templates_facade_init (XiTemplatesFacade *self)
{
}

/**
 * xi_templates_facade_new:
 * @store: the app's store
 *
 * Returns: (transfer full): the templates' facade, empty until reloaded
 */
XiTemplatesFacade *
xi_templates_facade_new (XiStore *store)
{
  g_return_val_if_fail (XI_IS_STORE (store), NULL);
  return g_object_new (XI_TYPE_TEMPLATES_FACADE, "store", store, NULL);
}

/**
 * xi_templates_facade_save_async:
 * @self: a #XiTemplatesFacade
 * @template_: a new template, or a changed copy of a stored one
 * @cancellable: (nullable): a #GCancellable; the save is made all the same
 * @callback: called once it is stored and in the model
 * @user_data: closure
 *
 * Saves a template (see xi_store_save_template_async()).
 */
void
xi_templates_facade_save_async (XiTemplatesFacade   *self,
                                XiTemplate          *template_,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (XI_IS_TEMPLATES_FACADE (self));
  g_return_if_fail (XI_IS_TEMPLATE (template_));

  xi_facade_save_async (XI_FACADE (self), (XiFacadeWriteFunc)xi_store_save_template_async,
                        (XiFacadeItemFinishFunc)xi_store_save_template_finish, template_,
                        cancellable, callback, user_data);
}

/**
 * xi_templates_facade_save_finish:
 *
 * Returns: (transfer full): the stored copy
 */
XiTemplate *
xi_templates_facade_save_finish (XiTemplatesFacade  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  return xi_facade_save_finish (XI_FACADE (self), result, error);
}

/**
 * xi_templates_facade_delete_async:
 * @self: a #XiTemplatesFacade
 * @template_id: the template
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once it is gone from the store and the model
 * @user_data: closure
 */
void
xi_templates_facade_delete_async (XiTemplatesFacade   *self,
                                  const char          *template_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (XI_IS_TEMPLATES_FACADE (self));

  xi_facade_delete_async (XI_FACADE (self), (XiFacadeWriteFunc)xi_store_delete_template_async,
                          xi_store_delete_template_finish, template_id, cancellable, callback,
                          user_data);
}

gboolean
xi_templates_facade_delete_finish (XiTemplatesFacade  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  return xi_facade_delete_finish (XI_FACADE (self), result, error);
}
