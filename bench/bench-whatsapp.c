/* bench-whatsapp.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "bench-utils.h"

/*
 * Campaigns over the real protocol: `xender-in-cli run --transport
 * whatsapp --until-idle`, the headless engine in its own process, sends a
 * zero-delay campaign to N accounts of the fake server (default 2,000)
 * over loopback, end to end: usync, prekey bundles, Signal encryption,
 * the stanza, the server's ack, the phones' delivery receipts, every
 * outcome committed to SQLite.
 *  - whatsapp-fresh-*: the first campaign, a new session with every
 *    recipient (a bundle fetch and a pkmsg each);
 *  - whatsapp-established-*: a second campaign to the same people, on
 *    the sessions and device lists the first left;
 *  - *-cpu: user + system CPU of the engine's process per message (what
 *    the messages cost, whatever the server's speed), *-rss its peak.
 * Then Baileys, from npm, sends the same two rounds through the same fake
 * server (tests/interop/bench-baileys.js), measured the same way, and the
 * ratios are printed. Without Baileys installed that half is left out.
 */

#define SHOP_PHONE    "6281900000001"
#define BAILEYS_PHONE "6281900000002"

typedef struct
{
  GSubprocess   *process;
  GOutputStream *in;
  GAsyncQueue   *lines;   /* char*, from a reader thread: the server prints a
                           * line per relayed copy, and must never block */
  GThread       *reader;
  char          *url;
  char          *root;
} Fakewa;

static gpointer
read_lines (gpointer data)
{
  GDataInputStream *out = data;
  Fakewa *fakewa = g_object_get_data (G_OBJECT (out), "fakewa");
  char *line;

  while ((line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, NULL)) != NULL)
    {
      if (g_str_has_prefix (line, "relayed "))
        g_free (line);
      else
        g_async_queue_push (fakewa->lines, line);
    }
  g_async_queue_push (fakewa->lines, g_strdup ("eof"));
  g_object_unref (out);
  return NULL;
}

static char *
expect (Fakewa     *fakewa,
        const char *prefix)
{
  for (;;)
    {
      char *line = g_async_queue_timeout_pop (fakewa->lines, 60 * G_USEC_PER_SEC);

      if (line == NULL || g_str_equal (line, "eof"))
        g_error ("fakewa did not say “%s”", prefix);
      if (g_str_has_prefix (line, prefix))
        return line;
      g_free (line);
    }
}

static void
command (Fakewa     *fakewa,
         const char *format,
         ...)
{
  g_autofree char *text = NULL;
  g_autofree char *answer = NULL;
  va_list ap;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_assert (g_output_stream_write_all (fakewa->in, text, strlen (text), NULL, NULL, NULL));
  g_assert (g_output_stream_write_all (fakewa->in, "\n", 1, NULL, NULL, NULL));
  answer = expect (fakewa, "");
  if (!g_str_equal (answer, "ok"))
    g_error ("fakewa refused “%s”: %s", text, answer);
}

static void
start_fakewa (Fakewa *fakewa)
{
  g_autoptr(GError) error = NULL;
  GDataInputStream *out;
  g_autofree char *url = NULL;
  g_autofree char *root = NULL;

  fakewa->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                      XI_FAKEWA_PATH, NULL);
  g_assert_no_error (error);
  fakewa->in = g_subprocess_get_stdin_pipe (fakewa->process);
  fakewa->lines = g_async_queue_new_full (g_free);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fakewa->process));
  g_object_set_data (G_OBJECT (out), "fakewa", fakewa);
  fakewa->reader = g_thread_new ("fakewa-out", read_lines, out);
  url = expect (fakewa, "url ");
  root = expect (fakewa, "root ");
  fakewa->url = g_strdup (url + 4);
  fakewa->root = g_strdup (root + 5);
}

static char **
cli_env (Fakewa *fakewa)
{
  char **env = g_get_environ ();

  /* Never keys in the keyring of whoever runs the benchmark. */
  env = g_environ_setenv (env, "XENDER_IN_SECRETS", "file", FALSE);
  env = g_environ_setenv (env, "XI_WA_URL", fakewa->url, TRUE);
  return g_environ_setenv (env, "XI_WA_ROOT_KEY", fakewa->root, TRUE);
}

/* xender-in-cli in @dir; fails the bench on a non-zero exit. */
static char *
cli (Fakewa     *fakewa,
     const char *dir,
     const char *first,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = cli_env (fakewa);
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  g_autofree char *err = NULL;
  int status;
  va_list ap;

  g_ptr_array_add (argv, (char *) XI_CLI_PATH);
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, (char *) dir);
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("xender-in-cli %s failed: %s\n%s", first, error->message, err);
  return out;
}

/* Links the CLI: it prints the QR as JSON, the fake phone scans it. */
static void
link_cli (Fakewa     *fakewa,
          const char *dir)
{
  const char *argv[] = { XI_CLI_PATH, "--data-dir", dir, "--json", "link", NULL };
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_auto(GStrv) env = cli_env (fakewa);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *paired = NULL;

  g_subprocess_launcher_set_environ (launcher, env);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, NULL);

      g_assert (line != NULL);
      g_string_append (text, line);
      if (g_str_equal (line, "}"))
        break;
    }
  g_assert (json_parser_load_from_data (parser, text->str, -1, NULL));
  command (fakewa, "scan %s %s",
           json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "qr"), SHOP_PHONE);
  paired = expect (fakewa, "paired ");
  g_assert (g_subprocess_wait_check (process, NULL, NULL));
}

typedef struct
{
  double seconds;
  double cpu_seconds;
  double rss_mb;
} Usage;

/* The engine's run, as the child's own rusage tells it. */
static Usage
run_engine (Fakewa     *fakewa,
            const char *dir)
{
  g_auto(GStrv) env = cli_env (fakewa);
  struct rusage usage;
  gint64 start = g_get_monotonic_time ();
  int status;
  pid_t pid;
  Usage result;

  pid = fork ();
  g_assert (pid >= 0);
  if (pid == 0)
    {
      int null = open ("/dev/null", O_WRONLY);

      /* Its progress lines are not figures. */
      dup2 (null, STDOUT_FILENO);
      execle (XI_CLI_PATH, XI_CLI_PATH, "--data-dir", dir, "run", "--transport", "whatsapp", "--until-idle",
              (char *) NULL, env);
      _exit (127);
    }
  while (wait4 (pid, &status, 0, &usage) < 0)
    g_assert (errno == EINTR);
  g_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  result.seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  result.cpu_seconds = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
                       usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  result.rss_mb = usage.ru_maxrss / 1024.0;
  return result;
}

static guint
sent_of (Fakewa     *fakewa,
         const char *dir,
         const char *campaign)
{
  g_autofree char *out = cli (fakewa, dir, "--json", "campaign", "status", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *campaigns;

  g_assert (json_parser_load_from_data (parser, out, -1, NULL));
  campaigns = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "campaigns");
  for (guint i = 0; i < json_array_get_length (campaigns); i++)
    {
      JsonObject *object = json_array_get_object_element (campaigns, i);

      if (g_str_equal (json_object_get_string_member (object, "name"), campaign))
        return json_object_get_int_member (object, "sent");
    }
  g_error ("no campaign %s", campaign);
}

static void
report_round (const char *round,
              Usage       usage,
              guint       messages)
{
  g_autofree char *throughput = g_strdup_printf ("whatsapp-%s-throughput", round);
  g_autofree char *cpu = g_strdup_printf ("whatsapp-%s-cpu", round);

  bench_report (throughput, messages / usage.seconds, "messages/s");
  bench_report (cpu, usage.cpu_seconds * 1e6 / messages, "us/message");
}

/* Baileys' rounds, as bench-baileys.js reports them, or NULL. */
static JsonObject *
run_baileys (Fakewa *fakewa,
             guint   rows)
{
  g_autofree char *script = g_build_filename (XI_SOURCE_ROOT, "tests", "interop", "bench-baileys.js", NULL);
  g_autofree char *modules = g_build_filename (XI_SOURCE_ROOT, "tests", "interop", "node_modules", NULL);
  g_autofree char *count = g_strdup_printf ("%u", rows);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *qr = NULL;
  g_autofree char *result = NULL;
  g_autofree char *paired = NULL;
  g_autofree char *node = g_find_program_in_path ("node");

  if (node == NULL || !g_file_test (modules, G_FILE_TEST_IS_DIR))
    {
      g_print ("# Baileys not installed (npm ci --prefix tests/interop): no comparison\n");
      return NULL;
    }
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, node, script, fakewa->url, count, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  qr = g_data_input_stream_read_line_utf8 (out, NULL, NULL, NULL);
  g_assert (qr != NULL && g_str_has_prefix (qr, "qr "));
  command (fakewa, "scan %s %s", qr + 3, BAILEYS_PHONE);
  paired = expect (fakewa, "paired ");
  result = g_data_input_stream_read_line_utf8 (out, NULL, NULL, NULL);
  g_assert (result != NULL && json_parser_load_from_data (parser, result, -1, NULL));
  g_assert (g_subprocess_wait_check (process, NULL, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

int
main (int   argc,
      char *argv[])
{
  guint rows = bench_parse_rows (&argc, &argv, 2000);
  g_autofree char *dir = bench_make_tmpdir ();
  g_autofree char *csv = bench_write_contacts_csv (dir, rows);
  g_autoptr(JsonObject) baileys = NULL;
  Fakewa fakewa = { 0 };
  Usage fresh, established;

  start_fakewa (&fakewa);
  for (guint i = 0; i < rows; i++)
    command (&fakewa, "account 62812%04u%04u", i / 10000, i % 10000);

  link_cli (&fakewa, dir);
  g_free (cli (&fakewa, dir, "contacts", "import", csv, "--group", "Bench", NULL));
  g_free (cli (&fakewa, dir, "templates", "add", "Bench", "Halo {name}, promo minggu ini di {kota|toko kami}!", NULL));
  g_free (cli (&fakewa, dir, "campaign", "quota", "1000000", NULL));

  g_free (cli (&fakewa, dir, "campaign", "create", "--group", "Bench", "--template", "Bench", "--name", "fresh",
               "--delay", "0", "--batch", "0", "--start", NULL));
  fresh = run_engine (&fakewa, dir);
  g_assert_cmpuint (sent_of (&fakewa, dir, "fresh"), ==, rows);
  report_round ("fresh", fresh, rows);

  g_free (cli (&fakewa, dir, "campaign", "create", "--group", "Bench", "--template", "Bench", "--name",
               "established", "--delay", "0", "--batch", "0", "--start", NULL));
  established = run_engine (&fakewa, dir);
  g_assert_cmpuint (sent_of (&fakewa, dir, "established"), ==, rows);
  report_round ("established", established, rows);
  bench_report ("whatsapp-engine-peak-rss", MAX (fresh.rss_mb, established.rss_mb), "MB");

  baileys = run_baileys (&fakewa, rows);
  if (baileys != NULL)
    {
      double their_fresh_cpu = json_object_get_double_member (baileys, "fresh_cpu_seconds");
      double their_established_cpu = json_object_get_double_member (baileys, "established_cpu_seconds");
      double their_rss = json_object_get_double_member (baileys, "peak_rss_mb");

      bench_report ("baileys-fresh-throughput", rows / json_object_get_double_member (baileys, "fresh_seconds"),
                    "messages/s");
      bench_report ("baileys-fresh-cpu", their_fresh_cpu * 1e6 / rows, "us/message");
      bench_report ("baileys-established-throughput",
                    rows / json_object_get_double_member (baileys, "established_seconds"), "messages/s");
      bench_report ("baileys-established-cpu", their_established_cpu * 1e6 / rows, "us/message");
      bench_report ("baileys-peak-rss", their_rss, "MB");
      /* Messages per CPU-second and memory, ours against theirs; the
       * target is at least 5x and at most 1/5. */
      bench_report ("ratio-fresh-messages-per-cpu-second", their_fresh_cpu / fresh.cpu_seconds, "x");
      bench_report ("ratio-established-messages-per-cpu-second", their_established_cpu / established.cpu_seconds,
                    "x");
      bench_report ("ratio-peak-rss", MAX (fresh.rss_mb, established.rss_mb) / their_rss, "x");
    }

  g_output_stream_close (fakewa.in, NULL, NULL);
  g_subprocess_wait (fakewa.process, NULL, NULL);
  g_thread_join (fakewa.reader);
  g_async_queue_unref (fakewa.lines);
  g_object_unref (fakewa.process);
  g_free (fakewa.url);
  g_free (fakewa.root);
  bench_rm_rf (dir);
  return 0;
}
