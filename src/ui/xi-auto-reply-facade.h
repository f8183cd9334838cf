/* xi-auto-reply-facade.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-facade.h"

G_BEGIN_DECLS

#define XI_TYPE_AUTO_REPLY_FACADE (xi_auto_reply_facade_get_type ())

G_DECLARE_FINAL_TYPE (XiAutoReplyFacade, xi_auto_reply_facade, XI, AUTO_REPLY_FACADE, XiFacade)

XiAutoReplyFacade *xi_auto_reply_facade_new           (XiStore             *store);
void               xi_auto_reply_facade_save_async    (XiAutoReplyFacade   *self,
                                                       XiAutoReplyRule     *rule,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
XiAutoReplyRule   *xi_auto_reply_facade_save_finish   (XiAutoReplyFacade   *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
void               xi_auto_reply_facade_delete_async  (XiAutoReplyFacade   *self,
                                                       const char          *rule_id,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean           xi_auto_reply_facade_delete_finish (XiAutoReplyFacade   *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

G_END_DECLS
