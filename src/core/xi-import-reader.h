/* xi-import-reader.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define XI_IMPORT_ERROR (xi_import_error_quark ())

typedef enum {
  XI_IMPORT_ERROR_UNREADABLE,
  XI_IMPORT_ERROR_EMPTY,
  XI_IMPORT_ERROR_NO_PHONE_COLUMN,
  XI_IMPORT_ERROR_UNSUPPORTED_FORMAT,
} XiImportError;

typedef enum {
  XI_IMPORT_FORMAT_DELIMITED,
  XI_IMPORT_FORMAT_VCARD,
  XI_IMPORT_FORMAT_WORKBOOK,
} XiImportFormat;

/**
 * XiImportHeader:
 * @XI_IMPORT_HEADER_AUTO: look for a row of titles among the first rows
 * @XI_IMPORT_HEADER_PRESENT: the first non-blank row holds titles
 * @XI_IMPORT_HEADER_ABSENT: every row is data
 *
 * Whether a delimited file or a sheet starts with a row of titles.
 */
typedef enum {
  XI_IMPORT_HEADER_AUTO,
  XI_IMPORT_HEADER_PRESENT,
  XI_IMPORT_HEADER_ABSENT,
} XiImportHeader;

/* Records of a delimited file or sheet kept in XiImportBatch.sample. */
#define XI_IMPORT_SAMPLE_ROWS 20

/**
 * XiImportOptions:
 * @delimiter: ',', ';' or '\t', or '\0' to detect it
 * @header: whether the first row holds titles
 * @columns: (nullable) (array zero-terminated=1): the role of each column
 *   in file order, overriding the guess: "name", "first-name",
 *   "last-name", "phone", "tags", "notes", "groups", "ignore" or
 *   "field:KEY"; an empty string, or a column past the end, keeps the guess
 * @keep_without_phone: when no column holds phone numbers, return a batch
 *   without rows and with @missing_phone set instead of failing, so that a
 *   preview can ask which column holds them
 * @encoding: (nullable): how to decode a text file, as
 *   xi_text_to_utf8_as() takes it ("UTF-8", "Windows-1252", "ISO-8859-1",
 *   "UTF-16", "UTF-16LE" or "UTF-16BE"); %NULL detects it
 * @sample_only: stop after the first %XI_IMPORT_SAMPLE_ROWS records, for a
 *   preview that shows them at once and counts the rest through the store;
 *   #XiImportBatch.n_records, rows and issues then cover those records only
 *
 * What the user chose in a preview; %NULL options guess everything.
 */
typedef struct
{
  char            delimiter;
  XiImportHeader  header;
  char          **columns;
  gboolean        keep_without_phone;
  char           *encoding;
  gboolean        sample_only;
} XiImportOptions;

/**
 * XiImportRow:
 * @line: 1-based line of the file where the record starts
 * @name: (nullable): display name
 * @phone: normalised E.164 digits, without "+"
 * @tags: (array zero-terminated=1): tags, never %NULL
 * @notes: (nullable): free text
 * @custom_values: (array zero-terminated=0): one value per entry of
 *   #XiImportBatch.custom_field_names, %NULL where the cell was empty
 * @groups: (array zero-terminated=1): group names given in the file, never %NULL
 *
 * One good record, ready for the store.
 */
typedef struct
{
  guint   line;
  char   *name;
  char   *phone;
  char  **tags;
  char   *notes;
  char  **custom_values;
  char  **groups;
} XiImportRow;

/**
 * XiImportIssue:
 * @line: 1-based line where the rejected record starts
 * @excerpt: (nullable): what the user typed in the cell at fault, so they can find the row
 * @reason: translated sentence that says what to fix
 */
typedef struct
{
  guint  line;
  char  *excerpt;
  char  *reason;
} XiImportIssue;

/**
 * XiImportBatch:
 * @format: what the file was
 * @delimiter: the detected delimiter for delimited files (',', ';' or '\t')
 * @n_records: data records seen, excluding the header and blank lines
 * @max_records: at most this many records are in the whole file, known
 *   before the first rows are handed on: the lines of a delimited file or
 *   sheet (a quoted line break makes it more than the records), the cards
 *   of a vCard file
 * @custom_field_names: (array zero-terminated=1): keys of the custom fields
 *   (extra columns or vCard fields), lower case with '_' for spaces
 * @rows: (element-type XiImportRow): the good records, in file order
 * @issues: (element-type XiImportIssue): the rejected records, in file order
 * @encoding: (nullable): how the text was decoded ("UTF-8", "UTF-16LE",
 *   "UTF-16BE", "Windows-1252" or "ISO-8859-1"); %NULL for workbooks,
 *   which say it themselves
 * @has_header: whether a row of titles was found (delimited files and sheets)
 * @missing_phone: no column holds phone numbers, so there are no rows
 *   (only with #XiImportOptions.keep_without_phone)
 * @column_titles: (array zero-terminated=1): the title of each column of a
 *   delimited file or sheet, "" without a header; empty for vCards
 * @column_roles: (array zero-terminated=1): the role each column was read
 *   with, as in #XiImportOptions.columns ("field:KEY" with the final key)
 * @sample: (element-type GStrv): the cells of the first
 *   %XI_IMPORT_SAMPLE_ROWS data records of a delimited file or sheet
 *
 * The result of reading one file. Immutable once returned, so it may be
 * handed to another thread.
 */
typedef struct
{
  XiImportFormat  format;
  char            delimiter;
  guint           n_records;
  guint           max_records;
  char          **custom_field_names;
  GPtrArray      *rows;
  GPtrArray      *issues;
  const char     *encoding;
  gboolean        has_header;
  gboolean        missing_phone;
  char          **column_titles;
  char          **column_roles;
  GPtrArray      *sample;
} XiImportBatch;

/**
 * XiImportProgressFunc:
 * @fraction: 0.0 to 1.0
 * @user_data: closure
 *
 * Progress of a read; called on the thread-default main context of the
 * caller of xi_import_read_file_async(), at most once per main-loop
 * iteration.
 */
typedef void (*XiImportProgressFunc) (double   fraction,
                                      gpointer user_data);

GQuark          xi_import_error_quark        (void);

XiImportBatch  *xi_import_read_bytes         (GBytes                *bytes,
                                              const char            *filename_hint,
                                              const char            *default_country_code,
                                              GCancellable          *cancellable,
                                              GError               **error);
XiImportBatch  *xi_import_read_bytes_full    (GBytes                *bytes,
                                              const char            *filename_hint,
                                              const char            *default_country_code,
                                              const XiImportOptions *options,
                                              GCancellable          *cancellable,
                                              GError               **error);
XiImportOptions *xi_import_options_copy      (const XiImportOptions *options);
void            xi_import_options_free       (XiImportOptions       *options);
gboolean        xi_import_role_is_known      (const char            *role);
void            xi_import_read_file_async    (GFile                 *file,
                                              const char            *default_country_code,
                                              GCancellable          *cancellable,
                                              XiImportProgressFunc   progress,
                                              gpointer               progress_data,
                                              GDestroyNotify         progress_destroy,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data);
void            xi_import_read_file_full_async (GFile               *file,
                                              const char            *default_country_code,
                                              const XiImportOptions *options,
                                              GCancellable          *cancellable,
                                              XiImportProgressFunc   progress,
                                              gpointer               progress_data,
                                              GDestroyNotify         progress_destroy,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data);
void            xi_import_read_bytes_async   (GBytes                *contents,
                                              const char            *filename_hint,
                                              const char            *default_country_code,
                                              const XiImportOptions *options,
                                              GCancellable          *cancellable,
                                              XiImportProgressFunc   progress,
                                              gpointer               progress_data,
                                              GDestroyNotify         progress_destroy,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data);
XiImportBatch  *xi_import_read_file_finish   (GAsyncResult          *result,
                                              GError               **error);
void            xi_import_load_file_async    (GFile                 *file,
                                              GCancellable          *cancellable,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data);
GBytes         *xi_import_load_file_finish   (GAsyncResult          *result,
                                              GError               **error);
XiImportBatch  *xi_import_batch_new          (void);
void            xi_import_batch_free         (XiImportBatch         *batch);
char           *xi_import_issues_to_csv      (GPtrArray             *issues);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiImportBatch, xi_import_batch_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiImportOptions, xi_import_options_free)

G_END_DECLS
