/* xi-import-properties.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xi-import-properties.h"
#include "xi-import-reader.h"
#include "xi-limits.h"
#include "xi-phone.h"

/*
 * What must hold for whatever file is imported, shared by the CSV and the
 * vCard fuzz targets: the file is refused as a whole with an import or
 * limit error that says why, or every record becomes either a row or an
 * issue with a reason; every row's number passes the campaign's validity
 * check; and every row is within the limits the store enforces.
 */

static void
fail (const char *what)
{
  fprintf (stderr, "import property broken: %s\n", what);
  abort ();
}

static gboolean
is_text (const char *value)
{
  return value == NULL || g_utf8_validate (value, -1, NULL);
}

/**
 * xi_import_check_file:
 * @data: the file
 * @size: its length
 * @filename_hint: (nullable): as for xi_import_read_bytes()
 *
 * Imports @data and aborts with a message when a property breaks.
 */
void
xi_import_check_file (const guint8 *data,
                      gsize         size,
                      const char   *filename_hint)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(GError) error = NULL;
  guint n_custom;

  batch = xi_import_read_bytes (bytes, filename_hint, "62", NULL, &error);
  if (batch == NULL)
    {
      if (error == NULL || (error->domain != XI_IMPORT_ERROR && error->domain != XI_LIMIT_ERROR) ||
          error->message[0] == '\0')
        fail ("a file refused without a reason");
      return;
    }

  if (batch->rows->len + batch->issues->len != batch->n_records)
    fail ("records neither imported nor reported");

  n_custom = g_strv_length (batch->custom_field_names);
  if (!xi_limit_check_field_count (n_custom, NULL))
    fail ("more custom fields than a contact keeps");

  for (guint i = 0; i < batch->issues->len; i++)
    {
      XiImportIssue *issue = g_ptr_array_index (batch->issues, i);

      if (issue->reason == NULL || issue->reason[0] == '\0' || !is_text (issue->excerpt))
        fail ("an issue without a reason");
    }

  for (guint i = 0; i < batch->rows->len; i++)
    {
      XiImportRow *row = g_ptr_array_index (batch->rows, i);

      if (!xi_phone_is_valid (row->phone))
        fail ("a row whose number a campaign would skip");
      if (!is_text (row->name) || !is_text (row->notes))
        fail ("a row that is not UTF-8");
      if (row->name != NULL && (row->name[0] == '\0' || strchr (row->name, '\n') != NULL))
        fail ("an empty name or one on several lines");
      if (!xi_limit_check_name (row->name, NULL) ||
          !xi_limit_check_tags ((const char * const *)row->tags, NULL) ||
          !xi_limit_check_notes (row->notes, NULL))
        fail ("a row over a limit");
      for (guint c = 0; c < n_custom; c++)
        if (!is_text (row->custom_values[c]) ||
            !xi_limit_check_field (batch->custom_field_names[c], row->custom_values[c], NULL))
          fail ("a custom field over its limit");
      for (guint t = 0; row->tags[t] != NULL; t++)
        if (row->tags[t][0] == '\0' || !is_text (row->tags[t]))
          fail ("an empty tag");
      for (guint g = 0; row->groups[g] != NULL; g++)
        if (row->groups[g][0] == '\0' || !xi_limit_check_name (row->groups[g], NULL))
          fail ("an empty group or one over the limit");
    }
}
