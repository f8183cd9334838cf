/* test-key-store.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>

#include "fakewa-server.h"
#include "wa-credentials.h"
#include "wa-lid-map.h"
#include "wa-messenger.h"
#include "wa-privacy.h"
#include "wa-privacy-token.h"
#include "xi-key-store.h"
#include "xi-store-private.h"
#include "xi-test-utils.h"

/* The protocol library's key store on the app's SQLite file: what is
 * saved is there after a restart, an unlink wipes it, and the file is
 * private. The values are sealed under a key kept outside the file: in
 * key files here, in GNOME Keyring when tests/run-with-keyring runs this
 * (the key-store-keyring test). */

static XiStore *
open_store (const char *path)
{
  g_autoptr(XiStore) store = xi_store_new (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  xi_store_open_async (store, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  g_assert_true (xi_store_open_finish (store, result, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&store);
}

static XiKeyStore *
load_key_store (XiStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GHashTable) loaded = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  xi_store_load_keys_async (store, xi_key_store_lazy_kinds (), NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  loaded = xi_store_load_keys_finish (store, result, &error);
  g_assert_no_error (error);
  return xi_key_store_new (store, loaded);
}

/* Changes reach the disk when flushed; the store closes after that. */
static void
flush (XiKeyStore *keys)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  g_assert_true (wa_key_store_flush_finish (WA_KEY_STORE (keys), result, &error));
  g_assert_no_error (error);
}

/* Raw SQLite, as somebody holding a copy of the file would read it. */
static sqlite3 *
open_raw (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  return db;
}

static void
exec_raw (const char *path,
          const char *sql)
{
  sqlite3 *db = open_raw (path);

  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* Every value of the table, the marker's included, one after another. */
static GByteArray *
raw_values (const char *path)
{
  sqlite3 *db = open_raw (path);
  sqlite3_stmt *stmt = NULL;
  GByteArray *all = g_byte_array_new ();

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT value FROM wa_keystore", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_byte_array_append (all, sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return all;
}

static gboolean
contains (GByteArray   *haystack,
          const guint8 *needle,
          gsize         len)
{
  return memmem (haystack->data, haystack->len, needle, len) != NULL;
}

static GBytes *
lookup_secret (XiStore    *store,
               const char *name)
{
  g_autoptr(GError) error = NULL;
  GBytes *secret = xi_secret_store_lookup_sync (xi_store_get_secret_store (store), name, NULL, &error);

  g_assert_no_error (error);
  return secret;
}

static gboolean
uses_keyring (void)
{
  return g_strcmp0 (g_getenv ("XI_TEST_KEYRING"), "1") == 0;
}

/* The key is kept where the backend keeps it: a key file of mode 0600
 * beside the database, or the keyring and no file. */
static void
assert_key_kept (XiStore    *store,
                 const char *name)
{
  g_autoptr(GBytes) secret = lookup_secret (store, name);
  g_autofree char *file = xi_secret_store_dup_key_file (xi_store_get_secret_store (store), name);
  GStatBuf st;

  g_assert_nonnull (secret);
  g_assert_cmpuint (g_bytes_get_size (secret), ==, 32);
  if (uses_keyring ())
    g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  else
    {
      g_assert_cmpint (g_stat (file, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
    }
}

static GHashTable *
try_load (XiStore  *store,
          GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  xi_store_load_keys_async (store, NULL, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  return xi_store_load_keys_finish (store, result, error);
}

static void
put_changes (XiStore   *store,
             GPtrArray *changes)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  xi_store_put_keys_async (store, changes, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  g_assert_true (xi_store_put_keys_finish (store, result, &error));
  g_assert_no_error (error);
}

static void
wipe (XiStore *store)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_key_change_free);

  g_ptr_array_add (changes, xi_key_change_new (NULL, NULL, NULL));
  put_changes (store, changes);
}

static void
assert_unreadable (XiStore *store)
{
  g_autoptr(GHashTable) loaded = NULL;
  g_autoptr(GError) error = NULL;

  loaded = try_load (store, &error);
  g_assert_null (loaded);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_UNREADABLE);
  g_assert_nonnull (strstr (error->message, "Link the device again"));
}

static void
test_survives_restart (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(WaCredentials) made = NULL;
  g_autoptr(WaCredentials) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) raw = NULL;
  g_autoptr(GBytes) secret = NULL;
  g_autofree char *name = NULL;
  GStatBuf st;

  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(XiKeyStore) keys = load_key_store (store);

    made = wa_credentials_load_or_create (WA_KEY_STORE (keys), NULL, &error);
    g_assert_no_error (error);
    flush (keys);
    name = xi_test_seal_secret_name (path);
    g_assert_nonnull (name);
    assert_key_kept (store, name);
    xi_store_close (store);
  }

  /* A copy of the file holds none of the private keys. */
  raw = raw_values (path);
  g_assert_cmpuint (raw->len, >, 4 * WA_KEY_LEN);
  g_assert_false (contains (raw, made->identity_key.priv, WA_KEY_LEN));
  g_assert_false (contains (raw, made->noise_key.priv, WA_KEY_LEN));
  g_assert_false (contains (raw, made->signed_pre_key.priv, WA_KEY_LEN));
  g_assert_false (contains (raw, made->adv_secret, WA_KEY_LEN));
  g_assert_false (contains (raw, made->identity_key.pub, WA_KEY_LEN));

  /* Secrets live in a file only its owner can read. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(XiKeyStore) keys = load_key_store (store);

    loaded = wa_credentials_load (WA_KEY_STORE (keys), &error);
    g_assert_no_error (error);
    g_assert_nonnull (loaded);
    g_assert_cmpmem (loaded->identity_key.pub, WA_KEY_LEN, made->identity_key.pub, WA_KEY_LEN);
    g_assert_cmpmem (loaded->noise_key.pub, WA_KEY_LEN, made->noise_key.pub, WA_KEY_LEN);
    g_assert_cmpuint (loaded->registration_id, ==, made->registration_id);

    /* Unlinking forgets the device, on disk too, and its key. */
    wa_key_store_clear (WA_KEY_STORE (keys));
    flush (keys);
    secret = lookup_secret (store, name);
    g_assert_null (secret);
    g_assert_null (xi_test_seal_secret_name (path));
    xi_store_close (store);
  }

  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(XiKeyStore) keys = load_key_store (store);
    g_autoptr(GPtrArray) listed = wa_key_store_list (WA_KEY_STORE (keys), "device");

    g_assert_cmpuint (listed->len, ==, 0);
    g_assert_null (wa_credentials_load (WA_KEY_STORE (keys), &error));
    g_assert_no_error (error);
    xi_store_close (store);
  }

  xi_test_rm_rf (dir);
}

/* Deleting a signed-out account's copy forgets the key to its WhatsApp
 * keys, in the keyring as in a key file, and leaves other folders' keys
 * alone. */
static void
test_forget_secrets (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autofree char *other_dir = g_build_filename (dir, "other", NULL);
  g_autofree char *other_path = g_build_filename (other_dir, "xender-in.db", NULL);
  g_autofree char *missing = g_build_filename (dir, "none", "xender-in.db", NULL);
  g_autofree char *name = NULL;
  g_autofree char *other_name = NULL;
  g_autofree char *file = NULL;
  g_autoptr(XiSecretStore) secrets = NULL;
  g_autoptr(GBytes) secret = NULL;
  g_autoptr(GError) error = NULL;
  const char *paths[] = { path, other_path };

  g_assert_cmpint (g_mkdir (other_dir, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(XiStore) store = open_store (paths[i]);
      g_autoptr(XiKeyStore) keys = load_key_store (store);
      g_autoptr(WaCredentials) made = wa_credentials_load_or_create (WA_KEY_STORE (keys), NULL,
                                                                     &error);

      g_assert_no_error (error);
      flush (keys);
      xi_store_close (store);
    }
  name = xi_test_seal_secret_name (path);
  other_name = xi_test_seal_secret_name (other_path);
  g_assert_nonnull (name);
  g_assert_cmpstr (name, !=, other_name);

  g_assert_true (xi_store_forget_secrets_sync (path, NULL, &error));
  g_assert_no_error (error);
  secrets = xi_secret_store_new (path, xi_secret_store_backend_from_env ());
  secret = xi_secret_store_lookup_sync (secrets, name, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (secret);
  file = xi_secret_store_dup_key_file (secrets, name);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));

  {
    g_autoptr(XiStore) store = open_store (other_path);

    assert_key_kept (store, other_name);
    xi_store_close (store);
  }

  /* A folder without a database names no key. */
  g_assert_true (xi_store_forget_secrets_sync (missing, NULL, &error));
  g_assert_no_error (error);
  xi_test_rm_rf (dir);
}

static GBytes *
text_bytes (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static void
save_values (XiStore *store)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_key_change_free);
  g_autoptr(GBytes) first = text_bytes ("first-secret-value");
  g_autoptr(GBytes) second = text_bytes ("second-secret-value");

  g_ptr_array_add (changes, xi_key_change_new ("session", "628111.0", first));
  g_ptr_array_add (changes, xi_key_change_new ("session", "628222.0", second));
  put_changes (store, changes);
}

static void
assert_values (GHashTable *loaded)
{
  GBytes *first = g_hash_table_lookup (loaded, "session\x1f" "628111.0");
  GBytes *second = g_hash_table_lookup (loaded, "session\x1f" "628222.0");

  g_assert_cmpuint (g_hash_table_size (loaded), ==, 2);
  g_assert_nonnull (first);
  g_assert_nonnull (second);
  g_assert_cmpmem (g_bytes_get_data (first, NULL), g_bytes_get_size (first), "first-secret-value", 18);
  g_assert_cmpmem (g_bytes_get_data (second, NULL), g_bytes_get_size (second), "second-secret-value", 19);
}

/* A database from before sealing is sealed in place on its first load,
 * and reads the same afterwards. */
static void
test_migrates_plain (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(GByteArray) raw = NULL;
  g_autofree char *name = NULL;

  {
    g_autoptr(XiStore) store = open_store (path);

    xi_store_close (store);
  }
  exec_raw (path,
            "INSERT INTO wa_keystore (master_user_id, kind, key, value, updated_at) VALUES"
            " ('" XI_STORE_ANONYMOUS_USER "', 'session', '628111.0', CAST ('first-secret-value' AS BLOB), 'x'),"
            " ('" XI_STORE_ANONYMOUS_USER "', 'session', '628222.0', CAST ('second-secret-value' AS BLOB), 'x')");

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(XiStore) store = open_store (path);
      g_autoptr(GHashTable) loaded = NULL;
      g_autoptr(GError) error = NULL;

      loaded = try_load (store, &error);
      g_assert_no_error (error);
      assert_values (loaded);
      g_free (name);
      name = xi_test_seal_secret_name (path);
      g_assert_nonnull (name);
      assert_key_kept (store, name);
      xi_store_close (store);
    }

  raw = raw_values (path);
  g_assert_false (contains (raw, (const guint8 *)"secret-value", 12));

  xi_test_rm_rf (dir);
}

/* Two stores (as two processes would) load a plain database at once: one
 * seals it, the other waits for the write lock, sees the marker and reads
 * with the same key; nobody makes a second key. */
static void
test_migrates_once (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) first = NULL;
  g_autoptr(XiStore) second = NULL;
  g_autoptr(GAsyncResult) first_result = NULL;
  g_autoptr(GAsyncResult) second_result = NULL;
  g_autoptr(GHashTable) first_loaded = NULL;
  g_autoptr(GHashTable) second_loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;
  GAsyncResult *first_slot = NULL;
  GAsyncResult *second_slot = NULL;
  const char *name;
  guint key_files = 0;

  first = open_store (path);
  exec_raw (path,
            "INSERT INTO wa_keystore (master_user_id, kind, key, value, updated_at) VALUES"
            " ('" XI_STORE_ANONYMOUS_USER "', 'session', '628111.0', CAST ('first-secret-value' AS BLOB), 'x'),"
            " ('" XI_STORE_ANONYMOUS_USER "', 'session', '628222.0', CAST ('second-secret-value' AS BLOB), 'x')");
  second = open_store (path);

  xi_store_load_keys_async (first, NULL, NULL, xi_test_store_result_cb, &first_slot);
  xi_store_load_keys_async (second, NULL, NULL, xi_test_store_result_cb, &second_slot);
  first_result = xi_test_wait_result (&first_slot);
  second_result = xi_test_wait_result (&second_slot);
  first_loaded = xi_store_load_keys_finish (first, first_result, &error);
  g_assert_no_error (error);
  second_loaded = xi_store_load_keys_finish (second, second_result, &error);
  g_assert_no_error (error);
  assert_values (first_loaded);
  assert_values (second_loaded);

  if (!uses_keyring ())
    {
      listing = g_dir_open (dir, 0, NULL);
      while ((name = g_dir_read_name (listing)) != NULL)
        key_files += g_str_has_suffix (name, ".key");
      g_assert_cmpuint (key_files, ==, 1);
    }

  xi_store_close (first);
  xi_store_close (second);
  xi_test_rm_rf (dir);
}

/* A value moved to another row does not open there. */
static void
test_swapped_value (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);

  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(GHashTable) loaded = try_load (store, NULL);

    g_assert_nonnull (loaded);
    save_values (store);
    xi_store_close (store);
  }
  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(GHashTable) loaded = try_load (store, NULL);

    assert_values (loaded);
    xi_store_close (store);
  }

  exec_raw (path,
            "UPDATE wa_keystore SET value = (SELECT value FROM wa_keystore WHERE key = '628222.0')"
            " WHERE key = '628111.0'");
  {
    g_autoptr(XiStore) store = open_store (path);

    assert_unreadable (store);
    xi_store_close (store);
  }

  xi_test_rm_rf (dir);
}

/* Without its key, or with another, the keys cannot be read: a clear
 * error, no garbage. Wiping them (as linking again does) starts a new
 * key. */
static void
test_lost_key (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autofree char *name = NULL;
  g_autofree char *new_name = NULL;
  g_autoptr(GBytes) other = g_bytes_new_static ("0123456789abcdef0123456789abcdef", 32);
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(GHashTable) loaded = try_load (store, NULL);

    g_assert_nonnull (loaded);
    save_values (store);
    name = xi_test_seal_secret_name (path);

    /* The wrong key. */
    g_assert_true (xi_secret_store_save_sync (xi_store_get_secret_store (store), name, "Wrong",
                                              other, NULL, &error));
    g_assert_no_error (error);
    xi_store_close (store);
  }
  {
    g_autoptr(XiStore) store = open_store (path);

    assert_unreadable (store);

    /* No key at all. */
    g_assert_true (xi_secret_store_delete_sync (xi_store_get_secret_store (store), name, NULL, &error));
    g_assert_no_error (error);
    assert_unreadable (store);

    /* Nothing can be written on top of keys nobody can read... */
    {
      g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_key_change_free);
      g_autoptr(GBytes) value = text_bytes ("new");
      g_autoptr(GAsyncResult) result = NULL;
      GAsyncResult *slot = NULL;

      g_ptr_array_add (changes, xi_key_change_new ("session", "628333.0", value));
      xi_store_put_keys_async (store, changes, NULL, xi_test_store_result_cb, &slot);
      result = xi_test_wait_result (&slot);
      g_assert_false (xi_store_put_keys_finish (store, result, &error));
      g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_UNREADABLE);
      g_clear_error (&error);
    }

    /* ...until they are wiped; then a new key comes with the first value. */
    wipe (store);
    g_assert_null (xi_test_seal_secret_name (path));
    {
      g_autoptr(GHashTable) loaded = try_load (store, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (g_hash_table_size (loaded), ==, 0);
    }
    save_values (store);
    new_name = xi_test_seal_secret_name (path);
    g_assert_nonnull (new_name);
    g_assert_cmpstr (new_name, !=, name);
    assert_key_kept (store, new_name);
    xi_store_close (store);
  }
  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(GHashTable) loaded = try_load (store, &error);

    g_assert_no_error (error);
    assert_values (loaded);
    xi_store_close (store);
  }

  xi_test_rm_rf (dir);
}

/* Writing before reading would seal under a second key: an error, and
 * the caller hears of it. */
static void
test_write_before_read (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_key_change_free);
  g_autoptr(GBytes) value = text_bytes ("early");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  g_ptr_array_add (changes, xi_key_change_new ("session", "628444.0", value));
  xi_store_put_keys_async (store, changes, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  g_assert_false (xi_store_put_keys_finish (store, result, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_STATE);
  g_assert_null (xi_test_seal_secret_name (path));
  xi_store_close (store);

  xi_test_rm_rf (dir);
}

/* A message sent by hand (an Inbox reply), for receipts to move. */
static void
add_sent_reply (XiStore    *store,
                const char *message_id)
{
  g_autoptr(XiChatMessage) reply = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  XI_TEST_WAIT (xi_store_add_reply_async (store, "6281234567890", message_id, "Halo", NULL, NULL,
                                          xi_test_store_result_cb, &slot_),
                reply = xi_store_add_reply_finish (store, result_, &error));
  g_assert_no_error (error);
  XI_TEST_WAIT (xi_store_finish_reply_async (store, message_id, NULL, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_store_finish_reply_finish (store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
}

static GPtrArray *
delivered (const char *message_id)
{
  GPtrArray *receipts = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_receipt_free);
  XiReceipt *receipt = g_new0 (XiReceipt, 1);

  receipt->message_id = g_strdup (message_id);
  receipt->state = XI_RECIPIENT_STATE_DELIVERED;
  receipt->timestamp = g_get_real_time () / G_USEC_PER_SEC;
  g_ptr_array_add (receipts, receipt);
  return receipts;
}

static char *
raw_reply_state (const char *path,
                 const char *message_id)
{
  sqlite3 *db = open_raw (path);
  sqlite3_stmt *stmt = NULL;
  char *state;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT state FROM outgoing_messages WHERE wa_message_id = ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, message_id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  state = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return state;
}

/* Queues receipts for @message_id and, before anything runs, a key
 * write, with a read of keys between them when @read_between; returns
 * both writes' answers. */
static void
receipt_then_keys (XiStore     *store,
                   const char  *message_id,
                   gboolean     read_between,
                   GError     **receipt_error,
                   GError     **keys_error)
{
  g_autoptr(GPtrArray) receipts = delivered (message_id);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_key_change_free);
  g_autoptr(GBytes) value = text_bytes ("ratchet-moved-on");
  g_autoptr(GAsyncResult) receipt_result = NULL;
  g_autoptr(GAsyncResult) keys_result = NULL;
  g_auto(GStrv) jobs = NULL;
  g_autoptr(GAsyncResult) read_result = NULL;
  GAsyncResult *receipt_slot = NULL, *keys_slot = NULL, *read_slot = NULL;
  const char * const read_keys[] = { "6281234567890.0", NULL };

  g_ptr_array_add (changes, xi_key_change_new ("session", "6281234567890.0", value));
  xi_store_record_receipts_async (store, receipts, NULL, xi_test_store_result_cb, &receipt_slot);
  if (read_between)
    xi_store_get_keys_async (store, "session", read_keys, NULL, xi_test_store_result_cb, &read_slot);
  xi_store_put_keys_async (store, changes, NULL, xi_test_store_result_cb, &keys_slot);
  if (read_between)
    {
      g_autoptr(GHashTable) found = NULL;
      g_autoptr(GError) read_error = NULL;

      read_result = xi_test_wait_result (&read_slot);
      found = xi_store_get_keys_finish (store, read_result, &read_error);
      g_assert_no_error (read_error);
    }
  keys_result = xi_test_wait_result (&keys_slot);
  receipt_result = xi_test_wait_result (&receipt_slot);
  jobs = xi_store_record_receipts_finish (store, receipt_result, receipt_error);
  xi_store_put_keys_finish (store, keys_result, keys_error);
}

/* A receipt (like a campaign's outcome) queued before a key write is
 * written in the key write's transaction: one commit for both, and
 * should the keys fail, the receipt is not written either and hears why.
 * A read of keys queued between them (a campaign's prefetch) leaves it
 * waiting for the write. With no key write after it, it goes on its
 * own. */
static void
test_riders (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(GHashTable) loaded = try_load (store, NULL);
  g_autoptr(GError) receipt_error = NULL;
  g_autoptr(GError) keys_error = NULL;
  g_autofree char *state = NULL;

  g_assert_nonnull (loaded);
  save_values (store);
  add_sent_reply (store, "3EB0AAAA0000000000000001");
  add_sent_reply (store, "3EB0AAAA0000000000000002");
  add_sent_reply (store, "3EB0AAAA0000000000000003");
  add_sent_reply (store, "3EB0AAAA0000000000000004");

  /* Together, both written. */
  receipt_then_keys (store, "3EB0AAAA0000000000000001", FALSE, &receipt_error, &keys_error);
  g_assert_no_error (receipt_error);
  g_assert_no_error (keys_error);
  state = raw_reply_state (path, "3EB0AAAA0000000000000001");
  g_assert_cmpstr (state, ==, "delivered");
  g_clear_pointer (&state, g_free);

  /* Another process linked meanwhile: the keys are refused, and the
   * receipt, in the same transaction, is rolled back with them. */
  exec_raw (path, "UPDATE wa_keystore SET value = CAST ('another-link' AS BLOB) WHERE kind = '.seal'");
  /* The second time with a read of keys between them: the receipt still
   * rides with the keys, not in a commit of its own before the read. */
  for (guint i = 0; i < 2; i++)
    {
      const char *message_id = i == 0 ? "3EB0AAAA0000000000000002" : "3EB0AAAA0000000000000003";

      g_clear_error (&keys_error);
      g_clear_error (&receipt_error);
      receipt_then_keys (store, message_id, i == 1, &receipt_error, &keys_error);
      g_assert_error (keys_error, XI_STORE_ERROR, XI_STORE_ERROR_STATE);
      g_assert_error (receipt_error, XI_STORE_ERROR, XI_STORE_ERROR_STATE);
      state = raw_reply_state (path, message_id);
      g_assert_cmpstr (state, ==, "sent");
      g_clear_pointer (&state, g_free);
    }

  /* Alone, it is written all the same. */
  {
    g_autoptr(GPtrArray) receipts = delivered ("3EB0AAAA0000000000000004");
    g_auto(GStrv) jobs = NULL;
    g_autoptr(GError) error = NULL;

    XI_TEST_WAIT (xi_store_record_receipts_async (store, receipts, NULL, xi_test_store_result_cb, &slot_),
                  jobs = xi_store_record_receipts_finish (store, result_, &error));
    g_assert_no_error (error);
    state = raw_reply_state (path, "3EB0AAAA0000000000000004");
    g_assert_cmpstr (state, ==, "delivered");
  }

  xi_store_close (store);
  xi_test_rm_rf (dir);
}

typedef struct
{
  guint         *answered;  /* answers so far, of all of them */
  guint          order;
  guint          source_id;
  GAsyncResult  *result;
} Answer;

static void
answered_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Answer *answer = user_data;

  answer->order = ++*answer->answered;
  answer->source_id = g_source_get_id (g_main_current_source ());
  answer->result = g_object_ref (result);
}

/* Returns once the store has run what was queued before, waiting on a
 * context of its own, so that the default one is not iterated, nor
 * owned, meanwhile. */
static void
wait_for_store_elsewhere (XiStore *store)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GHashTable) found = NULL;
  g_autoptr(GError) error = NULL;
  const char * const keys[] = { "6281234567890.0", NULL };

  g_main_context_push_thread_default (context);
  xi_store_get_keys_async (store, "session", keys, NULL, xi_test_store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  found = xi_store_get_keys_finish (store, result, &error);
  g_assert_no_error (error);
}

/* The riders and the key write that carried them answer in their order,
 * and together: one wakeup of the caller's thread for a message's three
 * writes, not one each. */
static void
test_riders_answer_together (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(GHashTable) loaded = try_load (store, NULL);
  g_autoptr(GPtrArray) first = delivered ("3EB0AAAA0000000000000001");
  g_autoptr(GPtrArray) second = delivered ("3EB0AAAA0000000000000002");
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_key_change_free);
  g_autoptr(GBytes) value = text_bytes ("ratchet-moved-on");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) first_jobs = NULL;
  g_auto(GStrv) second_jobs = NULL;
  guint answered = 0;
  Answer answers[3] = { { &answered }, { &answered }, { &answered } };

  g_assert_nonnull (loaded);
  save_values (store);
  add_sent_reply (store, "3EB0AAAA0000000000000001");
  add_sent_reply (store, "3EB0AAAA0000000000000002");

  g_ptr_array_add (changes, xi_key_change_new ("session", "6281234567890.0", value));
  xi_store_record_receipts_async (store, first, NULL, answered_cb, &answers[0]);
  xi_store_record_receipts_async (store, second, NULL, answered_cb, &answers[1]);
  xi_store_put_keys_async (store, changes, NULL, answered_cb, &answers[2]);
  /* However late this thread comes back to its loop: the store has
   * committed, and answered, before it does. */
  wait_for_store_elsewhere (store);
  g_assert_cmpuint (answered, ==, 0);
  while (answered < G_N_ELEMENTS (answers))
    g_main_context_iteration (NULL, TRUE);

  first_jobs = xi_store_record_receipts_finish (store, answers[0].result, &error);
  g_assert_no_error (error);
  second_jobs = xi_store_record_receipts_finish (store, answers[1].result, &error);
  g_assert_no_error (error);
  g_assert_true (xi_store_put_keys_finish (store, answers[2].result, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      g_assert_cmpuint (answers[i].order, ==, i + 1);
      g_assert_cmpuint (answers[i].source_id, ==, answers[0].source_id);
      g_object_unref (answers[i].result);
    }

  xi_store_close (store);
  xi_test_rm_rf (dir);
}

/* A rider nothing else takes goes alone after a moment, even while
 * its thread does not run its main loop: the store keeps its time. */
static void
test_rider_goes_alone (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(GHashTable) loaded = try_load (store, NULL);
  g_autoptr(GPtrArray) receipts = delivered ("3EB0AAAA0000000000000007");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) jobs = NULL;
  g_autofree char *state = NULL;
  gint64 give_up = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint answered = 0;
  Answer answer = { &answered };

  g_assert_nonnull (loaded);
  add_sent_reply (store, "3EB0AAAA0000000000000007");
  xi_store_record_receipts_async (store, receipts, NULL, answered_cb, &answer);
  while (g_strcmp0 (state, "delivered") != 0 && g_get_monotonic_time () < give_up)
    {
      g_usleep (20 * 1000);
      g_free (state);
      state = raw_reply_state (path, "3EB0AAAA0000000000000007");
    }
  g_assert_cmpstr (state, ==, "delivered");

  while (answered == 0)
    g_main_context_iteration (NULL, TRUE);
  jobs = xi_store_record_receipts_finish (store, answer.result, &error);
  g_assert_no_error (error);
  g_object_unref (answer.result);
  xi_store_close (store);
  xi_test_rm_rf (dir);
}

/* How many times @context was woken since the last call: its wakeup is
 * an eventfd, whose counter adds up the wakeups until it is read. */
static guint64
take_wakeups (GMainContext *context)
{
  GPollFD fds[4];
  int priority, timeout, n_fds;
  guint64 count = 0;

  g_main_context_prepare (context, &priority);
  n_fds = g_main_context_query (context, G_MAXINT, &timeout, fds, G_N_ELEMENTS (fds));
  g_assert_cmpint (n_fds, ==, 1);
  if (read (fds[0].fd, &count, sizeof count) != sizeof count)
    count = 0;
  return count;
}

/* Several answers that come back before their thread looks wake it
 * once, not once each, and still come in the order they were asked:
 * a key write, a read of a batch's keys kind after kind. */
static void
test_answers_wake_once (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(GHashTable) loaded = try_load (store, NULL);
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autoptr(GBytes) value = text_bytes ("ratchet-moved-on");
  const char * const keys[] = { "6281234567890.0", NULL };
  const char * const kinds[] = { "session", "identity", "session" };
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GError) error = NULL;
  guint answered = 0;
  Answer answers[5] = { { &answered }, { &answered }, { &answered }, { &answered }, { &answered } };

  g_assert_nonnull (loaded);
  g_main_context_push_thread_default (context);
  /* This thread owns the context, as a thread iterating it does: a
   * source attached from elsewhere then wakes it. */
  g_assert_true (g_main_context_acquire (context));
  /* The first answer to a context makes its way there. */
  xi_store_put_keys_async (store, none, NULL, xi_test_store_result_cb, &first);
  while (first == NULL)
    g_main_context_iteration (context, TRUE);
  g_assert_true (xi_store_put_keys_finish (store, first, &error));
  take_wakeups (context);

  {
    g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_key_change_free);

    g_ptr_array_add (changes, xi_key_change_new ("session", "6281234567890.0", value));
    xi_store_put_keys_async (store, changes, NULL, answered_cb, &answers[0]);
  }
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    xi_store_get_keys_async (store, kinds[i], keys, NULL, answered_cb, &answers[1 + i]);
  xi_store_put_keys_async (store, none, NULL, answered_cb, &answers[4]);
  /* Once closed, the store has answered everything. */
  xi_store_close (store);
  g_assert_cmpuint (take_wakeups (context), ==, 1);

  while (answered < G_N_ELEMENTS (answers))
    g_main_context_iteration (context, TRUE);
  g_assert_true (xi_store_put_keys_finish (store, answers[0].result, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr(GHashTable) found = xi_store_get_keys_finish (store, answers[1 + i].result, &error);

      g_assert_no_error (error);
      g_assert_nonnull (found);
      g_assert_cmpuint (g_hash_table_size (found), ==, i == 1 ? 0 : 1);
    }
  g_assert_true (xi_store_put_keys_finish (store, answers[4].result, &error));
  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      g_assert_cmpuint (answers[i].order, ==, i + 1);
      g_object_unref (answers[i].result);
    }

  g_main_context_release (context);
  g_main_context_pop_thread_default (context);
  xi_test_rm_rf (dir);
}

#define CACHE_SIZE 8
#define PEERS      (5 * CACHE_SIZE)

static char *
peer_key (guint i)
{
  return g_strdup_printf ("62811000%03u.0", i);
}

static GBytes *
record_of (guint i,
           guint round)
{
  char *text = g_strdup_printf ("record %u of round %u", i, round);

  return g_bytes_new_take (text, strlen (text));
}

static void
assert_record (XiKeyStore *keys,
               guint       i,
               guint       round)
{
  g_autofree char *key = peer_key (i);
  g_autoptr(GBytes) expected = record_of (i, round);
  g_autoptr(GBytes) found = wa_key_store_load (WA_KEY_STORE (keys), "session", key);

  g_assert_nonnull (found);
  g_assert_true (g_bytes_equal (found, expected));
}

static void
save_records (XiKeyStore *keys,
              guint       round)
{
  for (guint i = 0; i < PEERS; i++)
    {
      g_autofree char *key = peer_key (i);
      g_autoptr(GBytes) record = record_of (i, round);

      wa_key_store_save (WA_KEY_STORE (keys), "session", key, record);
    }
}

/* A campaign to five times as many peers as the cache holds: memory
 * holds no more than the cache, and every session reads back as last
 * written, whether it was still queued, written, or read after a
 * restart. */
static void
test_bounded_cache (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(XiKeyStore) keys = load_key_store (store);
    g_autoptr(WaCredentials) made = wa_credentials_load_or_create (WA_KEY_STORE (keys), NULL, &error);

    g_assert_no_error (error);
    xi_key_store_set_cache_size (keys, CACHE_SIZE);
    save_records (keys, 1);
    g_assert_cmpuint (xi_key_store_get_cached (keys), ==, CACHE_SIZE);
    flush (keys);
    /* Queued, not written yet, and dropped from memory. */
    save_records (keys, 2);
    g_assert_cmpuint (xi_key_store_get_cached (keys), ==, CACHE_SIZE);
    for (guint i = 0; i < PEERS; i++)
      {
        assert_record (keys, i, 2);
        g_assert_cmpuint (xi_key_store_get_cached (keys), <=, CACHE_SIZE);
      }
    g_assert_null (wa_key_store_load (WA_KEY_STORE (keys), "session", "62899.0"));
    flush (keys);
    xi_store_close (store);
  }

  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(XiKeyStore) keys = load_key_store (store);
    g_autoptr(GPtrArray) listed = NULL;

    xi_key_store_set_cache_size (keys, CACHE_SIZE);
    g_assert_cmpuint (xi_key_store_get_cached (keys), ==, 0);
    for (guint i = 0; i < PEERS; i++)
      assert_record (keys, i, 2);
    g_assert_cmpuint (xi_key_store_get_cached (keys), ==, CACHE_SIZE);
    listed = wa_key_store_list (WA_KEY_STORE (keys), "session");
    g_assert_cmpuint (listed->len, ==, PEERS);
    g_assert_cmpuint (xi_key_store_get_cached (keys), ==, CACHE_SIZE);
    xi_store_close (store);
  }

  xi_test_rm_rf (dir);
}

/* Reading ahead fills the cache with a batch, values and absences alike,
 * and never puts back an older value over one changed meanwhile. */
/* Per account, the LID mapping and the privacy tokens grow with the
 * people a campaign reaches, like sessions: memory holds no more of them
 * than the cache, they are not read at start, and each reads back. */
static void
test_bounded_accounts (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);

  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(XiKeyStore) keys = load_key_store (store);

    xi_key_store_set_cache_size (keys, CACHE_SIZE);
    for (guint i = 0; i < PEERS; i++)
      {
        g_autofree char *pn = g_strdup_printf ("62811000%04u", i);
        g_autofree char *lid = g_strdup_printf ("1000000%04u", i);

        g_assert_true (wa_lid_map_remember (WA_KEY_STORE (keys), lid, pn));
        wa_tctoken_save_sent (WA_KEY_STORE (keys), lid, 1700000000 + i);
        g_assert_cmpuint (xi_key_store_get_cached (keys), <=, CACHE_SIZE);
      }
    g_assert_cmpuint (xi_key_store_get_cached (keys), ==, CACHE_SIZE);
    flush (keys);
    xi_store_close (store);
  }
  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GHashTable) loaded = NULL;
    g_autoptr(XiKeyStore) keys = NULL;
    g_autoptr(GError) error = NULL;
    GAsyncResult *slot = NULL;
    GHashTableIter iter;
    gpointer full;

    xi_store_load_keys_async (store, xi_key_store_lazy_kinds (), NULL, xi_test_store_result_cb, &slot);
    result = xi_test_wait_result (&slot);
    loaded = xi_store_load_keys_finish (store, result, &error);
    g_assert_no_error (error);
    g_hash_table_iter_init (&iter, loaded);
    while (g_hash_table_iter_next (&iter, &full, NULL))
      {
        g_assert_false (g_str_has_prefix (full, WA_LID_MAP_KIND_PN_LID "\x1f"));
        g_assert_false (g_str_has_prefix (full, WA_TCTOKEN_SENT_KIND "\x1f"));
      }

    keys = xi_key_store_new (store, loaded);
    xi_key_store_set_cache_size (keys, CACHE_SIZE);
    for (guint i = 0; i < PEERS; i++)
      {
        g_autofree char *pn = g_strdup_printf ("62811000%04u", i);
        g_autofree char *lid = g_strdup_printf ("1000000%04u", i);
        g_autofree char *found_lid = wa_lid_map_lid_of_pn (WA_KEY_STORE (keys), pn);
        g_autofree char *found_pn = wa_lid_map_pn_of_lid (WA_KEY_STORE (keys), lid);

        g_assert_cmpstr (found_lid, ==, lid);
        g_assert_cmpstr (found_pn, ==, pn);
        g_assert_cmpint (wa_tctoken_load_sent (WA_KEY_STORE (keys), lid), ==, 1700000000 + i);
        g_assert_cmpuint (xi_key_store_get_cached (keys), <=, CACHE_SIZE);
      }
    xi_store_close (store);
  }

  xi_test_rm_rf (dir);
}

static gint64
fixed_now (gpointer user_data)
{
  return *(gint64 *) user_data;
}

/* More than two of the chunks the pruning reads at a time. */
#define PRUNE_PEERS 450

/* Pruning the privacy tokens at start looks at every contact ever
 * written to. With tokens read on demand it reads them ahead a chunk at
 * a time: the thread never stops for one contact's token, or a start
 * after many campaigns would wait on the store twice per contact. */
static void
test_prune_reads_ahead (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  const gint64 week = 7 * 24 * 60 * 60;
  gint64 now = 2905 * week + 100;
  gint64 old = 2900 * week;

  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(XiKeyStore) keys = load_key_store (store);
    g_autoptr(GBytes) token = g_bytes_new_static ("token", 5);

    for (guint i = 0; i < PRUNE_PEERS; i++)
      {
        g_autofree char *lid = g_strdup_printf ("1000000%04u", i);

        wa_tctoken_save (WA_KEY_STORE (keys), lid, old, token);
        wa_tctoken_save_sent (WA_KEY_STORE (keys), lid, i % 2 == 0 ? old : now - 60);
      }
    flush (keys);
    xi_store_close (store);
  }
  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(XiKeyStore) keys = load_key_store (store);
    const guint8 root[WA_KEY_LEN] = { 0 };
    g_autoptr(WaClient) client = wa_client_new (WA_KEY_STORE (keys), "ws://127.0.0.1:9/ws/chat", root);
    g_autoptr(WaPrivacy) privacy = wa_privacy_new (client);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    GAsyncResult *slot = NULL;

    wa_privacy_set_clock (privacy, fixed_now, &now);
    wa_privacy_prune_tokens_async (privacy, NULL, xi_test_store_result_cb, &slot);
    result = xi_test_wait_result (&slot);
    g_assert_cmpint (wa_privacy_prune_tokens_finish (privacy, result, &error), ==, PRUNE_PEERS / 2);
    g_assert_no_error (error);
    /* The two listings of who has tokens, nothing per contact. */
    g_assert_cmpuint (xi_key_store_get_waits (keys), ==, 2);
    g_assert_cmpuint (xi_key_store_get_cached (keys), <=, XI_KEY_STORE_CACHE_SIZE);
    flush (keys);
    xi_store_close (store);
  }
  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(XiKeyStore) keys = load_key_store (store);

    for (guint i = 0; i < PRUNE_PEERS; i++)
      {
        g_autofree char *lid = g_strdup_printf ("1000000%04u", i);

        g_assert_cmpint (wa_tctoken_load_sent (WA_KEY_STORE (keys), lid), ==, i % 2 == 0 ? 0 : now - 60);
      }
    xi_store_close (store);
  }

  xi_test_rm_rf (dir);
}

static void
test_prefetch (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  const char * const kinds[] = { "session", "identity", NULL };
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(XiKeyStore) keys = load_key_store (store);
    g_autoptr(WaCredentials) made = wa_credentials_load_or_create (WA_KEY_STORE (keys), NULL, &error);

    g_assert_no_error (error);
    save_records (keys, 1);
    flush (keys);
    xi_store_close (store);
  }

  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(XiKeyStore) keys = load_key_store (store);
    g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_free);
    g_autoptr(GAsyncResult) result = NULL;
    g_autofree char *changed = peer_key (0);
    g_autoptr(GBytes) newer = record_of (0, 2);
    GAsyncResult *slot = NULL;

    xi_key_store_set_cache_size (keys, 4 * CACHE_SIZE);
    for (guint i = 0; i < CACHE_SIZE; i++)
      g_ptr_array_add (batch, peer_key (i));
    g_ptr_array_add (batch, NULL);
    wa_key_store_prefetch_async (WA_KEY_STORE (keys), kinds, (const char * const *) batch->pdata, NULL,
                                 xi_test_store_result_cb, &slot);
    wa_key_store_save (WA_KEY_STORE (keys), "session", changed, newer);
    result = xi_test_wait_result (&slot);
    g_assert_true (wa_key_store_prefetch_finish (WA_KEY_STORE (keys), result, &error));
    g_assert_no_error (error);

    /* A session and an identity (none) for each. */
    g_assert_cmpuint (xi_key_store_get_cached (keys), ==, 2 * CACHE_SIZE);
    assert_record (keys, 0, 2);
    for (guint i = 1; i < CACHE_SIZE; i++)
      assert_record (keys, i, 1);
    g_assert_cmpuint (xi_key_store_get_cached (keys), ==, 2 * CACHE_SIZE);
    flush (keys);
    xi_store_close (store);
  }

  xi_test_rm_rf (dir);
}

static GPtrArray *
peer_keys (guint first,
           guint count)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);

  for (guint i = first; i < first + count; i++)
    g_ptr_array_add (keys, peer_key (i));
  g_ptr_array_add (keys, NULL);
  return keys;
}

/* A batch's accounts are asked for again while the first answer is on
 * its way: what is being read already is not read a second time, and a
 * later prefetch answers only once those values are in memory. */
static void
test_prefetch_reads_once (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  const char * const sessions[] = { "session", NULL };
  const char * const both[] = { "session", "identity", NULL };

  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(XiKeyStore) keys = load_key_store (store);

    save_records (keys, 1);
    flush (keys);
    xi_store_close (store);
  }

  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(XiKeyStore) keys = load_key_store (store);
    g_autoptr(GPtrArray) first = peer_keys (0, CACHE_SIZE);
    g_autoptr(GPtrArray) second = peer_keys (CACHE_SIZE / 2, CACHE_SIZE);
    g_autoptr(GPtrArray) third = peer_keys (0, CACHE_SIZE / 2);
    g_autoptr(GError) error = NULL;
    guint answered = 0;
    Answer answers[3] = { { &answered }, { &answered }, { &answered } };
    /* The third reads nothing of its own: it answers with the first. */
    const guint order[] = { 1, 3, 2 };

    xi_key_store_set_cache_size (keys, 4 * CACHE_SIZE);
    wa_key_store_prefetch_async (WA_KEY_STORE (keys), sessions, (const char * const *) first->pdata, NULL,
                                 answered_cb, &answers[0]);
    wa_key_store_prefetch_async (WA_KEY_STORE (keys), both, (const char * const *) second->pdata, NULL,
                                 answered_cb, &answers[1]);
    wa_key_store_prefetch_async (WA_KEY_STORE (keys), sessions, (const char * const *) third->pdata, NULL,
                                 answered_cb, &answers[2]);
    /* The sessions of the first batch, and of the second only those the
     * first does not read, with the identities of the second. */
    g_assert_cmpuint (xi_key_store_get_values_read (keys), ==, CACHE_SIZE + CACHE_SIZE / 2 + CACHE_SIZE);
    while (answered < G_N_ELEMENTS (answers))
      g_main_context_iteration (NULL, TRUE);
    for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
      {
        g_assert_cmpuint (answers[i].order, ==, order[i]);
        g_assert_true (wa_key_store_prefetch_finish (WA_KEY_STORE (keys), answers[i].result, &error));
        g_assert_no_error (error);
        g_object_unref (answers[i].result);
      }

    for (guint i = 0; i < CACHE_SIZE + CACHE_SIZE / 2; i++)
      assert_record (keys, i, 1);
    g_assert_cmpuint (xi_key_store_get_waits (keys), ==, 0);
    xi_store_close (store);
  }

  xi_test_rm_rf (dir);
}

/* Three batches of 50 recipients, each known by number and by LID, in
 * every kind read on demand: what the messenger has read ahead is still
 * in memory when the messages go, rather than read a second time while
 * the thread waits. */
#define BATCH_RECIPIENTS (3 * 50)

static void
test_holds_three_batches (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(XiKeyStore) keys = load_key_store (store);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char * const *kinds = xi_key_store_lazy_kinds ();
  g_autoptr(GError) error = NULL;
  gboolean read = FALSE;

  for (guint i = 0; i < BATCH_RECIPIENTS; i++)
    {
      g_ptr_array_add (names, g_strdup_printf ("62811%07u", i));
      g_ptr_array_add (names, g_strdup_printf ("1000%08u", i));
    }
  g_ptr_array_add (names, NULL);
  XI_TEST_WAIT (wa_key_store_prefetch_async (WA_KEY_STORE (keys), kinds, (const char * const *) names->pdata,
                                             NULL, xi_test_store_result_cb, &slot_),
                read = wa_key_store_prefetch_finish (WA_KEY_STORE (keys), result_, &error));
  g_assert_no_error (error);
  g_assert_true (read);

  /* Every value (none here, which is kept in memory as well). */
  for (guint k = 0; kinds[k] != NULL; k++)
    for (guint i = 0; i < names->len - 1; i++)
      g_assert_null (wa_key_store_load (WA_KEY_STORE (keys), kinds[k], g_ptr_array_index (names, i)));
  g_assert_cmpuint (xi_key_store_get_waits (keys), ==, 0);

  xi_store_close (store);
  xi_test_rm_rf (dir);
}

static gboolean
has_token (XiStore    *store,
           const char *contact)
{
  const char * const keys[] = { contact, NULL };
  g_autoptr(GHashTable) found = NULL;
  g_autoptr(GError) error = NULL;

  XI_TEST_WAIT (xi_store_get_keys_async (store, "tctoken", keys, NULL, xi_test_store_result_cb, &slot_),
                found = xi_store_get_keys_finish (store, result_, &error));
  g_assert_no_error (error);
  return g_hash_table_contains (found, contact);
}

static void
put_token (XiStore    *store,
           const char *contact,
           gboolean    kept)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) xi_key_change_free);
  g_autoptr(GBytes) token = text_bytes ("token");

  g_ptr_array_add (changes, xi_key_change_new ("tctoken", contact, kept ? token : NULL));
  put_changes (store, changes);
}

static void
write_then_find (XiStore    *writer,
                 XiStore    *reader,
                 const char *contact,
                 gboolean    kept)
{
  put_token (writer, contact, kept);
  g_assert_cmpint (has_token (reader, contact), ==, kept);
}

/* A kind with few keys is searched only for those it has, and what
 * either this connection or another process writes afterwards is found
 * all the same. */
static void
test_missing_keys_stay_findable (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(XiStore) other = open_store (path);
  g_autoptr(GHashTable) loaded = try_load (store, NULL);
  g_autoptr(GHashTable) other_loaded = NULL;

  g_assert_nonnull (loaded);
  put_token (store, "100001", TRUE);
  /* Finding none lists the kind's keys. */
  g_assert_false (has_token (store, "100002"));
  g_assert_true (has_token (store, "100001"));

  /* Written by this connection. */
  write_then_find (store, store, "100002", TRUE);
  write_then_find (store, store, "100001", FALSE);

  /* Written by another process. */
  other_loaded = try_load (other, NULL);
  g_assert_nonnull (other_loaded);
  write_then_find (other, store, "100003", TRUE);
  g_assert_false (has_token (store, "100004"));
  write_then_find (other, store, "100004", TRUE);

  xi_store_close (other);
  xi_store_close (store);
  xi_test_rm_rf (dir);
}

/* How many rows of @kind the file holds once the store has run what
 * was queued before. */
static guint
rows_on_disk (XiStore    *store,
              const char *path,
              const char *kind)
{
  g_autoptr(GPtrArray) nothing = g_ptr_array_new_with_free_func ((GDestroyNotify) xi_key_change_free);
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  guint count;

  put_changes (store, nothing);
  db = open_raw (path);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM wa_keystore WHERE kind = ?1", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return count;
}

/* When we issued a privacy token waits for another write instead of
 * taking a transaction when the thread is idle; any other change is
 * written when idle, and takes it along. */
static void
assert_named_records (XiKeyStore         *keys,
                      const char * const *names,
                      guint               n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) expected = record_of (i, 2);
      g_autoptr(GBytes) found = wa_key_store_load (WA_KEY_STORE (keys), "session", names[i]);

      g_assert_nonnull (found);
      g_assert_true (g_bytes_equal (found, expected));
    }
}

/* Each name ("kind\x1fkey") up to 128 bytes is built on the stack and
 * longer ones on the heap: names on either side of that line, and long
 * ones that differ only at their end, are kept apart, coalesce in the
 * queue, leave and come back into the cache, and are there after a
 * restart. */
static void
test_long_names (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *stem = g_strnfill (300, '6');
  /* "session" and the separator take 8 bytes, the end of the name 1. */
  g_autofree char *fits = g_strnfill (119, '7');
  g_autofree char *over = g_strnfill (120, '7');
  g_autofree char *first = g_strconcat (stem, "1", NULL);
  g_autofree char *second = g_strconcat (stem, "2", NULL);
  const char *names[] = { fits, over, first, second };

  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(XiKeyStore) keys = load_key_store (store);
    g_autoptr(WaCredentials) made = wa_credentials_load_or_create (WA_KEY_STORE (keys), NULL, &error);

    g_assert_no_error (error);
    xi_key_store_set_cache_size (keys, 1);
    for (guint round = 1; round <= 2; round++)
      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        {
          g_autoptr(GBytes) record = record_of (i, round);

          wa_key_store_save (WA_KEY_STORE (keys), "session", names[i], record);
        }
    assert_named_records (keys, names, G_N_ELEMENTS (names));
    flush (keys);
    g_assert_cmpuint (rows_on_disk (store, path, "session"), ==, G_N_ELEMENTS (names));
    xi_store_close (store);
  }

  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(XiKeyStore) keys = load_key_store (store);

    assert_named_records (keys, names, G_N_ELEMENTS (names));
    xi_store_close (store);
  }

  xi_test_rm_rf (dir);
}

static void
test_token_sent_waits (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(XiKeyStore) keys = load_key_store (store);
  g_autoptr(WaCredentials) made = wa_credentials_load_or_create (WA_KEY_STORE (keys), NULL, &error);
  g_autofree char *peer = peer_key (0);
  g_autoptr(GBytes) record = record_of (0, 1);

  g_assert_no_error (error);
  flush (keys);

  wa_tctoken_save_sent (WA_KEY_STORE (keys), "100000000000001", 1700000000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (rows_on_disk (store, path, WA_TCTOKEN_SENT_KIND), ==, 0);

  wa_key_store_save (WA_KEY_STORE (keys), "session", peer, record);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (rows_on_disk (store, path, "session"), ==, 1);
  g_assert_cmpuint (rows_on_disk (store, path, WA_TCTOKEN_SENT_KIND), ==, 1);

  /* A flush takes it too. */
  wa_tctoken_save_sent (WA_KEY_STORE (keys), "100000000000002", 1700000000);
  flush (keys);
  g_assert_cmpuint (rows_on_disk (store, path, WA_TCTOKEN_SENT_KIND), ==, 2);

  xi_store_close (store);
  xi_test_rm_rf (dir);
}

/* A customer's message the store refuses (a picture whose checksum is
 * one byte, which a hostile client can send) rides with a campaign's
 * receipt and a key write: it alone fails, storing nothing, and the
 * receipt and the keys are written all the same. Were the refusal to
 * bind, the keys on disk would fall behind those in memory and every
 * retry would refuse again. */
static void
test_rider_refusal_does_not_bind (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(GHashTable) loaded = try_load (store, NULL);
  g_autoptr(GPtrArray) receipts = delivered ("3EB0AAAA00000000000000AA");
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_key_change_free);
  g_autoptr(GBytes) value = text_bytes ("ratchet-moved-on");
  g_autoptr(GBytes) key32 = g_bytes_new_static ("0123456789abcdef0123456789abcdef", 32);
  g_autoptr(GBytes) short_sum = g_bytes_new_static ("x", 1);
  g_autoptr(GAsyncResult) incoming_result = NULL;
  g_autoptr(GAsyncResult) receipt_result = NULL;
  g_autoptr(GAsyncResult) keys_result = NULL;
  GAsyncResult *incoming_slot = NULL, *receipt_slot = NULL, *keys_slot = NULL;
  g_autoptr(GError) incoming_error = NULL;
  g_autoptr(GError) receipt_error = NULL;
  g_autoptr(GError) keys_error = NULL;
  g_autoptr(GHashTable) found = NULL;
  g_auto(GStrv) jobs = NULL;
  g_autoptr(XiIncoming) incoming = NULL;
  g_autofree char *state = NULL;
  const char * const read_keys[] = { "6281234567890.0", NULL };
  gboolean duplicate = FALSE;
  XiMediaInfo media = { .kind = (char *) "image", .direct_path = (char *) "/v/t62/x", .media_key = key32,
                        .file_sha256 = short_sum, .file_enc_sha256 = key32 };

  g_assert_nonnull (loaded);
  save_values (store);
  add_sent_reply (store, "3EB0AAAA00000000000000AA");

  xi_store_record_incoming_media_async (store, "+6281234567899", "HOSTILE0001", NULL, NULL, &media, NULL,
                                        xi_test_store_result_cb, &incoming_slot);
  xi_store_record_receipts_async (store, receipts, NULL, xi_test_store_result_cb, &receipt_slot);
  g_ptr_array_add (changes, xi_key_change_new ("session", "6281234567890.0", value));
  xi_store_put_keys_async (store, changes, NULL, xi_test_store_result_cb, &keys_slot);
  keys_result = xi_test_wait_result (&keys_slot);
  receipt_result = xi_test_wait_result (&receipt_slot);
  incoming_result = xi_test_wait_result (&incoming_slot);
  incoming = xi_store_record_incoming_finish (store, incoming_result, &duplicate, &incoming_error);
  jobs = xi_store_record_receipts_finish (store, receipt_result, &receipt_error);
  xi_store_put_keys_finish (store, keys_result, &keys_error);

  g_assert_error (incoming_error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID);
  g_assert_null (incoming);
  g_assert_no_error (receipt_error);
  g_assert_no_error (keys_error);
  state = raw_reply_state (path, "3EB0AAAA00000000000000AA");
  g_assert_cmpstr (state, ==, "delivered");
  XI_TEST_WAIT (xi_store_get_keys_async (store, "session", read_keys, NULL, xi_test_store_result_cb, &slot_),
                found = xi_store_get_keys_finish (store, result_, &keys_error));
  g_assert_no_error (keys_error);
  g_assert_true (g_bytes_equal (g_hash_table_lookup (found, "6281234567890.0"), value));

  xi_store_close (store);
  xi_test_rm_rf (dir);
}

/* Queues a customer's message that the store fails to write, as on a
 * full disk; the answer lands in @slot. */
static void
record_failing_incoming (XiStore       *store,
                         GAsyncResult **slot)
{
  _xi_store_set_test_setting (store, XI_STORE_TEST_FAIL_INCOMING, "1");
  xi_store_record_incoming_async (store, "+6281222209999", NULL, "3AFAIL0000000001", "Halo", NULL, NULL,
                                  xi_test_store_result_cb, slot);
}

static void
assert_incoming_failed (XiStore       *store,
                        GAsyncResult **slot)
{
  g_autoptr(GAsyncResult) result = xi_test_wait_result (slot);
  g_autoptr(XiIncoming) incoming = NULL;
  g_autoptr(GError) error = NULL;
  gboolean duplicate = FALSE;

  _xi_store_set_test_setting (store, XI_STORE_TEST_FAIL_INCOMING, NULL);
  incoming = xi_store_record_incoming_finish (store, result, &duplicate, &error);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);
  g_assert_null (incoming);
}

/* What the disk holds for the session with @address, or %NULL. */
static GBytes *
disk_session_of (XiStore    *store,
                 const char *address)
{
  const char * const sessions[] = { address, NULL };
  g_autoptr(GHashTable) found = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *value;

  XI_TEST_WAIT (xi_store_get_keys_async (store, "session", sessions, NULL, xi_test_store_result_cb, &slot_),
                found = xi_store_get_keys_finish (store, result_, &error));
  g_assert_no_error (error);
  value = g_hash_table_lookup (found, address);
  return value != NULL ? g_bytes_ref (value) : NULL;
}

/* What the disk holds for the customer's session, or %NULL. */
static GBytes *
disk_session (XiStore *store)
{
  return disk_session_of (store, "6281222209999.0");
}

/* A customer's message that goes ahead of the key write that follows its
 * decryption (a read is queued in between, taking it along) and fails. */
static void
fail_message_alone (XiStore *store)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *incoming_slot = NULL;

  record_failing_incoming (store, &incoming_slot);
  XI_TEST_WAIT (xi_store_last_auto_reply_async (store, "+6281222209999", 60, NULL, xi_test_store_result_cb, &slot_),
                xi_store_last_auto_reply_finish (store, result_, NULL, &error));
  g_assert_no_error (error);
  assert_incoming_failed (store, &incoming_slot);
}

static void
assert_put_fails (XiStore   *store,
                  GPtrArray *changes)
{
  g_autoptr(GError) error = NULL;
  gboolean written = TRUE;

  XI_TEST_WAIT (xi_store_put_keys_async (store, changes, NULL, xi_test_store_result_cb, &slot_),
                written = xi_store_put_keys_finish (store, result_, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);
  g_assert_false (written);
}

/* A key write that fails (here with the customer's message riding in it)
 * takes its values back out of memory: the session that read the
 * message and the one-time prekey it used up. The copy WhatsApp delivers
 * again then decrypts with what the disk holds, and the next write does
 * not put on disk a session that read a message never stored. */
static void
test_failed_write_reloads (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(XiKeyStore) keys = load_key_store (store);
  g_autoptr(GBytes) before = text_bytes ("session-before");
  g_autoptr(GBytes) read_on = text_bytes ("session-read-the-message");
  g_autoptr(GBytes) prekey = text_bytes ("one-time-prekey");
  g_autoptr(GBytes) session = NULL;
  g_autoptr(GBytes) prekey_now = NULL;
  g_autoptr(GAsyncResult) flush_result = NULL;
  g_autoptr(GBytes) on_disk = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *incoming_slot = NULL, *flush_slot = NULL;

  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281222209999.0", before);
  wa_key_store_save (WA_KEY_STORE (keys), "pre-key", "7", prekey);
  flush (keys);

  record_failing_incoming (store, &incoming_slot);
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281222209999.0", read_on);
  wa_key_store_remove (WA_KEY_STORE (keys), "pre-key", "7");
  wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &flush_slot);
  flush_result = xi_test_wait_result (&flush_slot);
  assert_incoming_failed (store, &incoming_slot);
  g_assert_false (wa_key_store_flush_finish (WA_KEY_STORE (keys), flush_result, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);

  session = wa_key_store_load (WA_KEY_STORE (keys), "session", "6281222209999.0");
  prekey_now = wa_key_store_load (WA_KEY_STORE (keys), "pre-key", "7");
  g_assert_nonnull (session);
  g_assert_true (g_bytes_equal (session, before));
  g_assert_nonnull (prekey_now);
  g_assert_true (g_bytes_equal (prekey_now, prekey));

  flush (keys);
  on_disk = disk_session (store);
  g_assert_nonnull (on_disk);
  g_assert_true (g_bytes_equal (on_disk, before));

  g_clear_object (&keys);
  xi_store_close (store);
  xi_test_rm_rf (dir);
}

/* A customer's message that goes ahead of the key write that follows its
 * decryption (another write was queued in between) and fails there makes
 * that key write fail too: it holds the session that read the message,
 * which on disk would make the message's next delivery a duplicate. So
 * does every key write after it, until the keys' owner says it has read
 * them back. */
static void
test_rider_failed_alone_fails_keys (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(GHashTable) loaded = try_load (store, NULL);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_key_change_free);
  g_autoptr(GBytes) value = text_bytes ("session-read-the-message");

  g_assert_nonnull (loaded);
  fail_message_alone (store);

  g_ptr_array_add (changes, xi_key_change_new ("session", "6281222209999.0", value));
  assert_put_fails (store, changes);
  g_assert_null (disk_session (store));
  assert_put_fails (store, changes);

  xi_store_note_keys_reloaded (store);
  put_changes (store, changes);

  xi_store_close (store);
  xi_test_rm_rf (dir);
}

/* The keys' owner saying it has read back a failed write's keys does not
 * excuse the write that follows a message which failed alone just
 * before: that write still holds the session that read it. */
static void
test_owed_failure_outlasts_reload (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(GHashTable) loaded = try_load (store, NULL);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_key_change_free);
  g_autoptr(GBytes) value = text_bytes ("session-read-the-message");

  g_assert_nonnull (loaded);
  fail_message_alone (store);
  xi_store_note_keys_reloaded (store);

  g_ptr_array_add (changes, xi_key_change_new ("session", "6281222209999.0", value));
  assert_put_fails (store, changes);

  xi_store_note_keys_reloaded (store);
  put_changes (store, changes);

  xi_store_close (store);
  xi_test_rm_rf (dir);
}

/* Keys loaded afresh are what the disk holds: a failure owed before
 * fails none of the writes made from them. */
static void
test_load_ends_refusal (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(GHashTable) loaded = try_load (store, NULL);
  g_autoptr(GHashTable) loaded_again = NULL;
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_key_change_free);
  g_autoptr(GBytes) value = text_bytes ("session-read-the-message");
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (loaded);
  fail_message_alone (store);

  loaded_again = try_load (store, &error);
  g_assert_no_error (error);
  g_ptr_array_add (changes, xi_key_change_new ("session", "6281222209999.0", value));
  put_changes (store, changes);

  xi_store_close (store);
  xi_test_rm_rf (dir);
}

static void
assert_session (GBytes *session,
                GBytes *expected)
{
  g_assert_nonnull (session);
  g_assert_cmpmem (g_bytes_get_data (session, NULL), g_bytes_get_size (session),
                   g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
}

/* Message A's write fails; before this thread hears it, message B from
 * the same customer is decrypted from the session that read A, and its
 * message and write go to the store. Landing, they would put on disk a
 * session past A, which was never stored: A's next delivery would then
 * be a duplicate, receipted and lost. B's write fails with A's (B comes
 * again too), both go back out of memory, and the writes made after
 * that land. @flush_b: whether B's write is on its way (flushed) or
 * still waits in memory when A's failure is heard. */
static void
check_failed_write_fails_those_behind (gboolean flush_b)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(XiKeyStore) keys = load_key_store (store);
  g_autoptr(GBytes) before = text_bytes ("session-before");
  g_autoptr(GBytes) read_a = text_bytes ("session-read-A");
  g_autoptr(GBytes) read_b = text_bytes ("session-read-A-then-B");
  g_autoptr(GBytes) after = text_bytes ("session-after-reload");
  g_autoptr(GBytes) in_memory = NULL;
  g_autoptr(GBytes) on_disk = NULL;
  g_autoptr(GBytes) on_disk_after = NULL;
  g_autoptr(GAsyncResult) flushed_a = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *a_slot = NULL, *b_slot = NULL, *flush_a_slot = NULL, *flush_b_slot = NULL;

  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281222209999.0", before);
  flush (keys);

  record_failing_incoming (store, &a_slot);
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281222209999.0", read_a);
  wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &flush_a_slot);
  /* This thread is busy while the store fails A's write, and the disk
   * has room again when B comes. */
  g_usleep (700 * 1000);
  _xi_store_set_test_setting (store, XI_STORE_TEST_FAIL_INCOMING, NULL);
  xi_store_record_incoming_async (store, "+6281222209999", NULL, "3AFAIL0000000002", "Halo lagi", NULL, NULL,
                                  xi_test_store_result_cb, &b_slot);
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281222209999.0", read_b);
  if (flush_b)
    wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &flush_b_slot);
  else
    g_test_expect_message ("xi-key-store", G_LOG_LEVEL_WARNING, "Could not save WhatsApp credentials*");

  flushed_a = xi_test_wait_result (&flush_a_slot);
  g_assert_false (wa_key_store_flush_finish (WA_KEY_STORE (keys), flushed_a, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);
  g_clear_error (&error);
  if (flush_b)
    {
      g_autoptr(GAsyncResult) flushed_b = xi_test_wait_result (&flush_b_slot);

      g_assert_false (wa_key_store_flush_finish (WA_KEY_STORE (keys), flushed_b, &error));
      g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);
      g_clear_error (&error);
    }
  assert_incoming_failed (store, &a_slot);
  assert_incoming_failed (store, &b_slot);
  g_test_assert_expected_messages ();

  in_memory = wa_key_store_load (WA_KEY_STORE (keys), "session", "6281222209999.0");
  assert_session (in_memory, before);
  flush (keys);
  on_disk = disk_session (store);
  assert_session (on_disk, before);

  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281222209999.0", after);
  flush (keys);
  on_disk_after = disk_session (store);
  assert_session (on_disk_after, after);

  g_clear_object (&keys);
  xi_store_close (store);
  xi_test_rm_rf (dir);
}

static void
test_failed_write_fails_those_behind (void)
{
  check_failed_write_fails_those_behind (TRUE);
}

static void
test_failed_write_fails_changes_waiting (void)
{
  check_failed_write_fails_those_behind (FALSE);
}

static gboolean
collect_text_cb (WaMessenger       *messenger,
                 WaIncomingMessage *message,
                 GPtrArray         *texts)
{
  g_ptr_array_add (texts, g_strdup (message->text));
  return FALSE;
}

typedef struct
{
  gboolean  done;
  GError   *error;
} Sending;

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Sending *sending = user_data;

  wa_messenger_send_text_finish (WA_MESSENGER (object), result, &sending->error);
  sending->done = TRUE;
}

static void
wait_sent (Sending *sending)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!sending->done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
send_to_customer (WaMessenger *shop,
                  const char  *id,
                  const char  *text)
{
  Sending sending = { FALSE, NULL };

  wa_messenger_send_text_async (shop, "6282222222222@s.whatsapp.net", id, text, NULL, sent_cb, &sending);
  wait_sent (&sending);
  g_assert_no_error (sending.error);
}

static void
settle_ms (guint ms)
{
  for (gint64 end = g_get_monotonic_time () + ms * 1000; g_get_monotonic_time () < end;)
    g_main_context_iteration (NULL, FALSE);
}

static void
wait_texts (GPtrArray *texts,
            guint      count)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (texts->len < count)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
wait_flushed (XiKeyStore    *keys,
              GAsyncResult **slot,
              GError       **error)
{
  g_autoptr(GAsyncResult) result = xi_test_wait_result (slot);

  wa_key_store_flush_finish (WA_KEY_STORE (keys), result, error);
}

#define MERGED_FLUSHES 16

/* A campaign's messages in flight each ask for a flush as they are
 * encrypted: the first goes alone, and those asked while it is on its
 * way go together in one transaction once it lands, each answered, with
 * our own phone's session (changed by every message) written once. */
static void
test_flushes_merge (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(XiKeyStore) keys = load_key_store (store);
  GAsyncResult *slots[MERGED_FLUSHES] = { NULL };
  g_autoptr(GBytes) own_on_disk = NULL;
  g_autoptr(GBytes) last_own = NULL;
  guint before = xi_key_store_get_transactions (keys);

  for (guint i = 0; i < MERGED_FLUSHES; i++)
    {
      g_autofree char *address = g_strdup_printf ("62812%08u.0", i);
      g_autofree char *own = g_strdup_printf ("own-session-%u", i);
      g_autoptr(GBytes) theirs = text_bytes (address);

      g_clear_pointer (&last_own, g_bytes_unref);
      last_own = text_bytes (own);
      wa_key_store_save (WA_KEY_STORE (keys), "session", address, theirs);
      wa_key_store_save (WA_KEY_STORE (keys), "session", "6289900000000.0", last_own);
      wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &slots[i]);
    }
  for (guint i = 0; i < MERGED_FLUSHES; i++)
    {
      g_autoptr(GError) error = NULL;

      wait_flushed (keys, &slots[i], &error);
      g_assert_no_error (error);
    }
  g_assert_cmpuint (xi_key_store_get_transactions (keys) - before, ==, 2);

  for (guint i = 0; i < MERGED_FLUSHES; i++)
    {
      g_autofree char *address = g_strdup_printf ("62812%08u.0", i);
      g_autoptr(GBytes) expected = text_bytes (address);
      g_autoptr(GBytes) on_disk = disk_session_of (store, address);

      assert_session (on_disk, expected);
    }
  own_on_disk = disk_session_of (store, "6289900000000.0");
  assert_session (own_on_disk, last_own);

  g_clear_object (&keys);
  xi_store_close (store);
  xi_test_rm_rf (dir);
}

/* A merged write that fails fails exactly the flushes it carried: the
 * one before it, alone, and the one asked while it was on its way land;
 * what it carried goes back to what the disk holds. */
static void
test_failed_merge_fails_what_it_carried (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(XiKeyStore) keys = load_key_store (store);
  g_autoptr(GBytes) first = text_bytes ("first-message");
  g_autoptr(GBytes) failing = text_bytes ("second-message");
  g_autoptr(GBytes) alongside = text_bytes ("third-message");
  g_autoptr(GBytes) after = text_bytes ("fourth-message");
  g_autoptr(GBytes) value = NULL;
  g_autoptr(GError) first_error = NULL;
  g_autoptr(GError) failing_error = NULL;
  g_autoptr(GError) alongside_error = NULL;
  g_autoptr(GError) after_error = NULL;
  GAsyncResult *first_slot = NULL, *failing_slot = NULL, *alongside_slot = NULL, *after_slot = NULL;

  _xi_store_set_test_setting (store, XI_STORE_TEST_FAIL_KEY_WRITE, "6281222209999.0");
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281111109999.0", first);
  wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &first_slot);
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281222209999.0", failing);
  wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &failing_slot);
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281333309999.0", alongside);
  wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &alongside_slot);
  wait_flushed (keys, &first_slot, &first_error);
  /* The second and third are on their way together now. */
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281444409999.0", after);
  wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &after_slot);
  wait_flushed (keys, &failing_slot, &failing_error);
  wait_flushed (keys, &alongside_slot, &alongside_error);
  wait_flushed (keys, &after_slot, &after_error);
  _xi_store_set_test_setting (store, XI_STORE_TEST_FAIL_KEY_WRITE, NULL);

  g_assert_no_error (first_error);
  g_assert_error (failing_error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);
  g_assert_error (alongside_error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);
  g_assert_no_error (after_error);
  g_assert_cmpuint (xi_key_store_get_transactions (keys), ==, 3);

  value = disk_session_of (store, "6281333309999.0");
  g_assert_null (value);
  value = wa_key_store_load (WA_KEY_STORE (keys), "session", "6281333309999.0");
  g_assert_null (value);
  value = disk_session_of (store, "6281444409999.0");
  assert_session (value, after);
  g_clear_pointer (&value, g_bytes_unref);
  value = disk_session_of (store, "6281111109999.0");
  assert_session (value, first);

  g_clear_object (&keys);
  xi_store_close (store);
  xi_test_rm_rf (dir);
}

/* An unlink's wipe asked while a write is on its way goes together with
 * the writes held before it, and does not fail with them: what they
 * carried is erased by the wipe anyway. */
static void
test_merged_wipe_goes_alone (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(XiKeyStore) keys = load_key_store (store);
  g_autoptr(GBytes) first = text_bytes ("first-message");
  g_autoptr(GBytes) failing = text_bytes ("second-message");
  g_autoptr(GBytes) value = NULL;
  g_autoptr(GError) first_error = NULL;
  g_autoptr(GError) held_error = NULL;
  g_autoptr(GError) wipe_error = NULL;
  GAsyncResult *first_slot = NULL, *held_slot = NULL, *wipe_slot = NULL;

  _xi_store_set_test_setting (store, XI_STORE_TEST_FAIL_KEY_WRITE, "6281222209999.0");
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281111109999.0", first);
  wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &first_slot);
  /* Both held while the first is on its way, then sent together. */
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281222209999.0", failing);
  wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &held_slot);
  wa_key_store_clear (WA_KEY_STORE (keys));
  wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &wipe_slot);
  wait_flushed (keys, &first_slot, &first_error);
  wait_flushed (keys, &held_slot, &held_error);
  wait_flushed (keys, &wipe_slot, &wipe_error);
  _xi_store_set_test_setting (store, XI_STORE_TEST_FAIL_KEY_WRITE, NULL);

  g_assert_no_error (first_error);
  g_assert_no_error (held_error);
  g_assert_no_error (wipe_error);
  g_assert_cmpuint (xi_key_store_get_transactions (keys), ==, 2);
  value = disk_session_of (store, "6281111109999.0");
  g_assert_null (value);

  g_clear_object (&keys);
  xi_store_close (store);
  xi_test_rm_rf (dir);
}

/* A key write that fails with no customer's message in it (the disk full
 * for a moment, another process keeping the database busy, a wipe) fails
 * alone: the unrelated write queued behind it before its failure was
 * heard lands, and the failed one's values go back to what the disk
 * holds. Refused, that write would fail a campaign's next message for
 * nothing. */
static void
test_failure_without_message_fails_alone (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(XiKeyStore) keys = load_key_store (store);
  g_autoptr(GBytes) before = text_bytes ("session-before");
  g_autoptr(GBytes) changed = text_bytes ("session-not-written");
  g_autoptr(GBytes) other = text_bytes ("another-customer");
  g_autoptr(GBytes) in_memory = NULL;
  g_autoptr(GBytes) on_disk = NULL;
  g_autoptr(GBytes) other_on_disk = NULL;
  g_autoptr(GError) failed = NULL;
  g_autoptr(GError) behind = NULL;
  GAsyncResult *failed_slot = NULL, *behind_slot = NULL;

  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281222209999.0", before);
  flush (keys);

  _xi_store_set_test_setting (store, XI_STORE_TEST_FAIL_KEY_WRITE, "6281222209999.0");
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281222209999.0", changed);
  wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &failed_slot);
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281333309999.0", other);
  wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &behind_slot);
  wait_flushed (keys, &failed_slot, &failed);
  wait_flushed (keys, &behind_slot, &behind);
  _xi_store_set_test_setting (store, XI_STORE_TEST_FAIL_KEY_WRITE, NULL);
  g_assert_error (failed, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);
  g_assert_no_error (behind);

  in_memory = wa_key_store_load (WA_KEY_STORE (keys), "session", "6281222209999.0");
  assert_session (in_memory, before);
  on_disk = disk_session (store);
  assert_session (on_disk, before);
  other_on_disk = disk_session_of (store, "6281333309999.0");
  assert_session (other_on_disk, other);

  g_clear_object (&keys);
  xi_store_close (store);
  xi_test_rm_rf (dir);
}

/* A flush answers for the writes before it that nobody flushed: a
 * message to two devices whose first session was taken along by the read
 * of the second (it was not in memory) leaves only if both are on disk,
 * even when the write of the first fails alone. A flush behind another
 * flush that failed answers for its own changes alone, even with none. */
static void
test_flush_answers_for_writes_before (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(XiKeyStore) keys = load_key_store (store);
  g_autoptr(GBytes) first = text_bytes ("first-device-moved-on");
  g_autoptr(GBytes) second = text_bytes ("second-device-moved-on");
  g_autoptr(GBytes) not_there = NULL;
  g_autoptr(GError) message_error = NULL;
  g_autoptr(GError) changed_error = NULL;
  g_autoptr(GError) barrier_error = NULL;
  GAsyncResult *message_slot = NULL, *changed_slot = NULL, *barrier_slot = NULL;

  _xi_store_set_test_setting (store, XI_STORE_TEST_FAIL_KEY_WRITE, "6281222209999.0");
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281222209999.0", first);
  not_there = wa_key_store_load (WA_KEY_STORE (keys), "session", "6281222209999.1");
  g_assert_null (not_there);
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281222209999.1", second);
  wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &message_slot);
  g_test_expect_message ("xi-key-store", G_LOG_LEVEL_WARNING, "Could not save WhatsApp credentials*");
  wait_flushed (keys, &message_slot, &message_error);
  g_test_assert_expected_messages ();
  g_assert_error (message_error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);

  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281222209999.0", first);
  wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &changed_slot);
  wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &barrier_slot);
  wait_flushed (keys, &changed_slot, &changed_error);
  wait_flushed (keys, &barrier_slot, &barrier_error);
  _xi_store_set_test_setting (store, XI_STORE_TEST_FAIL_KEY_WRITE, NULL);
  g_assert_error (changed_error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);
  g_assert_no_error (barrier_error);

  g_clear_object (&keys);
  xi_store_close (store);
  xi_test_rm_rf (dir);
}

/* Flushes @keys twice: the first for whatever is queued, the second with
 * nothing of its own, as an unlink flushes after its wipe. */
static void
flush_twice (XiKeyStore  *keys,
             GError     **first_error,
             GError     **second_error)
{
  GAsyncResult *first_slot = NULL, *second_slot = NULL;

  wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &first_slot);
  wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &second_slot);
  wait_flushed (keys, &first_slot, first_error);
  wait_flushed (keys, &second_slot, second_error);
}

/* A write nobody counts on (a session, device list or identity written
 * when idle) fails no flush behind it: not the next campaign message,
 * whose own keys landed, nor the flush an unlink waits on. That flush
 * fails only when its own wipe did; a session a read took along ahead of
 * the wipe fails the wipe's flush, not the unlink's. */
static void
test_unrelated_failure_fails_no_flush (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(XiKeyStore) keys = load_key_store (store);
  g_autoptr(GBytes) failing = text_bytes ("written-when-idle");
  g_autoptr(GBytes) message = text_bytes ("campaign-message-session");
  g_autoptr(GBytes) not_there = NULL;
  g_autoptr(GError) message_error = NULL;
  g_autoptr(GError) barrier_error = NULL;
  g_autoptr(GError) wipe_error = NULL;
  g_autoptr(GError) unlink_error = NULL;

  _xi_store_set_test_setting (store, XI_STORE_TEST_FAIL_KEY_WRITE, "6281222209999.0");
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281222209999.0", failing);
  /* The idle write goes, and fails while the message is queued. */
  g_main_context_iteration (NULL, FALSE);
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281333309999.0", message);
  g_test_expect_message ("xi-key-store", G_LOG_LEVEL_WARNING, "Could not save WhatsApp credentials*");
  flush_twice (keys, &message_error, &barrier_error);
  g_test_assert_expected_messages ();
  g_assert_no_error (message_error);
  g_assert_no_error (barrier_error);

  /* Taken along by a read, then the wipe of an unlink. */
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281222209999.0", failing);
  not_there = wa_key_store_load (WA_KEY_STORE (keys), "session", "6281444409999.0");
  g_assert_null (not_there);
  wa_key_store_clear (WA_KEY_STORE (keys));
  g_test_expect_message ("xi-key-store", G_LOG_LEVEL_WARNING, "Could not save WhatsApp credentials*");
  flush_twice (keys, &wipe_error, &unlink_error);
  g_test_assert_expected_messages ();
  g_assert_error (wipe_error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);
  g_assert_no_error (unlink_error);

  /* The wipe's own write fails. */
  wa_key_store_clear (WA_KEY_STORE (keys));
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281222209999.0", failing);
  g_clear_error (&wipe_error);
  flush_twice (keys, &wipe_error, &unlink_error);
  _xi_store_set_test_setting (store, XI_STORE_TEST_FAIL_KEY_WRITE, NULL);
  g_assert_error (wipe_error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);
  g_assert_error (unlink_error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);

  g_clear_object (&keys);
  xi_store_close (store);
  xi_test_rm_rf (dir);
}

/* The store reads its test settings from the environment once, when it
 * is made: its thread never reads an environment the tests' thread may
 * be changing (glibc's setenv can move it under a reader), and a real
 * run pays no lookup per write. In the process they are set through the
 * store, at once. */
static void
test_settings_read_once (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = NULL;
  g_autoptr(XiKeyStore) keys = NULL;
  g_autoptr(GBytes) value = text_bytes ("session");
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  g_setenv ("XI_TEST_FAIL_KEY_WRITE", "6281222209999.0", TRUE);
  store = open_store (path);
  g_unsetenv ("XI_TEST_FAIL_KEY_WRITE");
  keys = load_key_store (store);
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281222209999.0", value);
  wa_key_store_flush_async (WA_KEY_STORE (keys), NULL, xi_test_store_result_cb, &slot);
  wait_flushed (keys, &slot, &error);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);

  _xi_store_set_test_setting (store, XI_STORE_TEST_FAIL_KEY_WRITE, NULL);
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281222209999.0", value);
  flush (keys);

  g_setenv ("XI_TEST_FAIL_KEY_WRITE", "6281222209999.0", TRUE);
  wa_key_store_save (WA_KEY_STORE (keys), "session", "6281222209999.0", value);
  flush (keys);
  g_unsetenv ("XI_TEST_FAIL_KEY_WRITE");

  g_clear_object (&keys);
  xi_store_close (store);
  xi_test_rm_rf (dir);
}

/* The shop's device, its keys in @keys, linked on @server. */
static WaClient *
link_shop (FakewaServer *server,
           XiKeyStore   *keys)
{
  WaClient *client = wa_client_new (WA_KEY_STORE (keys), fakewa_server_get_url (server),
                                    fakewa_server_get_root_key (server));

  wa_client_set_backoff (client, 20, 200);
  fakewa_server_link_client (server, client, "6281111111111");
  return client;
}

/* The worst moment for a key write to fail is while messages to the same
 * customer are being sent: the key store then reads its sessions back
 * from the disk, and had a message left with a chain key the disk did
 * not hold yet, the next one would reuse its counter and the customer's
 * phone would drop it as a duplicate, unseen. Of two messages sent at
 * once, the first's write fails (a customer's message rides in it) and
 * so does the second's if it was queued behind; neither that failed
 * leaves. The message sent after the keys were read back, and the
 * failed ones sent again, reach the customer, each decrypted once. */
static void
test_failed_write_sends_nothing_ahead (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(XiKeyStore) keys = load_key_store (store);
  g_autoptr(GError) error = NULL;
  g_autoptr(FakewaServer) server = fakewa_server_new (&error);
  g_autoptr(WaKeyStore) customer_keys = wa_memory_key_store_new ();
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(WaClient) shop_client = NULL;
  g_autoptr(WaClient) customer_client = NULL;
  g_autoptr(WaMessenger) shop = NULL;
  g_autoptr(WaMessenger) customer = NULL;
  Sending second = { FALSE, NULL }, third = { FALSE, NULL };
  GAsyncResult *incoming_slot = NULL;
  GLogLevelFlags always_fatal;
  const char *expected[] = { "Pesan 1", "Pesan 2", "Pesan 3", "Pesan 4" };

  g_assert_no_error (error);
  shop_client = link_shop (server, keys);
  shop = wa_messenger_new (shop_client);
  customer_client = wa_client_new (customer_keys, fakewa_server_get_url (server),
                                   fakewa_server_get_root_key (server));
  customer = wa_messenger_new (customer_client);
  wa_messenger_set_keeping (customer, TRUE);
  g_signal_connect (customer, "message", G_CALLBACK (collect_text_cb), texts);
  fakewa_server_link_client (server, customer_client, "6282222222222");

  send_to_customer (shop, "3EB0F1000000000000000001", "Pesan 1");
  wait_texts (texts, 1);

  /* Key writes nobody waits for (device lists) that fail behind the
   * failed one are logged, as many as there were. */
  always_fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  record_failing_incoming (store, &incoming_slot);
  wa_messenger_send_text_async (shop, "6282222222222@s.whatsapp.net", "3EB0F1000000000000000002", "Pesan 2",
                                NULL, sent_cb, &second);
  wa_messenger_send_text_async (shop, "6282222222222@s.whatsapp.net", "3EB0F1000000000000000003", "Pesan 3",
                                NULL, sent_cb, &third);
  wait_sent (&second);
  wait_sent (&third);
  assert_incoming_failed (store, &incoming_slot);
  /* The third may have been encrypted after the keys were read back. */
  g_assert_error (second.error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);
  if (third.error != NULL)
    g_assert_error (third.error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);
  else
    wait_texts (texts, 2);
  settle_ms (300);
  g_assert_cmpuint (texts->len, ==, (third.error != NULL ? 1 : 2));

  send_to_customer (shop, "3EB0F1000000000000000004", "Pesan 4");
  send_to_customer (shop, "3EB0F1000000000000000002", "Pesan 2");
  if (third.error != NULL)
    send_to_customer (shop, "3EB0F1000000000000000003", "Pesan 3");
  g_clear_error (&second.error);
  g_clear_error (&third.error);
  wait_texts (texts, G_N_ELEMENTS (expected));
  /* Nothing more on its way: a copy that left unsaved would come now. */
  settle_ms (300);
  g_assert_cmpuint (texts->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_true (g_ptr_array_find_with_equal_func (texts, expected[i], g_str_equal, NULL));
  g_log_set_always_fatal (always_fatal);

  g_clear_object (&customer);
  g_clear_object (&customer_client);
  g_clear_object (&shop);
  g_clear_object (&shop_client);
  g_clear_object (&keys);
  g_clear_object (&server);
  xi_store_close (store);
  xi_test_rm_rf (dir);
}

static void
count_state_changes (WaClient   *client,
                     GParamSpec *pspec,
                     guint      *changes)
{
  (*changes)++;
}

/* Prekeys made to top up the server's stock leave only once they are on
 * disk: when their write fails, and with it they go back out of memory,
 * the server is not given keys the shop no longer holds (customers'
 * first messages to them could not be read). The working connection is
 * kept all the same: the server's next "prekeys low" tops up. */
static void
test_failed_write_uploads_no_prekeys (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(XiKeyStore) keys = load_key_store (store);
  g_autoptr(GError) error = NULL;
  g_autoptr(FakewaServer) server = fakewa_server_new (&error);
  g_autoptr(WaClient) shop = NULL;
  GAsyncResult *incoming_slot = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  GLogLevelFlags always_fatal;
  guint state_changes = 0;
  const char *device;

  g_assert_no_error (error);
  shop = link_shop (server, keys);
  device = wa_client_get_device_jid (shop);
  g_signal_connect (shop, "notify::state", G_CALLBACK (count_state_changes), &state_changes);

  /* The failed write, and the upload it stops, are logged. */
  always_fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  record_failing_incoming (store, &incoming_slot);
  fakewa_server_report_prekeys_low (server, device);
  assert_incoming_failed (store, &incoming_slot);
  settle_ms (500);
  g_assert_cmpuint (fakewa_server_get_prekey_count (server, device), ==, 2);
  g_assert_cmpuint (state_changes, ==, 0);

  fakewa_server_report_prekeys_low (server, device);
  while (fakewa_server_get_prekey_count (server, device) <= 2)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_log_set_always_fatal (always_fatal);
  g_assert_cmpuint (state_changes, ==, 0);
  g_assert_cmpint (wa_client_get_state (shop), ==, WA_CLIENT_STATE_CONNECTED);

  g_signal_handlers_disconnect_by_data (shop, &state_changes);
  g_clear_object (&shop);
  flush (keys);
  g_clear_object (&keys);
  g_clear_object (&server);
  xi_store_close (store);
  xi_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (wa_crypto_init (&error));

  g_test_add_func ("/engine/key-store/survives-restart", test_survives_restart);
  g_test_add_func ("/engine/key-store/forget-secrets", test_forget_secrets);
  g_test_add_func ("/engine/key-store/migrates-plain", test_migrates_plain);
  g_test_add_func ("/engine/key-store/migrates-once", test_migrates_once);
  g_test_add_func ("/engine/key-store/swapped-value", test_swapped_value);
  g_test_add_func ("/engine/key-store/lost-key", test_lost_key);
  g_test_add_func ("/engine/key-store/write-before-read", test_write_before_read);
  g_test_add_func ("/engine/key-store/bounded-cache", test_bounded_cache);
  g_test_add_func ("/engine/key-store/prefetch", test_prefetch);
  g_test_add_func ("/engine/key-store/prefetch-reads-once", test_prefetch_reads_once);
  g_test_add_func ("/engine/key-store/holds-three-batches", test_holds_three_batches);
  g_test_add_func ("/engine/key-store/missing-keys-stay-findable", test_missing_keys_stay_findable);
  g_test_add_func ("/engine/key-store/riders", test_riders);
  g_test_add_func ("/engine/key-store/riders-answer-together", test_riders_answer_together);
  g_test_add_func ("/engine/key-store/answers-wake-once", test_answers_wake_once);
  g_test_add_func ("/engine/key-store/rider-goes-alone", test_rider_goes_alone);
  g_test_add_func ("/engine/key-store/rider-refusal-does-not-bind", test_rider_refusal_does_not_bind);
  g_test_add_func ("/engine/key-store/failed-write-reloads", test_failed_write_reloads);
  g_test_add_func ("/engine/key-store/rider-failed-alone-fails-keys", test_rider_failed_alone_fails_keys);
  g_test_add_func ("/engine/key-store/owed-failure-outlasts-reload", test_owed_failure_outlasts_reload);
  g_test_add_func ("/engine/key-store/load-ends-refusal", test_load_ends_refusal);
  g_test_add_func ("/engine/key-store/failed-write-fails-those-behind", test_failed_write_fails_those_behind);
  g_test_add_func ("/engine/key-store/failed-write-fails-changes-waiting",
                   test_failed_write_fails_changes_waiting);
  g_test_add_func ("/engine/key-store/failed-write-sends-nothing-ahead", test_failed_write_sends_nothing_ahead);
  g_test_add_func ("/engine/key-store/failed-write-uploads-no-prekeys", test_failed_write_uploads_no_prekeys);
  g_test_add_func ("/engine/key-store/failure-without-message-fails-alone",
                   test_failure_without_message_fails_alone);
  g_test_add_func ("/engine/key-store/flush-answers-for-writes-before", test_flush_answers_for_writes_before);
  g_test_add_func ("/engine/key-store/unrelated-failure-fails-no-flush", test_unrelated_failure_fails_no_flush);
  g_test_add_func ("/engine/key-store/flushes-merge", test_flushes_merge);
  g_test_add_func ("/engine/key-store/failed-merge-fails-what-it-carried", test_failed_merge_fails_what_it_carried);
  g_test_add_func ("/engine/key-store/merged-wipe-goes-alone", test_merged_wipe_goes_alone);
  g_test_add_func ("/engine/key-store/test-settings-read-once", test_settings_read_once);
  g_test_add_func ("/engine/key-store/token-sent-waits", test_token_sent_waits);
  g_test_add_func ("/engine/key-store/long-names", test_long_names);
  g_test_add_func ("/engine/key-store/bounded-accounts", test_bounded_accounts);
  g_test_add_func ("/engine/key-store/prune-reads-ahead", test_prune_reads_ahead);

  return g_test_run ();
}
