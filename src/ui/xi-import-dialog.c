/* xi-import-dialog.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-import-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-csv.h"
#include "xi-format.h"
#include "xi-import-dialog.h"

/*
 * Imports one file in two steps. A regular file is read from disk at
 * each step and never kept: a file of hundreds of megabytes is in memory
 * only while a worker reads it, not for as long as the dialog is open.
 * Anything else (a pipe, which can be read only once) is read into memory
 * once and every step reads that copy. The preview reads the first rows
 * on a worker thread and shows them at once; then the store counts what
 * would be imported, updated and refused with the streaming import it
 * rolls back, so a hundred thousand rows are never all in memory. Every
 * choice (separator, encoding, header, what a column holds) reads the
 * file again, cancelling the reads before, so the counts always match the
 * choices shown. Import runs the same streaming import with the choices
 * of the last preview and commits it, with progress and Cancel; a
 * cancelled import writes nothing.
 */
struct _XiImportDialog
{
  AdwWindow        parent_instance;

  /* Template widgets */
  GtkWidget       *cancel_button;
  GtkWidget       *import_button;
  GtkStack        *stack;
  AdwActionRow    *file_row;
  AdwComboRow     *separator_row;
  AdwComboRow     *encoding_row;
  GtkWidget       *header_row;
  GtkSwitch       *header_switch;
  AdwPreferencesGroup *columns_group;
  GtkWidget       *sample_scroll;
  GtkGrid         *sample_grid;
  AdwComboRow     *group_row;
  GtkStringList   *group_names;
  AdwEntryRow     *new_group_row;
  AdwActionRow    *country_row;
  GtkLabel        *counts_label;
  GtkProgressBar  *counts_progress;
  GtkWidget       *refused_group;
  GtkColumnView   *refused_view;
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
  GCancellable    *preview_cancellable;
  XiImportReport  *preview;
  XiImportReport  *report;
  GtkNativeDialog *chooser;
  char            *group_name;
  GBytes          *contents;       /* a file that is not regular, read once */
  gboolean         streamed;       /* a regular file, read again at each step */
  XiImportOptions *read_options;   /* what the shown preview was read with */

  /* What the last read found, which the choices start from. */
  XiImportFormat   format;
  char           **column_titles;
  char           **role_values;
  GtkStringList   *role_labels;
  GPtrArray       *column_rows;
  gboolean         have_layout;
  gboolean         guess_columns;
  gboolean         encoding_chosen;
  gboolean         import_pending;  /* started before the file was read */

  /* Set while the widgets are filled from a read, so that this does not
   * count as the user's choice and start another read. */
  gboolean         updating;
};

G_DEFINE_FINAL_TYPE (XiImportDialog, xi_import_dialog, ADW_TYPE_WINDOW)

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The roles every column can take, in the order the menus list them;
 * custom fields follow. */
static const struct {
  const char *role;
  const char *label;
} fixed_roles[] = {
  { "name", N_("Name") },
  { "first-name", N_("First name") },
  { "last-name", N_("Last name") },
  { "phone", N_("Phone number") },
  { "tags", N_("Tags") },
  { "notes", N_("Notes") },
  { "groups", N_("Groups") },
  { "ignore", N_("Ignored") },
};

#define FIELD_PREFIX "field:"

static const char separators[] = { ',', ';', '\t' };

/* In the order of encoding_row's menu; "UTF-16" follows a byte-order mark. */
static const char * const encodings[] = { "UTF-8", "Windows-1252", "ISO-8859-1", "UTF-16" };

/* Auxiliary methods */

/* A progress relay frees its data on whichever thread lets go of it
 * last, often the reader's or the store's. Holding the dialog there
 * could make that thread dispose and finalize it, tearing down widgets
 * and their style nodes while the main thread validates styles: the
 * relays hold the dialog weakly instead. */
static GWeakRef *
weak_self_new (XiImportDialog *self)
{
  GWeakRef *ref = g_new (GWeakRef, 1);

  g_weak_ref_init (ref, self);
  return ref;
}

static void
weak_self_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
show_progress (double   fraction,
               gpointer user_data)
{
  g_autoptr(XiImportDialog) self = g_weak_ref_get (user_data);

  if (self != NULL)
    gtk_progress_bar_set_fraction (self->progress_bar, fraction);
}

static void
show_preview_progress (double   fraction,
                       gpointer user_data)
{
  g_autoptr(XiImportDialog) self = g_weak_ref_get (user_data);

  if (self != NULL)
    gtk_progress_bar_set_fraction (self->counts_progress, fraction);
}

static const char *
group_choice (XiImportDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->group_row);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->group_names));

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION)
    return NULL;
  if (selected + 1 == n)
    return gtk_editable_get_text (GTK_EDITABLE (self->new_group_row));
  return gtk_string_list_get_string (self->group_names, selected);
}

static gboolean
creating_group (XiImportDialog *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->group_names));

  return adw_combo_row_get_selected (self->group_row) + 1 == n;
}

static void
update_import_button (XiImportDialog *self)
{
  g_autofree char *new_name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->new_group_row))));
  gboolean anything = self->preview != NULL && self->preview->imported + self->preview->updated > 0;
  gboolean group_ok = !creating_group (self) || new_name[0] != '\0';

  gtk_widget_set_sensitive (self->import_button, anything && group_ok);
}

static char *
counts_text (const XiImportReport *report)
{
  g_autofree char *imported_n = xi_format_count (report->imported);
  g_autofree char *updated_n = xi_format_count (report->updated);
  g_autofree char *skipped_n = xi_format_count (report->skipped);
  g_autofree char *imported = g_strdup_printf (ngettext ("%s new contact", "%s new contacts",
                                                         report->imported), imported_n);
  g_autofree char *updated = g_strdup_printf (ngettext ("%s updated", "%s updated",
                                                        report->updated), updated_n);
  g_autofree char *skipped = g_strdup_printf (ngettext ("%s refused", "%s refused",
                                                        report->skipped), skipped_n);

  return g_strdup_printf ("%s, %s, %s", imported, updated, skipped);
}

/* The choices as reader options; before the first read, all guessed. */
static XiImportOptions *
dup_options (XiImportDialog *self)
{
  g_autoptr(GStrvBuilder) columns = g_strv_builder_new ();
  XiImportOptions *options = g_new0 (XiImportOptions, 1);

  options->keep_without_phone = TRUE;
  /* A file the guess cannot read at all (UTF-16 without its byte-order
   * mark) is read once the user chooses its encoding, before any layout. */
  if (self->encoding_chosen)
    options->encoding = g_strdup (encodings[MIN (adw_combo_row_get_selected (self->encoding_row),
                                                 G_N_ELEMENTS (encodings) - 1)]);
  if (!self->have_layout)
    return options;

  if (self->format == XI_IMPORT_FORMAT_DELIMITED)
    options->delimiter = separators[MIN (adw_combo_row_get_selected (self->separator_row),
                                         G_N_ELEMENTS (separators) - 1)];
  options->header = gtk_switch_get_active (self->header_switch) ? XI_IMPORT_HEADER_PRESENT
                                                                : XI_IMPORT_HEADER_ABSENT;
  for (guint c = 0; !self->guess_columns && c < self->column_rows->len; c++)
    {
      guint selected = adw_combo_row_get_selected (g_ptr_array_index (self->column_rows, c));

      g_strv_builder_add (columns, selected < g_strv_length (self->role_values)
                                   ? self->role_values[selected] : "");
    }
  options->columns = g_strv_builder_end (columns);
  return options;
}

/* The roles a column can take: the fixed ones, then every custom field
 * the contacts have and every one this file would add. */
static void
fill_roles (XiImportDialog *self,
            XiImportBatch  *batch)
{
  const char * const *known = xi_context_get_custom_fields (self->context);
  g_autoptr(GStrvBuilder) values = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < G_N_ELEMENTS (fixed_roles); i++)
    {
      g_strv_builder_add (values, fixed_roles[i].role);
      g_ptr_array_add (labels, g_strdup (_(fixed_roles[i].label)));
    }
  for (guint i = 0; known != NULL && known[i] != NULL; i++)
    {
      g_autofree char *role = g_strconcat (FIELD_PREFIX, known[i], NULL);

      if (!g_hash_table_add (seen, (gpointer)known[i]))
        continue;
      g_strv_builder_add (values, role);
      g_ptr_array_add (labels, g_strdup_printf (_("Field “%s”"), known[i]));
    }
  for (guint i = 0; batch->custom_field_names[i] != NULL; i++)
    {
      g_autofree char *role = g_strconcat (FIELD_PREFIX, batch->custom_field_names[i], NULL);

      if (!g_hash_table_add (seen, batch->custom_field_names[i]))
        continue;
      g_strv_builder_add (values, role);
      g_ptr_array_add (labels, g_strdup_printf (_("New field “%s”"), batch->custom_field_names[i]));
    }
  g_ptr_array_add (labels, NULL);

  g_strfreev (self->role_values);
  self->role_values = g_strv_builder_end (values);
  g_clear_object (&self->role_labels);
  self->role_labels = gtk_string_list_new ((const char * const *)labels->pdata);
}

static guint
role_position (XiImportDialog *self,
               const char     *role)
{
  for (guint i = 0; self->role_values[i] != NULL; i++)
    if (g_str_equal (self->role_values[i], role))
      return i;
  return GTK_INVALID_LIST_POSITION;
}

static char *
column_title (XiImportBatch *batch,
              guint          column)
{
  const char *title = batch->column_titles[column];

  if (title[0] != '\0')
    return g_strdup (title);
  return g_strdup_printf (_("Column %u"), column + 1);
}

/* The first values of a column, to recognise it by. */
static char *
column_example (XiImportBatch *batch,
                guint          column)
{
  g_autoptr(GString) example = g_string_new (NULL);

  for (guint r = 0; r < batch->sample->len && example->len < 60; r++)
    {
      const char *cell = ((char **)g_ptr_array_index (batch->sample, r))[column];

      if (cell[0] == '\0')
        continue;
      if (example->len > 0)
        g_string_append (example, ", ");
      g_string_append (example, cell);
    }
  return g_string_free (g_steal_pointer (&example), FALSE);
}

static void role_changed_cb (XiImportDialog *self);

static void
rebuild_columns (XiImportDialog *self,
                 XiImportBatch  *batch)
{
  for (guint c = 0; c < self->column_rows->len; c++)
    adw_preferences_group_remove (self->columns_group, g_ptr_array_index (self->column_rows, c));
  g_ptr_array_set_size (self->column_rows, 0);

  for (guint c = 0; batch->column_titles[c] != NULL; c++)
    {
      g_autofree char *title = column_title (batch, c);
      g_autofree char *example = column_example (batch, c);
      AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), example);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
      adw_combo_row_set_model (row, G_LIST_MODEL (self->role_labels));
      g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (role_changed_cb), self);
      adw_preferences_group_add (self->columns_group, GTK_WIDGET (row));
      g_ptr_array_add (self->column_rows, row);
    }

  g_strfreev (self->column_titles);
  self->column_titles = g_strdupv (batch->column_titles);
}

static void
fill_sample (XiImportDialog *self,
             XiImportBatch  *batch)
{
  GtkWidget *child;
  guint n_columns = g_strv_length (batch->column_titles);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->sample_grid))) != NULL)
    gtk_grid_remove (self->sample_grid, child);

  for (guint c = 0; c < n_columns; c++)
    {
      g_autofree char *title = column_title (batch, c);
      GtkWidget *label = gtk_label_new (title);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "heading");
      gtk_grid_attach (self->sample_grid, label, c, 0, 1, 1);
      for (guint r = 0; r < batch->sample->len; r++)
        {
          const char *cell = ((char **)g_ptr_array_index (batch->sample, r))[c];

          label = gtk_label_new (cell);
          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
          gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
          gtk_label_set_max_width_chars (GTK_LABEL (label), 24);
          gtk_grid_attach (self->sample_grid, label, c, r + 1, 1, 1);
        }
    }
  gtk_widget_set_visible (self->sample_scroll, n_columns > 0);
}

static const char *
format_name (XiImportFormat format)
{
  switch (format)
    {
    case XI_IMPORT_FORMAT_VCARD:
      return _("vCard contacts");
    case XI_IMPORT_FORMAT_WORKBOOK:
      return _("Spreadsheet (first sheet)");
    case XI_IMPORT_FORMAT_DELIMITED:
    default:
      return _("Text with separators (CSV)");
    }
}

/* Shows what a read found; the choices are left as the user made them. */
static void
show_layout (XiImportDialog *self,
             XiImportBatch  *batch)
{
  gboolean table = batch->format != XI_IMPORT_FORMAT_VCARD;

  self->updating = TRUE;
  self->format = batch->format;
  adw_action_row_set_subtitle (self->file_row, format_name (batch->format));
  gtk_widget_set_visible (GTK_WIDGET (self->separator_row), batch->format == XI_IMPORT_FORMAT_DELIMITED);
  for (guint i = 0; i < G_N_ELEMENTS (separators); i++)
    if (separators[i] == batch->delimiter)
      adw_combo_row_set_selected (self->separator_row, i);
  /* Workbooks say their encoding themselves. */
  gtk_widget_set_visible (GTK_WIDGET (self->encoding_row), batch->encoding != NULL);
  for (guint i = 0; batch->encoding != NULL && i < G_N_ELEMENTS (encodings); i++)
    if (g_str_has_prefix (batch->encoding, encodings[i]))
      adw_combo_row_set_selected (self->encoding_row, i);
  gtk_widget_set_visible (self->header_row, table);
  gtk_switch_set_active (self->header_switch, batch->has_header);
  gtk_widget_set_visible (GTK_WIDGET (self->columns_group), table);

  /* The same columns keep their rows, so that the one being changed
   * keeps the focus. */
  if (self->column_titles == NULL || !g_strv_equal ((const char * const *)self->column_titles,
                                                    (const char * const *)batch->column_titles))
    {
      fill_roles (self, batch);
      rebuild_columns (self, batch);
    }
  for (guint c = 0; c < self->column_rows->len; c++)
    {
      guint position = role_position (self, batch->column_roles[c]);

      if (position == GTK_INVALID_LIST_POSITION)
        {
          fill_roles (self, batch);
          for (guint r = 0; r < self->column_rows->len; r++)
            adw_combo_row_set_model (g_ptr_array_index (self->column_rows, r),
                                     G_LIST_MODEL (self->role_labels));
          position = role_position (self, batch->column_roles[c]);
        }
      adw_combo_row_set_selected (g_ptr_array_index (self->column_rows, c), position);
    }
  fill_sample (self, batch);
  self->have_layout = TRUE;
  self->updating = FALSE;
}

/* The items only count the rows: each cell reads its issue by position
 * (refused_bind_cb), so that a hundred thousand refused rows cost no
 * more than their strings already do. */
static void
fill_refused (XiImportDialog *self,
              GPtrArray      *issues)
{
  g_autofree const char **blanks = g_new (const char *, issues->len + 1);
  GtkStringList *rows;
  g_autoptr(GtkNoSelection) selection = NULL;

  for (guint i = 0; i < issues->len; i++)
    blanks[i] = "";
  blanks[issues->len] = NULL;
  rows = gtk_string_list_new (blanks);
  selection = gtk_no_selection_new (G_LIST_MODEL (rows));
  gtk_column_view_set_model (self->refused_view, GTK_SELECTION_MODEL (selection));
  gtk_widget_set_visible (self->refused_group, issues->len > 0);
}

static void
previewed_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(XiImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiImportReport) report = xi_store_preview_import_finish (XI_STORE (object), result, &error);
  g_autofree char *counts = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->counts_progress), FALSE);
  if (report == NULL)
    {
      gtk_label_set_text (self->counts_label, error->message);
      return;
    }

  counts = counts_text (report);
  gtk_label_set_text (self->counts_label, counts);
  g_clear_pointer (&self->preview, xi_import_report_free);
  self->preview = g_steal_pointer (&report);
  fill_refused (self, self->preview->issues);
  update_import_button (self);
}

static void
preview_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(XiImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiImportBatch) batch = xi_import_read_file_finish (result, &error);
  g_autofree char *country = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (batch == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->counts_progress), FALSE);
      gtk_label_set_text (self->counts_label, error->message);
      return;
    }

  self->guess_columns = FALSE;
  show_layout (self, batch);
  if (batch->missing_phone)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->counts_progress), FALSE);
      gtk_label_set_text (self->counts_label, _("Choose the column that holds the phone numbers."));
      gtk_widget_set_visible (self->refused_group, FALSE);
      return;
    }

  /* The count, and later the import, read the rows with the options the
   * sample was read with, so that they find the same header and columns
   * even where those were guessed. */
  gtk_label_set_text (self->counts_label, _("Counting…"));
  country = xi_context_dup_country_code (self->context);
  xi_store_preview_import_file_async (xi_context_get_store (self->context), self->file,
                                      self->contents, country, self->read_options, NULL,
                                      show_preview_progress, weak_self_new (self), weak_self_free,
                                      self->preview_cancellable, previewed_cb, g_object_ref (self));
}

/* Whether the steps can read the file: from disk, or the copy in memory. */
static gboolean
file_ready (XiImportDialog *self)
{
  return self->streamed || self->contents != NULL;
}

/* Reads the first rows again with the current choices; a read or count
 * still running for older choices is cancelled. */
static void
start_preview (XiImportDialog *self)
{
  g_autoptr(XiImportOptions) options = dup_options (self);
  g_autofree char *country = xi_context_dup_country_code (self->context);
  g_autofree char *name = g_file_get_basename (self->file);

  if (!file_ready (self))
    return;

  g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  self->preview_cancellable = g_cancellable_new ();
  g_clear_pointer (&self->preview, xi_import_report_free);
  update_import_button (self);

  g_clear_pointer (&self->read_options, xi_import_options_free);
  self->read_options = xi_import_options_copy (options);
  options->sample_only = TRUE;
  gtk_label_set_text (self->counts_label, _("Reading the file…"));
  gtk_progress_bar_set_fraction (self->counts_progress, 0.0);
  gtk_widget_set_visible (GTK_WIDGET (self->counts_progress), TRUE);
  if (self->streamed)
    xi_import_read_file_full_async (self->file, country, options, self->preview_cancellable,
                                    NULL, NULL, NULL, preview_read_cb, g_object_ref (self));
  else
    xi_import_read_bytes_async (self->contents, name, country, options, self->preview_cancellable,
                                NULL, NULL, NULL, preview_read_cb, g_object_ref (self));
}

static void run_import (XiImportDialog *self);
static void fail (XiImportDialog *self,
                  const GError   *error);

/* The file can be read: the preview starts, or the import asked for
 * before. */
static void
read_first (XiImportDialog *self)
{
  if (self->import_pending)
    run_import (self);
  else
    start_preview (self);
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(XiImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  self->contents = xi_import_load_file_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (self->contents == NULL && self->import_pending)
    fail (self, error);
  else if (self->contents == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->counts_progress), FALSE);
      gtk_label_set_text (self->counts_label, error->message);
    }
  else
    read_first (self);
}

static void
queried_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(XiImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* What cannot be asked about is loaded, which says why it cannot be
   * read in words the reader chose. */
  if (info != NULL && g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR)
    {
      self->streamed = TRUE;
      read_first (self);
    }
  else
    xi_import_load_file_async (self->file, self->cancellable, loaded_cb, g_object_ref (self));
}

static void
fail (XiImportDialog *self,
      const GError   *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_label_set_text (self->summary_label, _("Import cancelled. Nothing was changed."));
  else
    gtk_label_set_text (self->summary_label, error->message);
  gtk_widget_set_visible (self->issues_label, FALSE);
  gtk_widget_set_visible (self->issues_scroll, FALSE);
  gtk_widget_set_visible (self->save_issues_button, FALSE);

  gtk_stack_set_visible_child_name (self->stack, "report");
  gtk_button_set_label (GTK_BUTTON (self->cancel_button), _("_Close"));
  g_signal_emit (self, signals[FINISHED], 0);
}

static void
show_report (XiImportDialog *self)
{
  XiImportReport *report = self->report;
  g_autoptr(GString) issues = g_string_new (NULL);
  g_autofree char *counts = counts_text (report);
  g_autofree char *summary = g_strdup_printf ("%s.", counts);

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

/* Callbacks */

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

  self->report = xi_contacts_facade_import_finish (XI_CONTACTS_FACADE (object), result, &error);
  g_clear_pointer (&self->contents, g_bytes_unref);
  if (self->report == NULL)
    {
      fail (self, error);
      return;
    }

  /* The lists follow the store; the groups and the custom fields an
   * import may have added are read again. */
  gtk_label_set_text (self->progress_label, _("Loading the contacts…"));
  gtk_progress_bar_pulse (self->progress_bar);
  xi_context_reload_async (self->context, NULL, reloaded_cb, g_object_ref (self));
}

static void
choice_changed_cb (XiImportDialog *self)
{
  if (self->updating || !self->have_layout)
    return;

  /* Another separator or header makes other columns: their roles are
   * guessed anew. */
  self->guess_columns = TRUE;
  start_preview (self);
}

static void
role_changed_cb (XiImportDialog *self)
{
  if (self->updating)
    return;
  start_preview (self);
}

/* Another encoding changes the text, not the columns: the roles chosen
 * for them are kept. */
static void
encoding_changed_cb (XiImportDialog *self)
{
  if (self->updating)
    return;
  self->encoding_chosen = TRUE;
  start_preview (self);
}

static void
group_changed_cb (XiImportDialog *self)
{
  gboolean creating = creating_group (self);

  if (creating && !gtk_widget_get_visible (GTK_WIDGET (self->new_group_row)))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->new_group_row), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->new_group_row));
    }
  else if (!creating)
    gtk_widget_set_visible (GTK_WIDGET (self->new_group_row), FALSE);
  update_import_button (self);
}

static void
import_clicked_cb (XiImportDialog *self)
{
  g_autofree char *group = g_strdup (group_choice (self));

  if (!gtk_widget_get_sensitive (self->import_button))
    return;
  xi_import_dialog_start (self, group);
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

  if (xi_csv_save_finish (G_FILE (object), result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (self->report != NULL)
    gtk_label_set_text (self->summary_label, error->message);
  else
    gtk_label_set_text (self->counts_label, error->message);
}

/* The issues the dialog shows: the import's once it ran, the preview's before. */
static GPtrArray *
shown_issues (XiImportDialog *self)
{
  if (self->report != NULL)
    return self->report->issues;
  if (self->preview != NULL)
    return self->preview->issues;
  return NULL;
}

static void
issues_file_chosen_cb (GtkNativeDialog *chooser,
                       int              response,
                       XiImportDialog  *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GPtrArray *issues = shown_issues (self);
  char *csv;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (file == NULL || issues == NULL)
    return;

  csv = xi_import_issues_to_csv (issues);
  bytes = g_bytes_new_take (csv, strlen (csv));
  /* The refused lines quote customers' data. */
  xi_csv_save_async (file, bytes, self->cancellable, issues_saved_cb, g_object_ref (self));
}

static void
save_issues_clicked_cb (XiImportDialog *self)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Save the Refused Rows"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("import-problems.csv"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (issues_file_chosen_cb), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
refused_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

/* The column (line, value or reason) is the factory's "column" data. */
static void
refused_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 XiImportDialog           *self)
{
  GPtrArray *issues = self->preview != NULL ? self->preview->issues : NULL;
  guint position = gtk_list_item_get_position (item);
  guint column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "column"));
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  XiImportIssue *issue;
  g_autofree char *line = NULL;

  if (issues == NULL || position >= issues->len)
    {
      gtk_label_set_text (label, "");
      return;
    }

  issue = g_ptr_array_index (issues, position);
  switch (column)
    {
    case 0:
      line = g_strdup_printf ("%u", issue->line);
      gtk_label_set_text (label, line);
      break;
    case 1:
      gtk_label_set_text (label, issue->excerpt != NULL ? issue->excerpt : "");
      break;
    default:
      gtk_label_set_text (label, issue->reason);
      gtk_widget_set_tooltip_text (GTK_WIDGET (label), issue->reason);
      break;
    }
}

static void
add_refused_column (XiImportDialog *self,
                    const char     *title,
                    guint           column,
                    gboolean        expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) view_column = NULL;

  g_object_set_data (G_OBJECT (factory), "column", GUINT_TO_POINTER (column));
  g_signal_connect (factory, "setup", G_CALLBACK (refused_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (refused_bind_cb), self);
  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_append_column (self->refused_view, view_column);
}

static void
fill_groups (XiImportDialog *self)
{
  GListModel *groups = xi_context_get_groups (self->context);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (names, g_strdup (C_("group", "None")));
  for (guint i = 0; i < g_list_model_get_n_items (groups); i++)
    {
      g_autoptr(XiGroup) group = g_list_model_get_item (groups, i);

      g_ptr_array_add (names, g_strdup (xi_group_get_name (group)));
    }
  g_ptr_array_add (names, g_strdup (_("New Group…")));
  g_ptr_array_add (names, NULL);
  gtk_string_list_splice (self->group_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->group_names)),
                          (const char * const *)names->pdata);
}

/* GObject overrides */

static void
xi_import_dialog_dispose (GObject *object)
{
  XiImportDialog *self = (XiImportDialog *)object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->preview_cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  g_clear_object (&self->context);
  g_clear_object (&self->file);
  g_clear_object (&self->role_labels);

  G_OBJECT_CLASS (xi_import_dialog_parent_class)->dispose (object);
}

static void
xi_import_dialog_finalize (GObject *object)
{
  XiImportDialog *self = (XiImportDialog *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->preview_cancellable);
  g_clear_pointer (&self->preview, xi_import_report_free);
  g_clear_pointer (&self->report, xi_import_report_free);
  g_clear_pointer (&self->contents, g_bytes_unref);
  g_clear_pointer (&self->read_options, xi_import_options_free);
  g_clear_pointer (&self->column_rows, g_ptr_array_unref);
  g_strfreev (self->column_titles);
  g_strfreev (self->role_values);
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
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, file_row);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, separator_row);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, encoding_row);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, header_row);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, header_switch);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, columns_group);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, sample_scroll);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, sample_grid);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, group_row);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, group_names);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, new_group_row);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, country_row);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, counts_label);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, counts_progress);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, refused_group);
  gtk_widget_class_bind_template_child (widget_class, XiImportDialog, refused_view);
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
  gtk_widget_class_bind_template_callback (widget_class, choice_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, encoding_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, group_changed_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
xi_import_dialog_init (XiImportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->column_rows = g_ptr_array_new ();
  gtk_widget_set_sensitive (self->import_button, FALSE);

  add_refused_column (self, _("Line"), 0, FALSE);
  add_refused_column (self, _("Value"), 1, FALSE);
  add_refused_column (self, _("Reason"), 2, TRUE);
}

static void
run_import (XiImportDialog *self)
{
  g_autofree char *country = xi_context_dup_country_code (self->context);

  self->import_pending = FALSE;
  gtk_label_set_text (self->progress_label, _("Saving the contacts…"));
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  xi_contacts_facade_import_async (xi_context_get_contacts_facade (self->context), self->file, self->contents,
                                   country, self->read_options, self->group_name,
                                   show_progress, weak_self_new (self), weak_self_free,
                                   self->cancellable, imported_cb, g_object_ref (self));
}

/* Public API */

/**
 * xi_import_dialog_start:
 * @self: a #XiImportDialog
 * @group_name: (nullable): put every imported contact in this group,
 *   created when missing
 *
 * Starts the import with the choices shown, as the Import button does;
 * called before the file is read, it imports it once read, with every
 * choice guessed.
 */
void
xi_import_dialog_start (XiImportDialog *self,
                        const char     *group_name)
{
  g_return_if_fail (XI_IS_IMPORT_DIALOG (self));

  g_cancellable_cancel (self->preview_cancellable);
  g_free (self->group_name);
  self->group_name = g_strdup (group_name);

  gtk_widget_set_visible (self->import_button, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "progress");
  gtk_widget_grab_focus (self->cancel_button);
  if (!file_ready (self))
    {
      /* Started before the file was read: everything is guessed. */
      gtk_label_set_text (self->progress_label, _("Reading the file…"));
      gtk_progress_bar_pulse (self->progress_bar);
      self->import_pending = TRUE;
      return;
    }
  run_import (self);
}

/**
 * xi_import_dialog_new:
 * @context: the shared services
 * @file: the file to import
 *
 * Returns: (transfer none): the dialog, owned by GTK until closed; it
 *   starts reading @file for the preview at once
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
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->file_row), name);
  adw_action_row_set_subtitle (self->country_row, country_text);
  fill_groups (self);
  gtk_label_set_text (self->counts_label, _("Reading the file…"));
  gtk_progress_bar_pulse (self->counts_progress);
  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT,
                           self->cancellable, queried_cb, g_object_ref (self));

  return GTK_WIDGET (self);
}

/**
 * xi_import_dialog_get_preview:
 * @self: a #XiImportDialog
 *
 * Returns: (transfer none) (nullable): what the import would do with the
 *   choices shown, once counted
 */
XiImportReport *
xi_import_dialog_get_preview (XiImportDialog *self)
{
  g_return_val_if_fail (XI_IS_IMPORT_DIALOG (self), NULL);
  return self->preview;
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
