/* fs-jwt.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * FsJwtError:
 * @FS_JWT_ERROR_MALFORMED: not three base64url parts of JSON, or not HS256
 * @FS_JWT_ERROR_SIGNATURE: the signature does not match the secret
 * @FS_JWT_ERROR_EXPIRED: `exp` lies in the past, beyond the allowed skew
 * @FS_JWT_ERROR_CLAIMS: `nbf` or `iat` lie in the future, or a claim has the wrong type
 *
 * The first two are what PostgREST reports as PGRST301, the last two as
 * PGRST303; GoTrue answers all four with 403 bad_jwt.
 */
typedef enum {
  FS_JWT_ERROR_MALFORMED,
  FS_JWT_ERROR_SIGNATURE,
  FS_JWT_ERROR_EXPIRED,
  FS_JWT_ERROR_CLAIMS,
} FsJwtError;

#define FS_JWT_ERROR (fs_jwt_error_quark ())

/* Clock skew PostgREST tolerates on exp, nbf and iat by default. */
#define FS_JWT_SKEW_SECONDS 30

GQuark      fs_jwt_error_quark (void);
char       *fs_jwt_sign        (const char  *secret,
                                JsonObject  *claims);
JsonObject *fs_jwt_verify      (const char  *secret,
                                const char  *token,
                                gint64       now,
                                guint        skew,
                                GError     **error);

G_END_DECLS
