/* xi-sync-test-utils.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-sync-test-utils.h"
#include "xi-test-utils.h"

/* Runs the registered tests against one cluster and gateway, started
 * here and stopped after the last test; @rig is set while they run. */
int
xi_sync_test_run (FsRig **rig)
{
  g_autoptr(GError) error = NULL;
  int status;

  *rig = fs_rig_start (NULL, &error);
  if (*rig == NULL)
    {
      g_printerr ("Could not start the test Supabase: %s\n", error->message);
      return 1;
    }
  status = g_test_run ();
  fs_rig_stop (g_steal_pointer (rig));
  return status;
}

/* Sends a control command to the gateway (fault injection), which must
 * take it. */
void
xi_sync_test_control (FsRig      *rig,
                      const char *command)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (fs_rig_control (rig, command, &error));
  g_assert_no_error (error);
}

/* Signs @computer in to @email (after creating the account with
 * @new_account) in a data folder of its own, as the account's owner. */
void
xi_sync_test_computer_start (XiSyncTestComputer *computer,
                             FsRig              *rig,
                             const char         *email,
                             gboolean            new_account)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  computer->dir = xi_test_make_tmpdir ();
  path = g_build_filename (computer->dir, "xender-in.db", NULL);
  computer->store = xi_store_new (path);
  computer->client = xi_supabase_client_new (fs_rig_get_url (rig), fs_rig_get_anon_key (rig),
                                             xi_store_get_secret_store (computer->store), &error);
  g_assert_no_error (error);

  if (new_account)
    XI_TEST_WAIT (xi_supabase_client_sign_up_async (computer->client, email, XI_SYNC_TEST_PASSWORD,
                                                    NULL, xi_test_store_result_cb, &slot_),
                  ok = xi_supabase_client_sign_up_finish (computer->client, result_, NULL, &error));
  else
    XI_TEST_WAIT (xi_supabase_client_sign_in_async (computer->client, email, XI_SYNC_TEST_PASSWORD,
                                                    NULL, xi_test_store_result_cb, &slot_),
                  ok = xi_supabase_client_sign_in_finish (computer->client, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);

  /* The owner's data folder: its tenant is the owner's user id. */
  xi_store_set_master_user_id (computer->store, xi_supabase_client_get_user_id (computer->client));
  XI_TEST_WAIT (xi_store_open_async (computer->store, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_store_open_finish (computer->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  computer->engine = xi_sync_engine_new (computer->store, computer->client);
}

/* Closes @computer's store and deletes its data folder. */
void
xi_sync_test_computer_stop (XiSyncTestComputer *computer)
{
  g_clear_object (&computer->engine);
  g_clear_object (&computer->client);
  xi_store_close (computer->store);
  g_assert_finalize_object (g_steal_pointer (&computer->store));
  xi_test_rm_rf (computer->dir);
  g_free (computer->dir);
}
