/* test-wa-pairing.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wa-adv.pb-c.h"
#include "wa-error.h"
#include "wa-pairing-private.h"
#include "xi-test-utils.h"

/* pair-success against the vectors of the protocol notes, Appendix A.3:
 * accepted when genuine, refused when the HMAC or the account signature
 * is wrong, and countersigned byte for byte as the notes say. */

#define ADV_SECRET "20350f7f317b020f23bc17421d94c7c6660c452f14bd67004ec5b0cbfd12941a"
#define COMPANION_PRIV "688da101651017967aff1d887eae39b8d403f739830f35dd8423bb470683095b"
#define ACCOUNT_KEY "6aa526f3bab59120df91afd4c62d1bbc3f624ce0835cb7e3d39ee2d76d128247"
#define DETAILS "08959aef3a1080e2cfaa06180120002800"
#define ACCOUNT_SIGNATURE "12a9a6438d4bd67753560a7d40fe0ad8e604a8f13925f6e4aed42b79ea0b49b1" \
                          "18dd06fbae72c5935594552c498555b2db05c756e3220792c076aea65148f80d"
#define DEVICE_IDENTITY "0a770a1108959aef3a1080e2cfaa0618012000280012206aa526f3bab59120df91afd4c62d1bbc" \
                        "3f624ce0835cb7e3d39ee2d76d1282471a4012a9a6438d4bd67753560a7d40fe0ad8e604a8f139" \
                        "25f6e4aed42b79ea0b49b118dd06fbae72c5935594552c498555b2db05c756e3220792c076aea6" \
                        "5148f80d122057e368e601719f1c0c8bb242e64e077c579ef530117326006df06cae695c3a0f1800"
#define DEVICE_SIGNATURE "ad11d502c959924a9b29254be391c72002c560faebfc9d55874af9317c000dde" \
                         "bece563135872c463cc81ed83a202b95c04e27998074cf091ca66ce39bb8180f"

static WaCredentials *
companion (void)
{
  WaCredentials *self = wa_credentials_generate ();
  g_autoptr(GBytes) priv = xi_test_bytes_from_hex (COMPANION_PRIV);
  g_autoptr(GBytes) adv = xi_test_bytes_from_hex (ADV_SECRET);

  wa_key_pair_from_private (&self->identity_key, g_bytes_get_data (priv, NULL));
  memcpy (self->adv_secret, g_bytes_get_data (adv, NULL), WA_KEY_LEN);
  return self;
}

static void
test_genuine (void)
{
  g_autoptr(WaCredentials) credentials = companion ();
  g_autoptr(GBytes) content = xi_test_bytes_from_hex (DEVICE_IDENTITY);
  g_autoptr(WaPairing) pairing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key_hex = NULL;
  g_autofree char *signature_hex = NULL;
  g_autofree char *details_hex = NULL;
  g_autofree char *account_signature_hex = NULL;
  const guint8 zeros[64] = { 0 };
  WaAdv__ADVSignedDeviceIdentity *account, *reply;
  gsize len;
  const guint8 *data;

  pairing = _wa_pairing_verify_with_random (credentials, content, zeros, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pairing);
  g_assert_cmpuint (pairing->key_index, ==, 1);
  key_hex = xi_test_hex (pairing->primary_identity, WA_KEY_LEN);
  g_assert_cmpstr (key_hex, ==, ACCOUNT_KEY);

  /* What we store: the phone's identity with our signature added. */
  data = g_bytes_get_data (pairing->account, &len);
  account = wa_adv__advsigned_device_identity__unpack (NULL, len, data);
  g_assert_nonnull (account);
  g_assert_true (account->has_account_signature_key);
  details_hex = xi_test_hex (account->details.data, account->details.len);
  g_assert_cmpstr (details_hex, ==, DETAILS);
  account_signature_hex = xi_test_hex (account->account_signature.data, account->account_signature.len);
  g_assert_cmpstr (account_signature_hex, ==, ACCOUNT_SIGNATURE);
  signature_hex = xi_test_hex (account->device_signature.data, account->device_signature.len);
  g_assert_cmpstr (signature_hex, ==, DEVICE_SIGNATURE);
  wa_adv__advsigned_device_identity__free_unpacked (account, NULL);

  /* What we answer: the same without the account signature key. */
  data = g_bytes_get_data (pairing->reply, &len);
  reply = wa_adv__advsigned_device_identity__unpack (NULL, len, data);
  g_assert_nonnull (reply);
  g_assert_false (reply->has_account_signature_key);
  g_assert_true (reply->has_device_signature && reply->has_account_signature && reply->has_details);
  wa_adv__advsigned_device_identity__free_unpacked (reply, NULL);

  /* With fresh randomness the signature differs but still verifies. */
  g_clear_pointer (&pairing, wa_pairing_free);
  pairing = wa_pairing_verify (credentials, content, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (pairing->account, &len);
  account = wa_adv__advsigned_device_identity__unpack (NULL, len, data);
  {
    g_autoptr(GByteArray) message = g_byte_array_new ();

    g_byte_array_append (message, (const guint8 *)"\x06\x01", 2);
    g_byte_array_append (message, account->details.data, account->details.len);
    g_byte_array_append (message, credentials->identity_key.pub, WA_KEY_LEN);
    g_byte_array_append (message, pairing->primary_identity, WA_KEY_LEN);
    g_assert_true (wa_crypto_verify (credentials->identity_key.pub, message->data, message->len,
                                     account->device_signature.data));
  }
  wa_adv__advsigned_device_identity__free_unpacked (account, NULL);
}

static void
assert_refused (WaCredentials *credentials,
                GBytes        *content,
                guint          expected_code,
                const char    *expected_text)
{
  g_autoptr(WaPairing) pairing = NULL;
  g_autoptr(GError) error = NULL;
  const char *text;
  guint code;

  pairing = wa_pairing_verify (credentials, content, &error);
  g_assert_null (pairing);
  g_assert_nonnull (error);
  wa_pairing_error_reply (error, &code, &text);
  g_assert_cmpuint (code, ==, expected_code);
  g_assert_cmpstr (text, ==, expected_text);
}

static void
test_refused (void)
{
  g_autoptr(WaCredentials) credentials = companion ();
  g_autoptr(WaCredentials) stranger = wa_credentials_generate ();
  g_autoptr(GBytes) content = xi_test_bytes_from_hex (DEVICE_IDENTITY);
  g_autoptr(GBytes) garbage = g_bytes_new ("\x0a\xff\x01", 3);
  g_autoptr(GBytes) altered = NULL;
  guint8 *copy;
  gsize len;

  /* Another companion's ADV secret: not the QR this phone scanned. */
  memcpy (stranger->identity_key.priv, credentials->identity_key.priv, WA_KEY_LEN);
  memcpy (stranger->identity_key.pub, credentials->identity_key.pub, WA_KEY_LEN);
  assert_refused (stranger, content, 401, "hmac-mismatch");

  /* The right secret but another identity key: the phone did not vouch
   * for it. */
  memcpy (stranger->adv_secret, credentials->adv_secret, WA_KEY_LEN);
  wa_key_pair_generate (&stranger->identity_key);
  assert_refused (stranger, content, 401, "signature-mismatch");

  /* A changed byte inside the details breaks the HMAC. */
  g_bytes_get_data (content, &len);
  copy = g_memdup2 (g_bytes_get_data (content, NULL), len);
  copy[10] ^= 1;
  altered = g_bytes_new_take (copy, len);
  assert_refused (credentials, altered, 401, "hmac-mismatch");

  assert_refused (credentials, garbage, 500, "internal-error");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (wa_crypto_init (&error));

  g_test_add_func ("/wa/pairing/genuine", test_genuine);
  g_test_add_func ("/wa/pairing/refused", test_refused);

  return g_test_run ();
}
