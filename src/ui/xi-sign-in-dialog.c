/* xi-sign-in-dialog.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-sign-in-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "xi-sign-in-dialog.h"
#include "xi-sync-error.h"

/*
 * Email and password for the configured project, to sign in or to create
 * an account. The dialog only talks to the server (through
 * XiSyncAccount, as `xender-in-cli login` does) and says what went wrong
 * in plain words; on success it emits ::signed-in and closes, and the
 * application opens the account's data. Main thread only.
 */
struct _XiSignInDialog
{
  AdwWindow      parent_instance;

  /* Template widgets */
  AdwWindowTitle *window_title;
  GtkStack       *button_stack;
  GtkWidget      *sign_in_button;
  GtkLabel       *intro_label;
  GtkWidget      *fields;
  AdwEntryRow    *email_row;
  AdwEntryRow    *password_row;
  GtkCheckButton *create_check;
  GtkLabel       *error_label;

  /* Owned */
  XiSyncAccount  *account;
  GCancellable   *cancellable;
};

G_DEFINE_FINAL_TYPE (XiSignInDialog, xi_sign_in_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_SIGNED_IN,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

/* Auxiliary methods */

/* The server's refusal in a shop owner's words. */
static char *
describe_error (const GError *error)
{
  if (error->domain != XI_SYNC_ERROR)
    return g_strdup (error->message);
  switch ((XiSyncError) error->code)
    {
    case XI_SYNC_ERROR_INVALID_CREDENTIALS:
      return g_strdup (_("The email address or the password is wrong. Check both and try again."));
    case XI_SYNC_ERROR_EMAIL_NOT_CONFIRMED:
      return g_strdup (_("This address is not confirmed yet. Open the link in the mail the server "
                         "sent to it, then sign in."));
    case XI_SYNC_ERROR_USER_EXISTS:
      return g_strdup (_("An account with this address exists already. Untick “Create a new "
                         "account” to sign in to it."));
    case XI_SYNC_ERROR_WEAK_PASSWORD:
      /* Translators: %s is the server's own explanation */
      return g_strdup_printf (_("The server wants a stronger password: %s"), error->message);
    case XI_SYNC_ERROR_NETWORK:
      return g_strdup (_("The server cannot be reached. Check this computer’s internet "
                         "connection and the project URL in Preferences."));
    case XI_SYNC_ERROR_UNAVAILABLE:
      return g_strdup (_("The server is not answering right now. Try again in a few minutes."));
    case XI_SYNC_ERROR_RATE_LIMITED:
      return g_strdup (_("Too many tries in a short time. Wait a minute, then try again."));
    case XI_SYNC_ERROR_INVALID_ARGUMENT:
      return g_strdup (error->message);
    case XI_SYNC_ERROR_FAILED:
    case XI_SYNC_ERROR_NOT_SIGNED_IN:
    case XI_SYNC_ERROR_SIGNED_OUT:
    case XI_SYNC_ERROR_UNAUTHORIZED:
    case XI_SYNC_ERROR_REFUSED:
    case XI_SYNC_ERROR_CONFLICT:
    case XI_SYNC_ERROR_BAD_REPLY:
    default:
      /* Translators: %s is the server's own message */
      return g_strdup_printf (_("The server refused to sign in: %s"), error->message);
    }
}

static void
show_message (XiSignInDialog *self,
              const char     *message,
              gboolean        is_error)
{
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (XiSignInDialog *self,
          gboolean        busy)
{
  gtk_stack_set_visible_child_name (self->button_stack, busy ? "spinner" : "button");
  gtk_widget_set_sensitive (self->fields, !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->create_check), !busy);
}

/* Callbacks */

static void
fields_changed_cb (XiSignInDialog *self)
{
  const char *email = gtk_editable_get_text (GTK_EDITABLE (self->email_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  gtk_widget_set_sensitive (self->sign_in_button, strchr (email, '@') != NULL && *password != '\0');
}

static void
create_toggled_cb (XiSignInDialog *self)
{
  gboolean create = gtk_check_button_get_active (self->create_check);

  adw_window_title_set_title (self->window_title, create ? _("Create Account") : _("Sign In"));
  gtk_button_set_label (GTK_BUTTON (self->sign_in_button), create ? _("C_reate") : _("_Sign In"));
  show_message (self, NULL, FALSE);
}

static void
signed_in_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(XiSignInDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean needs_confirmation = FALSE;
  gboolean ok;

  ok = xi_sync_account_sign_in_finish (XI_SYNC_ACCOUNT (object), result, &needs_confirmation, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (ok && !needs_confirmation)
    {
      /* Also when the dialog was closed as the server answered: the
       * account is signed in then, and its data must open. */
      g_signal_emit (self, signals[SIGNAL_SIGNED_IN], 0);
      if (self->account != NULL)
        gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  /* Closed meanwhile. */
  if (self->account == NULL)
    return;

  set_busy (self, FALSE);
  if (!ok)
    {
      message = describe_error (error);
      show_message (self, message, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (error->domain == XI_SYNC_ERROR &&
                                         error->code == XI_SYNC_ERROR_INVALID_CREDENTIALS
                                         ? self->password_row : self->email_row));
      return;
    }
  /* Translators: %s is an email address */
  message = g_strdup_printf (_("Check your mail: open the link sent to %s, then sign in here."),
                             gtk_editable_get_text (GTK_EDITABLE (self->email_row)));
  gtk_check_button_set_active (self->create_check, FALSE);
  show_message (self, message, FALSE);
}

static void
sign_in_clicked_cb (XiSignInDialog *self)
{
  if (!gtk_widget_get_sensitive (self->sign_in_button))
    return;
  show_message (self, NULL, FALSE);
  set_busy (self, TRUE);
  xi_sync_account_sign_in_async (self->account,
                                 gtk_editable_get_text (GTK_EDITABLE (self->email_row)),
                                 gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                                 gtk_check_button_get_active (self->create_check),
                                 self->cancellable, signed_in_cb, g_object_ref (self));
}

/* GObject */

static void
xi_sign_in_dialog_dispose (GObject *object)
{
  XiSignInDialog *self = (XiSignInDialog *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (xi_sign_in_dialog_parent_class)->dispose (object);
}

static void
xi_sign_in_dialog_class_init (XiSignInDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_sign_in_dialog_dispose;

  /**
   * XiSignInDialog::signed-in:
   *
   * Someone is signed in: the account's folder is ready to open.
   */
  signals[SIGNAL_SIGNED_IN] = g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-sign-in-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, XiSignInDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, XiSignInDialog, button_stack);
  gtk_widget_class_bind_template_child (widget_class, XiSignInDialog, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, XiSignInDialog, intro_label);
  gtk_widget_class_bind_template_child (widget_class, XiSignInDialog, fields);
  gtk_widget_class_bind_template_child (widget_class, XiSignInDialog, email_row);
  gtk_widget_class_bind_template_child (widget_class, XiSignInDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, XiSignInDialog, create_check);
  gtk_widget_class_bind_template_child (widget_class, XiSignInDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, fields_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, create_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, sign_in_clicked_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
xi_sign_in_dialog_init (XiSignInDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  fields_changed_cb (self);
}

/* Public API */

/**
 * xi_sign_in_dialog_new:
 * @account: the data folder's sync settings, with a project configured
 *
 * Returns: (transfer floating): a new dialog
 */
GtkWidget *
xi_sign_in_dialog_new (XiSyncAccount *account)
{
  XiSignInDialog *self;
  g_autofree char *intro = NULL;

  g_return_val_if_fail (XI_IS_SYNC_ACCOUNT (account), NULL);

  self = g_object_new (XI_TYPE_SIGN_IN_DIALOG, NULL);
  self->account = g_object_ref (account);
  /* Translators: %s is the project's URL */
  intro = g_strdup_printf (_("Sign in to %s to share contacts, groups, templates and replies with "
                             "your other computers. The data of this computer without an account "
                             "stays apart, as it is."),
                           xi_sync_account_get_project_url (account));
  gtk_label_set_label (self->intro_label, intro);
  return GTK_WIDGET (self);
}
