/* test-supabase-concurrency.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <libpq-fe.h>

/*
 * What pgTAP cannot show, because it runs in one session: the migrations
 * under several connections at once. The cluster comes from
 * tests/fakesupabase/with-cluster (PGHOST, PGPORT, PGUSER, PGDATABASE name
 * its superuser); requests run as PostgREST runs them, logged in as
 * `authenticator`, switching to `authenticated` with the JWT claims for one
 * transaction.
 */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

#define WRITERS            2
#define WRITES_PER_WRITER  60
#define QUOTA_CLIENTS      8
#define QUOTA_CALLS        25

static PGconn *
connect_as (const char *user)
{
  const char *keywords[] = { "user", "application_name", "connect_timeout", NULL };
  const char *values[] = { user, "test-supabase-concurrency", "10", NULL };
  PGconn *conn;

  /* Host, port and database come from the environment with-cluster sets. */
  g_assert_nonnull (g_getenv ("PGHOST"));
  conn = PQconnectdbParams (keywords, values, FALSE);
  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("connecting as %s: %s", user, PQerrorMessage (conn));

  return conn;
}

/* Runs @sql with text parameters (NULL-terminated) and fails the test on
 * any error. */
static PGresult *
exec_ok (PGconn     *conn,
         const char *sql,
         ...)
{
  const char *params[8];
  int n = 0;
  va_list args;
  PGresult *res;

  va_start (args, sql);
  for (const char *p = va_arg (args, const char *); p != NULL; p = va_arg (args, const char *))
    {
      g_assert_cmpint (n, <, (int) G_N_ELEMENTS (params));
      params[n++] = p;
    }
  va_end (args);

  res = PQexecParams (conn, sql, n, NULL, params, NULL, NULL, 0);
  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (res));

  return res;
}

static void
exec_command (PGconn     *conn,
              const char *sql)
{
  g_autoptr(PGresult) res = exec_ok (conn, sql, NULL);
}

/* BEGIN, then act as @user_id for the rest of the transaction, as
 * PostgREST does for a request carrying that user's JWT. */
static void
begin_as (PGconn     *conn,
          const char *user_id)
{
  g_autofree char *claims = g_strdup_printf ("{\"sub\":\"%s\",\"role\":\"authenticated\"}", user_id);
  g_autoptr(PGresult) res = NULL;

  exec_command (conn, "begin");
  res = exec_ok (conn,
                 "select set_config('request.jwt.claims', $1, true),"
                 "       set_config('role', 'authenticated', true)",
                 claims, NULL);
}

static char *
create_user (PGconn *su)
{
  g_autofree char *local = g_uuid_string_random ();
  g_autofree char *email = g_strdup_printf ("%s@example.test", local);
  g_autoptr(PGresult) res = exec_ok (su, "insert into auth.users (email) values ($1) returning id",
                                     email, NULL);

  return g_strdup (PQgetvalue (res, 0, 0));
}

static gint64
query_int (PGconn     *conn,
           const char *sql,
           const char *param)
{
  g_autoptr(PGresult) res = exec_ok (conn, sql, param, NULL);

  g_assert_cmpint (PQntuples (res), ==, 1);
  return g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
}

/* Waits until the backend of @blocked waits for a lock. */
static void
wait_until_blocked (PGconn *su,
                    PGconn *blocked)
{
  g_autofree char *pid = g_strdup_printf ("%d", PQbackendPID (blocked));
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (query_int (su, "select count(*) from pg_stat_activity "
                        "where pid = $1::int and wait_event_type = 'Lock'", pid) == 0)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("backend %s never waited for a lock", pid);
      g_usleep (10 * 1000);
    }
}

/* The result of a query sent with PQsendQuery*, which must succeed. */
static PGresult *
finish_sent (PGconn *conn)
{
  PGresult *res = PQgetResult (conn);
  PGresult *extra;

  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("sent query: %s", PQresultErrorMessage (res));
  while ((extra = PQgetResult (conn)) != NULL)
    PQclear (extra);

  return res;
}

typedef void (*WhileBlocked) (gpointer data);

/* Two requests of @user racing: @sql with @params_a runs on @a in an open
 * transaction, then with @params_b on @b, which must wait for @a's locks;
 * @while_blocked (if any) runs during that wait; then @a commits and @b
 * finishes and commits. */
static void
race (PGconn             *su,
      PGconn             *a,
      PGconn             *b,
      const char         *user,
      const char         *sql,
      const char * const *params_a,
      const char * const *params_b,
      WhileBlocked        while_blocked,
      gpointer            data,
      PGresult          **first,
      PGresult          **second)
{
  begin_as (a, user);
  *first = exec_ok (a, sql, params_a[0], params_a[1], NULL);
  begin_as (b, user);
  g_assert_true (PQsendQueryParams (b, sql, 2, NULL, params_b, NULL, NULL, 0));
  wait_until_blocked (su, b);
  if (while_blocked != NULL)
    while_blocked (data);
  exec_command (a, "commit");
  *second = finish_sent (b);
  exec_command (b, "commit");
}

static const char contact_insert[] =
  "insert into public.contacts (id, master_user_id, phone, last_op_id) "
  "values (gen_random_uuid(), $1, $2, gen_random_uuid()) returning id, server_seq";

static const char reserve[] =
  "select r ->> 'ok', r ->> 'replayed', (r ->> 'available')::int "
  "from public.reserve_quota($1::uuid, $2::int) r";

typedef struct
{
  PGconn     *reader;
  const char *user;
  char       *before;
} OrderCheck;

static void
reader_sees_nothing (gpointer data)
{
  OrderCheck *check = data;

  begin_as (check->reader, check->user);
  g_assert_cmpint (query_int (check->reader, "select count(*) from public.contacts "
                                             "where server_seq > $1::bigint", check->before), ==, 0);
  exec_command (check->reader, "commit");
}

/* Of two writers of a tenant, the one that commits first gets the lower
 * server_seq, and a reader sees neither row until then. */
static void
test_commit_order (void)
{
  g_autoptr(PGconn) su = connect_as (g_getenv ("PGUSER"));
  g_autoptr(PGconn) a = connect_as ("authenticator");
  g_autoptr(PGconn) b = connect_as ("authenticator");
  g_autoptr(PGconn) reader = connect_as ("authenticator");
  g_autofree char *user = create_user (su);
  g_autoptr(PGresult) first = NULL;
  g_autoptr(PGresult) second = NULL;
  const char *params_a[2] = { user, "6281100000001" };
  const char *params_b[2] = { user, "6281100000002" };
  OrderCheck check = { reader, user, NULL };

  check.before = g_strdup_printf ("%" G_GINT64_FORMAT,
                                  query_int (su, "select last_seq from private.sync_counters "
                                                 "where master_user_id = $1", user));
  race (su, a, b, user, contact_insert, params_a, params_b, reader_sees_nothing, &check,
        &first, &second);
  g_free (check.before);

  g_assert_cmpint (g_ascii_strtoll (PQgetvalue (first, 0, 1), NULL, 10), <,
                   g_ascii_strtoll (PQgetvalue (second, 0, 1), NULL, 10));
}

typedef struct
{
  const char *user;
  guint       writer;
  GPtrArray  *ids;
  gint       *finished;
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  g_autoptr(PGconn) conn = connect_as ("authenticator");

  for (guint i = 0; i < WRITES_PER_WRITER; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812%02u%06u", w->writer, i);
      g_autoptr(PGresult) res = NULL;

      begin_as (conn, w->user);
      res = exec_ok (conn, contact_insert, w->user, phone, NULL);
      g_ptr_array_add (w->ids, g_strdup (PQgetvalue (res, 0, 0)));
      /* Commit late and at random, so that a row written first often
       * commits last: the case a timestamp checkpoint gets wrong. */
      exec_command (conn, "select pg_sleep(random() * 0.004)");
      exec_command (conn, "commit");
    }
  g_atomic_int_inc (w->finished);

  return NULL;
}

/* A device pulling "server_seq > checkpoint" page by page while two others
 * write never skips a row. */
static void
test_poller_never_skips (void)
{
  g_autoptr(PGconn) su = connect_as (g_getenv ("PGUSER"));
  g_autoptr(PGconn) reader = connect_as ("authenticator");
  g_autofree char *user = create_user (su);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Writer writers[WRITERS];
  GThread *threads[WRITERS];
  gint finished = 0;
  gint64 checkpoint = 0;
  guint pages = 0;

  for (guint i = 0; i < WRITERS; i++)
    {
      writers[i] = (Writer) { user, i, g_ptr_array_new_with_free_func (g_free), &finished };
      threads[i] = g_thread_new ("writer", writer_thread, &writers[i]);
    }

  for (;;)
    {
      /* Read before polling: if every writer had committed by then, an
       * empty page means the poller has everything. */
      gboolean all_committed = g_atomic_int_get (&finished) == WRITERS;
      g_autofree char *cp = g_strdup_printf ("%" G_GINT64_FORMAT, checkpoint);
      g_autoptr(PGresult) page = NULL;

      begin_as (reader, user);
      page = exec_ok (reader, "select id, server_seq from public.contacts where server_seq > $1::bigint "
                              "order by server_seq limit 20", cp, NULL);
      exec_command (reader, "commit");
      pages++;
      for (int row = 0; row < PQntuples (page); row++)
        {
          gint64 seq = g_ascii_strtoll (PQgetvalue (page, row, 1), NULL, 10);

          g_assert_cmpint (seq, >, checkpoint);
          checkpoint = seq;
          g_assert_true (g_hash_table_add (seen, g_strdup (PQgetvalue (page, row, 0))));
        }
      if (PQntuples (page) == 0)
        {
          if (all_committed)
            break;
          g_usleep (1000);
        }
    }

  for (guint i = 0; i < WRITERS; i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (writers[i].ids->len, ==, WRITES_PER_WRITER);
      for (guint j = 0; j < writers[i].ids->len; j++)
        if (!g_hash_table_contains (seen, writers[i].ids->pdata[j]))
          g_error ("the poller skipped row %s", (char *) writers[i].ids->pdata[j]);
      g_ptr_array_unref (writers[i].ids);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, WRITERS * WRITES_PER_WRITER);
  g_test_message ("%u pages polled while writing", pages);
}

/* A PATCH that finds its row locked by an upsert of the same tenant waits
 * for the tenant's lock before locking any row, so the two cannot
 * deadlock (40P01) whatever order they touch rows in. */
static void
test_no_deadlock (void)
{
  g_autoptr(PGconn) su = connect_as (g_getenv ("PGUSER"));
  g_autoptr(PGconn) a = connect_as ("authenticator");
  g_autoptr(PGconn) b = connect_as ("authenticator");
  g_autofree char *user = create_user (su);
  g_autoptr(PGresult) made = NULL;
  g_autoptr(PGresult) patched = NULL;
  const char *update = "update public.contacts set name = $2, last_op_id = gen_random_uuid(), "
                       "base_version = version where id = $1";
  const char *params[2];
  g_autofree char *id = NULL;

  begin_as (a, user);
  made = exec_ok (a, contact_insert, user, "6281300000001", NULL);
  id = g_strdup (PQgetvalue (made, 0, 0));
  exec_command (a, "commit");

  begin_as (a, user);
  exec_command (a, "insert into public.groups (id, master_user_id, name, last_op_id) "
                   "select gen_random_uuid(), private.current_master_id(), 'VIP', gen_random_uuid()");

  begin_as (b, user);
  params[0] = id;
  params[1] = "from B";
  g_assert_true (PQsendQueryParams (b, update, 2, NULL, params, NULL, NULL, 0));
  wait_until_blocked (su, b);

  /* A now takes the row B wants: without the statement lock B would hold
   * it and wait for the counter A holds. */
  g_clear_pointer (&made, PQclear);
  made = exec_ok (a, update, id, "from A", NULL);
  g_assert_cmpstr (PQcmdTuples (made), ==, "1");
  exec_command (a, "commit");
  patched = finish_sent (b);
  g_assert_cmpstr (PQcmdTuples (patched), ==, "1");
  exec_command (b, "commit");

  g_assert_cmpint (query_int (su, "select version from public.contacts where id = $1", id), ==, 3);
}

/* Two devices reserve 300 of 500 at the same moment: the second waits for
 * the first and is told what is left. */
static void
test_quota_two_devices (void)
{
  g_autoptr(PGconn) su = connect_as (g_getenv ("PGUSER"));
  g_autoptr(PGconn) a = connect_as ("authenticator");
  g_autoptr(PGconn) b = connect_as ("authenticator");
  g_autofree char *user = create_user (su);
  g_autofree char *id_a = g_uuid_string_random ();
  g_autofree char *id_b = g_uuid_string_random ();
  g_autoptr(PGresult) first = NULL;
  g_autoptr(PGresult) second = NULL;
  const char *params_a[2] = { id_a, "300" };
  const char *params_b[2] = { id_b, "300" };

  race (su, a, b, user, reserve, params_a, params_b, NULL, NULL, &first, &second);

  g_assert_cmpstr (PQgetvalue (first, 0, 0), ==, "true");
  g_assert_cmpstr (PQgetvalue (second, 0, 0), ==, "false");
  g_assert_cmpstr (PQgetvalue (second, 0, 2), ==, "200");
  g_assert_cmpint (query_int (su, "select messages_reserved from public.user_quotas "
                                  "where master_user_id = $1", user), ==, 300);
}

typedef struct
{
  const char *user;
  GPtrArray  *ids;        /* the reservations this client was granted */
  GArray     *amounts;
  guint       refused;
} QuotaClient;

static gpointer
quota_client_thread (gpointer data)
{
  QuotaClient *c = data;
  g_autoptr(PGconn) conn = connect_as ("authenticator");

  for (guint i = 0; i < QUOTA_CALLS; i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      gint amount = g_random_int_range (1, 21);
      g_autofree char *amount_text = g_strdup_printf ("%d", amount);
      gboolean granted = FALSE;

      /* Every reservation is sent twice, as after a lost reply. */
      for (guint attempt = 0; attempt < 2; attempt++)
        {
          g_autoptr(PGresult) res = NULL;

          begin_as (conn, c->user);
          res = exec_ok (conn, reserve, id, amount_text, NULL);
          exec_command (conn, "commit");
          if (g_str_equal (PQgetvalue (res, 0, 0), "false"))
            {
              /* Only a new reservation can be refused, never a replay. */
              g_assert_false (granted);
              c->refused++;
              break;
            }
          g_assert_cmpstr (PQgetvalue (res, 0, 1), ==, granted ? "true" : "false");
          granted = TRUE;
        }
      if (granted)
        {
          g_ptr_array_add (c->ids, g_steal_pointer (&id));
          g_array_append_val (c->amounts, amount);
        }
    }

  return NULL;
}

/* Eight clients of one tenant reserve at once, each request sent twice:
 * the allowance is never overdrawn, every grant is one reservation, and
 * what the quota row holds is exactly what was granted. */
static void
test_quota_many_clients (void)
{
  g_autoptr(PGconn) su = connect_as (g_getenv ("PGUSER"));
  g_autofree char *user = create_user (su);
  QuotaClient clients[QUOTA_CLIENTS];
  GThread *threads[QUOTA_CLIENTS];
  gint64 granted = 0;
  guint n_granted = 0;
  guint refused = 0;

  for (guint i = 0; i < QUOTA_CLIENTS; i++)
    {
      clients[i] = (QuotaClient) { user, g_ptr_array_new_with_free_func (g_free),
                                   g_array_new (FALSE, FALSE, sizeof (gint)), 0 };
      threads[i] = g_thread_new ("quota", quota_client_thread, &clients[i]);
    }
  for (guint i = 0; i < QUOTA_CLIENTS; i++)
    {
      g_thread_join (threads[i]);
      for (guint j = 0; j < clients[i].amounts->len; j++)
        granted += g_array_index (clients[i].amounts, gint, j);
      n_granted += clients[i].ids->len;
      refused += clients[i].refused;
      g_ptr_array_unref (clients[i].ids);
      g_array_unref (clients[i].amounts);
    }

  /* 200 requests of 10.5 on average ask for about 2,100 of 500. */
  g_assert_cmpuint (refused, >, 0);
  g_assert_cmpint (granted, <=, 500);
  g_assert_cmpint (granted, >, 500 - 20);
  g_assert_cmpint (query_int (su, "select messages_reserved from public.user_quotas "
                                  "where master_user_id = $1", user), ==, granted);
  g_assert_cmpint (query_int (su, "select count(*) from public.quota_reservations "
                                  "where master_user_id = $1", user), ==, n_granted);
  g_assert_cmpint (query_int (su, "select coalesce(sum(amount), 0) from public.quota_reservations "
                                  "where master_user_id = $1", user), ==, granted);
}

/* The same reservation sent by two connections at once (a retry racing
 * the original) is one reservation. */
static void
test_quota_same_id_twice (void)
{
  g_autoptr(PGconn) su = connect_as (g_getenv ("PGUSER"));
  g_autoptr(PGconn) a = connect_as ("authenticator");
  g_autoptr(PGconn) b = connect_as ("authenticator");
  g_autofree char *user = create_user (su);
  g_autofree char *id = g_uuid_string_random ();
  g_autoptr(PGresult) first = NULL;
  g_autoptr(PGresult) second = NULL;
  const char *params[2] = { id, "120" };

  race (su, a, b, user, reserve, params, params, NULL, NULL, &first, &second);

  g_assert_cmpstr (PQgetvalue (first, 0, 1), ==, "false");
  g_assert_cmpstr (PQgetvalue (second, 0, 0), ==, "true");
  g_assert_cmpstr (PQgetvalue (second, 0, 1), ==, "true");
  g_assert_cmpint (query_int (su, "select messages_reserved from public.user_quotas "
                                  "where master_user_id = $1", user), ==, 120);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/supabase/sync/commit-order", test_commit_order);
  g_test_add_func ("/supabase/sync/poller-never-skips", test_poller_never_skips);
  g_test_add_func ("/supabase/sync/no-deadlock", test_no_deadlock);
  g_test_add_func ("/supabase/quota/two-devices", test_quota_two_devices);
  g_test_add_func ("/supabase/quota/many-clients", test_quota_many_clients);
  g_test_add_func ("/supabase/quota/same-id-twice", test_quota_same_id_twice);

  return g_test_run ();
}
