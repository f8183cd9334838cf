/* wa-syncd.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-syncd"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "wa-crypto.h"
#include "wa-proto.h"
#include "wa-syncd.h"
#include "xi-json.h"

/*
 * Reading app-state patches and snapshots (WA-FIDELITY.md §2.4–2.5). Every
 * value is encrypted and MACed under one of the account's app-state keys;
 * every patch carries the collection's LTHash after it (as a MAC over the
 * hash) and a MAC over the whole patch, so a device that applied every
 * patch in order can prove it holds exactly what the phone holds. Nothing
 * is taken from a patch unless all of that checks out.
 */

G_DEFINE_QUARK (wa-syncd-error-quark, wa_syncd_error)

static const char mutation_keys_info[] = "WhatsApp Mutation Keys";

/* Without padding the smallest value is an IV, one block, a MAC. */
#define MIN_VALUE_LEN (WA_AES_BLOCK_LEN * 2 + WA_SYNCD_MAC_LEN)

/* The smallest record that can decode: an index MAC, the smallest value and
 * a key id of one byte, each a field of one nested message (a tag and a
 * length byte for the field, again for its blob). */
#define MIN_RECORD_WIRE_LEN (4 + WA_SYNCD_MAC_LEN + 4 + MIN_VALUE_LEN + 4 + 1)

/* A mutation is its record plus an operation that may be left out. */
#define MIN_MUTATION_WIRE_LEN (2 + MIN_RECORD_WIRE_LEN)

/* Unpacked, a record of the smallest size takes a little under four times
 * its wire size in malloc ()'s chunks; the slack is room for the few
 * fields around the records. A snapshot's or patch's actions share one
 * such bound, over all their values: all are kept until the MAC over
 * the whole is checked, and a slack each would let many small actions
 * of empty unknown fields take some 27 times their size. */
#define UNPACK_RATIO 5
#define UNPACK_SLACK (64 * 1024)

/* Fields other than the repeated one that a blob may carry: what the
 * protocol defines, and some room for fields added later. */
#define MAX_OTHER_FIELDS 64

/* Auxiliary methods */

static void
put_be64 (guint8  out[8],
          guint64 value)
{
  for (guint i = 0; i < 8; i++)
    out[i] = value >> (56 - 8 * i);
}

/* Snapshot and patch MACs end alike: the version, then the collection's
 * name. */
static void
mac_tail (const guint8  key[WA_SYNCD_KEY_LEN],
          GByteArray   *message,
          guint64       version,
          const char   *name,
          guint8        out[WA_SYNCD_MAC_LEN])
{
  guint8 be_version[8];

  put_be64 (be_version, version);
  g_byte_array_append (message, be_version, sizeof be_version);
  g_byte_array_append (message, (const guint8 *) name, strlen (name));
  wa_crypto_hmac_sha256 (key, WA_SYNCD_KEY_LEN, message->data, message->len, out);
}

static GBytes *
mac_bytes (const guint8 mac[WA_SYNCD_MAC_LEN])
{
  return g_bytes_new (mac, WA_SYNCD_MAC_LEN);
}

/* The index is a JSON array of strings; anything else is refused. */
static char **
parse_index (const guint8  *data,
             gsize          len,
             GError       **error)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) root = xi_json_parse ((const char *) data, (gssize) len, NULL);
  JsonArray *array;

  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MALFORMED, "An app-state index that is not a JSON array");
      return NULL;
    }
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          g_set_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MALFORMED,
                       "An app-state index with something else than text in it");
          return NULL;
        }
      g_ptr_array_add (parts, g_strdup (json_node_get_string (element)));
    }
  g_ptr_array_add (parts, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&parts), FALSE);
}

static gboolean
expand_key (const WaSync__KeyId  *key_id,
            WaSyncdKeyLookup      lookup,
            gpointer              user_data,
            WaSyncdKeys          *keys,
            GError              **error)
{
  g_autoptr(GBytes) key_data = NULL;

  if (key_id == NULL || !key_id->has_id || key_id->id.len == 0)
    {
      g_set_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MALFORMED, "App-state data that names no key");
      return FALSE;
    }
  key_data = lookup (key_id->id.data, key_id->id.len, user_data);
  if (key_data == NULL)
    {
      g_set_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MISSING_KEY,
                   "The phone has not shared the app-state key this data needs");
      return FALSE;
    }
  wa_syncd_keys_expand (g_bytes_get_data (key_data, NULL), g_bytes_get_size (key_data), keys);
  return TRUE;
}

static gboolean
read_varint (const guint8 **at,
             const guint8  *end,
             guint64       *value)
{
  *value = 0;
  for (guint shift = 0; shift < 64 && *at < end; shift += 7)
    {
      guint8 byte = *(*at)++;

      *value |= (guint64) (byte & 0x7f) << shift;
      if ((byte & 0x80) == 0)
        return TRUE;
    }
  return FALSE;
}

/* protobuf-c builds every element of a repeated field before its caller
 * can count them, and a blob of 64 MB made of two-byte empty records is
 * 33 million structs: gigabytes and a minute of work for what fails at
 * the first record anyway. Walking the top level first refuses an element
 * too short to decode, and with it any count the size cannot hold. */
static gboolean
check_elements (GBytes      *blob,
                guint        field,
                gsize        min_len,
                const char  *what,
                GError     **error)
{
  const guint8 *at = g_bytes_get_data (blob, NULL);
  const guint8 *end = at + g_bytes_get_size (blob);
  guint others = 0;

  while (at < end)
    {
      guint64 tag, len = 0;

      if (!read_varint (&at, end, &tag))
        break;
      switch (tag & 7)
        {
        case 0:
          if (!read_varint (&at, end, &len))
            goto malformed;
          len = 0;
          break;
        case 1:
          len = 8;
          break;
        case 2:
          if (!read_varint (&at, end, &len))
            goto malformed;
          break;
        case 5:
          len = 4;
          break;
        default:
          goto malformed;
        }
      if (len > (guint64) (end - at))
        goto malformed;
      at += len;
      if ((tag >> 3) == field && (tag & 7) == 2)
        {
          if (len < min_len)
            {
              g_set_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MALFORMED,
                           "An app-state %s with a record too short to be complete", what);
              return FALSE;
            }
        }
      else if (++others > MAX_OTHER_FIELDS)
        goto malformed;
    }
  if (at == end)
    return TRUE;

malformed:
  g_set_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MALFORMED, "An app-state %s that does not parse", what);
  return FALSE;
}

/* Whatever passes check_elements () may still hide unknown fields inside
 * its records, each of which protobuf-c keeps: the unpacking stops at a
 * few times the blob's size. */
static gpointer
unpack_bounded (const ProtobufCMessageDescriptor  *descriptor,
                GBytes                            *blob,
                const char                        *what,
                GError                           **error)
{
  gboolean too_big = FALSE;
  ProtobufCMessage *message = wa_proto_unpack_bounded (descriptor, blob, UNPACK_RATIO, UNPACK_SLACK, &too_big);

  if (message == NULL)
    g_set_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MALFORMED, too_big ?
                 "An app-state %s that takes too much memory to read" : "An app-state %s that does not parse",
                 what);
  return message;
}

static gsize
value_size (const WaSync__SyncdRecord *record)
{
  return record != NULL && record->value != NULL && record->value->has_blob ? record->value->blob.len : 0;
}

/* Checks, decrypts and parses one record (§2.5 step 3), its action
 * within @budget. */
static WaSyncdMutation *
decode_record (const WaSync__SyncdRecord  *record,
               gboolean                    remove,
               WaSyncdKeyLookup            lookup,
               gpointer                    user_data,
               WaProtoBudget              *budget,
               GError                    **error)
{
  g_autoptr(WaSyncdMutation) mutation = NULL;
  g_autoptr(GBytes) plain = NULL;
  WaSyncdKeys keys;
  guint8 mac[WA_SYNCD_MAC_LEN];
  const guint8 *blob;
  gsize len;

  if (record == NULL || record->index == NULL || !record->index->has_blob ||
      record->index->blob.len != WA_SYNCD_MAC_LEN || record->value == NULL || !record->value->has_blob ||
      record->value->blob.len < MIN_VALUE_LEN ||
      (record->value->blob.len - WA_SYNCD_MAC_LEN) % WA_AES_BLOCK_LEN != 0)
    {
      g_set_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MALFORMED, "An app-state record that is incomplete");
      return NULL;
    }
  if (!expand_key (record->keyid, lookup, user_data, &keys, error))
    return NULL;

  blob = record->value->blob.data;
  len = record->value->blob.len - WA_SYNCD_MAC_LEN;
  wa_syncd_value_mac (keys.value_mac, remove, record->keyid->id.data, record->keyid->id.len, blob, len, mac);
  if (!wa_crypto_equal (mac, blob + len, WA_SYNCD_MAC_LEN))
    {
      wa_syncd_keys_clear (&keys);
      g_set_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MAC, "An app-state value whose MAC does not verify");
      return NULL;
    }
  plain = wa_crypto_aes_cbc_decrypt (keys.value_encryption, blob, blob + WA_AES_BLOCK_LEN, len - WA_AES_BLOCK_LEN,
                                     error);
  if (plain == NULL)
    {
      wa_syncd_keys_clear (&keys);
      return NULL;
    }

  mutation = g_new0 (WaSyncdMutation, 1);
  mutation->remove = remove;
  memcpy (mutation->value_mac, blob + len, WA_SYNCD_MAC_LEN);
  mutation->data = (WaSync__SyncActionData *) wa_proto_unpack_budgeted (&wa_sync__sync_action_data__descriptor,
                                                                        plain, budget);
  if (mutation->data == NULL || !mutation->data->has_index)
    {
      wa_syncd_keys_clear (&keys);
      g_set_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MALFORMED, budget->exhausted ?
                   "An app-state action that takes too much memory to read" :
                   "An app-state action that does not parse");
      return NULL;
    }
  wa_crypto_hmac_sha256 (keys.index, sizeof keys.index, mutation->data->index.data, mutation->data->index.len,
                         mutation->index_mac);
  wa_syncd_keys_clear (&keys);
  if (!wa_crypto_equal (mutation->index_mac, record->index->blob.data, WA_SYNCD_MAC_LEN))
    {
      g_set_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MAC, "An app-state index whose MAC does not verify");
      return NULL;
    }
  mutation->index = parse_index (mutation->data->index.data, mutation->data->index.len, error);
  if (mutation->index == NULL)
    return NULL;
  return g_steal_pointer (&mutation);
}

/* The collection's hash at @state->version must be the one the phone
 * MACed (§2.5 steps 1–2). */
static gboolean
check_snapshot_mac (const char          *name,
                    const WaSyncdState  *state,
                    const WaSyncdKeys   *keys,
                    gboolean             has_mac,
                    ProtobufCBinaryData  mac,
                    GError             **error)
{
  guint8 expected[WA_SYNCD_MAC_LEN];

  wa_syncd_snapshot_mac (keys->snapshot_mac, state->hash, state->version, name, expected);
  if (!has_mac || mac.len != WA_SYNCD_MAC_LEN || !wa_crypto_equal (expected, mac.data, WA_SYNCD_MAC_LEN))
    {
      g_set_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MAC,
                   "The app state “%s” at version %" G_GUINT64_FORMAT " is not what the phone has", name,
                   state->version);
      return FALSE;
    }
  return TRUE;
}

/* Public API */

/**
 * wa_syncd_keys_expand:
 * @key_data: an app-state sync key, as the phone shared it
 * @len: its length (32)
 * @keys: (out caller-allocates): the keys it expands to; clear them with
 *   wa_syncd_keys_clear()
 */
void
wa_syncd_keys_expand (const guint8 *key_data,
                      gsize         len,
                      WaSyncdKeys  *keys)
{
  guint8 expanded[5 * WA_SYNCD_KEY_LEN];

  G_STATIC_ASSERT (sizeof (WaSyncdKeys) == sizeof expanded);

  wa_crypto_hkdf_sha256 (NULL, 0, key_data, len, (const guint8 *) mutation_keys_info,
                         strlen (mutation_keys_info), expanded, sizeof expanded);
  memcpy (keys->index, expanded, WA_SYNCD_KEY_LEN);
  memcpy (keys->value_encryption, expanded + WA_SYNCD_KEY_LEN, WA_SYNCD_KEY_LEN);
  memcpy (keys->value_mac, expanded + 2 * WA_SYNCD_KEY_LEN, WA_SYNCD_KEY_LEN);
  memcpy (keys->snapshot_mac, expanded + 3 * WA_SYNCD_KEY_LEN, WA_SYNCD_KEY_LEN);
  memcpy (keys->patch_mac, expanded + 4 * WA_SYNCD_KEY_LEN, WA_SYNCD_KEY_LEN);
  wa_crypto_wipe (expanded, sizeof expanded);
}

void
wa_syncd_keys_clear (WaSyncdKeys *keys)
{
  wa_crypto_wipe (keys, sizeof *keys);
}

/**
 * wa_syncd_value_mac:
 * @key: the value MAC key
 * @remove: whether the mutation removes the value
 * @key_id: the id of the app-state key the value is encrypted with
 * @encrypted: the value's IV and ciphertext
 * @out: (out caller-allocates): the MAC
 *
 * The MAC that ends an encrypted value: the first half of an HMAC-SHA512
 * over the operation, the key id, the IV and ciphertext and the length of
 * what came before them.
 */
void
wa_syncd_value_mac (const guint8  key[WA_SYNCD_KEY_LEN],
                    gboolean      remove,
                    const guint8 *key_id,
                    gsize         key_id_len,
                    const guint8 *encrypted,
                    gsize         len,
                    guint8        out[WA_SYNCD_MAC_LEN])
{
  g_autoptr(GByteArray) message = g_byte_array_sized_new (1 + key_id_len + len + 8);
  guint8 operation = remove ? 2 : 1;
  guint8 full[WA_SHA512_LEN];
  guint8 length[8];

  put_be64 (length, key_id_len + 1);
  g_byte_array_append (message, &operation, 1);
  g_byte_array_append (message, key_id, key_id_len);
  g_byte_array_append (message, encrypted, len);
  g_byte_array_append (message, length, sizeof length);
  wa_crypto_hmac_sha512 (key, WA_SYNCD_KEY_LEN, message->data, message->len, full);
  memcpy (out, full, WA_SYNCD_MAC_LEN);
}

/**
 * wa_syncd_snapshot_mac:
 * @key: the snapshot MAC key
 * @hash: the collection's LTHash
 * @version: its version
 * @name: its name ("regular_high")
 * @out: (out caller-allocates): the MAC
 */
void
wa_syncd_snapshot_mac (const guint8  key[WA_SYNCD_KEY_LEN],
                       const guint8  hash[WA_LTHASH_LEN],
                       guint64       version,
                       const char   *name,
                       guint8        out[WA_SYNCD_MAC_LEN])
{
  g_autoptr(GByteArray) message = g_byte_array_new ();

  g_byte_array_append (message, hash, WA_LTHASH_LEN);
  mac_tail (key, message, version, name, out);
}

/**
 * wa_syncd_patch_mac:
 * @key: the patch MAC key
 * @snapshot_mac: the patch's snapshot MAC
 * @value_macs: (element-type GBytes): the value MAC of each of its
 *   mutations, in order
 * @version: the patch's version
 * @name: the collection's name
 * @out: (out caller-allocates): the MAC
 */
void
wa_syncd_patch_mac (const guint8  key[WA_SYNCD_KEY_LEN],
                    const guint8 *snapshot_mac,
                    gsize         snapshot_mac_len,
                    GPtrArray    *value_macs,
                    guint64       version,
                    const char   *name,
                    guint8        out[WA_SYNCD_MAC_LEN])
{
  g_autoptr(GByteArray) message = g_byte_array_new ();

  g_byte_array_append (message, snapshot_mac, snapshot_mac_len);
  for (guint i = 0; i < value_macs->len; i++)
    {
      GBytes *mac = g_ptr_array_index (value_macs, i);

      g_byte_array_append (message, g_bytes_get_data (mac, NULL), g_bytes_get_size (mac));
    }
  mac_tail (key, message, version, name, out);
}

/**
 * wa_syncd_state_new:
 *
 * Returns: (transfer full): an empty collection at version 0
 */
WaSyncdState *
wa_syncd_state_new (void)
{
  WaSyncdState *state = g_new0 (WaSyncdState, 1);

  state->values = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref,
                                         (GDestroyNotify) g_bytes_unref);
  return state;
}

/**
 * wa_syncd_state_copy:
 *
 * Returns: (transfer full): a copy of @state
 */
WaSyncdState *
wa_syncd_state_copy (const WaSyncdState *state)
{
  WaSyncdState *copy = wa_syncd_state_new ();
  GHashTableIter iter;
  gpointer key, value;

  copy->version = state->version;
  memcpy (copy->hash, state->hash, WA_LTHASH_LEN);
  g_hash_table_iter_init (&iter, state->values);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->values, g_bytes_ref (key), g_bytes_ref (value));
  return copy;
}

void
wa_syncd_state_free (WaSyncdState *state)
{
  if (state == NULL)
    return;
  g_hash_table_unref (state->values);
  g_free (state);
}

/**
 * wa_syncd_state_apply:
 * @state: a collection
 * @index_mac: the index a mutation names
 * @value_mac: its value's MAC
 * @remove: whether it removes the value
 *
 * Moves @state's hash and values past one mutation: the value it
 * replaces (if any) leaves the hash, a value it sets enters it.
 */
void
wa_syncd_state_apply (WaSyncdState *state,
                      const guint8  index_mac[WA_SYNCD_MAC_LEN],
                      const guint8  value_mac[WA_SYNCD_MAC_LEN],
                      gboolean      remove)
{
  g_autoptr(GBytes) index = mac_bytes (index_mac);
  GBytes *previous = g_hash_table_lookup (state->values, index);

  if (previous != NULL)
    wa_lthash_subtract (state->hash, g_bytes_get_data (previous, NULL), g_bytes_get_size (previous));
  else if (remove)
    g_debug ("An app-state removal of a value this device never had");
  if (remove)
    {
      g_hash_table_remove (state->values, index);
      return;
    }
  wa_lthash_add (state->hash, value_mac, WA_SYNCD_MAC_LEN);
  g_hash_table_insert (state->values, g_bytes_ref (index), mac_bytes (value_mac));
}

void
wa_syncd_mutation_free (WaSyncdMutation *mutation)
{
  if (mutation == NULL)
    return;
  g_strfreev (mutation->index);
  if (mutation->data != NULL)
    wa_sync__sync_action_data__free_unpacked (mutation->data, NULL);
  g_free (mutation);
}

/**
 * wa_syncd_decode_snapshot:
 * @name: the collection's name
 * @snapshot: its snapshot
 * @lookup: (scope call): finds app-state keys by id
 * @user_data: for @lookup
 * @state: (out) (transfer full): the collection as the snapshot has it
 * @error: return location for a #GError
 *
 * Decrypts and verifies a whole collection (§2.5 step 1).
 *
 * Returns: (transfer full) (element-type WaSyncdMutation) (nullable): the
 *   values, all set, or %NULL when anything does not verify
 */
GPtrArray *
wa_syncd_decode_snapshot (const char                   *name,
                          const WaSync__SyncdSnapshot  *snapshot,
                          WaSyncdKeyLookup              lookup,
                          gpointer                      user_data,
                          WaSyncdState                **state,
                          GError                      **error)
{
  g_autoptr(GPtrArray) mutations = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_syncd_mutation_free);
  g_autoptr(WaSyncdState) decoded = wa_syncd_state_new ();
  WaProtoBudget budget;
  gsize values = 0;
  WaSyncdKeys keys;
  gboolean valid;

  g_return_val_if_fail (name != NULL && snapshot != NULL && lookup != NULL, NULL);

  if (snapshot->version == NULL || !snapshot->version->has_version)
    {
      g_set_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MALFORMED, "An app-state snapshot without a version");
      return NULL;
    }
  decoded->version = snapshot->version->version;
  for (gsize i = 0; i < snapshot->n_records; i++)
    values += value_size (snapshot->records[i]);
  wa_proto_budget_init (&budget, values, UNPACK_RATIO, UNPACK_SLACK);
  for (gsize i = 0; i < snapshot->n_records; i++)
    {
      WaSyncdMutation *mutation = decode_record (snapshot->records[i], FALSE, lookup, user_data, &budget, error);

      if (mutation == NULL)
        return NULL;
      wa_syncd_state_apply (decoded, mutation->index_mac, mutation->value_mac, FALSE);
      g_ptr_array_add (mutations, mutation);
    }
  if (!expand_key (snapshot->keyid, lookup, user_data, &keys, error))
    return NULL;
  valid = check_snapshot_mac (name, decoded, &keys, snapshot->has_mac, snapshot->mac, error);
  wa_syncd_keys_clear (&keys);
  if (!valid)
    return NULL;
  *state = g_steal_pointer (&decoded);
  return g_steal_pointer (&mutations);
}

/**
 * wa_syncd_decode_patch:
 * @name: the collection's name
 * @patch: the next patch of the collection
 * @external: (nullable): the patch's mutations, when they came as a blob
 * @lookup: (scope call): finds app-state keys by id
 * @user_data: for @lookup
 * @state: (inout): the collection before @patch; after it on success,
 *   untouched on failure
 * @error: return location for a #GError
 *
 * Decrypts and verifies one patch (§2.5 step 2–3): each value, the hash
 * the collection has after it, and the patch as a whole.
 *
 * Returns: (transfer full) (element-type WaSyncdMutation) (nullable): the
 *   changes, in order, or %NULL when anything does not verify
 */
GPtrArray *
wa_syncd_decode_patch (const char                    *name,
                       const WaSync__SyncdPatch      *patch,
                       const WaSync__SyncdMutations  *external,
                       WaSyncdKeyLookup               lookup,
                       gpointer                       user_data,
                       WaSyncdState                  *state,
                       GError                       **error)
{
  g_autoptr(GPtrArray) mutations = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_syncd_mutation_free);
  g_autoptr(GPtrArray) value_macs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(WaSyncdState) next = NULL;
  WaSync__SyncdMutation **parts[2] = { patch->mutations, external != NULL ? external->mutations : NULL };
  gsize n_parts[2] = { patch->n_mutations, external != NULL ? external->n_mutations : 0 };
  guint8 expected[WA_SYNCD_MAC_LEN];
  WaProtoBudget budget;
  gsize values = 0;
  WaSyncdKeys keys;
  gboolean valid;

  g_return_val_if_fail (name != NULL && patch != NULL && lookup != NULL && state != NULL, NULL);

  if (patch->version == NULL || !patch->version->has_version)
    {
      g_set_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MALFORMED, "An app-state patch without a version");
      return NULL;
    }
  next = wa_syncd_state_copy (state);
  next->version = patch->version->version;
  for (guint part = 0; part < G_N_ELEMENTS (parts); part++)
    for (gsize i = 0; i < n_parts[part]; i++)
      values += value_size (parts[part][i]->record);
  wa_proto_budget_init (&budget, values, UNPACK_RATIO, UNPACK_SLACK);
  for (guint part = 0; part < G_N_ELEMENTS (parts); part++)
    for (gsize i = 0; i < n_parts[part]; i++)
      {
        const WaSync__SyncdMutation *change = parts[part][i];
        gboolean remove = change->has_operation && change->operation == WA_SYNC__SYNCD_MUTATION__SYNCD_OPERATION__REMOVE;
        WaSyncdMutation *mutation = decode_record (change->record, remove, lookup, user_data, &budget,
                                                   error);

        if (mutation == NULL)
          return NULL;
        wa_syncd_state_apply (next, mutation->index_mac, mutation->value_mac, remove);
        g_ptr_array_add (value_macs, mac_bytes (mutation->value_mac));
        g_ptr_array_add (mutations, mutation);
      }

  if (!expand_key (patch->keyid, lookup, user_data, &keys, error))
    return NULL;
  valid = check_snapshot_mac (name, next, &keys, patch->has_snapshotmac, patch->snapshotmac, error);
  if (valid)
    {
      wa_syncd_patch_mac (keys.patch_mac, patch->snapshotmac.data, patch->snapshotmac.len, value_macs,
                          next->version, name, expected);
      valid = patch->has_patchmac && patch->patchmac.len == WA_SYNCD_MAC_LEN &&
              wa_crypto_equal (expected, patch->patchmac.data, WA_SYNCD_MAC_LEN);
      if (!valid)
        g_set_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MAC,
                     "An app-state patch of “%s” whose MAC does not verify", name);
    }
  wa_syncd_keys_clear (&keys);
  if (!valid)
    return NULL;

  state->version = next->version;
  memcpy (state->hash, next->hash, WA_LTHASH_LEN);
  g_hash_table_unref (state->values);
  state->values = g_hash_table_ref (next->values);
  return g_steal_pointer (&mutations);
}

/**
 * wa_syncd_snapshot_unpack:
 * @blob: a downloaded snapshot
 * @error: return location for a #GError
 *
 * Parses a snapshot, refusing one whose records cannot all be complete
 * or that would take more than a few times its size in memory, before
 * building anything of it.
 *
 * Returns: (transfer full) (nullable): the snapshot, to free with
 *   wa_sync__syncd_snapshot__free_unpacked (), or %NULL
 */
WaSync__SyncdSnapshot *
wa_syncd_snapshot_unpack (GBytes  *blob,
                          GError **error)
{
  g_return_val_if_fail (blob != NULL, NULL);

  if (!check_elements (blob, 2, MIN_RECORD_WIRE_LEN, "snapshot", error))
    return NULL;
  return unpack_bounded (&wa_sync__syncd_snapshot__descriptor, blob, "snapshot", error);
}

/**
 * wa_syncd_patch_unpack:
 * @blob: a patch as the server sent it
 * @error: return location for a #GError
 *
 * Parses a patch as wa_syncd_snapshot_unpack () parses a snapshot.
 *
 * Returns: (transfer full) (nullable): the patch, to free with
 *   wa_sync__syncd_patch__free_unpacked (), or %NULL
 */
WaSync__SyncdPatch *
wa_syncd_patch_unpack (GBytes  *blob,
                       GError **error)
{
  g_return_val_if_fail (blob != NULL, NULL);

  if (!check_elements (blob, 2, MIN_MUTATION_WIRE_LEN, "patch", error))
    return NULL;
  return unpack_bounded (&wa_sync__syncd_patch__descriptor, blob, "patch", error);
}

/**
 * wa_syncd_mutations_unpack:
 * @blob: the downloaded mutations of a patch
 * @error: return location for a #GError
 *
 * Parses a patch's external mutations as wa_syncd_snapshot_unpack ()
 * parses a snapshot.
 *
 * Returns: (transfer full) (nullable): the mutations, to free with
 *   wa_sync__syncd_mutations__free_unpacked (), or %NULL
 */
WaSync__SyncdMutations *
wa_syncd_mutations_unpack (GBytes  *blob,
                           GError **error)
{
  g_return_val_if_fail (blob != NULL, NULL);

  if (!check_elements (blob, 1, MIN_MUTATION_WIRE_LEN, "patch", error))
    return NULL;
  return unpack_bounded (&wa_sync__syncd_mutations__descriptor, blob, "patch", error);
}
