/* test-wa-noise.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "wa-cert.h"
#include "wa-error.h"
#include "wa-frame.h"
#include "wa-noise.h"
#include "xi-test-utils.h"

/* WA-PROTOCOL.md Appendix A.2: a whole handshake with fixed keys. */

#define ROOT_PRIV         "e8daa1fd6a7de98d1b3c23a3b7660a223b5a8f447220f8211677936e580af842"
#define ROOT_PUB          "d35255c864a538f77ecbcb0b68e1f418cedc7eb0bbcb180df9b3517f1c17e121"
#define SERVER_STATIC     "40b0f52facd91e6603b9a1c026de0eb46ebcfc33fcf136a5a1c9b4980f664f73"
#define SERVER_STATIC_PUB "427265d836c915925b7db24ebb0e6be96b23a96d50dcfd9f9866aba150a5a50c"
#define SERVER_EPHEMERAL  "58e551a192e32372d3dfca3025e3a6129aa00350e5ffceeb0184f61b25e23441"
#define SERVER_EPHEMERAL_PUB "98ce40bd9d69d7950579450cfcb9844f328d214b045f825a96bf70f9ae37b37d"
#define CLIENT_EPHEMERAL  "30939c5adddec942290b637530898a70f2d32453e5241f30a0550780e7586b47"
#define CLIENT_EPHEMERAL_PUB "f01e3feed2953d4221feddad1b6baa06ee321666eb0e170d33428905b0057d4e"
#define CLIENT_STATIC     "80d0a33f1b6f824cbba16ab8f17c2da95278d43143717835b3446f114c89ba6d"
#define CLIENT_STATIC_PUB "e8cd327c5b1ccacd930c87af022adfe821740bd3918e29b3d11dc9b35aae553c"

#define CERT_CHAIN \
  "0a760a32080810071a20427265d836c915925b7db24ebb0e6be96b23a96d50dcfd9f9866aba150a5a50c2080e2cfaa0628" \
  "80ae99a40f12400aab86694e0936064f461f6b6f71abc9bdbc3ee772eb2df9b6143c11ea5735318b1be36a5e2ec5f51365" \
  "38f6da9bee8be774088cebb9a52f32a674a46e55e70e12760a32080710001a2092044e96eb6ecffa1fe2662e5506ed743a" \
  "833d86ff79d7b07265d2567543e9732080e2cfaa062880ae99a40f1240da5cba8c84ed51b96decd39af229a22fd639eb10" \
  "67ac4755139a7a1f13e4bbee72bb26011662cbef361e4e8dd651e41a7aad2ad6db280fba85e4856edad1688e"

#define CLIENT_PAYLOAD \
  "08d7dfe8f63918012a38080e120b080210b81718d7afcdf2031a0330303022033030302a03302e3132003a074465736b74" \
  "6f704203302e3150005a02656e620255533202200060016801900101c00101880201c80201"

#define CLIENT_HELLO "12220a20f01e3feed2953d4221feddad1b6baa06ee321666eb0e170d33428905b0057d4e"
#define FIRST_MESSAGE "57410603000024" CLIENT_HELLO

#define SERVER_HELLO \
  "1ad7020a2098ce40bd9d69d7950579450cfcb9844f328d214b045f825a96bf70f9ae37b37d12305e732b12cfa24b58553e" \
  "dc8e95dee2e4ddbf2e27b496ab303a2917aedb73627c14eb832ab12a6373a338eb0323095b4c1a8002e665cacd8504c032" \
  "a704969e2335528e29210dc7c2ea0a028c3c44c3556be49cb1319e3ea0e83b3e6255304ddd0ee48d5da8db7a4fda13cdd1" \
  "91438bf0b2f77732c83220aa19b878df5aa40cdc205056f2bfce5e2e111af07fd1e92e1fb17f144412bf718db3a93132e8" \
  "e61fa7d9635bb2fe7c57d7418b7e61846b2234bbad56dd290f0dd3f85dde9c988561bfbce89ee0c54b55c31aafe1ced1bb" \
  "243de5babceafbfe634042245d1d2e287d67df8175b77c6240b393b5b1f1d855904ac0ea15ce659ffc8979c73702cd32c2" \
  "f176494b5115ce7f246ac2c9e343d276d7d43417392c45ec37ac6b2f3a9ff83261dafcad5fe51da3bb9a02e5e053b5f9f3" \
  "d03fe9"

#define CLIENT_FINISH \
  "229a010a30a565f8741ed67136285aa696aaced73cca10f14db2d18b9f2070c13fd6975a55b1762ecb7a97386e2c861f12" \
  "4740e32512669ce35afa3778b000bf964fc3acaba7c7b22669c3246e32e85515ff27ce0f314da6ede63d48325f89085c92" \
  "3e879e3212c7296a36fec6d7b7ed118235582f51553c09558d21ff22f446dc2b064235e69c4098f420c533dad4f750ae4e" \
  "ea7b4da2679a2137f792"

#define KEY_CLIENT_TO_SERVER "f4e10197cc3e90fd49d1846831625dac1adc2a178e4c857e66009576bf517fb2"
#define KEY_SERVER_TO_CLIENT "5053c8fa1c9c2175d1b0915f150d3a25f71637178852ff70eaddd898e9b7fcdf"

#define CLIENT_PING "00f8091908ff04123b45a11657042911fa0003"
#define CLIENT_FRAME "0000234ea42db359b39c2bafc5df0c4fb629b770b585f601ed9a4180cea52eb1f9e7d6a0c5ef"
#define SERVER_SUCCESS "00f8054c1aff05170000000076f70101ff0499990001"
#define SERVER_FRAME "00002680f9f69b7a19256d02ca77115b413066d39ef2cb1eedbc09607bff29d2b5babb9a7e22136cbd"

/* Inside the certificates' validity (1700000000 to 4102444800). */
#define NOW 1800000000

static void
key_pair (const char *priv_hex,
          WaKeyPair  *pair)
{
  g_autoptr(GBytes) priv = xi_test_bytes_from_hex (priv_hex);

  wa_key_pair_from_private (pair, g_bytes_get_data (priv, NULL));
}

static void
assert_hex (GBytes     *bytes,
            const char *expected)
{
  g_autofree char *hex = xi_test_hex (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  g_assert_cmpstr (hex, ==, expected);
}

static void
assert_key_hex (const guint8 *key,
                const char   *expected)
{
  g_autofree char *hex = xi_test_hex (key, WA_KEY_LEN);

  g_assert_cmpstr (hex, ==, expected);
}

/* Frames the ciphertext the way it goes on the wire, through the real
 * writer, so the vectors' length prefixes are checked too. */
static char *
framed_hex (GBytes *cipher)
{
  g_autoptr(WaFrameWriter) writer = wa_frame_writer_new (WA_FRAME_SIDE_SERVER);
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GError) error = NULL;

  frame = wa_frame_writer_write (writer, g_bytes_get_data (cipher, NULL), g_bytes_get_size (cipher),
                                 &error);
  g_assert_no_error (error);
  return xi_test_hex (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame));
}

/* The vector's frames carry a 3-byte length; the cipher sees the rest. */
static GBytes *
unframed (const char *frame_hex)
{
  g_autoptr(GBytes) frame = xi_test_bytes_from_hex (frame_hex);

  return g_bytes_new_from_bytes (frame, WA_FRAME_LENGTH_LEN,
                                 g_bytes_get_size (frame) - WA_FRAME_LENGTH_LEN);
}

static GBytes *
seal (WaNoiseCipher *cipher,
      GBytes        *plain)
{
  g_autoptr(GError) error = NULL;
  GBytes *sealed;

  sealed = wa_noise_cipher_encrypt (cipher, g_bytes_get_data (plain, NULL),
                                    g_bytes_get_size (plain), &error);
  g_assert_no_error (error);
  g_assert_nonnull (sealed);
  return sealed;
}

static GBytes *
open_or_fail (WaNoiseCipher *cipher,
              GBytes        *sealed)
{
  g_autoptr(GError) error = NULL;
  GBytes *opened;

  opened = wa_noise_cipher_decrypt (cipher, g_bytes_get_data (sealed, NULL),
                                    g_bytes_get_size (sealed), &error);
  g_assert_no_error (error);
  g_assert_nonnull (opened);
  return opened;
}

static void
test_vector (void)
{
  g_autoptr(WaNoiseHandshake) client = wa_noise_handshake_new (WA_NOISE_ROLE_INITIATOR);
  g_autoptr(WaNoiseHandshake) server = wa_noise_handshake_new (WA_NOISE_ROLE_RESPONDER);
  g_autoptr(WaFrameWriter) client_writer = wa_frame_writer_new (WA_FRAME_SIDE_CLIENT);
  g_autoptr(GBytes) chain = xi_test_bytes_from_hex (CERT_CHAIN);
  g_autoptr(GBytes) payload = xi_test_bytes_from_hex (CLIENT_PAYLOAD);
  g_autoptr(GBytes) hello = NULL;
  g_autoptr(GBytes) first_message = NULL;
  g_autoptr(GBytes) server_hello = NULL;
  g_autoptr(GBytes) finish = NULL;
  g_autoptr(GBytes) certificate = NULL;
  g_autoptr(GBytes) received_payload = NULL;
  g_autoptr(GBytes) ping = xi_test_bytes_from_hex (CLIENT_PING);
  g_autoptr(GBytes) success = xi_test_bytes_from_hex (SERVER_SUCCESS);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) opened = NULL;
  g_autoptr(WaNoiseCipher) client_write = NULL;
  g_autoptr(WaNoiseCipher) client_read = NULL;
  g_autoptr(WaNoiseCipher) server_write = NULL;
  g_autoptr(WaNoiseCipher) server_read = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *frame = NULL;
  WaKeyPair root, client_ephemeral, client_static, server_static, server_ephemeral;
  guint8 seen_static[WA_KEY_LEN];
  guint8 seen_client[WA_KEY_LEN];

  key_pair (ROOT_PRIV, &root);
  key_pair (CLIENT_EPHEMERAL, &client_ephemeral);
  key_pair (CLIENT_STATIC, &client_static);
  key_pair (SERVER_STATIC, &server_static);
  key_pair (SERVER_EPHEMERAL, &server_ephemeral);
  assert_key_hex (root.pub, ROOT_PUB);
  assert_key_hex (client_ephemeral.pub, CLIENT_EPHEMERAL_PUB);
  assert_key_hex (client_static.pub, CLIENT_STATIC_PUB);
  assert_key_hex (server_static.pub, SERVER_STATIC_PUB);
  assert_key_hex (server_ephemeral.pub, SERVER_EPHEMERAL_PUB);

  hello = wa_noise_handshake_start (client, &client_ephemeral);
  g_assert_nonnull (hello);
  assert_hex (hello, CLIENT_HELLO);

  /* The first WebSocket message: the connection header, then the frame. */
  first_message = wa_frame_writer_write (client_writer, g_bytes_get_data (hello, NULL),
                                         g_bytes_get_size (hello), &error);
  g_assert_no_error (error);
  assert_hex (first_message, FIRST_MESSAGE);

  g_assert_true (wa_noise_handshake_read_client_hello (server, hello, &error));
  g_assert_no_error (error);
  server_hello = wa_noise_handshake_write_server_hello (server, &server_static, &server_ephemeral,
                                                        chain, &error);
  g_assert_no_error (error);
  assert_hex (server_hello, SERVER_HELLO);

  g_assert_true (wa_noise_handshake_read_server_hello (client, server_hello, seen_static,
                                                       &certificate, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (seen_static, WA_KEY_LEN, server_static.pub, WA_KEY_LEN);
  g_assert_true (g_bytes_equal (certificate, chain));
  g_assert_true (wa_cert_verify (certificate, root.pub, seen_static, NOW, &error));
  g_assert_no_error (error);

  finish = wa_noise_handshake_write_client_finish (client, &client_static, payload, &error);
  g_assert_no_error (error);
  assert_hex (finish, CLIENT_FINISH);

  g_assert_true (wa_noise_handshake_read_client_finish (server, finish, seen_client,
                                                        &received_payload, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (seen_client, WA_KEY_LEN, client_static.pub, WA_KEY_LEN);
  g_assert_true (g_bytes_equal (received_payload, payload));

  g_assert_true (wa_noise_handshake_split (client, &client_write, &client_read, &error));
  g_assert_no_error (error);
  g_assert_true (wa_noise_handshake_split (server, &server_write, &server_read, &error));
  g_assert_no_error (error);

  sealed = seal (client_write, ping);
  frame = framed_hex (sealed);
  g_assert_cmpstr (frame, ==, CLIENT_FRAME);
  opened = open_or_fail (server_read, sealed);
  g_assert_true (g_bytes_equal (opened, ping));

  g_clear_pointer (&sealed, g_bytes_unref);
  g_clear_pointer (&opened, g_bytes_unref);
  g_clear_pointer (&frame, g_free);
  sealed = seal (server_write, success);
  frame = framed_hex (sealed);
  g_assert_cmpstr (frame, ==, SERVER_FRAME);
  opened = open_or_fail (client_read, sealed);
  g_assert_true (g_bytes_equal (opened, success));

  g_assert_cmpuint (wa_noise_cipher_get_counter (client_write), ==, 1);
  g_assert_cmpuint (wa_noise_cipher_get_counter (client_read), ==, 1);
  g_assert_cmpuint (wa_noise_cipher_get_counter (server_write), ==, 1);
  g_assert_cmpuint (wa_noise_cipher_get_counter (server_read), ==, 1);
}

/* A.2's transport keys used directly give the same frames as the ciphers
 * from Split() above, so Split() derives exactly the published keys; and
 * each frame moves the nonce on. */
static void
test_transport_keys (void)
{
  g_autoptr(GBytes) c2s_key = xi_test_bytes_from_hex (KEY_CLIENT_TO_SERVER);
  g_autoptr(GBytes) s2c_key = xi_test_bytes_from_hex (KEY_SERVER_TO_CLIENT);
  g_autoptr(WaNoiseCipher) c2s = wa_noise_cipher_new (g_bytes_get_data (c2s_key, NULL));
  g_autoptr(WaNoiseCipher) s2c = wa_noise_cipher_new (g_bytes_get_data (s2c_key, NULL));
  g_autoptr(WaNoiseCipher) s2c_reader = wa_noise_cipher_new (g_bytes_get_data (s2c_key, NULL));
  g_autoptr(GBytes) ping = xi_test_bytes_from_hex (CLIENT_PING);
  g_autoptr(GBytes) server_frame = unframed (SERVER_FRAME);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) opened = NULL;
  g_autofree char *frame = NULL;

  sealed = seal (c2s, ping);
  frame = framed_hex (sealed);
  g_assert_cmpstr (frame, ==, CLIENT_FRAME);

  opened = open_or_fail (s2c_reader, server_frame);
  assert_hex (opened, SERVER_SUCCESS);

  /* The same plaintext under the next nonce is a different ciphertext. */
  g_clear_pointer (&sealed, g_bytes_unref);
  sealed = seal (s2c, opened);
  g_assert_true (g_bytes_equal (sealed, server_frame));
  g_clear_pointer (&sealed, g_bytes_unref);
  sealed = seal (s2c, opened);
  g_assert_false (g_bytes_equal (sealed, server_frame));
  g_assert_cmpuint (wa_noise_cipher_get_counter (s2c), ==, 2);
}

static void
test_random_keys_and_tampering (void)
{
  WaKeyPair server_static, client_static, root, intermediate;
  g_autoptr(WaNoiseHandshake) client = wa_noise_handshake_new (WA_NOISE_ROLE_INITIATOR);
  g_autoptr(WaNoiseHandshake) server = wa_noise_handshake_new (WA_NOISE_ROLE_RESPONDER);
  g_autoptr(GBytes) chain = NULL;
  g_autoptr(GBytes) payload = g_bytes_new_static ("payload", 7);
  g_autoptr(GBytes) hello = NULL;
  g_autoptr(GBytes) server_hello = NULL;
  g_autoptr(GBytes) certificate = NULL;
  g_autoptr(GBytes) finish = NULL;
  g_autoptr(GBytes) received = NULL;
  g_autoptr(GBytes) tampered = NULL;
  g_autoptr(WaNoiseCipher) client_write = NULL;
  g_autoptr(WaNoiseCipher) client_read = NULL;
  g_autoptr(WaNoiseCipher) server_write = NULL;
  g_autoptr(WaNoiseCipher) server_read = NULL;
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GBytes) next_frame = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *bad = NULL;
  guint8 seen[WA_KEY_LEN];
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  wa_key_pair_generate (&server_static);
  wa_key_pair_generate (&client_static);
  wa_key_pair_generate (&root);
  wa_key_pair_generate (&intermediate);
  chain = wa_cert_build (root.priv, &intermediate, server_static.pub, 7, 8, now - 60, now + 3600);

  hello = wa_noise_handshake_start (client, NULL);
  g_assert_true (wa_noise_handshake_read_client_hello (server, hello, &error));
  g_assert_no_error (error);
  server_hello = wa_noise_handshake_write_server_hello (server, &server_static, NULL, chain,
                                                        &error);
  g_assert_no_error (error);

  /* A flipped bit anywhere in the server hello is refused, and the
   * handshake it hit cannot be continued. */
  bad = g_memdup2 (g_bytes_get_data (server_hello, NULL), g_bytes_get_size (server_hello));
  bad[g_bytes_get_size (server_hello) - 5] ^= 0x01;
  tampered = g_bytes_new (bad, g_bytes_get_size (server_hello));
  {
    g_autoptr(WaNoiseHandshake) victim = wa_noise_handshake_new (WA_NOISE_ROLE_INITIATOR);
    g_autoptr(GBytes) unused_hello = wa_noise_handshake_start (victim, NULL);
    g_autoptr(GBytes) no_certificate = NULL;
    g_autoptr(GBytes) no_finish = NULL;
    g_autoptr(GError) tamper_error = NULL;

    g_assert_false (wa_noise_handshake_read_server_hello (victim, tampered, seen, &no_certificate,
                                                          &tamper_error));
    g_assert_error (tamper_error, WA_ERROR, WA_ERROR_HANDSHAKE);
    g_assert_null (no_certificate);
    g_clear_error (&tamper_error);

    no_finish = wa_noise_handshake_write_client_finish (victim, &client_static, payload,
                                                        &tamper_error);
    g_assert_null (no_finish);
    g_assert_error (tamper_error, WA_ERROR, WA_ERROR_HANDSHAKE);
  }

  g_assert_true (wa_noise_handshake_read_server_hello (client, server_hello, seen, &certificate,
                                                       &error));
  g_assert_no_error (error);
  g_assert_cmpmem (seen, WA_KEY_LEN, server_static.pub, WA_KEY_LEN);
  g_assert_true (wa_cert_verify (certificate, root.pub, seen, now, &error));
  g_assert_no_error (error);
  finish = wa_noise_handshake_write_client_finish (client, &client_static, payload, &error);
  g_assert_no_error (error);
  g_assert_true (wa_noise_handshake_read_client_finish (server, finish, seen, &received, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (seen, WA_KEY_LEN, client_static.pub, WA_KEY_LEN);
  g_assert_true (g_bytes_equal (received, payload));

  g_assert_true (wa_noise_handshake_split (client, &client_write, &client_read, &error));
  g_assert_no_error (error);
  g_assert_true (wa_noise_handshake_split (server, &server_write, &server_read, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GBytes) sent = g_bytes_new_static ("frame", 5);
      g_autoptr(GBytes) sealed = seal (server_write, sent);
      g_autoptr(GBytes) opened = open_or_fail (client_read, sealed);

      g_assert_true (g_bytes_equal (opened, sent));
    }

  /* A damaged transport frame is an error, never garbage. The stream is
   * then dead: even the next frame, whose nonce would match, is refused. */
  frame = wa_noise_cipher_encrypt (client_write, (const guint8 *) "hello", 5, &error);
  g_assert_no_error (error);
  next_frame = wa_noise_cipher_encrypt (client_write, (const guint8 *) "again", 5, &error);
  g_assert_no_error (error);
  g_free (bad);
  bad = g_memdup2 (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame));
  bad[0] ^= 0x80;
  plain = wa_noise_cipher_decrypt (server_read, bad, g_bytes_get_size (frame), &error);
  g_assert_null (plain);
  g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
  g_clear_error (&error);

  plain = wa_noise_cipher_decrypt (server_read, g_bytes_get_data (next_frame, NULL),
                                   g_bytes_get_size (next_frame), &error);
  g_assert_null (plain);
  g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
  g_clear_error (&error);

  /* Shorter than a GCM tag cannot even be tried. */
  {
    g_autoptr(WaNoiseCipher) fresh = wa_noise_cipher_new (root.priv);

    plain = wa_noise_cipher_decrypt (fresh, (const guint8 *) "short", 5, &error);
    g_assert_null (plain);
    g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!wa_crypto_init (NULL))
    return 77;

  g_test_add_func ("/wa/noise/appendix-a2", test_vector);
  g_test_add_func ("/wa/noise/transport-keys", test_transport_keys);
  g_test_add_func ("/wa/noise/random-keys-and-tampering", test_random_keys_and_tampering);

  return g_test_run ();
}
