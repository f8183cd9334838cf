/* wa-messenger.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-messenger"

#include "config.h"

#include <string.h>

#include "wa-e2e.pb-c.h"
#include "wa-error.h"
#include "wa-messenger-private.h"
#include "wa-lid-map.h"
#include "wa-pairing.h"
#include "wa-privacy-token.h"
#include "wa-privacy.h"
#include "wa-proto.h"
#include "wa-signal.h"
#include "wa-usync.h"

/*
 * Sending (protocol notes §7): the recipient's devices and our own come
 * from usync, cached, since asking for every message is what gets
 * accounts rate-limited (§13); a device without a session gets one from
 * its prekey bundle; each device gets the message encrypted for it (our
 * own other devices a DeviceSentMessage copy naming the chat), all in one
 * stanza; the server's ack says it took it.
 *
 * Receiving (§8): each <enc> is decrypted with the sending device's
 * session, unpadded and parsed; the sender gets a receipt, or a retry
 * receipt when it did not decrypt, so it sends again with a new session.
 */

/* Device lists change when someone links or unlinks a device; the server
 * says so with a devices notification, which empties the entry. The age
 * limit covers a notification lost with a connection. */
#define DEVICE_LIST_MAX_AGE_S (60 * 60)

/* Both reference clients stop asking for a resend after five tries; we
 * answer a device at most as often for one message, whatever count its
 * receipt claims. */
#define MAX_RETRY_COUNT 5

/* What we sent lately, to encrypt again for a device that could not
 * decrypt it (whatsmeow keeps as many). */
#define SENT_CACHE_SIZE 256

/* A device that keeps failing to decrypt gets a new session from the
 * server's bundle at most this often, as whatsmeow does: each new
 * session takes one of its one-time prekeys, and a device asking on
 * purpose would drain them. */
#define SESSION_RECREATE_INTERVAL_US ((gint64) 60 * 60 * G_USEC_PER_SEC)

typedef struct
{
  char       *to;        /* the chat: the recipient's user JID */
  GBytes     *content;   /* the serialized Message the recipient got */
  char       *mediatype; /* its kind of media, or NULL for text */
  GHashTable *answered;  /* device JID text -> resends to it (GUINT_TO_POINTER) */
} SentMessage;

/* Device lists kept: a few batches of recipients ahead and behind (and
 * our own, used by every send), so memory does not grow with a campaign;
 * a list dropped is asked for again, in the next batch query. */
#define DEVICE_LIST_CACHE_SIZE 1024

typedef struct
{
  GList      link;      /* in device_order; data is the list */
  char      *user;      /* the key in device_lists */
  GPtrArray *devices;   /* WaJid* */
  gint64     fetched;   /* monotonic, seconds */
} DeviceList;

struct _WaMessenger
{
  GObject     parent_instance;

  WaClient   *client;
  WaPrivacy  *privacy;
  WaSignal   *signal;        /* for the credentials below; made on first use */
  const WaCredentials *signal_credentials;
  GHashTable *device_lists;  /* user JID text -> DeviceList */
  GQueue      device_order;  /* DeviceList*, least recently used first */
  guint       device_lists_max;
  GHashTable *sent;          /* sent_key() -> SentMessage */
  GQueue      sent_order;    /* sent_key()s, oldest first */
  GHashTable *recreated;     /* device JID text -> gint64*: when its session was last started over */
  WaMessengerClock clock;
  gpointer    clock_data;
  GThread    *owner;         /* the client's thread, made on it and used only from it */
  GPtrArray  *unresolved;    /* Unresolved*: from LIDs we have no number for, oldest first */
  guint       unresolved_check_ms; /* how often they are looked at again */
  guint       unresolved_wait_ms;  /* how long one waits at most */
  guint       unresolved_max;
  GHashTable *unconfirmed;   /* message id -> GPtrArray of WaNode*: receipts waiting for wa_messenger_confirm () */
  gboolean    keeping;       /* someone stores customers' messages now (wa_messenger_set_keeping ()) */
  GSource    *unresolved_timer;
};

#define assert_owner(self) g_assert ((self)->owner == g_thread_self ())

G_DEFINE_FINAL_TYPE (WaMessenger, wa_messenger, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (WaIncomingMessage, wa_incoming_message, wa_incoming_message_copy, wa_incoming_message_free)

enum {
  MESSAGE,
  RECEIPT,
  PROTOCOL_MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

WaIncomingMessage *
wa_incoming_message_copy (const WaIncomingMessage *message)
{
  WaIncomingMessage *copy = g_new0 (WaIncomingMessage, 1);

  copy->id = g_strdup (message->id);
  copy->sender = g_strdup (message->sender);
  copy->chat = g_strdup (message->chat);
  copy->text = g_strdup (message->text);
  if (message->media != NULL)
    {
      const WaIncomingMedia *media = message->media;

      copy->media = g_memdup2 (media, sizeof *media);
      copy->media->mimetype = g_strdup (media->mimetype);
      copy->media->file_name = g_strdup (media->file_name);
      copy->media->direct_path = g_strdup (media->direct_path);
      copy->media->media_key = g_bytes_ref (media->media_key);
      copy->media->file_sha256 = g_bytes_ref (media->file_sha256);
      copy->media->file_enc_sha256 = g_bytes_ref (media->file_enc_sha256);
      copy->media->jpeg_thumbnail = media->jpeg_thumbnail != NULL ? g_bytes_ref (media->jpeg_thumbnail) : NULL;
    }
  copy->push_name = g_strdup (message->push_name);
  copy->timestamp = message->timestamp;
  copy->offline = message->offline;
  return copy;
}

void
wa_incoming_message_free (WaIncomingMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->id);
  g_free (message->sender);
  g_free (message->chat);
  g_free (message->text);
  wa_incoming_media_free (message->media);
  g_free (message->push_name);
  g_free (message);
}

/**
 * wa_incoming_media_free:
 * @media: (transfer full) (nullable): a message's media
 */
void
wa_incoming_media_free (WaIncomingMedia *media)
{
  if (media == NULL)
    return;
  g_free (media->mimetype);
  g_free (media->file_name);
  g_free (media->direct_path);
  g_clear_pointer (&media->media_key, g_bytes_unref);
  g_clear_pointer (&media->file_sha256, g_bytes_unref);
  g_clear_pointer (&media->file_enc_sha256, g_bytes_unref);
  g_clear_pointer (&media->jpeg_thumbnail, g_bytes_unref);
  g_free (media);
}

static void
sent_message_free (SentMessage *sent)
{
  g_free (sent->to);
  g_bytes_unref (sent->content);
  g_free (sent->mediatype);
  g_hash_table_unref (sent->answered);
  g_free (sent);
}

static char *sent_key (WaMessenger *self,
                       const char  *chat,
                       const char  *id);

static void
remember_sent (WaMessenger *self,
               const char  *id,
               const char  *to,
               GBytes      *content,
               const char  *mediatype)
{
  g_autofree char *key = sent_key (self, to, id);
  SentMessage *sent;

  if (key == NULL || g_hash_table_contains (self->sent, key))
    return;
  sent = g_new0 (SentMessage, 1);
  sent->to = g_strdup (to);
  sent->content = g_bytes_ref (content);
  sent->mediatype = g_strdup (mediatype);
  sent->answered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_insert (self->sent, g_strdup (key), sent);
  g_queue_push_tail (&self->sent_order, g_steal_pointer (&key));
  while (self->sent_order.length > SENT_CACHE_SIZE)
    {
      g_autofree char *oldest = g_queue_pop_head (&self->sent_order);

      g_hash_table_remove (self->sent, oldest);
    }
}

static void
device_list_free (DeviceList *list)
{
  g_free (list->user);
  g_ptr_array_unref (list->devices);
  g_free (list);
}

static void
forget_device_list (WaMessenger *self,
                    DeviceList  *list)
{
  g_queue_unlink (&self->device_order, &list->link);
  g_hash_table_remove (self->device_lists, list->user);
}

/* The account behind a device: "62812…:3@s.whatsapp.net" -> "62812…@s.whatsapp.net". */
static char *
user_of (WaJid *device)
{
  g_autoptr(WaJid) user = wa_jid_to_non_ad (device);

  return wa_jid_to_string (user);
}

/* A number attribute, or 0 when it is absent or not a number. */
static guint64
attr_number (WaNode     *node,
             const char *name,
             guint64     max)
{
  const char *text = wa_node_get_attr (node, name);
  guint64 value = 0;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, max, &value, NULL))
    return 0;
  return value;
}

static WaSignal *
ensure_signal (WaMessenger  *self,
               GError      **error)
{
  const WaCredentials *credentials = wa_client_get_credentials (self->client);

  if (credentials == NULL || wa_client_get_device_jid (self->client) == NULL)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_LOGGED_OUT, "This computer is not linked to WhatsApp");
      return NULL;
    }
  /* Linked again: new keys, new sessions. */
  if (self->signal != NULL && self->signal_credentials != credentials)
    g_clear_object (&self->signal);
  if (self->signal == NULL)
    {
      self->signal = wa_signal_new (wa_client_get_key_store (self->client), credentials, error);
      self->signal_credentials = credentials;
    }
  return self->signal;
}

static WaConnection *
connection_or_error (WaMessenger  *self,
                     GError      **error)
{
  WaConnection *connection = wa_client_get_connection (self->client);

  if (wa_client_get_state (self->client) != WA_CLIENT_STATE_CONNECTED || connection == NULL)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_CONNECTION_CLOSED, "Not connected to WhatsApp");
      return NULL;
    }
  return connection;
}

/* Whether @device is one of this account's, under its number or its LID. */
static gboolean
is_own_account (WaMessenger *self,
                WaJid       *device)
{
  g_autoptr(WaJid) own = wa_jid_parse (wa_client_get_device_jid (self->client), NULL);
  g_autoptr(WaJid) own_lid = wa_client_get_lid (self->client) != NULL ?
                             wa_jid_parse (wa_client_get_lid (self->client), NULL) : NULL;
  const char *user = wa_jid_get_user (device);

  if (wa_jid_is_lid (device))
    return own_lid != NULL && g_strcmp0 (wa_jid_get_user (own_lid), user) == 0;
  return own != NULL && g_strcmp0 (wa_jid_get_user (own), user) == 0;
}

/* What a sent message is kept under: its chat and its id, so that a
 * device can only name messages sent to its own account. A chat named by
 * a LID whose number we know is kept under the number, which is how we
 * write to people; a receipt from either finds it. */
static char *
sent_key (WaMessenger *self,
          const char  *chat,
          const char  *id)
{
  g_autoptr(WaJid) jid = wa_jid_parse (chat, NULL);
  g_autofree char *pn_user = NULL;

  if (jid == NULL)
    return NULL;
  if (wa_jid_is_lid (jid) &&
      (pn_user = wa_lid_map_pn_of_lid (wa_client_get_key_store (self->client), wa_jid_get_user (jid))) != NULL)
    return g_strdup_printf ("%s@s.whatsapp.net %s", pn_user, id);
  return g_strdup_printf ("%s %s", chat, id);
}

/* For a message from a LID device: the same device under its phone
 * number, when the message says it (sender_pn) or we learned it. */
static WaJid *
pn_device_of (WaMessenger *self,
              WaNode      *message,
              WaJid       *sender)
{
  g_autoptr(WaJid) named = NULL;
  g_autofree char *pn_user = NULL;
  const char *sender_pn = wa_node_get_attr (message, "sender_pn");

  if (!wa_jid_is_lid (sender))
    return NULL;
  if (sender_pn != NULL && (named = wa_jid_parse (sender_pn, NULL)) != NULL && wa_jid_is_pn (named))
    {
      wa_lid_map_remember (wa_client_get_key_store (self->client), wa_jid_get_user (sender),
                           wa_jid_get_user (named));
      pn_user = g_strdup (wa_jid_get_user (named));
    }
  else
    pn_user = wa_lid_map_pn_of_lid (wa_client_get_key_store (self->client), wa_jid_get_user (sender));
  if (pn_user == NULL)
    return NULL;
  return wa_jid_new_device (pn_user, "s.whatsapp.net", wa_jid_get_device (sender));
}

/* Sending */

typedef struct
{
  char      *to;        /* the recipient's user JID */
  char      *own;       /* ours */
  WaJid     *own_device;
  char      *id;
  GBytes    *content;   /* the serialized Message for the recipient */
  char      *mediatype; /* NULL for text */
  GPtrArray *targets;   /* WaJid*: every device the message goes to */
  WaNode    *stanza;    /* once encrypted */
} Send;

static void
send_free (Send *send)
{
  g_free (send->to);
  g_free (send->own);
  g_clear_pointer (&send->own_device, wa_jid_unref);
  g_free (send->id);
  g_clear_pointer (&send->content, g_bytes_unref);
  g_free (send->mediatype);
  g_clear_pointer (&send->targets, g_ptr_array_unref);
  g_clear_pointer (&send->stanza, wa_node_unref);
  g_free (send);
}

static GPtrArray *
cached_devices (WaMessenger *self,
                const char  *user)
{
  DeviceList *list = g_hash_table_lookup (self->device_lists, user);

  if (list == NULL || g_get_monotonic_time () / G_USEC_PER_SEC - list->fetched > DEVICE_LIST_MAX_AGE_S)
    return NULL;
  g_queue_unlink (&self->device_order, &list->link);
  g_queue_push_tail_link (&self->device_order, &list->link);
  return list->devices;
}

static void encrypt_and_send (GTask *task);
static void flush_unresolved (WaMessenger *self,
                              gboolean     all);
static void send_or_log (WaMessenger *self,
                         WaNode      *node);
static void start_sessions (GTask *task);

/* Every device of the recipient and of us but this one. */
static gboolean
collect_targets (GTask   *task,
                 GError **error)
{
  WaMessenger *self = g_task_get_source_object (task);
  Send *send = g_task_get_task_data (task);
  GPtrArray *theirs = cached_devices (self, send->to);
  GPtrArray *ours = cached_devices (self, send->own);

  if (theirs == NULL || theirs->len == 0)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_NOT_ON_WHATSAPP, "This number is not on WhatsApp");
      return FALSE;
    }
  /* Checked once the device list named the LID its tokens are kept by. */
  if (g_strcmp0 (send->to, send->own) != 0 && !wa_privacy_check_new_chat (self->privacy, send->to, error))
    return FALSE;
  send->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_jid_unref);
  for (guint i = 0; i < theirs->len; i++)
    g_ptr_array_add (send->targets, wa_jid_ref (g_ptr_array_index (theirs, i)));
  for (guint i = 0; ours != NULL && i < ours->len; i++)
    if (!wa_jid_equal (g_ptr_array_index (ours, i), send->own_device))
      g_ptr_array_add (send->targets, wa_jid_ref (g_ptr_array_index (ours, i)));
  return TRUE;
}

static void
remember_devices (WaMessenger *self,
                  const char  *user,
                  GPtrArray   *devices)
{
  DeviceList *list = g_hash_table_lookup (self->device_lists, user);

  if (list != NULL)
    forget_device_list (self, list);
  list = g_new0 (DeviceList, 1);
  list->link.data = list;
  list->user = g_strdup (user);
  list->devices = g_ptr_array_ref (devices);
  list->fetched = g_get_monotonic_time () / G_USEC_PER_SEC;
  g_hash_table_insert (self->device_lists, list->user, list);
  g_queue_push_tail_link (&self->device_order, &list->link);
  while (self->device_order.length > self->device_lists_max)
    forget_device_list (self, self->device_order.head->data);
}

/* Keeps what a device-list answer says: each account it answered about
 * gets its list (an empty one when it has no device, so a send to it
 * fails at once as not on WhatsApp), and the LIDs it named are learned.
 * Returns the lists by account, or %NULL for an answer that does not
 * parse. */
static GHashTable *
remember_device_answer (WaMessenger  *self,
                        WaNode       *answer,
                        GError      **error)
{
  g_autoptr(GPtrArray) listed = wa_usync_parse_devices (answer, error);
  g_autoptr(GHashTable) lids = NULL;
  GHashTable *by_user;
  WaNode *list;
  g_autoptr(GPtrArray) users = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (listed == NULL)
    return NULL;
  by_user = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  list = wa_node_get_child_by_tag (wa_node_get_child_by_tag (answer, "usync"), "list");
  users = wa_node_get_children_by_tag (list, "user");
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      const char *jid = wa_node_get_attr (g_ptr_array_index (users, i), "jid");

      if (jid != NULL)
        g_hash_table_insert (by_user, g_strdup (jid), g_ptr_array_new_with_free_func ((GDestroyNotify) wa_jid_unref));
    }
  for (guint i = 0; i < listed->len; i++)
    {
      g_autoptr(WaJid) device = wa_jid_parse (g_ptr_array_index (listed, i), NULL);
      g_autofree char *user = device != NULL ? user_of (device) : NULL;
      GPtrArray *devices = user != NULL ? g_hash_table_lookup (by_user, user) : NULL;

      if (devices != NULL)
        g_ptr_array_add (devices, g_steal_pointer (&device));
    }
  g_hash_table_iter_init (&iter, by_user);
  while (g_hash_table_iter_next (&iter, &key, &value))
    remember_devices (self, key, value);

  lids = wa_usync_parse_lids (answer);
  g_hash_table_iter_init (&iter, lids);
  while (g_hash_table_iter_next (&iter, &key, &value))
    wa_lid_map_remember (wa_client_get_key_store (self->client), key, value);
  if (self->unresolved->len > 0)
    flush_unresolved (self, FALSE);
  return by_user;
}

/* Builds a session from each bundle an answer holds, for the devices that
 * still have none: a send that got there first keeps its own. */
static void
build_sessions (WaMessenger *self,
                GPtrArray   *answers)
{
  for (guint i = 0; i < answers->len; i++)
    {
      WaSignalBundleAnswer *bundle = g_ptr_array_index (answers, i);
      g_autoptr(GError) error = NULL;

      if (bundle->error != NULL)
        g_debug ("No keys for a device: %s", bundle->error->message);
      else if (!wa_signal_has_session (self->signal, bundle->device) &&
               !wa_signal_build_session (self->signal, bundle->device, &bundle->bundle, &error))
        g_debug ("No session with a device: %s", error->message);
    }
}

/* Who we are, for the devices that meet us with @message (§7.7). */
static void
attach_device_identity (WaMessenger *self,
                        WaNode      *message)
{
  g_autoptr(GBytes) account = wa_pairing_load_account (wa_client_get_key_store (self->client));

  if (account != NULL)
    wa_node_set_content_bytes (wa_node_add_child (message, wa_node_new ("device-identity")), account);
}

static void
devices_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WaMessenger *self = g_task_get_source_object (task);
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GHashTable) by_user = NULL;
  GError *error = NULL;

  answer = wa_connection_send_iq_finish (WA_CONNECTION (object), result, &error);
  if (answer == NULL || (by_user = remember_device_answer (self, answer, &error)) == NULL ||
      !collect_targets (task, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  start_sessions (g_steal_pointer (&task));
}

static void
fetch_devices (GTask *task)
{
  WaMessenger *self = g_task_get_source_object (task);
  Send *send = g_task_get_task_data (task);
  const char *users[] = { send->to, send->own, NULL };
  g_autoptr(WaNode) iq = NULL;
  GError *error = NULL;
  WaConnection *connection;

  if (cached_devices (self, send->to) != NULL && cached_devices (self, send->own) != NULL)
    {
      if (!collect_targets (task, &error))
        {
          g_task_return_error (task, error);
          g_object_unref (task);
          return;
        }
      start_sessions (task);
      return;
    }
  if ((connection = connection_or_error (self, &error)) == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (g_strcmp0 (send->to, send->own) == 0)
    users[1] = NULL;
  iq = wa_usync_devices_request (users);
  wa_connection_send_iq_async (connection, iq, WA_CONNECTION_IQ_TIMEOUT_MS, g_task_get_cancellable (task),
                               devices_cb, task);
}

static void
bundles_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WaMessenger *self = g_task_get_source_object (task);
  Send *send = g_task_get_task_data (task);
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GPtrArray) answers = NULL;
  GError *error = NULL;

  answer = wa_connection_send_iq_finish (WA_CONNECTION (object), result, &error);
  if (answer == NULL || (answers = wa_signal_parse_bundles (answer, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  build_sessions (self, answers);

  /* A device without a session cannot read the message; the others can. */
  for (guint i = send->targets->len; i > 0; i--)
    if (!wa_signal_has_session (self->signal, g_ptr_array_index (send->targets, i - 1)))
      g_ptr_array_remove_index (send->targets, i - 1);
  encrypt_and_send (g_steal_pointer (&task));
}

static void
start_sessions (GTask *task)
{
  WaMessenger *self = g_task_get_source_object (task);
  Send *send = g_task_get_task_data (task);
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_jid_unref);
  g_autoptr(WaNode) iq = NULL;
  GError *error = NULL;
  WaConnection *connection;

  for (guint i = 0; i < send->targets->len; i++)
    if (!wa_signal_has_session (self->signal, g_ptr_array_index (send->targets, i)))
      g_ptr_array_add (missing, wa_jid_ref (g_ptr_array_index (send->targets, i)));
  if (missing->len == 0)
    {
      encrypt_and_send (task);
      return;
    }
  if ((connection = connection_or_error (self, &error)) == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  iq = wa_signal_bundles_request (missing, FALSE);
  wa_connection_send_iq_async (connection, iq, WA_CONNECTION_IQ_TIMEOUT_MS, g_task_get_cancellable (task),
                               bundles_cb, task);
}

static GBytes *
pack_text (const char *text)
{
  WaE2E__Message message = WA_E2_E__MESSAGE__INIT;

  message.conversation = (char *) text;
  return wa_proto_pack (&message.base);
}

/* A length-delimited field: its tag (number << 3 | 2) and its length as
 * varints, then its bytes. */
static guint8 *
put_field (guint8       *at,
           guint         number,
           const guint8 *data,
           gsize         len)
{
  at = wa_proto_put_varint (at, number << 3 | 2);
  at = wa_proto_put_varint (at, len);
  if (len > 0)
    memcpy (at, data, len);
  return at + len;
}

/*
 * _wa_messenger_pack_sent_copy:
 * @chat: the recipient's account JID
 * @content: a serialized Message
 *
 * The copy for our own other devices (§7.5): a Message whose
 * deviceSentMessage (31) holds @chat as destinationJID (1) and @content
 * as message (2). @content is wrapped as it is, not parsed and packed
 * again: the bytes are what protobuf-c writes for the same fields (in
 * the order of their numbers), for every message we pack.
 */
GBytes *
_wa_messenger_pack_sent_copy (const char *chat,
                              GBytes     *content)
{
  gsize chat_len = strlen (chat);
  gsize content_len = g_bytes_get_size (content);
  gsize sent_len = 1 + wa_proto_varint_size (chat_len) + chat_len + 1 + wa_proto_varint_size (content_len) +
                   content_len;
  gsize size = wa_proto_varint_size (31 << 3 | 2) + wa_proto_varint_size (sent_len) + sent_len;
  guint8 *data = g_malloc (size);
  guint8 *at = data;

  at = wa_proto_put_varint (at, 31 << 3 | 2);
  at = wa_proto_put_varint (at, sent_len);
  at = put_field (at, 1, (const guint8 *) chat, chat_len);
  at = put_field (at, 2, g_bytes_get_data (content, NULL), content_len);
  g_assert (at == data + size);
  return g_bytes_new_take (data, size);
}

/* A message with media is sent as type "media" and says which on each
 * part (§10.4). */
static WaNode *
new_enc (WaSignalMessageType  type,
         const char          *mediatype,
         GBytes              *ciphertext)
{
  WaNode *enc = wa_node_new_with_attrs ("enc", "v", "2", "type", wa_signal_message_type_to_string (type), NULL);

  if (mediatype != NULL)
    wa_node_set_attr (enc, "mediatype", mediatype);
  wa_node_set_content_bytes (enc, ciphertext);
  return enc;
}

static void
acked_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WaMessenger *self = g_task_get_source_object (task);
  Send *send = g_task_get_task_data (task);
  g_autoptr(WaNode) ack = NULL;
  GError *error = NULL;

  ack = wa_connection_send_message_finish (WA_CONNECTION (object), result, &error);
  if (ack == NULL)
    {
      /* 479 is our defect, not the recipient's: the stanza did not pass
       * the server's validation, and its id is what a bug report needs. */
      if (g_error_matches (error, WA_ERROR, WA_ERROR_INVALID_STANZA))
        g_warning ("WhatsApp found message %s malformed (479): this is a defect in Xender-In, please report it",
                   send->id);
      wa_privacy_refused (self->privacy, send->to, error);
      g_task_return_error (task, error);
      return;
    }
  remember_sent (self, send->id, send->to, send->content, send->mediatype);
  if (g_strcmp0 (send->to, send->own) != 0)
    wa_privacy_sent (self->privacy, send->to);
  g_task_return_boolean (task, TRUE);
}

typedef struct
{
  GTask              *task;
  WaNode             *stanza;
  GAsyncReadyCallback acked;
} Saving;

static void
stanza_saved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Saving *saving = user_data;
  GTask *task = saving->task;
  WaMessenger *self = g_task_get_source_object (task);
  GError *error = NULL;
  WaConnection *connection;

  if (!wa_key_store_flush_finish (WA_KEY_STORE (object), result, &error) ||
      (connection = connection_or_error (self, &error)) == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
    }
  else
    wa_connection_send_message_async (connection, saving->stanza, WA_MESSENGER_ACK_TIMEOUT_MS,
                                      g_task_get_cancellable (task), saving->acked, task);
  wa_node_unref (saving->stanza);
  g_free (saving);
}

/* The sessions moved on as we encrypted; they are saved before the
 * message leaves, or after a crash the same keys would be used for
 * another message, which the recipient would drop as a replay. */
static void
send_when_saved (GTask               *task,
                 WaNode              *stanza,
                 GAsyncReadyCallback  acked)
{
  WaMessenger *self = g_task_get_source_object (task);
  Saving *saving = g_new0 (Saving, 1);

  saving->task = task;
  saving->stanza = wa_node_ref (stanza);
  saving->acked = acked;
  wa_key_store_flush_async (wa_client_get_key_store (self->client), g_task_get_cancellable (task),
                            stanza_saved_cb, saving);
}

static void
encrypt_and_send (GTask *task)
{
  WaMessenger *self = g_task_get_source_object (task);
  Send *send = g_task_get_task_data (task);
  g_autoptr(GBytes) for_us = _wa_messenger_pack_sent_copy (send->to, send->content);
  g_autoptr(WaNode) message = wa_node_new_with_attrs ("message", "id", send->id,
                                                      "type", send->mediatype != NULL ? "media" : "text",
                                                      "to", send->to, NULL);
  WaNode *participants = wa_node_add_child (message, wa_node_new ("participants"));
  gboolean reaches_them = FALSE;
  gboolean starts_session = FALSE;
  GError *error = NULL;

  for (guint i = 0; i < send->targets->len; i++)
    {
      WaJid *device = g_ptr_array_index (send->targets, i);
      g_autofree char *user = user_of (device);
      g_autofree char *device_text = wa_jid_to_string (device);
      gboolean theirs = g_strcmp0 (user, send->to) == 0;
      g_autoptr(GBytes) padded = wa_signal_pad (theirs ? send->content : for_us);
      g_autoptr(GBytes) ciphertext = NULL;
      WaSignalMessageType type;
      WaNode *to;

      ciphertext = wa_signal_encrypt (self->signal, device, padded, &type, &error);
      if (ciphertext == NULL)
        {
          g_task_return_error (task, error);
          g_object_unref (task);
          return;
        }
      reaches_them |= theirs;
      starts_session |= type == WA_SIGNAL_MESSAGE_PKMSG;
      to = wa_node_add_child (participants, wa_node_new_with_attrs ("to", "jid", device_text, NULL));
      wa_node_add_child (to, new_enc (type, send->mediatype, ciphertext));
    }
  if (!reaches_them)
    {
      g_task_return_new_error (task, WA_ERROR, WA_ERROR_CRYPTO,
                               "Could not start a secure session with any of the recipient's devices");
      g_object_unref (task);
      return;
    }

  if (starts_session)
    attach_device_identity (self, message);
  /* Not on notes to ourselves: a token on a peer message gets a 479. */
  if (g_strcmp0 (send->to, send->own) != 0)
    {
      WaNode *token = wa_privacy_token_node (self->privacy, send->to);

      if (token != NULL)
        wa_node_add_child (message, token);
    }

  send->stanza = g_steal_pointer (&message);
  send_when_saved (task, send->stanza, acked_cb);
}

/* Sends @content to every device of @to and a copy to our own; the
 * public entry points only differ in what @content holds. */
static void
start_send (WaMessenger         *self,
            const char          *to,
            const char          *id,
            GBytes              *content,
            const char          *mediatype,
            GTask               *task)
{
  g_autoptr(WaJid) recipient = NULL;
  GError *error = NULL;
  Send *send;

  recipient = wa_jid_parse (to, &error);
  if (recipient == NULL || !wa_jid_is_user (recipient) || wa_jid_get_device (recipient) != 0)
    {
      g_clear_error (&error);
      g_task_return_new_error (task, WA_ERROR, WA_ERROR_MALFORMED, "Not an account to send to: %s", to);
      g_object_unref (task);
      return;
    }
  /* Not connected: fail before any session moves on. */
  if (ensure_signal (self, &error) == NULL || connection_or_error (self, &error) == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  send = g_new0 (Send, 1);
  send->to = wa_jid_to_string (recipient);
  send->own_device = wa_jid_parse (wa_client_get_device_jid (self->client), NULL);
  send->own = user_of (send->own_device);
  send->id = g_strdup (id);
  send->content = g_bytes_ref (content);
  send->mediatype = g_strdup (mediatype);
  g_task_set_task_data (task, send, (GDestroyNotify) send_free);
  fetch_devices (task);
}

/**
 * wa_messenger_send_text_async:
 * @self: a messenger
 * @to: the recipient's user JID ("62812…@s.whatsapp.net")
 * @id: the message id, chosen by the caller and kept for retries: the
 *   same id is the same message to the recipient's phone
 * @text: the text
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the server acked the message, or it failed
 * @user_data: for @callback
 *
 * Sends @text to every device of @to, and a copy to our own other
 * devices. Fails with %WA_ERROR_NOT_ON_WHATSAPP when @to has no devices,
 * %WA_ERROR_CONNECTION_CLOSED when not connected, %WA_ERROR_TIME_LOCKED
 * (without trying) for a new chat under a reach-out time-lock, or the
 * server's refusal (%WA_ERROR_NEEDS_PRIVACY_TOKEN, %WA_ERROR_INVALID_STANZA,
 * %WA_ERROR_REFUSED).
 */
void
wa_messenger_send_text_async (WaMessenger         *self,
                              const char          *to,
                              const char          *id,
                              const char          *text,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GBytes) content = NULL;
  GTask *task;

  g_return_if_fail (WA_IS_MESSENGER (self));
  g_return_if_fail (to != NULL && id != NULL && text != NULL);
  assert_owner (self);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wa_messenger_send_text_async);
  content = pack_text (text);
  start_send (self, to, id, content, NULL, task);
}

static GBytes *
pack_media (const WaMediaMessage *media)
{
  WaE2E__Message message = WA_E2_E__MESSAGE__INIT;
  WaE2E__ImageMessage image = WA_E2_E__IMAGE_MESSAGE__INIT;
  WaE2E__DocumentMessage document = WA_E2_E__DOCUMENT_MESSAGE__INIT;
  const WaMediaUpload *upload = media->upload;

#define FILL(m) \
  G_STMT_START { \
    (m).url = upload->url; \
    (m).mimetype = (char *) media->mimetype; \
    (m).caption = (char *) media->caption; \
    (m).has_filesha256 = (m).has_fileencsha256 = (m).has_mediakey = TRUE; \
    (m).filesha256.data = (guint8 *) g_bytes_get_data (upload->file_sha256, &(m).filesha256.len); \
    (m).fileencsha256.data = (guint8 *) g_bytes_get_data (upload->file_enc_sha256, &(m).fileencsha256.len); \
    (m).mediakey.data = (guint8 *) g_bytes_get_data (upload->media_key, &(m).mediakey.len); \
    (m).has_filelength = (m).has_mediakeytimestamp = TRUE; \
    (m).filelength = upload->file_length; \
    (m).mediakeytimestamp = upload->media_key_timestamp; \
    (m).directpath = upload->direct_path; \
    if (media->jpeg_thumbnail != NULL) \
      { \
        (m).has_jpegthumbnail = TRUE; \
        (m).jpegthumbnail.data = (guint8 *) g_bytes_get_data (media->jpeg_thumbnail, &(m).jpegthumbnail.len); \
      } \
  } G_STMT_END

  if (media->type == WA_MEDIA_IMAGE)
    {
      FILL (image);
      image.has_width = image.has_height = media->width > 0 && media->height > 0;
      image.width = media->width;
      image.height = media->height;
      message.imagemessage = &image;
    }
  else
    {
      FILL (document);
      document.filename = (char *) media->file_name;
      document.title = (char *) media->file_name;
      document.has_pagecount = media->page_count > 0;
      document.pagecount = media->page_count;
      message.documentmessage = &document;
    }
#undef FILL
  return wa_proto_pack (&message.base);
}

/**
 * wa_messenger_send_media_async:
 * @self: a messenger
 * @to: the recipient's user JID
 * @id: the message id, as for wa_messenger_send_text_async()
 * @media: an uploaded picture or document and what to say about it
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the server acked the message, or it failed
 * @user_data: for @callback
 *
 * Sends a message that refers to an upload, as forwarding does: any
 * number of recipients can be sent the same upload. Fails as
 * wa_messenger_send_text_async() does.
 */
void
wa_messenger_send_media_async (WaMessenger          *self,
                               const char           *to,
                               const char           *id,
                               const WaMediaMessage *media,
                               GCancellable         *cancellable,
                               GAsyncReadyCallback   callback,
                               gpointer              user_data)
{
  g_autoptr(GBytes) content = NULL;
  GTask *task;

  g_return_if_fail (WA_IS_MESSENGER (self));
  g_return_if_fail (to != NULL && id != NULL && media != NULL && media->upload != NULL);
  g_return_if_fail (media->type == WA_MEDIA_IMAGE || media->type == WA_MEDIA_DOCUMENT);
  g_return_if_fail (media->mimetype != NULL);
  assert_owner (self);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wa_messenger_send_media_async);
  content = pack_media (media);
  start_send (self, to, id, content, wa_media_type_mms (media->type), task);
}

/**
 * wa_messenger_send_text_finish:
 *
 * Also finishes wa_messenger_send_media_async().
 *
 * Returns: whether the server took the message
 */
gboolean
wa_messenger_send_text_finish (WaMessenger   *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
bundles_prefetched_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(WaMessenger) self = user_data;
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GPtrArray) answers = NULL;
  g_autoptr(GError) error = NULL;

  answer = wa_connection_send_iq_finish (WA_CONNECTION (object), result, &error);
  if (answer == NULL || (answers = wa_signal_parse_bundles (answer, &error)) == NULL || self->signal == NULL)
    {
      g_debug ("Could not fetch keys ahead: %s", error != NULL ? error->message : "no session store");
      return;
    }
  build_sessions (self, answers);
}

/* The sessions the next messages will need, in one key fetch: each
 * fetch hands out one of the device's one-time prekeys, which a first
 * message would take anyway. */
static void
prefetch_sessions (WaMessenger *self,
                   GHashTable  *devices_by_user)
{
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_jid_unref);
  g_autoptr(WaJid) own = wa_jid_parse (wa_client_get_device_jid (self->client), NULL);
  g_autoptr(WaNode) iq = NULL;
  WaConnection *connection;
  GHashTableIter iter;
  gpointer devices;

  if (self->signal == NULL || (connection = connection_or_error (self, NULL)) == NULL)
    return;
  g_hash_table_iter_init (&iter, devices_by_user);
  while (g_hash_table_iter_next (&iter, NULL, &devices))
    for (guint i = 0; i < ((GPtrArray *) devices)->len; i++)
      {
        WaJid *device = g_ptr_array_index ((GPtrArray *) devices, i);

        if ((own == NULL || !wa_jid_equal (device, own)) && !wa_signal_has_session (self->signal, device))
          g_ptr_array_add (missing, wa_jid_ref (device));
      }
  if (missing->len == 0)
    return;
  iq = wa_signal_bundles_request (missing, FALSE);
  wa_connection_send_iq_async (connection, iq, WA_CONNECTION_IQ_TIMEOUT_MS, NULL, bundles_prefetched_cb,
                               g_object_ref (self));
}

typedef struct
{
  WaMessenger *self;
  WaSignal    *signal;
  GHashTable  *by_user;
} KeysAhead;

static void
keys_ahead_free (KeysAhead *ahead)
{
  g_object_unref (ahead->self);
  g_object_unref (ahead->signal);
  g_hash_table_unref (ahead->by_user);
  g_free (ahead);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeysAhead, keys_ahead_free)

static void
keys_prefetched_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(KeysAhead) ahead = user_data;
  g_autoptr(GError) error = NULL;

  /* Without them, each is read when needed instead. */
  if (!wa_signal_prefetch_finish (ahead->signal, result, &error))
    g_debug ("Could not read sessions ahead: %s", error->message);
  prefetch_sessions (ahead->self, ahead->by_user);
}

/* What is kept per account, by LID: the mapping back to the number and
 * the privacy tokens both ways (read when sending, wa_privacy_sent ()). */
static const char * const kinds_by_lid[] = {
  WA_LID_MAP_KIND_LID_PN, WA_TCTOKEN_KIND, WA_TCTOKEN_SENT_KIND, NULL
};

/* And by number: its LID, and the tokens of an account known by number
 * only. */
static const char * const kinds_by_pn[] = {
  WA_LID_MAP_KIND_PN_LID, WA_TCTOKEN_KIND, WA_TCTOKEN_SENT_KIND, NULL
};

static void
devices_answered (WaMessenger *self,
                  WaNode      *answer)
{
  g_autoptr(GHashTable) by_user = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) error = NULL;
  KeysAhead *ahead;
  GHashTableIter iter;
  gpointer listed;

  if ((by_user = remember_device_answer (self, answer, &error)) == NULL)
    {
      g_debug ("Could not ask for device lists ahead: %s", error->message);
      return;
    }
  if (self->signal == NULL)
    return;

  /* Whether each has a session is read from the store in one go first. */
  devices = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, by_user);
  while (g_hash_table_iter_next (&iter, NULL, &listed))
    g_ptr_array_extend (devices, listed, NULL, NULL);
  ahead = g_new0 (KeysAhead, 1);
  ahead->self = g_object_ref (self);
  ahead->signal = g_object_ref (self->signal);
  ahead->by_user = g_steal_pointer (&by_user);
  wa_signal_prefetch_async (self->signal, devices, NULL, keys_prefetched_cb, ahead);
}

typedef struct
{
  WaMessenger *self;
  WaNode      *answer;
} Answered;

static void
lids_prefetched_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Answered *answered = user_data;
  g_autoptr(GError) error = NULL;

  /* Without them, each is read when needed instead. */
  if (!wa_key_store_prefetch_finish (WA_KEY_STORE (object), result, &error))
    g_debug ("Could not read accounts ahead: %s", error->message);
  devices_answered (answered->self, answered->answer);
  g_object_unref (answered->self);
  wa_node_unref (answered->answer);
  g_free (answered);
}

static void
prefetched_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(WaMessenger) self = user_data;
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GHashTable) lids = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree const char **keys = NULL;
  Answered *answered;

  answer = wa_connection_send_iq_finish (WA_CONNECTION (object), result, &error);
  if (answer == NULL)
    {
      g_debug ("Could not ask for device lists ahead: %s", error->message);
      return;
    }

  /* Remembering the LIDs the answer names, and sending to them, reads
   * what is kept by LID: in one go, before. */
  lids = wa_usync_parse_lids (answer);
  keys = (const char **) g_hash_table_get_keys_as_array (lids, NULL);
  answered = g_new0 (Answered, 1);
  answered->self = g_object_ref (self);
  answered->answer = wa_node_ref (answer);
  wa_key_store_prefetch_async (wa_client_get_key_store (self->client), kinds_by_lid, keys, NULL,
                               lids_prefetched_cb, answered);
}

static void
numbers_prefetched_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) users = user_data;
  g_auto(GStrv) lids = NULL;
  g_autoptr(GError) error = NULL;
  WaKeyStore *store = WA_KEY_STORE (object);

  if (!wa_key_store_prefetch_finish (store, result, &error))
    {
      g_debug ("Could not read accounts ahead: %s", error->message);
      return;
    }
  for (guint i = 0; users[i] != NULL; i++)
    {
      g_autofree char *lid = wa_lid_map_lid_of_pn (store, users[i]);

      if (lid != NULL)
        g_strv_builder_add (builder, lid);
    }
  lids = g_strv_builder_end (builder);
  if (lids[0] != NULL)
    wa_key_store_prefetch_async (store, kinds_by_lid, (const char * const *) lids, NULL, NULL, NULL);
}

/* What is kept per account of @users: by number first, then by the LIDs
 * that names. */
static void
prefetch_accounts (WaMessenger        *self,
                   const char * const *users)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  char **numbers;

  for (guint i = 0; users[i] != NULL; i++)
    {
      g_autoptr(WaJid) jid = wa_jid_parse (users[i], NULL);

      if (jid != NULL && wa_jid_is_pn (jid))
        g_strv_builder_add (builder, wa_jid_get_user (jid));
    }
  numbers = g_strv_builder_end (builder);
  if (numbers[0] == NULL)
    {
      g_strfreev (numbers);
      return;
    }
  wa_key_store_prefetch_async (wa_client_get_key_store (self->client), kinds_by_pn,
                               (const char * const *) numbers, NULL, numbers_prefetched_cb, numbers);
}

/**
 * wa_messenger_prefetch:
 * @self: a messenger
 * @users: accounts (user JIDs) messages will go to soon
 *
 * Asks for the device lists of those not known yet, up to
 * %WA_USYNC_MAX_CONTACTS in one query, and then for the keys of the
 * devices we have no session with, in one more, so that sending to each
 * does not cost queries of its own: fewer round trips, and far fewer
 * directory queries, which the server watches (§13). Nothing happens when
 * not connected.
 */
void
wa_messenger_prefetch (WaMessenger        *self,
                       const char * const *users)
{
  g_autoptr(GPtrArray) unknown = g_ptr_array_new ();
  g_autoptr(WaNode) iq = NULL;
  WaConnection *connection;

  g_return_if_fail (WA_IS_MESSENGER (self));
  assert_owner (self);

  if ((connection = connection_or_error (self, NULL)) == NULL)
    return;
  prefetch_accounts (self, users);
  for (guint i = 0; users[i] != NULL && unknown->len < WA_USYNC_MAX_CONTACTS; i++)
    if (cached_devices (self, users[i]) == NULL)
      g_ptr_array_add (unknown, (gpointer) users[i]);
  if (unknown->len == 0)
    return;
  g_ptr_array_add (unknown, NULL);
  iq = wa_usync_devices_request ((const char * const *) unknown->pdata);
  wa_connection_send_iq_async (connection, iq, WA_CONNECTION_IQ_TIMEOUT_MS, NULL, prefetched_cb,
                               g_object_ref (self));
}

/**
 * wa_messenger_confirm:
 * @id: the id of a message handed on by the "message" signal
 *
 * Sends the receipt of the message @id, whose "message" handler returned
 * %TRUE, now that it is kept: WhatsApp then deletes it from the queue it
 * delivers again from on every connection. A message never confirmed
 * comes again on the next one.
 */
void
wa_messenger_confirm (WaMessenger *self,
                      const char  *id)
{
  GPtrArray *waiting;

  g_return_if_fail (WA_IS_MESSENGER (self));
  g_return_if_fail (id != NULL);
  assert_owner (self);

  waiting = g_hash_table_lookup (self->unconfirmed, id);
  for (guint i = 0; waiting != NULL && i < waiting->len; i++)
    send_or_log (self, g_ptr_array_index (waiting, i));
  g_hash_table_remove (self->unconfirmed, id);
}

/**
 * wa_messenger_forget:
 * @id: the id of a message handed on by the "message" signal
 *
 * Says that the message @id, whose "message" handler returned %TRUE, could
 * not be kept after all (a full disk): it is not receipted, and the copy
 * WhatsApp delivers again is handed on again rather than taken for one
 * already being kept.
 */
void
wa_messenger_forget (WaMessenger *self,
                     const char  *id)
{
  g_return_if_fail (WA_IS_MESSENGER (self));
  g_return_if_fail (id != NULL);
  assert_owner (self);

  g_hash_table_remove (self->unconfirmed, id);
}

/**
 * wa_messenger_set_keeping:
 * @keeping: whether the "message" handler stores customers' messages
 *   from now on
 *
 * A customer's message is read only while someone keeps it: reading
 * moves its session on, so a message read with nobody to keep it could
 * never be read again. Until this is set, and once it is unset, what
 * customers send waits on the server, unread, for the next connection
 * that keeps; so do the messages held for their sender's number, which
 * were not read either.
 */
void
wa_messenger_set_keeping (WaMessenger *self,
                          gboolean     keeping)
{
  g_return_if_fail (WA_IS_MESSENGER (self));
  assert_owner (self);

  self->keeping = keeping;
}

/**
 * wa_messenger_forget_devices:
 * @user: a user JID
 *
 * Drops what is known of @user's devices; the next message asks again.
 */
void
wa_messenger_forget_devices (WaMessenger *self,
                             const char  *user)
{
  DeviceList *list;

  g_return_if_fail (WA_IS_MESSENGER (self));
  assert_owner (self);

  if ((list = g_hash_table_lookup (self->device_lists, user)) != NULL)
    forget_device_list (self, list);
}

/* Peer messages (WA-FIDELITY §2.1): to our own phone alone */

typedef struct
{
  WaJid  *phone;
  GBytes *message;
  WaNode *stanza;   /* once encrypted */
} Peer;

static void
peer_free (Peer *peer)
{
  wa_jid_unref (peer->phone);
  g_bytes_unref (peer->message);
  g_clear_pointer (&peer->stanza, wa_node_unref);
  g_free (peer);
}

static void
peer_acked_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(WaNode) ack = NULL;
  GError *error = NULL;

  ack = wa_connection_send_message_finish (WA_CONNECTION (object), result, &error);
  if (ack == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
encrypt_peer (GTask *task)
{
  WaMessenger *self = g_task_get_source_object (task);
  Peer *peer = g_task_get_task_data (task);
  g_autoptr(GBytes) padded = wa_signal_pad (peer->message);
  g_autoptr(GBytes) ciphertext = NULL;
  g_autofree char *to = wa_jid_to_string (peer->phone);
  g_autofree char *id = g_strdup_printf ("3EB0%08X%08X%04X", g_random_int (), g_random_int (),
                                         g_random_int () & 0xffff);
  WaNode *enc;
  WaSignalMessageType type;
  GError *error = NULL;

  ciphertext = wa_signal_encrypt (self->signal, peer->phone, padded, &type, &error);
  if (ciphertext == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  peer->stanza = wa_node_new_with_attrs ("message", "id", id, "type", "text", "to", to, "category", "peer",
                                         "push_priority", "high", NULL);
  wa_node_add_child (peer->stanza, wa_node_new_with_attrs ("meta", "appdata", "default", NULL));
  enc = wa_node_add_child (peer->stanza, wa_node_new_with_attrs ("enc", "v", "2",
                                                                 "type", wa_signal_message_type_to_string (type),
                                                                 NULL));
  wa_node_set_content_bytes (enc, ciphertext);
  if (type == WA_SIGNAL_MESSAGE_PKMSG)
    attach_device_identity (self, peer->stanza);
  send_when_saved (task, peer->stanza, peer_acked_cb);
}

static void
peer_bundle_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  WaMessenger *self = g_task_get_source_object (task);
  Peer *peer = g_task_get_task_data (task);
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GPtrArray) answers = NULL;
  GError *error = NULL;

  answer = wa_connection_send_iq_finish (WA_CONNECTION (object), result, &error);
  if (answer == NULL || (answers = wa_signal_parse_bundles (answer, &error)) == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  build_sessions (self, answers);
  if (!wa_signal_has_session (self->signal, peer->phone))
    {
      g_task_return_new_error (task, WA_ERROR, WA_ERROR_CRYPTO, "Could not start a secure session with the phone");
      g_object_unref (task);
      return;
    }
  encrypt_peer (task);
}

/**
 * wa_messenger_send_peer_async:
 * @self: a messenger
 * @message: a serialized Message, normally a protocol message
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the server took it
 * @user_data: for @callback
 *
 * Sends @message to this account's phone alone, as a peer message: how a
 * companion asks its phone for what it lacks (an app-state key).
 */
void
wa_messenger_send_peer_async (WaMessenger         *self,
                              GBytes              *message,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(WaJid) own = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(WaNode) iq = NULL;
  GError *error = NULL;
  WaConnection *connection;
  Peer *peer;

  g_return_if_fail (WA_IS_MESSENGER (self));
  g_return_if_fail (message != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wa_messenger_send_peer_async);
  if (ensure_signal (self, &error) == NULL || (connection = connection_or_error (self, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  own = wa_jid_parse (wa_client_get_device_jid (self->client), NULL);
  peer = g_new0 (Peer, 1);
  peer->phone = wa_jid_to_non_ad (own);
  peer->message = g_bytes_ref (message);
  g_task_set_task_data (task, peer, (GDestroyNotify) peer_free);
  if (wa_signal_has_session (self->signal, peer->phone))
    {
      encrypt_peer (g_steal_pointer (&task));
      return;
    }
  devices = g_ptr_array_new ();
  g_ptr_array_add (devices, peer->phone);
  iq = wa_signal_bundles_request (devices, FALSE);
  wa_connection_send_iq_async (connection, iq, WA_CONNECTION_IQ_TIMEOUT_MS, cancellable, peer_bundle_cb,
                               g_steal_pointer (&task));
}

gboolean
wa_messenger_send_peer_finish (WaMessenger   *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Retries (§8.5) */

typedef struct
{
  WaMessenger *self;
  char        *key;      /* of the sent message */
  char        *id;
  char        *to;       /* the device that asked, as it named itself */
  WaJid       *device;   /* the address of our session with it */
  gboolean     own;      /* one of our other devices: it gets the sent copy */
  guint        count;    /* our count of resends to it, not the one it claims */
  char        *t;
} Retry;

static void
retry_free (Retry *retry)
{
  g_object_unref (retry->self);
  g_free (retry->key);
  g_free (retry->id);
  g_free (retry->to);
  g_clear_pointer (&retry->device, wa_jid_unref);
  g_free (retry->t);
  g_free (retry);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Retry, retry_free)

static void
resent_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(WaNode) ack = NULL;
  g_autoptr(GError) error = NULL;

  ack = wa_connection_send_message_finish (WA_CONNECTION (object), result, &error);
  if (ack == NULL)
    g_debug ("A resent message was not taken: %s", error->message);
}

typedef struct
{
  WaMessenger *self;
  WaNode      *message;
} Resend;

static Resend *
resend_new (WaMessenger *self,
            WaNode      *message)
{
  Resend *resend = g_new0 (Resend, 1);

  resend->self = g_object_ref (self);
  resend->message = wa_node_ref (message);
  return resend;
}

static void
resend_free (Resend *resend)
{
  g_object_unref (resend->self);
  wa_node_unref (resend->message);
  g_free (resend);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Resend, resend_free)

/* As for a first send: the session is saved before the message leaves. */
static void
resend_saved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(Resend) resend = user_data;
  g_autoptr(GError) error = NULL;
  WaConnection *connection;

  if (!wa_key_store_flush_finish (WA_KEY_STORE (object), result, &error) ||
      (connection = connection_or_error (resend->self, &error)) == NULL)
    {
      g_debug ("A resend did not go: %s", error->message);
      return;
    }
  wa_connection_send_message_async (connection, resend->message, WA_MESSENGER_ACK_TIMEOUT_MS, NULL, resent_cb,
                                    NULL);
}

/* The message again, for the one device that asked, on whatever session
 * it now has with us. */
static void
resend (Retry *retry)
{
  WaMessenger *self = retry->self;
  SentMessage *sent = g_hash_table_lookup (self->sent, retry->key);
  g_autofree char *count = g_strdup_printf ("%u", retry->count);
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) padded = NULL;
  g_autoptr(GBytes) ciphertext = NULL;
  g_autoptr(WaNode) message = NULL;
  g_autoptr(GError) error = NULL;
  WaSignalMessageType type;
  WaNode *enc;

  if (sent == NULL || self->signal == NULL)
    return;
  plain = retry->own ? _wa_messenger_pack_sent_copy (sent->to, sent->content) : g_bytes_ref (sent->content);
  padded = wa_signal_pad (plain);
  ciphertext = wa_signal_encrypt (self->signal, retry->device, padded, &type, &error);
  if (ciphertext == NULL)
    {
      g_debug ("Could not encrypt a resend: %s", error->message);
      return;
    }

  message = wa_node_new_with_attrs ("message", "to", retry->to, "id", retry->id,
                                    "type", sent->mediatype != NULL ? "media" : "text", "device_fanout", "false",
                                    NULL);
  if (retry->t != NULL)
    wa_node_set_attr (message, "t", retry->t);
  enc = wa_node_add_child (message, new_enc (type, sent->mediatype, ciphertext));
  wa_node_set_attr (enc, "count", count);
  if (type == WA_SIGNAL_MESSAGE_PKMSG)
    attach_device_identity (self, message);
  wa_key_store_flush_async (wa_client_get_key_store (self->client), NULL, resend_saved_cb,
                            resend_new (self, message));
}

static void
retry_bundle_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(Retry) retry = user_data;
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GPtrArray) answers = NULL;
  g_autoptr(GError) error = NULL;

  answer = wa_connection_send_iq_finish (WA_CONNECTION (object), result, &error);
  if (answer == NULL || (answers = wa_signal_parse_bundles (answer, &error)) == NULL)
    {
      g_debug ("No new keys for a device that asked for a resend: %s", error->message);
      return;
    }
  build_sessions (retry->self, answers);
  resend (retry);
}

/* Whether @device is one of ours, by number or by LID. */
static gboolean
is_own_device (WaMessenger *self,
               WaJid       *device)
{
  g_autoptr(WaJid) pn = wa_jid_parse (wa_client_get_device_jid (self->client), NULL);
  g_autoptr(WaJid) lid = wa_client_get_lid (self->client) != NULL ?
                         wa_jid_parse (wa_client_get_lid (self->client), NULL) : NULL;
  const char *user = wa_jid_get_user (device);

  return (pn != NULL && g_strcmp0 (user, wa_jid_get_user (pn)) == 0) ||
         (lid != NULL && g_strcmp0 (user, wa_jid_get_user (lid)) == 0);
}

/* The message @id we sent to @chat; the key it is kept under goes to
 * @key. A LID chat is found under its number, and the other way round
 * for a message sent to a LID before we learned the number. */
static SentMessage *
lookup_sent (WaMessenger  *self,
             const char   *chat,
             const char   *id,
             char        **key)
{
  g_autofree char *mapped = sent_key (self, chat, id);
  g_autofree char *named = g_strdup_printf ("%s %s", chat, id);
  SentMessage *sent;

  if (mapped != NULL && (sent = g_hash_table_lookup (self->sent, mapped)) != NULL)
    {
      *key = g_steal_pointer (&mapped);
      return sent;
    }
  if ((sent = g_hash_table_lookup (self->sent, named)) != NULL)
    *key = g_steal_pointer (&named);
  return sent;
}

static gboolean
recreated_long_ago (gpointer key,
                    gpointer value,
                    gpointer user_data)
{
  return *(gint64 *) value + SESSION_RECREATE_INTERVAL_US <= *(gint64 *) user_data;
}

/* Whether to start over with @device from the server's bundle (§8.5), as
 * whatsmeow decides: always when we have no session with it; from its
 * second ask on (@count: ours, or the one it claims when higher, as after
 * our restart), once an hour at most; never on the first, when the
 * session may only have moved on under it. */
static gboolean
should_recreate_session (WaMessenger *self,
                         WaJid       *device,
                         guint        count)
{
  g_autofree char *name = wa_jid_to_string (device);
  gint64 now = self->clock (self->clock_data);
  gint64 *last;

  g_hash_table_foreach_remove (self->recreated, recreated_long_ago, &now);
  if (wa_signal_has_session (self->signal, device) &&
      (count < 2 || g_hash_table_contains (self->recreated, name)))
    return FALSE;
  last = g_new (gint64, 1);
  *last = now;
  g_hash_table_replace (self->recreated, g_steal_pointer (&name), last);
  return TRUE;
}

/* A device could not decrypt what we sent (§8.5). Only what we sent to
 * its own account is sent again, or, for one of our other devices, the
 * copy of what we sent to the chat its receipt names: a message id alone
 * would let anyone read anyone's message. With keys in the receipt it
 * starts over with them; otherwise see should_recreate_session(). */
static void
receive_retry (WaMessenger *self,
               WaNode      *receipt)
{
  WaNode *retry_node = wa_node_get_child_by_tag (receipt, "retry");
  const char *id = wa_node_get_attr (receipt, "id");
  const char *from = wa_node_get_attr (receipt, "from");
  g_autoptr(WaJid) device = from != NULL ? wa_jid_parse (from, NULL) : NULL;
  g_autoptr(WaJid) chat = NULL;
  g_autoptr(WaJid) pn_device = NULL;
  g_autoptr(WaJid) address = NULL;
  g_autoptr(Retry) retry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *chat_text = NULL;
  g_autofree char *address_text = NULL;
  g_autofree char *key = NULL;
  SentMessage *sent;
  WaConnection *connection;
  guint count, claimed;

  if (id == NULL || retry_node == NULL || device == NULL || !wa_jid_is_user (device) ||
      ensure_signal (self, &error) == NULL)
    return;
  if (is_own_device (self, device) && wa_node_get_attr (receipt, "recipient") != NULL)
    chat = wa_jid_parse (wa_node_get_attr (receipt, "recipient"), NULL);
  else
    chat = wa_jid_to_non_ad (device);
  if (chat == NULL || !wa_jid_is_user (chat))
    return;
  chat_text = wa_jid_to_string (chat);
  if ((sent = lookup_sent (self, chat_text, id, &key)) == NULL)
    {
      g_debug ("A retry receipt for a message we did not send to that chat");
      return;
    }
  /* A LID device may share the session we started with its number; it
   * is counted as that one device under either name. */
  pn_device = pn_device_of (self, receipt, device);
  address = pn_device != NULL && !wa_signal_has_session (self->signal, device) &&
            wa_signal_has_session (self->signal, pn_device)
            ? g_steal_pointer (&pn_device) : wa_jid_ref (device);
  address_text = wa_jid_to_string (address);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (sent->answered, address_text)) + 1;
  claimed = attr_number (retry_node, "count", MAX_RETRY_COUNT);
  if (count > MAX_RETRY_COUNT)
    {
      g_debug ("A device asked for a message again after %u resends", MAX_RETRY_COUNT);
      return;
    }
  g_hash_table_replace (sent->answered, g_steal_pointer (&address_text), GUINT_TO_POINTER (count));

  retry = g_new0 (Retry, 1);
  retry->self = g_object_ref (self);
  retry->key = g_steal_pointer (&key);
  retry->id = g_strdup (id);
  retry->to = g_strdup (from);
  retry->device = g_steal_pointer (&address);
  retry->own = is_own_device (self, device);
  retry->count = count;
  retry->t = g_strdup (wa_node_get_attr (retry_node, "t"));

  if (wa_node_get_child_by_tag (receipt, "keys") != NULL)
    {
      WaSignalBundle bundle;

      wa_signal_delete_session (self->signal, retry->device);
      if (!wa_signal_bundle_parse (receipt, &bundle, &error) ||
          !wa_signal_build_session (self->signal, retry->device, &bundle, &error))
        {
          g_debug ("The keys of a retry receipt did not do: %s", error->message);
          return;
        }
    }
  else if (should_recreate_session (self, retry->device, MAX (count, claimed)))
    {
      g_autoptr(GPtrArray) devices = g_ptr_array_new ();
      g_autoptr(WaNode) iq = NULL;

      if ((connection = connection_or_error (self, &error)) == NULL)
        return;
      wa_signal_delete_session (self->signal, retry->device);
      g_ptr_array_add (devices, retry->device);
      iq = wa_signal_bundles_request (devices, TRUE);
      wa_connection_send_iq_async (connection, iq, WA_CONNECTION_IQ_TIMEOUT_MS, NULL, retry_bundle_cb,
                                   g_steal_pointer (&retry));
      return;
    }
  resend (retry);
}

/* Receiving */

/* A message from a LID whose number we do not know yet: WhatsApp has no
 * LID -> number query, but the number usually follows within moments (the
 * sender's phone issues us its token, naming both), and at the latest
 * before we write to that number (the device query names its LID). The
 * message waits for it unread and unreceipted, so that it is kept under
 * the number, with its contact and campaign, and a "STOP" opts the number
 * out at once (FIELD-NOTES, LID replies). Read, its session would be
 * saved moved on while the message is only in memory, and a crash then
 * would make the copy WhatsApp delivers again a duplicate, receipted
 * unread. Later messages from the same sender wait behind it, so that a
 * session is read in the order it was written. When the connection ends
 * they are let go as they are: WhatsApp keeps a message nobody receipted
 * and delivers it again on the next connection (WA-FIDELITY §8: the
 * offline queue drops a message only on its receipt). They are looked at
 * again every UNRESOLVED_CHECK_MS for a number learned on the way (app
 * state, history). A message does not wait longer than
 * UNRESOLVED_WAIT_MS: WhatsApp expects every message to be receipted or
 * acked, and may end a connection that leaves them be (WA-PROTOCOL §13:
 * <stream:error><ack/>), which would deliver them again to wait as long
 * on the next one; the number rarely comes that late. It is then read as
 * it is, under its LID, and the app keeps it so, to join it to the number
 * once that is known (xi-store-inbox.c): a customer's message is never
 * dropped for want of a number. So is a sender's when too many wait. */
#define UNRESOLVED_CHECK_MS (30 * 1000)
#define UNRESOLVED_WAIT_MS  (3 * 60 * 1000)
#define UNRESOLVED_MAX      256

typedef struct
{
  WaNode *message;  /* as it came, unread */
  gint64  held_at;  /* monotonic, microseconds */
} Unresolved;

static void read_message (WaMessenger *self,
                          WaNode      *node,
                          gboolean     may_hold);

static void
unresolved_free (Unresolved *unresolved)
{
  wa_node_unref (unresolved->message);
  g_free (unresolved);
}

static WaNode *
unresolved_message (WaMessenger *self,
                    guint        i)
{
  return ((Unresolved *) g_ptr_array_index (self->unresolved, i))->message;
}

static char *
sender_pn_user (WaMessenger *self,
                WaNode      *message)
{
  g_autoptr(WaJid) sender = wa_jid_parse (wa_node_get_attr (message, "from"), NULL);

  return wa_lid_map_pn_of_lid (wa_client_get_key_store (self->client), wa_jid_get_user (sender));
}

static gboolean
unresolved_timeout_cb (gpointer user_data)
{
  WaMessenger *self = user_data;

  g_clear_pointer (&self->unresolved_timer, g_source_unref);
  flush_unresolved (self, FALSE);
  return G_SOURCE_REMOVE;
}

/* Hands on the held messages whose sender's number is known now, and
 * those that waited too long; lets the rest go unread when @leaving, or
 * waits for them. */
static void
flush_unresolved (WaMessenger *self,
                  gboolean     leaving)
{
  g_autoptr(GPtrArray) ready = g_ptr_array_new_with_free_func ((GDestroyNotify) unresolved_free);
  gint64 waited_out = g_get_monotonic_time () - (gint64) self->unresolved_wait_ms * 1000;
  guint unkept = 0;

  for (guint i = self->unresolved->len; i > 0; i--)
    {
      Unresolved *unresolved = g_ptr_array_index (self->unresolved, i - 1);
      g_autofree char *pn = sender_pn_user (self, unresolved->message);

      if (pn != NULL || (!leaving && unresolved->held_at <= waited_out))
        {
          unkept += pn == NULL;
          g_ptr_array_insert (ready, 0, g_ptr_array_steal_index (self->unresolved, i - 1));
        }
      else if (leaving)
        g_ptr_array_remove_index (self->unresolved, i - 1);
    }
  /* Neither the sender nor the text: a count says enough. */
  if (unkept > 0)
    g_message ("%u messages waited %u s for their senders' numbers, which did not come; read under their LIDs",
               unkept, self->unresolved_wait_ms / 1000);
  for (guint i = 0; i < ready->len; i++)
    read_message (self, ((Unresolved *) g_ptr_array_index (ready, i))->message, FALSE);

  /* One check runs while anything is held: remade on every flush, it
   * cost each held message, and each message that names a number, a
   * source made and destroyed. */
  if (self->unresolved->len == 0 && self->unresolved_timer != NULL)
    {
      g_source_destroy (self->unresolved_timer);
      g_clear_pointer (&self->unresolved_timer, g_source_unref);
    }
  else if (self->unresolved->len > 0 && self->unresolved_timer == NULL)
    {
      self->unresolved_timer = g_timeout_source_new (self->unresolved_check_ms);
      g_source_set_callback (self->unresolved_timer, unresolved_timeout_cb, self, NULL);
      g_source_attach (self->unresolved_timer, g_main_context_get_thread_default ());
    }
}

/* A flood of strangers does not grow the held messages without end: the
 * oldest sender's are read now, in order, under its LID, and kept as
 * they are until its number is known (the app joins them then). Its
 * later messages wait as any would: they come after those read. */
static void
read_oldest_sender (WaMessenger *self)
{
  g_autofree char *from = g_strdup (wa_node_get_attr (unresolved_message (self, 0), "from"));
  g_autoptr(GPtrArray) ready = g_ptr_array_new_with_free_func ((GDestroyNotify) unresolved_free);

  for (guint i = 0; i < self->unresolved->len;)
    if (g_strcmp0 (wa_node_get_attr (unresolved_message (self, i), "from"), from) == 0)
      g_ptr_array_add (ready, g_ptr_array_steal_index (self->unresolved, i));
    else
      i++;
  for (guint i = 0; i < ready->len; i++)
    read_message (self, ((Unresolved *) g_ptr_array_index (ready, i))->message, FALSE);
}

static void
hold_unresolved (WaMessenger *self,
                 WaNode      *message)
{
  Unresolved *unresolved = g_new0 (Unresolved, 1);

  unresolved->message = wa_node_ref (message);
  unresolved->held_at = g_get_monotonic_time ();
  g_ptr_array_add (self->unresolved, unresolved);
  while (self->unresolved->len > self->unresolved_max)
    read_oldest_sender (self);
  flush_unresolved (self, FALSE);
}

static void
send_or_log (WaMessenger *self,
             WaNode      *node)
{
  WaConnection *connection = wa_client_get_connection (self->client);
  g_autoptr(GError) error = NULL;

  if (connection == NULL || !wa_connection_send_node (connection, node, &error))
    g_debug ("Could not send a %s: %s", wa_node_get_tag (node), error != NULL ? error->message : "not connected");
}

/* The confirmation of a message we took (§8.4). A copy of our own
 * message comes back from our other device as "sender". */
static WaNode *
receipt_for (WaMessenger *self,
             WaNode      *message,
             gboolean     from_us)
{
  WaNode *receipt = wa_node_new_with_attrs ("receipt", "id", wa_node_get_attr (message, "id"),
                                            "to", wa_node_get_attr (message, "from"), NULL);

  /* Our phone's own messages to this device (§3.3) take a peer receipt.
   * Until our presence is "available", receipts say nobody is looking
   * (WA-FIDELITY §4), as WhatsApp Web's do. */
  if (g_strcmp0 (wa_node_get_attr (message, "category"), "peer") == 0)
    wa_node_set_attr (receipt, "type", "peer_msg");
  else if (from_us)
    wa_node_set_attr (receipt, "type", "sender");
  else if (!wa_client_get_available (self->client))
    wa_node_set_attr (receipt, "type", "inactive");
  if (wa_node_get_attr (message, "recipient") != NULL)
    wa_node_set_attr (receipt, "recipient", wa_node_get_attr (message, "recipient"));
  return receipt;
}

static void
send_receipt (WaMessenger *self,
              WaNode      *message,
              gboolean     from_us)
{
  g_autoptr(WaNode) receipt = receipt_for (self, message, from_us);

  send_or_log (self, receipt);
}

/* WhatsApp deletes a receipted message from its queue, so a message the
 * app keeps is receipted only once it is kept: until then a crash or a
 * full disk leaves it on the server, which delivers it again on the next
 * connection. Any connection will do for the receipt. With nobody
 * keeping, only our own account's messages get here, confirmed at once. */
static void
hand_on (WaMessenger             *self,
         const WaIncomingMessage *message,
         WaNode                  *receipt)
{
  GPtrArray *waiting = g_hash_table_lookup (self->unconfirmed, message->id);
  gboolean kept_later = FALSE;

  if (waiting == NULL)
    {
      waiting = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_node_unref);
      g_hash_table_insert (self->unconfirmed, g_strdup (message->id), waiting);
    }
  g_ptr_array_add (waiting, wa_node_ref (receipt));
  if (self->keeping)
    g_signal_emit (self, signals[MESSAGE], 0, message, &kept_later);
  if (!kept_later)
    wa_messenger_confirm (self, message->id);
}

/* Whether the message @id is on its way to the app, which confirms it
 * once it has kept it: held for its sender's number, or handed on. */
static gboolean
is_kept_later (WaMessenger *self,
               const char  *id)
{
  for (guint i = 0; i < self->unresolved->len; i++)
    if (g_strcmp0 (wa_node_get_attr (unresolved_message (self, i), "id"), id) == 0)
      return TRUE;
  return g_hash_table_contains (self->unconfirmed, id);
}

/* Asks the sender to encrypt the message again (§8.5): with our
 * registration id, which tells it to start a new session. */
static void
send_retry_receipt (WaMessenger *self,
                    WaNode      *message,
                    WaNode      *enc)
{
  const WaCredentials *credentials = wa_client_get_credentials (self->client);
  guint64 count = 0;
  g_autofree char *count_text = NULL;
  g_autoptr(WaNode) receipt = NULL;
  WaNode *registration;
  guint8 id[4];

  count = attr_number (enc, "count", G_MAXUINT);
  if (credentials == NULL || count >= MAX_RETRY_COUNT)
    return;
  count_text = g_strdup_printf ("%u", (guint) count + 1);
  receipt = wa_node_new_with_attrs ("receipt", "id", wa_node_get_attr (message, "id"),
                                    "to", wa_node_get_attr (message, "from"), "type", "retry", NULL);
  if (wa_node_get_attr (message, "recipient") != NULL)
    wa_node_set_attr (receipt, "recipient", wa_node_get_attr (message, "recipient"));
  wa_node_add_child (receipt, wa_node_new_with_attrs ("retry", "count", count_text,
                                                      "id", wa_node_get_attr (message, "id"),
                                                      "t", wa_node_get_attr (message, "t"), "v", "1", NULL));
  id[0] = credentials->registration_id >> 24;
  id[1] = credentials->registration_id >> 16;
  id[2] = credentials->registration_id >> 8;
  id[3] = credentials->registration_id;
  registration = wa_node_add_child (receipt, wa_node_new ("registration"));
  wa_node_set_content_data (registration, id, sizeof id);
  send_or_log (self, receipt);
}

static GBytes *
bytes_of (protobuf_c_boolean   has,
          ProtobufCBinaryData  data)
{
  return has ? g_bytes_new (data.data, data.len) : NULL;
}

/* protobuf-c does not check that a string is UTF-8, and anyone with our
 * number can send one that is not: the app stores, syncs as JSON and
 * shows what this returns, so the invalid bytes become U+FFFD. */
static char *
valid_text (const char *text)
{
  return text != NULL ? g_utf8_make_valid (text, -1) : NULL;
}

static gboolean
is_sha256 (GBytes *bytes)
{
  return bytes != NULL && g_bytes_get_size (bytes) == 32;
}

/* A media reference without its path, key or hashes cannot be fetched or
 * checked: the message is then its caption alone. A sticker is a picture
 * (WebP) under the image keys. */
static WaIncomingMedia *
media_of (const WaE2E__Message  *message,
          char                 **caption)
{
  g_autoptr(WaIncomingMedia) media = g_new0 (WaIncomingMedia, 1);
  const WaE2E__ImageMessage *image = message->imagemessage;
  const WaE2E__DocumentMessage *document = message->documentmessage;
  const WaE2E__AudioMessage *audio = message->audiomessage;
  const WaE2E__VideoMessage *video = message->videomessage;
  const WaE2E__StickerMessage *sticker = message->stickermessage;

#define TAKE(m) \
  G_STMT_START { \
    media->mimetype = valid_text ((m)->mimetype); \
    media->direct_path = g_strdup ((m)->directpath); \
    media->media_key = bytes_of ((m)->has_mediakey, (m)->mediakey); \
    media->file_sha256 = bytes_of ((m)->has_filesha256, (m)->filesha256); \
    media->file_enc_sha256 = bytes_of ((m)->has_fileencsha256, (m)->fileencsha256); \
    media->file_length = (m)->filelength; \
  } G_STMT_END

  if (image != NULL)
    {
      TAKE (image);
      media->type = WA_MEDIA_IMAGE;
      media->jpeg_thumbnail = bytes_of (image->has_jpegthumbnail, image->jpegthumbnail);
      media->width = image->width;
      media->height = image->height;
      *caption = valid_text (image->caption);
    }
  else if (document != NULL)
    {
      TAKE (document);
      media->type = WA_MEDIA_DOCUMENT;
      media->jpeg_thumbnail = bytes_of (document->has_jpegthumbnail, document->jpegthumbnail);
      media->file_name = valid_text (document->filename != NULL ? document->filename : document->title);
      *caption = valid_text (document->caption);
    }
  else if (video != NULL)
    {
      TAKE (video);
      media->type = WA_MEDIA_VIDEO;
      media->jpeg_thumbnail = bytes_of (video->has_jpegthumbnail, video->jpegthumbnail);
      media->width = video->width;
      media->height = video->height;
      *caption = valid_text (video->caption);
    }
  else if (audio != NULL)
    {
      TAKE (audio);
      media->type = WA_MEDIA_AUDIO;
    }
  else if (sticker != NULL)
    {
      TAKE (sticker);
      media->type = WA_MEDIA_IMAGE;
      media->sticker = TRUE;
      media->width = sticker->width;
      media->height = sticker->height;
    }
  else
    return NULL;
#undef TAKE

  /* Held to what the app's store accepts: a reference it would refuse
   * could never be stored, so the message keeps only its caption. So is
   * one that could never be downloaded, whose key or path the sender
   * may have made megabytes long for the app to keep. */
  if (media->direct_path == NULL || media->direct_path[0] != '/' ||
      strlen (media->direct_path) > WA_MEDIA_MAX_DIRECT_PATH || !g_utf8_validate (media->direct_path, -1, NULL) ||
      media->media_key == NULL || g_bytes_get_size (media->media_key) != WA_KEY_LEN ||
      !is_sha256 (media->file_sha256) || !is_sha256 (media->file_enc_sha256))
    return NULL;
  return g_steal_pointer (&media);
}

/* A customer who turned disappearing messages on may write in a wrapper,
 * and a document with a caption comes in one: what they say, "STOP"
 * too, is inside. Unpacking bounded how deep they go. */
static const WaE2E__Message *
unwrapped (const WaE2E__Message *message)
{
  for (;;)
    {
      const WaE2E__FutureProofMessage *wrapper = message->ephemeralmessage != NULL ?
                                                 message->ephemeralmessage : message->documentwithcaptionmessage;

      if (wrapper == NULL || wrapper->message == NULL)
        return message;
      message = wrapper->message;
    }
}

/* The text of a plaintext Message or the media it carries, unwrapping
 * our own sent copies. */
static char *
text_of (const WaE2E__Message  *message,
         gboolean              *sent_copy,
         WaIncomingMedia      **media)
{
  char *caption = NULL;

  *sent_copy = message->devicesentmessage != NULL && message->devicesentmessage->message != NULL;
  if (*sent_copy)
    message = message->devicesentmessage->message;
  message = unwrapped (message);
  if (message->conversation != NULL)
    return valid_text (message->conversation);
  if (message->extendedtextmessage != NULL && message->extendedtextmessage->text != NULL)
    return valid_text (message->extendedtextmessage->text);
  *media = media_of (message, &caption);
  return caption;
}

/**
 * _wa_messenger_read:
 * @plaintext: a decrypted, unpadded Message
 * @text: (out) (transfer full) (nullable): its text or caption
 * @media: (out) (transfer full) (nullable): the picture or file it
 *   carries
 * @sent_copy: (out): whether it is the copy of a message our account sent
 * @protocol: (out): whether it is a protocol message (keys, history)
 *
 * Returns: %FALSE if it does not parse
 */
gboolean
_wa_messenger_read (GBytes           *plaintext,
                    char            **text,
                    WaIncomingMedia **media,
                    gboolean         *sent_copy,
                    gboolean         *protocol,
                    GError          **error)
{
  WaE2E__Message *message = wa_proto_unpack_message (plaintext, error);

  if (message == NULL)
    return FALSE;
  *text = text_of (message, sent_copy, media);
  *protocol = message->protocolmessage != NULL;
  wa_e2_e__message__free_unpacked (message, NULL);
  return TRUE;
}

static gboolean
decrypt_enc (WaMessenger  *self,
             WaJid        *sender,
             WaNode       *enc,
             char        **text,
             WaIncomingMedia **media,
             gboolean     *sent_copy,
             GBytes      **protocol,
             GError      **error)
{
  WaSignalMessageType type;
  GBytes *ciphertext = wa_node_get_content_bytes (enc);
  g_autoptr(GBytes) padded = NULL;
  g_autoptr(GBytes) plaintext = NULL;
  gboolean is_protocol = FALSE;

  if (!wa_signal_message_type_from_string (wa_node_get_attr (enc, "type"), &type) || ciphertext == NULL)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "A message part of unknown type");
      return FALSE;
    }
  if ((padded = wa_signal_decrypt (self->signal, sender, type, ciphertext, error)) == NULL ||
      (plaintext = wa_signal_unpad (padded, error)) == NULL)
    return FALSE;

  if (!_wa_messenger_read (plaintext, text, media, sent_copy, &is_protocol, error))
    return FALSE;
  if (is_protocol)
    *protocol = g_bytes_ref (plaintext);
  return TRUE;
}

/* The sender's client chooses a message's id, and the app keeps it with
 * the message: one that is long, empty or not printable ASCII could not
 * be synced, nor safely shown or logged. */
static gboolean
is_message_id (const char *id)
{
  gsize len = 0;

  if (id == NULL)
    return FALSE;
  for (; id[len] != '\0'; len++)
    if (len >= WA_MESSENGER_MAX_ID_LEN || !g_ascii_isgraph (id[len]))
      return FALSE;
  return len > 0;
}

/* @may_hold: whether a message from a LID with no number yet waits for
 * it (flush_unresolved ()); otherwise it is read now. */
static void
read_message (WaMessenger *self,
              WaNode      *node,
              gboolean     may_hold)
{
  const char *from = wa_node_get_attr (node, "from");
  g_autoptr(WaJid) sender = from != NULL ? wa_jid_parse (from, NULL) : NULL;
  g_autoptr(GPtrArray) encs = wa_node_get_children_by_tag (node, "enc");
  g_autoptr(WaJid) pn_device = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(WaIncomingMedia) media = NULL;
  g_autoptr(GBytes) protocol = NULL;
  g_autoptr(WaNode) receipt = NULL;
  gboolean sent_copy = FALSE;
  gboolean decrypted = FALSE;
  gboolean from_us = FALSE;
  WaIncomingMessage incoming = { 0 };
  WaJid *session_address = sender;
  guint64 timestamp = 0;

  /* Groups, broadcasts and newsletters are not this app's business, nor
   * a message under an id no client makes; the ack stops the server from
   * offering them again. */
  if (sender == NULL || !is_message_id (wa_node_get_attr (node, "id")) || !wa_jid_is_user (sender) ||
      wa_node_get_attr (node, "participant") != NULL || encs == NULL || ensure_signal (self, &error) == NULL)
    {
      g_autoptr(WaNode) ack = wa_node_new_with_attrs ("ack", "class", "message", "to", from != NULL ? from : "",
                                                      "id", wa_node_get_attr (node, "id"), NULL);

      send_or_log (self, ack);
      return;
    }

  /* Nobody here keeps a customer's message (a command that only sends,
   * an engine whose receiver stopped): reading it would move its session
   * on for nothing, and the copy sent again later would be a duplicate,
   * receipted unread. Left without an ack, it waits on the server for a
   * connection that keeps it. */
  if (!self->keeping && !is_own_account (self, sender))
    return;

  pn_device = pn_device_of (self, node, sender);
  /* What waited for a number this message names goes first. */
  if (self->unresolved->len > 0 && pn_device != NULL)
    flush_unresolved (self, FALSE);
  if (may_hold && pn_device == NULL && wa_jid_is_lid (sender) && !is_own_account (self, sender))
    {
      hold_unresolved (self, node);
      return;
    }

  /* A LID sender's session may be the one we started with its phone
   * number: decrypt under the address that has one (§8.2). */
  if (pn_device != NULL && !wa_signal_has_session (self->signal, sender) &&
      wa_signal_has_session (self->signal, pn_device))
    session_address = pn_device;

  for (guint i = 0; i < encs->len && !decrypted; i++)
    {
      WaNode *enc = g_ptr_array_index (encs, i);

      g_clear_error (&error);
      decrypted = decrypt_enc (self, session_address, enc, &text, &media, &sent_copy, &protocol, &error);
      /* Already read: the receipt was lost, so send it again, no more;
       * unless the app is still keeping the first copy, whose receipt
       * then says it for both. */
      if (g_error_matches (error, WA_SIGNAL_ERROR, WA_SIGNAL_ERROR_DUPLICATE))
        {
          if (!is_kept_later (self, wa_node_get_attr (node, "id")))
            send_receipt (self, node, sent_copy);
          return;
        }
      if (!decrypted)
        {
          g_debug ("A message did not decrypt: %s", error->message);
          send_retry_receipt (self, node, enc);
          return;
        }
    }

  /* What our phone tells this device (keys, history) is not a message;
   * from anyone else it is ignored. Nor is a note our account writes to
   * itself from another device: not a customer's, so never an opt-out of
   * our own number, nor anything to answer, which would let two copies
   * of the app linked to one account answer each other without end.
   * None is kept, so each is confirmed at once. */
  from_us = is_own_account (self, sender);
  if (sent_copy || protocol != NULL || from_us)
    {
      send_receipt (self, node, sent_copy || from_us);
      if (protocol != NULL && !sent_copy && from_us)
        g_signal_emit (self, signals[PROTOCOL_MESSAGE], 0, wa_node_get_attr (node, "id"), protocol);
      return;
    }

  timestamp = attr_number (node, "t", G_MAXINT64);
  incoming.id = (char *) wa_node_get_attr (node, "id");
  incoming.sender = (char *) from;
  /* The chat is the phone number whenever we know it, so a reply from a
   * LID finds its contact, its campaign and its opt-out. */
  incoming.chat = user_of (pn_device != NULL ? pn_device : sender);
  incoming.text = text;
  incoming.media = media;
  incoming.push_name = (char *) wa_node_get_attr (node, "notify");
  incoming.timestamp = timestamp;
  incoming.offline = wa_node_get_attr (node, "offline") != NULL;
  receipt = receipt_for (self, node, FALSE);
  hand_on (self, &incoming, receipt);
  g_free (incoming.chat);
}

/* A receipt for what we sent (§7.8): one id, or several in a <list>. */
static void
receive_receipt (WaMessenger *self,
                 WaNode      *node)
{
  const char *from = wa_node_get_attr (node, "from");
  const char *type = wa_node_get_attr (node, "type");
  WaNode *list = wa_node_get_child_by_tag (node, "list");
  g_autoptr(GPtrArray) items = list != NULL ? wa_node_get_children_by_tag (list, "item") : NULL;
  guint64 timestamp = 0;

  if (g_strcmp0 (type, "retry") == 0)
    {
      receive_retry (self, node);
      return;
    }
  if (from == NULL || !is_message_id (wa_node_get_attr (node, "id")))
    return;
  timestamp = attr_number (node, "t", G_MAXINT64);
  g_signal_emit (self, signals[RECEIPT], 0, wa_node_get_attr (node, "id"), from, type, (gint64) timestamp);
  /* A list of 65,535 ids fits in a stanza of 2 MB, and would hold the
   * store up for seconds looking for each; the first ones are enough. */
  for (guint i = 0; items != NULL && i < MIN (items->len, WA_MESSENGER_MAX_RECEIPT_IDS - 1); i++)
    if (is_message_id (wa_node_get_attr (g_ptr_array_index (items, i), "id")))
      g_signal_emit (self, signals[RECEIPT], 0, wa_node_get_attr (g_ptr_array_index (items, i), "id"), from, type,
                     (gint64) timestamp);
  if (items != NULL && items->len > WA_MESSENGER_MAX_RECEIPT_IDS - 1)
    g_warning ("A receipt listed %u messages; those after the first %u stay unconfirmed here",
               items->len + 1, WA_MESSENGER_MAX_RECEIPT_IDS);
}

/* Drops what we had with one address of an account whose keys changed. */
static void
forget_address (WaMessenger *self,
                const char  *user,
                const char  *server)
{
  g_autoptr(WaJid) jid = NULL;
  g_autofree char *jid_text = NULL;

  if (user == NULL)
    return;
  jid = wa_jid_new (user, server);
  jid_text = wa_jid_to_string (jid);
  if (self->signal != NULL)
    wa_signal_delete_all_sessions (self->signal, jid);
  wa_messenger_forget_devices (self, jid_text);
}

/* A contact reinstalled WhatsApp or moved to a new phone (§7): the
 * sessions with its old keys are useless under its number and under its
 * LID alike, its device list is stale, and it lost the token we issued
 * it. The next message starts over from fresh bundles. */
static void
receive_identity_change (WaMessenger *self,
                         WaNode      *notification)
{
  const char *from = wa_node_get_attr (notification, "from");
  const char *lid_attr = wa_node_get_attr (notification, "lid");
  g_autoptr(WaJid) sender = from != NULL ? wa_jid_parse (from, NULL) : NULL;
  g_autoptr(WaJid) named_lid = lid_attr != NULL ? wa_jid_parse (lid_attr, NULL) : NULL;
  g_autoptr(WaJid) own = wa_jid_parse (wa_client_get_device_jid (self->client), NULL);
  WaKeyStore *store = wa_client_get_key_store (self->client);
  g_autofree char *pn_user = NULL;
  g_autofree char *lid_user = NULL;
  g_autofree char *account = NULL;

  if (sender == NULL || !wa_jid_is_user (sender) || wa_jid_get_device (sender) != 0 || own == NULL ||
      g_strcmp0 (wa_jid_get_user (sender), wa_jid_get_user (own)) == 0)
    return;
  if (wa_jid_is_lid (sender))
    {
      lid_user = g_strdup (wa_jid_get_user (sender));
      pn_user = wa_lid_map_pn_of_lid (store, lid_user);
    }
  else
    {
      pn_user = g_strdup (wa_jid_get_user (sender));
      if (named_lid != NULL && wa_jid_is_lid (named_lid))
        {
          lid_user = g_strdup (wa_jid_get_user (named_lid));
          wa_lid_map_remember (store, lid_user, pn_user);
        }
      else
        lid_user = wa_lid_map_lid_of_pn (store, pn_user);
    }

  forget_address (self, pn_user, "s.whatsapp.net");
  forget_address (self, lid_user, "lid");
  wa_key_store_flush_async (store, NULL, NULL, NULL);
  account = pn_user != NULL ? g_strconcat (pn_user, "@s.whatsapp.net", NULL) : g_strconcat (lid_user, "@lid", NULL);
  wa_privacy_identity_changed (self->privacy, account);
}

static void
node_cb (WaClient    *client,
         WaNode      *node,
         WaMessenger *self)
{
  const char *tag = wa_node_get_tag (node);

  assert_owner (self);
  if (g_str_equal (tag, "message"))
    read_message (self, node, TRUE);
  /* A token notification names the issuer's number beside its LID. */
  else if (g_str_equal (tag, "notification") && g_strcmp0 (wa_node_get_attr (node, "type"), "privacy_token") == 0 &&
           self->unresolved->len > 0)
    flush_unresolved (self, FALSE);
  else if (g_str_equal (tag, "receipt"))
    receive_receipt (self, node);
  /* Someone linked or unlinked a device: ask again before writing them. */
  else if (g_str_equal (tag, "notification") && g_strcmp0 (wa_node_get_attr (node, "type"), "devices") == 0 &&
           wa_node_get_attr (node, "from") != NULL)
    {
      g_autoptr(WaJid) jid = wa_jid_parse (wa_node_get_attr (node, "from"), NULL);
      g_autofree char *user = jid != NULL ? user_of (jid) : NULL;

      if (user != NULL)
        wa_messenger_forget_devices (self, user);
    }
  else if (g_str_equal (tag, "notification") && g_strcmp0 (wa_node_get_attr (node, "type"), "encrypt") == 0 &&
           wa_node_get_child_by_tag (node, "identity") != NULL)
    receive_identity_change (self, node);
}

static void
state_cb (WaClient    *client,
          GParamSpec  *pspec,
          WaMessenger *self)
{
  /* Going away: what waits for a number is left unread on the server,
   * which delivers it again on the next connection. */
  if (wa_client_get_state (client) != WA_CLIENT_STATE_CONNECTED)
    {
      if (self->unresolved->len > 0)
        flush_unresolved (self, TRUE);
    }
  /* Unlinked: the sessions went with the keys. */
  if (wa_client_get_state (client) == WA_CLIENT_STATE_LOGGED_OUT)
    {
      g_clear_object (&self->signal);
      self->signal_credentials = NULL;
      g_queue_init (&self->device_order);
      g_hash_table_remove_all (self->device_lists);
      g_hash_table_remove_all (self->unconfirmed);
    }
}

static gint64
monotonic_clock (gpointer user_data)
{
  return g_get_monotonic_time ();
}

static void
wa_messenger_dispose (GObject *object)
{
  WaMessenger *self = (WaMessenger *)object;

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  g_clear_object (&self->privacy);
  g_clear_object (&self->signal);
  if (self->unresolved_timer != NULL)
    {
      g_source_destroy (self->unresolved_timer);
      g_clear_pointer (&self->unresolved_timer, g_source_unref);
    }

  G_OBJECT_CLASS (wa_messenger_parent_class)->dispose (object);
}

static void
wa_messenger_finalize (GObject *object)
{
  WaMessenger *self = (WaMessenger *)object;

  g_hash_table_unref (self->device_lists);
  g_hash_table_unref (self->sent);
  g_ptr_array_unref (self->unresolved);
  g_hash_table_unref (self->unconfirmed);
  g_queue_clear_full (&self->sent_order, g_free);
  g_hash_table_unref (self->recreated);

  G_OBJECT_CLASS (wa_messenger_parent_class)->finalize (object);
}

static void
wa_messenger_class_init (WaMessengerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wa_messenger_dispose;
  object_class->finalize = wa_messenger_finalize;

  /* A handler that returns TRUE keeps the message and calls
   * wa_messenger_confirm () once it has. */
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, g_signal_accumulator_true_handled, NULL, NULL, G_TYPE_BOOLEAN, 1,
                                   WA_TYPE_INCOMING_MESSAGE | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[PROTOCOL_MESSAGE] = g_signal_new ("protocol-message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BYTES);
  signals[RECEIPT] = g_signal_new ("receipt", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_STRING,
                                   G_TYPE_STRING, G_TYPE_INT64);
}

static void
wa_messenger_init (WaMessenger *self)
{
  self->device_lists = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) device_list_free);
  g_queue_init (&self->device_order);
  self->device_lists_max = DEVICE_LIST_CACHE_SIZE;
  self->sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) sent_message_free);
  self->unresolved = g_ptr_array_new_with_free_func ((GDestroyNotify) unresolved_free);
  self->unresolved_check_ms = UNRESOLVED_CHECK_MS;
  self->unresolved_wait_ms = UNRESOLVED_WAIT_MS;
  self->unresolved_max = UNRESOLVED_MAX;
  self->unconfirmed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  g_queue_init (&self->sent_order);
  self->recreated = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->clock = monotonic_clock;
  self->owner = g_thread_self ();
}

/**
 * wa_messenger_new:
 * @client: the connection to send and receive on
 *
 * Returns: (transfer full): a messenger for @client's account
 */
WaMessenger *
wa_messenger_new (WaClient *client)
{
  WaMessenger *self;

  g_return_val_if_fail (WA_IS_CLIENT (client), NULL);

  self = g_object_new (WA_TYPE_MESSENGER, NULL);
  self->client = g_object_ref (client);
  self->privacy = wa_privacy_new (client);
  g_signal_connect (client, "node", G_CALLBACK (node_cb), self);
  g_signal_connect (client, "notify::state", G_CALLBACK (state_cb), self);
  return self;
}

/**
 * _wa_messenger_set_unresolved_check:
 * @interval_ms: how often messages from a LID with no known number are
 *   looked at again for one
 *
 * For tests, which cannot wait half a minute.
 */
void
_wa_messenger_set_unresolved_check (WaMessenger *self,
                                    guint        interval_ms)
{
  g_return_if_fail (WA_IS_MESSENGER (self));
  assert_owner (self);

  self->unresolved_check_ms = interval_ms;
}

/**
 * _wa_messenger_set_unresolved_wait:
 * @wait_ms: how long a message from a LID with no known number waits
 *   for it at most
 *
 * For tests, which cannot wait minutes.
 */
void
_wa_messenger_set_unresolved_wait (WaMessenger *self,
                                   guint        wait_ms)
{
  g_return_if_fail (WA_IS_MESSENGER (self));
  assert_owner (self);

  self->unresolved_wait_ms = wait_ms;
}

/**
 * _wa_messenger_set_unresolved_max:
 * @max: how many messages from LIDs with no known number are held
 *
 * For tests, which need not send hundreds to see the bound.
 */
void
_wa_messenger_set_unresolved_max (WaMessenger *self,
                                  guint        max)
{
  g_return_if_fail (WA_IS_MESSENGER (self));
  g_return_if_fail (max > 0);
  assert_owner (self);

  self->unresolved_max = max;
}

/**
 * _wa_messenger_set_clock:
 * @clock: (nullable): returns the time in monotonic microseconds; %NULL
 *   for g_get_monotonic_time()
 * @user_data: for @clock
 *
 * For tests, which cannot wait an hour to see a session started over
 * again.
 */
void
_wa_messenger_set_clock (WaMessenger      *self,
                         WaMessengerClock  clock,
                         gpointer          user_data)
{
  g_return_if_fail (WA_IS_MESSENGER (self));
  assert_owner (self);

  self->clock = clock != NULL ? clock : monotonic_clock;
  self->clock_data = user_data;
}

/**
 * wa_messenger_get_privacy:
 *
 * Returns: (transfer none): the account's privacy tokens and time-lock
 */
WaPrivacy *
wa_messenger_get_privacy (WaMessenger *self)
{
  g_return_val_if_fail (WA_IS_MESSENGER (self), NULL);
  return self->privacy;
}

void
_wa_messenger_set_device_lists_max (WaMessenger *self,
                                    guint        max)
{
  g_return_if_fail (WA_IS_MESSENGER (self));
  g_return_if_fail (max > 0);
  assert_owner (self);

  self->device_lists_max = max;
}

guint
_wa_messenger_count_device_lists (WaMessenger *self)
{
  g_return_val_if_fail (WA_IS_MESSENGER (self), 0);
  assert_owner (self);

  return g_hash_table_size (self->device_lists);
}
