/* wa-tokens.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *wa_tokens_get_single (guint       index);
const char *wa_tokens_get_double (guint       dictionary,
                                  guint       index);
gboolean    wa_tokens_lookup     (const char *text,
                                  int        *dictionary,
                                  guint      *index);

G_END_DECLS
