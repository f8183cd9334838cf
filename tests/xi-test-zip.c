/* xi-test-zip.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gsf/gsf.h>
#include <string.h>

#include "xi-test-zip.h"

/**
 * xi_test_make_zip:
 * @parts: (array length=n_parts): the members
 * @n_parts: how many
 *
 * Writes a zip archive with libgsf, as spreadsheet programs lay out
 * workbooks, for the import to read.
 *
 * Returns: (transfer full): the archive
 */
GBytes *
xi_test_make_zip (const XiTestZipPart *parts,
                  guint                n_parts)
{
  g_autoptr(GError) error = NULL;
  GsfOutput *sink = gsf_output_memory_new ();
  GsfOutfile *zip = gsf_outfile_zip_new (sink, &error);
  GBytes *bytes;

  g_assert_no_error (error);
  for (guint i = 0; i < n_parts; i++)
    {
      g_auto(GStrv) names = g_strsplit (parts[i].path, "/", -1);
      GsfOutfile *dir = GSF_OUTFILE (g_object_ref (zip));
      GsfOutput *member;
      guint depth = g_strv_length (names);

      /* Folders are made anew for each part; the zip keeps every path. */
      for (guint d = 0; d + 1 < depth; d++)
        {
          GsfOutfile *child = GSF_OUTFILE (gsf_outfile_new_child (dir, names[d], TRUE));

          g_object_unref (dir);
          dir = child;
        }
      member = gsf_outfile_new_child (dir, names[depth - 1], FALSE);
      g_assert_true (gsf_output_write (member, strlen (parts[i].text), (const guint8 *)parts[i].text));
      g_assert_true (gsf_output_close (member));
      g_object_unref (member);
      for (guint d = 0; d + 1 < depth; d++)
        {
          GsfOutfile *parent = GSF_OUTFILE (gsf_output_container (GSF_OUTPUT (dir)));

          g_assert_true (gsf_output_close (GSF_OUTPUT (dir)));
          g_object_ref (parent);
          g_object_unref (dir);
          dir = parent;
        }
      g_object_unref (dir);
    }
  g_assert_true (gsf_output_close (GSF_OUTPUT (zip)));
  g_object_unref (zip);
  bytes = g_bytes_new (gsf_output_memory_get_bytes (GSF_OUTPUT_MEMORY (sink)), gsf_output_size (sink));
  g_object_unref (sink);
  return bytes;
}
