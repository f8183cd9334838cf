/* xi-log.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "xi-log.h"

/**
 * xi_log_anonymize_phone:
 * @e164: (nullable): phone digits
 *
 * Masks a phone number for log lines: "6281234567890" becomes
 * "628********90". Logs end up in bug reports, and a customer list is
 * personal data that a shop owner must not leak by attaching one.
 *
 * Returns: (transfer full): the masked number
 */
char *
xi_log_anonymize_phone (const char *e164)
{
  gsize len;
  char *out;

  if (e164 == NULL)
    return g_strdup ("(none)");

  len = strlen (e164);
  if (len <= 5)
    return g_strnfill (len, '*');

  out = g_strdup (e164);
  memset (out + 3, '*', len - 5);
  return out;
}
