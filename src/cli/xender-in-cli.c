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
#include "xi-sync-account.h"
#include "xi-phone.h"

static const XiCliCommand top_commands[] = {
  { "contacts",  xi_cli_contacts,  N_("Import, list, add, export and delete contacts") },
  { "groups",    xi_cli_groups,    N_("Create groups and manage their members") },
  { "segments",  xi_cli_segments,  N_("Save contact filters as segments that campaigns can target") },
  { "templates", xi_cli_templates, N_("Write message templates and preview them") },
  { "assets",    xi_cli_assets,    N_("Keep the pictures and documents messages carry") },
  { "campaign",  xi_cli_campaign,  N_("Create campaigns, control them and read their reports") },
  { "run",       xi_cli_run,       N_("Send queued campaigns until stopped or idle") },
  { "inbox",     xi_cli_inbox,     N_("Read customers' messages, conversation by conversation") },
  { "optout",    xi_cli_optout,    N_("List the numbers that opted out, or undo an opt-out") },
  { "autoreply", xi_cli_autoreply, N_("Automatic answers to customers' messages") },
  { "link",      xi_cli_link,      N_("Link this computer to WhatsApp by scanning a QR code") },
  { "send",      xi_cli_send,      N_("Send one message to one number through the linked WhatsApp") },
  { "sync",      xi_cli_sync,      N_("Set up the Supabase project, and send and receive changes") },
  { "login",     xi_cli_login,     N_("Sign in to the project with an email address") },
  { "logout",    xi_cli_logout,    N_("Sign out; the account's data stays on this computer") },
  { "status",    xi_cli_status,    N_("Show the account, what waits to be synced and the quota") },
  { "check",     xi_cli_check,     N_("Ask WhatsApp which numbers have an account (paced, in batches)") },
  { NULL },
};

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

static int
open_store (XiCli      *cli,
            const char *data_dir_option)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(XiSyncAccount) account = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *store_dir = NULL;
  g_autofree char *path = NULL;
  GAsyncResult *slot = NULL;

  data_dir = xi_paths_dup_data_dir (data_dir_option, &error);
  if (data_dir == NULL)
    return xi_cli_fail (cli, error);

  /* The signed-in account's own database, else the signed-out one. */
  account = xi_sync_account_load (data_dir, &error);
  if (account == NULL || (store_dir = xi_sync_account_dup_store_dir (account, &error)) == NULL)
    return xi_cli_fail (cli, error);
  path = xi_paths_dup_store_path (store_dir);
  cli->data_dir = g_strdup (data_dir);
  cli->store = xi_store_new (path);
  if (xi_sync_account_get_master_id (account) != NULL)
    xi_store_set_master_user_id (cli->store, xi_sync_account_get_master_id (account));
  xi_store_open_async (cli->store, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if (!xi_store_open_finish (cli->store, result, &error))
    return xi_cli_fail (cli, error);

  return XI_CLI_EXIT_OK;
}

static char *
commands_summary (void)
{
  GString *s = g_string_new (_("Commands:"));

  g_string_append_c (s, '\n');
  for (guint i = 0; top_commands[i].name != NULL; i++)
    g_string_append_printf (s, "  %-10s %s\n", top_commands[i].name, _(top_commands[i].summary));
  g_string_append (s, _("Run “xender-in-cli COMMAND --help” for the sub-commands."));
  return g_string_free (s, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
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

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return xi_cli_usage ("%s", error->message);

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

  for (guint i = 0; top_commands[i].name != NULL; i++)
    {
      if (!g_str_equal (argv[1], top_commands[i].name))
        continue;

      status = open_store (&cli, data_dir);
      if (status == XI_CLI_EXIT_OK)
        status = top_commands[i].func (&cli, argc - 1, argv + 1);

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
