/* test-sync-engine.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-contact.h"
#include "xi-store-inbox.h"
#include "xi-store-sync.h"
#include "xi-supabase-client.h"
#include "xi-sync-engine.h"
#include "xi-sync-error.h"
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

/* Rows of the account on the server, read back through the client. */
static guint
server_contacts (Computer *computer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) rows = NULL;
  const char *query[] = { "select", "id", "deleted", "is.false", NULL };

  XI_TEST_WAIT (xi_supabase_client_select_async (computer->client, "contacts", query, NULL,
                                                 xi_test_store_result_cb, &slot_),
                rows = xi_supabase_client_select_finish (computer->client, result_, &error));
  g_assert_no_error (error);
  return json_array_get_length (rows);
}

static void
wait_seconds (double seconds)
{
  g_usleep ((gulong) (seconds * G_USEC_PER_SEC));
}

/* Fixture */

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  control ("reset");
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
  g_autoptr(GError) error = NULL;
  const char *ids[] = { xi_contact_get_id (created), NULL };
  guint deleted = 0;

  sync_ok (&fixture->a, NULL);
  sync_ok (&fixture->b, NULL);

  XI_TEST_WAIT (xi_store_delete_contacts_async (fixture->a.store, ids, NULL,
                                                xi_test_store_result_cb, &slot_),
                deleted = xi_store_delete_contacts_finish (fixture->a.store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (deleted, ==, 1);
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
  g_assert_cmpuint (server_contacts (&fixture->a), ==, 0);
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
  g_assert_cmpuint (server_contacts (&fixture->a), ==, 5);

  /* The first retry waits a second. */
  wait_seconds (1.2);
  sync_ok (&fixture->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 5);
  g_assert_cmpuint (counts (&fixture->a).pending, ==, 0);
  g_assert_cmpuint (server_contacts (&fixture->a), ==, 5);

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
  ADD ("refused-row-bisected", test_refused_row_bisected);
  ADD ("opt-out-reaches-b", test_opt_out_reaches_b);
  ADD ("fact-reply-lost", test_fact_reply_lost);
#undef ADD

  return xi_sync_test_run (&rig);
}
