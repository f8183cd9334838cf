/* test-ui-import.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xi-duplicates-dialog.h"
#include "xi-import-dialog.h"
#include "xi-test-utils.h"
#include "xi-test-zip.h"
#include "xi-ui-test-utils.h"

/*
 * The import dialog as a preview before anything is written, on a real
 * store: what it shows of a file, a column remapped with the keyboard,
 * the counts that follow, the refused rows saved to a file, and a group
 * created only when asked for by name. With --indonesian the same tests
 * run in Indonesian, for the screenshots.
 */

static const char *language;   /* "id", or NULL for English */

static GtkWidget *
child (GtkWidget  *dialog,
       const char *name)
{
  GtkWidget *widget = GTK_WIDGET (gtk_widget_get_template_child (dialog, XI_TYPE_IMPORT_DIALOG, name));

  g_assert_nonnull (widget);
  return widget;
}

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  g_autofree char *shot = g_strdup_printf ("%s-%s", name, language != NULL ? language : "en");

  xi_ui_screenshot (widget, shot);
}

/* Shows the end of the preview: the group and the refused rows. */
static void
scroll_to_end (GtkWidget *dialog)
{
  GtkWidget *page = xi_ui_find_widget (dialog, ADW_TYPE_PREFERENCES_PAGE);
  GtkScrolledWindow *scroll = GTK_SCROLLED_WINDOW (xi_ui_find_widget (page, GTK_TYPE_SCROLLED_WINDOW));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scroll);

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  xi_ui_spin (300);
}

static gboolean
previewed (gpointer data)
{
  return xi_import_dialog_get_preview (data) != NULL;
}

static gboolean
finished (gpointer data)
{
  return *(gboolean *)data;
}

static void
finished_cb (XiImportDialog *dialog,
             gboolean       *done)
{
  *done = TRUE;
}

static char *
write_file (XiUiFixture *f,
            const char  *name,
            GBytes      *contents)
{
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (contents, NULL),
                                      g_bytes_get_size (contents), NULL));
  return path;
}

static GtkWidget *
open_dialog (XiUiFixture *f,
             const char  *name,
             GBytes      *contents)
{
  g_autofree char *path = write_file (f, name, contents);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkWidget *dialog;

  dialog = xi_import_dialog_new (f->context, file);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 760, 900);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (xi_ui_wait_for (previewed, dialog, 30000));
  xi_ui_spin (300);
  return dialog;
}

static XiImportReport *
run_import (GtkWidget *dialog)
{
  gboolean done = FALSE;

  g_signal_connect (dialog, "finished", G_CALLBACK (finished_cb), &done);
  g_assert_true (gtk_widget_get_sensitive (child (dialog, "import_button")));
  g_signal_emit_by_name (child (dialog, "import_button"), "clicked");
  g_assert_true (xi_ui_wait_for (finished, &done, 30000));
  xi_ui_spin (200);
  return xi_import_dialog_get_report (XI_IMPORT_DIALOG (dialog));
}

static XiGroup *
find_group (XiUiFixture *f,
            const char  *name)
{
  GListModel *groups = xi_context_get_groups (f->context);

  for (guint i = 0; i < g_list_model_get_n_items (groups); i++)
    {
      g_autoptr(XiGroup) group = g_list_model_get_item (groups, i);

      if (g_str_equal (xi_group_get_name (group), name))
        return g_steal_pointer (&group);
    }
  return NULL;
}

/* The shared models follow the store's "changed" signal, a main-loop turn
 * or a reload after the import's own callback: wait for them. */
typedef struct
{
  XiUiFixture *f;
  guint        n_contacts;
  const char  *group_name;
  guint        n_members;
} Expected;

static gboolean
four_contacts (gpointer data)
{
  return !xi_contact_list_get_loading (data) && g_list_model_get_n_items (data) == 4;
}

static gboolean
models_caught_up (gpointer data)
{
  const Expected *expected = data;
  g_autoptr(XiGroup) group = NULL;

  if (g_list_model_get_n_items (xi_context_get_contacts (expected->f->context)) != expected->n_contacts)
    return FALSE;
  if (expected->group_name == NULL)
    return TRUE;
  group = find_group (expected->f, expected->group_name);
  return group != NULL && xi_group_get_member_count (group) == expected->n_members;
}

/* A label of the sample grid showing @text. */
static GtkWidget *
find_label (GtkWidget  *dialog,
            const char *text)
{
  GtkWidget *grid = child (dialog, "sample_grid");

  for (GtkWidget *label = gtk_widget_get_first_child (grid); label != NULL;
       label = gtk_widget_get_next_sibling (label))
    if (g_str_equal (gtk_label_get_text (GTK_LABEL (label)), text))
      return label;
  return NULL;
}

static gboolean
counts_say (gpointer data)
{
  GtkWidget *dialog = ((gpointer *)data)[0];
  const char *text = ((gpointer *)data)[1];

  return strstr (gtk_label_get_text (GTK_LABEL (child (dialog, "counts_label"))), text) != NULL;
}

/* Windows-1252, separated by semicolons, as Excel saves "CSV" in an
 * Indonesian locale. The guessed phone column is "Telp"; the newer
 * numbers are in "HP Baru", which reads as a custom field. */
static const char semicolon_csv[] =
  "Nama;Telp;HP Baru;Kota\r\n"
  "Jos\xe9;0812 1111 0001;0813 2222 0001;Bandung\r\n"
  "Ani;;0813 2222 0002;Medan\r\n"
  "Budi;;0813 2222 0003;Depok\r\n"
  "Rusak;12;;Solo\r\n";

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

/* Saves the refused rows through the file chooser, as a user would. */
static void
export_refused (GtkWidget  *dialog,
                const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) folder = g_file_get_parent (file);
  g_autofree char *name = g_file_get_basename (file);
  GtkWindow *chooser;
  GtkWidget *button = xi_ui_find_button (dialog, _("_Export…"));
  GStatBuf st;
  g_autofree char *text = NULL;

  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  xi_ui_spin (500);
  chooser = xi_ui_find_window (GTK_TYPE_FILE_CHOOSER_DIALOG);
  g_assert_nonnull (chooser);
  g_assert_true (gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  xi_ui_spin (300);
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  g_assert_true (xi_ui_wait_for (file_exists, (gpointer)path, 10000));
  xi_ui_spin (200);

  /* The rows quote customers' data: only the user may read the file. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "line,value,reason\r\n5,12,"));
  g_assert_null (strstr (text, "\r\n3,"));
}

static void
test_semicolon_preview (XiUiFixture   *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (semicolon_csv, sizeof semicolon_csv - 1);
  g_autofree char *export_path = g_build_filename (f->dir, "refused.csv", NULL);
  GtkWidget *dialog = open_dialog (f, "pelanggan.csv", bytes);
  XiImportReport *preview = xi_import_dialog_get_preview (XI_IMPORT_DIALOG (dialog));
  XiImportReport *report;
  GtkWidget *phone_row;
  GtkColumnView *refused;
  AdwComboRow *group_row;
  g_autoptr(XiGroup) group = NULL;
  static const char * const menu_keys[] = { "Home", "Down", "Down", "Down", "Return" };

  g_assert_cmpuint (preview->imported, ==, 1);
  g_assert_cmpuint (preview->updated, ==, 0);
  g_assert_cmpuint (preview->skipped, ==, 3);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (dialog, "separator_row"))), ==, 1);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (dialog, "encoding_row"))), ==, 1);
  g_assert_nonnull (xi_ui_find_row (dialog, "Nama"));
  g_assert_nonnull (find_label (dialog, "Jos\xc3\xa9"));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (child (dialog, "header_switch"))));
  refused = GTK_COLUMN_VIEW (child (dialog, "refused_view"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (refused))), ==, 3);
  /* Nothing is written by the preview. */
  g_assert_cmpuint (g_list_model_get_n_items (xi_context_get_contacts (f->context)), ==, 0);
  screenshot (dialog, "import-preview");

  /* "HP Baru" becomes the phone column with the keyboard: the menu opens
   * with Return, Home goes to its first entry, and the fourth is Phone. */
  phone_row = xi_ui_find_row (dialog, "HP Baru");
  g_assert_nonnull (phone_row);
  gtk_widget_grab_focus (phone_row);
  if (!xi_ui_send_keys (GTK_WINDOW (dialog), "key", "Return"))
    {
      g_test_skip ("xdotool is needed to send keys");
      gtk_window_destroy (GTK_WINDOW (dialog));
      return;
    }
  xi_ui_spin (300);
  g_test_message ("focus after Return: %s", G_OBJECT_TYPE_NAME (gtk_root_get_focus (GTK_ROOT (dialog))));
  for (guint i = 0; i < G_N_ELEMENTS (menu_keys); i++)
    xi_ui_send_keys (GTK_WINDOW (dialog), "key", menu_keys[i]);
  g_assert_true (xi_ui_wait_for (previewed, dialog, 30000));
  xi_ui_spin (300);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (phone_row)), ==, 3);

  /* The counts follow: the new numbers are preferred, and the old one
   * is used only where there is no new one. */
  preview = xi_import_dialog_get_preview (XI_IMPORT_DIALOG (dialog));
  g_assert_cmpuint (preview->imported, ==, 3);
  g_assert_cmpuint (preview->skipped, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (refused))), ==, 1);
  screenshot (dialog, "import-remapped");

  export_refused (dialog, export_path);

  /* A new group only by its name, typed on purpose. */
  group_row = ADW_COMBO_ROW (child (dialog, "group_row"));
  adw_combo_row_set_selected (group_row, g_list_model_get_n_items (adw_combo_row_get_model (group_row)) - 1);
  xi_ui_spin (200);
  g_assert_true (gtk_widget_get_visible (child (dialog, "new_group_row")));
  g_assert_false (gtk_widget_get_sensitive (child (dialog, "import_button")));
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, "new_group_row")), "Pameran Baru");
  xi_ui_spin (200);
  scroll_to_end (dialog);
  screenshot (dialog, "import-new-group");

  report = run_import (dialog);
  g_assert_nonnull (report);
  g_assert_cmpuint (report->imported, ==, 3);
  g_assert_cmpuint (report->skipped, ==, 1);
  screenshot (dialog, "import-done");

  g_assert_true (xi_ui_wait_for (models_caught_up, &(Expected) { f, 3, "Pameran Baru", 3 }, 10000));
  group = find_group (f, "Pameran Baru");
  g_assert_nonnull (group);
  g_assert_cmpuint (xi_group_get_member_count (group), ==, 3);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

#define XLSX_WORKBOOK \
  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n" \
  "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"" \
  " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">" \
  "<sheets><sheet name=\"Pelanggan\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
#define XLSX_RELS \
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
  "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" \
  "<Relationship Id=\"rId1\" Type=\"worksheet\" Target=\"worksheets/sheet1.xml\"/>" \
  "</Relationships>"

/* A workbook is previewed as its first sheet; without a group chosen no
 * group appears, and an existing contact counts as updated. */
static void
test_xlsx_preview (XiUiFixture   *f,
                   gconstpointer  data)
{
  const XiTestZipPart parts[] = {
    { "xl/workbook.xml", XLSX_WORKBOOK },
    { "xl/_rels/workbook.xml.rels", XLSX_RELS },
    { "xl/worksheets/sheet1.xml",
      "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
      "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Nama Pelanggan</t></is></c>"
      "<c r=\"B1\" t=\"inlineStr\"><is><t>No WA</t></is></c>"
      "<c r=\"C1\" t=\"inlineStr\"><is><t>Kota</t></is></c></row>"
      "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>Ibu Siti</t></is></c>"
      "<c r=\"B2\"><v>6281234567890</v></c>"
      "<c r=\"C2\" t=\"inlineStr\"><is><t>Jakarta</t></is></c></row>"
      "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>Pak Budi</t></is></c>"
      "<c r=\"B3\" t=\"inlineStr\"><is><t>0813-1111-0003</t></is></c>"
      "<c r=\"C3\" t=\"inlineStr\"><is><t>Bandung</t></is></c></row>"
      "<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>Salah</t></is></c>"
      "<c r=\"B4\" t=\"inlineStr\"><is><t>12ab</t></is></c></row>"
      "</sheetData></worksheet>" },
  };
  g_autoptr(GBytes) bytes = xi_test_make_zip (parts, G_N_ELEMENTS (parts));
  g_autoptr(GBytes) first = g_bytes_new_static ("Nama,HP\nSiti,081234567890\n", 26);
  GtkWidget *dialog;
  XiImportReport *preview;
  XiImportReport *report;

  /* Siti is a contact already. */
  dialog = open_dialog (f, "lama.csv", first);
  g_assert_nonnull (run_import (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));

  dialog = open_dialog (f, "pelanggan.xlsx", bytes);
  preview = xi_import_dialog_get_preview (XI_IMPORT_DIALOG (dialog));
  g_assert_cmpuint (preview->imported, ==, 1);
  g_assert_cmpuint (preview->updated, ==, 1);
  g_assert_cmpuint (preview->skipped, ==, 1);
  g_assert_false (gtk_widget_get_visible (child (dialog, "separator_row")));
  g_assert_false (gtk_widget_get_visible (child (dialog, "encoding_row")));
  g_assert_nonnull (xi_ui_find_row (dialog, "Nama Pelanggan"));
  screenshot (dialog, "import-xlsx");

  report = run_import (dialog);
  g_assert_cmpuint (report->imported, ==, 1);
  g_assert_cmpuint (report->updated, ==, 1);
  g_assert_true (xi_ui_wait_for (models_caught_up, &(Expected) { f, 2, NULL, 0 }, 10000));
  g_assert_cmpuint (g_list_model_get_n_items (xi_context_get_groups (f->context)), ==, 0);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Titles the app does not know: the preview asks for the phone column
 * instead of refusing the file, and reads it once one is chosen. */
static void
test_choose_phone_column (XiUiFixture   *f,
                          gconstpointer  data)
{
  static const char text[] = "Pelanggan,Nomor Pelanggan\nBudi,081234567890\nAni,081311112222\n";
  g_autofree char *path = g_build_filename (f->dir, "tanpa-judul.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkWidget *dialog;
  GtkWidget *row;

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  dialog = xi_import_dialog_new (f->context, file);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 760, 900);
  gtk_window_present (GTK_WINDOW (dialog));
  row = NULL;
  for (guint i = 0; i < 100 && (row = xi_ui_find_row (dialog, "Nomor Pelanggan")) == NULL; i++)
    xi_ui_spin (100);
  g_assert_nonnull (row);
  xi_ui_spin (200);
  g_assert_null (xi_import_dialog_get_preview (XI_IMPORT_DIALOG (dialog)));
  g_assert_false (gtk_widget_get_sensitive (child (dialog, "import_button")));
  screenshot (dialog, "import-choose-phone");

  adw_combo_row_set_selected (ADW_COMBO_ROW (row), 3);
  g_assert_true (xi_ui_wait_for (previewed, dialog, 30000));
  g_assert_cmpuint (xi_import_dialog_get_preview (XI_IMPORT_DIALOG (dialog))->imported, ==, 2);
  g_assert_true (gtk_widget_get_sensitive (child (dialog, "import_button")));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* A named pipe that gives its text to the first reader only: a second
 * read would wait for a writer forever, and the dialog's preview or
 * import with it. */
typedef struct
{
  char    *path;
  GBytes  *contents;
  GThread *thread;
} OncePipe;

static gpointer
pipe_writer (gpointer data)
{
  OncePipe *pipe = data;
  gsize len;
  const char *text = g_bytes_get_data (pipe->contents, &len);
  int fd = open (pipe->path, O_WRONLY);

  g_assert_cmpint (fd, >=, 0);
  while (len > 0)
    {
      gssize n = write (fd, text, len);

      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >, 0);
      text += n;
      len -= n;
    }
  close (fd);
  return NULL;
}

static OncePipe *
once_pipe_new (const char *path,
               GBytes     *contents)
{
  OncePipe *pipe = g_new0 (OncePipe, 1);

  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  pipe->path = g_strdup (path);
  pipe->contents = g_bytes_ref (contents);
  pipe->thread = g_thread_new ("pipe-writer", pipe_writer, pipe);
  return pipe;
}

/* Fails when somebody waits to read the pipe a second time. */
static void
once_pipe_free (OncePipe *pipe)
{
  int fd;

  g_thread_join (pipe->thread);
  /* Opening a pipe to write without blocking succeeds only when a
   * reader waits on the other end. */
  fd = open (pipe->path, O_WRONLY | O_NONBLOCK);
  if (fd >= 0)
    close (fd);
  g_assert_cmpint (fd, <, 0);
  g_assert_cmpint (errno, ==, ENXIO);
  g_unlink (pipe->path);
  g_free (pipe->path);
  g_bytes_unref (pipe->contents);
  g_free (pipe);
}

/* The preview, a changed choice, its count and the import read the file
 * once between them: a pipe that can be read once imports like a file. */
static void
test_read_once (XiUiFixture   *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (semicolon_csv, sizeof semicolon_csv - 1);
  g_autofree char *path = g_build_filename (f->dir, "pipa.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  OncePipe *pipe = once_pipe_new (path, bytes);
  GtkWidget *dialog;
  XiImportReport *report;

  dialog = xi_import_dialog_new (f->context, file);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (xi_ui_wait_for (previewed, dialog, 30000));
  g_assert_cmpuint (xi_import_dialog_get_preview (XI_IMPORT_DIALOG (dialog))->imported, ==, 1);

  /* Another phone column: read and counted again, from memory. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (xi_ui_find_row (dialog, "HP Baru")), 3);
  g_assert_true (xi_ui_wait_for (previewed, dialog, 30000));
  g_assert_cmpuint (xi_import_dialog_get_preview (XI_IMPORT_DIALOG (dialog))->imported, ==, 3);

  report = run_import (dialog);
  g_assert_nonnull (report);
  g_assert_cmpuint (report->imported, ==, 3);
  g_assert_true (xi_ui_wait_for (models_caught_up, &(Expected) { f, 3, NULL, 0 }, 10000));
  gtk_window_destroy (GTK_WINDOW (dialog));
  once_pipe_free (pipe);
}

static XiContact *
find_contact (XiUiFixture *f,
              const char  *phone)
{
  GListModel *contacts = xi_context_get_contacts (f->context);

  /* The list loads its rows as they are asked for; wait for the page. */
  xi_ui_wait_contacts (contacts);
  for (guint i = 0; i < g_list_model_get_n_items (contacts); i++)
    {
      g_autoptr(XiContact) contact = g_list_model_get_item (contacts, i);

      if (g_strcmp0 (xi_contact_get_phone (contact), phone) == 0)
        return g_steal_pointer (&contact);
    }
  return NULL;
}

static guint
selected_encoding (GtkWidget *dialog)
{
  return adw_combo_row_get_selected (ADW_COMBO_ROW (child (dialog, "encoding_row")));
}

/* The encoding the user chooses is the one the sample, the counts and
 * the import follow. */
static void
test_encoding_switch (XiUiFixture   *f,
                      gconstpointer  data)
{
  static const char text[] = "Nama,HP,Harga\n"
                             "Caf\xe9 Rasa,081211110001,\x80 5\n"
                             "Toko Budi,081211110002,\x80 7\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, sizeof text - 1);
  g_autoptr(GString) utf16 = g_string_new (NULL);
  const char *ascii = "Nama,HP\nSiti,081211110003\n";
  g_autoptr(GBytes) utf16_bytes = NULL;
  g_autofree char *utf16_path = NULL;
  g_autoptr(GFile) utf16_file = NULL;
  GtkWidget *dialog = open_dialog (f, "harga.csv", bytes);
  AdwComboRow *encoding = ADW_COMBO_ROW (child (dialog, "encoding_row"));
  g_autoptr(XiContact) contact = NULL;
  XiImportReport *report;

  /* Not UTF-8: read as Windows-1252, where 0x80 is the euro sign. */
  g_assert_cmpuint (selected_encoding (dialog), ==, 1);
  g_assert_nonnull (find_label (dialog, "Caf\xc3\xa9 Rasa"));
  g_assert_nonnull (find_label (dialog, "\xe2\x82\xac 5"));

  /* As UTF-8 it cannot be read, and the dialog says which line is at fault. */
  adw_combo_row_set_selected (encoding, 0);
  g_assert_true (xi_ui_wait_for (counts_say, (gpointer[]) { dialog, "2" }, 10000));
  g_assert_null (xi_import_dialog_get_preview (XI_IMPORT_DIALOG (dialog)));
  g_assert_false (gtk_widget_get_sensitive (child (dialog, "import_button")));
  xi_ui_spin (300);
  screenshot (dialog, "import-encoding-wrong");

  /* As ISO-8859-1, 0x80 is a control character instead. */
  adw_combo_row_set_selected (encoding, 2);
  g_assert_true (xi_ui_wait_for (previewed, dialog, 30000));
  xi_ui_spin (200);
  g_assert_nonnull (find_label (dialog, "Caf\xc3\xa9 Rasa"));
  g_assert_null (find_label (dialog, "\xe2\x82\xac 5"));
  g_assert_cmpuint (xi_import_dialog_get_preview (XI_IMPORT_DIALOG (dialog))->imported, ==, 2);

  /* Back to Windows-1252, and the import keeps the euro. */
  adw_combo_row_set_selected (encoding, 1);
  g_assert_true (xi_ui_wait_for (previewed, dialog, 30000));
  xi_ui_spin (200);
  screenshot (dialog, "import-encoding");
  report = run_import (dialog);
  g_assert_cmpuint (report->imported, ==, 2);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (xi_ui_wait_for (models_caught_up, &(Expected) { f, 2, NULL, 0 }, 10000));
  contact = find_contact (f, "6281211110001");
  g_assert_nonnull (contact);
  g_assert_cmpstr (xi_contact_get_custom_field (contact, "harga"), ==, "\xe2\x82\xac 5");

  /* UTF-16 without its byte-order mark looks like binary to the guess;
   * chosen, it reads. */
  for (const char *p = ascii; *p != '\0'; p++)
    g_string_append_len (utf16, (char[]) { *p, 0 }, 2);
  utf16_bytes = g_bytes_new (utf16->str, utf16->len);
  utf16_path = write_file (f, "unicode.csv", utf16_bytes);
  utf16_file = g_file_new_for_path (utf16_path);
  dialog = xi_import_dialog_new (f->context, utf16_file);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (xi_ui_wait_for (counts_say, (gpointer[]) { dialog, "CSV UTF-8" }, 10000));
  g_assert_true (gtk_widget_get_visible (child (dialog, "encoding_row")));
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (dialog, "encoding_row")), 3);
  g_assert_true (xi_ui_wait_for (previewed, dialog, 30000));
  g_assert_cmpuint (xi_import_dialog_get_preview (XI_IMPORT_DIALOG (dialog))->imported, ==, 1);
  g_assert_nonnull (find_label (dialog, "Siti"));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static gboolean
sample_shown (gpointer data)
{
  return xi_ui_find_row (data, "HP") != NULL;
}

static gboolean
import_progressed (gpointer data)
{
  return gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (child (data, "progress_bar"))) > 0.0;
}

/* A line of /proc/self/status in kB: "VmHWM:" for the peak, "VmRSS:"
 * for now. */
static guint64
status_kb (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, field);
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen (field), NULL, 10);
}

static guint64
peak_rss_kb (void)
{
  return status_kb ("VmHWM:");
}

/* A regular file is read from disk at each step, never kept by the
 * dialog: with 48 MB of blank lines around three contacts, the dialog
 * that shows their preview, counted, holds far less than the file, and
 * imports them. */
static void
test_streamed (XiUiFixture   *f,
               gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "berjarak.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *blank = g_malloc (1024 * 1024);
  GtkWidget *dialog;
  XiImportReport *report;
  guint64 before, after;
  FILE *out;

  memset (blank, '\n', 1024 * 1024);
  out = fopen (path, "w");
  g_assert_nonnull (out);
  fputs ("Nama,HP,Kota\nAni,081200000001,Bandung\n", out);
  for (guint i = 0; i < 48; i++)
    g_assert_cmpuint (fwrite (blank, 1, 1024 * 1024, out), ==, 1024 * 1024);
  fputs ("Budi,081200000002,Solo\nCitra,081200000003,Jakarta\n", out);
  g_assert_cmpint (fclose (out), ==, 0);

  xi_ui_spin (200);
  before = status_kb ("VmRSS:");
  dialog = xi_import_dialog_new (f->context, file);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (xi_ui_wait_for (previewed, dialog, 60000));
  g_assert_cmpuint (xi_import_dialog_get_preview (XI_IMPORT_DIALOG (dialog))->imported, ==, 3);
  xi_ui_spin (300);
  after = status_kb ("VmRSS:");
  g_test_message ("a 48 MB file previewed: resident %" G_GUINT64_FORMAT " kB, %" G_GUINT64_FORMAT
                  " kB before the dialog", after, before);
  g_assert_cmpuint (after, <, before + 24 * 1024);

  report = run_import (dialog);
  g_assert_nonnull (report);
  g_assert_cmpuint (report->imported, ==, 3);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* A hundred thousand rows: the first rows show within a second, the
 * counts follow, and Cancel in the middle of the import leaves the store
 * as it was; then the import runs to its end. */
static void
test_large_file (XiUiFixture   *f,
                 gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new ("Nama,HP,Kota\n");
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  GtkWidget *dialog;
  gint64 start, shown, counted, imported;
  guint64 rss_before;
  gboolean done = FALSE;
  XiImportReport *report;

  for (guint i = 0; i < 100000; i++)
    g_string_append_printf (text, "Pelanggan %u,0812%08u,Kota %u\n", i, i, i % 50);
  bytes = g_bytes_new (text->str, text->len);
  path = write_file (f, "besar.csv", bytes);
  file = g_file_new_for_path (path);
  rss_before = peak_rss_kb ();

  start = g_get_monotonic_time ();
  dialog = xi_import_dialog_new (f->context, file);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (xi_ui_wait_for (sample_shown, dialog, 30000));
  shown = g_get_monotonic_time ();
  g_assert_true (xi_ui_wait_for (previewed, dialog, 120000));
  counted = g_get_monotonic_time ();
  g_assert_cmpuint (xi_import_dialog_get_preview (XI_IMPORT_DIALOG (dialog))->imported, ==, 100000);
  g_test_message ("100000 rows: first rows shown after %.0f ms, counted after %.0f ms; "
                  "peak RSS %" G_GUINT64_FORMAT " kB, %" G_GUINT64_FORMAT " kB before the dialog",
                  (shown - start) / 1000.0, (counted - start) / 1000.0, peak_rss_kb (), rss_before);
  g_assert_cmpint (shown - start, <, 5 * G_USEC_PER_SEC);

  g_signal_connect (dialog, "finished", G_CALLBACK (finished_cb), &done);
  g_signal_emit_by_name (child (dialog, "import_button"), "clicked");
  g_assert_true (xi_ui_wait_for (import_progressed, dialog, 60000));
  xi_ui_spin (100);
  screenshot (dialog, "import-progress");
  g_signal_emit_by_name (child (dialog, "cancel_button"), "clicked");
  g_assert_true (xi_ui_wait_for (finished, &done, 60000));
  g_assert_null (xi_import_dialog_get_report (XI_IMPORT_DIALOG (dialog)));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (dialog, "summary_label"))), ==,
                   _("Import cancelled. Nothing was changed."));
  xi_ui_spin (300);
  g_assert_cmpuint (g_list_model_get_n_items (xi_context_get_contacts (f->context)), ==, 0);
  gtk_window_destroy (GTK_WINDOW (dialog));

  dialog = xi_import_dialog_new (f->context, file);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (xi_ui_wait_for (previewed, dialog, 120000));
  start = g_get_monotonic_time ();
  report = run_import (dialog);
  imported = g_get_monotonic_time ();
  g_assert_nonnull (report);
  g_assert_cmpuint (report->imported, ==, 100000);
  /* The peak includes the shared models reloaded after the import. */
  g_test_message ("100000 rows imported and the models reloaded in %.0f ms; peak RSS %"
                  G_GUINT64_FORMAT " kB", (imported - start) / 1000.0, peak_rss_kb ());
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
finalized_cb (gpointer  data,
              GObject  *where_the_object_was)
{
  *(GThread **)data = g_thread_self ();
}

static gboolean
finalized (gpointer data)
{
  return *(GThread **)data != NULL;
}

/* Closed as soon as the import is done, as a user would, again and
 * again: the reader's and the store's threads let go of their progress
 * callbacks at their own pace, and the dialog, a tree of widgets, must
 * still be finalized on the main thread. */
static void
test_finalized_on_main_thread (XiUiFixture   *f,
                               gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new ("Nama,HP\n");
  g_autoptr(GBytes) bytes = NULL;

  for (guint i = 0; i < 2000; i++)
    g_string_append_printf (text, "Pelanggan %u,0812%08u\n", i, i);
  bytes = g_bytes_new (text->str, text->len);

  for (guint round = 0; round < 5; round++)
    {
      GtkWidget *dialog = open_dialog (f, "banyak.csv", bytes);
      GThread *thread = NULL;

      g_object_weak_ref (G_OBJECT (dialog), finalized_cb, &thread);
      g_assert_nonnull (run_import (dialog));
      gtk_window_destroy (GTK_WINDOW (dialog));
      g_assert_true (xi_ui_wait_for (finalized, &thread, 10000));
      g_assert_true (thread == g_thread_self ());
    }
}

static gboolean
duplicates_listed (gpointer data)
{
  GtkStack *stack = GTK_STACK (gtk_widget_get_template_child (data, XI_TYPE_DUPLICATES_DIALOG, "stack"));

  return g_strcmp0 (gtk_stack_get_visible_child_name (stack), "loading") != 0;
}

static gboolean
duplicates_idle (gpointer data)
{
  return !xi_duplicates_dialog_get_busy (data);
}

static void
import_text (XiUiFixture *f,
             const char  *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  GtkWidget *dialog = open_dialog (f, "dobel.csv", bytes);

  g_assert_nonnull (run_import (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* From the Contacts page menu: one pair merged into the second contact,
 * the other kept apart, and neither proposed again. */
static void
test_duplicates (XiUiFixture   *f,
                 gconstpointer  data)
{
  GtkWidget *dialog;
  GtkWidget *merge;
  GtkWidget *keep_all;
  GtkWidget *row;
  GListModel *contacts;

  import_text (f, "Nama;HP;Grup\n"
                  "Ibu Siti Aminah;081211110001;Pameran\n"
                  "siti aminah;081211110002;Setia\n"
                  "Dewi;081211110003;\n"
                  "Kak Dewi;081211110004;\n"
                  "Budi;081211110005;\n");

  dialog = xi_duplicates_dialog_new (f->context);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 640, 640);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (xi_ui_wait_for (duplicates_listed, dialog, 10000));
  xi_ui_spin (300);
  g_assert_cmpuint (xi_duplicates_dialog_get_n_shown (XI_DUPLICATES_DIALOG (dialog)), ==, 2);
  screenshot (dialog, "duplicates");

  /* Keep the second Siti: her row's check, then Merge of her group (the
   * groups are sorted by name, "dewi" before "siti aminah"). */
  row = xi_ui_find_row (dialog, "siti aminah");
  g_assert_nonnull (row);
  gtk_widget_activate (row);
  merge = xi_ui_find_button (gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP), _("_Merge"));
  g_assert_nonnull (merge);
  g_signal_emit_by_name (merge, "clicked");
  g_assert_true (xi_ui_wait_for (duplicates_idle, dialog, 10000));
  xi_ui_spin (500);

  keep_all = xi_ui_find_button (dialog, _("_Keep All"));
  g_assert_nonnull (keep_all);
  g_signal_emit_by_name (keep_all, "clicked");
  g_assert_true (xi_ui_wait_for (duplicates_idle, dialog, 10000));
  xi_ui_spin (500);
  g_assert_cmpuint (xi_duplicates_dialog_get_n_shown (XI_DUPLICATES_DIALOG (dialog)), ==, 0);
  screenshot (dialog, "duplicates-done");
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* The merge reaches the contacts' list through the store. */
  contacts = xi_context_get_contacts (f->context);
  g_assert_true (xi_ui_wait_for (four_contacts, contacts, 10000));
  xi_ui_wait_contacts (contacts);
  for (guint i = 0; i < g_list_model_get_n_items (contacts); i++)
    {
      g_autoptr(XiContact) contact = g_list_model_get_item (contacts, i);

      if (g_str_equal (xi_contact_get_phone (contact), "6281211110002"))
        g_assert_cmpuint (g_strv_length ((char **)xi_contact_get_group_ids (contact)), ==, 2);
      g_assert_cmpstr (xi_contact_get_phone (contact), !=, "6281211110001");
    }

  dialog = xi_duplicates_dialog_new (f->context);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (xi_ui_wait_for (duplicates_listed, dialog, 10000));
  g_assert_cmpuint (xi_duplicates_dialog_get_n_shown (XI_DUPLICATES_DIALOG (dialog)), ==, 0);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* The file chooser tries the desktop portal first, and warns that the
 * test has no session bus before it falls back to its own dialog. */
static gboolean
no_session_bus_cb (const char     *domain,
                   GLogLevelFlags  level,
                   const char     *message,
                   gpointer        user_data)
{
  return strstr (message, "Unable to acquire session bus") == NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *locale_dir = NULL;
  int skip, result;

  skip = xi_ui_init_language (&argc, &argv, XI_TEST_LOCALEDIR, &language, &locale_dir);
  if (skip != 0)
    return skip;

  g_test_log_set_fatal_handler (no_session_bus_cb, NULL);
  g_test_add ("/xi/ui-import/semicolon-preview", XiUiFixture, NULL, xi_ui_fixture_setup,
              test_semicolon_preview, xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-import/xlsx-preview", XiUiFixture, NULL, xi_ui_fixture_setup,
              test_xlsx_preview, xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-import/duplicates", XiUiFixture, NULL, xi_ui_fixture_setup,
              test_duplicates, xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-import/choose-phone-column", XiUiFixture, NULL, xi_ui_fixture_setup,
              test_choose_phone_column, xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-import/read-once", XiUiFixture, NULL, xi_ui_fixture_setup,
              test_read_once, xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-import/encoding-switch", XiUiFixture, NULL, xi_ui_fixture_setup,
              test_encoding_switch, xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-import/streamed", XiUiFixture, NULL, xi_ui_fixture_setup,
              test_streamed, xi_ui_fixture_teardown);
  /* A measurement, in one language: the Indonesian run has nothing to add. */
  if (language == NULL)
    g_test_add ("/xi/ui-import/large-file", XiUiFixture, NULL, xi_ui_fixture_setup,
                test_large_file, xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-import/finalized-on-main-thread", XiUiFixture, NULL, xi_ui_fixture_setup,
              test_finalized_on_main_thread, xi_ui_fixture_teardown);

  result = g_test_run ();
  if (locale_dir != NULL)
    xi_test_rm_rf (locale_dir);
  return result;
}
