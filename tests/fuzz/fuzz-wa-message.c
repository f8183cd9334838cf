/* fuzz-wa-message.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for what a decrypted message reaches: the padding
 * WhatsApp adds before Signal encryption, then the protobuf Message and
 * what _wa_messenger_read() makes of it (text, caption, media, whether
 * it is a sent copy or a protocol message), as anyone who has our number
 * may send it. It stops there: what a protocol message carries, such as
 * a history notification, is handled by protocol_message_cb() in
 * wa-history-sync.c, which no fuzzer reaches. The Signal decryption
 * itself is libsignal-protocol-c's and is not fuzzed.
 *
 * The first input byte chooses the run: bit 0 clear, the rest is padded
 * plaintext and is unpadded first; set, the rest is the Message itself.
 *
 * A finding is a sanitizer report, an error outside WA_ERROR_MALFORMED,
 * or an event the app cannot take: a text, caption, file name, media
 * type or path that is not UTF-8 (it is stored, synced as JSON and
 * shown), or media the store would refuse or that could never be
 * fetched: no direct path under WA_MEDIA_MAX_DIRECT_PATH, no 32-byte key,
 * no SHA-256 of the content and of the blob. */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wa-crypto.h"
#include "wa-error.h"
#include "wa-media.h"
#include "wa-messenger-private.h"
#include "wa-signal.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

#define MODE_UNPADDED 0x01

static void
fail (const char *what)
{
  fprintf (stderr, "message property broken: %s\n", what);
  abort ();
}

static void
check_text (const char *text,
            const char *what)
{
  if (text != NULL && !g_utf8_validate (text, -1, NULL))
    fail (what);
}

static gboolean
has_length (GBytes *bytes,
            gsize   len)
{
  return bytes != NULL && g_bytes_get_size (bytes) == len;
}

static void
check_error (const GError *error)
{
  if (!g_error_matches (error, WA_ERROR, WA_ERROR_MALFORMED))
    fail ("an error outside WA_ERROR_MALFORMED");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GBytes) plaintext = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(WaIncomingMedia) media = NULL;
  gboolean sent_copy = FALSE;
  gboolean protocol = FALSE;

  if (size == 0)
    return 0;
  input = g_bytes_new (data + 1, size - 1);
  if (data[0] & MODE_UNPADDED)
    plaintext = g_bytes_ref (input);
  else if ((plaintext = wa_signal_unpad (input, &error)) == NULL)
    {
      check_error (error);
      return 0;
    }

  if (!_wa_messenger_read (plaintext, &text, &media, &sent_copy, &protocol, &error))
    {
      check_error (error);
      if (text != NULL || media != NULL)
        fail ("a message that did not parse left a text or media");
      return 0;
    }

  check_text (text, "a text or caption that is not UTF-8");
  if (media != NULL)
    {
      check_text (media->mimetype, "a media type that is not UTF-8");
      check_text (media->file_name, "a file name that is not UTF-8");
      check_text (media->direct_path, "a media path that is not UTF-8");
      if (media->direct_path == NULL || media->direct_path[0] != '/' ||
          strlen (media->direct_path) > WA_MEDIA_MAX_DIRECT_PATH || !has_length (media->media_key, WA_KEY_LEN) ||
          !has_length (media->file_sha256, WA_SHA256_LEN) || !has_length (media->file_enc_sha256, WA_SHA256_LEN))
        fail ("media that could not be stored or fetched");
    }
  return 0;
}
