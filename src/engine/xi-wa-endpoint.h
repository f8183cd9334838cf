/* xi-wa-endpoint.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "wa-crypto.h"

G_BEGIN_DECLS

gboolean xi_wa_endpoint_read (char   **url,
                              guint8   root_key[WA_KEY_LEN],
                              GError **error);
gboolean xi_wa_endpoint_read_media_ca (GTlsDatabase **database,
                                       GError       **error);

G_END_DECLS
