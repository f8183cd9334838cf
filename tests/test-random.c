/* test-random.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xi-random.h"

#define NONCE_BYTES 24

static char *
draw_hex (gsize length)
{
  guint8 bytes[XI_RANDOM_MAX_BYTES];

  xi_random_bytes (bytes, length);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, bytes, length);
}

/* Draws of several sizes from one pool, across many refills: no two the
 * same, as sealing nonces and message ids share it. */
static void
test_distinct (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const gsize sizes[] = { NONCE_BYTES, 9, NONCE_BYTES, 1, XI_RANDOM_MAX_BYTES, 7 };

  for (guint i = 0; i < 20000; i++)
    {
      gsize length = sizes[i % G_N_ELEMENTS (sizes)];
      char *hex = draw_hex (length);

      /* One byte repeats by chance; what is checked is that no longer
       * draw is ever handed out twice. */
      if (length == 1)
        {
          g_free (hex);
          continue;
        }
      g_assert_false (g_hash_table_contains (seen, hex));
      g_hash_table_add (seen, hex);
    }
}

/* The library's getrandom () calls land here, in the executable, and
 * are counted: each is a system call. */
static guint kernel_draws;

ssize_t
getrandom (void         *buffer,
           size_t        length,
           unsigned int  flags)
{
  kernel_draws++;
  return syscall (SYS_getrandom, buffer, length, flags);
}

/* A campaign draws a message id, a few sealing nonces and two padding
 * lengths per message: the kernel is asked once per pool, not per draw. */
static void
test_pooled (void)
{
  guint8 bytes[XI_RANDOM_MAX_BYTES];
  guint before = kernel_draws;

  for (guint i = 0; i < 1000; i++)
    {
      xi_random_bytes (bytes, 1);
      xi_random_bytes (bytes, 9);
    }
  /* 10,000 bytes from pools of 2,048. */
  g_assert_cmpuint (kernel_draws - before, >=, 4);
  g_assert_cmpuint (kernel_draws - before, <=, 6);
}

/* A forked child inherits the bytes its parent has not handed out yet:
 * its nonces must not be the ones the parent will seal with. */
static void
test_fork (void)
{
  guint8 first[NONCE_BYTES], parent[NONCE_BYTES], child[NONCE_BYTES] = { 0 };
  int fds[2];
  pid_t pid;
  int status;

  xi_random_bytes (first, sizeof first);
  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      guint8 nonce[NONCE_BYTES];

      xi_random_bytes (nonce, sizeof nonce);
      _exit (write (fds[1], nonce, sizeof nonce) == sizeof nonce ? 0 : 1);
    }
  close (fds[1]);
  g_assert_cmpint (read (fds[0], child, sizeof child), ==, sizeof child);
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  xi_random_bytes (parent, sizeof parent);
  g_assert_true (memcmp (child, parent, NONCE_BYTES) != 0);
  g_assert_true (memcmp (child, first, NONCE_BYTES) != 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/random/distinct", test_distinct);
  g_test_add_func ("/random/pooled", test_pooled);
  g_test_add_func ("/random/fork", test_fork);

  return g_test_run ();
}
