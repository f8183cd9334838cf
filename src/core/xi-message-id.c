/* xi-message-id.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-message-id"

#include "config.h"

#include <string.h>

#include "xi-message-id.h"
#include "xi-random.h"

/*
 * Every message this app sends, a campaign's or a single one, gets its id
 * here. A recipient sees the ids of what it receives and WhatsApp sees
 * them all, so an id must say nothing about its neighbours: not the
 * campaign, not the position, not the time. Nor may it be guessed from
 * earlier ones, or one recipient could name another's message in a retry
 * receipt.
 *
 * The 72 bits come from the kernel's CSPRNG (xi_random_bytes ()). This
 * file lives in core, the lowest layer that stores an id: the store makes
 * these ids itself, inside the transaction that first hands a row out for
 * sending, and engine and cli call it; the protocol library never
 * invents a message id, it sends the one it is given.
 *
 * The shape is WhatsApp Web's, which whatsmeow and Baileys also send:
 * "3EB0" and 9 bytes in upper-case hex. 72 random bits make a collision
 * among a million ids about one chance in ten billion.
 */

#define RANDOM_BYTES 9

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
  guint8 random[RANDOM_BYTES];

  xi_random_bytes (random, sizeof random);
  memcpy (id, "3EB0", 4);
  for (guint i = 0; i < RANDOM_BYTES; i++)
    {
      id[4 + 2 * i] = digits[random[i] >> 4];
      id[5 + 2 * i] = digits[random[i] & 0xf];
    }
  id[XI_MESSAGE_ID_LENGTH] = '\0';
  return id;
}
