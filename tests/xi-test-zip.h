/* xi-test-zip.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One member of a zip archive: its path and its text. */
typedef struct
{
  const char *path;    /* "xl/worksheets/sheet1.xml" */
  const char *text;
} XiTestZipPart;

GBytes *xi_test_make_zip (const XiTestZipPart *parts,
                          guint                n_parts);

G_END_DECLS
