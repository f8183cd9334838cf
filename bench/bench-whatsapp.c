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
#include "wa-curve25519.h"

/*
 * Campaigns over the real protocol: `xender-in-cli run --transport
 * whatsapp --until-idle`, the headless engine in its own process, sends a
 * zero-delay campaign to N accounts of the fake server (default 2,000)
 * over loopback, end to end: usync, prekey bundles, Signal encryption,
 * the stanza, the server's ack, the phones' delivery receipts, every
 * outcome committed to SQLite.
 *  - whatsapp-fresh-*: a campaign to people we never wrote to, a new
 *    session with every recipient (a bundle fetch and a pkmsg each);
 *  - whatsapp-established-*: a second campaign to the same people, on
 *    the sessions and device lists the first left;
 *  - *-cpu: user + system CPU of the whole process per message, start-up
 *    and login included; *-throughput: messages per second of its whole
 *    run; *-rss its peak.
 * Baileys, from npm, sends the same two rounds through the same fake
 * server (tests/interop/bench-baileys.js), each round its own node
 * process measured the same way, waiting for the server's ack of each
 * message as our engine does. The two take turns (ours first in odd
 * repetitions, Baileys first in even ones, each to people nobody wrote to
 * before), so a machine that slows down during the run weighs on both;
 * the figures are medians over --repeat repetitions (default 3), with the
 * lowest and highest beside them. Without Baileys installed that half is
 * left out.
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

/* A child's whole run, as its own rusage tells it; its stdout is dropped
 * (progress lines are not figures). */
static Usage
run_measured (const char * const *argv,
              char              **env)
{
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

      dup2 (null, STDOUT_FILENO);
      execve (argv[0], (char **) argv, env);
      _exit (127);
    }
  while (wait4 (pid, &status, 0, &usage) < 0)
    g_assert (errno == EINTR);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("%s exited with status %d", argv[0], status);

  result.seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  result.cpu_seconds = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
                       usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  result.rss_mb = usage.ru_maxrss / 1024.0;
  return result;
}

static Usage
run_engine (Fakewa     *fakewa,
            const char *dir)
{
  g_auto(GStrv) env = cli_env (fakewa);
  const char *argv[] = { XI_CLI_PATH, "--data-dir", dir, "run", "--transport", "whatsapp", "--until-idle", NULL };

  return run_measured (argv, env);
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

/* One side's two rounds in one repetition. */
typedef struct
{
  Usage fresh;
  Usage established;
} Rounds;

static Rounds
run_ours (Fakewa     *fakewa,
          const char *dir,
          guint       repetition,
          guint       first,
          guint       rows)
{
  g_autofree char *csv = bench_write_numbered_contacts_csv (dir, first, rows);
  g_autofree char *group = g_strdup_printf ("Bench %u", repetition);
  g_autofree char *fresh_name = g_strdup_printf ("fresh %u", repetition);
  g_autofree char *established_name = g_strdup_printf ("established %u", repetition);
  Rounds rounds;

  g_free (cli (fakewa, dir, "contacts", "import", csv, "--group", group, "--create-group", NULL));
  /* The template names a column, which must exist first. */
  if (repetition == 0)
    g_free (cli (fakewa, dir, "templates", "add", "Bench", "Halo {name}, promo minggu ini di {kota|toko kami}!",
                 NULL));
  g_free (cli (fakewa, dir, "campaign", "create", "--group", group, "--template", "Bench", "--name", fresh_name,
               "--delay", "0", "--batch", "0", "--start", NULL));
  rounds.fresh = run_engine (fakewa, dir);
  g_assert_cmpuint (sent_of (fakewa, dir, fresh_name), ==, rows);

  g_free (cli (fakewa, dir, "campaign", "create", "--group", group, "--template", "Bench", "--name",
               established_name, "--delay", "0", "--batch", "0", "--start", NULL));
  rounds.established = run_engine (fakewa, dir);
  g_assert_cmpuint (sent_of (fakewa, dir, established_name), ==, rows);
  return rounds;
}

static char *
baileys_script (void)
{
  return g_build_filename (XI_SOURCE_ROOT, "tests", "interop", "bench-baileys.js", NULL);
}

/* Whether Baileys can run here; says why not when it cannot. */
static gboolean
baileys_installed (void)
{
  g_autofree char *modules = g_build_filename (XI_SOURCE_ROOT, "tests", "interop", "node_modules", NULL);
  g_autofree char *node = g_find_program_in_path ("node");

  if (node != NULL && g_file_test (modules, G_FILE_TEST_IS_DIR))
    return TRUE;
  g_print ("# Baileys not installed (npm ci --prefix tests/interop): no comparison\n");
  return FALSE;
}

/* Links Baileys as BAILEYS_PHONE's companion; its keys go to @state. */
static void
link_baileys (Fakewa     *fakewa,
              const char *state)
{
  g_autofree char *script = baileys_script ();
  g_autofree char *node = g_find_program_in_path ("node");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *qr = NULL;
  g_autofree char *paired = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, node, script, "link", fakewa->url, state,
                              NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  qr = g_data_input_stream_read_line_utf8 (out, NULL, NULL, NULL);
  g_assert (qr != NULL && g_str_has_prefix (qr, "qr "));
  command (fakewa, "scan %s %s", qr + 3, BAILEYS_PHONE);
  paired = expect (fakewa, "paired ");
  g_assert (g_subprocess_wait_check (process, NULL, NULL));
}

static Usage
run_baileys_round (Fakewa     *fakewa,
                   const char *state,
                   guint       first,
                   guint       rows)
{
  g_autofree char *script = baileys_script ();
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *first_text = g_strdup_printf ("%u", first);
  g_autofree char *count = g_strdup_printf ("%u", rows);
  g_auto(GStrv) env = g_get_environ ();
  const char *argv[] = { node, script, "send", fakewa->url, state, first_text, count, NULL };

  return run_measured (argv, env);
}

static Rounds
run_baileys (Fakewa     *fakewa,
             const char *state,
             guint       first,
             guint       rows)
{
  Rounds rounds;

  rounds.fresh = run_baileys_round (fakewa, state, first, rows);
  rounds.established = run_baileys_round (fakewa, state, first, rows);
  return rounds;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double first = *(const double *) a, second = *(const double *) b;

  return first < second ? -1 : first > second;
}

/* The median of @values (sorted in place), and its lowest and highest. */
static void
report_spread (const char *name,
               GArray     *values,
               const char *unit)
{
  g_autofree char *lowest = g_strconcat (name, "-min", NULL);
  g_autofree char *highest = g_strconcat (name, "-max", NULL);
  guint n = values->len;
  double median;

  g_array_sort (values, compare_doubles);
  median = n % 2 == 1 ? g_array_index (values, double, n / 2)
                      : (g_array_index (values, double, n / 2 - 1) + g_array_index (values, double, n / 2)) / 2;
  bench_report (name, median, unit);
  if (n > 1)
    {
      bench_report (lowest, g_array_index (values, double, 0), unit);
      bench_report (highest, g_array_index (values, double, n - 1), unit);
    }
}

typedef enum
{
  FIGURE_FRESH_THROUGHPUT,
  FIGURE_FRESH_CPU,
  FIGURE_ESTABLISHED_THROUGHPUT,
  FIGURE_ESTABLISHED_CPU,
  FIGURE_PEAK_RSS,
  N_FIGURES
} Figure;

/* Per figure, one value a repetition. */
typedef struct
{
  GArray *values[N_FIGURES];
} Figures;

static void
figures_init (Figures *figures)
{
  for (guint i = 0; i < N_FIGURES; i++)
    figures->values[i] = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
figures_clear (Figures *figures)
{
  for (guint i = 0; i < N_FIGURES; i++)
    g_array_unref (figures->values[i]);
}

static void
figures_add (Figures *figures,
             Figure   figure,
             double   value)
{
  g_array_append_val (figures->values[figure], value);
}

static void
figures_add_rounds (Figures      *figures,
                    const char   *side,
                    guint         repetition,
                    const Rounds *rounds,
                    guint         rows)
{
  figures_add (figures, FIGURE_FRESH_THROUGHPUT, rows / rounds->fresh.seconds);
  figures_add (figures, FIGURE_FRESH_CPU, rounds->fresh.cpu_seconds * 1e6 / rows);
  figures_add (figures, FIGURE_ESTABLISHED_THROUGHPUT, rows / rounds->established.seconds);
  figures_add (figures, FIGURE_ESTABLISHED_CPU, rounds->established.cpu_seconds * 1e6 / rows);
  figures_add (figures, FIGURE_PEAK_RSS, MAX (rounds->fresh.rss_mb, rounds->established.rss_mb));
  g_print ("# repetition %u, %s: fresh %.0f us/message, established %.0f us/message\n", repetition + 1, side,
           rounds->fresh.cpu_seconds * 1e6 / rows, rounds->established.cpu_seconds * 1e6 / rows);
}

static void
report_figures (Figures    *figures,
                const char *prefix,
                const char *rss_name)
{
  static const struct
  {
    const char *name;
    const char *unit;
  } names[N_FIGURES - 1] = {
    { "fresh-throughput", "messages/s" },
    { "fresh-cpu", "us/message" },
    { "established-throughput", "messages/s" },
    { "established-cpu", "us/message" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *name = g_strconcat (prefix, "-", names[i].name, NULL);

      report_spread (name, figures->values[i], names[i].unit);
    }
  report_spread (rss_name, figures->values[FIGURE_PEAK_RSS], "MB");
}

int
main (int   argc,
      char *argv[])
{
  guint rows = bench_parse_rows (&argc, &argv, 2000);
  guint repeat = MAX (bench_parse_option (&argc, &argv, "--repeat", 3), 1);
  g_autofree char *dir = bench_make_tmpdir ();
  g_autofree char *baileys_state = g_build_filename (dir, "baileys-state.json", NULL);
  gboolean with_baileys = baileys_installed ();
  Figures ours, theirs;
  Fakewa fakewa = { 0 };

  /* The engine is xender-in-cli, linked like this program: libsignal's
   * X25519 and signature checks go the same way in both. */
  g_print ("# libsignal X25519 through %s, signature checks through %s\n", wa_curve25519_backend (),
           wa_curve25519_verify_backend ());

  start_fakewa (&fakewa);
  for (guint i = 0; i < 2 * repeat * rows; i++)
    command (&fakewa, "account 62812%04u%04u", i / 10000, i % 10000);

  link_cli (&fakewa, dir);
  g_free (cli (&fakewa, dir, "campaign", "quota", "100000000", NULL));
  if (with_baileys)
    link_baileys (&fakewa, baileys_state);

  figures_init (&ours);
  figures_init (&theirs);
  for (guint r = 0; r < repeat; r++)
    {
      /* Each side writes to its own people, never written to before. */
      guint our_first = 2 * r * rows, their_first = (2 * r + 1) * rows;
      Rounds rounds;

      if (with_baileys && r % 2 == 1)
        {
          rounds = run_baileys (&fakewa, baileys_state, their_first, rows);
          figures_add_rounds (&theirs, "Baileys", r, &rounds, rows);
        }
      rounds = run_ours (&fakewa, dir, r, our_first, rows);
      figures_add_rounds (&ours, "ours", r, &rounds, rows);
      if (with_baileys && r % 2 == 0)
        {
          rounds = run_baileys (&fakewa, baileys_state, their_first, rows);
          figures_add_rounds (&theirs, "Baileys", r, &rounds, rows);
        }
    }

  if (with_baileys)
    {
      g_autoptr(GArray) fresh_ratios = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) established_ratios = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) rss_ratios = g_array_new (FALSE, FALSE, sizeof (double));

      /* Ratios per repetition, taken before the medians sort the values. */
      for (guint r = 0; r < repeat; r++)
        {
          double fresh = g_array_index (theirs.values[FIGURE_FRESH_CPU], double, r) /
                         g_array_index (ours.values[FIGURE_FRESH_CPU], double, r);
          double established = g_array_index (theirs.values[FIGURE_ESTABLISHED_CPU], double, r) /
                               g_array_index (ours.values[FIGURE_ESTABLISHED_CPU], double, r);
          double rss = g_array_index (ours.values[FIGURE_PEAK_RSS], double, r) /
                       g_array_index (theirs.values[FIGURE_PEAK_RSS], double, r);

          g_array_append_val (fresh_ratios, fresh);
          g_array_append_val (established_ratios, established);
          g_array_append_val (rss_ratios, rss);
        }
      report_figures (&ours, "whatsapp", "whatsapp-engine-peak-rss");
      report_figures (&theirs, "baileys", "baileys-peak-rss");
      report_spread ("ratio-fresh-messages-per-cpu-second", fresh_ratios, "x");
      report_spread ("ratio-established-messages-per-cpu-second", established_ratios, "x");
      report_spread ("ratio-peak-rss", rss_ratios, "x");
    }
  else
    report_figures (&ours, "whatsapp", "whatsapp-engine-peak-rss");

  figures_clear (&ours);
  figures_clear (&theirs);
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
