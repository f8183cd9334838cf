/* fuzz-wa-websocket.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for the WebSocket frame reader: the server's bytes
 * before anything else looks at them.
 *
 * The first input byte chooses the run: bits 0-5 are one less than the
 * chunk size the stream is fed in, bits 6-7 the message limit (16, 200,
 * 70,000 or 1 MiB bytes). The rest is the stream.
 *
 * Besides sanitizer reports, a finding is: the chunked and the one-shot
 * readers disagreeing, an error outside the documented domain and codes
 * or without a close code, a message over the limit, or a control
 * payload over 125 bytes. */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wa-error.h"
#include "wa-websocket-frame.h"

int LLVMFuzzerInitialize    (int           *argc,
                             char        ***argv);
int LLVMFuzzerTestOneInput  (const uint8_t *data,
                             size_t         size);

static const gsize limits[] = { 16, 200, 70000, 1 << 20 };

typedef struct
{
  GByteArray *log;         /* opcode, length and payload of everything handed out */
  guint16     close_code;  /* 0 unless the reader refused the stream */
  gboolean    finished;
} Outcome;

static void
log_item (GByteArray        *log,
          WaWebsocketOpcode  opcode,
          GBytes            *payload)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (payload, &len);
  guint8 head[9] = { opcode };

  for (guint i = 0; i < 8; i++)
    head[1 + i] = (guint8) ((guint64) len >> (8 * i));
  g_byte_array_append (log, head, sizeof head);
  g_byte_array_append (log, data, (guint) len);
}

/* Feeds @data @chunk bytes at a time through the reader's own buffer. */
static Outcome
read_stream (const guint8 *data,
             gsize         len,
             gsize         chunk,
             gsize         limit)
{
  g_autoptr(WaWebsocketReader) reader = wa_websocket_reader_new (limit);
  Outcome outcome = { g_byte_array_new (), 0, FALSE };

  for (gsize offset = 0; offset < len;)
    {
      gsize space = 0;
      guint8 *buffer = wa_websocket_reader_get_space (reader, &space);
      gsize take = MIN (MIN (chunk, space), len - offset);
      GBytes *payload = NULL;
      GError *error = NULL;
      WaWebsocketOpcode opcode;

      if (space == 0)
        abort ();
      memcpy (buffer, data + offset, take);
      wa_websocket_reader_commit (reader, take);
      offset += take;

      while (wa_websocket_reader_next (reader, &opcode, &payload, &error))
        {
          gsize payload_len = g_bytes_get_size (payload);

          if (opcode == WA_WEBSOCKET_OPCODE_BINARY ? payload_len > limit
                                                   : payload_len > WA_WEBSOCKET_CONTROL_MAX)
            abort ();
          log_item (outcome.log, opcode, payload);
          g_bytes_unref (payload);
        }
      if (error != NULL)
        {
          if (!g_error_matches (error, WA_ERROR, WA_ERROR_MALFORMED) ||
              wa_websocket_reader_get_close_code (reader) == 0)
            abort ();
          outcome.close_code = wa_websocket_reader_get_close_code (reader);
          g_error_free (error);
          return outcome;
        }
    }

  {
    GError *error = NULL;

    outcome.finished = wa_websocket_reader_finish (reader, &error);
    if (outcome.finished != (error == NULL) ||
        (error != NULL && !g_error_matches (error, WA_ERROR, WA_ERROR_TRUNCATED)))
      abort ();
    g_clear_error (&error);
  }
  return outcome;
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
  Outcome whole, chunked;
  gsize limit;
  guint8 mode;

  if (size < 1)
    return 0;
  mode = data[0];
  data++;
  size--;
  limit = limits[mode >> 6];

  /* How the stream was cut must not matter. */
  whole = read_stream (data, size, MAX (size, 1), limit);
  chunked = read_stream (data, size, (mode & 0x3f) + 1, limit);
  if (whole.close_code != chunked.close_code || whole.finished != chunked.finished ||
      whole.log->len != chunked.log->len ||
      (whole.log->len > 0 && memcmp (whole.log->data, chunked.log->data, whole.log->len) != 0))
    abort ();

  g_byte_array_unref (whole.log);
  g_byte_array_unref (chunked.log);
  return 0;
}
