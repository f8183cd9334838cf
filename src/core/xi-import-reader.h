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
 * @custom_field_names: (array zero-terminated=1): keys of the custom fields
 *   (extra columns or vCard fields), lower case with '_' for spaces
 * @rows: (element-type XiImportRow): the good records, in file order
 * @issues: (element-type XiImportIssue): the rejected records, in file order
 *
 * The result of reading one file. Immutable once returned, so it may be
 * handed to another thread.
 */
typedef struct
{
  XiImportFormat  format;
  char            delimiter;
  guint           n_records;
  char          **custom_field_names;
  GPtrArray      *rows;
  GPtrArray      *issues;
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
void            xi_import_read_file_async    (GFile                 *file,
                                              const char            *default_country_code,
                                              GCancellable          *cancellable,
                                              XiImportProgressFunc   progress,
                                              gpointer               progress_data,
                                              GDestroyNotify         progress_destroy,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data);
XiImportBatch  *xi_import_read_file_finish   (GAsyncResult          *result,
                                              GError               **error);
XiImportBatch  *xi_import_batch_new          (void);
void            xi_import_batch_free         (XiImportBatch         *batch);
char           *xi_import_issues_to_csv      (GPtrArray             *issues);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiImportBatch, xi_import_batch_free)

G_END_DECLS
