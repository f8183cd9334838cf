/* xi-contacts-page.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-contacts-page"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-contact-editor.h"
#include "xi-contact-filter-bar.h"
#include "xi-contact-filter.h"
#include "xi-contacts-page.h"
#include "xi-duplicates-dialog.h"
#include "xi-group-dialog.h"
#include "xi-list-keys.h"
#include "xi-number-check.h"
#include "xi-phone.h"
#include "xi-send-message-dialog.h"
#include "wa-usync.h"

/*
 * The contact list, of any size: an XiContactList, whose order, search
 * and conditions the store answers as row keys and which loads only the
 * rows shown. The selection is a set of positions; what the page does to
 * it goes to the store as the ids of their keys, so selecting all of
 * 100,000 rows and adding them to a group loads none of them.
 */

typedef enum {
  COLUMN_NAME,
  COLUMN_PHONE,
  COLUMN_TAGS,
  COLUMN_GROUPS,
  COLUMN_STATUS,
} Column;

struct _XiContactsPage
{
  XiPage              parent_instance;

  /* Template widgets */
  GtkStack           *content_stack;
  GtkSearchEntry     *search_entry;
  GtkDropDown        *group_filter;
  XiContactFilterBar *filter_bar;
  GtkMenuButton      *group_menu_button;
  GtkStack           *list_stack;
  GtkColumnView      *column_view;
  GtkLabel           *status_label;
  GtkRevealer        *check_revealer;
  GtkLabel           *check_label;
  GtkProgressBar     *check_progress;

  /* Owned */
  XiContactList      *list;
  GtkMultiSelection  *selection;
  GtkColumnViewColumn *status_column;   /* in the view only while a contact has a status */
  GPtrArray          *filter_group_ids;   /* dropdown position -> group id, [0] = NULL */
  GHashTable         *group_cells;        /* GtkListItem of the Groups column, bound */
  char               *search_text;        /* the search, conditions left out */
  XiContactFilter    *conditions;         /* "kota:jak #grosir" typed in the search */
  char               *group_id;           /* the group filter */
  XiContactFilter    *audience;           /* the filter bar's */
  GCancellable       *audience_cancellable;
  GCancellable       *cancellable;
  GCancellable       *check_cancellable;  /* the WhatsApp check under way, or NULL */
  GCancellable       *status_cancellable; /* the question whether a status exists */
  guint               check_reveal_source;
};

G_DEFINE_FINAL_TYPE (XiContactsPage, xi_contacts_page, XI_TYPE_PAGE)

static XiContext *
context_of (XiContactsPage *self)
{
  return xi_page_get_context (XI_PAGE (self));
}

/* Everything the list is narrowed by, as one filter the store resolves
 * afresh on every listing. */
static void
requery (XiContactsPage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(XiContactFilter) filter = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) conditions = NULL;

  if (self->list == NULL)
    return;

  if (self->conditions != NULL)
    g_strv_builder_addv (builder, (const char **)xi_contact_filter_get_conditions (self->conditions));
  if (self->audience != NULL)
    g_strv_builder_addv (builder, (const char **)xi_contact_filter_get_conditions (self->audience));
  if (self->group_id != NULL)
    {
      XiGroup *group = xi_context_find_group (context_of (self), self->group_id);

      g_autofree char *condition = group != NULL ? g_strconcat ("group=", xi_group_get_name (group), NULL) : NULL;

      if (condition != NULL)
        g_strv_builder_add (builder, condition);
    }
  conditions = g_strv_builder_end (builder);

  if (conditions[0] != NULL &&
      (filter = xi_contact_filter_new_from_conditions ((const char * const *)conditions, &error)) == NULL)
    {
      xi_page_toast (XI_PAGE (self), "%s", error->message);
      return;
    }
  xi_contact_list_set_query (self->list, self->search_text, filter);
}

/* Cells */

static char *
groups_text (XiContactsPage *self,
             XiContact      *contact)
{
  const char * const *ids = xi_contact_get_group_ids (contact);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      XiGroup *group = xi_context_find_group (context_of (self), ids[i]);

      if (group == NULL)
        continue;
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, xi_group_get_name (group));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
fill_cell (XiContactsPage *self,
           GtkListItem    *item)
{
  GtkWidget *cell = gtk_list_item_get_child (item);
  XiContact *contact = gtk_list_item_get_item (item);
  Column column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (cell), "column"));
  g_autofree char *text = NULL;

  if (contact == NULL)
    return;
  /* A row whose page is on its way stays blank a moment rather than
   * reading "No name". */
  if (xi_contact_get_id (contact) == NULL)
    {
      if (column == COLUMN_STATUS)
        gtk_widget_set_visible (cell, FALSE);
      else
        gtk_inscription_set_text (GTK_INSCRIPTION (cell), NULL);
      return;
    }

  switch (column)
    {
    case COLUMN_NAME:
      /* A missing name is shown as such rather than as a blank cell, and
       * dim so that it does not read as somebody called "No name". */
      if (xi_contact_has_name (contact))
        {
          gtk_inscription_set_text (GTK_INSCRIPTION (cell), xi_contact_get_name (contact));
          gtk_widget_remove_css_class (cell, "dim-label");
        }
      else
        {
          gtk_inscription_set_text (GTK_INSCRIPTION (cell), _("No name"));
          gtk_widget_add_css_class (cell, "dim-label");
        }
      return;
    case COLUMN_PHONE:
      text = xi_phone_format_international (xi_contact_get_phone (contact));
      break;
    case COLUMN_TAGS:
      text = g_strjoinv (", ", (char **)xi_contact_get_tags (contact));
      break;
    case COLUMN_GROUPS:
      text = groups_text (self, contact);
      break;
    case COLUMN_STATUS:
    default:
      if (xi_contact_get_opted_out (contact))
        text = g_strdup (_("Opted out"));
      else if (xi_contact_get_on_whatsapp (contact) != XI_ON_WHATSAPP_UNKNOWN)
        {
          g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (xi_contact_get_on_whatsapp_checked_at (contact));
          /* Translators: a short date, as in "25 Nov" */
          g_autofree char *date = when != NULL ? g_date_time_format (when, _("%e %b")) : g_strdup ("?");

          text = xi_contact_get_on_whatsapp (contact) == XI_ON_WHATSAPP_YES
                 /* Translators: the result of a check and its date */
                 ? g_strdup_printf (_("On WhatsApp · %s"), g_strstrip (date))
                 : g_strdup_printf (_("Not on WhatsApp · %s"), g_strstrip (date));
        }
      gtk_widget_set_visible (cell, text != NULL);
      if (text != NULL)
        gtk_label_set_text (GTK_LABEL (cell), text);
      if (!xi_contact_get_opted_out (contact) && xi_contact_get_on_whatsapp (contact) == XI_ON_WHATSAPP_YES)
        gtk_widget_add_css_class (cell, "on-whatsapp");
      else
        gtk_widget_remove_css_class (cell, "on-whatsapp");
      return;
    }

  gtk_inscription_set_text (GTK_INSCRIPTION (cell), text);
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               XiContactsPage           *self)
{
  Column column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "column"));
  GtkWidget *cell;

  if (column == COLUMN_STATUS)
    {
      cell = gtk_label_new (NULL);
      gtk_widget_set_halign (cell, GTK_ALIGN_START);
      gtk_widget_add_css_class (cell, "status-pill");
    }
  else
    {
      cell = gtk_inscription_new (NULL);
      /* A cut name must show that it is cut. */
      gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
    }

  g_object_set_data (G_OBJECT (cell), "column", GUINT_TO_POINTER (column));
  gtk_list_item_set_child (item, cell);
}

static void
contact_changed_cb (GtkListItem *item)
{
  XiContactsPage *self = g_object_get_data (G_OBJECT (item), "page");

  fill_cell (self, item);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              XiContactsPage           *self)
{
  gulong id;

  g_object_set_data (G_OBJECT (item), "page", self);
  fill_cell (self, item);
  if (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "column")) == COLUMN_GROUPS)
    g_hash_table_add (self->group_cells, item);

  /* A loaded page replaces the items; a contact changed in place
   * updates its row. */
  id = g_signal_connect_swapped (gtk_list_item_get_item (item), "notify",
                                 G_CALLBACK (contact_changed_cb), item);
  g_object_set_data (G_OBJECT (item), "notify-id", GSIZE_TO_POINTER (id));
}

static void
unbind_cell_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                XiContactsPage           *self)
{
  gulong id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (item), "notify-id"));
  gpointer contact = gtk_list_item_get_item (item);

  if (id != 0 && contact != NULL)
    g_signal_handler_disconnect (contact, id);
  g_object_set_data (G_OBJECT (item), "notify-id", NULL);
  g_hash_table_remove (self->group_cells, item);
}

static GtkColumnViewColumn *
add_column (XiContactsPage *self,
            Column          column,
            const char     *title,
            int             fixed_width)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *view_column;

  g_object_set_data (G_OBJECT (factory), "column", GUINT_TO_POINTER (column));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell_cb), self);

  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (view_column, fixed_width < 0);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (view_column, fixed_width);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_append_column (self->column_view, view_column);
  g_object_unref (view_column);
  return view_column;
}

/* State */

static void
update_state (XiContactsPage *self)
{
  XiContext *context = context_of (self);
  guint total, shown, selected;
  g_autoptr(GtkBitset) bits = NULL;
  g_autofree char *text = NULL;

  if (context == NULL)
    return;

  total = g_list_model_get_n_items (xi_context_get_contacts (context));
  shown = g_list_model_get_n_items (G_LIST_MODEL (self->list));
  bits = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  selected = (guint)gtk_bitset_get_size (bits);

  gtk_stack_set_visible_child_name (self->content_stack, total == 0 ? "empty" : "list");
  gtk_stack_set_visible_child_name (self->list_stack,
                                    shown == 0 && !xi_contact_list_get_loading (self->list)
                                    ? "no-results" : "results");

  if (shown == total || (shown > total && self->search_text == NULL && self->conditions == NULL &&
                         self->audience == NULL && self->group_id == NULL))
    text = g_strdup_printf (ngettext ("%u contact", "%u contacts", total), total);
  else
    text = g_strdup_printf (ngettext ("%u of %u contact shown", "%u of %u contacts shown", total),
                            shown, total);
  if (selected > 0)
    {
      g_autofree char *with_selection = g_strdup_printf (ngettext ("%s, %u selected", "%s, %u selected", selected),
                                                         text, selected);
      g_free (text);
      text = g_steal_pointer (&with_selection);
    }
  gtk_label_set_text (self->status_label, text);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.remove-from-group",
                                 self->group_id != NULL && selected > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.edit", selected > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.delete", selected > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.opt-out", selected > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.opt-in", selected > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.add-to-group", selected > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.new-group", selected > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.send-message", selected == 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.check-whatsapp",
                                 self->check_cancellable == NULL && (selected > 0 || self->group_id != NULL));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.stop-check", self->check_cancellable != NULL);
}

/* The keys of the selected rows, valid until the list changes. */
static GArray *
selected_keys (XiContactsPage *self)
{
  g_autoptr(GtkBitset) bits = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GArray *keys = g_array_sized_new (FALSE, FALSE, sizeof (gint64), (guint) gtk_bitset_get_size (bits));
  GtkBitsetIter iter;
  guint position;

  for (gboolean ok = gtk_bitset_iter_init_first (&iter, bits, &position);
       ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      gint64 key = xi_contact_list_get_key (self->list, position);

      if (key != 0)
        g_array_append_val (keys, key);
    }
  return keys;
}

/* The first selected contact, when it is loaded (a row one acts on is
 * on screen, so it is). */
static XiContact *
first_selected_contact (XiContactsPage *self)
{
  g_autoptr(GtkBitset) bits = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  g_autoptr(XiContact) contact = NULL;

  if (gtk_bitset_is_empty (bits))
    return NULL;
  contact = g_list_model_get_item (G_LIST_MODEL (self->selection), gtk_bitset_get_minimum (bits));
  return contact != NULL && xi_contact_get_id (contact) != NULL ? g_steal_pointer (&contact) : NULL;
}

/**
 * xi_contacts_page_dup_selected_keys:
 * @self: a #XiContactsPage
 *
 * Returns: (transfer full) (element-type gint64): row keys of the
 *   selected contacts, possibly empty, for
 *   xi_contacts_facade_list_ids_async()
 */
GArray *
xi_contacts_page_dup_selected_keys (XiContactsPage *self)
{
  g_return_val_if_fail (XI_IS_CONTACTS_PAGE (self), NULL);

  if (self->selection == NULL)
    return g_array_new (FALSE, FALSE, sizeof (gint64));
  return selected_keys (self);
}

static void
rebuild_group_choices (XiContactsPage *self)
{
  GListModel *groups = xi_context_get_groups (context_of (self));
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) groups_section = g_menu_new ();
  g_autofree char *keep = g_strdup (self->group_id);
  guint n = g_list_model_get_n_items (groups);
  guint selected = 0;

  g_ptr_array_set_size (self->filter_group_ids, 0);
  gtk_string_list_append (names, _("All Groups"));
  g_ptr_array_add (self->filter_group_ids, NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(XiGroup) group = g_list_model_get_item (groups, i);
      g_autofree char *action = NULL;

      gtk_string_list_append (names, xi_group_get_name (group));
      g_ptr_array_add (self->filter_group_ids, g_strdup (xi_group_get_id (group)));
      if (g_strcmp0 (keep, xi_group_get_id (group)) == 0)
        selected = i + 1;

      action = g_strdup_printf ("contacts.add-to-group('%s')", xi_group_get_id (group));
      g_menu_append (groups_section, xi_group_get_name (group), action);
    }

  g_signal_handlers_block_matched (self->group_filter, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_drop_down_set_model (self->group_filter, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->group_filter, selected);
  g_signal_handlers_unblock_matched (self->group_filter, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);

  if (selected == 0 && keep != NULL)
    {
      g_clear_pointer (&self->group_id, g_free);
      requery (self);
    }

  g_menu_append_section (menu, _("Add to Group"), G_MENU_MODEL (groups_section));
  g_menu_append (menu, _("_New Group…"), "contacts.new-group");
  gtk_menu_button_set_menu_model (self->group_menu_button, G_MENU_MODEL (menu));

  /* Group names shown in rows may have changed (or a new group's rows
   * were read before the group), and the group shown may have been
   * renamed. */
  {
    GHashTableIter iter;
    gpointer item;

    g_hash_table_iter_init (&iter, self->group_cells);
    while (g_hash_table_iter_next (&iter, &item, NULL))
      fill_cell (self, item);
  }
  requery (self);
}

/* Callbacks */

static void
search_changed_cb (XiContactsPage *self,
                   GtkSearchEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autofree char *free_text = NULL;

  g_clear_pointer (&self->conditions, xi_contact_filter_unref);
  g_clear_pointer (&self->search_text, g_free);
  self->conditions = xi_contact_filter_new_from_search (text, &free_text);
  if (xi_contact_filter_is_empty (self->conditions))
    g_clear_pointer (&self->conditions, xi_contact_filter_unref);
  if (free_text[0] != '\0')
    self->search_text = g_steal_pointer (&free_text);
  requery (self);
}

typedef struct
{
  XiContactsPage  *self;
  XiContactFilter *filter;
} ApplyOp;

static void
apply_op_free (ApplyOp *op)
{
  g_object_unref (op->self);
  xi_contact_filter_unref (op->filter);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ApplyOp, apply_op_free)

static void
show_audience (XiContactsPage  *self,
               XiContactFilter *filter)
{
  g_clear_pointer (&self->audience, xi_contact_filter_unref);
  if (filter != NULL)
    self->audience = xi_contact_filter_ref (filter);
  requery (self);
  update_state (self);
}

static void
audience_resolved_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(ApplyOp) op = user_data;
  g_autoptr(GError) error = NULL;

  if (!xi_store_resolve_filter_finish (XI_STORE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        xi_page_toast (XI_PAGE (op->self), "%s", error->message);
      return;
    }
  show_audience (op->self, op->filter);
}

/* Conditions typed in the search box become chips in the filter bar
 * once the user is done with them (Return, or leaving the box), so the
 * bar alone says what the list is filtered by and what "Save as
 * Segment" saves; while typing they filter at once, as plain text does. */
static void
search_committed_cb (XiContactsPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *free_text = NULL;
  g_autoptr(XiContactFilter) typed = xi_contact_filter_new_from_search (text, &free_text);
  const char * const *conditions = xi_contact_filter_get_conditions (typed);

  if (conditions[0] == NULL)
    return;
  for (guint i = 0; conditions[i] != NULL; i++)
    if (!xi_contact_filter_bar_add_condition (self->filter_bar, conditions[i], NULL))
      g_return_if_reached ();
  xi_contacts_page_set_search (self, free_text);
}

static void
filter_bar_changed_cb (XiContactsPage *self)
{
  g_autoptr(XiContactFilter) filter = xi_contact_filter_bar_dup_filter (self->filter_bar);

  xi_contacts_page_apply_filter (self, xi_contact_filter_is_empty (filter) ? NULL : filter);
}

static void
group_filter_changed_cb (XiContactsPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->group_filter);

  g_free (self->group_id);
  self->group_id = selected < self->filter_group_ids->len
                   ? g_strdup (g_ptr_array_index (self->filter_group_ids, selected)) : NULL;
  requery (self);
  update_state (self);
}

static void
row_activated_cb (XiContactsPage *self,
                  guint           position)
{
  g_autoptr(XiContact) contact = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (contact != NULL && xi_contact_get_id (contact) != NULL)
    xi_contacts_page_open_editor (self, contact);
}

static void
editor_saved_cb (XiContactsPage *self,
                 XiContact      *saved)
{
  g_auto(GStrv) fields = xi_contact_dup_custom_field_names (saved);

  xi_context_add_custom_fields (context_of (self), (const char * const *)fields);
  xi_page_toast (XI_PAGE (self), _("Saved %s"), xi_contact_get_display_name (saved));
}

/**
 * xi_contacts_page_open_editor:
 * @self: a #XiContactsPage
 * @contact: (nullable): the contact to edit, or %NULL for a new one
 *
 * Returns: (transfer none): the editor window, already presented
 */
GtkWidget *
xi_contacts_page_open_editor (XiContactsPage *self,
                              XiContact      *contact)
{
  GtkWidget *editor = xi_contact_editor_new (context_of (self), contact);

  gtk_window_set_transient_for (GTK_WINDOW (editor), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
  g_signal_connect_object (editor, "saved", G_CALLBACK (editor_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
  return editor;
}

/* Actions */

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  xi_contacts_page_open_editor (XI_CONTACTS_PAGE (widget), NULL);
}

static void
find_duplicates_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  XiContactsPage *self = XI_CONTACTS_PAGE (widget);
  GtkWidget *dialog = xi_duplicates_dialog_new (context_of (self));

  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (gtk_widget_get_root (widget)));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (XI_CONTACTS_PAGE (widget)->search_entry));
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  XiContactsPage *self = XI_CONTACTS_PAGE (widget);
  g_autoptr(XiContact) contact = first_selected_contact (self);

  if (contact != NULL)
    xi_contacts_page_open_editor (self, contact);
}

typedef struct _SelectionOp SelectionOp;
typedef void (*SelectionFunc) (SelectionOp *op);

/* An action on the selection: its ids are asked of the store first,
 * then @then runs with them. */
struct _SelectionOp
{
  XiContactsPage *self;
  char          **ids;
  char           *name;       /* the display name of a selection of one */
  char           *group_id;
  gboolean        flag;
  SelectionFunc   then;
};

static void
selection_op_free (SelectionOp *op)
{
  g_object_unref (op->self);
  g_strfreev (op->ids);
  g_free (op->name);
  g_free (op->group_id);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SelectionOp, selection_op_free)

static void
report_error (XiContactsPage *self,
              const GError   *error)
{
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    xi_page_toast (XI_PAGE (self), "%s", error->message);
}

static XiContactsFacade *
facade_of (XiContactsPage *self)
{
  return xi_context_get_contacts_facade (context_of (self));
}

static guint
n_ids (SelectionOp *op)
{
  return g_strv_length (op->ids);
}

static void
ids_listed_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SelectionOp) op = user_data;
  g_autoptr(GError) error = NULL;

  op->ids = xi_contacts_facade_list_ids_finish (XI_CONTACTS_FACADE (object), result, &error);
  if (op->ids == NULL)
    {
      report_error (op->self, error);
      return;
    }
  if (op->ids[0] != NULL)
    op->then (g_steal_pointer (&op));
}

/* Takes the selection as it is now and runs @then on its ids. */
static void
with_selection (XiContactsPage *self,
                SelectionFunc   then,
                const char     *group_id,
                gboolean        flag)
{
  g_autoptr(GArray) keys = selected_keys (self);
  SelectionOp *op;

  if (keys->len == 0)
    return;

  op = g_new0 (SelectionOp, 1);
  op->self = g_object_ref (self);
  op->group_id = g_strdup (group_id);
  op->flag = flag;
  op->then = then;
  if (keys->len == 1)
    {
      g_autoptr(XiContact) contact = first_selected_contact (self);

      if (contact != NULL)
        op->name = g_strdup (xi_contact_get_display_name (contact));
    }
  xi_contacts_facade_list_ids_async (facade_of (self), (const gint64 *)(gpointer)keys->data, keys->len,
                                     self->cancellable, ids_listed_cb, op);
}

static void
selection_op_closure_free (gpointer  data,
                           GClosure *closure)
{
  selection_op_free (data);
}

static void
restored_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SelectionOp) op = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) restored = xi_contacts_facade_restore_finish (XI_CONTACTS_FACADE (object), result, &error);
  guint missing;

  if (restored == NULL)
    {
      report_error (op->self, error);
      return;
    }

  missing = n_ids (op) - MIN (restored->len, n_ids (op));
  if (missing > 0)
    xi_page_toast (XI_PAGE (op->self),
                   ngettext ("%u contact could not be restored: another contact has its number now",
                             "%u contacts could not be restored: other contacts have their numbers now",
                             missing),
                   missing);
}

static void
undo_delete_clicked_cb (AdwToast    *toast,
                        SelectionOp *op)
{
  SelectionOp *undo = g_new0 (SelectionOp, 1);

  undo->self = g_object_ref (op->self);
  undo->ids = g_strdupv (op->ids);
  /* A write the user asked for is never dropped with the page. */
  xi_contacts_facade_restore_async (facade_of (op->self), (const char * const *)undo->ids, NULL,
                                    restored_cb, undo);
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SelectionOp) op = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AdwToast) toast = NULL;
  g_autofree char *title = NULL;
  guint n = xi_contacts_facade_delete_finish (XI_CONTACTS_FACADE (object), result, &error);
  XiContactsPage *self = op->self;

  if (error != NULL)
    {
      report_error (self, error);
      return;
    }

  if (n == 1 && op->name != NULL)
    title = g_strdup_printf (_("Deleted “%s”"), op->name);
  else
    title = g_strdup_printf (ngettext ("Deleted %u contact", "Deleted %u contacts", n), n);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  /* The toast keeps the operation (and with it the page) for its Undo. */
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (undo_delete_clicked_cb),
                         g_steal_pointer (&op), selection_op_closure_free, 0);
  g_signal_emit_by_name (self, "add-toast", toast);
}

static void
delete_selection (SelectionOp *op)
{
  /* Never cancelled: the user asked for it. */
  xi_contacts_facade_delete_async (facade_of (op->self), (const char * const *)op->ids, NULL,
                                   deleted_cb, op);
}

static GtkWidget *
confirm (XiContactsPage *self,
         const char     *heading,
         const char     *body,
         const char     *response_label,
         GCallback       callback,
         gpointer        user_data)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                              heading, body);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", response_label,
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", callback, user_data);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

/* Deletes at once and offers Undo, as GNOME apps do, rather than asking
 * first: the deletion is a soft delete that Undo reverts as an ordinary
 * edit (see xi_store_restore_contacts_async()). Holding the deletion
 * back until the toast is gone instead would leave the contacts live
 * for any other process meanwhile (a campaign created from the command
 * line would still message them) and lose the deletion if the app quit
 * before the toast went away. */
static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  with_selection (XI_CONTACTS_PAGE (widget), delete_selection, NULL, FALSE);
}

static void
members_added_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SelectionOp) op = user_data;
  g_autoptr(GError) error = NULL;
  guint n = xi_groups_facade_add_members_finish (XI_GROUPS_FACADE (object), result, &error);
  XiGroup *group;

  if (error != NULL)
    {
      report_error (op->self, error);
      return;
    }

  group = xi_context_find_group (context_of (op->self), op->group_id);
  if (group != NULL)
    xi_page_toast (XI_PAGE (op->self),
                   ngettext ("Added %u contact to %s", "Added %u contacts to %s", n),
                   n, xi_group_get_name (group));
}

static void
add_selection_to_group (SelectionOp *op)
{
  XiContactsPage *self = op->self;

  xi_groups_facade_add_members_async (xi_context_get_groups_facade (context_of (self)), op->group_id,
                                      (const char * const *)op->ids, self->cancellable,
                                      members_added_cb, op);
}

static void
add_to_group_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  with_selection (XI_CONTACTS_PAGE (widget), add_selection_to_group,
                  g_variant_get_string (parameter, NULL), FALSE);
}

static void
new_group_saved_cb (XiContactsPage *self,
                    XiGroup        *group)
{
  with_selection (self, add_selection_to_group, xi_group_get_id (group), FALSE);
}

/**
 * xi_contacts_page_focus_list:
 * @self: a #XiContactsPage
 *
 * Gives the list the focus, on the row it last had (which the list
 * keeps through its reloads), as a dialog over the page closes.
 */
void
xi_contacts_page_focus_list (XiContactsPage *self)
{
  g_return_if_fail (XI_IS_CONTACTS_PAGE (self));

  if (!gtk_widget_in_destruction (GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static void
new_group_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  XiContactsPage *self = XI_CONTACTS_PAGE (widget);
  GtkWidget *dialog = xi_group_dialog_new (context_of (self), NULL);

  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (gtk_widget_get_root (widget)));
  g_signal_connect_object (dialog, "saved", G_CALLBACK (new_group_saved_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (xi_contacts_page_focus_list), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
members_removed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SelectionOp) op = user_data;
  g_autoptr(GError) error = NULL;
  guint n = xi_groups_facade_remove_members_finish (XI_GROUPS_FACADE (object), result, &error);

  if (error != NULL)
    {
      report_error (op->self, error);
      return;
    }
  xi_page_toast (XI_PAGE (op->self), ngettext ("Removed %u contact from the group",
                                               "Removed %u contacts from the group", n), n);
}

static void
remove_selection_from_group (SelectionOp *op)
{
  XiContactsPage *self = op->self;

  xi_groups_facade_remove_members_async (xi_context_get_groups_facade (context_of (self)), op->group_id,
                                         (const char * const *)op->ids, self->cancellable,
                                         members_removed_cb, op);
}

static void
remove_from_group_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  XiContactsPage *self = XI_CONTACTS_PAGE (widget);

  if (self->group_id != NULL)
    with_selection (self, remove_selection_from_group, self->group_id, FALSE);
}

static void
opted_out_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SelectionOp) op = user_data;
  g_autoptr(GError) error = NULL;
  guint n = xi_contacts_facade_set_opted_out_finish (XI_CONTACTS_FACADE (object), result, &error);

  if (error != NULL)
    {
      report_error (op->self, error);
      return;
    }

  if (op->flag)
    xi_page_toast (XI_PAGE (op->self), ngettext ("%u contact will get no more messages",
                                                 "%u contacts will get no more messages", n), n);
  else
    xi_page_toast (XI_PAGE (op->self), ngettext ("%u contact may be messaged again",
                                                 "%u contacts may be messaged again", n), n);
}

static void
set_opted_out (SelectionOp *op)
{
  XiContactsPage *self = op->self;

  xi_contacts_facade_set_opted_out_async (facade_of (self), (const char * const *)op->ids, op->flag,
                                          self->cancellable, opted_out_cb, op);
}

static void
opt_out_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  with_selection (XI_CONTACTS_PAGE (widget), set_opted_out, NULL, TRUE);
}

static void
opt_in_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    XiContactsPage   *self)
{
  if (g_str_equal (response, "delete"))
    with_selection (self, set_opted_out, NULL, FALSE);
  g_object_unref (self);
}

/* Undoing an opt-out must be deliberate: the customer asked to be left alone. */
static void
opt_in_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiContactsPage *self = XI_CONTACTS_PAGE (widget);

  confirm (self, _("Allow Messages Again?"),
           _("Only do this if these customers asked to get your messages again. "
             "Messaging people who opted out can get your WhatsApp account banned."),
           _("_Allow Messages"), G_CALLBACK (opt_in_response_cb), g_object_ref (self));
}

/* Life cycle */

static void
message_sent_cb (XiContactsPage *self)
{
  xi_page_toast (XI_PAGE (self), "%s", _("Message sent"));
}

static void
send_message_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  XiContactsPage *self = XI_CONTACTS_PAGE (widget);
  g_autoptr(GtkBitset) bits = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  g_autoptr(XiContact) contact = NULL;
  GtkWidget *dialog;

  if (gtk_bitset_get_size (bits) != 1 || (contact = first_selected_contact (self)) == NULL)
    return;
  dialog = xi_send_message_dialog_new (context_of (self), contact);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (gtk_widget_get_root (widget)));
  g_signal_connect_object (dialog, "sent", G_CALLBACK (message_sent_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Checking numbers on WhatsApp */

/* Contacts read at a time to decide which numbers to ask about: a
 * selection of a million is read in bounded steps, never held whole. */
#define CHECK_READ_BATCH 512

typedef struct
{
  XiContactsPage *self;
  GArray         *keys;     /* gint64: the chosen rows */
  guint           read;     /* how many of them were read */
  GPtrArray      *phones;   /* the numbers to ask about, NULL-terminated */
  gint64          now;
} CheckOp;

static void
check_op_free (CheckOp *op)
{
  g_object_unref (op->self);
  g_array_unref (op->keys);
  g_ptr_array_unref (op->phones);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CheckOp, check_op_free)

static void
end_check (XiContactsPage *self)
{
  g_clear_handle_id (&self->check_reveal_source, g_source_remove);
  g_clear_object (&self->check_cancellable);
  gtk_revealer_set_reveal_child (self->check_revealer, FALSE);
  update_state (self);
}

/* A short check is over before a progress bar would be read. */
static gboolean
reveal_check_cb (gpointer user_data)
{
  XiContactsPage *self = user_data;

  self->check_reveal_source = 0;
  gtk_revealer_set_reveal_child (self->check_revealer, TRUE);
  return G_SOURCE_REMOVE;
}

static void
show_progress (XiContactsPage *self,
               char           *text,
               guint           done,
               guint           total)
{
  gtk_label_set_text (self->check_label, text);
  gtk_progress_bar_set_fraction (self->check_progress, total > 0 ? (double) done / total : 0.0);
  g_free (text);
}

static void
check_progress_cb (guint    done,
                   guint    total,
                   gpointer user_data)
{
  CheckOp *op = user_data;

  show_progress (op->self, g_strdup_printf (_("Checking which numbers are on WhatsApp: %u of %u done"),
                                            done, total),
                 done, total);
}

static void
check_failed (XiContactsPage *self,
              const GError   *error)
{
  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  /* Whatever was answered before is saved, and the list follows the
   * store. */
  end_check (self);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    xi_page_toast (XI_PAGE (self), "%s", _("Check stopped. The numbers checked so far are saved."));
  else
    report_error (self, error);
}

static void
numbers_checked_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CheckOp) op = user_data;
  XiContactsPage *self = op->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) checks = xi_connection_check_numbers_finish (XI_CONNECTION (object), result, &error);
  guint on = 0;

  if (checks == NULL)
    {
      check_failed (self, error);
      return;
    }

  for (guint i = 0; i < checks->len; i++)
    on += ((WaContactCheck *) g_ptr_array_index (checks, i))->on_whatsapp;
  end_check (self);
  xi_page_toast (XI_PAGE (self), ngettext ("%u of %u number is on WhatsApp", "%u of %u numbers are on WhatsApp",
                                           checks->len),
                 on, checks->len);
}

static void read_chosen (CheckOp *op);

static void
chosen_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CheckOp) op = user_data;
  XiContactsPage *self = op->self;
  g_autoptr(GPtrArray) chosen = NULL;
  g_autoptr(GError) error = NULL;
  XiConnection *connection;

  chosen = xi_store_load_contact_keys_finish (XI_STORE (object), result, &error);
  if (chosen == NULL)
    {
      check_failed (self, error);
      return;
    }

  for (guint i = 0; i < chosen->len; i++)
    {
      XiContact *contact = g_ptr_array_index (chosen, i);

      /* Nobody is going to message them: asking about them is all risk. */
      if (contact == NULL || xi_contact_get_opted_out (contact) || !xi_number_check_is_due (contact, op->now))
        continue;
      g_ptr_array_add (op->phones, g_strdup (xi_contact_get_phone (contact)));
    }
  op->read += chosen->len;
  if (op->read < op->keys->len)
    {
      show_progress (self, g_strdup_printf (_("Reading the chosen contacts: %u of %u"), op->read, op->keys->len),
                     op->read, op->keys->len);
      read_chosen (g_steal_pointer (&op));
      return;
    }

  if (op->phones->len == 0)
    {
      end_check (self);
      xi_page_toast (XI_PAGE (self), "%s", _("These numbers were all checked in the last 30 days."));
      return;
    }

  g_ptr_array_add (op->phones, NULL);
  check_progress_cb (0, op->phones->len - 1, op);
  connection = xi_context_get_connection (context_of (self));
  xi_connection_check_numbers_async (connection, (const char * const *) op->phones->pdata, check_progress_cb, op,
                                     NULL, self->check_cancellable, numbers_checked_cb, op);
  g_steal_pointer (&op);
}

static void
read_chosen (CheckOp *op)
{
  XiContactsPage *self = op->self;

  xi_store_load_contact_keys_async (xi_context_get_store (context_of (self)),
                                    &g_array_index (op->keys, gint64, op->read),
                                    MIN (CHECK_READ_BATCH, op->keys->len - op->read),
                                    self->check_cancellable, chosen_loaded_cb, op);
}

/* The selection, or else the list shown; only numbers not checked in
 * the last 30 days and not opted out, since every question to WhatsApp
 * counts. The contacts are read for it a batch at a time: their numbers
 * and when they were last checked decide, and only the numbers to ask
 * about are kept. */
static void
check_whatsapp_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  XiContactsPage *self = XI_CONTACTS_PAGE (widget);
  XiConnection *connection = xi_context_get_connection (context_of (self));
  CheckOp *op;

  if (self->check_cancellable != NULL)
    return;
  if (connection == NULL || !xi_connection_is_linked (connection))
    {
      xi_page_toast (XI_PAGE (self), "%s", _("Link your WhatsApp account first: only WhatsApp can say who is on it."));
      return;
    }
  op = g_new0 (CheckOp, 1);
  op->self = g_object_ref (self);
  op->keys = selected_keys (self);
  op->phones = g_ptr_array_new_with_free_func (g_free);
  op->now = g_get_real_time () / G_USEC_PER_SEC;
  if (op->keys->len == 0)
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->list)); i++)
      {
        gint64 key = xi_contact_list_get_key (self->list, i);

        g_array_append_val (op->keys, key);
      }
  if (op->keys->len == 0)
    {
      check_op_free (op);
      return;
    }

  self->check_cancellable = g_cancellable_new ();
  update_state (self);
  show_progress (self, g_strdup_printf (_("Reading the chosen contacts: %u of %u"), 0, op->keys->len),
                 0, op->keys->len);
  self->check_reveal_source = g_timeout_add_seconds (1, reveal_check_cb, self);
  read_chosen (op);
}

static void
stop_check_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  XiContactsPage *self = XI_CONTACTS_PAGE (widget);

  if (self->check_cancellable != NULL)
    g_cancellable_cancel (self->check_cancellable);
}

/* An empty Status column took 150 pixels from the names at 800×600, and
 * until a WhatsApp check or an opt-out every status is empty. The store
 * answers whether any contact has one. */
static void
status_known_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(XiContactsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean any = xi_contacts_facade_any_status_finish (XI_CONTACTS_FACADE (object), result, &error);

  if (error != NULL)
    {
      report_error (self, error);
      return;
    }
  /* Removed rather than hidden: GTK 4.8 still counts a hidden column's
   * width, and the names would not take its room. */
  if (any && gtk_column_view_column_get_column_view (self->status_column) == NULL)
    gtk_column_view_append_column (self->column_view, self->status_column);
  else if (!any && gtk_column_view_column_get_column_view (self->status_column) != NULL)
    gtk_column_view_remove_column (self->column_view, self->status_column);
}

static void
update_status_column (XiContactsPage *self)
{
  if (self->status_cancellable != NULL)
    g_cancellable_cancel (self->status_cancellable);
  g_clear_object (&self->status_cancellable);
  self->status_cancellable = g_cancellable_new ();
  xi_contacts_facade_any_status_async (facade_of (self), self->status_cancellable, status_known_cb,
                                       g_object_ref (self));
}

static void
store_changed_cb (XiStore            *store,
                  const char         *table,
                  const char * const *ids,
                  XiContactsPage     *self)
{
  if (g_str_equal (table, "contacts"))
    update_status_column (self);
}

static void
xi_contacts_page_context_set (XiPage    *page,
                              XiContext *context)
{
  XiContactsPage *self = XI_CONTACTS_PAGE (page);
  GListModel *contacts = xi_context_get_contacts (context);

  self->list = xi_contacts_facade_new_list (xi_context_get_contacts_facade (context));
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->list)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->list, "items-changed", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list, "notify::loading", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "selection-changed", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (contacts, "items-changed", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (xi_context_get_store (context), "changed", G_CALLBACK (store_changed_cb), self, 0);
  g_signal_connect_object (xi_context_get_groups (context), "items-changed",
                           G_CALLBACK (rebuild_group_choices), self, G_CONNECT_SWAPPED);
  /* The first listing waits for the store to open, as the context's
   * reload does. */
  g_signal_connect_object (context, "loaded", G_CALLBACK (requery), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (context, "loaded", G_CALLBACK (update_status_column), self, G_CONNECT_SWAPPED);

  xi_contact_filter_bar_set_context (self->filter_bar, context);
  rebuild_group_choices (self);
  if (!xi_context_get_loading (context))
    {
      requery (self);
      update_status_column (self);
    }
  update_state (self);
}

static void
xi_contacts_page_dispose (GObject *object)
{
  XiContactsPage *self = (XiContactsPage *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->audience_cancellable != NULL)
    g_cancellable_cancel (self->audience_cancellable);
  if (self->check_cancellable != NULL)
    g_cancellable_cancel (self->check_cancellable);
  if (self->status_cancellable != NULL)
    g_cancellable_cancel (self->status_cancellable);
  g_clear_handle_id (&self->check_reveal_source, g_source_remove);
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->list);
  g_clear_object (&self->status_column);

  G_OBJECT_CLASS (xi_contacts_page_parent_class)->dispose (object);
}

static void
xi_contacts_page_finalize (GObject *object)
{
  XiContactsPage *self = (XiContactsPage *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->filter_group_ids, g_ptr_array_unref);
  g_clear_pointer (&self->group_cells, g_hash_table_unref);
  g_free (self->search_text);
  g_clear_object (&self->status_cancellable);
  g_clear_pointer (&self->conditions, xi_contact_filter_unref);
  g_clear_pointer (&self->audience, xi_contact_filter_unref);
  g_clear_object (&self->audience_cancellable);
  g_free (self->group_id);

  G_OBJECT_CLASS (xi_contacts_page_parent_class)->finalize (object);
}

static void
xi_contacts_page_class_init (XiContactsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_contacts_page_dispose;
  object_class->finalize = xi_contacts_page_finalize;
  XI_PAGE_CLASS (klass)->context_set = xi_contacts_page_context_set;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-contacts-page.ui");
  gtk_widget_class_bind_template_child (widget_class, XiContactsPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, XiContactsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, XiContactsPage, group_filter);
  gtk_widget_class_bind_template_child (widget_class, XiContactsPage, filter_bar);
  gtk_widget_class_bind_template_child (widget_class, XiContactsPage, group_menu_button);
  gtk_widget_class_bind_template_child (widget_class, XiContactsPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, XiContactsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, XiContactsPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, XiContactsPage, check_revealer);
  gtk_widget_class_bind_template_child (widget_class, XiContactsPage, check_label);
  gtk_widget_class_bind_template_child (widget_class, XiContactsPage, check_progress);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, group_filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_committed_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_bar_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);

  gtk_widget_class_install_action (widget_class, "page.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "page.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "contacts.find-duplicates", NULL, find_duplicates_action);
  gtk_widget_class_install_action (widget_class, "contacts.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "contacts.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "contacts.add-to-group", "s", add_to_group_action);
  gtk_widget_class_install_action (widget_class, "contacts.new-group", NULL, new_group_action);
  gtk_widget_class_install_action (widget_class, "contacts.remove-from-group", NULL, remove_from_group_action);
  gtk_widget_class_install_action (widget_class, "contacts.opt-out", NULL, opt_out_action);
  gtk_widget_class_install_action (widget_class, "contacts.opt-in", NULL, opt_in_action);
  gtk_widget_class_install_action (widget_class, "contacts.send-message", NULL, send_message_action);
  gtk_widget_class_install_action (widget_class, "contacts.check-whatsapp", NULL, check_whatsapp_action);
  gtk_widget_class_install_action (widget_class, "contacts.stop-check", NULL, stop_check_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "contacts.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "contacts.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "contacts.send-message", NULL);
}

static void
xi_contacts_page_init (XiContactsPage *self)
{
  g_type_ensure (XI_TYPE_CONTACT_FILTER_BAR);
  gtk_widget_init_template (GTK_WIDGET (self));
  xi_list_keys_attach (GTK_WIDGET (self->column_view), self->search_entry);

  self->cancellable = g_cancellable_new ();
  self->filter_group_ids = g_ptr_array_new_with_free_func (g_free);
  self->group_cells = g_hash_table_new (NULL, NULL);

  add_column (self, COLUMN_NAME, _("Name"), -1);
  /* At 800 pixels the name keeps about a third of the width. */
  add_column (self, COLUMN_PHONE, _("Phone"), 150);
  add_column (self, COLUMN_TAGS, _("Tags"), 120);
  add_column (self, COLUMN_GROUPS, _("Groups"), 130);
  self->status_column = g_object_ref (add_column (self, COLUMN_STATUS, _("Status"), 150));
}

/* For tests and the window: what the list shows right now. */
GListModel *
xi_contacts_page_get_visible (XiContactsPage *self)
{
  g_return_val_if_fail (XI_IS_CONTACTS_PAGE (self), NULL);
  return G_LIST_MODEL (self->list);
}

void
xi_contacts_page_set_search (XiContactsPage *self,
                             const char     *text)
{
  g_return_if_fail (XI_IS_CONTACTS_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  /* The entry waits for its search delay; apply at once. */
  search_changed_cb (self, self->search_entry);
}

/**
 * xi_contacts_page_apply_filter:
 * @self: a #XiContactsPage
 * @filter: (nullable): the audience to show, or %NULL for every contact;
 *   conditions that only the store can answer (groups, messages sent,
 *   replies) are resolved by it first, and the list changes once they are
 *
 * The one way the filter bar's audience reaches the list.
 */
void
xi_contacts_page_apply_filter (XiContactsPage  *self,
                               XiContactFilter *filter)
{
  XiContext *context;
  ApplyOp *op;

  g_return_if_fail (XI_IS_CONTACTS_PAGE (self));

  if (self->audience_cancellable != NULL)
    g_cancellable_cancel (self->audience_cancellable);
  g_clear_object (&self->audience_cancellable);

  context = context_of (self);
  if (filter == NULL || context == NULL || !xi_contact_filter_needs_resolving (filter))
    {
      show_audience (self, filter);
      return;
    }

  /* Resolved on a copy: the store's thread writes the sets into it. */
  op = g_new0 (ApplyOp, 1);
  op->self = g_object_ref (self);
  op->filter = xi_contact_filter_new_from_conditions (xi_contact_filter_get_conditions (filter), NULL);
  self->audience_cancellable = g_cancellable_new ();
  xi_store_resolve_filter_async (xi_context_get_store (context), op->filter, self->audience_cancellable,
                                 audience_resolved_cb, op);
}
