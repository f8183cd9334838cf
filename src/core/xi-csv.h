/* xi-csv.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "xi-contact.h"

G_BEGIN_DECLS

/* Reads delimited text one record at a time; not thread-safe, but
 * readers over the same text are independent. */
typedef struct _XiCsvReader XiCsvReader;

char         *xi_text_to_utf8            (const guint8  *data,
                                          gsize          len,
                                          GError       **error);
char         *xi_text_to_utf8_full       (const guint8  *data,
                                          gsize          len,
                                          const char   **encoding,
                                          GError       **error);
char         *xi_text_to_utf8_as         (const guint8  *data,
                                          gsize          len,
                                          const char    *chosen,
                                          const char   **encoding,
                                          GError       **error);
char          xi_csv_detect_delimiter    (const char    *text);
XiCsvReader  *xi_csv_reader_new          (const char    *text,
                                          char           delimiter);
gboolean      xi_csv_reader_next         (XiCsvReader   *self,
                                          GError       **error);
guint         xi_csv_reader_get_line     (XiCsvReader   *self);
guint         xi_csv_reader_get_n_fields (XiCsvReader   *self);
const char   *xi_csv_reader_get_field    (XiCsvReader   *self,
                                          guint          index);
gboolean      xi_csv_reader_is_blank     (XiCsvReader   *self);
gsize         xi_csv_reader_get_offset   (XiCsvReader   *self);
void          xi_csv_reader_free         (XiCsvReader   *self);

const char * const *xi_csv_export_titles (void);
void          xi_csv_append_field        (GString       *out,
                                          const char    *value);
void          xi_csv_append_cell         (GString       *out,
                                          const char    *value);
void          xi_csv_append_contacts_header (GString            *out,
                                             const char * const *custom_names);
void          xi_csv_append_contact      (GString            *out,
                                          XiContact          *contact,
                                          const char         *groups,
                                          const char * const *custom_names);

gboolean      xi_csv_save                (GFile              *file,
                                          GBytes             *contents,
                                          GError            **error);
void          xi_csv_save_async          (GFile              *file,
                                          GBytes             *contents,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
gboolean      xi_csv_save_finish         (GFile              *file,
                                          GAsyncResult       *result,
                                          GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiCsvReader, xi_csv_reader_free)

G_END_DECLS
