/* xi-sqlite-memory.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The most bytes of freed blocks a thread keeps for reuse, all sizes
 * together. */
#define XI_SQLITE_MEMORY_MAX_CACHED (256 * 1024)

gboolean xi_sqlite_memory_install      (void);
gboolean xi_sqlite_memory_keeps_freed  (void);
gsize    xi_sqlite_memory_cached_bytes (void);

G_END_DECLS
