/* test-key-store.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "wa-credentials.h"
#include "xi-key-store.h"
#include "xi-test-utils.h"

/* The protocol library's key store on the app's SQLite file: what is
 * saved is there after a restart, an unlink wipes it, and the file is
 * private. */

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

  xi_store_load_keys_async (store, NULL, xi_test_store_result_cb, &slot);
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

static void
test_survives_restart (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(WaCredentials) made = NULL;
  g_autoptr(WaCredentials) loaded = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  {
    g_autoptr(XiStore) store = open_store (path);
    g_autoptr(XiKeyStore) keys = load_key_store (store);

    made = wa_credentials_load_or_create (WA_KEY_STORE (keys), NULL, &error);
    g_assert_no_error (error);
    flush (keys);
    xi_store_close (store);
  }

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

    /* Unlinking forgets the device, on disk too. */
    wa_key_store_clear (WA_KEY_STORE (keys));
    flush (keys);
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

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (wa_crypto_init (&error));

  g_test_add_func ("/engine/key-store/survives-restart", test_survives_restart);

  return g_test_run ();
}
