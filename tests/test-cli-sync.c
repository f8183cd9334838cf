/* test-cli-sync.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sys/file.h>
#include <unistd.h>

#include "xi-sync-test-utils.h"
#include "xi-test-utils.h"

/*
 * `xender-in-cli` as two computers of one shop: two data folders
 * configured for one project and signed in to one account, syncing
 * through the gateway to PostgreSQL with the project's migrations.
 */

static FsRig *rig;

/* Auxiliary methods */

/* Runs the CLI on @dir with @input on its standard input; returns its
 * exit status and its standard output in @out. */
static int
cli (const char  *dir,
     const char  *input,
     char       **out,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (args, (gpointer) g_getenv ("XI_CLI"));
  g_ptr_array_add (args, (gpointer) "--data-dir");
  g_ptr_array_add (args, (gpointer) dir);
  va_start (ap, out);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  process = g_subprocess_newv ((const char * const *) args->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input != NULL ? input : "", NULL,
                                 &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);
  /* The password must never be echoed or logged. */
  g_assert_null (strstr (stdout_text, "correct horse"));
  g_assert_null (strstr (stderr_text, "correct horse"));
  if (g_test_verbose ())
    g_printerr ("%s%s", stdout_text, stderr_text);
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  return g_subprocess_get_exit_status (process);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

static guint
count_contacts (const char *dir)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (cli (dir, NULL, &out, "--json", "contacts", "list", NULL), ==, 0);
  node = json_from_string (out, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  return json_array_get_length (json_node_get_array (node));
}

/* Tests */

static void
test_two_computers (void)
{
  g_autofree char *a = xi_test_make_tmpdir ();
  g_autofree char *b = xi_test_make_tmpdir ();
  g_autofree char *email = g_strdup_printf ("cli-%08x@example.com", g_random_int ());
  g_autofree char *out = NULL;
  g_autoptr(JsonObject) stats = NULL;
  g_autoptr(JsonObject) status = NULL;
  g_autofree char *credit = NULL;
  g_autofree char *held = NULL;
  JsonObject *quota;
  JsonArray *payments;
  const char *url = fs_rig_get_url (rig);
  const char *key = fs_rig_get_anon_key (rig);

  /* The signed-out profile of B has a contact of its own. */
  g_assert_cmpint (cli (b, NULL, NULL, "contacts", "add", "--name", "Local", "6281300000009", NULL), ==, 0);

  g_assert_cmpint (cli (a, NULL, NULL, "sync", "configure", "http://example.com", key, NULL), ==, 1);
  g_assert_cmpint (cli (a, NULL, NULL, "login", email, NULL), ==, 1);
  g_assert_cmpint (cli (a, NULL, NULL, "sync", "configure", url, key, NULL), ==, 0);
  g_assert_cmpint (cli (b, NULL, NULL, "sync", "configure", url, key, NULL), ==, 0);
  g_assert_cmpint (cli (a, "correct horse battery\n", NULL, "login", "--new", email, NULL), ==, 0);
  g_assert_cmpint (cli (b, "wrong password\n", NULL, "login", email, NULL), ==, 1);
  g_assert_cmpint (cli (b, "correct horse battery\n", NULL, "login", email, NULL), ==, 0);

  /* Signed in, B opens the account's own folder: not the local contact. */
  g_assert_cmpuint (count_contacts (b), ==, 0);

  g_assert_cmpint (cli (a, NULL, NULL, "contacts", "add", "--name", "Ayu", "6281300000001", NULL), ==, 0);
  g_assert_cmpint (cli (a, NULL, NULL, "contacts", "add", "--name", "Budi", "6281300000002", NULL), ==, 0);
  g_assert_cmpint (cli (a, NULL, &out, "--json", "sync", "--once", NULL), ==, 0);
  stats = parse_object (out);
  g_assert_cmpint (json_object_get_int_member (stats, "pushed"), >=, 2);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (cli (b, NULL, NULL, "sync", "--once", NULL), ==, 0);
  g_assert_cmpuint (count_contacts (b), ==, 2);

  g_assert_cmpint (cli (b, NULL, &out, "--json", "status", NULL), ==, 0);
  status = parse_object (out);
  g_assert_true (json_object_get_boolean_member (status, "signed_in"));
  g_assert_true (json_object_get_boolean_member (status, "online"));
  g_assert_cmpstr (json_object_get_string_member (status, "email"), ==, email);
  g_assert_cmpint (json_object_get_int_member (status, "pending"), ==, 0);
  quota = json_object_get_object_member (status, "quota");
  g_assert_cmpstr (json_object_get_string_member (quota, "plan"), ==, "free");
  g_assert_cmpint (json_object_get_int_member (quota, "limit"), ==, 500);
  g_assert_cmpint (json_object_get_int_member (quota, "reserved"), ==, 0);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (status, "payments")), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&status, json_object_unref);

  /* A payment and what campaigns hold, as the server has them, reach the
   * status of B at its next sync. */
  credit = g_strdup_printf ("select public.credit_payment('order-%s', (select id from auth.users"
                            " where email = '%s'), 150000, 'IDR', 1000)", email, email);
  g_assert_true (fs_rig_sql (rig, credit, NULL));
  held = g_strdup_printf ("update public.user_quotas set messages_reserved = 40, messages_used = 7"
                          " where master_user_id = (select id from auth.users where email = '%s')",
                          email);
  g_assert_true (fs_rig_sql (rig, held, NULL));
  g_assert_cmpint (cli (b, NULL, NULL, "sync", "--once", NULL), ==, 0);
  g_assert_cmpint (cli (b, NULL, &out, "--json", "status", NULL), ==, 0);
  status = parse_object (out);
  quota = json_object_get_object_member (status, "quota");
  g_assert_cmpint (json_object_get_int_member (quota, "limit"), ==, 1500);
  g_assert_cmpint (json_object_get_int_member (quota, "used"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (quota, "reserved"), ==, 40);
  g_assert_cmpint (json_object_get_int_member (quota, "available"), ==, 1453);
  payments = json_object_get_array_member (status, "payments");
  g_assert_cmpint (json_array_get_length (payments), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (payments, 0),
                                                  "status"), ==, "paid");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (payments, 0),
                                               "messages"), ==, 1000);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&status, json_object_unref);
  g_assert_cmpint (cli (b, NULL, &out, "status", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "7 of 1500 messages used, 40 held by campaigns, 1453 available"));
  g_clear_pointer (&out, g_free);

  /* A change the server refuses is listed with its reason, then sent
   * again once the server takes it. */
  g_assert_true (fs_rig_sql (rig, "alter table public.contacts add constraint test_refuse"
                                  " check (name <> 'Refuse me')", NULL));
  g_assert_cmpint (cli (b, NULL, NULL, "contacts", "add", "--name", "Refuse me", "6281300000003", NULL), ==, 0);
  g_assert_cmpint (cli (b, NULL, NULL, "sync", "--once", NULL), ==, 0);
  g_assert_cmpint (cli (b, NULL, &out, "--json", "sync", "refused", NULL), ==, 0);
  {
    g_autoptr(JsonNode) node = json_from_string (out, NULL);
    JsonObject *refused;

    g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, 1);
    refused = json_array_get_object_element (json_node_get_array (node), 0);
    g_assert_nonnull (strstr (json_object_get_string_member (refused, "reason"), "23514"));
    g_assert_true (fs_rig_sql (rig, "alter table public.contacts drop constraint test_refuse", NULL));
    g_assert_cmpint (cli (b, NULL, NULL, "sync", "retry", "no-such-id", NULL), ==, 1);
    g_assert_cmpint (cli (b, NULL, NULL, "sync", "retry",
                          json_object_get_string_member (refused, "id"), NULL), ==, 0);
  }
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (cli (b, NULL, NULL, "sync", "--once", NULL), ==, 0);
  g_assert_cmpint (cli (b, NULL, &out, "--json", "status", NULL), ==, 0);
  g_clear_pointer (&status, json_object_unref);
  status = parse_object (out);
  g_assert_cmpint (json_object_get_int_member (status, "refused"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (status, "pending"), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&status, json_object_unref);
  g_assert_cmpint (cli (a, NULL, NULL, "sync", "--once", NULL), ==, 0);
  g_assert_cmpuint (count_contacts (a), ==, 3);

  /* Signed out, B is its signed-out self again, with its own contact. */
  g_assert_cmpint (cli (b, NULL, NULL, "logout", NULL), ==, 0);
  g_assert_cmpuint (count_contacts (b), ==, 1);
  g_assert_cmpint (cli (b, NULL, &out, "--json", "status", NULL), ==, 0);
  status = parse_object (out);
  g_assert_false (json_object_get_boolean_member (status, "signed_in"));
  g_assert_cmpint (cli (b, NULL, NULL, "sync", "--once", NULL), ==, 1);

  /* Signing in again finds the account's data where it was. */
  g_assert_cmpint (cli (b, "correct horse battery\n", NULL, "login", email, NULL), ==, 0);
  g_assert_cmpuint (count_contacts (b), ==, 3);

  xi_test_rm_rf (a);
  xi_test_rm_rf (b);
}

/* Whether @condition holds on the server, asked as the superuser. */
static gboolean
server_holds (const char *condition)
{
  g_autofree char *statement = g_strdup_printf ("do $$ begin if not (%s) then"
                                                " raise exception 'not yet'; end if; end $$",
                                                condition);

  return fs_rig_sql (rig, statement, NULL);
}

/* `sync --once` is killed after the server committed its push and before
 * the reply reached it. Started again, it sends the same ops, which the
 * server knows: each row is written once, none is lost, and the other
 * computer gets them all once. */
static void
test_killed_after_commit (void)
{
  g_autofree char *a = xi_test_make_tmpdir ();
  g_autofree char *b = xi_test_make_tmpdir ();
  g_autofree char *email = g_strdup_printf ("kill-%08x@example.com", g_random_int ());
  g_autofree char *committed = NULL;
  g_autofree char *written_once = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(JsonObject) status = NULL;
  g_autoptr(GError) error = NULL;
  const char *url = fs_rig_get_url (rig);
  const char *key = fs_rig_get_anon_key (rig);
  gint64 deadline;

  g_assert_cmpint (cli (a, NULL, NULL, "sync", "configure", url, key, NULL), ==, 0);
  g_assert_cmpint (cli (b, NULL, NULL, "sync", "configure", url, key, NULL), ==, 0);
  g_assert_cmpint (cli (a, "correct horse battery\n", NULL, "login", "--new", email, NULL), ==, 0);
  g_assert_cmpint (cli (b, "correct horse battery\n", NULL, "login", email, NULL), ==, 0);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62813100000%02u", i);

      g_assert_cmpint (cli (a, NULL, NULL, "contacts", "add", "--name", "Intan", phone, NULL), ==, 0);
    }

  committed = g_strdup_printf ("(select count(*) from public.contacts c join auth.users u"
                               " on u.id = c.master_user_id where u.email = '%s') = 4", email);
  written_once = g_strdup_printf ("not exists (select 1 from public.contacts c join auth.users u"
                                  " on u.id = c.master_user_id where u.email = '%s'"
                                  " and c.version <> 1)", email);
  xi_sync_test_control (rig, "stall-after-commit?ms=20000&path=/rest/v1/contacts&method=POST");
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, g_getenv ("XI_CLI"), "--data-dir", a, "sync", "--once", NULL);
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (!server_holds (committed) && g_get_monotonic_time () < deadline)
    g_usleep (50 * 1000);
  g_assert_true (server_holds (committed));
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_subprocess_get_if_exited (process));

  /* The ops are still there, as far as this computer knows unsent. */
  g_assert_cmpint (cli (a, NULL, &out, "--json", "status", NULL), ==, 0);
  status = parse_object (out);
  g_assert_cmpint (json_object_get_int_member (status, "pending"), ==, 4);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&status, json_object_unref);

  xi_sync_test_control (rig, "reset");
  g_assert_cmpint (cli (a, NULL, NULL, "sync", "--once", NULL), ==, 0);
  g_assert_cmpint (cli (a, NULL, &out, "--json", "status", NULL), ==, 0);
  status = parse_object (out);
  g_assert_cmpint (json_object_get_int_member (status, "pending"), ==, 0);
  g_assert_true (server_holds (committed));
  g_assert_true (server_holds (written_once));

  g_assert_cmpint (cli (b, NULL, NULL, "sync", "--once", NULL), ==, 0);
  g_assert_cmpuint (count_contacts (b), ==, 4);

  xi_test_rm_rf (a);
  xi_test_rm_rf (b);
}

/* Signs @dir in to a new account of @email with Ayu (@kept), syncs, adds
 * Budi (@lost) and syncs; then the server goes back to a copy from
 * before Budi: his row and the counter as they were. Returns the SQL for
 * the account's id. */
static char *
restore_without (const char *dir,
                 const char *email,
                 const char *kept,
                 const char *lost)
{
  g_autofree char *master = g_strdup_printf ("(select id from auth.users where email = '%s')",
                                             email);
  g_autofree char *backup = NULL;
  g_autofree char *restore = NULL;

  g_assert_cmpint (cli (dir, NULL, NULL, "sync", "configure", fs_rig_get_url (rig),
                        fs_rig_get_anon_key (rig), NULL), ==, 0);
  g_assert_cmpint (cli (dir, "correct horse battery\n", NULL, "login", "--new", email, NULL), ==, 0);
  g_assert_cmpint (cli (dir, NULL, NULL, "contacts", "add", "--name", "Ayu", kept, NULL), ==, 0);
  g_assert_cmpint (cli (dir, NULL, NULL, "sync", "--once", NULL), ==, 0);

  backup = g_strdup_printf ("create table public.cli_backup_%08x as select last_seq"
                            " from private.sync_counters where master_user_id = %s",
                            g_str_hash (email), master);
  g_assert_true (fs_rig_sql (rig, backup, NULL));
  g_assert_cmpint (cli (dir, NULL, NULL, "contacts", "add", "--name", "Budi", lost, NULL), ==, 0);
  g_assert_cmpint (cli (dir, NULL, NULL, "sync", "--once", NULL), ==, 0);

  restore = g_strdup_printf ("begin; set local session_replication_role = replica;"
                             " delete from public.contacts where master_user_id = %s"
                             " and phone = '%s';"
                             " update private.sync_counters set last_seq ="
                             " (select last_seq from public.cli_backup_%08x)"
                             " where master_user_id = %s;"
                             " drop table public.cli_backup_%08x; commit;",
                             master, lost, g_str_hash (email), master, g_str_hash (email));
  g_assert_true (fs_rig_sql (rig, restore, NULL));
  return g_steal_pointer (&master);
}

/* The server is put back to a copy from before Budi was added: `sync`
 * says so in the user's words, and Budi goes back to the server. */
static void
test_server_restored (void)
{
  g_autofree char *a = xi_test_make_tmpdir ();
  g_autofree char *email = g_strdup_printf ("restore-%08x@example.com", g_random_int ());
  g_autofree char *master = restore_without (a, email, "6281300000021", "6281300000022");
  g_autofree char *both = NULL;
  g_autofree char *out = NULL;

  g_assert_cmpint (cli (a, NULL, &out, "sync", "--once", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "put back to an earlier copy of your data. 1 item it lost"));
  g_assert_cmpint (cli (a, NULL, NULL, "sync", "--once", NULL), ==, 0);
  both = g_strdup_printf ("(select count(*) from public.contacts where master_user_id = %s"
                          " and not deleted) = 2", master);
  g_assert_true (server_holds (both));
  g_assert_cmpuint (count_contacts (a), ==, 2);

  xi_test_rm_rf (a);
}

/* The SQLite file of the one account signed in on @dir. */
static char *
account_db (const char *dir)
{
  g_autofree char *accounts = g_build_filename (dir, "accounts", NULL);
  g_autoptr(GDir) folders = g_dir_open (accounts, 0, NULL);
  const char *name;

  g_assert_nonnull (folders);
  name = g_dir_read_name (folders);
  g_assert_nonnull (name);
  g_assert_null (g_dir_read_name (folders));
  return g_build_filename (accounts, name, "xender-in.db", NULL);
}

/* `sync --once` is killed while it reads the contacts again after the
 * server was put back to an earlier copy. Started again, it goes on with
 * that re-read instead of forgetting it: the user is told, and Budi,
 * whom the server lost, goes back to it. */
static void
test_killed_mid_restore (void)
{
  g_autofree char *a = xi_test_make_tmpdir ();
  g_autofree char *email = g_strdup_printf ("reread-%08x@example.com", g_random_int ());
  g_autofree char *master = restore_without (a, email, "6281300000031", "6281300000032");
  g_autofree char *db = account_db (a);
  g_autofree char *both = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *begun = "SELECT count(*) FROM sync_state WHERE key = 'restore:contacts'";
  gint64 deadline;

  /* The re-read of the contacts has begun on disk when its first page is
   * asked for; the server holds that request until the kill. */
  xi_sync_test_control (rig, "delay?ms=20000&path=/rest/v1/contacts&method=GET");
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, g_getenv ("XI_CLI"), "--data-dir", a, "sync", "--once", NULL);
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (xi_test_sqlite_int (db, begun) == 0 && g_get_monotonic_time () < deadline)
    g_usleep (50 * 1000);
  g_assert_cmpint (xi_test_sqlite_int (db, begun), ==, 1);
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_subprocess_get_if_exited (process));
  xi_sync_test_control (rig, "reset");

  g_assert_cmpint (cli (a, NULL, &out, "sync", "--once", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "put back to an earlier copy of your data. 1 item it lost"));
  g_assert_cmpint (xi_test_sqlite_int (db, begun), ==, 0);
  g_assert_cmpint (cli (a, NULL, NULL, "sync", "--once", NULL), ==, 0);
  both = g_strdup_printf ("(select count(*) from public.contacts where master_user_id = %s"
                          " and not deleted) = 2", master);
  g_assert_true (server_holds (both));
  g_assert_cmpuint (count_contacts (a), ==, 2);

  xi_test_rm_rf (a);
}

/* Another program (the app) syncs the folder: `sync --once` waits for
 * it rather than syncing alongside. It goes ahead once the other is done,
 * and says so and fails when the other goes on too long, so cron can try
 * again later. */
static void
test_other_program_syncing (void)
{
  g_autofree char *a = xi_test_make_tmpdir ();
  g_autofree char *email = g_strdup_printf ("turns-%08x@example.com", g_random_int ());
  g_autofree char *db = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *lock = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started;
  int fd;

  g_assert_cmpint (cli (a, NULL, NULL, "sync", "configure", fs_rig_get_url (rig),
                        fs_rig_get_anon_key (rig), NULL), ==, 0);
  g_assert_cmpint (cli (a, "correct horse battery\n", NULL, "login", "--new", email, NULL), ==, 0);
  g_assert_cmpint (cli (a, NULL, NULL, "contacts", "add", "--name", "Ayu", "6281300000041", NULL),
                   ==, 0);
  db = account_db (a);
  dir = g_path_get_dirname (db);
  lock = g_build_filename (dir, "sync.lock", NULL);
  fd = g_open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (flock (fd, LOCK_EX | LOCK_NB), ==, 0);

  /* Held throughout: the pass gives up without touching the outbox. */
  started = g_get_monotonic_time ();
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error, g_getenv ("XI_CLI"), "--data-dir", a, "sync", "--once",
                              NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  g_assert_nonnull (strstr (err, "Another program is syncing this data folder"));
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (xi_test_sqlite_int (db, "SELECT count(*) FROM sync_outbox"), >, 0);
  g_clear_object (&process);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Let go a moment after the pass started: it waits, then syncs. */
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error, g_getenv ("XI_CLI"), "--data-dir", a, "sync", "--once",
                              NULL);
  g_assert_no_error (error);
  g_usleep (G_USEC_PER_SEC);
  g_assert_cmpint (xi_test_sqlite_int (db, "SELECT count(*) FROM sync_outbox"), >, 0);
  close (fd);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_cmpint (xi_test_sqlite_int (db, "SELECT count(*) FROM sync_outbox"), ==, 0);

  xi_test_rm_rf (a);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli-sync/two-computers", test_two_computers);
  g_test_add_func ("/cli-sync/killed-after-commit", test_killed_after_commit);
  g_test_add_func ("/cli-sync/server-restored", test_server_restored);
  g_test_add_func ("/cli-sync/killed-mid-restore", test_killed_mid_restore);
  g_test_add_func ("/cli-sync/other-program-syncing", test_other_program_syncing);

  return xi_sync_test_run (&rig);
}
