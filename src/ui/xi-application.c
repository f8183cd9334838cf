/* xi-application.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-application"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "xi-application.h"
#include "xi-autostart.h"
#include "xi-connection.h"
#include "xi-dbus-service.h"
#include "xi-engine-lock.h"
#include "xi-history-page.h"
#include "xi-inbox-page.h"
#include "xi-loopback-transport.h"
#include "xi-notifier.h"
#include "xi-paths.h"
#include "xi-preferences-window.h"
#include "xi-sign-in-dialog.h"
#include "xi-sync-account.h"
#include "xi-wa-endpoint.h"
#include "xi-window.h"

struct _XiApplication
{
  AdwApplication    parent_instance;

  char             *data_dir_option;
  char             *data_dir;
  XiSyncAccount    *account;    /* NULL when sync.ini cannot be read */
  /* The profile open now: the signed-in account's folder, or the
   * signed-out one. Replaced as a whole when someone signs in or out. */
  XiStore          *store;
  XiContext        *context;
  XiSyncService    *sync_service; /* while someone is signed in */
  XiCampaignRunner *runner;     /* NULL until the store opens */
  XiConnection     *connection; /* NULL until the runner runs */
  XiEngineLock     *engine_lock; /* held while the runner runs */
  XiDbusService    *dbus_service; /* NULL without a session bus */
  XiNotifier       *notifier;
  /* Started at login: no window until the user opens one, and the app
   * stays for replies until quit from its menu. */
  gboolean          background;
  /* Set while the app holds itself because its window closed during a
   * campaign; released once nothing is sending. */
  gboolean          held_for_sending;
  GHashTable       *sending_jobs; /* ids of campaigns seen sending */
  /* The data folder a second start of the app asked for while this one
   * has another open, until the activation that follows says so. */
  char             *other_folder;
  GCancellable     *cancellable;
};

G_DEFINE_FINAL_TYPE (XiApplication, xi_application, ADW_TYPE_APPLICATION)

static const GOptionEntry options[] = {
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
  { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, NULL, N_("Keep the data in DIR instead of the default folder"), N_("DIR") },
  { "background", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Start without a window, as at login"), NULL },
  { NULL },
};

static XiWindow *
active_window (XiApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  return XI_IS_WINDOW (window) ? XI_WINDOW (window) : NULL;
}

/* Messages still to go in the campaigns being sent now. */
static guint
count_sending (XiApplication *self,
               guint         *n_campaigns)
{
  GListModel *jobs = xi_context_get_jobs (self->context);
  guint remaining = 0;

  *n_campaigns = 0;
  /* While another process holds the engine, its campaigns are "processing"
   * too, but closing or quitting this app does not stop them. */
  if (self->runner == NULL)
    return 0;
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(XiJob) job = g_list_model_get_item (jobs, i);

      if (xi_job_get_state (job) != XI_JOB_STATE_PROCESSING)
        continue;
      (*n_campaigns)++;
      remaining += xi_job_get_remaining (job);
    }
  return remaining;
}

/* From a notification the window may be closed: it opens again. */
static XiWindow *
present_window (XiApplication *self)
{
  g_application_activate (G_APPLICATION (self));
  return active_window (self);
}

static void
quit_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  XiApplication    *self)
{
  if (g_str_equal (response, "quit"))
    g_application_quit (G_APPLICATION (self));
}

/* Quitting stops sending: the campaign keeps its place and goes on at the
 * next start, but the user may have meant to close the window only. */
static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  XiApplication *self = XI_APPLICATION (user_data);
  XiWindow *window = active_window (self);
  AdwMessageDialog *dialog;
  guint n_campaigns;
  guint remaining = count_sending (self, &n_campaigns);

  if (n_campaigns == 0 || window == NULL)
    {
      g_application_quit (G_APPLICATION (self));
      return;
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (window), _("Stop Sending and Quit?"), NULL));
  adw_message_dialog_format_body (dialog,
                                  /* Translators: %'u is a count such as 1,204 */
                                  g_dngettext (GETTEXT_PACKAGE,
                                               "%'u message is still to go. The campaign goes on where it "
                                               "stopped when Xender-In starts again. To keep sending, close "
                                               "the window instead.",
                                               "%'u messages are still to go. The campaign goes on where it "
                                               "stopped when Xender-In starts again. To keep sending, close "
                                               "the window instead.",
                                               remaining),
                                  remaining);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "quit", _("_Quit"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "quit", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (quit_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static char *
debug_info (void)
{
  return g_strdup_printf ("Xender-In %s\nGTK %u.%u.%u\nlibadwaita %u.%u.%u\nGLib %u.%u.%u\nSQLite %s\n",
                          PACKAGE_VERSION,
                          gtk_get_major_version (), gtk_get_minor_version (), gtk_get_micro_version (),
                          adw_get_major_version (), adw_get_minor_version (), adw_get_micro_version (),
                          glib_major_version, glib_minor_version, glib_micro_version,
                          sqlite3_libversion ());
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  XiApplication *self = user_data;
  static const char *developers[] = { "The Xender-In Authors", NULL };
  g_autofree char *info = debug_info ();
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-name", "Xender-In",
                        "application-icon", APP_ID,
                        "developer-name", "The Xender-In Authors",
                        "version", PACKAGE_VERSION,
                        "website", "https://github.com/xenderin/xender-in",
                        "issue-url", "https://github.com/xenderin/xender-in/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        "translator-credits", _("translator-credits"),
                        "debug-info", info,
                        "comments", _("Send WhatsApp messages to your customers and handle their replies."),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  XiApplication *self = user_data;
  GtkWidget *window = xi_preferences_window_new (self->context);

  gtk_window_set_transient_for (GTK_WINDOW (window),
                                gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_present (GTK_WINDOW (window));
}

static void
show_page_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  xi_window_show_page (present_window (user_data), g_variant_get_string (parameter, NULL));
}

/* A notification's click: the History page at that campaign's report. */
static void
open_report_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  XiWindow *window = present_window (user_data);

  xi_window_show_page (window, "history");
  xi_history_page_select_job (XI_HISTORY_PAGE (xi_window_get_page (window, "history")),
                              g_variant_get_string (parameter, NULL));
}

/* A notification's click: the Inbox at that customer's messages. */
static void
open_conversation_action (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  xi_window_show_conversation (present_window (user_data), g_variant_get_string (parameter, NULL));
}

/* Also a notification's button, when the window may be closed. */
static void
link_whatsapp_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  gtk_widget_activate_action (GTK_WIDGET (present_window (user_data)), "win.link-whatsapp", NULL);
}

static void
marked_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!xi_inbox_facade_mark_read_finish (XI_INBOX_FACADE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not mark a conversation read: %s", error->message);
}

/* A notification's Mark Read: that customer's messages, without opening
 * the window. Every window's Inbox shows the facade's conversations. */
static void
mark_read_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  XiApplication *self = XI_APPLICATION (user_data);

  xi_inbox_facade_mark_read_async (xi_context_get_inbox_facade (self->context),
                                   g_variant_get_string (parameter, NULL), self->cancellable,
                                   marked_read_cb, NULL);
}

/* Start at login */

static void
autostart_set_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(XiApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  XiWindow *window;

  if (xi_autostart_set_finish (result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_warning ("Could not change starting at login: %s", error->message);
  if ((window = active_window (self)) != NULL)
    xi_window_add_toast (window, adw_toast_new (error->message));
}

/* Also at every start while it is on: the file names this binary, which
 * an update or a move may have changed. */
static void
apply_autostart (XiApplication *self)
{
  GSettings *settings = xi_context_get_settings (self->context);

  xi_autostart_set_async (g_settings_get_boolean (settings, "start-at-login"), self->data_dir_option,
                          self->cancellable, autostart_set_cb, g_object_ref (self));
}

/* Replies and opt-outs */

/* The receiver reads the user's settings on the network thread: it gets
 * a copy at start and after every change. Automatic answers keep the
 * campaigns' shortest pause; customers' files up to the set size are
 * downloaded as they arrive. */
static void
apply_receiver_settings (XiApplication *self)
{
  GSettings *settings = xi_context_get_settings (self->context);
  g_auto(GStrv) keywords = g_settings_get_strv (settings, "opt-out-keywords");

  xi_campaign_runner_set_receiver_settings (self->runner, (const char * const *)keywords,
                                            g_settings_get_uint (settings, "default-delay-min") * 1000,
                                            g_settings_get_uint (settings, "auto-reply-daily-cap"));
  xi_campaign_runner_set_media_auto_download (self->runner,
                                              (guint64) g_settings_get_uint (settings, "media-auto-download-mb")
                                              * 1024 * 1024);
}

/* The window closed during a campaign: the app stays to finish it, and
 * says so where the user can get back to it or stop it. */
static void
keep_sending_in_background (XiApplication *self,
                            guint          remaining)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;

  if (!self->held_for_sending)
    {
      g_application_hold (G_APPLICATION (self));
      self->held_for_sending = TRUE;
    }

  /* Translators: a notification's title once the window is closed; %'u is a
   * count such as 1,204, written with the locale's digit grouping */
  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Still sending: %'u message left",
                                        "Still sending: %'u messages left", remaining),
                           remaining);
  notification = g_notification_new (title);
  g_notification_set_body (notification, _("Xender-In keeps sending with its window closed."));
  g_notification_set_default_action_and_target (notification, "app.show-page", "s", "sending");
  g_notification_add_button_with_target (notification, _("Open"), "app.show-page", "s", "sending");
  g_notification_add_button (notification, _("Pause"), "app.pause-sending");
  g_application_send_notification (G_APPLICATION (self), "still-sending", notification);
}

/* A campaign that finishes while the user looks elsewhere says so, once:
 * receipts keep changing a finished campaign's counts. */
static void
notify_finished (XiApplication *self,
                 XiJob         *job)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;
  g_autofree char *body = NULL;

  if (window != NULL && gtk_window_is_active (window))
    return;

  /* Translators: a notification's text: the campaign's name, then its counts */
  body = g_strdup_printf (_("%s: %'u sent, %'u failed, %'u skipped"), xi_job_get_name (job),
                          xi_job_get_sent (job), xi_job_get_failed (job), xi_job_get_skipped (job));
  notification = g_notification_new (_("Campaign Finished"));
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.open-report", "s", xi_job_get_id (job));
  g_notification_add_button_with_target (notification, _("Open Report"), "app.open-report", "s",
                                         xi_job_get_id (job));
  id = g_strconcat ("finished-", xi_job_get_id (job), NULL);
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

/* Once nothing sends, a hidden app has nothing left to do. */
static void
sending_changed_cb (XiApplication *self)
{
  guint n_campaigns;

  if (!self->held_for_sending)
    return;
  count_sending (self, &n_campaigns);
  if (n_campaigns > 0)
    return;
  g_application_withdraw_notification (G_APPLICATION (self), "still-sending");
  self->held_for_sending = FALSE;
  g_application_release (G_APPLICATION (self));
}

static void
runner_job_changed_cb (XiApplication *self,
                       XiJob         *job)
{
  const char *id = xi_job_get_id (job);

  if (xi_job_get_state (job) == XI_JOB_STATE_PROCESSING)
    g_hash_table_add (self->sending_jobs, g_strdup (id));
  else if (g_hash_table_remove (self->sending_jobs, id) && xi_job_get_state (job) == XI_JOB_STATE_COMPLETED)
    notify_finished (self, job);
  sending_changed_cb (self);
}

static gboolean
window_close_request_cb (XiApplication *self,
                         GtkWindow     *window)
{
  guint n_campaigns;
  guint remaining = count_sending (self, &n_campaigns);

  if (n_campaigns > 0)
    keep_sending_in_background (self, remaining);
  return FALSE;
}

static void
pause_sending_command_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GError) error = NULL;

  job = xi_campaign_runner_command_finish (XI_CAMPAIGN_RUNNER (object), result, &error);
  /* It may have finished between the click and the command. */
  if (job == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Could not pause a campaign: %s", error->message);
}

/* The notification's Pause: every campaign sending now stops where it is. */
static void
pause_sending_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  XiApplication *self = XI_APPLICATION (user_data);
  GListModel *jobs = xi_context_get_jobs (self->context);

  if (self->runner == NULL)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(XiJob) job = g_list_model_get_item (jobs, i);

      if (xi_job_get_state (job) == XI_JOB_STATE_PROCESSING)
        xi_campaign_runner_command_async (self->runner, xi_job_get_id (job), XI_JOB_COMMAND_PAUSE,
                                          NULL, pause_sending_command_cb, NULL);
    }
}

static void
runner_disk_full_cb (XiApplication *self)
{
  XiWindow *window = active_window (self);
  AdwToast *toast;

  if (window == NULL)
    return;
  toast = adw_toast_new (_("The disk is full: sending stopped. Free some space, then resume the campaign."));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, 0);
  xi_window_add_toast (window, toast);
}

/* WhatsApp retires old versions every few weeks: the one announced is a
 * setting, used from the next connection on. A bad one is reported and
 * the built-in one stays. */
static void
apply_whatsapp_version (XiApplication *self)
{
  g_autofree char *version = g_settings_get_string (xi_context_get_settings (self->context), "whatsapp-version");
  g_autoptr(GError) error = NULL;

  if (self->connection != NULL && !xi_connection_set_wa_version (self->connection, version, &error))
    g_warning ("Ignoring the whatsapp-version setting: %s", error->message);
}

/* The WhatsApp client lives on the runner's network thread. It logs in
 * when a session is saved; without one it waits for the Link dialog. */
static void
start_connection (XiApplication *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  guint8 root_key[WA_KEY_LEN];

  if (!wa_crypto_init (&error) || !xi_wa_endpoint_read (&url, root_key, &error))
    {
      g_warning ("WhatsApp is not available: %s", error->message);
      return;
    }
  self->connection = xi_connection_new (self->store, xi_campaign_runner_get_network_context (self->runner),
                                        url, root_key);
  xi_connection_set_runner (self->connection, self->runner);
  apply_whatsapp_version (self);
  g_signal_connect_object (xi_context_get_settings (self->context), "changed::whatsapp-version",
                           G_CALLBACK (apply_whatsapp_version), self, G_CONNECT_SWAPPED);
  xi_connection_start (self->connection);
  xi_context_set_connection (self->context, self->connection);
  xi_notifier_set_connection (self->notifier, self->connection);
  if (self->dbus_service != NULL)
    xi_dbus_service_set_connection (self->dbus_service, self->connection);
}

/* Rehearsals go to the loopback transport, which records each message in
 * a journal; campaigns for people go through the linked account, whose
 * transport the connection hands to the runner. */
static void
start_runner (XiApplication *self)
{
  g_autoptr(GError) error = NULL;
  char *journal = g_build_filename (self->data_dir, "loopback-journal.tsv", NULL);

  self->runner = xi_campaign_runner_new (self->store, xi_loopback_transport_factory, journal, g_free);
  apply_receiver_settings (self);
  if (!xi_campaign_runner_start (self->runner, &error))
    {
      /* The pages still work; only sending does not. */
      g_warning ("Could not start the campaign engine: %s", error->message);
      g_clear_object (&self->runner);
      return;
    }
  xi_context_set_runner (self->context, self->runner);
  if (self->dbus_service != NULL)
    xi_dbus_service_set_runner (self->dbus_service, self->runner);
  xi_notifier_set_runner (self->notifier, self->runner);
  g_signal_connect_object (self->runner, "disk-full", G_CALLBACK (runner_disk_full_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->runner, "job-changed", G_CALLBACK (runner_job_changed_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (self->runner, "idle", G_CALLBACK (sending_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (xi_context_get_settings (self->context), "changed::opt-out-keywords",
                           G_CALLBACK (apply_receiver_settings), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (xi_context_get_settings (self->context), "changed::default-delay-min",
                           G_CALLBACK (apply_receiver_settings), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (xi_context_get_settings (self->context), "changed::auto-reply-daily-cap",
                           G_CALLBACK (apply_receiver_settings), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (xi_context_get_settings (self->context), "changed::media-auto-download-mb",
                           G_CALLBACK (apply_receiver_settings), self, G_CONNECT_SWAPPED);
  start_connection (self);
}

/* Says who sends instead, in the window's banner. */
static char *
engine_elsewhere_sentence (XiEngineLock *lock)
{
  int pid = (int)xi_engine_lock_get_holder_pid (lock);

  switch (xi_engine_lock_get_holder_kind (lock))
    {
    case XI_ENGINE_LOCK_KIND_CLI:
      return g_strdup_printf (_("Campaigns are being sent by xender-in-cli (pid %d) from this data "
                                "folder. Sending here starts by itself once it stops."), pid);
    case XI_ENGINE_LOCK_KIND_APP:
      return g_strdup_printf (_("Xender-In is already open and sending from this data folder "
                                "(pid %d). Use that window, or close it to send from here."), pid);
    case XI_ENGINE_LOCK_KIND_UNKNOWN:
    default:
      return g_strdup (_("Another Xender-In is sending from this data folder. Sending here starts "
                         "by itself once it stops."));
    }
}

static void
engine_lock_acquired_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(XiApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!xi_engine_lock_wait_finish (XI_ENGINE_LOCK (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not start the campaign engine: %s", error->message);
      return;
    }

  xi_context_set_engine_elsewhere (self->context, NULL);
  start_runner (self);
  /* The other process moved campaigns on meanwhile. */
  xi_context_reload_async (self->context, NULL, NULL, NULL);
}

/* One engine per data folder: while xender-in-cli (or another copy of
 * the app) sends from it, the pages still work, state changes go
 * straight to the store, and the engine starts here once it stops. */
static void
lock_engine (XiApplication *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sentence = NULL;

  self->engine_lock = xi_engine_lock_new (self->data_dir, XI_ENGINE_LOCK_KIND_APP);
  if (xi_engine_lock_try_acquire (self->engine_lock, &error))
    {
      start_runner (self);
      return;
    }
  if (!g_error_matches (error, XI_ENGINE_LOCK_ERROR, XI_ENGINE_LOCK_ERROR_BUSY))
    {
      g_warning ("Could not start the campaign engine: %s", error->message);
      return;
    }

  sentence = engine_elsewhere_sentence (self->engine_lock);
  xi_context_set_engine_elsewhere (self->context, sentence);
  xi_engine_lock_wait_async (self->engine_lock, self->cancellable, engine_lock_acquired_cb,
                             g_object_ref (self));
}

/* Accounts and sync */

/* The signed-in account's data syncs on a thread of its own, from the
 * moment its store is open until it closes. */
static void
start_sync (XiApplication *self)
{
  if (self->account == NULL || xi_sync_account_get_user_id (self->account) == NULL)
    return;
  self->sync_service = xi_sync_service_new (self->store, xi_sync_account_get_project_url (self->account),
                                            xi_sync_account_get_anon_key (self->account));
  xi_sync_service_start (self->sync_service);
  xi_context_set_sync_service (self->context, self->sync_service);
}

static void
stop_sync (XiApplication *self)
{
  if (self->sync_service == NULL)
    return;
  xi_sync_service_stop (self->sync_service);
  xi_context_set_sync_service (self->context, NULL);
  g_clear_object (&self->sync_service);
}

static void
store_opened_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(XiApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  XiWindow *window = active_window (self);
  gboolean opened = xi_store_open_finish (XI_STORE (object), result, &error);

  /* Someone signed in or out while it opened: that profile is gone. */
  if (XI_STORE (object) != self->store)
    return;
  if (!opened)
    {
      if (window != NULL)
        xi_window_show_fatal_error (window, _("Xender-In cannot open its data"), error->message);
      return;
    }

  lock_engine (self);
  start_sync (self);
  xi_context_reload_async (self->context, NULL, NULL, NULL);
}

/* Scripts and xender-in-cli reach the engine this process holds through
 * io.github.xenderin.XenderIn1 at the application's object path on the
 * session bus, where GApplication already owns the application id. */
static void
export_dbus_service (XiApplication *self)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (self));
  g_autoptr(GError) error = NULL;

  if (bus == NULL)
    return;
  self->dbus_service = xi_dbus_service_new (self->store);
  if (!xi_dbus_service_export (self->dbus_service, bus,
                               g_application_get_dbus_object_path (G_APPLICATION (self)), &error))
    {
      g_warning ("Could not offer the campaign engine on D-Bus: %s", error->message);
      g_clear_object (&self->dbus_service);
    }
}

/* Opens the profile sync.ini names: the signed-in account's folder, or
 * the signed-out one, as xender-in-cli does, so the two never mix. */
static void
open_profile (XiApplication *self)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GError) error = NULL;
  g_autofree char *store_dir = NULL;
  g_autofree char *path = NULL;

  if (self->data_dir != NULL)
    store_dir = self->account != NULL ? xi_sync_account_dup_store_dir (self->account, &error)
                                      : g_strdup (self->data_dir);
  path = xi_paths_dup_store_path (store_dir != NULL ? store_dir : g_get_tmp_dir ());
  self->store = xi_store_new (path);
  if (self->account != NULL && xi_sync_account_get_master_id (self->account) != NULL)
    xi_store_set_master_user_id (self->store, xi_sync_account_get_master_id (self->account));
  self->context = xi_context_new (self->store, settings);
  if (self->account != NULL)
    xi_context_set_sync_account (self->context, self->account);
  g_signal_connect_object (settings, "changed::start-at-login", G_CALLBACK (apply_autostart), self,
                           G_CONNECT_SWAPPED);

  export_dbus_service (self);

  if (store_dir == NULL)
    {
      if (error != NULL)
        g_warning ("%s", error->message);
      return;
    }
  xi_store_open_async (self->store, NULL, store_opened_cb, g_object_ref (self));
}

/* Stops everything that uses the profile's store, in order, then closes
 * it: on quit, and before another profile opens. */
static void
close_profile (XiApplication *self)
{
  g_cancellable_cancel (self->cancellable);
  g_set_object (&self->cancellable, g_cancellable_new ());
  g_signal_handlers_disconnect_by_data (xi_context_get_settings (self->context), self);
  /* Nobody may command an engine that is stopping. */
  if (self->dbus_service != NULL)
    xi_dbus_service_unexport (self->dbus_service);
  /* Sync goes first: its pass in flight is cancelled and its ops go back
   * to the queue. The WhatsApp client lives on the network thread: it
   * goes next, while that thread still runs. The engine writes campaign
   * progress through the store: stop it next, then queued writes reach
   * the disk before the store closes. */
  stop_sync (self);
  xi_notifier_set_connection (self->notifier, NULL);
  xi_notifier_set_runner (self->notifier, NULL);
  if (self->connection != NULL)
    xi_connection_stop (self->connection);
  if (self->runner != NULL)
    xi_campaign_runner_stop (self->runner);
  xi_store_close (self->store);
  /* Only once the engine's last write is on disk. */
  if (self->engine_lock != NULL)
    xi_engine_lock_release (self->engine_lock);

  g_clear_object (&self->dbus_service);
  g_clear_object (&self->connection);
  g_clear_object (&self->runner);
  g_clear_object (&self->engine_lock);
  g_clear_object (&self->context);
  g_clear_object (&self->store);
  g_hash_table_remove_all (self->sending_jobs);
}

static GtkWindow *
make_window (XiApplication *self)
{
  GtkWindow *window = GTK_WINDOW (xi_window_new (self, self->context));

  g_signal_connect_object (window, "close-request", G_CALLBACK (window_close_request_cb), self,
                           G_CONNECT_SWAPPED);
  return window;
}

/* The windows show the old profile's models: a new main window takes
 * their place, and dialogs and Preferences close. */
static void
replace_windows (XiApplication *self)
{
  GList *windows = g_list_copy_deep (gtk_application_get_windows (GTK_APPLICATION (self)),
                                     (GCopyFunc) g_object_ref, NULL);

  if (windows != NULL)
    gtk_window_present (make_window (self));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free_full (windows, g_object_unref);
}

static void
switch_profile (XiApplication *self)
{
  close_profile (self);
  open_profile (self);
  replace_windows (self);
}

/* Switching profiles stops the campaign engine: while it sends, the
 * user pauses first, and the campaign waits in its own profile. */
static gboolean
refuse_while_sending (XiApplication *self,
                      const char    *heading)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  AdwMessageDialog *dialog;
  guint n_campaigns;

  count_sending (self, &n_campaigns);
  if (n_campaigns == 0)
    return FALSE;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, heading, NULL));
  adw_message_dialog_set_body (dialog, _("A campaign is sending. Pause it on the Sending page "
                                         "first; it waits in this data and goes on when you "
                                         "come back to it."));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

static gboolean
switch_profile_cb (gpointer user_data)
{
  switch_profile (user_data);
  return G_SOURCE_REMOVE;
}

/* Not while the dialog emits: switching destroys every window. */
static void
sign_in_dialog_signed_in_cb (XiApplication *self)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, switch_profile_cb, g_object_ref (self), g_object_unref);
}

static void
sign_in_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  XiApplication *self = XI_APPLICATION (user_data);
  GtkWidget *dialog;

  if (self->account == NULL || refuse_while_sending (self, _("Cannot Sign In Now")))
    return;
  dialog = xi_sign_in_dialog_new (self->account);
  gtk_window_set_transient_for (GTK_WINDOW (dialog),
                                gtk_application_get_active_window (GTK_APPLICATION (self)));
  g_signal_connect_object (dialog, "signed-in", G_CALLBACK (sign_in_dialog_signed_in_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct
{
  XiApplication *self;
  char          *folder;   /* the account's copy to delete, or NULL to keep it */
} SignOut;

static void
sign_out_free (SignOut *sign_out)
{
  g_object_unref (sign_out->self);
  g_free (sign_out->folder);
  g_free (sign_out);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SignOut, sign_out_free)

static void
show_error (XiApplication *self,
            const char    *heading,
            const char    *body)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (gtk_application_get_active_window (GTK_APPLICATION (self)),
                                                       heading, body));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
folder_deleted_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(XiApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!xi_sync_account_delete_folder_finish (XI_SYNC_ACCOUNT (object), result, &error))
    show_error (self, _("The Account’s Data Was Not All Deleted"), error->message);
}

static void
signed_out_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SignOut) sign_out = user_data;
  XiApplication *self = sign_out->self;
  g_autoptr(GError) error = NULL;

  if (!xi_sync_account_sign_out_finish (XI_SYNC_ACCOUNT (object), result, &error))
    {
      show_error (self, _("Could Not Sign Out"), error->message);
      if (self->sync_service == NULL && self->store != NULL)
        start_sync (self);
      return;
    }
  switch_profile (self);
  if (sign_out->folder != NULL)
    xi_sync_account_delete_folder_async (self->account, sign_out->folder, NULL, folder_deleted_cb,
                                         g_object_ref (self));
}

static void
sign_out_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      XiApplication    *self)
{
  g_autoptr(GError) error = NULL;
  SignOut *sign_out;

  if (!g_str_equal (response, "keep") && !g_str_equal (response, "delete"))
    return;
  sign_out = g_new0 (SignOut, 1);
  sign_out->self = g_object_ref (self);
  if (g_str_equal (response, "delete") &&
      (sign_out->folder = xi_sync_account_dup_store_dir (self->account, &error)) == NULL)
    {
      sign_out_free (sign_out);
      show_error (self, _("Could Not Sign Out"), error->message);
      return;
    }
  /* The sync thread would refresh the session being ended. */
  stop_sync (self);
  xi_sync_account_sign_out_async (self->account, xi_store_get_secret_store (self->store), NULL,
                                  signed_out_cb, sign_out);
}

static void
sign_out_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  XiApplication *self = XI_APPLICATION (user_data);
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;
  guint pending;

  if (self->account == NULL || xi_sync_account_get_user_id (self->account) == NULL ||
      refuse_while_sending (self, _("Cannot Sign Out Now")))
    return;

  pending = self->sync_service != NULL ? xi_sync_service_get_pending (self->sync_service) : 0;
  if (pending > 0)
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Keep a copy of this account’s data on this computer for "
                                         "the next sign-in? %'u change has not reached the server "
                                         "yet: deleting the copy loses it.",
                                         "Keep a copy of this account’s data on this computer for "
                                         "the next sign-in? %'u changes have not reached the server "
                                         "yet: deleting the copy loses them.",
                                         pending),
                            pending);
  else
    body = g_strdup (_("Keep a copy of this account’s data on this computer for the next sign-in? "
                       "Everything is on the server either way."));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (gtk_application_get_active_window (GTK_APPLICATION (self)),
                                                       _("Sign Out?"), body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "delete", _("_Delete Copy"),
                                    "keep", _("_Keep Copy"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "keep", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "keep");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (sign_out_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static int
xi_application_handle_local_options (GApplication *app,
                                     GVariantDict *options_dict)
{
  XiApplication *self = XI_APPLICATION (app);
  const char *data_dir = NULL;

  if (g_variant_dict_contains (options_dict, "version"))
    {
      g_print ("xender-in %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options_dict, "data-dir", "^&ay", &data_dir))
    self->data_dir_option = g_strdup (data_dir);
  self->background = g_variant_dict_contains (options_dict, "background");

  return -1;
}

static void
xi_application_startup (GApplication *app)
{
  static const GActionEntry actions[] = {
    { "quit", quit_action },
    { "about", about_action },
    { "preferences", preferences_action },
    { "show-page", show_page_action, "s" },
    { "open-conversation", open_conversation_action, "s" },
    { "open-report", open_report_action, "s" },
    { "link-whatsapp", link_whatsapp_action },
    { "mark-read", mark_read_action, "s" },
    { "pause-sending", pause_sending_action },
    { "sign-in", sign_in_action },
    { "sign-out", sign_out_action },
  };
  static const char *pages[] = { "contacts", "groups", "templates", "sending", "history", "inbox", "assets" };
  XiApplication *self = XI_APPLICATION (app);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GAction) start_at_login = NULL;
  g_autoptr(GError) error = NULL;

  G_APPLICATION_CLASS (xi_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit",
                                         (const char *[]) { "<Control>q", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         (const char *[]) { "<Control>comma", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.link-whatsapp",
                                         (const char *[]) { "<Control>l", NULL });
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *detailed = g_strdup_printf ("app.show-page::%s", pages[i]);
      g_autofree char *accel = g_strdup_printf ("<Control>%u", i + 1);

      gtk_application_set_accels_for_action (GTK_APPLICATION (self), detailed,
                                             (const char *[]) { accel, NULL });
    }

  self->data_dir = xi_paths_dup_data_dir (self->data_dir_option, &error);
  self->notifier = xi_notifier_new (GTK_APPLICATION (self));
  start_at_login = g_settings_create_action (settings, "start-at-login");
  g_action_map_add_action (G_ACTION_MAP (self), start_at_login);
  if (self->data_dir == NULL)
    g_warning ("%s", error->message);
  else if ((self->account = xi_sync_account_load (self->data_dir, &error)) == NULL)
    g_warning ("Sync is off: %s", error->message);
  open_profile (self);
  if (g_settings_get_boolean (settings, "start-at-login"))
    apply_autostart (self);
}

static gboolean
same_folder (const char *a,
             const char *b)
{
  GStatBuf a_stat, b_stat;

  if (g_stat (a, &a_stat) != 0 || g_stat (b, &b_stat) != 0)
    return g_strcmp0 (a, b) == 0;
  return a_stat.st_dev == b_stat.st_dev && a_stat.st_ino == b_stat.st_ino;
}

/* One app per session: a second start only activates the first, which
 * would show its own folder's contacts and campaigns to somebody who
 * asked for another folder's, and could send from the wrong one. */
static void
say_other_folder_refused (XiApplication *self,
                          GtkWindow     *window)
{
  g_autofree char *folder = g_steal_pointer (&self->other_folder);
  g_autofree char *open = g_filename_display_name (self->data_dir);
  g_autofree char *asked = g_filename_display_name (folder);
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  body = g_strdup_printf (_("Xender-In has the data folder “%s” open, so it cannot open “%s” as well. "
                            "Quit Xender-In, then open the other folder again."),
                          open, asked);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _("Another Data Folder Is Open"), body));
  /* Named as it reads, for the window list and for tests that look for it. */
  gtk_window_set_title (GTK_WINDOW (dialog), _("Another Data Folder Is Open"));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
xi_application_activate (GApplication *app)
{
  XiApplication *self = XI_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  /* Only the first activation: opening the app later shows the window. */
  if (self->background)
    {
      self->background = FALSE;
      g_application_hold (app);
      return;
    }
  if (window == NULL)
    window = make_window (self);
  gtk_window_present (window);
  if (self->other_folder != NULL)
    say_other_folder_refused (self, window);
}

/* Every start of the app, the first or one that only activates it, says
 * which data folder it was asked for. */
static void
xi_application_add_platform_data (GApplication    *app,
                                  GVariantBuilder *builder)
{
  XiApplication *self = XI_APPLICATION (app);
  g_autofree char *folder = NULL;

  G_APPLICATION_CLASS (xi_application_parent_class)->add_platform_data (app, builder);

  folder = self->data_dir != NULL ? g_strdup (self->data_dir) : xi_paths_dup_data_dir (self->data_dir_option, NULL);
  if (folder != NULL)
    g_variant_builder_add (builder, "{sv}", "xi-data-dir", g_variant_new_bytestring (folder));
}

static void
xi_application_before_emit (GApplication *app,
                            GVariant     *platform_data)
{
  XiApplication *self = XI_APPLICATION (app);
  const char *folder = NULL;

  G_APPLICATION_CLASS (xi_application_parent_class)->before_emit (app, platform_data);

  if (self->data_dir != NULL && g_variant_lookup (platform_data, "xi-data-dir", "^&ay", &folder) &&
      !same_folder (self->data_dir, folder))
    {
      g_free (self->other_folder);
      self->other_folder = g_strdup (folder);
    }
}

static void
xi_application_shutdown (GApplication *app)
{
  XiApplication *self = XI_APPLICATION (app);

  G_APPLICATION_CLASS (xi_application_parent_class)->shutdown (app);

  close_profile (self);
}

static void
xi_application_finalize (GObject *object)
{
  XiApplication *self = (XiApplication *)object;

  g_clear_object (&self->dbus_service);
  g_clear_object (&self->account);
  g_clear_object (&self->sync_service);
  g_clear_object (&self->notifier);
  g_clear_object (&self->context);
  g_clear_object (&self->connection);
  g_clear_object (&self->runner);
  g_clear_object (&self->store);
  g_clear_object (&self->engine_lock);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->sending_jobs, g_hash_table_unref);
  g_free (self->data_dir_option);
  g_free (self->data_dir);
  g_free (self->other_folder);

  G_OBJECT_CLASS (xi_application_parent_class)->finalize (object);
}

static void
xi_application_class_init (XiApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = xi_application_finalize;
  app_class->handle_local_options = xi_application_handle_local_options;
  app_class->startup = xi_application_startup;
  app_class->activate = xi_application_activate;
  app_class->add_platform_data = xi_application_add_platform_data;
  app_class->before_emit = xi_application_before_emit;
  app_class->shutdown = xi_application_shutdown;
}

static void
xi_application_init (XiApplication *self)
{
  self->cancellable = g_cancellable_new ();
  self->sending_jobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

XiApplication *
xi_application_new (void)
{
  return g_object_new (XI_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "resource-base-path", RESOURCE_BASE,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}

XiContext *
xi_application_get_context (XiApplication *self)
{
  g_return_val_if_fail (XI_IS_APPLICATION (self), NULL);
  return self->context;
}
