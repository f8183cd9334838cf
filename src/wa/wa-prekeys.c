/* wa-prekeys.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-prekeys"

#include "config.h"

#include <string.h>

#include "wa-error.h"
#include "wa-prekeys.h"

/*
 * One-time prekeys (protocol notes §6.3): others start Signal sessions
 * with us from them, so the server must never run out. Each is made here,
 * its private half kept in the key store under "prekey"/<id> before the
 * public half leaves, so a message to it can always be decrypted later.
 * Ids are sequential from 1 and 24-bit, as both clients make them.
 *
 * The signed prekey is replaced every 27 days as WhatsApp Web does
 * (WA-FIDELITY §5). Every signed prekey ever announced is kept under
 * "signed-prekey"/<id> from before it leaves until it is among the
 * oldest, because a peer may start a session from a bundle it fetched
 * before the rotation. Its ids count up and are never reused, even after
 * a rotation the server may or may not have taken.
 */

#define KIND "prekey"
#define NEXT_ID_KEY "next-prekey-id"
#define SIGNED_KIND "signed-prekey"
#define NEXT_SIGNED_ID_KEY "next-signed-prekey-id"
#define ROTATE_RETRY_KEY "signed-prekey-retry"
#define VERIFIED_DIGEST_KEY "prekey-digest-verified"
#define MAX_ID 0xffffff
/* private key || signature || BE64 time made */
#define SIGNED_RECORD_LEN (WA_KEY_LEN + WA_SIGNATURE_LEN + 8)

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

static guint64
read_be (const guint8 *data,
         gsize         len)
{
  guint64 value = 0;

  for (gsize i = 0; i < len; i++)
    value = value << 8 | data[i];
  return value;
}

static void
write_be (guint8  *data,
          gsize    len,
          guint64  value)
{
  for (gsize i = 0; i < len; i++)
    data[i] = value >> (8 * (len - 1 - i));
}

/* A number kept under "device"/@key in @len big-endian bytes, or
 * @fallback when there is none. */
static guint64
load_number (WaKeyStore *store,
             const char *key,
             gsize       len,
             guint64     fallback)
{
  g_autoptr(GBytes) stored = wa_key_store_load (store, "device", key);

  if (stored == NULL || g_bytes_get_size (stored) != len)
    return fallback;
  return read_be (g_bytes_get_data (stored, NULL), len);
}

static void
save_number (WaKeyStore *store,
             const char *key,
             gsize       len,
             guint64     value)
{
  guint8 data[8];
  g_autoptr(GBytes) bytes = NULL;

  write_be (data, len, value);
  bytes = g_bytes_new (data, len);
  wa_key_store_save (store, "device", key, bytes);
}

static guint32
next_id (WaKeyStore *store)
{
  return load_number (store, NEXT_ID_KEY, 4, 1);
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

  save_number (store, NEXT_ID_KEY, 4, id);

  skey = wa_node_add_child (iq, wa_node_new ("skey"));
  wa_node_add_child (skey, id_child (credentials->signed_pre_key_id));
  wa_node_add_child (skey, bytes_child ("value", credentials->signed_pre_key.pub, WA_KEY_LEN));
  wa_node_add_child (skey, bytes_child ("signature", credentials->signed_pre_key_signature, WA_SIGNATURE_LEN));

  return iq;
}

static void
save_signed (WaKeyStore      *store,
             guint32          id,
             const WaKeyPair *pair,
             const guint8    *signature,
             gint64           made)
{
  g_autofree char *key = g_strdup_printf ("%u", id);
  guint8 record[SIGNED_RECORD_LEN];
  g_autoptr(GBytes) value = NULL;

  memcpy (record, pair->priv, WA_KEY_LEN);
  memcpy (record + WA_KEY_LEN, signature, WA_SIGNATURE_LEN);
  write_be (record + WA_KEY_LEN + WA_SIGNATURE_LEN, 8, made);
  value = g_bytes_new (record, sizeof record);
  wa_crypto_wipe (record, sizeof record);
  wa_key_store_save (store, SIGNED_KIND, key, value);
}

/* The kept signed prekey @id: its pair, signature and when it was made. */
static gboolean
load_kept_signed (WaKeyStore *store,
                  guint32     id,
                  WaKeyPair  *pair,
                  guint8     *signature,
                  gint64     *made)
{
  g_autofree char *key = g_strdup_printf ("%u", id);
  g_autoptr(GBytes) value = wa_key_store_load (store, SIGNED_KIND, key);
  const guint8 *record;

  if (value == NULL || g_bytes_get_size (value) != SIGNED_RECORD_LEN)
    return FALSE;
  record = g_bytes_get_data (value, NULL);
  if (pair != NULL)
    wa_key_pair_from_private (pair, record);
  if (signature != NULL)
    memcpy (signature, record + WA_KEY_LEN, WA_SIGNATURE_LEN);
  if (made != NULL)
    *made = read_be (record + WA_KEY_LEN + WA_SIGNATURE_LEN, 8);
  return TRUE;
}

/**
 * wa_prekeys_load_signed:
 * @credentials: the device's keys
 * @store: where earlier signed prekeys are kept
 * @id: the signed prekey a peer's session starts from
 * @pair: (out) (optional): its key pair
 * @signature: (out caller-allocates) (optional): its %WA_SIGNATURE_LEN
 *   byte signature
 *
 * Returns: whether the device has that signed prekey: the current one, or
 *   one kept since it was replaced
 */
gboolean
wa_prekeys_load_signed (const WaCredentials *credentials,
                        WaKeyStore          *store,
                        guint32              id,
                        WaKeyPair           *pair,
                        guint8              *signature)
{
  g_return_val_if_fail (credentials != NULL, FALSE);
  g_return_val_if_fail (WA_IS_KEY_STORE (store), FALSE);

  if (id != credentials->signed_pre_key_id)
    return load_kept_signed (store, id, pair, signature, NULL);
  if (pair != NULL)
    *pair = credentials->signed_pre_key;
  if (signature != NULL)
    memcpy (signature, credentials->signed_pre_key_signature, WA_SIGNATURE_LEN);
  return TRUE;
}

/**
 * wa_prekeys_rotation_due:
 * @now: Unix seconds
 *
 * Returns: whether the signed prekey is old enough to be replaced, and no
 *   refused rotation asks to wait
 */
gboolean
wa_prekeys_rotation_due (const WaCredentials *credentials,
                         WaKeyStore          *store,
                         gint64               now)
{
  g_return_val_if_fail (credentials != NULL, FALSE);
  g_return_val_if_fail (WA_IS_KEY_STORE (store), FALSE);

  return now >= credentials->signed_pre_key_time + WA_PREKEYS_ROTATE_INTERVAL_S &&
         now >= (gint64)load_number (store, ROTATE_RETRY_KEY, 8, 0);
}

/**
 * wa_prekeys_rotate_request:
 * @credentials: the device's keys
 * @store: where the new signed prekey is kept
 * @now: Unix seconds
 *
 * Makes the next signed prekey and keeps it before its public half
 * leaves, so a session the server starts from it can be read even if
 * the answer never arrives; the credentials change only when the server
 * took it (wa_prekeys_rotated()).
 *
 * Returns: (transfer full): the rotate iq
 */
WaNode *
wa_prekeys_rotate_request (const WaCredentials *credentials,
                           WaKeyStore          *store,
                           gint64               now)
{
  guint8 signature[WA_SIGNATURE_LEN];
  guint32 after, id;
  WaNode *iq, *skey;
  WaKeyPair pair;

  g_return_val_if_fail (credentials != NULL, NULL);
  g_return_val_if_fail (WA_IS_KEY_STORE (store), NULL);

  iq = wa_node_new_with_attrs ("iq", "to", "@s.whatsapp.net", "type", "set", "xmlns", "encrypt", NULL);
  after = credentials->signed_pre_key_id >= MAX_ID ? 1 : credentials->signed_pre_key_id + 1;
  id = load_number (store, NEXT_SIGNED_ID_KEY, 4, after);
  if (id == 0 || id > MAX_ID || id == credentials->signed_pre_key_id)
    id = after;
  wa_key_pair_generate (&pair);
  wa_credentials_sign_pre_key (credentials->identity_key.priv, pair.pub, signature);
  save_signed (store, id, &pair, signature, now);
  save_number (store, NEXT_SIGNED_ID_KEY, 4, id >= MAX_ID ? 1 : id + 1);

  skey = wa_node_add_child (wa_node_add_child (iq, wa_node_new ("rotate")), wa_node_new ("skey"));
  wa_node_add_child (skey, id_child (id));
  wa_node_add_child (skey, bytes_child ("value", pair.pub, WA_KEY_LEN));
  wa_node_add_child (skey, bytes_child ("signature", signature, WA_SIGNATURE_LEN));
  wa_key_pair_clear (&pair);
  return iq;
}

typedef struct
{
  guint32 id;
  gint64  made;
} KeptSigned;

static int
newest_first (gconstpointer a,
              gconstpointer b)
{
  const KeptSigned *x = a, *y = b;

  return x->made != y->made ? (x->made < y->made ? 1 : -1) : (x->id < y->id ? 1 : x->id > y->id ? -1 : 0);
}

/* Forgets kept signed prekeys beyond the newest few: a session started
 * from one that old was started weeks ago. */
static void
prune_signed (const WaCredentials *credentials,
              WaKeyStore          *store)
{
  g_autoptr(GPtrArray) keys = wa_key_store_list (store, SIGNED_KIND);
  g_autoptr(GArray) kept = g_array_new (FALSE, FALSE, sizeof (KeptSigned));

  for (guint i = 0; i < keys->len; i++)
    {
      guint64 id;
      KeptSigned entry;

      if (!g_ascii_string_to_unsigned (g_ptr_array_index (keys, i), 10, 1, MAX_ID, &id, NULL) ||
          !load_kept_signed (store, id, NULL, NULL, &entry.made))
        {
          wa_key_store_remove (store, SIGNED_KIND, g_ptr_array_index (keys, i));
          continue;
        }
      entry.id = id;
      if (entry.id != credentials->signed_pre_key_id)
        g_array_append_val (kept, entry);
    }
  g_array_sort (kept, newest_first);
  for (guint i = WA_PREKEYS_KEEP_SIGNED; i < kept->len; i++)
    {
      g_autofree char *key = g_strdup_printf ("%u", g_array_index (kept, KeptSigned, i).id);

      wa_key_store_remove (store, SIGNED_KIND, key);
    }
}

/**
 * wa_prekeys_rotated:
 * @credentials: the device's keys, changed to the new signed prekey
 * @store: where they are saved, and the old signed prekey kept
 * @request: the rotate iq the server took
 * @now: Unix seconds
 *
 * Makes the signed prekey of @request the current one, after the server
 * took it; the one it replaces is kept.
 *
 * Returns: %FALSE when @request names a signed prekey the store lacks
 */
gboolean
wa_prekeys_rotated (WaCredentials *credentials,
                    WaKeyStore    *store,
                    WaNode        *request,
                    gint64         now)
{
  WaNode *rotate = wa_node_get_child_by_tag (request, "rotate");
  WaNode *skey = rotate != NULL ? wa_node_get_child_by_tag (rotate, "skey") : NULL;
  WaNode *id_node = skey != NULL ? wa_node_get_child_by_tag (skey, "id") : NULL;
  GBytes *id_bytes = id_node != NULL ? wa_node_get_content_bytes (id_node) : NULL;
  guint8 signature[WA_SIGNATURE_LEN];
  WaKeyPair pair;
  guint32 id;

  g_return_val_if_fail (credentials != NULL, FALSE);

  if (id_bytes == NULL || g_bytes_get_size (id_bytes) != 3)
    return FALSE;
  id = read_be (g_bytes_get_data (id_bytes, NULL), 3);
  if (!load_kept_signed (store, id, &pair, signature, NULL))
    return FALSE;

  save_signed (store, credentials->signed_pre_key_id, &credentials->signed_pre_key,
               credentials->signed_pre_key_signature, credentials->signed_pre_key_time);
  credentials->signed_pre_key = pair;
  memcpy (credentials->signed_pre_key_signature, signature, WA_SIGNATURE_LEN);
  credentials->signed_pre_key_id = id;
  credentials->signed_pre_key_time = now;
  wa_key_pair_clear (&pair);
  wa_crypto_wipe (signature, sizeof signature);
  wa_credentials_save (credentials, store);
  wa_key_store_remove (store, "device", ROTATE_RETRY_KEY);
  prune_signed (credentials, store);
  return TRUE;
}

/**
 * wa_prekeys_rotation_failed:
 * @now: Unix seconds
 *
 * Remembers that the server refused a rotation, or never answered: the
 * next try waits a day, as WhatsApp Web's does.
 */
void
wa_prekeys_rotation_failed (WaKeyStore *store,
                            gint64      now)
{
  g_return_if_fail (WA_IS_KEY_STORE (store));

  save_number (store, ROTATE_RETRY_KEY, 8, now + WA_PREKEYS_ROTATE_RETRY_S);
}

/**
 * wa_prekeys_digest_request:
 *
 * Returns: (transfer full): the iq asking for the digest of the keys the
 *   server holds for us
 */
WaNode *
wa_prekeys_digest_request (void)
{
  WaNode *iq = wa_node_new_with_attrs ("iq", "to", "@s.whatsapp.net", "type", "get", "xmlns", "encrypt", NULL);

  wa_node_add_child (iq, wa_node_new ("digest"));
  return iq;
}

static GBytes *
content_of (WaNode     *parent,
            const char *tag,
            gsize       len)
{
  WaNode *child = parent != NULL ? wa_node_get_child_by_tag (parent, tag) : NULL;
  GBytes *content = child != NULL ? wa_node_get_content_bytes (child) : NULL;

  if (content == NULL || g_bytes_get_size (content) != len)
    return NULL;
  return content;
}

static gboolean
content_is (WaNode       *parent,
            const char   *tag,
            const guint8 *expected,
            gsize         len)
{
  GBytes *content = content_of (parent, tag, len);

  return content != NULL && memcmp (g_bytes_get_data (content, NULL), expected, len) == 0;
}

/**
 * wa_prekeys_digest_matches:
 * @credentials: the device's keys
 * @store: where the one-time prekeys are kept
 * @answer: the server's answer to wa_prekeys_digest_request()
 *
 * Checks what the server holds against what we have: the registration
 * id, the identity, the current signed prekey, and the SHA-1 over them
 * and every one-time prekey it lists (WA-FIDELITY §5). A listed prekey
 * we no longer have is a mismatch too: nobody could start a session
 * from it.
 *
 * Returns: whether the server's keys are ours; %FALSE means upload again
 */
/* The SHA-256 of everything a digest answer says, in order, to know an
 * answer checked before. Every field has a fixed length (checked before
 * this runs), so plain concatenation is unambiguous. */
static GBytes *
digest_fingerprint (WaNode    *digest,
                    WaNode    *skey,
                    GPtrArray *ids)
{
  g_autoptr(GByteArray) all = g_byte_array_new ();
  const struct { WaNode *parent; const char *tag; } fields[] = {
    { digest, "registration" }, { digest, "identity" }, { skey, "id" },
    { skey, "value" }, { skey, "signature" }, { digest, "hash" },
  };
  guint8 sum[WA_SHA256_LEN];

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      GBytes *content = wa_node_get_content_bytes (wa_node_get_child_by_tag (fields[i].parent, fields[i].tag));

      g_byte_array_append (all, g_bytes_get_data (content, NULL), g_bytes_get_size (content));
    }
  for (guint i = 0; ids != NULL && i < ids->len; i++)
    {
      GBytes *id = wa_node_get_content_bytes (g_ptr_array_index (ids, i));

      g_byte_array_append (all, g_bytes_get_data (id, NULL), g_bytes_get_size (id));
    }
  wa_crypto_sha256 (all->data, all->len, sum);
  return g_bytes_new (sum, sizeof sum);
}

/* Whether we still hold every prekey @ids lists, without opening one. */
static gboolean
all_held (WaKeyStore *store,
          GPtrArray  *ids)
{
  g_autoptr(GPtrArray) held = wa_key_store_list (store, KIND);
  g_autoptr(GHashTable) set = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < held->len; i++)
    g_hash_table_add (set, g_ptr_array_index (held, i));
  for (guint i = 0; ids != NULL && i < ids->len; i++)
    {
      GBytes *id = wa_node_get_content_bytes (g_ptr_array_index (ids, i));
      g_autofree char *key = g_strdup_printf ("%" G_GUINT64_FORMAT, read_be (g_bytes_get_data (id, NULL), 3));

      if (!g_hash_table_contains (set, key))
        return FALSE;
    }
  return TRUE;
}

/**
 * wa_prekeys_digest_matches:
 * @credentials: the device's keys
 * @store: where the one-time prekeys are kept
 * @answer: the server's answer to wa_prekeys_digest_request()
 *
 * Checks what the server holds against what we have: the registration
 * id, the identity, the current signed prekey, and the SHA-1 over them
 * and every one-time prekey it lists (WA-FIDELITY §5). A listed prekey
 * we no longer have is a mismatch too: nobody could start a session
 * from it.
 *
 * The SHA-1 needs the public half of every listed prekey, a curve
 * multiplication each (hundreds at every connection). A prekey id is
 * never given a second key (ids only grow, and wrap after 16 million),
 * so once an answer matched, the same answer later can only fail by
 * listing a prekey we dropped since: that is all a remembered answer is
 * checked for.
 *
 * Returns: whether the server's keys are ours; %FALSE means upload again
 */
gboolean
wa_prekeys_digest_matches (const WaCredentials *credentials,
                           WaKeyStore          *store,
                           WaNode              *answer)
{
  WaNode *digest = wa_node_get_child_by_tag (answer, "digest");
  WaNode *skey = digest != NULL ? wa_node_get_child_by_tag (digest, "skey") : NULL;
  WaNode *list = digest != NULL ? wa_node_get_child_by_tag (digest, "list") : NULL;
  g_autoptr(GPtrArray) ids = list != NULL ? wa_node_get_children_by_tag (list, "id") : NULL;
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  g_autoptr(GBytes) fingerprint = NULL;
  g_autoptr(GBytes) verified = NULL;
  guint8 registration[4], skey_id[3];
  guint8 hash[20];
  gsize hash_len = sizeof hash;

  g_return_val_if_fail (credentials != NULL, FALSE);
  g_return_val_if_fail (WA_IS_KEY_STORE (store), FALSE);

  write_be (registration, sizeof registration, credentials->registration_id);
  write_be (skey_id, sizeof skey_id, credentials->signed_pre_key_id);

  if (!content_is (digest, "registration", registration, sizeof registration) ||
      !content_is (digest, "identity", credentials->identity_key.pub, WA_KEY_LEN) ||
      !content_is (skey, "id", skey_id, sizeof skey_id) ||
      !content_is (skey, "value", credentials->signed_pre_key.pub, WA_KEY_LEN) ||
      !content_is (skey, "signature", credentials->signed_pre_key_signature, WA_SIGNATURE_LEN) ||
      content_of (digest, "hash", sizeof hash) == NULL)
    return FALSE;
  for (guint i = 0; ids != NULL && i < ids->len; i++)
    {
      GBytes *id = wa_node_get_content_bytes (g_ptr_array_index (ids, i));

      if (id == NULL || g_bytes_get_size (id) != 3)
        return FALSE;
    }

  fingerprint = digest_fingerprint (digest, skey, ids);
  verified = wa_key_store_load (store, "device", VERIFIED_DIGEST_KEY);
  if (verified != NULL && g_bytes_equal (verified, fingerprint))
    return all_held (store, ids);

  g_checksum_update (sha1, credentials->identity_key.pub, WA_KEY_LEN);
  g_checksum_update (sha1, credentials->signed_pre_key.pub, WA_KEY_LEN);
  g_checksum_update (sha1, credentials->signed_pre_key_signature, WA_SIGNATURE_LEN);
  for (guint i = 0; ids != NULL && i < ids->len; i++)
    {
      GBytes *id = wa_node_get_content_bytes (g_ptr_array_index (ids, i));
      g_autofree char *key = g_strdup_printf ("%" G_GUINT64_FORMAT, read_be (g_bytes_get_data (id, NULL), 3));
      g_autoptr(GBytes) secret = wa_key_store_load (store, KIND, key);
      WaKeyPair pair;

      if (secret == NULL || g_bytes_get_size (secret) != WA_KEY_LEN)
        return FALSE;
      wa_key_pair_from_private (&pair, g_bytes_get_data (secret, NULL));
      g_checksum_update (sha1, pair.pub, WA_KEY_LEN);
      wa_key_pair_clear (&pair);
    }
  g_checksum_get_digest (sha1, hash, &hash_len);
  if (!content_is (digest, "hash", hash, sizeof hash))
    return FALSE;

  wa_key_store_save (store, "device", VERIFIED_DIGEST_KEY, fingerprint);
  return TRUE;
}
