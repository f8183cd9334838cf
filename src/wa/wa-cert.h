/* wa-cert.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-crypto.h"

G_BEGIN_DECLS

/**
 * WaCertDetails:
 * @serial: this certificate's serial
 * @issuer_serial: the serial of its issuer; 0 means the root
 * @not_before: start of validity, Unix seconds
 * @not_after: end of validity, Unix seconds (inclusive)
 *
 * The fields of one certificate that wa_cert_build_full() lets a test or
 * the fake server choose, including wrong ones.
 */
typedef struct
{
  guint32 serial;
  guint32 issuer_serial;
  guint64 not_before;
  guint64 not_after;
} WaCertDetails;

const guint8 *wa_cert_default_root_key  (void);
gboolean      wa_cert_verify            (GBytes               *cert_chain,
                                         const guint8          root_key[WA_KEY_LEN],
                                         const guint8          server_static[WA_KEY_LEN],
                                         gint64                now,
                                         GError              **error);
GBytes       *wa_cert_build             (const guint8          root_priv[WA_KEY_LEN],
                                         const WaKeyPair      *intermediate,
                                         const guint8          server_static[WA_KEY_LEN],
                                         guint32               intermediate_serial,
                                         guint32               leaf_serial,
                                         guint64               not_before,
                                         guint64               not_after) G_GNUC_WARN_UNUSED_RESULT;
GBytes       *wa_cert_build_full        (const guint8          root_priv[WA_KEY_LEN],
                                         const WaKeyPair      *intermediate,
                                         const guint8          server_static[WA_KEY_LEN],
                                         const WaCertDetails  *intermediate_details,
                                         const WaCertDetails  *leaf_details) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
