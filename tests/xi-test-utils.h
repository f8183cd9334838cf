/* xi-test-utils.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char         *xi_test_make_tmpdir      (void);
void          xi_test_rm_rf            (const char    *path);
GAsyncResult *xi_test_wait_result      (GAsyncResult **slot);
void          xi_test_store_result_cb  (GObject       *object,
                                        GAsyncResult  *result,
                                        gpointer       user_data);
GBytes       *xi_test_bytes_from_hex   (const char    *hex);
char         *xi_test_hex              (const guint8  *data,
                                        gsize          len);

G_END_DECLS
