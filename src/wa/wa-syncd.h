/* wa-syncd.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "wa-lthash.h"
#include "wa-sync.pb-c.h"

G_BEGIN_DECLS

#define WA_SYNCD_ERROR (wa_syncd_error_quark ())

/**
 * WaSyncdError:
 * @WA_SYNCD_ERROR_MISSING_KEY: a patch needs an app-state key this device
 *   was not given (yet)
 * @WA_SYNCD_ERROR_MAC: a MAC or the collection's hash did not verify: the
 *   local state is not the server's, or the data was tampered with
 * @WA_SYNCD_ERROR_MALFORMED: a patch, snapshot or action does not parse
 */
typedef enum {
  WA_SYNCD_ERROR_MISSING_KEY,
  WA_SYNCD_ERROR_MAC,
  WA_SYNCD_ERROR_MALFORMED,
} WaSyncdError;

GQuark wa_syncd_error_quark (void);

#define WA_SYNCD_KEY_LEN 32
#define WA_SYNCD_MAC_LEN 32

/**
 * WaSyncdKeys:
 *
 * The five keys one app-state sync key expands to (WA-FIDELITY.md §2.4).
 */
typedef struct
{
  guint8 index[WA_SYNCD_KEY_LEN];
  guint8 value_encryption[WA_SYNCD_KEY_LEN];
  guint8 value_mac[WA_SYNCD_KEY_LEN];
  guint8 snapshot_mac[WA_SYNCD_KEY_LEN];
  guint8 patch_mac[WA_SYNCD_KEY_LEN];
} WaSyncdKeys;

/**
 * WaSyncdState:
 * @version: the collection's version
 * @hash: its LTHash at @version
 * @values: index MAC (#GBytes) -> value MAC (#GBytes) of every value in
 *   the collection, which the next patch needs to take replaced values
 *   out of @hash
 *
 * What a device keeps of one collection between patches.
 */
typedef struct
{
  guint64     version;
  guint8      hash[WA_LTHASH_LEN];
  GHashTable *values;
} WaSyncdState;

/**
 * WaSyncdMutation:
 * @remove: whether the value was removed (else set)
 * @index: (array zero-terminated=1): the value's index, the JSON array of
 *   strings it is filed under (["contact", "62812…@s.whatsapp.net"])
 * @data: the decrypted action
 * @index_mac: the index's MAC, which names the value in #WaSyncdState
 * @value_mac: the value's MAC
 *
 * One change a patch or snapshot made, decrypted and verified.
 */
typedef struct
{
  gboolean                 remove;
  char                   **index;
  WaSync__SyncActionData  *data;
  guint8                   index_mac[WA_SYNCD_MAC_LEN];
  guint8                   value_mac[WA_SYNCD_MAC_LEN];
} WaSyncdMutation;

/**
 * WaSyncdKeyLookup:
 * @key_id: an app-state key id
 * @len: its length
 * @user_data: the caller's data
 *
 * Returns: (transfer full) (nullable): the key's 32 bytes, or %NULL when
 *   this device does not have it
 */
typedef GBytes *(*WaSyncdKeyLookup) (const guint8 *key_id,
                                     gsize         len,
                                     gpointer      user_data);

void          wa_syncd_keys_expand      (const guint8        *key_data,
                                         gsize                len,
                                         WaSyncdKeys         *keys);
void          wa_syncd_keys_clear       (WaSyncdKeys         *keys);
void          wa_syncd_value_mac        (const guint8         key[WA_SYNCD_KEY_LEN],
                                         gboolean             remove,
                                         const guint8        *key_id,
                                         gsize                key_id_len,
                                         const guint8        *encrypted,
                                         gsize                len,
                                         guint8               out[WA_SYNCD_MAC_LEN]);
void          wa_syncd_snapshot_mac     (const guint8         key[WA_SYNCD_KEY_LEN],
                                         const guint8         hash[WA_LTHASH_LEN],
                                         guint64              version,
                                         const char          *name,
                                         guint8               out[WA_SYNCD_MAC_LEN]);
void          wa_syncd_patch_mac        (const guint8         key[WA_SYNCD_KEY_LEN],
                                         const guint8        *snapshot_mac,
                                         gsize                snapshot_mac_len,
                                         GPtrArray           *value_macs,
                                         guint64              version,
                                         const char          *name,
                                         guint8               out[WA_SYNCD_MAC_LEN]);

WaSyncdState *wa_syncd_state_new        (void);
WaSyncdState *wa_syncd_state_copy       (const WaSyncdState  *state);
void          wa_syncd_state_free       (WaSyncdState        *state);
void          wa_syncd_state_apply      (WaSyncdState        *state,
                                         const guint8         index_mac[WA_SYNCD_MAC_LEN],
                                         const guint8         value_mac[WA_SYNCD_MAC_LEN],
                                         gboolean             remove);

void          wa_syncd_mutation_free    (WaSyncdMutation     *mutation);

WaSync__SyncdSnapshot  *wa_syncd_snapshot_unpack  (GBytes  *blob,
                                                   GError **error);
WaSync__SyncdPatch     *wa_syncd_patch_unpack     (GBytes  *blob,
                                                   GError **error);
WaSync__SyncdMutations *wa_syncd_mutations_unpack (GBytes  *blob,
                                                   GError **error);

GPtrArray    *wa_syncd_decode_snapshot  (const char          *name,
                                         const WaSync__SyncdSnapshot *snapshot,
                                         WaSyncdKeyLookup     lookup,
                                         gpointer             user_data,
                                         WaSyncdState       **state,
                                         GError             **error);
GPtrArray    *wa_syncd_decode_patch     (const char          *name,
                                         const WaSync__SyncdPatch *patch,
                                         const WaSync__SyncdMutations *external,
                                         WaSyncdKeyLookup     lookup,
                                         gpointer             user_data,
                                         WaSyncdState        *state,
                                         GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaSyncdState, wa_syncd_state_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaSyncdMutation, wa_syncd_mutation_free)

G_END_DECLS
