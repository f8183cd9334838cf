/* test-ui-sync.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "xi-application.h"
#include "xi-inbox-page.h"
#include "xi-preferences-window.h"
#include "xi-sign-in-dialog.h"
#include "xi-store-sync.h"
#include "xi-supabase-client.h"
#include "xi-sync-engine.h"
#include "xi-sync-indicator.h"
#include "xi-sync-preferences-page.h"
#include "xi-sync-test-utils.h"
#include "xi-test-utils.h"
#include "xi-ui-test-utils.h"
#include "xi-window.h"

/*
 * The whole app, in this process, against the real PostgreSQL behind the
 * test gateway: the project is set up and the account made through
 * Preferences and the sign-in dialog, a second "computer" (a store and a
 * sync engine of its own) adds a contact that appears in the app's list,
 * the header's indicator follows the sync (syncing, up to date, offline),
 * a change the server refuses is listed and discarded, and signing out
 * keeps the account's copy and brings the signed-out data back.
 */

#define WAIT_MS (60 * 1000)

static FsRig *rig;

typedef struct
{
  XiApplication *app;
  char          *dir;
  char          *email;
  GArray        *states;   /* XiSyncState, as the indicator saw them */
} Test;

/* Auxiliary methods */

static XiContext *
context (Test *t)
{
  return xi_application_get_context (t->app);
}

static gboolean
loaded (gpointer data)
{
  Test *t = data;

  return !xi_context_get_loading (context (t));
}

static XiSyncService *
service (Test *t)
{
  return xi_context_get_sync_service (context (t));
}

static XiWindow *
main_window (void)
{
  return XI_WINDOW (xi_ui_find_window (XI_TYPE_WINDOW));
}

static XiSyncIndicator *
indicator (void)
{
  return XI_SYNC_INDICATOR (xi_ui_find_widget (GTK_WIDGET (main_window ()), XI_TYPE_SYNC_INDICATOR));
}

static void
wait_for (gboolean (*done) (gpointer data),
          Test      *t)
{
  g_assert_true (xi_ui_wait_for (done, t, WAIT_MS));
}

static void
type_into (GtkWidget  *editable,
           const char *text)
{
  g_assert_nonnull (editable);
  gtk_editable_set_text (GTK_EDITABLE (editable), text);
}

static void
click (GtkWidget  *root,
       const char *label)
{
  GtkWidget *button = xi_ui_find_button (root, label);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

/* The text of the first label under @root that starts with @prefix. */
static GtkWidget *
find_label (GtkWidget  *root,
            const char *prefix)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_visible (root) &&
      g_str_has_prefix (gtk_label_get_label (GTK_LABEL (root)), prefix))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, prefix);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_tooltip (GtkWidget  *root,
              const char *tooltip)
{
  if (g_strcmp0 (gtk_widget_get_tooltip_text (root), tooltip) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_tooltip (child, tooltip);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The contacts' list loads its rows a page at a time: it is read once
 * its first page is in. */
static XiContact *
find_contact (GListModel *contacts,
              const char *name)
{
  xi_ui_wait_contacts (contacts);
  for (guint i = 0; i < g_list_model_get_n_items (contacts); i++)
    {
      g_autoptr(XiContact) contact = g_list_model_get_item (contacts, i);

      if (g_strcmp0 (xi_contact_get_name (contact), name) == 0)
        return contact;
    }
  return NULL;
}

static void
state_notified_cb (XiSyncService *sync,
                   GParamSpec    *pspec,
                   Test          *t)
{
  XiSyncState state = xi_sync_service_get_state (sync);

  g_array_append_val (t->states, state);
}

static void
follow_states (Test *t)
{
  g_array_set_size (t->states, 0);
  g_signal_connect (service (t), "notify::state", G_CALLBACK (state_notified_cb), t);
}

static gboolean
seen_syncing_then_up_to_date (gpointer data)
{
  Test *t = data;
  gboolean syncing = FALSE;

  for (guint i = 0; i < t->states->len; i++)
    {
      XiSyncState state = g_array_index (t->states, XiSyncState, i);

      if (state == XI_SYNC_STATE_SYNCING)
        syncing = TRUE;
      else if (state == XI_SYNC_STATE_UP_TO_DATE && syncing)
        return TRUE;
    }
  return FALSE;
}

static gboolean
up_to_date (gpointer data)
{
  Test *t = data;

  return service (t) != NULL && xi_sync_service_get_state (service (t)) == XI_SYNC_STATE_UP_TO_DATE;
}

static gboolean
offline (gpointer data)
{
  Test *t = data;

  return xi_sync_service_get_state (service (t)) == XI_SYNC_STATE_OFFLINE;
}

static gboolean
budi_shown (gpointer data)
{
  Test *t = data;

  return find_contact (xi_context_get_contacts (context (t)), "Budi") != NULL;
}

static gboolean
budi_replied (gpointer data)
{
  XiInboxPage *inbox = XI_INBOX_PAGE (xi_window_get_page (main_window (), "inbox"));

  return g_list_model_get_n_items (xi_inbox_page_get_conversations (inbox)) == 1;
}

static gboolean
one_refused (gpointer data)
{
  Test *t = data;

  return up_to_date (t) && xi_sync_service_get_refused (service (t)) == 1;
}

static GtkWidget *
popover (void)
{
  return xi_ui_find_widget (GTK_WIDGET (indicator ()), GTK_TYPE_POPOVER);
}

/* Named as the page models name it (@data), with the server's reason. */
static gboolean
refused_listed (gpointer data)
{
  GtkWidget *row = xi_ui_find_widget (popover (), ADW_TYPE_ACTION_ROW);

  return row != NULL &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), data) == 0 &&
         strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "violates check constraint") != NULL;
}

static void
template_saved_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  XiTemplate **saved = user_data;
  g_autoptr(GError) error = NULL;

  *saved = xi_templates_facade_save_finish (XI_TEMPLATES_FACADE (object), result, &error);
  g_assert_no_error (error);
}

static gboolean
template_saved (gpointer data)
{
  return *(XiTemplate **)data != NULL;
}

static gboolean
none_refused (gpointer data)
{
  Test *t = data;

  return up_to_date (t) && xi_sync_service_get_refused (service (t)) == 0;
}

static gboolean
sign_in_answered (gpointer data)
{
  GtkWidget *dialog = GTK_WIDGET (xi_ui_find_window (XI_TYPE_SIGN_IN_DIALOG));

  return find_label (dialog, "The email address or the password is wrong") != NULL;
}

static gboolean
signed_out (gpointer data)
{
  Test *t = data;
  XiSyncAccount *account = xi_context_get_sync_account (context (t));

  return xi_sync_account_get_user_id (account) == NULL && service (t) == NULL && loaded (t);
}

static XiContact *
save_contact (XiStore    *store,
              const char *name,
              const char *phone)
{
  g_autoptr(XiContact) contact = xi_contact_new ();
  g_autoptr(GError) error = NULL;
  XiContact *saved = NULL;

  xi_contact_set_name (contact, name);
  xi_contact_set_phone (contact, phone);
  XI_TEST_WAIT (xi_store_save_contact_async (store, contact, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_contact_finish (store, result_, &error));
  g_assert_no_error (error);
  g_assert_nonnull (saved);
  return saved;
}

static void
computer_sync (XiSyncTestComputer *computer,
               guint               pushed)
{
  g_autoptr(GError) error = NULL;
  XiSyncStats stats;
  gboolean ok = FALSE;

  XI_TEST_WAIT (xi_sync_engine_run_once_async (computer->engine, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_sync_engine_run_once_finish (computer->engine, result_, &stats, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (stats.pushed, ==, pushed);
}

/* The steps */

static void
configure_project (Test *t)
{
  GtkWidget *window;
  GtkWidget *page;
  XiSyncAccount *account = xi_context_get_sync_account (context (t));

  g_action_group_activate_action (G_ACTION_GROUP (t->app), "preferences", NULL);
  window = GTK_WIDGET (xi_ui_find_window (XI_TYPE_PREFERENCES_WINDOW));
  g_assert_nonnull (window);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (window), "account");
  page = xi_ui_find_widget (window, XI_TYPE_SYNC_PREFERENCES_PAGE);
  g_assert_nonnull (page);

  /* Nobody can sign in before a project is set. */
  g_assert_false (gtk_widget_is_sensitive (xi_ui_find_button (page, "Sign _In…")));

  /* A malformed URL is refused, saying what to enter. */
  type_into (xi_ui_find_widget (page, ADW_TYPE_ENTRY_ROW), "my project");
  type_into (xi_ui_find_widget (page, ADW_TYPE_PASSWORD_ENTRY_ROW), fs_rig_get_anon_key (rig));
  click (page, "_Save Project");
  g_assert_nonnull (find_label (page, "Enter the project URL"));
  g_assert_null (xi_sync_account_get_project_url (account));
  xi_ui_spin (200);
  xi_ui_screenshot (window, "ui-sync-preferences-bad-url");

  type_into (xi_ui_find_widget (page, ADW_TYPE_ENTRY_ROW), fs_rig_get_url (rig));
  click (page, "_Save Project");
  g_assert_cmpstr (xi_sync_account_get_project_url (account), ==, fs_rig_get_url (rig));
  g_assert_true (gtk_widget_is_sensitive (xi_ui_find_button (page, "Sign _In…")));
  xi_ui_spin (200);
  xi_ui_screenshot (window, "ui-sync-preferences");
}

static gboolean
confirmation_asked (gpointer data)
{
  GtkWidget *dialog = GTK_WIDGET (xi_ui_find_window (XI_TYPE_SIGN_IN_DIALOG));

  return find_label (dialog, "Check your mail: open the link sent to") != NULL;
}

static gboolean
not_confirmed_said (gpointer data)
{
  GtkWidget *dialog = GTK_WIDGET (xi_ui_find_window (XI_TYPE_SIGN_IN_DIALOG));

  return find_label (dialog, "This address is not confirmed yet") != NULL;
}

static void
sign_in (Test *t)
{
  XiContext *signed_out_context = context (t);
  g_autofree char *confirm = NULL;
  GtkWidget *dialog;

  g_action_group_activate_action (G_ACTION_GROUP (t->app), "sign-in", NULL);
  dialog = GTK_WIDGET (xi_ui_find_window (XI_TYPE_SIGN_IN_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_false (gtk_widget_is_sensitive (xi_ui_find_button (dialog, "_Sign In")));
  type_into (xi_ui_find_widget (dialog, ADW_TYPE_ENTRY_ROW), t->email);
  type_into (xi_ui_find_widget (dialog, ADW_TYPE_PASSWORD_ENTRY_ROW), XI_SYNC_TEST_PASSWORD);
  xi_ui_spin (200);
  xi_ui_screenshot (dialog, "ui-sync-sign-in");

  /* No such account yet: the server's refusal, in words. */
  click (dialog, "_Sign In");
  g_assert_true (xi_ui_wait_for (sign_in_answered, NULL, WAIT_MS));
  xi_ui_spin (200);
  xi_ui_screenshot (dialog, "ui-sync-sign-in-wrong");

  /* A new account whose address must be confirmed first: nobody is
   * signed in until then, and the dialog says what to do. */
  xi_sync_test_control (rig, "autoconfirm?on=false");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (xi_ui_find_widget (dialog, GTK_TYPE_CHECK_BUTTON)), TRUE);
  click (dialog, "C_reate");
  g_assert_true (xi_ui_wait_for (confirmation_asked, NULL, WAIT_MS));
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (xi_ui_find_widget (dialog, GTK_TYPE_CHECK_BUTTON))));
  g_assert_null (xi_sync_account_get_user_id (xi_context_get_sync_account (context (t))));
  xi_ui_spin (200);
  xi_ui_screenshot (dialog, "ui-sync-sign-in-confirm");

  /* Signing in before confirming is refused in words; after, it works. */
  click (dialog, "_Sign In");
  g_assert_true (xi_ui_wait_for (not_confirmed_said, NULL, WAIT_MS));
  confirm = g_strdup_printf ("confirm?email=%s", t->email);
  xi_sync_test_control (rig, confirm);
  xi_sync_test_control (rig, "autoconfirm?on=true");
  click (dialog, "_Sign In");
  wait_for (up_to_date, t);
  g_assert_true (context (t) != signed_out_context);
  g_assert_null (xi_ui_find_window (XI_TYPE_SIGN_IN_DIALOG));
  g_assert_null (xi_ui_find_window (XI_TYPE_PREFERENCES_WINDOW));
  g_assert_cmpstr (xi_sync_account_get_email (xi_context_get_sync_account (context (t))), ==, t->email);
  wait_for (loaded, t);
  g_assert_cmpstr (xi_sync_indicator_get_text (indicator ()), ==, "Up to date");
  xi_ui_spin (200);
  xi_ui_screenshot (GTK_WIDGET (main_window ()), "ui-sync-indicator-up-to-date");
}

/* A contact added on the second computer shows in the app's list, and
 * its customer's message in the Inbox, the indicator going through
 * syncing to up to date. */
static void
follow_second_computer (Test *t)
{
  g_autoptr(XiIncoming) incoming = NULL;
  g_autoptr(GError) error = NULL;
  XiSyncTestComputer b = { 0, };

  /* The second computer: a data folder of its own, syncing through the
   * engine directly. */
  xi_sync_test_computer_start (&b, rig, t->email, FALSE);
  g_object_unref (save_contact (b.store, "Budi", "6281400000077"));
  XI_TEST_WAIT (xi_store_record_incoming_async (b.store, "6281400000077", NULL, "3EB0UISYNC0001",
                                                "Is the shop open on Sunday?", NULL, NULL,
                                                xi_test_store_result_cb, &slot_),
                incoming = xi_store_record_incoming_finish (b.store, result_, NULL, &error));
  g_assert_no_error (error);
  computer_sync (&b, 2);

  follow_states (t);
  /* Slow replies keep the pass visible long enough to see it. */
  xi_sync_test_control (rig, "delay?ms=1500&path=/rest/v1/contacts&times=2");
  xi_sync_service_sync_now (service (t));
  wait_for (budi_shown, t);
  /* The Inbox follows too, without a restart. */
  g_assert_true (xi_ui_wait_for (budi_replied, NULL, WAIT_MS));
  wait_for (seen_syncing_then_up_to_date, t);
  g_assert_cmpuint (g_array_index (t->states, XiSyncState, 0), ==, XI_SYNC_STATE_SYNCING);
  xi_ui_screenshot (GTK_WIDGET (main_window ()), "ui-sync-contacts-from-other-computer");
  g_signal_handlers_disconnect_by_data (service (t), t);
  xi_sync_test_control (rig, "reset");
  xi_sync_test_computer_stop (&b);
}

static gboolean
syncing_shown (gpointer data)
{
  return g_str_has_prefix (xi_sync_indicator_get_text (indicator ()), "Syncing");
}

/* A change made here goes within seconds, not at the next periodic
 * pass: the store announces it, and the header counts it while it goes. */
static void
show_syncing (Test *t)
{
  g_autoptr(XiContact) saved = NULL;

  xi_sync_test_control (rig, "delay?ms=3000&path=/rest/v1/contacts&times=1");
  saved = save_contact (xi_context_get_store (context (t)), "Citra", "6281400000078");
  g_assert_true (xi_ui_wait_for (syncing_shown, NULL, 10 * 1000));
  xi_ui_spin (100);
  xi_ui_screenshot (GTK_WIDGET (main_window ()), "ui-sync-indicator-syncing");
  wait_for (up_to_date, t);
  xi_sync_test_control (rig, "reset");
}

static void
go_offline (Test *t)
{
  xi_sync_test_control (rig, "fail?status=503&retry_after=30&path=/rest/v1/&times=50");
  xi_sync_service_sync_now (service (t));
  wait_for (offline, t);
  g_assert_true (g_str_has_prefix (xi_sync_indicator_get_text (indicator ()), "Offline, retrying in"));
  xi_ui_spin (200);
  xi_ui_screenshot (GTK_WIDGET (main_window ()), "ui-sync-indicator-offline");
  xi_sync_indicator_open (indicator ());
  xi_ui_spin (300);
  xi_ui_screenshot (popover (), "ui-sync-popover-offline");
  gtk_popover_popdown (GTK_POPOVER (popover ()));
  xi_sync_test_control (rig, "reset");
  xi_sync_service_sync_now (service (t));
  wait_for (up_to_date, t);
  g_assert_cmpstr (xi_sync_indicator_get_text (indicator ()), ==, "Up to date");
}

static void
discard_refused (Test *t)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (fs_rig_sql (rig, "alter table public.contacts add constraint test_refuse"
                                  " check (name <> 'Refuse me')", &error));
  g_assert_no_error (error);
  g_object_unref (save_contact (xi_context_get_store (context (t)), "Refuse me", "6281400000079"));
  xi_sync_service_sync_now (service (t));
  wait_for (one_refused, t);
  g_assert_true (fs_rig_sql (rig, "alter table public.contacts drop constraint test_refuse", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (xi_sync_indicator_get_text (indicator ()), ==, "1 change refused");

  xi_sync_indicator_open (indicator ());
  g_assert_true (xi_ui_wait_for (refused_listed, "Contact “Refuse me”", WAIT_MS));
  xi_ui_spin (300);
  xi_ui_screenshot (popover (), "ui-sync-refused");

  g_signal_emit_by_name (find_tooltip (popover (), "Discard, Keeping the Server’s Copy"), "clicked");
  wait_for (none_refused, t);
  g_assert_cmpstr (xi_sync_indicator_get_text (indicator ()), ==, "Up to date");
  g_assert_null (xi_ui_find_widget (popover (), ADW_TYPE_ACTION_ROW));
  gtk_popover_popdown (GTK_POPOVER (popover ()));

  /* A template is named too, as the Templates page shows it. */
  {
    g_autoptr(XiTemplate) template_ = xi_template_new ("Refuse me");
    g_autoptr(XiTemplate) saved = NULL;
    const char *variants[] = { "Halo {name}", NULL };

    g_assert_true (fs_rig_sql (rig, "alter table public.templates add constraint test_refuse"
                                    " check (name <> 'Refuse me')", &error));
    g_assert_no_error (error);
    xi_template_set_variants (template_, variants);
    xi_templates_facade_save_async (xi_context_get_templates_facade (context (t)), template_, NULL,
                                    template_saved_cb, &saved);
    g_assert_true (xi_ui_wait_for (template_saved, &saved, WAIT_MS));
    xi_sync_service_sync_now (service (t));
    wait_for (one_refused, t);
    g_assert_true (fs_rig_sql (rig, "alter table public.templates drop constraint test_refuse", &error));
    g_assert_no_error (error);
    xi_sync_indicator_open (indicator ());
    g_assert_true (xi_ui_wait_for (refused_listed, "Template “Refuse me”", WAIT_MS));
    g_signal_emit_by_name (find_tooltip (popover (), "Discard, Keeping the Server’s Copy"), "clicked");
    wait_for (none_refused, t);
    gtk_popover_popdown (GTK_POPOVER (popover ()));
  }
}

static void
sign_out_keeping_the_copy (Test *t)
{
  XiSyncAccount *account = xi_context_get_sync_account (context (t));
  g_autofree char *folder = xi_sync_account_dup_store_dir (account, NULL);
  g_autofree char *database = g_build_filename (folder, "xender-in.db", NULL);
  AdwMessageDialog *dialog;

  g_action_group_activate_action (G_ACTION_GROUP (t->app), "sign-out", NULL);
  dialog = ADW_MESSAGE_DIALOG (xi_ui_find_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "keep");
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (dialog), "ui-sync-sign-out");
  adw_message_dialog_response (dialog, "keep");
  wait_for (signed_out, t);

  /* The signed-out profile, as it was: nothing of the account in it. */
  g_assert_null (find_contact (xi_context_get_contacts (context (t)), "Budi"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (indicator ())));
  g_assert_true (g_file_test (database, G_FILE_TEST_EXISTS));
}

static gboolean
sending (gpointer data)
{
  XiJob *job = data;

  return xi_job_get_state (job) == XI_JOB_STATE_PROCESSING;
}

static gboolean
paused (gpointer data)
{
  XiJob *job = data;

  return xi_job_get_state (job) == XI_JOB_STATE_PAUSED;
}

static void
paused_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(XiJob) job = xi_campaign_runner_command_finish (XI_CAMPAIGN_RUNNER (object), result, NULL);
}

/* While a campaign sends (a rehearsal, a minute between its two
 * messages) the profile cannot change: the user is told to pause it. */
static void
refuse_while_sending (Test *t)
{
  g_autoptr(XiContact) eko = save_contact (xi_context_get_store (context (t)), "Eko", "6281400000071");
  g_autoptr(XiContact) fajar = save_contact (xi_context_get_store (context (t)), "Fajar", "6281400000072");
  g_autoptr(XiTemplate) template_ = xi_template_new ("Salam");
  g_autoptr(XiTemplate) saved = NULL;
  g_autoptr(XiJobSpec) spec = xi_job_spec_new ();
  g_autoptr(XiJob) created = NULL;
  g_autoptr(GError) error = NULL;
  const char *variants[] = { "Halo {name}!", NULL };
  const char *ids[] = { xi_contact_get_id (eko), xi_contact_get_id (fajar), NULL };
  AdwMessageDialog *dialog;
  XiJob *job;

  xi_template_set_variants (template_, variants);
  XI_TEST_WAIT (xi_store_save_template_async (xi_context_get_store (context (t)), template_, NULL,
                                              xi_test_store_result_cb, &slot_),
                saved = xi_store_save_template_finish (xi_context_get_store (context (t)), result_, &error));
  g_assert_no_error (error);
  spec->template_id = g_strdup (xi_template_get_id (saved));
  spec->contact_ids = g_strdupv ((char **) ids);
  spec->delay_min_ms = spec->delay_max_ms = 60 * 1000;
  spec->transport = g_strdup (XI_JOB_TRANSPORT_LOOPBACK);
  spec->start = TRUE;
  XI_TEST_WAIT (xi_store_create_job_async (xi_context_get_store (context (t)), spec, NULL,
                                           xi_test_store_result_cb, &slot_),
                created = xi_store_create_job_finish (xi_context_get_store (context (t)), result_, &error));
  g_assert_no_error (error);
  job = xi_ui_wait_for_item (XI_FACADE (xi_context_get_campaigns (context (t))),
                             xi_job_get_id (created));
  xi_campaign_runner_wake (xi_context_get_runner (context (t)));
  g_assert_true (xi_ui_wait_for (sending, job, WAIT_MS));

  g_action_group_activate_action (G_ACTION_GROUP (t->app), "sign-in", NULL);
  g_assert_null (xi_ui_find_window (XI_TYPE_SIGN_IN_DIALOG));
  dialog = ADW_MESSAGE_DIALOG (xi_ui_find_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Cannot Sign In Now");
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (dialog), "ui-sync-refused-while-sending");
  adw_message_dialog_response (dialog, "close");
  xi_ui_spin (100);

  xi_campaign_runner_command_async (xi_context_get_runner (context (t)), xi_job_get_id (job),
                                    XI_JOB_COMMAND_PAUSE, NULL, paused_cb, NULL);
  g_assert_true (xi_ui_wait_for (paused, job, WAIT_MS));
}

static gboolean
dialog_closed (gpointer data)
{
  return xi_ui_find_window (XI_TYPE_SIGN_IN_DIALOG) == NULL;
}

static gboolean
folder_gone (gpointer data)
{
  return !g_file_test (data, G_FILE_TEST_EXISTS);
}

/* From the keyboard: Escape closes the dialog, Enter in the password
 * signs in (the dialog's default widget), and the account's copy kept
 * at sign-out is there again. Then signing out deleting the copy. */
static void
sign_in_again_and_delete_the_copy (Test *t)
{
  GtkWidget *dialog;
  AdwMessageDialog *question;
  g_autofree char *folder = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (t->app), "sign-in", NULL);
  dialog = GTK_WIDGET (xi_ui_find_window (XI_TYPE_SIGN_IN_DIALOG));
  xi_ui_spin (200);
  if (!xi_ui_send_keys (GTK_WINDOW (dialog), "key", "Escape"))
    {
      g_test_message ("no xdotool: keys not sent");
      gtk_window_close (GTK_WINDOW (dialog));
    }
  g_assert_true (xi_ui_wait_for (dialog_closed, NULL, WAIT_MS));

  g_action_group_activate_action (G_ACTION_GROUP (t->app), "sign-in", NULL);
  dialog = GTK_WIDGET (xi_ui_find_window (XI_TYPE_SIGN_IN_DIALOG));
  type_into (xi_ui_find_widget (dialog, ADW_TYPE_ENTRY_ROW), t->email);
  type_into (xi_ui_find_widget (dialog, ADW_TYPE_PASSWORD_ENTRY_ROW), XI_SYNC_TEST_PASSWORD);
  gtk_widget_grab_focus (xi_ui_find_widget (dialog, ADW_TYPE_PASSWORD_ENTRY_ROW));
  xi_ui_spin (200);
  if (!xi_ui_send_keys (GTK_WINDOW (dialog), "key", "Return"))
    click (dialog, "_Sign In");
  wait_for (up_to_date, t);
  wait_for (loaded, t);
  g_assert_nonnull (find_contact (xi_context_get_contacts (context (t)), "Budi"));

  folder = xi_sync_account_dup_store_dir (xi_context_get_sync_account (context (t)), NULL);
  g_action_group_activate_action (G_ACTION_GROUP (t->app), "sign-out", NULL);
  question = ADW_MESSAGE_DIALOG (xi_ui_find_window (ADW_TYPE_MESSAGE_DIALOG));
  adw_message_dialog_response (question, "delete");
  wait_for (signed_out, t);
  g_assert_true (xi_ui_wait_for (folder_gone, folder, WAIT_MS));
  g_assert_nonnull (find_contact (xi_context_get_contacts (context (t)), "Only here"));
}

static gboolean
run_scenario_cb (gpointer user_data)
{
  Test *t = user_data;

  wait_for (loaded, t);
  g_object_unref (save_contact (xi_context_get_store (context (t)), "Only here", "6281400000070"));
  configure_project (t);
  refuse_while_sending (t);
  sign_in (t);
  g_assert_null (find_contact (xi_context_get_contacts (context (t)), "Only here"));
  follow_second_computer (t);
  show_syncing (t);
  go_offline (t);
  discard_refused (t);
  sign_out_keeping_the_copy (t);
  sign_in_again_and_delete_the_copy (t);
  g_application_quit (G_APPLICATION (t->app));
  return G_SOURCE_REMOVE;
}

static void
activated_cb (GApplication *app,
              Test         *t)
{
  g_idle_add (run_scenario_cb, t);
}

static void
test_account_and_sync (void)
{
  Test t = { 0, };
  char *args[4];

  t.dir = xi_test_make_tmpdir ();
  t.email = g_strdup_printf ("ui-%08x@example.com", g_random_int ());
  t.states = g_array_new (FALSE, FALSE, sizeof (XiSyncState));
  t.app = xi_application_new ();
  g_application_set_flags (G_APPLICATION (t.app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (t.app, "activate", G_CALLBACK (activated_cb), &t);

  args[0] = (char *) "xender-in";
  args[1] = (char *) "--data-dir";
  args[2] = t.dir;
  args[3] = NULL;
  g_assert_cmpint (g_application_run (G_APPLICATION (t.app), 3, args), ==, 0);

  /* Quitting leaves the windows, which hold the application. */
  while (g_list_model_get_n_items (gtk_window_get_toplevels ()) > 0)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (gtk_window_get_toplevels (), 0);

      gtk_window_destroy (window);
    }
  xi_ui_spin (100);
  g_assert_finalize_object (g_steal_pointer (&t.app));
  g_array_unref (t.states);
  xi_test_rm_rf (t.dir);
  g_free (t.dir);
  g_free (t.email);
}

static void
loaded_cb (XiContext *context,
           GError    *error,
           guint     *loads)
{
  (*loads)++;
}

static void
listing_cb (XiContactList *list,
            GParamSpec    *pspec,
            guint         *listings)
{
  if (xi_contact_list_get_loading (list))
    (*listings)++;
}

/* Pages pulled one after another no longer reload the shared models:
 * the contacts' list asks the store for keys again, one listing at a
 * time however many pages arrive meanwhile, and nothing is read whole. */
static void
test_follow_reads_keys (XiUiFixture   *f,
                        gconstpointer  data)
{
  const char *ids[] = { "00000000-0000-4000-8000-000000000001", NULL };
  GListModel *contacts = xi_context_get_contacts (f->context);
  guint loads = 0;
  guint listings = 0;

  g_signal_connect (f->context, "loaded", G_CALLBACK (loaded_cb), &loads);
  g_signal_connect (contacts, "notify::loading", G_CALLBACK (listing_cb), &listings);
  for (guint i = 0; i < 20; i++)
    g_signal_emit_by_name (f->store, "changed", "contacts", ids);
  xi_ui_spin (500);
  g_assert_cmpuint (loads, ==, 0);
  /* One listing ran while the rest were announced: one more followed. */
  g_assert_cmpuint (listings, >=, 1);
  g_assert_cmpuint (listings, <=, 2);
  g_assert_false (xi_contact_list_get_loading (XI_CONTACT_LIST (contacts)));
  g_signal_handlers_disconnect_by_data (f->context, &loads);
  g_signal_handlers_disconnect_by_data (contacts, &listings);
}

int
main (int   argc,
      char *argv[])
{
  int status = xi_ui_init (&argc, &argv);

  if (status != 0)
    return status;
  /* GtkText's blink timer warns when the entry it blinks in turns
   * insensitive (the sign-in dialog while it waits) and Xvfb gives no
   * window manager to move the focus. */
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);
  g_test_add_func ("/ui-sync/account-and-sync", test_account_and_sync);
  g_test_add ("/ui-sync/follow-reads-keys", XiUiFixture, NULL, xi_ui_fixture_setup, test_follow_reads_keys,
              xi_ui_fixture_teardown);
  return xi_sync_test_run (&rig);
}
