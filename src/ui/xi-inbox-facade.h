/* xi-inbox-facade.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-facade.h"

G_BEGIN_DECLS

#define XI_TYPE_INBOX_FACADE (xi_inbox_facade_get_type ())

G_DECLARE_FINAL_TYPE (XiInboxFacade, xi_inbox_facade, XI, INBOX_FACADE, XiFacade)

XiInboxFacade *xi_inbox_facade_new                (XiStore             *store);
guint          xi_inbox_facade_get_unread_count   (XiInboxFacade       *self);
void           xi_inbox_facade_mark_read_async    (XiInboxFacade       *self,
                                                   const char          *phone,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean       xi_inbox_facade_mark_read_finish   (XiInboxFacade       *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
void           xi_inbox_facade_allow_async        (XiInboxFacade       *self,
                                                   const char          *phone,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean       xi_inbox_facade_allow_finish       (XiInboxFacade       *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

G_END_DECLS
