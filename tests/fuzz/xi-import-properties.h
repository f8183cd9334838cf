/* xi-import-properties.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void xi_import_check_file (const guint8 *data,
                           gsize         size,
                           const char   *filename_hint);

G_END_DECLS
