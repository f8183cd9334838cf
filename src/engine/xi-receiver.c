/* xi-receiver.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-receiver"

#include "config.h"

#include <string.h>

#include "xi-log.h"
#include "xi-message-id.h"
#include "xi-opt-out.h"
#include "xi-phone.h"
#include "xi-receiver.h"

/*
 * What happens to a customer's message, on the network thread.
 *
 * Messages are stored as they come (once per message id; an opt-out is
 * applied in the same store transaction), and confirmed to the transport
 * only once that transaction is committed: WhatsApp forgets a confirmed
 * message, so a crash or a full disk before the commit leaves it there to
 * be delivered again. Then, one at a time and in the order they came,
 * each is either an opt-out (never answered) or offered to the auto-reply
 * rules. One at a time is what makes the cooldown hold: the second of two
 * quick messages from one number is evaluated only after the first one's
 * answer was queued, so it finds that answer and stays unanswered.
 *
 * Answers go through the campaigns' transport, one after another and never
 * closer than the campaigns' shortest pause, with a daily cap of their
 * own. An answering machine on the other side therefore gets at most one
 * answer per cooldown, however fast it talks.
 *
 * A picture or file is stored with its message, then, when no larger than
 * the automatic download limit, fetched, verified and kept before the
 * message is announced, so the Inbox shows it ready to open. A download
 * that fails leaves the message as it is, to be fetched on demand.
 */

/* Every arrival waits in memory until the store has committed it and its
 * turn has come, about 210 bytes plus its text, and a peer may send
 * faster than that: 100,000 messages of 64 KB would be 6.5 GB. Past
 * either mark the transports stop reading, which leaves the rest on the
 * server, unconfirmed and so not lost; they read again below half of
 * both, so that each commit does not flip them. */
#define BACKLOG_HIGH_ARRIVALS 500
#define BACKLOG_HIGH_BYTES (4 * 1024 * 1024)

/* A count of today's answers fails mostly while another process keeps
 * the database busy, which passes within moments: the answers wait for
 * it, as none goes out uncounted, and it is tried again after this. A
 * count that keeps failing (a broken database) is tried twice as long
 * after each failure, up to COUNT_RETRY_MAX_MS, so it does not fill the
 * log and keep the disk busy every second until somebody looks. */
#define COUNT_RETRY_MS 1000
#define COUNT_RETRY_MAX_MS (5 * 60 * 1000)

typedef struct
{
  XiTransport *transport;
  char        *message_id;
  gsize        cost;      /* what it holds in memory until its turn */
  gboolean     recorded;  /* the store answered */
  XiIncoming  *stored;    /* then: what it stored, or NULL if it failed or had it before */
  XiReceiver  *receiver;  /* held while the store writes it */
} Arrival;

/* The current arrival's file, being fetched. */
typedef struct
{
  XiReceiver   *receiver;
  GCancellable *cancellable;
  gboolean      abandoned;  /* the arrival was announced without it */
} Download;

typedef struct
{
  XiTransport     *transport;  /* the answer goes back the way the message came */
  XiAutoReplyRule *rule;
  XiIncoming      *incoming;
  char            *message_id;
  XiReceiver      *receiver;   /* held while the answer is being recorded */
} Answer;

/* Every field belongs to the thread that made the receiver, the network
 * thread. */
struct _XiReceiver
{
  GObject           parent_instance;

  GThread          *owner;
  XiStore          *store;
  GPtrArray        *transports;     /* XiTransport*, whose messages it handles */

  char            **opt_out_keywords;
  guint             min_delay_ms;
  guint             daily_cap;
  guint64           auto_download_limit;
  XiReceiverClock   clock;
  gpointer          clock_data;

  GQueue            arrivals;       /* Arrival*, being stored or waiting for their turn */
  guint             backlog;        /* arrivals in the queue */
  gsize             backlog_bytes;  /* what they hold */
  gboolean          held_back;      /* the transports were asked to stop reading */
  guint             held_peak;      /* the longest the queue was while held back */
  gboolean          handling;       /* one arrival is between store calls */
  gboolean          draining;       /* in handle_next () */
  XiTransport      *current_transport;
  XiIncoming       *current;        /* the stored arrival being evaluated */
  Download         *download;       /* its file being fetched, or NULL */

  GQueue            answers;        /* Answer*, waiting for their turn */
  GHashTable       *answering;      /* phone -> count of queued or unrecorded answers */
  gboolean          sending;
  gboolean          counting;       /* today's answers are being counted in the log */
  guint             count_failures; /* counts failed in a row */
  guint             recording;      /* answers being written to the log */
  GSource          *timer;
  gint64            not_before_ms;
  guint             sent_today;
  int               today;          /* day of year the count is for */

  gboolean          disk_full;      /* the last message the store answered did not fit */
  gboolean          stopping;
  GSource          *stop_grace;     /* ends the downloads a stop lets finish */
  gboolean          downloads_closed;
  GSourceFunc       stop_done;
  gpointer          stop_data;
};

G_DEFINE_FINAL_TYPE (XiReceiver, xi_receiver, G_TYPE_OBJECT)

enum {
  INCOMING,
  AUTO_REPLIED,
  DISK_FULL,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void handle_next (XiReceiver *self);
static void announce_current (XiReceiver *self);
static void pump_answers (XiReceiver *self);

static void
arrival_free (Arrival *arrival)
{
  g_clear_object (&arrival->transport);
  g_free (arrival->message_id);
  g_clear_object (&arrival->stored);
  g_free (arrival);
}

static void
answer_free (Answer *answer)
{
  g_clear_object (&answer->transport);
  g_clear_object (&answer->rule);
  g_clear_object (&answer->incoming);
  g_free (answer->message_id);
  g_free (answer);
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static GDateTime *
local_now (XiReceiver *self)
{
  if (self->clock != NULL)
    return self->clock (self->clock_data);
  return g_date_time_new_now_local ();
}

static void
hold_phone (XiReceiver *self,
            const char *phone)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->answering, phone));

  g_hash_table_replace (self->answering, g_strdup (phone), GUINT_TO_POINTER (count + 1));
}

static void
release_phone (XiReceiver *self,
               const char *phone)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->answering, phone));

  if (count <= 1)
    g_hash_table_remove (self->answering, phone);
  else
    g_hash_table_replace (self->answering, g_strdup (phone), GUINT_TO_POINTER (count - 1));
}

static void
set_receiving (XiReceiver *self,
               gboolean    receiving)
{
  for (guint i = 0; i < self->transports->len; i++)
    xi_transport_set_receiving (g_ptr_array_index (self->transports, i), receiving);
}

/* Fetching a file may ask the server for its media host, on a
 * connection that no longer reads the answer once held back, and the
 * media host may take its time: when messages are held back, the
 * connection is let go or the receiver stops, the file waits to be
 * asked for and the message is shown at once, or nothing would move
 * again. Nobody would keep what the download brings, so it stops: a
 * later request fetches the file anew. */
static void
abandon_download (XiReceiver *self)
{
  if (self->download == NULL)
    return;
  g_debug ("A customer's file waits to be asked for");
  self->download->abandoned = TRUE;
  g_cancellable_cancel (self->download->cancellable);
  self->download = NULL;
  announce_current (self);
}

/* A stop lets the files of what already arrived download for this long,
 * so that a command ending just after the messages came keeps them; then
 * the download under way is abandoned and the rest are stored without
 * their files, to be asked for later: a media host that never answers
 * cannot hold the stop. */
#define STOP_DOWNLOAD_GRACE_MS (10 * 1000)

static void
clear_stop_grace (XiReceiver *self)
{
  if (self->stop_grace == NULL)
    return;
  g_source_destroy (self->stop_grace);
  g_clear_pointer (&self->stop_grace, g_source_unref);
}

static gboolean
stop_grace_cb (gpointer user_data)
{
  XiReceiver *self = user_data;

  g_clear_pointer (&self->stop_grace, g_source_unref);
  self->downloads_closed = TRUE;
  abandon_download (self);
  return G_SOURCE_REMOVE;
}

/* Called whenever the backlog grows or shrinks. */
static void
regulate_backlog (XiReceiver *self)
{
  gboolean over = self->backlog >= BACKLOG_HIGH_ARRIVALS || self->backlog_bytes >= BACKLOG_HIGH_BYTES;
  gboolean under = self->backlog < BACKLOG_HIGH_ARRIVALS / 2 && self->backlog_bytes < BACKLOG_HIGH_BYTES / 2;

  if (self->held_back)
    self->held_peak = MAX (self->held_peak, self->backlog);
  if (!self->held_back && over)
    {
      self->held_back = TRUE;
      self->held_peak = self->backlog;
      set_receiving (self, FALSE);
      abandon_download (self);
    }
  else if (self->held_back && under)
    {
      g_debug ("Reading messages again; at most %u waited to be stored", self->held_peak);
      self->held_back = FALSE;
      set_receiving (self, TRUE);
    }
}

static gboolean
is_idle (XiReceiver *self)
{
  return !self->handling && self->arrivals.length == 0 && !self->sending && !self->counting &&
         self->recording == 0 && (self->stopping || self->answers.length == 0);
}

/* Called whenever something in flight ends. */
static void
check_stopped (XiReceiver *self)
{
  GSourceFunc done = self->stop_done;

  if (!self->stopping || done == NULL || !is_idle (self))
    return;
  clear_stop_grace (self);
  self->stop_done = NULL;
  done (self->stop_data);
}

/* Nobody stores what the transport reads from now on, so it reads no
 * customer's message: they wait on the network for the next receiver. */
static void
let_go (XiReceiver  *self,
        XiTransport *transport)
{
  xi_transport_set_keeping (transport, FALSE);
  g_signal_handlers_disconnect_by_data (transport, self);
}

static void
let_go_of_transports (XiReceiver *self)
{
  for (guint i = 0; i < self->transports->len; i++)
    let_go (self, g_ptr_array_index (self->transports, i));
}

/* Sending answers */

static void
clear_timer (XiReceiver *self)
{
  if (self->timer == NULL)
    return;
  g_source_destroy (self->timer);
  g_clear_pointer (&self->timer, g_source_unref);
}

static gboolean
timer_cb (gpointer user_data)
{
  XiReceiver *self = user_data;

  g_clear_pointer (&self->timer, g_source_unref);
  pump_answers (self);
  return G_SOURCE_REMOVE;
}

static void
wait_until (XiReceiver *self,
            gint64      when_ms)
{
  clear_timer (self);
  self->timer = g_timeout_source_new (CLAMP (when_ms - now_ms (), 0, G_MAXUINT));
  g_source_set_callback (self->timer, timer_cb, self, NULL);
  g_source_attach (self->timer, g_main_context_get_thread_default ());
}

static void
answer_recorded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Answer *answer = user_data;
  g_autoptr(XiReceiver) self = g_steal_pointer (&answer->receiver);
  g_autoptr(GError) error = NULL;

  if (!xi_store_record_auto_reply_finish (XI_STORE (object), result, &error))
    g_warning ("Could not record an automatic answer: %s", error->message);

  self->recording--;
  release_phone (self, xi_incoming_get_phone (answer->incoming));
  answer_free (answer);
  check_stopped (self);
}

static void
answer_sent_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(XiReceiver) self = user_data;
  g_autoptr(GError) error = NULL;
  Answer *answer = g_queue_pop_head (&self->answers);

  self->sending = FALSE;
  self->not_before_ms = now_ms () + self->min_delay_ms;

  if (!xi_transport_send_text_finish (XI_TRANSPORT (object), result, &error))
    {
      if (g_error_matches (error, XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_DISCONNECTED) &&
          !self->stopping)
        {
          /* Not this answer's fault: it goes when the connection is back. */
          g_queue_push_head (&self->answers, answer);
          self->not_before_ms = now_ms () + MAX (self->min_delay_ms, 1000);
          pump_answers (self);
          return;
        }
      g_warning ("An automatic answer was not sent: %s", error->message);
      release_phone (self, xi_incoming_get_phone (answer->incoming));
      answer_free (answer);
    }
  else
    {
      self->sent_today++;
      g_signal_emit (self, signals[AUTO_REPLIED], 0, answer->incoming,
                     xi_auto_reply_rule_get_name (answer->rule));
      self->recording++;
      answer->receiver = g_object_ref (self);
      xi_store_record_auto_reply_async (self->store, answer->rule, answer->incoming,
                                        answer->message_id, NULL, answer_recorded_cb, answer);
    }

  pump_answers (self);
  check_stopped (self);
}

static void
drop_answers (XiReceiver *self)
{
  Answer *answer;

  while ((answer = g_queue_pop_head (&self->answers)) != NULL)
    {
      release_phone (self, xi_incoming_get_phone (answer->incoming));
      answer_free (answer);
    }
}

typedef struct
{
  XiReceiver *self;
  int         day;      /* of the year, the count is for */
} Counting;

static void
counted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Counting *counting = user_data;
  g_autoptr(XiReceiver) self = counting->self;
  g_autoptr(GError) error = NULL;
  gint64 count = xi_store_count_auto_replies_finish (XI_STORE (object), result, &error);

  self->counting = FALSE;
  if (count < 0)
    {
      guint64 retry_ms = MIN ((guint64) COUNT_RETRY_MS << MIN (self->count_failures, 16u), COUNT_RETRY_MAX_MS);

      /* Said once for a run of failures; the next word is that it works. */
      if (self->count_failures++ == 0)
        g_warning ("Could not count today's automatic answers; they wait until it can be counted: %s",
                   error->message);
      else
        g_debug ("Could not count today's automatic answers again, trying in %" G_GUINT64_FORMAT " s: %s",
                 retry_ms / 1000, error->message);
      self->not_before_ms = MAX (self->not_before_ms, now_ms () + (gint64) retry_ms);
    }
  else
    {
      if (self->count_failures > 0)
        g_message ("Today's automatic answers were counted after %u failed tries; they go out again",
                   self->count_failures);
      self->count_failures = 0;
      self->today = counting->day;
      self->sent_today = (guint) MIN (count, G_MAXUINT);
    }
  g_free (counting);
  pump_answers (self);
  check_stopped (self);
}

static void
pump_answers (XiReceiver *self)
{
  g_autoptr(GDateTime) now = NULL;
  Answer *answer;

  if (self->sending || self->counting || self->timer != NULL)
    return;
  if (self->stopping)
    {
      drop_answers (self);
      return;
    }
  if ((answer = g_queue_peek_head (&self->answers)) == NULL)
    return;
  if (now_ms () < self->not_before_ms)
    {
      wait_until (self, self->not_before_ms);
      return;
    }

  /* A new day, or a new process: the log knows what went out since
   * midnight, in this run, an earlier one or another process, which a
   * restart would otherwise forget. */
  now = local_now (self);
  if (g_date_time_get_day_of_year (now) != self->today)
    {
      g_autoptr(GDateTime) midnight = g_date_time_new_local (g_date_time_get_year (now),
                                                             g_date_time_get_month (now),
                                                             g_date_time_get_day_of_month (now), 0, 0, 0);
      Counting *counting = g_new0 (Counting, 1);

      counting->self = g_object_ref (self);
      counting->day = g_date_time_get_day_of_year (now);
      self->counting = TRUE;
      xi_store_count_auto_replies_async (self->store, midnight, NULL, counted_cb, counting);
      return;
    }
  if (self->daily_cap > 0 && self->sent_today >= self->daily_cap)
    {
      g_message ("The daily limit of automatic answers is reached; %u not sent",
                 self->answers.length);
      drop_answers (self);
      return;
    }

  self->sending = TRUE;
  xi_transport_send_text_async (answer->transport, xi_incoming_get_phone (answer->incoming),
                                answer->message_id, xi_auto_reply_rule_get_reply_text (answer->rule),
                                NULL, NULL, answer_sent_cb, g_object_ref (self));
}

/* Handling one arrival */

static void
arrival_done (XiReceiver *self)
{
  g_clear_object (&self->current);
  g_clear_object (&self->current_transport);
  self->handling = FALSE;
  handle_next (self);
  check_stopped (self);
}

typedef struct
{
  XiReceiver      *self;
  XiAutoReplyRule *rule;
} Candidate;

static void
last_answer_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Candidate *candidate = user_data;
  g_autoptr(XiReceiver) self = candidate->self;
  g_autoptr(XiAutoReplyRule) rule = candidate->rule;
  g_autoptr(GError) error = NULL;
  guint in_a_day = 0;
  gint64 last = xi_store_last_auto_reply_finish (XI_STORE (object), result, &in_a_day, &error);
  const char *phone = xi_incoming_get_phone (self->current);
  g_autofree char *masked = xi_log_anonymize_phone (phone);
  Answer *answer;

  g_free (candidate);

  if (error != NULL)
    g_warning ("Could not read the last automatic answer: %s", error->message);
  else if (last > 0 || g_hash_table_contains (self->answering, phone))
    g_debug ("No answer to %s: answered less than %u s ago", masked,
             xi_auto_reply_rule_get_cooldown_seconds (rule));
  else if (in_a_day >= XI_AUTO_REPLY_MAX_PER_DAY)
    g_debug ("No answer to %s: %u answers in the last 24 hours", masked, in_a_day);
  else if (!self->stopping)
    {
      answer = g_new0 (Answer, 1);
      answer->transport = g_object_ref (self->current_transport);
      answer->rule = g_steal_pointer (&rule);
      answer->incoming = g_object_ref (self->current);
      answer->message_id = xi_message_id_new ();
      hold_phone (self, phone);
      g_queue_push_tail (&self->answers, answer);
      pump_answers (self);
    }

  arrival_done (self);
}

static void
rules_listed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(XiReceiver) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rules = xi_store_list_auto_reply_rules_finish (XI_STORE (object), result, &error);
  g_autoptr(GDateTime) now = local_now (self);
  const char *phone = xi_incoming_get_phone (self->current);

  if (rules == NULL)
    g_warning ("Could not read the auto-reply rules: %s", error->message);

  /* The list comes in priority order: the first rule that fits answers,
   * and only that one. */
  for (guint i = 0; rules != NULL && i < rules->len && !self->stopping; i++)
    {
      XiAutoReplyRule *rule = g_ptr_array_index (rules, i);
      Candidate *candidate;

      if (!xi_auto_reply_rule_get_enabled (rule) ||
          !xi_auto_reply_rule_is_open_at (rule, now) ||
          !xi_auto_reply_rule_matches (rule, xi_incoming_get_text (self->current)))
        continue;

      if (g_hash_table_contains (self->answering, phone))
        break;

      candidate = g_new0 (Candidate, 1);
      candidate->self = g_object_ref (self);
      candidate->rule = g_object_ref (rule);
      xi_store_last_auto_reply_async (self->store, phone,
                                      MAX (xi_auto_reply_rule_get_cooldown_seconds (rule),
                                           XI_AUTO_REPLY_MIN_COOLDOWN),
                                      NULL, last_answer_cb, candidate);
      return;
    }

  arrival_done (self);
}

static void
media_saved_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(XiReceiver) self = user_data;
  g_autoptr(GError) error = NULL;
  XiIncoming *saved = xi_store_save_incoming_media_finish (XI_STORE (object), result, &error);

  if (saved == NULL)
    g_warning ("Could not keep a customer's file: %s", error->message);
  else
    g_set_object (&self->current, saved);
  g_clear_object (&saved);
  announce_current (self);
}

static void
media_downloaded_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Download *download = user_data;
  g_autoptr(XiReceiver) self = download->receiver;
  gboolean abandoned = download->abandoned;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = xi_transport_download_media_finish (XI_TRANSPORT (object), result, &error);

  g_object_unref (download->cancellable);
  g_free (download);
  if (abandoned)
    return;
  self->download = NULL;

  /* Not a fault of ours: a host that is down, a path that expired, or a
   * file that is not the one the message names. The message shows with
   * its file still to download. */
  if (content == NULL)
    {
      g_message ("Could not download a customer's file: %s", error->message);
      announce_current (self);
      return;
    }
  xi_store_save_incoming_media_async (self->store, xi_incoming_get_message_id (self->current), content,
                                      NULL, media_saved_cb, g_object_ref (self));
}

static void
announce_current (XiReceiver *self)
{
  g_signal_emit (self, signals[INCOMING], 0, self->current);

  /* Answers go to a number, and a message kept under its LID has none
   * yet: the transports reach numbers only, so it is not answered. */
  if (xi_incoming_get_opt_out_keyword (self->current) != NULL || self->stopping ||
      xi_phone_is_lid (xi_incoming_get_phone (self->current)))
    {
      g_autofree char *masked = xi_log_anonymize_phone (xi_incoming_get_phone (self->current));

      if (xi_incoming_get_opt_out_keyword (self->current) != NULL)
        g_debug ("%s opted out", masked);
      arrival_done (self);
      return;
    }

  xi_store_list_auto_reply_rules_async (self->store, NULL, rules_listed_cb, g_object_ref (self));
}

/* Evaluates the stored arrivals in the order they came, one at a time;
 * an arrival still being stored holds back those behind it. */
static void
handle_next (XiReceiver *self)
{
  Arrival *arrival;

  /* Arrivals that end at once (opt-outs, duplicates) would otherwise
   * recurse once each through arrival_done (). */
  if (self->draining)
    return;
  self->draining = TRUE;
  while (!self->handling && (arrival = g_queue_peek_head (&self->arrivals)) != NULL && arrival->recorded)
    {
      const XiMediaInfo *media;

      g_queue_pop_head (&self->arrivals);
      self->backlog--;
      self->backlog_bytes -= arrival->cost;
      if (arrival->stored == NULL)
        {
          arrival_free (arrival);
          continue;
        }
      self->handling = TRUE;
      self->current = g_steal_pointer (&arrival->stored);
      self->current_transport = g_steal_pointer (&arrival->transport);
      arrival_free (arrival);

      /* A file that does not say its size (0) could be as large as the
       * downloader takes: it waits to be asked for. So does one whose
       * connection was let go, and, once a stop's grace is over, every
       * one: nothing would cancel those downloads, and the stop would
       * wait on a media host that may never answer. */
      media = xi_incoming_get_media (self->current);
      if (media != NULL && media->asset_path == NULL && media->size > 0 &&
          media->size <= self->auto_download_limit && !self->held_back && !self->downloads_closed &&
          g_ptr_array_find (self->transports, self->current_transport, NULL))
        {
          self->download = g_new0 (Download, 1);
          self->download->receiver = g_object_ref (self);
          self->download->cancellable = g_cancellable_new ();
          xi_transport_download_media_async (self->current_transport, media, self->download->cancellable,
                                             media_downloaded_cb, self->download);
        }
      else
        announce_current (self);
    }
  self->draining = FALSE;
  regulate_backlog (self);
}

static void
recorded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Arrival *arrival = user_data;
  g_autoptr(XiReceiver) self = g_steal_pointer (&arrival->receiver);
  g_autoptr(XiIncoming) incoming = NULL;
  g_autoptr(GError) error = NULL;
  gboolean duplicate = FALSE;

  arrival->recorded = TRUE;
  incoming = xi_store_record_incoming_finish (XI_STORE (object), result, &duplicate, &error);
  if (incoming == NULL)
    {
      /* Nothing was stored, so the message is not confirmed either and
       * WhatsApp keeps it; the transport hears so, and takes the copy
       * WhatsApp delivers again (on the next connection) as new. */
      /* Once per full disk, not once for every message it turns away. */
      if (!self->disk_full || !g_error_matches (error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL))
        g_warning ("Could not store an incoming message: %s", error->message);
      if (!self->disk_full && g_error_matches (error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL))
        g_signal_emit (self, signals[DISK_FULL], 0);
      self->disk_full = g_error_matches (error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);
      xi_transport_reject_incoming (arrival->transport, arrival->message_id);
    }
  else
    {
      /* A duplicate wrote nothing, so it says nothing of the room left. */
      if (!duplicate)
        self->disk_full = FALSE;
      /* Committed, with its opt-out: only now may WhatsApp forget it. */
      xi_transport_confirm_incoming (arrival->transport, arrival->message_id);
      if (!duplicate)
        arrival->stored = g_steal_pointer (&incoming);
    }
  handle_next (self);
  check_stopped (self);
}

static gsize
length_or_0 (const char *text)
{
  return text != NULL ? strlen (text) : 0;
}

/* What a file's reference holds while its message waits: mostly the
 * sender's preview, which may be hundreds of KB. */
static gsize
media_cost (const XiMediaInfo *media)
{
  if (media == NULL)
    return 0;
  return sizeof *media + length_or_0 (media->mimetype) + length_or_0 (media->file_name) +
         length_or_0 (media->direct_path) + (media->thumbnail != NULL ? g_bytes_get_size (media->thumbnail) : 0);
}

/* The message is queued to the store at once, not when its turn comes:
 * the key store writes the session that decrypted it as soon as this
 * thread is idle, and the store writes a message queued before that
 * write in the same transaction or an earlier one, never a later one. */
static void
arrive (XiReceiver        *self,
        XiTransport       *transport,
        const char        *phone,
        const char        *message_id,
        const char        *text,
        const XiMediaInfo *media)
{
  g_autofree char *keyword = xi_opt_out_match (text, (const char * const *)self->opt_out_keywords);
  Arrival *arrival = g_new0 (Arrival, 1);

  arrival->transport = g_object_ref (transport);
  arrival->message_id = g_strdup (message_id);
  arrival->receiver = g_object_ref (self);
  arrival->cost = sizeof *arrival + strlen (phone) + strlen (message_id) + length_or_0 (text) + media_cost (media);
  g_queue_push_tail (&self->arrivals, arrival);
  self->backlog++;
  self->backlog_bytes += arrival->cost;
  regulate_backlog (self);
  if (media != NULL)
    xi_store_record_incoming_media_async (self->store, phone, message_id, text, keyword, media, NULL,
                                          recorded_cb, arrival);
  else
    xi_store_record_incoming_async (self->store, phone, NULL, message_id, text, keyword, NULL,
                                    recorded_cb, arrival);
}

static void
incoming_cb (XiTransport *transport,
             const char  *phone,
             const char  *message_id,
             const char  *text,
             XiReceiver  *self)
{
  g_assert (self->owner == g_thread_self ());

  if (phone == NULL || message_id == NULL)
    return;
  arrive (self, transport, phone, message_id, text, NULL);
}

static void
incoming_media_cb (XiTransport       *transport,
                   const char        *phone,
                   const char        *message_id,
                   const char        *caption,
                   const XiMediaInfo *media,
                   XiReceiver        *self)
{
  g_assert (self->owner == g_thread_self ());

  if (phone == NULL || message_id == NULL || media == NULL)
    return;
  arrive (self, transport, phone, message_id, caption, media);
}

static void
xi_receiver_dispose (GObject *object)
{
  XiReceiver *self = (XiReceiver *)object;

  clear_timer (self);
  clear_stop_grace (self);
  /* Once stopped it has let go already, and its transports may keep
   * for another receiver by now. */
  if (!self->stopping)
    let_go_of_transports (self);

  G_OBJECT_CLASS (xi_receiver_parent_class)->dispose (object);
}

static void
xi_receiver_finalize (GObject *object)
{
  XiReceiver *self = (XiReceiver *)object;

  g_queue_clear_full (&self->arrivals, (GDestroyNotify)arrival_free);
  g_queue_clear_full (&self->answers, (GDestroyNotify)answer_free);
  g_hash_table_unref (self->answering);
  g_clear_object (&self->current);
  g_clear_object (&self->current_transport);
  g_strfreev (self->opt_out_keywords);
  g_ptr_array_unref (self->transports);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (xi_receiver_parent_class)->finalize (object);
}

static void
xi_receiver_class_init (XiReceiverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xi_receiver_dispose;
  object_class->finalize = xi_receiver_finalize;

  signals[INCOMING] = g_signal_new ("incoming", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, XI_TYPE_INCOMING);
  signals[AUTO_REPLIED] = g_signal_new ("auto-replied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                        XI_TYPE_INCOMING, G_TYPE_STRING);
  /* A customer's message did not fit on the disk, and was left on
   * WhatsApp; once, until a message is stored again. */
  signals[DISK_FULL] = g_signal_new ("disk-full", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
xi_receiver_init (XiReceiver *self)
{
  self->owner = g_thread_self ();
  self->opt_out_keywords = g_strdupv ((char **)xi_opt_out_default_keywords ());
  self->min_delay_ms = XI_RECEIVER_DEFAULT_MIN_DELAY_MS;
  self->daily_cap = XI_RECEIVER_DEFAULT_DAILY_CAP;
  self->auto_download_limit = XI_RECEIVER_DEFAULT_AUTO_DOWNLOAD;
  self->transports = g_ptr_array_new_with_free_func (g_object_unref);
  self->answering = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->today = -1;
  g_queue_init (&self->arrivals);
  g_queue_init (&self->answers);
}

/**
 * xi_receiver_new:
 * @store: an open store
 *
 * Creates the receiver on the calling thread, the network thread. It
 * handles the messages of the transports given to
 * xi_receiver_add_transport().
 *
 * Returns: (transfer full): a new #XiReceiver
 */
XiReceiver *
xi_receiver_new (XiStore *store)
{
  XiReceiver *self;

  g_return_val_if_fail (XI_IS_STORE (store), NULL);

  self = g_object_new (XI_TYPE_RECEIVER, NULL);
  self->store = g_object_ref (store);
  return self;
}

/**
 * xi_receiver_add_transport:
 * @transport: a transport on this thread
 *
 * Handles every message @transport reports from now on; the answers go
 * back through it.
 */
void
xi_receiver_add_transport (XiReceiver  *self,
                           XiTransport *transport)
{
  g_return_if_fail (XI_IS_RECEIVER (self));
  g_return_if_fail (XI_IS_TRANSPORT (transport));
  g_assert (self->owner == g_thread_self ());

  if (self->stopping || g_ptr_array_find (self->transports, transport, NULL))
    return;
  g_ptr_array_add (self->transports, g_object_ref (transport));
  if (self->held_back)
    xi_transport_set_receiving (transport, FALSE);
  g_signal_connect (transport, "incoming", G_CALLBACK (incoming_cb), self);
  g_signal_connect (transport, "incoming-media", G_CALLBACK (incoming_media_cb), self);
  xi_transport_set_keeping (transport, TRUE);
}

/**
 * xi_receiver_remove_transport:
 * @transport: a transport given to xi_receiver_add_transport()
 *
 * Stops handling @transport's messages. Answers already queued for it
 * still try to go.
 */
void
xi_receiver_remove_transport (XiReceiver  *self,
                              XiTransport *transport)
{
  g_return_if_fail (XI_IS_RECEIVER (self));
  g_return_if_fail (XI_IS_TRANSPORT (transport));

  if (!g_ptr_array_find (self->transports, transport, NULL))
    return;
  let_go (self, transport);
  if (transport == self->current_transport)
    abandon_download (self);
  if (self->held_back)
    xi_transport_set_receiving (transport, TRUE);
  g_ptr_array_remove (self->transports, transport);
}

/**
 * xi_receiver_set_auto_download_limit:
 * @limit: the largest file fetched as soon as it arrives, in bytes; 0 for
 *   none
 *
 * Files a customer sends up to @limit are downloaded, verified and kept
 * before their message is announced; larger ones, and those that do not
 * say their size, wait to be asked for.
 */
void
xi_receiver_set_auto_download_limit (XiReceiver *self,
                                     guint64     limit)
{
  g_return_if_fail (XI_IS_RECEIVER (self));
  g_assert (self->owner == g_thread_self ());

  self->auto_download_limit = limit;
}

/**
 * xi_receiver_set_opt_out_keywords:
 * @keywords: (nullable) (array zero-terminated=1): the opt-out keywords,
 *   %NULL for xi_opt_out_default_keywords()
 *
 * Sets the list a whole message is compared with (see xi_opt_out_match()).
 */
void
xi_receiver_set_opt_out_keywords (XiReceiver         *self,
                                  const char * const *keywords)
{
  g_return_if_fail (XI_IS_RECEIVER (self));

  if (keywords == NULL)
    keywords = xi_opt_out_default_keywords ();
  g_strfreev (self->opt_out_keywords);
  self->opt_out_keywords = g_strdupv ((char **)keywords);
}

/**
 * xi_receiver_set_pacing:
 * @min_delay_ms: the shortest pause between two automatic answers
 * @daily_cap: at most this many answers a day (0: no cap)
 *
 * Answers go through the same account as campaigns, so they follow the
 * same caution: pass the campaigns' shortest delay.
 */
void
xi_receiver_set_pacing (XiReceiver *self,
                        guint       min_delay_ms,
                        guint       daily_cap)
{
  g_return_if_fail (XI_IS_RECEIVER (self));

  self->min_delay_ms = min_delay_ms;
  self->daily_cap = daily_cap;
}

/**
 * xi_receiver_set_clock:
 * @clock: (nullable): returns the local time; %NULL for the real one
 *
 * Replaces the clock that business hours are checked against (tests).
 */
void
xi_receiver_set_clock (XiReceiver      *self,
                       XiReceiverClock  clock,
                       gpointer         clock_data)
{
  g_return_if_fail (XI_IS_RECEIVER (self));

  self->clock = clock;
  self->clock_data = clock_data;
}

/**
 * xi_receiver_is_idle:
 *
 * Returns: whether nothing is being stored, evaluated or sent
 */
gboolean
xi_receiver_is_idle (XiReceiver *self)
{
  g_return_val_if_fail (XI_IS_RECEIVER (self), TRUE);
  return is_idle (self) && self->answers.length == 0;
}

/**
 * xi_receiver_stop:
 * @done: called once nothing is in flight any more (maybe at once)
 *
 * Stops answering: queued answers are dropped, messages that arrived are
 * still stored, and the answer on the wire is recorded. The transports
 * read no new message from now on: it waits on the network, unconfirmed,
 * for the next receiver.
 */
void
xi_receiver_stop (XiReceiver  *self,
                  GSourceFunc  done,
                  gpointer     done_data)
{
  g_return_if_fail (XI_IS_RECEIVER (self));
  g_assert (self->owner == g_thread_self ());

  self->stopping = TRUE;
  self->stop_done = done;
  self->stop_data = done_data;
  /* What comes from now on is not stored, so not confirmed either. */
  if (self->held_back)
    set_receiving (self, TRUE);
  self->held_back = FALSE;
  let_go_of_transports (self);
  clear_timer (self);
  self->stop_grace = g_timeout_source_new (STOP_DOWNLOAD_GRACE_MS);
  g_source_set_callback (self->stop_grace, stop_grace_cb, self, NULL);
  g_source_attach (self->stop_grace, g_main_context_get_thread_default ());
  pump_answers (self);
  check_stopped (self);
}
