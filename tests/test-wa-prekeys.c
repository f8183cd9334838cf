/* test-wa-prekeys.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

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

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (wa_crypto_init (&error));

  g_test_add_func ("/wa/prekeys/upload", test_upload);
  g_test_add_func ("/wa/prekeys/count", test_count);

  return g_test_run ();
}
