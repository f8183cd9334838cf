/* test-ui-whatsapp.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-contacts-page.h"
#include "xi-limits.h"
#include "xi-send-message-dialog.h"
#include "xi-sending-page.h"
#include "xi-test-utils.h"
#include "xi-ui-wa-test-utils.h"
#include "xi-window.h"

/*
 * The app once WhatsApp is linked, against the fake server in this
 * process, wired as the application wires it (the connection hands its
 * transport to the runner): the Sending page's "Rehearse only" switch,
 * locked on until an account is linked; "Check WhatsApp" on the Contacts
 * page, its progress and what it finds; "Send message" to one contact,
 * and why it refuses when it must. Screenshots go to $XI_SCREENSHOT_DIR,
 * or <G_TEST_BUILDDIR>/screenshots/.
 */

#define PHONE "6281234567890"
#define N_CONTACTS 60

typedef struct
{
  XiUiFixture       ui;
  FakewaServer     *server;
  XiCampaignRunner *runner;
  XiConnection     *connection;
  XiWindow         *window;
  char             *group_id;
  char             *template_id;
  guint             relayed;
} Fixture;

static XiContact *
add_contact (Fixture    *f,
             const char *name,
             const char *phone)
{
  g_autoptr(XiContact) contact = xi_contact_new ();
  g_autoptr(GError) error = NULL;
  XiContact *saved = NULL;

  xi_contact_set_name (contact, name);
  xi_contact_set_phone (contact, phone);
  XI_TEST_WAIT (xi_store_save_contact_async (f->ui.store, contact, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_contact_finish (f->ui.store, result_, &error));
  g_assert_no_error (error);
  return saved;
}

static void
relayed_cb (FakewaServer *server,
            const char   *from,
            const char   *to,
            const char   *type,
            Fixture      *f)
{
  f->relayed++;
}

/* Sixty customers, the first forty on WhatsApp, the third opted out; a
 * group of them all and a template. */
static void
add_audience (Fixture *f)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(XiGroup) group = xi_group_new ("Pelanggan");
  g_autoptr(XiTemplate) template_ = xi_template_new ("Promo");
  g_autoptr(XiGroup) saved_group = NULL;
  g_autoptr(XiTemplate) saved_template = NULL;
  g_autoptr(GError) error = NULL;
  const char *variants[] = { "Halo {name}, promo minggu ini!", NULL };
  const char *third[2] = { NULL, NULL };

  for (guint i = 1; i <= N_CONTACTS; i++)
    {
      g_autofree char *name = g_strdup_printf ("Pelanggan %02u", i);
      g_autofree char *phone = g_strdup_printf ("62812000000%02u", i);
      g_autoptr(XiContact) contact = add_contact (f, name, phone);

      if (i <= 40)
        fakewa_server_add_account (f->server, phone);
      g_ptr_array_add (ids, g_strdup (xi_contact_get_id (contact)));
    }
  g_ptr_array_add (ids, NULL);
  third[0] = g_ptr_array_index (ids, 2);

  XI_TEST_WAIT (xi_store_set_opted_out_async (f->ui.store, third, TRUE, NULL, xi_test_store_result_cb, &slot_),
                xi_store_set_opted_out_finish (f->ui.store, result_, &error));
  g_assert_no_error (error);
  XI_TEST_WAIT (xi_store_save_group_async (f->ui.store, group, NULL, xi_test_store_result_cb, &slot_),
                saved_group = xi_store_save_group_finish (f->ui.store, result_, &error));
  g_assert_no_error (error);
  f->group_id = g_strdup (xi_group_get_id (saved_group));
  XI_TEST_WAIT (xi_store_add_group_members_async (f->ui.store, f->group_id, (const char * const *) ids->pdata,
                                                  NULL, xi_test_store_result_cb, &slot_),
                xi_store_add_group_members_finish (f->ui.store, result_, &error));
  g_assert_no_error (error);
  xi_template_set_variants (template_, variants);
  XI_TEST_WAIT (xi_store_save_template_async (f->ui.store, template_, NULL, xi_test_store_result_cb, &slot_),
                saved_template = xi_store_save_template_finish (f->ui.store, result_, &error));
  g_assert_no_error (error);
  f->template_id = g_strdup (xi_template_get_id (saved_template));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  xi_ui_fixture_setup (&f->ui, data);

  f->server = fakewa_server_new (&error);
  g_assert_no_error (error);
  g_signal_connect (f->server, "relayed", G_CALLBACK (relayed_cb), f);
  /* Two batches with a pause long enough for the progress to show. */
  g_setenv ("XI_CHECK_PAUSE_MS", "3000", TRUE);
  add_audience (f);

  /* As the application does once the store is open. */
  f->connection = xi_ui_wa_start (&f->ui, f->server, &f->runner);
  xi_ui_reload (&f->ui);

  f->window = xi_window_new (NULL, f->ui.context);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1240, 720);
  gtk_window_present (GTK_WINDOW (f->window));
  xi_ui_spin (300);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  GtkWindow *dialog;

  while ((dialog = xi_ui_find_window (GTK_TYPE_WINDOW)) != NULL)
    gtk_window_destroy (dialog);

  xi_ui_wa_stop (&f->connection, &f->runner);
  g_signal_handlers_disconnect_by_data (f->server, f);
  g_clear_object (&f->server);
  g_unsetenv ("XI_CHECK_PAUSE_MS");
  g_free (f->group_id);
  g_free (f->template_id);
  xi_ui_fixture_teardown (&f->ui, data);
}

/* Helpers */

static void
link_account (Fixture *f)
{
  xi_ui_wa_link_account (f->connection, f->server, PHONE);
}

static XiContact *
contact_at (GtkColumnView *view,
            guint          position)
{
  XiContact *contact = g_list_model_get_item (G_LIST_MODEL (gtk_column_view_get_model (view)), position);

  g_object_unref (contact);   /* the list keeps it */
  return contact;
}

static gboolean
check_revealed (gpointer data)
{
  return gtk_revealer_get_reveal_child (data);
}

static gboolean
check_done (gpointer data)
{
  return gtk_widget_is_sensitive (data) && !gtk_revealer_get_reveal_child (
    GTK_REVEALER (xi_ui_find_widget (data, GTK_TYPE_REVEALER)));
}

static gboolean
contact_checked (gpointer data)
{
  return xi_contact_get_on_whatsapp (data) != XI_ON_WHATSAPP_UNKNOWN;
}

static gboolean
dialog_gone (gpointer data)
{
  return xi_ui_find_window (XI_TYPE_SEND_MESSAGE_DIALOG) == NULL;
}

static gboolean
dialog_says (gpointer data)
{
  return xi_send_message_dialog_get_error (data) != NULL && !xi_send_message_dialog_is_sending (data);
}

/* Tests */

/* Until an account is linked a campaign can only be a rehearsal, and the
 * page says so; once linked, it goes through WhatsApp unless the switch
 * asks for a rehearsal. */
static void
test_rehearse_switch (Fixture       *f,
                      gconstpointer  data)
{
  GtkWidget *page = xi_window_get_page (f->window, "sending");
  g_autoptr(XiJobSpec) unlinked = NULL;
  g_autoptr(XiJobSpec) linked = NULL;
  g_autoptr(XiJobSpec) rehearsal = NULL;

  xi_window_show_page (f->window, "sending");
  g_assert_true (xi_sending_page_select_group (XI_SENDING_PAGE (page), f->group_id));
  g_assert_true (xi_sending_page_select_template (XI_SENDING_PAGE (page), f->template_id));
  xi_ui_spin (500);
  unlinked = xi_sending_page_dup_spec (XI_SENDING_PAGE (page));
  g_assert_cmpstr (unlinked->transport, ==, XI_JOB_TRANSPORT_LOOPBACK);
  g_assert_false (xi_sending_page_set_rehearse (XI_SENDING_PAGE (page), FALSE));
  xi_ui_screenshot (GTK_WIDGET (f->window), "sending-not-linked");

  link_account (f);
  linked = xi_sending_page_dup_spec (XI_SENDING_PAGE (page));
  g_assert_cmpstr (linked->transport, ==, XI_JOB_TRANSPORT_WHATSAPP);
  g_assert_true (xi_sending_page_set_rehearse (XI_SENDING_PAGE (page), TRUE));
  rehearsal = xi_sending_page_dup_spec (XI_SENDING_PAGE (page));
  g_assert_cmpstr (rehearsal->transport, ==, XI_JOB_TRANSPORT_LOOPBACK);
  g_assert_true (xi_sending_page_set_rehearse (XI_SENDING_PAGE (page), FALSE));
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (f->window), "sending-linked");
}

/* "Check WhatsApp" on a group: two batches, a progress bar while the
 * pause between them lasts, and each contact's answer with its date. A
 * second check right after asks nothing. */
static void
test_check_whatsapp (Fixture       *f,
                     gconstpointer  data)
{
  GtkWidget *page = xi_window_get_page (f->window, "contacts");
  GtkColumnView *view;
  GtkRevealer *revealer;

  link_account (f);
  xi_window_show_page (f->window, "contacts");
  xi_ui_spin (300);
  view = GTK_COLUMN_VIEW (xi_ui_find_widget (page, GTK_TYPE_COLUMN_VIEW));
  revealer = GTK_REVEALER (xi_ui_find_widget (page, GTK_TYPE_REVEALER));
  gtk_selection_model_select_all (gtk_column_view_get_model (view));
  xi_ui_spin (100);

  g_assert_true (gtk_widget_activate_action (page, "contacts.check-whatsapp", NULL));
  g_assert_true (xi_ui_wait_for (check_revealed, revealer, 5000));
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (f->window), "contacts-checking");
  g_assert_true (xi_ui_wait_for (check_done, page, 20000));
  g_assert_true (xi_ui_wait_for (contact_checked, contact_at (view, N_CONTACTS - 1), 5000));

  for (guint i = 0; i < N_CONTACTS; i++)
    {
      XiContact *contact = contact_at (view, i);
      guint n = (guint) g_ascii_strtoull (xi_contact_get_phone (contact) + 11, NULL, 10);

      /* Nobody asks about a number that opted out. */
      if (n == 3)
        {
          g_assert_cmpint (xi_contact_get_on_whatsapp (contact), ==, XI_ON_WHATSAPP_UNKNOWN);
          continue;
        }
      g_assert_cmpint (xi_contact_get_on_whatsapp (contact), ==, n <= 40 ? XI_ON_WHATSAPP_YES : XI_ON_WHATSAPP_NO);
      g_assert_cmpint (xi_contact_get_on_whatsapp_checked_at (contact), >, 0);
    }
  xi_ui_spin (600);
  xi_ui_screenshot (GTK_WIDGET (f->window), "contacts-checked");

  /* Checked a moment ago: nothing to ask. */
  g_assert_true (gtk_widget_activate_action (page, "contacts.check-whatsapp", NULL));
  xi_ui_spin (1500);
  g_assert_false (gtk_revealer_get_reveal_child (revealer));
}

#define N_LARGE 20000

/* "Check WhatsApp" over 20,000 selected rows, which it reads a batch at
 * a time: a progress bar while it reads and asks, and the 2,000 numbers
 * not checked lately asked about, with the right answer stored. */
static void
test_check_whatsapp_large (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) everybody = NULL;
  g_autoptr(GPtrArray) fresh = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GtkWidget *page = xi_window_get_page (f->window, "contacts");
  GtkColumnView *view;
  guint asked = 0;
  guint n_fresh = 0;

  xi_ui_import_numbered (&f->ui, "Grosir", "62857", N_LARGE);
  for (guint i = 0; i < N_LARGE; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62857%08u", i);

      /* Every tenth is due, half of those on WhatsApp; the rest were
       * checked a moment ago. */
      if (i % 20 == 0)
        fakewa_server_add_account (f->server, phone);
      else if (i % 10 != 0)
        g_ptr_array_add (fresh, g_steal_pointer (&phone));
    }
  g_ptr_array_add (fresh, NULL);
  XI_TEST_WAIT (xi_store_set_on_whatsapp_async (f->ui.store, NULL, (const char * const *) fresh->pdata, NULL,
                                                xi_test_store_result_cb, &slot_),
                n_fresh = xi_store_set_on_whatsapp_finish (f->ui.store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_fresh, ==, N_LARGE - N_LARGE / 10);

  link_account (f);
  g_setenv ("XI_CHECK_PAUSE_MS", "0", TRUE);
  xi_window_show_page (f->window, "contacts");
  xi_ui_spin (500);
  view = GTK_COLUMN_VIEW (xi_ui_find_widget (page, GTK_TYPE_COLUMN_VIEW));
  gtk_selection_model_select_all (gtk_column_view_get_model (view));
  xi_ui_spin (100);

  g_assert_true (gtk_widget_activate_action (page, "contacts.check-whatsapp", NULL));
  g_assert_true (xi_ui_wait_for (check_revealed, xi_ui_find_widget (page, GTK_TYPE_REVEALER), 10000));
  xi_ui_spin (1000);
  xi_ui_screenshot (GTK_WIDGET (f->window), "contacts-checking-large");
  g_assert_true (xi_ui_wait_for (check_done, page, 120000));

  XI_TEST_WAIT (xi_store_list_contacts_async (f->ui.store, NULL, xi_test_store_result_cb, &slot_),
                everybody = xi_store_list_contacts_finish (f->ui.store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (everybody->len, ==, N_LARGE + N_CONTACTS);
  for (guint i = 0; i < everybody->len; i++)
    {
      XiContact *contact = g_ptr_array_index (everybody, i);
      const char *phone = xi_contact_get_phone (contact);
      guint n;

      if (!g_str_has_prefix (phone, "62857"))
        continue;
      n = (guint) g_ascii_strtoull (phone + 5, NULL, 10);
      g_assert_cmpint (xi_contact_get_on_whatsapp (contact), ==, n % 20 == 0 ? XI_ON_WHATSAPP_YES : XI_ON_WHATSAPP_NO);
      asked += n % 10 == 0;
    }
  g_assert_cmpuint (asked, ==, N_LARGE / 10);
}

static gboolean
dialog_has_attachment (gpointer data)
{
  return xi_send_message_dialog_get_attachment (data) != NULL;
}

/* "Send message": sent through WhatsApp with a spinner, then a toast,
 * and once more with a picture; refused with the reason for an opted-out contact and for a number that
 * is not on WhatsApp. */
static void
test_send_message (Fixture       *f,
                   gconstpointer  data)
{
  GtkWidget *page = xi_window_get_page (f->window, "contacts");
  GtkColumnView *view;
  GtkSelectionModel *selection;
  XiSendMessageDialog *dialog;
  guint relayed;

  xi_window_show_page (f->window, "contacts");
  xi_ui_spin (300);
  view = GTK_COLUMN_VIEW (xi_ui_find_widget (page, GTK_TYPE_COLUMN_VIEW));
  selection = gtk_column_view_get_model (view);

  /* Not linked yet: the dialog says what to do. */
  gtk_selection_model_select_item (selection, 0, TRUE);
  g_assert_true (gtk_widget_activate_action (page, "contacts.send-message", NULL));
  dialog = XI_SEND_MESSAGE_DIALOG (xi_ui_find_window (XI_TYPE_SEND_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  xi_send_message_dialog_set_text (dialog, "Halo, pesanan Anda sudah siap diambil.");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "message.send", NULL));
  g_assert_nonnull (strstr (xi_send_message_dialog_get_error (dialog), "linked"));
  gtk_window_destroy (GTK_WINDOW (dialog));

  link_account (f);

  /* The first contact is on WhatsApp: sent. */
  g_assert_true (gtk_widget_activate_action (page, "contacts.send-message", NULL));
  dialog = XI_SEND_MESSAGE_DIALOG (xi_ui_find_window (XI_TYPE_SEND_MESSAGE_DIALOG));
  xi_send_message_dialog_set_text (dialog, "Halo, pesanan Anda sudah siap diambil.");
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (dialog), "send-message");
  relayed = f->relayed;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "message.send", NULL));
  g_assert_true (xi_send_message_dialog_is_sending (dialog));
  g_assert_true (xi_ui_wait_for (dialog_gone, NULL, 15000));
  g_assert_cmpuint (f->relayed, >, relayed);

  /* Again with a picture: added to the assets, uploaded, sent. */
  g_assert_true (gtk_widget_activate_action (page, "contacts.send-message", NULL));
  dialog = XI_SEND_MESSAGE_DIALOG (xi_ui_find_window (XI_TYPE_SEND_MESSAGE_DIALOG));
  xi_send_message_dialog_set_text (dialog, "Ini foto pesanan Anda.");
  {
    g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 320, 240);
    g_autofree char *path = g_build_filename (f->ui.dir, "pesanan.jpg", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(GError) error = NULL;

    gdk_pixbuf_fill (pixbuf, 0x3060a0ff);
    gdk_pixbuf_save (pixbuf, path, "jpeg", &error, NULL);
    g_assert_no_error (error);
    xi_send_message_dialog_attach_file (dialog, file);
  }
  g_assert_true (xi_ui_wait_for (dialog_has_attachment, dialog, 10000));
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (dialog), "send-message-attachment");
  relayed = f->relayed;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "message.send", NULL));
  g_assert_true (xi_ui_wait_for (dialog_gone, NULL, 15000));
  g_assert_cmpuint (f->relayed, >, relayed);
  g_assert_cmpuint (fakewa_server_get_n_uploads (f->server), ==, 1);

  /* The third opted out: refused, with why. */
  gtk_selection_model_select_item (selection, 2, TRUE);
  g_assert_true (gtk_widget_activate_action (page, "contacts.send-message", NULL));
  dialog = XI_SEND_MESSAGE_DIALOG (xi_ui_find_window (XI_TYPE_SEND_MESSAGE_DIALOG));
  /* A text longer than WhatsApp takes is refused as it is typed. */
  {
    g_autofree char *long_text = g_strnfill (XI_LIMIT_MESSAGE_CHARS + 1, 'x');

    xi_send_message_dialog_set_text (dialog, long_text);
    g_assert_nonnull (strstr (xi_send_message_dialog_get_error (dialog), "65536"));
  }
  xi_send_message_dialog_set_text (dialog, "Halo!");
  g_assert_null (xi_send_message_dialog_get_error (dialog));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "message.send", NULL));
  g_assert_nonnull (strstr (xi_send_message_dialog_get_error (dialog), "opted out"));
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* The last has no WhatsApp account: the server says so. */
  gtk_selection_model_select_item (selection, N_CONTACTS - 1, TRUE);
  g_assert_true (gtk_widget_activate_action (page, "contacts.send-message", NULL));
  dialog = XI_SEND_MESSAGE_DIALOG (xi_ui_find_window (XI_TYPE_SEND_MESSAGE_DIALOG));
  xi_send_message_dialog_set_text (dialog, "Halo!");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "message.send", NULL));
  g_assert_true (xi_ui_wait_for (dialog_says, dialog, 15000));
  g_assert_nonnull (strstr (xi_send_message_dialog_get_error (dialog), "not on WhatsApp"));
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (dialog), "send-message-refused");
}

int
main (int   argc,
      char *argv[])
{
  int skip;

  g_setenv ("GIO_USE_NETWORK_MONITOR", "base", TRUE);
  skip = xi_ui_init (&argc, &argv);
  if (skip != 0)
    return skip;

  g_test_add ("/xi/ui-whatsapp/rehearse-switch", Fixture, NULL, fixture_setup, test_rehearse_switch,
              fixture_teardown);
  g_test_add ("/xi/ui-whatsapp/check-whatsapp", Fixture, NULL, fixture_setup, test_check_whatsapp,
              fixture_teardown);
  g_test_add ("/xi/ui-whatsapp/check-whatsapp-large", Fixture, NULL, fixture_setup, test_check_whatsapp_large,
              fixture_teardown);
  g_test_add ("/xi/ui-whatsapp/send-message", Fixture, NULL, fixture_setup, test_send_message,
              fixture_teardown);

  return g_test_run ();
}
