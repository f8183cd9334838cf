/* xi-cli-whatsapp.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-cli-whatsapp"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "wa-account-status.h"
#include "wa-client-payload.h"
#include "wa-error.h"
#include "wa-jid.h"
#include "wa-media.h"
#include "wa-pairing.h"
#include "xi-cli.h"
#include "xi-connection.h"
#include "xi-key-store.h"
#include "xi-limits.h"
#include "xi-message-id.h"
#include "xi-phone.h"
#include "xi-receiver.h"
#include "xi-wa-endpoint.h"
#include "xi-whatsapp-transport.h"

/*
 * What the commands that talk to WhatsApp share: the client on this
 * data directory's keys, and waiting for it to connect. "send" is here;
 * "link" and "run --transport whatsapp" use the rest.
 *
 * The server and its root key can be replaced for tests through
 * XI_WA_URL and XI_WA_ROOT_KEY (hex), see xi_wa_endpoint_read().
 */

/* A command at a terminal waits this long for the server's backlog
 * before it sends anyway. */
#define CATCH_UP_TIMEOUT_S 10

/* The WhatsApp Web version to announce: XI_WA_VERSION, else the app's
 * "whatsapp-version" setting, else the built-in one. WhatsApp retires
 * versions every few weeks; this follows without a new release. */
static gboolean
read_version (guint32   version[3],
              GError  **error)
{
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *text = g_strdup (g_getenv ("XI_WA_VERSION"));
  g_autoptr(GError) parse_error = NULL;

  if (text == NULL && (settings = xi_cli_app_settings ()) != NULL)
    text = g_settings_get_string (settings, "whatsapp-version");
  if (text == NULL || text[0] == '\0')
    return TRUE;
  if (!wa_app_version_parse (text, version, &parse_error))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED,
                   _("“%s” is not a WhatsApp Web version (XI_WA_VERSION or the whatsapp-version setting): "
                     "write three numbers, such as 2.3000.1045649367."), text);
      return FALSE;
    }
  return TRUE;
}

static GHashTable *
load_keys (XiCli   *cli,
           GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  xi_store_load_keys_async (cli->store, xi_key_store_lazy_kinds (), NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  return xi_store_load_keys_finish (cli->store, result, error);
}

/* Keys nobody can read any more are wiped, so that linking again can
 * write new ones. */
static gboolean
wipe_keys (XiCli   *cli,
           GError **error)
{
  g_autoptr(GPtrArray) wipe = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_key_change_free);
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  g_ptr_array_add (wipe, xi_key_change_new (NULL, NULL, NULL));
  xi_store_put_keys_async (cli->store, wipe, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  return xi_store_put_keys_finish (cli->store, result, error);
}

/* What a client is made of, read on the main thread: the keys as loaded
 * (GBytes nobody changes) and where to connect. The key store and the
 * client are made from it on the thread they will live on, since they
 * assert that they are used nowhere else. */
typedef struct
{
  XiStore    *store;
  GHashTable *loaded;
  char       *url;
  guint8      root_key[WA_KEY_LEN];
  guint32     app_version[3];   /* all 0: the built-in one */
  GTlsDatabase *media_ca;       /* a test server's, or NULL */
} ClientRecipe;

static void
client_recipe_free (ClientRecipe *recipe)
{
  g_object_unref (recipe->store);
  g_hash_table_unref (recipe->loaded);
  g_free (recipe->url);
  g_clear_object (&recipe->media_ca);
  g_free (recipe);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClientRecipe, client_recipe_free)

/* With @start_afresh, keys that can no longer be read (their key left
 * the keyring) are wiped: linking again is the way out. */
static ClientRecipe *
client_recipe_load_full (XiCli     *cli,
                         gboolean   start_afresh,
                         GError   **error)
{
  g_autoptr(GHashTable) loaded = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *url = NULL;
  ClientRecipe *recipe;

  if (!wa_crypto_init (error))
    return NULL;
  recipe = g_new0 (ClientRecipe, 1);
  if (!xi_wa_endpoint_read (&url, recipe->root_key, error) || !read_version (recipe->app_version, error) ||
      !xi_wa_endpoint_read_media_ca (&recipe->media_ca, error))
    {
      g_free (recipe);
      return NULL;
    }
  loaded = load_keys (cli, &local_error);
  if (loaded == NULL && start_afresh &&
      g_error_matches (local_error, XI_STORE_ERROR, XI_STORE_ERROR_UNREADABLE))
    {
      g_clear_error (&local_error);
      if (wipe_keys (cli, &local_error))
        loaded = load_keys (cli, &local_error);
    }
  if (loaded == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      g_clear_object (&recipe->media_ca);
      g_free (recipe);
      return NULL;
    }
  recipe->store = g_object_ref (cli->store);
  recipe->loaded = g_steal_pointer (&loaded);
  recipe->url = g_steal_pointer (&url);
  return recipe;
}

static ClientRecipe *
client_recipe_load (XiCli   *cli,
                    GError **error)
{
  return client_recipe_load_full (cli, FALSE, error);
}

/* A stopped client on this thread. */
static WaClient *
client_recipe_make (ClientRecipe *recipe)
{
  g_autoptr(XiKeyStore) keys = xi_key_store_new (recipe->store, recipe->loaded);
  WaClient *client = wa_client_new (WA_KEY_STORE (keys), recipe->url, recipe->root_key);

  if (recipe->app_version[0] != 0)
    wa_client_set_app_version (client, recipe->app_version);
  if (recipe->media_ca != NULL)
    wa_media_set_tls_database (client, recipe->media_ca);
  return client;
}

static gboolean
client_recipe_is_linked (ClientRecipe *recipe)
{
  g_autoptr(XiKeyStore) keys = xi_key_store_new (recipe->store, recipe->loaded);
  g_autofree char *linked = wa_pairing_load_device_jid (WA_KEY_STORE (keys));

  return linked != NULL;
}

static char *
format_time (gint64 unix_s)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_s);

  return time != NULL ? g_date_time_format (time, "%c") : g_strdup ("?");
}

static void
add_time_member (JsonBuilder *builder,
                 const char  *name,
                 gint64       unix_s)
{
  json_builder_set_member_name (builder, name);
  if (unix_s > 0)
    json_builder_add_int_value (builder, unix_s);
  else
    json_builder_add_null_value (builder);
}

static void
print_status (const WaAccountStatus *status,
              gint64                 now)
{
  g_autofree char *refusal = NULL;
  g_autofree char *since = format_time (status->since);

  if (status->linked && status->state == WA_CLIENT_STATE_CONNECTED)
    /* Translators: %s is a date and time */
    g_print (_("WhatsApp: linked, connected since %s\n"), since);
  else if (status->linked && status->known)
    /* Translators: %s is a date and time */
    g_print (_("WhatsApp: linked, not connected (last connection ended %s)\n"), since);
  else if (status->linked)
    g_print ("%s\n", _("WhatsApp: linked, never connected"));
  else
    g_print ("%s\n", _("WhatsApp: not linked (xender-in-cli link)"));

  if ((refusal = xi_connection_describe_refusal (status->state, status->ban_code, status->ban_until)) != NULL)
    g_print ("  %s\n", refusal);
  else if (status->state == WA_CLIENT_STATE_REPLACED)
    g_print ("  %s\n", _("Another program took over this computer's WhatsApp session."));

  if (status->timelock_until > now)
    {
      g_autofree char *until = format_time (status->timelock_until);

      /* Translators: %s is a date and time, then WhatsApp's name for the restriction */
      g_print (_("  WhatsApp paused new chats until %s (%s); replies and existing chats go on.\n"), until,
               status->timelock_kind != NULL ? status->timelock_kind : _("reach-out time-lock"));
    }
}

static void
build_status (const WaAccountStatus *status,
              gint64                 now,
              JsonBuilder           *builder)
{
  gboolean timelocked = status->timelock_until > now;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "linked");
  json_builder_add_boolean_value (builder, status->linked);
  json_builder_set_member_name (builder, "state");
  if (status->known)
    json_builder_add_string_value (builder, wa_account_status_state_name (status->state));
  else
    json_builder_add_null_value (builder);
  add_time_member (builder, "since", status->known ? status->since : 0);
  json_builder_set_member_name (builder, "connected");
  json_builder_add_boolean_value (builder, status->linked && status->state == WA_CLIENT_STATE_CONNECTED);
  json_builder_set_member_name (builder, "banned");
  json_builder_add_boolean_value (builder, status->state == WA_CLIENT_STATE_BANNED);
  json_builder_set_member_name (builder, "temporarily_banned");
  json_builder_add_boolean_value (builder, status->state == WA_CLIENT_STATE_TEMPORARILY_BANNED);
  add_time_member (builder, "ban_until", status->ban_until);
  json_builder_set_member_name (builder, "ban_code");
  json_builder_add_string_value (builder, status->ban_code);
  json_builder_set_member_name (builder, "outdated");
  json_builder_add_boolean_value (builder, status->state == WA_CLIENT_STATE_OUTDATED);
  json_builder_set_member_name (builder, "time_locked");
  json_builder_add_boolean_value (builder, timelocked);
  add_time_member (builder, "time_lock_until", timelocked ? status->timelock_until : 0);
  json_builder_set_member_name (builder, "time_lock_kind");
  json_builder_add_string_value (builder, timelocked ? status->timelock_kind : NULL);
  json_builder_end_object (builder);
}

/**
 * xi_cli_whatsapp_status:
 * @cli: the command line
 * @builder: (nullable): where to add the "whatsapp" member; %NULL to
 *   print the lines instead
 *
 * The WhatsApp part of "status": linked or not, connected or how the
 * last connection ended (a ban with its end and reason, a version
 * WhatsApp no longer takes) and a reach-out time-lock with its end, as
 * the last connection learnt them. It does not connect: that would take
 * the session from the app.
 *
 * Returns: %FALSE when the keys cannot be read
 */
gboolean
xi_cli_whatsapp_status (XiCli        *cli,
                        JsonBuilder  *builder,
                        GError      **error)
{
  g_autoptr(GHashTable) loaded = load_keys (cli, error);
  g_autoptr(XiKeyStore) keys = NULL;
  g_autoptr(WaAccountStatus) status = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (loaded == NULL)
    return FALSE;
  keys = xi_key_store_new (cli->store, loaded);
  status = wa_account_status_load (WA_KEY_STORE (keys));
  if (builder != NULL)
    {
      json_builder_set_member_name (builder, "whatsapp");
      build_status (status, now, builder);
    }
  else
    print_status (status, now);
  return TRUE;
}

/**
 * xi_cli_whatsapp_client:
 * @cli: the command line
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a stopped client on this data
 *   directory's keys, for this thread
 */
WaClient *
xi_cli_whatsapp_client (XiCli   *cli,
                        GError **error)
{
  g_autoptr(ClientRecipe) recipe = client_recipe_load (cli, error);

  return recipe != NULL ? client_recipe_make (recipe) : NULL;
}

/**
 * xi_cli_whatsapp_client_for_link:
 * @cli: the command line
 * @error: return location for a #GError
 *
 * Like xi_cli_whatsapp_client(), but keys that can no longer be read
 * (their key left the keyring) are wiped: linking again is the way out.
 *
 * Returns: (transfer full) (nullable): a stopped client
 */
WaClient *
xi_cli_whatsapp_client_for_link (XiCli   *cli,
                                 GError **error)
{
  g_autoptr(ClientRecipe) recipe = client_recipe_load_full (cli, TRUE, error);

  return recipe != NULL ? client_recipe_make (recipe) : NULL;
}

typedef struct
{
  GMainLoop *loop;
  gboolean   catch_up;
  GError    *error;
} Connecting;

/* Done once connected (and caught up, when asked), or as soon as the
 * client would have to wait: a person at a terminal wants the reason,
 * not retries. */
static void
connecting_changed_cb (WaClient   *client,
                       GParamSpec *pspec,
                       Connecting *connecting)
{
  const char *reason = wa_client_get_last_error (client);

  switch (wa_client_get_state (client))
    {
    case WA_CLIENT_STATE_CONNECTED:
      if (connecting->catch_up && !wa_client_get_caught_up (client))
        return;
      break;
    case WA_CLIENT_STATE_LOGGED_OUT:
      connecting->error = g_error_new (WA_ERROR, WA_ERROR_LOGGED_OUT,
                                       _("This computer was unlinked from WhatsApp (on the phone, or by "
                                         "WhatsApp). Run “xender-in-cli link” to link it again."));
      break;
    case WA_CLIENT_STATE_BANNED:
      connecting->error = g_error_new (WA_ERROR, WA_ERROR_BANNED,
                                       _("WhatsApp banned this account; its session here is gone. The "
                                         "owner can appeal from the WhatsApp app on the phone."));
      break;
    case WA_CLIENT_STATE_TEMPORARILY_BANNED:
      {
        g_autoptr(GDateTime) until = g_date_time_new_from_unix_local (wa_client_get_ban_until (client));
        g_autofree char *when = until != NULL ? g_date_time_format (until, "%c") : g_strdup ("?");

        connecting->error = g_error_new (WA_ERROR, WA_ERROR_TEMPORARILY_BANNED,
                                         _("WhatsApp banned this account until %s (code %s). Do not try "
                                           "before then: it makes a ban longer."),
                                         when, wa_client_get_ban_code (client) != NULL ?
                                               wa_client_get_ban_code (client) : "?");
      }
      break;
    case WA_CLIENT_STATE_OUTDATED:
      connecting->error = g_error_new (WA_ERROR, WA_ERROR_CLIENT_OUTDATED,
                                       _("This version of WhatsApp Web is too old: WhatsApp refuses it. "
                                         "Put the current one in XI_WA_VERSION or the whatsapp-version "
                                         "setting, then try again."));
      break;
    case WA_CLIENT_STATE_WAITING:
    case WA_CLIENT_STATE_REPLACED:
    case WA_CLIENT_STATE_STOPPED:
      connecting->error = g_error_new (WA_ERROR, WA_ERROR_FAILED, _("Could not connect to WhatsApp: %s"),
                                       reason != NULL ? reason : "?");
      break;
    default:
      return;
    }
  g_main_loop_quit (connecting->loop);
}

static gboolean
catch_up_timeout_cb (gpointer user_data)
{
  Connecting *connecting = user_data;

  g_main_loop_quit (connecting->loop);
  return G_SOURCE_REMOVE;
}

/**
 * xi_cli_whatsapp_connect:
 * @client: a stopped client
 * @catch_up: also wait (a little) for what waited on the server
 * @error: return location for a #GError
 *
 * Starts @client and runs the main loop until it is connected, or fails
 * with the reason. Signals connected before (such as "qr") are emitted
 * meanwhile.
 */
gboolean
xi_cli_whatsapp_connect (WaClient  *client,
                         gboolean   catch_up,
                         GError   **error)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Connecting connecting = { .loop = loop, .catch_up = catch_up };
  guint timeout = 0;

  g_signal_connect (client, "notify::state", G_CALLBACK (connecting_changed_cb), &connecting);
  g_signal_connect (client, "notify::caught-up", G_CALLBACK (connecting_changed_cb), &connecting);
  wa_client_start (client);
  g_main_loop_run (loop);
  if (connecting.error == NULL && catch_up && !wa_client_get_caught_up (client))
    {
      timeout = g_timeout_add_seconds (CATCH_UP_TIMEOUT_S, catch_up_timeout_cb, &connecting);
      g_main_loop_run (loop);
      if (!wa_client_get_caught_up (client))
        g_source_remove (timeout);
    }
  g_signal_handlers_disconnect_by_data (client, &connecting);
  if (connecting.error != NULL)
    {
      g_propagate_error (error, connecting.error);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  GMainLoop *loop;
  GError    *error;
} Sending;

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Sending *sending = user_data;

  xi_transport_send_text_finish (XI_TRANSPORT (object), result, &sending->error);
  g_main_loop_quit (sending->loop);
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* A message sent from here is written first, pending, as the app writes
 * one: it shows in the customer's conversation, its receipts find it,
 * and a number that opted out is refused as the app refuses it. */
static gboolean
add_outgoing (XiCli       *cli,
              const char  *phone,
              const char  *id,
              const char  *text,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(XiChatMessage) message = NULL;
  GAsyncResult *slot = NULL;

  xi_store_add_reply_async (cli->store, phone, id, text, NULL, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  message = xi_store_add_reply_finish (cli->store, result, error);
  return message != NULL;
}

/* How it ended: sent (ticks follow from receipts) or failed, and why. */
static void
finish_outgoing (XiCli        *cli,
                 const char   *id,
                 const GError *sending_error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  xi_store_finish_reply_async (cli->store, id, sending_error != NULL ? sending_error->message : NULL, NULL,
                               xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if (!xi_store_finish_reply_finish (cli->store, result, &error))
    g_warning ("Could not record how a message ended: %s", error->message);
}

/**
 * xi_cli_print_sent:
 * @phone: E.164 digits
 * @id: the message's WhatsApp id
 *
 * What "send" says once WhatsApp's server took the message.
 */
void
xi_cli_print_sent (XiCli      *cli,
                   const char *phone,
                   const char *id)
{
  g_autofree char *shown = NULL;

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "sent");
      json_builder_add_string_value (builder, id);
      json_builder_set_member_name (builder, "to");
      json_builder_add_string_value (builder, phone);
      json_builder_end_object (builder);
      xi_cli_print_json (builder);
      return;
    }
  shown = xi_phone_format_international (phone);
  g_print (_("Sent to %s.\n"), shown);
}

/**
 * xi_cli_session_open:
 * @cli: the command line
 * @session: (out caller-allocates): filled in on success
 *
 * Takes the engine lock and connects this computer's linked device, with
 * a receiver that stores (and confirms) what waited on the server on the
 * way, as "run" does: the server forgets what this device confirmed.
 *
 * Returns: %XI_CLI_EXIT_OK, or the code to end the command with (the
 *   reason printed)
 */
int
xi_cli_session_open (XiCli        *cli,
                     XiCliSession *session)
{
  g_autoptr(GSettings) settings = xi_cli_app_settings ();
  g_autoptr(GError) error = NULL;
  g_autofree char *linked = NULL;
  guint min_delay_ms, daily_cap;

  memset (session, 0, sizeof *session);
  if (xi_cli_lock_engine (cli, FALSE) != XI_CLI_EXIT_OK)
    return XI_CLI_EXIT_USER_ERROR;
  if ((session->client = xi_cli_whatsapp_client (cli, &error)) == NULL)
    return xi_cli_fail (cli, error);
  linked = wa_pairing_load_device_jid (wa_client_get_key_store (session->client));
  if (linked == NULL)
    return xi_cli_fail_message (cli, "%s", _("This computer is not linked to WhatsApp yet. Run “xender-in-cli "
                                             "link” first."));

  /* Before connecting: what waited on the server is read, stored and
   * confirmed on the way, and a reply may be what completes a session. */
  session->transport = xi_whatsapp_transport_new (session->client);
  session->receiver = xi_receiver_new (cli->store);
  xi_cli_reply_pacing (settings, &min_delay_ms, &daily_cap);
  xi_receiver_set_pacing (session->receiver, min_delay_ms, daily_cap);
  if (settings != NULL)
    {
      g_auto(GStrv) keywords = g_settings_get_strv (settings, "opt-out-keywords");

      xi_receiver_set_opt_out_keywords (session->receiver, (const char * const *) keywords);
      xi_receiver_set_auto_download_limit (session->receiver,
                                           (guint64) g_settings_get_uint (settings, "media-auto-download-mb")
                                           * 1024 * 1024);
    }
  xi_receiver_add_transport (session->receiver, session->transport);
  if (!xi_cli_whatsapp_connect (session->client, TRUE, &error))
    return xi_cli_fail (cli, error);
  return XI_CLI_EXIT_OK;
}

/**
 * xi_cli_session_close:
 * @session: a session xi_cli_session_open() filled in, whether it
 *   succeeded or not
 *
 * Lets the receiver store what it is storing, then disconnects.
 */
void
xi_cli_session_close (XiCliSession *session)
{
  gboolean stopped = FALSE;

  if (session->receiver != NULL)
    {
      xi_receiver_stop (session->receiver, set_flag, &stopped);
      while (!stopped)
        g_main_context_iteration (NULL, TRUE);
    }
  if (session->client != NULL)
    wa_client_stop (session->client);
  g_clear_object (&session->receiver);
  g_clear_object (&session->transport);
  g_clear_object (&session->client);
}

/* A message without an attachment has a text; @options points to the
 * attachment's path, if any. */
static gboolean
check_text (int        argc,
            char     **argv,
            gpointer   options,
            GError   **error)
{
  const char *attach = *(char **)options;

  if (*g_strstrip (argv[2]) == '\0' && attach == NULL)
    return xi_cli_refuse (error, "%s", _("The text to send is empty."));
  return TRUE;
}

/**
 * xi_cli_send:
 *
 * "send NUMBER TEXT [--attach FILE]": one message, now, to one number,
 * with a picture or document from (or added to) the assets; the command
 * returns once WhatsApp's server took it. Replies that waited on the
 * server are stored (and opt-outs applied) on the way, as "run" does:
 * the server forgets what this device confirmed.
 */
int
xi_cli_send (XiCli  *cli,
             int     argc,
             char  **argv)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_auto(XiCliSession) session = { NULL, };
  g_autoptr(XiDbusXenderIn1) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *id = xi_message_id_new ();
  g_autofree char *shown = NULL;
  g_autofree char *attach = NULL;
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(XiAsset) asset = NULL;
  Sending sending = { .loop = loop };
  int status;
  const GOptionEntry entries[] = {
    { "attach", 'a', 0, G_OPTION_ARG_FILENAME, &attach,
      N_("Send this picture (the text is its caption) or document"), N_("FILE") },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!xi_cli_parse_checked (cli, context, check_text, &attach, &argc, &argv, &status))
    return status;
  if ((phone = xi_cli_normalize_phone (cli, argv[1], &error)) == NULL)
    return xi_cli_fail (cli, error);
  if (!xi_limit_check_message (argv[2], &error))
    return xi_cli_fail (cli, error);
  if (attach != NULL && (asset = xi_cli_add_asset (cli, attach, &error)) == NULL)
    return xi_cli_fail (cli, error);
  /* The app's SendMessage carries text only: an attachment is sent here,
   * which needs the engine the app holds, and says so. */
  if (asset == NULL && (app = xi_cli_app_proxy (cli)) != NULL)
    return xi_cli_forward_send (cli, app, phone, argv[2]);
  if ((status = xi_cli_session_open (cli, &session)) != XI_CLI_EXIT_OK)
    return status;
  if (!add_outgoing (cli, phone, id, argv[2], &error))
    return xi_cli_fail (cli, error);

  xi_transport_send_text_async (session.transport, phone, id, argv[2], asset, NULL, sent_cb, &sending);
  g_main_loop_run (loop);
  finish_outgoing (cli, id, sending.error);
  /* What the receiver is storing is stored before the command ends. */
  xi_cli_session_close (&session);

  if (sending.error != NULL)
    {
      g_propagate_error (&error, sending.error);
      return xi_cli_fail (cli, error);
    }

  xi_cli_print_sent (cli, phone, id);
  return XI_CLI_EXIT_OK;
}

/* "run" says when WhatsApp's reach-out time-lock starts and ends: the
 * campaign seems to stall otherwise. On the network thread. */
static void
paused_cb (XiTransport *transport,
           GParamSpec  *pspec,
           gpointer     user_data)
{
  gint64 until = xi_transport_get_new_chats_paused_until (transport);
  g_autoptr(GDateTime) end = NULL;
  g_autofree char *when = NULL;

  if (until == 0)
    {
      g_printerr ("%s\n", _("WhatsApp lets this account start new chats again."));
      return;
    }
  end = g_date_time_new_from_unix_local (until);
  when = g_date_time_format (end, "%c");
  g_printerr (_("WhatsApp paused new chats until %s (reach-out time-lock): messages to new contacts wait; "
                "replies and chats with people who wrote first go on.\n"), when);
}

static XiTransport *
watched_transport (WaClient *client)
{
  XiTransport *transport = xi_whatsapp_transport_new (client);

  g_signal_connect (transport, "notify::new-chats-paused-until", G_CALLBACK (paused_cb), NULL);
  return transport;
}

/* The transport factory of "run --transport whatsapp", on the network
 * thread: the client is made there from the keys loaded before, and
 * lives and dies on that thread inside the transport. */
static XiTransport *
whatsapp_transport_factory (gpointer   user_data,
                            GError   **error)
{
  g_autoptr(WaClient) client = client_recipe_make (user_data);

  wa_client_start (client);
  return watched_transport (client);
}

/**
 * xi_cli_whatsapp_runner:
 *
 * Returns: (transfer full) (nullable): a campaign runner sending through
 *   this data directory's linked WhatsApp account
 */
XiCampaignRunner *
xi_cli_whatsapp_runner (XiCli   *cli,
                        GError **error)
{
  g_autoptr(ClientRecipe) recipe = client_recipe_load (cli, error);

  if (recipe == NULL)
    return NULL;
  if (!client_recipe_is_linked (recipe))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_LOGGED_OUT,
                   _("This computer is not linked to WhatsApp yet. Run “xender-in-cli link” first, or "
                     "rehearse with --transport loopback."));
      return NULL;
    }
  return xi_campaign_runner_new (cli->store, whatsapp_transport_factory, g_steal_pointer (&recipe),
                                 (GDestroyNotify) client_recipe_free);
}

/* Default "run": the rehearsal always, and the linked account too, its
 * client on the runner's network thread like the app's. */

typedef struct
{
  XiCampaignRunner *runner;
  ClientRecipe     *recipe;
} Attach;

static void
attach_free (Attach *attach)
{
  client_recipe_free (attach->recipe);
  g_free (attach);
}

static gboolean
attach_on_network_thread (gpointer user_data)
{
  Attach *attach = user_data;
  WaClient *client = client_recipe_make (attach->recipe);
  g_autoptr(XiTransport) transport = watched_transport (client);

  g_object_set_data_full (G_OBJECT (attach->runner), "xi-cli-client", client, g_object_unref);
  wa_client_start (client);
  xi_campaign_runner_set_whatsapp_transport (attach->runner, transport);
  return G_SOURCE_REMOVE;
}

static gboolean
detach_on_network_thread (gpointer user_data)
{
  XiCampaignRunner *runner = user_data;
  WaClient *client = g_object_get_data (G_OBJECT (runner), "xi-cli-client");

  xi_campaign_runner_set_whatsapp_transport (runner, NULL);
  wa_client_stop (client);
  g_object_set_data (G_OBJECT (runner), "xi-cli-client", NULL);
  return G_SOURCE_REMOVE;
}

/**
 * xi_cli_whatsapp_is_linked:
 *
 * Returns: whether this data directory has a linked WhatsApp account
 */
gboolean
xi_cli_whatsapp_is_linked (XiCli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClientRecipe) recipe = client_recipe_load (cli, &error);

  return recipe != NULL && client_recipe_is_linked (recipe);
}

/**
 * xi_cli_whatsapp_attach:
 * @runner: a runner, before it starts
 *
 * When an account is linked, gives @runner's campaigns that go through
 * WhatsApp a client, connected on the runner's network thread. Call
 * xi_cli_whatsapp_detach() before stopping the runner.
 */
void
xi_cli_whatsapp_attach (XiCli            *cli,
                        XiCampaignRunner *runner)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClientRecipe) recipe = client_recipe_load (cli, &error);
  Attach *attach;

  if (recipe == NULL || !client_recipe_is_linked (recipe))
    return;
  attach = g_new0 (Attach, 1);
  attach->runner = runner;
  attach->recipe = g_steal_pointer (&recipe);
  /* Detaching runs after this on the same thread, so it finds the client. */
  g_object_set_data (G_OBJECT (runner), "xi-cli-attached", GINT_TO_POINTER (TRUE));
  g_main_context_invoke_full (xi_campaign_runner_get_network_context (runner), G_PRIORITY_DEFAULT,
                              attach_on_network_thread, attach, (GDestroyNotify) attach_free);
}

/**
 * xi_cli_whatsapp_detach:
 *
 * Stops what xi_cli_whatsapp_attach() started, on the network thread.
 */
void
xi_cli_whatsapp_detach (XiCampaignRunner *runner)
{
  if (g_object_get_data (G_OBJECT (runner), "xi-cli-attached") == NULL)
    return;
  g_main_context_invoke (xi_campaign_runner_get_network_context (runner), detach_on_network_thread, runner);
}
