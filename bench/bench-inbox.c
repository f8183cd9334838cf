/* bench-inbox.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <sqlite3.h>
#include <time.h>

#include "bench-utils.h"
#include "xi-context.h"
#include "xi-inbox-page.h"
#include "xi-store.h"
#include "xi-window.h"

/*
 * Opening the Inbox through the UI path: a real store with N
 * conversations (one message each from N numbers) and one conversation of
 * M messages (the customer's and our replies, alternating), the app's
 * window and its Inbox page. Times, from the request to the moment the
 * widgets hold the result and then to the first frame painted after:
 * the top of the conversation list, the whole list, and the long
 * conversation. Target: under 100 ms to first results for 10,000
 * conversations and a 1,000-message thread.
 * Needs a display (xvfb-run); exits 77 without one.
 */

#define THREAD_PHONE "6281299990000"

static gboolean painted;

/* Every thread's processor time: the machine the figures come from may
 * be shared, where the wall clock says more about the neighbours. */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  painted = TRUE;
}

static void
wait_for_paint (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);

  painted = FALSE;
  gtk_widget_queue_draw (widget);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, id);
}

static void
fill (const char *path,
      guint       conversations,
      guint       thread)
{
  g_autofree char *sql = NULL;
  sqlite3 *db = NULL;
  char *message = NULL;

  /* The shapes the store writes: one message per number, most recent
   * last; then the long conversation, the customer and us in turn. */
  sql = g_strdup_printf ("BEGIN;"
                         "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %u)"
                         " INSERT INTO incoming_messages (id, master_user_id, created_at, updated_at,"
                         " wa_message_id, from_jid, phone, text, received_at)"
                         " SELECT 'in' || i, '00000000-0000-0000-0000-000000000000', t, t, 'W' || i,"
                         " (6281200000000 + i) || '@s.whatsapp.net', CAST (6281200000000 + i AS TEXT),"
                         " 'Halo, apakah stok ukuran ' || i || ' masih ada?', t"
                         " FROM (SELECT i, strftime ('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now', '-' || (%u - i) || ' seconds')"
                         " AS t FROM n);"
                         "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %u)"
                         " INSERT INTO incoming_messages (id, master_user_id, created_at, updated_at,"
                         " wa_message_id, from_jid, phone, text, received_at, is_read)"
                         " SELECT 'th' || i, '00000000-0000-0000-0000-000000000000', t, t, 'T' || i,"
                         " '" THREAD_PHONE "@s.whatsapp.net', '" THREAD_PHONE "',"
                         " 'Pesan nomor ' || i || ' dari pelanggan', t, 1"
                         " FROM (SELECT i, strftime ('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now', '-' || (2 * (%u - i) + 1)"
                         " || ' minutes') AS t FROM n);"
                         "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %u)"
                         " INSERT INTO outgoing_messages (id, master_user_id, created_at, updated_at,"
                         " wa_message_id, phone, kind, text, reply_to, state, sent_at)"
                         " SELECT 'out' || i, '00000000-0000-0000-0000-000000000000', t, t, 'R' || i,"
                         " '" THREAD_PHONE "', 'reply', 'Balasan *nomor* ' || i, 'T' || i, 'read', t"
                         " FROM (SELECT i, strftime ('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now', '-' || (2 * (%u - i))"
                         " || ' minutes') AS t FROM n);"
                         "COMMIT;",
                         conversations, conversations, thread / 2, thread / 2, thread - thread / 2,
                         thread - thread / 2);
  if (sqlite3_open (path, &db) != SQLITE_OK || sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("fill: %s", message != NULL ? message : sqlite3_errmsg (db));
  sqlite3_close (db);
}

static gboolean
has_conversations (XiInboxPage *page,
                   guint        n)
{
  return g_list_model_get_n_items (xi_inbox_page_get_conversations (page)) >= n;
}

int
main (int   argc,
      char *argv[])
{
  guint conversations = bench_parse_rows (&argc, &argv, 10000);
  guint thread = bench_parse_option (&argc, &argv, "--thread", 1000);
  g_autofree char *dir = bench_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "bench.db", NULL);
  g_autoptr(XiStore) store = xi_store_new (db);
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(XiContext) context = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  XiInboxPage *page;
  XiWindow *window;
  gint64 start, shown;
  double cpu;

  if (!gtk_init_check ())
    return 77;
  adw_init ();
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  xi_store_open_async (store, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  if (!xi_store_open_finish (store, result, &error))
    g_error ("open: %s", error->message);
  g_clear_object (&result);
  fill (db, conversations, thread);

  /* The store's part alone, for comparison. */
  cpu = cpu_ms ();
  start = g_get_monotonic_time ();
  xi_store_list_conversations_async (store, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  g_ptr_array_unref (xi_store_list_conversations_finish (store, result, &error));
  g_clear_object (&result);
  bench_report ("inbox-list-store", (g_get_monotonic_time () - start) / 1000.0, "ms");
  bench_report ("inbox-list-store-cpu", cpu_ms () - cpu, "ms");
  cpu = cpu_ms ();
  start = g_get_monotonic_time ();
  xi_store_list_thread_async (store, THREAD_PHONE, 300, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  g_ptr_array_unref (xi_store_list_thread_finish (store, result, &error));
  g_clear_object (&result);
  bench_report ("inbox-thread-store", (g_get_monotonic_time () - start) / 1000.0, "ms");
  bench_report ("inbox-thread-store-cpu", cpu_ms () - cpu, "ms");

  settings = g_settings_new (APP_ID);
  context = xi_context_new (store, settings);
  window = xi_window_new (NULL, context);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_window_present (GTK_WINDOW (window));
  page = XI_INBOX_PAGE (xi_window_get_page (window, "inbox"));
  xi_window_show_page (window, "inbox");
  wait_for_paint (GTK_WIDGET (window));

  /* The list: as when the window opens on the Inbox. First results are
   * the first rows in the list, painted; then the whole list. */
  cpu = cpu_ms ();
  start = g_get_monotonic_time ();
  xi_inbox_page_reload (page);
  while (!has_conversations (page, 1))
    g_main_context_iteration (NULL, TRUE);
  shown = g_get_monotonic_time ();
  bench_report ("inbox-list-first-results-cpu", cpu_ms () - cpu, "ms");
  wait_for_paint (GTK_WIDGET (window));
  bench_report ("inbox-list-first-results", (shown - start) / 1000.0, "ms");
  bench_report ("inbox-list-first-painted", (g_get_monotonic_time () - start) / 1000.0, "ms");
  bench_report ("inbox-list-first-painted-cpu", cpu_ms () - cpu, "ms");
  while (!has_conversations (page, conversations + 1))
    g_main_context_iteration (NULL, TRUE);
  bench_report ("inbox-list-results-cpu", cpu_ms () - cpu, "ms");
  bench_report ("inbox-list-results", (g_get_monotonic_time () - start) / 1000.0, "ms");

  /* The long conversation: its newest messages in bubbles. */
  cpu = cpu_ms ();
  start = g_get_monotonic_time ();
  xi_inbox_page_show_conversation (page, THREAD_PHONE);
  while (gtk_widget_get_first_child (xi_inbox_page_get_messages_box (page)) == NULL)
    g_main_context_iteration (NULL, TRUE);
  shown = g_get_monotonic_time ();
  bench_report ("inbox-thread-results-cpu", cpu_ms () - cpu, "ms");
  wait_for_paint (GTK_WIDGET (window));
  bench_report ("inbox-thread-results", (shown - start) / 1000.0, "ms");
  bench_report ("inbox-thread-painted", (g_get_monotonic_time () - start) / 1000.0, "ms");
  bench_report ("inbox-thread-painted-cpu", cpu_ms () - cpu, "ms");

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&context);
  xi_store_close (store);
  bench_rm_rf (dir);
  return 0;
}
