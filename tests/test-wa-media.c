/* test-wa-media.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fakewa-server.h"
#include "wa-crypto.h"
#include "wa-error.h"
#include "wa-key-store.h"
#include "wa-media.h"
#include "wa-media-stream.h"
#include "xi-test-utils.h"

/*
 * Media blobs (protocol notes §10): the encryption against the notes'
 * vector A.4 and each type's keys, then uploads and downloads through
 * the fake server's media host with its faults: media_conn is asked once
 * per TTL, a refused upload is redone once with a fresh one, and a
 * download that was tampered with is refused. The same again over HTTPS,
 * the host's certificate from a CA made for the test run and trusted by
 * the client alone; a client that does not trust it reaches nothing.
 * Uploads are encrypted as they are sent: the stream makes the very blob
 * the one-shot encryption does, and draining it for a 64 MB file never
 * holds the file twice.
 */

#define MEDIA_KEY "3c94388cc2e9dccf711e0ccf211206ad8eb19c9d9818a0dd8cc3e5caf4fa1bb0"
#define PLAIN     "hello whatsapp media"
#define BLOB      "b2ba834c6f6a562f5ea74928d0da81c79520ac3cf5ca97675caedad78497bfcf1d0a6b4ea5f3ec76487e"
#define FILE_SHA  "5f478949945acb950dc5264ab9f5e8d4d8cf02599b1fe0c30d4f8780543beb00"
#define ENC_SHA   "5be031ac1cefc4ff7996351e9702079eb25fc3ccabfc59818346564b93402b4d"

typedef struct
{
  FakewaServer *server;
  WaKeyStore   *store;
  WaClient     *client;
  char         *ca_dir;   /* the test CA's, for the HTTPS host */
} Fixture;

#define HTTPS ((gconstpointer) "https")

static void
test_vector (void)
{
  g_autoptr(GBytes) key = xi_test_bytes_from_hex (MEDIA_KEY);
  g_autoptr(GBytes) plain = g_bytes_new_static (PLAIN, strlen (PLAIN));
  g_autoptr(GBytes) enc_sha = xi_test_bytes_from_hex (ENC_SHA);
  g_autoptr(GBytes) file_sha = xi_test_bytes_from_hex (FILE_SHA);
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hex = NULL;
  WaMediaRef ref = { "/v/x", key, enc_sha, file_sha };

  blob = wa_media_encrypt (WA_MEDIA_IMAGE, key, plain, &error);
  g_assert_no_error (error);
  hex = xi_test_hex (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
  g_assert_cmpstr (hex, ==, BLOB);
  back = wa_media_decrypt (WA_MEDIA_IMAGE, &ref, blob, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, plain));

  g_assert_cmpstr (wa_media_type_info (WA_MEDIA_IMAGE), ==, "WhatsApp Image Keys");
  g_assert_cmpstr (wa_media_type_info (WA_MEDIA_VIDEO), ==, "WhatsApp Video Keys");
  g_assert_cmpstr (wa_media_type_info (WA_MEDIA_AUDIO), ==, "WhatsApp Audio Keys");
  g_assert_cmpstr (wa_media_type_info (WA_MEDIA_DOCUMENT), ==, "WhatsApp Document Keys");
  g_assert_cmpstr (wa_media_type_mms (WA_MEDIA_IMAGE), ==, "image");
  g_assert_cmpstr (wa_media_type_mms (WA_MEDIA_DOCUMENT), ==, "document");
}

/* Each type has its own keys: a document cannot pass for an image, and
 * a blob or plaintext that differs in one bit is refused. */
static void
test_refusals (void)
{
  g_autoptr(GBytes) key = xi_test_bytes_from_hex (MEDIA_KEY);
  g_autoptr(GBytes) plain = g_bytes_new_static (PLAIN, strlen (PLAIN));
  g_autoptr(GBytes) enc_sha = xi_test_bytes_from_hex (ENC_SHA);
  g_autoptr(GBytes) other_sha = xi_test_bytes_from_hex (MEDIA_KEY);
  g_autoptr(GBytes) blob = wa_media_encrypt (WA_MEDIA_IMAGE, key, plain, NULL);
  g_autoptr(GBytes) flipped = NULL;
  g_autoptr(GBytes) hash_bytes = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GError) error = NULL;
  guint8 hash[WA_SHA256_LEN];
  guint8 *bytes;
  gsize len;
  WaMediaRef ref = { "/v/x", key, enc_sha, NULL };
  WaMediaRef wrong_plain = { "/v/x", key, enc_sha, other_sha };
  WaMediaRef any_hash;

  back = wa_media_decrypt (WA_MEDIA_DOCUMENT, &ref, blob, &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
  g_assert_null (back);
  g_clear_error (&error);

  back = wa_media_decrypt (WA_MEDIA_IMAGE, &wrong_plain, blob, &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
  g_assert_null (back);
  g_clear_error (&error);

  /* A flipped byte with a hash made to match still fails the MAC. */
  len = g_bytes_get_size (blob);
  bytes = g_memdup2 (g_bytes_get_data (blob, NULL), len);
  bytes[3] ^= 1;
  flipped = g_bytes_new_take (bytes, len);
  wa_crypto_sha256 (bytes, len, hash);
  hash_bytes = g_bytes_new (hash, sizeof hash);
  any_hash = (WaMediaRef) { "/v/x", key, hash_bytes, NULL };
  back = wa_media_decrypt (WA_MEDIA_IMAGE, &any_hash, flipped, &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
  g_assert_null (back);
  g_clear_error (&error);

  back = wa_media_decrypt (WA_MEDIA_IMAGE, &ref, flipped, &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
  g_assert_null (back);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->server = fakewa_server_new (&error);
  g_assert_no_error (error);
  f->store = wa_memory_key_store_new ();
  f->client = wa_client_new (f->store, fakewa_server_get_url (f->server), fakewa_server_get_root_key (f->server));
  fakewa_server_link_client (f->server, f->client, "6281234567890");
  if (data == HTTPS)
    {
      g_autofree char *host = NULL;
      g_autofree char *ca = NULL;
      g_autoptr(GTlsCertificate) certificate = NULL;
      g_autoptr(GTlsDatabase) database = NULL;
      const char *make_ca[] = { g_getenv ("XI_MAKE_TEST_CA"), NULL, NULL };

      g_assert_nonnull (make_ca[0]);
      f->ca_dir = xi_test_make_tmpdir ();
      make_ca[1] = f->ca_dir;
      g_assert_true (g_spawn_sync (NULL, (char **) make_ca, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                   NULL, NULL, NULL, &error));
      g_assert_no_error (error);
      host = g_build_filename (f->ca_dir, "media.pem", NULL);
      ca = g_build_filename (f->ca_dir, "ca.pem", NULL);
      certificate = g_tls_certificate_new_from_file (host, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (fakewa_server_serve_media_tls (f->server, certificate, &error), >, 0);
      g_assert_no_error (error);
      database = g_tls_file_database_new (ca, &error);
      g_assert_no_error (error);
      wa_media_set_tls_database (f->client, database);
    }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->client);
  g_clear_object (&f->store);
  g_clear_object (&f->server);
  if (f->ca_dir != NULL)
    xi_test_rm_rf (f->ca_dir);
  g_free (f->ca_dir);
}

/* A picture of some size, not a multiple of the AES block. */
static GBytes *
make_content (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 31 + 7);
  return g_bytes_new_take (data, size);
}

static WaMediaUpload *
upload (Fixture      *f,
        WaMediaType   type,
        GBytes       *plain,
        GError      **error)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  wa_media_upload_async (f->client, type, plain, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  return wa_media_upload_finish (f->client, result, error);
}

static GBytes *
download (Fixture             *f,
          WaMediaType          type,
          const WaMediaUpload *up,
          GError             **error)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  WaMediaRef ref = { up->direct_path, up->media_key, up->file_enc_sha256, up->file_sha256 };

  wa_media_download_async (f->client, type, &ref, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  return wa_media_download_finish (f->client, result, error);
}

static GBytes *
drain (GInputStream *stream,
       gsize         read_size)
{
  g_autoptr(GByteArray) blob = g_byte_array_new ();
  g_autofree guint8 *buffer = g_malloc (read_size);
  g_autoptr(GError) error = NULL;
  gssize got;

  while ((got = g_input_stream_read (stream, buffer, read_size, NULL, &error)) > 0)
    g_byte_array_append (blob, buffer, (guint) got);
  g_assert_no_error (error);
  g_assert_cmpint (got, ==, 0);
  return g_byte_array_free_to_bytes (g_steal_pointer (&blob));
}

/* Sizes around the AES block and past the stream's chunk, read in pieces
 * that match neither: the same bytes and hashes as in one piece. */
static void
test_stream_matches (void)
{
  gsize sizes[] = { 0, 15, 16, 17, 64 * 1024, 1024 * 1024 + 1, 0, 0, 0 };
  static const gsize read_sizes[] = { 1, 7, 4096, 100003 };

  for (guint i = G_N_ELEMENTS (sizes) - 3; i < G_N_ELEMENTS (sizes); i++)
    sizes[i] = (gsize) g_test_rand_int_range (1, 300000);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      guint8 raw_key[WA_KEY_LEN];
      g_autoptr(GBytes) key = NULL;
      g_autofree guint8 *data = g_malloc (MAX (sizes[i], 1));
      g_autoptr(GBytes) plain = NULL;
      g_autoptr(GBytes) expected = NULL;
      g_autoptr(GBytes) streamed = NULL;
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(GError) error = NULL;
      guint8 plain_hash[WA_SHA256_LEN];
      guint8 enc_hash[WA_SHA256_LEN];
      guint8 hash[WA_SHA256_LEN];
      gsize read_size = read_sizes[i % G_N_ELEMENTS (read_sizes)];

      g_test_message ("%" G_GSIZE_FORMAT " bytes read %" G_GSIZE_FORMAT " at a time", sizes[i], read_size);
      wa_crypto_random (raw_key, sizeof raw_key);
      key = g_bytes_new (raw_key, sizeof raw_key);
      wa_crypto_random (data, sizes[i]);
      plain = g_bytes_new (data, sizes[i]);
      expected = wa_media_encrypt (WA_MEDIA_DOCUMENT, key, plain, &error);
      g_assert_no_error (error);
      stream = wa_media_encrypt_stream (WA_MEDIA_DOCUMENT, key, plain, &error);
      g_assert_no_error (error);
      g_assert_false (wa_media_stream_get_hashes (WA_MEDIA_STREAM (stream), plain_hash, enc_hash));

      streamed = drain (stream, read_size);
      g_assert_cmpuint (g_bytes_get_size (streamed), ==, wa_media_stream_blob_size (sizes[i]));
      g_assert_true (g_bytes_equal (streamed, expected));
      g_assert_true (wa_media_stream_get_hashes (WA_MEDIA_STREAM (stream), plain_hash, enc_hash));
      wa_crypto_sha256 (data, sizes[i], hash);
      g_assert_cmpmem (plain_hash, sizeof plain_hash, hash, sizeof hash);
      wa_crypto_sha256 (g_bytes_get_data (expected, NULL), g_bytes_get_size (expected), hash);
      g_assert_cmpmem (enc_hash, sizeof enc_hash, hash, sizeof hash);
    }
}

static gsize
status_kb (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, field);
  g_assert_nonnull (line);
  return (gsize) g_ascii_strtoull (line + strlen (field) + 1, NULL, 10);
}

/* A 64 MB file, mapped as the media cache maps assets, is hashed and
 * sent through the stream: the peak resident size grows by the file's
 * pages and a few chunks, where a blob made in one piece would add the
 * whole file again. */
static void
test_stream_memory (void)
{
  const gsize size = 64 * 1024 * 1024;
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "video.bin", NULL);
  g_autofree guint8 *chunk = g_malloc (1024 * 1024);
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GError) error = NULL;
  guint8 raw_key[WA_KEY_LEN];
  guint8 plain_hash[WA_SHA256_LEN];
  guint8 enc_hash[WA_SHA256_LEN];
  FILE *file;
  gsize before;
  gsize peak;

  file = fopen (path, "wb");
  g_assert_nonnull (file);
  for (gsize i = 0; i < size / (1024 * 1024); i++)
    {
      memset (chunk, (int) i, 1024 * 1024);
      g_assert_cmpuint (fwrite (chunk, 1, 1024 * 1024, file), ==, 1024 * 1024);
    }
  g_assert_cmpint (fclose (file), ==, 0);
  g_clear_pointer (&chunk, g_free);
  wa_crypto_random (raw_key, sizeof raw_key);
  key = g_bytes_new (raw_key, sizeof raw_key);
  mapped = g_mapped_file_new (path, FALSE, &error);
  g_assert_no_error (error);
  plain = g_mapped_file_get_bytes (mapped);

  /* Writing 5 there starts the peak (VmHWM) over from the current size. */
  file = fopen ("/proc/self/clear_refs", "w");
  g_assert_nonnull (file);
  g_assert_cmpint (fputs ("5", file), >=, 0);
  g_assert_cmpint (fclose (file), ==, 0);
  before = status_kb ("VmRSS:");

  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(GInputStream) stream = wa_media_encrypt_stream (WA_MEDIA_VIDEO, key, plain, &error);
      g_autofree guint8 *buffer = g_malloc (64 * 1024);
      guint64 total = 0;
      gssize got;

      g_assert_no_error (error);
      while ((got = g_input_stream_read (stream, buffer, 64 * 1024, NULL, &error)) > 0)
        total += (guint64) got;
      g_assert_no_error (error);
      g_assert_cmpuint (total, ==, wa_media_stream_blob_size (size));
      g_assert_true (wa_media_stream_get_hashes (WA_MEDIA_STREAM (stream), plain_hash, enc_hash));
    }

  peak = status_kb ("VmHWM:");
  g_test_message ("peak resident size grew by %" G_GSIZE_FORMAT " kB for a %" G_GSIZE_FORMAT " kB file",
                  peak - before, size / 1024);
  g_assert_cmpuint ((peak - before) * 1024, <, size + size / 2);
  xi_test_rm_rf (dir);
}

/* Every size goes out with the length the stream promised and comes back
 * whole from the host. */
static void
test_streamed_sizes (Fixture       *f,
                     gconstpointer  data)
{
  static const gsize sizes[] = { 0, 15, 16, 17, 1024 * 1024 + 1 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GBytes) content = make_content (sizes[i]);
      g_autoptr(WaMediaUpload) up = NULL;
      g_autoptr(GBytes) back = NULL;
      g_autoptr(GError) error = NULL;

      up = upload (f, WA_MEDIA_DOCUMENT, content, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (up->file_length, ==, sizes[i]);
      back = download (f, WA_MEDIA_DOCUMENT, up, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (back, content));
    }
  g_assert_cmpuint (fakewa_server_get_n_uploads (f->server), ==, G_N_ELEMENTS (sizes));
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) picture = make_content (300 * 1024 + 5);
  g_autoptr(GBytes) pdf = make_content (77);
  g_autoptr(WaMediaUpload) first = NULL;
  g_autoptr(WaMediaUpload) second = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GError) error = NULL;
  guint8 hash[WA_SHA256_LEN];

  first = upload (f, WA_MEDIA_IMAGE, picture, &error);
  g_assert_no_error (error);
  second = upload (f, WA_MEDIA_DOCUMENT, pdf, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fakewa_server_get_n_uploads (f->server), ==, 2);
  /* One media_conn served both, within its TTL. */
  g_assert_cmpuint (fakewa_server_get_n_media_conns (f->server), ==, 1);

  g_assert_cmpuint (first->file_length, ==, g_bytes_get_size (picture));
  wa_crypto_sha256 (g_bytes_get_data (picture, NULL), g_bytes_get_size (picture), hash);
  g_assert_cmpmem (g_bytes_get_data (first->file_sha256, NULL), 32, hash, 32);
  g_assert_cmpuint (g_bytes_get_size (first->media_key), ==, 32);
  g_assert_false (g_bytes_equal (first->media_key, second->media_key));
  g_assert_true (g_str_has_prefix (first->direct_path, "/v/"));
  g_assert_true (g_str_has_prefix (first->url, data == HTTPS ? "https://127.0.0.1:" : "http://127.0.0.1:"));
  g_assert_cmpint (ABS (first->media_key_timestamp - g_get_real_time () / G_USEC_PER_SEC), <, 60);

  back = download (f, WA_MEDIA_IMAGE, first, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, picture));
  g_clear_pointer (&back, g_bytes_unref);
  back = download (f, WA_MEDIA_DOCUMENT, second, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, pdf));
  g_assert_cmpuint (fakewa_server_get_n_media_conns (f->server), ==, 1);
}

static void
test_ttl (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GBytes) picture = make_content (1000);
  g_autoptr(GError) error = NULL;

  fakewa_server_set_media_conn_ttl (f->server, 0);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(WaMediaUpload) up = upload (f, WA_MEDIA_IMAGE, picture, &error);

      g_assert_no_error (error);
    }
  g_assert_cmpuint (fakewa_server_get_n_media_conns (f->server), ==, 2);
}

static void
test_refused_once (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) picture = make_content (4096);
  g_autoptr(WaMediaUpload) up = NULL;
  g_autoptr(WaMediaUpload) none = NULL;
  g_autoptr(GError) error = NULL;

  fakewa_server_refuse_uploads (f->server, 1);
  up = upload (f, WA_MEDIA_IMAGE, picture, &error);
  g_assert_no_error (error);
  g_assert_nonnull (up);
  g_assert_cmpuint (fakewa_server_get_n_uploads (f->server), ==, 1);
  /* The retry asked for a fresh media host. */
  g_assert_cmpuint (fakewa_server_get_n_media_conns (f->server), ==, 2);

  fakewa_server_refuse_uploads (f->server, 2);
  none = upload (f, WA_MEDIA_IMAGE, picture, &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "401"));
  g_assert_null (none);
  g_assert_cmpuint (fakewa_server_get_n_uploads (f->server), ==, 1);
}

static void
test_download_faults (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) picture = make_content (5000);
  g_autoptr(WaMediaUpload) up = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *back;
  /* A changed or short blob fails its hash; an expired path is final. */
  static const struct
  {
    FakewaMediaFault fault;
    int              code;
  } faults[] = {
    { FAKEWA_MEDIA_FAULT_CORRUPT, WA_ERROR_CRYPTO },
    { FAKEWA_MEDIA_FAULT_TRUNCATE, WA_ERROR_CRYPTO },
    { FAKEWA_MEDIA_FAULT_EXPIRED, WA_ERROR_FAILED },
  };

  up = upload (f, WA_MEDIA_IMAGE, picture, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      fakewa_server_set_media_fault (f->server, faults[i].fault);
      back = download (f, WA_MEDIA_IMAGE, up, &error);
      g_assert_error (error, WA_ERROR, faults[i].code);
      g_assert_null (back);
      g_clear_error (&error);
    }

  /* And once the host behaves, the same reference downloads. */
  fakewa_server_set_media_fault (f->server, FAKEWA_MEDIA_FAULT_NONE);
  back = download (f, WA_MEDIA_IMAGE, up, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, picture));
  g_bytes_unref (back);
}

/* Without the test CA the client trusts only the system's certificates,
 * which the host's cannot pass: nothing goes out and nothing comes in. */
static void
test_untrusted_host (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) picture = make_content (2000);
  g_autoptr(WaMediaUpload) up = NULL;
  g_autoptr(WaMediaUpload) none = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GError) error = NULL;

  up = upload (f, WA_MEDIA_IMAGE, picture, &error);
  g_assert_no_error (error);

  wa_media_set_tls_database (f->client, g_tls_backend_get_default_database (g_tls_backend_get_default ()));
  none = upload (f, WA_MEDIA_IMAGE, picture, &error);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_null (none);
  g_clear_error (&error);
  back = download (f, WA_MEDIA_IMAGE, up, &error);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_null (back);
  g_assert_cmpuint (fakewa_server_get_n_uploads (f->server), ==, 1);
}

/* A media host that answers an upload with brackets nested 100,000 deep
 * (200 KB) or with members of the wrong type gets an error, not a crash
 * of the thread that reads it nor a critical; the next upload works. */
static void
test_hostile_answers (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) picture = make_content (4096);
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GBytes) deep_bytes = NULL;
  g_autoptr(GBytes) wrong_bytes = NULL;
  g_autoptr(WaMediaUpload) fine = NULL;
  const char *wrong = "{\"direct_path\":{\"path\":\"/v/x\"},\"url\":[1]}";

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, ']');
  deep_bytes = g_string_free_to_bytes (g_steal_pointer (&deep));
  wrong_bytes = g_bytes_new_static (wrong, strlen (wrong));

  {
    g_autoptr(WaMediaUpload) none = NULL;
    g_autoptr(GError) error = NULL;

    fakewa_server_set_upload_answer (f->server, deep_bytes);
    none = upload (f, WA_MEDIA_IMAGE, picture, &error);
    g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
    g_assert_null (none);
  }
  {
    g_autoptr(WaMediaUpload) none = NULL;
    g_autoptr(GError) error = NULL;

    fakewa_server_set_upload_answer (f->server, wrong_bytes);
    none = upload (f, WA_MEDIA_IMAGE, picture, &error);
    g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
    g_assert_null (none);
  }
  {
    g_autoptr(GError) error = NULL;

    fine = upload (f, WA_MEDIA_IMAGE, picture, &error);
    g_assert_no_error (error);
    g_assert_true (g_str_has_prefix (fine->direct_path, "/v/"));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (wa_crypto_init (NULL));

  g_test_add_func ("/wa-media/vector", test_vector);
  g_test_add_func ("/wa-media/refusals", test_refusals);
  g_test_add_func ("/wa-media/stream-matches", test_stream_matches);
  g_test_add_func ("/wa-media/stream-memory", test_stream_memory);
  g_test_add ("/wa-media/streamed-sizes", Fixture, NULL, fixture_set_up, test_streamed_sizes, fixture_tear_down);
  g_test_add ("/wa-media/round-trip", Fixture, NULL, fixture_set_up, test_round_trip, fixture_tear_down);
  g_test_add ("/wa-media/ttl", Fixture, NULL, fixture_set_up, test_ttl, fixture_tear_down);
  g_test_add ("/wa-media/refused-once", Fixture, NULL, fixture_set_up, test_refused_once, fixture_tear_down);
  g_test_add ("/wa-media/hostile-answers", Fixture, NULL, fixture_set_up, test_hostile_answers, fixture_tear_down);
  g_test_add ("/wa-media/download-faults", Fixture, NULL, fixture_set_up, test_download_faults, fixture_tear_down);
  g_test_add ("/wa-media/https/round-trip", Fixture, HTTPS, fixture_set_up, test_round_trip, fixture_tear_down);
  g_test_add ("/wa-media/https/refused-once", Fixture, HTTPS, fixture_set_up, test_refused_once,
              fixture_tear_down);
  g_test_add ("/wa-media/https/download-faults", Fixture, HTTPS, fixture_set_up, test_download_faults,
              fixture_tear_down);
  g_test_add ("/wa-media/https/untrusted-host", Fixture, HTTPS, fixture_set_up, test_untrusted_host,
              fixture_tear_down);
  return g_test_run ();
}
