/* fuzz-wa-history.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for what our phone's history reaches once decrypted:
 * a history sync chunk (inflated, then read record by record into the
 * key store) and the LID migration payload.
 *
 * The first input byte chooses the run: 0 mod 3, the rest is an inflated
 * chunk (HistorySync); 1, a chunk as the phone sends it, zlib first; 2,
 * a LIDMigrationMappingSyncPayload.
 *
 * A finding is a sanitizer report (libFuzzer's -malloc_limit_mb catches
 * an allocation out of proportion) or an error outside WA_ERROR. Which
 * mappings the key store keeps is checked where they are made, with the
 * test this would repeat; and the history notification that carries a
 * chunk (protocol_message_cb in wa-history-sync.c) is not reached. */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "wa-error.h"
#include "wa-history-sync.h"
#include "wa-key-store.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

enum {
  MODE_CHUNK,
  MODE_COMPRESSED_CHUNK,
  MODE_LID_MIGRATION,
  N_MODES
};

static void
fail (const char *what)
{
  fprintf (stderr, "history property broken: %s\n", what);
  abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(WaKeyStore) store = NULL;
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GBytes) history = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (size == 0)
    return 0;
  store = wa_memory_key_store_new ();
  input = g_bytes_new (data + 1, size - 1);
  switch (data[0] % N_MODES)
    {
    case MODE_LID_MIGRATION:
      ok = wa_history_sync_store_lid_migration (store, input, NULL, &error);
      break;
    case MODE_COMPRESSED_CHUNK:
      history = wa_history_sync_inflate (input, &error);
      ok = history != NULL && wa_history_sync_store (store, history, NULL, &error);
      break;
    default:
      ok = wa_history_sync_store (store, input, NULL, &error);
    }
  if (!ok && (error == NULL || error->domain != WA_ERROR))
    fail ("an error outside WA_ERROR");
  return 0;
}
