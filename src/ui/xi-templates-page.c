/* xi-templates-page.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-templates-page"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-templates-page.h"

/* The templates on the left, the one selected in the editor on the right. */
struct _XiTemplatesPage
{
  XiPage              parent_instance;

  /* Template widgets */
  GtkStack           *content_stack;
  GtkListView        *template_list;
  XiTemplateEditor   *editor;

  /* Owned */
  GtkSingleSelection *selection;
  gboolean            creating;
};

G_DEFINE_FINAL_TYPE (XiTemplatesPage, xi_templates_page, XI_TYPE_PAGE)

static void
update_state (XiTemplatesPage *self)
{
  GListModel *templates = xi_context_get_templates (xi_page_get_context (XI_PAGE (self)));

  gtk_stack_set_visible_child_name (self->content_stack,
                                    g_list_model_get_n_items (templates) > 0 || self->creating
                                    ? "templates" : "empty");
}

static void
selection_changed_cb (XiTemplatesPage *self)
{
  XiTemplate *selected = gtk_single_selection_get_selected_item (self->selection);

  if (self->creating && selected == NULL)
    return;
  self->creating = FALSE;
  xi_template_editor_edit (self->editor, selected);
  update_state (self);
}

static void
template_saved_cb (XiTemplatesPage *self,
                   XiTemplate      *saved)
{
  GListModel *templates = G_LIST_MODEL (self->selection);
  guint n = g_list_model_get_n_items (templates);

  self->creating = FALSE;
  xi_page_toast (XI_PAGE (self), _("Saved the template %s"), xi_template_get_name (saved));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(XiTemplate) item = g_list_model_get_item (templates, i);

      if (g_strcmp0 (xi_template_get_id (item), xi_template_get_id (saved)) == 0)
        {
          g_signal_handlers_block_by_func (self->selection, selection_changed_cb, self);
          gtk_single_selection_set_selected (self->selection, i);
          g_signal_handlers_unblock_by_func (self->selection, selection_changed_cb, self);
          break;
        }
    }
}

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  XiTemplatesPage *self = XI_TEMPLATES_PAGE (widget);
  g_autoptr(XiTemplate) fresh = xi_template_new (_("New template"));
  const char *variants[] = { _("Halo {first_name|Kak}, "), NULL };

  xi_template_set_variants (fresh, variants);
  self->creating = TRUE;
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  xi_template_editor_edit (self->editor, fresh);
  update_state (self);
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *detail = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_label_set_ellipsize (GTK_LABEL (detail), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (detail), TRUE);
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_widget_add_css_class (detail, "caption");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), detail);
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
  const char * const *variants = xi_template_get_variants (template_);
  guint n = xi_template_get_n_variants (template_);
  g_autofree char *first_line = g_strndup (variants[0] != NULL ? variants[0] : "",
                                           strcspn (variants[0] != NULL ? variants[0] : "", "\n"));
  g_autofree char *detail = g_strdup_printf (ngettext ("%u variant · %s", "%u variants · %s", n), n, first_line);

  gtk_label_set_text (GTK_LABEL (name), xi_template_get_name (template_));
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_next_sibling (name)), detail);
}

/* New custom fields may have arrived with an import. */
static void
context_loaded_cb (XiTemplatesPage *self)
{
  xi_template_editor_set_context (self->editor, xi_page_get_context (XI_PAGE (self)));
}

static void
xi_templates_page_context_set (XiPage    *page,
                               XiContext *context)
{
  XiTemplatesPage *self = XI_TEMPLATES_PAGE (page);

  self->selection = gtk_single_selection_new (g_object_ref (xi_context_get_templates (context)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_list_view_set_model (self->template_list, GTK_SELECTION_MODEL (self->selection));
  xi_template_editor_set_context (self->editor, context);

  g_signal_connect_object (self->selection, "notify::selected-item", G_CALLBACK (selection_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (xi_context_get_templates (context), "items-changed",
                           G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (context, "loaded", G_CALLBACK (context_loaded_cb), self, G_CONNECT_SWAPPED);
  update_state (self);
}

static void
xi_templates_page_dispose (GObject *object)
{
  XiTemplatesPage *self = (XiTemplatesPage *)object;

  if (self->template_list != NULL)
    gtk_list_view_set_model (self->template_list, NULL);
  g_clear_object (&self->selection);

  G_OBJECT_CLASS (xi_templates_page_parent_class)->dispose (object);
}

static void
xi_templates_page_class_init (XiTemplatesPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = xi_templates_page_dispose;
  XI_PAGE_CLASS (klass)->context_set = xi_templates_page_context_set;

  g_type_ensure (XI_TYPE_TEMPLATE_EDITOR);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-templates-page.ui");
  gtk_widget_class_bind_template_child (widget_class, XiTemplatesPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, XiTemplatesPage, template_list);
  gtk_widget_class_bind_template_child (widget_class, XiTemplatesPage, editor);
  gtk_widget_class_bind_template_callback (widget_class, template_saved_cb);

  gtk_widget_class_install_action (widget_class, "page.new", NULL, new_action);
}

static void
xi_templates_page_init (XiTemplatesPage *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  gtk_list_view_set_factory (self->template_list, factory);
}

XiTemplateEditor *
xi_templates_page_get_editor (XiTemplatesPage *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATES_PAGE (self), NULL);
  return self->editor;
}
