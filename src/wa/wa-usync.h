/* wa-usync.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-node.h"

G_BEGIN_DECLS

/* Checking numbers in bulk is itself a ban signal (protocol notes §13):
 * callers ask in batches no larger than this, paced, and only for
 * people they are about to message. */
#define WA_USYNC_MAX_CONTACTS 50

/* A WhatsApp account has its phone and a few linked devices (four, in
 * 2026); a list longer than this comes from a broken or hostile server,
 * and every device on it would cost a key fetch and an encryption of
 * each message. */
#define WA_USYNC_MAX_DEVICES  32

/**
 * WaContactCheck:
 * @phone: the number asked about, digits only
 * @jid: (nullable): the account's JID when the server named one
 * @lid: (nullable): the account's LID JID, when asked and known
 * @on_whatsapp: whether the number has an account
 *
 * The answer about one number.
 */
typedef struct
{
  char     *phone;
  char     *jid;
  char     *lid;
  gboolean  on_whatsapp;
} WaContactCheck;

void        wa_contact_check_free      (WaContactCheck  *check);

WaNode     *wa_usync_contacts_request  (const char * const *phones);
GPtrArray  *wa_usync_parse_contacts    (WaNode             *answer,
                                        GError            **error);
WaNode     *wa_usync_devices_request   (const char * const *user_jids);
GPtrArray  *wa_usync_parse_devices     (WaNode             *answer,
                                        GError            **error);
GHashTable *wa_usync_parse_lids        (WaNode             *answer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaContactCheck, wa_contact_check_free)

G_END_DECLS
