/* test-cli.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xi-cli.h"
#include "xi-test-utils.h"

/* Drives the real xender-in-cli binary against a temporary data folder. */

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

static int
run_cli (Fixture     *f,
         char       **out,
         char       **err,
         const char  *first,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *cli = g_getenv ("XI_CLI");
  va_list ap;

  g_assert_nonnull (cli);
  g_ptr_array_add (args, (gpointer)cli);
  g_ptr_array_add (args, (gpointer)"--data-dir");
  g_ptr_array_add (args, f->data_dir);
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer)arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  process = g_subprocess_newv ((const char * const *)args->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);

  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);

  return g_subprocess_get_exit_status (process);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static char *
write_file (Fixture    *f,
            const char *name,
            const char *contents)
{
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static void
test_usage (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *err3 = NULL;

  g_assert_cmpint (run_cli (f, NULL, &err, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--help"));
  g_assert_cmpint (run_cli (f, NULL, &err2, "frobnicate", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "frobnicate", NULL), ==, 2);
  /* A command's own mistake points to its own help. */
  g_assert_cmpint (run_cli (f, NULL, &err3, "contacts", "import", NULL), ==, 2);
  g_assert_true (g_str_has_prefix (err3, "xender-in-cli contacts import: "));
  g_assert_nonnull (strstr (err3, "“xender-in-cli contacts import --help”"));
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "list", "--bogus", NULL), ==, 2);
}

/* Runs xender-in-cli with @args and no --data-dir, its XDG folders in
 * @home, which must stay empty. */
static int
run_cli_at_home (const char          *home,
                 const char * const  *args,
                 char               **out,
                 char               **err)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *xdg[] = { "HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
                        "XDG_STATE_HOME", "XDG_RUNTIME_DIR" };

  for (guint i = 0; i < G_N_ELEMENTS (xdg); i++)
    {
      g_autofree char *dir = g_build_filename (home, xdg[i], NULL);

      g_subprocess_launcher_setenv (launcher, xdg[i], dir, TRUE);
    }
  g_subprocess_launcher_unsetenv (launcher, "XENDER_IN_DATA_DIR");
  g_ptr_array_add (argv, g_strdup (g_getenv ("XI_CLI")));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (process);
}

/* Asks @command, named by the words in @words, for its help and gives
 * it an option it does not know, then does so for its sub-commands. */
static void
assert_command_help (const char         *home,
                     GPtrArray          *words,
                     const XiCliCommand *command)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GString) usage = g_string_new ("Usage:\n  xender-in-cli");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *unknown_out = NULL;
  g_autofree char *unknown_err = NULL;
  const char *summary;

  g_ptr_array_add (words, (gpointer)command->name);
  for (guint i = 0; i < words->len; i++)
    {
      g_ptr_array_add (args, words->pdata[i]);
      g_string_append_printf (usage, " %s", (const char *)words->pdata[i]);
    }
  g_string_append (usage, " [OPTION…]");
  if (command->arguments != NULL)
    g_string_append_printf (usage, " %s\n", command->arguments);
  else
    g_string_append_c (usage, '\n');

  g_test_message ("%s --help", usage->str + strlen ("Usage:\n  "));
  g_ptr_array_add (args, (gpointer)"--help");
  g_ptr_array_add (args, NULL);
  g_assert_cmpint (run_cli_at_home (home, (const char * const *)args->pdata, &out, &err), ==, 0);
  g_assert_true (g_str_has_prefix (out, usage->str));
  /* A summary (the table's, or a longer one) after the usage line. */
  summary = out + usage->len;
  g_assert_true (summary[0] == '\n' && g_ascii_isalpha (summary[1]));
  g_assert_false (g_str_has_prefix (summary + 1, "Help Options:"));
  g_assert_cmpstr (err, ==, "");

  /* One line that names the option and points to the help. A command
   * whose arguments are texts keeps what it does not know as a text. */
  if ((command->flags & XI_CLI_COMMAND_TEXT_ARGUMENTS) == 0)
    {
      args->pdata[args->len - 2] = (gpointer)"--no-such-option";
      g_assert_cmpint (run_cli_at_home (home, (const char * const *)args->pdata, &unknown_out, &unknown_err),
                       ==, 2);
      g_assert_cmpstr (unknown_out, ==, "");
      g_assert_nonnull (strstr (unknown_err, "--no-such-option"));
      g_assert_nonnull (strstr (unknown_err, "--help"));
      g_assert_nonnull (strchr (unknown_err, '\n'));
      g_assert_cmpstr (strchr (unknown_err, '\n'), ==, "\n");
    }

  for (guint i = 0; command->commands != NULL && command->commands[i].name != NULL; i++)
    {
      g_autofree char *line = g_strdup_printf ("\n  %s ", command->commands[i].name);

      g_assert_nonnull (strstr (out, line));
      assert_command_help (home, words, &command->commands[i]);
    }
  g_ptr_array_remove_index (words, words->len - 1);
}

/* How many arguments @command takes, from its usage line in the table
 * (untranslated): "NAME" one, "[NAME]" one at most, "NAME…" one or more,
 * "[NAME…]" any number, "ID|--all" one at most (none with --all). */
static void
count_arguments (const XiCliCommand *command,
                 int                *least,
                 int                *most)
{
  g_auto(GStrv) words = g_strsplit (command->arguments != NULL ? command->arguments : "", " ", -1);

  *least = *most = 0;
  for (guint i = 0; words[i] != NULL; i++)
    {
      gboolean many = strstr (words[i], "…") != NULL;

      if (*words[i] == '\0')
        continue;
      if (words[i][0] != '[' && strstr (words[i], "|--") == NULL)
        (*least)++;
      *most = many || *most == XI_CLI_ARGUMENTS_ANY ? XI_CLI_ARGUMENTS_ANY : *most + 1;
    }
}

static void
assert_empty (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));
}

/* Runs xender-in-cli with @args, which are a malformed command: it says
 * so, exits 2 and leaves @home as empty as it was. Returns what it said. */
static char *
assert_usage_error (const char         *home,
                    const char * const *args)
{
  g_autofree char *joined = g_strjoinv (" ", (char **) args);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_test_message ("%s", joined);
  g_assert_cmpint (run_cli_at_home (home, args, &out, &err), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "--help"));
  assert_empty (home);
  return g_steal_pointer (&err);
}

/* Besides their arguments, the options some commands need to be well
 * formed: the command's words, then the options. */
static const char *const needed_options[][6] = {
  { "check", "--group", "Pelanggan", NULL },
  { "campaign create", "--group", "Pelanggan", "--template", "Promo", NULL },
  { "autoreply add", "--any", "--reply", "Halo", NULL },
  { "segments add", "--tag", "grosir", NULL },
  { "sync retry", "--all", NULL },
  { "sync discard", "--all", NULL },
};

/* The words of the command @name (as typed, @words), the options it
 * needs and @given arguments, after --data-dir @data_dir if any. */
static GPtrArray *
command_line (const char *data_dir,
              GPtrArray  *words,
              const char *name,
              int         given)
{
  GPtrArray *args = g_ptr_array_new ();

  if (data_dir != NULL)
    {
      g_ptr_array_add (args, (gpointer) "--data-dir");
      g_ptr_array_add (args, (gpointer) data_dir);
    }
  g_ptr_array_extend (args, words, NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (needed_options); i++)
    if (g_str_equal (needed_options[i][0], name))
      for (guint j = 1; needed_options[i][j] != NULL; j++)
        g_ptr_array_add (args, (gpointer) needed_options[i][j]);
  for (int i = 0; i < given; i++)
    g_ptr_array_add (args, (gpointer) "6281234567890");
  g_ptr_array_add (args, NULL);
  return args;
}

/* Holds @command, named by the words in @words, to its entry in the
 * table: its usage line says as many arguments; one too few and one too
 * many are refused with the table's words before any data folder is
 * made; the fewest it takes are accepted, and the data folder opened.
 * Then does so for its sub-commands. */
static void
assert_argument_errors (const char         *home,
                        const char         *not_a_folder,
                        GPtrArray          *words,
                        const XiCliCommand *command)
{
  int least, most;

  g_ptr_array_add (words, (gpointer) command->name);
  if (command->commands != NULL)
    {
      /* A group that does nothing on its own needs a sub-command. */
      if (command->func == NULL)
        {
          g_ptr_array_add (words, NULL);
          g_free (assert_usage_error (home, (const char * const *) words->pdata));
          g_ptr_array_remove_index (words, words->len - 1);
        }
      for (guint i = 0; command->commands[i].name != NULL; i++)
        assert_argument_errors (home, not_a_folder, words, &command->commands[i]);
    }
  if (command->func != NULL)
    {
      g_autoptr(GPtrArray) accepted = NULL;
      g_autofree char *name = NULL;
      g_autofree char *wrong_count = NULL;
      g_autofree char *err = NULL;

      g_ptr_array_add (words, NULL);
      name = g_strjoinv (" ", (char **) words->pdata);
      g_ptr_array_remove_index (words, words->len - 1);
      count_arguments (command, &least, &most);
      g_assert_cmpint (command->min_arguments, ==, least);
      g_assert_cmpint (command->max_arguments, ==, most);
      /* Only a command that takes none may be given a wrong number
       * without being told what it takes. */
      if (command->wrong_count != NULL)
        wrong_count = g_strdup (command->wrong_count);
      else if (most == 0)
        wrong_count = g_strdup_printf ("“%s” takes no arguments.", name);
      else
        g_assert_true (least == 0 && most == XI_CLI_ARGUMENTS_ANY);

      for (guint n = 0; n < 2; n++)
        {
          g_autoptr(GPtrArray) args = NULL;
          g_autofree char *refused = NULL;

          if ((n == 0 && least == 0) || (n == 1 && most == XI_CLI_ARGUMENTS_ANY))
            continue;
          args = command_line (NULL, words, name, n == 0 ? least - 1 : most + 1);
          refused = assert_usage_error (home, (const char * const *) args->pdata);
          g_assert_nonnull (strstr (refused, wrong_count));
        }

      /* Well formed, it goes on to open the data folder, which fails. */
      accepted = command_line (not_a_folder, words, name, least);
      g_test_message ("%s", name);
      g_assert_cmpint (run_cli_at_home (home, (const char * const *) accepted->pdata, NULL, &err), ==, 1);
      g_assert_nonnull (strstr (err, not_a_folder));
      assert_empty (home);
    }
  g_ptr_array_remove_index (words, words->len - 1);
}

/* Every command and sub-command in the table prints its help, with the
 * words typed and its arguments in the usage line, and refuses an
 * unknown option, a missing argument, one too many or a value that
 * cannot be right, without creating or opening a data folder. */
static void
test_help (Fixture       *f,
           gconstpointer  data)
{
  const char *help[] = { "--help", NULL };
  const char *bogus[] = { "--no-such-option", NULL };
  /* Values wrong whatever the data. */
  const char *bad_values[][10] = {
    { "check", NULL },
    { "campaign", "quota", "many", NULL },
    { "campaign", "create", "--group", "Pelanggan", "--template", "Promo", "--daily-cap=-1", NULL },
    { "run", "--transport", "pigeon", NULL },
    { "contacts", "list", "--opted-out", "--not-opted-out", NULL },
    { "send", "6281234567890", "", NULL },
    { "autoreply", "add", "Jam buka", "--any", "--reply", "Halo", "--hours", "8 to 5", NULL },
    { "autoreply", "add", "Jam buka", "--any", NULL },
    { "autoreply", "add", "Jam buka", "--any", "--keyword", "buka", "--reply", "Halo", NULL },
    { "autoreply", "add", "Jam buka", "--any", "--reply", "Halo", "--cooldown", "9000", NULL },
    { "segments", "add", "Jakarta", "--tag", "grosir", "--opted-out", "--not-opted-out", NULL },
    { "contacts", "import", "pelanggan.csv", "--create-group", NULL },
    { "contacts", "import", "pelanggan.csv", "--country", "ZZZ", NULL },
    { "contacts", "import", "pelanggan.csv", "--encoding", "EBCDIC", NULL },
    { "contacts", "import", "pelanggan.csv", "--separator", "pipe", NULL },
    { "contacts", "import", "pelanggan.csv", "--header", "maybe", NULL },
    { "contacts", "import", "pelanggan.csv", "--column", "phone", NULL },
    { "contacts", "import", "pelanggan.csv", "--column", "2=bogus", NULL },
    { "contacts", "list", "--where", "kota Jakarta", NULL },
    { "segments", "add", "Kosong", NULL },
    { "segments", "add", "Salah", "--where", "whatsapp=maybe", NULL },
    { "campaign", "create", "--group", "Pelanggan", "--segment", "Jakarta", "--template", "Promo", NULL },
    { "sync", "retry", NULL },
    { "sync", "discard", "42", "--all", NULL },
  };
  g_autofree char *home = g_build_filename (f->dir, "home", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *not_a_folder = g_build_filename (f->dir, "not-a-folder", NULL);
  g_autoptr(GPtrArray) words = g_ptr_array_new ();

  g_assert_cmpint (g_mkdir (home, 0700), ==, 0);
  g_assert_true (g_file_set_contents (not_a_folder, "", 0, NULL));
  g_assert_cmpint (run_cli_at_home (home, help, &out, NULL), ==, 0);
  for (guint i = 0; xi_cli_commands[i].name != NULL; i++)
    {
      g_autofree char *line = g_strdup_printf ("\n  %s ", xi_cli_commands[i].name);

      g_assert_nonnull (strstr (out, line));
      assert_command_help (home, words, &xi_cli_commands[i]);
    }
  g_assert_cmpint (run_cli_at_home (home, bogus, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--no-such-option"));
  g_assert_cmpstr (strchr (err, '\n'), ==, "\n");
  for (guint i = 0; xi_cli_commands[i].name != NULL; i++)
    assert_argument_errors (home, not_a_folder, words, &xi_cli_commands[i]);
  for (guint i = 0; i < G_N_ELEMENTS (bad_values); i++)
    g_free (assert_usage_error (home, bad_values[i]));

  assert_empty (home);

  /* Nor does help fail on a data folder that cannot be opened (a file). */
  g_assert_true (g_file_set_contents (f->data_dir, "", 0, NULL));
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "list", "--help", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "groups", "delete", "--help", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "list", NULL), ==, 1);
}

static void
test_import_and_list (Fixture       *f,
                      gconstpointer  data)
{
  /* A spreadsheet export as people make them: BOM, semicolons, columns in
   * Indonesian, a quoted newline, local numbers and one broken row. */
  g_autofree char *csv = write_file (f, "pelanggan.csv",
                                     "\xef\xbb\xbfNama;No HP;Kota\r\n"
                                     "Budi Santoso;0812-3456-7890;Jakarta\r\n"
                                     "\"Siti\nAminah\";+62 857 1111 2222;Bandung\r\n"
                                     "Rusak;12;Surabaya\r\n"
                                     "Budi lagi;081234567890;\r\n");
  g_autofree char *out = NULL;
  g_autofree char *list = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) contacts = NULL;
  JsonObject *object;
  JsonArray *issues;

  g_assert_cmpint (run_cli (f, &out, &err, "--json", "contacts", "import", csv,
                            "--group", "Pameran", "--create-group", NULL), ==, 0);
  report = parse_json (out);
  object = json_node_get_object (report);
  g_assert_cmpint (json_object_get_int_member (object, "imported"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (object, "updated"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (object, "skipped"), ==, 1);
  issues = json_object_get_array_member (object, "issues");
  g_assert_cmpuint (json_array_get_length (issues), ==, 1);
  /* The bad row starts on line 5: the quoted newline took two lines. */
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (issues, 0), "line"), ==, 5);

  g_assert_cmpint (run_cli (f, &list, NULL, "--json", "contacts", "list", "--search", "0812", NULL), ==, 0);
  contacts = parse_json (list);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (contacts)), ==, 1);
  object = json_array_get_object_element (json_node_get_array (contacts), 0);
  g_assert_cmpstr (json_object_get_string_member (object, "phone"), ==, "6281234567890");
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "Budi lagi");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "custom_fields"),
                                                  "kota"), ==, "Jakarta");
}

/* A listing larger than the pages the command loads comes out whole, in
 * list order, as one JSON array; an empty one is an empty array. */
static void
test_list_pages (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GString) csv_text = g_string_new ("Nama,Nomor\r\n");
  g_autofree char *csv = NULL;
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;
  g_autofree char *none = NULL;
  g_autoptr(JsonNode) all = NULL;
  g_autoptr(JsonNode) empty = NULL;
  JsonArray *array;

  /* Written in reverse, so list order is not file order. */
  for (guint i = 1300; i > 0; i--)
    g_string_append_printf (csv_text, "Pelanggan %04u,0813%08u\r\n", i, i);
  csv = write_file (f, "banyak.csv", csv_text->str);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "import", csv, NULL), ==, 0);

  g_assert_cmpint (run_cli (f, &text, NULL, "contacts", "list", "--search", "pelanggan 1", NULL), ==, 0);
  g_assert_nonnull (strstr (text, "\n301 contacts\n"));

  g_assert_cmpint (run_cli (f, &json, NULL, "--json", "contacts", "list", NULL), ==, 0);
  all = parse_json (json);
  array = json_node_get_array (all);
  g_assert_cmpuint (json_array_get_length (array), ==, 1300);
  for (guint i = 0; i < 1300; i++)
    {
      g_autofree char *name = g_strdup_printf ("Pelanggan %04u", i + 1);

      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, i), "name"),
                       ==, name);
    }

  g_assert_cmpint (run_cli (f, &none, NULL, "--json", "contacts", "list", "--search", "tidak ada", NULL), ==, 0);
  empty = parse_json (none);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (empty)), ==, 0);
}

static void
test_groups_and_errors (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) members = NULL;

  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "add", "0812 1111 0001", "--name", "Ani", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "add", "+6281211110002", "--name", "Bayu",
                            "--field", "kota=Medan", NULL), ==, 0);
  /* Same number again, written differently. */
  g_assert_cmpint (run_cli (f, NULL, &err, "contacts", "add", "62-812-1111-0001", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Ani"));

  g_assert_cmpint (run_cli (f, NULL, NULL, "groups", "add", "VIP", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "groups", "add", "vip", NULL), ==, 1);
  g_assert_cmpint (run_cli (f, NULL, NULL, "groups", "add-members", "VIP", "081211110001",
                            "081211110002", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "groups", "members", "vip", NULL), ==, 0);
  members = parse_json (out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (members)), ==, 2);

  g_assert_cmpint (run_cli (f, NULL, &err2, "groups", "members", "Nope", NULL), ==, 1);
  g_assert_nonnull (strstr (err2, "Nope"));
  g_assert_cmpint (run_cli (f, NULL, NULL, "groups", "add-members", "VIP", "0899", NULL), ==, 1);

  /* An opt-out is undone only deliberately. */
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "opt-out", "081211110001", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "opt-in", "081211110001", NULL), ==, 1);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "opt-in", "--confirm", "081211110001", NULL), ==, 0);
}

static void
test_templates (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) preview = NULL;
  JsonObject *first;

  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "add", "081299990001", "--name", "Citra Lestari",
                            "--field", "kota=Solo", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, &err, "templates", "add", "Rusak", "Halo {nama", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Variant 1"));
  g_assert_cmpint (run_cli (f, NULL, NULL, "templates", "add", "Salam",
                            "Halo {first_name}, promo di {kota}!", "Hai {name|Kak} dari {hobi|sini}", NULL), ==, 1);
  g_assert_cmpint (run_cli (f, NULL, NULL, "templates", "add", "Salam",
                            "Halo {first_name}, promo di {kota}!", "Hai {name|Kak}", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "templates", "show", "salam",
                            "--preview", "081299990001", NULL), ==, 0);
  preview = parse_json (out);
  first = json_array_get_object_element (json_node_get_array (preview), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "text"), ==, "Halo Citra, promo di Solo!");
}

#define FORMULA_NAME "=HYPERLINK(\"http://198.51.100.7/\",\"Klik\")"

static void
test_export_roundtrip (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *csv = g_build_filename (f->dir, "export.csv", NULL);
  g_autofree char *other = g_build_filename (f->dir, "other", NULL);
  g_autofree char *out = NULL;
  g_autofree char *exported = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) listed = NULL;
  Fixture second = { .dir = f->dir, .data_dir = other };

  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "add", "081277770001", "--name", "Dian, \"Toko\"",
                            "--tag", "grosir", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "add", "081277770002", "--name", "Eka", NULL), ==, 0);
  /* A name a spreadsheet would run as a formula when the owner opens the
   * export is shown there as text, and comes back as it was. */
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "add", "081277770003", "--name", FORMULA_NAME,
                            NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "export", csv, NULL), ==, 0);
  g_assert_true (g_file_get_contents (csv, &exported, NULL, NULL));
  g_assert_nonnull (strstr (exported, "'=HYPERLINK("));

  g_assert_cmpint (run_cli (&second, &out, NULL, "--json", "contacts", "import", csv, NULL), ==, 0);
  report = parse_json (out);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (report), "imported"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (report), "skipped"), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&second, &out, NULL, "--json", "contacts", "list", "--search", "081277770003",
                            NULL), ==, 0);
  listed = parse_json (out);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (listed), 0),
                                                  "name"), ==, FORMULA_NAME);
}

/* A group of three, one opted out, and a template: what campaigns need. */
static void
make_audience (Fixture *f)
{
  g_autofree char *csv = write_file (f, "pelanggan.csv",
                                     "Nama,No HP\nAndi,0812-1111-0001\nBudi,0812-1111-0002\n"
                                     "Citra,0812-1111-0003\nDewi,0812-1111-0004\n");

  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "import", csv, "--group", "Pelanggan", "--create-group", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "opt-out", "081211110003", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "templates", "add", "Promo", "Halo {name}, promo!", NULL), ==, 0);
}

static char *
create_campaign (Fixture    *f,
                 const char *start)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;

  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "campaign", "create", "--group", "Pelanggan",
                            "--template", "Promo", "--delay", "0", "--batch", "0", start, NULL), ==, 0);
  root = parse_json (out);
  object = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (object, "skipped"),
                                               "opted_out"), ==, 1);
  object = json_object_get_object_member (object, "campaign");
  g_assert_cmpint (json_object_get_int_member (object, "total"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (object, "remaining"), ==, 3);
  return g_strdup (json_object_get_string_member (object, "id"));
}

static void
test_campaign_run (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *report = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *journal_path = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_auto(GStrv) lines = NULL;
  JsonObject *quota;

  make_audience (f);
  id = create_campaign (f, "--round-robin");

  /* Created without --start it waits, paused, and run sends nothing. */
  g_assert_cmpint (run_cli (f, NULL, NULL, "run", "--until-idle", NULL), ==, 0);
  journal_path = g_build_filename (f->data_dir, "loopback-journal.tsv", NULL);
  g_assert_false (g_file_get_contents (journal_path, &journal, NULL, NULL) && journal[0] != '\0');
  g_clear_pointer (&journal, g_free);

  g_assert_cmpint (run_cli (f, &out, NULL, "campaign", "start", id, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Waiting"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "start", id, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "not paused"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli (f, NULL, NULL, "run", "--until-idle", "--transport", "loopback", NULL), ==, 0);
  g_assert_true (g_file_get_contents (journal_path, &journal, NULL, NULL));
  lines = g_strsplit (journal, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_nonnull (strstr (lines[0], "\t6281211110001\tHalo Andi, promo!"));

  /* The id's first characters are enough. */
  id[8] = '\0';
  g_assert_cmpint (run_cli (f, &out, NULL, "campaign", "status", id, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Completed"));
  g_assert_nonnull (strstr (out, "3 sent"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "campaign", "status", NULL), ==, 0);
  root = parse_json (out);
  quota = json_object_get_object_member (json_node_get_object (root), "quota");
  g_assert_cmpint (json_object_get_int_member (quota, "used"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (quota, "reserved"), ==, 0);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (f, &out, NULL, "campaign", "report", id, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Opted out"));
  g_clear_pointer (&out, g_free);
  csv = g_build_filename (f->dir, "report.csv", NULL);
  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "campaign", "report", id, csv, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"written\" : 4"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, NULL, "campaign", "report", id, csv, NULL), ==, 0);
  g_assert_true (g_file_get_contents (csv, &report, NULL, NULL));
  g_assert_true (g_str_has_prefix (report, "position,name,phone,status,reason,attempts,message_id,"));
  g_assert_nonnull (strstr (report, "Halo Budi, promo!"));
  g_strfreev (lines);
  lines = g_strsplit (report, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 6);

  /* A finished campaign cannot be paused. */
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "pause", id, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "already finished"));
}

static void
test_campaign_errors (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  make_audience (f);

  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "create", "--group", "Nobody", "--template", "Promo",
                            NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Nobody"));
  g_clear_pointer (&err, g_free);
  /* Issue 18: an option value that means nothing is a mistake in the
   * command (2), however it is wrong; a missing group is one in the data (1). */
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "create", "--group", "Pelanggan", "--template", "Promo",
                            "--delay", "5-1", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "20-45"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "create", "--group", "Pelanggan", "--template", "Promo",
                            "--daily-cap", "-3", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--daily-cap"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "create", "--group", "Pelanggan", "--template", "Promo",
                            "--batch", "many", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "25:10"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "create", "--group", "Pelanggan", "--template", "Promo",
                            "--at", "25:99", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "HH:MM"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "create", "--group", "Pelanggan", "--template", "Promo",
                            "--at", "1999-01-01 08:00", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "in the past"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "create", "--group", "Pelanggan", "--template", "Promo",
                            "--at", "9999-01-01 08:00", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "more than a year ahead"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "contacts", "add", "0812 1111 0009", "--field", "kota", NULL),
                   ==, 2);
  g_assert_nonnull (strstr (err, "KEY=VALUE"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "--country", "999", "contacts", "list", NULL), ==, 2);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "create", "--group", "Pelanggan", NULL), ==, 2);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "explode", NULL), ==, 2);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "run", "--transport", "whatsapp", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "not linked to WhatsApp yet"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "send", "+6281234567890", "Halo", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "not linked to WhatsApp yet"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "send", "+6281234567890", NULL), ==, 2);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "send", "nomor", "Halo", NULL), ==, 1);
  g_clear_pointer (&err, g_free);

  /* Pause, resume and cancel: the unsent are skipped, the quota returns. */
  id = create_campaign (f, "--start");
  g_assert_cmpint (run_cli (f, &out, NULL, "campaign", "pause", id, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Paused"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, NULL, "campaign", "resume", id, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "campaign", "cancel", id, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"cancelled\""));
  g_assert_nonnull (strstr (out, "\"skipped\" : 4"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, NULL, "campaign", "status", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "0 used, 0 reserved"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "cancel", "nope", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "campaign status"));
  g_clear_pointer (&err, g_free);

  /* Too big for what is left of the month: refused, nothing written. */
  g_assert_cmpint (run_cli (f, &out, NULL, "campaign", "quota", "2", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "2 of 2 left"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "create", "--group", "Pelanggan", "--template", "Promo",
                            NULL), ==, 1);
  g_assert_nonnull (strstr (err, "only 2 are left"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "quota", "lots", NULL), ==, 2);
}

/* The text and --json forms of create, status and report, before and
 * after the campaign ran: the ids and texts stored at creation are what
 * was sent. */
static void
test_campaign_create_report (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *journal_path = g_build_filename (f->data_dir, "loopback-journal.tsv", NULL);
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_auto(GStrv) lines = NULL;
  JsonObject *object;
  JsonArray *rows;

  make_audience (f);

  g_assert_cmpint (run_cli (f, &out, NULL, "campaign", "create", "--group", "Pelanggan", "--template", "Promo",
                            "--name", "Promo Juni", "--delay", "0", "--batch", "0", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Created campaign “Promo Juni”"));
  g_assert_nonnull (strstr (out, "for 3 recipients"));
  g_assert_nonnull (strstr (out, "skipped (Opted out): 1"));
  g_assert_nonnull (strstr (out, "xender-in-cli campaign start"));
  g_clear_pointer (&out, g_free);

  /* By name, in both forms. */
  g_assert_cmpint (run_cli (f, &out, NULL, "campaign", "status", "Promo Juni", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Paused"));
  g_assert_nonnull (strstr (out, "Promo Juni (rehearsal) — 0 sent"));
  g_assert_nonnull (strstr (out, "1 skipped, 3 to go"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "campaign", "status", "Promo Juni", NULL), ==, 0);
  status = parse_json (out);
  object = json_node_get_object (status);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "Promo Juni");
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "paused");
  g_assert_cmpint (json_object_get_int_member (object, "total"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (object, "skipped"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (object, "remaining"), ==, 3);
  g_clear_pointer (&out, g_free);

  /* Everyone's message is decided before anything is sent; the id it
   * goes under is chosen as it is taken for sending. */
  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "campaign", "report", "Promo Juni", NULL), ==, 0);
  before = parse_json (out);
  rows = json_node_get_array (before);
  g_assert_cmpuint (json_array_get_length (rows), ==, 4);
  object = json_array_get_object_element (rows, 0);
  g_assert_cmpstr (json_object_get_string_member (object, "phone"), ==, "6281211110001");
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "pending");
  g_assert_cmpstr (json_object_get_string_member (object, "text"), ==, "Halo Andi, promo!");
  g_assert_null (json_object_get_string_member (object, "message_id"));
  object = json_array_get_object_element (rows, 2);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "Citra");
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "skipped");
  g_assert_cmpstr (json_object_get_string_member (object, "skip_reason"), ==, "opted_out");
  g_assert_null (json_object_get_string_member (object, "message_id"));
  g_assert_null (json_object_get_string_member (object, "text"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (f, NULL, NULL, "campaign", "start", "Promo Juni", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, &out, NULL, "run", "--until-idle", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Completed"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "campaign", "report", "Promo Juni", NULL), ==, 0);
  after = parse_json (out);
  g_clear_pointer (&out, g_free);
  g_assert_true (g_file_get_contents (journal_path, &journal, NULL, NULL));
  lines = g_strsplit (journal, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  for (guint i = 0, sent = 0; i < 4; i++)
    {
      JsonObject *was = json_array_get_object_element (json_node_get_array (before), i);
      JsonObject *is = json_array_get_object_element (json_node_get_array (after), i);
      g_autofree char *line = NULL;

      if (g_str_equal (json_object_get_string_member (was, "state"), "skipped"))
        {
          g_assert_cmpstr (json_object_get_string_member (is, "state"), ==, "skipped");
          g_assert_cmpint (json_object_get_int_member (is, "attempts"), ==, 0);
          continue;
        }
      g_assert_cmpstr (json_object_get_string_member (is, "state"), ==, "sent");
      g_assert_cmpint (json_object_get_int_member (is, "attempts"), ==, 1);
      g_assert_nonnull (json_object_get_string_member (is, "sent_at"));
      g_assert_true (g_str_has_prefix (json_object_get_string_member (is, "message_id"), "3EB0"));
      g_assert_cmpstr (json_object_get_string_member (is, "text"), ==,
                       json_object_get_string_member (was, "text"));
      line = g_strdup_printf ("%s\t%s\t%s", json_object_get_string_member (is, "message_id"),
                              json_object_get_string_member (was, "phone"),
                              json_object_get_string_member (was, "text"));
      g_assert_cmpstr (lines[sent++], ==, line);
    }

  /* The text report: one line for the campaign, one per recipient. */
  g_assert_cmpint (run_cli (f, &out, NULL, "campaign", "report", "Promo Juni", NULL), ==, 0);
  g_strfreev (lines);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 6);
  g_assert_nonnull (strstr (lines[0], "Completed"));
  g_assert_nonnull (strstr (lines[1], "Andi"));
  g_assert_nonnull (strstr (lines[1], "Sent"));
  g_assert_nonnull (strstr (lines[3], "Citra"));
  g_assert_nonnull (strstr (lines[3], "Opted out"));
}

/* Commands that make no sense for the campaign's state, and the usage
 * errors around campaigns. */
static void
test_campaign_states (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  make_audience (f);

  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "create", "--group", "Pelanggan", "--template", "Nope",
                            NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Nope"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "create", "--group", "Pelanggan", "--template", "Promo",
                            "--batch", "5", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "25:10"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, NULL, "groups", "add", "Kosong", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "create", "--group", "Kosong", "--template", "Promo",
                            NULL), ==, 1);
  g_assert_nonnull (strstr (err, "no contacts"));
  g_clear_pointer (&err, g_free);

  /* Usage errors: exit 2, before anything is looked up. */
  g_assert_cmpint (run_cli (f, NULL, NULL, "campaign", "create", "--group", "Pelanggan", "--template", "Promo",
                            "extra", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, NULL, NULL, "campaign", "create", "--group", "Pelanggan", "--template", "Promo",
                            "--daily-cap", "-1", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, NULL, NULL, "campaign", "create", "--bogus", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, NULL, NULL, "campaign", "start", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, NULL, NULL, "campaign", "pause", "a", "b", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, NULL, NULL, "campaign", "status", "a", "b", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, NULL, NULL, "campaign", "report", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, NULL, NULL, "campaign", "quota", "1", "2", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, NULL, NULL, "campaign", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, NULL, NULL, "run", "now", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, NULL, &err, "run", "--transport", "pigeon", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "pigeon"));
  g_clear_pointer (&err, g_free);

  /* Created and not started: paused already, and resuming queues it. */
  id = create_campaign (f, "--round-robin");
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "pause", id, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "already paused"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "campaign", "resume", id, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"pending\""));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "resume", id, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "not paused"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "campaign", "pause", id, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"paused\""));
  g_clear_pointer (&out, g_free);

  /* A paused campaign is not sent. */
  g_assert_cmpint (run_cli (f, NULL, NULL, "run", "--until-idle", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "campaign", "status", id, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"sent\" : 0"));
  g_clear_pointer (&out, g_free);

  /* Cancelled is final. */
  g_assert_cmpint (run_cli (f, &out, NULL, "campaign", "cancel", id, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Cancelled"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "cancel", id, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "already finished"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "resume", id, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "already finished"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "start", id, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "already finished"));
  g_clear_pointer (&err, g_free);

  /* Too short a prefix is no id. */
  id[3] = '\0';
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "status", id, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "There is no campaign"));
}

static gint64
quota_member (Fixture    *f,
              const char *member)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "campaign", "quota", NULL), ==, 0);
  root = parse_json (out);
  return json_object_get_int_member (json_node_get_object (root), member);
}

/* "campaign delete": an unfinished campaign is cancelled first and its
 * quota given back; by id or by name; gone afterwards. */
static void
test_campaign_delete (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *name = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;

  make_audience (f);
  g_assert_cmpint (run_cli (f, NULL, NULL, "campaign", "delete", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, NULL, NULL, "campaign", "delete", "a", "b", NULL), ==, 2);

  first = create_campaign (f, "--start");
  g_assert_cmpint (quota_member (f, "reserved"), ==, 3);

  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "campaign", "delete", first, NULL), ==, 0);
  root = parse_json (out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "deleted"), ==, first);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (quota_member (f, "reserved"), ==, 0);
  g_assert_cmpint (quota_member (f, "used"), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "status", first, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "There is no campaign"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "delete", first, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "There is no campaign"));
  g_clear_pointer (&err, g_free);

  /* A finished one, by name: what it used stays used. */
  second = create_campaign (f, "--start");
  g_assert_cmpint (run_cli (f, NULL, NULL, "run", "--until-idle", NULL), ==, 0);
  g_assert_cmpint (quota_member (f, "used"), ==, 3);
  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "campaign", "status", second, NULL), ==, 0);
  g_clear_pointer (&root, json_node_unref);
  root = parse_json (out);
  name = g_strdup (json_object_get_string_member (json_node_get_object (root), "name"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, NULL, "campaign", "delete", name, NULL), ==, 0);
  expected = g_strdup_printf ("Deleted “%s”", name);
  g_assert_nonnull (strstr (out, expected));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (quota_member (f, "used"), ==, 3);
  g_assert_cmpint (quota_member (f, "reserved"), ==, 0);
  g_assert_cmpint (run_cli (f, &out, NULL, "campaign", "status", NULL), ==, 0);
  g_assert_null (strstr (out, second));
}

static guint
file_mode (const char *path)
{
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

/* Customer data stays the user's own: an existing folder is tightened,
 * the database, the journal, exports and
 * reports are 0600 even where one was left looser, and a link planted
 * for the journal is refused instead of followed. */
static void
test_private_files (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->data_dir, "xender-in.db", NULL);
  g_autofree char *journal = g_build_filename (f->data_dir, "loopback-journal.tsv", NULL);
  g_autofree char *export = g_build_filename (f->dir, "export.csv", NULL);
  g_autofree char *report = g_build_filename (f->dir, "report.csv", NULL);
  g_autofree char *elsewhere = g_build_filename (f->dir, "elsewhere.tsv", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *err = NULL;
  g_autofree char *id = NULL;
  mode_t old_umask = umask (022);

  g_assert_cmpint (g_mkdir (f->data_dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (export, "old\n", -1, NULL));
  g_assert_cmpint (g_chmod (export, 0644), ==, 0);
  g_assert_true (g_file_set_contents (report, "old\n", -1, NULL));
  g_assert_cmpint (g_chmod (report, 0644), ==, 0);
  g_assert_true (g_file_set_contents (journal, "", -1, NULL));
  g_assert_cmpint (g_chmod (journal, 0644), ==, 0);

  make_audience (f);
  g_assert_cmpuint (file_mode (f->data_dir), ==, 0700);
  g_assert_cmpuint (file_mode (db), ==, 0600);

  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "export", export, NULL), ==, 0);
  g_assert_cmpuint (file_mode (export), ==, 0600);

  g_assert_cmpint (run_cli (f, NULL, NULL, "campaign", "create", "--group", "Pelanggan", "--template",
                            "Promo", "--delay", "0", "--batch", "0", "--name", "Modes", "--start",
                            "--rehearse", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "run", "--until-idle", "--transport", "loopback", NULL), ==, 0);
  g_assert_cmpuint (file_mode (journal), ==, 0600);
  g_assert_cmpint (run_cli (f, NULL, NULL, "campaign", "report", "Modes", report, NULL), ==, 0);
  g_assert_cmpuint (file_mode (report), ==, 0600);

  /* A link in the journal's place: nothing is sent and nothing written
   * where it points. */
  g_assert_cmpint (g_unlink (journal), ==, 0);
  g_assert_cmpint (symlink (elsewhere, journal), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "campaign", "create", "--group", "Pelanggan", "--template",
                            "Promo", "--delay", "0", "--batch", "0", "--name", "Link", "--start",
                            "--rehearse", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, &err, "run", "--until-idle", "--transport", "loopback", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "symbolic link"));
  g_assert_false (g_file_test (elsewhere, G_FILE_TEST_EXISTS));

  umask (old_umask);
}

/* Debug logging never mixes with the JSON a program reads. */
static void
test_json_with_debug (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;

  make_audience (f);
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  g_assert_cmpint (run_cli (f, &out, &err, "--json", "contacts", "list", NULL), ==, 0);
  g_unsetenv ("G_MESSAGES_DEBUG");
  root = parse_json (out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 4);
  g_assert_nonnull (strstr (err, "DEBUG"));
}

/* The app and the command line share one folder: any number of them
 * opening a new folder at the same moment all succeed. */
static void
test_open_together (Fixture       *f,
                    gconstpointer  data)
{
  for (guint round = 0; round < 10; round++)
    {
      g_autofree char *data_dir = g_strdup_printf ("%s/together-%u", f->dir, round);
      GSubprocess *processes[8];

      for (guint i = 0; i < G_N_ELEMENTS (processes); i++)
        {
          g_autoptr(GError) error = NULL;

          processes[i] = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                                           g_getenv ("XI_CLI"), "--data-dir", data_dir,
                                           "contacts", "list", NULL);
          g_assert_no_error (error);
        }
      for (guint i = 0; i < G_N_ELEMENTS (processes); i++)
        {
          g_autoptr(GError) error = NULL;

          g_subprocess_wait_check (processes[i], NULL, &error);
          g_assert_no_error (error);
          g_object_unref (processes[i]);
        }
    }
}

/* Issue 18, as a user would meet it: the vCard line that crashed the
 * importer, data past the limits, and a campaign whose message would be
 * too long for some contacts, each refused with what to fix (exit 1). */
static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *vcf = write_file (f, "x.vcf", "BEGIN:VCARD\n:oops\nFN:B\nTEL:081234567890\nEND:VCARD\n");
  g_autofree char *long_name = g_strnfill (300, 'n');
  g_autofree char *long_variant = g_strnfill (120 * 1024, 'v');
  g_autofree char *kota = g_strnfill (1000, 'k');
  g_autofree char *field = g_strconcat ("kota=", kota, NULL);
  g_autoptr(GString) template_text = g_string_new ("Halo {name}.");
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) soon = g_date_time_add_days (now, 30);
  g_autofree char *when = g_date_time_format (soon, "%Y-%m-%d 08:00");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_cli (f, &out, NULL, "contacts", "import", vcf, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, NULL, "contacts", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "812-3456-7890"));

  g_assert_cmpint (run_cli (f, NULL, &err, "contacts", "add", "0812 2222 0001", "--name", long_name, NULL),
                   ==, 1);
  g_assert_nonnull (strstr (err, "256"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "templates", "add", "Huge", long_variant, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Variant 1"));
  g_clear_pointer (&err, g_free);

  {
    g_autofree char *long_text = g_strnfill (70000, 't');

    g_assert_cmpint (run_cli (f, NULL, &err, "send", "+6281234567890", long_text, NULL), ==, 1);
    g_assert_nonnull (strstr (err, "65536"));
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_cli (f, NULL, &err, "autoreply", "add", "Panjang", "--any", "--reply", long_text,
                              NULL), ==, 1);
    g_assert_nonnull (strstr (err, "65536"));
    g_clear_pointer (&err, g_free);
  }

  g_assert_cmpint (run_cli (f, NULL, NULL, "groups", "add", "Kota", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "add", "0812 2222 0002", "--name", "Rina",
                            "--field", field, "--group", "Kota", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "add", "0812 2222 0003", "--name", "Sari",
                            "--group", "Kota", NULL), ==, 0);
  for (guint i = 0; i < 70; i++)
    g_string_append (template_text, " {kota|}");
  g_assert_cmpint (run_cli (f, NULL, NULL, "templates", "add", "Kota", template_text->str, NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "create", "--group", "Kota", "--template", "Kota",
                            NULL), ==, 1);
  g_assert_nonnull (strstr (err, "1 contact"));
  g_assert_nonnull (strstr (err, "Rina"));
  g_assert_null (strstr (err, "Sari"));

  /* A start within the year is taken. */
  g_assert_cmpint (run_cli (f, NULL, NULL, "templates", "add", "Pendek", "Halo {name}", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "campaign", "create", "--group", "Kota", "--template", "Pendek",
                            "--at", when, NULL), ==, 0);
}

/* Phones of the contacts `contacts list --json` prints with @args (up to
 * four, %NULL-terminated), separated by spaces. */
static char *
listed_phones (Fixture     *f,
               const char **a)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) phones = g_string_new (NULL);
  JsonArray *array;

  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "contacts", "list", a[0], a[1], a[2], a[3], NULL), ==, 0);
  root = parse_json (out);
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *contact = json_array_get_object_element (array, i);

      if (phones->len > 0)
        g_string_append_c (phones, ' ');
      g_string_append (phones, json_object_get_string_member (contact, "phone"));
    }
  return g_string_free (g_steal_pointer (&phones), FALSE);
}

/* An audience by field, tag and opt-out, and the errors that say how to
 * write a condition. */
static void
test_list_where (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *csv = write_file (f, "kota.csv",
                                     "Nama,No HP,Kota,Tags\n"
                                     "Andi,0812-1111-0001,Jakarta,grosir\n"
                                     "Budi,0812-1111-0002, jakarta ,ecer\n"
                                     "Citra,0812-1111-0003,Bandung,Grosir\n"
                                     "Dewi,0812-1111-0004,,grosir\n"
                                     "Eko,0812-1111-0005,\"Jl. \"\"Merdeka\"\" 10/B\",ecer\n");
  g_autofree char *err = NULL;
  struct { const char *args[5]; const char *phones; } table[] = {
    { { "--where", "kota=Jakarta", NULL }, "6281211110001 6281211110002" },
    { { "--where", "kota=Jakarta", "--tag", "grosir", NULL }, "6281211110001" },
    { { "--tag", "GROSIR", NULL }, "6281211110001 6281211110003 6281211110004" },
    { { "--where", "kota~band", NULL }, "6281211110003" },
    { { "--where", "kota!=jakarta", NULL }, "6281211110003 6281211110004 6281211110005" },
    /* Values with quotes and slashes, which the stored JSON escapes. */
    { { "--where", "kota~merdeka", NULL }, "6281211110005" },
    { { "--where", "kota~\"merdeka\" 10/b", NULL }, "6281211110005" },
    { { "--where", "kota=jl. \"merdeka\" 10/b", NULL }, "6281211110005" },
    { { "--where", "kota=", NULL }, "6281211110004" },
    { { "--where", "nama~i", "--where", "kota!=", NULL }, "6281211110001 6281211110002 6281211110003" },
    { { "--tag", "grosir", "--opted-out", NULL }, "6281211110003" },
    { { "--tag", "grosir", "--not-opted-out", NULL }, "6281211110001 6281211110004" },
  };

  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "import", csv, NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "opt-out", "081211110003", NULL), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      const char **a = table[i].args;
      g_autofree char *phones = listed_phones (f, a);

      g_test_message ("contacts list %s %s %s %s", a[0], a[1], a[2] ? a[2] : "", a[3] ? a[3] : "");
      g_assert_cmpstr (phones, ==, table[i].phones);
    }

  g_assert_cmpint (run_cli (f, NULL, &err, "contacts", "list", "--where", "kota Jakarta", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "Write FIELD=VALUE, as in kota=Jakarta"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "contacts", "list", "--where", "kot=Jakarta", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "No contact has a field “kot”. The fields are: name, phone, kota."));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "contacts", "list", "--opted-out", "--not-opted-out", NULL), ==, 2);
}

/* A dry run reads and counts as the import does and writes nothing; the
 * refused rows can be saved; a group must exist unless created on purpose. */
static void
test_import_dry_run (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *csv = write_file (f, "baru.csv",
                                     "Nama;No HP;Kota\n"
                                     "Andi;0812-1111-0001;Jakarta\n"
                                     "Budi;0812-1111-0002;Bandung\n"
                                     "Salah;12ab;Bogor\n"
                                     "Citra;0812-1111-0003;Depok\n");
  g_autofree char *first = write_file (f, "lama.csv", "Nama,No HP\nAndi Lama,0812-1111-0001\n");
  g_autofree char *refused = g_build_filename (f->dir, "ditolak.csv", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  g_autofree char *listed = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  struct stat st;

  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "import", first, NULL), ==, 0);

  /* A mistyped group is refused before the file is even read. */
  g_assert_cmpint (run_cli (f, NULL, &err, "contacts", "import", csv, "--group", "Pelangan", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "There is no group “Pelangan”"));
  g_assert_nonnull (strstr (err, "--create-group"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli (f, &out, NULL, "contacts", "import", csv, "--dry-run", "--group", "Pelanggan",
                            "--create-group", "--refused", refused, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "separated by semicolon"));
  g_assert_nonnull (strstr (out, "Extra columns kept as fields: kota"));
  g_assert_nonnull (strstr (out, "Would import 2, update 1, refuse 1. Nothing was written."));
  g_assert_nonnull (strstr (out, "Would create group “Pelanggan”."));
  g_assert_nonnull (strstr (out, "Line 4: 12ab"));
  g_clear_pointer (&out, g_free);

  g_assert_true (g_file_get_contents (refused, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "line,value,reason\r\n4,12ab,"));
  g_assert_cmpint (stat (refused, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Nothing was written: one contact, no group. */
  listed = listed_phones (f, (const char *[]){ NULL, NULL, NULL, NULL });
  g_assert_cmpstr (listed, ==, "6281211110001");
  g_assert_cmpint (run_cli (f, &out, NULL, "groups", "list", NULL), ==, 0);
  g_assert_null (strstr (out, "Pelanggan"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "contacts", "import", csv, "--group", "Pelanggan",
                            "--create-group", NULL), ==, 0);
  root = parse_json (out);
  object = json_node_get_object (root);
  g_assert_false (json_object_get_boolean_member (object, "dry_run"));
  g_assert_true (json_object_get_boolean_member (object, "new_group"));
  g_assert_cmpint (json_object_get_int_member (object, "imported"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (object, "updated"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (object, "skipped"), ==, 1);
  g_clear_pointer (&out, g_free);

  /* The group exists now: no flag needed, and a second run updates. */
  g_assert_cmpint (run_cli (f, &out, NULL, "contacts", "import", csv, "--group", "pelanggan", "--dry-run",
                            NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Would import 0, update 3, refuse 1."));
  g_assert_null (strstr (out, "Would create group"));
}

/* The choices of the import dialog on the command line: a headerless
 * Latin-1 file separated by semicolons, whose columns are named. */
static void
test_import_options (Fixture       *f,
                     gconstpointer  data)
{
  static const char latin1[] = "0812-1111-0001;Jos\xe9;Bandung\n0812-1111-0002;Ren\xe9" "e;Medan\n";
  g_autofree char *csv = g_build_filename (f->dir, "latin.csv", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) contacts = NULL;
  JsonObject *object;

  g_assert_true (g_file_set_contents (csv, latin1, -1, NULL));

  /* Wrong values are refused with what to write instead. */
  g_assert_cmpint (run_cli (f, NULL, &err, "contacts", "import", csv, "--encoding", "KOI8-R", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "Windows-1252"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "contacts", "import", csv, "--separator", "pipe", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "semicolon"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "contacts", "import", csv, "--column", "phone", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "2=phone"));
  g_clear_pointer (&err, g_free);

  /* As UTF-8 the file cannot be read. */
  g_assert_cmpint (run_cli (f, NULL, &err, "contacts", "import", csv, "--encoding", "utf-8",
                            "--dry-run", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Line 1 is not UTF-8"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli (f, &out, NULL, "contacts", "import", csv, "--encoding", "ISO-8859-1",
                            "--separator", "semicolon", "--header", "no", "--column", "2=name",
                            "--column", "3=field:kota", "--dry-run", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Would import 2, update 0, refuse 0."));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "import", csv, "--encoding", "ISO-8859-1",
                            "--separator", "semicolon", "--header", "no", "--column", "2=name",
                            "--column", "3=field:kota", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "contacts", "list", "--search", "0812", NULL), ==, 0);
  contacts = parse_json (out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (contacts)), ==, 2);
  object = json_array_get_object_element (json_node_get_array (contacts), 0);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "Jos\xc3\xa9");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "custom_fields"),
                                                  "kota"), ==, "Bandung");
}

/* Conditions only the store answers (group, messages sent), saved as a
 * segment that a campaign targets: evaluated once, when it is created. */
static void
test_segments (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *csv = write_file (f, "kota.csv",
                                     "Nama,No HP,Kota,Tags\n"
                                     "Andi,0812-1111-0001,Jakarta,grosir\n"
                                     "Budi,0812-1111-0002,Jakarta,ecer\n"
                                     "Citra,0812-1111-0003,Bandung,grosir\n");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *id = NULL;
  g_autofree char *replied = NULL;
  g_autofree char *no_replies = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  struct { const char *args[5]; const char *phones; } table[] = {
    { { "--where", "group=pelanggan", NULL }, "6281211110001 6281211110002" },
    { { "--where", "group!=Pelanggan", NULL }, "6281211110003" },
    { { "--where", "tag=grosir", "--where", "group=Pelanggan", NULL }, "6281211110001" },
    { { "--where", "tag!=grosir", NULL }, "6281211110002" },
    { { "--where", "whatsapp=unknown", "--where", "kota=bandung", NULL }, "6281211110003" },
    { { "--where", "whatsapp=yes", NULL }, "" },
    { { "--where", "messaged=no", NULL }, "6281211110003" },
    { { "--where", "messaged=yes", NULL }, "6281211110001 6281211110002" },
    { { "--segment", "jakarta", "--where", "messaged!=no", NULL }, "6281211110001 6281211110002" },
  };

  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "import", csv, NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "groups", "add", "Pelanggan", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "groups", "add-members", "Pelanggan", "081211110001",
                            "081211110002", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "templates", "add", "Promo", "Halo {name}, promo!", NULL), ==, 0);

  g_assert_cmpint (run_cli (f, &out, NULL, "segments", "add", "Jakarta", "--where", "kota=Jakarta", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Saved segment “Jakarta”; 2 contacts match it now."));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "segments", "add", "JAKARTA", "--tag", "x", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "already a segment"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "segments", "add", "Kosong", NULL), ==, 2);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "segments", "add", "Salah", "--where", "whatsapp=maybe", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "whatsapp=yes, whatsapp=no or whatsapp=unknown"));
  g_clear_pointer (&err, g_free);

  /* The campaign goes to who matches now and says so. */
  g_assert_cmpint (run_cli (f, &out, NULL, "campaign", "create", "--segment", "jakarta", "--template", "Promo",
                            "--delay", "0", "--batch", "0", "--start", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "for 2 recipients"));
  g_assert_nonnull (strstr (out, "Audience: segment “Jakarta” (kota=Jakarta), evaluated now: 2 contacts matched."));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, NULL, NULL, "run", "--until-idle", "--transport", "loopback", NULL), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      const char **a = table[i].args;
      g_autofree char *phones = listed_phones (f, a);

      g_test_message ("contacts list %s %s %s %s", a[0], a[1], a[2] ? a[2] : "", a[3] ? a[3] : "");
      g_assert_cmpstr (phones, ==, table[i].phones);
    }

  /* A new contact of the segment joins the next campaign, not the first. */
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "add", "081211110009", "--name", "Dodi",
                            "--field", "kota=Jakarta", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "campaign", "create", "--segment", "Jakarta",
                            "--template", "Promo", NULL), ==, 0);
  root = parse_json (out);
  object = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (object, "segment"),
                                               "matched"), ==, 3);
  object = json_object_get_object_member (object, "campaign");
  g_assert_cmpint (json_object_get_int_member (object, "total"), ==, 3);
  id = g_strdup (json_object_get_string_member (object, "id"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (f, &out, NULL, "segments", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "kota=Jakarta"));
  g_assert_nonnull (strstr (out, "3 contacts"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (f, NULL, &err, "contacts", "list", "--where", "group=Nope", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "There is no group “nope”"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, NULL, &err, "contacts", "list", "--where", "replied=Nope", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "There is no campaign “nope”"));
  g_clear_pointer (&err, g_free);
  replied = g_strdup_printf ("replied=%.8s", id);
  no_replies = listed_phones (f, (const char *[]){ "--where", replied, NULL, NULL });
  g_assert_cmpstr (no_replies, ==, "");

  g_assert_cmpint (run_cli (f, NULL, NULL, "segments", "delete", "jakarta", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, &err, "campaign", "create", "--segment", "Jakarta", "--template", "Promo",
                            NULL), ==, 1);
  g_assert_nonnull (strstr (err, "There is no segment named “Jakarta”"));
}

/* Likely duplicates by name are listed, and a merge keeps one contact
 * with both contacts' groups, fields and opt-out. */
static void
test_duplicates_merge (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *csv = write_file (f, "dobel.csv",
                                     "Nama;No HP;Kota;Grup\r\n"
                                     "Ibu Siti Aminah;081211110001;Bandung;Pameran\r\n"
                                     "SITI  AMINAH;081211110002;;Setia\r\n"
                                     "Budi;081211110003;Depok;\r\n");
  g_autofree char *out = NULL;
  g_autofree char *merged_text = NULL;
  g_autofree char *again = NULL;
  g_autofree char *err = NULL;
  g_autofree char *list = NULL;
  g_autoptr(JsonNode) clusters = NULL;
  g_autoptr(JsonNode) merged = NULL;
  g_autoptr(JsonNode) none = NULL;
  g_autoptr(JsonNode) contacts = NULL;
  JsonArray *cluster;
  JsonObject *object;
  JsonArray *groups;

  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "import", csv, NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "opt-out", "081211110002", NULL), ==, 0);

  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "contacts", "duplicates", NULL), ==, 0);
  clusters = parse_json (out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (clusters)), ==, 1);
  cluster = json_array_get_array_element (json_node_get_array (clusters), 0);
  g_assert_cmpuint (json_array_get_length (cluster), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (cluster, 1), "phone"),
                   ==, "6281211110002");

  g_assert_cmpint (run_cli (f, NULL, &err, "contacts", "merge", "081211110001", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, &merged_text, NULL, "--json", "contacts", "merge", "081211110001",
                            "081211110002", "--name", "Siti Aminah", NULL), ==, 0);
  merged = parse_json (merged_text);
  object = json_node_get_object (merged);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "Siti Aminah");
  g_assert_cmpstr (json_object_get_string_member (object, "phone"), ==, "6281211110001");
  g_assert_true (json_object_get_boolean_member (object, "opted_out"));
  groups = json_object_get_array_member (object, "groups");
  g_assert_cmpuint (json_array_get_length (groups), ==, 2);

  g_assert_cmpint (run_cli (f, &list, NULL, "--json", "contacts", "list", NULL), ==, 0);
  contacts = parse_json (list);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (contacts)), ==, 2);
  g_assert_cmpint (run_cli (f, &again, NULL, "--json", "contacts", "duplicates", NULL), ==, 0);
  none = parse_json (again);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (none)), ==, 0);
}

/* Contacts 0812-NNNN-NNNN from @first, @n of them, named by number. */
static char *
write_numbered_csv (Fixture    *f,
                    const char *name,
                    guint       first,
                    guint       n)
{
  g_autoptr(GString) csv = g_string_new ("Nama,Nomor HP,Kota\n");

  for (guint i = first; i < first + n; i++)
    g_string_append_printf (csv, "Pelanggan %u,0812-%04u-%04u,Kota %u\n", i, i / 10000, i % 10000,
                            i % 9);
  return write_file (f, name, csv->str);
}

/* The processor time a process has used, in seconds; -1 once it is gone. */
static double
cpu_seconds (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", g_subprocess_get_identifier (process));
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;

  if (g_subprocess_get_identifier (process) == NULL ||
      !g_file_get_contents (path, &stat, NULL, NULL) ||
      (after_name = strrchr (stat, ')')) == NULL)
    return -1;
  /* From the state on: utime and stime are the 12th and 13th. */
  fields = g_strsplit (after_name + 2, " ", 14);
  if (g_strv_length (fields) < 14)
    return -1;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) /
         sysconf (_SC_CLK_TCK);
}

static gint64
db_int (sqlite3    *db,
        const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* Contacts and their indexes pass SQLite's check, and each membership
 * index holds every membership. SQLite 3.40's check reports the NOT NULL
 * columns of any WITHOUT ROWID table as NULL, so memberships are counted
 * through their indexes instead. */
static void
assert_consistent (sqlite3 *db)
{
  gint64 members = db_int (db, "SELECT count (*) FROM group_members");

  g_assert_cmpint (db_int (db, "SELECT count (*) FROM pragma_integrity_check ('contacts')"
                           " WHERE integrity_check <> 'ok'"), ==, 0);
  g_assert_cmpint (db_int (db, "SELECT count (*) FROM group_members INDEXED BY group_members_contact"
                           " WHERE contact_id > ''"), ==, members);
  g_assert_cmpint (db_int (db, "SELECT count (*) FROM group_members INDEXED BY group_members_id"
                           " WHERE id > ''"), ==, members);
}

/*
 * A large import killed half-way into a folder that has contacts (the
 * computer lost power, the user killed the command): it pauses triggers
 * and drops indexes inside its transaction, so the folder is exactly as
 * before it, with every trigger and index, and the next import into it,
 * with numbers it has, merges and is found by search.
 */
static void
test_import_killed (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *known = write_numbered_csv (f, "known.csv", 0, 300);
  g_autofree char *large = write_numbered_csv (f, "large.csv", 200, 400000);
  g_autofree char *again = write_numbered_csv (f, "again.csv", 250, 1500);
  g_autofree char *db_path = g_build_filename (f->data_dir, "xender-in.db", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GSubprocess) import = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) found = NULL;
  const char *cli = g_getenv ("XI_CLI");
  sqlite3 *db = NULL;
  double cpu;

  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "import", known, "--group", "Lama",
                            "--create-group", NULL), ==, 0);

  /* Killed once it has worked for a while: well inside its transaction,
   * which for 400,000 rows takes many times as long. */
  import = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                             &error, cli, "--data-dir", f->data_dir, "contacts", "import", large,
                             "--group", "Lama", NULL);
  g_assert_no_error (error);
  while ((cpu = cpu_seconds (import)) >= 0 && cpu < 1.5)
    g_usleep (20 * G_TIME_SPAN_MILLISECOND);
  g_subprocess_send_signal (import, SIGKILL);
  g_subprocess_wait (import, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (import));
  g_assert_cmpint (g_subprocess_get_term_sig (import), ==, SIGKILL);

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (db_int (db, "SELECT count (*) FROM contacts"), ==, 300);
  g_assert_cmpint (db_int (db, "SELECT count (*) FROM group_members"), ==, 300);
  g_assert_cmpint (db_int (db, "SELECT count (*) FROM sqlite_schema WHERE"
                           " (type = 'trigger' AND name = 'contacts_search_insert')"
                           " OR (type = 'index' AND name IN ('contacts_order', 'contacts_phone',"
                           "  'group_members_contact', 'group_members_id'))"), ==, 5);
  assert_consistent (db);
  sqlite3_close (db);

  /* 50 numbers it has, 1,450 new ones: a bulk import into a folder that
   * is not empty. */
  g_assert_cmpint (run_cli (f, &out, &err, "--json", "contacts", "import", again, "--group", "Lama",
                            NULL), ==, 0);
  report = parse_json (out);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (report), "imported"), ==, 1450);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (report), "updated"), ==, 50);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "contacts", "list", "--search", "Pelanggan 1749",
                            NULL), ==, 0);
  found = parse_json (out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (found)), ==, 1);

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (db_int (db, "SELECT count (*) FROM contacts"), ==, 1750);
  g_assert_cmpint (db_int (db, "SELECT count (*) FROM group_members"), ==, 1750);
  assert_consistent (db);
  sqlite3_close (db);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/xi/cli/usage", Fixture, NULL, fixture_setup, test_usage, fixture_teardown);
  g_test_add ("/xi/cli/help", Fixture, NULL, fixture_setup, test_help, fixture_teardown);
  g_test_add ("/xi/cli/import-and-list", Fixture, NULL, fixture_setup, test_import_and_list, fixture_teardown);
  g_test_add ("/xi/cli/list-pages", Fixture, NULL, fixture_setup, test_list_pages, fixture_teardown);
  g_test_add ("/xi/cli/list-where", Fixture, NULL, fixture_setup, test_list_where, fixture_teardown);
  g_test_add ("/xi/cli/import-killed", Fixture, NULL, fixture_setup, test_import_killed, fixture_teardown);
  g_test_add ("/xi/cli/import-dry-run", Fixture, NULL, fixture_setup, test_import_dry_run, fixture_teardown);
  g_test_add ("/xi/cli/import-options", Fixture, NULL, fixture_setup, test_import_options, fixture_teardown);
  g_test_add ("/xi/cli/duplicates-merge", Fixture, NULL, fixture_setup, test_duplicates_merge,
              fixture_teardown);
  g_test_add ("/xi/cli/segments", Fixture, NULL, fixture_setup, test_segments, fixture_teardown);
  g_test_add ("/xi/cli/groups-and-errors", Fixture, NULL, fixture_setup, test_groups_and_errors, fixture_teardown);
  g_test_add ("/xi/cli/templates", Fixture, NULL, fixture_setup, test_templates, fixture_teardown);
  g_test_add ("/xi/cli/export-roundtrip", Fixture, NULL, fixture_setup, test_export_roundtrip, fixture_teardown);
  g_test_add ("/xi/cli/campaign-run", Fixture, NULL, fixture_setup, test_campaign_run, fixture_teardown);
  g_test_add ("/xi/cli/campaign-errors", Fixture, NULL, fixture_setup, test_campaign_errors, fixture_teardown);
  g_test_add ("/xi/cli/bad-input", Fixture, NULL, fixture_setup, test_bad_input, fixture_teardown);
  g_test_add ("/xi/cli/campaign-create-report", Fixture, NULL, fixture_setup, test_campaign_create_report,
              fixture_teardown);
  g_test_add ("/xi/cli/private-files", Fixture, NULL, fixture_setup, test_private_files, fixture_teardown);
  g_test_add ("/xi/cli/json-with-debug", Fixture, NULL, fixture_setup, test_json_with_debug,
              fixture_teardown);
  g_test_add ("/xi/cli/open-together", Fixture, NULL, fixture_setup, test_open_together, fixture_teardown);
  g_test_add ("/xi/cli/campaign-states", Fixture, NULL, fixture_setup, test_campaign_states, fixture_teardown);
  g_test_add ("/xi/cli/campaign-delete", Fixture, NULL, fixture_setup, test_campaign_delete, fixture_teardown);

  return g_test_run ();
}
