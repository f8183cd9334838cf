/* xi-store-inbox.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "xi-auto-reply-rule.h"
#include "xi-chat-message.h"
#include "xi-core-types.h"
#include "xi-conversation.h"
#include "xi-incoming.h"
#include "xi-suppression.h"

G_BEGIN_DECLS

/* Included by xi-store.h: the receiver's side of the store
 * (xi-store-inbox.c, xi-store-auto-replies.c). */

/* Inbox */
void             xi_store_record_incoming_async        (XiStore               *self,
                                                        const char            *phone,
                                                        const char            *from_jid,
                                                        const char            *message_id,
                                                        const char            *text,
                                                        const char            *opt_out_keyword,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
XiIncoming      *xi_store_record_incoming_finish       (XiStore               *self,
                                                        GAsyncResult          *result,
                                                        gboolean              *duplicate,
                                                        GError               **error);
void             xi_store_list_conversations_async     (XiStore               *self,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
GPtrArray       *xi_store_list_conversations_finish    (XiStore               *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);
void             xi_store_list_recent_conversations_async  (XiStore               *self,
                                                            guint                  limit,
                                                            GCancellable          *cancellable,
                                                            GAsyncReadyCallback    callback,
                                                            gpointer               user_data);
GPtrArray       *xi_store_list_recent_conversations_finish (XiStore               *self,
                                                            GAsyncResult          *result,
                                                            GError               **error);
void             xi_store_list_messages_async          (XiStore               *self,
                                                        const char            *phone,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
GPtrArray       *xi_store_list_messages_finish         (XiStore               *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);
void             xi_store_mark_conversation_read_async (XiStore               *self,
                                                        const char            *phone,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
guint            xi_store_mark_conversation_read_finish (XiStore              *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);
void             xi_store_count_unread_async           (XiStore               *self,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
guint            xi_store_count_unread_finish          (XiStore               *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);
void             xi_store_list_thread_async            (XiStore               *self,
                                                        const char            *phone,
                                                        guint                  limit,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
GPtrArray       *xi_store_list_thread_finish           (XiStore               *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);
void             xi_store_add_reply_async              (XiStore               *self,
                                                        const char            *phone,
                                                        const char            *message_id,
                                                        const char            *text,
                                                        const char            *reply_to,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
XiChatMessage   *xi_store_add_reply_finish             (XiStore               *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);
void             xi_store_finish_reply_async           (XiStore               *self,
                                                        const char            *message_id,
                                                        const char            *error_text,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
gboolean         xi_store_finish_reply_finish          (XiStore               *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);

/* Opt-outs */
void             xi_store_list_suppressions_async      (XiStore               *self,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
GPtrArray       *xi_store_list_suppressions_finish     (XiStore               *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);
void             xi_store_undo_opt_out_async           (XiStore               *self,
                                                        const char            *phone,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
gboolean         xi_store_undo_opt_out_finish          (XiStore               *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);

/* Auto-reply rules */
void             xi_store_list_auto_reply_rules_async  (XiStore               *self,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
GPtrArray       *xi_store_list_auto_reply_rules_finish (XiStore               *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);
void             xi_store_save_auto_reply_rule_async   (XiStore               *self,
                                                        XiAutoReplyRule       *rule,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
XiAutoReplyRule *xi_store_save_auto_reply_rule_finish  (XiStore               *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);
void             xi_store_delete_auto_reply_rule_async (XiStore               *self,
                                                        const char            *rule_id,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
gboolean         xi_store_delete_auto_reply_rule_finish (XiStore              *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);

/* The receiver's side of auto-replies (called from the network thread) */
void             xi_store_last_auto_reply_async        (XiStore               *self,
                                                        const char            *phone,
                                                        guint                  within_seconds,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
gint64           xi_store_last_auto_reply_finish       (XiStore               *self,
                                                        GAsyncResult          *result,
                                                        guint                 *in_a_day,
                                                        GError               **error);
void             xi_store_count_auto_replies_async     (XiStore               *self,
                                                        GDateTime             *since,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
gint64           xi_store_count_auto_replies_finish    (XiStore               *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);
void             xi_store_record_auto_reply_async      (XiStore               *self,
                                                        XiAutoReplyRule       *rule,
                                                        XiIncoming            *incoming,
                                                        const char            *reply_message_id,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
gboolean         xi_store_record_auto_reply_finish     (XiStore               *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);

G_END_DECLS
