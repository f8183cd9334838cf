/* fakewa-server.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fakewa"

#include "config.h"

#include <string.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <libsoup/soup.h>

#include "fakewa-server.h"
#include "fakewa-device.h"
#include "fakewa-phone.h"
#include "fakewa-reachout.h"
#include "wa-client.h"
#include "wa-adv.pb-c.h"
#include "wa-binary.h"
#include "wa-cert.h"
#include "wa-error.h"
#include "wa-frame.h"
#include "wa-jid.h"
#include "wa-e2e.pb-c.h"
#include "wa-handshake.pb-c.h"
#include "wa-noise.h"
#include "wa-proto.h"
#include "wa-tokens.h"

/*
 * The server side of the transport. Its keys are made at start: a test
 * root, an intermediate it signs, and the server's static key in a leaf
 * the intermediate signs, valid for a day around now. A client trusts it
 * only when given fakewa_server_get_root_key() as its root, which is
 * exactly the check a real client runs against WhatsApp's root.
 */

#define CHAIN_VALIDITY (24 * 60 * 60)

/* Refs handed to a registering client, as many as the real server gives. */
#define N_REFS 6

typedef struct
{
  FakewaServer            *server;
  SoupWebsocketConnection *websocket;
  WaFrameReader           *reader;
  WaFrameWriter           *writer;
  WaNoiseHandshake        *handshake;
  WaNoiseCipher           *write_cipher;
  WaNoiseCipher           *read_cipher;
  const WaTokens          *tokens;      /* the dictionary the client announced */
  GPtrArray               *delayed;     /* GSource*: nodes waiting out the reply delay */
  gboolean                 hello_done;
  gboolean                 active;      /* logged in and past <active/>: stanzas flow */
  gboolean                 inline_history; /* its registration asked for inline history */

  /* Pairing of a registering client */
  GPtrArray               *refs;        /* char* */
  guint8                   identity[WA_KEY_LEN];
  GBytes                  *details;     /* the ADVDeviceIdentity sent */
  char                    *device_jid;
} Peer;

struct _FakewaServer
{
  GObject     parent_instance;

  SoupServer *soup;
  GSocketService *service;
  char       *url;
  /* The media host over TLS, once fakewa_server_serve_media_tls () was
   * called; else the media host is the chat port's own HTTP. */
  GSocketService *tls_service;
  GTlsCertificate *tls_certificate;
  guint16     tls_port;
  WaKeyPair   root;
  WaKeyPair   server_static;
  GBytes     *chain;
  guint       next_device;
  gboolean    silent;      /* pings go unanswered, as over a dead link */
  gboolean    hold_handshakes; /* ClientHellos go unanswered */
  guint       drop_countdown;  /* nodes until every connection is cut; 0: never */
  gboolean    dropping;        /* the countdown ran out inside a frame handler */
  GPtrArray  *peers;   /* Peer* */
  GHashTable *devices; /* paired device JID -> FakewaDevice */
  GHashTable *user_devices; /* user -> GHashTable, the set of its device JIDs:
                             * device lists and receipts to "every device of
                             * a user" look here, not through every device */
  GHashTable *accounts; /* phone number -> Account: the numbers on WhatsApp */
  char       *refusal;  /* the reason logins are refused with, or NULL */
  guint       ban_expire_s; /* with reason 402: how long the ban lasts */
  guint       reply_delay_ms;
  guint       first_answer_ms; /* how long a finished handshake waits for its answer */
  gboolean    backlog_first;   /* the backlog goes out before the answer to <active/> */
  gboolean    repeat_success;  /* a login gets its <success> twice */
  char       *message_refusal; /* the ack error every message gets, or NULL */
  FakewaLidAddressing lid_addressing;
  guint       n_acks;  /* acks received for what it sent */
  GHashTable *blobs;   /* media path -> GBytes: what the media host serves */
  guint       n_uploads;      /* uploads the media host accepted */
  guint       n_downloads;    /* downloads of a blob it holds, asked for */
  guint       n_media_conns;  /* media_conn queries answered */
  guint       media_conn_ttl;
  guint       refuse_uploads; /* how many uploads to come get 401 */
  gboolean    refuse_unlinks; /* a companion's removal of itself gets 500, the device kept */
  GBytes     *upload_answer;  /* what the next upload is answered instead, or NULL */
  FakewaMediaFault media_fault;
  gboolean    uploads_expired; /* media messages refused until the next upload */
  GHashTable *inline_history; /* device JIDs that asked for inline history */
  GPtrArray  *phone_pending;  /* PhoneMessage*: for companions not active yet */
  FakewaReachout *reachout; /* privacy tokens and time-locks */
  GHashTable *presences;    /* device JID -> its last presence, "TYPE NAME" */
  guint       next_notification;
  GHashTable *dirty;        /* "device JID\ttype\ttimestamp" of each dirty bit not cleaned */
  GHashTable *ab_props;     /* "phone\tcode" -> value, beside the defaults */
  guint       ab_props_version;
};

/* What a phone has for a companion that has not uploaded its keys and
 * gone active yet: the phone cannot start a session before. */
typedef struct
{
  char   *phone;
  char   *device;
  GBytes *message;
} PhoneMessage;

static void
phone_message_free (PhoneMessage *pending)
{
  g_free (pending->phone);
  g_free (pending->device);
  g_bytes_unref (pending->message);
  g_free (pending);
}

G_DEFINE_FINAL_TYPE (FakewaServer, fakewa_server, G_TYPE_OBJECT)

enum {
  CLIENT_PAYLOAD,
  PAIRED,
  RELAYED,
  PHONE_RECEIPT,
  KEY_REQUEST,
  REFUSED,
  UPLOAD_REFUSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* An account: its number is the key it is kept under. Its phone signs
 * its companions with the identity, and is device 0 in the devices table
 * (§12.3, item 9). */
typedef struct
{
  char          *lid;       /* the LID user */
  WaKeyPair      identity;
  WaCredentials *keys;      /* the phone's, with the same identity */
  FakewaPhone   *phone;     /* its app state and history, once used */
  gboolean       shares;    /* the phone shares with each new companion */
} Account;

static void
account_free (Account *account)
{
  g_free (account->lid);
  wa_key_pair_clear (&account->identity);
  wa_credentials_free (account->keys);
  g_clear_pointer (&account->phone, fakewa_phone_free);
  g_free (account);
}

static void
peer_free (Peer *peer)
{
  g_signal_handlers_disconnect_by_data (peer->websocket, peer);
  if (soup_websocket_connection_get_state (peer->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (peer->websocket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_object_unref (peer->websocket);
  wa_frame_reader_free (peer->reader);
  wa_frame_writer_free (peer->writer);
  g_clear_pointer (&peer->handshake, wa_noise_handshake_free);
  g_clear_pointer (&peer->write_cipher, wa_noise_cipher_free);
  g_clear_pointer (&peer->read_cipher, wa_noise_cipher_free);
  g_clear_pointer (&peer->refs, g_ptr_array_unref);
  g_ptr_array_unref (peer->delayed);
  g_clear_pointer (&peer->details, g_bytes_unref);
  g_free (peer->device_jid);
  g_free (peer);
}

static gboolean
send_node (Peer    *peer,
           WaNode  *node,
           GError **error)
{
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) cipher = NULL;

  plain = wa_binary_pack_frame_with (node, peer->tokens);
  cipher = wa_noise_cipher_encrypt (peer->write_cipher, g_bytes_get_data (plain, NULL), g_bytes_get_size (plain),
                                    error);
  return cipher != NULL && wa_frame_writer_send (peer->writer, peer->websocket, cipher, error);
}

static char *
user_of_device (const char *device_jid)
{
  g_autoptr(WaJid) jid = wa_jid_parse (device_jid, NULL);

  return jid != NULL ? g_strdup (wa_jid_get_user (jid)) : NULL;
}

/* The set of @user's device JIDs (the keys of the devices table), or NULL. */
static GHashTable *
devices_of_user (FakewaServer *self,
                 const char   *user)
{
  return user != NULL ? g_hash_table_lookup (self->user_devices, user) : NULL;
}

static void
forget_device (FakewaServer *self,
               const char   *device_jid)
{
  g_autofree char *user = user_of_device (device_jid);
  GHashTable *set = devices_of_user (self, user);

  /* The set only borrows the devices table's key: drop it first. */
  if (set != NULL)
    g_hash_table_remove (set, device_jid);
  g_hash_table_remove (self->devices, device_jid);
}

static void
add_device (FakewaServer *self,
            const char   *device_jid,
            FakewaDevice *device)
{
  g_autofree char *user = user_of_device (device_jid);
  char *key = g_strdup (device_jid);
  GHashTable *set;

  forget_device (self, device_jid);
  g_hash_table_insert (self->devices, key, device);
  if (user == NULL)
    return;
  set = devices_of_user (self, user);
  if (set == NULL)
    {
      set = g_hash_table_new (g_str_hash, g_str_equal);
      g_hash_table_insert (self->user_devices, g_steal_pointer (&user), set);
    }
  g_hash_table_add (set, key);
}

static Account *
lookup_account (FakewaServer *self,
                const char   *phone)
{
  return g_hash_table_lookup (self->accounts, phone);
}

/* Every account has a LID beside its phone number (§1): a stable, opaque
 * 15-digit user, and a phone with keys of its own. */
static Account *
ensure_account (FakewaServer *self,
                const char   *phone)
{
  Account *account = lookup_account (self, phone);
  g_autofree char *phone_jid = NULL;

  if (account != NULL)
    return account;

  account = g_new0 (Account, 1);
  account->lid = g_strdup_printf ("%u%07u", 10000000 + g_random_int_range (0, 89999999),
                                  (guint) g_random_int_range (0, 9999999));
  account->keys = wa_credentials_generate ();
  account->identity = account->keys->identity_key;
  g_hash_table_insert (self->accounts, g_strdup (phone), account);
  phone_jid = g_strdup_printf ("%s@s.whatsapp.net", phone);
  add_device (self, phone_jid, fakewa_device_new_primary (phone_jid, account->keys));
  return account;
}

/* The account's phone, as far as app state and history go. */
static FakewaPhone *
ensure_phone (FakewaServer *self,
              const char   *phone)
{
  Account *account = ensure_account (self, phone);
  g_autoptr(GError) error = NULL;

  if (account->phone == NULL && (account->phone = fakewa_phone_new (account->keys, &error)) == NULL)
    g_error ("The fake phone could not start: %s", error->message);
  return account->phone;
}

static const char *
account_lid (FakewaServer *self,
             const char   *phone)
{
  Account *account = lookup_account (self, phone);

  return account != NULL ? account->lid : NULL;
}

/* "6281…:3@s.whatsapp.net" -> "2363…:3@lid" */
static char *
device_lid (FakewaServer *self,
            const char   *device_jid)
{
  g_autoptr(WaJid) jid = wa_jid_parse (device_jid, NULL);
  const char *lid = jid != NULL ? account_lid (self, wa_jid_get_user (jid)) : NULL;

  if (lid == NULL)
    return NULL;
  return g_strdup_printf ("%s:%u@lid", lid, wa_jid_get_device (jid));
}

/**
 * fakewa_server_dup_device_lid:
 * @device_jid: a device's phone-number JID
 *
 * Returns: (transfer full) (nullable): the same device's LID JID
 */
char *
fakewa_server_dup_device_lid (FakewaServer *self,
                              const char   *device_jid)
{
  g_return_val_if_fail (FAKEWA_IS_SERVER (self), NULL);
  g_return_val_if_fail (device_jid != NULL, NULL);
  return device_lid (self, device_jid);
}

/**
 * fakewa_server_has_device:
 * @device_jid: a device's phone-number JID
 *
 * Returns: whether the device is linked: paired, and not removed since
 */
gboolean
fakewa_server_has_device (FakewaServer *self,
                          const char   *device_jid)
{
  g_return_val_if_fail (FAKEWA_IS_SERVER (self), FALSE);
  return g_hash_table_contains (self->devices, device_jid);
}

/* "2363…:3@lid" -> "6281…:3@s.whatsapp.net", for an account of ours. */
static char *
device_of_lid (FakewaServer *self,
               WaJid        *lid)
{
  GHashTableIter iter;
  gpointer phone, account;

  g_hash_table_iter_init (&iter, self->accounts);
  while (g_hash_table_iter_next (&iter, &phone, &account))
    if (g_strcmp0 (((Account *) account)->lid, wa_jid_get_user (lid)) == 0)
      return g_strdup_printf ("%s:%u@s.whatsapp.net", (const char *) phone, wa_jid_get_device (lid));
  return NULL;
}

static gboolean share_with (FakewaServer *self, const char *phone, const char *companion, GError **error);

/* The companion's countersignature must verify with the identity it
 * registered; then the server restarts the stream (515) as after every
 * pairing. */
static gboolean
handle_pair_device_sign (Peer    *peer,
                         WaNode  *sign,
                         GError **error)
{
  FakewaServer *self = peer->server;
  WaNode *identity_node = wa_node_get_child_by_tag (sign, "device-identity");
  GBytes *content = identity_node != NULL ? wa_node_get_content_bytes (identity_node) : NULL;
  g_autoptr(GByteArray) message = g_byte_array_new ();
  g_autoptr(WaNode) restart = NULL;
  WaAdv__ADVSignedDeviceIdentity *identity = NULL;
  g_autoptr(WaJid) device = peer->device_jid != NULL ? wa_jid_parse (peer->device_jid, NULL) : NULL;
  Account *account = device != NULL ? lookup_account (self, wa_jid_get_user (device)) : NULL;
  gboolean valid;

  if (content != NULL)
    identity = wa_adv__advsigned_device_identity__unpack (NULL, g_bytes_get_size (content),
                                                          g_bytes_get_data (content, NULL));
  valid = identity != NULL && peer->details != NULL && account != NULL && identity->has_device_signature &&
          identity->device_signature.len == WA_SIGNATURE_LEN && !identity->has_account_signature_key;
  if (valid)
    {
      g_byte_array_append (message, (const guint8 *)"\x06\x01", 2);
      g_byte_array_append (message, g_bytes_get_data (peer->details, NULL), g_bytes_get_size (peer->details));
      g_byte_array_append (message, peer->identity, WA_KEY_LEN);
      g_byte_array_append (message, account->identity.pub, WA_KEY_LEN);
      valid = wa_crypto_verify (peer->identity, message->data, message->len, identity->device_signature.data);
    }
  if (identity != NULL)
    wa_adv__advsigned_device_identity__free_unpacked (identity, NULL);
  if (!valid)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO, "the companion's device signature does not verify");
      return FALSE;
    }

  {
    g_autoptr(GBytes) companion = g_bytes_new (peer->identity, WA_KEY_LEN);

    add_device (self, peer->device_jid, fakewa_device_new (peer->device_jid, companion));
    if (peer->inline_history)
      g_hash_table_add (self->inline_history, g_strdup (peer->device_jid));
    if (account->shares && !share_with (self, wa_jid_get_user (device), peer->device_jid, error))
      return FALSE;
  }
  g_signal_emit (self, signals[PAIRED], 0, peer->device_jid);
  restart = wa_node_new_with_attrs ("stream:error", "code", "515", NULL);
  if (!send_node (peer, restart, error))
    return FALSE;
  soup_websocket_connection_close (peer->websocket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  return TRUE;
}

static void deliver (FakewaServer *self, const char *device_jid, WaNode *stanza);

/* Everything the device got before and did not confirm, and everything
 * held for it while it was away, now that it is active, then the count
 * of it: clients wait for that <offline/> before they report what came
 * in (§12.3, item 3). */
static void
flush_held (Peer *peer)
{
  FakewaDevice *device = g_hash_table_lookup (peer->server->devices, peer->device_jid);
  g_autoptr(GPtrArray) unconfirmed = device != NULL ? fakewa_device_steal_unconfirmed (device) : NULL;
  g_autoptr(GPtrArray) held = device != NULL ? fakewa_device_steal_held (device) : NULL;
  g_autoptr(WaNode) done = wa_node_new ("ib");
  g_autoptr(GError) error = NULL;
  g_autofree char *count = g_strdup_printf ("%u", held != NULL ? unconfirmed->len + held->len : 0);

  for (guint i = 0; unconfirmed != NULL && i < unconfirmed->len; i++)
    deliver (peer->server, peer->device_jid, g_ptr_array_index (unconfirmed, i));
  for (guint i = 0; held != NULL && i < held->len; i++)
    deliver (peer->server, peer->device_jid, g_ptr_array_index (held, i));
  wa_node_add_child (done, wa_node_new_with_attrs ("offline", "count", count, NULL));
  if (!send_node (peer, done, &error))
    g_debug ("Could not end the offline queue: %s", error->message);
}

/* The bundles asked for (§7.3): each device's keys with one of its
 * one-time prekeys, or an error for a device this server does not know
 * (a phone, which has no keys here). */
static void
add_bundles (FakewaServer *self,
             WaNode       *result,
             WaNode       *key)
{
  g_autoptr(GPtrArray) users = wa_node_get_children_by_tag (key, "user");
  WaNode *list = wa_node_add_child (result, wa_node_new ("list"));

  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      const char *jid = wa_node_get_attr (g_ptr_array_index (users, i), "jid");
      FakewaDevice *device = jid != NULL ? g_hash_table_lookup (self->devices, jid) : NULL;
      WaNode *user;

      if (device != NULL)
        {
          wa_node_add_child (list, fakewa_device_take_bundle (device));
          continue;
        }
      user = wa_node_add_child (list, wa_node_new_with_attrs ("user", "jid", jid != NULL ? jid : "", NULL));
      wa_node_add_child (user, wa_node_new_with_attrs ("error", "code", "404", "text", "item-not-found", NULL));
    }
}

static void send_phone_pending (FakewaServer *self, const char *device_jid);
static gboolean clean_dirty (Peer *peer, WaNode *iq, WaNode *clean, GError **error);
static gboolean answer_ab_props (Peer *peer, WaNode *iq, GError **error);

/* What a logged-in device asks of the key server (§6.2–6.3, §7.3): how
 * many prekeys the server holds, an upload of more, others' bundles, and
 * going active. */
static gboolean
handle_session_iq (Peer    *peer,
                   WaNode  *iq,
                   GError **error)
{
  FakewaServer *self = peer->server;
  g_autoptr(WaNode) result = wa_node_new_with_attrs ("iq", "type", "result", "from", "@s.whatsapp.net",
                                                     "id", wa_node_get_attr (iq, "id"), NULL);
  FakewaDevice *device = g_hash_table_lookup (self->devices, peer->device_jid);
  WaNode *key = wa_node_get_child_by_tag (iq, "key");

  if (device == NULL)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_LOGGED_OUT, "the device was removed");
      return FALSE;
    }
  if (wa_node_get_child_by_tag (iq, "count") != NULL)
    {
      g_autofree char *value = g_strdup_printf ("%u", fakewa_device_get_prekey_count (device));

      wa_node_add_child (result, wa_node_new_with_attrs ("count", "value", value, NULL));
    }
  else if (wa_node_get_child_by_tag (iq, "list") != NULL)
    {
      if (!fakewa_device_store_keys (device, iq, error))
        return FALSE;
    }
  else if (wa_node_get_child_by_tag (iq, "rotate") != NULL)
    {
      if (!fakewa_device_rotate_signed (device, wa_node_get_child_by_tag (iq, "rotate"), error))
        return FALSE;
    }
  else if (wa_node_get_child_by_tag (iq, "digest") != NULL)
    {
      WaNode *digest = fakewa_device_digest (device);

      if (digest == NULL)
        {
          wa_node_set_attr (result, "type", "error");
          wa_node_add_child (result, wa_node_new_with_attrs ("error", "code", "404", "text", "item-not-found", NULL));
        }
      else
        wa_node_add_child (result, digest);
    }
  else if (key != NULL)
    add_bundles (self, result, key);

  if (wa_node_get_child_by_tag (iq, "active") == NULL || peer->active)
    return send_node (peer, result, error);

  peer->active = TRUE;
  if (!self->backlog_first && !send_node (peer, result, error))
    return FALSE;
  send_phone_pending (self, peer->device_jid);
  flush_held (peer);
  return !self->backlog_first || send_node (peer, result, error);
}

/**
 * fakewa_server_get_prekey_count:
 * @device_jid: a device this server paired
 *
 * Returns: how many one-time prekeys of that device the server holds
 */
guint
fakewa_server_get_prekey_count (FakewaServer *self,
                                const char   *device_jid)
{
  FakewaDevice *device;

  g_return_val_if_fail (FAKEWA_IS_SERVER (self), 0);
  device = g_hash_table_lookup (self->devices, device_jid);
  return device != NULL ? fakewa_device_get_prekey_count (device) : 0;
}

/**
 * fakewa_server_get_signed_prekey_id:
 * @device_jid: a device this server paired
 *
 * Returns: the id of the signed prekey the server hands out for that
 *   device; 0 before its first upload
 */
guint32
fakewa_server_get_signed_prekey_id (FakewaServer *self,
                                    const char   *device_jid)
{
  FakewaDevice *device;

  g_return_val_if_fail (FAKEWA_IS_SERVER (self), 0);
  device = g_hash_table_lookup (self->devices, device_jid);
  return device != NULL ? fakewa_device_get_signed_id (device) : 0;
}

/**
 * fakewa_server_forget_prekeys:
 * @device_jid: a device this server paired
 *
 * Loses every key the device uploaded, as a server that lost them:
 * bundles and the digest query answer 404 until it uploads again.
 */
void
fakewa_server_forget_prekeys (FakewaServer *self,
                              const char   *device_jid)
{
  FakewaDevice *device;

  g_return_if_fail (FAKEWA_IS_SERVER (self));
  device = g_hash_table_lookup (self->devices, device_jid);
  if (device != NULL)
    fakewa_device_forget_keys (device);
}

/* The digits of a number as a contact query gives it ("+62812…",
 * "+62812…@c.us" or bare digits), or NULL when it is not a number. */
static char *
contact_digits (WaNode *contact)
{
  GBytes *content = wa_node_get_content_bytes (contact);
  g_autofree char *text = NULL;
  const char *digits;
  char *at;

  if (content == NULL)
    return NULL;
  text = g_strndup (g_bytes_get_data (content, NULL), g_bytes_get_size (content));
  if ((at = strchr (text, '@')) != NULL)
    *at = '\0';
  digits = text[0] == '+' ? text + 1 : text;
  if (*digits == '\0' || strspn (digits, "0123456789") != strlen (digits))
    return NULL;
  return g_strdup (digits);
}

/* The devices of @phone: the phone itself (0) and the companions this
 * server paired, each with the key index Baileys insists on for every
 * device but the phone. */
static gint
compare_device_ids (gconstpointer a,
                    gconstpointer b)
{
  guint first = *(const guint *) a, second = *(const guint *) b;

  return first < second ? -1 : first > second;
}

static WaNode *
device_list (FakewaServer *self,
             const char   *phone)
{
  WaNode *devices = wa_node_new ("devices");
  WaNode *list = wa_node_add_child (devices, wa_node_new ("device-list"));
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint));
  GHashTable *set = devices_of_user (self, phone);
  GHashTableIter iter;
  const char *text;

  if (set != NULL)
    g_hash_table_iter_init (&iter, set);
  while (set != NULL && g_hash_table_iter_next (&iter, (gpointer *) &text, NULL))
    {
      g_autoptr(WaJid) jid = wa_jid_parse (text, NULL);
      guint id;

      if (jid == NULL)
        continue;
      id = wa_jid_get_device (jid);
      g_array_append_val (ids, id);
    }
  g_array_sort (ids, compare_device_ids);

  for (guint i = 0; i < ids->len; i++)
    {
      guint id = g_array_index (ids, guint, i);
      g_autofree char *id_text = g_strdup_printf ("%u", id);
      WaNode *device = wa_node_add_child (list, wa_node_new_with_attrs ("device", "id", id_text, NULL));

      if (id != 0)
        wa_node_set_attr (device, "key-index", "1");
    }
  return devices;
}

/* usync (§7.2, §9): for each user asked about, what the query names: the
 * contact protocol says whether the number is on WhatsApp, devices lists
 * its companions, lid names its LID. A malformed number is left out of
 * the list, as the real server does. */
static gboolean
handle_usync (Peer    *peer,
              WaNode  *iq,
              WaNode  *usync,
              GError **error)
{
  FakewaServer *self = peer->server;
  WaNode *query = wa_node_get_child_by_tag (usync, "query");
  WaNode *users = wa_node_get_child_by_tag (usync, "list");
  g_autoptr(WaNode) answer = wa_node_new_with_attrs ("iq", "type", "result", "from", "@s.whatsapp.net",
                                                     "id", wa_node_get_attr (iq, "id"), NULL);
  gboolean want_contact = query != NULL && wa_node_get_child_by_tag (query, "contact") != NULL;
  gboolean want_devices = query != NULL && wa_node_get_child_by_tag (query, "devices") != NULL;
  gboolean want_lid = query != NULL && wa_node_get_child_by_tag (query, "lid") != NULL;
  g_autoptr(GPtrArray) asked = users != NULL ? wa_node_get_children_by_tag (users, "user") : NULL;
  WaNode *out, *result, *list;
  const char *attrs[] = { "sid", "mode", "context", "last", "index" };

  out = wa_node_add_child (answer, wa_node_new ("usync"));
  for (guint i = 0; i < G_N_ELEMENTS (attrs); i++)
    if (wa_node_get_attr (usync, attrs[i]) != NULL)
      wa_node_set_attr (out, attrs[i], wa_node_get_attr (usync, attrs[i]));
  result = wa_node_add_child (out, wa_node_new ("result"));
  if (want_contact)
    wa_node_add_child (result, wa_node_new ("contact"));
  if (want_devices)
    wa_node_add_child (result, wa_node_new ("devices"));
  if (want_lid)
    wa_node_add_child (result, wa_node_new ("lid"));
  list = wa_node_add_child (out, wa_node_new ("list"));

  for (guint i = 0; asked != NULL && i < asked->len; i++)
    {
      WaNode *user = g_ptr_array_index (asked, i);
      WaNode *contact = wa_node_get_child_by_tag (user, "contact");
      g_autofree char *phone = NULL;
      g_autofree char *jid_text = NULL;
      WaNode *reply;
      gboolean registered;

      if (contact != NULL)
        phone = contact_digits (contact);
      else if (wa_node_get_attr (user, "jid") != NULL)
        {
          g_autoptr(WaJid) jid = wa_jid_parse (wa_node_get_attr (user, "jid"), NULL);

          phone = jid != NULL ? g_strdup (wa_jid_get_user (jid)) : NULL;
        }
      if (phone == NULL)
        continue;

      registered = lookup_account (self, phone) != NULL;
      jid_text = g_strdup_printf ("%s@s.whatsapp.net", phone);
      reply = wa_node_add_child (list, wa_node_new_with_attrs ("user", "jid", jid_text, NULL));
      if (want_contact && contact != NULL)
        {
          WaNode *answer_contact = wa_node_add_child (reply, wa_node_new_with_attrs ("contact", "type",
                                                                                     registered ? "in" : "out",
                                                                                     NULL));
          GBytes *asked_as = wa_node_get_content_bytes (contact);

          wa_node_set_content_bytes (answer_contact, asked_as);
        }
      if (want_devices && registered)
        wa_node_add_child (reply, device_list (self, phone));
      if (want_lid && registered)
        {
          g_autofree char *lid = g_strdup_printf ("%s@lid", account_lid (self, phone));

          wa_node_add_child (reply, wa_node_new_with_attrs ("lid", "val", lid, NULL));
        }
    }
  return send_node (peer, answer, error);
}

/**
 * fakewa_server_add_account:
 * @phone: a number, digits only
 *
 * Puts @phone on WhatsApp, as an account whose phone has no linked
 * devices yet; a number whose phone scanned a code is on it already.
 */
void
fakewa_server_add_account (FakewaServer *self,
                           const char   *phone)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  g_return_if_fail (phone != NULL);
  ensure_account (self, phone);
}

static gboolean
same_user (const char *a,
           const char *b)
{
  g_autoptr(WaJid) first = wa_jid_parse (a, NULL);
  g_autoptr(WaJid) second = wa_jid_parse (b, NULL);

  return first != NULL && second != NULL && g_strcmp0 (wa_jid_get_user (first), wa_jid_get_user (second)) == 0;
}

static char *
unix_now (void)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);
}

static void phone_peer_message (FakewaServer *self, const char *phone_jid, WaNode *message);

/* The phone sends @device_jid @message under @id (NULL: a new one), from
 * device 0, starting a session from the device's keys when it has none:
 * as a peer message (WA-FIDELITY §2.1, §3.1) when @peer, else as the
 * customer it plays. */
static void
phone_send_id (FakewaServer *self,
               const char   *phone,
               const char   *device_jid,
               const char   *message_id,
               gboolean      peer,
               GBytes       *message)
{
  FakewaPhone *fake_phone = ensure_phone (self, phone);
  FakewaDevice *device = g_hash_table_lookup (self->devices, device_jid);
  g_autoptr(WaJid) jid = wa_jid_parse (device_jid, NULL);
  g_autoptr(WaNode) bundle = NULL;
  g_autoptr(WaNode) stanza = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *from = g_strdup_printf ("%s@s.whatsapp.net", phone);
  g_autofree char *id = message_id != NULL ? g_strdup (message_id)
                                           : g_strdup_printf ("3A%08X%08X", g_random_int (), g_random_int ());
  g_autofree char *now = unix_now ();
  WaNode *enc;

  if (device == NULL || jid == NULL)
    return;
  if (!fakewa_phone_has_session (fake_phone, jid))
    bundle = fakewa_device_take_bundle (device);
  enc = fakewa_phone_encrypt (fake_phone, jid, bundle, message, &error);
  if (enc == NULL)
    {
      g_debug ("The phone could not write to %s: %s", device_jid, error->message);
      return;
    }
  stanza = wa_node_new_with_attrs ("message", "from", from, "id", id, "type", "text", "t", now, NULL);
  if (peer)
    wa_node_set_attr (stanza, "category", "peer");
  wa_node_add_child (stanza, enc);
  deliver (self, device_jid, stanza);
}

static void
phone_send (FakewaServer *self,
            const char   *phone,
            const char   *device_jid,
            GBytes       *message)
{
  phone_send_id (self, phone, device_jid, NULL, TRUE, message);
}

static gboolean
is_active (FakewaServer *self,
           const char   *device_jid)
{
  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);

      if (peer->active && g_strcmp0 (peer->device_jid, device_jid) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Sends now to a companion that is online, or once it is. */
static void
phone_send_when_active (FakewaServer *self,
                        const char   *phone,
                        const char   *device_jid,
                        GBytes       *message)
{
  PhoneMessage *pending;

  if (is_active (self, device_jid))
    {
      phone_send (self, phone, device_jid, message);
      return;
    }
  pending = g_new0 (PhoneMessage, 1);
  pending->phone = g_strdup (phone);
  pending->device = g_strdup (device_jid);
  pending->message = g_bytes_ref (message);
  g_ptr_array_add (self->phone_pending, pending);
}

static void
send_phone_pending (FakewaServer *self,
                    const char   *device_jid)
{
  for (guint i = 0; i < self->phone_pending->len;)
    {
      PhoneMessage *pending = g_ptr_array_index (self->phone_pending, i);

      if (g_strcmp0 (pending->device, device_jid) != 0)
        {
          i++;
          continue;
        }
      phone_send (self, pending->phone, pending->device, pending->message);
      g_ptr_array_remove_index (self->phone_pending, i);
    }
}

/* A companion wrote to its own phone: the phone reads it, and shares its
 * keys again when asked for them (§2.1). */
static void
phone_peer_message (FakewaServer *self,
                    const char   *phone_jid,
                    WaNode       *message)
{
  g_autoptr(WaJid) sender = wa_jid_parse (wa_node_get_attr (message, "from"), NULL);
  g_autoptr(WaJid) phone = wa_jid_parse (phone_jid, NULL);
  WaNode *enc = wa_node_get_child_by_tag (message, "enc");
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GError) error = NULL;
  WaE2E__Message *decoded = NULL;

  if (sender == NULL || phone == NULL || enc == NULL)
    return;
  plain = fakewa_phone_decrypt (ensure_phone (self, wa_jid_get_user (phone)), sender, enc, &error);
  if (plain == NULL)
    {
      g_debug ("The phone could not read its companion: %s", error->message);
      return;
    }
  decoded = wa_e2_e__message__unpack (NULL, g_bytes_get_size (plain), g_bytes_get_data (plain, NULL));
  if (decoded != NULL && decoded->protocolmessage != NULL &&
      decoded->protocolmessage->appstatesynckeyrequest != NULL)
    {
      g_autofree char *device = wa_jid_to_string (sender);
      g_autoptr(GBytes) share = fakewa_phone_key_share (ensure_phone (self, wa_jid_get_user (phone)));

      g_signal_emit (self, signals[KEY_REQUEST], 0, device);
      phone_send (self, wa_jid_get_user (phone), device, share);
    }
  if (decoded != NULL)
    wa_e2_e__message__free_unpacked (decoded, NULL);
}

/* The number of the account a user or device JID names, by its number or
 * its LID; %NULL for no account of this server. */
static char *
phone_of (FakewaServer *self,
          const char   *jid_text)
{
  g_autoptr(WaJid) jid = jid_text != NULL ? wa_jid_parse (jid_text, NULL) : NULL;
  GHashTableIter iter;
  const char *phone;
  Account *account;

  if (jid == NULL)
    return NULL;
  if (wa_jid_is_pn (jid))
    return lookup_account (self, wa_jid_get_user (jid)) != NULL ? g_strdup (wa_jid_get_user (jid)) : NULL;
  if (!wa_jid_is_lid (jid))
    return NULL;
  g_hash_table_iter_init (&iter, self->accounts);
  while (g_hash_table_iter_next (&iter, (gpointer *) &phone, (gpointer *) &account))
    if (g_strcmp0 (account->lid, wa_jid_get_user (jid)) == 0)
      return g_strdup (phone);
  return NULL;
}

static char *
next_notification_id (FakewaServer *self)
{
  return g_strdup_printf ("%u", ++self->next_notification);
}

/* The companions (not the phone) of an account, device JIDs. From the
 * account's own devices: a message's token goes to the companions of its
 * sender, and scanning every device of the server for them made a
 * campaign's cost here grow with the square of its size. */
static GPtrArray *
companions_of (FakewaServer *self,
               const char   *phone)
{
  GPtrArray *targets = g_ptr_array_new_with_free_func (g_free);
  GHashTable *set = devices_of_user (self, phone);
  GHashTableIter iter;
  const char *jid;

  if (set == NULL)
    return targets;
  g_hash_table_iter_init (&iter, set);
  while (g_hash_table_iter_next (&iter, (gpointer *) &jid, NULL))
    {
      FakewaDevice *device = g_hash_table_lookup (self->devices, jid);

      if (device != NULL && !fakewa_device_is_primary (device))
        g_ptr_array_add (targets, g_strdup (jid));
    }
  return targets;
}

/* @issuer's client ran the trusted-contact issuance for @holder (§1.6):
 * a new token, pushed to every companion of @holder. */
static void
push_token (FakewaServer *self,
            const char   *issuer,
            const char   *holder)
{
  gint64 t = fakewa_reachout_now (self->reachout);
  g_autoptr(GBytes) token = fakewa_reachout_issue (self->reachout, issuer, holder, t);
  g_autofree char *from = g_strdup_printf ("%s@s.whatsapp.net", issuer);
  g_autofree char *sender_lid = g_strdup_printf ("%s@lid", account_lid (self, issuer));
  g_autofree char *t_text = g_strdup_printf ("%" G_GINT64_FORMAT, t);
  g_autoptr(GPtrArray) targets = companions_of (self, holder);

  for (guint i = 0; i < targets->len; i++)
    {
      const char *target = g_ptr_array_index (targets, i);
      g_autofree char *id = next_notification_id (self);
      g_autoptr(WaNode) notification = wa_node_new_with_attrs ("notification", "from", from,
                                                               "sender_lid", sender_lid, "type", "privacy_token",
                                                               "id", id, "t", t_text, NULL);
      WaNode *tokens = wa_node_add_child (notification, wa_node_new ("tokens"));
      WaNode *child = wa_node_add_child (tokens, wa_node_new_with_attrs ("token", "jid", target, "t", t_text,
                                                                         "type", "trusted_contact", NULL));

      wa_node_set_content_bytes (child, token);
      deliver (self, target, notification);
    }
}

/* The account's time-lock, pushed to its companions as WhatsApp does when
 * it starts or lifts one (§1.8). */
static void
push_timelock (FakewaServer *self,
               const char   *phone)
{
  g_autofree char *json = fakewa_reachout_timelock_json (self->reachout, phone,
                                                         "xwa2_notify_account_reachout_timelock");
  g_autofree char *t_text = g_strdup_printf ("%" G_GINT64_FORMAT, fakewa_reachout_now (self->reachout));
  g_autoptr(GPtrArray) targets = companions_of (self, phone);

  for (guint i = 0; i < targets->len; i++)
    {
      g_autofree char *id = next_notification_id (self);
      g_autoptr(WaNode) notification = wa_node_new_with_attrs ("notification", "from", "@s.whatsapp.net",
                                                               "type", "mex", "id", id, "t", t_text, NULL);
      WaNode *update = wa_node_add_child (notification, wa_node_new_with_attrs ("update", "op_name",
                                                                                "NotificationUserReachoutTimelockUpdate",
                                                                                NULL));

      wa_node_set_content_data (update, (const guint8 *) json, strlen (json));
      deliver (self, g_ptr_array_index (targets, i), notification);
    }
}

/* The simulated phone got a message: like a real one it confirms the
 * delivery to the sending device, unless the message came from its own
 * account's other device. */
static void
phone_received (FakewaServer *self,
                const char   *phone_jid,
                WaNode       *message)
{
  const char *sender = wa_node_get_attr (message, "from");
  g_autoptr(WaNode) receipt = NULL;
  g_autofree char *now = unix_now ();

  if (sender != NULL && same_user (sender, phone_jid) &&
      g_strcmp0 (wa_node_get_attr (message, "category"), "peer") == 0)
    {
      phone_peer_message (self, phone_jid, message);
      return;
    }
  if (sender == NULL || same_user (sender, phone_jid))
    return;
  receipt = wa_node_new_with_attrs ("receipt", "from", phone_jid, "id", wa_node_get_attr (message, "id"),
                                    "t", now, NULL);
  deliver (self, sender, receipt);
}

/* Sends @stanza to the device now if it is online and active, or holds it
 * until it is; a device this server never paired gets nothing, and a
 * phone answers for itself. */
static void
deliver (FakewaServer *self,
         const char   *device_jid,
         WaNode       *stanza)
{
  FakewaDevice *device = g_hash_table_lookup (self->devices, device_jid);

  if (device != NULL && fakewa_device_is_primary (device))
    {
      if (g_str_equal (wa_node_get_tag (stanza), "message"))
        phone_received (self, device_jid, stanza);
      /* What the phone wrote (fakewa_server_phone_write ()) reached the
       * device that confirms it. */
      else if (g_str_equal (wa_node_get_tag (stanza), "receipt") && wa_node_get_attr (stanza, "id") != NULL)
        g_signal_emit (self, signals[PHONE_RECEIPT], 0,
                       wa_node_get_attr (stanza, "type") != NULL ? wa_node_get_attr (stanza, "type") : "delivery",
                       wa_node_get_attr (stanza, "id"));
      return;
    }

  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);
      g_autoptr(GError) error = NULL;

      if (!peer->active || g_strcmp0 (peer->device_jid, device_jid) != 0)
        continue;
      if (send_node (peer, stanza, &error))
        {
          if (device != NULL && g_str_equal (wa_node_get_tag (stanza), "message"))
            fakewa_device_await_receipt (device, stanza);
          return;
        }
      g_debug ("Could not deliver a %s: %s", wa_node_get_tag (stanza), error->message);
    }
  if (device != NULL)
    fakewa_device_hold (device, stanza);
}

/* One device's copy of a message (§7.7 → §8.1): its own <enc> nodes, and
 * the sender's device identity when one of them starts a session. */
static WaNode *
message_for_device (Peer       *sender,
                    WaNode     *message,
                    const char *target,
                    WaNode     *holder)
{
  const char *to = wa_node_get_attr (message, "to");
  WaNode *identity = wa_node_get_child_by_tag (message, "device-identity");
  g_autoptr(GPtrArray) encs = wa_node_get_children_by_tag (holder, "enc");
  g_autofree char *now = unix_now ();
  WaNode *copy = wa_node_new_with_attrs ("message", "from", sender->device_jid,
                                         "id", wa_node_get_attr (message, "id"),
                                         "type", wa_node_get_attr (message, "type") != NULL ?
                                                 wa_node_get_attr (message, "type") : "text",
                                         "t", now, NULL);
  gboolean session_start = FALSE;
  const char *presence;

  /* As the real server does more and more: the sender by its LID, with
   * or without its phone number beside it. */
  if (sender->server->lid_addressing != FAKEWA_LID_ADDRESSING_NONE)
    {
      g_autofree char *lid = device_lid (sender->server, sender->device_jid);
      g_autoptr(WaJid) pn = wa_jid_parse (sender->device_jid, NULL);
      g_autofree char *pn_user = g_strdup_printf ("%s@s.whatsapp.net", wa_jid_get_user (pn));

      wa_node_set_attr (copy, "from", lid);
      if (sender->server->lid_addressing == FAKEWA_LID_ADDRESSING_WITH_PN)
        wa_node_set_attr (copy, "sender_pn", pn_user);
    }

  /* A peer message stays one: the receiving device answers it so. */
  if (wa_node_get_attr (message, "category") != NULL)
    wa_node_set_attr (copy, "category", wa_node_get_attr (message, "category"));
  /* The name the sender announced in its presence reaches the recipient
   * as notify (WA-FIDELITY §4). */
  presence = g_hash_table_lookup (sender->server->presences, sender->device_jid);
  if (presence != NULL && g_str_has_prefix (presence, "available ") && presence[strlen ("available ")] != '\0')
    wa_node_set_attr (copy, "notify", presence + strlen ("available "));

  /* A copy for the sender's own other device names the chat it went to. */
  if (same_user (target, sender->device_jid) && !same_user (to, sender->device_jid))
    wa_node_set_attr (copy, "recipient", to);
  for (guint i = 0; encs != NULL && i < encs->len; i++)
    {
      WaNode *enc = g_ptr_array_index (encs, i);

      session_start |= g_strcmp0 (wa_node_get_attr (enc, "type"), "pkmsg") == 0;
      wa_node_add_child (copy, wa_node_ref (enc));
    }
  if (session_start && identity != NULL)
    wa_node_add_child (copy, wa_node_ref (identity));
  return copy;
}

/* Tells the tests what went where: "relayed" (sender device, target
 * device, the copy's first <enc> type), so they can see that a session
 * started with pkmsg and went on with msg; a media message adds
 * " media:" and the enc's mediatype. */
static void
announce_relay (Peer       *sender,
                const char *target,
                WaNode     *copy)
{
  WaNode *enc = wa_node_get_child_by_tag (copy, "enc");
  g_autofree char *type = NULL;

  if (enc != NULL && g_strcmp0 (wa_node_get_attr (copy, "type"), "media") == 0)
    type = g_strdup_printf ("%s media:%s", wa_node_get_attr (enc, "type"), wa_node_get_attr (enc, "mediatype"));
  else if (enc != NULL)
    type = g_strdup (wa_node_get_attr (enc, "type"));
  g_signal_emit (sender->server, signals[RELAYED], 0, sender->device_jid, target, type);
}

/* A message (§7.7): the server acknowledges it at once, then hands each
 * addressed device its copy, now or when it is back (§12.3). A stanza
 * that names no recipient is refused with 479, as the real server
 * refuses a malformed one. */
static gboolean
handle_message (Peer    *peer,
                WaNode  *message,
                GError **error)
{
  const char *to = wa_node_get_attr (message, "to");
  const char *id = wa_node_get_attr (message, "id");
  WaNode *participants = wa_node_get_child_by_tag (message, "participants");
  g_autoptr(WaNode) ack = NULL;
  g_autofree char *now = unix_now ();
  g_autofree char *sender_phone = NULL;
  g_autofree char *recipient_phone = NULL;
  const char *refusal;

  if (id == NULL)
    return TRUE;
  ack = wa_node_new_with_attrs ("ack", "class", "message", "id", id, "t", now, NULL);
  if (to == NULL || peer->device_jid == NULL || peer->server->message_refusal != NULL)
    {
      wa_node_set_attr (ack, "error", peer->server->message_refusal != NULL ? peer->server->message_refusal : "479");
      return send_node (peer, ack, error);
    }
  wa_node_set_attr (ack, "from", to);
  sender_phone = phone_of (peer->server, peer->device_jid);
  recipient_phone = phone_of (peer->server, to);
  if (sender_phone != NULL && recipient_phone != NULL &&
      (refusal = fakewa_reachout_check (peer->server->reachout, sender_phone, recipient_phone,
                                        account_lid (peer->server, recipient_phone), message)) != NULL)
    {
      wa_node_set_attr (ack, "error", refusal);
      g_signal_emit (peer->server, signals[REFUSED], 0, peer->device_jid, to, refusal);
      return send_node (peer, ack, error);
    }
  /* The server cannot read which upload an encrypted message names; once
   * the uploads are gone it refuses media messages until one is made
   * again, which is how a sender learns its upload expired. */
  if (peer->server->uploads_expired && g_strcmp0 (wa_node_get_attr (message, "type"), "media") == 0)
    {
      wa_node_set_attr (ack, "error", FAKEWA_UPLOAD_EXPIRED);
      g_signal_emit (peer->server, signals[REFUSED], 0, peer->device_jid, to, FAKEWA_UPLOAD_EXPIRED);
      return send_node (peer, ack, error);
    }
  if (!send_node (peer, ack, error))
    return FALSE;

  if (participants != NULL)
    {
      g_autoptr(GPtrArray) targets = wa_node_get_children_by_tag (participants, "to");

      for (guint i = 0; targets != NULL && i < targets->len; i++)
        {
          WaNode *target = g_ptr_array_index (targets, i);
          const char *jid = wa_node_get_attr (target, "jid");
          g_autoptr(WaNode) copy = NULL;

          if (jid == NULL)
            continue;
          copy = message_for_device (peer, message, jid, target);
          announce_relay (peer, jid, copy);
          deliver (peer->server, jid, copy);
        }
    }
  else if (wa_node_get_child_by_tag (message, "enc") != NULL)
    {
      /* A retry goes to the one device that asked for it (§8.5), which
       * may have asked by its LID. */
      g_autoptr(WaJid) target = wa_jid_parse (to, NULL);
      g_autofree char *pn_device = target != NULL && wa_jid_is_lid (target) ?
                                   device_of_lid (peer->server, target) : NULL;
      g_autoptr(WaNode) copy = message_for_device (peer, message, to, message);

      announce_relay (peer, to, copy);
      deliver (peer->server, pn_device != NULL ? pn_device : to, copy);
    }

  /* A customer's phone issues its token to whoever it writes to (§1.10). */
  if (sender_phone != NULL && recipient_phone != NULL && !g_str_equal (sender_phone, recipient_phone) &&
      fakewa_reachout_get_auto_issue (peer->server->reachout, sender_phone))
    push_token (peer->server, sender_phone, recipient_phone);
  return TRUE;
}

/* The trusted-contact issuance (§1.6): each <token jid> names the account
 * that gets a token from the sender's. A device JID or another type is
 * refused, as a malformed request. */
static gboolean
issue_tokens (Peer    *peer,
              WaNode  *iq,
              GError **error)
{
  FakewaServer *self = peer->server;
  WaNode *tokens = wa_node_get_child_by_tag (iq, "tokens");
  g_autoptr(GPtrArray) children = tokens != NULL ? wa_node_get_children_by_tag (tokens, "token") : NULL;
  g_autofree char *issuer = phone_of (self, peer->device_jid);
  g_autoptr(WaNode) result = wa_node_new_with_attrs ("iq", "type", "result", "from", "@s.whatsapp.net",
                                                     "id", wa_node_get_attr (iq, "id"), NULL);

  for (guint i = 0; children != NULL && i < children->len; i++)
    {
      WaNode *token = g_ptr_array_index (children, i);
      g_autoptr(WaJid) holder_jid = wa_jid_parse (wa_node_get_attr (token, "jid"), NULL);
      g_autofree char *holder = holder_jid != NULL ? phone_of (self, wa_node_get_attr (token, "jid")) : NULL;

      if (issuer == NULL || holder == NULL || wa_jid_get_device (holder_jid) != 0 ||
          g_strcmp0 (wa_node_get_attr (token, "type"), "trusted_contact") != 0 ||
          wa_node_get_attr (token, "t") == NULL)
        {
          wa_node_set_attr (result, "type", "error");
          wa_node_add_child (result, wa_node_new_with_attrs ("error", "code", "400", "text", "bad-request", NULL));
          return send_node (peer, result, error);
        }
      push_token (self, issuer, holder);
    }
  return send_node (peer, result, error);
}

/* MEX (§1.8): the time-lock and new-chat cap queries are answered from
 * the account's state; any other document is one this server does not
 * know. */
static gboolean
answer_mex (Peer    *peer,
            WaNode  *iq,
            GError **error)
{
  WaNode *query = wa_node_get_child_by_tag (iq, "query");
  g_autofree char *phone = phone_of (peer->server, peer->device_jid);
  g_autoptr(WaNode) result = wa_node_new_with_attrs ("iq", "type", "result", "from", "@s.whatsapp.net",
                                                     "id", wa_node_get_attr (iq, "id"), NULL);
  g_autofree char *json = NULL;

  if (phone != NULL && query != NULL && g_strcmp0 (wa_node_get_attr (query, "query_id"), "24503548349331633") == 0)
    json = fakewa_reachout_cap_json (peer->server->reachout, phone);
  else if (phone != NULL && query != NULL &&
           g_strcmp0 (wa_node_get_attr (query, "query_id"), "23983697327930364") == 0)
    json = fakewa_reachout_timelock_json (peer->server->reachout, phone, "xwa2_fetch_account_reachout_timelock");
  else
    {
      wa_node_set_attr (result, "type", "error");
      wa_node_add_child (result, wa_node_new_with_attrs ("error", "code", "404", "text", "item-not-found", NULL));
      return send_node (peer, result, error);
    }
  wa_node_set_content_data (wa_node_add_child (result, wa_node_new ("result")), (const guint8 *) json,
                            strlen (json));
  return send_node (peer, result, error);
}

/* The device took the message a receipt or an ack names: it is not
 * delivered again. */
static void
confirmed (Peer   *peer,
           WaNode *receipt_or_ack)
{
  FakewaDevice *device = peer->device_jid != NULL ? g_hash_table_lookup (peer->server->devices, peer->device_jid)
                                                  : NULL;

  if (device != NULL && wa_node_get_attr (receipt_or_ack, "id") != NULL)
    fakewa_device_confirmed (device, wa_node_get_attr (receipt_or_ack, "id"));
}

/* A receipt (§7.8) goes to the device it names, or to every device of
 * the user it names but the one it came from, saying who sent it. */
static void
handle_receipt (Peer   *peer,
                WaNode *receipt)
{
  FakewaServer *self = peer->server;
  const char *to = wa_node_get_attr (receipt, "to");
  const char *optional[] = { "type", "recipient", "participant" };
  g_autoptr(WaJid) target = to != NULL ? wa_jid_parse (to, NULL) : NULL;
  g_autoptr(WaNode) relayed = NULL;
  g_autofree char *now = unix_now ();
  GPtrArray *children = wa_node_get_children (receipt);
  GHashTable *set;
  g_autoptr(GPtrArray) targets = NULL;

  if (target == NULL || peer->device_jid == NULL || wa_node_get_attr (receipt, "id") == NULL)
    return;
  confirmed (peer, receipt);
  /* What the phone sent this device was read (WA-FIDELITY §3.3). */
  if (g_strcmp0 (wa_node_get_attr (receipt, "type"), "peer_msg") == 0 ||
      g_strcmp0 (wa_node_get_attr (receipt, "type"), "hist_sync") == 0)
    {
      g_signal_emit (self, signals[PHONE_RECEIPT], 0, wa_node_get_attr (receipt, "type"),
                     wa_node_get_attr (receipt, "id"));
      return;
    }
  relayed = wa_node_new_with_attrs ("receipt", "from", peer->device_jid, "id", wa_node_get_attr (receipt, "id"),
                                    "t", now, NULL);
  /* Under LID addressing receipts name their sender by LID too. */
  if (self->lid_addressing != FAKEWA_LID_ADDRESSING_NONE)
    {
      g_autofree char *lid = device_lid (self, peer->device_jid);

      if (lid != NULL)
        wa_node_set_attr (relayed, "from", lid);
    }
  for (guint i = 0; i < G_N_ELEMENTS (optional); i++)
    if (wa_node_get_attr (receipt, optional[i]) != NULL)
      wa_node_set_attr (relayed, optional[i], wa_node_get_attr (receipt, optional[i]));
  for (guint i = 0; children != NULL && i < children->len; i++)
    wa_node_add_child (relayed, wa_node_ref (g_ptr_array_index (children, i)));

  if (wa_jid_get_device (target) != 0)
    {
      deliver (self, to, relayed);
      return;
    }
  /* Delivering to a phone can add devices (none today) or remove them:
   * walk a copy of the set. */
  set = devices_of_user (self, wa_jid_get_user (target));
  targets = g_ptr_array_new_with_free_func (g_free);
  if (set != NULL)
    {
      GHashTableIter iter;
      const char *jid;

      g_hash_table_iter_init (&iter, set);
      while (g_hash_table_iter_next (&iter, (gpointer *) &jid, NULL))
        g_ptr_array_add (targets, g_strdup (jid));
    }
  for (guint i = 0; i < targets->len; i++)
    {
      const char *jid = g_ptr_array_index (targets, i);

      if (g_strcmp0 (jid, peer->device_jid) != 0)
        deliver (self, jid, relayed);
    }
}

/* The account's privacy settings, as a new account has them. A client
 * asks before it sends read receipts: "readreceipts" decides between
 * "read" and "read-self". */
static gboolean
answer_privacy (Peer    *peer,
                WaNode  *iq,
                GError **error)
{
  static const char * const defaults[][2] = {
    { "readreceipts", "all" }, { "last", "all" }, { "online", "all" }, { "profile", "all" },
    { "status", "contacts" }, { "groupadd", "all" }, { "calladd", "all" },
  };
  g_autoptr(WaNode) result = wa_node_new_with_attrs ("iq", "type", "result", "from", "@s.whatsapp.net",
                                                     "id", wa_node_get_attr (iq, "id"), NULL);
  WaNode *privacy = wa_node_add_child (result, wa_node_new ("privacy"));

  for (guint i = 0; i < G_N_ELEMENTS (defaults); i++)
    wa_node_add_child (privacy, wa_node_new_with_attrs ("category", "name", defaults[i][0],
                                                        "value", defaults[i][1], NULL));
  return send_node (peer, result, error);
}

/* The companion unlinks itself (§6.5): the server confirms, forgets the
 * device, and ends its stream as it ends any removed device's. */
static gboolean
remove_companion (Peer    *peer,
                  WaNode  *iq,
                  GError **error)
{
  g_autoptr(WaNode) result = wa_node_new_with_attrs ("iq", "type", "result", "from", "@s.whatsapp.net",
                                                     "id", wa_node_get_attr (iq, "id"), NULL);
  g_autoptr(WaNode) removed = wa_node_new_with_attrs ("stream:error", "code", "401", NULL);

  if (peer->server->refuse_unlinks)
    {
      wa_node_set_attr (result, "type", "error");
      wa_node_add_child (result, wa_node_new_with_attrs ("error", "code", "500", "text", "internal-server-error",
                                                         NULL));
      return send_node (peer, result, error);
    }
  forget_device (peer->server, peer->device_jid);
  wa_node_add_child (removed, wa_node_new_with_attrs ("conflict", "type", "device_removed", NULL));
  if (!send_node (peer, result, error) || !send_node (peer, removed, error))
    return FALSE;
  soup_websocket_connection_close (peer->websocket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  return TRUE;
}

/* "127.0.0.1:PORT" of the media host: its TLS port when it has one, else
 * the chat port's own HTTP. */
static char *
media_host (FakewaServer *self)
{
  g_autoptr(GUri) uri = g_uri_parse (self->url, G_URI_FLAGS_NONE, NULL);

  return g_strdup_printf ("127.0.0.1:%d", self->tls_port != 0 ? self->tls_port : g_uri_get_port (uri));
}

/* The media host (§10.1) as media_conn names it. */
static gboolean
answer_media_conn (Peer    *peer,
                   WaNode  *iq,
                   GError **error)
{
  g_autoptr(WaNode) result = wa_node_new_with_attrs ("iq", "type", "result", "from", "@s.whatsapp.net",
                                                     "id", wa_node_get_attr (iq, "id"), NULL);
  g_autofree char *host = media_host (peer->server);
  g_autofree char *ttl = g_strdup_printf ("%u", peer->server->media_conn_ttl);
  WaNode *conn = wa_node_add_child (result, wa_node_new_with_attrs ("media_conn", "auth", "fakewa-auth/+=",
                                                                    "ttl", ttl, "auth_ttl", "21600",
                                                                    "max_buckets", "12", NULL));

  peer->server->n_media_conns++;

  wa_node_add_child (conn, wa_node_new_with_attrs ("host", "hostname", host, NULL));
  return send_node (peer, result, error);
}

/* Pings get their result (§6.4); the answer to pair-success carries the
 * companion's countersignature. */
static gboolean
handle_node (Peer    *peer,
             WaNode  *node,
             GError **error)
{
  g_autoptr(WaNode) result = NULL;
  WaNode *sign, *child;

  if (g_str_equal (wa_node_get_tag (node), "ack"))
    {
      peer->server->n_acks++;
      confirmed (peer, node);
      return TRUE;
    }
  if (g_str_equal (wa_node_get_tag (node), "message"))
    return handle_message (peer, node, error);
  if (g_str_equal (wa_node_get_tag (node), "presence") && peer->device_jid != NULL)
    {
      g_hash_table_insert (peer->server->presences, g_strdup (peer->device_jid),
                           g_strdup_printf ("%s %s", wa_node_get_attr (node, "type") != NULL ?
                                                     wa_node_get_attr (node, "type") : "available",
                                            wa_node_get_attr (node, "name") != NULL ?
                                            wa_node_get_attr (node, "name") : ""));
      return TRUE;
    }
  if (g_str_equal (wa_node_get_tag (node), "receipt"))
    {
      handle_receipt (peer, node);
      return TRUE;
    }
  if (!g_str_equal (wa_node_get_tag (node), "iq"))
    return TRUE;

  if (g_strcmp0 (wa_node_get_attr (node, "type"), "result") == 0 &&
      (sign = wa_node_get_child_by_tag (node, "pair-device-sign")) != NULL)
    return handle_pair_device_sign (peer, sign, error);

  if (peer->device_jid != NULL && (g_strcmp0 (wa_node_get_attr (node, "xmlns"), "encrypt") == 0 ||
                                   g_strcmp0 (wa_node_get_attr (node, "xmlns"), "passive") == 0))
    return handle_session_iq (peer, node, error);

  if (peer->device_jid != NULL && g_strcmp0 (wa_node_get_attr (node, "xmlns"), "usync") == 0 &&
      (child = wa_node_get_child_by_tag (node, "usync")) != NULL)
    return handle_usync (peer, node, child, error);

  if (peer->device_jid != NULL && g_strcmp0 (wa_node_get_attr (node, "xmlns"), "privacy") == 0 &&
      g_strcmp0 (wa_node_get_attr (node, "type"), "get") == 0)
    return answer_privacy (peer, node, error);

  if (peer->device_jid != NULL && g_strcmp0 (wa_node_get_attr (node, "xmlns"), "w:sync:app:state") == 0)
    {
      g_autoptr(WaJid) device = wa_jid_parse (peer->device_jid, NULL);
      g_autoptr(WaNode) answer = fakewa_phone_answer_sync (ensure_phone (peer->server, wa_jid_get_user (device)),
                                                           node, peer->server->blobs);

      return send_node (peer, answer, error);
    }

  if (peer->device_jid != NULL && g_strcmp0 (wa_node_get_attr (node, "xmlns"), "w:m") == 0 &&
      wa_node_get_child_by_tag (node, "media_conn") != NULL)
    return answer_media_conn (peer, node, error);

  if (peer->device_jid != NULL && g_strcmp0 (wa_node_get_attr (node, "xmlns"), "privacy") == 0 &&
      g_strcmp0 (wa_node_get_attr (node, "type"), "set") == 0 && wa_node_get_child_by_tag (node, "tokens") != NULL)
    return issue_tokens (peer, node, error);

  if (peer->device_jid != NULL && g_strcmp0 (wa_node_get_attr (node, "xmlns"), "w:mex") == 0)
    return answer_mex (peer, node, error);

  if (peer->device_jid != NULL && g_strcmp0 (wa_node_get_attr (node, "xmlns"), "abt") == 0 &&
      wa_node_get_child_by_tag (node, "props") != NULL)
    return answer_ab_props (peer, node, error);

  if (peer->device_jid != NULL && g_strcmp0 (wa_node_get_attr (node, "xmlns"), "urn:xmpp:whatsapp:dirty") == 0 &&
      (child = wa_node_get_child_by_tag (node, "clean")) != NULL)
    return clean_dirty (peer, node, child, error);

  if (peer->device_jid != NULL && g_strcmp0 (wa_node_get_attr (node, "xmlns"), "md") == 0 &&
      wa_node_get_child_by_tag (node, "remove-companion-device") != NULL)
    return remove_companion (peer, node, error);

  /* whatsmeow's ping has no child, Baileys' a <ping/>: both are pings. */
  if (g_strcmp0 (wa_node_get_attr (node, "xmlns"), "w:p") == 0 &&
      g_strcmp0 (wa_node_get_attr (node, "type"), "get") == 0)
    {
      if (peer->server->silent)
        return TRUE;
      result = wa_node_new_with_attrs ("iq", "type", "result", "from", "@s.whatsapp.net",
                                       "id", wa_node_get_attr (node, "id"), NULL);
      return send_node (peer, result, error);
    }

  /* A question this server has no answer to gets the error a real server
   * gives for one it does not support, so the client is not left waiting
   * for its timeout. */
  if (g_strcmp0 (wa_node_get_attr (node, "type"), "get") != 0 &&
      g_strcmp0 (wa_node_get_attr (node, "type"), "set") != 0)
    return TRUE;
  result = wa_node_new_with_attrs ("iq", "type", "error", "from", "@s.whatsapp.net",
                                   "id", wa_node_get_attr (node, "id"), NULL);
  wa_node_add_child (result, wa_node_new_with_attrs ("error", "code", "501", "text", "feature-not-implemented",
                                                     NULL));
  return send_node (peer, result, error);
}

/* A login succeeds for a device this server paired; any other is logged
 * out (401), as an unlinked device is (§6.1). */
static gboolean
log_in (Peer        *peer,
        const char  *jid,
        GError     **error)
{
  g_autoptr(WaNode) answer = NULL;
  g_autofree char *now = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);

  if (peer->server->refusal != NULL)
    {
      answer = wa_node_new_with_attrs ("failure", "reason", peer->server->refusal, NULL);
      if (peer->server->ban_expire_s > 0)
        {
          g_autofree char *expire = g_strdup_printf ("%u", peer->server->ban_expire_s);

          wa_node_set_attr (answer, "code", "101");
          wa_node_set_attr (answer, "expire", expire);
        }
    }
  else if (g_hash_table_contains (peer->server->devices, jid))
    {
      g_autofree char *lid = device_lid (peer->server, jid);

      answer = wa_node_new_with_attrs ("success", "t", now, "lid", lid, NULL);
      g_free (peer->device_jid);
      peer->device_jid = g_strdup (jid);
      if (peer->server->repeat_success && !send_node (peer, answer, error))
        return FALSE;
    }
  else
    answer = wa_node_new_with_attrs ("failure", "reason", "401", NULL);
  return send_node (peer, answer, error);
}

/* A registration payload gets the refs its QR codes are made of (§5.1). */
static gboolean
start_pairing (Peer    *peer,
               GBytes  *payload,
               GError **error)
{
  g_autoptr(WaNode) iq = NULL;
  WaHandshake__ClientPayload *decoded;
  WaNode *pair_device;
  gboolean registering;

  decoded = wa_handshake__client_payload__unpack (NULL, g_bytes_get_size (payload),
                                                  g_bytes_get_data (payload, NULL));
  if (decoded == NULL)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "the client payload does not parse");
      return FALSE;
    }
  registering = decoded->device_pairing_data != NULL && decoded->device_pairing_data->has_e_ident &&
                decoded->device_pairing_data->e_ident.len == WA_KEY_LEN;
  if (registering)
    {
      WaHandshake__DeviceProps *props = NULL;

      memcpy (peer->identity, decoded->device_pairing_data->e_ident.data, WA_KEY_LEN);
      if (decoded->device_pairing_data->has_device_props)
        props = wa_handshake__device_props__unpack (NULL, decoded->device_pairing_data->device_props.len,
                                                    decoded->device_pairing_data->device_props.data);
      peer->inline_history = props != NULL && props->history_sync_config != NULL &&
                             props->history_sync_config->inline_initial_payload_in_e2ee_msg;
      if (props != NULL)
        wa_handshake__device_props__free_unpacked (props, NULL);
    }
  else if (decoded->has_username && decoded->has_device)
    {
      g_autofree char *jid = g_strdup_printf ("%" G_GUINT64_FORMAT ":%u@s.whatsapp.net",
                                              decoded->username, decoded->device);

      wa_handshake__client_payload__free_unpacked (decoded, NULL);
      return log_in (peer, jid, error);
    }
  wa_handshake__client_payload__free_unpacked (decoded, NULL);
  if (!registering)
    return TRUE;

  iq = wa_node_new_with_attrs ("iq", "from", "@s.whatsapp.net", "type", "set", "id", "pair-1",
                               "xmlns", "md", NULL);
  pair_device = wa_node_add_child (iq, wa_node_new ("pair-device"));
  peer->refs = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < N_REFS; i++)
    {
      g_autofree char *ref = g_strdup_printf ("2@fakewa-ref-%u-%08x", i + 1, g_random_int ());
      WaNode *child = wa_node_add_child (pair_device, wa_node_new ("ref"));

      wa_node_set_content_data (child, (const guint8 *)ref, strlen (ref));
      g_ptr_array_add (peer->refs, g_steal_pointer (&ref));
    }
  return send_node (peer, iq, error);
}

static void
destroy_source (gpointer source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

typedef struct
{
  Peer    *peer;
  WaNode  *node;
  GSource *source;
} DelayedNode;

static void
delayed_node_free (DelayedNode *delayed)
{
  wa_node_unref (delayed->node);
  g_free (delayed);
}

static void drop_peer (Peer *peer);

static gboolean
delayed_node_cb (gpointer user_data)
{
  DelayedNode *delayed = user_data;
  Peer *peer = delayed->peer;
  g_autoptr(WaNode) node = wa_node_ref (delayed->node);
  g_autoptr(GError) error = NULL;

  g_ptr_array_remove (peer->delayed, delayed->source);
  if (!handle_node (peer, node, &error))
    {
      g_debug ("Dropping a client: %s", error->message);
      drop_peer (peer);
    }
  return G_SOURCE_REMOVE;
}

/* Answers @node now, or after the reply delay as a slow server would;
 * nodes keep their order because every one waits as long. */
static gboolean
answer_node (Peer    *peer,
             WaNode  *node,
             GError **error)
{
  DelayedNode *delayed;

  if (peer->server->reply_delay_ms == 0)
    return handle_node (peer, node, error);

  delayed = g_new0 (DelayedNode, 1);
  delayed->peer = peer;
  delayed->node = wa_node_ref (node);
  delayed->source = g_timeout_source_new (peer->server->reply_delay_ms);
  g_source_set_callback (delayed->source, delayed_node_cb, delayed, (GDestroyNotify) delayed_node_free);
  g_source_attach (delayed->source, g_main_context_get_thread_default ());
  g_ptr_array_add (peer->delayed, delayed->source);
  return TRUE;
}

typedef struct
{
  Peer    *peer;
  GBytes  *payload;
} PendingFinish;

static void
pending_finish_free (PendingFinish *pending)
{
  g_bytes_unref (pending->payload);
  g_free (pending);
}

static gboolean
pending_finish_cb (gpointer user_data)
{
  PendingFinish *pending = user_data;
  Peer *peer = pending->peer;
  g_autoptr(GBytes) payload = g_bytes_ref (pending->payload);
  g_autoptr(GError) error = NULL;

  g_ptr_array_remove (peer->delayed, g_main_current_source ());
  if (!start_pairing (peer, payload, &error))
    {
      g_debug ("Dropping a client: %s", error->message);
      drop_peer (peer);
    }
  return G_SOURCE_REMOVE;
}

/* The first transport frame goes out no sooner than a server at network
 * distance would send it. Baileys 6 derives its transport keys only after
 * its ClientFinish is written, without waiting for them: a frame that
 * arrives first is taken for a handshake frame and dropped, and every
 * later one then fails authentication. */
static gboolean
answer_client_finish (Peer    *peer,
                      GBytes  *payload,
                      GError **error)
{
  PendingFinish *pending;
  GSource *source;

  if (peer->server->first_answer_ms == 0)
    return start_pairing (peer, payload, error);

  pending = g_new0 (PendingFinish, 1);
  pending->peer = peer;
  pending->payload = g_bytes_ref (payload);
  source = g_timeout_source_new (peer->server->first_answer_ms);
  g_source_set_callback (source, pending_finish_cb, pending, (GDestroyNotify) pending_finish_free);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_ptr_array_add (peer->delayed, source);
  return TRUE;
}

/**
 * fakewa_server_set_first_answer_delay:
 * @delay_ms: how long the answer to a finished handshake waits; 0 for
 *   at once
 */
void
fakewa_server_set_first_answer_delay (FakewaServer *self,
                                      guint         delay_ms)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  self->first_answer_ms = delay_ms;
}

/**
 * fakewa_server_set_backlog_first:
 * @backlog_first: whether to send what waited for a device, and the
 *   <ib><offline/> that ends it, before the answer to its <active/>
 *
 * The real server sends the answer first, but both often arrive in one
 * read, and a client that completes requests from an idle handles the
 * backlog first: this makes that order certain.
 */
void
fakewa_server_set_backlog_first (FakewaServer *self,
                                 gboolean      backlog_first)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  self->backlog_first = backlog_first;
}

/**
 * fakewa_server_set_repeat_success:
 * @repeat: whether every login gets its <success> twice, as a confused
 *   or hostile server might send it
 */
void
fakewa_server_set_repeat_success (FakewaServer *self,
                                  gboolean      repeat)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  self->repeat_success = repeat;
}

/**
 * fakewa_server_set_reply_delay:
 * @delay_ms: how long every node waits before the server handles it; 0
 *   for at once
 */
void
fakewa_server_set_reply_delay (FakewaServer *self,
                               guint         delay_ms)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  self->reply_delay_ms = delay_ms;
}

static gboolean
handle_frame (Peer    *peer,
              GBytes  *frame,
              GError **error)
{
  FakewaServer *self = peer->server;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(WaNode) node = NULL;

  if (peer->read_cipher == NULL && self->hold_handshakes)
    return TRUE;

  if (!peer->hello_done)
    {
      g_autoptr(GBytes) server_hello = NULL;
      guint8 prologue[WA_FRAME_HEADER_LEN] = { 'W', 'A', 6 };
      WaKeyPair ephemeral;

      /* The whole header came before this first frame. */
      prologue[3] = wa_frame_reader_get_dict_version (peer->reader);
      peer->tokens = wa_tokens_get (prologue[3]);
      peer->handshake = wa_noise_handshake_new_with_prologue (WA_NOISE_ROLE_RESPONDER, prologue, sizeof prologue);
      wa_key_pair_generate (&ephemeral);
      peer->hello_done = TRUE;
      if (!wa_noise_handshake_read_client_hello (peer->handshake, frame, error))
        return FALSE;
      server_hello = wa_noise_handshake_write_server_hello (peer->handshake, &self->server_static,
                                                            &ephemeral, self->chain, error);
      wa_key_pair_clear (&ephemeral);
      return server_hello != NULL && wa_frame_writer_send (peer->writer, peer->websocket, server_hello, error);
    }

  if (peer->handshake != NULL)
    {
      g_autoptr(GBytes) payload = NULL;
      guint8 client_static[WA_KEY_LEN];

      if (!wa_noise_handshake_read_client_finish (peer->handshake, frame, client_static, &payload, error) ||
          !wa_noise_handshake_split (peer->handshake, &peer->write_cipher, &peer->read_cipher, error))
        return FALSE;
      g_clear_pointer (&peer->handshake, wa_noise_handshake_free);
      g_signal_emit (self, signals[CLIENT_PAYLOAD], 0, payload);
      return answer_client_finish (peer, payload, error);
    }

  plain = wa_noise_cipher_decrypt (peer->read_cipher, g_bytes_get_data (frame, NULL),
                                   g_bytes_get_size (frame), error);
  if (plain == NULL)
    return FALSE;
  node = wa_binary_unpack_frame_with (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), peer->tokens, error);
  if (node == NULL)
    return FALSE;

  /* The last node before the cut goes unanswered, as one lost with the
   * network would; the cut itself waits until the frame loop is done
   * with this peer. */
  if (self->drop_countdown > 0 && --self->drop_countdown == 0)
    {
      self->dropping = TRUE;
      return TRUE;
    }
  return answer_node (peer, node, error);
}

static void
drop_peer (Peer *peer)
{
  g_ptr_array_remove (peer->server->peers, peer);
}

static void
message_cb (SoupWebsocketConnection *websocket,
            int                      type,
            GBytes                  *message,
            Peer                    *peer)
{
  FakewaServer *self = peer->server;
  g_autoptr(GPtrArray) frames = NULL;
  g_autoptr(GError) error = NULL;

  frames = wa_frame_reader_feed (peer->reader, g_bytes_get_data (message, NULL),
                                 g_bytes_get_size (message), &error);
  for (guint i = 0; frames != NULL && i < frames->len && error == NULL && !self->dropping; i++)
    handle_frame (peer, g_ptr_array_index (frames, i), &error);

  if (self->dropping)
    {
      self->dropping = FALSE;
      fakewa_server_drop_all (self);
      return;
    }

  /* Like the real server, a client that breaks the protocol is cut off
   * without an explanation. */
  if (error != NULL)
    {
      g_debug ("Dropping a client: %s", error->message);
      drop_peer (peer);
    }
}

static void
peer_closed_cb (SoupWebsocketConnection *websocket,
                Peer                    *peer)
{
  drop_peer (peer);
}

static void
websocket_cb (SoupServer              *soup,
              SoupServerMessage       *message,
              const char              *path,
              SoupWebsocketConnection *websocket,
              gpointer                 user_data)
{
  FakewaServer *self = user_data;
  Peer *peer = g_new0 (Peer, 1);

  peer->server = self;
  peer->websocket = g_object_ref (websocket);
  peer->reader = wa_frame_reader_new (WA_FRAME_SIDE_SERVER);
  peer->writer = wa_frame_writer_new (WA_FRAME_SIDE_SERVER);
  peer->delayed = g_ptr_array_new_with_free_func (destroy_source);
  soup_websocket_connection_set_max_incoming_payload_size (websocket, WA_FRAME_MAX_PAYLOAD + 8);
  g_signal_connect (websocket, "message", G_CALLBACK (message_cb), peer);
  g_signal_connect (websocket, "closed", G_CALLBACK (peer_closed_cb), peer);
  g_ptr_array_add (self->peers, peer);
}

static void
fakewa_server_finalize (GObject *object)
{
  FakewaServer *self = (FakewaServer *)object;

  g_ptr_array_unref (self->peers);
  g_hash_table_unref (self->user_devices);
  g_hash_table_unref (self->devices);
  g_hash_table_unref (self->accounts);
  g_hash_table_unref (self->blobs);
  g_clear_pointer (&self->upload_answer, g_bytes_unref);
  g_hash_table_unref (self->inline_history);
  g_ptr_array_unref (self->phone_pending);
  fakewa_reachout_free (self->reachout);
  g_hash_table_unref (self->presences);
  g_hash_table_unref (self->dirty);
  g_hash_table_unref (self->ab_props);
  g_free (self->refusal);
  g_free (self->message_refusal);
  if (self->service != NULL)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
    }
  g_clear_object (&self->service);
  if (self->tls_service != NULL)
    {
      g_socket_service_stop (self->tls_service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->tls_service));
    }
  g_clear_object (&self->tls_service);
  g_clear_object (&self->tls_certificate);
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_pointer (&self->chain, g_bytes_unref);
  g_free (self->url);
  wa_key_pair_clear (&self->root);
  wa_key_pair_clear (&self->server_static);

  G_OBJECT_CLASS (fakewa_server_parent_class)->finalize (object);
}

static void
fakewa_server_class_init (FakewaServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fakewa_server_finalize;

  signals[CLIENT_PAYLOAD] = g_signal_new ("client-payload", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
  signals[PAIRED] = g_signal_new ("paired", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[RELAYED] = g_signal_new ("relayed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING,
                                   G_TYPE_STRING);
  signals[PHONE_RECEIPT] = g_signal_new ("phone-receipt", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[KEY_REQUEST] = g_signal_new ("key-request", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[REFUSED] = g_signal_new ("refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING,
                                   G_TYPE_STRING);
  /* After the whole body of an upload the host refused was read, so the
   * client's next try is the one a test can interfere with. */
  signals[UPLOAD_REFUSED] = g_signal_new ("upload-refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
fakewa_server_init (FakewaServer *self)
{
  self->peers = g_ptr_array_new_with_free_func ((GDestroyNotify)peer_free);
  self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) fakewa_device_free);
  self->accounts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) account_free);
  self->reachout = fakewa_reachout_new ();
  self->presences = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->ab_props = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->blobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  self->media_conn_ttl = 300;
  self->inline_history = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->phone_pending = g_ptr_array_new_with_free_func ((GDestroyNotify) phone_message_free);
  self->user_devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_hash_table_unref);
}

/* libsoup 3.2 closes a connection it took with soup_server_accept_iostream ()
 * after every answer, without saying so: a client keeping it for its next
 * request (Node's agents do) then meets a reset. The media host says
 * that it closes. */
static void
answer_once (SoupServerMessage *message)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (message), "Connection", "close");
}

/* The media host (§10.5): the blobs the phones uploaded, by path. */
static void
media_cb (SoupServer        *soup,
          SoupServerMessage *message,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  FakewaServer *self = user_data;
  GBytes *blob = g_hash_table_lookup (self->blobs, path);
  g_autofree guint8 *served = NULL;
  gsize len;

  answer_once (message);
  if (soup_server_message_get_method (message) != SOUP_METHOD_GET || blob == NULL)
    {
      soup_server_message_set_status (message, blob == NULL ? SOUP_STATUS_NOT_FOUND : SOUP_STATUS_METHOD_NOT_ALLOWED,
                                      NULL);
      return;
    }
  self->n_downloads++;
  if (self->media_fault == FAKEWA_MEDIA_FAULT_EXPIRED)
    {
      soup_server_message_set_status (message, SOUP_STATUS_GONE, NULL);
      return;
    }
  /* Never answered: held as long as the server lives. */
  if (self->media_fault == FAKEWA_MEDIA_FAULT_STALL)
    {
      soup_server_message_pause (message);
      return;
    }
  len = g_bytes_get_size (blob);
  served = g_memdup2 (g_bytes_get_data (blob, NULL), len);
  if (self->media_fault == FAKEWA_MEDIA_FAULT_CORRUPT && len > 0)
    served[len / 2] ^= 0x20;
  else if (self->media_fault == FAKEWA_MEDIA_FAULT_TRUNCATE)
    len -= MIN (len, 7);
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/octet-stream", SOUP_MEMORY_COPY, (const char *) served, len);
}

/* Uploads (§10.3): the token must be the blob's SHA-256 and the auth the
 * one media_conn handed out; the blob is then served at a fresh path. */
static void
upload_cb (SoupServer        *soup,
           SoupServerMessage *message,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  FakewaServer *self = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  g_autoptr(GBytes) blob = NULL;
  g_autofree char *token = NULL;
  g_autofree char *bare = NULL;
  const char *asked;
  g_autofree char *stored = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *host = NULL;
  guint8 hash[WA_SHA256_LEN];

  answer_once (message);
  if (soup_server_message_get_method (message) != SOUP_METHOD_POST || query == NULL)
    {
      soup_server_message_set_status (message, SOUP_STATUS_BAD_REQUEST, NULL);
      return;
    }
  if (self->refuse_uploads > 0 || g_strcmp0 (g_hash_table_lookup (query, "auth"), "fakewa-auth/+=") != 0)
    {
      self->refuse_uploads -= MIN (self->refuse_uploads, 1);
      soup_server_message_set_status (message, SOUP_STATUS_UNAUTHORIZED, NULL);
      g_signal_emit (self, signals[UPLOAD_REFUSED], 0);
      return;
    }
  blob = soup_message_body_flatten (body);
  wa_crypto_sha256 (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob), hash);
  /* base64url, with its padding (whatsmeow) or without (Baileys): the
   * real host takes both. */
  token = g_base64_encode (hash, sizeof hash);
  g_strdelimit (token, "+", '-');
  g_strdelimit (token, "/", '_');
  bare = g_strndup (token, strcspn (token, "="));
  asked = g_hash_table_lookup (query, "token");
  if ((g_strcmp0 (asked, token) != 0 && g_strcmp0 (asked, bare) != 0) || !g_str_has_suffix (path, asked))
    {
      soup_server_message_set_status (message, SOUP_STATUS_BAD_REQUEST, NULL);
      return;
    }
  self->uploads_expired = FALSE;
  stored = g_strdup_printf ("/v/t62.fakewa-24/%u-%08x.enc", ++self->n_uploads, g_random_int ());
  g_hash_table_replace (self->blobs, g_strdup (stored), g_steal_pointer (&blob));
  if (self->upload_answer != NULL)
    {
      g_autoptr(GBytes) given = g_steal_pointer (&self->upload_answer);

      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY,
                                        g_bytes_get_data (given, NULL), g_bytes_get_size (given));
      return;
    }
  host = media_host (self);
  answer = g_strdup_printf ("{\"url\":\"%s://%s%s?ccb=9-4\",\"direct_path\":\"%s?ccb=9-4&oh=fakewa\"}",
                            self->tls_port != 0 ? "https" : "http", host, stored, stored);
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY, answer, strlen (answer));
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             FakewaServer      *self)
{
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GError) error = NULL;

  /* A client already gone has no addresses; there is nothing to serve. */
  if (local == NULL || remote == NULL)
    return TRUE;
  /* As any server of small request and answer stanzas: with Nagle's
   * algorithm an answer written while the last one is unacknowledged
   * waits for the client's delayed ACK (40 ms), and the benchmarks would
   * measure that instead of the clients. */
  if (!g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1, &error))
    g_debug ("Could not turn off Nagle's algorithm: %s", error->message);
  g_clear_error (&error);
  if (!soup_server_accept_iostream (self->soup, G_IO_STREAM (connection), local, remote, &error))
    g_debug ("Could not take a connection: %s", error->message);
  return TRUE;
}

/* A connection to the media host's TLS port: libsoup serves HTTP over the
 * TLS stream as over the plain one. */
static gboolean
tls_incoming_cb (GSocketService    *service,
                 GSocketConnection *connection,
                 GObject           *source_object,
                 FakewaServer      *self)
{
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;

  if (local == NULL || remote == NULL)
    return TRUE;
  tls = g_tls_server_connection_new (G_IO_STREAM (connection), self->tls_certificate, &error);
  if (tls == NULL || !soup_server_accept_iostream (self->soup, tls, local, remote, &error))
    g_debug ("Could not take a TLS connection: %s", error->message);
  return TRUE;
}

/**
 * fakewa_server_new:
 *
 * Starts a server on 127.0.0.1 at a free port, serving /ws/chat.
 *
 * Returns: (transfer full) (nullable): the server
 */
FakewaServer *
fakewa_server_new (GError **error)
{
  g_autoptr(FakewaServer) self = g_object_new (FAKEWA_TYPE_SERVER, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  WaKeyPair intermediate;

  if (!wa_crypto_init (error))
    return NULL;

  wa_key_pair_generate (&self->root);
  wa_key_pair_generate (&intermediate);
  wa_key_pair_generate (&self->server_static);
  self->chain = wa_cert_build (self->root.priv, &intermediate, self->server_static.pub, 0, 1,
                               now - CHAIN_VALIDITY, now + CHAIN_VALIDITY);
  wa_key_pair_clear (&intermediate);

  self->soup = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (self->soup, "/ws/chat", NULL, NULL, websocket_cb, self, NULL);
  soup_server_add_handler (self->soup, "/v", media_cb, self, NULL);
  soup_server_add_handler (self->soup, "/mms", upload_cb, self, NULL);
  /* Connections are accepted here and handed to libsoup, whose own
   * listener keeps a reference to every accepted socket before 3.4 and
   * whose soup_server_get_uris () leaks in 3.2. */
  self->service = g_socket_service_new ();
  g_signal_connect (self->service, "incoming", G_CALLBACK (incoming_cb), self);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &bound, error))
    return NULL;

  self->url = g_strdup_printf ("ws://127.0.0.1:%u/ws/chat",
                               g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  return g_steal_pointer (&self);
}

const char *
fakewa_server_get_url (FakewaServer *self)
{
  g_return_val_if_fail (FAKEWA_IS_SERVER (self), NULL);
  return self->url;
}

/**
 * fakewa_server_get_root_key:
 *
 * Returns: the public key at the root of this server's certificates
 */
const guint8 *
fakewa_server_get_root_key (FakewaServer *self)
{
  g_return_val_if_fail (FAKEWA_IS_SERVER (self), NULL);
  return self->root.pub;
}

guint
fakewa_server_get_n_clients (FakewaServer *self)
{
  g_return_val_if_fail (FAKEWA_IS_SERVER (self), 0);
  return self->peers->len;
}

/**
 * fakewa_server_drop_all:
 *
 * Closes every client's socket at once, as a lost network would.
 */
void
fakewa_server_drop_all (FakewaServer *self)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  g_ptr_array_set_size (self->peers, 0);
}

/**
 * fakewa_server_stream_error:
 * @code: (nullable): the code attribute, such as "515" or "503"
 * @conflict: (nullable): a conflict child's type, such as "replaced"
 *
 * Ends every client's stream with a stream error, then closes it.
 */
void
fakewa_server_stream_error (FakewaServer *self,
                            const char   *code,
                            const char   *conflict)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));

  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);
      g_autoptr(WaNode) node = wa_node_new ("stream:error");
      g_autoptr(GError) error = NULL;

      if (peer->read_cipher == NULL)
        continue;
      /* The phone unlinked it: the server forgets the device too. */
      if (g_strcmp0 (code, "401") == 0 && peer->device_jid != NULL)
        forget_device (self, peer->device_jid);
      if (code != NULL)
        wa_node_set_attr (node, "code", code);
      if (conflict != NULL)
        wa_node_add_child (node, wa_node_new_with_attrs ("conflict", "type", conflict, NULL));
      if (!send_node (peer, node, &error))
        g_debug ("Could not send a stream error: %s", error->message);
      soup_websocket_connection_close (peer->websocket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    }
}

/**
 * fakewa_server_report_prekeys_low:
 * @device_jid: a logged-in device
 *
 * Tells the device its prekeys are almost used up, as the server does
 * once others have taken them (§6.3).
 */
void
fakewa_server_report_prekeys_low (FakewaServer *self,
                                  const char   *device_jid)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));

  {
    FakewaDevice *device = g_hash_table_lookup (self->devices, device_jid);

    if (device != NULL)
      fakewa_device_keep_prekeys (device, 2);
  }
  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);
      g_autoptr(WaNode) notification = NULL;
      g_autoptr(GError) error = NULL;

      if (g_strcmp0 (peer->device_jid, device_jid) != 0)
        continue;
      notification = wa_node_new_with_attrs ("notification", "from", "@s.whatsapp.net", "type", "encrypt",
                                             "id", "prekeys-low", NULL);
      wa_node_add_child (notification, wa_node_new_with_attrs ("count", "value", "2", NULL));
      if (!send_node (peer, notification, &error))
        g_debug ("Could not send a notification: %s", error->message);
    }
}

/* A device cleans a dirty bit it was told of (WA-FIDELITY §8): only one
 * it was told of, with its type and timestamp. */
static gboolean
clean_dirty (Peer    *peer,
             WaNode  *iq,
             WaNode  *clean,
             GError **error)
{
  g_autofree char *key = g_strdup_printf ("%s\t%s\t%s", peer->device_jid, wa_node_get_attr (clean, "type"),
                                          wa_node_get_attr (clean, "timestamp"));
  g_autoptr(WaNode) result = wa_node_new_with_attrs ("iq", "from", "@s.whatsapp.net", "id", wa_node_get_attr (iq, "id"),
                                                     "type", "result", NULL);

  if (g_strcmp0 (wa_node_get_attr (iq, "type"), "set") != 0 || !g_hash_table_remove (peer->server->dirty, key))
    {
      wa_node_set_attr (result, "type", "error");
      wa_node_add_child (result, wa_node_new_with_attrs ("error", "code", "400", "text", "bad-request", NULL));
    }
  return send_node (peer, result, error);
}

/* What WhatsApp Web's registry gives these (WA-FIDELITY §1.4–1.7),
 * except that this server turns the token switches on. */
static const struct
{
  const char *code;
  const char *value;
} default_ab_props[] = {
  { "865", "604800" }, { "909", "4" }, { "996", "604800" }, { "997", "4" },
  { "10518", "1" }, { "14303", "0" }, { "24941", "1" },
};

/* The account's AB props; the hash changes with every change, so a
 * client holding the current one gets an answer without props. */
static gboolean
answer_ab_props (Peer    *peer,
                 WaNode  *iq,
                 GError **error)
{
  FakewaServer *self = peer->server;
  g_autoptr(WaJid) device = wa_jid_parse (peer->device_jid, NULL);
  g_autofree char *hash = g_strdup_printf ("fakewa-%u", self->ab_props_version);
  g_autoptr(WaNode) result = wa_node_new_with_attrs ("iq", "from", "@s.whatsapp.net", "id", wa_node_get_attr (iq, "id"),
                                                     "type", "result", NULL);
  WaNode *props = wa_node_add_child (result, wa_node_new_with_attrs ("props", "protocol", "1", "hash", hash, NULL));

  if (g_strcmp0 (wa_node_get_attr (wa_node_get_child_by_tag (iq, "props"), "hash"), hash) != 0)
    for (guint i = 0; i < G_N_ELEMENTS (default_ab_props); i++)
      {
        g_autofree char *key = g_strdup_printf ("%s\t%s", wa_jid_get_user (device), default_ab_props[i].code);
        const char *value = g_hash_table_lookup (self->ab_props, key);

        wa_node_add_child (props, wa_node_new_with_attrs ("prop", "config_code", default_ab_props[i].code,
                                                          "config_value",
                                                          value != NULL ? value : default_ab_props[i].value, NULL));
      }
  return send_node (peer, result, error);
}

/**
 * fakewa_server_set_ab_prop:
 * @phone: an account's number
 * @code: one of the props this server answers (865, 909, 996, 997,
 *   10518, 14303, 24941)
 * @value: its value for that account from the next query on
 */
void
fakewa_server_set_ab_prop (FakewaServer *self,
                           const char   *phone,
                           const char   *code,
                           const char   *value)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  g_return_if_fail (phone != NULL && code != NULL && value != NULL);

  g_hash_table_insert (self->ab_props, g_strdup_printf ("%s\t%s", phone, code), g_strdup (value));
  self->ab_props_version++;
}

/**
 * fakewa_server_mark_dirty:
 * @device_jid: a logged-in device
 * @type: what changed: "account_sync", "groups", "syncd_app_state" or
 *   "newsletter_metadata"
 *
 * Tells the device something of its account changed while it was away
 * (`<ib><dirty>`), as the server does; the bit stays until the device
 * cleans it.
 */
void
fakewa_server_mark_dirty (FakewaServer *self,
                          const char   *device_jid,
                          const char   *type)
{
  g_autofree char *timestamp = NULL;

  g_return_if_fail (FAKEWA_IS_SERVER (self));

  timestamp = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);
  g_hash_table_add (self->dirty, g_strdup_printf ("%s\t%s\t%s", device_jid, type, timestamp));
  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);
      g_autoptr(WaNode) ib = NULL;
      g_autoptr(GError) error = NULL;

      if (g_strcmp0 (peer->device_jid, device_jid) != 0)
        continue;
      ib = wa_node_new ("ib");
      wa_node_add_child (ib, wa_node_new_with_attrs ("dirty", "type", type, "timestamp", timestamp, NULL));
      if (!send_node (peer, ib, &error))
        g_debug ("Could not send a dirty bit: %s", error->message);
    }
}

/**
 * fakewa_server_count_dirty:
 *
 * Returns: how many dirty bits of @device_jid were not cleaned yet
 */
guint
fakewa_server_count_dirty (FakewaServer *self,
                           const char   *device_jid)
{
  g_autofree char *prefix = g_strdup_printf ("%s\t", device_jid);
  GHashTableIter iter;
  const char *key;
  guint n = 0;

  g_return_val_if_fail (FAKEWA_IS_SERVER (self), 0);
  g_hash_table_iter_init (&iter, self->dirty);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    n += g_str_has_prefix (key, prefix);
  return n;
}

guint
fakewa_server_get_n_acks (FakewaServer *self)
{
  g_return_val_if_fail (FAKEWA_IS_SERVER (self), 0);
  return self->n_acks;
}

/**
 * fakewa_server_awaits_receipt:
 *
 * Returns: whether the device @device_jid got the message @id and has
 *   neither receipted nor acked it (the server would deliver it again)
 */
gboolean
fakewa_server_awaits_receipt (FakewaServer *self,
                              const char   *device_jid,
                              const char   *id)
{
  FakewaDevice *device;

  g_return_val_if_fail (FAKEWA_IS_SERVER (self), FALSE);
  device = g_hash_table_lookup (self->devices, device_jid);
  return device != NULL && fakewa_device_awaits_receipt (device, id);
}

/**
 * fakewa_server_set_silent:
 *
 * Stops (or resumes) answering pings, so a client's keepalive fails the
 * way it does when the network silently drops packets.
 */
void
fakewa_server_set_silent (FakewaServer *self,
                          gboolean      silent)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  self->silent = silent;
}

/**
 * fakewa_server_hold_handshakes:
 *
 * Stops (or resumes) answering ClientHellos: the WebSocket opens and the
 * handshake then hangs, as behind a broken middlebox.
 */
void
fakewa_server_hold_handshakes (FakewaServer *self,
                               gboolean      hold)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  self->hold_handshakes = hold;
}

/**
 * fakewa_server_refuse_logins:
 * @reason: (nullable): the failure reason every login gets from now on,
 *   such as "503" (unavailable) or "403" (banned); %NULL to accept them
 *   again
 */
void
fakewa_server_refuse_logins (FakewaServer *self,
                             const char   *reason)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  g_free (self->refusal);
  self->refusal = g_strdup (reason);
  self->ban_expire_s = 0;
}

/**
 * fakewa_server_set_lid_addressing:
 * @addressing: how relayed messages name their sender from now on
 */
void
fakewa_server_set_lid_addressing (FakewaServer        *self,
                                  FakewaLidAddressing  addressing)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  self->lid_addressing = addressing;
}

/**
 * fakewa_server_get_n_downloads:
 *
 * Returns: how many downloads of a blob the media host holds were asked
 *   for, answered or not
 */
guint
fakewa_server_get_n_downloads (FakewaServer *self)
{
  g_return_val_if_fail (FAKEWA_IS_SERVER (self), 0);
  return self->n_downloads;
}

/**
 * fakewa_server_get_n_uploads:
 *
 * Returns: how many uploads the media host accepted
 */
guint
fakewa_server_get_n_uploads (FakewaServer *self)
{
  g_return_val_if_fail (FAKEWA_IS_SERVER (self), 0);
  return self->n_uploads;
}

/**
 * fakewa_server_get_n_media_conns:
 *
 * Returns: how many media_conn queries were answered
 */
guint
fakewa_server_get_n_media_conns (FakewaServer *self)
{
  g_return_val_if_fail (FAKEWA_IS_SERVER (self), 0);
  return self->n_media_conns;
}

/**
 * fakewa_server_set_media_conn_ttl:
 * @ttl_s: the TTL media_conn answers carry from now on (300 at first)
 */
void
fakewa_server_set_media_conn_ttl (FakewaServer *self,
                                  guint         ttl_s)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  self->media_conn_ttl = ttl_s;
}

/**
 * fakewa_server_refuse_unlinks:
 *
 * Answers a companion's removal of itself with an error, and keeps the
 * device on the phone's list, as a server in trouble may.
 */
void
fakewa_server_refuse_unlinks (FakewaServer *self,
                              gboolean      refuse)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  self->refuse_unlinks = refuse;
}

/**
 * fakewa_server_refuse_uploads:
 * @count: how many of the next uploads get 401, as with an expired auth
 */
void
fakewa_server_refuse_uploads (FakewaServer *self,
                              guint         count)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  self->refuse_uploads = count;
}

/**
 * fakewa_server_set_upload_answer:
 * @answer: (nullable): the body the next upload that is accepted gets
 *   instead of its JSON, as a broken or hostile media host would send
 */
void
fakewa_server_set_upload_answer (FakewaServer *self,
                                 GBytes       *answer)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  g_clear_pointer (&self->upload_answer, g_bytes_unref);
  self->upload_answer = answer != NULL ? g_bytes_ref (answer) : NULL;
}

/**
 * fakewa_server_expire_uploads:
 *
 * Forgets every blob uploaded so far, as the media host does after a
 * while: their paths answer 404, and messages of type media are refused
 * with ack error %FAKEWA_UPLOAD_EXPIRED until a sender uploads again.
 */
void
fakewa_server_expire_uploads (FakewaServer *self)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  g_hash_table_remove_all (self->blobs);
  self->uploads_expired = TRUE;
}

/**
 * fakewa_server_set_media_fault:
 * @fault: what the media host does wrong with downloads from now on
 */
void
fakewa_server_set_media_fault (FakewaServer     *self,
                               FakewaMediaFault  fault)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  self->media_fault = fault;
}

/**
 * fakewa_server_serve_media_tls:
 * @certificate: the media host's certificate and key, issued by a test CA
 *   for 127.0.0.1 (and mmg.whatsapp.net, for clients that insist on that
 *   name)
 * @error: return location for a #GError
 *
 * Moves the media host to a port of its own on 127.0.0.1 that speaks
 * HTTPS only, as WhatsApp's does: media_conn names it from now on, and
 * uploads answer https URLs. Blobs uploaded before stay available.
 *
 * Returns: the port, or 0 with @error set
 */
guint16
fakewa_server_serve_media_tls (FakewaServer     *self,
                               GTlsCertificate  *certificate,
                               GError          **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_return_val_if_fail (FAKEWA_IS_SERVER (self), 0);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), 0);
  g_return_val_if_fail (self->tls_service == NULL, 0);

  self->tls_service = g_socket_service_new ();
  g_signal_connect (self->tls_service, "incoming", G_CALLBACK (tls_incoming_cb), self);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->tls_service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &bound, error))
    {
      g_clear_object (&self->tls_service);
      return 0;
    }
  self->tls_certificate = g_object_ref (certificate);
  self->tls_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return self->tls_port;
}

/**
 * fakewa_server_refuse_messages:
 * @code: (nullable): the error every message's ack carries from now on,
 *   such as "463" (no privacy token) or "479"; %NULL to relay them again
 */
void
fakewa_server_refuse_messages (FakewaServer *self,
                               const char   *code)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  g_free (self->message_refusal);
  self->message_refusal = g_strdup (code);
}

/**
 * fakewa_server_ban_for:
 * @expire_s: how long the ban lasts, in seconds
 *
 * Refuses every login as a temporary ban does (402, code 101: messages to
 * too many people who do not have the number), until
 * fakewa_server_refuse_logins (server, NULL).
 */
void
fakewa_server_ban_for (FakewaServer *self,
                       guint         expire_s)
{
  fakewa_server_refuse_logins (self, "402");
  self->ban_expire_s = expire_s;
}

/**
 * fakewa_server_require_tokens:
 * @phone: an account's number
 * @required: whether its messages to someone it never reached need a
 *   privacy token (tctoken or cstoken), as WhatsApp asks of fresh
 *   companions more and more
 */
void
fakewa_server_require_tokens (FakewaServer *self,
                              const char   *phone,
                              gboolean      required)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  fakewa_reachout_require_tokens (self->reachout, phone, required);
}

/**
 * fakewa_server_set_nct_salt:
 * @phone: an account's number
 * @salt: (nullable): the NCT salt its phone made, which its cstokens are
 *   checked against; %NULL for none
 */
void
fakewa_server_set_nct_salt (FakewaServer *self,
                            const char   *phone,
                            GBytes       *salt)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  fakewa_reachout_set_salt (self->reachout, phone, salt);
}

/**
 * fakewa_server_set_auto_issue:
 * @phone: an account's number
 * @auto_issue: whether the account issues its privacy token to whoever it
 *   writes to, as a real phone does (Baileys 6 and tests' clients do not)
 */
void
fakewa_server_set_auto_issue (FakewaServer *self,
                              const char   *phone,
                              gboolean      auto_issue)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  ensure_account (self, phone);
  fakewa_reachout_set_auto_issue (self->reachout, phone, auto_issue);
}

/**
 * fakewa_server_issue_token:
 * @issuer: the account whose phone issues a token, as after it wrote
 * @holder: the account that gets it, in a privacy_token notification
 */
void
fakewa_server_issue_token (FakewaServer *self,
                           const char   *issuer,
                           const char   *holder)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  ensure_account (self, issuer);
  push_token (self, issuer, holder);
}

/**
 * fakewa_server_set_timelock:
 * @phone: an account's number
 * @seconds: how long from the server's now it may start no new chat; 0
 *   lifts the time-lock
 * @kind: (nullable): its enforcement type, "WEB_COMPANION_ONLY" by default
 *
 * Puts the account under a reach-out time-lock and tells its companions.
 */
void
fakewa_server_set_timelock (FakewaServer *self,
                            const char   *phone,
                            guint         seconds,
                            const char   *kind)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  fakewa_reachout_set_timelock (self->reachout, phone,
                                seconds > 0 ? fakewa_reachout_now (self->reachout) + seconds : 0, kind);
  push_timelock (self, phone);
}

/**
 * fakewa_server_push_identity_change:
 * @phone: an account whose phone was reinstalled
 * @holder: an account whose companions hear of it
 *
 * Sends @holder's companions the identity-change notification the real
 * server sends a contact's peers (§7).
 */
void
fakewa_server_push_identity_change (FakewaServer *self,
                                    const char   *phone,
                                    const char   *holder)
{
  g_autofree char *from = g_strdup_printf ("%s@s.whatsapp.net", phone);
  g_autofree char *lid = NULL;
  g_autofree char *t_text = NULL;
  g_autoptr(GPtrArray) targets = NULL;

  g_return_if_fail (FAKEWA_IS_SERVER (self));

  ensure_account (self, phone);
  lid = g_strdup_printf ("%s@lid", account_lid (self, phone));
  t_text = g_strdup_printf ("%" G_GINT64_FORMAT, fakewa_reachout_now (self->reachout));
  targets = companions_of (self, holder);
  for (guint i = 0; i < targets->len; i++)
    {
      g_autofree char *id = next_notification_id (self);
      g_autoptr(WaNode) notification = wa_node_new_with_attrs ("notification", "from", from, "lid", lid,
                                                               "type", "encrypt", "id", id, "t", t_text, NULL);

      wa_node_add_child (notification, wa_node_new ("identity"));
      deliver (self, g_ptr_array_index (targets, i), notification);
    }
}

/**
 * fakewa_server_dup_presence:
 * @device_jid: a companion's JID
 *
 * Returns: (transfer full) (nullable): the last presence it sent, as
 *   "TYPE NAME" ("available Toko Budi")
 */
char *
fakewa_server_dup_presence (FakewaServer *self,
                            const char   *device_jid)
{
  g_return_val_if_fail (FAKEWA_IS_SERVER (self), NULL);
  return g_strdup (g_hash_table_lookup (self->presences, device_jid));
}

/**
 * fakewa_server_count_tokens:
 *
 * Returns: how many tokens @issuer issued to @holder so far
 */
guint
fakewa_server_count_tokens (FakewaServer *self,
                            const char   *issuer,
                            const char   *holder)
{
  g_return_val_if_fail (FAKEWA_IS_SERVER (self), 0);
  return fakewa_reachout_count_issued (self->reachout, issuer, holder);
}

/**
 * fakewa_server_set_new_chat_cap:
 * @phone: an account's number
 * @total: how many new chats it may start in this cycle
 * @used: how many it started already
 * @seconds: how long the cycle lasts from the server's now
 *
 * Answers the new-chat cap query with this, counts the new chats the
 * account starts, and refuses those beyond the cap with 463.
 */
void
fakewa_server_set_new_chat_cap (FakewaServer *self,
                                const char   *phone,
                                guint         total,
                                guint         used,
                                guint         seconds)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  fakewa_reachout_set_cap (self->reachout, phone, total, used, fakewa_reachout_now (self->reachout) + seconds);
}

/**
 * fakewa_server_advance_clock:
 * @seconds: how far to move the server's clock on
 *
 * Tokens age and time-locks end by this clock.
 */
void
fakewa_server_advance_clock (FakewaServer *self,
                             gint64        seconds)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  fakewa_reachout_advance (self->reachout, seconds);
}

/**
 * fakewa_server_drop_after:
 * @n: how many more nodes to take, counted over every client; 0 never
 *   drops
 *
 * Cuts every connection when the @n-th node arrives, without answering
 * that one: a network lost while a request was on its way.
 */
void
fakewa_server_drop_after (FakewaServer *self,
                          guint         n)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  self->drop_countdown = n;
}

/**
 * fakewa_server_get_phone_identity:
 * @phone: an account's number
 *
 * Returns: (nullable): the identity key of that account's phone, which
 *   signs its pairings
 */
const guint8 *
fakewa_server_get_phone_identity (FakewaServer *self,
                                  const char   *phone)
{
  Account *account;

  g_return_val_if_fail (FAKEWA_IS_SERVER (self), NULL);
  account = lookup_account (self, phone);
  return account != NULL ? account->identity.pub : NULL;
}

static Peer *
find_peer_by_ref (FakewaServer *self,
                  const char   *ref)
{
  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);

      for (guint j = 0; peer->refs != NULL && j < peer->refs->len; j++)
        if (g_str_equal (g_ptr_array_index (peer->refs, j), ref))
          return peer;
    }
  return NULL;
}

/* The phone's part (§5.4–5.6): vouch for the companion's identity with the
 * account's key and authenticate it all with the ADV secret from the QR. */
static GBytes *
build_device_identity (Account       *account,
                       Peer          *peer,
                       const guint8   adv_secret[WA_KEY_LEN])
{
  WaAdv__ADVDeviceIdentity device = WA_ADV__ADVDEVICE_IDENTITY__INIT;
  WaAdv__ADVSignedDeviceIdentity identity = WA_ADV__ADVSIGNED_DEVICE_IDENTITY__INIT;
  WaAdv__ADVSignedDeviceIdentityHMAC container = WA_ADV__ADVSIGNED_DEVICE_IDENTITY_HMAC__INIT;
  g_autoptr(GByteArray) message = g_byte_array_new ();
  g_autoptr(GBytes) signed_identity = NULL;
  guint8 account_signature[WA_SIGNATURE_LEN];
  guint8 mac[32];

  device.has_raw_id = device.has_timestamp = device.has_key_index = TRUE;
  device.raw_id = g_random_int ();
  device.timestamp = g_get_real_time () / G_USEC_PER_SEC;
  device.key_index = 1;
  g_clear_pointer (&peer->details, g_bytes_unref);
  peer->details = wa_proto_pack (&device.base);

  g_byte_array_append (message, (const guint8 *)"\x06\x00", 2);
  g_byte_array_append (message, g_bytes_get_data (peer->details, NULL), g_bytes_get_size (peer->details));
  g_byte_array_append (message, peer->identity, WA_KEY_LEN);
  wa_crypto_sign (account->identity.priv, message->data, message->len, account_signature);

  identity.has_details = identity.has_account_signature_key = identity.has_account_signature = TRUE;
  identity.details.data = (guint8 *)g_bytes_get_data (peer->details, &identity.details.len);
  identity.account_signature_key.data = account->identity.pub;
  identity.account_signature_key.len = WA_KEY_LEN;
  identity.account_signature.data = account_signature;
  identity.account_signature.len = WA_SIGNATURE_LEN;
  signed_identity = wa_proto_pack (&identity.base);

  wa_crypto_hmac_sha256 (adv_secret, WA_KEY_LEN, g_bytes_get_data (signed_identity, NULL),
                         g_bytes_get_size (signed_identity), mac);
  container.has_details = container.has_hmac = TRUE;
  container.details.data = (guint8 *)g_bytes_get_data (signed_identity, &container.details.len);
  container.hmac.data = mac;
  container.hmac.len = sizeof mac;
  return wa_proto_pack (&container.base);
}

/**
 * fakewa_server_scan:
 * @self: the server
 * @qr_text: what the companion's QR code says
 * @phone: the account's number, digits
 * @error: return location for a #GError
 *
 * Plays the phone scanning @qr_text: the companion showing it receives
 * pair-success for a new device of @phone.
 */
gboolean
fakewa_server_scan (FakewaServer  *self,
                    const char    *qr_text,
                    const char    *phone,
                    GError       **error)
{
  const char *fragment = strchr (qr_text, '#');
  g_auto(GStrv) fields = NULL;
  guint n_fields;
  g_autofree guint8 *identity = NULL;
  g_autofree guint8 *adv_secret = NULL;
  g_autoptr(GBytes) device_identity = NULL;
  g_autoptr(WaNode) iq = NULL;
  g_autofree char *lid = NULL;
  gsize identity_len = 0, adv_len = 0;
  WaNode *success, *identity_node;
  Peer *peer;

  g_return_val_if_fail (FAKEWA_IS_SERVER (self), FALSE);

  /* Today's codes are a link whose fragment ends with the platform
   * (§5.2); Baileys 6 shows the four fields alone. */
  fields = g_strsplit (fragment != NULL ? fragment + 1 : qr_text, ",", -1);
  n_fields = g_strv_length (fields);
  if (n_fields != (fragment != NULL ? 5 : 4))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "not a WhatsApp linking code");
      return FALSE;
    }
  identity = g_base64_decode (fields[2], &identity_len);
  adv_secret = g_base64_decode (fields[3], &adv_len);
  peer = find_peer_by_ref (self, fields[0]);
  if (peer == NULL || identity_len != WA_KEY_LEN || adv_len != WA_KEY_LEN ||
      memcmp (identity, peer->identity, WA_KEY_LEN) != 0)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "no companion is showing this code");
      return FALSE;
    }

  g_free (peer->device_jid);
  peer->device_jid = g_strdup_printf ("%s:%u@s.whatsapp.net", phone, ++self->next_device);
  device_identity = build_device_identity (ensure_account (self, phone), peer, adv_secret);

  iq = wa_node_new_with_attrs ("iq", "from", "@s.whatsapp.net", "type", "set", "id", "pair-2",
                               "xmlns", "md", NULL);
  success = wa_node_add_child (iq, wa_node_new ("pair-success"));
  identity_node = wa_node_add_child (success, wa_node_new ("device-identity"));
  wa_node_set_content_bytes (identity_node, device_identity);
  wa_node_add_child (success, wa_node_new_with_attrs ("platform", "name", "android", NULL));
  lid = device_lid (self, peer->device_jid);
  wa_node_add_child (success, wa_node_new_with_attrs ("device", "jid", peer->device_jid, "lid", lid, NULL));
  return send_node (peer, iq, error);
}

/**
 * fakewa_wait_for_client:
 * @client: a client on this thread
 * @state: the state to wait for
 *
 * Runs the thread's main context until @client is in @state; the test
 * fails after ten seconds.
 */
void
fakewa_wait_for_client (WaClient      *client,
                        WaClientState  state)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (wa_client_get_state (client) != state)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
remember_qr_cb (WaClient   *client,
                const char *qr,
                char      **slot)
{
  g_free (*slot);
  *slot = g_strdup (qr);
}

/**
 * fakewa_server_link_client:
 * @self: the server @client talks to
 * @client: a stopped client with no session
 * @phone: the account's number, digits
 *
 * Starts @client and plays the phone of @phone scanning the code it
 * shows; returns once @client is connected as the new device.
 */
void
fakewa_server_link_client (FakewaServer *self,
                           WaClient     *client,
                           const char   *phone)
{
  g_autofree char *qr = NULL;
  g_autoptr(GError) error = NULL;

  g_signal_connect (client, "qr", G_CALLBACK (remember_qr_cb), &qr);
  wa_client_start (client);
  fakewa_wait_for_client (client, WA_CLIENT_STATE_PAIRING);
  g_assert_true (fakewa_server_scan (self, qr, phone, &error));
  g_assert_no_error (error);
  fakewa_wait_for_client (client, WA_CLIENT_STATE_CONNECTED);
  g_signal_handlers_disconnect_by_data (client, &qr);
}

/* The phone's app state and history (WA-FIDELITY §2.8, §3.5) */

/* The server tells the account's companions online that @collection
 * changed (§2.2). */
static void
announce_change (FakewaServer *self,
                 const char   *phone,
                 const char   *collection)
{
  g_autofree char *version = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                              fakewa_phone_get_version (ensure_phone (self, phone), collection));
  g_autofree char *id = g_strdup_printf ("%u", g_random_int ());
  g_autofree char *now = unix_now ();
  g_autofree char *phone_jid = g_strdup_printf ("%s@s.whatsapp.net", phone);

  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);
      g_autoptr(WaNode) notification = NULL;
      g_autoptr(GError) error = NULL;

      if (!peer->active || peer->device_jid == NULL || !same_user (peer->device_jid, phone_jid))
        continue;
      notification = wa_node_new_with_attrs ("notification", "from", "@s.whatsapp.net", "type", "server_sync",
                                             "id", id, "t", now, NULL);
      wa_node_add_child (notification, wa_node_new_with_attrs ("collection", "name", collection,
                                                               "version", version, NULL));
      if (!send_node (peer, notification, &error))
        g_debug ("Could not tell a companion of a change: %s", error->message);
    }
}

static gboolean
valid_user (const char *text)
{
  if (text == NULL || *text == '\0' || strlen (text) > 20)
    return FALSE;
  for (const char *c = text; *c != '\0'; c++)
    if (!g_ascii_isdigit (*c))
      return FALSE;
  return TRUE;
}

/**
 * fakewa_server_phone_set_push_name:
 * @phone: the account's number
 * @name: the push name its phone sets
 *
 * Adds the change to the account's app state and tells its companions.
 */
void
fakewa_server_phone_set_push_name (FakewaServer *self,
                                   const char   *phone,
                                   const char   *name)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  g_return_if_fail (valid_user (phone) && name != NULL);
  announce_change (self, phone, fakewa_phone_set_push_name (ensure_phone (self, phone), name));
}

/**
 * fakewa_server_phone_write:
 * @phone: a customer's number, an account of this server
 * @device_jid: a companion device of another account
 * @id: the message id
 * @text: what the customer writes
 *
 * The customer's phone writes @text to @device_jid, now or when it is
 * back; it reports the receipt as "phone-receipt".
 */
void
fakewa_server_phone_write (FakewaServer *self,
                           const char   *phone,
                           const char   *device_jid,
                           const char   *id,
                           const char   *text)
{
  WaE2E__Message message = WA_E2_E__MESSAGE__INIT;
  g_autoptr(GBytes) packed = NULL;
  guint8 *data;
  gsize size;

  g_return_if_fail (FAKEWA_IS_SERVER (self));
  g_return_if_fail (valid_user (phone) && device_jid != NULL && id != NULL && text != NULL);

  message.conversation = (char *) text;
  size = wa_e2_e__message__get_packed_size (&message);
  data = g_malloc (size);
  wa_e2_e__message__pack (&message, data);
  packed = g_bytes_new_take (data, size);
  phone_send_id (self, phone, device_jid, id, FALSE, packed);
}

/**
 * fakewa_server_phone_add_contact:
 * @phone: the account's number
 * @contact: the contact's number, an account of this server
 * @name: its name in the phone's address book, and its push name
 * @tctoken: (nullable): a privacy token it issued to @phone
 *
 * Adds a contact (with its LID) to the account's app state and history.
 */
void
fakewa_server_phone_add_contact (FakewaServer *self,
                                 const char   *phone,
                                 const char   *contact,
                                 const char   *name,
                                 GBytes       *tctoken)
{
  const char *collection;

  g_return_if_fail (FAKEWA_IS_SERVER (self));
  g_return_if_fail (valid_user (phone) && valid_user (contact) && name != NULL);
  collection = fakewa_phone_add_contact (ensure_phone (self, phone), contact, ensure_account (self, contact)->lid,
                                         name, tctoken);
  announce_change (self, phone, collection);
}

/**
 * fakewa_server_phone_set_nct_salt:
 * @salt: (nullable): the account's NCT salt, %NULL to remove it; the
 *   server checks cstokens against it too
 */
void
fakewa_server_phone_set_nct_salt (FakewaServer *self,
                                  const char   *phone,
                                  GBytes       *salt)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  g_return_if_fail (valid_user (phone));
  /* One salt per account: the one WhatsApp checks cstokens against is the
   * one the phone keeps in app state (WA-FIDELITY §1.7, §2.6). */
  fakewa_reachout_set_salt (self->reachout, phone, salt);
  announce_change (self, phone, fakewa_phone_set_nct_salt (ensure_phone (self, phone), salt));
}

/**
 * fakewa_server_phone_corrupt_answers:
 * @n: how many answers
 *
 * The first patch (or the snapshot) of each of the next @n app-state
 * answers for @phone's companions carries a wrong MAC.
 */
void
fakewa_server_phone_corrupt_answers (FakewaServer *self,
                                     const char   *phone,
                                     guint         n)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  fakewa_phone_corrupt_answers (ensure_phone (self, phone), n);
}

/**
 * fakewa_server_phone_understate_snapshots:
 * @understate: whether @phone's app-state snapshots are announced at a
 *   tenth of their size
 */
void
fakewa_server_phone_understate_snapshots (FakewaServer *self,
                                          const char   *phone,
                                          gboolean      understate)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  fakewa_phone_understate_snapshots (ensure_phone (self, phone), understate);
}

/**
 * fakewa_server_phone_new_key:
 *
 * The phone encrypts what comes next with a key it has not shared.
 */
void
fakewa_server_phone_new_key (FakewaServer *self,
                             const char   *phone)
{
  g_return_if_fail (FAKEWA_IS_SERVER (self));
  fakewa_phone_new_key (ensure_phone (self, phone));
}

/* The key share and the first history chunks, for one companion. */
static gboolean
share_with (FakewaServer  *self,
            const char    *phone,
            const char    *companion,
            GError       **error)
{
  const guint types[] = {
    WA_E2_E__HISTORY_SYNC_NOTIFICATION__HISTORY_SYNC_TYPE__INITIAL_BOOTSTRAP,
    WA_E2_E__HISTORY_SYNC_NOTIFICATION__HISTORY_SYNC_TYPE__PUSH_NAME,
  };
  FakewaPhone *fake_phone = ensure_phone (self, phone);
  g_autoptr(GBytes) share = fakewa_phone_key_share (fake_phone);

  phone_send_when_active (self, phone, companion, share);
  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    {
      gboolean inline_payload = t == 0 && g_hash_table_contains (self->inline_history, companion);
      g_autoptr(FakewaHistoryChunk) chunk = fakewa_phone_history (fake_phone, types[t], inline_payload, error);

      if (chunk == NULL)
        return FALSE;
      if (chunk->blob != NULL)
        g_hash_table_insert (self->blobs, g_strndup (chunk->direct_path, strcspn (chunk->direct_path, "?")),
                             g_bytes_ref (chunk->blob));
      phone_send_when_active (self, phone, companion, chunk->message);
    }
  return TRUE;
}

/**
 * fakewa_server_phone_share:
 * @phone: the account's number
 * @error: return location for a #GError
 *
 * Plays what a phone does for a new companion: it shares its app-state
 * keys, then sends the initial history (inline to companions that asked
 * for it, else as a blob on the media host) and the push names; to every
 * companion of @phone now, and to each one linked from now on, once it
 * has uploaded its keys and gone active.
 */
gboolean
fakewa_server_phone_share (FakewaServer  *self,
                           const char    *phone,
                           GError       **error)
{
  g_autoptr(GPtrArray) companions = NULL;

  g_return_val_if_fail (FAKEWA_IS_SERVER (self), FALSE);
  g_return_val_if_fail (valid_user (phone), FALSE);

  ensure_account (self, phone)->shares = TRUE;
  companions = companions_of (self, phone);
  for (guint i = 0; i < companions->len; i++)
    if (!share_with (self, phone, g_ptr_array_index (companions, i), error))
      return FALSE;
  return TRUE;
}

/**
 * fakewa_server_phone_migrate_lids:
 * @phone: the account's number
 *
 * The phone moves its chats to LIDs and tells every companion of @phone
 * the LID of each of its contacts (WA-FIDELITY §3.4, §6).
 */
void
fakewa_server_phone_migrate_lids (FakewaServer *self,
                                  const char   *phone)
{
  g_autoptr(GBytes) migration = NULL;
  g_autoptr(GPtrArray) companions = NULL;

  g_return_if_fail (FAKEWA_IS_SERVER (self));
  g_return_if_fail (valid_user (phone));

  migration = fakewa_phone_lid_migration (ensure_phone (self, phone));
  companions = companions_of (self, phone);
  for (guint i = 0; i < companions->len; i++)
    phone_send_when_active (self, phone, g_ptr_array_index (companions, i), migration);
}

/**
 * fakewa_server_phone_share_with:
 * @phone: the account whose phone sends
 * @device_jid: any device, of this account or another
 * @error: return location for a #GError
 *
 * The phone of @phone sends @device_jid its key share and history, as
 * fakewa_server_phone_share() does for its own companions; to another
 * account's device it is what a hostile sender would try.
 */
gboolean
fakewa_server_phone_share_with (FakewaServer  *self,
                                const char    *phone,
                                const char    *device_jid,
                                GError       **error)
{
  g_return_val_if_fail (FAKEWA_IS_SERVER (self), FALSE);
  g_return_val_if_fail (valid_user (phone) && device_jid != NULL, FALSE);
  return share_with (self, phone, device_jid, error);
}
