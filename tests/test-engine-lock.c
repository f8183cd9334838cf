/* test-engine-lock.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <unistd.h>

#include "xi-engine-lock.h"
#include "xi-test-utils.h"

/*
 * One engine per data folder, with real processes: two `xender-in-cli
 * run` on one folder, `run` while this process holds the lock as the app
 * would, `run --wait`, and the app's wait for a holder that crashes. The
 * loopback journal is what reached "WhatsApp": nobody may be in it twice.
 */

#define N_CONTACTS 1200

typedef struct
{
  char *dir;
  char *cli;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
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

/* Starts `xender-in-cli --data-dir DIR ARGS…`; a millisecond per ack
 * stretches a campaign of 1,200 over more than a second. */
static GSubprocess *
spawn_cli_va (Fixture    *f,
              const char *first,
              va_list     ap)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "XI_LOOPBACK_ACK_DELAY_MS", "1", TRUE);
  g_ptr_array_add (args, f->cli);
  g_ptr_array_add (args, (gpointer)"--data-dir");
  g_ptr_array_add (args, f->dir);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer)arg);
  g_ptr_array_add (args, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)args->pdata, &error);
  g_assert_no_error (error);
  return process;
}

static GSubprocess *
spawn_cli (Fixture    *f,
           const char *first,
           ...)
{
  GSubprocess *process;
  va_list ap;

  va_start (ap, first);
  process = spawn_cli_va (f, first, ap);
  va_end (ap);
  return process;
}

/* Waits for @process; returns its exit status and standard error. */
static int
finish (GSubprocess  *process,
        char        **err)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

/* Reads @process's standard error up to the line that contains @text,
 * and returns that line. */
static char *
read_until (GSubprocess *process,
            const char  *text)
{
  g_autoptr(GDataInputStream) err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));

  /* Reads no further than the line, so finish() gets the rest. */
  g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (err), 1);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (err), FALSE);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (strstr (line, text) != NULL)
        return g_steal_pointer (&line);
    }
}

static void
run_ok (Fixture    *f,
        const char *first,
        ...)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *err = NULL;
  va_list ap;

  va_start (ap, first);
  process = spawn_cli_va (f, first, ap);
  va_end (ap);
  if (finish (process, &err) != 0)
    g_error ("%s failed: %s", first, err);
}

/* A started rehearsal campaign of N_CONTACTS at zero delay. */
static void
make_campaign (Fixture *f)
{
  g_autoptr(GString) csv = g_string_new ("Nama,No HP\n");
  g_autofree char *path = g_build_filename (f->dir, "pelanggan.csv", NULL);

  for (guint i = 1; i <= N_CONTACTS; i++)
    g_string_append_printf (csv, "Pelanggan %u,0813%08u\n", i, i);
  g_assert_true (g_file_set_contents (path, csv->str, csv->len, NULL));

  run_ok (f, "contacts", "import", path, "--group", "Pelanggan", "--create-group", NULL);
  run_ok (f, "templates", "add", "Promo", "Halo {name}, promo!", NULL);
  run_ok (f, "campaign", "create", "--group", "Pelanggan", "--template", "Promo", "--delay", "0",
          "--batch", "0", "--name", "Promo", "--start", "--rehearse", NULL);
}

/* Every recipient is in the journal, under one message id. Only after a
 * crash may a message be there twice, under its one id: its ack was not
 * on disk yet, and WhatsApp takes the resend for the same message. */
static void
assert_journal_once_each (Fixture  *f,
                          gboolean  after_crash)
{
  g_autofree char *path = g_build_filename (f->dir, "loopback-journal.tsv", NULL);
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint repeats = 0;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], "\t", 3);
      const char *seen;

      g_assert_cmpuint (g_strv_length (fields), ==, 3);
      seen = g_hash_table_lookup (ids, fields[1]);
      if (seen == NULL)
        {
          g_hash_table_insert (ids, g_strdup (fields[1]), g_strdup (fields[0]));
          continue;
        }
      g_assert_cmpstr (seen, ==, fields[0]);
      repeats++;
    }
  if (!after_crash)
    g_assert_cmpuint (repeats, ==, 0);
  g_assert_cmpuint (g_hash_table_size (ids), ==, N_CONTACTS);
}

/* The lock file names @pid once that process holds the lock. */
static gboolean
lock_names (Fixture    *f,
            const char *pid)
{
  g_autofree char *path = g_build_filename (f->dir, "engine.lock", NULL);
  g_autofree char *contents = NULL;

  return g_file_get_contents (path, &contents, NULL, NULL) && g_str_has_prefix (contents, pid) &&
         contents[strlen (pid)] == ' ';
}

static void
wait_for_lock_holder (Fixture     *f,
                      GSubprocess *process)
{
  const char *pid = g_subprocess_get_identifier (process);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!lock_names (f, pid))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
}

/* Two `run` on one folder at once: one sends everything, the other says
 * who is sending and exits 1; nobody gets two messages. */
static void
test_two_runs (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GSubprocess) first = NULL;
  g_autoptr(GSubprocess) second = NULL;
  g_autofree char *first_pid = NULL;
  g_autofree char *second_pid = NULL;
  g_autofree char *first_err = NULL;
  g_autofree char *second_err = NULL;
  g_autofree char *expected = NULL;
  int first_status, second_status;

  make_campaign (f);
  first = spawn_cli (f, "run", "--until-idle", "--transport", "loopback", NULL);
  second = spawn_cli (f, "run", "--until-idle", "--transport", "loopback", NULL);
  first_pid = g_strdup (g_subprocess_get_identifier (first));
  second_pid = g_strdup (g_subprocess_get_identifier (second));
  first_status = finish (first, &first_err);
  second_status = finish (second, &second_err);

  /* Whichever took the lock sends; the other names it. */
  g_assert_cmpint (first_status + second_status, ==, 1);
  expected = g_strdup_printf ("xender-in-cli: Xender-In is already sending from xender-in-cli (pid %s); "
                              "wait for it to finish, or stop it first.\n",
                              first_status == 0 ? first_pid : second_pid);
  g_assert_cmpstr (first_status == 0 ? second_err : first_err, ==, expected);
  assert_journal_once_each (f, FALSE);
}

/* This process holds the lock as the app does: `run` refuses with the
 * sentence, state changes still work, and `run --wait` sends once the
 * lock is let go. */
static void
test_run_while_held (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(XiEngineLock) lock = xi_engine_lock_new (f->dir, XI_ENGINE_LOCK_KIND_APP);
  g_autoptr(GSubprocess) refused = NULL;
  g_autoptr(GSubprocess) waiting = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *waiting_err = NULL;
  g_autofree char *waiting_line = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *journal = g_build_filename (f->dir, "loopback-journal.tsv", NULL);

  make_campaign (f);
  g_assert_true (xi_engine_lock_try_acquire (lock, &error));
  g_assert_no_error (error);

  refused = spawn_cli (f, "run", "--until-idle", NULL);
  g_assert_cmpint (finish (refused, &err), ==, 1);
  expected = g_strdup_printf ("xender-in-cli: Xender-In is already sending from the app (pid %d); "
                              "use it, or close it first.\n", (int)getpid ());
  g_assert_cmpstr (err, ==, expected);

  run_ok (f, "campaign", "pause", "Promo", NULL);
  run_ok (f, "campaign", "resume", "Promo", NULL);

  waiting = spawn_cli (f, "run", "--until-idle", "--wait", "--transport", "loopback", NULL);
  /* Let go only once it says it waits: on a loaded machine the program
   * may not have reached the lock yet after any fixed pause. */
  waiting_line = read_until (waiting, "Waiting until it stops");
  g_assert_nonnull (strstr (waiting_line, "xender-in-cli"));
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
  xi_engine_lock_release (lock);
  g_assert_cmpint (finish (waiting, &waiting_err), ==, 0);
  assert_journal_once_each (f, FALSE);
}

/* Someone removes `engine.lock` while the app holds it (tidying the
 * folder): a `run` that makes and locks a new one is still turned away,
 * and nobody gets two messages. */
static void
test_lock_file_removed (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(XiEngineLock) lock = xi_engine_lock_new (f->dir, XI_ENGINE_LOCK_KIND_APP);
  g_autoptr(GSubprocess) refused = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *path = g_build_filename (f->dir, "engine.lock", NULL);
  g_autofree char *journal = g_build_filename (f->dir, "loopback-journal.tsv", NULL);

  make_campaign (f);
  g_assert_true (xi_engine_lock_try_acquire (lock, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_unlink (path), ==, 0);

  refused = spawn_cli (f, "run", "--until-idle", "--transport", "loopback", NULL);
  g_assert_cmpint (finish (refused, &err), ==, 1);
  g_assert_cmpstr (err, ==, "xender-in-cli: Xender-In is already sending from another program; "
                            "wait for it to finish, or close it first.\n");
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));

  xi_engine_lock_release (lock);
  run_ok (f, "run", "--until-idle", "--transport", "loopback", NULL);
  assert_journal_once_each (f, FALSE);
}

static void
wait_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (xi_engine_lock_wait_finish (XI_ENGINE_LOCK (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *)user_data = TRUE;
}

/* The app waits for a `run` that crashes mid-campaign: the kernel drops
 * the dead process's lock, the wait notices without polling, and the
 * campaign continues here with nobody sent to twice. */
static void
test_wait_for_crashed_holder (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(XiEngineLock) lock = xi_engine_lock_new (f->dir, XI_ENGINE_LOCK_KIND_APP);
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(GSubprocess) rest = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  gboolean done = FALSE;
  gint64 killed_at;

  make_campaign (f);
  holder = spawn_cli (f, "run", "--transport", "loopback", NULL);
  wait_for_lock_holder (f, holder);

  g_assert_false (xi_engine_lock_try_acquire (lock, &error));
  g_assert_error (error, XI_ENGINE_LOCK_ERROR, XI_ENGINE_LOCK_ERROR_BUSY);
  g_assert_cmpint (xi_engine_lock_get_holder_kind (lock), ==, XI_ENGINE_LOCK_KIND_CLI);
  g_assert_cmpint (xi_engine_lock_get_holder_pid (lock), ==,
                   atoi (g_subprocess_get_identifier (holder)));

  xi_engine_lock_wait_async (lock, NULL, wait_done_cb, &done);
  g_usleep (200 * G_TIME_SPAN_MILLISECOND);
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (done);

  killed_at = g_get_monotonic_time ();
  g_subprocess_send_signal (holder, SIGKILL);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  /* Well under the fallback's retry: the wait watched the process. */
  g_test_message ("the wait ended %.1f ms after the kill",
                  (g_get_monotonic_time () - killed_at) / (double)G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (g_get_monotonic_time () - killed_at, <, 2 * G_USEC_PER_SEC);
  g_assert_true (xi_engine_lock_is_held (lock));
  g_subprocess_wait (holder, NULL, NULL);

  /* Let go as an app would on quit; the next engine finishes the job. */
  xi_engine_lock_release (lock);
  rest = spawn_cli (f, "run", "--until-idle", "--transport", "loopback", NULL);
  g_assert_cmpint (finish (rest, &err), ==, 0);
  assert_journal_once_each (f, TRUE);
}

static void
wait_cancelled_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (xi_engine_lock_wait_finish (XI_ENGINE_LOCK (object), result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  (*(guint *)user_data)++;
}

/* An app that quits while it waits: cancelling, or letting go of the
 * lock it waits for, ends the wait at once; a second open of the file,
 * even in the same process, does not get a lock held by the first. */
static void
test_wait_ends (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(XiEngineLock) holder = xi_engine_lock_new (f->dir, XI_ENGINE_LOCK_KIND_CLI);
  g_autoptr(XiEngineLock) waiter = xi_engine_lock_new (f->dir, XI_ENGINE_LOCK_KIND_APP);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  guint ended = 0;

  g_assert_true (xi_engine_lock_try_acquire (holder, &error));
  g_assert_false (xi_engine_lock_try_acquire (waiter, &error));
  g_assert_error (error, XI_ENGINE_LOCK_ERROR, XI_ENGINE_LOCK_ERROR_BUSY);
  g_assert_cmpint (xi_engine_lock_get_holder_pid (waiter), ==, getpid ());

  xi_engine_lock_wait_async (waiter, cancellable, wait_cancelled_cb, &ended);
  g_cancellable_cancel (cancellable);
  while (ended < 1)
    g_main_context_iteration (NULL, TRUE);

  xi_engine_lock_wait_async (waiter, NULL, wait_cancelled_cb, &ended);
  xi_engine_lock_release (waiter);
  while (ended < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (xi_engine_lock_is_held (waiter));
  g_assert_true (xi_engine_lock_is_held (holder));
}

/* Runs on a tmpfs filled up to $ROOM bytes: the first `run` meets a
 * full disk, then the filler goes and the campaign is resumed and
 * finished. */
static const char disk_full_script[] =
  XI_TEST_TMPFS_FILL
  "\"$CLI\" --data-dir \"$MNT\" run --until-idle --transport loopback 2>\"$OUT/first.err\"\n"
  "echo $? >\"$OUT/first.status\"\n"
  "\"$CLI\" --data-dir \"$MNT\" campaign status Promo >\"$OUT/paused\"\n"
  "\"$CLI\" --data-dir \"$MNT\" contacts import \"$SEED/more.csv\" 2>\"$OUT/import.err\"\n"
  "echo $? >\"$OUT/import.status\"\n"
  "rm \"$MNT/filler\"\n"
  "\"$CLI\" --data-dir \"$MNT\" campaign resume Promo >/dev/null 2>&1\n"
  "\"$CLI\" --data-dir \"$MNT\" run --until-idle --transport loopback 2>\"$OUT/second.err\"\n"
  "echo $? >\"$OUT/second.status\"\n"
  "\"$CLI\" --data-dir \"$MNT\" campaign status Promo >\"$OUT/status\"\n"
  "cp \"$MNT/loopback-journal.tsv\" \"$OUT/\"\n";

/* Runs @script with the folder's database copied to a tmpfs of 64 MB,
 * $MNT (xi_test_spawn_on_tmpfs ()), filled up to $ROOM bytes when the
 * script says XI_TEST_TMPFS_FILL; $SEED is the folder, $OUT an empty
 * folder for what it keeps, $CLI the command line. Returns FALSE when
 * no tmpfs can be mounted, after marking the test skipped. */
static gboolean
run_on_tmpfs (Fixture    *f,
              const char *script,
              const char *room)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *mnt = g_build_filename (f->dir, "mnt", NULL);
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  g_autofree char *copied = g_strconcat ("cp -a \"$SEED/xender-in.db\" \"$MNT\"/\n", script, NULL);

  g_assert_cmpint (g_mkdir (mnt, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (out, 0700), ==, 0);
  g_subprocess_launcher_setenv (launcher, "SEED", f->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "OUT", out, TRUE);
  g_subprocess_launcher_setenv (launcher, "CLI", f->cli, TRUE);
  g_subprocess_launcher_setenv (launcher, "ROOM", room, TRUE);
  process = xi_test_spawn_on_tmpfs (launcher, mnt, copied);
  return xi_test_tmpfs_wait (process);
}

/* more.csv: 20,000 new customers, more than a nearly full disk takes. */
static void
write_more_contacts (Fixture *f)
{
  g_autofree char *more = g_build_filename (f->dir, "more.csv", NULL);
  g_autoptr(GString) csv = g_string_new ("Nama,No HP\n");

  for (guint i = 1; i <= 20000; i++)
    g_string_append_printf (csv, "Pelanggan Baru %u,0814%08u\n", i, i);
  g_assert_true (g_file_set_contents (more, csv->str, csv->len, NULL));
}

/* `run` on a full disk: the campaign pauses with the reason, the command
 * exits 1 saying so, nobody is marked failed, and once there is room the
 * campaign resumes and ends with one message id per person. */
static void
test_disk_full (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *seed = g_strdup (f->dir);
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  g_autofree char *first_status = NULL;
  g_autofree char *first_err = NULL;
  g_autofree char *second_status = NULL;
  g_autofree char *paused = NULL;
  g_autofree char *import_status = NULL;
  g_autofree char *import_err = NULL;
  g_autofree char *status = NULL;

  if (!xi_test_can_mount_tmpfs ())
    return;

  make_campaign (f);
  write_more_contacts (f);
  if (!run_on_tmpfs (f, disk_full_script, "262144"))
    return;

  first_status = xi_test_read_out (out, "first.status");
  first_err = xi_test_read_out (out, "first.err");
  g_assert_cmpstr (first_status, ==, "1\n");
  paused = xi_test_read_out (out, "paused");
  /* The pause is written when the disk still takes that much; when not,
   * the campaign is left "sending" and the command says so. */
  if (strstr (paused, "Paused") != NULL)
    {
      g_test_message ("the pause was written");
      g_assert_true (g_str_has_suffix (first_err, "\nxender-in-cli: The disk is full: the campaign is paused. "
                                                  "Free some space, then resume it with “xender-in-cli "
                                                  "campaign resume”.\n"));
      g_assert_nonnull (strstr (paused, "\n          The disk is full\n"));
    }
  else
    {
      g_test_message ("there was no room for the pause");
      g_assert_nonnull (strstr (paused, "Sending"));
      g_assert_true (g_str_has_suffix (first_err, "\nxender-in-cli: The disk is full: sending stopped. Free some "
                                                  "space, then run again to continue the campaign.\n"));
    }
  g_assert_nonnull (strstr (paused, " 0 failed"));

  /* Said as what it is, not as "disk I/O error". */
  import_status = xi_test_read_out (out, "import.status");
  import_err = xi_test_read_out (out, "import.err");
  g_assert_cmpstr (import_status, ==, "1\n");
  g_assert_cmpstr (import_err, ==, "xender-in-cli: The disk is full: free some space on it, then try again.\n");

  second_status = xi_test_read_out (out, "second.status");
  g_assert_cmpstr (second_status, ==, "0\n");
  status = xi_test_read_out (out, "status");
  g_assert_nonnull (strstr (status, "1200 sent, 0 delivered, 0 read, 0 failed"));

  g_free (f->dir);
  f->dir = g_strdup (out);
  assert_journal_once_each (f, TRUE);
  g_free (f->dir);
  f->dir = g_steal_pointer (&seed);
}

/* Creates, on a tmpfs of 64 MB, a campaign of long messages to everybody
 * (about 72 MB of text), then one to a group of 100 that fits although
 * the folder's 1,200 contacts would not. */
static const char too_big_script[] =
  "\"$CLI\" --data-dir \"$MNT\" campaign create --group Pelanggan --template Panjang --rehearse"
  " 2>\"$OUT/big.err\"\n"
  "echo $? >\"$OUT/big.status\"\n"
  "stat -c %s \"$MNT/xender-in.db\" >\"$OUT/big.size\"\n"
  "\"$CLI\" --data-dir \"$MNT\" campaign create --group Sedikit --template Panjang --rehearse"
  " >/dev/null 2>\"$OUT/small.err\"\n"
  "echo $? >\"$OUT/small.status\"\n";

/* A campaign whose messages cannot fit on the disk is refused, saying
 * how much it needs, before its recipients fill the disk. */
static void
test_too_big_for_disk (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GString) csv = g_string_new ("Nama,No HP\n");
  g_autoptr(GString) text = g_string_new ("Halo {name}, ");
  g_autofree char *path = g_build_filename (f->dir, "pelanggan.csv", NULL);
  g_autofree char *few = g_build_filename (f->dir, "sedikit.csv", NULL);
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  g_autofree char *db = g_build_filename (f->dir, "xender-in.db", NULL);
  g_autofree char *big_status = NULL;
  g_autofree char *big_err = NULL;
  g_autofree char *big_size = NULL;
  g_autofree char *small_status = NULL;
  g_autofree char *small_err = NULL;
  GStatBuf before;

  for (guint i = 1; i <= N_CONTACTS; i++)
    g_string_append_printf (csv, "Pelanggan %u,0813%08u\n", i, i);
  g_assert_true (g_file_set_contents (path, csv->str, csv->len, NULL));
  run_ok (f, "contacts", "import", path, "--group", "Pelanggan", "--create-group", NULL);
  g_string_truncate (csv, strlen ("Nama,No HP\n"));
  for (guint i = 1; i <= 100; i++)
    g_string_append_printf (csv, "Pelanggan %u,0813%08u\n", i, i);
  g_assert_true (g_file_set_contents (few, csv->str, csv->len, NULL));
  run_ok (f, "contacts", "import", few, "--group", "Sedikit", "--create-group", NULL);
  while (text->len < 60000)
    g_string_append (text, "Diskon besar untuk semua pelanggan setia kami minggu ini. ");
  run_ok (f, "templates", "add", "Panjang", text->str, NULL);
  g_assert_cmpint (g_stat (db, &before), ==, 0);

  if (!run_on_tmpfs (f, too_big_script, "0"))
    return;

  big_status = xi_test_read_out (out, "big.status");
  big_err = xi_test_read_out (out, "big.err");
  g_assert_cmpstr (big_status, ==, "1\n");
  g_assert_true (g_str_has_prefix (big_err, "xender-in-cli: This campaign’s messages need about "));
  g_assert_nonnull (strstr (big_err, " on the disk and only "));
  /* Nothing of it was left behind. */
  big_size = xi_test_read_out (out, "big.size");
  g_assert_cmpint (g_ascii_strtoll (big_size, NULL, 10), ==, before.st_size);

  small_status = xi_test_read_out (out, "small.status");
  small_err = xi_test_read_out (out, "small.err");
  g_assert_cmpstr (small_err, ==, "");
  g_assert_cmpstr (small_status, ==, "0\n");
}

/* A campaign's `run` and an import at once, two processes writing one
 * folder, on a disk with 256 KB left; then, with room again, the
 * folder is copied out as it is and the campaign finished. */
static const char two_writers_script[] =
  XI_TEST_TMPFS_FILL
  "\"$CLI\" --data-dir \"$MNT\" contacts import \"$SEED/more.csv\" >/dev/null 2>\"$OUT/import.err\" &\n"
  "import=$!\n"
  "\"$CLI\" --data-dir \"$MNT\" run --until-idle --transport loopback 2>\"$OUT/run.err\"\n"
  "echo $? >\"$OUT/run.status\"\n"
  "wait $import\n"
  "echo $? >\"$OUT/import.status\"\n"
  "rm \"$MNT/filler\"\n"
  "mkdir \"$OUT/copy\"\n"
  "cp \"$MNT\"/xender-in.db* \"$OUT/copy/\"\n"
  "\"$CLI\" --data-dir \"$MNT\" campaign resume Promo >/dev/null 2>&1\n"
  "\"$CLI\" --data-dir \"$MNT\" run --until-idle --transport loopback 2>\"$OUT/second.err\"\n"
  "echo $? >\"$OUT/second.status\"\n"
  "\"$CLI\" --data-dir \"$MNT\" campaign status Promo >\"$OUT/status\"\n"
  "cp \"$MNT/loopback-journal.tsv\" \"$OUT/\"\n";

#define INTEGRITY_CHECK "SELECT group_concat (integrity_check, ' | ') FROM pragma_integrity_check"

/* Each process that met the full disk says so (neither "disk I/O error"
 * nor "database is locked"), what one of them half wrote does not
 * damage the other's database, and the campaign ends once each. */
static void
test_two_writers_disk_full (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *seed = g_strdup (f->dir);
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  g_autofree char *copy = g_build_filename (out, "copy", "xender-in.db", NULL);
  g_autofree char *db = g_build_filename (f->dir, "xender-in.db", NULL);
  g_autofree char *sound = NULL;
  g_autofree char *check = NULL;
  g_autofree char *status = NULL;
  const char *names[] = { "run", "import", NULL };

  if (!xi_test_can_mount_tmpfs ())
    return;
  make_campaign (f);
  write_more_contacts (f);
  /* SQLite 3.40 reports NOT NULL columns of WITHOUT ROWID tables as
   * NULL in a sound database: what matters is that nothing is added. */
  sound = xi_test_sqlite_text (db, INTEGRITY_CHECK);
  if (!run_on_tmpfs (f, two_writers_script, "262144"))
    return;

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *status_name = g_strconcat (names[i], ".status", NULL);
      g_autofree char *err_name = g_strconcat (names[i], ".err", NULL);
      g_autofree char *exit_status = xi_test_read_out (out, status_name);
      g_autofree char *err = xi_test_read_out (out, err_name);

      g_test_message ("%s: %s%s", names[i], exit_status, err);
      if (g_str_equal (exit_status, "0\n"))
        continue;
      g_assert_cmpstr (exit_status, ==, "1\n");
      g_assert_nonnull (strstr (err, "xender-in-cli: The disk is full"));
    }
  check = xi_test_sqlite_text (copy, INTEGRITY_CHECK);
  g_assert_cmpstr (check, ==, sound);

  status = xi_test_read_out (out, "status");
  g_assert_nonnull (strstr (status, "1200 sent, 0 delivered, 0 read, 0 failed"));
  g_free (f->dir);
  f->dir = g_strdup (out);
  assert_journal_once_each (f, TRUE);
  g_free (f->dir);
  f->dir = g_steal_pointer (&seed);
}

/* Every byte of the disk taken, then some given back. */
static const char open_disk_full_script[] =
  XI_TEST_TMPFS_FILL
  "\"$CLI\" --data-dir \"$MNT\" contacts list 2>\"$OUT/full.err\"\n"
  "echo $? >\"$OUT/full.status\"\n"
  "rm \"$MNT/filler\"\n"
  "\"$CLI\" --data-dir \"$MNT\" contacts list 2>\"$OUT/room.err\"\n"
  "echo $? >\"$OUT/room.status\"\n";

/* A command on a disk so full that the database cannot even be opened
 * (SQLite's shared memory file needs room) says the disk is full, rather
 * than crashing, and works once there is room. */
static void
test_open_disk_full (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  g_autofree char *full_status = NULL;
  g_autofree char *full_err = NULL;
  g_autofree char *room_status = NULL;

  run_ok (f, "contacts", "list", NULL);
  if (!run_on_tmpfs (f, open_disk_full_script, "0"))
    return;

  full_status = xi_test_read_out (out, "full.status");
  full_err = xi_test_read_out (out, "full.err");
  g_assert_cmpstr (full_status, ==, "1\n");
  g_assert_cmpstr (full_err, ==, "xender-in-cli: The disk is full: free some space on it, then try again.\n");
  room_status = xi_test_read_out (out, "room.status");
  g_assert_cmpstr (room_status, ==, "0\n");
}

/* A report written while there was room, then written again, and the
 * contacts exported, on a disk with less room left than either takes. */
static const char export_script[] =
  "\"$CLI\" --data-dir \"$MNT\" campaign report Promo \"$MNT/report.csv\" >/dev/null\n"
  "cp \"$MNT/report.csv\" \"$OUT/before.csv\"\n"
  XI_TEST_TMPFS_FILL
  "\"$CLI\" --data-dir \"$MNT\" campaign report Promo \"$MNT/report.csv\" 2>\"$OUT/report.err\"\n"
  "echo $? >\"$OUT/report.status\"\n"
  "\"$CLI\" --data-dir \"$MNT\" contacts export \"$MNT/contacts.csv\" 2>\"$OUT/contacts.err\"\n"
  "echo $? >\"$OUT/contacts.status\"\n"
  "cp \"$MNT/report.csv\" \"$OUT/after.csv\"\n"
  "rm \"$MNT/filler\"\n"
  "ls -A \"$MNT\" >\"$OUT/files\"\n";

/* A CSV export that meets a full disk says so, and leaves the file that
 * was there before whole: never the start of the new one under its
 * name, which a spreadsheet would open as if it were all of it. */
static void
test_export_disk_full (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *report_status = NULL;
  g_autofree char *report_err = NULL;
  g_autofree char *contacts_status = NULL;
  g_autofree char *contacts_err = NULL;
  g_autofree char *files = NULL;

  if (!xi_test_can_mount_tmpfs ())
    return;
  make_campaign (f);
  if (!run_on_tmpfs (f, export_script, "65536"))
    return;

  before = xi_test_read_out (out, "before.csv");
  g_assert_cmpuint (strlen (before), >, 65536);
  report_status = xi_test_read_out (out, "report.status");
  report_err = xi_test_read_out (out, "report.err");
  g_assert_cmpstr (report_status, ==, "1\n");
  g_assert_true (g_str_has_prefix (report_err, "xender-in-cli: There is no room left on the disk for “"));
  g_assert_true (g_str_has_suffix (report_err, "/report.csv”. Free some space and try again.\n"));
  after = xi_test_read_out (out, "after.csv");
  g_assert_cmpstr (after, ==, before);

  contacts_status = xi_test_read_out (out, "contacts.status");
  contacts_err = xi_test_read_out (out, "contacts.err");
  g_assert_cmpstr (contacts_status, ==, "1\n");
  g_assert_true (g_str_has_suffix (contacts_err, "/contacts.csv”. Free some space and try again.\n"));
  /* Neither a part of the contacts nor a temporary file is left. */
  files = xi_test_read_out (out, "files");
  g_assert_cmpstr (files, ==, "report.csv\nxender-in.db\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine-lock/two-runs", Fixture, NULL, fixture_set_up, test_two_runs, fixture_tear_down);
  g_test_add ("/engine-lock/lock-file-removed", Fixture, NULL, fixture_set_up,
              test_lock_file_removed, fixture_tear_down);
  g_test_add ("/engine-lock/run-while-held", Fixture, NULL, fixture_set_up, test_run_while_held,
              fixture_tear_down);
  g_test_add ("/engine-lock/wait-for-crashed-holder", Fixture, NULL, fixture_set_up,
              test_wait_for_crashed_holder, fixture_tear_down);

  g_test_add ("/engine-lock/wait-ends", Fixture, NULL, fixture_set_up, test_wait_ends, fixture_tear_down);
  g_test_add ("/cli-run/disk-full", Fixture, NULL, fixture_set_up, test_disk_full, fixture_tear_down);
  g_test_add ("/cli-run/two-writers-disk-full", Fixture, NULL, fixture_set_up, test_two_writers_disk_full,
              fixture_tear_down);
  g_test_add ("/cli-open/disk-full", Fixture, NULL, fixture_set_up, test_open_disk_full, fixture_tear_down);
  g_test_add ("/cli-export/disk-full", Fixture, NULL, fixture_set_up, test_export_disk_full, fixture_tear_down);
  g_test_add ("/cli-campaign/too-big-for-disk", Fixture, NULL, fixture_set_up, test_too_big_for_disk,
              fixture_tear_down);

  return g_test_run ();
}
