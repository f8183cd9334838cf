/* xi-workbook.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean  xi_workbook_is_zip    (const guint8  *data,
                                 gsize          len);
char     *xi_workbook_to_csv    (GBytes        *bytes,
                                 GCancellable  *cancellable,
                                 GError       **error);

G_END_DECLS
