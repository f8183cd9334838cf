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
#include "xi-test-utils.h"

/* libsignal-protocol-c's X25519 goes through wa-curve25519.c; these tests
 * hold it to the library's own curve25519-donna, which dlsym() on the
 * library's handle still finds, and to RFC 7748. */

#define ROUNDS 2000

typedef int (*DonnaFunc) (guint8 *out, const guint8 *secret, const guint8 *point);

static DonnaFunc
library_donna (void)
{
  void *library = dlopen ("libsignal-protocol-c.so.2.3.3", RTLD_NOW | RTLD_NOLOAD);
  DonnaFunc donna;

  g_assert_nonnull (library);
  /* A handle's lookup starts in that object, so this is the library's
   * definition, not ours. */
  donna = (DonnaFunc) dlsym (library, "curve25519_donna");
  g_assert_nonnull (donna);
  dlclose (library);
  return donna;
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

  return g_test_run ();
}
