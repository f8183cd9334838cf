/* test-ui-other-process.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-contacts-page.h"
#include "xi-test-utils.h"
#include "xi-ui-test-utils.h"
#include "xi-window.h"

/*
 * The open window follows what the command line ($XI_CLI), a process of
 * its own on the same data folder, writes: a contact it adds appears in
 * the Contacts page without a restart. Screenshot other-process-*.png.
 */

typedef struct
{
  XiUiFixture  ui;
  char        *data_dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  /* The folder as the command line knows it: xender-in.db in it. */
  f->ui.dir = xi_test_make_tmpdir ();
  f->data_dir = g_build_filename (f->ui.dir, "data", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->data_dir, 0700), ==, 0);
  path = g_build_filename (f->data_dir, "xender-in.db", NULL);
  f->ui.store = xi_store_new (path);
  /* The models listen before the store opens, as in the app. */
  f->ui.settings = g_settings_new (APP_ID);
  f->ui.context = xi_context_new (f->ui.store, f->ui.settings);
  XI_TEST_WAIT (xi_store_open_async (f->ui.store, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_store_open_finish (f->ui.store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  xi_ui_reload (&f->ui);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_free (f->data_dir);
  xi_ui_fixture_teardown (&f->ui, data);
}

static void
test_contact_added_by_cli (Fixture       *f,
                           gconstpointer  data)
{
  XiWindow *window = xi_window_new (NULL, f->ui.context);
  XiContactsPage *page;
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *visible;

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_window_present (GTK_WINDOW (window));
  xi_window_show_page (window, "contacts");
  page = XI_CONTACTS_PAGE (xi_window_get_page (window, "contacts"));
  visible = xi_contacts_page_get_visible (page);
  xi_ui_spin (300);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 0);

  cli = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, g_getenv ("XI_CLI"),
                          "--data-dir", f->data_dir, "contacts", "add", "--name", "Yusuf Hamdani",
                          "6281377778888", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (cli, NULL, &error);
  g_assert_no_error (error);

  g_assert_nonnull (xi_ui_find_contact (visible, "Yusuf Hamdani", 10000));
  xi_ui_spin (1500);
  xi_ui_screenshot (GTK_WIDGET (window), "other-process-contact");

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  int status = xi_ui_init (&argc, &argv);

  if (status != 0)
    return status;
  g_test_add ("/xi/ui/other-process/contact-added-by-cli", Fixture, NULL, fixture_setup,
              test_contact_added_by_cli, fixture_teardown);
  return g_test_run ();
}
