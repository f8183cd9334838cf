/* fuzz-workbook.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for workbooks: the zip reader (libgsf), the XLSX and
 * ODS XML the workbook reader parses, and the import on top of it.
 *
 * A mutated zip rarely survives its checksums, so the first input byte
 * chooses the run. Even: the rest is the file, read as "contacts.xlsx".
 * Odd: the rest describes the members of a zip that is written here
 * (xi-test-zip.c, the way spreadsheet programs lay it out) and then
 * read: each member is one byte choosing its path among those the reader
 * looks for, then its text up to a 0x00. That way the XML itself is what
 * gets mutated.
 *
 * A finding is a sanitizer report or a broken property of
 * xi-import-properties.c: a refusal without an import error, a row whose
 * number would not be sent to, or a row past the store's limits. */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "xi-import-properties.h"
#include "xi-test-zip.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static const char * const member_paths[] = {
  "xl/workbook.xml",
  "xl/_rels/workbook.xml.rels",
  "xl/sharedStrings.xml",
  "xl/styles.xml",
  "xl/worksheets/sheet1.xml",
  "xl/worksheets/sheet2.xml",
  "mimetype",
  "content.xml",
};

/* More members than the reader ever opens, so a run stays short. */
#define MAX_MEMBERS 16

static void
check_members (const guint8 *data,
               gsize         size)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  XiTestZipPart parts[MAX_MEMBERS];
  const guint8 *end = data + size;
  g_autoptr(GBytes) zip = NULL;
  guint n = 0;

  for (const guint8 *p = data; p < end && n < MAX_MEMBERS; n++)
    {
      const guint8 *text = p + 1;
      const guint8 *stop = text < end ? memchr (text, 0x00, end - text) : NULL;
      const guint8 *text_end = stop != NULL ? stop : end;

      parts[n].path = member_paths[*p % G_N_ELEMENTS (member_paths)];
      parts[n].text = text < end ? g_strndup ((const char *)text, text_end - text) : g_strdup ("");
      g_ptr_array_add (texts, (char *)parts[n].text);
      p = stop != NULL ? stop + 1 : end;
    }

  zip = xi_test_make_zip (parts, n);
  xi_import_check_file (g_bytes_get_data (zip, NULL), g_bytes_get_size (zip), "contacts.xlsx");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  if (size == 0)
    return 0;
  if (data[0] & 1)
    check_members (data + 1, size - 1);
  else
    xi_import_check_file (data + 1, size - 1, "contacts.xlsx");
  return 0;
}
