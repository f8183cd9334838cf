/* xi-wa-endpoint.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-wa-endpoint"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "wa-cert.h"
#include "wa-connection.h"
#include "xi-wa-endpoint.h"

/**
 * xi_wa_endpoint_read:
 * @url: (out) (transfer full): the server to connect to
 * @root_key: (out caller-allocates): the key its certificates must lead to
 * @error: return location for a #GError
 *
 * Tells where WhatsApp is: the real server, unless a test replaced it
 * through XI_WA_URL and XI_WA_ROOT_KEY (hex). Those two variables are the
 * only way to change it, for the command line and the application alike;
 * no setting and no dialog offers it, so nobody can be talked into
 * linking their account through somebody else's server.
 *
 * Returns: %FALSE with @error set when XI_WA_ROOT_KEY is malformed
 */
gboolean
xi_wa_endpoint_read (char   **url,
                     guint8   root_key[WA_KEY_LEN],
                     GError **error)
{
  const char *root_hex = g_getenv ("XI_WA_ROOT_KEY");
  const char *url_env = g_getenv ("XI_WA_URL");
  guint8 parsed[WA_KEY_LEN];

  g_return_val_if_fail (url != NULL && root_key != NULL, FALSE);

  memcpy (parsed, wa_cert_default_root_key (), WA_KEY_LEN);
  for (guint i = 0; root_hex != NULL && i < WA_KEY_LEN; i++)
    {
      int high = strlen (root_hex) == WA_KEY_LEN * 2 ? g_ascii_xdigit_value (root_hex[2 * i]) : -1;
      int low = high >= 0 ? g_ascii_xdigit_value (root_hex[2 * i + 1]) : -1;

      if (low < 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("XI_WA_ROOT_KEY must be %u hexadecimal digits."), WA_KEY_LEN * 2);
          return FALSE;
        }
      parsed[i] = high << 4 | low;
    }

  *url = g_strdup (url_env != NULL ? url_env : WA_CONNECTION_DEFAULT_URL);
  memcpy (root_key, parsed, WA_KEY_LEN);
  return TRUE;
}

/**
 * xi_wa_endpoint_read_media_ca:
 * @database: (out) (transfer full) (nullable): the certificates the media
 *   host may present, or %NULL for the system's
 * @error: return location for a #GError
 *
 * A test server's media host presents a certificate from a CA the tests
 * made: XI_WA_MEDIA_CA names that CA's PEM file, which the client then
 * trusts alone for media (wa_media_set_tls_database()). Like XI_WA_URL,
 * the variable is the only way to set it.
 *
 * Returns: %FALSE when XI_WA_MEDIA_CA names a file that holds no
 *   certificate
 */
gboolean
xi_wa_endpoint_read_media_ca (GTlsDatabase **database,
                              GError       **error)
{
  const char *path = g_getenv ("XI_WA_MEDIA_CA");
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (database != NULL, FALSE);

  *database = NULL;
  if (path == NULL || path[0] == '\0')
    return TRUE;
  *database = g_tls_file_database_new (path, &local_error);
  if (*database == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("XI_WA_MEDIA_CA must name a PEM file of certificates: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}
