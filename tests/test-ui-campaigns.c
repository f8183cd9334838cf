/* test-ui-campaigns.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-funnel-bar.h"
#include "xi-history-page.h"
#include "xi-job-row.h"
#include "xi-loopback-transport.h"
#include "xi-sending-page.h"
#include "xi-test-utils.h"
#include "xi-ui-test-utils.h"
#include "xi-window.h"

/*
 * The sending and history pages against a real store and the campaign
 * runner on the loopback transport, in a temporary directory: plan a
 * campaign, start it from the form, pause, resume and cancel it, and read
 * its report. Screenshots go to $XI_SCREENSHOT_DIR, or
 * <G_TEST_BUILDDIR>/screenshots/.
 */

typedef struct
{
  XiUiFixture       ui;
  XiCampaignRunner *runner;
  XiJobProgress    *progress;     /* the latest the runner published */
  char             *group_id;
  char             *template_id;
} Fixture;

/* Helpers */

static XiContact *
add_contact (Fixture    *f,
             const char *name,
             const char *phone,
             const char *kota)
{
  g_autoptr(XiContact) contact = xi_contact_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  XiContact *saved;

  xi_contact_set_name (contact, name);
  xi_contact_set_phone (contact, phone);
  if (kota != NULL)
    xi_contact_set_custom_field (contact, "kota", kota);
  xi_store_save_contact_async (f->ui.store, contact, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  saved = xi_store_save_contact_finish (f->ui.store, result, &error);
  g_assert_no_error (error);
  return saved;
}

static void
progress_cb (XiCampaignRunner *runner,
             XiJobProgress    *progress,
             Fixture          *f)
{
  g_clear_pointer (&f->progress, xi_job_progress_free);
  f->progress = xi_job_progress_copy (progress);
  g_test_message ("progress: %s sent %u remaining %u next in %" G_GINT64_FORMAT " ms",
                  xi_job_state_to_string (progress->state), progress->sent, progress->remaining,
                  progress->next_send_at > 0 ? progress->next_send_at - g_get_real_time () / 1000 : 0);
}

/* Four customers, one of whom opted out, in one group; a template that
 * uses a custom field only two of them have. */
static void
fixture_setup_audience (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(XiContact) budi = NULL;
  g_autoptr(XiContact) siti = NULL;
  g_autoptr(XiContact) agus = NULL;
  g_autoptr(XiContact) dewi = NULL;
  g_autoptr(XiGroup) group = xi_group_new ("Pelanggan Setia");
  g_autoptr(XiGroup) saved_group = NULL;
  g_autoptr(XiTemplate) template_ = xi_template_new ("Promo Lebaran");
  g_autoptr(XiTemplate) saved_template = NULL;
  g_autoptr(GError) error = NULL;
  const char *variants[] = { "Halo {name}, diskon 10% untuk pelanggan di {kota}!", NULL };

  xi_ui_fixture_setup (&f->ui, data);

  budi = add_contact (f, "Budi Santoso", "6281234567890", "Jakarta");
  siti = add_contact (f, "Siti Aminah", "6285711112222", "Bandung");
  agus = add_contact (f, "Agus Wijaya", "6281399990000", NULL);
  dewi = add_contact (f, "Dewi Lestari", "6287788889999", NULL);

  {
    g_autoptr(GAsyncResult) result = NULL;
    GAsyncResult *slot = NULL;
    const char *ids[] = { xi_contact_get_id (agus), NULL };

    xi_store_set_opted_out_async (f->ui.store, ids, TRUE, NULL, xi_test_store_result_cb, &slot);
    result = xi_test_wait_result (&slot);
    g_assert_cmpuint (xi_store_set_opted_out_finish (f->ui.store, result, &error), ==, 1);
    g_assert_no_error (error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;
    GAsyncResult *slot = NULL;

    xi_store_save_group_async (f->ui.store, group, NULL, xi_test_store_result_cb, &slot);
    result = xi_test_wait_result (&slot);
    saved_group = xi_store_save_group_finish (f->ui.store, result, &error);
    g_assert_no_error (error);
    f->group_id = g_strdup (xi_group_get_id (saved_group));
  }
  {
    g_autoptr(GAsyncResult) result = NULL;
    GAsyncResult *slot = NULL;
    const char *ids[] = { xi_contact_get_id (budi), xi_contact_get_id (siti),
                          xi_contact_get_id (agus), xi_contact_get_id (dewi), NULL };

    xi_store_add_group_members_async (f->ui.store, f->group_id, ids, NULL, xi_test_store_result_cb, &slot);
    result = xi_test_wait_result (&slot);
    g_assert_cmpuint (xi_store_add_group_members_finish (f->ui.store, result, &error), ==, 4);
    g_assert_no_error (error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;
    GAsyncResult *slot = NULL;

    xi_template_set_variants (template_, variants);
    xi_store_save_template_async (f->ui.store, template_, NULL, xi_test_store_result_cb, &slot);
    result = xi_test_wait_result (&slot);
    saved_template = xi_store_save_template_finish (f->ui.store, result, &error);
    g_assert_no_error (error);
    f->template_id = g_strdup (xi_template_get_id (saved_template));
  }
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *journal = NULL;

  fixture_setup_audience (f, data);

  /* As the application does once the store is open. */
  journal = g_build_filename (f->ui.dir, "loopback-journal.tsv", NULL);
  f->runner = xi_campaign_runner_new (f->ui.store, xi_loopback_transport_factory,
                                      g_steal_pointer (&journal), g_free);
  g_assert_true (xi_campaign_runner_start (f->runner, &error));
  g_assert_no_error (error);
  xi_context_set_runner (f->ui.context, f->runner);
  g_signal_connect (f->runner, "progress", G_CALLBACK (progress_cb), f);

  xi_ui_reload (&f->ui);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  /* The engine writes through the store: stop it before the store closes. */
  if (f->runner != NULL)
    {
      g_signal_handlers_disconnect_by_data (f->runner, f);
      xi_campaign_runner_stop (f->runner);
      g_clear_object (&f->runner);
    }
  g_clear_pointer (&f->progress, xi_job_progress_free);
  g_free (f->group_id);
  g_free (f->template_id);
  xi_ui_fixture_teardown (&f->ui, data);
}

static XiWindow *
open_window (Fixture    *f,
             const char *page,
             int         height)
{
  XiWindow *window = xi_window_new (NULL, f->ui.context);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, height);
  gtk_window_present (GTK_WINDOW (window));
  xi_window_show_page (window, page);
  xi_ui_spin (400);
  return window;
}

static gboolean
has_message_dialog (gpointer data)
{
  return xi_ui_find_message_dialog () != NULL;
}

/* What a click on a response button does: respond, then close. */
static void
respond (const char *response)
{
  AdwMessageDialog *dialog;

  g_assert_true (xi_ui_wait_for (has_message_dialog, NULL, 5000));
  dialog = xi_ui_find_message_dialog ();
  adw_message_dialog_response (dialog, response);
  gtk_window_close (GTK_WINDOW (dialog));
}

static gboolean
has_plan (gpointer data)
{
  return xi_sending_page_get_plan (data) != NULL;
}

static const XiJobPlan *
wait_plan (GtkWidget *page)
{
  g_assert_true (xi_ui_wait_for (has_plan, page, 10000));
  return xi_sending_page_get_plan (XI_SENDING_PAGE (page));
}

typedef struct
{
  GListModel *model;
  guint       n;
} CountWait;

static gboolean
has_n_items (gpointer data)
{
  CountWait *wait = data;

  if (GTK_IS_FILTER_LIST_MODEL (wait->model) &&
      gtk_filter_list_model_get_pending (GTK_FILTER_LIST_MODEL (wait->model)) > 0)
    return FALSE;
  return g_list_model_get_n_items (wait->model) == wait->n;
}

static void
wait_n_items (GListModel *model,
              guint       n)
{
  CountWait wait = { model, n };

  g_assert_true (xi_ui_wait_for (has_n_items, &wait, 15000));
}

typedef struct
{
  XiJob      *job;
  XiJobState  state;
} StateWait;

static gboolean
job_in_state (gpointer data)
{
  StateWait *wait = data;

  return xi_job_get_state (wait->job) == wait->state;
}

static void
wait_state (XiJob      *job,
            XiJobState  state,
            guint       timeout_ms)
{
  StateWait wait = { job, state };

  if (!xi_ui_wait_for (job_in_state, &wait, timeout_ms))
    g_error ("the campaign is %s, not %s", xi_job_state_to_string (xi_job_get_state (job)),
             xi_job_state_to_string (state));
}

static gboolean
job_left_state (gpointer data)
{
  StateWait *wait = data;

  return xi_job_get_state (wait->job) != wait->state;
}

static gboolean
some_sent (gpointer data)
{
  Fixture *f = data;

  return f->progress != NULL && f->progress->sent >= 1 && f->progress->remaining > 0;
}

static gboolean
report_settled (gpointer data)
{
  GListModel *report = data;
  guint n = g_list_model_get_n_items (report);

  if (gtk_filter_list_model_get_pending (GTK_FILTER_LIST_MODEL (report)) > 0 || n != 4)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(XiJobRecipient) recipient = g_list_model_get_item (report, i);

      if (xi_job_recipient_get_state (recipient) == XI_RECIPIENT_STATE_PENDING ||
          xi_job_recipient_get_state (recipient) == XI_RECIPIENT_STATE_SENDING)
        return FALSE;
    }
  return TRUE;
}

static gboolean
row_gone (gpointer data)
{
  gpointer *args = data;

  return xi_sending_page_find_job_row (args[0], args[1]) == NULL;
}

static gboolean
has_quota_used (gpointer data)
{
  const XiQuota *quota = xi_history_page_get_quota (data);

  return quota != NULL && quota->used == 4 && quota->reserved == 0;
}

static gboolean
has_allowance_2500 (gpointer data)
{
  const XiQuota *quota = xi_history_page_get_quota (data);

  return quota != NULL && quota->allowance == 2500;
}

static gboolean
has_activity (gpointer data)
{
  return g_list_model_get_n_items (xi_history_page_get_activity (data)) > 0;
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

/* Whether a visible label under @root contains @text. */
static gboolean
shows_text (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root) &&
      strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_text (child, text))
      return TRUE;
  return FALSE;
}

static gboolean
shows_reasons (gpointer data)
{
  return shows_text (data, "\nWhy: Opted out 1");
}

static void
collect_funnels (GtkWidget *root,
                 GPtrArray *summaries)
{
  if (XI_IS_FUNNEL_BAR (root))
    g_ptr_array_add (summaries, xi_funnel_bar_dup_summary (XI_FUNNEL_BAR (root)));
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_funnels (child, summaries);
}

static void
fill_form (Fixture   *f,
           GtkWidget *page,
           guint      delay_seconds)
{
  g_assert_true (xi_sending_page_select_group (XI_SENDING_PAGE (page), f->group_id));
  g_assert_true (xi_sending_page_select_template (XI_SENDING_PAGE (page), f->template_id));
  xi_sending_page_set_delay (XI_SENDING_PAGE (page), delay_seconds, delay_seconds);
  xi_sending_page_set_batch (XI_SENDING_PAGE (page), 0, 0);
}

static XiJob *
start_campaign (Fixture   *f,
                GtkWidget *page,
                guint      n_before)
{
  GListModel *jobs = xi_context_get_jobs (f->ui.context);
  XiJob *job;

  wait_plan (page);
  g_assert_true (gtk_widget_activate_action (page, "sending.start", NULL));
  respond ("start");
  wait_n_items (jobs, n_before + 1);
  job = g_list_model_get_item (jobs, 0);
  g_object_unref (job);   /* the context keeps it */
  return job;
}

/* Tests */

/* The plan follows the form: who gets it, who is skipped and why, what
 * it takes from the quota, and how three messages read. */
static void
test_plan (Fixture       *f,
           gconstpointer  data)
{
  /* Tall enough to show the whole form, the plan and its samples. */
  XiWindow *window = open_window (f, "sending", 1900);
  GtkWidget *page = xi_window_get_page (window, "sending");
  g_autoptr(XiJobSpec) spec = NULL;
  const XiJobPlan *plan;

  /* The defaults are the anti-ban ones. */
  g_assert_true (xi_sending_page_select_group (XI_SENDING_PAGE (page), f->group_id));
  g_assert_true (xi_sending_page_select_template (XI_SENDING_PAGE (page), f->template_id));
  spec = xi_sending_page_dup_spec (XI_SENDING_PAGE (page));
  g_assert_nonnull (spec);
  g_assert_cmpuint (spec->delay_min_ms, ==, XI_JOB_SPEC_DEFAULT_DELAY_MIN_MS);
  g_assert_cmpuint (spec->delay_max_ms, ==, XI_JOB_SPEC_DEFAULT_DELAY_MAX_MS);
  g_assert_cmpuint (spec->batch_size, ==, XI_JOB_SPEC_DEFAULT_BATCH_SIZE);
  g_assert_cmpuint (spec->batch_rest_ms, ==, XI_JOB_SPEC_DEFAULT_BATCH_REST_MS);
  g_assert_cmpuint (spec->daily_cap, ==, 0);
  g_assert_cmpint (spec->scheduled_at, ==, 0);
  g_assert_cmpstr (spec->group_id, ==, f->group_id);
  g_assert_cmpstr (spec->template_id, ==, f->template_id);
  g_clear_pointer (&spec, xi_job_spec_free);

  plan = wait_plan (page);
  g_assert_cmpuint (plan->targeted, ==, 4);
  g_assert_cmpuint (plan->eligible, ==, 3);
  g_assert_cmpuint (plan->skipped[XI_SKIP_REASON_OPTED_OUT], ==, 1);
  g_assert_cmpuint (xi_job_plan_get_n_skipped (plan), ==, 1);
  g_assert_cmpuint (plan->samples->len, ==, 3);
  g_assert_cmpuint (plan->quota_available, ==, XI_QUOTA_DEFAULT_ALLOWANCE);
  g_assert_nonnull (plan->missing_variables);
  g_assert_true (g_strv_contains ((const char * const *)plan->missing_variables, "kota"));

  /* Changing the form drops the plan until a new one is computed. */
  xi_sending_page_set_delay (XI_SENDING_PAGE (page), 0, 0);
  g_assert_null (xi_sending_page_get_plan (XI_SENDING_PAGE (page)));
  plan = wait_plan (page);
  g_assert_cmpuint (plan->eligible, ==, 3);
  spec = xi_sending_page_dup_spec (XI_SENDING_PAGE (page));
  g_assert_cmpuint (spec->delay_min_ms, ==, 0);
  g_assert_cmpuint (spec->delay_max_ms, ==, 0);
  g_clear_pointer (&spec, xi_job_spec_free);

  xi_sending_page_set_delay (XI_SENDING_PAGE (page), 10, 30);
  xi_sending_page_set_batch (XI_SENDING_PAGE (page), 0, 0);
  spec = xi_sending_page_dup_spec (XI_SENDING_PAGE (page));
  g_assert_cmpuint (spec->delay_min_ms, ==, 10000);
  g_assert_cmpuint (spec->delay_max_ms, ==, 30000);
  g_assert_cmpuint (spec->batch_size, ==, 0);
  g_assert_cmpuint (spec->batch_rest_ms, ==, 0);

  wait_plan (page);
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (window), "campaign-plan");

  /* With too little quota left the campaign cannot start. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(XiQuota) quota = NULL;
    GAsyncResult *slot = NULL;

    xi_store_set_quota_allowance_async (f->ui.store, 2, NULL, xi_test_store_result_cb, &slot);
    result = xi_test_wait_result (&slot);
    quota = xi_store_set_quota_allowance_finish (f->ui.store, result, &error);
    g_assert_no_error (error);
  }
  xi_sending_page_set_delay (XI_SENDING_PAGE (page), 0, 0);
  plan = wait_plan (page);
  g_assert_cmpuint (plan->quota_available, ==, 2);
  g_assert_cmpuint (plan->eligible, ==, 3);
  gtk_widget_activate_action (page, "sending.start", NULL);
  xi_ui_spin (300);

  /* Nothing was written. */
  g_assert_cmpuint (g_list_model_get_n_items (xi_context_get_jobs (f->ui.context)), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
facade_created_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  XiJob **job = user_data;
  g_autoptr(GError) error = NULL;

  *job = xi_campaigns_facade_create_finish (XI_CAMPAIGNS_FACADE (object), result, &error);
  g_assert_no_error (error);
  /* The page finds its campaign in the model as soon as it hears. */
  g_assert_nonnull (xi_facade_find (XI_FACADE (object), xi_job_get_id (*job)));
}

static guint
count_id (GListModel *model,
          const char *id)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(XiJob) job = g_list_model_get_item (model, i);

      n += g_str_equal (xi_job_get_id (job), id);
    }
  return n;
}

static gboolean
job_set (gpointer data)
{
  return *(XiJob **)data != NULL;
}

static gboolean
job_gone (gpointer data)
{
  gpointer *args = data;

  return xi_facade_find (args[0], args[1]) == NULL;
}

/* The campaigns model follows the store: a campaign written there by
 * another part of the app (here the store API itself) shows in History
 * without the page doing anything, the page's own campaign shows once,
 * and History's Delete asks, names the campaign and its count, and gives
 * the quota of an unfinished campaign back. */
static void
test_history_delete (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = xi_job_spec_new ();
  g_autoptr(XiJob) created = NULL;
  g_autoptr(XiJob) own = NULL;
  g_autoptr(XiQuota) quota = NULL;
  g_autoptr(GError) error = NULL;
  XiCampaignsFacade *campaigns = xi_context_get_campaigns (f->ui.context);
  GListModel *jobs = xi_context_get_jobs (f->ui.context);
  AdwMessageDialog *dialog;
  gpointer gone[2];
  XiWindow *window;
  GtkWidget *page;

  xi_ui_reload (&f->ui);
  window = open_window (f, "history", 700);
  page = xi_window_get_page (window, "history");
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 0);

  spec->group_id = g_strdup (f->group_id);
  spec->template_id = g_strdup (f->template_id);
  spec->name = g_strdup ("Promo Ramadan");
  XI_TEST_WAIT (xi_store_create_job_async (f->ui.store, spec, NULL, xi_test_store_result_cb, &slot_),
                created = xi_store_create_job_finish (f->ui.store, result_, &error));
  g_assert_no_error (error);
  xi_ui_wait_for_item (XI_FACADE (campaigns), xi_job_get_id (created));
  g_assert_cmpuint (count_id (jobs, xi_job_get_id (created)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (xi_history_page_get_jobs (XI_HISTORY_PAGE (page))), ==, 1);

  g_free (spec->name);
  spec->name = g_strdup ("Promo Lebaran");
  xi_campaigns_facade_create_async (campaigns, spec, NULL, facade_created_cb, &own);
  g_assert_true (xi_ui_wait_for (job_set, &own, 10000));
  xi_ui_spin (300);
  g_assert_false (xi_facade_is_following (XI_FACADE (campaigns)));
  g_assert_cmpuint (count_id (jobs, xi_job_get_id (own)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 2);

  g_assert_true (xi_history_page_select_job (XI_HISTORY_PAGE (page), xi_job_get_id (created)));
  xi_ui_spin (200);
  /* Delete, as on every page; by the action where no keys can be sent. */
  gtk_widget_grab_focus (xi_ui_find_widget (page, GTK_TYPE_LIST_VIEW));
  if (!xi_ui_send_keys (GTK_WINDOW (window), "key", "Delete"))
    gtk_widget_activate_action (page, "history.delete", NULL);
  g_assert_true (xi_ui_wait_for (has_message_dialog, NULL, 5000));
  dialog = xi_ui_find_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Delete “Promo Ramadan”?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "4 recipients"));
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (dialog), "history-delete-confirm");
  respond ("delete");

  gone[0] = campaigns;
  gone[1] = (gpointer)xi_job_get_id (created);
  g_assert_true (xi_ui_wait_for (job_gone, gone, 10000));
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 1);
  XI_TEST_WAIT (xi_store_get_quota_async (f->ui.store, NULL, xi_test_store_result_cb, &slot_),
                quota = xi_store_get_quota_finish (f->ui.store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (quota->reserved, ==, xi_job_get_total (own) - xi_job_get_skipped (own));
  xi_ui_spin (1500);
  xi_ui_screenshot (GTK_WIDGET (window), "history-deleted");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Another process runs the engine (the app waits for its lock): pausing
 * and resuming from the queue still work, through the store. */
static void
test_engine_elsewhere (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(XiJobSpec) spec = xi_job_spec_new ();
  g_autoptr(XiJob) created = NULL;
  g_autoptr(GError) error = NULL;
  XiWindow *window;
  GtkWidget *page;
  GtkWidget *row;
  XiJob *job;

  spec->group_id = g_strdup (f->group_id);
  spec->template_id = g_strdup (f->template_id);
  spec->start = TRUE;
  XI_TEST_WAIT (xi_store_create_job_async (f->ui.store, spec, NULL, xi_test_store_result_cb, &slot_),
                created = xi_store_create_job_finish (f->ui.store, result_, &error));
  g_assert_no_error (error);
  xi_context_set_engine_elsewhere (f->ui.context, "Campaigns are being sent by xender-in-cli.");
  xi_ui_reload (&f->ui);

  window = open_window (f, "sending", 700);
  page = xi_window_get_page (window, "sending");
  job = g_list_model_get_item (xi_context_get_jobs (f->ui.context), 0);
  g_object_unref (job);   /* the context keeps it */
  row = xi_sending_page_find_job_row (XI_SENDING_PAGE (page), xi_job_get_id (created));
  g_assert_nonnull (row);

  g_signal_emit_by_name (xi_ui_find_button (row, "Pa_use"), "clicked");
  wait_state (job, XI_JOB_STATE_PAUSED, 10000);
  xi_ui_spin (100);
  row = xi_sending_page_find_job_row (XI_SENDING_PAGE (page), xi_job_get_id (created));
  g_signal_emit_by_name (xi_ui_find_button (row, "_Resume"), "clicked");
  wait_state (job, XI_JOB_STATE_PENDING, 10000);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Start a campaign from the form, pause and resume it, let it finish;
 * then read its report on the history page. A second one is cancelled. */
static void
test_run (Fixture       *f,
          gconstpointer  data)
{
  XiWindow *window = open_window (f, "sending", 900);
  GtkWidget *page = xi_window_get_page (window, "sending");
  GtkWidget *history;
  GListModel *report;
  GtkWidget *row;
  GtkWidget *button;
  XiJob *job;
  XiJob *second;
  StateWait left;
  g_autofree char *csv = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GFile) file = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_skipped = 0, n_sent = 0;

  /* The queue is empty. */
  g_assert_null (xi_sending_page_find_job_row (XI_SENDING_PAGE (page), "nothing"));

  /* Two seconds between messages leaves time to look. */
  fill_form (f, page, 2);
  job = start_campaign (f, page, 0);
  g_assert_cmpuint (xi_job_get_total (job), ==, 4);
  g_assert_true (xi_ui_wait_for (some_sent, f, 15000));
  g_assert_cmpstr (f->progress->job_id, ==, xi_job_get_id (job));
  xi_ui_spin (150);
  row = xi_sending_page_find_job_row (XI_SENDING_PAGE (page), xi_job_get_id (job));
  g_assert_nonnull (row);
  g_test_message ("mid-campaign: %s / %s", xi_job_row_get_status (XI_JOB_ROW (row)),
                  xi_job_row_get_detail (XI_JOB_ROW (row)));
  xi_ui_screenshot (GTK_WIDGET (window), "campaign-running");

  /* Pause with the row's button: it takes effect during the wait, and
   * the row says so. */
  button = xi_ui_find_button (row, "Pa_use");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_false (gtk_widget_get_visible (xi_ui_find_button (row, "_Resume")));
  g_signal_emit_by_name (button, "clicked");
  wait_state (job, XI_JOB_STATE_PAUSED, 10000);
  xi_ui_spin (100);
  row = xi_sending_page_find_job_row (XI_SENDING_PAGE (page), xi_job_get_id (job));
  g_assert_nonnull (row);
  g_assert_cmpstr (xi_job_row_get_status (XI_JOB_ROW (row)), ==, xi_job_state_describe (XI_JOB_STATE_PAUSED));
  g_assert_cmpuint (xi_job_get_remaining (job), >, 0);
  xi_ui_screenshot (GTK_WIDGET (window), "campaign-paused");

  /* Resume, and it runs to the end; the finished campaign leaves the queue. */
  button = xi_ui_find_button (row, "_Resume");
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_false (gtk_widget_get_visible (xi_ui_find_button (row, "Pa_use")));
  g_signal_emit_by_name (button, "clicked");
  left = (StateWait) { job, XI_JOB_STATE_PAUSED };
  g_assert_true (xi_ui_wait_for (job_left_state, &left, 10000));
  wait_state (job, XI_JOB_STATE_COMPLETED, 30000);
  g_assert_cmpuint (xi_job_get_sent (job), ==, 3);
  g_assert_cmpuint (xi_job_get_failed (job), ==, 0);
  g_assert_cmpuint (xi_job_get_skipped (job), ==, 1);
  {
    gpointer args[] = { page, (gpointer)xi_job_get_id (job) };

    g_assert_true (xi_ui_wait_for (row_gone, args, 5000));
  }

  /* A second campaign with a long wait is cancelled during it, after the
   * confirmation. */
  xi_sending_page_set_delay (XI_SENDING_PAGE (page), 600, 600);
  g_clear_pointer (&f->progress, xi_job_progress_free);
  second = start_campaign (f, page, 1);
  g_assert_true (xi_ui_wait_for (some_sent, f, 15000));
  g_assert_true (gtk_widget_activate_action (page, "sending.cancel", "s", xi_job_get_id (second)));
  respond ("keep");
  xi_ui_spin (200);
  g_assert_cmpint (xi_job_get_state (second), !=, XI_JOB_STATE_CANCELLED);
  g_assert_true (gtk_widget_activate_action (page, "sending.cancel", "s", xi_job_get_id (second)));
  respond ("cancel");
  wait_state (second, XI_JOB_STATE_CANCELLED, 10000);
  g_assert_cmpuint (xi_job_get_sent (second), ==, 1);

  /* The history: newest first, both campaigns with their counts. */
  xi_window_show_page (window, "history");
  history = xi_window_get_page (window, "history");
  wait_n_items (xi_history_page_get_jobs (XI_HISTORY_PAGE (history)), 2);
  g_assert_true (xi_history_page_select_job (XI_HISTORY_PAGE (history), xi_job_get_id (job)));
  report = xi_history_page_get_report (XI_HISTORY_PAGE (history));
  /* The report follows the campaign: nobody is left waiting. */
  g_assert_true (xi_ui_wait_for (report_settled, report, 10000));
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(XiJobRecipient) recipient = g_list_model_get_item (report, i);

      switch (xi_job_recipient_get_state (recipient))
        {
        case XI_RECIPIENT_STATE_SKIPPED:
          n_skipped++;
          g_assert_cmpstr (xi_job_recipient_get_name (recipient), ==, "Agus Wijaya");
          g_assert_cmpint (xi_job_recipient_get_skip_reason (recipient), ==, XI_SKIP_REASON_OPTED_OUT);
          break;
        case XI_RECIPIENT_STATE_SENT:
        case XI_RECIPIENT_STATE_DELIVERED:
        case XI_RECIPIENT_STATE_READ:
          n_sent++;
          g_assert_nonnull (xi_job_recipient_get_sent_at (recipient));
          g_assert_nonnull (strstr (xi_job_recipient_get_text (recipient), xi_job_recipient_get_name (recipient)));
          break;
        default:
          g_error ("%s is %s", xi_job_recipient_get_name (recipient),
                   xi_recipient_state_to_string (xi_job_recipient_get_state (recipient)));
        }
    }
  g_assert_cmpuint (n_sent, ==, 3);
  g_assert_cmpuint (n_skipped, ==, 1);

  /* Search by name or number, filter by state. */
  xi_history_page_set_search (XI_HISTORY_PAGE (history), "SITI");
  wait_n_items (report, 1);
  xi_history_page_set_search (XI_HISTORY_PAGE (history), "0812 3456");
  wait_n_items (report, 0);
  xi_history_page_set_search (XI_HISTORY_PAGE (history), "812345");
  wait_n_items (report, 1);
  xi_history_page_set_search (XI_HISTORY_PAGE (history), "");
  xi_history_page_set_filter (XI_HISTORY_PAGE (history), XI_HISTORY_FILTER_SKIPPED);
  wait_n_items (report, 1);
  xi_history_page_set_filter (XI_HISTORY_PAGE (history), XI_HISTORY_FILTER_SENT);
  wait_n_items (report, 3);
  xi_history_page_set_filter (XI_HISTORY_PAGE (history), XI_HISTORY_FILTER_ALL);
  wait_n_items (report, 4);

  /* Export: a header and one row per recipient. */
  csv = g_build_filename (f->ui.dir, "report.csv", NULL);
  file = g_file_new_for_path (csv);
  xi_history_page_export (XI_HISTORY_PAGE (history), file);
  g_assert_true (xi_ui_wait_for (file_exists, csv, 10000));
  xi_ui_spin (300);
  g_assert_true (g_file_get_contents (csv, &contents, NULL, NULL));
  lines = g_strsplit (g_strchomp (contents), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 5);

  /* The quota has what the two campaigns sent (three and one), and holds
   * nothing back for the cancelled one. */
  g_assert_true (xi_ui_wait_for (has_quota_used, history, 10000));
  g_assert_cmpuint (xi_history_page_get_quota (XI_HISTORY_PAGE (history))->available, ==,
                    XI_QUOTA_DEFAULT_ALLOWANCE - 4);
  {
    GtkLevelBar *bar = GTK_LEVEL_BAR (xi_ui_find_widget (history, GTK_TYPE_LEVEL_BAR));

    /* The quota as a bar: what is spent of the allowance. */
    g_assert_cmpfloat (gtk_level_bar_get_max_value (bar), ==, XI_QUOTA_DEFAULT_ALLOWANCE);
    g_assert_cmpfloat (gtk_level_bar_get_value (bar), ==, 4);

    /* A new allowance, set as Preferences does, shows without any
     * campaign changing. */
    xi_store_set_quota_allowance_async (xi_context_get_store (f->ui.context), 2500, NULL, NULL, NULL);
    g_assert_true (xi_ui_wait_for (has_allowance_2500, history, 10000));
    g_assert_cmpfloat (gtk_level_bar_get_max_value (bar), ==, 2500);
  }
  {
    g_autoptr(GPtrArray) summaries = g_ptr_array_new_with_free_func (g_free);

    /* Each campaign in the list has its funnel, in numbers on hover. */
    collect_funnels (history, summaries);
    g_assert_cmpuint (summaries->len, >=, 1);
    g_assert_true (g_ptr_array_find_with_equal_func (summaries,
                                                     "Sent 75% · delivered 0% · read 0% · failed 0% · skipped 25%",
                                                     g_str_equal, NULL));
  }

  /* The report says why recipients were skipped, and how long it took. */
  g_assert_true (xi_ui_wait_for (shows_reasons, history, 10000));
  g_assert_true (shows_text (history, "\nTook "));

  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (window), "campaign-history");

  xi_history_page_show_activity (XI_HISTORY_PAGE (history), TRUE);
  g_assert_true (xi_ui_wait_for (has_activity, history, 10000));
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (window), "campaign-activity");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Starting asks first, saying how many, how long and how much quota, and
 * only the explicit answer starts: Return lands on Cancel. */
static void
test_confirm_start (Fixture       *f,
                    gconstpointer  data)
{
  GListModel *jobs = xi_context_get_jobs (f->ui.context);
  XiWindow *window = open_window (f, "sending", 900);
  GtkWidget *page = xi_window_get_page (window, "sending");
  AdwMessageDialog *dialog;
  const XiJobPlan *plan;
  g_autofree char *quota_line = NULL;
  const char *body;
  XiJob *job;

  /* Unlinked, so a rehearsal; it holds quota like any campaign. */
  fill_form (f, page, 60);
  plan = wait_plan (page);
  g_assert_true (gtk_widget_activate_action (page, "sending.start", NULL));
  g_assert_true (xi_ui_wait_for (has_message_dialog, NULL, 5000));
  dialog = xi_ui_find_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Rehearse Sending to 3 Customers?");
  body = adw_message_dialog_get_body (dialog);
  g_test_message ("body: %s", body);
  g_assert_true (g_str_has_prefix (body, "1 contact of the group is skipped. At the pace you chose, "
                                         "sending takes about 2 minutes and ends around "));
  quota_line = g_strdup_printf ("\nIt uses 3 of the %'u messages left this month. This is a "
                                "rehearsal: nothing reaches WhatsApp, every message is written "
                                "to the rehearsal journal.", plan->quota_available);
  g_assert_true (g_str_has_suffix (body, quota_line));
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  g_assert_cmpstr (adw_message_dialog_get_close_response (dialog), ==, "cancel");
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (dialog), "confirm-start");

  /* Return on the dialog answers Cancel, and nothing is written. */
  respond (adw_message_dialog_get_default_response (dialog));
  xi_ui_spin (300);
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 0);

  g_assert_true (gtk_widget_activate_action (page, "sending.start", NULL));
  respond ("start");
  wait_n_items (jobs, 1);
  job = g_list_model_get_item (jobs, 0);
  g_assert_cmpuint (xi_job_get_total (job), ==, 4);
  g_object_unref (job);

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
row_shown (gpointer data)
{
  return !row_gone (data);
}

typedef struct
{
  GtkRoot   *root;
  GtkWidget *widget;
} FocusWait;

static gboolean
focus_on (gpointer data)
{
  FocusWait *wait = data;

  return gtk_root_get_focus (wait->root) == wait->widget;
}

static gboolean
focus_within (gpointer data)
{
  FocusWait *wait = data;
  GtkWidget *focus = gtk_root_get_focus (wait->root);

  return focus != NULL && gtk_widget_is_ancestor (focus, wait->widget);
}

/* Where the focus lands by real key events: on the new campaign after
 * Start, on Resume after Pause (the Pause button hides itself) and back,
 * and on the form once the cancelled campaign's row has gone. */
static void
test_focus (Fixture       *f,
            gconstpointer  data)
{
  XiWindow *window = open_window (f, "sending", 900);
  GtkWidget *page = xi_window_get_page (window, "sending");
  GtkRoot *root = GTK_ROOT (window);
  GtkWidget *row;
  GtkWidget *pause;
  GtkWidget *resume;
  gpointer row_args[] = { page, NULL };
  XiJob *job;

  fill_form (f, page, 600);
  job = start_campaign (f, page, 0);
  row_args[1] = (gpointer)xi_job_get_id (job);
  g_assert_true (xi_ui_wait_for (row_shown, row_args, 10000));
  row = xi_sending_page_find_job_row (XI_SENDING_PAGE (page), xi_job_get_id (job));
  g_assert_true (xi_ui_wait_for (focus_on, &(FocusWait) { root, row }, 5000));

  pause = xi_ui_find_button (row, "Pa_use");
  resume = xi_ui_find_button (row, "_Resume");
  g_assert_true (gtk_widget_grab_focus (pause));
  if (!xi_ui_send_keys (GTK_WINDOW (window), "key", "space"))
    {
      g_test_skip ("no X11 display or no xdotool");
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }
  wait_state (job, XI_JOB_STATE_PAUSED, 10000);
  g_assert_true (xi_ui_wait_for (focus_on, &(FocusWait) { root, resume }, 5000));

  xi_ui_send_keys (GTK_WINDOW (window), "key", "space");
  g_assert_true (xi_ui_wait_for (job_left_state, &(StateWait) { job, XI_JOB_STATE_PAUSED }, 10000));
  g_assert_true (xi_ui_wait_for (focus_on, &(FocusWait) { root, pause }, 5000));

  xi_ui_send_keys (GTK_WINDOW (window), "key", "ctrl+Delete");
  respond ("cancel");
  wait_state (job, XI_JOB_STATE_CANCELLED, 10000);
  g_assert_true (xi_ui_wait_for (row_gone, row_args, 10000));
  g_assert_true (xi_ui_wait_for (focus_within, &(FocusWait) { root, page }, 5000));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Pause, resume and cancel the campaign whose row has the focus, by real
 * key events (xdotool, through XTEST). */
static void
test_keyboard (Fixture       *f,
               gconstpointer  data)
{
  XiWindow *window = open_window (f, "sending", 900);
  GtkWidget *page = xi_window_get_page (window, "sending");
  GtkWidget *row;
  XiJob *job;
  StateWait left;

  fill_form (f, page, 600);
  job = start_campaign (f, page, 0);
  g_assert_true (xi_ui_wait_for (some_sent, f, 15000));
  xi_ui_spin (150);
  row = xi_sending_page_find_job_row (XI_SENDING_PAGE (page), xi_job_get_id (job));
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_grab_focus (row));

  if (!xi_ui_send_keys (GTK_WINDOW (window), "key", "ctrl+p"))
    {
      g_test_skip ("no X11 display or no xdotool");
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }
  wait_state (job, XI_JOB_STATE_PAUSED, 10000);

  row = xi_sending_page_find_job_row (XI_SENDING_PAGE (page), xi_job_get_id (job));
  gtk_widget_grab_focus (row);
  xi_ui_send_keys (GTK_WINDOW (window), "key", "ctrl+r");
  left = (StateWait) { job, XI_JOB_STATE_PAUSED };
  g_assert_true (xi_ui_wait_for (job_left_state, &left, 10000));

  /* Cancel asks first; Escape keeps the campaign. */
  row = xi_sending_page_find_job_row (XI_SENDING_PAGE (page), xi_job_get_id (job));
  gtk_widget_grab_focus (row);
  xi_ui_send_keys (GTK_WINDOW (window), "key", "ctrl+Delete");
  g_assert_true (xi_ui_wait_for (has_message_dialog, NULL, 5000));
  xi_ui_send_keys (GTK_WINDOW (xi_ui_find_message_dialog ()), "key", "Escape");
  xi_ui_spin (300);
  g_assert_false (has_message_dialog (NULL));
  g_assert_cmpint (xi_job_get_state (job), !=, XI_JOB_STATE_CANCELLED);

  /* With the focus elsewhere on the page, the shortcut means the one
   * campaign in the queue. */
  gtk_widget_grab_focus (page);
  xi_ui_send_keys (GTK_WINDOW (window), "key", "ctrl+Delete");
  respond ("cancel");
  wait_state (job, XI_JOB_STATE_CANCELLED, 10000);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  int skip = xi_ui_init (&argc, &argv);

  if (skip != 0)
    return skip;

  g_test_add ("/xi/ui-campaigns/plan", Fixture, NULL, fixture_setup, test_plan, fixture_teardown);
  g_test_add ("/xi/ui-campaigns/run", Fixture, NULL, fixture_setup, test_run, fixture_teardown);
  g_test_add ("/xi/ui-campaigns/confirm-start", Fixture, NULL, fixture_setup, test_confirm_start,
              fixture_teardown);
  g_test_add ("/xi/ui-campaigns/engine-elsewhere", Fixture, NULL, fixture_setup_audience,
              test_engine_elsewhere, fixture_teardown);
  /* Last: real key events need the window in front. */
  g_test_add ("/xi/ui-campaigns/history-delete", Fixture, NULL, fixture_setup_audience, test_history_delete,
              fixture_teardown);
  g_test_add ("/xi/ui-campaigns/focus", Fixture, NULL, fixture_setup, test_focus, fixture_teardown);
  g_test_add ("/xi/ui-campaigns/keyboard", Fixture, NULL, fixture_setup, test_keyboard, fixture_teardown);

  return g_test_run ();
}
