/* xi-workbook.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-workbook"

#include "config.h"

#include <glib/gi18n.h>
#include <gsf/gsf.h>
#include <math.h>
#include <string.h>

#include "xi-csv.h"
#include "xi-import-reader.h"
#include "xi-limits.h"
#include "xi-workbook.h"

/*
 * The first sheet of an Excel (.xlsx) or LibreOffice (.ods) workbook, as
 * the comma-separated text the import already reads: one line per sheet
 * row, so a refused row's line is its row number in the spreadsheet.
 * Both are zip files of XML, opened with libgsf and parsed as a stream
 * with GMarkup, so a big sheet is never held twice. Numbers are taken
 * from the value stored in the file, never from a displayed form: a
 * phone number 6281234567890 stays exact, never 6.28123E+12; a date is
 * written as its ISO 8601 day.
 */

#define CHUNK 65536

/* libgsf declares its types without these. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GsfInput, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GsfInfile, g_object_unref)

typedef struct
{
  GPtrArray   *shared;      /* XLSX: the shared strings */
  GString     *csv;
  GPtrArray   *cells;       /* the current row's, by column; NULL where empty */
  guint        next_row;    /* 1-based row the next line of @csv stands for */
  guint        row;         /* the row being read */
  guint        column;      /* the cell being read, 0-based */
  guint        repeat_columns;
  guint        repeat_rows;
  GString     *text;        /* the cell's text being collected */
  gboolean     in_text;
  gboolean     in_cell;
  gboolean     in_first_table;
  gboolean     done;
  char        *cell_type;   /* XLSX t=, ODS office:value-type */
  char        *cell_value;  /* ODS office:value / date-value / boolean-value */
  guint        cell_style;  /* XLSX s= */
  GArray      *xf_formats;  /* XLSX: number format id of each cell style (guint) */
  GHashTable  *date_formats; /* XLSX: the custom number formats that show dates */
  gboolean     in_xfs;
  gboolean     paragraphs;  /* ODS: a <text:p> already in this cell */
} Sheet;

/* Helpers */

/* Skips an element and everything in it. */
static const GMarkupParser skip_parser = { NULL, NULL, NULL, NULL, NULL };

static const char *
attribute (const char **names,
           const char **values,
           const char  *wanted)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], wanted))
      return values[i];
  return NULL;
}

/* "AB12" → 27 (0-based column of AB). */
static gint
column_of_reference (const char *reference)
{
  gint column = 0;
  const char *p;

  for (p = reference; g_ascii_isalpha (*p); p++)
    {
      column = column * 26 + (g_ascii_toupper (*p) - 'A' + 1);
      if (column > 16384)
        return -1;
    }
  return p == reference ? -1 : column - 1;
}

/* A number as the file stores it. Integers written in exponent form
 * ("6.2812345678900003E+12") are printed whole: a double holds every
 * integer below 2^53 exactly, which covers every phone number. */
static char *
number_text (const char *stored)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (stored));
  double value;
  char *end;

  if (strpbrk (trimmed, "eE.") == NULL)
    return g_steal_pointer (&trimmed);
  value = g_ascii_strtod (trimmed, &end);
  if (*end == '\0' && isfinite (value) && fabs (value) < 1e15 && value == floor (value))
    return g_strdup_printf ("%.0f", value);
  return g_steal_pointer (&trimmed);
}

static gboolean
too_big (gsize     size,
         GError  **error)
{
  if (size <= XI_LIMIT_IMPORT_BYTES)
    return FALSE;
  g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE,
               _("The sheet is too big to import (over %u MB once unpacked). Split it into "
                 "smaller files."), (guint)(XI_LIMIT_IMPORT_BYTES / (1024 * 1024)));
  return TRUE;
}

/* Streams @name of @zip through @parser. */
static gboolean
parse_member (GsfInfile            *zip,
              const char           *name,
              const GMarkupParser  *parser,
              gpointer              user_data,
              gboolean              required,
              GCancellable         *cancellable,
              GError              **error)
{
  g_autoptr(GsfInput) member = NULL;
  g_autoptr(GMarkupParseContext) context = NULL;
  g_auto(GStrv) parts = g_strsplit (name, "/", -1);
  g_autoptr(GError) local_error = NULL;
  gsf_off_t left;

  member = gsf_infile_child_by_aname (zip, (const char **)parts);
  if (member == NULL)
    {
      if (required)
        g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE,
                     _("This workbook is damaged: its part “%s” is missing. Open it in your "
                       "spreadsheet and save it again."), name);
      return !required;
    }
  left = gsf_input_size (member);
  if (too_big ((gsize)left, error))
    return FALSE;

  context = g_markup_parse_context_new (parser, G_MARKUP_PREFIX_ERROR_POSITION, user_data, NULL);
  while (left > 0)
    {
      gsize n = MIN ((gsf_off_t)CHUNK, left);
      const guint8 *data = gsf_input_read (member, n, NULL);

      if (data == NULL)
        {
          g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE,
                       _("This workbook is damaged (its part “%s” cannot be unpacked). Open it "
                         "in your spreadsheet and save it again."), name);
          return FALSE;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!g_markup_parse_context_parse (context, (const char *)data, n, &local_error))
        break;
      left -= n;
    }
  if (local_error == NULL)
    g_markup_parse_context_end_parse (context, &local_error);
  if (local_error != NULL)
    {
      g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE,
                   _("This workbook is damaged (%s). Open it in your spreadsheet and save it "
                     "again."), local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* The CSV being built */

static void
put_cell (Sheet *sheet,
          char  *text)
{
  /* A line per row: line breaks inside a cell become spaces. */
  g_strdelimit (text, "\r\n", ' ');
  if (text[0] == '\0' || sheet->column >= 16384)
    {
      g_free (text);
      return;
    }
  if (sheet->cells->len <= sheet->column)
    g_ptr_array_set_size (sheet->cells, sheet->column + 1);
  g_free (g_ptr_array_index (sheet->cells, sheet->column));
  g_ptr_array_index (sheet->cells, sheet->column) = text;
}

/* Writes the row read, @copies times, after blank lines for the rows
 * skipped; a row with no cells writes nothing, so the thousand empty
 * rows a sheet may end with cost nothing. */
static void
end_row (Sheet *sheet,
         guint  copies)
{
  if (sheet->cells->len == 0)
    {
      sheet->row += copies;
      return;
    }
  for (guint c = 0; c < copies && sheet->csv->len <= XI_LIMIT_IMPORT_BYTES; c++)
    {
      while (sheet->next_row < sheet->row + c)
        {
          g_string_append_c (sheet->csv, '\n');
          sheet->next_row++;
        }
      for (guint i = 0; i < sheet->cells->len; i++)
        {
          if (i > 0)
            g_string_append_c (sheet->csv, ',');
          xi_csv_append_field (sheet->csv, g_ptr_array_index (sheet->cells, i));
        }
      g_string_append_c (sheet->csv, '\n');
      sheet->next_row++;
    }
  sheet->row += copies;
  g_ptr_array_set_size (sheet->cells, 0);
}

static void
collect_text (GMarkupParseContext  *context,
              const char           *text,
              gsize                 len,
              gpointer              user_data,
              GError              **error)
{
  Sheet *sheet = user_data;

  if (sheet->in_text && sheet->text->len + len <= XI_LIMIT_FIELD_CHARS * 4)
    g_string_append_len (sheet->text, text, len);
}

/* XLSX: shared strings */

static void
shared_start (GMarkupParseContext  *context,
              const char           *element,
              const char          **names,
              const char          **values,
              gpointer              user_data,
              GError              **error)
{
  Sheet *sheet = user_data;

  if (g_str_equal (element, "si"))
    g_string_truncate (sheet->text, 0);
  else if (g_str_equal (element, "t"))
    sheet->in_text = TRUE;
  /* Phonetic guides (<rPh>) are not part of the text. */
  else if (g_str_equal (element, "rPh"))
    g_markup_parse_context_push (context, &skip_parser, NULL);
}

static void
shared_end (GMarkupParseContext  *context,
            const char           *element,
            gpointer              user_data,
            GError              **error)
{
  Sheet *sheet = user_data;

  if (g_str_equal (element, "t"))
    sheet->in_text = FALSE;
  else if (g_str_equal (element, "rPh"))
    g_markup_parse_context_pop (context);
  else if (g_str_equal (element, "si"))
    g_ptr_array_add (sheet->shared, g_strdup (sheet->text->str));
}

/* XLSX: which cell styles show dates. Excel stores a date as a number
 * of days; only its style says it is one. */

static gboolean
format_shows_date (const char *code)
{
  gboolean quoted = FALSE;

  for (const char *c = code; *c != '\0'; c++)
    {
      if (*c == '"')
        quoted = !quoted;
      else if (*c == '[')
        {
          /* [Red], [$-421]: not part of the date */
          const char *end = strchr (c, ']');

          if (end == NULL)
            return FALSE;
          c = end;
        }
      else if (*c == '\\' && c[1] != '\0')
        c++;
      else if (!quoted && strchr ("dDyY", *c) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
styles_start (GMarkupParseContext  *context,
              const char           *element,
              const char          **names,
              const char          **values,
              gpointer              user_data,
              GError              **error)
{
  Sheet *sheet = user_data;
  guint64 id = 0;

  if (g_str_equal (element, "cellXfs"))
    sheet->in_xfs = TRUE;
  else if (g_str_equal (element, "numFmt"))
    {
      const char *code = attribute (names, values, "formatCode");

      if (g_ascii_string_to_unsigned (attribute (names, values, "numFmtId") ?: "", 10, 0, G_MAXUINT,
                                      &id, NULL) &&
          code != NULL && format_shows_date (code))
        g_hash_table_add (sheet->date_formats, GUINT_TO_POINTER ((guint)id));
    }
  else if (sheet->in_xfs && g_str_equal (element, "xf"))
    {
      guint format;

      if (!g_ascii_string_to_unsigned (attribute (names, values, "numFmtId") ?: "0", 10, 0, G_MAXUINT,
                                       &id, NULL))
        id = 0;
      format = (guint)id;
      g_array_append_val (sheet->xf_formats, format);
    }
}

static void
styles_end (GMarkupParseContext  *context,
            const char           *element,
            gpointer              user_data,
            GError              **error)
{
  Sheet *sheet = user_data;

  if (g_str_equal (element, "cellXfs"))
    sheet->in_xfs = FALSE;
}

static gboolean
style_shows_date (Sheet *sheet,
                  guint  style)
{
  guint format;

  if (style >= sheet->xf_formats->len)
    return FALSE;
  format = g_array_index (sheet->xf_formats, guint, style);
  /* Excel's own date formats: 14 to 17 and 22 (date and time). */
  return (format >= 14 && format <= 17) || format == 22 ||
         g_hash_table_contains (sheet->date_formats, GUINT_TO_POINTER (format));
}

/* Excel's day number as an ISO 8601 day. Day 60 is the 29 February 1900
 * that Excel believes in; counting from 30 December 1899 gets every
 * later day right. */
static char *
serial_to_day (const char *stored)
{
  double serial;
  char *end;
  GDate date;

  serial = g_ascii_strtod (stored, &end);
  if (*end != '\0' || !isfinite (serial) || serial < 61 || serial > 2958465)
    return number_text (stored);
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, 30, G_DATE_DECEMBER, 1899);
  g_date_add_days (&date, (guint)floor (serial));
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (&date), g_date_get_month (&date),
                          g_date_get_day (&date));
}

/* XLSX: the sheet */

static void
xlsx_start (GMarkupParseContext  *context,
            const char           *element,
            const char          **names,
            const char          **values,
            gpointer              user_data,
            GError              **error)
{
  Sheet *sheet = user_data;

  if (g_str_equal (element, "row"))
    {
      const char *r = attribute (names, values, "r");
      guint64 number = 0;

      if (r != NULL && g_ascii_string_to_unsigned (r, 10, 1, 1048576, &number, NULL) &&
          number >= sheet->row)
        sheet->row = (guint)number;
      sheet->column = 0;
    }
  else if (g_str_equal (element, "c"))
    {
      const char *r = attribute (names, values, "r");
      const char *style = attribute (names, values, "s");
      gint column = r != NULL ? column_of_reference (r) : -1;
      guint64 style_index = 0;

      if (column >= 0)
        sheet->column = (guint)column;
      g_free (sheet->cell_type);
      sheet->cell_type = g_strdup (attribute (names, values, "t"));
      if (style == NULL || !g_ascii_string_to_unsigned (style, 10, 0, G_MAXUINT, &style_index, NULL))
        style_index = 0;
      sheet->cell_style = (guint)style_index;
      g_string_truncate (sheet->text, 0);
      sheet->in_cell = TRUE;
    }
  else if (sheet->in_cell && (g_str_equal (element, "v") || g_str_equal (element, "t")))
    sheet->in_text = TRUE;
  else if (g_str_equal (element, "rPh"))
    g_markup_parse_context_push (context, &skip_parser, NULL);
}

static void
xlsx_end (GMarkupParseContext  *context,
          const char           *element,
          gpointer              user_data,
          GError              **error)
{
  Sheet *sheet = user_data;

  if (g_str_equal (element, "v") || g_str_equal (element, "t"))
    sheet->in_text = FALSE;
  else if (g_str_equal (element, "rPh"))
    g_markup_parse_context_pop (context);
  else if (g_str_equal (element, "c"))
    {
      const char *type = sheet->cell_type != NULL ? sheet->cell_type : "n";
      char *text;

      if (g_str_equal (type, "s"))
        {
          guint64 index;

          if (!g_ascii_string_to_unsigned (sheet->text->str, 10, 0, G_MAXUINT, &index, NULL) ||
              index >= sheet->shared->len)
            {
              g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
                           _("a cell names shared text %s that is not there"), sheet->text->str);
              return;
            }
          text = g_strdup (g_ptr_array_index (sheet->shared, index));
        }
      else if (g_str_equal (type, "n") && style_shows_date (sheet, sheet->cell_style))
        text = serial_to_day (sheet->text->str);
      else if (g_str_equal (type, "n"))
        text = number_text (sheet->text->str);
      else if (g_str_equal (type, "e"))
        text = g_strdup ("");
      else
        text = g_strdup (sheet->text->str);

      put_cell (sheet, text);
      sheet->column++;
      sheet->in_cell = FALSE;
    }
  else if (g_str_equal (element, "row"))
    end_row (sheet, 1);
}

/* ODS: content.xml, the first table */

static guint
repeats (const char **names,
         const char **values,
         const char  *attribute_name,
         guint        limit)
{
  const char *text = attribute (names, values, attribute_name);
  guint64 n = 1;

  if (text != NULL && !g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &n, NULL))
    n = 1;
  return (guint)MIN (n, limit);
}

static void
ods_start (GMarkupParseContext  *context,
           const char           *element,
           const char          **names,
           const char          **values,
           gpointer              user_data,
           GError              **error)
{
  Sheet *sheet = user_data;

  if (sheet->done)
    return;
  if (g_str_equal (element, "table:table"))
    sheet->in_first_table = TRUE;
  if (!sheet->in_first_table)
    return;

  if (g_str_equal (element, "table:table-row"))
    {
      sheet->repeat_rows = repeats (names, values, "table:number-rows-repeated", 1048576);
      sheet->column = 0;
    }
  else if (g_str_equal (element, "table:table-cell") || g_str_equal (element, "table:covered-table-cell"))
    {
      const char *value;

      sheet->repeat_columns = repeats (names, values, "table:number-columns-repeated", 16384);
      g_free (sheet->cell_type);
      g_free (sheet->cell_value);
      sheet->cell_type = g_strdup (attribute (names, values, "office:value-type"));
      value = attribute (names, values, "office:date-value");
      if (value == NULL)
        value = attribute (names, values, "office:value");
      if (value == NULL)
        value = attribute (names, values, "office:boolean-value");
      sheet->cell_value = g_strdup (value);
      g_string_truncate (sheet->text, 0);
      sheet->paragraphs = FALSE;
      sheet->in_cell = TRUE;
    }
  else if (sheet->in_cell && g_str_equal (element, "text:p"))
    {
      if (sheet->paragraphs)
        g_string_append_c (sheet->text, ' ');
      sheet->paragraphs = TRUE;
      sheet->in_text = TRUE;
    }
  else if (sheet->in_text && g_str_equal (element, "text:s"))
    g_string_append_c (sheet->text, ' ');
  else if (sheet->in_text && g_str_equal (element, "text:tab"))
    g_string_append_c (sheet->text, ' ');
}

static void
ods_end (GMarkupParseContext  *context,
         const char           *element,
         gpointer              user_data,
         GError              **error)
{
  Sheet *sheet = user_data;

  if (sheet->done || !sheet->in_first_table)
    return;

  if (g_str_equal (element, "text:p"))
    sheet->in_text = FALSE;
  else if (g_str_equal (element, "table:table-cell") || g_str_equal (element, "table:covered-table-cell"))
    {
      const char *type = sheet->cell_type != NULL ? sheet->cell_type : "string";
      gboolean stored = sheet->cell_value != NULL &&
                        (g_str_equal (type, "float") || g_str_equal (type, "date") ||
                         g_str_equal (type, "percentage") || g_str_equal (type, "currency"));

      for (guint i = 0; i < sheet->repeat_columns && sheet->column < 16384; i++)
        {
          char *text;

          if (!stored)
            text = g_strdup (sheet->text->str);
          else if (g_str_equal (type, "date"))
            /* "2024-01-31T00:00:00": the day, as ISO 8601 */
            text = g_strndup (sheet->cell_value, strcspn (sheet->cell_value, "T"));
          else
            text = number_text (sheet->cell_value);
          if (text[0] == '\0')
            {
              g_free (text);
              sheet->column += sheet->repeat_columns - i;
              break;
            }
          put_cell (sheet, text);
          sheet->column++;
        }
      sheet->in_cell = FALSE;
    }
  else if (g_str_equal (element, "table:table-row"))
    end_row (sheet, sheet->repeat_rows);
  else if (g_str_equal (element, "table:table"))
    sheet->done = TRUE;
}

/* XLSX: which part is the first sheet */

typedef struct
{
  char *first_id;    /* r:id of the first <sheet> */
  char *target;      /* its part, relative to xl/ */
} Workbook;

static void
workbook_start (GMarkupParseContext  *context,
                const char           *element,
                const char          **names,
                const char          **values,
                gpointer              user_data,
                GError              **error)
{
  Workbook *book = user_data;

  if (book->first_id == NULL && g_str_equal (element, "sheet"))
    book->first_id = g_strdup (attribute (names, values, "r:id"));
}

static void
rels_start (GMarkupParseContext  *context,
            const char           *element,
            const char          **names,
            const char          **values,
            gpointer              user_data,
            GError              **error)
{
  Workbook *book = user_data;

  if (book->target == NULL && book->first_id != NULL && g_str_equal (element, "Relationship") &&
      g_strcmp0 (attribute (names, values, "Id"), book->first_id) == 0)
    book->target = g_strdup (attribute (names, values, "Target"));
}

static char *
first_sheet_part (GsfInfile     *zip,
                  GCancellable  *cancellable,
                  GError       **error)
{
  Workbook book = { NULL, NULL };
  const GMarkupParser workbook_parser = { workbook_start, NULL, NULL, NULL, NULL };
  const GMarkupParser rels_parser = { rels_start, NULL, NULL, NULL, NULL };
  char *part = NULL;

  if (parse_member (zip, "xl/workbook.xml", &workbook_parser, &book, TRUE, cancellable, error) &&
      parse_member (zip, "xl/_rels/workbook.xml.rels", &rels_parser, &book, TRUE, cancellable, error))
    {
      const char *target = book.target != NULL ? book.target : "worksheets/sheet1.xml";

      /* Targets are relative to xl/, or absolute from the package root;
       * nothing may climb out of it. */
      if (strstr (target, "..") != NULL)
        g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE,
                     _("This workbook is damaged: its first sheet is not where it should be. Open "
                       "it in your spreadsheet and save it again."));
      else if (target[0] == '/')
        part = g_strdup (target + 1);
      else
        part = g_strconcat ("xl/", target, NULL);
    }
  g_free (book.first_id);
  g_free (book.target);
  return part;
}

/* Public API */

/**
 * xi_workbook_is_zip:
 * @data: the start of a file
 * @len: its length
 *
 * Returns: whether @data is a zip file, as .xlsx and .ods files are
 */
gboolean
xi_workbook_is_zip (const guint8 *data,
                    gsize         len)
{
  return len >= 4 && memcmp (data, "PK\003\004", 4) == 0;
}

/**
 * xi_workbook_to_csv:
 * @bytes: an .xlsx or .ods file
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an %XI_IMPORT_ERROR
 *
 * Returns: (transfer full) (nullable): the first sheet as UTF-8
 *   comma-separated text, line N being row N, or %NULL with @error set
 *   saying what to do about the file
 */
char *
xi_workbook_to_csv (GBytes        *bytes,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GsfInput) input = NULL;
  g_autoptr(GsfInfile) zip = NULL;
  g_autoptr(GsfInput) mimetype = NULL;
  g_autoptr(GError) zip_error = NULL;
  g_autofree char *part = NULL;
  g_autoptr(GPtrArray) shared = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GArray) xf_formats = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) date_formats = g_hash_table_new (NULL, NULL);
  GString *csv = g_string_new (NULL);
  Sheet sheet = { 0 };
  gboolean ok;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  input = gsf_input_memory_new (data, len, FALSE);
  zip = gsf_infile_zip_new (input, &zip_error);
  if (zip == NULL)
    {
      g_string_free (csv, TRUE);
      g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE,
                   _("This file looks like a workbook but cannot be opened (%s). Open it in your "
                     "spreadsheet and save it again as .xlsx, .ods or CSV."),
                   zip_error != NULL ? zip_error->message : _("not a zip file"));
      return NULL;
    }

  sheet.shared = shared;
  sheet.cells = cells;
  sheet.text = text;
  sheet.csv = csv;
  sheet.xf_formats = xf_formats;
  sheet.date_formats = date_formats;
  sheet.row = 1;
  sheet.next_row = 1;

  mimetype = gsf_infile_child_by_name (zip, "mimetype");
  if (mimetype != NULL)
    {
      const GMarkupParser parser = { ods_start, ods_end, collect_text, NULL, NULL };
      gsf_off_t size = gsf_input_size (mimetype);
      const guint8 *type = size > 0 && size < 128 ? gsf_input_read (mimetype, size, NULL) : NULL;

      if (type == NULL ||
          strncmp ((const char *)type, "application/vnd.oasis.opendocument.spreadsheet", size) != 0)
        {
          g_string_free (csv, TRUE);
          g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNSUPPORTED_FORMAT,
                       _("This is an OpenDocument file but not a spreadsheet. Import a sheet "
                         "(.ods, .xlsx) or a CSV file."));
          return NULL;
        }
      ok = parse_member (zip, "content.xml", &parser, &sheet, TRUE, cancellable, error);
    }
  else
    {
      const GMarkupParser shared_parser = { shared_start, shared_end, collect_text, NULL, NULL };
      const GMarkupParser parser = { xlsx_start, xlsx_end, collect_text, NULL, NULL };
      const GMarkupParser styles_parser = { styles_start, styles_end, NULL, NULL, NULL };

      g_autoptr(GsfInput) workbook = gsf_infile_child_by_vname (zip, "xl", "workbook.xml", NULL);

      if (workbook == NULL)
        {
          g_string_free (csv, TRUE);
          g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNSUPPORTED_FORMAT,
                       _("This zip file is not a spreadsheet. Import an .xlsx or .ods workbook, "
                         "or a CSV file."));
          return NULL;
        }
      ok = (part = first_sheet_part (zip, cancellable, error)) != NULL &&
           parse_member (zip, "xl/sharedStrings.xml", &shared_parser, &sheet, FALSE, cancellable, error) &&
           parse_member (zip, "xl/styles.xml", &styles_parser, &sheet, FALSE, cancellable, error) &&
           parse_member (zip, part, &parser, &sheet, TRUE, cancellable, error);
    }

  g_free (sheet.cell_type);
  g_free (sheet.cell_value);
  if (ok && too_big (csv->len, error))
    ok = FALSE;
  if (!ok)
    {
      g_string_free (csv, TRUE);
      return NULL;
    }
  return g_string_free (csv, FALSE);
}
