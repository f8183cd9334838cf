/* xi-import-reader-private.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "xi-import-reader.h"
#include "xi-progress.h"

G_BEGIN_DECLS

/**
 * XiImportRowsFunc:
 * @batch: the batch being read; its rows are the ones not yet handed on
 * @user_data: closure
 * @error: return location for a #GError
 *
 * Returns: %FALSE with @error set to stop the read
 */
typedef gboolean (*XiImportRowsFunc) (XiImportBatch  *batch,
                                      gpointer        user_data,
                                      GError        **error);

XiImportBatch *_xi_import_read_file_streaming (GFile                  *file,
                                               GBytes                 *contents,
                                               const char             *default_country_code,
                                               const XiImportOptions  *options,
                                               XiImportRowsFunc        func,
                                               gpointer                user_data,
                                               GCancellable           *cancellable,
                                               XiProgressRelay        *progress,
                                               GError                **error);

G_END_DECLS
