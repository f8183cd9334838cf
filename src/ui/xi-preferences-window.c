/* xi-preferences-window.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-auto-reply-dialog.h"
#include "xi-phone.h"
#include "xi-preferences-window.h"
#include "xi-sync-preferences-page.h"
#include "xi-quick-replies-group.h"

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
  GtkWidget            *restore_button;
  AdwExpanderRow       *keywords_row;
  AdwEntryRow          *keyword_entry;
  GtkListBox           *rules_list;
  XiQuickRepliesGroup  *quick_replies_group;
  GtkSpinButton        *daily_cap_spin;
  GtkSpinButton        *media_download_spin;

  /* Owned */
  GSettings            *settings;
  XiStore              *store;
  GCancellable         *cancellable;
  guint                 quota_save_id;
  gboolean              showing_quota;
  GPtrArray            *keyword_rows;  /* borrowed: the rows in keywords_row */
  XiAutoReplyFacade    *facade;
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

/* Opt-out words */

static void
remove_keyword_cb (GtkButton           *button,
                   XiPreferencesWindow *self)
{
  const char *keyword = g_object_get_data (G_OBJECT (button), "keyword");
  g_auto(GStrv) keywords = g_settings_get_strv (self->settings, "opt-out-keywords");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) kept = NULL;

  for (guint i = 0; keywords[i] != NULL; i++)
    if (g_strcmp0 (keywords[i], keyword) != 0)
      g_strv_builder_add (builder, keywords[i]);
  kept = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "opt-out-keywords", (const char * const *)kept);
}

static void
show_keywords (XiPreferencesWindow *self)
{
  g_auto(GStrv) keywords = g_settings_get_strv (self->settings, "opt-out-keywords");
  g_autoptr(GVariant) user_value = g_settings_get_user_value (self->settings, "opt-out-keywords");
  g_autofree char *joined = g_strjoinv (", ", keywords);
  g_autofree char *subtitle = g_markup_escape_text (joined, -1);

  for (guint i = 0; i < self->keyword_rows->len; i++)
    adw_expander_row_remove (self->keywords_row, g_ptr_array_index (self->keyword_rows, i));
  g_ptr_array_set_size (self->keyword_rows, 0);

  for (guint i = 0; keywords[i] != NULL; i++)
    {
      g_autofree char *title = g_markup_escape_text (keywords[i], -1);
      g_autofree char *tooltip = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");

      /* Translators: %s is an opt-out word, such as STOP */
      tooltip = g_strdup_printf (_("Remove “%s”"), keywords[i]);
      gtk_widget_set_tooltip_text (remove, tooltip);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      g_object_set_data_full (G_OBJECT (remove), "keyword", g_strdup (keywords[i]), g_free);
      g_signal_connect (remove, "clicked", G_CALLBACK (remove_keyword_cb), self);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      adw_expander_row_add_row (self->keywords_row, row);
      g_ptr_array_add (self->keyword_rows, row);
    }

  adw_expander_row_set_subtitle (self->keywords_row,
                                 keywords[0] != NULL ? subtitle : _("None: nobody can opt out by replying"));
  gtk_widget_set_sensitive (self->restore_button, user_value != NULL);
}

static void
add_keyword_cb (XiPreferencesWindow *self)
{
  g_autofree char *keyword = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->keyword_entry))));
  g_auto(GStrv) keywords = g_settings_get_strv (self->settings, "opt-out-keywords");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) added = NULL;

  if (keyword[0] == '\0')
    return;
  for (guint i = 0; keywords[i] != NULL; i++)
    if (g_utf8_collate (keywords[i], keyword) == 0 || g_ascii_strcasecmp (keywords[i], keyword) == 0)
      {
        gtk_editable_set_text (GTK_EDITABLE (self->keyword_entry), "");
        return;
      }
  g_strv_builder_addv (builder, (const char **)keywords);
  g_strv_builder_add (builder, keyword);
  added = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "opt-out-keywords", (const char * const *)added);
  gtk_editable_set_text (GTK_EDITABLE (self->keyword_entry), "");
}

static void
restore_keywords_cb (XiPreferencesWindow *self)
{
  g_settings_reset (self->settings, "opt-out-keywords");
}

/* Automatic replies */

static char *
rule_summary (XiAutoReplyRule *rule)
{
  GString *summary = g_string_new (NULL);
  guint start, end;

  if (xi_auto_reply_rule_get_trigger (rule) == XI_AUTO_REPLY_TRIGGER_ANY)
    g_string_append (summary, _("Any message"));
  else
    {
      g_autofree char *words = g_strjoinv (", ", (char **)xi_auto_reply_rule_get_keywords (rule));

      /* Translators: %s is a list of words, such as "harga, ongkir" */
      g_string_append_printf (summary, _("Messages with: %s"), words);
    }
  if (xi_auto_reply_rule_get_hours (rule, &start, &end))
    /* Translators: business hours, such as " · 08:00–17:00" */
    g_string_append_printf (summary, _(" · %02u:00–%02u:00"), start, end);
  return g_string_free (summary, FALSE);
}

/* The row shows the rule the facade's model holds, which takes every
 * newer copy in place: whatever field changed, the row says so. */
static void
show_rule (AdwActionRow *row)
{
  XiAutoReplyRule *rule = g_object_get_data (G_OBJECT (row), "rule");
  g_autofree char *summary = rule_summary (rule);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), xi_auto_reply_rule_get_name (rule));
  adw_action_row_set_subtitle (row, summary);
}

static void
enabled_saved_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GtkWidget) toggle = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiAutoReplyRule) rule = xi_auto_reply_facade_save_finish (XI_AUTO_REPLY_FACADE (object), result,
                                                                     &error);
  GtkRoot *window;

  if (rule != NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  window = gtk_widget_get_root (toggle);
  if (ADW_IS_PREFERENCES_WINDOW (window))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (window),
                                      adw_toast_new_format (_("Could not save the rule: %s"), error->message));
  /* The rule kept its state; the switch goes back to showing it. */
  rule = g_object_ref (g_object_get_data (G_OBJECT (toggle), "rule"));
  gtk_switch_set_active (GTK_SWITCH (toggle), xi_auto_reply_rule_get_enabled (rule));
}

static void
rule_enabled_cb (GtkSwitch           *toggle,
                 GParamSpec          *pspec,
                 XiPreferencesWindow *self)
{
  XiAutoReplyRule *rule = g_object_get_data (G_OBJECT (toggle), "rule");
  g_autoptr(XiAutoReplyRule) copy = NULL;

  if (xi_auto_reply_rule_get_enabled (rule) == gtk_switch_get_active (toggle))
    return;
  copy = xi_auto_reply_rule_copy (rule);
  xi_auto_reply_rule_set_enabled (copy, gtk_switch_get_active (toggle));
  xi_auto_reply_facade_save_async (self->facade, copy, self->cancellable, enabled_saved_cb,
                                   g_object_ref (toggle));
}

static GtkWidget *
create_rule_row_cb (gpointer item,
                    gpointer user_data)
{
  XiPreferencesWindow *self = user_data;
  XiAutoReplyRule *rule = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();
  GtkWidget *delete = gtk_button_new_from_icon_name ("user-trash-symbolic");
  const char *id = xi_auto_reply_rule_get_id (rule);

  g_object_set_data_full (G_OBJECT (row), "rule", g_object_ref (rule), g_object_unref);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  show_rule (ADW_ACTION_ROW (row));
  g_signal_connect_object (rule, "notify", G_CALLBACK (show_rule), row, G_CONNECT_SWAPPED);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "prefs.edit-rule");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s", id);

  g_object_set_data_full (G_OBJECT (toggle), "rule", g_object_ref (rule), g_object_unref);
  g_object_bind_property (rule, "enabled", toggle, "active", G_BINDING_SYNC_CREATE);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (toggle, _("Answer with this rule"));
  g_signal_connect_object (toggle, "notify::active", G_CALLBACK (rule_enabled_cb), self, 0);

  gtk_widget_set_valign (delete, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (delete, _("Delete the rule"));
  gtk_widget_add_css_class (delete, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (delete), "prefs.delete-rule");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (delete), "s", id);

  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), delete);
  return row;
}

static void
open_rule_dialog (XiPreferencesWindow *self,
                  XiAutoReplyRule     *rule)
{
  GtkWidget *dialog = xi_auto_reply_dialog_new (self->facade, rule);

  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
new_rule_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  open_rule_dialog (XI_PREFERENCES_WINDOW (widget), NULL);
}

static void
edit_rule_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  XiPreferencesWindow *self = XI_PREFERENCES_WINDOW (widget);
  XiAutoReplyRule *rule = xi_facade_find (XI_FACADE (self->facade), g_variant_get_string (parameter, NULL));

  if (rule != NULL)
    open_rule_dialog (self, rule);
}

static void
rule_deleted_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (xi_auto_reply_facade_delete_finish (XI_AUTO_REPLY_FACADE (object), result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  adw_preferences_window_add_toast (user_data, adw_toast_new_format (_("Could not delete the rule: %s"),
                                                                     error->message));
}

static void
delete_response_cb (AdwMessageDialog    *dialog,
                    const char          *response,
                    XiPreferencesWindow *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "rule-id");

  if (g_str_equal (response, "delete"))
    xi_auto_reply_facade_delete_async (self->facade, id, self->cancellable, rule_deleted_cb, self);
}

static void
delete_rule_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  XiPreferencesWindow *self = XI_PREFERENCES_WINDOW (widget);
  XiAutoReplyRule *rule = xi_facade_find (XI_FACADE (self->facade), g_variant_get_string (parameter, NULL));
  GtkWidget *dialog;

  if (rule == NULL)
    return;
  dialog = adw_message_dialog_new (GTK_WINDOW (self), NULL,
                                   _("Customers who write get no automatic answer from it any more."));
  /* Translators: %s is the name of an automatic reply rule */
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (dialog), _("Delete “%s”?"),
                                     xi_auto_reply_rule_get_name (rule));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "rule-id", g_variant_dup_string (parameter, NULL), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
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
  g_clear_pointer (&self->keyword_rows, g_ptr_array_unref);
  g_clear_object (&self->facade);

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
  gtk_widget_class_bind_template_child (widget_class, XiPreferencesWindow, restore_button);
  gtk_widget_class_bind_template_child (widget_class, XiPreferencesWindow, keywords_row);
  gtk_widget_class_bind_template_child (widget_class, XiPreferencesWindow, keyword_entry);
  gtk_widget_class_bind_template_child (widget_class, XiPreferencesWindow, rules_list);
  gtk_widget_class_bind_template_child (widget_class, XiPreferencesWindow, daily_cap_spin);
  gtk_widget_class_bind_template_child (widget_class, XiPreferencesWindow, media_download_spin);
  gtk_widget_class_bind_template_child (widget_class, XiPreferencesWindow, quick_replies_group);
  gtk_widget_class_bind_template_callback (widget_class, country_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_keyword_cb);
  gtk_widget_class_bind_template_callback (widget_class, restore_keywords_cb);
  gtk_widget_class_bind_template_callback (widget_class, quota_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, delay_changed_cb);

  gtk_widget_class_install_action (widget_class, "prefs.new-rule", NULL, new_rule_action);
  gtk_widget_class_install_action (widget_class, "prefs.edit-rule", "s", edit_rule_action);
  gtk_widget_class_install_action (widget_class, "prefs.delete-rule", "s", delete_rule_action);
}

static void
xi_preferences_window_init (XiPreferencesWindow *self)
{
  g_type_ensure (XI_TYPE_QUICK_REPLIES_GROUP);
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->keyword_rows = g_ptr_array_new ();

  {
    GtkWidget *placeholder = gtk_label_new (_("No automatic replies yet."));

    gtk_widget_add_css_class (placeholder, "dim-label");
    gtk_widget_set_margin_top (placeholder, 12);
    gtk_widget_set_margin_bottom (placeholder, 12);
    gtk_list_box_set_placeholder (self->rules_list, placeholder);
  }
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
  xi_quick_replies_group_set_settings (self->quick_replies_group, self->settings);
  gtk_editable_set_text (GTK_EDITABLE (self->country_row), country);
  g_settings_bind (self->settings, "default-delay-min", self->delay_min, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "default-delay-max", self->delay_max, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "auto-reply-daily-cap", self->daily_cap_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "media-auto-download-mb", self->media_download_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->settings, "changed::opt-out-keywords", G_CALLBACK (show_keywords), self,
                           G_CONNECT_SWAPPED);
  show_keywords (self);
  self->store = g_object_ref (xi_context_get_store (context));
  xi_store_get_quota_async (self->store, self->cancellable, quota_loaded_cb, self);
  self->facade = g_object_ref (xi_context_get_auto_reply_facade (context));
  gtk_list_box_bind_model (self->rules_list, xi_facade_get_model (XI_FACADE (self->facade)),
                           create_rule_row_cb, self, NULL);
  if (xi_context_get_sync_account (context) != NULL)
    adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self),
                                ADW_PREFERENCES_PAGE (xi_sync_preferences_page_new (context)));

  return GTK_WIDGET (self);
}
