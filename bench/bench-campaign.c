/* bench-campaign.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <sys/resource.h>

#include "bench-utils.h"
#include "xi-campaign-runner.h"
#include "xi-loopback-transport.h"
#include "xi-paths.h"
#include "xi-store.h"

/*
 * Campaigns at scale, on a fresh store holding N imported contacts in one
 * group (default 100,000):
 *  - campaign-plan: the preview the Sending page shows as the form
 *    changes, the same walk over the audience without writing.
 *  - campaign-refused: creating it with a quota of half of it, which is
 *    refused; the time it takes to say so.
 *  - campaign-create: the one transaction that writes the job, every
 *    recipient with its rendered message and id, and the quota
 *    reservation. Target: under 0.5 s for 100,000.
 *  - loopback throughput: the whole campaign through the runner (network
 *    thread, loopback transport at zero delay, every outcome committed)
 *    until the store says completed. Target: above 20,000 messages/s.
 *  - peak-rss: this process's high-water mark (getrusage), the import,
 *    the creation and the send of the first campaign together.
 *  - the headless engine itself: a second campaign of the same size sent
 *    by `xender-in-cli run --until-idle` in a child process, its
 *    throughput and its peak RSS (what a user's machine pays for it).
 * Each timed step also reports the process's CPU time (`-cpu`), which a
 * busy machine inflates less than the wall clock. `--send 0` stops after
 * the creation, for measuring it alone.
 */

static void
set_allowance (XiStore *store,
               guint    allowance)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(XiQuota) quota = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  xi_store_set_quota_allowance_async (store, allowance, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if ((quota = xi_store_set_quota_allowance_finish (store, result, &error)) == NULL)
    g_error ("quota: %s", error->message);
}

static void
idle_cb (XiCampaignRunner *runner,
         gboolean         *idle)
{
  *idle = TRUE;
}

static void
job_changed_cb (XiCampaignRunner *runner,
                XiJob            *job,
                gboolean         *finished)
{
  if (xi_job_is_finished (job))
    *finished = TRUE;
}

int
main (int   argc,
      char *argv[])
{
  guint rows = bench_parse_rows (&argc, &argv, 100000);
  gboolean send = bench_parse_option (&argc, &argv, "--send", 1) != 0;
  g_autofree char *dir = bench_make_tmpdir ();
  g_autofree char *csv = bench_write_contacts_csv (dir, rows);
  g_autofree char *db = xi_paths_dup_store_path (dir);
  g_autoptr(XiStore) store = xi_store_new (db);
  g_autoptr(GFile) file = g_file_new_for_path (csv);
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(XiTemplate) template_ = xi_template_new ("Bench");
  g_autoptr(XiTemplate) saved = NULL;
  g_autoptr(XiJobSpec) spec = xi_job_spec_new ();
  g_autoptr(XiJobPlan) plan = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) done = NULL;
  g_autoptr(XiCampaignRunner) runner = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *variants[] = { "Halo {name}, {{promo|diskon}} minggu ini di {city|toko kami}!",
                             "Hai {first_name|Kak}, ada kabar baik untuk Anda.", NULL };
  GAsyncResult *slot = NULL;
  gboolean idle = FALSE, finished = FALSE;
  gint64 start, created, sent, cpu_start;

  xi_store_open_async (store, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if (!xi_store_open_finish (store, result, &error))
    g_error ("open: %s", error->message);
  g_clear_object (&result);

  xi_import_read_file_async (file, "62", NULL, NULL, NULL, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if ((batch = xi_import_read_file_finish (result, &error)) == NULL)
    g_error ("read: %s", error->message);
  g_clear_object (&result);
  xi_store_import_contacts_async (store, g_steal_pointer (&batch), "Bench", NULL, NULL, NULL,
                                  NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if ((report = xi_store_import_contacts_finish (store, result, &error)) == NULL)
    g_error ("import: %s", error->message);
  g_clear_object (&result);

  xi_store_list_groups_async (store, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if ((groups = xi_store_list_groups_finish (store, result, &error)) == NULL || groups->len != 1)
    g_error ("groups: %s", error != NULL ? error->message : "not one");
  g_clear_object (&result);

  xi_template_set_variants (template_, variants);
  xi_store_save_template_async (store, template_, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if ((saved = xi_store_save_template_finish (store, result, &error)) == NULL)
    g_error ("template: %s", error->message);
  g_clear_object (&result);

  spec->group_id = g_strdup (xi_group_get_id (g_ptr_array_index (groups, 0)));
  spec->template_id = g_strdup (xi_template_get_id (saved));
  spec->delay_min_ms = spec->delay_max_ms = 0;
  spec->batch_size = 0;

  /* What the Sending page asks on every change of the form. */
  start = g_get_monotonic_time ();
  cpu_start = bench_cpu_usec ();
  xi_store_plan_job_async (store, spec, 3, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if ((plan = xi_store_plan_job_finish (store, result, &error)) == NULL || plan->eligible != rows)
    g_error ("plan: %s", error != NULL ? error->message : "wrong count");
  g_clear_object (&result);
  bench_report ("campaign-plan", (g_get_monotonic_time () - start) / 1e6, "s");
  bench_report ("campaign-plan-cpu", (bench_cpu_usec () - cpu_start) / 1e6, "s");

  set_allowance (store, rows / 2);
  start = g_get_monotonic_time ();
  cpu_start = bench_cpu_usec ();
  xi_store_create_job_async (store, spec, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if ((job = xi_store_create_job_finish (store, result, &error)) != NULL ||
      !g_error_matches (error, XI_STORE_ERROR, XI_STORE_ERROR_QUOTA))
    g_error ("a campaign over the quota was not refused for it");
  g_clear_object (&result);
  g_clear_error (&error);
  bench_report ("campaign-refused", (g_get_monotonic_time () - start) / 1e6, "s");
  bench_report ("campaign-refused-cpu", (bench_cpu_usec () - cpu_start) / 1e6, "s");

  /* Room for the whole campaign whatever the month has seen. */
  set_allowance (store, rows * 2);
  start = g_get_monotonic_time ();
  cpu_start = bench_cpu_usec ();
  xi_store_create_job_async (store, spec, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if ((job = xi_store_create_job_finish (store, result, &error)) == NULL)
    g_error ("create: %s", error->message);
  g_clear_object (&result);
  created = g_get_monotonic_time ();
  if (xi_job_get_remaining (job) != rows)
    g_error ("campaign has %u recipients, not %u", xi_job_get_remaining (job), rows);

  bench_report ("campaign-create", (created - start) / 1e6, "s");
  bench_report ("campaign-create-cpu", (bench_cpu_usec () - cpu_start) / 1e6, "s");
  bench_report ("campaign-create-per-recipient", (double)(created - start) / rows, "us");
  if (!send)
    {
      xi_store_close (store);
      bench_rm_rf (dir);
      return 0;
    }

  runner = xi_campaign_runner_new (store, xi_loopback_transport_factory,
                                   g_build_filename (dir, "journal.tsv", NULL), g_free);
  g_signal_connect (runner, "idle", G_CALLBACK (idle_cb), &idle);
  g_signal_connect (runner, "job-changed", G_CALLBACK (job_changed_cb), &finished);
  start = g_get_monotonic_time ();
  if (!xi_campaign_runner_start (runner, &error))
    g_error ("runner: %s", error->message);
  while (!finished || !idle)
    g_main_context_iteration (NULL, TRUE);
  sent = g_get_monotonic_time ();
  xi_campaign_runner_stop (runner);

  xi_store_get_job_async (store, xi_job_get_id (job), NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if ((done = xi_store_get_job_finish (store, result, &error)) == NULL)
    g_error ("job: %s", error->message);
  if (xi_job_get_state (done) != XI_JOB_STATE_COMPLETED || xi_job_get_sent (done) != rows)
    g_error ("campaign ended %s with %u of %u sent", xi_job_state_to_string (xi_job_get_state (done)),
             xi_job_get_sent (done), rows);

  bench_report ("loopback-throughput", rows / ((sent - start) / 1e6), "messages/s");
  bench_report ("loopback-per-message", (double)(sent - start) / rows, "us");

  /* Linux gives ru_maxrss in KiB. */
  {
    struct rusage usage;

    if (getrusage (RUSAGE_SELF, &usage) != 0)
      g_error ("getrusage: %s", g_strerror (errno));
    bench_report ("peak-rss", usage.ru_maxrss, "KiB");
  }

  /* The second campaign goes to the command line's engine, alone in its
   * process; the store is closed so that process owns the file. */
  g_clear_object (&job);
  g_clear_object (&result);
  xi_store_create_job_async (store, spec, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if ((job = xi_store_create_job_finish (store, result, &error)) == NULL)
    g_error ("create: %s", error->message);
  xi_store_close (store);

  {
    g_autoptr(GSubprocess) cli = NULL;
    g_autofree char *status_path = NULL;
    guint64 peak_kib = 0;

    start = g_get_monotonic_time ();
    cli = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, XI_CLI_PATH, "--data-dir", dir,
                            "--json", "run", "--until-idle", NULL);
    if (cli == NULL)
      g_error ("xender-in-cli run: %s", error->message);

    /* getrusage (RUSAGE_CHILDREN) would count this big process's pages,
     * which the child shares until it execs; the child's own high-water
     * mark is read instead while it runs. */
    status_path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (cli));
    for (;;)
      {
        g_autofree char *status = NULL;
        const char *hwm;

        if (g_file_get_contents (status_path, &status, NULL, NULL) &&
            (hwm = strstr (status, "VmHWM:")) != NULL)
          peak_kib = MAX (peak_kib, g_ascii_strtoull (hwm + strlen ("VmHWM:"), NULL, 10));
        if (status == NULL || strstr (status, "State:\tZ") != NULL)
          break;
        g_usleep (5000);
      }
    if (!g_subprocess_wait_check (cli, NULL, &error))
      g_error ("xender-in-cli run: %s", error->message);
    sent = g_get_monotonic_time ();
    bench_report ("cli-run-throughput", rows / ((sent - start) / 1e6), "messages/s");
    bench_report ("cli-run-peak-rss", peak_kib, "KiB");
  }

  bench_rm_rf (dir);
  return 0;
}
