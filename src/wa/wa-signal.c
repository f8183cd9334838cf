/* wa-signal.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-signal"

#include "config.h"

#include <signal/key_helper.h>
#include <signal/protocol.h>
#include <signal/session_builder.h>
#include <signal/session_cipher.h>
#include <signal/session_pre_key.h>
#include <signal/signal_protocol.h>

#include "wa-curve25519.h"
#include "wa-error.h"
#include "wa-signal-address.h"
#include "wa-signal-provider.h"
#include "wa-prekeys.h"
#include "wa-signal.h"
#include "xi-random.h"

/*
 * The Signal layer of 1:1 messages (protocol notes §7.4–§7.6, §8.2–§8.3,
 * §11): libsignal-protocol-c does the X3DH and the double ratchet; this
 * file gives it its crypto provider and keeps its state in the
 * application's WaKeyStore:
 *
 *   kind "session"     "<name>.<device>"   serialized session records
 *   kind "identity"    "<name>.<device>"   peers' identity keys, 33 bytes
 *                                          (0x05 || key) as libsignal
 *                                          hands them over
 *   kind "sender-key"  "<group>::<name>.<device>"   group sender keys
 *   kind "prekey"      "<id>"              our one-time prekeys: the
 *                                          32-byte private key exactly as
 *                                          wa-prekeys.c writes it; records
 *                                          are built from it on load
 *
 * Our own identity, registration id and signed prekey come from the
 * WaCredentials, which stay the one source of truth for them.
 */

#define KIND_SESSION    "session"
#define KIND_IDENTITY   "identity"
#define KIND_SENDER_KEY "sender-key"
#define KIND_PRE_KEY    "prekey"

/* libsignal's "DJB" type byte in front of serialized public keys. */
#define DJB_TYPE 0x05
#define SERIALIZED_KEY_LEN (1 + WA_KEY_LEN)

/* Padding lengths we write: whatsmeow's 1..15 (§7.6). */
#define MAX_PADDING 15

struct _WaSignal
{
  GObject                        parent_instance;

  /* Everything below belongs to the thread that made the object, the
   * network thread: libsignal calls back into the key store
   * synchronously from inside every function here, and the key store is
   * confined to that thread too (wa-key-store.h). The locking functions
   * given to libsignal assert this instead of taking a mutex. */
  GThread                       *owner;
  guint                          lock_depth;

  WaKeyStore                    *store;
  WaCredentials                 *credentials;
  signal_context                *context;
  signal_protocol_store_context *store_context;

  /* Set while a pkmsg is decrypted: see identity_save(). */
  gboolean                       defer_identity;
  char                          *pending_identity_key;
  GBytes                        *pending_identity;

  GPtrArray                     *identity_changes;   /* WaJid */
};

G_DEFINE_FINAL_TYPE (WaSignal, wa_signal, G_TYPE_OBJECT)

G_DEFINE_QUARK (wa-signal-error-quark, wa_signal_error)

#define assert_owner(self) g_assert ((self)->owner == g_thread_self ())

/* Auxiliary methods */

static int
copy_out (GBytes         *bytes,
          signal_buffer **out)
{
  gsize len;
  gconstpointer data = g_bytes_get_data (bytes, &len);

  *out = signal_buffer_create (data, len);
  return *out != NULL ? SG_SUCCESS : SG_ERR_NOMEM;
}

static void
serialize_public (const guint8 pub[WA_KEY_LEN],
                  guint8       out[SERIALIZED_KEY_LEN])
{
  out[0] = DJB_TYPE;
  memcpy (out + 1, pub, WA_KEY_LEN);
}

static int
decode_public (signal_context  *context,
               const guint8     pub[WA_KEY_LEN],
               ec_public_key  **key)
{
  guint8 serialized[SERIALIZED_KEY_LEN];

  serialize_public (pub, serialized);
  return curve_decode_point (key, serialized, sizeof serialized, context);
}

/* libsignal's key pair from a stored private key; the public half follows
 * from it. */
static int
make_key_pair (signal_context  *context,
               const guint8     priv[WA_KEY_LEN],
               ec_key_pair    **key_pair)
{
  ec_public_key *public_key = NULL;
  ec_private_key *private_key = NULL;
  WaKeyPair pair;
  int result;

  wa_key_pair_from_private (&pair, priv);
  result = decode_public (context, pair.pub, &public_key);
  if (result >= 0)
    result = curve_decode_private_point (&private_key, pair.priv, WA_KEY_LEN, context);
  if (result >= 0)
    result = ec_key_pair_create (key_pair, public_key, private_key);
  wa_key_pair_clear (&pair);
  SIGNAL_UNREF (public_key);
  SIGNAL_UNREF (private_key);
  return result;
}

/* Whether @key is "<name>.<device>" for this @name; sets @device. */
static gboolean
key_is_device_of (const char *key,
                  const char *name,
                  gsize       name_len,
                  guint64    *device)
{
  return strncmp (key, name, name_len) == 0 && key[name_len] == '.' &&
         g_ascii_isdigit (key[name_len + 1]) &&
         g_ascii_string_to_unsigned (key + name_len + 1, 10, 0, G_MAXINT32, device, NULL);
}

static void
record_identity_change (WaSignal   *self,
                        const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WaJid) device = wa_signal_address_parse (key, &error);

  if (device == NULL)
    {
      /* Only addresses made from JIDs reach the store. */
      g_debug ("Identity change for an address that is no JID: %s", error->message);
      return;
    }
  for (guint i = 0; i < self->identity_changes->len; i++)
    if (wa_jid_equal (g_ptr_array_index (self->identity_changes, i), device))
      return;
  g_ptr_array_add (self->identity_changes, g_steal_pointer (&device));
}

static void
commit_identity (WaSignal   *self,
                 const char *key,
                 GBytes     *identity)
{
  g_autoptr(GBytes) known = wa_key_store_load (self->store, KIND_IDENTITY, key);

  if (known != NULL && g_bytes_equal (known, identity))
    return;
  if (known != NULL)
    record_identity_change (self, key);
  wa_key_store_save (self->store, KIND_IDENTITY, key, identity);
}

static void
clear_pending_identity (WaSignal *self)
{
  g_clear_pointer (&self->pending_identity_key, g_free);
  g_clear_pointer (&self->pending_identity, g_bytes_unref);
}

static gboolean
set_signal_error (GError     **error,
                  int          code,
                  const char  *what)
{
  switch (code)
    {
    case SG_ERR_DUPLICATE_MESSAGE:
      g_set_error (error, WA_SIGNAL_ERROR, WA_SIGNAL_ERROR_DUPLICATE,
                   "%s: the message was received before (a duplicate or a replay)", what);
      break;
    case SG_ERR_NO_SESSION:
      g_set_error (error, WA_SIGNAL_ERROR, WA_SIGNAL_ERROR_NO_SESSION,
                   "%s: there is no session with this device", what);
      break;
    case SG_ERR_INVALID_KEY_ID:
      g_set_error (error, WA_SIGNAL_ERROR, WA_SIGNAL_ERROR_INVALID_PRE_KEY,
                   "%s: the message names a prekey this device does not have (used already or never made)", what);
      break;
    case SG_ERR_INVALID_MAC:
    case SG_ERR_INVALID_MESSAGE:
    case SG_ERR_VRF_SIG_VERIF_FAILED:
      /* libsignal reports a bad MAC as an invalid message. */
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO,
                   "%s: the message does not decrypt (damaged, forged, or for another session)", what);
      break;
    case SG_ERR_INVALID_KEY:
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO,
                   "%s: a key is invalid or its signature does not verify", what);
      break;
    case SG_ERR_INVALID_PROTO_BUF:
    case SG_ERR_INVALID_VERSION:
    case SG_ERR_LEGACY_MESSAGE:
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED,
                   "%s: not a Signal message of a version this client reads", what);
      break;
    case SG_ERR_NOMEM:
      g_set_error (error, WA_ERROR, WA_ERROR_FAILED, "%s: out of memory", what);
      break;
    default:
      g_set_error (error, WA_ERROR, WA_ERROR_FAILED, "%s: libsignal error %d", what, code);
      break;
    }
  return FALSE;
}

/* Locking: the object is confined to one thread, so libsignal's
 * (recursive) lock only has to check that nobody else calls in. */

static void
context_lock_cb (void *user_data)
{
  WaSignal *self = user_data;

  assert_owner (self);
  self->lock_depth++;
}

static void
context_unlock_cb (void *user_data)
{
  WaSignal *self = user_data;

  assert_owner (self);
  g_assert (self->lock_depth > 0);
  self->lock_depth--;
}

static void
context_log_cb (int         level,
                const char *message,
                size_t      len,
                void       *user_data)
{
  /* libsignal logs events (a bad MAC, an old counter), never keys. They
   * are expected with hostile or damaged input, so nothing above debug. */
  g_debug ("libsignal [%d]: %.*s", level, (int) len, message);
}

/* Session store */

static int
session_load_cb (signal_buffer                 **record,
                 signal_buffer                 **user_record,
                 const signal_protocol_address  *address,
                 void                           *user_data)
{
  WaSignal *self = user_data;
  g_autofree char *key = wa_signal_address_to_string (address);
  g_autoptr(GBytes) value = wa_key_store_load (self->store, KIND_SESSION, key);

  if (value == NULL)
    return 0;
  return copy_out (value, record) < 0 ? SG_ERR_NOMEM : 1;
}

static int
session_get_sub_devices_cb (signal_int_list **sessions,
                            const char       *name,
                            size_t            name_len,
                            void             *user_data)
{
  WaSignal *self = user_data;
  g_autoptr(GPtrArray) keys = wa_key_store_list (self->store, KIND_SESSION);
  signal_int_list *list = signal_int_list_alloc ();

  if (list == NULL)
    return SG_ERR_NOMEM;
  for (guint i = 0; i < keys->len; i++)
    {
      guint64 device;

      if (key_is_device_of (g_ptr_array_index (keys, i), name, name_len, &device) &&
          signal_int_list_push_back (list, (int) device) < 0)
        {
          signal_int_list_free (list);
          return SG_ERR_NOMEM;
        }
    }
  *sessions = list;
  return signal_int_list_size (list);
}

static int
session_store_cb (const signal_protocol_address *address,
                  uint8_t                       *record,
                  size_t                         record_len,
                  uint8_t                       *user_record,
                  size_t                         user_record_len,
                  void                          *user_data)
{
  WaSignal *self = user_data;
  g_autofree char *key = wa_signal_address_to_string (address);
  g_autoptr(GBytes) value = g_bytes_new (record, record_len);

  /* We never hand libsignal a user record, so there is none to keep. */
  wa_key_store_save (self->store, KIND_SESSION, key, value);
  return SG_SUCCESS;
}

static int
session_contains_cb (const signal_protocol_address *address,
                     void                          *user_data)
{
  WaSignal *self = user_data;
  g_autofree char *key = wa_signal_address_to_string (address);
  g_autoptr(GBytes) value = wa_key_store_load (self->store, KIND_SESSION, key);

  return value != NULL;
}

static int
session_delete_cb (const signal_protocol_address *address,
                   void                          *user_data)
{
  WaSignal *self = user_data;
  int found = session_contains_cb (address, user_data);
  g_autofree char *key = wa_signal_address_to_string (address);

  wa_key_store_remove (self->store, KIND_SESSION, key);
  return found;
}

static int
session_delete_all_cb (const char *name,
                       size_t      name_len,
                       void       *user_data)
{
  WaSignal *self = user_data;
  g_autoptr(GPtrArray) keys = wa_key_store_list (self->store, KIND_SESSION);
  int deleted = 0;

  for (guint i = 0; i < keys->len; i++)
    {
      guint64 device;

      if (key_is_device_of (g_ptr_array_index (keys, i), name, name_len, &device))
        {
          wa_key_store_remove (self->store, KIND_SESSION, g_ptr_array_index (keys, i));
          deleted++;
        }
    }
  return deleted;
}

/* One-time prekey store, on the entries wa-prekeys.c writes. */

static int
pre_key_load_cb (signal_buffer **record,
                 uint32_t        pre_key_id,
                 void           *user_data)
{
  WaSignal *self = user_data;
  g_autofree char *key = g_strdup_printf ("%u", pre_key_id);
  g_autoptr(GBytes) value = wa_key_store_load (self->store, KIND_PRE_KEY, key);
  ec_key_pair *pair = NULL;
  session_pre_key *pre_key = NULL;
  int result;

  if (value == NULL)
    return SG_ERR_INVALID_KEY_ID;
  if (g_bytes_get_size (value) != WA_KEY_LEN)
    return SG_ERR_INVALID_KEY;

  result = make_key_pair (self->context, g_bytes_get_data (value, NULL), &pair);
  if (result >= 0)
    result = session_pre_key_create (&pre_key, pre_key_id, pair);
  if (result >= 0)
    result = session_pre_key_serialize (record, pre_key);
  SIGNAL_UNREF (pre_key);
  SIGNAL_UNREF (pair);
  return result < 0 ? result : SG_SUCCESS;
}

static int
pre_key_store_cb (uint32_t  pre_key_id,
                  uint8_t  *record,
                  size_t    record_len,
                  void     *user_data)
{
  WaSignal *self = user_data;
  g_autofree char *key = g_strdup_printf ("%u", pre_key_id);
  g_autoptr(GBytes) value = NULL;
  session_pre_key *pre_key = NULL;
  signal_buffer *priv = NULL;
  int result;

  /* Kept in wa-prekeys.c's format, the private key alone, so there is
   * one format whoever makes the prekeys. */
  result = session_pre_key_deserialize (&pre_key, record, record_len, self->context);
  if (result >= 0)
    result = ec_private_key_serialize (&priv, ec_key_pair_get_private (session_pre_key_get_key_pair (pre_key)));
  if (result >= 0 && signal_buffer_len (priv) != WA_KEY_LEN)
    result = SG_ERR_INVALID_KEY;
  if (result >= 0)
    {
      value = g_bytes_new (signal_buffer_data (priv), WA_KEY_LEN);
      wa_key_store_save (self->store, KIND_PRE_KEY, key, value);
    }
  if (priv != NULL)
    signal_buffer_bzero_free (priv);
  SIGNAL_UNREF (pre_key);
  return result < 0 ? result : SG_SUCCESS;
}

static int
pre_key_contains_cb (uint32_t  pre_key_id,
                     void     *user_data)
{
  WaSignal *self = user_data;
  g_autofree char *key = g_strdup_printf ("%u", pre_key_id);
  g_autoptr(GBytes) value = wa_key_store_load (self->store, KIND_PRE_KEY, key);

  return value != NULL;
}

static int
pre_key_remove_cb (uint32_t  pre_key_id,
                   void     *user_data)
{
  WaSignal *self = user_data;
  g_autofree char *key = g_strdup_printf ("%u", pre_key_id);

  wa_key_store_remove (self->store, KIND_PRE_KEY, key);
  return SG_SUCCESS;
}

/* Signed prekey store: the credentials' current signed prekey, and the
 * ones it replaced, kept for sessions peers start from older bundles. */

static int
signed_pre_key_load_cb (signal_buffer **record,
                        uint32_t        signed_pre_key_id,
                        void           *user_data)
{
  WaSignal *self = user_data;
  session_signed_pre_key *signed_pre_key = NULL;
  ec_key_pair *pair = NULL;
  guint8 signature[WA_SIGNATURE_LEN];
  WaKeyPair keys;
  int result;

  if (!wa_prekeys_load_signed (self->credentials, self->store, signed_pre_key_id, &keys, signature))
    return SG_ERR_INVALID_KEY_ID;

  result = make_key_pair (self->context, keys.priv, &pair);
  if (result >= 0)
    result = session_signed_pre_key_create (&signed_pre_key, signed_pre_key_id, 0, pair,
                                            signature, WA_SIGNATURE_LEN);
  if (result >= 0)
    result = session_signed_pre_key_serialize (record, signed_pre_key);
  wa_key_pair_clear (&keys);
  SIGNAL_UNREF (signed_pre_key);
  SIGNAL_UNREF (pair);
  return result < 0 ? result : SG_SUCCESS;
}

static int
signed_pre_key_store_cb (uint32_t  signed_pre_key_id,
                         uint8_t  *record,
                         size_t    record_len,
                         void     *user_data)
{
  /* Rotation (wa-prekeys.c) owns the signed prekeys, so a second copy
   * here could only go stale. libsignal's session code never stores
   * one. */
  return SG_ERR_INVAL;
}

static int
signed_pre_key_contains_cb (uint32_t  signed_pre_key_id,
                            void     *user_data)
{
  WaSignal *self = user_data;

  return wa_prekeys_load_signed (self->credentials, self->store, signed_pre_key_id, NULL, NULL);
}

static int
signed_pre_key_remove_cb (uint32_t  signed_pre_key_id,
                          void     *user_data)
{
  return SG_ERR_INVAL;
}

/* Identity store */

static int
identity_get_key_pair_cb (signal_buffer **public_data,
                          signal_buffer **private_data,
                          void           *user_data)
{
  WaSignal *self = user_data;
  guint8 serialized[SERIALIZED_KEY_LEN];

  /* libsignal wants the public key with its type byte, the private key
   * as the bare 32-byte scalar. */
  serialize_public (self->credentials->identity_key.pub, serialized);
  *public_data = signal_buffer_create (serialized, sizeof serialized);
  *private_data = signal_buffer_create (self->credentials->identity_key.priv, WA_KEY_LEN);
  if (*public_data == NULL || *private_data == NULL)
    {
      signal_buffer_free (*public_data);
      signal_buffer_bzero_free (*private_data);
      return SG_ERR_NOMEM;
    }
  return SG_SUCCESS;
}

static int
identity_get_registration_id_cb (void     *user_data,
                                 uint32_t *registration_id)
{
  WaSignal *self = user_data;

  *registration_id = self->credentials->registration_id;
  return SG_SUCCESS;
}

/* libsignal calls this when it builds a session from a bundle (after it
 * stored the session) and when a pkmsg arrives, *before* it knows that
 * the message decrypts. So during a pkmsg the new identity is only held
 * here, and wa_signal_decrypt() commits it once the message's MAC, which
 * covers both identity keys, has verified: a forged pkmsg can neither
 * replace a peer's identity nor make us announce a change. */
static int
identity_save_cb (const signal_protocol_address *address,
                  uint8_t                       *key_data,
                  size_t                         key_len,
                  void                          *user_data)
{
  WaSignal *self = user_data;
  g_autofree char *key = wa_signal_address_to_string (address);
  g_autoptr(GBytes) identity = NULL;

  if (key_data == NULL)
    {
      wa_key_store_remove (self->store, KIND_IDENTITY, key);
      return SG_SUCCESS;
    }

  identity = g_bytes_new (key_data, key_len);
  if (self->defer_identity)
    {
      clear_pending_identity (self);
      self->pending_identity_key = g_steal_pointer (&key);
      self->pending_identity = g_steal_pointer (&identity);
      return SG_SUCCESS;
    }
  commit_identity (self, key, identity);
  return SG_SUCCESS;
}

/* WhatsApp's trust model, which both reference clients follow (§11.2):
 * trust on first use, and a changed identity (a reinstall, a new phone)
 * is accepted and announced to the user ("security code changed"), never
 * blocked; blocking would silently stop messages to everyone who ever
 * reinstalled. So every identity is trusted here; identity_save_cb()
 * records the changes for wa_signal_take_identity_changes(). */
static int
identity_is_trusted_cb (const signal_protocol_address *address,
                        uint8_t                       *key_data,
                        size_t                         key_len,
                        void                          *user_data)
{
  return 1;
}

/* Sender key store (groups; nothing uses it yet, but libsignal wants it
 * whole). */

static char *
sender_key_key (const signal_protocol_sender_key_name *name)
{
  g_autofree char *sender = wa_signal_address_to_string (&name->sender);

  return g_strdup_printf ("%.*s::%s", (int) name->group_id_len, name->group_id, sender);
}

static int
sender_key_store_cb (const signal_protocol_sender_key_name *sender_key_name,
                     uint8_t                               *record,
                     size_t                                 record_len,
                     uint8_t                               *user_record,
                     size_t                                 user_record_len,
                     void                                  *user_data)
{
  WaSignal *self = user_data;
  g_autofree char *key = sender_key_key (sender_key_name);
  g_autoptr(GBytes) value = g_bytes_new (record, record_len);

  wa_key_store_save (self->store, KIND_SENDER_KEY, key, value);
  return SG_SUCCESS;
}

static int
sender_key_load_cb (signal_buffer                         **record,
                    signal_buffer                         **user_record,
                    const signal_protocol_sender_key_name  *sender_key_name,
                    void                                   *user_data)
{
  WaSignal *self = user_data;
  g_autofree char *key = sender_key_key (sender_key_name);
  g_autoptr(GBytes) value = wa_key_store_load (self->store, KIND_SENDER_KEY, key);

  if (value == NULL)
    return 0;
  return copy_out (value, record) < 0 ? SG_ERR_NOMEM : 1;
}

static gboolean
set_up_stores (WaSignal *self)
{
  const signal_protocol_session_store session_store = {
    .load_session_func = session_load_cb,
    .get_sub_device_sessions_func = session_get_sub_devices_cb,
    .store_session_func = session_store_cb,
    .contains_session_func = session_contains_cb,
    .delete_session_func = session_delete_cb,
    .delete_all_sessions_func = session_delete_all_cb,
    .user_data = self,
  };
  const signal_protocol_pre_key_store pre_key_store = {
    .load_pre_key = pre_key_load_cb,
    .store_pre_key = pre_key_store_cb,
    .contains_pre_key = pre_key_contains_cb,
    .remove_pre_key = pre_key_remove_cb,
    .user_data = self,
  };
  const signal_protocol_signed_pre_key_store signed_pre_key_store = {
    .load_signed_pre_key = signed_pre_key_load_cb,
    .store_signed_pre_key = signed_pre_key_store_cb,
    .contains_signed_pre_key = signed_pre_key_contains_cb,
    .remove_signed_pre_key = signed_pre_key_remove_cb,
    .user_data = self,
  };
  const signal_protocol_identity_key_store identity_store = {
    .get_identity_key_pair = identity_get_key_pair_cb,
    .get_local_registration_id = identity_get_registration_id_cb,
    .save_identity = identity_save_cb,
    .is_trusted_identity = identity_is_trusted_cb,
    .user_data = self,
  };
  const signal_protocol_sender_key_store sender_key_store = {
    .store_sender_key = sender_key_store_cb,
    .load_sender_key = sender_key_load_cb,
    .user_data = self,
  };

  /* The store context copies each table. */
  return signal_context_create (&self->context, self) >= 0 &&
         signal_context_set_crypto_provider (self->context, wa_signal_crypto_provider ()) >= 0 &&
         signal_context_set_locking_functions (self->context, context_lock_cb, context_unlock_cb) >= 0 &&
         signal_context_set_log_function (self->context, context_log_cb) >= 0 &&
         signal_protocol_store_context_create (&self->store_context, self->context) >= 0 &&
         signal_protocol_store_context_set_session_store (self->store_context, &session_store) >= 0 &&
         signal_protocol_store_context_set_pre_key_store (self->store_context, &pre_key_store) >= 0 &&
         signal_protocol_store_context_set_signed_pre_key_store (self->store_context, &signed_pre_key_store) >= 0 &&
         signal_protocol_store_context_set_identity_key_store (self->store_context, &identity_store) >= 0 &&
         signal_protocol_store_context_set_sender_key_store (self->store_context, &sender_key_store) >= 0;
}

/* GObject */

static void
wa_signal_finalize (GObject *object)
{
  WaSignal *self = (WaSignal *)object;

  /* The store context goes first: it belongs to the global context. */
  g_clear_pointer (&self->store_context, signal_protocol_store_context_destroy);
  g_clear_pointer (&self->context, signal_context_destroy);
  g_clear_pointer (&self->credentials, wa_credentials_free);
  g_clear_object (&self->store);
  clear_pending_identity (self);
  g_clear_pointer (&self->identity_changes, g_ptr_array_unref);

  G_OBJECT_CLASS (wa_signal_parent_class)->finalize (object);
}

static void
wa_signal_class_init (WaSignalClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wa_signal_finalize;
}

static void
wa_signal_init (WaSignal *self)
{
  self->owner = g_thread_self ();
  self->identity_changes = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_jid_unref);
}

/* Public API */

/**
 * wa_signal_message_type_to_string:
 *
 * Returns: "pkmsg" or "msg", the `<enc type>` of @type
 */
const char *
wa_signal_message_type_to_string (WaSignalMessageType type)
{
  return type == WA_SIGNAL_MESSAGE_PKMSG ? "pkmsg" : "msg";
}

/**
 * wa_signal_message_type_from_string:
 * @text: an `<enc type>` attribute
 * @type: (out): the message type
 *
 * Returns: whether @text is "pkmsg" or "msg" (groups' "skmsg" is not a
 *   1:1 message)
 */
gboolean
wa_signal_message_type_from_string (const char          *text,
                                    WaSignalMessageType *type)
{
  g_return_val_if_fail (type != NULL, FALSE);

  if (g_strcmp0 (text, "pkmsg") == 0)
    *type = WA_SIGNAL_MESSAGE_PKMSG;
  else if (g_strcmp0 (text, "msg") == 0)
    *type = WA_SIGNAL_MESSAGE_MSG;
  else
    return FALSE;
  return TRUE;
}

/**
 * wa_signal_new:
 * @store: where sessions, identities and prekeys are kept
 * @credentials: this device's keys (copied)
 * @error: return location for a #GError
 *
 * Makes the Signal layer of one device. It belongs to the calling
 * thread, which must be the network thread that owns @store: every
 * function here asserts it.
 *
 * Returns: (transfer full) (nullable): the Signal layer
 */
WaSignal *
wa_signal_new (WaKeyStore           *store,
               const WaCredentials  *credentials,
               GError              **error)
{
  g_autoptr(WaSignal) self = NULL;

  g_return_val_if_fail (WA_IS_KEY_STORE (store), NULL);
  g_return_val_if_fail (credentials != NULL, NULL);

  if (!wa_crypto_init (error))
    return NULL;

  self = g_object_new (WA_TYPE_SIGNAL, NULL);
  self->store = g_object_ref (store);
  self->credentials = g_memdup2 (credentials, sizeof *credentials);
  if (!set_up_stores (self))
    {
      g_set_error_literal (error, WA_ERROR, WA_ERROR_FAILED, "libsignal could not be set up");
      return NULL;
    }
  g_debug ("X25519 through %s, signature checks through %s", wa_curve25519_backend (),
           wa_curve25519_verify_backend ());
  return g_steal_pointer (&self);
}

/**
 * wa_signal_build_session:
 * @self: a #WaSignal
 * @device: the device the bundle belongs to
 * @bundle: its prekey bundle
 * @error: return location for a #GError
 *
 * Starts a session with @device from its prekey bundle (X3DH as the
 * initiator, §7.4) after checking the signed prekey's signature. The
 * next messages to it are pkmsg until it answers. A session it had
 * before is replaced.
 *
 * Returns: %TRUE when the session is stored; %FALSE with
 *   %WA_ERROR_CRYPTO when the signature does not verify or a key is
 *   not a valid point
 */
gboolean
wa_signal_build_session (WaSignal              *self,
                         const WaJid           *device,
                         const WaSignalBundle  *bundle,
                         GError               **error)
{
  g_auto(WaSignalAddress) address = { 0 };
  ec_public_key *identity_key = NULL;
  ec_public_key *signed_pre_key = NULL;
  ec_public_key *pre_key = NULL;
  session_pre_key_bundle *signal_bundle = NULL;
  session_builder *builder = NULL;
  int result;

  g_return_val_if_fail (WA_IS_SIGNAL (self), FALSE);
  g_return_val_if_fail (device != NULL, FALSE);
  g_return_val_if_fail (bundle != NULL, FALSE);
  assert_owner (self);

  wa_signal_address_init (&address, device);

  /* The wire carries bare 32-byte keys; libsignal wants the type byte. */
  result = decode_public (self->context, bundle->identity_key, &identity_key);
  if (result >= 0)
    result = decode_public (self->context, bundle->signed_pre_key, &signed_pre_key);
  if (result >= 0 && bundle->has_pre_key)
    result = decode_public (self->context, bundle->pre_key, &pre_key);
  if (result >= 0)
    result = session_pre_key_bundle_create (&signal_bundle, bundle->registration_id, address.address.device_id,
                                            bundle->has_pre_key ? bundle->pre_key_id : 0, pre_key,
                                            bundle->signed_pre_key_id, signed_pre_key,
                                            bundle->signed_pre_key_signature, WA_SIGNATURE_LEN,
                                            identity_key);
  if (result >= 0)
    result = session_builder_create (&builder, self->store_context, &address.address, self->context);
  if (result >= 0)
    result = session_builder_process_pre_key_bundle (builder, signal_bundle);

  if (builder != NULL)
    session_builder_free (builder);
  SIGNAL_UNREF (signal_bundle);
  SIGNAL_UNREF (identity_key);
  SIGNAL_UNREF (signed_pre_key);
  SIGNAL_UNREF (pre_key);

  if (result < 0)
    return set_signal_error (error, result, "Building a session from a prekey bundle");
  return TRUE;
}

/**
 * wa_signal_encrypt:
 * @self: a #WaSignal
 * @device: the recipient device
 * @plaintext: what to encrypt, already padded (wa_signal_pad())
 * @type: (out): whether the result is a pkmsg or a msg
 * @error: return location for a #GError
 *
 * Encrypts for @device in its session and advances the ratchet.
 *
 * Returns: (transfer full) (nullable): the serialized message, the
 *   content of `<enc>`; %NULL with %WA_SIGNAL_ERROR_NO_SESSION when
 *   there is no session with @device yet
 */
GBytes *
wa_signal_encrypt (WaSignal             *self,
                   const WaJid          *device,
                   GBytes               *plaintext,
                   WaSignalMessageType  *type,
                   GError              **error)
{
  g_auto(WaSignalAddress) address = { 0 };
  session_cipher *cipher = NULL;
  ciphertext_message *message = NULL;
  signal_buffer *serialized;
  GBytes *result_bytes = NULL;
  gconstpointer data;
  gsize len;
  int result;

  g_return_val_if_fail (WA_IS_SIGNAL (self), NULL);
  g_return_val_if_fail (device != NULL, NULL);
  g_return_val_if_fail (plaintext != NULL, NULL);
  g_return_val_if_fail (type != NULL, NULL);
  assert_owner (self);

  wa_signal_address_init (&address, device);

  /* libsignal would start from an empty record and fail vaguely. */
  if (signal_protocol_session_contains_session (self->store_context, &address.address) != 1)
    {
      set_signal_error (error, SG_ERR_NO_SESSION, "Encrypting");
      return NULL;
    }

  data = g_bytes_get_data (plaintext, &len);
  result = session_cipher_create (&cipher, self->store_context, &address.address, self->context);
  if (result >= 0)
    result = session_cipher_encrypt (cipher, data, len, &message);
  if (result >= 0)
    {
      serialized = ciphertext_message_get_serialized (message);
      switch (ciphertext_message_get_type (message))
        {
        case CIPHERTEXT_PREKEY_TYPE:
          *type = WA_SIGNAL_MESSAGE_PKMSG;
          break;
        case CIPHERTEXT_SIGNAL_TYPE:
          *type = WA_SIGNAL_MESSAGE_MSG;
          break;
        default:
          result = SG_ERR_UNKNOWN;
          break;
        }
      if (result >= 0)
        result_bytes = g_bytes_new (signal_buffer_data (serialized), signal_buffer_len (serialized));
    }

  SIGNAL_UNREF (message);
  if (cipher != NULL)
    session_cipher_free (cipher);

  if (result < 0)
    {
      set_signal_error (error, result, "Encrypting");
      return NULL;
    }
  return result_bytes;
}

/**
 * wa_signal_decrypt:
 * @self: a #WaSignal
 * @device: the sender device
 * @type: the `<enc type>` of the message
 * @ciphertext: the content of `<enc>`
 * @error: return location for a #GError
 *
 * Decrypts a message from @device. A pkmsg starts (or restarts) the
 * session and uses up the one-time prekey it names; a msg needs a
 * session. The session is stored only when the message decrypts.
 *
 * Returns: (transfer full) (nullable): the plaintext, still padded
 *   (wa_signal_unpad()); %NULL with %WA_SIGNAL_ERROR_DUPLICATE for a
 *   message seen before, %WA_SIGNAL_ERROR_NO_SESSION,
 *   %WA_SIGNAL_ERROR_INVALID_PRE_KEY, %WA_ERROR_CRYPTO when it does not
 *   decrypt, %WA_ERROR_MALFORMED when it does not parse
 */
GBytes *
wa_signal_decrypt (WaSignal             *self,
                   const WaJid          *device,
                   WaSignalMessageType   type,
                   GBytes               *ciphertext,
                   GError              **error)
{
  g_auto(WaSignalAddress) address = { 0 };
  session_cipher *cipher = NULL;
  pre_key_signal_message *pre_key_message = NULL;
  signal_message *message = NULL;
  signal_buffer *plain = NULL;
  GBytes *plaintext = NULL;
  const guint8 *data;
  gsize len;
  int result;

  g_return_val_if_fail (WA_IS_SIGNAL (self), NULL);
  g_return_val_if_fail (device != NULL, NULL);
  g_return_val_if_fail (ciphertext != NULL, NULL);
  assert_owner (self);

  wa_signal_address_init (&address, device);
  data = g_bytes_get_data (ciphertext, &len);

  if (type == WA_SIGNAL_MESSAGE_PKMSG)
    result = pre_key_signal_message_deserialize (&pre_key_message, data, len, self->context);
  else
    result = signal_message_deserialize (&message, data, len, self->context);
  if (result < 0)
    {
      SIGNAL_UNREF (pre_key_message);
      SIGNAL_UNREF (message);
      if (result == SG_ERR_NOMEM)
        {
          set_signal_error (error, result, "Decrypting");
          return NULL;
        }
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "A %s does not parse as a Signal message",
                   wa_signal_message_type_to_string (type));
      return NULL;
    }

  result = session_cipher_create (&cipher, self->store_context, &address.address, self->context);
  if (result >= 0 && type == WA_SIGNAL_MESSAGE_PKMSG)
    {
      self->defer_identity = TRUE;
      result = session_cipher_decrypt_pre_key_signal_message (cipher, pre_key_message, NULL, &plain);
      self->defer_identity = FALSE;
      if (result >= 0 && self->pending_identity != NULL)
        commit_identity (self, self->pending_identity_key, self->pending_identity);
      clear_pending_identity (self);
    }
  else if (result >= 0)
    {
      result = session_cipher_decrypt_signal_message (cipher, message, NULL, &plain);
    }

  if (result >= 0)
    {
      plaintext = g_bytes_new (signal_buffer_data (plain), signal_buffer_len (plain));
      signal_buffer_bzero_free (plain);
    }
  if (cipher != NULL)
    session_cipher_free (cipher);
  SIGNAL_UNREF (pre_key_message);
  SIGNAL_UNREF (message);

  if (result < 0)
    {
      set_signal_error (error, result, type == WA_SIGNAL_MESSAGE_PKMSG ? "Decrypting a pkmsg" : "Decrypting a msg");
      return NULL;
    }
  return plaintext;
}

/**
 * wa_signal_has_session:
 * @self: a #WaSignal
 * @device: a device JID
 *
 * Returns: whether messages to @device can be encrypted without fetching
 *   its prekey bundle first
 */
gboolean
wa_signal_has_session (WaSignal    *self,
                       const WaJid *device)
{
  g_auto(WaSignalAddress) address = { 0 };

  g_return_val_if_fail (WA_IS_SIGNAL (self), FALSE);
  g_return_val_if_fail (device != NULL, FALSE);
  assert_owner (self);

  wa_signal_address_init (&address, device);
  return signal_protocol_session_contains_session (self->store_context, &address.address) == 1;
}

/**
 * wa_signal_prefetch_async:
 * @self: a #WaSignal
 * @devices: (element-type WaJid): devices messages will go to soon
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once their sessions and identities are in memory
 * @user_data: for @callback
 *
 * Has the key store read what encrypting for @devices needs, in one go
 * rather than one device at a time (see wa_key_store_prefetch_async()).
 */
void
wa_signal_prefetch_async (WaSignal            *self,
                          GPtrArray           *devices,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  static const char * const kinds[] = { KIND_SESSION, KIND_IDENTITY, NULL };
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);

  g_return_if_fail (WA_IS_SIGNAL (self));
  g_return_if_fail (devices != NULL);
  assert_owner (self);

  for (guint i = 0; i < devices->len; i++)
    {
      g_auto(WaSignalAddress) address = { 0 };

      wa_signal_address_init (&address, g_ptr_array_index (devices, i));
      g_ptr_array_add (keys, wa_signal_address_to_string (&address.address));
    }
  g_ptr_array_add (keys, NULL);
  wa_key_store_prefetch_async (self->store, kinds, (const char * const *) keys->pdata, cancellable,
                               callback, user_data);
}

gboolean
wa_signal_prefetch_finish (WaSignal      *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (WA_IS_SIGNAL (self), FALSE);

  return wa_key_store_prefetch_finish (self->store, result, error);
}

/**
 * wa_signal_delete_session:
 * @self: a #WaSignal
 * @device: a device JID
 *
 * Forgets the session with @device (its identity stays known), so the
 * next message to it starts a new one from a fresh bundle.
 *
 * Returns: whether there was a session
 */
gboolean
wa_signal_delete_session (WaSignal    *self,
                          const WaJid *device)
{
  g_auto(WaSignalAddress) address = { 0 };

  g_return_val_if_fail (WA_IS_SIGNAL (self), FALSE);
  g_return_val_if_fail (device != NULL, FALSE);
  assert_owner (self);

  wa_signal_address_init (&address, device);
  return signal_protocol_session_delete_session (self->store_context, &address.address) == 1;
}

/**
 * wa_signal_delete_all_sessions:
 * @self: a #WaSignal
 * @user: any JID of the account; its device is ignored
 *
 * Forgets the sessions with every device of the account under this JID's
 * address name (a PN and a LID address are different names).
 *
 * Returns: how many sessions were deleted
 */
guint
wa_signal_delete_all_sessions (WaSignal    *self,
                               const WaJid *user)
{
  g_auto(WaSignalAddress) address = { 0 };
  int deleted;

  g_return_val_if_fail (WA_IS_SIGNAL (self), 0);
  g_return_val_if_fail (user != NULL, 0);
  assert_owner (self);

  wa_signal_address_init (&address, user);
  deleted = signal_protocol_session_delete_all_sessions (self->store_context, address.address.name,
                                                         address.address.name_len);
  return MAX (deleted, 0);
}

/**
 * wa_signal_take_identity_changes:
 * @self: a #WaSignal
 *
 * The devices whose identity key changed (a reinstall, a new phone)
 * since the last call, each once. The new key is trusted already; this
 * is for telling the user, as WhatsApp's "security code changed" notice
 * does.
 *
 * Returns: (transfer full) (element-type WaJid): the devices, maybe none
 */
GPtrArray *
wa_signal_take_identity_changes (WaSignal *self)
{
  GPtrArray *changes;

  g_return_val_if_fail (WA_IS_SIGNAL (self), NULL);
  assert_owner (self);

  changes = g_steal_pointer (&self->identity_changes);
  self->identity_changes = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_jid_unref);
  return changes;
}

/* 1..MAX_PADDING, uniform: a byte is taken only below the largest
 * multiple of MAX_PADDING that fits in one. The bytes come from the
 * thread's pool (xi-random.c): a draw of libsodium's each was a getrandom ()
 * system call per device per message, the dearest step of padding. */
static guint8
padding_length (void)
{
  guint8 byte;

  do
    xi_random_bytes (&byte, 1);
  while (byte >= 256 - 256 % MAX_PADDING);

  return 1 + byte % MAX_PADDING;
}

/**
 * wa_signal_pad:
 * @plaintext: a serialized message
 *
 * WhatsApp's padding before Signal encryption (v="2", §7.6): @plaintext
 * followed by n bytes of value n, n random in 1..15 as whatsmeow writes
 * it (Baileys writes 1..16; wa_signal_unpad() takes both).
 *
 * Returns: (transfer full): the padded bytes
 */
GBytes *
wa_signal_pad (GBytes *plaintext)
{
  GByteArray *padded;
  guint8 padding[MAX_PADDING];
  guint8 n;
  gsize len;
  gconstpointer data;

  g_return_val_if_fail (plaintext != NULL, NULL);

  data = g_bytes_get_data (plaintext, &len);
  n = padding_length ();
  memset (padding, n, n);
  padded = g_byte_array_sized_new (len + n);
  g_byte_array_append (padded, data, len);
  g_byte_array_append (padded, padding, n);
  return g_byte_array_free_to_bytes (padded);
}

/**
 * wa_signal_unpad:
 * @padded: a decrypted plaintext
 * @error: return location for a #GError
 *
 * Removes the padding of wa_signal_pad() (§8.3): the last byte n must be
 * at least 1 and the last n bytes must all be n, as whatsmeow checks.
 *
 * Returns: (transfer full) (nullable): the message without its padding,
 *   or %NULL with %WA_ERROR_MALFORMED
 */
GBytes *
wa_signal_unpad (GBytes  *padded,
                 GError **error)
{
  const guint8 *data;
  gsize len;
  guint8 n;

  g_return_val_if_fail (padded != NULL, NULL);

  data = g_bytes_get_data (padded, &len);
  if (len == 0)
    {
      g_set_error_literal (error, WA_ERROR, WA_ERROR_MALFORMED, "Decrypted message is empty, without padding");
      return NULL;
    }
  n = data[len - 1];
  if (n == 0 || n > len)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED,
                   "Decrypted message has an invalid padding length %u for %" G_GSIZE_FORMAT " bytes", n, len);
      return NULL;
    }
  for (gsize i = len - n; i < len; i++)
    if (data[i] != n)
      {
        g_set_error_literal (error, WA_ERROR, WA_ERROR_MALFORMED, "Decrypted message has inconsistent padding bytes");
        return NULL;
      }
  return g_bytes_new_from_bytes (padded, 0, len - n);
}
