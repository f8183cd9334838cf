/* xi-contacts-facade.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "xi-contact-list.h"
#include "xi-store.h"

G_BEGIN_DECLS

#define XI_TYPE_CONTACTS_FACADE (xi_contacts_facade_get_type ())

G_DECLARE_FINAL_TYPE (XiContactsFacade, xi_contacts_facade, XI, CONTACTS_FACADE, GObject)

XiContactsFacade *xi_contacts_facade_new                (XiStore              *store);
XiStore          *xi_contacts_facade_get_store          (XiContactsFacade     *self);
XiContactList    *xi_contacts_facade_get_all            (XiContactsFacade     *self);
XiContactList    *xi_contacts_facade_new_list           (XiContactsFacade     *self);
void              xi_contacts_facade_find_async         (XiContactsFacade     *self,
                                                         const char           *id,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
XiContact        *xi_contacts_facade_find_finish        (XiContactsFacade     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void              xi_contacts_facade_list_ids_async     (XiContactsFacade     *self,
                                                         const gint64         *keys,
                                                         guint                 n_keys,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
char            **xi_contacts_facade_list_ids_finish    (XiContactsFacade     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void              xi_contacts_facade_any_status_async   (XiContactsFacade     *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean          xi_contacts_facade_any_status_finish  (XiContactsFacade     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void              xi_contacts_facade_save_async         (XiContactsFacade     *self,
                                                         XiContact            *contact,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
XiContact        *xi_contacts_facade_save_finish        (XiContactsFacade     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void              xi_contacts_facade_delete_async       (XiContactsFacade     *self,
                                                         const char * const   *ids,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
guint             xi_contacts_facade_delete_finish      (XiContactsFacade     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void              xi_contacts_facade_restore_async      (XiContactsFacade     *self,
                                                         const char * const   *ids,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GPtrArray        *xi_contacts_facade_restore_finish     (XiContactsFacade     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void              xi_contacts_facade_set_opted_out_async (XiContactsFacade    *self,
                                                          const char * const  *ids,
                                                          gboolean             opted_out,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
guint             xi_contacts_facade_set_opted_out_finish (XiContactsFacade   *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);
void              xi_contacts_facade_merge_async        (XiContactsFacade     *self,
                                                         const char           *keep_id,
                                                         const char           *other_id,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
XiContact        *xi_contacts_facade_merge_finish       (XiContactsFacade     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void              xi_contacts_facade_keep_both_async    (XiContactsFacade     *self,
                                                         const char           *first_id,
                                                         const char           *second_id,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean          xi_contacts_facade_keep_both_finish   (XiContactsFacade     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void              xi_contacts_facade_import_async       (XiContactsFacade     *self,
                                                         GFile                *file,
                                                         GBytes               *contents,
                                                         const char           *default_country_code,
                                                         const XiImportOptions *options,
                                                         const char           *group_name,
                                                         XiStoreProgressFunc   progress,
                                                         gpointer              progress_data,
                                                         GDestroyNotify        progress_destroy,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
XiImportReport   *xi_contacts_facade_import_finish      (XiContactsFacade     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

G_END_DECLS
