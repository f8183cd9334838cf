/* wa-app-state.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-app-state"

#include "config.h"

#include <string.h>

#include "wa-app-state.h"
#include "wa-e2e.pb-c.h"
#include "wa-error.h"
#include "wa-media.h"
#include "wa-proto.h"
#include "wa-lid-map.h"
#include "wa-privacy-token.h"
#include "wa-sync-private.h"
#include "wa-syncd.h"

/*
 * App-state sync, read side (WA-FIDELITY.md §2). The phone shares its
 * app-state keys with a new companion in a peer message; with them the
 * companion fetches each collection (all five in one query, paging while
 * the server has more), checks every patch against the collection's
 * LTHash and MACs, and keeps the hash, the version and the value MAC of
 * every entry, without which the next patch cannot be checked. A patch
 * that needs a key we lack stops its collection where it is and asks the
 * phone for the key; one that does not verify makes the collection start
 * over from a snapshot, once. Only then are the entries read.
 */

/* The reference client gives up paging after as many rounds. */
#define MAX_ROUNDS 500

/* A missing key is asked for again at most this often. */
#define KEY_REQUEST_INTERVAL_S (24 * 60 * 60)

#define STATE_VERSION_LEN 8
#define APP_STATE_KEY_LEN 32

static const char * const collections[WA_APP_STATE_N_COLLECTIONS + 1] = {
  "critical_block", "critical_unblock_low", "regular_high", "regular", "regular_low", NULL,
};

struct _WaAppState
{
  GObject           parent_instance;

  WaClient         *client;
  WaMessenger      *messenger;
  GCancellable     *cancellable;  /* the sync under way, if any */
  WaAppStateStatus  status;
  GHashTable       *pending;      /* collection name -> TRUE: to fetch next round */
  GHashTable       *refetched;    /* collection name -> TRUE: started over this sync */
  GHashTable       *requested;    /* base64 key id -> monotonic seconds it was asked for */
  GHashTable       *missing;      /* base64 key id -> TRUE: needed by this round */
  GQueue            jobs;         /* Job*: collections of the answer still to read */
  guint             rounds;
  gboolean          failed;
};

G_DEFINE_FINAL_TYPE (WaAppState, wa_app_state, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* One collection of a sync answer, read patch by patch. */
typedef struct
{
  char         *name;
  WaNode       *node;
  GPtrArray    *patches;   /* WaNode* <patch> */
  guint         next;
  WaSyncdState *state;
} Job;

static void
job_free (Job *job)
{
  g_free (job->name);
  wa_node_unref (job->node);
  g_clear_pointer (&job->patches, g_ptr_array_unref);
  g_clear_pointer (&job->state, wa_syncd_state_free);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

static void next_job (WaAppState *self);

/* Auxiliary methods */

static WaKeyStore *
store_of (WaAppState *self)
{
  return wa_client_get_key_store (self->client);
}

static void
set_status (WaAppState       *self,
            WaAppStateStatus  status)
{
  if (self->status == status)
    return;
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static gboolean
is_collection (const char *name)
{
  for (guint i = 0; name != NULL && collections[i] != NULL; i++)
    if (g_str_equal (collections[i], name))
      return TRUE;
  return FALSE;
}

static char *
macs_kind (const char *name)
{
  return g_strconcat ("appstate-mac:", name, NULL);
}

static char *
version_key (const char *name)
{
  return g_strconcat ("version:", name, NULL);
}

/* A collection as this device last verified it: its version and hash,
 * and the value MAC of each of its entries. */
static WaSyncdState *
load_state (WaAppState *self,
            const char *name)
{
  g_autofree char *key = version_key (name);
  g_autofree char *kind = macs_kind (name);
  g_autoptr(GBytes) saved = wa_key_store_load (store_of (self), WA_SYNC_KIND_APP_STATE, key);
  g_autoptr(GPtrArray) indexes = NULL;
  WaSyncdState *state = wa_syncd_state_new ();
  const guint8 *data;

  if (saved == NULL || g_bytes_get_size (saved) != STATE_VERSION_LEN + WA_LTHASH_LEN)
    return state;
  data = g_bytes_get_data (saved, NULL);
  for (guint i = 0; i < STATE_VERSION_LEN; i++)
    state->version = state->version << 8 | data[i];
  memcpy (state->hash, data + STATE_VERSION_LEN, WA_LTHASH_LEN);

  indexes = wa_key_store_list (store_of (self), kind);
  for (guint i = 0; indexes != NULL && i < indexes->len; i++)
    {
      const char *index = g_ptr_array_index (indexes, i);
      g_autoptr(GBytes) value_mac = wa_key_store_load (store_of (self), kind, index);
      gsize len = 0;
      g_autofree guint8 *index_mac = g_base64_decode (index, &len);

      if (value_mac != NULL)
        g_hash_table_insert (state->values, g_bytes_new_take (g_steal_pointer (&index_mac), len),
                             g_bytes_ref (value_mac));
    }
  return state;
}

static void
save_version (WaAppState         *self,
              const char         *name,
              const WaSyncdState *state)
{
  g_autofree char *key = version_key (name);
  g_autoptr(GBytes) value = NULL;
  guint8 data[STATE_VERSION_LEN + WA_LTHASH_LEN];

  for (guint i = 0; i < STATE_VERSION_LEN; i++)
    data[i] = state->version >> (56 - 8 * i);
  memcpy (data + STATE_VERSION_LEN, state->hash, WA_LTHASH_LEN);
  value = g_bytes_new (data, sizeof data);
  wa_key_store_save (store_of (self), WA_SYNC_KIND_APP_STATE, key, value);
}

/* Forgets a collection, so that it is fetched again from a snapshot. */
static void
forget_collection (WaAppState *self,
                   const char *name)
{
  g_autofree char *key = version_key (name);
  g_autofree char *kind = macs_kind (name);
  g_autoptr(GPtrArray) indexes = wa_key_store_list (store_of (self), kind);

  for (guint i = 0; indexes != NULL && i < indexes->len; i++)
    wa_key_store_remove (store_of (self), kind, g_ptr_array_index (indexes, i));
  wa_key_store_remove (store_of (self), WA_SYNC_KIND_APP_STATE, key);
}

static void
save_value_macs (WaAppState *self,
                 const char *name,
                 GPtrArray  *mutations)
{
  g_autofree char *kind = macs_kind (name);

  for (guint i = 0; i < mutations->len; i++)
    {
      WaSyncdMutation *mutation = g_ptr_array_index (mutations, i);
      g_autofree char *index = g_base64_encode (mutation->index_mac, WA_SYNCD_MAC_LEN);

      if (mutation->remove)
        wa_key_store_remove (store_of (self), kind, index);
      else
        {
          g_autoptr(GBytes) value_mac = g_bytes_new (mutation->value_mac, WA_SYNCD_MAC_LEN);

          wa_key_store_save (store_of (self), kind, index, value_mac);
        }
    }
}

static GBytes *
lookup_key_cb (const guint8 *key_id,
               gsize         len,
               gpointer      user_data)
{
  WaAppState *self = user_data;
  g_autofree char *id = g_base64_encode (key_id, len);
  g_autoptr(GBytes) saved = wa_key_store_load (store_of (self), WA_SYNC_KIND_APP_STATE, id);
  WaE2E__AppStateSyncKeyData *data = NULL;
  GBytes *key = NULL;

  if (saved != NULL)
    data = wa_e2_e__app_state_sync_key_data__unpack (NULL, g_bytes_get_size (saved), g_bytes_get_data (saved, NULL));
  if (data != NULL && data->has_keydata && data->keydata.len == APP_STATE_KEY_LEN)
    key = g_bytes_new (data->keydata.data, data->keydata.len);
  else
    g_hash_table_add (self->missing, g_steal_pointer (&id));
  if (data != NULL)
    wa_e2_e__app_state_sync_key_data__free_unpacked (data, NULL);
  return key;
}

/* Reading the entries */

static void
read_contact (WaAppState              *self,
              const char              *jid_text,
              WaSyncdMutation         *mutation)
{
  WaSync__SyncActionValue *value = mutation->data->value;
  WaSync__ContactAction *contact = value != NULL ? value->contactaction : NULL;
  g_autoptr(WaJid) jid = _wa_sync_parse_user (jid_text);
  g_autoptr(WaJid) other = NULL;
  const char *name;

  if (jid == NULL)
    return;
  if (wa_jid_is_pn (jid))
    {
      if (mutation->remove || contact == NULL)
        {
          _wa_sync_save_text (store_of (self), WA_SYNC_KIND_CONTACT_NAME, wa_jid_get_user (jid), NULL);
          return;
        }
      name = contact->fullname != NULL && contact->fullname[0] != '\0' ? contact->fullname : contact->firstname;
      _wa_sync_save_text (store_of (self), WA_SYNC_KIND_CONTACT_NAME, wa_jid_get_user (jid), name);
      if ((other = _wa_sync_parse_user (contact->lidjid)) != NULL && wa_jid_is_lid (other))
        wa_lid_map_remember (store_of (self), wa_jid_get_user (other), wa_jid_get_user (jid));
    }
  else if (!mutation->remove && contact != NULL && (other = _wa_sync_parse_user (contact->pnjid)) != NULL &&
           wa_jid_is_pn (other))
    wa_lid_map_remember (store_of (self), wa_jid_get_user (jid), wa_jid_get_user (other));
}

/* The entries this app uses (§2.6); the others are only kept track of. */
static void
read_entries (WaAppState *self,
              GPtrArray  *mutations)
{
  for (guint i = 0; i < mutations->len; i++)
    {
      WaSyncdMutation *mutation = g_ptr_array_index (mutations, i);
      WaSync__SyncActionValue *value = mutation->data->value;
      const char *kind = mutation->index[0];
      const char *subject = kind != NULL ? mutation->index[1] : NULL;

      if (g_strcmp0 (kind, "setting_pushName") == 0 && !mutation->remove && value != NULL &&
          value->pushnamesetting != NULL && value->pushnamesetting->name != NULL &&
          value->pushnamesetting->name[0] != '\0')
        _wa_sync_save_text (store_of (self), WA_CLIENT_PUSH_NAME_KIND, WA_CLIENT_PUSH_NAME_KEY,
                            value->pushnamesetting->name);
      else if (g_strcmp0 (kind, "contact") == 0 && subject != NULL)
        read_contact (self, subject, mutation);
      else if (g_strcmp0 (kind, "pnForLidChat") == 0 && subject != NULL && !mutation->remove && value != NULL &&
               value->pnforlidchataction != NULL)
        {
          g_autoptr(WaJid) lid = _wa_sync_parse_user (subject);
          g_autoptr(WaJid) pn = _wa_sync_parse_user (value->pnforlidchataction->pnjid);

          if (lid != NULL && pn != NULL && wa_jid_is_lid (lid) && wa_jid_is_pn (pn))
            wa_lid_map_remember (store_of (self), wa_jid_get_user (lid), wa_jid_get_user (pn));
        }
      else if (g_strcmp0 (kind, "nct_salt_sync") == 0)
        {
          WaSync__NctSaltSyncAction *salt = value != NULL ? value->nctsaltsyncaction : NULL;

          if (mutation->remove || salt == NULL || !salt->has_salt || salt->salt.len == 0)
            wa_key_store_remove (store_of (self), WA_NCT_SALT_KIND, WA_NCT_SALT_KEY);
          else
            {
              g_autoptr(GBytes) bytes = g_bytes_new (salt->salt.data, salt->salt.len);

              wa_key_store_save (store_of (self), WA_NCT_SALT_KIND, WA_NCT_SALT_KEY, bytes);
            }
        }
    }
}

/* The sync */

/* Asks the phone for the keys this round lacked (§2.1), each at most once
 * a day. */
static void
key_request_sent_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!wa_messenger_send_peer_finish (WA_MESSENGER (object), result, &error))
    g_debug ("Could not ask the phone for app-state keys: %s", error->message);
}

static void
request_missing_keys (WaAppState *self)
{
  WaE2E__Message message = WA_E2_E__MESSAGE__INIT;
  WaE2E__ProtocolMessage protocol = WA_E2_E__PROTOCOL_MESSAGE__INIT;
  WaE2E__AppStateSyncKeyRequest request = WA_E2_E__APP_STATE_SYNC_KEY_REQUEST__INIT;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) raw = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) packed = NULL;
  gint64 now = g_get_monotonic_time () / G_USEC_PER_SEC;
  GHashTableIter iter;
  gpointer id;

  g_hash_table_iter_init (&iter, self->missing);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    {
      gpointer asked;

      if (g_hash_table_lookup_extended (self->requested, id, NULL, &asked) &&
          now - GPOINTER_TO_SIZE (asked) < KEY_REQUEST_INTERVAL_S)
        continue;
      g_hash_table_insert (self->requested, g_strdup (id), GSIZE_TO_POINTER ((gsize) now));
      g_ptr_array_add (ids, g_strdup (id));
    }
  g_hash_table_remove_all (self->missing);
  if (ids->len == 0)
    return;

  for (guint i = 0; i < ids->len; i++)
    {
      WaE2E__AppStateSyncKeyId *key_id = g_new0 (WaE2E__AppStateSyncKeyId, 1);
      gsize len = 0;

      wa_e2_e__app_state_sync_key_id__init (key_id);
      key_id->has_keyid = TRUE;
      key_id->keyid.data = g_base64_decode (g_ptr_array_index (ids, i), &len);
      key_id->keyid.len = len;
      g_ptr_array_add (raw, key_id->keyid.data);
      g_ptr_array_add (raw, key_id);
    }
  request.n_keyids = ids->len;
  request.keyids = g_new0 (WaE2E__AppStateSyncKeyId *, ids->len);
  for (guint i = 0; i < ids->len; i++)
    request.keyids[i] = g_ptr_array_index (raw, 2 * i + 1);
  protocol.has_type = TRUE;
  protocol.type = WA_E2_E__PROTOCOL_MESSAGE__TYPE__APP_STATE_SYNC_KEY_REQUEST;
  protocol.appstatesynckeyrequest = &request;
  message.protocolmessage = &protocol;
  packed = wa_proto_pack (&message.base);
  g_free (request.keyids);
  g_debug ("Asking the phone for %u app-state keys", ids->len);
  wa_messenger_send_peer_async (self->messenger, packed, NULL, key_request_sent_cb, NULL);
}

static void start_round (WaAppState *self);

/* Every collection of the answer is read: another round for those the
 * server has more of, else the sync is over. */
static void
round_done (WaAppState *self)
{
  if (g_hash_table_size (self->pending) > 0 && ++self->rounds < MAX_ROUNDS)
    {
      start_round (self);
      return;
    }
  /* A server that always has more is not followed for ever; what was
   * read is kept, and the next sync goes on from there. */
  if (g_hash_table_size (self->pending) > 0)
    {
      g_message ("App state still had patches after %u rounds", MAX_ROUNDS);
      self->failed = TRUE;
    }
  g_clear_object (&self->cancellable);
  g_hash_table_remove_all (self->pending);
  g_hash_table_remove_all (self->refetched);
  if (g_hash_table_size (self->missing) > 0)
    {
      request_missing_keys (self);
      set_status (self, WA_APP_STATE_STATUS_WAITING_FOR_KEYS);
    }
  else
    set_status (self, self->failed ? WA_APP_STATE_STATUS_FAILED : WA_APP_STATE_STATUS_SYNCED);
}

/* A collection did not verify: once per sync it starts over from a
 * snapshot (§2.7), after that it is given up until the next sync. */
static void
job_failed (WaAppState *self,
            Job        *job,
            GError     *error)
{
  g_hash_table_remove (self->pending, job->name);
  if (g_error_matches (error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MISSING_KEY))
    {
      g_debug ("App state “%s” waits for a key from the phone", job->name);
      return;
    }
  if (!g_hash_table_contains (self->refetched, job->name))
    {
      g_debug ("App state “%s” starts over: %s", job->name, error->message);
      forget_collection (self, job->name);
      g_hash_table_add (self->refetched, g_strdup (job->name));
      g_hash_table_add (self->pending, g_strdup (job->name));
      return;
    }
  g_message ("App state “%s” does not verify: %s", job->name, error->message);
  self->failed = TRUE;
}

/* Ends the collection at the head of the queue, and goes on with the next. */
static void
drop_job (WaAppState *self,
          GError     *error)
{
  Job *job = g_queue_pop_head (&self->jobs);

  if (error != NULL)
    job_failed (self, job, error);
  job_free (job);
  next_job (self);
}

static void next_patch (WaAppState *self, Job *job);

static void
apply_patch (WaAppState                   *self,
             Job                          *job,
             WaSync__SyncdPatch           *patch,
             const WaSync__SyncdMutations *external)
{
  g_autoptr(GPtrArray) mutations = NULL;
  g_autoptr(GError) error = NULL;

  if (patch->version != NULL && patch->version->has_version && patch->version->version <= job->state->version)
    {
      next_patch (self, job);
      return;
    }
  mutations = wa_syncd_decode_patch (job->name, patch, external, lookup_key_cb, self, job->state, &error);
  if (mutations == NULL)
    {
      drop_job (self, error);
      return;
    }
  save_value_macs (self, job->name, mutations);
  save_version (self, job->name, job->state);
  read_entries (self, mutations);
  next_patch (self, job);
}

typedef struct
{
  WaAppState          *self;
  WaSync__SyncdPatch  *patch;
} ExternalPatch;

static void
external_mutations_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  ExternalPatch *external = user_data;
  g_autoptr(WaAppState) self = external->self;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GError) error = NULL;
  WaSync__SyncdMutations *mutations = NULL;
  Job *job = g_queue_peek_head (&self->jobs);

  blob = wa_media_download_finish (WA_CLIENT (object), result, &error);
  if (blob != NULL)
    mutations = wa_syncd_mutations_unpack (blob, &error);
  if (mutations != NULL)
    apply_patch (self, job, external->patch, mutations);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    drop_job (self, error);
  if (mutations != NULL)
    wa_sync__syncd_mutations__free_unpacked (mutations, NULL);
  wa_sync__syncd_patch__free_unpacked (external->patch, NULL);
  g_free (external);
}

static WaMediaRef
blob_ref (const WaSync__ExternalBlobReference *blob,
          GBytes                             **key,
          GBytes                             **enc_sha256,
          GBytes                             **sha256)
{
  WaMediaRef ref = { 0 };

  *key = blob->has_mediakey ? g_bytes_new (blob->mediakey.data, blob->mediakey.len) : NULL;
  *enc_sha256 = blob->has_fileencsha256 ? g_bytes_new (blob->fileencsha256.data, blob->fileencsha256.len) : NULL;
  *sha256 = blob->has_filesha256 ? g_bytes_new (blob->filesha256.data, blob->filesha256.len) : NULL;
  ref.direct_path = blob->directpath;
  ref.media_key = *key;
  ref.file_enc_sha256 = *enc_sha256;
  ref.file_sha256 = *sha256;
  /* What the server announced bounds what is downloaded: a media host
   * that sends more is cut off as it arrives, not read to the end. */
  ref.file_length = blob->has_filesizebytes ? blob->filesizebytes : 0;
  return ref;
}

static void
next_patch (WaAppState *self,
            Job        *job)
{
  WaSync__SyncdPatch *patch = NULL;

  while (job->next < job->patches->len && patch == NULL)
    {
      GBytes *content = wa_node_get_content_bytes (g_ptr_array_index (job->patches, job->next++));
      g_autoptr(GError) error = NULL;

      if (content != NULL)
        patch = wa_syncd_patch_unpack (content, &error);
      else
        g_set_error (&error, WA_SYNCD_ERROR, WA_SYNCD_ERROR_MALFORMED, "An app-state patch that does not parse");
      if (patch == NULL)
        {
          drop_job (self, error);
          return;
        }
    }
  if (patch == NULL)
    {
      if (g_strcmp0 (wa_node_get_attr (job->node, "has_more_patches"), "true") == 0)
        g_hash_table_add (self->pending, g_strdup (job->name));
      drop_job (self, NULL);
      return;
    }
  if (patch->externalmutations != NULL)
    {
      g_autoptr(GBytes) key = NULL, enc_sha256 = NULL, sha256 = NULL;
      WaMediaRef ref = blob_ref (patch->externalmutations, &key, &enc_sha256, &sha256);
      ExternalPatch *external = g_new0 (ExternalPatch, 1);

      external->self = g_object_ref (self);
      external->patch = patch;
      wa_media_download_async (self->client, WA_MEDIA_APP_STATE, &ref, self->cancellable, external_mutations_cb,
                               external);
      return;
    }
  apply_patch (self, job, patch, NULL);
  wa_sync__syncd_patch__free_unpacked (patch, NULL);
}

static void
apply_snapshot (WaAppState *self,
                Job        *job,
                GBytes     *blob)
{
  g_autoptr(GError) error = NULL;
  WaSync__SyncdSnapshot *snapshot = wa_syncd_snapshot_unpack (blob, &error);
  g_autoptr(GPtrArray) mutations = NULL;
  g_autoptr(WaSyncdState) state = NULL;

  if (snapshot != NULL)
    mutations = wa_syncd_decode_snapshot (job->name, snapshot, lookup_key_cb, self, &state, &error);
  if (snapshot != NULL)
    wa_sync__syncd_snapshot__free_unpacked (snapshot, NULL);
  if (mutations == NULL)
    {
      drop_job (self, error);
      return;
    }
  forget_collection (self, job->name);
  g_clear_pointer (&job->state, wa_syncd_state_free);
  job->state = g_steal_pointer (&state);
  save_value_macs (self, job->name, mutations);
  save_version (self, job->name, job->state);
  read_entries (self, mutations);
  next_patch (self, job);
}

static void
snapshot_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(WaAppState) self = user_data;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GError) error = NULL;
  Job *job;

  blob = wa_media_download_finish (WA_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  job = g_queue_peek_head (&self->jobs);
  if (blob == NULL)
    {
      g_debug ("Could not download the snapshot of “%s”: %s", job->name, error->message);
      self->failed = TRUE;
      drop_job (self, NULL);
      return;
    }
  apply_snapshot (self, job, blob);
}

static void
next_job (WaAppState *self)
{
  Job *job = g_queue_peek_head (&self->jobs);
  WaNode *snapshot;
  GBytes *content;
  WaSync__ExternalBlobReference *blob;

  if (job == NULL)
    {
      round_done (self);
      return;
    }
  snapshot = wa_node_get_child_by_tag (job->node, "snapshot");
  content = snapshot != NULL ? wa_node_get_content_bytes (snapshot) : NULL;
  if (content == NULL)
    {
      next_patch (self, job);
      return;
    }
  blob = wa_sync__external_blob_reference__unpack (NULL, g_bytes_get_size (content), g_bytes_get_data (content, NULL));
  if (blob == NULL)
    {
      g_autoptr(GError) error = g_error_new (WA_SYNCD_ERROR, WA_SYNCD_ERROR_MALFORMED,
                                             "An app-state snapshot reference that does not parse");

      drop_job (self, error);
      return;
    }
  {
    g_autoptr(GBytes) key = NULL, enc_sha256 = NULL, sha256 = NULL;
    WaMediaRef ref = blob_ref (blob, &key, &enc_sha256, &sha256);

    wa_media_download_async (self->client, WA_MEDIA_APP_STATE, &ref, self->cancellable, snapshot_cb,
                             g_object_ref (self));
  }
  wa_sync__external_blob_reference__free_unpacked (blob, NULL);
}

static void
synced_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(WaAppState) self = user_data;
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) nodes = NULL;
  WaNode *sync;

  answer = wa_connection_send_iq_finish (WA_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (answer == NULL)
    {
      g_debug ("App-state sync failed: %s", error->message);
      self->failed = TRUE;
      g_hash_table_remove_all (self->pending);
      round_done (self);
      return;
    }
  sync = wa_node_get_child_by_tag (answer, "sync");
  nodes = sync != NULL ? wa_node_get_children_by_tag (sync, "collection") : NULL;
  for (guint i = 0; nodes != NULL && i < nodes->len; i++)
    {
      WaNode *node = g_ptr_array_index (nodes, i);
      WaNode *patches;
      const char *name = wa_node_get_attr (node, "name");
      Job *job;

      if (!is_collection (name))
        continue;
      if (g_strcmp0 (wa_node_get_attr (node, "type"), "error") == 0)
        {
          WaNode *problem = wa_node_get_child_by_tag (node, "error");

          g_debug ("The server refused app state “%s”: %s", name,
                   problem != NULL ? wa_node_get_attr (problem, "code") : "?");
          self->failed = TRUE;
          continue;
        }
      job = g_new0 (Job, 1);
      job->name = g_strdup (name);
      job->node = wa_node_ref (node);
      patches = wa_node_get_child_by_tag (node, "patches");
      job->patches = patches != NULL ? wa_node_get_children_by_tag (patches, "patch") : NULL;
      if (job->patches == NULL)
        job->patches = g_ptr_array_new ();
      job->state = load_state (self, name);
      g_queue_push_tail (&self->jobs, job);
    }
  next_job (self);
}

/* One query for every collection due (§2.2): from its version, or from a
 * snapshot when this device has none. */
static void
start_round (WaAppState *self)
{
  g_autoptr(WaNode) iq = wa_node_new_with_attrs ("iq", "to", "@s.whatsapp.net", "type", "set",
                                                 "xmlns", "w:sync:app:state", NULL);
  WaNode *sync = wa_node_add_child (iq, wa_node_new ("sync"));
  WaConnection *connection = wa_client_get_connection (self->client);

  for (guint i = 0; collections[i] != NULL; i++)
    {
      g_autoptr(WaSyncdState) state = NULL;
      WaNode *collection;

      if (!g_hash_table_remove (self->pending, collections[i]))
        continue;
      state = load_state (self, collections[i]);
      collection = wa_node_add_child (sync, wa_node_new_with_attrs ("collection", "name", collections[i], NULL));
      if (state->version > 0)
        {
          g_autofree char *version = g_strdup_printf ("%" G_GUINT64_FORMAT, state->version);

          wa_node_set_attr (collection, "version", version);
        }
      wa_node_set_attr (collection, "return_snapshot", state->version == 0 ? "true" : "false");
    }
  /* Offline: the next connection syncs again. */
  if (connection == NULL || wa_client_get_state (self->client) != WA_CLIENT_STATE_CONNECTED)
    {
      g_hash_table_remove_all (self->pending);
      g_clear_object (&self->cancellable);
      set_status (self, WA_APP_STATE_STATUS_IDLE);
      return;
    }
  wa_connection_send_iq_async (connection, iq, WA_CONNECTION_IQ_TIMEOUT_MS, self->cancellable, synced_cb,
                               g_object_ref (self));
}

static gboolean
has_keys (WaAppState *self)
{
  g_autoptr(GPtrArray) keys = wa_key_store_list (store_of (self), WA_SYNC_KIND_APP_STATE);

  for (guint i = 0; keys != NULL && i < keys->len; i++)
    if (!g_str_has_prefix (g_ptr_array_index (keys, i), "version:"))
      return TRUE;
  return FALSE;
}

static void
sync_collections (WaAppState         *self,
                  const char * const *names)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (is_collection (names[i]))
      g_hash_table_add (self->pending, g_strdup (names[i]));
  if (self->cancellable != NULL || g_hash_table_size (self->pending) == 0)
    return;
  if (!has_keys (self))
    {
      g_hash_table_remove_all (self->pending);
      set_status (self, WA_APP_STATE_STATUS_WAITING_FOR_KEYS);
      return;
    }
  self->cancellable = g_cancellable_new ();
  self->rounds = 0;
  self->failed = FALSE;
  set_status (self, WA_APP_STATE_STATUS_SYNCING);
  start_round (self);
}

/* Callbacks */

/* The phone's key share (§2.1): kept, then every collection is read. */
static void
protocol_message_cb (WaMessenger *messenger,
                     const char  *id,
                     GBytes      *plaintext,
                     WaAppState  *self)
{
  WaE2E__Message *message = wa_e2_e__message__unpack (NULL, g_bytes_get_size (plaintext),
                                                      g_bytes_get_data (plaintext, NULL));
  WaE2E__AppStateSyncKeyShare *share;
  guint kept = 0;

  if (message == NULL)
    return;
  share = message->protocolmessage != NULL ? message->protocolmessage->appstatesynckeyshare : NULL;
  for (gsize i = 0; share != NULL && i < share->n_keys; i++)
    {
      WaE2E__AppStateSyncKey *key = share->keys[i];
      g_autofree char *key_id = NULL;
      g_autoptr(GBytes) data = NULL;

      if (key->keyid == NULL || !key->keyid->has_keyid || key->keyid->keyid.len == 0 || key->keydata == NULL ||
          !key->keydata->has_keydata || key->keydata->keydata.len != APP_STATE_KEY_LEN)
        continue;
      key_id = g_base64_encode (key->keyid->keyid.data, key->keyid->keyid.len);
      data = wa_proto_pack (&key->keydata->base);
      wa_key_store_save (store_of (self), WA_SYNC_KIND_APP_STATE, key_id, data);
      g_hash_table_remove (self->requested, key_id);
      kept++;
    }
  wa_e2_e__message__free_unpacked (message, NULL);
  if (kept == 0)
    return;
  g_debug ("The phone shared %u app-state keys", kept);
  wa_app_state_sync (self);
}

/* The server says which collections changed (§2.2). */
static void
node_cb (WaClient   *client,
         WaNode     *node,
         WaAppState *self)
{
  g_autoptr(GPtrArray) changed = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  WaNode *dirty;

  if (g_str_equal (wa_node_get_tag (node), "ib") && (dirty = wa_node_get_child_by_tag (node, "dirty")) != NULL &&
      g_strcmp0 (wa_node_get_attr (dirty, "type"), "syncd_app_state") == 0)
    {
      wa_app_state_sync (self);
      return;
    }
  if (!g_str_equal (wa_node_get_tag (node), "notification") ||
      g_strcmp0 (wa_node_get_attr (node, "type"), "server_sync") != 0)
    return;
  changed = wa_node_get_children_by_tag (node, "collection");
  for (guint i = 0; changed != NULL && i < changed->len; i++)
    g_ptr_array_add (names, (gpointer) wa_node_get_attr (g_ptr_array_index (changed, i), "name"));
  g_ptr_array_add (names, NULL);
  sync_collections (self, (const char * const *) names->pdata);
}

static void
client_changed_cb (WaClient   *client,
                   GParamSpec *pspec,
                   WaAppState *self)
{
  WaClientState state = wa_client_get_state (client);

  if (state != WA_CLIENT_STATE_CONNECTED)
    {
      /* What was under way is asked again on the next connection. */
      if (self->cancellable != NULL)
        {
          g_cancellable_cancel (self->cancellable);
          g_clear_object (&self->cancellable);
        }
      g_queue_clear_full (&self->jobs, (GDestroyNotify) job_free);
      g_hash_table_remove_all (self->pending);
      g_hash_table_remove_all (self->refetched);
      g_hash_table_remove_all (self->missing);
      if (state == WA_CLIENT_STATE_LOGGED_OUT)
        g_hash_table_remove_all (self->requested);
      set_status (self, WA_APP_STATE_STATUS_IDLE);
      return;
    }
  /* After what waited on the server, which may hold a key share. */
  if (wa_client_get_caught_up (client) && self->status == WA_APP_STATE_STATUS_IDLE)
    wa_app_state_sync (self);
}

/* GObject */

static void
wa_app_state_dispose (GObject *object)
{
  WaAppState *self = (WaAppState *)object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_queue_clear_full (&self->jobs, (GDestroyNotify) job_free);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  if (self->messenger != NULL)
    g_signal_handlers_disconnect_by_data (self->messenger, self);
  g_clear_object (&self->client);
  g_clear_object (&self->messenger);

  G_OBJECT_CLASS (wa_app_state_parent_class)->dispose (object);
}

static void
wa_app_state_finalize (GObject *object)
{
  WaAppState *self = (WaAppState *)object;

  g_hash_table_unref (self->pending);
  g_hash_table_unref (self->refetched);
  g_hash_table_unref (self->requested);
  g_hash_table_unref (self->missing);

  G_OBJECT_CLASS (wa_app_state_parent_class)->finalize (object);
}

static void
wa_app_state_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  WaAppState *self = WA_APP_STATE (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_int (value, self->status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wa_app_state_class_init (WaAppStateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wa_app_state_dispose;
  object_class->finalize = wa_app_state_finalize;
  object_class->get_property = wa_app_state_get_property;

  properties[PROP_STATUS] =
    g_param_spec_int ("status", NULL, NULL, WA_APP_STATE_STATUS_IDLE, WA_APP_STATE_STATUS_FAILED,
                      WA_APP_STATE_STATUS_IDLE, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wa_app_state_init (WaAppState *self)
{
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->refetched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->requested = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->missing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&self->jobs);
}

/* Public API */

/**
 * wa_app_state_new:
 * @client: the client whose account's app state to read
 * @messenger: the messenger of @client, which hands over the phone's keys
 *
 * Returns: (transfer full): the app-state reader of @client
 */
WaAppState *
wa_app_state_new (WaClient    *client,
                  WaMessenger *messenger)
{
  WaAppState *self;

  g_return_val_if_fail (WA_IS_CLIENT (client), NULL);
  g_return_val_if_fail (WA_IS_MESSENGER (messenger), NULL);

  self = g_object_new (WA_TYPE_APP_STATE, NULL);
  self->client = g_object_ref (client);
  self->messenger = g_object_ref (messenger);
  g_signal_connect (client, "node", G_CALLBACK (node_cb), self);
  g_signal_connect (client, "notify::state", G_CALLBACK (client_changed_cb), self);
  g_signal_connect (client, "notify::caught-up", G_CALLBACK (client_changed_cb), self);
  g_signal_connect (messenger, "protocol-message", G_CALLBACK (protocol_message_cb), self);
  return self;
}

/**
 * wa_app_state_get_status:
 *
 * Returns: where the sync is
 */
WaAppStateStatus
wa_app_state_get_status (WaAppState *self)
{
  g_return_val_if_fail (WA_IS_APP_STATE (self), WA_APP_STATE_STATUS_IDLE);
  return self->status;
}

/**
 * wa_app_state_sync:
 *
 * Reads every collection again, unless a sync is under way. Without the
 * phone's keys the status says so and nothing is asked.
 */
void
wa_app_state_sync (WaAppState *self)
{
  g_return_if_fail (WA_IS_APP_STATE (self));
  sync_collections (self, collections);
}

static guint
count_kind (WaKeyStore *store,
            const char *kind)
{
  g_autoptr(GPtrArray) keys = wa_key_store_list (store, kind);

  return keys != NULL ? keys->len : 0;
}

/**
 * wa_app_state_summarize:
 * @store: a device's key store
 * @summary: (out caller-allocates): filled in; clear it with
 *   wa_app_state_summary_clear()
 *
 * Reads back what app state and history sync kept.
 */
void
wa_app_state_summarize (WaKeyStore        *store,
                        WaAppStateSummary *summary)
{
  g_autoptr(GBytes) push_name = NULL;
  g_autoptr(GBytes) salt = NULL;

  g_return_if_fail (WA_IS_KEY_STORE (store));
  g_return_if_fail (summary != NULL);

  push_name = wa_key_store_load (store, WA_CLIENT_PUSH_NAME_KIND, WA_CLIENT_PUSH_NAME_KEY);
  salt = wa_key_store_load (store, WA_NCT_SALT_KIND, WA_NCT_SALT_KEY);
  summary->push_name = push_name != NULL ? g_strndup (g_bytes_get_data (push_name, NULL),
                                                      g_bytes_get_size (push_name)) : NULL;
  summary->has_nct_salt = salt != NULL;
  summary->n_lid_mappings = count_kind (store, WA_LID_MAP_KIND_LID_PN);
  summary->n_contact_names = count_kind (store, WA_SYNC_KIND_CONTACT_NAME);
  summary->n_push_names = count_kind (store, WA_SYNC_KIND_PUSH_NAMES);
  summary->n_privacy_tokens = count_kind (store, WA_TCTOKEN_KIND);
}

void
wa_app_state_summary_clear (WaAppStateSummary *summary)
{
  g_clear_pointer (&summary->push_name, g_free);
}
