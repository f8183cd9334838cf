/* xi-template-editor.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-template-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-template-editor.h"
#include "xi-template-text.h"

/*
 * Edits one template: its name and variants, each checked as it is typed
 * (an error names the line and column, and Save stays off until it is
 * fixed), with a live preview of every variant for a chosen contact.
 */

typedef struct
{
  GtkWidget      *frame;
  GtkTextView    *view;
  GtkLabel       *error;
  GtkLabel       *preview;
  XiTemplateText *parsed;
} Variant;

struct _XiTemplateEditor
{
  AdwBin          parent_instance;

  /* Template widgets */
  AdwEntryRow    *name_row;
  GtkMenuButton  *insert_button;
  GtkBox         *variants_box;
  GtkDropDown    *contact_dropdown;
  GtkLabel       *warning_label;
  GtkBox         *previews_box;
  GtkWidget      *delete_button;
  GtkLabel       *save_message;

  /* Owned */
  XiContext      *context;
  XiTemplate     *template_;
  GPtrArray      *variants;     /* Variant */
  GtkTextView    *last_focus;   /* where "Insert Variable" types */
  guint32         seed;
  gboolean        can_save;
  GCancellable   *cancellable;
};

G_DEFINE_FINAL_TYPE (XiTemplateEditor, xi_template_editor, ADW_TYPE_BIN)

enum {
  SAVED,
  DELETED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
variant_free (gpointer data)
{
  Variant *variant = data;

  g_clear_pointer (&variant->parsed, xi_template_text_unref);
  g_free (variant);
}

static char *
buffer_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static XiContact *
preview_contact (XiTemplateEditor *self)
{
  return gtk_drop_down_get_selected_item (self->contact_dropdown);
}

/* Parses every variant, shows errors and previews, enables Save. */
static void
refresh (XiTemplateEditor *self)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (self->seed);
  g_autoptr(GPtrArray) missing_all = g_ptr_array_new_with_free_func (g_free);
  const char * const *known = self->context != NULL ? xi_context_get_custom_fields (self->context) : NULL;
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  XiContact *contact = preview_contact (self);
  gboolean ok = name[0] != '\0' && self->variants->len > 0;

  for (guint i = 0; i < self->variants->len; i++)
    {
      Variant *variant = g_ptr_array_index (self->variants, i);
      g_autofree char *text = buffer_text (variant->view);
      g_autoptr(GError) error = NULL;
      static const char * const none[] = { NULL };

      g_clear_pointer (&variant->parsed, xi_template_text_unref);
      variant->parsed = xi_template_text_parse (text, known != NULL ? known : none, &error);
      gtk_label_set_text (variant->error, error != NULL ? error->message : "");
      gtk_widget_set_visible (GTK_WIDGET (variant->error), error != NULL);
      ok = ok && variant->parsed != NULL;

      if (variant->parsed != NULL && contact != NULL)
        {
          g_auto(GStrv) missing = NULL;
          g_autofree char *rendered = xi_template_text_render (variant->parsed, xi_contact_lookup_variable,
                                                               contact, rand, &missing);
          g_autofree char *label = g_strdup_printf (_("Variant %u: %s"), i + 1, rendered);

          gtk_label_set_text (variant->preview, label);
          for (guint m = 0; missing != NULL && missing[m] != NULL; m++)
            if (!g_ptr_array_find_with_equal_func (missing_all, missing[m], g_str_equal, NULL))
              g_ptr_array_add (missing_all, g_strdup (missing[m]));
        }
      else
        gtk_label_set_text (variant->preview, "");
      gtk_widget_set_visible (GTK_WIDGET (variant->preview), variant->parsed != NULL && contact != NULL);
    }

  if (missing_all->len > 0 && contact != NULL)
    {
      g_autofree char *fields = NULL;
      g_autofree char *warning = NULL;

      g_ptr_array_add (missing_all, NULL);
      fields = g_strjoinv ("}, {", (char **)missing_all->pdata);
      warning = g_strdup_printf (_("%s has no value for {%s}: that part stays empty. "
                                   "Add a fallback such as {%s|…} or fill in the contact."),
                                 xi_contact_get_display_name (contact), fields,
                                 (const char *)g_ptr_array_index (missing_all, 0));
      gtk_label_set_text (self->warning_label, warning);
    }
  else
    gtk_label_set_text (self->warning_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->warning_label), missing_all->len > 0 && contact != NULL);

  self->can_save = ok && self->template_ != NULL;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", self->can_save);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.delete",
                                 self->template_ != NULL && xi_template_get_id (self->template_) != NULL);
}

static void
changed_cb (XiTemplateEditor *self)
{
  gtk_label_set_text (self->save_message, "");
  refresh (self);
}

static void
shuffle_clicked_cb (XiTemplateEditor *self)
{
  self->seed = g_random_int ();
  refresh (self);
}

static void
focus_changed_cb (GtkEventControllerFocus *controller,
                  XiTemplateEditor        *self)
{
  self->last_focus = GTK_TEXT_VIEW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller)));
}

static void
remove_variant_cb (GtkButton        *button,
                   XiTemplateEditor *self)
{
  GtkWidget *frame = g_object_get_data (G_OBJECT (button), "frame");

  for (guint i = 0; i < self->variants->len; i++)
    {
      Variant *variant = g_ptr_array_index (self->variants, i);

      if (variant->frame != frame)
        continue;
      if (self->last_focus == variant->view)
        self->last_focus = NULL;
      gtk_box_remove (self->variants_box, frame);
      gtk_box_remove (self->previews_box, GTK_WIDGET (variant->preview));
      g_ptr_array_remove_index (self->variants, i);
      break;
    }
  refresh (self);
}

static Variant *
append_variant (XiTemplateEditor *self,
                const char       *text)
{
  Variant *variant = g_new0 (Variant, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  g_autofree char *title = g_strdup_printf (_("Variant %u"), self->variants->len + 1);
  GtkWidget *label = gtk_label_new (title);
  GtkEventController *focus = gtk_event_controller_focus_new ();

  variant->view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_wrap_mode (variant->view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (variant->view, FALSE);
  gtk_text_view_set_top_margin (variant->view, 8);
  gtk_text_view_set_bottom_margin (variant->view, 8);
  gtk_text_view_set_left_margin (variant->view, 8);
  gtk_text_view_set_right_margin (variant->view, 8);
  gtk_widget_set_size_request (GTK_WIDGET (variant->view), -1, 96);
  gtk_widget_add_css_class (GTK_WIDGET (variant->view), "card");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (variant->view), text != NULL ? text : "", -1);
  g_signal_connect_object (gtk_text_view_get_buffer (variant->view), "changed",
                           G_CALLBACK (changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect (focus, "enter", G_CALLBACK (focus_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (variant->view), focus);

  gtk_widget_set_hexpand (label, TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_tooltip_text (remove, _("Remove this variant"));
  gtk_widget_add_css_class (remove, "flat");
  g_object_set_data (G_OBJECT (remove), "frame", box);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_variant_cb), self);
  gtk_box_append (GTK_BOX (header), label);
  gtk_box_append (GTK_BOX (header), remove);

  variant->error = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (variant->error, 0);
  gtk_label_set_wrap (variant->error, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (variant->error), "error");

  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (variant->view));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (variant->error));
  variant->frame = box;
  gtk_box_append (self->variants_box, box);

  variant->preview = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (variant->preview, 0);
  gtk_label_set_wrap (variant->preview, TRUE);
  gtk_label_set_selectable (variant->preview, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (variant->preview), "preview");
  gtk_box_append (self->previews_box, GTK_WIDGET (variant->preview));

  g_ptr_array_add (self->variants, variant);
  return variant;
}

static void
add_variant_clicked_cb (XiTemplateEditor *self)
{
  Variant *variant = append_variant (self, NULL);

  gtk_widget_grab_focus (GTK_WIDGET (variant->view));
  refresh (self);
}

static void
insert_variable_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  XiTemplateEditor *self = XI_TEMPLATE_EDITOR (widget);
  GtkTextView *view = self->last_focus;
  g_autofree char *text = g_strdup_printf ("{%s}", g_variant_get_string (parameter, NULL));

  if (view == NULL && self->variants->len > 0)
    view = ((Variant *)g_ptr_array_index (self->variants, 0))->view;
  if (view == NULL)
    return;

  gtk_text_buffer_insert_at_cursor (gtk_text_view_get_buffer (view), text, -1);
  gtk_widget_grab_focus (GTK_WIDGET (view));
}

static void
rebuild_insert_menu (XiTemplateEditor *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) builtin = g_menu_new ();
  g_autoptr(GMenu) custom = g_menu_new ();
  const char * const *builtins = xi_template_builtin_variables ();
  const char * const *fields = xi_context_get_custom_fields (self->context);

  for (guint i = 0; builtins[i] != NULL; i++)
    {
      g_autofree char *label = g_strdup_printf ("{%s}", builtins[i]);
      g_autofree char *action = g_strdup_printf ("editor.insert-variable('%s')", builtins[i]);
      g_menu_append (builtin, label, action);
    }
  for (guint i = 0; fields[i] != NULL; i++)
    {
      g_autofree char *label = g_strdup_printf ("{%s}", fields[i]);
      g_autofree char *action = g_strdup_printf ("editor.insert-variable('%s')", fields[i]);
      g_menu_append (custom, label, action);
    }

  g_menu_append_section (menu, NULL, G_MENU_MODEL (builtin));
  g_menu_append_section (menu, _("Custom fields"), G_MENU_MODEL (custom));
  gtk_menu_button_set_menu_model (self->insert_button, G_MENU_MODEL (menu));
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(XiTemplateEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiTemplate) saved = xi_store_save_template_finish (XI_STORE (object), result, &error);

  gtk_widget_set_sensitive (GTK_WIDGET (self), TRUE);
  if (saved == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_text (self->save_message, error->message);
      return;
    }

  g_clear_object (&self->template_);
  self->template_ = xi_template_copy (saved);
  xi_context_upsert_item (self->context, xi_context_get_templates (self->context), saved);
  refresh (self);
  g_signal_emit (self, signals[SAVED], 0, saved);
}

void
xi_template_editor_save (XiTemplateEditor *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) variants = NULL;
  g_autofree char *name = NULL;

  g_return_if_fail (XI_IS_TEMPLATE_EDITOR (self));

  refresh (self);
  if (!gtk_widget_get_sensitive (GTK_WIDGET (self)) || !self->can_save)
    return;

  for (guint i = 0; i < self->variants->len; i++)
    {
      g_autofree char *text = buffer_text (((Variant *)g_ptr_array_index (self->variants, i))->view);
      g_strv_builder_add (builder, text);
    }
  variants = g_strv_builder_end (builder);
  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  xi_template_set_name (self->template_, name);
  xi_template_set_variants (self->template_, (const char * const *)variants);
  gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);
  xi_store_save_template_async (xi_context_get_store (self->context), self->template_,
                                self->cancellable, saved_cb, g_object_ref (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  xi_template_editor_save (XI_TEMPLATE_EDITOR (widget));
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(XiTemplateEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  if (!xi_store_delete_template_finish (XI_STORE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_text (self->save_message, error->message);
      return;
    }

  id = g_strdup (xi_template_get_id (self->template_));
  xi_context_remove_item (self->context, xi_context_get_templates (self->context), id);
  xi_template_editor_edit (self, NULL);
  g_signal_emit (self, signals[DELETED], 0, id);
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    XiTemplateEditor *self)
{
  if (g_str_equal (response, "delete") && self->template_ != NULL)
    xi_store_delete_template_async (xi_context_get_store (self->context),
                                    xi_template_get_id (self->template_), self->cancellable,
                                    deleted_cb, g_object_ref (self));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiTemplateEditor *self = XI_TEMPLATE_EDITOR (widget);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (self->template_ == NULL || xi_template_get_id (self->template_) == NULL)
    return;

  heading = g_strdup_printf (_("Delete the Template “%s”?"), xi_template_get_name (self->template_));
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), heading,
                                   _("Campaigns already sent keep the text they sent."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
xi_template_editor_dispose (GObject *object)
{
  XiTemplateEditor *self = (XiTemplateEditor *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->contact_dropdown != NULL)
    gtk_drop_down_set_model (self->contact_dropdown, NULL);
  g_clear_pointer (&self->variants, g_ptr_array_unref);
  g_clear_object (&self->template_);
  g_clear_object (&self->context);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (xi_template_editor_parent_class)->dispose (object);
}

static void
xi_template_editor_class_init (XiTemplateEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_template_editor_dispose;

  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, XI_TYPE_TEMPLATE);
  signals[DELETED] = g_signal_new ("deleted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-template-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, insert_button);
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, variants_box);
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, contact_dropdown);
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, warning_label);
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, previews_box);
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, delete_button);
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, save_message);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, shuffle_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_variant_clicked_cb);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "editor.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "editor.insert-variable", "s", insert_variable_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "editor.save", NULL);
}

static void
xi_template_editor_init (XiTemplateEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->variants = g_ptr_array_new_with_free_func (variant_free);
  self->cancellable = g_cancellable_new ();
  self->seed = 1;
  gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);
}

void
xi_template_editor_set_context (XiTemplateEditor *self,
                                XiContext        *context)
{
  g_autoptr(GtkExpression) expression = NULL;

  g_return_if_fail (XI_IS_TEMPLATE_EDITOR (self));

  g_set_object (&self->context, context);
  expression = gtk_property_expression_new (XI_TYPE_CONTACT, NULL, "name");
  gtk_drop_down_set_expression (self->contact_dropdown, expression);
  gtk_drop_down_set_model (self->contact_dropdown, xi_context_get_contacts (context));
  rebuild_insert_menu (self);
}

/**
 * xi_template_editor_edit:
 * @self: a #XiTemplateEditor
 * @template_: (nullable): the template to edit; a new one with no id to
 *   create one; %NULL to show nothing
 */
void
xi_template_editor_edit (XiTemplateEditor *self,
                         XiTemplate       *template_)
{
  const char * const *variants;

  g_return_if_fail (XI_IS_TEMPLATE_EDITOR (self));

  g_clear_object (&self->template_);
  gtk_label_set_text (self->save_message, "");
  while (self->variants->len > 0)
    {
      Variant *variant = g_ptr_array_index (self->variants, self->variants->len - 1);

      gtk_box_remove (self->variants_box, variant->frame);
      gtk_box_remove (self->previews_box, GTK_WIDGET (variant->preview));
      g_ptr_array_remove_index (self->variants, self->variants->len - 1);
    }
  self->last_focus = NULL;

  if (template_ == NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");
      gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);
      refresh (self);
      return;
    }

  self->template_ = xi_template_copy (template_);
  rebuild_insert_menu (self);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), xi_template_get_name (template_) ?: "");
  variants = xi_template_get_variants (template_);
  for (guint i = 0; variants[i] != NULL; i++)
    append_variant (self, variants[i]);
  if (self->variants->len == 0)
    append_variant (self, NULL);

  gtk_widget_set_sensitive (GTK_WIDGET (self), TRUE);
  refresh (self);
}

void
xi_template_editor_set_name (XiTemplateEditor *self,
                             const char       *name)
{
  g_return_if_fail (XI_IS_TEMPLATE_EDITOR (self));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
}

void
xi_template_editor_set_variant_text (XiTemplateEditor *self,
                                     guint             index,
                                     const char       *text)
{
  g_return_if_fail (XI_IS_TEMPLATE_EDITOR (self));
  g_return_if_fail (index < self->variants->len);

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (((Variant *)g_ptr_array_index (self->variants, index))->view),
                            text, -1);
}

void
xi_template_editor_add_variant (XiTemplateEditor *self)
{
  g_return_if_fail (XI_IS_TEMPLATE_EDITOR (self));
  add_variant_clicked_cb (self);
}

gboolean
xi_template_editor_can_save (XiTemplateEditor *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATE_EDITOR (self), FALSE);
  return self->can_save;
}

/* The error shown under a variant, for tests. */
char *
xi_template_editor_dup_error (XiTemplateEditor *self,
                              guint             index)
{
  g_return_val_if_fail (XI_IS_TEMPLATE_EDITOR (self), NULL);
  g_return_val_if_fail (index < self->variants->len, NULL);
  return g_strdup (gtk_label_get_text (((Variant *)g_ptr_array_index (self->variants, index))->error));
}

char *
xi_template_editor_dup_preview (XiTemplateEditor *self,
                                guint             index)
{
  g_return_val_if_fail (XI_IS_TEMPLATE_EDITOR (self), NULL);
  g_return_val_if_fail (index < self->variants->len, NULL);
  return g_strdup (gtk_label_get_text (((Variant *)g_ptr_array_index (self->variants, index))->preview));
}

char *
xi_template_editor_dup_warning (XiTemplateEditor *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATE_EDITOR (self), NULL);
  return g_strdup (gtk_label_get_text (self->warning_label));
}

void
xi_template_editor_preview_contact (XiTemplateEditor *self,
                                    XiContact        *contact)
{
  GListModel *contacts;
  guint n;

  g_return_if_fail (XI_IS_TEMPLATE_EDITOR (self));

  contacts = xi_context_get_contacts (self->context);
  n = g_list_model_get_n_items (contacts);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(XiContact) item = g_list_model_get_item (contacts, i);

      if (item == contact)
        {
          gtk_drop_down_set_selected (self->contact_dropdown, i);
          break;
        }
    }
}
