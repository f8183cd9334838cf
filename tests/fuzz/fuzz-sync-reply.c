/* fuzz-sync-reply.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for two things the sync server's replies reach: the
 * bounded JSON reader every reply goes through, and a page of pulled rows
 * applied to the local store. None of the sync client's handling of a
 * reply (its status, its fields, the pages it asks for next) is reached.
 *
 * The first input byte chooses the run: below 0x80, the rest goes to
 * xi_json_parse_bounded() with a bound of 64 values and nothing more;
 * from 0x80, the rest is a page of rows
 * for the pulled table the byte names (modulo their number), applied to
 * a store opened once in a temporary folder, as the sync engine applies
 * what it pulls.
 *
 * Besides sanitizer reports, a finding is JSON that xi_json_parse_bounded()
 * accepts although it nests deeper than XI_JSON_MAX_DEPTH or holds more
 * values than its bound allows (counting, as it does, containers and
 * commas), or a page whose error is neither the store's nor the JSON
 * reader's. */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib/gstdio.h>
#include <openssl/crypto.h>

#include "xi-json.h"
#include "xi-store.h"
#include "xi-store-sync.h"

int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

#define MODE_PAGE  0x80
#define MAX_VALUES 64

static XiStore *store;
static char *store_dir;

static void
fail (const char *what)
{
  fprintf (stderr, "sync reply property broken: %s\n", what);
  abort ();
}

/* How deep @node nests, and how many containers and separators it has,
 * the two things xi_json_parse_bounded() counts. */
static guint
measure (JsonNode *node,
         gsize    *counted)
{
  guint deepest = 0;
  GList *members;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      *counted += 1 + (n > 0 ? n - 1 : 0);
      for (guint i = 0; i < n; i++)
        {
          guint depth = measure (json_array_get_element (array, i), counted);

          deepest = MAX (deepest, depth);
        }
      return deepest + 1;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return 0;
  members = json_object_get_values (json_node_get_object (node));
  *counted += 1 + (members != NULL ? g_list_length (members) - 1 : 0);
  for (GList *l = members; l != NULL; l = l->next)
    {
      guint depth = measure (l->data, counted);

      deepest = MAX (deepest, depth);
    }
  g_list_free (members);
  return deepest + 1;
}

static void
check_reply (const char *data,
             gsize       size)
{
  g_autoptr(JsonNode) root = xi_json_parse_bounded (data, (gssize) size, MAX_VALUES, NULL);
  gsize counted = 0;

  if (root == NULL)
    return;
  if (measure (root, &counted) > XI_JSON_MAX_DEPTH)
    fail ("JSON nested deeper than the bound");
  if (counted > MAX_VALUES)
    fail ("JSON of more values than the bound");
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (slot);
}

static void
check_page (guint8       table,
            const guint8 *data,
            gsize         size)
{
  const char * const *tables = xi_store_sync_pull_tables ();
  g_autoptr(GBytes) page = g_bytes_new (data, size);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  gint64 checkpoint = 0;

  xi_store_sync_apply_page_async (store, tables[table % g_strv_length ((char **) tables)], page, NULL,
                                  result_cb, &slot);
  result = wait_for (&slot);
  xi_store_sync_apply_page_finish (store, result, &checkpoint, &error);
  if (error != NULL && error->domain != XI_STORE_ERROR && error->domain != JSON_PARSER_ERROR &&
      error->domain != G_IO_ERROR)
    fail ("a page refused with an error of another kind");
}

/* The store's files go with the folder when the fuzzer ends. */
static void
remove_store (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  xi_store_close (store);
  g_clear_object (&store);
  if ((dir = g_dir_open (store_dir, 0, NULL)) == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (store_dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (store_dir);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autofree char *path = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  /* A g_critical() or g_warning() is a bug worth a crash report. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  if ((store_dir = g_dir_make_tmp ("fuzz-sync-reply-XXXXXX", NULL)) == NULL)
    abort ();
  /* libcrypto, when the store's thread starts it (deriving an id), keeps
   * an error queue for that thread that is never freed: 904 bytes once
   * per process, which the leak check at exit would report. Started
   * here, it keeps that queue for the main thread, freed at exit. */
  if (!OPENSSL_init_crypto (OPENSSL_INIT_LOAD_CONFIG, NULL))
    abort ();
  /* Secrets in a key file beside the database, never in a keyring. */
  g_setenv ("XENDER_IN_SECRETS", "file", TRUE);
  path = g_build_filename (store_dir, "store.db", NULL);
  store = xi_store_new (path);
  /* The account the seed corpus's rows belong to. */
  xi_store_set_master_user_id (store, "0b6f2a4e-1111-4c6e-9a55-000000000001");
  xi_store_open_async (store, NULL, result_cb, &slot);
  result = wait_for (&slot);
  if (!xi_store_open_finish (store, result, NULL))
    abort ();
  atexit (remove_store);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  if (size == 0)
    return 0;
  if (data[0] & MODE_PAGE)
    check_page (data[0], data + 1, size - 1);
  else
    check_reply ((const char *) data + 1, size - 1);
  return 0;
}
