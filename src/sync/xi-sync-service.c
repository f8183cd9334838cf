/* xi-sync-service.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-sync"

#include "config.h"


#include "xi-store-sync.h"
#include "xi-supabase-client.h"
#include "xi-sync-engine.h"
#include "xi-sync-error.h"
#include "xi-sync-service.h"

/*
 * The sync thread (DESIGN.md, threads): its own GMainContext with the
 * Supabase client and the engine, which reach SQLite only through the
 * store's async API, so neither the UI nor the send loop ever waits for
 * the network. A pass runs at start, on xi_sync_service_sync_now(), and
 * every minute; after a transient failure it runs again after the
 * backoff. The main thread sees only snapshots of the state, published
 * on the context the service was made on.
 */

#define PERIODIC_SECONDS 60

typedef struct
{
  XiSyncState  state;
  guint        pending;
  guint        refused;
  guint        retry_in;
  char        *message;
} Snapshot;

struct _XiSyncService
{
  GObject           parent_instance;

  /* Set at construction, read-only afterwards: any thread. */
  XiStore          *store;
  char             *project_url;
  char             *anon_key;
  GMainContext     *main_context;
  GThread          *owner;       /* the thread that made it */

  /* The main thread's. */
  GThread          *thread;
  Snapshot          shown;
  gulong            changed_id;
  GSource          *soon;        /* a pass asked for after local changes */

  /* The sync thread's, valid while it runs. */
  GMainContext     *context;
  GMainLoop        *loop;
  XiSupabaseClient *client;
  XiSyncEngine     *engine;
  GCancellable     *cancellable;
  GSource          *timer;
  guint             attempts;
  guint             busy;        /* restores and counts in flight */
  gboolean          running;
  gboolean          again;
  gboolean          locked;      /* the keyring kept the session from the last restore */
  gboolean          restoring;   /* a restore is waiting on the keyring or the server */
  char             *notice;      /* what a pass found that the user should hear of */
};

G_DEFINE_FINAL_TYPE (XiSyncService, xi_sync_service, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_PENDING,
  PROP_REFUSED,
  PROP_RETRY_IN,
  PROP_MESSAGE,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  XiSyncService *self;
  Snapshot       snapshot;
} Publication;

/* Auxiliary methods */

static void
publication_free (Publication *publication)
{
  g_object_unref (publication->self);
  g_free (publication->snapshot.message);
  g_free (publication);
}

static gboolean
publish_cb (gpointer user_data)
{
  Publication *publication = user_data;
  XiSyncService *self = publication->self;
  Snapshot *next = &publication->snapshot;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->shown.state != next->state)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (self->shown.pending != next->pending)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
  if (self->shown.refused != next->refused)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFUSED]);
  if (self->shown.retry_in != next->retry_in)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_IN]);
  if (g_strcmp0 (self->shown.message, next->message) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
  g_free (self->shown.message);
  self->shown = *next;
  next->message = NULL;
  g_object_thaw_notify (G_OBJECT (self));
  return G_SOURCE_REMOVE;
}

/* Sync thread: hands a snapshot to the main thread. */
static void
publish (XiSyncService *self,
         XiSyncState    state,
         guint          retry_in,
         const char    *message,
         XiSyncCounts  *counts)
{
  Publication *publication = g_new0 (Publication, 1);

  publication->self = g_object_ref (self);
  publication->snapshot.state = state;
  publication->snapshot.retry_in = retry_in;
  publication->snapshot.message = g_strdup (message);
  if (counts != NULL)
    {
      publication->snapshot.pending = counts->pending;
      publication->snapshot.refused = counts->dead;
    }
  g_main_context_invoke_full (self->main_context, G_PRIORITY_DEFAULT, publish_cb,
                              publication, (GDestroyNotify) publication_free);
}

static void run_pass (XiSyncService *self);

static void restore (XiSyncService *self);

/* A restore the keyring held up is tried again before any pass: without
 * the session a pass could only say that nobody is signed in. While one
 * restore waits, the back-off timer or a "sync now" must not start a
 * second one nor a pass: the restore ends in a pass or a new back-off. */
static void
pass_or_restore (XiSyncService *self)
{
  if (self->restoring)
    return;
  if (self->locked)
    restore (self);
  else
    run_pass (self);
}

static gboolean
timer_cb (gpointer user_data)
{
  XiSyncService *self = user_data;

  g_clear_pointer (&self->timer, g_source_unref);
  pass_or_restore (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (XiSyncService *self,
          guint          seconds)
{
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  self->timer = g_timeout_source_new_seconds (seconds);
  g_source_set_callback (self->timer, timer_cb, self, NULL);
  g_source_attach (self->timer, self->context);
}

typedef struct
{
  XiSyncService *self;
  XiSyncState    state;
  guint          retry_in;
  char          *message;
} Outcome;

static void
counted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Outcome *outcome = user_data;
  XiSyncCounts counts = { 0, };

  /* Counts are for display; a failure to read them shows zeros. */
  xi_store_sync_get_counts_finish (XI_STORE (object), result, &counts, NULL);
  outcome->self->busy--;
  if (outcome->state == XI_SYNC_STATE_UP_TO_DATE && counts.pending > 0)
    outcome->state = XI_SYNC_STATE_SYNCING;
  publish (outcome->self, outcome->state, outcome->retry_in, outcome->message, &counts);
  g_free (outcome->message);
  g_free (outcome);
}

static void
publish_with_counts (XiSyncService *self,
                     XiSyncState    state,
                     guint          retry_in,
                     const char    *message)
{
  Outcome *outcome = g_new0 (Outcome, 1);

  outcome->self = self;
  outcome->state = state;
  outcome->retry_in = retry_in;
  outcome->message = g_strdup (message);
  self->busy++;
  xi_store_sync_get_counts_async (self->store, NULL, counted_cb, outcome);
}

static void
pass_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  XiSyncService *self = user_data;
  g_autoptr(GError) error = NULL;
  XiSyncStats stats;

  self->running = FALSE;
  if (xi_sync_engine_run_once_finish (XI_SYNC_ENGINE (object), result, &stats, &error) &&
      !g_cancellable_is_cancelled (self->cancellable))
    {
      /* The server lost data: said for as long as the app runs, and what
       * it lost goes back at once rather than at the next period. */
      if (stats.restored > 0)
        {
          g_free (self->notice);
          self->notice = xi_sync_stats_describe_restored (&stats);
          self->again = TRUE;
        }
      self->attempts = 0;
      publish_with_counts (self, XI_SYNC_STATE_UP_TO_DATE, 0, self->notice);
      /* Ops whose backoff ended meanwhile, or a request made while busy. */
      schedule (self, self->again ? 0 : PERIODIC_SECONDS);
      self->again = FALSE;
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_SIGNED_OUT) ||
      g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_NOT_SIGNED_IN))
    {
      publish_with_counts (self, XI_SYNC_STATE_SIGNED_OUT, 0, error->message);
      return;
    }
  if (g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_BUSY))
    {
      /* Another program (a scheduled `xender-in-cli sync`) is syncing
       * this folder: the data is being synced, and "offline" would send
       * the user looking for a network fault that is not there. */
      publish_with_counts (self, XI_SYNC_STATE_SYNCING, 0, error->message);
      schedule (self, xi_sync_engine_backoff_seconds (self->attempts++, 0));
      return;
    }
  if (xi_sync_error_is_transient (error))
    {
      guint wait = xi_sync_engine_backoff_seconds (self->attempts++,
                                                   xi_sync_error_get_retry_after (error));

      publish_with_counts (self, XI_SYNC_STATE_OFFLINE, wait, error->message);
      schedule (self, wait);
      return;
    }
  publish_with_counts (self, XI_SYNC_STATE_PROBLEM, 0, error->message);
  schedule (self, PERIODIC_SECONDS);
}

static void
run_pass (XiSyncService *self)
{
  if (self->running)
    {
      self->again = TRUE;
      return;
    }
  self->running = TRUE;
  publish_with_counts (self, XI_SYNC_STATE_SYNCING, 0, self->notice);
  xi_sync_engine_run_once_async (self->engine, self->cancellable, pass_done_cb, self);
}

static void
restored_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  XiSyncService *self = user_data;
  g_autoptr(GError) error = NULL;

  self->busy--;
  self->restoring = FALSE;
  if (!xi_supabase_client_restore_finish (XI_SUPABASE_CLIENT (object), result, &error) &&
      g_error_matches (error, XI_SYNC_ERROR, XI_SYNC_ERROR_KEYRING_LOCKED))
    {
      guint wait = xi_sync_engine_backoff_seconds (self->attempts++, 0);

      self->locked = TRUE;
      publish_with_counts (self, XI_SYNC_STATE_OFFLINE, wait, error->message);
      schedule (self, wait);
      return;
    }
  /* Offline the client keeps the stored session, and the first pass
   * reports the state. */
  if (error != NULL && !xi_sync_error_is_transient (error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        publish_with_counts (self, XI_SYNC_STATE_SIGNED_OUT, 0, error->message);
      return;
    }
  run_pass (self);
}

static void
restore (XiSyncService *self)
{
  self->locked = FALSE;
  self->restoring = TRUE;
  self->busy++;
  xi_supabase_client_restore_async (self->client, self->cancellable, restored_cb, self);
}

static gboolean
sync_now_cb (gpointer user_data)
{
  XiSyncService *self = user_data;

  if (self->engine != NULL && (self->locked || xi_supabase_client_get_signed_in (self->client)))
    pass_or_restore (self);
  return G_SOURCE_REMOVE;
}

static gboolean
quit_cb (gpointer user_data)
{
  XiSyncService *self = user_data;

  g_cancellable_cancel (self->cancellable);
  if (self->timer != NULL)
    g_source_destroy (self->timer);
  g_main_loop_quit (self->loop);
  return G_SOURCE_REMOVE;
}

static gpointer
sync_thread (gpointer user_data)
{
  XiSyncService *self = user_data;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (self->context);
  self->client = xi_supabase_client_new (self->project_url, self->anon_key,
                                         xi_store_get_secret_store (self->store), &error);
  if (self->client == NULL)
    publish (self, XI_SYNC_STATE_PROBLEM, 0, error->message, NULL);
  else
    {
      self->engine = xi_sync_engine_new (self->store, self->client);
      publish (self, XI_SYNC_STATE_STARTING, 0, NULL, NULL);
      restore (self);
    }
  g_main_loop_run (self->loop);

  /* Let cancelled requests and store calls return before their objects
   * go. */
  while (self->running || self->busy > 0 || g_main_context_pending (self->context))
    g_main_context_iteration (self->context, self->running || self->busy > 0);
  if (self->timer != NULL)
    g_source_destroy (self->timer);
  g_clear_pointer (&self->timer, g_source_unref);
  g_clear_pointer (&self->notice, g_free);
  g_clear_object (&self->engine);
  g_clear_object (&self->client);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/* A change made on this computer (a page, the engine, the command line)
 * is sent within seconds, not at the next periodic pass; a burst (an
 * import, a campaign's progress) asks once. */
#define SOON_MS 1500

static gboolean
soon_cb (gpointer user_data)
{
  XiSyncService *self = user_data;

  g_clear_pointer (&self->soon, g_source_unref);
  xi_sync_service_sync_now (self);
  return G_SOURCE_REMOVE;
}

static void
cancel_soon (XiSyncService *self)
{
  if (self->soon == NULL)
    return;
  g_source_destroy (self->soon);
  g_clear_pointer (&self->soon, g_source_unref);
}

/* Only local changes: rows a pass applied from the server are announced
 * as "applied" and need no pass of their own, which would otherwise
 * follow every pull that brought anything.
 *
 * A campaign about to send whose quota call is still queued (the store
 * announces it as a local change of the reservation) sends the call now,
 * so a refusal pauses the campaign before it has sent more than a
 * message or two, not after a minute of sending. */
static void
store_changed_cb (XiSyncService      *self,
                  const char         *table,
                  const char * const *ids,
                  XiStore            *store)
{
  if (g_str_equal (table, "quota_reservations"))
    {
      cancel_soon (self);
      xi_sync_service_sync_now (self);
    }
  else if (self->soon == NULL)
    {
      self->soon = g_timeout_source_new (SOON_MS);
      g_source_set_callback (self->soon, soon_cb, self, NULL);
      g_source_set_static_name (self->soon, "[xi-sync] soon");
      g_source_attach (self->soon, self->main_context);
    }
}

/* GObject */

static void
xi_sync_service_dispose (GObject *object)
{
  XiSyncService *self = (XiSyncService *)object;

  g_assert (self->thread == NULL);

  G_OBJECT_CLASS (xi_sync_service_parent_class)->dispose (object);
}

static void
xi_sync_service_finalize (GObject *object)
{
  XiSyncService *self = (XiSyncService *)object;

  g_clear_object (&self->store);
  g_free (self->project_url);
  g_free (self->anon_key);
  g_main_context_unref (self->main_context);
  g_main_context_unref (self->context);
  g_main_loop_unref (self->loop);
  g_object_unref (self->cancellable);
  g_free (self->shown.message);

  G_OBJECT_CLASS (xi_sync_service_parent_class)->finalize (object);
}

static void
xi_sync_service_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  XiSyncService *self = XI_SYNC_SERVICE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->shown.state);
      break;

    case PROP_PENDING:
      g_value_set_uint (value, self->shown.pending);
      break;

    case PROP_REFUSED:
      g_value_set_uint (value, self->shown.refused);
      break;

    case PROP_RETRY_IN:
      g_value_set_uint (value, self->shown.retry_in);
      break;

    case PROP_MESSAGE:
      g_value_set_string (value, self->shown.message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_sync_service_class_init (XiSyncServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xi_sync_service_dispose;
  object_class->finalize = xi_sync_service_finalize;
  object_class->get_property = xi_sync_service_get_property;

  /**
   * XiSyncService:state:
   *
   * The #XiSyncState the indicator shows.
   */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, XI_SYNC_STATE_STARTING, XI_SYNC_STATE_PROBLEM,
                      XI_SYNC_STATE_STARTING,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * XiSyncService:pending:
   *
   * Changes waiting to be sent.
   */
  properties[PROP_PENDING] =
    g_param_spec_uint ("pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * XiSyncService:refused:
   *
   * Changes the server refused, waiting for the user to retry or discard.
   */
  properties[PROP_REFUSED] =
    g_param_spec_uint ("refused", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * XiSyncService:retry-in:
   *
   * Seconds until the next try, when offline.
   */
  properties[PROP_RETRY_IN] =
    g_param_spec_uint ("retry-in", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * XiSyncService:message:
   *
   * What went wrong, for the indicator's explanation; %NULL when nothing
   * did.
   */
  properties[PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
xi_sync_service_init (XiSyncService *self)
{
  self->main_context = g_main_context_ref_thread_default ();
  self->owner = g_thread_self ();
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->cancellable = g_cancellable_new ();
}

/* Public API */

/**
 * xi_sync_service_new:
 * @store: the signed-in account's open store
 * @project_url: the project's URL
 * @anon_key: its anon key
 *
 * Creates the sync service of the calling (main) thread; its state is
 * published there.
 *
 * Returns: (transfer full): a service, not started
 */
XiSyncService *
xi_sync_service_new (XiStore    *store,
                     const char *project_url,
                     const char *anon_key)
{
  XiSyncService *self;

  g_return_val_if_fail (XI_IS_STORE (store), NULL);
  g_return_val_if_fail (project_url != NULL && anon_key != NULL, NULL);

  self = g_object_new (XI_TYPE_SYNC_SERVICE, NULL);
  self->store = g_object_ref (store);
  self->project_url = g_strdup (project_url);
  self->anon_key = g_strdup (anon_key);
  return self;
}

/**
 * xi_sync_service_start:
 * @self: a #XiSyncService
 *
 * Starts the sync thread: it restores the session and syncs.
 */
void
xi_sync_service_start (XiSyncService *self)
{
  g_return_if_fail (XI_IS_SYNC_SERVICE (self));
  g_return_if_fail (self->thread == NULL);
  self->thread = g_thread_new ("xi-sync", sync_thread, self);
  self->changed_id = g_signal_connect_swapped (self->store, "changed::local",
                                               G_CALLBACK (store_changed_cb), self);
}

/**
 * xi_sync_service_sync_now:
 * @self: a #XiSyncService
 *
 * Asks for a pass as soon as possible, e.g. after a local change or when
 * the network comes back. Any thread.
 */
void
xi_sync_service_sync_now (XiSyncService *self)
{
  g_return_if_fail (XI_IS_SYNC_SERVICE (self));

  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, sync_now_cb,
                              g_object_ref (self), g_object_unref);
}

/**
 * xi_sync_service_stop:
 * @self: a #XiSyncService
 *
 * Cancels the pass in flight (its ops go back to the queue), ends the
 * sync thread and waits for it. Call before closing the store.
 */
void
xi_sync_service_stop (XiSyncService *self)
{
  g_return_if_fail (XI_IS_SYNC_SERVICE (self));

  if (self->thread == NULL)
    return;
  g_clear_signal_handler (&self->changed_id, self->store);
  cancel_soon (self);
  g_main_context_invoke (self->context, quit_cb, self);
  g_thread_join (g_steal_pointer (&self->thread));
}

/**
 * xi_sync_service_get_state:
 * @self: a #XiSyncService
 *
 * Returns: the state last published
 */
XiSyncState
xi_sync_service_get_state (XiSyncService *self)
{
  g_return_val_if_fail (XI_IS_SYNC_SERVICE (self), XI_SYNC_STATE_STARTING);
  return self->shown.state;
}

/**
 * xi_sync_service_get_pending:
 * @self: a #XiSyncService
 *
 * Returns: changes waiting to be sent
 */
guint
xi_sync_service_get_pending (XiSyncService *self)
{
  g_return_val_if_fail (XI_IS_SYNC_SERVICE (self), 0);
  return self->shown.pending;
}

/**
 * xi_sync_service_get_refused:
 * @self: a #XiSyncService
 *
 * Returns: changes the server refused
 */
guint
xi_sync_service_get_refused (XiSyncService *self)
{
  g_return_val_if_fail (XI_IS_SYNC_SERVICE (self), 0);
  return self->shown.refused;
}

/**
 * xi_sync_service_get_retry_in:
 * @self: a #XiSyncService
 *
 * Returns: seconds to the next try when offline, as published
 */
guint
xi_sync_service_get_retry_in (XiSyncService *self)
{
  g_return_val_if_fail (XI_IS_SYNC_SERVICE (self), 0);
  return self->shown.retry_in;
}

/**
 * xi_sync_service_get_message:
 * @self: a #XiSyncService
 *
 * Returns: (nullable): what went wrong last, if anything
 */
const char *
xi_sync_service_get_message (XiSyncService *self)
{
  g_return_val_if_fail (XI_IS_SYNC_SERVICE (self), NULL);
  return self->shown.message;
}

static void
refused_resolved_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiSyncService *self = g_task_get_source_object (task);
  GError *error = NULL;
  guint resolved = xi_store_sync_resolve_dead_finish (XI_STORE (object), result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* The refused count comes back with the next pass, which also sends a
   * retried change at once. */
  if (self->thread != NULL)
    xi_sync_service_sync_now (self);
  g_task_return_int (task, resolved);
}

/**
 * xi_sync_service_resolve_refused_async:
 * @self: a #XiSyncService
 * @op_id: (nullable): the refused change, or %NULL for every one
 * @action: retry it or discard it for the server's copy
 * @callback: called once it is resolved in the store
 * @user_data: closure
 *
 * Resolves changes the server refused (see
 * xi_store_sync_resolve_dead_async()) and syncs, so that the refused
 * count and the rows follow. A write: it takes no cancellable and runs
 * even if whoever asked goes away. Main thread.
 */
void
xi_sync_service_resolve_refused_async (XiSyncService       *self,
                                       const char          *op_id,
                                       XiSyncDeadAction     action,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_SYNC_SERVICE (self));
  g_assert (self->owner == g_thread_self ());

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, xi_sync_service_resolve_refused_async);
  xi_store_sync_resolve_dead_async (self->store, op_id, action, NULL, refused_resolved_cb, task);
}

/**
 * xi_sync_service_resolve_refused_finish:
 * @self: a #XiSyncService
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: how many changes were retried or discarded
 */
guint
xi_sync_service_resolve_refused_finish (XiSyncService  *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  gssize resolved;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  resolved = g_task_propagate_int (G_TASK (result), error);
  return resolved < 0 ? 0 : (guint)resolved;
}
