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
#include "xi-list-keys.h"
#include "xi-phone.h"

/*
 * The groups, sorted by name, on the left; the members of the selected group
 * on the right, with a search, "Add Contacts…" (XiMemberPicker, below) and
 * "Remove from Group". Membership changes go to the store first; when it
 * succeeds, the contacts' group ids and the group's member count in the
 * shared models are brought in step, so every page sees the change.
 */

#define XI_TYPE_MEMBER_PICKER (xi_member_picker_get_type ())

G_DECLARE_FINAL_TYPE (XiMemberPicker, xi_member_picker, XI, MEMBER_PICKER, AdwWindow)

struct _XiGroupsPage
{
  XiPage              parent_instance;

  /* Template widgets */
  GtkStack           *content_stack;
  GtkListView        *group_list;
  GtkLabel           *title_label;
  GtkLabel           *subtitle_label;
  GtkSearchEntry     *member_search;
  GtkStack           *members_stack;
  GtkListView        *member_list;

  /* Owned */
  GtkSortListModel   *sorted_groups;
  GtkSingleSelection *group_selection;
  XiContactList      *members;
  GtkMultiSelection  *member_selection;
  XiGroup            *shown_group;       /* the selected group, watched for changes */
  gulong              shown_group_notify;
  char               *needle;            /* the member search, or NULL */
  GCancellable       *cancellable;
};

G_DEFINE_FINAL_TYPE (XiGroupsPage, xi_groups_page, XI_TYPE_PAGE)

struct _XiMemberPicker
{
  AdwWindow           parent_instance;

  AdwWindowTitle     *title;
  GtkSearchEntry     *search;
  GtkStack           *stack;
  AdwStatusPage      *empty_page;
  GtkListView        *list;

  XiGroupsPage       *page;
  XiGroup            *group;
  XiContactList      *candidates;
  GHashTable         *chosen;            /* contact ids, a set */
  GCancellable       *cancellable;       /* choosing every candidate, until closed */
  GHashTable         *bound;             /* XiContact -> GtkCheckButton, rows on screen */
  char               *needle;
  gboolean            busy;              /* adding: the store has not answered yet */
};

G_DEFINE_FINAL_TYPE (XiMemberPicker, xi_member_picker, ADW_TYPE_WINDOW)

static void picker_update (XiMemberPicker *picker);
static void add_members (XiGroupsPage       *self,
                         XiGroup            *group,
                         const char * const *ids,
                         XiMemberPicker     *picker);

/* Auxiliary methods */

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

static char *
count_text (guint n)
{
  return g_strdup_printf (ngettext ("%u contact", "%u contacts", n), n);
}

static void
set_dot (GtkWidget  *dot,
         const char *colour)
{
  if (colour != NULL && colour[0] != '\0')
    {
      gtk_label_set_text (GTK_LABEL (dot), "●");
      gtk_widget_set_css_classes (dot, (const char *[]) { "group-name", colour, NULL });
    }
  else
    {
      gtk_label_set_text (GTK_LABEL (dot), "○");
      gtk_widget_set_css_classes (dot, (const char *[]) { "dim-label", NULL });
    }
}

/* A list of @group's members (@in) or of the contacts outside it, that
 * match @text. */
static void
query_group (XiContactList *list,
             XiGroup       *group,
             gboolean       in,
             const char    *text)
{
  g_autofree char *condition = NULL;
  g_autoptr(XiContactFilter) filter = xi_contact_filter_new ();

  if (group == NULL)
    {
      /* No group: nobody is in it. */
      xi_contact_list_clear (list);
      return;
    }
  condition = g_strconcat (in ? "group=" : "group!=", xi_group_get_name (group), NULL);
  if (!xi_contact_filter_add_where (filter, condition, NULL))
    g_return_if_reached ();
  xi_contact_list_set_query (list, text, filter);
}

static void
update_header (XiGroupsPage *self)
{
  XiGroup *group = selected_group (self);
  g_autofree char *count = NULL;
  g_autofree char *subtitle = NULL;
  const char *description;

  if (self->title_label == NULL)
    return;

  if (group == NULL)
    {
      gtk_label_set_text (self->title_label, "");
      gtk_label_set_text (self->subtitle_label, "");
      return;
    }

  count = count_text (xi_group_get_member_count (group));
  description = xi_group_get_description (group);
  if (description != NULL && description[0] != '\0')
    /* Translators: the member count, then the group's description */
    subtitle = g_strdup_printf (_("%s · %s"), count, description);
  else
    subtitle = g_steal_pointer (&count);

  gtk_label_set_text (self->title_label, xi_group_get_name (group));
  gtk_label_set_text (self->subtitle_label, subtitle);
}

static void
update_state (XiGroupsPage *self)
{
  XiGroup *group = selected_group (self);
  gboolean any = self->sorted_groups != NULL &&
                 g_list_model_get_n_items (G_LIST_MODEL (self->sorted_groups)) > 0;
  gboolean have_members = self->members != NULL &&
                          (g_list_model_get_n_items (G_LIST_MODEL (self->members)) > 0 ||
                           xi_contact_list_get_loading (self->members));
  gboolean any_selected = FALSE;
  const char *members_page;

  if (self->content_stack == NULL)
    return;

  if (self->member_selection != NULL && have_members)
    {
      g_autoptr(GtkBitset) bits =
        gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->member_selection));

      any_selected = !gtk_bitset_is_empty (bits);
    }

  if (have_members)
    members_page = "members";
  else if (self->needle != NULL && group != NULL && xi_group_get_member_count (group) > 0)
    members_page = "no-results";
  else
    members_page = "no-members";

  gtk_stack_set_visible_child_name (self->content_stack, any ? "groups" : "empty");
  gtk_stack_set_visible_child_name (self->members_stack, members_page);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "groups.edit", group != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "groups.delete", group != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "groups.add-members", group != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "groups.remove-members", any_selected);
}

static void
refilter (XiGroupsPage *self)
{
  if (self->members != NULL)
    query_group (self->members, selected_group (self), TRUE, self->needle);
  update_header (self);
  update_state (self);
}

static void
selected_group_changed_cb (XiGroupsPage *self)
{
  XiGroup *group = selected_group (self);

  if (self->shown_group != group)
    {
      if (self->shown_group != NULL)
        g_clear_signal_handler (&self->shown_group_notify, self->shown_group);
      g_set_object (&self->shown_group, group);
      if (group != NULL)
        self->shown_group_notify = g_signal_connect_object (group, "notify", G_CALLBACK (update_header),
                                                            self, G_CONNECT_SWAPPED);
    }
  refilter (self);
}

/* Rows */

static void
setup_group_row_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget *dot = gtk_label_new (NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *detail = gtk_label_new (NULL);

  gtk_widget_set_valign (dot, GTK_ALIGN_START);
  gtk_widget_set_hexpand (box, TRUE);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_label_set_ellipsize (GTK_LABEL (detail), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (detail), TRUE);
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_widget_add_css_class (detail, "caption");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), detail);
  gtk_box_append (GTK_BOX (row), dot);
  gtk_box_append (GTK_BOX (row), box);
  gtk_widget_set_margin_top (row, 6);
  gtk_widget_set_margin_bottom (row, 6);
  gtk_list_item_set_child (item, row);
}

static void
fill_group_row (GtkListItem *item)
{
  GtkWidget *row = gtk_list_item_get_child (item);
  XiGroup *group = gtk_list_item_get_item (item);
  GtkWidget *dot = gtk_widget_get_first_child (row);
  GtkWidget *name = gtk_widget_get_first_child (gtk_widget_get_next_sibling (dot));
  GtkWidget *detail = gtk_widget_get_next_sibling (name);
  g_autofree char *count = count_text (xi_group_get_member_count (group));
  g_autofree char *text = NULL;
  const char *description = xi_group_get_description (group);

  if (description != NULL && description[0] != '\0')
    text = g_strdup_printf (_("%s · %s"), count, description);

  set_dot (dot, xi_group_get_colour (group));
  gtk_label_set_text (GTK_LABEL (name), xi_group_get_name (group));
  gtk_label_set_text (GTK_LABEL (detail), text != NULL ? text : count);
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
unbind_group_row_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item)
{
  gulong id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (item), "notify-id"));

  if (id != 0)
    g_signal_handler_disconnect (gtk_list_item_get_item (item), id);
  g_object_set_data (G_OBJECT (item), "notify-id", NULL);
}

static GtkWidget *
contact_row_new (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *name = gtk_inscription_new (NULL);
  GtkWidget *phone = gtk_label_new (NULL);

  gtk_widget_set_hexpand (name, TRUE);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (name), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_widget_add_css_class (phone, "dim-label");
  gtk_widget_add_css_class (phone, "numeric");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), phone);
  return box;
}

static void
fill_contact_row (GtkWidget *box,
                  XiContact *contact)
{
  GtkWidget *name = gtk_widget_get_first_child (box);
  g_autofree char *phone = xi_phone_format_international (xi_contact_get_phone (contact));

  gtk_inscription_set_text (GTK_INSCRIPTION (name), xi_contact_get_display_name (contact));
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_next_sibling (name)),
                      phone != NULL ? phone : xi_contact_get_phone (contact));
}

static void
setup_member_row_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item)
{
  GtkWidget *box = contact_row_new ();

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_list_item_set_child (item, box);
}

static void
member_changed_cb (GtkWidget  *box,
                   GParamSpec *pspec,
                   XiContact  *contact)
{
  fill_contact_row (box, contact);
}

/* A row's contact may be a placeholder, filled in place when its page
 * arrives: rows follow their contact. */
static void
bind_member_row_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item)
{
  GtkWidget *box = gtk_list_item_get_child (item);

  fill_contact_row (box, gtk_list_item_get_item (item));
  g_signal_connect_object (gtk_list_item_get_item (item), "notify", G_CALLBACK (member_changed_cb), box,
                           G_CONNECT_SWAPPED);
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item)
{
  g_signal_handlers_disconnect_by_data (gtk_list_item_get_item (item), gtk_list_item_get_child (item));
}

static GtkListItemFactory *
factory_new (GCallback setup,
             GCallback bind,
             GCallback unbind,
             gpointer  user_data)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", setup, user_data);
  g_signal_connect (factory, "bind", bind, user_data);
  if (unbind != NULL)
    g_signal_connect (factory, "unbind", unbind, user_data);
  return factory;
}

/* Membership changes */

typedef struct
{
  XiGroupsPage   *self;
  XiGroup        *group;
  char          **ids;        /* the contacts added or removed */
  XiMemberPicker *picker;     /* nullable; weak: the user may close it meanwhile */
} GroupOp;

static void
group_op_free (GroupOp *op)
{
  g_object_unref (op->self);
  g_object_unref (op->group);
  g_strfreev (op->ids);
  if (op->picker != NULL)
    g_object_remove_weak_pointer (G_OBJECT (op->picker), (gpointer *)&op->picker);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GroupOp, group_op_free)

static void
group_op_closure_free (gpointer  data,
                       GClosure *closure)
{
  group_op_free (data);
}

static GroupOp *
group_op_new (XiGroupsPage       *self,
              XiGroup            *group,
              const char * const *ids)
{
  GroupOp *op = g_new0 (GroupOp, 1);

  op->self = g_object_ref (self);
  op->group = g_object_ref (group);
  op->ids = ids != NULL ? g_strdupv ((char **)ids) : g_new0 (char *, 1);
  return op;
}

static gboolean
report_error (XiGroupsPage *self,
              GError       *error)
{
  if (error == NULL)
    return FALSE;
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    xi_page_toast (XI_PAGE (self), "%s", error->message);
  return TRUE;
}

static void
undo_remove_clicked_cb (AdwToast *toast,
                        GroupOp  *op)
{
  add_members (op->self, op->group, (const char * const *)op->ids, NULL);
}

static void
members_removed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GroupOp) op = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AdwToast) toast = NULL;
  g_autofree char *title = NULL;
  guint n;

  n = xi_groups_facade_remove_members_finish (XI_GROUPS_FACADE (object), result, &error);
  if (report_error (op->self, error))
    return;

  /* The group's count came with the facade, and the lists follow the
   * store. */

  title = g_strdup_printf (ngettext ("Removed %u contact from %s", "Removed %u contacts from %s", n),
                           n, xi_group_get_name (op->group));
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (undo_remove_clicked_cb),
                         group_op_new (op->self, op->group, (const char * const *)op->ids),
                         group_op_closure_free, 0);
  g_signal_emit_by_name (op->self, "add-toast", toast);
}

static void
members_added_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GroupOp) op = user_data;
  g_autoptr(GError) error = NULL;
  guint n;

  n = xi_groups_facade_add_members_finish (XI_GROUPS_FACADE (object), result, &error);
  if (op->picker != NULL)
    {
      op->picker->busy = FALSE;
      picker_update (op->picker);
    }
  if (report_error (op->self, error))
    return;

  if (op->picker != NULL)
    gtk_window_close (GTK_WINDOW (op->picker));
  xi_page_toast (XI_PAGE (op->self),
                 ngettext ("Added %u contact to %s", "Added %u contacts to %s", n),
                 n, xi_group_get_name (op->group));
}

static void
add_members (XiGroupsPage       *self,
             XiGroup            *group,
             const char * const *ids,
             XiMemberPicker     *picker)
{
  GroupOp *op = group_op_new (self, group, ids);

  if (picker != NULL)
    {
      op->picker = picker;
      g_object_add_weak_pointer (G_OBJECT (picker), (gpointer *)&op->picker);
      picker->busy = TRUE;
      picker_update (picker);
    }
  xi_groups_facade_add_members_async (xi_context_get_groups_facade (context_of (self)),
                                      xi_group_get_id (group), (const char * const *)op->ids,
                                      self->cancellable, members_added_cb, op);
}

static void
member_ids_listed_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GroupOp) op = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = xi_contacts_facade_list_ids_finish (XI_CONTACTS_FACADE (object), result, &error);

  if (ids == NULL)
    {
      report_error (op->self, error);
      return;
    }
  g_strfreev (op->ids);
  op->ids = g_steal_pointer (&ids);
  xi_groups_facade_remove_members_async (xi_context_get_groups_facade (context_of (op->self)),
                                         xi_group_get_id (op->group), (const char * const *)op->ids,
                                         op->self->cancellable, members_removed_cb, op);
  g_steal_pointer (&op);
}

/* The selection goes to the store as row keys: selecting every member of
 * a large group and removing them loads none of them. */
static void
remove_selected_members (XiGroupsPage *self)
{
  XiGroup *group = selected_group (self);
  g_autoptr(GtkBitset) bits = NULL;
  g_autoptr(GArray) keys = NULL;
  GtkBitsetIter iter;
  guint position;

  if (group == NULL)
    return;

  bits = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->member_selection));
  keys = g_array_sized_new (FALSE, FALSE, sizeof (gint64), (guint) gtk_bitset_get_size (bits));
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, bits, &position);
       ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      gint64 key = xi_contact_list_get_key (self->members, position);

      if (key != 0)
        g_array_append_val (keys, key);
    }

  if (keys->len == 0)
    {
      xi_page_toast (XI_PAGE (self), _("Select the contacts to remove first"));
      return;
    }

  xi_contacts_facade_list_ids_async (xi_context_get_contacts_facade (context_of (self)),
                                     (const gint64 *)(gpointer)keys->data, keys->len, self->cancellable,
                                     member_ids_listed_cb, group_op_new (self, group, NULL));
}

/* The "Add Contacts…" picker: every contact not yet in the group, with a
 * search and a check box per row. The choice is kept by id, so it survives
 * searching. */

static void
picker_update (XiMemberPicker *picker)
{
  g_autofree char *subtitle = NULL;
  guint shown;
  guint n;

  if (picker->candidates == NULL)   /* closed */
    return;

  n = g_hash_table_size (picker->chosen);
  shown = g_list_model_get_n_items (G_LIST_MODEL (picker->candidates));

  if (n == 0)
    subtitle = g_strdup (_("Nobody chosen yet"));
  else
    subtitle = g_strdup_printf (ngettext ("%u contact chosen", "%u contacts chosen", n), n);
  adw_window_title_set_subtitle (picker->title, subtitle);
  gtk_widget_action_set_enabled (GTK_WIDGET (picker), "picker.add", n > 0 && !picker->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (picker), "picker.select-all", shown > 0);

  if (shown > 0)
    gtk_stack_set_visible_child_name (picker->stack, "list");
  else
    {
      GListModel *all = xi_context_get_contacts (context_of (picker->page));

      if (g_list_model_get_n_items (all) == 0)
        {
          adw_status_page_set_title (picker->empty_page, _("No Contacts Yet"));
          adw_status_page_set_description (picker->empty_page,
                                           _("Add or import contacts on the Contacts page first."));
        }
      else if (picker->needle != NULL)
        {
          adw_status_page_set_title (picker->empty_page, _("No Matching Contacts"));
          adw_status_page_set_description (picker->empty_page,
                                           _("No contact outside this group has that name or number."));
        }
      else
        {
          adw_status_page_set_title (picker->empty_page, _("Everybody Is in This Group"));
          adw_status_page_set_description (picker->empty_page,
                                           _("All your contacts are already members of this group."));
        }
      gtk_stack_set_visible_child_name (picker->stack, "empty");
    }
}

static void
picker_choose (XiMemberPicker *picker,
               XiContact      *contact,
               gboolean        chosen)
{
  GtkCheckButton *check = g_hash_table_lookup (picker->bound, contact);

  if (chosen)
    g_hash_table_add (picker->chosen, g_strdup (xi_contact_get_id (contact)));
  else
    g_hash_table_remove (picker->chosen, xi_contact_get_id (contact));

  if (check != NULL && gtk_check_button_get_active (check) != chosen)
    gtk_check_button_set_active (check, chosen);
  picker_update (picker);
}

static void
candidate_toggled_cb (GtkCheckButton *check,
                      XiMemberPicker *picker)
{
  XiContact *contact = g_object_get_data (G_OBJECT (check), "contact");

  if (contact != NULL && xi_contact_get_id (contact) != NULL)
    picker_choose (picker, contact, gtk_check_button_get_active (check));
}

static void
setup_candidate_row_cb (GtkSignalListItemFactory *factory,
                        GtkListItem              *item,
                        XiMemberPicker           *picker)
{
  GtkWidget *check = gtk_check_button_new ();
  GtkWidget *box = contact_row_new ();

  gtk_widget_set_margin_start (box, 6);
  gtk_check_button_set_child (GTK_CHECK_BUTTON (check), box);
  gtk_widget_set_margin_start (check, 6);
  gtk_widget_set_margin_end (check, 12);
  gtk_widget_set_margin_top (check, 4);
  gtk_widget_set_margin_bottom (check, 4);
  g_signal_connect (check, "toggled", G_CALLBACK (candidate_toggled_cb), picker);
  gtk_list_item_set_child (item, check);
}

static void
show_candidate (GtkWidget  *check,
                GParamSpec *pspec,
                XiContact  *contact)
{
  XiMemberPicker *picker = g_object_get_data (G_OBJECT (check), "picker");
  const char *id = xi_contact_get_id (contact);

  fill_contact_row (gtk_check_button_get_child (GTK_CHECK_BUTTON (check)), contact);
  g_object_set_data (G_OBJECT (check), "contact", NULL);
  /* Nobody to choose until the row's page has come. */
  gtk_widget_set_sensitive (check, id != NULL);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), id != NULL && g_hash_table_contains (picker->chosen, id));
  g_object_set_data (G_OBJECT (check), "contact", contact);
}

static void
bind_candidate_row_cb (GtkSignalListItemFactory *factory,
                       GtkListItem              *item,
                       XiMemberPicker           *picker)
{
  GtkWidget *check = gtk_list_item_get_child (item);
  XiContact *contact = gtk_list_item_get_item (item);

  g_object_set_data (G_OBJECT (check), "picker", picker);
  show_candidate (check, NULL, contact);
  g_signal_connect_object (contact, "notify", G_CALLBACK (show_candidate), check, G_CONNECT_SWAPPED);
  g_hash_table_replace (picker->bound, contact, check);
}

static void
unbind_candidate_row_cb (GtkSignalListItemFactory *factory,
                         GtkListItem              *item,
                         XiMemberPicker           *picker)
{
  GtkWidget *check = gtk_list_item_get_child (item);
  XiContact *contact = gtk_list_item_get_item (item);

  g_object_set_data (G_OBJECT (check), "contact", NULL);
  g_signal_handlers_disconnect_by_data (contact, check);
  if (g_hash_table_lookup (picker->bound, contact) == check)
    g_hash_table_remove (picker->bound, contact);
}

/* Enter on a row (or a click outside its check box) flips it. */
static void
candidate_activated_cb (GtkListView    *list,
                        guint           position,
                        XiMemberPicker *picker)
{
  g_autoptr(XiContact) contact = g_list_model_get_item (G_LIST_MODEL (picker->candidates), position);

  if (contact != NULL && xi_contact_get_id (contact) != NULL)
    picker_choose (picker, contact, !g_hash_table_contains (picker->chosen, xi_contact_get_id (contact)));
}

static void
picker_search_changed_cb (GtkSearchEntry *entry,
                          XiMemberPicker *picker)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  g_clear_pointer (&picker->needle, g_free);
  if (text[0] != '\0')
    picker->needle = g_strdup (text);
  query_group (picker->candidates, picker->group, FALSE, picker->needle);
  picker_update (picker);
}

/* Keys turned into ids at a time when choosing every candidate: ids
 * are all the picker keeps of a contact. */
#define CHOOSE_BATCH 4096

typedef struct
{
  XiMemberPicker *picker;
  GArray         *keys;   /* gint64: the candidates when "Choose All" was pressed */
  guint           done;
} ChooseAll;

static void
choose_all_free (ChooseAll *all)
{
  g_object_unref (all->picker);
  g_array_unref (all->keys);
  g_free (all);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChooseAll, choose_all_free)

static void choose_next (ChooseAll *all);

static void
candidate_ids_listed_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(ChooseAll) all = user_data;
  XiMemberPicker *picker = all->picker;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = xi_contacts_facade_list_ids_finish (XI_CONTACTS_FACADE (object), result, &error);
  GHashTableIter iter;
  gpointer contact;
  gpointer check;

  if (ids == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        xi_page_toast (XI_PAGE (picker->page), "%s", error->message);
      return;
    }
  for (guint i = 0; ids[i] != NULL; i++)
    g_hash_table_add (picker->chosen, g_steal_pointer (&ids[i]));

  /* The rows on screen show their new state. */
  g_hash_table_iter_init (&iter, picker->bound);
  while (g_hash_table_iter_next (&iter, &contact, &check))
    if (xi_contact_get_id (contact) != NULL && g_hash_table_contains (picker->chosen, xi_contact_get_id (contact)))
      gtk_check_button_set_active (check, TRUE);

  all->done += MIN (CHOOSE_BATCH, all->keys->len - all->done);
  if (all->done < all->keys->len)
    {
      choose_next (g_steal_pointer (&all));
      return;
    }
  picker->busy = FALSE;
  picker_update (picker);
}

static void
choose_next (ChooseAll *all)
{
  XiMemberPicker *picker = all->picker;

  picker_update (picker);
  xi_contacts_facade_list_ids_async (xi_context_get_contacts_facade (context_of (picker->page)),
                                     &g_array_index (all->keys, gint64, all->done),
                                     MIN (CHOOSE_BATCH, all->keys->len - all->done), picker->cancellable,
                                     candidate_ids_listed_cb, all);
}

/* The candidates' rows are loaded only where shown: choosing them all
 * asks the store for their ids alone, a batch at a time, so that
 * choosing a million holds their ids, never their contacts. */
static void
picker_select_all_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  XiMemberPicker *picker = XI_MEMBER_PICKER (widget);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (picker->candidates));
  ChooseAll *all;

  if (n == 0 || picker->busy)
    return;

  all = g_new0 (ChooseAll, 1);
  all->picker = g_object_ref (picker);
  all->keys = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);
  for (guint i = 0; i < n; i++)
    {
      gint64 key = xi_contact_list_get_key (picker->candidates, i);

      g_array_append_val (all->keys, key);
    }
  picker->busy = TRUE;
  choose_next (all);
}

static void
picker_add_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  XiMemberPicker *picker = XI_MEMBER_PICKER (widget);
  g_autofree gpointer *ids = NULL;

  if (g_hash_table_size (picker->chosen) == 0 || picker->busy)
    return;

  ids = g_hash_table_get_keys_as_array (picker->chosen, NULL);
  add_members (picker->page, picker->group, (const char * const *)ids, picker);
}

static void
xi_member_picker_dispose (GObject *object)
{
  XiMemberPicker *picker = (XiMemberPicker *)object;

  if (picker->list != NULL)
    gtk_list_view_set_model (picker->list, NULL);
  picker->list = NULL;
  g_clear_pointer (&picker->bound, g_hash_table_unref);
  g_clear_pointer (&picker->chosen, g_hash_table_unref);
  if (picker->cancellable != NULL)
    g_cancellable_cancel (picker->cancellable);
  g_clear_object (&picker->cancellable);
  g_clear_object (&picker->candidates);
  g_clear_object (&picker->group);
  g_clear_object (&picker->page);

  G_OBJECT_CLASS (xi_member_picker_parent_class)->dispose (object);
}

static void
xi_member_picker_finalize (GObject *object)
{
  XiMemberPicker *picker = (XiMemberPicker *)object;

  g_free (picker->needle);

  G_OBJECT_CLASS (xi_member_picker_parent_class)->finalize (object);
}

static void
xi_member_picker_class_init (XiMemberPickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_member_picker_dispose;
  object_class->finalize = xi_member_picker_finalize;

  gtk_widget_class_install_action (widget_class, "picker.add", NULL, picker_add_action);
  gtk_widget_class_install_action (widget_class, "picker.select-all", NULL, picker_select_all_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "picker.add", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "picker.add", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "picker.select-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
xi_member_picker_init (XiMemberPicker *picker)
{
  picker->chosen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  picker->cancellable = g_cancellable_new ();
  picker->bound = g_hash_table_new (NULL, NULL);
}

static XiMemberPicker *
xi_member_picker_new (XiGroupsPage *page,
                      XiGroup      *group)
{
  XiMemberPicker *picker = g_object_new (XI_TYPE_MEMBER_PICKER,
                                         "modal", TRUE,
                                         "destroy-with-parent", TRUE,
                                         "default-width", 460,
                                         "default-height", 600,
                                         NULL);
  g_autoptr(GtkListItemFactory) factory = NULL;
  g_autofree char *title = g_strdup_printf (_("Add to “%s”"), xi_group_get_name (group));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  GtkWidget *add = gtk_button_new_with_mnemonic (_("_Add"));
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *select_all = gtk_button_new_with_mnemonic (_("Choose _All Shown"));
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  picker->page = g_object_ref (page);
  picker->group = g_object_ref (group);
  gtk_window_set_title (GTK_WINDOW (picker), title);

  /* Header: Cancel, the title with the number chosen, Add. */
  picker->title = ADW_WINDOW_TITLE (adw_window_title_new (title, NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (picker->title));
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "window.close");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (add), "picker.add");
  gtk_widget_set_tooltip_text (add, _("Add the chosen contacts to the group (Ctrl+Enter)"));
  gtk_widget_add_css_class (add, "suggested-action");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), add);
  gtk_box_append (GTK_BOX (box), header);

  /* Search and "choose all shown". */
  picker->search = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  gtk_search_entry_set_search_delay (picker->search, 150);
  g_object_set (picker->search, "placeholder-text", _("Search by name or number"), NULL);
  gtk_widget_set_hexpand (GTK_WIDGET (picker->search), TRUE);
  g_signal_connect (picker->search, "search-changed", G_CALLBACK (picker_search_changed_cb), picker);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (select_all), "picker.select-all");
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (picker->search));
  gtk_box_append (GTK_BOX (bar), select_all);
  gtk_widget_set_margin_start (bar, 12);
  gtk_widget_set_margin_end (bar, 12);
  gtk_widget_set_margin_top (bar, 6);
  gtk_widget_set_margin_bottom (bar, 6);
  gtk_box_append (GTK_BOX (box), bar);

  /* The candidates. */
  picker->candidates = xi_contacts_facade_new_list (xi_context_get_contacts_facade (context_of (page)));
  query_group (picker->candidates, picker->group, FALSE, NULL);
  /* "Choose All Shown" and the empty page follow the listing. */
  g_signal_connect_object (picker->candidates, "items-changed", G_CALLBACK (picker_update), picker,
                           G_CONNECT_SWAPPED);
  factory = factory_new (G_CALLBACK (setup_candidate_row_cb), G_CALLBACK (bind_candidate_row_cb),
                         G_CALLBACK (unbind_candidate_row_cb), picker);
  picker->list = GTK_LIST_VIEW (gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (
                                                     G_LIST_MODEL (g_object_ref (picker->candidates)))),
                                                   g_object_ref (factory)));
  gtk_list_view_set_single_click_activate (picker->list, FALSE);
  g_signal_connect (picker->list, "activate", G_CALLBACK (candidate_activated_cb), picker);
  gtk_accessible_update_property (GTK_ACCESSIBLE (picker->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Contacts not in the group"), -1);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (picker->list));

  picker->empty_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (picker->empty_page, "system-users-symbolic");
  picker->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (picker->stack), TRUE);
  gtk_stack_add_named (picker->stack, scrolled, "list");
  gtk_stack_add_named (picker->stack, GTK_WIDGET (picker->empty_page), "empty");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (picker->stack));

  adw_window_set_content (ADW_WINDOW (picker), box);
  gtk_window_set_default_widget (GTK_WINDOW (picker), add);
  picker_update (picker);
  gtk_widget_grab_focus (GTK_WIDGET (picker->search));

  return picker;
}

/* Callbacks and actions */

static void
member_search_changed_cb (XiGroupsPage   *self,
                          GtkSearchEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  g_clear_pointer (&self->needle, g_free);
  if (text[0] != '\0')
    self->needle = g_strdup (text);
  refilter (self);
}

static void
group_saved_cb (XiGroupsPage *self,
                XiGroup      *saved)
{
  xi_groups_page_select_group_by_id (self, xi_group_get_id (saved));
  gtk_widget_grab_focus (GTK_WIDGET (self->group_list));
}

static void
open_dialog (XiGroupsPage *self,
             XiGroup      *group)
{
  GtkWidget *dialog = xi_group_dialog_new (context_of (self), group);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (root));
  g_signal_connect_object (dialog, "saved", G_CALLBACK (group_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  if (context_of (XI_GROUPS_PAGE (widget)) != NULL)
    open_dialog (XI_GROUPS_PAGE (widget), NULL);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiGroupsPage *self = XI_GROUPS_PAGE (widget);

  if (selected_group (self) != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->member_search));
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

static void
add_members_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  xi_groups_page_open_picker (XI_GROUPS_PAGE (widget));
}

static void
remove_members_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  remove_selected_members (XI_GROUPS_PAGE (widget));
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GroupOp) op = user_data;
  g_autoptr(GError) error = NULL;

  xi_groups_facade_delete_finish (XI_GROUPS_FACADE (object), result, &error);
  if (report_error (op->self, error))
    return;

  xi_page_toast (XI_PAGE (op->self), _("Deleted the group %s; its contacts were kept"),
                 xi_group_get_name (op->group));
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  GroupOp *op = user_data;

  /* Answer once: closing the dialog may emit its close response too. */
  if (g_str_equal (response, "delete"))
    xi_groups_facade_delete_async (xi_context_get_groups_facade (context_of (op->self)),
                                   xi_group_get_id (op->group), op->self->cancellable, deleted_cb,
                                   group_op_new (op->self, op->group, NULL));
  g_signal_handlers_disconnect_by_func (dialog, delete_response_cb, user_data);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiGroupsPage *self = XI_GROUPS_PAGE (widget);
  XiGroup *group = selected_group (self);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;
  guint n;

  if (group == NULL)
    return;

  n = xi_group_get_member_count (group);
  heading = g_strdup_printf (_("Delete the Group “%s”?"), xi_group_get_name (group));
  if (n > 0)
    body = g_strdup_printf (ngettext ("Its %u contact is kept in your contacts; only the group is deleted.",
                                      "Its %u contacts are kept in your contacts; only the group is deleted.",
                                      n), n);
  else
    body = g_strdup (_("The group has no contacts. Your contacts are not changed."));

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete Group"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (delete_response_cb),
                         group_op_new (self, group, NULL), group_op_closure_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Another page may have changed memberships while this one was hidden. */
static void
page_mapped_cb (XiGroupsPage *self)
{
  refilter (self);
}

/* Life cycle */

static void
xi_groups_page_context_set (XiPage    *page,
                            XiContext *context)
{
  XiGroupsPage *self = XI_GROUPS_PAGE (page);
  GtkExpression *name = gtk_property_expression_new (XI_TYPE_GROUP, NULL, "name");

  self->sorted_groups = gtk_sort_list_model_new (g_object_ref (xi_context_get_groups (context)),
                                                 GTK_SORTER (gtk_string_sorter_new (name)));
  self->group_selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->sorted_groups)));
  gtk_list_view_set_model (self->group_list, GTK_SELECTION_MODEL (self->group_selection));

  self->members = xi_contacts_facade_new_list (xi_context_get_contacts_facade (context));
  self->member_selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->members)));
  gtk_list_view_set_model (self->member_list, GTK_SELECTION_MODEL (self->member_selection));

  g_signal_connect_object (self->group_selection, "notify::selected-item",
                           G_CALLBACK (selected_group_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sorted_groups, "items-changed", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->members, "items-changed", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->members, "notify::loading", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->member_selection, "selection-changed", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  selected_group_changed_cb (self);
}

static void
xi_groups_page_dispose (GObject *object)
{
  XiGroupsPage *self = (XiGroupsPage *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->shown_group != NULL)
    g_clear_signal_handler (&self->shown_group_notify, self->shown_group);
  g_clear_object (&self->shown_group);

  /* AdwBin 1.2 unparents its child in its own dispose: let go of it
   * first, so the template teardown does not unparent it twice. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), XI_TYPE_GROUPS_PAGE);

  g_clear_object (&self->group_selection);
  g_clear_object (&self->sorted_groups);
  g_clear_object (&self->member_selection);
  g_clear_object (&self->members);

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
  gtk_widget_class_bind_template_child (widget_class, XiGroupsPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, XiGroupsPage, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, XiGroupsPage, member_search);
  gtk_widget_class_bind_template_child (widget_class, XiGroupsPage, members_stack);
  gtk_widget_class_bind_template_child (widget_class, XiGroupsPage, member_list);
  gtk_widget_class_bind_template_callback (widget_class, member_search_changed_cb);

  gtk_widget_class_install_action (widget_class, "page.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "page.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "groups.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "groups.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "groups.add-members", NULL, add_members_action);
  gtk_widget_class_install_action (widget_class, "groups.remove-members", NULL, remove_members_action);
}

static void
xi_groups_page_init (XiGroupsPage *self)
{
  g_autoptr(GtkListItemFactory) groups = NULL;
  g_autoptr(GtkListItemFactory) members = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  xi_list_keys_attach (GTK_WIDGET (self->group_list), NULL);
  xi_list_keys_attach (GTK_WIDGET (self->member_list), self->member_search);

  self->cancellable = g_cancellable_new ();

  groups = factory_new (G_CALLBACK (setup_group_row_cb), G_CALLBACK (bind_group_row_cb),
                        G_CALLBACK (unbind_group_row_cb), NULL);
  members = factory_new (G_CALLBACK (setup_member_row_cb), G_CALLBACK (bind_member_row_cb),
                         G_CALLBACK (unbind_row_cb), NULL);
  gtk_list_view_set_factory (self->group_list, groups);
  gtk_list_view_set_factory (self->member_list, members);

  g_signal_connect (self, "map", G_CALLBACK (page_mapped_cb), NULL);
  update_state (self);
}

/* Public API */

/**
 * xi_groups_page_get_groups:
 * @self: a #XiGroupsPage
 *
 * Returns: (transfer none) (nullable): the groups as listed, sorted by name
 */
GListModel *
xi_groups_page_get_groups (XiGroupsPage *self)
{
  g_return_val_if_fail (XI_IS_GROUPS_PAGE (self), NULL);
  return G_LIST_MODEL (self->group_selection);
}

void
xi_groups_page_select_group (XiGroupsPage *self,
                             guint         position)
{
  g_return_if_fail (XI_IS_GROUPS_PAGE (self));
  g_return_if_fail (self->group_selection != NULL);

  gtk_single_selection_set_selected (self->group_selection, position);
}

gboolean
xi_groups_page_select_group_by_id (XiGroupsPage *self,
                                   const char   *group_id)
{
  GListModel *model;
  guint n;

  g_return_val_if_fail (XI_IS_GROUPS_PAGE (self), FALSE);

  if (self->group_selection == NULL)
    return FALSE;

  model = G_LIST_MODEL (self->group_selection);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(XiGroup) group = g_list_model_get_item (model, i);

      if (g_strcmp0 (xi_group_get_id (group), group_id) == 0)
        {
          gtk_single_selection_set_selected (self->group_selection, i);
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * xi_groups_page_get_selected_group:
 * @self: a #XiGroupsPage
 *
 * Returns: (transfer none) (nullable): the group whose members are shown
 */
XiGroup *
xi_groups_page_get_selected_group (XiGroupsPage *self)
{
  g_return_val_if_fail (XI_IS_GROUPS_PAGE (self), NULL);
  return selected_group (self);
}

/**
 * xi_groups_page_get_members:
 * @self: a #XiGroupsPage
 *
 * Returns: (transfer none) (nullable): the members of the selected group as
 *   shown (a #GtkFilterListModel; incremental)
 */
GListModel *
xi_groups_page_get_members (XiGroupsPage *self)
{
  g_return_val_if_fail (XI_IS_GROUPS_PAGE (self), NULL);
  return G_LIST_MODEL (self->members);
}

/**
 * xi_groups_page_get_member_selection:
 * @self: a #XiGroupsPage
 *
 * Returns: (transfer none) (nullable): the selection over the members
 */
GtkSelectionModel *
xi_groups_page_get_member_selection (XiGroupsPage *self)
{
  g_return_val_if_fail (XI_IS_GROUPS_PAGE (self), NULL);
  return GTK_SELECTION_MODEL (self->member_selection);
}

void
xi_groups_page_set_member_search (XiGroupsPage *self,
                                  const char   *text)
{
  g_return_if_fail (XI_IS_GROUPS_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->member_search), text);
  member_search_changed_cb (self, self->member_search);
}

/**
 * xi_groups_page_open_picker:
 * @self: a #XiGroupsPage
 *
 * Opens "Add Contacts…" for the selected group.
 *
 * Returns: (transfer none) (nullable): the picker window, or %NULL when no
 *   group is selected
 */
GtkWidget *
xi_groups_page_open_picker (XiGroupsPage *self)
{
  XiGroup *group;
  XiMemberPicker *picker;
  GtkRoot *root;

  g_return_val_if_fail (XI_IS_GROUPS_PAGE (self), NULL);

  if ((group = selected_group (self)) == NULL)
    return NULL;

  picker = xi_member_picker_new (self, group);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (picker), GTK_WINDOW (root));
  gtk_window_present (GTK_WINDOW (picker));

  return GTK_WIDGET (picker);
}

/**
 * xi_groups_page_picker_get_candidates:
 * @picker: a picker from xi_groups_page_open_picker()
 *
 * Returns: (transfer none): the contacts offered, after the search
 */
GListModel *
xi_groups_page_picker_get_candidates (GtkWidget *picker)
{
  g_return_val_if_fail (XI_IS_MEMBER_PICKER (picker), NULL);
  return G_LIST_MODEL (XI_MEMBER_PICKER (picker)->candidates);
}

void
xi_groups_page_picker_set_search (GtkWidget  *picker,
                                  const char *text)
{
  g_return_if_fail (XI_IS_MEMBER_PICKER (picker));

  gtk_editable_set_text (GTK_EDITABLE (XI_MEMBER_PICKER (picker)->search), text);
  picker_search_changed_cb (XI_MEMBER_PICKER (picker)->search, XI_MEMBER_PICKER (picker));
}

void
xi_groups_page_picker_set_chosen (GtkWidget *picker,
                                  XiContact *contact,
                                  gboolean   chosen)
{
  g_return_if_fail (XI_IS_MEMBER_PICKER (picker));
  g_return_if_fail (XI_IS_CONTACT (contact));

  picker_choose (XI_MEMBER_PICKER (picker), contact, chosen);
}

guint
xi_groups_page_picker_get_n_chosen (GtkWidget *picker)
{
  g_return_val_if_fail (XI_IS_MEMBER_PICKER (picker), 0);
  return g_hash_table_size (XI_MEMBER_PICKER (picker)->chosen);
}
