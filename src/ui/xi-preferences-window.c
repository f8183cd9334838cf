/* xi-preferences-window.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-phone.h"
#include "xi-preferences-window.h"

struct _XiPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* Template widgets */
  AdwEntryRow          *country_row;
  GtkLabel             *country_message;
  GtkSpinButton        *delay_min;
  GtkSpinButton        *delay_max;

  /* Owned */
  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (XiPreferencesWindow, xi_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* Only a real calling code is stored; while the user types, the old one
 * stays in effect. */
static void
country_changed_cb (XiPreferencesWindow *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->country_row))));
  const char *code = text[0] == '+' ? text + 1 : text;

  if (self->settings == NULL)
    return;

  if (xi_phone_is_country_code (code))
    {
      g_autofree char *example = g_strdup_printf (_("Numbers such as 0812-3456-7890 are read as +%s 812-3456-7890."),
                                                  code);
      g_settings_set_string (self->settings, "default-country-code", code);
      gtk_label_set_text (self->country_message, example);
      gtk_widget_remove_css_class (GTK_WIDGET (self->country_row), "error");
    }
  else
    {
      gtk_label_set_text (self->country_message,
                          _("Type a country calling code, such as 62 for Indonesia or 60 for Malaysia."));
      gtk_widget_add_css_class (GTK_WIDGET (self->country_row), "error");
    }
}

/* The shortest pause never exceeds the longest. */
static void
delay_changed_cb (XiPreferencesWindow *self,
                  GtkSpinButton       *spin)
{
  int min = gtk_spin_button_get_value_as_int (self->delay_min);
  int max = gtk_spin_button_get_value_as_int (self->delay_max);

  if (min <= max)
    return;
  if (spin == self->delay_min)
    gtk_spin_button_set_value (self->delay_max, min);
  else
    gtk_spin_button_set_value (self->delay_min, max);
}

static void
xi_preferences_window_dispose (GObject *object)
{
  XiPreferencesWindow *self = (XiPreferencesWindow *)object;

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (xi_preferences_window_parent_class)->dispose (object);
}

static void
xi_preferences_window_class_init (XiPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = xi_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, XiPreferencesWindow, country_row);
  gtk_widget_class_bind_template_child (widget_class, XiPreferencesWindow, country_message);
  gtk_widget_class_bind_template_child (widget_class, XiPreferencesWindow, delay_min);
  gtk_widget_class_bind_template_child (widget_class, XiPreferencesWindow, delay_max);
  gtk_widget_class_bind_template_callback (widget_class, country_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, delay_changed_cb);
}

static void
xi_preferences_window_init (XiPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * xi_preferences_window_new:
 * @context: the shared services
 *
 * Returns: (transfer none): the window, owned by GTK until closed
 */
GtkWidget *
xi_preferences_window_new (XiContext *context)
{
  XiPreferencesWindow *self = g_object_new (XI_TYPE_PREFERENCES_WINDOW, NULL);
  g_autofree char *country = xi_context_dup_country_code (context);

  self->settings = g_object_ref (xi_context_get_settings (context));
  gtk_editable_set_text (GTK_EDITABLE (self->country_row), country);
  g_settings_bind (self->settings, "default-delay-min", self->delay_min, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "default-delay-max", self->delay_max, "value", G_SETTINGS_BIND_DEFAULT);

  return GTK_WIDGET (self);
}
