/* xi-funnel-bar.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "xi-funnel-bar.h"

/*
 * A campaign's outcome as one bar: of all its recipients, how many were
 * read, delivered, only sent, failed and skipped, each a stretch of its
 * own colour, and what is still to go left empty. The percentages are in
 * the tooltip and the accessible description, so the bar is never the
 * only way to learn them.
 */

struct _XiFunnelBar
{
  GtkWidget  parent_instance;

  guint      total;
  guint      sent;
  guint      delivered;
  guint      read;
  guint      failed;
  guint      skipped;
};

G_DEFINE_FINAL_TYPE (XiFunnelBar, xi_funnel_bar, GTK_TYPE_WIDGET)

#define BAR_HEIGHT 8

/* The GNOME palette: green 5, blue 3, blue 1, red 3, light 5. */
static const char * const colours[] = { "#26a269", "#3584e4", "#99c1f1", "#e01b24", "#9a9996" };

/* Auxiliary methods */

static guint
percent (guint part,
         guint total)
{
  return total > 0 ? (guint)(((guint64)part * 100 + total / 2) / total) : 0;
}

/* vfuncs */

static void
xi_funnel_bar_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  XiFunnelBar *self = XI_FUNNEL_BAR (widget);
  float width = gtk_widget_get_width (widget);
  float height = gtk_widget_get_height (widget);
  float y = (height - BAR_HEIGHT) / 2;
  guint read = MIN (self->read, self->delivered);
  guint delivered = MIN (self->delivered, self->sent);
  guint parts[] = { read, delivered - read, self->sent - delivered, self->failed, self->skipped };
  GskRoundedRect outline;
  GdkRGBA trough = { 0.5, 0.5, 0.5, 0.18 };
  float x = 0;

  gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (0, y, width, BAR_HEIGHT), BAR_HEIGHT / 2);
  gtk_snapshot_push_rounded_clip (snapshot, &outline);
  gtk_snapshot_append_color (snapshot, &trough, &GRAPHENE_RECT_INIT (0, y, width, BAR_HEIGHT));

  for (guint i = 0; i < G_N_ELEMENTS (parts) && self->total > 0; i++)
    {
      float w = width * parts[i] / self->total;
      GdkRGBA colour;

      if (parts[i] == 0)
        continue;
      gdk_rgba_parse (&colour, colours[i]);
      gtk_snapshot_append_color (snapshot, &colour, &GRAPHENE_RECT_INIT (x, y, MIN (w, width - x), BAR_HEIGHT));
      x += w;
    }

  gtk_snapshot_pop (snapshot);
}

static void
xi_funnel_bar_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 48;
      *natural = 160;
    }
  else
    *minimum = *natural = BAR_HEIGHT + 4;
}

static void
xi_funnel_bar_class_init (XiFunnelBarClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->snapshot = xi_funnel_bar_snapshot;
  widget_class->measure = xi_funnel_bar_measure;
  gtk_widget_class_set_css_name (widget_class, "funnelbar");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
xi_funnel_bar_init (XiFunnelBar *self)
{
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
}

/* Public API */

/**
 * xi_funnel_bar_new:
 *
 * Returns: (transfer floating): an empty bar
 */
GtkWidget *
xi_funnel_bar_new (void)
{
  return g_object_new (XI_TYPE_FUNNEL_BAR, NULL);
}

/**
 * xi_funnel_bar_set_counts:
 * @self: a #XiFunnelBar
 * @total: every recipient
 * @sent: sent, delivered and read ones included
 * @delivered: delivered, read ones included
 * @read: read
 * @failed: given up on
 * @skipped: never sent
 *
 * Shows a campaign's counts.
 */
void
xi_funnel_bar_set_counts (XiFunnelBar *self,
                          guint        total,
                          guint        sent,
                          guint        delivered,
                          guint        read,
                          guint        failed,
                          guint        skipped)
{
  g_autofree char *summary = NULL;

  g_return_if_fail (XI_IS_FUNNEL_BAR (self));

  self->total = MAX (total, sent + failed + skipped);
  self->sent = sent;
  self->delivered = delivered;
  self->read = read;
  self->failed = failed;
  self->skipped = skipped;

  summary = xi_funnel_bar_dup_summary (self);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), summary);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, summary, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * xi_funnel_bar_dup_summary:
 * @self: a #XiFunnelBar
 *
 * Returns: (transfer full): the bar in words, with percentages of every
 *   recipient
 */
char *
xi_funnel_bar_dup_summary (XiFunnelBar *self)
{
  g_return_val_if_fail (XI_IS_FUNNEL_BAR (self), NULL);

  /* Translators: a campaign's funnel as percentages of its recipients */
  return g_strdup_printf (_("Sent %u%% · delivered %u%% · read %u%% · failed %u%% · skipped %u%%"),
                          percent (self->sent, self->total), percent (self->delivered, self->total),
                          percent (self->read, self->total), percent (self->failed, self->total),
                          percent (self->skipped, self->total));
}
