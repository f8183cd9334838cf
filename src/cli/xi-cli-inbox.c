/* xi-cli-inbox.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-cli-inbox"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-cli.h"
#include "xi-phone.h"
#include "xi-receiver.h"

/* "xender-in-cli inbox", "optout" and "autoreply", and what "run" does
 * with customers' messages. */

#define WAIT_FOR(call, finish) \
  G_STMT_START { \
    GAsyncResult *slot_ = NULL; \
    g_autoptr(GAsyncResult) result_ = NULL; \
    call; \
    result_ = xi_cli_wait (&slot_); \
    finish; \
  } G_STMT_END

/* "2026-11-25T03:04:05.678Z" in local time, to the minute. */
static char *
local_time (const char *iso)
{
  g_autoptr(GDateTime) utc = iso != NULL ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  return local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M") : g_strdup (iso != NULL ? iso : "");
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_bool (JsonBuilder *builder,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

typedef void (*AddJsonFunc) (JsonBuilder *builder,
                             gpointer     item);

static void
print_json_list (GPtrArray   *items,
                 AddJsonFunc  add)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < items->len; i++)
    add (builder, g_ptr_array_index (items, i));
  json_builder_end_array (builder);
  xi_cli_print_json (builder);
}

/* "run": messages that arrive while campaigns go */

static void
run_incoming_cb (XiCampaignRunner *runner,
                 XiIncoming       *incoming,
                 XiCli            *cli)
{
  g_autofree char *phone = xi_phone_format_address (xi_incoming_get_phone (incoming));
  const char *name = xi_incoming_get_contact_name (incoming);
  g_autofree char *who = name != NULL && name[0] != '\0' ? g_strdup_printf ("%s (%s)", name, phone)
                                                         : g_strdup (phone);

  if (cli->json)
    return;
  if (xi_incoming_get_opt_out_keyword (incoming) != NULL)
    /* Translators: %s is a contact's name and number, then the keyword */
    g_print (_("%s opted out by replying “%s”; campaigns will skip this number.\n"),
             who, xi_incoming_get_opt_out_keyword (incoming));
  else
    /* Translators: %s is a contact's name and number */
    g_print (_("New message from %s.\n"), who);
}

/**
 * xi_cli_reply_pacing:
 * @settings: (nullable): the app's settings, %NULL where they are not
 *   installed
 * @min_delay_ms: (out): the campaigns' shortest pause
 * @daily_cap: (out): the user's daily cap on automatic answers
 *
 * How the app paces automatic answers, which the command line follows
 * too: a flood of messages while a command runs, or a peer that answers
 * every answer, must not make the account send without end.
 */
void
xi_cli_reply_pacing (GSettings *settings,
                     guint     *min_delay_ms,
                     guint     *daily_cap)
{
  *min_delay_ms = XI_RECEIVER_DEFAULT_MIN_DELAY_MS;
  *daily_cap = XI_RECEIVER_DEFAULT_DAILY_CAP;
  if (settings == NULL)
    return;
  *min_delay_ms = g_settings_get_uint (settings, "default-delay-min") * 1000;
  *daily_cap = g_settings_get_uint (settings, "auto-reply-daily-cap");
}

/**
 * xi_cli_inbox_attach:
 * @runner: the runner "run" made, not started yet
 *
 * Gives the receiver the user's opt-out keywords and pacing of automatic
 * answers, and reports arriving messages.
 */
void
xi_cli_inbox_attach (XiCli            *cli,
                     XiCampaignRunner *runner)
{
  g_autoptr(GSettings) settings = xi_cli_app_settings ();
  g_auto(GStrv) keywords = NULL;
  guint min_delay_ms, daily_cap;

  if (settings != NULL)
    keywords = g_settings_get_strv (settings, "opt-out-keywords");
  xi_cli_reply_pacing (settings, &min_delay_ms, &daily_cap);
  xi_campaign_runner_set_receiver_settings (runner, (const char * const *)keywords, min_delay_ms, daily_cap);
  g_signal_connect (runner, "incoming", G_CALLBACK (run_incoming_cb), cli);
}

/* "inbox" */

static void
add_conversation_json (JsonBuilder *builder,
                       gpointer     item)
{
  XiConversation *c = item;

  json_builder_begin_object (builder);
  add_string (builder, "phone", xi_conversation_get_phone (c));
  add_string (builder, "contact_id", xi_conversation_get_contact_id (c));
  add_string (builder, "name", xi_conversation_get_contact_name (c));
  add_string (builder, "last_text", xi_conversation_get_last_text (c));
  add_string (builder, "last_received_at", xi_conversation_get_last_received_at (c));
  add_int (builder, "unread", xi_conversation_get_unread_count (c));
  add_int (builder, "messages", xi_conversation_get_message_count (c));
  add_bool (builder, "opted_out", xi_conversation_get_opted_out (c));
  json_builder_end_object (builder);
}

static void
add_incoming_json (JsonBuilder *builder,
                   gpointer     item)
{
  XiIncoming *m = item;

  json_builder_begin_object (builder);
  add_string (builder, "id", xi_incoming_get_message_id (m));
  add_string (builder, "phone", xi_incoming_get_phone (m));
  add_string (builder, "name", xi_incoming_get_contact_name (m));
  add_string (builder, "campaign_id", xi_incoming_get_job_id (m));
  add_string (builder, "text", xi_incoming_get_text (m));
  add_string (builder, "received_at", xi_incoming_get_received_at (m));
  add_bool (builder, "was_read", xi_incoming_get_is_read (m));
  add_string (builder, "opt_out_keyword", xi_incoming_get_opt_out_keyword (m));
  if (xi_incoming_get_media (m) != NULL)
    {
      const XiMediaInfo *media = xi_incoming_get_media (m);

      json_builder_set_member_name (builder, "media");
      json_builder_begin_object (builder);
      add_string (builder, "kind", media->kind);
      add_string (builder, "mimetype", media->mimetype);
      add_string (builder, "file_name", media->file_name);
      add_int (builder, "size", (gint64) media->size);
      add_bool (builder, "downloaded", media->asset_path != NULL);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
}

/**
 * xi_cli_inbox:
 *
 * "inbox" lists the conversations, the newest first; its sub-commands
 * show a conversation's messages, which they mark read, and save the
 * picture or file a message carries, downloading it first if need be.
 */
int
xi_cli_inbox (XiCli  *cli,
              int     argc,
              char  **argv)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;

  WAIT_FOR (xi_store_list_conversations_async (cli->store, NULL, xi_cli_result_cb, &slot_),
            list = xi_store_list_conversations_finish (cli->store, result_, &error));
  if (list == NULL)
    return xi_cli_fail (cli, error);

  if (cli->json)
    {
      print_json_list (list, add_conversation_json);
      return XI_CLI_EXIT_OK;
    }

  for (guint i = 0; i < list->len; i++)
    {
      XiConversation *c = g_ptr_array_index (list, i);
      const char *address = xi_conversation_get_phone (c);
      /* A hidden number's conversation goes by its LID, which
       * "inbox show" takes. */
      gboolean hidden = xi_phone_is_lid (address);
      g_autofree char *phone = hidden ? g_strdup (address) : xi_phone_format_international (address);
      g_autofree char *name = hidden ? xi_phone_format_address (address)
                                     : g_strdup (xi_conversation_get_contact_name (c));
      g_autofree char *when = local_time (xi_conversation_get_last_received_at (c));
      guint unread = xi_conversation_get_unread_count (c);
      g_autofree char *count = unread > 0 ? g_strdup_printf (ngettext ("%u unread", "%u unread", unread),
                                                             unread)
                                          : g_strdup ("");

      g_print ("%-18s  %-20s  %s  %-10s %s%s\n", phone, name != NULL ? name : "",
               when, count, xi_conversation_get_opted_out (c) ? _("(opted out) ") : "",
               xi_conversation_get_last_text (c));
    }
  if (list->len == 0)
    g_print ("%s\n", _("No messages yet."));
  return XI_CLI_EXIT_OK;
}

static int
inbox_show (XiCli  *cli,
            int     argc,
            char  **argv)
{
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) thread = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *display = NULL;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;
  if (argc > 1 && xi_phone_is_lid (argv[1]))
    phone = g_strdup (argv[1]);
  else if ((phone = xi_cli_normalize_phone (cli, argv[1], &error)) == NULL)
    return xi_cli_fail (cli, error);

  WAIT_FOR (xi_store_list_messages_async (cli->store, phone, NULL, xi_cli_result_cb, &slot_),
            messages = xi_store_list_messages_finish (cli->store, result_, &error));
  if (messages == NULL)
    return xi_cli_fail (cli, error);
  WAIT_FOR (xi_store_mark_conversation_read_async (cli->store, phone, NULL, xi_cli_result_cb, &slot_),
            xi_store_mark_conversation_read_finish (cli->store, result_, &error));
  if (error != NULL)
    return xi_cli_fail (cli, error);

  if (cli->json)
    {
      print_json_list (messages, add_incoming_json);
      return XI_CLI_EXIT_OK;
    }

  /* Both sides, as the Inbox shows them: ours with where they stand. */
  WAIT_FOR (xi_store_list_thread_async (cli->store, phone, 0, NULL, xi_cli_result_cb, &slot_),
            thread = xi_store_list_thread_finish (cli->store, result_, &error));
  if (thread == NULL)
    return xi_cli_fail (cli, error);

  display = xi_phone_format_address (phone);
  if (thread->len == 0)
    {
      g_print (_("No messages from %s.\n"), display);
      return XI_CLI_EXIT_OK;
    }
  for (guint i = 0; i < thread->len; i++)
    {
      XiChatMessage *m = g_ptr_array_index (thread, i);
      XiIncoming *incoming = xi_chat_message_get_incoming (m);
      g_autofree char *when = local_time (xi_chat_message_get_time (m));

      if (xi_chat_message_is_ours (m))
        {
          /* Translators: a message we sent, then where it stands, as
           * "Sent", "Delivered" or "Read" */
          g_print (_("%s  You: %s  (%s)\n"), when, xi_chat_message_get_text (m),
                   xi_chat_state_describe (xi_chat_message_get_state (m)));
          continue;
        }
      g_print ("%s  %s\n", when, xi_chat_message_get_text (m));
      if (incoming != NULL && xi_incoming_get_media (incoming) != NULL)
        {
          g_autofree char *name = xi_media_info_dup_display_name (xi_incoming_get_media (incoming));
          g_autofree char *size = g_format_size (xi_incoming_get_media (incoming)->size);

          /* Translators: a file a customer sent, its name and size, then
           * the message id "inbox save" takes */
          g_print (_("                  [%s, %s; inbox save %s FILE]\n"), name, size,
                   xi_incoming_get_message_id (incoming));
        }
      if (xi_chat_message_get_opt_out_keyword (m) != NULL)
        g_print ("                  %s\n", _("(opted out: campaigns skip this number)"));
    }
  return XI_CLI_EXIT_OK;
}

typedef struct
{
  GMainLoop *loop;
  GBytes    *content;
  GError    *error;
} Fetch;

static void
media_fetched_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Fetch *fetch = user_data;

  fetch->content = xi_transport_download_media_finish (XI_TRANSPORT (object), result, &fetch->error);
  g_main_loop_quit (fetch->loop);
}

/* Fetches a message's file over WhatsApp and keeps it as an asset. */
static XiIncoming *
download_media (XiCli       *cli,
                XiIncoming  *incoming,
                int         *status)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_auto(XiCliSession) session = { NULL, };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = NULL;
  XiIncoming *saved = NULL;
  Fetch fetch = { .loop = loop };

  if ((*status = xi_cli_session_open (cli, &session)) != XI_CLI_EXIT_OK)
    return NULL;
  xi_transport_download_media_async (session.transport, xi_incoming_get_media (incoming), NULL,
                                     media_fetched_cb, &fetch);
  g_main_loop_run (loop);
  content = g_steal_pointer (&fetch.content);
  if (content == NULL)
    {
      *status = xi_cli_fail (cli, fetch.error);
      return NULL;
    }
  WAIT_FOR (xi_store_save_incoming_media_async (cli->store, xi_incoming_get_message_id (incoming), content,
                                                NULL, xi_cli_result_cb, &slot_),
            saved = xi_store_save_incoming_media_finish (cli->store, result_, &error));
  if (saved == NULL)
    *status = xi_cli_fail (cli, error);
  return saved;
}

static int
inbox_save (XiCli  *cli,
            int     argc,
            char  **argv)
{
  g_autoptr(XiIncoming) incoming = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) asset = NULL;
  g_autoptr(GFile) target = NULL;
  const XiMediaInfo *media;
  int status = XI_CLI_EXIT_OK;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;

  WAIT_FOR (xi_store_get_incoming_async (cli->store, argv[1], NULL, xi_cli_result_cb, &slot_),
            incoming = xi_store_get_incoming_finish (cli->store, result_, &error));
  if (incoming == NULL)
    return xi_cli_fail (cli, error);
  media = xi_incoming_get_media (incoming);
  if (media == NULL)
    return xi_cli_fail_message (cli, "%s", _("That message has no picture or file to save."));
  if (media->asset_path == NULL)
    {
      XiIncoming *saved = download_media (cli, incoming, &status);

      if (saved == NULL)
        return status;
      g_set_object (&incoming, saved);
      g_object_unref (saved);
      media = xi_incoming_get_media (incoming);
    }

  asset = g_file_new_for_path (media->asset_path);
  target = g_file_new_for_commandline_arg (argv[2]);
  if (!g_file_copy (asset, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error))
    return xi_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autofree char *path = g_file_get_path (target);

      json_builder_begin_object (builder);
      add_string (builder, "saved", path);
      add_string (builder, "mimetype", media->mimetype);
      add_int (builder, "size", (gint64) media->size);
      json_builder_end_object (builder);
      xi_cli_print_json (builder);
    }
  else
    {
      g_autofree char *shown = g_file_get_parse_name (target);

      g_print (_("Saved to %s.\n"), shown);
    }
  return XI_CLI_EXIT_OK;
}

const XiCliCommand xi_cli_inbox_commands[] = {
  { "show", inbox_show, N_("Show the messages from a number and mark them read"), N_("NUMBER"),
    1, 1, N_("Give the number whose messages to show.") },
  { "save", inbox_save, N_("Save the picture or file a customer sent, downloading it if need be"),
    N_("MESSAGE-ID FILE"),
    2, 2, N_("“inbox save” takes a message id and a file: inbox save MESSAGE-ID FILE") },
  { NULL },
};

/* "optout" */

static void
add_suppression_json (JsonBuilder *builder,
                      gpointer     item)
{
  XiSuppression *s = item;

  json_builder_begin_object (builder);
  add_string (builder, "phone", xi_suppression_get_phone (s));
  add_string (builder, "contact_id", xi_suppression_get_contact_id (s));
  add_string (builder, "name", xi_suppression_get_contact_name (s));
  add_string (builder, "source", xi_suppression_get_source (s));
  add_string (builder, "keyword", xi_suppression_get_keyword (s));
  add_string (builder, "created_at", xi_suppression_get_created_at (s));
  json_builder_end_object (builder);
}

static int
optout_list (XiCli  *cli,
             int     argc,
             char  **argv)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;
  WAIT_FOR (xi_store_list_suppressions_async (cli->store, NULL, xi_cli_result_cb, &slot_),
            list = xi_store_list_suppressions_finish (cli->store, result_, &error));
  if (list == NULL)
    return xi_cli_fail (cli, error);

  if (cli->json)
    {
      print_json_list (list, add_suppression_json);
      return XI_CLI_EXIT_OK;
    }

  for (guint i = 0; i < list->len; i++)
    {
      XiSuppression *s = g_ptr_array_index (list, i);
      g_autofree char *phone = xi_phone_format_address (xi_suppression_get_phone (s));
      g_autofree char *when = local_time (xi_suppression_get_created_at (s));
      g_autofree char *how = xi_suppression_get_keyword (s) != NULL
                             ? g_strdup_printf (_("replied “%s”"), xi_suppression_get_keyword (s))
                             : g_strdup (xi_suppression_get_source (s));

      g_print ("%-18s  %-20s  %s  %s\n", phone,
               xi_suppression_get_contact_name (s) != NULL ? xi_suppression_get_contact_name (s) : "",
               when, how);
    }
  if (list->len == 0)
    g_print ("%s\n", _("Nobody has opted out."));
  return XI_CLI_EXIT_OK;
}

static int
optout_undo (XiCli  *cli,
             int     argc,
             char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(GError) error = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *display = NULL;
  gboolean yes = FALSE;
  int status;
  const GOptionEntry entries[] = {
    { "yes", 0, 0, G_OPTION_ARG_NONE, &yes, N_("Confirm that the customer asked for messages again"), NULL },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!xi_cli_parse (cli, context, &argc, &argv, &status))
    return status;
  if ((phone = xi_cli_normalize_phone (cli, argv[1], &error)) == NULL)
    return xi_cli_fail (cli, error);
  if (!yes)
    return xi_cli_fail_message (cli, "%s",
                                _("This lets campaigns message the number again. Do it only when the "
                                  "customer asked for it, and confirm with --yes."));

  WAIT_FOR (xi_store_undo_opt_out_async (cli->store, phone, NULL, xi_cli_result_cb, &slot_),
            xi_store_undo_opt_out_finish (cli->store, result_, &error));
  if (error != NULL)
    return xi_cli_fail (cli, error);

  display = xi_phone_format_international (phone);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      add_string (builder, "phone", phone);
      add_bool (builder, "opted_out", FALSE);
      json_builder_end_object (builder);
      xi_cli_print_json (builder);
    }
  else
    g_print (_("%s may get campaign messages again.\n"), display);
  return XI_CLI_EXIT_OK;
}

const XiCliCommand xi_cli_optout_commands[] = {
  { "list", optout_list, N_("List the numbers that opted out") },
  { "undo", optout_undo, N_("Let a number that opted out get campaigns again (--yes)"), N_("NUMBER"),
    1, 1, N_("Give the number to take off the suppression list.") },
  { NULL },
};

/* "autoreply" */

static GPtrArray *
list_rules (XiCli   *cli,
            GError **error)
{
  GPtrArray *rules = NULL;

  WAIT_FOR (xi_store_list_auto_reply_rules_async (cli->store, NULL, xi_cli_result_cb, &slot_),
            rules = xi_store_list_auto_reply_rules_finish (cli->store, result_, error));
  return rules;
}

static XiAutoReplyRule *
find_rule (XiCli       *cli,
           const char  *name,
           GError     **error)
{
  g_autoptr(GPtrArray) rules = list_rules (cli, error);

  if (rules == NULL)
    return NULL;
  for (guint i = 0; i < rules->len; i++)
    {
      XiAutoReplyRule *rule = g_ptr_array_index (rules, i);
      g_autofree char *a = g_utf8_casefold (xi_auto_reply_rule_get_name (rule), -1);
      g_autofree char *b = g_utf8_casefold (name, -1);

      if (g_str_equal (a, b))
        return g_object_ref (rule);
    }
  g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND,
               _("There is no auto-reply rule called “%s”. See “xender-in-cli autoreply list”."), name);
  return NULL;
}

static void
add_rule_json (JsonBuilder *builder,
               gpointer     item)
{
  XiAutoReplyRule *rule = item;
  const char * const *keywords = xi_auto_reply_rule_get_keywords (rule);
  guint start = 0, end = 0;

  json_builder_begin_object (builder);
  add_string (builder, "id", xi_auto_reply_rule_get_id (rule));
  add_string (builder, "name", xi_auto_reply_rule_get_name (rule));
  add_string (builder, "trigger", xi_auto_reply_rule_get_trigger (rule) == XI_AUTO_REPLY_TRIGGER_ANY
                                  ? "any" : "keyword");
  json_builder_set_member_name (builder, "keywords");
  json_builder_begin_array (builder);
  for (guint i = 0; keywords[i] != NULL; i++)
    json_builder_add_string_value (builder, keywords[i]);
  json_builder_end_array (builder);
  add_string (builder, "reply", xi_auto_reply_rule_get_reply_text (rule));
  add_int (builder, "cooldown_seconds", xi_auto_reply_rule_get_cooldown_seconds (rule));
  json_builder_set_member_name (builder, "hours");
  if (xi_auto_reply_rule_get_hours (rule, &start, &end))
    {
      g_autofree char *hours = g_strdup_printf ("%02u-%02u", start, end);

      json_builder_add_string_value (builder, hours);
    }
  else
    json_builder_add_null_value (builder);
  add_bool (builder, "enabled", xi_auto_reply_rule_get_enabled (rule));
  add_int (builder, "priority", xi_auto_reply_rule_get_priority (rule));
  json_builder_end_object (builder);
}

static int
print_rule (XiCli           *cli,
            XiAutoReplyRule *rule,
            const char      *message)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      add_rule_json (builder, rule);
      xi_cli_print_json (builder);
    }
  else
    g_print ("%s\n", message);
  return XI_CLI_EXIT_OK;
}

static int
autoreply_list (XiCli  *cli,
                int     argc,
                char  **argv)
{
  g_autoptr(GPtrArray) rules = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;
  if ((rules = list_rules (cli, &error)) == NULL)
    return xi_cli_fail (cli, error);

  if (cli->json)
    {
      print_json_list (rules, add_rule_json);
      return XI_CLI_EXIT_OK;
    }

  for (guint i = 0; i < rules->len; i++)
    {
      XiAutoReplyRule *rule = g_ptr_array_index (rules, i);
      g_autofree char *keywords = g_strjoinv (", ", (char **)xi_auto_reply_rule_get_keywords (rule));
      g_autofree char *hours = NULL;
      guint start = 0, end = 0;

      if (xi_auto_reply_rule_get_hours (rule, &start, &end))
        hours = g_strdup_printf ("%02u-%02u", start, end);
      g_print ("%-20s  %-9s  %-30s  %-8s  %s\n", xi_auto_reply_rule_get_name (rule),
               xi_auto_reply_rule_get_enabled (rule) ? _("enabled") : _("disabled"),
               xi_auto_reply_rule_get_trigger (rule) == XI_AUTO_REPLY_TRIGGER_ANY
               ? _("any message") : keywords,
               hours != NULL ? hours : _("any time"),
               xi_auto_reply_rule_get_reply_text (rule));
    }
  if (rules->len == 0)
    g_print ("%s\n", _("No auto-reply rules. Add one with “xender-in-cli autoreply add”."));
  return XI_CLI_EXIT_OK;
}

static gboolean
parse_hours (const char *text,
             int        *start,
             int        *end)
{
  guint64 a = 0, b = 0;
  g_auto(GStrv) parts = g_strsplit (text, "-", 2);

  if (g_strv_length (parts) != 2 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 0, 23, &a, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 0, 24, &b, NULL) || a == b)
    return FALSE;
  *start = a;
  *end = b;
  return TRUE;
}

/* The options of "autoreply add" that its check reads; it reads the
 * hours into @start and @end. */
typedef struct
{
  char     **keywords;
  gboolean   any;
  char      *reply;
  char      *hours;
  int        cooldown;
  int        start;
  int        end;
} RuleOptions;

static void
rule_options_clear (RuleOptions *options)
{
  g_strfreev (options->keywords);
  g_free (options->reply);
  g_free (options->hours);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RuleOptions, rule_options_clear)

static gboolean
check_rule (int        argc,
            char     **argv,
            gpointer   options,
            GError   **error)
{
  RuleOptions *rule = options;

  if (rule->any == (rule->keywords != NULL))
    return xi_cli_refuse (error, "%s", _("Give either --keyword WORD (one or more) or --any."));
  if (rule->reply == NULL)
    return xi_cli_refuse (error, "%s", _("Give the answer with --reply TEXT."));
  if (rule->hours != NULL && !parse_hours (rule->hours, &rule->start, &rule->end))
    return xi_cli_refuse (error, _("“%s” is not a range of hours; write it as 08-17."), rule->hours);
  if (rule->cooldown < -1 || rule->cooldown > 24 * 365)
    return xi_cli_refuse (error, "%s", _("The cooldown is a number of hours, from 0 to 8760."));
  return TRUE;
}

static int
autoreply_add (XiCli  *cli,
               int     argc,
               char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(XiAutoReplyRule) rule = NULL;
  g_autoptr(XiAutoReplyRule) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(RuleOptions) options = { .cooldown = -1, .start = -1, .end = -1 };
  g_autofree char *message = NULL;
  int priority = 0;
  int status;
  const GOptionEntry entries[] = {
    { "keyword", 'k', 0, G_OPTION_ARG_STRING_ARRAY, &options.keywords,
      N_("Answer messages that contain this word or phrase (repeat for more)"), N_("WORD") },
    { "any", 0, 0, G_OPTION_ARG_NONE, &options.any, N_("Answer every message"), NULL },
    { "reply", 'r', 0, G_OPTION_ARG_STRING, &options.reply, N_("The answer"), N_("TEXT") },
    { "cooldown", 0, 0, G_OPTION_ARG_INT, &options.cooldown,
      N_("Answer a number at most once in this many hours (default: 24; never more than three times a day)"), N_("HOURS") },
    { "hours", 0, 0, G_OPTION_ARG_STRING, &options.hours,
      N_("Answer only between these hours, local time, such as 08-17"), N_("FROM-TO") },
    { "priority", 0, 0, G_OPTION_ARG_INT, &priority,
      N_("When several rules match, the highest priority answers (default: 0)"), N_("N") },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!xi_cli_parse_checked (cli, context, check_rule, &options, &argc, &argv, &status))
    return status;

  rule = xi_auto_reply_rule_new (argv[1]);
  xi_auto_reply_rule_set_trigger (rule, options.any ? XI_AUTO_REPLY_TRIGGER_ANY : XI_AUTO_REPLY_TRIGGER_KEYWORD);
  xi_auto_reply_rule_set_keywords (rule, (const char * const *)options.keywords);
  xi_auto_reply_rule_set_reply_text (rule, options.reply);
  if (options.cooldown >= 0)
    xi_auto_reply_rule_set_cooldown_seconds (rule, (guint)options.cooldown * 3600);
  xi_auto_reply_rule_set_hours (rule, options.start, options.end);
  xi_auto_reply_rule_set_priority (rule, priority);

  WAIT_FOR (xi_store_save_auto_reply_rule_async (cli->store, rule, NULL, xi_cli_result_cb, &slot_),
            saved = xi_store_save_auto_reply_rule_finish (cli->store, result_, &error));
  if (saved == NULL)
    return xi_cli_fail (cli, error);

  message = g_strdup_printf (_("Added auto-reply rule “%s”."), xi_auto_reply_rule_get_name (saved));
  return print_rule (cli, saved, message);
}

static int
change_rule (XiCli  *cli,
             int     argc,
             char  **argv,
             int     enable)
{
  g_autoptr(XiAutoReplyRule) rule = NULL;
  g_autoptr(XiAutoReplyRule) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean deleted = FALSE;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;
  if ((rule = find_rule (cli, argv[1], &error)) == NULL)
    return xi_cli_fail (cli, error);

  if (enable < 0)
    {
      WAIT_FOR (xi_store_delete_auto_reply_rule_async (cli->store, xi_auto_reply_rule_get_id (rule),
                                                       NULL, xi_cli_result_cb, &slot_),
                deleted = xi_store_delete_auto_reply_rule_finish (cli->store, result_, &error));
      if (!deleted)
        return xi_cli_fail (cli, error);
      message = g_strdup_printf (_("Deleted auto-reply rule “%s”."), xi_auto_reply_rule_get_name (rule));
      return print_rule (cli, rule, message);
    }

  xi_auto_reply_rule_set_enabled (rule, enable);
  WAIT_FOR (xi_store_save_auto_reply_rule_async (cli->store, rule, NULL, xi_cli_result_cb, &slot_),
            saved = xi_store_save_auto_reply_rule_finish (cli->store, result_, &error));
  if (saved == NULL)
    return xi_cli_fail (cli, error);
  message = g_strdup_printf (enable ? _("Auto-reply rule “%s” is on.") : _("Auto-reply rule “%s” is off."),
                             xi_auto_reply_rule_get_name (saved));
  return print_rule (cli, saved, message);
}

static int
autoreply_delete (XiCli  *cli,
                  int     argc,
                  char  **argv)
{
  return change_rule (cli, argc, argv, -1);
}

static int
autoreply_enable (XiCli  *cli,
                  int     argc,
                  char  **argv)
{
  return change_rule (cli, argc, argv, TRUE);
}

static int
autoreply_disable (XiCli  *cli,
                   int     argc,
                   char  **argv)
{
  return change_rule (cli, argc, argv, FALSE);
}

const XiCliCommand xi_cli_autoreply_commands[] = {
  { "list",    autoreply_list,    N_("List the auto-reply rules in the order they are tried") },
  { "add",     autoreply_add,     N_("Add a rule: --keyword WORD… or --any, --reply TEXT"), N_("NAME"),
    1, 1, N_("Give the name of the new rule.") },
  { "delete",  autoreply_delete,  N_("Delete a rule"), N_("NAME"), 1, 1, N_("Give the name of the rule.") },
  { "enable",  autoreply_enable,  N_("Turn a rule on"), N_("NAME"), 1, 1, N_("Give the name of the rule.") },
  { "disable", autoreply_disable, N_("Turn a rule off"), N_("NAME"), 1, 1, N_("Give the name of the rule.") },
  { NULL },
};
