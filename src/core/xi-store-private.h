/* xi-store-private.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "xi-store.h"

G_BEGIN_DECLS

typedef gpointer (*XiStoreRowFunc) (sqlite3_stmt *stmt);

typedef struct _XiKeySeal XiKeySeal;

/* How the store thread waits for its next operation. */
typedef enum
{
  XI_STORE_WAIT_NONE,     /* it is not waiting */
  XI_STORE_WAIT_BRIEFLY,  /* until the riders' turn, or a moment after its last operation: only
                           * an operation wakes it, a rider's turn comes soon enough */
  XI_STORE_WAIT_LONG,     /* with nothing to do: the first rider queued wakes it too */
} XiStoreWait;

/* Failures and stalls the tests make the store meet (DESIGN.md:
 * environment variables the tests set); see where each is used. */
typedef enum
{
  XI_STORE_TEST_FAIL_KEY_WRITE,         /* xi-store-keys.c */
  XI_STORE_TEST_FAIL_INCOMING,          /* xi-store-inbox.c */
  XI_STORE_TEST_HOLD_INCOMING,
  XI_STORE_TEST_SLOW_INCOMING,
  XI_STORE_TEST_FAIL_AUTO_REPLY_COUNT,  /* xi-store-auto-replies.c */
  XI_STORE_N_TEST_SETTINGS
} XiStoreTestSetting;

typedef void (*XiStoreFunc) (XiStore  *self,
                             GTask    *task,
                             gpointer  data);

typedef gpointer (*XiStoreRiderFunc) (XiStore   *self,
                                      gpointer   data,
                                      GError   **error);

struct _XiStore
{
  GObject       parent_instance;

  char         *path;
  char         *master_user_id;
  XiSecretStore *secrets;     /* any thread */
  /* Operations waiting for @thread, guarded by @ops_lock. */
  GMutex        ops_lock;
  GCond         ops_cond;
  GQueue        ops;          /* GTask*; popped only by @thread */
  XiStoreWait   ops_wait;
  gboolean      rider_queued; /* since @thread last looked at the riders */
  GThread      *thread;
  gboolean      opened;       /* main-thread view: open succeeded */
  GHashTable   *answer_sources; /* GMainContext* -> its answers' source; owned by @thread */
  GPtrArray    *wakes_due;      /* GMainContext* with answers, not woken yet; owned by @thread */

  /* Read from the environment once, when the store is made, so that the
   * store's thread never reads an environment another thread may be
   * changing, and a real run pays one atomic read where it looks; set by
   * tests in the process through _xi_store_set_test_setting (). Each is
   * an interned string or NULL, read and written atomically. */
  const char   *test_settings[XI_STORE_N_TEST_SETTINGS];
  gint          test_counts_failed;  /* of XI_STORE_TEST_FAIL_AUTO_REPLY_COUNT */

  /* Owned by @thread. Never read or write these from any other thread. */
  sqlite3      *db;
  GHashTable   *stmts;        /* static SQL string -> sqlite3_stmt* */
  int           wal_frames;   /* in the WAL after the last commit */
  gboolean      disk_full;    /* a write met a full disk */
  gboolean      deferring_checkpoint;
  XiKeySeal    *seal;         /* xi-store-keys.c */
  gboolean      sync_applying;  /* writing the server's rows: queue no push */
  char         *sync_device_id;
  GHashTable   *pending_changes;  /* of the open transaction; xi-store-changes.c */
  gint64        data_version;     /* PRAGMA data_version last seen */
  GHashTable   *fingerprints;     /* table -> its rows' summary; xi-store-changes.c */
  GHashTable   *job_counts;       /* of the riders running; xi-store-jobs.c */
  GError       *keys_owe_failure; /* why a binding rider failed alone: the next key write fails too */
  GError       *keys_refused;     /* why key writes fail until their owner has read the keys back */
  gboolean      search_index_behind;    /* xi-store-contacts.c: contacts_search_stale may have rows */
  gint64        search_index_retry_at;  /* monotonic time before which catching up waits */
  gboolean      search_mapped;          /* xi-store-contacts.c: the file is mapped for searches */

  /* Committed changes, waiting to be announced by "changed" on
   * @context; guarded by @changes_lock. */
  GMutex        changes_lock;
  GMainContext *context;
  GHashTable   *changes;      /* table -> its ids; xi-store-changes.c */
  GSource      *changes_source;

  /* Other processes' commits; owned by @context's thread. */
  GFileMonitor *wal_monitor;
  gboolean      others_ignored;  /* xi_store_ignore_other_processes () */

  /* Writes waiting to ride in the next transaction (_xi_store_push_rider
   * ()); guarded by @riders_lock. */
  GMutex        riders_lock;
  GPtrArray    *riders;       /* GTask* */
  gint64        riders_since; /* when the first of them was queued, monotonic */
};

const char     *_xi_store_test_setting     (XiStore              *self,
                                            XiStoreTestSetting    setting);
void            _xi_store_set_test_setting (XiStore              *self,
                                            XiStoreTestSetting    setting,
                                            const char           *value);
void            _xi_store_push             (XiStore              *self,
                                            XiStoreFunc           func,
                                            gpointer              data,
                                            GDestroyNotify        destroy,
                                            gpointer              source_tag,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
void            _xi_store_push_read        (XiStore              *self,
                                            XiStoreFunc           func,
                                            gpointer              data,
                                            GDestroyNotify        destroy,
                                            gpointer              source_tag,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
void            _xi_store_push_detached    (XiStore              *self,
                                            XiStoreFunc           func);
void            _xi_store_push_bulk        (XiStore              *self,
                                            XiStoreFunc           func,
                                            gpointer              data,
                                            GDestroyNotify        destroy,
                                            gpointer              source_tag,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
void            _xi_store_push_leaving_riders (XiStore           *self,
                                               XiStoreFunc        func,
                                               gpointer           data,
                                               GDestroyNotify     destroy,
                                               gpointer           source_tag,
                                               GCancellable      *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer           user_data);
void            _xi_store_push_taking_riders (XiStore            *self,
                                              XiStoreFunc         func,
                                              gpointer            data,
                                              GDestroyNotify      destroy,
                                              gpointer            source_tag,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
void            _xi_store_push_rider       (XiStore              *self,
                                            XiStoreRiderFunc      func,
                                            gpointer              data,
                                            GDestroyNotify        destroy,
                                            GDestroyNotify        result_destroy,
                                            gboolean              binds,
                                            gpointer              source_tag,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean        _xi_store_run_riders       (XiStore              *self,
                                            GTask                *task,
                                            GError              **error);
gboolean        _xi_store_write_job_counts (XiStore              *self,
                                            GError              **error);
gboolean        _xi_store_has_riders       (GTask                *task);
gboolean        _xi_store_riders_bind      (GTask                *task);
void            _xi_store_return_with_riders (XiStore            *self,
                                              GTask              *task,
                                              gboolean            value);
void            _xi_store_return_pointer   (XiStore              *self,
                                            GTask                *task,
                                            gpointer              result,
                                            GDestroyNotify        result_destroy);
void            _xi_store_return_error     (XiStore              *self,
                                            GTask                *task,
                                            GError               *error);
void            _xi_store_fail_riders      (XiStore              *self,
                                            GTask                *task,
                                            const GError         *error);
void            _xi_store_assert_thread    (XiStore              *self);
sqlite3_stmt   *_xi_store_prepare          (XiStore              *self,
                                            const char           *sql,
                                            GError              **error);
gboolean        _xi_store_exec             (XiStore              *self,
                                            const char           *sql,
                                            GError              **error);
gboolean        _xi_store_drop_trigger     (XiStore              *self,
                                            const char           *name,
                                            char                **restore,
                                            GError              **error);
gboolean        _xi_store_run              (XiStore              *self,
                                            const char           *sql,
                                            GError              **error);
gboolean        _xi_store_step_done        (XiStore              *self,
                                            sqlite3_stmt         *stmt,
                                            GError              **error);
void            _xi_store_set_error        (XiStore              *self,
                                            int                   rc,
                                            GError              **error);
gboolean        _xi_store_begin            (XiStore              *self,
                                            GError              **error);
gboolean        _xi_store_commit           (XiStore              *self,
                                            GError              **error);
gboolean        _xi_store_commit_deferring_checkpoint (XiStore   *self,
                                                       GError   **error);
void            _xi_store_rollback         (XiStore              *self);
char           *_xi_store_time_text        (gint64                seconds,
                                            int                   milliseconds);
char           *_xi_store_time_text_usec   (gint64                usec);
char           *_xi_store_now              (void);
void            _xi_store_shrink_cache     (XiStore              *self);
char           *_xi_store_new_id           (void);
char           *_xi_store_new_op_id        (void);
char           *_xi_store_derived_id       (XiStore              *self,
                                            const char           *kind,
                                            const char           *a,
                                            const char           *b);
gboolean        _xi_store_log_activity     (XiStore              *self,
                                            const char           *kind,
                                            const char           *summary,
                                            const char           *details_json,
                                            GError              **error);
gboolean        _xi_store_log_job_activity (XiStore              *self,
                                            const char           *kind,
                                            const char           *job_id,
                                            const char           *summary,
                                            const char           *details_json,
                                            GError              **error);
GPtrArray      *_xi_store_query_rows       (XiStore              *self,
                                            const char           *sql,
                                            XiStoreRowFunc        row_func,
                                            GDestroyNotify        free_func,
                                            GError              **error);
gpointer        _xi_store_query_one        (XiStore              *self,
                                            const char           *sql,
                                            const char           *id,
                                            XiStoreRowFunc        row_func,
                                            const char           *not_found,
                                            GError              **error);
void            _xi_store_return_rows      (XiStore              *self,
                                            GTask                *task,
                                            const char           *sql,
                                            XiStoreRowFunc        row_func);
void            _xi_store_return_rows_limit (XiStore             *self,
                                             GTask               *task,
                                             const char          *sql,
                                             guint                limit,
                                             XiStoreRowFunc       row_func);
void            _xi_store_bind_text        (sqlite3_stmt         *stmt,
                                            int                   index,
                                            const char           *text);
void            _xi_store_bind_text_static (sqlite3_stmt         *stmt,
                                            int                   index,
                                            const char           *text);

/* xi-store-keys.c, freed when the store closes */
void            _xi_key_seal_free          (XiKeySeal            *seal);

/* xi-store-templates.c, also used to plan campaigns */
GPtrArray      *_xi_store_filter_contacts  (XiStore              *self,
                                            XiContactFilter      *filter,
                                            GError              **error);
GHashTable     *_xi_store_resolve_filter_set (XiContactFilterSet  set,
                                              const char         *name,
                                              gpointer            user_data,
                                              GError            **error);
GArray         *_xi_store_list_contact_keys (XiStore             *self,
                                             const char          *needle,
                                             XiContactFilter     *filter,
                                             GCancellable        *cancellable,
                                             GError             **error);
GPtrArray      *_xi_store_load_contact_keys (XiStore             *self,
                                             const gint64        *keys,
                                             guint                n_keys,
                                             GError             **error);
char           *_xi_store_segment_to_json  (const XiSegment      *segment);

XiTemplate     *_xi_store_load_template    (XiStore              *self,
                                            const char           *id,
                                            GError              **error);

/* xi-store-assets.c, also used by templates and campaigns */
XiAsset        *_xi_store_load_asset       (XiStore              *self,
                                            const char           *id,
                                            GError              **error);

/* xi-store-sync.c */
gboolean        _xi_store_sync_enabled       (XiStore              *self);
gboolean        _xi_store_sync_check_command (XiStore              *self,
                                              const char           *job_id,
                                              gboolean              resume,
                                              GError              **error);
void            _xi_store_sync_note_start    (XiStore              *self,
                                              const char           *job_id);
gboolean        _xi_store_sync_quota_period_over (XiStore          *self,
                                                  GError          **error);
gboolean        _xi_store_sync_load_quota    (XiStore              *self,
                                              XiQuota              *quota,
                                              GError              **error);
gboolean        _xi_store_sync_setup         (XiStore              *self,
                                              GError              **error);

/* xi-store-changes.c */
void            _xi_store_note_change      (XiStore              *self,
                                            const char           *table,
                                            const char           *id);
gboolean        _xi_store_contacts_setup   (XiStore              *self,
                                            GError              **error);
void            _xi_store_contacts_catch_up (XiStore             *self);
void            _xi_store_contacts_unmap   (XiStore              *self);
gboolean        _xi_store_changes_setup    (XiStore              *self,
                                            GError              **error);
void            _xi_store_changes_committed (XiStore             *self);
void            _xi_store_changes_clear    (XiStore              *self);
void            _xi_store_changes_note     (XiStore              *self,
                                            const char           *table,
                                            const char           *id);
gboolean        _xi_store_changes_note_many (XiStore             *self,
                                             const char          *table,
                                             guint64              rows);
gboolean        _xi_store_changes_pause_inserts  (XiStore        *self,
                                                  const char     *table,
                                                  GError        **error);
gboolean        _xi_store_changes_resume_inserts (XiStore        *self,
                                                  const char     *table,
                                                  GError        **error);

/* xi-store-contacts.c */
char          **_xi_store_contact_ids_of_keys (XiStore           *self,
                                               const gint64      *keys,
                                               guint              n_keys,
                                               GError           **error);

/* xi-store-fields.c */
void            _xi_store_fields_count     (GHashTable           *counts,
                                            const char * const   *names,
                                            const gsize          *slot_counts);
gboolean        _xi_store_fields_resume    (XiStore              *self,
                                            const char           *restore,
                                            GHashTable           *counts,
                                            GError              **error);

typedef struct _XiStoreFieldReader XiStoreFieldReader;

XiStoreFieldReader *_xi_store_field_reader_new  (XiStore              *self,
                                                 const char * const   *names);
const char    **_xi_store_field_reader_read (XiStoreFieldReader   *reader,
                                             const char           *json,
                                             GError              **error);
void            _xi_store_field_reader_free (XiStoreFieldReader   *reader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiStoreFieldReader, _xi_store_field_reader_free)

/* xi-store.c, for xi-store-changes.c */
gboolean        _xi_store_changed_is_heard (XiStore              *self);
void            _xi_store_changes_watch    (XiStore              *self);
void            _xi_store_emit_changed     (XiStore              *self,
                                            const char           *table,
                                            const char * const   *ids,
                                            gboolean              local);

/* xi-store-schema.c */
gboolean        _xi_store_schema_migrate   (sqlite3              *db,
                                            guint                 target_version,
                                            GError              **error);
guint           _xi_store_schema_get_version (sqlite3            *db);

/* xi-store-groups.c, used by the contact import */
gboolean        _xi_store_ensure_group     (XiStore              *self,
                                            const char           *name,
                                            GHashTable           *cache,
                                            const char          **group_id,
                                            GError              **error);

/* How an insert of a membership (?3 the time) revives a deleted one and
 * leaves a live one as it is. */
#define XI_STORE_MEMBER_REVIVE \
  " ON CONFLICT (group_id, contact_id) DO UPDATE SET deleted = 0," \
  "  updated_at = ?3, version = version + 1, sync_status = 'pending'" \
  " WHERE group_members.deleted = 1"

gboolean        _xi_store_add_member       (XiStore              *self,
                                            const char           *group_id,
                                            const char           *contact_id,
                                            const char           *now,
                                            gboolean             *added,
                                            GError              **error);

/* xi-store-contacts.c, used by the inbox: an opt-out or opt-in of a
 * number, and the contact's flag (nothing for a %NULL contact). */
gboolean        _xi_store_record_suppression (XiStore            *self,
                                            const char           *phone,
                                            const char           *contact_id,
                                            gboolean              opted_out,
                                            const char           *source,
                                            const char           *keyword,
                                            const char           *message_id,
                                            const char           *now,
                                            GError              **error);
gboolean        _xi_store_set_contact_opted_out (XiStore         *self,
                                            const char           *contact_id,
                                            gboolean              opted_out,
                                            const char           *now,
                                            GError              **error);

/* xi-store-media.c: a received message's file, stored with the message,
 * and read back from the columns XI_STORE_MEDIA_COLUMNS names. */
#define XI_STORE_MEDIA_COLUMNS \
  "im.kind, im.mimetype, im.file_name, im.size, im.width, im.height, im.direct_path," \
  " im.media_key, im.file_sha256, im.file_enc_sha256, im.thumbnail," \
  " CASE WHEN a.local_path IS NOT NULL THEN a.sha256 END"
#define XI_STORE_MEDIA_JOIN \
  " LEFT JOIN incoming_media im ON im.incoming_id = m.id" \
  " LEFT JOIN assets a ON a.id = im.asset_id AND a.deleted = 0"
gboolean     _xi_store_insert_incoming_media (XiStore           *self,
                                              const char        *incoming_id,
                                              const XiMediaInfo *media,
                                              GError           **error);
XiMediaInfo *_xi_store_media_from_row        (XiStore           *self,
                                              sqlite3_stmt      *stmt,
                                              int                first);

/* xi-store-assets.c: the library's files and rows, which the Inbox's
 * kept files share. */
char        *_xi_store_asset_path            (XiStore           *self,
                                              const char        *sha256);
gboolean     _xi_store_sha256_is_valid       (const char        *sha256);
char        *_xi_store_insert_asset          (XiStore           *self,
                                              const char        *name,
                                              const char        *mime_type,
                                              gint64             size,
                                              const char        *sha256,
                                              GError           **error);

/* xi-store-inbox.c: one message by its WhatsApp id, with its media; the
 * messages and opt-out of a LID given the number it stands for. */
XiIncoming  *_xi_store_load_incoming         (XiStore           *self,
                                              const char        *message_id,
                                              GError           **error);
gboolean     _xi_store_join_lid              (XiStore           *self,
                                              const char        *lid_user,
                                              const char        *pn_user,
                                              GError           **error);

/* xi-store-keys.c: the number the WhatsApp keys map a LID to, when this
 * store read them and has it. */
char        *_xi_store_pn_of_lid             (XiStore           *self,
                                              const char        *lid_user);


G_END_DECLS
