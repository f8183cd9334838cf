/* wa-lthash.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "wa-crypto.h"
#include "wa-lthash.h"

/*
 * The "lattice" hash app-state sync keeps over a collection
 * (WA-FIDELITY.md §2.4): a sum of one expansion per value MAC, so adding
 * and removing values in any order ends in the same hash, and a
 * collection can be checked after each patch without replaying it.
 */

static const char integrity_info[] = "WhatsApp Patch Integrity";

/* Both operands are read as 64 little-endian 16-bit words, summed
 * modulo 2^16 word by word. */
static void
combine (guint8        hash[WA_LTHASH_LEN],
         const guint8 *item,
         gsize         len,
         gboolean      subtract)
{
  guint8 expanded[WA_LTHASH_LEN];

  wa_crypto_hkdf_sha256 (NULL, 0, item, len, (const guint8 *) integrity_info, strlen (integrity_info),
                         expanded, sizeof expanded);
  for (gsize i = 0; i < WA_LTHASH_LEN; i += 2)
    {
      guint16 word = hash[i] | hash[i + 1] << 8;
      guint16 other = expanded[i] | expanded[i + 1] << 8;

      word = subtract ? (guint16) (word - other) : (guint16) (word + other);
      hash[i] = word & 0xff;
      hash[i + 1] = word >> 8;
    }
}

/**
 * wa_lthash_add:
 * @hash: (inout): the running hash
 * @item: a value MAC
 * @len: its length
 *
 * Adds @item to @hash.
 */
void
wa_lthash_add (guint8        hash[WA_LTHASH_LEN],
               const guint8 *item,
               gsize         len)
{
  combine (hash, item, len, FALSE);
}

/**
 * wa_lthash_subtract:
 * @hash: (inout): the running hash
 * @item: a value MAC added before
 * @len: its length
 *
 * Takes @item out of @hash again.
 */
void
wa_lthash_subtract (guint8        hash[WA_LTHASH_LEN],
                    const guint8 *item,
                    gsize         len)
{
  combine (hash, item, len, TRUE);
}
