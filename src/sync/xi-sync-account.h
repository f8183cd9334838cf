/* xi-sync-account.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "xi-secret-store.h"

G_BEGIN_DECLS

#define XI_TYPE_SYNC_ACCOUNT (xi_sync_account_get_type ())

G_DECLARE_FINAL_TYPE (XiSyncAccount, xi_sync_account, XI, SYNC_ACCOUNT, GObject)

XiSyncAccount *xi_sync_account_load             (const char     *data_dir,
                                                 GError        **error);
const char    *xi_sync_account_get_project_url  (XiSyncAccount  *self);
const char    *xi_sync_account_get_anon_key     (XiSyncAccount  *self);
const char    *xi_sync_account_get_user_id      (XiSyncAccount  *self);
const char    *xi_sync_account_get_master_id    (XiSyncAccount  *self);
const char    *xi_sync_account_get_email        (XiSyncAccount  *self);
gboolean       xi_sync_account_configure        (XiSyncAccount  *self,
                                                 const char     *project_url,
                                                 const char     *anon_key,
                                                 GError        **error);
gboolean       xi_sync_account_set_signed_in    (XiSyncAccount  *self,
                                                 const char     *user_id,
                                                 const char     *master_id,
                                                 const char     *email,
                                                 GError        **error);
gboolean       xi_sync_account_set_signed_out   (XiSyncAccount  *self,
                                                 GError        **error);
char          *xi_sync_account_dup_folder       (XiSyncAccount  *self,
                                                 const char     *user_id,
                                                 GError        **error);
char          *xi_sync_account_dup_store_dir    (XiSyncAccount  *self,
                                                 GError        **error);
void           xi_sync_account_sign_in_async    (XiSyncAccount        *self,
                                                 const char           *email,
                                                 const char           *password,
                                                 gboolean              create,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean       xi_sync_account_sign_in_finish   (XiSyncAccount        *self,
                                                 GAsyncResult         *result,
                                                 gboolean             *needs_confirmation,
                                                 GError              **error);
void           xi_sync_account_sign_out_async   (XiSyncAccount        *self,
                                                 XiSecretStore        *secrets,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean       xi_sync_account_sign_out_finish  (XiSyncAccount        *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void           xi_sync_account_delete_folder_async  (XiSyncAccount        *self,
                                                     const char           *folder,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean       xi_sync_account_delete_folder_finish (XiSyncAccount        *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

G_END_DECLS
