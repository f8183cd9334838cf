/* xi-job-processor.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-job-processor"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-job-processor.h"
#include "xi-phone.h"

/*
 * One campaign's send loop, on the network thread.
 *
 * With a delay between messages, they are sent strictly one after
 * another: the next send starts only after the previous one was
 * acknowledged and the delay ran out, because a WhatsApp account that
 * fires in parallel is an account that gets banned. A campaign sent
 * without delays (the user's choice) has up to
 * XI_JOB_PROCESSOR_MAX_IN_FLIGHT messages on their way at once, taken in
 * order, never across a rest or the daily cap: the keys of those
 * encrypted while one is saved then go to disk together (xi-key-store.c),
 * instead of one transaction and two thread wake-ups a message. Waiting is always a timer on this thread's main
 * context, never a sleep, so a pause or a cancel takes effect at once,
 * even in the middle of a ten-minute batch rest.
 *
 * Each outcome goes to the store at once, and waits there to ride in
 * the transaction that saves the keys of the next message
 * (xi_store_record_outcomes_async ()): at most one commit per message,
 * and the outcomes that pile up meanwhile go together. The store answers with
 * the campaign's state only; the campaign itself, with its counters, is
 * read again when progress is shown, at most ten times a second. A message is still never
 * recorded sent before its own keys were saved, since those were written
 * before it left. The send loop never waits for the disk. That is safe
 * because every message's id and text were stored when the campaign was
 * created: if the process dies before an outcome reached the disk, the
 * restart sends the same message under the same id again, which the
 * recipient's phone treats as one message.
 */

/* Rows loaded from the store at a time. */
#define WINDOW 512

/* How often a campaign sending without delays reads its job again. */
#define REFRESH_INTERVAL_MS 1000

/* A campaign without delays sends hundreds of messages a second; each
 * progress report is a hand-off to the main thread and a redraw there,
 * and ten a second look the same as hundreds. */
#define PROGRESS_INTERVAL_US (G_USEC_PER_SEC / 10)

/* The first retry waits about this long; each further one twice as long. */
#define RETRY_BASE_MS 2000

/* This many messages failing in a row means the account or the network is
 * in trouble, not the recipients: going on would only burn through the
 * list (and look like spam to WhatsApp), so the campaign stops. */
#define MAX_FAILURES_IN_A_ROW 10

/* A time-lock whose end the transport does not know is looked at again
 * after this long. */
#define PAUSED_RECHECK_MS (60 * 1000)

/* A message whose "disconnected" answer came after the connection was
 * back goes again after this long. */
#define RESEND_AFTER_RECONNECT_MS 1000

/* Every field belongs to the network thread, which created it. */
struct _XiJobProcessor
{
  GObject       parent_instance;

  GThread      *owner;

  XiStore      *store;
  XiTransport  *transport;
  XiJob        *job;            /* the last snapshot the store returned */
  XiAsset      *attachment;     /* what the campaign was made with, or NULL */
  char         *job_id;
  GRand        *rand;
  GCancellable *cancellable;    /* store calls; cancelled on dispose */

  GQueue        window;         /* XiOutgoing*, in position order */
  guint         last_position;
  guint         prepared_position; /* the transport was told of recipients up to here */
  gint64        last_refresh_ms;   /* the job was last read from the store then */
  gboolean      exhausted;
  gboolean      loaded_once;
  gboolean      loading;
  guint         in_flight;      /* messages handed to the transport, not answered yet */
  gboolean      waiting_connection;
  gboolean      finishing;
  gboolean      stopping;
  gboolean      stopped;
  gboolean      disk_full;      /* stopping because nothing more can be written */
  char         *pause_reason;   /* stopping to pause the campaign, for this */
  gboolean      pausing;
  gulong        state_handler;

  GSource      *timer;
  gint64        not_before_ms;  /* the delay after the last send */
  gboolean      resting;
  guint         since_rest;
  guint         sent_today;
  guint         failures_in_a_row;
  char         *stop_error;     /* why the campaign is failing, or NULL */
  guint         retry_base_ms;

  guint         total;
  guint         sent;
  guint         failed;
  guint         skipped;
  char         *current_name;   /* the head's name, or its number when it has none */
  gint64        next_send_at;
  gint64        progress_published_us; /* monotonic */
  GSource      *progress_due;   /* publishes what the last messages changed */

  guint         recording;      /* outcomes handed to the store, not yet written */
  guint64       outcomes_queued; /* outcomes handed to the store so far */
  guint64       job_covers;     /* how many of those @job counts */
  guint64       reload_covers;  /* what the reload under way will count */
  gboolean      reloading;      /* @job is being read again */
};

G_DEFINE_FINAL_TYPE (XiJobProcessor, xi_job_processor, G_TYPE_OBJECT)

enum {
  JOB_CHANGED,
  PROGRESS,
  STOPPED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void step (XiJobProcessor *self);
static void maybe_stop (XiJobProcessor *self);

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
clear_timer (XiJobProcessor *self)
{
  clear_source (&self->timer);
}

static void
xi_job_processor_dispose (GObject *object)
{
  XiJobProcessor *self = (XiJobProcessor *)object;

  clear_timer (self);
  clear_source (&self->progress_due);
  g_cancellable_cancel (self->cancellable);
  g_clear_signal_handler (&self->state_handler, self->transport);

  G_OBJECT_CLASS (xi_job_processor_parent_class)->dispose (object);
}

static void
xi_job_processor_finalize (GObject *object)
{
  XiJobProcessor *self = (XiJobProcessor *)object;

  g_queue_clear_full (&self->window, (GDestroyNotify)xi_outgoing_free);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->job);
  g_clear_object (&self->attachment);
  g_clear_object (&self->transport);
  g_clear_object (&self->store);
  g_free (self->job_id);
  g_free (self->stop_error);
  g_free (self->pause_reason);
  g_free (self->current_name);
  g_rand_free (self->rand);

  G_OBJECT_CLASS (xi_job_processor_parent_class)->finalize (object);
}

static void
xi_job_processor_class_init (XiJobProcessorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xi_job_processor_dispose;
  object_class->finalize = xi_job_processor_finalize;

  signals[JOB_CHANGED] = g_signal_new ("job-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, XI_TYPE_JOB);
  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                    XI_TYPE_JOB_PROGRESS | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[STOPPED] = g_signal_new ("stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, XI_TYPE_JOB);
}

static void
xi_job_processor_init (XiJobProcessor *self)
{
  g_queue_init (&self->window);
  self->cancellable = g_cancellable_new ();
  self->rand = g_rand_new ();
  self->retry_base_ms = RETRY_BASE_MS;
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* Progress */

static gint64
finish_estimate (XiJobProcessor *self,
                 guint           remaining)
{
  gint64 start = MAX (now_ms (), self->next_send_at);

  if (remaining == 0)
    return now_ms () / 1000;

  return (start + xi_job_estimate_ms (remaining,
                                      xi_job_get_delay_min_ms (self->job),
                                      xi_job_get_delay_max_ms (self->job),
                                      xi_job_get_batch_size (self->job),
                                      xi_job_get_batch_rest_ms (self->job),
                                      xi_job_get_daily_cap (self->job),
                                      self->sent_today)) / 1000;
}

static void
job_reloaded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(XiJobProcessor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiJob) job = xi_store_get_job_finish (XI_STORE (object), result, &error);

  self->reloading = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (job == NULL)
    {
      /* The outcomes' own answers stop the loop when the store is gone;
       * a stop waits for this read, and goes on with what it has. */
      g_debug ("Could not read campaign %s again: %s", self->job_id, error->message);
      self->job_covers = self->reload_covers;
    }
  else
    {
      g_set_object (&self->job, job);
      self->job_covers = self->reload_covers;
      if (!self->stopped)
        g_signal_emit (self, signals[JOB_CHANGED], 0, self->job);
    }
  maybe_stop (self);
}

/* Reads the campaign again when outcomes were recorded since @job was
 * read; "job-changed" follows. The read comes after every outcome queued
 * so far (the store writes them first), so the counters include them. */
static void
reload_job (XiJobProcessor *self)
{
  if (self->reloading || self->job_covers == self->outcomes_queued)
    return;
  self->reloading = TRUE;
  self->reload_covers = self->outcomes_queued;
  xi_store_get_job_async (self->store, self->job_id, self->cancellable, job_reloaded_cb,
                          g_object_ref (self));
}

static void
publish_progress (XiJobProcessor *self)
{
  guint done = self->sent + self->failed + self->skipped;
  XiJobProgress progress = {
    .job_id = self->job_id,
    .state = self->waiting_connection ? XI_JOB_STATE_RETRYING : XI_JOB_STATE_PROCESSING,
    .total = self->total,
    .sent = self->sent,
    .failed = self->failed,
    .skipped = self->skipped,
    .remaining = self->total > done ? self->total - done : 0,
    .current_name = self->current_name,
    .next_send_at = self->timer != NULL ? self->next_send_at : 0,
    .resting = self->resting,
  };

  clear_source (&self->progress_due);
  self->progress_published_us = g_get_monotonic_time ();
  progress.finish_estimate = finish_estimate (self, progress.remaining);
  /* The stored counters go out as often as the progress, not with every
   * commit: each is a read of the campaign and a hand-off to the UI. */
  reload_job (self);
  g_signal_emit (self, signals[PROGRESS], 0, &progress);
}

static gboolean
progress_due_cb (gpointer user_data)
{
  XiJobProcessor *self = user_data;

  g_clear_pointer (&self->progress_due, g_source_unref);
  publish_progress (self);
  return G_SOURCE_REMOVE;
}

/* After a message: at most PROGRESS_INTERVAL_US after the last report,
 * the next says where the campaign is by then. Waits, stops and the end
 * are reported at once (publish_progress ()). */
static void
publish_progress_soon (XiJobProcessor *self)
{
  gint64 wait_us = self->progress_published_us + PROGRESS_INTERVAL_US - g_get_monotonic_time ();

  if (wait_us <= 0)
    {
      publish_progress (self);
      return;
    }
  if (self->progress_due != NULL)
    return;
  self->progress_due = g_timeout_source_new (wait_us / 1000 + 1);
  g_source_set_callback (self->progress_due, progress_due_cb, self, NULL);
  g_source_attach (self->progress_due, g_main_context_get_thread_default ());
}

/* Stopping */

static gboolean
is_quiet (XiJobProcessor *self)
{
  return self->in_flight == 0 && !self->loading && self->recording == 0 && !self->reloading;
}

static void
emit_stopped (XiJobProcessor *self,
              XiJob          *job)
{
  if (self->stopped)
    return;
  self->stopped = TRUE;
  clear_timer (self);
  clear_source (&self->progress_due);
  g_clear_signal_handler (&self->state_handler, self->transport);
  g_signal_emit (self, signals[STOPPED], 0, job);
}

static void
completed_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(XiJobProcessor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiJob) job = xi_store_set_job_state_finish (XI_STORE (object), result, &error);

  if (job == NULL)
    g_warning ("Could not mark campaign %s finished: %s", self->job_id, error->message);
  else
    g_set_object (&self->job, job);
  emit_stopped (self, self->job);
}

static void
paused_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(XiJobProcessor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiJob) job = xi_store_set_job_state_finish (XI_STORE (object), result, &error);

  /* With no room even for that, the campaign stays "processing" and the
   * next start continues it from what was stored. */
  if (job != NULL)
    g_set_object (&self->job, job);
  emit_stopped (self, self->job);
}

static gboolean
is_disk_full (const GError *error)
{
  return g_error_matches (error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
}

/* What is sent must be recorded: with the disk full, sending stops and
 * the campaign is paused with the reason, to be resumed once there is
 * room. Nobody is marked failed for it. */
static void
stop_to_pause (XiJobProcessor *self,
               const char     *reason)
{
  if (self->pause_reason == NULL)
    self->pause_reason = g_strdup (reason);
  self->stopping = TRUE;
  clear_timer (self);
}

static void
stop_for_disk_full (XiJobProcessor *self)
{
  self->disk_full = TRUE;
  stop_to_pause (self, _("The disk is full"));
}

/* The single place where the loop ends, whichever way: a stop request
 * ends as soon as nothing is in flight, the end of the campaign once its
 * last outcomes are on disk. */
static void
maybe_stop (XiJobProcessor *self)
{
  if (!is_quiet (self) || self->stopped || self->pausing)
    return;

  if (self->stopping && self->pause_reason != NULL)
    {
      self->pausing = TRUE;
      xi_store_set_job_state_async (self->store, self->job_id, XI_JOB_STATE_PAUSED, self->pause_reason,
                                    NULL, paused_cb, g_object_ref (self));
    }
  /* The campaign handed over with "stopped" counts every outcome. */
  else if (self->stopping && self->job_covers != self->outcomes_queued)
    reload_job (self);
  else if (self->stopping)
    emit_stopped (self, self->job);
  else if (self->finishing)
    {
      self->stopping = TRUE;
      xi_store_set_job_state_async (self->store, self->job_id,
                                    self->stop_error != NULL ? XI_JOB_STATE_FAILED : XI_JOB_STATE_COMPLETED,
                                    self->stop_error, NULL, completed_cb, g_object_ref (self));
    }
}

/* Another process (a second app window's runner, "xender-in-cli campaign
 * pause") may have paused or cancelled the campaign in the store. */
static void
stop_if_taken_away (XiJobProcessor *self,
                    XiJobState      state)
{
  if (state != XI_JOB_STATE_PROCESSING && state != XI_JOB_STATE_RETRYING && !self->stopping)
    {
      self->stopping = TRUE;
      clear_timer (self);
    }
}

/* Recording outcomes */

static void
recorded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(XiJobProcessor) self = user_data;
  g_autoptr(GError) error = NULL;
  XiJobState state = XI_JOB_STATE_PROCESSING;

  self->recording--;
  if (!xi_store_record_outcomes_finish (XI_STORE (object), result, &state, &error))
    {
      /* The database is gone or the disk is full: stop sending rather
       * than send what cannot be recorded. The job stays "processing" (or
       * paused, for a full disk), so the next start resumes it from what
       * was stored, under the same message ids. */
      if (is_disk_full (error))
        stop_for_disk_full (self);
      else if (!self->stopping)
        {
          g_warning ("Could not record campaign progress: %s", error->message);
          self->stopping = TRUE;
        }
      maybe_stop (self);
      return;
    }

  stop_if_taken_away (self, state);
  /* A loop that stops hands its campaign over with "stopped"; progress
   * after that would show a campaign still sending. */
  if (!self->stopping && !self->finishing)
    publish_progress_soon (self);
  maybe_stop (self);
}

static void
add_outcome_full (XiJobProcessor   *self,
                  XiOutgoing       *outgoing,
                  XiRecipientState  state,
                  const char       *error_text,
                  XiSkipReason      reason)
{
  g_autoptr(GPtrArray) outcomes = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_outcome_free);
  XiOutcome *outcome = g_new0 (XiOutcome, 1);

  outcome->row_id = g_strdup (outgoing->row_id);
  outcome->state = state;
  outcome->attempts = outgoing->attempts;
  outcome->next_attempt_at = outgoing->next_attempt_at;
  outcome->error = g_strdup (error_text);
  outcome->reason = reason;
  g_ptr_array_add (outcomes, outcome);
  self->recording++;
  self->outcomes_queued++;
  xi_store_record_outcomes_async (self->store, self->job_id, outcomes, NULL, recorded_cb,
                                  g_object_ref (self));
}

static void
add_outcome (XiJobProcessor   *self,
             XiOutgoing       *outgoing,
             XiRecipientState  state,
             const char       *error_text)
{
  add_outcome_full (self, outgoing, state, error_text, XI_SKIP_REASON_NONE);
}

/* Waiting */

static void
refreshed_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(XiJobProcessor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiJob) job = xi_store_get_job_finish (XI_STORE (object), result, &error);

  self->loading = FALSE;
  if (job == NULL && is_disk_full (error))
    stop_for_disk_full (self);
  else if (job == NULL)
    {
      g_warning ("Could not reload campaign %s: %s", self->job_id, error->message);
      self->stopping = TRUE;
    }
  else
    {
      g_set_object (&self->job, job);
      stop_if_taken_away (self, xi_job_get_state (job));
    }
  step (self);
}

/* After a wait the store is asked again before sending, so a pause made
 * elsewhere during a long delay never lets one more message out. */
static void
refresh_then_step (XiJobProcessor *self)
{
  self->last_refresh_ms = now_ms ();
  self->loading = TRUE;
  xi_store_get_job_async (self->store, self->job_id, self->cancellable, refreshed_cb,
                          g_object_ref (self));
}

static gboolean
timer_cb (gpointer user_data)
{
  XiJobProcessor *self = user_data;

  g_clear_pointer (&self->timer, g_source_unref);
  self->resting = FALSE;
  /* At campaign speed (no delay) asking after every message would cost a
   * store round trip each: a pause made elsewhere is then noticed within
   * a second instead. */
  if (now_ms () - self->last_refresh_ms < REFRESH_INTERVAL_MS)
    step (self);
  else
    refresh_then_step (self);
  return G_SOURCE_REMOVE;
}

static void
wait_until (XiJobProcessor *self,
            gint64          when_ms)
{
  gint64 delay = when_ms - now_ms ();

  self->next_send_at = when_ms;
  self->timer = g_timeout_source_new (CLAMP (delay, 0, G_MAXUINT));
  g_source_set_callback (self->timer, timer_cb, self, NULL);
  g_source_attach (self->timer, g_main_context_get_thread_default ());
  publish_progress (self);
}

static gint64
next_local_midnight_ms (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) today = g_date_time_new_local (g_date_time_get_year (now),
                                                      g_date_time_get_month (now),
                                                      g_date_time_get_day_of_month (now), 0, 0, 0);
  g_autoptr(GDateTime) tomorrow = g_date_time_add_days (today, 1);

  return g_date_time_to_unix (tomorrow) * 1000;
}

static void
state_set_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(XiJobProcessor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiJob) job = xi_store_set_job_state_finish (XI_STORE (object), result, &error);

  if (job == NULL)
    {
      g_warning ("Could not record the campaign's connection state: %s", error->message);
      return;
    }
  g_set_object (&self->job, job);
  g_signal_emit (self, signals[JOB_CHANGED], 0, job);
  stop_if_taken_away (self, xi_job_get_state (job));
  maybe_stop (self);
}

static void
set_waiting_connection (XiJobProcessor *self,
                        gboolean        waiting)
{
  if (self->waiting_connection == waiting)
    return;

  self->waiting_connection = waiting;
  xi_store_set_job_state_async (self->store, self->job_id,
                                waiting ? XI_JOB_STATE_RETRYING : XI_JOB_STATE_PROCESSING,
                                waiting ? _("Waiting for the connection to come back.") : NULL,
                                NULL, state_set_cb, g_object_ref (self));
  publish_progress (self);
}

/* Back online: the store is asked first, as after any wait, so a pause
 * made elsewhere while the connection was down is honoured. */
static void
transport_state_cb (XiJobProcessor *self)
{
  if (self->waiting_connection &&
      xi_transport_get_state (self->transport) == XI_TRANSPORT_STATE_CONNECTED)
    {
      set_waiting_connection (self, FALSE);
      refresh_then_step (self);
    }
}

/* Sending */

static guint
random_delay_ms (XiJobProcessor *self)
{
  guint min = xi_job_get_delay_min_ms (self->job);
  guint max = xi_job_get_delay_max_ms (self->job);

  /* Uniform over [min, max]; GRand's Mersenne Twister has no modulo bias
   * in g_rand_int_range(). */
  return max > min ? (guint)g_rand_int_range (self->rand, min, (gint32)MIN ((guint64)max + 1, G_MAXINT32))
                   : min;
}

static guint
retry_delay_ms (XiJobProcessor *self,
                guint           attempts)
{
  double backoff = (double)self->retry_base_ms * (1u << MIN (attempts - 1, 10u));

  /* Full jitter between half and one and a half of the backoff, so many
   * clients failing at once do not retry in step. */
  return backoff * g_rand_double_range (self->rand, 0.5, 1.5);
}

/* One message handed to the transport. */
typedef struct
{
  XiJobProcessor *self;
  XiOutgoing     *outgoing;
} Sending;

static gint
by_position (gconstpointer a,
             gconstpointer b,
             gpointer      user_data)
{
  const XiOutgoing *left = a, *right = b;

  return left->position < right->position ? -1 : left->position > right->position;
}

/* Back into the window, in its place among the messages not sent yet,
 * so those that were in flight go again in their order. */
static void
put_back (XiJobProcessor *self,
          XiOutgoing     *outgoing)
{
  g_queue_insert_sorted (&self->window, outgoing, by_position, NULL);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Sending *sending = user_data;
  g_autoptr(XiJobProcessor) self = sending->self;
  g_autoptr(XiOutgoing) outgoing = sending->outgoing;
  g_autoptr(GError) error = NULL;

  g_free (sending);
  self->in_flight--;

  if (xi_transport_send_text_finish (XI_TRANSPORT (object), result, &error))
    {
      outgoing->attempts++;
      add_outcome (self, outgoing, XI_RECIPIENT_STATE_SENT, NULL);
      self->failures_in_a_row = 0;
      self->sent++;
      self->sent_today++;
      self->since_rest++;
    }
  else if (is_disk_full (error))
    {
      /* Not an attempt: the rehearsal's "server" had no room for it. */
      put_back (self, g_steal_pointer (&outgoing));
      stop_for_disk_full (self);
    }
  else if (g_error_matches (error, XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_ATTACHMENT_CHANGED))
    {
      /* Not an attempt, and no recipient's fault: every message would
       * fail alike. The campaign pauses where it is, saying which file
       * to add again, and resumes from this recipient. */
      put_back (self, g_steal_pointer (&outgoing));
      stop_to_pause (self, error->message);
    }
  else if (g_error_matches (error, XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_DISCONNECTED))
    {
      /* Not an attempt: nothing left this machine. Wait for the
       * connection, then send the same message again. With several in
       * flight, the answer may come after the connection is back: then
       * nothing announces it any more, and the message goes again after
       * a second (not at once: a transport may fail sends before it
       * says it is down). */
      if (xi_transport_get_state (self->transport) == XI_TRANSPORT_STATE_CONNECTED)
        outgoing->next_attempt_at = MAX (outgoing->next_attempt_at, now_ms () + RESEND_AFTER_RECONNECT_MS);
      else
        set_waiting_connection (self, TRUE);
      put_back (self, g_steal_pointer (&outgoing));
    }
  else if (g_error_matches (error, XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_PAUSED))
    {
      /* Not an attempt: nothing left. This recipient waits for the end
       * of the time-lock behind the rest of the window, so messages to
       * existing chats go on meanwhile. */
      gint64 until = xi_transport_get_new_chats_paused_until (self->transport);

      outgoing->next_attempt_at = until > 0 ? MAX (until * 1000, now_ms () + 1000) : now_ms () + PAUSED_RECHECK_MS;
      add_outcome_full (self, outgoing, XI_RECIPIENT_STATE_PENDING, error->message,
                        XI_SKIP_REASON_NEW_CHATS_PAUSED);
      g_queue_push_tail (&self->window, g_steal_pointer (&outgoing));
    }
  else if (g_error_matches (error, XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_REFUSED_NEW_CONTACT))
    {
      /* Never again: another try is another reach-out WhatsApp counts
       * against the account. Nor a sign the account is broken, so it does
       * not stop the campaign as failures in a row do. */
      outgoing->attempts++;
      add_outcome_full (self, outgoing, XI_RECIPIENT_STATE_FAILED, error->message,
                        XI_SKIP_REASON_REFUSED_NEW_CONTACT);
      self->failed++;
      self->since_rest++;
    }
  else if (g_error_matches (error, XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_TRANSIENT) &&
           outgoing->attempts + 1 < XI_JOB_PROCESSOR_MAX_ATTEMPTS)
    {
      outgoing->attempts++;
      outgoing->next_attempt_at = now_ms () + retry_delay_ms (self, outgoing->attempts);
      add_outcome (self, outgoing, XI_RECIPIENT_STATE_PENDING, error->message);
      put_back (self, g_steal_pointer (&outgoing));
    }
  else
    {
      outgoing->attempts++;
      add_outcome (self, outgoing, XI_RECIPIENT_STATE_FAILED, error->message);
      self->failed++;
      self->since_rest++;
      if (++self->failures_in_a_row >= MAX_FAILURES_IN_A_ROW)
        {
          self->stop_error = g_strdup_printf (_("Stopped after %u messages in a row failed (the last: "
                                                "%s). Check the connection and the WhatsApp account, "
                                                "then send the rest in a new campaign."),
                                              MAX_FAILURES_IN_A_ROW, error->message);
          self->finishing = TRUE;
        }
    }

  /* Done with: the delay after it starts now. */
  if (outgoing != NULL)
    {
      if (self->in_flight == 0)
        g_clear_pointer (&self->current_name, g_free);
      self->not_before_ms = now_ms () + random_delay_ms (self);
    }

  publish_progress_soon (self);
  step (self);
}

/* The transport hears of the next recipients in batches, so it asks the
 * network once for many (WhatsApp: their device lists, 50 per query)
 * rather than once per message. */
#define PREPARE_AHEAD 50

/* The next batch is announced while this many of the one before are
 * still to go, so that what the transport asks for is in before that
 * batch's first message. Announced only when that message was next, it
 * came too late for it: WhatsApp's first message of every batch read
 * each kind of its keys from the store while the network thread waited,
 * seven round trips a batch (bench-whatsapp, kept sessions). */
#define PREPARE_LEAD (PREPARE_AHEAD / 2)

static void
prepare_ahead (XiJobProcessor *self,
               XiOutgoing     *head)
{
  g_autoptr(GPtrArray) phones = NULL;
  guint prepared = self->prepared_position;

  if (prepared > 0 && head->position + PREPARE_LEAD <= prepared)
    return;
  phones = g_ptr_array_new ();
  for (GList *l = g_queue_peek_head_link (&self->window); l != NULL && phones->len < PREPARE_AHEAD; l = l->next)
    {
      XiOutgoing *outgoing = l->data;

      if (outgoing->position <= prepared)
        continue;
      g_ptr_array_add (phones, outgoing->phone);
      self->prepared_position = MAX (self->prepared_position, outgoing->position);
    }
  if (phones->len == 0)
    return;
  g_ptr_array_add (phones, NULL);
  xi_transport_prepare (self->transport, (const char * const *) phones->pdata);
}

/* A nameless customer is shown by the number, never as a blank. */
static void
set_current (XiJobProcessor *self,
             XiOutgoing     *head)
{
  g_free (self->current_name);
  if (head->name != NULL && head->name[0] != '\0')
    self->current_name = g_strdup (head->name);
  else
    self->current_name = xi_phone_format_international (head->phone);
}

/* Hands the window's head to the transport. */
static void
send_head (XiJobProcessor *self)
{
  Sending *sending = g_new0 (Sending, 1);
  XiOutgoing *head = g_queue_peek_head (&self->window);

  prepare_ahead (self, head);
  sending->self = g_object_ref (self);
  sending->outgoing = g_queue_pop_head (&self->window);
  self->in_flight++;
  set_current (self, head);
  self->next_send_at = 0;
  xi_transport_send_text_async (self->transport, head->phone, head->message_id, head->text,
                                self->attachment, NULL, send_cb, sending);
}

/* How many messages may be on their way at once: with a delay between
 * them, one; without, as many as keep the store writing while the
 * server acks. After a failure, one at a time until one gets through:
 * an account or a network in trouble gets no more at once, and the
 * campaign stops after exactly MAX_FAILURES_IN_A_ROW (fewer than that
 * were in flight when the first failed). */
G_STATIC_ASSERT (XI_JOB_PROCESSOR_MAX_IN_FLIGHT < MAX_FAILURES_IN_A_ROW);

static guint
max_in_flight (XiJobProcessor *self)
{
  return xi_job_get_delay_max_ms (self->job) == 0 && self->failures_in_a_row == 0
         ? XI_JOB_PROCESSOR_MAX_IN_FLIGHT : 1;
}

/* Whether the head may go now, while others are on their way: it is due,
 * and neither the daily cap nor the batch could be passed by all of them
 * succeeding. Where one of those falls, the rest waits for the last to
 * be answered, and step () rests as it would after one message. */
static gboolean
head_may_join (XiJobProcessor *self,
               XiOutgoing     *head)
{
  guint daily_cap = xi_job_get_daily_cap (self->job);
  guint batch_size = xi_job_get_batch_size (self->job);
  gint64 now = now_ms ();

  return self->in_flight < max_in_flight (self) &&
         MAX (self->not_before_ms, head->next_attempt_at) <= now &&
         (daily_cap == 0 || self->sent_today + self->in_flight < daily_cap) &&
         (batch_size == 0 || self->since_rest + self->in_flight < batch_size) &&
         xi_transport_get_state (self->transport) == XI_TRANSPORT_STATE_CONNECTED;
}

static void
send_alongside (XiJobProcessor *self)
{
  XiOutgoing *head;

  while ((head = g_queue_peek_head (&self->window)) != NULL && head_may_join (self, head))
    send_head (self);
}

/* Loading */

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(XiJobProcessor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  guint sent_today;

  self->loading = FALSE;
  rows = xi_store_next_outgoing_finish (XI_STORE (object), result, &sent_today, &error);
  if (rows == NULL && is_disk_full (error))
    {
      stop_for_disk_full (self);
      maybe_stop (self);
      return;
    }
  if (rows == NULL)
    {
      g_warning ("Could not load the campaign's next messages: %s", error->message);
      self->stopping = TRUE;
      maybe_stop (self);
      return;
    }

  /* Later loads would miss what is still waiting to be committed. */
  if (!self->loaded_once)
    self->sent_today = sent_today;
  self->loaded_once = TRUE;

  g_ptr_array_set_free_func (rows, NULL);
  for (guint i = 0; i < rows->len; i++)
    {
      XiOutgoing *outgoing = g_ptr_array_index (rows, i);

      self->last_position = MAX (self->last_position, outgoing->position);
      g_queue_push_tail (&self->window, outgoing);
    }
  self->exhausted = g_queue_get_length (&self->window) < WINDOW;
  step (self);
}

static void
load_more (XiJobProcessor *self)
{
  self->loading = TRUE;
  xi_store_next_outgoing_async (self->store, self->job_id, self->last_position, WINDOW,
                                self->cancellable, loaded_cb, g_object_ref (self));
}

/* Decides what to do next; called after anything that may unblock the
 * loop. At most one of loading or a timer is active; messages in flight
 * are joined by more only when all are due now (send_alongside ()). */
static void
step (XiJobProcessor *self)
{
  XiOutgoing *head;
  guint daily_cap = xi_job_get_daily_cap (self->job);
  guint batch_size = xi_job_get_batch_size (self->job);
  gint64 now = now_ms ();
  gint64 when;

  if (self->stopping || self->finishing)
    {
      maybe_stop (self);
      return;
    }
  if (self->loading || self->timer != NULL || self->waiting_connection)
    return;

  head = g_queue_peek_head (&self->window);
  if (head == NULL)
    {
      if (!self->exhausted)
        load_more (self);
      else if (self->in_flight == 0)
        {
          self->finishing = TRUE;
          publish_progress (self);
          maybe_stop (self);
        }
      return;
    }
  if (self->in_flight > 0)
    {
      send_alongside (self);
      return;
    }

  if (xi_transport_get_state (self->transport) != XI_TRANSPORT_STATE_CONNECTED)
    {
      set_waiting_connection (self, TRUE);
      return;
    }

  if (daily_cap > 0 && self->sent_today >= daily_cap)
    {
      self->sent_today = 0;
      self->resting = TRUE;
      wait_until (self, next_local_midnight_ms ());
      return;
    }
  if (batch_size > 0 && self->since_rest >= batch_size)
    {
      self->since_rest = 0;
      self->not_before_ms = MAX (self->not_before_ms, now + xi_job_get_batch_rest_ms (self->job));
      self->resting = TRUE;
    }

  when = MAX (self->not_before_ms, head->next_attempt_at);
  if (when > now)
    {
      set_current (self, head);
      wait_until (self, when);
      return;
    }

  send_head (self);
  send_alongside (self);
}

/**
 * xi_job_processor_new:
 * @store: the store
 * @transport: where messages go
 * @job: the claimed campaign, in state processing
 *
 * Returns: (transfer full): a processor; call xi_job_processor_run()
 */
XiJobProcessor *
xi_job_processor_new (XiStore     *store,
                      XiTransport *transport,
                      XiJob       *job)
{
  XiJobProcessor *self;
  g_autofree char *assets_dir = NULL;
  const char *retry_base;

  g_return_val_if_fail (XI_IS_STORE (store), NULL);
  g_return_val_if_fail (XI_IS_TRANSPORT (transport), NULL);
  g_return_val_if_fail (XI_IS_JOB (job), NULL);

  self = g_object_new (XI_TYPE_JOB_PROCESSOR, NULL);
  self->owner = g_thread_self ();
  self->store = g_object_ref (store);
  self->transport = g_object_ref (transport);
  self->job = g_object_ref (job);
  self->job_id = g_strdup (xi_job_get_id (job));
  assets_dir = xi_store_dup_assets_dir (store);
  self->attachment = xi_job_dup_asset (job, assets_dir);
  self->total = xi_job_get_total (job);
  self->sent = xi_job_get_sent (job);
  self->failed = xi_job_get_failed (job);
  self->skipped = xi_job_get_skipped (job);

  /* Tests shorten the backoff; nobody else should. */
  retry_base = g_getenv ("XI_RETRY_BASE_MS");
  if (retry_base != NULL)
    self->retry_base_ms = MAX (g_ascii_strtoull (retry_base, NULL, 10), 1);

  return self;
}

const char *
xi_job_processor_get_job_id (XiJobProcessor *self)
{
  g_return_val_if_fail (XI_IS_JOB_PROCESSOR (self), NULL);
  return self->job_id;
}

/**
 * xi_job_processor_run:
 *
 * Starts sending. The first message goes without a delay; the campaign
 * resumes from what the store holds, so this also continues a campaign
 * that was interrupted.
 */
void
xi_job_processor_run (XiJobProcessor *self)
{
  g_return_if_fail (XI_IS_JOB_PROCESSOR (self));
  g_assert (self->owner == g_thread_self ());

  self->state_handler = g_signal_connect_swapped (self->transport, "notify::state",
                                                  G_CALLBACK (transport_state_cb), self);
  publish_progress (self);
  load_more (self);
}

/**
 * xi_job_processor_stop:
 *
 * Stops at once: a pending delay or rest is dropped, nothing new is sent.
 * A message already handed to the transport is waited for and recorded.
 * "stopped" follows once nothing is in flight.
 */
void
xi_job_processor_stop (XiJobProcessor *self)
{
  g_return_if_fail (XI_IS_JOB_PROCESSOR (self));
  g_assert (self->owner == g_thread_self ());

  self->stopping = TRUE;
  clear_timer (self);
  maybe_stop (self);
}

gboolean
xi_job_processor_is_running (XiJobProcessor *self)
{
  g_return_val_if_fail (XI_IS_JOB_PROCESSOR (self), FALSE);
  return !self->stopped;
}

/**
 * xi_job_processor_stopped_for_disk_full:
 * @self: a #XiJobProcessor
 *
 * Returns: whether the loop stopped because the disk is full
 */
gboolean
xi_job_processor_stopped_for_disk_full (XiJobProcessor *self)
{
  g_return_val_if_fail (XI_IS_JOB_PROCESSOR (self), FALSE);
  return self->disk_full;
}
