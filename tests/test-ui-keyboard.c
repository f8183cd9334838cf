/* test-ui-keyboard.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-contact-editor.h"
#include "xi-contacts-page.h"
#include "xi-group-dialog.h"
#include "xi-test-utils.h"
#include "xi-ui-test-utils.h"
#include "xi-window.h"

/* Lists and the keyboard, by real key events (xdotool, through XTEST):
 * Tab leaves a list of thousands of rows in one press, and typing while a
 * row has the focus starts the list's search. */

#define N_CONTACTS 3000

static XiImportBatch *
new_batch (guint n_contacts)
{
  XiImportBatch *batch = xi_import_batch_new ();

  for (guint i = 0; i < n_contacts; i++)
    {
      XiImportRow *row = g_new0 (XiImportRow, 1);

      row->line = i + 2;
      row->name = g_strdup_printf ("%s %u", i == 42 ? "Budi" : "Pelanggan", i);
      row->phone = g_strdup_printf ("628581%07u", i);
      row->tags = g_new0 (char *, 1);
      row->groups = g_new0 (char *, 1);
      row->custom_values = g_new0 (char *, 1);
      g_ptr_array_add (batch->rows, row);
    }
  batch->n_records = batch->rows->len;
  return batch;
}

static void
import_contacts (XiUiFixture *f)
{
  XiImportBatch *batch = new_batch (N_CONTACTS);
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GError) error = NULL;

  /* The store takes the batch. */
  XI_TEST_WAIT (xi_store_import_contacts_async (f->store, batch, NULL, NULL, NULL, NULL, NULL,
                                                xi_test_store_result_cb, &slot_),
                report = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report->imported, ==, N_CONTACTS);
  xi_ui_reload (f);
}

static gboolean
focus_inside (GtkWindow *window,
              GtkWidget *widget)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static XiWindow *
open_contacts (XiUiFixture  *f,
               GtkWidget   **list_out)
{
  XiWindow *window = xi_window_new (NULL, f->context);
  GtkWidget *page;

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  xi_window_show_page (window, "contacts");
  page = xi_window_get_page (window, "contacts");
  xi_ui_wait_filter (xi_contacts_page_get_visible (XI_CONTACTS_PAGE (page)));
  g_assert_cmpuint (g_list_model_get_n_items (xi_contacts_page_get_visible (XI_CONTACTS_PAGE (page))), ==,
                    N_CONTACTS);
  xi_ui_spin (300);

  *list_out = xi_ui_find_widget (page, GTK_TYPE_COLUMN_VIEW);
  g_assert_nonnull (*list_out);
  g_assert_true (gtk_widget_grab_focus (*list_out));
  g_assert_true (focus_inside (GTK_WINDOW (window), *list_out));
  return window;
}

static void
test_tab_leaves_list (XiUiFixture   *f,
                      gconstpointer  data)
{
  GtkWidget *list;
  XiWindow *window;

  import_contacts (f);
  window = open_contacts (f, &list);

  if (!xi_ui_send_keys (GTK_WINDOW (window), "key", "Tab"))
    {
      g_test_skip ("no X11 display or no xdotool");
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }
  g_assert_nonnull (gtk_root_get_focus (GTK_ROOT (window)));
  g_assert_false (focus_inside (GTK_WINDOW (window), list));

  /* Shift+Tab comes back in, and leaves the other way in one press too. */
  xi_ui_send_keys (GTK_WINDOW (window), "key", "shift+Tab");
  g_assert_true (focus_inside (GTK_WINDOW (window), list));
  xi_ui_send_keys (GTK_WINDOW (window), "key", "shift+Tab");
  g_assert_nonnull (gtk_root_get_focus (GTK_ROOT (window)));
  g_assert_false (focus_inside (GTK_WINDOW (window), list));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_typing_searches (XiUiFixture   *f,
                      gconstpointer  data)
{
  GtkWidget *page;
  GtkWidget *list;
  GtkWidget *search;
  GListModel *visible;
  XiWindow *window;

  import_contacts (f);
  window = open_contacts (f, &list);
  page = xi_window_get_page (window, "contacts");
  search = xi_ui_find_widget (page, GTK_TYPE_SEARCH_ENTRY);
  visible = xi_contacts_page_get_visible (XI_CONTACTS_PAGE (page));

  if (!xi_ui_send_keys (GTK_WINDOW (window), "type", "budi"))
    {
      g_test_skip ("no X11 display or no xdotool");
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }
  xi_ui_spin (500);
  xi_ui_wait_filter (visible);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (search)), ==, "budi");
  g_assert_true (focus_inside (GTK_WINDOW (window), search));
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Escape on an untouched editor closes it, and the keyboard carries on
 * from the row it was opened on. */
static void
test_editor_closed (XiUiFixture   *f,
                    gconstpointer  data)
{
  GtkWidget *list;
  GtkWidget *focus;
  GtkWidget *editor;
  XiWindow *window;

  import_contacts (f);
  window = open_contacts (f, &list);
  focus = gtk_root_get_focus (GTK_ROOT (window));
  editor = xi_contacts_page_open_editor (XI_CONTACTS_PAGE (xi_window_get_page (window, "contacts")), NULL);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *)&editor);
  xi_ui_spin (300);
  if (!xi_ui_send_keys (GTK_WINDOW (editor), "key", "Escape"))
    {
      g_test_skip ("no X11 display or no xdotool");
      gtk_window_destroy (GTK_WINDOW (editor));
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }
  xi_ui_spin (300);
  g_assert_null (editor);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == focus);
  g_assert_true (focus_inside (GTK_WINDOW (window), list));

  /* A saved contact reloads the list; the focus stays in it. */
  editor = xi_contacts_page_open_editor (XI_CONTACTS_PAGE (xi_window_get_page (window, "contacts")), NULL);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *)&editor);
  xi_contact_editor_set_name (XI_CONTACT_EDITOR (editor), "Dewi Lestari");
  xi_contact_editor_set_phone (XI_CONTACT_EDITOR (editor), "+62 877 8888 9999");
  xi_ui_spin (200);
  xi_ui_send_keys (GTK_WINDOW (editor), "key", "ctrl+s");
  xi_ui_spin (600);
  g_assert_null (editor);
  g_test_message ("focus after saving: %s", gtk_root_get_focus (GTK_ROOT (window)) != NULL ?
                  G_OBJECT_TYPE_NAME (gtk_root_get_focus (GTK_ROOT (window))) : "none");
  g_assert_true (focus_inside (GTK_WINDOW (window), list));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
blocker_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(XiImportReport) report = xi_store_import_contacts_finish (XI_STORE (object), result, NULL);

  g_assert_nonnull (report);
  *(gboolean *)user_data = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *)data;
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *)data == NULL;
}

/* The editor waits, insensitive, while the store saves; the user looks at
 * another window meanwhile. Its number field had the focus and must not
 * go on blinking without it (GTK warns, which is fatal here). */
static void
test_focus_lost_while_saving (XiUiFixture   *f,
                              gconstpointer  data)
{
  GtkWidget *list;
  GtkWidget *editor;
  XiWindow *window;
  gboolean blocker_done = FALSE;

  import_contacts (f);
  window = open_contacts (f, &list);
  editor = xi_contacts_page_open_editor (XI_CONTACTS_PAGE (xi_window_get_page (window, "contacts")), NULL);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *)&editor);
  xi_contact_editor_set_name (XI_CONTACT_EDITOR (editor), "Dewi Lestari");
  xi_contact_editor_set_phone (XI_CONTACT_EDITOR (editor), "+62 877 8888 9999");
  if (!xi_ui_send_keys (GTK_WINDOW (editor), "key", "End"))
    {
      g_test_skip ("no X11 display or no xdotool");
      gtk_window_destroy (GTK_WINDOW (editor));
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }

  /* A long import ahead of it keeps the save waiting on the store thread. */
  xi_store_import_contacts_async (f->store, new_batch (N_CONTACTS * 10), NULL, NULL, NULL, NULL, NULL,
                                  blocker_done_cb, &blocker_done);
  xi_contact_editor_save (XI_CONTACT_EDITOR (editor));
  xi_ui_send_keys (GTK_WINDOW (window), "key", "shift");
  xi_ui_spin (300);
  g_assert_true (xi_ui_wait_for (is_null, &editor, 30000));
  g_assert_true (xi_ui_wait_for (is_true, &blocker_done, 30000));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
is_toplevel_of_type (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_OBJECT_TYPE (window) == *(GType *)data)
        return TRUE;
    }
  return FALSE;
}

static gboolean
no_toplevel_of_type (gpointer data)
{
  return !is_toplevel_of_type (data);
}

static GtkWindow *
toplevel_of_type (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_OBJECT_TYPE (window) == type)
        return window;
    }
  return NULL;
}

static GtkWidget *
first_inscription (GtkWidget *widget)
{
  if (GTK_IS_INSCRIPTION (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = first_inscription (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The row that has the focus, or %NULL when it is not in @list. */
static GtkWidget *
focused_row (XiWindow  *window,
             GtkWidget *list)
{
  GtkWidget *row = gtk_root_get_focus (GTK_ROOT (window));

  /* Up to the row: the widget whose parent holds every row. */
  while (row != NULL && gtk_widget_get_parent (row) != NULL &&
         !g_str_equal (G_OBJECT_TYPE_NAME (gtk_widget_get_parent (row)), "GtkColumnListView") &&
         !GTK_IS_LIST_VIEW (gtk_widget_get_parent (row)))
    row = gtk_widget_get_parent (row);
  if (row == NULL || !gtk_widget_is_ancestor (row, list))
    return NULL;
  return row;
}

/* The name shown in the row that has the focus. */
static char *
focused_name (XiWindow  *window,
              GtkWidget *list)
{
  GtkWidget *row = focused_row (window, list);
  GtkWidget *name = row != NULL ? first_inscription (row) : NULL;

  return name != NULL ? g_strdup (gtk_inscription_get_text (GTK_INSCRIPTION (name))) : NULL;
}

/* Whether a cell of @widget's row shows exactly @text. */
static gboolean
shows_text (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_INSCRIPTION (widget) && g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_text (child, text))
      return TRUE;
  return FALSE;
}

typedef struct
{
  XiWindow   *window;
  GtkWidget  *list;
  const char *text;
} RowShows;

static gboolean
focused_row_shows (gpointer data)
{
  RowShows *shows = data;
  GtkWidget *row = focused_row (shows->window, shows->list);

  return row != NULL && shows_text (row, shows->text);
}

/* A new group made from the selection with the keyboard: the dialog
 * saves with Ctrl+S, the members join, the list reads its rows again;
 * the focus comes back to the row it was on. Closing the import dialog
 * puts the focus in the list too. */
static void
test_dialogs_closed (XiUiFixture   *f,
                     gconstpointer  data)
{
  GType group_dialog = XI_TYPE_GROUP_DIALOG;
  g_autofree char *path = g_build_filename (f->dir, "lagi.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkWidget *page;
  GtkWidget *list;
  GtkWindow *dialog;
  XiWindow *window;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  import_contacts (f);
  window = open_contacts (f, &list);
  page = xi_window_get_page (window, "contacts");
  if (!xi_ui_send_keys (GTK_WINDOW (window), "key", "Down"))
    {
      g_test_skip ("no X11 display or no xdotool");
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }
  xi_ui_send_keys (GTK_WINDOW (window), "key", "Down");
  xi_ui_send_keys (GTK_WINDOW (window), "key", "Down");
  xi_ui_spin (200);
  before = focused_name (window, list);
  g_test_message ("focused row before: %s", before);
  g_assert_nonnull (before);
  /* Select all 3,000, as the group is made from the selection. */
  xi_ui_send_keys (GTK_WINDOW (window), "key", "ctrl+a");
  xi_ui_spin (100);

  gtk_widget_activate_action (page, "contacts.new-group", NULL);
  g_assert_true (xi_ui_wait_for (is_toplevel_of_type, &group_dialog, 5000));
  dialog = toplevel_of_type (XI_TYPE_GROUP_DIALOG);
  xi_group_dialog_set_name (XI_GROUP_DIALOG (dialog), "Dari keyboard");
  xi_ui_spin (300);
  xi_ui_send_keys (dialog, "key", "ctrl+s");
  g_assert_true (xi_ui_wait_for (no_toplevel_of_type, &group_dialog, 10000));
  /* The members were added: the list reads its rows again. */
  xi_ui_spin (1500);
  g_assert_true (focus_inside (GTK_WINDOW (window), list));
  after = focused_name (window, list);
  g_assert_cmpstr (after, ==, before);
  /* The rows in view say which group they joined. */
  g_assert_true (xi_ui_wait_for (focused_row_shows, &(RowShows) { window, list, "Dari keyboard" }, 5000));
  xi_ui_screenshot (GTK_WIDGET (window), "keyboard-after-group-dialog");

  g_assert_true (g_file_set_contents (path, "Nama,Nomor\r\nRina,081299990001\r\n", -1, NULL));
  gtk_widget_grab_focus (GTK_WIDGET (xi_ui_find_widget (page, GTK_TYPE_SEARCH_ENTRY)));
  dialog = GTK_WINDOW (xi_window_import_file (window, file));
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *)&dialog);
  xi_ui_spin (500);
  g_assert_false (focus_inside (GTK_WINDOW (window), list));
  xi_ui_send_keys (dialog, "key", "Escape");
  g_assert_true (xi_ui_wait_for (is_null, &dialog, 5000));
  xi_ui_spin (300);
  g_assert_true (focus_inside (GTK_WINDOW (window), list));
  xi_ui_screenshot (GTK_WIDGET (window), "keyboard-after-import-dialog");

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  int skip = xi_ui_init (&argc, &argv);

  if (skip != 0)
    return skip;

  g_test_add ("/xi/ui-keyboard/tab-leaves-list", XiUiFixture, NULL, xi_ui_fixture_setup, test_tab_leaves_list,
              xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-keyboard/typing-searches", XiUiFixture, NULL, xi_ui_fixture_setup, test_typing_searches,
              xi_ui_fixture_teardown);

  g_test_add ("/xi/ui-keyboard/dialogs-closed", XiUiFixture, NULL, xi_ui_fixture_setup, test_dialogs_closed,
              xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-keyboard/editor-closed", XiUiFixture, NULL, xi_ui_fixture_setup, test_editor_closed,
              xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-keyboard/focus-lost-while-saving", XiUiFixture, NULL, xi_ui_fixture_setup,
              test_focus_lost_while_saving, xi_ui_fixture_teardown);

  return g_test_run ();
}
