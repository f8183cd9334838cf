/* wa-curve25519.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *wa_curve25519_backend        (void);
const char *wa_curve25519_verify_backend (void);

/* libsignal-protocol-c's name, defined in wa-curve25519.c so that the
 * library's calls reach libsodium. */
int         curve25519_donna      (guint8       *mypublic,
                                   const guint8 *secret,
                                   const guint8 *basepoint);

/* Also the library's name: its Ed25519 check, on libsodium here. */
int         crypto_sign_open_modified (guint8             *m,
                                       const guint8       *sm,
                                       unsigned long long  smlen,
                                       const guint8       *pk);

G_END_DECLS
