/* wa-account-status.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-account-status"

#include "config.h"

#include <string.h>

#include "wa-account-status.h"
#include "wa-pairing.h"

/*
 * Each record is a line of tab-separated fields under "account"/<key>:
 * "state": state name, since, ban end, ban code; "timelock": end, kind.
 * Names rather than enum numbers, so a later state list cannot misread
 * what an older version wrote.
 */

#define KIND "account"

static const struct
{
  WaClientState  state;
  const char    *name;
} state_names[] = {
  { WA_CLIENT_STATE_CONNECTED, "connected" },
  { WA_CLIENT_STATE_STOPPED, "disconnected" },
  { WA_CLIENT_STATE_REPLACED, "replaced" },
  { WA_CLIENT_STATE_BANNED, "banned" },
  { WA_CLIENT_STATE_TEMPORARILY_BANNED, "temporarily-banned" },
  { WA_CLIENT_STATE_OUTDATED, "outdated" },
};

/**
 * wa_account_status_state_name:
 *
 * Returns: (nullable): the name a saved @state goes by ("connected",
 *   "disconnected", "replaced", "banned", "temporarily-banned",
 *   "outdated"), or %NULL for a state that is never saved: a passing
 *   one, or unlinked, which leaves nothing behind
 */
const char *
wa_account_status_state_name (WaClientState state)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (state_names[i].state == state)
      return state_names[i].name;
  return NULL;
}

static char **
load_fields (WaKeyStore *store,
             const char *key,
             guint       n_fields)
{
  g_autoptr(GBytes) value = wa_key_store_load (store, KIND, key);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;

  if (value == NULL)
    return NULL;
  text = g_strndup (g_bytes_get_data (value, NULL), g_bytes_get_size (value));
  fields = g_strsplit (text, "\t", -1);
  if (g_strv_length (fields) != n_fields)
    return NULL;
  return g_steal_pointer (&fields);
}

static void
save_text (WaKeyStore *store,
           const char *key,
           const char *text)
{
  g_autoptr(GBytes) value = g_bytes_new (text, strlen (text));

  wa_key_store_save (store, KIND, key, value);
}

static gint64
parse_time (const char *text)
{
  gint64 value = 0;

  g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, &value, NULL);
  return value;
}

/* Tabs would split a field; WhatsApp's codes and kinds have none. */
static char *
field (const char *text)
{
  return g_strdelimit (g_strdup (text != NULL ? text : ""), "\t\n", ' ');
}

/**
 * wa_account_status_load:
 * @store: a device's key store
 *
 * Returns: (transfer full): what is known of the account
 */
WaAccountStatus *
wa_account_status_load (WaKeyStore *store)
{
  WaAccountStatus *self = g_new0 (WaAccountStatus, 1);
  g_autofree char *device = NULL;
  g_auto(GStrv) state = NULL;
  g_auto(GStrv) timelock = NULL;

  g_return_val_if_fail (WA_IS_KEY_STORE (store), self);

  device = wa_pairing_load_device_jid (store);
  self->linked = device != NULL;
  self->state = WA_CLIENT_STATE_STOPPED;
  if ((state = load_fields (store, "state", 4)) != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
      if (g_str_equal (state[0], state_names[i].name))
        {
          self->known = TRUE;
          self->state = state_names[i].state;
          self->since = parse_time (state[1]);
          if (self->state == WA_CLIENT_STATE_TEMPORARILY_BANNED)
            {
              self->ban_until = parse_time (state[2]);
              self->ban_code = state[3][0] != '\0' ? g_strdup (state[3]) : NULL;
            }
        }
  if ((timelock = load_fields (store, "timelock", 2)) != NULL)
    {
      self->timelock_until = parse_time (timelock[0]);
      self->timelock_kind = self->timelock_until > 0 && timelock[1][0] != '\0' ? g_strdup (timelock[1]) : NULL;
    }
  return self;
}

/**
 * wa_account_status_save_state:
 * @store: the device's key store
 * @state: where the connection is; passing states are not saved
 * @since: Unix seconds
 * @ban_code: (nullable): WhatsApp's code for a temporary ban
 * @ban_until: when it ends, Unix seconds
 */
void
wa_account_status_save_state (WaKeyStore    *store,
                              WaClientState  state,
                              gint64         since,
                              const char    *ban_code,
                              gint64         ban_until)
{
  const char *name = wa_account_status_state_name (state);
  g_autofree char *code = field (ban_code);
  g_autofree char *text = NULL;

  g_return_if_fail (WA_IS_KEY_STORE (store));

  if (name == NULL)
    return;
  text = g_strdup_printf ("%s\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\t%s", name, since,
                          state == WA_CLIENT_STATE_TEMPORARILY_BANNED ? ban_until : 0,
                          state == WA_CLIENT_STATE_TEMPORARILY_BANNED ? code : "");
  save_text (store, "state", text);
}

/**
 * wa_account_status_save_timelock:
 * @store: the device's key store
 * @until: when the reach-out time-lock ends, Unix seconds; 0 for none
 * @kind: (nullable): WhatsApp's name for it
 */
void
wa_account_status_save_timelock (WaKeyStore *store,
                                 gint64      until,
                                 const char *kind)
{
  g_autofree char *name = field (kind);
  g_autofree char *text = NULL;

  g_return_if_fail (WA_IS_KEY_STORE (store));

  if (until <= 0)
    {
      wa_key_store_remove (store, KIND, "timelock");
      return;
    }
  text = g_strdup_printf ("%" G_GINT64_FORMAT "\t%s", until, name);
  save_text (store, "timelock", text);
}

/**
 * wa_account_status_free:
 */
void
wa_account_status_free (WaAccountStatus *self)
{
  if (self == NULL)
    return;
  g_free (self->ban_code);
  g_free (self->timelock_kind);
  g_free (self);
}
