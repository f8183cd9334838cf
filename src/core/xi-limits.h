/* xi-limits.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * How big each piece of data may be, in characters (Unicode code points)
 * unless the name says bytes. Each bound is checked where the data enters
 * (import, the editors, the command line) and again by the store, so no
 * path writes more. docs/limits.md lists them for users.
 */

/* WhatsApp refuses a text message longer than this. */
#define XI_LIMIT_MESSAGE_CHARS       65536

/* A variant can never be sent longer than a message, and its choices and
 * fallbacks are short alternatives, not pages: a longer variant is a
 * paste gone wrong. */
#define XI_LIMIT_VARIANT_CHARS       XI_LIMIT_MESSAGE_CHARS

/* Variants are alternatives a campaign rotates through; a handful is
 * the practice, a hundred is already a list nobody reviews. */
#define XI_LIMIT_VARIANTS            100

/* A template, group or contact name is a label that is shown in lists
 * and put into messages; the longest real names are well under 100. */
#define XI_LIMIT_NAME_CHARS          256

/* Tags are short labels used to filter; fifty per contact is more than
 * any list filters by. */
#define XI_LIMIT_TAG_CHARS           64
#define XI_LIMIT_TAGS                50

/* Notes are the shop's free text about a customer, a few paragraphs. */
#define XI_LIMIT_NOTES_CHARS         4096

/* A custom field is a template variable: a city, an order number, a
 * link. Its name is a variable name someone types in braces. A
 * spreadsheet with more columns than this is not a contact list. */
#define XI_LIMIT_FIELD_CHARS         1024
#define XI_LIMIT_FIELD_NAME_CHARS    64
#define XI_LIMIT_FIELDS              64

/* A million contacts with a name, a number and a few fields take under
 * 100 MB; a bigger file is not a shop's customer list. An import reads
 * the file whole and copies it once to UTF-8, so this also bounds the
 * memory an import takes; a bigger file is refused before it is read. */
#define XI_LIMIT_IMPORT_BYTES        (128 * 1024 * 1024)

/* The longest row of a delimited file an import reads. Everything a
 * contact holds (a name, notes, tags and every custom field at their
 * limits, in four-byte characters) takes under 300 KB; a longer row is
 * a quote left open or not a contact list, and reading it whole would
 * hold several copies of it in memory. */
#define XI_LIMIT_IMPORT_ROW_BYTES    (1024 * 1024)

#define XI_LIMIT_ERROR (xi_limit_error_quark ())

/**
 * XiLimitError:
 * @XI_LIMIT_ERROR_TOO_LONG: a text has more characters than its limit
 * @XI_LIMIT_ERROR_TOO_MANY: a list has more entries than its limit
 * @XI_LIMIT_ERROR_TOO_BIG: a file has more bytes than its limit
 *
 * Why some data was refused; the message says which limit and what to do.
 */
typedef enum {
  XI_LIMIT_ERROR_TOO_LONG,
  XI_LIMIT_ERROR_TOO_MANY,
  XI_LIMIT_ERROR_TOO_BIG,
} XiLimitError;

GQuark    xi_limit_error_quark        (void);

gboolean  xi_limit_check_name         (const char          *name,
                                       GError             **error);
gboolean  xi_limit_check_tags         (const char * const  *tags,
                                       GError             **error);
gboolean  xi_limit_check_notes        (const char          *notes,
                                       GError             **error);
gboolean  xi_limit_check_field        (const char          *key,
                                       const char          *value,
                                       GError             **error);
gboolean  xi_limit_check_field_count  (guint                n_fields,
                                       GError             **error);
gboolean  xi_limit_check_variant      (const char          *text,
                                       guint                number,
                                       GError             **error);
gboolean  xi_limit_check_variants     (const char * const  *variants,
                                       GError             **error);
gboolean  xi_limit_check_message      (const char          *text,
                                       GError             **error);
void      xi_limit_set_message_error  (GError             **error);
char     *xi_limit_cut_message        (const char          *text);
char     *xi_limit_cut_text           (const char          *text,
                                       guint                max);
gboolean  xi_limit_check_file_size    (goffset              size,
                                       GError             **error);

G_END_DECLS
