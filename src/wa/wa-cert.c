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

/*
 * The certificate chain a server proves itself with during the Noise
 * handshake: WhatsApp's long-term root signs an intermediate, which signs
 * a leaf naming the server's static key. Every check the reference
 * clients make is made here, and the ones Baileys skips too (the leaf key
 * is the key the server used, the validity windows).
 */

/* "WhatsAppLongTerm1", the root of every genuine chain. */
static const guint8 whatsapp_root[32] = {
  0x14, 0x23, 0x75, 0x57, 0x4d, 0x0a, 0x58, 0x71, 0x66, 0xaa, 0xe7, 0x1e, 0xbe, 0x51, 0x64, 0x37,
  0xc4, 0xa2, 0x8b, 0x73, 0xe3, 0x69, 0x5c, 0x6c, 0xe1, 0xf7, 0xf9, 0x54, 0x5d, 0xa8, 0xee, 0x6b,
};

const guint8 *
wa_cert_default_root_key (void)
{
  return whatsapp_root;
}

typedef WaCert__CertChain__NoiseCertificate Certificate;
typedef WaCert__CertChain__NoiseCertificate__Details Details;

static gboolean
fail (GError     **error,
      const char  *reason)
{
  g_set_error (error, WA_ERROR, WA_ERROR_HANDSHAKE, "Server certificate refused: %s", reason);
  return FALSE;
}

static gboolean
signature_ok (Certificate  *cert,
              const guint8  key[32])
{
  return cert->has_details && cert->has_signature && cert->signature.len == 64 &&
         wa_crypto_verify (key, cert->details.data, cert->details.len, cert->signature.data);
}

static Details *
parse_details (Certificate *cert)
{
  /* protobuf-c has no typed unpack for nested messages. */
  return (Details *)protobuf_c_message_unpack (&wa_cert__cert_chain__noise_certificate__details__descriptor,
                                               NULL, cert->details.len, cert->details.data);
}

static gboolean
in_window (Details *details,
           gint64   now)
{
  return details->has_not_before && details->has_not_after &&
         (guint64)now >= details->not_before && (guint64)now <= details->not_after;
}

/**
 * wa_cert_verify:
 * @chain: the serialized CertChain from the server hello
 * @root_key: the key the intermediate must be signed with
 * @server_static: the static key the server used in the handshake
 * @now: the current time, in Unix seconds
 * @error: return location for a #GError
 *
 * Returns: whether the chain proves that the server holds @server_static
 *   on behalf of @root_key's owner
 */
gboolean
wa_cert_verify (GBytes        *chain,
                const guint8   root_key[32],
                const guint8   server_static[32],
                gint64         now,
                GError       **error)
{
  WaCert__CertChain *parsed;
  Details *intermediate = NULL;
  Details *leaf = NULL;
  gboolean ok = FALSE;

  parsed = wa_cert__cert_chain__unpack (NULL, g_bytes_get_size (chain), g_bytes_get_data (chain, NULL));
  if (parsed == NULL)
    return fail (error, "the chain does not parse");

  if (parsed->leaf == NULL || parsed->intermediate == NULL ||
      !parsed->leaf->has_details || !parsed->leaf->has_signature ||
      !parsed->intermediate->has_details || !parsed->intermediate->has_signature ||
      parsed->leaf->signature.len != 64 || parsed->intermediate->signature.len != 64)
    fail (error, "a certificate or signature is missing");
  else if (!signature_ok (parsed->intermediate, root_key))
    fail (error, "the intermediate is not signed by the root");
  else if ((intermediate = parse_details (parsed->intermediate)) == NULL)
    fail (error, "the intermediate's details do not parse");
  else if (!intermediate->has_issuer_serial || intermediate->issuer_serial != 0 ||
           !intermediate->has_key || intermediate->key.len != 32)
    fail (error, "the intermediate is not issued by the root");
  else if (!signature_ok (parsed->leaf, intermediate->key.data))
    fail (error, "the leaf is not signed by the intermediate");
  else if (!in_window (intermediate, now))
    fail (error, "the intermediate is expired or not yet valid");
  else if ((leaf = parse_details (parsed->leaf)) == NULL)
    fail (error, "the leaf's details do not parse");
  else if (!leaf->has_issuer_serial || !intermediate->has_serial ||
           leaf->issuer_serial != intermediate->serial)
    fail (error, "the leaf names another issuer");
  else if (!leaf->has_key || leaf->key.len != 32 || memcmp (leaf->key.data, server_static, 32) != 0)
    fail (error, "the leaf is for another key than the server used");
  else if (!in_window (leaf, now))
    fail (error, "the leaf is expired or not yet valid");
  else
    ok = TRUE;

  if (leaf != NULL)
    protobuf_c_message_free_unpacked (&leaf->base, NULL);
  if (intermediate != NULL)
    protobuf_c_message_free_unpacked (&intermediate->base, NULL);
  wa_cert__cert_chain__free_unpacked (parsed, NULL);
  return ok;
}

static GBytes *
pack (const ProtobufCMessage *message)
{
  gsize len = protobuf_c_message_get_packed_size (message);
  guint8 *data = g_malloc (len + 1);

  protobuf_c_message_pack (message, data);
  return g_bytes_new_take (data, len);
}

static GBytes *
details_bytes (guint32       serial,
               guint32       issuer_serial,
               const guint8  key[32],
               gint64        not_before,
               gint64        not_after)
{
  Details details = WA_CERT__CERT_CHAIN__NOISE_CERTIFICATE__DETAILS__INIT;

  details.has_serial = TRUE;
  details.serial = serial;
  details.has_issuer_serial = TRUE;
  details.issuer_serial = issuer_serial;
  details.has_key = TRUE;
  details.key.data = (guint8 *)key;
  details.key.len = 32;
  details.has_not_before = TRUE;
  details.not_before = not_before;
  details.has_not_after = TRUE;
  details.not_after = not_after;
  return pack (&details.base);
}

/**
 * wa_cert_build:
 *
 * Issues a chain the way WhatsApp's servers present theirs, for the fake
 * server and the tests: @root signs an intermediate holding
 * @intermediate's key, which signs a leaf for @server_static.
 *
 * Returns: (transfer full): the serialized CertChain
 */
GBytes *
wa_cert_build (const WaKeyPair *root,
               const WaKeyPair *intermediate,
               const guint8     server_static[32],
               guint32          intermediate_serial,
               guint32          leaf_serial,
               gint64           not_before,
               gint64           not_after)
{
  WaCert__CertChain chain = WA_CERT__CERT_CHAIN__INIT;
  Certificate leaf = WA_CERT__CERT_CHAIN__NOISE_CERTIFICATE__INIT;
  Certificate middle = WA_CERT__CERT_CHAIN__NOISE_CERTIFICATE__INIT;
  g_autoptr(GBytes) middle_details = details_bytes (intermediate_serial, 0, intermediate->pub,
                                                    not_before, not_after);
  g_autoptr(GBytes) leaf_details = details_bytes (leaf_serial, intermediate_serial, server_static,
                                                  not_before, not_after);
  guint8 middle_signature[64];
  guint8 leaf_signature[64];

  wa_crypto_sign (root->priv, g_bytes_get_data (middle_details, NULL),
                  g_bytes_get_size (middle_details), middle_signature);
  wa_crypto_sign (intermediate->priv, g_bytes_get_data (leaf_details, NULL),
                  g_bytes_get_size (leaf_details), leaf_signature);

  middle.has_details = TRUE;
  middle.details.data = (guint8 *)g_bytes_get_data (middle_details, &middle.details.len);
  middle.has_signature = TRUE;
  middle.signature.data = middle_signature;
  middle.signature.len = 64;
  leaf.has_details = TRUE;
  leaf.details.data = (guint8 *)g_bytes_get_data (leaf_details, &leaf.details.len);
  leaf.has_signature = TRUE;
  leaf.signature.data = leaf_signature;
  leaf.signature.len = 64;
  chain.leaf = &leaf;
  chain.intermediate = &middle;

  return pack (&chain.base);
}
