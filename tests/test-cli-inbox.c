/* test-cli-inbox.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "xi-test-utils.h"

/* "inbox", "optout" and "autoreply" of the real xender-in-cli, and "run"
 * receiving replies, against a temporary data folder. */

typedef struct
{
  char *dir;
  char *data_dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = xi_test_make_tmpdir ();
  f->data_dir = g_build_filename (f->dir, "data", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  xi_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->data_dir);
}

static GSubprocess *
spawn_cli (Fixture             *f,
           GSubprocessLauncher *launcher,
           const char * const  *argv)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (args, (gpointer)g_getenv ("XI_CLI"));
  g_ptr_array_add (args, (gpointer)"--data-dir");
  g_ptr_array_add (args, f->data_dir);
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer)argv[i]);
  g_ptr_array_add (args, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)args->pdata, &error);
  g_assert_no_error (error);
  return process;
}

static int
run_cli (Fixture     *f,
         char       **out,
         char       **err,
         const char  *first,
         ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  va_list ap;

  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = spawn_cli (f, launcher, (const char * const *)argv->pdata);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);
  return g_subprocess_get_exit_status (process);
}

static JsonArray *
json_array (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)));
  return json_array_ref (json_node_get_array (json_parser_get_root (parser)));
}

static guint
count_json (Fixture    *f,
            const char *command,
            const char *sub)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonArray) array = NULL;

  g_assert_cmpint (run_cli (f, &out, NULL, "--json", command, sub, NULL), ==, 0);
  array = json_array (out);
  return json_array_get_length (array);
}

static void
make_campaign (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->dir, "pelanggan.csv", NULL);

  g_assert_true (g_file_set_contents (path,
                                      "Nama,No HP\nAndi,0812-1111-0001\nBudi,0812-1111-0002\n"
                                      "Citra,0812-1111-0003\nDewi,0812-1111-0004\n", -1, NULL));
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "import", path, "--group", "Pelanggan", "--create-group", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "opt-out", "081211110003", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "templates", "add", "Promo", "Halo {name}, promo!", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "campaign", "create", "--group", "Pelanggan", "--template",
                            "Promo", "--delay", "0", "--batch", "0", "--start", NULL), ==, 0);
}

static gboolean
no_line_cb (gpointer user_data)
{
  g_error ("“run” printed no line within 20 s");
  return G_SOURCE_REMOVE;
}

static char *
read_line (GDataInputStream *lines)
{
  g_autoptr(GError) error = NULL;
  guint timeout = g_timeout_add_seconds (20, no_line_cb, NULL);
  char *line;

  XI_TEST_WAIT (g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL,
                                                     xi_test_store_result_cb, &slot_),
                line = g_data_input_stream_read_line_finish_utf8 (lines, result_, NULL, &error));
  g_source_remove (timeout);
  g_assert_no_error (error);
  return line;
}

static void
test_run_receives_opt_outs (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) run = NULL;
  g_autoptr(GDataInputStream) run_out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) conversations = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *run_args[] = { "run", NULL };
  guint opted_out = 0;

  make_campaign (f);

  /* Every recipient answers "Stop!" while "run" goes on, which says so
   * for each. It says it once the reply is stored: stopping it as soon
   * as the inbox shows three could stop it before it spoke. */
  g_subprocess_launcher_setenv (launcher, "XI_LOOPBACK_REPLY_EVERY", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "XI_LOOPBACK_REPLY_TEXT", "Stop!", TRUE);
  run = spawn_cli (f, launcher, run_args);
  run_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (run));
  while (opted_out < 3)
    {
      g_autofree char *line = read_line (run_out);

      g_assert_nonnull (line);
      if (strstr (line, "opted out") != NULL)
        opted_out++;
    }
  g_assert_cmpuint (count_json (f, "inbox", NULL), ==, 3);
  g_subprocess_send_signal (run, SIGTERM);
  g_assert_true (g_subprocess_wait (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (run));
  g_assert_cmpint (g_subprocess_get_exit_status (run), ==, 0);

  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "inbox", NULL), ==, 0);
  conversations = json_array (out);
  for (guint i = 0; i < json_array_get_length (conversations); i++)
    {
      JsonObject *c = json_array_get_object_element (conversations, i);

      g_assert_true (json_object_get_boolean_member (c, "opted_out"));
      g_assert_cmpint (json_object_get_int_member (c, "unread"), ==, 1);
    }
  g_clear_pointer (&out, g_free);

  /* Three by reply, one by hand; the next campaign skips all four. */
  g_assert_cmpuint (count_json (f, "optout", "list"), ==, 4);
  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "campaign", "create", "--group", "Pelanggan",
                            "--template", "Promo", NULL), ==, 1);
  g_clear_pointer (&out, g_free);

  /* Reading a conversation marks it read. */
  g_assert_cmpint (run_cli (f, &out, NULL, "inbox", "show", "0812-1111-0001", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Stop!"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, NULL, "inbox", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "+62 812-1111-0002"));
  g_clear_pointer (&out, g_free);

  /* Undo only with --yes. */
  g_assert_cmpint (run_cli (f, NULL, &err, "optout", "undo", "081211110001", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "--yes"));
  g_assert_cmpint (run_cli (f, NULL, NULL, "optout", "undo", "081211110001", "--yes", NULL), ==, 0);
  g_assert_cmpuint (count_json (f, "optout", "list"), ==, 3);
  g_assert_cmpint (run_cli (f, NULL, NULL, "optout", "undo", "081211110001", "--yes", NULL), ==, 1);
}

/* How many automatic answers the shop's side of @phone's conversation
 * shows. */
static guint
count_answers (Fixture    *f,
               const char *phone)
{
  g_autofree char *out = NULL;
  guint count = 0;

  g_assert_cmpint (run_cli (f, &out, NULL, "inbox", "show", phone, NULL), ==, 0);
  for (const char *at = out; (at = strstr (at, "You: Terima kasih")) != NULL; at++)
    count++;
  return count;
}

/* "run" keeps to the user's daily cap on automatic answers, whatever
 * the peers send: here a cap of one, and customers who answer every
 * message, automatic answers too. */
static void
test_run_reply_cap (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) run = NULL;
  g_autoptr(GDataInputStream) run_out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config = g_build_filename (f->dir, "config", NULL);
  g_autofree char *settings_dir = g_build_filename (config, "glib-2.0", "settings", NULL);
  g_autofree char *keyfile = g_build_filename (settings_dir, "keyfile", NULL);
  const char *run_args[] = { "run", NULL };
  guint arrived = 0;

  make_campaign (f);
  g_assert_cmpint (run_cli (f, NULL, NULL, "autoreply", "add", "Salam", "--any", "--reply", "Terima kasih",
                            NULL), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (settings_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (keyfile, "[io/github/xenderin/XenderIn]\n"
                                      "auto-reply-daily-cap=1\ndefault-delay-min=0\n", -1, NULL));

  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "XI_LOOPBACK_REPLY_EVERY", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "XI_LOOPBACK_REPLY_TEXT", "Halo", TRUE);
  run = spawn_cli (f, launcher, run_args);
  run_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (run));
  /* The three customers' first messages, and the answer to the one
   * automatic answer. */
  while (arrived < 4)
    {
      g_autofree char *line = read_line (run_out);

      g_assert_nonnull (line);
      if (strstr (line, "New message") != NULL)
        arrived++;
    }
  /* Answers beyond the cap would go out at once, without a pause. */
  g_usleep (G_USEC_PER_SEC);
  g_subprocess_send_signal (run, SIGTERM);
  g_assert_true (g_subprocess_wait (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (run), ==, 0);

  g_assert_cmpuint (count_answers (f, "081211110001") + count_answers (f, "081211110002") +
                    count_answers (f, "081211110004"), ==, 1);
}

static void
test_autoreply_commands (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonArray) rules = NULL;
  JsonObject *rule;

  g_assert_cmpint (run_cli (f, &out, NULL, "autoreply", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "No auto-reply rules"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (f, NULL, NULL, "autoreply", "add", "Harga", "--keyword", "harga",
                            "--keyword", "price list", "--reply", "Lihat katalog kami",
                            "--cooldown", "12", "--hours", "08-17", "--priority", "2", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "autoreply", "add", "Salam", "--any",
                            "--reply", "Terima kasih", NULL), ==, 0);
  /* Usage errors: both triggers, neither, bad hours; a user error: the name is taken. */
  g_assert_cmpint (run_cli (f, NULL, NULL, "autoreply", "add", "X", "--any", "--keyword", "a",
                            "--reply", "b", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, NULL, NULL, "autoreply", "add", "X", "--reply", "b", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, NULL, NULL, "autoreply", "add", "X", "--any", "--reply", "b",
                            "--hours", "9", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, NULL, &err, "autoreply", "add", "salam", "--any", "--reply", "b", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "already"));

  g_assert_cmpint (run_cli (f, NULL, NULL, "autoreply", "disable", "SALAM", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "autoreply", "list", NULL), ==, 0);
  rules = json_array (out);
  g_assert_cmpuint (json_array_get_length (rules), ==, 2);
  rule = json_array_get_object_element (rules, 0);
  g_assert_cmpstr (json_object_get_string_member (rule, "name"), ==, "Harga");
  g_assert_cmpstr (json_object_get_string_member (rule, "hours"), ==, "08-17");
  g_assert_cmpint (json_object_get_int_member (rule, "cooldown_seconds"), ==, 12 * 3600);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (rule, "keywords")), ==, 2);
  rule = json_array_get_object_element (rules, 1);
  g_assert_false (json_object_get_boolean_member (rule, "enabled"));

  g_assert_cmpint (run_cli (f, NULL, NULL, "autoreply", "enable", "Salam", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "autoreply", "delete", "Harga", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "autoreply", "delete", "Harga", NULL), ==, 1);
  g_assert_cmpuint (count_json (f, "autoreply", "list"), ==, 1);
  g_assert_cmpint (run_cli (f, NULL, NULL, "autoreply", "frobnicate", NULL), ==, 2);
}

static void
test_empty_inbox (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;

  g_assert_cmpint (run_cli (f, &out, NULL, "inbox", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "No messages"));
  g_assert_cmpint (run_cli (f, &out2, NULL, "optout", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out2, "Nobody"));
  g_assert_cmpuint (count_json (f, "inbox", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "inbox", "show", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, NULL, NULL, "inbox", "show", "12", NULL), ==, 1);
}

/* A customer whose number WhatsApp hides: "inbox" lists the conversation
 * by its LID, which "inbox show" takes, saying that the number is hidden
 * rather than showing the LID as one. */
static void
test_hidden_number (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->data_dir, "xender-in.db", NULL);
  g_autofree char *list = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonArray) array = NULL;
  JsonObject *conversation;
  sqlite3 *sql = NULL;

  g_assert_cmpint (run_cli (f, NULL, NULL, "inbox", NULL), ==, 0);
  /* As the store keeps such a message (test-inbox.c). */
  g_assert_cmpint (sqlite3_open (db, &sql), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (sql, "INSERT INTO incoming_messages (id, master_user_id, created_at,"
                                 " updated_at, wa_message_id, from_jid, text, received_at)"
                                 " VALUES ('m1', '00000000-0000-0000-0000-000000000000',"
                                 " '2026-12-07T10:00:00.000Z', '2026-12-07T10:00:00.000Z', '3EB0LID1',"
                                 " '236395184570386@lid', 'Halo, ini nomor baru saya',"
                                 " '2026-12-07T10:00:00.000Z')", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (sql);

  g_assert_cmpint (run_cli (f, &list, NULL, "inbox", NULL), ==, 0);
  g_assert_nonnull (strstr (list, "236395184570386@lid"));
  g_assert_nonnull (strstr (list, "WhatsApp user (number hidden)"));
  g_assert_nonnull (strstr (list, "Halo, ini nomor baru saya"));
  g_assert_null (strstr (list, "+236"));
  g_assert_cmpint (run_cli (f, &shown, NULL, "inbox", "show", "236395184570386@lid", NULL), ==, 0);
  g_assert_nonnull (strstr (shown, "Halo, ini nomor baru saya"));
  g_assert_cmpint (run_cli (f, &json, NULL, "--json", "inbox", NULL), ==, 0);
  array = json_array (json);
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  conversation = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (conversation, "phone"), ==, "236395184570386@lid");
  g_assert_cmpint (xi_test_sqlite_int (db, "SELECT count(*) FROM incoming_messages WHERE is_read = 1"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli-inbox/run-receives-opt-outs", Fixture, NULL, fixture_setup,
              test_run_receives_opt_outs, fixture_teardown);
  g_test_add ("/cli-inbox/run-reply-cap", Fixture, NULL, fixture_setup, test_run_reply_cap, fixture_teardown);
  g_test_add ("/cli-inbox/autoreply", Fixture, NULL, fixture_setup, test_autoreply_commands, fixture_teardown);
  g_test_add ("/cli-inbox/empty", Fixture, NULL, fixture_setup, test_empty_inbox, fixture_teardown);
  g_test_add ("/cli-inbox/hidden-number", Fixture, NULL, fixture_setup, test_hidden_number, fixture_teardown);

  return g_test_run ();
}
