/* fakewa-phone.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fakewa"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>
#include <zlib.h>

#include "fakewa-phone.h"
#include "wa-e2e.pb-c.h"
#include "wa-error.h"
#include "wa-history.pb-c.h"
#include "wa-media.h"
#include "wa-proto.h"
#include "wa-signal.h"
#include "wa-syncd.h"

/*
 * The phone's side of app state and history (WA-FIDELITY.md §2.8, §3.5).
 * Each change is one patch, built with the same math a phone uses: the
 * action encrypted under the current app-state key with a random IV, its
 * value and index MACs, the collection's LTHash moved past it, the
 * snapshot MAC over the new hash and the patch MAC over it all. The
 * decoders that read these are ours and Baileys' (tests/interop), so the
 * encoder here is checked by an implementation it shares nothing with.
 */

/* Patches per answer: small, so that paging is exercised. */
#define PAGE_SIZE 2

#define KEY_ID_LEN 6

typedef struct
{
  GBytes *id;
  GBytes *data;
  gint64  timestamp_ms;
} AppKey;

typedef struct
{
  GPtrArray    *patches;  /* GBytes*: serialized SyncdPatch, version i + 1 at i */
  WaSyncdState *state;
  GHashTable   *records;  /* index MAC (GBytes) -> serialized SyncdRecord: what a snapshot holds */
} Collection;

typedef struct
{
  char   *pn_user;
  char   *lid_user;
  char   *name;
  GBytes *tctoken;
  gint64  token_time;
} Contact;

struct _FakewaPhone
{
  WaKeyStore *store;
  WaSignal   *signal;
  GPtrArray  *keys;          /* AppKey*, the last one in use */
  GHashTable *collections;   /* name -> Collection* */
  GPtrArray  *contacts;      /* Contact* */
  GBytes     *salt;
  char       *push_name;
  guint       corrupt;       /* answers whose first patch gets a wrong MAC */
  gboolean    understate;    /* snapshots announced at a tenth of their size */
};

static void
app_key_free (AppKey *key)
{
  g_bytes_unref (key->id);
  g_bytes_unref (key->data);
  g_free (key);
}

static void
collection_free (Collection *collection)
{
  g_ptr_array_unref (collection->patches);
  wa_syncd_state_free (collection->state);
  g_hash_table_unref (collection->records);
  g_free (collection);
}

static void
contact_free (Contact *contact)
{
  g_free (contact->pn_user);
  g_free (contact->lid_user);
  g_free (contact->name);
  g_clear_pointer (&contact->tctoken, g_bytes_unref);
  g_free (contact);
}

static GBytes *
random_bytes (gsize len)
{
  guint8 *data = g_malloc (len);

  wa_crypto_random (data, len);
  return g_bytes_new_take (data, len);
}

FakewaPhone *
fakewa_phone_new (const WaCredentials  *keys,
                  GError              **error)
{
  g_autoptr(FakewaPhone) self = g_new0 (FakewaPhone, 1);

  self->store = wa_memory_key_store_new ();
  self->keys = g_ptr_array_new_with_free_func ((GDestroyNotify) app_key_free);
  self->collections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) collection_free);
  self->contacts = g_ptr_array_new_with_free_func ((GDestroyNotify) contact_free);
  self->signal = wa_signal_new (self->store, keys, error);
  if (self->signal == NULL)
    return NULL;
  fakewa_phone_new_key (self);
  return g_steal_pointer (&self);
}

void
fakewa_phone_free (FakewaPhone *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->signal);
  g_clear_object (&self->store);
  g_ptr_array_unref (self->keys);
  g_hash_table_unref (self->collections);
  g_ptr_array_unref (self->contacts);
  g_clear_pointer (&self->salt, g_bytes_unref);
  g_free (self->push_name);
  g_free (self);
}

/**
 * fakewa_phone_new_key:
 *
 * The phone starts encrypting with a new app-state key, which it shares
 * only in its next key share or when a companion asks for it.
 */
void
fakewa_phone_new_key (FakewaPhone *self)
{
  AppKey *key = g_new0 (AppKey, 1);

  key->id = random_bytes (KEY_ID_LEN);
  key->data = random_bytes (WA_SYNCD_KEY_LEN);
  key->timestamp_ms = g_get_real_time () / 1000;
  g_ptr_array_add (self->keys, key);
}

static Collection *
ensure_collection (FakewaPhone *self,
                   const char  *name)
{
  Collection *collection = g_hash_table_lookup (self->collections, name);

  if (collection == NULL)
    {
      collection = g_new0 (Collection, 1);
      collection->patches = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      collection->state = wa_syncd_state_new ();
      collection->records = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref,
                                                   (GDestroyNotify) g_bytes_unref);
      g_hash_table_insert (self->collections, g_strdup (name), collection);
    }
  return collection;
}

static char *
index_json (const char *first,
            const char *second)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, first);
  if (second != NULL)
    json_builder_add_string_value (builder, second);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* One change, as one patch (§2.4). */
static void
add_patch (FakewaPhone             *self,
           const char              *name,
           const char              *index,
           WaSync__SyncActionValue *value,
           gboolean                 remove)
{
  AppKey *key = g_ptr_array_index (self->keys, self->keys->len - 1);
  Collection *collection = ensure_collection (self, name);
  WaSync__SyncActionData data = WA_SYNC__SYNC_ACTION_DATA__INIT;
  WaSync__KeyId key_id = WA_SYNC__KEY_ID__INIT;
  WaSync__SyncdIndex record_index = WA_SYNC__SYNCD_INDEX__INIT;
  WaSync__SyncdValue record_value = WA_SYNC__SYNCD_VALUE__INIT;
  WaSync__SyncdRecord record = WA_SYNC__SYNCD_RECORD__INIT;
  WaSync__SyncdMutation mutation = WA_SYNC__SYNCD_MUTATION__INIT;
  WaSync__SyncdMutation *mutations[1] = { &mutation };
  WaSync__SyncdVersion version = WA_SYNC__SYNCD_VERSION__INIT;
  WaSync__SyncdPatch patch = WA_SYNC__SYNCD_PATCH__INIT;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) iv = random_bytes (WA_AES_BLOCK_LEN);
  g_autoptr(GBytes) cipher = NULL;
  g_autoptr(GByteArray) blob = g_byte_array_new ();
  g_autoptr(GPtrArray) value_macs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint8 index_mac[WA_SYNCD_MAC_LEN], value_mac[WA_SYNCD_MAC_LEN];
  guint8 snapshot_mac[WA_SYNCD_MAC_LEN], patch_mac[WA_SYNCD_MAC_LEN];
  WaSyncdKeys keys;

  wa_syncd_keys_expand (g_bytes_get_data (key->data, NULL), g_bytes_get_size (key->data), &keys);
  data.has_index = data.has_version = data.has_padding = TRUE;
  data.index.data = (guint8 *) index;
  data.index.len = strlen (index);
  data.value = value;
  data.version = 2;
  plain = wa_proto_pack (&data.base);
  cipher = wa_crypto_aes_cbc_encrypt (keys.value_encryption, g_bytes_get_data (iv, NULL),
                                      g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), NULL);
  g_byte_array_append (blob, g_bytes_get_data (iv, NULL), WA_AES_BLOCK_LEN);
  g_byte_array_append (blob, g_bytes_get_data (cipher, NULL), g_bytes_get_size (cipher));
  wa_syncd_value_mac (keys.value_mac, remove, g_bytes_get_data (key->id, NULL), g_bytes_get_size (key->id),
                      blob->data, blob->len, value_mac);
  g_byte_array_append (blob, value_mac, sizeof value_mac);
  wa_crypto_hmac_sha256 (keys.index, sizeof keys.index, (const guint8 *) index, strlen (index), index_mac);

  wa_syncd_state_apply (collection->state, index_mac, value_mac, remove);
  collection->state->version++;
  wa_syncd_snapshot_mac (keys.snapshot_mac, collection->state->hash, collection->state->version, name,
                         snapshot_mac);
  g_ptr_array_add (value_macs, g_bytes_new (value_mac, sizeof value_mac));
  wa_syncd_patch_mac (keys.patch_mac, snapshot_mac, sizeof snapshot_mac, value_macs, collection->state->version,
                      name, patch_mac);
  wa_syncd_keys_clear (&keys);

  key_id.has_id = TRUE;
  key_id.id.data = (guint8 *) g_bytes_get_data (key->id, &key_id.id.len);
  record_index.has_blob = record_value.has_blob = TRUE;
  record_index.blob.data = index_mac;
  record_index.blob.len = sizeof index_mac;
  record_value.blob.data = blob->data;
  record_value.blob.len = blob->len;
  record.index = &record_index;
  record.value = &record_value;
  record.keyid = &key_id;
  mutation.has_operation = TRUE;
  mutation.operation = remove ? WA_SYNC__SYNCD_MUTATION__SYNCD_OPERATION__REMOVE
                              : WA_SYNC__SYNCD_MUTATION__SYNCD_OPERATION__SET;
  mutation.record = &record;
  version.has_version = TRUE;
  version.version = collection->state->version;
  patch.version = &version;
  patch.n_mutations = 1;
  patch.mutations = mutations;
  patch.has_snapshotmac = patch.has_patchmac = TRUE;
  patch.snapshotmac.data = snapshot_mac;
  patch.snapshotmac.len = sizeof snapshot_mac;
  patch.patchmac.data = patch_mac;
  patch.patchmac.len = sizeof patch_mac;
  patch.keyid = &key_id;
  g_ptr_array_add (collection->patches, wa_proto_pack (&patch.base));
  if (remove)
    {
      g_autoptr(GBytes) index_key = g_bytes_new (index_mac, sizeof index_mac);

      g_hash_table_remove (collection->records, index_key);
    }
  else
    g_hash_table_insert (collection->records, g_bytes_new (index_mac, sizeof index_mac),
                         wa_proto_pack (&record.base));
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/**
 * fakewa_phone_set_push_name:
 *
 * Returns: the collection that changed
 */
const char *
fakewa_phone_set_push_name (FakewaPhone *self,
                            const char  *name)
{
  WaSync__PushNameSetting setting = WA_SYNC__PUSH_NAME_SETTING__INIT;
  WaSync__SyncActionValue value = WA_SYNC__SYNC_ACTION_VALUE__INIT;
  g_autofree char *index = index_json ("setting_pushName", NULL);

  g_free (self->push_name);
  self->push_name = g_strdup (name);
  setting.name = (char *) name;
  value.has_timestamp = TRUE;
  value.timestamp = now_ms ();
  value.pushnamesetting = &setting;
  add_patch (self, "critical_block", index, &value, FALSE);
  return "critical_block";
}

/**
 * fakewa_phone_add_contact:
 * @pn_user: the contact's number
 * @lid_user: its LID
 * @name: the name in the phone's address book, also its push name
 * @tctoken: (nullable): the privacy token the contact issued to this
 *   account, which history sync hands on
 *
 * Returns: the collection that changed
 */
const char *
fakewa_phone_add_contact (FakewaPhone *self,
                          const char  *pn_user,
                          const char  *lid_user,
                          const char  *name,
                          GBytes      *tctoken)
{
  WaSync__ContactAction action = WA_SYNC__CONTACT_ACTION__INIT;
  WaSync__SyncActionValue value = WA_SYNC__SYNC_ACTION_VALUE__INIT;
  g_autofree char *pn = g_strdup_printf ("%s@s.whatsapp.net", pn_user);
  g_autofree char *lid = g_strdup_printf ("%s@lid", lid_user);
  g_autofree char *index = index_json ("contact", pn);
  g_auto(GStrv) names = g_strsplit (name, " ", 2);
  Contact *contact = g_new0 (Contact, 1);

  contact->pn_user = g_strdup (pn_user);
  contact->lid_user = g_strdup (lid_user);
  contact->name = g_strdup (name);
  contact->tctoken = tctoken != NULL ? g_bytes_ref (tctoken) : NULL;
  contact->token_time = g_get_real_time () / G_USEC_PER_SEC;
  g_ptr_array_add (self->contacts, contact);

  action.fullname = (char *) name;
  action.firstname = names[0];
  action.lidjid = lid;
  action.has_saveonprimaryaddressbook = TRUE;
  action.saveonprimaryaddressbook = TRUE;
  value.has_timestamp = TRUE;
  value.timestamp = now_ms ();
  value.contactaction = &action;
  add_patch (self, "critical_unblock_low", index, &value, FALSE);
  return "critical_unblock_low";
}

/**
 * fakewa_phone_set_nct_salt:
 * @salt: (nullable): the account's NCT salt, or %NULL to remove it
 *
 * Returns: the collection that changed
 */
const char *
fakewa_phone_set_nct_salt (FakewaPhone *self,
                           GBytes      *salt)
{
  WaSync__NctSaltSyncAction action = WA_SYNC__NCT_SALT_SYNC_ACTION__INIT;
  WaSync__SyncActionValue value = WA_SYNC__SYNC_ACTION_VALUE__INIT;
  g_autofree char *index = index_json ("nct_salt_sync", NULL);

  g_clear_pointer (&self->salt, g_bytes_unref);
  self->salt = salt != NULL ? g_bytes_ref (salt) : NULL;
  value.has_timestamp = TRUE;
  value.timestamp = now_ms ();
  if (salt != NULL)
    {
      action.has_salt = TRUE;
      action.salt.data = (guint8 *) g_bytes_get_data (salt, &action.salt.len);
      value.nctsaltsyncaction = &action;
    }
  add_patch (self, "regular_high", index, &value, salt == NULL);
  return "regular_high";
}

guint64
fakewa_phone_get_version (FakewaPhone *self,
                          const char  *name)
{
  Collection *collection = g_hash_table_lookup (self->collections, name);

  return collection != NULL ? collection->state->version : 0;
}

/**
 * fakewa_phone_key_share:
 *
 * Returns: (transfer full): a Message sharing every app-state key
 */
GBytes *
fakewa_phone_key_share (FakewaPhone *self)
{
  WaE2E__Message message = WA_E2_E__MESSAGE__INIT;
  WaE2E__ProtocolMessage protocol = WA_E2_E__PROTOCOL_MESSAGE__INIT;
  WaE2E__AppStateSyncKeyShare share = WA_E2_E__APP_STATE_SYNC_KEY_SHARE__INIT;
  g_autofree WaE2E__AppStateSyncKey **keys = g_new0 (WaE2E__AppStateSyncKey *, self->keys->len);
  g_autofree WaE2E__AppStateSyncKey *key_items = g_new0 (WaE2E__AppStateSyncKey, self->keys->len);
  g_autofree WaE2E__AppStateSyncKeyId *ids = g_new0 (WaE2E__AppStateSyncKeyId, self->keys->len);
  g_autofree WaE2E__AppStateSyncKeyData *datas = g_new0 (WaE2E__AppStateSyncKeyData, self->keys->len);
  g_autofree WaE2E__AppStateSyncKeyFingerprint *prints = g_new0 (WaE2E__AppStateSyncKeyFingerprint,
                                                                 self->keys->len);

  for (guint i = 0; i < self->keys->len; i++)
    {
      AppKey *key = g_ptr_array_index (self->keys, i);

      wa_e2_e__app_state_sync_key__init (&key_items[i]);
      wa_e2_e__app_state_sync_key_id__init (&ids[i]);
      wa_e2_e__app_state_sync_key_data__init (&datas[i]);
      wa_e2_e__app_state_sync_key_fingerprint__init (&prints[i]);
      ids[i].has_keyid = TRUE;
      ids[i].keyid.data = (guint8 *) g_bytes_get_data (key->id, &ids[i].keyid.len);
      prints[i].has_rawid = prints[i].has_currentindex = TRUE;
      prints[i].rawid = i + 1;
      prints[i].currentindex = 0;
      datas[i].has_keydata = datas[i].has_timestamp = TRUE;
      datas[i].keydata.data = (guint8 *) g_bytes_get_data (key->data, &datas[i].keydata.len);
      datas[i].fingerprint = &prints[i];
      datas[i].timestamp = key->timestamp_ms;
      key_items[i].keyid = &ids[i];
      key_items[i].keydata = &datas[i];
      keys[i] = &key_items[i];
    }
  share.n_keys = self->keys->len;
  share.keys = keys;
  protocol.has_type = TRUE;
  protocol.type = WA_E2_E__PROTOCOL_MESSAGE__TYPE__APP_STATE_SYNC_KEY_SHARE;
  protocol.appstatesynckeyshare = &share;
  message.protocolmessage = &protocol;
  return wa_proto_pack (&message.base);
}

/**
 * fakewa_phone_lid_migration:
 *
 * The message a phone sends its companions when it moves its chats to
 * LIDs (WA-FIDELITY §3.4): the LID of every contact's number.
 *
 * Returns: (transfer full): the serialized Message
 */
GBytes *
fakewa_phone_lid_migration (FakewaPhone *self)
{
  WaE2E__Message message = WA_E2_E__MESSAGE__INIT;
  WaE2E__ProtocolMessage protocol = WA_E2_E__PROTOCOL_MESSAGE__INIT;
  WaE2E__LIDMigrationMappingSyncMessage sync = WA_E2_E__LIDMIGRATION_MAPPING_SYNC_MESSAGE__INIT;
  WaE2E__LIDMigrationMappingSyncPayload payload = WA_E2_E__LIDMIGRATION_MAPPING_SYNC_PAYLOAD__INIT;
  g_autofree WaE2E__LIDMigrationMapping **mappings = g_new0 (WaE2E__LIDMigrationMapping *, self->contacts->len);
  g_autofree WaE2E__LIDMigrationMapping *items = g_new0 (WaE2E__LIDMigrationMapping, self->contacts->len);
  g_autoptr(GBytes) packed_payload = NULL;

  for (guint i = 0; i < self->contacts->len; i++)
    {
      Contact *contact = g_ptr_array_index (self->contacts, i);

      wa_e2_e__lidmigration_mapping__init (&items[i]);
      items[i].has_pn = items[i].has_assignedlid = TRUE;
      items[i].pn = g_ascii_strtoull (contact->pn_user, NULL, 10);
      items[i].assignedlid = g_ascii_strtoull (contact->lid_user, NULL, 10);
      mappings[i] = &items[i];
    }
  payload.n_pntolidmappings = self->contacts->len;
  payload.pntolidmappings = mappings;
  payload.has_chatdbmigrationtimestamp = TRUE;
  payload.chatdbmigrationtimestamp = g_get_real_time () / G_USEC_PER_SEC;
  packed_payload = wa_proto_pack (&payload.base);
  sync.has_encodedmappingpayload = TRUE;
  sync.encodedmappingpayload.data = (guint8 *) g_bytes_get_data (packed_payload, &sync.encodedmappingpayload.len);
  protocol.has_type = TRUE;
  protocol.type = WA_E2_E__PROTOCOL_MESSAGE__TYPE__LID_MIGRATION_MAPPING_SYNC;
  protocol.lidmigrationmappingsyncmessage = &sync;
  message.protocolmessage = &protocol;
  return wa_proto_pack (&message.base);
}

void
fakewa_history_chunk_free (FakewaHistoryChunk *chunk)
{
  if (chunk == NULL)
    return;
  g_bytes_unref (chunk->message);
  g_free (chunk->direct_path);
  g_clear_pointer (&chunk->blob, g_bytes_unref);
  g_free (chunk);
}

static GBytes *
deflate_bytes (GBytes *plain)
{
  uLongf len = compressBound (g_bytes_get_size (plain));
  guint8 *out = g_malloc (len);

  if (compress2 (out, &len, g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), Z_BEST_COMPRESSION) != Z_OK)
    g_error ("zlib could not compress a history chunk");
  return g_bytes_new_take (out, len);
}

/* The chunk itself (§3.4): for the bootstrap, the conversations with the
 * tokens contacts issued, every number's LID and the salt; for push
 * names, every contact's name. */
static GBytes *
history_sync (FakewaPhone *self,
              guint        sync_type)
{
  WaHistory__HistorySync sync = WA_HISTORY__HISTORY_SYNC__INIT;
  guint n = self->contacts->len;
  g_autofree WaHistory__Conversation *conversations = g_new0 (WaHistory__Conversation, n);
  g_autofree WaHistory__Conversation **conversation_list = g_new0 (WaHistory__Conversation *, n);
  g_autofree WaHistory__PhoneNumberToLIDMapping *mappings = g_new0 (WaHistory__PhoneNumberToLIDMapping, n);
  g_autofree WaHistory__PhoneNumberToLIDMapping **mapping_list = g_new0 (WaHistory__PhoneNumberToLIDMapping *, n);
  g_autofree WaHistory__Pushname *pushnames = g_new0 (WaHistory__Pushname, n);
  g_autofree WaHistory__Pushname **pushname_list = g_new0 (WaHistory__Pushname *, n);
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);

  sync.has_synctype = sync.has_chunkorder = sync.has_progress = TRUE;
  sync.synctype = sync_type;
  sync.chunkorder = 1;
  sync.progress = 100;
  for (guint i = 0; i < n; i++)
    {
      Contact *contact = g_ptr_array_index (self->contacts, i);
      char *pn = g_strdup_printf ("%s@s.whatsapp.net", contact->pn_user);
      char *lid = g_strdup_printf ("%s@lid", contact->lid_user);

      g_ptr_array_add (strings, pn);
      g_ptr_array_add (strings, lid);
      if (sync_type == WA_E2_E__HISTORY_SYNC_NOTIFICATION__HISTORY_SYNC_TYPE__PUSH_NAME)
        {
          wa_history__pushname__init (&pushnames[i]);
          pushnames[i].id = pn;
          pushnames[i].pushname = contact->name;
          pushname_list[sync.n_pushnames++] = &pushnames[i];
          continue;
        }
      wa_history__phone_number_to_lidmapping__init (&mappings[i]);
      mappings[i].pnjid = pn;
      mappings[i].lidjid = lid;
      mapping_list[sync.n_phonenumbertolidmappings++] = &mappings[i];
      if (contact->tctoken == NULL)
        continue;
      wa_history__conversation__init (&conversations[i]);
      conversations[i].id = pn;
      conversations[i].lidjid = lid;
      conversations[i].has_tctoken = conversations[i].has_tctokentimestamp = TRUE;
      conversations[i].tctoken.data = (guint8 *) g_bytes_get_data (contact->tctoken, &conversations[i].tctoken.len);
      conversations[i].tctokentimestamp = contact->token_time;
      conversation_list[sync.n_conversations++] = &conversations[i];
    }
  sync.conversations = conversation_list;
  sync.phonenumbertolidmappings = mapping_list;
  sync.pushnames = pushname_list;
  if (sync_type == WA_E2_E__HISTORY_SYNC_NOTIFICATION__HISTORY_SYNC_TYPE__INITIAL_BOOTSTRAP && self->salt != NULL)
    {
      sync.has_nctsalt = TRUE;
      sync.nctsalt.data = (guint8 *) g_bytes_get_data (self->salt, &sync.nctsalt.len);
    }
  return wa_proto_pack (&sync.base);
}

/**
 * fakewa_phone_history:
 * @sync_type: INITIAL_BOOTSTRAP or PUSH_NAME
 * @inline_payload: whether the chunk goes in the message (for companions
 *   that asked for it) or as a blob on the media host
 *
 * Returns: (transfer full) (nullable): the chunk
 */
FakewaHistoryChunk *
fakewa_phone_history (FakewaPhone  *self,
                      guint         sync_type,
                      gboolean      inline_payload,
                      GError      **error)
{
  WaE2E__Message message = WA_E2_E__MESSAGE__INIT;
  WaE2E__ProtocolMessage protocol = WA_E2_E__PROTOCOL_MESSAGE__INIT;
  WaE2E__HistorySyncNotification notification = WA_E2_E__HISTORY_SYNC_NOTIFICATION__INIT;
  g_autoptr(GBytes) plain = history_sync (self, sync_type);
  g_autoptr(GBytes) compressed = deflate_bytes (plain);
  g_autoptr(FakewaHistoryChunk) chunk = g_new0 (FakewaHistoryChunk, 1);
  g_autoptr(GBytes) media_key = random_bytes (WA_KEY_LEN);
  guint8 sha256[WA_SHA256_LEN], enc_sha256[WA_SHA256_LEN];
  g_autofree char *id = g_strdup_printf ("3A%08X%08X", g_random_int (), g_random_int ());

  notification.has_synctype = notification.has_chunkorder = notification.has_progress = TRUE;
  notification.synctype = sync_type;
  notification.chunkorder = 1;
  notification.progress = 100;
  notification.originalmessageid = id;
  if (inline_payload)
    {
      notification.has_initialhistbootstrapinlinepayload = TRUE;
      notification.initialhistbootstrapinlinepayload.data = (guint8 *) g_bytes_get_data (
        compressed, &notification.initialhistbootstrapinlinepayload.len);
    }
  else
    {
      chunk->blob = wa_media_encrypt (WA_MEDIA_HISTORY, media_key, compressed, error);
      if (chunk->blob == NULL)
        return NULL;
      chunk->direct_path = g_strdup_printf ("/v/t62.fakewa-24/%08x%08x.enc?ccb=9-4&oh=fakewa", g_random_int (),
                                            g_random_int ());
      wa_crypto_sha256 (g_bytes_get_data (compressed, NULL), g_bytes_get_size (compressed), sha256);
      wa_crypto_sha256 (g_bytes_get_data (chunk->blob, NULL), g_bytes_get_size (chunk->blob), enc_sha256);
      notification.has_filesha256 = notification.has_fileencsha256 = TRUE;
      notification.has_mediakey = notification.has_filelength = TRUE;
      notification.filesha256.data = sha256;
      notification.filesha256.len = sizeof sha256;
      notification.fileencsha256.data = enc_sha256;
      notification.fileencsha256.len = sizeof enc_sha256;
      notification.mediakey.data = (guint8 *) g_bytes_get_data (media_key, &notification.mediakey.len);
      notification.filelength = g_bytes_get_size (compressed);
      notification.directpath = chunk->direct_path;
    }
  protocol.has_type = TRUE;
  protocol.type = WA_E2_E__PROTOCOL_MESSAGE__TYPE__HISTORY_SYNC_NOTIFICATION;
  protocol.historysyncnotification = &notification;
  message.protocolmessage = &protocol;
  chunk->message = wa_proto_pack (&message.base);
  return g_steal_pointer (&chunk);
}

/* The patch with one bit of its MAC flipped, as a broken server or an
 * attacker would hand it on. */
static GBytes *
corrupted (GBytes *packed)
{
  WaSync__SyncdPatch *patch = wa_sync__syncd_patch__unpack (NULL, g_bytes_get_size (packed),
                                                            g_bytes_get_data (packed, NULL));
  GBytes *changed;

  patch->patchmac.data[0] ^= 0x01;
  changed = wa_proto_pack (&patch->base);
  wa_sync__syncd_patch__free_unpacked (patch, NULL);
  return changed;
}

/**
 * fakewa_phone_corrupt_answers:
 * @n: how many answers
 *
 * The first patch (or the snapshot) of each of the next @n sync answers
 * is handed on with a wrong MAC.
 */
void
fakewa_phone_corrupt_answers (FakewaPhone *self,
                              guint        n)
{
  self->corrupt = n;
}

/**
 * fakewa_phone_understate_snapshots:
 * @understate: whether snapshots are announced at a tenth of their size
 *
 * As a server that lies about a blob (or whose media host sends more
 * than it was told to) would.
 */
void
fakewa_phone_understate_snapshots (FakewaPhone *self,
                                   gboolean     understate)
{
  self->understate = understate;
}

static void
record_free (WaSync__SyncdRecord *record)
{
  wa_sync__syncd_record__free_unpacked (record, NULL);
}

/* The whole collection at its version (§2.2, §2.5 step 1), encrypted as
 * a blob for the media host; the node names it. */
static WaNode *
snapshot_node (FakewaPhone *self,
               const char  *name,
               Collection  *collection,
               GHashTable  *blobs)
{
  AppKey *key = g_ptr_array_index (self->keys, self->keys->len - 1);
  WaSync__SyncdSnapshot snapshot = WA_SYNC__SYNCD_SNAPSHOT__INIT;
  WaSync__SyncdVersion version = WA_SYNC__SYNCD_VERSION__INIT;
  WaSync__KeyId key_id = WA_SYNC__KEY_ID__INIT;
  WaSync__ExternalBlobReference reference = WA_SYNC__EXTERNAL_BLOB_REFERENCE__INIT;
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) record_free);
  g_autoptr(GBytes) media_key = random_bytes (WA_KEY_LEN);
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autofree char *path = g_strdup_printf ("/v/t62.fakewa-syncd/%08x%08x", g_random_int (), g_random_int ());
  guint8 mac[WA_SYNCD_MAC_LEN], sha256[WA_SHA256_LEN], enc_sha256[WA_SHA256_LEN];
  GHashTableIter iter;
  gpointer record;
  WaSyncdKeys keys;
  WaNode *node;

  g_hash_table_iter_init (&iter, collection->records);
  while (g_hash_table_iter_next (&iter, NULL, &record))
    g_ptr_array_add (records, wa_sync__syncd_record__unpack (NULL, g_bytes_get_size (record),
                                                             g_bytes_get_data (record, NULL)));
  wa_syncd_keys_expand (g_bytes_get_data (key->data, NULL), g_bytes_get_size (key->data), &keys);
  wa_syncd_snapshot_mac (keys.snapshot_mac, collection->state->hash, collection->state->version, name, mac);
  wa_syncd_keys_clear (&keys);
  if (self->corrupt > 0)
    {
      mac[0] ^= 0x01;
      self->corrupt--;
    }
  version.has_version = TRUE;
  version.version = collection->state->version;
  key_id.has_id = TRUE;
  key_id.id.data = (guint8 *) g_bytes_get_data (key->id, &key_id.id.len);
  snapshot.version = &version;
  snapshot.n_records = records->len;
  snapshot.records = (WaSync__SyncdRecord **) records->pdata;
  snapshot.has_mac = TRUE;
  snapshot.mac.data = mac;
  snapshot.mac.len = sizeof mac;
  snapshot.keyid = &key_id;
  plain = wa_proto_pack (&snapshot.base);
  blob = wa_media_encrypt (WA_MEDIA_APP_STATE, media_key, plain, NULL);
  wa_crypto_sha256 (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), sha256);
  wa_crypto_sha256 (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob), enc_sha256);
  g_hash_table_insert (blobs, g_strdup (path), g_bytes_ref (blob));

  reference.has_mediakey = reference.has_filesha256 = reference.has_fileencsha256 = TRUE;
  reference.has_filesizebytes = TRUE;
  reference.mediakey.data = (guint8 *) g_bytes_get_data (media_key, &reference.mediakey.len);
  reference.directpath = path;
  reference.handle = (char *) "fakewa";
  reference.filesizebytes = g_bytes_get_size (plain) / (self->understate ? 10 : 1);
  reference.filesha256.data = sha256;
  reference.filesha256.len = sizeof sha256;
  reference.fileencsha256.data = enc_sha256;
  reference.fileencsha256.len = sizeof enc_sha256;
  content = wa_proto_pack (&reference.base);
  node = wa_node_new ("snapshot");
  wa_node_set_content_bytes (node, content);
  return node;
}

/**
 * fakewa_phone_answer_sync:
 * @iq: a companion's `<iq xmlns="w:sync:app:state">`
 * @blobs: path -> #GBytes: where a snapshot blob is put for the media host
 *
 * Returns: (transfer full): the answer (§2.2): a snapshot for a
 *   companion that has nothing and asks for one, else each collection's
 *   patches after the version asked, a page at a time
 */
WaNode *
fakewa_phone_answer_sync (FakewaPhone *self,
                          WaNode      *iq,
                          GHashTable  *blobs)
{
  WaNode *result = wa_node_new_with_attrs ("iq", "type", "result", "from", "@s.whatsapp.net",
                                           "id", wa_node_get_attr (iq, "id"), NULL);
  WaNode *sync = wa_node_add_child (result, wa_node_new ("sync"));
  WaNode *asked_sync = wa_node_get_child_by_tag (iq, "sync");
  g_autoptr(GPtrArray) asked = asked_sync != NULL ? wa_node_get_children_by_tag (asked_sync, "collection") : NULL;

  for (guint i = 0; asked != NULL && i < asked->len; i++)
    {
      const char *name = wa_node_get_attr (g_ptr_array_index (asked, i), "name");
      const char *version_text = wa_node_get_attr (g_ptr_array_index (asked, i), "version");
      Collection *collection = name != NULL ? g_hash_table_lookup (self->collections, name) : NULL;
      guint64 from = 0;
      guint last;
      g_autofree char *version = NULL;
      WaNode *node, *patches;

      if (name == NULL)
        continue;
      if (version_text != NULL)
        g_ascii_string_to_unsigned (version_text, 10, 0, G_MAXUINT, &from, NULL);
      if (collection != NULL && from == 0 && collection->patches->len > 0 &&
          g_strcmp0 (wa_node_get_attr (g_ptr_array_index (asked, i), "return_snapshot"), "true") == 0)
        {
          version = g_strdup_printf ("%" G_GUINT64_FORMAT, collection->state->version);
          node = wa_node_add_child (sync, wa_node_new_with_attrs ("collection", "name", name, "version", version,
                                                                  NULL));
          wa_node_add_child (node, snapshot_node (self, name, collection, blobs));
          continue;
        }
      if (collection == NULL || from >= collection->patches->len)
        {
          version = g_strdup_printf ("%" G_GUINT64_FORMAT, collection != NULL ? collection->state->version : 0);
          wa_node_add_child (sync, wa_node_new_with_attrs ("collection", "name", name, "version", version, NULL));
          continue;
        }
      last = MIN (from + PAGE_SIZE, collection->patches->len);
      version = g_strdup_printf ("%u", last);
      node = wa_node_add_child (sync, wa_node_new_with_attrs ("collection", "name", name, "version", version, NULL));
      if (last < collection->patches->len)
        wa_node_set_attr (node, "has_more_patches", "true");
      patches = wa_node_add_child (node, wa_node_new ("patches"));
      for (guint p = from; p < last; p++)
        {
          g_autoptr(GBytes) patch = g_bytes_ref (g_ptr_array_index (collection->patches, p));

          if (p == from && self->corrupt > 0)
            {
              g_bytes_unref (patch);
              patch = corrupted (g_ptr_array_index (collection->patches, p));
              self->corrupt--;
            }
          wa_node_set_content_bytes (wa_node_add_child (patches, wa_node_new ("patch")), patch);
        }
    }
  return result;
}

gboolean
fakewa_phone_has_session (FakewaPhone *self,
                          const WaJid *device)
{
  return wa_signal_has_session (self->signal, device);
}

/**
 * fakewa_phone_encrypt:
 * @device: a companion of this account
 * @bundle: (nullable): its prekey bundle, when the phone has no session
 *   with it yet
 * @message: a serialized Message
 *
 * Returns: (transfer full) (nullable): the `<enc>` for @device
 */
WaNode *
fakewa_phone_encrypt (FakewaPhone  *self,
                      const WaJid  *device,
                      WaNode       *bundle,
                      GBytes       *message,
                      GError      **error)
{
  g_autoptr(GBytes) padded = wa_signal_pad (message);
  g_autoptr(GBytes) ciphertext = NULL;
  WaSignalMessageType type;
  WaSignalBundle keys;
  WaNode *enc;

  if (!wa_signal_has_session (self->signal, device) &&
      (bundle == NULL || !wa_signal_bundle_parse (bundle, &keys, error) ||
       !wa_signal_build_session (self->signal, device, &keys, error)))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO, "no session with the companion and no keys for one");
      return NULL;
    }
  ciphertext = wa_signal_encrypt (self->signal, device, padded, &type, error);
  if (ciphertext == NULL)
    return NULL;
  enc = wa_node_new_with_attrs ("enc", "v", "2", "type", wa_signal_message_type_to_string (type), NULL);
  wa_node_set_content_bytes (enc, ciphertext);
  return enc;
}

/**
 * fakewa_phone_decrypt:
 * @device: the companion that sent @enc
 * @enc: its `<enc>`
 *
 * Returns: (transfer full) (nullable): the serialized Message
 */
GBytes *
fakewa_phone_decrypt (FakewaPhone  *self,
                      const WaJid  *device,
                      WaNode       *enc,
                      GError      **error)
{
  WaSignalMessageType type;
  g_autoptr(GBytes) padded = NULL;

  if (!wa_signal_message_type_from_string (wa_node_get_attr (enc, "type"), &type) ||
      wa_node_get_content_bytes (enc) == NULL)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "an <enc> of unknown type");
      return NULL;
    }
  padded = wa_signal_decrypt (self->signal, device, type, wa_node_get_content_bytes (enc), error);
  return padded != NULL ? wa_signal_unpad (padded, error) : NULL;
}
