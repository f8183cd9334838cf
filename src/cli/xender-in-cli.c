/* xender-in-cli.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xender-in-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-cli.h"
#include "xi-paths.h"
#include "xi-phone.h"

/* The default country follows the GUI's preference when its schema is
 * installed, so both tools read local numbers the same way. */
static char *
default_country_code (void)
{
  g_autoptr(GSettings) settings = xi_cli_app_settings ();

  if (settings == NULL)
    return g_strdup ("62");
  return g_settings_get_string (settings, "default-country-code");
}

static char *
commands_summary (void)
{
  GString *s = g_string_new (_("Commands:"));

  g_string_append_c (s, '\n');
  for (guint i = 0; xi_cli_commands[i].name != NULL; i++)
    g_string_append_printf (s, "  %-10s %s\n", xi_cli_commands[i].name, _(xi_cli_commands[i].summary));
  g_string_append (s, _("Run “xender-in-cli COMMAND --help” for the sub-commands."));
  return g_string_free (s, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *country = NULL;
  g_autofree char *summary = NULL;
  gboolean json = FALSE;
  gboolean version = FALSE;
  XiCli cli = { 0 };
  int status;
  const GOptionEntry entries[] = {
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
      N_("Keep the data in DIR instead of the default folder"), N_("DIR") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print machine-readable JSON"), NULL },
    { "country", 'c', 0, G_OPTION_ARG_STRING, &country,
      N_("Country calling code for numbers written in local form (default: 62)"), N_("CODE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { NULL },
  };

  /* Standard output carries the results (--json is parsed by programs):
   * every log line, debug ones included, goes to standard error. */
  g_log_writer_default_set_use_stderr (TRUE);

  xi_paths_init_i18n ();

  context = g_option_context_new (_("COMMAND [ARGUMENTS…]"));
  g_option_context_set_summary (context, _("Xender-In without a display: contacts, groups, templates and campaigns."));
  summary = commands_summary ();
  g_option_context_set_description (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  /* Options after the command name belong to the command. */
  g_option_context_set_strict_posix (context, TRUE);

  if (!xi_cli_parse_options (context, &argc, &argv, &status))
    return status;

  if (version)
    {
      g_print ("xender-in-cli %s\n", PACKAGE_VERSION);
      return XI_CLI_EXIT_OK;
    }

  if (argc < 2)
    return xi_cli_usage ("%s", _("A command is missing."));

  cli.json = json;
  cli.country_code = country != NULL ? g_strdup (country) : default_country_code ();
  if (!xi_phone_is_country_code (cli.country_code))
    {
      /* Typed in this command, or kept in the app's preferences. */
      if (country != NULL)
        status = xi_cli_usage (_("“%s” is not a country calling code (for example 62 or 1)."),
                               cli.country_code);
      else
        status = xi_cli_fail_message (&cli, _("“%s” is not a country calling code (for example 62 or 1)."),
                                      cli.country_code);
      g_free (cli.country_code);
      g_free (cli.data_dir);
      return status;
    }

  cli.data_dir_option = data_dir;
  for (guint i = 0; xi_cli_commands[i].name != NULL; i++)
    {
      if (!g_str_equal (argv[1], xi_cli_commands[i].name))
        continue;

      status = xi_cli_run_command (&cli, &xi_cli_commands[i], argc - 1, argv + 1);

      if (cli.store != NULL)
        {
          xi_store_close (cli.store);
          g_object_unref (cli.store);
        }
      /* Only once the engine's last write is on disk. */
      g_clear_object (&cli.engine_lock);
      g_free (cli.country_code);
      g_free (cli.data_dir);
      return status;
    }

  g_free (cli.country_code);
  return xi_cli_usage (_("Unknown command “%s”."), argv[1]);
}
