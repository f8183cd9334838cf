/* xi-window.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-window"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-application.h"
#include "xi-assets-page.h"
#include "xi-connection-indicator.h"
#include "xi-contacts-page.h"
#include "xi-groups-page.h"
#include "xi-history-page.h"
#include "xi-import-dialog.h"
#include "xi-inbox-page.h"
#include "xi-sending-page.h"
#include "xi-sync-indicator.h"
#include "xi-templates-page.h"
#include "xi-window.h"

struct _XiWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  XiConnectionIndicator *connection_indicator;
  XiSyncIndicator      *sync_indicator;
  GtkStack             *main_stack;
  AdwStatusPage        *error_page;
  AdwViewStack         *view_stack;
  GtkWidget            *contacts_page;
  GtkWidget            *groups_page;
  GtkWidget            *templates_page;
  GtkWidget            *assets_page;
  GtkWidget            *sending_page;
  GtkWidget            *history_page;
  GtkWidget            *inbox_page;
  AdwViewStackPage     *inbox_stack_page;
  GtkRevealer          *engine_banner;
  GtkLabel             *engine_banner_label;

  /* Owned */
  XiContext            *context;
  GSettings            *settings;
  GtkNativeDialog      *chooser;
  GCancellable         *cancellable;
  XiConnection         *connection;
  XiConnectionStatus    connection_status;
  AdwToast             *unlinked_toast;
};

G_DEFINE_FINAL_TYPE (XiWindow, xi_window, ADW_TYPE_APPLICATION_WINDOW)

static GtkWidget *
visible_page (XiWindow *self)
{
  return adw_view_stack_get_visible_child (self->view_stack);
}

static void
page_action (XiWindow   *self,
             const char *action)
{
  if (g_str_equal (gtk_stack_get_visible_child_name (self->main_stack), "pages"))
    gtk_widget_activate_action (visible_page (self), action, NULL);
}

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  page_action (XI_WINDOW (widget), "page.new");
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  page_action (XI_WINDOW (widget), "page.search");
}

static void
import_closed_cb (XiWindow *self)
{
  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  xi_window_show_page (self, "contacts");
  xi_contacts_page_focus_list (XI_CONTACTS_PAGE (self->contacts_page));
}

/**
 * xi_window_import_file:
 * @self: a #XiWindow
 * @file: a CSV, spreadsheet or vCard file the user chose
 *
 * Opens the import dialog on @file; when it closes, the Contacts page
 * shows what was imported, with the focus in its list.
 *
 * Returns: (transfer none): the dialog, presented
 */
GtkWidget *
xi_window_import_file (XiWindow *self,
                       GFile    *file)
{
  GtkWidget *dialog;

  g_return_val_if_fail (XI_IS_WINDOW (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  dialog = xi_import_dialog_new (self->context, file);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (import_closed_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
import_chosen_cb (GtkNativeDialog *chooser,
                  int              response,
                  XiWindow        *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);

  if (file != NULL)
    xi_window_import_file (self, file);
}

static void
add_filter (GtkFileChooser *chooser,
            const char     *name,
            const char     *patterns[])
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; patterns[i] != NULL; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);
  gtk_file_chooser_add_filter (chooser, filter);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiWindow *self = XI_WINDOW (widget);
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Import Contacts"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  add_filter (GTK_FILE_CHOOSER (chooser), _("Contact files (CSV, TSV, vCard, Excel, OpenDocument)"),
              (const char *[]) { "*.csv", "*.CSV", "*.tsv", "*.TSV", "*.txt", "*.TXT",
                                 "*.vcf", "*.VCF", "*.vcard", "*.xlsx", "*.XLSX", "*.ods", "*.ODS",
                                 NULL });
  add_filter (GTK_FILE_CHOOSER (chooser), _("All files"), (const char *[]) { "*", NULL });
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (import_chosen_cb), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
exported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(XiWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  guint count = xi_store_export_contacts_finish (XI_STORE (object), result, &error);
  AdwToast *toast;

  if (error != NULL)
    toast = adw_toast_new_format (_("Could not export the contacts: %s"), error->message);
  else
    toast = adw_toast_new_format (ngettext ("Exported %u contact", "Exported %u contacts", count), count);
  xi_window_add_toast (self, toast);
}

typedef struct
{
  XiWindow *self;
  GFile    *file;
} ExportOp;

static void
export_op_free (ExportOp *op)
{
  g_object_unref (op->self);
  g_object_unref (op->file);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExportOp, export_op_free)

static void
export_ids_listed_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(ExportOp) op = user_data;
  XiWindow *self = op->self;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = xi_contacts_facade_list_ids_finish (XI_CONTACTS_FACADE (object), result, &error);

  if (ids == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        xi_window_add_toast (self, adw_toast_new (error->message));
      return;
    }
  /* The selected contacts, or every contact when none is. */
  xi_store_export_contacts_async (xi_context_get_store (self->context), op->file,
                                  ids[0] != NULL ? (const char * const *)ids : NULL,
                                  self->cancellable, exported_cb, g_object_ref (self));
}

static void
export_chosen_cb (GtkNativeDialog *chooser,
                  int              response,
                  XiWindow        *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GArray) keys = NULL;
  ExportOp *op;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (file == NULL)
    return;

  keys = xi_contacts_page_dup_selected_keys (XI_CONTACTS_PAGE (self->contacts_page));
  op = g_new0 (ExportOp, 1);
  op->self = g_object_ref (self);
  op->file = g_steal_pointer (&file);
  xi_contacts_facade_list_ids_async (xi_context_get_contacts_facade (self->context),
                                     (const gint64 *)(gpointer)keys->data, keys->len, self->cancellable,
                                     export_ids_listed_cb, op);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiWindow *self = XI_WINDOW (widget);
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Export Contacts"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("contacts.csv"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (export_chosen_cb), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
context_loaded_cb (XiWindow     *self,
                   const GError *error,
                   XiContext    *context)
{
  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        xi_window_show_fatal_error (self, _("Xender-In cannot read its data"), error->message);
      return;
    }
  gtk_stack_set_visible_child_name (self->main_stack, "pages");
}

static void
link_whatsapp_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  XiWindow *self = XI_WINDOW (widget);

  if (self->unlinked_toast != NULL)
    adw_toast_dismiss (self->unlinked_toast);
  xi_connection_indicator_open (self->connection_indicator);
}

static void
unlinked_toast_dismissed_cb (XiWindow *self)
{
  g_clear_object (&self->unlinked_toast);
}

/* The phone (or WhatsApp) ending the session is news the user must not
 * miss, whatever page is open: the toast stays until dismissed. */
static void
connection_status_cb (XiWindow     *self,
                      GParamSpec   *pspec,
                      XiConnection *connection)
{
  XiConnectionStatus status = xi_connection_get_status (connection);

  if (status == self->connection_status)
    return;
  self->connection_status = status;
  if (status == XI_CONNECTION_STATUS_LOGGED_OUT && self->unlinked_toast == NULL)
    {
      self->unlinked_toast = adw_toast_new (_("This computer was unlinked from WhatsApp"));
      adw_toast_set_button_label (self->unlinked_toast, _("_Link Again"));
      adw_toast_set_action_name (self->unlinked_toast, "win.link-whatsapp");
      adw_toast_set_priority (self->unlinked_toast, ADW_TOAST_PRIORITY_HIGH);
      adw_toast_set_timeout (self->unlinked_toast, 0);
      g_signal_connect_swapped (self->unlinked_toast, "dismissed", G_CALLBACK (unlinked_toast_dismissed_cb), self);
      adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (self->unlinked_toast));
    }
  else if (status != XI_CONNECTION_STATUS_LOGGED_OUT && self->unlinked_toast != NULL)
    adw_toast_dismiss (self->unlinked_toast);
}

static void
set_connection (XiWindow     *self,
                XiConnection *connection)
{
  if (connection == NULL || self->connection != NULL)
    return;
  self->connection = g_object_ref (connection);
  self->connection_status = xi_connection_get_status (connection);
  xi_connection_indicator_set_connection (self->connection_indicator, connection);
  g_signal_connect_object (connection, "notify::status", G_CALLBACK (connection_status_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
context_connection_cb (XiWindow   *self,
                       GParamSpec *pspec,
                       XiContext  *context)
{
  set_connection (self, xi_context_get_connection (context));
}

/* The sentence stays while the banner slides away. */
static void
context_engine_elsewhere_cb (XiWindow   *self,
                             GParamSpec *pspec,
                             XiContext  *context)
{
  const char *sentence = xi_context_get_engine_elsewhere (context);

  if (sentence != NULL)
    gtk_label_set_text (self->engine_banner_label, sentence);
  gtk_revealer_set_reveal_child (self->engine_banner, sentence != NULL);
}

/* The Inbox tab shows how many replies wait to be read. */
static void
unread_count_cb (XiWindow    *self,
                 GParamSpec  *pspec,
                 XiInboxPage *page)
{
  guint unread = xi_inbox_page_get_unread_count (page);

  adw_view_stack_page_set_badge_number (self->inbox_stack_page, unread);
  adw_view_stack_page_set_needs_attention (self->inbox_stack_page, unread > 0);
}

static void
allow_messages_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  XiWindow *self = XI_WINDOW (widget);

  xi_inbox_page_confirm_allow (XI_INBOX_PAGE (self->inbox_page), g_variant_get_string (parameter, NULL));
}

static void
show_inbox_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  xi_window_show_page (XI_WINDOW (widget), "inbox");
}

static void
page_toast_cb (XiWindow *self,
               AdwToast *toast)
{
  xi_window_add_toast (self, g_object_ref (toast));
}

static void
xi_window_dispose (GObject *object)
{
  XiWindow *self = (XiWindow *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  if (self->context != NULL)
    g_signal_handlers_disconnect_by_data (self->context, self);
  g_clear_object (&self->context);
  if (self->unlinked_toast != NULL)
    g_signal_handlers_disconnect_by_data (self->unlinked_toast, self);
  g_clear_object (&self->unlinked_toast);
  g_clear_object (&self->connection);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (xi_window_parent_class)->dispose (object);
}

static void
xi_window_class_init (XiWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_window_dispose;

  g_type_ensure (XI_TYPE_CONNECTION_INDICATOR);
  g_type_ensure (XI_TYPE_SYNC_INDICATOR);
  g_type_ensure (XI_TYPE_CONTACTS_PAGE);
  g_type_ensure (XI_TYPE_GROUPS_PAGE);
  g_type_ensure (XI_TYPE_TEMPLATES_PAGE);
  g_type_ensure (XI_TYPE_ASSETS_PAGE);
  g_type_ensure (XI_TYPE_SENDING_PAGE);
  g_type_ensure (XI_TYPE_HISTORY_PAGE);
  g_type_ensure (XI_TYPE_INBOX_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-window.ui");
  gtk_widget_class_bind_template_child (widget_class, XiWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, XiWindow, connection_indicator);
  gtk_widget_class_bind_template_child (widget_class, XiWindow, sync_indicator);
  gtk_widget_class_bind_template_child (widget_class, XiWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, XiWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, XiWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, XiWindow, contacts_page);
  gtk_widget_class_bind_template_child (widget_class, XiWindow, groups_page);
  gtk_widget_class_bind_template_child (widget_class, XiWindow, templates_page);
  gtk_widget_class_bind_template_child (widget_class, XiWindow, assets_page);
  gtk_widget_class_bind_template_child (widget_class, XiWindow, sending_page);
  gtk_widget_class_bind_template_child (widget_class, XiWindow, history_page);
  gtk_widget_class_bind_template_child (widget_class, XiWindow, inbox_page);
  gtk_widget_class_bind_template_child (widget_class, XiWindow, inbox_stack_page);
  gtk_widget_class_bind_template_child (widget_class, XiWindow, engine_banner);
  gtk_widget_class_bind_template_child (widget_class, XiWindow, engine_banner_label);

  gtk_widget_class_install_action (widget_class, "win.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.link-whatsapp", NULL, link_whatsapp_action);
  gtk_widget_class_install_action (widget_class, "win.allow-messages", "s", allow_messages_action);
  gtk_widget_class_install_action (widget_class, "win.show-inbox", NULL, show_inbox_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "win.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", NULL);
}

static void
xi_window_init (XiWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

/**
 * xi_window_new:
 * @application: the application
 * @context: the shared services
 *
 * Returns: (transfer full): a new main window
 */
XiWindow *
xi_window_new (XiApplication *application,
               XiContext     *context)
{
  XiWindow *self;
  GtkWidget *pages[7];

  g_return_val_if_fail (XI_IS_CONTEXT (context), NULL);

  self = g_object_new (XI_TYPE_WINDOW, "application", application, NULL);
  self->context = g_object_ref (context);
  self->settings = g_object_ref (xi_context_get_settings (context));

  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);

  pages[0] = self->contacts_page;
  pages[1] = self->groups_page;
  pages[2] = self->templates_page;
  pages[3] = self->sending_page;
  pages[4] = self->history_page;
  pages[5] = self->inbox_page;
  pages[6] = self->assets_page;
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_object_set (pages[i], "context", context, NULL);
      g_signal_connect_swapped (pages[i], "add-toast", G_CALLBACK (page_toast_cb), self);
    }

  g_signal_connect_swapped (self->inbox_page, "notify::unread-count", G_CALLBACK (unread_count_cb), self);
  g_signal_connect_swapped (context, "loaded", G_CALLBACK (context_loaded_cb), self);
  g_signal_connect_swapped (context, "notify::connection", G_CALLBACK (context_connection_cb), self);
  g_signal_connect_swapped (context, "notify::engine-elsewhere", G_CALLBACK (context_engine_elsewhere_cb),
                            self);
  set_connection (self, xi_context_get_connection (context));
  xi_sync_indicator_set_context (self->sync_indicator, context);
  context_engine_elsewhere_cb (self, NULL, context);
  if (!xi_context_get_loading (context))
    gtk_stack_set_visible_child_name (self->main_stack, "pages");

  return self;
}

void
xi_window_show_page (XiWindow   *self,
                     const char *name)
{
  g_return_if_fail (XI_IS_WINDOW (self));
  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

const char *
xi_window_get_visible_page (XiWindow *self)
{
  g_return_val_if_fail (XI_IS_WINDOW (self), NULL);
  return adw_view_stack_get_visible_child_name (self->view_stack);
}

/**
 * xi_window_get_page:
 * @self: a #XiWindow
 * @name: "contacts", "groups", "templates", "sending", "history" or "inbox"
 *
 * Returns: (transfer none): the page widget
 */
GtkWidget *
xi_window_get_page (XiWindow   *self,
                    const char *name)
{
  g_return_val_if_fail (XI_IS_WINDOW (self), NULL);
  return adw_view_stack_get_child_by_name (self->view_stack, name);
}

/**
 * xi_window_show_conversation:
 * @self: a #XiWindow
 * @phone: the customer's number, E.164 digits
 *
 * Opens the Inbox at that customer's messages.
 */
void
xi_window_show_conversation (XiWindow   *self,
                             const char *phone)
{
  g_return_if_fail (XI_IS_WINDOW (self));
  g_return_if_fail (phone != NULL);

  adw_view_stack_set_visible_child_name (self->view_stack, "inbox");
  xi_inbox_page_show_conversation (XI_INBOX_PAGE (self->inbox_page), phone);
}

/**
 * xi_window_add_toast:
 * @self: a #XiWindow
 * @toast: (transfer full): the toast to show
 */
void
xi_window_add_toast (XiWindow *self,
                     AdwToast *toast)
{
  g_return_if_fail (XI_IS_WINDOW (self));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
xi_window_show_fatal_error (XiWindow   *self,
                            const char *title,
                            const char *detail)
{
  g_return_if_fail (XI_IS_WINDOW (self));

  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, detail);
  gtk_stack_set_visible_child_name (self->main_stack, "error");
}
