/* test-wa-cert.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "wa-cert.h"
#include "wa-cert.pb-c.h"
#include "wa-error.h"
#include "xi-test-utils.h"

/* The chain of WA-PROTOCOL.md Appendix A.2, and each check of §2.4
 * failing in turn. */

#define ROOT_PRIV          "e8daa1fd6a7de98d1b3c23a3b7660a223b5a8f447220f8211677936e580af842"
#define ROOT_PUB           "d35255c864a538f77ecbcb0b68e1f418cedc7eb0bbcb180df9b3517f1c17e121"
#define INTERMEDIATE_PRIV  "784117521c0f60bc9caa895aeaf3adbb4562f03edf86ddb78046023773e20271"
#define INTERMEDIATE_PUB   "92044e96eb6ecffa1fe2662e5506ed743a833d86ff79d7b07265d2567543e973"
#define SERVER_STATIC_PRIV "40b0f52facd91e6603b9a1c026de0eb46ebcfc33fcf136a5a1c9b4980f664f73"
#define SERVER_STATIC_PUB  "427265d836c915925b7db24ebb0e6be96b23a96d50dcfd9f9866aba150a5a50c"

#define INTERMEDIATE_DETAILS                                                    \
  "080710001a2092044e96eb6ecffa1fe2662e5506ed743a833d86ff79d7b07265d2"          \
  "567543e9732080e2cfaa062880ae99a40f"
#define INTERMEDIATE_SIGNATURE                                                  \
  "da5cba8c84ed51b96decd39af229a22fd639eb1067ac4755139a7a1f13e4bbee"            \
  "72bb26011662cbef361e4e8dd651e41a7aad2ad6db280fba85e4856edad1688e"
#define LEAF_DETAILS                                                            \
  "080810071a20427265d836c915925b7db24ebb0e6be96b23a96d50dcfd9f9866ab"          \
  "a150a5a50c2080e2cfaa062880ae99a40f"
#define LEAF_SIGNATURE                                                          \
  "0aab86694e0936064f461f6b6f71abc9bdbc3ee772eb2df9b6143c11ea573531"            \
  "8b1be36a5e2ec5f5136538f6da9bee8be774088cebb9a52f32a674a46e55e70e"
#define CERT_CHAIN                                                              \
  "0a760a32080810071a20427265d836c915925b7db24ebb0e6be96b23a96d50dcfd"          \
  "9f9866aba150a5a50c2080e2cfaa062880ae99a40f12400aab86694e0936064f46"          \
  "1f6b6f71abc9bdbc3ee772eb2df9b6143c11ea5735318b1be36a5e2ec5f5136538"          \
  "f6da9bee8be774088cebb9a52f32a674a46e55e70e12760a32080710001a209204"          \
  "4e96eb6ecffa1fe2662e5506ed743a833d86ff79d7b07265d2567543e9732080e2"          \
  "cfaa062880ae99a40f1240da5cba8c84ed51b96decd39af229a22fd639eb1067ac"          \
  "4755139a7a1f13e4bbee72bb26011662cbef361e4e8dd651e41a7aad2ad6db280f"          \
  "ba85e4856edad1688e"

#define NOT_BEFORE 1700000000
#define NOT_AFTER  4102444800
#define NOW        1800000000

typedef WaCert__CertChain__NoiseCertificate__Details Details;

typedef struct
{
  WaKeyPair root;
  WaKeyPair intermediate;
  WaKeyPair server;
  WaKeyPair other;
} Keys;

static void
vector_keys (Keys *keys)
{
  g_autoptr(GBytes) root = xi_test_bytes_from_hex (ROOT_PRIV);
  g_autoptr(GBytes) intermediate = xi_test_bytes_from_hex (INTERMEDIATE_PRIV);
  g_autoptr(GBytes) server = xi_test_bytes_from_hex (SERVER_STATIC_PRIV);

  wa_key_pair_from_private (&keys->root, g_bytes_get_data (root, NULL));
  wa_key_pair_from_private (&keys->intermediate, g_bytes_get_data (intermediate, NULL));
  wa_key_pair_from_private (&keys->server, g_bytes_get_data (server, NULL));
  wa_key_pair_generate (&keys->other);
}

static void
assert_hex (const guint8 *data,
            gsize         len,
            const char   *expected)
{
  g_autofree char *hex = xi_test_hex (data, len);

  g_assert_cmpstr (hex, ==, expected);
}

/* Refused with WA_ERROR_HANDSHAKE and a message containing @reason;
 * returns the message so callers can check they all differ. */
static char *
refused (GBytes       *chain,
         const guint8 *root,
         const guint8 *server,
         gint64        now,
         const char   *reason)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (wa_cert_verify (chain, root, server, now, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_HANDSHAKE);
  g_test_message ("%s", error->message);
  if (strstr (error->message, reason) == NULL)
    g_error ("expected \"%s\" in \"%s\"", reason, error->message);
  return g_strdup (error->message);
}

static GBytes *
pack (const ProtobufCMessage *message)
{
  gsize len = protobuf_c_message_get_packed_size (message);
  guint8 *data = g_malloc (MAX (len, 1));

  protobuf_c_message_pack (message, data);
  return g_bytes_new_take (data, len);
}

/* Details with a key of any length, to break what the builder never would. */
static GBytes *
details_with_key (guint32       serial,
                  guint32       issuer,
                  const guint8 *key,
                  gsize         key_len)
{
  Details d = WA_CERT__CERT_CHAIN__NOISE_CERTIFICATE__DETAILS__INIT;

  d.has_serial = d.has_issuer_serial = d.has_key = d.has_not_before = d.has_not_after = TRUE;
  d.serial = serial;
  d.issuer_serial = issuer;
  d.key.data = (guint8 *) key;
  d.key.len = key_len;
  d.not_before = NOT_BEFORE;
  d.not_after = NOT_AFTER;
  return pack (&d.base);
}

/* A chain from raw details, each signed by the given private key. */
static GBytes *
chain_from (GBytes       *middle_details,
            const guint8 *middle_signer,
            GBytes       *leaf_details,
            const guint8 *leaf_signer)
{
  WaCert__CertChain c = WA_CERT__CERT_CHAIN__INIT;
  WaCert__CertChain__NoiseCertificate leaf = WA_CERT__CERT_CHAIN__NOISE_CERTIFICATE__INIT;
  WaCert__CertChain__NoiseCertificate middle = WA_CERT__CERT_CHAIN__NOISE_CERTIFICATE__INIT;
  guint8 middle_signature[64], leaf_signature[64];

  middle.has_details = middle.has_signature = leaf.has_details = leaf.has_signature = TRUE;
  middle.details.data = (guint8 *) g_bytes_get_data (middle_details, &middle.details.len);
  leaf.details.data = (guint8 *) g_bytes_get_data (leaf_details, &leaf.details.len);
  wa_crypto_sign (middle_signer, middle.details.data, middle.details.len, middle_signature);
  wa_crypto_sign (leaf_signer, leaf.details.data, leaf.details.len, leaf_signature);
  middle.signature.data = middle_signature;
  middle.signature.len = 64;
  leaf.signature.data = leaf_signature;
  leaf.signature.len = 64;
  c.leaf = &leaf;
  c.intermediate = &middle;
  return pack (&c.base);
}

typedef void (*ChainEdit) (WaCert__CertChain *chain);

/* Parses @chain, lets @edit change it, and serializes it again. */
static GBytes *
edited (GBytes    *chain,
        ChainEdit  edit)
{
  WaCert__CertChain *parsed;
  GBytes *out;

  parsed = wa_cert__cert_chain__unpack (NULL, g_bytes_get_size (chain), g_bytes_get_data (chain, NULL));
  g_assert_nonnull (parsed);
  edit (parsed);
  out = pack (&parsed->base);
  wa_cert__cert_chain__free_unpacked (parsed, NULL);
  return out;
}

static void
drop_leaf (WaCert__CertChain *chain)
{
  protobuf_c_message_free_unpacked (&chain->leaf->base, NULL);
  chain->leaf = NULL;
}

static void
drop_intermediate_signature (WaCert__CertChain *chain)
{
  chain->intermediate->has_signature = FALSE;
}

static void
shorten_leaf_signature (WaCert__CertChain *chain)
{
  chain->leaf->signature.len = 63;
}

static void
flip_intermediate_signature (WaCert__CertChain *chain)
{
  chain->intermediate->signature.data[10] ^= 0x04;
}

static void
flip_leaf_signature (WaCert__CertChain *chain)
{
  chain->leaf->signature.data[40] ^= 0x01;
}

static void
test_vector (void)
{
  static const guint8 zero_random[64] = { 0 };
  g_autoptr(GBytes) chain = xi_test_bytes_from_hex (CERT_CHAIN);
  g_autoptr(GBytes) built = NULL;
  g_autoptr(GError) error = NULL;
  WaCert__CertChain *parsed;
  guint8 signature[64];
  Keys k;

  vector_keys (&k);
  assert_hex (k.root.pub, 32, ROOT_PUB);
  assert_hex (k.intermediate.pub, 32, INTERMEDIATE_PUB);
  assert_hex (k.server.pub, 32, SERVER_STATIC_PUB);

  g_assert_true (wa_cert_verify (chain, k.root.pub, k.server.pub, NOW, &error));
  g_assert_no_error (error);
  /* Both ends of the window are inclusive. */
  g_assert_true (wa_cert_verify (chain, k.root.pub, k.server.pub, NOT_BEFORE, &error));
  g_assert_true (wa_cert_verify (chain, k.root.pub, k.server.pub, NOT_AFTER, &error));
  g_assert_no_error (error);

  /* The builder writes the vector's details byte for byte, and with the
   * vector's zero randomness its signatures are the vector's too. */
  built = wa_cert_build (k.root.priv, &k.intermediate, k.server.pub, 7, 8, NOT_BEFORE, NOT_AFTER);
  g_assert_true (wa_cert_verify (built, k.root.pub, k.server.pub, NOW, &error));
  g_assert_no_error (error);
  parsed = wa_cert__cert_chain__unpack (NULL, g_bytes_get_size (built), g_bytes_get_data (built, NULL));
  g_assert_nonnull (parsed);
  assert_hex (parsed->intermediate->details.data, parsed->intermediate->details.len, INTERMEDIATE_DETAILS);
  assert_hex (parsed->leaf->details.data, parsed->leaf->details.len, LEAF_DETAILS);

  wa_crypto_sign_with_random (k.root.priv, parsed->intermediate->details.data,
                              parsed->intermediate->details.len, zero_random, signature);
  assert_hex (signature, 64, INTERMEDIATE_SIGNATURE);
  wa_crypto_sign_with_random (k.intermediate.priv, parsed->leaf->details.data,
                              parsed->leaf->details.len, zero_random, signature);
  assert_hex (signature, 64, LEAF_SIGNATURE);

  /* Same chain bytes once the signatures are the vector's. */
  memcpy (parsed->leaf->signature.data, signature, 64);
  wa_crypto_sign_with_random (k.root.priv, parsed->intermediate->details.data,
                              parsed->intermediate->details.len, zero_random,
                              parsed->intermediate->signature.data);
  {
    g_autoptr(GBytes) repacked = pack (&parsed->base);

    g_assert_true (g_bytes_equal (repacked, chain));
  }
  wa_cert__cert_chain__free_unpacked (parsed, NULL);
}

static void
test_random_keys (void)
{
  g_autoptr(GBytes) chain = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  Keys k;

  wa_key_pair_generate (&k.root);
  wa_key_pair_generate (&k.intermediate);
  wa_key_pair_generate (&k.server);

  chain = wa_cert_build (k.root.priv, &k.intermediate, k.server.pub, 1234, 99, now - 60, now + 60);
  g_assert_true (wa_cert_verify (chain, k.root.pub, k.server.pub, now, &error));
  g_assert_no_error (error);
}

/* Each of the eight checks, in order, with its own message. */
static void
test_checks (void)
{
  g_autoptr(GBytes) good = xi_test_bytes_from_hex (CERT_CHAIN);
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) distinct = g_hash_table_new (g_str_hash, g_str_equal);
  guint8 short_key[31] = { 0 };
  Keys k;

  vector_keys (&k);

  /* Not a chain at all. */
  {
    g_autoptr(GBytes) garbage = g_bytes_new_static ("\x0a\x05xyz", 5);

    g_ptr_array_add (messages, refused (garbage, k.root.pub, k.server.pub, NOW, "does not parse"));
  }

  /* 1: parts missing, or a signature of the wrong size */
  {
    g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
    g_autoptr(GBytes) no_leaf = edited (good, drop_leaf);
    g_autoptr(GBytes) unsigned_middle = edited (good, drop_intermediate_signature);
    g_autoptr(GBytes) short_signature = edited (good, shorten_leaf_signature);

    g_ptr_array_add (messages, refused (empty, k.root.pub, k.server.pub, NOW,
                                        "intermediate certificate or its signature is missing"));
    g_ptr_array_add (messages, refused (no_leaf, k.root.pub, k.server.pub, NOW,
                                        "leaf certificate or its signature is missing"));
    g_free (refused (unsigned_middle, k.root.pub, k.server.pub, NOW,
                     "intermediate certificate or its signature is missing"));
    g_ptr_array_add (messages, refused (short_signature, k.root.pub, k.server.pub, NOW,
                                        "leaf certificate's signature is 63 bytes"));
  }

  /* 2: a root we do not trust, or a damaged intermediate signature */
  {
    g_autoptr(GBytes) damaged = edited (good, flip_intermediate_signature);

    g_ptr_array_add (messages, refused (good, k.other.pub, k.server.pub, NOW,
                                        "intermediate certificate is not signed by the trusted root"));
    g_free (refused (good, wa_cert_default_root_key (), k.server.pub, NOW,
                     "intermediate certificate is not signed by the trusted root"));
    g_free (refused (damaged, k.root.pub, k.server.pub, NOW,
                     "intermediate certificate is not signed by the trusted root"));
  }

  /* 3: intermediate not issued by the root, unparsable, or a short key */
  {
    WaCertDetails middle = { 7, 5, NOT_BEFORE, NOT_AFTER };
    WaCertDetails leaf = { 8, 7, NOT_BEFORE, NOT_AFTER };
    g_autoptr(GBytes) wrong_issuer = wa_cert_build_full (k.root.priv, &k.intermediate, k.server.pub,
                                                         &middle, &leaf);
    g_autoptr(GBytes) junk = g_bytes_new_static ("\xff\xff\xff", 3);
    g_autoptr(GBytes) leaf_details = details_with_key (8, 7, k.server.pub, 32);
    g_autoptr(GBytes) unparsable = chain_from (junk, k.root.priv, leaf_details, k.intermediate.priv);
    g_autoptr(GBytes) short_details = details_with_key (7, 0, short_key, sizeof short_key);
    g_autoptr(GBytes) short_middle = chain_from (short_details, k.root.priv, leaf_details, k.intermediate.priv);

    g_ptr_array_add (messages, refused (wrong_issuer, k.root.pub, k.server.pub, NOW,
                                        "intermediate certificate names issuer serial 5, but the root's is 0"));
    g_ptr_array_add (messages, refused (unparsable, k.root.pub, k.server.pub, NOW,
                                        "intermediate certificate's details do not parse"));
    g_ptr_array_add (messages, refused (short_middle, k.root.pub, k.server.pub, NOW,
                                        "intermediate certificate's key is 31 bytes"));
  }

  /* 4: the leaf is not signed by the intermediate */
  {
    g_autoptr(GBytes) damaged = edited (good, flip_leaf_signature);
    g_autoptr(GBytes) middle_details = details_with_key (7, 0, k.intermediate.pub, 32);
    g_autoptr(GBytes) leaf_details = details_with_key (8, 7, k.server.pub, 32);
    g_autoptr(GBytes) by_stranger = chain_from (middle_details, k.root.priv, leaf_details, k.other.priv);

    g_ptr_array_add (messages, refused (damaged, k.root.pub, k.server.pub, NOW,
                                        "leaf certificate is not signed by the intermediate"));
    g_free (refused (by_stranger, k.root.pub, k.server.pub, NOW,
                     "leaf certificate is not signed by the intermediate"));
  }

  /* 5: the intermediate is outside its window (the leaf's is fine) */
  {
    WaCertDetails expired = { 7, 0, NOW - 100, NOW - 1 };
    WaCertDetails future = { 7, 0, NOW + 1, NOW + 100 };
    WaCertDetails leaf = { 8, 7, NOT_BEFORE, NOT_AFTER };
    g_autoptr(GBytes) old = wa_cert_build_full (k.root.priv, &k.intermediate, k.server.pub, &expired, &leaf);
    g_autoptr(GBytes) early = wa_cert_build_full (k.root.priv, &k.intermediate, k.server.pub, &future, &leaf);

    g_ptr_array_add (messages, refused (old, k.root.pub, k.server.pub, NOW,
                                        "intermediate certificate has expired"));
    g_ptr_array_add (messages, refused (early, k.root.pub, k.server.pub, NOW,
                                        "intermediate certificate is not valid yet"));
    /* The vector's own window, from the outside. */
    g_free (refused (good, k.root.pub, k.server.pub, NOT_AFTER + 1, "intermediate certificate has expired"));
    g_free (refused (good, k.root.pub, k.server.pub, NOT_BEFORE - 1, "intermediate certificate is not valid yet"));
  }

  /* 6: the leaf names another issuer, or does not parse */
  {
    WaCertDetails middle = { 7, 0, NOT_BEFORE, NOT_AFTER };
    WaCertDetails leaf = { 8, 6, NOT_BEFORE, NOT_AFTER };
    g_autoptr(GBytes) wrong_issuer = wa_cert_build_full (k.root.priv, &k.intermediate, k.server.pub,
                                                         &middle, &leaf);
    g_autoptr(GBytes) middle_details = details_with_key (7, 0, k.intermediate.pub, 32);
    g_autoptr(GBytes) junk = g_bytes_new_static ("\xff\xff\xff", 3);
    g_autoptr(GBytes) unparsable = chain_from (middle_details, k.root.priv, junk, k.intermediate.priv);

    g_ptr_array_add (messages, refused (wrong_issuer, k.root.pub, k.server.pub, NOW,
                                        "leaf certificate names issuer serial 6, but the intermediate's serial is 7"));
    g_ptr_array_add (messages, refused (unparsable, k.root.pub, k.server.pub, NOW,
                                        "leaf certificate's details do not parse"));
  }

  /* 7: the leaf is for another key than the server used */
  g_ptr_array_add (messages, refused (good, k.root.pub, k.other.pub, NOW,
                                      "leaf certificate is for another key than the server's static key"));

  /* 8: the leaf is outside its window (the intermediate's is fine) */
  {
    WaCertDetails middle = { 7, 0, NOT_BEFORE, NOT_AFTER };
    WaCertDetails expired = { 8, 7, NOW - 100, NOW - 1 };
    WaCertDetails future = { 8, 7, NOW + 1, NOW + 100 };
    g_autoptr(GBytes) old = wa_cert_build_full (k.root.priv, &k.intermediate, k.server.pub, &middle, &expired);
    g_autoptr(GBytes) early = wa_cert_build_full (k.root.priv, &k.intermediate, k.server.pub, &middle, &future);

    g_ptr_array_add (messages, refused (old, k.root.pub, k.server.pub, NOW, "leaf certificate has expired"));
    g_ptr_array_add (messages, refused (early, k.root.pub, k.server.pub, NOW, "leaf certificate is not valid yet"));
  }

  /* Every failure reads differently. */
  for (guint i = 0; i < messages->len; i++)
    g_assert_true (g_hash_table_add (distinct, messages->pdata[i]));
  g_assert_cmpuint (g_hash_table_size (distinct), ==, 16);
}

/* When several checks would fail, the first one in §2.4's order wins. */
static void
test_order (void)
{
  WaCertDetails expired_middle = { 7, 0, NOW - 100, NOW - 1 };
  WaCertDetails expired_leaf = { 8, 6, NOW - 100, NOW - 1 };
  g_autoptr(GBytes) chain = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *d = NULL;
  Keys k;

  vector_keys (&k);
  /* Wrong leaf issuer, expired both, and the wrong server key below. */
  chain = wa_cert_build_full (k.root.priv, &k.intermediate, k.server.pub, &expired_middle, &expired_leaf);

  a = refused (chain, k.other.pub, k.other.pub, NOW, "not signed by the trusted root");
  b = refused (chain, k.root.pub, k.other.pub, NOW, "intermediate certificate has expired");
  c = refused (chain, k.root.pub, k.other.pub, NOW - 50, "leaf certificate names issuer serial 6");
  {
    WaCertDetails middle = { 7, 0, NOW - 100, NOW + 100 };
    WaCertDetails leaf = { 8, 7, NOW - 100, NOW - 1 };
    g_autoptr(GBytes) wrong_key = wa_cert_build_full (k.root.priv, &k.intermediate, k.server.pub,
                                                      &middle, &leaf);

    d = refused (wrong_key, k.root.pub, k.other.pub, NOW, "another key than the server's static key");
  }
}

static void
test_default_root (void)
{
  assert_hex (wa_cert_default_root_key (), 32,
              "142375574d0a587166aae71ebe516437c4a28b73e3695c6ce1f7f9545da8ee6b");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);

  if (!wa_crypto_init (&error))
    g_error ("%s", error->message);

  g_test_add_func ("/wa/cert/a2-vector", test_vector);
  g_test_add_func ("/wa/cert/random-keys", test_random_keys);
  g_test_add_func ("/wa/cert/checks", test_checks);
  g_test_add_func ("/wa/cert/order", test_order);
  g_test_add_func ("/wa/cert/default-root", test_default_root);

  return g_test_run ();
}
