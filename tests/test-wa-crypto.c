/* test-wa-crypto.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "wa-adv.pb-c.h"
#include "wa-crypto.h"
#include "wa-error.h"
#include "xi-test-utils.h"

/* Known answers come from the RFCs and NIST publications named at each
 * test, and from WA-PROTOCOL.md Appendix A.3 (ADV) and A.4 (media). */

#define assert_hex(data, len, expected)                         \
  G_STMT_START {                                                \
    g_autofree char *hex_ = xi_test_hex ((data), (len));        \
    g_assert_cmpstr (hex_, ==, (expected));                     \
  } G_STMT_END

#define assert_bytes_hex(bytes, expected)                       \
  assert_hex (g_bytes_get_data ((bytes), NULL), g_bytes_get_size ((bytes)), (expected))

static GBytes *
unhex (const char *hex)
{
  return xi_test_bytes_from_hex (hex);
}

static const guint8 *
data_of (GBytes *bytes)
{
  return g_bytes_get_data (bytes, NULL);
}

/* FIPS 180-2 examples. */
static void
test_sha256 (void)
{
  guint8 digest[WA_SHA256_LEN];

  wa_crypto_sha256 ((const guint8 *) "abc", 3, digest);
  assert_hex (digest, sizeof digest, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  wa_crypto_sha256 (NULL, 0, digest);
  assert_hex (digest, sizeof digest, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  wa_crypto_sha256 ((const guint8 *) "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, digest);
  assert_hex (digest, sizeof digest, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* RFC 1321 §A.5. */
static void
test_md5 (void)
{
  g_autoptr(GError) error = NULL;
  guint8 digest[WA_MD5_LEN];

  g_assert_true (wa_crypto_md5 ((const guint8 *) "abc", 3, digest, &error));
  g_assert_no_error (error);
  assert_hex (digest, sizeof digest, "900150983cd24fb0d6963f7d28e17f72");
}

/* RFC 4231 test cases 1, 2 and 6 (a key longer than the block). */
static void
test_hmac_sha256 (void)
{
  guint8 key[131];
  guint8 mac[WA_SHA256_LEN];
  const char *msg6 = "Test Using Larger Than Block-Size Key - Hash Key First";

  memset (key, 0x0b, 20);
  wa_crypto_hmac_sha256 (key, 20, (const guint8 *) "Hi There", 8, mac);
  assert_hex (mac, sizeof mac, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

  wa_crypto_hmac_sha256 ((const guint8 *) "Jefe", 4,
                         (const guint8 *) "what do ya want for nothing?", 28, mac);
  assert_hex (mac, sizeof mac, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

  memset (key, 0xaa, sizeof key);
  wa_crypto_hmac_sha256 (key, sizeof key, (const guint8 *) msg6, strlen (msg6), mac);
  assert_hex (mac, sizeof mac, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

/* All seven cases of RFC 4231 through the streaming HMAC, fed a byte at
 * a time and in one piece, each HMAC finished twice to show that
 * finishing starts it over with the same key. Case 5 compares the first
 * 128 bits, as the RFC truncates it. */
static void
test_hmac_rfc4231 (void)
{
  static const struct
  {
    guint8      key_byte;
    gsize       key_len;
    const char *data;
    guint8      data_byte;
    gsize       data_len;
    const char *mac;
  } cases[] = {
    { 0x0b, 20, "Hi There", 0, 8,
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
    { 0, 4, "what do ya want for nothing?", 0, 28,
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
    { 0xaa, 20, NULL, 0xdd, 50,
      "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
    { 0, 25, NULL, 0xcd, 50,
      "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
    { 0x0c, 20, "Test With Truncation", 0, 20,
      "a3b6167473100ee06e0c796c2955552b" },
    { 0xaa, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 0, 54,
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
    { 0xaa, 131, "This is a test using a larger than block-size key and a larger than "
                 "block-size data. The key needs to be hashed before being used by the "
                 "HMAC algorithm.", 0, 152,
      "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WaHmac) hmac = NULL;
      guint8 key[131], data[152];
      guint8 mac[WA_SHA256_LEN], again[WA_SHA256_LEN], one_shot[WA_SHA256_LEN];
      g_autofree char *hex = NULL;

      if (i == 1)
        memcpy (key, "Jefe", 4);
      else if (i == 3)
        for (guint k = 0; k < cases[i].key_len; k++)
          key[k] = k + 1;
      else
        memset (key, cases[i].key_byte, cases[i].key_len);
      if (cases[i].data != NULL)
        memcpy (data, cases[i].data, cases[i].data_len);
      else
        memset (data, cases[i].data_byte, cases[i].data_len);

      hmac = wa_hmac_new (key, cases[i].key_len);
      for (gsize k = 0; k < cases[i].data_len; k++)
        wa_hmac_update (hmac, data + k, 1);
      wa_hmac_finish (hmac, mac);
      wa_hmac_update (hmac, data, cases[i].data_len);
      wa_hmac_finish (hmac, again);
      wa_crypto_hmac_sha256 (key, cases[i].key_len, data, cases[i].data_len, one_shot);

      hex = xi_test_hex (mac, sizeof mac);
      hex[strlen (cases[i].mac)] = '\0';
      g_assert_cmpstr (hex, ==, cases[i].mac);
      g_assert_cmpmem (again, sizeof again, mac, sizeof mac);
      g_assert_cmpmem (one_shot, sizeof one_shot, mac, sizeof mac);
    }
}

/* RFC 4231 test case 2, after an HMAC under another key was fed and
 * freed unfinished on the same thread: a freed HMAC is kept for the
 * thread's next one, and nothing of its key or input may carry over. */
static gpointer
hmac_after_abandoned (gpointer data)
{
  static const char expected[] = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
  static const char text[] = "what do ya want for nothing?";
  guint8 other_key[20];
  guint8 mac[WA_SHA256_LEN];
  g_autofree char *hex = NULL;
  WaHmac *abandoned;
  WaHmac *hmac;

  memset (other_key, 0x0b, sizeof other_key);
  abandoned = wa_hmac_new (other_key, sizeof other_key);
  wa_hmac_update (abandoned, (const guint8 *) "Hi There", 8);
  wa_hmac_free (abandoned);

  hmac = wa_hmac_new ((const guint8 *) "Jefe", 4);
  wa_hmac_update (hmac, (const guint8 *) text, strlen (text));
  wa_hmac_finish (hmac, mac);
  wa_hmac_free (hmac);

  hex = xi_test_hex (mac, sizeof mac);
  g_assert_cmpstr (hex, ==, expected);
  return NULL;
}

/* Also run under valgrind (wa-crypto-leaks): what a thread keeps for its
 * next HMAC is freed when the thread ends. */
static void
test_hmac_reuse (void)
{
  GThread *threads[4];

  hmac_after_abandoned (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("hmac", hmac_after_abandoned, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

/* RFC 5869 appendix A, test cases 1 to 3. */
static void
test_hkdf_rfc5869 (void)
{
  guint8 ikm[80], salt[80], info[80], okm[82];

  /* 1: basic */
  memset (ikm, 0x0b, 22);
  for (guint i = 0; i < 13; i++)
    salt[i] = i;
  for (guint i = 0; i < 10; i++)
    info[i] = 0xf0 + i;
  wa_crypto_hkdf_sha256 (salt, 13, ikm, 22, info, 10, okm, 42);
  assert_hex (okm, 42, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");

  /* 2: longer inputs, output spanning three blocks */
  for (guint i = 0; i < 80; i++)
    {
      ikm[i] = i;
      salt[i] = 0x60 + i;
      info[i] = 0xb0 + i;
    }
  wa_crypto_hkdf_sha256 (salt, 80, ikm, 80, info, 80, okm, 82);
  assert_hex (okm, 82,
              "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
              "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
              "cc30c58179ec3e87c14c01d5c1f3434f1d87");

  /* 3: no salt (32 zero bytes) and no info */
  memset (ikm, 0x0b, 22);
  wa_crypto_hkdf_sha256 (NULL, 0, ikm, 22, NULL, 0, okm, 42);
  assert_hex (okm, 42, "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

/* Any length up to 255 blocks; shorter outputs are prefixes of longer ones. */
static void
test_hkdf_lengths (void)
{
  static const gsize lengths[] = { 0, 1, 31, 32, 33, 64, 112, WA_HKDF_MAX_LEN };
  g_autofree guint8 *longest = g_malloc (WA_HKDF_MAX_LEN);
  guint8 zeros[32] = { 0 };
  guint8 a[40], b[40];

  wa_crypto_hkdf_sha256 (NULL, 0, (const guint8 *) "ikm", 3, (const guint8 *) "info", 4,
                         longest, WA_HKDF_MAX_LEN);
  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      g_autofree guint8 *out = g_malloc0 (MAX (lengths[i], 1));

      wa_crypto_hkdf_sha256 (NULL, 0, (const guint8 *) "ikm", 3, (const guint8 *) "info", 4,
                             out, lengths[i]);
      g_assert_cmpmem (out, lengths[i], longest, lengths[i]);
    }

  /* A NULL salt is the RFC's default of HashLen zero bytes. */
  wa_crypto_hkdf_sha256 (NULL, 0, (const guint8 *) "ikm", 3, NULL, 0, a, sizeof a);
  wa_crypto_hkdf_sha256 (zeros, sizeof zeros, (const guint8 *) "ikm", 3, NULL, 0, b, sizeof b);
  g_assert_cmpmem (a, sizeof a, b, sizeof b);
}

static void
check_gcm_backend (gboolean openssl)
{
  guint8 key[32] = { 0 };
  guint8 iv[12] = { 0 };
  guint8 zeros[16] = { 0 };
  g_autoptr(GBytes) empty = NULL;
  g_autoptr(GBytes) block = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) opened = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *damaged = NULL;
  gsize sealed_len;

  _wa_crypto_force_openssl_gcm (openssl);

  /* McGrew & Viega, "The Galois/Counter Mode of Operation", test cases
   * 13 and 14 (AES-256, zero key and IV). */
  empty = wa_crypto_aes_gcm_seal (key, iv, NULL, 0, NULL, 0, &error);
  g_assert_no_error (error);
  assert_bytes_hex (empty, "530f8afbc74536b9a963b4f1c4cb738b");
  block = wa_crypto_aes_gcm_seal (key, iv, NULL, 0, zeros, sizeof zeros, &error);
  g_assert_no_error (error);
  assert_bytes_hex (block, "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
  opened = wa_crypto_aes_gcm_open (key, iv, NULL, 0, data_of (empty), g_bytes_get_size (empty), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (opened), ==, 0);
  g_clear_pointer (&opened, g_bytes_unref);

  /* Round trip with AAD. */
  wa_crypto_random (key, sizeof key);
  wa_crypto_random (iv, sizeof iv);
  sealed = wa_crypto_aes_gcm_seal (key, iv, (const guint8 *) "aad", 3, (const guint8 *) "secret", 6, &error);
  g_assert_no_error (error);
  sealed_len = g_bytes_get_size (sealed);
  g_assert_cmpuint (sealed_len, ==, 6 + WA_GCM_TAG_LEN);
  opened = wa_crypto_aes_gcm_open (key, iv, (const guint8 *) "aad", 3, data_of (sealed), sealed_len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (data_of (opened), g_bytes_get_size (opened), "secret", 6);

  /* Tampering with the ciphertext, the tag, the AAD or the IV is caught. */
  damaged = g_memdup2 (data_of (sealed), sealed_len);
  for (gsize i = 0; i < sealed_len; i++)
    {
      damaged[i] ^= 0x01;
      g_assert_null (wa_crypto_aes_gcm_open (key, iv, (const guint8 *) "aad", 3, damaged, sealed_len, &error));
      g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
      g_clear_error (&error);
      damaged[i] ^= 0x01;
    }
  g_assert_null (wa_crypto_aes_gcm_open (key, iv, (const guint8 *) "AAD", 3, damaged, sealed_len, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
  g_clear_error (&error);
  iv[11] ^= 0x01;
  g_assert_null (wa_crypto_aes_gcm_open (key, iv, (const guint8 *) "aad", 3, damaged, sealed_len, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
  g_clear_error (&error);

  /* Shorter than a tag. */
  g_assert_null (wa_crypto_aes_gcm_open (key, iv, NULL, 0, damaged, WA_GCM_TAG_LEN - 1, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);

  _wa_crypto_force_openssl_gcm (FALSE);
}

static void
test_aes_gcm (void)
{
  check_gcm_backend (FALSE);
  check_gcm_backend (TRUE);
}

/* Whichever backend runs, the bytes are the same. */
static void
test_aes_gcm_backends_agree (void)
{
  guint8 key[32], iv[12], aad[40], plain[1000];
  g_autoptr(GError) error = NULL;

  wa_crypto_random (key, sizeof key);
  wa_crypto_random (iv, sizeof iv);
  wa_crypto_random (aad, sizeof aad);
  wa_crypto_random (plain, sizeof plain);

  for (gsize len = 0; len <= sizeof plain; len += 97)
    {
      g_autoptr(GBytes) by_sodium = NULL;
      g_autoptr(GBytes) by_openssl = NULL;
      g_autoptr(GBytes) opened = NULL;

      by_sodium = wa_crypto_aes_gcm_seal (key, iv, aad, sizeof aad, plain, len, &error);
      g_assert_no_error (error);
      _wa_crypto_force_openssl_gcm (TRUE);
      by_openssl = wa_crypto_aes_gcm_seal (key, iv, aad, sizeof aad, plain, len, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (by_sodium, by_openssl));
      opened = wa_crypto_aes_gcm_open (key, iv, aad, sizeof aad, data_of (by_sodium),
                                       g_bytes_get_size (by_sodium), &error);
      g_assert_no_error (error);
      g_assert_cmpmem (data_of (opened), g_bytes_get_size (opened), plain, len);
      _wa_crypto_force_openssl_gcm (FALSE);
    }
}

#define SP800_KEY   "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"
#define SP800_PLAIN "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"

/* NIST SP 800-38A F.2.5 (CBC-AES256), two blocks, plus the PKCS#7 block. */
static void
test_aes_cbc (void)
{
  g_autoptr(GBytes) key = unhex (SP800_KEY);
  g_autoptr(GBytes) plain = unhex (SP800_PLAIN);
  g_autoptr(GBytes) cipher = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *damaged = NULL;
  guint8 iv[16];
  guint8 buffer[48];

  for (guint i = 0; i < sizeof iv; i++)
    iv[i] = i;

  cipher = wa_crypto_aes_cbc_encrypt (data_of (key), iv, data_of (plain), 32, &error);
  g_assert_no_error (error);
  assert_bytes_hex (cipher, "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
                            "3a3aa5e0213db1a9901f9036cf5102d2");
  back = wa_crypto_aes_cbc_decrypt (data_of (key), iv, data_of (cipher), 48, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, plain));

  /* Every length pads to the next whole block and comes back. */
  wa_crypto_random (buffer, sizeof buffer);
  for (gsize len = 0; len <= 33; len++)
    {
      g_autoptr(GBytes) c = wa_crypto_aes_cbc_encrypt (data_of (key), iv, buffer, len, &error);
      g_autoptr(GBytes) p = NULL;

      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (c), ==, (len / 16 + 1) * 16);
      p = wa_crypto_aes_cbc_decrypt (data_of (key), iv, data_of (c), g_bytes_get_size (c), &error);
      g_assert_no_error (error);
      g_assert_cmpmem (data_of (p), g_bytes_get_size (p), buffer, len);
    }

  /* Not whole blocks. */
  g_assert_null (wa_crypto_aes_cbc_decrypt (data_of (key), iv, data_of (cipher), 47, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
  g_clear_error (&error);
  g_assert_null (wa_crypto_aes_cbc_decrypt (data_of (key), iv, data_of (cipher), 0, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
  g_clear_error (&error);

  /* Damaged padding: changing the second-to-last block changes the
   * padding bytes of the last one. CBC has no integrity beyond this; media
   * rely on the HMAC checked before decrypting. */
  damaged = g_memdup2 (data_of (cipher), 48);
  damaged[31] ^= 0x01;
  g_assert_null (wa_crypto_aes_cbc_decrypt (data_of (key), iv, damaged, 48, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
}

/* NIST SP 800-38A F.5.5 (CTR-AES256), two blocks; same call both ways. */
static void
test_aes_ctr (void)
{
  g_autoptr(GBytes) key = unhex (SP800_KEY);
  g_autoptr(GBytes) counter = unhex ("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  g_autoptr(GBytes) plain = unhex (SP800_PLAIN);
  g_autoptr(GBytes) cipher = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GBytes) partial = NULL;
  g_autoptr(GError) error = NULL;

  cipher = wa_crypto_aes_ctr (data_of (key), data_of (counter), data_of (plain), 32, &error);
  g_assert_no_error (error);
  assert_bytes_hex (cipher, "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5");
  back = wa_crypto_aes_ctr (data_of (key), data_of (counter), data_of (cipher), 32, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, plain));

  /* No padding: any length, and a prefix of the stream. */
  partial = wa_crypto_aes_ctr (data_of (key), data_of (counter), data_of (plain), 21, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (data_of (partial), g_bytes_get_size (partial), data_of (cipher), 21);
}

/* WA-PROTOCOL.md Appendix A.4: an image encrypted for upload. */
static void
test_media_vector (void)
{
  g_autoptr(GBytes) media_key = unhex ("3c94388cc2e9dccf711e0ccf211206ad8eb19c9d9818a0dd8cc3e5caf4fa1bb0");
  const char *info = "WhatsApp Image Keys";
  const char *plain = "hello whatsapp media";
  g_autoptr(GBytes) enc = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GByteArray) mac_input = g_byte_array_new ();
  g_autoptr(GByteArray) upload = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  guint8 expanded[112];
  guint8 mac[WA_SHA256_LEN];
  guint8 digest[WA_SHA256_LEN];
  const guint8 *iv = expanded;
  const guint8 *cipher_key = expanded + 16;
  const guint8 *mac_key = expanded + 48;

  wa_crypto_hkdf_sha256 (NULL, 0, data_of (media_key), 32, (const guint8 *) info, strlen (info),
                         expanded, sizeof expanded);
  assert_hex (expanded, 16, "f8f09297cff729230ba14252d4e52bde");
  assert_hex (expanded + 16, 32, "a5ecff78b44fb58bf869db60a0f77e55e0f4f53db0f4204a309ce537700d26b6");
  assert_hex (expanded + 48, 32, "c07a73350568e1360d38e8a8c04fcbb1b60290320f0407ff3083c5e985f827c0");
  assert_hex (expanded + 80, 32, "3a094244fb860272e060085f09f91b973cbe1757c3f1e9e13d3b8106fd2a2f87");

  enc = wa_crypto_aes_cbc_encrypt (cipher_key, iv, (const guint8 *) plain, strlen (plain), &error);
  g_assert_no_error (error);
  assert_bytes_hex (enc, "b2ba834c6f6a562f5ea74928d0da81c79520ac3cf5ca97675caedad78497bfcf");

  g_byte_array_append (mac_input, iv, 16);
  g_byte_array_append (mac_input, data_of (enc), g_bytes_get_size (enc));
  wa_crypto_hmac_sha256 (mac_key, 32, mac_input->data, mac_input->len, mac);
  assert_hex (mac, 10, "1d0a6b4ea5f3ec76487e");

  wa_crypto_sha256 ((const guint8 *) plain, strlen (plain), digest);
  assert_hex (digest, sizeof digest, "5f478949945acb950dc5264ab9f5e8d4d8cf02599b1fe0c30d4f8780543beb00");

  g_byte_array_append (upload, data_of (enc), g_bytes_get_size (enc));
  g_byte_array_append (upload, mac, 10);
  wa_crypto_sha256 (upload->data, upload->len, digest);
  assert_hex (digest, sizeof digest, "5be031ac1cefc4ff7996351e9702079eb25fc3ccabfc59818346564b93402b4d");

  /* base64url with the padding kept, as whatsmeow sends it. */
  token = g_base64_encode (digest, sizeof digest);
  g_strdelimit (token, "+", '-');
  g_strdelimit (token, "/", '_');
  g_assert_cmpstr (token, ==, "W-AxrBzvxP95ljUelwIHnrJfw8yr_FmBg0ZWS5NAK00=");

  back = wa_crypto_aes_cbc_decrypt (cipher_key, iv, data_of (enc), g_bytes_get_size (enc), &error);
  g_assert_no_error (error);
  g_assert_cmpmem (data_of (back), g_bytes_get_size (back), plain, strlen (plain));
}

/* RFC 7748 §6.1, then random pairs agree both ways. */
static void
test_x25519 (void)
{
  g_autoptr(GBytes) alice_priv = unhex ("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  g_autoptr(GBytes) bob_priv = unhex ("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  g_autoptr(GError) error = NULL;
  guint8 zero_point[32] = { 0 };
  guint8 shared_a[32], shared_b[32];
  WaKeyPair alice, bob, a, b;

  wa_key_pair_from_private (&alice, data_of (alice_priv));
  wa_key_pair_from_private (&bob, data_of (bob_priv));
  assert_hex (alice.pub, 32, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  assert_hex (bob.pub, 32, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  g_assert_true (wa_crypto_x25519 (alice.priv, bob.pub, shared_a, &error));
  g_assert_no_error (error);
  assert_hex (shared_a, 32, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

  /* Stored private keys are clamped. */
  g_assert_cmpint (alice.priv[0] & 7, ==, 0);
  g_assert_cmpint (alice.priv[31] & 0xc0, ==, 0x40);

  for (guint i = 0; i < 8; i++)
    {
      wa_key_pair_generate (&a);
      wa_key_pair_generate (&b);
      g_assert_cmpint (a.priv[0] & 7, ==, 0);
      g_assert_cmpint (a.priv[31] & 0xc0, ==, 0x40);
      g_assert_true (wa_crypto_x25519 (a.priv, b.pub, shared_a, NULL));
      g_assert_true (wa_crypto_x25519 (b.priv, a.pub, shared_b, NULL));
      g_assert_cmpmem (shared_a, 32, shared_b, 32);
    }

  /* A low-order point would give an all-zero secret. */
  g_assert_false (wa_crypto_x25519 (a.priv, zero_point, shared_a, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);

  wa_key_pair_clear (&a);
  g_assert_cmpmem (a.priv, 32, zero_point, 32);
}

static void
test_sign_verify (void)
{
  const char *message = "certificate details";
  guint8 signature[64], again[64];
  guint8 changed[32];
  WaKeyPair pair, other;

  wa_key_pair_generate (&pair);
  wa_key_pair_generate (&other);

  wa_crypto_sign (pair.priv, (const guint8 *) message, strlen (message), signature);
  g_assert_true (wa_crypto_verify (pair.pub, (const guint8 *) message, strlen (message), signature));

  /* Fresh randomness each time: same input, different signature, both valid. */
  wa_crypto_sign (pair.priv, (const guint8 *) message, strlen (message), again);
  g_assert_true (memcmp (signature, again, 64) != 0);
  g_assert_true (wa_crypto_verify (pair.pub, (const guint8 *) message, strlen (message), again));

  /* A flipped bit in the message or anywhere in the signature fails,
   * including the Edwards sign bit carried in byte 63, as does another key. */
  memcpy (changed, message, strlen (message));
  changed[0] ^= 0x01;
  g_assert_false (wa_crypto_verify (pair.pub, changed, strlen (message), signature));
  for (guint i = 0; i < 64; i++)
    {
      guint8 bit = i == 63 ? 0x80 : (guint8) (1u << (i % 8));

      signature[i] ^= bit;
      g_assert_false (wa_crypto_verify (pair.pub, (const guint8 *) message, strlen (message), signature));
      signature[i] ^= bit;
    }
  g_assert_false (wa_crypto_verify (other.pub, (const guint8 *) message, strlen (message), signature));

  /* Empty messages work too. */
  wa_crypto_sign (pair.priv, NULL, 0, signature);
  g_assert_true (wa_crypto_verify (pair.pub, NULL, 0, signature));
}

/* WA-PROTOCOL.md Appendix A.3 */

#define ADV_SECRET       "20350f7f317b020f23bc17421d94c7c6660c452f14bd67004ec5b0cbfd12941a"
#define PHONE_PRIV       "48e43500a5af5462e51197c4889b6bbaf0eba69be7b8802c85cca2720087337a"
#define ACCOUNT_KEY      "6aa526f3bab59120df91afd4c62d1bbc3f624ce0835cb7e3d39ee2d76d128247"
#define COMPANION_PRIV   "688da101651017967aff1d887eae39b8d403f739830f35dd8423bb470683095b"
#define COMPANION_PUB    "b7274a46ba1f46f7a9e33a234a25a3042ce9851d709e3d2be583a9b68d3a8c17"
#define DEVICE_DETAILS   "08959aef3a1080e2cfaa06180120002800"
#define ACCOUNT_SIG                                                             \
  "12a9a6438d4bd67753560a7d40fe0ad8e604a8f13925f6e4aed42b79ea0b49b1"            \
  "18dd06fbae72c5935594552c498555b2db05c756e3220792c076aea65148f80d"
#define SIGNED_IDENTITY                                                         \
  "0a1108959aef3a1080e2cfaa0618012000280012206aa526f3bab59120df91af"            \
  "d4c62d1bbc3f624ce0835cb7e3d39ee2d76d1282471a4012a9a6438d4bd67753"            \
  "560a7d40fe0ad8e604a8f13925f6e4aed42b79ea0b49b118dd06fbae72c59355"            \
  "94552c498555b2db05c756e3220792c076aea65148f80d"
#define ADV_HMAC         "57e368e601719f1c0c8bb242e64e077c579ef530117326006df06cae695c3a0f"
#define DEVICE_IDENTITY_NODE                                                    \
  "0a770a1108959aef3a1080e2cfaa0618012000280012206aa526f3bab59120df"            \
  "91afd4c62d1bbc3f624ce0835cb7e3d39ee2d76d1282471a4012a9a6438d4bd6"            \
  "7753560a7d40fe0ad8e604a8f13925f6e4aed42b79ea0b49b118dd06fbae72c5"            \
  "935594552c498555b2db05c756e3220792c076aea65148f80d122057e368e601"            \
  "719f1c0c8bb242e64e077c579ef530117326006df06cae695c3a0f1800"
#define DEVICE_SIG                                                              \
  "ad11d502c959924a9b29254be391c72002c560faebfc9d55874af9317c000dde"            \
  "bece563135872c463cc81ed83a202b95c04e27998074cf091ca66ce39bb8180f"

static GByteArray *
concat (const guint8 prefix[2],
        ...)
{
  GByteArray *out = g_byte_array_new ();
  va_list args;
  GBytes *part;

  g_byte_array_append (out, prefix, 2);
  va_start (args, prefix);
  while ((part = va_arg (args, GBytes *)) != NULL)
    g_byte_array_append (out, data_of (part), g_bytes_get_size (part));
  va_end (args);

  return out;
}

static void
test_adv_vector (void)
{
  static const guint8 account_prefix[2] = { 6, 0 };
  static const guint8 device_prefix[2] = { 6, 1 };
  static const guint8 zero_random[64] = { 0 };
  g_autoptr(GBytes) adv_secret = unhex (ADV_SECRET);
  g_autoptr(GBytes) phone_priv = unhex (PHONE_PRIV);
  g_autoptr(GBytes) companion_priv = unhex (COMPANION_PRIV);
  g_autoptr(GBytes) companion_pub = unhex (COMPANION_PUB);
  g_autoptr(GBytes) node = unhex (DEVICE_IDENTITY_NODE);
  g_autoptr(GBytes) details = NULL;
  g_autoptr(GBytes) account_key = NULL;
  g_autoptr(GByteArray) account_message = NULL;
  g_autoptr(GByteArray) device_message = NULL;
  WaAdv__ADVSignedDeviceIdentityHMAC *container;
  WaAdv__ADVSignedDeviceIdentity *identity;
  WaAdv__ADVDeviceIdentity *device;
  WaKeyPair phone, companion;
  guint8 mac[WA_SHA256_LEN];
  guint8 signature[64];

  wa_key_pair_from_private (&phone, data_of (phone_priv));
  wa_key_pair_from_private (&companion, data_of (companion_priv));
  assert_hex (phone.pub, 32, ACCOUNT_KEY);
  assert_hex (companion.pub, 32, COMPANION_PUB);

  /* The pair-success content parses into the HMAC container … */
  container = wa_adv__advsigned_device_identity_hmac__unpack (NULL, g_bytes_get_size (node), data_of (node));
  g_assert_nonnull (container);
  g_assert_true (container->has_details && container->has_hmac);
  assert_hex (container->details.data, container->details.len, SIGNED_IDENTITY);
  assert_hex (container->hmac.data, container->hmac.len, ADV_HMAC);
  g_assert_true (container->has_account_type);
  g_assert_cmpint (container->account_type, ==, WA_ADV__ADVENCRYPTION_TYPE__E2EE);

  /* … whose HMAC (no prefix for E2EE accounts) matches. */
  wa_crypto_hmac_sha256 (data_of (adv_secret), 32, container->details.data, container->details.len, mac);
  assert_hex (mac, 32, ADV_HMAC);
  g_assert_true (wa_crypto_equal (mac, container->hmac.data, 32));

  /* The signed identity and the device identity inside it. */
  identity = wa_adv__advsigned_device_identity__unpack (NULL, container->details.len, container->details.data);
  g_assert_nonnull (identity);
  assert_hex (identity->details.data, identity->details.len, DEVICE_DETAILS);
  assert_hex (identity->account_signature_key.data, identity->account_signature_key.len, ACCOUNT_KEY);
  assert_hex (identity->account_signature.data, identity->account_signature.len, ACCOUNT_SIG);
  g_assert_false (identity->has_device_signature);
  device = wa_adv__advdevice_identity__unpack (NULL, identity->details.len, identity->details.data);
  g_assert_nonnull (device);
  g_assert_cmpuint (device->raw_id, ==, 123456789);
  g_assert_cmpuint (device->timestamp, ==, 1700000000);
  g_assert_cmpuint (device->key_index, ==, 1);
  g_assert_cmpint (device->device_type, ==, WA_ADV__ADVENCRYPTION_TYPE__E2EE);

  details = g_bytes_new (identity->details.data, identity->details.len);
  account_key = g_bytes_new (identity->account_signature_key.data, 32);

  /* accountSignature over 06 00 || details || own identity. */
  account_message = concat (account_prefix, details, companion_pub, NULL);
  g_assert_true (wa_crypto_verify (data_of (account_key), account_message->data, account_message->len,
                                   identity->account_signature.data));
  /* The same signature must not pass as a device signature. */
  account_message->data[1] = 1;
  g_assert_false (wa_crypto_verify (data_of (account_key), account_message->data, account_message->len,
                                    identity->account_signature.data));

  /* deviceSignature over 06 01 || details || own identity || account key:
   * the vector's (zero randomness) verifies and is reproduced exactly … */
  device_message = concat (device_prefix, details, companion_pub, account_key, NULL);
  {
    g_autoptr(GBytes) vector_signature = unhex (DEVICE_SIG);

    g_assert_true (wa_crypto_verify (companion.pub, device_message->data, device_message->len,
                                     data_of (vector_signature)));
  }
  wa_crypto_sign_with_random (companion.priv, device_message->data, device_message->len,
                              zero_random, signature);
  assert_hex (signature, 64, DEVICE_SIG);

  /* … and one made the real way verifies too, but not with the phone's key. */
  wa_crypto_sign (companion.priv, device_message->data, device_message->len, signature);
  g_assert_true (wa_crypto_verify (companion.pub, device_message->data, device_message->len, signature));
  g_assert_false (wa_crypto_verify (phone.pub, device_message->data, device_message->len, signature));

  /* The phone side of the vector: its account signature is reproducible. */
  account_message->data[1] = 0;
  wa_crypto_sign_with_random (phone.priv, account_message->data, account_message->len, zero_random, signature);
  assert_hex (signature, 64, ACCOUNT_SIG);

  wa_adv__advdevice_identity__free_unpacked (device, NULL);
  wa_adv__advsigned_device_identity__free_unpacked (identity, NULL);
  wa_adv__advsigned_device_identity_hmac__free_unpacked (container, NULL);
}

static void
test_random (void)
{
  guint8 a[32] = { 0 }, b[32] = { 0 }, zeros[32] = { 0 };

  wa_crypto_random (a, sizeof a);
  wa_crypto_random (b, sizeof b);
  g_assert_true (memcmp (a, zeros, 32) != 0);
  g_assert_true (memcmp (a, b, 32) != 0);
  g_assert_false (wa_crypto_equal (a, b, 32));
  g_assert_true (wa_crypto_equal (a, a, 32));

  wa_crypto_wipe (a, sizeof a);
  g_assert_cmpmem (a, 32, zeros, 32);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);

  if (!wa_crypto_init (&error))
    g_error ("%s", error->message);

  g_test_add_func ("/wa/crypto/sha256", test_sha256);
  g_test_add_func ("/wa/crypto/md5", test_md5);
  g_test_add_func ("/wa/crypto/hmac-sha256", test_hmac_sha256);
  g_test_add_func ("/wa/crypto/hmac-rfc4231", test_hmac_rfc4231);
  g_test_add_func ("/wa/crypto/hmac-reuse", test_hmac_reuse);
  g_test_add_func ("/wa/crypto/hkdf-rfc5869", test_hkdf_rfc5869);
  g_test_add_func ("/wa/crypto/hkdf-lengths", test_hkdf_lengths);
  g_test_add_func ("/wa/crypto/aes-gcm", test_aes_gcm);
  g_test_add_func ("/wa/crypto/aes-gcm-backends-agree", test_aes_gcm_backends_agree);
  g_test_add_func ("/wa/crypto/aes-cbc", test_aes_cbc);
  g_test_add_func ("/wa/crypto/aes-ctr", test_aes_ctr);
  g_test_add_func ("/wa/crypto/media-a4", test_media_vector);
  g_test_add_func ("/wa/crypto/x25519", test_x25519);
  g_test_add_func ("/wa/crypto/sign-verify", test_sign_verify);
  g_test_add_func ("/wa/crypto/adv-a3", test_adv_vector);
  g_test_add_func ("/wa/crypto/random", test_random);

  return g_test_run ();
}
