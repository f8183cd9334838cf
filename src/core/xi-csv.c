/* xi-csv.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-csv"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "xi-csv.h"
#include "xi-import-reader.h"

/*
 * Delimited text as spreadsheets write it (RFC 4180 and the usual
 * deviations): comma, semicolon or tab; fields in double quotes may hold
 * delimiters, doubled quotes and line breaks; CRLF, LF or CR line ends.
 * One pass over the text, no allocation per character: fields are
 * collected into one scratch buffer that is reused for every record.
 */
struct _XiCsvReader
{
  const char *text;
  const char *pos;
  char        delimiter;
  guint       line;          /* 1-based line of the next character */
  guint       record_line;   /* line where the current record started */
  GString    *scratch;       /* field bytes, each NUL-terminated */
  GArray     *offsets;       /* guint offset of each field in @scratch */
};

/**
 * xi_text_to_utf8:
 * @data: file contents
 * @len: length of @data
 * @error: return location for a #GError
 *
 * Decodes a text file the way spreadsheet programs write them: UTF-8 with
 * or without a byte-order mark, UTF-16 with a byte-order mark (Excel's
 * "Unicode text"), and otherwise Windows-1252 (Excel's "CSV" on Windows).
 *
 * Returns: (transfer full): UTF-8 text without a byte-order mark
 */
char *
xi_text_to_utf8 (const guint8  *data,
                 gsize          len,
                 GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  char *text;

  if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
    {
      data += 3;
      len -= 3;
    }
  else if (len >= 2 && ((data[0] == 0xFF && data[1] == 0xFE) || (data[0] == 0xFE && data[1] == 0xFF)))
    {
      const char *from = data[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";

      text = g_convert ((const char *)data + 2, len - 2, "UTF-8", from, NULL, NULL, &local_error);
      if (text == NULL)
        g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE,
                     _("The file says it is UTF-16 text but is damaged: %s"), local_error->message);
      return text;
    }

  if (memchr (data, '\0', len) == NULL && g_utf8_validate ((const char *)data, len, NULL))
    return g_strndup ((const char *)data, len);

  text = g_convert ((const char *)data, len, "UTF-8", "WINDOWS-1252", NULL, NULL, &local_error);
  if (text == NULL)
    g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE,
                 _("The file is not text that Xender-In can read. Save it as “CSV UTF-8” and try again."));
  return text;
}

/**
 * xi_csv_detect_delimiter:
 * @text: the file, starting with its first (header) line
 *
 * Picks the delimiter that occurs most often outside quotes on the first
 * line: a comma, a semicolon (spreadsheets in locales with a decimal
 * comma) or a tab. Returns a comma when the line has none of them.
 */
char
xi_csv_detect_delimiter (const char *text)
{
  guint commas = 0, semicolons = 0, tabs = 0;
  gboolean quoted = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        quoted = !quoted;
      else if (!quoted && (*p == '\n' || *p == '\r'))
        break;
      else if (!quoted && *p == ',')
        commas++;
      else if (!quoted && *p == ';')
        semicolons++;
      else if (!quoted && *p == '\t')
        tabs++;
    }

  if (tabs > commas && tabs >= semicolons)
    return '\t';
  if (semicolons > commas)
    return ';';
  return ',';
}

XiCsvReader *
xi_csv_reader_new (const char *text,
                   char        delimiter)
{
  XiCsvReader *self = g_new0 (XiCsvReader, 1);

  self->text = text;
  self->pos = text;
  self->delimiter = delimiter;
  self->line = 1;
  self->scratch = g_string_sized_new (256);
  self->offsets = g_array_sized_new (FALSE, FALSE, sizeof (guint), 16);

  return self;
}

void
xi_csv_reader_free (XiCsvReader *self)
{
  if (self == NULL)
    return;
  g_string_free (self->scratch, TRUE);
  g_array_unref (self->offsets);
  g_free (self);
}

/* Consumes one line end (CRLF, LF or CR) at @self->pos, if any. */
static gboolean
eat_newline (XiCsvReader *self)
{
  if (self->pos[0] == '\r')
    {
      self->pos += self->pos[1] == '\n' ? 2 : 1;
      self->line++;
      return TRUE;
    }
  if (self->pos[0] == '\n')
    {
      self->pos++;
      self->line++;
      return TRUE;
    }
  return FALSE;
}

static void
start_field (XiCsvReader *self)
{
  guint offset = self->scratch->len;

  g_array_append_val (self->offsets, offset);
}

static void
end_field (XiCsvReader *self)
{
  g_string_append_c (self->scratch, '\0');
}

/**
 * xi_csv_reader_next:
 * @self: a reader
 * @error: return location for a #GError
 *
 * Reads the next record. An unterminated quote is an error for the record
 * that opened it; the records before it were already returned.
 *
 * Returns: %TRUE if a record was read, %FALSE at the end or on error
 */
gboolean
xi_csv_reader_next (XiCsvReader  *self,
                    GError      **error)
{
  const char delimiter = self->delimiter;

  if (self->pos[0] == '\0')
    return FALSE;

  g_string_truncate (self->scratch, 0);
  g_array_set_size (self->offsets, 0);
  self->record_line = self->line;

  for (;;)
    {
      start_field (self);

      if (self->pos[0] == '"')
        {
          self->pos++;
          for (;;)
            {
              const char *stop = self->pos + strcspn (self->pos, "\"\r\n");

              g_string_append_len (self->scratch, self->pos, stop - self->pos);
              self->pos = stop;

              if (self->pos[0] == '\0')
                {
                  g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE,
                               _("Line %u: a quote (\") opened here is never closed, so the rest "
                                 "of the file could not be read."), self->record_line);
                  return FALSE;
                }
              if (self->pos[0] == '"' && self->pos[1] == '"')
                {
                  g_string_append_c (self->scratch, '"');
                  self->pos += 2;
                }
              else if (self->pos[0] == '"')
                {
                  self->pos++;
                  break;
                }
              else
                {
                  /* A line break inside quotes belongs to the field. */
                  if (self->pos[0] == '\r' && self->pos[1] == '\n')
                    g_string_append_c (self->scratch, '\n');
                  else
                    g_string_append_c (self->scratch, self->pos[0]);
                  eat_newline (self);
                }
            }
        }

      /* Unquoted text, or text after a closing quote (kept, as spreadsheets do). */
      {
        char stops[4] = { delimiter, '\r', '\n', '\0' };
        const char *stop = self->pos + strcspn (self->pos, stops);

        g_string_append_len (self->scratch, self->pos, stop - self->pos);
        self->pos = stop;
      }
      end_field (self);

      if (self->pos[0] == delimiter)
        {
          self->pos++;
          continue;
        }

      eat_newline (self);
      return TRUE;
    }
}

guint
xi_csv_reader_get_line (XiCsvReader *self)
{
  return self->record_line;
}

guint
xi_csv_reader_get_n_fields (XiCsvReader *self)
{
  return self->offsets->len;
}

/* Returns "" for a field past the end of a short record. */
const char *
xi_csv_reader_get_field (XiCsvReader *self,
                         guint        index)
{
  if (index >= self->offsets->len)
    return "";
  return self->scratch->str + g_array_index (self->offsets, guint, index);
}

/* Whether every field is empty or whitespace, like the ";;;" rows
 * spreadsheets write for blank lines. */
gboolean
xi_csv_reader_is_blank (XiCsvReader *self)
{
  for (guint i = 0; i < self->offsets->len; i++)
    {
      for (const char *p = xi_csv_reader_get_field (self, i); *p != '\0'; p++)
        if (!g_ascii_isspace (*p))
          return FALSE;
    }
  return TRUE;
}

gsize
xi_csv_reader_get_offset (XiCsvReader *self)
{
  return self->pos - self->text;
}
