/* test-ui-reply.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <sqlite3.h>

#include "xi-history-page.h"
#include "xi-inbox-page.h"
#include "xi-job-chart.h"
#include "xi-message-bubble.h"
#include "xi-preferences-window.h"
#include "xi-quick-replies-group.h"
#include "xi-reply-composer.h"
#include "xi-test-utils.h"
#include "xi-ui-wa-test-utils.h"
#include "xi-window.h"

/*
 * Answering customers from the Inbox, against the fake WhatsApp server
 * in this process, wired as the application wires it: a conversation
 * shows both sides (a campaign's message with its name and ticks, the
 * customer's, an automatic reply), WhatsApp's markers as styles; the
 * composer refuses until an account is linked, sends with Ctrl+Enter
 * (real key events; Enter makes a new line), shows the message pending
 * then sent, keeps the text and says why when sending fails; quick
 * replies from Preferences go in with Alt+1…9; a customer who opted out
 * can be answered only in reply to their message.
 *
 * With --indonesian the same tests run in Indonesian, and the
 * screenshots ($XI_SCREENSHOT_DIR, or <G_TEST_BUILDDIR>/screenshots/)
 * end in "-id".
 */

#define PHONE "6281234567890"
#define BUDI "6281211112222"
#define SITI "6285711112222"
#define STRANGER "6289900001111"

typedef struct
{
  XiUiFixture       ui;
  FakewaServer     *server;
  XiCampaignRunner *runner;
  XiConnection     *connection;
  XiWindow         *window;
  XiInboxPage      *page;
  GPtrArray        *toasts;
  guint             relayed;
} Fixture;

static const char *language;   /* "id", or NULL for English */

/* Helpers */

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  g_autofree char *full = language != NULL ? g_strdup_printf ("%s-%s", name, language) : g_strdup (name);

  xi_ui_screenshot (widget, full);
}

static void
add_contact (Fixture    *f,
             const char *name,
             const char *phone)
{
  g_autoptr(XiContact) contact = xi_contact_new ();
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(GError) error = NULL;

  xi_contact_set_name (contact, name);
  xi_contact_set_phone (contact, phone);
  XI_TEST_WAIT (xi_store_save_contact_async (f->ui.store, contact, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_contact_finish (f->ui.store, result_, &error));
  g_assert_no_error (error);
}

static XiIncoming *
seed (Fixture    *f,
      const char *phone,
      const char *id,
      const char *text,
      const char *keyword)
{
  g_autoptr(GError) error = NULL;
  XiIncoming *incoming = NULL;

  XI_TEST_WAIT (xi_store_record_incoming_async (f->ui.store, phone, NULL, id, text, keyword, NULL,
                                                xi_test_store_result_cb, &slot_),
                incoming = xi_store_record_incoming_finish (f->ui.store, result_, NULL, &error));
  g_assert_no_error (error);
  return incoming;
}

static void
exec_sql (Fixture    *f,
          const char *sql)
{
  g_autofree char *path = g_build_filename (f->ui.dir, "store.db", NULL);

  xi_test_sqlite_exec (path, sql);
}

/* A campaign that reached Budi yesterday and was read, written as the
 * engine writes it, into the same SQLite file. */
static void
seed_campaign (Fixture *f)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) yesterday = g_date_time_add_days (now, -1);
  g_autofree char *when = g_date_time_format_iso8601 (yesterday);
  g_autofree char *sql = NULL;

  sql = g_strdup_printf ("INSERT INTO jobs (id, master_user_id, created_at, updated_at, name, state)"
                         " SELECT 'j1', master_user_id, '%1$s', '%1$s', 'Promo Desember', 'completed'"
                         " FROM contacts LIMIT 1;"
                         "INSERT INTO job_recipients (id, master_user_id, created_at, updated_at, job_id,"
                         " position, phone, state, wa_message_id, rendered_text, sent_at, delivered_at, read_at)"
                         " SELECT 'r1', master_user_id, '%1$s', '%1$s', 'j1', 0, '" BUDI "', 'read', 'C1',"
                         " 'Halo Budi, *diskon 30%%* untuk semua _sepatu_ sampai Minggu. ~Harga lama~ tidak"
                         " berlaku.', '%1$s', '%1$s', '%1$s' FROM contacts LIMIT 1;",
                         when);
  exec_sql (f, sql);
}

static void
seed_auto_reply (Fixture    *f,
                 XiIncoming *incoming)
{
  g_autoptr(XiAutoReplyRule) rule = xi_auto_reply_rule_new ("Salam");
  g_autoptr(XiAutoReplyRule) saved = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  xi_auto_reply_rule_set_trigger (rule, XI_AUTO_REPLY_TRIGGER_ANY);
  xi_auto_reply_rule_set_reply_text (rule, "Terima kasih, kami segera membalas.");
  XI_TEST_WAIT (xi_store_save_auto_reply_rule_async (f->ui.store, rule, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_auto_reply_rule_finish (f->ui.store, result_, &error));
  g_assert_no_error (error);
  XI_TEST_WAIT (xi_store_record_auto_reply_async (f->ui.store, saved, incoming, "AR1", NULL,
                                                  xi_test_store_result_cb, &slot_),
                ok = xi_store_record_auto_reply_finish (f->ui.store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
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

static void
page_toast_cb (XiPage   *page,
               AdwToast *toast,
               Fixture  *f)
{
  g_ptr_array_add (f->toasts, g_strdup (adw_toast_get_title (toast)));
}

static void
link_account (Fixture *f)
{
  xi_ui_wa_link_account (f->connection, f->server, PHONE);
}

static XiReplyComposer *
composer (Fixture *f)
{
  return XI_REPLY_COMPOSER (xi_ui_find_widget (GTK_WIDGET (f->page), XI_TYPE_REPLY_COMPOSER));
}

/* The bubbles of the open conversation, oldest first. */
static GPtrArray *
bubbles (Fixture *f)
{
  GPtrArray *list = g_ptr_array_new ();

  for (GtkWidget *row = gtk_widget_get_first_child (xi_inbox_page_get_messages_box (f->page));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (XI_IS_MESSAGE_BUBBLE (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row))))
      g_ptr_array_add (list, gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row)));
  return list;
}

static XiMessageBubble *
last_bubble (Fixture *f)
{
  g_autoptr(GPtrArray) list = bubbles (f);

  return list->len > 0 ? g_ptr_array_index (list, list->len - 1) : NULL;
}

typedef struct
{
  Fixture    *f;
  guint       n;
  XiChatState state;
} Expect;

static gboolean
last_bubble_is (gpointer data)
{
  Expect *e = data;
  g_autoptr(GPtrArray) list = bubbles (e->f);
  XiMessageBubble *last = list->len > 0 ? g_ptr_array_index (list, list->len - 1) : NULL;
  XiChatState state;

  if (list->len != e->n || last == NULL)
    return FALSE;
  state = xi_chat_message_get_state (xi_message_bubble_get_message (last));
  /* "Sent" is the server's ack; a receipt may already have moved it on. */
  if (e->state == XI_CHAT_STATE_SENT)
    return state == XI_CHAT_STATE_SENT || state == XI_CHAT_STATE_DELIVERED || state == XI_CHAT_STATE_READ;
  return state == e->state;
}

static gboolean
has_toast (gpointer data)
{
  Fixture *f = data;

  return f->toasts->len > 0;
}

static gboolean
not_sending (gpointer data)
{
  return !xi_reply_composer_is_sending (data);
}

/* The plain text a bubble's first text label shows. */
static const char *
bubble_text (XiMessageBubble *bubble)
{
  XiChatMessage *message = xi_message_bubble_get_message (bubble);
  GtkWidget *label = xi_ui_find_widget (GTK_WIDGET (bubble), GTK_TYPE_LABEL);

  /* The source line comes first on our campaign and automatic messages. */
  if (xi_chat_message_get_kind (message) == XI_CHAT_KIND_CAMPAIGN ||
      xi_chat_message_get_kind (message) == XI_CHAT_KIND_AUTO_REPLY)
    label = gtk_widget_get_next_sibling (label);
  return gtk_label_get_text (GTK_LABEL (label));
}

static gboolean
has_messages (gpointer data)
{
  return gtk_widget_get_first_child (data) != NULL;
}

static void
open_conversation (Fixture    *f,
                   const char *phone)
{
  xi_inbox_page_show_conversation (f->page, phone);
  g_assert_true (xi_ui_wait_for (has_messages, xi_inbox_page_get_messages_box (f->page), 5000));
  xi_ui_spin (300);
}

static GtkWidget *
find_by_tooltip (GtkWidget  *root,
                 const char *tooltip)
{
  if (g_strcmp0 (gtk_widget_get_tooltip_text (root), tooltip) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_tooltip (child, tooltip);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Fixture */

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XiIncoming) question = NULL;
  g_autoptr(XiIncoming) stop = NULL;

  xi_ui_fixture_setup (&f->ui, data);
  f->toasts = g_ptr_array_new_with_free_func (g_free);

  f->server = fakewa_server_new (&error);
  g_assert_no_error (error);
  g_signal_connect (f->server, "relayed", G_CALLBACK (relayed_cb), f);
  fakewa_server_add_account (f->server, BUDI);
  fakewa_server_add_account (f->server, SITI);

  add_contact (f, "Budi Santoso", BUDI);
  add_contact (f, "Siti Aminah", SITI);
  seed_campaign (f);
  question = seed (f, BUDI, "IN1", "Masih ada ukuran *42*? <b>Penting</b>", NULL);
  seed_auto_reply (f, question);
  seed (f, STRANGER, "IN2", "Halo, masih buka hari Minggu?", NULL);
  seed (f, SITI, "IN3", "Kapan pesanan saya dikirim?", NULL);
  stop = seed (f, SITI, "IN4", "STOP", "STOP");

  f->connection = xi_ui_wa_start (&f->ui, f->server, &f->runner);
  xi_ui_reload (&f->ui);

  f->window = xi_window_new (NULL, f->ui.context);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 720);
  gtk_window_present (GTK_WINDOW (f->window));
  f->page = XI_INBOX_PAGE (xi_window_get_page (f->window, "inbox"));
  g_signal_connect (f->page, "add-toast", G_CALLBACK (page_toast_cb), f);
  xi_window_show_page (f->window, "inbox");
  xi_ui_spin (300);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  GtkWindow *window;

  g_signal_handlers_disconnect_by_data (f->page, f);
  while ((window = xi_ui_find_window (GTK_TYPE_WINDOW)) != NULL)
    gtk_window_destroy (window);

  xi_ui_wa_stop (&f->connection, &f->runner);
  g_signal_handlers_disconnect_by_data (f->server, f);
  g_clear_object (&f->server);
  g_settings_reset (f->ui.settings, "quick-replies");
  g_ptr_array_unref (f->toasts);
  xi_ui_fixture_teardown (&f->ui, data);
}

/* Tests */

static void
test_both_sides (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) list = NULL;
  XiMessageBubble *campaign, *customer, *automatic;

  open_conversation (f, BUDI);
  list = bubbles (f);
  g_assert_cmpuint (list->len, ==, 3);
  campaign = g_ptr_array_index (list, 0);
  customer = g_ptr_array_index (list, 1);
  automatic = g_ptr_array_index (list, 2);

  /* Ours on the right with where it came from and its ticks. */
  g_assert_cmpint (gtk_widget_get_halign (GTK_WIDGET (campaign)), ==, GTK_ALIGN_END);
  g_assert_cmpint (xi_chat_message_get_kind (xi_message_bubble_get_message (campaign)), ==, XI_CHAT_KIND_CAMPAIGN);
  g_assert_cmpstr (xi_message_bubble_get_ticks (campaign), ==, "✓✓");
  g_assert_cmpstr (xi_chat_message_get_source_name (xi_message_bubble_get_message (campaign)), ==,
                   "Promo Desember");
  /* The markers became styles; the customer's tags stayed text. */
  g_assert_cmpstr (bubble_text (campaign), ==,
                   "Halo Budi, diskon 30% untuk semua sepatu sampai Minggu. Harga lama tidak berlaku.");
  g_assert_cmpint (gtk_widget_get_halign (GTK_WIDGET (customer)), ==, GTK_ALIGN_START);
  g_assert_null (xi_message_bubble_get_ticks (customer));
  g_assert_cmpstr (bubble_text (customer), ==, "Masih ada ukuran 42? <b>Penting</b>");
  g_assert_cmpint (xi_chat_message_get_kind (xi_message_bubble_get_message (automatic)), ==,
                   XI_CHAT_KIND_AUTO_REPLY);
  g_assert_cmpstr (xi_message_bubble_get_ticks (automatic), ==, "✓");

  /* Not linked: the composer says what to do and sends nothing. */
  g_assert_nonnull (xi_reply_composer_get_notice (composer (f)));
  g_assert_null (strstr (xi_reply_composer_get_notice (composer (f)), "opted out"));
  xi_reply_composer_set_text (composer (f), "Halo");
  gtk_widget_activate_action (GTK_WIDGET (composer (f)), "composer.send", NULL);
  xi_ui_spin (300);
  g_assert_false (xi_reply_composer_is_sending (composer (f)));
  g_clear_pointer (&list, g_ptr_array_unref);
  list = bubbles (f);
  g_assert_cmpuint (list->len, ==, 3);
  screenshot (GTK_WIDGET (f->window), "inbox-reply-thread");
}

static void
test_send_with_keys (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) list = NULL;
  Expect pending = { f, 4, XI_CHAT_STATE_PENDING };
  Expect delivered = { f, 4, XI_CHAT_STATE_DELIVERED };
  guint relayed;

  link_account (f);
  open_conversation (f, BUDI);
  g_assert_null (xi_reply_composer_get_notice (composer (f)));

  /* Enter makes a new line; Ctrl+Enter sends, pending at once. */
  xi_reply_composer_focus (composer (f));
  fakewa_server_set_reply_delay (f->server, 400);
  relayed = f->relayed;
  if (!xi_ui_send_keys (GTK_WINDOW (f->window), "type", "Ada, kak."))
    {
      g_test_skip ("xdotool cannot send key events here");
      return;
    }
  xi_ui_send_keys (GTK_WINDOW (f->window), "key", "Return");
  xi_ui_send_keys (GTK_WINDOW (f->window), "type", "Mau *dikirim* hari ini?");
  text = xi_reply_composer_dup_text (composer (f));
  g_assert_cmpstr (text, ==, "Ada, kak.\nMau *dikirim* hari ini?");
  list = bubbles (f);
  g_assert_cmpuint (list->len, ==, 3);

  xi_ui_send_keys (GTK_WINDOW (f->window), "key", "ctrl+Return");
  g_assert_true (xi_ui_wait_for (last_bubble_is, &pending, 5000));
  g_assert_cmpstr (xi_message_bubble_get_ticks (last_bubble (f)), ==, "🕓");
  xi_ui_spin (100);
  screenshot (GTK_WIDGET (f->window), "inbox-reply-pending");
  /* The server's ack, then the phone's receipt: the ticks follow. */
  g_assert_true (xi_ui_wait_for (last_bubble_is, &delivered, 15000));
  g_assert_cmpstr (xi_message_bubble_get_ticks (last_bubble (f)), ==, "✓✓");
  g_assert_cmpuint (f->relayed, >, relayed);
  g_assert_cmpstr (bubble_text (last_bubble (f)), ==, "Ada, kak.\nMau dikirim hari ini?");
  g_clear_pointer (&text, g_free);
  text = xi_reply_composer_dup_text (composer (f));
  g_assert_cmpstr (text, ==, "");
  g_assert_cmpuint (f->toasts->len, ==, 0);
  fakewa_server_set_reply_delay (f->server, 0);
  xi_ui_spin (300);
  screenshot (GTK_WIDGET (f->window), "inbox-reply-sent");
}

static void
test_failure_keeps_text (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *text = NULL;
  Expect failed = { f, 2, XI_CHAT_STATE_FAILED };

  link_account (f);
  /* Somebody with no WhatsApp account: the server refuses. */
  open_conversation (f, STRANGER);
  xi_reply_composer_set_text (composer (f), "Buka, jam 9 sampai 5.");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer (f)), "composer.send", NULL));
  g_assert_true (xi_ui_wait_for (has_toast, f, 15000));
  g_assert_true (xi_ui_wait_for (not_sending, composer (f), 5000));
  g_assert_true (xi_ui_wait_for (last_bubble_is, &failed, 5000));
  text = xi_reply_composer_dup_text (composer (f));
  g_assert_cmpstr (text, ==, "Buka, jam 9 sampai 5.");
  g_assert_cmpstr (xi_message_bubble_get_ticks (last_bubble (f)), ==, "!");
  xi_ui_spin (300);
  screenshot (GTK_WIDGET (f->window), "inbox-reply-failed");
}

static void
test_opted_out (Fixture       *f,
                gconstpointer  data)
{
  Expect sent = { f, 3, XI_CHAT_STATE_SENT };
  const char *notice;

  link_account (f);
  open_conversation (f, SITI);
  notice = xi_reply_composer_get_notice (composer (f));
  g_assert_nonnull (notice);
  /* The composer says the reply answers their message. */
  g_assert_nonnull (strstr (notice, language != NULL ? "berhenti" : "opted out"));
  xi_reply_composer_set_text (composer (f), "Baik, kami tidak akan mengirim promo lagi.");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer (f)), "composer.send", NULL));
  g_assert_true (xi_ui_wait_for (last_bubble_is, &sent, 15000));
  g_assert_cmpuint (f->toasts->len, ==, 0);
  xi_ui_spin (300);
  screenshot (GTK_WIDGET (f->window), "inbox-reply-opted-out");
}

static void
test_quick_replies (Fixture       *f,
                    gconstpointer  data)
{
  const char *replies[] = { "Terima kasih sudah menghubungi kami!", "Pesanan dikirim besok pagi.", NULL };
  g_autofree char *text = NULL;
  GtkWindow *preferences;
  GtkWidget *group;
  GMenuModel *menu;

  link_account (f);
  g_settings_set_strv (f->ui.settings, "quick-replies", replies);
  open_conversation (f, BUDI);

  menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (xi_ui_find_widget (GTK_WIDGET (composer (f)),
                                                                             GTK_TYPE_MENU_BUTTON)));
  g_assert_cmpint (g_menu_model_get_n_items (menu), ==, 2);

  xi_reply_composer_focus (composer (f));
  if (!xi_ui_send_keys (GTK_WINDOW (f->window), "key", "alt+2"))
    {
      g_test_skip ("xdotool cannot send key events here");
      return;
    }
  text = xi_reply_composer_dup_text (composer (f));
  g_assert_cmpstr (text, ==, "Pesanan dikirim besok pagi.");
  /* No third one: nothing happens. */
  xi_ui_send_keys (GTK_WINDOW (f->window), "key", "alt+3");
  g_clear_pointer (&text, g_free);
  text = xi_reply_composer_dup_text (composer (f));
  g_assert_cmpstr (text, ==, "Pesanan dikirim besok pagi.");
  xi_ui_spin (300);
  screenshot (GTK_WIDGET (f->window), "inbox-reply-quick");

  /* Preferences edits them; the composer follows. */
  preferences = GTK_WINDOW (xi_preferences_window_new (f->ui.context));
  gtk_window_set_default_size (preferences, 700, 900);
  gtk_window_present (preferences);
  group = xi_ui_find_widget (GTK_WIDGET (preferences), XI_TYPE_QUICK_REPLIES_GROUP);
  g_assert_nonnull (group);
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (preferences),
                                           ADW_PREFERENCES_PAGE (gtk_widget_get_ancestor (group,
                                                                                          ADW_TYPE_PREFERENCES_PAGE)));
  xi_ui_spin (400);
  screenshot (GTK_WIDGET (preferences), "preferences-quick-replies");
  gtk_window_destroy (preferences);
}

static void
collect_entry_rows (GtkWidget *root,
                    GPtrArray *rows)
{
  if (ADW_IS_ENTRY_ROW (root))
    {
      g_ptr_array_add (rows, root);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_entry_rows (child, rows);
}

/* The group's rows as shown: one per reply, then the one that adds. */
static GtkWidget *
entry_row (GtkWidget *group,
           int        index)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect_entry_rows (group, rows);
  g_assert_cmpuint (rows->len, >, 0);
  return g_ptr_array_index (rows, index < 0 ? rows->len - 1 : (guint)index);
}

static void
apply_text (GtkWidget  *row,
            const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  g_signal_emit_by_name (row, "apply");
}

static void
assert_replies (Fixture            *f,
                const char * const *expected)
{
  g_auto(GStrv) replies = g_settings_get_strv (f->ui.settings, "quick-replies");

  g_assert_cmpstrv (replies, expected);
}

/* Editing in Preferences: add, change, move, remove; each is saved. */
static void
test_preferences (Fixture       *f,
                  gconstpointer  data)
{
  GtkWindow *preferences = GTK_WINDOW (xi_preferences_window_new (f->ui.context));
  GtkWidget *group = xi_ui_find_widget (GTK_WIDGET (preferences), XI_TYPE_QUICK_REPLIES_GROUP);

  gtk_window_present (preferences);
  xi_ui_spin (200);

  /* The last row adds; blanks are not added. */
  apply_text (entry_row (group, -1), "Satu");
  apply_text (entry_row (group, -1), "Dua");
  apply_text (entry_row (group, -1), "   ");
  apply_text (entry_row (group, -1), "Tiga");
  assert_replies (f, (const char *[]) { "Satu", "Dua", "Tiga", NULL });

  apply_text (entry_row (group, 1), "Dua!");
  g_signal_emit_by_name (find_by_tooltip (entry_row (group, 2), _("Move Up")), "clicked");
  assert_replies (f, (const char *[]) { "Satu", "Tiga", "Dua!", NULL });
  g_signal_emit_by_name (find_by_tooltip (entry_row (group, 0), _("Remove")), "clicked");
  assert_replies (f, (const char *[]) { "Tiga", "Dua!", NULL });
  /* An emptied reply is removed. */
  apply_text (entry_row (group, 0), "  ");
  assert_replies (f, (const char *[]) { "Dua!", NULL });

  /* Nine at most: then no row adds. */
  for (guint i = 2; i <= XI_QUICK_REPLIES_MAX; i++)
    {
      g_autofree char *text = g_strdup_printf ("Balasan %u", i);

      apply_text (entry_row (group, -1), text);
    }
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_row (group, -1))), ==, "Balasan 9");
  xi_ui_spin (200);
  screenshot (GTK_WIDGET (preferences), "preferences-quick-replies-edited");
  gtk_window_destroy (preferences);
}

static GtkWidget *
find_label (GtkWidget  *root,
            const char *needle)
{
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), needle) != NULL)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, needle);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
has_all_151 (gpointer data)
{
  g_autoptr(GPtrArray) list = bubbles (data);

  return list->len == 151;
}

/* A long conversation opens at its end; earlier messages come on demand. */
static void
test_long_thread (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) list = NULL;
  GtkWidget *first_row;

  exec_sql (f, "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150)"
               " INSERT INTO incoming_messages (id, master_user_id, created_at, updated_at, wa_message_id,"
               " from_jid, phone, text, received_at, is_read)"
               " SELECT 'long' || i, master_user_id, t, t, 'L' || i, '" STRANGER "@s.whatsapp.net', '" STRANGER "',"
               " 'Pesan ' || i, t, 1 FROM (SELECT i, strftime ('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || (300 - i)"
               " || ' minutes') AS t FROM n), (SELECT master_user_id FROM contacts LIMIT 1);");
  open_conversation (f, STRANGER);

  /* The newest hundred, under a button for the rest. */
  first_row = gtk_widget_get_first_child (xi_inbox_page_get_messages_box (f->page));
  g_assert_true (GTK_IS_BUTTON (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (first_row))));
  list = bubbles (f);
  g_assert_cmpuint (list->len, ==, 100);
  g_assert_cmpstr (bubble_text (g_ptr_array_index (list, list->len - 1)), ==, "Halo, masih buka hari Minggu?");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "page.show-earlier", NULL));
  g_assert_true (xi_ui_wait_for (has_all_151, f, 5000));
  first_row = gtk_widget_get_first_child (xi_inbox_page_get_messages_box (f->page));
  g_assert_false (GTK_IS_BUTTON (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (first_row))));
}

/* The chart of the whole campaign: 41 sent. */
static gboolean
chart_loaded (gpointer data)
{
  return strstr (xi_job_chart_get_description (data), language != NULL ? "41 terkirim" : "41 sent") != NULL;
}

/* History: a campaign's messages over time, readable with the keyboard,
 * and the replies it got since. */
static void
test_campaign_chart (Fixture       *f,
                     gconstpointer  data)
{
  GtkWidget *page = xi_window_get_page (f->window, "history");
  g_autofree char *first = NULL;
  XiJobChart *chart;

  /* Forty more recipients of the same campaign, one every three minutes
   * from yesterday's first message, half of them delivered, a quarter
   * read an hour later. */
  exec_sql (f, "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)"
               " INSERT INTO job_recipients (id, master_user_id, created_at, updated_at, job_id, position,"
               " phone, state, wa_message_id, rendered_text, sent_at, delivered_at, read_at)"
               " SELECT 'x' || i, r.master_user_id, r.created_at, r.created_at, 'j1', i, '62811000' || i,"
               " 'sent', 'X' || i, 'Halo', strftime ('%Y-%m-%dT%H:%M:%fZ', r.sent_at, '+' || (i * 3) || ' minutes'),"
               " CASE WHEN i % 2 = 0 THEN strftime ('%Y-%m-%dT%H:%M:%fZ', r.sent_at, '+' || (i * 3 + 1) || ' minutes') END,"
               " CASE WHEN i % 4 = 0 THEN strftime ('%Y-%m-%dT%H:%M:%fZ', r.sent_at, '+' || (i * 3 + 60) || ' minutes') END"
               " FROM n, job_recipients r WHERE r.id = 'r1';"
               "UPDATE jobs SET total = 41, sent = 41, delivered = 21, read = 11 WHERE id = 'j1';");
  xi_ui_reload (&f->ui);

  xi_window_show_page (f->window, "history");
  xi_ui_spin (300);
  g_assert_true (xi_history_page_select_job (XI_HISTORY_PAGE (page), "j1"));
  chart = XI_JOB_CHART (xi_ui_find_widget (page, XI_TYPE_JOB_CHART));
  g_assert_true (xi_ui_wait_for (chart_loaded, chart, 5000));
  first = g_strdup (xi_job_chart_get_description (chart));
  xi_job_chart_select (chart, -1);
  g_assert_cmpint (xi_job_chart_get_selected (chart), ==, -1);

  /* The summary counts the reply Budi sent. */
  g_assert_nonnull (find_label (page, language != NULL ? "1 balasan diterima sejak" : "1 reply received since"));

  /* Keyboard: the chart takes focus, the arrows read the intervals. */
  gtk_widget_grab_focus (GTK_WIDGET (chart));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (chart)));
  if (xi_ui_send_keys (GTK_WINDOW (f->window), "key", "Right"))
    {
      g_assert_cmpint (xi_job_chart_get_selected (chart), ==, 0);
      xi_ui_send_keys (GTK_WINDOW (f->window), "key", "End");
      g_assert_cmpint (xi_job_chart_get_selected (chart), >, 0);
      xi_ui_send_keys (GTK_WINDOW (f->window), "key", "Left");
      xi_ui_send_keys (GTK_WINDOW (f->window), "key", "Left");
      g_assert_cmpstr (xi_job_chart_get_description (chart), !=, first);
    }
  else
    xi_job_chart_select (chart, 3);
  xi_ui_spin (300);
  screenshot (GTK_WIDGET (f->window), "history-campaign-chart");
  screenshot (GTK_WIDGET (chart), "history-chart-only");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *locale_dir = NULL;
  int skip, result;

  g_setenv ("GIO_USE_NETWORK_MONITOR", "base", TRUE);
  skip = xi_ui_init_language (&argc, &argv, XI_TEST_LOCALEDIR, &language, &locale_dir);
  if (skip != 0)
    return skip;

  g_test_add ("/xi/ui-reply/both-sides", Fixture, NULL, fixture_setup, test_both_sides, fixture_teardown);
  g_test_add ("/xi/ui-reply/send-with-keys", Fixture, NULL, fixture_setup, test_send_with_keys,
              fixture_teardown);
  g_test_add ("/xi/ui-reply/failure-keeps-text", Fixture, NULL, fixture_setup, test_failure_keeps_text,
              fixture_teardown);
  g_test_add ("/xi/ui-reply/opted-out", Fixture, NULL, fixture_setup, test_opted_out, fixture_teardown);
  g_test_add ("/xi/ui-reply/quick-replies", Fixture, NULL, fixture_setup, test_quick_replies,
              fixture_teardown);
  g_test_add ("/xi/ui-reply/long-thread", Fixture, NULL, fixture_setup, test_long_thread, fixture_teardown);
  g_test_add ("/xi/ui-reply/campaign-chart", Fixture, NULL, fixture_setup, test_campaign_chart,
              fixture_teardown);
  g_test_add ("/xi/ui-reply/preferences", Fixture, NULL, fixture_setup, test_preferences, fixture_teardown);

  result = g_test_run ();
  if (locale_dir != NULL)
    xi_test_rm_rf (locale_dir);
  return result;
}
