/* test-connection.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "fakewa-server.h"
#include "wa-error.h"
#include "xi-campaign-runner.h"
#include "xi-connection.h"
#include "xi-fake-monitor.h"
#include "xi-loopback-transport.h"
#include "xi-phone.h"
#include "xi-test-utils.h"

/*
 * XiConnection as the application uses it: a real store, the campaign
 * runner's network thread, and the fake WhatsApp server in this process
 * (served by the main context the test spins). Linking by QR, a dropped
 * socket, the server unlinking the device, the user unlinking it, and a
 * restart that logs in from the saved session without a code.
 */

#define PHONE "6281234567890"

/* Set when a test runs again in a process of its own, its folder on a
 * tmpfs there (xi_test_spawn_on_tmpfs ()). */
#define ON_TMPFS "XI_TEST_CONNECTION_ON_TMPFS"

typedef struct
{
  char             *dir;
  XiStore          *store;
  FakewaServer     *server;
  XiCampaignRunner *runner;
  XiConnection     *connection;
  guint             n_qr;        /* how many codes the connection published */
} Fixture;

static void
qr_cb (XiConnection *connection,
       GParamSpec   *pspec,
       Fixture      *f)
{
  if (xi_connection_get_qr (connection) != NULL)
    f->n_qr++;
}

static void
start_connection_with (Fixture         *f,
                       GNetworkMonitor *monitor)
{
  g_test_message ("connecting to %s", fakewa_server_get_url (f->server));
  f->n_qr = 0;
  f->connection = xi_connection_new (f->store, xi_campaign_runner_get_network_context (f->runner),
                                     fakewa_server_get_url (f->server), fakewa_server_get_root_key (f->server));
  xi_connection_set_backoff (f->connection, 300, 1000);
  if (monitor != NULL)
    xi_connection_set_network_monitor (f->connection, monitor);
  g_signal_connect (f->connection, "notify::qr", G_CALLBACK (qr_cb), f);
  xi_connection_start (f->connection);
}

static void
start_connection (Fixture *f)
{
  start_connection_with (f, NULL);
}

static void
stop_connection (Fixture *f)
{
  xi_connection_stop (f->connection);
  g_signal_handlers_disconnect_by_data (f->connection, f);
  g_clear_object (&f->connection);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *journal = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  f->dir = g_getenv (ON_TMPFS) != NULL ? g_strdup (g_getenv (ON_TMPFS)) : xi_test_make_tmpdir ();
  path = g_build_filename (f->dir, "store.db", NULL);
  f->store = xi_store_new (path);
  xi_store_open_async (f->store, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  g_assert_true (xi_store_open_finish (f->store, result, &error));

  f->server = fakewa_server_new (&error);
  g_assert_no_error (error);

  journal = g_build_filename (f->dir, "loopback-journal.tsv", NULL);
  f->runner = xi_campaign_runner_new (f->store, xi_loopback_transport_factory, g_steal_pointer (&journal), g_free);
  g_assert_true (xi_campaign_runner_start (f->runner, &error));
  g_assert_no_error (error);

  start_connection (f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  /* The order of the application's shutdown. */
  stop_connection (f);
  xi_campaign_runner_stop (f->runner);
  g_clear_object (&f->runner);
  g_clear_object (&f->server);
  xi_store_close (f->store);
  g_clear_object (&f->store);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  xi_test_rm_rf (f->dir);
  g_free (f->dir);
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
wait_for_status (Fixture            *f,
                 XiConnectionStatus  status)
{
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (50, wake_cb, NULL);

  while (xi_connection_get_status (f->connection) != status)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Waited for %s, still %s (%s)", g_enum_to_string (XI_TYPE_CONNECTION_STATUS, status),
                 g_enum_to_string (XI_TYPE_CONNECTION_STATUS, xi_connection_get_status (f->connection)),
                 xi_connection_get_reason (f->connection));
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

static void
spin (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + milliseconds * 1000;
  guint wake = g_timeout_add (20, wake_cb, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

static guint
count_saved_keys (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GHashTable) keys = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  xi_store_load_keys_async (f->store, NULL, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  keys = xi_store_load_keys_finish (f->store, result, &error);
  g_assert_no_error (error);
  return g_hash_table_size (keys);
}

/* Links the connection as a device of PHONE, through the phone's scan. */
static void
link_device (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = xi_phone_format_international (PHONE);

  xi_connection_link (f->connection);
  wait_for_status (f, XI_CONNECTION_STATUS_LINKING);
  while (xi_connection_get_qr (f->connection) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (xi_connection_is_linked (f->connection));

  g_assert_true (fakewa_server_scan (f->server, xi_connection_get_qr (f->connection), PHONE, &error));
  g_assert_no_error (error);
  wait_for_status (f, XI_CONNECTION_STATUS_CONNECTED);
  g_assert_true (xi_connection_is_linked (f->connection));
  g_assert_cmpstr (xi_connection_get_phone (f->connection), ==, number);
  g_assert_cmpstr (xi_connection_get_device_name (f->connection), ==, "Xender-In");
  g_assert_null (xi_connection_get_qr (f->connection));
  g_assert_null (xi_connection_get_reason (f->connection));
}

static void
test_link (Fixture       *f,
           gconstpointer  data)
{
  /* No session: nothing connects until the user asks. */
  wait_for_status (f, XI_CONNECTION_STATUS_NOT_LINKED);
  spin (300);
  g_assert_cmpuint (fakewa_server_get_n_clients (f->server), ==, 0);
  g_assert_false (xi_connection_is_linked (f->connection));
  g_assert_null (xi_connection_get_phone (f->connection));
  g_assert_null (xi_connection_get_device_name (f->connection));

  link_device (f);
  g_assert_cmpuint (f->n_qr, >=, 1);

  /* A dropped socket: reconnecting, with a time to count down to. */
  fakewa_server_drop_all (f->server);
  wait_for_status (f, XI_CONNECTION_STATUS_RECONNECTING);
  g_assert_cmpint (xi_connection_get_retry_at (f->connection), >, 0);
  g_assert_cmpuint (xi_connection_get_seconds_to_retry (f->connection), <=, 1);
  g_assert_nonnull (xi_connection_get_reason (f->connection));
  g_assert_true (xi_connection_is_linked (f->connection));
  wait_for_status (f, XI_CONNECTION_STATUS_CONNECTED);
  g_assert_cmpint (xi_connection_get_retry_at (f->connection), ==, 0);

  /* The phone unlinks this computer: logged out, keys gone. */
  fakewa_server_stream_error (f->server, "401", NULL);
  wait_for_status (f, XI_CONNECTION_STATUS_LOGGED_OUT);
  g_assert_false (xi_connection_is_linked (f->connection));
  g_assert_null (xi_connection_get_phone (f->connection));
  g_assert_cmpuint (count_saved_keys (f), ==, 0);

  /* And it can be linked again. */
  link_device (f);
}

static void
test_cancel_link (Fixture       *f,
                  gconstpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  wait_for_status (f, XI_CONNECTION_STATUS_NOT_LINKED);
  xi_connection_link (f->connection);
  wait_for_status (f, XI_CONNECTION_STATUS_LINKING);
  while (xi_connection_get_qr (f->connection) == NULL)
    g_main_context_iteration (NULL, TRUE);

  /* The dialog closed before any phone scanned: nothing linked, and the
   * socket is closed. */
  xi_connection_cancel_link (f->connection);
  wait_for_status (f, XI_CONNECTION_STATUS_NOT_LINKED);
  g_assert_null (xi_connection_get_qr (f->connection));
  g_assert_null (xi_connection_get_reason (f->connection));
  while (fakewa_server_get_n_clients (f->server) > 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      spin (20);
    }
  g_assert_false (xi_connection_is_linked (f->connection));
}

static void
unlinked_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static void
test_unlink (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  gboolean removed = FALSE;

  link_device (f);
  g_assert_cmpuint (count_saved_keys (f), >, 0);

  xi_connection_unlink_async (f->connection, NULL, unlinked_cb, &slot);
  result = xi_test_wait_result (&slot);
  g_assert_true (xi_connection_unlink_finish (f->connection, result, &removed, &error));
  g_assert_no_error (error);
  g_assert_true (removed);

  /* The user did it: not linked, rather than "unlinked by the phone". */
  wait_for_status (f, XI_CONNECTION_STATUS_NOT_LINKED);
  g_assert_false (xi_connection_is_linked (f->connection));
  g_assert_cmpuint (count_saved_keys (f), ==, 0);
}

/* Unlinked while WhatsApp cannot be reached: the keys go all the same,
 * and the caller hears that the phone may still list this computer. */
static void
test_unlink_unconfirmed (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  gboolean removed = TRUE;

  link_device (f);
  fakewa_server_hold_handshakes (f->server, TRUE);
  fakewa_server_drop_all (f->server);
  wait_for_status (f, XI_CONNECTION_STATUS_RECONNECTING);

  xi_connection_unlink_async (f->connection, NULL, unlinked_cb, &slot);
  result = xi_test_wait_result (&slot);
  g_assert_true (xi_connection_unlink_finish (f->connection, result, &removed, &error));
  g_assert_no_error (error);
  g_assert_false (removed);
  wait_for_status (f, XI_CONNECTION_STATUS_NOT_LINKED);
  g_assert_cmpuint (count_saved_keys (f), ==, 0);
}

/* Takes every byte left in @dir's file system; returns the file that
 * holds them. */
static char *
fill_disk (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "filler", NULL);
  g_autofree guint8 *zeros = g_malloc0 (65536);
  int fd = g_open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  gsize chunk = 65536;

  g_assert_cmpint (fd, >=, 0);
  while (chunk > 0)
    if (write (fd, zeros, chunk) < 0)
      {
        g_assert_cmpint (errno, ==, ENOSPC);
        chunk /= 2;
      }
  g_assert_cmpint (close (fd), ==, 0);
  return g_steal_pointer (&path);
}

/* Runs the test again in a process of its own with its folder on a
 * tmpfs, where a full disk is real, and says whether this is that
 * process (the test goes on) rather than the one that waited for it. */
static gboolean
on_tmpfs (Fixture *f)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  g_autofree char *mnt = NULL;
  g_autofree char *self = NULL;

  if (g_getenv (ON_TMPFS) != NULL)
    return TRUE;
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  mnt = g_build_filename (f->dir, "mnt", NULL);
  self = g_file_read_link ("/proc/self/exe", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (mnt, 0700), ==, 0);
  g_subprocess_launcher_setenv (launcher, ON_TMPFS, mnt, TRUE);
  g_subprocess_launcher_setenv (launcher, "SELF", self, TRUE);
  g_subprocess_launcher_setenv (launcher, "TEST", g_test_get_path (), TRUE);
  /* Its own test output is not this one's: it is kept for a failure. */
  process = xi_test_spawn_on_tmpfs (launcher, mnt, "exec \"$SELF\" -p \"$TEST\"\n");
  if (process != NULL)
    g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  if (xi_test_tmpfs_wait (process) && !g_subprocess_get_successful (process))
    g_error ("On the tmpfs:\n%s", output);
  return FALSE;
}

/* The disk fills up while the code is shown: the phone scans it, but
 * the keys that make this computer the linked device cannot be written.
 * The dialog does not say "linked": the link is undone (the phone
 * forgets the device) and the user reads why and what to do: to remove
 * the device on the phone when WhatsApp did not confirm it gone (@data
 * TRUE: the server refuses the removal); with room again, linking works. */
static void
test_link_disk_full (Fixture       *f,
                     gconstpointer  data)
{
  gboolean refused = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *filler = NULL;

  if (!on_tmpfs (f))
    return;

  /* The key store warns of each write the full disk refuses, and the
   * client of the prekeys it therefore does not upload. */
  xi_test_tolerate_warning ("xi-key-store", "Could not save WhatsApp credentials: The disk is full");
  xi_test_tolerate_warning ("wa-client", "Could not keep new prekeys");
  fakewa_server_refuse_unlinks (f->server, refused);
  xi_connection_link (f->connection);
  wait_for_status (f, XI_CONNECTION_STATUS_LINKING);
  while (xi_connection_get_qr (f->connection) == NULL)
    g_main_context_iteration (NULL, TRUE);
  filler = fill_disk (f->dir);
  g_assert_true (fakewa_server_scan (f->server, xi_connection_get_qr (f->connection), PHONE, &error));
  g_assert_no_error (error);
  wait_for_status (f, XI_CONNECTION_STATUS_FAILED);
  g_assert_false (xi_connection_is_linked (f->connection));
  g_assert_null (xi_connection_get_phone (f->connection));
  /* The phone's list of linked devices does not keep it either; when
   * WhatsApp did not confirm that, the user is told to remove it. */
  g_assert_true (fakewa_server_has_device (f->server, PHONE ":1@s.whatsapp.net") == refused);
  if (refused)
    g_assert_cmpstr (xi_connection_get_reason (f->connection), ==,
                     "The disk is full: this computer could not keep its link to WhatsApp. Remove “Xender-In” "
                     "from Linked devices on the phone, free some space, then link it again.");
  else
    g_assert_cmpstr (xi_connection_get_reason (f->connection), ==,
                     "The disk is full: this computer could not keep its link to WhatsApp, so it unlinked "
                     "itself. Free some space, then link it again.");
  fakewa_server_refuse_unlinks (f->server, FALSE);

  g_assert_cmpint (g_unlink (filler), ==, 0);
  link_device (f);
}

static void
count_status_changes (XiConnection *connection,
                      GParamSpec   *pspec,
                      guint        *changes)
{
  (*changes)++;
}

/* Started on a full disk, with the server out of our prekeys: the new
 * ones cannot be kept, so none are uploaded, but the connection is kept
 * rather than logging in again and again (never connected, and
 * hammering WhatsApp). Once there is room again they are uploaded
 * without waiting for the daily key check. */
static void
test_start_disk_full (Fixture       *f,
                      gconstpointer  data)
{
  const char *device = PHONE ":1@s.whatsapp.net";
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  g_autofree char *filler = NULL;
  guint changes = 0;

  if (!on_tmpfs (f))
    return;

  link_device (f);
  stop_connection (f);
  fakewa_server_forget_prekeys (f->server, device);
  filler = fill_disk (f->dir);
  xi_test_tolerate_warning ("xi-key-store", "Could not save WhatsApp credentials: The disk is full");
  xi_test_tolerate_warning ("wa-client", "Could not keep new prekeys");
  start_connection (f);
  wait_for_status (f, XI_CONNECTION_STATUS_CONNECTED);
  g_signal_connect (f->connection, "notify::status", G_CALLBACK (count_status_changes), &changes);
  /* Several reconnect backoffs. */
  spin (1500);
  g_assert_cmpuint (changes, ==, 0);
  g_assert_cmpuint (fakewa_server_get_prekey_count (f->server, device), ==, 0);

  g_assert_cmpint (g_unlink (filler), ==, 0);
  while (fakewa_server_get_prekey_count (f->server, device) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      spin (50);
    }
  g_assert_cmpuint (changes, ==, 0);
  g_signal_handlers_disconnect_by_data (f->connection, &changes);
}

static void
count_failures (XiConnection *connection,
                GParamSpec   *pspec,
                guint        *failures)
{
  if (xi_connection_get_status (connection) == XI_CONNECTION_STATUS_FAILED)
    (*failures)++;
}

/* The new link went through without a failure shown (@failures, which
 * count_failures () counted): the phone lists the device, and a restart
 * logs in without a code. */
static void
assert_link_kept (Fixture *f,
                  guint   *failures)
{
  g_assert_cmpuint (*failures, ==, 0);
  g_assert_true (xi_connection_is_linked (f->connection));
  g_assert_true (fakewa_server_has_device (f->server, PHONE ":1@s.whatsapp.net"));
  g_signal_handlers_disconnect_by_data (f->connection, failures);

  stop_connection (f);
  start_connection (f);
  wait_for_status (f, XI_CONNECTION_STATUS_CONNECTED);
  g_assert_cmpuint (f->n_qr, ==, 0);
}

/* Another process holds the database's write lock for longer than a
 * write waits (an import, say) just as the phone scans the code: the
 * key write fails, and the key store goes back to what the disk holds,
 * without the link. The client still holds it and writes it again once
 * the lock is let go: the link is kept, not undone and blamed on a full
 * disk, and a restart logs in without a code. */
static void
test_link_database_busy (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "store.db", NULL);
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  guint failures = 0;

  xi_test_tolerate_warning ("xi-key-store", "Could not save WhatsApp credentials");
  xi_test_tolerate_warning ("wa-client", "Could not keep new prekeys");
  xi_connection_link (f->connection);
  wait_for_status (f, XI_CONNECTION_STATUS_LINKING);
  while (xi_connection_get_qr (f->connection) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (f->connection, "notify::status", G_CALLBACK (count_failures), &failures);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_true (fakewa_server_scan (f->server, xi_connection_get_qr (f->connection), PHONE, &error));
  g_assert_no_error (error);
  /* Longer than the store's busy timeout (5 s). */
  spin (6000);
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  wait_for_status (f, XI_CONNECTION_STATUS_CONNECTED);
  /* The next try, a second later, and its write. */
  spin (3000);
  g_assert_cmpint (xi_connection_get_status (f->connection), ==, XI_CONNECTION_STATUS_CONNECTED);
  assert_link_kept (f, &failures);
}

/* Frees the disk as the link check says it tries again: on the network
 * thread, the moment between a failed write and the next. */
static void
room_again_cb (const char     *log_domain,
               GLogLevelFlags  log_level,
               const char     *message,
               gpointer        user_data)
{
  const char *filler = user_data;

  if (g_str_has_prefix (message, "Could not keep the new link yet"))
    g_unlink (filler);
}

/* The disk is full when the phone scans the code, and has room again
 * before the link is given up: the link, which the client still holds,
 * is written then and kept. */
static void
test_link_room_again (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *filler = NULL;
  guint handler;
  guint failures = 0;

  if (!on_tmpfs (f))
    return;

  xi_test_tolerate_warning ("xi-key-store", "Could not save WhatsApp credentials: The disk is full");
  xi_test_tolerate_warning ("wa-client", "Could not keep new prekeys");
  xi_connection_link (f->connection);
  wait_for_status (f, XI_CONNECTION_STATUS_LINKING);
  while (xi_connection_get_qr (f->connection) == NULL)
    g_main_context_iteration (NULL, TRUE);
  filler = fill_disk (f->dir);
  handler = g_log_set_handler ("xi-connection", G_LOG_LEVEL_MESSAGE, room_again_cb, filler);
  g_signal_connect (f->connection, "notify::status", G_CALLBACK (count_failures), &failures);
  g_assert_true (fakewa_server_scan (f->server, xi_connection_get_qr (f->connection), PHONE, &error));
  g_assert_no_error (error);
  while (g_file_test (filler, G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (xi_connection_get_status (f->connection), !=, XI_CONNECTION_STATUS_FAILED);
      spin (50);
    }
  wait_for_status (f, XI_CONNECTION_STATUS_CONNECTED);
  spin (2000);
  g_log_remove_handler ("xi-connection", handler);
  assert_link_kept (f, &failures);
}

static void
test_restart (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *number = xi_phone_format_international (PHONE);

  link_device (f);

  /* As after quitting and starting the app again. */
  stop_connection (f);
  start_connection (f);
  wait_for_status (f, XI_CONNECTION_STATUS_CONNECTED);
  g_assert_cmpuint (f->n_qr, ==, 0);
  g_assert_cmpstr (xi_connection_get_phone (f->connection), ==, number);
}

/* The name of the secret that seals the saved keys. */
static char *
seal_secret_name (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->dir, "store.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *name = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT value FROM wa_keystore WHERE kind = '.seal'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  name = g_strdup_printf ("wa-keystore-%.*s", sqlite3_column_bytes (stmt, 0),
                          (const char *)sqlite3_column_blob (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return name;
}

/* Stops the connection from the network thread, where the stop runs at
 * once, and keeps that thread busy until released, as a loaded machine
 * may: whatever the stopped client left queued there waits meanwhile. */
typedef struct
{
  XiConnection *connection;
  GMutex        lock;
  GCond         cond;
  gboolean      stopped;
  gboolean      released;
} Hold;

static gboolean
stop_and_hold_cb (gpointer data)
{
  Hold *hold = data;

  xi_connection_stop (hold->connection);
  g_mutex_lock (&hold->lock);
  hold->stopped = TRUE;
  g_cond_signal (&hold->cond);
  while (!hold->released)
    g_cond_wait (&hold->cond, &hold->lock);
  g_mutex_unlock (&hold->lock);
  return G_SOURCE_REMOVE;
}

static void
stop_connection_and_hold (Fixture *f,
                          Hold    *hold)
{
  g_mutex_init (&hold->lock);
  g_cond_init (&hold->cond);
  hold->connection = f->connection;
  hold->stopped = hold->released = FALSE;
  g_main_context_invoke (xi_campaign_runner_get_network_context (f->runner), stop_and_hold_cb, hold);
  g_mutex_lock (&hold->lock);
  while (!hold->stopped)
    g_cond_wait (&hold->cond, &hold->lock);
  g_mutex_unlock (&hold->lock);
  stop_connection (f);
}

static void
release_network_thread (Hold *hold)
{
  g_mutex_lock (&hold->lock);
  hold->released = TRUE;
  g_cond_signal (&hold->cond);
  g_mutex_unlock (&hold->lock);
}

/* The key that seals the saved session left the keyring: the app says
 * why it is not linked, and linking again works. What the stopped
 * client still had to do runs late here, after the keys were found
 * unreadable: nothing of it may reach the store then, neither failing
 * loudly there nor landing in the next link. */
static void
test_lost_key (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *name = NULL;
  g_autoptr(GError) error = NULL;
  Hold hold;

  link_device (f);
  stop_connection_and_hold (f, &hold);
  name = seal_secret_name (f);
  g_assert_true (xi_secret_store_delete_sync (xi_store_get_secret_store (f->store), name, NULL, &error));
  g_assert_no_error (error);

  start_connection (f);
  wait_for_status (f, XI_CONNECTION_STATUS_NOT_LINKED);
  while (xi_connection_get_reason (f->connection) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (strstr (xi_connection_get_reason (f->connection), "Link the device again"));
  g_assert_false (xi_connection_is_linked (f->connection));
  release_network_thread (&hold);
  spin (200);
  g_assert_cmpuint (fakewa_server_get_n_clients (f->server), ==, 0);

  link_device (f);
  g_assert_cmpuint (count_saved_keys (f), >, 0);
}

/* Runs @func on the network thread and waits for it. */
typedef struct
{
  GSourceFunc func;
  gpointer    data;
  gint        done;
} NetCall;

static gboolean
net_call_cb (gpointer user_data)
{
  NetCall *call = user_data;

  call->func (call->data);
  g_atomic_int_set (&call->done, 1);
  return G_SOURCE_REMOVE;
}

static void
on_network_thread (Fixture     *f,
                   GSourceFunc  func,
                   gpointer     data)
{
  NetCall call = { func, data, 0 };

  g_main_context_invoke (xi_campaign_runner_get_network_context (f->runner), net_call_cb, &call);
  while (!g_atomic_int_get (&call.done))
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
network_gone (gpointer data)
{
  xi_fake_monitor_set_available (data, FALSE);
  return G_SOURCE_REMOVE;
}

static gboolean
network_back (gpointer data)
{
  xi_fake_monitor_set_available (data, TRUE);
  return G_SOURCE_REMOVE;
}

static void
test_no_network (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) monitor = xi_fake_monitor_new ();

  /* The client listens on the network thread: switch it there. */
  stop_connection (f);
  start_connection_with (f, monitor);
  link_device (f);

  /* The network goes: the status says so rather than "reconnecting". */
  on_network_thread (f, network_gone, monitor);
  wait_for_status (f, XI_CONNECTION_STATUS_NO_NETWORK);
  g_assert_true (xi_connection_is_linked (f->connection));

  /* It comes back: connected again without waiting out the backoff. */
  on_network_thread (f, network_back, monitor);
  wait_for_status (f, XI_CONNECTION_STATUS_CONNECTED);

}

static gboolean
paused (gpointer data)
{
  return xi_connection_get_new_chats_paused_until (data) > 0;
}

/* What WhatsApp decides about the account reaches the app as its own
 * state with the reason in words, not as "unlinked": a reach-out
 * time-lock (connected, new chats paused until a time), a temporary ban
 * (until when, its code, no retry before), a retired version (update the
 * setting; no loop), a permanent ban. */
static void
test_whatsapp_refusals (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 deadline;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  link_device (f);

  /* "Connected" can be reported while the fake server still counts the
   * connection that paired, which the push then misses: it is pushed
   * again every two seconds, as a real server repeats it at each login. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  for (guint tick = 0; !paused (f->connection); tick++)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (tick % 100 == 0)
        fakewa_server_set_timelock (f->server, PHONE, 600, "WEB_COMPANION_ONLY");
      spin (20);
    }
  g_assert_cmpint (xi_connection_get_new_chats_paused_until (f->connection), >=, now + 590);
  g_assert_cmpint (xi_connection_get_status (f->connection), ==, XI_CONNECTION_STATUS_CONNECTED);

  fakewa_server_ban_for (f->server, 3600);
  fakewa_server_drop_all (f->server);
  wait_for_status (f, XI_CONNECTION_STATUS_TEMPORARILY_BANNED);
  g_assert_nonnull (strstr (xi_connection_get_reason (f->connection), "code 101"));
  g_assert_cmpuint (xi_connection_get_seconds_to_retry (f->connection), >, 3500);
  g_assert_true (xi_connection_is_linked (f->connection));

  fakewa_server_refuse_logins (f->server, "405");
  stop_connection (f);
  start_connection (f);
  wait_for_status (f, XI_CONNECTION_STATUS_OUTDATED);
  g_assert_nonnull (strstr (xi_connection_get_reason (f->connection), "whatsapp-version"));
  g_assert_false (xi_connection_set_wa_version (f->connection, "2.3000", &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_assert_true (xi_connection_set_wa_version (f->connection, "2.3000.1099999999", NULL));

  fakewa_server_refuse_logins (f->server, "403");
  stop_connection (f);
  start_connection (f);
  wait_for_status (f, XI_CONNECTION_STATUS_BANNED);
  g_assert_nonnull (strstr (xi_connection_get_reason (f->connection), "banned"));
  g_assert_false (xi_connection_is_linked (f->connection));
}

/* A store on the same database whose secrets are in a keyring that waits
 * for an unlock prompt nobody answers, as at a login that started the
 * app before the user typed the keyring's password. */
static XiStore *
open_store_on_locked_keyring (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->dir, "store.db", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  XiStore *store;

  g_setenv ("XENDER_IN_SECRETS", "service", TRUE);
  g_setenv ("XI_SECRET_WAIT_MS", "200", TRUE);
  store = xi_store_new (path);
  g_setenv ("XENDER_IN_SECRETS", "file", TRUE);
  g_unsetenv ("XI_SECRET_WAIT_MS");
  xi_store_open_async (store, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  g_assert_true (xi_store_open_finish (store, result, &error));
  g_assert_no_error (error);
  return store;
}

/* Waits until the connection publishes a new time to try again: the
 * keys were read again, and the keyring still did not answer. */
static void
wait_for_next_retry (Fixture *f,
                     guint    within_ms)
{
  gint64 before = xi_connection_get_retry_at (f->connection);
  gint64 deadline = g_get_monotonic_time () + (gint64) within_ms * 1000;
  guint wake = g_timeout_add (20, wake_cb, NULL);

  while (xi_connection_get_retry_at (f->connection) == before)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
  g_assert_cmpint (xi_connection_get_status (f->connection), ==, XI_CONNECTION_STATUS_RECONNECTING);
  g_assert_cmpstr (xi_connection_get_reason (f->connection), ==, "The keyring is locked: unlock it to connect");
}

/* A locked keyring keeps the saved session out of reach, not gone: the
 * app says to unlock it, never "not linked", and reads the keys again
 * later, and at once when the user asks to connect. */
static void
test_keyring_locked (Fixture       *f,
                     gconstpointer  data)
{
  XiTestSilentKeyring *keyring;
  g_autoptr(XiStore) locked = NULL;
  XiStore *store = f->store;

  link_device (f);
  stop_connection (f);
  keyring = xi_test_silent_keyring_start ();
  if (keyring == NULL)
    {
      start_connection (f);
      return;
    }
  locked = open_store_on_locked_keyring (f);

  f->store = locked;
  f->connection = xi_connection_new (locked, xi_campaign_runner_get_network_context (f->runner),
                                     fakewa_server_get_url (f->server), fakewa_server_get_root_key (f->server));
  xi_connection_set_backoff (f->connection, 300, 30 * 1000);
  xi_connection_start (f->connection);
  wait_for_status (f, XI_CONNECTION_STATUS_RECONNECTING);
  g_assert_cmpstr (xi_connection_get_reason (f->connection), ==, "The keyring is locked: unlock it to connect");
  g_assert_cmpuint (xi_connection_get_seconds_to_retry (f->connection), <=, 1);

  /* The back-off reads them again: 300 ms, then 600 ms. */
  wait_for_next_retry (f, 5000);
  wait_for_next_retry (f, 5000);
  g_assert_cmpuint (xi_connection_get_seconds_to_retry (f->connection), >=, 1);

  /* Far from the next try, the user asks to connect. */
  wait_for_next_retry (f, 10 * 1000);
  wait_for_next_retry (f, 10 * 1000);
  g_assert_cmpuint (xi_connection_get_seconds_to_retry (f->connection), >, 2);
  xi_connection_link (f->connection);
  wait_for_next_retry (f, 2000);
  g_assert_cmpuint (fakewa_server_get_n_clients (f->server), ==, 0);

  stop_connection (f);
  xi_store_close (locked);
  xi_test_silent_keyring_stop (keyring);
  f->store = store;
  start_connection (f);
  wait_for_status (f, XI_CONNECTION_STATUS_CONNECTED);
}

int
main (int   argc,
      char *argv[])
{
  /* The machine's own monitor may see no network (a build container);
   * this one always sees one, and everything here is on 127.0.0.1. */
  g_setenv ("GIO_USE_NETWORK_MONITOR", "base", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/xi/connection/link", Fixture, NULL, fixture_setup, test_link, fixture_teardown);
  g_test_add ("/xi/connection/cancel-link", Fixture, NULL, fixture_setup, test_cancel_link, fixture_teardown);
  g_test_add ("/xi/connection/unlink", Fixture, NULL, fixture_setup, test_unlink, fixture_teardown);
  g_test_add ("/xi/connection/unlink-unconfirmed", Fixture, NULL, fixture_setup, test_unlink_unconfirmed,
              fixture_teardown);
  g_test_add ("/xi/connection/link-disk-full", Fixture, NULL, fixture_setup, test_link_disk_full,
              fixture_teardown);
  g_test_add ("/xi/connection/link-disk-full-unconfirmed", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_link_disk_full, fixture_teardown);
  g_test_add ("/xi/connection/start-disk-full", Fixture, NULL, fixture_setup, test_start_disk_full,
              fixture_teardown);
  g_test_add ("/xi/connection/link-database-busy", Fixture, NULL, fixture_setup, test_link_database_busy,
              fixture_teardown);
  g_test_add ("/xi/connection/link-room-again", Fixture, NULL, fixture_setup, test_link_room_again,
              fixture_teardown);
  g_test_add ("/xi/connection/lost-key", Fixture, NULL, fixture_setup, test_lost_key, fixture_teardown);
  g_test_add ("/xi/connection/restart", Fixture, NULL, fixture_setup, test_restart, fixture_teardown);
  g_test_add ("/xi/connection/keyring-locked", Fixture, NULL, fixture_setup, test_keyring_locked,
              fixture_teardown);
  g_test_add ("/xi/connection/no-network", Fixture, NULL, fixture_setup, test_no_network, fixture_teardown);
  g_test_add ("/xi/connection/whatsapp-refusals", Fixture, NULL, fixture_setup, test_whatsapp_refusals,
              fixture_teardown);

  return g_test_run ();
}
