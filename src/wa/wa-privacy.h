/* wa-privacy.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-client.h"

G_BEGIN_DECLS

/* MEX documents WhatsApp Web runs (WA-FIDELITY §1.8). */
#define WA_PRIVACY_TIMELOCK_QUERY_ID "23983697327930364"
#define WA_PRIVACY_TIMELOCK_OP       "NotificationUserReachoutTimelockUpdate"
#define WA_PRIVACY_CAP_QUERY_ID      "24503548349331633"

/* WA Web reads the new-chat cap again after an hour. */
#define WA_PRIVACY_CAP_TTL_S (60 * 60)

/* When the server says a time-lock is on but not until when: WA Web's guess. */
#define WA_PRIVACY_TIMELOCK_DEFAULT_S 60

#define WA_TYPE_PRIVACY (wa_privacy_get_type ())

/* What makes our messages look like a conversation to WhatsApp rather
 * than a cold reach-out (WA-FIDELITY §1): the tokens contacts issue to
 * us, ours issued to them after we write, the cstoken from the NCT salt,
 * the account's reach-out time-lock, read at login and from the server's
 * pushes, and its new-chat cap, read at login and hourly and counted as we
 * go. #WaPrivacy:new-chats-paused-until is the Unix time new chats may
 * start again, 0 when they may now. Lives on the client's thread. */
G_DECLARE_FINAL_TYPE (WaPrivacy, wa_privacy, WA, PRIVACY, GObject)

typedef gint64 (*WaPrivacyClock) (gpointer user_data);

WaPrivacy  *wa_privacy_new                  (WaClient       *client);
void        wa_privacy_set_clock            (WaPrivacy      *self,
                                             WaPrivacyClock  clock,
                                             gpointer        user_data);
gint64      wa_privacy_get_timelock_until   (WaPrivacy      *self);
gint64      wa_privacy_get_new_chats_paused_until (WaPrivacy *self);
const char *wa_privacy_get_timelock_kind    (WaPrivacy      *self);
WaNode     *wa_privacy_token_node           (WaPrivacy      *self,
                                             const char     *to);
gboolean    wa_privacy_check_new_chat       (WaPrivacy      *self,
                                             const char     *to,
                                             GError        **error);
void        wa_privacy_sent                 (WaPrivacy      *self,
                                             const char     *to);
void        wa_privacy_refused              (WaPrivacy      *self,
                                             const char     *to,
                                             const GError   *refusal);
void        wa_privacy_identity_changed     (WaPrivacy      *self,
                                             const char     *user);
void        wa_privacy_refresh_timelock     (WaPrivacy      *self);
void        wa_privacy_refresh_cap          (WaPrivacy      *self);
void        wa_privacy_prune_tokens_async   (WaPrivacy           *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gssize      wa_privacy_prune_tokens_finish  (WaPrivacy      *self,
                                             GAsyncResult   *result,
                                             GError        **error);

G_END_DECLS
