/* wa-curve25519.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-signal"

#include "config.h"

#include <dlfcn.h>
#include <sodium.h>
#include <signal/curve.h>
#include <signal/signal_protocol.h>

#include "wa-curve25519.h"

/*
 * libsignal-protocol-c does its X25519 with the portable curve25519-donna,
 * about four times slower here than libsodium's, and a message to a new
 * session needs six of them (profile of bench-whatsapp: 62 % of our CPU).
 * The shared library reaches curve25519_donna() through its PLT, so a
 * definition in our executable takes its place for every caller inside
 * the library without touching its code. This file is that definition,
 * on libsodium.
 *
 * libsodium clamps every scalar; this donna does not. Every private key
 * in this program is clamped (libsignal clamps the ones it makes,
 * wa-crypto the ones we make), and for those the two agree on every
 * point, the top bit and values above the prime included
 * (test-wa-curve25519 compares them). A scalar that is not clamped
 * still goes to the library's own function, found with RTLD_NEXT, so no
 * input gets a different answer than before. They differ on purpose in
 * one case: a peer's low-order point gives an all-zero shared secret,
 * which donna returns as if it were a key; it is refused here, so a
 * hostile bundle cannot force a session key that everybody can compute.
 */

typedef int (*DonnaFunc) (guint8       *mypublic,
                          const guint8 *secret,
                          const guint8 *basepoint);

static const guint8 x25519_basepoint[crypto_scalarmult_curve25519_BYTES] = { 9 };

static gboolean
is_clamped (const guint8 *secret)
{
  return (secret[0] & 7) == 0 && (secret[31] & 0xc0) == 0x40;
}

/* Set on the calling thread when libsignal's calls land here. */
static _Thread_local gboolean routed_here;

int
curve25519_donna (guint8       *mypublic,
                  const guint8 *secret,
                  const guint8 *basepoint)
{
  static DonnaFunc library_donna;
  int result;

  routed_here = TRUE;
  if (!is_clamped (secret))
    {
      if (g_once_init_enter (&library_donna))
        g_once_init_leave (&library_donna, (DonnaFunc) dlsym (RTLD_NEXT, "curve25519_donna"));
      g_return_val_if_fail (library_donna != NULL, -1);
      result = library_donna (mypublic, secret, basepoint);
    }
  else if (memcmp (basepoint, x25519_basepoint, sizeof x25519_basepoint) == 0)
    result = crypto_scalarmult_curve25519_base (mypublic, secret);
  else
    result = crypto_scalarmult_curve25519 (mypublic, secret, basepoint);

  if (result != 0 || sodium_is_zero (mypublic, crypto_scalarmult_curve25519_BYTES))
    return -1;
  return 0;
}

/*
 * A bundle's signed prekey is checked by libsignal's curve25519_verify():
 * it turns the Montgomery key into an Edwards one and hands the rest to
 * crypto_sign_open_modified(), ref10's portable Ed25519 check, reached
 * through the PLT as curve25519_donna() is. Once X25519 was on libsodium
 * that check became the largest single cost of a new session (6 % of the
 * engine's CPU in bench-whatsapp, about 80 µs a bundle); libsodium's
 * takes about half. What it checks is a plain Ed25519 signature: the
 * first 64 bytes of @sm, over the rest, under @pk (the library put the
 * sign bit there and cleared it from S); @m is scratch space the library
 * never reads back.
 *
 * libsodium is stricter in three cases ref10 lets through, all of them
 * forged rather than made by a signer: an S not reduced below the group
 * order, an R of small order and a key of small order (or not in
 * canonical form). Against a key of small order ref10 accepts a made-up
 * signature for about every other message, which would let a hostile
 * server pass off a bundle under such a key; it is refused here.
 */
static _Thread_local gboolean verified_here;

int
crypto_sign_open_modified (guint8             *m,
                           const guint8       *sm,
                           unsigned long long  smlen,
                           const guint8       *pk)
{
  verified_here = TRUE;
  if (smlen < crypto_sign_BYTES)
    return -1;
  return crypto_sign_verify_detached (sm, sm + crypto_sign_BYTES, smlen - crypto_sign_BYTES, pk) == 0 ? 0 : -1;
}

/**
 * wa_curve25519_verify_backend:
 *
 * Names the Ed25519 check libsignal-protocol-c's signature verification
 * really reaches in this process, found by having it check a signature
 * (whether it holds does not matter, only where the check ran), for the
 * same reason as wa_curve25519_backend().
 *
 * Returns: "libsodium" or "ref10"
 */
const char *
wa_curve25519_verify_backend (void)
{
  static const char *backend;

  if (g_once_init_enter (&backend))
    {
      /* libsignal's key type (0x05), then the base point. */
      static const guint8 point[1 + crypto_scalarmult_curve25519_BYTES] = { 0x05, 9 };
      static const guint8 message[] = "bundle";
      guint8 signature[crypto_sign_BYTES] = { 0 };
      ec_public_key *public_key = NULL;
      const char *found = "ref10";

      verified_here = FALSE;
      if (curve_decode_point (&public_key, point, sizeof point, NULL) == 0)
        {
          curve_verify_signature (public_key, message, sizeof message, signature, sizeof signature);
          if (verified_here)
            found = "libsodium";
          SIGNAL_UNREF (public_key);
        }
      g_once_init_leave (&backend, found);
    }

  return backend;
}

/**
 * wa_curve25519_backend:
 *
 * Names the X25519 implementation libsignal-protocol-c really calls in
 * this process, found by making it compute one public key: a build whose
 * linker did not let our definition take precedence (a static libsignal,
 * -Bsymbolic) would silently run the slow path, and benchmarks say which.
 *
 * Returns: "libsodium" or "curve25519-donna"
 */
const char *
wa_curve25519_backend (void)
{
  static const char *backend;

  if (g_once_init_enter (&backend))
    {
      guint8 secret[crypto_scalarmult_curve25519_SCALARBYTES];
      ec_private_key *private_key = NULL;
      ec_public_key *public_key = NULL;
      const char *found = "curve25519-donna";

      randombytes_buf (secret, sizeof secret);
      routed_here = FALSE;
      if (curve_decode_private_point (&private_key, secret, sizeof secret, NULL) == 0 &&
          curve_generate_public_key (&public_key, private_key) == 0 &&
          routed_here)
        found = "libsodium";

      if (public_key != NULL)
        SIGNAL_UNREF (public_key);
      if (private_key != NULL)
        SIGNAL_UNREF (private_key);
      sodium_memzero (secret, sizeof secret);
      g_once_init_leave (&backend, found);
    }

  return backend;
}
