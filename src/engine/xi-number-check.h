/* xi-number-check.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "wa-client.h"
#include "xi-store.h"

G_BEGIN_DECLS

/* A number checked this recently is not asked about again unless the
 * user insists: every question to the server counts (FIELD-NOTES.md). */
#define XI_NUMBER_CHECK_FRESH_DAYS 30

/* The pause between two batches of questions, chosen at random in this
 * range so the checks do not come at a machine's steady beat. */
#define XI_NUMBER_CHECK_PAUSE_MIN_MS 3000
#define XI_NUMBER_CHECK_PAUSE_MAX_MS 8000

typedef void (*XiNumberCheckProgress) (guint    done,
                                       guint    total,
                                       gpointer user_data);

void       xi_number_check_read_pause (guint                 *min_ms,
                                       guint                 *max_ms);
gboolean   xi_number_check_is_due     (XiContact             *contact,
                                       gint64                 now);
void       xi_number_check_async      (WaClient              *client,
                                       XiStore               *store,
                                       const char * const    *phones,
                                       guint                  pause_min_ms,
                                       guint                  pause_max_ms,
                                       XiNumberCheckProgress  progress,
                                       gpointer               progress_data,
                                       GCancellable          *cancellable,
                                       GAsyncReadyCallback    callback,
                                       gpointer               user_data);
GPtrArray *xi_number_check_finish     (GAsyncResult          *result,
                                       GError               **error);

G_END_DECLS
