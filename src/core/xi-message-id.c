/* xi-message-id.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-message-id"

#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>

#include "xi-message-id.h"

/*
 * Every message this app sends, a campaign's or a single one, gets its id
 * here. A recipient sees the ids of what it receives and WhatsApp sees
 * them all, so an id must say nothing about its neighbours: not the
 * campaign, not the position, not the time. Nor may it be guessed from
 * earlier ones, or one recipient could name another's message in a retry
 * receipt.
 *
 * The 72 bits come from the kernel's CSPRNG through getrandom(): GRand
 * and g_random_*() are a Mersenne Twister, whose whole state follows from
 * 624 consecutive outputs, so a recipient of a few hundred messages could
 * predict the rest. libsodium's randombytes_buf() would draw from the
 * same getrandom(), but src/core links neither libsodium nor src/wa
 * (DESIGN.md: core is below engine, which links both), and the store
 * must make these ids itself, inside the transaction that writes a
 * campaign. This file therefore lives in core, the lowest layer that
 * stores an id, and engine and cli call it; the protocol library never
 * invents a message id, it sends the one it is given.
 *
 * The shape is WhatsApp Web's, which whatsmeow and Baileys also send:
 * "3EB0" and 9 bytes in upper-case hex. 72 random bits make a collision
 * among a million ids about one chance in ten billion.
 */

#define RANDOM_BYTES 9

/* Creating a campaign draws 100,000 ids in one go, and a system call for
 * each was a tenth of that transaction's time: each thread draws the
 * kernel's bytes for 64 ids at once and hands them out. The bytes are
 * used once and wiped as they go; a forked child, which inherits a copy,
 * draws its own: a fork handler empties the copy, since asking getpid()
 * on every id cost as much again. */
#define POOL_IDS 64

typedef struct
{
  guint8  bytes[POOL_IDS * RANDOM_BYTES];
  gsize   next;
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
       * call gets here; a predictable id would be worse than stopping. */
      if (n < 0)
        g_error ("The system's random number generator failed: %s", g_strerror (errno));
      filled += n;
    }
}

/**
 * xi_message_id_new:
 *
 * Makes a WhatsApp message id nobody can predict: "3EB0" and 18
 * upper-case hex digits from the system's cryptographic random number
 * generator, %XI_MESSAGE_ID_LENGTH characters in all.
 *
 * Returns: (transfer full): a new message id
 */
char *
xi_message_id_new (void)
{
  static const char digits[] = "0123456789ABCDEF";
  char *id = g_malloc (XI_MESSAGE_ID_LENGTH + 1);
  guint8 *random;

  static gsize fork_handled = 0;

  if (g_once_init_enter (&fork_handled))
    {
      pthread_atfork (NULL, NULL, forget_pool);
      g_once_init_leave (&fork_handled, 1);
    }

  if (pool.next == 0)
    {
      fill_random (pool.bytes, sizeof pool.bytes);
      pool.next = sizeof pool.bytes;
    }
  pool.next -= RANDOM_BYTES;
  random = pool.bytes + pool.next;

  memcpy (id, "3EB0", 4);
  for (guint i = 0; i < RANDOM_BYTES; i++)
    {
      id[4 + 2 * i] = digits[random[i] >> 4];
      id[5 + 2 * i] = digits[random[i] & 0xf];
    }
  memset (random, 0, RANDOM_BYTES);
  id[XI_MESSAGE_ID_LENGTH] = '\0';
  return id;
}
