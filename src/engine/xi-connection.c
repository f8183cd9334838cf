/* xi-connection.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-connection"

#include "config.h"

#include <glib/gi18n.h>

#include "wa-client-payload.h"
#include "wa-client.h"
#include "wa-credentials.h"
#include "wa-jid.h"
#include "wa-media.h"
#include "wa-pairing.h"
#include "xi-connection.h"
#include "xi-key-store.h"
#include "xi-message-id.h"
#include "xi-number-check.h"
#include "xi-phone.h"
#include "xi-wa-endpoint.h"
#include "xi-whatsapp-transport.h"

/*
 * The WaClient must live on the network thread (DESIGN.md, threads), and
 * the UI must only see snapshots of it. So this facade is split in three:
 *  - fields the main thread owns: what was published last, as properties;
 *  - fields the network thread owns: the key store, the client, and what
 *    is needed to turn the client's state into a status;
 *  - a pending snapshot under a lock, which the network thread overwrites
 *    and the main thread picks up in one idle callback at a time, so a
 *    burst of changes costs the UI one update.
 *
 * Commands go the other way as invocations on the network context. That
 * context runs them in the order they were made, which is what makes
 * xi_connection_stop() safe: it is queued behind everything else.
 *
 * No session, no connection: the app must not talk to WhatsApp until the
 * user asks to link, so start() only logs in when keys are saved.
 */

/* Reading the keys from a locked keyring already waited for the prompt;
 * asking again at once would only pop it up again. */
#define KEYS_RETRY_FIRST_MS (5 * 1000)
#define KEYS_RETRY_MAX_MS   (5 * 60 * 1000)

typedef struct
{
  XiConnectionStatus  status;
  gint64              retry_at;
  char               *reason;
  char               *qr;
  char               *device_jid;
  gint64              new_chats_paused_until;
} Snapshot;

struct _XiConnection
{
  GObject             parent_instance;

  /* Set at construction, read-only afterwards: any thread */
  XiStore            *store;
  GMainContext       *main_context;
  GMainContext       *net_context;
  char               *url;
  guint8              root_key[WA_KEY_LEN];
  XiCampaignRunner   *runner;           /* set before start */

  /* Main thread */
  GNetworkMonitor    *monitor;          /* until start hands it over */
  guint               backoff_first_ms;
  guint               backoff_max_ms;
  gboolean            started;
  gboolean            stopped;
  GCancellable       *cancellable;
  XiConnectionStatus  status;
  gint64              retry_at;
  char               *reason;
  char               *qr;
  char               *phone;
  gboolean            linked;
  gboolean            keys_unreadable;  /* linking again wipes them */
  GSource            *keys_retry;       /* reads the keys again after the keyring was locked */
  guint               keys_attempts;    /* reads the locked keyring refused */
  gint64              new_chats_paused_until;

  /* Network thread */
  struct {
    XiKeyStore       *keys;
    WaClient         *client;
    XiTransport      *transport;       /* campaigns and single messages */
    GNetworkMonitor  *monitor;
    gulong            monitor_handler;
    char             *qr;
    gint64            retry_at;
    gboolean          stopping;        /* the client was stopped on purpose */
    gboolean          unlinking;       /* the LOGGED_OUT to come is ours */
    gboolean          link_requested;  /* before the keys were read */
    gboolean          expired;         /* it stopped while showing codes */
    gboolean          pairing_unsure;  /* paired; the link is not known to be on disk yet */
    gboolean          checking_link;   /* xi_connection_keep_link_async () runs */
    char             *link_lost;       /* why the link just made was undone, or NULL */
    WaClientState     state;           /* the last one seen */
    guint32           app_version[3];  /* all 0: the built-in one */
  } net;

  /* Shared, under @lock */
  GMutex              lock;
  GCond               cond;
  Snapshot           *pending;
  GSource            *publish_source;
  gboolean            net_done;        /* the client is gone */
};

G_DEFINE_FINAL_TYPE (XiConnection, xi_connection, G_TYPE_OBJECT)

enum {
  MESSAGE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (XiConnectionStatus, xi_connection_status,
                    G_DEFINE_ENUM_VALUE (XI_CONNECTION_STATUS_STARTING, "starting"),
                    G_DEFINE_ENUM_VALUE (XI_CONNECTION_STATUS_NOT_LINKED, "not-linked"),
                    G_DEFINE_ENUM_VALUE (XI_CONNECTION_STATUS_LINKING, "linking"),
                    G_DEFINE_ENUM_VALUE (XI_CONNECTION_STATUS_LINK_EXPIRED, "link-expired"),
                    G_DEFINE_ENUM_VALUE (XI_CONNECTION_STATUS_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (XI_CONNECTION_STATUS_CONNECTED, "connected"),
                    G_DEFINE_ENUM_VALUE (XI_CONNECTION_STATUS_RECONNECTING, "reconnecting"),
                    G_DEFINE_ENUM_VALUE (XI_CONNECTION_STATUS_NO_NETWORK, "no-network"),
                    G_DEFINE_ENUM_VALUE (XI_CONNECTION_STATUS_LOGGED_OUT, "logged-out"),
                    G_DEFINE_ENUM_VALUE (XI_CONNECTION_STATUS_REPLACED, "replaced"),
                    G_DEFINE_ENUM_VALUE (XI_CONNECTION_STATUS_FAILED, "failed"),
                    G_DEFINE_ENUM_VALUE (XI_CONNECTION_STATUS_BANNED, "banned"),
                    G_DEFINE_ENUM_VALUE (XI_CONNECTION_STATUS_TEMPORARILY_BANNED, "temporarily-banned"),
                    G_DEFINE_ENUM_VALUE (XI_CONNECTION_STATUS_OUTDATED, "outdated"))

enum {
  PROP_0,
  PROP_STATUS,
  PROP_RETRY_AT,
  PROP_REASON,
  PROP_QR,
  PROP_PHONE,
  PROP_DEVICE_NAME,
  PROP_LINKED,
  PROP_NEW_CHATS_PAUSED_UNTIL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
snapshot_free (Snapshot *snapshot)
{
  g_free (snapshot->reason);
  g_free (snapshot->qr);
  g_free (snapshot->device_jid);
  g_free (snapshot);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Snapshot, snapshot_free)

/* Auxiliary methods: the main thread */

static gboolean
replace_string (char       **field,
                const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* The number people know the account by, from "6281234567890:3@s.whatsapp.net". */
static char *
phone_from_jid (const char *device_jid)
{
  g_autoptr(WaJid) jid = NULL;

  if (device_jid == NULL)
    return NULL;
  jid = wa_jid_parse (device_jid, NULL);
  if (jid == NULL)
    return NULL;
  return xi_phone_format_international (wa_jid_get_user (jid));
}

static void
apply_snapshot (XiConnection *self,
                Snapshot     *snapshot)
{
  g_autofree char *phone = phone_from_jid (snapshot->device_jid);
  gboolean linked = snapshot->device_jid != NULL;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->status != snapshot->status)
    {
      self->status = snapshot->status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }
  if (self->retry_at != snapshot->retry_at)
    {
      self->retry_at = snapshot->retry_at;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_AT]);
    }
  if (replace_string (&self->reason, snapshot->reason))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASON]);
  if (replace_string (&self->qr, snapshot->qr))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QR]);
  if (replace_string (&self->phone, phone))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHONE]);
  if (self->new_chats_paused_until != snapshot->new_chats_paused_until)
    {
      self->new_chats_paused_until = snapshot->new_chats_paused_until;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEW_CHATS_PAUSED_UNTIL]);
    }
  if (self->linked != linked)
    {
      self->linked = linked;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINKED]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICE_NAME]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
publish_cb (gpointer user_data)
{
  XiConnection *self = user_data;
  g_autoptr(Snapshot) snapshot = NULL;

  g_mutex_lock (&self->lock);
  snapshot = g_steal_pointer (&self->pending);
  g_clear_pointer (&self->publish_source, g_source_unref);
  g_mutex_unlock (&self->lock);

  if (snapshot != NULL)
    apply_snapshot (self, snapshot);
  return G_SOURCE_REMOVE;
}

/* Auxiliary methods: the network thread */

static void
assert_network_thread (XiConnection *self)
{
  g_assert (g_main_context_is_owner (self->net_context));
}

static XiConnectionStatus
current_status (XiConnection *self,
                const char   *device_jid)
{
  WaClient *client = self->net.client;
  const char *last_error = wa_client_get_last_error (client);

  if (self->net.link_lost != NULL)
    return XI_CONNECTION_STATUS_FAILED;
  switch (wa_client_get_state (client))
    {
    case WA_CLIENT_STATE_STOPPED:
      /* A client stops by itself when the linking codes ran out, or
       * when trying again cannot help. */
      if (self->net.expired)
        return XI_CONNECTION_STATUS_LINK_EXPIRED;
      if (!self->net.stopping && last_error != NULL)
        return XI_CONNECTION_STATUS_FAILED;
      return device_jid == NULL ? XI_CONNECTION_STATUS_NOT_LINKED : XI_CONNECTION_STATUS_CONNECTING;
    case WA_CLIENT_STATE_CONNECTING:
      return device_jid == NULL ? XI_CONNECTION_STATUS_LINKING : XI_CONNECTION_STATUS_CONNECTING;
    case WA_CLIENT_STATE_PAIRING:
      return XI_CONNECTION_STATUS_LINKING;
    case WA_CLIENT_STATE_CONNECTED:
      /* Not "linked" before the link is known to outlive the app. */
      return self->net.pairing_unsure ? XI_CONNECTION_STATUS_CONNECTING : XI_CONNECTION_STATUS_CONNECTED;
    case WA_CLIENT_STATE_WAITING:
      /* The monitor can be wrong (containers, VPNs), so it only colours
       * the message; the client keeps trying either way. */
      if (self->net.monitor != NULL && !g_network_monitor_get_network_available (self->net.monitor))
        return XI_CONNECTION_STATUS_NO_NETWORK;
      return XI_CONNECTION_STATUS_RECONNECTING;
    case WA_CLIENT_STATE_LOGGED_OUT:
      /* Unlinked from here: the user knows, and has nothing to repair;
       * or a link that was not kept, said once the unlink is done. */
      return self->net.unlinking || self->net.checking_link ? XI_CONNECTION_STATUS_NOT_LINKED :
                                                              XI_CONNECTION_STATUS_LOGGED_OUT;
    case WA_CLIENT_STATE_REPLACED:
      return XI_CONNECTION_STATUS_REPLACED;
    case WA_CLIENT_STATE_BANNED:
      return XI_CONNECTION_STATUS_BANNED;
    case WA_CLIENT_STATE_TEMPORARILY_BANNED:
      return XI_CONNECTION_STATUS_TEMPORARILY_BANNED;
    case WA_CLIENT_STATE_OUTDATED:
      return XI_CONNECTION_STATUS_OUTDATED;
    default:
      g_assert_not_reached ();
    }
}

/**
 * xi_connection_describe_refusal:
 * @state: %WA_CLIENT_STATE_BANNED, _TEMPORARILY_BANNED or _OUTDATED
 * @ban_code: (nullable): WhatsApp's code for a temporary ban
 * @ban_until: when it ends, Unix seconds
 *
 * WhatsApp's own refusals of the account, said plainly: the app's
 * connection and the command line's status say them alike.
 *
 * Returns: (transfer full) (nullable): the words, or %NULL for another
 *   state
 */
char *
xi_connection_describe_refusal (WaClientState  state,
                                const char    *ban_code,
                                gint64         ban_until)
{
  switch (state)
    {
    case WA_CLIENT_STATE_BANNED:
      return g_strdup (_("WhatsApp banned this account. Its session on this computer is gone; the "
                         "account owner can appeal from the WhatsApp app on the phone."));
    case WA_CLIENT_STATE_TEMPORARILY_BANNED:
      {
        g_autoptr(GDateTime) until = g_date_time_new_from_unix_local (ban_until);
        g_autofree char *when = until != NULL ? g_date_time_format (until, "%c") : g_strdup ("?");

        /* Translators: %s is a date and time, then WhatsApp's code for the ban */
        return g_strdup_printf (_("WhatsApp banned this account until %s (code %s), usually for messaging "
                                  "many people who do not have its number. Xender-In connects again then, "
                                  "not sooner: trying earlier makes a ban longer."),
                                when, ban_code != NULL ? ban_code : "?");
      }
    case WA_CLIENT_STATE_OUTDATED:
      return g_strdup (_("This version of WhatsApp Web is too old: WhatsApp refuses it. Update the WhatsApp "
                         "version setting (whatsapp-version), then connect again."));
    default:
      return NULL;
    }
}

/* Another process may hold the database for longer than one write
 * waits (an import): the link is written again, a second apart, before
 * it is given up. */
#define KEEP_LINK_TRIES    10
#define KEEP_LINK_PAUSE_MS 1000

typedef struct
{
  guint    tries;
  gboolean disk_was_full;  /* the last try failed for want of room */
  GError  *last;           /* the last write's error, the link undone for it */
} KeepLink;

static void
keep_link_free (KeepLink *keep)
{
  g_clear_error (&keep->last);
  g_free (keep);
}

static void
unlinked_unkept_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KeepLink *keep = g_task_get_task_data (task);
  gboolean disk_full = g_error_matches (keep->last, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);
  const char *detail = keep->last != NULL ? keep->last->message : _("its keys are not on the disk");
  gboolean removed = FALSE;

  /* Its keys could not be wiped from a full disk either; they name no
   * device any more, and linking again replaces them. The phone's list
   * is another matter: unconfirmed, the user removes it there. */
  wa_client_unlink_finish (WA_CLIENT (object), result, &removed, NULL);
  if (disk_full && removed)
    g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL, "%s",
                             _("The disk is full: this computer could not keep its link to WhatsApp, so it "
                               "unlinked itself. Free some space, then link it again."));
  else if (disk_full)
    g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL, "%s",
                             _("The disk is full: this computer could not keep its link to WhatsApp. Remove "
                               "“Xender-In” from Linked devices on the phone, free some space, then link it "
                               "again."));
  else if (removed)
    g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_FAILED,
                             _("This computer could not keep its link to WhatsApp (%s), so it unlinked itself. "
                               "Link it again."),
                             detail);
  else
    g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_FAILED,
                             _("This computer could not keep its link to WhatsApp (%s). Remove “Xender-In” "
                               "from Linked devices on the phone, then link it again."),
                             detail);
}

/* Undoes the link (the phone forgets the device) and fails @task (taken
 * over) with why: @error, the last write's (%NULL: it wrote nothing). */
static void
give_up_link (GTask        *task,
              const GError *error)
{
  KeepLink *keep = g_task_get_task_data (task);
  WaClient *client = g_task_get_source_object (task);

  keep->last = error != NULL ? g_error_copy (error) : NULL;
  wa_client_unlink_async (client, NULL, unlinked_unkept_cb, task);
}

static void link_flushed_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data);

/* Written once the key store went back to the disk after the failed
 * write: written sooner, the link would be read over. */
static gboolean
keep_link_again_cb (gpointer user_data)
{
  GTask *task = user_data;
  WaClient *client = g_task_get_source_object (task);

  if (wa_client_save_link (client))
    wa_key_store_flush_async (wa_client_get_key_store (client), NULL, link_flushed_cb, g_object_ref (task));
  else
    give_up_link (g_object_ref (task), NULL);
  return G_SOURCE_REMOVE;
}

static void
link_flushed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KeepLink *keep = g_task_get_task_data (task);
  WaKeyStore *store = WA_KEY_STORE (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(WaCredentials) credentials = NULL;
  g_autoptr(GSource) pause = NULL;
  g_autofree char *jid = NULL;
  gboolean disk_full;

  if (wa_key_store_flush_finish (store, result, &error) && (jid = wa_pairing_load_device_jid (store)) != NULL &&
      (credentials = wa_credentials_load (store, NULL)) != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Without an error here, a key write before this flush failed and the
   * key store went back to the disk, which does not hold the link: the
   * client still does, so it is written again, and that write's error
   * is the one that counts. Only a full disk found twice in a row gives
   * up early. */
  disk_full = g_error_matches (error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);
  keep->tries++;
  if (keep->tries >= KEEP_LINK_TRIES || (disk_full && keep->disk_was_full))
    {
      give_up_link (g_steal_pointer (&task), error);
      return;
    }
  if (error != NULL)
    g_message ("Could not keep the new link yet, trying again: %s", error->message);
  keep->disk_was_full = disk_full;
  pause = g_timeout_source_new (error != NULL ? KEEP_LINK_PAUSE_MS : 0);
  g_source_set_callback (pause, keep_link_again_cb, g_steal_pointer (&task), g_object_unref);
  g_source_attach (pause, g_main_context_get_thread_default ());
}

/**
 * xi_connection_keep_link_async:
 * @client: a client that has just paired, and is connected
 * @callback: called once the link is known to be kept, or undone
 * @user_data: for @callback
 *
 * The keys that make this computer the linked device are written after
 * the phone's scan; when that write fails (a full disk), the client still
 * holds them in memory and logs in, but nothing would after a restart,
 * and the phone would list a device nobody can use. This makes the key
 * store write what it holds and checks that the device's name and keys
 * are on disk. When they are not, the client writes them again from
 * memory (room may be back, another process may have let go of the
 * database); only when that keeps failing (a full disk twice in a row, or
 * ten tries) is the device unlinked (the phone forgets it) and the call
 * fails saying why. The app's connection and `xender-in-cli
 * link` both finish a new link this way. On @client's thread.
 */
void
xi_connection_keep_link_async (WaClient            *client,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task = g_task_new (client, NULL, callback, user_data);

  g_task_set_source_tag (task, xi_connection_keep_link_async);
  g_task_set_task_data (task, g_new0 (KeepLink, 1), (GDestroyNotify) keep_link_free);
  wa_key_store_flush_async (wa_client_get_key_store (client), NULL, link_flushed_cb, task);
}

gboolean
xi_connection_keep_link_finish (WaClient      *client,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Why the connection is in @status, in words for the user: WhatsApp's
 * own refusals said plainly, anything else as the client's last error. */
static char *
dup_reason (XiConnection       *self,
            XiConnectionStatus  status)
{
  WaClient *client = self->net.client;

  switch (status)
    {
    case XI_CONNECTION_STATUS_NOT_LINKED:
    case XI_CONNECTION_STATUS_CONNECTED:
      return NULL;
    case XI_CONNECTION_STATUS_BANNED:
    case XI_CONNECTION_STATUS_TEMPORARILY_BANNED:
    case XI_CONNECTION_STATUS_OUTDATED:
      return xi_connection_describe_refusal (wa_client_get_state (client), wa_client_get_ban_code (client),
                                             wa_client_get_ban_until (client));
    default:
      if (self->net.link_lost != NULL)
        return g_strdup (self->net.link_lost);
      return g_strdup (wa_client_get_last_error (client));
    }
}

static void
publish (XiConnection *self)
{
  g_autoptr(Snapshot) snapshot = g_new0 (Snapshot, 1);
  const char *device_jid = NULL;

  assert_network_thread (self);

  if (self->net.client != NULL)
    {
      WaClientState state = wa_client_get_state (self->net.client);

      device_jid = wa_client_get_device_jid (self->net.client);
      snapshot->status = current_status (self, device_jid);
      if (state == WA_CLIENT_STATE_WAITING || state == WA_CLIENT_STATE_TEMPORARILY_BANNED)
        snapshot->retry_at = self->net.retry_at;
      if (state == WA_CLIENT_STATE_PAIRING)
        snapshot->qr = g_strdup (self->net.qr);
      snapshot->reason = dup_reason (self, snapshot->status);
      if (self->net.transport != NULL)
        snapshot->new_chats_paused_until = xi_transport_get_new_chats_paused_until (self->net.transport);
    }
  else
    snapshot->status = XI_CONNECTION_STATUS_NOT_LINKED;
  snapshot->device_jid = g_strdup (device_jid);

  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
    {
      g_autofree char *name = g_enum_to_string (XI_TYPE_CONNECTION_STATUS, snapshot->status);

      g_debug ("Status: %s", name);
    }

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->pending, snapshot_free);
  self->pending = g_steal_pointer (&snapshot);
  if (self->publish_source == NULL)
    {
      self->publish_source = g_idle_source_new ();
      g_source_set_priority (self->publish_source, G_PRIORITY_DEFAULT);
      g_source_set_callback (self->publish_source, publish_cb, self, NULL);
      g_source_attach (self->publish_source, self->main_context);
    }
  g_mutex_unlock (&self->lock);
}

static void
transport_paused_cb (XiTransport  *transport,
                     GParamSpec   *pspec,
                     XiConnection *self)
{
  publish (self);
}

static void
link_kept_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(XiConnection) self = user_data;
  g_autoptr(GError) error = NULL;

  self->net.pairing_unsure = FALSE;
  self->net.checking_link = FALSE;
  if (!xi_connection_keep_link_finish (WA_CLIENT (object), result, &error))
    {
      g_message ("%s", error->message);
      self->net.link_lost = g_strdup (error->message);
    }
  /* Stopped meanwhile: nobody is told any more. */
  if (self->net.client == WA_CLIENT (object))
    publish (self);
}

static void
client_state_cb (WaClient     *client,
                 GParamSpec   *pspec,
                 XiConnection *self)
{
  WaClientState state = wa_client_get_state (client);

  if (state != WA_CLIENT_STATE_PAIRING)
    g_clear_pointer (&self->net.qr, g_free);
  if (state == WA_CLIENT_STATE_STOPPED && self->net.state == WA_CLIENT_STATE_PAIRING && !self->net.stopping)
    self->net.expired = TRUE;
  /* The first login of a new link: it is told once it is on disk. A
   * link that ends before it logs in needs no check. */
  if (state == WA_CLIENT_STATE_CONNECTED && self->net.pairing_unsure && !self->net.checking_link)
    {
      self->net.checking_link = TRUE;
      xi_connection_keep_link_async (client, link_kept_cb, g_object_ref (self));
    }
  else if (state != WA_CLIENT_STATE_CONNECTING && state != WA_CLIENT_STATE_WAITING &&
           state != WA_CLIENT_STATE_CONNECTED && !self->net.checking_link)
    self->net.pairing_unsure = FALSE;
  self->net.state = state;
  publish (self);
}

/* The client says how long it waits before it says it is waiting. */
static void
client_retry_in_cb (WaClient     *client,
                    GParamSpec   *pspec,
                    XiConnection *self)
{
  self->net.retry_at = g_get_monotonic_time () + (gint64)wa_client_get_retry_in (client) * G_USEC_PER_SEC;
}

static void
client_qr_cb (WaClient     *client,
              const char   *qr,
              XiConnection *self)
{
  g_free (self->net.qr);
  self->net.qr = g_strdup (qr);
  publish (self);
}

static void
client_paired_cb (WaClient     *client,
                  const char   *jid,
                  XiConnection *self)
{
  g_clear_pointer (&self->net.qr, g_free);
  self->net.pairing_unsure = TRUE;
  publish (self);
}

static gboolean
network_changed_on_network_thread (gpointer user_data)
{
  XiConnection *self = user_data;

  if (self->net.client != NULL)
    publish (self);
  return G_SOURCE_REMOVE;
}

/* A monitor emits on the thread that made it, which need not be this
 * one: only hop over. */
static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    XiConnection    *self)
{
  g_main_context_invoke (self->net_context, network_changed_on_network_thread, self);
}

typedef struct
{
  XiConnection    *self;
  GHashTable      *loaded;
  GNetworkMonitor *monitor;
  guint            backoff_first_ms;
  guint            backoff_max_ms;
} StartCall;

/* A test server's media host (XI_WA_MEDIA_CA); a bad value leaves the
 * system's certificates, which that host's cannot pass. */
static void
apply_media_ca (WaClient *client)
{
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;

  if (!xi_wa_endpoint_read_media_ca (&database, &error))
    g_warning ("%s", error->message);
  else if (database != NULL)
    wa_media_set_tls_database (client, database);
}

static gboolean
start_on_network_thread (gpointer user_data)
{
  StartCall *call = user_data;
  XiConnection *self = call->self;
  g_autofree char *device_jid = NULL;

  assert_network_thread (self);

  /* The default monitor emits on the context it was made on: make it
   * here, where the client listens, before anybody makes it elsewhere. */
  self->net.monitor = call->monitor != NULL ? g_steal_pointer (&call->monitor)
                                            : g_object_ref (g_network_monitor_get_default ());
  self->net.keys = xi_key_store_new (self->store, call->loaded);
  self->net.client = wa_client_new (WA_KEY_STORE (self->net.keys), self->url, self->root_key);
  wa_client_set_network_monitor (self->net.client, self->net.monitor);
  if (call->backoff_first_ms > 0)
    wa_client_set_backoff (self->net.client, call->backoff_first_ms, call->backoff_max_ms);
  if (self->net.app_version[0] != 0)
    wa_client_set_app_version (self->net.client, self->net.app_version);
  apply_media_ca (self->net.client);
  g_signal_connect (self->net.client, "notify::state", G_CALLBACK (client_state_cb), self);
  g_signal_connect (self->net.client, "notify::retry-in", G_CALLBACK (client_retry_in_cb), self);
  g_signal_connect (self->net.client, "qr", G_CALLBACK (client_qr_cb), self);
  g_signal_connect (self->net.client, "paired", G_CALLBACK (client_paired_cb), self);
  self->net.monitor_handler = g_signal_connect (self->net.monitor, "network-changed",
                                                G_CALLBACK (network_changed_cb), self);
  /* One transport for the client's whole life: it follows the client
   * through linking, unlinking and linking again. */
  self->net.transport = xi_whatsapp_transport_new (self->net.client);
  g_signal_connect (self->net.transport, "notify::new-chats-paused-until", G_CALLBACK (transport_paused_cb), self);
  if (self->runner != NULL)
    xi_campaign_runner_set_whatsapp_transport (self->runner, self->net.transport);

  device_jid = wa_pairing_load_device_jid (WA_KEY_STORE (self->net.keys));
  if (device_jid != NULL || self->net.link_requested)
    wa_client_start (self->net.client);
  publish (self);

  g_hash_table_unref (call->loaded);
  g_free (call);
  return G_SOURCE_REMOVE;
}

static gboolean
stop_on_network_thread (gpointer user_data)
{
  XiConnection *self = user_data;

  assert_network_thread (self);

  if (self->runner != NULL && self->net.transport != NULL)
    xi_campaign_runner_set_whatsapp_transport (self->runner, NULL);
  if (self->net.transport != NULL)
    g_signal_handlers_disconnect_by_data (self->net.transport, self);
  g_clear_object (&self->net.transport);
  if (self->net.client != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->net.client, self);
      wa_client_stop (self->net.client);
    }
  if (self->net.keys != NULL)
    xi_key_store_close (self->net.keys);
  if (self->net.monitor != NULL)
    g_clear_signal_handler (&self->net.monitor_handler, self->net.monitor);
  g_clear_object (&self->net.client);
  g_clear_object (&self->net.keys);
  g_clear_object (&self->net.monitor);
  g_clear_pointer (&self->net.qr, g_free);
  g_clear_pointer (&self->net.link_lost, g_free);

  g_mutex_lock (&self->lock);
  self->net_done = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  return G_SOURCE_REMOVE;
}

static gboolean
link_on_network_thread (gpointer user_data)
{
  XiConnection *self = user_data;

  assert_network_thread (self);

  /* The user was quicker than the store: link once the keys are read. */
  if (self->net.client == NULL)
    {
      self->net.link_requested = TRUE;
      return G_SOURCE_REMOVE;
    }
  switch (wa_client_get_state (self->net.client))
    {
    case WA_CLIENT_STATE_CONNECTED:
    case WA_CLIENT_STATE_CONNECTING:
    case WA_CLIENT_STATE_PAIRING:
      /* Already on its way: a reopened dialog shows where it is. */
      return G_SOURCE_REMOVE;
    default:
      break;
    }
  self->net.stopping = FALSE;
  self->net.unlinking = FALSE;
  self->net.expired = FALSE;
  g_clear_pointer (&self->net.link_lost, g_free);
  wa_client_start (self->net.client);
  publish (self);
  return G_SOURCE_REMOVE;
}

static gboolean
cancel_link_on_network_thread (gpointer user_data)
{
  XiConnection *self = user_data;

  assert_network_thread (self);

  /* Once the phone has paired, the link is made: closing the dialog
   * then must not throw it away. */
  self->net.link_requested = FALSE;
  if (self->net.client == NULL || wa_client_get_device_jid (self->net.client) != NULL)
    return G_SOURCE_REMOVE;
  self->net.stopping = TRUE;
  self->net.expired = FALSE;
  wa_client_stop (self->net.client);
  publish (self);
  return G_SOURCE_REMOVE;
}

static void
unlinked_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiConnection *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  gboolean removed = FALSE;

  if (!wa_client_unlink_finish (WA_CLIENT (object), result, &removed, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    {
      g_task_set_task_data (task, GINT_TO_POINTER (removed), NULL);
      g_task_return_boolean (task, TRUE);
    }
  if (self->net.client != NULL)
    publish (self);
}

static gboolean
unlink_on_network_thread (gpointer user_data)
{
  GTask *task = user_data;
  XiConnection *self = g_task_get_source_object (task);

  assert_network_thread (self);

  if (self->net.client == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("Xender-In is shutting down. Try again after it restarts."));
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }
  self->net.unlinking = TRUE;
  self->net.stopping = FALSE;
  self->net.expired = FALSE;
  wa_client_unlink_async (self->net.client, NULL, unlinked_cb, task);
  return G_SOURCE_REMOVE;
}

static void keys_loaded_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data);

static void
load_keys (XiConnection *self)
{
  xi_store_load_keys_async (self->store, xi_key_store_lazy_kinds (), self->cancellable, keys_loaded_cb,
                            g_object_ref (self));
}

static void
clear_keys_retry (XiConnection *self)
{
  if (self->keys_retry != NULL)
    {
      g_source_destroy (self->keys_retry);
      g_clear_pointer (&self->keys_retry, g_source_unref);
    }
}

static gboolean
keys_retry_cb (gpointer user_data)
{
  XiConnection *self = user_data;

  g_clear_pointer (&self->keys_retry, g_source_unref);
  load_keys (self);
  return G_SOURCE_REMOVE;
}

/* The keyring did not answer within its wait: it is locked and the
 * prompt went unanswered (a login that started the app before the user
 * typed the password). The session is still there, so this is no
 * reason to say "not linked": the keys are read again later, doubling
 * the wait, and at once when the user asks to connect. */
static void
retry_keys_later (XiConnection *self)
{
  g_autoptr(Snapshot) snapshot = g_new0 (Snapshot, 1);
  guint first_ms = self->backoff_first_ms > 0 ? self->backoff_first_ms : KEYS_RETRY_FIRST_MS;
  guint max_ms = self->backoff_first_ms > 0 ? self->backoff_max_ms : KEYS_RETRY_MAX_MS;
  guint64 wait_ms = MIN ((guint64) first_ms << MIN (self->keys_attempts, 16u), max_ms);

  self->keys_attempts++;
  snapshot->status = XI_CONNECTION_STATUS_RECONNECTING;
  snapshot->retry_at = g_get_monotonic_time () + (gint64) wait_ms * 1000;
  snapshot->reason = g_strdup (_("The keyring is locked: unlock it to connect"));
  apply_snapshot (self, snapshot);

  clear_keys_retry (self);
  self->keys_retry = g_timeout_source_new ((guint) wait_ms);
  g_source_set_callback (self->keys_retry, keys_retry_cb, self, NULL);
  g_source_attach (self->keys_retry, self->main_context);
}

static void
keys_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GHashTable) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiConnection) self = user_data;
  StartCall *call;

  loaded = xi_store_load_keys_finish (XI_STORE (object), result, &error);
  if (self->stopped)
    return;
  if (loaded == NULL && g_error_matches (error, XI_STORE_ERROR, XI_STORE_ERROR_SECRETS_LOCKED))
    {
      retry_keys_later (self);
      return;
    }
  if (loaded == NULL)
    {
      g_autoptr(Snapshot) snapshot = g_new0 (Snapshot, 1);

      /* Without its keys the app can still do everything but send. Keys
       * sealed under a key the keyring no longer has are not a fault of
       * this run: the reason tells the user to link again. */
      self->keys_unreadable = g_error_matches (error, XI_STORE_ERROR, XI_STORE_ERROR_UNREADABLE);
      if (!self->keys_unreadable)
        g_warning ("Could not read the WhatsApp session: %s", error->message);
      snapshot->status = XI_CONNECTION_STATUS_NOT_LINKED;
      snapshot->reason = g_strdup (error->message);
      apply_snapshot (self, snapshot);
      return;
    }

  call = g_new0 (StartCall, 1);
  call->self = self;
  call->loaded = g_steal_pointer (&loaded);
  call->monitor = g_steal_pointer (&self->monitor);
  call->backoff_first_ms = self->backoff_first_ms;
  call->backoff_max_ms = self->backoff_max_ms;
  g_main_context_invoke (self->net_context, start_on_network_thread, call);
}

/* GObject */

static void
xi_connection_dispose (GObject *object)
{
  XiConnection *self = (XiConnection *)object;

  xi_connection_stop (self);

  g_mutex_lock (&self->lock);
  if (self->publish_source != NULL)
    {
      g_source_destroy (self->publish_source);
      g_clear_pointer (&self->publish_source, g_source_unref);
    }
  g_clear_pointer (&self->pending, snapshot_free);
  g_mutex_unlock (&self->lock);

  G_OBJECT_CLASS (xi_connection_parent_class)->dispose (object);
}

static void
xi_connection_finalize (GObject *object)
{
  XiConnection *self = (XiConnection *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->runner);
  g_clear_object (&self->monitor);
  g_clear_object (&self->store);
  g_main_context_unref (self->main_context);
  g_main_context_unref (self->net_context);
  g_free (self->url);
  g_free (self->reason);
  g_free (self->qr);
  g_free (self->phone);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (xi_connection_parent_class)->finalize (object);
}

static void
xi_connection_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  XiConnection *self = XI_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_RETRY_AT:
      g_value_set_int64 (value, self->retry_at);
      break;
    case PROP_REASON:
      g_value_set_string (value, self->reason);
      break;
    case PROP_QR:
      g_value_set_string (value, self->qr);
      break;
    case PROP_PHONE:
      g_value_set_string (value, self->phone);
      break;
    case PROP_DEVICE_NAME:
      g_value_set_string (value, xi_connection_get_device_name (self));
      break;
    case PROP_LINKED:
      g_value_set_boolean (value, self->linked);
      break;
    case PROP_NEW_CHATS_PAUSED_UNTIL:
      g_value_set_int64 (value, self->new_chats_paused_until);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_connection_class_init (XiConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xi_connection_dispose;
  object_class->finalize = xi_connection_finalize;
  object_class->get_property = xi_connection_get_property;

  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, XI_TYPE_CONNECTION_STATUS, XI_CONNECTION_STATUS_STARTING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XiConnection:retry-at:
   *
   * The monotonic time (g_get_monotonic_time()) of the next attempt
   * while reconnecting, otherwise 0.
   */
  properties[PROP_RETRY_AT] =
    g_param_spec_int64 ("retry-at", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XiConnection:reason:
   *
   * Why the last connection failed or ended, in the protocol library's
   * words; a detail to show under a message of the UI's own.
   */
  properties[PROP_REASON] =
    g_param_spec_string ("reason", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_QR] =
    g_param_spec_string ("qr", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PHONE] =
    g_param_spec_string ("phone", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEVICE_NAME] =
    g_param_spec_string ("device-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LINKED] =
    g_param_spec_boolean ("linked", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Until when (Unix seconds) WhatsApp lets the account start no new
   * chat (its reach-out time-lock); 0 when it may. */
  properties[PROP_NEW_CHATS_PAUSED_UNTIL] =
    g_param_spec_int64 ("new-chats-paused-until", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * XiConnection::message-changed:
   * @phone: the number it was written to
   *
   * A message sent by hand was written to the store, or its sending
   * ended; the conversation with @phone has changed.
   */
  signals[MESSAGE_CHANGED] = g_signal_new ("message-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
xi_connection_init (XiConnection *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->main_context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
}

/* Public API */

/**
 * xi_connection_new:
 * @store: the open store, which keeps the WhatsApp keys
 * @net_context: the network thread's main context, which must run until
 *   xi_connection_stop() returns
 * @url: the WhatsApp server (see xi_wa_endpoint_read())
 * @root_key: the key its certificates must lead to
 *
 * Returns: (transfer full): a connection that does nothing until
 *   xi_connection_start()
 */
XiConnection *
xi_connection_new (XiStore      *store,
                   GMainContext *net_context,
                   const char   *url,
                   const guint8  root_key[WA_KEY_LEN])
{
  XiConnection *self;

  g_return_val_if_fail (XI_IS_STORE (store), NULL);
  g_return_val_if_fail (net_context != NULL, NULL);
  g_return_val_if_fail (url != NULL && root_key != NULL, NULL);

  self = g_object_new (XI_TYPE_CONNECTION, NULL);
  self->store = g_object_ref (store);
  self->net_context = g_main_context_ref (net_context);
  self->url = g_strdup (url);
  memcpy (self->root_key, root_key, WA_KEY_LEN);
  return self;
}

/**
 * xi_connection_set_network_monitor:
 * @monitor: what tells whether there is a network; it must emit its
 *   signals on the network thread
 *
 * Replaces the default network monitor, for tests. Call it before
 * xi_connection_start().
 */
void
xi_connection_set_network_monitor (XiConnection    *self,
                                   GNetworkMonitor *monitor)
{
  g_return_if_fail (XI_IS_CONNECTION (self));
  g_return_if_fail (G_IS_NETWORK_MONITOR (monitor));
  g_return_if_fail (!self->started);

  g_set_object (&self->monitor, monitor);
}

/**
 * xi_connection_set_backoff:
 *
 * Changes the first reconnect delay and its ceiling, for tests. Call it
 * before xi_connection_start().
 */
void
xi_connection_set_backoff (XiConnection *self,
                           guint         first_ms,
                           guint         max_ms)
{
  g_return_if_fail (XI_IS_CONNECTION (self));
  g_return_if_fail (!self->started);

  self->backoff_first_ms = MAX (first_ms, 1);
  self->backoff_max_ms = MAX (max_ms, first_ms);
}

/**
 * xi_connection_start:
 *
 * Reads the saved session and, when there is one, logs in with it. With
 * none, nothing connects until xi_connection_link().
 */
void
xi_connection_start (XiConnection *self)
{
  g_return_if_fail (XI_IS_CONNECTION (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  load_keys (self);
}

/**
 * xi_connection_stop:
 *
 * Disconnects and drops the client on the network thread, and waits
 * until that is done. Call it before the network thread ends.
 */
void
xi_connection_stop (XiConnection *self)
{
  g_return_if_fail (XI_IS_CONNECTION (self));

  if (!self->started || self->stopped)
    return;
  self->stopped = TRUE;
  g_cancellable_cancel (self->cancellable);
  clear_keys_retry (self);

  g_main_context_invoke (self->net_context, stop_on_network_thread, self);
  g_mutex_lock (&self->lock);
  while (!self->net_done)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

/**
 * xi_connection_link:
 *
 * Starts connecting: with no session the client shows linking codes
 * (#XiConnection:qr), with one it logs in; either way a pending retry
 * happens now. Does nothing while connected or showing a code.
 */
void
xi_connection_link (XiConnection *self)
{
  g_return_if_fail (XI_IS_CONNECTION (self));

  if (!self->started || self->stopped)
    return;
  g_main_context_invoke (self->net_context, link_on_network_thread, self);

  /* The client starts once the keys are read again, wiped. */
  if (self->keys_unreadable)
    {
      g_autoptr(GPtrArray) wipe = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_key_change_free);

      self->keys_unreadable = FALSE;
      g_ptr_array_add (wipe, xi_key_change_new (NULL, NULL, NULL));
      xi_store_put_keys_async (self->store, wipe, NULL, NULL, NULL);
      load_keys (self);
    }
  /* The user may have unlocked the keyring to connect. */
  if (self->keys_retry != NULL)
    {
      clear_keys_retry (self);
      load_keys (self);
    }
}

/**
 * xi_connection_cancel_link:
 *
 * Stops linking when the phone has not scanned a code yet; nothing is
 * linked then, and nothing connects until the next xi_connection_link().
 */
void
xi_connection_cancel_link (XiConnection *self)
{
  g_return_if_fail (XI_IS_CONNECTION (self));

  if (self->started && !self->stopped)
    g_main_context_invoke (self->net_context, cancel_link_on_network_thread, self);
}

/**
 * xi_connection_unlink_async:
 * @self: a #XiConnection
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on this thread when done
 * @user_data: closure
 *
 * Unlinks this computer: tells WhatsApp to remove it from the phone's
 * linked devices when connected, and in any case wipes the session keys.
 * The status becomes %XI_CONNECTION_STATUS_NOT_LINKED.
 */
void
xi_connection_unlink_async (XiConnection        *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (XI_IS_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_connection_unlink_async);

  if (!self->started || self->stopped)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("Xender-In is shutting down. Try again after it restarts."));
      return;
    }
  g_main_context_invoke (self->net_context, unlink_on_network_thread, g_steal_pointer (&task));
}

/**
 * xi_connection_unlink_finish:
 * @removed: (out) (optional): set to whether WhatsApp confirmed that it
 *   removed this computer from the phone's linked devices; when it did
 *   not (offline, no answer), the phone may still list it
 *
 * Returns: %TRUE once the keys are gone, or %FALSE with @error set
 */
gboolean
xi_connection_unlink_finish (XiConnection  *self,
                             GAsyncResult  *result,
                             gboolean      *removed,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  if (removed != NULL)
    *removed = GPOINTER_TO_INT (g_task_get_task_data (G_TASK (result)));
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * xi_connection_get_status:
 *
 * Returns: what the user is told about the connection now
 */
XiConnectionStatus
xi_connection_get_status (XiConnection *self)
{
  g_return_val_if_fail (XI_IS_CONNECTION (self), XI_CONNECTION_STATUS_NOT_LINKED);
  return self->status;
}

/**
 * xi_connection_get_retry_at:
 *
 * Returns: the monotonic time of the next attempt while reconnecting,
 *   otherwise 0
 */
gint64
xi_connection_get_retry_at (XiConnection *self)
{
  g_return_val_if_fail (XI_IS_CONNECTION (self), 0);
  return self->retry_at;
}

/**
 * xi_connection_get_seconds_to_retry:
 *
 * For a countdown: ask again every second.
 *
 * Returns: whole seconds until the next attempt, rounded up; 0 when it
 *   is due or none is planned
 */
guint
xi_connection_get_seconds_to_retry (XiConnection *self)
{
  gint64 left;

  g_return_val_if_fail (XI_IS_CONNECTION (self), 0);

  if (self->retry_at == 0)
    return 0;
  left = self->retry_at - g_get_monotonic_time ();
  return left > 0 ? (guint)((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0;
}

typedef struct
{
  XiConnection *self;
  guint32       version[3];
} VersionCall;

static gboolean
set_version_on_network_thread (gpointer user_data)
{
  VersionCall *call = user_data;
  XiConnection *self = call->self;

  assert_network_thread (self);
  memcpy (self->net.app_version, call->version, sizeof self->net.app_version);
  if (self->net.client != NULL)
    wa_client_set_app_version (self->net.client, self->net.app_version);
  return G_SOURCE_REMOVE;
}

/**
 * xi_connection_set_wa_version:
 * @version: (nullable): the WhatsApp Web version to announce, such as
 *   "2.3000.1045649367"; %NULL or "" for the built-in one
 * @error: return location for an error naming what is wrong with it
 *
 * Used from the next connection on; WhatsApp refuses retired versions
 * (#XI_CONNECTION_STATUS_OUTDATED).
 *
 * Returns: whether @version is one
 */
gboolean
xi_connection_set_wa_version (XiConnection  *self,
                              const char    *version,
                              GError       **error)
{
  VersionCall *call;

  g_return_val_if_fail (XI_IS_CONNECTION (self), FALSE);

  call = g_new0 (VersionCall, 1);
  call->self = self;
  if (version != NULL && version[0] != '\0' && !wa_app_version_parse (version, call->version, error))
    {
      g_free (call);
      return FALSE;
    }
  g_main_context_invoke_full (self->net_context, G_PRIORITY_DEFAULT, set_version_on_network_thread, call, g_free);
  return TRUE;
}

/**
 * xi_connection_get_new_chats_paused_until:
 *
 * Returns: until when (Unix seconds) WhatsApp lets the account start no
 *   new chat, or 0 when it may; messages to existing chats still go
 */
gint64
xi_connection_get_new_chats_paused_until (XiConnection *self)
{
  g_return_val_if_fail (XI_IS_CONNECTION (self), 0);
  return self->new_chats_paused_until;
}

/**
 * xi_connection_get_reason:
 *
 * Returns: (nullable): why the last connection failed or ended
 */
const char *
xi_connection_get_reason (XiConnection *self)
{
  g_return_val_if_fail (XI_IS_CONNECTION (self), NULL);
  return self->reason;
}

/**
 * xi_connection_get_qr:
 *
 * Returns: (nullable): the text of the linking code to show now
 */
const char *
xi_connection_get_qr (XiConnection *self)
{
  g_return_val_if_fail (XI_IS_CONNECTION (self), NULL);
  return self->qr;
}

/**
 * xi_connection_get_phone:
 *
 * Returns: (nullable): the linked account's number, formatted for people
 */
const char *
xi_connection_get_phone (XiConnection *self)
{
  g_return_val_if_fail (XI_IS_CONNECTION (self), NULL);
  return self->phone;
}

/**
 * xi_connection_get_device_name:
 *
 * Returns: (nullable): the name the phone lists this computer under,
 *   once linked
 */
const char *
xi_connection_get_device_name (XiConnection *self)
{
  WaClientInfo info;

  g_return_val_if_fail (XI_IS_CONNECTION (self), NULL);

  if (!self->linked)
    return NULL;
  wa_client_info_init (&info);
  return info.device_name;
}

/**
 * xi_connection_is_linked:
 *
 * Returns: whether a WhatsApp account is linked (a session is saved)
 */
gboolean
xi_connection_is_linked (XiConnection *self)
{
  g_return_val_if_fail (XI_IS_CONNECTION (self), FALSE);
  return self->linked;
}

/**
 * xi_connection_set_runner:
 * @runner: the campaign runner whose network thread the client lives on
 *
 * Lets campaigns that go through WhatsApp use this connection's client.
 * Call it before xi_connection_start().
 */
void
xi_connection_set_runner (XiConnection     *self,
                          XiCampaignRunner *runner)
{
  g_return_if_fail (XI_IS_CONNECTION (self));
  g_return_if_fail (XI_IS_CAMPAIGN_RUNNER (runner));
  g_return_if_fail (!self->started);

  g_set_object (&self->runner, runner);
}

/* One message */

/* A message written by hand goes through the store twice: written
 * pending before it is sent, so the conversation shows it at once and a
 * receipt that overtakes the ack finds it, then marked sent or failed. */
typedef struct
{
  XiConnection *self;
  char         *phone;
  char         *text;
  char         *reply_to;
  XiAsset      *attachment;
  char         *message_id;
  GTask        *task;
  GError       *error;       /* why the send failed, once it has */
} SendCall;

static void
send_call_free (SendCall *call)
{
  g_free (call->phone);
  g_free (call->text);
  g_free (call->reply_to);
  g_clear_object (&call->attachment);
  g_free (call->message_id);
  g_clear_error (&call->error);
  g_clear_object (&call->task);
  g_clear_object (&call->self);
  g_free (call);
}

static void
reply_finished_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SendCall *call = user_data;
  g_autoptr(GError) error = NULL;

  if (!xi_store_finish_reply_finish (XI_STORE (object), result, &error))
    g_warning ("Could not record how a message ended: %s", error->message);
  g_signal_emit (call->self, signals[MESSAGE_CHANGED], 0, call->phone);
  if (call->error != NULL)
    g_task_return_error (call->task, g_steal_pointer (&call->error));
  else
    g_task_return_pointer (call->task, g_strdup (call->message_id), g_free);
  send_call_free (call);
}

/* Main thread: the outcome is written even when the caller is gone. */
static gboolean
record_outcome (gpointer user_data)
{
  SendCall *call = user_data;

  xi_store_finish_reply_async (call->self->store, call->message_id,
                               call->error != NULL ? call->error->message : NULL,
                               NULL, reply_finished_cb, call);
  return G_SOURCE_REMOVE;
}

static void
text_sent_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SendCall *call = user_data;

  xi_transport_send_text_finish (XI_TRANSPORT (object), result, &call->error);
  g_main_context_invoke (call->self->main_context, record_outcome, call);
}

static gboolean
send_on_network_thread (gpointer user_data)
{
  SendCall *call = user_data;
  XiConnection *self = call->self;

  assert_network_thread (self);

  if (self->net.transport == NULL ||
      xi_transport_get_state (self->net.transport) != XI_TRANSPORT_STATE_CONNECTED)
    {
      g_set_error_literal (&call->error, XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_DISCONNECTED,
                           _("WhatsApp is not connected. Send it once the connection is back."));
      g_main_context_invoke (self->main_context, record_outcome, call);
      return G_SOURCE_REMOVE;
    }
  /* Not the caller's cancellable: once handed over, the message is on
   * its way, and its outcome must be known. */
  xi_transport_send_text_async (self->net.transport, call->phone, call->message_id, call->text,
                                call->attachment, NULL, text_sent_cb, call);
  return G_SOURCE_REMOVE;
}

static void
reply_added_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  SendCall *call = user_data;
  g_autoptr(XiChatMessage) message = NULL;
  GError *error = NULL;

  message = xi_store_add_reply_finish (XI_STORE (object), result, &error);
  if (message == NULL)
    {
      g_task_return_error (call->task, error);
      send_call_free (call);
      return;
    }
  g_signal_emit (call->self, signals[MESSAGE_CHANGED], 0, call->phone);
  if (call->self->stopped)
    {
      g_set_error_literal (&call->error, XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_DISCONNECTED,
                           _("WhatsApp is not connected. Send it once the connection is back."));
      record_outcome (call);
      return;
    }
  g_main_context_invoke (call->self->net_context, send_on_network_thread, call);
}

/**
 * xi_connection_send_text_async:
 * @phone: E.164 digits
 * @text: the message, or a picture's or document's caption
 * @attachment: (nullable): a picture or document from the asset library
 * @reply_to: (nullable): the WhatsApp id of the customer's message this
 *   answers; a number that opted out can only be answered so
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on this thread once WhatsApp's server took the
 *   message, or with why not (an %XI_TRANSPORT_ERROR, or an
 *   %XI_STORE_ERROR such as %XI_STORE_ERROR_OPTED_OUT)
 * @user_data: closure
 *
 * Sends one message now through the linked account. It is written to
 * the store first (#XiConnection::message-changed tells when), then sent,
 * then marked sent or failed; receipts move it on from there.
 */
void
xi_connection_send_text_async (XiConnection        *self,
                               const char          *phone,
                               const char          *text,
                               XiAsset             *attachment,
                               const char          *reply_to,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  SendCall *call;

  g_return_if_fail (XI_IS_CONNECTION (self));
  g_return_if_fail (phone != NULL && text != NULL);

  call = g_new0 (SendCall, 1);
  call->self = g_object_ref (self);
  call->phone = g_strdup (phone);
  call->text = g_strdup (text);
  call->reply_to = g_strdup (reply_to);
  call->attachment = attachment != NULL ? g_object_ref (attachment) : NULL;
  call->message_id = xi_message_id_new ();
  call->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (call->task, xi_connection_send_text_async);
  if (!self->started || self->stopped)
    {
      g_task_return_new_error (call->task, XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_DISCONNECTED,
                               _("WhatsApp is not connected. Send it once the connection is back."));
      send_call_free (call);
      return;
    }
  xi_store_add_reply_async (self->store, phone, call->message_id, text, reply_to, NULL,
                            reply_added_cb, call);
}

/**
 * xi_connection_send_text_finish:
 *
 * Returns: (transfer full) (nullable): the message's WhatsApp id, or
 *   %NULL with @error set
 */
char *
xi_connection_send_text_finish (XiConnection  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Checking numbers */

typedef struct
{
  char                  **phones;
  GTask                  *task;
  GMainContext           *main_context;
  XiNumberCheckProgress   progress;
  gpointer                progress_data;
  GDestroyNotify          progress_destroy;
  GPtrArray              *checks;       /* the result, once there is one */
  GError                 *error;        /* or why there is none */
} CheckCall;

static void
check_call_free (CheckCall *call)
{
  g_strfreev (call->phones);
  g_clear_object (&call->task);
  g_main_context_unref (call->main_context);
  if (call->progress_destroy != NULL)
    call->progress_destroy (call->progress_data);
  g_clear_pointer (&call->checks, g_ptr_array_unref);
  g_clear_error (&call->error);
  g_free (call);
}

typedef struct
{
  CheckCall *call;
  guint      done;
  guint      total;
} CheckProgress;

static gboolean
progress_on_main_thread (gpointer user_data)
{
  CheckProgress *progress = user_data;
  CheckCall *call = progress->call;

  if (!g_cancellable_is_cancelled (g_task_get_cancellable (call->task)))
    call->progress (progress->done, progress->total, call->progress_data);
  return G_SOURCE_REMOVE;
}

/* The call lives until the task completes on the main thread, after
 * any progress invoked before it. */
static void
checked_progress_cb (guint    done,
                     guint    total,
                     gpointer user_data)
{
  CheckCall *call = user_data;
  CheckProgress *progress;

  if (call->progress == NULL)
    return;
  progress = g_new0 (CheckProgress, 1);
  progress->call = call;
  progress->done = done;
  progress->total = total;
  g_main_context_invoke_full (call->main_context, G_PRIORITY_DEFAULT, progress_on_main_thread,
                              progress, g_free);
}

/* Progress reports were invoked on the main context before this, so
 * they ran before the call goes. */
static gboolean
complete_check_on_main_thread (gpointer user_data)
{
  CheckCall *call = user_data;

  if (call->error != NULL)
    g_task_return_error (call->task, g_steal_pointer (&call->error));
  else
    g_task_return_pointer (call->task, g_steal_pointer (&call->checks), (GDestroyNotify) g_ptr_array_unref);
  check_call_free (call);
  return G_SOURCE_REMOVE;
}

static void
numbers_checked_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  CheckCall *call = user_data;

  call->checks = xi_number_check_finish (result, &call->error);
  g_main_context_invoke (call->main_context, complete_check_on_main_thread, call);
}

static gboolean
check_on_network_thread (gpointer user_data)
{
  CheckCall *call = user_data;
  XiConnection *self = g_task_get_source_object (call->task);
  guint pause_min_ms, pause_max_ms;

  assert_network_thread (self);

  if (self->net.client == NULL)
    {
      call->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                                         _("WhatsApp is not connected. Check again once it is."));
      g_main_context_invoke (call->main_context, complete_check_on_main_thread, call);
      return G_SOURCE_REMOVE;
    }
  xi_number_check_read_pause (&pause_min_ms, &pause_max_ms);
  xi_number_check_async (self->net.client, self->store, (const char * const *) call->phones,
                         pause_min_ms, pause_max_ms, checked_progress_cb, call,
                         g_task_get_cancellable (call->task), numbers_checked_cb, call);
  return G_SOURCE_REMOVE;
}

/**
 * xi_connection_check_numbers_async:
 * @phones: numbers, E.164 digits
 * @progress: (nullable) (scope notified): called on this thread after
 *   each batch with the numbers asked so far and the total
 * @progress_data: for @progress
 * @progress_destroy: (nullable): frees @progress_data
 * @cancellable: (nullable): stops between batches; what was answered
 *   stays recorded
 * @callback: called on this thread with the result
 * @user_data: closure
 *
 * Asks WhatsApp which of @phones have an account (see
 * xi_number_check_async()), and records the answers on the contacts.
 */
void
xi_connection_check_numbers_async (XiConnection          *self,
                                   const char * const    *phones,
                                   XiNumberCheckProgress  progress,
                                   gpointer               progress_data,
                                   GDestroyNotify         progress_destroy,
                                   GCancellable          *cancellable,
                                   GAsyncReadyCallback    callback,
                                   gpointer               user_data)
{
  CheckCall *call;

  g_return_if_fail (XI_IS_CONNECTION (self));
  g_return_if_fail (phones != NULL);

  call = g_new0 (CheckCall, 1);
  call->phones = g_strdupv ((char **) phones);
  call->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (call->task, xi_connection_check_numbers_async);
  call->main_context = g_main_context_ref_thread_default ();
  call->progress = progress;
  call->progress_data = progress_data;
  call->progress_destroy = progress_destroy;
  if (!self->started || self->stopped)
    {
      g_task_return_new_error (call->task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("WhatsApp is not connected. Check again once it is."));
      check_call_free (call);
      return;
    }
  g_main_context_invoke (self->net_context, check_on_network_thread, call);
}

/**
 * xi_connection_check_numbers_finish:
 *
 * Returns: (transfer full) (element-type WaContactCheck): the answer for
 *   each number the server answered about
 */
GPtrArray *
xi_connection_check_numbers_finish (XiConnection  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
