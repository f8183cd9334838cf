/* test-ui-inbox.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "xi-auto-reply-dialog.h"
#include "xi-inbox-page.h"
#include "xi-loopback-transport.h"
#include "xi-preferences-window.h"
#include "xi-reply-composer.h"
#include "xi-test-utils.h"
#include "xi-ui-test-utils.h"
#include "xi-window.h"

/*
 * The Inbox against a real store: customers' replies seeded through the
 * store's API, the list and a conversation, reading marks read, a new
 * reply and an opt-out arriving through the runner's "incoming" signal,
 * and allowing messages again through the confirmation. Screenshots go to
 * $XI_SCREENSHOT_DIR, or <G_TEST_BUILDDIR>/screenshots/.
 */

#define BUDI "6281234567890"
#define SITI "6285711112222"
#define AGUS "6281399990000"
#define STRANGER "6289900001111"
/* A customer whose number WhatsApp hid, by the LID it wrote from. */
#define HIDDEN_DIGITS "236395184570386"
#define HIDDEN HIDDEN_DIGITS "@lid"

typedef struct
{
  XiUiFixture       ui;
  XiCampaignRunner *runner;
  GPtrArray        *toasts;   /* the titles the inbox page showed */
  AdwToast         *last_toast;
} Fixture;

/* Helpers */

static void
add_contact (Fixture    *f,
             const char *name,
             const char *phone)
{
  g_autoptr(XiContact) contact = xi_contact_new ();
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  xi_contact_set_name (contact, name);
  xi_contact_set_phone (contact, phone);
  xi_store_save_contact_async (f->ui.store, contact, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  saved = xi_store_save_contact_finish (f->ui.store, result, &error);
  g_assert_no_error (error);
}

static XiIncoming *
receive (Fixture    *f,
         const char *phone,
         const char *text,
         const char *opt_out_keyword)
{
  static guint serial;
  g_autofree char *message_id = g_strdup_printf ("3EB0TEST%04u", ++serial);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  XiIncoming *incoming;

  xi_store_record_incoming_async (f->ui.store, phone, NULL, message_id, text, opt_out_keyword, NULL,
                                  xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  incoming = xi_store_record_incoming_finish (f->ui.store, result, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (incoming);
  /* Timestamps have milliseconds; keep the order unambiguous. */
  g_usleep (3000);
  return incoming;
}

static void
seed (Fixture    *f,
      const char *phone,
      const char *text,
      const char *opt_out_keyword)
{
  g_object_unref (receive (f, phone, text, opt_out_keyword));
}

static guint
store_unread (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  guint unread;

  xi_store_count_unread_async (f->ui.store, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  unread = xi_store_count_unread_finish (f->ui.store, result, &error);
  g_assert_no_error (error);
  return unread;
}

static XiConversation *
find_conversation (XiInboxPage *page,
                   const char  *phone,
                   guint       *position)
{
  GListModel *model = xi_inbox_page_get_conversations (page);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(XiConversation) conversation = g_list_model_get_item (model, i);

      if (g_str_equal (xi_conversation_get_phone (conversation), phone))
        {
          if (position != NULL)
            *position = i;
          return conversation;
        }
    }
  return NULL;
}

typedef struct
{
  XiInboxPage *page;
  const char  *phone;
  const char  *last_text;
  guint        n_items;
  int          unread;      /* -1: any */
  int          opted_out;   /* -1: any */
} Expect;

static gboolean
list_matches (gpointer data)
{
  Expect *e = data;
  GListModel *model = xi_inbox_page_get_conversations (e->page);
  XiConversation *conversation;

  if (e->n_items > 0 && g_list_model_get_n_items (model) != e->n_items)
    return FALSE;
  if (e->phone == NULL)
    return TRUE;
  conversation = find_conversation (e->page, e->phone, NULL);
  return conversation != NULL &&
         (e->last_text == NULL || g_strcmp0 (xi_conversation_get_last_text (conversation), e->last_text) == 0) &&
         (e->unread < 0 || xi_conversation_get_unread_count (conversation) == (guint)e->unread) &&
         (e->opted_out < 0 || xi_conversation_get_opted_out (conversation) == e->opted_out);
}

static gboolean
has_messages (gpointer data)
{
  return gtk_widget_get_first_child (xi_inbox_page_get_messages_box (data)) != NULL;
}

static guint
count_messages (XiInboxPage *page)
{
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (xi_inbox_page_get_messages_box (page));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    n++;
  return n;
}

static AdwMessageDialog *
find_message_dialog (void)
{
  return ADW_MESSAGE_DIALOG (xi_ui_find_window (ADW_TYPE_MESSAGE_DIALOG));
}

static gboolean
has_message_dialog (gpointer data)
{
  return find_message_dialog () != NULL;
}

static void
page_toast_cb (XiPage   *page,
               AdwToast *toast,
               Fixture  *f)
{
  g_ptr_array_add (f->toasts, g_strdup (adw_toast_get_title (toast)));
  g_set_object (&f->last_toast, toast);
}

static gboolean
has_toast (gpointer data)
{
  Fixture *f = data;

  return f->toasts->len > 0;
}

/* Fixture */

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *journal = NULL;

  xi_ui_fixture_setup (&f->ui, data);
  f->toasts = g_ptr_array_new_with_free_func (g_free);

  add_contact (f, "Budi Santoso", BUDI);
  add_contact (f, "Siti Aminah", SITI);
  add_contact (f, "Agus Wijaya", AGUS);

  seed (f, AGUS, "Tolong jangan kirim promo lagi", NULL);
  seed (f, AGUS, "STOP", "STOP");
  seed (f, BUDI, "Terima kasih promonya!", NULL);
  seed (f, STRANGER, "Halo, masih buka hari Minggu?", NULL);
  seed (f, SITI, "Berapa harga paket hemat?", NULL);
  seed (f, SITI, "Bisa kirim ke Bandung?\nAlamat saya di Jl. Merdeka 10.", NULL);

  /* As the application does once the store is open; with @data, every
   * recipient of a campaign answers it with that text. */
  if (data != NULL)
    {
      g_setenv ("XI_LOOPBACK_REPLY_EVERY", "1", TRUE);
      g_setenv ("XI_LOOPBACK_REPLY_TEXT", data, TRUE);
    }
  journal = g_build_filename (f->ui.dir, "loopback-journal.tsv", NULL);
  f->runner = xi_campaign_runner_new (f->ui.store, xi_loopback_transport_factory,
                                      g_steal_pointer (&journal), g_free);
  g_assert_true (xi_campaign_runner_start (f->runner, &error));
  g_assert_no_error (error);
  g_unsetenv ("XI_LOOPBACK_REPLY_EVERY");
  g_unsetenv ("XI_LOOPBACK_REPLY_TEXT");
  xi_context_set_runner (f->ui.context, f->runner);

  xi_ui_reload (&f->ui);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  xi_campaign_runner_stop (f->runner);
  g_clear_object (&f->runner);
  g_ptr_array_unref (f->toasts);
  g_clear_object (&f->last_toast);
  xi_ui_fixture_teardown (&f->ui, data);
}

static XiWindow *
open_inbox (Fixture *f,
            int      width)
{
  XiWindow *window = xi_window_new (NULL, f->ui.context);
  XiInboxPage *page;
  Expect all = { NULL, NULL, NULL, 4, -1, -1 };

  gtk_window_set_default_size (GTK_WINDOW (window), width, 720);
  gtk_window_present (GTK_WINDOW (window));
  xi_window_show_page (window, "inbox");
  page = XI_INBOX_PAGE (xi_window_get_page (window, "inbox"));
  g_signal_connect (page, "add-toast", G_CALLBACK (page_toast_cb), f);
  all.page = page;
  g_assert_true (xi_ui_wait_for (list_matches, &all, 5000));
  xi_ui_spin (400);
  return window;
}

/* Tests */

static void
test_list_and_read (Fixture       *f,
                    gconstpointer  data)
{
  XiWindow *window = open_inbox (f, 1100);
  XiInboxPage *page = XI_INBOX_PAGE (xi_window_get_page (window, "inbox"));
  GListModel *model = xi_inbox_page_get_conversations (page);
  GtkListView *list_view = GTK_LIST_VIEW (xi_ui_find_widget (GTK_WIDGET (page), GTK_TYPE_LIST_VIEW));
  g_autoptr(XiConversation) newest = g_list_model_get_item (model, 0);
  XiConversation *siti;
  Expect read = { page, SITI, NULL, 4, 0, -1 };
  guint position = 0;

  /* Newest first; the unknown number is shown as a number. */
  g_assert_cmpstr (xi_conversation_get_phone (newest), ==, SITI);
  g_assert_cmpuint (xi_inbox_page_get_unread_count (page), ==, 6);
  g_assert_cmpuint (store_unread (f), ==, 6);
  g_assert_null (xi_inbox_page_get_selected_phone (page));
  xi_ui_screenshot (GTK_WIDGET (window), "inbox-list");

  /* Choosing a conversation shows it and marks it read. */
  siti = find_conversation (page, SITI, &position);
  g_assert_nonnull (siti);
  g_assert_cmpuint (xi_conversation_get_unread_count (siti), ==, 2);
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (gtk_list_view_get_model (list_view)), position);
  g_assert_cmpstr (xi_inbox_page_get_selected_phone (page), ==, SITI);
  g_assert_true (xi_ui_wait_for (has_messages, page, 5000));
  g_assert_true (xi_ui_wait_for (list_matches, &read, 5000));
  g_assert_cmpuint (count_messages (page), ==, 2);
  g_assert_cmpuint (store_unread (f), ==, 4);
  g_assert_cmpuint (xi_inbox_page_get_unread_count (page), ==, 4);
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (window), "inbox-conversation");

  /* Search by name, number or text. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL);
  gtk_editable_set_text (GTK_EDITABLE (xi_ui_find_widget (GTK_WIDGET (page), GTK_TYPE_SEARCH_ENTRY)), "minggu");
  xi_ui_spin (400);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_nonnull (find_conversation (page, STRANGER, NULL));
  gtk_editable_set_text (GTK_EDITABLE (xi_ui_find_widget (GTK_WIDGET (page), GTK_TYPE_SEARCH_ENTRY)), "8123");
  xi_ui_spin (400);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_nonnull (find_conversation (page, BUDI, NULL));
  gtk_editable_set_text (GTK_EDITABLE (xi_ui_find_widget (GTK_WIDGET (page), GTK_TYPE_SEARCH_ENTRY)), "");
  xi_ui_spin (400);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 4);
  g_assert_cmpstr (xi_inbox_page_get_selected_phone (page), ==, SITI);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_opt_out_banner (Fixture       *f,
                     gconstpointer  data)
{
  XiWindow *window = open_inbox (f, 1100);
  XiInboxPage *page = XI_INBOX_PAGE (xi_window_get_page (window, "inbox"));
  GtkWidget *allow;
  AdwMessageDialog *dialog;
  Expect allowed = { page, AGUS, NULL, 4, 0, FALSE };

  /* A notification's click lands here too. */
  xi_window_show_conversation (window, AGUS);
  g_assert_true (xi_ui_wait_for (has_messages, page, 5000));
  xi_ui_spin (400);
  g_assert_cmpstr (xi_inbox_page_get_selected_phone (page), ==, AGUS);
  g_assert_true (xi_conversation_get_opted_out (find_conversation (page, AGUS, NULL)));
  allow = xi_ui_find_button (GTK_WIDGET (page), "_Allow Messages Again…");
  g_assert_nonnull (allow);
  g_assert_true (gtk_widget_is_drawable (allow));
  xi_ui_screenshot (GTK_WIDGET (window), "inbox-opt-out");

  /* Allowing again asks first; keeping the block changes nothing. */
  gtk_widget_activate (allow);
  g_assert_true (xi_ui_wait_for (has_message_dialog, NULL, 5000));
  dialog = find_message_dialog ();
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (dialog), "inbox-allow-dialog");
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  xi_ui_spin (300);
  g_assert_true (xi_conversation_get_opted_out (find_conversation (page, AGUS, NULL)));

  gtk_widget_activate (allow);
  g_assert_true (xi_ui_wait_for (has_message_dialog, NULL, 5000));
  dialog = find_message_dialog ();
  adw_message_dialog_response (dialog, "allow");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (xi_ui_wait_for (list_matches, &allowed, 5000));
  g_assert_cmpuint (f->toasts->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->toasts, 0), ==, "Agus Wijaya can receive campaign messages again.");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_live_replies (Fixture       *f,
                   gconstpointer  data)
{
  XiWindow *window = open_inbox (f, 1100);
  XiInboxPage *page = XI_INBOX_PAGE (xi_window_get_page (window, "inbox"));
  g_autoptr(XiIncoming) reply = NULL;
  g_autoptr(XiIncoming) stop = NULL;
  g_autoptr(XiIncoming) newcomer = NULL;
  g_autoptr(XiConversation) first = NULL;
  Expect budi_reply = { page, BUDI, "Jam berapa tokonya buka?", 4, 0, FALSE };
  Expect budi_stop = { page, BUDI, "Stop.", 5, 0, TRUE };
  Expect five = { page, "6281100002222", "Info lowongan?", 5, 1, FALSE };
  AdwMessageDialog *dialog;

  xi_window_show_conversation (window, BUDI);
  g_assert_true (xi_ui_wait_for (has_messages, page, 5000));
  g_assert_cmpuint (count_messages (page), ==, 1);

  /* A reply in the open conversation appears there, read at once. */
  reply = receive (f, BUDI, "Jam berapa tokonya buka?", NULL);
  g_signal_emit_by_name (f->runner, "incoming", reply);
  g_assert_true (xi_ui_wait_for (list_matches, &budi_reply, 5000));
  first = g_list_model_get_item (xi_inbox_page_get_conversations (page), 0);
  g_assert_cmpstr (xi_conversation_get_phone (first), ==, BUDI);
  xi_ui_spin (300);
  g_assert_cmpuint (count_messages (page), ==, 2);

  /* A new number gets its own conversation, unread. */
  newcomer = receive (f, "6281100002222", "Info lowongan?", NULL);
  g_signal_emit_by_name (f->runner, "incoming", newcomer);
  g_assert_true (xi_ui_wait_for (list_matches, &five, 5000));
  g_assert_cmpuint (xi_inbox_page_get_unread_count (page), ==, 6);

  /* An opt-out is announced with a deliberate Undo. */
  stop = receive (f, BUDI, "Stop.", "STOP");
  g_signal_emit_by_name (f->runner, "incoming", stop);
  g_assert_true (xi_ui_wait_for (has_toast, f, 5000));
  g_assert_cmpstr (g_ptr_array_index (f->toasts, 0), ==,
                   "Budi Santoso asked to stop receiving messages. They will be skipped from now on.");
  g_assert_true (xi_ui_wait_for (list_matches, &budi_stop, 5000));
  xi_ui_spin (500);
  xi_ui_screenshot (GTK_WIDGET (window), "inbox-opt-out-toast");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.allow-messages", "s", BUDI));
  g_assert_true (xi_ui_wait_for (has_message_dialog, NULL, 5000));
  dialog = find_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Allow Messages to Budi Santoso Again?");
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));

  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
thread_has (gpointer data)
{
  XiInboxPage *page = data;

  return count_messages (page) == 3;
}

static gboolean
budi_thanked (gpointer data)
{
  return g_strcmp0 (xi_conversation_get_last_text (data), "Oke, terima kasih.") == 0;
}

static gboolean
nothing_unread (gpointer data)
{
  return xi_inbox_page_get_unread_count (data) == 0;
}

static gboolean
renamed_shown (gpointer data)
{
  return g_strcmp0 (xi_conversation_get_contact_name (data), "Budi S. (Toko Maju)") == 0;
}

/* Writes that reach the store without the page, as sync's pull, another
 * window or the engine make them: the rows change in place, the open
 * conversation and the keyboard focus stay where they were. */
static void
test_follows_store (Fixture       *f,
                    gconstpointer  data)
{
  XiWindow *window = open_inbox (f, 1100);
  XiInboxPage *page = XI_INBOX_PAGE (xi_window_get_page (window, "inbox"));
  GtkWidget *list_view = find_descendant (GTK_WIDGET (page), GTK_TYPE_LIST_VIEW);
  g_autoptr(XiChatMessage) answer = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  XiConversation *budi;
  XiConversation *siti;
  GAsyncResult *slot = NULL;
  GtkWidget *focus;
  Expect newcomer = { page, "6281100002222", "Info lowongan?", 5, 1, FALSE };
  Expect siti_again = { page, SITI, "Masih ada stok?", 5, -1, FALSE };

  xi_window_show_conversation (window, BUDI);
  g_assert_true (xi_ui_wait_for (has_messages, page, 5000));
  g_assert_cmpuint (count_messages (page), ==, 1);
  budi = find_conversation (page, BUDI, NULL);
  siti = find_conversation (page, SITI, NULL);
  gtk_widget_grab_focus (list_view);
  xi_ui_spin (200);
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, list_view));

  /* Without the runner's signal: only the store's announcement. */
  seed (f, "6281100002222", "Info lowongan?", NULL);
  g_assert_true (xi_ui_wait_for (list_matches, &newcomer, 5000));
  seed (f, SITI, "Masih ada stok?", NULL);
  g_assert_true (xi_ui_wait_for (list_matches, &siti_again, 5000));
  xi_ui_spin (200);
  g_assert_true (find_conversation (page, SITI, NULL) == siti);
  g_assert_cmpuint (xi_conversation_get_message_count (siti), ==, 3);
  g_assert_true (find_conversation (page, BUDI, NULL) == budi);
  g_assert_cmpstr (xi_inbox_page_get_selected_phone (page), ==, BUDI);
  g_assert_true (gtk_single_selection_get_selected_item (
                   GTK_SINGLE_SELECTION (gtk_list_view_get_model (GTK_LIST_VIEW (list_view)))) == (gpointer)budi);
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, list_view));
  g_assert_cmpuint (count_messages (page), ==, 1);

  /* A reply stored by another window shows in the open conversation. */
  xi_store_add_reply_async (f->ui.store, BUDI, "3EB0ELSEWHERE1", "Buka jam 9 pagi.", NULL, NULL,
                            xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  answer = xi_store_add_reply_finish (f->ui.store, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  /* A new message in the open conversation shows there, read at once. */
  seed (f, BUDI, "Oke, terima kasih.", NULL);
  g_assert_true (xi_ui_wait_for (thread_has, page, 5000));
  /* The open conversation and the list reload apart; either may be
   * first. */
  g_assert_true (xi_ui_wait_for (budi_thanked, budi, 5000));
  g_assert_true (find_conversation (page, BUDI, NULL) == budi);

  /* Read elsewhere: the counts follow. */
  xi_store_mark_conversation_read_async (f->ui.store, NULL, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  xi_store_mark_conversation_read_finish (f->ui.store, result, &error);
  g_assert_no_error (error);
  g_assert_true (xi_ui_wait_for (nothing_unread, page, 5000));
  g_assert_cmpuint (xi_conversation_get_unread_count (siti), ==, 0);

  /* The contact renamed: the row and the header say so. */
  {
    g_autoptr(XiContact) contact = NULL;

    XI_TEST_WAIT (xi_store_get_contact_async (f->ui.store, xi_conversation_get_contact_id (budi), NULL,
                                              xi_test_store_result_cb, &slot_),
                  contact = xi_store_get_contact_finish (f->ui.store, result_, &error));
    g_assert_no_error (error);
    xi_contact_set_name (contact, "Budi S. (Toko Maju)");
    XI_TEST_WAIT (xi_store_save_contact_async (f->ui.store, contact, NULL, xi_test_store_result_cb, &slot_),
                  g_clear_object (&contact); contact = xi_store_save_contact_finish (f->ui.store, result_, &error));
    g_assert_no_error (error);
  }
  g_assert_true (xi_ui_wait_for (renamed_shown, budi, 5000));
  xi_ui_spin (300);
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_true (gtk_widget_is_ancestor (focus, list_view));
  g_assert_cmpstr (xi_inbox_page_get_selected_phone (page), ==, BUDI);
  xi_ui_screenshot (GTK_WIDGET (window), "inbox-follows-store");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A notification clicked before the list is read: the conversation is
 * chosen when the list arrives, from inside the list's own change,
 * which the list view must have taken in first (under MALLOC_PERTURB_ it
 * crashed on freed rows otherwise). */
static void
test_shown_before_listed (Fixture       *f,
                          gconstpointer  data)
{
  XiWindow *window = xi_window_new (NULL, f->ui.context);
  XiInboxPage *page;

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_window_present (GTK_WINDOW (window));
  xi_window_show_page (window, "inbox");
  page = XI_INBOX_PAGE (xi_window_get_page (window, "inbox"));
  g_assert_cmpuint (g_list_model_get_n_items (xi_inbox_page_get_conversations (page)), ==, 0);

  xi_inbox_page_show_conversation (page, SITI);
  g_assert_true (xi_ui_wait_for (has_messages, page, 5000));
  xi_ui_spin (300);
  g_assert_cmpstr (xi_inbox_page_get_selected_phone (page), ==, SITI);
  g_assert_cmpuint (g_list_model_get_n_items (xi_inbox_page_get_conversations (page)), ==, 4);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The main window cannot get narrower than its widest page; the inbox
 * alone shows one pane at a time on a phone-sized screen. */
static void
test_narrow (Fixture       *f,
             gconstpointer  data)
{
  GtkWidget *window = gtk_window_new ();
  XiInboxPage *page = g_object_new (XI_TYPE_INBOX_PAGE, "context", f->ui.context, NULL);
  AdwLeaflet *leaflet = ADW_LEAFLET (xi_ui_find_widget (GTK_WIDGET (page), ADW_TYPE_LEAFLET));
  Expect all = { page, NULL, NULL, 4, -1, -1 };

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (xi_ui_wait_for (list_matches, &all, 5000));
  xi_ui_spin (400);
  g_assert_true (adw_leaflet_get_folded (leaflet));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "list");
  xi_ui_screenshot (window, "inbox-narrow-list");

  xi_inbox_page_show_conversation (page, SITI);
  g_assert_true (xi_ui_wait_for (has_messages, page, 5000));
  xi_ui_spin (500);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "conversation");
  xi_ui_screenshot (window, "inbox-narrow-conversation");

  gtk_widget_activate_action (GTK_WIDGET (page), "page.back", NULL);
  xi_ui_spin (500);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "list");

  /* Clicking the conversation already chosen opens it again. */
  {
    GtkWidget *list_view = xi_ui_find_widget (GTK_WIDGET (page), GTK_TYPE_LIST_VIEW);
    g_autoptr(GListModel) controllers = NULL;
    GtkWidget *row = NULL;

    for (GtkWidget *cell = gtk_widget_get_first_child (list_view); cell != NULL && row == NULL;
         cell = gtk_widget_get_next_sibling (cell))
      {
        GtkWidget *child = gtk_widget_get_first_child (cell);

        if (child != NULL && g_object_get_data (G_OBJECT (child), "list-item") != NULL)
          {
            GtkListItem *item = g_object_get_data (G_OBJECT (child), "list-item");
            XiConversation *conversation = gtk_list_item_get_item (item);

            if (g_str_equal (xi_conversation_get_phone (conversation), SITI))
              row = child;
          }
      }
    g_assert_nonnull (row);
    controllers = gtk_widget_observe_controllers (row);
    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

        if (GTK_IS_GESTURE_CLICK (controller))
          g_signal_emit_by_name (controller, "released", 1, 10.0, 10.0);
      }
    xi_ui_spin (500);
    g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "conversation");
    g_assert_cmpstr (xi_inbox_page_get_selected_phone (page), ==, SITI);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Two opt-outs: one toast counts both, or, if they came apart, two name
 * them. */
static gboolean
two_opt_outs_announced (gpointer data)
{
  Fixture *f = data;

  return f->toasts->len >= 2 ||
         (f->toasts->len == 1 && g_str_has_prefix (g_ptr_array_index (f->toasts, 0), "2 customers"));
}

/* A real campaign on the loopback transport, whose recipients all answer
 * "Stop!": the receiver stores the replies and applies the opt-outs, the
 * runner brings them to the page, which announces both. */
static void
test_campaign_replies (Fixture       *f,
                       gconstpointer  data)
{
  XiWindow *window = open_inbox (f, 1100);
  XiInboxPage *page = XI_INBOX_PAGE (xi_window_get_page (window, "inbox"));
  GListModel *contacts = xi_context_get_contacts (f->ui.context);
  g_autoptr(XiTemplate) template_ = xi_template_new ("Promo");
  g_autoptr(XiTemplate) saved = NULL;
  g_autoptr(XiJobSpec) spec = xi_job_spec_new ();
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  const char *variants[] = { "Halo {name}, ada promo!", NULL };
  Expect siti_stop = { page, SITI, "Stop!", 4, -1, TRUE };
  Expect budi_stop = { page, BUDI, "Stop!", 4, -1, TRUE };

  for (guint i = 0; i < g_list_model_get_n_items (contacts); i++)
    {
      g_autoptr(XiContact) contact = g_list_model_get_item (contacts, i);

      if (g_str_equal (xi_contact_get_phone (contact), BUDI) || g_str_equal (xi_contact_get_phone (contact), SITI))
        g_strv_builder_add (ids, xi_contact_get_id (contact));
    }
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    GAsyncResult *slot = NULL;

    xi_template_set_variants (template_, variants);
    xi_store_save_template_async (f->ui.store, template_, NULL, xi_test_store_result_cb, &slot);
    result = xi_test_wait_result (&slot);
    saved = xi_store_save_template_finish (f->ui.store, result, &error);
    g_assert_no_error (error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    GAsyncResult *slot = NULL;

    spec->contact_ids = g_strv_builder_end (ids);
    g_assert_cmpuint (g_strv_length (spec->contact_ids), ==, 2);
    spec->template_id = g_strdup (xi_template_get_id (saved));
    spec->delay_min_ms = spec->delay_max_ms = 0;
    spec->start = TRUE;
    xi_store_create_job_async (f->ui.store, spec, NULL, xi_test_store_result_cb, &slot);
    result = xi_test_wait_result (&slot);
    job = xi_store_create_job_finish (f->ui.store, result, &error);
    g_assert_no_error (error);
  }
  xi_campaign_runner_wake (f->runner);

  g_assert_true (xi_ui_wait_for (two_opt_outs_announced, f, 20000));
  g_assert_true (xi_ui_wait_for (list_matches, &siti_stop, 5000));
  g_assert_true (xi_ui_wait_for (list_matches, &budi_stop, 5000));
  for (guint i = 0; i < f->toasts->len; i++)
    g_assert_true (g_str_has_suffix (g_ptr_array_index (f->toasts, i),
                                     " asked to stop receiving messages. They will be skipped from now on."));
  xi_ui_spin (300);
  if (g_str_has_prefix (adw_toast_get_title (f->last_toast), "2 customers"))
    {
      /* The shared toast leads to the Inbox. */
      xi_window_show_page (window, "contacts");
      g_assert_cmpstr (adw_toast_get_action_name (f->last_toast), ==, "win.show-inbox");
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-inbox", NULL));
      g_assert_cmpstr (xi_window_get_visible_page (window), ==, "inbox");
      xi_ui_spin (400);
    }
  xi_ui_screenshot (GTK_WIDGET (window), "inbox-campaign-replies");

  gtk_window_destroy (GTK_WINDOW (window));
}

static guint
count_rules (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rules = NULL;
  GAsyncResult *slot = NULL;

  xi_store_list_auto_reply_rules_async (f->ui.store, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  rules = xi_store_list_auto_reply_rules_finish (f->ui.store, result, &error);
  g_assert_no_error (error);
  return rules->len;
}

static gboolean
has_rule_dialog (gpointer data)
{
  return xi_ui_find_window (XI_TYPE_AUTO_REPLY_DIALOG) != NULL;
}

static gboolean
no_rule_dialog (gpointer data)
{
  return xi_ui_find_window (XI_TYPE_AUTO_REPLY_DIALOG) == NULL;
}

static GtkWidget *
find_row (GtkWidget  *root,
          const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (root) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
new_rule_listed (gpointer data)
{
  return find_row (data, "Di luar jam kerja") != NULL;
}

/* Preferences, on its Replies page, which is returned in @replies. */
static GtkWidget *
open_replies (Fixture    *f,
              GtkWidget **replies)
{
  GtkWidget *window = xi_preferences_window_new (f->ui.context);

  *replies = NULL;
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 760);
  gtk_window_present (GTK_WINDOW (window));
  for (GtkWidget *w = xi_ui_find_widget (window, ADW_TYPE_PREFERENCES_PAGE); w != NULL; w = gtk_widget_get_next_sibling (w))
    if (g_strcmp0 (adw_preferences_page_get_title (ADW_PREFERENCES_PAGE (w)), "Replies") == 0)
      *replies = w;
  g_assert_nonnull (*replies);
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (window), ADW_PREFERENCES_PAGE (*replies));
  return window;
}

/* Opt-out words and automatic replies in the preferences. */
static void
test_preferences (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(XiAutoReplyRule) rule = xi_auto_reply_rule_new ("Harga");
  g_autoptr(XiAutoReplyRule) saved = NULL;
  const char *words[] = { "harga", "price", NULL };
  GtkWidget *window;
  GtkWidget *replies;
  GtkWidget *dialog;
  AdwEntryRow *entry;
  g_auto(GStrv) keywords = NULL;

  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    GAsyncResult *slot = NULL;

    xi_auto_reply_rule_set_keywords (rule, words);
    xi_auto_reply_rule_set_reply_text (rule, "Halo! Daftar harga terbaru ada di katalog kami.");
    xi_auto_reply_rule_set_hours (rule, 8, 17);
    xi_store_save_auto_reply_rule_async (f->ui.store, rule, NULL, xi_test_store_result_cb, &slot);
    result = xi_test_wait_result (&slot);
    saved = xi_store_save_auto_reply_rule_finish (f->ui.store, result, &error);
    g_assert_no_error (error);
  }

  window = open_replies (f, &replies);
  xi_ui_spin (400);

  /* Words are added to the list, and the defaults come back. */
  entry = ADW_ENTRY_ROW (xi_ui_find_widget (replies, ADW_TYPE_ENTRY_ROW));
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "  Jangan kirim lagi ");
  g_signal_emit_by_name (entry, "apply");
  keywords = g_settings_get_strv (f->ui.settings, "opt-out-keywords");
  g_assert_cmpuint (g_strv_length (keywords), ==, 6);
  g_assert_cmpstr (keywords[5], ==, "Jangan kirim lagi");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (xi_ui_find_widget (replies, ADW_TYPE_EXPANDER_ROW)), TRUE);
  xi_ui_spin (400);
  xi_ui_screenshot (window, "preferences-replies");
  g_assert_nonnull (xi_ui_find_button (replies, "_Restore Defaults"));
  gtk_widget_activate (xi_ui_find_button (replies, "_Restore Defaults"));
  xi_ui_spin (400);
  g_clear_pointer (&keywords, g_strfreev);
  keywords = g_settings_get_strv (f->ui.settings, "opt-out-keywords");
  g_assert_cmpuint (g_strv_length (keywords), ==, 5);

  /* Editing a rule: the dialog shows it, and saving stores it. */
  g_assert_true (gtk_widget_activate_action (window, "prefs.edit-rule", "s", xi_auto_reply_rule_get_id (saved)));
  g_assert_true (xi_ui_wait_for (has_rule_dialog, NULL, 5000));
  dialog = GTK_WIDGET (xi_ui_find_window (XI_TYPE_AUTO_REPLY_DIALOG));
  xi_ui_spin (400);
  xi_ui_screenshot (dialog, "auto-reply-dialog");
  xi_auto_reply_dialog_save (XI_AUTO_REPLY_DIALOG (dialog));
  g_assert_true (xi_ui_wait_for (no_rule_dialog, NULL, 5000));
  g_assert_cmpuint (count_rules (f), ==, 1);

  /* A new rule needs a name, words and a reply. */
  g_assert_true (gtk_widget_activate_action (window, "prefs.new-rule", NULL));
  g_assert_true (xi_ui_wait_for (has_rule_dialog, NULL, 5000));
  dialog = GTK_WIDGET (xi_ui_find_window (XI_TYPE_AUTO_REPLY_DIALOG));
  xi_auto_reply_dialog_save (XI_AUTO_REPLY_DIALOG (dialog));
  xi_ui_spin (300);
  xi_ui_screenshot (dialog, "auto-reply-dialog-new");
  g_assert_nonnull (xi_ui_find_window (XI_TYPE_AUTO_REPLY_DIALOG));
  gtk_editable_set_text (GTK_EDITABLE (xi_ui_find_widget (dialog, ADW_TYPE_ENTRY_ROW)), "Di luar jam kerja");
  adw_combo_row_set_selected (ADW_COMBO_ROW (xi_ui_find_widget (dialog, ADW_TYPE_COMBO_ROW)), 1);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (xi_ui_find_widget (dialog, GTK_TYPE_TEXT_VIEW))),
                            "Terima kasih, kami balas besok pagi.", -1);
  xi_auto_reply_dialog_save (XI_AUTO_REPLY_DIALOG (dialog));
  g_assert_true (xi_ui_wait_for (no_rule_dialog, NULL, 5000));
  g_assert_cmpuint (count_rules (f), ==, 2);
  g_assert_true (xi_ui_wait_for (new_rule_listed, replies, 5000));
  g_assert_nonnull (find_row (replies, "Harga"));
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (xi_ui_find_widget (replies, ADW_TYPE_EXPANDER_ROW)), FALSE);
  xi_ui_spin (500);
  xi_ui_screenshot (window, "preferences-replies-rules");

  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  GtkWidget  *root;
  const char *title;
  const char *subtitle;
} RowWait;

static gboolean
switch_off (gpointer data)
{
  return !gtk_switch_get_active (data);
}

static gboolean
row_shows (gpointer data)
{
  RowWait *wait = data;
  GtkWidget *row = find_row (wait->root, wait->title);

  return row != NULL && (wait->subtitle == NULL ||
                         g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), wait->subtitle) == 0);
}

static gboolean
row_gone (gpointer data)
{
  RowWait *wait = data;

  return find_row (wait->root, wait->title) == NULL;
}

/* The rules shown follow the store: a rule written there while
 * Preferences is open (as sync writes one pulled from another computer)
 * appears, an edit made in the dialog changes its row in place, and one
 * disabled there turns its switch off. */
static void
test_preferences_follow_store (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(XiAutoReplyRule) rule = xi_auto_reply_rule_new ("Ongkir");
  g_autoptr(XiAutoReplyRule) saved = NULL;
  g_autoptr(XiAutoReplyRule) disabled = NULL;
  g_autoptr(XiAutoReplyRule) stored = NULL;
  g_autoptr(GError) error = NULL;
  const char *words[] = { "ongkir", NULL };
  GtkWidget *window;
  GtkWidget *replies;
  GtkWidget *dialog;
  GtkWidget *row;
  GtkWidget *toggle;
  RowWait wait;

  window = open_replies (f, &replies);
  xi_ui_spin (300);
  g_assert_null (find_row (replies, "Ongkir"));

  /* Written to the store from outside the window: it appears. */
  xi_auto_reply_rule_set_keywords (rule, words);
  xi_auto_reply_rule_set_reply_text (rule, "Ongkir ke Jawa gratis.");
  XI_TEST_WAIT (xi_store_save_auto_reply_rule_async (f->ui.store, rule, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_auto_reply_rule_finish (f->ui.store, result_, &error));
  g_assert_no_error (error);
  wait = (RowWait) { replies, "Ongkir", "Messages with: ongkir" };
  g_assert_true (xi_ui_wait_for (row_shows, &wait, 10000));
  row = find_row (replies, "Ongkir");

  /* Edited through the dialog: the same row shows the new name and words. */
  g_assert_true (gtk_widget_activate_action (window, "prefs.edit-rule", "s", xi_auto_reply_rule_get_id (saved)));
  g_assert_true (xi_ui_wait_for (has_rule_dialog, NULL, 5000));
  dialog = GTK_WIDGET (xi_ui_find_window (XI_TYPE_AUTO_REPLY_DIALOG));
  gtk_editable_set_text (GTK_EDITABLE (xi_ui_find_widget (dialog, ADW_TYPE_ENTRY_ROW)), "Ongkos kirim");
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_next_sibling (xi_ui_find_widget (dialog, ADW_TYPE_COMBO_ROW))),
                         "ongkir, kirim");
  xi_auto_reply_dialog_save (XI_AUTO_REPLY_DIALOG (dialog));
  g_assert_true (xi_ui_wait_for (no_rule_dialog, NULL, 5000));
  wait = (RowWait) { replies, "Ongkos kirim", "Messages with: ongkir, kirim" };
  g_assert_true (xi_ui_wait_for (row_shows, &wait, 5000));
  g_assert_true (find_row (replies, "Ongkos kirim") == row);
  wait = (RowWait) { replies, "Ongkir", NULL };
  g_assert_true (row_gone (&wait));
  g_assert_cmpuint (count_rules (f), ==, 1);

  /* Disabled in the store: the switch follows. */
  toggle = xi_ui_find_widget (row, GTK_TYPE_SWITCH);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (toggle)));
  XI_TEST_WAIT (xi_store_list_auto_reply_rules_async (f->ui.store, NULL, xi_test_store_result_cb, &slot_),
                {
                  g_autoptr(GPtrArray) rules = xi_store_list_auto_reply_rules_finish (f->ui.store, result_, &error);

                  g_assert_no_error (error);
                  disabled = xi_auto_reply_rule_copy (g_ptr_array_index (rules, 0));
                });
  xi_auto_reply_rule_set_enabled (disabled, FALSE);
  XI_TEST_WAIT (xi_store_save_auto_reply_rule_async (f->ui.store, disabled, NULL, xi_test_store_result_cb, &slot_),
                stored = xi_store_save_auto_reply_rule_finish (f->ui.store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (xi_ui_wait_for (switch_off, toggle, 5000));
  xi_ui_spin (300);
  xi_ui_screenshot (window, "preferences-rules-follow-store");

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
has_unread_again (gpointer data)
{
  return xi_inbox_page_get_unread_count (data) == 1;
}

static gboolean
page_all_read (gpointer data)
{
  return xi_inbox_page_get_unread_count (data) == 0;
}

/* "Mark All as Read" clears every conversation at once, and is off when
 * there is nothing unread. */
static void
test_mark_all_read (Fixture       *f,
                    gconstpointer  data)
{
  XiWindow *window = open_inbox (f, 1100);
  XiInboxPage *page = XI_INBOX_PAGE (xi_window_get_page (window, "inbox"));
  GtkWidget *button = NULL;

  g_assert_cmpuint (xi_inbox_page_get_unread_count (page), ==, 6);
  for (GtkWidget *w = xi_ui_find_widget (GTK_WIDGET (page), GTK_TYPE_SEARCH_ENTRY); w != NULL;
       w = gtk_widget_get_next_sibling (w))
    if (GTK_IS_BUTTON (w))
      button = w;
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_sensitive (button));

  gtk_widget_activate (button);
  g_assert_true (xi_ui_wait_for (page_all_read, page, 5000));
  g_assert_cmpuint (store_unread (f), ==, 0);
  xi_ui_spin (300);
  g_assert_false (gtk_widget_get_sensitive (button));
  xi_ui_screenshot (GTK_WIDGET (window), "inbox-all-read");

  /* A new reply makes it useful again. */
  seed (f, BUDI, "Masih ada stok?", NULL);
  xi_inbox_page_reload (page);
  g_assert_true (xi_ui_wait_for (has_unread_again, page, 5000));
  g_assert_true (gtk_widget_get_sensitive (button));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
count_dismissed (guint *dismissed)
{
  (*dismissed)++;
}

static gboolean
has_two_toasts (gpointer data)
{
  Fixture *f = data;

  return f->toasts->len == 2;
}

/* The runner says a customer's message did not fit on the disk: the
 * inbox says so, with what to do, once, until the shop owner dismisses
 * it or a message is stored again. */
static void
test_disk_full (Fixture       *f,
                gconstpointer  data)
{
  XiWindow *window = open_inbox (f, 1100);
  g_autoptr(XiIncoming) stored = NULL;
  guint dismissed = 0;

  g_signal_emit_by_name (f->runner, "incoming-disk-full");
  g_assert_true (xi_ui_wait_for (has_toast, f, 5000));
  g_assert_cmpstr (g_ptr_array_index (f->toasts, 0), ==,
                   "The disk is full: new messages from customers stay on WhatsApp until there is room. "
                   "Free some space.");
  g_assert_cmpuint (adw_toast_get_timeout (f->last_toast), ==, 0);
  g_assert_cmpint (adw_toast_get_priority (f->last_toast), ==, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect_swapped (f->last_toast, "dismissed", G_CALLBACK (count_dismissed), &dismissed);

  /* Said once while the disk stays full. */
  g_signal_emit_by_name (f->runner, "incoming-disk-full");
  xi_ui_spin (100);
  g_assert_cmpuint (f->toasts->len, ==, 1);

  /* A customer's message stored: there is room again, and the next full
   * disk is said again. */
  stored = receive (f, BUDI, "Masih ada?", NULL);
  g_signal_emit_by_name (f->runner, "incoming", stored);
  g_assert_cmpuint (dismissed, ==, 1);
  g_signal_emit_by_name (f->runner, "incoming-disk-full");
  g_assert_true (xi_ui_wait_for (has_two_toasts, f, 5000));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Whether a label under @root says @text (@whole) or has it in it. */
static gboolean
shows_text (GtkWidget  *root,
            const char *text,
            gboolean    whole)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_visible (root))
    {
      const char *label = gtk_label_get_text (GTK_LABEL (root));

      if (whole ? g_str_equal (label, text) : strstr (label, text) != NULL)
        return TRUE;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_text (child, text, whole))
      return TRUE;
  return FALSE;
}

/* The WhatsApp keys of this store learn @lid_user's number, as the
 * messenger writes them. */
static void
learn_number (Fixture    *f,
              const char *lid_user,
              const char *pn_user)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_key_change_free);
  g_autoptr(GBytes) value = g_bytes_new (pn_user, strlen (pn_user));
  g_autoptr(GHashTable) keys = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  XI_TEST_WAIT (xi_store_load_keys_async (f->ui.store, NULL, NULL, xi_test_store_result_cb, &slot_),
                keys = xi_store_load_keys_finish (f->ui.store, result_, &error));
  g_assert_no_error (error);
  g_ptr_array_add (changes, xi_key_change_new (XI_STORE_KEY_KIND_LID_PN, lid_user, value));
  XI_TEST_WAIT (xi_store_put_keys_async (f->ui.store, changes, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_store_put_keys_finish (f->ui.store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
}

/* A customer whose number WhatsApp hides: the conversation goes by words
 * that say so, never by the digits of the LID, and the reply box says why
 * it cannot answer. Once the number is known, the messages move into
 * that customer's conversation. */
static void
test_hidden_number (Fixture       *f,
                    gconstpointer  data)
{
  XiWindow *window = open_inbox (f, 1100);
  XiInboxPage *page = XI_INBOX_PAGE (xi_window_get_page (window, "inbox"));
  Expect listed = { page, HIDDEN, "Halo, ini nomor baru saya", 5, -1, FALSE };
  Expect joined = { page, STRANGER, "Halo, ini nomor baru saya", 4, -1, -1 };
  XiReplyComposer *composer;

  seed (f, HIDDEN, "Halo, ini nomor baru saya", NULL);
  g_assert_true (xi_ui_wait_for (list_matches, &listed, 5000));
  xi_window_show_conversation (window, HIDDEN);
  g_assert_true (xi_ui_wait_for (has_messages, page, 5000));
  xi_ui_spin (400);
  g_assert_cmpstr (xi_inbox_page_get_selected_phone (page), ==, HIDDEN);
  g_assert_true (shows_text (GTK_WIDGET (page), "WhatsApp user (number hidden)", TRUE));
  g_assert_false (shows_text (GTK_WIDGET (page), HIDDEN_DIGITS, FALSE));
  composer = XI_REPLY_COMPOSER (xi_ui_find_widget (GTK_WIDGET (page), XI_TYPE_REPLY_COMPOSER));
  g_assert_nonnull (xi_reply_composer_get_notice (composer));
  g_assert_nonnull (strstr (xi_reply_composer_get_notice (composer), "hides this customer’s number"));
  xi_ui_screenshot (GTK_WIDGET (window), "inbox-hidden-number");

  learn_number (f, HIDDEN_DIGITS, STRANGER);
  g_assert_true (xi_ui_wait_for (list_matches, &joined, 5000));
  g_assert_null (find_conversation (page, HIDDEN, NULL));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  int skip = xi_ui_init (&argc, &argv);

  if (skip != 0)
    return skip;

  g_test_add ("/xi/ui/inbox/list-and-read", Fixture, NULL, fixture_setup, test_list_and_read, fixture_teardown);
  g_test_add ("/xi/ui/inbox/opt-out-banner", Fixture, NULL, fixture_setup, test_opt_out_banner, fixture_teardown);
  g_test_add ("/xi/ui/inbox/live-replies", Fixture, NULL, fixture_setup, test_live_replies, fixture_teardown);
  g_test_add ("/xi/ui/inbox/disk-full", Fixture, NULL, fixture_setup, test_disk_full, fixture_teardown);
  g_test_add ("/xi/ui/inbox/follows-store", Fixture, NULL, fixture_setup, test_follows_store, fixture_teardown);
  g_test_add ("/xi/ui/inbox/campaign-replies", Fixture, "Stop!", fixture_setup, test_campaign_replies,
              fixture_teardown);
  g_test_add ("/xi/ui/inbox/preferences", Fixture, NULL, fixture_setup, test_preferences, fixture_teardown);
  g_test_add ("/xi/ui/inbox/preferences-follow-store", Fixture, NULL, fixture_setup,
              test_preferences_follow_store, fixture_teardown);
  g_test_add ("/xi/ui/inbox/shown-before-listed", Fixture, NULL, fixture_setup, test_shown_before_listed,
              fixture_teardown);
  g_test_add ("/xi/ui/inbox/narrow", Fixture, NULL, fixture_setup, test_narrow, fixture_teardown);
  g_test_add ("/xi/ui/inbox/mark-all-read", Fixture, NULL, fixture_setup, test_mark_all_read,
              fixture_teardown);
  g_test_add ("/xi/ui/inbox/hidden-number", Fixture, NULL, fixture_setup, test_hidden_number,
              fixture_teardown);

  return g_test_run ();
}
