/* wa-pairing-private.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-pairing.h"

G_BEGIN_DECLS

/* wa_pairing_verify() with the signature's random bytes given, so tests
 * can compare with the notes' vector byte for byte. */
WaPairing  *_wa_pairing_verify_with_random (const WaCredentials  *credentials,
                                            GBytes               *device_identity,
                                            const guint8          random[64],
                                            GError              **error);

G_END_DECLS
