/* xi-import-dialog.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-import-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-import-dialog.h"

/*
 * Imports one file: read and check every row on a worker thread, write
 * the good ones in one transaction, then show what happened, row by row
 * for the ones that were refused. Both steps show progress and can be
 * cancelled, and a cancelled import writes nothing.
 */
struct _XiImportDialog
{
  AdwWindow        parent_instance;

  /* Template widgets */
  GtkWidget       *cancel_button;
  GtkWidget       *import_button;
  GtkStack        *stack;
  AdwEntryRow     *group_row;
  AdwActionRow    *country_row;
  GtkLabel        *progress_label;
  GtkProgressBar  *progress_bar;
  GtkLabel        *summary_label;
  GtkWidget       *issues_label;
  GtkWidget       *issues_scroll;
  GtkTextView     *issues_view;
  GtkWidget       *save_issues_button;

  /* Owned */
  XiContext       *context;
  GFile           *file;
  GCancellable    *cancellable;
  XiImportReport  *report;
  GtkNativeDialog *chooser;
  char            *group_name;
};

G_DEFINE_FINAL_TYPE (XiImportDialog, xi_import_dialog, ADW_TYPE_WINDOW)

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_progress (double   fraction,
               gpointer user_data)
{
  XiImportDialog *self = user_data;

  gtk_progress_bar_set_fraction (self->progress_bar, fraction);
}

static void
fail (XiImportDialog *self,
      const GError   *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      gtk_label_set_text (self->summary_label, _("Import cancelled. Nothing was changed."));
      gtk_widget_set_visible (self->issues_label, FALSE);
      gtk_widget_set_visible (self->issues_scroll, FALSE);
      gtk_widget_set_visible (self->save_issues_button, FALSE);
    }
  else
    {
      gtk_label_set_text (self->summary_label, error->message);
      gtk_widget_set_visible (self->issues_label, FALSE);
      gtk_widget_set_visible (self->issues_scroll, FALSE);
      gtk_widget_set_visible (self->save_issues_button, FALSE);
    }

  gtk_stack_set_visible_child_name (self->stack, "report");
  gtk_button_set_label (GTK_BUTTON (self->cancel_button), _("_Close"));
  g_signal_emit (self, signals[FINISHED], 0);
}

static void
show_report (XiImportDialog *self)
{
  XiImportReport *report = self->report;
  g_autoptr(GString) issues = g_string_new (NULL);
  g_autofree char *imported = g_strdup_printf (ngettext ("%u new contact", "%u new contacts", report->imported),
                                               report->imported);
  g_autofree char *updated = g_strdup_printf (ngettext ("%u updated", "%u updated", report->updated),
                                              report->updated);
  g_autofree char *skipped = g_strdup_printf (ngettext ("%u row skipped", "%u rows skipped", report->skipped),
                                              report->skipped);
  g_autofree char *summary = g_strdup_printf ("%s, %s, %s.", imported, updated, skipped);

  for (guint i = 0; i < report->issues->len; i++)
    {
      XiImportIssue *issue = g_ptr_array_index (report->issues, i);

      g_string_append_printf (issues, _("Line %u"), issue->line);
      if (issue->excerpt != NULL)
        g_string_append_printf (issues, " (%s)", issue->excerpt);
      g_string_append_printf (issues, ": %s\n", issue->reason);
    }

  gtk_label_set_text (self->summary_label, summary);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->issues_view), issues->str, -1);
  gtk_widget_set_visible (self->issues_label, report->issues->len > 0);
  gtk_widget_set_visible (self->issues_scroll, report->issues->len > 0);
  gtk_widget_set_visible (self->save_issues_button, report->issues->len > 0);
  gtk_stack_set_visible_child_name (self->stack, "report");
  gtk_button_set_label (GTK_BUTTON (self->cancel_button), _("_Close"));
  gtk_widget_grab_focus (self->cancel_button);
}

static void
reloaded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(XiImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!xi_context_reload_finish (XI_CONTEXT (object), result, &error))
    {
      fail (self, error);
      return;
    }
  show_report (self);
  g_signal_emit (self, signals[FINISHED], 0);
}

static void
imported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(XiImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  self->report = xi_store_import_contacts_finish (XI_STORE (object), result, &error);
  if (self->report == NULL)
    {
      fail (self, error);
      return;
    }

  /* Thousands of rows changed: reload the shared models in one go. */
  gtk_label_set_text (self->progress_label, _("Loading the contacts…"));
  gtk_progress_bar_pulse (self->progress_bar);
  xi_context_reload_async (self->context, NULL, reloaded_cb, g_object_ref (self));
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(XiImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  XiImportBatch *batch = xi_import_read_file_finish (result, &error);

  if (batch == NULL)
    {
      fail (self, error);
      return;
    }

  gtk_label_set_text (self->progress_label, _("Saving the contacts…"));
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  xi_store_import_contacts_async (xi_context_get_store (self->context), batch, self->group_name,
                                  show_progress, g_object_ref (self), g_object_unref,
                                  self->cancellable, imported_cb, g_object_ref (self));
}

/**
 * xi_import_dialog_start:
 * @self: a #XiImportDialog
 * @group_name: (nullable): put every imported contact in this group
 *
 * Starts the import, as the Import button does.
 */
void
xi_import_dialog_start (XiImportDialog *self,
                        const char     *group_name)
{
  g_autofree char *country = NULL;

  g_return_if_fail (XI_IS_IMPORT_DIALOG (self));

  g_free (self->group_name);
  self->group_name = g_strdup (group_name);
  country = xi_context_dup_country_code (self->context);

  gtk_widget_set_visible (self->import_button, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "progress");
  gtk_label_set_text (self->progress_label, _("Reading the file…"));
  xi_import_read_file_async (self->file, country, self->cancellable,
                             show_progress, g_object_ref (self), g_object_unref,
                             read_cb, g_object_ref (self));
}

static void
import_clicked_cb (XiImportDialog *self)
{
  xi_import_dialog_start (self, gtk_editable_get_text (GTK_EDITABLE (self->group_row)));
}

static void
cancel_clicked_cb (XiImportDialog *self)
{
  if (g_str_equal (gtk_stack_get_visible_child_name (self->stack), "progress"))
    g_cancellable_cancel (self->cancellable);
  else
    gtk_window_close (GTK_WINDOW (self));
}

static void
issues_saved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(XiImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    gtk_label_set_text (self->summary_label, error->message);
}

static void
csv_field (GString    *out,
           const char *value)
{
  g_autofree char *escaped = NULL;
  g_auto(GStrv) parts = g_strsplit (value != NULL ? value : "", "\"", -1);

  escaped = g_strjoinv ("\"\"", parts);
  g_string_append_printf (out, "\"%s\"", escaped);
}

static void
issues_file_chosen_cb (GtkNativeDialog *chooser,
                       int              response,
                       XiImportDialog  *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GString *csv;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (file == NULL || self->report == NULL)
    return;

  csv = g_string_new ("\xef\xbb\xbf");
  g_string_append_printf (csv, "%s,%s,%s\r\n", _("line"), _("value"), _("problem"));
  for (guint i = 0; i < self->report->issues->len; i++)
    {
      XiImportIssue *issue = g_ptr_array_index (self->report->issues, i);

      g_string_append_printf (csv, "%u,", issue->line);
      csv_field (csv, issue->excerpt);
      g_string_append_c (csv, ',');
      csv_field (csv, issue->reason);
      g_string_append (csv, "\r\n");
    }

  bytes = g_string_free_to_bytes (csv);
  /* The rejected lines quote customers' data. */
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                       G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                       self->cancellable,
                                       issues_saved_cb, g_object_ref (self));
}

static void
save_issues_clicked_cb (XiImportDialog *self)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Save the List of Problems"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("import-problems.csv"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (issues_file_chosen_cb), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
xi_import_dialog_dispose (GObject *object)
{
  XiImportDialog *self = (XiImportDialog *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  g_clear_object (&self->context);
  g_clear_object (&self->file);

  G_OBJECT_CLASS (xi_import_dialog_parent_class)->dispose (object);
}

static void
xi_import_dialog_finalize (GObject *object)
{
  XiImportDialog *self = (XiImportDialog *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->report, xi_import_report_free);
  g_free (self->group_name);

  G_OBJECT_CLASS (xi_import_dialog_parent_class)->finalize (object);
}

static void
xi_import_dialog_class_init (XiImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_import_dialog_dispose;
  object_class->finalize = xi_import_dialog_finalize;

  /**
   * XiImportDialog::finished:
   *
   * The import ended (done, failed or cancelled); the report is shown.
   */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, import_button);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, group_row);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, country_row);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, progress_label);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, summary_label);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, issues_label);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, issues_scroll);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, issues_view);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, save_issues_button);
  gtk_widget_class_bind_template_callback (widget_class, import_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, save_issues_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
xi_import_dialog_init (XiImportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_window_set_default_widget (GTK_WINDOW (self), self->import_button);
}

/**
 * xi_import_dialog_new:
 * @context: the shared services
 * @file: the file to import
 *
 * Returns: (transfer none): the dialog, owned by GTK until closed
 */
GtkWidget *
xi_import_dialog_new (XiContext *context,
                      GFile     *file)
{
  XiImportDialog *self = g_object_new (XI_TYPE_IMPORT_DIALOG, NULL);
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *country = xi_context_dup_country_code (context);
  g_autofree char *country_text = g_strdup_printf (_("Get +%s (change it in Preferences)"), country);

  self->context = g_object_ref (context);
  self->file = g_object_ref (file);
  gtk_window_set_title (GTK_WINDOW (self), name);
  adw_action_row_set_subtitle (self->country_row, country_text);
  gtk_widget_grab_focus (GTK_WIDGET (self->group_row));

  return GTK_WIDGET (self);
}

/**
 * xi_import_dialog_get_report:
 * @self: a #XiImportDialog
 *
 * Returns: (transfer none) (nullable): the report once the import is done
 */
XiImportReport *
xi_import_dialog_get_report (XiImportDialog *self)
{
  g_return_val_if_fail (XI_IS_IMPORT_DIALOG (self), NULL);
  return self->report;
}
