/* fs-jwt.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "fs-jwt.h"

/*
 * HS256 JSON Web Tokens, the only kind Supabase's legacy keys and GoTrue's
 * default configuration use. Verification is strict about the header: a
 * token that names any other algorithm ("none" in particular) is refused
 * before its signature is looked at.
 */

G_DEFINE_QUARK (fs-jwt-error-quark, fs_jwt_error)

/* Auxiliary methods */

static char *
base64url_encode (const guint8 *data,
                  gsize         len)
{
  g_autofree char *plain = g_base64_encode (data, len);
  GString *out = g_string_sized_new (strlen (plain));

  for (const char *p = plain; *p != '\0'; p++)
    {
      if (*p == '+')
        g_string_append_c (out, '-');
      else if (*p == '/')
        g_string_append_c (out, '_');
      else if (*p != '=')
        g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

static GBytes *
base64url_decode (const char *text,
                  gsize       len)
{
  g_autoptr(GString) standard = g_string_sized_new (len + 3);
  gsize out_len = 0;
  guchar *out;

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (c == '-')
        c = '+';
      else if (c == '_')
        c = '/';
      else if (!g_ascii_isalnum (c))
        return NULL;
      g_string_append_c (standard, c);
    }
  if (standard->len % 4 == 1)
    return NULL;
  while (standard->len % 4 != 0)
    g_string_append_c (standard, '=');

  out = g_base64_decode (standard->str, &out_len);
  return g_bytes_new_take (out, out_len);
}

static void
hmac_sha256 (const char   *secret,
             const char   *data,
             gsize         len,
             guint8        mac[EVP_MAX_MD_SIZE],
             unsigned int *mac_len)
{
  HMAC (EVP_sha256 (), secret, (int) strlen (secret),
        (const guchar *) data, len, mac, mac_len);
}

static JsonNode *
parse_json_part (const char *text,
                 gsize       len)
{
  g_autoptr(GBytes) bytes = base64url_decode (text, len);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (bytes == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                   (gssize) g_bytes_get_size (bytes), NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_node_copy (root);
}

/* A time claim is optional, but when present it must be a number. */
static gboolean
read_time_claim (JsonObject *claims,
                 const char *name,
                 gboolean   *present,
                 gint64     *value)
{
  JsonNode *node = json_object_get_member (claims, name);

  *present = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      *value = json_node_get_int (node);
      break;
    case G_TYPE_DOUBLE:
      *value = (gint64) json_node_get_double (node);
      break;
    default:
      return FALSE;
    }
  *present = TRUE;
  return TRUE;
}

/* Public API */

/**
 * fs_jwt_sign:
 * @secret: the HMAC secret
 * @claims: the payload
 *
 * Returns: (transfer full): a compact HS256 token
 */
char *
fs_jwt_sign (const char *secret,
             JsonObject *claims)
{
  static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), claims);
  g_autofree char *payload = json_to_string (node, FALSE);
  g_autofree char *head64 = base64url_encode ((const guint8 *) header, strlen (header));
  g_autofree char *body64 = base64url_encode ((const guint8 *) payload, strlen (payload));
  g_autofree char *signing_input = g_strconcat (head64, ".", body64, NULL);
  g_autofree char *sig64 = NULL;
  guint8 mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;

  hmac_sha256 (secret, signing_input, strlen (signing_input), mac, &mac_len);
  sig64 = base64url_encode (mac, mac_len);

  return g_strconcat (signing_input, ".", sig64, NULL);
}

/**
 * fs_jwt_verify:
 * @secret: the HMAC secret
 * @token: a compact token
 * @now: the current time in Unix seconds
 * @skew: how many seconds the times may be off
 * @error: the reason, in %FS_JWT_ERROR
 *
 * Returns: (transfer full) (nullable): the claims of a valid token
 */
JsonObject *
fs_jwt_verify (const char  *secret,
               const char  *token,
               gint64       now,
               guint        skew,
               GError     **error)
{
  const char *dot1 = strchr (token, '.');
  const char *dot2 = dot1 != NULL ? strchr (dot1 + 1, '.') : NULL;
  g_autoptr(JsonNode) header = NULL;
  g_autoptr(JsonNode) payload = NULL;
  g_autoptr(GBytes) signature = NULL;
  JsonObject *claims;
  guint8 mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  gboolean present;
  gint64 value;

  if (dot1 == NULL || dot2 == NULL || strchr (dot2 + 1, '.') != NULL)
    {
      g_set_error (error, FS_JWT_ERROR, FS_JWT_ERROR_MALFORMED,
                   "Expected 3 parts in JWT; got %u",
                   dot1 == NULL ? 1 : dot2 == NULL ? 2 : 4);
      return NULL;
    }

  header = parse_json_part (token, (gsize) (dot1 - token));
  if (header == NULL ||
      g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (header),
                                                              "alg", ""), "HS256") != 0)
    {
      g_set_error_literal (error, FS_JWT_ERROR, FS_JWT_ERROR_MALFORMED,
                           "Wrong or unsupported encoding algorithm");
      return NULL;
    }

  signature = base64url_decode (dot2 + 1, strlen (dot2 + 1));
  hmac_sha256 (secret, token, (gsize) (dot2 - token), mac, &mac_len);
  if (signature == NULL || g_bytes_get_size (signature) != mac_len ||
      CRYPTO_memcmp (g_bytes_get_data (signature, NULL), mac, mac_len) != 0)
    {
      g_set_error_literal (error, FS_JWT_ERROR, FS_JWT_ERROR_SIGNATURE,
                           "JWT cryptographic operation failed");
      return NULL;
    }

  payload = parse_json_part (dot1 + 1, (gsize) (dot2 - dot1 - 1));
  if (payload == NULL)
    {
      g_set_error_literal (error, FS_JWT_ERROR, FS_JWT_ERROR_MALFORMED,
                           "The JWT payload is not a JSON object");
      return NULL;
    }
  claims = json_node_get_object (payload);

  if (!read_time_claim (claims, "exp", &present, &value))
    goto bad_claim;
  if (present && now > value + (gint64) skew)
    {
      g_set_error_literal (error, FS_JWT_ERROR, FS_JWT_ERROR_EXPIRED, "JWT expired");
      return NULL;
    }
  if (!read_time_claim (claims, "nbf", &present, &value))
    goto bad_claim;
  if (present && now + (gint64) skew < value)
    {
      g_set_error_literal (error, FS_JWT_ERROR, FS_JWT_ERROR_CLAIMS, "JWT not yet valid");
      return NULL;
    }
  if (!read_time_claim (claims, "iat", &present, &value))
    goto bad_claim;
  if (present && now + (gint64) skew < value)
    {
      g_set_error_literal (error, FS_JWT_ERROR, FS_JWT_ERROR_CLAIMS, "JWT issued at future");
      return NULL;
    }
  if (json_object_has_member (claims, "role") &&
      (!JSON_NODE_HOLDS_VALUE (json_object_get_member (claims, "role")) ||
       json_node_get_value_type (json_object_get_member (claims, "role")) != G_TYPE_STRING))
    goto bad_claim;

  return json_object_ref (claims);

bad_claim:
  g_set_error_literal (error, FS_JWT_ERROR, FS_JWT_ERROR_CLAIMS,
                       "The JWT 'exp', 'nbf', 'iat' or 'role' claim has the wrong type");
  return NULL;
}
