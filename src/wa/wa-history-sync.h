/* wa-history-sync.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-messenger.h"

G_BEGIN_DECLS

/* The most a history chunk may inflate to: twice the 64 MB of history
 * the registration asks the phone to keep for this device in all, which
 * a chunk, a few MB, is a part of. */
#define WA_HISTORY_SYNC_MAX_INFLATED (128 * 1024 * 1024)

/* The most the fields this client reads of one record of a chunk (a
 * chat, a push name, a number's LID) may weigh: a chat's address, name
 * and token are under 1 KB. Its messages, most of a chunk, are not read. */
#define WA_HISTORY_SYNC_MAX_RECORD (64 * 1024)

#define WA_TYPE_HISTORY_SYNC (wa_history_sync_get_type ())

/* History sync (WA-FIDELITY.md §3): each chunk of history our phone sends
 * this device, inline or as an encrypted blob on the media host, is
 * fetched, checked, inflated and read for what this app keeps (push
 * names, privacy tokens, LID mappings, the NCT salt; never messages), and
 * confirmed so the phone does not send it again. Signal: "chunk-stored"
 * (the chunk's sync type, as in HistorySyncNotification); property
 * "busy" while a chunk downloads. Lives on the client's thread. */
G_DECLARE_FINAL_TYPE (WaHistorySync, wa_history_sync, WA, HISTORY_SYNC, GObject)

WaHistorySync *wa_history_sync_new          (WaClient      *client,
                                             WaMessenger   *messenger);
gboolean       wa_history_sync_get_busy     (WaHistorySync *self);
GBytes        *wa_history_sync_inflate      (GBytes        *compressed,
                                             GError       **error);
gboolean       wa_history_sync_store        (WaKeyStore    *store,
                                             GBytes        *history,
                                             guint         *sync_type,
                                             GError       **error);
gboolean       wa_history_sync_store_lid_migration (WaKeyStore *store,
                                             GBytes        *payload,
                                             guint         *n_mappings,
                                             GError       **error);

G_END_DECLS
