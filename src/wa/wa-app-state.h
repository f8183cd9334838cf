/* wa-app-state.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-messenger.h"

G_BEGIN_DECLS

/* The collections of app state (WA-FIDELITY.md §2.2), in the order the
 * reference client asks for them. */
#define WA_APP_STATE_N_COLLECTIONS 5

/**
 * WaAppStateStatus:
 * @WA_APP_STATE_STATUS_IDLE: not synced yet on this connection
 * @WA_APP_STATE_STATUS_WAITING_FOR_KEYS: the phone has not shared the
 *   keys app state needs (it was asked for them)
 * @WA_APP_STATE_STATUS_SYNCING: fetching and checking patches
 * @WA_APP_STATE_STATUS_SYNCED: every collection is at the server's version
 * @WA_APP_STATE_STATUS_FAILED: the server refused a collection, or its
 *   data did not verify even from a fresh snapshot
 */
typedef enum {
  WA_APP_STATE_STATUS_IDLE,
  WA_APP_STATE_STATUS_WAITING_FOR_KEYS,
  WA_APP_STATE_STATUS_SYNCING,
  WA_APP_STATE_STATUS_SYNCED,
  WA_APP_STATE_STATUS_FAILED,
} WaAppStateStatus;

/**
 * WaAppStateSummary:
 * @push_name: (nullable): our push name, the name strangers see
 * @has_nct_salt: whether the account's NCT salt is known
 * @n_lid_mappings: how many numbers' LIDs are known
 * @n_contact_names: how many contacts have a name from the phone's book
 * @n_push_names: how many contacts' push names are known
 * @n_privacy_tokens: how many contacts' privacy tokens are kept
 *
 * What the phone has shared so far, as the key store holds it.
 */
typedef struct
{
  char     *push_name;
  gboolean  has_nct_salt;
  guint     n_lid_mappings;
  guint     n_contact_names;
  guint     n_push_names;
  guint     n_privacy_tokens;
} WaAppStateSummary;

void wa_app_state_summarize     (WaKeyStore        *store,
                                 WaAppStateSummary *summary);
void wa_app_state_summary_clear (WaAppStateSummary *summary);

#define WA_TYPE_APP_STATE (wa_app_state_get_type ())

/* The read side of app-state sync (WA-FIDELITY.md §2): it takes the keys
 * our phone shares, fetches and verifies every collection when the
 * device logs in and whenever the server says one changed, and keeps
 * what this app uses (our push name, contact names, LID mappings, the
 * NCT salt) in the key store. It never writes app state. Watch the
 * "status" property. Lives on the client's thread. */
G_DECLARE_FINAL_TYPE (WaAppState, wa_app_state, WA, APP_STATE, GObject)

WaAppState       *wa_app_state_new        (WaClient    *client,
                                           WaMessenger *messenger);
WaAppStateStatus  wa_app_state_get_status (WaAppState  *self);
void              wa_app_state_sync       (WaAppState  *self);

G_END_DECLS
