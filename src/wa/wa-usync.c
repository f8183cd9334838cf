/* wa-usync.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-usync"

#include "config.h"

#include <string.h>

#include "wa-error.h"
#include "wa-jid.h"
#include "wa-lid-map.h"
#include "wa-usync.h"

/*
 * usync, the server's directory (protocol notes §7.2 and §9): which
 * numbers are on WhatsApp, and which devices an account has, to encrypt
 * a message for each of them.
 */

void
wa_contact_check_free (WaContactCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->phone);
  g_free (check->jid);
  g_free (check->lid);
  g_free (check);
}

/* Each query gets an id of its own; the server echoes it. */
static char *
new_sid (void)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ".%08x", g_get_real_time () / G_USEC_PER_SEC, g_random_int ());
}

static WaNode *
new_request (const char  *context,
             WaNode     **query,
             WaNode     **list)
{
  g_autofree char *sid = new_sid ();
  WaNode *iq = wa_node_new_with_attrs ("iq", "to", "@s.whatsapp.net", "type", "get", "xmlns", "usync", NULL);
  WaNode *usync = wa_node_add_child (iq, wa_node_new_with_attrs ("usync", "sid", sid, "mode", "query",
                                                                 "last", "true", "index", "0",
                                                                 "context", context, NULL));

  *query = wa_node_add_child (usync, wa_node_new ("query"));
  *list = wa_node_add_child (usync, wa_node_new ("list"));
  return iq;
}

/**
 * wa_usync_contacts_request:
 * @phones: numbers in international form, digits only; at most
 *   %WA_USYNC_MAX_CONTACTS
 *
 * Asks which of @phones are on WhatsApp, and their LIDs (§9).
 *
 * Returns: (transfer full): the iq to send
 */
WaNode *
wa_usync_contacts_request (const char * const *phones)
{
  WaNode *query, *list;
  WaNode *iq;

  g_return_val_if_fail (phones != NULL, NULL);
  g_return_val_if_fail (g_strv_length ((char **) phones) <= WA_USYNC_MAX_CONTACTS, NULL);

  iq = new_request ("interactive", &query, &list);
  wa_node_add_children (query, wa_node_new ("contact"), wa_node_new ("lid"), NULL);
  for (guint i = 0; phones[i] != NULL; i++)
    {
      g_autofree char *number = g_strconcat ("+", phones[i], NULL);
      WaNode *user = wa_node_add_child (list, wa_node_new ("user"));
      WaNode *contact = wa_node_add_child (user, wa_node_new ("contact"));

      wa_node_set_content_data (contact, (const guint8 *) number, strlen (number));
    }
  return iq;
}

static WaNode *
answer_list (WaNode  *answer,
             GError **error)
{
  WaNode *usync = wa_node_get_child_by_tag (answer, "usync");
  WaNode *list = usync != NULL ? wa_node_get_child_by_tag (usync, "list") : NULL;

  if (list == NULL)
    g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "The directory's answer has no list");
  return list;
}

static char *
content_text (WaNode *node)
{
  GBytes *content = wa_node_get_content_bytes (node);

  return content != NULL ? g_strndup (g_bytes_get_data (content, NULL), g_bytes_get_size (content)) : NULL;
}

/* "+62812…" or "+62812…@c.us" as the server echoes it: the digits. */
static char *
echoed_phone (WaNode *contact)
{
  g_autofree char *text = content_text (contact);
  const char *digits;
  char *at;

  if (text == NULL)
    return NULL;
  if ((at = strchr (text, '@')) != NULL)
    *at = '\0';
  digits = text[0] == '+' ? text + 1 : text;
  return *digits != '\0' && strspn (digits, "0123456789") == strlen (digits) ? g_strdup (digits) : NULL;
}

/* @text, written as wa_jid_to_string () does, if it is an address that
 * @is_kind accepts with a user of digits: the server's attributes were
 * handed on unchecked, any bytes at all (found by fuzz-wa-replies). */
static char *
address_of_kind (const char *text,
                 gboolean  (*is_kind) (const WaJid *jid))
{
  g_autoptr(WaJid) jid = text != NULL ? wa_jid_parse (text, NULL) : NULL;

  if (jid == NULL || !is_kind (jid) || !wa_lid_map_is_user (wa_jid_get_user (jid)))
    return NULL;
  return wa_jid_to_string (jid);
}

/**
 * wa_usync_parse_contacts:
 * @answer: the server's answer to wa_usync_contacts_request()
 *
 * Returns: (transfer full) (element-type WaContactCheck): one check per
 *   number the server answered about; numbers it left out (malformed
 *   ones) are absent, and so is an address or LID that is not one
 */
GPtrArray *
wa_usync_parse_contacts (WaNode  *answer,
                         GError **error)
{
  WaNode *list = answer_list (answer, error);
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GPtrArray) checks = NULL;

  if (list == NULL)
    return NULL;
  users = wa_node_get_children_by_tag (list, "user");
  checks = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_contact_check_free);
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      WaNode *user = g_ptr_array_index (users, i);
      WaNode *contact = wa_node_get_child_by_tag (user, "contact");
      WaNode *lid = wa_node_get_child_by_tag (user, "lid");
      g_autoptr(WaContactCheck) check = g_new0 (WaContactCheck, 1);

      if (contact == NULL || (check->phone = echoed_phone (contact)) == NULL)
        continue;
      check->on_whatsapp = g_strcmp0 (wa_node_get_attr (contact, "type"), "in") == 0;
      if (check->on_whatsapp)
        {
          check->jid = address_of_kind (wa_node_get_attr (user, "jid"), wa_jid_is_pn);
          check->lid = lid != NULL ? address_of_kind (wa_node_get_attr (lid, "val"), wa_jid_is_lid) : NULL;
        }
      g_ptr_array_add (checks, g_steal_pointer (&check));
    }
  return g_steal_pointer (&checks);
}

/**
 * wa_usync_devices_request:
 * @user_jids: accounts' JIDs, without devices
 *
 * Asks for the devices of @user_jids, to encrypt for each (§7.2), and
 * their LIDs (wa_usync_parse_lids()).
 *
 * Returns: (transfer full): the iq to send
 */
WaNode *
wa_usync_devices_request (const char * const *user_jids)
{
  WaNode *query, *list;
  WaNode *iq;

  g_return_val_if_fail (user_jids != NULL, NULL);

  iq = new_request ("message", &query, &list);
  wa_node_add_children (query, wa_node_new_with_attrs ("devices", "version", "2", NULL), wa_node_new ("lid"), NULL);
  for (guint i = 0; user_jids[i] != NULL; i++)
    wa_node_add_child (list, wa_node_new_with_attrs ("user", "jid", user_jids[i], NULL));
  return iq;
}

/**
 * wa_usync_parse_devices:
 * @answer: the server's answer to wa_usync_devices_request()
 *
 * Every device but the phone must name its key index: one that does not
 * is left out, as Baileys does, since the server refuses a message
 * addressed to it. So is one whose number does not fit the account's
 * addresses. A device named twice counts once, and an account keeps its
 * first %WA_USYNC_MAX_DEVICES devices.
 *
 * Returns: (transfer full) (element-type utf8): the device JIDs, the phone
 *   (device 0) as the bare user JID
 */
GPtrArray *
wa_usync_parse_devices (WaNode  *answer,
                        GError **error)
{
  WaNode *list = answer_list (answer, error);
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GPtrArray) devices = NULL;

  if (list == NULL)
    return NULL;
  users = wa_node_get_children_by_tag (list, "user");
  devices = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      WaNode *user = g_ptr_array_index (users, i);
      WaNode *holder = wa_node_get_child_by_tag (user, "devices");
      WaNode *device_list = holder != NULL ? wa_node_get_child_by_tag (holder, "device-list") : NULL;
      g_autoptr(GPtrArray) listed = device_list != NULL ? wa_node_get_children_by_tag (device_list, "device") : NULL;
      g_autoptr(WaJid) jid = wa_node_get_attr_jid (user, "jid");
      guint64 kept[WA_USYNC_MAX_DEVICES];
      guint n_kept = 0;

      /* Only a person's account has devices to encrypt for, and its
       * devices' addresses are written from it. */
      if (jid != NULL && (!wa_jid_is_user (jid) || !wa_lid_map_is_user (wa_jid_get_user (jid))))
        continue;
      for (guint j = 0; jid != NULL && listed != NULL && j < listed->len; j++)
        {
          WaNode *device = g_ptr_array_index (listed, j);
          const char *id_text = wa_node_get_attr (device, "id");
          g_autoptr(WaJid) device_jid = NULL;
          gboolean seen = FALSE;
          guint64 id;

          if (id_text == NULL || !g_ascii_string_to_unsigned (id_text, 10, 0, G_MAXUINT16, &id, NULL) ||
              (id != 0 && wa_node_get_attr (device, "key-index") == NULL))
            continue;
          for (guint k = 0; k < n_kept && !seen; k++)
            seen = kept[k] == id;
          if (seen)
            continue;
          if (n_kept == WA_USYNC_MAX_DEVICES)
            {
              g_debug ("An account was listed with more than %u devices", WA_USYNC_MAX_DEVICES);
              break;
            }
          /* A device number the server's addresses have no room for. */
          device_jid = wa_jid_new_full (wa_jid_get_user (jid), wa_jid_get_server (jid), 0, id, 0, NULL);
          if (device_jid == NULL)
            continue;
          kept[n_kept++] = id;
          g_ptr_array_add (devices, wa_jid_to_string (device_jid));
        }
    }
  return g_steal_pointer (&devices);
}

/**
 * wa_usync_parse_lids:
 * @answer: the server's answer to a usync query that asked for LIDs
 *
 * Returns: (transfer full) (element-type utf8 utf8): the LID user of each
 *   phone-number user the server named one for, keyed by the LID user
 */
GHashTable *
wa_usync_parse_lids (WaNode *answer)
{
  WaNode *list = answer_list (answer, NULL);
  g_autoptr(GPtrArray) users = list != NULL ? wa_node_get_children_by_tag (list, "user") : NULL;
  GHashTable *lids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      WaNode *user = g_ptr_array_index (users, i);
      WaNode *lid = wa_node_get_child_by_tag (user, "lid");
      g_autoptr(WaJid) pn = wa_node_get_attr_jid (user, "jid");
      g_autoptr(WaJid) lid_jid = lid != NULL ? wa_node_get_attr_jid (lid, "val") : NULL;

      if (pn != NULL && wa_jid_is_pn (pn) && lid_jid != NULL && wa_jid_is_lid (lid_jid))
        g_hash_table_insert (lids, g_strdup (wa_jid_get_user (lid_jid)), g_strdup (wa_jid_get_user (pn)));
    }
  return lids;
}
