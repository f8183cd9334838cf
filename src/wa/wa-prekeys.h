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

/* WhatsApp Web makes a new signed prekey this often (WA-FIDELITY §5),
 * and after a refused rotation tries again a day later. */
#define WA_PREKEYS_ROTATE_INTERVAL_S (27 * 24 * 60 * 60)
#define WA_PREKEYS_ROTATE_RETRY_S    (24 * 60 * 60)
/* Signed prekeys kept after they are replaced, for messages a peer
 * started from an older bundle. */
#define WA_PREKEYS_KEEP_SIGNED       3

WaNode *wa_prekeys_count_request  (void);
gboolean wa_prekeys_read_count    (WaNode               *answer,
                                   guint                *count,
                                   GError              **error);
WaNode *wa_prekeys_upload_request (const WaCredentials  *credentials,
                                   WaKeyStore           *store,
                                   guint                 count);

gboolean wa_prekeys_load_signed   (const WaCredentials  *credentials,
                                   WaKeyStore           *store,
                                   guint32               id,
                                   WaKeyPair            *pair,
                                   guint8               *signature);
gboolean wa_prekeys_rotation_due  (const WaCredentials  *credentials,
                                   WaKeyStore           *store,
                                   gint64                now);
WaNode  *wa_prekeys_rotate_request (const WaCredentials *credentials,
                                   WaKeyStore           *store,
                                   gint64                now);
gboolean wa_prekeys_rotated       (WaCredentials        *credentials,
                                   WaKeyStore           *store,
                                   WaNode               *request,
                                   gint64                now);
void     wa_prekeys_rotation_failed (WaKeyStore         *store,
                                   gint64                now);
WaNode  *wa_prekeys_digest_request (void);
gboolean wa_prekeys_digest_matches (const WaCredentials *credentials,
                                   WaKeyStore           *store,
                                   WaNode               *answer);

G_END_DECLS
