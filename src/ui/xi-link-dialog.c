/* xi-link-dialog.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-link-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-link-dialog.h"
#include "xi-qr-view.h"

/*
 * Links this computer to a WhatsApp account: it asks the connection to
 * start linking when shown, draws each code as the server rotates them,
 * and follows the connection's status to the end: linked (the number and
 * the name the phone lists), or a problem the user can act on (the codes
 * expired, no network, WhatsApp out of reach), each with a button that
 * tries again. Closing it before a phone scanned stops linking, so
 * nothing keeps talking to WhatsApp behind the user's back.
 */
struct _XiLinkDialog
{
  AdwWindow      parent_instance;

  /* Template widgets */
  GtkStack      *stack;
  GtkSpinner    *spinner;
  GtkLabel      *waiting_label;
  XiQrView      *qr_view;
  AdwStatusPage *problem_page;
  GtkButton     *problem_button;
  AdwStatusPage *linked_page;
  GtkWidget     *close_button;

  /* Owned */
  XiConnection  *connection;
  guint          tick_id;
};

G_DEFINE_FINAL_TYPE (XiLinkDialog, xi_link_dialog, ADW_TYPE_WINDOW)

static void update (XiLinkDialog *self);

/* Auxiliary methods */

static void
show_waiting (XiLinkDialog *self,
              const char   *text)
{
  gtk_label_set_text (self->waiting_label, text);
  gtk_stack_set_visible_child_name (self->stack, "waiting");
}

/* @description is plain text; the technical reason goes under it. */
static void
show_problem (XiLinkDialog *self,
              const char   *icon,
              const char   *title,
              const char   *description,
              const char   *button)
{
  const char *reason = xi_connection_get_reason (self->connection);
  g_autofree char *markup = g_markup_escape_text (description, -1);

  if (reason != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (reason, -1);
      /* Translators: %s is a technical reason, in English */
      g_autofree char *detail = g_strdup_printf (_("Details: %s"), escaped);
      char *both = g_strdup_printf ("%s\n\n<small>%s</small>", markup, detail);

      g_free (markup);
      markup = both;
    }
  adw_status_page_set_icon_name (self->problem_page, icon);
  adw_status_page_set_title (self->problem_page, title);
  adw_status_page_set_description (self->problem_page, markup);
  gtk_button_set_label (self->problem_button, button);
  gtk_stack_set_visible_child_name (self->stack, "problem");
}

static void
show_linked (XiLinkDialog *self)
{
  g_autofree char *phone = g_markup_escape_text (xi_connection_get_phone (self->connection), -1);
  g_autofree char *device = g_markup_escape_text (xi_connection_get_device_name (self->connection), -1);
  g_autofree char *description = NULL;

  /* Translators: the first %s is a phone number, the second the name the
   * phone shows for this computer under Linked devices */
  description = g_strdup_printf (_("Xender-In now sends WhatsApp messages as <b>%s</b>. "
                                   "Your phone lists this computer under Linked devices as “%s”."),
                                 phone, device);
  adw_status_page_set_description (self->linked_page, description);
  gtk_stack_set_visible_child_name (self->stack, "linked");
  gtk_widget_grab_focus (self->close_button);
}

static void
show_reconnecting (XiLinkDialog *self)
{
  guint seconds = xi_connection_get_seconds_to_retry (self->connection);
  g_autofree char *description = NULL;

  if (seconds > 0)
    description = g_strdup_printf (ngettext ("Xender-In tries again in %u second. If this goes on, check that "
                                             "this computer can open websites.",
                                             "Xender-In tries again in %u seconds. If this goes on, check that "
                                             "this computer can open websites.",
                                             seconds),
                                   seconds);
  else
    description = g_strdup (_("Xender-In is trying again."));
  show_problem (self, "network-error-symbolic", _("WhatsApp Cannot Be Reached"), description,
                _("_Try Again Now"));
}

static gboolean
tick_cb (gpointer user_data)
{
  update (user_data);
  return G_SOURCE_CONTINUE;
}

static void
update (XiLinkDialog *self)
{
  XiConnectionStatus status = xi_connection_get_status (self->connection);
  gboolean linked = xi_connection_is_linked (self->connection);
  const char *qr = xi_connection_get_qr (self->connection);

  switch (status)
    {
    case XI_CONNECTION_STATUS_LINKING:
      if (qr == NULL)
        {
          show_waiting (self, linked ? _("Linked. Logging in…") : _("Getting a code from WhatsApp…"));
          break;
        }
      xi_qr_view_set_text (self->qr_view, qr);
      gtk_stack_set_visible_child_name (self->stack, "code");
      break;
    case XI_CONNECTION_STATUS_LINK_EXPIRED:
      show_problem (self, "dialog-warning-symbolic", _("This Code Expired"),
                    _("Nobody scanned the code in time. Get a new one, with your phone ready to scan it."),
                    _("_Try Again"));
      break;
    case XI_CONNECTION_STATUS_CONNECTING:
      show_waiting (self, linked ? _("Linked. Logging in…") : _("Connecting to WhatsApp…"));
      break;
    case XI_CONNECTION_STATUS_CONNECTED:
      show_linked (self);
      break;
    case XI_CONNECTION_STATUS_RECONNECTING:
      show_reconnecting (self);
      break;
    case XI_CONNECTION_STATUS_NO_NETWORK:
      show_problem (self, "network-offline-symbolic", _("No Internet Connection"),
                    _("Connect this computer to the internet. Xender-In tries again by itself as soon "
                      "as it is online."),
                    _("_Try Again Now"));
      break;
    case XI_CONNECTION_STATUS_LOGGED_OUT:
      show_problem (self, "dialog-error-symbolic", _("WhatsApp Refused the Link"),
                    _("WhatsApp did not accept this computer. Try again with a new code."),
                    _("_Try Again"));
      break;
    case XI_CONNECTION_STATUS_REPLACED:
      show_problem (self, "dialog-warning-symbolic", _("In Use on Another Computer"),
                    _("WhatsApp was opened with this link on another computer, so this one stopped."),
                    _("_Connect Here"));
      break;
    case XI_CONNECTION_STATUS_FAILED:
    case XI_CONNECTION_STATUS_OUTDATED:
      show_problem (self, "dialog-error-symbolic", _("Cannot Connect to WhatsApp"),
                    _("Xender-In stopped trying. The details below say why."), _("_Try Again"));
      break;
    case XI_CONNECTION_STATUS_BANNED:
    case XI_CONNECTION_STATUS_TEMPORARILY_BANNED:
      show_problem (self, "dialog-error-symbolic", _("WhatsApp Banned This Account"),
                    _("The details below say for how long and why."), _("_Try Again"));
      break;
    case XI_CONNECTION_STATUS_STARTING:
    case XI_CONNECTION_STATUS_NOT_LINKED:
    default:
      show_waiting (self, _("Connecting to WhatsApp…"));
      break;
    }

  gtk_spinner_set_spinning (self->spinner,
                            g_str_equal (gtk_stack_get_visible_child_name (self->stack), "waiting"));
  if (status == XI_CONNECTION_STATUS_RECONNECTING && xi_connection_get_seconds_to_retry (self->connection) > 0)
    {
      if (self->tick_id == 0)
        self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
    }
  else
    g_clear_handle_id (&self->tick_id, g_source_remove);
}

/* Callbacks */

static void
try_again_cb (XiLinkDialog *self)
{
  xi_connection_link (self->connection);
}

/* GtkWindow */

static gboolean
xi_link_dialog_close_request (GtkWindow *window)
{
  XiLinkDialog *self = XI_LINK_DIALOG (window);

  if (self->connection != NULL && !xi_connection_is_linked (self->connection))
    xi_connection_cancel_link (self->connection);

  return GTK_WINDOW_CLASS (xi_link_dialog_parent_class)->close_request (window);
}

static void
xi_link_dialog_show (GtkWidget *widget)
{
  XiLinkDialog *self = XI_LINK_DIALOG (widget);

  GTK_WIDGET_CLASS (xi_link_dialog_parent_class)->show (widget);
  xi_connection_link (self->connection);
}

/* GObject */

static void
xi_link_dialog_dispose (GObject *object)
{
  XiLinkDialog *self = (XiLinkDialog *)object;

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (xi_link_dialog_parent_class)->dispose (object);
}

static void
xi_link_dialog_class_init (XiLinkDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = xi_link_dialog_dispose;
  widget_class->show = xi_link_dialog_show;
  window_class->close_request = xi_link_dialog_close_request;

  g_type_ensure (XI_TYPE_QR_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-link-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, XiLinkDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, XiLinkDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, XiLinkDialog, waiting_label);
  gtk_widget_class_bind_template_child (widget_class, XiLinkDialog, qr_view);
  gtk_widget_class_bind_template_child (widget_class, XiLinkDialog, problem_page);
  gtk_widget_class_bind_template_child (widget_class, XiLinkDialog, problem_button);
  gtk_widget_class_bind_template_child (widget_class, XiLinkDialog, linked_page);
  gtk_widget_class_bind_template_child (widget_class, XiLinkDialog, close_button);
  gtk_widget_class_bind_template_callback (widget_class, try_again_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
xi_link_dialog_init (XiLinkDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * xi_link_dialog_new:
 * @connection: the WhatsApp connection to link
 *
 * Returns: (transfer none): a dialog that starts linking when shown; GTK
 *   owns it, as every toplevel
 */
GtkWidget *
xi_link_dialog_new (XiConnection *connection)
{
  XiLinkDialog *self;

  g_return_val_if_fail (XI_IS_CONNECTION (connection), NULL);

  self = g_object_new (XI_TYPE_LINK_DIALOG, NULL);
  self->connection = g_object_ref (connection);
  g_signal_connect_swapped (connection, "notify", G_CALLBACK (update), self);
  update (self);
  return GTK_WIDGET (self);
}

/**
 * xi_link_dialog_get_page_name:
 *
 * Returns: what the dialog shows: "waiting", "code", "problem" or "linked"
 */
const char *
xi_link_dialog_get_page_name (XiLinkDialog *self)
{
  g_return_val_if_fail (XI_IS_LINK_DIALOG (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}
