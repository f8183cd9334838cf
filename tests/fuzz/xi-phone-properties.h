/* xi-phone-properties.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *xi_phone_check_properties (const char *input,
                                 const char *default_country_code);
char *xi_phone_check_corpus_file (const char *contents,
                                  gsize       len);

G_END_DECLS
