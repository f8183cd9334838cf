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
#include "xi-limits.h"
#include "xi-phone.h"

/*
 * Delimited text as spreadsheets write it (RFC 4180 and the usual
 * deviations): comma, semicolon or tab; fields in double quotes may hold
 * delimiters, doubled quotes and line breaks; CRLF, LF or CR line ends.
 * One pass over the text, no allocation per character: fields are
 * collected into one scratch buffer that is reused for every record.
 * A record longer than XI_LIMIT_IMPORT_ROW_BYTES is read to its end
 * without being kept, so a huge row costs no memory beyond the text.
 */
struct _XiCsvReader
{
  const char *text;
  const char *pos;
  char        delimiter;
  guint       line;          /* 1-based line of the next character */
  const char *record_start;
  guint       record_line;   /* line where the current record started */
  GString    *scratch;       /* field bytes, each NUL-terminated */
  GArray     *offsets;       /* guint offset of each field in @scratch */
  gboolean    too_long;      /* the current record passed the limit */
};

/* Lines looked at to find the delimiter, in case a title row without
 * any precedes the header. */
#define DETECT_LINES 10

/* Windows-1252 differs from Latin-1 only in 0x80–0x9F. The five holes
 * map to the same code point, as Windows itself decodes them. */
static const gunichar cp1252_high[32] = {
  0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
  0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static char *
decode_cp1252 (const guint8 *data,
               gsize         len)
{
  GString *out = g_string_sized_new (len + len / 8 + 1);
  gsize i = 0;

  while (i < len)
    {
      gsize ascii = i;

      while (ascii < len && data[ascii] < 0x80)
        ascii++;
      g_string_append_len (out, (const char *)data + i, ascii - i);
      if (ascii == len)
        break;
      g_string_append_unichar (out, data[ascii] < 0xA0 ? cp1252_high[data[ascii] - 0x80]
                                                        : data[ascii]);
      i = ascii + 1;
    }

  return g_string_free (out, FALSE);
}

static void
set_not_text_error (GError **error)
{
  g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE,
               _("This is not a text file. Save your contacts as “CSV UTF-8” or as a "
                 "vCard file and try again."));
}

static char *
decode_utf16 (const guint8  *data,
              gsize          len,
              const char    *charset,
              GError       **error)
{
  gsize written = 0;
  g_autofree char *text = g_convert ((const char *)data, len, "UTF-8", charset,
                                     NULL, &written, NULL);

  if (text == NULL)
    {
      g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE,
                   _("The file says it is Unicode text but is damaged. Save it again from "
                     "your spreadsheet as “CSV UTF-8” and try again."));
      return NULL;
    }
  /* A NUL character would silently cut the text short. */
  if (memchr (text, '\0', written) != NULL)
    {
      set_not_text_error (error);
      return NULL;
    }
  return g_steal_pointer (&text);
}

/**
 * xi_text_to_utf8:
 * @data: file contents
 * @len: length of @data
 * @error: return location for a #GError
 *
 * Decodes a text file the way spreadsheet programs write them: UTF-8 with
 * or without a byte-order mark, UTF-16 with a byte-order mark (Excel's
 * "Unicode text"), and otherwise Windows-1252 (Excel's "CSV" on Windows).
 * Bytes that are not valid UTF-8 can always be read as Windows-1252, so
 * only binary files (with NUL bytes) are refused.
 *
 * Returns: (transfer full) (nullable): UTF-8 text without a byte-order
 *   mark, or %NULL with %XI_IMPORT_ERROR_UNREADABLE
 */
char *
xi_text_to_utf8 (const guint8  *data,
                 gsize          len,
                 GError       **error)
{
  return xi_text_to_utf8_full (data, len, NULL, error);
}

/**
 * xi_text_to_utf8_full:
 * @data: file contents
 * @len: length of @data
 * @encoding: (out) (optional) (transfer none): the encoding the text was
 *   read as: "UTF-8", "UTF-16LE", "UTF-16BE" or "Windows-1252"
 * @error: return location for a #GError
 *
 * As xi_text_to_utf8(), and says which encoding it found, so that a
 * preview can show it.
 *
 * Returns: (transfer full) (nullable): UTF-8 text without a byte-order
 *   mark, or %NULL with %XI_IMPORT_ERROR_UNREADABLE
 */
char *
xi_text_to_utf8_full (const guint8  *data,
                      gsize          len,
                      const char   **encoding,
                      GError       **error)
{
  return xi_text_to_utf8_as (data, len, NULL, encoding, error);
}

static char *
decode_latin1 (const guint8 *data,
               gsize         len)
{
  GString *out = g_string_sized_new (len + len / 8 + 1);

  for (gsize i = 0; i < len; i++)
    {
      if (data[i] < 0x80)
        g_string_append_c (out, data[i]);
      else
        g_string_append_unichar (out, data[i]);
    }
  return g_string_free (out, FALSE);
}

static char *
decode_utf8 (const guint8  *data,
             gsize          len,
             GError       **error)
{
  const char *end = NULL;
  guint line = 1;

  if (g_utf8_validate ((const char *)data, len, &end))
    return g_strndup ((const char *)data, len);

  for (const guint8 *p = data; p < (const guint8 *)end; p++)
    line += *p == '\n';
  g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE,
               _("Line %u is not UTF-8 text. Choose the encoding the file was saved in."), line);
  return NULL;
}

/**
 * xi_text_to_utf8_as:
 * @data: file contents
 * @len: length of @data
 * @chosen: (nullable): the encoding to read the text as: "UTF-8",
 *   "Windows-1252", "ISO-8859-1", "UTF-16" (little-endian unless a
 *   byte-order mark says otherwise), "UTF-16LE" or "UTF-16BE"; %NULL
 *   detects it as xi_text_to_utf8() does
 * @encoding: (out) (optional) (transfer none): the encoding the text was
 *   read as, one of the names above but "UTF-16"
 * @error: return location for a #GError
 *
 * As xi_text_to_utf8_full(), in the encoding the user chose when the
 * guess was wrong. A byte-order mark of the chosen encoding is dropped;
 * UTF-8 that is not valid is refused with the line at fault.
 *
 * Returns: (transfer full) (nullable): UTF-8 text, or %NULL with
 *   %XI_IMPORT_ERROR_UNREADABLE
 */
char *
xi_text_to_utf8_as (const guint8  *data,
                    gsize          len,
                    const char    *chosen,
                    const char   **encoding,
                    GError       **error)
{
  const char *found = "UTF-8";
  gboolean bom_le = len >= 2 && data[0] == 0xFF && data[1] == 0xFE;
  gboolean bom_be = len >= 2 && data[0] == 0xFE && data[1] == 0xFF;
  gboolean bom_utf8 = len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF;
  char *text;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (chosen != NULL && g_str_has_prefix (chosen, "UTF-16"))
    {
      if (g_str_equal (chosen, "UTF-16LE") || (g_str_equal (chosen, "UTF-16") && !bom_be))
        found = "UTF-16LE";
      else
        found = "UTF-16BE";
      if ((bom_le && g_str_equal (found, "UTF-16LE")) || (bom_be && g_str_equal (found, "UTF-16BE")))
        text = decode_utf16 (data + 2, len - 2, found, error);
      else
        text = decode_utf16 (data, len, found, error);
    }
  else if (chosen == NULL && bom_le)
    text = decode_utf16 (data + 2, len - 2, found = "UTF-16LE", error);
  else if (chosen == NULL && bom_be)
    text = decode_utf16 (data + 2, len - 2, found = "UTF-16BE", error);
  else if (memchr (data, '\0', len) != NULL)
    {
      set_not_text_error (error);
      return NULL;
    }
  else if (chosen != NULL && g_str_equal (chosen, "Windows-1252"))
    {
      text = decode_cp1252 (data, len);
      found = "Windows-1252";
    }
  else if (chosen != NULL && g_str_equal (chosen, "ISO-8859-1"))
    {
      text = decode_latin1 (data, len);
      found = "ISO-8859-1";
    }
  else if (chosen != NULL && g_str_equal (chosen, "UTF-8"))
    text = bom_utf8 ? decode_utf8 (data + 3, len - 3, error) : decode_utf8 (data, len, error);
  else if (chosen != NULL)
    {
      g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE,
                   _("“%s” is not an encoding Xender-In reads. Choose UTF-8, Windows-1252, "
                     "ISO-8859-1 or UTF-16."), chosen);
      return NULL;
    }
  else
    {
      if (bom_utf8)
        {
          data += 3;
          len -= 3;
        }
      if (g_utf8_validate ((const char *)data, len, NULL))
        text = g_strndup ((const char *)data, len);
      else
        {
          text = decode_cp1252 (data, len);
          found = "Windows-1252";
        }
    }

  if (text != NULL && encoding != NULL)
    *encoding = found;
  return text;
}

/**
 * xi_csv_detect_delimiter:
 * @text: the file, starting with its first line
 *
 * Picks the delimiter that occurs most often outside quotes on the first
 * line that has any: a comma, a semicolon (spreadsheets in locales with a
 * decimal comma, Indonesian ones included) or a tab. Returns a comma when
 * the first lines have none of them.
 *
 * Returns: ',', ';' or '\t'
 */
char
xi_csv_detect_delimiter (const char *text)
{
  guint commas = 0, semicolons = 0, tabs = 0;
  gboolean quoted = FALSE;
  guint lines = 0;

  g_return_val_if_fail (text != NULL, ',');

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        quoted = !quoted;
      else if (quoted)
        continue;
      else if (*p == '\n' || *p == '\r')
        {
          if (commas + semicolons + tabs > 0 || ++lines == DETECT_LINES)
            break;
        }
      else if (*p == ',')
        commas++;
      else if (*p == ';')
        semicolons++;
      else if (*p == '\t')
        tabs++;
    }

  if (tabs > commas && tabs >= semicolons)
    return '\t';
  if (semicolons > commas)
    return ';';
  return ',';
}

/**
 * xi_csv_reader_new:
 * @text: NUL-terminated UTF-8 text, which must outlive the reader
 * @delimiter: ',', ';' or '\t', see xi_csv_detect_delimiter()
 *
 * Returns: (transfer full): a reader positioned before the first record
 */
XiCsvReader *
xi_csv_reader_new (const char *text,
                   char        delimiter)
{
  XiCsvReader *self;

  g_return_val_if_fail (text != NULL, NULL);

  self = g_new0 (XiCsvReader, 1);
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

/* Some programs write `a, "b, c"`: blanks before an opening quote are
 * not part of the field. Elsewhere blanks are kept, as RFC 4180 says. */
static void
skip_blanks_before_quote (XiCsvReader *self)
{
  const char *p = self->pos;

  while (*p == ' ' || (*p == '\t' && self->delimiter != '\t'))
    p++;
  if (*p == '"')
    self->pos = p;
}

/* Keeps @len bytes of the current record, unless it grows past the
 * limit; from then on nothing more of it is kept. */
static void
keep_bytes (XiCsvReader *self,
            const char  *bytes,
            gsize        len)
{
  if (self->too_long || self->scratch->len + len > XI_LIMIT_IMPORT_ROW_BYTES)
    {
      self->too_long = TRUE;
      return;
    }
  g_string_append_len (self->scratch, bytes, len);
}

/* Skips the first line of the broken record so that the caller can go
 * on reading: an unclosed quote means no other quote follows, so the
 * lines after it are ordinary records. */
static void
recover_after (XiCsvReader *self)
{
  self->pos = self->record_start + strcspn (self->record_start, "\r\n");
  self->line = self->record_line;
  eat_newline (self);
}

/* Reads a quoted field from just after its opening quote up to and
 * including its closing quote. */
static gboolean
read_quoted (XiCsvReader  *self,
             GError      **error)
{
  for (;;)
    {
      const char *stop = self->pos + strcspn (self->pos, "\"\r\n");

      keep_bytes (self, self->pos, stop - self->pos);
      self->pos = stop;

      if (self->pos[0] == '\0')
        {
          g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE,
                       _("A quote (\") opened in this row is never closed, so the row "
                         "could not be read. Remove the quote or add the closing one."));
          return FALSE;
        }
      if (self->pos[0] == '"' && self->pos[1] == '"')
        {
          keep_bytes (self, "\"", 1);
          self->pos += 2;
        }
      else if (self->pos[0] == '"')
        {
          self->pos++;
          return TRUE;
        }
      else
        {
          /* A line break inside quotes belongs to the field, as "\n". */
          keep_bytes (self, "\n", 1);
          eat_newline (self);
        }
    }
}

/**
 * xi_csv_reader_next:
 * @self: a reader
 * @error: return location for a #GError
 *
 * Reads the next record. A quote that is never closed is an
 * %XI_IMPORT_ERROR_UNREADABLE error for the record that opened it; the
 * reader then skips that record's first line, so the caller may report
 * the error (xi_csv_reader_get_line() gives the line) and go on reading.
 * So is a record longer than %XI_LIMIT_IMPORT_ROW_BYTES, after which the
 * reader is at the next record.
 *
 * Returns: %TRUE if a record was read, %FALSE at the end or on error
 */
gboolean
xi_csv_reader_next (XiCsvReader  *self,
                    GError      **error)
{
  char stops[4] = { self->delimiter, '\r', '\n', '\0' };

  if (self->pos[0] == '\0')
    return FALSE;

  g_string_truncate (self->scratch, 0);
  g_array_set_size (self->offsets, 0);
  self->too_long = FALSE;
  self->record_start = self->pos;
  self->record_line = self->line;

  for (;;)
    {
      guint offset = self->scratch->len;
      const char *stop;

      if (!self->too_long)
        g_array_append_val (self->offsets, offset);

      skip_blanks_before_quote (self);
      if (self->pos[0] == '"')
        {
          self->pos++;
          if (!read_quoted (self, error))
            {
              recover_after (self);
              return FALSE;
            }
        }

      /* Unquoted text, or text after a closing quote (kept, as spreadsheets
       * do), up to the delimiter or the end of the line. */
      stop = self->pos + strcspn (self->pos, stops);
      keep_bytes (self, self->pos, stop - self->pos);
      keep_bytes (self, "", 1);
      self->pos = stop;

      if (self->pos[0] != self->delimiter)
        break;
      self->pos++;
    }

  eat_newline (self);
  if (self->too_long)
    {
      /* What was kept is an incomplete record: it is not offered. */
      g_string_truncate (self->scratch, 0);
      g_array_set_size (self->offsets, 1);
      g_array_index (self->offsets, guint, 0) = 0;
      g_string_append_c (self->scratch, '\0');
      g_set_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE,
                   _("This row is longer than %u MB, more than any contact holds, so it was "
                     "skipped. Check that every quote (\") opened in it is closed."),
                   (guint)(XI_LIMIT_IMPORT_ROW_BYTES / (1024 * 1024)));
      return FALSE;
    }
  return TRUE;
}

/**
 * xi_csv_reader_get_line:
 * @self: a reader
 *
 * Returns: the 1-based line where the last record read (or refused) starts
 */
guint
xi_csv_reader_get_line (XiCsvReader *self)
{
  return self->record_line;
}

/**
 * xi_csv_reader_get_n_fields:
 * @self: a reader
 *
 * Returns: the number of fields of the current record, at least 1
 */
guint
xi_csv_reader_get_n_fields (XiCsvReader *self)
{
  return self->offsets->len;
}

/* What a spreadsheet would run as a formula when the file is opened: a
 * customer's name or reply such as =HYPERLINK(…) or =cmd|… in an export
 * the shop owner opens. A number or a phone number ("+62 812-…", "-5")
 * starts the same way but computes nothing anyone could plant. */
static gboolean
is_formula (const char *value)
{
  if (value[0] == '\0' || strchr ("=+-@\t\r", value[0]) == NULL)
    return FALSE;
  return value[strspn (value, "0123456789+-(). ")] != '\0';
}

/**
 * xi_csv_reader_get_field:
 * @self: a reader
 * @index: 0-based column
 *
 * A field that an export showed as text with a leading apostrophe
 * (xi_csv_append_cell()), as a spreadsheet does when one types '=…,
 * comes back without it, so that an export imports as it was.
 *
 * Returns: (transfer none): the field, valid until the next record is
 *   read; "" for a field past the end of a short record
 */
const char *
xi_csv_reader_get_field (XiCsvReader *self,
                         guint        index)
{
  const char *field;

  if (index >= self->offsets->len)
    return "";
  field = self->scratch->str + g_array_index (self->offsets, guint, index);
  if (field[0] == '\'' && is_formula (field + 1))
    return field + 1;
  return field;
}

/**
 * xi_csv_reader_is_blank:
 * @self: a reader
 *
 * Whether every field is empty or whitespace, like the ";;;" rows
 * spreadsheets write for blank lines.
 *
 * Returns: %TRUE if the current record holds nothing
 */
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

/**
 * xi_csv_reader_get_offset:
 * @self: a reader
 *
 * Returns: how many bytes of the text were consumed, for progress
 */
gsize
xi_csv_reader_get_offset (XiCsvReader *self)
{
  return self->pos - self->text;
}

/* Writing */

/* The columns of a contacts export before the custom fields, in order. */
static const char * const export_titles[] = {
  "name", "phone", "tags", "groups", "notes", "opted_out", NULL,
};

/**
 * xi_csv_export_titles:
 *
 * Returns: (transfer none) (array zero-terminated=1): the titles a
 *   contacts export starts its header with, before the custom fields
 */
const char * const *
xi_csv_export_titles (void)
{
  return export_titles;
}

/**
 * xi_csv_append_field:
 * @out: where to write
 * @value: (nullable): a field; %NULL writes an empty one
 *
 * Appends @value, in quotes when it holds a comma, a quote or a line
 * break (RFC 4180).
 */
void
xi_csv_append_field (GString    *out,
                     const char *value)
{
  if (value == NULL)
    value = "";

  if (strpbrk (value, ",\"\r\n") == NULL)
    {
      g_string_append (out, value);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/**
 * xi_csv_append_cell:
 * @out: where to write
 * @value: (nullable): a field; %NULL writes an empty one
 *
 * Appends @value as xi_csv_append_field() does, for a file people open
 * in a spreadsheet: a value the spreadsheet would run as a formula gets
 * a leading apostrophe, which shows it as text. The import takes the
 * apostrophe off again (xi_csv_reader_get_field()).
 */
void
xi_csv_append_cell (GString    *out,
                    const char *value)
{
  g_autofree char *shown_as_text = NULL;

  if (value != NULL && is_formula (value))
    value = shown_as_text = g_strconcat ("'", value, NULL);
  xi_csv_append_field (out, value);
}

/**
 * xi_csv_append_contacts_header:
 * @out: where to write
 * @custom_names: (array zero-terminated=1): the custom fields, one column each
 *
 * Starts a contacts export: a byte-order mark, so that spreadsheet
 * programs read the file as UTF-8, and the header, whose titles the import
 * recognises.
 */
void
xi_csv_append_contacts_header (GString            *out,
                               const char * const *custom_names)
{
  g_string_append (out, "\xef\xbb\xbf");
  for (guint c = 0; export_titles[c] != NULL; c++)
    g_string_append_printf (out, "%s%s", c > 0 ? "," : "", export_titles[c]);
  for (guint c = 0; custom_names[c] != NULL; c++)
    {
      g_string_append_c (out, ',');
      xi_csv_append_cell (out, custom_names[c]);
    }
  g_string_append (out, "\r\n");
}

/**
 * xi_csv_append_contact:
 * @out: where to write
 * @contact: the contact
 * @groups: the names of its groups, separated by ", "
 * @custom_names: (array zero-terminated=1): the columns of the header
 *
 * Appends one line of a contacts export: the number in international
 * form (which spreadsheets keep as text), tags and groups as lists the
 * import splits again, and the custom fields in the header's order.
 */
void
xi_csv_append_contact (GString            *out,
                       XiContact          *contact,
                       const char         *groups,
                       const char * const *custom_names)
{
  g_autofree char *phone = xi_phone_format_international (xi_contact_get_phone (contact));
  g_autofree char *tags = g_strjoinv (", ", (char **)xi_contact_get_tags (contact));

  xi_csv_append_cell (out, xi_contact_get_name (contact));
  g_string_append_c (out, ',');
  xi_csv_append_cell (out, phone);
  g_string_append_c (out, ',');
  xi_csv_append_cell (out, tags);
  g_string_append_c (out, ',');
  xi_csv_append_cell (out, groups);
  g_string_append_c (out, ',');
  xi_csv_append_cell (out, xi_contact_get_notes (contact));
  g_string_append_c (out, ',');
  xi_csv_append_cell (out, xi_contact_get_opted_out (contact) ? "yes" : "no");
  for (guint c = 0; custom_names[c] != NULL; c++)
    {
      g_string_append_c (out, ',');
      xi_csv_append_cell (out, xi_contact_get_custom_field (contact, custom_names[c]));
    }
  g_string_append (out, "\r\n");
}

/**
 * xi_csv_save:
 * @file: where the user chose to keep the file
 * @contents: all of it
 * @error: return location for a #GError
 *
 * Writes @contents to @file, readable by the user only, whole or not at
 * all: on a full disk the file that was there before stays, and no
 * beginning of this one is left under its name to be taken for all of
 * it. (g_file_replace_contents () renames what it wrote over the old
 * file even when the write failed.) Blocks.
 *
 * Returns: whether @file now holds @contents
 */
gboolean
xi_csv_save (GFile   *file,
             GBytes  *contents,
             GError **error)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *display = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (contents, &len);

  /* Somewhere GIO reaches without a local path (none the file chooser
   * gives on Linux): only its own way of writing is left. */
  if (path == NULL)
    return g_file_replace_contents (file, data, len, NULL, FALSE,
                                    G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error);

  if (g_file_set_contents_full (path, data, (gssize) len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local_error))
    return TRUE;
  /* GLib's message names its temporary file, which nobody chose. */
  display = g_file_get_parse_name (file);
  if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOSPC))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                 _("There is no room left on the disk for “%s”. Free some space and try again."), display);
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_file_error (local_error->code),
                 _("Could not write “%s”: %s"), display, local_error->message);
  return FALSE;
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;

  if (xi_csv_save (G_FILE (source_object), task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * xi_csv_save_async:
 * @file: where the user chose to keep the file
 * @contents: all of it
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once written or not
 * @user_data: closure
 *
 * xi_csv_save () on a worker thread.
 */
void
xi_csv_save_async (GFile               *file,
                   GBytes              *contents,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (file, cancellable, callback, user_data);

  g_task_set_source_tag (task, xi_csv_save_async);
  g_task_set_task_data (task, g_bytes_ref (contents), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, save_thread);
}

gboolean
xi_csv_save_finish (GFile         *file,
                    GAsyncResult  *result,
                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, file), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
