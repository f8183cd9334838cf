/* test-message-id.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sys/wait.h>
#include <unistd.h>

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

/* Ids are drawn from bytes read ahead; a forked child, which inherits
 * them, must not hand out the ids its parent will. */
static void
test_fork (void)
{
  g_autofree char *first = xi_message_id_new ();
  g_autofree char *parent = NULL;
  char child[XI_MESSAGE_ID_LENGTH + 1] = { 0 };
  int fds[2];
  pid_t pid;
  int status;

  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autofree char *id = xi_message_id_new ();

      _exit (write (fds[1], id, XI_MESSAGE_ID_LENGTH) == XI_MESSAGE_ID_LENGTH ? 0 : 1);
    }
  close (fds[1]);
  g_assert_cmpint (read (fds[0], child, XI_MESSAGE_ID_LENGTH), ==, XI_MESSAGE_ID_LENGTH);
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  parent = xi_message_id_new ();
  g_assert_cmpstr (child, !=, parent);
  g_assert_cmpstr (child, !=, first);
}

static gpointer
draw_id_thread (gpointer data)
{
  return xi_message_id_new ();
}

/* Each thread draws its own bytes. */
static void
test_threads (void)
{
  const guint n = 50;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_full (n * 2, g_free);

  for (guint i = 0; i < n; i++)
    {
      g_ptr_array_add (ids, xi_message_id_new ());
      g_ptr_array_add (ids, g_thread_join (g_thread_new ("draw", draw_id_thread, NULL)));
    }
  xi_test_assert_message_ids_random ((const char * const *) ids->pdata, ids->len);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/message-id/random", test_random);
  g_test_add_func ("/message-id/fork", test_fork);
  g_test_add_func ("/message-id/threads", test_threads);
  return g_test_run ();
}
