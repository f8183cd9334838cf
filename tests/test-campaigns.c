/* test-campaigns.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <sqlite3.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fakewa-server.h"
#include "wa-jid.h"
#include "wa-key-store.h"
#include "wa-lid-map.h"
#include "wa-usync.h"
#include "xi-campaign-runner.h"
#include "xi-engine.h"
#include "xi-job-processor.h"
#include "xi-key-store.h"
#include "xi-limits.h"
#include "xi-loopback-transport.h"
#include "xi-media-cache.h"
#include "xi-number-check.h"
#include "xi-receiver.h"
#include "xi-store-private.h"
#include "xi-test-utils.h"
#include "xi-whatsapp-transport.h"

/*
 * The campaign state machine against a real SQLite file and the loopback
 * transport, with the engine on this thread's main context: every
 * transition of DESIGN.md's write-ahead log, checked in the store and in
 * the transport's journal.
 */

typedef struct
{
  char                *dir;
  char                *journal;
  XiStore             *store;
  XiGroup             *group;
  XiTemplate          *template_;
  XiLoopbackTransport *transport;
  XiEngine            *engine;
  GHashTable          *jobs;        /* id -> latest XiJob */
  XiJobProgress       *progress;    /* latest */
  guint                n_progress;
  gboolean             idle;
  gboolean             saw_retrying;
} Fixture;

#define WAIT XI_TEST_WAIT

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  f->dir = xi_test_make_tmpdir ();
  f->journal = g_build_filename (f->dir, "journal.tsv", NULL);
  path = g_build_filename (f->dir, "store.db", NULL);
  f->store = xi_store_new (path);
  WAIT (xi_store_open_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        ok = xi_store_open_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  f->jobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* As the runner does at shutdown: wait until nothing is in flight. */
static void
stop_engine (Fixture *f)
{
  gboolean done = FALSE;

  if (f->engine == NULL)
    return;

  xi_engine_shutdown (f->engine, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handlers_disconnect_by_data (f->engine, f);
  g_clear_object (&f->engine);
  g_clear_object (&f->transport);
  g_clear_pointer (&f->progress, xi_job_progress_free);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  stop_engine (f);
  xi_store_close (f->store);
  g_clear_object (&f->store);
  g_clear_object (&f->group);
  g_clear_object (&f->template_);
  g_clear_pointer (&f->jobs, g_hash_table_unref);
  g_clear_pointer (&f->progress, xi_job_progress_free);
  xi_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->journal);
}

/* Helpers */

static XiContact *
add_contact (Fixture    *f,
             const char *name,
             const char *phone)
{
  g_autoptr(XiContact) contact = xi_contact_new ();
  g_autoptr(GError) error = NULL;
  XiContact *saved = NULL;

  xi_contact_set_name (contact, name);
  xi_contact_set_phone (contact, phone);
  WAIT (xi_store_save_contact_async (f->store, contact, NULL, xi_test_store_result_cb, &slot_),
        saved = xi_store_save_contact_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return saved;
}

/* @n contacts 6281200000001… in one group; "Budi 3" has opted out when
 * @with_opt_out. */
static void
make_audience (Fixture  *f,
               guint     n,
               gboolean  with_opt_out)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(XiGroup) group = xi_group_new ("Pelanggan");
  g_autoptr(XiTemplate) template_ = xi_template_new ("Promo");
  const char *variants[] = { "Halo {name}, promo {{hari ini|minggu ini}}!", "Hai {name}, ada diskon.", NULL };
  g_autoptr(GError) error = NULL;
  guint added = 0;

  for (guint i = 1; i <= n; i++)
    {
      g_autofree char *name = g_strdup_printf ("Budi %u", i);
      g_autofree char *phone = g_strdup_printf ("62812%08u", i);
      g_autoptr(XiContact) contact = add_contact (f, name, phone);

      g_ptr_array_add (ids, g_strdup (xi_contact_get_id (contact)));
      if (with_opt_out && i == 3)
        {
          const char *one[] = { xi_contact_get_id (contact), NULL };

          WAIT (xi_store_set_opted_out_async (f->store, one, TRUE, NULL, xi_test_store_result_cb, &slot_),
                xi_store_set_opted_out_finish (f->store, result_, &error));
          g_assert_no_error (error);
        }
    }
  g_ptr_array_add (ids, NULL);

  WAIT (xi_store_save_group_async (f->store, group, NULL, xi_test_store_result_cb, &slot_),
        f->group = xi_store_save_group_finish (f->store, result_, &error));
  g_assert_no_error (error);
  WAIT (xi_store_add_group_members_async (f->store, xi_group_get_id (f->group),
                                          (const char * const *)ids->pdata, NULL,
                                          xi_test_store_result_cb, &slot_),
        added = xi_store_add_group_members_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, n);

  xi_template_set_variants (template_, variants);
  WAIT (xi_store_save_template_async (f->store, template_, NULL, xi_test_store_result_cb, &slot_),
        f->template_ = xi_store_save_template_finish (f->store, result_, &error));
  g_assert_no_error (error);
}

static XiJobSpec *
zero_delay_spec (Fixture *f)
{
  XiJobSpec *spec = xi_job_spec_new ();

  spec->group_id = g_strdup (xi_group_get_id (f->group));
  spec->template_id = g_strdup (xi_template_get_id (f->template_));
  spec->delay_min_ms = spec->delay_max_ms = 0;
  spec->batch_size = 0;
  return spec;
}

/* zero_delay_spec() with a template of its own, of @variants. */
static XiJobSpec *
spec_with_template (Fixture            *f,
                    const char         *name,
                    const char * const *variants)
{
  g_autoptr(XiTemplate) template_ = xi_template_new (name);
  g_autoptr(XiTemplate) saved = NULL;
  g_autoptr(GError) error = NULL;
  XiJobSpec *spec = zero_delay_spec (f);

  xi_template_set_variants (template_, variants);
  WAIT (xi_store_save_template_async (f->store, template_, NULL, xi_test_store_result_cb, &slot_),
        saved = xi_store_save_template_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_free (spec->template_id);
  spec->template_id = g_strdup (xi_template_get_id (saved));
  return spec;
}

static XiJob *
create_job (Fixture   *f,
            XiJobSpec *spec)
{
  g_autoptr(GError) error = NULL;
  XiJob *job = NULL;

  WAIT (xi_store_create_job_async (f->store, spec, NULL, xi_test_store_result_cb, &slot_),
        job = xi_store_create_job_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return job;
}

static XiJob *
get_job (Fixture    *f,
         const char *id)
{
  g_autoptr(GError) error = NULL;
  XiJob *job = NULL;

  WAIT (xi_store_get_job_async (f->store, id, NULL, xi_test_store_result_cb, &slot_),
        job = xi_store_get_job_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return job;
}

static GPtrArray *
list_recipients (Fixture    *f,
                 const char *id)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *rows = NULL;

  WAIT (xi_store_list_job_recipients_async (f->store, id, NULL, xi_test_store_result_cb, &slot_),
        rows = xi_store_list_job_recipients_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return rows;
}

/* What the engine would take next to send of @id's rows. */
static GPtrArray *
next_outgoing (Fixture    *f,
               const char *id)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *rows = NULL;
  guint sent_today = 0;

  WAIT (xi_store_next_outgoing_async (f->store, id, 0, 512, NULL, xi_test_store_result_cb, &slot_),
        rows = xi_store_next_outgoing_finish (f->store, result_, &sent_today, &error));
  g_assert_no_error (error);
  return rows;
}

static XiQuota *
get_quota (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  XiQuota *quota = NULL;

  WAIT (xi_store_get_quota_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        quota = xi_store_get_quota_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return quota;
}

static XiJob *
command (Fixture      *f,
         const char   *id,
         XiJobCommand  cmd,
         GError      **error)
{
  g_autoptr(GTask) task = NULL;
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  /* The engine's command path, as the runner takes it. */
  task = g_task_new (NULL, NULL, xi_test_store_result_cb, &slot);
  xi_engine_command (f->engine, id, cmd, task);
  result = xi_test_wait_result (&slot);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Journal lines as message id -> phone; every line is counted. */
static GHashTable *
read_journal (Fixture *f,
              guint   *n_lines)
{
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  *n_lines = 0;
  if (!g_file_get_contents (f->journal, &contents, NULL, NULL))
    return g_steal_pointer (&ids);

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;

      if (lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], "\t", 3);
      g_assert_cmpuint (g_strv_length (fields), ==, 3);
      g_hash_table_replace (ids, g_strdup (fields[0]), g_strdup (fields[1]));
      (*n_lines)++;
    }
  return g_steal_pointer (&ids);
}

static void
job_changed_cb (Fixture *f,
                XiJob   *job)
{
  if (xi_job_get_state (job) == XI_JOB_STATE_RETRYING)
    f->saw_retrying = TRUE;
  g_hash_table_replace (f->jobs, g_strdup (xi_job_get_id (job)), g_object_ref (job));
}

static void
progress_cb (Fixture       *f,
             XiJobProgress *progress)
{
  g_clear_pointer (&f->progress, xi_job_progress_free);
  f->progress = xi_job_progress_copy (progress);
  f->n_progress++;
}

static void
idle_cb (Fixture  *f,
         gboolean  idle)
{
  f->idle = idle;
}

static void
start_engine_on (Fixture     *f,
                 XiTransport *transport)
{
  f->engine = xi_engine_new (f->store, transport);
  g_signal_connect_swapped (f->engine, "job-changed", G_CALLBACK (job_changed_cb), f);
  g_signal_connect_swapped (f->engine, "progress", G_CALLBACK (progress_cb), f);
  g_signal_connect_swapped (f->engine, "idle", G_CALLBACK (idle_cb), f);
  f->idle = FALSE;
  xi_engine_wake (f->engine);
}

static void
start_engine (Fixture                 *f,
              const XiLoopbackOptions *options)
{
  g_autoptr(GError) error = NULL;

  f->transport = xi_loopback_transport_new (f->journal, options, &error);
  g_assert_no_error (error);
  start_engine_on (f, XI_TRANSPORT (f->transport));
}

static XiJobState
seen_state (Fixture    *f,
            const char *id)
{
  XiJob *job = g_hash_table_lookup (f->jobs, id);

  return job != NULL ? xi_job_get_state (job) : XI_JOB_STATE_PENDING;
}

/* Spins the main loop until @done says so, failing after @seconds. */
static void
run_until (Fixture   *f,
           gboolean (*done) (Fixture *f, gconstpointer data),
           gconstpointer data,
           guint      seconds)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (seconds, set_flag, &timed_out);

  while (!done (f, data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  g_assert_false (timed_out);
}

static gboolean
is_idle (Fixture       *f,
         gconstpointer  data)
{
  return f->idle;
}

static gboolean
job_in_state (Fixture       *f,
              gconstpointer  data)
{
  const char *id = ((const char * const *)data)[0];
  XiJobState state = GPOINTER_TO_INT (((gconstpointer const *)data)[1]);

  return seen_state (f, id) == state;
}

static void
run_until_state (Fixture    *f,
                 const char *id,
                 XiJobState  state)
{
  gconstpointer data[2] = { id, GINT_TO_POINTER (state) };

  run_until (f, job_in_state, data, 30);
}

static gboolean
journal_has (Fixture       *f,
             gconstpointer  data)
{
  guint n;
  g_autoptr(GHashTable) ids = read_journal (f, &n);

  return n >= GPOINTER_TO_UINT (data);
}

/* Tests */

static int
found_row_cb (void  *data,
              int    n_columns,
              char **values,
              char **names)
{
  g_error ("a campaign was stored");
  return 1;
}

/* Issue 18: a template whose message can pass WhatsApp's limit for some
 * contact is refused when the campaign is planned and when it is
 * created, naming those contacts, and nothing is stored. A campaign
 * over the quota is refused for that before any message is looked at. */
static void
test_message_too_long (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(XiTemplate) long_template = xi_template_new ("Panjang");
  g_autoptr(XiTemplate) saved = NULL;
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJobPlan) plan = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GString) variant = g_string_new ("{{Halo|Hai}} {name}.");
  g_autoptr(XiQuota) quota = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (f->dir, "store.db", NULL);
  g_autofree char *kota = g_strnfill (1000, 'k');
  g_autofree char *update = g_strdup_printf ("UPDATE contacts SET custom_fields = '{\"kota\":\"%s\"}'"
                                             " WHERE name IN ('Budi 2', 'Budi 4')", kota);
  const char *variants[2] = { NULL, NULL };
  sqlite3 *direct;

  make_audience (f, 4, FALSE);
  g_assert_cmpint (sqlite3_open (db, &direct), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (direct, update, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (direct);

  for (guint i = 0; i < 70; i++)
    g_string_append (variant, " {kota|}");
  variants[0] = variant->str;
  xi_template_set_variants (long_template, variants);
  WAIT (xi_store_save_template_async (f->store, long_template, NULL, xi_test_store_result_cb, &slot_),
        saved = xi_store_save_template_finish (f->store, result_, &error));
  g_assert_no_error (error);

  spec = zero_delay_spec (f);
  g_free (spec->template_id);
  spec->template_id = g_strdup (xi_template_get_id (saved));

  WAIT (xi_store_plan_job_async (f->store, spec, 2, NULL, xi_test_store_result_cb, &slot_),
        plan = xi_store_plan_job_finish (f->store, result_, &error));
  g_assert_null (plan);
  g_assert_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_LONG);
  g_assert_nonnull (strstr (error->message, "2 contacts"));
  g_assert_nonnull (strstr (error->message, "Budi 2, Budi 4"));
  g_assert_null (strstr (error->message, "Budi 1"));
  g_clear_error (&error);

  WAIT (xi_store_create_job_async (f->store, spec, NULL, xi_test_store_result_cb, &slot_),
        job = xi_store_create_job_finish (f->store, result_, &error));
  g_assert_null (job);
  g_assert_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_LONG);
  g_assert_cmpint (sqlite3_open (db, &direct), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (direct, "SELECT 1 FROM jobs UNION ALL SELECT 1 FROM job_recipients",
                                 found_row_cb, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (direct);

  /* Over the quota, that is all it says: nothing was rendered or
   * measured before the count refused it. */
  g_clear_error (&error);
  WAIT (xi_store_set_quota_allowance_async (f->store, 3, NULL, xi_test_store_result_cb, &slot_),
        quota = xi_store_set_quota_allowance_finish (f->store, result_, &error));
  g_assert_no_error (error);
  WAIT (xi_store_create_job_async (f->store, spec, NULL, xi_test_store_result_cb, &slot_),
        job = xi_store_create_job_finish (f->store, result_, &error));
  g_assert_null (job);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_QUOTA);
  g_assert_nonnull (strstr (error->message, "needs 4 messages"));
}

static void
test_plan_and_create (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJobPlan) plan = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(XiQuota) quota = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (f->dir, "store.db", NULL);
  g_autoptr(GPtrArray) outgoing = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GHashTable) message_ids = g_hash_table_new (g_str_hash, g_str_equal);
  sqlite3 *direct;

  make_audience (f, 6, TRUE);

  /* A check found no WhatsApp account for Budi 5. */
  g_assert_cmpint (sqlite3_open (db, &direct), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (direct, "UPDATE contacts SET on_whatsapp = 2 WHERE name = 'Budi 5'",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (direct);

  spec = zero_delay_spec (f);
  spec->variant_mode = XI_VARIANT_MODE_ROUND_ROBIN;
  WAIT (xi_store_plan_job_async (f->store, spec, 2, NULL, xi_test_store_result_cb, &slot_),
        plan = xi_store_plan_job_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (plan->targeted, ==, 6);
  g_assert_cmpuint (plan->eligible, ==, 4);
  g_assert_cmpuint (plan->skipped[XI_SKIP_REASON_OPTED_OUT], ==, 1);
  g_assert_cmpuint (plan->skipped[XI_SKIP_REASON_NOT_ON_WHATSAPP], ==, 1);
  g_assert_cmpuint (xi_job_plan_get_n_skipped (plan), ==, 2);
  g_assert_cmpuint (plan->samples->len, ==, 2);
  g_assert_cmpuint (plan->quota_available, ==, XI_QUOTA_DEFAULT_ALLOWANCE);
  g_assert_true (g_str_has_prefix (((XiJobSample *)plan->samples->pdata[0])->text, "Halo Budi 1, promo "));

  job = create_job (f, spec);
  g_assert_cmpuint (xi_job_get_total (job), ==, 6);
  g_assert_cmpuint (xi_job_get_skipped (job), ==, 2);
  g_assert_cmpuint (xi_job_get_remaining (job), ==, 4);
  g_assert_cmpint (xi_job_get_state (job), ==, XI_JOB_STATE_PENDING);

  /* Every eligible row carries its message; round robin alternates the
   * variants. No message id is chosen yet. */
  rows = list_recipients (f, xi_job_get_id (job));
  g_assert_cmpuint (rows->len, ==, 6);
  for (guint i = 0, eligible = 0; i < rows->len; i++)
    {
      XiJobRecipient *row = rows->pdata[i];

      g_assert_cmpuint (xi_job_recipient_get_position (row), ==, i + 1);
      g_assert_null (xi_job_recipient_get_message_id (row));
      if (xi_job_recipient_get_state (row) == XI_RECIPIENT_STATE_SKIPPED)
        continue;
      g_assert_cmpint (xi_job_recipient_get_state (row), ==, XI_RECIPIENT_STATE_PENDING);
      g_assert_true (g_str_has_prefix (xi_job_recipient_get_text (row), eligible++ % 2 == 0 ? "Halo " : "Hai "));
    }
  g_assert_cmpint (xi_job_recipient_get_skip_reason (rows->pdata[2]), ==, XI_SKIP_REASON_OPTED_OUT);
  g_assert_cmpint (xi_job_recipient_get_skip_reason (rows->pdata[4]), ==, XI_SKIP_REASON_NOT_ON_WHATSAPP);

  /* Handed out for sending, each gets a unique id, stored before it is
   * handed out: a second load, as after a restart, and the report give
   * the same. */
  outgoing = next_outgoing (f, xi_job_get_id (job));
  again = next_outgoing (f, xi_job_get_id (job));
  g_assert_cmpuint (outgoing->len, ==, 4);
  g_assert_cmpuint (again->len, ==, 4);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = list_recipients (f, xi_job_get_id (job));
  for (guint i = 0; i < outgoing->len; i++)
    {
      XiOutgoing *first = outgoing->pdata[i];
      XiJobRecipient *row = rows->pdata[first->position - 1];

      g_assert_cmpuint (strlen (first->message_id), ==, 22);
      g_assert_true (g_hash_table_add (message_ids, first->message_id));
      g_assert_cmpstr (((XiOutgoing *)again->pdata[i])->message_id, ==, first->message_id);
      g_assert_cmpstr (xi_job_recipient_get_message_id (row), ==, first->message_id);
    }
  g_assert_null (xi_job_recipient_get_message_id (rows->pdata[2]));

  quota = get_quota (f);
  g_assert_cmpuint (quota->reserved, ==, 4);
  g_assert_cmpuint (quota->used, ==, 0);
  g_assert_cmpuint (quota->available, ==, XI_QUOTA_DEFAULT_ALLOWANCE - 4);
}

/* A campaign is written many rows to a statement, its last rows one by
 * one: every position arrives once, in order, with its own message. The
 * custom fields a template names are read out of each contact's JSON;
 * a value that is not text, or fields that are not JSON at all, count as
 * missing, as they did when the store parsed them itself. */
static void
test_custom_fields_and_batches (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJobPlan) plan = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (f->dir, "store.db", NULL);
  const char *variants[] = { "Halo {name} dari {kota|sini}, {toko}.", NULL };
  const guint n = 150;
  sqlite3 *direct;

  make_audience (f, n, FALSE);
  g_assert_cmpint (sqlite3_open (db, &direct), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (direct,
                                 "UPDATE contacts SET custom_fields = json_object ('kota', 'Kota ' || substr (phone, -3),"
                                 " 'toko', 'Toko \"' || substr (phone, -3) || '\"');"
                                 "UPDATE contacts SET custom_fields = '{\"kota\": 5, \"toko\": [\"A\"]}'"
                                 " WHERE name = 'Budi 2';"
                                 "UPDATE contacts SET custom_fields = '{oops' WHERE name = 'Budi 3';"
                                 "UPDATE contacts SET custom_fields = '[\"kota\"]' WHERE name = 'Budi 4';",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (direct);

  spec = spec_with_template (f, "Kota", variants);

  WAIT (xi_store_plan_job_async (f->store, spec, 3, NULL, xi_test_store_result_cb, &slot_),
        plan = xi_store_plan_job_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (plan->eligible, ==, n);
  g_assert_cmpstrv (plan->missing_variables, ((const char *[]) { "toko", NULL }));

  job = create_job (f, spec);
  rows = list_recipients (f, xi_job_get_id (job));
  g_assert_cmpuint (rows->len, ==, n);
  for (guint i = 0; i < rows->len; i++)
    {
      XiJobRecipient *row = rows->pdata[i];
      const char *name = xi_job_recipient_get_name (row);
      guint number = (guint)g_ascii_strtoull (name + strlen ("Budi "), NULL, 10);
      g_autofree char *expected = NULL;

      g_assert_cmpuint (xi_job_recipient_get_position (row), ==, i + 1);
      if (number >= 2 && number <= 4)
        expected = g_strdup_printf ("Halo %s dari sini, .", name);
      else
        expected = g_strdup_printf ("Halo %s dari Kota %03u, Toko \"%03u\".", name, number, number);
      g_assert_cmpstr (xi_job_recipient_get_text (row), ==, expected);
    }
}

/* Custom fields as other programs may have written them, valid or not. */
static const char * const odd_fields[] = {
  "{\"kota\":\"Bandung\",\"toko\":\"A1\"}",
  " { \"toko\" : \"B\" ,\t\"kota\"\n:\r\"Solo\" } ",
  "{\"kota\":\"Ja\\\"karta\",\"toko\":\"Ma\\u006cang\"}",
  "{\"kota\":{\"x\":1},\"toko\":[\"A\"]}",
  "{\"kota\":12,\"toko\":-0,\"x_1\":1.5e3}",
  "{\"kota\":\"Medan\",\"kota\":\"Bogor\"}",
  "{\"kota\":\"x\",\"toko\":null,\"z\":true,\"x_1\":false}",
  "{\"kota\":\"\",\"x_1\":\"Depok \u2713\"}",
  "{\"kota\":\"Bali\"} x",
  "{\"kota\":\"tab\tin\"}",
  "{\"kota\":01}",
  "{\"kota\":\"A\",\"toko\":-true}",
  "{\"toko\":-,\"kota\":\"A\"}",
  "{\"kota\":\"a\",}",
  "{\"kota\":\"a\" \"toko\":\"b\"}",
  "{\"kota\":\"Medan\"",
  "{\"kot\\u0061\":\"Garut\"}",
  "{\f\"kota\":\"Bogor\"}",
  "[\"kota\"]",
  "\"kota\"",
  "not json",
  "{}",
  "",
};

static void
string_free (gpointer string)
{
  g_string_free (string, TRUE);
}

/* Characters a damaged or hand-written JSON object is made of. */
#define ODD_CHARACTERS "{}[]\",:\\ \t\na1.-e0u"

/* Every recipient gets from each field what SQLite's JSON functions say
 * the contact's custom_fields hold there (text only, nothing where the
 * JSON is invalid), whether the store scans the object itself or asks
 * SQLite: odd objects, and many more made by damaging them at random. */
static void
test_custom_fields_as_sqlite_reads_them (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, string_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (17);
  g_autofree char *db = g_build_filename (f->dir, "store.db", NULL);
  const char *variants[] = { "[{kota|~}][{toko|~}][{x_1|~}]", NULL };
  const char *names[] = { "kota", "toko", "x_1" };
  const guint n = 400;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *direct;

  make_audience (f, n, FALSE);
  g_assert_cmpint (sqlite3_open (db, &direct), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (direct, "UPDATE contacts SET custom_fields = ?1 WHERE name = ?2",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  for (guint c = 1; c <= n; c++)
    {
      g_autoptr(GString) fields = g_string_new (odd_fields[c % G_N_ELEMENTS (odd_fields)]);
      g_autofree char *name = g_strdup_printf ("Budi %u", c);

      /* Past the first round, each is damaged in a few places. */
      for (guint d = c < G_N_ELEMENTS (odd_fields) ? 0 : g_rand_int_range (rand, 1, 4); d > 0; d--)
        {
          guint at = g_rand_int_range (rand, 0, fields->len + 1);

          if (fields->len > 0 && g_rand_boolean (rand))
            g_string_erase (fields, MIN (at, fields->len - 1), 1);
          else
            g_string_insert_c (fields, at,
                               ODD_CHARACTERS[g_rand_int_range (rand, 0, strlen (ODD_CHARACTERS))]);
        }
      sqlite3_bind_text (stmt, 1, fields->str, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);

  g_assert_cmpint (sqlite3_prepare_v2 (direct,
                                       "SELECT name, CASE WHEN json_valid (custom_fields)"
                                       " AND json_type (custom_fields, ?1) = 'text'"
                                       " THEN json_extract (custom_fields, ?1) END FROM contacts",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  for (guint v = 0; v < G_N_ELEMENTS (names); v++)
    {
      g_autofree char *path = g_strdup_printf ("$.\"%s\"", names[v]);

      sqlite3_bind_text (stmt, 1, path, -1, SQLITE_TRANSIENT);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *name = (const char *)sqlite3_column_text (stmt, 0);
          const char *value = (const char *)sqlite3_column_text (stmt, 1);
          GString *text = g_hash_table_lookup (expected, name);

          if (text == NULL)
            {
              text = g_string_new (NULL);
              g_hash_table_insert (expected, g_strdup (name), text);
            }
          g_string_append_printf (text, "[%s]", value != NULL && value[0] != '\0' ? value : "~");
        }
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (direct);

  spec = spec_with_template (f, "Kolom", variants);
  job = create_job (f, spec);
  rows = list_recipients (f, xi_job_get_id (job));
  g_assert_cmpuint (rows->len, ==, n);
  for (guint i = 0; i < rows->len; i++)
    {
      GString *text = g_hash_table_lookup (expected, xi_job_recipient_get_name (rows->pdata[i]));

      g_assert_nonnull (text);
      g_assert_cmpstr (xi_job_recipient_get_text (rows->pdata[i]), ==, text->str);
    }
}

/* The first column of what @sql, with @param as ?1, finds in the store's
 * file, read behind the store's back. */
static GPtrArray *
first_column (Fixture    *f,
              const char *sql,
              const char *param)
{
  g_autofree char *path = g_build_filename (f->dir, "store.db", NULL);
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, param, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (values, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return values;
}

/* The numbers of the live contacts in the order a raw ORDER BY of the
 * contact list gives, those ending in one of @digits only when it is
 * given. */
static GPtrArray *
phones_in_list_order (Fixture    *f,
                      const char *digits)
{
  return first_column (f,
                       "SELECT phone FROM contacts WHERE deleted = 0"
                       " AND (?1 IS NULL OR ?1 GLOB '*' || substr (phone, -1) || '*')"
                       " ORDER BY sort_key, phone",
                       digits);
}

/* Checks that @job's recipients are @phones in that order, each with the
 * variant round robin gives it and its own custom field. */
static void
check_list_order (Fixture    *f,
                  XiJob      *job,
                  GPtrArray  *phones)
{
  g_autoptr(GPtrArray) rows = list_recipients (f, xi_job_get_id (job));

  g_assert_cmpuint (rows->len, ==, phones->len);
  for (guint i = 0; i < rows->len; i++)
    {
      XiJobRecipient *row = rows->pdata[i];
      const char *phone = phones->pdata[i];
      g_autofree char *expected = NULL;

      g_assert_cmpuint (xi_job_recipient_get_position (row), ==, i + 1);
      g_assert_cmpstr (xi_job_recipient_get_phone (row), ==, phone);
      if (i % 2 == 0)
        expected = g_strdup_printf ("Halo %s di Kota %s.", xi_job_recipient_get_name (row),
                                    phone + strlen (phone) - 3);
      else
        expected = g_strdup_printf ("Hai %s.", xi_job_recipient_get_name (row));
      g_assert_cmpstr (xi_job_recipient_get_text (row), ==, expected);
    }
}

/* Recipients come in the order of the contact list (its sort key, then
 * the number), whatever order the rows are stored in, for a group and
 * for chosen contacts alike, and each keeps its own fields through the
 * sort: positions, variants and texts are what SQLite's ORDER BY gave. */
static void
test_list_order (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJobPlan) plan = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) chosen_job = NULL;
  g_autoptr(GPtrArray) phones = NULL;
  g_autoptr(GPtrArray) chosen_phones = NULL;
  g_autoptr(GPtrArray) chosen_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (f->dir, "store.db", NULL);
  const char *variants[] = { "Halo {name} di {kota}.", "Hai {name}.", NULL };
  const guint n = 90;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *direct;

  make_audience (f, n, FALSE);
  /* Keys that group the contacts out of their order of creation, with
   * many equal keys for the numbers to order. */
  g_assert_cmpint (sqlite3_open (db, &direct), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (direct,
                                 "UPDATE contacts SET sort_key = char (122 - (rowid * 7) % 5),"
                                 " custom_fields = json_object ('kota', 'Kota ' || substr (phone, -3))",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (direct, "SELECT id FROM contacts WHERE phone GLOB '*[147]'"
                                       " ORDER BY random ()", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (chosen_ids, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
  g_ptr_array_add (chosen_ids, NULL);
  sqlite3_finalize (stmt);
  sqlite3_close (direct);

  spec = spec_with_template (f, "Urut", variants);
  spec->variant_mode = XI_VARIANT_MODE_ROUND_ROBIN;

  phones = phones_in_list_order (f, NULL);
  g_assert_cmpuint (phones->len, ==, n);
  /* The order is not the one the contacts were made in. */
  g_assert_cmpstr (phones->pdata[0], !=, "6281200000001");

  WAIT (xi_store_plan_job_async (f->store, spec, 3, NULL, xi_test_store_result_cb, &slot_),
        plan = xi_store_plan_job_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (plan->samples->len, ==, 3);
  for (guint i = 0; i < plan->samples->len; i++)
    g_assert_cmpstr (((XiJobSample *)plan->samples->pdata[i])->phone, ==, phones->pdata[i]);

  job = create_job (f, spec);
  check_list_order (f, job, phones);

  g_clear_pointer (&spec->group_id, g_free);
  spec->contact_ids = g_strdupv ((char **)chosen_ids->pdata);
  chosen_job = create_job (f, spec);
  chosen_phones = phones_in_list_order (f, "147");
  g_assert_cmpuint (chosen_phones->len, ==, chosen_ids->len - 1);
  check_list_order (f, chosen_job, chosen_phones);
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Another process (xender-in-cli templates edit) changes the template
 * while the campaign is being created from it. Whichever commits first,
 * the campaign is wholly before or wholly after the edit: one whose
 * transaction began after the edit committed renders the edited text. */
static void
test_template_edited_meanwhile (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autofree char *path = g_build_filename (f->dir, "store.db", NULL);
  g_autofree char *sql = NULL;
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  sqlite3 *db = NULL;
  gint64 until;
  guint wake;

  make_audience (f, 3, FALSE);
  spec = zero_delay_spec (f);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  sql = g_strdup_printf ("BEGIN IMMEDIATE; UPDATE templates SET variants = '[\"Edited {name}\"]'"
                         " WHERE id = '%s'", xi_template_get_id (f->template_));
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);

  /* The store reaches the campaign's write and waits for the lock. */
  xi_store_create_job_async (f->store, spec, NULL, xi_test_store_result_cb, &slot);
  until = g_get_monotonic_time () + 300 * G_TIME_SPAN_MILLISECOND;
  wake = g_timeout_add (20, wake_cb, NULL);
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  g_assert_null (slot);

  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  result = xi_test_wait_result (&slot);
  job = xi_store_create_job_finish (f->store, result, &error);
  g_assert_no_error (error);
  rows = list_recipients (f, xi_job_get_id (job));
  g_assert_cmpuint (rows->len, ==, 3);
  for (guint i = 0; i < rows->len; i++)
    g_assert_true (g_str_has_prefix (xi_job_recipient_get_text (g_ptr_array_index (rows, i)), "Edited Budi"));
}

/* Makes @variant, which needs no JSON escaping, the only variant of the
 * fixture's template, as another program writing the file would. */
static void
store_variant_directly (Fixture    *f,
                        const char *variant)
{
  g_autofree char *path = g_build_filename (f->dir, "store.db", NULL);
  g_autofree char *variants = g_strdup_printf ("[\"%s\"]", variant);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE templates SET variants = ?1 WHERE id = ?2", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, variants, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, xi_template_get_id (f->template_), -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* A template stored by another program with a variant longer than any
 * message is refused at once, for the preview and for the campaign, as
 * saving it would have been. */
static void
test_template_too_long_stored (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *variant = NULL;
  XiJobPlan *plan = NULL;
  XiJob *job = NULL;

  make_audience (f, 50, FALSE);
  spec = zero_delay_spec (f);

  variant = g_strnfill (10 * 1024 * 1024, 'x');
  memcpy (variant, "Halo {name} ", strlen ("Halo {name} "));
  store_variant_directly (f, variant);

  WAIT (xi_store_plan_job_async (f->store, spec, 3, NULL, xi_test_store_result_cb, &slot_),
        plan = xi_store_plan_job_finish (f->store, result_, &error));
  g_assert_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_LONG);
  g_assert_null (plan);
  g_clear_error (&error);
  WAIT (xi_store_create_job_async (f->store, spec, NULL, xi_test_store_result_cb, &slot_),
        job = xi_store_create_job_finish (f->store, result_, &error));
  g_assert_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_LONG);
  g_assert_null (job);
  g_assert_nonnull (strstr (error->message, "Variant 1 is longer than"));
}

/* A template stored by another program may name more of the contacts'
 * fields than one query has columns (SQLite allows 2,000): each
 * recipient still gets every value it has and the fallbacks of the
 * rest. */
static void
test_template_many_fields (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GString) variant = g_string_new ("Halo");
  g_autoptr(GString) expected = g_string_new ("Halo");
  g_autofree char *db = g_build_filename (f->dir, "store.db", NULL);
  sqlite3 *direct;

  make_audience (f, 3, FALSE);
  g_assert_cmpint (sqlite3_open (db, &direct), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (direct, "UPDATE contacts SET custom_fields = '{\"kolom2499\": \"akhir\"}'",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (direct);
  spec = zero_delay_spec (f);

  for (guint i = 0; i < 2500; i++)
    g_string_append_printf (variant, " {kolom%u|-}", i);
  store_variant_directly (f, variant->str);
  for (guint i = 0; i < 2499; i++)
    g_string_append (expected, " -");
  g_string_append (expected, " akhir");

  job = create_job (f, spec);
  rows = list_recipients (f, xi_job_get_id (job));
  g_assert_cmpuint (rows->len, ==, 3);
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpstr (xi_job_recipient_get_text (rows->pdata[i]), ==, expected->str);
}

/* "Start campaign" and then the window closes: the page's cancellable
 * fires before the store gets to the campaign, which is written anyway. */
static void
test_create_outlives_cancel (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  make_audience (f, 3, FALSE);
  spec = zero_delay_spec (f);
  g_cancellable_cancel (cancellable);
  WAIT (xi_store_create_job_async (f->store, spec, cancellable, xi_test_store_result_cb, &slot_),
        job = xi_store_create_job_finish (f->store, result_, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (job);
  g_clear_error (&error);

  WAIT (xi_store_list_jobs_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        jobs = xi_store_list_jobs_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 1);
  rows = list_recipients (f, xi_job_get_id (g_ptr_array_index (jobs, 0)));
  g_assert_cmpuint (rows->len, ==, 3);
}

/* The ids of one campaign are chosen before any send, and a recipient
 * who sees its own learns nothing of its neighbours' (issue 10): no
 * campaign prefix, no position, no sequence. */
static void
test_message_ids_unpredictable (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();

  make_audience (f, 300, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);
  rows = next_outgoing (f, xi_job_get_id (job));
  g_assert_cmpuint (rows->len, ==, 300);
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (ids, ((XiOutgoing *)rows->pdata[i])->message_id);
  xi_test_assert_message_ids_random ((const char * const *) ids->pdata, ids->len);
}

/* A window's ids are written many rows to a statement, its last rows
 * one by one: each row handed out holds the id it is handed out with,
 * and rows another process gave an id keep theirs, wherever they fall
 * among the batches. */
static void
test_message_ids_stored_in_batches (Fixture       *f,
                                    gconstpointer  data)
{
  static const guint given_elsewhere[] = { 3, 70, 150 };
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GPtrArray) outgoing = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GHashTable) message_ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *db = g_build_filename (f->dir, "store.db", NULL);
  sqlite3 *direct;

  make_audience (f, 150, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);

  g_assert_cmpint (sqlite3_open (db, &direct), ==, SQLITE_OK);
  for (guint i = 0; i < G_N_ELEMENTS (given_elsewhere); i++)
    {
      g_autofree char *sql = g_strdup_printf ("UPDATE job_recipients SET wa_message_id = '3EB0ELSEWHERE%09u'"
                                              " WHERE job_id = '%s' AND position = %u", given_elsewhere[i],
                                              xi_job_get_id (job), given_elsewhere[i]);

      g_assert_cmpint (sqlite3_exec (direct, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    }
  sqlite3_close (direct);

  outgoing = next_outgoing (f, xi_job_get_id (job));
  rows = list_recipients (f, xi_job_get_id (job));
  g_assert_cmpuint (outgoing->len, ==, 150);
  for (guint i = 0; i < outgoing->len; i++)
    {
      XiOutgoing *handed = outgoing->pdata[i];
      XiJobRecipient *row = rows->pdata[handed->position - 1];
      gboolean elsewhere = FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (given_elsewhere); j++)
        elsewhere |= handed->position == given_elsewhere[j];
      g_assert_cmpuint (handed->position, ==, i + 1);
      g_assert_cmpstr (handed->phone, ==, xi_job_recipient_get_phone (row));
      g_assert_cmpstr (xi_job_recipient_get_message_id (row), ==, handed->message_id);
      g_assert_cmpint (g_str_has_prefix (handed->message_id, "3EB0ELSEWHERE"), ==, elsewhere);
      g_assert_true (g_hash_table_add (message_ids, handed->message_id));
    }
}

static void
test_quota_refused (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiQuota) quota = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) jobs = NULL;
  XiJob *job = NULL;

  /* Six targeted, one of them opted out: five would be sent to. */
  make_audience (f, 6, TRUE);
  WAIT (xi_store_set_quota_allowance_async (f->store, 3, NULL, xi_test_store_result_cb, &slot_),
        quota = xi_store_set_quota_allowance_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (quota->available, ==, 3);

  spec = zero_delay_spec (f);
  WAIT (xi_store_create_job_async (f->store, spec, NULL, xi_test_store_result_cb, &slot_),
        job = xi_store_create_job_finish (f->store, result_, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_QUOTA);
  g_assert_null (job);
  g_assert_nonnull (strstr (error->message, "only 3 are left"));
  /* Rendering stops at the quota, counting does not. */
  g_assert_nonnull (strstr (error->message, "needs 5 messages"));

  /* Nothing of the refused campaign was kept. */
  WAIT (xi_store_list_jobs_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        jobs = xi_store_list_jobs_finish (f->store, result_, NULL));
  g_assert_cmpuint (jobs->len, ==, 0);

  /* A quota of exactly the campaign's size is enough, though not of its
   * audience's. */
  g_clear_pointer (&quota, xi_quota_free);
  g_clear_error (&error);
  WAIT (xi_store_set_quota_allowance_async (f->store, 5, NULL, xi_test_store_result_cb, &slot_),
        quota = xi_store_set_quota_allowance_finish (f->store, result_, &error));
  g_assert_no_error (error);
  WAIT (xi_store_create_job_async (f->store, spec, NULL, xi_test_store_result_cb, &slot_),
        job = xi_store_create_job_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (xi_job_get_remaining (job), ==, 5);
  g_object_unref (job);
}

/* A group far larger than the quota is refused once the count has passed
 * the quota and 50,000 contacts were read (EXACT_COUNT_ROWS), not after
 * reading all of it: the refusal then names the group's size. */
static void
test_quota_refused_large (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(XiImportBatch) batch = xi_import_batch_new ();
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(XiTemplate) template_ = xi_template_new ("Promo");
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiQuota) quota = NULL;
  g_autoptr(GError) error = NULL;
  const char *variants[] = { "Halo {name}!", NULL };
  const guint n = 50500;
  XiJob *job = NULL;

  for (guint i = 0; i < n; i++)
    {
      XiImportRow *row = g_new0 (XiImportRow, 1);

      row->line = i + 2;
      row->name = g_strdup_printf ("Budi %u", i);
      row->phone = g_strdup_printf ("62812%08u", i);
      row->tags = g_new0 (char *, 1);
      row->groups = g_new0 (char *, 1);
      row->custom_values = g_new0 (char *, 1);
      g_ptr_array_add (batch->rows, row);
    }
  batch->n_records = n;
  WAIT (xi_store_import_contacts_async (f->store, g_steal_pointer (&batch), "Besar", NULL, NULL, NULL,
                                        NULL, xi_test_store_result_cb, &slot_),
        report = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report->imported, ==, n);
  WAIT (xi_store_list_groups_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        groups = xi_store_list_groups_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (groups->len, ==, 1);
  f->group = g_object_ref (g_ptr_array_index (groups, 0));
  xi_template_set_variants (template_, variants);
  WAIT (xi_store_save_template_async (f->store, template_, NULL, xi_test_store_result_cb, &slot_),
        f->template_ = xi_store_save_template_finish (f->store, result_, &error));
  g_assert_no_error (error);

  WAIT (xi_store_set_quota_allowance_async (f->store, 10, NULL, xi_test_store_result_cb, &slot_),
        quota = xi_store_set_quota_allowance_finish (f->store, result_, &error));
  g_assert_no_error (error);
  spec = zero_delay_spec (f);
  WAIT (xi_store_create_job_async (f->store, spec, NULL, xi_test_store_result_cb, &slot_),
        job = xi_store_create_job_finish (f->store, result_, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_QUOTA);
  g_assert_null (job);
  g_assert_nonnull (strstr (error->message, "up to 50500 contacts but only 10 messages are left"));
}

static void
test_run_to_completion (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(XiQuota) quota = NULL;
  g_autoptr(GHashTable) journal = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  guint n_lines;

  make_audience (f, 40, TRUE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);
  start_engine (f, NULL);
  run_until_state (f, xi_job_get_id (job), XI_JOB_STATE_COMPLETED);

  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 39);
  g_assert_cmpuint (xi_job_get_skipped (stored), ==, 1);
  g_assert_cmpuint (xi_job_get_failed (stored), ==, 0);
  g_assert_nonnull (xi_job_get_started_at (stored));
  g_assert_nonnull (xi_job_get_finished_at (stored));

  journal = read_journal (f, &n_lines);
  g_assert_cmpuint (n_lines, ==, 39);
  rows = list_recipients (f, xi_job_get_id (job));
  for (guint i = 0; i < rows->len; i++)
    {
      XiJobRecipient *row = rows->pdata[i];

      if (xi_job_recipient_get_state (row) == XI_RECIPIENT_STATE_SKIPPED)
        continue;
      g_assert_cmpint (xi_job_recipient_get_state (row), ==, XI_RECIPIENT_STATE_SENT);
      g_assert_cmpuint (xi_job_recipient_get_attempts (row), ==, 1);
      g_assert_cmpstr (g_hash_table_lookup (journal, xi_job_recipient_get_message_id (row)), ==,
                       xi_job_recipient_get_phone (row));
    }

  quota = get_quota (f);
  g_assert_cmpuint (quota->used, ==, 39);
  g_assert_cmpuint (quota->reserved, ==, 0);

  run_until (f, is_idle, NULL, 10);
  g_assert_nonnull (f->progress);
  g_assert_cmpuint (f->progress->remaining, ==, 0);
}

/* A transport that hands every message to a loopback one, and notes
 * for each how many messages went out between the one before which its
 * number was announced (xi_transport_prepare ()) and itself. */
#define TEST_TYPE_AHEAD_TRANSPORT (test_ahead_transport_get_type ())
G_DECLARE_FINAL_TYPE (TestAheadTransport, test_ahead_transport, TEST, AHEAD_TRANSPORT, GObject)

struct _TestAheadTransport
{
  GObject      parent_instance;

  XiTransport *inner;
  guint        sent;
  GHashTable  *announced;  /* phone -> messages sent before it was announced */
  GArray      *leads;      /* guint, per message in the order sent */
};

enum { AHEAD_PROP_0, AHEAD_PROP_STATE };

static void test_ahead_transport_iface_init (XiTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestAheadTransport, test_ahead_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (XI_TYPE_TRANSPORT, test_ahead_transport_iface_init))

static XiTransportState
ahead_get_state (XiTransport *transport)
{
  return xi_transport_get_state (TEST_AHEAD_TRANSPORT (transport)->inner);
}

static void
ahead_connect (XiTransport *transport)
{
  xi_transport_connect (TEST_AHEAD_TRANSPORT (transport)->inner);
}

static void
ahead_disconnect (XiTransport *transport)
{
  xi_transport_disconnect (TEST_AHEAD_TRANSPORT (transport)->inner);
}

/* The callback hears from the loopback transport, which finishes it. */
static void
ahead_send_text_async (XiTransport         *transport,
                       const char          *phone,
                       const char          *message_id,
                       const char          *text,
                       XiAsset             *attachment,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  TestAheadTransport *self = TEST_AHEAD_TRANSPORT (transport);
  gpointer announced_at;
  guint lead = 0;

  if (g_hash_table_lookup_extended (self->announced, phone, NULL, &announced_at))
    lead = self->sent - GPOINTER_TO_UINT (announced_at);
  g_array_append_val (self->leads, lead);
  self->sent++;
  xi_transport_send_text_async (self->inner, phone, message_id, text, attachment, cancellable,
                                callback, user_data);
}

static gboolean
ahead_send_text_finish (XiTransport   *transport,
                        GAsyncResult  *result,
                        GError       **error)
{
  return xi_transport_send_text_finish (TEST_AHEAD_TRANSPORT (transport)->inner, result, error);
}

static void
ahead_prepare (XiTransport        *transport,
               const char * const *phones)
{
  TestAheadTransport *self = TEST_AHEAD_TRANSPORT (transport);

  for (guint i = 0; phones[i] != NULL; i++)
    if (!g_hash_table_contains (self->announced, phones[i]))
      g_hash_table_insert (self->announced, g_strdup (phones[i]), GUINT_TO_POINTER (self->sent));
}

static void
test_ahead_transport_iface_init (XiTransportInterface *iface)
{
  iface->get_state = ahead_get_state;
  iface->connect = ahead_connect;
  iface->disconnect = ahead_disconnect;
  iface->send_text_async = ahead_send_text_async;
  iface->send_text_finish = ahead_send_text_finish;
  iface->prepare = ahead_prepare;
}

static void
test_ahead_transport_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  g_value_set_int (value, ahead_get_state (XI_TRANSPORT (object)));
}

static void
test_ahead_transport_finalize (GObject *object)
{
  TestAheadTransport *self = TEST_AHEAD_TRANSPORT (object);

  g_clear_object (&self->inner);
  g_hash_table_unref (self->announced);
  g_array_unref (self->leads);
  G_OBJECT_CLASS (test_ahead_transport_parent_class)->finalize (object);
}

static void
test_ahead_transport_class_init (TestAheadTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_ahead_transport_get_property;
  object_class->finalize = test_ahead_transport_finalize;
  g_object_class_override_property (object_class, AHEAD_PROP_STATE, "state");
}

static void
test_ahead_transport_init (TestAheadTransport *self)
{
  self->announced = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->leads = g_array_new (FALSE, FALSE, sizeof (guint));
}

/* Each batch of recipients is announced to the transport while messages
 * of the batch before still go out, so what the transport reads for it
 * (WhatsApp: device lists, keys) is in before the batch's first message;
 * only the very first message cannot be announced ahead. */
static void
test_batches_announced_ahead (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(TestAheadTransport) transport = g_object_new (TEST_TYPE_AHEAD_TRANSPORT, NULL);
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GError) error = NULL;
  guint late = 0;

  make_audience (f, 160, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);
  f->transport = xi_loopback_transport_new (f->journal, NULL, &error);
  g_assert_no_error (error);
  transport->inner = g_object_ref (XI_TRANSPORT (f->transport));
  start_engine_on (f, XI_TRANSPORT (transport));
  run_until_state (f, xi_job_get_id (job), XI_JOB_STATE_COMPLETED);

  g_assert_cmpuint (transport->leads->len, ==, 160);
  for (guint i = 1; i < transport->leads->len; i++)
    if (g_array_index (transport->leads, guint, i) == 0)
      late++;
  g_assert_cmpuint (late, ==, 0);
}

/* A campaign without delays reports its progress some ten times a
 * second, not once per message, and the last report says it is done. */
static void
test_progress_throttled (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  gint64 start;
  double seconds;

  make_audience (f, 300, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);
  start = g_get_monotonic_time ();
  start_engine (f, NULL);
  run_until_state (f, xi_job_get_id (job), XI_JOB_STATE_COMPLETED);
  run_until (f, is_idle, NULL, 10);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  g_assert_cmpuint (f->n_progress, <=, 10 * seconds + 5);
  g_assert_cmpuint (f->progress->sent, ==, 300);
  g_assert_cmpuint (f->progress->remaining, ==, 0);
}

static gboolean
has_waiting_progress (Fixture       *f,
                      gconstpointer  data)
{
  return f->progress != NULL && f->progress->next_send_at > 0 && f->progress->sent >= GPOINTER_TO_UINT (data);
}

/* A campaign to customers without names says who is next by number,
 * never with a blank where the name would be. */
static void
test_progress_names_nameless (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) cancelled = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiContact) first = NULL;
  g_autoptr(XiContact) second = NULL;
  const char *ids[3] = { NULL };
  guint added = 0;

  make_audience (f, 0, FALSE);
  first = add_contact (f, NULL, "6281298765431");
  second = add_contact (f, "", "6281298765432");
  ids[0] = xi_contact_get_id (first);
  ids[1] = xi_contact_get_id (second);
  WAIT (xi_store_add_group_members_async (f->store, xi_group_get_id (f->group), ids, NULL,
                                          xi_test_store_result_cb, &slot_),
        added = xi_store_add_group_members_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 2);

  spec = zero_delay_spec (f);
  spec->delay_min_ms = spec->delay_max_ms = 60 * 1000;
  job = create_job (f, spec);
  start_engine (f, NULL);

  run_until (f, has_waiting_progress, GUINT_TO_POINTER (1), 10);
  g_assert_nonnull (f->progress->current_name);
  g_assert_true (g_str_equal (f->progress->current_name, "+62 812-9876-5431") ||
                 g_str_equal (f->progress->current_name, "+62 812-9876-5432"));

  cancelled = command (f, xi_job_get_id (job), XI_JOB_COMMAND_CANCEL, &error);
  g_assert_no_error (error);
}

static void
test_pause_during_delay (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) paused = NULL;
  g_autoptr(XiJob) resumed = NULL;
  g_autoptr(XiJob) cancelled = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(XiQuota) quota = NULL;
  g_autoptr(GHashTable) journal = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started;
  guint n_lines;

  make_audience (f, 5, FALSE);
  spec = zero_delay_spec (f);
  spec->delay_min_ms = spec->delay_max_ms = 60 * 1000;
  job = create_job (f, spec);
  start_engine (f, NULL);

  /* First message goes at once, then a minute's delay begins. */
  run_until (f, has_waiting_progress, GUINT_TO_POINTER (1), 10);
  g_assert_cmpint (f->progress->next_send_at - g_get_real_time () / 1000, >, 50 * 1000);

  started = g_get_monotonic_time ();
  paused = command (f, xi_job_get_id (job), XI_JOB_COMMAND_PAUSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (xi_job_get_state (paused), ==, XI_JOB_STATE_PAUSED);
  g_assert_cmpint (g_get_monotonic_time () - started, <, G_USEC_PER_SEC);

  /* Paused is paused: the queue does not pick it up again. */
  run_until (f, is_idle, NULL, 10);
  g_clear_pointer (&journal, g_hash_table_unref);
  journal = read_journal (f, &n_lines);
  g_assert_cmpuint (n_lines, ==, 1);

  /* Pausing twice is a clear error, not a silent no-op. */
  g_clear_object (&paused);
  paused = command (f, xi_job_get_id (job), XI_JOB_COMMAND_PAUSE, &error);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_STATE);
  g_clear_error (&error);

  /* Resuming sends the next one at once, then waits again. */
  f->idle = FALSE;
  resumed = command (f, xi_job_get_id (job), XI_JOB_COMMAND_RESUME, &error);
  g_assert_no_error (error);
  run_until (f, has_waiting_progress, GUINT_TO_POINTER (2), 10);

  cancelled = command (f, xi_job_get_id (job), XI_JOB_COMMAND_CANCEL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (xi_job_get_state (cancelled), ==, XI_JOB_STATE_CANCELLED);
  g_assert_cmpuint (xi_job_get_sent (cancelled), ==, 2);
  g_assert_cmpuint (xi_job_get_skipped (cancelled), ==, 3);

  g_clear_pointer (&journal, g_hash_table_unref);
  journal = read_journal (f, &n_lines);
  g_assert_cmpuint (n_lines, ==, 2);

  rows = list_recipients (f, xi_job_get_id (job));
  g_assert_cmpint (xi_job_recipient_get_skip_reason (rows->pdata[4]), ==, XI_SKIP_REASON_CANCELLED);

  /* The two sent are used; the three never sent go back to the month. */
  quota = get_quota (f);
  g_assert_cmpuint (quota->used, ==, 2);
  g_assert_cmpuint (quota->reserved, ==, 0);
  g_assert_cmpuint (quota->available, ==, XI_QUOTA_DEFAULT_ALLOWANCE - 2);

  stored = command (f, xi_job_get_id (job), XI_JOB_COMMAND_RESUME, &error);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_STATE);
}

static void
test_cancel_during_retry (Fixture       *f,
                          gconstpointer  data)
{
  XiLoopbackOptions options = { .failure_rate = 1.0, .seed = 7 };
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) cancelled = NULL;
  g_autoptr(XiQuota) quota = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("XI_RETRY_BASE_MS", "60000", TRUE);
  make_audience (f, 3, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);
  start_engine (f, &options);

  /* The first try failed and the retry is a minute away. */
  run_until (f, has_waiting_progress, GUINT_TO_POINTER (0), 10);
  rows = list_recipients (f, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_recipient_get_attempts (rows->pdata[0]), ==, 1);
  g_assert_cmpint (xi_job_recipient_get_state (rows->pdata[0]), ==, XI_RECIPIENT_STATE_PENDING);
  g_assert_nonnull (xi_job_recipient_get_last_error (rows->pdata[0]));

  cancelled = command (f, xi_job_get_id (job), XI_JOB_COMMAND_CANCEL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (xi_job_get_state (cancelled), ==, XI_JOB_STATE_CANCELLED);
  g_assert_cmpuint (xi_job_get_skipped (cancelled), ==, 3);
  g_assert_cmpuint (xi_job_get_sent (cancelled), ==, 0);

  quota = get_quota (f);
  g_assert_cmpuint (quota->used, ==, 0);
  g_assert_cmpuint (quota->reserved, ==, 0);
  g_unsetenv ("XI_RETRY_BASE_MS");
}

static void
test_retries_then_fails (Fixture       *f,
                         gconstpointer  data)
{
  XiLoopbackOptions options = { .failure_rate = 1.0, .seed = 3 };
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(XiQuota) quota = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  g_setenv ("XI_RETRY_BASE_MS", "1", TRUE);
  make_audience (f, 4, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);
  start_engine (f, &options);
  run_until_state (f, xi_job_get_id (job), XI_JOB_STATE_COMPLETED);

  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_get_failed (stored), ==, 4);
  rows = list_recipients (f, xi_job_get_id (job));
  for (guint i = 0; i < rows->len; i++)
    {
      g_assert_cmpint (xi_job_recipient_get_state (rows->pdata[i]), ==, XI_RECIPIENT_STATE_FAILED);
      g_assert_cmpuint (xi_job_recipient_get_attempts (rows->pdata[i]), ==, 3);
      g_assert_nonnull (xi_job_recipient_get_last_error (rows->pdata[i]));
    }
  quota = get_quota (f);
  g_assert_cmpuint (quota->used, ==, 0);
  g_assert_cmpuint (quota->reserved, ==, 0);
  g_unsetenv ("XI_RETRY_BASE_MS");
}

/* Writes to the store's file behind its back, as an earlier run left it. */
static void
store_sql (Fixture    *f,
           const char *sql)
{
  g_autofree char *db = g_build_filename (f->dir, "store.db", NULL);
  sqlite3 *direct;

  g_assert_cmpint (sqlite3_open (db, &direct), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (direct, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (direct);
}

/* Retry times stamped before the clock was put back a day: the one no
 * backoff explains is due now, the one a backoff could have set keeps
 * its wait. */
static void
test_retry_after_clock_set_back (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GPtrArray) outgoing = NULL;
  g_autofree char *sql = NULL;
  gint64 now_ms = g_get_real_time () / 1000;
  gint64 backoff_due = now_ms + 5000;

  make_audience (f, 2, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);

  sql = g_strdup_printf ("UPDATE job_recipients SET attempts = 1, next_attempt_at ="
                         " CASE position WHEN 1 THEN %" G_GINT64_FORMAT " ELSE %" G_GINT64_FORMAT " END"
                         " WHERE job_id = '%s'",
                         now_ms + 24 * 3600 * 1000, backoff_due, xi_job_get_id (job));
  store_sql (f, sql);

  outgoing = next_outgoing (f, xi_job_get_id (job));
  g_assert_cmpuint (outgoing->len, ==, 2);
  g_assert_cmpint (((XiOutgoing *) outgoing->pdata[0])->position, ==, 1);
  g_assert_cmpint (((XiOutgoing *) outgoing->pdata[0])->next_attempt_at, <=, g_get_real_time () / 1000);
  g_assert_cmpint (((XiOutgoing *) outgoing->pdata[1])->next_attempt_at, ==, backoff_due);
}

/* A recipient waiting out WhatsApp's time-lock, stamped with its end two
 * hours ahead as the send loop records it: after a restart the transport
 * does not know the lock yet, so the wait must still hold. */
static void
test_paused_wait_survives_reload (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GPtrArray) outgoing = NULL;
  g_autofree char *sql = NULL;
  gint64 lock_ends = g_get_real_time () / 1000 + 2 * 3600 * 1000;

  make_audience (f, 1, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);

  sql = g_strdup_printf ("UPDATE job_recipients SET next_attempt_at = %" G_GINT64_FORMAT ","
                         " skip_reason = '%s', last_error = 'paused' WHERE job_id = '%s'",
                         lock_ends, xi_skip_reason_to_string (XI_SKIP_REASON_NEW_CHATS_PAUSED),
                         xi_job_get_id (job));
  store_sql (f, sql);

  outgoing = next_outgoing (f, xi_job_get_id (job));
  g_assert_cmpuint (outgoing->len, ==, 1);
  g_assert_cmpint (((XiOutgoing *) outgoing->pdata[0])->next_attempt_at, ==, lock_ends);
}

/* Ten failures in a row stop the campaign instead of burning the list. */
static void
test_fails_on_repeated_errors (Fixture       *f,
                               gconstpointer  data)
{
  XiLoopbackOptions options = { .failure_rate = 1.0, .seed = 5 };
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(XiQuota) quota = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  g_setenv ("XI_RETRY_BASE_MS", "1", TRUE);
  make_audience (f, 15, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);
  start_engine (f, &options);
  run_until_state (f, xi_job_get_id (job), XI_JOB_STATE_FAILED);

  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_get_failed (stored), ==, 10);
  g_assert_cmpuint (xi_job_get_skipped (stored), ==, 5);
  g_assert_nonnull (strstr (xi_job_get_last_error (stored), "10 messages in a row"));
  rows = list_recipients (f, xi_job_get_id (job));
  g_assert_cmpint (xi_job_recipient_get_skip_reason (rows->pdata[14]), ==, XI_SKIP_REASON_STOPPED);
  quota = get_quota (f);
  g_assert_cmpuint (quota->used, ==, 0);
  g_assert_cmpuint (quota->reserved, ==, 0);
  g_unsetenv ("XI_RETRY_BASE_MS");
}

static void
test_partial_failures_retry (Fixture       *f,
                             gconstpointer  data)
{
  XiLoopbackOptions options = { .failure_rate = 0.3, .seed = 11 };
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(GHashTable) journal = NULL;
  guint n_lines, retried = 0;
  g_autoptr(GPtrArray) rows = NULL;

  g_setenv ("XI_RETRY_BASE_MS", "1", TRUE);
  make_audience (f, 60, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);
  start_engine (f, &options);
  run_until_state (f, xi_job_get_id (job), XI_JOB_STATE_COMPLETED);

  stored = get_job (f, xi_job_get_id (job));
  journal = read_journal (f, &n_lines);
  g_assert_cmpuint (xi_job_get_sent (stored) + xi_job_get_failed (stored), ==, 60);
  g_assert_cmpuint (n_lines, ==, xi_job_get_sent (stored));
  rows = list_recipients (f, xi_job_get_id (job));
  for (guint i = 0; i < rows->len; i++)
    if (xi_job_recipient_get_attempts (rows->pdata[i]) > 1 &&
        xi_job_recipient_get_state (rows->pdata[i]) == XI_RECIPIENT_STATE_SENT)
      retried++;
  /* With 30 % failures some messages got through on a later try. */
  g_assert_cmpuint (retried, >, 0);
  g_unsetenv ("XI_RETRY_BASE_MS");
}

static void
test_disconnect_waits (Fixture       *f,
                       gconstpointer  data)
{
  XiLoopbackOptions options = { .drop_after = 7, .reconnect_ms = 100 };
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(GHashTable) journal = NULL;
  guint n_lines;

  make_audience (f, 30, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);
  start_engine (f, &options);
  run_until_state (f, xi_job_get_id (job), XI_JOB_STATE_COMPLETED);

  /* The campaign waited for the connection (not failed anyone) and every
   * message went exactly once. */
  g_assert_true (f->saw_retrying);
  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 30);
  g_assert_cmpuint (xi_job_get_failed (stored), ==, 0);
  journal = read_journal (f, &n_lines);
  g_assert_cmpuint (n_lines, ==, 30);
  g_assert_cmpuint (g_hash_table_size (journal), ==, 30);
}

typedef struct
{
  FakewaServer *server;
  GHashTable   *targets;    /* message id -> the phone JID it went to */
  guint         copies;
  gboolean      dropped_again;
} Relays;

static void
relayed_cb (FakewaServer *server,
            const char   *from,
            const char   *to,
            const char   *type,
            Relays       *relays)
{
  relays->copies++;
  /* A second cut, well into the campaign. */
  if (relays->copies == 15 && !relays->dropped_again)
    {
      relays->dropped_again = TRUE;
      fakewa_server_drop_after (server, 20);
    }
}

/* A client linked to the fake server's account, connected. */
static WaClient *
linked_client (FakewaServer *server,
               WaKeyStore   *keys)
{
  g_autoptr(WaClient) client = NULL;
  g_autoptr(GError) error = NULL;

  client = wa_client_new (keys, fakewa_server_get_url (server), fakewa_server_get_root_key (server));
  wa_client_set_backoff (client, 20, 200);
fakewa_server_link_client (server, client, "6289900000000");
  return g_steal_pointer (&client);
}

/* Over the real protocol: the WhatsApp transport against the fake
 * server. The connection is cut twice mid-campaign; the campaign waits
 * without failing anyone and resumes by itself when the client is back.
 * Every recipient on WhatsApp gets exactly its stored message (the same
 * id if a copy went twice), those not on WhatsApp fail with why, and
 * their phones' delivery receipts reach the report. */
static void
test_whatsapp_drops_and_resumes (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(FakewaServer) server = NULL;
  g_autoptr(WaKeyStore) keys = wa_memory_key_store_new ();
  g_autoptr(WaClient) client = NULL;
  g_autoptr(XiTransport) transport = NULL;
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GHashTable) phones_by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) error = NULL;
  Relays relays = { 0 };

  server = fakewa_server_new (&error);
  g_assert_no_error (error);
  client = linked_client (server, keys);

  /* 28 of 30 are on WhatsApp. */
  make_audience (f, 30, FALSE);
  for (guint i = 1; i <= 28; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812%08u", i);

      fakewa_server_add_account (server, phone);
    }
  relays.server = server;
  g_signal_connect (server, "relayed", G_CALLBACK (relayed_cb), &relays);

  spec = zero_delay_spec (f);
  job = create_job (f, spec);
  transport = xi_whatsapp_transport_new (client);
  fakewa_server_drop_after (server, 12);
  start_engine_on (f, transport);
  run_until_state (f, xi_job_get_id (job), XI_JOB_STATE_COMPLETED);

  g_assert_true (f->saw_retrying);
  g_assert_true (relays.dropped_again);
  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 28);
  g_assert_cmpuint (xi_job_get_failed (stored), ==, 2);

  rows = list_recipients (f, xi_job_get_id (job));
  g_assert_cmpuint (rows->len, ==, 30);
  for (guint i = 0; i < rows->len; i++)
    {
      XiJobRecipient *row = g_ptr_array_index (rows, i);
      XiRecipientState state = xi_job_recipient_get_state (row);

      if (g_str_has_suffix (xi_job_recipient_get_phone (row), "29") ||
          g_str_has_suffix (xi_job_recipient_get_phone (row), "30"))
        {
          g_assert_cmpint (state, ==, XI_RECIPIENT_STATE_FAILED);
          continue;
        }
      g_assert_true (state == XI_RECIPIENT_STATE_SENT || state == XI_RECIPIENT_STATE_DELIVERED);
      g_assert_false (g_hash_table_contains (phones_by_id, xi_job_recipient_get_message_id (row)));
      g_hash_table_insert (phones_by_id, g_strdup (xi_job_recipient_get_message_id (row)),
                           g_strdup (xi_job_recipient_get_phone (row)));
    }
  g_assert_cmpuint (g_hash_table_size (phones_by_id), ==, 28);

  g_signal_handlers_disconnect_by_data (server, &relays);
  stop_engine (f);
}


static void
heard_cb (XiTransport *transport,
          const char  *phone,
          const char  *message_id,
          const char  *text,
          guint       *heard)
{
  (*heard)++;
}

static gboolean
set_true (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Once the receiver stops (the engine stops it before the client), the
 * WhatsApp transport reads no customer's message: nobody would store it,
 * and reading it moves its session on. The next receiver that takes the
 * transport reads it when the server delivers it again. */
static void
test_whatsapp_receiver_stopped (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(FakewaServer) server = NULL;
  g_autoptr(WaKeyStore) keys = wa_memory_key_store_new ();
  g_autoptr(WaClient) client = NULL;
  g_autoptr(XiTransport) transport = NULL;
  g_autoptr(XiReceiver) receiver = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gboolean stopped = FALSE;
  guint heard = 0;

  server = fakewa_server_new (&error);
  g_assert_no_error (error);
  client = linked_client (server, keys);
  fakewa_server_add_account (server, "6281222209999");
  transport = xi_whatsapp_transport_new (client);
  g_signal_connect (transport, "incoming", G_CALLBACK (heard_cb), &heard);
  receiver = xi_receiver_new (f->store);
  xi_receiver_add_transport (receiver, transport);
  xi_receiver_stop (receiver, NULL, NULL);

  fakewa_server_phone_write (server, "6281222209999", wa_client_get_device_jid (client), "3AKEEP0000000001", "Halo");
  for (gint64 until = g_get_monotonic_time () + 500 * 1000; g_get_monotonic_time () < until;)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (heard, ==, 0);

  g_clear_object (&receiver);
  receiver = xi_receiver_new (f->store);
  xi_receiver_add_transport (receiver, transport);
  fakewa_server_drop_all (server);
  while (heard == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (heard, ==, 1);
  xi_receiver_stop (receiver, set_true, &stopped);
  while (!stopped)
    g_main_context_iteration (NULL, TRUE);
  wa_client_stop (client);
}


#define SHOP_PHONE "6289900000000"

typedef struct
{
  GHashTable *refused;     /* recipient JID -> how many 463s */
  GPtrArray  *delivered;   /* recipient phone JIDs, in relay order, phones only */
  gint64      lock_ends;   /* Unix µs, whole seconds as the server counts; 0: none */
  GPtrArray  *after_lock;  /* recipients relayed while it was on */
  guint       lock_after;  /* relays before the time-lock starts; 0: never */
  FakewaServer *server;
  WaKeyStore  *keys;
  WaClient    *client;
  XiTransport *transport;
} Reachout;

static void
reachout_refused_cb (FakewaServer *server,
                     const char   *from,
                     const char   *to,
                     const char   *code,
                     Reachout     *reachout)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (reachout->refused, to));

  g_assert_cmpstr (code, ==, "463");
  g_hash_table_insert (reachout->refused, g_strdup (to), GUINT_TO_POINTER (n + 1));
}

static void
reachout_relayed_cb (FakewaServer *server,
                     const char   *from,
                     const char   *to,
                     const char   *type,
                     Reachout     *reachout)
{
  /* The recipients' phones only: companions would count twice, and our
   * own phone gets a copy of each. */
  if (strchr (to, ':') != NULL || g_str_has_prefix (to, SHOP_PHONE))
    return;
  g_ptr_array_add (reachout->delivered, g_strdup (to));
  if (reachout->lock_ends != 0 && g_get_real_time () < reachout->lock_ends)
    g_ptr_array_add (reachout->after_lock, g_strdup (to));
  if (reachout->lock_after > 0 && reachout->delivered->len == reachout->lock_after)
    {
      fakewa_server_set_timelock (server, SHOP_PHONE, 3, "WEB_COMPANION_ONLY");
      reachout->lock_ends = (g_get_real_time () / G_USEC_PER_SEC + 3) * G_USEC_PER_SEC;
    }
}

static gboolean
has_n_tokens (Fixture       *f,
              gconstpointer  data)
{
  gconstpointer const *args = data;
  g_autoptr(GPtrArray) keys = wa_key_store_list ((WaKeyStore *) args[0], "tctoken");

  return keys != NULL && keys->len >= GPOINTER_TO_UINT (args[1]);
}

/* A shop linked to the fake server and @n customers on WhatsApp
 * ("62812%08u", from 1), every @wrote_every-th of whom wrote first: their
 * phones issued the shop a token, which it keeps before anything starts. */
static void
reachout_init (Fixture  *f,
               Reachout *reachout,
               guint     n,
               guint     wrote_every)
{
  g_autoptr(GError) error = NULL;
  gconstpointer token_wait[2] = { NULL, GUINT_TO_POINTER (n / wrote_every) };

  reachout->server = fakewa_server_new (&error);
  g_assert_no_error (error);
  reachout->keys = wa_memory_key_store_new ();
  reachout->client = linked_client (reachout->server, reachout->keys);
  reachout->transport = xi_whatsapp_transport_new (reachout->client);
  reachout->refused = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  reachout->delivered = g_ptr_array_new_with_free_func (g_free);
  reachout->after_lock = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (reachout->server, "refused", G_CALLBACK (reachout_refused_cb), reachout);
  g_signal_connect (reachout->server, "relayed", G_CALLBACK (reachout_relayed_cb), reachout);

  make_audience (f, n, FALSE);
  for (guint i = 1; i <= n; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812%08u", i);

      fakewa_server_add_account (reachout->server, phone);
      if (i % wrote_every == 0)
        fakewa_server_issue_token (reachout->server, phone, SHOP_PHONE);
    }
  token_wait[0] = reachout->keys;
  run_until (f, has_n_tokens, token_wait, 10);
}

/* After the engine stopped. */
static void
reachout_clear (Reachout *reachout)
{
  g_signal_handlers_disconnect_by_data (reachout->server, reachout);
  g_hash_table_unref (reachout->refused);
  g_ptr_array_unref (reachout->delivered);
  g_ptr_array_unref (reachout->after_lock);
  g_clear_object (&reachout->transport);
  g_clear_object (&reachout->client);
  g_clear_object (&reachout->keys);
  g_clear_object (&reachout->server);
}

/* An account that must show a conversation to reach anyone new, sending
 * to 50: the 20 who wrote first (their phones issued tokens) get it with
 * their token. Without the NCT salt the 30 others are refused with 463,
 * each exactly once, marked refused as a new contact, and the campaign
 * ends instead of stopping on failures in a row. Once the salt is there
 * (history or app-state sync put it in the key store) a second campaign
 * reaches the 30 with cstokens. */
static void
test_whatsapp_new_contacts (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) first = NULL;
  g_autoptr(XiJob) second = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GBytes) salt = g_bytes_new_static ("nct-salt-of-the-shop-0123456789ab", 32);
  gconstpointer token_wait[2] = { NULL, GUINT_TO_POINTER (20) };
  Reachout reachout = { 0 };

  /* Every fifth and the one after it: 20 of 50 wrote first. */
  reachout_init (f, &reachout, 50, 5);
  for (guint i = 1; i <= 50; i += 5)
    {
      g_autofree char *phone = g_strdup_printf ("62812%08u", i);

      fakewa_server_issue_token (reachout.server, phone, SHOP_PHONE);
    }
  token_wait[0] = reachout.keys;
  run_until (f, has_n_tokens, token_wait, 10);
  fakewa_server_require_tokens (reachout.server, SHOP_PHONE, TRUE);

  spec = zero_delay_spec (f);
  first = create_job (f, spec);
  start_engine_on (f, reachout.transport);
  run_until_state (f, xi_job_get_id (first), XI_JOB_STATE_COMPLETED);

  stored = get_job (f, xi_job_get_id (first));
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 20);
  g_assert_cmpuint (xi_job_get_failed (stored), ==, 30);
  g_assert_cmpuint (g_hash_table_size (reachout.refused), ==, 30);
  rows = list_recipients (f, xi_job_get_id (first));
  for (guint i = 0; i < rows->len; i++)
    {
      XiJobRecipient *row = g_ptr_array_index (rows, i);
      const char *digits = xi_job_recipient_get_phone (row) + (xi_job_recipient_get_phone (row)[0] == '+');
      g_autofree char *jid = g_strdup_printf ("%s@s.whatsapp.net", digits);
      guint64 n = g_ascii_strtoull (digits + strlen ("62812"), NULL, 10);

      if (n % 5 < 2)
        {
          g_assert_cmpint (xi_job_recipient_get_state (row), !=, XI_RECIPIENT_STATE_FAILED);
          continue;
        }
      g_assert_cmpint (xi_job_recipient_get_state (row), ==, XI_RECIPIENT_STATE_FAILED);
      g_assert_cmpint (xi_job_recipient_get_skip_reason (row), ==, XI_SKIP_REASON_REFUSED_NEW_CONTACT);
      g_assert_cmpuint (xi_job_recipient_get_attempts (row), ==, 1);
      g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (reachout.refused, jid)), ==, 1);
    }
  g_assert_cmpuint (reachout.delivered->len, ==, 20);

  fakewa_server_set_nct_salt (reachout.server, SHOP_PHONE, salt);
  wa_key_store_save (reachout.keys, "nct-salt", "salt", salt);
  second = create_job (f, spec);
  xi_engine_wake (f->engine);
  run_until_state (f, xi_job_get_id (second), XI_JOB_STATE_COMPLETED);
  g_clear_object (&stored);
  stored = get_job (f, xi_job_get_id (second));
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 50);
  g_assert_cmpuint (g_hash_table_size (reachout.refused), ==, 30);
  g_assert_cmpuint (reachout.delivered->len, ==, 70);

  stop_engine (f);
  reachout_clear (&reachout);
}

/* A time-lock pushed mid-campaign: no new chat is even tried until it
 * ends (no 463 at all), the customers who wrote first still get theirs
 * meanwhile, and the others go once it is over. */
static void
test_whatsapp_timelock_pauses (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) stored = NULL;
  Reachout reachout = { 0 };

  reachout_init (f, &reachout, 10, 2);
  reachout.lock_after = 2;

  /* Slow enough for the push to arrive between two messages. */
  spec = zero_delay_spec (f);
  spec->delay_min_ms = spec->delay_max_ms = 150;
  job = create_job (f, spec);
  start_engine_on (f, reachout.transport);
  run_until_state (f, xi_job_get_id (job), XI_JOB_STATE_COMPLETED);

  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 10);
  g_assert_cmpuint (g_hash_table_size (reachout.refused), ==, 0);
  g_assert_cmpuint (reachout.after_lock->len, >, 0);
  for (guint i = 0; i < reachout.after_lock->len; i++)
    {
      /* "62812000000NN@s.whatsapp.net": only even NN wrote first. */
      const char *jid = g_ptr_array_index (reachout.after_lock, i);
      guint64 n = g_ascii_strtoull (jid + strlen ("62812"), NULL, 10);

      g_assert_cmpuint (n % 2, ==, 0);
    }

  stop_engine (f);
  reachout_clear (&reachout);
}

/* A rehearsal and a campaign for people in one queue: each goes through
 * its own transport. The WhatsApp one waits, failing nobody, while the
 * client is away, and completes once it is back; the rehearsal sends
 * nothing to WhatsApp and the WhatsApp one nothing to the journal. */
static void
test_per_job_transports (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(FakewaServer) server = NULL;
  g_autoptr(WaKeyStore) keys = wa_memory_key_store_new ();
  g_autoptr(WaClient) client = NULL;
  g_autoptr(XiTransport) whatsapp = NULL;
  g_autoptr(XiJobSpec) rehearsal_spec = NULL;
  g_autoptr(XiJobSpec) real_spec = NULL;
  g_autoptr(XiJob) rehearsal = NULL;
  g_autoptr(XiJob) real = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(GHashTable) journal = NULL;
  g_autoptr(GError) error = NULL;
  guint n_lines = 0;

  server = fakewa_server_new (&error);
  g_assert_no_error (error);
  client = linked_client (server, keys);
  make_audience (f, 5, FALSE);
  for (guint i = 1; i <= 5; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812%08u", i);

      fakewa_server_add_account (server, phone);
    }
  wa_client_stop (client);

  rehearsal_spec = zero_delay_spec (f);
  rehearsal_spec->transport = g_strdup (XI_JOB_TRANSPORT_LOOPBACK);
  rehearsal = create_job (f, rehearsal_spec);
  g_assert_true (xi_job_is_rehearsal (rehearsal));
  real_spec = zero_delay_spec (f);
  real_spec->transport = g_strdup (XI_JOB_TRANSPORT_WHATSAPP);
  real = create_job (f, real_spec);
  g_assert_cmpstr (xi_job_get_transport (real), ==, XI_JOB_TRANSPORT_WHATSAPP);

  /* Without a WhatsApp transport the engine leaves that campaign queued. */
  start_engine (f, NULL);
  run_until_state (f, xi_job_get_id (rehearsal), XI_JOB_STATE_COMPLETED);
  run_until (f, is_idle, NULL, 10);
  stored = get_job (f, xi_job_get_id (real));
  g_assert_cmpint (xi_job_get_state (stored), ==, XI_JOB_STATE_PENDING);
  g_clear_object (&stored);

  /* With one whose client is away, it starts and waits. */
  whatsapp = xi_whatsapp_transport_new (client);
  xi_engine_set_transport (f->engine, XI_JOB_TRANSPORT_WHATSAPP, whatsapp);
  run_until_state (f, xi_job_get_id (real), XI_JOB_STATE_RETRYING);
  stored = get_job (f, xi_job_get_id (real));
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 0);
  g_assert_cmpuint (xi_job_get_failed (stored), ==, 0);
  g_clear_object (&stored);

  wa_client_start (client);
  run_until_state (f, xi_job_get_id (real), XI_JOB_STATE_COMPLETED);
  stored = get_job (f, xi_job_get_id (real));
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 5);

  journal = read_journal (f, &n_lines);
  g_assert_cmpuint (n_lines, ==, 5);
  stop_engine (f);
  wa_client_stop (client);
}

typedef struct
{
  guint calls;
  guint last_done;
  guint total;
} CheckProgress;

static void
check_progress_cb (guint    done,
                   guint    total,
                   gpointer user_data)
{
  CheckProgress *progress = user_data;

  g_assert_cmpuint (done, >, progress->last_done);
  progress->calls++;
  progress->last_done = done;
  progress->total = total;
}

/* "Is it on WhatsApp?" for 120 contacts against the fake server, which
 * knows 100 of them: three questions of at most 50 numbers, and every
 * answer recorded on its contact with the date; a campaign made after
 * skips the 20 others with that reason. */
static void
test_number_check (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(FakewaServer) server = NULL;
  g_autoptr(WaKeyStore) keys = wa_memory_key_store_new ();
  g_autoptr(WaClient) client = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) phones = NULL;
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJobPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  CheckProgress progress = { 0 };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GAsyncResult *slot = NULL;
  guint on = 0;

  server = fakewa_server_new (&error);
  g_assert_no_error (error);
  client = linked_client (server, keys);
  make_audience (f, 120, FALSE);
  for (guint i = 1; i <= 120; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812%08u", i);

      if (i <= 100)
        fakewa_server_add_account (server, phone);
      g_strv_builder_add (builder, phone);
    }
  phones = g_strv_builder_end (builder);

  xi_number_check_async (client, f->store, (const char * const *) phones, 10, 30, check_progress_cb,
                         &progress, NULL, xi_test_store_result_cb, &slot);
  {
    g_autoptr(GAsyncResult) result = xi_test_wait_result (&slot);

    checks = xi_number_check_finish (result, &error);
  }
  g_assert_no_error (error);
  g_assert_cmpuint (progress.calls, ==, 3);
  g_assert_cmpuint (progress.last_done, ==, 120);
  g_assert_cmpuint (checks->len, ==, 120);
  for (guint i = 0; i < checks->len; i++)
    {
      WaContactCheck *check = g_ptr_array_index (checks, i);
      g_autoptr(WaJid) jid = NULL;
      g_autoptr(WaJid) lid = NULL;
      g_autofree char *mapped = NULL;

      on += check->on_whatsapp;
      if (!check->on_whatsapp)
        continue;
      /* Each LID the answer named is in the one LID table, for replies. */
      jid = wa_jid_parse (check->jid, NULL);
      lid = wa_jid_parse (check->lid, NULL);
      mapped = wa_lid_map_pn_of_lid (keys, wa_jid_get_user (lid));
      g_assert_cmpstr (mapped, ==, wa_jid_get_user (jid));
    }
  g_assert_cmpuint (on, ==, 100);

  WAIT (xi_store_list_contacts_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        contacts = xi_store_list_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < contacts->len; i++)
    {
      XiContact *contact = g_ptr_array_index (contacts, i);
      guint n = (guint) g_ascii_strtoull (xi_contact_get_phone (contact) + 5, NULL, 10);

      g_assert_cmpint (xi_contact_get_on_whatsapp (contact), ==, n <= 100 ? XI_ON_WHATSAPP_YES : XI_ON_WHATSAPP_NO);
      g_assert_cmpint (xi_contact_get_on_whatsapp_checked_at (contact), >=, now);
      g_assert_false (xi_number_check_is_due (contact, now));
      g_assert_true (xi_number_check_is_due (contact, now + XI_NUMBER_CHECK_FRESH_DAYS * 24 * 3600 + 60));
    }

  spec = zero_delay_spec (f);
  WAIT (xi_store_plan_job_async (f->store, spec, 0, NULL, xi_test_store_result_cb, &slot_),
        plan = xi_store_plan_job_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (plan->eligible, ==, 100);
  g_assert_cmpuint (plan->skipped[XI_SKIP_REASON_NOT_ON_WHATSAPP], ==, 20);
  wa_client_stop (client);
}

static gboolean
all_read (Fixture       *f,
          gconstpointer  data)
{
  XiJob *job = g_hash_table_lookup (f->jobs, data);

  return job != NULL && xi_job_get_read (job) == xi_job_get_sent (job) && xi_job_is_finished (job);
}

static void
test_receipts (Fixture       *f,
               gconstpointer  data)
{
  XiLoopbackOptions options = { .receipts = TRUE };
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  make_audience (f, 10, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);
  start_engine (f, &options);
  run_until (f, all_read, xi_job_get_id (job), 30);

  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_get_delivered (stored), ==, 10);
  g_assert_cmpuint (xi_job_get_read (stored), ==, 10);
  rows = list_recipients (f, xi_job_get_id (job));
  g_assert_cmpint (xi_job_recipient_get_state (rows->pdata[0]), ==, XI_RECIPIENT_STATE_READ);
  g_assert_nonnull (xi_job_recipient_get_delivered_at (rows->pdata[0]));
  g_assert_nonnull (xi_job_recipient_get_read_at (rows->pdata[0]));
}

static GPtrArray *
outcomes_sent (GPtrArray *rows,
               guint      n)
{
  GPtrArray *outcomes = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_outcome_free);

  for (guint i = 0; i < n; i++)
    {
      XiOutgoing *outgoing = g_ptr_array_index (rows, i);
      XiOutcome *outcome = g_new0 (XiOutcome, 1);

      outcome->row_id = g_strdup (outgoing->row_id);
      outcome->state = XI_RECIPIENT_STATE_SENT;
      outcome->attempts = 1;
      g_ptr_array_add (outcomes, outcome);
    }
  return outcomes;
}

/* A zero-delay campaign to @n people, and its rows as handed out for
 * sending, with their message ids. */
static GPtrArray *
handed_out (Fixture  *f,
            guint     n,
            XiJob   **job)
{
  g_autoptr(XiJobSpec) spec = NULL;
  GPtrArray *rows;

  make_audience (f, n, FALSE);
  spec = zero_delay_spec (f);
  *job = create_job (f, spec);
  rows = next_outgoing (f, xi_job_get_id (*job));
  g_assert_cmpuint (rows->len, ==, n);
  return rows;
}

/* Adds to @receipts that row @i of @rows was delivered. */
static XiReceipt *
add_delivered (GPtrArray *receipts,
               GPtrArray *rows,
               guint      i)
{
  XiReceipt *receipt = g_new0 (XiReceipt, 1);

  receipt->message_id = g_strdup (((XiOutgoing *)g_ptr_array_index (rows, i))->message_id);
  receipt->state = XI_RECIPIENT_STATE_DELIVERED;
  g_ptr_array_add (receipts, receipt);
  return receipt;
}

static XiReceipt *
add_first_delivered (GPtrArray *receipts,
                     GPtrArray *rows)
{
  return add_delivered (receipts, rows, 0);
}

/* The outcomes and receipts riding in one transaction add to their
 * campaign's counters with one write of its row, which cost as much as
 * a recipient's: a trigger of the file's own counts the writes. */
static void
test_counts_written_once (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->dir, "store.db", NULL);
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(GPtrArray) rows = handed_out (f, 3, &job);
  g_autoptr(GPtrArray) outcomes = NULL;
  g_autoptr(GPtrArray) receipts = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_receipt_free);
  g_autoptr(GPtrArray) no_keys = g_ptr_array_new ();
  g_autoptr(GAsyncResult) outcomes_result = NULL;
  g_autoptr(GAsyncResult) receipts_result = NULL;
  g_autoptr(GAsyncResult) keys_result = NULL;
  GAsyncResult *outcomes_slot = NULL, *receipts_slot = NULL, *keys_slot = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) changed = NULL;
  XiJobState state = XI_JOB_STATE_PENDING;
  sqlite3 *direct;

  g_assert_cmpint (sqlite3_open (db, &direct), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (direct,
                                 "CREATE TABLE counter_writes (job_id TEXT);"
                                 "CREATE TRIGGER counter_writes AFTER UPDATE OF sent, failed, delivered, read"
                                 " ON jobs BEGIN INSERT INTO counter_writes VALUES (NEW.id); END;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (direct);

  outcomes = outcomes_sent (rows, 2);
  add_first_delivered (receipts, rows);
  xi_store_record_outcomes_async (f->store, xi_job_get_id (job), outcomes, NULL, xi_test_store_result_cb,
                                  &outcomes_slot);
  xi_store_record_receipts_async (f->store, receipts, NULL, xi_test_store_result_cb, &receipts_slot);
  xi_store_put_keys_async (f->store, no_keys, NULL, xi_test_store_result_cb, &keys_slot);
  keys_result = xi_test_wait_result (&keys_slot);
  g_assert_true (xi_store_put_keys_finish (f->store, keys_result, &error));
  g_assert_no_error (error);
  outcomes_result = xi_test_wait_result (&outcomes_slot);
  g_assert_true (xi_store_record_outcomes_finish (f->store, outcomes_result, &state, &error));
  g_assert_no_error (error);
  g_assert_cmpint (state, ==, XI_JOB_STATE_PENDING);
  receipts_result = xi_test_wait_result (&receipts_slot);
  changed = xi_store_record_receipts_finish (f->store, receipts_result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (changed), ==, 1);
  g_assert_cmpstr (changed[0], ==, xi_job_get_id (job));

  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 2);
  g_assert_cmpuint (xi_job_get_delivered (stored), ==, 1);
  g_assert_cmpint (xi_test_sqlite_int (db, "SELECT count (*) FROM counter_writes"), ==, 1);
}

/* The riders of a transaction run under one savepoint; when one of them
 * is refused (a customer's picture with a one-byte checksum), all of
 * them run again apart. What the others wrote and counted on the first
 * run is undone first: the campaign counts each outcome once. */
static void
test_refused_rider_counts_once (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(GPtrArray) rows = handed_out (f, 3, &job);
  g_autoptr(GPtrArray) outcomes = outcomes_sent (rows, 2);
  g_autoptr(GPtrArray) receipts = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_receipt_free);
  g_autoptr(GPtrArray) recipients = NULL;
  g_autoptr(GBytes) key32 = g_bytes_new_static ("0123456789abcdef0123456789abcdef", 32);
  g_autoptr(GBytes) short_sum = g_bytes_new_static ("x", 1);
  g_autoptr(GAsyncResult) outcomes_result = NULL;
  g_autoptr(GAsyncResult) incoming_result = NULL;
  g_autoptr(GAsyncResult) receipts_result = NULL;
  GAsyncResult *outcomes_slot = NULL, *incoming_slot = NULL, *receipts_slot = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) incoming_error = NULL;
  g_autoptr(XiIncoming) incoming = NULL;
  g_auto(GStrv) changed = NULL;
  XiMediaInfo media = { .kind = (char *) "image", .direct_path = (char *) "/v/t62/x", .media_key = key32,
                        .file_sha256 = short_sum, .file_enc_sha256 = key32 };
  gboolean duplicate = FALSE;

  add_first_delivered (receipts, rows);
  xi_store_record_outcomes_async (f->store, xi_job_get_id (job), outcomes, NULL, xi_test_store_result_cb,
                                  &outcomes_slot);
  xi_store_record_incoming_media_async (f->store, "+6281234567899", "HOSTILE0001", NULL, NULL, &media, NULL,
                                        xi_test_store_result_cb, &incoming_slot);
  xi_store_record_receipts_async (f->store, receipts, NULL, xi_test_store_result_cb, &receipts_slot);

  outcomes_result = xi_test_wait_result (&outcomes_slot);
  g_assert_true (xi_store_record_outcomes_finish (f->store, outcomes_result, NULL, &error));
  g_assert_no_error (error);
  incoming_result = xi_test_wait_result (&incoming_slot);
  incoming = xi_store_record_incoming_finish (f->store, incoming_result, &duplicate, &incoming_error);
  g_assert_error (incoming_error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID);
  g_assert_null (incoming);
  receipts_result = xi_test_wait_result (&receipts_slot);
  changed = xi_store_record_receipts_finish (f->store, receipts_result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (changed), ==, 1);

  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 2);
  g_assert_cmpuint (xi_job_get_delivered (stored), ==, 1);
  recipients = list_recipients (f, xi_job_get_id (job));
  g_assert_cmpint (xi_job_recipient_get_state (recipients->pdata[0]), ==, XI_RECIPIENT_STATE_DELIVERED);
  g_assert_cmpint (xi_job_recipient_get_state (recipients->pdata[1]), ==, XI_RECIPIENT_STATE_SENT);
  g_assert_cmpint (xi_job_recipient_get_state (recipients->pdata[2]), ==, XI_RECIPIENT_STATE_PENDING);
}

/* A transaction whose riders fail as a whole (a customer's message that
 * cannot be stored fails the outcomes riding with it) leaves nothing for
 * the next: neither the outcomes it counted nor the campaign's state as
 * it found it, which another process may change meanwhile. */
static void
test_failed_riders_leave_nothing (Fixture       *f,
                                  gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->dir, "store.db", NULL);
  g_autofree char *cancel = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(GPtrArray) rows = handed_out (f, 3, &job);
  g_autoptr(GPtrArray) outcomes = outcomes_sent (rows, 2);
  g_autoptr(GPtrArray) third = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_outcome_free);
  g_autoptr(GAsyncResult) outcomes_result = NULL;
  g_autoptr(GAsyncResult) incoming_result = NULL;
  GAsyncResult *outcomes_slot = NULL, *incoming_slot = NULL;
  g_autoptr(GError) outcomes_error = NULL;
  g_autoptr(GError) incoming_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiIncoming) incoming = NULL;
  XiOutcome *outcome = g_new0 (XiOutcome, 1);
  XiJobState state = XI_JOB_STATE_PENDING;
  gboolean duplicate = FALSE;
  gboolean ok = FALSE;
  sqlite3 *direct;

  _xi_store_set_test_setting (f->store, XI_STORE_TEST_FAIL_INCOMING, "1");
  xi_store_record_outcomes_async (f->store, xi_job_get_id (job), outcomes, NULL, xi_test_store_result_cb,
                                  &outcomes_slot);
  xi_store_record_incoming_async (f->store, "+6281234567899", NULL, "FAILED00001", "halo", NULL, NULL,
                                  xi_test_store_result_cb, &incoming_slot);
  outcomes_result = xi_test_wait_result (&outcomes_slot);
  g_assert_false (xi_store_record_outcomes_finish (f->store, outcomes_result, NULL, &outcomes_error));
  g_assert_nonnull (outcomes_error);
  incoming_result = xi_test_wait_result (&incoming_slot);
  incoming = xi_store_record_incoming_finish (f->store, incoming_result, &duplicate, &incoming_error);
  g_assert_error (incoming_error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);
  _xi_store_set_test_setting (f->store, XI_STORE_TEST_FAIL_INCOMING, NULL);

  cancel = g_strdup_printf ("UPDATE jobs SET state = 'cancelled' WHERE id = '%s'", xi_job_get_id (job));
  g_assert_cmpint (sqlite3_open (db, &direct), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (direct, cancel, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (direct);

  outcome->row_id = g_strdup (((XiOutgoing *)g_ptr_array_index (rows, 2))->row_id);
  outcome->state = XI_RECIPIENT_STATE_SENT;
  outcome->attempts = 1;
  g_ptr_array_add (third, outcome);
  WAIT (xi_store_record_outcomes_async (f->store, xi_job_get_id (job), third, NULL, xi_test_store_result_cb,
                                        &slot_),
        ok = xi_store_record_outcomes_finish (f->store, result_, &state, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpint (state, ==, XI_JOB_STATE_CANCELLED);
  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 1);
}

/* A receipt moves the row whose campaign it counts, and no other: were a
 * message id ever held by two rows, the second would be delivered without
 * its campaign counting it. */
static void
test_receipt_moves_counted_row (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->dir, "store.db", NULL);
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(GPtrArray) rows = handed_out (f, 2, &job);
  g_autoptr(GPtrArray) outcomes = outcomes_sent (rows, 2);
  g_autoptr(GPtrArray) receipts = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_receipt_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  g_auto(GStrv) changed = NULL;
  XiJobState state = XI_JOB_STATE_PENDING;
  gboolean ok = FALSE;
  XiReceipt *receipt;
  sqlite3 *direct;

  WAIT (xi_store_record_outcomes_async (f->store, xi_job_get_id (job), outcomes, NULL,
                                        xi_test_store_result_cb, &slot_),
        ok = xi_store_record_outcomes_finish (f->store, result_, &state, &error));
  g_assert_no_error (error);
  g_assert_true (ok);

  receipt = add_first_delivered (receipts, rows);
  sql = g_strdup_printf ("UPDATE job_recipients SET wa_message_id = '%s' WHERE id = '%s'", receipt->message_id,
                         ((XiOutgoing *)g_ptr_array_index (rows, 1))->row_id);
  g_assert_cmpint (sqlite3_open (db, &direct), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (direct, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (direct);

  WAIT (xi_store_record_receipts_async (f->store, receipts, NULL, xi_test_store_result_cb, &slot_),
        changed = xi_store_record_receipts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (changed), ==, 1);

  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_get_delivered (stored), ==, 1);
  g_assert_cmpint (xi_test_sqlite_int (db, "SELECT count (*) FROM job_recipients WHERE state = 'delivered'"), ==, 1);
}

/* A receipt carries the peer's word for when it was delivered: a time
 * no calendar holds dates it when it is recorded, and one it does is
 * kept as said. */
static void
test_receipt_time_out_of_range (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GPtrArray) rows = handed_out (f, 2, &job);
  g_autoptr(GPtrArray) outcomes = outcomes_sent (rows, 2);
  g_autoptr(GPtrArray) receipts = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_receipt_free);
  g_autoptr(GPtrArray) recipients = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) delivered = NULL;
  g_auto(GStrv) changed = NULL;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;
  gboolean ok = FALSE;

  WAIT (xi_store_record_outcomes_async (f->store, xi_job_get_id (job), outcomes, NULL,
                                        xi_test_store_result_cb, &slot_),
        ok = xi_store_record_outcomes_finish (f->store, result_, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ok);

  add_delivered (receipts, rows, 0)->timestamp = G_MAXINT64 / 2;
  add_delivered (receipts, rows, 1)->timestamp = 1796630400;
  WAIT (xi_store_record_receipts_async (f->store, receipts, NULL, xi_test_store_result_cb, &slot_),
        changed = xi_store_record_receipts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (changed), ==, 1);

  recipients = list_recipients (f, xi_job_get_id (job));
  delivered = g_date_time_new_from_iso8601 (xi_job_recipient_get_delivered_at (recipients->pdata[0]), NULL);
  g_assert_nonnull (delivered);
  g_assert_cmpint (g_date_time_to_unix (delivered), >=, before);
  g_assert_cmpint (g_date_time_to_unix (delivered), <=, g_get_real_time () / G_USEC_PER_SEC);
  g_assert_cmpstr (xi_job_recipient_get_delivered_at (recipients->pdata[1]), ==, "2026-12-07T08:00:00.000Z");
}

static void
incoming_cb (XiTransport *transport,
             const char  *phone,
             const char  *message_id,
             const char  *text,
             GPtrArray   *replies)
{
  g_ptr_array_add (replies, g_strdup_printf ("%s %s", phone, text));
}

static gboolean
has_replies (Fixture       *f,
             gconstpointer  data)
{
  const GPtrArray *replies = data;

  return replies->len == 2;
}

/* The rehearsal also plays the customers' side, for the inbox to come. */
static void
test_replies (Fixture       *f,
              gconstpointer  data)
{
  XiLoopbackOptions options = { .reply_every = 2, .reply_text = (char *)"STOP" };
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GPtrArray) replies = g_ptr_array_new_with_free_func (g_free);

  make_audience (f, 4, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);
  start_engine (f, &options);
  g_signal_connect (f->transport, "incoming", G_CALLBACK (incoming_cb), replies);
  run_until (f, has_replies, replies, 10);
  g_assert_cmpstr (replies->pdata[0], ==, "6281200000002 STOP");
  g_assert_cmpstr (replies->pdata[1], ==, "6281200000004 STOP");
}

static void
test_queue_order (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) first = NULL;
  g_autoptr(XiJob) urgent = NULL;
  g_autoptr(XiJob) later = NULL;
  g_autoptr(XiJob) held = NULL;
  g_autoptr(XiJob) started = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) first_rows = NULL;
  g_autoptr(GPtrArray) urgent_rows = NULL;

  make_audience (f, 3, FALSE);
  spec = zero_delay_spec (f);
  first = create_job (f, spec);
  spec->priority = 5;
  urgent = create_job (f, spec);
  spec->priority = 9;
  spec->scheduled_at = g_get_real_time () / G_USEC_PER_SEC + 3600;
  later = create_job (f, spec);
  spec->scheduled_at = 0;
  spec->start = FALSE;
  held = create_job (f, spec);
  g_assert_cmpint (xi_job_get_state (held), ==, XI_JOB_STATE_PAUSED);
  g_assert_false (xi_job_is_started (held));

  start_engine (f, NULL);
  run_until (f, is_idle, NULL, 30);

  /* Higher priority first, then age; the scheduled one and the one never
   * started wait. */
  g_assert_cmpint (seen_state (f, xi_job_get_id (urgent)), ==, XI_JOB_STATE_COMPLETED);
  g_assert_cmpint (seen_state (f, xi_job_get_id (first)), ==, XI_JOB_STATE_COMPLETED);
  g_assert_cmpint (seen_state (f, xi_job_get_id (later)), ==, XI_JOB_STATE_PENDING);
  g_assert_true (g_file_get_contents (f->journal, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  urgent_rows = list_recipients (f, xi_job_get_id (urgent));
  first_rows = list_recipients (f, xi_job_get_id (first));
  g_assert_true (g_str_has_prefix (lines[0], xi_job_recipient_get_message_id (urgent_rows->pdata[0])));
  g_assert_true (g_str_has_prefix (lines[3], xi_job_recipient_get_message_id (first_rows->pdata[0])));
  g_assert_cmpuint (g_strv_length (lines), ==, 7);

  /* "start" queues the held one. */
  f->idle = FALSE;
  started = command (f, xi_job_get_id (held), XI_JOB_COMMAND_START, &error);
  g_assert_no_error (error);
  run_until_state (f, xi_job_get_id (held), XI_JOB_STATE_COMPLETED);
}

static void
test_resume_after_crash (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) claimed = NULL;
  g_autoptr(XiJob) other = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) journal = NULL;
  gint64 next_wake = 0;
  guint n_lines;

  make_audience (f, 5, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);

  /* A previous process claimed the job, took its rows with their new
   * message ids and died before sending. */
  WAIT (xi_store_claim_next_job_async (f->store, NULL, NULL, xi_test_store_result_cb, &slot_),
        claimed = xi_store_claim_next_job_finish (f->store, result_, &next_wake, &error));
  g_assert_no_error (error);
  g_assert_cmpint (xi_job_get_state (claimed), ==, XI_JOB_STATE_PROCESSING);
  rows = next_outgoing (f, xi_job_get_id (job));

  /* A newer, higher priority campaign must not overtake the interrupted one. */
  spec->priority = 10;
  other = create_job (f, spec);

  start_engine (f, NULL);
  run_until (f, is_idle, NULL, 30);
  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpint (xi_job_get_state (stored), ==, XI_JOB_STATE_COMPLETED);
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 5);

  journal = read_journal (f, &n_lines);
  g_assert_cmpuint (n_lines, ==, 10);
  /* Sent under the ids the dead process chose. */
  for (guint i = 0; i < rows->len; i++)
    g_assert_true (g_hash_table_contains (journal, ((XiOutgoing *)rows->pdata[i])->message_id));
}

/* Attachments */

/* A real picture, so the preview is made from it. */
static char *
write_picture (Fixture *f)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 640, 480);
  char *path = g_build_filename (f->dir, "promo.jpg", NULL);
  g_autoptr(GError) error = NULL;

  gdk_pixbuf_fill (pixbuf, 0x2080c0ff);
  gdk_pixbuf_save (pixbuf, path, "jpeg", &error, "quality", "90", NULL);
  g_assert_no_error (error);
  return path;
}

static XiAsset *
add_asset (Fixture    *f,
           const char *path)
{
  g_autoptr(GError) error = NULL;
  XiAsset *asset = NULL;

  WAIT (xi_store_add_asset_async (f->store, path, NULL, xi_test_store_result_cb, &slot_),
        asset = xi_store_add_asset_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return asset;
}

static void
attach (Fixture *f,
        XiAsset *asset)
{
  g_autoptr(XiTemplate) saved = NULL;
  g_autoptr(GError) error = NULL;

  xi_template_set_asset_id (f->template_, asset != NULL ? xi_asset_get_id (asset) : NULL);
  WAIT (xi_store_save_template_async (f->store, f->template_, NULL, xi_test_store_result_cb, &slot_),
        saved = xi_store_save_template_finish (f->store, result_, &error));
  g_assert_no_error (error);
  xi_template_update_from (f->template_, saved);
}

/* A server where each of @n recipients has an account, and a campaign
 * of the template with a picture attached to them all; @picture, when
 * given, gets the asset. */
static XiJob *
picture_campaign (Fixture       *f,
                  FakewaServer **server,
                  guint          n,
                  XiAsset      **picture_out)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiAsset) picture = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  *server = fakewa_server_new (&error);
  g_assert_no_error (error);
  make_audience (f, n, FALSE);
  for (guint i = 1; i <= n; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812%08u", i);

      fakewa_server_add_account (*server, phone);
    }
  path = write_picture (f);
  picture = add_asset (f, path);
  attach (f, picture);
  spec = zero_delay_spec (f);
  if (picture_out != NULL)
    *picture_out = g_object_ref (picture);
  return create_job (f, spec);
}

/* A campaign of 200 with a picture is one upload that every message
 * refers to. The media host refuses the first two tries (wa-media redoes
 * the first with a fresh media host, the cache the second), and nobody
 * notices: every recipient is sent on the first attempt. */
static void
test_whatsapp_picture_uploaded_once (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(FakewaServer) server = NULL;
  g_autoptr(WaKeyStore) keys = wa_memory_key_store_new ();
  g_autoptr(WaClient) client = NULL;
  g_autoptr(XiTransport) transport = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  job = picture_campaign (f, &server, 200, NULL);
  client = linked_client (server, keys);
  g_assert_cmpstr (xi_job_get_asset_name (job), ==, "promo.jpg");
  transport = xi_whatsapp_transport_new (client);
  fakewa_server_refuse_uploads (server, 2);
  start_engine_on (f, transport);
  run_until_state (f, xi_job_get_id (job), XI_JOB_STATE_COMPLETED);

  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 200);
  g_assert_cmpuint (fakewa_server_get_n_uploads (server), ==, 1);
  rows = list_recipients (f, xi_job_get_id (job));
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpuint (xi_job_recipient_get_attempts (g_ptr_array_index (rows, i)), ==, 1);
  stop_engine (f);
}

typedef struct
{
  guint         relayed;       /* messages handed to their recipients */
  guint         expire_after;
  guint         expire_again_after;  /* 0: once only */
  GHashTable   *refused;         /* user: refused for the expired upload */
  GHashTable   *relayed_after;   /* user: handed a copy after the expiry */
} Expiry;

static char *
user_of (const char *jid)
{
  return g_strndup (jid, strcspn (jid, ":@"));
}

static void
expiry_relayed_cb (FakewaServer *server,
                   const char   *sender,
                   const char   *target,
                   const char   *enc_type,
                   Expiry       *expiry)
{
  g_autofree char *from = user_of (sender);
  g_autofree char *to = user_of (target);

  /* The sender's own phone gets a copy of each message too. */
  if (g_str_equal (from, to))
    return;
  if (expiry->relayed >= expiry->expire_after)
    g_hash_table_add (expiry->relayed_after, g_steal_pointer (&to));
  ++expiry->relayed;
  if (expiry->relayed == expiry->expire_after || expiry->relayed == expiry->expire_again_after)
    fakewa_server_expire_uploads (server);
}

static void
expiry_refused_cb (FakewaServer *server,
                   const char   *sender,
                   const char   *recipient,
                   const char   *code,
                   Expiry       *expiry)
{
  g_assert_cmpstr (code, ==, FAKEWA_UPLOAD_EXPIRED);
  g_hash_table_add (expiry->refused, user_of (recipient));
}

/* Forty recipients with a picture whose upload the server expires after
 * @expire_after relayed copies, and again after @expire_again_after. */
static XiJob *
run_expiring_campaign (Fixture  *f,
                       Expiry   *expiry,
                       guint    *n_uploads)
{
  g_autoptr(FakewaServer) server = NULL;
  g_autoptr(WaKeyStore) keys = wa_memory_key_store_new ();
  g_autoptr(WaClient) client = NULL;
  g_autoptr(XiTransport) transport = NULL;
  g_autoptr(XiJob) job = NULL;

  job = picture_campaign (f, &server, 40, NULL);
  client = linked_client (server, keys);
  g_signal_connect (server, "relayed", G_CALLBACK (expiry_relayed_cb), expiry);
  g_signal_connect (server, "refused", G_CALLBACK (expiry_refused_cb), expiry);
  transport = xi_whatsapp_transport_new (client);
  start_engine_on (f, transport);
  run_until (f, is_idle, NULL, 60);
  stop_engine (f);
  g_signal_handlers_disconnect_by_data (server, expiry);
  *n_uploads = fakewa_server_get_n_uploads (server);
  return get_job (f, xi_job_get_id (job));
}

/* The upload expires after ten of forty messages: the server refuses the
 * next media message, the picture is uploaded again once, and the
 * refused message goes out again referring to the new upload, within the
 * same attempt. */
static void
test_whatsapp_upload_expires (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GHashTable) refused = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) relayed_after = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Expiry expiry = { .expire_after = 10, .refused = refused, .relayed_after = relayed_after };
  GHashTableIter iter;
  const char *user;
  guint n_uploads;

  stored = run_expiring_campaign (f, &expiry, &n_uploads);
  g_assert_cmpint (xi_job_get_state (stored), ==, XI_JOB_STATE_COMPLETED);
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 40);
  g_assert_cmpuint (n_uploads, ==, 2);
  g_assert_cmpuint (g_hash_table_size (refused), >, 0);
  g_hash_table_iter_init (&iter, refused);
  while (g_hash_table_iter_next (&iter, (gpointer *) &user, NULL))
    g_assert_true (g_hash_table_contains (relayed_after, user));
  rows = list_recipients (f, xi_job_get_id (stored));
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpuint (xi_job_recipient_get_attempts (g_ptr_array_index (rows, i)), ==, 1);
}

/* A server that goes on refusing the new upload's messages costs no
 * more uploads: the messages fail, and the campaign stops as it does when
 * messages keep failing. */
static void
test_whatsapp_upload_refused_again (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(GHashTable) refused = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) relayed_after = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Expiry expiry = { .expire_after = 10, .expire_again_after = 12, .refused = refused,
                    .relayed_after = relayed_after };
  guint n_uploads;

  stored = run_expiring_campaign (f, &expiry, &n_uploads);
  g_assert_cmpuint (n_uploads, ==, 2);
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 12);
  g_assert_cmpint (xi_job_get_state (stored), ==, XI_JOB_STATE_FAILED);
}

static void
empty_file_cb (FakewaServer *server,
               const char   *path)
{
  g_assert_cmpint (truncate (path, 0), ==, 0);
}

/* The picture is emptied while it uploads (the user saved over it, a
 * sync client rewrote it) and the media host refuses the first try: the
 * second sends what was read, as the campaign promised, and nothing
 * touches the file again. A mapped file killed the app with SIGBUS at
 * the second try's first page. */
static void
test_whatsapp_picture_emptied_while_uploading (Fixture       *f,
                                               gconstpointer  data)
{
  g_autoptr(FakewaServer) server = NULL;
  g_autoptr(WaKeyStore) keys = wa_memory_key_store_new ();
  g_autoptr(WaClient) client = NULL;
  g_autoptr(XiTransport) transport = NULL;
  g_autoptr(XiAsset) picture = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) stored = NULL;

  job = picture_campaign (f, &server, 3, &picture);
  client = linked_client (server, keys);
  transport = xi_whatsapp_transport_new (client);
  fakewa_server_refuse_uploads (server, 1);
  g_signal_connect (server, "upload-refused", G_CALLBACK (empty_file_cb), (gpointer) xi_asset_get_path (picture));
  start_engine_on (f, transport);
  run_until_state (f, xi_job_get_id (job), XI_JOB_STATE_COMPLETED);
  stop_engine (f);
  g_signal_handlers_disconnect_by_func (server, empty_file_cb, (gpointer) xi_asset_get_path (picture));

  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 3);
  g_assert_cmpuint (fakewa_server_get_n_uploads (server), ==, 1);
}

/* The picture changed on disk after the campaign was made: cut short,
 * replaced by a FIFO that nothing writes to (its read would wait for
 * ever), or by a symbolic link, which the app never makes there and
 * which is not followed even to the right bytes: it could as well lead to
 * a device that never ends, or that does something when opened. Nobody
 * is failed for it, nothing is uploaded. The campaign pauses, saying
 * which file to add again; once it is back, resuming sends everyone. */
static void
test_whatsapp_picture_changed_pauses (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(FakewaServer) server = NULL;
  g_autoptr(WaKeyStore) keys = wa_memory_key_store_new ();
  g_autoptr(WaClient) client = NULL;
  g_autoptr(XiTransport) transport = NULL;
  g_autoptr(XiAsset) picture = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) paused = NULL;
  g_autoptr(XiJob) resumed = NULL;
  g_autoptr(XiJob) done = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *original = NULL;
  g_autofree char *elsewhere = g_build_filename (f->dir, "elsewhere.jpg", NULL);
  gsize length;

  job = picture_campaign (f, &server, 3, &picture);
  g_assert_true (g_file_get_contents (xi_asset_get_path (picture), &original, &length, NULL));
  if (g_strcmp0 (data, "fifo") == 0 || g_strcmp0 (data, "symlink") == 0)
    g_assert_cmpint (g_rename (xi_asset_get_path (picture), elsewhere), ==, 0);
  if (g_strcmp0 (data, "fifo") == 0)
    g_assert_cmpint (mkfifo (xi_asset_get_path (picture), 0600), ==, 0);
  else if (g_strcmp0 (data, "symlink") == 0)
    g_assert_cmpint (symlink (elsewhere, xi_asset_get_path (picture)), ==, 0);
  else
    g_assert_cmpint (truncate (xi_asset_get_path (picture), length / 2), ==, 0);
  client = linked_client (server, keys);
  transport = xi_whatsapp_transport_new (client);
  start_engine_on (f, transport);
  run_until_state (f, xi_job_get_id (job), XI_JOB_STATE_PAUSED);

  paused = get_job (f, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_get_sent (paused), ==, 0);
  g_assert_cmpuint (xi_job_get_failed (paused), ==, 0);
  g_assert_nonnull (strstr (xi_job_get_last_error (paused), "“promo.jpg”"));
  g_assert_nonnull (strstr (xi_job_get_last_error (paused), "changed"));
  g_assert_cmpuint (fakewa_server_get_n_uploads (server), ==, 0);
  rows = list_recipients (f, xi_job_get_id (job));
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpuint (xi_job_recipient_get_attempts (g_ptr_array_index (rows, i)), ==, 0);

  g_assert_cmpint (g_unlink (xi_asset_get_path (picture)), ==, 0);
  g_assert_true (g_file_set_contents (xi_asset_get_path (picture), original, length, NULL));
  resumed = command (f, xi_job_get_id (job), XI_JOB_COMMAND_RESUME, &error);
  g_assert_no_error (error);
  run_until_state (f, xi_job_get_id (job), XI_JOB_STATE_COMPLETED);
  stop_engine (f);
  done = get_job (f, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_get_sent (done), ==, 3);
  g_assert_cmpuint (fakewa_server_get_n_uploads (server), ==, 1);
}

/* Previews of pictures a stranger may have crafted, forwarded as
 * attachments */

/* The upload of @path as an attachment, its preview given @limit_ms (0:
 * the cache's own limit); @took_us gets how long it took. */
static XiSentMedia *
upload_picture (Fixture    *f,
                const char *path,
                guint       limit_ms,
                gint64     *took_us)
{
  g_autoptr(FakewaServer) server = NULL;
  g_autoptr(WaKeyStore) keys = wa_memory_key_store_new ();
  g_autoptr(WaClient) client = NULL;
  g_autoptr(XiMediaCache) cache = NULL;
  g_autoptr(XiAsset) asset = add_asset (f, path);
  g_autoptr(GError) error = NULL;
  XiSentMedia *media = NULL;
  gint64 started;

  server = fakewa_server_new (&error);
  g_assert_no_error (error);
  client = linked_client (server, keys);
  cache = xi_media_cache_new (client);
  if (limit_ms > 0)
    xi_media_cache_set_preview_time_limit (cache, limit_ms);
  started = g_get_monotonic_time ();
  WAIT (xi_media_cache_get_async (cache, asset, NULL, xi_test_store_result_cb, &slot_),
        media = xi_media_cache_get_finish (cache, result_, &error));
  *took_us = g_get_monotonic_time () - started;
  g_assert_no_error (error);
  g_assert_nonnull (media);
  wa_client_stop (client);
  return media;
}

static void
put_u32_be (guint8  *at,
            guint32  value)
{
  at[0] = value >> 24;
  at[1] = value >> 16;
  at[2] = value >> 8;
  at[3] = value;
}

static void
append_png_chunk (GByteArray   *png,
                  const char   *type,
                  const guint8 *data,
                  gsize         length)
{
  guint8 word[4];
  guint32 crc = 0xffffffff;
  gsize start;

  put_u32_be (word, (guint32) length);
  g_byte_array_append (png, word, 4);
  start = png->len;
  g_byte_array_append (png, (const guint8 *) type, 4);
  g_byte_array_append (png, data, (guint) length);
  for (gsize i = start; i < png->len; i++)
    {
      crc ^= png->data[i];
      for (int bit = 0; bit < 8; bit++)
        crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
    }
  put_u32_be (word, crc ^ 0xffffffff);
  g_byte_array_append (png, word, 4);
}

/* A black PNG of @side × @side at one bit a pixel, its rows compressed
 * as they are made: a few kilobytes that claim @side² pixels, of which
 * the first @rows are there. */
static char *
write_black_png (Fixture *f,
                 guint32  side,
                 guint32  rows)
{
  g_autoptr(GByteArray) png = g_byte_array_new ();
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 9);
  g_autoptr(GByteArray) idat = g_byte_array_new ();
  g_autofree guint8 *row = g_malloc0 (1 + (side + 7) / 8);
  guint8 header[13] = { 0 };
  guint8 out[65536];
  char *path = g_build_filename (f->dir, "black.png", NULL);
  g_autoptr(GError) error = NULL;

  for (guint32 y = 0; y <= rows; y++)
    {
      const guint8 *in = row;
      gsize left = y < rows ? 1 + (side + 7) / 8 : 0;
      GConverterResult converted;

      do
        {
          gsize read = 0, written = 0;

          converted = g_converter_convert (G_CONVERTER (compressor), in, left, out, sizeof out,
                                           y < rows ? G_CONVERTER_NO_FLAGS : G_CONVERTER_INPUT_AT_END,
                                           &read, &written, &error);
          g_assert_no_error (error);
          g_byte_array_append (idat, out, (guint) written);
          in += read;
          left -= read;
        }
      while (left > 0 || (y == rows && converted != G_CONVERTER_FINISHED));
    }

  g_byte_array_append (png, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  put_u32_be (header, side);
  put_u32_be (header + 4, side);
  header[8] = 1;  /* bits a pixel, grey */
  append_png_chunk (png, "IHDR", header, sizeof header);
  append_png_chunk (png, "IDAT", idat->data, idat->len);
  append_png_chunk (png, "IEND", NULL, 0);
  g_assert_true (g_file_set_contents (path, (const char *) png->data, png->len, NULL));
  return path;
}

static glong
peak_rss_kb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

/* A picture that claims more pixels than a preview may decode is sent
 * without one, and its pixels are never allocated: 12,000 × 12,000 was
 * 432 MB of RGB in the app; 100,000 × 100,000, 30 GB it could not have. */
static void
test_preview_refuses_absurd_sizes (Fixture       *f,
                                   gconstpointer  data)
{
  const guint32 sides[] = { 12000, 100000 };

  for (guint i = 0; i < G_N_ELEMENTS (sides); i++)
    {
      g_autofree char *path = write_black_png (f, sides[i], i == 0 ? sides[i] : 16);
      glong rss_before = peak_rss_kb ();
      g_autoptr(XiSentMedia) media = NULL;
      gint64 took;

      media = upload_picture (f, path, 0, &took);
      g_assert_null (media->jpeg_thumbnail);
      g_assert_cmpuint (media->width, ==, 0);
      g_assert_cmpint (peak_rss_kb () - rss_before, <, 64 * 1024);
      g_assert_cmpint (g_unlink (path), ==, 0);
    }
}

/* A JPEG of @width × @height in one colour, which compresses to little. */
static char *
write_plain_jpeg (Fixture *f,
                  int      width,
                  int      height)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  char *path = g_build_filename (f->dir, "phone.jpg", NULL);

  gdk_pixbuf_fill (pixbuf, 0x336699ff);
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "jpeg", NULL, "quality", "80", NULL));
  return path;
}

/* Ordinary large pictures keep their preview: a 50 MP phone photo
 * (8160 × 6120), decoded at an eighth of each side, and a 4096 × 4096
 * PNG, whose 16.8 M pixels fit the 64 MB a whole decoding may take. */
static void
test_preview_of_large_photos (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *photo = write_plain_jpeg (f, 8160, 6120);
  g_autofree char *png = write_black_png (f, 4096, 4096);
  g_autoptr(XiSentMedia) from_phone = NULL;
  g_autoptr(XiSentMedia) square = NULL;
  gint64 took;

  from_phone = upload_picture (f, photo, 0, &took);
  g_assert_nonnull (from_phone->jpeg_thumbnail);
  g_assert_cmpuint (from_phone->width, ==, 8160);
  g_assert_cmpuint (from_phone->height, ==, 6120);
  g_test_message ("a 50 MP photo's preview: the upload took %" G_GINT64_FORMAT " ms", took / 1000);

  square = upload_picture (f, png, 0, &took);
  g_assert_nonnull (square->jpeg_thumbnail);
  g_assert_cmpuint (square->width, ==, 4096);
  g_assert_cmpuint (square->height, ==, 4096);
}

/* A JPEG whose header leaves its decoding in doubt never reaches the
 * decoder that would never return from it; a preview that takes longer
 * than it may is given up at the limit. Both pictures go without one. */
static void
test_preview_bounded_in_time (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *arithmetic = g_build_filename (f->dir, "arithmetic.jpg", NULL);
  g_autofree char *noise = g_build_filename (f->dir, "noise.png", NULL);
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 1600, 1600);
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  g_autoptr(XiSentMedia) doubtful = NULL;
  g_autoptr(XiSentMedia) slow = NULL;
  g_autoptr(XiSentMedia) in_time = NULL;
  g_autofree guint8 *jpeg = NULL;
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  gsize length = 0;
  gint64 took;

  jpeg = g_base64_decode (XI_TEST_ARITHMETIC_JPEG, &length);
  g_assert_true (g_file_set_contents (arithmetic, (const char *) jpeg, length, NULL));
  doubtful = upload_picture (f, arithmetic, 0, &took);
  g_assert_null (doubtful->jpeg_thumbnail);

  for (gsize i = 0; i < (gsize) gdk_pixbuf_get_rowstride (pixbuf) * 1600; i++)
    pixels[i] = g_rand_int (rand) & 0xff;
  g_assert_true (gdk_pixbuf_save (pixbuf, noise, "png", NULL, "compression", "0", NULL));
  slow = upload_picture (f, noise, 1, &took);
  g_assert_null (slow->jpeg_thumbnail);
  g_test_message ("a preview given 1 ms: the upload took %" G_GINT64_FORMAT " ms", took / 1000);

  /* The same picture has its preview in the usual time. */
  in_time = upload_picture (f, noise, 0, &took);
  g_assert_nonnull (in_time->jpeg_thumbnail);
  g_assert_cmpuint (in_time->width, ==, 1600);
}

/* The worker that reads an attachment may be the last to let go of its
 * work: the cache must not go with it, or its client would be disposed
 * off its thread (which aborts). A file gone since fails at once, the
 * narrowest race; once its caller lets go, the cache is no more. */
static void
test_cache_finalized_on_its_thread (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(FakewaServer) server = NULL;
  g_autoptr(WaKeyStore) keys = wa_memory_key_store_new ();
  g_autoptr(WaClient) client = NULL;
  g_autofree char *path = g_build_filename (f->dir, "gone.pdf", NULL);
  g_autoptr(XiAsset) asset = NULL;
  g_autoptr(GError) error = NULL;

  server = fakewa_server_new (&error);
  g_assert_no_error (error);
  client = linked_client (server, keys);
  g_assert_true (g_file_set_contents (path, "%PDF-1.4\n", -1, NULL));
  asset = add_asset (f, path);
  g_assert_cmpint (g_unlink (xi_asset_get_path (asset)), ==, 0);

  for (guint i = 0; i < 1000; i++)
    {
      XiMediaCache *cache = xi_media_cache_new (client);
      XiSentMedia *media = NULL;

      WAIT (xi_media_cache_get_async (cache, asset, NULL, xi_test_store_result_cb, &slot_),
            media = xi_media_cache_get_finish (cache, result_, &error));
      g_assert_null (media);
      g_assert_nonnull (error);
      g_clear_error (&error);
      g_object_add_weak_pointer (G_OBJECT (cache), (gpointer *) &cache);
      g_object_unref (cache);
      g_assert_null (cache);
    }
  wa_client_stop (client);
}

/* The campaign sends the attachment it was made with: the template may
 * change since, the rehearsal journal names the same bytes on every
 * line, and those bytes cannot be deleted until the campaign is over. */
static void
test_attachment_journaled (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiAsset) pdf = NULL;
  g_autoptr(XiAsset) picture = NULL;
  g_autofree char *pdf_path = g_build_filename (f->dir, "daftar-harga.pdf", NULL);
  g_autofree char *picture_path = NULL;
  g_autoptr(XiJobPlan) plan = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  gboolean deleted = FALSE;
  guint n = 0;

  g_assert_true (g_file_set_contents (pdf_path, "%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n", -1, NULL));
  make_audience (f, 5, FALSE);
  pdf = add_asset (f, pdf_path);
  attach (f, pdf);
  spec = zero_delay_spec (f);
  WAIT (xi_store_plan_job_async (f->store, spec, 1, NULL, xi_test_store_result_cb, &slot_),
        plan = xi_store_plan_job_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (xi_asset_get_sha256 (plan->attachment), ==, xi_asset_get_sha256 (pdf));
  job = create_job (f, spec);

  picture_path = write_picture (f);
  picture = add_asset (f, picture_path);
  attach (f, picture);
  WAIT (xi_store_delete_asset_async (f->store, xi_asset_get_id (pdf), NULL, xi_test_store_result_cb, &slot_),
        deleted = xi_store_delete_asset_finish (f->store, result_, &error));
  g_assert_false (deleted);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_STATE);
  g_assert_nonnull (strstr (error->message, "which has not finished"));
  g_clear_error (&error);

  start_engine (f, NULL);
  run_until_state (f, xi_job_get_id (job), XI_JOB_STATE_COMPLETED);

  g_assert_true (g_file_get_contents (f->journal, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;

      if (lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], "\t", -1);
      g_assert_cmpuint (g_strv_length (fields), ==, 4);
      g_assert_cmpstr (fields[3], ==, xi_asset_get_sha256 (pdf));
      n++;
    }
  g_assert_cmpuint (n, ==, 5);

  WAIT (xi_store_delete_asset_async (f->store, xi_asset_get_id (pdf), NULL, xi_test_store_result_cb, &slot_),
        deleted = xi_store_delete_asset_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (deleted);
  g_assert_false (g_file_test (xi_asset_get_path (pdf), G_FILE_TEST_EXISTS));
}

static gboolean
is_resting (Fixture       *f,
            gconstpointer  data)
{
  return f->progress != NULL && f->progress->resting && f->progress->next_send_at > 0;
}

static XiJob *
store_command (Fixture      *f,
               const char   *id,
               XiJobCommand  cmd)
{
  g_autoptr(GError) error = NULL;
  XiJob *job = NULL;

  /* Straight to the store, as another process (xender-in-cli) would. */
  WAIT (xi_store_command_job_async (f->store, id, cmd, NULL, xi_test_store_result_cb, &slot_),
        job = xi_store_command_job_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return job;
}

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

/* A pause made elsewhere while the connection is down holds when it
 * comes back: the engine's own state changes never override the user's. */
static void
test_pause_elsewhere_while_offline (Fixture       *f,
                                   gconstpointer  data)
{
  XiLoopbackOptions options = { .drop_after = 1, .reconnect_ms = 200 };
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) paused = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(GHashTable) journal = NULL;
  guint n_lines;

  make_audience (f, 3, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);
  start_engine (f, &options);
  run_until_state (f, xi_job_get_id (job), XI_JOB_STATE_RETRYING);

  paused = store_command (f, xi_job_get_id (job), XI_JOB_COMMAND_PAUSE);
  spin (800);
  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpint (xi_job_get_state (stored), ==, XI_JOB_STATE_PAUSED);
  journal = read_journal (f, &n_lines);
  g_assert_cmpuint (n_lines, ==, 1);
}

/* A cancel made elsewhere while a message is on the wire: that message
 * did reach the person, so the report and the quota count it, and
 * nothing more goes out. */
static void
test_cancel_elsewhere_during_send (Fixture       *f,
                                   gconstpointer  data)
{
  XiLoopbackOptions options = { .ack_delay_ms = 300 };
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) cancelled = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(XiQuota) quota = NULL;
  g_autoptr(GHashTable) journal = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  guint n_lines;

  make_audience (f, 3, FALSE);
  spec = zero_delay_spec (f);
  spec->delay_min_ms = spec->delay_max_ms = 1000;
  job = create_job (f, spec);
  start_engine (f, &options);
  run_until (f, journal_has, GUINT_TO_POINTER (1), 10);

  cancelled = store_command (f, xi_job_get_id (job), XI_JOB_COMMAND_CANCEL);
  g_assert_cmpuint (xi_job_get_skipped (cancelled), ==, 3);
  spin (1800);

  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpint (xi_job_get_state (stored), ==, XI_JOB_STATE_CANCELLED);
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 1);
  g_assert_cmpuint (xi_job_get_skipped (stored), ==, 2);
  rows = list_recipients (f, xi_job_get_id (job));
  g_assert_cmpint (xi_job_recipient_get_state (rows->pdata[0]), ==, XI_RECIPIENT_STATE_SENT);
  journal = read_journal (f, &n_lines);
  g_assert_cmpuint (n_lines, ==, 1);
  quota = get_quota (f);
  g_assert_cmpuint (quota->used, ==, 1);
  g_assert_cmpuint (quota->reserved, ==, 0);
}

static void
test_batch_rest_and_daily_cap (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) paused = NULL;
  g_autoptr(GHashTable) journal = NULL;
  g_autoptr(GError) error = NULL;
  guint n_lines;

  make_audience (f, 6, FALSE);
  spec = zero_delay_spec (f);
  spec->batch_size = 2;
  spec->batch_rest_ms = 30 * 60 * 1000;
  job = create_job (f, spec);
  start_engine (f, NULL);

  run_until (f, is_resting, NULL, 10);
  g_assert_cmpuint (f->progress->sent, ==, 2);
  g_assert_cmpint (f->progress->next_send_at - g_get_real_time () / 1000, >, 29 * 60 * 1000);
  /* The estimate counts the rests still ahead: two more of 30 minutes. */
  g_assert_cmpint (f->progress->finish_estimate - g_get_real_time () / G_USEC_PER_SEC, >=, 59 * 60);
  journal = read_journal (f, &n_lines);
  g_assert_cmpuint (n_lines, ==, 2);

  paused = command (f, xi_job_get_id (job), XI_JOB_COMMAND_PAUSE, &error);
  g_assert_no_error (error);
  stop_engine (f);

  /* A daily cap of 3 in a fresh campaign: three go today, the rest wait
   * for tomorrow. */
  g_clear_object (&job);
  g_clear_pointer (&spec, xi_job_spec_free);
  spec = zero_delay_spec (f);
  spec->daily_cap = 3;
  job = create_job (f, spec);
  start_engine (f, NULL);
  run_until (f, is_resting, NULL, 10);
  g_assert_cmpuint (f->progress->sent, ==, 3);
  g_clear_pointer (&journal, g_hash_table_unref);
  journal = read_journal (f, &n_lines);
  g_assert_cmpuint (n_lines, ==, 5);
}

/* A transport that keeps every message until the test answers it, in any
 * order and with any outcome: what the loop has on its way at once. */
#define TEST_TYPE_HELD_TRANSPORT (test_held_transport_get_type ())
G_DECLARE_FINAL_TYPE (TestHeldTransport, test_held_transport, TEST, HELD_TRANSPORT, GObject)

typedef struct
{
  GTask *task;
  char  *phone;
  char  *message_id;
} Held;

struct _TestHeldTransport
{
  GObject           parent_instance;

  XiTransportState  state;
  GPtrArray        *held;     /* Held*, in the order sent */
  GPtrArray        *sent_ids; /* message ids, in the order handed over */
  guint             most_held;
};

enum { HELD_PROP_0, HELD_PROP_STATE };

static void test_held_transport_iface_init (XiTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestHeldTransport, test_held_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (XI_TYPE_TRANSPORT, test_held_transport_iface_init))

static void
held_free (Held *held)
{
  g_object_unref (held->task);
  g_free (held->phone);
  g_free (held->message_id);
  g_free (held);
}

static XiTransportState
held_get_state (XiTransport *transport)
{
  return TEST_HELD_TRANSPORT (transport)->state;
}

static void
held_set_state (TestHeldTransport *self,
                XiTransportState   state)
{
  self->state = state;
  g_object_notify (G_OBJECT (self), "state");
}

static void
held_connect (XiTransport *transport)
{
  held_set_state (TEST_HELD_TRANSPORT (transport), XI_TRANSPORT_STATE_CONNECTED);
}

static void
held_disconnect (XiTransport *transport)
{
  held_set_state (TEST_HELD_TRANSPORT (transport), XI_TRANSPORT_STATE_DISCONNECTED);
}

static void
held_send_text_async (XiTransport         *transport,
                      const char          *phone,
                      const char          *message_id,
                      const char          *text,
                      XiAsset             *attachment,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  TestHeldTransport *self = TEST_HELD_TRANSPORT (transport);
  Held *held = g_new0 (Held, 1);

  held->task = g_task_new (self, cancellable, callback, user_data);
  held->phone = g_strdup (phone);
  held->message_id = g_strdup (message_id);
  g_ptr_array_add (self->held, held);
  g_ptr_array_add (self->sent_ids, g_strdup (message_id));
  self->most_held = MAX (self->most_held, self->held->len);
}

static gboolean
held_send_text_finish (XiTransport   *transport,
                       GAsyncResult  *result,
                       GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
test_held_transport_iface_init (XiTransportInterface *iface)
{
  iface->get_state = held_get_state;
  iface->connect = held_connect;
  iface->disconnect = held_disconnect;
  iface->send_text_async = held_send_text_async;
  iface->send_text_finish = held_send_text_finish;
}

static void
test_held_transport_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  g_value_set_int (value, TEST_HELD_TRANSPORT (object)->state);
}

static void
test_held_transport_finalize (GObject *object)
{
  TestHeldTransport *self = TEST_HELD_TRANSPORT (object);

  g_ptr_array_unref (self->held);
  g_ptr_array_unref (self->sent_ids);
  G_OBJECT_CLASS (test_held_transport_parent_class)->finalize (object);
}

static void
test_held_transport_class_init (TestHeldTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_held_transport_get_property;
  object_class->finalize = test_held_transport_finalize;
  g_object_class_override_property (object_class, HELD_PROP_STATE, "state");
}

static void
test_held_transport_init (TestHeldTransport *self)
{
  self->state = XI_TRANSPORT_STATE_CONNECTED;
  self->held = g_ptr_array_new_with_free_func ((GDestroyNotify) held_free);
  self->sent_ids = g_ptr_array_new_with_free_func (g_free);
}

/* Answers the @index-th message still held: sent when @code is -1,
 * else failed with that XiTransportError. */
static void
held_answer (TestHeldTransport *self,
             guint              index,
             gint               code)
{
  Held *held = g_ptr_array_steal_index (self->held, index);

  if (code < 0)
    g_task_return_boolean (held->task, TRUE);
  else
    g_task_return_new_error (held->task, XI_TRANSPORT_ERROR, code, "Held back (%d)", code);
  held_free (held);
}

static gboolean
holds_n (Fixture       *f,
         gconstpointer  data)
{
  gconstpointer const *args = data;

  return ((TestHeldTransport *) args[0])->held->len >= GPOINTER_TO_UINT (args[1]);
}

/* Spins until @transport holds @n messages, then a moment more, in which
 * nothing more may be sent. */
static void
run_until_held (Fixture           *f,
                TestHeldTransport *transport,
                guint              n)
{
  gconstpointer args[2] = { transport, GUINT_TO_POINTER (n) };

  run_until (f, holds_n, args, 10);
  spin (50);
  g_assert_cmpuint (transport->held->len, ==, n);
}

static gboolean
job_done (Fixture       *f,
          gconstpointer  data)
{
  XiJobState state = seen_state (f, data);

  return state == XI_JOB_STATE_COMPLETED || state == XI_JOB_STATE_FAILED;
}

/* Answers whatever is held, newest first, until the campaign ends. */
static void
answer_newest_first (Fixture           *f,
                     TestHeldTransport *transport,
                     const char        *id)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!job_done (f, id))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (transport->held->len > 0)
        held_answer (transport, transport->held->len - 1, -1);
      g_main_context_iteration (NULL, transport->held->len == 0);
    }
}

/* Each row sent once, under its own id, with @attempts tries. */
static void
assert_all_sent_once (Fixture           *f,
                      TestHeldTransport *transport,
                      const char        *id)
{
  g_autoptr(GPtrArray) rows = list_recipients (f, id);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < transport->sent_ids->len; i++)
    g_hash_table_add (ids, transport->sent_ids->pdata[i]);
  for (guint i = 0; i < rows->len; i++)
    {
      XiJobRecipient *row = rows->pdata[i];

      g_assert_cmpint (xi_job_recipient_get_state (row), ==, XI_RECIPIENT_STATE_SENT);
      g_assert_true (g_hash_table_contains (ids, xi_job_recipient_get_message_id (row)));
    }
}

/* Without delays, up to XI_JOB_PROCESSOR_MAX_IN_FLIGHT messages are on
 * their way at once, and acks out of order land each on its own
 * recipient; with any delay, one at a time, as ever. */
static void
test_in_flight_limit (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(TestHeldTransport) transport = g_object_new (TEST_TYPE_HELD_TRANSPORT, NULL);
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) stored = NULL;

  make_audience (f, 30, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);
  start_engine_on (f, XI_TRANSPORT (transport));
  run_until_held (f, transport, XI_JOB_PROCESSOR_MAX_IN_FLIGHT);
  answer_newest_first (f, transport, xi_job_get_id (job));

  g_assert_cmpint (seen_state (f, xi_job_get_id (job)), ==, XI_JOB_STATE_COMPLETED);
  g_assert_cmpuint (transport->most_held, ==, XI_JOB_PROCESSOR_MAX_IN_FLIGHT);
  g_assert_cmpuint (transport->sent_ids->len, ==, 30);
  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 30);
  assert_all_sent_once (f, transport, xi_job_get_id (job));
  stop_engine (f);

  /* A millisecond between messages: one at a time. */
  g_clear_object (&transport);
  g_clear_object (&job);
  g_clear_pointer (&spec, xi_job_spec_free);
  transport = g_object_new (TEST_TYPE_HELD_TRANSPORT, NULL);
  spec = zero_delay_spec (f);
  spec->delay_min_ms = spec->delay_max_ms = 1;
  job = create_job (f, spec);
  start_engine_on (f, XI_TRANSPORT (transport));
  run_until_held (f, transport, 1);
  answer_newest_first (f, transport, xi_job_get_id (job));
  g_assert_cmpuint (transport->most_held, ==, 1);
  g_assert_cmpuint (transport->sent_ids->len, ==, 30);
}

/* What is in flight never passes a rest or the daily cap: with batches
 * of 5, five go at once and the sixth after the rest; with a cap of 3,
 * three go today, whatever failed meanwhile. */
static void
test_in_flight_within_limits (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(TestHeldTransport) transport = g_object_new (TEST_TYPE_HELD_TRANSPORT, NULL);
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) paused = NULL;
  g_autoptr(GError) error = NULL;

  make_audience (f, 12, FALSE);
  spec = zero_delay_spec (f);
  spec->batch_size = 5;
  spec->batch_rest_ms = 30 * 60 * 1000;
  job = create_job (f, spec);
  start_engine_on (f, XI_TRANSPORT (transport));
  run_until_held (f, transport, 5);
  while (transport->held->len > 0)
    held_answer (transport, 0, -1);
  run_until (f, is_resting, NULL, 10);
  spin (50);
  g_assert_cmpuint (f->progress->sent, ==, 5);
  g_assert_cmpuint (transport->sent_ids->len, ==, 5);
  paused = command (f, xi_job_get_id (job), XI_JOB_COMMAND_PAUSE, &error);
  g_assert_no_error (error);
  stop_engine (f);

  g_clear_object (&transport);
  g_clear_object (&job);
  g_clear_pointer (&spec, xi_job_spec_free);
  transport = g_object_new (TEST_TYPE_HELD_TRANSPORT, NULL);
  spec = zero_delay_spec (f);
  spec->daily_cap = 3;
  job = create_job (f, spec);
  start_engine_on (f, XI_TRANSPORT (transport));
  run_until_held (f, transport, 3);
  /* After a failure, nothing joins those in flight until one gets
   * through; the failure does not count against the cap, so then one
   * more goes. */
  held_answer (transport, 1, XI_TRANSPORT_ERROR_REJECTED);
  run_until_held (f, transport, 2);
  held_answer (transport, 0, -1);
  run_until_held (f, transport, 2);
  while (transport->held->len > 0)
    held_answer (transport, 0, -1);
  run_until (f, is_resting, NULL, 10);
  spin (50);
  g_assert_cmpuint (f->progress->sent, ==, 3);
  g_assert_cmpuint (f->progress->failed, ==, 1);
  g_assert_cmpuint (transport->sent_ids->len, ==, 4);
}

/* The connection drops with eight in flight, and their answers come back
 * newest first: nobody is failed, and once it is back the same eight go
 * again under the same ids, in their order. */
static void
test_in_flight_disconnect (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(TestHeldTransport) transport = g_object_new (TEST_TYPE_HELD_TRANSPORT, NULL);
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(GPtrArray) first = g_ptr_array_new_with_free_func (g_free);

  make_audience (f, 20, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);
  start_engine_on (f, XI_TRANSPORT (transport));
  run_until_held (f, transport, XI_JOB_PROCESSOR_MAX_IN_FLIGHT);
  for (guint i = 0; i < transport->held->len; i++)
    g_ptr_array_add (first, g_strdup (((Held *) transport->held->pdata[i])->message_id));

  held_set_state (transport, XI_TRANSPORT_STATE_DISCONNECTED);
  while (transport->held->len > 0)
    held_answer (transport, transport->held->len - 1, XI_TRANSPORT_ERROR_DISCONNECTED);
  run_until_state (f, xi_job_get_id (job), XI_JOB_STATE_RETRYING);
  spin (50);
  g_assert_cmpuint (transport->sent_ids->len, ==, XI_JOB_PROCESSOR_MAX_IN_FLIGHT);

  held_set_state (transport, XI_TRANSPORT_STATE_CONNECTED);
  run_until_held (f, transport, XI_JOB_PROCESSOR_MAX_IN_FLIGHT);
  for (guint i = 0; i < first->len; i++)
    g_assert_cmpstr (((Held *) transport->held->pdata[i])->message_id, ==, first->pdata[i]);
  answer_newest_first (f, transport, xi_job_get_id (job));

  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 20);
  g_assert_cmpuint (xi_job_get_failed (stored), ==, 0);
  g_assert_cmpuint (transport->sent_ids->len, ==, 20 + XI_JOB_PROCESSOR_MAX_IN_FLIGHT);
  assert_all_sent_once (f, transport, xi_job_get_id (job));
}

/* The connection drops and comes back while eight are in flight: the
 * first answer, "disconnected", is resent once the connection is back,
 * and the seven older ones fail only after that. The campaign does not
 * wait for a reconnection that already happened: it sends them again
 * and finishes. */
static void
test_in_flight_late_disconnect (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(TestHeldTransport) transport = g_object_new (TEST_TYPE_HELD_TRANSPORT, NULL);
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) stored = NULL;

  make_audience (f, 20, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);
  start_engine_on (f, XI_TRANSPORT (transport));
  run_until_held (f, transport, XI_JOB_PROCESSOR_MAX_IN_FLIGHT);

  held_set_state (transport, XI_TRANSPORT_STATE_DISCONNECTED);
  held_answer (transport, 0, XI_TRANSPORT_ERROR_DISCONNECTED);
  run_until_state (f, xi_job_get_id (job), XI_JOB_STATE_RETRYING);
  held_set_state (transport, XI_TRANSPORT_STATE_CONNECTED);
  run_until_held (f, transport, XI_JOB_PROCESSOR_MAX_IN_FLIGHT);
  for (guint i = 1; i < XI_JOB_PROCESSOR_MAX_IN_FLIGHT; i++)
    held_answer (transport, 0, XI_TRANSPORT_ERROR_DISCONNECTED);
  answer_newest_first (f, transport, xi_job_get_id (job));

  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpint (xi_job_get_state (stored), ==, XI_JOB_STATE_COMPLETED);
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 20);
  assert_all_sent_once (f, transport, xi_job_get_id (job));
}

/* Each of those in flight meets its own fate: a refused new contact is
 * failed for good, a transient failure tried again, a rejection failed,
 * and the rest sent, whatever order the answers come in. */
static void
test_in_flight_each_own_outcome (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(TestHeldTransport) transport = g_object_new (TEST_TYPE_HELD_TRANSPORT, NULL);
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *refused = NULL;
  g_autofree char *retried = NULL;
  g_autofree char *rejected = NULL;

  g_setenv ("XI_RETRY_BASE_MS", "10", TRUE);
  make_audience (f, 10, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);
  start_engine_on (f, XI_TRANSPORT (transport));
  run_until_held (f, transport, XI_JOB_PROCESSOR_MAX_IN_FLIGHT);
  refused = g_strdup (((Held *) transport->held->pdata[6])->phone);
  retried = g_strdup (((Held *) transport->held->pdata[4])->phone);
  rejected = g_strdup (((Held *) transport->held->pdata[1])->phone);
  held_answer (transport, 6, XI_TRANSPORT_ERROR_REFUSED_NEW_CONTACT);
  held_answer (transport, 4, XI_TRANSPORT_ERROR_TRANSIENT);
  held_answer (transport, 1, XI_TRANSPORT_ERROR_REJECTED);
  answer_newest_first (f, transport, xi_job_get_id (job));
  g_unsetenv ("XI_RETRY_BASE_MS");

  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpint (xi_job_get_state (stored), ==, XI_JOB_STATE_COMPLETED);
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 8);
  g_assert_cmpuint (xi_job_get_failed (stored), ==, 2);
  rows = list_recipients (f, xi_job_get_id (job));
  for (guint i = 0; i < rows->len; i++)
    {
      XiJobRecipient *row = rows->pdata[i];
      const char *phone = xi_job_recipient_get_phone (row);

      if (g_str_equal (phone, refused))
        {
          g_assert_cmpint (xi_job_recipient_get_state (row), ==, XI_RECIPIENT_STATE_FAILED);
          g_assert_cmpint (xi_job_recipient_get_skip_reason (row), ==, XI_SKIP_REASON_REFUSED_NEW_CONTACT);
        }
      else if (g_str_equal (phone, rejected))
        g_assert_cmpint (xi_job_recipient_get_state (row), ==, XI_RECIPIENT_STATE_FAILED);
      else
        {
          g_assert_cmpint (xi_job_recipient_get_state (row), ==, XI_RECIPIENT_STATE_SENT);
          g_assert_cmpuint (xi_job_recipient_get_attempts (row), ==, g_str_equal (phone, retried) ? 2 : 1);
        }
    }
}

static gboolean
first_waits_for_new_chats (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = list_recipients (f, data);

  return xi_job_recipient_get_skip_reason (rows->pdata[0]) == XI_SKIP_REASON_NEW_CHATS_PAUSED;
}

/* A message WhatsApp's time-lock held back is recorded as waiting for
 * it, so that a reload keeps its wait rather than take it for a clock
 * set back. */
static void
test_paused_wait_recorded (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(TestHeldTransport) transport = g_object_new (TEST_TYPE_HELD_TRANSPORT, NULL);
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) outgoing = NULL;

  make_audience (f, 1, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);
  start_engine_on (f, XI_TRANSPORT (transport));
  run_until_held (f, transport, 1);
  held_answer (transport, 0, XI_TRANSPORT_ERROR_PAUSED);
  run_until (f, first_waits_for_new_chats, xi_job_get_id (job), 10);

  rows = list_recipients (f, xi_job_get_id (job));
  g_assert_cmpint (xi_job_recipient_get_state (rows->pdata[0]), ==, XI_RECIPIENT_STATE_PENDING);
  g_assert_cmpuint (xi_job_recipient_get_attempts (rows->pdata[0]), ==, 0);
  outgoing = next_outgoing (f, xi_job_get_id (job));
  g_assert_cmpint (((XiOutgoing *) outgoing->pdata[0])->next_attempt_at, >, g_get_real_time () / 1000);
}

/* A pause with eight in flight waits for all eight and records them; no
 * ninth goes out. */
static void
test_in_flight_pause (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(TestHeldTransport) transport = g_object_new (TEST_TYPE_HELD_TRANSPORT, NULL);
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) paused = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  make_audience (f, 20, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);
  start_engine_on (f, XI_TRANSPORT (transport));
  run_until_held (f, transport, XI_JOB_PROCESSOR_MAX_IN_FLIGHT);

  task = g_task_new (NULL, NULL, xi_test_store_result_cb, &slot);
  xi_engine_command (f->engine, xi_job_get_id (job), XI_JOB_COMMAND_PAUSE, task);
  spin (50);
  g_assert_null (slot);
  held_answer (transport, 3, XI_TRANSPORT_ERROR_REJECTED);
  while (transport->held->len > 0)
    held_answer (transport, transport->held->len - 1, -1);
  result = xi_test_wait_result (&slot);
  paused = g_task_propagate_pointer (G_TASK (result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (xi_job_get_state (paused), ==, XI_JOB_STATE_PAUSED);
  g_assert_cmpuint (xi_job_get_sent (paused), ==, XI_JOB_PROCESSOR_MAX_IN_FLIGHT - 1);
  g_assert_cmpuint (xi_job_get_failed (paused), ==, 1);
  spin (50);
  g_assert_cmpuint (transport->sent_ids->len, ==, XI_JOB_PROCESSOR_MAX_IN_FLIGHT);
  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_get_sent (stored), ==, XI_JOB_PROCESSOR_MAX_IN_FLIGHT - 1);
}

static void
on_runner_progress (XiCampaignRunner *runner,
                    XiJobProgress    *progress,
                    guint            *count)
{
  (*count)++;
}

static void
on_runner_idle (XiCampaignRunner *runner,
                gboolean         *idle)
{
  *idle = TRUE;
}

static gboolean
flag_set (Fixture       *f,
          gconstpointer  data)
{
  return *(const gboolean *)data;
}

/* The facade on a real network thread: progress is coalesced, so a
 * blocked main loop receives one update however many messages went. */
static void
test_runner_coalesces (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) stored = NULL;
  g_autoptr(XiCampaignRunner) runner = NULL;
  g_autoptr(GError) error = NULL;
  gboolean idle = FALSE;
  guint n_progress = 0;

  make_audience (f, 300, FALSE);
  spec = zero_delay_spec (f);
  job = create_job (f, spec);

  runner = xi_campaign_runner_new (f->store, xi_loopback_transport_factory, g_strdup (f->journal), g_free);
  g_signal_connect (runner, "progress", G_CALLBACK (on_runner_progress), &n_progress);
  g_signal_connect (runner, "idle", G_CALLBACK (on_runner_idle), &idle);
  g_assert_true (xi_campaign_runner_start (runner, &error));
  g_assert_no_error (error);

  /* Keep the main loop away until the campaign is done: 300 sends, all
   * queued for one publish. */
  for (guint i = 0; i < 600 && !journal_has (f, GUINT_TO_POINTER (300)); i++)
    g_usleep (50 * 1000);
  g_usleep (G_USEC_PER_SEC / 2);
  g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (n_progress, ==, 1);

  run_until (f, flag_set, &idle, 30);
  xi_campaign_runner_stop (runner);
  stored = get_job (f, xi_job_get_id (job));
  g_assert_cmpint (xi_job_get_state (stored), ==, XI_JOB_STATE_COMPLETED);
  g_assert_cmpuint (xi_job_get_sent (stored), ==, 300);
  g_assert_cmpuint (xi_campaign_runner_get_transport_state (runner), ==, XI_TRANSPORT_STATE_CONNECTED);
}

static void
on_runner_job_changed (XiCampaignRunner *runner,
                       XiJob            *job,
                       GArray           *ref_counts)
{
  guint ref_count = G_OBJECT (job)->ref_count;

  g_array_append_val (ref_counts, ref_count);
}

/* The jobs the runner hands to the main thread are copies (issue 10):
 * the UI updates what it holds in place while the engine reads its own.
 * Each is held by the runner's pending table and the signal's argument,
 * and by nothing on the network thread. */
static void
test_runner_hands_over_copies (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiCampaignRunner) runner = NULL;
  g_autoptr(GArray) ref_counts = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GError) error = NULL;
  gboolean idle = FALSE;

  make_audience (f, 5, FALSE);
  spec = zero_delay_spec (f);
  spec->delay_min_ms = spec->delay_max_ms = 100;
  job = create_job (f, spec);

  runner = xi_campaign_runner_new (f->store, xi_loopback_transport_factory, g_strdup (f->journal), g_free);
  g_signal_connect (runner, "job-changed", G_CALLBACK (on_runner_job_changed), ref_counts);
  g_signal_connect (runner, "idle", G_CALLBACK (on_runner_idle), &idle);
  g_assert_true (xi_campaign_runner_start (runner, &error));
  g_assert_no_error (error);
  run_until (f, flag_set, &idle, 30);
  xi_campaign_runner_stop (runner);

  g_assert_cmpuint (ref_counts->len, >=, 2);
  for (guint i = 0; i < ref_counts->len; i++)
    g_assert_cmpuint (g_array_index (ref_counts, guint, i), ==, 2);
}

/* The network thread's objects live where they were made; a call from
 * another thread stops the program instead of racing. */
static gpointer
touch_key_store (gpointer data)
{
  g_autoptr(GPtrArray) sessions = wa_key_store_list (data, "session");

  return NULL;
}

static gpointer
touch_transport (gpointer data)
{
  xi_transport_get_state (data);
  return NULL;
}

static void
test_owner_thread (gconstpointer data)
{
  GThreadFunc touch = (GThreadFunc) data;

  if (g_test_subprocess ())
    {
      g_autoptr(XiStore) store = xi_store_new ("/nonexistent/store.db");
      g_autoptr(GHashTable) loaded = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(XiKeyStore) keys = xi_key_store_new (store, loaded);
      g_autoptr(XiLoopbackTransport) transport = xi_loopback_transport_new ("/dev/null", NULL, NULL);

      g_thread_join (g_thread_new ("intruder", touch, touch == touch_key_store ? (gpointer) keys
                                                                               : (gpointer) transport));
      return;
    }
  xi_test_expect_owner_abort ();
}

static XiJobPlan *
plan_with (Fixture    *f,
           const char *variant,
           guint       n_samples)
{
  g_autoptr(XiTemplate) template_ = xi_template_new (variant);
  g_autoptr(XiTemplate) saved = NULL;
  g_autoptr(XiJobSpec) spec = zero_delay_spec (f);
  g_autoptr(GError) error = NULL;
  const char *variants[] = { variant, NULL };
  XiJobPlan *plan = NULL;

  xi_template_set_variants (template_, variants);
  WAIT (xi_store_save_template_async (f->store, template_, NULL, xi_test_store_result_cb, &slot_),
        saved = xi_store_save_template_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_free (spec->template_id);
  spec->template_id = g_strdup (xi_template_get_id (saved));
  WAIT (xi_store_plan_job_async (f->store, spec, n_samples, NULL, xi_test_store_result_cb, &slot_),
        plan = xi_store_plan_job_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return plan;
}

/* A preview renders the messages it shows, and finds who lacks a value
 * for a variable without a fallback among all the others, whichever
 * variant or option they would get: Budi 9, not among the samples, has
 * no shop; nobody has a town, asked for in one option of a choice. */
static void
test_plan_renders_samples (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->dir, "store.db", NULL);
  g_autoptr(XiJobPlan) plan = NULL;
  g_autoptr(XiJobPlan) choice = NULL;
  g_autoptr(XiJobPlan) fallback = NULL;
  sqlite3 *direct;

  make_audience (f, 20, FALSE);
  g_assert_cmpint (sqlite3_open (db, &direct), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (direct,
                                 "UPDATE contacts SET custom_fields = json_object ('toko', 'Toko ' || substr (name, 6))"
                                 " WHERE name != 'Budi 9'",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (direct);

  plan = plan_with (f, "Halo {name}, {toko}.", 2);
  g_assert_cmpuint (plan->eligible, ==, 20);
  g_assert_cmpuint (plan->samples->len, ==, 2);
  g_assert_cmpstr (((XiJobSample *)plan->samples->pdata[0])->text, ==, "Halo Budi 1, Toko 1.");
  /* In the list's order, numbers by value. */
  g_assert_cmpstr (((XiJobSample *)plan->samples->pdata[1])->text, ==, "Halo Budi 2, Toko 2.");
  g_assert_cmpstrv (plan->missing_variables, ((const char *[]) { "toko", NULL }));

  choice = plan_with (f, "{{Hai {kota}|Halo}} {first_name}", 1);
  g_assert_cmpuint (choice->samples->len, ==, 1);
  g_assert_cmpstrv (choice->missing_variables, ((const char *[]) { "kota", NULL }));

  fallback = plan_with (f, "Halo {kota|Kak}, {toko|toko kami}", 0);
  g_assert_cmpuint (fallback->samples->len, ==, 0);
  g_assert_cmpuint (g_strv_length (fallback->missing_variables), ==, 0);
}

static void
recipients_changed_cb (XiStore            *store,
                       const char         *table,
                       const char * const *ids,
                       GPtrArray          *announced)
{
  if (!g_str_equal (table, "job_recipients"))
    return;
  g_assert_nonnull (ids[0]);
  for (guint i = 0; ids[i] != NULL; i++)
    g_ptr_array_add (announced, g_strdup (ids[i]));
}

/* The ids of a campaign's recipients in the database, sorted. */
static GPtrArray *
stored_recipient_ids (Fixture    *f,
                      const char *job_id)
{
  return first_column (f, "SELECT id FROM job_recipients WHERE job_id = ?1 ORDER BY id", job_id);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

/* A campaign's recipients are written without the per-row trigger that
 * feeds XiStore::changed, and are announced all the same, by id; a
 * refused campaign announces nothing and leaves the trigger in place for
 * the next one. */
static void
test_create_announces_recipients (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GPtrArray) announced = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiQuota) quota = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiJob) refused = NULL;
  g_autoptr(XiJob) first = NULL;
  g_autoptr(XiJob) second = NULL;
  g_autoptr(GPtrArray) stored = NULL;

  make_audience (f, 6, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_signal_connect (f->store, "changed", G_CALLBACK (recipients_changed_cb), announced);

  WAIT (xi_store_set_quota_allowance_async (f->store, 3, NULL, xi_test_store_result_cb, &slot_),
        quota = xi_store_set_quota_allowance_finish (f->store, result_, &error));
  g_assert_no_error (error);
  spec = zero_delay_spec (f);
  WAIT (xi_store_create_job_async (f->store, spec, NULL, xi_test_store_result_cb, &slot_),
        refused = xi_store_create_job_finish (f->store, result_, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_QUOTA);
  g_clear_error (&error);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (announced->len, ==, 0);

  g_clear_pointer (&quota, xi_quota_free);
  WAIT (xi_store_set_quota_allowance_async (f->store, 100, NULL, xi_test_store_result_cb, &slot_),
        quota = xi_store_set_quota_allowance_finish (f->store, result_, &error));
  g_assert_no_error (error);
  first = create_job (f, spec);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  /* Skipped recipients are rows too: all six. */
  stored = stored_recipient_ids (f, xi_job_get_id (first));
  g_assert_cmpuint (stored->len, ==, 6);
  g_ptr_array_sort (announced, compare_strings);
  g_assert_cmpuint (announced->len, ==, stored->len);
  for (guint i = 0; i < stored->len; i++)
    g_assert_cmpstr (announced->pdata[i], ==, stored->pdata[i]);

  g_ptr_array_set_size (announced, 0);
  second = create_job (f, spec);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (announced->len, ==, 6);

  g_signal_handlers_disconnect_by_data (f->store, announced);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/campaigns/plan-and-create", test_plan_and_create);
  ADD ("/campaigns/counts-written-once", test_counts_written_once);
  ADD ("/campaigns/receipt-time-out-of-range", test_receipt_time_out_of_range);
  ADD ("/campaigns/create-outlives-cancel", test_create_outlives_cancel);
  ADD ("/campaigns/template-too-long-stored", test_template_too_long_stored);
  ADD ("/campaigns/template-many-fields", test_template_many_fields);
  ADD ("/campaigns/template-edited-meanwhile", test_template_edited_meanwhile);
  ADD ("/campaigns/custom-fields-and-batches", test_custom_fields_and_batches);
  ADD ("/campaigns/custom-fields-as-sqlite-reads-them", test_custom_fields_as_sqlite_reads_them);
  ADD ("/campaigns/list-order", test_list_order);
  ADD ("/campaigns/message-ids-unpredictable", test_message_ids_unpredictable);
  ADD ("/campaigns/message-ids-stored-in-batches", test_message_ids_stored_in_batches);
  ADD ("/campaigns/refused-rider-counts-once", test_refused_rider_counts_once);
  ADD ("/campaigns/failed-riders-leave-nothing", test_failed_riders_leave_nothing);
  ADD ("/campaigns/message-too-long", test_message_too_long);
  ADD ("/campaigns/quota-refused", test_quota_refused);
  ADD ("/campaigns/quota-refused-large", test_quota_refused_large);
  ADD ("/campaigns/create-announces-recipients", test_create_announces_recipients);
  ADD ("/campaigns/plan-renders-samples", test_plan_renders_samples);
  ADD ("/campaigns/run-to-completion", test_run_to_completion);
  ADD ("/campaigns/progress-throttled", test_progress_throttled);
  ADD ("/campaigns/batches-announced-ahead", test_batches_announced_ahead);
  ADD ("/campaigns/pause-during-delay", test_pause_during_delay);
  ADD ("/campaigns/progress-names-nameless", test_progress_names_nameless);
  ADD ("/campaigns/cancel-during-retry", test_cancel_during_retry);
  ADD ("/campaigns/retries-then-fails", test_retries_then_fails);
  ADD ("/campaigns/retry-after-clock-set-back", test_retry_after_clock_set_back);
  ADD ("/campaigns/paused-wait-survives-reload", test_paused_wait_survives_reload);
  ADD ("/campaigns/paused-wait-recorded", test_paused_wait_recorded);
  ADD ("/campaigns/fails-on-repeated-errors", test_fails_on_repeated_errors);
  ADD ("/campaigns/partial-failures-retry", test_partial_failures_retry);
  ADD ("/campaigns/disconnect-waits", test_disconnect_waits);
  ADD ("/campaigns/whatsapp-drops-and-resumes", test_whatsapp_drops_and_resumes);
  ADD ("/campaigns/whatsapp-receiver-stopped", test_whatsapp_receiver_stopped);
  ADD ("/campaigns/whatsapp-new-contacts", test_whatsapp_new_contacts);
  ADD ("/campaigns/whatsapp-timelock-pauses", test_whatsapp_timelock_pauses);
  ADD ("/campaigns/per-job-transports", test_per_job_transports);
  ADD ("/campaigns/number-check", test_number_check);
  ADD ("/campaigns/receipts", test_receipts);
  ADD ("/campaigns/receipt-moves-counted-row", test_receipt_moves_counted_row);
  ADD ("/campaigns/replies", test_replies);
  ADD ("/campaigns/queue-order", test_queue_order);
  ADD ("/campaigns/resume-after-crash", test_resume_after_crash);
  ADD ("/campaigns/whatsapp-picture-uploaded-once", test_whatsapp_picture_uploaded_once);
  ADD ("/campaigns/whatsapp-upload-expires", test_whatsapp_upload_expires);
  ADD ("/campaigns/whatsapp-picture-emptied-while-uploading", test_whatsapp_picture_emptied_while_uploading);
  ADD ("/campaigns/whatsapp-picture-changed-pauses", test_whatsapp_picture_changed_pauses);
  ADD ("/campaigns/preview-refuses-absurd-sizes", test_preview_refuses_absurd_sizes);
  ADD ("/campaigns/preview-of-large-photos", test_preview_of_large_photos);
  ADD ("/campaigns/media-cache-finalized-on-its-thread", test_cache_finalized_on_its_thread);
  ADD ("/campaigns/preview-bounded-in-time", test_preview_bounded_in_time);
  g_test_add ("/campaigns/whatsapp-picture-fifo-pauses", Fixture, "fifo", fixture_set_up,
              test_whatsapp_picture_changed_pauses, fixture_tear_down);
  g_test_add ("/campaigns/whatsapp-picture-symlink-pauses", Fixture, "symlink", fixture_set_up,
              test_whatsapp_picture_changed_pauses, fixture_tear_down);
  ADD ("/campaigns/whatsapp-upload-refused-again", test_whatsapp_upload_refused_again);
  ADD ("/campaigns/attachment-journaled", test_attachment_journaled);
  ADD ("/campaigns/batch-rest-and-daily-cap", test_batch_rest_and_daily_cap);
  ADD ("/campaigns/in-flight/limit", test_in_flight_limit);
  ADD ("/campaigns/in-flight/within-limits", test_in_flight_within_limits);
  ADD ("/campaigns/in-flight/disconnect", test_in_flight_disconnect);
  ADD ("/campaigns/in-flight/late-disconnect", test_in_flight_late_disconnect);
  ADD ("/campaigns/in-flight/each-own-outcome", test_in_flight_each_own_outcome);
  ADD ("/campaigns/in-flight/pause", test_in_flight_pause);
  ADD ("/campaigns/runner-coalesces", test_runner_coalesces);
  ADD ("/campaigns/runner-hands-over-copies", test_runner_hands_over_copies);
  g_test_add_data_func ("/campaigns/owner-thread/key-store", touch_key_store, test_owner_thread);
  g_test_add_data_func ("/campaigns/owner-thread/loopback-transport", touch_transport, test_owner_thread);
  ADD ("/campaigns/pause-elsewhere-while-offline", test_pause_elsewhere_while_offline);
  ADD ("/campaigns/cancel-elsewhere-during-send", test_cancel_elsewhere_during_send);

  return g_test_run ();
}
