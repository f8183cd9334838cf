/* xi-opt-out.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char * const *xi_opt_out_default_keywords (void);
char               *xi_opt_out_normalize        (const char          *text);
char               *xi_opt_out_match            (const char          *text,
                                                 const char * const  *keywords);
gboolean            xi_text_contains_phrase     (const char          *text,
                                                 const char          *phrase);

G_END_DECLS
