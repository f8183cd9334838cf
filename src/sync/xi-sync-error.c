/* xi-sync-error.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-sync-error.h"

/* What the server said besides the message, so callers decide on codes
 * rather than on translated text. */
typedef struct
{
  guint  status;
  char  *server_code;
  guint  retry_after;
} XiSyncErrorPrivate;

static void
xi_sync_error_private_init (XiSyncErrorPrivate *priv)
{
}

static void
xi_sync_error_private_copy (const XiSyncErrorPrivate *src,
                            XiSyncErrorPrivate       *dest)
{
  dest->status = src->status;
  dest->server_code = g_strdup (src->server_code);
  dest->retry_after = src->retry_after;
}

static void
xi_sync_error_private_clear (XiSyncErrorPrivate *priv)
{
  g_clear_pointer (&priv->server_code, g_free);
}

G_DEFINE_EXTENDED_ERROR (XiSyncError, xi_sync_error)

/**
 * xi_sync_error_set_server:
 * @error: an error of the %XI_SYNC_ERROR domain
 * @status: the HTTP status, or 0 when there was no reply
 * @server_code: (nullable): the server's error code (`23505`, `PGRST301`,
 *   `invalid_credentials`)
 * @retry_after: seconds the server asked to wait, 0 if it did not say
 *
 * Records what the server answered on @error.
 */
void
xi_sync_error_set_server (GError     *error,
                          guint       status,
                          const char *server_code,
                          guint       retry_after)
{
  XiSyncErrorPrivate *priv;

  g_return_if_fail (error != NULL);

  priv = xi_sync_error_get_private (error);
  g_return_if_fail (priv != NULL);

  priv->status = status;
  g_free (priv->server_code);
  priv->server_code = g_strdup (server_code);
  priv->retry_after = retry_after;
}

/**
 * xi_sync_error_get_status:
 * @error: an error
 *
 * Returns: the HTTP status of the reply behind @error, or 0 when @error is
 *   not a %XI_SYNC_ERROR or there was no reply
 */
guint
xi_sync_error_get_status (const GError *error)
{
  XiSyncErrorPrivate *priv = xi_sync_error_get_private (error);

  return priv != NULL ? priv->status : 0;
}

/**
 * xi_sync_error_get_server_code:
 * @error: an error
 *
 * Returns: (nullable): the server's error code, if it sent one
 */
const char *
xi_sync_error_get_server_code (const GError *error)
{
  XiSyncErrorPrivate *priv = xi_sync_error_get_private (error);

  return priv != NULL ? priv->server_code : NULL;
}

/**
 * xi_sync_error_get_retry_after:
 * @error: an error
 *
 * Returns: the seconds the server asked to wait before trying again
 *   (`Retry-After`), 0 if it did not say
 */
guint
xi_sync_error_get_retry_after (const GError *error)
{
  XiSyncErrorPrivate *priv = xi_sync_error_get_private (error);

  return priv != NULL ? priv->retry_after : 0;
}

/**
 * xi_sync_error_is_transient:
 * @error: an error
 *
 * Whether the same request may succeed later: no reply, 5xx, 429,
 * another program syncing the same data folder, or a server put back to
 * an earlier copy (once this device has read it again). Sync
 * keeps such work queued and backs off; anything else is final for the
 * request that failed.
 *
 * Returns: %TRUE for errors worth retrying
 */
gboolean
xi_sync_error_is_transient (const GError *error)
{
  return g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_NETWORK) ||
         g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_UNAVAILABLE) ||
         g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_RATE_LIMITED) ||
         g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_BUSY) ||
         g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_SERVER_RESTORED);
}
