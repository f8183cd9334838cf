/* wa-credentials.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-credentials"

#include "config.h"

#include "wa-credentials.h"
#include "wa-error.h"

/*
 * A companion's long-lived keys, made once before the first pairing and
 * kept in the application's key store under the kind "device". Private
 * keys are stored (the public halves follow from them), each value in its
 * own entry so a later format can add entries without a migration.
 */

#define KIND "device"

/* libsignal's "DJB" key type byte, which the prekey signature covers. */
#define DJB_TYPE 0x05

/* Baileys keeps registration ids to 14 bits; zero is not a valid id. */
#define REGISTRATION_ID_MASK 0x3fff

/**
 * wa_credentials_sign_pre_key:
 * @identity_private: the identity's private key
 * @pre_key_public: the prekey's public key
 * @signature: (out caller-allocates): %WA_SIGNATURE_LEN bytes
 *
 * Signs a prekey as every peer checks it: over its type byte and key.
 */
void
wa_credentials_sign_pre_key (const guint8 *identity_private,
                             const guint8 *pre_key_public,
                             guint8       *signature)
{
  guint8 message[1 + WA_KEY_LEN];

  message[0] = DJB_TYPE;
  memcpy (message + 1, pre_key_public, WA_KEY_LEN);
  wa_crypto_sign (identity_private, message, sizeof message, signature);
}

/**
 * wa_credentials_generate:
 *
 * Returns: (transfer full): fresh device credentials
 */
WaCredentials *
wa_credentials_generate (void)
{
  WaCredentials *self = g_new0 (WaCredentials, 1);

  wa_key_pair_generate (&self->noise_key);
  wa_key_pair_generate (&self->identity_key);
  wa_key_pair_generate (&self->signed_pre_key);
  wa_credentials_sign_pre_key (self->identity_key.priv, self->signed_pre_key.pub, self->signed_pre_key_signature);
  self->signed_pre_key_id = WA_SIGNED_PRE_KEY_ID;
  self->signed_pre_key_time = g_get_real_time () / G_USEC_PER_SEC;
  do
    {
      wa_crypto_random (&self->registration_id, sizeof self->registration_id);
      self->registration_id &= REGISTRATION_ID_MASK;
    }
  while (self->registration_id == 0);
  wa_crypto_random (self->adv_secret, sizeof self->adv_secret);

  return self;
}

/**
 * wa_credentials_check:
 *
 * Returns: whether the signed prekey's signature verifies with the
 *   identity key, which is what every peer will check
 */
gboolean
wa_credentials_check (const WaCredentials *self)
{
  guint8 message[1 + WA_KEY_LEN];

  g_return_val_if_fail (self != NULL, FALSE);

  message[0] = DJB_TYPE;
  memcpy (message + 1, self->signed_pre_key.pub, WA_KEY_LEN);
  return self->registration_id != 0 && self->signed_pre_key_id != 0 && self->signed_pre_key_id <= 0xffffff &&
         wa_crypto_verify (self->identity_key.pub, message, sizeof message,
                           self->signed_pre_key_signature);
}

static void
save_entry (WaKeyStore   *store,
            const char   *key,
            const guint8 *data,
            gsize         len)
{
  g_autoptr(GBytes) value = g_bytes_new (data, len);

  wa_key_store_save (store, KIND, key, value);
}

/**
 * wa_credentials_save:
 * @self: the credentials
 * @store: where the application keeps secrets
 *
 * Stores the credentials, replacing any older ones.
 */
void
wa_credentials_save (const WaCredentials *self,
                     WaKeyStore          *store)
{
  guint8 signed_pre_key[WA_KEY_LEN + WA_SIGNATURE_LEN];
  guint8 registration_id[4];
  guint8 signed_id[4];
  guint8 signed_time[8];

  g_return_if_fail (self != NULL);
  g_return_if_fail (WA_IS_KEY_STORE (store));

  memcpy (signed_pre_key, self->signed_pre_key.priv, WA_KEY_LEN);
  memcpy (signed_pre_key + WA_KEY_LEN, self->signed_pre_key_signature, WA_SIGNATURE_LEN);
  registration_id[0] = self->registration_id >> 24;
  registration_id[1] = self->registration_id >> 16;
  registration_id[2] = self->registration_id >> 8;
  registration_id[3] = self->registration_id;
  for (guint i = 0; i < sizeof signed_id; i++)
    signed_id[i] = self->signed_pre_key_id >> (8 * (sizeof signed_id - 1 - i));
  for (guint i = 0; i < sizeof signed_time; i++)
    signed_time[i] = (guint64)self->signed_pre_key_time >> (8 * (sizeof signed_time - 1 - i));

  save_entry (store, "noise", self->noise_key.priv, WA_KEY_LEN);
  save_entry (store, "identity", self->identity_key.priv, WA_KEY_LEN);
  save_entry (store, "signed-prekey", signed_pre_key, sizeof signed_pre_key);
  save_entry (store, "registration-id", registration_id, sizeof registration_id);
  save_entry (store, "adv-secret", self->adv_secret, WA_KEY_LEN);
  save_entry (store, "signed-prekey-id", signed_id, sizeof signed_id);
  save_entry (store, "signed-prekey-time", signed_time, sizeof signed_time);
  wa_crypto_wipe (signed_pre_key, sizeof signed_pre_key);
}

/* Copies the entry @key, which must be exactly @len bytes, into @out and
 * counts it in @found when it exists at all. */
static gboolean
load_entry (WaKeyStore  *store,
            const char  *key,
            guint8      *out,
            gsize        len,
            guint       *found)
{
  g_autoptr(GBytes) value = wa_key_store_load (store, KIND, key);
  const guint8 *data;
  gsize size;

  if (value == NULL)
    return FALSE;
  (*found)++;
  data = g_bytes_get_data (value, &size);
  if (size != len)
    return FALSE;
  memcpy (out, data, len);
  return TRUE;
}

/**
 * wa_credentials_load:
 * @store: where the application keeps secrets
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the stored credentials; %NULL with
 *   no error when none are stored, %NULL with %WA_ERROR_MALFORMED when
 *   what is stored is damaged (the device must be linked again)
 */
WaCredentials *
wa_credentials_load (WaKeyStore  *store,
                     GError     **error)
{
  g_autoptr(WaCredentials) self = g_new0 (WaCredentials, 1);
  guint8 signed_pre_key[WA_KEY_LEN + WA_SIGNATURE_LEN];
  guint8 noise[WA_KEY_LEN], identity[WA_KEY_LEN], registration_id[4];
  guint8 signed_id[4], signed_time[8];
  guint found = 0, valid = 0, optional = 0;

  g_return_val_if_fail (WA_IS_KEY_STORE (store), NULL);

  /* Every entry is read, so that "some are missing" is told apart from
   * "none was ever stored". */
  valid += load_entry (store, "noise", noise, sizeof noise, &found);
  valid += load_entry (store, "identity", identity, sizeof identity, &found);
  valid += load_entry (store, "signed-prekey", signed_pre_key, sizeof signed_pre_key, &found);
  valid += load_entry (store, "registration-id", registration_id, sizeof registration_id, &found);
  valid += load_entry (store, "adv-secret", self->adv_secret, WA_KEY_LEN, &found);

  if (valid == 5)
    {
      wa_key_pair_from_private (&self->noise_key, noise);
      wa_key_pair_from_private (&self->identity_key, identity);
      wa_key_pair_from_private (&self->signed_pre_key, signed_pre_key);
      memcpy (self->signed_pre_key_signature, signed_pre_key + WA_KEY_LEN, WA_SIGNATURE_LEN);
      self->registration_id = (guint32)registration_id[0] << 24 | (guint32)registration_id[1] << 16 |
                              (guint32)registration_id[2] << 8 | registration_id[3];
      /* Keys stored before rotation existed have the first id, and an
       * age nobody knows: rotation is due at once. */
      self->signed_pre_key_id = WA_SIGNED_PRE_KEY_ID;
      if (load_entry (store, "signed-prekey-id", signed_id, sizeof signed_id, &optional))
        self->signed_pre_key_id = (guint32)signed_id[0] << 24 | (guint32)signed_id[1] << 16 |
                                  (guint32)signed_id[2] << 8 | signed_id[3];
      if (load_entry (store, "signed-prekey-time", signed_time, sizeof signed_time, &optional))
        for (guint i = 0; i < sizeof signed_time; i++)
          self->signed_pre_key_time = (gint64)((guint64)self->signed_pre_key_time << 8 | signed_time[i]);
    }
  wa_crypto_wipe (noise, sizeof noise);
  wa_crypto_wipe (identity, sizeof identity);
  wa_crypto_wipe (signed_pre_key, sizeof signed_pre_key);

  if (found == 0)
    return NULL;
  if (valid != 5 || !wa_credentials_check (self))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED,
                   "The stored WhatsApp device keys are incomplete or damaged");
      return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * wa_credentials_load_or_create:
 * @store: where the application keeps secrets
 * @created: (out) (optional): set when new credentials were made and saved
 * @error: return location for a #GError
 *
 * What a client does before connecting: use the stored credentials, or
 * make and store new ones before the first pairing.
 *
 * Returns: (transfer full) (nullable): the credentials, or %NULL when the
 *   stored ones are damaged
 */
WaCredentials *
wa_credentials_load_or_create (WaKeyStore  *store,
                               gboolean    *created,
                               GError     **error)
{
  GError *local_error = NULL;
  WaCredentials *self = wa_credentials_load (store, &local_error);

  if (created != NULL)
    *created = FALSE;
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (self != NULL)
    return self;

  self = wa_credentials_generate ();
  wa_credentials_save (self, store);
  if (created != NULL)
    *created = TRUE;
  return self;
}

/**
 * wa_credentials_qr_data:
 * @self: the credentials
 * @ref: a pairing ref from the server (ASCII)
 * @platform: the companion client type character, such as '9' (other
 *   web client)
 *
 * The text the pairing QR code encodes (protocol notes §5.2).
 *
 * Returns: (transfer full): the QR text
 */
char *
wa_credentials_qr_data (const WaCredentials *self,
                        const char          *ref,
                        char                 platform)
{
  g_autofree char *noise = NULL;
  g_autofree char *identity = NULL;
  g_autofree char *adv = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (ref != NULL, NULL);

  noise = g_base64_encode (self->noise_key.pub, WA_KEY_LEN);
  identity = g_base64_encode (self->identity_key.pub, WA_KEY_LEN);
  adv = g_base64_encode (self->adv_secret, WA_KEY_LEN);
  return g_strdup_printf ("https://wa.me/settings/linked_devices#%s,%s,%s,%s,%c",
                          ref, noise, identity, adv, platform);
}

/**
 * wa_credentials_free:
 *
 * Wipes and frees the credentials.
 */
void
wa_credentials_free (WaCredentials *self)
{
  if (self == NULL)
    return;
  wa_crypto_wipe (self, sizeof *self);
  g_free (self);
}
