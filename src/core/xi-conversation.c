/* xi-conversation.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-conversation"

#include "config.h"

#include "xi-inbox-private.h"

/* Made by the store on its thread and handed over whole; once a model
 * holds it, it belongs to the main thread, where only
 * xi_conversation_update_from() and the marks change it, notifying what
 * changed so that a row bound to it follows. */
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

enum {
  PROP_0,
  PROP_PHONE,
  PROP_CONTACT_ID,
  PROP_CONTACT_NAME,
  PROP_LAST_TEXT,
  PROP_LAST_RECEIVED_AT,
  PROP_UNREAD_COUNT,
  PROP_MESSAGE_COUNT,
  PROP_OPTED_OUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_string (XiConversation *self,
            char          **field,
            const char     *value,
            guint           prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_uint (XiConversation *self,
          guint          *field,
          guint           value,
          guint           prop_id)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
xi_conversation_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  XiConversation *self = XI_CONVERSATION (object);

  switch (prop_id)
    {
    case PROP_PHONE:
      g_value_set_string (value, self->phone);
      break;
    case PROP_CONTACT_ID:
      g_value_set_string (value, self->contact_id);
      break;
    case PROP_CONTACT_NAME:
      g_value_set_string (value, self->contact_name);
      break;
    case PROP_LAST_TEXT:
      g_value_set_string (value, self->last_text);
      break;
    case PROP_LAST_RECEIVED_AT:
      g_value_set_string (value, self->last_received_at);
      break;
    case PROP_UNREAD_COUNT:
      g_value_set_uint (value, self->unread_count);
      break;
    case PROP_MESSAGE_COUNT:
      g_value_set_uint (value, self->message_count);
      break;
    case PROP_OPTED_OUT:
      g_value_set_boolean (value, self->opted_out);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

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
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = xi_conversation_finalize;
  object_class->get_property = xi_conversation_get_property;

  properties[PROP_PHONE] = g_param_spec_string ("phone", NULL, NULL, NULL, flags);
  properties[PROP_CONTACT_ID] = g_param_spec_string ("contact-id", NULL, NULL, NULL, flags);
  properties[PROP_CONTACT_NAME] = g_param_spec_string ("contact-name", NULL, NULL, NULL, flags);
  properties[PROP_LAST_TEXT] = g_param_spec_string ("last-text", NULL, NULL, NULL, flags);
  properties[PROP_LAST_RECEIVED_AT] = g_param_spec_string ("last-received-at", NULL, NULL, NULL, flags);
  properties[PROP_UNREAD_COUNT] = g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_MESSAGE_COUNT] = g_param_spec_uint ("message-count", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_OPTED_OUT] = g_param_spec_boolean ("opted-out", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
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

/**
 * xi_conversation_update_from:
 * @self: a #XiConversation a model holds
 * @newer: the same conversation read again
 *
 * Copies @newer's fields into @self, notifying each that changed.
 * Main thread only.
 */
void
xi_conversation_update_from (XiConversation *self,
                             XiConversation *newer)
{
  g_return_if_fail (XI_IS_CONVERSATION (self));
  g_return_if_fail (XI_IS_CONVERSATION (newer));

  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->phone, newer->phone, PROP_PHONE);
  set_string (self, &self->contact_id, newer->contact_id, PROP_CONTACT_ID);
  set_string (self, &self->contact_name, newer->contact_name, PROP_CONTACT_NAME);
  set_string (self, &self->last_text, newer->last_text, PROP_LAST_TEXT);
  set_string (self, &self->last_received_at, newer->last_received_at, PROP_LAST_RECEIVED_AT);
  set_uint (self, &self->unread_count, newer->unread_count, PROP_UNREAD_COUNT);
  set_uint (self, &self->message_count, newer->message_count, PROP_MESSAGE_COUNT);
  if (self->opted_out != newer->opted_out)
    {
      self->opted_out = newer->opted_out;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPTED_OUT]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * xi_conversation_mark_read:
 * @self: a #XiConversation a model holds
 *
 * Says that the store marked every message of it read. Main thread only.
 */
void
xi_conversation_mark_read (XiConversation *self)
{
  g_return_if_fail (XI_IS_CONVERSATION (self));
  set_uint (self, &self->unread_count, 0, PROP_UNREAD_COUNT);
}

/**
 * xi_conversation_mark_allowed:
 * @self: a #XiConversation a model holds
 *
 * Says that the store took its number off the suppression list. Main
 * thread only.
 */
void
xi_conversation_mark_allowed (XiConversation *self)
{
  g_return_if_fail (XI_IS_CONVERSATION (self));
  if (!self->opted_out)
    return;
  self->opted_out = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPTED_OUT]);
}
