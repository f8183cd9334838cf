/* test-sync-service.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "xi-contact.h"
#include "xi-supabase-client.h"
#include "xi-sync-engine.h"
#include "xi-sync-service.h"
#include "xi-sync-test-utils.h"
#include "xi-test-utils.h"

/*
 * The sync thread against the gateway: it syncs by itself, never on the
 * thread that owns the service, and publishes what the header shows.
 */

static FsRig *rig;

static gboolean
timed_out_cb (gpointer user_data)
{
  g_error ("Timed out waiting for the sync service");
  return G_SOURCE_REMOVE;
}

static void
wait_for (XiSyncService *service,
          XiSyncState    state)
{
  guint timeout = g_timeout_add_seconds (60, timed_out_cb, NULL);

  while (xi_sync_service_get_state (service) != state)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
}

static void
state_notified_cb (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    user_data)
{
  guint *up_to_date = user_data;

  if (xi_sync_service_get_state (XI_SYNC_SERVICE (object)) == XI_SYNC_STATE_UP_TO_DATE)
    (*up_to_date)++;
}

/* Waits for a pass after the @seen-th to end up to date. */
static void
wait_for_pass (guint *up_to_date,
               guint  seen)
{
  guint timeout = g_timeout_add_seconds (60, timed_out_cb, NULL);

  while (*up_to_date <= seen)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
}

static void
test_syncs_on_its_thread (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autofree char *email = g_strdup_printf ("service-%08x@example.com", g_random_int ());
  g_autoptr(XiStore) store = xi_store_new (path);
  g_autoptr(XiSupabaseClient) client = NULL;
  g_autoptr(XiSyncService) service = NULL;
  g_autoptr(XiContact) contact = xi_contact_new ();
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(JsonArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  const char *query[] = { "select", "id", NULL };
  gboolean ok = FALSE;
  guint up_to_date = 0;

  client = xi_supabase_client_new (fs_rig_get_url (rig), fs_rig_get_anon_key (rig),
                                   xi_store_get_secret_store (store), &error);
  g_assert_no_error (error);
  XI_TEST_WAIT (xi_supabase_client_sign_up_async (client, email, "correct horse battery", NULL,
                                                  xi_test_store_result_cb, &slot_),
                ok = xi_supabase_client_sign_up_finish (client, result_, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  xi_store_set_master_user_id (store, xi_supabase_client_get_user_id (client));
  XI_TEST_WAIT (xi_store_open_async (store, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_store_open_finish (store, result_, &error));
  g_assert_no_error (error);

  service = xi_sync_service_new (store, fs_rig_get_url (rig), fs_rig_get_anon_key (rig));
  g_signal_connect (service, "notify::state", G_CALLBACK (state_notified_cb), &up_to_date);
  xi_sync_service_start (service);
  wait_for_pass (&up_to_date, 0);

  xi_contact_set_name (contact, "Indah");
  xi_contact_set_phone (contact, "6281400000001");
  XI_TEST_WAIT (xi_store_save_contact_async (store, contact, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_contact_finish (store, result_, &error));
  g_assert_no_error (error);
  xi_sync_service_sync_now (service);
  wait_for_pass (&up_to_date, 1);
  g_assert_cmpuint (xi_sync_service_get_pending (service), ==, 0);

  XI_TEST_WAIT (xi_supabase_client_select_async (client, "contacts", query, NULL,
                                                 xi_test_store_result_cb, &slot_),
                rows = xi_supabase_client_select_finish (client, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);

  /* Offline: the indicator says so, with the server's wait. */
  g_assert_true (fs_rig_control (rig, "fail?status=503&retry_after=30&path=/rest/v1/&times=50", &error));
  g_assert_no_error (error);
  xi_sync_service_sync_now (service);
  wait_for (service, XI_SYNC_STATE_OFFLINE);
  g_assert_cmpuint (xi_sync_service_get_retry_in (service), >=, 30);
  g_assert_nonnull (xi_sync_service_get_message (service));

  xi_sync_service_stop (service);
  g_assert_true (fs_rig_control (rig, "reset", &error));
  g_clear_object (&service);
  g_clear_object (&client);
  xi_store_close (store);
  g_assert_finalize_object (g_steal_pointer (&store));
  xi_test_rm_rf (dir);
}

static void
syncing_notified_cb (GObject    *object,
                     GParamSpec *pspec,
                     gpointer    user_data)
{
  guint *passes = user_data;

  if (xi_sync_service_get_state (XI_SYNC_SERVICE (object)) == XI_SYNC_STATE_SYNCING)
    (*passes)++;
}

static void
applied_cb (XiStore            *store,
            const char         *table,
            const char * const *ids,
            gpointer            user_data)
{
  guint *applied = user_data;

  if (g_str_equal (table, "contacts"))
    (*applied)++;
}

static void
spin (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + milliseconds * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10000);
}

/* Rows a pass pulls start no pass of their own; a local edit starts one
 * by itself within seconds. */
static void
test_pushes_after_local_changes_only (void)
{
  g_autofree char *email = g_strdup_printf ("origin-%08x@example.com", g_random_int ());
  XiSyncTestComputer other = { 0, };
  XiSyncTestComputer here = { 0, };
  g_autoptr(XiSyncService) service = NULL;
  g_autoptr(XiContact) rina = xi_contact_new ();
  g_autoptr(XiContact) dewi = xi_contact_new ();
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;
  guint up_to_date = 0;
  guint passes = 0;
  guint applied = 0;
  guint seen;

  /* Another computer of the account has a contact on the server. */
  xi_sync_test_computer_start (&other, rig, email, TRUE);
  xi_contact_set_name (rina, "Rina");
  xi_contact_set_phone (rina, "6281400000011");
  XI_TEST_WAIT (xi_store_save_contact_async (other.store, rina, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_contact_finish (other.store, result_, &error));
  g_assert_no_error (error);
  g_clear_object (&saved);
  XI_TEST_WAIT (xi_sync_engine_run_once_async (other.engine, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_sync_engine_run_once_finish (other.engine, result_, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ok);

  xi_sync_test_computer_start (&here, rig, email, FALSE);
  g_signal_connect (here.store, "changed::applied", G_CALLBACK (applied_cb), &applied);
  service = xi_sync_service_new (here.store, fs_rig_get_url (rig), fs_rig_get_anon_key (rig));
  g_signal_connect (service, "notify::state", G_CALLBACK (state_notified_cb), &up_to_date);
  g_signal_connect (service, "notify::state", G_CALLBACK (syncing_notified_cb), &passes);
  xi_sync_service_start (service);
  wait_for_pass (&up_to_date, 0);
  g_assert_cmpuint (passes, ==, 1);

  /* The pull brought Rina; twice the wait for a local change later, no
   * pass followed it. */
  spin (3000);
  g_assert_cmpuint (applied, >=, 1);
  g_assert_cmpuint (passes, ==, 1);

  seen = up_to_date;
  xi_contact_set_name (dewi, "Dewi");
  xi_contact_set_phone (dewi, "6281400000012");
  XI_TEST_WAIT (xi_store_save_contact_async (here.store, dewi, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_contact_finish (here.store, result_, &error));
  g_assert_no_error (error);
  wait_for_pass (&up_to_date, seen);
  g_assert_cmpuint (passes, ==, 2);
  g_assert_cmpuint (xi_sync_service_get_pending (service), ==, 0);

  xi_sync_service_stop (service);
  g_clear_object (&service);
  xi_sync_test_computer_stop (&here);
  xi_sync_test_computer_stop (&other);
}

static void
wait_for_refused (XiSyncService *service,
                  guint          refused)
{
  guint timeout = g_timeout_add_seconds (60, timed_out_cb, NULL);

  while (xi_sync_service_get_refused (service) != refused ||
         xi_sync_service_get_state (service) != XI_SYNC_STATE_UP_TO_DATE)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
}

/* A change the server refused, retried through the service once the
 * server takes it, reaches the server without anything else asking for
 * a pass, and the refused count follows. */
static void
test_resolves_refused (void)
{
  g_autofree char *email = g_strdup_printf ("refused-%08x@example.com", g_random_int ());
  XiSyncTestComputer here = { 0, };
  g_autoptr(XiSyncService) service = NULL;
  g_autoptr(XiContact) contact = xi_contact_new ();
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(JsonArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  const char *query[] = { "select", "name", "name", "eq.Tolak saya", NULL };
  guint resolved = 0;

  xi_sync_test_computer_start (&here, rig, email, TRUE);
  service = xi_sync_service_new (here.store, fs_rig_get_url (rig), fs_rig_get_anon_key (rig));
  xi_sync_service_start (service);
  wait_for (service, XI_SYNC_STATE_UP_TO_DATE);

  g_assert_true (fs_rig_sql (rig, "alter table public.contacts add constraint test_service_refuse"
                                  " check (name <> 'Tolak saya')", &error));
  g_assert_no_error (error);
  xi_contact_set_name (contact, "Tolak saya");
  xi_contact_set_phone (contact, "6281400000021");
  XI_TEST_WAIT (xi_store_save_contact_async (here.store, contact, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_contact_finish (here.store, result_, &error));
  g_assert_no_error (error);
  wait_for_refused (service, 1);
  g_assert_true (fs_rig_sql (rig, "alter table public.contacts drop constraint test_service_refuse", &error));
  g_assert_no_error (error);

  XI_TEST_WAIT (xi_sync_service_resolve_refused_async (service, NULL, XI_SYNC_DEAD_RETRY,
                                                       xi_test_store_result_cb, &slot_),
                resolved = xi_sync_service_resolve_refused_finish (service, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (resolved, ==, 1);
  wait_for_refused (service, 0);
  g_assert_cmpuint (xi_sync_service_get_pending (service), ==, 0);

  XI_TEST_WAIT (xi_supabase_client_select_async (here.client, "contacts", query, NULL,
                                                 xi_test_store_result_cb, &slot_),
                rows = xi_supabase_client_select_finish (here.client, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);

  xi_sync_service_stop (service);
  g_clear_object (&service);
  xi_sync_test_computer_stop (&here);
}

static gboolean
settled (XiSyncService *service)
{
  return xi_sync_service_get_state (service) == XI_SYNC_STATE_UP_TO_DATE &&
         xi_sync_service_get_pending (service) == 0;
}

static void
save_contact (XiStore    *store,
              const char *name,
              const char *phone)
{
  g_autoptr(XiContact) contact = xi_contact_new ();
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(GError) error = NULL;

  xi_contact_set_name (contact, name);
  xi_contact_set_phone (contact, phone);
  XI_TEST_WAIT (xi_store_save_contact_async (store, contact, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_contact_finish (store, result_, &error));
  g_assert_no_error (error);
}

/* Waits for the service to have pushed everything, saying @message if
 * not NULL. */
static void
wait_settled (XiSyncService *service,
              const char    *message)
{
  guint timeout = g_timeout_add_seconds (30, timed_out_cb, NULL);

  while (!settled (service) ||
         (message != NULL && strstr (xi_sync_service_get_message (service) != NULL ?
                                     xi_sync_service_get_message (service) : "", message) == NULL))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
}

/* The server goes back to a copy from before Budi was saved: the service
 * says so in the user's words, and sends Budi back at once, without
 * waiting for the next periodic pass. */
static void
test_says_server_restored (void)
{
  g_autofree char *email = g_strdup_printf ("restored-%08x@example.com", g_random_int ());
  g_autofree char *restore = NULL;
  g_autofree char *path = NULL;
  XiSyncTestComputer here = { 0, };
  g_autoptr(XiSyncService) service = NULL;
  g_autoptr(JsonArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  const char *query[] = { "select", "id", NULL };
  const char *master;
  guint timeout;

  xi_sync_test_computer_start (&here, rig, email, TRUE);
  master = xi_supabase_client_get_user_id (here.client);
  path = g_build_filename (here.dir, "xender-in.db", NULL);
  service = xi_sync_service_new (here.store, fs_rig_get_url (rig), fs_rig_get_anon_key (rig));
  xi_sync_service_start (service);
  save_contact (here.store, "Ayu", "6281400000031");
  save_contact (here.store, "Budi", "6281400000032");
  /* Until both are pushed and a pass has read them back, this computer's
   * checkpoint is not past the backup below, and only that shows a
   * restore. */
  timeout = g_timeout_add_seconds (30, timed_out_cb, NULL);
  while (xi_test_sqlite_int (path, "SELECT count(*) FROM contacts WHERE server_seq = 0") > 0 ||
         xi_test_sqlite_int (path, "SELECT max (last_seq) FROM sync_checkpoints"
                             " WHERE table_name = 'contacts'") <
         xi_test_sqlite_int (path, "SELECT max (server_seq) FROM contacts"))
    {
      xi_sync_service_sync_now (service);
      spin (200);
    }
  g_source_remove (timeout);
  wait_settled (service, NULL);
  g_assert_null (xi_sync_service_get_message (service));

  /* The backup had Ayu and no Budi: the counter stood at Ayu's number. */
  restore = g_strdup_printf ("begin; set local session_replication_role = replica;"
                             " delete from public.contacts where master_user_id = '%s'"
                             " and phone = '6281400000032';"
                             " update private.sync_counters set last_seq ="
                             " (select max (server_seq) from public.contacts"
                             " where master_user_id = '%s')"
                             " where master_user_id = '%s'; commit;",
                             master, master, master);
  g_assert_true (fs_rig_sql (rig, restore, &error));
  g_assert_no_error (error);

  xi_sync_service_sync_now (service);
  wait_settled (service, "put back to an earlier copy");
  XI_TEST_WAIT (xi_supabase_client_select_async (here.client, "contacts", query, NULL,
                                                 xi_test_store_result_cb, &slot_),
                rows = xi_supabase_client_select_finish (here.client, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);

  xi_sync_service_stop (service);
  g_clear_object (&service);
  xi_sync_test_computer_stop (&here);
}

/* A scheduled `xender-in-cli sync` holding the folder: the app says it
 * is syncing, not that the network is gone, and syncs itself afterwards. */
static void
test_other_program_syncing (void)
{
  g_autofree char *email = g_strdup_printf ("turns-%08x@example.com", g_random_int ());
  g_autofree char *lock = NULL;
  XiSyncTestComputer here = { 0, };
  g_autoptr(XiSyncService) service = NULL;
  guint timeout;
  int fd;

  xi_sync_test_computer_start (&here, rig, email, TRUE);
  lock = g_build_filename (here.dir, "sync.lock", NULL);
  fd = g_open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (flock (fd, LOCK_EX | LOCK_NB), ==, 0);

  service = xi_sync_service_new (here.store, fs_rig_get_url (rig), fs_rig_get_anon_key (rig));
  xi_sync_service_start (service);
  timeout = g_timeout_add_seconds (60, timed_out_cb, NULL);
  while (xi_sync_service_get_message (service) == NULL ||
         strstr (xi_sync_service_get_message (service), "Another program is syncing") == NULL)
    {
      g_assert_cmpint (xi_sync_service_get_state (service), !=, XI_SYNC_STATE_OFFLINE);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (timeout);
  g_assert_cmpint (xi_sync_service_get_state (service), ==, XI_SYNC_STATE_SYNCING);

  close (fd);
  wait_for (service, XI_SYNC_STATE_UP_TO_DATE);

  xi_sync_service_stop (service);
  g_clear_object (&service);
  xi_sync_test_computer_stop (&here);
}

static XiSyncService *
start_on_keyring (const char  *dir,
                  const char  *wait_ms,
                  XiStore    **store_out)
{
  g_autofree char *path = g_build_filename (dir, "xender-in.db", NULL);
  g_autoptr(XiStore) store = NULL;
  g_autoptr(GError) error = NULL;
  XiSyncService *service;
  gboolean ok = FALSE;

  g_setenv ("XENDER_IN_SECRETS", "service", TRUE);
  if (wait_ms != NULL)
    g_setenv ("XI_SECRET_WAIT_MS", wait_ms, TRUE);
  store = xi_store_new (path);
  g_setenv ("XENDER_IN_SECRETS", "file", TRUE);
  g_unsetenv ("XI_SECRET_WAIT_MS");
  xi_store_set_master_user_id (store, "5f0c3a52-0000-4000-8000-00000000c0de");
  XI_TEST_WAIT (xi_store_open_async (store, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_store_open_finish (store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);

  service = xi_sync_service_new (store, fs_rig_get_url (rig), fs_rig_get_anon_key (rig));
  xi_sync_service_start (service);
  *store_out = g_steal_pointer (&store);
  return service;
}

static void
stop_on_keyring (XiSyncService *service,
                 XiStore       *store)
{
  xi_sync_service_stop (service);
  g_object_unref (service);
  /* What the sync thread published last still holds the service. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  xi_store_close (store);
  g_assert_finalize_object (store);
}

/* The keyring holding the session waits for an unlock prompt nobody
 * answers: the app says to unlock it and asks again later, and stops at
 * once while the keyring is still being asked. */
static void
test_keyring_locked (void)
{
  XiTestSilentKeyring *keyring = xi_test_silent_keyring_start ();
  g_autofree char *dir = NULL;
  XiSyncService *service;
  XiStore *store;
  guint timeout;
  gint64 start;

  if (keyring == NULL)
    return;
  dir = xi_test_make_tmpdir ();

  service = start_on_keyring (dir, "200", &store);
  timeout = g_timeout_add_seconds (60, timed_out_cb, NULL);
  while (g_strcmp0 (xi_sync_service_get_message (service), "The keyring is locked: unlock it to sync") != 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
  g_assert_cmpint (xi_sync_service_get_state (service), ==, XI_SYNC_STATE_OFFLINE);
  g_assert_cmpuint (xi_sync_service_get_retry_in (service), >, 0);
  stop_on_keyring (service, store);

  /* The sync thread is in the keyring's call by then; the limit is a
   * minute away. */
  service = start_on_keyring (dir, NULL, &store);
  g_usleep (300 * 1000);
  start = g_get_monotonic_time ();
  stop_on_keyring (service, store);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);

  xi_test_silent_keyring_stop (keyring);
  xi_test_rm_rf (dir);
}

/* A "sync now" (any local edit makes one) while the keyring is locked
 * starts a restore; the back-off timer ending while that restore waits
 * on the keyring must not run a pass without the session, which could
 * only say that nobody is signed in. */
static void
test_keyring_locked_sync_now (void)
{
  XiTestSilentKeyring *keyring = xi_test_silent_keyring_start ();
  g_autofree char *dir = NULL;
  XiSyncService *service;
  XiStore *store;
  XiSyncState state = XI_SYNC_STATE_STARTING;
  guint timeout;
  gint64 end;

  if (keyring == NULL)
    return;
  dir = xi_test_make_tmpdir ();

  /* Each restore waits longer than the first back-off. */
  service = start_on_keyring (dir, "3000", &store);
  timeout = g_timeout_add_seconds (60, timed_out_cb, NULL);
  while (g_strcmp0 (xi_sync_service_get_message (service), "The keyring is locked: unlock it to sync") != 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
  g_assert_cmpuint (xi_sync_service_get_retry_in (service), <, 3);
  xi_sync_service_sync_now (service);

  end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end && state != XI_SYNC_STATE_SIGNED_OUT)
    {
      g_main_context_iteration (NULL, FALSE);
      state = xi_sync_service_get_state (service);
      g_usleep (10 * 1000);
    }
  g_assert_cmpint (state, ==, XI_SYNC_STATE_OFFLINE);
  g_assert_cmpstr (xi_sync_service_get_message (service), ==, "The keyring is locked: unlock it to sync");

  stop_on_keyring (service, store);
  xi_test_silent_keyring_stop (keyring);
  xi_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync-service/syncs-on-its-thread", test_syncs_on_its_thread);
  g_test_add_func ("/sync-service/pushes-after-local-changes-only", test_pushes_after_local_changes_only);
  g_test_add_func ("/sync-service/resolves-refused", test_resolves_refused);
  g_test_add_func ("/sync-service/says-server-restored", test_says_server_restored);
  g_test_add_func ("/sync-service/other-program-syncing", test_other_program_syncing);
  g_test_add_func ("/sync-service/keyring-locked", test_keyring_locked);
  g_test_add_func ("/sync-service/keyring-locked-sync-now", test_keyring_locked_sync_now);

  return xi_sync_test_run (&rig);
}
