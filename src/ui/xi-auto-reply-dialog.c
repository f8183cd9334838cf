/* xi-auto-reply-dialog.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-auto-reply-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-auto-reply-dialog.h"

/* Adds or edits one automatic reply, and saves it through the automatic
 * replies' facade, whose model then holds it. "saved" (XiAutoReplyRule,
 * the model's item) says it was stored; the dialog then closes.
 * Main thread only. */
struct _XiAutoReplyDialog
{
  AdwWindow         parent_instance;

  /* Template widgets */
  AdwEntryRow      *name_row;
  AdwComboRow      *trigger_row;
  AdwEntryRow      *keywords_row;
  GtkTextView      *reply_view;
  GtkSpinButton    *cooldown_spin;
  AdwExpanderRow   *hours_row;
  GtkSpinButton    *start_spin;
  GtkSpinButton    *end_spin;
  GtkLabel         *error_label;

  /* Owned */
  XiAutoReplyFacade *facade;
  XiAutoReplyRule  *rule;        /* a copy; the original stays as it was */
  GCancellable     *cancellable;
  gboolean          saving;
};

G_DEFINE_FINAL_TYPE (XiAutoReplyDialog, xi_auto_reply_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The combo's rows, in the order of the .ui file. */
enum {
  TRIGGER_ROW_KEYWORD,
  TRIGGER_ROW_ANY,
};

/* Auxiliary methods */

static char *
dup_reply_text (XiAutoReplyDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->reply_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

/* "harga, price , ongkir" → { "harga", "price", "ongkir" } */
static GStrv
split_keywords (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}

static gboolean
keyword_trigger (XiAutoReplyDialog *self)
{
  return adw_combo_row_get_selected (self->trigger_row) == TRIGGER_ROW_KEYWORD;
}

static void
show_error (XiAutoReplyDialog *self,
            const char        *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* Callbacks */

static void
changed_cb (XiAutoReplyDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->keywords_row), keyword_trigger (self));
  show_error (self, NULL);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  XiAutoReplyDialog *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiAutoReplyRule) saved = xi_auto_reply_facade_save_finish (XI_AUTO_REPLY_FACADE (object), result,
                                                                      &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  self->saving = FALSE;
  if (saved == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not save the rule: %s"), error->message);

      show_error (self, message);
      return;
    }
  g_signal_emit (self, signals[SAVED], 0, saved);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  xi_auto_reply_dialog_save (XI_AUTO_REPLY_DIALOG (widget));
}

static void
xi_auto_reply_dialog_dispose (GObject *object)
{
  XiAutoReplyDialog *self = (XiAutoReplyDialog *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->rule);
  g_clear_object (&self->facade);

  G_OBJECT_CLASS (xi_auto_reply_dialog_parent_class)->dispose (object);
}

static void
xi_auto_reply_dialog_class_init (XiAutoReplyDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_auto_reply_dialog_dispose;

  /**
   * XiAutoReplyDialog::saved:
   * @rule: the rule as stored
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, XI_TYPE_AUTO_REPLY_RULE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-auto-reply-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, XiAutoReplyDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, XiAutoReplyDialog, trigger_row);
  gtk_widget_class_bind_template_child (widget_class, XiAutoReplyDialog, keywords_row);
  gtk_widget_class_bind_template_child (widget_class, XiAutoReplyDialog, reply_view);
  gtk_widget_class_bind_template_child (widget_class, XiAutoReplyDialog, cooldown_spin);
  gtk_widget_class_bind_template_child (widget_class, XiAutoReplyDialog, hours_row);
  gtk_widget_class_bind_template_child (widget_class, XiAutoReplyDialog, start_spin);
  gtk_widget_class_bind_template_child (widget_class, XiAutoReplyDialog, end_spin);
  gtk_widget_class_bind_template_child (widget_class, XiAutoReplyDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);

  gtk_widget_class_install_action (widget_class, "rule.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "rule.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "rule.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
xi_auto_reply_dialog_init (XiAutoReplyDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/**
 * xi_auto_reply_dialog_new:
 * @facade: the automatic replies' facade, which saves the rule
 * @rule: (nullable): the rule to edit, or %NULL for a new one
 *
 * Returns: (transfer none): the dialog, owned by GTK until closed
 */
GtkWidget *
xi_auto_reply_dialog_new (XiAutoReplyFacade *facade,
                          XiAutoReplyRule   *rule)
{
  XiAutoReplyDialog *self;
  g_autofree char *keywords = NULL;
  guint start, end;

  g_return_val_if_fail (XI_IS_AUTO_REPLY_FACADE (facade), NULL);
  g_return_val_if_fail (rule == NULL || XI_IS_AUTO_REPLY_RULE (rule), NULL);

  self = g_object_new (XI_TYPE_AUTO_REPLY_DIALOG, NULL);
  self->facade = g_object_ref (facade);
  self->rule = rule != NULL ? xi_auto_reply_rule_copy (rule) : xi_auto_reply_rule_new (NULL);
  if (rule == NULL)
    gtk_window_set_title (GTK_WINDOW (self), _("New Automatic Reply"));

  keywords = g_strjoinv (", ", (char **)xi_auto_reply_rule_get_keywords (self->rule));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), xi_auto_reply_rule_get_name (self->rule));
  adw_combo_row_set_selected (self->trigger_row,
                              xi_auto_reply_rule_get_trigger (self->rule) == XI_AUTO_REPLY_TRIGGER_ANY
                              ? TRIGGER_ROW_ANY : TRIGGER_ROW_KEYWORD);
  gtk_editable_set_text (GTK_EDITABLE (self->keywords_row), keywords);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->reply_view),
                            xi_auto_reply_rule_get_reply_text (self->rule), -1);
  gtk_spin_button_set_value (self->cooldown_spin,
                             MAX (1, (xi_auto_reply_rule_get_cooldown_seconds (self->rule) + 1800) / 3600));
  if (xi_auto_reply_rule_get_hours (self->rule, &start, &end))
    {
      adw_expander_row_set_enable_expansion (self->hours_row, TRUE);
      adw_expander_row_set_expanded (self->hours_row, TRUE);
      gtk_spin_button_set_value (self->start_spin, start);
      gtk_spin_button_set_value (self->end_spin, end);
    }
  changed_cb (self);

  return GTK_WIDGET (self);
}

/**
 * xi_auto_reply_dialog_save:
 * @self: a #XiAutoReplyDialog
 *
 * What the Save button does: checks the form, then stores the rule.
 */
void
xi_auto_reply_dialog_save (XiAutoReplyDialog *self)
{
  g_autofree char *name = NULL;
  g_autofree char *reply = NULL;
  g_auto(GStrv) keywords = NULL;

  g_return_if_fail (XI_IS_AUTO_REPLY_DIALOG (self));

  if (self->saving)
    return;

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  reply = dup_reply_text (self);
  keywords = split_keywords (gtk_editable_get_text (GTK_EDITABLE (self->keywords_row)));

  if (name[0] == '\0')
    {
      show_error (self, _("Give the rule a name."));
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return;
    }
  if (keyword_trigger (self) && keywords[0] == NULL)
    {
      show_error (self, _("Type at least one word, or answer every message."));
      gtk_widget_grab_focus (GTK_WIDGET (self->keywords_row));
      return;
    }
  if (reply[0] == '\0')
    {
      show_error (self, _("Write the reply to send."));
      gtk_widget_grab_focus (GTK_WIDGET (self->reply_view));
      return;
    }

  xi_auto_reply_rule_set_name (self->rule, name);
  xi_auto_reply_rule_set_trigger (self->rule, keyword_trigger (self) ? XI_AUTO_REPLY_TRIGGER_KEYWORD
                                                                     : XI_AUTO_REPLY_TRIGGER_ANY);
  xi_auto_reply_rule_set_keywords (self->rule, (const char * const *)keywords);
  xi_auto_reply_rule_set_reply_text (self->rule, reply);
  xi_auto_reply_rule_set_cooldown_seconds (self->rule, gtk_spin_button_get_value_as_int (self->cooldown_spin) * 3600);
  if (adw_expander_row_get_enable_expansion (self->hours_row))
    xi_auto_reply_rule_set_hours (self->rule, gtk_spin_button_get_value_as_int (self->start_spin),
                                  gtk_spin_button_get_value_as_int (self->end_spin));
  else
    xi_auto_reply_rule_set_hours (self->rule, -1, -1);

  self->saving = TRUE;
  xi_auto_reply_facade_save_async (self->facade, self->rule, self->cancellable, saved_cb, self);
}
