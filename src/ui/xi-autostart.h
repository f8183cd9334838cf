/* xi-autostart.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char     *xi_autostart_dup_path   (void);
void      xi_autostart_set_async  (gboolean              enabled,
                                   const char           *data_dir,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
gboolean  xi_autostart_set_finish (GAsyncResult         *result,
                                   GError              **error);

G_END_DECLS
