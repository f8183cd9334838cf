/* fuzz-wa-media.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for the media decryptor: what a hostile media host or
 * sender can hand it. The media key is WA-PROTOCOL.md Appendix A.4's.
 *
 * The first input byte chooses the run:
 *   bits 0-1  the media type (image, video, audio, document);
 *   bit 2     0: the rest is a downloaded blob, named by its own SHA-256
 *             so that it gets past the hash to the MAC and the padding;
 *             1: the rest is content, encrypted, then one byte of the blob
 *             flipped (the position from the next two bytes).
 *
 * Besides sanitizer reports, a finding is: a blob that decrypts although
 * encrypting what it decrypts to does not give it back (a MAC or padding
 * check let it through), content that does not survive encryption and
 * decryption, a changed blob that still decrypts, or an error outside
 * WA_ERROR's malformed and crypto codes. */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wa-crypto.h"
#include "wa-error.h"
#include "wa-media.h"

int LLVMFuzzerInitialize    (int           *argc,
                             char        ***argv);
int LLVMFuzzerTestOneInput  (const uint8_t *data,
                             size_t         size);

#define MODE_ROUND_TRIP 0x04

static const guint8 media_key[WA_KEY_LEN] = {
  0x3c, 0x94, 0x38, 0x8c, 0xc2, 0xe9, 0xdc, 0xcf, 0x71, 0x1e, 0x0c, 0xcf, 0x21, 0x12, 0x06, 0xad,
  0x8e, 0xb1, 0x9c, 0x9d, 0x98, 0x18, 0xa0, 0xdd, 0x8c, 0xc3, 0xe5, 0xca, 0xf4, 0xfa, 0x1b, 0xb0,
};

static const WaMediaType types[] = { WA_MEDIA_IMAGE, WA_MEDIA_VIDEO, WA_MEDIA_AUDIO, WA_MEDIA_DOCUMENT };

static GBytes *
sha256_of (GBytes *bytes)
{
  guint8 hash[WA_SHA256_LEN];

  wa_crypto_sha256 (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), hash);
  return g_bytes_new (hash, sizeof hash);
}

static void
assert_refusal (const GError *error)
{
  if (error == NULL || error->domain != WA_ERROR ||
      (error->code != WA_ERROR_CRYPTO && error->code != WA_ERROR_MALFORMED))
    abort ();
}

/* Any blob that decrypts is the encryption of what it decrypts to. */
static void
fuzz_blob (WaMediaType  type,
           GBytes      *key,
           GBytes      *blob)
{
  g_autoptr(GBytes) enc_sha = sha256_of (blob);
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GError) error = NULL;
  WaMediaRef ref = { "/v/fuzz", key, enc_sha, NULL };

  plain = wa_media_decrypt (type, &ref, blob, &error);
  if (plain == NULL)
    {
      assert_refusal (error);
      return;
    }
  again = wa_media_encrypt (type, key, plain, NULL);
  if (again == NULL || !g_bytes_equal (again, blob))
    abort ();
}

static void
fuzz_round_trip (WaMediaType   type,
                 GBytes       *key,
                 const guint8 *data,
                 gsize         size)
{
  g_autoptr(GBytes) content = g_bytes_new (size > 2 ? data + 2 : NULL, size > 2 ? size - 2 : 0);
  g_autoptr(GBytes) blob = wa_media_encrypt (type, key, content, NULL);
  g_autoptr(GBytes) enc_sha = NULL;
  g_autoptr(GBytes) file_sha = sha256_of (content);
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GBytes) flipped = NULL;
  g_autoptr(GError) error = NULL;
  guint8 *changed;
  gsize len, at;
  WaMediaRef ref;

  if (blob == NULL)
    abort ();
  enc_sha = sha256_of (blob);
  ref = (WaMediaRef) { "/v/fuzz", key, enc_sha, file_sha };
  back = wa_media_decrypt (type, &ref, blob, &error);
  if (back == NULL || !g_bytes_equal (back, content))
    abort ();

  /* A flipped byte fails the MAC even under a hash made to match it. */
  len = g_bytes_get_size (blob);
  changed = g_memdup2 (g_bytes_get_data (blob, NULL), len);
  at = size >= 2 ? ((gsize) data[0] << 8 | data[1]) % len : 0;
  changed[at] ^= 0x01;
  flipped = g_bytes_new_take (changed, len);
  g_clear_pointer (&enc_sha, g_bytes_unref);
  enc_sha = sha256_of (flipped);
  ref.file_enc_sha256 = enc_sha;
  g_clear_pointer (&back, g_bytes_unref);
  back = wa_media_decrypt (type, &ref, flipped, &error);
  if (back != NULL)
    abort ();
  assert_refusal (error);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  if (!wa_crypto_init (NULL))
    abort ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) key = g_bytes_new_static (media_key, sizeof media_key);
  g_autoptr(GBytes) rest = NULL;
  WaMediaType type;

  if (size == 0)
    return 0;
  type = types[data[0] & 0x03];
  if (data[0] & MODE_ROUND_TRIP)
    fuzz_round_trip (type, key, data + 1, size - 1);
  else
    {
      rest = g_bytes_new (data + 1, size - 1);
      fuzz_blob (type, key, rest);
    }
  return 0;
}
