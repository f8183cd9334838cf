/* xi-sync-test-utils.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-sync-test-utils.h"

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
