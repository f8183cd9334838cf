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

#define TCTOKEN_TIMESTAMP_LEN 8

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

static char *
load_text (WaKeyStore *store,
           const char *kind,
           const char *key)
{
  g_autoptr(GBytes) value = wa_key_store_load (store, kind, key);

  return value != NULL ? g_strndup (g_bytes_get_data (value, NULL), g_bytes_get_size (value)) : NULL;
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

/**
 * _wa_sync_remember_lid_pn:
 * @lid_user: the digits of a LID
 * @pn_user: the digits of the number behind it
 *
 * Keeps the mapping both ways.
 */
void
_wa_sync_remember_lid_pn (WaKeyStore *store,
                          const char *lid_user,
                          const char *pn_user)
{
  _wa_sync_save_text (store, WA_SYNC_KIND_LID_PN, lid_user, pn_user);
  _wa_sync_save_text (store, WA_SYNC_KIND_PN_LID, pn_user, lid_user);
}

char *
_wa_sync_pn_of_lid (WaKeyStore *store,
                    const char *lid_user)
{
  return load_text (store, WA_SYNC_KIND_LID_PN, lid_user);
}

char *
_wa_sync_lid_of_pn (WaKeyStore *store,
                    const char *pn_user)
{
  return load_text (store, WA_SYNC_KIND_PN_LID, pn_user);
}

/**
 * _wa_sync_save_tctoken:
 * @lid_user: the LID of the contact that issued the token
 * @timestamp: when it issued it, Unix seconds
 * @token: the token
 *
 * Keeps a privacy token unless the one stored is newer.
 *
 * Returns: whether it was kept
 */
gboolean
_wa_sync_save_tctoken (WaKeyStore   *store,
                       const char   *lid_user,
                       guint64       timestamp,
                       const guint8 *token,
                       gsize         len)
{
  g_autoptr(GBytes) known = wa_key_store_load (store, WA_SYNC_KIND_TCTOKEN, lid_user);
  g_autoptr(GByteArray) value = g_byte_array_sized_new (TCTOKEN_TIMESTAMP_LEN + len);
  g_autoptr(GBytes) record = NULL;
  guint8 be[TCTOKEN_TIMESTAMP_LEN];

  if (known != NULL && g_bytes_get_size (known) >= TCTOKEN_TIMESTAMP_LEN)
    {
      const guint8 *data = g_bytes_get_data (known, NULL);
      guint64 stored = 0;

      for (guint i = 0; i < TCTOKEN_TIMESTAMP_LEN; i++)
        stored = stored << 8 | data[i];
      if (stored > timestamp)
        return FALSE;
    }
  for (guint i = 0; i < TCTOKEN_TIMESTAMP_LEN; i++)
    be[i] = timestamp >> (56 - 8 * i);
  g_byte_array_append (value, be, sizeof be);
  g_byte_array_append (value, token, len);
  record = g_byte_array_free_to_bytes (g_steal_pointer (&value));
  wa_key_store_save (store, WA_SYNC_KIND_TCTOKEN, lid_user, record);
  return TRUE;
}
