/* fakewa-phone.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-credentials.h"
#include "wa-jid.h"
#include "wa-node.h"

G_BEGIN_DECLS

/* An account's phone as its companions see it (WA-FIDELITY.md §2.8,
 * §3.5): it holds the account's app state (our push name, contacts, the
 * NCT salt) encrypted under app-state keys it shares with its companions,
 * serves that state as patches, makes history-sync chunks, and talks to
 * its companions over Signal as device 0. */
typedef struct _FakewaPhone FakewaPhone;

/**
 * FakewaHistoryChunk:
 * @message: the serialized Message with the HistorySyncNotification
 * @direct_path: (nullable): where the blob is to be served, when not inline
 * @blob: (nullable): the encrypted blob to serve there
 */
typedef struct
{
  GBytes *message;
  char   *direct_path;
  GBytes *blob;
} FakewaHistoryChunk;

FakewaPhone  *fakewa_phone_new              (const WaCredentials *keys,
                                             GError             **error);
void          fakewa_phone_free             (FakewaPhone        *self);
const char   *fakewa_phone_set_push_name    (FakewaPhone        *self,
                                             const char         *name);
const char   *fakewa_phone_add_contact      (FakewaPhone        *self,
                                             const char         *pn_user,
                                             const char         *lid_user,
                                             const char         *name,
                                             GBytes             *tctoken);
const char   *fakewa_phone_set_nct_salt     (FakewaPhone        *self,
                                             GBytes             *salt);
void          fakewa_phone_new_key          (FakewaPhone        *self);
guint64       fakewa_phone_get_version      (FakewaPhone        *self,
                                             const char         *collection);
GBytes       *fakewa_phone_key_share        (FakewaPhone        *self);
GBytes       *fakewa_phone_lid_migration    (FakewaPhone        *self);
FakewaHistoryChunk *fakewa_phone_history    (FakewaPhone        *self,
                                             guint               sync_type,
                                             gboolean            inline_payload,
                                             GError            **error);
void          fakewa_history_chunk_free     (FakewaHistoryChunk *chunk);
void          fakewa_phone_corrupt_answers  (FakewaPhone        *self,
                                             guint               n);
void          fakewa_phone_understate_snapshots (FakewaPhone    *self,
                                                 gboolean        understate);
WaNode       *fakewa_phone_answer_sync      (FakewaPhone        *self,
                                             WaNode             *iq,
                                             GHashTable         *blobs);
gboolean      fakewa_phone_has_session      (FakewaPhone        *self,
                                             const WaJid        *device);
WaNode       *fakewa_phone_encrypt          (FakewaPhone        *self,
                                             const WaJid        *device,
                                             WaNode             *bundle,
                                             GBytes             *message,
                                             GError            **error);
GBytes       *fakewa_phone_decrypt          (FakewaPhone        *self,
                                             const WaJid        *device,
                                             WaNode             *enc,
                                             GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakewaPhone, fakewa_phone_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakewaHistoryChunk, fakewa_history_chunk_free)

G_END_DECLS
