/* wa-cert.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-crypto.h"

G_BEGIN_DECLS

const guint8 *wa_cert_default_root_key (void);
gboolean      wa_cert_verify           (GBytes           *chain,
                                        const guint8      root_key[32],
                                        const guint8      server_static[32],
                                        gint64            now,
                                        GError          **error);
GBytes       *wa_cert_build            (const WaKeyPair  *root,
                                        const WaKeyPair  *intermediate,
                                        const guint8      server_static[32],
                                        guint32           intermediate_serial,
                                        guint32           leaf_serial,
                                        gint64            not_before,
                                        gint64            not_after);

G_END_DECLS
