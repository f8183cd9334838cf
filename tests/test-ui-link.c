/* test-ui-link.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fakewa-server.h"
#include "xi-connection-indicator.h"
#include "xi-link-dialog.h"
#include "xi-loopback-transport.h"
#include "xi-phone.h"
#include "xi-test-utils.h"
#include "xi-ui-test-utils.h"
#include "xi-wa-endpoint.h"
#include "xi-window.h"

/*
 * Linking WhatsApp from the main window against the fake server in this
 * process: the action opens the dialog, the QR code appears, the fake
 * phone scans it, the dialog and the header bar show the number; then
 * Unlink through its confirmation, and the phone unlinking the computer.
 * The server is reached the way the application reaches it, through
 * XI_WA_URL and XI_WA_ROOT_KEY, so nothing here can reach the internet.
 * Screenshots go to $XI_SCREENSHOT_DIR, or <G_TEST_BUILDDIR>/screenshots/.
 */

#define PHONE "6281234567890"

typedef struct
{
  XiUiFixture       ui;
  FakewaServer     *server;
  XiCampaignRunner *runner;
  XiConnection     *connection;
  XiWindow         *window;
  GtkWidget        *indicator;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *root = NULL;
  g_autofree char *url = NULL;
  guint8 root_key[WA_KEY_LEN];

  xi_ui_fixture_setup (&f->ui, data);

  f->server = fakewa_server_new (&error);
  g_assert_no_error (error);
  root = xi_test_hex (fakewa_server_get_root_key (f->server), WA_KEY_LEN);
  g_setenv ("XI_WA_URL", fakewa_server_get_url (f->server), TRUE);
  g_setenv ("XI_WA_ROOT_KEY", root, TRUE);

  /* As the application does once the store is open. */
  journal = g_build_filename (f->ui.dir, "loopback-journal.tsv", NULL);
  f->runner = xi_campaign_runner_new (f->ui.store, xi_loopback_transport_factory,
                                      g_steal_pointer (&journal), g_free);
  g_assert_true (xi_campaign_runner_start (f->runner, &error));
  g_assert_no_error (error);
  xi_context_set_runner (f->ui.context, f->runner);

  g_assert_true (xi_wa_endpoint_read (&url, root_key, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (url, ==, fakewa_server_get_url (f->server));
  f->connection = xi_connection_new (f->ui.store, xi_campaign_runner_get_network_context (f->runner),
                                     url, root_key);
  xi_connection_start (f->connection);
  xi_context_set_connection (f->ui.context, f->connection);

  f->window = xi_window_new (NULL, f->ui.context);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1240, 640);
  gtk_window_present (GTK_WINDOW (f->window));
  f->indicator = xi_ui_find_widget (GTK_WIDGET (f->window), XI_TYPE_CONNECTION_INDICATOR);
  g_assert_nonnull (f->indicator);
  xi_ui_spin (300);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  GtkWindow *dialog;

  while ((dialog = xi_ui_find_window (GTK_TYPE_WINDOW)) != NULL)
    gtk_window_destroy (dialog);

  /* The application's order: the client, the network thread, the store. */
  xi_connection_stop (f->connection);
  g_clear_object (&f->connection);
  xi_campaign_runner_stop (f->runner);
  g_clear_object (&f->runner);
  g_clear_object (&f->server);
  g_unsetenv ("XI_WA_URL");
  g_unsetenv ("XI_WA_ROOT_KEY");
  xi_ui_fixture_teardown (&f->ui, data);
}

/* Helpers */

typedef struct
{
  Fixture    *f;
  const char *text;
} TextWait;

static gboolean
indicator_says (gpointer data)
{
  TextWait *wait = data;

  return g_strcmp0 (xi_connection_indicator_get_text (XI_CONNECTION_INDICATOR (wait->f->indicator)),
                    wait->text) == 0 && gtk_widget_get_visible (wait->f->indicator);
}

static void
wait_indicator (Fixture    *f,
                const char *text)
{
  TextWait wait = { f, text };

  if (!xi_ui_wait_for (indicator_says, &wait, 15000))
    g_error ("The header says “%s”, not “%s”",
             xi_connection_indicator_get_text (XI_CONNECTION_INDICATOR (f->indicator)), text);
}

typedef struct
{
  XiLinkDialog *dialog;
  const char   *page;
} PageWait;

static gboolean
dialog_shows (gpointer data)
{
  PageWait *wait = data;

  return g_strcmp0 (xi_link_dialog_get_page_name (wait->dialog), wait->page) == 0;
}

static void
wait_page (XiLinkDialog *dialog,
           const char   *page)
{
  PageWait wait = { dialog, page };

  if (!xi_ui_wait_for (dialog_shows, &wait, 15000))
    g_error ("The dialog shows “%s”, not “%s”", xi_link_dialog_get_page_name (dialog), page);
}

static gboolean
has_message_dialog (gpointer data)
{
  return xi_ui_find_window (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static gboolean
is_reconnecting (gpointer data)
{
  return xi_connection_get_status (data) == XI_CONNECTION_STATUS_RECONNECTING;
}

static gboolean
has_qr (gpointer data)
{
  return xi_connection_get_qr (data) != NULL;
}

/* What the phone does: scan the code shown now. */
static void
scan (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (xi_ui_wait_for (has_qr, f->connection, 15000));
  g_assert_true (fakewa_server_scan (f->server, xi_connection_get_qr (f->connection), PHONE, &error));
  g_assert_no_error (error);
}

/* Tests */

static void
test_link_and_unlink (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *number = xi_phone_format_international (PHONE);
  g_autofree char *connected = g_strdup_printf ("Connected as %s", number);
  AdwStatusPage *linked_page;
  XiLinkDialog *dialog;
  GtkStack *stack;
  GtkWidget *popover;
  GtkWidget *button;
  AdwMessageDialog *confirmation;

  /* Nothing linked, nothing connected. */
  wait_indicator (f, "Not linked");
  g_assert_cmpuint (fakewa_server_get_n_clients (f->server), ==, 0);

  /* Ctrl+L's action opens the dialog, which shows a code. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.link-whatsapp", NULL));
  dialog = XI_LINK_DIALOG (xi_ui_find_window (XI_TYPE_LINK_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f->window));
  wait_page (dialog, "code");
  wait_indicator (f, "Linking…");
  xi_ui_spin (400);
  xi_ui_screenshot (GTK_WIDGET (dialog), "link");

  /* The phone scans: linked, with the number and the device name. */
  scan (f);
  wait_page (dialog, "linked");
  stack = GTK_STACK (xi_ui_find_widget (GTK_WIDGET (dialog), GTK_TYPE_STACK));
  linked_page = ADW_STATUS_PAGE (gtk_stack_get_visible_child (stack));
  g_assert_cmpstr (adw_status_page_get_title (linked_page), ==, "Linked");
  g_assert_nonnull (strstr (adw_status_page_get_description (linked_page), number));
  g_assert_nonnull (strstr (adw_status_page_get_description (linked_page), "Xender-In"));
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (dialog), "link-done");

  gtk_widget_activate_action (GTK_WIDGET (dialog), "window.close", NULL);
  xi_ui_spin (200);
  g_assert_null (xi_ui_find_window (XI_TYPE_LINK_DIALOG));

  /* The header bar says so on every page. */
  wait_indicator (f, connected);
  xi_window_show_page (f->window, "history");
  xi_ui_spin (200);
  g_assert_cmpstr (xi_connection_indicator_get_text (XI_CONNECTION_INDICATOR (f->indicator)), ==, connected);
  xi_ui_screenshot (GTK_WIDGET (f->window), "link-connected");

  /* Linked, the same action shows the details, with Unlink. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.link-whatsapp", NULL));
  popover = xi_ui_find_widget (f->indicator, GTK_TYPE_POPOVER);
  xi_ui_spin (300);
  g_assert_true (gtk_widget_get_visible (popover));
  xi_ui_screenshot (popover, "link-details");
  button = xi_ui_find_button (popover, "_Unlink…");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");

  /* The confirmation says what unlinking does; cancelling keeps the link. */
  g_assert_true (xi_ui_wait_for (has_message_dialog, NULL, 5000));
  confirmation = ADW_MESSAGE_DIALOG (xi_ui_find_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (confirmation), number));
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (confirmation), "link-unlink-confirm");
  adw_message_dialog_response (confirmation, "cancel");
  gtk_window_close (GTK_WINDOW (confirmation));
  xi_ui_spin (300);
  g_assert_cmpint (xi_connection_get_status (f->connection), ==, XI_CONNECTION_STATUS_CONNECTED);

  g_signal_emit_by_name (button, "clicked");
  g_assert_true (xi_ui_wait_for (has_message_dialog, NULL, 5000));
  confirmation = ADW_MESSAGE_DIALOG (xi_ui_find_window (ADW_TYPE_MESSAGE_DIALOG));
  adw_message_dialog_response (confirmation, "unlink");
  gtk_window_close (GTK_WINDOW (confirmation));

  /* Unlinked from here, and WhatsApp confirmed it: back to "Not
   * linked", with no alarm. */
  wait_indicator (f, "Not linked");
  g_assert_false (xi_connection_is_linked (f->connection));
  xi_ui_spin (300);
  g_assert_false (has_message_dialog (NULL));
}

/* Unlinked while WhatsApp cannot be reached: the keys are gone, and the
 * user is told to check the phone's list of linked devices. */
static void
test_unlink_unconfirmed (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *number = xi_phone_format_international (PHONE);
  g_autofree char *connected = g_strdup_printf ("Connected as %s", number);
  AdwMessageDialog *dialog;
  GtkWidget *popover;
  GtkWidget *button;

  wait_indicator (f, "Not linked");
  xi_connection_link (f->connection);
  scan (f);
  wait_indicator (f, connected);
  fakewa_server_hold_handshakes (f->server, TRUE);
  fakewa_server_drop_all (f->server);
  g_assert_true (xi_ui_wait_for (is_reconnecting, f->connection, 15000));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.link-whatsapp", NULL));
  popover = xi_ui_find_widget (f->indicator, GTK_TYPE_POPOVER);
  xi_ui_spin (300);
  button = xi_ui_find_button (popover, "_Unlink…");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (xi_ui_wait_for (has_message_dialog, NULL, 5000));
  dialog = ADW_MESSAGE_DIALOG (xi_ui_find_window (ADW_TYPE_MESSAGE_DIALOG));
  adw_message_dialog_response (dialog, "unlink");
  gtk_window_close (GTK_WINDOW (dialog));

  wait_indicator (f, "Not linked");
  g_assert_true (xi_ui_wait_for (has_message_dialog, NULL, 5000));
  dialog = ADW_MESSAGE_DIALOG (xi_ui_find_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Remove It From the Phone Too");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "Linked devices"));
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (dialog), "link-unlink-unconfirmed");
  g_assert_false (xi_connection_is_linked (f->connection));
}

static void
test_unlinked_by_phone (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *number = xi_phone_format_international (PHONE);
  g_autofree char *connected = g_strdup_printf ("Connected as %s", number);
  XiLinkDialog *dialog;

  wait_indicator (f, "Not linked");
  xi_connection_link (f->connection);
  scan (f);
  wait_indicator (f, connected);

  /* The phone logs this computer out (a 401 stream error). */
  fakewa_server_stream_error (f->server, "401", NULL);
  wait_indicator (f, "Unlinked from phone — link again");
  xi_ui_spin (500);
  xi_ui_screenshot (GTK_WIDGET (f->window), "link-unlinked-by-phone");

  /* The toast's "Link Again" opens the dialog on a new code. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.link-whatsapp", NULL));
  dialog = XI_LINK_DIALOG (xi_ui_find_window (XI_TYPE_LINK_DIALOG));
  g_assert_nonnull (dialog);
  wait_page (dialog, "code");

  /* Closed without scanning: linking stops, nothing stays connected. */
  gtk_window_close (GTK_WINDOW (dialog));
  wait_indicator (f, "Not linked");
  g_assert_false (xi_connection_is_linked (f->connection));
}

static gboolean
connection_paused (gpointer data)
{
  return xi_connection_get_new_chats_paused_until (data) > 0;
}

static gboolean
indicator_starts (gpointer data)
{
  gpointer *args = data;
  const char *text = xi_connection_indicator_get_text (XI_CONNECTION_INDICATOR (args[0]));

  return text != NULL && g_str_has_prefix (text, args[1]);
}

/* WhatsApp's own restrictions in the header bar, in words: new chats
 * paused until a time, then a temporary ban with its countdown. */
static void
test_whatsapp_restrictions (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *number = xi_phone_format_international (PHONE);
  g_autofree char *connected = g_strdup_printf ("Connected as %s", number);
  g_autoptr(GDateTime) end = NULL;
  g_autofree char *paused = NULL;
  gpointer banned[] = { NULL, "Banned by WhatsApp for " };

  wait_indicator (f, "Not linked");
  xi_connection_link (f->connection);
  scan (f);
  wait_indicator (f, connected);

  fakewa_server_set_timelock (f->server, PHONE, 600, "WEB_COMPANION_ONLY");
  g_assert_true (xi_ui_wait_for (connection_paused, f->connection, 15000));
  end = g_date_time_new_from_unix_local (xi_connection_get_new_chats_paused_until (f->connection));
  paused = g_date_time_format (end, "New chats paused until %H:%M");
  wait_indicator (f, paused);
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (f->window), "link-new-chats-paused");

  fakewa_server_ban_for (f->server, 3 * 3600);
  fakewa_server_drop_all (f->server);
  banned[0] = f->indicator;
  g_assert_true (xi_ui_wait_for (indicator_starts, banned, 15000));
  g_assert_cmpint (xi_connection_get_status (f->connection), ==, XI_CONNECTION_STATUS_TEMPORARILY_BANNED);
  g_assert_cmpstr (xi_connection_indicator_get_text (XI_CONNECTION_INDICATOR (f->indicator)), ==,
                   "Banned by WhatsApp for 3 h");
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (f->window), "link-temporarily-banned");
}

int
main (int   argc,
      char *argv[])
{
  int skip;

  /* The machine's own monitor may see no network (a build container);
   * this one always sees one, and everything here is on 127.0.0.1. */
  g_setenv ("GIO_USE_NETWORK_MONITOR", "base", TRUE);
  skip = xi_ui_init (&argc, &argv);
  if (skip != 0)
    return skip;

  g_test_add ("/xi/ui-link/link-and-unlink", Fixture, NULL, fixture_setup, test_link_and_unlink, fixture_teardown);
  g_test_add ("/xi/ui-link/whatsapp-restrictions", Fixture, NULL, fixture_setup, test_whatsapp_restrictions,
              fixture_teardown);
  g_test_add ("/xi/ui-link/unlink-unconfirmed", Fixture, NULL, fixture_setup, test_unlink_unconfirmed,
              fixture_teardown);
  g_test_add ("/xi/ui-link/unlinked-by-phone", Fixture, NULL, fixture_setup, test_unlinked_by_phone,
              fixture_teardown);

  return g_test_run ();
}
