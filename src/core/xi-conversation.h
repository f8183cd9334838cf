/* xi-conversation.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define XI_TYPE_CONVERSATION (xi_conversation_get_type ())

/* The inbox, per sender: the latest message and what is unread. */
G_DECLARE_FINAL_TYPE (XiConversation, xi_conversation, XI, CONVERSATION, GObject)

const char *xi_conversation_get_phone            (XiConversation *self);
const char *xi_conversation_get_contact_id       (XiConversation *self);
const char *xi_conversation_get_contact_name     (XiConversation *self);
const char *xi_conversation_get_last_text        (XiConversation *self);
const char *xi_conversation_get_last_received_at (XiConversation *self);
guint       xi_conversation_get_unread_count     (XiConversation *self);
guint       xi_conversation_get_message_count    (XiConversation *self);
gboolean    xi_conversation_get_opted_out        (XiConversation *self);
void        xi_conversation_update_from          (XiConversation *self,
                                                  XiConversation *newer);
void        xi_conversation_mark_read            (XiConversation *self);
void        xi_conversation_mark_allowed         (XiConversation *self);

G_END_DECLS
