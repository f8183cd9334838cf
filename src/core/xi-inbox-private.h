/* xi-inbox-private.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-auto-reply-rule.h"
#include "xi-chat-message.h"
#include "xi-conversation.h"
#include "xi-incoming.h"
#include "xi-suppression.h"

G_BEGIN_DECLS

/* The inbox items are made by the store only. */
XiIncoming *_xi_incoming_new (const char *id,
                              const char *message_id,
                              const char *phone,
                              const char *contact_id,
                              const char *contact_name,
                              const char *job_id,
                              const char *text,
                              const char *received_at,
                              gboolean   is_read,
                              const char *opt_out_keyword);
void _xi_incoming_take_media (XiIncoming  *self,
                              XiMediaInfo *media);
XiConversation *_xi_conversation_new (const char *phone,
                                      const char *contact_id,
                                      const char *contact_name,
                                      const char *last_text,
                                      const char *last_received_at,
                                      guint      unread_count,
                                      guint      message_count,
                                      gboolean   opted_out);
XiSuppression *_xi_suppression_new (const char *phone,
                                    const char *contact_id,
                                    const char *contact_name,
                                    const char *source,
                                    const char *keyword,
                                    const char *created_at);
XiChatMessage *_xi_chat_message_new (XiChatKind   kind,
                                     XiChatState  state,
                                     const char  *message_id,
                                     const char  *text,
                                     const char  *time,
                                     const char  *source_name,
                                     const char  *opt_out_keyword);
void           _xi_chat_message_set_incoming (XiChatMessage *self,
                                              XiIncoming    *incoming);
void _xi_auto_reply_rule_set_id (XiAutoReplyRule *self,
                                 const char      *id);

/* xi-store-inbox.c: a number for the activity log, "+62 812-****-7890". */
char *_xi_store_mask_phone (const char *digits);

G_END_DECLS
