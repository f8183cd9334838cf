/* xi-qr-view.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-qr-view"

#include "config.h"

#include "xi-qr-view.h"
#include "xi-qr.h"

/*
 * Draws a QR code as square modules of a whole number of pixels each,
 * black on white with the quiet zone, whatever the theme: a camera needs
 * contrast and sharp edges, and a dark theme's light-on-dark code is one
 * that some phones do not read. Smaller than it asks to be, it still
 * draws at one pixel per module rather than blurring.
 */

/* Phones scan a code on a laptop screen comfortably from about five
 * pixels a module; four is still fine. Before the first code arrives the
 * space of a typical linking code is kept, so nothing jumps. */
#define MIN_MODULE_PX     4
#define NATURAL_MODULE_PX 5
#define EMPTY_SIDE_PX     300

struct _XiQrView
{
  GtkWidget  parent_instance;

  char      *text;
  XiQrCode  *code;
};

G_DEFINE_FINAL_TYPE (XiQrView, xi_qr_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
xi_qr_view_measure (GtkWidget      *widget,
                    GtkOrientation  orientation,
                    int             for_size,
                    int            *minimum,
                    int            *natural,
                    int            *minimum_baseline,
                    int            *natural_baseline)
{
  XiQrView *self = XI_QR_VIEW (widget);
  int modules;

  if (self->code == NULL)
    {
      *minimum = *natural = EMPTY_SIDE_PX;
      return;
    }
  modules = (int)self->code->size + 2 * XI_QR_QUIET_ZONE;
  *minimum = modules * MIN_MODULE_PX;
  *natural = modules * NATURAL_MODULE_PX;
}

static void
xi_qr_view_snapshot (GtkWidget   *widget,
                     GtkSnapshot *snapshot)
{
  XiQrView *self = XI_QR_VIEW (widget);
  GdkRGBA white = { 1, 1, 1, 1 };
  GdkRGBA black = { 0, 0, 0, 1 };
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int side, modules, module_px, x0, y0;
  cairo_t *cr;

  if (self->code == NULL)
    return;

  modules = (int)self->code->size + 2 * XI_QR_QUIET_ZONE;
  module_px = MAX (MIN (width, height) / modules, 1);
  side = modules * module_px;
  x0 = (width - side) / 2;
  y0 = (height - side) / 2;

  gtk_snapshot_append_color (snapshot, &white, &GRAPHENE_RECT_INIT (x0, y0, side, side));

  /* All dark modules in one path, filled once: rectangles drawn one by
   * one leave faint seams where they meet on a fractional pixel. */
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (x0, y0, side, side));
  for (int y = 0; y < (int)self->code->size; y++)
    {
      int top = y0 + (y + XI_QR_QUIET_ZONE) * module_px;

      for (int x = 0; x < (int)self->code->size; x++)
        {
          int run = 0;

          while (x + run < (int)self->code->size && xi_qr_code_is_dark (self->code, x + run, y))
            run++;
          if (run == 0)
            continue;
          cairo_rectangle (cr, x0 + (x + XI_QR_QUIET_ZONE) * module_px, top, run * module_px, module_px);
          x += run;
        }
    }
  gdk_cairo_set_source_rgba (cr, &black);
  cairo_fill (cr);
  cairo_destroy (cr);
}

static void
xi_qr_view_finalize (GObject *object)
{
  XiQrView *self = (XiQrView *)object;

  g_free (self->text);
  g_clear_pointer (&self->code, xi_qr_code_free);

  G_OBJECT_CLASS (xi_qr_view_parent_class)->finalize (object);
}

static void
xi_qr_view_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  XiQrView *self = XI_QR_VIEW (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_qr_view_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  XiQrView *self = XI_QR_VIEW (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      xi_qr_view_set_text (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_qr_view_class_init (XiQrViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = xi_qr_view_finalize;
  object_class->get_property = xi_qr_view_get_property;
  object_class->set_property = xi_qr_view_set_property;
  widget_class->measure = xi_qr_view_measure;
  widget_class->snapshot = xi_qr_view_snapshot;

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "qrview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
xi_qr_view_init (XiQrView *self)
{
}

GtkWidget *
xi_qr_view_new (void)
{
  return g_object_new (XI_TYPE_QR_VIEW, NULL);
}

/**
 * xi_qr_view_set_text:
 * @text: (nullable): what to encode; %NULL draws nothing
 */
void
xi_qr_view_set_text (XiQrView   *self,
                     const char *text)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (XI_IS_QR_VIEW (self));

  if (g_strcmp0 (self->text, text) == 0)
    return;
  g_free (self->text);
  self->text = g_strdup (text);
  g_clear_pointer (&self->code, xi_qr_code_free);
  if (text != NULL)
    {
      self->code = xi_qr_code_new (text, &error);
      /* The text never leaves this function: it holds key material. */
      if (self->code == NULL)
        g_warning ("Could not draw a linking code: %s", error->message);
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

/**
 * xi_qr_view_get_text:
 *
 * Returns: (nullable): the encoded text
 */
const char *
xi_qr_view_get_text (XiQrView *self)
{
  g_return_val_if_fail (XI_IS_QR_VIEW (self), NULL);
  return self->text;
}
