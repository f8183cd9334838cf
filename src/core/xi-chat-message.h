/* xi-chat-message.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "xi-incoming.h"

G_BEGIN_DECLS

/**
 * XiChatKind:
 * @XI_CHAT_KIND_CUSTOMER: the customer wrote it
 * @XI_CHAT_KIND_CAMPAIGN: a campaign sent it
 * @XI_CHAT_KIND_REPLY: sent by hand (the Inbox, the Send message dialog)
 * @XI_CHAT_KIND_AUTO_REPLY: an auto-reply rule sent it
 *
 * Who wrote a message of a conversation.
 */
typedef enum {
  XI_CHAT_KIND_CUSTOMER,
  XI_CHAT_KIND_CAMPAIGN,
  XI_CHAT_KIND_REPLY,
  XI_CHAT_KIND_AUTO_REPLY,
} XiChatKind;

/**
 * XiChatState:
 * @XI_CHAT_STATE_RECEIVED: a customer's message
 * @XI_CHAT_STATE_PENDING: ours, not yet taken by WhatsApp's server
 * @XI_CHAT_STATE_SENT: the server took it (one tick)
 * @XI_CHAT_STATE_DELIVERED: the customer's phone has it (two ticks)
 * @XI_CHAT_STATE_READ: the customer opened it (two blue ticks)
 * @XI_CHAT_STATE_FAILED: it could not be sent
 *
 * Where a message of a conversation stands.
 */
typedef enum {
  XI_CHAT_STATE_RECEIVED,
  XI_CHAT_STATE_PENDING,
  XI_CHAT_STATE_SENT,
  XI_CHAT_STATE_DELIVERED,
  XI_CHAT_STATE_READ,
  XI_CHAT_STATE_FAILED,
} XiChatState;

#define XI_TYPE_CHAT_MESSAGE (xi_chat_message_get_type ())

/* One message of a conversation, from either side. */
G_DECLARE_FINAL_TYPE (XiChatMessage, xi_chat_message, XI, CHAT_MESSAGE, GObject)

XiChatKind   xi_chat_message_get_kind            (XiChatMessage *self);
XiChatState  xi_chat_message_get_state           (XiChatMessage *self);
gboolean     xi_chat_message_is_ours             (XiChatMessage *self);
const char  *xi_chat_message_get_message_id      (XiChatMessage *self);
const char  *xi_chat_message_get_text            (XiChatMessage *self);
const char  *xi_chat_message_get_time            (XiChatMessage *self);
const char  *xi_chat_message_get_source_name     (XiChatMessage *self);
const char  *xi_chat_message_get_opt_out_keyword (XiChatMessage *self);
XiIncoming  *xi_chat_message_get_incoming        (XiChatMessage *self);

const char  *xi_chat_state_describe              (XiChatState    state);

G_END_DECLS
