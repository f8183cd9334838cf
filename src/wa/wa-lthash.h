/* wa-lthash.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define WA_LTHASH_LEN 128

void wa_lthash_add      (guint8        hash[WA_LTHASH_LEN],
                         const guint8 *item,
                         gsize         len);
void wa_lthash_subtract (guint8        hash[WA_LTHASH_LEN],
                         const guint8 *item,
                         gsize         len);

G_END_DECLS
