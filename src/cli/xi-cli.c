/* xi-cli.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "xi-cli.h"
#include "xi-paths.h"
#include "xi-phone.h"
#include "xi-sync-account.h"

/*
 * The command line is a sequential program: each command waits for one
 * store operation before it starts the next. Spinning the default main
 * context until the result arrives is safe here because nothing else is
 * attached to it; the GUI never does this.
 */
GAsyncResult *
xi_cli_wait (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (slot);
}

void
xi_cli_result_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static void
print_error_json (const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  xi_cli_print_json (builder);
}

/*
 * The one rule for the exit status of a failed command, applied here for
 * every error: 2 (usage) when the command itself is malformed — an
 * unknown command or option, a missing argument, an option value that
 * cannot mean anything (G_OPTION_ERROR, wherever it is checked) — and 1
 * when the command is well formed but something in the data or the state
 * must be fixed first. Either way one line says what to do.
 */
int
xi_cli_fail (XiCli        *cli,
             const GError *error)
{
  if (error->domain == G_OPTION_ERROR)
    return xi_cli_usage ("%s", error->message);

  if (cli->json)
    print_error_json (error->message);
  g_printerr ("xender-in-cli: %s\n", error->message);
  return XI_CLI_EXIT_USER_ERROR;
}

/**
 * xi_cli_bad_value:
 * @error: return location for a #GError
 * @cause: (transfer full): why a parser refused an option's value
 *
 * The parsers of option values shared with the app report in their own
 * domain; on the command line the value is part of the command, so its
 * mistake is a malformed command. Moves @cause into %G_OPTION_ERROR.
 *
 * Returns: %FALSE, for use in a condition
 */
gboolean
xi_cli_bad_value (GError **error,
                  GError  *cause)
{
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, cause->message);
  g_error_free (cause);
  return FALSE;
}

/* "--at" accepts times no earlier than now and no later than this: a
 * campaign holds its share of the monthly quota until it starts, so one
 * scheduled years ahead would hold it for good. */
#define START_MAX_DAYS 366

/**
 * xi_cli_parse_start_time:
 * @text: HH:MM (today, or tomorrow once passed) or YYYY-MM-DD HH:MM, local time
 * @unix_time: (out): the time
 * @error: return location for a %G_OPTION_ERROR
 *
 * Reads the value of "--at", refusing a time in the past or more than a
 * year ahead with the reason.
 *
 * Returns: whether @text is such a time
 */
gboolean
xi_cli_parse_start_time (const char  *text,
                         gint64      *unix_time,
                         GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) latest = g_date_time_add_days (now, START_MAX_DAYS);
  g_autoptr(GDateTime) when = NULL;
  int year, month, day, hour = 0, minute = 0;
  char end;

  if (sscanf (text, "%d:%d%c", &hour, &minute, &end) == 2)
    {
      when = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                    g_date_time_get_day_of_month (now), hour, minute, 0);
      if (when != NULL && g_date_time_compare (when, now) < 0)
        {
          GDateTime *tomorrow = g_date_time_add_days (when, 1);

          g_date_time_unref (when);
          when = tomorrow;
        }
    }
  else if (sscanf (text, "%d-%d-%d %d:%d%c", &year, &month, &day, &hour, &minute, &end) == 5)
    when = g_date_time_new_local (year, month, day, hour, minute, 0);

  if (when == NULL || hour > 23 || minute > 59)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not a start time. Write HH:MM, like 08:30, or “2026-12-01 08:30”."), text);
      return FALSE;
    }
  if (g_date_time_compare (when, now) < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is in the past. Give a time still to come, or leave out --at to "
                     "start as soon as the campaign is queued."), text);
      return FALSE;
    }
  if (g_date_time_compare (when, latest) > 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is more than a year ahead; until it starts, a campaign holds its part "
                     "of the monthly quota. Give a time within a year."), text);
      return FALSE;
    }

  *unix_time = g_date_time_to_unix (when);
  return TRUE;
}

/**
 * xi_cli_refuse:
 * @error: return location for a #GError
 * @format: what is wrong with the command, and how to write it
 *
 * For an #XiCliCheckFunc: the command is malformed.
 *
 * Returns: %FALSE, for use in a return
 */
gboolean
xi_cli_refuse (GError     **error,
               const char  *format,
               ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, format, args));
  va_end (args);
  return FALSE;
}

int
xi_cli_fail_message (XiCli      *cli,
                     const char *format,
                     ...)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, message);
  return xi_cli_fail (cli, error);
}

int
xi_cli_usage (const char *format,
              ...)
{
  const char *program = g_get_prgname ();
  g_autofree char *message = NULL;
  g_autofree char *hint = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* Once a command runs, the program's name holds the words typed: its
   * own help says what it takes. */
  if (g_str_equal (program, "xender-in-cli"))
    hint = g_strdup (_("Run “xender-in-cli --help” for the list of commands."));
  else
    /* Translators: the command as typed, such as “xender-in-cli groups delete” */
    hint = g_strdup_printf (_("Run “%s --help” for its options and arguments."), program);
  g_printerr ("%s: %s\n%s\n", program, message, hint);
  return XI_CLI_EXIT_USAGE;
}

const XiCliCommand xi_cli_commands[] = {
  { "contacts",  NULL,             N_("Import, list, add, export and delete contacts"),
    N_("COMMAND [ARGUMENTS…]"), .commands = xi_cli_contacts_commands },
  { "groups",    NULL,             N_("Create groups and manage their members"),
    N_("COMMAND [ARGUMENTS…]"), .commands = xi_cli_groups_commands },
  { "segments",  NULL,             N_("Save contact filters as segments that campaigns can target"),
    N_("COMMAND [ARGUMENTS…]"), .commands = xi_cli_segments_commands },
  { "templates", NULL,             N_("Write message templates and preview them"),
    N_("COMMAND [ARGUMENTS…]"), .commands = xi_cli_templates_commands },
  { "assets",    NULL,             N_("Keep the pictures and documents messages carry"),
    N_("COMMAND [ARGUMENTS…]"), .commands = xi_cli_assets_commands },
  { "campaign",  NULL,             N_("Create campaigns, control them and read their reports"),
    N_("COMMAND [ARGUMENTS…]"), .commands = xi_cli_campaign_commands },
  { "run",       xi_cli_run,       N_("Send queued campaigns until stopped or idle"), NULL,
    0, 0, N_("“run” takes options only."), .flags = XI_CLI_COMMAND_DEAF_TO_OTHERS },
  { "inbox",     xi_cli_inbox,     N_("Read customers' messages, conversation by conversation"), NULL,
    0, 0, N_("Use “inbox”, “inbox show NUMBER” or “inbox save MESSAGE-ID FILE”."),
    xi_cli_inbox_commands },
  { "optout",    NULL,             N_("List the numbers that opted out, or undo an opt-out"),
    N_("COMMAND [ARGUMENTS…]"), .commands = xi_cli_optout_commands },
  { "autoreply", NULL,             N_("Automatic answers to customers' messages"),
    N_("COMMAND [ARGUMENTS…]"), .commands = xi_cli_autoreply_commands },
  { "link",      xi_cli_link,      N_("Link this computer to WhatsApp by scanning a QR code") },
  { "send",      xi_cli_send,      N_("Send one message to one number through the linked WhatsApp"),
    N_("NUMBER TEXT"), 2, 2, N_("“send” takes a number and a text: send NUMBER TEXT [--attach FILE]"),
    .flags = XI_CLI_COMMAND_TEXT_ARGUMENTS },
  { "sync",      xi_cli_sync,      N_("Set up the Supabase project, and send and receive changes"),
    .commands = xi_cli_sync_commands },
  { "login",     xi_cli_login,     N_("Sign in to the project with an email address"), N_("EMAIL"),
    1, 1, N_("Give the account's email address.") },
  { "logout",    xi_cli_logout,    N_("Sign out; the account's data stays on this computer") },
  { "status",    xi_cli_status,    N_("Show the account, what waits to be synced and the quota") },
  { "check",     xi_cli_check,     N_("Ask WhatsApp which numbers have an account (paced, in batches)"),
    N_("[PHONE…]"), 0, XI_CLI_ARGUMENTS_ANY },
  { NULL },
};

/* Opens the signed-in account's own database, else the signed-out one,
 * in the data folder --data-dir names or the default one. */
static int
open_store (XiCli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(XiSyncAccount) account = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *store_dir = NULL;
  g_autofree char *path = NULL;
  GAsyncResult *slot = NULL;

  data_dir = xi_paths_dup_data_dir (cli->data_dir_option, &error);
  if (data_dir == NULL)
    return xi_cli_fail (cli, error);

  account = xi_sync_account_load (data_dir, &error);
  if (account == NULL || (store_dir = xi_sync_account_dup_store_dir (account, &error)) == NULL)
    return xi_cli_fail (cli, error);
  path = xi_paths_dup_store_path (store_dir);
  cli->data_dir = g_steal_pointer (&data_dir);
  cli->store = xi_store_new (path);
  if (cli->command != NULL && (cli->command->flags & XI_CLI_COMMAND_DEAF_TO_OTHERS))
    xi_store_ignore_other_processes (cli->store);
  if (xi_sync_account_get_master_id (account) != NULL)
    xi_store_set_master_user_id (cli->store, xi_sync_account_get_master_id (account));
  xi_store_open_async (cli->store, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if (!xi_store_open_finish (cli->store, result, &error))
    return xi_cli_fail (cli, error);

  return XI_CLI_EXIT_OK;
}

/* Adds @name to the program's name, so that the usage line of
 * "xender-in-cli templates add --help" reads "xender-in-cli templates add
 * [OPTION…] NAME TEXT", the words a user types. */
static void
name_command (const char *name)
{
  g_autofree char *full = g_strdup_printf ("%s %s", g_get_prgname (), name);

  g_set_prgname (full);
}

/* The sub-commands of @command for its help. */
static char *
commands_description (const XiCliCommand *command)
{
  GString *text = g_string_new (_("Commands:"));

  g_string_append_c (text, '\n');
  for (guint i = 0; command->commands[i].name != NULL; i++)
    g_string_append_printf (text, "  %-16s %s\n", command->commands[i].name,
                            _(command->commands[i].summary));
  g_string_append_printf (text, _("Run “%s COMMAND --help” for a command's options and arguments."),
                          g_get_prgname ());
  return g_string_free (text, FALSE);
}

/**
 * xi_cli_context_new:
 * @cli: the CLI, running a command
 *
 * The options of the command that runs: its usage line shows the words
 * typed and its arguments, its help says what it does and, for a group,
 * lists the sub-commands.
 *
 * Returns: (transfer full): a context for the command to add its options to
 */
GOptionContext *
xi_cli_context_new (XiCli *cli)
{
  const XiCliCommand *command = cli->command;
  GOptionContext *context;

  g_return_val_if_fail (command != NULL, NULL);

  context = g_option_context_new (command->arguments != NULL ? _(command->arguments) : NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _(command->summary));
  if (command->commands != NULL)
    {
      g_autofree char *description = commands_description (command);

      g_option_context_set_description (context, description);
    }
  g_option_context_set_ignore_unknown_options (context, (command->flags & XI_CLI_COMMAND_TEXT_ARGUMENTS) != 0);
  return context;
}

/**
 * xi_cli_parse_options:
 * @context: options
 * @argc: (inout): the arguments, the command's name first
 * @argv: (inout): the arguments; the options are taken out
 * @status: (out): the exit status when this fails
 *
 * Parses options, saying what is wrong with them in one line that starts
 * with the command's name and points to its help.
 *
 * Returns: whether they are good
 */
gboolean
xi_cli_parse_options (GOptionContext   *context,
                      int              *argc,
                      char           ***argv,
                      int              *status)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      const char *program = g_get_prgname ();

      /* Translators: the command, what is wrong with its options, the command again */
      g_printerr (_("%s: %s; see “%s --help”.\n"), program, error->message, program);
      *status = XI_CLI_EXIT_USAGE;
      return FALSE;
    }
  return TRUE;
}

/**
 * xi_cli_parse:
 * @cli: the CLI, running a command
 * @context: (nullable): the command's options, from xi_cli_context_new(),
 *   or %NULL when it takes none
 * @argc: (inout): the command's arguments, its name first
 * @argv: (inout): the arguments; the options are taken out
 * @status: (out): the exit status when this fails
 *
 * xi_cli_parse_checked() for a command whose arguments and options the
 * table says all about.
 *
 * Returns: whether the command goes on, its store open
 */
gboolean
xi_cli_parse (XiCli            *cli,
              GOptionContext   *context,
              int              *argc,
              char           ***argv,
              int              *status)
{
  return xi_cli_parse_checked (cli, context, NULL, NULL, argc, argv, status);
}

/* The words typed after the program's name, such as “groups list”. */
static const char *
command_words (void)
{
  const char *program = g_get_prgname ();
  const char *space = strchr (program, ' ');

  return space != NULL ? space + 1 : program;
}

/**
 * xi_cli_parse_checked:
 * @cli: the CLI, running a command
 * @context: (nullable): the command's options, from xi_cli_context_new(),
 *   or %NULL when it takes none
 * @check: (nullable): what the table cannot say about them
 * @options: what @check reads, where @context parses into
 * @argc: (inout): the command's arguments, its name first
 * @argv: (inout): the arguments; the options are taken out
 * @status: (out): the exit status when this fails
 *
 * Parses the options of the command that runs (--help prints the help
 * and exits), refuses as many arguments as its entry in the table does
 * not take, runs @check, and only then opens the store: a malformed
 * command never creates or opens a data folder.
 *
 * Returns: whether the command goes on, its store open
 */
gboolean
xi_cli_parse_checked (XiCli            *cli,
                      GOptionContext   *context,
                      XiCliCheckFunc    check,
                      gpointer          options,
                      int              *argc,
                      char           ***argv,
                      int              *status)
{
  const XiCliCommand *command = cli->command;
  g_autoptr(GOptionContext) own = NULL;
  g_autoptr(GError) error = NULL;
  int given;

  if (context == NULL)
    context = own = xi_cli_context_new (cli);
  if (!xi_cli_parse_options (context, argc, argv, status))
    return FALSE;

  given = *argc - 1;
  if (given < command->min_arguments || given > command->max_arguments)
    {
      if (command->wrong_count != NULL)
        *status = xi_cli_usage ("%s", _(command->wrong_count));
      else
        /* Translators: %s is a command, such as “logout” */
        *status = xi_cli_usage (_("“%s” takes no arguments."), command_words ());
      return FALSE;
    }
  if (check != NULL && !check (*argc, *argv, options, &error))
    {
      *status = xi_cli_fail (cli, error);
      return FALSE;
    }

  *status = open_store (cli);
  return *status == XI_CLI_EXIT_OK;
}

/**
 * xi_cli_run_command:
 * @cli: the CLI
 * @command: the command named by @argv[0]
 * @argc: the command's arguments, its name first
 * @argv: (array length=argc): the arguments
 *
 * Runs @command, or the sub-command its first argument names.
 *
 * Returns: the exit status
 */
int
xi_cli_run_command (XiCli               *cli,
                    const XiCliCommand  *command,
                    int                  argc,
                    char               **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *description = NULL;
  int status;

  name_command (command->name);
  cli->command = command;

  for (guint i = 0; command->commands != NULL && argc >= 2 && command->commands[i].name != NULL; i++)
    if (g_str_equal (argv[1], command->commands[i].name))
      return xi_cli_run_command (cli, &command->commands[i], argc - 1, argv + 1);
  if (command->func != NULL)
    return command->func (cli, argc, argv);

  /* A group with no sub-command named: its help, or what is wrong. */
  context = xi_cli_context_new (cli);
  g_option_context_set_strict_posix (context, TRUE);
  if (!xi_cli_parse_options (context, &argc, &argv, &status))
    return status;
  description = commands_description (command);
  g_printerr ("%s\n%s\n", argc >= 2 ? _("Unknown command.") : _("A command is missing."), description);
  return XI_CLI_EXIT_USAGE;
}

void
xi_cli_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

char *
xi_cli_normalize_phone (XiCli       *cli,
                        const char  *input,
                        GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  char *phone = xi_phone_normalize (input, cli->country_code, &local_error);

  if (phone == NULL)
    g_set_error (error, local_error->domain, local_error->code,
                 "%s: %s", input, local_error->message);
  return phone;
}

GPtrArray *
xi_cli_list_contacts (XiCli   *cli,
                      GError **error)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  xi_store_list_contacts_async (cli->store, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  return xi_store_list_contacts_finish (cli->store, result, error);
}

GPtrArray *
xi_cli_list_groups (XiCli   *cli,
                    GError **error)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  xi_store_list_groups_async (cli->store, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  return xi_store_list_groups_finish (cli->store, result, error);
}

/* The custom fields any contact has, lower case. */
char **
xi_cli_list_custom_fields (XiCli   *cli,
                           GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  xi_store_list_custom_fields_async (cli->store, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  return xi_store_list_custom_fields_finish (cli->store, result, error);
}

/* Groups are named by the user; names are unique ignoring case. */
XiGroup *
xi_cli_find_group (XiCli       *cli,
                   const char  *name,
                   GError     **error)
{
  g_autoptr(GPtrArray) groups = xi_cli_list_groups (cli, error);

  if (groups == NULL)
    return NULL;

  for (guint i = 0; i < groups->len; i++)
    {
      XiGroup *group = g_ptr_array_index (groups, i);

      if (g_ascii_strcasecmp (xi_group_get_name (group), name) == 0)
        return g_object_ref (group);
    }

  g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND,
               _("There is no group named “%s”; “xender-in-cli groups list” shows them."), name);
  return NULL;
}

/* The contacts that @filter chooses, its groups, messages and replies
 * resolved by the store. */
GPtrArray *
xi_cli_filter_contacts (XiCli            *cli,
                        XiContactFilter  *filter,
                        GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  xi_store_filter_contacts_async (cli->store, filter, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  return xi_store_filter_contacts_finish (cli->store, result, error);
}

XiSegment *
xi_cli_find_segment (XiCli       *cli,
                     const char  *name,
                     GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) segments = NULL;
  GAsyncResult *slot = NULL;

  xi_store_list_segments_async (cli->store, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if ((segments = xi_store_list_segments_finish (cli->store, result, error)) == NULL)
    return NULL;

  for (guint i = 0; i < segments->len; i++)
    {
      XiSegment *segment = g_ptr_array_index (segments, i);

      if (g_utf8_collate (segment->name, name) == 0 || g_ascii_strcasecmp (segment->name, name) == 0)
        return xi_segment_copy (segment);
    }

  g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND,
               _("There is no segment named “%s”; “xender-in-cli segments list” shows them."), name);
  return NULL;
}

XiContact *
xi_cli_find_contact (GPtrArray  *contacts,
                     const char *phone)
{
  for (guint i = 0; i < contacts->len; i++)
    {
      XiContact *contact = g_ptr_array_index (contacts, i);

      if (g_strcmp0 (xi_contact_get_phone (contact), phone) == 0)
        return contact;
    }
  return NULL;
}

/* Turns phone numbers typed by the user into contact ids; every number must
 * be a known contact, so a typo never silently does nothing. */
char **
xi_cli_contact_ids_for (XiCli   *cli,
                        int      argc,
                        char   **argv,
                        GError **error)
{
  g_autoptr(GPtrArray) contacts = xi_cli_list_contacts (cli, error);
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();

  if (contacts == NULL)
    return NULL;

  for (int i = 0; i < argc; i++)
    {
      g_autofree char *phone = xi_cli_normalize_phone (cli, argv[i], error);
      XiContact *contact;

      if (phone == NULL)
        return NULL;

      contact = xi_cli_find_contact (contacts, phone);
      if (contact == NULL)
        {
          g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND,
                       _("%s is not a contact."), argv[i]);
          return NULL;
        }
      g_strv_builder_add (ids, xi_contact_get_id (contact));
    }

  return g_strv_builder_end (ids);
}

GPtrArray *
xi_cli_list_templates (XiCli   *cli,
                       GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  xi_store_list_templates_async (cli->store, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  return xi_store_list_templates_finish (cli->store, result, error);
}

XiTemplate *
xi_cli_find_template (XiCli       *cli,
                      const char  *name,
                      GError     **error)
{
  g_autoptr(GPtrArray) templates = xi_cli_list_templates (cli, error);

  if (templates == NULL)
    return NULL;

  for (guint i = 0; i < templates->len; i++)
    {
      XiTemplate *template_ = g_ptr_array_index (templates, i);

      if (g_ascii_strcasecmp (xi_template_get_name (template_), name) == 0)
        return g_object_ref (template_);
    }

  g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND,
               _("There is no template named “%s”; “xender-in-cli templates list” shows them."),
               name);
  return NULL;
}

/* Whether the process owning @name on @bus is @pid. */
static gboolean
bus_name_has_pid (GDBusConnection *bus,
                  const char      *name,
                  GPid             pid)
{
  g_autoptr(GVariant) reply = NULL;
  guint32 owner_pid = 0;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                       g_variant_new ("(s)", name), G_VARIANT_TYPE ("(u)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(u)", &owner_pid);
  return owner_pid == (guint32)pid;
}

/**
 * xi_cli_app_proxy:
 * @cli: the command line
 *
 * The app that runs this folder's engine, on the session bus, so that a
 * command about campaigns takes effect there at once rather than at the
 * engine's next step. Only when the engine lock's holder is the app and
 * is the very process that owns the application id on the bus: another
 * folder's app answers to the same name.
 *
 * Returns: (transfer full) (nullable): the app's io.github.xenderin.XenderIn1,
 *   or %NULL when no app holds this folder's engine (this process may then
 *   hold the lock itself)
 */
XiDbusXenderIn1 *
xi_cli_app_proxy (XiCli *cli)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  XiDbusXenderIn1 *proxy;

  if (cli->engine_lock == NULL)
    cli->engine_lock = xi_engine_lock_new (cli->data_dir, XI_ENGINE_LOCK_KIND_CLI);
  if (xi_engine_lock_is_held (cli->engine_lock) || xi_engine_lock_try_acquire (cli->engine_lock, &error))
    return NULL;
  if (xi_engine_lock_get_holder_kind (cli->engine_lock) != XI_ENGINE_LOCK_KIND_APP)
    return NULL;

  /* Without a session (a server, a cron job) the app cannot be there. */
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL || !bus_name_has_pid (bus, APP_ID, xi_engine_lock_get_holder_pid (cli->engine_lock)))
    return NULL;

  /* GApplication's object path: the id with its dots as slashes. */
  path = g_strconcat ("/", APP_ID, NULL);
  g_strdelimit (path, ".", '/');
  proxy = xi_dbus_xender_in1_proxy_new_sync (bus, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                                  G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS,
                                             APP_ID, path, NULL, &error);
  if (proxy == NULL)
    g_debug ("The app's D-Bus interface is not there: %s", error->message);
  return proxy;
}

/**
 * xi_cli_lock_engine:
 * @cli: the command line
 * @wait: wait for the process that runs the engine to stop, instead of
 *   failing
 *
 * Every command that sends, or connects to WhatsApp, runs the folder's
 * one engine: two would send every message twice. The lock is held
 * until the process ends.
 *
 * Returns: %XI_CLI_EXIT_OK, or the exit status after saying who sends
 */
int
xi_cli_lock_engine (XiCli    *cli,
                    gboolean  wait)
{
  g_autoptr(GError) error = NULL;

  if (cli->engine_lock == NULL)
    cli->engine_lock = xi_engine_lock_new (cli->data_dir, XI_ENGINE_LOCK_KIND_CLI);
  if (xi_engine_lock_try_acquire (cli->engine_lock, &error))
    return XI_CLI_EXIT_OK;
  if (!wait || !g_error_matches (error, XI_ENGINE_LOCK_ERROR, XI_ENGINE_LOCK_ERROR_BUSY))
    return xi_cli_fail (cli, error);

  g_printerr ("xender-in-cli: %s\n", error->message);
  g_printerr ("xender-in-cli: %s\n", _("Waiting until it stops…"));
  g_clear_error (&error);
  if (!xi_engine_lock_acquire_waiting (cli->engine_lock, &error))
    return xi_cli_fail (cli, error);
  return XI_CLI_EXIT_OK;
}

/**
 * xi_cli_app_settings:
 *
 * The GUI's preferences, so both tools behave alike, when its schema is
 * installed.
 *
 * Returns: (transfer full) (nullable): the settings
 */
GSettings *
xi_cli_app_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  return schema != NULL ? g_settings_new_full (schema, NULL, NULL) : NULL;
}
