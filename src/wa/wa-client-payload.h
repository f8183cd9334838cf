/* wa-client-payload.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-credentials.h"

G_BEGIN_DECLS

/**
 * WaClientInfo:
 * @app_version: the WhatsApp Web version announced, three numbers; the
 *   server refuses one that is too old with a 405 failure
 * @device_name: what the phone lists as the linked device
 * @language: ISO 639-1, such as "id"
 * @country: ISO 3166-1 alpha-2, such as "ID"
 *
 * How this client introduces itself in the Noise handshake's payload.
 */
typedef struct
{
  guint32     app_version[3];
  const char *device_name;
  const char *language;
  const char *country;
} WaClientInfo;

void      wa_client_info_init               (WaClientInfo         *info);
gboolean  wa_app_version_parse              (const char           *text,
                                             guint32               version[3],
                                             GError              **error);
GBytes   *wa_client_payload_registration    (const WaClientInfo   *info,
                                             const WaCredentials  *credentials,
                                             GError              **error);
GBytes   *wa_client_payload_login           (const WaClientInfo   *info,
                                             guint64               user,
                                             guint32               device);

G_END_DECLS
