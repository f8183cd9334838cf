/* xi-sync-error.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define XI_SYNC_ERROR (xi_sync_error_quark ())

/**
 * XiSyncError:
 * @XI_SYNC_ERROR_FAILED: anything not listed below
 * @XI_SYNC_ERROR_INVALID_ARGUMENT: a project URL, key, address or password
 *   the client cannot use (the message says what to fix)
 * @XI_SYNC_ERROR_NETWORK: no answer: the connection failed or was lost
 *   before a reply; try again later with the same request
 * @XI_SYNC_ERROR_UNAVAILABLE: the server answered 5xx; try again later
 * @XI_SYNC_ERROR_RATE_LIMITED: the server answered 429; wait at least
 *   xi_sync_error_get_retry_after() seconds
 * @XI_SYNC_ERROR_NOT_SIGNED_IN: the request needs an account and none is
 *   signed in
 * @XI_SYNC_ERROR_SIGNED_OUT: the server ended the session (its refresh
 *   token is gone, used or expired); the user has to sign in again
 * @XI_SYNC_ERROR_UNAUTHORIZED: the server still refused the access token
 *   after one refresh
 * @XI_SYNC_ERROR_INVALID_CREDENTIALS: wrong email address or password
 * @XI_SYNC_ERROR_EMAIL_NOT_CONFIRMED: the address has not been confirmed yet
 * @XI_SYNC_ERROR_USER_EXISTS: signing up with an address that has an account
 * @XI_SYNC_ERROR_WEAK_PASSWORD: the server wants a stronger password
 * @XI_SYNC_ERROR_REFUSED: the server refused the request for good (4xx):
 *   retrying the same request cannot help
 * @XI_SYNC_ERROR_CONFLICT: 409: a unique key or reference conflict
 * @XI_SYNC_ERROR_BAD_REPLY: the server's answer could not be understood
 * @XI_SYNC_ERROR_BUSY: another program is syncing the same data folder;
 *   try again later
 * @XI_SYNC_ERROR_SERVER_RESTORED: the server refused a write because it
 *   holds a lower mark for this device than the device saw (`XI060`): it
 *   was put back to an earlier copy, and what it lost must be sent again
 * @XI_SYNC_ERROR_TOO_LARGE: the server's answer holds more values or
 *   bytes than the client reads at once; a smaller page may be read
 * @XI_SYNC_ERROR_KEYRING_LOCKED: the keyring holding the session did not
 *   answer in time (it waits to be unlocked); try again later
 *
 * Errors of the Supabase client and the sync engine. Errors from the
 * server carry its HTTP status, its error code and, for 429 and 503, how
 * long it asked to wait: see xi_sync_error_get_status().
 */
typedef enum {
  XI_SYNC_ERROR_FAILED,
  XI_SYNC_ERROR_INVALID_ARGUMENT,
  XI_SYNC_ERROR_NETWORK,
  XI_SYNC_ERROR_UNAVAILABLE,
  XI_SYNC_ERROR_RATE_LIMITED,
  XI_SYNC_ERROR_NOT_SIGNED_IN,
  XI_SYNC_ERROR_SIGNED_OUT,
  XI_SYNC_ERROR_UNAUTHORIZED,
  XI_SYNC_ERROR_INVALID_CREDENTIALS,
  XI_SYNC_ERROR_EMAIL_NOT_CONFIRMED,
  XI_SYNC_ERROR_USER_EXISTS,
  XI_SYNC_ERROR_WEAK_PASSWORD,
  XI_SYNC_ERROR_REFUSED,
  XI_SYNC_ERROR_CONFLICT,
  XI_SYNC_ERROR_BAD_REPLY,
  XI_SYNC_ERROR_BUSY,
  XI_SYNC_ERROR_SERVER_RESTORED,
  XI_SYNC_ERROR_TOO_LARGE,
  XI_SYNC_ERROR_KEYRING_LOCKED,
} XiSyncError;

GQuark      xi_sync_error_quark           (void);

void        xi_sync_error_set_server      (GError     *error,
                                           guint       status,
                                           const char *server_code,
                                           guint       retry_after);
guint       xi_sync_error_get_status      (const GError *error);
const char *xi_sync_error_get_server_code (const GError *error);
guint       xi_sync_error_get_retry_after (const GError *error);
gboolean    xi_sync_error_is_transient    (const GError *error);

G_END_DECLS
