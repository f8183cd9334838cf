/* xi-fuzz-warnings.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The libFuzzer start-up of the targets that need nothing else set up:
 * a g_critical() or g_warning() is a bug worth a crash report, as a
 * precondition failed on what a peer sent. */

#include "config.h"

#include <glib.h>

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}
