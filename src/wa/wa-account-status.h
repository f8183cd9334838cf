/* wa-account-status.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-client.h"

G_BEGIN_DECLS

/**
 * WaAccountStatus:
 * @linked: this device is linked (its keys and JID are stored)
 * @known: a connection ever said anything; the fields below are empty
 *   otherwise
 * @state: what the last connection ended in or is in:
 *   %WA_CLIENT_STATE_CONNECTED, %WA_CLIENT_STATE_STOPPED (it ended
 *   normally), %WA_CLIENT_STATE_REPLACED,
 *   %WA_CLIENT_STATE_BANNED, %WA_CLIENT_STATE_TEMPORARILY_BANNED or
 *   %WA_CLIENT_STATE_OUTDATED
 * @since: when it got there, Unix seconds
 * @ban_code: WhatsApp's code for a temporary ban, or %NULL
 * @ban_until: when a temporary ban ends, Unix seconds; 0 unless banned
 * @timelock_until: when the reach-out time-lock last read ends, Unix
 *   seconds; 0 for none
 * @timelock_kind: WhatsApp's name for that time-lock, or %NULL
 *
 * What the last WhatsApp connection of a data directory learnt about the
 * account, kept beside its keys so another process (the command line's
 * status) can tell without connecting, which would take the session
 * from the app.
 */
typedef struct
{
  gboolean       linked;
  gboolean       known;
  WaClientState  state;
  gint64         since;
  char          *ban_code;
  gint64         ban_until;
  gint64         timelock_until;
  char          *timelock_kind;
} WaAccountStatus;

WaAccountStatus *wa_account_status_load          (WaKeyStore            *store);
void             wa_account_status_save_state    (WaKeyStore            *store,
                                                  WaClientState          state,
                                                  gint64                 since,
                                                  const char            *ban_code,
                                                  gint64                 ban_until);
void             wa_account_status_save_timelock (WaKeyStore            *store,
                                                  gint64                 until,
                                                  const char            *kind);
const char      *wa_account_status_state_name    (WaClientState          state);
void             wa_account_status_free          (WaAccountStatus       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaAccountStatus, wa_account_status_free)

G_END_DECLS
