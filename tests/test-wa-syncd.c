/* test-wa-syncd.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wa-crypto.h"
#include "wa-syncd.h"
#include "xi-test-utils.h"

/*
 * The LTHash and app-state decoder against vectors Baileys made with its
 * own encoder (tests/interop/baileys-syncd-vectors.js): the committed
 * tests/data/syncd-baileys.json, or fresh ones when the interop suite
 * names a file in XI_SYNCD_VECTORS.
 */

static JsonObject *vectors;

static GBytes *
hex_member (JsonObject *object,
            const char *name)
{
  return xi_test_bytes_from_hex (json_object_get_string_member (object, name));
}

static void
assert_hash (const guint8 hash[WA_LTHASH_LEN],
             const char  *expected)
{
  g_autofree char *text = xi_test_hex (hash, WA_LTHASH_LEN);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_lthash (void)
{
  JsonObject *lthash = json_object_get_object_member (vectors, "lthash");
  JsonArray *items = json_object_get_array_member (lthash, "items");
  guint8 hash[WA_LTHASH_LEN] = { 0 };
  guint8 reversed[WA_LTHASH_LEN] = { 0 };

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      g_autoptr(GBytes) item = xi_test_bytes_from_hex (json_array_get_string_element (items, i));

      wa_lthash_add (hash, g_bytes_get_data (item, NULL), g_bytes_get_size (item));
    }
  assert_hash (hash, json_object_get_string_member (lthash, "after_adding_all"));

  /* Order does not matter: that is the point of the hash. */
  for (guint i = json_array_get_length (items); i > 0; i--)
    {
      g_autoptr(GBytes) item = xi_test_bytes_from_hex (json_array_get_string_element (items, i - 1));

      wa_lthash_add (reversed, g_bytes_get_data (item, NULL), g_bytes_get_size (item));
    }
  g_assert_cmpmem (hash, sizeof hash, reversed, sizeof reversed);

  {
    g_autoptr(GBytes) second = xi_test_bytes_from_hex (json_array_get_string_element (items, 1));

    wa_lthash_subtract (hash, g_bytes_get_data (second, NULL), g_bytes_get_size (second));
    assert_hash (hash, json_object_get_string_member (lthash, "after_removing_second"));
  }
}

typedef struct
{
  GBytes *key_id;
  GBytes *key_data;
  guint   n_lookups;
} Keys;

static GBytes *
lookup_cb (const guint8 *key_id,
           gsize         len,
           gpointer      user_data)
{
  Keys *keys = user_data;

  keys->n_lookups++;
  if (keys->key_data == NULL || len != g_bytes_get_size (keys->key_id) ||
      memcmp (key_id, g_bytes_get_data (keys->key_id, NULL), len) != 0)
    return NULL;
  return g_bytes_ref (keys->key_data);
}

static void
keys_clear (Keys *keys)
{
  g_clear_pointer (&keys->key_id, g_bytes_unref);
  g_clear_pointer (&keys->key_data, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Keys, keys_clear)

static JsonObject *
syncd (void)
{
  return json_object_get_object_member (vectors, "syncd");
}

static void
keys_init (Keys *keys)
{
  keys->key_id = hex_member (syncd (), "key_id");
  keys->key_data = hex_member (syncd (), "key_data");
}

static WaSync__SyncdPatch *
patch_at (guint i)
{
  JsonArray *patches = json_object_get_array_member (syncd (), "patches");
  g_autoptr(GBytes) bytes = hex_member (json_array_get_object_element (patches, i), "patch");
  WaSync__SyncdPatch *patch = wa_sync__syncd_patch__unpack (NULL, g_bytes_get_size (bytes),
                                                            g_bytes_get_data (bytes, NULL));

  g_assert_nonnull (patch);
  return patch;
}

static GPtrArray *
decode (guint          i,
        WaSyncdState  *state,
        Keys          *keys,
        GError       **error)
{
  WaSync__SyncdPatch *patch = patch_at (i);
  const char *name = json_object_get_string_member (syncd (), "collection");
  GPtrArray *mutations = wa_syncd_decode_patch (name, patch, NULL, lookup_cb, keys, state, error);

  wa_sync__syncd_patch__free_unpacked (patch, NULL);
  return mutations;
}

/* Every patch decodes, the hash after each is Baileys' own, and the
 * values are what the phone put in: the push name replaced (its old
 * value out of the hash), the contact removed. */
static void
test_patches (void)
{
  JsonArray *patches = json_object_get_array_member (syncd (), "patches");
  g_auto(Keys) keys = { 0 };
  g_autoptr(WaSyncdState) state = wa_syncd_state_new ();
  WaSyncdMutation *mutation;

  keys_init (&keys);
  for (guint i = 0; i < json_array_get_length (patches); i++)
    {
      JsonObject *expected = json_array_get_object_element (patches, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) mutations = decode (i, state, &keys, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (mutations->len, ==, 1);
      g_assert_cmpuint (state->version, ==, json_object_get_int_member (expected, "version"));
      assert_hash (state->hash, json_object_get_string_member (expected, "hash"));

      mutation = g_ptr_array_index (mutations, 0);
      switch (i)
        {
        case 0:
        case 2:
          g_assert_false (mutation->remove);
          g_assert_cmpstr (mutation->index[0], ==, "setting_pushName");
          g_assert_null (mutation->index[1]);
          g_assert_cmpstr (mutation->data->value->pushnamesetting->name, ==, i == 0 ? "Toko Sari" : "Toko Sari Jaya");
          break;
        case 1:
          g_assert_cmpstr (mutation->index[0], ==, "contact");
          g_assert_cmpstr (mutation->index[1], ==, "6281234567890@s.whatsapp.net");
          g_assert_cmpstr (mutation->data->value->contactaction->fullname, ==, "Budi Santoso");
          g_assert_cmpstr (mutation->data->value->contactaction->lidjid, ==, "123456789012345@lid");
          break;
        default:
          g_assert_true (mutation->remove);
          g_assert_cmpstr (mutation->index[0], ==, "contact");
        }
    }
  /* Left: the push name alone. */
  g_assert_cmpuint (g_hash_table_size (state->values), ==, 1);
}

/* A patch applied to the wrong state (one was missed) does not verify,
 * and the state stays as it was. */
static void
test_missed_patch (void)
{
  g_auto(Keys) keys = { 0 };
  g_autoptr(WaSyncdState) state = wa_syncd_state_new ();
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) third = NULL;
  g_autoptr(GError) error = NULL;
  guint8 before[WA_LTHASH_LEN];

  keys_init (&keys);
  first = decode (0, state, &keys, &error);
  g_assert_no_error (error);
  memcpy (before, state->hash, sizeof before);
  third = decode (2, state, &keys, &error);
  g_assert_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MAC);
  g_assert_null (third);
  g_assert_cmpuint (state->version, ==, 1);
  g_assert_cmpmem (state->hash, sizeof before, before, sizeof before);
  g_assert_cmpuint (g_hash_table_size (state->values), ==, 1);
}

/* Each MAC is checked: a changed value, index, snapshot or patch MAC. */
static void
test_tampered (void)
{
  enum { VALUE, INDEX, SNAPSHOT_MAC, PATCH_MAC, N_PARTS };

  for (guint part = 0; part < N_PARTS; part++)
    {
      g_auto(Keys) keys = { 0 };
      g_autoptr(WaSyncdState) state = wa_syncd_state_new ();
      WaSync__SyncdPatch *patch = patch_at (0);
      g_autoptr(GPtrArray) mutations = NULL;
      g_autoptr(GError) error = NULL;
      guint8 *byte = NULL;

      keys_init (&keys);
      switch (part)
        {
        case VALUE:
          byte = &patch->mutations[0]->record->value->blob.data[20];
          break;
        case INDEX:
          byte = &patch->mutations[0]->record->index->blob.data[3];
          break;
        case SNAPSHOT_MAC:
          byte = &patch->snapshotmac.data[0];
          break;
        default:
          byte = &patch->patchmac.data[31];
        }
      *byte ^= 0x40;
      mutations = wa_syncd_decode_patch ("critical_block", patch, NULL, lookup_cb, &keys, state, &error);
      g_assert_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MAC);
      g_assert_null (mutations);
      g_assert_cmpuint (state->version, ==, 0);
      wa_sync__syncd_patch__free_unpacked (patch, NULL);
    }

  /* The collection's name is under the MACs too. */
  {
    g_auto(Keys) keys = { 0 };
    g_autoptr(WaSyncdState) state = wa_syncd_state_new ();
    WaSync__SyncdPatch *patch = patch_at (0);
    g_autoptr(GPtrArray) mutations = NULL;
    g_autoptr(GError) error = NULL;

    keys_init (&keys);
    mutations = wa_syncd_decode_patch ("regular_high", patch, NULL, lookup_cb, &keys, state, &error);
    g_assert_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MAC);
    wa_sync__syncd_patch__free_unpacked (patch, NULL);
  }
}

static void
test_missing_key (void)
{
  g_auto(Keys) keys = { 0 };
  g_autoptr(WaSyncdState) state = wa_syncd_state_new ();
  g_autoptr(GPtrArray) mutations = NULL;
  g_autoptr(GError) error = NULL;

  keys.key_id = hex_member (syncd (), "key_id");
  mutations = decode (0, state, &keys, &error);
  g_assert_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MISSING_KEY);
  g_assert_cmpuint (keys.n_lookups, ==, 1);
  g_assert_cmpuint (state->version, ==, 0);
}

/* A snapshot of the collection at version 2, made of Baileys' bytes: the
 * records of the first two patches and the second patch's snapshot MAC,
 * which is the MAC of the collection's hash at that version. */
static void
test_snapshot (void)
{
  g_auto(Keys) keys = { 0 };
  WaSync__SyncdPatch *first = patch_at (0);
  WaSync__SyncdPatch *second = patch_at (1);
  WaSync__SyncdSnapshot snapshot = WA_SYNC__SYNCD_SNAPSHOT__INIT;
  WaSync__SyncdVersion version = WA_SYNC__SYNCD_VERSION__INIT;
  WaSync__SyncdRecord *records[2] = { first->mutations[0]->record, second->mutations[0]->record };
  JsonArray *patches = json_object_get_array_member (syncd (), "patches");
  g_autoptr(WaSyncdState) state = NULL;
  g_autoptr(GPtrArray) mutations = NULL;
  g_autoptr(GError) error = NULL;

  keys_init (&keys);
  version.has_version = TRUE;
  version.version = 2;
  snapshot.version = &version;
  snapshot.n_records = G_N_ELEMENTS (records);
  snapshot.records = records;
  snapshot.has_mac = TRUE;
  snapshot.mac = second->snapshotmac;
  snapshot.keyid = second->keyid;
  mutations = wa_syncd_decode_snapshot ("critical_block", &snapshot, lookup_cb, &keys, &state, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mutations->len, ==, 2);
  g_assert_cmpuint (state->version, ==, 2);
  assert_hash (state->hash, json_object_get_string_member (json_array_get_object_element (patches, 1), "hash"));

  /* One record short, and the hash is not the one MACed. */
  snapshot.n_records = 1;
  g_clear_pointer (&state, wa_syncd_state_free);
  g_clear_pointer (&mutations, g_ptr_array_unref);
  mutations = wa_syncd_decode_snapshot ("critical_block", &snapshot, lookup_cb, &keys, &state, &error);
  g_assert_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MAC);
  g_assert_null (state);

  wa_sync__syncd_patch__free_unpacked (first, NULL);
  wa_sync__syncd_patch__free_unpacked (second, NULL);
}

/* Decodes a snapshot of @n_records copies of one action made of
 * @n_fields empty unknown fields, encrypted and MACed as a phone would,
 * but under no valid snapshot MAC. */
static void
decode_empty_fields (guint    n_fields,
                     guint    n_records,
                     GError **error)
{
  const char index[] = "[\"contact\",\"6281234567890@s.whatsapp.net\"]";
  g_auto(Keys) keys = { 0 };
  g_autoptr(GByteArray) action = g_byte_array_new ();
  g_autoptr(GByteArray) value = g_byte_array_new ();
  g_autoptr(GBytes) encrypted = NULL;
  g_autoptr(WaSyncdState) state = NULL;
  g_autoptr(GPtrArray) mutations = NULL;
  g_autofree WaSync__SyncdRecord **records = g_new (WaSync__SyncdRecord *, n_records);
  guint8 header[2 + 10];
  guint8 *header_end = header;
  guint8 iv[WA_AES_BLOCK_LEN] = { 7 };
  guint8 index_mac[WA_SYNCD_MAC_LEN];
  guint8 value_mac[WA_SYNCD_MAC_LEN];
  WaSyncdKeys expanded;
  WaSync__SyncdSnapshot snapshot = WA_SYNC__SYNCD_SNAPSHOT__INIT;
  WaSync__SyncdVersion version = WA_SYNC__SYNCD_VERSION__INIT;
  WaSync__SyncdRecord record = WA_SYNC__SYNCD_RECORD__INIT;
  WaSync__SyncdIndex record_index = WA_SYNC__SYNCD_INDEX__INIT;
  WaSync__SyncdValue record_value = WA_SYNC__SYNCD_VALUE__INIT;
  WaSync__KeyId key_id = WA_SYNC__KEY_ID__INIT;

  keys_init (&keys);
  wa_syncd_keys_expand (g_bytes_get_data (keys.key_data, NULL), g_bytes_get_size (keys.key_data), &expanded);

  /* SyncActionData.index, then the empty fields. */
  *header_end++ = 1 << 3 | 2;
  *header_end++ = sizeof index - 1;
  g_byte_array_append (action, header, header_end - header);
  g_byte_array_append (action, (const guint8 *) index, sizeof index - 1);
  for (guint i = 0; i < n_fields; i++)
    g_byte_array_append (action, (const guint8 *) "\x7a\x00", 2);
  encrypted = wa_crypto_aes_cbc_encrypt (expanded.value_encryption, iv, action->data, action->len, NULL);
  g_assert_nonnull (encrypted);
  g_byte_array_append (value, iv, sizeof iv);
  g_byte_array_append (value, g_bytes_get_data (encrypted, NULL), g_bytes_get_size (encrypted));
  key_id.has_id = TRUE;
  key_id.id.data = (guint8 *) g_bytes_get_data (keys.key_id, &key_id.id.len);
  wa_syncd_value_mac (expanded.value_mac, FALSE, key_id.id.data, key_id.id.len, value->data, value->len, value_mac);
  g_byte_array_append (value, value_mac, sizeof value_mac);
  wa_crypto_hmac_sha256 (expanded.index, sizeof expanded.index, (const guint8 *) index, sizeof index - 1, index_mac);
  wa_syncd_keys_clear (&expanded);

  record_index.has_blob = TRUE;
  record_index.blob = (ProtobufCBinaryData) { sizeof index_mac, index_mac };
  record_value.has_blob = TRUE;
  record_value.blob = (ProtobufCBinaryData) { value->len, value->data };
  record.index = &record_index;
  record.value = &record_value;
  record.keyid = &key_id;
  version.has_version = TRUE;
  version.version = 1;
  snapshot.version = &version;
  for (guint i = 0; i < n_records; i++)
    records[i] = &record;
  snapshot.n_records = n_records;
  snapshot.records = records;
  snapshot.keyid = &key_id;

  mutations = wa_syncd_decode_snapshot ("regular", &snapshot, lookup_cb, &keys, &state, error);
  g_assert_null (mutations);
}

/* A decrypted action of 100,000 empty unknown fields, 200 KB that
 * protobuf-c would unpack to some 9 MB, each action of a snapshot kept
 * until the last: it is refused for the memory, before the snapshot's
 * MAC is even checked. */
static void
test_action_bounded (void)
{
  g_autoptr(GError) error = NULL;

  decode_empty_fields (100000, 1, &error);
  g_assert_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "memory"));
}

/* Actions of 1.4 KB, 700 empty fields each, that one by one fit a bound
 * with room for the fields around them: together they are held to one,
 * not the 27 times their size they would take (120 MB here, of 4.4 MB
 * of values). */
static void
test_many_actions_bounded (void)
{
  g_autoptr(GError) error = NULL;

  decode_empty_fields (700, 3000, &error);
  g_assert_error (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "memory"));
}

#define HUGE_BLOB_SIZE (64 * 1024 * 1024)

typedef enum
{
  EMPTY_RECORDS,
  UNKNOWN_FIELDS,
} HugeShape;

/* A 64 MB snapshot, as large as a download may be, that no phone makes:
 * 33 million records of two bytes, or records of a plausible size made of
 * 55 unknown fields each. */
static GBytes *
huge_snapshot (HugeShape shape)
{
  guint8 *data = g_malloc (HUGE_BLOB_SIZE);
  gsize record = shape == EMPTY_RECORDS ? 2 : 112;
  gsize len = HUGE_BLOB_SIZE - HUGE_BLOB_SIZE % record;

  for (gsize at = 0; at < len; at += record)
    {
      data[at] = 0x12;
      data[at + 1] = record - 2;
      for (gsize field = at + 2; field < at + record; field += 2)
        {
          data[field] = 15 << 3;
          data[field + 1] = 0;
        }
    }
  return g_bytes_new_take (data, len);
}

/* Reads a huge snapshot in a child process, whose peak resident memory
 * the kernel reports to its parent alone. */
static void
assert_refused_in_little_memory (HugeShape   shape,
                                 const char *message)
{
  struct rusage usage;
  int status;
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autoptr(GBytes) blob = huge_snapshot (shape);
      g_autoptr(GError) error = NULL;
      WaSync__SyncdSnapshot *snapshot = wa_syncd_snapshot_unpack (blob, &error);

      _exit (snapshot == NULL && g_error_matches (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MALFORMED) &&
             strstr (error->message, message) != NULL ? 0 : 1);
    }
  g_assert_cmpint (wait4 (pid, &status, 0, &usage), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_test_message ("peak memory %ld MB", usage.ru_maxrss / 1024);
  /* The blob itself, then at most what the allocator allows on top. */
  g_assert_cmpint (usage.ru_maxrss / 1024, <, 64 + (shape == EMPTY_RECORDS ? 32 : 5 * 64 + 32));
}

static void
test_huge_snapshot (void)
{
  assert_refused_in_little_memory (EMPTY_RECORDS, "too short to be complete");
  assert_refused_in_little_memory (UNKNOWN_FIELDS, "too much memory");
}

/* The largest snapshot a phone could send, every record of the smallest
 * size that decodes, still parses within the bound. */
static void
test_large_snapshot (void)
{
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GError) error = NULL;
  WaSync__SyncdSnapshot *snapshot;
  guint8 record[111] = { 0x12, 109, 0x0a, 34, 0x0a, 32 };
  guint n = HUGE_BLOB_SIZE / sizeof record;

  record[38] = 0x12;
  record[39] = 66;
  record[40] = 0x0a;
  record[41] = 64;
  record[106] = 0x1a;
  record[107] = 3;
  record[108] = 0x0a;
  record[109] = 1;
  record[110] = 7;
  for (guint i = 0; i < n; i++)
    g_byte_array_append (wire, record, sizeof record);
  blob = g_byte_array_free_to_bytes (g_steal_pointer (&wire));
  snapshot = wa_syncd_snapshot_unpack (blob, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (snapshot->n_records, ==, n);
  g_assert_cmpuint (snapshot->records[n - 1]->value->blob.len, ==, 64);
  g_assert_cmpuint (snapshot->records[n - 1]->keyid->id.len, ==, 1);
  wa_sync__syncd_snapshot__free_unpacked (snapshot, NULL);
}

static void
test_key_expansion_wipes (void)
{
  WaSyncdKeys keys;
  WaSyncdKeys zero = { 0 };
  guint8 key_data[32] = { 1 };

  wa_syncd_keys_expand (key_data, sizeof key_data, &keys);
  g_assert_false (memcmp (keys.index, keys.patch_mac, WA_SYNCD_KEY_LEN) == 0);
  wa_syncd_keys_clear (&keys);
  g_assert_cmpmem (&keys, sizeof keys, &zero, sizeof zero);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (wa_crypto_init (NULL));

  path = g_strdup (g_getenv ("XI_SYNCD_VECTORS"));
  if (path == NULL)
    path = g_test_build_filename (G_TEST_DIST, "data", "syncd-baileys.json", NULL);
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  vectors = json_node_get_object (json_parser_get_root (parser));

  g_test_add_func ("/wa-syncd/lthash", test_lthash);
  g_test_add_func ("/wa-syncd/patches", test_patches);
  g_test_add_func ("/wa-syncd/missed-patch", test_missed_patch);
  g_test_add_func ("/wa-syncd/tampered", test_tampered);
  g_test_add_func ("/wa-syncd/missing-key", test_missing_key);
  g_test_add_func ("/wa-syncd/snapshot", test_snapshot);
  g_test_add_func ("/wa-syncd/action-bounded", test_action_bounded);
  g_test_add_func ("/wa-syncd/many-actions-bounded", test_many_actions_bounded);
  g_test_add_func ("/wa-syncd/key-expansion-wipes", test_key_expansion_wipes);
  g_test_add_func ("/wa-syncd/huge-snapshot", test_huge_snapshot);
  g_test_add_func ("/wa-syncd/large-snapshot", test_large_snapshot);
  status = g_test_run ();
  return status;
}
