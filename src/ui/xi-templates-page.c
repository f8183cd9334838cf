/* xi-templates-page.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-templates-page"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-list-keys.h"
#include "xi-templates-page.h"

/*
 * The templates, sorted by name and searchable, on the left; the selected
 * one in the editor on the right. Switching away from unsaved changes asks
 * first.
 */
struct _XiTemplatesPage
{
  XiPage              parent_instance;

  /* Template widgets */
  GtkStack           *content_stack;
  GtkSearchEntry     *search_entry;
  GtkStack           *list_stack;
  GtkListView        *template_list;
  GtkStack           *editor_stack;
  XiTemplateEditor   *editor;

  /* Owned */
  GtkSortListModel   *sorted;
  GtkCustomFilter    *filter;
  GtkFilterListModel *filtered;
  GtkSingleSelection *selection;
  char               *needle;          /* casefolded search, or NULL */
  char               *pending_id;      /* what to open once changes are discarded */
  gboolean            pending_new;
  gboolean            creating;        /* the editor holds a template not saved yet */
};

G_DEFINE_FINAL_TYPE (XiTemplatesPage, xi_templates_page, XI_TYPE_PAGE)

/* Auxiliary methods */

static XiContext *
context_of (XiTemplatesPage *self)
{
  return xi_page_get_context (XI_PAGE (self));
}

static const char *
editor_template_id (XiTemplatesPage *self)
{
  XiTemplate *shown = xi_template_editor_get_template (self->editor);

  return shown != NULL ? xi_template_get_id (shown) : NULL;
}

static gboolean
template_matches (XiTemplate *template_,
                  const char *needle)
{
  const char * const *variants;
  g_autofree char *name = NULL;

  if (needle == NULL)
    return TRUE;

  name = g_utf8_casefold (xi_template_get_name (template_), -1);
  if (strstr (name, needle) != NULL)
    return TRUE;

  variants = xi_template_get_variants (template_);
  for (guint i = 0; variants != NULL && variants[i] != NULL; i++)
    {
      g_autofree char *text = g_utf8_casefold (variants[i], -1);

      if (strstr (text, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static gboolean
template_visible_cb (gpointer item,
                     gpointer user_data)
{
  XiTemplatesPage *self = user_data;

  return template_matches (item, self->needle);
}

static void
update_state (XiTemplatesPage *self)
{
  XiContext *context = context_of (self);
  gboolean any = context != NULL && g_list_model_get_n_items (xi_context_get_templates (context)) > 0;
  gboolean shown = self->filtered != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0;
  gboolean editing = xi_template_editor_get_template (self->editor) != NULL;

  if (self->content_stack == NULL)
    return;

  gtk_stack_set_visible_child_name (self->content_stack, any || self->creating ? "templates" : "empty");
  gtk_stack_set_visible_child_name (self->list_stack, shown || self->needle == NULL ? "list" : "no-results");
  gtk_stack_set_visible_child_name (self->editor_stack, editing ? "editor" : "none");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "templates.delete",
                                 editing && editor_template_id (self) != NULL);
}

static char *
unique_new_name (XiTemplatesPage *self)
{
  GListModel *templates = xi_context_get_templates (context_of (self));
  guint n = g_list_model_get_n_items (templates);

  for (guint number = 1; ; number++)
    {
      g_autofree char *name = number == 1 ? g_strdup (_("New template"))
                                          /* Translators: a name for a new template, "New template 2" */
                                          : g_strdup_printf (_("New template %u"), number);
      g_autofree char *key = g_utf8_casefold (name, -1);
      gboolean taken = FALSE;

      for (guint i = 0; i < n && !taken; i++)
        {
          g_autoptr(XiTemplate) other = g_list_model_get_item (templates, i);
          g_autofree char *other_key = g_utf8_casefold (xi_template_get_name (other), -1);

          taken = g_str_equal (key, other_key);
        }
      if (!taken)
        return g_steal_pointer (&name);
    }
}

/* Selects @id in the list without reopening it in the editor. */
static void
select_quietly (XiTemplatesPage *self,
                const char      *id)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  guint n = g_list_model_get_n_items (model);
  guint position = GTK_INVALID_LIST_POSITION;

  for (guint i = 0; id != NULL && i < n; i++)
    {
      g_autoptr(XiTemplate) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (xi_template_get_id (item), id) == 0)
        {
          position = i;
          break;
        }
    }

  g_signal_handlers_block_matched (self->selection, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_single_selection_set_selected (self->selection, position);
  g_signal_handlers_unblock_matched (self->selection, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
}

static void
open_template (XiTemplatesPage *self,
               XiTemplate      *template_)
{
  self->creating = FALSE;
  xi_template_editor_edit (self->editor, template_);
  update_state (self);
}

static void
start_new (XiTemplatesPage *self)
{
  g_autoptr(XiTemplate) fresh = NULL;
  g_autofree char *name = unique_new_name (self);
  const char *variants[] = { _("Halo {first_name|Kak}, "), NULL };

  fresh = xi_template_new (name);
  xi_template_set_variants (fresh, variants);
  select_quietly (self, NULL);
  xi_template_editor_edit (self->editor, fresh);
  self->creating = TRUE;
  update_state (self);
  xi_template_editor_focus_name (self->editor);
}

static void
discard_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     XiTemplatesPage  *self)
{
  /* Answer once: closing the dialog may emit its close response too. */
  g_signal_handlers_disconnect_by_func (dialog, discard_response_cb, self);
  if (g_str_equal (response, "discard"))
    {
      if (self->pending_new)
        start_new (self);
      else if (self->pending_id != NULL)
        {
          XiTemplate *found = NULL;
          GListModel *model = G_LIST_MODEL (self->selection);
          guint n = g_list_model_get_n_items (model);

          for (guint i = 0; i < n && found == NULL; i++)
            {
              g_autoptr(XiTemplate) item = g_list_model_get_item (model, i);

              if (g_strcmp0 (xi_template_get_id (item), self->pending_id) == 0)
                found = item;
            }
          if (found != NULL)
            {
              open_template (self, found);
              select_quietly (self, self->pending_id);
            }
        }
    }
  self->pending_new = FALSE;
  g_clear_pointer (&self->pending_id, g_free);
}

/* The editor has unsaved changes: put the selection back and ask. */
static void
ask_to_discard (XiTemplatesPage *self,
                const char      *next_id,
                gboolean         next_is_new)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  g_free (self->pending_id);
  self->pending_id = g_strdup (next_id);
  self->pending_new = next_is_new;
  select_quietly (self, editor_template_id (self));

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Discard Unsaved Changes?"),
                                   _("The changes you made to this template have not been saved."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "keep", _("_Keep Editing"),
                                    "discard", _("_Discard Changes"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect_object (dialog, "response", G_CALLBACK (discard_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Callbacks */

static void
selection_changed_cb (XiTemplatesPage *self)
{
  XiTemplate *selected = gtk_single_selection_get_selected_item (self->selection);

  /* Nothing selected: the shown template went away for a moment (saving
   * replaces it in the model) or was filtered out; keep the editor. */
  if (selected == NULL)
    return;
  if (!self->creating && g_strcmp0 (xi_template_get_id (selected), editor_template_id (self)) == 0)
    return;

  if (xi_template_editor_get_modified (self->editor))
    ask_to_discard (self, xi_template_get_id (selected), FALSE);
  else
    open_template (self, selected);
}

static void
search_changed_cb (XiTemplatesPage *self,
                   GtkSearchEntry  *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  g_clear_pointer (&self->needle, g_free);
  if (text[0] != '\0')
    self->needle = g_utf8_casefold (text, -1);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  select_quietly (self, editor_template_id (self));
  update_state (self);
}

static void
template_saved_cb (XiTemplatesPage *self,
                   XiTemplate      *saved)
{
  self->creating = FALSE;
  select_quietly (self, xi_template_get_id (saved));
  update_state (self);
  xi_page_toast (XI_PAGE (self), _("Saved the template “%s”"), xi_template_get_name (saved));
}

static void
template_deleted_cb (XiTemplatesPage *self,
                     const char      *id)
{
  self->creating = FALSE;
  select_quietly (self, NULL);
  update_state (self);
  xi_page_toast (XI_PAGE (self), "%s", _("Deleted the template"));
  gtk_widget_grab_focus (GTK_WIDGET (self->template_list));
}

static void
templates_changed_cb (XiTemplatesPage *self)
{
  update_state (self);
}

/* New custom fields may have arrived with a reload. */
static void
context_loaded_cb (XiTemplatesPage *self)
{
  xi_template_editor_set_context (self->editor, context_of (self));
  update_state (self);
}

/* Rows */

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *count = gtk_label_new (NULL);
  GtkWidget *first_line = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (count), 0);
  gtk_widget_add_css_class (count, "dim-label");
  gtk_widget_add_css_class (count, "caption");
  gtk_label_set_xalign (GTK_LABEL (first_line), 0);
  gtk_label_set_ellipsize (GTK_LABEL (first_line), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (first_line), TRUE);
  gtk_widget_add_css_class (first_line, "dim-label");
  gtk_widget_add_css_class (first_line, "caption");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), first_line);
  gtk_box_append (GTK_BOX (box), count);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_list_item_set_child (item, box);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item)
{
  XiTemplate *template_ = gtk_list_item_get_item (item);
  GtkWidget *name = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  GtkWidget *first_line = gtk_widget_get_next_sibling (name);
  GtkWidget *count = gtk_widget_get_next_sibling (first_line);
  const char * const *variants = xi_template_get_variants (template_);
  const char *first = variants != NULL && variants[0] != NULL ? variants[0] : "";
  guint n = xi_template_get_n_variants (template_);
  g_autofree char *line = g_strndup (first, strcspn (first, "\n"));
  g_autofree char *count_text = g_strdup_printf (ngettext ("%u variant", "%u variants", n), n);

  gtk_label_set_text (GTK_LABEL (name), xi_template_get_name (template_));
  gtk_label_set_text (GTK_LABEL (first_line), line);
  gtk_label_set_text (GTK_LABEL (count), count_text);
}

/* Actions */

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  XiTemplatesPage *self = XI_TEMPLATES_PAGE (widget);

  if (context_of (self) == NULL)
    return;
  if (xi_template_editor_get_modified (self->editor))
    ask_to_discard (self, NULL, TRUE);
  else
    start_new (self);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiTemplatesPage *self = XI_TEMPLATES_PAGE (widget);

  if (g_str_equal (gtk_stack_get_visible_child_name (self->content_stack), "templates"))
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiTemplatesPage *self = XI_TEMPLATES_PAGE (widget);

  gtk_widget_activate_action (GTK_WIDGET (self->editor), "editor.delete", NULL);
}

/* Life cycle */

static void
xi_templates_page_context_set (XiPage    *page,
                               XiContext *context)
{
  XiTemplatesPage *self = XI_TEMPLATES_PAGE (page);
  GtkExpression *name = gtk_property_expression_new (XI_TYPE_TEMPLATE, NULL, "name");

  self->sorted = gtk_sort_list_model_new (g_object_ref (xi_context_get_templates (context)),
                                          GTK_SORTER (gtk_string_sorter_new (name)));
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->sorted)),
                                              GTK_FILTER (g_object_ref (self->filter)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->filtered)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  gtk_list_view_set_model (self->template_list, GTK_SELECTION_MODEL (self->selection));
  xi_template_editor_set_context (self->editor, context);

  g_signal_connect_object (self->selection, "notify::selected-item", G_CALLBACK (selection_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (xi_context_get_templates (context), "items-changed",
                           G_CALLBACK (templates_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (context, "loaded", G_CALLBACK (context_loaded_cb), self, G_CONNECT_SWAPPED);
  update_state (self);
}

static void
xi_templates_page_dispose (GObject *object)
{
  XiTemplatesPage *self = (XiTemplatesPage *)object;

  /* AdwBin 1.2 unparents its child in its own dispose: let go of it
   * first, so the template teardown does not unparent it twice. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), XI_TYPE_TEMPLATES_PAGE);

  g_clear_object (&self->selection);
  g_clear_object (&self->filtered);
  g_clear_object (&self->sorted);
  g_clear_object (&self->filter);

  G_OBJECT_CLASS (xi_templates_page_parent_class)->dispose (object);
}

static void
xi_templates_page_finalize (GObject *object)
{
  XiTemplatesPage *self = (XiTemplatesPage *)object;

  g_free (self->needle);
  g_free (self->pending_id);

  G_OBJECT_CLASS (xi_templates_page_parent_class)->finalize (object);
}

static void
xi_templates_page_class_init (XiTemplatesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_templates_page_dispose;
  object_class->finalize = xi_templates_page_finalize;
  XI_PAGE_CLASS (klass)->context_set = xi_templates_page_context_set;

  g_type_ensure (XI_TYPE_TEMPLATE_EDITOR);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-templates-page.ui");
  gtk_widget_class_bind_template_child (widget_class, XiTemplatesPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, XiTemplatesPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, XiTemplatesPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, XiTemplatesPage, template_list);
  gtk_widget_class_bind_template_child (widget_class, XiTemplatesPage, editor_stack);
  gtk_widget_class_bind_template_child (widget_class, XiTemplatesPage, editor);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, template_saved_cb);
  gtk_widget_class_bind_template_callback (widget_class, template_deleted_cb);

  gtk_widget_class_install_action (widget_class, "page.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "page.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "templates.delete", NULL, delete_action);
}

static void
xi_templates_page_init (XiTemplatesPage *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  xi_list_keys_attach (GTK_WIDGET (self->template_list), self->search_entry);

  self->filter = gtk_custom_filter_new (template_visible_cb, self, NULL);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  gtk_list_view_set_factory (self->template_list, factory);
  update_state (self);
}

/* Public API */

XiTemplateEditor *
xi_templates_page_get_editor (XiTemplatesPage *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATES_PAGE (self), NULL);
  return self->editor;
}

/**
 * xi_templates_page_get_templates:
 * @self: a #XiTemplatesPage
 *
 * Returns: (transfer none) (nullable): the templates as listed
 */
GListModel *
xi_templates_page_get_templates (XiTemplatesPage *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATES_PAGE (self), NULL);
  return G_LIST_MODEL (self->selection);
}

/* Selects the template as if the user had clicked it. */
gboolean
xi_templates_page_select_template (XiTemplatesPage *self,
                                   const char      *template_id)
{
  GListModel *model;
  guint n;

  g_return_val_if_fail (XI_IS_TEMPLATES_PAGE (self), FALSE);

  if (self->selection == NULL)
    return FALSE;

  model = G_LIST_MODEL (self->selection);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(XiTemplate) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (xi_template_get_id (item), template_id) == 0)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }
  return FALSE;
}

void
xi_templates_page_set_search (XiTemplatesPage *self,
                              const char      *text)
{
  g_return_if_fail (XI_IS_TEMPLATES_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  search_changed_cb (self, self->search_entry);
}
