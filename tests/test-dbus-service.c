/* test-dbus-service.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "fakewa-server.h"
#include "xi-campaign-runner.h"
#include "xi-connection.h"
#include "xi-dbus-service.h"
#include "xi-loopback-transport.h"
#include "xi-store.h"
#include "xi-test-utils.h"

/* io.github.xenderin.XenderIn1 on a private session bus (its own
 * dbus-daemon), called by `gdbus call` as a script would, over a real
 * store and the campaign runner with the loopback transport. */

#define OBJECT_PATH "/io/github/xenderin/XenderIn/Test"
#define INTERFACE   "io.github.xenderin.XenderIn1"

typedef struct
{
  GTestDBus        *bus;
  GDBusConnection  *connection;
  char             *dir;
  XiStore          *store;
  XiCampaignRunner *runner;
  XiDbusService    *service;
  char             *job_id;
  GPtrArray        *progress; /* "id state sent remaining" of each JobProgress */
  GPtrArray        *status;   /* "connection sending" of each StatusChanged */
  GPtrArray        *events;   /* "Name arg…" of every other signal */
  char             *qr;       /* the last QrCode */
  guint             subscription;
} Fixture;

#define WAIT XI_TEST_WAIT

static void
signal_cb (GDBusConnection *connection,
           const char      *sender,
           const char      *path,
           const char      *interface,
           const char      *name,
           GVariant        *parameters,
           gpointer         user_data)
{
  Fixture *f = user_data;

  if (g_str_equal (name, "JobProgress"))
    {
      const char *id, *state;
      guint total, sent, failed, skipped, remaining;

      g_variant_get (parameters, "(&s&suuuuu)", &id, &state, &total, &sent, &failed, &skipped, &remaining);
      g_ptr_array_add (f->progress, g_strdup_printf ("%s %s %u %u", id, state, sent, remaining));
    }
  else if (g_str_equal (name, "StatusChanged"))
    {
      const char *word;
      gboolean sending;

      g_variant_get (parameters, "(&sb)", &word, &sending);
      g_ptr_array_add (f->status, g_strdup_printf ("%s %s", word, sending ? "true" : "false"));
    }
  else
    {
      g_autoptr(GString) line = g_string_new (name);
      GVariantIter iter;
      const char *arg;

      if (g_str_equal (name, "QrCode"))
        {
          g_free (f->qr);
          g_variant_get (parameters, "(s)", &f->qr);
        }
      g_variant_iter_init (&iter, parameters);
      while (g_variant_iter_next (&iter, "&s", &arg))
        g_string_append_printf (line, " %s", arg);
      g_ptr_array_add (f->events, g_string_free (g_steal_pointer (&line), FALSE));
    }
}

/* One contact in one group and a template: a campaign of one, created
 * paused so that starting it is the test's doing. */
static void
create_campaign (Fixture *f)
{
  g_autoptr(XiContact) contact = xi_contact_new ();
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(XiGroup) group = xi_group_new ("Pelanggan");
  g_autoptr(XiGroup) saved_group = NULL;
  g_autoptr(XiTemplate) template_ = xi_template_new ("Promo");
  g_autoptr(XiTemplate) saved_template = NULL;
  g_autoptr(XiJobSpec) spec = xi_job_spec_new ();
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GError) error = NULL;
  const char *variants[] = { "Halo {name}!", NULL };
  const char *ids[2] = { NULL, NULL };

  xi_contact_set_name (contact, "Budi");
  xi_contact_set_phone (contact, "6281200000001");
  WAIT (xi_store_save_contact_async (f->store, contact, NULL, xi_test_store_result_cb, &slot_),
        saved = xi_store_save_contact_finish (f->store, result_, &error));
  g_assert_no_error (error);
  WAIT (xi_store_save_group_async (f->store, group, NULL, xi_test_store_result_cb, &slot_),
        saved_group = xi_store_save_group_finish (f->store, result_, &error));
  g_assert_no_error (error);
  ids[0] = xi_contact_get_id (saved);
  WAIT (xi_store_add_group_members_async (f->store, xi_group_get_id (saved_group), ids, NULL,
                                          xi_test_store_result_cb, &slot_),
        xi_store_add_group_members_finish (f->store, result_, &error));
  g_assert_no_error (error);
  xi_template_set_variants (template_, variants);
  WAIT (xi_store_save_template_async (f->store, template_, NULL, xi_test_store_result_cb, &slot_),
        saved_template = xi_store_save_template_finish (f->store, result_, &error));
  g_assert_no_error (error);

  spec->name = g_strdup ("Promo Desember");
  spec->group_id = g_strdup (xi_group_get_id (saved_group));
  spec->template_id = g_strdup (xi_template_get_id (saved_template));
  spec->transport = g_strdup (XI_JOB_TRANSPORT_LOOPBACK);
  spec->start = FALSE;
  WAIT (xi_store_create_job_async (f->store, spec, NULL, xi_test_store_result_cb, &slot_),
        job = xi_store_create_job_finish (f->store, result_, &error));
  g_assert_no_error (error);
  f->job_id = g_strdup (xi_job_get_id (job));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *journal = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  f->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (f->bus);
  f->connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);

  f->dir = xi_test_make_tmpdir ();
  path = g_build_filename (f->dir, "store.db", NULL);
  f->store = xi_store_new (path);
  WAIT (xi_store_open_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        ok = xi_store_open_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  create_campaign (f);

  journal = g_build_filename (f->dir, "loopback-journal.tsv", NULL);
  f->runner = xi_campaign_runner_new (f->store, xi_loopback_transport_factory,
                                      g_steal_pointer (&journal), g_free);
  f->service = xi_dbus_service_new (f->store);
  g_assert_true (xi_dbus_service_export (f->service, f->connection, OBJECT_PATH, &error));
  g_assert_no_error (error);

  f->progress = g_ptr_array_new_with_free_func (g_free);
  f->status = g_ptr_array_new_with_free_func (g_free);
  f->events = g_ptr_array_new_with_free_func (g_free);
  f->subscription = g_dbus_connection_signal_subscribe (f->connection, NULL, INTERFACE, NULL, OBJECT_PATH,
                                                        NULL, G_DBUS_SIGNAL_FLAGS_NONE, signal_cb, f, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  /* Signals still queued must not reach the arrays freed below. */
  g_dbus_connection_signal_unsubscribe (f->connection, f->subscription);
  g_clear_object (&f->service);
  if (f->runner != NULL)
    xi_campaign_runner_stop (f->runner);
  g_clear_object (&f->runner);
  xi_store_close (f->store);
  g_clear_object (&f->store);
  xi_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->job_id);
  g_ptr_array_unref (f->progress);
  g_ptr_array_unref (f->status);
  g_ptr_array_unref (f->events);
  g_free (f->qr);
  g_dbus_connection_close_sync (f->connection, NULL, NULL);
  g_clear_object (&f->connection);
  g_test_dbus_down (f->bus);
  g_clear_object (&f->bus);
}

static void
subprocess_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

/* Runs `gdbus call` for @method with the arguments that follow, up to
 * %NULL, as a separate process, while this main loop serves the call.
 * Returns its standard output, or %NULL with @error_text holding its
 * standard error. */
static char *
gdbus_call (Fixture     *f,
            char       **error_text,
            const char  *method,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *full = g_strconcat (INTERFACE, ".", method, NULL);
  char *out = NULL;
  char *err = NULL;
  const char *fixed[] = { "gdbus", "call", "--session",
                          "--dest", g_dbus_connection_get_unique_name (f->connection),
                          "--object-path", OBJECT_PATH, "--method", full };

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (argv, (char *)fixed[i]);
  va_start (args, method);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *)argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, subprocess_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_subprocess_communicate_utf8_finish (process, result, &out, &err, &error));
  g_assert_no_error (error);
  if (g_subprocess_get_successful (process))
    {
      g_free (err);
      return out;
    }
  g_free (out);
  *error_text = err;
  return NULL;
}

static gboolean
contains (GPtrArray  *lines,
          const char *line)
{
  for (guint i = 0; i < lines->len; i++)
    if (g_str_equal (g_ptr_array_index (lines, i), line))
      return TRUE;
  return FALSE;
}

/* Without the engine, reads answer and commands say why they cannot. */
static void
test_engine_elsewhere (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *listed = NULL;

  out = gdbus_call (f, &err, "GetStatus", NULL);
  g_assert_cmpstr (out, ==, "('unavailable', false)\n");
  g_clear_pointer (&out, g_free);

  listed = g_strdup_printf ("([('%s', 'Promo Desember', 'paused', uint32 1, uint32 0, uint32 0, uint32 0, uint32 1)],)\n", f->job_id);
  out = gdbus_call (f, &err, "ListCampaigns", NULL);
  g_assert_cmpstr (out, ==, listed);
  g_clear_pointer (&out, g_free);

  out = gdbus_call (f, &err, "StartCampaign", f->job_id, NULL);
  g_assert_null (out);
  g_assert_nonnull (strstr (err, INTERFACE ".Error.EngineElsewhere"));
}

typedef struct
{
  GPtrArray  *lines;
  const char *line;
  gboolean    last;
} LineWait;

static gboolean
line_seen (LineWait *wait)
{
  if (wait->last)
    return wait->lines->len > 0 &&
           g_str_equal (g_ptr_array_index (wait->lines, wait->lines->len - 1), wait->line);
  return contains (wait->lines, wait->line);
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Whether @line comes (as the last one with @last) within 10 s; a tick
 * wakes the loop to look at the clock when no signal comes. */
static gboolean
wait_for_line (GPtrArray  *lines,
               const char *line,
               gboolean    last)
{
  LineWait wait = { lines, line, last };
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint tick = g_timeout_add (100, tick_cb, NULL);

  while (!line_seen (&wait) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return line_seen (&wait);
}

/* Start, a mistaken id and a refused pause, by `gdbus call`; the engine's
 * progress arrives as JobProgress and the sending flag as StatusChanged. */
static void
test_commands (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *done = NULL;
  g_autoptr(GError) error = NULL;

  xi_dbus_service_set_runner (f->service, f->runner);
  g_assert_true (xi_campaign_runner_start (f->runner, &error));
  g_assert_no_error (error);

  out = gdbus_call (f, &err, "PauseCampaign", "no-such-campaign", NULL);
  g_assert_null (out);
  g_assert_nonnull (strstr (err, INTERFACE ".Error.Failed"));
  g_clear_pointer (&err, g_free);

  out = gdbus_call (f, &err, "StartCampaign", f->job_id, NULL);
  g_assert_cmpstr (out, ==, "('pending',)\n");
  g_clear_pointer (&out, g_free);

  done = g_strdup_printf ("%s completed 1 0", f->job_id);
  g_assert_true (wait_for_line (f->progress, done, FALSE));
  /* Not sending once it is done (a campaign of one at no delay may finish
   * before its start is ever published; app-dbus sees a slow one send). */
  g_assert_true (wait_for_line (f->status, "unavailable false", TRUE));

  out = gdbus_call (f, &err, "GetStatus", NULL);
  g_assert_cmpstr (out, ==, "('unavailable', false)\n");
  g_clear_pointer (&out, g_free);

  /* A finished campaign cannot be paused: the engine's own refusal. */
  out = gdbus_call (f, &err, "PauseCampaign", f->job_id, NULL);
  g_assert_null (out);
  g_assert_nonnull (strstr (err, INTERFACE ".Error.Failed"));
}

static void
jobs_changed_cb (XiStore            *store,
                 const char         *table,
                 const char * const *ids,
                 gpointer            user_data)
{
  GPtrArray *changed = user_data;

  if (g_str_equal (table, "jobs"))
    for (guint i = 0; ids[i] != NULL; i++)
      g_ptr_array_add (changed, g_strdup (ids[i]));
}

/* DeleteCampaign deletes through the app's own store, so the change
 * reaches the models that follow it (the window's campaigns); without
 * the engine too, and a mistaken id is refused. */
static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gulong handler;

  handler = g_signal_connect (f->store, "changed", G_CALLBACK (jobs_changed_cb), changed);

  out = gdbus_call (f, &err, "DeleteCampaign", "no-such-campaign", NULL);
  g_assert_null (out);
  g_assert_nonnull (strstr (err, INTERFACE ".Error.Failed"));
  g_clear_pointer (&err, g_free);

  out = gdbus_call (f, &err, "DeleteCampaign", f->job_id, NULL);
  g_assert_cmpstr (out, ==, "()\n");
  g_clear_pointer (&out, g_free);
  g_assert_true (wait_for_line (changed, f->job_id, FALSE));

  out = gdbus_call (f, &err, "ListCampaigns", NULL);
  g_assert_cmpstr (out, ==, "(@a(sssuuuuu) [],)\n");
  g_signal_handler_disconnect (f->store, handler);
}

/* The first line of @lines that starts with @prefix, waiting up to 10 s. */
static const char *
wait_for_prefix (GPtrArray  *lines,
                 const char *prefix)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint tick = g_timeout_add (100, tick_cb, NULL);
  const char *found = NULL;

  while (found == NULL && g_get_monotonic_time () < end)
    {
      for (guint i = 0; i < lines->len && found == NULL; i++)
        if (g_str_has_prefix (g_ptr_array_index (lines, i), prefix))
          found = g_ptr_array_index (lines, i);
      if (found == NULL)
        g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  return found;
}

static XiIncoming *
record_incoming (Fixture    *f,
                 const char *message_id,
                 const char *phone,
                 const char *text,
                 const char *keyword)
{
  g_autoptr(GError) error = NULL;
  XiIncoming *incoming = NULL;

  WAIT (xi_store_record_incoming_async (f->store, phone, NULL, message_id, text, keyword, NULL,
                                        xi_test_store_result_cb, &slot_),
        incoming = xi_store_record_incoming_finish (f->store, result_, NULL, &error));
  g_assert_no_error (error);
  return incoming;
}

/* A reply and an opt-out, as the runner announces them once stored: the
 * signals carry ids and the keyword, never the text or the number. */
static void
test_incoming (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(XiIncoming) reply = NULL;
  g_autoptr(XiIncoming) stop = NULL;
  g_autofree char *received = NULL;
  g_autofree char *unsubscribed = NULL;
  const char *contact;

  xi_dbus_service_set_runner (f->service, f->runner);
  reply = record_incoming (f, "3EB0DBUS0001", "6281200000001", "Masih ada stok?", NULL);
  contact = xi_incoming_get_contact_id (reply);
  g_assert_nonnull (contact);
  g_signal_emit_by_name (f->runner, "incoming", reply);
  received = g_strdup_printf ("MessageReceived %s %s ", xi_incoming_get_id (reply), contact);
  g_assert_nonnull (wait_for_prefix (f->events, received));

  stop = record_incoming (f, "3EB0DBUS0002", "6281200000001", "STOP", "STOP");
  g_signal_emit_by_name (f->runner, "incoming", stop);
  unsubscribed = g_strdup_printf ("UnsubscribeDetected %s STOP", contact);
  g_assert_nonnull (wait_for_prefix (f->events, unsubscribed));

  for (guint i = 0; i < f->events->len; i++)
    {
      const char *line = g_ptr_array_index (f->events, i);

      g_assert_null (strstr (line, "stok"));
      g_assert_null (strstr (line, "81200000001"));
    }

  g_signal_emit_by_name (f->runner, "disk-full");
  g_assert_nonnull (wait_for_prefix (f->events, "Error disk-full "));
}

#define PHONE "6281234567890"

/* Linking, sending and unlinking by `gdbus call`, against the fake
 * WhatsApp server served by this main loop. */
static void
test_whatsapp (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(FakewaServer) server = NULL;
  g_autoptr(XiConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *sent = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GPtrArray) thread = NULL;
  XiChatState state;

  /* Without WhatsApp in this app, it says so. */
  xi_dbus_service_set_runner (f->service, f->runner);
  out = gdbus_call (f, &err, "Connect", NULL);
  g_assert_null (out);
  g_assert_nonnull (strstr (err, INTERFACE ".Error.Unavailable"));
  g_clear_pointer (&err, g_free);

  g_assert_true (xi_campaign_runner_start (f->runner, &error));
  server = fakewa_server_new (&error);
  g_assert_no_error (error);
  connection = xi_connection_new (f->store, xi_campaign_runner_get_network_context (f->runner),
                                  fakewa_server_get_url (server), fakewa_server_get_root_key (server));
  xi_connection_set_backoff (connection, 300, 1000);
  xi_connection_start (connection);
  xi_dbus_service_set_connection (f->service, connection);
  g_assert_true (wait_for_line (f->status, "not-linked false", TRUE));

  out = gdbus_call (f, &err, "SendMessage", "+" PHONE, "Halo", NULL);
  g_assert_null (out);
  g_assert_nonnull (strstr (err, INTERFACE ".Error.Unavailable"));
  g_clear_pointer (&err, g_free);

  /* Connect shows codes; closing before a scan links nothing. */
  out = gdbus_call (f, &err, "Connect", NULL);
  g_assert_cmpstr (out, ==, "()\n");
  g_clear_pointer (&out, g_free);
  g_assert_nonnull (wait_for_prefix (f->events, "QrCode "));
  out = gdbus_call (f, &err, "Disconnect", NULL);
  g_assert_cmpstr (out, ==, "()\n");
  g_clear_pointer (&out, g_free);
  g_assert_true (wait_for_line (f->status, "not-linked false", TRUE));

  /* Again, and the phone scans the code the signal carried. */
  g_ptr_array_set_size (f->events, 0);
  g_clear_pointer (&f->qr, g_free);
  out = gdbus_call (f, &err, "Connect", NULL);
  g_clear_pointer (&out, g_free);
  g_assert_nonnull (wait_for_prefix (f->events, "QrCode "));
  g_assert_true (fakewa_server_scan (server, f->qr, PHONE, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for_line (f->status, "connected false", TRUE));

  /* A mistyped number and an empty text are the caller's to fix. */
  out = gdbus_call (f, &err, "SendMessage", "+62 12", "Halo", NULL);
  g_assert_null (out);
  g_assert_nonnull (strstr (err, INTERFACE ".Error.InvalidArgs"));
  g_clear_pointer (&err, g_free);
  out = gdbus_call (f, &err, "SendMessage", "+6281234567891", "  ", NULL);
  g_assert_null (out);
  g_assert_nonnull (strstr (err, INTERFACE ".Error.InvalidArgs"));
  g_clear_pointer (&err, g_free);

  /* WhatsApp's refusal comes back as the method's error. */
  out = gdbus_call (f, &err, "SendMessage", "+6281234567891", "Halo Budi", NULL);
  g_assert_null (out);
  g_assert_nonnull (strstr (err, INTERFACE ".Error.Failed"));
  g_clear_pointer (&err, g_free);

  fakewa_server_add_account (server, "6281234567892");
  out = gdbus_call (f, &err, "SendMessage", "+6281234567892", "Halo Budi", NULL);
  g_assert_cmpstr (err, ==, NULL);
  g_assert_true (g_str_has_prefix (out, "('"));
  id = g_strndup (out + 2, strcspn (out + 2, "'"));
  g_assert_cmpuint (strlen (id), >, 0);
  sent = g_strdup_printf ("MessageSent %s", id);
  g_assert_nonnull (wait_for_prefix (f->events, sent));
  g_clear_pointer (&out, g_free);

  /* It is in the customer's conversation, as a reply from the Inbox is. */
  WAIT (xi_store_list_thread_async (f->store, "6281234567892", 0, NULL, xi_test_store_result_cb, &slot_),
        thread = xi_store_list_thread_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (thread->len, ==, 1);
  g_assert_cmpstr (xi_chat_message_get_message_id (g_ptr_array_index (thread, 0)), ==, id);
  g_assert_cmpstr (xi_chat_message_get_text (g_ptr_array_index (thread, 0)), ==, "Halo Budi");
  state = xi_chat_message_get_state (g_ptr_array_index (thread, 0));
  g_assert_true (state == XI_CHAT_STATE_SENT || state == XI_CHAT_STATE_DELIVERED || state == XI_CHAT_STATE_READ);

  /* The phone unlinks this computer: an Error names what to do. */
  fakewa_server_stream_error (server, "401", NULL);
  g_assert_nonnull (wait_for_prefix (f->events, "Error logged-out "));
  g_assert_true (wait_for_line (f->status, "logged-out false", TRUE));

  xi_dbus_service_set_connection (f->service, NULL);
  xi_connection_stop (connection);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/xi/dbus/engine-elsewhere", Fixture, NULL, fixture_set_up, test_engine_elsewhere, fixture_tear_down);
  g_test_add ("/xi/dbus/commands", Fixture, NULL, fixture_set_up, test_commands, fixture_tear_down);
  g_test_add ("/xi/dbus/delete", Fixture, NULL, fixture_set_up, test_delete, fixture_tear_down);
  g_test_add ("/xi/dbus/incoming", Fixture, NULL, fixture_set_up, test_incoming, fixture_tear_down);
  g_test_add ("/xi/dbus/whatsapp", Fixture, NULL, fixture_set_up, test_whatsapp, fixture_tear_down);

  return g_test_run ();
}
