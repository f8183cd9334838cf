/* test-ui-templates.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-group-dialog.h"
#include "xi-groups-page.h"
#include "xi-template-editor.h"
#include "xi-templates-page.h"
#include "xi-test-utils.h"
#include "xi-ui-test-utils.h"
#include "xi-window.h"

/* Groups and templates pages on a real store. */

static XiContact *
add_contact (XiUiFixture *f,
             const char  *name,
             const char  *phone,
             const char  *kota)
{
  g_autoptr(XiContact) contact = xi_contact_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  XiContact *saved;

  xi_contact_set_name (contact, name);
  xi_contact_set_phone (contact, phone);
  if (kota != NULL)
    xi_contact_set_custom_field (contact, "kota", kota);
  xi_store_save_contact_async (f->store, contact, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  saved = xi_store_save_contact_finish (f->store, result, &error);
  g_assert_no_error (error);
  return saved;
}

static XiWindow *
open_window (XiUiFixture *f,
             const char  *page)
{
  XiWindow *window = xi_window_new (NULL, f->context);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_window_present (GTK_WINDOW (window));
  xi_window_show_page (window, page);
  xi_ui_spin (400);
  return window;
}

static gboolean
has_items (gpointer data)
{
  return g_list_model_get_n_items (data) > 0;
}

static void
test_groups (XiUiFixture   *f,
             gconstpointer  data)
{
  g_autoptr(XiContact) a = add_contact (f, "Budi Santoso", "6281234567890", NULL);
  g_autoptr(XiContact) b = add_contact (f, "Siti Aminah", "6285711112222", NULL);
  g_autoptr(XiGroup) group = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *ids[] = { NULL, NULL, NULL };
  GAsyncResult *slot = NULL;
  XiWindow *window;
  GtkWidget *dialog;
  GtkWidget *page;
  GListModel *members;

  window = open_window (f, "groups");
  xi_ui_screenshot (GTK_WIDGET (window), "groups-empty");

  dialog = xi_group_dialog_new (f->context, NULL);
  gtk_window_present (GTK_WINDOW (dialog));
  xi_group_dialog_set_name (XI_GROUP_DIALOG (dialog), "Pelanggan Setia");
  xi_ui_spin (200);
  xi_ui_screenshot (dialog, "group-dialog");
  xi_group_dialog_save (XI_GROUP_DIALOG (dialog));
  g_assert_true (xi_ui_wait_for (has_items, xi_context_get_groups (f->context), 10000));
  group = g_list_model_get_item (xi_context_get_groups (f->context), 0);
  g_assert_cmpstr (xi_group_get_name (group), ==, "Pelanggan Setia");

  ids[0] = xi_contact_get_id (a);
  ids[1] = xi_contact_get_id (b);
  xi_store_add_group_members_async (f->store, xi_group_get_id (group), ids, NULL,
                                    xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  g_assert_cmpuint (xi_store_add_group_members_finish (f->store, result, &error), ==, 2);
  xi_ui_reload (f);

  page = xi_window_get_page (window, "groups");
  xi_groups_page_select_group (XI_GROUPS_PAGE (page), 0);
  members = xi_groups_page_get_members (XI_GROUPS_PAGE (page));
  xi_ui_wait_filter (members);
  g_assert_cmpuint (g_list_model_get_n_items (members), ==, 2);
  xi_ui_spin (200);
  xi_ui_screenshot (GTK_WIDGET (window), "groups");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_templates (XiUiFixture   *f,
                gconstpointer  data)
{
  g_autoptr(XiContact) with_city = NULL;
  g_autoptr(XiContact) without_city = NULL;
  g_autofree char *error_text = NULL;
  g_autofree char *preview = NULL;
  g_autofree char *warning = NULL;
  g_autofree char *no_warning = NULL;
  g_autoptr(XiTemplate) saved = NULL;
  XiTemplateEditor *editor;
  XiWindow *window;
  GtkWidget *page;
  GListModel *contacts;

  with_city = add_contact (f, "Budi Santoso", "6281234567890", "Bandung");
  without_city = add_contact (f, "Siti Aminah", "6285711112222", NULL);
  xi_ui_reload (f);
  window = open_window (f, "templates");
  xi_ui_screenshot (GTK_WIDGET (window), "templates-empty");

  page = xi_window_get_page (window, "templates");
  gtk_widget_activate_action (page, "page.new", NULL);
  editor = xi_templates_page_get_editor (XI_TEMPLATES_PAGE (page));

  xi_template_editor_set_name (editor, "Promo Desember");
  xi_template_editor_set_variant_text (editor, 0, "Halo {nama");
  g_assert_false (xi_template_editor_can_save (editor));
  error_text = xi_template_editor_dup_error (editor, 0);
  g_assert_true (g_str_has_prefix (error_text, "Line 1, column 6"));

  xi_template_editor_set_variant_text (editor, 0, "{{Halo|Hai}} {first_name|Kak}, promo di {kota}!");
  g_assert_true (xi_template_editor_can_save (editor));
  xi_template_editor_add_variant (editor);
  g_assert_false (xi_template_editor_can_save (editor));
  xi_template_editor_set_variant_text (editor, 1, "Selamat pagi {name|Kak}, diskon 20% di {kota|toko kami}.");
  g_assert_true (xi_template_editor_can_save (editor));

  contacts = xi_context_get_contacts (f->context);
  for (guint i = 0; i < g_list_model_get_n_items (contacts); i++)
    {
      g_autoptr(XiContact) contact = g_list_model_get_item (contacts, i);

      if (g_str_equal (xi_contact_get_phone (contact), "6281234567890"))
        {
          xi_template_editor_preview_contact (editor, contact);
          preview = xi_template_editor_dup_preview (editor, 1);
          no_warning = xi_template_editor_dup_warning (editor);
        }
    }
  g_assert_cmpstr (preview, ==, "Variant 2: Selamat pagi Budi Santoso, diskon 20% di Bandung.");
  g_assert_cmpstr (no_warning, ==, "");

  for (guint i = 0; i < g_list_model_get_n_items (contacts); i++)
    {
      g_autoptr(XiContact) contact = g_list_model_get_item (contacts, i);

      if (g_str_equal (xi_contact_get_phone (contact), "6285711112222"))
        xi_template_editor_preview_contact (editor, contact);
    }
  warning = xi_template_editor_dup_warning (editor);
  g_assert_nonnull (strstr (warning, "{kota}"));
  g_assert_nonnull (strstr (warning, "Siti"));
  xi_ui_spin (200);
  xi_ui_screenshot (GTK_WIDGET (window), "template-editor");

  xi_template_editor_save (editor);
  g_assert_true (xi_ui_wait_for (has_items, xi_context_get_templates (f->context), 10000));
  saved = g_list_model_get_item (xi_context_get_templates (f->context), 0);
  g_assert_cmpstr (xi_template_get_name (saved), ==, "Promo Desember");
  g_assert_cmpuint (xi_template_get_n_variants (saved), ==, 2);
  xi_ui_spin (200);
  xi_ui_screenshot (GTK_WIDGET (window), "templates");

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  int skip = xi_ui_init (&argc, &argv);

  if (skip != 0)
    return skip;

  g_test_add ("/xi/ui/groups", XiUiFixture, NULL, xi_ui_fixture_setup, test_groups, xi_ui_fixture_teardown);
  g_test_add ("/xi/ui/templates", XiUiFixture, NULL, xi_ui_fixture_setup, test_templates, xi_ui_fixture_teardown);

  return g_test_run ();
}
