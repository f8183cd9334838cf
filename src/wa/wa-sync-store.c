/* wa-sync-store.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "wa-sync-private.h"

/*
 * Writing what the phone shares (app state, history sync) into the key
 * store in the formats the rest of the library reads: LID <-> number in
 * both directions, privacy tokens with their timestamp, names as UTF-8.
 */


/**
 * _wa_sync_parse_user:
 * @text: a JID as the phone writes it, possibly with a device or "@c.us"
 *
 * Returns: (transfer full) (nullable): the account it names, or %NULL
 *   for anything that is not a person's number or LID
 */
WaJid *
_wa_sync_parse_user (const char *text)
{
  g_autoptr(WaJid) jid = text != NULL ? wa_jid_parse (text, NULL) : NULL;
  g_autoptr(WaJid) user = jid != NULL ? wa_jid_user_jid (jid) : NULL;

  if (user == NULL || (!wa_jid_is_pn (user) && !wa_jid_is_lid (user)))
    return NULL;
  return g_steal_pointer (&user);
}

/**
 * _wa_sync_save_text:
 * @text: (nullable): the value, or %NULL (or empty) to forget it
 *
 * Stores @text under (@kind, @key) unless it is already there.
 */
void
_wa_sync_save_text (WaKeyStore *store,
                    const char *kind,
                    const char *key,
                    const char *text)
{
  g_autoptr(GBytes) known = wa_key_store_load (store, kind, key);
  g_autoptr(GBytes) value = NULL;

  if (text == NULL || text[0] == '\0')
    {
      if (known != NULL)
        wa_key_store_remove (store, kind, key);
      return;
    }
  value = g_bytes_new (text, strlen (text));
  if (known == NULL || !g_bytes_equal (known, value))
    wa_key_store_save (store, kind, key, value);
}
