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
#define JWT_SECRET "bench-secret-of-the-xender-in-gateway-0123456789"

typedef struct
{
  char        *dir;
  guint        port;
  GSubprocess *gateway;
  char        *url;
  char        *anon_key;
  char        *control;
  char        *token;
  char        *user_id;
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

static void
rig_stop (void)
{
  const char *argv[] = { XI_SOURCE_ROOT "/tests/fakesupabase/pg-cluster", "stop", NULL, NULL };

  if (the_rig == NULL)
    return;
  if (the_rig->gateway != NULL)
    {
      g_subprocess_send_signal (the_rig->gateway, SIGTERM);
      g_subprocess_wait (the_rig->gateway, NULL, NULL);
      g_clear_object (&the_rig->gateway);
    }
  if (the_rig->dir != NULL)
    {
      argv[2] = the_rig->dir;
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, NULL, NULL);
      g_clear_pointer (&the_rig->dir, g_free);
    }
}

static G_NORETURN void
fail (const char *format,
      ...)
{
  va_list ap;

  va_start (ap, format);
  g_vfprintf (stderr, format, ap);
  va_end (ap);
  fputc ('\n', stderr);
  rig_stop ();
  exit (1);
}

static void
sql (Rig        *rig,
     const char *statement)
{
  g_autofree char *port = g_strdup_printf ("%u", rig->port);
  const char *argv[] = { "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", rig->dir, "-p", port,
                         "-U", "postgres", "-d", "postgres", "-c", statement, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                     &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    fail ("psql failed: %s", error->message);
}

static char *
read_line_value (GDataInputStream *lines,
                 const char       *key)
{
  g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, NULL);
  g_autofree char *prefix = g_strconcat (key, " ", NULL);

  if (line == NULL || !g_str_has_prefix (line, prefix))
    fail ("the gateway did not print its %s", key);
  return g_strdup (line + strlen (prefix));
}

static void
rig_start (Rig *rig)
{
  const char *start_argv[] = { XI_SOURCE_ROOT "/tests/fakesupabase/pg-cluster", "start", NULL, NULL };
  g_autofree char *output = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_auto(GStrv) settings = NULL;
  int status = 0;

  /* Short, for the socket path; pg-cluster wants it new or empty. */
  rig->dir = g_dir_make_tmp ("xi-bs.XXXXXX", &error);
  if (rig->dir == NULL)
    fail ("no temporary folder: %s", error->message);
  start_argv[2] = rig->dir;
  if (!g_spawn_sync (NULL, (char **) start_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &output, NULL,
                     &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    fail ("pg-cluster start failed: %s", error->message);

  settings = g_strsplit (output, "\n", 0);
  for (guint i = 0; settings[i] != NULL; i++)
    if (g_str_has_prefix (settings[i], "PGPORT="))
      rig->port = (guint) strtoul (settings[i] + strlen ("PGPORT="), NULL, 10);
  if (rig->port == 0)
    fail ("pg-cluster printed no port");

  conninfo = g_strdup_printf ("host=127.0.0.1 port=%u dbname=postgres user=authenticator", rig->port);
  rig->gateway = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                   &error, XI_FAKESUPABASE_PATH, "--db", conninfo,
                                   "--jwt-secret", JWT_SECRET, "--watch-stdin", NULL);
  if (rig->gateway == NULL)
    fail ("cannot start the gateway: %s", error->message);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (rig->gateway));
  rig->url = read_line_value (lines, "url");
  rig->anon_key = read_line_value (lines, "anon-key");
  g_free (read_line_value (lines, "service-key"));
  rig->control = read_line_value (lines, "control");
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
  g_autofree char *uri = g_strconcat (rig->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  GBytes *reply;

  if (msg == NULL)
    fail ("bad URI %s", uri);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_append (headers, "apikey", rig->anon_key);
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
  Rig rig = { 0, };

  if (rows == 0 || clients == 0 || calls == 0)
    {
      g_printerr ("usage: bench-supabase [--rows N] [--clients C] [--calls K], all above 0\n");
      return 2;
    }

  the_rig = &rig;
  rig_start (&rig);
  session = soup_session_new ();
  rig.token = sign_up (session, &rig, &rig.user_id);
  {
    g_autofree char *cap = g_strdup_printf ("%s/max-rows?n=%u", rig.control, PAGE);
    g_autoptr(GBytes) reply = NULL;
    g_autoptr(SoupMessage) msg = soup_message_new ("POST", cap);

    reply = soup_session_send_and_read (session, msg, NULL, NULL);
    if (soup_message_get_status (msg) != 200)
      fail ("the gateway refused the max-rows cap");
  }

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
    sql (&rig, "update public.user_quotas set messages_limit = 100000000");
    bench_reserve (&rig, "supabase-reserve", (char **) one_shop->pdata, clients, calls);
    bench_reserve (&rig, "supabase-reserve-separate-shops", (char **) shops->pdata, clients, calls);
  }

  rig_stop ();
  g_free (rig.url);
  g_free (rig.anon_key);
  g_free (rig.control);
  g_free (rig.token);
  g_free (rig.user_id);
  return 0;
}
