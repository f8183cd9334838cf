/* xi-random.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The most one call of xi_random_bytes() hands out. */
#define XI_RANDOM_MAX_BYTES 64

void xi_random_bytes (gpointer buffer,
                      gsize    length);

G_END_DECLS
