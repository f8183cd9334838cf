/* xi-engine-types.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * XiConnectionState:
 * @XI_CONNECTION_STATE_NOT_LINKED: no WhatsApp account is linked yet
 * @XI_CONNECTION_STATE_CONNECTING: connecting or logging in
 * @XI_CONNECTION_STATE_PAIRING: showing a QR code, waiting for the phone
 * @XI_CONNECTION_STATE_CONNECTED: logged in and ready
 * @XI_CONNECTION_STATE_RECONNECTING: lost the connection; retrying after a pause
 * @XI_CONNECTION_STATE_NO_NETWORK: the computer is offline; retrying when it is back
 * @XI_CONNECTION_STATE_LOGGED_OUT: the phone unlinked this computer; link again
 * @XI_CONNECTION_STATE_STOPPED: not connecting on purpose (replaced, banned, outdated, refused)
 *
 * The connection as the user sees it in the header bar.
 */
typedef enum {
  XI_CONNECTION_STATE_NOT_LINKED,
  XI_CONNECTION_STATE_CONNECTING,
  XI_CONNECTION_STATE_PAIRING,
  XI_CONNECTION_STATE_CONNECTED,
  XI_CONNECTION_STATE_RECONNECTING,
  XI_CONNECTION_STATE_NO_NETWORK,
  XI_CONNECTION_STATE_LOGGED_OUT,
  XI_CONNECTION_STATE_STOPPED,
} XiConnectionState;

G_END_DECLS
