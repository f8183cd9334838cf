/* test-wa-history-sync.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include "wa-e2e.pb-c.h"
#include "wa-error.h"
#include "wa-history-sync.h"
#include "wa-history.pb-c.h"
#include "wa-media.h"
#include "wa-proto.h"

/*
 * What a history chunk leaves in the key store (WA-FIDELITY.md §3.4), and
 * the media crypto its blobs go through (protocol notes §10): each rule on
 * a chunk built here field by field.
 */

static char *
load_text (WaKeyStore *store,
           const char *kind,
           const char *key)
{
  g_autoptr(GBytes) value = wa_key_store_load (store, kind, key);

  return value != NULL ? g_strndup (g_bytes_get_data (value, NULL), g_bytes_get_size (value)) : NULL;
}

static guint64
token_time (WaKeyStore *store,
            const char *lid)
{
  g_autoptr(GBytes) value = wa_key_store_load (store, "tctoken", lid);
  const guint8 *data;
  guint64 t = 0;

  g_assert_nonnull (value);
  g_assert_cmpuint (g_bytes_get_size (value), >, 8);
  data = g_bytes_get_data (value, NULL);
  for (guint i = 0; i < 8; i++)
    t = t << 8 | data[i];
  return t;
}

static guint
count (WaKeyStore *store,
       const char *kind)
{
  g_autoptr(GPtrArray) keys = wa_key_store_list (store, kind);

  return keys->len;
}

static void
store_chunk (WaKeyStore             *store,
             WaHistory__HistorySync *sync)
{
  g_autoptr(GBytes) packed = wa_proto_pack (&sync->base);
  g_autoptr(GError) error = NULL;
  guint type = 99;

  g_assert_true (wa_history_sync_store (store, packed, &type, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (type, ==, sync->synctype);
}

/* Tokens go under the issuer's LID however the conversation names it,
 * and an older one never replaces a newer one. */
static void
test_tokens (void)
{
  g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
  WaHistory__HistorySync sync = WA_HISTORY__HISTORY_SYNC__INIT;
  WaHistory__Conversation by_lid = WA_HISTORY__CONVERSATION__INIT;
  WaHistory__Conversation by_pn = WA_HISTORY__CONVERSATION__INIT;
  WaHistory__Conversation unknown = WA_HISTORY__CONVERSATION__INIT;
  WaHistory__PhoneNumberToLIDMapping mapping = WA_HISTORY__PHONE_NUMBER_TO_LIDMAPPING__INIT;
  WaHistory__Conversation *conversations[] = { &by_lid, &by_pn, &unknown };
  WaHistory__PhoneNumberToLIDMapping *mappings[] = { &mapping };
  g_autofree char *text = NULL;

  /* A LID conversation, a number whose LID the chunk maps (in the
   * legacy c.us form), and a number with no known LID. */
  by_lid.id = (char *) "111111111111111@lid";
  by_lid.has_tctoken = by_lid.has_tctokentimestamp = TRUE;
  by_lid.tctoken.data = (guint8 *) "first";
  by_lid.tctoken.len = 5;
  by_lid.tctokentimestamp = 2000;
  by_pn.id = (char *) "6281200000002@c.us";
  by_pn.has_tctoken = by_pn.has_tctokentimestamp = TRUE;
  by_pn.tctoken.data = (guint8 *) "second";
  by_pn.tctoken.len = 6;
  by_pn.tctokentimestamp = 3000;
  unknown.id = (char *) "6281200000003@s.whatsapp.net";
  unknown.has_tctoken = unknown.has_tctokentimestamp = TRUE;
  unknown.tctoken.data = (guint8 *) "third";
  unknown.tctoken.len = 5;
  unknown.tctokentimestamp = 3000;
  mapping.pnjid = (char *) "6281200000002@s.whatsapp.net";
  mapping.lidjid = (char *) "222222222222222@lid";
  sync.has_synctype = TRUE;
  sync.synctype = WA_E2_E__HISTORY_SYNC_NOTIFICATION__HISTORY_SYNC_TYPE__INITIAL_BOOTSTRAP;
  sync.n_conversations = G_N_ELEMENTS (conversations);
  sync.conversations = conversations;
  sync.n_phonenumbertolidmappings = G_N_ELEMENTS (mappings);
  sync.phonenumbertolidmappings = mappings;
  store_chunk (store, &sync);

  g_assert_cmpuint (token_time (store, "111111111111111"), ==, 2000);
  g_assert_cmpuint (token_time (store, "222222222222222"), ==, 3000);
  text = load_text (store, "lid-pn", "222222222222222");
  g_assert_cmpstr (text, ==, "6281200000002");
  g_assert_null (wa_key_store_load (store, "tctoken", "6281200000003"));
  g_assert_cmpuint (count (store, "tctoken"), ==, 2);

  /* A later chunk with an older token for the first: kept as it was;
   * a newer one for the second: replaced. */
  by_lid.tctokentimestamp = 1000;
  by_lid.tctoken.data = (guint8 *) "stale";
  by_pn.tctokentimestamp = 4000;
  store_chunk (store, &sync);
  g_assert_cmpuint (token_time (store, "111111111111111"), ==, 2000);
  g_assert_cmpuint (token_time (store, "222222222222222"), ==, 4000);
}

/* Push names, but not the "-" a phone writes for none; the salt; and
 * nothing from what does not name a person. */
static void
test_names_and_salt (void)
{
  g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
  WaHistory__HistorySync sync = WA_HISTORY__HISTORY_SYNC__INIT;
  WaHistory__Pushname named = WA_HISTORY__PUSHNAME__INIT;
  WaHistory__Pushname dash = WA_HISTORY__PUSHNAME__INIT;
  WaHistory__Pushname group = WA_HISTORY__PUSHNAME__INIT;
  WaHistory__Pushname *pushnames[] = { &named, &dash, &group };
  g_autoptr(GBytes) salt = NULL;
  g_autofree char *text = NULL;

  named.id = (char *) "6281200000001@s.whatsapp.net";
  named.pushname = (char *) "Budi";
  dash.id = (char *) "6281200000002@s.whatsapp.net";
  dash.pushname = (char *) "-";
  group.id = (char *) "120363000000000000@g.us";
  group.pushname = (char *) "Arisan";
  sync.has_synctype = TRUE;
  sync.synctype = WA_E2_E__HISTORY_SYNC_NOTIFICATION__HISTORY_SYNC_TYPE__PUSH_NAME;
  sync.n_pushnames = G_N_ELEMENTS (pushnames);
  sync.pushnames = pushnames;
  sync.has_nctsalt = TRUE;
  sync.nctsalt.data = (guint8 *) "0123456789abcdef";
  sync.nctsalt.len = 16;
  store_chunk (store, &sync);

  text = load_text (store, "push-name", "6281200000001");
  g_assert_cmpstr (text, ==, "Budi");
  g_assert_null (wa_key_store_load (store, "push-name", "6281200000002"));
  g_assert_cmpuint (count (store, "push-name"), ==, 1);
  salt = wa_key_store_load (store, "nct-salt", "salt");
  g_assert_cmpmem (g_bytes_get_data (salt, NULL), g_bytes_get_size (salt), "0123456789abcdef", 16);
}

static void
test_malformed (void)
{
  g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
  g_autoptr(GBytes) garbage = g_bytes_new_static ("\x0a\xff\xff\xff\x0f", 5);
  g_autoptr(GBytes) not_zlib = g_bytes_new_static ("plain text", 10);
  g_autoptr(GBytes) inflated = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (wa_history_sync_store (store, garbage, NULL, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_clear_error (&error);
  inflated = wa_history_sync_inflate (not_zlib, &error);
  g_assert_null (inflated);
  g_assert_nonnull (error);
}

/* Lets this process's address space grow by @extra bytes at most, so a
 * test sees an unpacking that would take more memory fail. */
static void
limit_address_space (gsize extra)
{
  g_autofree char *statm = NULL;
  struct rlimit limit;

  g_assert_true (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL));
  limit.rlim_cur = limit.rlim_max = g_ascii_strtoull (statm, NULL, 10) * sysconf (_SC_PAGESIZE) + extra;
  g_assert_cmpint (setrlimit (RLIMIT_AS, &limit), ==, 0);
}

/* Appends @n empty records in field @number, two bytes each: what
 * protobuf-c unpacks to the most memory for the fewest bytes. */
static void
append_empty_records (GByteArray *out,
                      guint       number,
                      guint       n)
{
  guint start = out->len;

  g_byte_array_set_size (out, start + 2 * n);
  for (guint i = 0; i < n; i++)
    {
      out->data[start + 2 * i] = number << 3 | 2;
      out->data[start + 2 * i + 1] = 0;
    }
}

static void
append_packed (GByteArray             *out,
               const ProtobufCMessage *message)
{
  g_autoptr(GBytes) packed = wa_proto_pack (message);

  g_byte_array_append (out, g_bytes_get_data (packed, NULL), g_bytes_get_size (packed));
}

/* A chunk of two million empty records, 4 MB that protobuf-c would
 * unpack to some 300 MB, then a chat whose messages are a million empty
 * records too, is read within 64 MB: one record at a time, and of each
 * only the fields kept. */
static void
test_records_bounded (void)
{
  g_autoptr(WaKeyStore) store = NULL;
  g_autoptr(GByteArray) chunk = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  WaHistory__HistorySync type_only = WA_HISTORY__HISTORY_SYNC__INIT;
  WaHistory__Conversation conversation = WA_HISTORY__CONVERSATION__INIT;
  g_autoptr(GByteArray) chat = g_byte_array_new ();
  guint8 header[16];
  guint8 *header_end;
  guint type = 0;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }

  store = wa_memory_key_store_new ();
  chunk = g_byte_array_new ();
  type_only.has_synctype = TRUE;
  type_only.synctype = WA_E2_E__HISTORY_SYNC_NOTIFICATION__HISTORY_SYNC_TYPE__RECENT;
  append_packed (chunk, &type_only.base);
  append_empty_records (chunk, 7, 1000000);
  append_empty_records (chunk, 2, 1000000);

  conversation.id = (char *) "111111111111111@lid";
  conversation.has_tctoken = conversation.has_tctokentimestamp = TRUE;
  conversation.tctoken.data = (guint8 *) "token";
  conversation.tctoken.len = 5;
  conversation.tctokentimestamp = 1700000000;
  append_packed (chat, &conversation.base);
  /* Conversation.messages, which this client does not read. */
  append_empty_records (chat, 2, 1000000);
  header_end = wa_proto_put_varint (header, 2 << 3 | 2);
  header_end = wa_proto_put_varint (header_end, chat->len);
  g_byte_array_append (chunk, header, header_end - header);
  g_byte_array_append (chunk, chat->data, chat->len);
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&chunk));

  limit_address_space (64 * 1024 * 1024);
  g_assert_true (wa_history_sync_store (store, bytes, &type, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (type, ==, WA_E2_E__HISTORY_SYNC_NOTIFICATION__HISTORY_SYNC_TYPE__RECENT);
  g_assert_cmpuint (token_time (store, "111111111111111"), ==, 1700000000);
}

/* A record whose kept fields weigh more than WA_HISTORY_SYNC_MAX_RECORD
 * refuses the chunk; one just under is read. */
static void
test_record_too_big (void)
{
  g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
  WaHistory__HistorySync sync = WA_HISTORY__HISTORY_SYNC__INIT;
  WaHistory__Pushname pushname = WA_HISTORY__PUSHNAME__INIT;
  WaHistory__Pushname *pushnames[] = { &pushname };
  g_autofree char *name = g_malloc (WA_HISTORY_SYNC_MAX_RECORD + 1);
  g_autoptr(GBytes) packed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *kept = NULL;

  memset (name, 'a', WA_HISTORY_SYNC_MAX_RECORD);
  name[WA_HISTORY_SYNC_MAX_RECORD] = '\0';
  pushname.id = (char *) "6281200000001@s.whatsapp.net";
  pushname.pushname = name;
  sync.n_pushnames = 1;
  sync.pushnames = pushnames;
  packed = wa_proto_pack (&sync.base);
  g_assert_false (wa_history_sync_store (store, packed, NULL, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "memory"));
  g_assert_null (wa_key_store_load (store, "push-name", "6281200000001"));

  /* The name's tag and three bytes of length, and the id's 30 bytes. */
  name[WA_HISTORY_SYNC_MAX_RECORD - 34] = '\0';
  store_chunk (store, &sync);
  kept = load_text (store, "push-name", "6281200000001");
  g_assert_cmpuint (strlen (kept), ==, WA_HISTORY_SYNC_MAX_RECORD - 34);
}

/* A blob decrypts to what went in; a changed byte, a wrong hash or a
 * wrong key is refused. */
static void
test_media (void)
{
  g_autoptr(GBytes) key = g_bytes_new_static ("0123456789abcdef0123456789abcdef", 32);
  g_autoptr(GBytes) other_key = g_bytes_new_static ("fedcba9876543210fedcba9876543210", 32);
  g_autoptr(GBytes) plain = g_bytes_new_static ("a history chunk, compressed", 27);
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GBytes) decrypted = NULL;
  g_autoptr(GBytes) enc_sha = NULL;
  g_autoptr(GBytes) sha = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *tampered = NULL;
  guint8 hash[WA_SHA256_LEN];
  WaMediaRef ref = { "/v/x", key, NULL, NULL };

  blob = wa_media_encrypt (WA_MEDIA_HISTORY, key, plain, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (blob), ==, 32 + 10);
  wa_crypto_sha256 (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob), hash);
  enc_sha = g_bytes_new (hash, sizeof hash);
  wa_crypto_sha256 (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), hash);
  sha = g_bytes_new (hash, sizeof hash);
  ref.file_enc_sha256 = enc_sha;
  ref.file_sha256 = sha;

  decrypted = wa_media_decrypt (WA_MEDIA_HISTORY, &ref, blob, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (decrypted, plain));

  /* Another kind of media has other keys. */
  g_clear_pointer (&decrypted, g_bytes_unref);
  decrypted = wa_media_decrypt (WA_MEDIA_APP_STATE, &ref, blob, &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
  g_clear_error (&error);

  ref.media_key = other_key;
  decrypted = wa_media_decrypt (WA_MEDIA_HISTORY, &ref, blob, &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
  g_clear_error (&error);
  ref.media_key = key;

  /* A byte changed in transit: the blob is not the one named. */
  tampered = g_memdup2 (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
  tampered[3] ^= 1;
  {
    g_autoptr(GBytes) changed = g_bytes_new (tampered, g_bytes_get_size (blob));

    decrypted = wa_media_decrypt (WA_MEDIA_HISTORY, &ref, changed, &error);
    g_assert_null (decrypted);
    g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
    g_clear_error (&error);
  }
}

/* The chunk goes through zlib, as the phone sends it. */
static void
test_inflate (void)
{
  const char text[] = "history history history history";
  guint8 compressed[128];
  uLongf len = sizeof compressed;
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GBytes) output = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (compress (compressed, &len, (const Bytef *) text, sizeof text), ==, Z_OK);
  input = g_bytes_new (compressed, len);
  output = wa_history_sync_inflate (input, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (output, NULL), g_bytes_get_size (output), text, sizeof text);
}

/* A chunk is read if it inflates to 128 MB, and refused past that: not
 * held in memory to be unpacked, whatever it holds. */
static void
test_inflate_bounded (void)
{
  const gsize block = 1024 * 1024;
  const gsize most = 128 * block;
  g_autofree guint8 *zeros = g_malloc0 (block);
  g_autofree guint8 *compressed = g_malloc (block);

  for (gsize total = most; total <= most + 1; total++)
    {
      z_stream stream = { 0 };
      g_autoptr(GBytes) input = NULL;
      g_autoptr(GBytes) output = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (deflateInit (&stream, Z_BEST_COMPRESSION), ==, Z_OK);
      stream.next_out = compressed;
      stream.avail_out = block;
      for (gsize left = total; left > 0;)
        {
          stream.next_in = zeros;
          stream.avail_in = MIN (left, block);
          left -= stream.avail_in;
          g_assert_cmpint (deflate (&stream, left > 0 ? Z_NO_FLUSH : Z_FINISH), !=, Z_STREAM_ERROR);
          g_assert_cmpuint (stream.avail_in, ==, 0);
        }
      g_assert_cmpuint (stream.avail_out, >, 0);
      input = g_bytes_new (compressed, block - stream.avail_out);
      deflateEnd (&stream);

      output = wa_history_sync_inflate (input, &error);
      if (total == most)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (g_bytes_get_size (output), ==, total);
        }
      else
        {
          g_assert_null (output);
          g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
        }
    }
}

/* A LID migration of two million empty mappings, 4 MB that protobuf-c
 * would unpack to some 200 MB, is read within 48 MB, one mapping at a
 * time, and what it names after them is kept. */
static void
test_lid_migration_bounded (void)
{
  g_autoptr(WaKeyStore) store = NULL;
  g_autoptr(GByteArray) payload = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lid = NULL;
  WaE2E__LIDMigrationMappingSyncPayload last = WA_E2_E__LIDMIGRATION_MAPPING_SYNC_PAYLOAD__INIT;
  WaE2E__LIDMigrationMapping mapping = WA_E2_E__LIDMIGRATION_MAPPING__INIT;
  WaE2E__LIDMigrationMapping *mappings[] = { &mapping };
  guint n = 0;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }

  store = wa_memory_key_store_new ();
  payload = g_byte_array_new ();
  append_empty_records (payload, 1, 2000000);
  mapping.has_pn = mapping.has_assignedlid = TRUE;
  mapping.pn = 6281100000001;
  mapping.assignedlid = 111111111111111;
  last.n_pntolidmappings = 1;
  last.pntolidmappings = mappings;
  append_packed (payload, &last.base);
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&payload));

  limit_address_space (48 * 1024 * 1024);
  g_assert_true (wa_history_sync_store_lid_migration (store, bytes, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  lid = load_text (store, "pn-lid", "6281100000001");
  g_assert_cmpstr (lid, ==, "111111111111111");
}

/* The phone's LID migration message names each number's LID; the
 * latest when it changed; numbers without one are skipped. */
static void
test_lid_migration (void)
{
  g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
  WaE2E__LIDMigrationMappingSyncPayload payload = WA_E2_E__LIDMIGRATION_MAPPING_SYNC_PAYLOAD__INIT;
  WaE2E__LIDMigrationMapping first = WA_E2_E__LIDMIGRATION_MAPPING__INIT;
  WaE2E__LIDMigrationMapping changed = WA_E2_E__LIDMIGRATION_MAPPING__INIT;
  WaE2E__LIDMigrationMapping empty = WA_E2_E__LIDMIGRATION_MAPPING__INIT;
  WaE2E__LIDMigrationMapping *mappings[] = { &first, &changed, &empty };
  g_autoptr(GBytes) packed = NULL;
  g_autoptr(GBytes) garbage = g_bytes_new ("\xff\xff\xff", 3);
  g_autoptr(GError) error = NULL;
  g_autofree char *lid = NULL;
  g_autofree char *pn = NULL;
  guint n = 0;

  first.has_pn = first.has_assignedlid = TRUE;
  first.pn = 6281100000001;
  first.assignedlid = 111111111111111;
  changed.has_pn = changed.has_assignedlid = changed.has_latestlid = TRUE;
  changed.pn = 6281100000002;
  changed.assignedlid = 222222222222222;
  changed.latestlid = 333333333333333;
  empty.has_pn = TRUE;
  empty.pn = 6281100000003;
  payload.n_pntolidmappings = G_N_ELEMENTS (mappings);
  payload.pntolidmappings = mappings;
  packed = wa_proto_pack (&payload.base);

  g_assert_true (wa_history_sync_store_lid_migration (store, packed, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);
  lid = load_text (store, "pn-lid", "6281100000001");
  g_assert_cmpstr (lid, ==, "111111111111111");
  pn = load_text (store, "lid-pn", "333333333333333");
  g_assert_cmpstr (pn, ==, "6281100000002");
  g_assert_null (wa_key_store_load (store, "lid-pn", "222222222222222"));
  g_assert_cmpuint (count (store, "pn-lid"), ==, 2);

  g_assert_false (wa_history_sync_store_lid_migration (store, garbage, NULL, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (wa_crypto_init (NULL));

  g_test_add_func ("/wa-history-sync/tokens", test_tokens);
  g_test_add_func ("/wa-history-sync/names-and-salt", test_names_and_salt);
  g_test_add_func ("/wa-history-sync/malformed", test_malformed);
  g_test_add_func ("/wa-history-sync/records-bounded", test_records_bounded);
  g_test_add_func ("/wa-history-sync/record-too-big", test_record_too_big);
  g_test_add_func ("/wa-history-sync/media", test_media);
  g_test_add_func ("/wa-history-sync/inflate", test_inflate);
  g_test_add_func ("/wa-history-sync/inflate-bounded", test_inflate_bounded);
  g_test_add_func ("/wa-history-sync/lid-migration", test_lid_migration);
  g_test_add_func ("/wa-history-sync/lid-migration-bounded", test_lid_migration_bounded);
  return g_test_run ();
}
