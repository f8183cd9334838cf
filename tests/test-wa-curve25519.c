/* test-wa-curve25519.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <dlfcn.h>
#include <string.h>
#include <sodium.h>
#include <signal/curve.h>
#include <signal/signal_protocol.h>

#include "wa-curve25519.h"
#include "wa-signal-provider.h"
#include "xi-test-utils.h"

/* libsignal-protocol-c's X25519 and its Ed25519 check go through
 * wa-curve25519.c; these tests hold them to the library's own
 * curve25519-donna and ref10 check, which dlsym() on the library's handle
 * still finds, to RFC 7748, and to signatures libsignal makes. */

#define ROUNDS 2000

typedef int (*DonnaFunc) (guint8 *out, const guint8 *secret, const guint8 *point);
typedef int (*OpenFunc) (guint8 *m, const guint8 *sm, unsigned long long smlen, const guint8 *pk);

/* The library's own definition of @name, not ours. */
static gpointer
library_function (const char *name)
{
  void *library = dlopen ("libsignal-protocol-c.so.2.3.3", RTLD_NOW | RTLD_NOLOAD);
  gpointer function;

  g_assert_nonnull (library);
  /* A handle's lookup starts in that object. */
  function = dlsym (library, name);
  g_assert_nonnull (function);
  dlclose (library);
  return function;
}

static DonnaFunc
library_donna (void)
{
  return (DonnaFunc) library_function ("curve25519_donna");
}

static OpenFunc
library_open (void)
{
  return (OpenFunc) library_function ("crypto_sign_open_modified");
}

static void
test_backend (void)
{
  g_assert_cmpstr (wa_curve25519_backend (), ==, "libsodium");
}

/* RFC 7748 §6.1: Alice's and Bob's keys and their shared secret. The RFC
 * clamps inside X25519 and libsignal at key generation, so Alice's key is
 * handed over clamped, as every key of ours is. */
static void
test_rfc7748 (void)
{
  g_autoptr(GBytes) alice = xi_test_bytes_from_hex ("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  g_autoptr(GBytes) bob_public = xi_test_bytes_from_hex ("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  ec_private_key *private_key = NULL;
  ec_public_key *public_key = NULL;
  ec_public_key *alice_public = NULL;
  g_autofree guint8 *shared = NULL;
  g_autofree char *hex = NULL;
  signal_buffer *serialized = NULL;
  guint8 point[33] = { 0x05 };
  guint8 secret[32];

  memcpy (point + 1, g_bytes_get_data (bob_public, NULL), 32);
  memcpy (secret, g_bytes_get_data (alice, NULL), 32);
  secret[0] &= 248;
  secret[31] &= 127;
  secret[31] |= 64;
  g_assert_cmpint (curve_decode_private_point (&private_key, secret, sizeof secret, NULL), ==, 0);
  g_assert_cmpint (curve_decode_point (&public_key, point, sizeof point, NULL), ==, 0);
  g_assert_cmpint (curve_calculate_agreement (&shared, public_key, private_key), ==, 32);
  hex = xi_test_hex (shared, 32);
  g_assert_cmpstr (hex, ==, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

  g_assert_cmpint (curve_generate_public_key (&alice_public, private_key), ==, 0);
  g_assert_cmpint (ec_public_key_serialize (&serialized, alice_public), ==, 0);
  g_clear_pointer (&hex, g_free);
  hex = xi_test_hex (signal_buffer_data (serialized) + 1, 32);
  g_assert_cmpstr (hex, ==, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");

  signal_buffer_free (serialized);
  SIGNAL_UNREF (alice_public);
  SIGNAL_UNREF (public_key);
  SIGNAL_UNREF (private_key);
}

/* Random scalars, clamped as every key of ours is, or not at all, and
 * random u-coordinates, the top bit and values above the prime
 * included: both must give the same bytes. */
static void
test_same_as_donna (void)
{
  DonnaFunc donna = library_donna ();
  static const guint8 basepoint[32] = { 9 };

  for (guint i = 0; i < ROUNDS; i++)
    {
      guint8 secret[32], point[32], ours[32], theirs[32];
      int result;

      randombytes_buf (secret, sizeof secret);
      if (i % 8 != 0)
        {
          secret[0] &= 248;
          secret[31] &= 127;
          secret[31] |= 64;
        }
      randombytes_buf (point, sizeof point);
      if (i % 4 == 0)
        memset (point + 1, 0xff, sizeof point - 1);   /* near or above 2^255 - 19 */

      g_assert_cmpint (donna (theirs, secret, basepoint), ==, 0);
      g_assert_cmpint (curve25519_donna (ours, secret, basepoint), ==, 0);
      g_assert_cmpmem (ours, sizeof ours, theirs, sizeof theirs);

      g_assert_cmpint (donna (theirs, secret, point), ==, 0);
      result = curve25519_donna (ours, secret, point);
      if (sodium_is_zero (theirs, sizeof theirs))
        g_assert_cmpint (result, !=, 0);
      else
        {
          g_assert_cmpint (result, ==, 0);
          g_assert_cmpmem (ours, sizeof ours, theirs, sizeof theirs);
        }
    }
}

/* A peer's point of small order makes the shared secret zero whatever
 * our key: the agreement is refused instead of used. */
static void
test_low_order_point_refused (void)
{
  ec_private_key *private_key = NULL;
  ec_public_key *public_key = NULL;
  guint8 *shared = NULL;
  guint8 secret[32];
  guint8 point[33] = { 0x05, 0x00 };   /* u = 0 */

  randombytes_buf (secret, sizeof secret);
  g_assert_cmpint (curve_decode_private_point (&private_key, secret, sizeof secret, NULL), ==, 0);
  g_assert_cmpint (curve_decode_point (&public_key, point, sizeof point, NULL), ==, 0);
  g_assert_cmpint (curve_calculate_agreement (&shared, public_key, private_key), <, 0);
  g_assert_null (shared);

  SIGNAL_UNREF (public_key);
  SIGNAL_UNREF (private_key);
}

static void
test_verify_backend (void)
{
  g_assert_cmpstr (wa_curve25519_verify_backend (), ==, "libsodium");
}

/* Both checks over Ed25519 signatures libsodium made, of random lengths,
 * as they are and with one bit flipped anywhere in signature or message,
 * and over random bytes: the same verdict every time. */
static void
test_verify_same_as_ref10 (void)
{
  OpenFunc ref10 = library_open ();

  for (guint i = 0; i < ROUNDS; i++)
    {
      guint8 pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
      gsize length = crypto_sign_BYTES + randombytes_uniform (200);
      g_autofree guint8 *sm = g_malloc (length);
      g_autofree guint8 *scratch = g_malloc (length);
      int expected;

      crypto_sign_keypair (pk, sk);
      randombytes_buf (sm + crypto_sign_BYTES, length - crypto_sign_BYTES);
      crypto_sign_detached (sm, NULL, sm + crypto_sign_BYTES, length - crypto_sign_BYTES, sk);
      if (i % 3 == 1)
        {
          guint bit = randombytes_uniform (length * 8);

          sm[bit / 8] ^= 1 << (bit % 8);
        }
      else if (i % 3 == 2)
        {
          randombytes_buf (pk, sizeof pk);
          randombytes_buf (sm, crypto_sign_BYTES);
          sm[63] &= 0x1f;   /* past ref10's own range check on S */
        }

      expected = ref10 (scratch, sm, length, pk);
      g_assert_cmpint (crypto_sign_open_modified (scratch, sm, length, pk), ==, expected);
      g_assert_cmpint (expected, ==, i % 3 == 0 ? 0 : -1);
    }
  g_assert_cmpint (crypto_sign_open_modified (NULL, (const guint8 *) "short", 5, (const guint8 *) "key"), ==, -1);
}

static signal_context *
new_context (void)
{
  signal_context *context = NULL;

  g_assert_cmpint (signal_context_create (&context, NULL), ==, 0);
  g_assert_cmpint (signal_context_set_crypto_provider (context, wa_signal_crypto_provider ()), ==, 0);
  return context;
}

/* Signatures libsignal makes (XEdDSA over Montgomery keys, as on every
 * signed prekey) pass curve_verify_signature(), and fail it once altered. */
static void
test_verify_libsignal_signatures (void)
{
  signal_context *context = new_context ();

  for (guint i = 0; i < 200; i++)
    {
      ec_key_pair *pair = NULL;
      signal_buffer *signature = NULL;
      guint8 message[33];
      guint8 forged[crypto_sign_BYTES];

      randombytes_buf (message, sizeof message);
      g_assert_cmpint (curve_generate_key_pair (context, &pair), ==, 0);
      g_assert_cmpint (curve_calculate_signature (context, &signature, ec_key_pair_get_private (pair), message,
                                                  sizeof message), ==, 0);
      g_assert_cmpint (curve_verify_signature (ec_key_pair_get_public (pair), message, sizeof message,
                                               signal_buffer_data (signature), signal_buffer_len (signature)), ==, 1);

      memcpy (forged, signal_buffer_data (signature), sizeof forged);
      forged[i % sizeof forged] ^= 1 << (i % 8);
      g_assert_cmpint (curve_verify_signature (ec_key_pair_get_public (pair), message, sizeof message, forged,
                                               sizeof forged), ==, 0);
      message[i % sizeof message] ^= 1;
      g_assert_cmpint (curve_verify_signature (ec_key_pair_get_public (pair), message, sizeof message,
                                               signal_buffer_data (signature), signal_buffer_len (signature)), ==, 0);

      signal_buffer_free (signature);
      SIGNAL_UNREF (pair);
    }
  signal_context_destroy (context);
}

/* A key of small order: the Montgomery u = 0 becomes the Edwards point
 * of order two, under which ref10 takes R = the neutral point, S = 0 as
 * a signature of every message whose hash is even. Nothing of ours
 * takes it, neither the check nor curve_verify_signature(). */
static void
test_verify_low_order_key_refused (void)
{
  OpenFunc ref10 = library_open ();
  static const guint8 montgomery[1 + crypto_scalarmult_curve25519_BYTES] = { 0x05, 0 };
  guint8 edwards[crypto_sign_PUBLICKEYBYTES];
  ec_public_key *public_key = NULL;
  guint ref10_accepted = 0;

  /* y = -1, the Edwards image of u = 0. */
  memset (edwards, 0xff, sizeof edwards);
  edwards[0] = 0xec;
  edwards[31] = 0x7f;
  g_assert_cmpint (curve_decode_point (&public_key, montgomery, sizeof montgomery, NULL), ==, 0);

  for (guint i = 0; i < 64; i++)
    {
      guint8 sm[crypto_sign_BYTES + 32] = { 1 };   /* R = (0, 1), S = 0 */
      guint8 scratch[sizeof sm];

      randombytes_buf (sm + crypto_sign_BYTES, 32);
      if (ref10 (scratch, sm, sizeof sm, edwards) == 0)
        ref10_accepted++;
      g_assert_cmpint (crypto_sign_open_modified (scratch, sm, sizeof sm, edwards), ==, -1);
      g_assert_cmpint (curve_verify_signature (public_key, sm + crypto_sign_BYTES, 32, sm, crypto_sign_BYTES), ==, 0);
    }
  /* The forgery is real: ref10 falls for it (all 64 missing: 2^-64). */
  g_assert_cmpuint (ref10_accepted, >, 0);
  SIGNAL_UNREF (public_key);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  g_test_add_func ("/wa/curve25519/backend", test_backend);
  g_test_add_func ("/wa/curve25519/rfc7748", test_rfc7748);
  g_test_add_func ("/wa/curve25519/same-as-donna", test_same_as_donna);
  g_test_add_func ("/wa/curve25519/low-order-point-refused", test_low_order_point_refused);
  g_test_add_func ("/wa/curve25519/verify-backend", test_verify_backend);
  g_test_add_func ("/wa/curve25519/verify-same-as-ref10", test_verify_same_as_ref10);
  g_test_add_func ("/wa/curve25519/verify-libsignal-signatures", test_verify_libsignal_signatures);
  g_test_add_func ("/wa/curve25519/verify-low-order-key-refused", test_verify_low_order_key_refused);

  return g_test_run ();
}
