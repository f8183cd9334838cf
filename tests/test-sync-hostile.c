/* test-sync-hostile.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "xi-contact.h"
#include "xi-supabase-client.h"
#include "xi-sync-engine.h"
#include "xi-sync-error.h"
#include "xi-test-utils.h"

/*
 * The sync engine against a server that is broken or hostile: a stand-in
 * on 127.0.0.1, in this process, that signs anybody in and answers the
 * pull of one table with whatever the test gives it. Nothing it sends may
 * crash the app, warn (the tests make warnings and criticals fatal),
 * balloon its memory or leave part of a page in the data folder: the pass
 * fails with an error that says what came.
 */

#define USER_ID "6b1f3c2e-8d2a-4f4e-9c1a-2b7d5e0f1a33"
#define STREAM_CHUNK (1024 * 1024)

typedef struct
{
  char             *dir;
  SoupServer       *server;
  char             *url;
  XiStore          *store;
  XiSupabaseClient *client;
  XiSyncEngine     *engine;

  /* What the server answers for one table (contacts unless a test says
   * otherwise), once. */
  const char       *table;
  char             *page;
  gsize             stream_bytes;   /* instead: this many bytes of a JSON array, chunked */
  gboolean          announce;       /* and with their Content-Length */
  const char       *retry_after;    /* instead: 503 with this Retry-After */
  gboolean          trickle;        /* instead: a byte every 100 ms, for ever */
  guint             trickle_source;
  gboolean          served;
  gsize             streamed;       /* bytes of the stream the server wrote */

  /* Before all that, while a read asks for more rows than large_above:
   * this page instead, every time. */
  char             *large_page;
  guint             large_above;
  guint             large_reads;

  GString          *limits;         /* the limit of every read of the table, in order */

  /* Endless replies (stream_bytes each, chunked) to every read of the
   * table, or to every write of rows holding endless_marker; other
   * writes get their rows back. */
  gboolean          endless_reads;
  const char       *endless_marker;
  guint             endless_replies;
} Fixture;

static void
reply_json (SoupServerMessage *message,
            const char        *json)
{
  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static void
wrote_chunk_cb (SoupServerMessage *message,
                Fixture           *f)
{
  SoupMessageBody *body = soup_server_message_get_response_body (message);
  gsize sent = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (message), "xi-streamed"));
  g_autofree char *chunk = NULL;

  if (sent >= f->stream_bytes)
    {
      soup_message_body_complete (body);
      return;
    }
  /* Rows of the same size, never a closing bracket before the end. */
  chunk = g_malloc (STREAM_CHUNK);
  for (gsize i = 0; i < STREAM_CHUNK; i += 16)
    memcpy (chunk + i, "{\"a\":123456789},", 16);
  if (sent == 0)
    chunk[0] = '[';
  soup_message_body_append (body, SOUP_MEMORY_TAKE, g_steal_pointer (&chunk), STREAM_CHUNK);
  g_object_set_data (G_OBJECT (message), "xi-streamed", GSIZE_TO_POINTER (sent + STREAM_CHUNK));
  f->streamed += STREAM_CHUNK;
}

static gboolean
trickle_cb (gpointer user_data)
{
  SoupServerMessage *message = user_data;
  Fixture *f = g_object_get_data (G_OBJECT (message), "fixture");

  soup_message_body_append (soup_server_message_get_response_body (message), SOUP_MEMORY_STATIC, "[", 1);
  f->streamed++;
  soup_server_message_unpause (message);
  return G_SOURCE_CONTINUE;
}

static void
trickle_finished_cb (SoupServerMessage *message,
                     Fixture           *f)
{
  g_clear_handle_id (&f->trickle_source, g_source_remove);
}

static void
start_trickle (Fixture           *f,
               SoupServerMessage *message)
{
  soup_server_message_set_status (message, 200, NULL);
  soup_message_headers_set_encoding (soup_server_message_get_response_headers (message),
                                     SOUP_ENCODING_CHUNKED);
  g_object_set_data (G_OBJECT (message), "fixture", f);
  g_signal_connect (message, "finished", G_CALLBACK (trickle_finished_cb), f);
  f->trickle_source = g_timeout_add_full (G_PRIORITY_DEFAULT, 100, trickle_cb, g_object_ref (message),
                                          g_object_unref);
  soup_server_message_pause (message);
}

static void
start_stream (Fixture           *f,
              SoupServerMessage *message)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);

  soup_server_message_set_status (message, 200, NULL);
  soup_message_headers_set_content_type (headers, "application/json", NULL);
  if (f->announce)
    soup_message_headers_set_content_length (headers, f->stream_bytes);
  else
    soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  g_signal_connect (message, "wrote-chunk", G_CALLBACK (wrote_chunk_cb), f);
  wrote_chunk_cb (message, f);
}

static gboolean
is_table_read (Fixture           *f,
               SoupServerMessage *message,
               const char        *path)
{
  return g_str_equal (soup_server_message_get_method (message), "GET") &&
         g_str_has_prefix (path, "/rest/v1/") && g_str_equal (path + strlen ("/rest/v1/"), f->table);
}

static gboolean
is_table_write (Fixture           *f,
                SoupServerMessage *message,
                const char        *path)
{
  return g_str_equal (soup_server_message_get_method (message), "POST") &&
         g_str_has_prefix (path, "/rest/v1/") && g_str_equal (path + strlen ("/rest/v1/"), f->table);
}

/* The rows written come back as the server stored them, unless they hold
 * the marker. */
static void
answer_write (Fixture           *f,
              SoupServerMessage *message)
{
  g_autoptr(GBytes) rows = soup_message_body_flatten (soup_server_message_get_request_body (message));
  gsize size = 0;
  const char *data = g_bytes_get_data (rows, &size);

  if (g_strstr_len (data, size, f->endless_marker) != NULL)
    {
      f->endless_replies++;
      start_stream (f, message);
      return;
    }
  soup_server_message_set_status (message, 201, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY, data, size);
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *message,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  Fixture *f = user_data;

  if (is_table_read (f, message, path) && query != NULL)
    g_string_append_printf (f->limits, "%s ", (const char *) g_hash_table_lookup (query, "limit"));
  if (g_str_equal (path, "/auth/v1/token"))
    reply_json (message, "{\"access_token\":\"access\",\"token_type\":\"bearer\",\"expires_in\":3600,"
                         "\"refresh_token\":\"refresh\",\"user\":{\"id\":\"" USER_ID "\","
                         "\"email\":\"owner@example.test\"}}");
  else if (g_str_equal (path, "/rest/v1/rpc/register_device"))
    reply_json (message, "{}");
  else if (g_str_equal (path, "/rest/v1/rpc/sync_state"))
    reply_json (message, "{\"purged_before_seq\":0}");
  else if (f->endless_reads && is_table_read (f, message, path))
    {
      f->served = TRUE;
      f->endless_replies++;
      start_stream (f, message);
    }
  else if (f->endless_marker != NULL && is_table_write (f, message, path))
    answer_write (f, message);
  else if (f->large_page != NULL && is_table_read (f, message, path) && query != NULL &&
           g_ascii_strtoull (g_hash_table_lookup (query, "limit"), NULL, 10) > f->large_above)
    {
      f->large_reads++;
      reply_json (message, f->large_page);
    }
  else if (is_table_read (f, message, path) && !f->served)
    {
      f->served = TRUE;
      if (f->trickle)
        start_trickle (f, message);
      else if (f->retry_after != NULL)
        {
          soup_server_message_set_status (message, 503, NULL);
          soup_message_headers_append (soup_server_message_get_response_headers (message),
                                       "Retry-After", f->retry_after);
        }
      else if (f->stream_bytes > 0)
        start_stream (f, message);
      else
        reply_json (message, f->page);
    }
  else if (g_str_has_prefix (path, "/rest/v1/"))
    reply_json (message, "[]");
  else
    soup_server_message_set_status (message, 404, NULL);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  f->limits = g_string_new (NULL);
  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, NULL, server_cb, f, NULL);
  g_assert_true (soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->server);
  f->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  f->dir = xi_test_make_tmpdir ();
  path = g_build_filename (f->dir, "xender-in.db", NULL);
  f->store = xi_store_new (path);
  f->client = xi_supabase_client_new (f->url, "sb_publishable_hostile_test_key", xi_store_get_secret_store (f->store), &error);
  g_assert_no_error (error);
  XI_TEST_WAIT (xi_supabase_client_sign_in_async (f->client, "owner@example.test", "password",
                                                  NULL, xi_test_store_result_cb, &slot_),
                ok = xi_supabase_client_sign_in_finish (f->client, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  xi_store_set_master_user_id (f->store, USER_ID);
  XI_TEST_WAIT (xi_store_open_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_store_open_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  f->engine = xi_sync_engine_new (f->store, f->client);
  f->table = "contacts";
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->engine);
  g_clear_object (&f->client);
  xi_store_close (f->store);
  g_assert_finalize_object (g_steal_pointer (&f->store));
  g_clear_handle_id (&f->trickle_source, g_source_remove);
  g_string_free (f->limits, TRUE);
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  xi_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->url);
  g_free (f->page);
  g_free (f->large_page);
}

/* One number from the data folder's SQLite file, read beside the store. */
static gint64
local_int (Fixture    *f,
           const char *sql)
{
  g_autofree char *path = g_build_filename (f->dir, "xender-in.db", NULL);

  return xi_test_sqlite_int (path, sql);
}

/* Runs one pass, which must succeed. */
static void
sync_passes (Fixture *f)
{
  gboolean ok = FALSE;
  g_autoptr(GError) error = NULL;

  XI_TEST_WAIT (xi_sync_engine_run_once_async (f->engine, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_sync_engine_run_once_finish (f->engine, result_, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
}

/* Runs one pass, which must fail; returns its error. */
static GError *
sync_fails (Fixture *f)
{
  GError *error = NULL;
  gboolean ok = TRUE;

  XI_TEST_WAIT (xi_sync_engine_run_once_async (f->engine, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_sync_engine_run_once_finish (f->engine, result_, NULL, &error));
  g_assert_false (ok);
  g_assert_nonnull (error);
  g_test_message ("the pass failed: %s", error->message);
  g_assert_true (f->served);
  return error;
}

static void
assert_nothing_applied (Fixture *f)
{
  g_assert_cmpint (local_int (f, "SELECT count(*) FROM contacts"), ==, 0);
  g_assert_cmpint (local_int (f, "SELECT count(*) FROM sync_checkpoints WHERE last_seq > 0"), ==, 0);
}

/* Runs one pass, which must refuse the page as a bad reply, saying
 * @because, and take nothing from it. */
static void
sync_refuses_page (Fixture    *f,
                   const char *because)
{
  g_autoptr(GError) error = sync_fails (f);

  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_BAD_REPLY);
  g_assert_nonnull (strstr (error->message, because));
  assert_nothing_applied (f);
}

/* A page of rows that never ends: the client stops reading at its limit
 * rather than holding it all (and then several times that, parsed), and
 * asks for half as many rows, as it would for a page of rows that are
 * all legitimately large; here the server then has none. */
static void
test_endless_page (Fixture       *f,
                   gconstpointer  data)
{
  f->stream_bytes = (gsize) 256 * 1024 * 1024;
  sync_passes (f);
  g_assert_cmpuint (f->streamed, <, f->stream_bytes / 2);
  g_assert_cmpstr (f->limits->str, ==, "1000 500 ");
  assert_nothing_applied (f);
}

/* A reply that says up front it is too large is not read at all, and
 * half as many rows are asked for instead. */
static void
test_announced_huge_page (Fixture       *f,
                          gconstpointer  data)
{
  f->stream_bytes = (gsize) 512 * 1024 * 1024;
  f->announce = TRUE;
  sync_passes (f);
  g_assert_cmpuint (f->streamed, <, f->stream_bytes / 8);
  g_assert_cmpstr (f->limits->str, ==, "1000 500 ");
  assert_nothing_applied (f);
}

/* All but a contact's id, number, name, tags and on_whatsapp. */
#define CONTACT_OTHER_COLUMNS \
  "\"master_user_id\":\"" USER_ID "\",\"version\":1,\"deleted\":false," \
  "\"created_at\":\"2026-12-01T10:00:00Z\",\"updated_at\":\"2026-12-01T10:00:00Z\"," \
  "\"lid\":null,\"notes\":null,\"custom_fields\":{},\"on_whatsapp_checked_at\":null"
#define CONTACT_COLUMNS CONTACT_OTHER_COLUMNS ",\"tags\":[],\"on_whatsapp\":false"
#define CONTACT_ID "\"id\":\"9d1e0f4a-1c52-4c0e-8a55-0e3a1d6f2b10\","

/* Serves one contact of sensible sizes; the pass must take it. */
static void
sync_sane_page (Fixture *f)
{
  f->page = g_strdup ("[{" CONTACT_ID "\"server_seq\":1,\"name\":\"A\",\"phone\":\"6281200000001\","
                      CONTACT_COLUMNS "}]");
  sync_passes (f);
  g_assert_cmpint (local_int (f, "SELECT count(*) FROM contacts"), ==, 1);
}

/* The same row with a name of a sensible size is taken: the rows the
 * other tests send are refused for what they change, nothing else. */
static void
test_sane_page (Fixture       *f,
                gconstpointer  data)
{
  sync_sane_page (f);
}

/* Members of the wrong shape where json-glib's getters would warn: an
 * object for the id, an array for the sequence number, a list for a name,
 * and pages that are not lists of rows. */
static void
test_wrong_shapes (Fixture       *f,
                   gconstpointer  data)
{
  const char * const pages[] = {
    "[{\"id\":{\"x\":1},\"server_seq\":1,\"name\":\"A\",\"phone\":\"6281200000001\","
      CONTACT_COLUMNS "}]",
    "[{" CONTACT_ID "\"server_seq\":[1],\"name\":\"A\",\"phone\":\"6281200000001\","
      CONTACT_COLUMNS "}]",
    "[{" CONTACT_ID "\"server_seq\":1,\"name\":[\"A\"],\"phone\":\"6281200000001\","
      CONTACT_COLUMNS "}]",
    "[\"not a row\"]",
    "{\"rows\":[]}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("page %" G_GSIZE_FORMAT, i);
      g_free (f->page);
      f->page = g_strdup (pages[i]);
      f->served = FALSE;
      error = sync_fails (f);
      assert_nothing_applied (f);
    }
}

/* Nulls where this computer's columns take none: a contact's name,
 * number, tags, or whether it is on WhatsApp. Each page is refused,
 * naming the column, in words rather than SQLite's constraint message,
 * and nothing of it is kept. */
static void
test_null_required (Fixture       *f,
                  gconstpointer  data)
{
  const struct {
    const char *page;
    const char *column;
  } cases[] = {
    { "[{" CONTACT_ID "\"server_seq\":1,\"name\":null,\"phone\":\"6281200000001\","
        CONTACT_COLUMNS "}]", "name" },
    { "[{" CONTACT_ID "\"server_seq\":1,\"name\":\"A\",\"phone\":null,"
        CONTACT_COLUMNS "}]", "phone" },
    { "[{" CONTACT_ID "\"server_seq\":1,\"name\":\"A\",\"phone\":\"6281200000001\","
        "\"tags\":null,\"on_whatsapp\":0," CONTACT_OTHER_COLUMNS "}]", "tags" },
    { "[{" CONTACT_ID "\"server_seq\":1,\"name\":\"A\",\"phone\":\"6281200000001\","
        "\"tags\":[],\"on_whatsapp\":null," CONTACT_OTHER_COLUMNS "}]", "on_whatsapp" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *named = g_strdup_printf ("“%s”", cases[i].column);

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_free (f->page);
      f->page = g_strdup (cases[i].page);
      f->served = FALSE;
      error = sync_fails (f);
      g_assert_nonnull (strstr (error->message, named));
      g_assert_null (strstr (error->message, "constraint"));
      assert_nothing_applied (f);
    }
}

/* 60 MB, under the limit on bytes, of 7.8 million rows of one member:
 * json-glib took 4.4 GB and half a minute to parse it. */
static char *
tiny_rows_page (void)
{
  const gsize rows = (gsize) 60 * 1024 * 1024 / 8;
  char *page = g_malloc (rows * 8 + 2);
  char *p = page;

  *p++ = '[';
  for (gsize i = 0; i < rows; i++, p += 8)
    memcpy (p, "{\"a\":1},", 8);
  p[-1] = ']';
  *p = '\0';
  return page;
}

/* A page of more values than the client parses is asked for again with
 * half the rows, then, still too many, with one; a server that still
 * sends too much stops the pass with a reason, and nothing is kept. */
static void
test_page_of_tiny_rows (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->large_page = tiny_rows_page ();
  f->served = TRUE;
  error = sync_fails (f);
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "“contacts” too large"));
  g_assert_cmpstr (f->limits->str, ==, "1000 500 1 ");
  g_assert_cmpuint (f->large_reads, ==, 3);
  assert_nothing_applied (f);
}

/* A page too large to parse at the usual size is read in smaller pages,
 * and the rows come; after a page read, the next asks for twice as many
 * rows again. */
static void
test_large_page_halved (Fixture       *f,
                        gconstpointer  data)
{
  f->large_page = tiny_rows_page ();
  f->large_above = 100;
  sync_sane_page (f);
  g_assert_cmpstr (f->limits->str, ==, "1000 500 1 2 ");
  g_assert_cmpuint (f->large_reads, ==, 2);
}

/* Every read of a table answered with rows that never end: a read of
 * half the rows, then of one, and the pass gives up, three reads of
 * 64 MB where halving down to a row took ten. */
static void
test_endless_every_read (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->stream_bytes = (gsize) 128 * 1024 * 1024;
  f->endless_reads = TRUE;
  error = sync_fails (f);
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "“contacts” too large"));
  g_assert_cmpstr (f->limits->str, ==, "1000 500 1 ");
  g_assert_cmpuint (f->endless_replies, ==, 3);
  assert_nothing_applied (f);
}

static void
add_contacts (Fixture            *f,
              const char * const *names)
{
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(XiContact) contact = xi_contact_new ();
      g_autoptr(XiContact) saved = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *phone = g_strdup_printf ("6281200009%03u", i);

      xi_contact_set_name (contact, names[i]);
      xi_contact_set_phone (contact, phone);
      XI_TEST_WAIT (xi_store_save_contact_async (f->store, contact, NULL, xi_test_store_result_cb, &slot_),
                    saved = xi_store_save_contact_finish (f->store, result_, &error));
      g_assert_no_error (error);
    }
}

/* One contact among five whose write the server answers without end:
 * the group is split, the part holding it split to single rows, and that
 * row alone waits for another try, never dead: the server wrote it before
 * it answered, and an answer's size says nothing about the row. The
 * other four are written. */
static void
test_push_reply_too_large (Fixture       *f,
                           gconstpointer  data)
{
  const char * const names[] = { "Ani", "Budi", "BESAR", "Cici", "Dedi", NULL };

  /* Reads of the table find nothing. */
  f->served = TRUE;
  f->stream_bytes = (gsize) 128 * 1024 * 1024;
  f->endless_marker = "BESAR";
  add_contacts (f, names);
  sync_passes (f);

  /* Five rows, then BESAR and Cici, then BESAR alone. */
  g_assert_cmpuint (f->endless_replies, ==, 3);
  g_assert_cmpint (local_int (f, "SELECT count(*) FROM sync_outbox"), ==, 1);
  g_assert_cmpint (local_int (f, "SELECT count(*) FROM sync_outbox o JOIN contacts c ON c.id = o.row_id"
                                 " WHERE o.state = 'queued' AND c.name = 'BESAR' AND o.attempts = 1"),
                   ==, 1);
}

/* A server that answers every write without end: the pass stops after
 * 256 MB and the rows not tried wait for the next, rather than costing
 * 64 MB each; the rows it answered alone wait too, none dead. */
static void
test_push_read_budget (Fixture       *f,
                       gconstpointer  data)
{
  const char * const names[] = { "BESAR 1", "BESAR 2", "BESAR 3", "BESAR 4", "BESAR 5",
                                 "BESAR 6", "BESAR 7", "BESAR 8", NULL };
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  /* Reads of the table find nothing. */
  f->served = TRUE;
  f->stream_bytes = (gsize) 128 * 1024 * 1024;
  f->endless_marker = "BESAR";
  add_contacts (f, names);
  XI_TEST_WAIT (xi_sync_engine_run_once_async (f->engine, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_sync_engine_run_once_finish (f->engine, result_, NULL, &error));
  g_assert_false (ok);
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "in one sync"));

  /* Eight rows, four, then one and another alone: four reads of 64 MB. */
  g_assert_cmpuint (f->endless_replies, ==, 4);
  g_assert_cmpint (local_int (f, "SELECT count(*) FROM sync_outbox WHERE state = 'dead'"), ==, 0);
  g_assert_cmpint (local_int (f, "SELECT count(*) FROM sync_outbox WHERE state = 'queued'"), ==, 8);
}

/* Brackets nested 200,000 deep, 400 KB: parsed by recursion, they would
 * overflow the stack and take the whole app down. */
static void
test_deep_nesting (Fixture       *f,
                   gconstpointer  data)
{
  const gsize depth = 200000;

  f->page = g_malloc (2 * depth + 1);
  memset (f->page, '[', depth);
  memset (f->page + depth, ']', depth);
  f->page[2 * depth] = '\0';
  sync_refuses_page (f, "nested");
}

/* JSON has no comments, but json-glib reads them: a '"' in one hid from
 * the bounds the commas of a million values and brackets nested 200,000
 * deep, which overflowed the stack. */
static void
test_comment_hides_values (Fixture       *f,
                           gconstpointer  data)
{
  GString *page = g_string_new ("[/* \" */ ");

  for (guint i = 0; i < 1000000; i++)
    g_string_append (page, "1,");
  g_string_append (page, "1 /* \" */]");
  f->page = g_string_free (page, FALSE);
  sync_refuses_page (f, "comment");
}

static void
test_comment_hides_depth (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *opening = g_strnfill (200000, '[');
  g_autofree char *closing = g_strnfill (200000, ']');

  f->page = g_strconcat ("/* \" */", opening, closing, NULL);
  sync_refuses_page (f, "comment");
}

/* One field of megabytes: refused with the row, not stored for every list
 * that shows it to draw in full. */
static void
test_huge_field (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *name = g_strnfill (2 * 1024 * 1024, 'n');
  g_autoptr(GError) error = NULL;

  f->page = g_strconcat ("[{" CONTACT_ID "\"server_seq\":1,\"name\":\"", name,
                         "\",\"phone\":\"6281200000001\"," CONTACT_COLUMNS "}]", NULL);
  error = sync_fails (f);
  g_assert_nonnull (strstr (error->message, "“name”"));
  assert_nothing_applied (f);
}

/* A server that asks to be left alone for longer than the app waits, or
 * for ever, gets the longest wait, not an immediate retry. */
static void
test_endless_retry_after (Fixture       *f,
                          gconstpointer  data)
{
  const struct {
    const char *header;
    guint       seconds;
  } cases[] = {
    { "120", 120 },
    { "86401", 24 * 3600 },
    { "4294967296", 24 * 3600 },
    { "99999999999999999999999999", 24 * 3600 },
    { "soon", 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      f->retry_after = cases[i].header;
      f->served = FALSE;
      error = sync_fails (f);
      g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_UNAVAILABLE);
      g_assert_cmpuint (xi_sync_error_get_retry_after (error), ==, cases[i].seconds);
    }
}

/* An asset's checksum names its file in the data folder: a server that
 * sends a path instead, for a new asset or for one this computer has the
 * file of, is refused, so that nothing outside the folder is ever sent
 * as an attachment or deleted with the asset. */
static void
test_asset_checksum_path (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *source = g_build_filename (f->dir, "photo.jpg", NULL);
  g_autoptr(XiAsset) asset = NULL;
  g_autoptr(GPtrArray) assets = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *assets_dir = NULL;
  const char *ids[] = { "0b0f6f0e-3d4c-4a43-9d7e-7d0a5b1c2e11", NULL };

  g_assert_true (g_file_set_contents (source, "\xff\xd8\xff\xe0 not much of a picture", -1, NULL));
  XI_TEST_WAIT (xi_store_add_asset_async (f->store, source, NULL, xi_test_store_result_cb, &slot_),
                asset = xi_store_add_asset_finish (f->store, result_, &error));
  g_assert_no_error (error);
  ids[1] = xi_asset_get_id (asset);

  f->table = "assets";
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(GError) failed = NULL;

      g_free (f->page);
      f->page = g_strconcat ("[{\"id\":\"", ids[i], "\",\"server_seq\":1,\"version\":5,"
                             "\"deleted\":false,\"master_user_id\":\"" USER_ID "\","
                             "\"created_at\":\"2026-12-01T10:00:00Z\",\"updated_at\":\"2026-12-01T10:00:00Z\","
                             "\"name\":\"photo.jpg\",\"mime_type\":\"image/jpeg\",\"size\":10,"
                             "\"sha256\":\"../../../../../../etc/passwd\"}]", NULL);
      f->served = FALSE;
      failed = sync_fails (f);
      g_assert_nonnull (strstr (failed->message, "checksum"));
    }

  XI_TEST_WAIT (xi_store_list_assets_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                assets = xi_store_list_assets_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (assets->len, ==, 1);
  assets_dir = xi_store_dup_assets_dir (f->store);
  g_assert_true (g_str_has_prefix (xi_asset_get_path (g_ptr_array_index (assets, 0)), assets_dir));
  g_assert_cmpstr (xi_asset_get_sha256 (g_ptr_array_index (assets, 0)), ==, xi_asset_get_sha256 (asset));
}

/* A reply that trickles in a byte at a time never times out one wait,
 * but the request as a whole is given up, and the pass with it. */
static void
test_trickling_reply (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();

  xi_supabase_client_set_request_deadline (f->client, 1500);
  f->trickle = TRUE;
  error = sync_fails (f);
  g_assert_error (error, XI_SYNC_ERROR, XI_SYNC_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "took more than"));
  g_assert_cmpint (g_get_monotonic_time () - started, <, 10 * G_USEC_PER_SEC);
  g_assert_cmpuint (f->streamed, >, 3);
  assert_nothing_applied (f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/sync-hostile/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("sane-page", test_sane_page);
  ADD ("endless-page", test_endless_page);
  ADD ("announced-huge-page", test_announced_huge_page);
  ADD ("wrong-shapes", test_wrong_shapes);
  ADD ("null-required", test_null_required);
  ADD ("deep-nesting", test_deep_nesting);
  ADD ("comment-hides-shape/values", test_comment_hides_values);
  ADD ("comment-hides-shape/depth", test_comment_hides_depth);
  ADD ("page-of-tiny-rows", test_page_of_tiny_rows);
  ADD ("large-page-halved", test_large_page_halved);
  ADD ("endless-every-read", test_endless_every_read);
  ADD ("push-reply-too-large", test_push_reply_too_large);
  ADD ("push-read-budget", test_push_read_budget);
  ADD ("huge-field", test_huge_field);
  ADD ("endless-retry-after", test_endless_retry_after);
  ADD ("asset-checksum-path", test_asset_checksum_path);
  ADD ("trickling-reply", test_trickling_reply);
#undef ADD

  return g_test_run ();
}
