/* wa-client.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-client"

#include "config.h"

#include <string.h>

#include "wa-ab-props.h"
#include "wa-account-status.h"
#include "wa-client-payload.h"
#include "wa-client.h"
#include "wa-credentials.h"
#include "wa-error.h"
#include "wa-jid.h"
#include "wa-link.h"
#include "wa-pairing.h"
#include "wa-prekeys.h"

/*
 * The connection's life, as the real clients lead it (protocol notes
 * §5.7, §6.1, §6.4, §6.5):
 *  - no session: register, show QR codes, and after pair-success the
 *    server's 515 means "connect again now", this time to log in;
 *  - a session: log in; <success> means connected, <failure reason=401>
 *    or a 401 stream error means unlinked (the keys are wiped);
 *  - "replaced" means another connection took over: stop, never fight;
 *  - anything else lost (drop, silence, server restart, no network):
 *    try again after a delay that doubles up to a ceiling, with jitter so
 *    a crowd of clients does not return in step.
 */

#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS   (2 * 60 * 1000)

/* A user waiting on "Unlink" should not wait the generic iq minute. */
#define WA_CLIENT_UNLINK_TIMEOUT_MS (10 * 1000)

/* Between <success> and the answer to <active/> the server sends little
 * (the end of an empty backlog, a notification or two). */
#define MAX_EARLY_NODES 64

struct _WaClient
{
  GObject         parent_instance;

  WaKeyStore     *store;
  char           *url;
  guint8          root_key[WA_KEY_LEN];

  WaClientState   state;
  WaCredentials  *credentials;
  char           *device_jid;
  char           *lid;           /* this device's LID JID, once the server named it */
  WaConnection   *connection;
  WaLink         *link;
  GCancellable   *cancellable;   /* the connect in flight */
  GSource        *retry;
  guint           failures;      /* in a row, for the backoff */
  guint           retry_in;      /* seconds, while waiting */
  char           *last_error;

  guint           backoff_first_ms;
  guint           backoff_max_ms;
  guint           keepalive_interval_ms;
  guint           keepalive_timeout_ms;

  GNetworkMonitor *monitor;
  gulong          monitor_handler;
  gboolean        offline;
  gboolean        caught_up;     /* the server handed over what waited for us */
  GPtrArray      *early;         /* WaNode*: what came after <success>, before we went active */
  GThread        *owner;         /* made on it, used only from it */
  gboolean        available;     /* our presence went out as "available" on this connection */
  guint32         app_version[3]; /* announced at login; all 0: the built-in one */
  char           *ban_code;      /* the last temporary ban's code, as WhatsApp gave it */
  gint64          ban_until;     /* when it ends, Unix seconds; 0: unknown */
  WaClientClock   clock;         /* Unix seconds; NULL: the real clock */
  gpointer        clock_data;
  GSource        *key_check;     /* the next daily look at our keys while connected */
  WaNode         *rotation;      /* the signed prekey rotation in flight */
  GPtrArray      *dirty_later;   /* WaNode*: dirty bits to clean once caught up */
  gboolean        holding_back;  /* read nothing more until the owner has kept what came */
  gboolean        topping_up;    /* prekeys the server said run low are being counted or sent */
  GSource        *prekey_retry;  /* the next count after prekeys that could not be kept */
  guint           prekey_failures; /* writes of new prekeys failed in a row, for the backoff */
  WaPairing      *paired;        /* what the phone's scan gave, to write again if its write failed */
};

/* A connection may last longer than a signed prekey should. */
#define KEY_CHECK_INTERVAL_S (24 * 60 * 60)

#define assert_owner(self) g_assert ((self)->owner == g_thread_self ())

G_DEFINE_FINAL_TYPE (WaClient, wa_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_RETRY_IN,
  PROP_CAUGHT_UP,
  N_PROPS
};

enum {
  QR,
  PAIRED,
  NODE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void connect_now (WaClient *self);

static gint64 now_s (WaClient *self);

/* Kept for another process to read without connecting (the command
 * line's status): where the account is, and a connection that ended. */
static void
save_state (WaClient      *self,
            WaClientState  before)
{
  WaClientState state = self->state;

  /* Unlinked leaves nothing behind. */
  if (state == WA_CLIENT_STATE_LOGGED_OUT)
    return;
  if (wa_account_status_state_name (state) == NULL || state == WA_CLIENT_STATE_STOPPED)
    {
      if (before != WA_CLIENT_STATE_CONNECTED)
        return;
      state = WA_CLIENT_STATE_STOPPED;
    }
  wa_account_status_save_state (self->store, state, now_s (self), self->ban_code, self->ban_until);
}

static void
set_state (WaClient      *self,
           WaClientState  state)
{
  WaClientState before = self->state;

  if (self->state == state)
    return;
  self->state = state;
  save_state (self, before);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
remember_error (WaClient     *self,
                const GError *error)
{
  g_free (self->last_error);
  self->last_error = g_strdup (error != NULL ? error->message : NULL);
}

/* Our push name, as app-state sync or the pairing left it, without the
 * "@" WhatsApp does not take in a name; %NULL when there is none. */
static char *
dup_push_name (WaClient *self)
{
  g_autoptr(GBytes) stored = wa_key_store_load (self->store, WA_CLIENT_PUSH_NAME_KIND, WA_CLIENT_PUSH_NAME_KEY);
  g_autoptr(GString) name = NULL;

  if (stored == NULL || !g_utf8_validate (g_bytes_get_data (stored, NULL), g_bytes_get_size (stored), NULL))
    return NULL;
  name = g_string_new_len (g_bytes_get_data (stored, NULL), g_bytes_get_size (stored));
  g_string_replace (name, "@", "", 0);
  g_strstrip (name->str);
  if (name->str[0] == '\0')
    return NULL;
  return g_strdup (name->str);
}

/* Presence (WA-FIDELITY §4): "available" with the push name is how the
 * server learns the name strangers see on our messages; "unavailable"
 * lets the phone show notifications again. Without a name, none: the
 * reference clients refuse to send a nameless presence. */
static gboolean
send_presence (WaClient   *self,
               const char *type)
{
  g_autofree char *name = dup_push_name (self);
  g_autoptr(WaNode) presence = NULL;
  g_autoptr(GError) error = NULL;

  if (name == NULL || self->connection == NULL)
    return FALSE;
  presence = wa_node_new_with_attrs ("presence", "type", type, "name", name, NULL);
  if (!wa_connection_send_node (self->connection, presence, &error))
    {
      g_debug ("Could not send our presence: %s", error->message);
      return FALSE;
    }
  return TRUE;
}

static gint64
now_s (WaClient *self)
{
  if (self->clock != NULL)
    return self->clock (self->clock_data);
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* A request on the current connection; @done gets a reference to us. */
static void
send_iq (WaClient            *self,
         WaNode              *iq,
         GAsyncReadyCallback  done)
{
  /* A step that follows an answer can run after the connection it
   * belonged to was dropped (a refusal, a stop from a signal handler):
   * whatever it wanted is asked again on the next connection. */
  if (self->connection == NULL)
    {
      g_debug ("Not sending an %s query: the connection is gone", wa_node_get_attr (iq, "xmlns"));
      return;
    }
  wa_connection_send_iq_async (self->connection, iq, WA_CONNECTION_IQ_TIMEOUT_MS, NULL, done, g_object_ref (self));
}

static void
drop_connection (WaClient *self)
{
  self->available = FALSE;
  if (self->key_check != NULL)
    {
      g_source_destroy (self->key_check);
      g_clear_pointer (&self->key_check, g_source_unref);
    }
  g_clear_pointer (&self->rotation, wa_node_unref);
  self->topping_up = FALSE;
  if (self->prekey_retry != NULL)
    {
      g_source_destroy (self->prekey_retry);
      g_clear_pointer (&self->prekey_retry, g_source_unref);
    }
  if (self->dirty_later != NULL)
    g_ptr_array_set_size (self->dirty_later, 0);
  g_clear_pointer (&self->early, g_ptr_array_unref);
  if (self->link != NULL)
    g_signal_handlers_disconnect_by_data (self->link, self);
  g_clear_object (&self->link);
  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      wa_connection_close (self->connection);
    }
  g_clear_object (&self->connection);
}

static void
stop_retry (WaClient *self)
{
  if (self->retry == NULL)
    return;
  g_source_destroy (self->retry);
  g_clear_pointer (&self->retry, g_source_unref);
}

static gboolean
retry_cb (gpointer user_data)
{
  WaClient *self = user_data;

  assert_owner (self);
  g_clear_pointer (&self->retry, g_source_unref);
  connect_now (self);
  return G_SOURCE_REMOVE;
}

/* Waits @delay_ms in state @waiting, then connects again. */
static void
schedule_reconnect_in (WaClient      *self,
                       guint64        delay_ms,
                       WaClientState  waiting)
{
  drop_connection (self);
  stop_retry (self);

  self->retry_in = (delay_ms + 999) / 1000;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_IN]);
  set_state (self, delay_ms == 0 ? WA_CLIENT_STATE_CONNECTING : waiting);

  self->retry = g_timeout_source_new (delay_ms);
  g_source_set_callback (self->retry, retry_cb, self, NULL);
  g_source_attach (self->retry, g_main_context_get_thread_default ());
}

/* Try again: at once after a restart request, otherwise after a delay
 * that doubles with each failure, between half and all of it. */
static void
schedule_reconnect (WaClient *self,
                    gboolean  immediately)
{
  guint64 delay_ms = 0;

  if (!immediately)
    {
      guint64 ceiling = (guint64)self->backoff_first_ms << MIN (self->failures, 16u);

      ceiling = MIN (ceiling, self->backoff_max_ms);
      delay_ms = ceiling / 2 + g_random_int_range (0, MAX (ceiling / 2, 1));
      self->failures++;
    }
  schedule_reconnect_in (self, delay_ms, WA_CLIENT_STATE_WAITING);
}

/* The session is gone for good: unlinked (@state LOGGED_OUT) or banned. */
static void
session_ended (WaClient      *self,
               const GError  *error,
               WaClientState  state)
{
  remember_error (self, error);
  drop_connection (self);
  stop_retry (self);
  wa_key_store_clear (self->store);
  /* A ban is kept where the keys were, and queued for the disk with
   * their removal before anyone hears of it. */
  wa_account_status_save_state (self->store, state, now_s (self), NULL, 0);
  wa_key_store_flush_async (self->store, NULL, NULL, NULL);
  g_clear_pointer (&self->credentials, wa_credentials_free);
  g_clear_pointer (&self->device_jid, g_free);
  g_clear_pointer (&self->lid, g_free);
  set_state (self, state);
}

static void
logged_out (WaClient     *self,
            const GError *error)
{
  session_ended (self, error, WA_CLIENT_STATE_LOGGED_OUT);
}

/* The server names the device's LID in pair-success and again in every
 * <success>; replies from people who know us only by it arrive addressed
 * to it (§1). */
static void
remember_lid (WaClient   *self,
              const char *lid)
{
  if (lid == NULL || g_strcmp0 (lid, self->lid) == 0)
    return;
  g_free (self->lid);
  self->lid = g_strdup (lid);
  wa_pairing_save_lid (self->store, lid);
}

static void
connection_closed_cb (WaConnection *connection,
                      const GError *error,
                      WaClient     *self)
{
  remember_error (self, error);
  if (g_error_matches (error, WA_ERROR, WA_ERROR_LOGGED_OUT))
    logged_out (self, error);
  else if (g_error_matches (error, WA_ERROR, WA_ERROR_REPLACED))
    {
      drop_connection (self);
      set_state (self, WA_CLIENT_STATE_REPLACED);
    }
  else
    schedule_reconnect (self, g_error_matches (error, WA_ERROR, WA_ERROR_RESTART_REQUIRED));
}

/* After <success> (§6.2): make sure the server holds enough of our
 * prekeys for others to reach us, then go active so it releases the
 * offline queue. Connected only then. A request that fails is a
 * connection that failed. */

/* The answer to one of these requests, or %NULL when the session cannot
 * go on: the connection it was sent on is gone, or it failed (then the
 * client reconnects). */
static WaNode *
session_answer (WaClient     *self,
                GObject      *connection,
                GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;
  WaNode *answer = wa_connection_send_iq_finish (WA_CONNECTION (connection), result, &error);

  if (WA_CONNECTION (connection) != self->connection)
    g_clear_pointer (&answer, wa_node_unref);
  else if (answer == NULL)
    {
      remember_error (self, error);
      schedule_reconnect (self, FALSE);
    }
  return answer;
}

/* Key care in the background once connected (WA-FIDELITY §5, §8 step
 * 5): is what the server holds for us what we hold (digest), then a new
 * signed prekey when the current one is 27 days old. A request that
 * fails here is tried again at the next check, not a reason to
 * reconnect: messages flow without it. */

/* An upload of prekeys just made goes once they are on disk, as a
 * message does. Uploaded first, a failed key write would take them back
 * out of memory (the key store reads its keys back): the server would
 * hand customers keys we no longer hold, their first messages could not
 * be read, and the next upload would give the same ids to other keys. */
typedef enum
{
  UPLOAD_AT_LOGIN,  /* the connection goes active after it, or after it failed */
  UPLOAD_TOP_UP,    /* the server said its stock runs low */
  UPLOAD_AGAIN,     /* the server's digest is not what we hold */
} UploadPurpose;

typedef struct
{
  WaClient            *self;
  WaConnection        *connection;  /* the upload is for this one alone */
  WaNode              *upload;
  GAsyncReadyCallback  done;
  UploadPurpose        purpose;
} KeptUpload;

static void retry_prekeys_later (WaClient *self);
static void go_active (WaClient *self);

static void
upload_kept_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  KeptUpload *kept = user_data;
  g_autoptr(WaClient) self = kept->self;
  g_autoptr(WaNode) upload = kept->upload;
  g_autoptr(WaConnection) connection = kept->connection;
  g_autoptr(GError) error = NULL;
  gboolean same_connection = connection != NULL && self->connection == connection;
  GAsyncReadyCallback done = kept->done;
  UploadPurpose purpose = kept->purpose;

  g_free (kept);
  if (wa_key_store_flush_finish (WA_KEY_STORE (object), result, &error))
    {
      if (same_connection)
        send_iq (self, upload, done);
      return;
    }
  /* A full disk fails every try until space returns: said once. */
  if (self->prekey_failures == 0)
    g_warning ("Could not keep new prekeys, so they were not uploaded: %s", error->message);
  else
    g_debug ("Still could not keep new prekeys: %s", error->message);
  if (!same_connection)
    return;
  if (purpose == UPLOAD_AGAIN)
    return;
  /* Not a reason to log in again, which would fail the same way, again
   * and again, never connected (so never checking a new link), and
   * hammering WhatsApp. Messages flow without new prekeys; they are
   * counted again soon, sooner than the daily key check. */
  if (purpose == UPLOAD_TOP_UP)
    self->topping_up = FALSE;
  retry_prekeys_later (self);
  if (purpose == UPLOAD_AT_LOGIN)
    go_active (self);
}

static void
upload_when_kept (WaClient            *self,
                  WaNode              *upload,
                  UploadPurpose        purpose,
                  GAsyncReadyCallback  done)
{
  KeptUpload *kept = g_new0 (KeptUpload, 1);

  kept->purpose = purpose;

  kept->self = g_object_ref (self);
  kept->connection = self->connection != NULL ? g_object_ref (self->connection) : NULL;
  kept->upload = wa_node_ref (upload);
  kept->done = done;
  wa_key_store_flush_async (self->store, NULL, upload_kept_cb, kept);
}

/* The answer to a background request, or %NULL (with @error set unless
 * the connection it was sent on is gone). */
static WaNode *
background_answer (WaClient      *self,
                   GObject       *connection,
                   GAsyncResult  *result,
                   GError       **error)
{
  WaNode *answer = wa_connection_send_iq_finish (WA_CONNECTION (connection), result, error);

  if (WA_CONNECTION (connection) != self->connection)
    {
      g_clear_pointer (&answer, wa_node_unref);
      g_clear_error (error);
    }
  return answer;
}

static void
rotated_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(WaClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(WaNode) answer = background_answer (self, object, result, &error);
  g_autoptr(WaNode) request = g_steal_pointer (&self->rotation);

  if (answer != NULL && request != NULL && wa_prekeys_rotated (self->credentials, self->store, request, now_s (self)))
    g_debug ("The signed prekey is now number %u", self->credentials->signed_pre_key_id);
  else if (error != NULL)
    {
      g_message ("Could not replace the signed prekey, trying again in a day: %s", error->message);
      wa_prekeys_rotation_failed (self->store, now_s (self));
    }
  wa_key_store_flush_async (self->store, NULL, NULL, NULL);
}

/* The new key is on disk before its public half leaves. */
static void
rotation_kept_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(WaClient) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!wa_key_store_flush_finish (WA_KEY_STORE (object), result, &error))
    {
      g_warning ("Could not keep a new signed prekey: %s", error->message);
      g_clear_pointer (&self->rotation, wa_node_unref);
      return;
    }
  if (self->connection == NULL || self->rotation == NULL)
    return;
  send_iq (self, self->rotation, rotated_cb);
}

static void
rotate_if_due (WaClient *self)
{
  if (self->rotation != NULL || self->credentials == NULL ||
      !wa_prekeys_rotation_due (self->credentials, self->store, now_s (self)))
    return;
  self->rotation = wa_prekeys_rotate_request (self->credentials, self->store, now_s (self));
  wa_key_store_flush_async (self->store, NULL, rotation_kept_cb, g_object_ref (self));
}

static void
reuploaded_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(WaClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(WaNode) answer = background_answer (self, object, result, &error);

  if (error != NULL)
    g_message ("Could not upload our keys again: %s", error->message);
  if (answer != NULL)
    rotate_if_due (self);
}

static void
digest_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(WaClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(WaNode) answer = background_answer (self, object, result, &error);
  g_autoptr(WaNode) upload = NULL;

  if (answer == NULL && !g_error_matches (error, WA_ERROR, WA_ERROR_FAILED))
    {
      if (error != NULL)
        g_debug ("No digest of our keys: %s", error->message);
      return;
    }
  if (answer != NULL && wa_prekeys_digest_matches (self->credentials, self->store, answer))
    {
      rotate_if_due (self);
      return;
    }

  /* Refused (WhatsApp answers 404 when it holds no keys for us), or not
   * what we hold: nobody could start a session with us from it. */
  g_message ("The server does not hold our current keys; uploading them again");
  upload = wa_prekeys_upload_request (self->credentials, self->store,
                                      answer == NULL ? WA_PREKEYS_FIRST_UPLOAD : WA_PREKEYS_TOP_UP);
  upload_when_kept (self, upload, UPLOAD_AGAIN, reuploaded_cb);
}

static void
check_keys (WaClient *self)
{
  g_autoptr(WaNode) digest = wa_prekeys_digest_request ();

  send_iq (self, digest, digest_cb);
}

static void
props_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(WaClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(WaNode) answer = background_answer (self, object, result, &error);
  guint n = 0;

  if (answer != NULL && wa_ab_props_store (self->store, answer, &n, &error))
    g_debug ("The server set %u AB props", n);
  if (error != NULL)
    g_debug ("No AB props: %s", error->message);
}

/* The server's switches for this account (WA-FIDELITY §8 step 5). */
static void
fetch_props (WaClient *self)
{
  g_autoptr(WaNode) request = wa_ab_props_request (self->store);

  send_iq (self, request, props_cb);
}

static gboolean
key_check_cb (gpointer user_data)
{
  WaClient *self = user_data;

  assert_owner (self);
  if (self->connection != NULL && self->state == WA_CLIENT_STATE_CONNECTED)
    check_keys (self);
  return G_SOURCE_CONTINUE;
}

static void connection_node_cb (WaConnection *connection,
                                WaNode       *node,
                                WaClient     *self);

/* The answer to our <active/> reaches us after whatever the server sent
 * behind it in the same read (the answer's callback runs from an idle),
 * so the <ib><offline/> that ends the backlog can come first. Those
 * nodes are handled now, in the order they came: dropped, the backlog
 * would never be over for this connection and every campaign would wait
 * out the transport's grace. */
static void
replay_early (WaClient *self)
{
  g_autoptr(GPtrArray) early = g_steal_pointer (&self->early);

  for (guint i = 0; early != NULL && i < early->len && self->connection != NULL; i++)
    connection_node_cb (self->connection, g_ptr_array_index (early, i), self);
}

static void
went_active_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(WaClient) self = user_data;
  g_autoptr(WaNode) answer = session_answer (self, object, result);

  if (answer == NULL)
    return;
  self->failures = 0;
  g_clear_pointer (&self->last_error, g_free);
  set_state (self, WA_CLIENT_STATE_CONNECTED);
  replay_early (self);
  if (self->connection == NULL)
    return;
  fetch_props (self);
  check_keys (self);
  self->key_check = g_timeout_source_new_seconds (KEY_CHECK_INTERVAL_S);
  g_source_set_callback (self->key_check, key_check_cb, self, NULL);
  g_source_attach (self->key_check, g_main_context_get_thread_default ());
}

static void
go_active (WaClient *self)
{
  g_autoptr(WaNode) iq = wa_node_new_with_attrs ("iq", "to", "@s.whatsapp.net", "type", "set",
                                                 "xmlns", "passive", NULL);

  wa_node_add_child (iq, wa_node_new ("active"));
  send_iq (self, iq, went_active_cb);
}

static void
prekeys_uploaded_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(WaClient) self = user_data;
  g_autoptr(WaNode) answer = session_answer (self, object, result);

  if (answer != NULL)
    {
      self->prekey_failures = 0;
      go_active (self);
    }
}

/* Uploads more prekeys when the server's count in @answer is low, and
 * says whether it did (or gave up on a bad answer). */
static gboolean
upload_if_low (WaClient            *self,
               WaNode              *answer,
               UploadPurpose        purpose,
               GAsyncReadyCallback  done)
{
  g_autoptr(WaNode) upload = NULL;
  g_autoptr(GError) error = NULL;
  guint count;

  if (!wa_prekeys_read_count (answer, &count, &error))
    {
      remember_error (self, error);
      schedule_reconnect (self, FALSE);
      return TRUE;
    }
  if (count >= WA_PREKEYS_MIN_COUNT)
    return FALSE;

  upload = wa_prekeys_upload_request (self->credentials, self->store,
                                      count == 0 ? WA_PREKEYS_FIRST_UPLOAD : WA_PREKEYS_TOP_UP);
  upload_when_kept (self, upload, purpose, done);
  return TRUE;
}

static void
prekey_count_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(WaClient) self = user_data;
  g_autoptr(WaNode) answer = session_answer (self, object, result);

  if (answer != NULL && !upload_if_low (self, answer, UPLOAD_AT_LOGIN, prekeys_uploaded_cb))
    go_active (self);
}

static void
start_session (WaClient *self)
{
  g_autoptr(WaNode) count = wa_prekeys_count_request ();

  send_iq (self, count, prekey_count_cb);
}

/* Every receipt, notification and call is acknowledged, or the server
 * sends it again and again (§6.6). Messages are acknowledged by their
 * delivery receipt instead, which is the receiver's business. */
static void
acknowledge (WaClient *self,
             WaNode   *node)
{
  const char *tag = wa_node_get_tag (node);
  const char *optional[] = { "participant", "recipient", "type" };
  g_autoptr(WaNode) ack = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (tag, "receipt") && !g_str_equal (tag, "notification") && !g_str_equal (tag, "call"))
    return;
  if (wa_node_get_attr (node, "id") == NULL || wa_node_get_attr (node, "from") == NULL)
    return;

  ack = wa_node_new_with_attrs ("ack", "class", tag, "id", wa_node_get_attr (node, "id"),
                                "to", wa_node_get_attr (node, "from"), NULL);
  for (guint i = 0; i < G_N_ELEMENTS (optional); i++)
    if (wa_node_get_attr (node, optional[i]) != NULL)
      wa_node_set_attr (ack, optional[i], wa_node_get_attr (node, optional[i]));
  if (!wa_connection_send_node (self->connection, ack, &error))
    g_debug ("Could not acknowledge a %s: %s", tag, error->message);
}

static void
top_up_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(WaClient) self = user_data;
  g_autoptr(WaNode) answer = session_answer (self, object, result);

  self->topping_up = FALSE;
  if (answer != NULL)
    self->prekey_failures = 0;
}

/* Checks the count before topping up: the notification may be stale. */
static void
prekey_top_up_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(WaClient) self = user_data;
  g_autoptr(WaNode) answer = session_answer (self, object, result);

  if (answer == NULL || !upload_if_low (self, answer, UPLOAD_TOP_UP, top_up_done_cb))
    self->topping_up = FALSE;
}

static void
count_prekeys (WaClient *self)
{
  g_autoptr(WaNode) count = wa_prekeys_count_request ();

  self->topping_up = TRUE;
  send_iq (self, count, prekey_top_up_cb);
}

static gboolean
prekey_retry_cb (gpointer user_data)
{
  WaClient *self = user_data;

  assert_owner (self);
  g_clear_pointer (&self->prekey_retry, g_source_unref);
  if (self->connection != NULL && !self->topping_up)
    count_prekeys (self);
  return G_SOURCE_REMOVE;
}

/* Four of the longest reconnect backoffs after the first failed write
 * (8 minutes), doubling up to thirty (an hour): a full disk is not freed
 * in a second, and the count is a request to WhatsApp. */
static void
retry_prekeys_later (WaClient *self)
{
  guint64 delay_ms = (guint64)self->backoff_max_ms * 4 << MIN (self->prekey_failures, 16u);

  self->prekey_failures++;
  if (self->prekey_retry != NULL)
    return;
  self->prekey_retry = g_timeout_source_new (MIN (delay_ms, (guint64)self->backoff_max_ms * 30));
  g_source_set_callback (self->prekey_retry, prekey_retry_cb, self, NULL);
  g_source_attach (self->prekey_retry, g_main_context_get_thread_default ());
}

/* A refused login (§6.1). Unlinked or banned: the session is gone for
 * good. Banned for a while: come back when the ban says it ends, not
 * sooner, or it gets longer. Too old: trying again cannot help. Anything
 * else (500, 503): the server's trouble, try again with backoff. */
static void
login_failed (WaClient *self,
              WaNode   *failure)
{
  const char *reason = wa_node_get_attr (failure, "reason");
  const char *expire_text = wa_node_get_attr (failure, "expire");
  g_autoptr(GError) error = NULL;
  guint64 expire = 0;

  if (g_strcmp0 (reason, "401") == 0)
    {
      error = g_error_new (WA_ERROR, WA_ERROR_LOGGED_OUT, "This device was unlinked");
      logged_out (self, error);
    }
  else if (g_strcmp0 (reason, "403") == 0 || g_strcmp0 (reason, "406") == 0)
    {
      error = g_error_new (WA_ERROR, WA_ERROR_BANNED, "WhatsApp has banned this account (reason %s)", reason);
      session_ended (self, error, WA_CLIENT_STATE_BANNED);
    }
  else if (g_strcmp0 (reason, "402") == 0)
    {
      if (expire_text != NULL)
        g_ascii_string_to_unsigned (expire_text, 10, 1, G_MAXUINT / 1000, &expire, NULL);
      g_free (self->ban_code);
      self->ban_code = g_strdup (wa_node_get_attr (failure, "code"));
      error = g_error_new (WA_ERROR, WA_ERROR_TEMPORARILY_BANNED,
                           "WhatsApp has banned this account for a while (code %s)",
                           self->ban_code != NULL ? self->ban_code : "none");
      remember_error (self, error);
      /* Without an end, an hour: trying sooner only makes a ban longer. */
      if (expire == 0)
        expire = 60 * 60;
      self->ban_until = g_get_real_time () / G_USEC_PER_SEC + expire;
      schedule_reconnect_in (self, expire * 1000, WA_CLIENT_STATE_TEMPORARILY_BANNED);
    }
  else if (g_strcmp0 (reason, "405") == 0)
    {
      error = g_error_new (WA_ERROR, WA_ERROR_CLIENT_OUTDATED, "WhatsApp no longer accepts this version");
      remember_error (self, error);
      drop_connection (self);
      set_state (self, WA_CLIENT_STATE_OUTDATED);
    }
  else
    {
      error = g_error_new (WA_ERROR, WA_ERROR_FAILED, "The server refused the login (reason %s)", reason);
      remember_error (self, error);
      schedule_reconnect (self, FALSE);
    }
}

static void
cleaned_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(WaClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(WaNode) answer = background_answer (self, object, result, &error);

  if (error != NULL)
    g_debug ("Could not clean a dirty bit: %s", error->message);
}

static void
clean (WaClient *self,
       WaNode   *dirty)
{
  g_autoptr(WaNode) iq = wa_node_new_with_attrs ("iq", "to", "@s.whatsapp.net", "type", "set",
                                                 "xmlns", "urn:xmpp:whatsapp:dirty", NULL);

  wa_node_add_child (iq, wa_node_new_with_attrs ("clean", "type", wa_node_get_attr (dirty, "type"),
                                                 "timestamp", wa_node_get_attr (dirty, "timestamp"), NULL));
  send_iq (self, iq, cleaned_cb);
}

/* The server says something of the account changed while we were away
 * (WA-FIDELITY §8) and keeps saying so until told it was seen. Groups
 * and newsletters are cleaned after the backlog, as WhatsApp Web does;
 * what we re-read (app state) is another object's business. */
static void
receive_dirty (WaClient *self,
               WaNode   *dirty)
{
  const char *type = wa_node_get_attr (dirty, "type");

  if (type == NULL || wa_node_get_attr (dirty, "timestamp") == NULL)
    return;
  if (!self->caught_up && (g_str_equal (type, "groups") || g_str_equal (type, "newsletter_metadata")))
    {
      if (self->dirty_later == NULL)
        self->dirty_later = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_node_unref);
      g_ptr_array_add (self->dirty_later, wa_node_ref (dirty));
      return;
    }
  clean (self, dirty);
}

static void
connection_node_cb (WaConnection *connection,
                    WaNode       *node,
                    WaClient     *self)
{
  const char *tag = wa_node_get_tag (node);

  assert_owner (self);
  /* One login, one session: a <success> again on this connection would
   * start a second keepalive, a second first batch of prekeys and a
   * second daily key check that nothing stops. */
  if (self->state == WA_CLIENT_STATE_CONNECTING && g_str_equal (tag, "success") && self->early != NULL)
    {
      g_debug ("The server confirmed the login again");
      return;
    }
  if (self->state == WA_CLIENT_STATE_CONNECTING && g_str_equal (tag, "success"))
    {
      remember_lid (self, wa_node_get_attr (node, "lid"));
      g_clear_pointer (&self->early, g_ptr_array_unref);
      self->early = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_node_unref);
      wa_connection_start_keepalive (connection, self->keepalive_interval_ms, self->keepalive_timeout_ms);
      start_session (self);
      return;
    }
  if (self->state == WA_CLIENT_STATE_CONNECTING && g_str_equal (tag, "failure"))
    {
      login_failed (self, node);
      return;
    }
  if (self->state != WA_CLIENT_STATE_CONNECTED)
    {
      /* Only the server's first few nodes can come this early: a server
       * that floods instead has them dropped, unacknowledged, so it sends
       * them again. */
      if (self->early != NULL && self->early->len < MAX_EARLY_NODES)
        g_ptr_array_add (self->early, wa_node_ref (node));
      return;
    }
  acknowledge (self, node);
  /* The end of what waited on the server while we were away (§12.3). */
  if (g_str_equal (tag, "ib") && wa_node_get_child_by_tag (node, "offline") != NULL && !self->caught_up)
    {
      /* After the backlog, as WhatsApp Web does: receipts for it went
       * out "inactive", as from a client nobody is looking at. */
      self->available = send_presence (self, "available");
      self->caught_up = TRUE;
      for (guint i = 0; self->dirty_later != NULL && i < self->dirty_later->len; i++)
        clean (self, g_ptr_array_index (self->dirty_later, i));
      if (self->dirty_later != NULL)
        g_ptr_array_set_size (self->dirty_later, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAUGHT_UP]);
    }
  if (g_str_equal (tag, "ib") && wa_node_get_child_by_tag (node, "dirty") != NULL)
    receive_dirty (self, wa_node_get_child_by_tag (node, "dirty"));
  /* The server says its stock of our prekeys runs low (§6.3). Several
   * notifications may come for one shortage, and each count asked before
   * the top-up lands would still say low: one top-up at a time. */
  if (g_str_equal (tag, "notification") && g_strcmp0 (wa_node_get_attr (node, "type"), "encrypt") == 0 &&
      wa_node_get_child_by_tag (node, "count") != NULL && !self->topping_up)
    count_prekeys (self);
  g_signal_emit (self, signals[NODE], 0, node);
}

static void
link_qr_cb (WaLink     *link,
            const char *qr,
            WaClient   *self)
{
  set_state (self, WA_CLIENT_STATE_PAIRING);
  g_signal_emit (self, signals[QR], 0, qr);
}

static void
link_paired_cb (WaLink     *link,
                const char *jid,
                const char *lid,
                WaPairing  *pairing,
                WaClient   *self)
{
  wa_pairing_save (pairing, jid, self->store);
  wa_key_store_flush_async (self->store, NULL, NULL, NULL);
  g_clear_pointer (&self->paired, wa_pairing_free);
  self->paired = wa_pairing_copy (pairing);
  g_free (self->device_jid);
  self->device_jid = g_strdup (jid);
  remember_lid (self, lid);
  set_state (self, WA_CLIENT_STATE_CONNECTING);
  g_signal_emit (self, signals[PAIRED], 0, jid);
}

static void
link_failed_cb (WaLink       *link,
                const GError *error,
                WaClient     *self)
{
  /* The codes ran out: nobody scanned. Stop rather than show codes to an
   * empty room forever; starting again shows new ones. */
  if (g_error_matches (error, WA_ERROR, WA_ERROR_TIMED_OUT))
    {
      remember_error (self, error);
      drop_connection (self);
      set_state (self, WA_CLIENT_STATE_STOPPED);
    }
}

/* The login payload names the account as a number and the device. */
static gboolean
parse_device_jid (const char *text,
                  guint64    *user,
                  guint32    *device)
{
  g_autoptr(WaJid) jid = wa_jid_parse (text, NULL);

  if (jid == NULL ||
      !g_ascii_string_to_unsigned (wa_jid_get_user (jid), 10, 1, G_MAXUINT64, user, NULL))
    return FALSE;
  *device = wa_jid_get_device (jid);
  return TRUE;
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(WaClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(WaConnection) connection = wa_connection_connect_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  if (connection == NULL)
    {
      remember_error (self, error);
      schedule_reconnect (self, FALSE);
      return;
    }

  self->connection = g_steal_pointer (&connection);
  if (self->holding_back)
    wa_connection_set_receiving (self->connection, FALSE);
  g_signal_connect (self->connection, "closed", G_CALLBACK (connection_closed_cb), self);
  g_signal_connect (self->connection, "node", G_CALLBACK (connection_node_cb), self);
  if (self->device_jid == NULL)
    {
      self->link = wa_link_new (self->connection, self->credentials);
      g_signal_connect (self->link, "qr", G_CALLBACK (link_qr_cb), self);
      g_signal_connect (self->link, "paired", G_CALLBACK (link_paired_cb), self);
      g_signal_connect (self->link, "failed", G_CALLBACK (link_failed_cb), self);
    }
}

static void
connect_now (WaClient *self)
{
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GError) error = NULL;
  WaClientInfo info;
  guint64 user;
  guint32 device;

  drop_connection (self);
  if (self->credentials == NULL)
    self->credentials = wa_credentials_load_or_create (self->store, NULL, &error);
  if (self->credentials == NULL)
    {
      logged_out (self, error);
      return;
    }
  if (self->device_jid == NULL)
    {
      self->device_jid = wa_pairing_load_device_jid (self->store);
      g_free (self->lid);
      self->lid = wa_pairing_load_lid (self->store);
    }

  wa_client_info_init (&info);
  if (self->app_version[0] != 0)
    memcpy (info.app_version, self->app_version, sizeof info.app_version);
  if (self->device_jid == NULL)
    payload = wa_client_payload_registration (&info, self->credentials, &error);
  else if (parse_device_jid (self->device_jid, &user, &device))
    payload = wa_client_payload_login (&info, user, device);
  else
    g_set_error (&error, WA_ERROR, WA_ERROR_MALFORMED, "The saved device name is damaged");
  if (payload == NULL)
    {
      logged_out (self, error);
      return;
    }

  set_state (self, WA_CLIENT_STATE_CONNECTING);
  if (self->caught_up)
    {
      self->caught_up = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAUGHT_UP]);
    }
  self->cancellable = g_cancellable_new ();
  wa_connection_connect_async (self->url, self->root_key, &self->credentials->noise_key, payload,
                               self->cancellable, connected_cb, g_object_ref (self));
}

/* Only changes count: the monitor's idea of "no network" can be wrong
 * (containers, VPNs, a loopback test server), so it never stops the
 * client from trying; it only makes it react sooner. */
static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    WaClient        *self)
{
  gboolean was_offline = self->offline;

  self->offline = !available;
  if (self->state != WA_CLIENT_STATE_CONNECTING && self->state != WA_CLIENT_STATE_CONNECTED &&
      self->state != WA_CLIENT_STATE_PAIRING && self->state != WA_CLIENT_STATE_WAITING)
    return;

  /* Gone: the socket is dead even if no error says so yet; say it now
   * instead of after the keepalive. Back: do not sit out a backoff. */
  if (self->offline && !was_offline)
    {
      g_free (self->last_error);
      self->last_error = g_strdup ("No network");
      schedule_reconnect (self, FALSE);
    }
  else if (!self->offline && was_offline)
    {
      self->failures = 0;
      stop_retry (self);
      connect_now (self);
    }
}

static void
wa_client_dispose (GObject *object)
{
  wa_client_stop (WA_CLIENT (object));

  G_OBJECT_CLASS (wa_client_parent_class)->dispose (object);
}

static void
wa_client_finalize (GObject *object)
{
  WaClient *self = (WaClient *)object;

  if (self->monitor != NULL)
    g_clear_signal_handler (&self->monitor_handler, self->monitor);
  g_clear_object (&self->monitor);
  g_clear_object (&self->store);
  g_clear_pointer (&self->credentials, wa_credentials_free);
  g_free (self->device_jid);
  g_free (self->lid);
  g_free (self->url);
  g_free (self->last_error);
  g_free (self->ban_code);
  g_clear_pointer (&self->dirty_later, g_ptr_array_unref);
  g_clear_pointer (&self->early, g_ptr_array_unref);
  g_clear_pointer (&self->paired, wa_pairing_free);

  G_OBJECT_CLASS (wa_client_parent_class)->finalize (object);
}

static void
wa_client_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  WaClient *self = WA_CLIENT (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_RETRY_IN:
      g_value_set_uint (value, self->retry_in);
      break;
    case PROP_CAUGHT_UP:
      g_value_set_boolean (value, self->caught_up);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wa_client_class_init (WaClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wa_client_dispose;
  object_class->finalize = wa_client_finalize;
  object_class->get_property = wa_client_get_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, WA_CLIENT_STATE_STOPPED, WA_CLIENT_STATE_OUTDATED,
                      WA_CLIENT_STATE_STOPPED,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RETRY_IN] =
    g_param_spec_uint ("retry-in", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Connected, and the server handed over the messages and receipts that
   * waited for this device: a command that sends something and quits
   * waits for this, so it does not leave before reading them. */
  properties[PROP_CAUGHT_UP] =
    g_param_spec_boolean ("caught-up", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[QR] = g_signal_new ("qr", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                              0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[PAIRED] = g_signal_new ("paired", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[NODE] = g_signal_new ("node", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 1, WA_TYPE_NODE);
}

static void
wa_client_init (WaClient *self)
{
  self->backoff_first_ms = BACKOFF_FIRST_MS;
  self->backoff_max_ms = BACKOFF_MAX_MS;
  self->keepalive_interval_ms = WA_CONNECTION_KEEPALIVE_INTERVAL_MS;
  self->keepalive_timeout_ms = WA_CONNECTION_KEEPALIVE_TIMEOUT_MS;
  self->owner = g_thread_self ();
}

/**
 * wa_client_new:
 * @store: where the device keys and session are kept
 * @url: the server, normally %WA_CONNECTION_DEFAULT_URL
 * @root_key: the root the server's certificates must lead to, normally
 *   wa_cert_default_root_key()
 *
 * Returns: (transfer full): a stopped client
 */
WaClient *
wa_client_new (WaKeyStore   *store,
               const char   *url,
               const guint8  root_key[WA_KEY_LEN])
{
  WaClient *self;

  g_return_val_if_fail (WA_IS_KEY_STORE (store), NULL);
  g_return_val_if_fail (url != NULL && root_key != NULL, NULL);

  self = g_object_new (WA_TYPE_CLIENT, NULL);
  self->store = g_object_ref (store);
  self->url = g_strdup (url);
  memcpy (self->root_key, root_key, WA_KEY_LEN);
  wa_client_set_network_monitor (self, g_network_monitor_get_default ());
  return self;
}

/**
 * wa_client_start:
 *
 * Connects: logs in with the saved session, or starts linking.
 */
void
wa_client_start (WaClient *self)
{
  g_return_if_fail (WA_IS_CLIENT (self));
  assert_owner (self);

  stop_retry (self);
  self->failures = 0;
  connect_now (self);
}

/**
 * wa_client_stop:
 *
 * Disconnects and stops reconnecting.
 */
void
wa_client_stop (WaClient *self)
{
  g_return_if_fail (WA_IS_CLIENT (self));
  assert_owner (self);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  stop_retry (self);
  if (self->available)
    send_presence (self, "unavailable");
  drop_connection (self);
  set_state (self, WA_CLIENT_STATE_STOPPED);
}

/**
 * wa_client_get_available:
 *
 * Returns: whether our presence went out as "available" on this
 *   connection; delivery receipts say "inactive" until it did
 */
gboolean
wa_client_get_available (WaClient *self)
{
  g_return_val_if_fail (WA_IS_CLIENT (self), FALSE);
  return self->available;
}

WaClientState
wa_client_get_state (WaClient *self)
{
  g_return_val_if_fail (WA_IS_CLIENT (self), WA_CLIENT_STATE_STOPPED);
  assert_owner (self);
  return self->state;
}

guint
wa_client_get_retry_in (WaClient *self)
{
  g_return_val_if_fail (WA_IS_CLIENT (self), 0);
  assert_owner (self);
  return self->retry_in;
}

/**
 * wa_client_get_last_error:
 *
 * Returns: (nullable): why the last connection ended or failed
 */
const char *
wa_client_get_last_error (WaClient *self)
{
  g_return_val_if_fail (WA_IS_CLIENT (self), NULL);
  assert_owner (self);
  return self->last_error;
}

/**
 * wa_client_get_url:
 *
 * Returns: the chat server this client connects to
 */
const char *
wa_client_get_url (WaClient *self)
{
  g_return_val_if_fail (WA_IS_CLIENT (self), NULL);
  return self->url;
}

/**
 * wa_client_get_device_jid:
 *
 * Returns: (nullable): this device's JID once linked
 */
const char *
wa_client_get_device_jid (WaClient *self)
{
  g_return_val_if_fail (WA_IS_CLIENT (self), NULL);
  assert_owner (self);
  return self->device_jid;
}

gboolean
wa_client_get_caught_up (WaClient *self)
{
  g_return_val_if_fail (WA_IS_CLIENT (self), FALSE);
  assert_owner (self);
  return self->caught_up;
}

/**
 * wa_client_save_link:
 *
 * Writes again, from memory, what makes this computer the device the
 * phone's scan linked: its keys, the phone's identity and the device's
 * name. A key write that failed after the scan (a full disk, another
 * process holding the database) made the key store go back to what the
 * disk holds, without them; the client still holds them. Flush the key
 * store to know whether they are kept.
 *
 * Returns: whether there was a link made by a scan to write
 */
gboolean
wa_client_save_link (WaClient *self)
{
  g_return_val_if_fail (WA_IS_CLIENT (self), FALSE);
  assert_owner (self);

  if (self->paired == NULL || self->credentials == NULL || self->device_jid == NULL)
    return FALSE;
  wa_credentials_save (self->credentials, self->store);
  wa_pairing_save (self->paired, self->device_jid, self->store);
  if (self->lid != NULL)
    wa_pairing_save_lid (self->store, self->lid);
  return TRUE;
}

/**
 * wa_client_get_credentials:
 *
 * Returns: (nullable): this device's keys, once it connected
 */
const WaCredentials *
wa_client_get_credentials (WaClient *self)
{
  g_return_val_if_fail (WA_IS_CLIENT (self), NULL);
  assert_owner (self);
  return self->credentials;
}

/**
 * wa_client_get_key_store:
 *
 * Returns: (transfer none): where the client keeps its secrets
 */
WaKeyStore *
wa_client_get_key_store (WaClient *self)
{
  g_return_val_if_fail (WA_IS_CLIENT (self), NULL);
  assert_owner (self);
  return self->store;
}

/**
 * wa_client_get_ban_code:
 *
 * Returns: (nullable): the code WhatsApp gave the last temporary ban
 */
const char *
wa_client_get_ban_code (WaClient *self)
{
  g_return_val_if_fail (WA_IS_CLIENT (self), NULL);
  return self->ban_code;
}

/**
 * wa_client_get_ban_until:
 *
 * Returns: when the last temporary ban ends, Unix seconds
 */
gint64
wa_client_get_ban_until (WaClient *self)
{
  g_return_val_if_fail (WA_IS_CLIENT (self), 0);
  return self->ban_until;
}

/**
 * wa_client_get_lid:
 *
 * Returns: (nullable): this device's LID JID, once the server named it
 */
const char *
wa_client_get_lid (WaClient *self)
{
  g_return_val_if_fail (WA_IS_CLIENT (self), NULL);
  assert_owner (self);
  return self->lid;
}

static void
session_forgotten_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (wa_key_store_flush_finish (WA_KEY_STORE (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Done once the keys are gone from the disk too. */
static void
forget_session (WaClient *self,
                GTask    *task)
{
  g_autoptr(GError) unlinked = g_error_new (WA_ERROR, WA_ERROR_LOGGED_OUT, "Unlinked on this computer");

  logged_out (self, unlinked);
  wa_key_store_flush_async (self->store, NULL, session_forgotten_cb, g_object_ref (task));
}

static void
companion_removed_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GError) error = NULL;

  /* The keys go whatever the server said: the user asked for this device
   * to stop being linked, and a server that cannot be told now forgets a
   * device whose keys are gone when it next fails to log in. */
  answer = wa_connection_send_iq_finish (WA_CONNECTION (object), result, &error);
  if (answer == NULL)
    g_debug ("The server did not confirm the unlink: %s", error->message);
  g_task_set_task_data (task, GINT_TO_POINTER (answer != NULL), NULL);
  forget_session (g_task_get_source_object (task), task);
}

/**
 * wa_client_unlink_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the session is gone
 * @user_data: for @callback
 *
 * Unlinks this device, as "Log out" on the phone's list of linked devices
 * does (§6.5): when connected it asks the server to remove this companion,
 * then, connected or not, it wipes the session keys and stops in
 * %WA_CLIENT_STATE_LOGGED_OUT. Linking again starts from a new QR code.
 * wa_client_unlink_finish() says whether the server confirmed the device
 * gone from the phone's list.
 */
void
wa_client_unlink_async (WaClient            *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(WaNode) iq = NULL;

  g_return_if_fail (WA_IS_CLIENT (self));
  assert_owner (self);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wa_client_unlink_async);
  if (self->state != WA_CLIENT_STATE_CONNECTED || self->device_jid == NULL)
    {
      forget_session (self, task);
      return;
    }

  iq = wa_node_new_with_attrs ("iq", "to", "@s.whatsapp.net", "type", "set", "xmlns", "md", NULL);
  wa_node_add_child (iq, wa_node_new_with_attrs ("remove-companion-device", "jid", self->device_jid,
                                                 "reason", "user_initiated", NULL));
  wa_connection_send_iq_async (self->connection, iq, WA_CLIENT_UNLINK_TIMEOUT_MS, cancellable,
                               companion_removed_cb, g_steal_pointer (&task));
}

/**
 * wa_client_unlink_finish:
 * @removed: (out) (optional): set to whether the server confirmed that
 *   it removed the device (not connected, or no answer: the phone may
 *   still list it)
 */
gboolean
wa_client_unlink_finish (WaClient      *self,
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
 * wa_client_get_connection:
 *
 * Returns: (transfer none) (nullable): the open connection, if any
 */
WaConnection *
wa_client_get_connection (WaClient *self)
{
  g_return_val_if_fail (WA_IS_CLIENT (self), NULL);
  assert_owner (self);
  return self->connection;
}

/**
 * wa_client_set_backoff:
 *
 * Changes the first reconnect delay and its ceiling; for tests.
 */
void
wa_client_set_backoff (WaClient *self,
                       guint     first_ms,
                       guint     max_ms)
{
  g_return_if_fail (WA_IS_CLIENT (self));
  assert_owner (self);
  self->backoff_first_ms = MAX (first_ms, 1);
  self->backoff_max_ms = MAX (max_ms, first_ms);
}

/**
 * wa_client_set_network_monitor:
 * @monitor: what says whether there is a network; the default one unless
 *   a test replaces it
 */
void
wa_client_set_network_monitor (WaClient        *self,
                               GNetworkMonitor *monitor)
{
  g_return_if_fail (WA_IS_CLIENT (self));
  g_return_if_fail (G_IS_NETWORK_MONITOR (monitor));
  assert_owner (self);

  if (self->monitor != NULL)
    g_clear_signal_handler (&self->monitor_handler, self->monitor);
  g_set_object (&self->monitor, monitor);
  self->offline = FALSE;
  self->monitor_handler = g_signal_connect (monitor, "network-changed", G_CALLBACK (network_changed_cb), self);
}

/**
 * wa_client_set_app_version:
 * @version: the WhatsApp Web version to announce from the next
 *   connection on, as wa_app_version_parse() reads it
 */
void
wa_client_set_app_version (WaClient      *self,
                           const guint32  version[3])
{
  g_return_if_fail (WA_IS_CLIENT (self));
  memcpy (self->app_version, version, sizeof self->app_version);
}

/**
 * wa_client_set_clock:
 * @clock: (nullable): returns the time in Unix seconds; %NULL for the
 *   real one
 * @user_data: for @clock
 *
 * Replaces the clock that says when the signed prekey is due; for tests.
 */
void
wa_client_set_clock (WaClient      *self,
                     WaClientClock  clock,
                     gpointer       user_data)
{
  g_return_if_fail (WA_IS_CLIENT (self));
  assert_owner (self);
  self->clock = clock;
  self->clock_data = user_data;
}

/**
 * wa_client_set_keepalive:
 *
 * Changes the keepalive rhythm of the next connections; for tests.
 */
void
wa_client_set_keepalive (WaClient *self,
                         guint     interval_ms,
                         guint     timeout_ms)
{
  g_return_if_fail (WA_IS_CLIENT (self));
  assert_owner (self);
  self->keepalive_interval_ms = interval_ms;
  self->keepalive_timeout_ms = timeout_ms;
}

/**
 * wa_client_set_receiving:
 * @receiving: %FALSE to read nothing more from the server for now
 *
 * Holds back what the server sends, on this connection and the next,
 * until called with %TRUE: what the owner has not confirmed yet stays
 * on the server. Sending goes on, and the keepalive does not take the
 * silence for a lost connection.
 */
void
wa_client_set_receiving (WaClient *self,
                         gboolean  receiving)
{
  g_return_if_fail (WA_IS_CLIENT (self));
  assert_owner (self);

  self->holding_back = !receiving;
  if (self->connection != NULL)
    wa_connection_set_receiving (self->connection, receiving);
}
