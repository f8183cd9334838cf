/* wa-history-sync.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-history-sync"

#include "config.h"

#include "wa-binary.h"
#include "wa-e2e.pb-c.h"
#include "wa-error.h"
#include "wa-history-sync.h"
#include "wa-history.pb-c.h"
#include "wa-media.h"
#include "wa-lid-map.h"
#include "wa-privacy-token.h"
#include "wa-proto.h"
#include "wa-sync-private.h"

/*
 * History sync (WA-FIDELITY.md §3). A product that sends to its customers
 * has no use for the phone's chats, and keeping them would be keeping
 * customer data nobody asked for: of each chunk only what makes sending
 * work is kept (§3.4), and the rest is dropped with the parse. The
 * registration payload asks for as little history as the phone gives
 * (wa-client-payload.c). Every chunk is confirmed with a hist_sync
 * receipt once read, or the phone sends it again.
 */

struct _WaHistorySync
{
  GObject       parent_instance;

  WaClient     *client;
  WaMessenger  *messenger;
  GCancellable *cancellable;   /* downloads under way */
  guint         n_downloads;
};

G_DEFINE_FINAL_TYPE (WaHistorySync, wa_history_sync, G_TYPE_OBJECT)

enum {
  CHUNK_STORED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  WaHistorySync *self;
  char          *id;
} Chunk;

static void
chunk_free (Chunk *chunk)
{
  g_object_unref (chunk->self);
  g_free (chunk->id);
  g_free (chunk);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Chunk, chunk_free)

/* Auxiliary methods */

/* The contact's LID, from what the conversation or an earlier source says. */
static char *
conversation_lid (WaKeyStore               *store,
                  const WaHistory__Conversation *conversation)
{
  const char *candidates[] = { conversation->id, conversation->lidjid, conversation->accountlid };
  g_autoptr(WaJid) pn = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autoptr(WaJid) jid = _wa_sync_parse_user (candidates[i]);

      if (jid != NULL && wa_jid_is_lid (jid))
        return g_strdup (wa_jid_get_user (jid));
    }
  pn = _wa_sync_parse_user (conversation->id);
  if (pn == NULL || !wa_jid_is_pn (pn))
    pn = _wa_sync_parse_user (conversation->pnjid);
  return pn != NULL && wa_jid_is_pn (pn) ? wa_lid_map_lid_of_pn (store, wa_jid_get_user (pn)) : NULL;
}

static void
remember_pair (WaKeyStore *store,
               const char *pn_text,
               const char *lid_text)
{
  g_autoptr(WaJid) pn = _wa_sync_parse_user (pn_text);
  g_autoptr(WaJid) lid = _wa_sync_parse_user (lid_text);

  if (pn != NULL && lid != NULL && wa_jid_is_pn (pn) && wa_jid_is_lid (lid))
    wa_lid_map_remember (store, wa_jid_get_user (lid), wa_jid_get_user (pn));
}

static void
send_receipt (WaHistorySync *self,
              const char    *id)
{
  g_autoptr(WaJid) own = wa_jid_parse (wa_client_get_device_jid (self->client), NULL);
  g_autoptr(WaJid) account = own != NULL ? wa_jid_to_non_ad (own) : NULL;
  g_autofree char *to = account != NULL ? wa_jid_to_string (account) : NULL;
  WaConnection *connection = wa_client_get_connection (self->client);
  g_autoptr(WaNode) receipt = NULL;
  g_autoptr(GError) error = NULL;

  if (to == NULL || connection == NULL)
    return;
  receipt = wa_node_new_with_attrs ("receipt", "id", id, "to", to, "type", "hist_sync", NULL);
  if (!wa_connection_send_node (connection, receipt, &error))
    g_debug ("Could not confirm a history chunk: %s", error->message);
}

static void
read_chunk (WaHistorySync *self,
            const char    *id,
            GBytes        *compressed)
{
  g_autoptr(GBytes) history = NULL;
  g_autoptr(GError) error = NULL;
  guint sync_type = 0;

  if ((history = wa_history_sync_inflate (compressed, &error)) == NULL ||
      !wa_history_sync_store (wa_client_get_key_store (self->client), history, &sync_type, &error))
    {
      g_debug ("A history chunk was not read: %s", error->message);
      return;
    }
  send_receipt (self, id);
  g_signal_emit (self, signals[CHUNK_STORED], 0, sync_type);
}

/* Callbacks */

static void
downloaded_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(Chunk) chunk = user_data;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GError) error = NULL;

  blob = wa_media_download_finish (WA_CLIENT (object), result, &error);
  if (blob == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Could not download a history chunk: %s", error->message);
  else if (blob != NULL)
    read_chunk (chunk->self, chunk->id, blob);
  if (--chunk->self->n_downloads == 0)
    g_object_notify_by_pspec (G_OBJECT (chunk->self), properties[PROP_BUSY]);
}

static GBytes *
optional_bytes (protobuf_c_boolean  has,
                ProtobufCBinaryData data)
{
  return has ? g_bytes_new (data.data, data.len) : NULL;
}

static void
protocol_message_cb (WaMessenger   *messenger,
                     const char    *id,
                     GBytes        *plaintext,
                     WaHistorySync *self)
{
  WaE2E__Message *message = wa_proto_unpack_message (plaintext, NULL);
  WaE2E__HistorySyncNotification *notification;
  WaE2E__LIDMigrationMappingSyncMessage *migration;

  if (message == NULL)
    return;
  notification = message->protocolmessage != NULL ? message->protocolmessage->historysyncnotification : NULL;
  migration = message->protocolmessage != NULL ? message->protocolmessage->lidmigrationmappingsyncmessage : NULL;
  if (migration != NULL && migration->has_encodedmappingpayload)
    {
      g_autoptr(GBytes) payload = optional_bytes (TRUE, migration->encodedmappingpayload);
      g_autoptr(GError) error = NULL;
      guint n = 0;

      if (!wa_history_sync_store_lid_migration (wa_client_get_key_store (self->client), payload, &n, &error))
        g_debug ("Could not read the phone's LID migration: %s", error->message);
      else
        g_debug ("The phone named the LIDs of %u numbers", n);
    }
  if (notification != NULL && notification->has_initialhistbootstrapinlinepayload)
    {
      g_autoptr(GBytes) inline_payload = optional_bytes (TRUE, notification->initialhistbootstrapinlinepayload);

      read_chunk (self, id, inline_payload);
    }
  else if (notification != NULL)
    {
      g_autoptr(GBytes) key = optional_bytes (notification->has_mediakey, notification->mediakey);
      g_autoptr(GBytes) enc_sha256 = optional_bytes (notification->has_fileencsha256, notification->fileencsha256);
      g_autoptr(GBytes) sha256 = optional_bytes (notification->has_filesha256, notification->filesha256);
      WaMediaRef ref = { notification->directpath, key, enc_sha256, sha256 };
      Chunk *chunk = g_new0 (Chunk, 1);

      chunk->self = g_object_ref (self);
      chunk->id = g_strdup (id);
      if (self->n_downloads++ == 0)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
      wa_media_download_async (self->client, WA_MEDIA_HISTORY, &ref, self->cancellable, downloaded_cb, chunk);
    }
  wa_e2_e__message__free_unpacked (message, NULL);
}

static void
client_state_cb (WaClient      *client,
                 GParamSpec    *pspec,
                 WaHistorySync *self)
{
  /* The phone sends again what was not confirmed. */
  if (wa_client_get_state (client) != WA_CLIENT_STATE_CONNECTED)
    {
      g_cancellable_cancel (self->cancellable);
      g_object_unref (self->cancellable);
      self->cancellable = g_cancellable_new ();
    }
}

/* GObject */

static void
wa_history_sync_dispose (GObject *object)
{
  WaHistorySync *self = (WaHistorySync *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  if (self->messenger != NULL)
    g_signal_handlers_disconnect_by_data (self->messenger, self);
  g_clear_object (&self->client);
  g_clear_object (&self->messenger);

  G_OBJECT_CLASS (wa_history_sync_parent_class)->dispose (object);
}

static void
wa_history_sync_finalize (GObject *object)
{
  WaHistorySync *self = (WaHistorySync *)object;

  g_object_unref (self->cancellable);

  G_OBJECT_CLASS (wa_history_sync_parent_class)->finalize (object);
}

static void
wa_history_sync_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  WaHistorySync *self = WA_HISTORY_SYNC (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->n_downloads > 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wa_history_sync_class_init (WaHistorySyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wa_history_sync_dispose;
  object_class->finalize = wa_history_sync_finalize;
  object_class->get_property = wa_history_sync_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHUNK_STORED] = g_signal_new ("chunk-stored", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
wa_history_sync_init (WaHistorySync *self)
{
  self->cancellable = g_cancellable_new ();
}

/* Public API */

/**
 * wa_history_sync_new:
 * @client: the client whose phone sends history
 * @messenger: the messenger of @client, which hands over the phone's
 *   notifications
 *
 * Returns: (transfer full): the history reader of @client
 */
WaHistorySync *
wa_history_sync_new (WaClient    *client,
                     WaMessenger *messenger)
{
  WaHistorySync *self;

  g_return_val_if_fail (WA_IS_CLIENT (client), NULL);
  g_return_val_if_fail (WA_IS_MESSENGER (messenger), NULL);

  self = g_object_new (WA_TYPE_HISTORY_SYNC, NULL);
  self->client = g_object_ref (client);
  self->messenger = g_object_ref (messenger);
  g_signal_connect (client, "notify::state", G_CALLBACK (client_state_cb), self);
  g_signal_connect (messenger, "protocol-message", G_CALLBACK (protocol_message_cb), self);
  return self;
}

/**
 * wa_history_sync_get_busy:
 *
 * Returns: whether a chunk is being downloaded
 */
gboolean
wa_history_sync_get_busy (WaHistorySync *self)
{
  g_return_val_if_fail (WA_IS_HISTORY_SYNC (self), FALSE);
  return self->n_downloads > 0;
}

/**
 * wa_history_sync_inflate:
 * @compressed: a history chunk as the phone sends it (zlib)
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the serialized HistorySync
 */
GBytes *
wa_history_sync_inflate (GBytes  *compressed,
                         GError **error)
{
  GByteArray *inflated;

  g_return_val_if_fail (compressed != NULL, NULL);

  inflated = wa_binary_inflate (g_bytes_get_data (compressed, NULL), g_bytes_get_size (compressed),
                                WA_HISTORY_SYNC_MAX_INFLATED, error);
  return inflated != NULL ? g_byte_array_free_to_bytes (inflated) : NULL;
}

/* Fields of LIDMigrationMappingSyncPayload and HistorySync. */
#define MIGRATION_MAPPINGS 1
#define HISTORY_SYNC_TYPE     1
#define HISTORY_CONVERSATIONS 2
#define HISTORY_PUSH_NAMES    7
#define HISTORY_LID_MAPPINGS  15
#define HISTORY_NCT_SALT      19

#define WIRE_VARINT 0
#define WIRE_LENGTH 2

/* Calls @read_record on each record of @message held in field @number,
 * unpacked alone with only its known fields, and frees it: a message of
 * many records, or of records carrying what this client does not read,
 * costs no more memory than its largest record. */
static gboolean
foreach_record (GBytes                           *message,
                guint                             number,
                const ProtobufCMessageDescriptor *descriptor,
                void                            (*read_record) (WaKeyStore             *store,
                                                                const ProtobufCMessage *record,
                                                                guint                  *n_kept),
                WaKeyStore                       *store,
                guint                            *n_kept,
                GError                          **error)
{
  const guint8 *end;
  const guint8 *at = wa_proto_bytes_range (message, &end);

  while (at < end)
    {
      WaProtoField field;
      ProtobufCMessage *record;

      if (!wa_proto_next_field (&at, end, &field))
        {
          g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "A record that does not parse");
          return FALSE;
        }
      if (field.number != number)
        continue;
      if (field.wire_type != WIRE_LENGTH)
        {
          g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "A record that does not parse");
          return FALSE;
        }
      record = wa_proto_unpack_known (descriptor, field.data, field.len, WA_HISTORY_SYNC_MAX_RECORD, error);
      if (record == NULL)
        return FALSE;
      read_record (store, record, n_kept);
      protobuf_c_message_free_unpacked (record, NULL);
    }
  return TRUE;
}

static void
read_lid_migration (WaKeyStore             *store,
                    const ProtobufCMessage *record,
                    guint                  *n_kept)
{
  const WaE2E__LIDMigrationMapping *mapping = (const WaE2E__LIDMigrationMapping *) record;
  guint64 lid = mapping->has_latestlid && mapping->latestlid != 0 ? mapping->latestlid : mapping->assignedlid;
  g_autofree char *pn_user = NULL;
  g_autofree char *lid_user = NULL;

  if (!mapping->has_pn || mapping->pn == 0 || lid == 0)
    return;
  pn_user = g_strdup_printf ("%" G_GUINT64_FORMAT, mapping->pn);
  lid_user = g_strdup_printf ("%" G_GUINT64_FORMAT, lid);
  *n_kept += wa_lid_map_remember (store, lid_user, pn_user);
}

/**
 * wa_history_sync_store_lid_migration:
 * @store: where the LID of each number is kept
 * @payload: a serialized LIDMigrationMappingSyncPayload, from the phone's
 *   LID migration message
 * @n_mappings: (out) (optional): how many numbers it named a LID for
 * @error: return location for a #GError
 *
 * Keeps the LID the phone gives each number (the latest when it changed),
 * so a reply from a LID finds its number and a first message its LID
 * (§6). When the phone moved is not kept: this client addresses as the
 * server's answers say, not by that flag. The mappings are read one at
 * a time: unpacked at once, the 8 million empty ones a 16 MB message
 * holds would take some 500 MB.
 *
 * Returns: whether the payload parsed
 */
gboolean
wa_history_sync_store_lid_migration (WaKeyStore  *store,
                                     GBytes      *payload,
                                     guint       *n_mappings,
                                     GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  guint n = 0;

  g_return_val_if_fail (WA_IS_KEY_STORE (store), FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);

  if (!foreach_record (payload, MIGRATION_MAPPINGS, &wa_e2_e__lidmigration_mapping__descriptor,
                       read_lid_migration, store, &n, &local_error))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "A LID migration that does not parse: %s",
                   local_error->message);
      return FALSE;
    }
  if (n_mappings != NULL)
    *n_mappings = n;
  return TRUE;
}

static void
read_lid_mapping (WaKeyStore             *store,
                  const ProtobufCMessage *record,
                  guint                  *n_kept)
{
  const WaHistory__PhoneNumberToLIDMapping *mapping = (const WaHistory__PhoneNumberToLIDMapping *) record;

  remember_pair (store, mapping->pnjid, mapping->lidjid);
}

static void
read_conversation (WaKeyStore             *store,
                   const ProtobufCMessage *record,
                   guint                  *n_kept)
{
  const WaHistory__Conversation *conversation = (const WaHistory__Conversation *) record;
  g_autofree char *lid = NULL;
  g_autoptr(GBytes) token = NULL;

  remember_pair (store, conversation->pnjid != NULL ? conversation->pnjid : conversation->id,
                 conversation->lidjid != NULL ? conversation->lidjid : conversation->id);
  if (!conversation->has_tctoken || conversation->tctoken.len == 0 || !conversation->has_tctokentimestamp)
    return;
  if ((lid = conversation_lid (store, conversation)) == NULL)
    return;
  token = g_bytes_new (conversation->tctoken.data, conversation->tctoken.len);
  wa_tctoken_save (store, lid, conversation->tctokentimestamp, token);
}

static void
read_push_name (WaKeyStore             *store,
                const ProtobufCMessage *record,
                guint                  *n_kept)
{
  const WaHistory__Pushname *pushname = (const WaHistory__Pushname *) record;
  g_autoptr(WaJid) jid = _wa_sync_parse_user (pushname->id);

  /* "-" is what the phone writes for a contact that set none. */
  if (jid != NULL && pushname->pushname != NULL && g_strcmp0 (pushname->pushname, "-") != 0)
    _wa_sync_save_text (store, WA_SYNC_KIND_PUSH_NAMES, wa_jid_get_user (jid), pushname->pushname);
}

/* The chunk's scalar fields, the last of each as protobuf has it, after
 * checking that every field is one the chunk may hold in that form. */
static gboolean
read_history_fields (GBytes   *history,
                     guint    *sync_type,
                     GBytes  **salt)
{
  const guint8 *end;
  const guint8 *at = wa_proto_bytes_range (history, &end);

  while (at < end)
    {
      WaProtoField field;
      int expected;

      if (!wa_proto_next_field (&at, end, &field))
        return FALSE;
      switch (field.number)
        {
        case HISTORY_SYNC_TYPE:
          expected = WIRE_VARINT;
          *sync_type = field.value;
          break;
        case HISTORY_NCT_SALT:
          expected = WIRE_LENGTH;
          g_clear_pointer (salt, g_bytes_unref);
          *salt = field.len > 0 ? g_bytes_new (field.data, field.len) : NULL;
          break;
        case HISTORY_CONVERSATIONS:
        case HISTORY_PUSH_NAMES:
        case HISTORY_LID_MAPPINGS:
          expected = WIRE_LENGTH;
          break;
        default:
          expected = field.wire_type;
        }
      if ((int) field.wire_type != expected)
        return FALSE;
    }
  return TRUE;
}

/**
 * wa_history_sync_store:
 * @store: where to keep what the chunk says
 * @history: a serialized HistorySync
 * @sync_type: (out) (optional): the chunk's sync type
 * @error: return location for a #GError
 *
 * Keeps what this app needs of a chunk (§3.4): the push names of
 * contacts, the LID of each number, the privacy token each contact
 * issued to us (keyed by its LID, never replacing a newer one) and the
 * account's NCT salt. The chunk is read one record at a time, and of
 * each record only those fields: a chunk of tiny records, which
 * protobuf-c unpacks to 80 times their size, or of chats full of
 * messages, takes no more memory than its largest record's fields,
 * WA_HISTORY_SYNC_MAX_RECORD.
 *
 * Returns: whether the chunk parsed
 */
gboolean
wa_history_sync_store (WaKeyStore  *store,
                       GBytes      *history,
                       guint       *sync_type,
                       GError     **error)
{
  g_autoptr(GBytes) salt = NULL;
  g_autoptr(GError) local_error = NULL;
  guint type = 0;

  g_return_val_if_fail (WA_IS_KEY_STORE (store), FALSE);
  g_return_val_if_fail (history != NULL, FALSE);

  if (!read_history_fields (history, &type, &salt))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "A history chunk that does not parse");
      return FALSE;
    }
  /* Mappings first: the tokens of the chats are filed under LIDs. */
  if (!foreach_record (history, HISTORY_LID_MAPPINGS, &wa_history__phone_number_to_lidmapping__descriptor,
                       read_lid_mapping, store, NULL, &local_error) ||
      !foreach_record (history, HISTORY_CONVERSATIONS, &wa_history__conversation__descriptor,
                       read_conversation, store, NULL, &local_error) ||
      !foreach_record (history, HISTORY_PUSH_NAMES, &wa_history__pushname__descriptor,
                       read_push_name, store, NULL, &local_error))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "A history chunk that does not parse: %s",
                   local_error->message);
      return FALSE;
    }
  if (salt != NULL)
    wa_key_store_save (store, WA_NCT_SALT_KIND, WA_NCT_SALT_KEY, salt);
  if (sync_type != NULL)
    *sync_type = type;
  return TRUE;
}
