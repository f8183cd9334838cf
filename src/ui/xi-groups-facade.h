/* xi-groups-facade.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-facade.h"

G_BEGIN_DECLS

#define XI_TYPE_GROUPS_FACADE (xi_groups_facade_get_type ())

G_DECLARE_FINAL_TYPE (XiGroupsFacade, xi_groups_facade, XI, GROUPS_FACADE, XiFacade)

XiGroupsFacade *xi_groups_facade_new                  (XiStore               *store);
void            xi_groups_facade_save_async           (XiGroupsFacade        *self,
                                                       XiGroup               *group,
                                                       GCancellable          *cancellable,
                                                       GAsyncReadyCallback    callback,
                                                       gpointer               user_data);
XiGroup        *xi_groups_facade_save_finish          (XiGroupsFacade        *self,
                                                       GAsyncResult          *result,
                                                       GError               **error);
void            xi_groups_facade_delete_async         (XiGroupsFacade        *self,
                                                       const char            *group_id,
                                                       GCancellable          *cancellable,
                                                       GAsyncReadyCallback    callback,
                                                       gpointer               user_data);
gboolean        xi_groups_facade_delete_finish        (XiGroupsFacade        *self,
                                                       GAsyncResult          *result,
                                                       GError               **error);
void            xi_groups_facade_add_members_async    (XiGroupsFacade        *self,
                                                       const char            *group_id,
                                                       const char * const    *contact_ids,
                                                       GCancellable          *cancellable,
                                                       GAsyncReadyCallback    callback,
                                                       gpointer               user_data);
guint           xi_groups_facade_add_members_finish   (XiGroupsFacade        *self,
                                                       GAsyncResult          *result,
                                                       GError               **error);
void            xi_groups_facade_remove_members_async (XiGroupsFacade        *self,
                                                       const char            *group_id,
                                                       const char * const    *contact_ids,
                                                       GCancellable          *cancellable,
                                                       GAsyncReadyCallback    callback,
                                                       gpointer               user_data);
guint           xi_groups_facade_remove_members_finish (XiGroupsFacade       *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

G_END_DECLS
