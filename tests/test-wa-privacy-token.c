/* test-wa-privacy-token.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "wa-client.h"
#include "wa-ab-props.h"
#include "wa-error.h"
#include "wa-lid-map.h"
#include "wa-privacy-token.h"
#include "wa-privacy.h"
#include "xi-test-utils.h"

#define WEEK (7 * 24 * 60 * 60)

/* A token lives from the start of its bucket to the end of the third
 * bucket after it: 21 to 28 days, whatever the hour it came. */
static void
test_bucket_expiry (void)
{
  gint64 issued = 2900 * (gint64) WEEK + 5;   /* just inside bucket 2900 */

  g_assert_cmpint (wa_tctoken_cutoff (2903 * (gint64) WEEK), ==, 2900 * (gint64) WEEK);
  g_assert_true (wa_tctoken_is_valid (issued, issued));
  g_assert_true (wa_tctoken_is_valid (issued, 2903 * (gint64) WEEK + WEEK - 1));
  g_assert_false (wa_tctoken_is_valid (issued, 2904 * (gint64) WEEK));
  /* Issued at the very end of a bucket: 21 days and a second. */
  g_assert_true (wa_tctoken_is_valid (2901 * (gint64) WEEK - 1, 2903 * (gint64) WEEK + WEEK - 1));
  g_assert_false (wa_tctoken_is_valid (2901 * (gint64) WEEK - 1, 2904 * (gint64) WEEK));
  g_assert_false (wa_tctoken_is_valid (0, issued));
}

/* Our own token goes out once per bucket, and again in the next one. */
static void
test_issue_once_per_bucket (void)
{
  gint64 sent = 2900 * (gint64) WEEK + 100;

  g_assert_true (wa_tctoken_should_issue (0, sent));
  g_assert_false (wa_tctoken_should_issue (sent, sent + 60));
  g_assert_false (wa_tctoken_should_issue (sent, 2901 * (gint64) WEEK - 1));
  g_assert_true (wa_tctoken_should_issue (sent, 2901 * (gint64) WEEK));
}

/* Tokens are kept with their time; one that arrives late and older does
 * not replace a newer one. */
static void
test_store (void)
{
  g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
  g_autoptr(GBytes) first = g_bytes_new_static ("first-token", 11);
  g_autoptr(GBytes) second = g_bytes_new_static ("second-token", 12);
  g_autoptr(GBytes) loaded = NULL;
  g_autoptr(GBytes) record = NULL;
  gint64 timestamp = 0;

  g_assert_null (wa_tctoken_load (store, "236395184570386", &timestamp));
  g_assert_true (wa_tctoken_save (store, "236395184570386", 1700000000, first));
  g_assert_true (wa_tctoken_save (store, "236395184570386", 1700000100, second));
  g_assert_false (wa_tctoken_save (store, "236395184570386", 1700000050, first));
  loaded = wa_tctoken_load (store, "236395184570386", &timestamp);
  g_assert_true (g_bytes_equal (loaded, second));
  g_assert_cmpint (timestamp, ==, 1700000100);

  /* The record is the shared format: 8 bytes big-endian time, then the token. */
  record = wa_key_store_load (store, WA_TCTOKEN_KIND, "236395184570386");
  g_assert_cmpuint (g_bytes_get_size (record), ==, 8 + 12);
  g_assert_cmpmem (g_bytes_get_data (record, NULL), 8, "\x00\x00\x00\x00\x65\x53\xf1\x64", 8);

  g_assert_cmpint (wa_tctoken_load_sent (store, "236395184570386"), ==, 0);
  wa_tctoken_save_sent (store, "236395184570386", 1700000200);
  g_assert_cmpint (wa_tctoken_load_sent (store, "236395184570386"), ==, 1700000200);
}

/* HMAC-SHA256(salt, "<lid>@lid"); the vector was computed with Python's
 * hmac module. */
static void
test_cstoken (void)
{
  g_autoptr(GBytes) salt = xi_test_bytes_from_hex ("000102030405060708090a0b0c0d0e0f"
                                                   "101112131415161718191a1b1c1d1e1f");
  guint8 token[WA_CSTOKEN_LEN];
  g_autofree char *hex = NULL;

  wa_cstoken_compute (salt, "236395184570386", token);
  hex = xi_test_hex (token, sizeof token);
  g_assert_cmpstr (hex, ==, "d6549b7d7f40b0cd429a32f0f4139f56374e861f07175f2e86db707df900d10a");
}

static WaNode *
token_node (const char *type,
            const char *t,
            const char *bytes)
{
  WaNode *token = wa_node_new_with_attrs ("token", "jid", "6281111111111@s.whatsapp.net", NULL);

  if (type != NULL)
    wa_node_set_attr (token, "type", type);
  if (t != NULL)
    wa_node_set_attr (token, "t", t);
  if (bytes != NULL)
    wa_node_set_content_data (token, (const guint8 *) bytes, strlen (bytes));
  return token;
}

/* Only trusted-contact tokens with bytes and a time, from a person. */
static void
test_parse_notification (void)
{
  g_autoptr(WaNode) notification = wa_node_new_with_attrs ("notification", "from", "6282222222222@s.whatsapp.net",
                                                           "sender_lid", "236395184570386@lid",
                                                           "type", "privacy_token", "id", "1", NULL);
  WaNode *tokens = wa_node_add_child (notification, wa_node_new ("tokens"));
  g_autoptr(WaNode) from_bot = NULL;
  g_autoptr(GPtrArray) parsed = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GError) error = NULL;
  WaPrivacyToken *token;

  wa_node_add_children (tokens, token_node ("trusted_contact", "1700000000", "good"),
                        token_node ("other", "1700000000", "wrong type"),
                        token_node ("trusted_contact", NULL, "no time"),
                        token_node ("trusted_contact", "1700000000", NULL),
                        token_node ("trusted_contact", "soon", "bad time"), NULL);
  parsed = wa_privacy_token_parse (notification, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed->len, ==, 1);
  token = g_ptr_array_index (parsed, 0);
  g_assert_cmpstr (token->issuer, ==, "6282222222222@s.whatsapp.net");
  g_assert_cmpstr (token->issuer_lid, ==, "236395184570386@lid");
  g_assert_cmpint (token->timestamp, ==, 1700000000);
  g_assert_cmpmem (g_bytes_get_data (token->token, NULL), g_bytes_get_size (token->token), "good", 4);

  from_bot = wa_node_new_with_attrs ("notification", "from", "13135550002@s.whatsapp.net", "type", "privacy_token",
                                     NULL);
  wa_node_add_child (wa_node_add_child (from_bot, wa_node_new ("tokens")),
                     token_node ("trusted_contact", "1700000000", "bot"));
  none = wa_privacy_token_parse (from_bot, &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_assert_null (none);
}

/* One table both ways, bare users only. */
static void
test_lid_map (void)
{
  g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
  g_autofree char *pn = NULL;
  g_autofree char *lid = NULL;
  g_autofree char *moved = NULL;

  g_assert_null (wa_lid_map_pn_of_lid (store, "236395184570386"));
  g_assert_true (wa_lid_map_remember (store, "236395184570386", "6282222222222"));
  pn = wa_lid_map_pn_of_lid (store, "236395184570386");
  lid = wa_lid_map_lid_of_pn (store, "6282222222222");
  g_assert_cmpstr (pn, ==, "6282222222222");
  g_assert_cmpstr (lid, ==, "236395184570386");

  g_assert_false (wa_lid_map_remember (store, "236395184570386@lid", "6282222222222"));
  g_assert_false (wa_lid_map_remember (store, "236395184570386", "6282222222222:2"));
  g_assert_false (wa_lid_map_remember (store, "", "6282222222222"));
  g_assert_null (wa_lid_map_pn_of_lid (store, "236395184570386@lid"));

  /* A number that moved to a new LID follows it. */
  g_assert_true (wa_lid_map_remember (store, "999888777666555", "6282222222222"));
  moved = wa_lid_map_lid_of_pn (store, "6282222222222");
  g_assert_cmpstr (moved, ==, "999888777666555");
}

static gint64
fixed_now (gpointer user_data)
{
  return *(gint64 *) user_data;
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gssize
prune (WaPrivacy *privacy)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gssize pruned;

  wa_privacy_prune_tokens_async (privacy, NULL, result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  pruned = wa_privacy_prune_tokens_finish (privacy, result, &error);
  g_assert_no_error (error);
  return pruned;
}

/* Contacts whose token and whose token from us both aged out are
 * forgotten; one side still valid keeps the contact. */
static void
test_prune (void)
{
  g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
  const guint8 root[WA_KEY_LEN] = { 0 };
  g_autoptr(WaClient) client = wa_client_new (store, "ws://127.0.0.1:9/ws/chat", root);
  g_autoptr(WaPrivacy) privacy = wa_privacy_new (client);
  g_autoptr(GBytes) token = g_bytes_new_static ("token", 5);
  g_autoptr(GBytes) kept = NULL;
  gint64 now = 2905 * (gint64) WEEK + 100;
  gint64 old = 2900 * (gint64) WEEK;
  gint64 timestamp;

  wa_privacy_set_clock (privacy, fixed_now, &now);
  wa_tctoken_save (store, "111", old, token);
  wa_tctoken_save (store, "222", old, token);
  wa_tctoken_save_sent (store, "222", now - 60);
  wa_tctoken_save (store, "333", now - 60, token);
  wa_tctoken_save_sent (store, "333", old);
  wa_tctoken_save_sent (store, "444", old);

  g_assert_cmpint (prune (privacy), ==, 2);
  g_assert_null (wa_key_store_load (store, WA_TCTOKEN_KIND, "111"));
  g_assert_cmpint (wa_tctoken_load_sent (store, "444"), ==, 0);
  g_assert_cmpint (wa_tctoken_load_sent (store, "222"), ==, now - 60);
  kept = wa_tctoken_load (store, "333", &timestamp);
  g_assert_nonnull (kept);
  g_assert_cmpint (prune (privacy), ==, 0);
}

static WaNode *
props_answer (const char *hash,
              ...)
{
  WaNode *answer = wa_node_new_with_attrs ("iq", "type", "result", NULL);
  WaNode *props = wa_node_add_child (answer, wa_node_new_with_attrs ("props", "protocol", "1", "hash", hash, NULL));
  const char *code;
  va_list ap;

  va_start (ap, hash);
  while ((code = va_arg (ap, const char *)) != NULL)
    wa_node_add_child (props, wa_node_new_with_attrs ("prop", "config_code", code,
                                                      "config_value", va_arg (ap, const char *), NULL));
  va_end (ap);
  return answer;
}

/* AB props are kept by code with the answer's hash, asked with that
 * hash next time, read within limits, and an answer without props (the
 * hash is current) changes nothing; a switch never sent stays on. */
static void
test_ab_props (void)
{
  g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
  g_autoptr(WaNode) first = wa_ab_props_request (store);
  g_autoptr(WaNode) answer = props_answer ("h1", "865", "86400", "909", "-3", "10518", "0", "24941", "1",
                                           "bogus", "1", NULL);
  g_autoptr(WaNode) same = props_answer ("h1", NULL);
  g_autoptr(WaNode) again = NULL;
  g_autoptr(WaNode) empty = wa_node_new_with_attrs ("iq", "type", "result", NULL);
  g_autoptr(GError) error = NULL;
  guint n = 0;

  g_assert_cmpstr (wa_node_get_attr (first, "xmlns"), ==, "abt");
  g_assert_null (wa_node_get_attr (wa_node_get_child_by_tag (first, "props"), "hash"));
  g_assert_true (wa_ab_props_allows (store, WA_AB_PROP_TCTOKEN_ON_ALL_1_ON_1));
  g_assert_cmpint (wa_ab_props_get_int (store, WA_AB_PROP_TCTOKEN_DURATION, 1, 100000, 7), ==, 7);

  g_assert_true (wa_ab_props_store (store, answer, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpint (wa_ab_props_get_int (store, WA_AB_PROP_TCTOKEN_DURATION, 1, 100000, 7), ==, 86400);
  g_assert_cmpint (wa_ab_props_get_int (store, WA_AB_PROP_TCTOKEN_DURATION, 1, 3600, 7), ==, 3600);
  g_assert_cmpint (wa_ab_props_get_int (store, WA_AB_PROP_TCTOKEN_NUM_BUCKETS, 1, 100, 4), ==, 1);
  g_assert_false (wa_ab_props_allows (store, WA_AB_PROP_TCTOKEN_ON_ALL_1_ON_1));
  g_assert_true (wa_ab_props_allows (store, WA_AB_PROP_NCT_TOKEN_SEND));

  again = wa_ab_props_request (store);
  g_assert_cmpstr (wa_node_get_attr (wa_node_get_child_by_tag (again, "props"), "hash"), ==, "h1");
  g_assert_true (wa_ab_props_store (store, same, &n, &error));
  g_assert_cmpuint (n, ==, 0);
  g_assert_false (wa_ab_props_allows (store, WA_AB_PROP_TCTOKEN_ON_ALL_1_ON_1));

  g_assert_false (wa_ab_props_store (store, empty, NULL, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);

  /* Shorter buckets from the server make a token expire sooner. */
  g_assert_true (wa_tctoken_is_valid_for (1000, 1000 + 3 * 60, 60, 4));
  g_assert_false (wa_tctoken_is_valid_for (1000, 1000 + 5 * 60, 60, 4));
  g_assert_true (wa_tctoken_should_issue_for (1000, 1000 + 60, 60));
  g_assert_false (wa_tctoken_should_issue_for (1000, 1010, 60));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wa/privacy-token/bucket-expiry", test_bucket_expiry);
  g_test_add_func ("/wa/privacy-token/issue-once-per-bucket", test_issue_once_per_bucket);
  g_test_add_func ("/wa/privacy-token/store", test_store);
  g_test_add_func ("/wa/privacy-token/cstoken", test_cstoken);
  g_test_add_func ("/wa/privacy-token/parse-notification", test_parse_notification);
  g_test_add_func ("/wa/privacy-token/lid-map", test_lid_map);
  g_test_add_func ("/wa/privacy-token/prune", test_prune);
  g_test_add_func ("/wa/privacy-token/ab-props", test_ab_props);
  return g_test_run ();
}
