/* xi-template-editor.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-template-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-asset-thumbnail.h"
#include "xi-limits.h"
#include "xi-template-editor.h"
#include "xi-template-text.h"

/*
 * Edits one template: its name and its variants (one is picked for each
 * customer). Every variant is checked as it is typed against the built-in
 * variables and the custom fields the store knows; an error names the line
 * and column, and Save stays off until every variant is right. Below, each
 * variant is rendered for a chosen contact with a seeded GRand, so the
 * preview only changes when the user asks for another shuffle.
 */

typedef struct
{
  GtkWidget      *frame;
  GtkLabel       *title;
  GtkWidget      *remove;
  GtkTextView    *view;
  GtkLabel       *error;
  GtkWidget      *preview_box;
  GtkLabel       *preview_title;
  GtkLabel       *preview;
  XiTemplateText *parsed;
} Variant;

struct _XiTemplateEditor
{
  AdwBin          parent_instance;

  /* Template widgets */
  GtkScrolledWindow *scrolled;
  AdwEntryRow    *name_row;
  AdwActionRow   *attachment_row;
  GtkImage       *attachment_image;
  GtkMenuButton  *insert_button;
  GtkBox         *variants_box;
  GtkDropDown    *contact_dropdown;
  GtkLabel       *warning_label;
  GtkLabel       *no_preview_label;
  GtkWidget      *delete_button;
  GtkLabel       *save_message;
  GtkWidget      *save_button;

  /* Owned */
  XiContext      *context;
  XiTemplate     *template_;      /* a copy of what is edited; no id while new */
  XiAsset        *attachment;     /* what its asset id names, once looked up */
  GtkNativeDialog *chooser;
  GPtrArray      *variants;       /* Variant */
  GtkTextView    *last_focus;     /* where "Insert Variable" types */
  char           *store_error;    /* why the last save failed, or NULL */
  GCancellable   *cancellable;
  guint32         seed;
  gboolean        can_save;
  gboolean        saving;
  gboolean        modified;
  gboolean        loading;        /* filling the widgets: not a user change */
};

G_DEFINE_FINAL_TYPE (XiTemplateEditor, xi_template_editor, ADW_TYPE_BIN)

enum {
  SAVED,
  DELETED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define PROBLEM_TAG "problem"

/* The built-in variables with words a shop owner knows. */
static const struct {
  const char *name;
  const char *label;
} builtin_labels[] = {
  { "name", N_("Name") },
  { "first_name", N_("First name") },
  { "phone", N_("Phone number") },
};

/* Auxiliary methods */

static void
variant_free (gpointer data)
{
  Variant *variant = data;

  g_clear_pointer (&variant->parsed, xi_template_text_unref);
  g_free (variant);
}

static Variant *
variant_at (XiTemplateEditor *self,
            guint             index)
{
  return g_ptr_array_index (self->variants, index);
}

static char *
buffer_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static char *
dup_name (XiTemplateEditor *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
}

static XiContact *
preview_contact (XiTemplateEditor *self)
{
  gpointer item = gtk_drop_down_get_selected_item (self->contact_dropdown);

  return XI_IS_CONTACT (item) ? item : NULL;
}

static gboolean
variable_is_empty (XiContact  *contact,
                   const char *variable)
{
  const char *value;

  /* {first_name} is made from the name by the renderer. */
  if (g_str_equal (variable, "first_name"))
    variable = "name";
  value = xi_contact_lookup_variable (variable, contact);
  return value == NULL || value[0] == '\0';
}

static void
add_unique (GPtrArray  *array,
            const char *variable)
{
  if (!g_ptr_array_find_with_equal_func (array, variable, g_str_equal, NULL))
    g_ptr_array_add (array, g_strdup (variable));
}

/* "{a}, {b}" for a warning. */
static char *
join_variables (GPtrArray *variables)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < variables->len; i++)
    {
      if (i > 0)
        g_string_append (text, ", ");
      g_string_append_printf (text, "{%s}", (const char *)g_ptr_array_index (variables, i));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Underlines every problem of the variant and lists them all, so that a
 * message with three typos is fixed in one pass rather than three. */
static void
mark_problems (Variant            *variant,
               const char         *text,
               const char * const *known,
               gboolean            has_error)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (variant->view);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GString) messages = g_string_new (NULL);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag_by_name (buffer, PROBLEM_TAG, &start, &end);
  if (!has_error)
    {
      gtk_label_set_text (variant->error, "");
      return;
    }

  problems = xi_template_text_check (text, known);
  for (guint i = 0; i < problems->len; i++)
    {
      XiTemplateProblem *problem = g_ptr_array_index (problems, i);

      if (messages->len > 0)
        g_string_append_c (messages, '\n');
      g_string_append (messages, problem->error->message);
      if (problem->end > problem->start)
        {
          gtk_text_buffer_get_iter_at_offset (buffer, &start, problem->start);
          gtk_text_buffer_get_iter_at_offset (buffer, &end, problem->end);
          gtk_text_buffer_apply_tag_by_name (buffer, PROBLEM_TAG, &start, &end);
        }
    }
  gtk_label_set_text (variant->error, messages->str);
}

static void
set_message (XiTemplateEditor *self,
             const char       *message,
             gboolean          is_error)
{
  gtk_label_set_text (self->save_message, message != NULL ? message : "");
  gtk_widget_set_css_classes (GTK_WIDGET (self->save_message),
                              (const char *[]) { is_error ? "error" : "dim-label", NULL });
}

/* Parses every variant, shows errors and previews, enables Save. */
static void
refresh (XiTemplateEditor *self)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (self->seed);
  g_autoptr(GPtrArray) missing_all = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) fallback_used = g_ptr_array_new_with_free_func (g_free);
  static const char * const none[] = { NULL };
  const char * const *known = self->context != NULL ? xi_context_get_custom_fields (self->context) : none;
  g_autofree char *name = dup_name (self);
  XiContact *contact = preview_contact (self);
  gboolean have_contacts = self->context != NULL &&
                           g_list_model_get_n_items (xi_context_get_contacts (self->context)) > 0;
  gboolean all_parsed = self->variants->len > 0;
  gboolean several = self->variants->len > 1;

  for (guint i = 0; i < self->variants->len; i++)
    {
      Variant *variant = variant_at (self, i);
      g_autofree char *text = buffer_text (variant->view);
      g_autofree char *title = g_strdup_printf (_("Variant %u"), i + 1);
      g_autoptr(GError) error = NULL;

      gtk_label_set_text (variant->title, title);
      if (contact != NULL)
        {
          /* Translators: above the preview of a variant, "Budi Santoso gets:" */
          g_autofree char *gets = g_strdup_printf (_("%s gets:"), xi_contact_get_display_name (contact));

          gtk_label_set_text (variant->preview_title, gets);
        }
      gtk_widget_set_sensitive (variant->remove, several);

      g_clear_pointer (&variant->parsed, xi_template_text_unref);
      if (xi_limit_check_variant (text, i + 1, &error))
        {
          variant->parsed = xi_template_text_parse (text, known != NULL ? known : none, &error);
          mark_problems (variant, text, known != NULL ? known : none, error != NULL);
        }
      else
        {
          /* Too long to be worth checking further: say only that. */
          mark_problems (variant, text, known != NULL ? known : none, FALSE);
          gtk_label_set_text (variant->error, error->message);
        }
      gtk_widget_set_visible (GTK_WIDGET (variant->error), error != NULL);
      if (error != NULL)
        gtk_widget_add_css_class (GTK_WIDGET (variant->view), "error");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (variant->view), "error");
      all_parsed = all_parsed && variant->parsed != NULL;

      if (variant->parsed != NULL && contact != NULL)
        {
          g_auto(GStrv) missing = NULL;
          g_autoptr(GError) render_error = NULL;
          g_autofree char *rendered = xi_template_text_render (variant->parsed, xi_contact_lookup_variable,
                                                               contact, rand, &missing, &render_error);
          char **used = xi_template_text_get_variables (variant->parsed);

          if (rendered == NULL)
            gtk_label_set_text (variant->preview, render_error->message);
          else
            gtk_label_set_text (variant->preview, rendered[0] != '\0' ? rendered : _("(nothing)"));
          for (guint m = 0; missing != NULL && missing[m] != NULL; m++)
            add_unique (missing_all, missing[m]);
          for (guint u = 0; used != NULL && used[u] != NULL; u++)
            if ((missing == NULL || !g_strv_contains ((const char * const *)missing, used[u])) &&
                variable_is_empty (contact, used[u]))
              add_unique (fallback_used, used[u]);
        }
      else
        gtk_label_set_text (variant->preview,
                            variant->parsed == NULL ? _("Fix the problem in this variant to see it.") : "");
      gtk_widget_set_visible (variant->preview_box, contact != NULL);
    }

  /* A variable missing in one variant may have a fallback in another. */
  for (guint i = 0; i < missing_all->len; i++)
    {
      guint position;

      if (g_ptr_array_find_with_equal_func (fallback_used, g_ptr_array_index (missing_all, i),
                                            g_str_equal, &position))
        g_ptr_array_remove_index (fallback_used, position);
    }

  if (contact != NULL && (missing_all->len > 0 || fallback_used->len > 0))
    {
      g_autoptr(GString) warning = g_string_new (NULL);
      const char *who = xi_contact_get_display_name (contact);

      if (missing_all->len > 0)
        {
          g_autofree char *list = join_variables (missing_all);

          /* Translators: "Budi has no value for {city}; …" */
          g_string_append_printf (warning, _("%s has no value for %s; the fallback or nothing will be "
                                             "sent in its place. Add a fallback, as in {%s|…}, or fill "
                                             "in the contact."),
                                  who, list, (const char *)g_ptr_array_index (missing_all, 0));
        }
      if (fallback_used->len > 0)
        {
          g_autofree char *list = join_variables (fallback_used);

          if (warning->len > 0)
            g_string_append_c (warning, ' ');
          g_string_append_printf (warning, _("%s has no value for %s; the fallback will be sent."), who, list);
        }
      gtk_label_set_text (self->warning_label, warning->str);
      gtk_widget_set_visible (GTK_WIDGET (self->warning_label), TRUE);
    }
  else
    {
      gtk_label_set_text (self->warning_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->warning_label), FALSE);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->no_preview_label), self->template_ != NULL && !have_contacts);
  gtk_widget_set_sensitive (GTK_WIDGET (self->contact_dropdown), have_contacts);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.shuffle", contact != NULL);

  /* Say why Save is off. */
  if (self->store_error != NULL)
    set_message (self, self->store_error, TRUE);
  else if (self->template_ != NULL && name[0] == '\0')
    set_message (self, _("Give the template a name to save it."), FALSE);
  else if (self->template_ != NULL && !all_parsed)
    set_message (self, _("Fix the problems marked in red to save."), FALSE);
  else
    set_message (self, NULL, FALSE);

  self->can_save = self->template_ != NULL && !self->saving && name[0] != '\0' && all_parsed &&
                   self->store_error == NULL;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", self->can_save);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.delete",
                                 self->template_ != NULL && xi_template_get_id (self->template_) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.add-variant", self->template_ != NULL);
}

static void
user_changed (XiTemplateEditor *self)
{
  if (self->loading)
    return;
  self->modified = TRUE;
  g_clear_pointer (&self->store_error, g_free);
  gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  refresh (self);
}

/* The attachment */

static void
show_attachment (XiTemplateEditor *self)
{
  const char *asset_id = self->template_ != NULL ? xi_template_get_asset_id (self->template_) : NULL;
  g_autofree char *subtitle = NULL;

  if (self->attachment != NULL)
    {
      g_autofree char *described = xi_asset_thumbnail_describe (self->attachment);

      /* Translators: a template's attachment: its file name, then its size and kind */
      subtitle = g_strdup_printf (_("%s (%s)"), xi_asset_get_name (self->attachment), described);
    }
  else if (asset_id == NULL)
    subtitle = g_strdup (_("None: the message goes as text"));
  adw_action_row_set_subtitle (self->attachment_row, subtitle != NULL ? subtitle : "");
  xi_asset_thumbnail_show (self->attachment_image, self->attachment, 48, self->cancellable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.attach", self->template_ != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.detach", asset_id != NULL);
}

/* The attachment is the library's item (the assets facade follows the
 * store), so a rename shows and a file removed elsewhere goes. */
static void
look_up_attachment (XiTemplateEditor *self)
{
  const char *asset_id = self->template_ != NULL ? xi_template_get_asset_id (self->template_) : NULL;
  XiAsset *found = NULL;

  if (asset_id != NULL && self->context != NULL)
    found = xi_facade_find (XI_FACADE (xi_context_get_assets_facade (self->context)), asset_id);
  g_set_object (&self->attachment, found);
  show_attachment (self);
}

static void
assets_changed_cb (XiTemplateEditor *self,
                   guint             position,
                   guint             removed,
                   guint             added,
                   GListModel       *model)
{
  look_up_attachment (self);
}

static void
attachment_added_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(XiTemplateEditor) self = user_data;
  g_autoptr(XiAsset) asset = NULL;
  g_autoptr(GError) error = NULL;

  asset = xi_assets_facade_add_finish (XI_ASSETS_FACADE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (asset == NULL || self->template_ == NULL)
    {
      if (error != NULL)
        {
          g_free (self->store_error);
          self->store_error = g_strdup (error->message);
          refresh (self);
        }
      return;
    }
  xi_template_set_asset_id (self->template_, xi_asset_get_id (asset));
  user_changed (self);
  look_up_attachment (self);
}

static void
attach_chosen_cb (GtkNativeDialog  *chooser,
                  int               response,
                  XiTemplateEditor *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (file != NULL)
    xi_template_editor_attach_file (self, file);
}

/* Callbacks */

static void
name_changed_cb (XiTemplateEditor *self)
{
  user_changed (self);
}

static void
text_changed_cb (XiTemplateEditor *self)
{
  user_changed (self);
}

static void
preview_changed_cb (XiTemplateEditor *self)
{
  refresh (self);
}

static void
focus_entered_cb (GtkEventControllerFocus *controller,
                  XiTemplateEditor        *self)
{
  self->last_focus = GTK_TEXT_VIEW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller)));
}

static void
remove_variant_at (XiTemplateEditor *self,
                   guint             index)
{
  Variant *variant = variant_at (self, index);

  if (self->last_focus == variant->view)
    self->last_focus = NULL;
  gtk_box_remove (self->variants_box, variant->frame);
  g_ptr_array_remove_index (self->variants, index);
}

static void
remove_clicked_cb (GtkButton        *button,
                   XiTemplateEditor *self)
{
  for (guint i = 0; i < self->variants->len; i++)
    if (variant_at (self, i)->remove == GTK_WIDGET (button))
      {
        xi_template_editor_remove_variant (self, i);
        break;
      }
}

static Variant *
append_variant (XiTemplateEditor *self,
                const char       *text)
{
  Variant *variant = g_new0 (Variant, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkEventController *focus = gtk_event_controller_focus_new ();
  GdkRGBA problem_underline;
  GdkRGBA problem_background;
  GtkWidget *bubble;

  variant->title = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_hexpand (GTK_WIDGET (variant->title), TRUE);
  gtk_label_set_xalign (variant->title, 0);
  gtk_widget_add_css_class (GTK_WIDGET (variant->title), "dim-label");

  variant->remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_tooltip_text (variant->remove, _("Remove this variant"));
  gtk_widget_add_css_class (variant->remove, "flat");
  g_signal_connect (variant->remove, "clicked", G_CALLBACK (remove_clicked_cb), self);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (variant->title));
  gtk_box_append (GTK_BOX (header), variant->remove);

  variant->view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_wrap_mode (variant->view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (variant->view, FALSE);
  gtk_text_view_set_top_margin (variant->view, 10);
  gtk_text_view_set_bottom_margin (variant->view, 10);
  gtk_text_view_set_left_margin (variant->view, 12);
  gtk_text_view_set_right_margin (variant->view, 12);
  gtk_widget_set_size_request (GTK_WIDGET (variant->view), -1, 72);
  gtk_widget_add_css_class (GTK_WIDGET (variant->view), "card");
  gtk_accessible_update_relation (GTK_ACCESSIBLE (variant->view),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, variant->title, NULL,
                                  -1);
  /* The error colour of the GNOME palette, light enough to read through. */
  gdk_rgba_parse (&problem_underline, "#e01b24");
  gdk_rgba_parse (&problem_background, "rgba(224,27,36,0.16)");
  gtk_text_buffer_create_tag (gtk_text_view_get_buffer (variant->view), PROBLEM_TAG,
                              "underline", PANGO_UNDERLINE_ERROR,
                              "underline-rgba", &problem_underline,
                              "background-rgba", &problem_background,
                              NULL);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (variant->view), text != NULL ? text : "", -1);
  g_signal_connect_object (gtk_text_view_get_buffer (variant->view), "changed",
                           G_CALLBACK (text_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect (focus, "enter", G_CALLBACK (focus_entered_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (variant->view), focus);

  variant->error = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (variant->error, 0);
  gtk_label_set_wrap (variant->error, TRUE);
  gtk_label_set_wrap_mode (variant->error, PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_visible (GTK_WIDGET (variant->error), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (variant->error), "error");

  /* Its preview, right under it: a caption and the text in a bubble. */
  variant->preview_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  variant->preview_title = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (variant->preview_title, 0);
  gtk_widget_add_css_class (GTK_WIDGET (variant->preview_title), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (variant->preview_title), "dim-label");
  variant->preview = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (variant->preview, 0);
  gtk_label_set_wrap (variant->preview, TRUE);
  gtk_label_set_wrap_mode (variant->preview, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (variant->preview, TRUE);
  /* Reads like a chat bubble: .preview in style.css gives it padding and a tint. */
  bubble = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_halign (bubble, GTK_ALIGN_START);
  gtk_widget_add_css_class (bubble, "preview");
  gtk_box_append (GTK_BOX (bubble), GTK_WIDGET (variant->preview));
  gtk_box_append (GTK_BOX (variant->preview_box), GTK_WIDGET (variant->preview_title));
  gtk_box_append (GTK_BOX (variant->preview_box), bubble);
  gtk_widget_set_margin_start (variant->preview_box, 24);

  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (variant->view));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (variant->error));
  gtk_box_append (GTK_BOX (box), variant->preview_box);
  variant->frame = box;
  gtk_box_append (self->variants_box, box);

  g_ptr_array_add (self->variants, variant);
  return variant;
}

static void
clear_variants (XiTemplateEditor *self)
{
  while (self->variants->len > 0)
    remove_variant_at (self, self->variants->len - 1);
  self->last_focus = NULL;
}

static char *
contact_label (XiContact *contact,
               gpointer   user_data)
{
  return contact != NULL ? g_strdup (xi_contact_get_display_name (contact)) : NULL;
}

static void
rebuild_insert_menu (XiTemplateEditor *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) builtin = g_menu_new ();
  g_autoptr(GMenu) custom = g_menu_new ();
  const char * const *builtins = xi_template_builtin_variables ();
  const char * const *fields = self->context != NULL ? xi_context_get_custom_fields (self->context) : NULL;

  for (guint i = 0; builtins[i] != NULL; i++)
    {
      const char *label = builtins[i];
      g_autofree char *text = NULL;
      g_autoptr(GMenuItem) item = NULL;

      for (guint l = 0; l < G_N_ELEMENTS (builtin_labels); l++)
        if (g_str_equal (builtin_labels[l].name, builtins[i]))
          label = _(builtin_labels[l].label);
      /* Translators: a variable in the "Insert Variable" menu: "Name — {name}" */
      text = g_strdup_printf (_("%s — {%s}"), label, builtins[i]);
      item = g_menu_item_new (text, NULL);
      g_menu_item_set_action_and_target (item, "editor.insert-variable", "s", builtins[i]);
      g_menu_append_item (builtin, item);
    }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (builtin));

  for (guint i = 0; fields != NULL && fields[i] != NULL; i++)
    {
      g_autofree char *text = g_strdup_printf ("{%s}", fields[i]);
      g_autoptr(GMenuItem) item = g_menu_item_new (text, NULL);

      g_menu_item_set_action_and_target (item, "editor.insert-variable", "s", fields[i]);
      g_menu_append_item (custom, item);
    }
  if (g_menu_model_get_n_items (G_MENU_MODEL (custom)) > 0)
    g_menu_append_section (menu, _("Columns from your contacts"), G_MENU_MODEL (custom));

  gtk_menu_button_set_menu_model (self->insert_button, G_MENU_MODEL (menu));
}

static void
contacts_changed_cb (XiTemplateEditor *self)
{
  refresh (self);
}

/* Actions */

static void
insert_variable_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  XiTemplateEditor *self = XI_TEMPLATE_EDITOR (widget);
  guint index = 0;

  for (guint i = 0; i < self->variants->len; i++)
    if (variant_at (self, i)->view == self->last_focus)
      index = i;
  if (self->variants->len > 0)
    xi_template_editor_insert_variable (self, index, g_variant_get_string (parameter, NULL));
}

static void
add_variant_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  XiTemplateEditor *self = XI_TEMPLATE_EDITOR (widget);

  xi_template_editor_add_variant (self);
  gtk_widget_grab_focus (GTK_WIDGET (variant_at (self, self->variants->len - 1)->view));
}

static void
shuffle_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  xi_template_editor_shuffle (XI_TEMPLATE_EDITOR (widget));
}

static void
attach_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiTemplateEditor *self = XI_TEMPLATE_EDITOR (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;

  if (self->template_ == NULL || self->chooser != NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Attach a Picture or Document"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Attach"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (attach_chosen_cb), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
detach_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiTemplateEditor *self = XI_TEMPLATE_EDITOR (widget);

  if (self->template_ == NULL)
    return;
  g_clear_object (&self->attachment);
  xi_template_set_asset_id (self->template_, NULL);
  user_changed (self);
  show_attachment (self);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  xi_template_editor_save (XI_TEMPLATE_EDITOR (widget));
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(XiTemplateEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiTemplate) saved = xi_templates_facade_save_finish (XI_TEMPLATES_FACADE (object), result, &error);

  self->saving = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (saved == NULL)
    {
      self->store_error = g_strdup (error->message);
      if (g_error_matches (error, XI_STORE_ERROR, XI_STORE_ERROR_DUPLICATE))
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
          gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
        }
      refresh (self);
      return;
    }

  g_clear_object (&self->template_);
  self->template_ = xi_template_copy (saved);
  self->modified = FALSE;
  refresh (self);
  g_signal_emit (self, signals[SAVED], 0, saved);
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(XiTemplateEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  if (!xi_templates_facade_delete_finish (XI_TEMPLATES_FACADE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_free (self->store_error);
          self->store_error = g_strdup (error->message);
          refresh (self);
        }
      return;
    }

  id = g_strdup (xi_template_get_id (self->template_));
  xi_template_editor_edit (self, NULL);
  g_signal_emit (self, signals[DELETED], 0, id);
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    XiTemplateEditor *self)
{
  /* Answer once: closing the dialog may emit its close response too. */
  g_signal_handlers_disconnect_by_func (dialog, delete_response_cb, self);
  if (g_str_equal (response, "delete") && self->template_ != NULL &&
      xi_template_get_id (self->template_) != NULL)
    xi_templates_facade_delete_async (xi_context_get_templates_facade (self->context),
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
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  if (self->template_ == NULL || xi_template_get_id (self->template_) == NULL)
    return;

  heading = g_strdup_printf (_("Delete the Template “%s”?"), xi_template_get_name (self->template_));
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                   _("The template and all its variants are deleted. "
                                     "Your contacts and groups are not changed."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete Template"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Life cycle */

static void
xi_template_editor_dispose (GObject *object)
{
  XiTemplateEditor *self = (XiTemplateEditor *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  if (self->contact_dropdown != NULL)
    gtk_drop_down_set_model (self->contact_dropdown, NULL);
  self->last_focus = NULL;

  /* AdwBin 1.2 unparents its child in its own dispose: let go of it
   * first, so the template teardown does not unparent it twice. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), XI_TYPE_TEMPLATE_EDITOR);

  g_clear_pointer (&self->variants, g_ptr_array_unref);
  g_clear_object (&self->template_);
  g_clear_object (&self->attachment);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (xi_template_editor_parent_class)->dispose (object);
}

static void
xi_template_editor_finalize (GObject *object)
{
  XiTemplateEditor *self = (XiTemplateEditor *)object;

  g_clear_object (&self->cancellable);
  g_free (self->store_error);

  G_OBJECT_CLASS (xi_template_editor_parent_class)->finalize (object);
}

static void
xi_template_editor_class_init (XiTemplateEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_template_editor_dispose;
  object_class->finalize = xi_template_editor_finalize;

  /**
   * XiTemplateEditor::saved:
   * @template_: the template as stored (also put into the context's templates)
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, XI_TYPE_TEMPLATE);
  /**
   * XiTemplateEditor::deleted:
   * @id: the id of the deleted template
   */
  signals[DELETED] = g_signal_new ("deleted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-template-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, scrolled);
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, attachment_row);
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, attachment_image);
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, insert_button);
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, variants_box);
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, contact_dropdown);
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, warning_label);
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, no_preview_label);
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, delete_button);
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, save_message);
  gtk_widget_class_bind_template_child (widget_class, XiTemplateEditor, save_button);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, preview_changed_cb);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "editor.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "editor.add-variant", NULL, add_variant_action);
  gtk_widget_class_install_action (widget_class, "editor.shuffle", NULL, shuffle_action);
  gtk_widget_class_install_action (widget_class, "editor.attach", NULL, attach_action);
  gtk_widget_class_install_action (widget_class, "editor.detach", NULL, detach_action);
  gtk_widget_class_install_action (widget_class, "editor.insert-variable", "s", insert_variable_action);
}

static void
xi_template_editor_init (XiTemplateEditor *self)
{
  GtkShortcutController *shortcuts;
  struct {
    guint           key;
    GdkModifierType mods;
  } save_keys[] = {
    { GDK_KEY_Return, GDK_CONTROL_MASK },
    { GDK_KEY_KP_Enter, GDK_CONTROL_MASK },
    { GDK_KEY_s, GDK_CONTROL_MASK },
  };

  gtk_widget_init_template (GTK_WIDGET (self));

  self->variants = g_ptr_array_new_with_free_func (variant_free);
  self->cancellable = g_cancellable_new ();
  self->seed = 1;

  /* In the capture phase, so Ctrl+Enter saves even while a text view,
   * which would otherwise insert a line break, has the focus. */
  shortcuts = GTK_SHORTCUT_CONTROLLER (gtk_shortcut_controller_new ());
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (shortcuts), GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (save_keys); i++)
    gtk_shortcut_controller_add_shortcut (shortcuts,
                                          gtk_shortcut_new (gtk_keyval_trigger_new (save_keys[i].key,
                                                                                    save_keys[i].mods),
                                                            gtk_named_action_new ("editor.save")));
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (shortcuts));

  rebuild_insert_menu (self);
  refresh (self);
}

/* Public API */

/**
 * xi_template_editor_set_context:
 * @self: a #XiTemplateEditor
 * @context: the shared services
 *
 * Also call again when the custom fields may have changed (after a reload).
 */
void
xi_template_editor_set_context (XiTemplateEditor *self,
                                XiContext        *context)
{
  g_return_if_fail (XI_IS_TEMPLATE_EDITOR (self));
  g_return_if_fail (XI_IS_CONTEXT (context));

  if (self->context != context)
    {
      g_autoptr(GtkExpression) expression = NULL;

      if (self->context != NULL)
        {
          g_signal_handlers_disconnect_by_data (xi_context_get_contacts (self->context), self);
          g_signal_handlers_disconnect_by_data (xi_context_get_assets (self->context), self);
        }
      g_set_object (&self->context, context);
      expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                                G_CALLBACK (contact_label), NULL, NULL);
      gtk_drop_down_set_expression (self->contact_dropdown, expression);
      gtk_drop_down_set_model (self->contact_dropdown, xi_context_get_contacts (context));
      g_signal_connect_object (xi_context_get_contacts (context), "items-changed",
                               G_CALLBACK (contacts_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (xi_context_get_assets (context), "items-changed",
                               G_CALLBACK (assets_changed_cb), self, G_CONNECT_SWAPPED);
    }
  rebuild_insert_menu (self);
  refresh (self);
}

/**
 * xi_template_editor_edit:
 * @self: a #XiTemplateEditor
 * @template_: (nullable): the template to edit (a copy is edited); one
 *   without an id is created on save; %NULL shows nothing
 */
void
xi_template_editor_edit (XiTemplateEditor *self,
                         XiTemplate       *template_)
{
  const char * const *variants;

  g_return_if_fail (XI_IS_TEMPLATE_EDITOR (self));

  self->loading = TRUE;
  g_clear_object (&self->template_);
  g_clear_pointer (&self->store_error, g_free);
  gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  clear_variants (self);

  if (template_ != NULL)
    {
      self->template_ = xi_template_copy (template_);
      gtk_editable_set_text (GTK_EDITABLE (self->name_row),
                             xi_template_get_name (template_) != NULL ? xi_template_get_name (template_) : "");
      variants = xi_template_get_variants (template_);
      for (guint i = 0; variants != NULL && variants[i] != NULL; i++)
        append_variant (self, variants[i]);
      if (self->variants->len == 0)
        append_variant (self, NULL);
      rebuild_insert_menu (self);
    }
  else
    gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");

  self->loading = FALSE;
  self->modified = FALSE;
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled), 0);
  look_up_attachment (self);
  refresh (self);
}

/**
 * xi_template_editor_get_template:
 * @self: a #XiTemplateEditor
 *
 * Returns: (transfer none) (nullable): the template being edited, as last
 *   loaded or saved (not the unsaved text)
 */
XiTemplate *
xi_template_editor_get_template (XiTemplateEditor *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATE_EDITOR (self), NULL);
  return self->template_;
}

/* Whether the user changed anything since the template was loaded or saved. */
gboolean
xi_template_editor_get_modified (XiTemplateEditor *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATE_EDITOR (self), FALSE);
  return self->template_ != NULL && self->modified;
}

/* Puts the cursor in the name, all of it selected, so typing replaces it. */
void
xi_template_editor_focus_name (XiTemplateEditor *self)
{
  g_return_if_fail (XI_IS_TEMPLATE_EDITOR (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  gtk_editable_select_region (GTK_EDITABLE (self->name_row), 0, -1);
}

void
xi_template_editor_set_name (XiTemplateEditor *self,
                             const char       *name)
{
  g_return_if_fail (XI_IS_TEMPLATE_EDITOR (self));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name != NULL ? name : "");
}

guint
xi_template_editor_get_n_variants (XiTemplateEditor *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATE_EDITOR (self), 0);
  return self->variants->len;
}

void
xi_template_editor_set_variant_text (XiTemplateEditor *self,
                                     guint             index,
                                     const char       *text)
{
  g_return_if_fail (XI_IS_TEMPLATE_EDITOR (self));
  g_return_if_fail (index < self->variants->len);

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (variant_at (self, index)->view), text, -1);
}

void
xi_template_editor_add_variant (XiTemplateEditor *self)
{
  g_return_if_fail (XI_IS_TEMPLATE_EDITOR (self));

  if (self->template_ == NULL)
    return;
  append_variant (self, NULL);
  user_changed (self);
}

/* A template keeps at least one variant. */
void
xi_template_editor_remove_variant (XiTemplateEditor *self,
                                   guint             index)
{
  g_return_if_fail (XI_IS_TEMPLATE_EDITOR (self));
  g_return_if_fail (index < self->variants->len);

  if (self->variants->len <= 1)
    return;
  remove_variant_at (self, index);
  gtk_widget_grab_focus (GTK_WIDGET (variant_at (self, MIN (index, self->variants->len - 1))->view));
  user_changed (self);
}

/* Types {variable} at the cursor of variant @index. */
void
xi_template_editor_insert_variable (XiTemplateEditor *self,
                                    guint             index,
                                    const char       *variable)
{
  g_autofree char *text = NULL;
  GtkTextView *view;

  g_return_if_fail (XI_IS_TEMPLATE_EDITOR (self));
  g_return_if_fail (index < self->variants->len);
  g_return_if_fail (variable != NULL);

  view = variant_at (self, index)->view;
  text = g_strdup_printf ("{%s}", variable);
  gtk_text_buffer_insert_at_cursor (gtk_text_view_get_buffer (view), text, -1);
  gtk_widget_grab_focus (GTK_WIDGET (view));
}

gboolean
xi_template_editor_can_save (XiTemplateEditor *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATE_EDITOR (self), FALSE);
  return self->can_save;
}

/**
 * xi_template_editor_dup_error:
 * @self: a #XiTemplateEditor
 * @index: a variant
 *
 * Returns: (transfer full): the problem shown under the variant, or ""
 */
char *
xi_template_editor_dup_error (XiTemplateEditor *self,
                              guint             index)
{
  g_return_val_if_fail (XI_IS_TEMPLATE_EDITOR (self), NULL);
  g_return_val_if_fail (index < self->variants->len, NULL);
  return g_strdup (gtk_label_get_text (variant_at (self, index)->error));
}

/**
 * xi_template_editor_dup_marked:
 * @self: a #XiTemplateEditor
 * @index: a variant
 *
 * Returns: (transfer full): each stretch of the variant's text marked as a
 *   problem, in order, separated by newlines; "" when none is marked
 */
char *
xi_template_editor_dup_marked (XiTemplateEditor *self,
                               guint             index)
{
  GtkTextBuffer *buffer;
  GtkTextTag *tag;
  g_autoptr(GString) marked = g_string_new (NULL);
  GtkTextIter iter;

  g_return_val_if_fail (XI_IS_TEMPLATE_EDITOR (self), NULL);
  g_return_val_if_fail (index < self->variants->len, NULL);

  buffer = gtk_text_view_get_buffer (variant_at (self, index)->view);
  tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), PROBLEM_TAG);
  gtk_text_buffer_get_start_iter (buffer, &iter);
  do
    {
      GtkTextIter end = iter;
      g_autofree char *piece = NULL;

      if (!gtk_text_iter_starts_tag (&iter, tag))
        continue;
      gtk_text_iter_forward_to_tag_toggle (&end, tag);
      piece = gtk_text_iter_get_text (&iter, &end);
      if (marked->len > 0)
        g_string_append_c (marked, '\n');
      g_string_append (marked, piece);
    }
  while (gtk_text_iter_forward_to_tag_toggle (&iter, tag));

  return g_string_free (g_steal_pointer (&marked), FALSE);
}

/**
 * xi_template_editor_dup_preview:
 * @self: a #XiTemplateEditor
 * @index: a variant
 *
 * Returns: (transfer full): the variant as the preview contact would get it
 */
char *
xi_template_editor_dup_preview (XiTemplateEditor *self,
                                guint             index)
{
  g_return_val_if_fail (XI_IS_TEMPLATE_EDITOR (self), NULL);
  g_return_val_if_fail (index < self->variants->len, NULL);
  return g_strdup (gtk_label_get_text (variant_at (self, index)->preview));
}

/**
 * xi_template_editor_dup_warning:
 * @self: a #XiTemplateEditor
 *
 * Returns: (transfer full): the missing-variable warning, or ""
 */
char *
xi_template_editor_dup_warning (XiTemplateEditor *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATE_EDITOR (self), NULL);
  return g_strdup (gtk_label_get_text (self->warning_label));
}

/**
 * xi_template_editor_dup_message:
 * @self: a #XiTemplateEditor
 *
 * Returns: (transfer full): the line beside Save (why it is off, or why
 *   saving failed), or ""
 */
char *
xi_template_editor_dup_message (XiTemplateEditor *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATE_EDITOR (self), NULL);
  return g_strdup (gtk_label_get_text (self->save_message));
}

void
xi_template_editor_preview_contact (XiTemplateEditor *self,
                                    XiContact        *contact)
{
  GListModel *contacts;
  guint n;

  g_return_if_fail (XI_IS_TEMPLATE_EDITOR (self));
  g_return_if_fail (self->context != NULL);

  contacts = xi_context_get_contacts (self->context);
  n = g_list_model_get_n_items (contacts);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(XiContact) item = g_list_model_get_item (contacts, i);

      if (g_strcmp0 (xi_contact_get_id (item), xi_contact_get_id (contact)) == 0)
        {
          gtk_drop_down_set_selected (self->contact_dropdown, i);
          break;
        }
    }
}

/* Picks other choices for the preview. */
void
xi_template_editor_shuffle (XiTemplateEditor *self)
{
  guint32 seed;

  g_return_if_fail (XI_IS_TEMPLATE_EDITOR (self));

  do
    seed = g_random_int ();
  while (seed == self->seed);
  self->seed = seed;
  refresh (self);
}

/**
 * xi_template_editor_save:
 * @self: a #XiTemplateEditor
 *
 * Saves the template when every variant is valid. On success the context's
 * templates are updated and #XiTemplateEditor::saved is emitted; on failure
 * (such as a name another template has) the reason is shown beside Save.
 */
void
xi_template_editor_save (XiTemplateEditor *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) variants = NULL;
  g_autofree char *name = NULL;

  g_return_if_fail (XI_IS_TEMPLATE_EDITOR (self));

  refresh (self);
  if (!self->can_save)
    return;

  for (guint i = 0; i < self->variants->len; i++)
    {
      g_autofree char *text = buffer_text (variant_at (self, i)->view);

      g_strv_builder_add (builder, text);
    }
  variants = g_strv_builder_end (builder);
  name = dup_name (self);

  xi_template_set_name (self->template_, name);
  xi_template_set_variants (self->template_, (const char * const *)variants);
  /* Only Save is switched off while the store works (see refresh()). */
  self->saving = TRUE;
  refresh (self);
  xi_templates_facade_save_async (xi_context_get_templates_facade (self->context), self->template_,
                                  self->cancellable, saved_cb, g_object_ref (self));
}

/**
 * xi_template_editor_attach_file:
 * @self: a #XiTemplateEditor
 * @file: a picture or document
 *
 * Adds @file to the assets and attaches it to the template being edited;
 * it is saved with the template. A file WhatsApp would refuse says why
 * where Save does.
 */
void
xi_template_editor_attach_file (XiTemplateEditor *self,
                                GFile            *file)
{
  g_autofree char *path = NULL;

  g_return_if_fail (XI_IS_TEMPLATE_EDITOR (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  if (path == NULL || self->template_ == NULL)
    return;
  xi_assets_facade_add_async (xi_context_get_assets_facade (self->context), path, self->cancellable,
                              attachment_added_cb, g_object_ref (self));
}

/**
 * xi_template_editor_get_attachment:
 * @self: a #XiTemplateEditor
 *
 * Returns: (transfer none) (nullable): the attachment shown
 */
XiAsset *
xi_template_editor_get_attachment (XiTemplateEditor *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATE_EDITOR (self), NULL);
  return self->attachment;
}
