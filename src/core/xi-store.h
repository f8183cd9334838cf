/* xi-store.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "xi-asset.h"
#include "xi-contact.h"
#include "xi-group.h"
#include "xi-activity.h"
#include "xi-import-reader.h"
#include "xi-job.h"
#include "xi-job-timeline.h"
#include "xi-job-recipient.h"
#include "xi-job-spec.h"
#include "xi-secret-store.h"
#include "xi-segment.h"
#include "xi-store-inbox.h"
#include "xi-store-media.h"
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
 * @XI_STORE_ERROR_QUOTA: the monthly allowance cannot cover the campaign
 * @XI_STORE_ERROR_STATE: the campaign is not in a state that allows it
 * @XI_STORE_ERROR_SECRETS: the keyring (or the key file) failed
 * @XI_STORE_ERROR_UNREADABLE: the WhatsApp keys are sealed with a key that
 *   is missing or wrong; linking again starts afresh
 * @XI_STORE_ERROR_DISK_FULL: the disk (or the file system) has no room left
 * @XI_STORE_ERROR_OPTED_OUT: the number opted out, and the message does not
 *   answer one of theirs
 * @XI_STORE_ERROR_BUSY: another process (the app or the command line) kept
 *   the data folder's write lock for longer than a write waits
 * @XI_STORE_ERROR_SECRETS_LOCKED: the keyring did not answer in time: it
 *   waits to be unlocked (a prompt nobody answers) or is stuck
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
  XI_STORE_ERROR_QUOTA,
  XI_STORE_ERROR_STATE,
  XI_STORE_ERROR_SECRETS,
  XI_STORE_ERROR_UNREADABLE,
  XI_STORE_ERROR_DISK_FULL,
  XI_STORE_ERROR_OPTED_OUT,
  XI_STORE_ERROR_BUSY,
  XI_STORE_ERROR_SECRETS_LOCKED,
} XiStoreError;

/* The schema version this build writes; see xi-store-schema.c. */
#define XI_STORE_SCHEMA_VERSION 16

/* The local tenant used until somebody signs in. */
#define XI_STORE_ANONYMOUS_USER "00000000-0000-0000-0000-000000000000"

/**
 * XiImportReport:
 * @imported: new contacts
 * @updated: existing contacts (same number) that were updated or revived
 * @skipped: rejected records
 * @issues: (element-type XiImportIssue): why each skipped record was rejected
 * @format: what the file was
 * @delimiter: the delimiter of a delimited file
 * @custom_field_names: (array zero-terminated=1): the custom fields the
 *   file's columns became
 */
typedef struct
{
  guint            imported;
  guint            updated;
  guint            skipped;
  GPtrArray       *issues;
  XiImportFormat   format;
  char             delimiter;
  char           **custom_field_names;
} XiImportReport;

void            xi_import_report_free   (XiImportReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiImportReport, xi_import_report_free)

/**
 * XiQuota:
 * @period: the month, "YYYY-MM" in local time
 * @allowance: messages allowed this month
 * @used: messages sent by finished campaigns, and sent so far by running ones
 * @reserved: held by campaigns that have not finished
 * @available: what a new campaign may still reserve
 */
typedef struct
{
  char  *period;
  guint  allowance;
  guint  used;
  guint  reserved;
  guint  available;
} XiQuota;

#define XI_TYPE_QUOTA (xi_quota_get_type ())
GType           xi_quota_get_type       (void) G_GNUC_CONST;
XiQuota        *xi_quota_copy           (const XiQuota *quota);
void            xi_quota_free           (XiQuota        *quota);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiQuota, xi_quota_free)

/* The allowance of a month nobody has set one for. */
#define XI_QUOTA_DEFAULT_ALLOWANCE 10000

/**
 * XiJobCommand:
 * @XI_JOB_COMMAND_START: queue a campaign that was created without starting
 * @XI_JOB_COMMAND_PAUSE: hold it; nothing more is sent until resumed
 * @XI_JOB_COMMAND_RESUME: queue it again after a pause
 * @XI_JOB_COMMAND_CANCEL: stop for good; the unsent are skipped and the
 *   quota they held is released
 */
typedef enum {
  XI_JOB_COMMAND_START,
  XI_JOB_COMMAND_PAUSE,
  XI_JOB_COMMAND_RESUME,
  XI_JOB_COMMAND_CANCEL,
} XiJobCommand;

/**
 * XiOutgoing:
 * @job_id: the campaign
 * @row_id: the job_recipients row
 * @position: its place in the campaign
 * @phone: E.164 digits
 * @name: the contact's display name (for progress, never logged)
 * @message_id: chosen when the campaign was created; the same on every try
 * @text: the rendered message
 * @attempts: tries so far
 * @next_attempt_at: not before this monotonic-independent Unix time in ms
 *
 * One message waiting to be sent, as the engine receives it.
 */
typedef struct
{
  char   *job_id;
  char   *row_id;
  guint   position;
  char   *phone;
  char   *name;
  char   *message_id;
  char   *text;
  guint   attempts;
  gint64  next_attempt_at;
} XiOutgoing;

void            xi_outgoing_free        (XiOutgoing *outgoing);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiOutgoing, xi_outgoing_free)

/**
 * XiOutcome:
 * @row_id: the job_recipients row
 * @state: %XI_RECIPIENT_STATE_SENT, %XI_RECIPIENT_STATE_FAILED, or
 *   %XI_RECIPIENT_STATE_PENDING for a try that will be retried
 * @attempts: tries so far, this one included
 * @next_attempt_at: for a retry, not before this Unix time in ms
 * @error: (nullable): why the try failed, in words for the user
 * @reason: for a failure, its kind when the store keeps one
 *   (%XI_SKIP_REASON_REFUSED_NEW_CONTACT), else %XI_SKIP_REASON_NONE
 *
 * What one try of one message came to.
 */
typedef struct
{
  char              *row_id;
  XiRecipientState   state;
  guint              attempts;
  gint64             next_attempt_at;
  char              *error;
  XiSkipReason       reason;
} XiOutcome;

void            xi_outcome_free         (XiOutcome *outcome);

/**
 * XiReceipt:
 * @message_id: the message it is about
 * @state: %XI_RECIPIENT_STATE_DELIVERED or %XI_RECIPIENT_STATE_READ
 * @timestamp: when, Unix seconds
 */
typedef struct
{
  char              *message_id;
  XiRecipientState   state;
  gint64             timestamp;
} XiReceipt;

void            xi_receipt_free         (XiReceipt *receipt);

typedef void (*XiStoreProgressFunc) (double   fraction,
                                     gpointer user_data);

#define XI_TYPE_STORE (xi_store_get_type ())

G_DECLARE_FINAL_TYPE (XiStore, xi_store, XI, STORE, GObject)

GQuark          xi_store_error_quark                 (void);

XiStore        *xi_store_new                         (const char            *path);
const char     *xi_store_get_path                    (XiStore               *self);
const char     *xi_store_get_master_user_id          (XiStore               *self);
void            xi_store_set_master_user_id          (XiStore               *self,
                                                      const char            *master_user_id);
XiSecretStore  *xi_store_get_secret_store            (XiStore               *self);
void            xi_store_ignore_other_processes      (XiStore               *self);
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
void            xi_store_search_contacts_async       (XiStore               *self,
                                                      const char            *text,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GPtrArray      *xi_store_search_contacts_finish      (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_list_contact_keys_async     (XiStore               *self,
                                                      const char            *text,
                                                      XiContactFilter       *filter,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GArray         *xi_store_list_contact_keys_finish    (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_load_contact_keys_async     (XiStore               *self,
                                                      const gint64          *keys,
                                                      guint                  n_keys,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GPtrArray      *xi_store_load_contact_keys_finish    (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_list_contact_ids_async      (XiStore               *self,
                                                      const gint64          *keys,
                                                      guint                  n_keys,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
char          **xi_store_list_contact_ids_finish     (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_get_contact_async           (XiStore               *self,
                                                      const char            *id,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiContact      *xi_store_get_contact_finish          (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_any_contact_status_async    (XiStore               *self,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_any_contact_status_finish   (XiStore               *self,
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
void            xi_store_restore_contacts_async      (XiStore               *self,
                                                      const char * const    *ids,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GPtrArray      *xi_store_restore_contacts_finish     (XiStore               *self,
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
void            xi_store_set_on_whatsapp_async       (XiStore               *self,
                                                      const char * const    *on,
                                                      const char * const    *off,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
guint           xi_store_set_on_whatsapp_finish      (XiStore               *self,
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
void            xi_store_import_file_async           (XiStore               *self,
                                                      GFile                 *file,
                                                      const char            *default_country_code,
                                                      const char            *group_name,
                                                      XiStoreProgressFunc    progress,
                                                      gpointer               progress_data,
                                                      GDestroyNotify         progress_destroy,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
void            xi_store_import_file_full_async      (XiStore               *self,
                                                      GFile                 *file,
                                                      GBytes                *contents,
                                                      const char            *default_country_code,
                                                      const XiImportOptions *options,
                                                      const char            *group_name,
                                                      XiStoreProgressFunc    progress,
                                                      gpointer               progress_data,
                                                      GDestroyNotify         progress_destroy,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
void            xi_store_preview_import_file_async   (XiStore               *self,
                                                      GFile                 *file,
                                                      GBytes                *contents,
                                                      const char            *default_country_code,
                                                      const XiImportOptions *options,
                                                      const char            *group_name,
                                                      XiStoreProgressFunc    progress,
                                                      gpointer               progress_data,
                                                      GDestroyNotify         progress_destroy,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiImportReport *xi_store_import_file_finish          (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_find_duplicates_async       (XiStore               *self,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GPtrArray      *xi_store_find_duplicates_finish      (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_keep_both_async             (XiStore               *self,
                                                      const char            *first_id,
                                                      const char            *second_id,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_keep_both_finish            (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_merge_contacts_async        (XiStore               *self,
                                                      const char            *keep_id,
                                                      const char            *other_id,
                                                      const char            *name,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiContact      *xi_store_merge_contacts_finish       (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_preview_import_async        (XiStore               *self,
                                                      XiImportBatch         *batch,
                                                      const char            *group_name,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiImportReport *xi_store_preview_import_finish       (XiStore               *self,
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

/* Audiences (xi-store-segments.c) */
void            xi_store_filter_contacts_async       (XiStore               *self,
                                                      XiContactFilter       *filter,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GPtrArray      *xi_store_filter_contacts_finish      (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_filter_contact_ids_async    (XiStore               *self,
                                                      XiContactFilter       *filter,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
char          **xi_store_filter_contact_ids_finish   (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_resolve_filter_async        (XiStore               *self,
                                                      XiContactFilter       *filter,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_resolve_filter_finish       (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_add_segment_async           (XiStore               *self,
                                                      const char            *name,
                                                      XiContactFilter       *filter,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiSegment      *xi_store_add_segment_finish          (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_list_segments_async         (XiStore               *self,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GPtrArray      *xi_store_list_segments_finish        (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_delete_segment_async        (XiStore               *self,
                                                      const char            *segment_id,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_delete_segment_finish       (XiStore               *self,
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

/* Assets (xi-store-assets.c) */
char           *xi_store_dup_assets_dir              (XiStore               *self);
void            xi_store_add_asset_async             (XiStore               *self,
                                                      const char            *path,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiAsset        *xi_store_add_asset_finish            (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_list_assets_async           (XiStore               *self,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GPtrArray      *xi_store_list_assets_finish          (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_delete_asset_async          (XiStore               *self,
                                                      const char            *asset_id,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_delete_asset_finish         (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);

/* Campaigns (xi-store-jobs.c) */
void            xi_store_plan_job_async              (XiStore               *self,
                                                      const XiJobSpec       *spec,
                                                      guint                  n_samples,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiJobPlan      *xi_store_plan_job_finish             (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_create_job_async            (XiStore               *self,
                                                      const XiJobSpec       *spec,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiJob          *xi_store_create_job_finish           (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_list_jobs_async             (XiStore               *self,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GPtrArray      *xi_store_list_jobs_finish            (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_get_job_async               (XiStore               *self,
                                                      const char            *job_id,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiJob          *xi_store_get_job_finish              (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_command_job_async           (XiStore               *self,
                                                      const char            *job_id,
                                                      XiJobCommand           command,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiJob          *xi_store_command_job_finish          (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_delete_job_async            (XiStore               *self,
                                                      const char            *job_id,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_delete_job_finish           (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_list_job_recipients_async   (XiStore               *self,
                                                      const char            *job_id,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GPtrArray      *xi_store_list_job_recipients_finish  (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_export_job_report_async     (XiStore               *self,
                                                      const char            *job_id,
                                                      GFile                 *file,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
guint           xi_store_export_job_report_finish    (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_job_timeline_async          (XiStore               *self,
                                                      const char            *job_id,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiJobTimeline  *xi_store_job_timeline_finish         (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_get_quota_async             (XiStore               *self,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiQuota        *xi_store_get_quota_finish            (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_set_quota_allowance_async   (XiStore               *self,
                                                      guint                  allowance,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiQuota        *xi_store_set_quota_allowance_finish  (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_list_activity_async         (XiStore               *self,
                                                      guint                  limit,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GPtrArray      *xi_store_list_activity_finish        (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);

/* The engine's side of campaigns (called from the network thread) */
void            xi_store_claim_next_job_async        (XiStore               *self,
                                                      const char * const    *transports,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiJob          *xi_store_claim_next_job_finish       (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      gint64                *next_wake_at,
                                                      GError               **error);
void            xi_store_next_outgoing_async         (XiStore               *self,
                                                      const char            *job_id,
                                                      guint                  after_position,
                                                      guint                  limit,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GPtrArray      *xi_store_next_outgoing_finish        (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      guint                 *sent_today,
                                                      GError               **error);
void            xi_store_record_outcomes_async       (XiStore               *self,
                                                      const char            *job_id,
                                                      GPtrArray             *outcomes,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_record_outcomes_finish      (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      XiJobState            *state,
                                                      GError               **error);
void            xi_store_record_receipts_async       (XiStore               *self,
                                                      GPtrArray             *receipts,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
char          **xi_store_record_receipts_finish      (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_set_job_state_async          (XiStore               *self,
                                                      const char            *job_id,
                                                      XiJobState             state,
                                                      const char            *error_text,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiJob          *xi_store_set_job_state_finish         (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);

/* The WhatsApp key store (secret; never synced) */
void            xi_store_load_keys_async             (XiStore               *self,
                                                      const char * const    *lazy_kinds,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GHashTable     *xi_store_load_keys_finish            (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_get_keys_async              (XiStore               *self,
                                                      const char            *kind,
                                                      const char * const    *keys,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GHashTable     *xi_store_get_keys_finish             (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
/**
 * XiKeyChange:
 * @kind: (nullable): the namespace, %NULL to wipe every key
 * @key: (nullable): the key
 * @value: (nullable): the new value, %NULL to delete
 *
 * One change to the WhatsApp key store.
 */

/* The key store's LID -> number mapping (WA_LID_MAP_KIND_LID_PN: a LID
 * user, its number's digits), whose writes join what the LID sent to
 * the number. */
#define XI_STORE_KEY_KIND_LID_PN "lid-pn"

typedef struct
{
  char   *kind;
  char   *key;
  GBytes *value;
} XiKeyChange;

XiKeyChange    *xi_key_change_new                    (const char            *kind,
                                                      const char            *key,
                                                      GBytes                *value);
void            xi_key_change_free                   (XiKeyChange           *change);
void            xi_store_put_keys_async              (XiStore               *self,
                                                      GPtrArray             *changes,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean        xi_store_put_keys_finish             (XiStore               *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void            xi_store_note_keys_reloaded          (XiStore               *self);
gboolean        xi_store_forget_secrets_sync         (const char            *database_path,
                                                      GCancellable          *cancellable,
                                                      GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiKeyChange, xi_key_change_free)

G_END_DECLS
