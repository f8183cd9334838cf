/* xi-conversation.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-conversation"

#include "config.h"

#include "xi-inbox-private.h"

/* Immutable once made by the store, so it may cross threads. */
struct _XiConversation
{
  GObject   parent_instance;

  char    *phone;
  char    *contact_id;
  char    *contact_name;
  char    *last_text;
  char    *last_received_at;
  guint     unread_count;
  guint     message_count;
  gboolean  opted_out;
};

G_DEFINE_FINAL_TYPE (XiConversation, xi_conversation, G_TYPE_OBJECT)

static void
xi_conversation_finalize (GObject *object)
{
  XiConversation *self = (XiConversation *)object;

  g_free (self->phone);
  g_free (self->contact_id);
  g_free (self->contact_name);
  g_free (self->last_text);
  g_free (self->last_received_at);

  G_OBJECT_CLASS (xi_conversation_parent_class)->finalize (object);
}

static void
xi_conversation_class_init (XiConversationClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = xi_conversation_finalize;
}

static void
xi_conversation_init (XiConversation *self)
{
}

XiConversation *
_xi_conversation_new (const char *phone,
                      const char *contact_id,
                      const char *contact_name,
                      const char *last_text,
                      const char *last_received_at,
                      guint      unread_count,
                      guint      message_count,
                      gboolean   opted_out)
{
  XiConversation *self = g_object_new (XI_TYPE_CONVERSATION, NULL);

  self->phone = g_strdup (phone);
  self->contact_id = g_strdup (contact_id);
  self->contact_name = g_strdup (contact_name);
  self->last_text = g_strdup (last_text);
  self->last_received_at = g_strdup (last_received_at);
  self->unread_count = unread_count;
  self->message_count = message_count;
  self->opted_out = !!opted_out;
  return self;
}

/**
 * xi_conversation_get_phone:
 * @self: a #XiConversation
 *
 * Returns: the sender, E.164 digits
 */
const char *
xi_conversation_get_phone (XiConversation *self)
{
  g_return_val_if_fail (XI_IS_CONVERSATION (self), NULL);
  return self->phone;
}

/**
 * xi_conversation_get_contact_id:
 * @self: a #XiConversation
 *
 * Returns: (nullable): the contact with that number, if any
 */
const char *
xi_conversation_get_contact_id (XiConversation *self)
{
  g_return_val_if_fail (XI_IS_CONVERSATION (self), NULL);
  return self->contact_id;
}

/**
 * xi_conversation_get_contact_name:
 * @self: a #XiConversation
 *
 * Returns: (nullable): that contact's name
 */
const char *
xi_conversation_get_contact_name (XiConversation *self)
{
  g_return_val_if_fail (XI_IS_CONVERSATION (self), NULL);
  return self->contact_name;
}

/**
 * xi_conversation_get_last_text:
 * @self: a #XiConversation
 *
 * Returns: the text of the latest message
 */
const char *
xi_conversation_get_last_text (XiConversation *self)
{
  g_return_val_if_fail (XI_IS_CONVERSATION (self), NULL);
  return self->last_text;
}

/**
 * xi_conversation_get_last_received_at:
 * @self: a #XiConversation
 *
 * Returns: when the latest message arrived, ISO 8601 UTC
 */
const char *
xi_conversation_get_last_received_at (XiConversation *self)
{
  g_return_val_if_fail (XI_IS_CONVERSATION (self), NULL);
  return self->last_received_at;
}

/**
 * xi_conversation_get_unread_count:
 * @self: a #XiConversation
 *
 * Returns: messages not yet seen
 */
guint
xi_conversation_get_unread_count (XiConversation *self)
{
  g_return_val_if_fail (XI_IS_CONVERSATION (self), 0);
  return self->unread_count;
}

/**
 * xi_conversation_get_message_count:
 * @self: a #XiConversation
 *
 * Returns: all messages from this sender
 */
guint
xi_conversation_get_message_count (XiConversation *self)
{
  g_return_val_if_fail (XI_IS_CONVERSATION (self), 0);
  return self->message_count;
}

/**
 * xi_conversation_get_opted_out:
 * @self: a #XiConversation
 *
 * Returns: whether the sender is on the suppression list
 */
gboolean
xi_conversation_get_opted_out (XiConversation *self)
{
  g_return_val_if_fail (XI_IS_CONVERSATION (self), FALSE);
  return self->opted_out;
}
