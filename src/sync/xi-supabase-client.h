/* xi-supabase-client.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "xi-secret-store.h"

G_BEGIN_DECLS

#define XI_TYPE_SUPABASE_CLIENT (xi_supabase_client_get_type ())

G_DECLARE_FINAL_TYPE (XiSupabaseClient, xi_supabase_client, XI, SUPABASE_CLIENT, GObject)

XiSupabaseClient *xi_supabase_client_new              (const char           *project_url,
                                                       const char           *anon_key,
                                                       XiSecretStore        *secrets,
                                                       GError              **error);

const char       *xi_supabase_client_get_project_url  (XiSupabaseClient     *self);
gboolean          xi_supabase_client_get_signed_in    (XiSupabaseClient     *self);
const char       *xi_supabase_client_get_user_id      (XiSupabaseClient     *self);
guint64           xi_supabase_client_get_bytes_read   (XiSupabaseClient     *self);
const char       *xi_supabase_client_get_email        (XiSupabaseClient     *self);
void              xi_supabase_client_set_request_deadline (XiSupabaseClient *self,
                                                           guint             milliseconds);
void              xi_supabase_client_set_device_id    (XiSupabaseClient     *self,
                                                       const char           *device_id);

void              xi_supabase_client_keep_session_async  (XiSupabaseClient     *self,
                                                          XiSecretStore        *secrets,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean          xi_supabase_client_keep_session_finish (XiSupabaseClient     *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);
void              xi_supabase_client_sign_up_async    (XiSupabaseClient     *self,
                                                       const char           *email,
                                                       const char           *password,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean          xi_supabase_client_sign_up_finish   (XiSupabaseClient     *self,
                                                       GAsyncResult         *result,
                                                       gboolean             *needs_confirmation,
                                                       GError              **error);
void              xi_supabase_client_sign_in_async    (XiSupabaseClient     *self,
                                                       const char           *email,
                                                       const char           *password,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean          xi_supabase_client_sign_in_finish   (XiSupabaseClient     *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void              xi_supabase_client_restore_async    (XiSupabaseClient     *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean          xi_supabase_client_restore_finish   (XiSupabaseClient     *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void              xi_supabase_client_refresh_async    (XiSupabaseClient     *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean          xi_supabase_client_refresh_finish   (XiSupabaseClient     *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void              xi_supabase_client_get_user_async   (XiSupabaseClient     *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
JsonObject       *xi_supabase_client_get_user_finish  (XiSupabaseClient     *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void              xi_supabase_client_sign_out_async   (XiSupabaseClient     *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean          xi_supabase_client_sign_out_finish  (XiSupabaseClient     *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

void              xi_supabase_client_select_async     (XiSupabaseClient     *self,
                                                       const char           *table,
                                                       const char * const   *query,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
JsonArray        *xi_supabase_client_select_finish    (XiSupabaseClient     *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void              xi_supabase_client_upsert_async     (XiSupabaseClient     *self,
                                                       const char           *table,
                                                       const char           *on_conflict,
                                                       gboolean              ignore_duplicates,
                                                       gint64                expected_mark,
                                                       JsonArray            *rows,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
JsonArray        *xi_supabase_client_upsert_finish    (XiSupabaseClient     *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void              xi_supabase_client_rpc_async        (XiSupabaseClient     *self,
                                                       const char           *function,
                                                       JsonObject           *args,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
JsonNode         *xi_supabase_client_rpc_finish       (XiSupabaseClient     *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

G_END_DECLS
