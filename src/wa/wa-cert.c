/* wa-cert.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-cert"

#include "config.h"

#include <string.h>

#include "wa-cert.h"
#include "wa-cert.pb-c.h"
#include "wa-error.h"
#include "wa-proto.h"

/*
 * The certificate chain a server proves itself with during the Noise
 * handshake (WA-PROTOCOL.md §2.4): WhatsApp's long-term root key signs an
 * intermediate certificate, whose key signs a leaf naming the server's
 * Noise static key.
 *
 * The Noise handshake only proves the server holds its static key; this
 * chain is what ties that key to WhatsApp. So all eight checks whatsmeow
 * makes are made here, in its order, including the two Baileys skips (the
 * leaf must name the key the server actually used, and both validity
 * windows). Absent integer fields read as 0, as in every protobuf
 * runtime's getters, so we accept exactly what the reference client does.
 */

/* "WhatsAppLongTerm1", the root of every genuine chain. */
static const guint8 whatsapp_root_key[WA_KEY_LEN] = {
  0x14, 0x23, 0x75, 0x57, 0x4d, 0x0a, 0x58, 0x71, 0x66, 0xaa, 0xe7, 0x1e, 0xbe, 0x51, 0x64, 0x37,
  0xc4, 0xa2, 0x8b, 0x73, 0xe3, 0x69, 0x5c, 0x6c, 0xe1, 0xf7, 0xf9, 0x54, 0x5d, 0xa8, 0xee, 0x6b,
};

/* The intermediate's issuer serial when the root issued it. */
#define ROOT_ISSUER_SERIAL 0

typedef WaCert__CertChain__NoiseCertificate Certificate;
typedef WaCert__CertChain__NoiseCertificate__Details Details;

/* Auxiliary methods */

static gboolean refuse (GError     **error,
                        const char  *format,
                        ...) G_GNUC_PRINTF (2, 3);

static gboolean
refuse (GError     **error,
        const char  *format,
        ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, WA_ERROR, WA_ERROR_HANDSHAKE, "Server certificate refused: %s", reason);
  return FALSE;
}

static gboolean
is_complete (const Certificate *cert)
{
  return cert != NULL && cert->has_details && cert->has_signature;
}

static gboolean
signed_by (const Certificate *cert,
           const guint8       key[WA_KEY_LEN])
{
  return wa_crypto_verify (key, cert->details.data, cert->details.len, cert->signature.data);
}

static Details *
parse_details (const Certificate *cert)
{
  /* protobuf-c generates typed unpack functions for top-level messages only. */
  return (Details *) protobuf_c_message_unpack (&wa_cert__cert_chain__noise_certificate__details__descriptor,
                                                NULL, cert->details.len, cert->details.data);
}

static void
free_details (Details *details)
{
  if (details != NULL)
    protobuf_c_message_free_unpacked (&details->base, NULL);
}

static void
free_chain (WaCert__CertChain *chain)
{
  wa_cert__cert_chain__free_unpacked (chain, NULL);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Details, free_details)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaCert__CertChain, free_chain)

/* Check 5 and 8: notBefore <= now <= notAfter, both ends inclusive. */
static gboolean
check_window (const Details  *details,
              const char     *which,
              gint64          now,
              GError        **error)
{
  guint64 not_before = details->has_not_before ? details->not_before : 0;
  guint64 not_after = details->has_not_after ? details->not_after : 0;

  if (now < 0 || (guint64) now < not_before)
    return refuse (error, "the %s certificate is not valid yet (valid from %" G_GUINT64_FORMAT
                   ", now %" G_GINT64_FORMAT ")", which, not_before, now);
  if ((guint64) now > not_after)
    return refuse (error, "the %s certificate has expired (valid until %" G_GUINT64_FORMAT
                   ", now %" G_GINT64_FORMAT ")", which, not_after, now);
  return TRUE;
}

static GBytes *
pack_details (const WaCertDetails *fields,
              const guint8         key[WA_KEY_LEN])
{
  Details details = WA_CERT__CERT_CHAIN__NOISE_CERTIFICATE__DETAILS__INIT;

  /* Every field is written, zeros included, as the real chains do; the
   * signatures are over these exact bytes. */
  details.has_serial = TRUE;
  details.serial = fields->serial;
  details.has_issuer_serial = TRUE;
  details.issuer_serial = fields->issuer_serial;
  details.has_key = TRUE;
  details.key.data = (guint8 *) key;
  details.key.len = WA_KEY_LEN;
  details.has_not_before = TRUE;
  details.not_before = fields->not_before;
  details.has_not_after = TRUE;
  details.not_after = fields->not_after;

  return wa_proto_pack (&details.base);
}

/* Public API */

/**
 * wa_cert_default_root_key:
 *
 * Returns: (transfer none): WhatsApp's root public key (32 bytes), the
 *   trust anchor for real servers. Tests and the fake server use their own.
 */
const guint8 *
wa_cert_default_root_key (void)
{
  return whatsapp_root_key;
}

/**
 * wa_cert_verify:
 * @cert_chain: the serialized CertChain decrypted from the server hello
 * @root_key: the trusted root public key, normally
 *   wa_cert_default_root_key()
 * @server_static: the static key the server used in the handshake
 * @now: the current time in Unix seconds (the local clock, as whatsmeow)
 * @error: return location for a #GError
 *
 * Runs the checks of WA-PROTOCOL.md §2.4 in order:
 *  1. both certificates have details and a 64-byte signature;
 *  2. the root signed the intermediate's details;
 *  3. the intermediate's details parse, its issuer serial is 0 and its
 *     key is 32 bytes;
 *  4. the intermediate's key signed the leaf's details;
 *  5. the intermediate is valid at @now;
 *  6. the leaf's details parse and name the intermediate's serial as
 *     issuer;
 *  7. the leaf's key is @server_static;
 *  8. the leaf is valid at @now.
 * Each failure has its own message.
 *
 * Returns: %TRUE if the chain proves that WhatsApp (or whoever holds
 *   @root_key) vouches for @server_static; otherwise %FALSE with
 *   %WA_ERROR_HANDSHAKE, and the connection must be abandoned
 */
gboolean
wa_cert_verify (GBytes        *cert_chain,
                const guint8   root_key[WA_KEY_LEN],
                const guint8   server_static[WA_KEY_LEN],
                gint64         now,
                GError       **error)
{
  g_autoptr(WaCert__CertChain) chain = NULL;
  g_autoptr(Details) intermediate = NULL;
  g_autoptr(Details) leaf = NULL;
  gsize len = 0;
  const guint8 *data;

  g_return_val_if_fail (cert_chain != NULL, FALSE);
  g_return_val_if_fail (root_key != NULL, FALSE);
  g_return_val_if_fail (server_static != NULL, FALSE);

  data = g_bytes_get_data (cert_chain, &len);
  chain = wa_cert__cert_chain__unpack (NULL, len, data);
  if (chain == NULL)
    return refuse (error, "the certificate chain does not parse");

  /* 1 */
  if (!is_complete (chain->intermediate))
    return refuse (error, "the intermediate certificate or its signature is missing");
  if (!is_complete (chain->leaf))
    return refuse (error, "the leaf certificate or its signature is missing");
  if (chain->intermediate->signature.len != WA_SIGNATURE_LEN)
    return refuse (error, "the intermediate certificate's signature is %" G_GSIZE_FORMAT " bytes, not 64",
                   chain->intermediate->signature.len);
  if (chain->leaf->signature.len != WA_SIGNATURE_LEN)
    return refuse (error, "the leaf certificate's signature is %" G_GSIZE_FORMAT " bytes, not 64",
                   chain->leaf->signature.len);

  /* 2 */
  if (!signed_by (chain->intermediate, root_key))
    return refuse (error, "the intermediate certificate is not signed by the trusted root key");

  /* 3 */
  intermediate = parse_details (chain->intermediate);
  if (intermediate == NULL)
    return refuse (error, "the intermediate certificate's details do not parse");
  if ((intermediate->has_issuer_serial ? intermediate->issuer_serial : 0) != ROOT_ISSUER_SERIAL)
    return refuse (error, "the intermediate certificate names issuer serial %u, but the root's is %u",
                   intermediate->issuer_serial, ROOT_ISSUER_SERIAL);
  if (!intermediate->has_key || intermediate->key.len != WA_KEY_LEN)
    return refuse (error, "the intermediate certificate's key is %" G_GSIZE_FORMAT " bytes, not 32",
                   intermediate->has_key ? intermediate->key.len : 0);

  /* 4 */
  if (!signed_by (chain->leaf, intermediate->key.data))
    return refuse (error, "the leaf certificate is not signed by the intermediate certificate's key");

  /* 5 */
  if (!check_window (intermediate, "intermediate", now, error))
    return FALSE;

  /* 6 */
  leaf = parse_details (chain->leaf);
  if (leaf == NULL)
    return refuse (error, "the leaf certificate's details do not parse");
  if ((leaf->has_issuer_serial ? leaf->issuer_serial : 0) !=
      (intermediate->has_serial ? intermediate->serial : 0))
    return refuse (error, "the leaf certificate names issuer serial %u, but the intermediate's serial is %u",
                   leaf->issuer_serial, intermediate->serial);

  /* 7: not secret, but compared like a key anyway. */
  if (!leaf->has_key || leaf->key.len != WA_KEY_LEN ||
      !wa_crypto_equal (leaf->key.data, server_static, WA_KEY_LEN))
    return refuse (error, "the leaf certificate is for another key than the server's static key");

  /* 8 */
  if (!check_window (leaf, "leaf", now, error))
    return FALSE;

  return TRUE;
}

/**
 * wa_cert_build_full:
 * @root_priv: the root's private key; signs the intermediate
 * @intermediate: the intermediate key pair; its public key goes in the
 *   intermediate certificate and its private key signs the leaf
 * @server_static: the key the leaf certifies
 * @intermediate_details: serials and validity of the intermediate
 * @leaf_details: serials and validity of the leaf
 *
 * Issues a chain the way WhatsApp's servers present theirs, with every
 * field chosen by the caller, so tests and the fake server can also issue
 * chains that must be refused (wrong serials, expired windows).
 *
 * Returns: (transfer full): the serialized CertChain
 */
GBytes *
wa_cert_build_full (const guint8         root_priv[WA_KEY_LEN],
                    const WaKeyPair     *intermediate,
                    const guint8         server_static[WA_KEY_LEN],
                    const WaCertDetails *intermediate_details,
                    const WaCertDetails *leaf_details)
{
  WaCert__CertChain chain = WA_CERT__CERT_CHAIN__INIT;
  Certificate leaf = WA_CERT__CERT_CHAIN__NOISE_CERTIFICATE__INIT;
  Certificate middle = WA_CERT__CERT_CHAIN__NOISE_CERTIFICATE__INIT;
  g_autoptr(GBytes) middle_bytes = NULL;
  g_autoptr(GBytes) leaf_bytes = NULL;
  guint8 middle_signature[WA_SIGNATURE_LEN];
  guint8 leaf_signature[WA_SIGNATURE_LEN];

  g_return_val_if_fail (root_priv != NULL, NULL);
  g_return_val_if_fail (intermediate != NULL, NULL);
  g_return_val_if_fail (server_static != NULL, NULL);
  g_return_val_if_fail (intermediate_details != NULL, NULL);
  g_return_val_if_fail (leaf_details != NULL, NULL);

  middle_bytes = pack_details (intermediate_details, intermediate->pub);
  leaf_bytes = pack_details (leaf_details, server_static);

  middle.has_details = TRUE;
  middle.details.data = (guint8 *) g_bytes_get_data (middle_bytes, &middle.details.len);
  wa_crypto_sign (root_priv, middle.details.data, middle.details.len, middle_signature);
  middle.has_signature = TRUE;
  middle.signature.data = middle_signature;
  middle.signature.len = WA_SIGNATURE_LEN;

  leaf.has_details = TRUE;
  leaf.details.data = (guint8 *) g_bytes_get_data (leaf_bytes, &leaf.details.len);
  wa_crypto_sign (intermediate->priv, leaf.details.data, leaf.details.len, leaf_signature);
  leaf.has_signature = TRUE;
  leaf.signature.data = leaf_signature;
  leaf.signature.len = WA_SIGNATURE_LEN;

  chain.leaf = &leaf;
  chain.intermediate = &middle;

  return wa_proto_pack (&chain.base);
}

/**
 * wa_cert_build:
 * @root_priv: the root's private key
 * @intermediate: the intermediate key pair
 * @server_static: the key the leaf certifies
 * @intermediate_serial: the intermediate's serial (issued by the root, 0)
 * @leaf_serial: the leaf's serial (issued by the intermediate)
 * @not_before: start of validity of both certificates, Unix seconds
 * @not_after: end of validity of both, Unix seconds
 *
 * Issues a valid chain, as the fake server needs (WA-PROTOCOL.md §12.2).
 *
 * Returns: (transfer full): the serialized CertChain
 */
GBytes *
wa_cert_build (const guint8     root_priv[WA_KEY_LEN],
               const WaKeyPair *intermediate,
               const guint8     server_static[WA_KEY_LEN],
               guint32          intermediate_serial,
               guint32          leaf_serial,
               guint64          not_before,
               guint64          not_after)
{
  WaCertDetails middle = { intermediate_serial, ROOT_ISSUER_SERIAL, not_before, not_after };
  WaCertDetails leaf = { leaf_serial, intermediate_serial, not_before, not_after };

  return wa_cert_build_full (root_priv, intermediate, server_static, &middle, &leaf);
}
