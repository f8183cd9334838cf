/* wa-prekeys.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-prekeys"

#include "config.h"

#include "wa-error.h"
#include "wa-prekeys.h"

/*
 * One-time prekeys (protocol notes §6.3): others start Signal sessions
 * with us from them, so the server must never run out. Each is made here,
 * its private half kept in the key store under "prekey"/<id> before the
 * public half leaves, so a message to it can always be decrypted later.
 * Ids are sequential from 1 and 24-bit, as both clients make them.
 */

#define KIND "prekey"
#define NEXT_ID_KEY "next-prekey-id"
#define MAX_ID 0xffffff

static const guint8 djb_key_type = 0x05;

static WaNode *
bytes_child (const char   *tag,
             const guint8 *data,
             gsize         len)
{
  WaNode *node = wa_node_new (tag);

  wa_node_set_content_data (node, data, len);
  return node;
}

static WaNode *
id_child (guint32 id)
{
  const guint8 be24[3] = { id >> 16, id >> 8, id };

  return bytes_child ("id", be24, sizeof be24);
}

/**
 * wa_prekeys_count_request:
 *
 * Returns: (transfer full): the iq asking how many prekeys the server has
 */
WaNode *
wa_prekeys_count_request (void)
{
  WaNode *iq = wa_node_new_with_attrs ("iq", "to", "@s.whatsapp.net", "type", "get", "xmlns", "encrypt", NULL);

  wa_node_add_child (iq, wa_node_new ("count"));
  return iq;
}

/**
 * wa_prekeys_read_count:
 * @answer: the server's result iq
 * @count: (out): how many prekeys it holds for us
 */
gboolean
wa_prekeys_read_count (WaNode  *answer,
                       guint   *count,
                       GError **error)
{
  WaNode *node = wa_node_get_child_by_tag (answer, "count");
  guint64 value;

  if (node == NULL || wa_node_get_attr (node, "value") == NULL ||
      !g_ascii_string_to_unsigned (wa_node_get_attr (node, "value"), 10, 0, G_MAXUINT, &value, NULL))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "The prekey count answer has no count");
      return FALSE;
    }
  *count = value;
  return TRUE;
}

static guint32
next_id (WaKeyStore *store)
{
  g_autoptr(GBytes) stored = wa_key_store_load (store, "device", NEXT_ID_KEY);
  const guint8 *data;

  if (stored == NULL || g_bytes_get_size (stored) != 4)
    return 1;
  data = g_bytes_get_data (stored, NULL);
  return (guint32)data[0] << 24 | (guint32)data[1] << 16 | (guint32)data[2] << 8 | data[3];
}

/**
 * wa_prekeys_upload_request:
 * @credentials: the device's keys
 * @store: where the new prekeys' private halves are kept
 * @count: how many to make
 *
 * Makes @count prekeys, stores them, and builds the upload iq with them,
 * the identity and the signed prekey.
 *
 * Returns: (transfer full): the upload iq
 */
WaNode *
wa_prekeys_upload_request (const WaCredentials *credentials,
                           WaKeyStore          *store,
                           guint                count)
{
  const guint8 registration[4] = { credentials->registration_id >> 24, credentials->registration_id >> 16,
                                   credentials->registration_id >> 8, credentials->registration_id };
  WaNode *iq = wa_node_new_with_attrs ("iq", "to", "@s.whatsapp.net", "type", "set", "xmlns", "encrypt", NULL);
  WaNode *list, *skey;
  guint32 id = next_id (store);
  guint8 following[4];
  g_autoptr(GBytes) following_bytes = NULL;

  wa_node_add_child (iq, bytes_child ("registration", registration, sizeof registration));
  wa_node_add_child (iq, bytes_child ("type", &djb_key_type, 1));
  wa_node_add_child (iq, bytes_child ("identity", credentials->identity_key.pub, WA_KEY_LEN));
  list = wa_node_add_child (iq, wa_node_new ("list"));

  for (guint i = 0; i < count; i++, id = id >= MAX_ID ? 1 : id + 1)
    {
      g_autofree char *key = g_strdup_printf ("%u", id);
      g_autoptr(GBytes) secret = NULL;
      WaNode *node;
      WaKeyPair pair;

      wa_key_pair_generate (&pair);
      secret = g_bytes_new (pair.priv, WA_KEY_LEN);
      wa_key_store_save (store, KIND, key, secret);
      node = wa_node_add_child (list, wa_node_new ("key"));
      wa_node_add_child (node, id_child (id));
      wa_node_add_child (node, bytes_child ("value", pair.pub, WA_KEY_LEN));
      wa_key_pair_clear (&pair);
    }

  following[0] = id >> 24;
  following[1] = id >> 16;
  following[2] = id >> 8;
  following[3] = id;
  following_bytes = g_bytes_new (following, sizeof following);
  wa_key_store_save (store, "device", NEXT_ID_KEY, following_bytes);

  skey = wa_node_add_child (iq, wa_node_new ("skey"));
  wa_node_add_child (skey, id_child (WA_SIGNED_PRE_KEY_ID));
  wa_node_add_child (skey, bytes_child ("value", credentials->signed_pre_key.pub, WA_KEY_LEN));
  wa_node_add_child (skey, bytes_child ("signature", credentials->signed_pre_key_signature, WA_SIGNATURE_LEN));

  return iq;
}
