/* fuzz-csv.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for delimited files: encoding detection, the CSV
 * reader and the import, and the export read back.
 *
 * The first input byte chooses the run. Even: the rest is a file, read
 * record by record with each delimiter and imported; a finding is a
 * reader that stops advancing, returns text that is not UTF-8, or a
 * broken property of xi-import-properties.c. Odd: the rest describes
 * contacts (separated by 0x00; fields by 0x01 in the order name, number,
 * tags, groups, notes, kota, nama_toko, label; tags and groups separated by
 * 0x02), which are written with the export's own functions and imported
 * again; a finding is any contact that does not come back the same.
 *
 * The contacts are first put in the form the store keeps them in: a name
 * on one line with single spaces, a number the normaliser accepted,
 * tags and group names without the list separators (",", ";", "|") the
 * import splits on, and notes and fields with line breaks as "\n" and no
 * surrounding blanks, since a spreadsheet cell holds nothing else. */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xi-contact.h"
#include "xi-csv.h"
#include "xi-import-properties.h"
#include "xi-import-reader.h"
#include "xi-limits.h"
#include "xi-phone.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* "label" is also a title of the tags column, as the export must not
 * forget. */
static const char * const custom_names[] = { "kota", "nama_toko", "label", NULL };

enum {
  FIELD_NAME,
  FIELD_PHONE,
  FIELD_TAGS,
  FIELD_GROUPS,
  FIELD_NOTES,
  FIELD_KOTA,
  FIELD_NAMA_TOKO,
  FIELD_LABEL,
};

static void
fail (const char *what,
      const char *detail)
{
  fprintf (stderr, "CSV property broken: %s (%s)\n", what, detail != NULL ? detail : "");
  abort ();
}

static void
read_every_record (const char *text,
                   char        delimiter)
{
  g_autoptr(XiCsvReader) reader = xi_csv_reader_new (text, delimiter);
  gsize offset = 0;
  guint line = 0;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gboolean read = xi_csv_reader_next (reader, &error);

      if (!read && error == NULL)
        break;
      if (xi_csv_reader_get_offset (reader) <= offset)
        fail ("the reader did not advance", NULL);
      if (xi_csv_reader_get_line (reader) < line || xi_csv_reader_get_line (reader) == 0)
        fail ("records out of line order", NULL);
      offset = xi_csv_reader_get_offset (reader);
      line = xi_csv_reader_get_line (reader);
      for (guint f = 0; read && f < xi_csv_reader_get_n_fields (reader); f++)
        if (!g_utf8_validate (xi_csv_reader_get_field (reader, f), -1, NULL))
          fail ("a field that is not UTF-8", NULL);
    }
}

static void
check_file (const guint8 *data,
            gsize         size)
{
  g_autofree char *text = xi_text_to_utf8 (data, size, NULL);
  static const char delimiters[] = { ',', ';', '\t' };

  if (text != NULL)
    {
      char detected = xi_csv_detect_delimiter (text);

      if (!g_utf8_validate (text, -1, NULL))
        fail ("decoded text that is not UTF-8", NULL);
      if (detected != ',' && detected != ';' && detected != '\t')
        fail ("an unknown delimiter", NULL);
      for (guint i = 0; i < G_N_ELEMENTS (delimiters); i++)
        read_every_record (text, delimiters[i]);
    }

  xi_import_check_file (data, size, "contacts.csv");
}

/* Text as a cell keeps it: valid UTF-8, line breaks as "\n", no blanks
 * around it, and none of @forbidden; %NULL when nothing is left. */
static char *
cell_text (const char *raw,
           gsize       len,
           const char *forbidden)
{
  g_autofree char *valid = g_utf8_make_valid (raw, len);
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p != '\0'; p++)
    {
      if (*p == '\r')
        {
          g_string_append_c (out, '\n');
          if (p[1] == '\n')
            p++;
        }
      else if (strchr (forbidden, *p) == NULL)
        g_string_append_c (out, *p);
    }
  g_strstrip (out->str);
  if (out->str[0] == '\0')
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

/* A name as the store keeps it: one line, words separated by one space. */
static char *
one_line (const char *raw,
          gsize       len)
{
  g_autofree char *cell = cell_text (raw, len, "");
  g_auto(GStrv) words = NULL;
  GString *out;

  if (cell == NULL)
    return NULL;
  words = g_strsplit_set (cell, " \t\n", -1);
  out = g_string_new (NULL);
  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", words[i]);
  return g_string_free (out, FALSE);
}

static char **
list_of (const char *raw,
         gsize       len)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *end = raw + len;

  for (const char *p = raw; p < end;)
    {
      const char *stop = memchr (p, 0x02, end - p);
      g_autofree char *item = cell_text (p, (stop != NULL ? stop : end) - p, ",;|\n");

      if (item != NULL)
        g_strv_builder_add (builder, item);
      p = stop != NULL ? stop + 1 : end;
    }
  return g_strv_builder_end (builder);
}

static gboolean
same_strv (char * const *a,
           char * const *b)
{
  guint n = g_strv_length ((char **)a);

  if (n != g_strv_length ((char **)b))
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!g_str_equal (a[i], b[i]))
      return FALSE;
  return TRUE;
}

typedef struct
{
  XiContact  *contact;
  char      **groups;
} Written;

static void
written_clear (gpointer data)
{
  Written *written = data;

  g_object_unref (written->contact);
  g_strfreev (written->groups);
}

/* Builds a contact from one 0x00-separated part of the input; FALSE when
 * it is not one the store would keep. */
static gboolean
contact_from (const char *raw,
              gsize       len,
              Written    *out)
{
  g_autoptr(XiContact) contact = xi_contact_new ();
  g_autofree char *phone = NULL;
  g_auto(GStrv) tags = NULL;
  const char *fields[FIELD_LABEL + 1] = { NULL };
  gsize lens[FIELD_LABEL + 1] = { 0 };
  const char *end = raw + len;
  guint n = 0;

  for (const char *p = raw; p <= end && n < G_N_ELEMENTS (fields); n++)
    {
      const char *stop = memchr (p, 0x01, end - p);

      fields[n] = p;
      lens[n] = (stop != NULL ? stop : end) - p;
      if (stop == NULL)
        {
          n++;
          break;
        }
      p = stop + 1;
    }
  if (n <= FIELD_PHONE)
    return FALSE;

  {
    g_autofree char *typed = g_strndup (fields[FIELD_PHONE], lens[FIELD_PHONE]);

    phone = xi_phone_normalize (typed, "62", NULL);
  }
  if (phone == NULL)
    return FALSE;

  {
    g_autofree char *name = one_line (fields[FIELD_NAME], lens[FIELD_NAME]);
    g_autofree char *notes = fields[FIELD_NOTES] != NULL
                             ? cell_text (fields[FIELD_NOTES], lens[FIELD_NOTES], "") : NULL;
    g_autofree char *kota = fields[FIELD_KOTA] != NULL
                            ? cell_text (fields[FIELD_KOTA], lens[FIELD_KOTA], "") : NULL;
    g_autofree char *toko = fields[FIELD_NAMA_TOKO] != NULL
                            ? cell_text (fields[FIELD_NAMA_TOKO], lens[FIELD_NAMA_TOKO], "") : NULL;
    g_autofree char *label = fields[FIELD_LABEL] != NULL
                             ? cell_text (fields[FIELD_LABEL], lens[FIELD_LABEL], "") : NULL;

    xi_contact_set_name (contact, name);
    xi_contact_set_notes (contact, notes);
    xi_contact_set_custom_field (contact, "kota", kota);
    xi_contact_set_custom_field (contact, "nama_toko", toko);
    xi_contact_set_custom_field (contact, "label", label);
  }
  xi_contact_set_phone (contact, phone);
  tags = fields[FIELD_TAGS] != NULL ? list_of (fields[FIELD_TAGS], lens[FIELD_TAGS]) : g_new0 (char *, 1);
  xi_contact_set_tags (contact, (const char * const *)tags);
  out->groups = fields[FIELD_GROUPS] != NULL ? list_of (fields[FIELD_GROUPS], lens[FIELD_GROUPS])
                                             : g_new0 (char *, 1);

  if (!xi_contact_check_limits (contact, NULL))
    {
      g_clear_pointer (&out->groups, g_strfreev);
      return FALSE;
    }
  for (guint g = 0; out->groups[g] != NULL; g++)
    if (!xi_limit_check_name (out->groups[g], NULL))
      {
        g_clear_pointer (&out->groups, g_strfreev);
        return FALSE;
      }

  out->contact = g_steal_pointer (&contact);
  return TRUE;
}

static void
check_round_trip (const guint8 *data,
                  gsize         size)
{
  g_autoptr(GArray) written = g_array_new (FALSE, TRUE, sizeof (Written));
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(GError) error = NULL;
  const char *text = (const char *)data;
  const char *end = text + size;

  g_array_set_clear_func (written, written_clear);
  for (const char *p = text; p < end;)
    {
      const char *stop = memchr (p, 0x00, end - p);
      Written one = { NULL, NULL };

      if (contact_from (p, (stop != NULL ? stop : end) - p, &one))
        g_array_append_val (written, one);
      p = stop != NULL ? stop + 1 : end;
    }
  if (written->len == 0)
    return;

  xi_csv_append_contacts_header (csv, custom_names);
  for (guint i = 0; i < written->len; i++)
    {
      Written *one = &g_array_index (written, Written, i);
      g_autofree char *groups = g_strjoinv (", ", one->groups);

      xi_csv_append_contact (csv, one->contact, groups, custom_names);
    }

  bytes = g_bytes_new (csv->str, csv->len);
  batch = xi_import_read_bytes (bytes, "export.csv", "1", NULL, &error);
  if (batch == NULL)
    fail ("the export was refused", error->message);
  if (batch->issues->len > 0)
    fail ("the export has rows the import refuses",
          ((XiImportIssue *)g_ptr_array_index (batch->issues, 0))->reason);
  if (batch->rows->len != written->len)
    fail ("the export read back to another number of contacts", NULL);
  if (!same_strv (batch->custom_field_names, (char * const *)custom_names))
    fail ("the export read back to other custom fields", NULL);

  for (guint i = 0; i < written->len; i++)
    {
      Written *one = &g_array_index (written, Written, i);
      XiImportRow *row = g_ptr_array_index (batch->rows, i);

      if (g_strcmp0 (row->name, xi_contact_get_name (one->contact)) != 0)
        fail ("a name changed", row->name);
      if (g_strcmp0 (row->phone, xi_contact_get_phone (one->contact)) != 0)
        fail ("a number changed", row->phone);
      if (!same_strv (row->tags, (char * const *)xi_contact_get_tags (one->contact)))
        fail ("the tags changed", NULL);
      if (!same_strv (row->groups, one->groups))
        fail ("the groups changed", NULL);
      if (g_strcmp0 (row->notes, xi_contact_get_notes (one->contact)) != 0)
        fail ("the notes changed", row->notes);
      for (guint c = 0; custom_names[c] != NULL; c++)
        if (g_strcmp0 (row->custom_values[c],
                       xi_contact_get_custom_field (one->contact, custom_names[c])) != 0)
          fail ("a custom field changed", custom_names[c]);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  if (size == 0)
    return 0;
  if (data[0] & 1)
    check_round_trip (data + 1, size - 1);
  else
    check_file (data + 1, size - 1);
  return 0;
}
