/* test-wa-crypto.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "wa-crypto.h"
#include "wa-error.h"
#include "xi-test-utils.h"

static char *
hex (const guint8 *data,
     gsize         len)
{
  return xi_test_hex (data, len);
}

/* RFC 5869, test cases 1 and 3. */
static void
test_hkdf_rfc5869 (void)
{
  guint8 ikm[22];
  guint8 salt[13];
  guint8 info[10];
  guint8 okm[42];
  g_autofree char *one = NULL;
  g_autofree char *three = NULL;

  memset (ikm, 0x0b, sizeof ikm);
  for (guint i = 0; i < sizeof salt; i++)
    salt[i] = i;
  for (guint i = 0; i < sizeof info; i++)
    info[i] = 0xf0 + i;

  wa_crypto_hkdf_sha256 (salt, sizeof salt, ikm, sizeof ikm, info, sizeof info, okm, sizeof okm);
  one = hex (okm, sizeof okm);
  g_assert_cmpstr (one, ==, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");

  wa_crypto_hkdf_sha256 (NULL, 0, ikm, sizeof ikm, NULL, 0, okm, sizeof okm);
  three = hex (okm, sizeof okm);
  g_assert_cmpstr (three, ==, "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

/* WA-PROTOCOL.md Appendix A.4: the media keys of an image. */
static void
test_media_keys (void)
{
  g_autoptr(GBytes) media_key = xi_test_bytes_from_hex ("3c94388cc2e9dccf711e0ccf211206ad8eb19c9d9818a0dd8cc3e5caf4fa1bb0");
  const char *info = "WhatsApp Image Keys";
  guint8 expanded[112];
  g_autofree char *iv = NULL;
  g_autofree char *cipher_key = NULL;
  g_autofree char *mac_key = NULL;
  g_autofree char *ref_key = NULL;
  guint8 digest[32];
  g_autofree char *sha = NULL;

  wa_crypto_hkdf_sha256 (NULL, 0, g_bytes_get_data (media_key, NULL), 32,
                         (const guint8 *)info, strlen (info), expanded, sizeof expanded);
  iv = hex (expanded, 16);
  cipher_key = hex (expanded + 16, 32);
  mac_key = hex (expanded + 48, 32);
  ref_key = hex (expanded + 80, 32);
  g_assert_cmpstr (iv, ==, "f8f09297cff729230ba14252d4e52bde");
  g_assert_cmpstr (cipher_key, ==, "a5ecff78b44fb58bf869db60a0f77e55e0f4f53db0f4204a309ce537700d26b6");
  g_assert_cmpstr (mac_key, ==, "c07a73350568e1360d38e8a8c04fcbb1b60290320f0407ff3083c5e985f827c0");
  g_assert_cmpstr (ref_key, ==, "3a094244fb860272e060085f09f91b973cbe1757c3f1e9e13d3b8106fd2a2f87");

  wa_crypto_sha256 ((const guint8 *)"hello whatsapp media", 20, digest);
  sha = hex (digest, 32);
  g_assert_cmpstr (sha, ==, "5f478949945acb950dc5264ab9f5e8d4d8cf02599b1fe0c30d4f8780543beb00");
}

/* WA-PROTOCOL.md Appendix A.3: the pairing proofs. */
static void
test_adv_pairing (void)
{
  g_autoptr(GBytes) adv_secret = xi_test_bytes_from_hex ("20350f7f317b020f23bc17421d94c7c6660c452f14bd67004ec5b0cbfd12941a");
  g_autoptr(GBytes) account_key = xi_test_bytes_from_hex ("6aa526f3bab59120df91afd4c62d1bbc3f624ce0835cb7e3d39ee2d76d128247");
  g_autoptr(GBytes) companion_pub = xi_test_bytes_from_hex ("b7274a46ba1f46f7a9e33a234a25a3042ce9851d709e3d2be583a9b68d3a8c17");
  g_autoptr(GBytes) companion_priv = xi_test_bytes_from_hex ("688da101651017967aff1d887eae39b8d403f739830f35dd8423bb470683095b");
  g_autoptr(GBytes) details = xi_test_bytes_from_hex ("08959aef3a1080e2cfaa06180120002800");
  g_autoptr(GBytes) signed_identity = xi_test_bytes_from_hex (
    "0a1108959aef3a1080e2cfaa0618012000280012206aa526f3bab59120df91afd4c62d1bbc3f624ce0835cb7e3d39ee2d76d12"
    "82471a4012a9a6438d4bd67753560a7d40fe0ad8e604a8f13925f6e4aed42b79ea0b49b118dd06fbae72c5935594552c4985"
    "55b2db05c756e3220792c076aea65148f80d");
  g_autoptr(GBytes) account_signature = xi_test_bytes_from_hex (
    "12a9a6438d4bd67753560a7d40fe0ad8e604a8f13925f6e4aed42b79ea0b49b118dd06fbae72c5935594552c498555b2db05"
    "c756e3220792c076aea65148f80d");
  g_autoptr(GBytes) device_signature = xi_test_bytes_from_hex (
    "ad11d502c959924a9b29254be391c72002c560faebfc9d55874af9317c000ddebece563135872c463cc81ed83a202b95c04e"
    "27998074cf091ca66ce39bb8180f");
  g_autoptr(GByteArray) account_message = g_byte_array_new ();
  g_autoptr(GByteArray) device_message = g_byte_array_new ();
  guint8 mac[32];
  g_autofree char *mac_hex = NULL;
  guint8 own_signature[64];
  WaKeyPair companion;

  wa_crypto_hmac_sha256 (g_bytes_get_data (adv_secret, NULL), 32, g_bytes_get_data (signed_identity, NULL),
                         g_bytes_get_size (signed_identity), mac);
  mac_hex = hex (mac, 32);
  g_assert_cmpstr (mac_hex, ==, "57e368e601719f1c0c8bb242e64e077c579ef530117326006df06cae695c3a0f");

  g_byte_array_append (account_message, (const guint8 *)"\x06\x00", 2);
  g_byte_array_append (account_message, g_bytes_get_data (details, NULL), g_bytes_get_size (details));
  g_byte_array_append (account_message, g_bytes_get_data (companion_pub, NULL), 32);
  g_assert_true (wa_crypto_verify (g_bytes_get_data (account_key, NULL), account_message->data,
                                   account_message->len, g_bytes_get_data (account_signature, NULL)));

  g_byte_array_append (device_message, (const guint8 *)"\x06\x01", 2);
  g_byte_array_append (device_message, g_bytes_get_data (details, NULL), g_bytes_get_size (details));
  g_byte_array_append (device_message, g_bytes_get_data (companion_pub, NULL), 32);
  g_byte_array_append (device_message, g_bytes_get_data (account_key, NULL), 32);
  g_assert_true (wa_crypto_verify (g_bytes_get_data (companion_pub, NULL), device_message->data,
                                   device_message->len, g_bytes_get_data (device_signature, NULL)));

  /* Our own signature verifies; a changed message does not. */
  wa_key_pair_from_private (&companion, g_bytes_get_data (companion_priv, NULL));
  g_assert_cmpmem (companion.pub, 32, g_bytes_get_data (companion_pub, NULL), 32);
  wa_crypto_sign (companion.priv, device_message->data, device_message->len, own_signature);
  g_assert_true (wa_crypto_verify (companion.pub, device_message->data, device_message->len, own_signature));
  device_message->data[3] ^= 0x01;
  g_assert_false (wa_crypto_verify (companion.pub, device_message->data, device_message->len, own_signature));
}

static void
test_gcm_and_x25519 (void)
{
  guint8 key[32], iv[12] = { 0 }, shared_a[32], shared_b[32];
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) opened = NULL;
  g_autoptr(GBytes) refused = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *damaged = NULL;
  WaKeyPair a, b;

  wa_crypto_random (key, sizeof key);
  sealed = wa_crypto_aes_gcm_seal (key, iv, (const guint8 *)"aad", 3, (const guint8 *)"secret", 6);
  g_assert_cmpuint (g_bytes_get_size (sealed), ==, 6 + 16);
  opened = wa_crypto_aes_gcm_open (key, iv, (const guint8 *)"aad", 3, g_bytes_get_data (sealed, NULL),
                                   g_bytes_get_size (sealed), &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (opened, NULL), 6, "secret", 6);

  refused = wa_crypto_aes_gcm_open (key, iv, (const guint8 *)"AAD", 3, g_bytes_get_data (sealed, NULL),
                                    g_bytes_get_size (sealed), &error);
  g_assert_null (refused);
  g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
  g_clear_error (&error);

  damaged = g_memdup2 (g_bytes_get_data (sealed, NULL), 4);
  g_assert_null (wa_crypto_aes_gcm_open (key, iv, NULL, 0, damaged, 4, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
  g_clear_error (&error);

  wa_key_pair_generate (&a);
  wa_key_pair_generate (&b);
  g_assert_true (wa_crypto_x25519 (a.priv, b.pub, shared_a, NULL));
  g_assert_true (wa_crypto_x25519 (b.priv, a.pub, shared_b, NULL));
  g_assert_cmpmem (shared_a, 32, shared_b, 32);
  g_assert_cmpint (a.priv[0] & 7, ==, 0);
  g_assert_cmpint (a.priv[31] & 0xc0, ==, 0x40);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);

  if (!wa_crypto_init (&error))
    {
      g_printerr ("%s\n", error->message);
      return 77;
    }

  g_test_add_func ("/wa/crypto/hkdf-rfc5869", test_hkdf_rfc5869);
  g_test_add_func ("/wa/crypto/media-keys", test_media_keys);
  g_test_add_func ("/wa/crypto/adv-pairing", test_adv_pairing);
  g_test_add_func ("/wa/crypto/gcm-and-x25519", test_gcm_and_x25519);

  return g_test_run ();
}
