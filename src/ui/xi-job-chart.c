/* xi-job-chart.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-job-chart"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-format.h"
#include "xi-job-chart.h"

/* A campaign's messages over time: sent, delivered and read per interval
 * as three lines, drawn with cairo through GtkSnapshot. The numbers are
 * also words: #XiJobChart:description says what the chart shows (the
 * whole, or the interval chosen with the arrow keys or a click), and is
 * the chart's accessible description. Main thread only. */
struct _XiJobChart
{
  GtkWidget      parent_instance;

  XiJobTimeline *timeline;
  int            selected;      /* an interval, or -1 */
  char          *description;
};

G_DEFINE_FINAL_TYPE (XiJobChart, xi_job_chart, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_DESCRIPTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define MARGIN_LEFT 44.0
#define MARGIN_RIGHT 12.0
#define MARGIN_TOP 22.0
#define MARGIN_BOTTOM 22.0

/* The GNOME palette, as the funnel bar: blue 1 sent, blue 3 delivered,
 * green 5 read. */
static const char * const colours[] = { "#99c1f1", "#3584e4", "#26a269" };

/* Auxiliary methods */

static guint
value_at (XiJobTimeline *timeline,
          guint          series,
          guint          i)
{
  const guint *values[] = { timeline->sent, timeline->delivered, timeline->read };

  return values[series][i];
}

static guint
largest (XiJobTimeline *timeline)
{
  guint most = 0;

  for (guint i = 0; i < timeline->n_intervals; i++)
    for (guint s = 0; s < 3; s++)
      most = MAX (most, value_at (timeline, s, i));
  return most;
}

/* A round number at or above @n for the top of the scale. */
static guint
nice_ceiling (guint n)
{
  guint step = 1;

  while (step * 10 <= n)
    step *= 10;
  for (guint k = 1; k <= 10; k++)
    if (step * k >= n)
      return MAX (step * k, 1);
  return n;
}

static char *
describe_interval (XiJobChart *self,
                   guint       i)
{
  XiJobTimeline *timeline = self->timeline;
  gint64 from = timeline->start + (gint64)i * timeline->interval;
  g_autofree char *start = xi_format_clock (from);
  g_autofree char *end = xi_format_clock (from + timeline->interval);
  g_autofree char *sent = xi_format_count (timeline->sent[i]);
  g_autofree char *delivered = xi_format_count (timeline->delivered[i]);
  g_autofree char *read = xi_format_count (timeline->read[i]);

  /* Translators: one interval of the chart: its start and end, then counts */
  return g_strdup_printf (_("%s–%s: %s sent, %s delivered, %s read"), start, end, sent, delivered, read);
}

static char *
describe_all (XiJobChart *self)
{
  XiJobTimeline *timeline = self->timeline;
  guint totals[3] = { 0, 0, 0 };
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  g_autofree char *sent = NULL;
  g_autofree char *delivered = NULL;
  g_autofree char *read = NULL;

  if (timeline == NULL || timeline->n_intervals == 0)
    return g_strdup (_("Nothing sent yet."));
  for (guint i = 0; i < timeline->n_intervals; i++)
    for (guint s = 0; s < 3; s++)
      totals[s] += value_at (timeline, s, i);
  start = xi_format_clock (timeline->start);
  end = xi_format_clock (timeline->start + (gint64)timeline->n_intervals * timeline->interval);
  sent = xi_format_count (totals[0]);
  delivered = xi_format_count (totals[1]);
  read = xi_format_count (totals[2]);
  /* Translators: the whole chart: from when to when, then counts */
  return g_strdup_printf (_("%s–%s: %s sent, %s delivered, %s read. Use the arrow keys to read each interval."),
                          start, end, sent, delivered, read);
}

static void
update_description (XiJobChart *self)
{
  g_free (self->description);
  if (self->timeline != NULL && self->selected >= 0)
    self->description = describe_interval (self, (guint)self->selected);
  else
    self->description = describe_all (self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  self->description, -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DESCRIPTION]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
draw_text (GtkWidget  *widget,
           cairo_t    *cr,
           const char *text,
           double      x,
           double      y,
           double      align)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  int width, height;

  pango_layout_get_pixel_size (layout, &width, &height);
  cairo_move_to (cr, x - width * align, y - height / 2.0);
  pango_cairo_show_layout (cr, layout);
}

/* Callbacks */

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                XiJobChart            *self)
{
  int last = self->timeline != NULL ? (int)self->timeline->n_intervals - 1 : -1;

  if (last < 0)
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      xi_job_chart_select (self, self->selected < 0 ? last : MAX (self->selected - 1, 0));
      return TRUE;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      xi_job_chart_select (self, self->selected < 0 ? 0 : MIN (self->selected + 1, last));
      return TRUE;
    case GDK_KEY_Home:
      xi_job_chart_select (self, 0);
      return TRUE;
    case GDK_KEY_End:
      xi_job_chart_select (self, last);
      return TRUE;
    case GDK_KEY_Escape:
      if (self->selected < 0)
        return FALSE;
      xi_job_chart_select (self, -1);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            XiJobChart      *self)
{
  double plot = gtk_widget_get_width (GTK_WIDGET (self)) - MARGIN_LEFT - MARGIN_RIGHT;
  int n = self->timeline != NULL ? (int)self->timeline->n_intervals : 0;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (n == 0 || plot <= 0)
    return;
  xi_job_chart_select (self, CLAMP ((int)((x - MARGIN_LEFT) / plot * n), 0, n - 1));
}

/* vfuncs */

static void
xi_job_chart_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  XiJobChart *self = XI_JOB_CHART (widget);
  XiJobTimeline *timeline = self->timeline;
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  double plot_w = width - MARGIN_LEFT - MARGIN_RIGHT;
  double plot_h = height - MARGIN_TOP - MARGIN_BOTTOM;
  GdkRGBA fg;
  cairo_t *cr;
  guint top, n;
  double step;

  if (plot_w <= 0 || plot_h <= 0)
    return;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  n = timeline != NULL ? timeline->n_intervals : 0;
  top = nice_ceiling (n > 0 ? largest (timeline) : 0);
  step = n > 0 ? plot_w / n : plot_w;

  /* The scale: three lines with their numbers. */
  cairo_set_line_width (cr, 1);
  for (guint k = 0; k <= 2; k++)
    {
      double y = MARGIN_TOP + plot_h - plot_h * k / 2.0;
      g_autofree char *label = xi_format_count (top * k / 2);

      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.15);
      cairo_move_to (cr, MARGIN_LEFT, (int)y + 0.5);
      cairo_line_to (cr, MARGIN_LEFT + plot_w, (int)y + 0.5);
      cairo_stroke (cr);
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.6);
      draw_text (widget, cr, label, MARGIN_LEFT - 6, y, 1.0);
    }

  if (n > 0)
    {
      g_autofree char *start = xi_format_clock (timeline->start);
      g_autofree char *end = xi_format_clock (timeline->start + (gint64)n * timeline->interval);

      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.6);
      draw_text (widget, cr, start, MARGIN_LEFT, height - MARGIN_BOTTOM / 2, 0.0);
      draw_text (widget, cr, end, MARGIN_LEFT + plot_w, height - MARGIN_BOTTOM / 2, 1.0);
    }

  /* The interval chosen, behind the lines. */
  if (self->selected >= 0 && (guint)self->selected < n)
    {
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.08);
      cairo_rectangle (cr, MARGIN_LEFT + step * self->selected, MARGIN_TOP, step, plot_h);
      cairo_fill (cr);
    }

  for (guint s = 0; s < 3 && n > 0; s++)
    {
      GdkRGBA colour;

      gdk_rgba_parse (&colour, colours[s]);
      gdk_cairo_set_source_rgba (cr, &colour);
      cairo_set_line_width (cr, 2);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      for (guint i = 0; i < n; i++)
        {
          double x = MARGIN_LEFT + step * (i + 0.5);
          double y = MARGIN_TOP + plot_h - plot_h * value_at (timeline, s, i) / MAX (top, 1);

          if (i == 0)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
        }
      /* One interval is a point, not a line. */
      if (n == 1)
        cairo_rel_line_to (cr, 0.1, 0);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
      cairo_stroke (cr);
    }

  /* The legend, top right, in the lines' colours. */
  {
    const char *names[] = { _("Sent"), _("Delivered"), _("Read") };
    double x = MARGIN_LEFT + plot_w;

    for (int s = 2; s >= 0; s--)
      {
        g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, names[s]);
        GdkRGBA colour;
        int w, h;

        pango_layout_get_pixel_size (layout, &w, &h);
        x -= w;
        cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.8);
        cairo_move_to (cr, x, MARGIN_TOP / 2 - h / 2.0);
        pango_cairo_show_layout (cr, layout);
        gdk_rgba_parse (&colour, colours[s]);
        gdk_cairo_set_source_rgba (cr, &colour);
        cairo_rectangle (cr, x - 14, MARGIN_TOP / 2 - 4, 10, 8);
        cairo_fill (cr);
        x -= 28;
      }
  }

  cairo_destroy (cr);
}

static void
xi_job_chart_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 240 : 140;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 480 : 160;
}

/* GObject */

static void
xi_job_chart_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  XiJobChart *self = XI_JOB_CHART (object);

  switch (prop_id)
    {
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_job_chart_finalize (GObject *object)
{
  XiJobChart *self = (XiJobChart *)object;

  g_clear_pointer (&self->timeline, xi_job_timeline_free);
  g_free (self->description);

  G_OBJECT_CLASS (xi_job_chart_parent_class)->finalize (object);
}

static void
xi_job_chart_class_init (XiJobChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = xi_job_chart_finalize;
  object_class->get_property = xi_job_chart_get_property;
  widget_class->snapshot = xi_job_chart_snapshot;
  widget_class->measure = xi_job_chart_measure;

  /**
   * XiJobChart:description:
   *
   * What the chart shows, in words: the whole, or the chosen interval.
   */
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "job-chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
xi_job_chart_init (XiJobChart *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  self->selected = -1;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focus_on_click (GTK_WIDGET (self), TRUE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Messages over time"), -1);
  update_description (self);
}

/* Public API */

GtkWidget *
xi_job_chart_new (void)
{
  return g_object_new (XI_TYPE_JOB_CHART, NULL);
}

/**
 * xi_job_chart_set_timeline:
 * @timeline: (nullable): what to draw; copied
 */
void
xi_job_chart_set_timeline (XiJobChart          *self,
                           const XiJobTimeline *timeline)
{
  g_return_if_fail (XI_IS_JOB_CHART (self));

  g_clear_pointer (&self->timeline, xi_job_timeline_free);
  if (timeline != NULL)
    self->timeline = xi_job_timeline_copy (timeline);
  if (self->timeline == NULL || self->selected >= (int)self->timeline->n_intervals)
    self->selected = -1;
  update_description (self);
}

/**
 * xi_job_chart_get_selected:
 *
 * Returns: the interval chosen with the keyboard or a click, or -1
 */
int
xi_job_chart_get_selected (XiJobChart *self)
{
  g_return_val_if_fail (XI_IS_JOB_CHART (self), -1);
  return self->selected;
}

/**
 * xi_job_chart_select:
 * @interval: an interval of the timeline, or -1 for none
 */
void
xi_job_chart_select (XiJobChart *self,
                     int         interval)
{
  g_return_if_fail (XI_IS_JOB_CHART (self));

  if (self->timeline == NULL || interval >= (int)self->timeline->n_intervals)
    interval = -1;
  self->selected = MAX (interval, -1);
  update_description (self);
}

/**
 * xi_job_chart_get_description:
 *
 * Returns: what the chart shows, in words
 */
const char *
xi_job_chart_get_description (XiJobChart *self)
{
  g_return_val_if_fail (XI_IS_JOB_CHART (self), NULL);
  return self->description;
}
