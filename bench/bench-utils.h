/* bench-utils.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char         *bench_make_tmpdir        (void);
void          bench_rm_rf              (const char    *path);
char         *bench_write_contacts_csv (const char    *dir,
                                        guint          rows);
char         *bench_write_numbered_contacts_csv (const char *dir,
                                                 guint       first,
                                                 guint       rows);
GAsyncResult *bench_wait               (GAsyncResult **slot);
void          bench_result_cb          (GObject       *object,
                                        GAsyncResult  *result,
                                        gpointer       user_data);
guint         bench_parse_rows         (int           *argc,
                                        char        ***argv,
                                        guint          default_rows);
guint         bench_parse_option       (int           *argc,
                                        char        ***argv,
                                        const char    *option,
                                        guint          default_value);
gint64        bench_cpu_usec           (void);
void          bench_report             (const char    *name,
                                        double         value,
                                        const char    *unit);

G_END_DECLS
