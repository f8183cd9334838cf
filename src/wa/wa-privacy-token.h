/* wa-privacy-token.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-crypto.h"
#include "wa-key-store.h"
#include "wa-node.h"

G_BEGIN_DECLS

/* Key store kinds (shared with history and app-state sync):
 * "tctoken": key = the contact's bare LID user (or its number when no LID
 *   is known), value = 8 bytes big-endian token time (Unix seconds) and
 *   the token bytes the contact issued to us;
 * "tctoken-sent": same key, value = 8 bytes big-endian time we last
 *   issued our own token to that contact;
 * "nct-salt", key "salt": the account's NCT salt. */
#define WA_TCTOKEN_KIND      "tctoken"
#define WA_TCTOKEN_SENT_KIND "tctoken-sent"
#define WA_NCT_SALT_KIND     "nct-salt"
#define WA_NCT_SALT_KEY      "salt"

/* WA Web's defaults (AB props 865/909 and 996/997): a bucket is a week,
 * a token counts for the current bucket and the three before it. */
#define WA_TCTOKEN_DURATION_S  (7 * 24 * 60 * 60)
#define WA_TCTOKEN_NUM_BUCKETS 4

#define WA_CSTOKEN_LEN WA_SHA256_LEN

/**
 * WaPrivacyToken:
 * @issuer: the JID of the account that issued it (a user or its LID)
 * @issuer_lid: (nullable): its LID JID when the server named it
 * @timestamp: when it was issued, Unix seconds
 * @token: the opaque bytes to attach to messages to @issuer
 *
 * One trusted-contact token from a privacy_token notification.
 */
typedef struct
{
  char   *issuer;
  char   *issuer_lid;
  gint64  timestamp;
  GBytes *token;
} WaPrivacyToken;

void        wa_privacy_token_free         (WaPrivacyToken     *token);
GPtrArray  *wa_privacy_token_parse        (WaNode             *notification,
                                           GError            **error);

gint64      wa_tctoken_cutoff             (gint64              now);
gboolean    wa_tctoken_is_valid           (gint64              timestamp,
                                           gint64              now);
gboolean    wa_tctoken_should_issue       (gint64              sent_timestamp,
                                           gint64              now);
gint64      wa_tctoken_cutoff_for         (gint64              now,
                                           gint64              duration,
                                           gint64              buckets);
gboolean    wa_tctoken_is_valid_for       (gint64              timestamp,
                                           gint64              now,
                                           gint64              duration,
                                           gint64              buckets);
gboolean    wa_tctoken_should_issue_for   (gint64              sent_timestamp,
                                           gint64              now,
                                           gint64              duration);
gboolean    wa_tctoken_save               (WaKeyStore         *store,
                                           const char         *contact,
                                           gint64              timestamp,
                                           GBytes             *token);
GBytes     *wa_tctoken_load               (WaKeyStore         *store,
                                           const char         *contact,
                                           gint64             *timestamp);
void        wa_tctoken_save_sent          (WaKeyStore         *store,
                                           const char         *contact,
                                           gint64              timestamp);
gint64      wa_tctoken_load_sent          (WaKeyStore         *store,
                                           const char         *contact);
void        wa_cstoken_compute            (GBytes             *salt,
                                           const char         *lid_user,
                                           guint8              out[WA_CSTOKEN_LEN]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaPrivacyToken, wa_privacy_token_free)

G_END_DECLS
