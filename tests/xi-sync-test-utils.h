/* xi-sync-test-utils.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fs-rig.h"

G_BEGIN_DECLS

int   xi_sync_test_run      (FsRig      **rig);
void  xi_sync_test_control  (FsRig       *rig,
                             const char  *command);

G_END_DECLS
