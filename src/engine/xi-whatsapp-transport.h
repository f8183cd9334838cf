/* xi-whatsapp-transport.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-client.h"
#include "xi-transport.h"

G_BEGIN_DECLS

#define XI_TYPE_WHATSAPP_TRANSPORT (xi_whatsapp_transport_get_type ())

/* Campaigns through the linked WhatsApp account: XiTransport over a
 * WaClient and its WaMessenger. The transport follows the client's
 * connection (it does not own its life: whoever made the client starts
 * and stops it); receipts and incoming messages come out as the
 * interface's signals. Lives on the client's thread. */
G_DECLARE_FINAL_TYPE (XiWhatsappTransport, xi_whatsapp_transport, XI, WHATSAPP_TRANSPORT, GObject)

XiTransport *xi_whatsapp_transport_new (WaClient *client);

G_END_DECLS
