/* fakewa-reachout.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-node.h"

G_BEGIN_DECLS

typedef struct _FakewaReachout FakewaReachout;

/* The server's side of privacy tokens and the reach-out time-lock
 * (WA-FIDELITY §1.10): the tokens each account issued to each other, the
 * accounts that need a token to start a chat, their NCT salts, the
 * accounts whose phone issues a token whenever it writes, time-locks, and
 * a clock tests can move. Accounts are named by phone number. */
FakewaReachout *fakewa_reachout_new            (void);
void            fakewa_reachout_free           (FakewaReachout *self);
gint64          fakewa_reachout_now            (FakewaReachout *self);
void            fakewa_reachout_advance        (FakewaReachout *self,
                                                gint64          seconds);
void            fakewa_reachout_require_tokens (FakewaReachout *self,
                                                const char     *phone,
                                                gboolean        required);
void            fakewa_reachout_set_salt       (FakewaReachout *self,
                                                const char     *phone,
                                                GBytes         *salt);
void            fakewa_reachout_set_auto_issue (FakewaReachout *self,
                                                const char     *phone,
                                                gboolean        auto_issue);
gboolean        fakewa_reachout_get_auto_issue (FakewaReachout *self,
                                                const char     *phone);
void            fakewa_reachout_set_timelock   (FakewaReachout *self,
                                                const char     *phone,
                                                gint64          until,
                                                const char     *kind);
char           *fakewa_reachout_timelock_json  (FakewaReachout *self,
                                                const char     *phone,
                                                const char     *member);
void            fakewa_reachout_set_cap        (FakewaReachout *self,
                                                const char     *phone,
                                                guint           total,
                                                guint           used,
                                                gint64          cycle_end);
char           *fakewa_reachout_cap_json       (FakewaReachout *self,
                                                const char     *phone);
GBytes         *fakewa_reachout_issue          (FakewaReachout *self,
                                                const char     *issuer,
                                                const char     *holder,
                                                gint64          t);
guint           fakewa_reachout_count_issued   (FakewaReachout *self,
                                                const char     *issuer,
                                                const char     *holder);
const char     *fakewa_reachout_check          (FakewaReachout *self,
                                                const char     *sender,
                                                const char     *recipient,
                                                const char     *recipient_lid,
                                                WaNode         *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakewaReachout, fakewa_reachout_free)

G_END_DECLS
