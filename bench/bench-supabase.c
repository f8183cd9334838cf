/* bench-supabase.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <glib/gprintf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-utils.h"
#include "fs-rig.h"

/*
 * What a device costs the server, measured over HTTP against the test
 * gateway on a throwaway cluster with the project's migrations:
 *
 *   bench-supabase [--rows N] [--clients C] [--calls K]
 *
 * pushes N contacts as upserts of 500 (the sync engine's batch), pulls
 * them back page by page the way a new device does (keyset on server_seq,
 * 1000 rows a page under a 1000-row cap), and has C devices of one shop
 * call reserve_quota K times each at once, all waiting on the shop's quota
 * row, then C devices of C different shops, which wait on nothing but the
 * machine. Each figure is one "name value unit" line.
 */

#define BATCH 500
#define PAGE 1000

typedef struct
{
  FsRig *rig;
  char  *token;
  char  *user_id;
} Rig;

typedef struct
{
  Rig        *rig;
  const char *token;
  guint       calls;
  double     *latencies;   /* milliseconds, owned by the caller */
} Client;

static Rig *the_rig;

/* Auxiliary methods */

static G_NORETURN void
fail (const char *format,
      ...)
{
  va_list ap;

  va_start (ap, format);
  g_vfprintf (stderr, format, ap);
  va_end (ap);
  fputc ('\n', stderr);
  if (the_rig != NULL && the_rig->rig != NULL)
    fs_rig_stop (g_steal_pointer (&the_rig->rig));
  exit (1);
}

static GBytes *
request (SoupSession *session,
         Rig         *rig,
         const char  *token,
         const char  *method,
         const char  *path,
         const char  *prefer,
         const char  *body,
         guint       *status)
{
  g_autofree char *uri = g_strconcat (fs_rig_get_url (rig->rig), path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  GBytes *reply;

  if (msg == NULL)
    fail ("bad URI %s", uri);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_append (headers, "apikey", fs_rig_get_anon_key (rig->rig));
  if (token != NULL)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_append (headers, "Authorization", bearer);
    }
  if (prefer != NULL)
    soup_message_headers_append (headers, "Prefer", prefer);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  if (reply == NULL)
    fail ("%s %s: %s", method, path, error->message);
  *status = soup_message_get_status (msg);
  return reply;
}

static JsonNode *
parse (GBytes *bytes)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                   (gssize) g_bytes_get_size (bytes), &error))
    fail ("bad JSON from the gateway: %s", error->message);
  return json_node_copy (json_parser_get_root (parser));
}

/* A new shop owner; returns the access token. */
static char *
sign_up (SoupSession  *session,
         Rig          *rig,
         char        **user_id)
{
  g_autofree char *body = g_strdup_printf ("{\"email\":\"bench-%08x@example.com\","
                                           "\"password\":\"bench password\"}", g_random_int ());
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  guint status;

  reply = request (session, rig, NULL, "POST", "/auth/v1/signup", NULL, body, &status);
  if (status != 200)
    fail ("sign-up failed with %u", status);
  root = parse (reply);
  object = json_node_get_object (root);
  if (user_id != NULL)
    *user_id = g_strdup (json_object_get_string_member (json_object_get_object_member (object, "user"), "id"));
  return g_strdup (json_object_get_string_member (object, "access_token"));
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static double
percentile (double *values,
            gsize   n,
            double  p)
{
  gsize index;

  qsort (values, n, sizeof (double), compare_doubles);
  index = (gsize) (p * (double) (n - 1) + 0.5);
  return values[MIN (index, n - 1)];
}

static void
bench_upserts (SoupSession *session,
               Rig         *rig,
               guint        rows)
{
  guint batches = (rows + BATCH - 1) / BATCH;
  g_autofree double *latencies = g_new0 (double, batches);
  gint64 started = g_get_monotonic_time ();

  for (guint b = 0; b < batches; b++)
    {
      g_autoptr(GString) body = g_string_new ("[");
      g_autoptr(GBytes) reply = NULL;
      gint64 sent;
      guint status;

      for (guint i = b * BATCH; i < MIN (rows, (b + 1) * BATCH); i++)
        {
          g_autofree char *id = g_uuid_string_random ();
          g_autofree char *op = g_uuid_string_random ();

          g_string_append_printf (body,
            "%s{\"id\":\"%s\",\"master_user_id\":\"%s\",\"name\":\"Customer %u\","
            "\"phone\":\"628%09u\",\"tags\":[\"bench\"],\"notes\":null,\"last_op_id\":\"%s\","
            "\"base_version\":0,\"sync_changed\":[\"name\",\"phone\",\"tags\"]}",
            i % BATCH == 0 ? "" : ",", id, rig->user_id, i, 100000000 + i, op);
        }
      g_string_append_c (body, ']');

      sent = g_get_monotonic_time ();
      reply = request (session, rig, rig->token, "POST", "/rest/v1/contacts?on_conflict=id",
                       "resolution=merge-duplicates,return=minimal", body->str, &status);
      latencies[b] = (double) (g_get_monotonic_time () - sent) / 1000.0;
      if (status != 201)
        fail ("upsert batch %u failed with %u: %.*s", b, status,
              (int) g_bytes_get_size (reply), (const char *) g_bytes_get_data (reply, NULL));
    }

  bench_report ("supabase-upsert-rows-per-second",
                rows / ((double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC), "rows/s");
  bench_report ("supabase-upsert-batch500-p50", percentile (latencies, batches, 0.5), "ms");
  bench_report ("supabase-upsert-batch500-p99", percentile (latencies, batches, 0.99), "ms");
}

static void
bench_pull (SoupSession *session,
            Rig         *rig,
            guint        rows)
{
  gint64 checkpoint = 0;
  guint pulled = 0;
  gint64 started = g_get_monotonic_time ();
  gint64 waiting = 0;
  double seconds;

  for (;;)
    {
      g_autofree char *path =
        g_strdup_printf ("/rest/v1/contacts?select=*&master_user_id=eq.%s&server_seq=gt.%"
                         G_GINT64_FORMAT "&order=server_seq.asc&limit=%u",
                         rig->user_id, checkpoint, PAGE);
      g_autoptr(GBytes) reply = NULL;
      g_autoptr(JsonNode) root = NULL;
      JsonArray *page;
      guint status, n;
      gint64 sent = g_get_monotonic_time ();

      reply = request (session, rig, rig->token, "GET", path, NULL, NULL, &status);
      waiting += g_get_monotonic_time () - sent;
      if (status != 200)
        fail ("pull failed with %u", status);
      root = parse (reply);
      page = json_node_get_array (root);
      n = json_array_get_length (page);
      if (n == 0)
        break;
      pulled += n;
      checkpoint = json_object_get_int_member (json_array_get_object_element (page, n - 1), "server_seq");
    }
  seconds = (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC;
  if (pulled != rows)
    fail ("pulled %u rows, expected %u", pulled, rows);

  /* The whole pull as a device sees it (json-glib parses every page), and
   * the part spent waiting for the gateway. */
  bench_report ("supabase-pull-seconds", seconds, "s");
  bench_report ("supabase-pull-rows-per-second", pulled / seconds, "rows/s");
  bench_report ("supabase-pull-server-seconds", (double) waiting / G_USEC_PER_SEC, "s");
}

static void
reserve_one (SoupSession *session,
             Client      *client)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *body = g_strdup_printf ("{\"p_reservation_id\":\"%s\",\"p_amount\":1}", id);
  g_autoptr(GBytes) reply = NULL;
  guint status;

  reply = request (session, client->rig, client->token, "POST", "/rest/v1/rpc/reserve_quota", NULL,
                   body, &status);
  if (status != 200 || g_strstr_len (g_bytes_get_data (reply, NULL), (gssize) g_bytes_get_size (reply),
                                     "\"ok\": true") == NULL)
    fail ("reserve_quota failed with %u: %.*s", status,
          (int) g_bytes_get_size (reply), (const char *) g_bytes_get_data (reply, NULL));
}

static gpointer
reserve_thread (gpointer data)
{
  Client *client = data;
  g_autoptr(SoupSession) session = soup_session_new ();

  /* The first call opens this client's HTTP connection and, on the
   * gateway, a database connection: the steady state is what counts. */
  reserve_one (session, client);
  for (guint i = 0; i < client->calls; i++)
    {
      gint64 sent = g_get_monotonic_time ();

      reserve_one (session, client);
      client->latencies[i] = (double) (g_get_monotonic_time () - sent) / 1000.0;
    }
  return NULL;
}

/* @tokens[c] is client c's shop; the same token for all is one shop
 * whose devices wait on each other for its quota row. */
static void
bench_reserve (Rig         *rig,
               const char  *name,
               char       **tokens,
               guint        clients,
               guint        calls)
{
  g_autofree double *latencies = g_new0 (double, (gsize) clients * calls);
  g_autofree Client *state = g_new0 (Client, clients);
  g_autofree GThread **threads = g_new0 (GThread *, clients);
  g_autofree char *rate = g_strdup_printf ("%s-calls-per-second", name);
  g_autofree char *p50 = g_strdup_printf ("%s-p50", name);
  g_autofree char *p99 = g_strdup_printf ("%s-p99", name);
  gint64 started;
  double seconds;

  started = g_get_monotonic_time ();
  for (guint c = 0; c < clients; c++)
    {
      state[c].rig = rig;
      state[c].token = tokens[c];
      state[c].calls = calls;
      state[c].latencies = latencies + (gsize) c * calls;
      threads[c] = g_thread_new ("reserve", reserve_thread, &state[c]);
    }
  for (guint c = 0; c < clients; c++)
    g_thread_join (threads[c]);
  seconds = (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC;

  bench_report (rate, clients * calls / seconds, "calls/s");
  bench_report (p50, percentile (latencies, (gsize) clients * calls, 0.5), "ms");
  bench_report (p99, percentile (latencies, (gsize) clients * calls, 0.99), "ms");
}

static guint
parse_option (int         argc,
              char      **argv,
              const char *name,
              guint       fallback)
{
  for (int i = 1; i + 1 < argc; i++)
    if (g_str_equal (argv[i], name))
      return (guint) strtoul (argv[i + 1], NULL, 10);
  return fallback;
}

int
main (int   argc,
      char *argv[])
{
  guint rows = bench_parse_rows (&argc, &argv, 50000);
  guint clients = parse_option (argc, argv, "--clients", 8);
  guint calls = parse_option (argc, argv, "--calls", 250);
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GError) error = NULL;
  Rig rig = { 0, };

  if (rows == 0 || clients == 0 || calls == 0)
    {
      g_printerr ("usage: bench-supabase [--rows N] [--clients C] [--calls K], all above 0\n");
      return 2;
    }

  the_rig = &rig;
  rig.rig = fs_rig_start (NULL, &error);
  if (rig.rig == NULL)
    fail ("cannot start the test Supabase: %s", error->message);
  session = soup_session_new ();
  rig.token = sign_up (session, &rig, &rig.user_id);
  if (!fs_rig_control (rig.rig, "max-rows?n=" G_STRINGIFY (PAGE), &error))
    fail ("%s", error->message);

  bench_upserts (session, &rig, rows);
  bench_pull (session, &rig, rows);
  {
    g_autoptr(GPtrArray) one_shop = g_ptr_array_new ();
    g_autoptr(GPtrArray) shops = g_ptr_array_new_with_free_func (g_free);

    for (guint c = 0; c < clients; c++)
      {
        g_ptr_array_add (one_shop, rig.token);
        g_ptr_array_add (shops, sign_up (session, &rig, NULL));
      }
    /* Enough allowance that every call reserves. */
    if (!fs_rig_sql (rig.rig, "update public.user_quotas set messages_limit = 100000000", &error))
      fail ("%s", error->message);
    bench_reserve (&rig, "supabase-reserve", (char **) one_shop->pdata, clients, calls);
    bench_reserve (&rig, "supabase-reserve-separate-shops", (char **) shops->pdata, clients, calls);
  }

  fs_rig_stop (g_steal_pointer (&rig.rig));
  g_free (rig.token);
  g_free (rig.user_id);
  return 0;
}
