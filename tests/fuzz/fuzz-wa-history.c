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
 * an allocation out of proportion), an error outside WA_ERROR, or a
 * mapping the key store keeps that is not a number and a LID of digits. */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wa-error.h"
#include "wa-history-sync.h"
#include "wa-key-store.h"
#include "wa-lid-map.h"

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

static gboolean
is_digits (const char *text,
           gsize       len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

/* Every key and value of @kind is a user part of digits. */
static void
check_mappings (WaKeyStore *store,
                const char *kind)
{
  g_autoptr(GPtrArray) keys = wa_key_store_list (store, kind);

  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);
      g_autoptr(GBytes) value = wa_key_store_load (store, kind, key);

      if (!is_digits (key, strlen (key)) || value == NULL ||
          !is_digits (g_bytes_get_data (value, NULL), g_bytes_get_size (value)))
        fail ("a mapping that is not of digits");
    }
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
  check_mappings (store, WA_LID_MAP_KIND_PN_LID);
  check_mappings (store, WA_LID_MAP_KIND_LID_PN);
  return 0;
}
