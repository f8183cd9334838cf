/* test-ui-sizes.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "xi-connection-indicator.h"
#include "xi-contacts-page.h"
#include "xi-groups-page.h"
#include "xi-history-page.h"
#include "xi-sending-page.h"
#include "xi-test-utils.h"
#include "xi-ui-test-utils.h"
#include "xi-window.h"

/* Every page at the smallest size the app supports, 800×600, and at
 * 1280×800, in the language of $LANGUAGE (meson runs this once in
 * English and once in Indonesian): screenshots named
 * sizes-LANG-WIDTHxHEIGHT-PAGE.png for a human to look at, and no page
 * may ask for more room than the window has. */

static const char *pages[] = { "contacts", "groups", "templates", "sending", "history", "inbox" };

static char *
add_contact (XiUiFixture *f,
             const char  *name,
             const char  *phone,
             gboolean     opted_out)
{
  g_autoptr(XiContact) contact = xi_contact_new ();
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(GError) error = NULL;

  xi_contact_set_name (contact, name);
  xi_contact_set_phone (contact, phone);
  xi_contact_set_opted_out (contact, opted_out);
  XI_TEST_WAIT (xi_store_save_contact_async (f->store, contact, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_contact_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return g_strdup (xi_contact_get_id (saved));
}

/* A group of the contacts and a template, so that the Groups page shows
 * its members and their search, and Sending its form and the quota. */
static void
add_audience (XiUiFixture  *f,
              const char  **ids,
              char        **group_id,
              char        **template_id)
{
  g_autoptr(XiGroup) group = xi_group_new ("Pelanggan Setia Jakarta Selatan dan Sekitarnya");
  g_autoptr(XiTemplate) template_ = xi_template_new ("Promo Lebaran untuk Pelanggan Setia");
  g_autoptr(XiGroup) saved_group = NULL;
  g_autoptr(XiTemplate) saved_template = NULL;
  g_autoptr(GError) error = NULL;
  const char *variants[] = { "Halo {name}, diskon 10% minggu ini!", NULL };
  guint added = 0;

  XI_TEST_WAIT (xi_store_save_group_async (f->store, group, NULL, xi_test_store_result_cb, &slot_),
                saved_group = xi_store_save_group_finish (f->store, result_, &error));
  g_assert_no_error (error);
  *group_id = g_strdup (xi_group_get_id (saved_group));
  XI_TEST_WAIT (xi_store_add_group_members_async (f->store, *group_id, ids, NULL, xi_test_store_result_cb,
                                                  &slot_),
                added = xi_store_add_group_members_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, g_strv_length ((char **)ids));

  xi_template_set_variants (template_, variants);
  XI_TEST_WAIT (xi_store_save_template_async (f->store, template_, NULL, xi_test_store_result_cb, &slot_),
                saved_template = xi_store_save_template_finish (f->store, result_, &error));
  g_assert_no_error (error);
  *template_id = g_strdup (xi_template_get_id (saved_template));
}

static gboolean
has_plan (gpointer data)
{
  return xi_sending_page_get_plan (data) != NULL;
}

/* A campaign (not started), so that History shows its list and the
 * month's quota line. */
static void
add_campaign (XiUiFixture   *f,
              XiSendingPage *page)
{
  g_autoptr(XiJobSpec) spec = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (xi_ui_wait_for (has_plan, page, 10000));
  spec = xi_sending_page_dup_spec (page);
  g_assert_nonnull (spec);
  XI_TEST_WAIT (xi_store_create_job_async (f->store, spec, NULL, xi_test_store_result_cb, &slot_),
                job = xi_store_create_job_finish (f->store, result_, &error));
  g_assert_no_error (error);
  xi_ui_wait_for_item (XI_FACADE (xi_context_get_campaigns (f->context)), xi_job_get_id (job));
}

static gboolean
report_loaded (gpointer data)
{
  GListModel *report = xi_history_page_get_report (data);

  return gtk_filter_list_model_get_pending (GTK_FILTER_LIST_MODEL (report)) == 0 &&
         g_list_model_get_n_items (report) == 3;
}

/* Nothing was sent yet: no reasons, deliveries or reads to show. */
static void
assert_report_columns (XiHistoryPage *page)
{
  const char *expected[] = {
    C_("report column", "#"), C_("report column", "Name"), C_("report column", "Phone"),
    C_("report column", "State"), C_("report column", "Sent"), C_("report column", "Message"),
  };
  GListModel *columns;

  g_assert_true (xi_ui_wait_for (report_loaded, page, 10000));
  columns = gtk_column_view_get_columns (GTK_COLUMN_VIEW (xi_ui_find_widget (GTK_WIDGET (page),
                                                                             GTK_TYPE_COLUMN_VIEW)));
  g_assert_cmpuint (g_list_model_get_n_items (columns), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      g_assert_cmpstr (gtk_column_view_column_get_title (column), ==, expected[i]);
    }
}

static gboolean
status_column_visible (GtkWidget *page)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (xi_ui_find_widget (page, GTK_TYPE_COLUMN_VIEW));
  GListModel *columns = gtk_column_view_get_columns (view);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), _("Status")) == 0)
        return gtk_column_view_column_get_visible (column);
    }
  return FALSE;
}

/* The header bar's connection label, with the longest countdown it
 * shows while WhatsApp reconnects, must be read whole at every width the
 * window takes: the title gives way, not the countdown. */
static void
test_connection_label (XiUiFixture   *f,
                       gconstpointer  data)
{
  const int widths[] = { 800, 960, 1100, 1280 };
  const char *language = g_getenv ("LANGUAGE");
  g_autofree char *wait = g_strdup_printf (_("%u s"), 115);
  g_autofree char *text = g_strdup_printf (_("Reconnecting in %s"), wait);

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      g_autofree char *name = g_strdup_printf ("sizes-%s-%dx600-reconnecting",
                                               language != NULL && language[0] != '\0' ? language : "en",
                                               widths[w]);
      XiWindow *window = xi_window_new (NULL, f->context);
      GtkWidget *indicator = xi_ui_find_widget (GTK_WIDGET (window), XI_TYPE_CONNECTION_INDICATOR);
      GtkWidget *label = xi_ui_find_widget (indicator, GTK_TYPE_LABEL);
      int min_width;

      gtk_widget_set_visible (indicator, TRUE);
      gtk_label_set_text (GTK_LABEL (label), text);
      gtk_window_set_default_size (GTK_WINDOW (window), widths[w], 600);
      gtk_window_present (GTK_WINDOW (window));
      xi_ui_spin (400);

      gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
      g_test_message ("%s: the window needs %d, the label has %d", name, min_width,
                      gtk_widget_get_width (label));
      xi_ui_screenshot (GTK_WIDGET (window), name);
      g_assert_cmpint (min_width, <=, widths[w]);
      g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (label))));
      gtk_window_destroy (GTK_WINDOW (window));
    }
}

/* A search entry squeezed below its placeholder no longer says what it
 * searches. */
static void
assert_placeholder_fits (GtkWidget *page)
{
  GtkWidget *search = xi_ui_find_widget (page, GTK_TYPE_SEARCH_ENTRY);
  PangoLayout *layout = gtk_widget_create_pango_layout (search, NULL);
  int text_width;

  g_assert_nonnull (search);
  pango_layout_set_text (layout, gtk_text_get_placeholder_text (GTK_TEXT (xi_ui_find_widget (search, GTK_TYPE_TEXT))),
                         -1);
  pango_layout_get_pixel_size (layout, &text_width, NULL);
  g_object_unref (layout);
  g_test_message ("the search is %d wide, its placeholder %d", gtk_widget_get_width (search), text_width);
  g_assert_cmpint (gtk_widget_get_width (search), >=, text_width);
}

static void
test_sizes (XiUiFixture   *f,
            gconstpointer  data)
{
  const int sizes[][2] = { { 800, 600 }, { 1280, 800 } };
  const char *language = g_getenv ("LANGUAGE");

  g_autofree char *budi = add_contact (f, "Budi Santoso", "6281234567890", FALSE);
  g_autofree char *siti = add_contact (f, "Siti Rahmawati binti Abdullah Syamsuddin Prawiranegara",
                                       "6281298765432", FALSE);
  g_autofree char *toko = add_contact (f, "Toko Makmur Jaya Sentosa", "6285611112222", FALSE);
  const char *ids[] = { budi, siti, toko, NULL };
  g_autofree char *group_id = NULL;
  g_autofree char *template_id = NULL;
  g_autofree char *ani = NULL;

  add_audience (f, ids, &group_id, &template_id);
  xi_ui_reload (f);

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      XiWindow *window = xi_window_new (NULL, f->context);

      gtk_window_set_default_size (GTK_WINDOW (window), sizes[s][0], sizes[s][1]);
      gtk_window_present (GTK_WINDOW (window));
      for (guint p = 0; p < G_N_ELEMENTS (pages); p++)
        {
          g_autofree char *name = g_strdup_printf ("sizes-%s-%dx%d-%s",
                                                   language != NULL && language[0] != '\0' ? language : "en",
                                                   sizes[s][0], sizes[s][1], pages[p]);
          int min_width, min_height;

          xi_window_show_page (window, pages[p]);
          if (p == 0)
            {
              GtkWidget *page = xi_window_get_page (window, pages[p]);

              xi_ui_wait_filter (xi_contacts_page_get_visible (XI_CONTACTS_PAGE (page)));
              /* No contact has a status yet: the column gives its room to the names. */
              g_assert_false (status_column_visible (page));
            }
          else if (g_str_equal (pages[p], "groups"))
            g_assert_true (xi_groups_page_select_group_by_id (XI_GROUPS_PAGE (xi_window_get_page (window, pages[p])),
                                                              group_id));
          else if (g_str_equal (pages[p], "history"))
            assert_report_columns (XI_HISTORY_PAGE (xi_window_get_page (window, pages[p])));
          else if (g_str_equal (pages[p], "sending"))
            {
              XiSendingPage *page = XI_SENDING_PAGE (xi_window_get_page (window, pages[p]));

              g_assert_true (xi_sending_page_select_group (page, group_id));
              g_assert_true (xi_sending_page_select_template (page, template_id));
              if (s == 0)
                add_campaign (f, page);
            }
          xi_ui_spin (400);
          /* The window cannot shrink below what its content asks for:
           * a page that asked for more would grow it past the screen. */
          gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
          gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_VERTICAL, min_width, &min_height, NULL, NULL,
                              NULL);
          g_test_message ("%s: needs at least %d×%d", name, min_width, min_height);
          if (g_str_equal (pages[p], "groups"))
            assert_placeholder_fits (xi_window_get_page (window, pages[p]));
          g_assert_cmpint (min_width, <=, sizes[s][0]);
          g_assert_cmpint (min_height, <=, sizes[s][1]);
          xi_ui_screenshot (GTK_WIDGET (window), name);
        }
      gtk_window_destroy (GTK_WINDOW (window));
    }

  ani = add_contact (f, "Ani", "6285633334444", TRUE);
  xi_ui_reload (f);
  {
    XiWindow *window = xi_window_new (NULL, f->context);

    xi_window_show_page (window, "contacts");
    xi_ui_spin (100);
    g_assert_true (status_column_visible (xi_window_get_page (window, "contacts")));
    gtk_window_destroy (GTK_WINDOW (window));
  }
}

int
main (int   argc,
      char *argv[])
{
  int skip;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, XI_TEST_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  if ((skip = xi_ui_init (&argc, &argv)) != 0)
    return skip;

  g_test_add ("/xi/ui-sizes/pages", XiUiFixture, NULL, xi_ui_fixture_setup, test_sizes, xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-sizes/connection-label", XiUiFixture, NULL, xi_ui_fixture_setup, test_connection_label,
              xi_ui_fixture_teardown);

  return g_test_run ();
}
