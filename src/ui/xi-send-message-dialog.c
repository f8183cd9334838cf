/* xi-send-message-dialog.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-send-message-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-asset-thumbnail.h"
#include "xi-limits.h"
#include "xi-phone.h"
#include "xi-send-message-dialog.h"
#include "xi-transport.h"

/*
 * One message, now, to one contact, through the linked WhatsApp account.
 * The dialog stays open with a spinner until WhatsApp's server took the
 * message; then it closes and the page says so, or it shows why not
 * (not linked or not connected, no account on WhatsApp, or a refusal such
 * as 463, where the customer has to write first) and keeps the text.
 * A contact who opted out is never messaged from here.
 */
struct _XiSendMessageDialog
{
  AdwWindow      parent_instance;

  /* Template widgets */
  GtkStack      *send_stack;
  GtkSpinner    *spinner;
  GtkLabel      *to_label;
  GtkTextView   *text_view;
  GtkImage      *attachment_image;
  GtkLabel      *attachment_label;
  GtkLabel      *message_label;

  /* Owned */
  XiContext     *context;
  XiContact     *contact;
  XiAsset       *attachment;     /* from the assets, or NULL for text only */
  GtkNativeDialog *chooser;
  GCancellable  *cancellable;
  gboolean       sending;
};

G_DEFINE_FINAL_TYPE (XiSendMessageDialog, xi_send_message_dialog, ADW_TYPE_WINDOW)

enum {
  SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Auxiliary methods */

static char *
dup_text (XiSendMessageDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

static void
show_message (XiSendMessageDialog *self,
              const char          *message)
{
  gboolean shown = message != NULL && message[0] != '\0';

  gtk_label_set_text (self->message_label, shown ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), shown);
}

static void
set_sending (XiSendMessageDialog *self,
             gboolean             sending)
{
  self->sending = sending;
  gtk_stack_set_visible_child_name (self->send_stack, sending ? "sending" : "button");
  gtk_spinner_set_spinning (self->spinner, sending);
  gtk_text_view_set_editable (self->text_view, !sending);
}

static void
update_send (XiSendMessageDialog *self)
{
  g_autofree char *text = dup_text (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "message.send",
                                 !self->sending && (text[0] != '\0' || self->attachment != NULL) &&
                                 xi_limit_check_message (text, NULL));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "message.attach", !self->sending);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "message.detach", !self->sending && self->attachment != NULL);
}

static void
show_attachment (XiSendMessageDialog *self)
{
  g_autofree char *described = NULL;
  g_autofree char *text = NULL;

  if (self->attachment != NULL)
    {
      described = xi_asset_thumbnail_describe (self->attachment);
      /* Translators: a message's attachment: its file name, then its size and kind */
      text = g_strdup_printf (_("%s (%s)"), xi_asset_get_name (self->attachment), described);
    }
  gtk_label_set_text (self->attachment_label, text != NULL ? text : _("No attachment"));
  xi_asset_thumbnail_show (self->attachment_image, self->attachment, 32, self->cancellable);
  update_send (self);
}

/* Callbacks */

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(XiSendMessageDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message_id = xi_connection_send_text_finish (XI_CONNECTION (object), result, &error);

  if (message_id == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_sending (self, FALSE);
      update_send (self);
      show_message (self, error->message);
      return;
    }

  set_sending (self, FALSE);
  g_signal_emit (self, signals[SENT], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* WhatsApp refuses a text past its limit: say so while it is typed. */
static void
buffer_changed_cb (XiSendMessageDialog *self)
{
  g_autofree char *text = dup_text (self);
  g_autoptr(GError) error = NULL;

  show_message (self, xi_limit_check_message (text, &error) ? NULL : error->message);
  update_send (self);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  XiSendMessageDialog *self = XI_SEND_MESSAGE_DIALOG (widget);
  XiConnection *connection = xi_context_get_connection (self->context);
  g_autofree char *text = dup_text (self);

  if (self->sending || (text[0] == '\0' && self->attachment == NULL))
    return;
  if (xi_contact_get_opted_out (self->contact))
    {
      show_message (self, _("This contact opted out of your messages. Sending anyway could get your "
                            "WhatsApp account reported; undo the opt-out first only if they asked for it."));
      return;
    }
  if (connection == NULL || !xi_connection_is_linked (connection))
    {
      show_message (self, _("No WhatsApp account is linked. Link one with the connection button at the top "
                            "of the window, then send."));
      return;
    }
  if (xi_contact_get_on_whatsapp (self->contact) == XI_ON_WHATSAPP_NO)
    {
      show_message (self, _("A check found no WhatsApp account for this number. Check it again from the "
                            "contact list if they have one now."));
      return;
    }

  show_message (self, NULL);
  set_sending (self, TRUE);
  update_send (self);
  xi_connection_send_text_async (connection, xi_contact_get_phone (self->contact), text, self->attachment, NULL,
                                 self->cancellable, sent_cb, g_object_ref (self));
}

static void
attachment_added_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(XiSendMessageDialog) self = user_data;
  g_autoptr(XiAsset) asset = NULL;
  g_autoptr(GError) error = NULL;

  asset = xi_assets_facade_add_finish (XI_ASSETS_FACADE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (asset == NULL)
    {
      show_message (self, error->message);
      return;
    }
  show_message (self, NULL);
  g_set_object (&self->attachment, asset);
  show_attachment (self);
}

static void
attach_chosen_cb (GtkNativeDialog     *chooser,
                  int                  response,
                  XiSendMessageDialog *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (file != NULL)
    xi_send_message_dialog_attach_file (self, file);
}

static void
attach_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiSendMessageDialog *self = XI_SEND_MESSAGE_DIALOG (widget);
  GtkFileChooserNative *chooser;

  if (self->sending || self->chooser != NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Attach a Picture or Document"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Attach"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (attach_chosen_cb), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
detach_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiSendMessageDialog *self = XI_SEND_MESSAGE_DIALOG (widget);

  if (self->sending)
    return;
  g_clear_object (&self->attachment);
  show_attachment (self);
}

/* GObject */

static void
xi_send_message_dialog_dispose (GObject *object)
{
  XiSendMessageDialog *self = (XiSendMessageDialog *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), XI_TYPE_SEND_MESSAGE_DIALOG);

  G_OBJECT_CLASS (xi_send_message_dialog_parent_class)->dispose (object);
}

static void
xi_send_message_dialog_finalize (GObject *object)
{
  XiSendMessageDialog *self = (XiSendMessageDialog *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->context);
  g_clear_object (&self->contact);
  g_clear_object (&self->attachment);

  G_OBJECT_CLASS (xi_send_message_dialog_parent_class)->finalize (object);
}

static void
xi_send_message_dialog_class_init (XiSendMessageDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_send_message_dialog_dispose;
  object_class->finalize = xi_send_message_dialog_finalize;

  /**
   * XiSendMessageDialog::sent:
   *
   * WhatsApp's server took the message; the dialog closes next.
   */
  signals[SENT] = g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/xenderin/XenderIn/xi-send-message-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, XiSendMessageDialog, send_stack);
  gtk_widget_class_bind_template_child (widget_class, XiSendMessageDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, XiSendMessageDialog, to_label);
  gtk_widget_class_bind_template_child (widget_class, XiSendMessageDialog, text_view);
  gtk_widget_class_bind_template_child (widget_class, XiSendMessageDialog, attachment_image);
  gtk_widget_class_bind_template_child (widget_class, XiSendMessageDialog, attachment_label);
  gtk_widget_class_bind_template_child (widget_class, XiSendMessageDialog, message_label);

  gtk_widget_class_install_action (widget_class, "message.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "message.attach", NULL, attach_action);
  gtk_widget_class_install_action (widget_class, "message.detach", NULL, detach_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "message.send", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "message.send", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
xi_send_message_dialog_init (XiSendMessageDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  g_signal_connect_object (gtk_text_view_get_buffer (self->text_view), "changed",
                           G_CALLBACK (buffer_changed_cb), self, G_CONNECT_SWAPPED);
  update_send (self);
}

/* Public API */

/**
 * xi_send_message_dialog_new:
 * @context: the app's context, for its WhatsApp connection
 * @contact: who gets the message
 *
 * Returns: (transfer floating): the dialog
 */
GtkWidget *
xi_send_message_dialog_new (XiContext *context,
                            XiContact *contact)
{
  XiSendMessageDialog *self;
  g_autofree char *phone = NULL;
  g_autofree char *to = NULL;

  g_return_val_if_fail (XI_IS_CONTEXT (context), NULL);
  g_return_val_if_fail (XI_IS_CONTACT (contact), NULL);

  self = g_object_new (XI_TYPE_SEND_MESSAGE_DIALOG, NULL);
  self->context = g_object_ref (context);
  self->contact = g_object_ref (contact);
  phone = xi_phone_format_international (xi_contact_get_phone (contact));
  if (xi_contact_has_name (contact))
    /* Translators: the recipient of a single message: name and number */
    to = g_strdup_printf (_("To %s (%s)"), xi_contact_get_name (contact), phone);
  else
    /* Translators: the recipient of a single message who has no name: the number */
    to = g_strdup_printf (_("To %s"), phone);
  gtk_label_set_text (self->to_label, to);
  return GTK_WIDGET (self);
}

/**
 * xi_send_message_dialog_set_text:
 *
 * Replaces the message, as if typed.
 */
void
xi_send_message_dialog_set_text (XiSendMessageDialog *self,
                                 const char          *text)
{
  g_return_if_fail (XI_IS_SEND_MESSAGE_DIALOG (self));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text, -1);
}

/**
 * xi_send_message_dialog_get_error:
 *
 * Returns: (nullable): why the message was not sent, as shown
 */
const char *
xi_send_message_dialog_get_error (XiSendMessageDialog *self)
{
  g_return_val_if_fail (XI_IS_SEND_MESSAGE_DIALOG (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->message_label)) ? gtk_label_get_text (self->message_label)
                                                                   : NULL;
}

gboolean
xi_send_message_dialog_is_sending (XiSendMessageDialog *self)
{
  g_return_val_if_fail (XI_IS_SEND_MESSAGE_DIALOG (self), FALSE);
  return self->sending;
}

/**
 * xi_send_message_dialog_attach_file:
 * @self: a #XiSendMessageDialog
 * @file: a picture or document
 *
 * Adds @file to the assets and sends it with the message; a file
 * WhatsApp would refuse says why under the text.
 */
void
xi_send_message_dialog_attach_file (XiSendMessageDialog *self,
                                    GFile               *file)
{
  g_autofree char *path = NULL;

  g_return_if_fail (XI_IS_SEND_MESSAGE_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  if (path == NULL)
    {
      show_message (self, _("Only files on this computer can be added"));
      return;
    }
  /* Through the library's facade: the Assets page lists it at once. */
  xi_assets_facade_add_async (xi_context_get_assets_facade (self->context), path, self->cancellable,
                              attachment_added_cb, g_object_ref (self));
}

/**
 * xi_send_message_dialog_get_attachment:
 * @self: a #XiSendMessageDialog
 *
 * Returns: (transfer none) (nullable): what the message will carry
 */
XiAsset *
xi_send_message_dialog_get_attachment (XiSendMessageDialog *self)
{
  g_return_val_if_fail (XI_IS_SEND_MESSAGE_DIALOG (self), NULL);
  return self->attachment;
}
