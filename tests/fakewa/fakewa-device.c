/* fakewa-device.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fakewa"

#include "config.h"

#include <string.h>

#include "fakewa-device.h"
#include "wa-error.h"

typedef struct
{
  GBytes *id;     /* 3 bytes, big-endian, as uploaded */
  GBytes *value;  /* the public key */
} Prekey;

struct _FakewaDevice
{
  char      *jid;
  GBytes    *identity;      /* from pairing; the account key for a phone */
  gboolean   primary;

  /* From the prekey upload (§6.3), NULL until then */
  GBytes    *registration;
  GBytes    *key_type;
  GBytes    *key_identity;
  WaNode    *signed_prekey; /* the <skey> as uploaded */
  GQueue     prekeys;       /* Prekey*, oldest first */

  GPtrArray *held;          /* WaNode*: stanzas for when it is back */
  GPtrArray *unconfirmed;   /* WaNode*: messages it got and neither receipted nor acked */
};

static void
prekey_free (Prekey *prekey)
{
  g_bytes_unref (prekey->id);
  g_bytes_unref (prekey->value);
  g_free (prekey);
}

FakewaDevice *
fakewa_device_new (const char *jid,
                   GBytes     *identity)
{
  FakewaDevice *self = g_new0 (FakewaDevice, 1);

  self->jid = g_strdup (jid);
  self->identity = g_bytes_ref (identity);
  g_queue_init (&self->prekeys);
  self->held = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_node_unref);
  self->unconfirmed = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_node_unref);
  return self;
}

static GBytes *
big_endian (guint32 value,
            gsize   length)
{
  guint8 bytes[4] = { value >> 24, value >> 16, value >> 8, value };

  return g_bytes_new (bytes + 4 - length, length);
}

static WaNode *
bytes_node (const char *tag,
            GBytes     *content)
{
  WaNode *node = wa_node_new (tag);

  wa_node_set_content_bytes (node, content);
  return node;
}

/**
 * fakewa_device_new_primary:
 * @jid: the account's user JID
 * @keys: the phone's keys; its identity is the account's, which also
 *   signs its companions
 *
 * An account's phone, so that senders can build sessions with device 0
 * as both reference clients do (§7.4): its registration id and signed
 * prekey, no one-time prekeys (a bundle may lack one).
 */
FakewaDevice *
fakewa_device_new_primary (const char          *jid,
                           const WaCredentials *keys)
{
  g_autoptr(GBytes) public_identity = g_bytes_new (keys->identity_key.pub, WA_KEY_LEN);
  g_autoptr(GBytes) signed_value = g_bytes_new (keys->signed_pre_key.pub, WA_KEY_LEN);
  g_autoptr(GBytes) signed_signature = g_bytes_new (keys->signed_pre_key_signature, WA_SIGNATURE_LEN);
  g_autoptr(GBytes) signed_id = big_endian (WA_SIGNED_PRE_KEY_ID, 3);
  FakewaDevice *self = fakewa_device_new (jid, public_identity);

  self->primary = TRUE;
  self->registration = big_endian (keys->registration_id, 4);
  self->key_type = g_bytes_new ("\x05", 1);
  self->key_identity = g_bytes_ref (public_identity);
  self->signed_prekey = wa_node_new ("skey");
  wa_node_add_children (self->signed_prekey, bytes_node ("id", signed_id), bytes_node ("value", signed_value),
                        bytes_node ("signature", signed_signature), NULL);
  return self;
}

gboolean
fakewa_device_is_primary (FakewaDevice *self)
{
  return self->primary;
}

void
fakewa_device_free (FakewaDevice *self)
{
  if (self == NULL)
    return;
  g_free (self->jid);
  g_bytes_unref (self->identity);
  g_clear_pointer (&self->registration, g_bytes_unref);
  g_clear_pointer (&self->key_type, g_bytes_unref);
  g_clear_pointer (&self->key_identity, g_bytes_unref);
  g_clear_pointer (&self->signed_prekey, wa_node_unref);
  g_queue_clear_full (&self->prekeys, (GDestroyNotify) prekey_free);
  g_ptr_array_unref (self->held);
  g_ptr_array_unref (self->unconfirmed);
  g_free (self);
}

const char *
fakewa_device_get_jid (FakewaDevice *self)
{
  return self->jid;
}

guint
fakewa_device_get_prekey_count (FakewaDevice *self)
{
  return self->prekeys.length;
}

/* Others took all but @n of the one-time prekeys. */
void
fakewa_device_keep_prekeys (FakewaDevice *self,
                            guint         n)
{
  while (self->prekeys.length > n)
    prekey_free (g_queue_pop_head (&self->prekeys));
}

static GBytes *
child_content (WaNode     *node,
               const char *tag,
               gsize       length)
{
  WaNode *child = wa_node_get_child_by_tag (node, tag);
  GBytes *content = child != NULL ? wa_node_get_content_bytes (child) : NULL;

  if (content == NULL || (length > 0 && g_bytes_get_size (content) != length))
    return NULL;
  return g_bytes_ref (content);
}

/**
 * fakewa_device_store_keys:
 * @upload: the device's `<iq xmlns="encrypt" type="set">`
 *
 * Keeps what the upload holds: the registration id, identity and signed
 * prekey replace the earlier ones; the one-time prekeys join the pool.
 */
gboolean
fakewa_device_store_keys (FakewaDevice  *self,
                          WaNode        *upload,
                          GError       **error)
{
  g_autoptr(GBytes) registration = child_content (upload, "registration", 4);
  g_autoptr(GBytes) key_type = child_content (upload, "type", 1);
  g_autoptr(GBytes) key_identity = child_content (upload, "identity", 32);
  WaNode *skey = wa_node_get_child_by_tag (upload, "skey");
  WaNode *list = wa_node_get_child_by_tag (upload, "list");
  g_autoptr(GPtrArray) keys = list != NULL ? wa_node_get_children_by_tag (list, "key") : NULL;
  g_autoptr(GBytes) skey_id = skey != NULL ? child_content (skey, "id", 3) : NULL;
  g_autoptr(GBytes) skey_value = skey != NULL ? child_content (skey, "value", 32) : NULL;
  g_autoptr(GBytes) skey_signature = skey != NULL ? child_content (skey, "signature", 64) : NULL;

  if (registration == NULL || key_type == NULL || key_identity == NULL ||
      skey_id == NULL || skey_value == NULL || skey_signature == NULL)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "a prekey upload lacks its registration, identity or signed prekey");
      return FALSE;
    }

  g_clear_pointer (&self->registration, g_bytes_unref);
  self->registration = g_steal_pointer (&registration);
  g_clear_pointer (&self->key_type, g_bytes_unref);
  self->key_type = g_steal_pointer (&key_type);
  g_clear_pointer (&self->key_identity, g_bytes_unref);
  self->key_identity = g_steal_pointer (&key_identity);
  g_clear_pointer (&self->signed_prekey, wa_node_unref);
  self->signed_prekey = wa_node_ref (skey);

  for (guint i = 0; keys != NULL && i < keys->len; i++)
    {
      WaNode *key = g_ptr_array_index (keys, i);
      GBytes *id = child_content (key, "id", 3);
      GBytes *value = child_content (key, "value", 32);
      Prekey *prekey;

      if (id == NULL || value == NULL)
        {
          g_clear_pointer (&id, g_bytes_unref);
          g_clear_pointer (&value, g_bytes_unref);
          g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "a prekey in the upload is malformed");
          return FALSE;
        }
      prekey = g_new (Prekey, 1);
      prekey->id = id;
      prekey->value = value;
      g_queue_push_tail (&self->prekeys, prekey);
    }
  return TRUE;
}

/**
 * fakewa_device_rotate_signed:
 * @rotate: the `<rotate>` of the device's `<iq xmlns="encrypt">`
 *
 * Takes a new signed prekey (WA-FIDELITY §5): bundles handed out from
 * now on carry it; one-time prekeys stay.
 */
gboolean
fakewa_device_rotate_signed (FakewaDevice  *self,
                             WaNode        *rotate,
                             GError       **error)
{
  WaNode *skey = wa_node_get_child_by_tag (rotate, "skey");
  g_autoptr(GBytes) id = skey != NULL ? child_content (skey, "id", 3) : NULL;
  g_autoptr(GBytes) value = skey != NULL ? child_content (skey, "value", 32) : NULL;
  g_autoptr(GBytes) signature = skey != NULL ? child_content (skey, "signature", 64) : NULL;

  if (self->registration == NULL || id == NULL || value == NULL || signature == NULL)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "a rotation without keys uploaded, or without a signed prekey");
      return FALSE;
    }
  g_clear_pointer (&self->signed_prekey, wa_node_unref);
  self->signed_prekey = wa_node_ref (skey);
  return TRUE;
}

/* Returns: the id of the signed prekey bundles carry; 0 before an upload */
guint32
fakewa_device_get_signed_id (FakewaDevice *self)
{
  g_autoptr(GBytes) id = self->signed_prekey != NULL ? child_content (self->signed_prekey, "id", 3) : NULL;
  const guint8 *data;

  if (id == NULL)
    return 0;
  data = g_bytes_get_data (id, NULL);
  return (guint32)data[0] << 16 | (guint32)data[1] << 8 | data[2];
}

/* As if the server lost what the device uploaded. */
void
fakewa_device_forget_keys (FakewaDevice *self)
{
  g_clear_pointer (&self->registration, g_bytes_unref);
  g_clear_pointer (&self->key_type, g_bytes_unref);
  g_clear_pointer (&self->key_identity, g_bytes_unref);
  g_clear_pointer (&self->signed_prekey, wa_node_unref);
  g_queue_clear_full (&self->prekeys, (GDestroyNotify) prekey_free);
}

/**
 * fakewa_device_digest:
 *
 * What the server holds for the device, as its answer to the digest
 * query (WA-FIDELITY §5): the keys, the ids of the one-time prekeys left
 * and the SHA-1 over the public keys.
 *
 * Returns: (transfer full) (nullable): the `<digest>`, or %NULL when the
 *   device has uploaded nothing (the server's 404)
 */
WaNode *
fakewa_device_digest (FakewaDevice *self)
{
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  g_autoptr(GBytes) skey_value = NULL;
  g_autoptr(GBytes) skey_signature = NULL;
  g_autoptr(GBytes) hash_bytes = NULL;
  WaNode *digest, *list;
  guint8 hash[20];
  gsize hash_len = sizeof hash;

  if (self->registration == NULL)
    return NULL;
  skey_value = child_content (self->signed_prekey, "value", 32);
  skey_signature = child_content (self->signed_prekey, "signature", 64);
  g_checksum_update (sha1, g_bytes_get_data (self->key_identity, NULL), g_bytes_get_size (self->key_identity));
  g_checksum_update (sha1, g_bytes_get_data (skey_value, NULL), g_bytes_get_size (skey_value));
  g_checksum_update (sha1, g_bytes_get_data (skey_signature, NULL), g_bytes_get_size (skey_signature));

  digest = wa_node_new ("digest");
  wa_node_add_children (digest, bytes_node ("registration", self->registration), bytes_node ("type", self->key_type),
                        bytes_node ("identity", self->key_identity), wa_node_ref (self->signed_prekey), NULL);
  list = wa_node_add_child (digest, wa_node_new ("list"));
  for (GList *l = self->prekeys.head; l != NULL; l = l->next)
    {
      Prekey *prekey = l->data;

      wa_node_add_child (list, bytes_node ("id", prekey->id));
      g_checksum_update (sha1, g_bytes_get_data (prekey->value, NULL), g_bytes_get_size (prekey->value));
    }
  g_checksum_get_digest (sha1, hash, &hash_len);
  hash_bytes = g_bytes_new (hash, hash_len);
  wa_node_add_child (digest, bytes_node ("hash", hash_bytes));
  return digest;
}

/**
 * fakewa_device_take_bundle:
 *
 * The device's prekey bundle as the `<user>` of a key fetch (§7.3), with
 * one one-time prekey, which leaves the pool, when any is left.
 *
 * Returns: (transfer full): the `<user>` node, with an `<error>` child when
 *   the device never uploaded its keys
 */
WaNode *
fakewa_device_take_bundle (FakewaDevice *self)
{
  WaNode *user = wa_node_new_with_attrs ("user", "jid", self->jid, NULL);
  Prekey *prekey;

  if (self->registration == NULL)
    {
      wa_node_add_child (user, wa_node_new_with_attrs ("error", "code", "404", "text", "item-not-found", NULL));
      return user;
    }

  wa_node_add_children (user, bytes_node ("registration", self->registration),
                        bytes_node ("type", self->key_type), bytes_node ("identity", self->key_identity),
                        wa_node_ref (self->signed_prekey), NULL);
  if ((prekey = g_queue_pop_head (&self->prekeys)) != NULL)
    {
      WaNode *key = wa_node_add_child (user, wa_node_new ("key"));

      wa_node_add_children (key, bytes_node ("id", prekey->id), bytes_node ("value", prekey->value), NULL);
      prekey_free (prekey);
    }
  return user;
}

/* A stanza for when the device is back online. */
void
fakewa_device_hold (FakewaDevice *self,
                    WaNode       *stanza)
{
  g_ptr_array_add (self->held, wa_node_ref (stanza));
}

/**
 * fakewa_device_steal_held:
 *
 * Returns: (transfer full): the stanzas held for the device, oldest first;
 *   the device holds none afterwards
 */
GPtrArray *
fakewa_device_steal_held (FakewaDevice *self)
{
  GPtrArray *held = g_steal_pointer (&self->held);

  self->held = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_node_unref);
  return held;
}

/* A message the device got: WhatsApp keeps it, and delivers it again on
 * the next connection, until the device receipts or acks it. */
void
fakewa_device_await_receipt (FakewaDevice *self,
                             WaNode       *message)
{
  g_ptr_array_add (self->unconfirmed, wa_node_ref (message));
}

void
fakewa_device_confirmed (FakewaDevice *self,
                         const char   *id)
{
  for (guint i = self->unconfirmed->len; i > 0; i--)
    if (g_strcmp0 (wa_node_get_attr (g_ptr_array_index (self->unconfirmed, i - 1), "id"), id) == 0)
      g_ptr_array_remove_index (self->unconfirmed, i - 1);
}

/* Whether the message @id was delivered and neither receipted nor acked. */
gboolean
fakewa_device_awaits_receipt (FakewaDevice *self,
                              const char   *id)
{
  for (guint i = 0; i < self->unconfirmed->len; i++)
    if (g_strcmp0 (wa_node_get_attr (g_ptr_array_index (self->unconfirmed, i), "id"), id) == 0)
      return TRUE;
  return FALSE;
}

/**
 * fakewa_device_steal_unconfirmed:
 *
 * Returns: (transfer full): the messages the device got but did not
 *   confirm, oldest first; it awaits none afterwards
 */
GPtrArray *
fakewa_device_steal_unconfirmed (FakewaDevice *self)
{
  GPtrArray *unconfirmed = g_steal_pointer (&self->unconfirmed);

  self->unconfirmed = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_node_unref);
  return unconfirmed;
}
