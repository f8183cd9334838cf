/* test-ui-contact-list.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-contact-list.h"
#include "xi-import-reader.h"
#include "xi-test-utils.h"
#include "xi-ui-test-utils.h"

/*
 * XiContactList behind a real GtkListView with 100,000 contacts: the
 * rows shown get their contacts, a jump to the end shows the last ones,
 * a search narrows the list, and however far the view goes the model
 * keeps a bounded number of contacts.
 */

#define N_CONTACTS 100000

static void
import_contacts (XiUiFixture *f)
{
  g_autoptr(GString) csv = g_string_new ("Nama,Nomor\r\n");
  g_autofree char *path = g_build_filename (f->dir, "kontak.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 1; i <= N_CONTACTS; i++)
    g_string_append_printf (csv, "Kontak %06u,0813%08u\r\n", i, i);
  g_assert_true (g_file_set_contents (path, csv->str, csv->len, NULL));

  XI_TEST_WAIT (xi_import_read_file_async (file, "62", NULL, NULL, NULL, NULL, xi_test_store_result_cb, &slot_),
                batch = xi_import_read_file_finish (result_, &error));
  g_assert_no_error (error);
  XI_TEST_WAIT (xi_store_import_contacts_async (f->store, g_steal_pointer (&batch), NULL, NULL, NULL, NULL,
                                                NULL, xi_test_store_result_cb, &slot_),
                report = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report->imported, ==, N_CONTACTS);
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  gtk_list_item_set_child (item, gtk_label_new (NULL));
}

static void
show_contact (GtkLabel  *label,
              GParamSpec *pspec,
              XiContact *contact)
{
  gtk_label_set_text (label, xi_contact_get_id (contact) != NULL ? xi_contact_get_display_name (contact) : "");
}

/* A placeholder is filled in place when its page arrives: the row
 * follows its item's notifications, as the Contacts page does. */
static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  XiContact *contact = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);

  show_contact (GTK_LABEL (label), NULL, contact);
  g_signal_connect_object (contact, "notify", G_CALLBACK (show_contact), label, G_CONNECT_SWAPPED);
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  g_signal_handlers_disconnect_by_data (gtk_list_item_get_item (item), gtk_list_item_get_child (item));
}

typedef struct
{
  GtkWidget  *view;
  const char *text;
} LabelWait;

/* Whether a row of the view shows @text. */
static gboolean
shows_label (gpointer data)
{
  LabelWait *wait = data;
  GtkWidget *child;

  for (child = gtk_widget_get_first_child (wait->view); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *label = gtk_widget_get_first_child (child);

      if (GTK_IS_LABEL (label) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)), wait->text) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
listed (gpointer data)
{
  return !xi_contact_list_get_loading (data);
}

static void
test_scroll_and_search (XiUiFixture   *f,
                        gconstpointer  data)
{
  g_autoptr(XiContactList) list = NULL;
  GtkSignalListItemFactory *factory;
  GtkAdjustment *adjustment;
  GtkWidget *window;
  GtkWidget *scrolled;
  GtkWidget *view;
  LabelWait first = { NULL, "Kontak 000001" };
  LabelWait last = { NULL, "Kontak 100000" };
  LabelWait found = { NULL, "Kontak 099999" };

  import_contacts (f);
  list = xi_contact_list_new (f->store);
  xi_contact_list_refresh (list);
  g_assert_true (xi_ui_wait_for (listed, list, 60000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, N_CONTACTS);

  factory = GTK_SIGNAL_LIST_ITEM_FACTORY (gtk_signal_list_item_factory_new ());
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), NULL);
  view = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (list)))),
                            GTK_LIST_ITEM_FACTORY (factory));
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 600);
  gtk_window_set_child (GTK_WINDOW (window), scrolled);
  gtk_window_present (GTK_WINDOW (window));
  first.view = last.view = found.view = view;

  g_assert_true (xi_ui_wait_for (shows_label, &first, 20000));
  xi_ui_spin (100);
  xi_ui_screenshot (window, "contact-list-top");

  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  for (guint step = 1; step <= 20; step++)
    {
      double end = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

      gtk_adjustment_set_value (adjustment, end * step / 20);
      xi_ui_spin (50);
      g_assert_cmpuint (xi_contact_list_get_n_cached (list), <=, 2048);
    }
  g_assert_true (xi_ui_wait_for (shows_label, &last, 20000));
  g_assert_cmpuint (xi_contact_list_get_n_cached (list), <=, 2048);
  xi_ui_screenshot (window, "contact-list-end");

  xi_contact_list_set_query (list, "kontak 09999", NULL);
  g_assert_true (xi_ui_wait_for (listed, list, 20000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 10);
  g_assert_true (xi_ui_wait_for (shows_label, &found, 20000));
  xi_ui_spin (100);
  xi_ui_screenshot (window, "contact-list-search");

  gtk_window_destroy (GTK_WINDOW (window));
  xi_ui_spin (50);
}

int
main (int   argc,
      char *argv[])
{
  int skip = xi_ui_init (&argc, &argv);

  if (skip != 0)
    return skip;

  g_test_add ("/xi/ui-contact-list/scroll-and-search", XiUiFixture, NULL, xi_ui_fixture_setup,
              test_scroll_and_search, xi_ui_fixture_teardown);

  return g_test_run ();
}
