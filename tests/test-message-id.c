/* test-message-id.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-message-id.h"
#include "xi-test-utils.h"

/* A large sample: no repeats, the shape WhatsApp Web's ids have, and no
 * structure a recipient could read a sequence from. */
static void
test_random (void)
{
  const guint n = 200000;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_full (n, g_free);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (ids, xi_message_id_new ());
  xi_test_assert_message_ids_random ((const char * const *) ids->pdata, n);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/message-id/random", test_random);
  return g_test_run ();
}
