/* xi-chat-message.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-chat-message"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-inbox-private.h"

/* Immutable once made by the store, so it may cross threads. */
struct _XiChatMessage
{
  GObject      parent_instance;

  XiChatKind   kind;
  XiChatState  state;
  char        *message_id;
  char        *text;
  char        *time;
  char        *source_name;
  char        *opt_out_keyword;
  XiIncoming  *incoming;
};

G_DEFINE_FINAL_TYPE (XiChatMessage, xi_chat_message, G_TYPE_OBJECT)

static void
xi_chat_message_finalize (GObject *object)
{
  XiChatMessage *self = (XiChatMessage *)object;

  g_free (self->message_id);
  g_free (self->text);
  g_free (self->time);
  g_free (self->source_name);
  g_free (self->opt_out_keyword);
  g_clear_object (&self->incoming);

  G_OBJECT_CLASS (xi_chat_message_parent_class)->finalize (object);
}

static void
xi_chat_message_class_init (XiChatMessageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = xi_chat_message_finalize;
}

static void
xi_chat_message_init (XiChatMessage *self)
{
}

XiChatMessage *
_xi_chat_message_new (XiChatKind   kind,
                      XiChatState  state,
                      const char  *message_id,
                      const char  *text,
                      const char  *time,
                      const char  *source_name,
                      const char  *opt_out_keyword)
{
  XiChatMessage *self = g_object_new (XI_TYPE_CHAT_MESSAGE, NULL);

  self->kind = kind;
  self->state = state;
  self->message_id = g_strdup (message_id);
  self->text = g_strdup (text != NULL ? text : "");
  self->time = g_strdup (time);
  self->source_name = g_strdup (source_name);
  self->opt_out_keyword = g_strdup (opt_out_keyword);
  return self;
}

XiChatKind
xi_chat_message_get_kind (XiChatMessage *self)
{
  g_return_val_if_fail (XI_IS_CHAT_MESSAGE (self), XI_CHAT_KIND_CUSTOMER);
  return self->kind;
}

XiChatState
xi_chat_message_get_state (XiChatMessage *self)
{
  g_return_val_if_fail (XI_IS_CHAT_MESSAGE (self), XI_CHAT_STATE_RECEIVED);
  return self->state;
}

/**
 * xi_chat_message_is_ours:
 *
 * Returns: whether this side (a campaign, a reply, an auto-reply) wrote it
 */
gboolean
xi_chat_message_is_ours (XiChatMessage *self)
{
  g_return_val_if_fail (XI_IS_CHAT_MESSAGE (self), FALSE);
  return self->kind != XI_CHAT_KIND_CUSTOMER;
}

/**
 * xi_chat_message_get_message_id:
 *
 * Returns: the WhatsApp message id, which a reply names to answer it
 */
const char *
xi_chat_message_get_message_id (XiChatMessage *self)
{
  g_return_val_if_fail (XI_IS_CHAT_MESSAGE (self), NULL);
  return self->message_id;
}

const char *
xi_chat_message_get_text (XiChatMessage *self)
{
  g_return_val_if_fail (XI_IS_CHAT_MESSAGE (self), NULL);
  return self->text;
}

/**
 * xi_chat_message_get_time:
 *
 * Returns: (nullable): when it was received or written, ISO 8601 in UTC
 */
const char *
xi_chat_message_get_time (XiChatMessage *self)
{
  g_return_val_if_fail (XI_IS_CHAT_MESSAGE (self), NULL);
  return self->time;
}

/**
 * xi_chat_message_get_source_name:
 *
 * Returns: (nullable): the campaign's name for a campaign message, the
 *   rule's for an automatic reply
 */
const char *
xi_chat_message_get_source_name (XiChatMessage *self)
{
  g_return_val_if_fail (XI_IS_CHAT_MESSAGE (self), NULL);
  return self->source_name;
}

/**
 * xi_chat_message_get_opt_out_keyword:
 *
 * Returns: (nullable): the keyword when the customer's message opted them out
 */
const char *
xi_chat_message_get_opt_out_keyword (XiChatMessage *self)
{
  g_return_val_if_fail (XI_IS_CHAT_MESSAGE (self), NULL);
  return self->opt_out_keyword;
}

/* The store gives a customer's message that carries a file its whole
 * incoming row, which the Inbox needs to show, fetch and save the file. */
void
_xi_chat_message_set_incoming (XiChatMessage *self,
                               XiIncoming    *incoming)
{
  g_set_object (&self->incoming, incoming);
}

/**
 * xi_chat_message_get_incoming:
 *
 * Returns: (transfer none) (nullable): the customer's message with its
 *   picture or file, for a message that carries one; %NULL otherwise
 */
XiIncoming *
xi_chat_message_get_incoming (XiChatMessage *self)
{
  g_return_val_if_fail (XI_IS_CHAT_MESSAGE (self), NULL);
  return self->incoming;
}

/**
 * xi_chat_state_describe:
 * @state: where one of our messages stands
 *
 * Says in words what the ticks show, for the bubble's accessible
 * description and for the command line.
 *
 * Returns: (nullable): "Sending", "Sent", "Delivered", "Read" or "Not
 *   sent", translated; %NULL for a customer's message
 */
const char *
xi_chat_state_describe (XiChatState state)
{
  switch (state)
    {
    case XI_CHAT_STATE_PENDING:
      return _("Sending");
    case XI_CHAT_STATE_SENT:
      return _("Sent");
    case XI_CHAT_STATE_DELIVERED:
      return _("Delivered");
    case XI_CHAT_STATE_READ:
      return _("Read");
    case XI_CHAT_STATE_FAILED:
      return _("Not sent");
    case XI_CHAT_STATE_RECEIVED:
    default:
      return NULL;
    }
}
