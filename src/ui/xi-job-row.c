/* xi-job-row.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-job-row"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-format.h"
#include "xi-job-row.h"

/*
 * One unfinished campaign in the sending page's queue. The counts come
 * from two sources: the job (changed through "job-changed" and command
 * results) and the runner's coalesced progress snapshots, which also say
 * who is being sent to and when the campaign should end. Either may arrive
 * first, so the row shows the larger of each count.
 *
 * The buttons activate the page's sending.pause/resume/cancel actions with
 * the job id as target, so the row needs no runner of its own.
 */
struct _XiJobRow
{
  GtkListBoxRow   parent_instance;

  /* Template widgets */
  GtkLabel       *name_label;
  GtkLabel       *state_label;
  GtkProgressBar *progress_bar;
  GtkLabel       *counts_label;
  GtkLabel       *detail_label;
  GtkWidget      *pause_button;
  GtkWidget      *resume_button;
  GtkWidget      *cancel_button;

  /* Owned */
  XiJob          *job;
  XiJobProgress  *progress;   /* the latest snapshot for this job, or NULL */
};

G_DEFINE_FINAL_TYPE (XiJobRow, xi_job_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  PROP_0,
  PROP_JOB,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Auxiliary methods */

static char *
describe_activity (XiJobRow *self)
{
  XiJobState state = xi_job_get_state (self->job);
  XiJobProgress *progress = self->progress;
  gint64 scheduled_at = xi_job_get_scheduled_at (self->job);

  if (progress != NULL && progress->resting && progress->next_send_at > 0)
    {
      g_autofree char *until = xi_format_clock (progress->next_send_at / 1000);

      /* Translators: the rest after a batch; %s is a time such as 14:45 */
      return g_strdup_printf (_("Resting until %s"), until);
    }
  else if (progress != NULL && progress->current_name != NULL && progress->finish_estimate > 0)
    {
      g_autofree char *finish = xi_format_clock (progress->finish_estimate);

      /* Translators: %s is a customer's name, then a time such as 14:32 */
      return g_strdup_printf (_("Next: %s · done around %s"), progress->current_name, finish);
    }
  else if (progress != NULL && progress->current_name != NULL)
    return g_strdup_printf (_("Next: %s"), progress->current_name);

  switch (state)
    {
    case XI_JOB_STATE_PROCESSING:
      return g_strdup ("");

    case XI_JOB_STATE_PENDING:
      if (scheduled_at * 1000 > g_get_real_time () / 1000)
        {
          g_autofree char *at = xi_format_clock (scheduled_at);

          return g_strdup_printf (_("Starts at %s"), at);
        }
      return g_strdup (_("Waiting in the queue"));

    case XI_JOB_STATE_PAUSED:
      return g_strdup (_("Nothing is sent until you resume it"));

    case XI_JOB_STATE_RETRYING:
      return g_strdup (_("Waiting for the connection to come back; nobody is skipped"));

    case XI_JOB_STATE_COMPLETED:
    case XI_JOB_STATE_FAILED:
    case XI_JOB_STATE_CANCELLED:
    default:
      return g_strdup (xi_job_get_last_error (self->job) != NULL ? xi_job_get_last_error (self->job) : "");
    }
}

static GtkWidget *
focused_button (XiJobRow *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if (focus != NULL && (focus == self->pause_button || focus == self->resume_button ||
                        focus == self->cancel_button))
    return focus;
  return NULL;
}

static void
update (XiJobRow *self)
{
  XiJobState state = xi_job_get_state (self->job);
  guint total = xi_job_get_total (self->job);
  guint sent = xi_job_get_sent (self->job);
  guint failed = xi_job_get_failed (self->job);
  guint skipped = xi_job_get_skipped (self->job);
  guint done;
  g_autofree char *counts = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *target = NULL;
  GtkWidget *focus = focused_button (self);

  /* A snapshot is only news while the job may run. */
  if (self->progress != NULL && (state == XI_JOB_STATE_PAUSED || xi_job_is_finished (self->job)))
    g_clear_pointer (&self->progress, xi_job_progress_free);

  if (self->progress != NULL)
    {
      total = MAX (total, self->progress->total);
      sent = MAX (sent, self->progress->sent);
      failed = MAX (failed, self->progress->failed);
      skipped = MAX (skipped, self->progress->skipped);
    }
  done = MIN (total, sent + failed + skipped);

  if (xi_job_is_rehearsal (self->job))
    {
      g_autofree char *name = g_strdup_printf (_("%s (rehearsal)"), xi_job_get_name (self->job));

      gtk_label_set_text (self->name_label, name);
    }
  else
    gtk_label_set_text (self->name_label, xi_job_get_name (self->job));
  gtk_label_set_text (self->state_label, xi_job_state_describe (state));
  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? (double)done / total : 0.0);

  /* Translators: the counts of a running campaign */
  counts = g_strdup_printf (_("%u sent · %u failed · %u skipped · %u remaining"),
                            sent, failed, skipped, total - done);
  gtk_label_set_text (self->counts_label, counts);

  detail = describe_activity (self);
  gtk_label_set_text (self->detail_label, detail);
  gtk_widget_set_visible (GTK_WIDGET (self->detail_label), detail[0] != '\0');

  gtk_widget_set_visible (self->pause_button,
                          state == XI_JOB_STATE_PENDING || state == XI_JOB_STATE_PROCESSING ||
                          state == XI_JOB_STATE_RETRYING);
  gtk_widget_set_visible (self->resume_button, state == XI_JOB_STATE_PAUSED);
  gtk_widget_set_visible (self->cancel_button, !xi_job_is_finished (self->job));

  /* Pause hides itself once it worked, and the focus would fall out of
   * the window: it goes to the button that took its place, Resume (and
   * back), or to the row once the campaign has no buttons left. */
  if (focus != NULL && !gtk_widget_get_visible (focus))
    {
      if (gtk_widget_get_visible (self->resume_button))
        gtk_widget_grab_focus (self->resume_button);
      else if (gtk_widget_get_visible (self->pause_button))
        gtk_widget_grab_focus (self->pause_button);
      else
        gtk_widget_grab_focus (GTK_WIDGET (self));
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "paused");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "sending");
  if (state == XI_JOB_STATE_PAUSED || state == XI_JOB_STATE_RETRYING)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "paused");
  else if (state == XI_JOB_STATE_PROCESSING)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "sending");
}

/* Callbacks */

static void
job_notify_cb (XiJobRow *self)
{
  update (self);
}

/* Life cycle */

static void
xi_job_row_constructed (GObject *object)
{
  XiJobRow *self = (XiJobRow *)object;
  GtkWidget *buttons[] = { self->pause_button, self->resume_button, self->cancel_button };

  G_OBJECT_CLASS (xi_job_row_parent_class)->constructed (object);

  g_return_if_fail (self->job != NULL);

  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    gtk_actionable_set_action_target (GTK_ACTIONABLE (buttons[i]), "s", xi_job_get_id (self->job));
  g_signal_connect_object (self->job, "notify", G_CALLBACK (job_notify_cb), self, G_CONNECT_SWAPPED);
  update (self);
}

static void
xi_job_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), XI_TYPE_JOB_ROW);

  G_OBJECT_CLASS (xi_job_row_parent_class)->dispose (object);
}

static void
xi_job_row_finalize (GObject *object)
{
  XiJobRow *self = (XiJobRow *)object;

  g_clear_object (&self->job);
  g_clear_pointer (&self->progress, xi_job_progress_free);

  G_OBJECT_CLASS (xi_job_row_parent_class)->finalize (object);
}

static void
xi_job_row_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  XiJobRow *self = XI_JOB_ROW (object);

  switch (prop_id)
    {
    case PROP_JOB:
      g_value_set_object (value, self->job);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_job_row_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  XiJobRow *self = XI_JOB_ROW (object);

  switch (prop_id)
    {
    case PROP_JOB:
      self->job = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_job_row_class_init (XiJobRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = xi_job_row_constructed;
  object_class->dispose = xi_job_row_dispose;
  object_class->finalize = xi_job_row_finalize;
  object_class->get_property = xi_job_row_get_property;
  object_class->set_property = xi_job_row_set_property;

  properties[PROP_JOB] =
    g_param_spec_object ("job", NULL, NULL, XI_TYPE_JOB,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-job-row.ui");
  gtk_widget_class_bind_template_child (widget_class, XiJobRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, XiJobRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, XiJobRow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, XiJobRow, counts_label);
  gtk_widget_class_bind_template_child (widget_class, XiJobRow, detail_label);
  gtk_widget_class_bind_template_child (widget_class, XiJobRow, pause_button);
  gtk_widget_class_bind_template_child (widget_class, XiJobRow, resume_button);
  gtk_widget_class_bind_template_child (widget_class, XiJobRow, cancel_button);
}

static void
xi_job_row_init (XiJobRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Public API */

/**
 * xi_job_row_new:
 * @job: an unfinished campaign from the context's jobs model
 *
 * Returns: (transfer floating): a new #XiJobRow
 */
GtkWidget *
xi_job_row_new (XiJob *job)
{
  g_return_val_if_fail (XI_IS_JOB (job), NULL);
  return g_object_new (XI_TYPE_JOB_ROW, "job", job, NULL);
}

XiJob *
xi_job_row_get_job (XiJobRow *self)
{
  g_return_val_if_fail (XI_IS_JOB_ROW (self), NULL);
  return self->job;
}

/**
 * xi_job_row_set_progress:
 * @self: a #XiJobRow
 * @progress: a snapshot of the row's campaign from the runner
 */
void
xi_job_row_set_progress (XiJobRow            *self,
                         const XiJobProgress *progress)
{
  g_return_if_fail (XI_IS_JOB_ROW (self));
  g_return_if_fail (progress != NULL);
  g_return_if_fail (g_strcmp0 (progress->job_id, xi_job_get_id (self->job)) == 0);

  g_clear_pointer (&self->progress, xi_job_progress_free);
  /* The job's own state may not have caught up yet. */
  if (progress->state == XI_JOB_STATE_PROCESSING)
    self->progress = xi_job_progress_copy (progress);
  update (self);
}

/* The state as the row shows it, such as "Paused". */
const char *
xi_job_row_get_status (XiJobRow *self)
{
  g_return_val_if_fail (XI_IS_JOB_ROW (self), NULL);
  return gtk_label_get_text (self->state_label);
}

/* What the campaign is doing now, such as "Resting until 14:45". */
const char *
xi_job_row_get_detail (XiJobRow *self)
{
  g_return_val_if_fail (XI_IS_JOB_ROW (self), NULL);
  return gtk_label_get_text (self->detail_label);
}
