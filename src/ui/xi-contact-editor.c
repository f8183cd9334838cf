/* xi-contact-editor.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-contact-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-contact-editor.h"
#include "xi-limits.h"
#include "xi-phone.h"

/*
 * Adds or edits one contact. The number is checked as it is typed, with
 * the reason shown under it; Save stays off while it is invalid. The
 * editor saves through the store and emits "saved" with what was stored.
 */
struct _XiContactEditor
{
  AdwWindow             parent_instance;

  /* Template widgets */
  GtkWidget            *save_button;
  AdwEntryRow          *name_row;
  AdwEntryRow          *phone_row;
  GtkLabel             *phone_message;
  AdwEntryRow          *tags_row;
  AdwEntryRow          *notes_row;
  GtkLabel             *limit_message;
  AdwPreferencesGroup  *fields_group;
  AdwEntryRow          *new_field_row;
  AdwPreferencesGroup  *groups_group;
  GtkSwitch            *opted_out_switch;

  /* Owned */
  XiContext            *context;
  XiContact            *contact;       /* a copy being edited */
  GHashTable           *field_rows;    /* field name -> AdwEntryRow */
  GHashTable           *group_checks;  /* group id -> GtkCheckButton */
  char                 *phone;         /* normalised, NULL while invalid */
  gboolean              over_limit;    /* a field is longer than the store keeps */
  GCancellable         *cancellable;
  gboolean              confirmed_opt_in;
  gboolean              may_close;     /* saved, or discarding was confirmed */
};

G_DEFINE_FINAL_TYPE (XiContactEditor, xi_contact_editor, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char **
split_tags (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *tag = g_strstrip (parts[i]);

      if (tag[0] != '\0')
        g_strv_builder_add (builder, tag);
    }
  return g_strv_builder_end (builder);
}

static void
update_save (XiContactEditor *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save",
                                 self->phone != NULL && !self->over_limit);
}

/* The store refuses what is past the limits of xi-limits.h; saying so
 * while the user types is kinder than a refusal after Save. */
static void
details_changed_cb (XiContactEditor *self)
{
  g_auto(GStrv) tags = split_tags (gtk_editable_get_text (GTK_EDITABLE (self->tags_row)));
  g_autoptr(GError) error = NULL;
  gboolean ok;
  GHashTableIter iter;
  gpointer key, value;

  ok = xi_limit_check_name (gtk_editable_get_text (GTK_EDITABLE (self->name_row)), &error) &&
       xi_limit_check_tags ((const char * const *)tags, &error) &&
       xi_limit_check_notes (gtk_editable_get_text (GTK_EDITABLE (self->notes_row)), &error) &&
       xi_limit_check_field_count (g_hash_table_size (self->field_rows), &error);

  g_hash_table_iter_init (&iter, self->field_rows);
  while (ok && g_hash_table_iter_next (&iter, &key, &value))
    ok = xi_limit_check_field (key, gtk_editable_get_text (GTK_EDITABLE (value)), &error);

  self->over_limit = !ok;
  gtk_label_set_text (self->limit_message, ok ? "" : error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->limit_message), !ok);
  update_save (self);
}

static void
phone_changed_cb (XiContactEditor *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->phone_row));
  g_autofree char *country = xi_context_dup_country_code (self->context);
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->phone, g_free);
  self->phone = xi_phone_normalize (text, country, &error);

  if (self->phone != NULL)
    {
      g_autofree char *shown = xi_phone_format_international (self->phone);
      g_autofree char *message = g_strdup_printf (_("Will be saved as %s"), shown);

      gtk_label_set_text (self->phone_message, message);
      gtk_widget_remove_css_class (GTK_WIDGET (self->phone_message), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->phone_message), "dim-label");
      gtk_widget_remove_css_class (GTK_WIDGET (self->phone_row), "error");
    }
  else
    {
      gtk_label_set_text (self->phone_message, text[0] != '\0' ? error->message : "");
      gtk_widget_remove_css_class (GTK_WIDGET (self->phone_message), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->phone_message), "error");
      if (text[0] != '\0')
        gtk_widget_add_css_class (GTK_WIDGET (self->phone_row), "error");
    }

  update_save (self);
}

static AdwEntryRow *
add_field_row (XiContactEditor *self,
               const char      *name,
               const char      *value)
{
  AdwEntryRow *row = g_hash_table_lookup (self->field_rows, name);

  if (row == NULL)
    {
      row = ADW_ENTRY_ROW (adw_entry_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_preferences_group_add (self->fields_group, GTK_WIDGET (row));
      g_hash_table_insert (self->field_rows, g_strdup (name), row);
      g_signal_connect_object (row, "changed", G_CALLBACK (details_changed_cb), self, G_CONNECT_SWAPPED);
    }
  if (value != NULL)
    gtk_editable_set_text (GTK_EDITABLE (row), value);
  return row;
}

/* "Kota Asal" → "kota_asal", the form template variables take. */
static char *
field_key (const char *text)
{
  g_autofree char *ascii = g_str_to_ascii (text, "C");
  GString *key = g_string_new (NULL);

  for (const char *p = ascii; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (key, g_ascii_tolower (*p));
      else if (key->len > 0 && key->str[key->len - 1] != '_')
        g_string_append_c (key, '_');
    }
  while (key->len > 0 && key->str[key->len - 1] == '_')
    g_string_truncate (key, key->len - 1);
  return g_string_free (key, FALSE);
}

static void
new_field_apply_cb (XiContactEditor *self)
{
  g_autofree char *key = field_key (gtk_editable_get_text (GTK_EDITABLE (self->new_field_row)));

  if (key[0] == '\0')
    return;
  gtk_editable_set_text (GTK_EDITABLE (self->new_field_row), "");
  gtk_widget_grab_focus (GTK_WIDGET (add_field_row (self, key, NULL)));
}

static void
opt_in_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    XiContactEditor  *self)
{
  if (g_str_equal (response, "allow"))
    {
      self->confirmed_opt_in = TRUE;
      gtk_switch_set_active (self->opted_out_switch, FALSE);
    }
}

/* Turning an opt-out off is only done deliberately: ask first. */
static gboolean
opted_out_state_set_cb (XiContactEditor *self,
                        gboolean         state)
{
  GtkWidget *dialog;

  if (state || !xi_contact_get_opted_out (self->contact) || self->confirmed_opt_in)
    return FALSE;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Allow Messages Again?"),
                                   _("Only do this if the customer asked to get your messages again."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "allow", _("_Allow Messages"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "allow", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (opt_in_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));

  return TRUE;   /* keep the switch on until confirmed */
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(XiContactEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiContact) saved = xi_contacts_facade_save_finish (XI_CONTACTS_FACADE (object), result, &error);

  gtk_widget_set_sensitive (GTK_WIDGET (self), TRUE);
  if (saved == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      gtk_label_set_text (self->phone_message, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->phone_message), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->phone_message), "dim-label");
      gtk_widget_grab_focus (GTK_WIDGET (self->phone_row));
      return;
    }

  g_signal_emit (self, signals[SAVED], 0, saved);
  self->may_close = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

/**
 * xi_contact_editor_save:
 * @self: a #XiContactEditor
 *
 * Saves what the form holds, if the number is valid.
 */
void
xi_contact_editor_save (XiContactEditor *self)
{
  g_auto(GStrv) tags = NULL;
  g_autoptr(GStrvBuilder) groups = g_strv_builder_new ();
  g_auto(GStrv) group_ids = NULL;
  g_autofree char *name = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_return_if_fail (XI_IS_CONTACT_EDITOR (self));

  if (!xi_contact_editor_can_save (self))
    return;

  tags = split_tags (gtk_editable_get_text (GTK_EDITABLE (self->tags_row)));
  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  xi_contact_set_name (self->contact, name);
  xi_contact_set_phone (self->contact, self->phone);
  xi_contact_set_tags (self->contact, (const char * const *)tags);
  xi_contact_set_notes (self->contact, gtk_editable_get_text (GTK_EDITABLE (self->notes_row)));
  xi_contact_set_opted_out (self->contact, gtk_switch_get_active (self->opted_out_switch));

  g_hash_table_iter_init (&iter, self->field_rows);
  while (g_hash_table_iter_next (&iter, &key, &value))
    xi_contact_set_custom_field (self->contact, key, gtk_editable_get_text (GTK_EDITABLE (value)));

  g_hash_table_iter_init (&iter, self->group_checks);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (gtk_check_button_get_active (value))
      g_strv_builder_add (groups, key);
  group_ids = g_strv_builder_end (groups);
  xi_contact_set_group_ids (self->contact, (const char * const *)group_ids);

  /* An insensitive field misses the focus-out when the window stops being
   * the active one, and its cursor goes on blinking without the focus:
   * the focus leaves the fields, while they can still hear it, for as
   * long as the save runs. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);
  xi_contacts_facade_save_async (xi_context_get_contacts_facade (self->context), self->contact,
                                 self->cancellable, saved_cb, g_object_ref (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  xi_contact_editor_save (XI_CONTACT_EDITOR (widget));
}

static void
fill (XiContactEditor *self)
{
  XiContact *contact = self->contact;
  GListModel *groups = xi_context_get_groups (self->context);
  const char * const *known = xi_context_get_custom_fields (self->context);
  g_auto(GStrv) own = xi_contact_dup_custom_field_names (contact);
  g_autofree char *tags = g_strjoinv (", ", (char **)xi_contact_get_tags (contact));
  guint n = g_list_model_get_n_items (groups);

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), xi_contact_get_name (contact) ?: "");
  if (xi_contact_get_phone (contact) != NULL)
    {
      g_autofree char *shown = xi_phone_format_international (xi_contact_get_phone (contact));
      gtk_editable_set_text (GTK_EDITABLE (self->phone_row), shown);
    }
  gtk_editable_set_text (GTK_EDITABLE (self->tags_row), tags);
  gtk_editable_set_text (GTK_EDITABLE (self->notes_row), xi_contact_get_notes (contact) ?: "");
  gtk_switch_set_active (self->opted_out_switch, xi_contact_get_opted_out (contact));

  for (guint i = 0; known[i] != NULL; i++)
    add_field_row (self, known[i], xi_contact_get_custom_field (contact, known[i]));
  for (guint i = 0; own[i] != NULL; i++)
    add_field_row (self, own[i], xi_contact_get_custom_field (contact, own[i]));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(XiGroup) group = g_list_model_get_item (groups, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), xi_group_get_name (group));
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                   xi_contact_is_in_group (contact, xi_group_get_id (group)));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      adw_preferences_group_add (self->groups_group, row);
      g_hash_table_insert (self->group_checks, g_strdup (xi_group_get_id (group)), check);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->groups_group), n > 0);

  phone_changed_cb (self);
}

/* A new contact with something typed in it: closing would lose it. */
static gboolean
has_unsaved_new_contact (XiContactEditor *self)
{
  AdwEntryRow *rows[] = { self->name_row, self->phone_row, self->tags_row, self->notes_row };

  if (xi_contact_get_id (self->contact) != NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    if (gtk_editable_get_text (GTK_EDITABLE (rows[i]))[0] != '\0')
      return TRUE;
  return FALSE;
}

static gboolean
close_idle_cb (gpointer user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

static void
discard_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     XiContactEditor  *self)
{
  if (!g_str_equal (response, "discard"))
    return;
  self->may_close = TRUE;
  /* Once the dialog has closed: it belongs to the editor until then. */
  g_idle_add_full (G_PRIORITY_DEFAULT, close_idle_cb, g_object_ref (self), g_object_unref);
}

/* Escape is quick to press by mistake after typing a whole contact. */
static gboolean
xi_contact_editor_close_request (GtkWindow *window)
{
  XiContactEditor *self = XI_CONTACT_EDITOR (window);
  AdwMessageDialog *dialog;

  if (self->may_close || !has_unsaved_new_contact (self))
    return GTK_WINDOW_CLASS (xi_contact_editor_parent_class)->close_request (window);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _("Discard the New Contact?"),
                                                       _("What you typed in this form is lost.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Keep Editing"), "discard", _("_Discard"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (discard_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

static void
xi_contact_editor_dispose (GObject *object)
{
  XiContactEditor *self = (XiContactEditor *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->contact);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (xi_contact_editor_parent_class)->dispose (object);
}

static void
xi_contact_editor_finalize (GObject *object)
{
  XiContactEditor *self = (XiContactEditor *)object;

  g_clear_pointer (&self->field_rows, g_hash_table_unref);
  g_clear_pointer (&self->group_checks, g_hash_table_unref);
  g_clear_object (&self->cancellable);
  g_free (self->phone);

  G_OBJECT_CLASS (xi_contact_editor_parent_class)->finalize (object);
}

static void
xi_contact_editor_class_init (XiContactEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = xi_contact_editor_dispose;
  object_class->finalize = xi_contact_editor_finalize;
  window_class->close_request = xi_contact_editor_close_request;

  /**
   * XiContactEditor::saved:
   * @contact: the contact as stored
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, XI_TYPE_CONTACT);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-contact-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, XiContactEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, XiContactEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, XiContactEditor, phone_row);
  gtk_widget_class_bind_template_child (widget_class, XiContactEditor, phone_message);
  gtk_widget_class_bind_template_child (widget_class, XiContactEditor, tags_row);
  gtk_widget_class_bind_template_child (widget_class, XiContactEditor, notes_row);
  gtk_widget_class_bind_template_child (widget_class, XiContactEditor, limit_message);
  gtk_widget_class_bind_template_child (widget_class, XiContactEditor, fields_group);
  gtk_widget_class_bind_template_child (widget_class, XiContactEditor, new_field_row);
  gtk_widget_class_bind_template_child (widget_class, XiContactEditor, groups_group);
  gtk_widget_class_bind_template_child (widget_class, XiContactEditor, opted_out_switch);
  gtk_widget_class_bind_template_callback (widget_class, phone_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, details_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, new_field_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, opted_out_state_set_cb);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
xi_contact_editor_init (XiContactEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->field_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->group_checks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * xi_contact_editor_new:
 * @context: the shared services
 * @contact: (nullable): the contact to edit; %NULL adds a new one
 *
 * Returns: (transfer none): the editor window, owned by GTK until closed
 */
GtkWidget *
xi_contact_editor_new (XiContext *context,
                       XiContact *contact)
{
  XiContactEditor *self = g_object_new (XI_TYPE_CONTACT_EDITOR, NULL);

  self->context = g_object_ref (context);
  self->contact = contact != NULL ? xi_contact_copy (contact) : xi_contact_new ();
  gtk_window_set_title (GTK_WINDOW (self), contact != NULL ? _("Edit Contact") : _("New Contact"));
  fill (self);
  gtk_widget_grab_focus (GTK_WIDGET (contact != NULL ? self->name_row : self->phone_row));

  return GTK_WIDGET (self);
}

gboolean
xi_contact_editor_can_save (XiContactEditor *self)
{
  g_return_val_if_fail (XI_IS_CONTACT_EDITOR (self), FALSE);
  return self->phone != NULL && !self->over_limit;
}

void
xi_contact_editor_set_phone (XiContactEditor *self,
                             const char      *phone)
{
  g_return_if_fail (XI_IS_CONTACT_EDITOR (self));
  gtk_editable_set_text (GTK_EDITABLE (self->phone_row), phone);
}

void
xi_contact_editor_set_name (XiContactEditor *self,
                            const char      *name)
{
  g_return_if_fail (XI_IS_CONTACT_EDITOR (self));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
}
