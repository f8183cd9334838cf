/* wa-prekeys.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-credentials.h"
#include "wa-node.h"

G_BEGIN_DECLS

/* Below this many on the server, both clients upload more (§6.3). */
#define WA_PREKEYS_MIN_COUNT    5
/* A first upload, as both clients make it; later top-ups are smaller. */
#define WA_PREKEYS_FIRST_UPLOAD 812
#define WA_PREKEYS_TOP_UP       50

WaNode *wa_prekeys_count_request  (void);
gboolean wa_prekeys_read_count    (WaNode               *answer,
                                   guint                *count,
                                   GError              **error);
WaNode *wa_prekeys_upload_request (const WaCredentials  *credentials,
                                   WaKeyStore           *store,
                                   guint                 count);

G_END_DECLS
