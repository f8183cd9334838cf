/* test-wa-credentials.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wa-credentials.h"
#include "wa-error.h"
#include "xi-test-utils.h"

/* Device credentials: made once, signed right, stored and found again,
 * damage detected, and the QR text of the protocol notes (§3.3, §5.2). */

static void
test_generate (void)
{
  g_autoptr(WaCredentials) a = wa_credentials_generate ();
  g_autoptr(WaCredentials) b = wa_credentials_generate ();

  g_assert_true (wa_credentials_check (a));
  g_assert_cmpuint (a->registration_id, >, 0);
  g_assert_cmpuint (a->registration_id, <=, 16383);
  /* Clamped, as the signature code needs. */
  g_assert_cmpuint (a->identity_key.priv[0] & 7, ==, 0);
  g_assert_cmpuint (a->identity_key.priv[31] & 0xc0, ==, 0x40);
  g_assert_false (memcmp (a->noise_key.pub, b->noise_key.pub, WA_KEY_LEN) == 0);
  g_assert_false (memcmp (a->noise_key.pub, a->identity_key.pub, WA_KEY_LEN) == 0);
  g_assert_false (memcmp (a->adv_secret, b->adv_secret, WA_KEY_LEN) == 0);

  /* The signature covers 0x05 || public key: change either and it fails. */
  a->signed_pre_key_signature[5] ^= 1;
  g_assert_false (wa_credentials_check (a));
  a->signed_pre_key_signature[5] ^= 1;
  a->signed_pre_key.pub[0] ^= 1;
  g_assert_false (wa_credentials_check (a));
}

static void
assert_same (const WaCredentials *a,
             const WaCredentials *b)
{
  g_assert_cmpmem (a->noise_key.priv, WA_KEY_LEN, b->noise_key.priv, WA_KEY_LEN);
  g_assert_cmpmem (a->noise_key.pub, WA_KEY_LEN, b->noise_key.pub, WA_KEY_LEN);
  g_assert_cmpmem (a->identity_key.pub, WA_KEY_LEN, b->identity_key.pub, WA_KEY_LEN);
  g_assert_cmpmem (a->signed_pre_key.pub, WA_KEY_LEN, b->signed_pre_key.pub, WA_KEY_LEN);
  g_assert_cmpmem (a->signed_pre_key_signature, WA_SIGNATURE_LEN,
                   b->signed_pre_key_signature, WA_SIGNATURE_LEN);
  g_assert_cmpuint (a->registration_id, ==, b->registration_id);
  g_assert_cmpmem (a->adv_secret, WA_KEY_LEN, b->adv_secret, WA_KEY_LEN);
  g_assert_cmpuint (a->signed_pre_key_id, ==, b->signed_pre_key_id);
  g_assert_cmpint (a->signed_pre_key_time, ==, b->signed_pre_key_time);
}

static void
test_store_round_trip (void)
{
  g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
  g_autoptr(WaCredentials) made = NULL;
  g_autoptr(WaCredentials) again = NULL;
  g_autoptr(WaCredentials) loaded = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;

  /* Nothing stored is not an error. */
  g_assert_null (wa_credentials_load (store, &error));
  g_assert_no_error (error);

  made = wa_credentials_load_or_create (store, &created, &error);
  g_assert_no_error (error);
  g_assert_true (created);
  again = wa_credentials_load_or_create (store, &created, &error);
  g_assert_no_error (error);
  g_assert_false (created);
  assert_same (made, again);

  loaded = wa_credentials_load (store, &error);
  g_assert_no_error (error);
  assert_same (made, loaded);

  /* Five keys, and the signed prekey's id and age. */
  keys = wa_key_store_list (store, "device");
  g_assert_cmpuint (keys->len, ==, 7);
}

static void
test_damage (void)
{
  g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
  g_autoptr(WaCredentials) made = wa_credentials_generate ();
  g_autoptr(WaCredentials) loaded = NULL;
  g_autoptr(GBytes) short_value = g_bytes_new ("abc", 3);
  g_autoptr(GBytes) other_identity = NULL;
  g_autoptr(GError) error = NULL;
  gboolean created = TRUE;

  /* A missing entry: the device must be linked again, not silently
   * replaced by a new identity. */
  wa_credentials_save (made, store);
  wa_key_store_remove (store, "device", "adv-secret");
  loaded = wa_credentials_load_or_create (store, &created, &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_assert_null (loaded);
  g_assert_false (created);
  g_clear_error (&error);

  /* A value of the wrong size. */
  wa_credentials_save (made, store);
  wa_key_store_save (store, "device", "identity", short_value);
  g_assert_null (wa_credentials_load (store, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_clear_error (&error);

  /* Keys that no longer match their signature. */
  wa_credentials_save (made, store);
  made->identity_key.priv[3] ^= 0x10;
  other_identity = g_bytes_new (made->identity_key.priv, WA_KEY_LEN);
  wa_key_store_save (store, "device", "identity", other_identity);
  g_assert_null (wa_credentials_load (store, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_clear_error (&error);

  /* Cleared on unlink: like new. */
  wa_key_store_clear (store);
  g_assert_null (wa_credentials_load (store, &error));
  g_assert_no_error (error);
}

static void
test_qr_data (void)
{
  g_autoptr(WaCredentials) self = wa_credentials_generate ();
  g_autoptr(GBytes) identity = xi_test_bytes_from_hex ("688da101651017967aff1d887eae39b8d403f739830f35dd8423bb470683095b");
  g_autoptr(GBytes) adv = xi_test_bytes_from_hex ("20350f7f317b020f23bc17421d94c7c6660c452f14bd67004ec5b0cbfd12941a");
  g_autofree char *qr = NULL;
  g_autofree char *identity_b64 = NULL;
  g_autofree char *noise_b64 = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *pub_hex = NULL;

  /* The companion identity of the notes' Appendix A.3. */
  wa_key_pair_from_private (&self->identity_key, g_bytes_get_data (identity, NULL));
  pub_hex = xi_test_hex (self->identity_key.pub, WA_KEY_LEN);
  g_assert_cmpstr (pub_hex, ==, "b7274a46ba1f46f7a9e33a234a25a3042ce9851d709e3d2be583a9b68d3a8c17");
  memcpy (self->adv_secret, g_bytes_get_data (adv, NULL), WA_KEY_LEN);

  qr = wa_credentials_qr_data (self, "2@ref+/AB==", '9');
  identity_b64 = g_base64_encode (self->identity_key.pub, WA_KEY_LEN);
  noise_b64 = g_base64_encode (self->noise_key.pub, WA_KEY_LEN);
  expected = g_strdup_printf ("https://wa.me/settings/linked_devices#2@ref+/AB==,%s,%s,"
                              "IDUPfzF7Ag8jvBdCHZTHxmYMRS8UvWcATsWwy/0SlBo=,9",
                              noise_b64, identity_b64);
  g_assert_cmpstr (qr, ==, expected);
  g_assert_true (g_str_has_suffix (identity_b64, "="));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (wa_crypto_init (&error));

  g_test_add_func ("/wa/credentials/generate", test_generate);
  g_test_add_func ("/wa/credentials/store-round-trip", test_store_round_trip);
  g_test_add_func ("/wa/credentials/damage", test_damage);
  g_test_add_func ("/wa/credentials/qr-data", test_qr_data);

  return g_test_run ();
}
