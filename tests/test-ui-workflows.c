/* test-ui-workflows.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-contacts-page.h"
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

int
main (int   argc,
      char *argv[])
{
  int skip = xi_ui_init (&argc, &argv);

  if (skip != 0)
    return skip;

  g_test_add ("/xi/ui-workflows/nameless", XiUiFixture, NULL,
              xi_ui_fixture_setup, test_nameless, xi_ui_fixture_teardown);

  return g_test_run ();
}
