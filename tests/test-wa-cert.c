/* test-wa-cert.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wa-cert.h"
#include "wa-cert.pb-c.h"
#include "wa-error.h"
#include "xi-test-utils.h"

/* Each check of WA-PROTOCOL.md §2.4 refuses a chain that breaks it. */

typedef struct
{
  WaKeyPair root;
  WaKeyPair intermediate;
  WaKeyPair server;
  WaKeyPair other;
  gint64    now;
} Keys;

static void
make_keys (Keys *keys)
{
  wa_key_pair_generate (&keys->root);
  wa_key_pair_generate (&keys->intermediate);
  wa_key_pair_generate (&keys->server);
  wa_key_pair_generate (&keys->other);
  keys->now = 1800000000;
}

static void
assert_refused (GBytes       *chain,
                const Keys   *keys,
                const guint8 *root,
                const guint8 *server,
                gint64        now,
                const char   *reason)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (wa_cert_verify (chain, root != NULL ? root : keys->root.pub,
                                  server != NULL ? server : keys->server.pub, now, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_HANDSHAKE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, reason));
}

static void
test_checks (void)
{
  Keys k;
  g_autoptr(GBytes) good = NULL;
  g_autoptr(GBytes) by_stranger = NULL;
  g_autoptr(GBytes) expired = NULL;
  g_autoptr(GBytes) future = NULL;
  g_autoptr(GBytes) garbage = g_bytes_new_static ("\x0a\x03xyz", 5);
  g_autoptr(GError) error = NULL;

  make_keys (&k);
  good = wa_cert_build (&k.root, &k.intermediate, k.server.pub, 7, 8, k.now - 10, k.now + 10);
  g_assert_true (wa_cert_verify (good, k.root.pub, k.server.pub, k.now, &error));
  g_assert_no_error (error);

  assert_refused (garbage, &k, NULL, NULL, k.now, "does not parse");
  {
    g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
    assert_refused (empty, &k, NULL, NULL, k.now, "missing");
  }
  assert_refused (good, &k, k.other.pub, NULL, k.now, "not signed by the root");
  by_stranger = wa_cert_build (&k.other, &k.intermediate, k.server.pub, 7, 8, k.now - 10, k.now + 10);
  assert_refused (by_stranger, &k, NULL, NULL, k.now, "not signed by the root");
  assert_refused (good, &k, NULL, k.other.pub, k.now, "another key");
  expired = wa_cert_build (&k.root, &k.intermediate, k.server.pub, 7, 8, k.now - 100, k.now - 1);
  assert_refused (expired, &k, NULL, NULL, k.now, "expired");
  future = wa_cert_build (&k.root, &k.intermediate, k.server.pub, 7, 8, k.now + 1, k.now + 100);
  assert_refused (future, &k, NULL, NULL, k.now, "not yet valid");
  assert_refused (good, &k, NULL, NULL, k.now + 11, "expired");
}

/* Chains built field by field, to break what wa_cert_build() never would. */

static GBytes *
pack (const ProtobufCMessage *message)
{
  gsize len = protobuf_c_message_get_packed_size (message);
  guint8 *data = g_malloc (len + 1);

  protobuf_c_message_pack (message, data);
  return g_bytes_new_take (data, len);
}

static GBytes *
details (guint32       serial,
         guint32       issuer,
         const guint8 *key,
         gint64        now)
{
  WaCert__CertChain__NoiseCertificate__Details d = WA_CERT__CERT_CHAIN__NOISE_CERTIFICATE__DETAILS__INIT;

  d.has_serial = d.has_issuer_serial = d.has_key = d.has_not_before = d.has_not_after = TRUE;
  d.serial = serial;
  d.issuer_serial = issuer;
  d.key.data = (guint8 *)key;
  d.key.len = 32;
  d.not_before = now - 10;
  d.not_after = now + 10;
  return pack (&d.base);
}

static GBytes *
chain (const WaKeyPair *middle_signer,
       GBytes          *middle_details,
       const WaKeyPair *leaf_signer,
       GBytes          *leaf_details)
{
  WaCert__CertChain c = WA_CERT__CERT_CHAIN__INIT;
  WaCert__CertChain__NoiseCertificate leaf = WA_CERT__CERT_CHAIN__NOISE_CERTIFICATE__INIT;
  WaCert__CertChain__NoiseCertificate middle = WA_CERT__CERT_CHAIN__NOISE_CERTIFICATE__INIT;
  guint8 middle_signature[64], leaf_signature[64];

  wa_crypto_sign (middle_signer->priv, g_bytes_get_data (middle_details, NULL),
                  g_bytes_get_size (middle_details), middle_signature);
  wa_crypto_sign (leaf_signer->priv, g_bytes_get_data (leaf_details, NULL),
                  g_bytes_get_size (leaf_details), leaf_signature);
  middle.has_details = middle.has_signature = leaf.has_details = leaf.has_signature = TRUE;
  middle.details.data = (guint8 *)g_bytes_get_data (middle_details, &middle.details.len);
  middle.signature.data = middle_signature;
  middle.signature.len = 64;
  leaf.details.data = (guint8 *)g_bytes_get_data (leaf_details, &leaf.details.len);
  leaf.signature.data = leaf_signature;
  leaf.signature.len = 64;
  c.leaf = &leaf;
  c.intermediate = &middle;
  return pack (&c.base);
}

static void
test_issuers (void)
{
  Keys k;
  g_autoptr(GBytes) middle = NULL;
  g_autoptr(GBytes) middle_not_root_issued = NULL;
  g_autoptr(GBytes) leaf = NULL;
  g_autoptr(GBytes) leaf_other_issuer = NULL;
  g_autoptr(GBytes) ok = NULL;
  g_autoptr(GBytes) bad_issuer = NULL;
  g_autoptr(GBytes) bad_leaf_issuer = NULL;
  g_autoptr(GBytes) bad_leaf_signer = NULL;
  g_autoptr(GError) error = NULL;

  make_keys (&k);
  middle = details (7, 0, k.intermediate.pub, k.now);
  middle_not_root_issued = details (7, 3, k.intermediate.pub, k.now);
  leaf = details (8, 7, k.server.pub, k.now);
  leaf_other_issuer = details (8, 6, k.server.pub, k.now);

  ok = chain (&k.root, middle, &k.intermediate, leaf);
  g_assert_true (wa_cert_verify (ok, k.root.pub, k.server.pub, k.now, &error));
  g_assert_no_error (error);

  bad_issuer = chain (&k.root, middle_not_root_issued, &k.intermediate, leaf);
  assert_refused (bad_issuer, &k, NULL, NULL, k.now, "not issued by the root");
  bad_leaf_issuer = chain (&k.root, middle, &k.intermediate, leaf_other_issuer);
  assert_refused (bad_leaf_issuer, &k, NULL, NULL, k.now, "another issuer");
  bad_leaf_signer = chain (&k.root, middle, &k.other, leaf);
  assert_refused (bad_leaf_signer, &k, NULL, NULL, k.now, "not signed by the intermediate");
}

static void
test_real_root (void)
{
  const guint8 *root = wa_cert_default_root_key ();
  g_autofree char *hex = xi_test_hex (root, 32);

  g_assert_cmpstr (hex, ==, "142375574d0a587166aae71ebe516437c4a28b73e3695c6ce1f7f9545da8ee6b");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!wa_crypto_init (NULL))
    return 77;

  g_test_add_func ("/wa/cert/checks", test_checks);
  g_test_add_func ("/wa/cert/issuers", test_issuers);
  g_test_add_func ("/wa/cert/real-root", test_real_root);

  return g_test_run ();
}
