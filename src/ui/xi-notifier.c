/* xi-notifier.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-notifier"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-incoming.h"
#include "xi-notifier.h"
#include "xi-phone.h"

/* Desktop notifications for what happens while the user looks elsewhere:
 * a customer's reply or opt-out, the WhatsApp link lost, and WhatsApp's
 * temporary restrictions. Each has buttons for what the user does next;
 * the actions are the application's. With the window in front, its own
 * pages and header say all of this, so nothing is sent. Lives on the
 * main thread, like the runner and connection it watches. */
struct _XiNotifier
{
  GObject             parent_instance;

  GtkApplication     *application; /* not owned: it owns this */
  XiCampaignRunner   *runner;
  XiConnection       *connection;
  XiConnectionStatus  last_status;
  gint64              last_paused_until;
};

G_DEFINE_FINAL_TYPE (XiNotifier, xi_notifier, G_TYPE_OBJECT)

/* Longer previews are cut, at a character boundary. */
#define PREVIEW_CHARS 120

/* Auxiliary methods */

static gboolean
window_in_front (XiNotifier *self)
{
  GtkWindow *window = gtk_application_get_active_window (self->application);

  return window != NULL && gtk_window_is_active (window);
}

static void
send (XiNotifier    *self,
      const char    *id,
      GNotification *notification)
{
  if (!window_in_front (self))
    g_application_send_notification (G_APPLICATION (self->application), id, notification);
}

/* A time today as its hour, another day with its date. */
static char *
format_until (gint64 unix_seconds)
{
  g_autoptr(GDateTime) end = g_date_time_new_from_unix_local (unix_seconds);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (g_date_time_get_year (end) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (end) == g_date_time_get_day_of_year (now))
    return g_date_time_format (end, "%H:%M");
  return g_date_time_format (end, "%x %H:%M");
}

/* Said even with the window in front: the header's one line is easy to
 * miss, and nothing goes out until the time given. The retry time is
 * monotonic; the user needs a clock time. */
static void
notify_restricted (XiNotifier *self)
{
  gint64 left = MAX (xi_connection_get_retry_at (self->connection) - g_get_monotonic_time (), 0);
  g_autofree char *when = format_until ((g_get_real_time () + left) / G_USEC_PER_SEC);
  g_autofree char *body = NULL;
  g_autoptr(GNotification) notification = NULL;

  /* Translators: %s is when the restriction ends, such as 14:30 */
  body = g_strdup_printf (_("Nothing can be sent until %s; Xender-In connects again by itself then."), when);
  notification = g_notification_new (_("WhatsApp Restricted This Account"));
  g_notification_set_body (notification, body);
  g_application_send_notification (G_APPLICATION (self->application), "restriction", notification);
}

static void
notify_lost (XiNotifier         *self,
             XiConnectionStatus  status)
{
  g_autoptr(GNotification) notification = NULL;
  const char *reason = xi_connection_get_reason (self->connection);

  switch (status)
    {
    case XI_CONNECTION_STATUS_LOGGED_OUT:
      notification = g_notification_new (_("WhatsApp Unlinked This Computer"));
      g_notification_set_body (notification, _("Sending stopped. Link again with your phone to go on."));
      g_notification_add_button (notification, _("Link Again"), "app.link-whatsapp");
      break;
    case XI_CONNECTION_STATUS_REPLACED:
    case XI_CONNECTION_STATUS_FAILED:
      notification = g_notification_new (_("WhatsApp Connection Lost"));
      g_notification_set_body (notification, reason != NULL ? reason : _("Sending stopped."));
      g_notification_add_button (notification, _("Connect Again"), "app.link-whatsapp");
      break;
    case XI_CONNECTION_STATUS_TEMPORARILY_BANNED:
      notify_restricted (self);
      return;
    default:
      return;
    }
  g_notification_set_default_action (notification, "app.link-whatsapp");
  send (self, "connection", notification);
}

/* Callbacks */

/* One notification per customer, replaced by their next message. Our
 * own messages never come through here. */
static void
incoming_cb (XiNotifier *self,
             XiIncoming *incoming)
{
  const char *phone = xi_incoming_get_phone (incoming);
  const char *name = xi_incoming_get_contact_name (incoming);
  const char *text = xi_incoming_get_text (incoming);
  const char *keyword = xi_incoming_get_opt_out_keyword (incoming);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;

  title = name != NULL && name[0] != '\0' ? g_strdup (name) : xi_phone_format_address (phone);
  notification = g_notification_new (title);
  g_notification_set_default_action_and_target (notification, "app.open-conversation", "s", phone);
  if (keyword != NULL)
    {
      /* Translators: a notification's text; %s is what the customer replied, such as STOP */
      body = g_strdup_printf (_("Replied “%s” and will be skipped by campaigns from now on."), keyword);
      g_notification_add_button_with_target (notification, _("Open"), "app.open-conversation", "s", phone);
    }
  else
    {
      if (g_utf8_strlen (text, -1) > PREVIEW_CHARS)
        {
          g_autofree char *cut = g_utf8_substring (text, 0, PREVIEW_CHARS);

          body = g_strconcat (cut, "…", NULL);
        }
      else
        body = g_strdup (text);
      g_notification_add_button_with_target (notification, _("Open Conversation"), "app.open-conversation",
                                             "s", phone);
      g_notification_add_button_with_target (notification, _("Mark Read"), "app.mark-read", "s", phone);
    }
  g_notification_set_body (notification, body);
  id = g_strconcat ("reply-", phone, NULL);
  send (self, id, notification);
}

static void
status_changed_cb (XiNotifier *self)
{
  XiConnectionStatus status = xi_connection_get_status (self->connection);

  if (status == self->last_status)
    return;
  self->last_status = status;
  if (status == XI_CONNECTION_STATUS_CONNECTED)
    {
      g_application_withdraw_notification (G_APPLICATION (self->application), "connection");
      g_application_withdraw_notification (G_APPLICATION (self->application), "restriction");
      return;
    }
  notify_lost (self, status);
}

/* WhatsApp's reach-out time-lock: replies go on, new chats wait. */
static void
paused_until_changed_cb (XiNotifier *self)
{
  gint64 until = xi_connection_get_new_chats_paused_until (self->connection);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *when = NULL;
  g_autofree char *body = NULL;

  if (until == self->last_paused_until)
    return;
  self->last_paused_until = until;
  if (until <= g_get_real_time () / G_USEC_PER_SEC)
    {
      g_application_withdraw_notification (G_APPLICATION (self->application), "restriction");
      return;
    }
  when = format_until (until);
  /* Translators: %s is when WhatsApp's restriction ends, such as 14:30 */
  body = g_strdup_printf (_("Messages to new customers wait until %s. Replies and chats with customers who "
                            "wrote first go on."), when);
  notification = g_notification_new (_("WhatsApp Paused New Chats"));
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.show-page", "s", "sending");
  /* As notify_restricted(), whatever window is in front. */
  g_application_send_notification (G_APPLICATION (self->application), "restriction", notification);
}

/* GObject overrides */

static void
xi_notifier_dispose (GObject *object)
{
  XiNotifier *self = XI_NOTIFIER (object);

  xi_notifier_set_runner (self, NULL);
  xi_notifier_set_connection (self, NULL);

  G_OBJECT_CLASS (xi_notifier_parent_class)->dispose (object);
}

static void
xi_notifier_class_init (XiNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xi_notifier_dispose;
}

static void
xi_notifier_init (XiNotifier *self)
{
  self->last_status = XI_CONNECTION_STATUS_STARTING;
}

/* Public API */

/**
 * xi_notifier_new:
 * @application: the application that sends the notifications and owns
 *   their actions; it must outlive the notifier
 *
 * Returns: (transfer full): a notifier watching nothing yet
 */
XiNotifier *
xi_notifier_new (GtkApplication *application)
{
  XiNotifier *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);

  self = g_object_new (XI_TYPE_NOTIFIER, NULL);
  self->application = application;
  return self;
}

/**
 * xi_notifier_set_runner:
 * @runner: (nullable): the engine whose customers' messages are told
 */
void
xi_notifier_set_runner (XiNotifier       *self,
                        XiCampaignRunner *runner)
{
  g_return_if_fail (XI_IS_NOTIFIER (self));

  if (self->runner != NULL)
    g_signal_handlers_disconnect_by_data (self->runner, self);
  g_set_object (&self->runner, runner);
  if (runner != NULL)
    g_signal_connect_swapped (runner, "incoming", G_CALLBACK (incoming_cb), self);
}

/**
 * xi_notifier_set_connection:
 * @connection: (nullable): the WhatsApp connection whose losses and
 *   restrictions are told
 */
void
xi_notifier_set_connection (XiNotifier   *self,
                            XiConnection *connection)
{
  g_return_if_fail (XI_IS_NOTIFIER (self));

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_set_object (&self->connection, connection);
  if (connection == NULL)
    return;
  self->last_status = xi_connection_get_status (connection);
  self->last_paused_until = xi_connection_get_new_chats_paused_until (connection);
  g_signal_connect_swapped (connection, "notify::status", G_CALLBACK (status_changed_cb), self);
  g_signal_connect_swapped (connection, "notify::new-chats-paused-until", G_CALLBACK (paused_until_changed_cb),
                            self);
}
