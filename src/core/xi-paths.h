/* xi-paths.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *xi_paths_dup_data_dir   (const char  *override,
                               GError     **error);
char *xi_paths_dup_store_path (const char  *data_dir);
void  xi_paths_init_i18n      (void);

G_END_DECLS
