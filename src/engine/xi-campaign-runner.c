/* xi-campaign-runner.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-campaign-runner"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-campaign-runner.h"
#include "xi-engine.h"

/*
 * The main thread's facade on the engine. The engine and the transport
 * live on a network thread with its own main context; this object only
 * passes commands in (as invocations on that context) and snapshots out:
 * copies of the engine's jobs, which it goes on changing and the UI
 * updates in place, progress structs, and incoming messages, which
 * nobody changes once stored.
 *
 * What comes out is coalesced: the network thread overwrites the latest
 * snapshot per campaign under a lock, and at most one publish is pending
 * on the main context at a time, at most PUBLISH_INTERVAL_US after the
 * last. A campaign sending hundreds of messages a second, each with its
 * receipts, therefore costs the UI ten updates a second, not a wake-up
 * of the main thread per message.
 */

#define PUBLISH_INTERVAL_US (G_USEC_PER_SEC / 10)

struct _XiCampaignRunner
{
  GObject             parent_instance;

  XiStore            *store;
  XiTransportFactory  factory;
  gpointer            factory_data;
  GDestroyNotify      factory_destroy;
  GMainContext       *main_context;

  GThread            *thread;
  GMainContext       *net_context;
  GMainLoop          *net_loop;
  XiEngine           *engine;          /* network thread only */
  XiTransport        *whatsapp;        /* network thread only: until the engine exists */

  GMutex              lock;
  GCond               cond;
  gboolean            started;         /* under lock: the thread finished starting */
  GError             *start_error;     /* under lock */
  GHashTable         *pending_jobs;    /* under lock: id -> XiJob, copies */
  GHashTable         *pending_progress; /* under lock: id -> XiJobProgress */
  gboolean            pending_idle;    /* under lock */
  gboolean            pending_disk_full; /* under lock */
  gboolean            pending_incoming_disk_full; /* under lock */
  gboolean            pending_receipts; /* under lock */
  gboolean            idle_value;      /* under lock */
  GSource            *publish_source;  /* under lock */
  gint64              published_us;    /* under lock: the last publish, monotonic */
  XiTransportState    transport_state; /* under lock */
  gboolean            pending_state;   /* under lock */
  GPtrArray          *pending_incoming; /* under lock: XiIncoming*, in order */
  char              **opt_out_keywords; /* under lock: NULL for the defaults */
  guint               reply_min_delay_ms; /* under lock */
  guint               reply_daily_cap; /* under lock */
  guint64             media_auto_download; /* under lock: bytes */

  gboolean            idle;            /* main thread's view */
};

G_DEFINE_FINAL_TYPE (XiCampaignRunner, xi_campaign_runner, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (XiJobProgress, xi_job_progress, xi_job_progress_copy, xi_job_progress_free)

enum {
  JOB_CHANGED,
  PROGRESS,
  IDLE,
  INCOMING,
  DISK_FULL,
  INCOMING_DISK_FULL,
  RECEIPTS,
  N_SIGNALS
};

enum {
  PROP_0,
  PROP_TRANSPORT_STATE,
  N_PROPS
};

static guint signals[N_SIGNALS];
static GParamSpec *properties[N_PROPS];

XiJobProgress *
xi_job_progress_copy (const XiJobProgress *progress)
{
  XiJobProgress *copy = g_memdup2 (progress, sizeof *progress);

  copy->job_id = g_strdup (progress->job_id);
  copy->current_name = g_strdup (progress->current_name);
  return copy;
}

void
xi_job_progress_free (XiJobProgress *progress)
{
  if (progress == NULL)
    return;
  g_free (progress->job_id);
  g_free (progress->current_name);
  g_free (progress);
}

/* Publishing to the main thread */

static gboolean
publish_cb (gpointer user_data)
{
  XiCampaignRunner *self = user_data;
  g_autoptr(GHashTable) jobs = NULL;
  g_autoptr(GHashTable) progress = NULL;
  g_autoptr(GPtrArray) incoming = NULL;
  gboolean idle_changed = FALSE, idle = FALSE, state_changed, disk_full, incoming_disk_full, receipts;
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->lock);
  jobs = g_steal_pointer (&self->pending_jobs);
  progress = g_steal_pointer (&self->pending_progress);
  incoming = g_steal_pointer (&self->pending_incoming);
  self->pending_incoming = g_ptr_array_new_with_free_func (g_object_unref);
  self->pending_jobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->pending_progress = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                  (GDestroyNotify)xi_job_progress_free);
  if (self->pending_idle)
    {
      idle_changed = TRUE;
      idle = self->idle_value;
      self->pending_idle = FALSE;
    }
  g_clear_pointer (&self->publish_source, g_source_unref);
  self->published_us = g_get_monotonic_time ();
  state_changed = self->pending_state;
  self->pending_state = FALSE;
  disk_full = self->pending_disk_full;
  self->pending_disk_full = FALSE;
  incoming_disk_full = self->pending_incoming_disk_full;
  self->pending_incoming_disk_full = FALSE;
  receipts = self->pending_receipts;
  self->pending_receipts = FALSE;
  g_mutex_unlock (&self->lock);

  g_object_ref (self);
  g_hash_table_iter_init (&iter, jobs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_signal_emit (self, signals[JOB_CHANGED], 0, value);
  g_hash_table_iter_init (&iter, progress);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_signal_emit (self, signals[PROGRESS], 0, value);
  for (guint i = 0; i < incoming->len; i++)
    g_signal_emit (self, signals[INCOMING], 0, g_ptr_array_index (incoming, i));
  if (state_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRANSPORT_STATE]);
  if (disk_full)
    g_signal_emit (self, signals[DISK_FULL], 0);
  if (incoming_disk_full)
    g_signal_emit (self, signals[INCOMING_DISK_FULL], 0);
  if (receipts)
    g_signal_emit (self, signals[RECEIPTS], 0);
  if (idle_changed)
    {
      self->idle = idle;
      if (idle)
        g_signal_emit (self, signals[IDLE], 0);
    }
  g_object_unref (self);

  return G_SOURCE_REMOVE;
}

/* Called with the lock held. */
static void
schedule_publish (XiCampaignRunner *self)
{
  gint64 wait_us = self->published_us + PUBLISH_INTERVAL_US - g_get_monotonic_time ();

  if (self->publish_source != NULL)
    return;

  self->publish_source = wait_us > 0 ? g_timeout_source_new (wait_us / 1000 + 1) : g_idle_source_new ();
  g_source_set_priority (self->publish_source, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->publish_source, publish_cb, self, NULL);
  g_source_attach (self->publish_source, self->main_context);
}

static void
engine_job_changed_cb (XiCampaignRunner *self,
                       XiJob            *job)
{
  g_mutex_lock (&self->lock);
  g_hash_table_replace (self->pending_jobs, g_strdup (xi_job_get_id (job)), xi_job_copy (job));
  schedule_publish (self);
  g_mutex_unlock (&self->lock);
}

static void
engine_progress_cb (XiCampaignRunner *self,
                    XiJobProgress    *progress)
{
  g_mutex_lock (&self->lock);
  g_hash_table_replace (self->pending_progress, g_strdup (progress->job_id),
                        xi_job_progress_copy (progress));
  schedule_publish (self);
  g_mutex_unlock (&self->lock);
}

static void
engine_disk_full_cb (XiCampaignRunner *self)
{
  g_mutex_lock (&self->lock);
  self->pending_disk_full = TRUE;
  schedule_publish (self);
  g_mutex_unlock (&self->lock);
}

static void
receiver_disk_full_cb (XiCampaignRunner *self)
{
  g_mutex_lock (&self->lock);
  self->pending_incoming_disk_full = TRUE;
  schedule_publish (self);
  g_mutex_unlock (&self->lock);
}

static void
engine_receipts_cb (XiCampaignRunner *self)
{
  g_mutex_lock (&self->lock);
  self->pending_receipts = TRUE;
  schedule_publish (self);
  g_mutex_unlock (&self->lock);
}

static void
engine_idle_cb (XiCampaignRunner *self,
                gboolean          idle)
{
  g_mutex_lock (&self->lock);
  self->pending_idle = TRUE;
  self->idle_value = idle;
  schedule_publish (self);
  g_mutex_unlock (&self->lock);
}

/* Messages are not coalesced away, each one is news; they are only
 * published together, once per main-loop turn. */
static void
engine_incoming_cb (XiCampaignRunner *self,
                    XiIncoming       *incoming)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->pending_incoming, g_object_ref (incoming));
  schedule_publish (self);
  g_mutex_unlock (&self->lock);
}

/* On the network thread. */
static void
apply_receiver_settings (XiCampaignRunner *self)
{
  XiReceiver *receiver = xi_engine_get_receiver (self->engine);

  g_mutex_lock (&self->lock);
  xi_receiver_set_opt_out_keywords (receiver, (const char * const *)self->opt_out_keywords);
  xi_receiver_set_pacing (receiver, self->reply_min_delay_ms, self->reply_daily_cap);
  xi_receiver_set_auto_download_limit (receiver, self->media_auto_download);
  g_mutex_unlock (&self->lock);
}

static void
transport_state_cb (XiCampaignRunner *self,
                    GParamSpec       *pspec,
                    XiTransport      *transport)
{
  g_mutex_lock (&self->lock);
  self->transport_state = xi_transport_get_state (transport);
  self->pending_state = TRUE;
  schedule_publish (self);
  g_mutex_unlock (&self->lock);
}

/* The network thread */

static gpointer
network_thread (gpointer user_data)
{
  XiCampaignRunner *self = user_data;
  g_autoptr(XiTransport) transport = NULL;
  GError *error = NULL;

  g_main_context_push_thread_default (self->net_context);

  transport = self->factory (self->factory_data, &error);
  if (transport != NULL)
    {
      self->engine = xi_engine_new (self->store, transport);
      g_signal_connect_swapped (self->engine, "job-changed", G_CALLBACK (engine_job_changed_cb), self);
      g_signal_connect_swapped (self->engine, "progress", G_CALLBACK (engine_progress_cb), self);
      g_signal_connect_swapped (self->engine, "idle", G_CALLBACK (engine_idle_cb), self);
      g_signal_connect_swapped (self->engine, "disk-full", G_CALLBACK (engine_disk_full_cb), self);
      g_signal_connect_swapped (self->engine, "incoming", G_CALLBACK (engine_incoming_cb), self);
      g_signal_connect_swapped (self->engine, "receipts", G_CALLBACK (engine_receipts_cb), self);
      g_signal_connect_swapped (xi_engine_get_receiver (self->engine), "disk-full",
                                G_CALLBACK (receiver_disk_full_cb), self);
      apply_receiver_settings (self);
      g_signal_connect_swapped (transport, "notify::state", G_CALLBACK (transport_state_cb), self);
      if (self->whatsapp != NULL)
        xi_engine_set_transport (self->engine, XI_JOB_TRANSPORT_WHATSAPP, self->whatsapp);
    }

  g_mutex_lock (&self->lock);
  self->started = TRUE;
  self->start_error = error;
  if (transport != NULL)
    self->transport_state = xi_transport_get_state (transport);
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  if (transport != NULL)
    {
      xi_engine_wake (self->engine);
      g_main_loop_run (self->net_loop);
      g_signal_handlers_disconnect_by_data (transport, self);
      g_signal_handlers_disconnect_by_data (self->engine, self);
      g_clear_object (&self->engine);
    }
  g_clear_object (&self->whatsapp);

  /* Let sources that still hold references (store replies, timers) go
   * before the context is dropped. */
  while (g_main_context_iteration (self->net_context, FALSE))
    ;
  g_main_context_pop_thread_default (self->net_context);
  return NULL;
}

static void
xi_campaign_runner_dispose (GObject *object)
{
  XiCampaignRunner *self = (XiCampaignRunner *)object;

  xi_campaign_runner_stop (self);

  G_OBJECT_CLASS (xi_campaign_runner_parent_class)->dispose (object);
}

static void
xi_campaign_runner_finalize (GObject *object)
{
  XiCampaignRunner *self = (XiCampaignRunner *)object;

  if (self->factory_destroy != NULL)
    self->factory_destroy (self->factory_data);
  g_clear_error (&self->start_error);
  g_hash_table_unref (self->pending_jobs);
  g_hash_table_unref (self->pending_progress);
  g_ptr_array_unref (self->pending_incoming);
  g_strfreev (self->opt_out_keywords);
  g_main_loop_unref (self->net_loop);
  g_main_context_unref (self->net_context);
  g_main_context_unref (self->main_context);
  g_clear_object (&self->store);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (xi_campaign_runner_parent_class)->finalize (object);
}

static void
xi_campaign_runner_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  XiCampaignRunner *self = XI_CAMPAIGN_RUNNER (object);

  switch (prop_id)
    {
    case PROP_TRANSPORT_STATE:
      g_value_set_int (value, xi_campaign_runner_get_transport_state (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_campaign_runner_class_init (XiCampaignRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xi_campaign_runner_dispose;
  object_class->finalize = xi_campaign_runner_finalize;
  object_class->get_property = xi_campaign_runner_get_property;

  properties[PROP_TRANSPORT_STATE] =
    g_param_spec_int ("transport-state", NULL, NULL,
                      XI_TRANSPORT_STATE_DISCONNECTED, XI_TRANSPORT_STATE_CONNECTED,
                      XI_TRANSPORT_STATE_DISCONNECTED,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[JOB_CHANGED] = g_signal_new ("job-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, XI_TYPE_JOB);
  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                    XI_TYPE_JOB_PROGRESS | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[IDLE] = g_signal_new ("idle", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * XiCampaignRunner::incoming:
   * @incoming: the stored message, with the sender's contact name and,
   *   when the message opted the sender out, the keyword
   *   (xi_incoming_get_opt_out_keyword())
   *
   * A customer's message arrived and was stored, once per message.
   */
  signals[INCOMING] = g_signal_new ("incoming", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, XI_TYPE_INCOMING);

  /**
   * XiCampaignRunner::disk-full:
   *
   * A campaign stopped because the disk is full, and the engine sends
   * nothing more until a command (such as resuming it) says there is
   * room again.
   */
  signals[DISK_FULL] = g_signal_new ("disk-full", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * XiCampaignRunner::incoming-disk-full:
   *
   * A customer's message could not be stored because the disk is full:
   * WhatsApp keeps it until it is delivered again. Once, until a
   * message is stored again.
   */
  signals[INCOMING_DISK_FULL] = g_signal_new ("incoming-disk-full", G_TYPE_FROM_CLASS (klass),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * XiCampaignRunner::receipts:
   *
   * Delivery or read receipts were recorded: the ticks of messages sent
   * by hand may have changed (campaigns have #XiCampaignRunner::job-changed).
   * Bursts are published once per main-loop turn.
   */
  signals[RECEIPTS] = g_signal_new ("receipts", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
xi_campaign_runner_init (XiCampaignRunner *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->pending_jobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->pending_progress = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                  (GDestroyNotify)xi_job_progress_free);
  self->pending_incoming = g_ptr_array_new_with_free_func (g_object_unref);
  self->reply_min_delay_ms = XI_RECEIVER_DEFAULT_MIN_DELAY_MS;
  self->reply_daily_cap = XI_RECEIVER_DEFAULT_DAILY_CAP;
  self->media_auto_download = XI_RECEIVER_DEFAULT_AUTO_DOWNLOAD;
  self->net_context = g_main_context_new ();
  self->net_loop = g_main_loop_new (self->net_context, FALSE);
  self->main_context = g_main_context_ref_thread_default ();
}

/**
 * xi_campaign_runner_new:
 * @store: an open store
 * @factory: makes the transport, on the network thread
 * @factory_data: for @factory
 * @factory_destroy: (nullable): frees @factory_data
 *
 * Returns: (transfer full): a runner; call xi_campaign_runner_start()
 */
XiCampaignRunner *
xi_campaign_runner_new (XiStore            *store,
                        XiTransportFactory  factory,
                        gpointer            factory_data,
                        GDestroyNotify      factory_destroy)
{
  XiCampaignRunner *self;

  g_return_val_if_fail (XI_IS_STORE (store), NULL);
  g_return_val_if_fail (factory != NULL, NULL);

  self = g_object_new (XI_TYPE_CAMPAIGN_RUNNER, NULL);
  self->store = g_object_ref (store);
  self->factory = factory;
  self->factory_data = factory_data;
  self->factory_destroy = factory_destroy;
  return self;
}

/**
 * xi_campaign_runner_start:
 *
 * Starts the network thread and the queue, which resumes whatever
 * campaign was interrupted. Fails when the transport cannot be made.
 */
gboolean
xi_campaign_runner_start (XiCampaignRunner  *self,
                          GError           **error)
{
  g_return_val_if_fail (XI_IS_CAMPAIGN_RUNNER (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  self->thread = g_thread_new ("xi-network", network_thread, self);

  g_mutex_lock (&self->lock);
  while (!self->started)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  if (self->start_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->start_error));
      g_thread_join (g_steal_pointer (&self->thread));
      return FALSE;
    }
  return TRUE;
}

static gboolean
quit_network_loop (gpointer user_data)
{
  XiCampaignRunner *self = user_data;

  g_main_loop_quit (self->net_loop);
  return G_SOURCE_REMOVE;
}

static gboolean
shutdown_on_network_thread (gpointer user_data)
{
  XiCampaignRunner *self = user_data;

  if (self->engine != NULL)
    xi_engine_shutdown (self->engine, quit_network_loop, self);
  else
    g_main_loop_quit (self->net_loop);
  return G_SOURCE_REMOVE;
}

/**
 * xi_campaign_runner_stop:
 *
 * Stops sending and joins the network thread. The running campaign keeps
 * its stored state, so the next start continues it. Blocks until the
 * message in flight, if any, was acknowledged and recorded.
 */
void
xi_campaign_runner_stop (XiCampaignRunner *self)
{
  g_return_if_fail (XI_IS_CAMPAIGN_RUNNER (self));

  if (self->thread == NULL)
    return;

  g_main_context_invoke (self->net_context, shutdown_on_network_thread, self);
  g_thread_join (g_steal_pointer (&self->thread));

  g_mutex_lock (&self->lock);
  if (self->publish_source != NULL)
    {
      g_source_destroy (self->publish_source);
      g_clear_pointer (&self->publish_source, g_source_unref);
    }
  g_mutex_unlock (&self->lock);
}

typedef struct
{
  XiCampaignRunner *self;
  char             *job_id;
  XiJobCommand      command;
  GTask            *task;
} CommandCall;

static gboolean
command_on_network_thread (gpointer user_data)
{
  CommandCall *call = user_data;

  if (call->self->engine != NULL)
    xi_engine_command (call->self->engine, call->job_id, call->command, call->task);
  else
    g_task_return_new_error (call->task, XI_STORE_ERROR, XI_STORE_ERROR_CLOSED,
                             _("Sending has stopped. Restart Xender-In."));

  g_object_unref (call->task);
  g_free (call->job_id);
  g_free (call);
  return G_SOURCE_REMOVE;
}

/**
 * xi_campaign_runner_command_async:
 * @self: a #XiCampaignRunner
 * @job_id: the campaign
 * @command: start, pause, resume or cancel
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on this thread with the result
 * @user_data: closure
 *
 * Applies a user's command to a campaign: stored, and in effect at once
 * when it is the one being sent.
 */
void
xi_campaign_runner_command_async (XiCampaignRunner    *self,
                                  const char          *job_id,
                                  XiJobCommand         command,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CommandCall *call;

  g_return_if_fail (XI_IS_CAMPAIGN_RUNNER (self));
  g_return_if_fail (job_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_campaign_runner_command_async);

  if (self->thread == NULL)
    {
      g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_CLOSED,
                               _("Sending has stopped. Restart Xender-In."));
      return;
    }

  call = g_new0 (CommandCall, 1);
  call->self = self;
  call->job_id = g_strdup (job_id);
  call->command = command;
  call->task = g_steal_pointer (&task);
  g_main_context_invoke (self->net_context, command_on_network_thread, call);
}

/**
 * xi_campaign_runner_command_finish:
 *
 * Returns: (transfer full): the campaign after the command
 */
XiJob *
xi_campaign_runner_command_finish (XiCampaignRunner  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
wake_on_network_thread (gpointer user_data)
{
  XiCampaignRunner *self = user_data;

  if (self->engine != NULL)
    xi_engine_wake (self->engine);
  return G_SOURCE_REMOVE;
}

/**
 * xi_campaign_runner_wake:
 *
 * Tells the queue that a campaign was created or queued.
 */
void
xi_campaign_runner_wake (XiCampaignRunner *self)
{
  g_return_if_fail (XI_IS_CAMPAIGN_RUNNER (self));

  if (self->thread != NULL)
    {
      self->idle = FALSE;
      g_main_context_invoke (self->net_context, wake_on_network_thread, self);
    }
}

XiTransportState
xi_campaign_runner_get_transport_state (XiCampaignRunner *self)
{
  XiTransportState state;

  g_return_val_if_fail (XI_IS_CAMPAIGN_RUNNER (self), XI_TRANSPORT_STATE_DISCONNECTED);

  g_mutex_lock (&self->lock);
  state = self->transport_state;
  g_mutex_unlock (&self->lock);
  return state;
}

/**
 * xi_campaign_runner_is_idle:
 *
 * Returns: whether, as last published, the queue had nothing to run now
 */
gboolean
xi_campaign_runner_is_idle (XiCampaignRunner *self)
{
  g_return_val_if_fail (XI_IS_CAMPAIGN_RUNNER (self), FALSE);
  return self->idle;
}

static gboolean
apply_receiver_settings_cb (gpointer user_data)
{
  g_autoptr(XiCampaignRunner) self = user_data;

  if (self->engine != NULL)
    apply_receiver_settings (self);
  return G_SOURCE_REMOVE;
}

/**
 * xi_campaign_runner_set_receiver_settings:
 * @self: a #XiCampaignRunner
 * @opt_out_keywords: (nullable) (array zero-terminated=1): the
 *   "opt-out-keywords" setting; %NULL for xi_opt_out_default_keywords()
 * @reply_min_delay_ms: the shortest pause between two automatic answers;
 *   pass the campaigns' shortest delay ("default-delay-min")
 * @reply_daily_cap: at most this many automatic answers a day (0: no cap)
 *
 * Passes the user's settings, which live on the main thread, to the
 * receiver. Takes effect for the next message, also before
 * xi_campaign_runner_start().
 */
void
xi_campaign_runner_set_receiver_settings (XiCampaignRunner   *self,
                                          const char * const *opt_out_keywords,
                                          guint               reply_min_delay_ms,
                                          guint               reply_daily_cap)
{
  g_return_if_fail (XI_IS_CAMPAIGN_RUNNER (self));

  g_mutex_lock (&self->lock);
  g_strfreev (self->opt_out_keywords);
  self->opt_out_keywords = g_strdupv ((char **)opt_out_keywords);
  self->reply_min_delay_ms = reply_min_delay_ms;
  self->reply_daily_cap = reply_daily_cap;
  g_mutex_unlock (&self->lock);

  if (self->thread != NULL)
    g_main_context_invoke (self->net_context, apply_receiver_settings_cb, g_object_ref (self));
}

/**
 * xi_campaign_runner_set_media_auto_download:
 * @limit: the largest file a customer sends that is fetched as soon as it
 *   arrives, in bytes; 0 for none
 *
 * See xi_receiver_set_auto_download_limit().
 */
void
xi_campaign_runner_set_media_auto_download (XiCampaignRunner *self,
                                            guint64           limit)
{
  g_return_if_fail (XI_IS_CAMPAIGN_RUNNER (self));

  g_mutex_lock (&self->lock);
  self->media_auto_download = limit;
  g_mutex_unlock (&self->lock);

  if (self->thread != NULL)
    g_main_context_invoke (self->net_context, apply_receiver_settings_cb, g_object_ref (self));
}

/* Downloading a customer's file */

typedef struct
{
  XiCampaignRunner *self;
  XiIncoming       *incoming;
  GTask            *task;
} DownloadCall;

static void
download_call_free (DownloadCall *call)
{
  g_object_unref (call->incoming);
  g_object_unref (call->task);
  g_free (call);
}

static void
media_saved_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  DownloadCall *call = user_data;
  GError *error = NULL;
  XiIncoming *saved = xi_store_save_incoming_media_finish (XI_STORE (object), result, &error);

  if (saved == NULL)
    g_task_return_error (call->task, error);
  else
    g_task_return_pointer (call->task, saved, g_object_unref);
  download_call_free (call);
}

static void
media_downloaded_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  DownloadCall *call = user_data;
  GError *error = NULL;
  g_autoptr(GBytes) content = xi_transport_download_media_finish (XI_TRANSPORT (object), result, &error);

  if (content == NULL)
    {
      g_task_return_error (call->task, error);
      download_call_free (call);
      return;
    }
  xi_store_save_incoming_media_async (call->self->store, xi_incoming_get_message_id (call->incoming), content,
                                      NULL, media_saved_cb, call);
}

static gboolean
download_on_network_thread (gpointer user_data)
{
  DownloadCall *call = user_data;

  if (call->self->whatsapp == NULL)
    {
      g_task_return_new_error (call->task, XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_DISCONNECTED,
                               _("Not connected to WhatsApp. Link this computer or wait for the "
                                 "connection, then try again."));
      download_call_free (call);
      return G_SOURCE_REMOVE;
    }
  xi_transport_download_media_async (call->self->whatsapp, xi_incoming_get_media (call->incoming),
                                     g_task_get_cancellable (call->task), media_downloaded_cb, call);
  return G_SOURCE_REMOVE;
}

/**
 * xi_campaign_runner_download_media_async:
 * @self: a #XiCampaignRunner
 * @incoming: a customer's message that carries a file
 * @cancellable: (nullable): a #GCancellable; the file is then not kept
 *   if it had not arrived yet
 * @callback: called on this thread with the result
 * @user_data: closure
 *
 * Downloads the file over the linked account, verifies it (see
 * xi_transport_download_media_async()) and keeps it as an asset.
 */
void
xi_campaign_runner_download_media_async (XiCampaignRunner    *self,
                                         XiIncoming          *incoming,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DownloadCall *call;

  g_return_if_fail (XI_IS_CAMPAIGN_RUNNER (self));
  g_return_if_fail (XI_IS_INCOMING (incoming) && xi_incoming_get_media (incoming) != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_campaign_runner_download_media_async);
  if (self->thread == NULL)
    {
      g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_CLOSED,
                               _("Sending has stopped. Restart Xender-In."));
      return;
    }

  call = g_new0 (DownloadCall, 1);
  call->self = self;
  call->incoming = g_object_ref (incoming);
  call->task = g_steal_pointer (&task);
  g_main_context_invoke (self->net_context, download_on_network_thread, call);
}

/**
 * xi_campaign_runner_download_media_finish:
 *
 * Returns: (transfer full): the message, its media now kept (asset_path)
 */
XiIncoming *
xi_campaign_runner_download_media_finish (XiCampaignRunner  *self,
                                          GAsyncResult      *result,
                                          GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xi_campaign_runner_get_network_context:
 *
 * The main context of the network thread, for the other objects that
 * must live there (the WhatsApp client, through #XiConnection). What is
 * invoked on it runs only while the runner is started, and runs before
 * the thread ends when it was invoked before xi_campaign_runner_stop().
 *
 * Returns: (transfer none): the network thread's main context
 */
GMainContext *
xi_campaign_runner_get_network_context (XiCampaignRunner *self)
{
  g_return_val_if_fail (XI_IS_CAMPAIGN_RUNNER (self), NULL);
  return self->net_context;
}

/**
 * xi_campaign_runner_set_whatsapp_transport:
 * @transport: (nullable): the linked account's transport, or %NULL when
 *   it goes away
 *
 * Gives campaigns that go through WhatsApp their transport; until then
 * they wait in the queue. Call it on the network thread, where
 * @transport lives (#XiConnection does, for the client it makes there).
 */
void
xi_campaign_runner_set_whatsapp_transport (XiCampaignRunner *self,
                                           XiTransport      *transport)
{
  g_return_if_fail (XI_IS_CAMPAIGN_RUNNER (self));
  g_return_if_fail (transport == NULL || XI_IS_TRANSPORT (transport));
  g_return_if_fail (g_main_context_is_owner (self->net_context));

  g_set_object (&self->whatsapp, transport);
  if (self->engine != NULL)
    xi_engine_set_transport (self->engine, XI_JOB_TRANSPORT_WHATSAPP, transport);
}
