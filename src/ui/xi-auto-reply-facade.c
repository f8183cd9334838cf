/* xi-auto-reply-facade.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-auto-reply-facade"

#include "config.h"

#include "xi-auto-reply-facade.h"

/*
 * The automatic reply rules in the order they are tried: highest
 * priority first, then by name. A business keeps a handful, so a change
 * is followed by reading them all; the merge keeps the objects rows are
 * bound to and only updates the ones that changed.
 */

struct _XiAutoReplyFacade
{
  XiFacade parent_instance;
};

G_DEFINE_FINAL_TYPE (XiAutoReplyFacade, xi_auto_reply_facade, XI_TYPE_FACADE)

/* The store's order (priority, then name), ids last so that two rules
 * of one name still have one place each. */
static int
compare_rules (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  XiAutoReplyRule *first = (XiAutoReplyRule *)a;
  XiAutoReplyRule *second = (XiAutoReplyRule *)b;
  int first_priority = xi_auto_reply_rule_get_priority (first);
  int second_priority = xi_auto_reply_rule_get_priority (second);
  int order;

  if (first_priority != second_priority)
    return first_priority > second_priority ? -1 : 1;
  order = g_utf8_collate (xi_auto_reply_rule_get_name (first), xi_auto_reply_rule_get_name (second));
  if (order != 0)
    return order;
  return g_strcmp0 (xi_auto_reply_rule_get_id (first), xi_auto_reply_rule_get_id (second));
}

static void
rules_listed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GError *error = NULL;
  GPtrArray *rules = xi_store_list_auto_reply_rules_finish (XI_STORE (object), result, &error);

  xi_facade_return_list (user_data, rules, error);
}

static void
xi_auto_reply_facade_read_async (XiFacade            *facade,
                                 const char * const  *ids,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (facade, cancellable, callback, user_data);

  g_task_set_source_tag (task, xi_auto_reply_facade_read_async);
  xi_store_list_auto_reply_rules_async (xi_facade_get_store (facade), cancellable, rules_listed_cb, task);
}

static void
xi_auto_reply_facade_class_init (XiAutoReplyFacadeClass *klass)
{
  XiFacadeClass *facade_class = XI_FACADE_CLASS (klass);

  facade_class->item_type = XI_TYPE_AUTO_REPLY_RULE;
  facade_class->table = "auto_reply_rules";
  facade_class->read_async = xi_auto_reply_facade_read_async;
  facade_class->read_finish = xi_facade_list_finish;
  facade_class->get_id = (const char *(*) (gpointer))xi_auto_reply_rule_get_id;
  facade_class->update = (void (*) (gpointer, gpointer))xi_auto_reply_rule_update_from;
  facade_class->compare = compare_rules;
}

static void
xi_auto_reply_facade_init (XiAutoReplyFacade *self)
{
}

/**
 * xi_auto_reply_facade_new:
 * @store: the app's store
 *
 * Returns: (transfer full): the automatic replies' facade, empty until
 *   reloaded
 */
XiAutoReplyFacade *
xi_auto_reply_facade_new (XiStore *store)
{
  g_return_val_if_fail (XI_IS_STORE (store), NULL);
  return g_object_new (XI_TYPE_AUTO_REPLY_FACADE, "store", store, NULL);
}

/**
 * xi_auto_reply_facade_save_async:
 * @self: a #XiAutoReplyFacade
 * @rule: a new rule, or an edited copy of one the model holds
 * @cancellable: (nullable): a #GCancellable; the rule is saved all the same
 * @callback: called once it is stored and in the model
 * @user_data: closure
 *
 * Saves @rule (see xi_store_save_auto_reply_rule_async()). The model's
 * item of an edited rule stays the same object and takes the saved
 * fields, so its row changes in place.
 */
void
xi_auto_reply_facade_save_async (XiAutoReplyFacade   *self,
                                 XiAutoReplyRule     *rule,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (XI_IS_AUTO_REPLY_FACADE (self));
  g_return_if_fail (XI_IS_AUTO_REPLY_RULE (rule));

  xi_facade_save_async (XI_FACADE (self), (XiFacadeWriteFunc)xi_store_save_auto_reply_rule_async,
                        (XiFacadeItemFinishFunc)xi_store_save_auto_reply_rule_finish, rule,
                        cancellable, callback, user_data);
}

/**
 * xi_auto_reply_facade_save_finish:
 *
 * Returns: (transfer full): the stored rule, as the model holds it
 */
XiAutoReplyRule *
xi_auto_reply_facade_save_finish (XiAutoReplyFacade  *self,
                                  GAsyncResult       *result,
                                  GError            **error)
{
  return xi_facade_save_finish (XI_FACADE (self), result, error);
}

/**
 * xi_auto_reply_facade_delete_async:
 * @self: a #XiAutoReplyFacade
 * @rule_id: the rule
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once it is gone from the store and the model
 * @user_data: closure
 */
void
xi_auto_reply_facade_delete_async (XiAutoReplyFacade   *self,
                                   const char          *rule_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (XI_IS_AUTO_REPLY_FACADE (self));

  xi_facade_delete_async (XI_FACADE (self), (XiFacadeWriteFunc)xi_store_delete_auto_reply_rule_async,
                          xi_store_delete_auto_reply_rule_finish, rule_id, cancellable, callback,
                          user_data);
}

gboolean
xi_auto_reply_facade_delete_finish (XiAutoReplyFacade  *self,
                                    GAsyncResult       *result,
                                    GError            **error)
{
  return xi_facade_delete_finish (XI_FACADE (self), result, error);
}
