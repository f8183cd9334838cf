/* wa-pairing.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-pairing"

#include "config.h"

#include "wa-adv.pb-c.h"
#include "wa-error.h"
#include "wa-pairing-private.h"
#include "wa-proto.h"

/*
 * The companion's side of pair-success: prove the message came from the
 * phone that scanned our QR code (the HMAC with the ADV secret we put in
 * it), prove the phone's account vouches for our identity key (its
 * signature), and countersign with our identity (protocol notes §5.5–5.6).
 * A real client checks all of it; so do we, before storing anything.
 */

/* The texts of the error iq a companion answers with (whatsmeow). */
#define HMAC_MISMATCH      "hmac-mismatch"
#define SIGNATURE_MISMATCH "signature-mismatch"

static const guint8 hosted_hmac_prefix[2] = { 6, 5 };
static const guint8 account_prefix[2] = { 6, 0 };
static const guint8 hosted_account_prefix[2] = { 6, 5 };
static const guint8 device_prefix[2] = { 6, 1 };

static gboolean
has_bytes (protobuf_c_boolean  has,
           ProtobufCBinaryData value,
           gsize               len)
{
  return has && value.len == len;
}

/* @a || @b || @c || @d, for the signed messages. */
static GByteArray *
concat (const guint8 *a, gsize a_len,
        const guint8 *b, gsize b_len,
        const guint8 *c, gsize c_len,
        const guint8 *d, gsize d_len)
{
  GByteArray *out = g_byte_array_sized_new (a_len + b_len + c_len + d_len);

  g_byte_array_append (out, a, a_len);
  g_byte_array_append (out, b, b_len);
  g_byte_array_append (out, c, c_len);
  if (d != NULL)
    g_byte_array_append (out, d, d_len);
  return out;
}

WaPairing *
_wa_pairing_verify_with_random (const WaCredentials  *credentials,
                                GBytes               *device_identity,
                                const guint8          random[64],
                                GError              **error)
{
  g_autoptr(WaPairing) self = NULL;
  g_autoptr(GByteArray) hmac_input = NULL;
  g_autoptr(GByteArray) account_message = NULL;
  g_autoptr(GByteArray) device_message = NULL;
  WaAdv__ADVSignedDeviceIdentityHMAC *container = NULL;
  WaAdv__ADVSignedDeviceIdentity *identity = NULL;
  WaAdv__ADVDeviceIdentity *device = NULL;
  guint8 mac[32];
  guint8 device_signature[WA_SIGNATURE_LEN];
  gboolean hosted_account, hosted_device;
  gsize len;
  const guint8 *data = g_bytes_get_data (device_identity, &len);

  container = wa_adv__advsigned_device_identity_hmac__unpack (NULL, len, data);
  if (container == NULL || !container->has_details || !has_bytes (container->has_hmac, container->hmac, 32))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "pair-success carries no device identity");
      goto out;
    }

  hosted_account = container->has_account_type && container->account_type == WA_ADV__ADVENCRYPTION_TYPE__HOSTED;
  hmac_input = concat (hosted_hmac_prefix, hosted_account ? 2 : 0,
                       container->details.data, container->details.len, NULL, 0, NULL, 0);
  wa_crypto_hmac_sha256 (credentials->adv_secret, WA_KEY_LEN, hmac_input->data, hmac_input->len, mac);
  if (!wa_crypto_equal (mac, container->hmac.data, sizeof mac))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO, HMAC_MISMATCH);
      goto out;
    }

  identity = wa_adv__advsigned_device_identity__unpack (NULL, container->details.len, container->details.data);
  if (identity == NULL || !identity->has_details ||
      !has_bytes (identity->has_account_signature_key, identity->account_signature_key, WA_KEY_LEN) ||
      !has_bytes (identity->has_account_signature, identity->account_signature, WA_SIGNATURE_LEN) ||
      (device = wa_adv__advdevice_identity__unpack (NULL, identity->details.len, identity->details.data)) == NULL)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "pair-success device identity does not parse");
      goto out;
    }

  hosted_device = device->has_device_type && device->device_type == WA_ADV__ADVENCRYPTION_TYPE__HOSTED;
  account_message = concat (hosted_device ? hosted_account_prefix : account_prefix, 2,
                            identity->details.data, identity->details.len,
                            credentials->identity_key.pub, WA_KEY_LEN, NULL, 0);
  if (!wa_crypto_verify (identity->account_signature_key.data, account_message->data, account_message->len,
                         identity->account_signature.data))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_CRYPTO, SIGNATURE_MISMATCH);
      goto out;
    }

  device_message = concat (device_prefix, 2, identity->details.data, identity->details.len,
                           credentials->identity_key.pub, WA_KEY_LEN,
                           identity->account_signature_key.data, WA_KEY_LEN);
  if (random != NULL)
    wa_crypto_sign_with_random (credentials->identity_key.priv, device_message->data, device_message->len,
                                random, device_signature);
  else
    wa_crypto_sign (credentials->identity_key.priv, device_message->data, device_message->len,
                    device_signature);

  self = g_new0 (WaPairing, 1);
  memcpy (self->primary_identity, identity->account_signature_key.data, WA_KEY_LEN);
  self->key_index = device->has_key_index ? device->key_index : 0;

  identity->has_device_signature = TRUE;
  identity->device_signature.data = device_signature;
  identity->device_signature.len = WA_SIGNATURE_LEN;
  self->account = wa_proto_pack (&identity->base);
  /* The server already has the phone's key; the reply leaves it out. */
  identity->has_account_signature_key = FALSE;
  self->reply = wa_proto_pack (&identity->base);
  /* The buffer is ours, not protobuf-c's: do not let it free it. */
  identity->has_device_signature = FALSE;
  identity->device_signature.data = NULL;
  identity->device_signature.len = 0;
  identity->has_account_signature_key = TRUE;

out:
  if (device != NULL)
    wa_adv__advdevice_identity__free_unpacked (device, NULL);
  if (identity != NULL)
    wa_adv__advsigned_device_identity__free_unpacked (identity, NULL);
  if (container != NULL)
    wa_adv__advsigned_device_identity_hmac__free_unpacked (container, NULL);
  return g_steal_pointer (&self);
}

/**
 * wa_pairing_verify:
 * @credentials: our device credentials, whose ADV secret was in the QR
 * @device_identity: the device-identity content of pair-success
 * @error: return location for a #GError
 *
 * Checks a pair-success and countersigns it.
 *
 * Returns: (transfer full) (nullable): what to store and answer, or %NULL
 *   with %WA_ERROR_CRYPTO (message "hmac-mismatch" or
 *   "signature-mismatch") or %WA_ERROR_MALFORMED
 */
WaPairing *
wa_pairing_verify (const WaCredentials  *credentials,
                   GBytes               *device_identity,
                   GError              **error)
{
  g_return_val_if_fail (credentials != NULL, NULL);
  g_return_val_if_fail (device_identity != NULL, NULL);

  return _wa_pairing_verify_with_random (credentials, device_identity, NULL, error);
}

/**
 * wa_pairing_error_reply:
 * @error: what wa_pairing_verify() failed with
 * @code: (out): the code of the error iq to answer with
 * @text: (out) (transfer none): its text
 *
 * The answer a companion gives the server when pair-success does not
 * verify (protocol notes §5.1).
 */
void
wa_pairing_error_reply (const GError  *error,
                        guint         *code,
                        const char   **text)
{
  if (g_error_matches (error, WA_ERROR, WA_ERROR_CRYPTO) &&
      (g_str_equal (error->message, HMAC_MISMATCH) || g_str_equal (error->message, SIGNATURE_MISMATCH)))
    {
      *code = 401;
      *text = g_str_equal (error->message, HMAC_MISMATCH) ? HMAC_MISMATCH : SIGNATURE_MISMATCH;
      return;
    }
  *code = 500;
  *text = "internal-error";
}

/* Kept beside the device keys: unlinking clears both together. */
#define KIND "device"

/**
 * wa_pairing_save:
 * @self: a verified pairing
 * @device_jid: what the server calls this device now
 * @store: where the application keeps secrets
 *
 * Remembers that this device is linked, to log in as it from now on.
 */
void
wa_pairing_save (const WaPairing *self,
                 const char      *device_jid,
                 WaKeyStore      *store)
{
  g_autoptr(GBytes) jid = NULL;
  g_autoptr(GBytes) primary = NULL;

  g_return_if_fail (self != NULL && device_jid != NULL);
  g_return_if_fail (WA_IS_KEY_STORE (store));

  jid = g_bytes_new (device_jid, strlen (device_jid));
  primary = g_bytes_new (self->primary_identity, WA_KEY_LEN);
  wa_key_store_save (store, KIND, "account", self->account);
  wa_key_store_save (store, KIND, "primary-identity", primary);
  wa_key_store_save (store, KIND, "jid", jid);
}

static char *
load_text (WaKeyStore *store,
           const char *name)
{
  g_autoptr(GBytes) text = NULL;

  g_return_val_if_fail (WA_IS_KEY_STORE (store), NULL);

  text = wa_key_store_load (store, KIND, name);
  return text != NULL ? g_strndup (g_bytes_get_data (text, NULL), g_bytes_get_size (text)) : NULL;
}

/**
 * wa_pairing_load_device_jid:
 * @store: where the application keeps secrets
 *
 * Returns: (transfer full) (nullable): this device's JID, or %NULL when it
 *   was never linked
 */
char *
wa_pairing_load_device_jid (WaKeyStore *store)
{
  return load_text (store, "jid");
}

/**
 * wa_pairing_load_account:
 * @store: where the application keeps secrets
 *
 * Returns: (transfer full) (nullable): the signed device identity the
 *   phone gave this device, which goes with every message that starts a
 *   session (§7.7), or %NULL when it was never linked
 */
GBytes *
wa_pairing_load_account (WaKeyStore *store)
{
  g_return_val_if_fail (WA_IS_KEY_STORE (store), NULL);
  return wa_key_store_load (store, KIND, "account");
}

/**
 * wa_pairing_save_lid:
 * @store: where the application keeps secrets
 * @lid: this device's LID JID, as pair-success or <success> names it
 */
void
wa_pairing_save_lid (WaKeyStore *store,
                     const char *lid)
{
  g_autoptr(GBytes) text = NULL;

  g_return_if_fail (WA_IS_KEY_STORE (store));
  g_return_if_fail (lid != NULL);

  text = g_bytes_new (lid, strlen (lid));
  wa_key_store_save (store, KIND, "lid", text);
}

/**
 * wa_pairing_load_lid:
 * @store: where the application keeps secrets
 *
 * Returns: (transfer full) (nullable): this device's LID JID, or %NULL
 *   when the server never named one
 */
char *
wa_pairing_load_lid (WaKeyStore *store)
{
  return load_text (store, "lid");
}

/**
 * wa_pairing_copy:
 * @self: a pairing
 *
 * Returns: (transfer full): a copy of @self
 */
WaPairing *
wa_pairing_copy (const WaPairing *self)
{
  WaPairing *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->account = self->account != NULL ? g_bytes_ref (self->account) : NULL;
  copy->reply = self->reply != NULL ? g_bytes_ref (self->reply) : NULL;
  return copy;
}

void
wa_pairing_free (WaPairing *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->account, g_bytes_unref);
  g_clear_pointer (&self->reply, g_bytes_unref);
  g_free (self);
}
