/* xi-engine.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-engine"

#include "config.h"

#include "xi-engine.h"
#include "xi-job-processor.h"
#include "xi-receiver.h"
#include "xi-whatsapp-transport.h"

/*
 * The queue (SPEC.md, worker 3) on the network thread: it asks the store
 * for the next campaign to run, runs it with an XiJobProcessor, and when
 * that stops asks again. One campaign sends at a time, since one WhatsApp
 * account must not send in parallel; the store's claim order puts an
 * interrupted campaign first, then priority, then age.
 *
 * Each campaign goes through the transport it names (the WhatsApp account
 * or the rehearsal); the queue only picks campaigns whose transport it
 * has, so a rehearsal runs while no account is linked. A campaign that
 * names none (made before the choice existed) goes through the transport
 * the engine was made with.
 *
 * User commands that touch the running campaign stop its processor first,
 * so a pause is immediate and the in-flight message is recorded before
 * the new state is written. Receipts are group-committed like outcomes.
 */

/* Every field belongs to the thread that created the engine, the
 * network thread. */
struct _XiEngine
{
  GObject          parent_instance;

  GThread         *owner;

  XiStore         *store;
  XiTransport     *transport;     /* for campaigns that name none */
  GHashTable      *transports;    /* name -> XiTransport */
  XiJobProcessor  *processor;
  XiReceiver      *receiver;      /* customers' messages, on every transport */
  GSourceFunc      receiver_done; /* the caller's shutdown callback */
  gpointer         receiver_data;
  GSource         *wake_timer;    /* a scheduled campaign becomes due */
  gboolean         claiming;
  gboolean         claim_again;
  gboolean         disk_full;     /* nothing is claimed until a command */
  gboolean         shutting_down;
  GSourceFunc      shutdown_done;
  gpointer         shutdown_data;
  GPtrArray       *stop_waiters;  /* PendingCommand*, run once the processor stopped */

  GPtrArray       *receipts;      /* XiReceipt*, not yet handed to the store */
  gboolean         recording_receipts;
  GHashTable      *ticked_jobs;   /* ids of campaigns whose receipts are not shown yet */
  GSource         *ticks_due;     /* shows them */
};

G_DEFINE_FINAL_TYPE (XiEngine, xi_engine, G_TYPE_OBJECT)

enum {
  JOB_CHANGED,
  PROGRESS,
  IDLE,
  INCOMING,
  DISK_FULL,
  RECEIPTS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  char          *job_id;
  XiJobCommand   command;
  GTask         *task;
} PendingCommand;

static void
pending_command_free (PendingCommand *pending)
{
  g_free (pending->job_id);
  g_clear_object (&pending->task);
  g_free (pending);
}

static void claim (XiEngine *self);

/* Receipts come in as fast as messages go out; the campaigns whose
 * ticks they moved are read again and shown at most this often. */
#define TICKS_INTERVAL_MS 100

static void
clear_wake_timer (XiEngine *self)
{
  if (self->wake_timer == NULL)
    return;
  g_source_destroy (self->wake_timer);
  g_clear_pointer (&self->wake_timer, g_source_unref);
}

static void
xi_engine_dispose (GObject *object)
{
  XiEngine *self = (XiEngine *)object;

  clear_wake_timer (self);
  if (self->ticks_due != NULL)
    {
      g_source_destroy (self->ticks_due);
      g_clear_pointer (&self->ticks_due, g_source_unref);
    }
  if (self->transports != NULL)
    {
      GHashTableIter iter;
      gpointer transport;

      g_hash_table_iter_init (&iter, self->transports);
      while (g_hash_table_iter_next (&iter, NULL, &transport))
        g_signal_handlers_disconnect_by_data (transport, self);
      g_hash_table_remove_all (self->transports);
    }
  if (self->processor != NULL)
    g_signal_handlers_disconnect_by_data (self->processor, self);
  g_clear_object (&self->processor);
  if (self->receiver != NULL)
    g_signal_handlers_disconnect_by_data (self->receiver, self);
  g_clear_object (&self->receiver);

  G_OBJECT_CLASS (xi_engine_parent_class)->dispose (object);
}

static void
xi_engine_finalize (GObject *object)
{
  XiEngine *self = (XiEngine *)object;

  g_ptr_array_unref (self->stop_waiters);
  g_ptr_array_unref (self->receipts);
  g_hash_table_unref (self->ticked_jobs);
  g_clear_pointer (&self->transports, g_hash_table_unref);
  g_clear_object (&self->transport);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (xi_engine_parent_class)->finalize (object);
}

static void
xi_engine_class_init (XiEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xi_engine_dispose;
  object_class->finalize = xi_engine_finalize;

  signals[JOB_CHANGED] = g_signal_new ("job-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, XI_TYPE_JOB);
  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                    XI_TYPE_JOB_PROGRESS | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[IDLE] = g_signal_new ("idle", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  signals[INCOMING] = g_signal_new ("incoming", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, XI_TYPE_INCOMING);
  /* A campaign stopped because the disk is full; it is paused with that
   * reason when the disk still took the pause. */
  signals[DISK_FULL] = g_signal_new ("disk-full", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A batch of receipts was written: ticks may have changed anywhere,
   * campaigns or messages sent by hand. */
  signals[RECEIPTS] = g_signal_new ("receipts", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
xi_engine_init (XiEngine *self)
{
  self->stop_waiters = g_ptr_array_new_with_free_func ((GDestroyNotify)pending_command_free);
  self->receipts = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_receipt_free);
  self->ticked_jobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->transports = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

/* Receipts */

static void record_receipts (XiEngine *self);

static void
ticked_job_read_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(XiEngine) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiJob) job = xi_store_get_job_finish (XI_STORE (object), result, &error);

  /* Deleted meanwhile: nobody is shown its ticks. */
  if (job == NULL)
    g_debug ("Could not read a campaign again for its receipts: %s", error->message);
  else
    g_signal_emit (self, signals[JOB_CHANGED], 0, job);
}

static gboolean
ticks_due_cb (gpointer user_data)
{
  XiEngine *self = user_data;
  GHashTableIter iter;
  const char *job_id;

  g_clear_pointer (&self->ticks_due, g_source_unref);
  g_hash_table_iter_init (&iter, self->ticked_jobs);
  while (g_hash_table_iter_next (&iter, (gpointer *)&job_id, NULL))
    xi_store_get_job_async (self->store, job_id, NULL, ticked_job_read_cb, g_object_ref (self));
  g_hash_table_remove_all (self->ticked_jobs);
  return G_SOURCE_REMOVE;
}

static void
receipts_recorded_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(XiEngine) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) jobs = xi_store_record_receipts_finish (XI_STORE (object), result, &error);

  self->recording_receipts = FALSE;
  if (jobs == NULL)
    g_warning ("Could not record receipts: %s", error->message);
  else
    {
      for (guint i = 0; jobs[i] != NULL; i++)
        g_hash_table_add (self->ticked_jobs, g_strdup (jobs[i]));
      if (jobs[0] != NULL && self->ticks_due == NULL)
        {
          self->ticks_due = g_timeout_source_new (TICKS_INTERVAL_MS);
          g_source_set_callback (self->ticks_due, ticks_due_cb, self, NULL);
          g_source_set_static_name (self->ticks_due, "[xi-engine] receipts");
          g_source_attach (self->ticks_due, g_main_context_get_thread_default ());
        }
      g_signal_emit (self, signals[RECEIPTS], 0);
    }
  record_receipts (self);
}

static void
record_receipts (XiEngine *self)
{
  g_autoptr(GPtrArray) batch = NULL;

  if (self->recording_receipts || self->receipts->len == 0)
    return;

  batch = g_steal_pointer (&self->receipts);
  self->receipts = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_receipt_free);
  self->recording_receipts = TRUE;
  xi_store_record_receipts_async (self->store, batch, NULL, receipts_recorded_cb, g_object_ref (self));
}

static void
receipt_cb (XiEngine   *self,
            const char *message_id,
            int         state,
            gint64      timestamp)
{
  XiReceipt *receipt = g_new0 (XiReceipt, 1);

  receipt->message_id = g_strdup (message_id);
  receipt->state = state;
  receipt->timestamp = timestamp;
  g_ptr_array_add (self->receipts, receipt);
  record_receipts (self);
}

static void
forward_incoming (XiEngine   *self,
                  XiIncoming *incoming)
{
  g_signal_emit (self, signals[INCOMING], 0, incoming);
}

/* The running campaign */

static void
forward_job_changed (XiEngine *self,
                     XiJob    *job)
{
  g_signal_emit (self, signals[JOB_CHANGED], 0, job);
}

static void
forward_progress (XiEngine      *self,
                  XiJobProgress *progress)
{
  g_signal_emit (self, signals[PROGRESS], 0, progress);
}

static void run_command (XiEngine       *self,
                         PendingCommand *pending);

static void
processor_stopped_cb (XiEngine *self,
                      XiJob    *job)
{
  g_autoptr(XiJobProcessor) processor = g_steal_pointer (&self->processor);
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->stop_waiters);

  g_signal_handlers_disconnect_by_data (processor, self);
  self->stop_waiters = g_ptr_array_new_with_free_func ((GDestroyNotify)pending_command_free);

  if (job != NULL)
    g_signal_emit (self, signals[JOB_CHANGED], 0, job);

  /* Claiming again would send the same message and fail to record it,
   * round and round, when the pause could not be written either. */
  if (xi_job_processor_stopped_for_disk_full (processor))
    {
      self->disk_full = TRUE;
      g_signal_emit (self, signals[DISK_FULL], 0);
    }

  for (guint i = 0; i < waiters->len; i++)
    {
      run_command (self, g_ptr_array_steal_index (waiters, i));
      i--;
    }

  if (self->shutting_down)
    {
      if (self->shutdown_done != NULL)
        self->shutdown_done (self->shutdown_data);
      self->shutdown_done = NULL;
      return;
    }
  claim (self);
}

static XiTransport *
transport_for (XiEngine *self,
               XiJob    *job)
{
  const char *name = xi_job_get_transport (job);
  XiTransport *transport = name != NULL ? g_hash_table_lookup (self->transports, name) : NULL;

  return transport != NULL ? transport : self->transport;
}

static void
start_processor (XiEngine *self,
                 XiJob    *job)
{
  self->processor = xi_job_processor_new (self->store, transport_for (self, job), job);
  g_signal_connect_swapped (self->processor, "job-changed", G_CALLBACK (forward_job_changed), self);
  g_signal_connect_swapped (self->processor, "progress", G_CALLBACK (forward_progress), self);
  g_signal_connect_swapped (self->processor, "stopped", G_CALLBACK (processor_stopped_cb), self);
  g_signal_emit (self, signals[JOB_CHANGED], 0, job);
  g_signal_emit (self, signals[IDLE], 0, FALSE);
  xi_job_processor_run (self->processor);
}

/* The queue */

static gboolean
wake_timer_cb (gpointer user_data)
{
  XiEngine *self = user_data;

  g_clear_pointer (&self->wake_timer, g_source_unref);
  claim (self);
  return G_SOURCE_REMOVE;
}

static void
claimed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(XiEngine) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiJob) job = NULL;
  gint64 next_wake_at = 0;

  self->claiming = FALSE;
  job = xi_store_claim_next_job_finish (XI_STORE (object), result, &next_wake_at, &error);
  if (error != NULL)
    g_warning ("Could not pick the next campaign: %s", error->message);

  if (self->shutting_down)
    {
      if (self->shutdown_done != NULL)
        self->shutdown_done (self->shutdown_data);
      self->shutdown_done = NULL;
      return;
    }

  clear_wake_timer (self);
  if (next_wake_at > 0)
    {
      gint64 delay_ms = next_wake_at * 1000 - g_get_real_time () / 1000;

      self->wake_timer = g_timeout_source_new (CLAMP (delay_ms, 0, G_MAXUINT));
      g_source_set_callback (self->wake_timer, wake_timer_cb, self, NULL);
      g_source_attach (self->wake_timer, g_main_context_get_thread_default ());
    }

  if (job != NULL)
    start_processor (self, job);
  else if (self->claim_again)
    claim (self);
  else
    g_signal_emit (self, signals[IDLE], 0, TRUE);
}

static void
claim (XiEngine *self)
{
  g_autofree const char **names = NULL;

  if (self->processor != NULL || self->shutting_down || self->disk_full)
    return;
  if (self->claiming)
    {
      self->claim_again = TRUE;
      return;
    }

  self->claiming = TRUE;
  self->claim_again = FALSE;
  names = (const char **) g_hash_table_get_keys_as_array (self->transports, NULL);
  xi_store_claim_next_job_async (self->store, names, NULL, claimed_cb, g_object_ref (self));
}

/* Commands */

static void
commanded_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  PendingCommand *pending = user_data;
  XiEngine *self = g_task_get_task_data (pending->task);
  GError *error = NULL;
  XiJob *job = xi_store_command_job_finish (XI_STORE (object), result, &error);

  if (job == NULL)
    g_task_return_error (pending->task, error);
  else
    {
      g_signal_emit (self, signals[JOB_CHANGED], 0, job);
      g_task_return_pointer (pending->task, job, g_object_unref);
    }

  claim (self);
  pending_command_free (pending);
}

static void
run_command (XiEngine       *self,
             PendingCommand *pending)
{
  /* The user's resume (or any command) is the sign there is room again. */
  self->disk_full = FALSE;
  xi_store_command_job_async (self->store, pending->job_id, pending->command, NULL,
                              commanded_cb, pending);
}

/**
 * xi_engine_command:
 * @task: (transfer none): returns the campaign after the command; its
 *   task data is set to the engine
 *
 * Applies a user's command. When it concerns the running campaign, that
 * one is stopped first.
 */
void
xi_engine_command (XiEngine     *self,
                   const char   *job_id,
                   XiJobCommand  command,
                   GTask        *task)
{
  PendingCommand *pending;

  g_return_if_fail (XI_IS_ENGINE (self));
  g_assert (self->owner == g_thread_self ());

  pending = g_new0 (PendingCommand, 1);
  pending->job_id = g_strdup (job_id);
  pending->command = command;
  pending->task = g_object_ref (task);
  g_task_set_task_data (task, g_object_ref (self), g_object_unref);

  if (self->processor != NULL &&
      g_strcmp0 (xi_job_processor_get_job_id (self->processor), job_id) == 0 &&
      (command == XI_JOB_COMMAND_PAUSE || command == XI_JOB_COMMAND_CANCEL))
    {
      g_ptr_array_add (self->stop_waiters, pending);
      xi_job_processor_stop (self->processor);
      return;
    }

  run_command (self, pending);
}

static void
add_transport (XiEngine    *self,
               const char  *name,
               XiTransport *transport)
{
  XiTransport *old = g_hash_table_lookup (self->transports, name);

  if (old == transport)
    return;
  if (old != NULL)
    {
      g_signal_handlers_disconnect_by_data (old, self);
      if (old != self->transport)
        xi_receiver_remove_transport (self->receiver, old);
    }
  if (transport == NULL)
    {
      g_hash_table_remove (self->transports, name);
      return;
    }
  /* Replies and receipts come through every transport, not only the
   * one a campaign is running on. */
  xi_receiver_add_transport (self->receiver, transport);
  g_signal_connect_swapped (transport, "receipt", G_CALLBACK (receipt_cb), self);
  g_hash_table_replace (self->transports, g_strdup (name), g_object_ref (transport));
}

/**
 * xi_engine_new:
 * @store: the store
 * @transport: where campaigns that name no transport go; it also serves
 *   those that name its kind
 *
 * Returns: (transfer full): the engine, on this thread
 */
XiEngine *
xi_engine_new (XiStore     *store,
               XiTransport *transport)
{
  XiEngine *self;

  g_return_val_if_fail (XI_IS_STORE (store), NULL);
  g_return_val_if_fail (XI_IS_TRANSPORT (transport), NULL);

  self = g_object_new (XI_TYPE_ENGINE, NULL);
  self->owner = g_thread_self ();
  self->store = g_object_ref (store);
  self->transport = g_object_ref (transport);
  self->receiver = xi_receiver_new (store);
  xi_receiver_add_transport (self->receiver, transport);
  g_signal_connect_swapped (self->receiver, "incoming", G_CALLBACK (forward_incoming), self);
  add_transport (self, XI_IS_WHATSAPP_TRANSPORT (transport) ? XI_JOB_TRANSPORT_WHATSAPP
                                                           : XI_JOB_TRANSPORT_LOOPBACK,
                 transport);

  return self;
}

/**
 * xi_engine_set_transport:
 * @name: %XI_JOB_TRANSPORT_WHATSAPP or %XI_JOB_TRANSPORT_LOOPBACK
 * @transport: (nullable): what campaigns naming @name go through from
 *   now on; %NULL when there is none any more
 *
 * Campaigns that name a transport the engine does not have wait in the
 * queue, without being started, until it has one. A campaign already
 * running keeps the transport it started with until it stops.
 */
void
xi_engine_set_transport (XiEngine    *self,
                         const char  *name,
                         XiTransport *transport)
{
  g_return_if_fail (XI_IS_ENGINE (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (transport == NULL || XI_IS_TRANSPORT (transport));
  g_assert (self->owner == g_thread_self ());

  add_transport (self, name, transport);
  if (transport != NULL)
    claim (self);
}

/**
 * xi_engine_get_transport_by_name:
 *
 * Returns: (transfer none) (nullable): the transport campaigns naming
 *   @name go through
 */
XiTransport *
xi_engine_get_transport_by_name (XiEngine   *self,
                                 const char *name)
{
  g_return_val_if_fail (XI_IS_ENGINE (self), NULL);
  return g_hash_table_lookup (self->transports, name);
}

XiTransport *
xi_engine_get_transport (XiEngine *self)
{
  g_return_val_if_fail (XI_IS_ENGINE (self), NULL);
  return self->transport;
}

/**
 * xi_engine_get_receiver:
 *
 * Returns: (transfer none): the receiver of customers' messages
 */
XiReceiver *
xi_engine_get_receiver (XiEngine *self)
{
  g_return_val_if_fail (XI_IS_ENGINE (self), NULL);
  return self->receiver;
}

/**
 * xi_engine_wake:
 *
 * Looks for a campaign to run, unless one is running. Call it after a
 * campaign was created or queued.
 */
void
xi_engine_wake (XiEngine *self)
{
  g_return_if_fail (XI_IS_ENGINE (self));
  g_assert (self->owner == g_thread_self ());
  claim (self);
}

static gboolean
campaigns_stopped_cb (gpointer user_data)
{
  XiEngine *self = user_data;

  xi_receiver_stop (self->receiver, self->receiver_done, self->receiver_data);
  return G_SOURCE_REMOVE;
}

/**
 * xi_engine_shutdown:
 * @done: called once nothing is in flight any more
 *
 * Stops the running campaign without changing its stored state, so the
 * next start resumes it where it was, then the receiver: messages that
 * arrived are stored, answers not sent yet are dropped.
 */
void
xi_engine_shutdown (XiEngine    *self,
                    GSourceFunc  done,
                    gpointer     done_data)
{
  g_return_if_fail (XI_IS_ENGINE (self));
  g_assert (self->owner == g_thread_self ());

  self->receiver_done = done;
  self->receiver_data = done_data;
  done = campaigns_stopped_cb;
  done_data = self;

  self->shutting_down = TRUE;
  self->shutdown_done = done;
  self->shutdown_data = done_data;
  clear_wake_timer (self);

  if (self->processor != NULL)
    xi_job_processor_stop (self->processor);
  else if (!self->claiming)
    {
      self->shutdown_done = NULL;
      done (done_data);
    }
}
