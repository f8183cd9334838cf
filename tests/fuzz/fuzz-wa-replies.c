/* fuzz-wa-replies.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for the server's answers to our queries, once decoded
 * to a node: usync (which numbers are on WhatsApp, their LIDs, their
 * devices), the prekey count and the prekey bundles a first message to
 * a device is encrypted with.
 *
 * The first input byte chooses the parser (modulo 5: contacts, devices,
 * LIDs, prekey count, bundles); the rest is a binary node, decoded with
 * wa_binary_decode(). The seed corpus holds answers written with our own
 * encoder.
 *
 * Besides sanitizer reports, a finding is: a contact check without its
 * number (whether its address and LID are a number's and a LID is the
 * parser's own test, which this would only repeat); a device list with a
 * device twice, one that does not parse, or more than
 * WA_USYNC_MAX_DEVICES devices of one account; a LID map with an empty
 * user; a bundle answer with neither a device nor an error. */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "wa-binary.h"
#include "wa-prekeys.h"
#include "wa-signal-bundle.h"
#include "wa-usync.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

enum {
  PARSE_CONTACTS,
  PARSE_DEVICES,
  PARSE_LIDS,
  PARSE_PREKEY_COUNT,
  PARSE_BUNDLES,
  N_PARSERS
};

static void
fail (const char *what)
{
  fprintf (stderr, "reply property broken: %s\n", what);
  abort ();
}

static void
check_contacts (WaNode *answer)
{
  g_autoptr(GPtrArray) checks = wa_usync_parse_contacts (answer, NULL);

  for (guint i = 0; checks != NULL && i < checks->len; i++)
    {
      WaContactCheck *check = g_ptr_array_index (checks, i);

      if (check->phone == NULL || check->phone[0] == '\0')
        fail ("a contact check without its number");
    }
}

static void
check_devices (WaNode *answer)
{
  g_autoptr(GPtrArray) devices = wa_usync_parse_devices (answer, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) per_user = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      const char *text = g_ptr_array_index (devices, i);
      g_autoptr(WaJid) jid = wa_jid_parse (text, NULL);
      guint n;

      if (jid == NULL)
        fail ("a device that does not parse");
      if (!g_hash_table_add (seen, (gpointer) text))
        fail ("a device named twice");
      n = GPOINTER_TO_UINT (g_hash_table_lookup (per_user, wa_jid_get_user (jid))) + 1;
      if (n > WA_USYNC_MAX_DEVICES)
        fail ("more devices than an account keeps");
      g_hash_table_insert (per_user, g_strdup (wa_jid_get_user (jid)), GUINT_TO_POINTER (n));
    }
}

static void
check_lids (WaNode *answer)
{
  g_autoptr(GHashTable) lids = wa_usync_parse_lids (answer);
  GHashTableIter iter;
  gpointer key, value;

  if (lids == NULL)
    return;
  g_hash_table_iter_init (&iter, lids);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (key == NULL || value == NULL || ((char *) key)[0] == '\0' || ((char *) value)[0] == '\0')
      fail ("a LID map with an empty user");
}

static void
check_bundles (WaNode *answer)
{
  g_autoptr(GPtrArray) answers = wa_signal_parse_bundles (answer, NULL);

  for (guint i = 0; answers != NULL && i < answers->len; i++)
    {
      WaSignalBundleAnswer *entry = g_ptr_array_index (answers, i);

      if (entry->device == NULL && entry->error == NULL)
        fail ("a bundle answer with neither a device nor an error");
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(WaNode) answer = NULL;
  guint count = 0;

  if (size == 0 || (answer = wa_binary_decode (data + 1, size - 1, NULL)) == NULL)
    return 0;
  switch (data[0] % N_PARSERS)
    {
    case PARSE_CONTACTS:
      check_contacts (answer);
      break;
    case PARSE_DEVICES:
      check_devices (answer);
      break;
    case PARSE_LIDS:
      check_lids (answer);
      break;
    case PARSE_PREKEY_COUNT:
      wa_prekeys_read_count (answer, &count, NULL);
      break;
    default:
      check_bundles (answer);
    }
  return 0;
}
