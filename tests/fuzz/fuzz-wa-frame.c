/* fuzz-wa-frame.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for everything the peer's bytes reach before a node is
 * decoded: the frame reader, the Noise handshake messages (protobuf parsing,
 * key checks, decryption, then the certificate chain) and the transport
 * decryption. Either side can be fuzzed, since the fake server runs the
 * same code against the client.
 *
 * The first input byte chooses the run:
 *   bit 0     which side reads: 0 the client (the server's stream, no
 *             header), 1 the server (the client's stream, header first);
 *   bit 1     1 if the first frames are the handshake, answered with the
 *             keys of WA-PROTOCOL.md Appendix A.2; 0 if every frame is a
 *             transport frame under A.2's transport keys;
 *   bits 2-7  one less than the chunk size the stream is fed in.
 * The rest is the stream. The seed corpus holds A.2's real messages, so
 * runs get past authentication; a forged tag is out of reach, which is why
 * decrypted plaintext is left to fuzz-wa-binary.
 *
 * Besides sanitizer reports, a finding is: the chunked and the one-shot
 * readers disagreeing, an error outside the documented domain and codes,
 * or a transport cipher that decrypts anything after a failure. */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wa-cert.h"
#include "wa-error.h"
#include "wa-frame.h"
#include "wa-noise.h"

int LLVMFuzzerInitialize    (int           *argc,
                             char        ***argv);
int LLVMFuzzerTestOneInput  (const uint8_t *data,
                             size_t         size);

#define MODE_SERVER    0x01
#define MODE_HANDSHAKE 0x02

/* Inside the validity of A.2's certificates. */
#define NOW 1800000000

/* WA-PROTOCOL.md Appendix A.2, private keys and the chain. */
static const guint8 root_pub[WA_KEY_LEN] = {
  0xd3, 0x52, 0x55, 0xc8, 0x64, 0xa5, 0x38, 0xf7, 0x7e, 0xcb, 0xcb, 0x0b, 0x68, 0xe1, 0xf4, 0x18,
  0xce, 0xdc, 0x7e, 0xb0, 0xbb, 0xcb, 0x18, 0x0d, 0xf9, 0xb3, 0x51, 0x7f, 0x1c, 0x17, 0xe1, 0x21,
};
static const guint8 server_static_priv[WA_KEY_LEN] = {
  0x40, 0xb0, 0xf5, 0x2f, 0xac, 0xd9, 0x1e, 0x66, 0x03, 0xb9, 0xa1, 0xc0, 0x26, 0xde, 0x0e, 0xb4,
  0x6e, 0xbc, 0xfc, 0x33, 0xfc, 0xf1, 0x36, 0xa5, 0xa1, 0xc9, 0xb4, 0x98, 0x0f, 0x66, 0x4f, 0x73,
};
static const guint8 server_ephemeral_priv[WA_KEY_LEN] = {
  0x58, 0xe5, 0x51, 0xa1, 0x92, 0xe3, 0x23, 0x72, 0xd3, 0xdf, 0xca, 0x30, 0x25, 0xe3, 0xa6, 0x12,
  0x9a, 0xa0, 0x03, 0x50, 0xe5, 0xff, 0xce, 0xeb, 0x01, 0x84, 0xf6, 0x1b, 0x25, 0xe2, 0x34, 0x41,
};
static const guint8 client_ephemeral_priv[WA_KEY_LEN] = {
  0x30, 0x93, 0x9c, 0x5a, 0xdd, 0xde, 0xc9, 0x42, 0x29, 0x0b, 0x63, 0x75, 0x30, 0x89, 0x8a, 0x70,
  0xf2, 0xd3, 0x24, 0x53, 0xe5, 0x24, 0x1f, 0x30, 0xa0, 0x55, 0x07, 0x80, 0xe7, 0x58, 0x6b, 0x47,
};
static const guint8 client_static_priv[WA_KEY_LEN] = {
  0x80, 0xd0, 0xa3, 0x3f, 0x1b, 0x6f, 0x82, 0x4c, 0xbb, 0xa1, 0x6a, 0xb8, 0xf1, 0x7c, 0x2d, 0xa9,
  0x52, 0x78, 0xd4, 0x31, 0x43, 0x71, 0x78, 0x35, 0xb3, 0x44, 0x6f, 0x11, 0x4c, 0x89, 0xba, 0x6d,
};
static const guint8 key_client_to_server[WA_KEY_LEN] = {
  0xf4, 0xe1, 0x01, 0x97, 0xcc, 0x3e, 0x90, 0xfd, 0x49, 0xd1, 0x84, 0x68, 0x31, 0x62, 0x5d, 0xac,
  0x1a, 0xdc, 0x2a, 0x17, 0x8e, 0x4c, 0x85, 0x7e, 0x66, 0x00, 0x95, 0x76, 0xbf, 0x51, 0x7f, 0xb2,
};
static const guint8 key_server_to_client[WA_KEY_LEN] = {
  0x50, 0x53, 0xc8, 0xfa, 0x1c, 0x9c, 0x21, 0x75, 0xd1, 0xb0, 0x91, 0x5f, 0x15, 0x0d, 0x3a, 0x25,
  0xf7, 0x16, 0x37, 0x17, 0x88, 0x52, 0xff, 0x70, 0xea, 0xdd, 0xd8, 0x98, 0xe9, 0xb7, 0xfc, 0xdf,
};
static const guint8 cert_chain[] = {
  0x0a, 0x76, 0x0a, 0x32, 0x08, 0x08, 0x10, 0x07, 0x1a, 0x20, 0x42, 0x72, 0x65, 0xd8, 0x36, 0xc9,
  0x15, 0x92, 0x5b, 0x7d, 0xb2, 0x4e, 0xbb, 0x0e, 0x6b, 0xe9, 0x6b, 0x23, 0xa9, 0x6d, 0x50, 0xdc,
  0xfd, 0x9f, 0x98, 0x66, 0xab, 0xa1, 0x50, 0xa5, 0xa5, 0x0c, 0x20, 0x80, 0xe2, 0xcf, 0xaa, 0x06,
  0x28, 0x80, 0xae, 0x99, 0xa4, 0x0f, 0x12, 0x40, 0x0a, 0xab, 0x86, 0x69, 0x4e, 0x09, 0x36, 0x06,
  0x4f, 0x46, 0x1f, 0x6b, 0x6f, 0x71, 0xab, 0xc9, 0xbd, 0xbc, 0x3e, 0xe7, 0x72, 0xeb, 0x2d, 0xf9,
  0xb6, 0x14, 0x3c, 0x11, 0xea, 0x57, 0x35, 0x31, 0x8b, 0x1b, 0xe3, 0x6a, 0x5e, 0x2e, 0xc5, 0xf5,
  0x13, 0x65, 0x38, 0xf6, 0xda, 0x9b, 0xee, 0x8b, 0xe7, 0x74, 0x08, 0x8c, 0xeb, 0xb9, 0xa5, 0x2f,
  0x32, 0xa6, 0x74, 0xa4, 0x6e, 0x55, 0xe7, 0x0e, 0x12, 0x76, 0x0a, 0x32, 0x08, 0x07, 0x10, 0x00,
  0x1a, 0x20, 0x92, 0x04, 0x4e, 0x96, 0xeb, 0x6e, 0xcf, 0xfa, 0x1f, 0xe2, 0x66, 0x2e, 0x55, 0x06,
  0xed, 0x74, 0x3a, 0x83, 0x3d, 0x86, 0xff, 0x79, 0xd7, 0xb0, 0x72, 0x65, 0xd2, 0x56, 0x75, 0x43,
  0xe9, 0x73, 0x20, 0x80, 0xe2, 0xcf, 0xaa, 0x06, 0x28, 0x80, 0xae, 0x99, 0xa4, 0x0f, 0x12, 0x40,
  0xda, 0x5c, 0xba, 0x8c, 0x84, 0xed, 0x51, 0xb9, 0x6d, 0xec, 0xd3, 0x9a, 0xf2, 0x29, 0xa2, 0x2f,
  0xd6, 0x39, 0xeb, 0x10, 0x67, 0xac, 0x47, 0x55, 0x13, 0x9a, 0x7a, 0x1f, 0x13, 0xe4, 0xbb, 0xee,
  0x72, 0xbb, 0x26, 0x01, 0x16, 0x62, 0xcb, 0xef, 0x36, 0x1e, 0x4e, 0x8d, 0xd6, 0x51, 0xe4, 0x1a,
  0x7a, 0xad, 0x2a, 0xd6, 0xdb, 0x28, 0x0f, 0xba, 0x85, 0xe4, 0x85, 0x6e, 0xda, 0xd1, 0x68, 0x8e,
};

static gboolean
is_error (const GError *error,
          gint          code)
{
  return error != NULL && error->domain == WA_ERROR && error->code == code;
}

/* Reads the whole stream, fed @chunk bytes at a time. Returns the frames,
 * or %NULL when the reader refused the stream; @finished says whether it
 * then ended cleanly. */
static GPtrArray *
read_stream (WaFrameSide   side,
             const guint8 *data,
             gsize         len,
             gsize         chunk,
             gboolean     *finished,
             gsize        *pending)
{
  g_autoptr(WaFrameReader) reader = wa_frame_reader_new (side);
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GError) error = NULL;

  for (gsize offset = 0; offset < len; offset += chunk)
    {
      g_autoptr(GPtrArray) got = NULL;

      got = wa_frame_reader_feed (reader, data + offset, MIN (chunk, len - offset), &error);
      if (got == NULL)
        {
          if (!is_error (error, WA_ERROR_MALFORMED))
            abort ();
          return NULL;
        }
      g_ptr_array_extend_and_steal (frames, g_steal_pointer (&got));
    }

  *pending = wa_frame_reader_get_pending (reader);
  *finished = wa_frame_reader_finish (reader, &error);
  if (*finished != (error == NULL) || (error != NULL && !is_error (error, WA_ERROR_TRUNCATED)))
    abort ();
  /* Buffered bytes are an unfinished frame, so the end cannot be clean. */
  if (*finished && *pending > 0)
    abort ();

  return g_steal_pointer (&frames);
}

static gboolean
same_frames (GPtrArray *a,
             GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (!g_bytes_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)))
      return FALSE;
  return TRUE;
}

/* The client's side of the handshake: the first frame is the server hello.
 * Returns the cipher for the server's later frames, or %NULL where a real
 * client would hang up. */
static WaNoiseCipher *
client_handshake (GPtrArray *frames,
                  guint     *used)
{
  g_autoptr(WaNoiseHandshake) handshake = wa_noise_handshake_new (WA_NOISE_ROLE_INITIATOR);
  g_autoptr(GBytes) hello = NULL;
  g_autoptr(GBytes) chain = NULL;
  g_autoptr(GBytes) payload = g_bytes_new_static ("fuzz", 4);
  g_autoptr(GBytes) finish = NULL;
  g_autoptr(WaNoiseCipher) write_cipher = NULL;
  g_autoptr(WaNoiseCipher) read_cipher = NULL;
  g_autoptr(GError) error = NULL;
  WaKeyPair ephemeral, noise_static;
  guint8 server_static[WA_KEY_LEN];

  if (frames->len < 1)
    return NULL;
  *used = 1;

  wa_key_pair_from_private (&ephemeral, client_ephemeral_priv);
  wa_key_pair_from_private (&noise_static, client_static_priv);
  hello = wa_noise_handshake_start (handshake, &ephemeral);
  if (hello == NULL)
    abort ();

  if (!wa_noise_handshake_read_server_hello (handshake, g_ptr_array_index (frames, 0),
                                             server_static, &chain, &error))
    {
      if (!is_error (error, WA_ERROR_HANDSHAKE) || chain != NULL)
        abort ();
      return NULL;
    }
  if (!wa_cert_verify (chain, root_pub, server_static, NOW, &error))
    {
      if (!is_error (error, WA_ERROR_HANDSHAKE))
        abort ();
      return NULL;
    }

  finish = wa_noise_handshake_write_client_finish (handshake, &noise_static, payload, &error);
  if (finish == NULL ||
      !wa_noise_handshake_split (handshake, &write_cipher, &read_cipher, &error))
    abort ();

  return g_steal_pointer (&read_cipher);
}

/* The fake server's side: client hello, then client finish. */
static WaNoiseCipher *
server_handshake (GPtrArray *frames,
                  guint     *used)
{
  g_autoptr(WaNoiseHandshake) handshake = wa_noise_handshake_new (WA_NOISE_ROLE_RESPONDER);
  g_autoptr(GBytes) chain = g_bytes_new_static (cert_chain, sizeof cert_chain);
  g_autoptr(GBytes) hello = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(WaNoiseCipher) write_cipher = NULL;
  g_autoptr(WaNoiseCipher) read_cipher = NULL;
  g_autoptr(GError) error = NULL;
  WaKeyPair server_static, ephemeral;
  guint8 client_static[WA_KEY_LEN];

  if (frames->len < 1)
    return NULL;
  *used = 1;

  if (!wa_noise_handshake_read_client_hello (handshake, g_ptr_array_index (frames, 0), &error))
    {
      if (!is_error (error, WA_ERROR_HANDSHAKE))
        abort ();
      return NULL;
    }

  wa_key_pair_from_private (&server_static, server_static_priv);
  wa_key_pair_from_private (&ephemeral, server_ephemeral_priv);
  hello = wa_noise_handshake_write_server_hello (handshake, &server_static, &ephemeral, chain,
                                                 &error);
  if (hello == NULL)
    {
      /* Only a low-order ephemeral key from the client gets here. */
      if (!is_error (error, WA_ERROR_HANDSHAKE))
        abort ();
      return NULL;
    }

  if (frames->len < 2)
    return NULL;
  *used = 2;

  if (!wa_noise_handshake_read_client_finish (handshake, g_ptr_array_index (frames, 1),
                                              client_static, &payload, &error))
    {
      if (!is_error (error, WA_ERROR_HANDSHAKE) || payload != NULL)
        abort ();
      return NULL;
    }

  if (!wa_noise_handshake_split (handshake, &write_cipher, &read_cipher, &error))
    abort ();

  return g_steal_pointer (&read_cipher);
}

/* Once a frame fails, the stream is dead: nothing may decrypt after it. */
static void
decrypt_frames (WaNoiseCipher *cipher,
                GPtrArray     *frames,
                guint          first)
{
  gboolean broken = FALSE;

  for (guint i = first; i < frames->len; i++)
    {
      g_autoptr(GBytes) plain = NULL;
      g_autoptr(GError) error = NULL;
      gsize len = 0;
      const guint8 *data = g_bytes_get_data (g_ptr_array_index (frames, i), &len);

      plain = wa_noise_cipher_decrypt (cipher, data, len, &error);
      if (plain == NULL)
        {
          if (!is_error (error, WA_ERROR_CRYPTO))
            abort ();
          broken = TRUE;
        }
      else if (broken || error != NULL)
        {
          abort ();
        }
    }
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* A g_critical() or g_warning() is a bug worth a crash report. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  if (!wa_crypto_init (NULL))
    abort ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) frames = NULL;
  g_autoptr(GPtrArray) chunked = NULL;
  g_autoptr(WaNoiseCipher) cipher = NULL;
  WaFrameSide side;
  gboolean finished = FALSE;
  gboolean chunked_finished = FALSE;
  gsize pending = 0;
  gsize chunked_pending = 0;
  guint used = 0;
  guint8 mode;

  if (size < 1)
    return 0;
  mode = data[0];
  data++;
  size--;
  side = mode & MODE_SERVER ? WA_FRAME_SIDE_SERVER : WA_FRAME_SIDE_CLIENT;

  /* How the stream was cut must not matter. */
  frames = read_stream (side, data, size, MAX (size, 1), &finished, &pending);
  chunked = read_stream (side, data, size, (mode >> 2) + 1, &chunked_finished, &chunked_pending);
  if ((frames == NULL) != (chunked == NULL))
    abort ();
  if (frames == NULL)
    return 0;
  if (!same_frames (frames, chunked) || finished != chunked_finished || pending != chunked_pending)
    abort ();

  if (mode & MODE_HANDSHAKE)
    cipher = side == WA_FRAME_SIDE_SERVER ? server_handshake (frames, &used)
                                          : client_handshake (frames, &used);
  else
    cipher = wa_noise_cipher_new (side == WA_FRAME_SIDE_SERVER ? key_client_to_server
                                                               : key_server_to_client);

  if (cipher != NULL)
    decrypt_frames (cipher, frames, used);

  return 0;
}
