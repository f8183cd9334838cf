/* xi-import-reader.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-import-reader"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "xi-csv.h"
#include "xi-import-reader.h"
#include "xi-phone.h"
#include "xi-progress.h"
#include "xi-vcard.h"

/*
 * Turns a contact file into rows for the store. Spreadsheets put columns
 * in any order, name them in Indonesian or English and mix in whatever
 * else the shop tracks, so the header is matched loosely and every column
 * we do not know becomes a custom field (usable as a template variable).
 * A bad row never stops the import: it becomes an issue with its line
 * number, and the good rows go on.
 */

G_DEFINE_QUARK (xi-import-error-quark, xi_import_error)

/* Records between two progress reports and cancellation checks. */
#define CHUNK 1000

typedef enum {
  COLUMN_CUSTOM,
  COLUMN_NAME,
  COLUMN_FIRST_NAME,
  COLUMN_LAST_NAME,
  COLUMN_PHONE,
  COLUMN_TAGS,
  COLUMN_NOTES,
  COLUMN_GROUPS,
} ColumnKind;

/* Header names, compared after lower-casing and dropping everything but
 * letters and digits ("No. HP" → "nohp"). */
static const struct {
  const char *alias;
  ColumnKind  kind;
} aliases[] = {
  { "name", COLUMN_NAME }, { "nama", COLUMN_NAME }, { "namalengkap", COLUMN_NAME },
  { "fullname", COLUMN_NAME }, { "contact", COLUMN_NAME }, { "contactname", COLUMN_NAME },
  { "kontak", COLUMN_NAME }, { "namakontak", COLUMN_NAME }, { "customer", COLUMN_NAME },
  { "customername", COLUMN_NAME }, { "pelanggan", COLUMN_NAME }, { "namapelanggan", COLUMN_NAME },
  { "displayname", COLUMN_NAME },
  { "firstname", COLUMN_FIRST_NAME }, { "givenname", COLUMN_FIRST_NAME }, { "namadepan", COLUMN_FIRST_NAME },
  { "lastname", COLUMN_LAST_NAME }, { "familyname", COLUMN_LAST_NAME }, { "surname", COLUMN_LAST_NAME },
  { "namabelakang", COLUMN_LAST_NAME },
  { "phone", COLUMN_PHONE }, { "phonenumber", COLUMN_PHONE }, { "telephone", COLUMN_PHONE },
  { "nomor", COLUMN_PHONE }, { "nomorhp", COLUMN_PHONE }, { "nomortelepon", COLUMN_PHONE },
  { "nomorwa", COLUMN_PHONE }, { "nomorwhatsapp", COLUMN_PHONE }, { "nomorponsel", COLUMN_PHONE },
  { "no", COLUMN_PHONE }, { "nohp", COLUMN_PHONE }, { "notelp", COLUMN_PHONE },
  { "notelepon", COLUMN_PHONE }, { "nowa", COLUMN_PHONE }, { "hp", COLUMN_PHONE },
  { "handphone", COLUMN_PHONE }, { "whatsapp", COLUMN_PHONE }, { "wa", COLUMN_PHONE },
  { "telepon", COLUMN_PHONE }, { "telp", COLUMN_PHONE }, { "tel", COLUMN_PHONE },
  { "mobile", COLUMN_PHONE }, { "mobilephone", COLUMN_PHONE }, { "mobilenumber", COLUMN_PHONE },
  { "cell", COLUMN_PHONE }, { "cellphone", COLUMN_PHONE }, { "ponsel", COLUMN_PHONE },
  { "msisdn", COLUMN_PHONE }, { "number", COLUMN_PHONE },
  { "tags", COLUMN_TAGS }, { "tag", COLUMN_TAGS }, { "label", COLUMN_TAGS }, { "labels", COLUMN_TAGS },
  { "notes", COLUMN_NOTES }, { "note", COLUMN_NOTES }, { "catatan", COLUMN_NOTES },
  { "keterangan", COLUMN_NOTES }, { "memo", COLUMN_NOTES },
  { "group", COLUMN_GROUPS }, { "groups", COLUMN_GROUPS }, { "grup", COLUMN_GROUPS },
  { "kelompok", COLUMN_GROUPS }, { "list", COLUMN_GROUPS },
};

/* custom_values has NULL holes for empty cells, so it is freed by count. */
static void
import_row_free (XiImportRow *row,
                 guint        n_custom)
{
  g_free (row->name);
  g_free (row->phone);
  g_strfreev (row->tags);
  g_free (row->notes);
  for (guint i = 0; row->custom_values != NULL && i < n_custom; i++)
    g_free (row->custom_values[i]);
  g_free (row->custom_values);
  g_strfreev (row->groups);
  g_free (row);
}

static void
import_issue_free (gpointer data)
{
  XiImportIssue *issue = data;

  g_free (issue->excerpt);
  g_free (issue->reason);
  g_free (issue);
}

/**
 * xi_import_batch_new:
 *
 * Returns: (transfer full): an empty batch; xi_import_batch_free() frees
 *   the rows and issues added to it
 */
XiImportBatch *
xi_import_batch_new (void)
{
  XiImportBatch *batch = g_new0 (XiImportBatch, 1);

  batch->rows = g_ptr_array_new ();
  batch->issues = g_ptr_array_new_with_free_func (import_issue_free);
  batch->custom_field_names = g_new0 (char *, 1);
  batch->delimiter = ',';
  return batch;
}

void
xi_import_batch_free (XiImportBatch *batch)
{
  guint n_custom;

  if (batch == NULL)
    return;

  n_custom = batch->custom_field_names != NULL ? g_strv_length (batch->custom_field_names) : 0;
  for (guint i = 0; batch->rows != NULL && i < batch->rows->len; i++)
    import_row_free (g_ptr_array_index (batch->rows, i), n_custom);
  g_clear_pointer (&batch->rows, g_ptr_array_unref);
  g_clear_pointer (&batch->issues, g_ptr_array_unref);
  g_strfreev (batch->custom_field_names);
  g_free (batch);
}

static void
add_issue (XiImportBatch *batch,
           guint          line,
           const char    *excerpt,
           const char    *reason)
{
  XiImportIssue *issue = g_new0 (XiImportIssue, 1);

  issue->line = line;
  issue->excerpt = excerpt != NULL && excerpt[0] != '\0' ? g_strdup (excerpt) : NULL;
  issue->reason = g_strdup (reason);
  g_ptr_array_add (batch->issues, issue);
}

/* "No. HP" → "nohp"; "Kota Asal" → "kotaasal". */
static char *
header_key (const char *header)
{
  g_autofree char *ascii = g_str_to_ascii (header, "C");
  GString *key = g_string_new (NULL);

  for (const char *p = ascii; *p != '\0'; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (key, g_ascii_tolower (*p));
  return g_string_free (key, FALSE);
}

/* "Kota Asal" → "kota_asal", a valid template variable name. */
static char *
custom_field_name (const char *header,
                   guint       column)
{
  g_autofree char *ascii = g_str_to_ascii (header, "C");
  GString *name = g_string_new (NULL);

  for (const char *p = ascii; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (name, g_ascii_tolower (*p));
      else if (name->len > 0 && name->str[name->len - 1] != '_')
        g_string_append_c (name, '_');
    }
  while (name->len > 0 && name->str[name->len - 1] == '_')
    g_string_truncate (name, name->len - 1);
  if (name->len == 0)
    g_string_printf (name, "column_%u", column + 1);

  return g_string_free (name, FALSE);
}

static ColumnKind
classify (const char *header)
{
  g_autofree char *key = header_key (header);

  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    if (g_str_equal (key, aliases[i].alias))
      return aliases[i].kind;
  return COLUMN_CUSTOM;
}

static char **
split_list (const char *value)
{
  g_auto(GStrv) parts = g_strsplit_set (value, ",;|", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *item = g_strstrip (parts[i]);

      if (item[0] != '\0')
        g_strv_builder_add (builder, item);
    }
  return g_strv_builder_end (builder);
}

static char *
nonempty (const char *value)
{
  g_autofree char *copy = g_strstrip (g_strdup (value));

  return copy[0] != '\0' ? g_steal_pointer (&copy) : NULL;
}

/* A name is one line: spreadsheets sometimes hold a line break in a cell. */
static char *
single_line (const char *value)
{
  g_auto(GStrv) words = g_strsplit_set (value, " \t\r\n", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      if (words[i][0] == '\0')
        continue;
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, words[i]);
    }
  return out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

static const char *
no_phone_reason (void)
{
  return _("There is no phone number in this row.");
}

/* Adds a row for @raw_phone, or an issue explaining why it is refused. */
static void
add_record (XiImportBatch *batch,
            guint          line,
            const char    *raw_phone,
            char          *name,
            const char    *country,
            XiImportRow  **out_row)
{
  g_autoptr(GError) error = NULL;
  char *phone;

  *out_row = NULL;
  phone = xi_phone_normalize (raw_phone, country, &error);
  if (phone == NULL)
    {
      add_issue (batch, line, raw_phone[0] != '\0' ? raw_phone : name,
                 g_error_matches (error, XI_PHONE_ERROR, XI_PHONE_ERROR_EMPTY)
                   ? no_phone_reason () : error->message);
      g_free (name);
      return;
    }

  *out_row = g_new0 (XiImportRow, 1);
  (*out_row)->line = line;
  (*out_row)->phone = phone;
  (*out_row)->name = name;
  g_ptr_array_add (batch->rows, *out_row);
}

/*
 * A file without a header row is accepted when its first row already
 * holds a valid phone number: that column is the phone, the first other
 * column with letters is the name, and the rest become column_N fields.
 */
static gboolean
detect_headerless (XiCsvReader *reader,
                   const char  *country,
                   ColumnKind  *kinds,
                   guint        n)
{
  int phone = -1;
  int name = -1;

  for (guint c = 0; c < n; c++)
    {
      g_autofree char *normalized = xi_phone_normalize (xi_csv_reader_get_field (reader, c),
                                                        country, NULL);
      if (normalized != NULL && phone < 0)
        phone = c;
    }
  if (phone < 0)
    return FALSE;

  for (guint c = 0; c < n && name < 0; c++)
    {
      const char *field = xi_csv_reader_get_field (reader, c);

      for (const char *p = field; *p != '\0' && (int)c != phone; p = g_utf8_next_char (p))
        if (g_unichar_isalpha (g_utf8_get_char (p)))
          {
            name = c;
            break;
          }
    }

  for (guint c = 0; c < n; c++)
    kinds[c] = (int)c == phone ? COLUMN_PHONE : (int)c == name ? COLUMN_NAME : COLUMN_CUSTOM;
  return TRUE;
}

static void
record_to_row (XiImportBatch *batch,
               XiCsvReader   *reader,
               const ColumnKind *kinds,
               guint          n_columns,
               const int     *custom_slot,
               guint          n_custom,
               const char    *country)
{
  const char *raw_phone = "";
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;
  char *name = NULL;
  XiImportRow *row;

  for (guint c = 0; c < n_columns; c++)
    {
      const char *field = xi_csv_reader_get_field (reader, c);

      switch (kinds[c])
        {
        case COLUMN_PHONE:
          if (raw_phone[0] == '\0')
            raw_phone = field;
          break;
        case COLUMN_NAME:
          if (name == NULL)
            name = single_line (field);
          break;
        case COLUMN_FIRST_NAME:
          first = single_line (field);
          break;
        case COLUMN_LAST_NAME:
          last = single_line (field);
          break;
        case COLUMN_CUSTOM:
        case COLUMN_TAGS:
        case COLUMN_NOTES:
        case COLUMN_GROUPS:
        default:
          break;
        }
    }

  if (name == NULL && (first != NULL || last != NULL))
    name = g_strjoin (" ", first != NULL ? first : last, first != NULL ? last : NULL, NULL);

  add_record (batch, xi_csv_reader_get_line (reader), raw_phone, name, country, &row);
  if (row == NULL)
    return;

  row->custom_values = g_new0 (char *, n_custom + 1);
  for (guint c = 0; c < n_columns; c++)
    {
      const char *field = xi_csv_reader_get_field (reader, c);

      if (kinds[c] == COLUMN_TAGS && row->tags == NULL)
        row->tags = split_list (field);
      else if (kinds[c] == COLUMN_GROUPS && row->groups == NULL)
        row->groups = split_list (field);
      else if (kinds[c] == COLUMN_NOTES && row->notes == NULL)
        row->notes = nonempty (field);
      else if (kinds[c] == COLUMN_CUSTOM)
        row->custom_values[custom_slot[c]] = nonempty (field);
    }
  if (row->tags == NULL)
    row->tags = g_new0 (char *, 1);
  if (row->groups == NULL)
    row->groups = g_new0 (char *, 1);
}

static gboolean
read_delimited (XiImportBatch    *batch,
                const char       *text,
                const char       *country,
                GCancellable     *cancellable,
                XiProgressRelay  *progress,
                GError          **error)
{
  g_autoptr(XiCsvReader) reader = NULL;
  g_autofree ColumnKind *kinds = NULL;
  g_autofree int *custom_slot = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr(GHashTable) seen_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gsize total = strlen (text);
  gboolean headerless;
  gboolean have_phone = FALSE;
  guint n_columns;
  guint n_custom = 0;
  GError *local_error = NULL;

  batch->format = XI_IMPORT_FORMAT_DELIMITED;
  batch->delimiter = xi_csv_detect_delimiter (text);
  reader = xi_csv_reader_new (text, batch->delimiter);

  /* The header is the first non-blank record. */
  do
    {
      if (!xi_csv_reader_next (reader, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_EMPTY,
                         _("The file is empty."));
          return FALSE;
        }
    }
  while (xi_csv_reader_is_blank (reader));

  n_columns = xi_csv_reader_get_n_fields (reader);
  kinds = g_new0 (ColumnKind, n_columns);
  custom_slot = g_new0 (int, n_columns);
  for (guint c = 0; c < n_columns; c++)
    {
      kinds[c] = classify (xi_csv_reader_get_field (reader, c));
      have_phone = have_phone || kinds[c] == COLUMN_PHONE;
    }

  headerless = !have_phone && detect_headerless (reader, country, kinds, n_columns);
  if (!have_phone && !headerless)
    {
      g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_NO_PHONE_COLUMN,
                   _("No column with phone numbers was found. Name the column “Phone”, "
                     "“Nomor HP”, “No HP”, “WhatsApp” or “WA” and try again."));
      return FALSE;
    }

  for (guint c = 0; c < n_columns; c++)
    {
      g_autofree char *field_name = NULL;

      if (kinds[c] != COLUMN_CUSTOM)
        continue;
      field_name = headerless ? g_strdup_printf ("column_%u", c + 1)
                              : custom_field_name (xi_csv_reader_get_field (reader, c), c);
      if (g_hash_table_contains (seen_names, field_name))
        {
          char *unique = g_strdup_printf ("%s_%u", field_name, c + 1);
          g_free (field_name);
          field_name = unique;
        }
      g_hash_table_add (seen_names, g_strdup (field_name));
      g_strv_builder_add (names, field_name);
      custom_slot[c] = n_custom++;
    }
  g_strfreev (batch->custom_field_names);
  batch->custom_field_names = g_strv_builder_end (names);

  if (headerless)
    {
      batch->n_records++;
      record_to_row (batch, reader, kinds, n_columns, custom_slot, n_custom, country);
    }

  while (xi_csv_reader_next (reader, &local_error))
    {
      if (xi_csv_reader_is_blank (reader))
        continue;

      if (batch->n_records % CHUNK == 0)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          xi_progress_relay_report (progress, (double)xi_csv_reader_get_offset (reader) / MAX (total, 1));
        }

      batch->n_records++;
      record_to_row (batch, reader, kinds, n_columns, custom_slot, n_custom, country);
    }

  /* An unterminated quote loses the rest of the file, but not the rows
   * before it: report it as an issue on the line where it opened. */
  if (local_error != NULL)
    {
      add_issue (batch, xi_csv_reader_get_line (reader), NULL, local_error->message);
      g_error_free (local_error);
    }

  return TRUE;
}

static gboolean
read_vcards (XiImportBatch  *batch,
             const char     *text,
             const char     *country,
             GError        **error)
{
  g_autoptr(GPtrArray) cards = xi_vcard_parse (text);
  gboolean any_company = FALSE, any_email = FALSE;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  guint n_custom;

  batch->format = XI_IMPORT_FORMAT_VCARD;
  if (cards->len == 0)
    {
      g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_EMPTY,
                   _("The file holds no contacts (no BEGIN:VCARD found)."));
      return FALSE;
    }

  for (guint i = 0; i < cards->len; i++)
    {
      XiVCard *card = g_ptr_array_index (cards, i);
      any_company = any_company || card->company != NULL;
      any_email = any_email || card->email != NULL;
    }
  if (any_company)
    g_strv_builder_add (names, "company");
  if (any_email)
    g_strv_builder_add (names, "email");
  g_strfreev (batch->custom_field_names);
  batch->custom_field_names = g_strv_builder_end (names);
  n_custom = g_strv_length (batch->custom_field_names);

  for (guint i = 0; i < cards->len; i++)
    {
      XiVCard *card = g_ptr_array_index (cards, i);
      XiImportRow *row;
      guint slot = 0;

      batch->n_records++;
      add_record (batch, card->line, card->phone != NULL ? card->phone : "",
                  g_strdup (card->name), country, &row);
      if (row == NULL)
        continue;

      row->notes = g_strdup (card->notes);
      row->tags = g_strdupv (card->tags);
      row->groups = g_new0 (char *, 1);
      row->custom_values = g_new0 (char *, n_custom + 1);
      if (any_company)
        row->custom_values[slot++] = g_strdup (card->company);
      if (any_email)
        row->custom_values[slot++] = g_strdup (card->email);
    }

  return TRUE;
}

static gboolean
looks_like_vcard (const char *text,
                  const char *filename_hint)
{
  const char *p = text;

  if (filename_hint != NULL &&
      (g_str_has_suffix (filename_hint, ".vcf") || g_str_has_suffix (filename_hint, ".VCF") ||
       g_str_has_suffix (filename_hint, ".vcard")))
    return TRUE;

  while (g_ascii_isspace (*p))
    p++;
  return g_ascii_strncasecmp (p, "BEGIN:VCARD", 11) == 0;
}

static XiImportBatch *
read_bytes (GBytes           *bytes,
            const char       *filename_hint,
            const char       *country,
            GCancellable     *cancellable,
            XiProgressRelay  *progress,
            GError          **error)
{
  g_autoptr(XiImportBatch) batch = xi_import_batch_new ();
  g_autofree char *text = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  gboolean ok;

  if (len == 0)
    {
      g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_EMPTY, _("The file is empty."));
      return NULL;
    }

  if ((text = xi_text_to_utf8 (data, len, error)) == NULL)
    return NULL;

  if (looks_like_vcard (text, filename_hint))
    ok = read_vcards (batch, text, country, error);
  else
    ok = read_delimited (batch, text, country, cancellable, progress, error);

  if (!ok)
    return NULL;

  xi_progress_relay_report (progress, 1.0);
  return g_steal_pointer (&batch);
}

/**
 * xi_import_read_bytes:
 * @bytes: the file contents
 * @filename_hint: (nullable): the file name, to recognise vCard files
 * @default_country_code: calling code for numbers in national form
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads CSV, TSV, semicolon-separated or vCard contacts. Blocks; see
 * xi_import_read_file_async() for the threaded variant.
 *
 * Returns: (transfer full): the good rows and the refused ones
 */
XiImportBatch *
xi_import_read_bytes (GBytes        *bytes,
                      const char    *filename_hint,
                      const char    *default_country_code,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_return_val_if_fail (bytes != NULL, NULL);

  return read_bytes (bytes, filename_hint, default_country_code, cancellable, NULL, error);
}

typedef struct
{
  GFile           *file;
  char            *country;
  XiProgressRelay *progress;
} ReadData;

static void
read_data_free (gpointer data)
{
  ReadData *read = data;

  g_clear_object (&read->file);
  g_free (read->country);
  g_clear_pointer (&read->progress, xi_progress_relay_unref);
  g_free (read);
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ReadData *read = task_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *name = g_file_get_basename (read->file);
  GError *error = NULL;
  XiImportBatch *batch;

  bytes = g_file_load_bytes (read->file, cancellable, NULL, &error);
  if (bytes == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not open %s: %s"), name, error->message);

      g_clear_error (&error);
      g_task_return_new_error (task, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE, "%s", message);
      return;
    }

  batch = read_bytes (bytes, name, read->country, cancellable, read->progress, &error);
  if (batch == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, batch, (GDestroyNotify)xi_import_batch_free);
}

/**
 * xi_import_read_file_async:
 * @file: a contacts file
 * @default_country_code: calling code for numbers in national form
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable): progress callback, on the caller's main context
 * @progress_data: closure for @progress
 * @progress_destroy: (nullable): frees @progress_data
 * @callback: called with the batch
 * @user_data: closure
 *
 * Reads and parses @file on a worker thread.
 */
void
xi_import_read_file_async (GFile                *file,
                           const char           *default_country_code,
                           GCancellable         *cancellable,
                           XiImportProgressFunc  progress,
                           gpointer              progress_data,
                           GDestroyNotify        progress_destroy,
                           GAsyncReadyCallback   callback,
                           gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  ReadData *read;

  g_return_if_fail (G_IS_FILE (file));

  read = g_new0 (ReadData, 1);
  read->file = g_object_ref (file);
  read->country = g_strdup (default_country_code);
  read->progress = xi_progress_relay_new (progress, progress_data, progress_destroy);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_import_read_file_async);
  g_task_set_task_data (task, read, read_data_free);
  g_task_run_in_thread (task, read_thread);
}

/**
 * xi_import_read_file_finish:
 *
 * Returns: (transfer full): the batch, or %NULL with @error set
 */
XiImportBatch *
xi_import_read_file_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
