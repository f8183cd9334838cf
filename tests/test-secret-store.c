/* test-secret-store.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sys/stat.h>

#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "xi-secret-store.h"
#include "xi-store.h"
#include "xi-test-utils.h"

/*
 * XiSecretStore with key files, with the automatic choice where no Secret
 * Service runs, and, when started by tests/run-with-keyring
 * (XI_TEST_KEYRING=1), with a real GNOME Keyring on a private session bus.
 */

static GBytes *
random_secret (void)
{
  guint8 data[32];

  for (guint i = 0; i < sizeof data; i++)
    data[i] = g_random_int_range (0, 256);
  return g_bytes_new (data, sizeof data);
}

/* Saves, reads back, replaces and deletes one secret, both ways. */
static void
exercise (XiSecretStore *secrets)
{
  g_autoptr(GBytes) first = random_secret ();
  g_autoptr(GBytes) second = random_secret ();
  g_autoptr(GBytes) found = NULL;
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  found = xi_secret_store_lookup_sync (secrets, "test-secret", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (found);

  g_assert_true (xi_secret_store_save_sync (secrets, "test-secret", "Test secret", first, NULL, &error));
  g_assert_no_error (error);
  found = xi_secret_store_lookup_sync (secrets, "test-secret", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (found, first));
  g_clear_pointer (&found, g_bytes_unref);

  XI_TEST_WAIT (xi_secret_store_save_async (secrets, "test-secret", "Test secret", second, NULL,
                                            xi_test_store_result_cb, &slot_),
                done = xi_secret_store_save_finish (secrets, result_, &error));
  g_assert_no_error (error);
  g_assert_true (done);
  XI_TEST_WAIT (xi_secret_store_lookup_async (secrets, "test-secret", NULL, xi_test_store_result_cb, &slot_),
                found = xi_secret_store_lookup_finish (secrets, result_, &error));
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (found, second));
  g_clear_pointer (&found, g_bytes_unref);

  /* Another name is another secret. */
  found = xi_secret_store_lookup_sync (secrets, "test-secret-2", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (found);

  XI_TEST_WAIT (xi_secret_store_delete_async (secrets, "test-secret", NULL, xi_test_store_result_cb, &slot_),
                done = xi_secret_store_delete_finish (secrets, result_, &error));
  g_assert_no_error (error);
  g_assert_true (done);
  found = xi_secret_store_lookup_sync (secrets, "test-secret", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (found);

  /* Deleting what is not there is fine. */
  g_assert_true (xi_secret_store_delete_sync (secrets, "test-secret", NULL, &error));
  g_assert_no_error (error);
}

static void
assert_private_file (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_key_file (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiSecretStore) secrets = xi_secret_store_new (db, XI_SECRET_BACKEND_FILE);
  g_autofree char *path = xi_secret_store_dup_key_file (secrets, "test-secret");
  g_autoptr(GBytes) secret = random_secret ();
  g_autoptr(GBytes) found = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (path, dir));
  exercise (secrets);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* Beside the database, readable by its owner only, even under a loose
   * umask. */
  umask (0022);
  g_assert_true (xi_secret_store_save_sync (secrets, "test-secret", "Test secret", secret, NULL, &error));
  g_assert_no_error (error);
  assert_private_file (path);

  /* One that came back with wider permissions is made private again. */
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  found = xi_secret_store_lookup_sync (secrets, "test-secret", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (found, secret));
  assert_private_file (path);

  xi_test_rm_rf (dir);
}

/* With nothing on the bus, the automatic choice falls back to key files
 * and says so once, without the secret. */
static void
test_auto_without_service (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiSecretStore) secrets = xi_secret_store_new (db, XI_SECRET_BACKEND_AUTO);
  g_autofree char *path = xi_secret_store_dup_key_file (secrets, "fallback");
  g_autoptr(GBytes) secret = g_bytes_new_static ("not-in-any-log", 14);
  g_autoptr(GBytes) found = NULL;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (g_getenv ("XI_TEST_KEYRING"), "1") == 0)
    {
      g_test_skip ("a Secret Service runs here");
      return;
    }

  g_test_expect_message ("xi-secret-store", G_LOG_LEVEL_WARNING, "No Secret Service*beside*xender-in.db");
  g_assert_true (xi_secret_store_save_sync (secrets, "fallback", "Fallback", secret, NULL, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  assert_private_file (path);

  /* Once: the next calls are quiet. */
  found = xi_secret_store_lookup_sync (secrets, "fallback", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (found, secret));

  xi_test_rm_rf (dir);
}

static const SecretSchema *
schema (void)
{
  static const SecretSchema schema = {
    "io.github.xenderin.XenderIn.Secret", SECRET_SCHEMA_NONE,
    {
      { "name", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

/* The secret is in the keyring, seen through libsecret directly, and no
 * key file is written. */
static void
test_keyring (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiSecretStore) secrets = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GBytes) secret = random_secret ();
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  char *stored;

  if (g_strcmp0 (g_getenv ("XI_TEST_KEYRING"), "1") != 0)
    {
      g_test_skip ("no keyring; tests/run-with-keyring starts one");
      return;
    }

  secrets = xi_secret_store_new (db, XI_SECRET_BACKEND_AUTO);
  path = xi_secret_store_dup_key_file (secrets, "test-secret");
  exercise (secrets);

  g_assert_true (xi_secret_store_save_sync (secrets, "test-secret", "Test secret", secret, NULL, &error));
  g_assert_no_error (error);
  stored = secret_password_lookup_sync (schema (), NULL, &error, "name", "test-secret", NULL);
  g_assert_no_error (error);
  expected = g_base64_encode (g_bytes_get_data (secret, NULL), g_bytes_get_size (secret));
  g_assert_cmpstr (stored, ==, expected);
  secret_password_free (stored);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_assert_true (xi_secret_store_delete_sync (secrets, "test-secret", NULL, &error));
  g_assert_no_error (error);
  stored = secret_password_lookup_sync (schema (), NULL, &error, "name", "test-secret", NULL);
  g_assert_no_error (error);
  g_assert_null (stored);

  xi_test_rm_rf (dir);
}

/* Two data folders keep a secret of the same purpose under names of
 * their own, so neither overwrites the other's, in the keyring too. */
static void
test_folder_names (void)
{
  XiSecretBackend backend = g_strcmp0 (g_getenv ("XI_TEST_KEYRING"), "1") == 0
                            ? XI_SECRET_BACKEND_AUTO : XI_SECRET_BACKEND_FILE;
  char *dirs[2] = { xi_test_make_tmpdir (), xi_test_make_tmpdir () };
  GBytes *secrets[2] = { random_secret (), random_secret () };
  char *names[2] = { NULL, };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *db = g_build_filename (dirs[i], "xender-in.db", NULL);
      g_autoptr(XiSecretStore) store = xi_secret_store_new (db, backend);
      g_autofree char *again = xi_secret_store_dup_folder_name (store, "test-secret");

      names[i] = xi_secret_store_dup_folder_name (store, "test-secret");
      g_assert_cmpstr (names[i], ==, again);
      g_assert_true (g_str_has_prefix (names[i], "test-secret-"));
      g_assert_true (xi_secret_store_save_sync (store, names[i], "Test secret", secrets[i], NULL,
                                                &error));
      g_assert_no_error (error);
    }
  g_assert_cmpstr (names[0], !=, names[1]);

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *db = g_build_filename (dirs[i], "xender-in.db", NULL);
      g_autoptr(XiSecretStore) store = xi_secret_store_new (db, backend);
      g_autoptr(GBytes) found = xi_secret_store_lookup_sync (store, names[i], NULL, &error);

      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (found, secrets[i]));
      g_assert_true (xi_secret_store_delete_sync (store, names[i], NULL, &error));
      g_assert_no_error (error);
      xi_test_rm_rf (dirs[i]);
      g_free (dirs[i]);
      g_free (names[i]);
      g_bytes_unref (secrets[i]);
    }
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* A keyring that takes the call and never answers (an unlock prompt
 * nobody sees): every call gives up after the time limit and says the
 * keyring may be locked, and a cancelled call (a shutdown) returns at
 * once, whatever the limit. */
static void
test_service_never_answers (void)
{
  XiTestSilentKeyring *keyring = NULL;
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiSecretStore) quick = NULL;
  g_autoptr(XiSecretStore) patient = NULL;
  g_autoptr(GBytes) secret = random_secret ();
  g_autoptr(GBytes) found = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 start;

  if (g_strcmp0 (g_getenv ("XI_TEST_KEYRING"), "1") == 0)
    {
      g_test_skip ("the session bus is the real keyring's");
      return;
    }
  keyring = xi_test_silent_keyring_start ();
  if (keyring == NULL)
    return;

  g_setenv ("XI_SECRET_WAIT_MS", "300", TRUE);
  quick = xi_secret_store_new (db, XI_SECRET_BACKEND_SERVICE);
  g_unsetenv ("XI_SECRET_WAIT_MS");
  patient = xi_secret_store_new (db, XI_SECRET_BACKEND_SERVICE);

  start = g_get_monotonic_time ();
  g_assert_null (xi_secret_store_lookup_sync (quick, "test-secret", NULL, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_SECRETS_LOCKED);
  g_clear_error (&error);
  g_assert_false (xi_secret_store_save_sync (quick, "test-secret", "Test secret", secret, NULL, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_SECRETS_LOCKED);
  g_clear_error (&error);
  g_assert_false (xi_secret_store_delete_sync (quick, "test-secret", NULL, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_SECRETS_LOCKED);
  g_clear_error (&error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);

  start = g_get_monotonic_time ();
  g_timeout_add (200, cancel_cb, cancellable);
  XI_TEST_WAIT (xi_secret_store_lookup_async (patient, "test-secret", cancellable,
                                              xi_test_store_result_cb, &slot_),
                found = xi_secret_store_lookup_finish (patient, result_, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (found);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);

  xi_test_silent_keyring_stop (keyring);
  xi_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  /* Without the keyring harness, make sure no session bus is found, so
   * the automatic choice meets "no Secret Service" wherever this runs. */
  if (g_strcmp0 (g_getenv ("XI_TEST_KEYRING"), "1") != 0)
    g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/xi-test-bus", TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/secret-store/key-file", test_key_file);
  g_test_add_func ("/core/secret-store/auto-without-service", test_auto_without_service);
  g_test_add_func ("/core/secret-store/keyring", test_keyring);
  g_test_add_func ("/core/secret-store/folder-names", test_folder_names);
  g_test_add_func ("/core/secret-store/service-never-answers", test_service_never_answers);

  return g_test_run ();
}
