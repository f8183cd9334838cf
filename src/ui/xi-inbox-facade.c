/* xi-inbox-facade.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-inbox-facade"

#include "config.h"

#include "xi-inbox-facade.h"

/*
 * The inbox: one conversation per number, the newest first. A
 * conversation is not a row of its own but the customer's messages
 * grouped by number, named after the contact with that number and
 * marked by the suppression list, so a change of any of those tables
 * reads the list again; the merge keeps the object of every conversation
 * it knew and only notifies the fields that changed, which keeps a list
 * view's rows, its selection and its focus. The list's first read shows
 * the newest conversations before it reads the rest, as a long inbox
 * would otherwise open blank. Main thread only.
 */

struct _XiInboxFacade
{
  XiFacade  parent_instance;

  guint     unread_count;
  gboolean  shown;         /* the newest conversations were read once */
};

G_DEFINE_FINAL_TYPE (XiInboxFacade, xi_inbox_facade, XI_TYPE_FACADE)

enum {
  PROP_0,
  PROP_UNREAD_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Conversations read first: more rows than the tallest window shows,
 * few enough that a list view creates few rows. */
#define FIRST_PAGE 50

static const char * const related_tables[] = {
  "incoming_messages", "suppression_events", "contacts", NULL,
};

/* Auxiliary methods */

static void
set_unread_count (XiInboxFacade *self,
                  guint          count)
{
  if (self->unread_count == count)
    return;
  self->unread_count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
}

static void
count_unread (XiInboxFacade *self)
{
  GListModel *model = xi_facade_get_model (XI_FACADE (self));
  guint n = g_list_model_get_n_items (model);
  guint unread = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(XiConversation) conversation = g_list_model_get_item (model, i);

      unread += xi_conversation_get_unread_count (conversation);
    }
  set_unread_count (self, unread);
}

/* The store's order. Two conversations whose latest messages have the
 * same time keep one place each by their numbers. */
static int
compare_conversations (gconstpointer a,
                       gconstpointer b,
                       gpointer      user_data)
{
  XiConversation *first = (XiConversation *)a;
  XiConversation *second = (XiConversation *)b;
  int order = g_strcmp0 (xi_conversation_get_last_received_at (second),
                         xi_conversation_get_last_received_at (first));

  if (order != 0)
    return order;
  return g_strcmp0 (xi_conversation_get_phone (first), xi_conversation_get_phone (second));
}

static void
conversations_listed_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GError *error = NULL;
  GPtrArray *conversations = xi_store_list_conversations_finish (XI_STORE (object), result, &error);

  xi_facade_return_list (user_data, conversations, error);
}

static void
recent_listed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  XiInboxFacade *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) recent = NULL;
  g_autoptr(GError) error = NULL;

  recent = xi_store_list_recent_conversations_finish (XI_STORE (object), result, &error);
  if (recent == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  /* Rows only, and only into an empty list: the whole list, read next,
   * is merged over them and keeps their objects. */
  if (recent != NULL && g_list_model_get_n_items (xi_facade_get_model (XI_FACADE (self))) == 0)
    {
      self->shown = TRUE;
      g_list_store_splice (G_LIST_STORE (xi_facade_get_model (XI_FACADE (self))), 0, 0,
                           recent->pdata, recent->len);
    }
  xi_store_list_conversations_async (XI_STORE (object), g_task_get_cancellable (task),
                                     conversations_listed_cb, task);
}

/* Facade */

static void
xi_inbox_facade_read_async (XiFacade            *facade,
                            const char * const  *ids,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  XiInboxFacade *self = XI_INBOX_FACADE (facade);
  XiStore *store = xi_facade_get_store (facade);
  GTask *task = g_task_new (facade, cancellable, callback, user_data);

  g_task_set_source_tag (task, xi_inbox_facade_read_async);
  if (!self->shown)
    xi_store_list_recent_conversations_async (store, FIRST_PAGE, cancellable, recent_listed_cb, task);
  else
    xi_store_list_conversations_async (store, cancellable, conversations_listed_cb, task);
}

/* The count comes with the list: what was read is what the store holds. */
static GPtrArray *
xi_inbox_facade_read_finish (XiFacade      *facade,
                             GAsyncResult  *result,
                             GError       **error)
{
  XiInboxFacade *self = XI_INBOX_FACADE (facade);
  GPtrArray *conversations = xi_facade_list_finish (facade, result, error);
  guint unread = 0;

  if (conversations == NULL)
    return NULL;
  self->shown = TRUE;
  for (guint i = 0; i < conversations->len; i++)
    unread += xi_conversation_get_unread_count (g_ptr_array_index (conversations, i));
  set_unread_count (self, unread);
  return conversations;
}

/* GObject */

static void
xi_inbox_facade_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  XiInboxFacade *self = XI_INBOX_FACADE (object);

  switch (prop_id)
    {
    case PROP_UNREAD_COUNT:
      g_value_set_uint (value, self->unread_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_inbox_facade_class_init (XiInboxFacadeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  XiFacadeClass *facade_class = XI_FACADE_CLASS (klass);

  object_class->get_property = xi_inbox_facade_get_property;

  /* No table has conversations' ids: every change is a related one. */
  facade_class->item_type = XI_TYPE_CONVERSATION;
  facade_class->table = "conversations";
  facade_class->related = related_tables;
  facade_class->read_async = xi_inbox_facade_read_async;
  facade_class->read_finish = xi_inbox_facade_read_finish;
  facade_class->get_id = (const char *(*) (gpointer))xi_conversation_get_phone;
  facade_class->update = (void (*) (gpointer, gpointer))xi_conversation_update_from;
  facade_class->compare = compare_conversations;

  /**
   * XiInboxFacade:unread-count:
   *
   * Messages not read yet, in every conversation.
   */
  properties[PROP_UNREAD_COUNT] =
    g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
xi_inbox_facade_init (XiInboxFacade *self)
{
}

/* Public API */

/**
 * xi_inbox_facade_new:
 * @store: the app's store
 *
 * Returns: (transfer full): the inbox's facade, empty until reloaded
 */
XiInboxFacade *
xi_inbox_facade_new (XiStore *store)
{
  g_return_val_if_fail (XI_IS_STORE (store), NULL);
  return g_object_new (XI_TYPE_INBOX_FACADE, "store", store, NULL);
}

/**
 * xi_inbox_facade_get_unread_count:
 * @self: a #XiInboxFacade
 *
 * Returns: the messages not read yet, in every conversation
 */
guint
xi_inbox_facade_get_unread_count (XiInboxFacade *self)
{
  g_return_val_if_fail (XI_IS_INBOX_FACADE (self), 0);
  return self->unread_count;
}

typedef struct
{
  char *phone;
} Mark;

static void
mark_free (Mark *mark)
{
  g_free (mark->phone);
  g_free (mark);
}

/* The task of a write about @phone's conversation, or every one. */
static GTask *
mark_task_new (XiInboxFacade       *self,
               const char          *phone,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Mark *mark = g_new0 (Mark, 1);

  mark->phone = g_strdup (phone);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, mark, (GDestroyNotify)mark_free);
  return task;
}

static void
marked_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiInboxFacade *self = g_task_get_source_object (task);
  Mark *mark = g_task_get_task_data (task);
  GListModel *model = xi_facade_get_model (XI_FACADE (self));
  GError *error = NULL;

  xi_store_mark_conversation_read_finish (XI_STORE (object), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* A cancelled caller is gone, but the write was made. */
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(XiConversation) conversation = g_list_model_get_item (model, i);

      if ((mark->phone == NULL || g_str_equal (mark->phone, xi_conversation_get_phone (conversation))) &&
          xi_conversation_get_unread_count (conversation) > 0)
        {
          xi_conversation_mark_read (conversation);
          xi_facade_take (XI_FACADE (self), conversation);
        }
    }
  count_unread (self);
  g_task_return_boolean (task, TRUE);
}

/**
 * xi_inbox_facade_mark_read_async:
 * @self: a #XiInboxFacade
 * @phone: (nullable): a conversation's number, or %NULL for every one
 * @cancellable: (nullable): a #GCancellable; they are marked all the same
 * @callback: called once the store and the model have them read
 * @user_data: closure
 *
 * Marks the messages of @phone's conversation read.
 */
void
xi_inbox_facade_mark_read_async (XiInboxFacade       *self,
                                 const char          *phone,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_INBOX_FACADE (self));

  task = mark_task_new (self, phone, xi_inbox_facade_mark_read_async, cancellable, callback, user_data);
  xi_store_mark_conversation_read_async (xi_facade_get_store (XI_FACADE (self)), phone, cancellable,
                                         marked_read_cb, task);
}

gboolean
xi_inbox_facade_mark_read_finish (XiInboxFacade  *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
allowed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiInboxFacade *self = g_task_get_source_object (task);
  Mark *mark = g_task_get_task_data (task);
  XiConversation *conversation;
  GError *error = NULL;

  if (!xi_store_undo_opt_out_finish (XI_STORE (object), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  conversation = xi_facade_find (XI_FACADE (self), mark->phone);
  if (conversation != NULL)
    {
      xi_conversation_mark_allowed (conversation);
      xi_facade_take (XI_FACADE (self), conversation);
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * xi_inbox_facade_allow_async:
 * @self: a #XiInboxFacade
 * @phone: a number on the suppression list, E.164 digits
 * @cancellable: (nullable): a #GCancellable; the number is allowed all
 *   the same
 * @callback: called once the store and the model have it allowed
 * @user_data: closure
 *
 * Takes @phone off the suppression list (see
 * xi_store_undo_opt_out_async()): the customer asked to get messages
 * again.
 */
void
xi_inbox_facade_allow_async (XiInboxFacade       *self,
                             const char          *phone,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_INBOX_FACADE (self));
  g_return_if_fail (phone != NULL);

  task = mark_task_new (self, phone, xi_inbox_facade_allow_async, cancellable, callback, user_data);
  xi_store_undo_opt_out_async (xi_facade_get_store (XI_FACADE (self)), phone, cancellable,
                               allowed_cb, task);
}

gboolean
xi_inbox_facade_allow_finish (XiInboxFacade  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
