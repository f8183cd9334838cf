/* xi-connection.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-connection"

#include "config.h"

#include <glib/gi18n.h>

#include "wa-client.h"
#include "xi-connection.h"
#include "xi-engine-enums.h"
#include "xi-key-store.h"

/*
 * XiConnection is two halves:
 *
 *  - the facade (XiConnection itself), on the main thread: properties the
 *    header bar, the link dialog and the Sending page bind to;
 *  - the monitor (Monitor below), on the network thread: it owns the
 *    WaClient, decides when to reconnect (exponential backoff with jitter,
 *    at once after a 515 restart, never after a logout or a "replaced"),
 *    and follows the network state the facade forwards from
 *    GNetworkMonitor.
 *
 * The monitor publishes immutable Snapshot structs to the facade; the
 * facade sends commands to the monitor with xi_net_thread_invoke(). State
 * changes are rare (a few per minute at most), so every one is published.
 */

#define BACKOFF_FIRST_SECONDS 1
#define BACKOFF_MAX_SECONDS   60

typedef struct
{
  XiConnectionState  state;
  char              *detail;
  char              *jid;
  char              *qr_data;
  guint              qr_seconds;
  guint              retry_in;
} Snapshot;

typedef struct
{
  /* Network thread only. */
  GMainContext      *main_context;
  XiConnection      *facade;        /* outlives the monitor: see xi_connection_shutdown() */
  XiStore           *store;
  XiKeyStore        *keys;
  WaClient          *client;
  Snapshot           current;
  guint              attempt;
  guint              retry_source;
  gboolean           network_available;
  gboolean           linking;
  gboolean           loading;
  gboolean           shut_down;
} Monitor;

struct _XiConnection
{
  GObject            parent_instance;

  XiNetThread       *net_thread;
  GNetworkMonitor   *network_monitor;
  gulong             network_changed_id;
  Monitor           *monitor;       /* handed to the network thread */

  /* Main thread copy of the last published snapshot. */
  Snapshot           shown;
};

G_DEFINE_FINAL_TYPE (XiConnection, xi_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_DETAIL,
  PROP_RETRY_IN,
  PROP_JID,
  PROP_QR_DATA,
  PROP_QR_SECONDS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void snapshot_clear (Snapshot *snapshot);

/* The monitor is shared by the facade and by store callbacks still in
 * flight on the network thread; the last holder frees it. */
static void
monitor_clear (gpointer data)
{
  Monitor *monitor = data;

  snapshot_clear (&monitor->current);
  g_clear_object (&monitor->store);
  g_main_context_unref (monitor->main_context);
}

static void
monitor_unref (Monitor *monitor)
{
  g_atomic_rc_box_release_full (monitor, monitor_clear);
}

static void
snapshot_clear (Snapshot *snapshot)
{
  g_clear_pointer (&snapshot->detail, g_free);
  g_clear_pointer (&snapshot->jid, g_free);
  g_clear_pointer (&snapshot->qr_data, g_free);
}

static void
snapshot_copy (Snapshot       *dest,
               const Snapshot *src)
{
  snapshot_clear (dest);
  dest->state = src->state;
  dest->detail = g_strdup (src->detail);
  dest->jid = g_strdup (src->jid);
  dest->qr_data = g_strdup (src->qr_data);
  dest->qr_seconds = src->qr_seconds;
  dest->retry_in = src->retry_in;
}

static void
snapshot_free (gpointer data)
{
  Snapshot *snapshot = data;

  snapshot_clear (snapshot);
  g_free (snapshot);
}

/* Main thread */

typedef struct
{
  XiConnection *self;
  Snapshot     *snapshot;
} Publish;

static void
publish_free (gpointer data)
{
  Publish *publish = data;

  g_object_unref (publish->self);
  snapshot_free (publish->snapshot);
  g_free (publish);
}

static gboolean
apply_snapshot_cb (gpointer data)
{
  Publish *publish = data;
  XiConnection *self = publish->self;
  Snapshot *next = publish->snapshot;
  Snapshot old = { 0 };

  snapshot_copy (&old, &self->shown);
  snapshot_copy (&self->shown, next);

  g_object_freeze_notify (G_OBJECT (self));
  if (old.state != next->state)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (g_strcmp0 (old.detail, next->detail) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETAIL]);
  if (old.retry_in != next->retry_in)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_IN]);
  if (g_strcmp0 (old.jid, next->jid) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JID]);
  if (g_strcmp0 (old.qr_data, next->qr_data) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QR_DATA]);
  if (old.qr_seconds != next->qr_seconds)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QR_SECONDS]);
  g_object_thaw_notify (G_OBJECT (self));

  snapshot_clear (&old);
  return G_SOURCE_REMOVE;
}

/* Network thread: the monitor */

static void
monitor_publish (Monitor *monitor)
{
  Publish *publish = g_new0 (Publish, 1);

  publish->self = g_object_ref (monitor->facade);
  publish->snapshot = g_new0 (Snapshot, 1);
  snapshot_copy (publish->snapshot, &monitor->current);

  g_main_context_invoke_full (monitor->main_context, G_PRIORITY_DEFAULT,
                              apply_snapshot_cb, publish, publish_free);
}

static void
monitor_set (Monitor           *monitor,
             XiConnectionState  state,
             const char        *detail)
{
  monitor->current.state = state;
  g_free (monitor->current.detail);
  monitor->current.detail = g_strdup (detail);
  if (state != XI_CONNECTION_STATE_PAIRING)
    {
      g_clear_pointer (&monitor->current.qr_data, g_free);
      monitor->current.qr_seconds = 0;
    }
  if (state != XI_CONNECTION_STATE_RECONNECTING)
    monitor->current.retry_in = 0;
  monitor_publish (monitor);
}

static void
monitor_connect (Monitor *monitor)
{
  g_clear_handle_id (&monitor->retry_source, g_source_remove);

  if (monitor->client == NULL || monitor->shut_down)
    return;

  if (!monitor->network_available)
    {
      monitor_set (monitor, XI_CONNECTION_STATE_NO_NETWORK,
                   _("This computer is offline. Xender-In connects again when the network is back."));
      return;
    }

  monitor_set (monitor, XI_CONNECTION_STATE_CONNECTING,
               wa_client_is_registered (monitor->client) ? _("Logging in to WhatsApp…")
                                                         : _("Asking WhatsApp for a code to link…"));
  wa_client_connect (monitor->client);
}

static gboolean
retry_cb (gpointer data)
{
  Monitor *monitor = data;

  monitor->retry_source = 0;
  monitor_connect (monitor);
  return G_SOURCE_REMOVE;
}

/* 1, 2, 4 … 60 seconds, each ±20 %, so many clients that lost the same
 * server do not come back in lockstep. */
static void
monitor_schedule_retry (Monitor    *monitor,
                        const char *detail)
{
  guint base = BACKOFF_FIRST_SECONDS << MIN (monitor->attempt, 6u);
  double jitter = g_random_double_range (0.8, 1.2);
  guint delay_ms = (guint)(MIN (base, (guint)BACKOFF_MAX_SECONDS) * 1000 * jitter);

  monitor->attempt++;
  g_clear_handle_id (&monitor->retry_source, g_source_remove);
  monitor->retry_source = g_timeout_add (delay_ms, retry_cb, monitor);

  monitor->current.retry_in = (delay_ms + 999) / 1000;
  monitor_set (monitor, XI_CONNECTION_STATE_RECONNECTING, detail);
}

static void
client_qr_cb (WaClient   *client,
              const char *qr_data,
              guint       seconds,
              Monitor    *monitor)
{
  g_free (monitor->current.qr_data);
  monitor->current.qr_data = g_strdup (qr_data);
  monitor->current.qr_seconds = seconds;
  monitor_set (monitor, XI_CONNECTION_STATE_PAIRING,
               _("Scan the code with WhatsApp on your phone: Settings → Linked devices → Link a device."));
}

static void
client_paired_cb (WaClient   *client,
                  const char *jid,
                  const char *platform,
                  Monitor    *monitor)
{
  monitor->linking = FALSE;
  g_free (monitor->current.jid);
  monitor->current.jid = g_strdup (jid);
  monitor_set (monitor, XI_CONNECTION_STATE_CONNECTING, _("Linked. Logging in…"));
}

static void
client_connected_cb (WaClient *client,
                     Monitor  *monitor)
{
  monitor->attempt = 0;
  g_free (monitor->current.jid);
  monitor->current.jid = g_strdup (wa_client_get_jid (client));
  monitor_set (monitor, XI_CONNECTION_STATE_CONNECTED, NULL);
}

static void
client_disconnected_cb (WaClient           *client,
                        WaDisconnectReason  reason,
                        const char         *detail,
                        Monitor            *monitor)
{
  if (monitor->shut_down)
    return;

  g_debug ("Disconnected (reason %d)", reason);

  switch (reason)
    {
    case WA_DISCONNECT_RESTART:
      monitor_connect (monitor);
      break;

    case WA_DISCONNECT_NETWORK:
    case WA_DISCONNECT_SERVER_UNAVAILABLE:
      if (!monitor->network_available)
        monitor_set (monitor, XI_CONNECTION_STATE_NO_NETWORK,
                     _("This computer is offline. Xender-In connects again when the network is back."));
      else if (!wa_client_is_registered (client) && !monitor->linking)
        monitor_set (monitor, XI_CONNECTION_STATE_NOT_LINKED, NULL);
      else
        monitor_schedule_retry (monitor, reason == WA_DISCONNECT_NETWORK
                                         ? _("The connection to WhatsApp was lost.")
                                         : _("WhatsApp is not available right now."));
      break;

    case WA_DISCONNECT_LOGGED_OUT:
      monitor_set (monitor, XI_CONNECTION_STATE_LOGGED_OUT,
                   _("This computer was unlinked from WhatsApp. Link it again to send messages."));
      break;

    case WA_DISCONNECT_REPLACED:
      monitor_set (monitor, XI_CONNECTION_STATE_STOPPED,
                   _("Another program is using this WhatsApp link. Close it, then connect again."));
      break;

    case WA_DISCONNECT_BANNED:
      monitor_set (monitor, XI_CONNECTION_STATE_STOPPED,
                   detail != NULL ? detail
                                  : _("WhatsApp has restricted this account for now. Stop sending and try again later."));
      break;

    case WA_DISCONNECT_OUTDATED:
      monitor_set (monitor, XI_CONNECTION_STATE_STOPPED,
                   _("WhatsApp refused this version of Xender-In. Update Xender-In."));
      break;

    case WA_DISCONNECT_HANDSHAKE:
      monitor_set (monitor, XI_CONNECTION_STATE_STOPPED,
                   _("The server did not prove that it is WhatsApp, so Xender-In did not connect."));
      break;

    case WA_DISCONNECT_QR_EXPIRED:
      monitor->linking = FALSE;
      monitor_set (monitor, XI_CONNECTION_STATE_NOT_LINKED,
                   _("The code expired before it was scanned. Try again."));
      break;

    case WA_DISCONNECT_NONE:
    default:
      if (!wa_client_is_registered (client))
        monitor_set (monitor, XI_CONNECTION_STATE_NOT_LINKED, NULL);
      break;
    }
}

static void
client_logged_out_cb (WaClient   *client,
                      const char *detail,
                      Monitor    *monitor)
{
  g_clear_pointer (&monitor->current.jid, g_free);
  g_clear_handle_id (&monitor->retry_source, g_source_remove);
  monitor_set (monitor, XI_CONNECTION_STATE_LOGGED_OUT,
               _("This computer was unlinked from WhatsApp. Link it again to send messages."));
}

/* Test settings only: the environment, never the UI (DESIGN.md). */
static void
apply_test_settings (WaClient *client)
{
  const char *url = g_getenv ("XENDER_IN_WA_URL");
  const char *root_hex = g_getenv ("XENDER_IN_WA_ROOT_KEY");
  guint8 root[32];
  gboolean have_root = FALSE;

  if (root_hex != NULL && strlen (root_hex) == 64)
    {
      have_root = TRUE;
      for (guint i = 0; i < 32; i++)
        {
          int hi = g_ascii_xdigit_value (root_hex[2 * i]);
          int lo = g_ascii_xdigit_value (root_hex[2 * i + 1]);

          if (hi < 0 || lo < 0)
            have_root = FALSE;
          root[i] = (guint8)(hi << 4 | lo);
        }
    }

  if (url != NULL || have_root)
    wa_client_set_server (client, url, have_root ? root : NULL);
}

static void
keys_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Monitor *monitor = user_data;
  g_autoptr(GHashTable) loaded = NULL;
  g_autoptr(GError) error = NULL;

  loaded = xi_store_load_keys_finish (XI_STORE (object), result, &error);
  if (monitor->shut_down)
    {
      monitor_unref (monitor);
      return;
    }
  if (loaded == NULL)
    {
      monitor_set (monitor, XI_CONNECTION_STATE_STOPPED, error->message);
      monitor_unref (monitor);
      return;
    }

  monitor->keys = xi_key_store_new (monitor->store, loaded);
  monitor->client = wa_client_new (WA_KEY_STORE (monitor->keys));
  wa_client_set_device_name (monitor->client, "Xender-In");
  apply_test_settings (monitor->client);

  g_signal_connect (monitor->client, "qr", G_CALLBACK (client_qr_cb), monitor);
  g_signal_connect (monitor->client, "paired", G_CALLBACK (client_paired_cb), monitor);
  g_signal_connect (monitor->client, "connected", G_CALLBACK (client_connected_cb), monitor);
  g_signal_connect (monitor->client, "disconnected", G_CALLBACK (client_disconnected_cb), monitor);
  g_signal_connect (monitor->client, "logged-out", G_CALLBACK (client_logged_out_cb), monitor);

  if (wa_client_is_registered (monitor->client) || monitor->linking)
    monitor_connect (monitor);
  else
    monitor_set (monitor, XI_CONNECTION_STATE_NOT_LINKED, NULL);

  monitor_unref (monitor);
}

static gboolean
monitor_start_cb (gpointer data)
{
  Monitor *monitor = data;

  if (monitor->client == NULL && monitor->keys == NULL && !monitor->loading)
    {
      monitor->loading = TRUE;
      xi_store_load_keys_async (monitor->store, NULL, keys_loaded_cb,
                                g_atomic_rc_box_acquire (monitor));
    }
  return G_SOURCE_REMOVE;
}

static gboolean
monitor_link_cb (gpointer data)
{
  Monitor *monitor = data;

  monitor->linking = TRUE;
  if (monitor->client != NULL &&
      wa_client_get_state (monitor->client) == WA_CLIENT_STATE_DISCONNECTED)
    monitor_connect (monitor);
  return G_SOURCE_REMOVE;
}

static gboolean
monitor_cancel_link_cb (gpointer data)
{
  Monitor *monitor = data;

  monitor->linking = FALSE;
  if (monitor->client != NULL && !wa_client_is_registered (monitor->client))
    {
      wa_client_disconnect (monitor->client);
      monitor_set (monitor, XI_CONNECTION_STATE_NOT_LINKED, NULL);
    }
  return G_SOURCE_REMOVE;
}

static gboolean
monitor_reconnect_cb (gpointer data)
{
  Monitor *monitor = data;

  monitor->attempt = 0;
  if (monitor->client != NULL &&
      wa_client_get_state (monitor->client) == WA_CLIENT_STATE_DISCONNECTED &&
      (wa_client_is_registered (monitor->client) || monitor->linking))
    monitor_connect (monitor);
  return G_SOURCE_REMOVE;
}

typedef struct
{
  Monitor  *monitor;
  gboolean  available;
} NetworkChange;

static gboolean
monitor_network_changed_cb (gpointer data)
{
  NetworkChange *change = data;
  Monitor *monitor = change->monitor;
  gboolean was_available = monitor->network_available;

  monitor->network_available = change->available;
  if (monitor->client == NULL || was_available == change->available)
    return G_SOURCE_REMOVE;

  if (!change->available)
    {
      /* The socket notices by itself (keep-alive); stop retrying meanwhile. */
      g_clear_handle_id (&monitor->retry_source, g_source_remove);
      if (wa_client_get_state (monitor->client) == WA_CLIENT_STATE_DISCONNECTED &&
          wa_client_is_registered (monitor->client))
        monitor_set (monitor, XI_CONNECTION_STATE_NO_NETWORK,
                     _("This computer is offline. Xender-In connects again when the network is back."));
    }
  else if (wa_client_get_state (monitor->client) == WA_CLIENT_STATE_DISCONNECTED &&
           wa_client_is_registered (monitor->client))
    {
      monitor->attempt = 0;
      monitor_connect (monitor);
    }

  return G_SOURCE_REMOVE;
}

static void
logout_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (wa_client_logout_finish (WA_CLIENT (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean
monitor_unlink_cb (gpointer data)
{
  GTask *task = data;
  Monitor *monitor = g_task_get_task_data (task);

  monitor->linking = FALSE;
  g_clear_handle_id (&monitor->retry_source, g_source_remove);
  if (monitor->client == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }

  wa_client_logout_async (monitor->client, NULL, logout_done_cb, task);
  return G_SOURCE_REMOVE;
}

static void
monitor_shutdown (Monitor *monitor)
{
  monitor->shut_down = TRUE;
  g_clear_handle_id (&monitor->retry_source, g_source_remove);
  if (monitor->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (monitor->client, monitor);
      wa_client_disconnect (monitor->client);
    }
  g_clear_object (&monitor->client);
  g_clear_object (&monitor->keys);
}

typedef struct
{
  Monitor  *monitor;
  GMutex    lock;
  GCond     cond;
  gboolean  done;
} ShutdownWait;

static gboolean
monitor_shutdown_cb (gpointer data)
{
  ShutdownWait *wait = data;

  monitor_shutdown (wait->monitor);

  g_mutex_lock (&wait->lock);
  wait->done = TRUE;
  g_cond_signal (&wait->cond);
  g_mutex_unlock (&wait->lock);

  return G_SOURCE_REMOVE;
}

/* Main thread: the facade */

static void
network_changed_cb (GNetworkMonitor *network_monitor,
                    gboolean         available,
                    XiConnection    *self)
{
  NetworkChange *change;

  if (self->monitor == NULL)
    return;

  change = g_new0 (NetworkChange, 1);
  change->monitor = self->monitor;
  change->available = available;
  xi_net_thread_invoke (self->net_thread, monitor_network_changed_cb, change, g_free);
}

static void
xi_connection_dispose (GObject *object)
{
  XiConnection *self = (XiConnection *)object;

  xi_connection_shutdown (self);
  g_clear_signal_handler (&self->network_changed_id, self->network_monitor);

  G_OBJECT_CLASS (xi_connection_parent_class)->dispose (object);
}

static void
xi_connection_finalize (GObject *object)
{
  XiConnection *self = (XiConnection *)object;

  snapshot_clear (&self->shown);
  g_clear_object (&self->net_thread);

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
    case PROP_STATE:
      g_value_set_enum (value, self->shown.state);
      break;
    case PROP_DETAIL:
      g_value_set_string (value, self->shown.detail);
      break;
    case PROP_RETRY_IN:
      g_value_set_uint (value, self->shown.retry_in);
      break;
    case PROP_JID:
      g_value_set_string (value, self->shown.jid);
      break;
    case PROP_QR_DATA:
      g_value_set_string (value, self->shown.qr_data);
      break;
    case PROP_QR_SECONDS:
      g_value_set_uint (value, self->shown.qr_seconds);
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

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, XI_TYPE_CONNECTION_STATE,
                       XI_CONNECTION_STATE_NOT_LINKED,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_DETAIL] =
    g_param_spec_string ("detail", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_RETRY_IN] =
    g_param_spec_uint ("retry-in", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_JID] =
    g_param_spec_string ("jid", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_QR_DATA] =
    g_param_spec_string ("qr-data", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_QR_SECONDS] =
    g_param_spec_uint ("qr-seconds", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
xi_connection_init (XiConnection *self)
{
  self->shown.state = XI_CONNECTION_STATE_NOT_LINKED;
}

/**
 * xi_connection_new:
 * @store: the application store (holds the device keys)
 * @net_thread: where the WhatsApp client runs
 *
 * Creates the main-thread view of the WhatsApp connection. Nothing
 * connects until xi_connection_start().
 *
 * Returns: (transfer full): a new #XiConnection
 */
XiConnection *
xi_connection_new (XiStore     *store,
                   XiNetThread *net_thread)
{
  XiConnection *self;

  g_return_val_if_fail (XI_IS_STORE (store), NULL);
  g_return_val_if_fail (XI_IS_NET_THREAD (net_thread), NULL);

  self = g_object_new (XI_TYPE_CONNECTION, NULL);
  self->net_thread = g_object_ref (net_thread);
  self->network_monitor = g_network_monitor_get_default ();

  self->monitor = g_atomic_rc_box_new0 (Monitor);
  self->monitor->main_context = g_main_context_ref_thread_default ();
  self->monitor->facade = self;
  self->monitor->store = g_object_ref (store);
  self->monitor->network_available = g_network_monitor_get_network_available (self->network_monitor);
  self->monitor->current.state = XI_CONNECTION_STATE_NOT_LINKED;

  self->network_changed_id = g_signal_connect (self->network_monitor, "network-changed",
                                               G_CALLBACK (network_changed_cb), self);

  return self;
}

XiConnectionState
xi_connection_get_state (XiConnection *self)
{
  g_return_val_if_fail (XI_IS_CONNECTION (self), XI_CONNECTION_STATE_NOT_LINKED);
  return self->shown.state;
}

const char *
xi_connection_get_detail (XiConnection *self)
{
  g_return_val_if_fail (XI_IS_CONNECTION (self), NULL);
  return self->shown.detail;
}

guint
xi_connection_get_retry_in (XiConnection *self)
{
  g_return_val_if_fail (XI_IS_CONNECTION (self), 0);
  return self->shown.retry_in;
}

const char *
xi_connection_get_jid (XiConnection *self)
{
  g_return_val_if_fail (XI_IS_CONNECTION (self), NULL);
  return self->shown.jid;
}

const char *
xi_connection_get_qr_data (XiConnection *self)
{
  g_return_val_if_fail (XI_IS_CONNECTION (self), NULL);
  return self->shown.qr_data;
}

guint
xi_connection_get_qr_seconds (XiConnection *self)
{
  g_return_val_if_fail (XI_IS_CONNECTION (self), 0);
  return self->shown.qr_seconds;
}

/**
 * xi_connection_dup_status_text:
 * @self: a #XiConnection
 *
 * Returns: (transfer full): a short state for the header bar, such as
 *   "Reconnecting in 8 s"
 */
char *
xi_connection_dup_status_text (XiConnection *self)
{
  g_return_val_if_fail (XI_IS_CONNECTION (self), NULL);

  switch (self->shown.state)
    {
    case XI_CONNECTION_STATE_NOT_LINKED:
      return g_strdup (_("Not linked"));
    case XI_CONNECTION_STATE_CONNECTING:
      return g_strdup (_("Connecting…"));
    case XI_CONNECTION_STATE_PAIRING:
      return g_strdup (_("Waiting for the phone"));
    case XI_CONNECTION_STATE_CONNECTED:
      return g_strdup (_("Connected"));
    case XI_CONNECTION_STATE_RECONNECTING:
      return g_strdup_printf (_("Reconnecting in %u s"), self->shown.retry_in);
    case XI_CONNECTION_STATE_NO_NETWORK:
      return g_strdup (_("No network"));
    case XI_CONNECTION_STATE_LOGGED_OUT:
      return g_strdup (_("Logged out"));
    case XI_CONNECTION_STATE_STOPPED:
    default:
      return g_strdup (_("Not connected"));
    }
}

/**
 * xi_connection_start:
 * @self: a #XiConnection
 *
 * Loads the saved session and logs in with it, if there is one.
 */
void
xi_connection_start (XiConnection *self)
{
  g_return_if_fail (XI_IS_CONNECTION (self));

  if (self->monitor != NULL)
    xi_net_thread_invoke (self->net_thread, monitor_start_cb, self->monitor, NULL);
}

/**
 * xi_connection_link:
 * @self: a #XiConnection
 *
 * Starts linking a WhatsApp account: the "qr-data" property then carries
 * the code to show, refreshed as the server rotates it.
 */
void
xi_connection_link (XiConnection *self)
{
  g_return_if_fail (XI_IS_CONNECTION (self));

  if (self->monitor != NULL)
    xi_net_thread_invoke (self->net_thread, monitor_link_cb, self->monitor, NULL);
}

void
xi_connection_cancel_link (XiConnection *self)
{
  g_return_if_fail (XI_IS_CONNECTION (self));

  if (self->monitor != NULL)
    xi_net_thread_invoke (self->net_thread, monitor_cancel_link_cb, self->monitor, NULL);
}

void
xi_connection_reconnect_now (XiConnection *self)
{
  g_return_if_fail (XI_IS_CONNECTION (self));

  if (self->monitor != NULL)
    xi_net_thread_invoke (self->net_thread, monitor_reconnect_cb, self->monitor, NULL);
}

/**
 * xi_connection_unlink_async:
 * @self: a #XiConnection
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the device is unlinked and its keys wiped
 * @user_data: closure
 *
 * Unlinks this computer from the WhatsApp account, as "Log out" on the
 * phone would.
 */
void
xi_connection_unlink_async (XiConnection        *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_connection_unlink_async);
  if (self->monitor == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED, _("Xender-In is shutting down."));
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, g_atomic_rc_box_acquire (self->monitor), (GDestroyNotify)monitor_unref);
  xi_net_thread_invoke (self->net_thread, monitor_unlink_cb, task, NULL);
}

gboolean
xi_connection_unlink_finish (XiConnection  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * xi_connection_shutdown:
 * @self: a #XiConnection
 *
 * Closes the connection and drops the client, waiting until the network
 * thread has done so; after this no state is published any more. Safe to
 * call twice, and before or after the network thread stopped.
 */
void
xi_connection_shutdown (XiConnection *self)
{
  Monitor *monitor;

  g_return_if_fail (XI_IS_CONNECTION (self));

  if ((monitor = g_steal_pointer (&self->monitor)) == NULL)
    return;

  if (xi_net_thread_is_running (self->net_thread))
    {
      ShutdownWait wait = { .monitor = monitor };

      g_mutex_init (&wait.lock);
      g_cond_init (&wait.cond);
      xi_net_thread_invoke (self->net_thread, monitor_shutdown_cb, &wait, NULL);

      g_mutex_lock (&wait.lock);
      while (!wait.done)
        g_cond_wait (&wait.cond, &wait.lock);
      g_mutex_unlock (&wait.lock);

      g_mutex_clear (&wait.lock);
      g_cond_clear (&wait.cond);
    }
  else
    monitor_shutdown (monitor);

  monitor_unref (monitor);
}
