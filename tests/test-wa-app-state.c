/* test-wa-app-state.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fakewa-server.h"
#include "wa-app-state.h"
#include "wa-history-sync.h"
#include "wa-key-store.h"

/*
 * A companion and its phone on the fake server (WA-FIDELITY.md §2–3): the
 * phone shares its app-state keys and history after linking, changes its
 * app state later, and starts a key the companion does not have; the
 * companion ends up holding exactly what the phone said, in the key
 * store's kinds.
 */

#define SHOP       "6281234567890"
#define CUSTOMER_1 "6281100000001"
#define CUSTOMER_2 "6281100000002"

typedef struct
{
  FakewaServer  *server;
  WaKeyStore    *store;
  WaClient      *client;
  WaMessenger   *messenger;
  WaAppState    *app_state;
  WaHistorySync *history;
  guint          chunks;
  GPtrArray     *phone_receipts;  /* "type id" */
  guint          key_requests;
} Fixture;

static void
chunk_stored_cb (WaHistorySync *history,
                 guint          sync_type,
                 Fixture       *f)
{
  f->chunks++;
}

static void
phone_receipt_cb (FakewaServer *server,
                  const char   *type,
                  const char   *id,
                  Fixture      *f)
{
  g_ptr_array_add (f->phone_receipts, g_strdup_printf ("%s %s", type, id));
}

static void
key_request_cb (FakewaServer *server,
                const char   *device,
                Fixture      *f)
{
  f->key_requests++;
}

static void
wait_until (gboolean (*done) (Fixture *),
            Fixture   *f)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!done (f))
    {
      if (g_get_monotonic_time () >= deadline)
        g_test_message ("Stuck: %u chunks, status %d, %u phone receipts, %u key requests, %scaught up", f->chunks,
                        wa_app_state_get_status (f->app_state), f->phone_receipts->len, f->key_requests,
                        wa_client_get_caught_up (f->client) ? "" : "not ");
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static char *
load_text (Fixture    *f,
           const char *kind,
           const char *key)
{
  g_autoptr(GBytes) value = wa_key_store_load (f->store, kind, key);

  return value != NULL ? g_strndup (g_bytes_get_data (value, NULL), g_bytes_get_size (value)) : NULL;
}

static guint
count_receipts (Fixture    *f,
                const char *type)
{
  guint n = 0;

  for (guint i = 0; i < f->phone_receipts->len; i++)
    n += g_str_has_prefix (g_ptr_array_index (f->phone_receipts, i), type);
  return n;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->server = fakewa_server_new (&error);
  g_assert_no_error (error);
  f->phone_receipts = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->server, "phone-receipt", G_CALLBACK (phone_receipt_cb), f);
  g_signal_connect (f->server, "key-request", G_CALLBACK (key_request_cb), f);
  f->store = wa_memory_key_store_new ();
  f->client = wa_client_new (f->store, fakewa_server_get_url (f->server), fakewa_server_get_root_key (f->server));
  f->messenger = wa_messenger_new (f->client);
  f->app_state = wa_app_state_new (f->client, f->messenger);
  f->history = wa_history_sync_new (f->client, f->messenger);
  g_signal_connect (f->history, "chunk-stored", G_CALLBACK (chunk_stored_cb), f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->history);
  g_clear_object (&f->app_state);
  g_clear_object (&f->messenger);
  g_clear_object (&f->client);
  g_clear_object (&f->store);
  g_clear_object (&f->server);
  g_ptr_array_unref (f->phone_receipts);
}

static gboolean
caught_up (Fixture *f)
{
  return wa_client_get_caught_up (f->client);
}

static gboolean
synced_with_history (Fixture *f)
{
  return f->chunks == 2 && wa_app_state_get_status (f->app_state) == WA_APP_STATE_STATUS_SYNCED &&
         count_receipts (f, "hist_sync") == 2;
}

static GBytes *
text_bytes (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

/* The phone as it is before linking, with a contact who issued a token
 * and one who did not; then the companion links and is handed it all. */
static void
link_and_share (Fixture *f)
{
  g_autoptr(GBytes) token = text_bytes ("token-from-customer-1");
  g_autoptr(GBytes) salt = text_bytes ("0123456789abcdef0123456789abcdef");
  g_autoptr(GError) error = NULL;

  fakewa_server_phone_set_push_name (f->server, SHOP, "Toko Sari");
  fakewa_server_phone_add_contact (f->server, SHOP, CUSTOMER_1, "Budi Santoso", token);
  fakewa_server_phone_add_contact (f->server, SHOP, CUSTOMER_2, "Siti Aminah", NULL);
  fakewa_server_phone_set_nct_salt (f->server, SHOP, salt);
  fakewa_server_link_client (f->server, f->client, SHOP);
  wait_until (caught_up, f);

  /* Linked, no keys yet: the companion says it waits for them. */
  g_assert_cmpint (wa_app_state_get_status (f->app_state), ==, WA_APP_STATE_STATUS_WAITING_FOR_KEYS);
  g_assert_true (fakewa_server_phone_share (f->server, SHOP, &error));
  g_assert_no_error (error);
  wait_until (synced_with_history, f);
}

static void
test_share (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *lid_1 = NULL;
  g_autofree char *lid_2 = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) salt = NULL;
  g_autoptr(GBytes) token = NULL;
  g_autofree char *device_lid = NULL;
  g_autoptr(GPtrArray) keys = NULL;

  link_and_share (f);
  device_lid = fakewa_server_dup_device_lid (f->server, CUSTOMER_1 "@s.whatsapp.net");
  lid_1 = g_strndup (device_lid, strcspn (device_lid, ":@"));
  lid_2 = load_text (f, "pn-lid", CUSTOMER_2);
  g_assert_nonnull (lid_2);

  text = load_text (f, "account", "push-name");
  g_assert_cmpstr (text, ==, "Toko Sari");
  g_clear_pointer (&text, g_free);
  text = load_text (f, "contact-name", CUSTOMER_1);
  g_assert_cmpstr (text, ==, "Budi Santoso");
  g_clear_pointer (&text, g_free);
  text = load_text (f, "lid-pn", lid_1);
  g_assert_cmpstr (text, ==, CUSTOMER_1);
  g_clear_pointer (&text, g_free);
  text = load_text (f, "pn-lid", CUSTOMER_1);
  g_assert_cmpstr (text, ==, lid_1);
  g_clear_pointer (&text, g_free);
  text = load_text (f, "push-name", CUSTOMER_2);
  g_assert_cmpstr (text, ==, "Siti Aminah");
  g_clear_pointer (&text, g_free);

  salt = wa_key_store_load (f->store, "nct-salt", "salt");
  g_assert_nonnull (salt);
  g_assert_cmpmem (g_bytes_get_data (salt, NULL), g_bytes_get_size (salt), "0123456789abcdef0123456789abcdef", 32);

  /* The token is filed under the issuer's LID, after its timestamp. */
  token = wa_key_store_load (f->store, "tctoken", lid_1);
  g_assert_nonnull (token);
  g_assert_cmpuint (g_bytes_get_size (token), ==, 8 + strlen ("token-from-customer-1"));
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (token, NULL) + 8, g_bytes_get_size (token) - 8,
                   "token-from-customer-1", strlen ("token-from-customer-1"));
  g_assert_null (wa_key_store_load (f->store, "tctoken", lid_2));

  /* Every peer message was confirmed: the key share and two chunks. */
  g_assert_cmpuint (count_receipts (f, "peer_msg"), ==, 3);

  /* And the collections' versions and hashes are kept. */
  keys = wa_key_store_list (f->store, "appstate");
  g_assert_true (g_ptr_array_find_with_equal_func (keys, "version:critical_block", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (keys, "version:regular_high", g_str_equal, NULL));
}

static gboolean
salt_is_new (Fixture *f)
{
  g_autoptr(GBytes) salt = wa_key_store_load (f->store, "nct-salt", "salt");

  return salt != NULL && g_bytes_get_size (salt) == 16;
}

static gboolean
salt_is_gone (Fixture *f)
{
  g_autoptr(GBytes) salt = wa_key_store_load (f->store, "nct-salt", "salt");

  return salt == NULL && wa_app_state_get_status (f->app_state) == WA_APP_STATE_STATUS_SYNCED;
}

static gboolean
push_name_is_new (Fixture *f)
{
  g_autofree char *name = load_text (f, "account", "push-name");

  return g_strcmp0 (name, "Toko Sari Jaya") == 0 && wa_app_state_get_status (f->app_state) == WA_APP_STATE_STATUS_SYNCED;
}

/* Later changes reach the companion through server_sync: a new salt, the
 * salt removed, the push name replaced (its old value leaves the hash). */
static void
test_changes (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GBytes) salt = text_bytes ("fedcba9876543210");

  link_and_share (f);
  fakewa_server_phone_set_nct_salt (f->server, SHOP, salt);
  wait_until (salt_is_new, f);
  fakewa_server_phone_set_nct_salt (f->server, SHOP, NULL);
  wait_until (salt_is_gone, f);
  fakewa_server_phone_set_push_name (f->server, SHOP, "Toko Sari Jaya");
  wait_until (push_name_is_new, f);
  g_assert_cmpuint (f->key_requests, ==, 0);
}

/* A change under a key the phone has not shared: the collection waits,
 * the companion asks its phone, gets the key and reads the change. */
static void
test_missing_key (Fixture       *f,
                  gconstpointer  data)
{
  link_and_share (f);
  fakewa_server_phone_new_key (f->server, SHOP);
  fakewa_server_phone_set_push_name (f->server, SHOP, "Toko Sari Jaya");
  wait_until (push_name_is_new, f);
  g_assert_cmpuint (f->key_requests, ==, 1);
}

static gboolean
sync_failed (Fixture *f)
{
  return wa_app_state_get_status (f->app_state) == WA_APP_STATE_STATUS_FAILED;
}

/* A patch whose MAC does not verify is not read: the collection starts
 * over from a snapshot once, which a passing fault survives; when the
 * snapshot is wrong too the sync fails and nothing of either is kept. */
static void
test_bad_mac (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *name = NULL;

  link_and_share (f);
  fakewa_server_phone_corrupt_answers (f->server, SHOP, 1);
  fakewa_server_phone_set_push_name (f->server, SHOP, "Toko Sari Jaya");
  wait_until (push_name_is_new, f);

  fakewa_server_phone_corrupt_answers (f->server, SHOP, 100);
  fakewa_server_phone_set_push_name (f->server, SHOP, "Toko Palsu");
  wait_until (sync_failed, f);
  name = load_text (f, "account", "push-name");
  g_assert_cmpstr (name, ==, "Toko Sari Jaya");
}

static gboolean
sync_ended (Fixture *f)
{
  WaAppStateStatus status = wa_app_state_get_status (f->app_state);

  return status == WA_APP_STATE_STATUS_FAILED || status == WA_APP_STATE_STATUS_SYNCED;
}

/* A snapshot whose blob is larger than the server announced is refused
 * as it arrives: the sync fails and nothing of it is kept. */
static void
test_understated_snapshot (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) token = text_bytes ("token-from-customer-1");
  g_autoptr(GError) error = NULL;

  fakewa_server_phone_set_push_name (f->server, SHOP, "Toko Sari");
  fakewa_server_phone_add_contact (f->server, SHOP, CUSTOMER_1, "Budi Santoso", token);
  fakewa_server_phone_understate_snapshots (f->server, SHOP, TRUE);
  fakewa_server_link_client (f->server, f->client, SHOP);
  wait_until (caught_up, f);
  g_assert_true (fakewa_server_phone_share (f->server, SHOP, &error));
  g_assert_no_error (error);
  wait_until (sync_failed, f);
  g_assert_null (load_text (f, "account", "push-name"));
}

/* A server that keeps saying it has more is followed for 500 rounds (as
 * the reference client does), then the sync stops with what it read and
 * says so; the next sync goes on from there. */
static void
test_many_rounds (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *name = NULL;

  link_and_share (f);
  wa_client_stop (f->client);
  for (guint i = 1; i <= 1002; i++)
    {
      g_autofree char *next = g_strdup_printf ("Toko %u", i);

      fakewa_server_phone_set_push_name (f->server, SHOP, next);
    }
  wa_client_start (f->client);
  fakewa_wait_for_client (f->client, WA_CLIENT_STATE_CONNECTED);
  wait_until (caught_up, f);
  wait_until (sync_ended, f);
  g_assert_cmpint (wa_app_state_get_status (f->app_state), ==, WA_APP_STATE_STATUS_FAILED);
  /* Two patches a round, the first round started at the first change. */
  name = load_text (f, "account", "push-name");
  g_assert_cmpstr (name, ==, "Toko 1000");
  g_clear_pointer (&name, g_free);

  wa_app_state_sync (f->app_state);
  wait_until (sync_ended, f);
  g_assert_cmpint (wa_app_state_get_status (f->app_state), ==, WA_APP_STATE_STATUS_SYNCED);
  name = load_text (f, "account", "push-name");
  g_assert_cmpstr (name, ==, "Toko 1002");
}

static gboolean
stranger_read (Fixture *f)
{
  return count_receipts (f, "peer_msg") == 3;
}

/* A "message" handler that keeps nothing, set as keeping: the messenger
 * reads what others send only when somebody says it keeps it. */
static gboolean
keep_nothing_cb (WaMessenger       *messenger,
                 WaIncomingMessage *message,
                 gpointer           user_data)
{
  return FALSE;
}

/* Only our own phone is listened to: another account's phone sending
 * this device a key share, a salt, mappings and a token (a peer message
 * is easy to forge for anyone who can message us) changes nothing. */
static void
test_stranger (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) token = text_bytes ("forged-token");
  g_autoptr(GBytes) salt = text_bytes ("forged-salt-forged-salt-forged-s");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tokens = NULL;

  g_signal_connect (f->messenger, "message", G_CALLBACK (keep_nothing_cb), NULL);
  wa_messenger_set_keeping (f->messenger, TRUE);
  fakewa_server_phone_set_push_name (f->server, CUSTOMER_2, "Penipu");
  fakewa_server_phone_add_contact (f->server, CUSTOMER_2, CUSTOMER_1, "Budi Santoso", token);
  fakewa_server_phone_set_nct_salt (f->server, CUSTOMER_2, salt);
  fakewa_server_link_client (f->server, f->client, SHOP);
  wait_until (caught_up, f);
  g_assert_true (fakewa_server_phone_share_with (f->server, CUSTOMER_2, wa_client_get_device_jid (f->client),
                                                 &error));
  g_assert_no_error (error);

  /* The three messages are decrypted and confirmed as any message is,
   * then dropped. */
  wait_until (stranger_read, f);
  g_assert_cmpuint (f->chunks, ==, 0);
  g_assert_cmpint (wa_app_state_get_status (f->app_state), ==, WA_APP_STATE_STATUS_WAITING_FOR_KEYS);
  g_assert_null (wa_key_store_load (f->store, "nct-salt", "salt"));
  g_assert_null (wa_key_store_load (f->store, "account", "push-name"));
  g_assert_null (wa_key_store_load (f->store, "pn-lid", CUSTOMER_1));
  tokens = wa_key_store_list (f->store, "tctoken");
  g_assert_cmpuint (tokens->len, ==, 0);
}

static gboolean
migration_read (Fixture *f)
{
  g_autofree char *pn = NULL;
  g_autofree char *device_lid = fakewa_server_dup_device_lid (f->server, CUSTOMER_1 "@s.whatsapp.net");
  g_autofree char *lid = g_strndup (device_lid, strcspn (device_lid, ":@"));

  pn = load_text (f, "lid-pn", lid);
  return g_strcmp0 (pn, CUSTOMER_1) == 0 && count_receipts (f, "peer_msg") >= 1;
}

/* The phone moves its chats to LIDs and tells the companion, which has
 * no app state to learn them from: each contact's LID is known from the
 * message alone, and the message is confirmed. */
static void
test_lid_migration (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *lid_2 = NULL;

  fakewa_server_phone_add_contact (f->server, SHOP, CUSTOMER_1, "Budi Santoso", NULL);
  fakewa_server_phone_add_contact (f->server, SHOP, CUSTOMER_2, "Siti Aminah", NULL);
  fakewa_server_link_client (f->server, f->client, SHOP);
  wait_until (caught_up, f);
  g_assert_null (load_text (f, "pn-lid", CUSTOMER_2));

  fakewa_server_phone_migrate_lids (f->server, SHOP);
  wait_until (migration_read, f);
  lid_2 = load_text (f, "pn-lid", CUSTOMER_2);
  g_assert_nonnull (lid_2);
  g_assert_cmpint (wa_app_state_get_status (f->app_state), ==, WA_APP_STATE_STATUS_WAITING_FOR_KEYS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/wa-app-state/share", Fixture, NULL, fixture_set_up, test_share, fixture_tear_down);
  g_test_add ("/wa-app-state/changes", Fixture, NULL, fixture_set_up, test_changes, fixture_tear_down);
  g_test_add ("/wa-app-state/missing-key", Fixture, NULL, fixture_set_up, test_missing_key, fixture_tear_down);
  g_test_add ("/wa-app-state/bad-mac", Fixture, NULL, fixture_set_up, test_bad_mac, fixture_tear_down);
  g_test_add ("/wa-app-state/understated-snapshot", Fixture, NULL, fixture_set_up, test_understated_snapshot,
              fixture_tear_down);
  g_test_add ("/wa-app-state/stranger", Fixture, NULL, fixture_set_up, test_stranger, fixture_tear_down);
  g_test_add ("/wa-app-state/many-rounds", Fixture, NULL, fixture_set_up, test_many_rounds, fixture_tear_down);
  g_test_add ("/wa-app-state/lid-migration", Fixture, NULL, fixture_set_up, test_lid_migration, fixture_tear_down);
  return g_test_run ();
}
