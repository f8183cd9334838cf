/* test-cli-link.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <unistd.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "xi-test-utils.h"

/* "xender-in-cli link" against the fake server in its own process: the
 * QR code, the phone's scan, pairing, the 515 restart and login; then a
 * second run logs in from the saved session, and a server that does not
 * know the device refuses it. Everything on 127.0.0.1. */

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *out;
  GOutputStream    *in;
  char             *url;
  char             *root;
} Fakewa;

static char *
read_line (GDataInputStream *stream)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_utf8 (stream, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

static void
fakewa_start (Fakewa *fake)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url_line = NULL;
  g_autofree char *root_line = NULL;

  fake->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                    g_getenv ("XI_FAKEWA"), NULL);
  g_assert_no_error (error);
  fake->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fake->process));
  fake->in = g_subprocess_get_stdin_pipe (fake->process);
  url_line = read_line (fake->out);
  root_line = read_line (fake->out);
  g_assert_true (g_str_has_prefix (url_line, "url ws://127.0.0.1:"));
  g_assert_true (g_str_has_prefix (root_line, "root "));
  fake->url = g_strdup (url_line + strlen ("url "));
  fake->root = g_strdup (root_line + strlen ("root "));
}

static void
fakewa_stop (Fakewa *fake)
{
  g_output_stream_close (fake->in, NULL, NULL);
  g_subprocess_wait (fake->process, NULL, NULL);
  g_clear_object (&fake->out);
  g_clear_object (&fake->process);
  g_clear_pointer (&fake->url, g_free);
  g_clear_pointer (&fake->root, g_free);
}

/* The next answer to a command; events in between are not answers. */
static char *
read_answer (Fakewa *fake)
{
  for (;;)
    {
      char *line = read_line (fake->out);

      if (!g_str_has_prefix (line, "phone-receipt ") && !g_str_has_prefix (line, "key-request ") &&
          !g_str_has_prefix (line, "relayed "))
        return line;
      g_free (line);
    }
}

static void
fakewa_say (Fakewa     *fake,
            const char *command)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;

  g_assert_true (g_output_stream_write_all (fake->in, command, strlen (command), NULL, NULL, &error));
  g_assert_no_error (error);
  answer = read_answer (fake);
  g_assert_cmpstr (answer, ==, "ok");
}

static GSubprocess *
spawn_link (Fakewa     *fake,
            const char *data_dir,
            gboolean    json)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_setenv (launcher, "XI_WA_URL", fake->url, TRUE);
  g_subprocess_launcher_setenv (launcher, "XI_WA_ROOT_KEY", fake->root, TRUE);
  if (json)
    process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("XI_CLI"), "--data-dir", data_dir,
                                           "--json", "link", NULL);
  else
    process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("XI_CLI"), "--data-dir", data_dir,
                                           "link", NULL);
  g_assert_no_error (error);
  return process;
}

/* The CLI prints one pretty JSON object per event. */
static JsonObject *
read_json_object (GDataInputStream *stream,
                  JsonParser       *parser)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (;;)
    {
      g_autofree char *line = read_line (stream);

      g_string_append (text, line);
      if (g_str_equal (line, "}"))
        break;
    }
  json_parser_load_from_data (parser, text->str, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

/* Runs "link", scans the code it shows (which starts with @qr_prefix)
 * as the phone of @phone, waits for it to finish linked and
 * returns the device's JID. */
static char *
link_by_scan (Fakewa     *fake,
              const char *data_dir,
              const char *qr_prefix,
              const char *phone)
{
  g_autoptr(GSubprocess) cli = spawn_link (fake, data_dir, TRUE);
  g_autoptr(GDataInputStream) cli_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (cli));
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *share = NULL;
  g_autofree char *command = NULL;
  g_autofree char *paired = NULL;
  g_autofree char *jid = NULL;
  JsonObject *object;

  /* "link" waits for the phone's keys and history; a phone with nothing
   * to share still shares them. */
  share = g_strdup_printf ("phone-share %s\n", phone);
  fakewa_say (fake, share);
  object = read_json_object (cli_out, parser);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (object, "qr"), qr_prefix));

  /* The phone scans the code the CLI shows. */
  command = g_strdup_printf ("scan %s %s\n", json_object_get_string_member (object, "qr"), phone);
  fakewa_say (fake, command);
  paired = read_answer (fake);
  g_assert_true (g_str_has_prefix (paired, "paired "));
  g_assert_true (g_str_has_prefix (paired + strlen ("paired "), phone));
  g_assert_true (g_str_has_suffix (paired, "@lid"));

  object = read_json_object (cli_out, parser);
  jid = g_strdup (json_object_get_string_member (object, "linked"));
  g_assert_nonnull (strstr (paired, jid));
  g_assert_cmpstr (json_object_get_string_member (object, "app_state"), ==, "synced");
  g_assert_true (g_subprocess_wait_check (cli, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&jid);
}

/* The key files beside the database, which the tests use instead of a
 * keyring (XENDER_IN_SECRETS=file). */
static GPtrArray *
key_files (const char *data_dir)
{
  g_autoptr(GDir) dir = g_dir_open (data_dir, 0, NULL);
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".key"))
      g_ptr_array_add (files, g_build_filename (data_dir, name, NULL));
  return files;
}

/* The key that sealed the saved session is lost: other commands say so
 * and stop, "link" starts over with a new code and a new key. */
static void
test_lost_key (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GPtrArray) new_keys = NULL;
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  Fakewa fake = { 0 };

  fakewa_start (&fake);
  g_free (link_by_scan (&fake, data_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-1-", "6281234567890"));
  keys = key_files (data_dir);
  g_assert_cmpuint (keys->len, ==, 1);
  g_assert_cmpint (g_unlink (g_ptr_array_index (keys, 0)), ==, 0);

  cli = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                          g_getenv ("XI_CLI"), "--data-dir", data_dir, "send", "6281234567891", "Halo", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (cli, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (cli), ==, 1);
  g_assert_nonnull (strstr (err, "cannot be read"));
  g_assert_nonnull (strstr (err, "Link the device again"));

  g_free (link_by_scan (&fake, data_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-", "6281234567890"));
  new_keys = key_files (data_dir);
  g_assert_cmpuint (new_keys->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (new_keys, 0), !=, g_ptr_array_index (keys, 0));
  fakewa_stop (&fake);

  xi_test_rm_rf (dir);
}

static void
test_link_and_log_in (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GDataInputStream) cli_out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *jid = NULL;
  Fakewa fake = { 0 };
  JsonObject *object;

  fakewa_start (&fake);
  jid = link_by_scan (&fake, data_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-1-", "6281234567890");
  g_assert_cmpstr (jid, ==, "6281234567890:1@s.whatsapp.net");

  /* The saved session logs in without a code. */
  cli = spawn_link (&fake, data_dir, FALSE);
  g_subprocess_communicate_utf8 (cli, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (cli), ==, 0);
  g_assert_nonnull (strstr (out, "Already linked to WhatsApp as +62 812-3456-7890"));
  g_clear_object (&cli);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  fakewa_stop (&fake);

  /* A server that does not know this device logs it out: the keys go,
   * and the next run starts over with a new code. */
  fakewa_start (&fake);
  cli = spawn_link (&fake, data_dir, FALSE);
  g_subprocess_communicate_utf8 (cli, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (cli), ==, 1);
  g_assert_nonnull (strstr (err, "unlinked from WhatsApp"));
  g_clear_object (&cli);

  cli = spawn_link (&fake, data_dir, TRUE);
  g_clear_object (&cli_out);
  cli_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (cli));
  object = read_json_object (cli_out, parser);
  g_assert_nonnull (json_object_get_string_member (object, "qr"));
  g_subprocess_force_exit (cli);
  g_subprocess_wait (cli, NULL, NULL);
  fakewa_stop (&fake);

  xi_test_rm_rf (dir);
}

static void
assert_shared (JsonObject *object)
{
  g_assert_cmpstr (json_object_get_string_member (object, "push_name"), ==, "Toko Sari");
  g_assert_true (json_object_get_boolean_member (object, "nct_salt"));
  g_assert_cmpint (json_object_get_int_member (object, "lid_mappings"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (object, "contact_names"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (object, "push_names"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (object, "privacy_tokens"), ==, 1);
}

/* WA-FIDELITY §2–3 end to end: the phone holds a push name, two contacts
 * (one issued us a privacy token) and the NCT salt; right after linking
 * it shares its keys, app state and history (the bootstrap inline, the
 * push names as a blob on the media host); "link" waits for them and the
 * store keeps them: a second run reads them back from disk. */
static void
test_phone_shares (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GDataInputStream) cli_out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  g_autofree char *paired = NULL;
  guint hist_sync = 0, peer_msg = 0;
  Fakewa fake = { 0 };
  JsonObject *object;

  fakewa_start (&fake);
  fakewa_say (&fake, "account 6281100000001\n");
  fakewa_say (&fake, "account 6281100000002\n");
  fakewa_say (&fake, "phone-name 6281234567890 Toko Sari\n");
  fakewa_say (&fake, "phone-contact 6281234567890 6281100000001 746f6b656e2d31 Budi Santoso\n");
  fakewa_say (&fake, "phone-contact 6281234567890 6281100000002 - Siti Aminah\n");
  fakewa_say (&fake, "phone-salt 6281234567890 000102030405060708090a0b0c0d0e0f\n");

  cli = spawn_link (&fake, data_dir, TRUE);
  cli_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (cli));
  object = read_json_object (cli_out, parser);
  command = g_strdup_printf ("scan %s 6281234567890\n", json_object_get_string_member (object, "qr"));
  fakewa_say (&fake, command);
  paired = read_answer (&fake);
  g_assert_true (g_str_has_prefix (paired, "paired 6281234567890:1@s.whatsapp.net "));
  fakewa_say (&fake, "phone-share 6281234567890\n");

  object = read_json_object (cli_out, parser);
  g_assert_cmpstr (json_object_get_string_member (object, "linked"), ==, "6281234567890:1@s.whatsapp.net");
  g_assert_cmpstr (json_object_get_string_member (object, "app_state"), ==, "synced");
  assert_shared (object);
  g_assert_true (g_subprocess_wait_check (cli, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&cli);

  /* The phone got a peer_msg receipt for the key share and both chunks,
   * and a hist_sync receipt for each chunk (§3.3). */
  while (hist_sync < 2 || peer_msg < 3)
    {
      g_autofree char *line = read_line (fake.out);

      hist_sync += g_str_has_prefix (line, "phone-receipt hist_sync ");
      peer_msg += g_str_has_prefix (line, "phone-receipt peer_msg ");
    }

  cli = spawn_link (&fake, data_dir, TRUE);
  g_clear_object (&cli_out);
  cli_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (cli));
  object = read_json_object (cli_out, parser);
  assert_shared (object);
  g_assert_true (g_subprocess_wait_check (cli, NULL, &error));
  g_assert_no_error (error);
  fakewa_stop (&fake);
  xi_test_rm_rf (dir);
}

/* Runs the CLI against the fake server, with short pauses between the
 * batches of a check; @out and @err get what it printed. */
static int
run_cli_v (Fakewa      *fake,
           const char  *data_dir,
           char       **out,
           char       **err,
           va_list      ap)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *errors = NULL;
  const char *arg;

  g_ptr_array_add (args, (char *) g_getenv ("XI_CLI"));
  g_ptr_array_add (args, "--data-dir");
  g_ptr_array_add (args, (char *) data_dir);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) arg);
  g_ptr_array_add (args, NULL);

  g_subprocess_launcher_setenv (launcher, "XI_WA_URL", fake->url, TRUE);
  g_subprocess_launcher_setenv (launcher, "XI_WA_ROOT_KEY", fake->root, TRUE);
  g_subprocess_launcher_setenv (launcher, "XI_CHECK_PAUSE_MS", "10-30", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, &errors, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (process) != 0)
    g_test_message ("%s", errors);
  if (err != NULL)
    *err = g_steal_pointer (&errors);
  return g_subprocess_get_exit_status (process);
}

static int
run_cli (Fakewa      *fake,
         const char  *data_dir,
         char       **out,
         ...)
{
  va_list ap;
  int status;

  va_start (ap, out);
  status = run_cli_v (fake, data_dir, out, NULL, ap);
  va_end (ap);
  return status;
}

static int
run_cli_err (Fakewa      *fake,
             const char  *data_dir,
             char       **err,
             ...)
{
  va_list ap;
  int status;

  va_start (ap, err);
  status = run_cli_v (fake, data_dir, NULL, err, ap);
  va_end (ap);
  return status;
}

/* Once linked: "check" asks about the group's numbers, records the
 * answers, and does not ask again within 30 days unless --force; a
 * campaign then goes through WhatsApp, skipping the number that is not
 * on it, and --rehearse makes a rehearsal instead. */
static void
test_check_and_create (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *csv = g_build_filename (dir, "contacts.csv", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  Fakewa fake = { 0 };
  JsonObject *object;
  JsonArray *checked;
  guint on = 0;

  fakewa_start (&fake);
  g_free (link_by_scan (&fake, data_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-", "6281234567890"));

  fakewa_say (&fake, "account 6281211110001\n");
  fakewa_say (&fake, "account 6281211110002\n");
  g_assert_true (g_file_set_contents (csv, "name,phone\nAndi,0812-1111-0001\nBudi,0812-1111-0002\n"
                                           "Citra,0812-1111-0003\n", -1, &error));
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "contacts", "import", csv, "--group", "Pelanggan", "--create-group", NULL), ==, 0);
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "templates", "add", "Promo", "Halo {name}", NULL), ==, 0);

  g_assert_cmpint (run_cli (&fake, data_dir, &out, "--json", "check", "--group", "Pelanggan", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  object = json_node_get_object (json_parser_get_root (parser));
  checked = json_object_get_array_member (object, "checked");
  g_assert_cmpuint (json_array_get_length (checked), ==, 3);
  for (guint i = 0; i < 3; i++)
    on += json_object_get_boolean_member (json_array_get_object_element (checked, i), "on_whatsapp");
  g_assert_cmpuint (on, ==, 2);
  g_clear_pointer (&out, g_free);

  /* Checked today: not asked again, unless forced. */
  g_assert_cmpint (run_cli (&fake, data_dir, &out, "check", "0812-1111-0003", "--group", "Pelanggan", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "3 contacts were checked in the last 30 days"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&fake, data_dir, &out, "check", "--force", "0812-1111-0003", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "not on WhatsApp"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (&fake, data_dir, &out, "--json", "campaign", "create", "--group", "Pelanggan",
                            "--template", "Promo", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (object, "skipped"),
                                               "not_on_whatsapp"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "campaign"),
                                                  "transport"), ==, "whatsapp");
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (&fake, data_dir, &out, "campaign", "create", "--group", "Pelanggan",
                            "--template", "Promo", "--name", "Coba", "--rehearse", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "rehearsal"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&fake, data_dir, &out, "campaign", "status", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Coba (rehearsal)"));

  fakewa_stop (&fake);
  xi_test_rm_rf (dir);
}

/* The lines the fake server printed until it answered @command. */
static GPtrArray *
fakewa_say_and_collect (Fakewa     *fake,
                        const char *command)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (g_output_stream_write_all (fake->in, command, strlen (command), NULL, NULL, &error));
  g_assert_no_error (error);
  for (;;)
    {
      char *line = read_line (fake->out);

      if (g_str_equal (line, "ok"))
        {
          g_free (line);
          return lines;
        }
      g_ptr_array_add (lines, line);
    }
}

#define SHOP "6281234567890"

/* 50 customers on WhatsApp, of whom 20 wrote to SHOP first (their
 * phones issued it their tokens) and 30 never did, and a campaign
 * "Juni" to all of them run through WhatsApp until it is done. */
static void
send_to_fifty (Fakewa      *fake,
               const char  *dir,
               const char  *data_dir,
               char       **err)
{
  g_autofree char *csv = g_build_filename (dir, "contacts.csv", NULL);
  g_autoptr(GString) contacts = g_string_new ("name,phone\n");
  g_autoptr(GError) error = NULL;

  for (guint i = 1; i <= 50; i++)
    {
      g_autofree char *account = g_strdup_printf ("account 628122220%04u\n", i);

      fakewa_say (fake, account);
      g_string_append_printf (contacts, "Pelanggan %u,0812-2220-%04u\n", i, i);
      if (i % 5 < 2)
        {
          g_autofree char *issue = g_strdup_printf ("issue-token 628122220%04u " SHOP "\n", i);

          fakewa_say (fake, issue);
        }
    }
  g_assert_true (g_file_set_contents (csv, contacts->str, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (run_cli (fake, data_dir, NULL, "contacts", "import", csv, "--group", "Semua", "--create-group", NULL), ==, 0);
  g_assert_cmpint (run_cli (fake, data_dir, NULL, "templates", "add", "Promo", "Halo {name}", NULL), ==, 0);
  g_assert_cmpint (run_cli (fake, data_dir, NULL, "campaign", "create", "--group", "Semua", "--template", "Promo",
                            "--name", "Juni", "--delay", "0", "--batch", "0", "--start", NULL), ==, 0);
  g_assert_cmpint (run_cli_err (fake, data_dir, err, "run", "--transport", "whatsapp", "--until-idle", NULL), ==, 0);
}

/* WA-FIDELITY's scenario through the command line, against the fake
 * server in its own process: an account that must show a conversation
 * sends a campaign of 50 where 20 customers wrote first (their phones
 * issued tokens, held for it while it was away): those 20 are delivered,
 * the 30 others refused with 463 exactly once each, never again, shown
 * as refused, and "run" ends. Then under a short reach-out time-lock,
 * "run" says new chats are paused and until when, and once it is over
 * they go. (The cstoken path from the NCT salt is proved in
 * test-campaigns, where the salt can be put in the key store.) */
static void
test_tokens_and_timelock (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GHashTable) refusals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  Fakewa fake = { 0 };
  JsonArray *report;
  guint refused = 0, sent = 0;

  fakewa_start (&fake);
  g_free (link_by_scan (&fake, data_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-", SHOP));
  fakewa_say (&fake, "require-tokens " SHOP " on\n");
  send_to_fifty (&fake, dir, data_dir, &err);

  lines = fakewa_say_and_collect (&fake, "account 6280000000000\n");
  for (guint i = 0; i < lines->len; i++)
    {
      g_auto(GStrv) words = g_strsplit (g_ptr_array_index (lines, i), " ", -1);

      if (!g_str_equal (words[0], "refused"))
        continue;
      g_assert_cmpstr (words[3], ==, "463");
      g_assert_false (g_hash_table_contains (refusals, words[2]));
      g_hash_table_add (refusals, g_strdup (words[2]));
    }
  g_assert_cmpuint (g_hash_table_size (refusals), ==, 30);

  g_assert_cmpint (run_cli (&fake, data_dir, &out, "--json", "campaign", "report", "Juni", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  report = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (report), ==, 50);
  for (guint i = 0; i < 50; i++)
    {
      JsonObject *row = json_array_get_object_element (report, i);
      const char *state = json_object_get_string_member (row, "state");

      if (g_str_equal (state, "failed"))
        {
          g_assert_cmpstr (json_object_get_string_member (row, "skip_reason"), ==, "refused_new_contact");
          g_assert_cmpint (json_object_get_int_member (row, "attempts"), ==, 1);
          g_assert_nonnull (strstr (json_object_get_string_member (row, "error"), "Refused by WhatsApp (new contact)"));
          refused++;
        }
      else
        sent += g_str_equal (state, "sent") || g_str_equal (state, "delivered");
    }
  g_assert_cmpuint (refused, ==, 30);
  g_assert_cmpuint (sent, ==, 20);

  /* Running again sends nobody anything: the refused stay refused. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli_err (&fake, data_dir, &err, "run", "--transport", "whatsapp", "--until-idle", NULL), ==, 0);
  g_clear_pointer (&lines, g_ptr_array_unref);
  lines = fakewa_say_and_collect (&fake, "account 6280000000001\n");
  for (guint i = 0; i < lines->len; i++)
    g_assert_false (g_str_has_prefix (g_ptr_array_index (lines, i), "refused"));

  /* A time-lock: "run" says so and until when; the new chats wait it out. */
  fakewa_say (&fake, "require-tokens " SHOP " off\n");
  fakewa_say (&fake, "timelock " SHOP " 3\n");
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "campaign", "create", "--group", "Semua", "--template", "Promo",
                            "--name", "Juli", "--delay", "0", "--batch", "0", "--start", NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli_err (&fake, data_dir, &err, "run", "--transport", "whatsapp", "--until-idle", NULL), ==, 0);
  g_assert_nonnull (strstr (err, "WhatsApp paused new chats until"));
  g_assert_nonnull (strstr (err, "start new chats again"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&fake, data_dir, &out, "--json", "campaign", "report", "Juli", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  report = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (report); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (report, i), "state"), !=,
                     "failed");
  g_clear_pointer (&lines, g_ptr_array_unref);
  lines = fakewa_say_and_collect (&fake, "account 6280000000002\n");
  for (guint i = 0; i < lines->len; i++)
    g_assert_false (g_str_has_prefix (g_ptr_array_index (lines, i), "refused"));

  fakewa_stop (&fake);
  xi_test_rm_rf (dir);
}

/* Issue 13's halves together: the phone shares app state carrying the
 * push name and the NCT salt; a campaign of the freshly linked account,
 * which must show a conversation to reach anyone new, reaches the 20
 * customers who wrote first (their tokens) and the 30 who never did
 * (the cstoken from the salt learnt from app state), and our presence
 * carries the push name learnt from app state. */
static void
test_app_state_feeds_tokens (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GPtrArray) presence = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *jid = NULL;
  g_autofree char *ask = NULL;
  Fakewa fake = { 0 };
  JsonArray *report;
  const char *last;
  guint sent = 0;

  fakewa_start (&fake);
  fakewa_say (&fake, "phone-name " SHOP " Toko Sari\n");
  fakewa_say (&fake, "phone-salt " SHOP " 8f0e5a1c2b3d4e5f60718293a4b5c6d7\n");
  fakewa_say (&fake, "require-tokens " SHOP " on\n");
  jid = link_by_scan (&fake, data_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-", SHOP);
  send_to_fifty (&fake, dir, data_dir, &err);

  lines = fakewa_say_and_collect (&fake, "account 6280000000000\n");
  for (guint i = 0; i < lines->len; i++)
    g_assert_false (g_str_has_prefix (g_ptr_array_index (lines, i), "refused "));

  g_assert_cmpint (run_cli (&fake, data_dir, &out, "--json", "campaign", "report", "Juni", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  report = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (report), ==, 50);
  for (guint i = 0; i < 50; i++)
    {
      const char *state = json_object_get_string_member (json_array_get_object_element (report, i), "state");

      sent += g_str_equal (state, "sent") || g_str_equal (state, "delivered");
    }
  g_assert_cmpuint (sent, ==, 50);

  /* Presence goes out only with a push name: "available" once caught
   * up and, when the client stops, "unavailable" (which may not get
   * there before the socket closes). */
  ask = g_strdup_printf ("presence %s\n", jid);
  presence = fakewa_say_and_collect (&fake, ask);
  g_assert_cmpuint (presence->len, ==, 1);
  last = g_ptr_array_index (presence, 0);
  g_assert_true (g_str_equal (last, "presence available Toko Sari") ||
                 g_str_equal (last, "presence unavailable Toko Sari"));
  fakewa_stop (&fake);

  xi_test_rm_rf (dir);
}

/* Issue 13's LID scenario through the command line: the shop's campaign
 * reaches a customer (whose LID the shop learns on the way); the
 * customer, from another computer, answers "STOP" while the shop is
 * offline, and the server names the sender by its LID alone. The shop's
 * next "run" finds the number behind the LID, records the opt-out, and
 * the next campaign does not write to the customer again. */
static void
test_lid_only_stop (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *customer_dir = g_build_filename (dir, "customer", NULL);
  g_autofree char *csv = g_build_filename (dir, "contacts.csv", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  JsonArray *optouts;
  JsonArray *report;
  Fakewa fake = { 0 };

  fakewa_start (&fake);
  g_free (link_by_scan (&fake, data_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-", SHOP));
  g_free (link_by_scan (&fake, customer_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-",
                        "6281222200001"));
  fakewa_say (&fake, "account 6281222200002\n");
  g_assert_true (g_file_set_contents (csv, "name,phone\nSari,0812-2220-0001\nBudi,0812-2220-0002\n", -1, &error));
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "contacts", "import", csv, "--group", "Semua", "--create-group", NULL), ==, 0);
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "templates", "add", "Promo", "Halo {name}", NULL), ==, 0);
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "campaign", "create", "--group", "Semua", "--template", "Promo",
                            "--name", "Juni", "--delay", "0", "--batch", "0", "--start", NULL), ==, 0);
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "run", "--transport", "whatsapp", "--until-idle", NULL), ==, 0);

  fakewa_say (&fake, "lid-addressing only\n");
  g_assert_cmpint (run_cli (&fake, customer_dir, NULL, "send", SHOP, "STOP", NULL), ==, 0);
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "run", "--transport", "whatsapp", "--until-idle", NULL), ==, 0);

  g_assert_cmpint (run_cli (&fake, data_dir, &out, "--json", "optout", "list", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  optouts = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (optouts), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (optouts, 0), "phone"), ==,
                   "6281222200001");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (optouts, 0), "name"), ==, "Sari");

  /* The next campaign leaves the customer out, and reaches the other. */
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "campaign", "create", "--group", "Semua", "--template", "Promo",
                            "--name", "Juli", "--delay", "0", "--batch", "0", "--start", NULL), ==, 0);
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "run", "--transport", "whatsapp", "--until-idle", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&fake, data_dir, &out, "--json", "campaign", "report", "Juli", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  report = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (report), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *row = json_array_get_object_element (report, i);
      const char *state = json_object_get_string_member (row, "state");

      if (g_str_equal (json_object_get_string_member (row, "name"), "Sari"))
        {
          g_assert_cmpstr (state, ==, "skipped");
          g_assert_cmpstr (json_object_get_string_member (row, "skip_reason"), ==, "opted_out");
        }
      else
        g_assert_true (g_str_equal (state, "sent") || g_str_equal (state, "delivered"));
    }

  fakewa_stop (&fake);
  xi_test_rm_rf (dir);
}

/* The "whatsapp" member of "status --json". */
static JsonObject *
whatsapp_status (Fakewa     *fake,
                 const char *data_dir)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  g_assert_cmpint (run_cli (fake, data_dir, &out, "--json", "status", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  return json_object_ref (json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                                         "whatsapp"));
}

static void
assert_near (gint64 value,
             gint64 expected)
{
  g_assert_cmpint (value, >=, expected - 30);
  g_assert_cmpint (value, <=, expected + 30);
}

/* "status" tells what the last connection learnt, without connecting:
 * not linked; linked and how the last connection ended; a reach-out
 * time-lock with its end while a campaign waits it out (read from
 * another process); a temporary ban with its end and code; a version
 * WhatsApp refuses; a permanent ban, after which the device is gone. */
static void
test_status (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *csv = g_build_filename (dir, "contacts.csv", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) run = NULL;
  g_autoptr(GDataInputStream) run_err = NULL;
  g_autoptr(JsonObject) status = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 deadline;
  Fakewa fake = { 0 };

  fakewa_start (&fake);
  status = whatsapp_status (&fake, data_dir);
  g_assert_false (json_object_get_boolean_member (status, "linked"));
  g_assert_true (json_object_get_null_member (status, "state"));
  g_assert_cmpint (run_cli (&fake, data_dir, &out, "status", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "WhatsApp: not linked"));

  g_free (link_by_scan (&fake, data_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-", SHOP));
  g_clear_pointer (&status, json_object_unref);
  status = whatsapp_status (&fake, data_dir);
  g_assert_true (json_object_get_boolean_member (status, "linked"));
  g_assert_cmpstr (json_object_get_string_member (status, "state"), ==, "disconnected");
  assert_near (json_object_get_int_member (status, "since"), now);
  g_assert_false (json_object_get_boolean_member (status, "time_locked"));

  /* A campaign under a time-lock waits; meanwhile status says until when. */
  fakewa_say (&fake, "account 6281222200001\n");
  g_assert_true (g_file_set_contents (csv, "name,phone\nSari,0812-2220-0001\n", -1, &error));
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "contacts", "import", csv, "--group", "Semua", "--create-group", NULL), ==, 0);
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "templates", "add", "Promo", "Halo {name}", NULL), ==, 0);
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "campaign", "create", "--group", "Semua", "--template", "Promo",
                            "--name", "Juni", "--delay", "0", "--batch", "0", "--start", NULL), ==, 0);
  fakewa_say (&fake, "timelock " SHOP " 600 WEB_COMPANION_ONLY\n");
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "XI_WA_URL", fake.url, TRUE);
  g_subprocess_launcher_setenv (launcher, "XI_WA_ROOT_KEY", fake.root, TRUE);
  run = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("XI_CLI"), "--data-dir", data_dir, "run",
                                     "--transport", "whatsapp", "--until-idle", NULL);
  g_assert_no_error (error);
  run_err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (run));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (run_err, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (strstr (line, "WhatsApp paused new chats until") != NULL)
        break;
    }
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  do
    {
      g_clear_pointer (&status, json_object_unref);
      status = whatsapp_status (&fake, data_dir);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
  while (!json_object_get_boolean_member (status, "time_locked"));
  assert_near (json_object_get_int_member (status, "time_lock_until"), now + 600);
  g_assert_cmpstr (json_object_get_string_member (status, "time_lock_kind"), ==, "WEB_COMPANION_ONLY");
  g_assert_cmpstr (json_object_get_string_member (status, "state"), ==, "connected");
  g_assert_true (json_object_get_boolean_member (status, "connected"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&fake, data_dir, &out, "status", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "WhatsApp paused new chats until"));
  g_assert_nonnull (strstr (out, "WEB_COMPANION_ONLY"));
  g_subprocess_force_exit (run);
  g_assert_true (g_subprocess_wait (run, NULL, &error));
  fakewa_say (&fake, "timelock " SHOP " 0\n");

  /* A temporary ban: its end and WhatsApp's code. */
  fakewa_say (&fake, "ban 7200\n");
  run_cli_err (&fake, data_dir, &err, "send", "6281222200001", "Halo", NULL);
  g_clear_pointer (&status, json_object_unref);
  status = whatsapp_status (&fake, data_dir);
  g_assert_cmpstr (json_object_get_string_member (status, "state"), ==, "temporarily-banned");
  g_assert_true (json_object_get_boolean_member (status, "temporarily_banned"));
  g_assert_false (json_object_get_boolean_member (status, "connected"));
  assert_near (json_object_get_int_member (status, "ban_until"), now + 7200);
  g_assert_cmpstr (json_object_get_string_member (status, "ban_code"), ==, "101");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&fake, data_dir, &out, "status", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "WhatsApp banned this account until"));
  g_assert_nonnull (strstr (out, "code 101"));

  /* A version WhatsApp no longer takes. */
  fakewa_say (&fake, "refuse-logins 405\n");
  g_clear_pointer (&err, g_free);
  run_cli_err (&fake, data_dir, &err, "send", "6281222200001", "Halo", NULL);
  g_clear_pointer (&status, json_object_unref);
  status = whatsapp_status (&fake, data_dir);
  g_assert_cmpstr (json_object_get_string_member (status, "state"), ==, "outdated");
  g_assert_true (json_object_get_boolean_member (status, "outdated"));
  g_assert_false (json_object_get_boolean_member (status, "temporarily_banned"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&fake, data_dir, &out, "status", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "whatsapp-version"));

  /* Banned for good: the session is gone, the ban is still said. */
  fakewa_say (&fake, "refuse-logins 403\n");
  g_clear_pointer (&err, g_free);
  run_cli_err (&fake, data_dir, &err, "send", "6281222200001", "Halo", NULL);
  g_clear_pointer (&status, json_object_unref);
  status = whatsapp_status (&fake, data_dir);
  g_assert_false (json_object_get_boolean_member (status, "linked"));
  g_assert_cmpstr (json_object_get_string_member (status, "state"), ==, "banned");
  g_assert_true (json_object_get_boolean_member (status, "banned"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&fake, data_dir, &out, "status", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "WhatsApp banned this account."));

  fakewa_stop (&fake);
  xi_test_rm_rf (dir);
}

/* Issue 13's time-lock scenario: a campaign to new contacts is under
 * way when WhatsApp pushes a reach-out time-lock; "run" says new chats
 * are paused and until when, sends none of the rest, and "status" from
 * another process says the same end. */
static void
test_timelock_mid_campaign (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *csv = g_build_filename (dir, "contacts.csv", NULL);
  g_autoptr(GString) contacts = g_string_new ("name,phone\n");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) run = NULL;
  g_autoptr(GDataInputStream) run_err = NULL;
  g_autoptr(JsonObject) status = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint relayed = 0;
  Fakewa fake = { 0 };

  fakewa_start (&fake);
  g_free (link_by_scan (&fake, data_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-", SHOP));
  for (guint i = 1; i <= 6; i++)
    {
      g_autofree char *account = g_strdup_printf ("account 628122220%04u\n", i);

      fakewa_say (&fake, account);
      g_string_append_printf (contacts, "Pelanggan %u,0812-2220-%04u\n", i, i);
    }
  g_assert_true (g_file_set_contents (csv, contacts->str, -1, &error));
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "contacts", "import", csv, "--group", "Semua", "--create-group", NULL), ==, 0);
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "templates", "add", "Promo", "Halo {name}", NULL), ==, 0);
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "campaign", "create", "--group", "Semua", "--template", "Promo",
                            "--name", "Juni", "--delay", "2", "--batch", "0", "--start", NULL), ==, 0);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "XI_WA_URL", fake.url, TRUE);
  g_subprocess_launcher_setenv (launcher, "XI_WA_ROOT_KEY", fake.root, TRUE);
  run = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("XI_CLI"), "--data-dir", data_dir, "run",
                                     "--transport", "whatsapp", "--until-idle", NULL);
  g_assert_no_error (error);

  /* The first message goes; then the time-lock arrives. */
  for (;;)
    {
      g_autofree char *line = read_line (fake.out);

      if (g_str_has_prefix (line, "relayed " SHOP))
        break;
    }
  fakewa_say (&fake, "timelock " SHOP " 600\n");
  run_err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (run));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (run_err, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (strstr (line, "WhatsApp paused new chats until") != NULL)
        break;
    }
  status = whatsapp_status (&fake, data_dir);
  g_assert_true (json_object_get_boolean_member (status, "time_locked"));
  assert_near (json_object_get_int_member (status, "time_lock_until"), now + 600);

  /* Well past the campaign's delay, nobody else was written to, nor
   * even tried: each refused try would count against the account. */
  g_usleep (5 * G_USEC_PER_SEC);
  lines = fakewa_say_and_collect (&fake, "account 6280000000009\n");
  for (guint i = 0; i < lines->len; i++)
    relayed += g_str_has_prefix (g_ptr_array_index (lines, i), "relayed " SHOP) ||
               g_str_has_prefix (g_ptr_array_index (lines, i), "refused " SHOP);
  g_assert_cmpuint (relayed, ==, 0);

  g_subprocess_force_exit (run);
  g_assert_true (g_subprocess_wait (run, NULL, &error));
  fakewa_stop (&fake);
  xi_test_rm_rf (dir);
}

/* Attachments */

static char *
write_picture (const char *dir)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, 800, 600);
  char *path = g_build_filename (dir, "promo.png", NULL);
  g_autoptr(GError) error = NULL;

  gdk_pixbuf_fill (pixbuf, 0xe0402080);
  gdk_pixbuf_save (pixbuf, path, "png", &error, NULL);
  g_assert_no_error (error);
  return path;
}

/* How many uploads the media host took, and how many messages of
 * @mediatype it relayed to users starting with @to_prefix since the
 * last time it was asked. */
static guint
count_uploads (Fakewa     *fake,
               const char *mediatype,
               const char *to_prefix,
               guint      *relayed)
{
  g_autoptr(GPtrArray) lines = fakewa_say_and_collect (fake, "uploads\n");
  g_autofree char *suffix = g_strconcat (" media:", mediatype, NULL);
  guint uploads = G_MAXUINT;

  *relayed = 0;
  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);
      g_auto(GStrv) words = g_strsplit (line, " ", -1);

      if (g_str_has_prefix (line, "uploads "))
        uploads = g_ascii_strtoull (line + strlen ("uploads "), NULL, 10);
      else if (g_str_equal (words[0], "relayed") && g_strv_length (words) >= 4 &&
               g_str_has_prefix (words[2], to_prefix) && g_str_has_suffix (line, suffix))
        (*relayed)++;
    }
  g_assert_cmpuint (uploads, !=, G_MAXUINT);
  return uploads;
}

/* "send --attach": a picture, then a PDF, each uploaded and sent as
 * media of its kind; a file WhatsApp cannot take is refused before
 * anything goes out. */
static void
test_send_attachments (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *picture = write_picture (dir);
  g_autofree char *pdf = g_build_filename (dir, "daftar-harga.pdf", NULL);
  g_autofree char *empty = g_build_filename (dir, "kosong.pdf", NULL);
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  Fakewa fake = { 0 };
  guint relayed = 0;

  g_assert_true (g_file_set_contents (pdf, "%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n"
                                           "2 0 obj << /Type /Pages /Count 1 >> endobj\n", -1, NULL));
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  fakewa_start (&fake);
  g_free (link_by_scan (&fake, data_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-", SHOP));
  fakewa_say (&fake, "account 6281211110001\n");

  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "send", "0812-1111-0001", "Promo hari ini", "--attach", picture,
                            NULL), ==, 0);
  g_assert_cmpuint (count_uploads (&fake, "image", "6281211110001", &relayed), ==, 1);
  g_assert_cmpuint (relayed, ==, 1);

  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "send", "0812-1111-0001", "Daftar harga terbaru", "--attach",
                            pdf, NULL), ==, 0);
  g_assert_cmpuint (count_uploads (&fake, "document", "6281211110001", &relayed), ==, 2);
  g_assert_cmpuint (relayed, ==, 1);

  g_assert_cmpint (run_cli_err (&fake, data_dir, &err, "send", "0812-1111-0001", "Kosong", "--attach", empty, NULL),
                   ==, 1);
  g_assert_nonnull (strstr (err, "The file is empty"));
  g_assert_cmpuint (count_uploads (&fake, "document", "6281211110001", &relayed), ==, 2);
  g_assert_cmpuint (relayed, ==, 0);

  g_assert_cmpint (run_cli (&fake, data_dir, &out, "assets", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "promo.png"));
  g_assert_nonnull (strstr (out, "daftar-harga.pdf"));

  fakewa_stop (&fake);
  xi_test_rm_rf (dir);
}

/* A message sent with "send" is in the customer's conversation, as one
 * sent from the Inbox is, with where it stands. */
static void
test_send_shows_in_conversation (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *out = NULL;
  Fakewa fake = { 0 };

  fakewa_start (&fake);
  g_free (link_by_scan (&fake, data_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-", SHOP));
  fakewa_say (&fake, "account 6281211110001\n");

  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "send", "0812-1111-0001", "Pesanan Anda sudah siap", NULL),
                   ==, 0);
  g_assert_cmpint (run_cli (&fake, data_dir, &out, "inbox", "show", "0812-1111-0001", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "You: Pesanan Anda sudah siap  ("));
  g_assert_true (strstr (out, "(Sent)") != NULL || strstr (out, "(Delivered)") != NULL ||
                 strstr (out, "(Read)") != NULL);

  fakewa_stop (&fake);
  xi_test_rm_rf (dir);
}

/* A campaign of 200 whose template attaches a picture makes exactly one
 * upload, though the media host refuses the first two tries, and every
 * recipient gets the picture. */
static void
test_campaign_picture (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *csv = g_build_filename (dir, "contacts.csv", NULL);
  g_autofree char *picture = write_picture (dir);
  g_autoptr(GString) contacts = g_string_new ("name,phone\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  Fakewa fake = { 0 };
  guint relayed = 0;

  fakewa_start (&fake);
  g_free (link_by_scan (&fake, data_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-", SHOP));
  for (guint i = 1; i <= 200; i++)
    {
      g_autofree char *account = g_strdup_printf ("account 628123330%03u\n", i);

      fakewa_say (&fake, account);
      g_string_append_printf (contacts, "Pelanggan %u,0812-3330-%03u\n", i, i);
    }
  g_assert_true (g_file_set_contents (csv, contacts->str, -1, &error));
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "contacts", "import", csv, "--group", "Semua", "--create-group", NULL), ==, 0);
  g_assert_cmpint (run_cli (&fake, data_dir, &out, "templates", "add", "Promo", "Halo {name}, promo hari ini!",
                            "--attach", picture, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "with “promo.png” attached"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "campaign", "create", "--group", "Semua", "--template", "Promo",
                            "--name", "Gambar", "--delay", "0", "--batch", "0", "--start", NULL), ==, 0);
  fakewa_say (&fake, "refuse-uploads 2\n");
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "run", "--transport", "whatsapp", "--until-idle", NULL), ==, 0);

  g_assert_cmpuint (count_uploads (&fake, "image", "628123330", &relayed), ==, 1);
  g_assert_cmpuint (relayed, ==, 200);
  g_assert_cmpint (run_cli (&fake, data_dir, &out, "campaign", "report", "Gambar", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Attached: promo.png"));

  fakewa_stop (&fake);
  xi_test_rm_rf (dir);
}

#define CUSTOMER "6281222209999"
#define CUSTOMER_MESSAGE_ID "3AINFLOW00000001"

/* "run" (until idle when @until_idle) with the test setting @name
 * (DESIGN.md) set to @value. */
static GSubprocess *
spawn_run (Fakewa     *fake,
           const char *data_dir,
           gboolean    until_idle,
           const char *name,
           const char *value)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_setenv (launcher, "XI_WA_URL", fake->url, TRUE);
  g_subprocess_launcher_setenv (launcher, "XI_WA_ROOT_KEY", fake->root, TRUE);
  if (name != NULL)
    g_subprocess_launcher_setenv (launcher, name, value, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("XI_CLI"), "--data-dir", data_dir,
                                         "run", "--transport", "whatsapp", until_idle ? "--until-idle" : NULL,
                                         NULL);
  g_assert_no_error (error);
  return process;
}

/* How many times the customer's phone was told its message arrived,
 * among the events the fake server printed since last asked. */
static guint
count_receipts (Fakewa *fake)
{
  g_autoptr(GPtrArray) lines = fakewa_say_and_collect (fake, "account " CUSTOMER "\n");
  guint receipts = 0;

  for (guint i = 0; i < lines->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (lines, i), "phone-receipt ") &&
        g_str_has_suffix (g_ptr_array_index (lines, i), " " CUSTOMER_MESSAGE_ID))
      receipts++;
  return receipts;
}

/* How many times the customer's message is in the shop's inbox. */
static guint
count_stored (Fakewa     *fake,
              const char *data_dir)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  JsonArray *messages;
  guint stored = 0;

  g_assert_cmpint (run_cli (fake, data_dir, &out, "--json", "inbox", "show", CUSTOMER, NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  messages = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (messages); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (messages, i), "id"),
                   CUSTOMER_MESSAGE_ID) == 0)
      stored++;
  return stored;
}

/* The shop links, and a customer writes to it while "run" is not
 * running: WhatsApp keeps the message for the shop's device until the
 * device confirms it. */
static void
link_and_customer_writes (Fakewa     *fake,
                          const char *data_dir)
{
  g_autofree char *shop_jid = NULL;
  g_autofree char *command = NULL;

  fakewa_start (fake);
  shop_jid = link_by_scan (fake, data_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-", SHOP);
  command = g_strdup_printf ("phone-write " CUSTOMER " %s " CUSTOMER_MESSAGE_ID " Masih ada stok?\n", shop_jid);
  fakewa_say (fake, "account " CUSTOMER "\n");
  fakewa_say (fake, command);
}

/* Nothing was receipted or stored yet; the next "run" receipts the
 * message, by then stored, and stores and receipts it only once. Stops
 * the fake server and removes @dir. */
static void
assert_kept_only_by_the_next_run (Fakewa     *fake,
                                  const char *dir,
                                  const char *data_dir)
{
  g_autoptr(GSubprocess) run = NULL;

  g_assert_cmpuint (count_receipts (fake), ==, 0);
  g_assert_cmpuint (count_stored (fake, data_dir), ==, 0);
  run = spawn_run (fake, data_dir, FALSE, NULL, NULL);
  for (;;)
    {
      g_autofree char *line = read_line (fake->out);

      if (g_str_has_prefix (line, "phone-receipt ") && g_str_has_suffix (line, " " CUSTOMER_MESSAGE_ID))
        break;
    }
  g_assert_cmpuint (count_stored (fake, data_dir), ==, 1);
  g_subprocess_send_signal (run, SIGTERM);
  g_subprocess_wait (run, NULL, NULL);
  g_assert_cmpuint (count_receipts (fake), ==, 0);
  g_assert_cmpuint (count_stored (fake, data_dir), ==, 1);
  fakewa_stop (fake);
  xi_test_rm_rf (dir);
}

/* WhatsApp forgets a message once receipted, so a customer's message is
 * receipted only once it is stored. "run" decrypts it and is killed
 * while its store holds the message written but not committed: nothing
 * was receipted, so the next "run" gets it again, from the session as it
 * was before (the key write that moved the session on was not committed
 * either), stores it once and only then receipts it. */
static void
test_incoming_killed_before_commit (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *held = g_build_filename (dir, "held", NULL);
  g_autoptr(GSubprocess) run = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  Fakewa fake = { 0 };

  link_and_customer_writes (&fake, data_dir);
  run = spawn_run (&fake, data_dir, FALSE, "XI_TEST_HOLD_INCOMING", held);
  while (!g_file_test (held, G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * 1000);
    }
  g_subprocess_send_signal (run, SIGKILL);
  g_subprocess_wait (run, NULL, NULL);
  assert_kept_only_by_the_next_run (&fake, dir, data_dir);
}

/* A store that cannot write the message (as on a full disk) writes the
 * keys that decrypted it neither, and nothing is receipted; the message
 * comes again on the next connection and is stored then. */
static void
test_incoming_store_fails (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autoptr(GSubprocess) run = NULL;
  Fakewa fake = { 0 };

  link_and_customer_writes (&fake, data_dir);

  /* "run" reads what waited on the server before it is idle. */
  run = spawn_run (&fake, data_dir, TRUE, "XI_TEST_FAIL_INCOMING", "1");
  g_subprocess_wait (run, NULL, NULL);
  assert_kept_only_by_the_next_run (&fake, dir, data_dir);
}

/* "run" through WhatsApp with what @launcher sets besides, its
 * messages in @log_path. */
static GSubprocess *
spawn_logged_run (GSubprocessLauncher *launcher,
                  Fakewa              *fake,
                  const char          *data_dir,
                  const char          *log_path)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *run;

  g_subprocess_launcher_setenv (launcher, "XI_WA_URL", fake->url, TRUE);
  g_subprocess_launcher_setenv (launcher, "XI_WA_ROOT_KEY", fake->root, TRUE);
  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
  run = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("XI_CLI"), "--data-dir", data_dir,
                                     "run", "--transport", "whatsapp", NULL);
  g_assert_no_error (error);
  return run;
}

/* A store that fails once (a full disk that then has room again):
 * nothing is receipted, and the copy WhatsApp delivers again on the next
 * connection of the same "run" is read again, from the session as it was
 * before the failed write, stored once and receipted once. */
static void
test_incoming_store_fails_once (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *log_path = g_build_filename (dir, "run.log", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GSubprocess) run = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  guint receipts = 0;
  Fakewa fake = { 0 };

  link_and_customer_writes (&fake, data_dir);
  g_subprocess_launcher_setenv (launcher, "XI_TEST_FAIL_INCOMING", "once", TRUE);
  /* The failure is a warning, which must not end the process here. */
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "gc-friendly", TRUE);
  run = spawn_logged_run (launcher, &fake, data_dir, log_path);
  for (;;)
    {
      g_autofree char *log = NULL;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (g_file_get_contents (log_path, &log, NULL, NULL) && strstr (log, "Could not store an incoming message"))
        break;
      g_usleep (20 * 1000);
    }
  g_assert_cmpuint (count_receipts (&fake), ==, 0);
  g_assert_cmpuint (count_stored (&fake, data_dir), ==, 0);

  fakewa_say (&fake, "drop\n");
  while (receipts == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
      receipts = count_receipts (&fake);
    }
  g_assert_cmpuint (receipts, ==, 1);
  g_assert_cmpuint (count_stored (&fake, data_dir), ==, 1);

  g_subprocess_send_signal (run, SIGTERM);
  g_subprocess_wait (run, NULL, NULL);
  g_assert_cmpuint (count_receipts (&fake), ==, 0);
  g_assert_cmpuint (count_stored (&fake, data_dir), ==, 1);
  fakewa_stop (&fake);
  xi_test_rm_rf (dir);
}

/* "run" on a tmpfs that fills up when the test says "fill"; room comes
 * back when it says "free", and "run" ends when it says "stop". */
static const char incoming_disk_full_script[] =
  "cp -a \"$SEED\"/. \"$MNT\"/\n"
  "\"$CLI\" --data-dir \"$MNT\" run --transport whatsapp 2>\"$OUT/run.log\" &\n"
  "run=$!\n"
  "until [ -e \"$OUT/fill\" ]; do sleep 0.05; done\n"
  "dd if=/dev/zero of=\"$MNT/filler\" bs=4096 2>/dev/null\n"
  "cut -d ' ' -f 14,15 /proc/$run/stat >\"$OUT/ticks\"\n"
  "mv \"$OUT/ticks\" \"$OUT/filled\"\n"
  "until [ -e \"$OUT/free\" ]; do sleep 0.05; done\n"
  "cut -d ' ' -f 14,15 /proc/$run/stat >\"$OUT/full.ticks\"\n"
  "rm \"$MNT/filler\"\n"
  "touch \"$OUT/freed\"\n"
  "until [ -e \"$OUT/stop\" ]; do sleep 0.05; done\n"
  "kill $run\n"
  "wait $run\n"
  "cp -a \"$MNT\" \"$OUT/data\"\n";

/* Starts @script on a tmpfs (xi_test_spawn_on_tmpfs ()), the test
 * having checked that one can be mounted: $SEED is @data_dir, to copy,
 * $CLI the command line, which talks to @fake, and $OUT @dir's "out",
 * for what the script keeps. The commands' warnings of writes the full
 * disk refused do not end them. */
static GSubprocess *
spawn_on_tmpfs (Fakewa           *fake,
                const char       *dir,
                const char       *data_dir,
                GSubprocessFlags  flags,
                const char       *script)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autofree char *mnt = g_build_filename (dir, "mnt", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  GSubprocess *process;

  g_assert_cmpint (g_mkdir (mnt, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (out, 0700), ==, 0);
  g_subprocess_launcher_setenv (launcher, "SEED", data_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "OUT", out, TRUE);
  g_subprocess_launcher_setenv (launcher, "CLI", g_getenv ("XI_CLI"), TRUE);
  g_subprocess_launcher_setenv (launcher, "XI_WA_URL", fake->url, TRUE);
  g_subprocess_launcher_setenv (launcher, "XI_WA_ROOT_KEY", fake->root, TRUE);
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "gc-friendly", TRUE);
  process = xi_test_spawn_on_tmpfs (launcher, mnt, script);
  g_assert_nonnull (process);
  return process;
}

static void
touch_and_wait (const char *out,
                const char *name,
                const char *answer)
{
  g_autofree char *path = g_build_filename (out, name, NULL);
  g_autofree char *answer_path = answer != NULL ? g_build_filename (out, answer, NULL) : NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  while (answer_path != NULL && !g_file_test (answer_path, G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

/* Clock ticks of CPU "run" used up to when the script wrote @name. */
static guint64
read_ticks (const char *out,
            const char *name)
{
  g_autofree char *text = xi_test_read_out (out, name);
  g_auto(GStrv) fields = g_strsplit (text, " ", 2);

  return g_ascii_strtoull (fields[0], NULL, 10) + g_ascii_strtoull (fields[1], NULL, 10);
}

static const char * const full_disk_ids[] = { CUSTOMER_MESSAGE_ID, "3AFULLDISK000002", "3AFULLDISK000003", NULL };

/* How many of the customer's messages written on the full disk were
 * receipted since last asked. */
static guint
count_full_disk_receipts (Fakewa *fake)
{
  g_autoptr(GPtrArray) lines = fakewa_say_and_collect (fake, "account " CUSTOMER "\n");
  guint receipts = 0;

  for (guint i = 0; i < lines->len; i++)
    for (guint j = 0; full_disk_ids[j] != NULL; j++)
      if (g_str_has_prefix (g_ptr_array_index (lines, i), "phone-receipt ") &&
          g_str_has_suffix (g_ptr_array_index (lines, i), full_disk_ids[j]))
        receipts++;
  return receipts;
}

/* A customer writes three messages while "run" has a full disk: none is
 * receipted, so WhatsApp keeps them; "run" does not spin trying again,
 * and says so once, not once per message. Once there is room, the
 * copies WhatsApp delivers again (on the next connection) are stored
 * and receipted once each. */
static void
test_incoming_disk_full (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *kept = g_build_filename (out, "data", NULL);
  g_autofree char *log_path = g_build_filename (out, "run.log", NULL);
  g_autoptr(GSubprocess) script = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *shop_jid = NULL;
  g_autofree char *log = NULL;
  g_autofree char *inbox = NULL;
  g_auto(GStrv) refusals = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  gint64 filled_at, freed_at;
  guint64 cpu_ticks;
  guint receipts = 0;
  Fakewa fake = { 0 };

  if (!xi_test_can_mount_tmpfs ())
    return;
  fakewa_start (&fake);
  shop_jid = link_by_scan (&fake, data_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-", SHOP);
  fakewa_say (&fake, "account " CUSTOMER "\n");
  script = spawn_on_tmpfs (&fake, dir, data_dir, G_SUBPROCESS_FLAGS_NONE, incoming_disk_full_script);

  touch_and_wait (out, "fill", "filled");
  filled_at = g_get_monotonic_time ();
  for (guint i = 0; full_disk_ids[i] != NULL; i++)
    {
      g_autofree char *command = g_strdup_printf ("phone-write " CUSTOMER " %s %s Masih ada stok?\n", shop_jid,
                                                  full_disk_ids[i]);

      fakewa_say (&fake, command);
    }
  while (log == NULL || strstr (log, "Could not store an incoming message") == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * 1000);
      g_clear_pointer (&log, g_free);
      g_file_get_contents (log_path, &log, NULL, NULL);
    }
  /* Time for the other two to be turned away, and for a loop to show. */
  g_usleep (3 * G_USEC_PER_SEC);
  g_assert_cmpuint (count_full_disk_receipts (&fake), ==, 0);
  touch_and_wait (out, "free", "freed");
  freed_at = g_get_monotonic_time ();
  cpu_ticks = read_ticks (out, "full.ticks") - read_ticks (out, "filled");
  g_test_message ("%.2f s of CPU in %.2f s on the full disk", (double) cpu_ticks / sysconf (_SC_CLK_TCK),
                  (freed_at - filled_at) / (double) G_USEC_PER_SEC);
  g_assert_cmpfloat ((double) cpu_ticks / sysconf (_SC_CLK_TCK), <,
                     0.5 * (freed_at - filled_at) / (double) G_USEC_PER_SEC);

  fakewa_say (&fake, "drop\n");
  while (receipts < 3)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
      receipts += count_full_disk_receipts (&fake);
    }
  touch_and_wait (out, "stop", NULL);
  g_assert_true (xi_test_tmpfs_wait (script));
  g_assert_cmpuint (receipts + count_full_disk_receipts (&fake), ==, 3);

  g_clear_pointer (&log, g_free);
  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  refusals = g_strsplit (log, "Could not store an incoming message: The disk is full", -1);
  g_assert_cmpuint (g_strv_length (refusals), ==, 2);
  g_assert_cmpuint (count_stored (&fake, kept), ==, 1);
  g_assert_cmpint (run_cli (&fake, kept, &inbox, "--json", "inbox", "show", CUSTOMER, NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, inbox, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (json_parser_get_root (parser))), ==, 3);
  fakewa_stop (&fake);
  xi_test_rm_rf (dir);
}

/* "link" on a tmpfs that fills up while the code is shown ("fill") and
 * stays full until it ends, then "status" once there is room again. */
static const char link_disk_full_script[] =
  "cp -a \"$SEED\"/. \"$MNT\"/\n"
  "\"$CLI\" --data-dir \"$MNT\" --json link 2>\"$OUT/link.err\" &\n"
  "link=$!\n"
  "until [ -e \"$OUT/fill\" ]; do sleep 0.05; done\n"
  "dd if=/dev/zero of=\"$MNT/filler\" bs=4096 2>/dev/null\n"
  "touch \"$OUT/filled\"\n"
  /* A failed write gives back what it had taken; the disk stays full. */
  "while kill -0 $link 2>/dev/null; do\n"
  "  dd if=/dev/zero of=\"$MNT/filler\" bs=4096 oflag=append conv=notrunc 2>/dev/null\n"
  "  sleep 0.05\n"
  "done\n"
  "wait $link\n"
  "echo $? >\"$OUT/link.status\"\n"
  "rm \"$MNT/filler\"\n"
  "\"$CLI\" --data-dir \"$MNT\" status >\"$OUT/status\" 2>&1\n";

/* The disk fills up while the code is shown: the phone scans it, but
 * the keys that make this computer the linked device cannot be written.
 * "link" says so and what to do, rather than "linked" for a link that
 * the next command would not know. */
static void
test_link_disk_full (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autoptr(GSubprocess) script = NULL;
  g_autoptr(GDataInputStream) cli_out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *command = NULL;
  g_autofree char *paired = NULL;
  g_autofree char *link_status = NULL;
  g_autofree char *link_err = NULL;
  g_autofree char *status = NULL;
  JsonObject *object;
  Fakewa fake = { 0 };

  if (!xi_test_can_mount_tmpfs ())
    return;
  fakewa_start (&fake);
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "contacts", "list", NULL), ==, 0);
  fakewa_say (&fake, "phone-share " SHOP "\n");
  script = spawn_on_tmpfs (&fake, dir, data_dir, G_SUBPROCESS_FLAGS_STDOUT_PIPE, link_disk_full_script);
  cli_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (script));
  object = read_json_object (cli_out, parser);
  touch_and_wait (out, "fill", "filled");
  command = g_strdup_printf ("scan %s %s\n", json_object_get_string_member (object, "qr"), SHOP);
  fakewa_say (&fake, command);
  paired = read_answer (&fake);
  g_assert_true (g_str_has_prefix (paired, "paired " SHOP));

  object = read_json_object (cli_out, parser);
  g_assert_false (json_object_has_member (object, "linked"));
  g_assert_cmpstr (json_object_get_string_member (object, "error"), ==,
                   "The disk is full: this computer could not keep its link to WhatsApp, so it unlinked "
                   "itself. Free some space, then link it again.");
  g_assert_true (xi_test_tmpfs_wait (script));
  link_status = xi_test_read_out (out, "link.status");
  g_assert_cmpstr (link_status, ==, "1\n");
  link_err = xi_test_read_out (out, "link.err");
  g_assert_nonnull (strstr (link_err, "xender-in-cli: The disk is full: this computer could not keep its link"));
  status = xi_test_read_out (out, "status");
  g_assert_nonnull (strstr (status, "WhatsApp: not linked (xender-in-cli link)"));

  fakewa_stop (&fake);
  xi_test_rm_rf (dir);
}

#define FLOOD 2000
/* The receiver's mark (xi-receiver.c) */
#define FLOOD_MARK 500

/* A customer's phone sends thousands of messages while the shop is away,
 * and the store commits slowly: the shop's device stops reading whenever
 * 500 wait to be stored, without mistaking the quiet for a lost
 * connection, and in the end every message is stored once and receipted
 * once. */
static void
test_incoming_flood (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *log_path = g_build_filename (dir, "run.log", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GSubprocess) run = NULL;
  g_autoptr(GHashTable) receipted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *shop_jid = NULL;
  g_autofree char *out = NULL;
  g_autofree char *log = NULL;
  g_auto(GStrv) log_lines = NULL;
  GString *commands = g_string_new (NULL);
  guint holds = 0;
  guint64 highest = 0;
  Fakewa fake = { 0 };

  fakewa_start (&fake);
  shop_jid = link_by_scan (&fake, data_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-", SHOP);
  fakewa_say (&fake, "account " CUSTOMER "\n");
  for (guint i = 0; i < FLOOD; i++)
    {
      g_string_truncate (commands, 0);
      g_string_append_printf (commands, "phone-write " CUSTOMER " %s 3AFLOOD%06u Pesan nomor %u\n", shop_jid, i, i);
      fakewa_say (&fake, commands->str);
    }
  g_string_free (commands, TRUE);

  g_subprocess_launcher_setenv (launcher, "XI_TEST_SLOW_INCOMING", "2", TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "xi-receiver", TRUE);
  run = spawn_logged_run (launcher, &fake, data_dir, log_path);
  while (g_hash_table_size (receipted) < FLOOD)
    {
      g_autofree char *line = read_line (fake.out);
      const char *id = strrchr (line, ' ');

      if (!g_str_has_prefix (line, "phone-receipt ") || !g_str_has_prefix (id + 1, "3AFLOOD"))
        continue;
      g_assert_true (g_hash_table_add (receipted, g_strdup (id + 1)));
    }
  g_subprocess_send_signal (run, SIGTERM);
  g_subprocess_wait (run, NULL, NULL);
  g_assert_cmpuint (count_receipts (&fake), ==, 0);

  g_assert_cmpint (run_cli (&fake, data_dir, &out, "--json", "inbox", "show", CUSTOMER, NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (json_parser_get_root (parser))), ==, FLOOD);

  g_assert_true (g_file_get_contents (log_path, &log, NULL, &error));
  g_assert_no_error (error);
  log_lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; log_lines[i] != NULL; i++)
    {
      const char *peak = strstr (log_lines[i], "at most ");

      if (peak == NULL || strstr (log_lines[i], "Reading messages again") == NULL)
        continue;
      holds++;
      highest = MAX (highest, g_ascii_strtoull (peak + strlen ("at most "), NULL, 10));
    }
  g_test_message ("held back %u times, at most %" G_GUINT64_FORMAT " waiting", holds, highest);
  g_assert_cmpuint (holds, >, 0);
  g_assert_cmpuint (highest, <=, FLOOD_MARK);
  fakewa_stop (&fake);
  xi_test_rm_rf (dir);
}

/* A command without a receiver ("link" on a linked computer) that
 * connects while a customer's message waits on the server leaves it
 * there: reading it would move the session on with nobody to store the
 * message, which was then receipted and lost. The next "run" stores it
 * once and receipts it once. */
static void
test_incoming_without_receiver (void)
{
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  Fakewa fake = { 0 };

  link_and_customer_writes (&fake, data_dir);
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "link", NULL), ==, 0);
  assert_kept_only_by_the_next_run (&fake, dir, data_dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/link/link-and-log-in", test_link_and_log_in);
  g_test_add_func ("/cli/link/check-and-create", test_check_and_create);
  g_test_add_func ("/cli/link/lost-key", test_lost_key);
  g_test_add_func ("/cli/link/phone-shares", test_phone_shares);
  g_test_add_func ("/cli/link/tokens-and-timelock", test_tokens_and_timelock);
  g_test_add_func ("/cli/link/app-state-feeds-tokens", test_app_state_feeds_tokens);
  g_test_add_func ("/cli/link/status", test_status);
  g_test_add_func ("/cli/link/lid-only-stop", test_lid_only_stop);
  g_test_add_func ("/cli/link/timelock-mid-campaign", test_timelock_mid_campaign);
  g_test_add_func ("/cli/link/send-attachments", test_send_attachments);
  g_test_add_func ("/cli/link/send-shows-in-conversation", test_send_shows_in_conversation);
  g_test_add_func ("/cli/link/campaign-picture", test_campaign_picture);
  g_test_add_func ("/cli/link/incoming-killed-before-commit", test_incoming_killed_before_commit);
  g_test_add_func ("/cli/link/incoming-store-fails", test_incoming_store_fails);
  g_test_add_func ("/cli/link/incoming-store-fails-once", test_incoming_store_fails_once);
  g_test_add_func ("/cli/link/incoming-flood", test_incoming_flood);
  g_test_add_func ("/cli/link/incoming-disk-full", test_incoming_disk_full);
  g_test_add_func ("/cli/link/link-disk-full", test_link_disk_full);
  g_test_add_func ("/cli/link/incoming-without-receiver", test_incoming_without_receiver);

  return g_test_run ();
}
