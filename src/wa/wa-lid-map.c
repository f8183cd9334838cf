/* wa-lid-map.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-lid-map"

#include "config.h"

#include <string.h>

#include "wa-lid-map.h"

/*
 * Accounts are reached by phone number but write more and more from their
 * LID (FIELD-NOTES, pain 5), and privacy tokens are kept by LID. Every
 * source that names both (sender_pn, usync, history sync, app state) feeds
 * this one table, kept with the device's keys and never synced. There is
 * no LID -> number query on WhatsApp, so what is forgotten here cannot be
 * asked for again: nothing is ever removed but by unlinking.
 */

/* Digits only: a user part, never a JID with its server or device. */
static gboolean
is_user (const char *user)
{
  if (user == NULL || user[0] == '\0' || strlen (user) > 32)
    return FALSE;
  for (const char *c = user; *c != '\0'; c++)
    if (!g_ascii_isdigit (*c))
      return FALSE;
  return TRUE;
}

static char *
load_text (WaKeyStore *store,
           const char *kind,
           const char *key)
{
  g_autoptr(GBytes) value = NULL;

  if (!is_user (key) || (value = wa_key_store_load (store, kind, key)) == NULL)
    return NULL;
  return g_strndup (g_bytes_get_data (value, NULL), g_bytes_get_size (value));
}

/* The other side of a mapping, never anything but a bare user. */
static char *
load_user (WaKeyStore *store,
           const char *kind,
           const char *key)
{
  g_autofree char *user = load_text (store, kind, key);

  return is_user (user) ? g_steal_pointer (&user) : NULL;
}

static void
save_text (WaKeyStore *store,
           const char *kind,
           const char *key,
           const char *text)
{
  g_autofree char *known = load_text (store, kind, key);
  g_autoptr(GBytes) value = NULL;

  if (g_strcmp0 (known, text) == 0)
    return;
  value = g_bytes_new (text, strlen (text));
  wa_key_store_save (store, kind, key, value);
}

/**
 * wa_lid_map_remember:
 * @store: the device's key store
 * @lid_user: an account's LID user ("236395184570386")
 * @pn_user: the same account's phone-number user ("6281234567890")
 *
 * Keeps the mapping both ways. A LID that changes number replaces the
 * old one, as the newest source is the one WhatsApp uses now.
 *
 * Returns: %FALSE when one of the two is not a bare user
 */
gboolean
wa_lid_map_remember (WaKeyStore *store,
                     const char *lid_user,
                     const char *pn_user)
{
  g_return_val_if_fail (WA_IS_KEY_STORE (store), FALSE);

  if (!is_user (lid_user) || !is_user (pn_user))
    return FALSE;
  save_text (store, WA_LID_MAP_KIND_LID_PN, lid_user, pn_user);
  save_text (store, WA_LID_MAP_KIND_PN_LID, pn_user, lid_user);
  return TRUE;
}

/**
 * wa_lid_map_pn_of_lid:
 * @store: the device's key store
 * @lid_user: a LID user
 *
 * Returns: (transfer full) (nullable): its phone-number user, when known
 */
char *
wa_lid_map_pn_of_lid (WaKeyStore *store,
                      const char *lid_user)
{
  g_return_val_if_fail (WA_IS_KEY_STORE (store), NULL);
  return load_user (store, WA_LID_MAP_KIND_LID_PN, lid_user);
}

/**
 * wa_lid_map_lid_of_pn:
 * @store: the device's key store
 * @pn_user: a phone-number user
 *
 * Returns: (transfer full) (nullable): its LID user, when known
 */
char *
wa_lid_map_lid_of_pn (WaKeyStore *store,
                      const char *pn_user)
{
  g_return_val_if_fail (WA_IS_KEY_STORE (store), NULL);
  return load_user (store, WA_LID_MAP_KIND_PN_LID, pn_user);
}

/**
 * wa_lid_map_is_user:
 * @user: (nullable): the user part of an address
 *
 * Returns: whether @user is one this map keeps: a phone number's or a
 *   LID's digits
 */
gboolean
wa_lid_map_is_user (const char *user)
{
  return is_user (user);
}
