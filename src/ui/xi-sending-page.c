/* xi-sending-page.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-sending-page"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "xi-asset-thumbnail.h"
#include "xi-format.h"
#include "xi-job-row.h"
#include "xi-phone.h"
#include "xi-segment-item.h"
#include "xi-sending-page.h"

/* How long the form must stay still before the plan is computed again:
 * the store reads every member of the group for it. */
#define PLAN_DELAY_MS 200
#define PLAN_SAMPLES  3

/*
 * Where campaigns start and run. The form describes a campaign (group,
 * template, pace, limits, start time); while it changes, the store plans
 * it without writing anything, and the page shows who gets it, who is
 * skipped and why, what it takes from the monthly quota, and how three
 * messages read. Above the form, every unfinished campaign with its
 * progress and the pause, resume and cancel buttons.
 *
 * The audience is a group or a saved segment. A segment is looked up
 * when the plan is made, to say how many it matches now, and again when
 * the campaign is created: the campaign goes to who matches then.
 *
 * Until there is something to send (contacts, a group, a template) and
 * nothing is queued, the page shows what is missing instead, each row
 * leading to the page where it is prepared.
 */
struct _XiSendingPage
{
  XiPage              parent_instance;

  /* Template widgets */
  GtkStack           *content_stack;
  GtkScrolledWindow  *scroller;
  AdwActionRow       *contacts_row;
  AdwActionRow       *groups_row;
  AdwActionRow       *templates_row;
  AdwComboRow        *group_row;
  AdwComboRow        *template_row;
  AdwComboRow        *variant_row;
  AdwComboRow        *delay_mode_row;
  AdwActionRow       *delay_min_row;
  AdwActionRow       *delay_max_row;
  GtkSpinButton      *delay_min_spin;
  GtkSpinButton      *delay_max_spin;
  AdwExpanderRow     *batch_row;
  GtkSpinButton      *batch_size_spin;
  GtkSpinButton      *batch_rest_spin;
  AdwExpanderRow     *daily_cap_row;
  GtkSpinButton      *daily_cap_spin;
  AdwExpanderRow     *schedule_row;
  AdwComboRow        *day_row;
  AdwEntryRow        *time_row;
  AdwActionRow       *rehearse_row;
  GtkSwitch          *rehearse_switch;
  GtkWidget          *rehearsal_box;
  AdwActionRow       *recipients_row;
  AdwActionRow       *skipped_row;
  AdwActionRow       *quota_row;
  AdwActionRow       *missing_row;
  GtkBox             *samples_box;
  GtkWidget          *queue_group;
  GtkListBox         *queue_list;
  GtkWidget          *queue_empty;

  /* Owned */
  GtkCustomFilter    *unfinished;
  GtkFilterListModel *queue;
  GtkFlattenListModel *audiences;
  GListStore         *audience_parts;    /* the groups' model, then the segments' */
  XiJobPlan          *plan;              /* for the form as it is now, or NULL */
  GCancellable       *plan_cancellable;
  GCancellable       *cancellable;       /* creating and commanding campaigns */
  char               *group_id;          /* the choices, kept across model changes */
  XiSegment          *segment;           /* chosen instead of a group */
  GSignalGroup       *segment_signals;   /* the chosen segment's item, which sync may redefine */
  char              **segment_ids;       /* who matched it when the plan was made */
  char               *template_id;
  char               *restore_group_id;  /* what to select again, see choices_changed_cb() */
  char               *restore_template_id;
  guint               plan_source;
  guint               restore_source;
  guint               refilter_source;
  gboolean            creating;
};

G_DEFINE_FINAL_TYPE (XiSendingPage, xi_sending_page, XI_TYPE_PAGE)

enum {
  DELAY_RANDOM,
  DELAY_FIXED,
};

enum {
  DAY_TODAY,
  DAY_TOMORROW,
};

/* Auxiliary methods */

static XiContext *
context_of (XiSendingPage *self)
{
  return xi_page_get_context (XI_PAGE (self));
}

static guint
spin_value (GtkSpinButton *spin)
{
  return (guint)gtk_spin_button_get_value_as_int (spin);
}

/* "8:00", "08:00" and "08.00" (the way times are written in Indonesia). */
static gboolean
parse_time (const char *text,
            guint      *hour,
            guint      *minute)
{
  g_auto(GStrv) parts = NULL;
  guint64 h, m;

  parts = g_regex_split_simple ("[:.]", text, 0, 0);
  if (g_strv_length (parts) != 2 ||
      !g_ascii_string_to_unsigned (g_strstrip (parts[0]), 10, 0, 23, &h, NULL) ||
      !g_ascii_string_to_unsigned (g_strstrip (parts[1]), 10, 0, 59, &m, NULL) ||
      strlen (parts[1]) != 2)
    return FALSE;
  *hour = h;
  *minute = m;
  return TRUE;
}

/* The chosen start time as Unix seconds, 0 to start now, -1 when the
 * time cannot be read or has passed. */
static gint64
scheduled_at (XiSendingPage *self)
{
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) day = NULL;
  g_autoptr(GDateTime) when = NULL;
  guint hour, minute;

  if (!adw_expander_row_get_enable_expansion (self->schedule_row))
    return 0;
  if (!parse_time (gtk_editable_get_text (GTK_EDITABLE (self->time_row)), &hour, &minute))
    return -1;

  now = g_date_time_new_now_local ();
  day = g_date_time_add_days (now, adw_combo_row_get_selected (self->day_row) == DAY_TOMORROW ? 1 : 0);
  when = g_date_time_new_local (g_date_time_get_year (day), g_date_time_get_month (day),
                                g_date_time_get_day_of_month (day), hour, minute, 0);
  if (when == NULL || g_date_time_compare (when, now) <= 0)
    return -1;
  return g_date_time_to_unix (when);
}

static XiJobSpec *
build_spec (XiSendingPage *self)
{
  g_autoptr(XiJobSpec) spec = NULL;
  guint min, max;
  gint64 at;

  if ((self->group_id == NULL && self->segment_ids == NULL) || self->template_id == NULL)
    return NULL;
  if ((at = scheduled_at (self)) < 0)
    return NULL;

  spec = xi_job_spec_new ();
  spec->group_id = g_strdup (self->group_id);
  if (self->group_id == NULL)
    {
      spec->contact_ids = g_strdupv (self->segment_ids);
      spec->segment = xi_segment_copy (self->segment);
    }
  spec->template_id = g_strdup (self->template_id);

  min = spin_value (self->delay_min_spin);
  max = adw_combo_row_get_selected (self->delay_mode_row) == DELAY_FIXED ? min : spin_value (self->delay_max_spin);
  spec->delay_min_ms = MIN (min, max) * 1000;
  spec->delay_max_ms = MAX (min, max) * 1000;

  if (adw_expander_row_get_enable_expansion (self->batch_row))
    {
      spec->batch_size = spin_value (self->batch_size_spin);
      spec->batch_rest_ms = spin_value (self->batch_rest_spin) * 60 * 1000;
    }
  else
    {
      spec->batch_size = 0;
      spec->batch_rest_ms = 0;
    }

  spec->daily_cap = adw_expander_row_get_enable_expansion (self->daily_cap_row)
                    ? spin_value (self->daily_cap_spin) : 0;
  spec->variant_mode = adw_combo_row_get_selected (self->variant_row) == 1
                       ? XI_VARIANT_MODE_ROUND_ROBIN : XI_VARIANT_MODE_RANDOM;
  spec->scheduled_at = at;
  spec->start = TRUE;
  spec->transport = g_strdup (gtk_switch_get_active (self->rehearse_switch) ? XI_JOB_TRANSPORT_LOOPBACK
                                                                            : XI_JOB_TRANSPORT_WHATSAPP);

  return g_steal_pointer (&spec);
}

static gboolean
plan_fits_quota (const XiJobPlan *plan)
{
  return plan->eligible <= plan->quota_available;
}

static void
update_start (XiSendingPage *self)
{
  gboolean can_start = self->plan != NULL && !self->creating &&
                       self->plan->eligible > 0 && plan_fits_quota (self->plan);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sending.start", can_start);
}

static void
clear_samples (XiSendingPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->samples_box))) != NULL)
    gtk_box_remove (self->samples_box, child);
}

/* What every message carries, above the samples of its text. */
static void
add_attachment (XiSendingPage *self,
                XiAsset       *attachment)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  g_autofree char *described = xi_asset_thumbnail_describe (attachment);
  /* Translators: on the Sending page: a file name, then its size and kind */
  g_autofree char *text = g_strdup_printf (_("Every message carries “%s” (%s)"), xi_asset_get_name (attachment),
                                           described);
  GtkWidget *label = gtk_label_new (text);

  gtk_box_append (GTK_BOX (box), xi_asset_thumbnail_new (attachment, 32, self->plan_cancellable));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (self->samples_box, box);
}

static void
add_sample (XiSendingPage     *self,
            const XiJobSample *sample)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *to;
  GtkWidget *text;
  g_autofree char *to_text = NULL;

  if (sample->name != NULL && sample->name[strspn (sample->name, " \t")] != '\0')
    /* Translators: above an example message; a name and a phone number */
    to_text = g_strdup_printf (_("To %s (+%s)"), sample->name, sample->phone);
  else
    {
      g_autofree char *phone = xi_phone_format_international (sample->phone);

      /* Translators: above an example message to a customer without a name */
      to_text = g_strdup_printf (_("To %s"), phone);
    }
  to = gtk_label_new (to_text);
  gtk_label_set_xalign (GTK_LABEL (to), 0);
  gtk_label_set_ellipsize (GTK_LABEL (to), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (to, "caption");
  gtk_widget_add_css_class (to, "dim-label");

  text = gtk_label_new (sample->text);
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_halign (text, GTK_ALIGN_START);
  gtk_widget_add_css_class (text, "preview");

  gtk_box_append (GTK_BOX (box), to);
  gtk_box_append (GTK_BOX (box), text);
  gtk_box_append (self->samples_box, box);
}

static char *
describe_skipped (const XiJobPlan *plan)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint reason = XI_SKIP_REASON_NONE + 1; reason < G_N_ELEMENTS (plan->skipped); reason++)
    {
      if (plan->skipped[reason] == 0)
        continue;
      if (text->len > 0)
        g_string_append (text, ", ");
      /* Translators: a reason and how many contacts it applies to, "Opted out: 2" */
      g_string_append_printf (text, _("%s: %u"), xi_skip_reason_describe (reason), plan->skipped[reason]);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
show_plan (XiSendingPage *self,
           const char    *message)
{
  const XiJobPlan *plan = self->plan;
  guint n_skipped;

  clear_samples (self);
  gtk_widget_remove_css_class (GTK_WIDGET (self->quota_row), "error");

  if (plan == NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->recipients_row), message);
      adw_action_row_set_subtitle (self->recipients_row, "");
      gtk_widget_set_visible (GTK_WIDGET (self->skipped_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->quota_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->missing_row), FALSE);
      update_start (self);
      return;
    }

  {
    g_autofree char *title = g_strdup_printf (ngettext ("%u customer will get the message",
                                                        "%u customers will get the message",
                                                        plan->eligible), plan->eligible);
    g_autofree char *subtitle = NULL;

    if (self->segment != NULL)
      subtitle = g_strdup_printf (ngettext ("Of %u contact who matches segment “%s” now. It is looked up "
                                            "again when the campaign is created.",
                                            "Of %u contacts who match segment “%s” now. It is looked up "
                                            "again when the campaign is created.",
                                            plan->targeted), plan->targeted, self->segment->name);
    else
      subtitle = g_strdup_printf (ngettext ("Of %u contact in the group",
                                            "Of %u contacts in the group",
                                            plan->targeted), plan->targeted);

    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->recipients_row), title);
    adw_action_row_set_subtitle (self->recipients_row, subtitle);
  }

  n_skipped = xi_job_plan_get_n_skipped (plan);
  gtk_widget_set_visible (GTK_WIDGET (self->skipped_row), n_skipped > 0);
  if (n_skipped > 0)
    {
      g_autofree char *title = g_strdup_printf (ngettext ("%u contact is skipped",
                                                          "%u contacts are skipped",
                                                          n_skipped), n_skipped);
      g_autofree char *reasons = describe_skipped (plan);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->skipped_row), title);
      adw_action_row_set_subtitle (self->skipped_row, reasons);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->quota_row), TRUE);
  if (plan_fits_quota (plan))
    {
      g_autofree char *title = g_strdup_printf (ngettext ("Uses %u message of your monthly quota",
                                                          "Uses %u messages of your monthly quota",
                                                          plan->eligible), plan->eligible);
      /* Translators: what is left of the monthly allowance, "9,988 of 10,000" */
      g_autofree char *subtitle = g_strdup_printf (_("%u of %u left this month"),
                                                   plan->quota_available, plan->quota_allowance);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->quota_row), title);
      adw_action_row_set_subtitle (self->quota_row, subtitle);
    }
  else
    {
      g_autofree char *subtitle =
        g_strdup_printf (_("The campaign needs %u messages, but only %u of your %u are left this month. "
                           "Send to a smaller group, or wait for next month."),
                         plan->eligible, plan->quota_available, plan->quota_allowance);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->quota_row),
                                     _("Not enough quota this month"));
      adw_action_row_set_subtitle (self->quota_row, subtitle);
      gtk_widget_add_css_class (GTK_WIDGET (self->quota_row), "error");
    }

  gtk_widget_set_visible (GTK_WIDGET (self->missing_row),
                          plan->missing_variables != NULL && plan->missing_variables[0] != NULL);
  if (plan->missing_variables != NULL && plan->missing_variables[0] != NULL)
    {
      g_autoptr(GString) names = g_string_new (NULL);
      g_autofree char *subtitle = NULL;

      for (guint i = 0; plan->missing_variables[i] != NULL; i++)
        g_string_append_printf (names, "%s{%s}", i > 0 ? ", " : "", plan->missing_variables[i]);
      subtitle = g_strdup_printf (_("Some customers have no value for %s, so their message has a gap there. "
                                    "Fill in their details, or give the template a fallback, such as {first_name|Kak}."),
                                  names->str);
      adw_action_row_set_subtitle (self->missing_row, subtitle);
    }

  if (plan->samples->len > 0)
    {
      g_autofree char *heading_text =
        g_strdup_printf (ngettext ("How %u message reads", "How %u of the messages read", plan->samples->len),
                         plan->samples->len);
      GtkWidget *heading = gtk_label_new (heading_text);

      gtk_label_set_xalign (GTK_LABEL (heading), 0);
      gtk_widget_add_css_class (heading, "heading");
      gtk_box_append (self->samples_box, heading);
    }
  if (plan->attachment != NULL)
    add_attachment (self, plan->attachment);
  for (guint i = 0; i < plan->samples->len; i++)
    add_sample (self, g_ptr_array_index (plan->samples, i));

  update_start (self);
}

static void
plan_ready_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(XiSendingPage) self = user_data;
  g_autoptr(GError) error = NULL;
  XiJobPlan *plan;

  plan = xi_store_plan_job_finish (XI_STORE (object), result, &error);
  if (plan == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("Could not check the campaign: %s"), error->message);
      show_plan (self, message);
      return;
    }

  g_clear_pointer (&self->plan, xi_job_plan_free);
  self->plan = plan;
  show_plan (self, NULL);
}

static void
segment_evaluated_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(XiSendingPage) self = user_data;
  g_auto(GStrv) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiJobSpec) spec = NULL;
  g_autofree char *message = NULL;

  ids = xi_store_filter_contact_ids_finish (XI_STORE (object), result, &error);
  if (ids == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (ids == NULL)
    {
      message = g_strdup_printf (_("Could not look up segment “%s”: %s"), self->segment->name, error->message);
      show_plan (self, message);
      return;
    }
  if (ids[0] == NULL)
    {
      message = g_strdup_printf (_("No contact matches segment “%s” now"), self->segment->name);
      show_plan (self, message);
      return;
    }

  g_strfreev (self->segment_ids);
  self->segment_ids = g_steal_pointer (&ids);
  if ((spec = build_spec (self)) == NULL)
    return;
  xi_store_plan_job_async (XI_STORE (object), spec, PLAN_SAMPLES, self->plan_cancellable,
                           plan_ready_cb, g_object_ref (self));
}

static gboolean
plan_timeout_cb (gpointer user_data)
{
  XiSendingPage *self = user_data;
  XiContext *context = context_of (self);
  g_autoptr(XiJobSpec) spec = NULL;

  self->plan_source = 0;

  if (context == NULL || xi_context_get_loading (context))
    return G_SOURCE_REMOVE;

  if (self->segment != NULL && self->template_id != NULL && scheduled_at (self) >= 0)
    {
      g_autoptr(XiContactFilter) filter = NULL;
      g_autoptr(GError) error = NULL;

      if ((filter = xi_segment_get_filter (self->segment, &error)) == NULL)
        {
          show_plan (self, error->message);
          return G_SOURCE_REMOVE;
        }
      g_cancellable_cancel (self->plan_cancellable);
      g_clear_object (&self->plan_cancellable);
      self->plan_cancellable = g_cancellable_new ();
      xi_store_filter_contact_ids_async (xi_context_get_store (context), filter, self->plan_cancellable,
                                      segment_evaluated_cb, g_object_ref (self));
      return G_SOURCE_REMOVE;
    }

  if ((spec = build_spec (self)) == NULL)
    {
      show_plan (self, scheduled_at (self) < 0
                       ? _("Write a start time that is still to come, such as 08:00")
                       : _("Pick a group and a template to see who gets the message"));
      return G_SOURCE_REMOVE;
    }

  g_cancellable_cancel (self->plan_cancellable);
  g_clear_object (&self->plan_cancellable);
  self->plan_cancellable = g_cancellable_new ();
  xi_store_plan_job_async (xi_context_get_store (context), spec, PLAN_SAMPLES, self->plan_cancellable,
                           plan_ready_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

/* The plan shown no longer matches the form: drop it, and compute a new
 * one once the form has been still for a moment. */
static void
replan (XiSendingPage *self)
{
  g_clear_pointer (&self->plan, xi_job_plan_free);
  g_cancellable_cancel (self->plan_cancellable);
  update_start (self);

  g_clear_handle_id (&self->plan_source, g_source_remove);
  self->plan_source = g_timeout_add (PLAN_DELAY_MS, plan_timeout_cb, self);
}

static void
update_state (XiSendingPage *self)
{
  XiContext *context = context_of (self);
  gboolean queued;
  gboolean prepared;

  if (context == NULL || self->content_stack == NULL)
    return;

  queued = g_list_model_get_n_items (G_LIST_MODEL (self->queue)) > 0;
  prepared = g_list_model_get_n_items (xi_context_get_contacts (context)) > 0 &&
             g_list_model_get_n_items (G_LIST_MODEL (self->audiences)) > 0 &&
             g_list_model_get_n_items (xi_context_get_templates (context)) > 0;

  gtk_stack_set_visible_child_name (self->content_stack, prepared || queued ? "campaigns" : "empty");
  /* Running campaigns come first; without any, a note at the end says
   * where they will be. */
  gtk_widget_set_visible (self->queue_group, queued);
  gtk_widget_set_visible (self->queue_empty, !queued);
}

static gboolean
select_by_id (AdwComboRow *row,
              const char  *id)
{
  GListModel *model = adw_combo_row_get_model (row);
  guint n = model != NULL ? g_list_model_get_n_items (model) : 0;

  for (guint i = 0; i < n && id != NULL; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autofree char *item_id = NULL;

      g_object_get (item, "id", &item_id, NULL);
      if (g_strcmp0 (item_id, id) == 0)
        {
          adw_combo_row_set_selected (row, i);
          return TRUE;
        }
    }
  return FALSE;
}

static char *
dup_selected_id (AdwComboRow *row)
{
  GObject *item = adw_combo_row_get_selected_item (row);
  char *id = NULL;

  if (item != NULL)
    g_object_get (item, "id", &id, NULL);
  return id;
}

static XiJob *
find_job (XiSendingPage *self,
          const char    *job_id)
{
  GListModel *jobs = xi_context_get_jobs (context_of (self));
  guint n = g_list_model_get_n_items (jobs);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(XiJob) job = g_list_model_get_item (jobs, i);

      if (g_strcmp0 (xi_job_get_id (job), job_id) == 0)
        return job;   /* still owned by the model */
    }
  return NULL;
}

/* Campaign commands */

static void
command_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(XiSendingPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiJob) job = NULL;

  job = xi_campaigns_facade_command_finish (XI_CAMPAIGNS_FACADE (object), result, &error);
  if (job == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    xi_page_toast (XI_PAGE (self), _("Could not change the campaign: %s"), error->message);
}

static void
run_command (XiSendingPage *self,
             const char    *job_id,
             XiJobCommand   command)
{
  XiContext *context = context_of (self);

  if (context == NULL)
    return;
  xi_campaigns_facade_command_async (xi_context_get_campaigns (context), job_id, command,
                                     self->cancellable, command_done_cb, g_object_ref (self));
}

static void
cancel_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    XiSendingPage    *self)
{
  /* Answer once: closing the dialog may emit its close response too. */
  g_signal_handlers_disconnect_by_func (dialog, cancel_response_cb, self);
  if (g_str_equal (response, "cancel"))
    run_command (self, g_object_get_data (G_OBJECT (dialog), "job-id"), XI_JOB_COMMAND_CANCEL);
}

static void
job_created_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(XiSendingPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiJob) job = NULL;
  XiCampaignRunner *runner;
  GtkWidget *row;

  job = xi_campaigns_facade_create_finish (XI_CAMPAIGNS_FACADE (object), result, &error);
  if (job == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->creating = FALSE;
  if (job == NULL)
    {
      if (g_error_matches (error, XI_STORE_ERROR, XI_STORE_ERROR_QUOTA))
        {
          GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
          GtkWidget *dialog;

          dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                           _("Not Enough Quota"), error->message);
          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_OK"));
          gtk_window_present (GTK_WINDOW (dialog));
        }
      else
        xi_page_toast (XI_PAGE (self), _("The campaign could not start: %s"), error->message);
      replan (self);
      return;
    }

  /* The queue is at the top; the new campaign is its first row, and the
   * focus goes to it so Ctrl+P and its buttons are at hand. */
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
  row = xi_sending_page_find_job_row (self, xi_job_get_id (job));
  if (row != NULL)
    gtk_widget_grab_focus (row);
  runner = xi_context_get_runner (context_of (self));
  if (runner != NULL)
    {
      xi_campaign_runner_wake (runner);
      xi_page_toast (XI_PAGE (self), _("Started “%s”"), xi_job_get_name (job));
    }
  else
    xi_page_toast (XI_PAGE (self), _("Queued “%s”, but the sending engine is not running"),
                   xi_job_get_name (job));

  /* The quota left has changed. */
  replan (self);
}

/* Callbacks */

static char *
audience_name_cb (GObject  *item,
                  gpointer  user_data)
{
  g_autofree char *name = NULL;

  if (item == NULL)
    return NULL;
  g_object_get (item, "name", &name, NULL);
  if (XI_IS_SEGMENT_ITEM (item))
    /* Translators: a saved segment among the groups a campaign can go to */
    return g_strdup_printf (_("Segment “%s”"), name);
  return g_steal_pointer (&name);
}

static void
form_changed_cb (XiSendingPage *self)
{
  gboolean time_ok = !adw_expander_row_get_enable_expansion (self->schedule_row) || scheduled_at (self) >= 0;

  if (time_ok)
    gtk_widget_remove_css_class (GTK_WIDGET (self->time_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->time_row), "error");
  replan (self);
}

static void
delay_mode_changed_cb (XiSendingPage *self)
{
  gboolean fixed = adw_combo_row_get_selected (self->delay_mode_row) == DELAY_FIXED;

  gtk_widget_set_visible (GTK_WIDGET (self->delay_max_row), !fixed);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->delay_min_row),
                                 fixed ? _("_Wait between messages (seconds)") : _("Shortest _wait (seconds)"));
  form_changed_cb (self);
}

static void
group_selected_cb (XiSendingPage *self)
{
  GObject *item = adw_combo_row_get_selected_item (self->group_row);

  g_clear_pointer (&self->group_id, g_free);
  g_clear_pointer (&self->segment, xi_segment_free);
  g_clear_pointer (&self->segment_ids, g_strfreev);
  if (XI_IS_SEGMENT_ITEM (item))
    self->segment = xi_segment_copy (xi_segment_item_get_segment (XI_SEGMENT_ITEM (item)));
  else
    self->group_id = dup_selected_id (self->group_row);
  g_signal_group_set_target (self->segment_signals, XI_IS_SEGMENT_ITEM (item) ? item : NULL);
  form_changed_cb (self);
}

static void
template_selected_cb (XiSendingPage *self)
{
  g_free (self->template_id);
  self->template_id = dup_selected_id (self->template_row);
  form_changed_cb (self);
}

static gboolean
restore_choices_cb (gpointer user_data)
{
  XiSendingPage *self = user_data;
  g_autofree char *group_id = g_steal_pointer (&self->restore_group_id);
  g_autofree char *template_id = g_steal_pointer (&self->restore_template_id);

  self->restore_source = 0;
  select_by_id (self->group_row, group_id);
  select_by_id (self->template_row, template_id);
  return G_SOURCE_REMOVE;
}

/* Saving a group or template replaces it in its model, and the combo row
 * then selects whatever took its place. Put the user's choice back once
 * the model has settled. Connected before the rows see the change, so the
 * ids are still the user's. */
/* The combo row's labels are made once, when a row is bound, and a
 * rename changes an item in place: putting the part back in its place
 * rebinds its rows, and the selection keeps its item. */
static void
audience_renamed_cb (GObject       *item,
                     GParamSpec    *pspec,
                     XiSendingPage *self)
{
  guint part = XI_IS_SEGMENT_ITEM (item) ? 1 : 0;
  g_autoptr(GListModel) model = NULL;

  if (self->audience_parts == NULL)
    return;
  model = g_list_model_get_item (G_LIST_MODEL (self->audience_parts), part);
  g_list_store_splice (self->audience_parts, part, 1, (gpointer *)&model, 1);
}

static void
follow_audience_names (XiSendingPage *self,
                       GListModel    *model,
                       guint          position,
                       guint          added)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      g_signal_handlers_disconnect_by_func (item, audience_renamed_cb, self);
      g_signal_connect_object (item, "notify::name", G_CALLBACK (audience_renamed_cb), self, 0);
    }
}

static void
audiences_changed_cb (GListModel    *model,
                      guint          position,
                      guint          removed,
                      guint          added,
                      XiSendingPage *self)
{
  follow_audience_names (self, model, position, added);
}

static void
choices_changed_cb (XiSendingPage *self)
{
  if (self->restore_source == 0)
    {
      self->restore_group_id = g_strdup (self->segment != NULL ? self->segment->id : self->group_id);
      self->restore_template_id = g_strdup (self->template_id);
      self->restore_source = g_idle_add (restore_choices_cb, self);
    }
  update_state (self);
}

static void
counts_changed_cb (XiSendingPage *self)
{
  XiContext *context = context_of (self);
  guint contacts, groups, templates;
  g_autofree char *contacts_text = NULL;
  g_autofree char *groups_text = NULL;
  g_autofree char *templates_text = NULL;

  if (context == NULL || self->contacts_row == NULL)
    return;

  contacts = g_list_model_get_n_items (xi_context_get_contacts (context));
  groups = g_list_model_get_n_items (xi_context_get_groups (context));
  templates = g_list_model_get_n_items (xi_context_get_templates (context));

  contacts_text = contacts > 0 ? g_strdup_printf (ngettext ("%u contact", "%u contacts", contacts), contacts)
                               : g_strdup (_("None yet: import them or add them one by one"));
  groups_text = groups > 0 ? g_strdup_printf (ngettext ("%u group", "%u groups", groups), groups)
                           : g_strdup (_("None yet: a group is who a campaign goes to"));
  templates_text = templates > 0 ? g_strdup_printf (ngettext ("%u template", "%u templates", templates), templates)
                                 : g_strdup (_("None yet: a template is the message you send"));

  adw_action_row_set_subtitle (self->contacts_row, contacts_text);
  adw_action_row_set_subtitle (self->groups_row, groups_text);
  adw_action_row_set_subtitle (self->templates_row, templates_text);
  update_state (self);
}

/* The window's win.show-page switches pages; fall back to the
 * application's app.show-page where the window has none. */
static void
row_activated_cb (XiSendingPage *self,
                  AdwActionRow  *row)
{
  const char *page = NULL;

  if (row == self->contacts_row)
    page = "contacts";
  else if (row == self->groups_row)
    page = "groups";
  else if (row == self->templates_row)
    page = "templates";
  else
    g_return_if_reached ();

  if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.show-page", "s", page))
    gtk_widget_activate_action (GTK_WIDGET (self), "app.show-page", "s", page);
}

static gboolean
unfinished_cb (gpointer item,
               gpointer user_data)
{
  return !xi_job_is_finished (item);
}

static gboolean
refilter_cb (gpointer user_data)
{
  XiSendingPage *self = user_data;

  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  gboolean in_queue = focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->queue_list));

  self->refilter_source = 0;
  gtk_filter_changed (GTK_FILTER (self->unfinished), GTK_FILTER_CHANGE_MORE_STRICT);

  /* The row of a campaign that ended (a cancelled one, say) took the
   * focus with it: it goes to the next campaign, or to the form. */
  focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  if (in_queue && (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->queue_list))))
    {
      GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->queue_list, 0);

      gtk_widget_grab_focus (first != NULL ? GTK_WIDGET (first) : GTK_WIDGET (self->group_row));
    }
  return G_SOURCE_REMOVE;
}

/* A finished campaign leaves the queue. Deferred: the job is in the
 * middle of notifying, and its row would be destroyed under it. */
static void
job_state_changed_cb (XiSendingPage *self)
{
  if (self->refilter_source == 0)
    self->refilter_source = g_idle_add (refilter_cb, self);
}

static GtkWidget *
create_job_row_cb (gpointer item,
                   gpointer user_data)
{
  XiSendingPage *self = user_data;

  g_signal_handlers_disconnect_by_func (item, job_state_changed_cb, self);
  g_signal_connect_object (item, "notify::state", G_CALLBACK (job_state_changed_cb), self, G_CONNECT_SWAPPED);
  return xi_job_row_new (item);
}

static void
queue_changed_cb (XiSendingPage *self)
{
  update_state (self);
}

static void
progress_cb (XiSendingPage *self,
             XiJobProgress *progress)
{
  GtkWidget *row = xi_sending_page_find_job_row (self, progress->job_id);

  if (row != NULL)
    xi_job_row_set_progress (XI_JOB_ROW (row), progress);
}

static void
runner_changed_cb (XiSendingPage *self)
{
  XiCampaignRunner *runner = xi_context_get_runner (context_of (self));

  if (runner != NULL)
    g_signal_connect_object (runner, "progress", G_CALLBACK (progress_cb), self, G_CONNECT_SWAPPED);
}

/* A campaign goes to people only through a linked account: until there
 * is one, the only campaign there can be is a rehearsal, and the page
 * says why the switch is locked. Once linked, a campaign is for real
 * unless the user asks for a rehearsal. */
static void
linked_changed_cb (XiSendingPage *self)
{
  XiConnection *connection = xi_context_get_connection (context_of (self));
  gboolean linked = connection != NULL && xi_connection_is_linked (connection);
  gboolean was_sensitive = gtk_widget_get_sensitive (GTK_WIDGET (self->rehearse_row));

  gtk_widget_set_visible (self->rehearsal_box, !linked);
  gtk_widget_set_sensitive (GTK_WIDGET (self->rehearse_row), linked);
  if (linked)
    {
      adw_action_row_set_subtitle (self->rehearse_row,
                                   _("Messages are recorded on this computer instead of going to WhatsApp: "
                                     "a way to try the pace and the texts first"));
      if (!was_sensitive)
        gtk_switch_set_active (self->rehearse_switch, FALSE);
    }
  else
    {
      adw_action_row_set_subtitle (self->rehearse_row,
                                   _("Always on while no WhatsApp account is linked"));
      gtk_switch_set_active (self->rehearse_switch, TRUE);
    }
}

static void
connection_changed_cb (XiSendingPage *self)
{
  XiConnection *connection = xi_context_get_connection (context_of (self));

  if (connection != NULL)
    g_signal_connect_object (connection, "notify::linked", G_CALLBACK (linked_changed_cb), self,
                             G_CONNECT_SWAPPED);
  linked_changed_cb (self);
}

typedef struct
{
  XiSendingPage *self;
  XiJobSpec     *spec;
  char          *segment_name;
} StartOp;

static void
start_op_free (StartOp *op)
{
  g_object_unref (op->self);
  xi_job_spec_free (op->spec);
  g_free (op->segment_name);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StartOp, start_op_free)

/* The segment as it is when the campaign is created decides who gets it,
 * whatever the plan counted a moment ago. */
static void
segment_reevaluated_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(StartOp) op = user_data;
  g_auto(GStrv) ids = NULL;
  g_autoptr(GError) error = NULL;
  XiSendingPage *self = op->self;

  ids = xi_store_filter_contact_ids_finish (XI_STORE (object), result, &error);
  if (ids == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (ids == NULL || ids[0] == NULL)
    {
      self->creating = FALSE;
      if (ids == NULL)
        xi_page_toast (XI_PAGE (self), _("The campaign could not start: %s"), error->message);
      else
        xi_page_toast (XI_PAGE (self), _("No contact matches segment “%s” now; nothing to send."),
                       op->segment_name);
      replan (self);
      return;
    }

  g_strfreev (op->spec->contact_ids);
  op->spec->contact_ids = g_steal_pointer (&ids);
  xi_campaigns_facade_create_async (xi_context_get_campaigns (context_of (self)), op->spec,
                                    self->cancellable, job_created_cb, g_object_ref (self));
}

static void
start_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   XiSendingPage    *self)
{
  XiJobSpec *spec = g_object_get_data (G_OBJECT (dialog), "spec");

  if (!g_str_equal (response, "start") || self->creating)
    return;

  self->creating = TRUE;
  update_start (self);
  if (self->segment != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(XiContactFilter) filter = xi_segment_get_filter (self->segment, &error);
      StartOp *op;

      if (filter == NULL)
        {
          self->creating = FALSE;
          xi_page_toast (XI_PAGE (self), _("The campaign could not start: %s"), error->message);
          update_start (self);
          return;
        }
      op = g_new0 (StartOp, 1);
      op->self = g_object_ref (self);
      op->spec = xi_job_spec_copy (spec);
      op->segment_name = g_strdup (self->segment->name);
      xi_store_filter_contact_ids_async (xi_context_get_store (context_of (self)), filter, self->cancellable,
                                      segment_reevaluated_cb, op);
      return;
    }
  xi_campaigns_facade_create_async (xi_context_get_campaigns (context_of (self)), spec,
                                    self->cancellable, job_created_cb, g_object_ref (self));
}

/* Sending to a whole audience cannot be taken back, so it is confirmed
 * with what it will cost: who, how long, how much quota. Cancel is the
 * default, so a Return meant for the form never starts a send. */
static void
confirm_start (XiSendingPage *self,
               XiJobSpec     *spec)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const XiJobPlan *plan = self->plan;
  gboolean rehearsal = g_strcmp0 (spec->transport, XI_JOB_TRANSPORT_LOOPBACK) == 0;
  g_autofree char *count = xi_format_count (plan->eligible);
  g_autofree char *heading = NULL;
  g_autofree char *duration = NULL;
  g_autofree char *ends = NULL;
  g_autofree char *used = NULL;
  g_autofree char *left = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  gint64 estimate_ms;
  gint64 begins;
  guint skipped = 0;
  GtkWidget *dialog;

  for (guint i = 0; i < G_N_ELEMENTS (plan->skipped); i++)
    skipped += plan->skipped[i];

  heading = rehearsal
            /* Translators: %s is a number such as 1,250 */
            ? g_strdup_printf (ngettext ("Rehearse Sending to %s Customer?",
                                         "Rehearse Sending to %s Customers?", plan->eligible), count)
            /* Translators: %s is a number such as 1,250 */
            : g_strdup_printf (ngettext ("Send to %s Customer?", "Send to %s Customers?",
                                         plan->eligible), count);

  if (self->segment != NULL)
    /* Translators: before a campaign to a saved segment starts */
    g_string_append_printf (body, _("Segment “%s” is looked up again as the campaign is created: "
                                    "it goes to whoever matches then. "), self->segment->name);
  if (skipped > 0)
    {
      g_autofree char *skipped_text = xi_format_count (skipped);

      if (self->segment != NULL)
        /* Translators: %s is a number such as 1,250 */
        g_string_append_printf (body, ngettext ("%s contact of the segment is skipped. ",
                                                "%s contacts of the segment are skipped. ", skipped),
                                skipped_text);
      else
        /* Translators: %s is a number such as 1,250 */
        g_string_append_printf (body, ngettext ("%s contact of the group is skipped. ",
                                                "%s contacts of the group are skipped. ", skipped),
                                skipped_text);
    }

  estimate_ms = xi_job_estimate_ms (plan->eligible, spec->delay_min_ms, spec->delay_max_ms,
                                    spec->batch_size, spec->batch_rest_ms, spec->daily_cap, 0);
  begins = spec->scheduled_at > 0 ? spec->scheduled_at : g_get_real_time () / G_USEC_PER_SEC;
  ends = xi_format_clock (begins + estimate_ms / 1000);
  if (plan->eligible > 1)
    {
      duration = xi_format_duration (estimate_ms);
      /* Translators: "At the pace you chose, sending takes about 2 hours and
       * ends around 14:32." */
      g_string_append_printf (body, _("At the pace you chose, sending takes %s and ends around %s."),
                              duration, ends);
    }
  else if (spec->scheduled_at > 0)
    /* Translators: %s is a time such as 14:32 */
    g_string_append_printf (body, _("The message is sent at %s."), ends);
  else
    g_string_append (body, _("The message is sent right away."));
  g_string_append_c (body, '\n');

  used = xi_format_count (plan->eligible);
  left = xi_format_count (plan->quota_available);
  /* Translators: "It uses 1,250 of the 4,000 messages left this month." */
  g_string_append_printf (body, ngettext ("It uses %s of the %s message left this month.",
                                          "It uses %s of the %s messages left this month.",
                                          plan->quota_available),
                          used, left);
  if (rehearsal)
    g_string_append (body, _(" This is a rehearsal: nothing reaches WhatsApp, every message "
                             "is written to the rehearsal journal."));

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "start", rehearsal ? _("_Rehearse") : _("_Start Sending"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "start", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "spec", spec, (GDestroyNotify)xi_job_spec_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (start_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Actions */

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  XiSendingPage *self = XI_SENDING_PAGE (widget);
  GtkSpinButton *spins[] = {
    self->delay_min_spin, self->delay_max_spin, self->batch_size_spin,
    self->batch_rest_spin, self->daily_cap_spin,
  };
  g_autoptr(XiJobSpec) spec = NULL;

  /* A number still being typed counts only once committed; committing
   * one changes the form, and the new plan must be seen first. */
  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    gtk_spin_button_update (spins[i]);

  if (self->creating || self->plan == NULL || (spec = build_spec (self)) == NULL)
    return;

  spec->start = TRUE;
  confirm_start (self, g_steal_pointer (&spec));
}

static void
pause_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  run_command (XI_SENDING_PAGE (widget), g_variant_get_string (parameter, NULL), XI_JOB_COMMAND_PAUSE);
}

static void
resume_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiSendingPage *self = XI_SENDING_PAGE (widget);
  const char *job_id = g_variant_get_string (parameter, NULL);
  XiJob *job = find_job (self, job_id);

  /* A campaign created without starting is started, not resumed. */
  run_command (self, job_id, job != NULL && !xi_job_is_started (job)
                             ? XI_JOB_COMMAND_START : XI_JOB_COMMAND_RESUME);
}

static gboolean
command_fits (XiJob        *job,
              XiJobCommand  command)
{
  XiJobState state = xi_job_get_state (job);

  switch (command)
    {
    case XI_JOB_COMMAND_PAUSE:
      return state == XI_JOB_STATE_PENDING || state == XI_JOB_STATE_PROCESSING ||
             state == XI_JOB_STATE_RETRYING;
    case XI_JOB_COMMAND_RESUME:
      return state == XI_JOB_STATE_PAUSED;
    case XI_JOB_COMMAND_CANCEL:
      return !xi_job_is_finished (job);
    case XI_JOB_COMMAND_START:
    default:
      return FALSE;
    }
}

/* The campaign a shortcut means: the one whose row has the focus, or
 * else the first in the queue the command fits (the one sending, for
 * Pause), so the shortcut works wherever the focus is on this page. */
static XiJob *
keyboard_job (XiSendingPage *self,
              XiJobCommand   command)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *row = focus != NULL ? gtk_widget_get_ancestor (focus, XI_TYPE_JOB_ROW) : NULL;
  GListModel *queue = G_LIST_MODEL (self->queue);

  if (row != NULL && gtk_widget_is_ancestor (row, GTK_WIDGET (self->queue_list)))
    {
      XiJob *job = xi_job_row_get_job (XI_JOB_ROW (row));

      return command_fits (job, command) ? job : NULL;
    }
  for (guint i = 0; i < g_list_model_get_n_items (queue); i++)
    {
      g_autoptr(XiJob) job = g_list_model_get_item (queue, i);

      if (command_fits (job, command))
        return job;   /* still owned by the model */
    }
  return NULL;
}

/* Pause, Resume and Cancel from the keyboard, as the row's buttons. */
static void
keyboard_command_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  static const struct { const char *name; XiJobCommand command; const char *action; } commands[] = {
    { "sending.pause-selected", XI_JOB_COMMAND_PAUSE, "sending.pause" },
    { "sending.resume-selected", XI_JOB_COMMAND_RESUME, "sending.resume" },
    { "sending.cancel-selected", XI_JOB_COMMAND_CANCEL, "sending.cancel" },
  };
  XiSendingPage *self = XI_SENDING_PAGE (widget);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      XiJob *job;

      if (!g_str_equal (action_name, commands[i].name))
        continue;
      if ((job = keyboard_job (self, commands[i].command)) != NULL)
        gtk_widget_activate_action (widget, commands[i].action, "s", xi_job_get_id (job));
      else
        gtk_widget_error_bell (widget);
      return;
    }
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiSendingPage *self = XI_SENDING_PAGE (widget);
  const char *job_id = g_variant_get_string (parameter, NULL);
  XiJob *job = find_job (self, job_id);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  guint remaining;

  if (job == NULL)
    return;

  remaining = xi_job_get_remaining (job);
  body = g_strdup_printf (ngettext ("“%s” stops for good. The %u message not sent yet is skipped, "
                                    "and the quota it holds is given back.",
                                    "“%s” stops for good. The %u messages not sent yet are skipped, "
                                    "and the quota they hold is given back.", remaining),
                          xi_job_get_name (job), remaining);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Cancel the Campaign?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "keep", _("_Keep It"),
                                    "cancel", _("_Cancel Campaign"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "cancel", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_object_set_data_full (G_OBJECT (dialog), "job-id", g_strdup (job_id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (cancel_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  XiSendingPage *self = XI_SENDING_PAGE (widget);

  if (g_str_equal (gtk_stack_get_visible_child_name (self->content_stack), "campaigns"))
    gtk_widget_grab_focus (GTK_WIDGET (self->group_row));
}

/* Life cycle */

static void
xi_sending_page_context_set (XiPage    *page,
                             XiContext *context)
{
  XiSendingPage *self = XI_SENDING_PAGE (page);
  GListModel *groups = xi_context_get_groups (context);
  GListModel *templates = xi_context_get_templates (context);
  GListModel *segments = xi_facade_get_model (XI_FACADE (xi_context_get_segments_facade (context)));

  /* Groups first, then the segments, in one row. */
  self->audience_parts = g_list_store_new (G_TYPE_LIST_MODEL);
  g_list_store_append (self->audience_parts, groups);
  g_list_store_append (self->audience_parts, segments);
  self->audiences = gtk_flatten_list_model_new (g_object_ref (G_LIST_MODEL (self->audience_parts)));
  follow_audience_names (self, groups, 0, g_list_model_get_n_items (groups));
  follow_audience_names (self, segments, 0, g_list_model_get_n_items (segments));
  g_signal_connect_object (groups, "items-changed", G_CALLBACK (audiences_changed_cb), self, 0);
  g_signal_connect_object (segments, "items-changed", G_CALLBACK (audiences_changed_cb), self, 0);

  /* Before the rows get the models: see choices_changed_cb(). */
  g_signal_connect_object (groups, "items-changed", G_CALLBACK (choices_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (segments, "items-changed", G_CALLBACK (choices_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (templates, "items-changed", G_CALLBACK (choices_changed_cb), self, G_CONNECT_SWAPPED);

  adw_combo_row_set_expression (self->group_row,
                                gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                                             G_CALLBACK (audience_name_cb), NULL, NULL));
  adw_combo_row_set_model (self->group_row, G_LIST_MODEL (self->audiences));
  adw_combo_row_set_expression (self->template_row, gtk_property_expression_new (XI_TYPE_TEMPLATE, NULL, "name"));
  adw_combo_row_set_model (self->template_row, templates);

  self->queue = gtk_filter_list_model_new (g_object_ref (xi_context_get_jobs (context)),
                                           GTK_FILTER (g_object_ref (self->unfinished)));
  gtk_list_box_bind_model (self->queue_list, G_LIST_MODEL (self->queue), create_job_row_cb, self, NULL);
  g_signal_connect_object (self->queue, "items-changed", G_CALLBACK (queue_changed_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (xi_context_get_contacts (context), "items-changed",
                           G_CALLBACK (counts_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (groups, "items-changed", G_CALLBACK (counts_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (templates, "items-changed", G_CALLBACK (counts_changed_cb), self, G_CONNECT_SWAPPED);
  /* Opt-outs and new members change who gets the campaign. */
  g_signal_connect_object (xi_context_get_contacts (context), "items-changed",
                           G_CALLBACK (replan), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (context, "notify::runner", G_CALLBACK (runner_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (context, "notify::connection", G_CALLBACK (connection_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (context, "loaded", G_CALLBACK (replan), self, G_CONNECT_SWAPPED);

  gtk_spin_button_set_value (self->delay_min_spin,
                             g_settings_get_uint (xi_context_get_settings (context), "default-delay-min"));
  gtk_spin_button_set_value (self->delay_max_spin,
                             g_settings_get_uint (xi_context_get_settings (context), "default-delay-max"));

  runner_changed_cb (self);
  connection_changed_cb (self);
  group_selected_cb (self);
  template_selected_cb (self);
  counts_changed_cb (self);
}

static void
xi_sending_page_dispose (GObject *object)
{
  XiSendingPage *self = (XiSendingPage *)object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->plan_cancellable);
  g_clear_handle_id (&self->plan_source, g_source_remove);
  g_clear_handle_id (&self->restore_source, g_source_remove);
  g_clear_handle_id (&self->refilter_source, g_source_remove);

  /* AdwBin 1.2 unparents its child in its own dispose: let go of it
   * first, so the template teardown does not unparent it twice. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), XI_TYPE_SENDING_PAGE);

  g_clear_object (&self->queue);
  g_clear_object (&self->unfinished);
  g_clear_object (&self->audiences);
  g_clear_object (&self->audience_parts);
  g_signal_group_set_target (self->segment_signals, NULL);

  G_OBJECT_CLASS (xi_sending_page_parent_class)->dispose (object);
}

static void
xi_sending_page_finalize (GObject *object)
{
  XiSendingPage *self = (XiSendingPage *)object;

  g_clear_pointer (&self->plan, xi_job_plan_free);
  g_clear_object (&self->plan_cancellable);
  g_clear_object (&self->cancellable);
  g_free (self->group_id);
  g_clear_pointer (&self->segment, xi_segment_free);
  g_clear_object (&self->segment_signals);
  g_strfreev (self->segment_ids);
  g_free (self->template_id);
  g_free (self->restore_group_id);
  g_free (self->restore_template_id);

  G_OBJECT_CLASS (xi_sending_page_parent_class)->finalize (object);
}

static void
xi_sending_page_class_init (XiSendingPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_sending_page_dispose;
  object_class->finalize = xi_sending_page_finalize;
  XI_PAGE_CLASS (klass)->context_set = xi_sending_page_context_set;

  g_type_ensure (XI_TYPE_JOB_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-sending-page.ui");
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, contacts_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, groups_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, templates_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, group_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, template_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, variant_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, delay_mode_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, delay_min_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, delay_max_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, delay_min_spin);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, delay_max_spin);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, batch_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, batch_size_spin);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, batch_rest_spin);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, daily_cap_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, daily_cap_spin);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, schedule_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, rehearse_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, rehearse_switch);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, rehearsal_box);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, day_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, time_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, recipients_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, skipped_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, quota_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, missing_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, samples_box);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, queue_group);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, queue_list);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, queue_empty);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, form_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, delay_mode_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, group_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, template_selected_cb);

  gtk_widget_class_install_action (widget_class, "sending.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "sending.pause", "s", pause_action);
  gtk_widget_class_install_action (widget_class, "sending.resume", "s", resume_action);
  gtk_widget_class_install_action (widget_class, "sending.cancel", "s", cancel_action);
  gtk_widget_class_install_action (widget_class, "page.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "sending.pause-selected", NULL, keyboard_command_action);
  gtk_widget_class_install_action (widget_class, "sending.resume-selected", NULL, keyboard_command_action);
  gtk_widget_class_install_action (widget_class, "sending.cancel-selected", NULL, keyboard_command_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "sending.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "sending.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "sending.pause-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "sending.resume-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, GDK_CONTROL_MASK, "sending.cancel-selected",
                                       NULL);
}

static void
xi_sending_page_init (XiSendingPage *self)
{
  /* Before the template: choosing an audience sets its target. */
  self->segment_signals = g_signal_group_new (XI_TYPE_SEGMENT_ITEM);
  g_signal_group_connect_swapped (self->segment_signals, "notify", G_CALLBACK (group_selected_cb), self);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->unfinished = gtk_custom_filter_new (unfinished_cb, NULL, NULL);

  /* The anti-ban defaults, as the command line has them; the delay is
   * replaced by the one chosen in Preferences once the context is set. */
  gtk_spin_button_set_value (self->delay_min_spin, XI_JOB_SPEC_DEFAULT_DELAY_MIN_MS / 1000);
  gtk_spin_button_set_value (self->delay_max_spin, XI_JOB_SPEC_DEFAULT_DELAY_MAX_MS / 1000);
  gtk_spin_button_set_value (self->batch_size_spin, XI_JOB_SPEC_DEFAULT_BATCH_SIZE);
  gtk_spin_button_set_value (self->batch_rest_spin, XI_JOB_SPEC_DEFAULT_BATCH_REST_MS / 60000);

  show_plan (self, _("Pick a group and a template to see who gets the message"));
}

/* Public API */

/* Chooses the group the campaign goes to, as if picked in the form. */
gboolean
xi_sending_page_select_group (XiSendingPage *self,
                              const char    *group_id)
{
  g_return_val_if_fail (XI_IS_SENDING_PAGE (self), FALSE);
  return select_by_id (self->group_row, group_id);
}

gboolean
xi_sending_page_select_template (XiSendingPage *self,
                                 const char    *template_id)
{
  g_return_val_if_fail (XI_IS_SENDING_PAGE (self), FALSE);
  return select_by_id (self->template_row, template_id);
}

/**
 * xi_sending_page_set_delay:
 * @self: a #XiSendingPage
 * @min_seconds: the shortest wait between two messages
 * @max_seconds: the longest; equal to @min_seconds for a fixed wait
 */
void
xi_sending_page_set_delay (XiSendingPage *self,
                           guint          min_seconds,
                           guint          max_seconds)
{
  g_return_if_fail (XI_IS_SENDING_PAGE (self));

  adw_combo_row_set_selected (self->delay_mode_row, min_seconds == max_seconds ? DELAY_FIXED : DELAY_RANDOM);
  gtk_spin_button_set_value (self->delay_min_spin, min_seconds);
  gtk_spin_button_set_value (self->delay_max_spin, max_seconds);
}

/**
 * xi_sending_page_set_batch:
 * @self: a #XiSendingPage
 * @size: rest after this many messages; 0 for no rest
 * @rest_minutes: how long
 */
void
xi_sending_page_set_batch (XiSendingPage *self,
                           guint          size,
                           guint          rest_minutes)
{
  g_return_if_fail (XI_IS_SENDING_PAGE (self));

  adw_expander_row_set_enable_expansion (self->batch_row, size > 0);
  if (size > 0)
    {
      gtk_spin_button_set_value (self->batch_size_spin, size);
      gtk_spin_button_set_value (self->batch_rest_spin, rest_minutes);
    }
}

/**
 * xi_sending_page_dup_spec:
 * @self: a #XiSendingPage
 *
 * Returns: (transfer full) (nullable): the campaign the form describes,
 *   or %NULL while it is incomplete
 */
XiJobSpec *
xi_sending_page_dup_spec (XiSendingPage *self)
{
  g_return_val_if_fail (XI_IS_SENDING_PAGE (self), NULL);
  return build_spec (self);
}

/**
 * xi_sending_page_get_plan:
 * @self: a #XiSendingPage
 *
 * Returns: (transfer none) (nullable): the plan shown, or %NULL while the
 *   form is incomplete or a new plan is being computed
 */
const XiJobPlan *
xi_sending_page_get_plan (XiSendingPage *self)
{
  g_return_val_if_fail (XI_IS_SENDING_PAGE (self), NULL);
  return self->plan;
}

/**
 * xi_sending_page_find_job_row:
 * @self: a #XiSendingPage
 * @job_id: a campaign
 *
 * Returns: (transfer none) (nullable): the queue's #XiJobRow for it
 */
GtkWidget *
xi_sending_page_find_job_row (XiSendingPage *self,
                              const char    *job_id)
{
  g_return_val_if_fail (XI_IS_SENDING_PAGE (self), NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->queue_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (XI_IS_JOB_ROW (child) && g_strcmp0 (xi_job_get_id (xi_job_row_get_job (XI_JOB_ROW (child))), job_id) == 0)
      return child;
  return NULL;
}

/**
 * xi_sending_page_set_rehearse:
 * @rehearse: whether the next campaign is a rehearsal
 *
 * Flips the "Rehearse only" switch, as the user would.
 *
 * Returns: whether the switch could be changed (it is locked on while no
 *   WhatsApp account is linked)
 */
gboolean
xi_sending_page_set_rehearse (XiSendingPage *self,
                              gboolean       rehearse)
{
  g_return_val_if_fail (XI_IS_SENDING_PAGE (self), FALSE);

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->rehearse_row)))
    return FALSE;
  gtk_switch_set_active (self->rehearse_switch, rehearse);
  return TRUE;
}
