/* xi-test-utils.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>

#include "xi-test-utils.h"

/* Every test makes its own data under the system temporary directory. */
char *
xi_test_make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("xi-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* Compiles a glibc locale such as "id_ID" (as NAME.UTF-8) into a new
 * folder and points LOCPATH at it, so a test can use the locale without
 * any system locale generated. Returns the folder, to remove at the end. */
char *
xi_test_compile_locale (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *locale = g_strconcat (name, ".UTF-8", NULL);
  g_autofree char *target = NULL;
  char *dir = g_dir_make_tmp ("xi-locale-XXXXXX", &error);
  const char *localedef[] = { "localedef", "-i", name, "-f", "UTF-8", NULL, NULL };
  int status;

  g_assert_no_error (error);
  target = g_build_filename (dir, locale, NULL);
  localedef[5] = target;
  g_spawn_sync (NULL, (char **)localedef, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  g_setenv ("LOCPATH", dir, TRUE);
  return dir;
}

void
xi_test_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (path == NULL)
    return;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      xi_test_rm_rf (child);
    }
  g_rmdir (path);
}

void
xi_test_store_result_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

/* Spinning the default context is fine in tests; product code never does. */
GAsyncResult *
xi_test_wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (slot);
}

GBytes *
xi_test_bytes_from_hex (const char *hex)
{
  gsize len = strlen (hex);
  guint8 *out;

  g_assert_cmpuint (len % 2, ==, 0);
  out = g_malloc (len / 2 + 1);
  for (gsize i = 0; i < len / 2; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      g_assert_cmpint (hi, >=, 0);
      g_assert_cmpint (lo, >=, 0);
      out[i] = (guint8) (hi << 4 | lo);
    }
  return g_bytes_new_take (out, len / 2);
}

char *
xi_test_hex (const guint8 *data,
             gsize         len)
{
  GString *s = g_string_sized_new (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, "%02x", data[i]);
  return g_string_free (s, FALSE);
}

/* The 72 bits after "3EB0" as three 24-bit words. */
static void
message_id_words (const char *id,
                  guint32     words[3])
{
  for (guint w = 0; w < 3; w++)
    {
      g_autofree char *part = g_strndup (id + 4 + 6 * w, 6);

      words[w] = (guint32) g_ascii_strtoull (part, NULL, 16);
    }
}

/**
 * xi_test_assert_message_ids_random:
 * @ids: message ids, in the order they were made
 * @n: how many, at least 100
 *
 * Asserts that each has WhatsApp Web's shape ("3EB0" and 18 upper-case
 * hex digits), that none repeats, that each of the 72 bits is set in
 * about half of them (a counter or a shared prefix leaves bits constant),
 * and that no two neighbours share their first 8 hex digits (a sequence
 * would; random ids do so once in four billion pairs).
 */
void
xi_test_assert_message_ids_random (const char * const *ids,
                                   guint               n)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree guint *set = g_new0 (guint, 72);

  g_assert_cmpuint (n, >=, 100);
  for (guint i = 0; i < n; i++)
    {
      const char *id = ids[i];
      guint32 words[3];

      g_assert_cmpuint (strlen (id), ==, 22);
      g_assert_true (g_str_has_prefix (id, "3EB0"));
      for (guint c = 4; c < 22; c++)
        g_assert_true (g_ascii_isdigit (id[c]) || (id[c] >= 'A' && id[c] <= 'F'));
      g_assert_true (g_hash_table_add (seen, (gpointer) id));
      if (i > 0)
        g_assert_false (strncmp (ids[i - 1] + 4, id + 4, 8) == 0);

      message_id_words (id, words);
      for (guint bit = 0; bit < 72; bit++)
        if (words[bit / 24] & (1u << (bit % 24)))
          set[bit]++;
    }
  /* With n ≥ 100 a fair bit leaves 20–80 % once in about ten million. */
  for (guint bit = 0; bit < 72; bit++)
    {
      g_assert_cmpuint (set[bit] * 5, >=, n);
      g_assert_cmpuint (set[bit] * 5, <=, 4 * n);
    }
}

/**
 * xi_test_expect_owner_abort:
 *
 * Runs the current test again in a subprocess, which (seeing
 * g_test_subprocess()) calls an object from a thread other than its own,
 * and asserts that the object's owner-thread assertion stopped it.
 */
void
xi_test_expect_owner_abort (void)
{
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*owner == g_thread_self*");
}

/**
 * xi_test_seal_secret_name:
 * @database_path: a store's file
 *
 * Read beside the store, as somebody holding a copy of the file would.
 *
 * Returns: (transfer full) (nullable): the name of the secret that seals
 *   the store's WhatsApp keys, or %NULL when none does
 */
char *
xi_test_seal_secret_name (const char *database_path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *name = NULL;

  g_assert_cmpint (sqlite3_open_v2 (database_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT value FROM wa_keystore WHERE kind = '.seal'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    name = g_strdup_printf ("wa-keystore-%.*s", sqlite3_column_bytes (stmt, 0),
                            (const char *)sqlite3_column_blob (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return name;
}

/**
 * xi_test_sqlite_exec:
 * @database_path: a store's file
 * @sql: statements to run
 *
 * Writes beside the store, with its own connection, as another process
 * (or a user with the sqlite3 shell) would.
 */
void
xi_test_sqlite_exec (const char *database_path,
                     const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (database_path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/**
 * xi_test_sqlite_int:
 * @database_path: a store's file
 * @sql: a query that answers one number
 *
 * Read beside the store, with its own connection, as another process
 * would.
 *
 * Returns: the number
 */
/* Opens @database_path read-only and steps @sql to its first row. */
static sqlite3_stmt *
sqlite_first_row (const char  *database_path,
                  const char  *sql,
                  sqlite3    **db)
{
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (database_path, db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (*db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (*db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return stmt;
}

gint64
xi_test_sqlite_int (const char *database_path,
                    const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = sqlite_first_row (database_path, sql, &db);
  gint64 value = sqlite3_column_int64 (stmt, 0);

  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/**
 * xi_test_wait_for_search_index:
 * @database_path: a store's file
 *
 * Waits, as long as a loaded machine may take, for the store to bring
 * its search index up to date while it has nothing else to do, as it
 * does after opening, an import or a search.
 */
void
xi_test_wait_for_search_index (const char *database_path)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (xi_test_sqlite_int (database_path, "SELECT count (*) FROM contacts_search_stale") > 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
}

/**
 * xi_test_sqlite_text:
 * @database_path: a store's file
 * @sql: a query that answers one text
 *
 * As xi_test_sqlite_int(), for a text.
 *
 * Returns: (transfer full) (nullable): the text
 */
char *
xi_test_sqlite_text (const char *database_path,
                     const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = sqlite_first_row (database_path, sql, &db);
  char *value = g_strdup ((const char *)sqlite3_column_text (stmt, 0));

  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* The warnings a test provokes on purpose, as (log domain, message
 * prefix) pairs. */
static const char *tolerated[8][2];

static void
forget_tolerated (gpointer data)
{
  memset (tolerated, 0, sizeof tolerated);
  g_test_log_set_fatal_handler (NULL, NULL);
}

static gboolean
tolerated_cb (const char     *log_domain,
              GLogLevelFlags  log_level,
              const char     *message,
              gpointer        user_data)
{
  for (guint i = 0; i < G_N_ELEMENTS (tolerated) && tolerated[i][0] != NULL; i++)
    if (g_strcmp0 (log_domain, tolerated[i][0]) == 0 && g_str_has_prefix (message, tolerated[i][1]))
      return FALSE;
  return TRUE;
}

/**
 * xi_test_tolerate_warning:
 * @log_domain: where the warning comes from
 * @prefix: (not nullable): how its message starts (a static string)
 *
 * Until the current test ends (after its fixture's teardown), a warning
 * from @log_domain whose message starts with @prefix, which the test
 * provokes on purpose (a full disk), no longer ends it; every other one
 * still does, and the tests after it fail on that one too. Each call
 * adds one such warning.
 */
void
xi_test_tolerate_warning (const char *log_domain,
                          const char *prefix)
{
  guint i = 0;

  while (tolerated[i][0] != NULL)
    i++;
  g_assert_cmpuint (i, <, G_N_ELEMENTS (tolerated) - 1);
  if (i == 0)
    g_test_queue_destroy (forget_tolerated, NULL);
  tolerated[i][0] = log_domain;
  tolerated[i][1] = prefix;
  g_test_log_set_fatal_handler (tolerated_cb, NULL);
}

/**
 * xi_test_can_mount_tmpfs:
 *
 * Checked before a test prepares what it would run on a tmpfs. Being
 * root is not enough (a container without CAP_SYS_ADMIN, a seccomp
 * profile): a tmpfs is mounted once, in a private mount namespace that
 * goes with the try, so a test that cannot have one skips before it
 * starts anything that would wait on it.
 *
 * Returns: whether this process may mount one (in a private mount
 *   namespace); if not, the test is marked skipped
 */
gboolean
xi_test_can_mount_tmpfs (void)
{
  static gsize tried = 0;
  static gboolean mounted = FALSE;

  if (g_once_init_enter (&tried))
    {
      g_autofree char *mnt = g_dir_make_tmp ("xi-test-mount-XXXXXX", NULL);
      const char *argv[] = { "unshare", "--mount", "--propagation", "private", "mount", "-t", "tmpfs",
                             "-o", "size=1m", "tmpfs", mnt, NULL };
      int status = 0;

      mounted = mnt != NULL &&
                g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                              G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL) &&
                g_spawn_check_wait_status (status, NULL);
      if (mnt != NULL)
        g_rmdir (mnt);
      g_once_init_leave (&tried, 1);
    }
  if (mounted)
    return TRUE;
  g_test_skip ("No tmpfs could be mounted here (it needs root, allowed to mount, in a private mount namespace).");
  return FALSE;
}

/**
 * xi_test_read_out:
 * @dir: a folder
 * @name: a file in it, which must be there
 *
 * Returns: (transfer full): what the file holds (a script's output)
 */
char *
xi_test_read_out (const char *dir,
                  const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

/**
 * xi_test_spawn_on_tmpfs:
 * @launcher: the script's environment and pipes
 * @mnt: an empty folder
 * @script: shell commands
 *
 * Starts @script with a tmpfs of 64 MB mounted on @mnt (in $MNT) in a
 * private mount namespace: a real file system to fill up, which goes
 * with the script and leaves the machine's disks alone. What the test
 * reads afterwards, the script copies out of $MNT.
 *
 * Returns: (transfer full) (nullable): the script, or %NULL after
 *   marking the test skipped when this process may not mount one (not
 *   root)
 */
GSubprocess *
xi_test_spawn_on_tmpfs (GSubprocessLauncher *launcher,
                        const char          *mnt,
                        const char          *script)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mounted = g_strconcat ("mount -t tmpfs -o size=64m,mode=0700 tmpfs \"$MNT\" || exit 77\n",
                                          script, NULL);
  GSubprocess *process;

  if (!xi_test_can_mount_tmpfs ())
    return NULL;
  g_subprocess_launcher_setenv (launcher, "MNT", mnt, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, "unshare", "--mount", "--propagation", "private",
                                         "sh", "-c", mounted, NULL);
  g_assert_no_error (error);
  return process;
}

/**
 * xi_test_tmpfs_wait:
 * @process: (nullable): from xi_test_spawn_on_tmpfs ()
 *
 * Waits for the script to end.
 *
 * Returns: whether it ran; %FALSE after marking the test skipped when no
 *   tmpfs could be mounted (no namespaces allowed here)
 */
gboolean
xi_test_tmpfs_wait (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;

  if (process == NULL)
    return FALSE;
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_no_error (error);
  if (g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 77)
    {
      g_test_skip ("No tmpfs could be mounted in a private mount namespace.");
      return FALSE;
    }
  return TRUE;
}

/* A Secret Service that never answers */

struct _XiTestSilentKeyring
{
  GSubprocess     *daemon;
  GDBusConnection *owner;
  char            *previous_address;
};

static GDBusMessage *
swallow_calls_cb (GDBusConnection *connection,
                  GDBusMessage    *message,
                  gboolean         incoming,
                  gpointer         user_data)
{
  if (incoming && g_dbus_message_get_message_type (message) == G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    {
      g_object_unref (message);
      return NULL;
    }
  return message;
}

/* A test killed half-way (a time-out) takes its bus with it. */
static void
end_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/**
 * xi_test_silent_keyring_start:
 *
 * Starts a private session bus (a dbus-daemon of its own, made the
 * process's session bus) on which the Secret Service's name belongs to a
 * connection that takes every call and never replies: a keyring waiting
 * for an unlock prompt nobody answers. Skips the test when dbus-daemon is
 * not installed.
 *
 * Returns: (transfer full) (nullable): the keyring, or %NULL when skipped
 */
XiTestSilentKeyring *
xi_test_silent_keyring_start (void)
{
  XiTestSilentKeyring *keyring;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *daemon = g_find_program_in_path ("dbus-daemon");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  guint32 outcome = 0;

  if (daemon == NULL)
    {
      g_test_skip ("dbus-daemon is not installed");
      return NULL;
    }

  keyring = g_new0 (XiTestSilentKeyring, 1);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, end_with_parent, NULL, NULL);
  keyring->daemon = g_subprocess_launcher_spawn (launcher, &error, daemon, "--session", "--nofork",
                                                 "--print-address=1", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (keyring->daemon));
  address = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (address);

  keyring->owner = g_dbus_connection_new_for_address_sync (address,
                                                           G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                           G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                           NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_add_filter (keyring->owner, swallow_calls_cb, NULL, NULL);
  reply = g_dbus_connection_call_sync (keyring->owner, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.secrets", 4),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL,
                                       &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &outcome);
  g_assert_cmpuint (outcome, ==, 1);

  keyring->previous_address = g_strdup (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
  return keyring;
}

/**
 * xi_test_silent_keyring_stop:
 * @keyring: (transfer full) (nullable): what xi_test_silent_keyring_start () gave
 *
 * Ends the bus, and gives the process back the session bus it had.
 */
void
xi_test_silent_keyring_stop (XiTestSilentKeyring *keyring)
{
  g_autoptr(GDBusConnection) session = NULL;

  if (keyring == NULL)
    return;
  /* libsecret's calls connected the process's shared session bus to this
   * one: it must not end the process when the bus goes. */
  session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (session != NULL)
    g_dbus_connection_set_exit_on_close (session, FALSE);
  g_dbus_connection_close_sync (keyring->owner, NULL, NULL);
  g_object_unref (keyring->owner);
  g_subprocess_force_exit (keyring->daemon);
  g_subprocess_wait (keyring->daemon, NULL, NULL);
  g_object_unref (keyring->daemon);
  if (keyring->previous_address != NULL)
    g_setenv ("DBUS_SESSION_BUS_ADDRESS", keyring->previous_address, TRUE);
  else
    g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_free (keyring->previous_address);
  g_free (keyring);
}
