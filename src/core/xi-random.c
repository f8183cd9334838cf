/* xi-random.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-random"

#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>

#include "xi-random.h"

/*
 * Unpredictable bytes from the kernel's CSPRNG (getrandom()), for what
 * must never repeat and never be guessed: message ids, and the nonces
 * that seal each WhatsApp key the store writes. GRand and g_random_*()
 * are a Mersenne Twister, whose whole state follows from 624 consecutive
 * outputs.
 *
 * Creating a campaign draws 100,000 message ids in one go, and sending
 * seals two or three values per message: a system call for each was a
 * tenth of the first and a few percent of the second. So each thread
 * draws POOL_BYTES from the kernel at once and hands them out in order,
 * each byte once, wiped as it goes. Two processes draw from the kernel
 * each for itself. A forked child inherits a copy of the forking
 * thread's pool and would hand out what its parent will: a fork handler
 * empties that copy (asking getpid() on every call cost as much as the
 * system call it saves).
 */

#define POOL_BYTES 2048

typedef struct
{
  guint8  bytes[POOL_BYTES];
  gsize   left;  /* the unused bytes are the first @left */
} RandomPool;

static _Thread_local RandomPool pool;

/* Runs in the child, on the thread that forked: the only pool it has. */
static void
forget_pool (void)
{
  explicit_bzero (&pool, sizeof pool);
}

static void
fill_random (guint8 *buffer,
             gsize   length)
{
  gsize filled = 0;

  while (filled < length)
    {
      ssize_t n = getrandom (buffer + filled, length - filled, 0);

      if (n < 0 && errno == EINTR)
        continue;
      /* Only a kernel older than 3.17 or a seccomp filter that forbids the
       * call gets here; a predictable id or nonce would be worse than
       * stopping. */
      if (n < 0)
        g_error ("The system's random number generator failed: %s", g_strerror (errno));
      filled += n;
    }
}

/**
 * xi_random_bytes:
 * @buffer: (out caller-allocates): where the bytes go
 * @length: how many, at most %XI_RANDOM_MAX_BYTES
 *
 * Fills @buffer from the system's cryptographic random number generator,
 * with bytes this process (and any process forked from it) never handed
 * out before.
 */
void
xi_random_bytes (gpointer buffer,
                 gsize    length)
{
  static gsize fork_handled = 0;

  g_return_if_fail (length <= XI_RANDOM_MAX_BYTES);

  if (g_once_init_enter (&fork_handled))
    {
      pthread_atfork (NULL, NULL, forget_pool);
      g_once_init_leave (&fork_handled, 1);
    }

  if (pool.left < length)
    {
      fill_random (pool.bytes, sizeof pool.bytes);
      pool.left = sizeof pool.bytes;
    }
  pool.left -= length;
  memcpy (buffer, pool.bytes + pool.left, length);
  explicit_bzero (pool.bytes + pool.left, length);
}
