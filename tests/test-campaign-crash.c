/* test-campaign-crash.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include "xi-test-utils.h"

/*
 * The campaign write-ahead log under fire: `xender-in-cli run` sends a
 * 2,100-recipient campaign (2,075 eligible) and is killed with SIGKILL
 * at random points of its sending, again and again, then left to finish. Afterwards the loopback journal
 * (what reached "WhatsApp") and the store must agree that every eligible
 * recipient got exactly one message id, with exactly the text stored for
 * them, that nobody was forgotten and nobody skipped got anything.
 *
 * Repeats of the same id are allowed and counted: a message whose ack was
 * not yet on disk is sent again under its id, which the phone treats as
 * the same message (DESIGN.md, "The campaign write-ahead log").
 *
 * The kill points (after how many new messages, and how long after the
 * last one) come from a GRand seeded by the test's own random numbers, so
 * "--seed" replays a failing run's kills.
 */

#define N_CONTACTS   2100
#define N_OPTED_OUT  25
#define MIN_KILLS    20

typedef struct
{
  char       *dir;
  char       *cli;
  const char *ack_delay_ms;  /* the loopback's, as XI_LOOPBACK_ACK_DELAY_MS */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->ack_delay_ms = data;
  f->dir = xi_test_make_tmpdir ();
  f->cli = g_strdup (g_getenv ("XI_CLI"));
  g_assert_nonnull (f->cli);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  xi_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->cli);
}

/* Runs the CLI to completion; returns its stdout. */
static char *
cli (Fixture     *f,
     const char  *first,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  va_list ap;

  g_ptr_array_add (args, f->cli);
  g_ptr_array_add (args, (gpointer)"--data-dir");
  g_ptr_array_add (args, f->dir);
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer)arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  process = g_subprocess_newv ((const char * const *)args->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (process) != 0)
    g_error ("%s %s failed: %s", f->cli, first, err);
  return out;
}

static GSubprocess *
spawn_run (Fixture         *f,
           GSubprocessFlags  flags)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  /* A millisecond per ack stretches the campaign over a few seconds, so
   * the kills land while it sends rather than after it finished. Longer,
   * the campaign (sent without delays) has all its messages in flight
   * at once nearly always, and the kills land among them. */
  g_subprocess_launcher_setenv (launcher, "XI_LOOPBACK_ACK_DELAY_MS", f->ack_delay_ms, TRUE);
  /* A message spends a moment on the wire before it is journaled, so a
   * kill can also land after the hand-over and before the arrival. */
  g_subprocess_launcher_setenv (launcher, "XI_LOOPBACK_SEND_DELAY_MS", "1", TRUE);
  /* The loopback journals a message the moment it is handed over, so
   * without drops the message at the head of the queue is nearly always
   * out already when the kill lands. A connection that drops every 40
   * messages for 30 ms leaves kills in moments where it is not, which is
   * what catches an engine that takes an unrecorded message for sent. */
  g_subprocess_launcher_setenv (launcher, "XI_LOOPBACK_DROP_AFTER", "40", TRUE);
  g_subprocess_launcher_setenv (launcher, "XI_LOOPBACK_RECONNECT_MS", "30", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, f->cli, "--data-dir", f->dir,
                                         "run", "--until-idle", "--transport", "loopback", NULL);
  g_assert_no_error (error);
  return process;
}

static char *
unescape_journal_text (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p != '\\' || p[1] == '\0')
        {
          g_string_append_c (out, *p);
          continue;
        }
      p++;
      switch (*p)
        {
        case 'n':
          g_string_append_c (out, '\n');
          break;
        case 't':
          g_string_append_c (out, '\t');
          break;
        case 'r':
          g_string_append_c (out, '\r');
          break;
        default:
          g_string_append_c (out, *p);
        }
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  GPtrArray *ids;     /* message ids seen for one phone, in order */
  GPtrArray *texts;
} Sent;

static void
sent_free (Sent *sent)
{
  g_ptr_array_unref (sent->ids);
  g_ptr_array_unref (sent->texts);
  g_free (sent);
}

/* phone -> Sent, from the journal. */
static GHashTable *
read_journal (Fixture *f,
              guint   *n_lines)
{
  g_autoptr(GHashTable) by_phone = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                          (GDestroyNotify)sent_free);
  g_autofree char *path = g_build_filename (f->dir, "loopback-journal.tsv", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  *n_lines = 0;
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_steal_pointer (&by_phone);

  /* A kill can never leave half a line: each is one write() of O_APPEND. */
  g_assert_true (contents[0] == '\0' || g_str_has_suffix (contents, "\n"));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], "\t", 3);
      Sent *sent;

      g_assert_cmpuint (g_strv_length (fields), ==, 3);
      sent = g_hash_table_lookup (by_phone, fields[1]);
      if (sent == NULL)
        {
          sent = g_new0 (Sent, 1);
          sent->ids = g_ptr_array_new_with_free_func (g_free);
          sent->texts = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (by_phone, g_strdup (fields[1]), sent);
        }
      g_ptr_array_add (sent->ids, g_strdup (fields[0]));
      g_ptr_array_add (sent->texts, unescape_journal_text (fields[2]));
      (*n_lines)++;
    }
  return g_steal_pointer (&by_phone);
}

static void
make_campaign (Fixture *f)
{
  g_autofree char *csv = g_build_filename (f->dir, "pelanggan.csv", NULL);
  g_autoptr(GString) rows = g_string_new ("Nama,No HP,Kota\n");
  g_autoptr(GPtrArray) opt_out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  for (guint i = 1; i <= N_CONTACTS; i++)
    g_string_append_printf (rows, "\"Pelanggan %u, \"\"VIP\"\"\",0812%08u,%s\n", i, i,
                            i % 3 == 0 ? "Bandung" : "");
  /* Rows the import refuses and a number given twice. */
  g_string_append (rows, "Salah,12,\nJuga Salah,abc,\nPelanggan 7 lagi,0812 0000 0007,Solo\n");
  g_assert_true (g_file_set_contents (csv, rows->str, rows->len, &error));
  g_assert_no_error (error);

  g_free (cli (f, "contacts", "import", csv, "--group", "Pelanggan", "--create-group", NULL));
  for (guint i = 0; i < N_OPTED_OUT; i++)
    g_ptr_array_add (opt_out, g_strdup_printf ("0812%08u", 40 * i + 5));
  g_ptr_array_insert (opt_out, 0, g_strdup ("opt-out"));
  g_ptr_array_insert (opt_out, 0, g_strdup ("contacts"));
  g_ptr_array_insert (opt_out, 0, g_strdup (f->dir));
  g_ptr_array_insert (opt_out, 0, g_strdup ("--data-dir"));
  g_ptr_array_insert (opt_out, 0, g_strdup (f->cli));
  g_ptr_array_add (opt_out, NULL);
  {
    g_autoptr(GSubprocess) process = g_subprocess_newv ((const char * const *)opt_out->pdata,
                                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);

    g_assert_no_error (error);
    g_assert_true (g_subprocess_wait_check (process, NULL, &error));
    g_assert_no_error (error);
  }

  g_free (cli (f, "templates", "add", "Promo",
               "Halo {name}, {{promo|diskon}} hari ini di {kota|toko kami}!\nBalas STOP untuk berhenti.",
               "Hai {first_name|Kak}\tada kabar baik.", NULL));
  out = cli (f, "campaign", "create", "--group", "Pelanggan", "--template", "Promo",
             "--delay", "0", "--batch", "0", "--start", NULL);
  g_assert_nonnull (strstr (out, "Created campaign"));
}

typedef struct
{
  char *phone;
  char *state;
  char *message_id;
  char *text;
} Row;

static void
row_free (Row *row)
{
  g_free (row->phone);
  g_free (row->state);
  g_free (row->message_id);
  g_free (row->text);
  g_free (row);
}

static GPtrArray *
read_rows (Fixture  *f,
           char    **job_state,
           int      *sent_counter,
           int      *quota_used,
           int      *quota_reserved)
{
  g_autofree char *path = g_build_filename (f->dir, "xender-in.db", NULL);
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify)row_free);
  sqlite3_stmt *stmt;
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT phone, state, wa_message_id, rendered_text"
                                           " FROM job_recipients ORDER BY position", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      Row *row = g_new0 (Row, 1);

      row->phone = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
      row->state = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
      row->message_id = g_strdup ((const char *)sqlite3_column_text (stmt, 2));
      row->text = g_strdup ((const char *)sqlite3_column_text (stmt, 3));
      g_ptr_array_add (rows, row);
    }
  sqlite3_finalize (stmt);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT state, sent FROM jobs", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  *job_state = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  *sent_counter = sqlite3_column_int (stmt, 1);
  sqlite3_finalize (stmt);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT COALESCE ((SELECT SUM (used) FROM user_quotas), 0),"
                                           " COALESCE ((SELECT SUM (amount) FROM quota_reservations"
                                           "  WHERE state = 'reserved'), 0)", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  *quota_used = sqlite3_column_int (stmt, 0);
  *quota_reserved = sqlite3_column_int (stmt, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return rows;
}

/* What a user sees: the campaign and the month's quota, as
 * `campaign status --json` reports them. */
static void
check_status (Fixture *f,
              guint    eligible)
{
  g_autofree char *out = cli (f, "--json", "campaign", "status", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root, *quota, *campaign;
  JsonArray *campaigns;

  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  campaigns = json_object_get_array_member (root, "campaigns");
  g_assert_cmpuint (json_array_get_length (campaigns), ==, 1);
  campaign = json_array_get_object_element (campaigns, 0);
  g_assert_cmpstr (json_object_get_string_member (campaign, "state"), ==, "completed");
  g_assert_cmpint (json_object_get_int_member (campaign, "total"), ==, N_CONTACTS);
  g_assert_cmpint (json_object_get_int_member (campaign, "sent"), ==, eligible);
  g_assert_cmpint (json_object_get_int_member (campaign, "failed"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (campaign, "skipped"), ==, N_CONTACTS - eligible);
  g_assert_cmpint (json_object_get_int_member (campaign, "remaining"), ==, 0);
  quota = json_object_get_object_member (root, "quota");
  g_assert_cmpint (json_object_get_int_member (quota, "used"), ==, eligible);
  g_assert_cmpint (json_object_get_int_member (quota, "reserved"), ==, 0);
}

/* Counts the journal's lines as it grows, reading only what was added
 * since the last look: the test looks every millisecond. */
typedef struct
{
  char  *path;
  int    fd;
  guint  lines;
} JournalTail;

static guint
journal_tail_count (JournalTail *tail)
{
  char buffer[16384];
  gssize n;

  if (tail->fd < 0)
    tail->fd = g_open (tail->path, O_RDONLY | O_CLOEXEC, 0);
  if (tail->fd < 0)
    return tail->lines;
  while ((n = read (tail->fd, buffer, sizeof buffer)) > 0)
    for (gssize i = 0; i < n; i++)
      tail->lines += buffer[i] == '\n';
  return tail->lines;
}

/* Lets the run send @target more messages (as the journal shows them),
 * then a random moment of up to 3 ms more so that the kill lands anywhere
 * in a message's way, and kills it. Returns whether it was killed, FALSE
 * when it finished first. */
static gboolean
kill_after_sends (GSubprocess *process,
                  JournalTail *tail,
                  guint        target,
                  GRand       *rand)
{
  guint start = journal_tail_count (tail);
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (journal_tail_count (tail) - start < target)
    {
      /* The identifier is gone once the child exited and was reaped. */
      if (g_subprocess_get_identifier (process) == NULL)
        break;
      if (g_get_monotonic_time () > deadline)
        g_error ("a run sent %u messages in two minutes, %u expected", tail->lines - start, target);
      g_usleep (1000);
    }
  g_usleep (g_rand_int_range (rand, 0, 3001));
  g_subprocess_send_signal (process, SIGKILL);
  g_subprocess_wait (process, NULL, NULL);
  return g_subprocess_get_if_signaled (process);
}

static void
test_kill_and_resume (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GHashTable) journal = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *job_state = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  g_autofree char *journal_path = g_build_filename (f->dir, "loopback-journal.tsv", NULL);
  JournalTail tail = { journal_path, -1, 0 };
  guint kills = 0, early_kills = 0, runs = 0, n_lines = 0, eligible = 0, repeats = 0;
  int sent_counter, quota_used, quota_reserved;

  make_campaign (f);

  /* Kills are timed by what the run was seen to send, not by the clock:
   * on a loaded machine a run can take a second to send its first
   * message, or send hundreds in the time a timer allows. Every counted
   * kill lands after 1 to 40 new messages, so 20 kills take at most a
   * few hundred of the campaign's 2,075 and the rest is sent by the runs
   * that follow. One run in five is also killed before it sends anything
   * (in start-up or while it recovers the last run's "sending" rows). */
  while (kills < MIN_KILLS)
    {
      g_autoptr(GSubprocess) process = spawn_run (f, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                     G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      guint before = journal_tail_count (&tail);
      gboolean early = g_rand_int_range (rand, 0, 5) == 0;

      runs++;
      if (early)
        {
          g_usleep (g_rand_int_range (rand, 1, 50) * 1000);
          g_subprocess_send_signal (process, SIGKILL);
          g_subprocess_wait (process, NULL, NULL);
          if (!g_subprocess_get_if_signaled (process))
            break;
          if (journal_tail_count (&tail) == before)
            early_kills++;
          else
            kills++;
        }
      else if (kill_after_sends (process, &tail, g_rand_int_range (rand, 1, 41), rand))
        kills++;
      else
        break;

      g_test_message ("run %u: killed after %u journal lines (+%u)", runs, tail.lines, tail.lines - before);
      g_assert_cmpuint (runs, <, 500);
    }
  if (tail.fd >= 0)
    close (tail.fd);

  /* Then let it finish. */
  {
    g_autoptr(GSubprocess) process = spawn_run (f, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                   G_SUBPROCESS_FLAGS_STDERR_PIPE);
    g_autoptr(GError) error = NULL;
    g_autofree char *err = NULL;

    g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
    g_assert_no_error (error);
    if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
      g_test_message ("the last run failed: %s", err);
    g_assert_true (g_subprocess_get_if_exited (process));
    g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  }

  journal = read_journal (f, &n_lines);
  rows = read_rows (f, &job_state, &sent_counter, &quota_used, &quota_reserved);
  g_assert_cmpstr (job_state, ==, "completed");
  g_assert_cmpuint (rows->len, ==, N_CONTACTS);

  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = rows->pdata[i];
      Sent *sent = g_hash_table_lookup (journal, row->phone);

      if (g_str_equal (row->state, "skipped"))
        {
          /* Nobody skipped got anything. */
          g_assert_null (sent);
          continue;
        }

      /* Nobody forgotten; one message id; the text the report shows. */
      eligible++;
      g_assert_cmpstr (row->state, ==, "sent");
      g_assert_nonnull (row->message_id);
      if (sent == NULL)
        g_test_message ("%s is sent in the store (%s) but never reached the journal",
                        row->phone, row->message_id);
      g_assert_nonnull (sent);
      for (guint j = 0; j < sent->ids->len; j++)
        {
          g_assert_cmpstr (sent->ids->pdata[j], ==, row->message_id);
          g_assert_cmpstr (sent->texts->pdata[j], ==, row->text);
        }
      repeats += sent->ids->len - 1;
      g_hash_table_remove (journal, row->phone);
    }

  /* And nothing went to a number outside the campaign. */
  g_assert_cmpuint (g_hash_table_size (journal), ==, 0);
  g_assert_cmpuint (eligible, ==, N_CONTACTS - N_OPTED_OUT);
  g_assert_cmpint (sent_counter, ==, eligible);
  g_assert_cmpint (quota_used, ==, eligible);
  g_assert_cmpint (quota_reserved, ==, 0);
  g_assert_cmpuint (kills, >=, MIN_KILLS);
  check_status (f, eligible);

  g_test_message ("%u kills after sends and %u before any over %u runs; %u recipients, %u journal lines,"
                  " %u repeated ids", kills, early_kills, runs, eligible, n_lines, repeats);
  g_print ("# crash test: %u kills (+%u before a send), %u recipients, %u repeats of the same id\n",
           kills, early_kills, eligible, repeats);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/campaigns/crash/kill-and-resume", Fixture, "1",
              fixture_set_up, test_kill_and_resume, fixture_tear_down);
  g_test_add ("/campaigns/crash/kill-with-eight-in-flight", Fixture, "20",
              fixture_set_up, test_kill_and_resume, fixture_tear_down);

  return g_test_run ();
}
