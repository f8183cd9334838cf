/* main.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-application.h"
#include "xi-paths.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(XiApplication) app = NULL;

  xi_paths_init_i18n ();

  app = xi_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
