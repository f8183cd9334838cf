/* wa-error.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "wa-error.h"

G_DEFINE_QUARK (wa-error-quark, wa_error)
