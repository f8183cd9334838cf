/* wa-error.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define WA_ERROR (wa_error_quark ())

/**
 * WaError:
 * @WA_ERROR_FAILED: anything not listed below
 * @WA_ERROR_MALFORMED: bytes from the peer that do not parse (binary node, protobuf, frame)
 * @WA_ERROR_TRUNCATED: input ended inside a value
 * @WA_ERROR_CRYPTO: a MAC, tag or signature did not verify, or a crypto primitive failed
 * @WA_ERROR_HANDSHAKE: the Noise handshake or the server certificate was refused
 * @WA_ERROR_CONNECTION_CLOSED: the socket is gone
 * @WA_ERROR_LOGGED_OUT: the server ended this device's session
 * @WA_ERROR_RATE_LIMITED: the server asked to slow down
 * @WA_ERROR_NOT_ON_WHATSAPP: the number has no account
 * @WA_ERROR_TIMED_OUT: no answer in time
 * @WA_ERROR_RESTART_REQUIRED: the server ended the stream and expects a
 *   new connection at once (515, after pairing)
 * @WA_ERROR_REPLACED: another connection with the same device took over;
 *   reconnecting would only fight it
 * @WA_ERROR_BANNED: WhatsApp locked or banned the account (login failure
 *   403 or 406); the session is gone
 * @WA_ERROR_TEMPORARILY_BANNED: WhatsApp banned the account for a while
 *   (login failure 402), usually for messaging too many strangers
 * @WA_ERROR_CLIENT_OUTDATED: WhatsApp no longer accepts this version
 *   (login failure 405)
 * @WA_ERROR_NEEDS_PRIVACY_TOKEN: the server refused a message to someone
 *   who never wrote to this account first (ack error 463)
 * @WA_ERROR_REFUSED: the server refused a message for another reason (its
 *   code is in the message; 479: malformed)
 * @WA_ERROR_INVALID_STANZA: the server found a message we sent malformed
 *   (ack error 479): a defect of this client, not of the recipient
 * @WA_ERROR_TIME_LOCKED: not sent: WhatsApp put the account under a
 *   reach-out time-lock, and the recipient is not an existing chat
 *
 * Errors of the WhatsApp protocol library.
 */
typedef enum {
  WA_ERROR_FAILED,
  WA_ERROR_MALFORMED,
  WA_ERROR_TRUNCATED,
  WA_ERROR_CRYPTO,
  WA_ERROR_HANDSHAKE,
  WA_ERROR_CONNECTION_CLOSED,
  WA_ERROR_LOGGED_OUT,
  WA_ERROR_RATE_LIMITED,
  WA_ERROR_NOT_ON_WHATSAPP,
  WA_ERROR_TIMED_OUT,
  WA_ERROR_RESTART_REQUIRED,
  WA_ERROR_REPLACED,
  WA_ERROR_BANNED,
  WA_ERROR_TEMPORARILY_BANNED,
  WA_ERROR_CLIENT_OUTDATED,
  WA_ERROR_NEEDS_PRIVACY_TOKEN,
  WA_ERROR_REFUSED,
  WA_ERROR_INVALID_STANZA,
  WA_ERROR_TIME_LOCKED,
} WaError;

GQuark wa_error_quark (void);

G_END_DECLS
