/* xi-cli-sync.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "xi-cli.h"
#include "xi-store-sync.h"
#include "xi-supabase-client.h"
#include "xi-sync-account.h"
#include "xi-sync-engine.h"
#include "xi-sync-error.h"

/* `sync configure`, `login`, `logout`, `status` and `sync`: the account
 * and sync, headless. Sign-in state lives in the data folder's sync.ini
 * (xi-sync-account.c); the session in the account folder's secret store. */

#define PERIODIC_PULL_SECONDS 60

/* Auxiliary methods */

static XiSyncAccount *
load_account (XiCli   *cli,
              GError **error)
{
  return xi_sync_account_load (cli->data_dir, error);
}

static XiSupabaseClient *
account_client (XiSyncAccount  *account,
                XiSecretStore  *secrets,
                GError        **error)
{
  if (xi_sync_account_get_project_url (account) == NULL)
    {
      g_set_error_literal (error, XI_SYNC_ERROR, XI_SYNC_ERROR_INVALID_ARGUMENT,
                           _("No project is configured: run “xender-in-cli sync configure URL KEY”."));
      return NULL;
    }
  return xi_supabase_client_new (xi_sync_account_get_project_url (account),
                                 xi_sync_account_get_anon_key (account), secrets, error);
}

/* The signed-in account's client with its session back, using the
 * store of the account folder this process opened. */
static XiSupabaseClient *
restore_client (XiCli          *cli,
                XiSyncAccount  *account,
                GError        **error)
{
  g_autoptr(XiSupabaseClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  if (xi_sync_account_get_user_id (account) == NULL)
    {
      g_set_error_literal (error, XI_SYNC_ERROR, XI_SYNC_ERROR_NOT_SIGNED_IN,
                           _("Nobody is signed in: run “xender-in-cli login EMAIL”."));
      return NULL;
    }
  client = account_client (account, xi_store_get_secret_store (cli->store), error);
  if (client == NULL)
    return NULL;
  xi_supabase_client_restore_async (client, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if (!xi_supabase_client_restore_finish (client, result, error))
    return NULL;
  return g_steal_pointer (&client);
}

/* Reads the password: from the terminal without echo, or the first line
 * of standard input when it is not a terminal (scripts, pipes). */
static char *
read_password (GError **error)
{
  g_autofree char *line = NULL;
  struct termios saved, quiet;
  gboolean terminal = isatty (STDIN_FILENO);
  size_t size = 0;
  ssize_t length;

  if (terminal)
    {
      g_printerr ("%s", _("Password: "));
      if (tcgetattr (STDIN_FILENO, &saved) != 0)
        terminal = FALSE;
      else
        {
          quiet = saved;
          quiet.c_lflag &= ~(tcflag_t) ECHO;
          tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
        }
    }
  length = getline (&line, &size, stdin);
  if (terminal)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }
  if (length <= 0)
    {
      g_set_error_literal (error, XI_SYNC_ERROR, XI_SYNC_ERROR_INVALID_ARGUMENT,
                           _("No password was given."));
      return NULL;
    }
  line[strcspn (line, "\r\n")] = '\0';
  return g_steal_pointer (&line);
}

static void
wipe_password (char *password)
{
  if (password != NULL)
    memset (password, 0, strlen (password));
  g_free (password);
}

typedef char *XiCliPassword;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (XiCliPassword, wipe_password, NULL)

/* Commands */

static int
sync_configure (XiCli  *cli,
                int     argc,
                char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(XiSyncAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!xi_cli_parse (cli, context, &argc, &argv, &status))
    return status;

  account = load_account (cli, &error);
  if (account == NULL || !xi_sync_account_configure (account, argv[1], argv[2], &error))
    return xi_cli_fail (cli, error);
  g_print (_("Sync is set up with %s. Sign in with “xender-in-cli login EMAIL”.\n"),
           xi_sync_account_get_project_url (account));
  return XI_CLI_EXIT_OK;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
wake_cb (gpointer user_data)
{
  gboolean *due = user_data;

  *due = TRUE;
  return G_SOURCE_REMOVE;
}

static void
print_stats (XiCli             *cli,
             const XiSyncStats *stats)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "pushed");
      json_builder_add_int_value (builder, stats->pushed);
      json_builder_set_member_name (builder, "refused");
      json_builder_add_int_value (builder, stats->refused);
      json_builder_set_member_name (builder, "skipped");
      json_builder_add_int_value (builder, stats->skipped);
      json_builder_set_member_name (builder, "pulled");
      json_builder_add_int_value (builder, stats->pulled);
      json_builder_set_member_name (builder, "restored");
      json_builder_add_int_value (builder, stats->restored);
      json_builder_end_object (builder);
      xi_cli_print_json (builder);
      return;
    }
  g_print (_("Sent %u changes, received %u.\n"), stats->pushed, stats->pulled);
  if (stats->refused > 0)
    g_print (ngettext ("The server refused %u change; see “xender-in-cli status”.\n",
                       "The server refused %u changes; see “xender-in-cli status”.\n",
                       stats->refused), stats->refused);
  if (stats->restored > 0)
    {
      g_autofree char *restored = xi_sync_stats_describe_restored (stats);

      g_print ("%s\n", restored);
    }
}

/**
 * xi_cli_sync:
 * @cli: the CLI
 * @argc: arguments after “sync”
 * @argv: (array length=argc): the arguments
 *
 * `sync [--once]` sends and receives changes; the sub-commands
 * (`sync configure URL KEY`, `sync refused`, `sync retry|discard ID`)
 * are in #xi_cli_sync_commands.
 *
 * Returns: the exit status
 */
int
xi_cli_sync (XiCli  *cli,
             int     argc,
             char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(XiSyncAccount) account = NULL;
  g_autoptr(XiSupabaseClient) client = NULL;
  g_autoptr(XiSyncEngine) engine = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gboolean once = FALSE;
  guint attempts = 0;
  guint sigint, sigterm;
  int status;
  const GOptionEntry entries[] = {
    { "once", 0, 0, G_OPTION_ARG_NONE, &once, N_("Send and receive what is due, then stop"), NULL },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!xi_cli_parse (cli, context, &argc, &argv, &status))
    return status;

  account = load_account (cli, &error);
  if (account == NULL || (client = restore_client (cli, account, &error)) == NULL)
    return xi_cli_fail (cli, error);
  engine = xi_sync_engine_new (cli->store, client);

  sigint = g_unix_signal_add (SIGINT, quit_cb, cancellable);
  sigterm = g_unix_signal_add (SIGTERM, quit_cb, cancellable);
  status = XI_CLI_EXIT_OK;
  while (!g_cancellable_is_cancelled (cancellable))
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) pass_error = NULL;
      GAsyncResult *slot = NULL;
      XiSyncStats stats;
      gboolean due = FALSE;
      guint wait;

      xi_sync_engine_run_once_async (engine, cancellable, xi_cli_result_cb, &slot);
      result = xi_cli_wait (&slot);
      if (xi_sync_engine_run_once_finish (engine, result, &stats, &pass_error))
        {
          attempts = 0;
          wait = PERIODIC_PULL_SECONDS;
          if (once)
            {
              print_stats (cli, &stats);
              break;
            }
        }
      else if (g_error_matches (pass_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        break;
      else if (once || !xi_sync_error_is_transient (pass_error))
        {
          status = xi_cli_fail (cli, pass_error);
          break;
        }
      else
        {
          wait = xi_sync_engine_backoff_seconds (attempts++,
                                                 xi_sync_error_get_retry_after (pass_error));
          /* A pass of the app's on this folder is no network fault. */
          if (g_error_matches (pass_error, XI_SYNC_ERROR, XI_SYNC_ERROR_BUSY))
            g_printerr ("%s.\n", pass_error->message);
          else
            g_printerr (_("Offline (%s); trying again in %u s.\n"), pass_error->message, wait);
        }

      g_timeout_add_seconds (wait, wake_cb, &due);
      while (!due && !g_cancellable_is_cancelled (cancellable))
        g_main_context_iteration (NULL, TRUE);
      if (!due)
        g_source_remove_by_user_data (&due);
    }
  g_source_remove (sigint);
  g_source_remove (sigterm);
  return status;
}

static int
sync_refused (XiCli  *cli,
              int     argc,
              char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) dead = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  int status;

  if (!xi_cli_parse (cli, context, &argc, &argv, &status))
    return status;
  xi_store_sync_list_dead_async (cli->store, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  dead = xi_store_sync_list_dead_finish (cli->store, result, &error);
  if (dead == NULL)
    return xi_cli_fail (cli, error);
  g_ptr_array_set_free_func (dead, (GDestroyNotify) xi_sync_op_free);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < dead->len; i++)
        {
          XiSyncOp *op = g_ptr_array_index (dead, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, op->op_id);
          json_builder_set_member_name (builder, "table");
          json_builder_add_string_value (builder, op->table_name);
          json_builder_set_member_name (builder, "row");
          json_builder_add_string_value (builder, op->row_id);
          json_builder_set_member_name (builder, "reason");
          json_builder_add_string_value (builder, op->last_error);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      xi_cli_print_json (builder);
      return XI_CLI_EXIT_OK;
    }
  if (dead->len == 0)
    g_print ("%s\n", _("The server refused no change."));
  for (guint i = 0; i < dead->len; i++)
    {
      XiSyncOp *op = g_ptr_array_index (dead, i);

      g_print ("%s  %s  %s\n", op->op_id, op->table_name,
               op->last_error != NULL ? op->last_error : "");
    }
  return XI_CLI_EXIT_OK;
}

#define ONE_OR_ALL N_("Give the id of a refused change (see “sync refused”), or --all.")

/* A refused change is named by its id or, all of them, by --all; @options
 * points to whether --all is given. */
static gboolean
check_one_or_all (int        argc,
                  char     **argv,
                  gpointer   options,
                  GError   **error)
{
  gboolean all = *(gboolean *)options;

  if (all == (argc == 2))
    return xi_cli_refuse (error, "%s", _(ONE_OR_ALL));
  return TRUE;
}

static int
resolve_refused (XiCli            *cli,
                 int               argc,
                 char            **argv,
                 XiSyncDeadAction  action)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  gboolean all = FALSE;
  guint resolved;
  int status;
  const GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Every refused change"), NULL },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!xi_cli_parse_checked (cli, context, check_one_or_all, &all, &argc, &argv, &status))
    return status;

  xi_store_sync_resolve_dead_async (cli->store, all ? NULL : argv[1], action, NULL,
                                    xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  resolved = xi_store_sync_resolve_dead_finish (cli->store, result, &error);
  if (error != NULL)
    return xi_cli_fail (cli, error);
  if (resolved == 0)
    return xi_cli_fail_message (cli, "%s", _("No refused change has that id."));
  g_print (action == XI_SYNC_DEAD_RETRY
           ? ngettext ("%u change will be sent again.\n", "%u changes will be sent again.\n", resolved)
           : ngettext ("%u change discarded; the server's copy stays.\n",
                       "%u changes discarded; the server's copy stays.\n", resolved),
           resolved);
  return XI_CLI_EXIT_OK;
}

static int
sync_retry (XiCli  *cli,
            int     argc,
            char  **argv)
{
  return resolve_refused (cli, argc, argv, XI_SYNC_DEAD_RETRY);
}

static int
sync_discard (XiCli  *cli,
              int     argc,
              char  **argv)
{
  return resolve_refused (cli, argc, argv, XI_SYNC_DEAD_DISCARD);
}

const XiCliCommand xi_cli_sync_commands[] = {
  { "configure", sync_configure, N_("Set the Supabase project: its URL and anon key"), N_("URL ANON-KEY"),
    2, 2, N_("Give the project URL and its anon key, as shown in the project's API settings.") },
  { "refused",   sync_refused,   N_("List the changes the server refused, with its reasons") },
  { "retry",     sync_retry,     N_("Send a refused change again"), N_("ID|--all"),
    0, 1, ONE_OR_ALL },
  { "discard",   sync_discard,   N_("Drop a refused change and keep the server's copy"), N_("ID|--all"),
    0, 1, ONE_OR_ALL },
  { NULL },
};

/**
 * xi_cli_login:
 * @cli: the CLI
 * @argc: arguments after “login”
 * @argv: (array length=argc): the arguments
 *
 * `login EMAIL`: signs in with the password from the terminal or stdin.
 *
 * Returns: the exit status
 */
int
xi_cli_login (XiCli  *cli,
              int     argc,
              char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(XiSyncAccount) account = NULL;
  g_autoptr(XiSupabaseClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(XiCliPassword) password = NULL;
  gboolean sign_up = FALSE;
  gboolean needs_confirmation = FALSE;
  GAsyncResult *slot = NULL;
  int status;
  const GOptionEntry entries[] = {
    { "new", 0, 0, G_OPTION_ARG_NONE, &sign_up, N_("Create the account first"), NULL },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!xi_cli_parse (cli, context, &argc, &argv, &status))
    return status;

  account = load_account (cli, &error);
  if (account == NULL || (client = account_client (account, NULL, &error)) == NULL)
    return xi_cli_fail (cli, error);
  if (xi_sync_account_get_user_id (account) != NULL)
    return xi_cli_fail_message (cli, _("%s is signed in: run “xender-in-cli logout” first."),
                                xi_sync_account_get_email (account));
  if ((password = read_password (&error)) == NULL)
    return xi_cli_fail (cli, error);

  xi_sync_account_sign_in_async (account, argv[1], password, sign_up, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if (!xi_sync_account_sign_in_finish (account, result, &needs_confirmation, &error))
    return xi_cli_fail (cli, error);
  if (needs_confirmation)
    {
      g_print (_("Open the link in the mail sent to %s, then sign in.\n"), argv[1]);
      return XI_CLI_EXIT_OK;
    }
  g_print (_("Signed in as %s.\n"), xi_sync_account_get_email (account));
  return XI_CLI_EXIT_OK;
}

/**
 * xi_cli_logout:
 * @cli: the CLI
 * @argc: arguments after “logout”
 * @argv: (array length=argc): the arguments
 *
 * Ends this computer's session; the account's data stays in its folder
 * and comes back on the next sign-in.
 *
 * Returns: the exit status
 */
int
xi_cli_logout (XiCli  *cli,
               int     argc,
               char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(XiSyncAccount) account = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  int status;

  if (!xi_cli_parse (cli, context, &argc, &argv, &status))
    return status;
  account = load_account (cli, &error);
  if (account == NULL)
    return xi_cli_fail (cli, error);
  xi_sync_account_sign_out_async (account, xi_store_get_secret_store (cli->store), NULL,
                                  xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if (!xi_sync_account_sign_out_finish (account, result, &error))
    return xi_cli_fail (cli, error);
  g_print ("%s\n", _("Signed out. The account's data stays on this computer for the next sign-in."));
  return XI_CLI_EXIT_OK;
}

/* Status: the account's allowance, what campaigns hold of it and the
 * payments, as last pulled from the server (so also offline). Kept apart
 * from the rest of `status` so that other sections can join it. */
typedef struct
{
  JsonArray *quotas;
  JsonArray *reservations;
  JsonArray *payments;
} ServerAccount;

static void
server_account_clear (ServerAccount *account)
{
  g_clear_pointer (&account->quotas, json_array_unref);
  g_clear_pointer (&account->reservations, json_array_unref);
  g_clear_pointer (&account->payments, json_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ServerAccount, server_account_clear)

static JsonArray *
list_server_rows (XiCli       *cli,
                  const char  *table,
                  GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  xi_store_sync_list_server_rows_async (cli->store, table, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  return xi_store_sync_list_server_rows_finish (cli->store, result, error);
}

static gboolean
load_server_account (XiCli          *cli,
                     ServerAccount  *account,
                     GError        **error)
{
  return (account->quotas = list_server_rows (cli, "user_quotas", error)) != NULL &&
         (account->reservations = list_server_rows (cli, "quota_reservations", error)) != NULL &&
         (account->payments = list_server_rows (cli, "payments", error)) != NULL;
}

static gint64
row_int (JsonObject *row,
         const char *name)
{
  JsonNode *node = json_object_get_member (row, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_int (node) : 0;
}

/* The account's one quota row as status shows it, or NULL before the
 * first sync. */
static JsonObject *
server_quota (ServerAccount *account)
{
  JsonObject *row;
  JsonObject *quota;
  gint64 limit, used, held;

  if (json_array_get_length (account->quotas) == 0)
    return NULL;
  row = json_array_get_object_element (account->quotas, 0);
  limit = row_int (row, "messages_limit");
  used = row_int (row, "messages_used");
  held = row_int (row, "messages_reserved");
  quota = json_object_new ();
  json_object_set_string_member (quota, "plan",
                                 json_object_get_string_member_with_default (row, "plan", NULL));
  json_object_set_int_member (quota, "limit", limit);
  json_object_set_int_member (quota, "used", used);
  json_object_set_int_member (quota, "reserved", held);
  json_object_set_int_member (quota, "available", MAX (limit - used - held, 0));
  json_object_set_string_member (quota, "period_start",
                                 json_object_get_string_member_with_default (row, "period_start",
                                                                             NULL));
  json_object_set_string_member (quota, "period_end",
                                 json_object_get_string_member_with_default (row, "period_end",
                                                                             NULL));
  return quota;
}

static guint
pending_reservations (ServerAccount *account)
{
  guint pending = 0;

  for (guint i = 0; i < json_array_get_length (account->reservations); i++)
    if (g_strcmp0 (json_object_get_string_member_with_default (
                     json_array_get_object_element (account->reservations, i), "status", NULL),
                   "pending") == 0)
      pending++;
  return pending;
}

static void
add_server_account (JsonBuilder   *builder,
                    ServerAccount *account)
{
  g_autoptr(JsonObject) quota = server_quota (account);

  json_builder_set_member_name (builder, "quota");
  if (quota != NULL)
    {
      JsonNode *node = json_node_new (JSON_NODE_OBJECT);

      json_object_set_int_member (quota, "reservations", pending_reservations (account));
      json_node_set_object (node, quota);
      json_builder_add_value (builder, node);
    }
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "payments");
  json_builder_begin_array (builder);
  for (guint i = 0; i < json_array_get_length (account->payments); i++)
    {
      JsonObject *row = json_array_get_object_element (account->payments, i);
      const char *fields[] = { "order_id", "amount", "currency", "messages", "status",
                               "paid_at", NULL };

      json_builder_begin_object (builder);
      for (guint j = 0; fields[j] != NULL; j++)
        {
          JsonNode *value = json_object_get_member (row, fields[j]);

          json_builder_set_member_name (builder, fields[j]);
          if (value != NULL)
            json_builder_add_value (builder, json_node_copy (value));
          else
            json_builder_add_null_value (builder);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
print_server_account (ServerAccount *account)
{
  g_autoptr(JsonObject) quota = server_quota (account);
  g_autofree char *used = NULL;
  g_autofree char *limit = NULL;
  g_autofree char *held = NULL;
  g_autofree char *available = NULL;
  guint paid = 0;

  if (quota == NULL)
    return;
  used = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (quota, "used"));
  limit = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (quota, "limit"));
  held = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (quota, "reserved"));
  available = g_strdup_printf ("%" G_GINT64_FORMAT,
                               json_object_get_int_member (quota, "available"));
  /* TRANSLATORS: "Quota: 120 of 500 messages used, 30 held by campaigns,
   * 350 available (plan free)" */
  g_print (_("Quota: %s of %s messages used, %s held by campaigns, %s available (plan %s)\n"),
           used, limit, held, available,
           json_object_get_string_member_with_default (quota, "plan", "?"));
  for (guint i = 0; i < json_array_get_length (account->payments); i++)
    {
      JsonObject *row = json_array_get_object_element (account->payments, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (row, "status", NULL), "paid") == 0)
        paid++;
    }
  if (json_array_get_length (account->payments) > 0)
    g_print (ngettext ("Payments: %u paid of %u\n", "Payments: %u paid of %u\n",
                       json_array_get_length (account->payments)),
             paid, json_array_get_length (account->payments));
}

/**
 * xi_cli_status:
 * @cli: the CLI
 * @argc: arguments after “status”
 * @argv: (array length=argc): the arguments
 *
 * Prints the project, who is signed in, whether the server answers, what
 * waits to be synced and the message quota.
 *
 * Returns: the exit status
 */
int
xi_cli_status (XiCli  *cli,
               int     argc,
               char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(XiSyncAccount) account = NULL;
  g_autoptr(XiSupabaseClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) connection_error = NULL;
  g_auto(ServerAccount) server = { NULL, };
  XiSyncCounts counts = { 0, };
  GAsyncResult *slot = NULL;
  int status;

  if (!xi_cli_parse (cli, context, &argc, &argv, &status))
    return status;
  account = load_account (cli, &error);
  if (account == NULL)
    return xi_cli_fail (cli, error);

  xi_store_sync_get_counts_async (cli->store, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if (!xi_store_sync_get_counts_finish (cli->store, result, &counts, &error))
    return xi_cli_fail (cli, error);
  g_clear_object (&result);

  if (!load_server_account (cli, &server, &error))
    return xi_cli_fail (cli, error);
  if (xi_sync_account_get_user_id (account) != NULL)
    client = restore_client (cli, account, &connection_error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "project");
      json_builder_add_string_value (builder, xi_sync_account_get_project_url (account));
      json_builder_set_member_name (builder, "email");
      json_builder_add_string_value (builder, xi_sync_account_get_email (account));
      json_builder_set_member_name (builder, "signed_in");
      json_builder_add_boolean_value (builder, xi_sync_account_get_user_id (account) != NULL);
      json_builder_set_member_name (builder, "online");
      json_builder_add_boolean_value (builder, client != NULL && connection_error == NULL);
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, connection_error != NULL ? connection_error->message : NULL);
      json_builder_set_member_name (builder, "pending");
      json_builder_add_int_value (builder, counts.pending);
      json_builder_set_member_name (builder, "refused");
      json_builder_add_int_value (builder, counts.dead);
      json_builder_set_member_name (builder, "conflicts");
      json_builder_add_int_value (builder, counts.conflicts);
      add_server_account (builder, &server);
      if (!xi_cli_whatsapp_status (cli, builder, &error))
        return xi_cli_fail (cli, error);
      json_builder_end_object (builder);
      xi_cli_print_json (builder);
      return XI_CLI_EXIT_OK;
    }

  if (xi_sync_account_get_project_url (account) == NULL)
    g_print ("%s\n", _("Sync: not set up (xender-in-cli sync configure URL KEY)"));
  else
    g_print (_("Project: %s\n"), xi_sync_account_get_project_url (account));
  if (xi_sync_account_get_user_id (account) == NULL)
    g_print ("%s\n", _("Account: nobody is signed in; the data stays on this computer"));
  else if (connection_error != NULL)
    g_print (_("Account: %s (%s)\n"), xi_sync_account_get_email (account), connection_error->message);
  else
    g_print (_("Account: %s, connected\n"), xi_sync_account_get_email (account));
  g_print (ngettext ("Changes: %u waiting to be sent", "Changes: %u waiting to be sent",
                     counts.pending), counts.pending);
  if (counts.dead > 0)
    g_print (ngettext (", %u refused by the server", ", %u refused by the server", counts.dead),
             counts.dead);
  if (counts.conflicts > 0)
    g_print (ngettext (", %u deleted on another computer while edited here",
                       ", %u deleted on another computer while edited here", counts.conflicts),
             counts.conflicts);
  g_print ("\n");
  print_server_account (&server);
  if (!xi_cli_whatsapp_status (cli, NULL, &error))
    return xi_cli_fail (cli, error);
  return XI_CLI_EXIT_OK;
}
