/* test-sync-engine.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>

#include "xi-contact.h"
#include "xi-contact-filter.h"
#include "xi-group.h"
#include "xi-job-spec.h"
#include "xi-job.h"
#include "xi-number-check.h"
#include "xi-template.h"
#include "xi-store-inbox.h"
#include "xi-store-sync.h"
#include "xi-supabase-client.h"
#include "xi-sync-engine.h"
#include "xi-sync-error.h"
#include "xi-sync-service.h"
#include "xi-sync-test-utils.h"
#include "xi-test-utils.h"

/*
 * Two computers signed in to one account, each with its own data folder
 * and SQLite file, syncing through the gateway to real PostgreSQL with
 * the project's migrations.
 */

static FsRig *rig;

typedef XiSyncTestComputer Computer;

typedef struct
{
  char     *email;
  Computer  a;
  Computer  b;
} Fixture;

/* Auxiliary methods */

static void
control (const char *command)
{
  xi_sync_test_control (rig, command);
}

static gboolean
run_sync (Computer     *computer,
          XiSyncStats  *stats,
          GError      **error)
{
  gboolean ok = FALSE;

  XI_TEST_WAIT (xi_sync_engine_run_once_async (computer->engine, NULL,
                                               xi_test_store_result_cb, &slot_),
                ok = xi_sync_engine_run_once_finish (computer->engine, result_, stats, error));
  return ok;
}

static void
sync_ok (Computer    *computer,
         XiSyncStats *stats)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (run_sync (computer, stats, &error));
  g_assert_no_error (error);
}

static XiContact *
save_contact (Computer  *computer,
              XiContact *contact)
{
  g_autoptr(GError) error = NULL;
  XiContact *saved = NULL;

  XI_TEST_WAIT (xi_store_save_contact_async (computer->store, contact, NULL,
                                             xi_test_store_result_cb, &slot_),
                saved = xi_store_save_contact_finish (computer->store, result_, &error));
  g_assert_no_error (error);
  return saved;
}

static XiContact *
add_contact (Computer   *computer,
             const char *name,
             const char *phone)
{
  g_autoptr(XiContact) contact = xi_contact_new ();

  xi_contact_set_name (contact, name);
  xi_contact_set_phone (contact, phone);
  return save_contact (computer, contact);
}

static GPtrArray *
list_contacts (Computer *computer)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *contacts = NULL;

  XI_TEST_WAIT (xi_store_list_contacts_async (computer->store, NULL,
                                              xi_test_store_result_cb, &slot_),
                contacts = xi_store_list_contacts_finish (computer->store, result_, &error));
  g_assert_no_error (error);
  return contacts;
}

static XiContact *
find_contact (Computer   *computer,
              const char *phone)
{
  g_autoptr(GPtrArray) contacts = list_contacts (computer);

  for (guint i = 0; i < contacts->len; i++)
    if (g_str_equal (xi_contact_get_phone (g_ptr_array_index (contacts, i)), phone))
      return g_object_ref (g_ptr_array_index (contacts, i));
  return NULL;
}

static void
delete_contact (Computer  *computer,
                XiContact *contact)
{
  g_autoptr(GError) error = NULL;
  const char *ids[] = { xi_contact_get_id (contact), NULL };
  guint deleted = 0;

  XI_TEST_WAIT (xi_store_delete_contacts_async (computer->store, ids, NULL,
                                                xi_test_store_result_cb, &slot_),
                deleted = xi_store_delete_contacts_finish (computer->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (deleted, ==, 1);
}

static XiSyncCounts
counts (Computer *computer)
{
  g_autoptr(GError) error = NULL;
  XiSyncCounts counts = { 0, };

  XI_TEST_WAIT (xi_store_sync_get_counts_async (computer->store, NULL,
                                                xi_test_store_result_cb, &slot_),
                xi_store_sync_get_counts_finish (computer->store, result_, &counts, &error));
  g_assert_no_error (error);
  return counts;
}

static XiGroup *
add_group (Computer           *computer,
           const char         *name,
           const char * const *contact_ids)
{
  g_autoptr(XiGroup) group = xi_group_new (name);
  g_autoptr(GError) error = NULL;
  XiGroup *saved = NULL;

  XI_TEST_WAIT (xi_store_save_group_async (computer->store, group, NULL,
                                           xi_test_store_result_cb, &slot_),
                saved = xi_store_save_group_finish (computer->store, result_, &error));
  g_assert_no_error (error);
  XI_TEST_WAIT (xi_store_add_group_members_async (computer->store, xi_group_get_id (saved),
                                                  contact_ids, NULL,
                                                  xi_test_store_result_cb, &slot_),
                xi_store_add_group_members_finish (computer->store, result_, &error));
  g_assert_no_error (error);
  return saved;
}

static XiTemplate *
add_template (Computer   *computer,
              const char *name,
              const char *text)
{
  g_autoptr(XiTemplate) template_ = xi_template_new (name);
  const char *variants[] = { text, NULL };
  g_autoptr(GError) error = NULL;
  XiTemplate *saved = NULL;

  xi_template_set_variants (template_, variants);
  XI_TEST_WAIT (xi_store_save_template_async (computer->store, template_, NULL,
                                              xi_test_store_result_cb, &slot_),
                saved = xi_store_save_template_finish (computer->store, result_, &error));
  g_assert_no_error (error);
  return saved;
}

/* Live rows of @table of the account, read back through the client. */
static guint
server_live (Computer   *computer,
             const char *table)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) rows = NULL;
  const char *query[] = { "select", "id", "deleted", "is.false", NULL };

  XI_TEST_WAIT (xi_supabase_client_select_async (computer->client, table, query, NULL,
                                                 xi_test_store_result_cb, &slot_),
                rows = xi_supabase_client_select_finish (computer->client, result_, &error));
  g_assert_no_error (error);
  return json_array_get_length (rows);
}

/* Rounds of sync until what one computer settled has reached the other
 * and come back: a pull can queue edits that the next pass pushes. */
static void
sync_both (Fixture *fixture)
{
  for (guint round = 0; round < 3; round++)
    {
      sync_ok (&fixture->a, NULL);
      sync_ok (&fixture->b, NULL);
    }
}

static void
wait_seconds (double seconds)
{
  g_usleep ((gulong) (seconds * G_USEC_PER_SEC));
}

/* A campaign of @n new contacts on @computer; @tag keeps the numbers of
 * two computers' campaigns apart. */
static XiJob *
try_campaign (Computer  *computer,
              guint      n,
              guint      tag,
              GError   **create_error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *group_name = g_strdup_printf ("Pelanggan %u", tag);
  g_autofree char *template_name = g_strdup_printf ("Promo %u", tag);
  g_autoptr(XiGroup) saved_group = NULL;
  g_autoptr(XiTemplate) saved_template = NULL;
  g_autoptr(XiJobSpec) spec = xi_job_spec_new ();
  XiJob *job = NULL;

  for (guint i = 1; i <= n; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62813%02u%06u", tag, i);
      g_autoptr(XiContact) contact = add_contact (computer, "Sari", phone);

      g_ptr_array_add (ids, g_strdup (xi_contact_get_id (contact)));
    }
  g_ptr_array_add (ids, NULL);
  saved_group = add_group (computer, group_name, (const char * const *) ids->pdata);
  saved_template = add_template (computer, template_name, "Halo {name}!");

  spec->group_id = g_strdup (xi_group_get_id (saved_group));
  spec->template_id = g_strdup (xi_template_get_id (saved_template));
  spec->delay_min_ms = spec->delay_max_ms = 0;
  XI_TEST_WAIT (xi_store_create_job_async (computer->store, spec, NULL,
                                           xi_test_store_result_cb, &slot_),
                job = xi_store_create_job_finish (computer->store, result_, create_error));
  return job;
}

static XiJob *
make_campaign (Computer *computer,
               guint     n,
               guint     tag)
{
  g_autoptr(GError) error = NULL;
  XiJob *job = try_campaign (computer, n, tag, &error);

  g_assert_no_error (error);
  return job;
}

static XiJob *
claim_next (Computer *computer)
{
  g_autoptr(GError) error = NULL;
  gint64 next_wake_at = 0;
  XiJob *job = NULL;

  XI_TEST_WAIT (xi_store_claim_next_job_async (computer->store, NULL, NULL,
                                               xi_test_store_result_cb, &slot_),
                job = xi_store_claim_next_job_finish (computer->store, result_, &next_wake_at,
                                                      &error));
  g_assert_no_error (error);
  return job;
}

static XiJob *
get_job (Computer   *computer,
         const char *id)
{
  g_autoptr(GError) error = NULL;
  XiJob *job = NULL;

  XI_TEST_WAIT (xi_store_get_job_async (computer->store, id, NULL,
                                        xi_test_store_result_cb, &slot_),
                job = xi_store_get_job_finish (computer->store, result_, &error));
  g_assert_no_error (error);
  return job;
}

/* What the send loop does for @n messages of the campaign it claimed, one
 * outcome at a time. */
static XiJob *
send_messages (Computer *computer,
               XiJob    *job,
               guint     n)
{
  g_autoptr(GPtrArray) outgoing = NULL;
  g_autoptr(GError) error = NULL;
  guint sent_today = 0;

  XI_TEST_WAIT (xi_store_next_outgoing_async (computer->store, xi_job_get_id (job), 0, n, NULL,
                                              xi_test_store_result_cb, &slot_),
                outgoing = xi_store_next_outgoing_finish (computer->store, result_, &sent_today,
                                                          &error));
  g_assert_no_error (error);
  g_assert_cmpuint (outgoing->len, ==, n);
  for (guint i = 0; i < outgoing->len; i++)
    {
      XiOutgoing *message = g_ptr_array_index (outgoing, i);
      g_autoptr(GPtrArray) outcomes = g_ptr_array_new_with_free_func ((GDestroyNotify) xi_outcome_free);
      XiOutcome *outcome = g_new0 (XiOutcome, 1);

      outcome->row_id = g_strdup (message->row_id);
      outcome->state = XI_RECIPIENT_STATE_SENT;
      outcome->attempts = 1;
      g_ptr_array_add (outcomes, outcome);
      XI_TEST_WAIT (xi_store_record_outcomes_async (computer->store, xi_job_get_id (job), outcomes,
                                                    NULL, xi_test_store_result_cb, &slot_),
                    xi_store_record_outcomes_finish (computer->store, result_, NULL, &error));
      g_assert_no_error (error);
    }
  return get_job (computer, xi_job_get_id (job));
}

static XiJob *
command (Computer     *computer,
         XiJob        *job,
         XiJobCommand  what,
         GError      **error)
{
  XiJob *after = NULL;

  XI_TEST_WAIT (xi_store_command_job_async (computer->store, xi_job_get_id (job), what, NULL,
                                            xi_test_store_result_cb, &slot_),
                after = xi_store_command_job_finish (computer->store, result_, error));
  return after;
}


static void
set_quota (Computer   *computer,
           const char *column,
           guint       messages)
{
  g_autofree char *statement = NULL;
  g_autoptr(GError) error = NULL;

  statement = g_strdup_printf ("update public.user_quotas set %s = %u"
                               " where master_user_id = '%s'", column, messages,
                               xi_supabase_client_get_user_id (computer->client));
  g_assert_true (fs_rig_sql (rig, statement, &error));
  g_assert_no_error (error);
}

static void
set_allowance (Computer *computer,
               guint     messages)
{
  set_quota (computer, "messages_limit", messages);
}

/* The one row of @table whose @column is @value, as the account reads it
 * through the server, with @fields joined by '/'; "" when there is none. */
static char *
server_fields (Computer           *computer,
               const char         *table,
               const char         *column,
               const char         *value,
               const char * const *fields)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) rows = NULL;
  g_autofree char *filter = g_strconcat ("eq.", value, NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  const char *query[] = { "select", "*", column, filter, NULL };
  JsonObject *row;

  XI_TEST_WAIT (xi_supabase_client_select_async (computer->client, table, query, NULL,
                                                 xi_test_store_result_cb, &slot_),
                rows = xi_supabase_client_select_finish (computer->client, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (rows), <=, 1);
  if (json_array_get_length (rows) == 0)
    return g_strdup ("");
  row = json_array_get_object_element (rows, 0);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      JsonNode *node = json_object_get_member (row, fields[i]);

      if (i > 0)
        g_string_append_c (text, '/');
      if (node != NULL && json_node_get_value_type (node) == G_TYPE_STRING)
        g_string_append (text, json_node_get_string (node));
      else if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
        g_string_append_printf (text, "%" G_GINT64_FORMAT, json_node_get_int (node));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* used/reserved of the account's allowance on the server. */
static char *
server_quota (Computer *computer)
{
  const char *fields[] = { "messages_used", "messages_reserved", NULL };

  return server_fields (computer, "user_quotas", "master_user_id",
                        xi_supabase_client_get_user_id (computer->client), fields);
}

/* amount/used/status of the campaign's reservation on the server. */
static char *
server_reservation (Computer *computer,
                    XiJob    *job)
{
  const char *fields[] = { "amount", "used", "status", NULL };

  return server_fields (computer, "quota_reservations", "job_id", xi_job_get_id (job), fields);
}

/* One number from the computer's SQLite file, read beside the store. */
static gint64
local_int (Computer   *computer,
           const char *sql)
{
  g_autofree char *path = g_build_filename (computer->dir, "xender-in.db", NULL);

  return xi_test_sqlite_int (path, sql);
}

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main context (where the store and the service report) for
 * @ms milliseconds. */
static void
iterate_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Writes @sql to the computer's SQLite file beside its store, as
 * another program would. */
static void
local_exec (Computer   *computer,
            const char *sql)
{
  g_autofree char *path = g_build_filename (computer->dir, "xender-in.db", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static XiSegment *
add_segment (Computer           *computer,
             const char         *name,
             const char * const *conditions)
{
  g_autoptr(XiContactFilter) filter = NULL;
  g_autoptr(GError) error = NULL;
  XiSegment *segment = NULL;

  filter = xi_contact_filter_new_from_conditions (conditions, &error);
  g_assert_no_error (error);
  XI_TEST_WAIT (xi_store_add_segment_async (computer->store, name, filter, NULL,
                                            xi_test_store_result_cb, &slot_),
                segment = xi_store_add_segment_finish (computer->store, result_, &error));
  g_assert_no_error (error);
  return segment;
}

static GPtrArray *
list_segments (Computer *computer)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *segments = NULL;

  XI_TEST_WAIT (xi_store_list_segments_async (computer->store, NULL,
                                              xi_test_store_result_cb, &slot_),
                segments = xi_store_list_segments_finish (computer->store, result_, &error));
  g_assert_no_error (error);
  return segments;
}

/* Fixture */

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  control ("reset");
  /* The reset keeps the gateway's cap on rows per read; a test's own
   * reads through the client expect every row. */
  control ("max-rows?n=0");
  fixture->email = g_strdup_printf ("shop-%08x@example.com", g_random_int ());
  xi_sync_test_computer_start (&fixture->a, rig, fixture->email, TRUE);
  xi_sync_test_computer_start (&fixture->b, rig, fixture->email, FALSE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  xi_sync_test_computer_stop (&fixture->a);
  xi_sync_test_computer_stop (&fixture->b);
  g_free (fixture->email);
}

/* Tests */

static void
test_created_on_a_appear_on_b (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(XiContact) one = add_contact (&fixture->a, "Ayu", "6281200000001");
  g_autoptr(XiContact) two = add_contact (&fixture->a, "Budi", "6281200000002");
  g_autoptr(XiContact) seen = NULL;
  g_autoptr(GPtrArray) on_b = NULL;
  XiSyncStats stats;

  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 2);
  g_assert_cmpuint (stats.refused, ==, 0);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 0);

  sync_ok (&fixture->b, &stats);
  g_assert_cmpuint (stats.pushed, ==, 0);
  g_assert_cmpuint (stats.pulled, ==, 2);
  on_b = list_contacts (&fixture->b);
  g_assert_cmpuint (on_b->len, ==, 2);
  seen = find_contact (&fixture->b, "6281200000001");
  g_assert_nonnull (seen);
  g_assert_cmpstr (xi_contact_get_id (seen), ==, xi_contact_get_id (one));
  g_assert_cmpstr (xi_contact_get_name (seen), ==, "Ayu");

  /* Nothing new: a second pass moves nothing and queues nothing. */
  sync_ok (&fixture->b, &stats);
  g_assert_cmpuint (stats.pulled, ==, 0);
  g_assert_cmpuint (counts (&fixture->b).pending, ==, 0);
}

/* Offline on both: A renames, B writes a note. Both keep both. */
static void
test_offline_edits_merge_per_field (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(XiContact) created = add_contact (&fixture->a, "Citra", "6281200000003");
  g_autoptr(XiContact) on_a = NULL;
  g_autoptr(XiContact) on_b = NULL;
  g_autoptr(XiContact) saved_a = NULL;
  g_autoptr(XiContact) saved_b = NULL;

  sync_ok (&fixture->a, NULL);
  sync_ok (&fixture->b, NULL);

  on_a = find_contact (&fixture->a, "6281200000003");
  on_b = find_contact (&fixture->b, "6281200000003");
  xi_contact_set_name (on_a, "Citra Dewi");
  xi_contact_set_notes (on_b, "Prefers mornings");
  saved_a = save_contact (&fixture->a, on_a);
  saved_b = save_contact (&fixture->b, on_b);

  sync_ok (&fixture->a, NULL);
  sync_ok (&fixture->b, NULL);
  sync_ok (&fixture->a, NULL);

  g_clear_object (&on_a);
  g_clear_object (&on_b);
  on_a = find_contact (&fixture->a, "6281200000003");
  on_b = find_contact (&fixture->b, "6281200000003");
  g_assert_cmpstr (xi_contact_get_name (on_a), ==, "Citra Dewi");
  g_assert_cmpstr (xi_contact_get_notes (on_a), ==, "Prefers mornings");
  g_assert_cmpstr (xi_contact_get_name (on_b), ==, "Citra Dewi");
  g_assert_cmpstr (xi_contact_get_notes (on_b), ==, "Prefers mornings");
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 0);
  g_assert_cmpuint (counts (&fixture->b).pending, ==, 0);
}

/* A deletes, B edits its stale copy: the delete wins on both. */
static void
test_delete_wins_over_stale_edit (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(XiContact) created = add_contact (&fixture->a, "Dian", "6281200000004");
  g_autoptr(XiContact) on_b = NULL;
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(XiContact) after_a = NULL;
  g_autoptr(XiContact) after_b = NULL;

  sync_ok (&fixture->a, NULL);
  sync_ok (&fixture->b, NULL);

  delete_contact (&fixture->a, created);
  on_b = find_contact (&fixture->b, "6281200000004");
  xi_contact_set_name (on_b, "Dian (stale)");
  saved = save_contact (&fixture->b, on_b);

  sync_ok (&fixture->a, NULL);
  sync_ok (&fixture->b, NULL);
  sync_ok (&fixture->a, NULL);

  after_a = find_contact (&fixture->a, "6281200000004");
  after_b = find_contact (&fixture->b, "6281200000004");
  g_assert_null (after_a);
  g_assert_null (after_b);
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 0);
  g_assert_cmpuint (counts (&fixture->b).pending, ==, 0);
}

/* The server commits the push and the connection drops before the
 * reply, as if the app were killed there: the same op ids go again, and
 * the server keeps one row each. */
static void
test_reply_lost_after_commit (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  XiSyncStats stats;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812000001%02u", i);
      g_autoptr(XiContact) contact = add_contact (&fixture->a, "Eka", phone);
    }

  control ("drop-after-commit?path=/rest/v1/contacts&method=POST");
  g_assert_false (run_sync (&fixture->a, &stats, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_NETWORK);
  g_clear_error (&error);
  g_assert_cmpuint (stats.pushed, ==, 0);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 5);
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 5);

  /* The first retry waits a second. */
  wait_seconds (1.2);
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 5);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 0);
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 5);

  sync_ok (&fixture->b, &stats);
  g_assert_cmpuint (stats.pulled, ==, 5);
}

/* 503 with Retry-After: the ops wait at least that long, then go. */
static void
test_retry_after_honoured (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(XiContact) contact = add_contact (&fixture->a, "Fajar", "6281200000020");
  g_autoptr(GError) error = NULL;
  XiSyncStats stats;

  control ("fail?status=503&retry_after=2&path=/rest/v1/contacts&method=POST");
  g_assert_false (run_sync (&fixture->a, &stats, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_UNAVAILABLE);
  g_clear_error (&error);

  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 0);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 1);

  wait_seconds (2.2);
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1);
}

/* A push failed while this computer's clock ran three years fast, and
 * the clock was then put right: the op's next try, stamped by the fast
 * clock, is not three years away, and the next pass sends it. A try a
 * day ahead, the longest a server may ask for, is still waited for. */
static void
test_retry_after_clock_put_back (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(XiContact) contact = add_contact (&fixture->a, "Maya", "6281200000059");
  g_autoptr(GError) error = NULL;
  XiSyncStats stats;

  control ("fail?status=503&path=/rest/v1/contacts&method=POST");
  g_assert_false (run_sync (&fixture->a, &stats, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_UNAVAILABLE);
  g_clear_error (&error);

  local_exec (&fixture->a, "UPDATE sync_outbox SET next_attempt_at ="
                           " CAST (strftime ('%s', 'now') AS INTEGER) + 86400");
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 0);

  local_exec (&fixture->a, "UPDATE sync_outbox SET next_attempt_at ="
                           " CAST (strftime ('%s', 'now') AS INTEGER) + 3 * 365 * 86400");
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 1);
}

/* 429 with Retry-After, as a rate limit answers: the ops wait at least
 * that long with their ids, then go once. */
static void
test_rate_limited_push (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(XiContact) contact = add_contact (&fixture->a, "Fajar", "6281200000021");
  g_autoptr(GError) error = NULL;
  g_autofree char *op_id = NULL;
  XiSyncStats stats;

  control ("fail?status=429&retry_after=2&path=/rest/v1/contacts&method=POST");
  g_assert_false (run_sync (&fixture->a, &stats, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_RATE_LIMITED);
  g_clear_error (&error);
  g_assert_cmpint (local_int (&fixture->a, "SELECT count(*) FROM sync_outbox WHERE attempts = 1"
                              " AND next_attempt_at >= CAST (strftime ('%s', 'now') AS INTEGER) + 1"),
                   ==, 1);

  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 0);
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 0);

  wait_seconds (2.2);
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 0);
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 1);
}

/* The access token expires several times while B pulls in pages of 100:
 * the engine refreshes and goes on, nothing missed, nothing twice. */
static void
test_token_expires_mid_pull (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  XiSyncStats stats;
  gboolean ok = FALSE;

  for (guint i = 0; i < 350; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62815%08u", i);
      g_autoptr(XiContact) contact = add_contact (&fixture->a, "Gilang", phone);
    }
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 350);

  control ("max-rows?n=100");
  control ("token-lifetime?seconds=2");
  control ("jwt-skew?seconds=0");
  XI_TEST_WAIT (xi_supabase_client_refresh_async (fixture->b.client, NULL,
                                                  xi_test_store_result_cb, &slot_),
                ok = xi_supabase_client_refresh_finish (fixture->b.client, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  control ("delay?ms=900&path=/rest/v1/contacts&method=GET&times=5");

  sync_ok (&fixture->b, &stats);
  g_assert_cmpuint (stats.pulled, ==, 350);
  g_assert_cmpint (local_int (&fixture->b, "SELECT count(*) FROM contacts"), ==, 350);
  g_assert_cmpint (local_int (&fixture->b, "SELECT count(DISTINCT phone) FROM contacts"), ==, 350);
  control ("token-lifetime?seconds=3600");
}

/* Another account on the same server: through its client and its
 * engine, none of this account's rows reach it, and none of its own
 * reach this account. */
static void
test_other_account_never_appears (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autofree char *other_email = g_strdup_printf ("other-%08x@example.com", g_random_int ());
  const char *conditions[] = { "#grosir", NULL };
  g_autoptr(XiContact) ours = add_contact (&fixture->a, "Hadi", "6281200000091");
  g_autoptr(XiSegment) segment = add_segment (&fixture->a, "Grosir", conditions);
  g_autoptr(XiContact) theirs = NULL;
  g_autoptr(XiChatMessage) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *tables[] = { "contacts", "segments", "outgoing_messages", "history", NULL };
  Computer other = { NULL, };
  XiSyncStats stats;

  XI_TEST_WAIT (xi_store_add_reply_async (fixture->a.store, "6281200000091", "3EB0OTHER91",
                                          "Halo", NULL, NULL, xi_test_store_result_cb, &slot_),
                reply = xi_store_add_reply_finish (fixture->a.store, result_, &error));
  g_assert_no_error (error);
  sync_ok (&fixture->a, NULL);

  xi_sync_test_computer_start (&other, rig, other_email, TRUE);
  theirs = add_contact (&other, "Hadi", "6281200000091");
  sync_ok (&other, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1);
  for (guint i = 0; tables[i] != NULL; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s WHERE master_user_id = '%s'",
                                              tables[i],
                                              xi_supabase_client_get_user_id (fixture->a.client));

      g_assert_cmpint (local_int (&other, sql), ==, 0);
    }
  g_assert_cmpuint (server_live (&other, "contacts"), ==, 1);
  g_assert_cmpuint (server_live (&other, "segments"), ==, 0);
  g_assert_cmpuint (server_live (&other, "outgoing_messages"), ==, 0);

  /* The same number in both accounts stays two customers. */
  sync_ok (&fixture->b, &stats);
  g_assert_cmpint (local_int (&fixture->b, "SELECT count(*) FROM contacts"), ==, 1);
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 1);
  xi_sync_test_computer_stop (&other);
}

/* The server refuses one row of a batch: bisecting finds it, it becomes
 * a dead op with the server's reason, and the others go through. */
static void
test_refused_row_bisected (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) dead = NULL;
  g_autoptr(GError) error = NULL;
  XiSyncStats stats;

  g_assert_true (fs_rig_sql (rig, "alter table public.contacts add constraint test_refuse"
                                  " check (name <> 'Refuse me')", &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 7; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812000003%02u", i);
      g_autoptr(XiContact) contact = add_contact (&fixture->a, i == 4 ? "Refuse me" : "Gita",
                                                  phone);
    }

  sync_ok (&fixture->a, &stats);
  g_assert_true (fs_rig_sql (rig, "alter table public.contacts drop constraint test_refuse",
                             &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.pushed, ==, 6);
  g_assert_cmpuint (stats.refused, ==, 1);
  g_assert_cmpuint (counts (&fixture->a).dead, ==, 1);

  XI_TEST_WAIT (xi_store_sync_list_dead_async (fixture->a.store, NULL,
                                               xi_test_store_result_cb, &slot_),
                dead = xi_store_sync_list_dead_finish (fixture->a.store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dead->len, ==, 1);
  g_assert_nonnull (strstr (((XiSyncOp *) g_ptr_array_index (dead, 0))->last_error, "23514"));

  sync_ok (&fixture->b, &stats);
  g_assert_cmpuint (stats.pulled, ==, 6);
}

/* An opt-out received on A reaches B as an event, and B's copy of the
 * contact is opted out there too (campaigns skip it). */
static void
test_opt_out_reaches_b (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(XiContact) created = add_contact (&fixture->a, "Hana", "6281200000040");
  g_autoptr(XiContact) on_b = NULL;
  g_autoptr(GPtrArray) suppressions = NULL;
  g_autoptr(GError) error = NULL;
  const char *ids[] = { xi_contact_get_id (created), NULL };
  guint changed = 0;

  sync_ok (&fixture->a, NULL);
  sync_ok (&fixture->b, NULL);
  on_b = find_contact (&fixture->b, "6281200000040");
  g_assert_false (xi_contact_get_opted_out (on_b));
  g_clear_object (&on_b);

  XI_TEST_WAIT (xi_store_set_opted_out_async (fixture->a.store, ids, TRUE, NULL,
                                              xi_test_store_result_cb, &slot_),
                changed = xi_store_set_opted_out_finish (fixture->a.store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 1);

  sync_ok (&fixture->a, NULL);
  sync_ok (&fixture->b, NULL);
  on_b = find_contact (&fixture->b, "6281200000040");
  g_assert_true (xi_contact_get_opted_out (on_b));
  XI_TEST_WAIT (xi_store_list_suppressions_async (fixture->b.store, NULL,
                                                  xi_test_store_result_cb, &slot_),
                suppressions = xi_store_list_suppressions_finish (fixture->b.store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (suppressions->len, ==, 1);
}

/* The reply to a push of an append-only fact is lost after the commit:
 * the replay is ignored by the server and the op still completes. */
static void
test_fact_reply_lost (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(XiContact) created = add_contact (&fixture->a, "Joko", "6281200000050");
  g_autoptr(GError) error = NULL;
  const char *ids[] = { xi_contact_get_id (created), NULL };
  XiSyncStats stats;
  guint changed = 0;

  sync_ok (&fixture->a, NULL);
  XI_TEST_WAIT (xi_store_set_opted_out_async (fixture->a.store, ids, TRUE, NULL,
                                              xi_test_store_result_cb, &slot_),
                changed = xi_store_set_opted_out_finish (fixture->a.store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 1);

  control ("drop-after-commit?path=/rest/v1/suppression_events&method=POST");
  g_assert_false (run_sync (&fixture->a, &stats, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_NETWORK);
  g_clear_error (&error);

  wait_seconds (1.2);
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.skipped, ==, 0);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 0);
}

/* A gateway that answers with no body at all where PostgREST always
 * sends a list, even an empty one: B does not take it for the end of the
 * contacts and skip A's for good, and A does not take its opt-out as
 * stored. Both fail the pass, and the next one gets everything. */
static void
test_empty_reply_is_not_empty_list (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(XiContact) created = add_contact (&fixture->a, "Intan", "6281200000055");
  g_autoptr(XiContact) on_b = NULL;
  g_autoptr(GError) error = NULL;
  const char *ids[] = { xi_contact_get_id (created), NULL };
  XiSyncStats stats;
  guint changed = 0;

  sync_ok (&fixture->a, NULL);
  control ("fail?status=204&path=/rest/v1/contacts&method=GET");
  g_assert_false (run_sync (&fixture->b, &stats, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_BAD_REPLY);
  g_clear_error (&error);
  sync_ok (&fixture->b, &stats);
  on_b = find_contact (&fixture->b, "6281200000055");
  g_assert_nonnull (on_b);

  XI_TEST_WAIT (xi_store_set_opted_out_async (fixture->a.store, ids, TRUE, NULL,
                                              xi_test_store_result_cb, &slot_),
                changed = xi_store_set_opted_out_finish (fixture->a.store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 1);
  control ("fail?status=204&path=/rest/v1/suppression_events&method=POST");
  g_assert_false (run_sync (&fixture->a, &stats, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_BAD_REPLY);
  g_clear_error (&error);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 1);
  g_assert_cmpuint (server_live (&fixture->a, "suppression_events"), ==, 0);

  wait_seconds (1.2);
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 0);
  g_assert_cmpuint (server_live (&fixture->a, "suppression_events"), ==, 1);
}

/* When the server says @contact's number was last checked. */
static gint64
server_checked_at (Computer  *computer,
                   XiContact *contact)
{
  const char *fields[] = { "on_whatsapp_checked_at", NULL };
  g_autofree char *text = server_fields (computer, "contacts", "id", xi_contact_get_id (contact), fields);
  g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (text, NULL);

  g_assert_nonnull (time);
  return g_date_time_to_unix (time);
}

/* A, its clock 30 days fast, checked a number on WhatsApp. B, its clock
 * right, took that for a check made in its future and checked again; A
 * then took B's stamp for a month old and checked again, and so on, each
 * asking WhatsApp about every contact the other checked. B takes the
 * check as made now: fresh for 30 days by its own clock, and not pushed
 * back, so A's stamp stays as A wrote it and fresh by A's clock too. */
static void
test_check_from_fast_clock (Fixture       *fixture,
                            gconstpointer  data)
{
  const gint64 skew = (gint64) 30 * 24 * 3600;
  g_autoptr(XiContact) created = add_contact (&fixture->a, "Kartika", "6281200000057");
  g_autoptr(XiContact) on_b = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now;

  sync_ok (&fixture->a, NULL);
  g_assert_true (fs_rig_sql (rig, "UPDATE public.contacts SET on_whatsapp = 1,"
                                  " on_whatsapp_checked_at = now() + interval '30 days',"
                                  " last_op_id = gen_random_uuid (), base_version = version,"
                                  " sync_changed = '{on_whatsapp,on_whatsapp_checked_at}'"
                                  " WHERE phone = '6281200000057'", &error));
  g_assert_no_error (error);
  now = g_get_real_time () / G_USEC_PER_SEC;

  sync_ok (&fixture->b, NULL);
  sync_ok (&fixture->b, NULL);
  on_b = find_contact (&fixture->b, "6281200000057");
  g_assert_cmpint (xi_contact_get_on_whatsapp (on_b), ==, XI_ON_WHATSAPP_YES);
  g_assert_cmpint (xi_contact_get_on_whatsapp_checked_at (on_b), >=, now);
  g_assert_cmpint (xi_contact_get_on_whatsapp_checked_at (on_b), <=, now + 60);
  g_assert_false (xi_number_check_is_due (on_b, now + 60));
  g_assert_true (xi_number_check_is_due (on_b, now + skew));
  g_assert_cmpuint (counts (&fixture->b).pending, ==, 0);
  /* A's check, fresh by A's clock, is still A's on the server. */
  g_assert_cmpint (server_checked_at (&fixture->b, created), >=, now + skew - 60);
}

/* A renames a contact, and while that push is in flight (the server has
 * committed it, its reply is slow) writes a note on it: the reply does
 * not overwrite the note with the server's copy, the next pass pushes
 * it, and B gets both. */
static void
test_edit_during_push (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(XiContact) created = add_contact (&fixture->a, "Laras", "6281200000058");
  g_autoptr(XiContact) on_a = NULL;
  g_autoptr(XiContact) renamed = NULL;
  g_autoptr(XiContact) noted = NULL;
  g_autoptr(XiContact) on_b = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;
  g_autoptr(GError) error = NULL;

  sync_ok (&fixture->a, NULL);
  on_a = find_contact (&fixture->a, "6281200000058");
  xi_contact_set_name (on_a, "Laras Ayu");
  renamed = save_contact (&fixture->a, on_a);

  control ("stall-after-commit?path=/rest/v1/contacts&method=POST&ms=1500");
  xi_sync_engine_run_once_async (fixture->a.engine, NULL, xi_test_store_result_cb, &slot);
  for (guint waited = 0; local_int (&fixture->a, "SELECT count(*) FROM sync_outbox"
                                                 " WHERE state = 'inflight'") == 0; waited++)
    {
      g_assert_cmpuint (waited, <, 200);
      iterate_for (50);
    }
  g_clear_object (&on_a);
  on_a = find_contact (&fixture->a, "6281200000058");
  xi_contact_set_notes (on_a, "Pays on Fridays");
  noted = save_contact (&fixture->a, on_a);
  result = xi_test_wait_result (&slot);
  g_assert_true (xi_sync_engine_run_once_finish (fixture->a.engine, result, NULL, &error));
  g_assert_no_error (error);

  g_clear_object (&on_a);
  on_a = find_contact (&fixture->a, "6281200000058");
  g_assert_cmpstr (xi_contact_get_name (on_a), ==, "Laras Ayu");
  g_assert_cmpstr (xi_contact_get_notes (on_a), ==, "Pays on Fridays");

  sync_ok (&fixture->a, NULL);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 0);
  sync_ok (&fixture->b, NULL);
  on_b = find_contact (&fixture->b, "6281200000058");
  g_assert_cmpstr (xi_contact_get_name (on_b), ==, "Laras Ayu");
  g_assert_cmpstr (xi_contact_get_notes (on_b), ==, "Pays on Fridays");
}

/* A campaign is its computer's: the others see it and its progress but
 * neither send it nor change it. */
static void
test_campaign_owned_by_its_computer (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(XiJob) job = make_campaign (&fixture->a, 3, 1);
  g_autoptr(XiJob) paused = NULL;
  g_autoptr(XiJob) on_b = NULL;
  g_autoptr(XiJob) claimed_b = NULL;
  g_autoptr(XiJob) claimed_a = NULL;
  g_autoptr(GError) error = NULL;
  const char *owner_fields[] = { "owner_device_id", NULL };
  const char *name_fields[] = { "name", NULL };
  g_autofree char *owner = NULL;
  g_autofree char *device = NULL;
  XiSyncStats stats;

  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.refused, ==, 0);
  owner = server_fields (&fixture->a, "jobs", "id", xi_job_get_id (job), owner_fields);
  g_assert_true (g_uuid_string_is_valid (owner));
  device = server_fields (&fixture->a, "devices", "id", owner, name_fields);
  g_assert_cmpstr (device, ==, g_get_host_name ());
  g_assert_cmpint (local_int (&fixture->a, "SELECT count(*) FROM job_recipients"
                              " WHERE sync_status = 'synced'"), ==, 3);

  sync_ok (&fixture->b, NULL);
  on_b = get_job (&fixture->b, xi_job_get_id (job));
  g_assert_cmpuint (xi_job_get_total (on_b), ==, 3);
  claimed_b = claim_next (&fixture->b);
  g_assert_null (claimed_b);
  paused = command (&fixture->b, job, XI_JOB_COMMAND_PAUSE, &error);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_STATE);
  g_assert_null (paused);

  claimed_a = claim_next (&fixture->a);
  g_assert_nonnull (claimed_a);
  g_assert_cmpstr (xi_job_get_id (claimed_a), ==, xi_job_get_id (job));
}

/* Signed in, the allowance is the server's: the campaign's reservation
 * reaches it, the messages sent are committed as they go (one call for
 * many messages), and the end gives back what was not sent. */
static void
test_quota_reserved_committed_released (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autoptr(XiJob) job = make_campaign (&fixture->a, 5, 1);
  g_autoptr(XiJob) claimed = NULL;
  g_autoptr(XiJob) after = NULL;
  g_autoptr(XiJob) cancelled = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reservation = NULL;
  g_autofree char *quota = NULL;

  set_allowance (&fixture->a, 100);
  sync_ok (&fixture->a, NULL);
  reservation = server_reservation (&fixture->a, job);
  g_assert_cmpstr (reservation, ==, "5/0/pending");
  quota = server_quota (&fixture->a);
  g_assert_cmpstr (quota, ==, "0/5");

  claimed = claim_next (&fixture->a);
  after = send_messages (&fixture->a, claimed, 3);
  g_assert_cmpuint (xi_job_get_sent (after), ==, 3);
  g_assert_cmpint (local_int (&fixture->a, "SELECT count(*) FROM sync_outbox WHERE kind = 'rpc'"),
                   ==, 1);
  sync_ok (&fixture->a, NULL);
  g_free (reservation);
  reservation = server_reservation (&fixture->a, job);
  g_assert_cmpstr (reservation, ==, "5/3/pending");
  g_free (quota);
  quota = server_quota (&fixture->a);
  g_assert_cmpstr (quota, ==, "3/2");

  cancelled = command (&fixture->a, after, XI_JOB_COMMAND_CANCEL, &error);
  g_assert_no_error (error);
  sync_ok (&fixture->a, NULL);
  g_free (reservation);
  reservation = server_reservation (&fixture->a, job);
  g_assert_cmpstr (reservation, ==, "5/3/committed");
  g_free (quota);
  quota = server_quota (&fixture->a);
  g_assert_cmpstr (quota, ==, "3/0");
  g_assert_cmpint (local_int (&fixture->a, "SELECT count(*) FROM sync_outbox"), ==, 0);
}

/* Two computers reserve at once from an allowance that covers one of
 * them: the server holds one reservation whole and refuses the other,
 * whose campaign pauses with the numbers and cannot be resumed. */
static void
test_quota_two_computers_at_once (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(XiJob) job_a = make_campaign (&fixture->a, 5, 1);
  g_autoptr(XiJob) job_b = make_campaign (&fixture->b, 5, 2);
  g_autoptr(GAsyncResult) result_a = NULL;
  g_autoptr(GAsyncResult) result_b = NULL;
  g_autoptr(XiJob) after_a = NULL;
  g_autoptr(XiJob) after_b = NULL;
  g_autoptr(XiJob) resumed = NULL;
  g_autoptr(XiJob) claimed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reservation_a = NULL;
  g_autofree char *reservation_b = NULL;
  g_autofree char *quota = NULL;
  GAsyncResult *slot_a = NULL;
  GAsyncResult *slot_b = NULL;
  XiSyncStats stats_a, stats_b;
  gboolean ok_a, ok_b;
  Computer *refused;
  XiJob *refused_job;

  set_allowance (&fixture->a, 8);
  xi_sync_engine_run_once_async (fixture->a.engine, NULL, xi_test_store_result_cb, &slot_a);
  xi_sync_engine_run_once_async (fixture->b.engine, NULL, xi_test_store_result_cb, &slot_b);
  result_a = xi_test_wait_result (&slot_a);
  result_b = xi_test_wait_result (&slot_b);
  ok_a = xi_sync_engine_run_once_finish (fixture->a.engine, result_a, &stats_a, &error);
  g_assert_no_error (error);
  g_assert_true (ok_a);
  ok_b = xi_sync_engine_run_once_finish (fixture->b.engine, result_b, &stats_b, &error);
  g_assert_no_error (error);
  g_assert_true (ok_b);
  g_assert_cmpuint (stats_a.refused + stats_b.refused, ==, 1);

  quota = server_quota (&fixture->a);
  g_assert_cmpstr (quota, ==, "0/5");
  reservation_a = server_reservation (&fixture->a, job_a);
  reservation_b = server_reservation (&fixture->a, job_b);
  if (stats_a.refused == 1)
    {
      g_assert_cmpstr (reservation_a, ==, "");
      g_assert_cmpstr (reservation_b, ==, "5/0/pending");
      refused = &fixture->a;
      refused_job = job_a;
    }
  else
    {
      g_assert_cmpstr (reservation_a, ==, "5/0/pending");
      g_assert_cmpstr (reservation_b, ==, "");
      refused = &fixture->b;
      refused_job = job_b;
    }

  after_a = get_job (refused, xi_job_get_id (refused_job));
  g_assert_cmpint (xi_job_get_state (after_a), ==, XI_JOB_STATE_PAUSED);
  g_assert_nonnull (strstr (xi_job_get_last_error (after_a), "needs 5 messages and only 3"));
  g_assert_cmpuint (counts (refused).dead, ==, 1);
  claimed = claim_next (refused);
  g_assert_null (claimed);
  resumed = command (refused, after_a, XI_JOB_COMMAND_RESUME, &error);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_QUOTA);
  g_assert_null (resumed);
  g_clear_error (&error);

  /* The pause reaches the other computer with its reason. */
  sync_ok (refused, NULL);
  sync_ok (refused == &fixture->a ? &fixture->b : &fixture->a, NULL);
  after_b = get_job (refused == &fixture->a ? &fixture->b : &fixture->a,
                     xi_job_get_id (refused_job));
  g_assert_cmpint (xi_job_get_state (after_b), ==, XI_JOB_STATE_PAUSED);
  g_assert_cmpstr (xi_job_get_last_error (after_b), ==, xi_job_get_last_error (after_a));
}

/* Offline, a campaign reserves locally and sends; when the connection
 * returns, the reservation and what was sent reach the server, once, even
 * when the first reply is lost after the server committed it. */
static void
test_quota_offline_honoured (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(XiJob) job = make_campaign (&fixture->a, 5, 1);
  g_autoptr(XiJob) claimed = NULL;
  g_autoptr(XiJob) after = NULL;
  g_autoptr(XiJob) now = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reservation = NULL;
  g_autofree char *quota = NULL;

  set_allowance (&fixture->a, 100);
  control ("fail?status=503&path=/rest/v1/rpc/sync_state&method=POST");
  g_assert_false (run_sync (&fixture->a, NULL, &error));
  g_clear_error (&error);

  claimed = claim_next (&fixture->a);
  after = send_messages (&fixture->a, claimed, 2);

  control ("drop-after-commit?path=/rest/v1/rpc/reserve_quota&method=POST");
  g_assert_false (run_sync (&fixture->a, NULL, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_NETWORK);
  g_clear_error (&error);
  wait_seconds (1.2);
  sync_ok (&fixture->a, NULL);

  reservation = server_reservation (&fixture->a, job);
  g_assert_cmpstr (reservation, ==, "5/2/pending");
  quota = server_quota (&fixture->a);
  g_assert_cmpstr (quota, ==, "2/3");
  now = get_job (&fixture->a, xi_job_get_id (job));
  g_assert_cmpint (xi_job_get_state (now), ==, XI_JOB_STATE_PROCESSING);
  g_assert_cmpuint (counts (&fixture->a).dead, ==, 0);
}

/* Offline, a campaign reserves more than the server has left and sends a
 * little; when the connection returns the server refuses, and the
 * campaign stops there with the reason. Once the allowance grows, the
 * refused reservation is retried and the campaign may go on. */
static void
test_quota_offline_refused (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(XiJob) job = make_campaign (&fixture->a, 5, 1);
  g_autoptr(XiJob) claimed = NULL;
  g_autoptr(XiJob) after = NULL;
  g_autoptr(XiJob) now = NULL;
  g_autoptr(XiJob) resumed = NULL;
  g_autoptr(XiJob) again = NULL;
  g_autoptr(GPtrArray) dead = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reservation = NULL;
  XiSyncStats stats;
  guint resolved = 0;

  set_allowance (&fixture->a, 3);
  claimed = claim_next (&fixture->a);
  after = send_messages (&fixture->a, claimed, 2);

  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.refused, ==, 1);
  now = get_job (&fixture->a, xi_job_get_id (job));
  g_assert_cmpint (xi_job_get_state (now), ==, XI_JOB_STATE_PAUSED);
  g_assert_cmpuint (xi_job_get_sent (now), ==, 2);
  g_assert_nonnull (strstr (xi_job_get_last_error (now), "needs 5 messages and only 3"));
  g_assert_null (claim_next (&fixture->a));
  resumed = command (&fixture->a, now, XI_JOB_COMMAND_RESUME, &error);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_QUOTA);
  g_assert_nonnull (strstr (error->message, "only 3"));
  g_clear_error (&error);
  reservation = server_reservation (&fixture->a, job);
  g_assert_cmpstr (reservation, ==, "");

  /* A payment later: the user retries the refused reservation. */
  set_allowance (&fixture->a, 10);
  XI_TEST_WAIT (xi_store_sync_list_dead_async (fixture->a.store, NULL,
                                               xi_test_store_result_cb, &slot_),
                dead = xi_store_sync_list_dead_finish (fixture->a.store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dead->len, ==, 1);
  XI_TEST_WAIT (xi_store_sync_resolve_dead_async (fixture->a.store,
                                                  ((XiSyncOp *) g_ptr_array_index (dead, 0))->op_id,
                                                  XI_SYNC_DEAD_RETRY, NULL,
                                                  xi_test_store_result_cb, &slot_),
                resolved = xi_store_sync_resolve_dead_finish (fixture->a.store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (resolved, ==, 1);
  sync_ok (&fixture->a, NULL);
  g_free (reservation);
  reservation = server_reservation (&fixture->a, job);
  g_assert_cmpstr (reservation, ==, "5/2/pending");

  again = command (&fixture->a, now, XI_JOB_COMMAND_RESUME, &error);
  g_assert_no_error (error);
  g_assert_cmpint (xi_job_get_state (again), ==, XI_JOB_STATE_PENDING);
}

/* Once the server's allowance is known here, a campaign reserves against
 * it, less what this computer reserved that the server has not heard of
 * yet, and one that does not fit is refused at once, naming what is left. */
static void
test_quota_cached_allowance (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(XiJob) first = NULL;
  g_autoptr(XiJob) second = NULL;
  g_autoptr(XiJob) third = NULL;
  g_autoptr(GError) error = NULL;

  set_allowance (&fixture->a, 3);
  sync_ok (&fixture->a, NULL);

  first = try_campaign (&fixture->a, 2, 1, &error);
  g_assert_no_error (error);
  second = try_campaign (&fixture->a, 2, 2, &error);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_QUOTA);
  g_assert_nonnull (strstr (error->message, "only 1 are left"));
  g_assert_null (strstr (error->message, "checked with the server"));
  g_assert_null (second);
  g_clear_error (&error);

  /* Held on the server now, not twice here. */
  sync_ok (&fixture->a, NULL);
  third = try_campaign (&fixture->a, 1, 3, &error);
  g_assert_no_error (error);
  g_assert_nonnull (third);
}

/* Offline with the clock set past the cached period's end: the cached
 * row still says what is used, and no new month's allowance appears
 * until the server sends one. */
static void
test_quota_clock_ahead (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GError) error = NULL;

  set_allowance (&fixture->a, 3);
  set_quota (&fixture->a, "messages_used", 2);
  sync_ok (&fixture->a, NULL);

  /* What a clock a month ahead sees: the period over. */
  local_exec (&fixture->a, "UPDATE sync_state SET value = json_set (value, '$.period_end',"
                           " strftime ('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day'))"
                           " WHERE key GLOB 'server:user_quotas:*'");
  g_assert_cmpint (local_int (&fixture->a, "SELECT julianday (json_extract (value, '$.period_end'))"
                                           " < julianday ('now') FROM sync_state"
                                           " WHERE key GLOB 'server:user_quotas:*'"), ==, 1);
  job = try_campaign (&fixture->a, 2, 2, &error);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_QUOTA);
  g_assert_nonnull (strstr (error->message, "only 1 are left"));
  g_assert_null (job);
}

/* The cached server quota row, as the store keeps it. */
static char *
cached_quota (Computer *computer)
{
  g_autofree char *path = g_build_filename (computer->dir, "xender-in.db", NULL);

  return xi_test_sqlite_text (path, "SELECT value FROM sync_state"
                                    " WHERE key GLOB 'server:user_quotas:*'");
}

/* The server's quota row a month behind, its whole allowance used, as a
 * shop finds it on the first day of a month before any quota call. */
static void
server_quota_last_month (Computer *computer)
{
  g_autofree char *statement = NULL;
  g_autoptr(GError) error = NULL;

  statement = g_strdup_printf ("update public.user_quotas set"
                               " period_start = private.month_start (now ()) - interval '1 month',"
                               " period_end = private.month_start (now ()),"
                               " messages_limit = 3, messages_used = 3"
                               " where master_user_id = '%s'",
                               xi_supabase_client_get_user_id (computer->client));
  g_assert_true (fs_rig_sql (rig, statement, &error));
  g_assert_no_error (error);
}

/* A month that ended by the server's clock: the server rolls its row only
 * at its next quota call and a pull sends only rows that changed, but the
 * pass that finds the cached period over asks the server, and the new
 * month's allowance is there for the next campaign. */
static void
test_quota_new_month_from_server (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GError) error = NULL;

  server_quota_last_month (&fixture->a);
  sync_ok (&fixture->a, NULL);
  g_assert_cmpint (local_int (&fixture->a, "SELECT json_extract (value, '$.messages_limit')"
                                           " FROM sync_state WHERE key GLOB 'server:user_quotas:*'"),
                   ==, 500);
  g_assert_cmpint (local_int (&fixture->a, "SELECT json_extract (value, '$.messages_used')"
                                           " FROM sync_state WHERE key GLOB 'server:user_quotas:*'"),
                   ==, 0);
  g_assert_cmpint (local_int (&fixture->a, "SELECT julianday (json_extract (value, '$.period_end'))"
                                           " > julianday ('now') FROM sync_state"
                                           " WHERE key GLOB 'server:user_quotas:*'"), ==, 1);
  /* The row's other fields stay as the server last sent them. */
  g_assert_cmpint (local_int (&fixture->a, "SELECT json_extract (value, '$.server_seq') > 0"
                                           " AND json_extract (value, '$.plan') = 'free'"
                                           " FROM sync_state WHERE key GLOB 'server:user_quotas:*'"),
                   ==, 1);
  job = try_campaign (&fixture->a, 2, 1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (job);
}

/* A clock set ahead, online: the server's answer names the period the
 * cached row has, and the row stays exactly as it was. */
static void
test_quota_clock_ahead_online (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  set_allowance (&fixture->a, 3);
  set_quota (&fixture->a, "messages_used", 2);
  sync_ok (&fixture->a, NULL);

  /* What a clock ahead sees: the period just over. Still later than the
   * server's period began, as it is for a clock a month ahead. */
  local_exec (&fixture->a, "UPDATE sync_state SET value = json_set (value, '$.period_end',"
                           " strftime ('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 second'))"
                           " WHERE key GLOB 'server:user_quotas:*'");
  g_assert_cmpint (local_int (&fixture->a, "SELECT julianday (json_extract (value, '$.period_end'))"
                                           " > julianday (json_extract (value, '$.period_start'))"
                                           " FROM sync_state WHERE key GLOB 'server:user_quotas:*'"),
                   ==, 1);
  before = cached_quota (&fixture->a);
  sync_ok (&fixture->a, NULL);
  after = cached_quota (&fixture->a);
  g_assert_cmpstr (after, ==, before);

  job = try_campaign (&fixture->a, 2, 2, &error);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_QUOTA);
  g_assert_null (job);
}

/* Stands in for check_quota_usage an answer @reply, or puts the real one
 * back when @reply is NULL. */
static void
fake_quota_check (const char *reply)
{
  g_autofree char *statement = NULL;
  g_autoptr(GError) error = NULL;

  if (reply != NULL)
    statement = g_strdup_printf ("alter function public.check_quota_usage ()"
                                 "  rename to check_quota_usage_quotaroll;"
                                 "create function public.check_quota_usage () returns jsonb"
                                 "  language sql as $$ select '%s'::jsonb $$;"
                                 "grant execute on function public.check_quota_usage ()"
                                 "  to authenticated", reply);
  else
    statement = g_strdup ("drop function public.check_quota_usage ();"
                          "alter function public.check_quota_usage_quotaroll ()"
                          "  rename to check_quota_usage");
  g_assert_true (fs_rig_sql (rig, statement, &error));
  g_assert_no_error (error);
}

/* Answers to the month's check that are no new month's quota change
 * nothing, and the pass's pushes and pulls go on. */
static void
test_quota_check_hostile (Fixture       *fixture,
                          gconstpointer  data)
{
  static const char * const replies[] = {
    "{\"ok\": true}",
    "{\"ok\": true, \"quota\": null}",
    "{\"ok\": false, \"quota\": {\"limit\": 500, \"used\": 0, \"reserved\": 0,"
    " \"period_start\": \"2999-01-01T00:00:00+00:00\","
    " \"period_end\": \"2999-02-01T00:00:00+00:00\"}}",
    "{\"ok\": true, \"quota\": {\"limit\": 500, \"used\": -5, \"reserved\": 0,"
    " \"period_start\": \"2999-01-01T00:00:00+00:00\","
    " \"period_end\": \"2999-02-01T00:00:00+00:00\"}}",
    "{\"ok\": true, \"quota\": {\"limit\": 99999999999999, \"used\": 0, \"reserved\": 0,"
    " \"period_start\": \"2999-01-01T00:00:00+00:00\","
    " \"period_end\": \"2999-02-01T00:00:00+00:00\"}}",
    "{\"ok\": true, \"quota\": {\"limit\": 1e300, \"used\": 0, \"reserved\": 0,"
    " \"period_start\": \"2999-01-01T00:00:00+00:00\","
    " \"period_end\": \"2999-02-01T00:00:00+00:00\"}}",
    "{\"ok\": true, \"quota\": {\"limit\": 500, \"used\": 0, \"reserved\": 0,"
    " \"period_start\": \"soon\", \"period_end\": \"later\"}}",
    /* A month that ends before it begins. */
    "{\"ok\": true, \"quota\": {\"limit\": 500, \"used\": 0, \"reserved\": 0,"
    " \"period_start\": \"2999-02-01T00:00:00+00:00\","
    " \"period_end\": \"2999-01-01T00:00:00+00:00\"}}",
  };
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cached = NULL;

  server_quota_last_month (&fixture->a);
  fake_quota_check (replies[0]);
  sync_ok (&fixture->a, NULL);
  cached = cached_quota (&fixture->a);
  g_assert_cmpint (local_int (&fixture->a, "SELECT json_extract (value, '$.messages_used')"
                                           " FROM sync_state WHERE key GLOB 'server:user_quotas:*'"),
                   ==, 3);
  fake_quota_check (NULL);

  for (guint i = 1; i < G_N_ELEMENTS (replies); i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812000009%02u", i);
      g_autoptr(XiContact) contact = add_contact (&fixture->a, "Gita", phone);
      g_autofree char *now_cached = NULL;
      XiSyncStats stats;

      fake_quota_check (replies[i]);
      sync_ok (&fixture->a, &stats);
      fake_quota_check (NULL);
      g_assert_cmpuint (stats.pushed, ==, 1);
      now_cached = cached_quota (&fixture->a);
      g_assert_cmpstr (now_cached, ==, cached);
    }
  /* Refused, and told why and what to do. */
  job = try_campaign (&fixture->a, 1, 3, &error);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_QUOTA);
  g_assert_nonnull (strstr (error->message, "being checked with the server"));
  g_assert_nonnull (strstr (error->message, "only 0 "));
  g_assert_null (job);

  /* The real answer, once the server gives it, rolls the month. */
  g_clear_error (&error);
  sync_ok (&fixture->a, NULL);
  job = try_campaign (&fixture->a, 1, 4, &error);
  g_assert_no_error (error);
  g_assert_nonnull (job);
}

/* Pages capped at two rows: the next page is read while the last one is
 * applied, a failed read ends the pass without losing its place, and the
 * next pass goes on from the checkpoint. */
static void
test_pull_in_small_pages (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  XiSyncStats stats;

  for (guint i = 0; i < 9; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812000007%02u", i);
      g_autoptr(XiContact) contact = add_contact (&fixture->a, "Kiki", phone);
    }
  sync_ok (&fixture->a, NULL);
  control ("max-rows?n=2");

  control ("fail?status=503&path=/rest/v1/contacts&method=GET");
  g_assert_false (run_sync (&fixture->b, &stats, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_UNAVAILABLE);
  g_clear_error (&error);
  g_assert_cmpint (local_int (&fixture->b, "SELECT count(*) FROM contacts"), ==, 0);

  sync_ok (&fixture->b, &stats);
  g_assert_cmpuint (stats.pulled, ==, 9);
  g_assert_cmpint (local_int (&fixture->b, "SELECT count(DISTINCT id) FROM contacts"), ==, 9);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812000008%02u", i);
      g_autoptr(XiContact) contact = add_contact (&fixture->a, "Lala", phone);
    }
  sync_ok (&fixture->a, NULL);
  sync_ok (&fixture->b, &stats);
  g_assert_cmpuint (stats.pulled, ==, 3);
  g_assert_cmpint (local_int (&fixture->b, "SELECT count(*) FROM contacts"), ==, 12);

  /* Nothing new anywhere: the pass asks about no table. */
  sync_ok (&fixture->b, &stats);
  g_assert_cmpuint (stats.pulled, ==, 0);
}

/* A pushes new contacts and an edit while B is between pages of its
 * pull (pages of 10, each held 0.6 s): A's pass ends before B's, and
 * B's pass and the next get every row once, with A's edit; nothing is
 * missed or doubled. */
static void
test_push_while_other_pulls (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(XiContact) edited = NULL;
  g_autoptr(XiContact) on_b = NULL;
  g_autoptr(XiContact) first = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  XiSyncStats stats;

  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812000009%02u", i);
      g_autoptr(XiContact) contact = add_contact (&fixture->a, "Nina", phone);
    }
  sync_ok (&fixture->a, NULL);
  control ("max-rows?n=10");
  control ("delay?ms=600&path=/rest/v1/contacts&method=GET&times=40");

  xi_sync_engine_run_once_async (fixture->b.engine, NULL, xi_test_store_result_cb, &slot);
  iterate_for (300);
  for (guint i = 60; i < 70; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812000009%02u", i);
      g_autoptr(XiContact) contact = add_contact (&fixture->a, "Nina", phone);
    }
  first = find_contact (&fixture->a, "6281200000900");
  xi_contact_set_name (first, "Nina Sari");
  edited = save_contact (&fixture->a, first);
  sync_ok (&fixture->a, NULL);
  g_assert_null (slot);
  result = xi_test_wait_result (&slot);
  g_assert_true (xi_sync_engine_run_once_finish (fixture->b.engine, result, NULL, &error));
  g_assert_no_error (error);

  sync_ok (&fixture->b, &stats);
  g_assert_cmpint (local_int (&fixture->b, "SELECT count(*) FROM contacts"), ==, 70);
  g_assert_cmpint (local_int (&fixture->b, "SELECT count(DISTINCT phone) FROM contacts"), ==, 70);
  on_b = find_contact (&fixture->b, "6281200000900");
  g_assert_cmpstr (xi_contact_get_name (on_b), ==, "Nina Sari");
  g_assert_cmpuint (counts (&fixture->b).pending, ==, 0);
  control ("max-rows?n=0");
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 70);
}

/* A new computer's first sync of a large account through a server that
 * caps every page at 100 rows: every row arrives once, none is missed,
 * and a second pass finds nothing new. Slow: run with -m slow. */
static void
test_first_sync_50000 (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *statement = NULL;
  g_autoptr(GError) error = NULL;
  XiSyncStats stats;
  const guint rows = 50000;

  if (!g_test_slow ())
    {
      g_test_skip ("50,000 rows: run with -m slow (meson test --suite slow)");
      return;
    }

  control ("max-rows?n=100");
  statement = g_strdup_printf ("insert into public.contacts (id, master_user_id, name, phone,"
                               " last_op_id)"
                               " select gen_random_uuid(), '%s', 'Pelanggan ' || g,"
                               " '62811' || lpad(g::text, 8, '0'), gen_random_uuid()"
                               " from generate_series(1, %u) g",
                               xi_supabase_client_get_user_id (fixture->a.client), rows);
  g_assert_true (fs_rig_sql (rig, statement, &error));
  g_assert_no_error (error);

  sync_ok (&fixture->b, &stats);
  g_assert_cmpuint (stats.pulled, ==, rows);
  g_assert_cmpint (local_int (&fixture->b, "SELECT count(*) FROM contacts"), ==, rows);
  g_assert_cmpint (local_int (&fixture->b, "SELECT count(DISTINCT phone) FROM contacts"
                              " WHERE phone BETWEEN '6281100000001' AND '6281100050000'"), ==, rows);
  g_assert_cmpint (local_int (&fixture->b, "SELECT count(*) FROM contacts"
                              " WHERE sync_status != 'synced'"), ==, 0);
  g_assert_cmpint (local_int (&fixture->b, "SELECT count(*) FROM sync_outbox"), ==, 0);

  sync_ok (&fixture->b, &stats);
  g_assert_cmpuint (stats.pulled, ==, 0);
}

/* Offline, A and B each make a group "VIP" with their own customers: it
 * is one group with everyone in it on both, and nothing blocks the sync. */
static void
test_same_group_name_merges (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(XiContact) ayu = add_contact (&fixture->a, "Ayu", "6281200000031");
  g_autoptr(XiContact) budi = add_contact (&fixture->a, "Budi", "6281200000032");
  g_autoptr(XiContact) citra = add_contact (&fixture->b, "Citra", "6281200000033");
  g_autoptr(XiContact) ayu_b = add_contact (&fixture->b, "Ayu", "6281200000031");
  const char *on_a[] = { xi_contact_get_id (ayu), xi_contact_get_id (budi), NULL };
  const char *on_b[] = { xi_contact_get_id (citra), xi_contact_get_id (ayu_b), NULL };
  g_autoptr(XiGroup) group_a = add_group (&fixture->a, "VIP", on_a);
  g_autoptr(XiGroup) group_b = add_group (&fixture->b, "vip", on_b);
  Computer *computers[] = { &fixture->a, &fixture->b };

  g_assert_cmpstr (xi_group_get_id (group_a), !=, xi_group_get_id (group_b));
  sync_both (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (computers); i++)
    {
      Computer *computer = computers[i];

      g_assert_cmpint (local_int (computer, "SELECT count(*) FROM groups WHERE deleted = 0"), ==, 1);
      g_assert_cmpint (local_int (computer, "SELECT count(*) FROM group_members m"
                                  " JOIN groups g ON g.id = m.group_id"
                                  " WHERE m.deleted = 0 AND g.deleted = 0"), ==, 3);
      g_assert_cmpint (local_int (computer, "SELECT count(*) FROM group_members m"
                                  " JOIN groups g ON g.id = m.group_id"
                                  " WHERE m.deleted = 0 AND g.deleted = 1"), ==, 0);
      g_assert_cmpint (local_int (computer, "SELECT count(*) FROM sync_outbox"), ==, 0);
      g_assert_cmpuint (counts (computer).conflicts, ==, 0);
    }
  g_assert_cmpint (local_int (&fixture->a, "SELECT count(*) FROM groups WHERE deleted = 0 AND id = "
                              "(SELECT min (id) FROM groups)"), ==, 1);
  g_assert_cmpuint (server_live (&fixture->a, "groups"), ==, 1);
  g_assert_cmpuint (server_live (&fixture->a, "group_members"), ==, 3);
}

/* Two templates named alike may say different things: both stay, the
 * second one renamed where the user sees it, the same on both. */
static void
test_same_template_name_renamed (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(XiTemplate) on_a = add_template (&fixture->a, "Promo", "Halo dari A");
  g_autoptr(XiTemplate) on_b = add_template (&fixture->b, "Promo", "Halo dari B");
  Computer *computers[] = { &fixture->a, &fixture->b };

  sync_both (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (computers); i++)
    {
      Computer *computer = computers[i];

      g_assert_cmpint (local_int (computer, "SELECT count(*) FROM templates WHERE deleted = 0"
                                  " AND name = 'Promo' AND id = (SELECT min (id) FROM templates)"),
                       ==, 1);
      g_assert_cmpint (local_int (computer, "SELECT count(*) FROM templates WHERE deleted = 0"
                                  " AND name = 'Promo (2)' AND id = (SELECT max (id) FROM templates)"),
                       ==, 1);
      g_assert_cmpint (local_int (computer, "SELECT count(*) FROM templates WHERE deleted = 0"
                                  " AND variants LIKE '%dari A%'"), ==, 1);
      g_assert_cmpint (local_int (computer, "SELECT count(*) FROM templates WHERE deleted = 0"
                                  " AND variants LIKE '%dari B%'"), ==, 1);
      g_assert_cmpint (local_int (computer, "SELECT count(*) FROM sync_outbox"), ==, 0);
    }
  g_assert_cmpuint (server_live (&fixture->a, "templates"), ==, 2);
}

/* B changes a customer's number to one A already has as another contact:
 * the two become one contact, keeping their groups. */
static void
test_same_number_merges (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(XiContact) on_a = add_contact (&fixture->a, "Dewi", "6281200000041");
  g_autoptr(XiContact) on_b = add_contact (&fixture->b, "Dewi", "6281200000042");
  g_autoptr(XiContact) editing = NULL;
  g_autoptr(XiContact) moved = NULL;
  const char *members_a[] = { xi_contact_get_id (on_a), NULL };
  const char *members_b[] = { xi_contact_get_id (on_b), NULL };
  g_autoptr(XiGroup) group_a = add_group (&fixture->a, "Reseller", members_a);
  g_autoptr(XiGroup) group_b = add_group (&fixture->b, "Grosir", members_b);
  Computer *computers[] = { &fixture->a, &fixture->b };

  /* Read again: saving a contact saves its groups too. */
  editing = find_contact (&fixture->b, "6281200000042");
  xi_contact_set_phone (editing, "6281200000041");
  moved = save_contact (&fixture->b, editing);
  g_assert_cmpstr (xi_contact_get_id (moved), ==, xi_contact_get_id (on_b));

  sync_both (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (computers); i++)
    {
      Computer *computer = computers[i];

      g_assert_cmpint (local_int (computer, "SELECT count(*) FROM contacts WHERE deleted = 0"),
                       ==, 1);
      g_assert_cmpint (local_int (computer, "SELECT count(*) FROM group_members m"
                                  " JOIN contacts c ON c.id = m.contact_id"
                                  " WHERE m.deleted = 0 AND c.deleted = 0"), ==, 2);
      g_assert_cmpint (local_int (computer, "SELECT count(*) FROM sync_outbox"), ==, 0);
      g_assert_cmpuint (counts (computer).conflicts, ==, 0);
    }
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 1);
}

static XiContact *
add_full_contact (Computer           *computer,
                  const char         *name,
                  const char         *phone,
                  const char         *notes,
                  const char * const *tags,
                  const char * const *fields)
{
  g_autoptr(XiContact) contact = xi_contact_new ();

  xi_contact_set_name (contact, name);
  xi_contact_set_phone (contact, phone);
  xi_contact_set_notes (contact, notes);
  xi_contact_set_tags (contact, tags);
  for (guint i = 0; fields[i] != NULL; i += 2)
    xi_contact_set_custom_field (contact, fields[i], fields[i + 1]);
  return save_contact (computer, contact);
}

/* A has a customer; offline, B gives another contact that customer's
 * number (the same person, known by two numbers): the one contact both
 * end with keeps what each knew. A's reached the server first, so its
 * values win where both have one. */
static void
test_same_number_keeps_both (Fixture       *fixture,
                             gconstpointer  data)
{
  const char *tags_a[] = { "grosir", "jakarta", NULL };
  const char *tags_b[] = { "vip", "jakarta", NULL };
  const char *fields_a[] = { "kota", "Jakarta", "toko", "Maju", NULL };
  const char *fields_b[] = { "kota", "Bandung", "ultah", "1 Mei", NULL };
  g_autoptr(XiContact) on_a = add_full_contact (&fixture->a, "", "6281200000081", "Pesan pagi",
                                                tags_a, fields_a);
  g_autoptr(XiContact) on_b = add_full_contact (&fixture->b, "Dewi", "6281200000082",
                                                "Bayar tunai", tags_b, fields_b);
  const char *members_b[] = { xi_contact_get_id (on_b), NULL };
  g_autoptr(XiGroup) group_b = add_group (&fixture->b, "Pelanggan", members_b);
  g_autoptr(XiContact) editing = find_contact (&fixture->b, "6281200000082");
  g_autoptr(XiContact) moved = NULL;
  Computer *computers[] = { &fixture->a, &fixture->b };
  const char *tags[] = { "grosir", "jakarta", "vip", NULL };

  xi_contact_set_phone (editing, "6281200000081");
  moved = save_contact (&fixture->b, editing);
  g_assert_cmpstr (xi_contact_get_id (moved), !=, xi_contact_get_id (on_a));

  sync_ok (&fixture->a, NULL);
  sync_both (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (computers); i++)
    {
      g_autoptr(XiContact) merged = find_contact (computers[i], "6281200000081");

      g_assert_nonnull (merged);
      g_assert_cmpstr (xi_contact_get_id (merged), ==, xi_contact_get_id (on_a));
      g_assert_cmpstr (xi_contact_get_name (merged), ==, "Dewi");
      g_assert_cmpstr (xi_contact_get_notes (merged), ==, "Pesan pagi\nBayar tunai");
      g_assert_cmpstrv (xi_contact_get_tags (merged), tags);
      g_assert_cmpstr (xi_contact_get_custom_field (merged, "kota"), ==, "Jakarta");
      g_assert_cmpstr (xi_contact_get_custom_field (merged, "toko"), ==, "Maju");
      g_assert_cmpstr (xi_contact_get_custom_field (merged, "ultah"), ==, "1 Mei");
      g_assert_cmpint (local_int (computers[i], "SELECT count(*) FROM contacts WHERE deleted = 0"),
                       ==, 1);
      g_assert_cmpint (local_int (computers[i], "SELECT count(*) FROM group_members m"
                                  " JOIN contacts c ON c.id = m.contact_id"
                                  " WHERE m.deleted = 0 AND c.deleted = 0"), ==, 1);
      g_assert_cmpint (local_int (computers[i], "SELECT count(*) FROM sync_outbox"), ==, 0);
      g_assert_cmpuint (counts (computers[i]).conflicts, ==, 0);
    }
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 1);
}

/* Offline, A and B each save the same customer (one number, so one row)
 * with what they know: the contact both end with keeps all of it, A's
 * values where both have one, as A's reached the server first. */
static void
test_same_number_created_twice (Fixture       *fixture,
                                gconstpointer  data)
{
  const char *tags_a[] = { "grosir", "jakarta", NULL };
  const char *tags_b[] = { "vip", "jakarta", NULL };
  const char *fields_a[] = { "kota", "Jakarta", "toko", "Maju", NULL };
  const char *fields_b[] = { "kota", "Bandung", "ultah", "1 Mei", NULL };
  g_autoptr(XiContact) on_a = add_full_contact (&fixture->a, "", "6281200000083", "Pesan pagi",
                                                tags_a, fields_a);
  g_autoptr(XiContact) on_b = add_full_contact (&fixture->b, "Dewi", "6281200000083",
                                                "Bayar tunai", tags_b, fields_b);
  Computer *computers[] = { &fixture->a, &fixture->b };
  const char *tags[] = { "grosir", "jakarta", "vip", NULL };

  g_assert_cmpstr (xi_contact_get_id (on_a), ==, xi_contact_get_id (on_b));
  sync_ok (&fixture->a, NULL);
  sync_both (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (computers); i++)
    {
      g_autoptr(XiContact) merged = find_contact (computers[i], "6281200000083");

      g_assert_nonnull (merged);
      g_assert_cmpstr (xi_contact_get_name (merged), ==, "Dewi");
      g_assert_cmpstr (xi_contact_get_notes (merged), ==, "Pesan pagi\nBayar tunai");
      g_assert_cmpstrv (xi_contact_get_tags (merged), tags);
      g_assert_cmpstr (xi_contact_get_custom_field (merged, "kota"), ==, "Jakarta");
      g_assert_cmpstr (xi_contact_get_custom_field (merged, "toko"), ==, "Maju");
      g_assert_cmpstr (xi_contact_get_custom_field (merged, "ultah"), ==, "1 Mei");
      g_assert_cmpint (local_int (computers[i], "SELECT count(*) FROM sync_outbox"), ==, 0);
    }

  /* Later edits are edits: B removes a tag, and it stays removed. */
  {
    g_autoptr(XiContact) editing = find_contact (&fixture->b, "6281200000083");
    g_autoptr(XiContact) saved = NULL;
    g_autoptr(XiContact) after = NULL;
    const char *fewer[] = { "grosir", NULL };

    xi_contact_set_tags (editing, fewer);
    saved = save_contact (&fixture->b, editing);
    sync_both (fixture);
    after = find_contact (&fixture->a, "6281200000083");
    g_assert_cmpstrv (xi_contact_get_tags (after), fewer);
  }
}

/* A and B both receive one message (each is a linked device of the same
 * number): the server keeps it once and both show it once. */
static void
test_same_message_once (Fixture       *fixture,
                        gconstpointer  data)
{
  Computer *computers[] = { &fixture->a, &fixture->b };

  for (guint i = 0; i < G_N_ELEMENTS (computers); i++)
    {
      g_autoptr(XiIncoming) incoming = NULL;
      g_autoptr(GError) error = NULL;

      XI_TEST_WAIT (xi_store_record_incoming_async (computers[i]->store, "6281200000051", NULL,
                                                    "3EB0C0FFEE51", "Halo", NULL, NULL,
                                                    xi_test_store_result_cb, &slot_),
                    incoming = xi_store_record_incoming_finish (computers[i]->store, result_,
                                                                NULL, &error));
      g_assert_no_error (error);
    }
  sync_both (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (computers); i++)
    {
      g_assert_cmpint (local_int (computers[i], "SELECT count(*) FROM incoming_messages"), ==, 1);
      g_assert_cmpint (local_int (computers[i], "SELECT count(*) FROM sync_outbox"), ==, 0);
      g_assert_cmpuint (counts (computers[i]).dead, ==, 0);
    }
  g_assert_cmpuint (server_live (&fixture->a, "incoming_messages"), ==, 1);
}

static GPtrArray *
list_thread (Computer   *computer,
             const char *phone)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *messages = NULL;

  XI_TEST_WAIT (xi_store_list_thread_async (computer->store, phone, 100, NULL,
                                            xi_test_store_result_cb, &slot_),
                messages = xi_store_list_thread_finish (computer->store, result_, &error));
  g_assert_no_error (error);
  return messages;
}

/* A answers a customer by hand; B shows the answer in the conversation,
 * then its ticks as A's receipts move them. */
static void
test_reply_reaches_b (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(XiIncoming) incoming = NULL;
  g_autoptr(XiChatMessage) reply = NULL;
  g_autoptr(GPtrArray) thread = NULL;
  g_autoptr(GError) error = NULL;
  XiChatMessage *last;
  gboolean ok = FALSE;

  XI_TEST_WAIT (xi_store_record_incoming_async (fixture->a.store, "6281200000061", NULL,
                                                "3EB0C0FFEE61", "Masih ada?", NULL, NULL,
                                                xi_test_store_result_cb, &slot_),
                incoming = xi_store_record_incoming_finish (fixture->a.store, result_, NULL,
                                                            &error));
  g_assert_no_error (error);
  XI_TEST_WAIT (xi_store_add_reply_async (fixture->a.store, "6281200000061", "3EB0REPLY61",
                                          "Masih, kak", "3EB0C0FFEE61", NULL,
                                          xi_test_store_result_cb, &slot_),
                reply = xi_store_add_reply_finish (fixture->a.store, result_, &error));
  g_assert_no_error (error);
  XI_TEST_WAIT (xi_store_finish_reply_async (fixture->a.store, "3EB0REPLY61", NULL, NULL,
                                             xi_test_store_result_cb, &slot_),
                ok = xi_store_finish_reply_finish (fixture->a.store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);

  sync_ok (&fixture->a, NULL);
  sync_ok (&fixture->b, NULL);

  thread = list_thread (&fixture->b, "6281200000061");
  g_assert_cmpuint (thread->len, ==, 2);
  g_assert_cmpint (xi_chat_message_get_kind (g_ptr_array_index (thread, 0)), ==,
                   XI_CHAT_KIND_CUSTOMER);
  last = g_ptr_array_index (thread, 1);
  g_assert_cmpint (xi_chat_message_get_kind (last), ==, XI_CHAT_KIND_REPLY);
  g_assert_cmpstr (xi_chat_message_get_message_id (last), ==, "3EB0REPLY61");
  g_assert_cmpstr (xi_chat_message_get_text (last), ==, "Masih, kak");
  g_assert_cmpint (xi_chat_message_get_state (last), ==, XI_CHAT_STATE_SENT);
  g_assert_cmpuint (server_live (&fixture->a, "outgoing_messages"), ==, 1);
  g_assert_cmpint (local_int (&fixture->b, "SELECT count(*) FROM sync_outbox"), ==, 0);

  /* A failed resend on A: its new state follows to B. */
  XI_TEST_WAIT (xi_store_finish_reply_async (fixture->a.store, "3EB0REPLY61", "offline", NULL,
                                             xi_test_store_result_cb, &slot_),
                ok = xi_store_finish_reply_finish (fixture->a.store, result_, &error));
  g_assert_no_error (error);
  sync_ok (&fixture->a, NULL);
  sync_ok (&fixture->b, NULL);
  g_clear_pointer (&thread, g_ptr_array_unref);
  thread = list_thread (&fixture->b, "6281200000061");
  g_assert_cmpuint (thread->len, ==, 2);
  g_assert_cmpint (xi_chat_message_get_state (g_ptr_array_index (thread, 1)), ==,
                   XI_CHAT_STATE_FAILED);
}

/* A saves an audience; on B it selects B's customers that match and a
 * campaign made from it targets them. */
static void
test_segment_targets_on_b (Fixture       *fixture,
                           gconstpointer  data)
{
  const char *conditions[] = { "#grosir", NULL };
  g_autoptr(XiSegment) saved = NULL;
  g_autoptr(GPtrArray) segments = NULL;
  g_autoptr(GPtrArray) matching = NULL;
  g_autoptr(XiContactFilter) filter = NULL;
  g_autoptr(XiJobSpec) spec = xi_job_spec_new ();
  g_autoptr(XiTemplate) template_ = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GError) error = NULL;
  XiSegment *on_b;

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812000007%02u", i);
      g_autoptr(XiContact) contact = xi_contact_new ();
      const char *grosir[] = { "grosir", NULL };
      const char *none[] = { NULL };
      g_autoptr(XiContact) added = NULL;

      xi_contact_set_name (contact, "Toko");
      xi_contact_set_phone (contact, phone);
      xi_contact_set_tags (contact, i < 3 ? grosir : none);
      added = save_contact (&fixture->a, contact);
    }
  saved = add_segment (&fixture->a, "Grosir", conditions);

  sync_ok (&fixture->a, NULL);
  sync_ok (&fixture->b, NULL);

  segments = list_segments (&fixture->b);
  g_assert_cmpuint (segments->len, ==, 1);
  on_b = g_ptr_array_index (segments, 0);
  g_assert_cmpstr (on_b->id, ==, saved->id);
  g_assert_cmpstr (on_b->name, ==, "Grosir");
  g_assert_cmpstrv (on_b->conditions, conditions);

  filter = xi_segment_get_filter (on_b, &error);
  g_assert_no_error (error);
  XI_TEST_WAIT (xi_store_filter_contacts_async (fixture->b.store, filter, NULL,
                                                xi_test_store_result_cb, &slot_),
                matching = xi_store_filter_contacts_finish (fixture->b.store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (matching->len, ==, 3);

  template_ = add_template (&fixture->b, "Grosir", "Halo {name}");
  spec->template_id = g_strdup (xi_template_get_id (template_));
  spec->contact_ids = g_new0 (char *, matching->len + 1);
  for (guint i = 0; i < matching->len; i++)
    spec->contact_ids[i] = g_strdup (xi_contact_get_id (g_ptr_array_index (matching, i)));
  XI_TEST_WAIT (xi_store_create_job_async (fixture->b.store, spec, NULL,
                                           xi_test_store_result_cb, &slot_),
                job = xi_store_create_job_finish (fixture->b.store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (xi_job_get_total (job), ==, 3);

  /* Deleted on B, gone on A. */
  XI_TEST_WAIT (xi_store_delete_segment_async (fixture->b.store, on_b->id, NULL,
                                               xi_test_store_result_cb, &slot_),
                xi_store_delete_segment_finish (fixture->b.store, result_, &error));
  g_assert_no_error (error);
  sync_ok (&fixture->b, NULL);
  sync_ok (&fixture->a, NULL);
  g_clear_pointer (&segments, g_ptr_array_unref);
  segments = list_segments (&fixture->a);
  g_assert_cmpuint (segments->len, ==, 0);
}

/* Offline, A and B each save a segment "Jakarta" that selects different
 * customers: both stay, the second renamed, the same on both. */
static void
test_same_segment_name_renamed (Fixture       *fixture,
                                gconstpointer  data)
{
  const char *on_a[] = { "#jakarta", NULL };
  const char *on_b[] = { "#jkt", NULL };
  g_autoptr(XiSegment) saved_a = add_segment (&fixture->a, "Jakarta", on_a);
  g_autoptr(XiSegment) saved_b = add_segment (&fixture->b, "Jakarta", on_b);
  Computer *computers[] = { &fixture->a, &fixture->b };
  const char *keeps = strcmp (saved_a->id, saved_b->id) < 0 ? saved_a->id : saved_b->id;

  sync_both (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (computers); i++)
    {
      g_autoptr(GPtrArray) segments = list_segments (computers[i]);

      g_assert_cmpuint (segments->len, ==, 2);
      for (guint j = 0; j < segments->len; j++)
        {
          XiSegment *segment = g_ptr_array_index (segments, j);
          XiSegment *made = g_str_equal (segment->id, saved_a->id) ? saved_a : saved_b;

          g_assert_cmpstr (segment->name, ==,
                           g_str_equal (segment->id, keeps) ? "Jakarta" : "Jakarta (2)");
          g_assert_cmpstrv (segment->conditions, made->conditions);
        }
      g_assert_cmpint (local_int (computers[i], "SELECT count(*) FROM sync_outbox"), ==, 0);
      g_assert_cmpuint (counts (computers[i]).conflicts, ==, 0);
    }
  g_assert_cmpuint (server_live (&fixture->a, "segments"), ==, 2);
}

static void
up_to_date_cb (XiSyncService *service,
               GParamSpec    *pspec,
               guint         *passes)
{
  if (xi_sync_service_get_state (service) == XI_SYNC_STATE_UP_TO_DATE)
    (*passes)++;
}

/* Online, the server's refusal of a campaign's quota reaches it within
 * seconds of its start: the sync service pushes the call at once instead
 * of at its next pass a minute later, while the campaign sends a message
 * every half second. */
static void
test_quota_refused_online (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(XiSyncService) service = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) claimed = NULL;
  g_autoptr(XiJob) now = NULL;
  gint64 deadline;
  guint passes = 0;

  service = xi_sync_service_new (fixture->a.store, fs_rig_get_url (rig),
                                 fs_rig_get_anon_key (rig));
  g_signal_connect (service, "notify::state", G_CALLBACK (up_to_date_cb), &passes);
  xi_sync_service_start (service);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (passes == 0 && g_get_monotonic_time () < deadline)
    iterate_for (100);
  g_assert_cmpuint (passes, >, 0);

  /* Another computer spent the allowance; this one has not heard yet. */
  set_allowance (&fixture->a, 3);
  job = make_campaign (&fixture->a, 10, 3);
  claimed = claim_next (&fixture->a);
  now = g_object_ref (claimed);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (xi_job_get_state (now) != XI_JOB_STATE_PAUSED && xi_job_get_sent (now) < 10 &&
         g_get_monotonic_time () < deadline)
    {
      g_autoptr(XiJob) sent = NULL;

      iterate_for (500);
      g_clear_object (&now);
      now = get_job (&fixture->a, xi_job_get_id (job));
      if (xi_job_get_state (now) != XI_JOB_STATE_PAUSED)
        sent = send_messages (&fixture->a, claimed, 1);
    }

  xi_sync_service_stop (service);
  g_test_message ("sent before the refusal paused it: %u", xi_job_get_sent (now));
  g_assert_cmpint (xi_job_get_state (now), ==, XI_JOB_STATE_PAUSED);
  g_assert_cmpuint (xi_job_get_sent (now), <=, 3);
  g_assert_nonnull (strstr (xi_job_get_last_error (now), "needs 10 messages and only 3"));
}

static gboolean
delete_job (Computer  *computer,
            XiJob     *job,
            GError   **error)
{
  gboolean ok = FALSE;

  XI_TEST_WAIT (xi_store_delete_job_async (computer->store, xi_job_get_id (job), NULL,
                                           xi_test_store_result_cb, &slot_),
                ok = xi_store_delete_job_finish (computer->store, result_, error));
  return ok;
}

/* Deleting a campaign that has not finished gives back on the server what
 * it had reserved and not sent; one that is sending must be paused first. */
static void
test_quota_released_on_delete (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(XiJob) job = make_campaign (&fixture->a, 5, 4);
  g_autoptr(XiJob) claimed = NULL;
  g_autoptr(XiJob) after = NULL;
  g_autoptr(XiJob) paused = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reservation = NULL;
  g_autofree char *quota = NULL;

  set_allowance (&fixture->a, 100);
  sync_ok (&fixture->a, NULL);
  quota = server_quota (&fixture->a);
  g_assert_cmpstr (quota, ==, "0/5");

  claimed = claim_next (&fixture->a);
  after = send_messages (&fixture->a, claimed, 2);
  g_assert_false (delete_job (&fixture->a, after, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_STATE);
  g_clear_error (&error);

  paused = command (&fixture->a, after, XI_JOB_COMMAND_PAUSE, &error);
  g_assert_no_error (error);
  g_assert_true (delete_job (&fixture->a, paused, &error));
  g_assert_no_error (error);
  g_assert_cmpint (local_int (&fixture->a, "SELECT count(*) FROM jobs WHERE deleted = 0"), ==, 0);

  sync_ok (&fixture->a, NULL);
  reservation = server_reservation (&fixture->a, job);
  g_assert_cmpstr (reservation, ==, "5/2/committed");
  g_free (quota);
  quota = server_quota (&fixture->a);
  g_assert_cmpstr (quota, ==, "2/0");
  g_assert_cmpint (local_int (&fixture->a, "SELECT count(*) FROM sync_outbox"), ==, 0);

  /* The other computer sees it gone. */
  sync_ok (&fixture->b, NULL);
  g_assert_cmpint (local_int (&fixture->b, "SELECT count(*) FROM jobs WHERE deleted = 0"), ==, 0);
}

/* Runs SQL on the server as its owner, with the row triggers and the
 * foreign keys off, the way a restore or a broken server writes. */
static void
server_sql (const char *format,
            ...)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *statement = NULL;
  va_list args;

  va_start (args, format);
  body = g_strdup_vprintf (format, args);
  va_end (args);
  statement = g_strconcat ("begin; set local session_replication_role = replica; ", body,
                           "; commit;", NULL);
  g_assert_true (fs_rig_sql (rig, statement, &error));
  g_assert_no_error (error);
}

/* The account's counter on the server. */
static gint64
server_last_seq (Computer *computer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;

  XI_TEST_WAIT (xi_supabase_client_rpc_async (computer->client, "sync_state", NULL, NULL,
                                              xi_test_store_result_cb, &slot_),
                state = xi_supabase_client_rpc_finish (computer->client, result_, &error));
  g_assert_no_error (error);
  return json_object_get_int_member (json_node_get_object (state), "last_seq");
}

static char *
server_contact (Computer   *computer,
                XiContact  *contact,
                const char *field)
{
  const char *fields[] = { field, NULL };

  return server_fields (computer, "contacts", "id", xi_contact_get_id (contact), fields);
}

/* The project's database goes back to a backup taken before A renamed a
 * contact and B added one. A finds its checkpoint past the server's
 * counter, reads everything again and sends back what the server lost,
 * without deleting anything here; then both computers and the server
 * agree again. */
static void
test_server_restored_from_backup (Fixture       *fixture,
                                  gconstpointer  data)
{
  const char *master = xi_supabase_client_get_user_id (fixture->a.client);
  g_autoptr(XiContact) ayu = add_contact (&fixture->a, "Ayu", "6281200000071");
  g_autoptr(XiContact) budi = add_contact (&fixture->a, "Budi", "6281200000072");
  g_autoptr(XiContact) citra = NULL;
  g_autoptr(XiContact) renamed = NULL;
  g_autoptr(XiContact) seen = NULL;
  g_autoptr(GPtrArray) on_a = NULL;
  g_autoptr(GPtrArray) on_b = NULL;
  g_autofree char *name = NULL;
  g_autofree char *backup = g_strdup_printf ("backup_%08x", g_random_int ());
  XiSyncStats stats;

  sync_both (fixture);
  server_sql ("create table public.%s_rows as select * from public.contacts"
              " where master_user_id = '%s';"
              " create table public.%s_counter as select * from private.sync_counters"
              " where master_user_id = '%s'", backup, master, backup, master);

  renamed = find_contact (&fixture->a, "6281200000071");
  xi_contact_set_name (renamed, "Ayu Lestari");
  g_object_unref (save_contact (&fixture->a, renamed));
  citra = add_contact (&fixture->b, "Citra", "6281200000073");
  sync_both (fixture);
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 3);

  server_sql ("delete from public.contacts where master_user_id = '%s';"
              " insert into public.contacts select * from public.%s_rows;"
              " update private.sync_counters c set last_seq = b.last_seq from public.%s_counter b"
              " where c.master_user_id = b.master_user_id;"
              " drop table public.%s_rows; drop table public.%s_counter",
              master, backup, backup, backup, backup);
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 2);

  /* The rename and Citra exist only on the computers now. */
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.restored, ==, 2);
  on_a = list_contacts (&fixture->a);
  g_assert_cmpuint (on_a->len, ==, 3);
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 2);
  g_assert_cmpuint (stats.refused, ==, 0);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 0);
  g_assert_cmpuint (counts (&fixture->a).conflicts, ==, 0);

  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 3);
  name = server_contact (&fixture->a, ayu, "name");
  g_assert_cmpstr (name, ==, "Ayu Lestari");
  g_clear_pointer (&name, g_free);
  name = server_contact (&fixture->a, citra, "name");
  g_assert_cmpstr (name, ==, "Citra");
  g_clear_pointer (&name, g_free);
  name = server_contact (&fixture->a, budi, "name");
  g_assert_cmpstr (name, ==, "Budi");

  sync_both (fixture);
  on_b = list_contacts (&fixture->b);
  g_assert_cmpuint (on_b->len, ==, 3);
  seen = find_contact (&fixture->b, "6281200000071");
  g_assert_cmpstr (xi_contact_get_name (seen), ==, "Ayu Lestari");
  g_clear_object (&seen);
  seen = find_contact (&fixture->a, "6281200000073");
  g_assert_nonnull (seen);
  g_assert_cmpstr (xi_contact_get_id (seen), ==, xi_contact_get_id (citra));
  g_assert_cmpuint (counts (&fixture->b).pending, ==, 0);
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 3);

  /* And sync goes on from there: a new contact still reaches B. */
  g_object_unref (add_contact (&fixture->a, "Dewi", "6281200000074"));
  sync_both (fixture);
  g_clear_object (&seen);
  seen = find_contact (&fixture->b, "6281200000074");
  g_assert_nonnull (seen);
}

/* A copy of the account's contacts, counter and device marks, as a
 * backup of the project's database would hold them. */
static void
backup_contacts (const char *master,
                 const char *backup)
{
  server_sql ("create table public.%s_rows as select * from public.contacts"
              " where master_user_id = '%s';"
              " create table public.%s_counter as select * from private.sync_counters"
              " where master_user_id = '%s';"
              " create table public.%s_marks as select * from private.device_marks"
              " where master_user_id = '%s'", backup, master, backup, master, backup, master);
}

/* The database goes back to that copy, and the copy is dropped. */
static void
restore_contacts (const char *master,
                  const char *backup)
{
  server_sql ("delete from public.contacts where master_user_id = '%s';"
              " insert into public.contacts select * from public.%s_rows;"
              " update private.sync_counters c set last_seq = b.last_seq from public.%s_counter b"
              " where c.master_user_id = b.master_user_id;"
              " delete from private.device_marks where master_user_id = '%s';"
              " insert into private.device_marks select * from public.%s_marks;"
              " drop table public.%s_rows; drop table public.%s_counter; drop table public.%s_marks",
              master, backup, backup, master, backup, backup, backup, backup);
}

/* The server goes back to a copy taken before A added Citra and renamed
 * Ayu, device marks included, and B then writes more than A has read,
 * so the counter is past A's checkpoint again: A still finds out from
 * its own mark, lower than the number the server gave its last write,
 * and sends both rows back. */
static void
test_restored_counter_passed (Fixture       *fixture,
                              gconstpointer  data)
{
  const char *master = xi_supabase_client_get_user_id (fixture->a.client);
  g_autoptr(XiContact) ayu = add_contact (&fixture->a, "Ayu", "6281200000091");
  g_autoptr(XiContact) renamed = NULL;
  g_autoptr(XiContact) citra = NULL;
  g_autoptr(GPtrArray) on_a = NULL;
  g_autoptr(GPtrArray) on_b = NULL;
  g_autofree char *backup = g_strdup_printf ("backup_%08x", g_random_int ());
  g_autofree char *name = NULL;
  XiSyncStats stats;

  sync_both (fixture);
  backup_contacts (master, backup);

  renamed = find_contact (&fixture->a, "6281200000091");
  xi_contact_set_name (renamed, "Ayu Lestari");
  g_object_unref (save_contact (&fixture->a, renamed));
  citra = add_contact (&fixture->a, "Citra", "6281200000092");
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 2);

  restore_contacts (master, backup);
  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812000001%02u", i);

      g_object_unref (add_contact (&fixture->b, "Dewi", phone));
    }
  sync_ok (&fixture->b, NULL);
  g_assert_cmpint (local_int (&fixture->a, "SELECT max (last_seq) FROM sync_checkpoints"), <,
                   server_last_seq (&fixture->a));

  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.restored, ==, 2);
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 2);
  g_assert_cmpuint (stats.refused, ==, 0);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 0);
  name = server_contact (&fixture->a, ayu, "name");
  g_assert_cmpstr (name, ==, "Ayu Lestari");
  g_clear_pointer (&name, g_free);
  name = server_contact (&fixture->a, citra, "name");
  g_assert_cmpstr (name, ==, "Citra");
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 10);
  on_a = list_contacts (&fixture->a);
  g_assert_cmpuint (on_a->len, ==, 10);

  /* Once is enough: the next passes find nothing lost. */
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.restored, ==, 0);
  sync_both (fixture);
  on_b = list_contacts (&fixture->b);
  g_assert_cmpuint (on_b->len, ==, 10);
}

/* After the restore A writes more than it lost, and its pass fails
 * before it has read anything: the counter is past A's checkpoints from
 * then on (A's own writes never moved them). The pass that found the marks lower had begun the re-read of
 * every table on disk, so the next pass still sends Citra back. */
static void
test_restored_own_pushes_passed (Fixture       *fixture,
                                 gconstpointer  data)
{
  const char *master = xi_supabase_client_get_user_id (fixture->a.client);
  g_autoptr(XiContact) citra = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *backup = g_strdup_printf ("backup_%08x", g_random_int ());
  g_autofree char *name = NULL;
  XiSyncStats stats;

  g_object_unref (add_contact (&fixture->a, "Ayu", "6281200000301"));
  sync_both (fixture);
  server_sql ("create table public.%s_counter as select * from private.sync_counters"
              " where master_user_id = '%s';"
              " create table public.%s_marks as select * from private.device_marks"
              " where master_user_id = '%s'", backup, master, backup, master);
  citra = add_contact (&fixture->a, "Citra", "6281200000302");
  sync_ok (&fixture->a, NULL);
  server_sql ("delete from public.contacts where id = '%s';"
              " update private.sync_counters c set last_seq = b.last_seq from public.%s_counter b"
              " where c.master_user_id = b.master_user_id; drop table public.%s_counter;"
              " delete from private.device_marks where master_user_id = '%s';"
              " insert into private.device_marks select * from public.%s_marks;"
              " drop table public.%s_marks",
              xi_contact_get_id (citra), backup, backup, master, backup, backup);

  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812000003%02u", i + 10);

      g_object_unref (add_contact (&fixture->a, "Eka", phone));
    }
  /* A pass that reads a table fails there (one that reads none, as it
   * would without the marks, goes through). */
  control ("fail?status=503&path=/rest/v1/groups&method=GET");
  run_sync (&fixture->a, &stats, &error);
  g_clear_error (&error);
  g_assert_cmpuint (stats.pushed, ==, 8);
  control ("reset");
  control ("max-rows?n=0");
  g_assert_cmpint (local_int (&fixture->a, "SELECT max (last_seq) FROM sync_checkpoints"), <,
                   server_last_seq (&fixture->a));

  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.restored, ==, 1);
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1);
  name = server_contact (&fixture->a, citra, "name");
  g_assert_cmpstr (name, ==, "Citra");
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 10);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 0);
}

/* The server goes back to a copy from before A added Citra, device
 * marks included; A's next pass finds out and queues Citra to go back. */
static XiContact *
restore_without_citra (Fixture    *fixture,
                       const char *backup)
{
  const char *master = xi_supabase_client_get_user_id (fixture->a.client);
  XiContact *citra;
  XiSyncStats stats;

  g_object_unref (add_contact (&fixture->a, "Ayu", "6281200000201"));
  sync_both (fixture);
  server_sql ("create table public.%s_counter as select * from private.sync_counters"
              " where master_user_id = '%s';"
              " create table public.%s_marks as select * from private.device_marks"
              " where master_user_id = '%s'", backup, master, backup, master);
  citra = add_contact (&fixture->a, "Citra", "6281200000202");
  sync_ok (&fixture->a, NULL);
  server_sql ("delete from public.contacts where id = '%s';"
              " update private.sync_counters c set last_seq = b.last_seq from public.%s_counter b"
              " where c.master_user_id = b.master_user_id; drop table public.%s_counter;"
              " delete from private.device_marks where master_user_id = '%s';"
              " insert into private.device_marks select * from public.%s_marks;"
              " drop table public.%s_marks",
              xi_contact_get_id (citra), backup, backup, master, backup, backup);
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.restored, ==, 1);
  return citra;
}

/* A row sent back after a restore that the server answers without
 * taking it stays here as a refused change, with a message, instead of
 * counting as sent; once the server takes rows again, retrying it sends
 * it. */
static void
test_restored_row_dropped (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *backup = g_strdup_printf ("backup_%08x", g_random_int ());
  g_autoptr(XiContact) citra = restore_without_citra (fixture, backup);
  g_autoptr(GPtrArray) dead = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  XiSyncStats stats;
  XiSyncOp *op;

  server_sql ("create function public.%s_drop () returns trigger language plpgsql as"
              " $$ begin return null; end $$;"
              " create trigger aaa_%s before insert on public.contacts for each row"
              " when (new.phone = '6281200000202') execute function public.%s_drop ()",
              backup, backup, backup);

  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 0);
  g_assert_cmpuint (counts (&fixture->a).dead, ==, 1);
  g_assert_cmpint (local_int (&fixture->a, "SELECT count(*) FROM contacts"
                              " WHERE sync_status = 'rejected'"), ==, 1);
  XI_TEST_WAIT (xi_store_sync_list_dead_async (fixture->a.store, NULL,
                                               xi_test_store_result_cb, &slot_),
                dead = xi_store_sync_list_dead_finish (fixture->a.store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dead->len, ==, 1);
  op = g_ptr_array_index (dead, 0);
  g_assert_cmpstr (op->row_id, ==, xi_contact_get_id (citra));
  g_assert_nonnull (strstr (op->last_error, "put back to an earlier copy"));

  server_sql ("drop trigger aaa_%s on public.contacts; drop function public.%s_drop ()",
              backup, backup);
  XI_TEST_WAIT (xi_store_sync_resolve_dead_async (fixture->a.store, op->op_id,
                                                  XI_SYNC_DEAD_RETRY, NULL,
                                                  xi_test_store_result_cb, &slot_),
                xi_store_sync_resolve_dead_finish (fixture->a.store, result_, &error));
  g_assert_no_error (error);
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1);
  name = server_contact (&fixture->a, citra, "name");
  g_assert_cmpstr (name, ==, "Citra");
  g_assert_cmpuint (counts (&fixture->a).dead, ==, 0);
}

/* A row queued to go back after a restore is gone from this computer's
 * file before the next pass (another program removed it). The engine
 * skips its op without sending it: the server turned nothing down, so
 * nothing waits for the user, and the row is no longer watched. */
static void
test_restored_row_gone_here (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *backup = g_strdup_printf ("backup_%08x", g_random_int ());
  g_autoptr(XiContact) citra = restore_without_citra (fixture, backup);
  g_autofree char *statement = g_strdup_printf ("DELETE FROM contacts WHERE id = '%s'",
                                                xi_contact_get_id (citra));
  XiSyncStats stats;

  g_assert_cmpint (local_int (&fixture->a, "SELECT count(*) FROM sync_resync"
                              " WHERE table_name = 'repush:contacts'"), ==, 1);
  local_exec (&fixture->a, statement);

  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.skipped, ==, 1);
  g_assert_cmpuint (stats.refused, ==, 0);
  g_assert_cmpuint (counts (&fixture->a).dead, ==, 0);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 0);
  g_assert_cmpint (local_int (&fixture->a, "SELECT count(*) FROM sync_resync"
                              " WHERE table_name = 'repush:contacts'"), ==, 0);
}

/* The copy of backup_contacts() put back while A's pass is held between
 * its read of the server's state and its first push. */
typedef struct
{
  const char *master;
  const char *backup;
  guint       restore_at;  /* the batch before which the copy is put back */
  guint       again_at;    /* the batch before which A's mark goes back again, or G_MAXUINT */
  guint       held;
} HeldRestore;

static void
restore_before_push_cb (XiSyncEngine *engine,
                        guint         n_ops,
                        gpointer      user_data)
{
  HeldRestore *restore = user_data;

  if (restore->held == restore->restore_at)
    restore_contacts (restore->master, restore->backup);
  else if (restore->held == restore->again_at)
    server_sql ("update private.device_marks set pushed_seq = 0 where master_user_id = '%s'",
                restore->master);
  restore->held++;
}

/* A adds Ayu, both computers sync, the server is backed up, and A adds
 * Citra and pushes it: Citra is what a restore to that copy loses. */
static XiContact *
citra_after_backup (Fixture     *fixture,
                    HeldRestore *restore)
{
  XiContact *citra;
  XiSyncStats stats;

  g_object_unref (add_contact (&fixture->a, "Ayu", "6281200000501"));
  sync_both (fixture);
  backup_contacts (restore->master, restore->backup);
  citra = add_contact (&fixture->a, "Citra", "6281200000502");
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1);
  return citra;
}

/* A pass of A held at each batch by restore_before_push_cb(). */
static gboolean
run_held (Fixture      *fixture,
          HeldRestore  *restore,
          XiSyncStats  *stats,
          GError      **error)
{
  gulong handler = g_signal_connect (fixture->a.engine, "pushing",
                                     G_CALLBACK (restore_before_push_cb), restore);
  gboolean ok = run_sync (&fixture->a, stats, error);

  g_signal_handler_disconnect (fixture->a.engine, handler);
  return ok;
}

/* A reads the server's state, agreeing with what it knew, and the server
 * is put back to a copy from before Citra before A pushes Dewi and Eka.
 * Those two writes would take the restored mark past the one A saw, so
 * nothing A reads later would show the loss; the server refuses them
 * instead, and the same pass reads everything again, sends Dewi and Eka
 * and queues Citra, which the next pass sends back. B, whose writes the
 * restore did not touch, is never refused. */
static void
test_restored_before_push (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *backup = g_strdup_printf ("backup_%08x", g_random_int ());
  HeldRestore restore = { xi_supabase_client_get_user_id (fixture->a.client), backup, 0, G_MAXUINT, 0 };
  g_autoptr(XiContact) citra = citra_after_backup (fixture, &restore);
  g_autoptr(GPtrArray) on_b = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  XiSyncStats stats;

  g_object_unref (add_contact (&fixture->a, "Dewi", "6281200000503"));
  g_object_unref (add_contact (&fixture->a, "Eka", "6281200000504"));
  g_assert_true (run_held (fixture, &restore, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.restored, ==, 1);
  g_assert_cmpuint (stats.pushed, ==, 2);
  g_assert_cmpuint (stats.refused, ==, 0);
  g_assert_cmpuint (restore.held, ==, 2);

  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_assert_cmpuint (stats.restored, ==, 0);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 0);
  g_assert_cmpuint (counts (&fixture->a).dead, ==, 0);
  name = server_contact (&fixture->a, citra, "name");
  g_assert_cmpstr (name, ==, "Citra");
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 4);

  /* B's mark was not lost: its writes go through as ever. */
  g_object_unref (add_contact (&fixture->b, "Fajar", "6281200000505"));
  sync_ok (&fixture->b, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_assert_cmpuint (stats.restored, ==, 0);
  sync_both (fixture);
  on_b = list_contacts (&fixture->b);
  g_assert_cmpuint (on_b->len, ==, 5);
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 5);
  g_assert_cmpint (local_int (&fixture->a, "SELECT count(*) FROM sync_state"
                              " WHERE key LIKE 'restore:%'"), ==, 0);
}

/* The server goes back once more while A's pass, having found the first
 * restore, is held before it pushes again: the pass gives up with an
 * error worth retrying and keeps the ops; the next pass finds A's mark
 * lower in the server's state and sends everything the server lost. */
static void
test_restored_twice_in_a_pass (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *backup = g_strdup_printf ("backup_%08x", g_random_int ());
  HeldRestore restore = { xi_supabase_client_get_user_id (fixture->a.client), backup, 0, 1, 0 };
  g_autoptr(XiContact) citra = citra_after_backup (fixture, &restore);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  XiSyncStats stats;

  g_object_unref (add_contact (&fixture->a, "Dewi", "6281200000503"));
  g_assert_false (run_held (fixture, &restore, &stats, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_SERVER_RESTORED);
  g_assert_true (xi_sync_error_is_transient (error));
  g_assert_cmpuint (restore.held, ==, 2);
  g_assert_cmpuint (stats.pushed, ==, 0);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 1);
  g_assert_cmpuint (counts (&fixture->a).dead, ==, 0);

  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_assert_cmpuint (stats.restored, ==, 1);
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 0);
  name = server_contact (&fixture->a, citra, "name");
  g_assert_cmpstr (name, ==, "Citra");
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 3);
}

/* A pushes more than one batch; after the first is written the server
 * goes back to a copy from before it. The second batch expects the mark
 * the first one's rows were given, so it is refused, and the same pass
 * finds the first batch lost and queues it to go back. */
static void
test_restored_between_batches (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *backup = g_strdup_printf ("backup_%08x", g_random_int ());
  HeldRestore restore = { xi_supabase_client_get_user_id (fixture->a.client), backup, 1,
                          G_MAXUINT, 0 };
  g_autoptr(GError) error = NULL;
  XiSyncStats stats;

  g_object_unref (add_contact (&fixture->a, "Ayu", "6281200000531"));
  sync_both (fixture);
  backup_contacts (restore.master, backup);
  for (guint i = 0; i < 201; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812000106%02u%u", i % 100, i / 100);

      g_object_unref (add_contact (&fixture->a, "Eka", phone));
    }

  g_assert_true (run_held (fixture, &restore, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.restored, ==, 200);
  g_assert_cmpuint (stats.pushed, ==, 201);
  g_assert_cmpuint (restore.held, ==, 3);

  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 200);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 0);
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 202);
}

/* A's push commits but its reply is lost, after A's mark was known: the
 * retry, expecting the mark A saw before, finds the server's higher and
 * is taken as the replay it is, not as a restore. */
static void
test_reply_lost_not_restored (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  XiSyncStats stats;

  g_object_unref (add_contact (&fixture->a, "Ayu", "6281200000511"));
  sync_ok (&fixture->a, NULL);
  g_object_unref (add_contact (&fixture->a, "Budi", "6281200000512"));
  control ("drop-after-commit?path=/rest/v1/contacts&method=POST");
  g_assert_false (run_sync (&fixture->a, NULL, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_NETWORK);
  g_clear_error (&error);

  wait_seconds (1.2);
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_assert_cmpuint (stats.restored, ==, 0);
  g_assert_cmpint (local_int (&fixture->a, "SELECT count(*) FROM sync_resync"), ==, 0);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 0);
  g_assert_cmpuint (server_live (&fixture->a, "contacts"), ==, 2);
}

/* B's re-read of contacts after a purge stops half way. While B is
 * closed, A deletes a contact B had already read again and the server
 * purges its tombstone past where B stopped: B starts the re-read over
 * instead of going on, so the contact goes on B too. */
static void
test_resumed_reread_below_fence (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(XiContact) first = add_contact (&fixture->a, "Ayu", "6281200000401");
  g_autoptr(XiContact) last = NULL;
  g_autoptr(XiContact) gone = NULL;
  g_autoptr(XiContact) seen = NULL;
  g_autoptr(GPtrArray) on_b = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *seq = NULL;

  sync_ok (&fixture->a, NULL);
  g_object_unref (add_contact (&fixture->a, "Budi", "6281200000402"));
  g_object_unref (add_contact (&fixture->a, "Citra", "6281200000403"));
  sync_ok (&fixture->a, NULL);
  last = add_contact (&fixture->a, "Dewi", "6281200000404");
  sync_ok (&fixture->a, NULL);
  gone = add_contact (&fixture->a, "Eka", "6281200000405");
  sync_both (fixture);

  /* A purge past B's checkpoint sends B reading contacts again, two rows
   * a page; a row the server numbers past its counter stops it after
   * the first page. */
  delete_contact (&fixture->a, gone);
  sync_ok (&fixture->a, NULL);
  server_sql ("select public.purge_deleted (interval '0')");
  seq = server_contact (&fixture->a, last, "server_seq");
  server_sql ("update public.contacts set server_seq = 9000000000000000 where id = '%s'",
              xi_contact_get_id (last));
  control ("max-rows?n=2");
  g_assert_false (run_sync (&fixture->b, NULL, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_BAD_REPLY);
  g_clear_error (&error);
  g_assert_cmpint (local_int (&fixture->b, "SELECT count(*) FROM sync_resync"
                              " WHERE table_name = 'contacts'"), >, 0);
  g_assert_cmpint (local_int (&fixture->b, "SELECT last_seq FROM sync_checkpoints"
                              " WHERE table_name = 'contacts'"), >, 0);
  server_sql ("update public.contacts set server_seq = %s where id = '%s'",
              seq, xi_contact_get_id (last));

  delete_contact (&fixture->a, first);
  sync_ok (&fixture->a, NULL);
  server_sql ("select public.purge_deleted (interval '0')");

  sync_ok (&fixture->b, NULL);
  seen = find_contact (&fixture->b, "6281200000401");
  g_assert_null (seen);
  seen = find_contact (&fixture->b, "6281200000405");
  g_assert_null (seen);
  seen = find_contact (&fixture->b, "6281200000404");
  g_assert_nonnull (seen);
  g_assert_cmpint (local_int (&fixture->b, "SELECT count(*) FROM sync_resync"), ==, 0);
  on_b = list_contacts (&fixture->b);
  g_assert_cmpuint (on_b->len, ==, 3);
}

/* B re-reads contacts after a purge, one row a page, in a pass whose read
 * budget is spent before it begins: the budget stops the tables read from
 * their checkpoint, not the re-read, which would otherwise start over at
 * every pass and never end on a table larger than the budget. */
static void
test_reread_not_stopped_by_budget (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(XiContact) gone = NULL;
  g_autoptr(XiContact) seen = NULL;
  g_autoptr(GPtrArray) on_b = NULL;
  g_autoptr(GError) error = NULL;

  g_object_unref (add_contact (&fixture->a, "Ayu", "6281200000501"));
  g_object_unref (add_contact (&fixture->a, "Budi", "6281200000502"));
  gone = add_contact (&fixture->a, "Citra", "6281200000503");
  sync_both (fixture);
  delete_contact (&fixture->a, gone);
  sync_ok (&fixture->a, NULL);
  server_sql ("select public.purge_deleted (interval '0')");

  control ("max-rows?n=1");
  g_setenv ("XI_SYNC_READ_BUDGET_BYTES", "1", TRUE);
  g_assert_false (run_sync (&fixture->b, NULL, &error));
  g_unsetenv ("XI_SYNC_READ_BUDGET_BYTES");
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_TOO_LARGE);

  seen = find_contact (&fixture->b, "6281200000503");
  g_assert_null (seen);
  g_assert_cmpint (local_int (&fixture->b, "SELECT count(*) FROM sync_resync"), ==, 0);
  on_b = list_contacts (&fixture->b);
  g_assert_cmpuint (on_b->len, ==, 2);
}

typedef struct
{
  gboolean     done;
  gboolean     ok;
  XiSyncStats  stats;
  GError      *error;
} Pass;

/* Finishes at once, as the app and the CLI do, which lets the folder go
 * to the next pass. */
static void
pass_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Pass *pass = user_data;

  pass->ok = xi_sync_engine_run_once_finish (XI_SYNC_ENGINE (object), result, &pass->stats,
                                             &pass->error);
  pass->done = TRUE;
}

/* The app and `xender-in-cli sync --once` sync one data folder at the
 * same time. The server answers the first pass's question about its
 * state late; the second pass pushes a contact meanwhile, which raises
 * the folder's note of this device's mark. The passes take turns, so
 * the first never takes that note, higher than the server's answer from
 * before, for a server put back to an earlier copy and reads nothing
 * again. */
static void
test_two_passes_one_folder (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(XiSyncEngine) other = xi_sync_engine_new (fixture->a.store, fixture->a.client);
  g_autoptr(XiContact) seen = NULL;
  Pass first = { 0, };
  Pass second = { 0, };
  gint64 started;

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812000005%02u", i);

      g_object_unref (add_contact (&fixture->a, "Gita", phone));
    }
  sync_both (fixture);
  g_object_unref (add_contact (&fixture->a, "Fajar", "6281200000599"));

  control ("stall-after-commit?path=/rest/v1/rpc/sync_state&method=POST&ms=2000");
  xi_sync_engine_run_once_async (fixture->a.engine, NULL, pass_done_cb, &first);
  started = g_get_monotonic_time ();
  while (g_get_monotonic_time () - started < G_USEC_PER_SEC / 2)
    g_main_context_iteration (NULL, FALSE);
  xi_sync_engine_run_once_async (other, NULL, pass_done_cb, &second);
  while (!first.done || !second.done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_no_error (first.error);
  g_assert_true (first.ok);
  g_assert_no_error (second.error);
  g_assert_true (second.ok);
  g_assert_cmpuint (first.stats.pushed + second.stats.pushed, ==, 1);
  g_assert_cmpuint (first.stats.pulled, <=, 1);
  g_assert_cmpuint (second.stats.pulled, <=, 1);
  g_assert_cmpuint (first.stats.restored + second.stats.restored, ==, 0);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 0);

  sync_ok (&fixture->b, NULL);
  seen = find_contact (&fixture->b, "6281200000599");
  g_assert_nonnull (seen);
}

/* A server numbers a row far past its own counter. B refuses the page
 * instead of moving its checkpoint there, so once the server is right
 * again B still receives what was written meanwhile. */
static void
test_page_past_the_counter (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(XiContact) ayu = add_contact (&fixture->a, "Ayu", "6281200000081");
  g_autoptr(XiContact) seen = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *seq = NULL;

  sync_both (fixture);
  seq = server_contact (&fixture->a, ayu, "server_seq");
  server_sql ("update public.contacts set server_seq = 9000000000000000 where id = '%s'",
              xi_contact_get_id (ayu));
  /* A's pull skips contacts: nothing but its own push is new there. */
  g_object_unref (add_contact (&fixture->a, "Budi", "6281200000082"));
  sync_ok (&fixture->a, NULL);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 0);

  g_assert_false (run_sync (&fixture->b, NULL, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_BAD_REPLY);
  g_clear_error (&error);
  g_assert_cmpint (local_int (&fixture->b, "SELECT max (last_seq) FROM sync_checkpoints"), <,
                   9000000000000000);
  g_assert_null (find_contact (&fixture->b, "6281200000082"));

  /* A's push goes through; its pull now meets the lie as well. */
  g_object_unref (add_contact (&fixture->a, "Citra", "6281200000083"));
  g_assert_false (run_sync (&fixture->a, NULL, &error));
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_BAD_REPLY);
  g_clear_error (&error);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 0);
  server_sql ("update public.contacts set server_seq = %s where id = '%s'",
              seq, xi_contact_get_id (ayu));

  sync_ok (&fixture->b, NULL);
  seen = find_contact (&fixture->b, "6281200000082");
  g_assert_nonnull (seen);
  g_clear_object (&seen);
  seen = find_contact (&fixture->b, "6281200000083");
  g_assert_nonnull (seen);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/sync-engine/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("created-on-a-appear-on-b", test_created_on_a_appear_on_b);
  ADD ("offline-edits-merge-per-field", test_offline_edits_merge_per_field);
  ADD ("delete-wins-over-stale-edit", test_delete_wins_over_stale_edit);
  ADD ("reply-lost-after-commit", test_reply_lost_after_commit);
  ADD ("retry-after-honoured", test_retry_after_honoured);
  ADD ("rate-limited-push", test_rate_limited_push);
  ADD ("token-expires-mid-pull", test_token_expires_mid_pull);
  ADD ("other-account-never-appears", test_other_account_never_appears);
  ADD ("refused-row-bisected", test_refused_row_bisected);
  ADD ("opt-out-reaches-b", test_opt_out_reaches_b);
  ADD ("fact-reply-lost", test_fact_reply_lost);
  ADD ("empty-reply-is-not-empty-list", test_empty_reply_is_not_empty_list);
  ADD ("check-from-fast-clock", test_check_from_fast_clock);
  ADD ("retry-after-clock-put-back", test_retry_after_clock_put_back);
  ADD ("push-while-other-pulls", test_push_while_other_pulls);
  ADD ("edit-during-push", test_edit_during_push);
  ADD ("campaign-owned-by-its-computer", test_campaign_owned_by_its_computer);
  ADD ("quota-reserved-committed-released", test_quota_reserved_committed_released);
  ADD ("quota-two-computers-at-once", test_quota_two_computers_at_once);
  ADD ("quota-offline-honoured", test_quota_offline_honoured);
  ADD ("quota-offline-refused", test_quota_offline_refused);
  ADD ("pull-in-small-pages", test_pull_in_small_pages);
  ADD ("quota-cached-allowance", test_quota_cached_allowance);
  ADD ("quota-clock-ahead", test_quota_clock_ahead);
  ADD ("quota-new-month-from-server", test_quota_new_month_from_server);
  ADD ("quota-clock-ahead-online", test_quota_clock_ahead_online);
  ADD ("quota-check-hostile", test_quota_check_hostile);
  ADD ("same-group-name-merges", test_same_group_name_merges);
  ADD ("same-template-name-renamed", test_same_template_name_renamed);
  ADD ("same-number-merges", test_same_number_merges);
  ADD ("same-number-keeps-both", test_same_number_keeps_both);
  ADD ("same-number-created-twice", test_same_number_created_twice);
  ADD ("same-message-once", test_same_message_once);
  ADD ("reply-reaches-b", test_reply_reaches_b);
  ADD ("segment-targets-on-b", test_segment_targets_on_b);
  ADD ("same-segment-name-renamed", test_same_segment_name_renamed);
  ADD ("quota-refused-online", test_quota_refused_online);
  ADD ("quota-released-on-delete", test_quota_released_on_delete);
  ADD ("server-restored-from-backup", test_server_restored_from_backup);
  ADD ("page-past-the-counter", test_page_past_the_counter);
  ADD ("restored-counter-passed", test_restored_counter_passed);
  ADD ("restored-own-pushes-passed", test_restored_own_pushes_passed);
  ADD ("restored-row-dropped", test_restored_row_dropped);
  ADD ("restored-row-gone-here", test_restored_row_gone_here);
  ADD ("restored-before-push", test_restored_before_push);
  ADD ("restored-twice-in-a-pass", test_restored_twice_in_a_pass);
  ADD ("restored-between-batches", test_restored_between_batches);
  ADD ("reply-lost-not-restored", test_reply_lost_not_restored);
  ADD ("resumed-reread-below-fence", test_resumed_reread_below_fence);
  ADD ("reread-not-stopped-by-budget", test_reread_not_stopped_by_budget);
  ADD ("two-passes-one-folder", test_two_passes_one_folder);
  ADD ("first-sync-50000", test_first_sync_50000);
#undef ADD

  return xi_sync_test_run (&rig);
}
