/* test-ui-workflows.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-contacts-page.h"
#include "xi-import-reader.h"
#include "xi-send-message-dialog.h"
#include "xi-test-utils.h"
#include "xi-ui-test-utils.h"
#include "xi-window.h"

/* The daily work around campaigns, on a real store in a temporary folder. */

static XiContact *
seed_contact (XiUiFixture *f,
              const char  *name,
              const char  *phone)
{
  g_autoptr(XiContact) contact = xi_contact_new ();
  g_autoptr(GError) error = NULL;
  XiContact *saved = NULL;

  xi_contact_set_name (contact, name);
  xi_contact_set_phone (contact, phone);
  XI_TEST_WAIT (xi_store_save_contact_async (f->store, contact, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_contact_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return saved;
}

/* Every GtkInscription and GtkLabel under @root showing @text. */
static void
collect_texts (GtkWidget  *root,
               const char *text,
               GPtrArray  *found)
{
  const char *shown = NULL;

  if (GTK_IS_INSCRIPTION (root))
    shown = gtk_inscription_get_text (GTK_INSCRIPTION (root));
  else if (GTK_IS_LABEL (root))
    shown = gtk_label_get_text (GTK_LABEL (root));
  if (shown != NULL && g_str_equal (shown, text) && gtk_widget_get_mapped (root))
    g_ptr_array_add (found, root);

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_texts (child, text, found);
}

/* A contact without a name is listed after the named ones with a dim
 * "No name", and is addressed by the formatted number everywhere. */
static void
test_nameless (XiUiFixture   *f,
               gconstpointer  data)
{
  g_autoptr(XiContact) budi = seed_contact (f, "Budi", "6281200000001");
  g_autoptr(XiContact) nameless = seed_contact (f, NULL, "6281200000002");
  g_autoptr(XiContact) blank = seed_contact (f, "  ", "6281200000003");
  g_autoptr(XiContact) agus = seed_contact (f, "Agus", "6281200000004");
  g_autoptr(GPtrArray) no_name = g_ptr_array_new ();
  g_autoptr(GPtrArray) to = g_ptr_array_new ();
  const char *order[] = { "6281200000004", "6281200000001", "6281200000002", "6281200000003" };
  XiWindow *window;
  GtkWidget *page;
  GtkWidget *dialog;
  GListModel *visible;

  xi_ui_reload (f);
  window = xi_window_new (NULL, f->context);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 600);
  gtk_window_present (GTK_WINDOW (window));
  xi_ui_spin (400);
  page = xi_window_get_page (window, "contacts");
  visible = xi_contacts_page_get_visible (XI_CONTACTS_PAGE (page));
  xi_ui_wait_filter (visible);

  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, G_N_ELEMENTS (order));
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      g_autoptr(XiContact) contact = g_list_model_get_item (visible, i);

      g_assert_cmpstr (xi_contact_get_phone (contact), ==, order[i]);
    }

  collect_texts (GTK_WIDGET (window), "No name", no_name);
  g_assert_cmpuint (no_name->len, ==, 2);
  for (guint i = 0; i < no_name->len; i++)
    g_assert_true (gtk_widget_has_css_class (g_ptr_array_index (no_name, i), "dim-label"));
  xi_ui_spin (200);
  xi_ui_screenshot (GTK_WIDGET (window), "contacts-nameless");

  g_assert_cmpstr (xi_contact_get_display_name (nameless), ==, "+62 812-0000-0002");
  g_assert_cmpstr (xi_contact_get_display_name (blank), ==, "+62 812-0000-0003");
  g_assert_cmpstr (xi_contact_get_display_name (budi), ==, "Budi");

  dialog = xi_send_message_dialog_new (f->context, nameless);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (dialog));
  xi_ui_spin (300);
  collect_texts (dialog, "To +62 812-0000-0002", to);
  g_assert_cmpuint (to->len, ==, 1);
  xi_ui_screenshot (dialog, "send-message-nameless");

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The Contacts search reads conditions: a custom field, a tag, together
 * with a name; timed over 100,000 contacts, as a shop owner's list. */
static void
test_filter_by_field (XiUiFixture   *f,
                      gconstpointer  data)
{
  static const char *cities[] = { "Jakarta", "Bandung", "Surabaya", "Medan", "Semarang" };
  g_autoptr(GString) csv = g_string_new ("Nama,No HP,Kota,Tags\n");
  g_autofree char *path = g_build_filename (f->dir, "pelanggan.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 100000;
  XiWindow *window;
  GtkWidget *page;
  GListModel *visible;
  gint64 start;
  double first_ms;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (csv, "Pelanggan %u,0813%08u,%s,%s\n", i, i, cities[i % G_N_ELEMENTS (cities)],
                            i % 10 == 0 ? "grosir" : "ecer");
  g_assert_true (g_file_set_contents (path, csv->str, csv->len, &error));
  XI_TEST_WAIT (xi_import_read_file_async (file, "62", NULL, NULL, NULL, NULL, xi_test_store_result_cb, &slot_),
                batch = xi_import_read_file_finish (result_, &error));
  g_assert_no_error (error);
  XI_TEST_WAIT (xi_store_import_contacts_async (f->store, g_steal_pointer (&batch), NULL, NULL, NULL, NULL,
                                                NULL, xi_test_store_result_cb, &slot_),
                report = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);

  xi_ui_reload (f);
  window = xi_window_new (NULL, f->context);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 600);
  gtk_window_present (GTK_WINDOW (window));
  page = xi_window_get_page (window, "contacts");
  visible = xi_contacts_page_get_visible (XI_CONTACTS_PAGE (page));
  xi_ui_wait_filter (visible);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, n);

  start = g_get_monotonic_time ();
  xi_contacts_page_set_search (XI_CONTACTS_PAGE (page), "kota:medan");
  xi_ui_wait_filter (visible);
  first_ms = (g_get_monotonic_time () - start) / 1000.0;
  g_test_message ("filter %u contacts by a custom field: %.1f ms", n, first_ms);
  g_print ("# filter-100k-by-field %.1f ms\n", first_ms);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, n / 5);

  /* Once read, the fields are kept: the next search is the typing case. */
  start = g_get_monotonic_time ();
  xi_contacts_page_set_search (XI_CONTACTS_PAGE (page), "kota:jakarta");
  xi_ui_wait_filter (visible);
  g_print ("# filter-100k-by-field-again %.1f ms\n", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, n / 5);

  xi_contacts_page_set_search (XI_CONTACTS_PAGE (page), "kota=Jakarta #grosir");
  xi_ui_wait_filter (visible);
  /* Every tenth is a wholesaler and every fifth in Jakarta: i % 10 == 0. */
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, n / 10);

  xi_contacts_page_set_search (XI_CONTACTS_PAGE (page), "kota:bandung pelanggan 1234");
  xi_ui_wait_filter (visible);
  /* "Pelanggan 1234x" in Bandung: 12341, 12346 */
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 2);
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (window), "contacts-filter-field");

  xi_contacts_page_set_search (XI_CONTACTS_PAGE (page), "");
  xi_ui_wait_filter (visible);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, n);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  int skip = xi_ui_init (&argc, &argv);

  if (skip != 0)
    return skip;

  g_test_add ("/xi/ui-workflows/nameless", XiUiFixture, NULL,
              xi_ui_fixture_setup, test_nameless, xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-workflows/contacts/filter-by-field", XiUiFixture, NULL,
              xi_ui_fixture_setup, test_filter_by_field, xi_ui_fixture_teardown);

  return g_test_run ();
}
