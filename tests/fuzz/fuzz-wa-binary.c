/* fuzz-wa-binary.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for the WABinary decoder: the first code to touch bytes
 * the server (or anyone who can reach the socket after a handshake) sends.
 * Besides crashes and sanitizer reports it checks that whatever decodes is
 * a fixed point of the codec after one pass, so an encoder/decoder
 * disagreement is a finding too. */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "wa-binary.h"
#include "wa-error.h"

int LLVMFuzzerInitialize    (int           *argc,
                             char        ***argv);
int LLVMFuzzerTestOneInput  (const uint8_t *data,
                             size_t         size);

static void
check_stable (WaNode *node)
{
  g_autoptr(GBytes) bytes = wa_binary_encode (node);
  g_autoptr(GBytes) again = NULL;
  g_autoptr(WaNode) decoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rendering = NULL;

  if (bytes == NULL)
    abort ();
  decoded = wa_binary_decode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  if (decoded == NULL || !wa_node_equal (node, decoded))
    abort ();
  again = wa_binary_encode (decoded);
  if (again == NULL || !g_bytes_equal (bytes, again))
    abort ();

  /* The log renderer sees the same untrusted strings. */
  rendering = wa_node_to_debug_string (node, WA_NODE_DEBUG_DEFAULT | WA_NODE_DEBUG_INDENT);
  if (rendering == NULL || !g_utf8_validate (rendering, -1, NULL))
    abort ();
}

static void
check_result (WaNode *node,
              GError *error)
{
  if (node != NULL)
    {
      if (error != NULL)
        abort ();
      check_stable (node);
      return;
    }

  /* A failure is always one of the two documented errors. */
  if (error == NULL || error->domain != WA_ERROR ||
      (error->code != WA_ERROR_MALFORMED && error->code != WA_ERROR_TRUNCATED))
    abort ();
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* A g_critical() or g_warning() is a bug worth a crash report. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(WaNode) frame_node = NULL;
  g_autoptr(WaNode) node = NULL;
  g_autoptr(GError) frame_error = NULL;
  g_autoptr(GError) error = NULL;

  /* The input as a frame (flag byte, maybe zlib), then as a bare node. */
  frame_node = wa_binary_unpack_frame (data, size, &frame_error);
  check_result (frame_node, frame_error);

  node = wa_binary_decode (data, size, &error);
  check_result (node, error);

  return 0;
}
