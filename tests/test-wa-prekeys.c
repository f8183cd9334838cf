/* test-wa-prekeys.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "wa-error.h"
#include "wa-prekeys.h"

/* The prekey upload of protocol notes §6.3, node by node, and the keys
 * it announces kept so they can be used later. */

static void
assert_bytes (WaNode       *parent,
              const char   *tag,
              const guint8 *expected,
              gsize         len)
{
  WaNode *child = wa_node_get_child_by_tag (parent, tag);
  GBytes *content;

  g_assert_nonnull (child);
  content = wa_node_get_content_bytes (child);
  g_assert_nonnull (content);
  g_assert_cmpmem (g_bytes_get_data (content, NULL), g_bytes_get_size (content), expected, len);
}

static void
test_upload (void)
{
  g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
  g_autoptr(WaCredentials) credentials = wa_credentials_generate ();
  g_autoptr(WaNode) first = wa_prekeys_upload_request (credentials, store, 3);
  g_autoptr(WaNode) second = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GPtrArray) stored = NULL;
  const guint8 registration[4] = { credentials->registration_id >> 24, credentials->registration_id >> 16,
                                   credentials->registration_id >> 8, credentials->registration_id };
  WaNode *skey;

  g_assert_cmpstr (wa_node_get_tag (first), ==, "iq");
  g_assert_cmpstr (wa_node_get_attr (first, "xmlns"), ==, "encrypt");
  g_assert_cmpstr (wa_node_get_attr (first, "type"), ==, "set");
  assert_bytes (first, "registration", registration, 4);
  assert_bytes (first, "type", (const guint8 *)"\x05", 1);
  assert_bytes (first, "identity", credentials->identity_key.pub, WA_KEY_LEN);

  keys = wa_node_get_children_by_tag (wa_node_get_child_by_tag (first, "list"), "key");
  g_assert_cmpuint (keys->len, ==, 3);
  for (guint i = 0; i < keys->len; i++)
    {
      const guint8 id[3] = { 0, 0, i + 1 };
      g_autofree char *name = g_strdup_printf ("%u", i + 1);
      g_autoptr(GBytes) secret = wa_key_store_load (store, "prekey", name);
      WaKeyPair pair;

      /* The private half is kept, and is the one announced. */
      g_assert_nonnull (secret);
      wa_key_pair_from_private (&pair, g_bytes_get_data (secret, NULL));
      assert_bytes (keys->pdata[i], "id", id, 3);
      assert_bytes (keys->pdata[i], "value", pair.pub, WA_KEY_LEN);
    }

  skey = wa_node_get_child_by_tag (first, "skey");
  assert_bytes (skey, "id", (const guint8 *)"\x00\x00\x01", 3);
  assert_bytes (skey, "value", credentials->signed_pre_key.pub, WA_KEY_LEN);
  assert_bytes (skey, "signature", credentials->signed_pre_key_signature, WA_SIGNATURE_LEN);

  /* The next batch goes on from where the last one stopped. */
  second = wa_prekeys_upload_request (credentials, store, 2);
  g_clear_pointer (&keys, g_ptr_array_unref);
  keys = wa_node_get_children_by_tag (wa_node_get_child_by_tag (second, "list"), "key");
  assert_bytes (keys->pdata[0], "id", (const guint8 *)"\x00\x00\x04", 3);
  stored = wa_key_store_list (store, "prekey");
  g_assert_cmpuint (stored->len, ==, 5);
}

static void
test_count (void)
{
  g_autoptr(WaNode) request = wa_prekeys_count_request ();
  g_autoptr(WaNode) answer = wa_node_new_with_attrs ("iq", "type", "result", NULL);
  g_autoptr(WaNode) empty = wa_node_new_with_attrs ("iq", "type", "result", NULL);
  g_autoptr(GError) error = NULL;
  guint count = 0;

  g_assert_nonnull (wa_node_get_child_by_tag (request, "count"));
  g_assert_cmpstr (wa_node_get_attr (request, "xmlns"), ==, "encrypt");
  wa_node_add_child (answer, wa_node_new_with_attrs ("count", "value", "37", NULL));
  g_assert_true (wa_prekeys_read_count (answer, &count, &error));
  g_assert_cmpuint (count, ==, 37);
  g_assert_false (wa_prekeys_read_count (empty, &count, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
}

static guint32
skey_id (WaNode *parent)
{
  WaNode *skey = wa_node_get_child_by_tag (parent, "skey");
  GBytes *id = wa_node_get_content_bytes (wa_node_get_child_by_tag (skey, "id"));
  const guint8 *data = g_bytes_get_data (id, NULL);

  g_assert_cmpuint (g_bytes_get_size (id), ==, 3);
  return (guint32)data[0] << 16 | (guint32)data[1] << 8 | data[2];
}

/* The signed prekey is replaced after 27 days, by the clock given; the
 * new one is kept before it is announced, becomes current only when the
 * server took it, and its id is never used twice, even for a rotation
 * the server never confirmed. A refused one waits a day. */
static void
test_rotation (void)
{
  g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
  g_autoptr(WaCredentials) credentials = wa_credentials_generate ();
  g_autoptr(WaCredentials) reloaded = NULL;
  g_autoptr(WaNode) lost = NULL;
  g_autoptr(WaNode) rotate = NULL;
  g_autoptr(WaNode) upload = NULL;
  g_autoptr(GError) error = NULL;
  gint64 made = credentials->signed_pre_key_time;
  gint64 due = made + WA_PREKEYS_ROTATE_INTERVAL_S;
  guint8 old_public[WA_KEY_LEN];
  WaKeyPair pair;
  WaNode *skey;

  wa_credentials_save (credentials, store);
  memcpy (old_public, credentials->signed_pre_key.pub, WA_KEY_LEN);
  g_assert_false (wa_prekeys_rotation_due (credentials, store, due - 1));
  g_assert_true (wa_prekeys_rotation_due (credentials, store, due));

  /* A rotation whose answer never came: id 2 is spent. */
  lost = wa_prekeys_rotate_request (credentials, store, due);
  skey = wa_node_get_child_by_tag (wa_node_get_child_by_tag (lost, "rotate"), "skey");
  g_assert_cmpuint (skey_id (wa_node_get_child_by_tag (lost, "rotate")), ==, 2);
  g_assert_true (wa_prekeys_load_signed (credentials, store, 2, &pair, NULL));
  assert_bytes (skey, "value", pair.pub, WA_KEY_LEN);
  g_assert_cmpuint (credentials->signed_pre_key_id, ==, 1);
  wa_prekeys_rotation_failed (store, due);
  g_assert_false (wa_prekeys_rotation_due (credentials, store, due + WA_PREKEYS_ROTATE_RETRY_S - 1));
  g_assert_true (wa_prekeys_rotation_due (credentials, store, due + WA_PREKEYS_ROTATE_RETRY_S));

  rotate = wa_prekeys_rotate_request (credentials, store, due + WA_PREKEYS_ROTATE_RETRY_S);
  g_assert_cmpuint (skey_id (wa_node_get_child_by_tag (rotate, "rotate")), ==, 3);
  g_assert_true (wa_prekeys_rotated (credentials, store, rotate, due + WA_PREKEYS_ROTATE_RETRY_S));
  g_assert_cmpuint (credentials->signed_pre_key_id, ==, 3);
  g_assert_true (wa_credentials_check (credentials));
  g_assert_false (wa_prekeys_rotation_due (credentials, store, due + WA_PREKEYS_ROTATE_RETRY_S + 1));

  /* The old key is kept; the device's saved credentials are the new. */
  g_assert_true (wa_prekeys_load_signed (credentials, store, 1, &pair, NULL));
  g_assert_cmpmem (pair.pub, WA_KEY_LEN, old_public, WA_KEY_LEN);
  reloaded = wa_credentials_load (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reloaded->signed_pre_key_id, ==, 3);
  g_assert_cmpint (reloaded->signed_pre_key_time, ==, due + WA_PREKEYS_ROTATE_RETRY_S);
  g_assert_cmpmem (reloaded->signed_pre_key.pub, WA_KEY_LEN, credentials->signed_pre_key.pub, WA_KEY_LEN);

  /* Uploads announce the current one. */
  upload = wa_prekeys_upload_request (credentials, store, 1);
  g_assert_cmpuint (skey_id (upload), ==, 3);
  g_assert_false (wa_prekeys_load_signed (credentials, store, 4, NULL, NULL));
  wa_key_pair_clear (&pair);
}

/* Credentials stored before rotation existed read as key 1 of unknown
 * age: due at once. */
static void
test_rotation_of_old_keys (void)
{
  g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
  g_autoptr(WaCredentials) credentials = wa_credentials_generate ();
  g_autoptr(WaCredentials) loaded = NULL;
  g_autoptr(GError) error = NULL;

  wa_credentials_save (credentials, store);
  wa_key_store_remove (store, "device", "signed-prekey-id");
  wa_key_store_remove (store, "device", "signed-prekey-time");
  loaded = wa_credentials_load (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->signed_pre_key_id, ==, WA_SIGNED_PRE_KEY_ID);
  g_assert_true (wa_prekeys_rotation_due (loaded, store, g_get_real_time () / G_USEC_PER_SEC));
}

static WaNode *
digest_answer (const WaCredentials *credentials,
               WaNode              *upload,
               guint                n_listed,
               gboolean             good_hash)
{
  g_autoptr(GPtrArray) keys = wa_node_get_children_by_tag (wa_node_get_child_by_tag (upload, "list"), "key");
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  WaNode *answer = wa_node_new_with_attrs ("iq", "type", "result", NULL);
  WaNode *digest = wa_node_add_child (answer, wa_node_new ("digest"));
  WaNode *list, *hash;
  guint8 sum[20];
  gsize sum_len = sizeof sum;

  for (guint i = 0; i < 4; i++)
    {
      const char *tags[] = { "registration", "type", "identity", "skey" };

      wa_node_add_child (digest, wa_node_ref (wa_node_get_child_by_tag (upload, tags[i])));
    }
  g_checksum_update (sha1, credentials->identity_key.pub, WA_KEY_LEN);
  g_checksum_update (sha1, credentials->signed_pre_key.pub, WA_KEY_LEN);
  g_checksum_update (sha1, credentials->signed_pre_key_signature, WA_SIGNATURE_LEN);
  list = wa_node_add_child (digest, wa_node_new ("list"));
  for (guint i = 0; i < n_listed; i++)
    {
      WaNode *key = g_ptr_array_index (keys, i);
      GBytes *value = wa_node_get_content_bytes (wa_node_get_child_by_tag (key, "value"));

      wa_node_add_child (list, wa_node_ref (wa_node_get_child_by_tag (key, "id")));
      g_checksum_update (sha1, g_bytes_get_data (value, NULL), g_bytes_get_size (value));
    }
  g_checksum_get_digest (sha1, sum, &sum_len);
  if (!good_hash)
    sum[0] ^= 1;
  hash = wa_node_add_child (digest, wa_node_new ("hash"));
  wa_node_set_content_data (hash, sum, sizeof sum);
  return answer;
}

/* The digest of what the server holds (WA-FIDELITY §5) matches only
 * when every key and every listed prekey is what we hold. */
static void
test_digest (void)
{
  g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
  g_autoptr(WaCredentials) credentials = wa_credentials_generate ();
  g_autoptr(WaNode) request = wa_prekeys_digest_request ();
  g_autoptr(WaNode) upload = wa_prekeys_upload_request (credentials, store, 5);
  g_autoptr(WaNode) good = digest_answer (credentials, upload, 5, TRUE);
  g_autoptr(WaNode) fewer = digest_answer (credentials, upload, 2, TRUE);
  g_autoptr(WaNode) bad_hash = digest_answer (credentials, upload, 5, FALSE);
  g_autoptr(WaNode) empty = wa_node_new_with_attrs ("iq", "type", "result", NULL);
  g_autoptr(WaNode) rotate = NULL;
  g_autoptr(WaNode) stale = NULL;

  g_assert_cmpstr (wa_node_get_attr (request, "xmlns"), ==, "encrypt");
  g_assert_cmpstr (wa_node_get_attr (request, "type"), ==, "get");
  g_assert_nonnull (wa_node_get_child_by_tag (request, "digest"));

  g_assert_true (wa_prekeys_digest_matches (credentials, store, good));
  g_assert_true (wa_prekeys_digest_matches (credentials, store, fewer));
  g_assert_false (wa_prekeys_digest_matches (credentials, store, bad_hash));
  g_assert_false (wa_prekeys_digest_matches (credentials, store, empty));

  /* A prekey the server lists that we lost, after the answer that lists
   * it was remembered as a match. */
  g_assert_true (wa_prekeys_digest_matches (credentials, store, good));
  wa_key_store_remove (store, "prekey", "2");
  g_assert_false (wa_prekeys_digest_matches (credentials, store, good));
  g_assert_false (wa_prekeys_digest_matches (credentials, store, fewer));

  /* A server still on the signed prekey we replaced. */
  rotate = wa_prekeys_rotate_request (credentials, store, 1);
  g_assert_true (wa_prekeys_rotated (credentials, store, rotate, 1));
  stale = digest_answer (credentials, upload, 0, TRUE);
  g_assert_false (wa_prekeys_digest_matches (credentials, store, stale));
}

/* An answer that matched once is known again without a curve operation:
 * a prekey id never gets a second key, so the second check opens no
 * prekey. A damaged prekey shows it: the full check would refuse it, the
 * remembered answer does not look at it. Any other answer, here one
 * listing fewer keys, is checked in full. */
static void
test_digest_remembered (void)
{
  g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
  g_autoptr(WaCredentials) credentials = wa_credentials_generate ();
  g_autoptr(WaNode) upload = wa_prekeys_upload_request (credentials, store, 5);
  g_autoptr(WaNode) good = digest_answer (credentials, upload, 5, TRUE);
  g_autoptr(WaNode) fewer = digest_answer (credentials, upload, 2, TRUE);
  g_autoptr(GBytes) damaged = g_bytes_new ("short", 5);

  g_assert_true (wa_prekeys_digest_matches (credentials, store, good));
  wa_key_store_save (store, "prekey", "1", damaged);
  g_assert_true (wa_prekeys_digest_matches (credentials, store, good));
  g_assert_false (wa_prekeys_digest_matches (credentials, store, fewer));

  /* Forgetting every key (a new link) forgets the remembered answer. */
  wa_key_store_clear (store);
  g_assert_false (wa_prekeys_digest_matches (credentials, store, good));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (wa_crypto_init (&error));

  g_test_add_func ("/wa/prekeys/upload", test_upload);
  g_test_add_func ("/wa/prekeys/count", test_count);
  g_test_add_func ("/wa/prekeys/rotation", test_rotation);
  g_test_add_func ("/wa/prekeys/rotation-of-old-keys", test_rotation_of_old_keys);
  g_test_add_func ("/wa/prekeys/digest", test_digest);
  g_test_add_func ("/wa/prekeys/digest-remembered", test_digest_remembered);

  return g_test_run ();
}
