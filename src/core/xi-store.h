/* xi-store.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "xi-contact.h"
#include "xi-group.h"
#include "xi-import-reader.h"
#include "xi-template.h"

G_BEGIN_DECLS

#define XI_STORE_ERROR (xi_store_error_quark ())

/**
 * XiStoreError:
 * @XI_STORE_ERROR_FAILED: an SQLite error without a better code
 * @XI_STORE_ERROR_CORRUPT: the file is not a database or is damaged
 * @XI_STORE_ERROR_MIGRATION: the schema could not be upgraded
 * @XI_STORE_ERROR_TOO_NEW: the file was written by a newer Xender-In
 * @XI_STORE_ERROR_CLOSED: the store is not open
 * @XI_STORE_ERROR_NOT_FOUND: no such row for the current user
 * @XI_STORE_ERROR_DUPLICATE: a unique name or phone number is already used
 * @XI_STORE_ERROR_INVALID: the input breaks a rule (empty name, bad phone)
 */
typedef enum {
  XI_STORE_ERROR_FAILED,
  XI_STORE_ERROR_CORRUPT,
  XI_STORE_ERROR_MIGRATION,
  XI_STORE_ERROR_TOO_NEW,
  XI_STORE_ERROR_CLOSED,
  XI_STORE_ERROR_NOT_FOUND,
  XI_STORE_ERROR_DUPLICATE,
  XI_STORE_ERROR_INVALID,
} XiStoreError;

/* The schema version this build writes; see xi-store-schema.c. */
#define XI_STORE_SCHEMA_VERSION 1

/* The local tenant used until somebody signs in. */
#define XI_STORE_ANONYMOUS_USER "00000000-0000-0000-0000-000000000000"

/**
 * XiImportReport:
 * @imported: new contacts
 * @updated: existing contacts (same number) that were updated or revived
 * @skipped: rejected records
 * @issues: (element-type XiImportIssue): why each skipped record was rejected
 */
typedef struct
{
  guint      imported;
  guint      updated;
  guint      skipped;
  GPtrArray *issues;
} XiImportReport;

void            xi_import_report_free   (XiImportReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiImportReport, xi_import_report_free)

typedef void (*XiStoreProgressFunc) (double   fraction,
                                     gpointer user_data);

#define XI_TYPE_STORE (xi_store_get_type ())

G_DECLARE_FINAL_TYPE (XiStore, xi_store, XI, STORE, GObject)

GQuark          xi_store_error_quark                 (void);

XiStore        *xi_store_new                         (const char            *path);
const char     *xi_store_get_path                    (XiStore               *self);
const char     *xi_store_get_master_user_id          (XiStore               *self);
void            xi_store_open_async                  (XiStore               *self,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_open_finish                 (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_close                       (XiStore               *self);

/* Contacts */
void            xi_store_list_contacts_async         (XiStore               *self,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GPtrArray      *xi_store_list_contacts_finish        (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_save_contact_async          (XiStore               *self,
                                                      XiContact             *contact,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiContact      *xi_store_save_contact_finish         (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_delete_contacts_async       (XiStore               *self,
                                                      const char * const    *ids,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
guint           xi_store_delete_contacts_finish      (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_set_opted_out_async         (XiStore               *self,
                                                      const char * const    *ids,
                                                      gboolean               opted_out,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
guint           xi_store_set_opted_out_finish        (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_import_contacts_async       (XiStore               *self,
                                                      XiImportBatch         *batch,
                                                      const char            *group_name,
                                                      XiStoreProgressFunc    progress,
                                                      gpointer               progress_data,
                                                      GDestroyNotify         progress_destroy,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiImportReport *xi_store_import_contacts_finish      (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_export_contacts_async       (XiStore               *self,
                                                      GFile                 *file,
                                                      const char * const    *ids,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
guint           xi_store_export_contacts_finish      (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_list_custom_fields_async    (XiStore               *self,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
char          **xi_store_list_custom_fields_finish   (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);

/* Groups */
void            xi_store_list_groups_async           (XiStore               *self,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GPtrArray      *xi_store_list_groups_finish          (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_save_group_async            (XiStore               *self,
                                                      XiGroup               *group,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiGroup        *xi_store_save_group_finish           (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_delete_group_async          (XiStore               *self,
                                                      const char            *group_id,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_delete_group_finish         (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_add_group_members_async     (XiStore               *self,
                                                      const char            *group_id,
                                                      const char * const    *contact_ids,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
guint           xi_store_add_group_members_finish    (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_remove_group_members_async  (XiStore               *self,
                                                      const char            *group_id,
                                                      const char * const    *contact_ids,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
guint           xi_store_remove_group_members_finish (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);

/* Templates */
void            xi_store_list_templates_async        (XiStore               *self,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GPtrArray      *xi_store_list_templates_finish       (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_save_template_async         (XiStore               *self,
                                                      XiTemplate            *template_,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiTemplate     *xi_store_save_template_finish        (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_delete_template_async       (XiStore               *self,
                                                      const char            *template_id,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_delete_template_finish      (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);

/* The WhatsApp key store (secret; never synced) */
void            xi_store_load_keys_async             (XiStore               *self,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GHashTable     *xi_store_load_keys_finish            (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_put_key_async               (XiStore               *self,
                                                      const char            *kind,
                                                      const char            *key,
                                                      GBytes                *value,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_put_key_finish              (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);

G_END_DECLS
