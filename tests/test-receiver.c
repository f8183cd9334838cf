/* test-receiver.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/*
 * The receiver: customers' messages stored, opt-outs applied, auto-reply
 * rules answered through the loopback transport (whose journal is what
 * was "sent"), with their cooldown, hours and pacing; and the whole path
 * from a campaign to its replies through XiCampaignRunner.
 */

#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "xi-campaign-runner.h"
#include "xi-loopback-transport.h"
#include "xi-receiver.h"
#include "xi-store-private.h"
#include "xi-test-utils.h"

typedef struct
{
  char                *dir;
  char                *path;
  char                *journal;
  XiStore             *store;
  XiLoopbackTransport *transport;
  XiReceiver          *receiver;
  GPtrArray           *incoming;     /* XiIncoming*, as the receiver reported them */
  GArray              *replied_at;   /* gint64 monotonic µs of each answer */
  int                  clock_hour;
} Fixture;

#define WAIT(call, finish) \
  G_STMT_START { \
    GAsyncResult *slot_ = NULL; \
    g_autoptr(GAsyncResult) result_ = NULL; \
    call; \
    result_ = xi_test_wait_result (&slot_); \
    finish; \
  } G_STMT_END

static void
incoming_cb (XiReceiver *receiver,
             XiIncoming *incoming,
             Fixture    *f)
{
  g_ptr_array_add (f->incoming, g_object_ref (incoming));
}

static void
auto_replied_cb (XiReceiver *receiver,
                 XiIncoming *incoming,
                 const char *rule,
                 Fixture    *f)
{
  gint64 now = g_get_monotonic_time ();

  g_array_append_val (f->replied_at, now);
}

static GDateTime *
fake_clock (gpointer user_data)
{
  Fixture *f = user_data;

  return g_date_time_new_local (2026, 11, 25, f->clock_hour, 30, 0);
}

static void
make_receiver (Fixture *f)
{
  f->receiver = xi_receiver_new (f->store);
  xi_receiver_add_transport (f->receiver, XI_TRANSPORT (f->transport));
  xi_receiver_set_pacing (f->receiver, 0, 0);
  xi_receiver_set_clock (f->receiver, fake_clock, f);
  g_signal_connect (f->receiver, "incoming", G_CALLBACK (incoming_cb), f);
  g_signal_connect (f->receiver, "auto-replied", G_CALLBACK (auto_replied_cb), f);
}

static void
make_transport (Fixture  *f,
                guint     reply_every,
                gboolean  with_receiver)
{
  XiLoopbackOptions options = { 0 };
  g_autoptr(GError) error = NULL;

  options.reply_every = reply_every;
  f->transport = xi_loopback_transport_new (f->journal, &options, &error);
  g_assert_no_error (error);
  xi_transport_connect (XI_TRANSPORT (f->transport));

  if (with_receiver)
    make_receiver (f);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  f->dir = xi_test_make_tmpdir ();
  f->path = g_build_filename (f->dir, "store.db", NULL);
  f->journal = g_build_filename (f->dir, "journal.jsonl", NULL);
  f->incoming = g_ptr_array_new_with_free_func (g_object_unref);
  f->replied_at = g_array_new (FALSE, FALSE, sizeof (gint64));
  f->clock_hour = 10;
  f->store = xi_store_new (f->path);
  WAIT (xi_store_open_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        ok = xi_store_open_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
}

static gboolean
receiver_stopped_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
stop_receiver (Fixture *f)
{
  gboolean stopped = FALSE;

  xi_receiver_stop (f->receiver, receiver_stopped_cb, &stopped);
  while (!stopped)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (g_steal_pointer (&f->receiver));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->receiver != NULL)
    stop_receiver (f);
  g_clear_object (&f->transport);
  /* Let the transport's pending echoes go. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  xi_store_close (f->store);
  g_assert_finalize_object (f->store);
  g_ptr_array_unref (f->incoming);
  g_array_unref (f->replied_at);
  xi_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path);
  g_free (f->journal);
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop for @ms, so whatever should (or should not) happen
 * has had the time to. */
static void
settle (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
run_until (gboolean (*done) (Fixture *f, gconstpointer data),
           Fixture        *f,
           gconstpointer   data,
           guint           seconds)
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
n_incoming (Fixture       *f,
            gconstpointer  data)
{
  return f->incoming->len >= GPOINTER_TO_UINT (data);
}

static gboolean
n_replies (Fixture       *f,
           gconstpointer  data)
{
  return f->replied_at->len >= GPOINTER_TO_UINT (data);
}

/* What the loopback "sent", as phone and text per line. */
static GPtrArray *
journal_lines (Fixture *f)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  if (!g_file_get_contents (f->journal, &contents, NULL, NULL))
    return out;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_ptr_array_add (out, g_strdup (lines[i]));
  return out;
}

static guint
journal_count (Fixture    *f,
               const char *needle)
{
  g_autoptr(GPtrArray) lines = journal_lines (f);
  guint n = 0;

  for (guint i = 0; i < lines->len; i++)
    if (strstr (g_ptr_array_index (lines, i), needle) != NULL)
      n++;
  return n;
}

static void
add_rule (Fixture            *f,
          const char         *name,
          const char * const *keywords,
          const char         *reply,
          int                 priority,
          int                 start_hour,
          int                 end_hour)
{
  g_autoptr(XiAutoReplyRule) rule = xi_auto_reply_rule_new (name);
  g_autoptr(XiAutoReplyRule) saved = NULL;
  g_autoptr(GError) error = NULL;

  if (keywords == NULL)
    xi_auto_reply_rule_set_trigger (rule, XI_AUTO_REPLY_TRIGGER_ANY);
  xi_auto_reply_rule_set_keywords (rule, keywords);
  xi_auto_reply_rule_set_reply_text (rule, reply);
  xi_auto_reply_rule_set_priority (rule, priority);
  xi_auto_reply_rule_set_hours (rule, start_hour, end_hour);
  WAIT (xi_store_save_auto_reply_rule_async (f->store, rule, NULL, xi_test_store_result_cb, &slot_),
        saved = xi_store_save_auto_reply_rule_finish (f->store, result_, &error));
  g_assert_no_error (error);
}

static void
inject (Fixture    *f,
        const char *phone,
        const char *id,
        const char *text)
{
  xi_transport_emit_incoming (XI_TRANSPORT (f->transport), phone, id, text);
}

static int
count_rows (Fixture    *f,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int n;

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static void
test_keyword_any_and_opt_out (Fixture       *f,
                              gconstpointer  data)
{
  const char *harga[] = { "harga", NULL };

  make_transport (f, 0, TRUE);
  add_rule (f, "Harga", harga, "Daftar harga: ...", 1, -1, -1);
  add_rule (f, "Salam", NULL, "Terima kasih, kami segera membalas.", 0, -1, -1);

  inject (f, "+6281100000001", "IN1", "Berapa HARGA paket A?");
  inject (f, "+6281100000002", "IN2", "Halo kak");
  inject (f, "+6281100000003", "IN3", "Stop.");
  inject (f, "+6281100000002", "IN2", "Halo kak");   /* delivered twice */
  run_until (n_incoming, f, GUINT_TO_POINTER (3), 10);
  run_until (n_replies, f, GUINT_TO_POINTER (2), 10);
  settle (200);

  g_assert_cmpuint (f->incoming->len, ==, 3);
  g_assert_cmpstr (xi_incoming_get_opt_out_keyword (g_ptr_array_index (f->incoming, 2)), ==, "STOP");
  g_assert_cmpuint (f->replied_at->len, ==, 2);
  g_assert_cmpuint (journal_count (f, "Daftar harga"), ==, 1);
  g_assert_cmpuint (journal_count (f, "6281100000001"), ==, 1);
  g_assert_cmpuint (journal_count (f, "segera membalas"), ==, 1);
  g_assert_cmpuint (journal_count (f, "6281100000003"), ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM suppression_events WHERE phone = '6281100000003'"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM history WHERE kind = 'auto-reply.sent'"), ==, 2);
  g_assert_true (xi_receiver_is_idle (f->receiver));
}

/* Two answering machines: every message we send gets an answer, which
 * our "any" rule would answer again. The cooldown breaks the loop after
 * one answer, and a restart (a new receiver) does not reopen it. */
/* Two answering machines whose owners set no cooldown (0 hours, from the
 * command line): the second message, a second and a half after our
 * answer, still gets none. */
static void
test_cooldown_floor (Fixture       *f,
                     gconstpointer  data)
{
  make_transport (f, 0, TRUE);
  add_rule (f, "Salam", NULL, "Terima kasih, kami segera membalas.", 0, -1, -1);
  xi_test_sqlite_exec (f->path, "UPDATE auto_reply_rules SET cooldown_seconds = 0");

  inject (f, "6281100000009", "BOT1", "Halo, ini pesan otomatis");
  run_until (n_replies, f, GUINT_TO_POINTER (1), 10);
  settle (1500);
  inject (f, "6281100000009", "BOT2", "Halo, ini pesan otomatis");
  run_until (n_incoming, f, GUINT_TO_POINTER (2), 10);
  settle (1500);
  g_assert_cmpuint (f->replied_at->len, ==, 1);
  g_assert_cmpuint (journal_count (f, "segera membalas"), ==, 1);
}

/* A rule with an hour's cooldown answers one number three times in a day
 * (its answers moved two hours back each time), not a fourth. */
static void
test_answers_a_day (Fixture       *f,
                    gconstpointer  data)
{
  static const char * const ids[] = { "DAY1", "DAY2", "DAY3", "DAY4" };

  make_transport (f, 0, TRUE);
  add_rule (f, "Salam", NULL, "Terima kasih, kami segera membalas.", 0, -1, -1);
  xi_test_sqlite_exec (f->path, "UPDATE auto_reply_rules SET cooldown_seconds = 3600");

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      inject (f, "6281100000008", ids[i], "Halo kak");
      run_until (n_incoming, f, GUINT_TO_POINTER (i + 1), 10);
      if (i < XI_AUTO_REPLY_MAX_PER_DAY)
        {
          gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

          run_until (n_replies, f, GUINT_TO_POINTER (i + 1), 10);
          /* The answer is logged after it went. */
          while (count_rows (f, "SELECT count(*) FROM history WHERE kind = 'auto-reply.sent'") < (int) i + 1)
            {
              g_assert_cmpint (g_get_monotonic_time (), <, deadline);
              settle (20);
            }
        }
      else
        {
          settle (1500);
        }
      xi_test_sqlite_exec (f->path, "UPDATE history SET created_at = strftime ('%Y-%m-%dT%H:%M:%S.000Z',"
                   " created_at, '-2 hours') WHERE kind = 'auto-reply.sent'");
    }
  g_assert_cmpuint (f->replied_at->len, ==, XI_AUTO_REPLY_MAX_PER_DAY);
  g_assert_cmpuint (journal_count (f, "segera membalas"), ==, XI_AUTO_REPLY_MAX_PER_DAY);
}

static void
test_cooldown_stops_loops (Fixture       *f,
                           gconstpointer  data)
{
  make_transport (f, 1, TRUE);
  add_rule (f, "Salam", NULL, "Terima kasih, kami segera membalas.", 0, -1, -1);

  inject (f, "6281100000009", "BOT1", "Halo, ini pesan otomatis");
  run_until (n_replies, f, GUINT_TO_POINTER (1), 10);
  /* The other side answers our answer... */
  run_until (n_incoming, f, GUINT_TO_POINTER (2), 10);
  /* ...and keeps talking. */
  inject (f, "6281100000009", "BOT2", "Halo, ini pesan otomatis");
  inject (f, "6281100000009", "BOT3", "Halo, ini pesan otomatis");
  run_until (n_incoming, f, GUINT_TO_POINTER (4), 10);
  settle (300);
  g_assert_cmpuint (f->replied_at->len, ==, 1);
  g_assert_cmpuint (journal_count (f, "segera membalas"), ==, 1);

  /* After a restart the cooldown is read from the store. */
  {
    gboolean stopped = FALSE;

    xi_receiver_stop (f->receiver, receiver_stopped_cb, &stopped);
    while (!stopped)
      g_main_context_iteration (NULL, TRUE);
    g_clear_object (&f->receiver);
    g_clear_object (&f->transport);
  }
  g_array_set_size (f->replied_at, 0);
  make_transport (f, 1, TRUE);
  inject (f, "6281100000009", "BOT4", "Halo lagi");
  run_until (n_incoming, f, GUINT_TO_POINTER (5), 10);
  settle (300);
  g_assert_cmpuint (f->replied_at->len, ==, 0);
}

static void
test_business_hours (Fixture       *f,
                     gconstpointer  data)
{
  make_transport (f, 0, TRUE);
  add_rule (f, "Jam kerja", NULL, "Kami buka, ada yang bisa dibantu?", 0, 8, 17);

  f->clock_hour = 20;
  inject (f, "6281100000021", "H1", "Halo");
  run_until (n_incoming, f, GUINT_TO_POINTER (1), 10);
  settle (200);
  g_assert_cmpuint (f->replied_at->len, ==, 0);

  f->clock_hour = 9;
  inject (f, "6281100000022", "H2", "Halo");
  run_until (n_replies, f, GUINT_TO_POINTER (1), 10);
  g_assert_cmpuint (journal_count (f, "6281100000022"), ==, 1);
  g_assert_cmpuint (journal_count (f, "6281100000021"), ==, 0);
}

static void
test_pacing (Fixture       *f,
             gconstpointer  data)
{
  make_transport (f, 0, TRUE);
  xi_receiver_set_pacing (f->receiver, 300, 3);
  add_rule (f, "Salam", NULL, "Terima kasih", 0, -1, -1);

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *phone = g_strdup_printf ("628110000010%u", i);
      g_autofree char *id = g_strdup_printf ("P%u", i);

      inject (f, phone, id, "Halo");
    }
  run_until (n_replies, f, GUINT_TO_POINTER (3), 10);
  settle (600);

  /* Never closer than the shortest pause, and the daily cap holds. */
  g_assert_cmpuint (f->replied_at->len, ==, 3);
  for (guint i = 1; i < f->replied_at->len; i++)
    g_assert_cmpint (g_array_index (f->replied_at, gint64, i) -
                     g_array_index (f->replied_at, gint64, i - 1), >=, 290 * 1000);
  g_assert_cmpuint (journal_count (f, "Terima kasih"), ==, 3);
}

/* The daily cap counts what went out today before a restart, or from
 * another process on the same store. */
static void
test_cap_survives_restart (Fixture       *f,
                           gconstpointer  data)
{
  make_transport (f, 0, TRUE);
  xi_receiver_set_pacing (f->receiver, 0, 2);
  add_rule (f, "Salam", NULL, "Terima kasih", 0, -1, -1);
  inject (f, "6281100000201", "R1", "Halo");
  inject (f, "6281100000202", "R2", "Halo");
  run_until (n_replies, f, GUINT_TO_POINTER (2), 10);
  stop_receiver (f);

  make_receiver (f);
  xi_receiver_set_pacing (f->receiver, 0, 2);
  inject (f, "6281100000203", "R3", "Halo");
  run_until (n_incoming, f, GUINT_TO_POINTER (3), 10);
  settle (300);
  g_assert_cmpuint (f->replied_at->len, ==, 2);
  g_assert_cmpuint (journal_count (f, "Terima kasih"), ==, 2);
}

/* A count of today's answers that fails (another process keeps the
 * database busy) holds the answers, none going out uncounted, and is
 * tried again soon instead of taking the daily cap as reached until
 * midnight; a count that fails again is tried after twice as long
 * (1 s, then 2 s), and the failure is said once, not at every try. */
static void
test_count_failure_backs_off (Fixture       *f,
                              gconstpointer  data)
{
  gint64 injected;

  make_transport (f, 0, TRUE);
  xi_receiver_set_pacing (f->receiver, 0, 2);
  add_rule (f, "Salam", NULL, "Terima kasih", 0, -1, -1);
  _xi_store_set_test_setting (f->store, XI_STORE_TEST_FAIL_AUTO_REPLY_COUNT, "2");
  g_test_expect_message ("xi-receiver", G_LOG_LEVEL_WARNING, "Could not count today's automatic answers*");
  injected = g_get_monotonic_time ();
  inject (f, "6281100000301", "C1", "Halo");
  run_until (n_replies, f, GUINT_TO_POINTER (1), 10);
  _xi_store_set_test_setting (f->store, XI_STORE_TEST_FAIL_AUTO_REPLY_COUNT, NULL);
  g_test_assert_expected_messages ();

  g_assert_cmpint (g_array_index (f->replied_at, gint64, 0) - injected, >=, 2900 * 1000);
  g_assert_cmpuint (journal_count (f, "Terima kasih"), ==, 1);
}

/* The whole path: a campaign through the runner, customers reply (the
 * loopback's reply injection), one with STOP; the main thread hears of
 * each reply once, the replies are linked to the campaign, and the next
 * campaign skips the one who opted out. */
typedef struct
{
  GPtrArray *incoming;
  gboolean   idle;
} RunnerSeen;

static void
runner_incoming_cb (XiCampaignRunner *runner,
                    XiIncoming       *incoming,
                    RunnerSeen       *seen)
{
  g_ptr_array_add (seen->incoming, g_object_ref (incoming));
}

static gboolean
seen_incoming (Fixture       *f,
               gconstpointer  data)
{
  const RunnerSeen *seen = data;

  return seen->incoming->len >= 2;
}

/* A campaign to four customers, started: @spec is filled for planning
 * another one to them. */
static XiJob *
start_campaign_to_four (Fixture   *f,
                        XiJobSpec *spec)
{
  g_autoptr(XiTemplate) template_ = xi_template_new ("Promo");
  g_autoptr(XiTemplate) saved = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *variants[] = { "Halo {name}, ada promo!", NULL };
  XiJob *job;

  for (guint i = 1; i <= 4; i++)
    {
      g_autoptr(XiContact) contact = xi_contact_new ();
      g_autoptr(XiContact) stored = NULL;
      g_autofree char *name = g_strdup_printf ("Budi %u", i);
      g_autofree char *phone = g_strdup_printf ("62812%08u", i);

      xi_contact_set_name (contact, name);
      xi_contact_set_phone (contact, phone);
      WAIT (xi_store_save_contact_async (f->store, contact, NULL, xi_test_store_result_cb, &slot_),
            stored = xi_store_save_contact_finish (f->store, result_, &error));
      g_assert_no_error (error);
      g_ptr_array_add (ids, g_strdup (xi_contact_get_id (stored)));
    }
  g_ptr_array_add (ids, NULL);
  xi_template_set_variants (template_, variants);
  WAIT (xi_store_save_template_async (f->store, template_, NULL, xi_test_store_result_cb, &slot_),
        saved = xi_store_save_template_finish (f->store, result_, &error));
  g_assert_no_error (error);

  spec->contact_ids = g_strdupv ((char **)ids->pdata);
  spec->template_id = g_strdup (xi_template_get_id (saved));
  spec->delay_min_ms = spec->delay_max_ms = 0;
  spec->start = TRUE;
  WAIT (xi_store_create_job_async (f->store, spec, NULL, xi_test_store_result_cb, &slot_),
        job = xi_store_create_job_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return job;
}

static void
test_runner_end_to_end (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(XiCampaignRunner) runner = NULL;
  g_autoptr(XiJobSpec) spec = xi_job_spec_new ();
  g_autoptr(XiJob) job = start_campaign_to_four (f, spec);
  g_autoptr(XiJobPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  RunnerSeen seen = { g_ptr_array_new_with_free_func (g_object_unref), FALSE };
  const char *keywords[] = { "STOP", "BERHENTI", NULL };
  XiIncoming *reply;

  /* Every second recipient answers "Stop!". */
  g_setenv ("XI_LOOPBACK_REPLY_EVERY", "2", TRUE);
  g_setenv ("XI_LOOPBACK_REPLY_TEXT", "Stop!", TRUE);
  runner = xi_campaign_runner_new (f->store, xi_loopback_transport_factory, g_strdup (f->journal), g_free);
  xi_campaign_runner_set_receiver_settings (runner, keywords, 0, 0);
  g_signal_connect (runner, "incoming", G_CALLBACK (runner_incoming_cb), &seen);
  g_assert_true (xi_campaign_runner_start (runner, &error));
  g_assert_no_error (error);
  g_unsetenv ("XI_LOOPBACK_REPLY_EVERY");
  g_unsetenv ("XI_LOOPBACK_REPLY_TEXT");

  run_until (seen_incoming, f, &seen, 20);
  settle (200);
  xi_campaign_runner_stop (runner);

  g_assert_cmpuint (seen.incoming->len, ==, 2);
  reply = g_ptr_array_index (seen.incoming, 0);
  g_assert_cmpstr (xi_incoming_get_opt_out_keyword (reply), ==, "STOP");
  g_assert_cmpstr (xi_incoming_get_job_id (reply), ==, xi_job_get_id (job));
  g_assert_nonnull (xi_incoming_get_contact_name (reply));
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts WHERE opted_out = 1"), ==, 2);

  g_clear_pointer (&spec->name, g_free);
  WAIT (xi_store_plan_job_async (f->store, spec, 0, NULL, xi_test_store_result_cb, &slot_),
        plan = xi_store_plan_job_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (plan->skipped[XI_SKIP_REASON_OPTED_OUT], ==, 2);
  g_assert_cmpuint (plan->eligible, ==, 2);
  g_ptr_array_unref (seen.incoming);
}

static void
runner_disk_full_cb (guint *count)
{
  (*count)++;
}

static gboolean
heard_disk_full (Fixture       *f,
                 gconstpointer  data)
{
  return *(const guint *)data > 0;
}

/* All four customers answer while the disk is full: none of their
 * answers is stored, and the main thread (the inbox's toast) hears of
 * the full disk once, not four times. */
static void
test_runner_disk_full (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(XiCampaignRunner) runner = NULL;
  g_autoptr(XiJobSpec) spec = xi_job_spec_new ();
  g_autoptr(XiJob) job = start_campaign_to_four (f, spec);
  g_autoptr(GError) error = NULL;
  RunnerSeen seen = { g_ptr_array_new_with_free_func (g_object_unref), FALSE };
  guint disk_full = 0;

  /* The receiver warns of the store's refusal. */
  xi_test_tolerate_warning ("xi-receiver", "Could not store an incoming message");
  g_setenv ("XI_LOOPBACK_REPLY_EVERY", "1", TRUE);
  g_setenv ("XI_LOOPBACK_REPLY_TEXT", "Masih ada stok?", TRUE);
  _xi_store_set_test_setting (f->store, XI_STORE_TEST_FAIL_INCOMING, "1");
  runner = xi_campaign_runner_new (f->store, xi_loopback_transport_factory, g_strdup (f->journal), g_free);
  g_signal_connect (runner, "incoming", G_CALLBACK (runner_incoming_cb), &seen);
  g_signal_connect_swapped (runner, "incoming-disk-full", G_CALLBACK (runner_disk_full_cb), &disk_full);
  g_assert_true (xi_campaign_runner_start (runner, &error));
  g_assert_no_error (error);
  g_unsetenv ("XI_LOOPBACK_REPLY_EVERY");
  g_unsetenv ("XI_LOOPBACK_REPLY_TEXT");

  run_until (heard_disk_full, f, &disk_full, 20);
  settle (1000);
  xi_campaign_runner_stop (runner);
  _xi_store_set_test_setting (f->store, XI_STORE_TEST_FAIL_INCOMING, NULL);

  g_assert_cmpuint (disk_full, ==, 1);
  g_assert_cmpuint (seen.incoming->len, ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM incoming_messages"), ==, 0);
  g_ptr_array_unref (seen.incoming);
}

typedef struct
{
  guint count;
  gsize text_len;
  gsize preview_len;   /* when not 0, a picture with a preview this long */
  guint max_waiting;   /* the receiver's mark for this size */
} Flood;

/* A customer's picture, with its preview, as the transport announces it:
 * too large to be fetched at once. */
static void
inject_picture (Fixture    *f,
                const char *phone,
                const char *id,
                const char *caption,
                gsize       preview_len)
{
  static const guint8 hash[32] = { 0 };
  g_autofree guint8 *preview = g_malloc0 (preview_len);
  g_autoptr(GBytes) key = g_bytes_new_static (hash, sizeof hash);
  g_autoptr(GBytes) thumbnail = g_bytes_new_take (g_steal_pointer (&preview), preview_len);
  XiMediaInfo media = {
    .kind = (char *) "image",
    .mimetype = (char *) "image/jpeg",
    .size = XI_RECEIVER_DEFAULT_AUTO_DOWNLOAD + 1,
    .direct_path = (char *) "/v/t62.7118-24/1_2_n.enc",
    .media_key = key,
    .file_sha256 = key,
    .file_enc_sha256 = key,
    .thumbnail = thumbnail,
  };

  xi_transport_emit_incoming_media (XI_TRANSPORT (f->transport), phone, id, caption, &media);
}

/* A peer that sends as fast as the transport reads, faster than the
 * store commits: the transport is asked to stop reading before the
 * messages waiting in memory pass the mark, by number or by size, and
 * every message is stored once all the same. */
static void
test_flood (Fixture       *f,
            gconstpointer  data)
{
  const Flood *flood = data;
  g_autofree char *text = g_strnfill (flood->text_len, 'x');
  g_autofree char *sql = NULL;
  guint sent = 0;
  guint holds = 0;

  make_transport (f, 0, TRUE);
  while (sent < flood->count)
    {
      if (xi_loopback_transport_get_receiving (f->transport))
        {
          g_autofree char *id = g_strdup_printf ("FLOOD%05u", sent);

          if (flood->preview_len > 0)
            inject_picture (f, "+6281100000001", id, text, flood->preview_len);
          else
            inject (f, "+6281100000001", id, text);
          sent++;
          g_assert_cmpuint (sent - f->incoming->len, <=, flood->max_waiting);
          continue;
        }
      holds++;
      g_main_context_iteration (NULL, TRUE);
    }
  run_until (n_incoming, f, GUINT_TO_POINTER (flood->count), 60);
  g_assert_true (xi_loopback_transport_get_receiving (f->transport));
  g_assert_cmpuint (holds, >, 0);
  g_assert_cmpuint (f->incoming->len, ==, flood->count);
  for (guint i = 0; i < flood->count; i++)
    {
      g_autofree char *id = g_strdup_printf ("FLOOD%05u", i);

      g_assert_cmpstr (xi_incoming_get_message_id (g_ptr_array_index (f->incoming, i)), ==, id);
    }
  sql = g_strdup_printf ("SELECT count(DISTINCT wa_message_id) = count(*) AND count(*) = %u FROM incoming_messages",
                         flood->count);
  g_assert_cmpint (count_rows (f, sql), ==, 1);
}

/* Set in the test program run again by /receiver/tolerance/ends-with-test. */
#define TOLERANCE_CHILD "XI_TEST_RECEIVER_TOLERANCE_CHILD"

static void
test_tolerance_provoked (void)
{
  if (g_getenv (TOLERANCE_CHILD) == NULL)
    {
      g_test_skip ("Run by /receiver/tolerance/ends-with-test");
      return;
    }
  xi_test_tolerate_warning ("xi-receiver", "Provoked on purpose");
  g_log ("xi-receiver", G_LOG_LEVEL_WARNING, "Provoked on purpose by the first test");
}

static void
test_tolerance_later (void)
{
  if (g_getenv (TOLERANCE_CHILD) == NULL)
    {
      g_test_skip ("Run by /receiver/tolerance/ends-with-test");
      return;
    }
  xi_test_tolerate_warning ("xi-receiver", "What this test provokes");
  g_log ("xi-receiver", G_LOG_LEVEL_WARNING, "Provoked on purpose, but by nobody who tolerates it");
}

/* A warning one test tolerates still fails the tests after it, also
 * those that tolerate others. */
static void
test_tolerance_ends_with_test (void)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *self = g_file_read_link ("/proc/self/exe", &error);
  g_autofree char *output = NULL;

  g_assert_no_error (error);
  g_subprocess_launcher_setenv (launcher, TOLERANCE_CHILD, "1", TRUE);
  child = g_subprocess_launcher_spawn (launcher, &error, self, "-p", "/receiver/tolerance/provoked",
                                       "-p", "/receiver/tolerance/later", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (child, NULL, NULL, &output, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (output, "ok 1 /receiver/tolerance/provoked"));
  g_assert_nonnull (strstr (output, "but by nobody who tolerates it"));
  g_assert_false (g_subprocess_get_successful (child));
}

int
main (int   argc,
      char *argv[])
{
  /* 500 messages or 4 MB, whichever comes first */
  static const Flood many = { 3000, 10, 0, 500 };
  static const Flood large = { 300, 64 * 1024, 0, 4 * 1024 * 1024 / (64 * 1024) + 1 };
  /* The store keeps a preview of up to 256 KB. */
  static const Flood pictures = { 300, 10, 200 * 1024, 4 * 1024 * 1024 / (200 * 1024) + 1 };

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/receiver/keyword-any-and-opt-out", Fixture, NULL, fixture_setup,
              test_keyword_any_and_opt_out, fixture_teardown);
  g_test_add ("/receiver/cooldown-stops-loops", Fixture, NULL, fixture_setup,
              test_cooldown_stops_loops, fixture_teardown);
  g_test_add ("/receiver/cooldown-floor", Fixture, NULL, fixture_setup, test_cooldown_floor, fixture_teardown);
  g_test_add ("/receiver/answers-a-day", Fixture, NULL, fixture_setup, test_answers_a_day, fixture_teardown);
  g_test_add ("/receiver/business-hours", Fixture, NULL, fixture_setup,
              test_business_hours, fixture_teardown);
  g_test_add ("/receiver/pacing", Fixture, NULL, fixture_setup, test_pacing, fixture_teardown);
  g_test_add ("/receiver/cap-survives-restart", Fixture, NULL, fixture_setup, test_cap_survives_restart,
              fixture_teardown);
  g_test_add ("/receiver/count-failure-backs-off", Fixture, NULL, fixture_setup, test_count_failure_backs_off,
              fixture_teardown);
  g_test_add ("/receiver/runner-end-to-end", Fixture, NULL, fixture_setup,
              test_runner_end_to_end, fixture_teardown);
  g_test_add ("/receiver/runner-disk-full", Fixture, NULL, fixture_setup, test_runner_disk_full, fixture_teardown);
  g_test_add ("/receiver/flood/many", Fixture, &many, fixture_setup, test_flood, fixture_teardown);
  g_test_add ("/receiver/flood/large", Fixture, &large, fixture_setup, test_flood, fixture_teardown);
  g_test_add ("/receiver/flood/pictures", Fixture, &pictures, fixture_setup, test_flood, fixture_teardown);
  g_test_add_func ("/receiver/tolerance/provoked", test_tolerance_provoked);
  g_test_add_func ("/receiver/tolerance/later", test_tolerance_later);
  g_test_add_func ("/receiver/tolerance/ends-with-test", test_tolerance_ends_with_test);

  return g_test_run ();
}
