/* test-cli-link.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

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
 * as the phone of 6281234567890, waits for it to finish linked and
 * returns the device's JID. */
static char *
link_by_scan (Fakewa     *fake,
              const char *data_dir,
              const char *qr_prefix)
{
  g_autoptr(GSubprocess) cli = spawn_link (fake, data_dir, TRUE);
  g_autoptr(GDataInputStream) cli_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (cli));
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  g_autofree char *paired = NULL;
  g_autofree char *jid = NULL;
  JsonObject *object;

  /* "link" waits for the phone's keys and history; a phone with nothing
   * to share still shares them. */
  fakewa_say (fake, "phone-share 6281234567890\n");
  object = read_json_object (cli_out, parser);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (object, "qr"), qr_prefix));

  /* The phone scans the code the CLI shows. */
  command = g_strdup_printf ("scan %s 6281234567890\n", json_object_get_string_member (object, "qr"));
  fakewa_say (fake, command);
  paired = read_answer (fake);
  g_assert_true (g_str_has_prefix (paired, "paired 6281234567890:"));
  g_assert_true (g_str_has_suffix (paired, "@lid"));

  object = read_json_object (cli_out, parser);
  jid = g_strdup (json_object_get_string_member (object, "linked"));
  g_assert_nonnull (strstr (paired, jid));
  g_assert_cmpstr (json_object_get_string_member (object, "app_state"), ==, "synced");
  g_assert_true (json_object_get_null_member (object, "push_name"));
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
  g_free (link_by_scan (&fake, data_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-1-"));
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

  g_free (link_by_scan (&fake, data_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-"));
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
  jid = link_by_scan (&fake, data_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-1-");
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
 * batches of a check. */
static int
run_cli (Fakewa      *fake,
         const char  *data_dir,
         char       **out,
         ...)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (args, (char *) g_getenv ("XI_CLI"));
  g_ptr_array_add (args, "--data-dir");
  g_ptr_array_add (args, (char *) data_dir);
  va_start (ap, out);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  g_subprocess_launcher_setenv (launcher, "XI_WA_URL", fake->url, TRUE);
  g_subprocess_launcher_setenv (launcher, "XI_WA_ROOT_KEY", fake->root, TRUE);
  g_subprocess_launcher_setenv (launcher, "XI_CHECK_PAUSE_MS", "10-30", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, &err, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (process) != 0)
    g_test_message ("%s", err);
  return g_subprocess_get_exit_status (process);
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
  g_free (link_by_scan (&fake, data_dir, "https://wa.me/settings/linked_devices#2@fakewa-ref-"));

  fakewa_say (&fake, "account 6281211110001\n");
  fakewa_say (&fake, "account 6281211110002\n");
  g_assert_true (g_file_set_contents (csv, "name,phone\nAndi,0812-1111-0001\nBudi,0812-1111-0002\n"
                                           "Citra,0812-1111-0003\n", -1, &error));
  g_assert_cmpint (run_cli (&fake, data_dir, NULL, "contacts", "import", csv, "--group", "Pelanggan", NULL), ==, 0);
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/link/link-and-log-in", test_link_and_log_in);
  g_test_add_func ("/cli/link/check-and-create", test_check_and_create);
  g_test_add_func ("/cli/link/lost-key", test_lost_key);
  g_test_add_func ("/cli/link/phone-shares", test_phone_shares);

  return g_test_run ();
}
