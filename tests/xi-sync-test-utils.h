/* xi-sync-test-utils.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fs-rig.h"
#include "xi-store.h"
#include "xi-supabase-client.h"
#include "xi-sync-engine.h"

G_BEGIN_DECLS

#define XI_SYNC_TEST_PASSWORD "correct horse battery"

/* A computer signed in to an account: its own data folder and store,
 * a client with the session, and the sync engine. */
typedef struct
{
  char             *dir;
  XiStore          *store;
  XiSupabaseClient *client;
  XiSyncEngine     *engine;
} XiSyncTestComputer;

int   xi_sync_test_run             (FsRig               **rig);
void  xi_sync_test_control         (FsRig                *rig,
                                    const char           *command);
void  xi_sync_test_computer_start  (XiSyncTestComputer   *computer,
                                    FsRig                *rig,
                                    const char           *email,
                                    gboolean              new_account);
void  xi_sync_test_computer_stop   (XiSyncTestComputer   *computer);

G_END_DECLS
