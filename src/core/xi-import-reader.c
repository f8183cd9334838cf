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
#include "xi-import-reader-private.h"
#include "xi-limits.h"
#include "xi-phone.h"
#include "xi-progress.h"
#include "xi-vcard.h"
#include "xi-workbook.h"

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

/* Rows a streaming read holds before it hands them on: enough for the
 * store to write them in key order, little next to a million. */
#define STREAM_ROWS 50000

/* Where a streaming read hands its rows; NULL keeps them in the batch. */
typedef struct
{
  XiImportRowsFunc  func;
  gpointer          user_data;
} Sink;

/* Rows looked at for the header, below titles such as "DATA PELANGGAN"
 * that people put above their table. */
#define HEADER_SEARCH_ROWS 10

/* Longest excerpt of a cell quoted back in an issue, in characters. */
#define EXCERPT_MAX 60

typedef enum {
  COLUMN_IGNORED,
  COLUMN_CUSTOM,
  COLUMN_NAME,
  COLUMN_FIRST_NAME,
  COLUMN_LAST_NAME,
  COLUMN_PHONE,
  COLUMN_TAGS,
  COLUMN_NOTES,
  COLUMN_GROUPS,
} ColumnKind;

/* Which of several phone columns a row takes its number from. */
typedef enum {
  PHONE_AMBIGUOUS,
  PHONE_LANDLINE,
  PHONE_MOBILE,
  PHONE_WHATSAPP,
} PhoneRank;

/*
 * Header titles, compared after lower-casing and dropping accents and
 * everything but letters and digits ("No. HP" matches "No HP").
 *
 * When several columns hold phone numbers, the rank decides: a WhatsApp
 * column beats a mobile one, which beats a plain telephone one, and each
 * row takes the first non-empty cell in that order, so an empty "WA"
 * cell falls back to the "HP" cell. Ambiguous titles ("No" is usually
 * the row number) make the phone column only when there is no other, and
 * a custom field otherwise.
 */
static const struct {
  const char *title;
  ColumnKind  kind;
  PhoneRank   rank;
} aliases[] = {
  { "Name", COLUMN_NAME },
  { "Full Name", COLUMN_NAME },
  { "Nama", COLUMN_NAME },
  { "Nama Lengkap", COLUMN_NAME },
  { "Contact", COLUMN_NAME },
  { "Contact Name", COLUMN_NAME },
  { "Kontak", COLUMN_NAME },
  { "Nama Kontak", COLUMN_NAME },
  { "Customer", COLUMN_NAME },
  { "Customer Name", COLUMN_NAME },
  { "Pelanggan", COLUMN_NAME },
  { "Nama Pelanggan", COLUMN_NAME },
  { "Display Name", COLUMN_NAME },
  { "First Name", COLUMN_FIRST_NAME },
  { "Given Name", COLUMN_FIRST_NAME },
  { "Nama Depan", COLUMN_FIRST_NAME },
  { "Last Name", COLUMN_LAST_NAME },
  { "Family Name", COLUMN_LAST_NAME },
  { "Surname", COLUMN_LAST_NAME },
  { "Nama Belakang", COLUMN_LAST_NAME },
  { "WhatsApp", COLUMN_PHONE, PHONE_WHATSAPP },
  { "WA", COLUMN_PHONE, PHONE_WHATSAPP },
  { "Nomor WA", COLUMN_PHONE, PHONE_WHATSAPP },
  { "No WA", COLUMN_PHONE, PHONE_WHATSAPP },
  { "Nomor WhatsApp", COLUMN_PHONE, PHONE_WHATSAPP },
  { "No WhatsApp", COLUMN_PHONE, PHONE_WHATSAPP },
  { "HP", COLUMN_PHONE, PHONE_MOBILE },
  { "No HP", COLUMN_PHONE, PHONE_MOBILE },
  { "Nomor HP", COLUMN_PHONE, PHONE_MOBILE },
  { "Handphone", COLUMN_PHONE, PHONE_MOBILE },
  { "Ponsel", COLUMN_PHONE, PHONE_MOBILE },
  { "Nomor Ponsel", COLUMN_PHONE, PHONE_MOBILE },
  { "Mobile", COLUMN_PHONE, PHONE_MOBILE },
  { "Mobile Phone", COLUMN_PHONE, PHONE_MOBILE },
  { "Mobile Number", COLUMN_PHONE, PHONE_MOBILE },
  { "Cell", COLUMN_PHONE, PHONE_MOBILE },
  { "Cell Phone", COLUMN_PHONE, PHONE_MOBILE },
  { "Phone", COLUMN_PHONE, PHONE_LANDLINE },
  { "Phone Number", COLUMN_PHONE, PHONE_LANDLINE },
  { "Telephone", COLUMN_PHONE, PHONE_LANDLINE },
  { "Telepon", COLUMN_PHONE, PHONE_LANDLINE },
  { "Nomor Telepon", COLUMN_PHONE, PHONE_LANDLINE },
  { "Telp", COLUMN_PHONE, PHONE_LANDLINE },
  { "No Telp", COLUMN_PHONE, PHONE_LANDLINE },
  { "No Telepon", COLUMN_PHONE, PHONE_LANDLINE },
  { "Tel", COLUMN_PHONE, PHONE_LANDLINE },
  { "MSISDN", COLUMN_PHONE, PHONE_LANDLINE },
  { "No", COLUMN_PHONE, PHONE_AMBIGUOUS },
  { "Nomor", COLUMN_PHONE, PHONE_AMBIGUOUS },
  { "Number", COLUMN_PHONE, PHONE_AMBIGUOUS },
  { "Tags", COLUMN_TAGS },
  { "Tag", COLUMN_TAGS },
  { "Label", COLUMN_TAGS },
  { "Labels", COLUMN_TAGS },
  { "Notes", COLUMN_NOTES },
  { "Note", COLUMN_NOTES },
  { "Catatan", COLUMN_NOTES },
  { "Keterangan", COLUMN_NOTES },
  { "Memo", COLUMN_NOTES },
  { "Group", COLUMN_GROUPS },
  { "Groups", COLUMN_GROUPS },
  { "Grup", COLUMN_GROUPS },
  { "Kelompok", COLUMN_GROUPS },
  { "List", COLUMN_GROUPS },
  /* Our export's column: an import never changes the opt-out flag. */
  { "Opted Out", COLUMN_IGNORED },
};

/* The roles of XiImportOptions.columns, in ColumnKind order; "field:KEY"
 * stands for COLUMN_CUSTOM. */
static const char * const role_names[] = {
  [COLUMN_IGNORED] = "ignore",
  [COLUMN_CUSTOM] = "field:",
  [COLUMN_NAME] = "name",
  [COLUMN_FIRST_NAME] = "first-name",
  [COLUMN_LAST_NAME] = "last-name",
  [COLUMN_PHONE] = "phone",
  [COLUMN_TAGS] = "tags",
  [COLUMN_NOTES] = "notes",
  [COLUMN_GROUPS] = "groups",
};

#define FIELD_PREFIX "field:"

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
  batch->column_titles = g_new0 (char *, 1);
  batch->column_roles = g_new0 (char *, 1);
  batch->sample = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  batch->delimiter = ',';
  return batch;
}

/**
 * xi_import_batch_free:
 * @batch: (nullable): a batch
 *
 * Frees the batch with its rows and issues.
 */
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
  g_strfreev (batch->column_titles);
  g_strfreev (batch->column_roles);
  g_clear_pointer (&batch->sample, g_ptr_array_unref);
  g_free (batch);
}

/* Hands the rows read so far to @sink once there are enough of them, or
 * whatever there is when @all, and frees them. */
static gboolean
drain_rows (XiImportBatch  *batch,
            const Sink     *sink,
            gboolean        all,
            GError        **error)
{
  guint n_custom;

  if (sink == NULL || batch->rows->len == 0 || (!all && batch->rows->len < STREAM_ROWS))
    return TRUE;
  if (!sink->func (batch, sink->user_data, error))
    return FALSE;

  n_custom = g_strv_length (batch->custom_field_names);
  for (guint i = 0; i < batch->rows->len; i++)
    import_row_free (g_ptr_array_index (batch->rows, i), n_custom);
  g_ptr_array_set_size (batch->rows, 0);
  return TRUE;
}

/**
 * xi_import_options_copy:
 * @options: (nullable): options
 *
 * Returns: (transfer full) (nullable): a deep copy, to hand to a thread
 */
XiImportOptions *
xi_import_options_copy (const XiImportOptions *options)
{
  XiImportOptions *copy;

  if (options == NULL)
    return NULL;

  copy = g_memdup2 (options, sizeof *options);
  copy->columns = g_strdupv (options->columns);
  copy->encoding = g_strdup (options->encoding);
  return copy;
}

/**
 * xi_import_options_free:
 * @options: (nullable): options from xi_import_options_copy()
 */
void
xi_import_options_free (XiImportOptions *options)
{
  if (options == NULL)
    return;

  g_strfreev (options->columns);
  g_free (options->encoding);
  g_free (options);
}

/* Text collapsed to one line with single spaces; NULL when empty.
 * Names and excerpts are one line even when the cell held a break. Every
 * imported name passes here, so it is one pass and one allocation. */
static char *
single_line (const char *value)
{
  char *out = g_malloc (strlen (value) + 1);
  char *end = out;
  gboolean gap = FALSE;

  for (const char *c = value; *c != '\0'; c++)
    {
      if (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n')
        {
          gap = end > out;
          continue;
        }
      if (gap)
        *end++ = ' ';
      gap = FALSE;
      *end++ = *c;
    }
  *end = '\0';

  if (end == out)
    g_clear_pointer (&out, g_free);
  return out;
}

static char *
make_excerpt (const char *cell)
{
  g_autofree char *line = cell != NULL ? single_line (cell) : NULL;

  if (line != NULL && g_utf8_strlen (line, -1) > EXCERPT_MAX)
    {
      g_autofree char *start = g_utf8_substring (line, 0, EXCERPT_MAX);

      return g_strconcat (start, "…", NULL);
    }
  return g_steal_pointer (&line);
}

static void
add_issue (XiImportBatch *batch,
           guint          line,
           const char    *excerpt,
           const char    *reason)
{
  XiImportIssue *issue = g_new0 (XiImportIssue, 1);

  issue->line = line;
  issue->excerpt = make_excerpt (excerpt);
  issue->reason = g_strdup (reason);
  g_ptr_array_add (batch->issues, issue);
}

/*
 * Normalises the phone number of a record. Returns the new row, already
 * in the batch with its custom values allocated, or %NULL after adding
 * an issue that quotes the phone cell (or @excerpt when there is none)
 * so that the user can find the row.
 */
static XiImportRow *
accept_record (XiImportBatch *batch,
               guint          line,
               const char    *raw_phone,
               const char    *excerpt,
               const char    *country)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *phone = xi_phone_normalize (raw_phone, country, &error);
  XiImportRow *row;

  if (phone == NULL)
    {
      gboolean empty = g_error_matches (error, XI_PHONE_ERROR, XI_PHONE_ERROR_EMPTY);

      add_issue (batch, line, empty ? excerpt : raw_phone,
                 empty ? _("There is no phone number in this row.") : error->message);
      return NULL;
    }

  row = g_new0 (XiImportRow, 1);
  row->line = line;
  row->phone = g_steal_pointer (&phone);
  row->custom_values = g_new0 (char *, g_strv_length (batch->custom_field_names) + 1);
  g_ptr_array_add (batch->rows, row);
  return row;
}

/* A row over a limit of xi-limits.h becomes an issue, as a bad number
 * does: the store would refuse it, and the user learns which row to
 * shorten. @row is the last row of @batch. */
static void
check_row_limits (XiImportBatch *batch,
                  XiImportRow   *row)
{
  g_autoptr(GError) error = NULL;
  guint n_custom = g_strv_length (batch->custom_field_names);
  gboolean ok = xi_limit_check_name (row->name, &error) &&
                xi_limit_check_tags ((const char * const *)row->tags, &error) &&
                xi_limit_check_notes (row->notes, &error);

  for (guint i = 0; ok && i < n_custom; i++)
    ok = xi_limit_check_field (batch->custom_field_names[i], row->custom_values[i], &error);
  for (guint i = 0; ok && row->groups[i] != NULL; i++)
    ok = xi_limit_check_name (row->groups[i], &error);
  if (ok)
    return;

  g_assert (g_ptr_array_index (batch->rows, batch->rows->len - 1) == row);
  g_ptr_array_remove_index (batch->rows, batch->rows->len - 1);
  add_issue (batch, row->line, row->name != NULL ? row->name : row->phone, error->message);
  import_row_free (row, n_custom);
}

/* The columns a file may have are bounded as the fields of a contact are;
 * too many, or a title too long for a field name, refuse the file. */
static gboolean
check_custom_fields (XiImportBatch  *batch,
                     GError        **error)
{
  if (!xi_limit_check_field_count (g_strv_length (batch->custom_field_names), error))
    return FALSE;
  for (guint i = 0; batch->custom_field_names[i] != NULL; i++)
    if (!xi_limit_check_field (batch->custom_field_names[i], NULL, error))
      return FALSE;
  return TRUE;
}

/* Delimited files */

/* "No. HP" → "nohp"; "Négara" → "negara". */
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
  /* A title in another script has no letters left. */
  if (name->len == 0)
    g_string_printf (name, "column_%u", column + 1);

  return g_string_free (name, FALSE);
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

/* A column with an empty title is ignored: spreadsheets write one for
 * every trailing delimiter. */
static ColumnKind
classify (const char *header,
          PhoneRank  *rank)
{
  g_autofree char *key = NULL;

  *rank = PHONE_AMBIGUOUS;
  if (is_blank (header))
    return COLUMN_IGNORED;

  key = header_key (header);
  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    {
      g_autofree char *alias = header_key (aliases[i].title);

      if (g_str_equal (key, alias))
        {
          *rank = aliases[i].rank;
          return aliases[i].kind;
        }
    }
  return COLUMN_CUSTOM;
}

/* How the columns of a delimited file map to contact fields. */
typedef struct
{
  guint       n_columns;
  ColumnKind *kinds;
  PhoneRank  *ranks;
  guint      *custom_slot;     /* index in custom_field_names, for COLUMN_CUSTOM */
  char      **field_keys;      /* a key the user gave a custom column, or NULL */
  GArray     *phone_columns;   /* guint, the preferred one first */
} Layout;

static void
layout_clear (Layout *layout)
{
  g_clear_pointer (&layout->kinds, g_free);
  g_clear_pointer (&layout->ranks, g_free);
  g_clear_pointer (&layout->custom_slot, g_free);
  if (layout->field_keys != NULL)
    for (guint c = 0; c < layout->n_columns; c++)
      g_free (layout->field_keys[c]);
  g_clear_pointer (&layout->field_keys, g_free);
  g_clear_pointer (&layout->phone_columns, g_array_unref);
}

static void
layout_init (Layout *layout,
             guint   n_columns)
{
  layout_clear (layout);
  layout->n_columns = n_columns;
  layout->kinds = g_new0 (ColumnKind, n_columns);
  layout->ranks = g_new0 (PhoneRank, n_columns);
  layout->custom_slot = g_new0 (guint, n_columns);
  layout->field_keys = g_new0 (char *, n_columns);
  layout->phone_columns = g_array_new (FALSE, FALSE, sizeof (guint));
}

/* Reads the header row; FALSE when no column holds phone numbers. */
static gboolean
is_export_header (XiCsvReader *reader)
{
  const char * const *titles = xi_csv_export_titles ();

  for (guint c = 0; titles[c] != NULL; c++)
    if (!g_str_equal (xi_csv_reader_get_field (reader, c), titles[c]))
      return FALSE;
  return TRUE;
}

static gboolean
layout_from_header (Layout      *layout,
                    XiCsvReader *reader)
{
  guint n = xi_csv_reader_get_n_fields (reader);
  PhoneRank *ranks;
  int best = -1;

  layout_init (layout, n);
  ranks = layout->ranks;
  for (guint c = 0; c < n; c++)
    {
      layout->kinds[c] = classify (xi_csv_reader_get_field (reader, c), &ranks[c]);
      if (layout->kinds[c] == COLUMN_PHONE)
        best = MAX (best, (int)ranks[c]);
    }

  /* In our own export every column after the fixed ones is a custom
   * field, even one named like a title we know ("label", "no"). */
  if (is_export_header (reader))
    for (guint c = g_strv_length ((char **)xi_csv_export_titles ()); c < n; c++)
      if (layout->kinds[c] != COLUMN_IGNORED)
        layout->kinds[c] = COLUMN_CUSTOM;
  if (best < 0)
    return FALSE;

  for (guint c = 0; c < n; c++)
    if (layout->kinds[c] == COLUMN_PHONE && ranks[c] == PHONE_AMBIGUOUS && best > PHONE_AMBIGUOUS)
      layout->kinds[c] = COLUMN_CUSTOM;

  return TRUE;
}

/* The phone columns in the order a row tries them. */
static void
layout_order_phones (Layout *layout)
{
  g_array_set_size (layout->phone_columns, 0);
  for (int rank = PHONE_WHATSAPP; rank >= PHONE_AMBIGUOUS; rank--)
    for (guint c = 0; c < layout->n_columns; c++)
      if (layout->kinds[c] == COLUMN_PHONE && (int)layout->ranks[c] == rank)
        g_array_append_val (layout->phone_columns, c);
}

/* Every column a custom field but @phone, as in a headerless file whose
 * numbers are not recognised yet. */
static void
layout_all_custom (Layout *layout,
                   guint   n_columns)
{
  layout_init (layout, n_columns);
  for (guint c = 0; c < n_columns; c++)
    layout->kinds[c] = COLUMN_CUSTOM;
}

/* The column kind a role other than "field:KEY" names. */
static gboolean
role_kind (const char *role,
           ColumnKind *kind)
{
  for (guint k = 0; k < G_N_ELEMENTS (role_names); k++)
    if (k != COLUMN_CUSTOM && g_str_equal (role, role_names[k]))
      {
        *kind = k;
        return TRUE;
      }
  return FALSE;
}

/**
 * xi_import_role_is_known:
 * @role: what a column holds, as #XiImportOptions' columns say it
 *
 * Returns: whether an import reads a column as @role, so that a caller
 *   can refuse a mistaken one before anything is read
 */
gboolean
xi_import_role_is_known (const char *role)
{
  ColumnKind kind;

  return role[0] == '\0' || g_str_has_prefix (role, FIELD_PREFIX) || role_kind (role, &kind);
}

/*
 * Applies the roles the user chose. A column they made a phone column is
 * tried before the guessed ones: they looked at it. Returns FALSE with
 * @error set for a role that does not exist.
 */
static gboolean
layout_apply_roles (Layout              *layout,
                    const char * const  *roles,
                    GError             **error)
{
  for (guint c = 0; roles != NULL && roles[c] != NULL && c < layout->n_columns; c++)
    {
      const char *role = roles[c];
      ColumnKind kind;
      gboolean known;

      if (role[0] == '\0')
        continue;

      if (g_str_has_prefix (role, FIELD_PREFIX))
        {
          const char *key = role + strlen (FIELD_PREFIX);

          if (key[0] == '\0')
            continue;
          layout->kinds[c] = COLUMN_CUSTOM;
          g_free (layout->field_keys[c]);
          layout->field_keys[c] = g_strdup (key);
          continue;
        }

      if ((known = role_kind (role, &kind)))
        {
          if (kind == COLUMN_PHONE && layout->kinds[c] != COLUMN_PHONE)
            layout->ranks[c] = PHONE_WHATSAPP;
          layout->kinds[c] = kind;
        }
      else
        {
          g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE,
                       _("Column %u cannot be read as “%s”."), c + 1, role);
          return FALSE;
        }
    }

  layout_order_phones (layout);
  return TRUE;
}

static gboolean
has_letter (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isalpha (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

/*
 * A file without a header row is accepted when its first row already
 * holds a valid phone number, since no header title is one: that column
 * is the phone, the first other column with a letter in it is the name,
 * and the rest become custom fields named column_N (N counted from 1).
 */
static gboolean
layout_headerless (Layout      *layout,
                   XiCsvReader *reader,
                   const char  *country)
{
  guint n = xi_csv_reader_get_n_fields (reader);
  int phone = -1;
  int name = -1;

  for (guint c = 0; c < n && phone < 0; c++)
    {
      g_autofree char *normalized = xi_phone_normalize (xi_csv_reader_get_field (reader, c),
                                                        country, NULL);

      if (normalized != NULL)
        phone = c;
    }
  if (phone < 0)
    return FALSE;

  for (guint c = 0; c < n && name < 0; c++)
    if ((int)c != phone && has_letter (xi_csv_reader_get_field (reader, c)))
      name = c;

  layout_all_custom (layout, n);
  layout->kinds[phone] = COLUMN_PHONE;
  if (name >= 0)
    layout->kinds[name] = COLUMN_NAME;
  return TRUE;
}

/* Names the custom columns; a title seen before gets "_2", "_3"… */
static void
name_custom_fields (XiImportBatch *batch,
                    Layout        *layout,
                    XiCsvReader   *header)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n_custom = 0;

  for (guint c = 0; c < layout->n_columns; c++)
    {
      g_autofree char *base = NULL;
      char *name;

      if (layout->kinds[c] != COLUMN_CUSTOM)
        continue;

      if (layout->field_keys[c] != NULL)
        base = custom_field_name (layout->field_keys[c], c);
      else if (header != NULL)
        base = custom_field_name (xi_csv_reader_get_field (header, c), c);
      else
        base = g_strdup_printf ("column_%u", c + 1);
      name = g_strdup (base);
      for (guint i = 2; g_hash_table_contains (seen, name); i++)
        {
          g_free (name);
          name = g_strdup_printf ("%s_%u", base, i);
        }
      g_hash_table_add (seen, name);
      g_strv_builder_add (builder, name);
      layout->custom_slot[c] = n_custom++;
    }

  g_strfreev (batch->custom_field_names);
  batch->custom_field_names = g_strv_builder_end (builder);
}

static char *
phone_titles (void)
{
  g_autoptr(GString) titles = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    if (aliases[i].kind == COLUMN_PHONE)
      g_string_append_printf (titles, "%s“%s”", titles->len > 0 ? ", " : "", aliases[i].title);
  return g_string_free (g_steal_pointer (&titles), FALSE);
}

static void
set_no_phone_column_error (GError **error)
{
  g_autofree char *titles = phone_titles ();

  g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_NO_PHONE_COLUMN,
               _("No column with phone numbers was found. Give the phone column one of "
                 "these titles: %s."), titles);
}

/* What the user sees of the columns: their titles and the role each is
 * read with, in the words of XiImportOptions.columns. */
static void
describe_columns (XiImportBatch *batch,
                  const Layout  *layout,
                  XiCsvReader   *header)
{
  g_autoptr(GStrvBuilder) titles = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) roles = g_strv_builder_new ();

  for (guint c = 0; c < layout->n_columns; c++)
    {
      g_strv_builder_add (titles, header != NULL ? xi_csv_reader_get_field (header, c) : "");
      if (layout->kinds[c] == COLUMN_CUSTOM)
        {
          g_autofree char *role = g_strconcat (FIELD_PREFIX,
                                               batch->custom_field_names[layout->custom_slot[c]],
                                               NULL);

          g_strv_builder_add (roles, role);
        }
      else
        g_strv_builder_add (roles, role_names[layout->kinds[c]]);
    }

  g_strfreev (batch->column_titles);
  batch->column_titles = g_strv_builder_end (titles);
  g_strfreev (batch->column_roles);
  batch->column_roles = g_strv_builder_end (roles);
}

/* Finds the header among the first rows, or decides there is none, as
 * @header says. Returns FALSE with @error set when no phone column can
 * be found; otherwise *@first_is_data says whether the record last read
 * is data. */
static gboolean
read_layout (XiImportBatch          *batch,
             XiCsvReader            *reader,
             Layout                 *layout,
             const char             *country,
             XiImportHeader          header,
             const XiImportOptions  *options,
             gboolean               *first_is_data,
             GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean any = FALSE;
  gboolean found = FALSE;

  batch->has_header = FALSE;
  for (guint rows = 0;
       !found && rows < HEADER_SEARCH_ROWS && xi_csv_reader_next (reader, &local_error);)
    {
      if (xi_csv_reader_is_blank (reader))
        continue;

      if (header == XI_IMPORT_HEADER_PRESENT)
        {
          layout_from_header (layout, reader);
          batch->has_header = found = TRUE;
        }
      else if (header == XI_IMPORT_HEADER_ABSENT)
        {
          if (!layout_headerless (layout, reader, country))
            layout_all_custom (layout, xi_csv_reader_get_n_fields (reader));
          found = TRUE;
        }
      else if (layout_from_header (layout, reader))
        batch->has_header = found = TRUE;
      else if (!any && layout_headerless (layout, reader, country))
        found = TRUE;

      any = TRUE;
      rows++;
    }

  if (!found)
    {
      if (local_error != NULL)
        g_set_error (error, local_error->domain, local_error->code, _("Line %u: %s"),
                     xi_csv_reader_get_line (reader), local_error->message);
      else if (!any)
        g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_EMPTY, _("The file is empty."));
      else
        set_no_phone_column_error (error);
      return FALSE;
    }

  if (!layout_apply_roles (layout, options != NULL ? (const char * const *)options->columns : NULL,
                           error))
    return FALSE;
  if (layout->phone_columns->len == 0)
    {
      if (options == NULL || !options->keep_without_phone)
        {
          set_no_phone_column_error (error);
          return FALSE;
        }
      batch->missing_phone = TRUE;
    }

  name_custom_fields (batch, layout, batch->has_header ? reader : NULL);
  describe_columns (batch, layout, batch->has_header ? reader : NULL);
  *first_is_data = !batch->has_header;
  return TRUE;
}

/* The cells of a record, as many as the layout has columns. */
static void
add_sample (XiImportBatch *batch,
            XiCsvReader   *reader,
            const Layout  *layout)
{
  char **cells = g_new0 (char *, layout->n_columns + 1);

  for (guint c = 0; c < layout->n_columns; c++)
    cells[c] = g_strdup (xi_csv_reader_get_field (reader, c));
  g_ptr_array_add (batch->sample, cells);
}

/* Narrows [*@start, *@end) to its text without the blanks around it. */
static void
trim_blanks (const char **start,
             const char **end)
{
  while (*start < *end && g_ascii_isspace (**start))
    (*start)++;
  while (*end > *start && g_ascii_isspace ((*end)[-1]))
    (*end)--;
}

/* Splits "vip, reseller|Pameran" on ",", ";" and "|" into @items, each
 * trimmed and copied once. */
static void
add_list_items (GPtrArray  *items,
                const char *value)
{
  const char *p = value;

  for (;;)
    {
      const char *start = p;
      const char *end = p + strcspn (p, ",;|");

      p = end;
      trim_blanks (&start, &end);
      if (end > start)
        g_ptr_array_add (items, g_strndup (start, end - start));
      if (*p == '\0')
        return;
      p++;
    }
}

/* The items a row's list columns gave, none when it has no such column. */
static char **
end_list (GPtrArray *items)
{
  if (items == NULL)
    return g_new0 (char *, 1);
  g_ptr_array_add (items, NULL);
  return (char **)g_ptr_array_free (items, FALSE);
}

static char *
nonempty (const char *value)
{
  const char *start = value;
  const char *end = value + strlen (value);

  trim_blanks (&start, &end);
  return end > start ? g_strndup (start, end - start) : NULL;
}

/* The name column, or the first and last names joined. */
static char *
record_name (XiCsvReader  *reader,
             const Layout *layout)
{
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;

  for (guint c = 0; c < layout->n_columns; c++)
    {
      const char *field = xi_csv_reader_get_field (reader, c);

      if (layout->kinds[c] == COLUMN_NAME)
        {
          char *name = single_line (field);

          if (name != NULL)
            return name;
        }
      else if (layout->kinds[c] == COLUMN_FIRST_NAME && first == NULL)
        first = single_line (field);
      else if (layout->kinds[c] == COLUMN_LAST_NAME && last == NULL)
        last = single_line (field);
    }

  if (first != NULL && last != NULL)
    return g_strconcat (first, " ", last, NULL);
  return first != NULL ? g_steal_pointer (&first) : g_steal_pointer (&last);
}

/* The first non-empty phone cell, in order of preference. */
static const char *
record_phone (XiCsvReader  *reader,
              const Layout *layout)
{
  for (guint i = 0; i < layout->phone_columns->len; i++)
    {
      guint column = g_array_index (layout->phone_columns, guint, i);
      const char *field = xi_csv_reader_get_field (reader, column);

      if (!is_blank (field))
        return field;
    }
  return "";
}

/* Something to quote for a row without a phone number: its name, or
 * failing that its first non-empty cell. */
static const char *
record_excerpt (XiCsvReader *reader,
                const char  *name)
{
  if (name != NULL)
    return name;
  for (guint c = 0; c < xi_csv_reader_get_n_fields (reader); c++)
    if (!is_blank (xi_csv_reader_get_field (reader, c)))
      return xi_csv_reader_get_field (reader, c);
  return NULL;
}

static void
add_delimited_record (XiImportBatch *batch,
                      XiCsvReader   *reader,
                      const Layout  *layout,
                      const char    *country)
{
  g_autofree char *name = record_name (reader, layout);
  GPtrArray *tags = NULL;
  GPtrArray *groups = NULL;
  XiImportRow *row;

  row = accept_record (batch, xi_csv_reader_get_line (reader), record_phone (reader, layout),
                       record_excerpt (reader, name), country);
  if (row == NULL)
    return;

  row->name = g_steal_pointer (&name);
  for (guint c = 0; c < layout->n_columns; c++)
    {
      const char *field = xi_csv_reader_get_field (reader, c);

      if (layout->kinds[c] == COLUMN_TAGS)
        add_list_items (tags != NULL ? tags : (tags = g_ptr_array_new ()), field);
      else if (layout->kinds[c] == COLUMN_GROUPS)
        add_list_items (groups != NULL ? groups : (groups = g_ptr_array_new ()), field);
      else if (layout->kinds[c] == COLUMN_NOTES && row->notes == NULL)
        row->notes = nonempty (field);
      else if (layout->kinds[c] == COLUMN_CUSTOM)
        row->custom_values[layout->custom_slot[c]] = nonempty (field);
    }
  row->tags = end_list (tags);
  row->groups = end_list (groups);
  check_row_limits (batch, row);
}

/* The lines of @text from @from on, each ended by CRLF, LF or CR, or by
 * the end: at least as many as its records. */
static guint
count_lines (const char *from)
{
  guint64 lf = 0, cr = 0;
  const char *p;

  for (p = from; (p = strchr (p, '\n')) != NULL; p++)
    lf++;
  for (p = from; (p = strchr (p, '\r')) != NULL; p++)
    cr++;
  return (guint)MIN (MAX (lf, cr) + 1, G_MAXUINT);
}

static gboolean
read_delimited (XiImportBatch          *batch,
                const char             *text,
                char                    delimiter,
                const char             *country,
                const XiImportOptions  *options,
                const Sink             *sink,
                GCancellable           *cancellable,
                XiProgressRelay        *progress,
                GError                **error)
{
  g_autoptr(XiCsvReader) reader = NULL;
  g_autoptr(GError) layout_error = NULL;
  XiImportHeader header = options != NULL ? options->header : XI_IMPORT_HEADER_AUTO;
  Layout layout = { 0 };
  gsize total = MAX (strlen (text), 1);
  gboolean pending_data;
  gboolean ok = FALSE;

  batch->format = XI_IMPORT_FORMAT_DELIMITED;
  if (options != NULL && options->delimiter != '\0')
    delimiter = options->delimiter;
  batch->delimiter = delimiter != '\0' ? delimiter : xi_csv_detect_delimiter (text);
  reader = xi_csv_reader_new (text, batch->delimiter);

  /* A preview that found no titles it knows still shows the first row as
   * titles, so that the user can say which column holds the numbers. */
  if (!read_layout (batch, reader, &layout, country, header, options, &pending_data,
                    &layout_error))
    {
      if (header != XI_IMPORT_HEADER_AUTO || options == NULL || !options->keep_without_phone ||
          !g_error_matches (layout_error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_NO_PHONE_COLUMN))
        {
          g_propagate_error (error, g_steal_pointer (&layout_error));
          goto out;
        }
      g_clear_error (&layout_error);
      g_clear_pointer (&reader, xi_csv_reader_free);
      reader = xi_csv_reader_new (text, batch->delimiter);
      if (!read_layout (batch, reader, &layout, country, XI_IMPORT_HEADER_PRESENT, options,
                        &pending_data, error))
        goto out;
    }
  if (!check_custom_fields (batch, error))
    goto out;
  batch->max_records = count_lines (batch->has_header ? text + xi_csv_reader_get_offset (reader)
                                                      : text);

  for (;;)
    {
      g_autoptr(GError) record_error = NULL;

      if (!pending_data && !xi_csv_reader_next (reader, &record_error) && record_error == NULL)
        break;
      pending_data = FALSE;

      if (record_error == NULL && xi_csv_reader_is_blank (reader))
        continue;

      if (batch->n_records % CHUNK == 0)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
              !drain_rows (batch, sink, FALSE, error))
            goto out;
          xi_progress_relay_report (progress, (double)xi_csv_reader_get_offset (reader) / total);
        }
      batch->n_records++;

      if (record_error == NULL && batch->sample->len < XI_IMPORT_SAMPLE_ROWS)
        add_sample (batch, reader, &layout);

      /* Without a phone column nothing is imported; the sample is enough
       * to choose one. */
      if (batch->missing_phone)
        {
          if (batch->sample->len == XI_IMPORT_SAMPLE_ROWS)
            break;
        }
      else if (record_error != NULL)
        add_issue (batch, xi_csv_reader_get_line (reader), NULL, record_error->message);
      else
        add_delimited_record (batch, reader, &layout, country);

      if (options != NULL && options->sample_only && batch->n_records == XI_IMPORT_SAMPLE_ROWS)
        break;
    }
  ok = TRUE;

out:
  layout_clear (&layout);
  return ok;
}

/* vCards */

static gboolean
read_vcards (XiImportBatch    *batch,
             const char       *text,
             const char       *country,
             gboolean          sample_only,
             const Sink       *sink,
             GCancellable     *cancellable,
             XiProgressRelay  *progress,
             GError          **error)
{
  g_autoptr(GPtrArray) cards = xi_vcard_parse (text);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  gboolean any_company = FALSE, any_email = FALSE;

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
  batch->max_records = cards->len;

  for (guint i = 0; i < cards->len && !(sample_only && i == XI_IMPORT_SAMPLE_ROWS); i++)
    {
      XiVCard *card = g_ptr_array_index (cards, i);
      XiImportRow *row;
      guint slot = 0;

      if (i % CHUNK == 0)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
              !drain_rows (batch, sink, FALSE, error))
            return FALSE;
          xi_progress_relay_report (progress, (double)i / cards->len);
        }
      batch->n_records++;

      row = accept_record (batch, card->line, card->phone, card->name, country);
      if (row == NULL)
        continue;

      /* FN may hold "\n" escapes; a name is one line wherever it comes from. */
      row->name = card->name != NULL ? single_line (card->name) : NULL;
      row->notes = g_strdup (card->notes);
      row->tags = g_strdupv (card->tags);
      row->groups = g_new0 (char *, 1);
      if (any_company)
        row->custom_values[slot++] = g_strdup (card->company);
      if (any_email)
        row->custom_values[slot++] = g_strdup (card->email);
      check_row_limits (batch, row);
    }

  return TRUE;
}

/* Format detection */

static gboolean
has_suffix_nocase (const char *name,
                   const char *suffix)
{
  gsize len = strlen (name);
  gsize suffix_len = strlen (suffix);

  return len >= suffix_len && g_ascii_strcasecmp (name + len - suffix_len, suffix) == 0;
}

static gboolean
looks_like_vcard (const char *text,
                  const char *filename_hint)
{
  const char *p = text;

  if (filename_hint != NULL &&
      (has_suffix_nocase (filename_hint, ".vcf") || has_suffix_nocase (filename_hint, ".vcard")))
    return TRUE;

  while (g_ascii_isspace (*p))
    p++;
  return g_ascii_strncasecmp (p, "BEGIN:VCARD", 11) == 0;
}

/* Excel's old binary workbooks (.xls, OLE2), which are not read. */
static gboolean
is_old_workbook (const guint8 *data,
                 gsize         len)
{
  static const guint8 ole2[] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };

  return len >= sizeof ole2 && memcmp (data, ole2, sizeof ole2) == 0;
}

/* Reads @bytes, which it drops as soon as it has the text: a streaming
 * read of a large file then holds the text and some rows, not the file
 * twice. */
static XiImportBatch *
read_bytes (GBytes                 *bytes,
            const char             *filename_hint,
            const char             *country,
            const XiImportOptions  *options,
            const Sink             *sink,
            GCancellable           *cancellable,
            XiProgressRelay        *progress,
            GError                **error)
{
  g_autoptr(XiImportBatch) batch = xi_import_batch_new ();
  g_autoptr(GBytes) owned = bytes;
  g_autofree char *text = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  gboolean ok;

  if (len == 0)
    {
      g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_EMPTY, _("The file is empty."));
      return NULL;
    }
  if (!xi_limit_check_file_size (len, error))
    return NULL;
  if (is_old_workbook (data, len))
    {
      g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNSUPPORTED_FORMAT,
                   _("This is an old Excel workbook (.xls), which Xender-In cannot read. In your "
                     "spreadsheet, use Save As to save it as .xlsx, .ods or “CSV UTF-8” and "
                     "import that file."));
      return NULL;
    }

  if (xi_workbook_is_zip (data, len))
    {
      XiImportOptions sheet = { 0 };

      /* The first sheet, as comma-separated text that the CSV path reads;
       * it was written with commas, whatever the user picked. */
      if ((text = xi_workbook_to_csv (owned, cancellable, error)) == NULL)
        return NULL;
      g_clear_pointer (&owned, g_bytes_unref);
      if (options != NULL)
        sheet = *options;
      sheet.delimiter = ',';
      ok = read_delimited (batch, text, ',', country, &sheet, sink, cancellable, progress, error);
      batch->format = XI_IMPORT_FORMAT_WORKBOOK;
    }
  else if ((text = xi_text_to_utf8_as (data, len, options != NULL ? options->encoding : NULL,
                                       &batch->encoding, error)) == NULL)
    return NULL;
  else
    {
      g_clear_pointer (&owned, g_bytes_unref);
      if (looks_like_vcard (text, filename_hint))
        ok = read_vcards (batch, text, country, options != NULL && options->sample_only, sink,
                          cancellable, progress, error);
      else
        ok = read_delimited (batch, text, '\0', country, options, sink, cancellable, progress, error);
    }

  if (!ok || !drain_rows (batch, sink, TRUE, error))
    return NULL;

  xi_progress_relay_report (progress, 1.0);
  return g_steal_pointer (&batch);
}

/**
 * xi_import_read_bytes:
 * @bytes: the file contents
 * @filename_hint: (nullable): the file name, to recognise vCard files
 * @default_country_code: (nullable): calling code for numbers in
 *   national form, such as "62"
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads CSV, TSV, semicolon-separated or vCard contacts. Blocks; see
 * xi_import_read_file_async() for the threaded variant.
 *
 * Returns: (transfer full) (nullable): the good rows and the refused
 *   ones, or %NULL with @error set when the file as a whole cannot be read
 */
XiImportBatch *
xi_import_read_bytes (GBytes        *bytes,
                      const char    *filename_hint,
                      const char    *default_country_code,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_return_val_if_fail (bytes != NULL, NULL);

  return read_bytes (g_bytes_ref (bytes), filename_hint, default_country_code, NULL, NULL,
                     cancellable, NULL, error);
}

/**
 * xi_import_read_bytes_full:
 * @bytes: the file contents
 * @filename_hint: (nullable): the file name, to recognise vCard files
 * @default_country_code: (nullable): calling code for numbers in
 *   national form, such as "62"
 * @options: (nullable): the delimiter, header and column roles the user
 *   chose; %NULL guesses them
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * As xi_import_read_bytes(), read the way @options says.
 *
 * Returns: (transfer full) (nullable): the batch, or %NULL with @error set
 */
XiImportBatch *
xi_import_read_bytes_full (GBytes                 *bytes,
                           const char             *filename_hint,
                           const char             *default_country_code,
                           const XiImportOptions  *options,
                           GCancellable           *cancellable,
                           GError                **error)
{
  g_return_val_if_fail (bytes != NULL, NULL);

  return read_bytes (g_bytes_ref (bytes), filename_hint, default_country_code, options, NULL,
                     cancellable, NULL, error);
}

/* Async reading */

/* Owned by the task; only @progress is shared with the caller's thread,
 * and it is made for that. */
typedef struct
{
  GFile           *file;
  GBytes          *contents;
  char            *name;
  char            *country;
  XiImportOptions *options;
  XiProgressRelay *progress;
} ReadData;

static void
read_data_free (gpointer data)
{
  ReadData *read = data;

  g_clear_object (&read->file);
  g_clear_pointer (&read->contents, g_bytes_unref);
  g_free (read->name);
  g_free (read->country);
  g_clear_pointer (&read->options, xi_import_options_free);
  g_clear_pointer (&read->progress, xi_progress_relay_unref);
  g_free (read);
}

/* Read a megabyte at a time: few calls, and little read past the limit. */
#define LOAD_CHUNK (1024 * 1024)

static GBytes *
load_failed (const char  *name,
             GError      *local_error,
             GError     **error)
{
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, local_error);
  else
    {
      g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE, _("Could not open %s: %s"),
                   name, local_error->message);
      g_error_free (local_error);
    }
  return NULL;
}

static gboolean
same_version (GFileInfo *before,
              GFileInfo *after,
              gsize      len)
{
  return g_file_info_get_size (before) == g_file_info_get_size (after) &&
         (goffset) len == g_file_info_get_size (after) &&
         g_file_info_get_attribute_uint64 (before, G_FILE_ATTRIBUTE_TIME_MODIFIED) ==
         g_file_info_get_attribute_uint64 (after, G_FILE_ATTRIBUTE_TIME_MODIFIED) &&
         g_file_info_get_attribute_uint32 (before, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC) ==
         g_file_info_get_attribute_uint32 (after, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC);
}

/* The whole file, refused before it is read when it says it is too big,
 * and as soon as it grows past that while it is read: a pipe or a device
 * says nothing of its size beforehand, and a file still being written
 * says less than it will hold. A regular file that changes while it is
 * read (a spreadsheet saving over it, a copy still arriving) would give
 * rows of two versions or a last row cut in half, so it is refused too;
 * one replaced by a new file meanwhile is read whole as it was opened. */
static GBytes *
load_file (GFile         *file,
           GCancellable  *cancellable,
           GError       **error)
{
  static const char attributes[] = G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                   G_FILE_ATTRIBUTE_TIME_MODIFIED "," G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC;
  g_autofree char *name = g_file_get_basename (file);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) before = NULL;
  g_autoptr(GFileInfo) after = NULL;
  g_autoptr(GByteArray) data = NULL;
  GError *local_error = NULL;
  gssize n;

  stream = g_file_read (file, cancellable, &local_error);
  if (stream != NULL)
    before = g_file_input_stream_query_info (stream, attributes, cancellable, &local_error);
  if (before == NULL)
    return load_failed (name, local_error, error);
  if (!xi_limit_check_file_size (g_file_info_get_size (before), error))
    return NULL;

  data = g_byte_array_sized_new (g_file_info_get_size (before) + LOAD_CHUNK);
  do
    {
      guint len = data->len;

      if (!xi_limit_check_file_size (len, error))
        return NULL;
      g_byte_array_set_size (data, len + LOAD_CHUNK);
      n = g_input_stream_read (G_INPUT_STREAM (stream), data->data + len, LOAD_CHUNK, cancellable,
                               &local_error);
      g_byte_array_set_size (data, len + MAX (n, 0));
    }
  while (n > 0);
  if (n < 0)
    return load_failed (name, local_error, error);

  if (g_file_info_get_file_type (before) == G_FILE_TYPE_REGULAR)
    {
      after = g_file_input_stream_query_info (stream, attributes, cancellable, &local_error);
      if (after == NULL)
        return load_failed (name, local_error, error);
      if (!same_version (before, after, data->len))
        {
          g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE,
                       _("%s changed while it was read. Wait until it is completely saved or copied, "
                         "then import it again."),
                       name);
          return NULL;
        }
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ReadData *read = task_data;
  GError *error = NULL;
  GBytes *bytes;
  XiImportBatch *batch = NULL;

  if (read->contents != NULL)
    bytes = g_bytes_ref (read->contents);
  else
    bytes = load_file (read->file, cancellable, &error);
  if (bytes != NULL)
    batch = read_bytes (bytes, read->name, read->country, read->options, NULL, cancellable,
                        read->progress, &error);
  if (batch == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, batch, (GDestroyNotify)xi_import_batch_free);
}

/* Reads @contents, or @file when it is %NULL, on a worker thread. */
static void
start_read (GFile                  *file,
            GBytes                 *contents,
            const char             *name,
            const char             *country,
            const XiImportOptions  *options,
            GCancellable           *cancellable,
            XiImportProgressFunc    progress,
            gpointer                progress_data,
            GDestroyNotify          progress_destroy,
            GAsyncReadyCallback     callback,
            gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  ReadData *read = g_new0 (ReadData, 1);

  read->file = file != NULL ? g_object_ref (file) : NULL;
  read->contents = contents != NULL ? g_bytes_ref (contents) : NULL;
  read->name = g_strdup (name);
  read->country = g_strdup (country);
  read->options = xi_import_options_copy (options);
  read->progress = xi_progress_relay_new (progress, progress_data, progress_destroy);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_import_read_file_async);
  g_task_set_task_data (task, read, read_data_free);
  g_task_run_in_thread (task, read_thread);
}

/**
 * xi_import_read_file_async:
 * @file: a contacts file
 * @default_country_code: (nullable): calling code for numbers in
 *   national form, such as "62"
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable): progress callback, on the caller's thread-default
 *   main context, at most one pending at a time
 * @progress_data: closure for @progress
 * @progress_destroy: (nullable): frees @progress_data
 * @callback: called with the batch
 * @user_data: closure
 *
 * Loads and parses @file on a worker thread. Cancelling stops the read
 * within a thousand records with %G_IO_ERROR_CANCELLED.
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
  xi_import_read_file_full_async (file, default_country_code, NULL, cancellable, progress,
                                  progress_data, progress_destroy, callback, user_data);
}

/**
 * xi_import_read_file_full_async:
 * @file: a contacts file
 * @default_country_code: (nullable): as for xi_import_read_file_async()
 * @options: (nullable): how to read it, as for xi_import_read_bytes_full()
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable): as for xi_import_read_file_async()
 * @progress_data: closure for @progress
 * @progress_destroy: (nullable): frees @progress_data
 * @callback: called with the batch
 * @user_data: closure
 *
 * As xi_import_read_file_async(), read the way @options says; finish it
 * with xi_import_read_file_finish().
 */
void
xi_import_read_file_full_async (GFile                  *file,
                                const char             *default_country_code,
                                const XiImportOptions  *options,
                                GCancellable           *cancellable,
                                XiImportProgressFunc    progress,
                                gpointer                progress_data,
                                GDestroyNotify          progress_destroy,
                                GAsyncReadyCallback     callback,
                                gpointer                user_data)
{
  g_autofree char *name = NULL;

  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  name = g_file_get_basename (file);
  start_read (file, NULL, name, default_country_code, options, cancellable, progress,
              progress_data, progress_destroy, callback, user_data);
}

/**
 * xi_import_read_bytes_async:
 * @contents: the file contents, read once with xi_import_load_file_async()
 * @filename_hint: (nullable): the file name, to recognise vCard files
 * @default_country_code: (nullable): as for xi_import_read_file_async()
 * @options: (nullable): how to read it, as for xi_import_read_bytes_full()
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable): as for xi_import_read_file_async()
 * @progress_data: closure for @progress
 * @progress_destroy: (nullable): frees @progress_data
 * @callback: called with the batch
 * @user_data: closure
 *
 * As xi_import_read_file_full_async() on contents already in memory, so
 * that a preview read again with other choices does not open the file
 * again; finish it with xi_import_read_file_finish().
 */
void
xi_import_read_bytes_async (GBytes                 *contents,
                            const char             *filename_hint,
                            const char             *default_country_code,
                            const XiImportOptions  *options,
                            GCancellable           *cancellable,
                            XiImportProgressFunc    progress,
                            gpointer                progress_data,
                            GDestroyNotify          progress_destroy,
                            GAsyncReadyCallback     callback,
                            gpointer                user_data)
{
  g_return_if_fail (contents != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  start_read (NULL, contents, filename_hint, default_country_code, options, cancellable, progress,
              progress_data, progress_destroy, callback, user_data);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GBytes *bytes = load_file (task_data, cancellable, &error);

  if (bytes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify)g_bytes_unref);
}

/**
 * xi_import_load_file_async:
 * @file: a contacts file
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the contents
 * @user_data: closure
 *
 * Reads @file whole on a worker thread, refusing it before it is read
 * when it is bigger than an import may be. A preview reads the contents
 * with xi_import_read_bytes_async() and the store imports them with
 * xi_store_import_file_full_async(), so the file is opened once: what is
 * imported is what was previewed, even if the file changes meanwhile.
 */
void
xi_import_load_file_async (GFile               *file,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_import_load_file_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, load_thread);
}

/**
 * xi_import_load_file_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the contents, or %NULL with @error
 *   set (%XI_IMPORT_ERROR_UNREADABLE naming the file, or a size limit)
 */
GBytes *
xi_import_load_file_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == xi_import_load_file_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xi_import_read_file_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the batch, or %NULL with @error set
 */
XiImportBatch *
xi_import_read_file_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == xi_import_read_file_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * _xi_import_read_file_streaming:
 * @file: a contacts file
 * @contents: (nullable): its contents when they were read already; %NULL
 *   reads @file
 * @default_country_code: (nullable): as for xi_import_read_file_async()
 * @options: (nullable): how to read it, as for xi_import_read_bytes_full()
 * @func: (scope call): takes the rows read so far, tens of thousands at a
 *   time and then the rest, in file order
 * @user_data: closure for @func
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable): the fraction of the file read
 * @error: return location for a #GError
 *
 * Reads @file as xi_import_read_file_async() does, on the calling thread,
 * handing the rows to @func as it goes instead of keeping them: a file of
 * a million contacts never has them all in memory. The rows given to
 * @func are freed when it returns; when it fails, so does the read.
 *
 * Returns: (transfer full) (nullable): the batch with its issues, counts
 *   and columns but no rows, or %NULL with @error set
 */
XiImportBatch *
_xi_import_read_file_streaming (GFile                  *file,
                                GBytes                 *contents,
                                const char             *default_country_code,
                                const XiImportOptions  *options,
                                XiImportRowsFunc        func,
                                gpointer                user_data,
                                GCancellable           *cancellable,
                                XiProgressRelay        *progress,
                                GError                **error)
{
  g_autofree char *name = NULL;
  Sink sink = { func, user_data };
  GBytes *bytes;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  if (contents != NULL)
    bytes = g_bytes_ref (contents);
  else if ((bytes = load_file (file, cancellable, error)) == NULL)
    return NULL;
  name = g_file_get_basename (file);
  return read_bytes (bytes, name, default_country_code, options, &sink, cancellable, progress,
                     error);
}

/**
 * xi_import_issues_to_csv:
 * @issues: (element-type XiImportIssue): rejected records
 *
 * The refused rows as a CSV file to correct them in a spreadsheet: the
 * line of the source file, what was in the faulty cell, and why.
 *
 * Returns: (transfer full): UTF-8 CSV text with a header line
 */
char *
xi_import_issues_to_csv (GPtrArray *issues)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (issues != NULL, NULL);

  /* Column names stay in English, as in the other exports, so scripts
   * reading the file do not depend on the app's language. */
  g_string_append (out, "line,value,reason\r\n");
  for (guint i = 0; i < issues->len; i++)
    {
      XiImportIssue *issue = g_ptr_array_index (issues, i);

      g_string_append_printf (out, "%u,", issue->line);
      xi_csv_append_cell (out, issue->excerpt);
      g_string_append_c (out, ',');
      xi_csv_append_cell (out, issue->reason);
      g_string_append (out, "\r\n");
    }
  return g_string_free (out, FALSE);
}
