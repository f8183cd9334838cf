/* xi-inbox-page.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-page.h"

G_BEGIN_DECLS

#define XI_TYPE_INBOX_PAGE (xi_inbox_page_get_type ())

G_DECLARE_FINAL_TYPE (XiInboxPage, xi_inbox_page, XI, INBOX_PAGE, XiPage)

GListModel *xi_inbox_page_get_conversations    (XiInboxPage *self);
guint       xi_inbox_page_get_unread_count     (XiInboxPage *self);
const char *xi_inbox_page_get_selected_phone   (XiInboxPage *self);
GtkWidget  *xi_inbox_page_get_messages_box     (XiInboxPage *self);
void        xi_inbox_page_show_conversation    (XiInboxPage *self,
                                                const char  *phone);
void        xi_inbox_page_confirm_allow        (XiInboxPage *self,
                                                const char  *phone);
void        xi_inbox_page_reload               (XiInboxPage *self);

G_END_DECLS
