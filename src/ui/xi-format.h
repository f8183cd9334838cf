/* xi-format.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *xi_format_count           (guint       count);
char *xi_format_clock           (gint64      unix_seconds);
char *xi_format_duration        (gint64      milliseconds);
char *xi_format_short_wait      (guint       seconds);
char *xi_format_when            (const char *iso,
                                 gboolean    with_time);
char *xi_format_date_time       (const char *iso);
char *xi_format_whatsapp_markup (const char *text);

G_END_DECLS
