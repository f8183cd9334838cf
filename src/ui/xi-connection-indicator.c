/* xi-connection-indicator.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-connection-indicator"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-connection-indicator.h"
#include "xi-format.h"
#include "xi-link-dialog.h"

/*
 * The WhatsApp connection in the header bar, on every page: an icon and a
 * few words, counting down while a reconnect is planned. Activated, it
 * opens the link dialog when no account is linked, and otherwise a
 * popover with the number, the device name, what went wrong and the
 * Unlink button. A GtkMenuButton cannot do both, hence a button and a
 * popover of our own, which this widget places (size_allocate).
 */
struct _XiConnectionIndicator
{
  GtkWidget     parent_instance;

  /* Template widgets */
  GtkWidget    *button;
  GtkImage     *icon;
  GtkLabel     *label;
  GtkPopover   *popover;
  GtkLabel     *status_label;
  AdwActionRow *phone_row;
  AdwActionRow *device_row;
  GtkLabel     *reason_label;
  GtkWidget    *retry_button;
  GtkWidget    *unlink_button;

  /* Owned */
  XiConnection *connection;
  GCancellable *cancellable;
  guint         tick_id;

  /* Borrowed: a weak pointer */
  GtkWidget    *link_dialog;
};

G_DEFINE_FINAL_TYPE (XiConnectionIndicator, xi_connection_indicator, GTK_TYPE_WIDGET)

static void update (XiConnectionIndicator *self);

/* Auxiliary methods */

static gboolean
counting_down (XiConnectionStatus status)
{
  return status == XI_CONNECTION_STATUS_RECONNECTING || status == XI_CONNECTION_STATUS_NO_NETWORK ||
         status == XI_CONNECTION_STATUS_TEMPORARILY_BANNED;
}

/* The few words in the header bar, and the icon beside them. */
static char *
dup_summary (XiConnection  *connection,
             const char   **icon,
             const char   **style)
{
  guint seconds = xi_connection_get_seconds_to_retry (connection);

  *style = NULL;
  switch (xi_connection_get_status (connection))
    {
    case XI_CONNECTION_STATUS_STARTING:
      return NULL;
    case XI_CONNECTION_STATUS_NOT_LINKED:
    case XI_CONNECTION_STATUS_LINK_EXPIRED:
      *icon = "phone-symbolic";
      return g_strdup (_("Not linked"));
    case XI_CONNECTION_STATUS_LINKING:
      *icon = "insert-link-symbolic";
      return g_strdup (_("Linking…"));
    case XI_CONNECTION_STATUS_CONNECTING:
      *icon = "network-transmit-receive-symbolic";
      return g_strdup (_("Connecting…"));
    case XI_CONNECTION_STATUS_CONNECTED:
      if (xi_connection_get_new_chats_paused_until (connection) > g_get_real_time () / G_USEC_PER_SEC)
        {
          g_autoptr(GDateTime) end = g_date_time_new_from_unix_local (xi_connection_get_new_chats_paused_until (connection));
          g_autofree char *when = g_date_time_format (end, "%H:%M");

          *icon = "dialog-warning-symbolic";
          *style = "warning";
          /* Translators: %s is a time of day; WhatsApp's reach-out time-lock */
          return g_strdup_printf (_("New chats paused until %s"), when);
        }
      *icon = "emblem-ok-symbolic";
      *style = "success";
      /* Translators: %s is the linked phone number, such as +62 812-3456-7890 */
      return g_strdup_printf (_("Connected as %s"), xi_connection_get_phone (connection));
    case XI_CONNECTION_STATUS_RECONNECTING:
      *icon = "view-refresh-symbolic";
      *style = "warning";
      if (seconds == 0)
        return g_strdup (_("Reconnecting…"));
      else
        {
          g_autofree char *wait = xi_format_short_wait (seconds);

          /* Translators: a countdown, such as "Reconnecting in 12 s" */
          return g_strdup_printf (_("Reconnecting in %s"), wait);
        }
    case XI_CONNECTION_STATUS_NO_NETWORK:
      *icon = "network-offline-symbolic";
      *style = "warning";
      return g_strdup (_("No network"));
    case XI_CONNECTION_STATUS_LOGGED_OUT:
      *icon = "dialog-warning-symbolic";
      *style = "error";
      return g_strdup (_("Unlinked from phone — link again"));
    case XI_CONNECTION_STATUS_REPLACED:
      *icon = "dialog-warning-symbolic";
      *style = "error";
      return g_strdup (_("In use on another computer"));
    case XI_CONNECTION_STATUS_FAILED:
      *icon = "dialog-error-symbolic";
      *style = "error";
      return g_strdup (_("Cannot connect"));
    case XI_CONNECTION_STATUS_BANNED:
      *icon = "dialog-error-symbolic";
      *style = "error";
      return g_strdup (_("Banned by WhatsApp"));
    case XI_CONNECTION_STATUS_TEMPORARILY_BANNED:
      {
        g_autofree char *wait = xi_format_short_wait (seconds);

        *icon = "dialog-error-symbolic";
        *style = "error";
        /* Translators: a countdown, such as "Banned by WhatsApp for 5 h" */
        return g_strdup_printf (_("Banned by WhatsApp for %s"), wait);
      }
    case XI_CONNECTION_STATUS_OUTDATED:
      *icon = "software-update-available-symbolic";
      *style = "error";
      return g_strdup (_("Update the WhatsApp version"));
    default:
      g_assert_not_reached ();
    }
}

/* A line for the popover while WhatsApp lets the account start no new
 * chat, or %NULL. */
static char *
dup_pause_notice (XiConnection *connection)
{
  gint64 until = xi_connection_get_new_chats_paused_until (connection);
  g_autoptr(GDateTime) end = NULL;
  g_autofree char *when = NULL;

  if (until <= g_get_real_time () / G_USEC_PER_SEC)
    return NULL;
  end = g_date_time_new_from_unix_local (until);
  when = g_date_time_format (end, "%c");
  /* Translators: %s is a date and time */
  return g_strdup_printf (_("WhatsApp lets this account start no new chats until %s. Campaigns wait for "
                            "that with new contacts; replies and chats with people who wrote to you go "
                            "on."), when);
}

/* The sentence at the top of the popover. */
static char *
dup_explanation (XiConnection *connection)
{
  guint seconds = xi_connection_get_seconds_to_retry (connection);

  switch (xi_connection_get_status (connection))
    {
    case XI_CONNECTION_STATUS_CONNECTED:
      return g_strdup (_("Connected to WhatsApp. Messages can be sent."));
    case XI_CONNECTION_STATUS_RECONNECTING:
      if (seconds == 0)
        return g_strdup (_("The connection to WhatsApp was lost. Connecting again…"));
      return g_strdup_printf (ngettext ("The connection to WhatsApp was lost. Connecting again in %u second.",
                                        "The connection to WhatsApp was lost. Connecting again in %u seconds.",
                                        seconds),
                              seconds);
    case XI_CONNECTION_STATUS_NO_NETWORK:
      return g_strdup (_("This computer has no network. Xender-In connects again as soon as it is back."));
    case XI_CONNECTION_STATUS_REPLACED:
      return g_strdup (_("WhatsApp was opened with this link on another computer, so this one stopped. "
                         "Connect here to take it back."));
    case XI_CONNECTION_STATUS_FAILED:
    case XI_CONNECTION_STATUS_OUTDATED:
      return g_strdup (_("Xender-In cannot connect to WhatsApp and stopped trying."));
    case XI_CONNECTION_STATUS_BANNED:
    case XI_CONNECTION_STATUS_TEMPORARILY_BANNED:
      return g_strdup (_("WhatsApp banned this account."));
    default:
      return g_strdup (_("Connecting to WhatsApp…"));
    }
}

static gboolean
tick_cb (gpointer user_data)
{
  update (user_data);
  return G_SOURCE_CONTINUE;
}

static void
update (XiConnectionIndicator *self)
{
  static const char *styles[] = { "success", "warning", "error" };
  g_autofree char *summary = NULL;
  g_autofree char *explanation = NULL;
  XiConnectionStatus status;
  const char *icon = NULL;
  const char *style = NULL;
  const char *reason;

  summary = self->connection != NULL ? dup_summary (self->connection, &icon, &style) : NULL;
  gtk_widget_set_visible (GTK_WIDGET (self), summary != NULL);
  if (summary == NULL)
    return;

  status = xi_connection_get_status (self->connection);
  gtk_image_set_from_icon_name (self->icon, icon);
  gtk_label_set_text (self->label, summary);
  /* The header bar may be too narrow for the whole of it. */
  gtk_widget_set_tooltip_text (self->button, summary);
  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    if (g_strcmp0 (style, styles[i]) == 0)
      gtk_widget_add_css_class (self->button, styles[i]);
    else
      gtk_widget_remove_css_class (self->button, styles[i]);

  explanation = dup_explanation (self->connection);
  if (status == XI_CONNECTION_STATUS_CONNECTED)
    {
      g_autofree char *notice = dup_pause_notice (self->connection);

      if (notice != NULL)
        {
          g_autofree char *both = g_strconcat (explanation, "\n\n", notice, NULL);

          g_free (explanation);
          explanation = g_steal_pointer (&both);
        }
    }
  gtk_label_set_text (self->status_label, explanation);
  adw_action_row_set_subtitle (self->phone_row, xi_connection_get_phone (self->connection));
  adw_action_row_set_subtitle (self->device_row, xi_connection_get_device_name (self->connection));
  reason = xi_connection_get_reason (self->connection);
  if (reason != NULL && status != XI_CONNECTION_STATUS_CONNECTED)
    {
      /* Translators: %s is a technical reason, in English */
      g_autofree char *detail = g_strdup_printf (_("Details: %s"), reason);

      gtk_label_set_text (self->reason_label, detail);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->reason_label),
                          reason != NULL && status != XI_CONNECTION_STATUS_CONNECTED);
  gtk_widget_set_visible (self->retry_button, counting_down (status) || status == XI_CONNECTION_STATUS_REPLACED ||
                                              status == XI_CONNECTION_STATUS_FAILED);

  /* Each second while counting down, and not a wake-up more. */
  if (counting_down (status) && xi_connection_get_seconds_to_retry (self->connection) > 0)
    {
      if (self->tick_id == 0)
        self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
    }
  else
    g_clear_handle_id (&self->tick_id, g_source_remove);
}

static void
connection_changed_cb (XiConnectionIndicator *self)
{
  update (self);

  /* Not linked any more: the popover's number and Unlink mean nothing. */
  if (!xi_connection_is_linked (self->connection))
    gtk_popover_popdown (self->popover);
}

static void
open_link_dialog (XiConnectionIndicator *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->link_dialog == NULL)
    {
      self->link_dialog = xi_link_dialog_new (self->connection);
      g_object_add_weak_pointer (G_OBJECT (self->link_dialog), (gpointer *)&self->link_dialog);
      if (GTK_IS_WINDOW (root))
        gtk_window_set_transient_for (GTK_WINDOW (self->link_dialog), GTK_WINDOW (root));
    }
  gtk_window_present (GTK_WINDOW (self->link_dialog));
}

/* Callbacks */

static void
button_clicked_cb (XiConnectionIndicator *self)
{
  xi_connection_indicator_open (self);
}

static void
retry_clicked_cb (XiConnectionIndicator *self)
{
  gtk_popover_popdown (self->popover);
  xi_connection_link (self->connection);
}

static void
unlinked_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  XiConnectionIndicator *self;
  GtkWidget *dialog;
  gboolean removed = FALSE;
  GtkRoot *root;

  if (!xi_connection_unlink_finish (XI_CONNECTION (object), result, &removed, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error == NULL && removed)
    return;

  self = user_data;
  root = gtk_widget_get_root (GTK_WIDGET (self));
  /* Offline or unanswered, the keys are gone here but the phone may still
   * list this computer, and a stale entry there looks like a link that
   * still reads the shop's chats. */
  if (error == NULL)
    dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                     _("Remove It From the Phone Too"),
                                     _("This computer's WhatsApp keys are deleted, but WhatsApp did not "
                                       "confirm that it left the phone's linked devices. On the phone, "
                                       "open WhatsApp, go to Linked devices and log out “Xender-In” if "
                                       "it is still listed."));
  else
    dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                     _("Could Not Unlink"), error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
unlink_response_cb (AdwMessageDialog      *dialog,
                    const char            *response,
                    XiConnectionIndicator *self)
{
  if (g_str_equal (response, "unlink") && self->connection != NULL)
    xi_connection_unlink_async (self->connection, self->cancellable, unlinked_cb, self);
}

static void
unlink_clicked_cb (XiConnectionIndicator *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;

  gtk_popover_popdown (self->popover);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Unlink This Computer?"), NULL));
  adw_message_dialog_format_body (dialog,
                                  _("This computer is removed from the linked devices of %s and "
                                    "its WhatsApp keys are deleted from it. Campaigns stop sending "
                                    "until you link a phone again with a new code. Contacts, "
                                    "templates and history stay."),
                                  xi_connection_get_phone (self->connection));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "unlink", _("_Unlink"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "unlink", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (unlink_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* GtkWidget: the button takes the space, the popover points at it. */

static void
xi_connection_indicator_measure (GtkWidget      *widget,
                                 GtkOrientation  orientation,
                                 int             for_size,
                                 int            *minimum,
                                 int            *natural,
                                 int            *minimum_baseline,
                                 int            *natural_baseline)
{
  XiConnectionIndicator *self = XI_CONNECTION_INDICATOR (widget);

  gtk_widget_measure (self->button, orientation, for_size, minimum, natural,
                      minimum_baseline, natural_baseline);
  /* A countdown cut to "Reconnecting i…" says nothing: the header bar's
   * title, which has a narrow form, gives way instead. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural;
}

static void
xi_connection_indicator_size_allocate (GtkWidget *widget,
                                       int        width,
                                       int        height,
                                       int        baseline)
{
  XiConnectionIndicator *self = XI_CONNECTION_INDICATOR (widget);

  gtk_widget_allocate (self->button, width, height, baseline, NULL);
  gtk_popover_present (self->popover);
}

/* GObject */

static void
xi_connection_indicator_dispose (GObject *object)
{
  XiConnectionIndicator *self = (XiConnectionIndicator *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_clear_object (&self->connection);
  if (self->link_dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->link_dialog), (gpointer *)&self->link_dialog);
  self->link_dialog = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), XI_TYPE_CONNECTION_INDICATOR);

  G_OBJECT_CLASS (xi_connection_indicator_parent_class)->dispose (object);
}

static void
xi_connection_indicator_finalize (GObject *object)
{
  XiConnectionIndicator *self = (XiConnectionIndicator *)object;

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (xi_connection_indicator_parent_class)->finalize (object);
}

static void
xi_connection_indicator_class_init (XiConnectionIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_connection_indicator_dispose;
  object_class->finalize = xi_connection_indicator_finalize;
  widget_class->measure = xi_connection_indicator_measure;
  widget_class->size_allocate = xi_connection_indicator_size_allocate;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-connection-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, XiConnectionIndicator, button);
  gtk_widget_class_bind_template_child (widget_class, XiConnectionIndicator, icon);
  gtk_widget_class_bind_template_child (widget_class, XiConnectionIndicator, label);
  gtk_widget_class_bind_template_child (widget_class, XiConnectionIndicator, popover);
  gtk_widget_class_bind_template_child (widget_class, XiConnectionIndicator, status_label);
  gtk_widget_class_bind_template_child (widget_class, XiConnectionIndicator, phone_row);
  gtk_widget_class_bind_template_child (widget_class, XiConnectionIndicator, device_row);
  gtk_widget_class_bind_template_child (widget_class, XiConnectionIndicator, reason_label);
  gtk_widget_class_bind_template_child (widget_class, XiConnectionIndicator, retry_button);
  gtk_widget_class_bind_template_child (widget_class, XiConnectionIndicator, unlink_button);
  gtk_widget_class_bind_template_callback (widget_class, button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, retry_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, unlink_clicked_cb);
  gtk_widget_class_set_css_name (widget_class, "connectionindicator");
}

static void
xi_connection_indicator_init (XiConnectionIndicator *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/* Public API */

/**
 * xi_connection_indicator_set_connection:
 * @connection: the WhatsApp connection to show
 */
void
xi_connection_indicator_set_connection (XiConnectionIndicator *self,
                                        XiConnection          *connection)
{
  g_return_if_fail (XI_IS_CONNECTION_INDICATOR (self));
  g_return_if_fail (XI_IS_CONNECTION (connection));

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_set_object (&self->connection, connection);
  g_signal_connect_swapped (connection, "notify", G_CALLBACK (connection_changed_cb), self);
  update (self);
}

/**
 * xi_connection_indicator_open:
 *
 * What activating the indicator does: the link dialog when no account is
 * linked (or it is open already), the details otherwise.
 */
void
xi_connection_indicator_open (XiConnectionIndicator *self)
{
  g_return_if_fail (XI_IS_CONNECTION_INDICATOR (self));

  if (self->connection == NULL)
    return;
  if (self->link_dialog != NULL || !xi_connection_is_linked (self->connection))
    open_link_dialog (self);
  else if (gtk_widget_get_visible (GTK_WIDGET (self)))
    gtk_popover_popup (self->popover);
}

/**
 * xi_connection_indicator_get_text:
 *
 * Returns: what the indicator says now
 */
const char *
xi_connection_indicator_get_text (XiConnectionIndicator *self)
{
  g_return_val_if_fail (XI_IS_CONNECTION_INDICATOR (self), NULL);
  return gtk_label_get_text (self->label);
}
