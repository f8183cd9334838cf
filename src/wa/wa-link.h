/* wa-link.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-connection.h"
#include "wa-credentials.h"
#include "wa-pairing.h"

G_BEGIN_DECLS

#define WA_TYPE_LINK (wa_link_get_type ())

/* Linking this device by QR code on a connection opened with a
 * registration payload (protocol notes §5.1–5.3). Signals: "qr" (the QR
 * text to show now; a new one replaces it as the server's refs rotate),
 * "paired" (the device JID text, its LID JID text or %NULL, and the
 * WaPairing to store; the server then restarts the stream and the client
 * logs in), "failed" (GError:
 * the codes expired, the pairing did not verify, the connection ended). */
G_DECLARE_FINAL_TYPE (WaLink, wa_link, WA, LINK, GObject)

/* How long each code is shown: the first longer, as both clients do. */
#define WA_LINK_FIRST_REF_MS 60000
#define WA_LINK_NEXT_REF_MS  20000

WaLink   *wa_link_new         (WaConnection         *connection,
                               const WaCredentials  *credentials);
void      wa_link_set_timing  (WaLink               *self,
                               guint                 first_ref_ms,
                               guint                 next_ref_ms);

G_END_DECLS
