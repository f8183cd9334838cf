/* xi-cli-link.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-cli-link"

#include "config.h"

#include <glib/gi18n.h>

#include "wa-app-state.h"
#include "wa-client.h"
#include "wa-error.h"
#include "wa-history-sync.h"
#include "wa-jid.h"
#include "wa-pairing.h"
#include "xi-cli.h"
#include "xi-connection.h"
#include "xi-phone.h"
#include "xi-qr.h"
#include "wa-e2e.pb-c.h"

/*
 * "xender-in-cli link": link this computer to a WhatsApp account by QR
 * code, in the terminal, then log in once as the new device to prove it.
 * A device that is already linked only logs in. The connection itself is
 * xi-cli-whatsapp.c's.
 *
 * A new device then stays a little for what the phone shares with it
 * (WA-FIDELITY.md §2–3): the app-state keys, app state and the first
 * history chunk give our push name, contacts' LIDs and privacy tokens and
 * the NCT salt, which sending to new customers needs. What does not come
 * in time is read on the next connection.
 */

/* How long a new device waits for its phone; WhatsApp Web waits up to
 * three minutes before it gives up on a phone. */
#define PHONE_WAIT_S 30

typedef struct
{
  XiCli      *cli;
  GError     *error;
} Linking;

/**
 * xi_cli_print_qr:
 * @qr: a linking code's content
 *
 * Draws @qr in the terminal with what to do with it, or prints it as
 * JSON with --json.
 *
 * Returns: %FALSE with @error set when @qr cannot be drawn
 */
gboolean
xi_cli_print_qr (XiCli       *cli,
                 const char  *qr,
                 GError     **error)
{
  g_autoptr(XiQrCode) code = NULL;
  g_autofree char *drawing = NULL;

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "qr");
      json_builder_add_string_value (builder, qr);
      json_builder_end_object (builder);
      xi_cli_print_json (builder);
      return TRUE;
    }

  if ((code = xi_qr_code_new (qr, error)) == NULL)
    return FALSE;
  drawing = xi_qr_code_to_terminal (code);
  g_print ("%s\n%s\n", drawing,
           _("On your phone open WhatsApp, Settings, Linked devices, Link a device, and scan this code."));
  return TRUE;
}

static void
qr_cb (WaClient   *client,
       const char *qr,
       Linking    *linking)
{
  if (!xi_cli_print_qr (linking->cli, qr, &linking->error))
    wa_client_stop (client);
}

typedef struct
{
  GMainLoop     *loop;
  WaAppState    *app_state;
  WaHistorySync *history;
  gboolean       bootstrap;  /* the first history chunk was read */
} Waiting;

/* Done when app state is read and the first history chunk too, with no
 * other chunk half downloaded. */
static gboolean
phone_done (Waiting *waiting)
{
  WaAppStateStatus status = wa_app_state_get_status (waiting->app_state);

  if (wa_history_sync_get_busy (waiting->history))
    return FALSE;
  return status == WA_APP_STATE_STATUS_FAILED || (status == WA_APP_STATE_STATUS_SYNCED && waiting->bootstrap);
}

static void
phone_changed_cb (GObject    *object,
                  GParamSpec *pspec,
                  Waiting    *waiting)
{
  if (waiting->loop != NULL && phone_done (waiting))
    g_main_loop_quit (waiting->loop);
}

static void
chunk_stored_cb (WaHistorySync *history,
                 guint          sync_type,
                 Waiting       *waiting)
{
  waiting->bootstrap |= sync_type == WA_E2_E__HISTORY_SYNC_NOTIFICATION__HISTORY_SYNC_TYPE__INITIAL_BOOTSTRAP;
  if (waiting->loop != NULL && phone_done (waiting))
    g_main_loop_quit (waiting->loop);
}

/* The phone may share everything while the connection is still being
 * made, before there is anything to wait for: what it sends is counted
 * from the moment the objects exist. */
static void
watch_phone (Waiting       *waiting,
             WaAppState    *app_state,
             WaHistorySync *history)
{
  waiting->app_state = app_state;
  waiting->history = history;
  g_signal_connect (app_state, "notify::status", G_CALLBACK (phone_changed_cb), waiting);
  g_signal_connect (history, "notify::busy", G_CALLBACK (phone_changed_cb), waiting);
  g_signal_connect (history, "chunk-stored", G_CALLBACK (chunk_stored_cb), waiting);
}

static void
unwatch_phone (Waiting *waiting)
{
  g_signal_handlers_disconnect_by_data (waiting->app_state, waiting);
  g_signal_handlers_disconnect_by_data (waiting->history, waiting);
}

static gboolean
phone_timeout_cb (gpointer user_data)
{
  Waiting *waiting = user_data;

  g_main_loop_quit (waiting->loop);
  return G_SOURCE_REMOVE;
}

/* Runs until the phone shared its app state and first history, or
 * PHONE_WAIT_S passed. Returns whether it did. */
static gboolean
wait_for_phone (Waiting *waiting)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint timeout = 0;

  if (!phone_done (waiting))
    {
      waiting->loop = loop;
      timeout = g_timeout_add_seconds (PHONE_WAIT_S, phone_timeout_cb, waiting);
      g_main_loop_run (loop);
      waiting->loop = NULL;
    }
  if (timeout != 0 && g_main_context_find_source_by_id (NULL, timeout) != NULL)
    g_source_remove (timeout);
  return phone_done (waiting) && wa_app_state_get_status (waiting->app_state) == WA_APP_STATE_STATUS_SYNCED;
}

static const char *
status_name (WaAppStateStatus status)
{
  switch (status)
    {
    case WA_APP_STATE_STATUS_WAITING_FOR_KEYS:
      return "waiting-for-keys";
    case WA_APP_STATE_STATUS_SYNCING:
      return "syncing";
    case WA_APP_STATE_STATUS_SYNCED:
      return "synced";
    case WA_APP_STATE_STATUS_FAILED:
      return "failed";
    case WA_APP_STATE_STATUS_IDLE:
    default:
      return "idle";
    }
}

static void
add_count (JsonBuilder *builder,
           const char  *name,
           guint        count)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, count);
}

static int
print_linked (XiCli      *cli,
              WaClient   *client,
              WaAppState *app_state,
              gboolean    was_linked,
              gboolean    phone_shared)
{
  const char *device_jid = wa_client_get_device_jid (client);
  g_autoptr(WaJid) jid = wa_jid_parse (device_jid, NULL);
  g_autofree char *number = xi_phone_format_international (jid != NULL ? wa_jid_get_user (jid) : device_jid);
  WaAppStateSummary summary = { 0 };

  wa_app_state_summarize (wa_client_get_key_store (client), &summary);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "linked");
      json_builder_add_string_value (builder, device_jid);
      json_builder_set_member_name (builder, "app_state");
      json_builder_add_string_value (builder, status_name (wa_app_state_get_status (app_state)));
      json_builder_set_member_name (builder, "push_name");
      if (summary.push_name != NULL)
        json_builder_add_string_value (builder, summary.push_name);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "nct_salt");
      json_builder_add_boolean_value (builder, summary.has_nct_salt);
      add_count (builder, "lid_mappings", summary.n_lid_mappings);
      add_count (builder, "contact_names", summary.n_contact_names);
      add_count (builder, "push_names", summary.n_push_names);
      add_count (builder, "privacy_tokens", summary.n_privacy_tokens);
      json_builder_end_object (builder);
      xi_cli_print_json (builder);
    }
  else if (was_linked)
    g_print (_("Already linked to WhatsApp as %s.\n"), number);
  else
    {
      g_print (_("Linked to WhatsApp as %s.\n"), number);
      if (!phone_shared)
        g_print ("%s\n", _("The phone has not shared its settings with this computer yet. Xender-In reads them "
                           "the next time it connects; keep WhatsApp open on the phone."));
      else if (summary.push_name != NULL)
        g_print (_("The phone shared its settings. Customers see this account as “%s”.\n"), summary.push_name);
      else
        g_print ("%s\n", _("The phone shared its settings, but the account has no name. Set one on the phone "
                           "(Settings, Profile) so customers see who writes to them."));
    }
  wa_app_state_summary_clear (&summary);
  return XI_CLI_EXIT_OK;
}

/* A new link whose keys could not be written (a full disk) is undone
 * and said, rather than called "linked" and forgotten by the next
 * command (xi_connection_keep_link_async ()). */
static gboolean
keep_link (WaClient  *client,
           GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  xi_connection_keep_link_async (client, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  return xi_connection_keep_link_finish (client, result, error);
}

int
xi_cli_link (XiCli  *cli,
             int     argc,
             char  **argv)
{
  g_autoptr(WaClient) client = NULL;
  g_autoptr(WaMessenger) messenger = NULL;
  g_autoptr(WaAppState) app_state = NULL;
  g_autoptr(WaHistorySync) history = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiDbusXenderIn1) app = NULL;
  g_autofree char *saved_jid = NULL;
  Linking linking = { .cli = cli };
  Waiting waiting = { 0 };
  gboolean phone_shared = FALSE;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;
  /* The app holds the connection: it links, and the codes come here. */
  if ((app = xi_cli_app_proxy (cli)) != NULL)
    return xi_cli_forward_link (cli, app);
  if ((status = xi_cli_lock_engine (cli, FALSE)) != XI_CLI_EXIT_OK)
    return status;
  if ((client = xi_cli_whatsapp_client_for_link (cli, &error)) == NULL)
    return xi_cli_fail (cli, error);

  saved_jid = wa_pairing_load_device_jid (wa_client_get_key_store (client));
  messenger = wa_messenger_new (client);
  app_state = wa_app_state_new (client, messenger);
  history = wa_history_sync_new (client, messenger);
  watch_phone (&waiting, app_state, history);
  g_signal_connect (client, "qr", G_CALLBACK (qr_cb), &linking);
  if (xi_cli_whatsapp_connect (client, FALSE, &error) && linking.error == NULL)
    {
      if (saved_jid == NULL)
        phone_shared = wait_for_phone (&waiting);
      if (saved_jid == NULL && !keep_link (client, &error))
        status = xi_cli_fail (cli, error);
      else
        status = print_linked (cli, client, app_state, saved_jid != NULL, phone_shared);
    }
  else
    status = xi_cli_fail (cli, linking.error != NULL ? linking.error : error);

  g_signal_handlers_disconnect_by_data (client, &linking);
  unwatch_phone (&waiting);
  wa_client_stop (client);
  g_clear_error (&linking.error);
  return status;
}
