/* test-sync-account.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-paths.h"
#include "xi-store.h"
#include "xi-sync-account.h"
#include "xi-test-utils.h"

/*
 * The accounts of one data folder, without a server: deleting the copy
 * of a signed-out account leaves nothing of it behind, neither files nor
 * keyring entries. Secrets are in key files here, and in GNOME Keyring
 * when tests/run-with-keyring runs this (sync-account-keyring).
 */

static XiStore *
open_store (const char *path)
{
  g_autoptr(XiStore) store = xi_store_new (path);
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  XI_TEST_WAIT (xi_store_open_async (store, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_store_open_finish (store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  return g_steal_pointer (&store);
}

/* A WhatsApp key written to the store, as the key store does it, sealed
 * under a secret of its own; returns the secret's name. */
static char *
write_whatsapp_key (const char *path)
{
  g_autoptr(XiStore) store = open_store (path);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_key_change_free);
  g_autoptr(GBytes) value = g_bytes_new_static ("identity", 8);
  g_autoptr(GHashTable) loaded = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;
  char *name;

  XI_TEST_WAIT (xi_store_load_keys_async (store, NULL, NULL, xi_test_store_result_cb, &slot_),
                loaded = xi_store_load_keys_finish (store, result_, &error));
  g_assert_no_error (error);
  g_ptr_array_add (changes, xi_key_change_new ("device", "identity", value));
  XI_TEST_WAIT (xi_store_put_keys_async (store, changes, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_store_put_keys_finish (store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  xi_store_close (store);

  name = xi_test_seal_secret_name (path);
  g_assert_nonnull (name);
  return name;
}

static GBytes *
lookup (const char *path,
        const char *name)
{
  g_autoptr(XiSecretStore) secrets = xi_secret_store_new (path, xi_secret_store_backend_from_env ());
  g_autoptr(GError) error = NULL;
  GBytes *secret = xi_secret_store_lookup_sync (secrets, name, NULL, &error);

  g_assert_no_error (error);
  return secret;
}

static void
test_delete_copy_forgets_secrets (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autoptr(XiSyncAccount) account = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *path = NULL;
  g_autofree char *other_folder = NULL;
  g_autofree char *other_path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *other_name = NULL;
  g_autoptr(GBytes) gone = NULL;
  g_autoptr(GBytes) kept = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  account = xi_sync_account_load (dir, &error);
  g_assert_no_error (error);
  g_assert_true (xi_sync_account_configure (account, "http://127.0.0.1:1",
                                                "sb_publishable_test_key_0123456789", &error));
  g_assert_no_error (error);
  folder = xi_sync_account_dup_folder (account, "9c1b2f4e-1d7a-4c55-9a41-0b6f3f2f0a11", &error);
  g_assert_no_error (error);
  other_folder = xi_sync_account_dup_folder (account, "0d4f2a1c-3b5e-4f70-8c12-7e9a6b5d4c3b",
                                             &error);
  g_assert_no_error (error);
  path = xi_paths_dup_store_path (folder);
  other_path = xi_paths_dup_store_path (other_folder);
  name = write_whatsapp_key (path);
  other_name = write_whatsapp_key (other_path);
  kept = lookup (path, name);
  g_assert_nonnull (kept);
  g_clear_pointer (&kept, g_bytes_unref);

  XI_TEST_WAIT (xi_sync_account_delete_folder_async (account, folder, NULL,
                                                     xi_test_store_result_cb, &slot_),
                ok = xi_sync_account_delete_folder_finish (account, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);

  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
  gone = lookup (path, name);
  g_assert_null (gone);
  /* Another account's copy keeps its keys. */
  kept = lookup (other_path, other_name);
  g_assert_nonnull (kept);
  g_assert_true (g_file_test (other_path, G_FILE_TEST_IS_REGULAR));

  XI_TEST_WAIT (xi_sync_account_delete_folder_async (account, other_folder, NULL,
                                                     xi_test_store_result_cb, &slot_),
                ok = xi_sync_account_delete_folder_finish (account, result_, &error));
  g_assert_no_error (error);
  xi_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync-account/delete-copy-forgets-secrets", test_delete_copy_forgets_secrets);
  return g_test_run ();
}
