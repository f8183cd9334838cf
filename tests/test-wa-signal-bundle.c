/* test-wa-signal-bundle.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fakewa-device.h"
#include "wa-error.h"
#include "wa-prekeys.h"
#include "wa-signal.h"

/* Prekey bundles on the wire (protocol notes §7.3, §8.5): the key fetch,
 * its answer node by node, the retry receipt's <keys>, and a session
 * built from what the fake server hands out. */

static WaNode *
bytes_node (const char *tag,
            const char *data,
            gsize       len)
{
  WaNode *node = wa_node_new (tag);

  wa_node_set_content_data (node, (const guint8 *) data, len);
  return node;
}

static WaNode *
filled_node (const char *tag,
             guint8      fill,
             gsize       len)
{
  g_autofree guint8 *data = g_malloc (len);

  memset (data, fill, len);
  return bytes_node (tag, (const char *) data, len);
}

static WaNode *
skey_node (void)
{
  WaNode *skey = wa_node_new ("skey");

  wa_node_add_children (skey, bytes_node ("id", "\x00\x00\x01", 3), filled_node ("value", 0xbb, 32),
                        filled_node ("signature", 0xcc, 64), NULL);
  return skey;
}

static WaNode *
key_node (void)
{
  WaNode *key = wa_node_new ("key");

  wa_node_add_children (key, bytes_node ("id", "\x0a\x0b\x0c", 3), filled_node ("value", 0xdd, 32), NULL);
  return key;
}

/* A <user> of a key answer; @skip names a child to leave out. */
static WaNode *
user_node (const char *jid,
           gboolean    with_key,
           const char *skip)
{
  WaNode *user = jid != NULL ? wa_node_new_with_attrs ("user", "jid", jid, NULL) : wa_node_new ("user");
  WaNode *children[] = {
    bytes_node ("registration", "\x01\x02\x03\x04", 4),
    bytes_node ("type", "\x05", 1),
    filled_node ("identity", 0xaa, 32),
    skey_node (),
  };

  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    {
      if (g_strcmp0 (skip, wa_node_get_tag (children[i])) == 0)
        wa_node_unref (children[i]);
      else
        wa_node_add_child (user, children[i]);
    }
  if (with_key)
    wa_node_add_child (user, key_node ());
  return user;
}

static void
assert_filled (const guint8 *data,
               guint8        fill,
               gsize         len)
{
  for (gsize i = 0; i < len; i++)
    g_assert_cmpuint (data[i], ==, fill);
}

static void
assert_bundle (const WaSignalBundle *bundle,
               gboolean              with_key)
{
  g_assert_cmpuint (bundle->registration_id, ==, 0x01020304);
  assert_filled (bundle->identity_key, 0xaa, WA_KEY_LEN);
  g_assert_cmpuint (bundle->signed_pre_key_id, ==, 1);
  assert_filled (bundle->signed_pre_key, 0xbb, WA_KEY_LEN);
  assert_filled (bundle->signed_pre_key_signature, 0xcc, WA_SIGNATURE_LEN);
  g_assert_cmpint (bundle->has_pre_key, ==, with_key);
  if (with_key)
    {
      g_assert_cmpuint (bundle->pre_key_id, ==, 0x0a0b0c);
      assert_filled (bundle->pre_key, 0xdd, WA_KEY_LEN);
    }
}

static void
test_request (void)
{
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_jid_unref);
  g_autoptr(WaNode) iq = NULL;
  g_autoptr(WaNode) plain = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GPtrArray) plain_users = NULL;

  g_ptr_array_add (devices, wa_jid_new ("15551234567", WA_SERVER_PN));
  g_ptr_array_add (devices, wa_jid_new_device ("15551234567", WA_SERVER_PN, 3));
  iq = wa_signal_bundles_request (devices, TRUE);

  g_assert_cmpstr (wa_node_get_tag (iq), ==, "iq");
  g_assert_cmpstr (wa_node_get_attr (iq, "xmlns"), ==, "encrypt");
  g_assert_cmpstr (wa_node_get_attr (iq, "type"), ==, "get");
  g_assert_cmpstr (wa_node_get_attr (iq, "to"), ==, "@s.whatsapp.net");
  users = wa_node_get_children_by_tag (wa_node_get_child_by_tag (iq, "key"), "user");
  g_assert_cmpuint (users->len, ==, 2);
  for (guint i = 0; i < users->len; i++)
    {
      g_autoptr(WaJid) jid = wa_node_get_attr_jid (users->pdata[i], "jid");

      g_assert_true (wa_jid_equal (jid, devices->pdata[i]));
      g_assert_cmpstr (wa_node_get_attr (users->pdata[i], "reason"), ==, "identity");
    }

  plain = wa_signal_bundles_request (devices, FALSE);
  plain_users = wa_node_get_children_by_tag (wa_node_get_child_by_tag (plain, "key"), "user");
  g_assert_null (wa_node_get_attr (plain_users->pdata[0], "reason"));
}

static void
test_parse_answer (void)
{
  g_autoptr(WaNode) answer = wa_node_new_with_attrs ("iq", "type", "result", "from", "@s.whatsapp.net", NULL);
  g_autoptr(WaNode) empty = wa_node_new_with_attrs ("iq", "type", "result", NULL);
  g_autoptr(GPtrArray) answers = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GError) error = NULL;
  WaNode *list = wa_node_add_child (answer, wa_node_new ("list"));
  WaNode *wrapped = wa_node_new_with_attrs ("user", "jid", "15550000005:2@s.whatsapp.net", NULL);
  WaNode *keys = wa_node_new ("keys");
  WaNode *refused;
  WaSignalBundleAnswer *entry;

  wa_node_add_child (list, user_node ("15550000001@s.whatsapp.net", TRUE, NULL));
  wa_node_add_child (list, user_node ("15550000002:4@s.whatsapp.net", FALSE, NULL));
  refused = wa_node_add_child (list, wa_node_new_with_attrs ("user", "jid", "15550000003@s.whatsapp.net", NULL));
  wa_node_add_child (refused, wa_node_new_with_attrs ("error", "code", "404", "text", "item-not-found", NULL));
  wa_node_add_child (list, user_node ("15550000004@s.whatsapp.net", TRUE, "identity"));
  wa_node_add_child (list, user_node (NULL, TRUE, NULL));
  /* whatsmeow's variant: the keys in a <keys> child. */
  wa_node_add_children (keys, bytes_node ("type", "\x05", 1), filled_node ("identity", 0xaa, 32), skey_node (), NULL);
  wa_node_add_children (wrapped, bytes_node ("registration", "\x01\x02\x03\x04", 4), keys, NULL);
  wa_node_add_child (list, wrapped);

  answers = wa_signal_parse_bundles (answer, &error);
  g_assert_no_error (error);
  /* The user without a jid has no entry. */
  g_assert_cmpuint (answers->len, ==, 5);

  entry = answers->pdata[0];
  g_assert_cmpstr (wa_jid_get_user (entry->device), ==, "15550000001");
  g_assert_no_error (entry->error);
  assert_bundle (&entry->bundle, TRUE);

  entry = answers->pdata[1];
  g_assert_cmpuint (wa_jid_get_device (entry->device), ==, 4);
  g_assert_no_error (entry->error);
  assert_bundle (&entry->bundle, FALSE);

  entry = answers->pdata[2];
  g_assert_error (entry->error, WA_ERROR, WA_ERROR_FAILED);
  g_assert_nonnull (strstr (entry->error->message, "404"));

  entry = answers->pdata[3];
  g_assert_error (entry->error, WA_ERROR, WA_ERROR_MALFORMED);

  entry = answers->pdata[4];
  g_assert_cmpuint (wa_jid_get_device (entry->device), ==, 2);
  g_assert_no_error (entry->error);
  assert_bundle (&entry->bundle, FALSE);

  none = wa_signal_parse_bundles (empty, &error);
  g_assert_null (none);
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
}

static void
test_parse_invalid (void)
{
  const char *missing[] = { "registration", "identity", "skey" };
  g_autoptr(WaNode) wrong_type = user_node ("1@s.whatsapp.net", TRUE, "type");
  g_autoptr(WaNode) no_type = user_node ("1@s.whatsapp.net", TRUE, "type");
  g_autoptr(WaNode) short_key = user_node ("1@s.whatsapp.net", FALSE, NULL);
  g_autoptr(GError) error = NULL;
  WaSignalBundle bundle;
  WaNode *key;

  for (guint i = 0; i < G_N_ELEMENTS (missing); i++)
    {
      g_autoptr(WaNode) user = user_node ("1@s.whatsapp.net", TRUE, missing[i]);

      g_assert_false (wa_signal_bundle_parse (user, &bundle, &error));
      g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
      g_clear_error (&error);
    }

  /* No type is taken as Curve25519; any other type is refused. */
  g_assert_true (wa_signal_bundle_parse (no_type, &bundle, &error));
  g_assert_no_error (error);
  wa_node_add_child (wrong_type, bytes_node ("type", "\x06", 1));
  g_assert_false (wa_signal_bundle_parse (wrong_type, &bundle, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_clear_error (&error);

  key = wa_node_add_child (short_key, wa_node_new ("key"));
  wa_node_add_children (key, bytes_node ("id", "\x01\x02", 2), filled_node ("value", 0xdd, 32), NULL);
  g_assert_false (wa_signal_bundle_parse (short_key, &bundle, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
}

static void
test_retry_receipt (void)
{
  g_autoptr(WaNode) receipt = wa_node_new_with_attrs ("receipt", "id", "3EB0AA", "type", "retry", NULL);
  g_autoptr(GError) error = NULL;
  WaNode *keys = wa_node_new ("keys");
  WaSignalBundle bundle;

  wa_node_add_child (receipt, wa_node_new_with_attrs ("retry", "count", "2", "id", "3EB0AA", "v", "1", NULL));
  wa_node_add_child (receipt, bytes_node ("registration", "\x01\x02\x03\x04", 4));
  wa_node_add_children (keys, bytes_node ("type", "\x05", 1), filled_node ("identity", 0xaa, 32), key_node (),
                        skey_node (), filled_node ("device-identity", 0x11, 20), NULL);
  wa_node_add_child (receipt, keys);

  g_assert_true (wa_signal_bundle_parse (receipt, &bundle, &error));
  g_assert_no_error (error);
  assert_bundle (&bundle, TRUE);
}

/* What the fake server hands out builds a session that works. */
static void
test_from_fake_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WaKeyStore) alice_store = wa_memory_key_store_new ();
  g_autoptr(WaKeyStore) bob_store = wa_memory_key_store_new ();
  g_autoptr(WaCredentials) alice_credentials = wa_credentials_generate ();
  g_autoptr(WaCredentials) bob_credentials = wa_credentials_generate ();
  g_autoptr(WaJid) alice_jid = wa_jid_new_device ("15550001111", WA_SERVER_PN, 2);
  g_autoptr(WaJid) bob_jid = wa_jid_new_device ("15550002222", WA_SERVER_PN, 5);
  g_autoptr(GBytes) bob_identity = g_bytes_new (bob_credentials->identity_key.pub, WA_KEY_LEN);
  g_autoptr(FakewaDevice) bob_on_server = fakewa_device_new ("15550002222:5@s.whatsapp.net", bob_identity);
  g_autoptr(WaNode) upload = wa_prekeys_upload_request (bob_credentials, bob_store, 2);
  g_autoptr(WaSignal) alice = wa_signal_new (alice_store, alice_credentials, &error);
  g_autoptr(WaSignal) bob = wa_signal_new (bob_store, bob_credentials, &error);
  g_autoptr(WaNode) user = NULL;
  g_autoptr(GBytes) plain = g_bytes_new_static ("hello\x01", 6);
  g_autoptr(GBytes) ciphertext = NULL, decrypted = NULL;
  WaSignalMessageType type;
  WaSignalBundle bundle;

  g_assert_no_error (error);
  g_assert_true (fakewa_device_store_keys (bob_on_server, upload, &error));
  g_assert_no_error (error);

  user = fakewa_device_take_bundle (bob_on_server);
  g_assert_true (wa_signal_bundle_parse (user, &bundle, &error));
  g_assert_no_error (error);
  g_assert_true (bundle.has_pre_key);
  g_assert_cmpuint (bundle.registration_id, ==, bob_credentials->registration_id);

  g_assert_true (wa_signal_build_session (alice, bob_jid, &bundle, &error));
  g_assert_no_error (error);
  ciphertext = wa_signal_encrypt (alice, bob_jid, plain, &type, &error);
  g_assert_no_error (error);
  g_assert_cmpint (type, ==, WA_SIGNAL_MESSAGE_PKMSG);
  decrypted = wa_signal_decrypt (bob, alice_jid, type, ciphertext, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (decrypted, plain));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (wa_crypto_init (&error));

  g_test_add_func ("/wa/signal-bundle/request", test_request);
  g_test_add_func ("/wa/signal-bundle/parse-answer", test_parse_answer);
  g_test_add_func ("/wa/signal-bundle/parse-invalid", test_parse_invalid);
  g_test_add_func ("/wa/signal-bundle/retry-receipt", test_retry_receipt);
  g_test_add_func ("/wa/signal-bundle/from-fake-server", test_from_fake_server);

  return g_test_run ();
}
