/* xi-whatsapp-transport-private.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-messenger.h"
#include "xi-whatsapp-transport.h"

G_BEGIN_DECLS

/* The messenger the transport reads and writes through, for tests that
 * shorten its waits (wa-messenger-private.h). */
WaMessenger *_xi_whatsapp_transport_get_messenger (XiWhatsappTransport *self);

G_END_DECLS
