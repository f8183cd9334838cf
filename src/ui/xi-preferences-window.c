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
  GtkSpinButton        *quota_spin;
  GtkLabel             *quota_message;

  /* Owned */
  GSettings            *settings;
  XiStore              *store;
  GCancellable         *cancellable;
  guint                 quota_save_id;
  gboolean              showing_quota;
};

/* Spin clicks come in bursts; the allowance is stored once they stop. */
#define QUOTA_SAVE_DELAY_MS 600

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
show_quota (XiPreferencesWindow *self,
            XiQuota             *quota)
{
  g_autofree char *message = g_strdup_printf (_("This month: %u sent, %u held by running campaigns, %u left."),
                                              quota->used, quota->reserved, quota->available);

  self->showing_quota = TRUE;
  gtk_spin_button_set_value (self->quota_spin, quota->allowance);
  self->showing_quota = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->quota_spin), TRUE);
  gtk_label_set_text (self->quota_message, message);
}

static void
quota_answered (XiPreferencesWindow *self,
                XiQuota             *quota,
                const GError        *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (quota == NULL)
    gtk_label_set_text (self->quota_message, error->message);
  else
    show_quota (self, quota);
}

static void
quota_loaded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XiQuota) quota = xi_store_get_quota_finish (XI_STORE (object), result, &error);

  quota_answered (user_data, quota, error);
}

static void
quota_saved_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XiQuota) quota = xi_store_set_quota_allowance_finish (XI_STORE (object), result, &error);

  quota_answered (user_data, quota, error);
}

static gboolean
save_quota_cb (gpointer user_data)
{
  XiPreferencesWindow *self = user_data;

  self->quota_save_id = 0;
  xi_store_set_quota_allowance_async (self->store, gtk_spin_button_get_value_as_int (self->quota_spin),
                                      self->cancellable, quota_saved_cb, self);
  return G_SOURCE_REMOVE;
}

static void
quota_changed_cb (XiPreferencesWindow *self)
{
  if (self->showing_quota || self->store == NULL)
    return;
  g_clear_handle_id (&self->quota_save_id, g_source_remove);
  self->quota_save_id = g_timeout_add (QUOTA_SAVE_DELAY_MS, save_quota_cb, self);
}

static void
xi_preferences_window_dispose (GObject *object)
{
  XiPreferencesWindow *self = (XiPreferencesWindow *)object;

  /* A change still waiting for its delay is stored rather than lost. */
  if (self->quota_save_id != 0)
    {
      g_clear_handle_id (&self->quota_save_id, g_source_remove);
      xi_store_set_quota_allowance_async (self->store, gtk_spin_button_get_value_as_int (self->quota_spin),
                                          NULL, NULL, NULL);
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
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
  gtk_widget_class_bind_template_child (widget_class, XiPreferencesWindow, quota_spin);
  gtk_widget_class_bind_template_child (widget_class, XiPreferencesWindow, quota_message);
  gtk_widget_class_bind_template_callback (widget_class, country_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, quota_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, delay_changed_cb);
}

static void
xi_preferences_window_init (XiPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
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
  self->store = g_object_ref (xi_context_get_store (context));
  xi_store_get_quota_async (self->store, self->cancellable, quota_loaded_cb, self);

  return GTK_WIDGET (self);
}
