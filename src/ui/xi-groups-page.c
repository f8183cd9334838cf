/* xi-groups-page.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-groups-page"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-group-dialog.h"
#include "xi-groups-page.h"
#include "xi-phone.h"

/* The groups on the left; the members of the selected one on the right. */
struct _XiGroupsPage
{
  XiPage              parent_instance;

  /* Template widgets */
  GtkStack           *content_stack;
  GtkListView        *group_list;
  GtkSearchEntry     *member_search;
  GtkStack           *members_stack;
  GtkListView        *member_list;

  /* Owned */
  GtkSingleSelection *group_selection;
  GtkCustomFilter    *member_filter;
  GtkFilterListModel *members;
  GtkMultiSelection  *member_selection;
  char               *needle;
  GCancellable       *cancellable;
};

G_DEFINE_FINAL_TYPE (XiGroupsPage, xi_groups_page, XI_TYPE_PAGE)

static XiContext *
context_of (XiGroupsPage *self)
{
  return xi_page_get_context (XI_PAGE (self));
}

static XiGroup *
selected_group (XiGroupsPage *self)
{
  if (self->group_selection == NULL)
    return NULL;
  return gtk_single_selection_get_selected_item (self->group_selection);
}

static gboolean
member_visible_cb (gpointer item,
                   gpointer user_data)
{
  XiGroupsPage *self = user_data;
  XiGroup *group = selected_group (self);

  return group != NULL && xi_contact_is_in_group (item, xi_group_get_id (group)) &&
         xi_contact_matches (item, self->needle);
}

static void
update_state (XiGroupsPage *self)
{
  XiContext *context = context_of (self);
  gboolean any = context != NULL && g_list_model_get_n_items (xi_context_get_groups (context)) > 0;
  gboolean have_members = self->members != NULL &&
                          (g_list_model_get_n_items (G_LIST_MODEL (self->members)) > 0 ||
                           gtk_filter_list_model_get_pending (self->members) > 0);

  gtk_stack_set_visible_child_name (self->content_stack, any ? "groups" : "empty");
  gtk_stack_set_visible_child_name (self->members_stack, have_members ? "members" : "no-members");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "groups.edit", selected_group (self) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "groups.delete", selected_group (self) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "groups.remove-members", have_members);
}

static void
refilter (XiGroupsPage *self)
{
  gtk_filter_changed (GTK_FILTER (self->member_filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_state (self);
}

/* Rows */

static void
setup_group_row_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *count = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (count), 0);
  gtk_widget_add_css_class (count, "dim-label");
  gtk_widget_add_css_class (count, "caption");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), count);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_list_item_set_child (item, box);
}

static void
fill_group_row (GtkListItem *item)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  XiGroup *group = gtk_list_item_get_item (item);
  GtkWidget *name = gtk_widget_get_first_child (box);
  GtkWidget *count = gtk_widget_get_next_sibling (name);
  guint n = xi_group_get_member_count (group);
  g_autofree char *text = g_strdup_printf (ngettext ("%u contact", "%u contacts", n), n);
  const char *colour = xi_group_get_colour (group);

  gtk_label_set_text (GTK_LABEL (name), xi_group_get_name (group));
  gtk_label_set_text (GTK_LABEL (count), text);
  gtk_widget_set_css_classes (name, (const char *[]) { "group-name", colour != NULL ? colour : "none", NULL });
}

static void
bind_group_row_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item)
{
  gulong id;

  fill_group_row (item);
  id = g_signal_connect_swapped (gtk_list_item_get_item (item), "notify",
                                 G_CALLBACK (fill_group_row), item);
  g_object_set_data (G_OBJECT (item), "notify-id", GSIZE_TO_POINTER (id));
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item)
{
  gulong id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (item), "notify-id"));

  if (id != 0)
    g_signal_handler_disconnect (gtk_list_item_get_item (item), id);
  g_object_set_data (G_OBJECT (item), "notify-id", NULL);
}

static void
setup_member_row_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *name = gtk_inscription_new (NULL);
  GtkWidget *phone = gtk_label_new (NULL);

  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (phone, "dim-label");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), phone);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_list_item_set_child (item, box);
}

static void
bind_member_row_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  XiContact *contact = gtk_list_item_get_item (item);
  GtkWidget *name = gtk_widget_get_first_child (box);
  g_autofree char *phone = xi_phone_format_international (xi_contact_get_phone (contact));

  gtk_inscription_set_text (GTK_INSCRIPTION (name), xi_contact_get_name (contact));
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_next_sibling (name)), phone);
}

static GtkListItemFactory *
factory_new (GCallback setup,
             GCallback bind,
             GCallback unbind)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", setup, NULL);
  g_signal_connect (factory, "bind", bind, NULL);
  if (unbind != NULL)
    g_signal_connect (factory, "unbind", unbind, NULL);
  return factory;
}

/* Callbacks and actions */

static void
member_search_changed_cb (XiGroupsPage   *self,
                          GtkSearchEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  g_clear_pointer (&self->needle, g_free);
  if (text[0] != '\0')
    self->needle = g_utf8_casefold (text, -1);
  refilter (self);
}

static void
open_dialog (XiGroupsPage *self,
             XiGroup      *group)
{
  GtkWidget *dialog = xi_group_dialog_new (context_of (self), group);

  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  open_dialog (XI_GROUPS_PAGE (widget), NULL);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (XI_GROUPS_PAGE (widget)->member_search));
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  XiGroup *group = selected_group (XI_GROUPS_PAGE (widget));

  if (group != NULL)
    open_dialog (XI_GROUPS_PAGE (widget), group);
}

typedef struct
{
  XiGroupsPage *self;
  XiGroup      *group;
  GPtrArray    *contacts;
} GroupOp;

static void
group_op_free (GroupOp *op)
{
  g_object_unref (op->self);
  g_object_unref (op->group);
  g_clear_pointer (&op->contacts, g_ptr_array_unref);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GroupOp, group_op_free)

static GroupOp *
group_op_new (XiGroupsPage *self,
              XiGroup      *group)
{
  GroupOp *op = g_new0 (GroupOp, 1);

  op->self = g_object_ref (self);
  op->group = g_object_ref (group);
  return op;
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GroupOp) op = user_data;
  g_autoptr(GError) error = NULL;
  XiContext *context = context_of (op->self);
  GListModel *contacts = xi_context_get_contacts (context);
  guint n = g_list_model_get_n_items (contacts);

  if (!xi_store_delete_group_finish (XI_STORE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        xi_page_toast (XI_PAGE (op->self), "%s", error->message);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(XiContact) contact = g_list_model_get_item (contacts, i);
      xi_contact_remove_group_id (contact, xi_group_get_id (op->group));
    }
  xi_context_remove_item (context, xi_context_get_groups (context), xi_group_get_id (op->group));
  xi_page_toast (XI_PAGE (op->self), _("Deleted the group %s; its contacts were kept"),
                 xi_group_get_name (op->group));
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  GroupOp *op = user_data;

  if (!g_str_equal (response, "delete"))
    {
      group_op_free (op);
      return;
    }
  xi_store_delete_group_async (xi_context_get_store (context_of (op->self)), xi_group_get_id (op->group),
                               op->self->cancellable, deleted_cb, op);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiGroupsPage *self = XI_GROUPS_PAGE (widget);
  XiGroup *group = selected_group (self);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (group == NULL)
    return;

  heading = g_strdup_printf (_("Delete the Group “%s”?"), xi_group_get_name (group));
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), heading,
                                   _("The contacts in it are kept; only the group is deleted."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (delete_response_cb), group_op_new (self, group));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
members_removed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GroupOp) op = user_data;
  g_autoptr(GError) error = NULL;
  guint n = xi_store_remove_group_members_finish (XI_STORE (object), result, &error);

  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        xi_page_toast (XI_PAGE (op->self), "%s", error->message);
      return;
    }

  for (guint i = 0; i < op->contacts->len; i++)
    xi_contact_remove_group_id (g_ptr_array_index (op->contacts, i), xi_group_get_id (op->group));
  xi_group_set_member_count (op->group, xi_group_get_member_count (op->group) -
                                        MIN (n, xi_group_get_member_count (op->group)));
  refilter (op->self);
  xi_page_toast (XI_PAGE (op->self), ngettext ("Removed %u contact from the group",
                                               "Removed %u contacts from the group", n), n);
}

static void
remove_members_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  XiGroupsPage *self = XI_GROUPS_PAGE (widget);
  XiGroup *group = selected_group (self);
  g_autoptr(GtkBitset) bits = NULL;
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_auto(GStrv) id_list = NULL;
  GtkBitsetIter iter;
  GroupOp *op;
  guint position;

  if (group == NULL)
    return;

  op = group_op_new (self, group);
  op->contacts = g_ptr_array_new_with_free_func (g_object_unref);
  bits = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->member_selection));
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, bits, &position);
       ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      XiContact *contact = g_list_model_get_item (G_LIST_MODEL (self->member_selection), position);

      g_ptr_array_add (op->contacts, contact);
      g_strv_builder_add (ids, xi_contact_get_id (contact));
    }

  if (op->contacts->len == 0)
    {
      group_op_free (op);
      xi_page_toast (XI_PAGE (self), _("Select the contacts to remove first"));
      return;
    }

  id_list = g_strv_builder_end (ids);
  xi_store_remove_group_members_async (xi_context_get_store (context_of (self)), xi_group_get_id (group),
                                       (const char * const *)id_list, self->cancellable,
                                       members_removed_cb, op);
}

/* Life cycle */

static void
xi_groups_page_context_set (XiPage    *page,
                            XiContext *context)
{
  XiGroupsPage *self = XI_GROUPS_PAGE (page);

  self->group_selection = gtk_single_selection_new (g_object_ref (xi_context_get_groups (context)));
  gtk_list_view_set_model (self->group_list, GTK_SELECTION_MODEL (self->group_selection));

  self->members = gtk_filter_list_model_new (g_object_ref (xi_context_get_contacts (context)),
                                             GTK_FILTER (g_object_ref (self->member_filter)));
  gtk_filter_list_model_set_incremental (self->members, TRUE);
  self->member_selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->members)));
  gtk_list_view_set_model (self->member_list, GTK_SELECTION_MODEL (self->member_selection));

  g_signal_connect_object (self->group_selection, "notify::selected-item", G_CALLBACK (refilter), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (xi_context_get_groups (context), "items-changed", G_CALLBACK (update_state),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->members, "items-changed", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->members, "notify::pending", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  update_state (self);
}

static void
xi_groups_page_dispose (GObject *object)
{
  XiGroupsPage *self = (XiGroupsPage *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->group_list != NULL)
    {
      gtk_list_view_set_model (self->group_list, NULL);
      gtk_list_view_set_model (self->member_list, NULL);
    }
  g_clear_object (&self->group_selection);
  g_clear_object (&self->member_selection);
  g_clear_object (&self->members);
  g_clear_object (&self->member_filter);

  G_OBJECT_CLASS (xi_groups_page_parent_class)->dispose (object);
}

static void
xi_groups_page_finalize (GObject *object)
{
  XiGroupsPage *self = (XiGroupsPage *)object;

  g_clear_object (&self->cancellable);
  g_free (self->needle);

  G_OBJECT_CLASS (xi_groups_page_parent_class)->finalize (object);
}

static void
xi_groups_page_class_init (XiGroupsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_groups_page_dispose;
  object_class->finalize = xi_groups_page_finalize;
  XI_PAGE_CLASS (klass)->context_set = xi_groups_page_context_set;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-groups-page.ui");
  gtk_widget_class_bind_template_child (widget_class, XiGroupsPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, XiGroupsPage, group_list);
  gtk_widget_class_bind_template_child (widget_class, XiGroupsPage, member_search);
  gtk_widget_class_bind_template_child (widget_class, XiGroupsPage, members_stack);
  gtk_widget_class_bind_template_child (widget_class, XiGroupsPage, member_list);
  gtk_widget_class_bind_template_callback (widget_class, member_search_changed_cb);

  gtk_widget_class_install_action (widget_class, "page.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "page.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "groups.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "groups.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "groups.remove-members", NULL, remove_members_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "groups.remove-members", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "groups.edit", NULL);
}

static void
xi_groups_page_init (XiGroupsPage *self)
{
  g_autoptr(GtkListItemFactory) groups = NULL;
  g_autoptr(GtkListItemFactory) members = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->member_filter = gtk_custom_filter_new (member_visible_cb, self, NULL);

  groups = factory_new (G_CALLBACK (setup_group_row_cb), G_CALLBACK (bind_group_row_cb),
                        G_CALLBACK (unbind_row_cb));
  members = factory_new (G_CALLBACK (setup_member_row_cb), G_CALLBACK (bind_member_row_cb), NULL);
  gtk_list_view_set_factory (self->group_list, groups);
  gtk_list_view_set_factory (self->member_list, members);
}

void
xi_groups_page_select_group (XiGroupsPage *self,
                             guint         position)
{
  g_return_if_fail (XI_IS_GROUPS_PAGE (self));
  gtk_single_selection_set_selected (self->group_selection, position);
}

/* For tests: the members of the selected group as shown. */
GListModel *
xi_groups_page_get_members (XiGroupsPage *self)
{
  g_return_val_if_fail (XI_IS_GROUPS_PAGE (self), NULL);
  return G_LIST_MODEL (self->members);
}
