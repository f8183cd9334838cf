/* xi-history-page.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-history-page"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "xi-format.h"
#include "xi-funnel-bar.h"
#include "xi-job-chart.h"
#include "xi-history-page.h"
#include "xi-list-keys.h"

/* Campaign counts change with every message; the report, the activity
 * log and the quota are read again at most this often. */
#define REFRESH_DELAY_MS 500
#define ACTIVITY_LIMIT   200

/*
 * Every campaign, newest first, on the left; the selected one's report
 * on the right: one row per recipient with what they got and when, which
 * can be searched, filtered by state and exported as CSV. A toggle shows
 * the activity log instead. The quota line says what this month's
 * campaigns have used.
 */
struct _XiHistoryPage
{
  XiPage              parent_instance;

  /* Template widgets */
  GtkStack           *content_stack;
  GtkToggleButton    *campaigns_toggle;
  GtkToggleButton    *activity_toggle;
  GtkLabel           *quota_label;
  GtkLevelBar        *quota_bar;
  GtkStack           *view_stack;
  GtkListView        *job_list;
  GtkStack           *report_stack;
  GtkLabel           *report_title;
  GtkLabel           *report_summary;
  XiJobChart         *job_chart;
  GtkSearchEntry     *search_entry;
  GtkDropDown        *state_dropdown;
  GtkStack           *recipients_stack;
  GtkColumnView      *report_view;
  GtkStack           *activity_stack;
  GtkListView        *activity_list;

  /* Owned */
  GtkSingleSelection *jobs;
  XiJob              *job;               /* the selected campaign, or NULL */
  GListStore         *report;            /* XiJobRecipient of @job */
  char               *report_job_id;     /* whose rows @report holds */
  char               *reasons;           /* why rows of @report were skipped or failed, or NULL */
  GtkCustomFilter    *filter;
  GtkFilterListModel *filtered;
  GtkSingleSelection *report_selection;
  GPtrArray          *report_columns;    /* every GtkColumnViewColumn, shown or not, in order */
  GListStore         *activity;          /* XiActivity, newest first */
  XiQuota            *quota;
  char               *needle;            /* casefolded search, or NULL */
  GtkNativeDialog    *chooser;
  GCancellable       *report_cancellable;
  char               *timeline_job_id;   /* whose replies and chart are shown */
  guint               replies;
  GCancellable       *cancellable;       /* quota, activity and export */
  guint               report_source;
  guint               refresh_source;
};

G_DEFINE_FINAL_TYPE (XiHistoryPage, xi_history_page, XI_TYPE_PAGE)

enum {
  COLUMN_POSITION,
  COLUMN_NAME,
  COLUMN_PHONE,
  COLUMN_STATE,
  COLUMN_REASON,
  COLUMN_SENT,
  COLUMN_DELIVERED,
  COLUMN_READ,
  COLUMN_TEXT,
  N_COLUMNS
};

/* Auxiliary methods */

static XiContext *
context_of (XiHistoryPage *self)
{
  return xi_page_get_context (XI_PAGE (self));
}

/* The store writes ISO 8601 in UTC; people read their own clock. A time
 * from today needs no date. */
static char *
format_iso (const char *iso,
            gboolean    with_year)
{
  return with_year ? xi_format_date_time (iso) : xi_format_when (iso, TRUE);
}

static int
compare_reason_counts (gconstpointer a,
                       gconstpointer b,
                       gpointer      counts)
{
  guint ca = GPOINTER_TO_UINT (g_hash_table_lookup (counts, *(const char * const *)a));
  guint cb = GPOINTER_TO_UINT (g_hash_table_lookup (counts, *(const char * const *)b));

  return ca == cb ? 0 : ca > cb ? -1 : 1;
}

static char *
describe_counts (XiJob *job)
{
  /* Translators: the outcome of a campaign */
  return g_strdup_printf (_("%u sent · %u delivered · %u read · %u failed · %u skipped"),
                          xi_job_get_sent (job), xi_job_get_delivered (job), xi_job_get_read (job),
                          xi_job_get_failed (job), xi_job_get_skipped (job));
}

static gboolean
state_passes (XiRecipientState state,
              XiHistoryFilter  filter)
{
  switch (filter)
    {
    case XI_HISTORY_FILTER_SENT:
      return state == XI_RECIPIENT_STATE_SENT || state == XI_RECIPIENT_STATE_DELIVERED ||
             state == XI_RECIPIENT_STATE_READ;
    case XI_HISTORY_FILTER_DELIVERED:
      return state == XI_RECIPIENT_STATE_DELIVERED || state == XI_RECIPIENT_STATE_READ;
    case XI_HISTORY_FILTER_READ:
      return state == XI_RECIPIENT_STATE_READ;
    case XI_HISTORY_FILTER_FAILED:
      return state == XI_RECIPIENT_STATE_FAILED;
    case XI_HISTORY_FILTER_SKIPPED:
      return state == XI_RECIPIENT_STATE_SKIPPED;
    case XI_HISTORY_FILTER_UNSENT:
      return state == XI_RECIPIENT_STATE_PENDING || state == XI_RECIPIENT_STATE_SENDING;
    case XI_HISTORY_FILTER_ALL:
    default:
      return TRUE;
    }
}

static gboolean
recipient_visible_cb (gpointer item,
                      gpointer user_data)
{
  XiHistoryPage *self = user_data;

  return state_passes (xi_job_recipient_get_state (item), gtk_drop_down_get_selected (self->state_dropdown)) &&
         (self->needle == NULL || xi_job_recipient_matches (item, self->needle));
}

static void
update_recipients_stack (XiHistoryPage *self)
{
  gboolean loading = self->job != NULL && g_strcmp0 (self->report_job_id, xi_job_get_id (self->job)) != 0;

  if (loading)
    gtk_stack_set_visible_child_name (self->recipients_stack, "loading");
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) == 0 &&
           gtk_filter_list_model_get_pending (self->filtered) == 0)
    gtk_stack_set_visible_child_name (self->recipients_stack, "no-results");
  else
    gtk_stack_set_visible_child_name (self->recipients_stack, "list");
}

/* "Took about 25 minutes", for a campaign that has finished. */
static char *
describe_duration (XiJob *job)
{
  g_autoptr(GDateTime) started = NULL;
  g_autoptr(GDateTime) finished = NULL;
  g_autofree char *duration = NULL;
  const char *start = xi_job_get_started_at (job);
  const char *end = xi_job_get_finished_at (job);

  if (start == NULL || end == NULL ||
      (started = g_date_time_new_from_iso8601 (start, NULL)) == NULL ||
      (finished = g_date_time_new_from_iso8601 (end, NULL)) == NULL)
    return NULL;

  duration = xi_format_duration (g_date_time_difference (finished, started) / 1000);
  /* Translators: how long a campaign took, "Took about 25 minutes" */
  return g_strdup_printf (_("Took %s"), duration);
}

/* "Why: Opted out 1 · Not on WhatsApp 2 · timed out 1", most common first. */
static char *
describe_reasons (GPtrArray *recipients)
{
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) reasons = g_ptr_array_new ();
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < recipients->len; i++)
    {
      XiJobRecipient *recipient = g_ptr_array_index (recipients, i);
      XiRecipientState state = xi_job_recipient_get_state (recipient);
      const char *reason = NULL;

      if (state == XI_RECIPIENT_STATE_SKIPPED)
        reason = xi_skip_reason_describe (xi_job_recipient_get_skip_reason (recipient));
      else if (state == XI_RECIPIENT_STATE_FAILED)
        reason = xi_job_recipient_get_last_error (recipient);
      if (reason == NULL || reason[0] == '\0')
        continue;
      if (!g_hash_table_contains (counts, reason))
        g_ptr_array_add (reasons, (gpointer)reason);
      g_hash_table_insert (counts, (gpointer)reason,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, reason)) + 1));
    }
  if (reasons->len == 0)
    return NULL;

  g_ptr_array_sort_with_data (reasons, compare_reason_counts, counts);
  for (guint i = 0; i < reasons->len; i++)
    {
      const char *reason = g_ptr_array_index (reasons, i);
      g_autofree char *count = xi_format_count (GPOINTER_TO_UINT (g_hash_table_lookup (counts, reason)));

      if (text->len > 0)
        g_string_append (text, " · ");
      /* Translators: a reason and how many recipients it stopped, "Opted out 3" */
      g_string_append_printf (text, _("%s %s"), reason, count);
    }
  /* Translators: why recipients were skipped or failed, then the list */
  return g_strdup_printf (_("Why: %s"), text->str);
}

static void
update_summary (XiHistoryPage *self)
{
  g_autofree char *took = NULL;
  g_autofree char *created = NULL;
  g_autofree char *counts = NULL;
  g_autofree char *summary = NULL;

  if (self->job == NULL)
    return;

  created = format_iso (xi_job_get_created_at (self->job), TRUE);
  counts = describe_counts (self->job);
  /* Translators: when a campaign was created, its state, and its counts */
  summary = g_strdup_printf (_("Created %s · %s\n%s"), created,
                             xi_job_state_describe (xi_job_get_state (self->job)), counts);
  if (xi_job_describe_transport (self->job) != NULL)
    {
      char *with_transport = g_strdup_printf ("%s\n%s", summary, xi_job_describe_transport (self->job));

      g_free (summary);
      summary = with_transport;
    }
  if (xi_job_get_asset_name (self->job) != NULL)
    {
      /* Translators: in a campaign's report, the file every message carried */
      char *with_attachment = g_strdup_printf (_("%s\nEvery message carries “%s”"), summary,
                                               xi_job_get_asset_name (self->job));

      g_free (summary);
      summary = with_attachment;
    }
  took = describe_duration (self->job);
  if (took != NULL || (self->reasons != NULL &&
                       g_strcmp0 (self->report_job_id, xi_job_get_id (self->job)) == 0))
    {
      g_autoptr(GString) more = g_string_new (summary);

      if (took != NULL)
        g_string_append_printf (more, "\n%s", took);
      if (self->reasons != NULL && g_strcmp0 (self->report_job_id, xi_job_get_id (self->job)) == 0)
        g_string_append_printf (more, "\n%s", self->reasons);
      g_free (summary);
      summary = g_string_free (g_steal_pointer (&more), FALSE);
    }
  if (g_strcmp0 (self->timeline_job_id, xi_job_get_id (self->job)) == 0)
    {
      g_autofree char *count = xi_format_count (self->replies);
      g_autofree char *before = g_steal_pointer (&summary);

      /* Translators: %s is a number; what the campaign's recipients wrote back since */
      summary = g_strdup_printf (ngettext ("%s\n%s reply received since", "%s\n%s replies received since",
                                           self->replies),
                                 before, count);
    }
  gtk_label_set_text (self->report_title, xi_job_get_name (self->job));
  gtk_label_set_text (self->report_summary, summary);
}

static void
update_state (XiHistoryPage *self)
{
  XiContext *context = context_of (self);
  gboolean any = context != NULL && g_list_model_get_n_items (xi_context_get_jobs (context)) > 0;
  gboolean activity = gtk_toggle_button_get_active (self->activity_toggle);

  gtk_stack_set_visible_child_name (self->content_stack, any ? "history" : "empty");
  gtk_stack_set_visible_child_name (self->view_stack, activity ? "activity" : "campaigns");
  gtk_stack_set_visible_child_name (self->report_stack, self->job != NULL ? "report" : "none");
  gtk_stack_set_visible_child_name (self->activity_stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->activity)) > 0 ? "list" : "empty");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.export", self->job != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.delete", self->job != NULL);
}

typedef struct
{
  XiHistoryPage *self;
  char          *job_id;
} ReportLoad;

static void
report_load_free (ReportLoad *load)
{
  g_object_unref (load->self);
  g_free (load->job_id);
  g_free (load);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReportLoad, report_load_free)

/* Why, Delivered and Read are empty for a campaign that went well, or
 * has not begun, and took the names' room at 800×600. Removed and put
 * back in order rather than hidden: GTK 4.8 has no insert_column, and
 * still counts a hidden column's width. */
static void
show_report_columns (XiHistoryPage *self,
                     GPtrArray     *recipients)
{
  gboolean shown[N_COLUMNS];

  for (guint c = 0; c < N_COLUMNS; c++)
    shown[c] = c != COLUMN_REASON && c != COLUMN_DELIVERED && c != COLUMN_READ;
  for (guint i = 0; i < recipients->len; i++)
    {
      XiJobRecipient *recipient = g_ptr_array_index (recipients, i);
      XiRecipientState state = xi_job_recipient_get_state (recipient);

      shown[COLUMN_REASON] |= state == XI_RECIPIENT_STATE_SKIPPED ||
                              xi_job_recipient_get_last_error (recipient) != NULL;
      shown[COLUMN_DELIVERED] |= xi_job_recipient_get_delivered_at (recipient) != NULL;
      shown[COLUMN_READ] |= xi_job_recipient_get_read_at (recipient) != NULL;
    }

  for (guint c = 0; c < N_COLUMNS; c++)
    {
      GtkColumnViewColumn *column = g_ptr_array_index (self->report_columns, c);

      if (gtk_column_view_column_get_column_view (column) != NULL)
        gtk_column_view_remove_column (self->report_view, column);
    }
  for (guint c = 0; c < N_COLUMNS; c++)
    if (shown[c])
      gtk_column_view_append_column (self->report_view, g_ptr_array_index (self->report_columns, c));
}

static void
recipients_listed_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(ReportLoad) load = user_data;
  XiHistoryPage *self = load->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) recipients = NULL;

  recipients = xi_store_list_job_recipients_finish (XI_STORE (object), result, &error);
  if (recipients == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        xi_page_toast (XI_PAGE (self), _("Could not read the campaign report: %s"), error->message);
      return;
    }

  /* A read that finished before it could be cancelled is stale. */
  if (self->job == NULL || g_strcmp0 (load->job_id, xi_job_get_id (self->job)) != 0)
    return;

  g_free (self->report_job_id);
  self->report_job_id = g_strdup (load->job_id);
  g_free (self->reasons);
  self->reasons = describe_reasons (recipients);
  show_report_columns (self, recipients);
  g_list_store_splice (self->report, 0, g_list_model_get_n_items (G_LIST_MODEL (self->report)),
                       recipients->pdata, recipients->len);
  update_recipients_stack (self);
  update_summary (self);
}

static void
timeline_loaded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(ReportLoad) load = user_data;
  XiHistoryPage *self = load->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiJobTimeline) timeline = NULL;

  timeline = xi_store_job_timeline_finish (XI_STORE (object), result, &error);
  if (timeline == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        xi_page_toast (XI_PAGE (self), _("Could not read the campaign report: %s"), error->message);
      return;
    }
  if (self->job == NULL || g_strcmp0 (load->job_id, xi_job_get_id (self->job)) != 0)
    return;

  xi_job_chart_set_timeline (self->job_chart, timeline);
  g_free (self->timeline_job_id);
  self->timeline_job_id = g_strdup (load->job_id);
  self->replies = timeline->replies;
  update_summary (self);
}

static void
load_report (XiHistoryPage *self)
{
  ReportLoad *load;
  g_clear_handle_id (&self->report_source, g_source_remove);
  g_cancellable_cancel (self->report_cancellable);
  g_clear_object (&self->report_cancellable);

  if (self->job == NULL)
    {
      g_clear_pointer (&self->report_job_id, g_free);
      g_list_store_remove_all (self->report);
      update_state (self);
      return;
    }

  update_summary (self);
  update_state (self);
  if (g_strcmp0 (self->report_job_id, xi_job_get_id (self->job)) != 0)
    {
      /* Another campaign: its rows are not the ones shown. */
      g_list_store_remove_all (self->report);
      g_clear_pointer (&self->report_job_id, g_free);
    }
  if (g_strcmp0 (self->timeline_job_id, xi_job_get_id (self->job)) != 0)
    {
      xi_job_chart_set_timeline (self->job_chart, NULL);
      g_clear_pointer (&self->timeline_job_id, g_free);
    }
  update_recipients_stack (self);

  self->report_cancellable = g_cancellable_new ();
  load = g_new0 (ReportLoad, 1);
  load->self = g_object_ref (self);
  load->job_id = g_strdup (xi_job_get_id (self->job));
  xi_store_list_job_recipients_async (xi_context_get_store (context_of (self)), load->job_id,
                                      self->report_cancellable, recipients_listed_cb, load);

  load = g_new0 (ReportLoad, 1);
  load->self = g_object_ref (self);
  load->job_id = g_strdup (xi_job_get_id (self->job));
  xi_store_job_timeline_async (xi_context_get_store (context_of (self)), load->job_id,
                               self->report_cancellable, timeline_loaded_cb, load);
}

static gboolean
report_timeout_cb (gpointer user_data)
{
  XiHistoryPage *self = user_data;

  self->report_source = 0;
  load_report (self);
  return G_SOURCE_REMOVE;
}

static void
quota_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(XiHistoryPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *used = NULL;
  g_autofree char *held = NULL;
  g_autofree char *left = NULL;
  g_autofree char *allowance = NULL;
  XiQuota *quota;
  double max;

  if ((quota = xi_store_get_quota_finish (XI_STORE (object), result, &error)) == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the quota: %s", error->message);
      return;
    }

  g_clear_pointer (&self->quota, xi_quota_free);
  self->quota = quota;
  used = xi_format_count (quota->used);
  held = xi_format_count (quota->reserved);
  left = xi_format_count (quota->available);
  allowance = xi_format_count (quota->allowance);
  /* Translators: the monthly message allowance; each %s is a number such as 1,250 */
  text = g_strdup_printf (_("This month: %s sent, %s held by running campaigns, %s of %s left"),
                          used, held, left, allowance);
  gtk_label_set_text (self->quota_label, text);

  /* What is spent or promised to running campaigns fills the bar; it
   * turns to the warning colour past four fifths of the allowance. */
  max = MAX (quota->allowance, 1);
  gtk_level_bar_set_max_value (self->quota_bar, max);
  gtk_level_bar_remove_offset_value (self->quota_bar, GTK_LEVEL_BAR_OFFSET_FULL);
  gtk_level_bar_add_offset_value (self->quota_bar, GTK_LEVEL_BAR_OFFSET_HIGH, max * 0.8);
  gtk_level_bar_add_offset_value (self->quota_bar, GTK_LEVEL_BAR_OFFSET_LOW, max);
  gtk_level_bar_set_value (self->quota_bar, MIN ((double)quota->used + quota->reserved, max));
}

static void
activity_listed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(XiHistoryPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  if ((entries = xi_store_list_activity_finish (XI_STORE (object), result, &error)) == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the activity log: %s", error->message);
      return;
    }

  g_list_store_splice (self->activity, 0, g_list_model_get_n_items (G_LIST_MODEL (self->activity)),
                       entries->pdata, entries->len);
  update_state (self);
}

static gboolean
refresh_timeout_cb (gpointer user_data)
{
  XiHistoryPage *self = user_data;
  XiStore *store = xi_context_get_store (context_of (self));

  self->refresh_source = 0;
  xi_store_get_quota_async (store, self->cancellable, quota_ready_cb, g_object_ref (self));
  xi_store_list_activity_async (store, ACTIVITY_LIMIT, self->cancellable, activity_listed_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

/* The quota and the activity log follow the campaigns. */
static void
schedule_refresh (XiHistoryPage *self)
{
  XiContext *context = context_of (self);

  /* The store opens after the pages are made; "loaded" comes after. */
  if (self->refresh_source == 0 && context != NULL && !xi_context_get_loading (context))
    self->refresh_source = g_timeout_add (REFRESH_DELAY_MS, refresh_timeout_cb, self);
}

/* Callbacks */

static void
selected_job_changed_cb (XiHistoryPage *self)
{
  update_summary (self);
  if (self->report_source == 0)
    self->report_source = g_timeout_add (REFRESH_DELAY_MS, report_timeout_cb, self);
}

static void
selection_changed_cb (XiHistoryPage *self)
{
  XiJob *selected = gtk_single_selection_get_selected_item (self->jobs);

  if (selected == self->job)
    return;

  if (self->job != NULL)
    g_signal_handlers_disconnect_by_func (self->job, selected_job_changed_cb, self);
  g_set_object (&self->job, selected);
  if (self->job != NULL)
    g_signal_connect_object (self->job, "notify", G_CALLBACK (selected_job_changed_cb), self, G_CONNECT_SWAPPED);
  load_report (self);
}

/* A new allowance set in Preferences or by another computer, or a
 * reservation pulled from the server, changes the quota line too. */
static void
store_changed_cb (XiHistoryPage      *self,
                  const char         *table,
                  const char * const *ids,
                  XiStore            *store)
{
  if (g_str_equal (table, "user_quotas") || g_str_equal (table, "quota_reservations"))
    schedule_refresh (self);
}

static void
jobs_changed_cb (XiHistoryPage *self)
{
  update_state (self);
  schedule_refresh (self);
}

static void
search_changed_cb (XiHistoryPage  *self,
                   GtkSearchEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  g_clear_pointer (&self->needle, g_free);
  if (text[0] != '\0')
    self->needle = g_utf8_casefold (text, -1);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
filter_changed_cb (XiHistoryPage *self)
{
  if (self->filter != NULL)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
filtered_changed_cb (XiHistoryPage *self)
{
  update_recipients_stack (self);
}

static void
view_toggled_cb (XiHistoryPage *self)
{
  update_state (self);
}

static void
runner_changed_cb (XiHistoryPage *self)
{
  XiCampaignRunner *runner = xi_context_get_runner (context_of (self));

  if (runner != NULL)
    g_signal_connect_object (runner, "job-changed", G_CALLBACK (schedule_refresh), self, G_CONNECT_SWAPPED);
}

typedef struct
{
  XiHistoryPage *self;
  GFile         *file;
} Export;

static void
export_free (Export *export)
{
  g_object_unref (export->self);
  g_object_unref (export->file);
  g_free (export);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Export, export_free)

static void
exported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Export) export = user_data;
  XiHistoryPage *self = export->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  guint rows;

  rows = xi_store_export_job_report_finish (XI_STORE (object), result, &error);
  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        xi_page_toast (XI_PAGE (self), _("Could not export the report: %s"), error->message);
      return;
    }

  name = g_file_get_basename (export->file);
  xi_page_toast (XI_PAGE (self), ngettext ("Wrote %u row to %s", "Wrote %u rows to %s", rows), rows, name);
}

static void
export_chosen_cb (GtkNativeDialog *chooser,
                  int              response,
                  XiHistoryPage   *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);

  if (file != NULL)
    xi_history_page_export (self, file);
}

/* Cells */

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  guint column = GPOINTER_TO_UINT (user_data);
  /* Wide enough to read; a narrow window scrolls the table sideways. */
  static const int width_chars[N_COLUMNS] = {
    [COLUMN_POSITION] = 2, [COLUMN_NAME] = 12, [COLUMN_PHONE] = 16, [COLUMN_STATE] = 8,
    [COLUMN_REASON] = 10, [COLUMN_SENT] = 5, [COLUMN_DELIVERED] = 5, [COLUMN_READ] = 5,
    [COLUMN_TEXT] = 20,
  };
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_width_chars (GTK_LABEL (label), width_chars[column]);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), column == COLUMN_POSITION ? 1 : 0);
  if (column == COLUMN_POSITION || column == COLUMN_PHONE ||
      column == COLUMN_SENT || column == COLUMN_DELIVERED || column == COLUMN_READ)
    gtk_widget_add_css_class (label, "numeric");
  if (column == COLUMN_REASON)
    gtk_widget_add_css_class (label, "dim-label");
  gtk_list_item_set_child (item, label);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  XiJobRecipient *recipient = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  g_autofree char *owned = NULL;
  const char *text = "";

  switch (GPOINTER_TO_UINT (user_data))
    {
    case COLUMN_POSITION:
      text = owned = g_strdup_printf ("%u", xi_job_recipient_get_position (recipient));
      break;
    case COLUMN_NAME:
      text = xi_job_recipient_get_name (recipient);
      break;
    case COLUMN_PHONE:
      text = owned = g_strdup_printf ("+%s", xi_job_recipient_get_phone (recipient));
      break;
    case COLUMN_STATE:
      text = xi_recipient_state_describe (xi_job_recipient_get_state (recipient));
      break;
    case COLUMN_REASON:
      if (xi_job_recipient_get_state (recipient) == XI_RECIPIENT_STATE_SKIPPED)
        text = xi_skip_reason_describe (xi_job_recipient_get_skip_reason (recipient));
      else if (xi_job_recipient_get_last_error (recipient) != NULL)
        text = xi_job_recipient_get_last_error (recipient);
      break;
    case COLUMN_SENT:
      text = owned = format_iso (xi_job_recipient_get_sent_at (recipient), FALSE);
      break;
    case COLUMN_DELIVERED:
      text = owned = format_iso (xi_job_recipient_get_delivered_at (recipient), FALSE);
      break;
    case COLUMN_READ:
      text = owned = format_iso (xi_job_recipient_get_read_at (recipient), FALSE);
      break;
    case COLUMN_TEXT:
      text = xi_job_recipient_get_text (recipient);
      break;
    default:
      g_return_if_reached ();
    }

  if (text == NULL)
    text = "";
  gtk_label_set_text (label, text);
  /* Cells are narrow: the whole message, or the whole error, on hover. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), text[0] != '\0' &&
                               (GPOINTER_TO_UINT (user_data) == COLUMN_TEXT ||
                                GPOINTER_TO_UINT (user_data) == COLUMN_REASON) ? text : NULL);
}

static void
add_column (XiHistoryPage *self,
            guint          column,
            const char    *title,
            gboolean       expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *view_column;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), GUINT_TO_POINTER (column));
  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_append_column (self->report_view, view_column);
  g_ptr_array_add (self->report_columns, view_column);
}

static void
update_job_item (GtkListItem *item)
{
  XiJob *job = gtk_list_item_get_item (item);
  GtkWidget *name = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  GtkWidget *meta = gtk_widget_get_next_sibling (name);
  GtkWidget *counts = gtk_widget_get_next_sibling (meta);
  GtkWidget *funnel = gtk_widget_get_next_sibling (counts);
  g_autofree char *created = format_iso (xi_job_get_created_at (job), TRUE);
  g_autofree char *meta_text = NULL;
  g_autofree char *counts_text = describe_counts (job);

  /* Translators: when a campaign was created, and its state */
  meta_text = g_strdup_printf (_("%s · %s"), created, xi_job_state_describe (xi_job_get_state (job)));
  /* First, where a narrow list still shows it; campaigns for people are
   * the usual case and need no mark. */
  if (xi_job_is_rehearsal (job))
    {
      /* Translators: in the campaign list, before its date and state */
      char *with_transport = g_strdup_printf (_("Rehearsal · %s"), meta_text);

      g_free (meta_text);
      meta_text = with_transport;
    }
  gtk_label_set_text (GTK_LABEL (name), xi_job_get_name (job));
  gtk_label_set_text (GTK_LABEL (meta), meta_text);
  gtk_label_set_text (GTK_LABEL (counts), counts_text);
  xi_funnel_bar_set_counts (XI_FUNNEL_BAR (funnel), xi_job_get_total (job), xi_job_get_sent (job),
                            xi_job_get_delivered (job), xi_job_get_read (job),
                            xi_job_get_failed (job), xi_job_get_skipped (job));
}

static void
setup_job_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *labels[3];

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      labels[i] = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (labels[i]), 0);
      gtk_label_set_ellipsize (GTK_LABEL (labels[i]), PANGO_ELLIPSIZE_END);
      if (i > 0)
        {
          gtk_widget_add_css_class (labels[i], "dim-label");
          gtk_widget_add_css_class (labels[i], "caption");
        }
      gtk_box_append (GTK_BOX (box), labels[i]);
    }
  gtk_widget_add_css_class (labels[2], "numeric");
  gtk_box_append (GTK_BOX (box), xi_funnel_bar_new ());
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_list_item_set_child (item, box);
}

static void
bind_job_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item)
{
  g_signal_connect_object (gtk_list_item_get_item (item), "notify", G_CALLBACK (update_job_item),
                           item, G_CONNECT_SWAPPED);
  update_job_item (item);
}

static void
unbind_job_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item)
{
  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (item), update_job_item, item);
}

static void
setup_activity_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *time = gtk_label_new (NULL);
  GtkWidget *summary = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (time), 0);
  gtk_label_set_width_chars (GTK_LABEL (time), 18);
  gtk_widget_add_css_class (time, "dim-label");
  gtk_widget_add_css_class (time, "numeric");
  gtk_label_set_xalign (GTK_LABEL (summary), 0);
  gtk_label_set_wrap (GTK_LABEL (summary), TRUE);
  gtk_widget_set_hexpand (summary, TRUE);
  gtk_box_append (GTK_BOX (box), time);
  gtk_box_append (GTK_BOX (box), summary);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_list_item_set_child (item, box);
}

/* Campaign entries carry a sentence; the contact entries written before
 * campaigns existed carry only their figures, so they are put in words
 * here. */
static char *
describe_entry (XiActivity *entry)
{
  const char *kind = xi_activity_get_kind (entry) != NULL ? xi_activity_get_kind (entry) : "";
  const char *summary = xi_activity_get_summary (entry) != NULL ? xi_activity_get_summary (entry) : "";
  guint64 n = 0;

  if (g_str_equal (kind, "contact.opted-out"))
    /* Translators: %s is a phone number with the middle hidden */
    return g_strdup_printf (_("%s opted out"), summary);
  if (g_str_equal (kind, "contact.opted-in"))
    return g_strdup_printf (_("%s may get messages again"), summary);
  if (g_str_equal (kind, "contacts.imported"))
    {
      guint imported = 0, updated = 0, skipped = 0;

      if (sscanf (summary, "%u/%u/%u", &imported, &updated, &skipped) == 3)
        return g_strdup_printf (_("Imported contacts: %u new, %u updated, %u skipped"),
                                imported, updated, skipped);
    }
  if (g_ascii_string_to_unsigned (summary, 10, 0, G_MAXUINT, &n, NULL))
    {
      if (g_str_equal (kind, "contacts.opted-out"))
        return g_strdup_printf (ngettext ("Marked %u contact as opted out",
                                          "Marked %u contacts as opted out", n), (guint)n);
      if (g_str_equal (kind, "contacts.opted-in"))
        return g_strdup_printf (ngettext ("Marked %u contact as willing to get messages again",
                                          "Marked %u contacts as willing to get messages again", n), (guint)n);
      if (g_str_equal (kind, "contacts.deleted"))
        return g_strdup_printf (ngettext ("Deleted %u contact", "Deleted %u contacts", n), (guint)n);
    }
  return g_strdup (summary);
}

static void
bind_activity_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item)
{
  XiActivity *entry = gtk_list_item_get_item (item);
  GtkWidget *time = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  GtkWidget *summary = gtk_widget_get_next_sibling (time);
  g_autofree char *when = format_iso (xi_activity_get_created_at (entry), TRUE);
  g_autofree char *text = describe_entry (entry);

  gtk_label_set_text (GTK_LABEL (time), when);
  gtk_label_set_text (GTK_LABEL (summary), text);
}

/* Actions */

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiHistoryPage *self = XI_HISTORY_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;
  GtkFileChooserNative *chooser;

  if (self->job == NULL || self->chooser != NULL)
    return;

  /* A campaign name may hold a slash, which no file name can. */
  name = g_strdelimit (g_strdup_printf ("%s.csv", xi_job_get_name (self->job)), "/\\", '-');
  chooser = gtk_file_chooser_native_new (_("Export Report"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_file_filter_set_name (filter, _("CSV files"));
  gtk_file_filter_add_pattern (filter, "*.csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (export_chosen_cb), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
job_deleted_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(XiHistoryPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (xi_campaigns_facade_delete_finish (XI_CAMPAIGNS_FACADE (object), result, &error))
    schedule_refresh (self);   /* its quota may be free again */
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    xi_page_toast (XI_PAGE (self), _("The campaign was not deleted: %s"), error->message);
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    XiHistoryPage    *self)
{
  XiContext *context = context_of (self);

  /* Answer once: closing the dialog may emit its close response too. */
  g_signal_handlers_disconnect_by_func (dialog, delete_response_cb, self);
  if (g_str_equal (response, "delete") && context != NULL)
    xi_campaigns_facade_delete_async (xi_context_get_campaigns (context),
                                      g_object_get_data (G_OBJECT (dialog), "job-id"),
                                      self->cancellable, job_deleted_cb, g_object_ref (self));
}

/* Deleting cannot be undone, so it is confirmed with what goes: the
 * campaign by name and how many people its report lists. Cancel is the
 * default. A campaign that is sending, or that another computer sends,
 * is refused by the store, and the toast says why. */
static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiHistoryPage *self = XI_HISTORY_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *heading = NULL;
  g_autofree char *count = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  guint total;
  GtkWidget *dialog;

  if (self->job == NULL)
    return;

  total = xi_job_get_total (self->job);
  count = xi_format_count (total);
  heading = g_strdup_printf (_("Delete “%s”?"), xi_job_get_name (self->job));
  g_string_append_printf (body, ngettext ("Its report of %s recipient is deleted with it.",
                                          "Its report of %s recipients is deleted with it.", total),
                          count);
  if (!xi_job_is_finished (self->job))
    g_string_append_printf (body, " %s",
                            _("It has not finished: it is cancelled first, and the quota it holds is given back."));

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "job-id", g_strdup (xi_job_get_id (self->job)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiHistoryPage *self = XI_HISTORY_PAGE (widget);

  if (self->job == NULL || !g_str_equal (gtk_stack_get_visible_child_name (self->content_stack), "history"))
    return;
  gtk_toggle_button_set_active (self->campaigns_toggle, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* Life cycle */

static void
xi_history_page_context_set (XiPage    *page,
                             XiContext *context)
{
  XiHistoryPage *self = XI_HISTORY_PAGE (page);
  GListModel *jobs = xi_context_get_jobs (context);

  self->jobs = gtk_single_selection_new (g_object_ref (jobs));
  gtk_list_view_set_model (self->job_list, GTK_SELECTION_MODEL (self->jobs));
  g_signal_connect_object (self->jobs, "notify::selected-item", G_CALLBACK (selection_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (jobs, "items-changed", G_CALLBACK (jobs_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (context, "notify::runner", G_CALLBACK (runner_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (context, "loaded", G_CALLBACK (schedule_refresh), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (xi_context_get_store (context), "changed", G_CALLBACK (store_changed_cb), self,
                           G_CONNECT_SWAPPED);

  runner_changed_cb (self);
  selection_changed_cb (self);
  jobs_changed_cb (self);
}

static void
xi_history_page_dispose (GObject *object)
{
  XiHistoryPage *self = (XiHistoryPage *)object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->report_cancellable);
  g_clear_handle_id (&self->report_source, g_source_remove);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  g_clear_pointer (&self->report_columns, g_ptr_array_unref);
  if (self->job != NULL)
    g_signal_handlers_disconnect_by_func (self->job, selected_job_changed_cb, self);
  g_clear_object (&self->job);

  /* AdwBin 1.2 unparents its child in its own dispose: let go of it
   * first, so the template teardown does not unparent it twice. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), XI_TYPE_HISTORY_PAGE);

  g_clear_object (&self->jobs);
  g_clear_object (&self->report_selection);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->report);
  g_clear_object (&self->activity);

  G_OBJECT_CLASS (xi_history_page_parent_class)->dispose (object);
}

static void
xi_history_page_finalize (GObject *object)
{
  XiHistoryPage *self = (XiHistoryPage *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->report_cancellable);
  g_clear_pointer (&self->quota, xi_quota_free);
  g_free (self->report_job_id);
  g_free (self->timeline_job_id);
  g_free (self->reasons);
  g_free (self->needle);

  G_OBJECT_CLASS (xi_history_page_parent_class)->finalize (object);
}

static void
xi_history_page_class_init (XiHistoryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_history_page_dispose;
  object_class->finalize = xi_history_page_finalize;
  XI_PAGE_CLASS (klass)->context_set = xi_history_page_context_set;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-history-page.ui");
  gtk_widget_class_bind_template_child (widget_class, XiHistoryPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, XiHistoryPage, campaigns_toggle);
  gtk_widget_class_bind_template_child (widget_class, XiHistoryPage, activity_toggle);
  gtk_widget_class_bind_template_child (widget_class, XiHistoryPage, quota_label);
  gtk_widget_class_bind_template_child (widget_class, XiHistoryPage, quota_bar);
  gtk_widget_class_bind_template_child (widget_class, XiHistoryPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, XiHistoryPage, job_list);
  gtk_widget_class_bind_template_child (widget_class, XiHistoryPage, report_stack);
  gtk_widget_class_bind_template_child (widget_class, XiHistoryPage, report_title);
  gtk_widget_class_bind_template_child (widget_class, XiHistoryPage, report_summary);
  gtk_widget_class_bind_template_child (widget_class, XiHistoryPage, job_chart);
  gtk_widget_class_bind_template_child (widget_class, XiHistoryPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, XiHistoryPage, state_dropdown);
  gtk_widget_class_bind_template_child (widget_class, XiHistoryPage, recipients_stack);
  gtk_widget_class_bind_template_child (widget_class, XiHistoryPage, report_view);
  gtk_widget_class_bind_template_child (widget_class, XiHistoryPage, activity_stack);
  gtk_widget_class_bind_template_child (widget_class, XiHistoryPage, activity_list);
  gtk_widget_class_bind_template_callback (widget_class, view_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);

  gtk_widget_class_install_action (widget_class, "history.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "history.delete", NULL, delete_action);
  /* "Delete the selection", as on every page; the search entry keeps its
   * own Delete key. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "history.delete", NULL);
  gtk_widget_class_install_action (widget_class, "page.search", NULL, search_action);
}

static void
xi_history_page_init (XiHistoryPage *self)
{
  g_autoptr(GtkListItemFactory) job_factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkListItemFactory) activity_factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkNoSelection) activity_selection = NULL;

  g_type_ensure (XI_TYPE_JOB_CHART);
  gtk_widget_init_template (GTK_WIDGET (self));
  xi_list_keys_attach (GTK_WIDGET (self->job_list), NULL);
  xi_list_keys_attach (GTK_WIDGET (self->report_view), self->search_entry);
  xi_list_keys_attach (GTK_WIDGET (self->activity_list), NULL);

  self->cancellable = g_cancellable_new ();
  self->report = g_list_store_new (XI_TYPE_JOB_RECIPIENT);
  self->filter = gtk_custom_filter_new (recipient_visible_cb, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->report)),
                                              GTK_FILTER (g_object_ref (self->filter)));
  /* A campaign may have tens of thousands of recipients. */
  gtk_filter_list_model_set_incremental (self->filtered, TRUE);
  g_signal_connect_object (self->filtered, "items-changed", G_CALLBACK (filtered_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filtered, "notify::pending", G_CALLBACK (filtered_changed_cb),
                           self, G_CONNECT_SWAPPED);
  self->report_selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->filtered)));
  gtk_single_selection_set_autoselect (self->report_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->report_selection, TRUE);
  gtk_column_view_set_model (self->report_view, GTK_SELECTION_MODEL (self->report_selection));

  self->report_columns = g_ptr_array_new_with_free_func (g_object_unref);
  add_column (self, COLUMN_POSITION, C_("report column", "#"), FALSE);
  add_column (self, COLUMN_NAME, C_("report column", "Name"), FALSE);
  add_column (self, COLUMN_PHONE, C_("report column", "Phone"), FALSE);
  add_column (self, COLUMN_STATE, C_("report column", "State"), FALSE);
  add_column (self, COLUMN_REASON, C_("report column", "Why"), FALSE);
  add_column (self, COLUMN_SENT, C_("report column", "Sent"), FALSE);
  add_column (self, COLUMN_DELIVERED, C_("report column", "Delivered"), FALSE);
  add_column (self, COLUMN_READ, C_("report column", "Read"), FALSE);
  add_column (self, COLUMN_TEXT, C_("report column", "Message"), TRUE);

  g_signal_connect (job_factory, "setup", G_CALLBACK (setup_job_cb), NULL);
  g_signal_connect (job_factory, "bind", G_CALLBACK (bind_job_cb), NULL);
  g_signal_connect (job_factory, "unbind", G_CALLBACK (unbind_job_cb), NULL);
  gtk_list_view_set_factory (self->job_list, job_factory);

  self->activity = g_list_store_new (XI_TYPE_ACTIVITY);
  activity_selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->activity)));
  g_signal_connect (activity_factory, "setup", G_CALLBACK (setup_activity_cb), NULL);
  g_signal_connect (activity_factory, "bind", G_CALLBACK (bind_activity_cb), NULL);
  gtk_list_view_set_factory (self->activity_list, activity_factory);
  gtk_list_view_set_model (self->activity_list, GTK_SELECTION_MODEL (activity_selection));

  update_state (self);
}

/* Public API */

/**
 * xi_history_page_get_jobs:
 * @self: a #XiHistoryPage
 *
 * Returns: (transfer none) (nullable): the campaigns as listed
 */
GListModel *
xi_history_page_get_jobs (XiHistoryPage *self)
{
  g_return_val_if_fail (XI_IS_HISTORY_PAGE (self), NULL);
  return G_LIST_MODEL (self->jobs);
}

/* Selects a campaign as if the user had clicked it. */
gboolean
xi_history_page_select_job (XiHistoryPage *self,
                            const char    *job_id)
{
  guint n;

  g_return_val_if_fail (XI_IS_HISTORY_PAGE (self), FALSE);

  if (self->jobs == NULL)
    return FALSE;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(XiJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

      if (g_strcmp0 (xi_job_get_id (job), job_id) == 0)
        {
          gtk_single_selection_set_selected (self->jobs, i);
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * xi_history_page_get_report:
 * @self: a #XiHistoryPage
 *
 * Returns: (transfer none): the selected campaign's recipients as shown,
 *   searched and filtered (an incremental #GtkFilterListModel underneath)
 */
GListModel *
xi_history_page_get_report (XiHistoryPage *self)
{
  g_return_val_if_fail (XI_IS_HISTORY_PAGE (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

void
xi_history_page_set_search (XiHistoryPage *self,
                            const char    *text)
{
  g_return_if_fail (XI_IS_HISTORY_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  search_changed_cb (self, self->search_entry);
}

void
xi_history_page_set_filter (XiHistoryPage   *self,
                            XiHistoryFilter  filter)
{
  g_return_if_fail (XI_IS_HISTORY_PAGE (self));
  gtk_drop_down_set_selected (self->state_dropdown, filter);
}

/**
 * xi_history_page_export:
 * @self: a #XiHistoryPage
 * @file: where to write the selected campaign's report as CSV
 *
 * A toast says how many rows were written.
 */
void
xi_history_page_export (XiHistoryPage *self,
                        GFile         *file)
{
  Export *export;

  g_return_if_fail (XI_IS_HISTORY_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->job == NULL)
    return;

  export = g_new0 (Export, 1);
  export->self = g_object_ref (self);
  export->file = g_object_ref (file);
  xi_store_export_job_report_async (xi_context_get_store (context_of (self)), xi_job_get_id (self->job), file,
                                    self->cancellable, exported_cb, export);
}

/* Shows the activity log (or the campaigns again). */
void
xi_history_page_show_activity (XiHistoryPage *self,
                               gboolean       activity)
{
  g_return_if_fail (XI_IS_HISTORY_PAGE (self));
  gtk_toggle_button_set_active (activity ? self->activity_toggle : self->campaigns_toggle, TRUE);
}

/**
 * xi_history_page_get_activity:
 * @self: a #XiHistoryPage
 *
 * Returns: (transfer none): the activity log as shown, newest first
 */
GListModel *
xi_history_page_get_activity (XiHistoryPage *self)
{
  g_return_val_if_fail (XI_IS_HISTORY_PAGE (self), NULL);
  return G_LIST_MODEL (self->activity);
}

/**
 * xi_history_page_get_quota:
 * @self: a #XiHistoryPage
 *
 * Returns: (transfer none) (nullable): the quota as shown
 */
const XiQuota *
xi_history_page_get_quota (XiHistoryPage *self)
{
  g_return_val_if_fail (XI_IS_HISTORY_PAGE (self), NULL);
  return self->quota;
}
