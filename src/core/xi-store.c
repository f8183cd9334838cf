/* xi-store.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xi-sqlite-memory.h"
#include "xi-store-private.h"

/*
 * XiStore owns the only SQLite connection and the thread that uses it.
 * Every operation is a GTask pushed onto a queue; the thread pops them in
 * order, runs them and returns the result, which GTask delivers on the
 * caller's thread-default main context. So the UI thread never waits on
 * the disk, the network thread can call the same API, and writes are
 * naturally serialised.
 */

/*
 * SQLite's page cache, per connection. Big imports and campaign creation
 * touch pages all over the random-UUID indexes, and a small cache spills
 * them to the WAL mid-transaction; everything else (a campaign sending
 * for hours, the app at rest) touches a few pages per operation and
 * would only grow its memory with a big one. So the cache is small, and
 * the bulk writes (_xi_store_push_bulk ()) have the big one for as long
 * as they run; shrinking it again hands the pages back.
 */
#define SMALL_CACHE_KIB -4096
#define BULK_CACHE_KIB  -65536

/* How long a connection waits for another process's lock before giving
 * up: the app and the command line share one folder. */
#define BUSY_TIMEOUT_MS 5000

typedef struct
{
  XiStoreFunc     func;
  gpointer        data;
  GDestroyNotify  destroy;
  gboolean        read_only;
  gboolean        bulk;
  gboolean        quick;    /* a read of a few WhatsApp keys */
  GPtrArray      *riders;   /* GTask* written in this op's transaction, or NULL */
} StoreOp;

/* What an operation does with the riders waiting when it is queued. */
typedef enum
{
  RIDERS_BEFORE,  /* they go first, in a transaction of their own */
  RIDERS_TAKEN,   /* they join the operation's transaction */
  RIDERS_LEFT,    /* they go on waiting for a transaction to join */
} RidersMode;

/* A write that waits for the next transaction to ride in. */
typedef struct
{
  XiStoreRiderFunc  func;
  gpointer          data;
  GDestroyNotify    destroy;
  GDestroyNotify    result_destroy;
  gpointer          result;
  GError           *error;
  gboolean          binds;  /* its failure fails the whole transaction */
} Rider;

/* How long a rider waits for a transaction to join before it goes in one
 * of its own. At campaign speed the next key write comes within a few
 * milliseconds; with delays between messages nothing does, and a
 * receipt or an outcome a tenth of a second late is never noticed. */
#define RIDER_WAIT_MS 100

/* SQLite's default threshold, restored after a deferred checkpoint. */
#define WAL_AUTOCHECKPOINT_PAGES 1000

G_DEFINE_FINAL_TYPE (XiStore, xi_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (xi-store-error-quark, xi_store_error)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static void
store_op_free (gpointer data)
{
  StoreOp *op = data;

  if (op->destroy != NULL && op->data != NULL)
    op->destroy (op->data);
  g_clear_pointer (&op->riders, g_ptr_array_unref);
  g_free (op);
}

/* What a rider's run left, forgotten when it runs again or goes. */
static void
rider_forget_run (Rider *rider)
{
  if (rider->result != NULL && rider->result_destroy != NULL)
    rider->result_destroy (rider->result);
  rider->result = NULL;
  g_clear_error (&rider->error);
}

static void
rider_free (gpointer data)
{
  Rider *rider = data;

  if (rider->destroy != NULL && rider->data != NULL)
    rider->destroy (rider->data);
  rider_forget_run (rider);
  g_free (rider);
}

/*
 * Queues @task for the store thread, and wakes it only when it waits
 * for one and nobody woke it since: what is queued before it runs again
 * needs no wakeup of its own. The signal goes after the lock
 * is let go, or the thread it wakes would find the lock still held and
 * sleep on it again (GAsyncQueue signals under its lock, and cost two
 * futex calls more per operation).
 */
static void
queue_op (XiStore *self,
          GTask   *task)
{
  gboolean wake;

  g_mutex_lock (&self->ops_lock);
  g_queue_push_tail (&self->ops, task);
  wake = self->ops_wait != XI_STORE_WAIT_NONE;
  self->ops_wait = XI_STORE_WAIT_NONE;
  g_mutex_unlock (&self->ops_lock);
  if (wake)
    g_cond_signal (&self->ops_cond);
}

/* Riders */

static void answer_riders (XiStore   *self,
                           GPtrArray *riders,
                           GTask     *task,
                           gboolean   value);

/* Each rider gets @error, with the other answers to its context. Takes
 * @riders. */
static void
return_riders_error (XiStore      *self,
                     GPtrArray    *riders,
                     const GError *error)
{
  for (guint i = 0; i < riders->len; i++)
    {
      Rider *rider = g_task_get_task_data (g_ptr_array_index (riders, i));

      rider_forget_run (rider);
      rider->error = g_error_copy (error);
    }
  answer_riders (self, riders, NULL, FALSE);
}

/* Takes what waits to ride; any thread. */
static GPtrArray *
take_riders (XiStore *self)
{
  GPtrArray *riders;

  g_mutex_lock (&self->riders_lock);
  riders = g_steal_pointer (&self->riders);
  g_mutex_unlock (&self->riders_lock);
  return riders;
}

/* Answers that go back to one context together: riders, and the task
 * of the operation they rode with, or another operation's. */
typedef struct
{
  GPtrArray      *riders;   /* GTask*, answered in order, or NULL */
  GTask          *task;     /* answered last, or NULL */
  gboolean        value;    /* @task's, unless it returns @error or @pointer */
  GError         *error;
  gboolean        returns_pointer;
  gpointer        pointer;
  GDestroyNotify  pointer_destroy;
} Answers;

static Answers *
answers_new (GPtrArray *riders)
{
  Answers *answers = g_new0 (Answers, 1);

  answers->riders = riders;
  return answers;
}

static void
answers_free (gpointer data)
{
  Answers *answers = data;

  g_clear_pointer (&answers->riders, g_ptr_array_unref);
  g_clear_object (&answers->task);
  g_clear_error (&answers->error);
  if (answers->pointer != NULL && answers->pointer_destroy != NULL)
    answers->pointer_destroy (answers->pointer);
  g_free (answers);
}

static void
answer_rider (GTask *rider_task)
{
  Rider *rider = g_task_get_task_data (rider_task);

  if (rider->result != NULL)
    g_task_return_pointer (rider_task, g_steal_pointer (&rider->result), rider->result_destroy);
  else
    g_task_return_error (rider_task, g_steal_pointer (&rider->error));
}

/*
 * The answers waiting for one main context, in one source that stays
 * attached to it: a source per answer cost an allocation, an attach
 * under the context's lock and a wakeup each, and the woken thread then
 * met the store thread still holding that lock (two futex calls more).
 * Only the first answer of a batch wakes the context, after the lock is
 * let go; those that come before it is dispatched go with it. Answers
 * run on their tasks' own context, where a GTask calls back at once
 * rather than in an idle source of its own.
 */
typedef struct
{
  GSource  source;
  GMutex   lock;
  GQueue   waiting;  /* Answers*, under @lock */
  gint     pending;  /* atomic: @waiting holds some */
  gboolean orphan;   /* under @lock: its store is closed, it goes once empty */
} AnswerSource;

static gboolean
answer_source_prepare (GSource *source,
                       int     *timeout)
{
  *timeout = -1;
  return g_atomic_int_get (&((AnswerSource *) source)->pending);
}

static gboolean
answer_source_check (GSource *source)
{
  return g_atomic_int_get (&((AnswerSource *) source)->pending);
}

static gboolean
answer_source_dispatch (GSource     *source,
                        GSourceFunc  callback,
                        gpointer     user_data)
{
  AnswerSource *self = (AnswerSource *) source;
  GQueue batch = G_QUEUE_INIT;
  gboolean orphan;
  Answers *answers;

  g_mutex_lock (&self->lock);
  batch = self->waiting;
  g_queue_init (&self->waiting);
  g_atomic_int_set (&self->pending, FALSE);
  orphan = self->orphan;
  g_mutex_unlock (&self->lock);

  while ((answers = g_queue_pop_head (&batch)) != NULL)
    {
      for (guint i = 0; answers->riders != NULL && i < answers->riders->len; i++)
        answer_rider (g_ptr_array_index (answers->riders, i));
      if (answers->task != NULL && answers->error == NULL && answers->returns_pointer)
        g_task_return_pointer (answers->task, g_steal_pointer (&answers->pointer), answers->pointer_destroy);
      else if (answers->task != NULL && answers->error != NULL)
        g_task_return_error (answers->task, g_steal_pointer (&answers->error));
      else if (answers->task != NULL)
        g_task_return_boolean (answers->task, answers->value);
      answers_free (answers);
    }
  return orphan ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

/* Its context went away with answers still waiting: their tasks went
 * with it, nobody can hear them. */
static void
answer_source_finalize (GSource *source)
{
  AnswerSource *self = (AnswerSource *) source;

  g_queue_clear_full (&self->waiting, answers_free);
  g_mutex_clear (&self->lock);
}

static GSourceFuncs answer_source_funcs = {
  answer_source_prepare,
  answer_source_check,
  answer_source_dispatch,
  answer_source_finalize,
  NULL, NULL
};

/* The store is closing: each source goes once what waits in it was
 * answered. */
static void
answer_source_orphan (gpointer data)
{
  AnswerSource *self = data;
  gboolean empty;

  g_mutex_lock (&self->lock);
  self->orphan = TRUE;
  empty = g_queue_is_empty (&self->waiting);
  g_mutex_unlock (&self->lock);
  if (empty)
    g_source_destroy (&self->source);
  g_source_unref (&self->source);
}

static gboolean
answer_source_is_gone (gpointer key,
                       gpointer value,
                       gpointer user_data)
{
  return g_source_is_destroyed (value);
}

/* On the store thread. A context that was freed destroyed its source,
 * and another may since have its address: a destroyed source is
 * replaced, and the others dropped, so that contexts made for one wait
 * (xi-key-store.c reads while its thread waits) leave nothing behind. A
 * context cannot go while a task waits to be answered on it: the task
 * holds it. */
static AnswerSource *
answer_source_for (XiStore      *self,
                   GMainContext *context)
{
  AnswerSource *source = g_hash_table_lookup (self->answer_sources, context);

  if (source != NULL && !g_source_is_destroyed (&source->source))
    return source;
  g_hash_table_foreach_remove (self->answer_sources, answer_source_is_gone, NULL);
  source = (AnswerSource *) g_source_new (&answer_source_funcs, sizeof (AnswerSource));
  g_mutex_init (&source->lock);
  g_queue_init (&source->waiting);
  g_source_set_priority (&source->source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (&source->source, "[xi-store] answers");
  /* A callback may wait in a loop of its own on this context for an
   * answer queued behind its own. */
  g_source_set_can_recurse (&source->source, TRUE);
  g_source_attach (&source->source, context);
  g_hash_table_insert (self->answer_sources, context, source);
  return source;
}

/* Queues @answers on @context's source; the context is woken once the
 * store is done with what follows at once (wake_contexts ()). */
static void
answer_later (XiStore      *self,
              GMainContext *context,
              Answers      *answers)
{
  AnswerSource *source = answer_source_for (self, context);
  gboolean first;

  g_mutex_lock (&source->lock);
  first = g_queue_is_empty (&source->waiting);
  g_queue_push_tail (&source->waiting, answers);
  g_atomic_int_set (&source->pending, TRUE);
  g_mutex_unlock (&source->lock);
  if (first && !g_ptr_array_find (self->wakes_due, context, NULL))
    g_ptr_array_add (self->wakes_due, g_main_context_ref (context));
}

/* Whether the next operation waiting is a quick read. A campaign asks
 * for a batch's keys kind after kind, all at once: answered as each is
 * read, the network thread woke for each, having handled the one before
 * before the next was read. Anything else goes first: an answer never
 * waits behind an operation that may take long. */
static gboolean
quick_read_follows (XiStore *self)
{
  GTask *next;
  gboolean quick;

  g_mutex_lock (&self->ops_lock);
  next = g_queue_peek_head (&self->ops);
  quick = next != NULL && ((StoreOp *) g_task_get_task_data (next))->quick;
  g_mutex_unlock (&self->ops_lock);
  return quick;
}

/* Wakes the contexts that have answers waiting. */
static void
wake_contexts (XiStore *self)
{
  for (guint i = 0; i < self->wakes_due->len; i++)
    g_main_context_wakeup (g_ptr_array_index (self->wakes_due, i));
  g_ptr_array_set_size (self->wakes_due, 0);
}

/*
 * Answers the riders, in order, and then @task (unless %NULL) with
 * @value, after a commit. Returned one by one from this thread, each
 * GTask would wake its caller's thread on its own: three wakeups for
 * every message of a campaign (the key write, the outcome, the
 * receipts), where the riders and the write that carried them now share
 * one, and so does whatever else was answered on that context before it
 * ran. Riders of another context than @task's go together on theirs.
 * Takes @riders, which may be %NULL when @task is not.
 */
static void
answer_riders (XiStore   *self,
               GPtrArray *riders,
               GTask     *task,
               gboolean   value)
{
  GMainContext *context = g_task_get_context (task != NULL ? task : g_ptr_array_index (riders, 0));
  g_autoptr(GHashTable) elsewhere = NULL;  /* GMainContext* -> Answers* */
  Answers *answers = NULL;
  GHashTableIter iter;
  gpointer other_context, other_answers;

  for (guint i = 0; riders != NULL && i < riders->len && elsewhere == NULL; i++)
    if (g_task_get_context (g_ptr_array_index (riders, i)) != context)
      elsewhere = g_hash_table_new (NULL, NULL);

  if (elsewhere == NULL)
    answers = answers_new (riders);
  else
    {
      answers = answers_new (g_ptr_array_new_with_free_func (g_object_unref));
      g_hash_table_insert (elsewhere, context, answers);
      for (guint i = 0; i < riders->len; i++)
        {
          GTask *rider_task = g_ptr_array_index (riders, i);
          GMainContext *rider_context = g_task_get_context (rider_task);
          Answers *of_context = g_hash_table_lookup (elsewhere, rider_context);

          if (of_context == NULL)
            {
              of_context = answers_new (g_ptr_array_new_with_free_func (g_object_unref));
              g_hash_table_insert (elsewhere, rider_context, of_context);
            }
          g_ptr_array_add (of_context->riders, g_object_ref (rider_task));
        }
      g_hash_table_steal (elsewhere, context);
      g_ptr_array_unref (riders);
    }

  answers->task = task != NULL ? g_object_ref (task) : NULL;
  answers->value = value;
  if (elsewhere != NULL)
    {
      g_hash_table_iter_init (&iter, elsewhere);
      while (g_hash_table_iter_next (&iter, &other_context, &other_answers))
        answer_later (self, other_context, other_answers);
    }
  answer_later (self, context, answers);
}

/*
 * Returns @result to @task with the other answers waiting for its
 * context (see AnswerSource): for what a campaign asks in bursts, such
 * as a batch's keys, several kinds read one after the other, each of
 * which would otherwise wake the network thread on its own.
 */
void
_xi_store_return_pointer (XiStore        *self,
                          GTask          *task,
                          gpointer        result,
                          GDestroyNotify  result_destroy)
{
  Answers *answers = answers_new (NULL);

  answers->task = g_object_ref (task);
  answers->returns_pointer = TRUE;
  answers->pointer = result;
  answers->pointer_destroy = result_destroy;
  answer_later (self, g_task_get_context (task), answers);
}

/* Returns @error to @task as _xi_store_return_pointer () returns a
 * result, so that a failure is heard in its turn. Takes @error. */
void
_xi_store_return_error (XiStore *self,
                        GTask   *task,
                        GError  *error)
{
  Answers *answers = answers_new (NULL);

  answers->task = g_object_ref (task);
  answers->error = error;
  answer_later (self, g_task_get_context (task), answers);
}

static gboolean
any_binds (GPtrArray *riders)
{
  for (guint i = 0; i < riders->len; i++)
    if (((Rider *) g_task_get_task_data (g_ptr_array_index (riders, i)))->binds)
      return TRUE;
  return FALSE;
}

/* A binding rider that failed here rode ahead of the key write that
 * follows its decryption (something else was queued first): that write
 * must fail too, or it would put on disk the session that read a
 * message never stored, which then could never be read again. */
static void
fail_riders_alone (XiStore      *self,
                   GPtrArray    *riders,
                   const GError *error)
{
  if (any_binds (riders))
    {
      g_clear_error (&self->keys_owe_failure);
      self->keys_owe_failure = g_error_copy (error);
    }
  return_riders_error (self, riders, error);
}

static void
riders_func (XiStore  *self,
             GTask    *task,
             gpointer  data)
{
  StoreOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!_xi_store_begin (self, &error))
    {
      fail_riders_alone (self, g_steal_pointer (&op->riders), error);
      return;
    }
  if (!_xi_store_run_riders (self, task, &error) ||
      !_xi_store_commit_deferring_checkpoint (self, &error))
    {
      _xi_store_rollback (self);
      fail_riders_alone (self, g_steal_pointer (&op->riders), error);
      return;
    }
  /* This task has no callback; the riders answer on their own context. */
  answer_riders (self, g_steal_pointer (&op->riders), NULL, FALSE);
}

/* A transaction of their own, for riders nothing else took in time. Its
 * task has no callback: each rider answers its own caller. */
static GTask *
new_riders_task (GPtrArray *riders)
{
  StoreOp *op = g_new0 (StoreOp, 1);
  GTask *task = g_task_new (NULL, NULL, NULL, NULL);

  op->func = riders_func;
  op->riders = riders;
  g_task_set_task_data (task, op, store_op_free);
  return task;
}

static void
push_riders_alone (XiStore   *self,
                   GPtrArray *riders)
{
  queue_op (self, new_riders_task (riders));
}

static void
stmt_free (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
close_func (XiStore  *self,
            GTask    *task,
            gpointer  data)
{
  g_clear_pointer (&self->stmts, g_hash_table_unref);
  g_clear_pointer (&self->sync_device_id, g_free);
  g_clear_pointer (&self->seal, _xi_key_seal_free);
  g_clear_pointer (&self->pending_changes, g_hash_table_unref);
  g_clear_pointer (&self->job_counts, g_hash_table_unref);
  g_clear_error (&self->keys_owe_failure);
  g_clear_error (&self->keys_refused);
  g_clear_pointer (&self->answer_sources, g_hash_table_unref);
  if (self->db != NULL)
    {
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }
  /* Nobody waits for this task: returning it would queue a completion on
   * the caller's main context, which may never run again. */
}

/* A cached statement left on a row keeps its read transaction open, and
 * with it every WAL frame since: checkpoints can then never finish, and
 * SQLite tries again, with two fsyncs, on every commit. Each operation
 * lets go of its statements when it is done. */
static void
release_statements (XiStore *self)
{
  sqlite3_stmt *stmt = NULL;

  if (self->db == NULL)
    return;
  while ((stmt = sqlite3_next_stmt (self->db, stmt)) != NULL)
    if (sqlite3_stmt_busy (stmt))
      sqlite3_reset (stmt);
}

/* A full disk usually meets the WAL growing. Copying the WAL into the
 * database and truncating it gives its room back, so the small write
 * that follows (pausing the campaign, saying why) usually still fits;
 * when the database itself cannot grow for the copy, it does not. */
static void
make_room (XiStore *self)
{
  self->disk_full = FALSE;
  /* An open that met the full disk left no database to checkpoint. */
  if (self->db != NULL)
    sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
}

/* A bulk write frees a page cache, sorted index keys and the rows it
 * read, scattered through the heap, and glibc keeps that memory for the
 * process: after an import of a million rows a second one started 134 MB
 * higher and peaked at 283 MB. Giving it back as soon as the write ended
 * made whatever came next fault it in again: a campaign of 100,000
 * created just after an import took 0.8 s of CPU instead of 0.53 s, and
 * a sync pull paid it for every page. So the heap goes back only once
 * the store has had nothing to do for a moment. */
#define TRIM_AFTER_IDLE_USEC (2 * G_USEC_PER_SEC)

/* The next operation, or NULL once @end_time (monotonic, or -1 for
 * never) has passed or, waiting long, once a rider was queued. */
static GTask *
pop_op (XiStore     *self,
        gint64       end_time,
        XiStoreWait  wait)
{
  GTask *task;

  g_mutex_lock (&self->ops_lock);
  while ((task = g_queue_pop_head (&self->ops)) == NULL)
    {
      if (wait == XI_STORE_WAIT_LONG && self->rider_queued)
        break;
      self->ops_wait = wait;
      if (end_time < 0)
        g_cond_wait (&self->ops_cond, &self->ops_lock);
      else if (!g_cond_wait_until (&self->ops_cond, &self->ops_lock, end_time))
        {
          task = g_queue_pop_head (&self->ops);
          break;
        }
    }
  self->ops_wait = XI_STORE_WAIT_NONE;
  g_mutex_unlock (&self->ops_lock);
  return task;
}

/* When the riders waiting are to go alone, or -1 when none wait. */
static gint64
riders_due (XiStore *self)
{
  gint64 due;

  g_mutex_lock (&self->ops_lock);
  self->rider_queued = FALSE;
  g_mutex_unlock (&self->ops_lock);
  g_mutex_lock (&self->riders_lock);
  due = self->riders != NULL ? self->riders_since + RIDER_WAIT_MS * 1000 : -1;
  g_mutex_unlock (&self->riders_lock);
  return due;
}

/*
 * The next operation: one queued, or the riders in a transaction of
 * their own once they waited RIDER_WAIT_MS for one to join. The riders'
 * clock runs here rather than in a source on their callers' thread,
 * which cost a campaign a timeout source made, attached and destroyed
 * for every message. For RIDER_WAIT_MS after an operation a rider does
 * not wake this thread: at campaign speed the next key write takes it
 * within milliseconds, and its wakeup would be one more per message.
 */
static GTask *
next_op (XiStore  *self,
         gboolean *heap_to_give_back)
{
  gint64 brief_until = g_get_monotonic_time () + RIDER_WAIT_MS * 1000;
  gint64 idle_at = *heap_to_give_back || self->search_mapped
                   ? g_get_monotonic_time () + TRIM_AFTER_IDLE_USEC : -1;

  for (;;)
    {
      gint64 due = riders_due (self);
      gint64 now = g_get_monotonic_time ();
      gint64 end = due >= 0 ? due : now < brief_until ? brief_until : -1;
      XiStoreWait wait = end >= 0 ? XI_STORE_WAIT_BRIEFLY : XI_STORE_WAIT_LONG;
      GPtrArray *riders;
      GTask *task;

      if (due >= 0 && due <= now)
        {
          if ((riders = take_riders (self)) != NULL)
            return new_riders_task (riders);
          continue;
        }

      /* Between operations, while none is queued, the search index
       * catches up a short transaction at a time; its write waits for no
       * other process's lock, since an operation may be queued meanwhile. */
      if (self->db != NULL && self->search_index_behind)
        {
          if (self->search_index_retry_at <= now)
            {
              if ((task = pop_op (self, now, XI_STORE_WAIT_BRIEFLY)) != NULL)
                return task;
              sqlite3_busy_timeout (self->db, 0);
              _xi_store_contacts_catch_up (self);
              sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
              release_statements (self);
              continue;
            }
          if (end < 0 || self->search_index_retry_at < end)
            end = self->search_index_retry_at;
        }

      if (idle_at >= 0 && (end < 0 || idle_at < end))
        end = idle_at;
      if ((task = pop_op (self, end, wait)) != NULL)
        return task;
      if (idle_at >= 0 && g_get_monotonic_time () >= idle_at)
        {
          _xi_store_contacts_unmap (self);
#ifdef __GLIBC__
          if (*heap_to_give_back)
            malloc_trim (0);
#endif
          idle_at = -1;
          *heap_to_give_back = FALSE;
        }
    }
}

static gpointer
store_thread_func (gpointer data)
{
  XiStore *self = data;
  gboolean heap_to_give_back = FALSE;

  for (;;)
    {
      g_autoptr(GTask) task = next_op (self, &heap_to_give_back);
      StoreOp *op = g_task_get_task_data (task);
      gboolean last = op->func == close_func;

      if (last)
        op->func (self, task, op->data);
      else if (self->db == NULL && g_task_get_source_tag (task) != xi_store_open_async)
        {
          g_autoptr(GError) error = g_error_new_literal (XI_STORE_ERROR, XI_STORE_ERROR_CLOSED,
                                                         _("The database is not open."));

          _xi_store_fail_riders (self, task, error);
          g_task_return_error (task, g_steal_pointer (&error));
        }
      /* A widget cancels its GCancellable when it goes away, and a write
       * it queued (a Save, a new campaign) must reach the disk all the
       * same: only reads are skipped. A write whose cancellable fired
       * still runs; GTask then hands its callback CANCELLED, so the
       * callback never touches the widget that is gone. */
      else if (!op->read_only || !g_task_return_error_if_cancelled (task))
        {
          if (op->bulk)
            _xi_store_exec (self, "PRAGMA cache_size = " G_STRINGIFY (BULK_CACHE_KIB), NULL);
          op->func (self, task, op->data);
          release_statements (self);
          if (op->bulk && self->db != NULL)
            _xi_store_exec (self, "PRAGMA cache_size = " G_STRINGIFY (SMALL_CACHE_KIB), NULL);
          heap_to_give_back |= op->bulk;
          if (self->disk_full)
            make_room (self);
        }
      if (last || !quick_read_follows (self))
        wake_contexts (self);

      if (last)
        break;
    }

  return NULL;
}

/* A task carrying @data, or NULL when the store is closed: the caller
 * has then heard so. */
static GTask *
new_task (XiStore             *self,
          gpointer             data,
          GDestroyNotify       free_data,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, free_data);
  if (self->thread != NULL)
    return task;

  g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_CLOSED, _("The database is not open."));
  g_object_unref (task);
  return NULL;
}

static void
push_op (XiStore             *self,
         XiStoreFunc          func,
         gpointer             data,
         GDestroyNotify       destroy,
         gboolean             read_only,
         gboolean             bulk,
         RidersMode           riders_mode,
         gpointer             source_tag,
         GCancellable        *cancellable,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  StoreOp *op = g_new0 (StoreOp, 1);
  GPtrArray *riders;
  GTask *task;

  op->func = func;
  op->data = data;
  op->destroy = destroy;
  op->read_only = read_only;
  op->bulk = bulk;
  /* Only the WhatsApp keys leave the riders waiting, and those reads
   * are small. */
  op->quick = riders_mode == RIDERS_LEFT;

  task = new_task (self, op, store_op_free, source_tag, cancellable, callback, user_data);
  if (task == NULL)
    return;

  /* Riders were queued before this op and run before it, in its
   * transaction when it takes them, otherwise in one of their own,
   * unless the op cannot see what they write. */
  riders = riders_mode != RIDERS_LEFT ? take_riders (self) : NULL;
  if (riders != NULL && riders_mode == RIDERS_TAKEN)
    op->riders = riders;
  else if (riders != NULL)
    push_riders_alone (self, riders);
  queue_op (self, task);
}

/* Queues an operation that changes the database. It runs even when
 * @cancellable fires before its turn; see store_thread_func(). */
void
_xi_store_push (XiStore             *self,
                XiStoreFunc          func,
                gpointer             data,
                GDestroyNotify       destroy,
                gpointer             source_tag,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  push_op (self, func, data, destroy, FALSE, FALSE, RIDERS_BEFORE, source_tag, cancellable, callback, user_data);
}

/*
 * Queues an operation that neither reads nor writes what riders write
 * (the WhatsApp keys, which no rider touches): the riders waiting go on
 * waiting for the next key write rather than being committed alone
 * before it. A campaign reads its recipients' keys ahead of every batch,
 * and each such read cost a commit of its own.
 */
void
_xi_store_push_leaving_riders (XiStore             *self,
                               XiStoreFunc          func,
                               gpointer             data,
                               GDestroyNotify       destroy,
                               gpointer             source_tag,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  push_op (self, func, data, destroy, FALSE, FALSE, RIDERS_LEFT, source_tag, cancellable, callback, user_data);
}

/* Queues @func for nobody in particular: its task has no source object
 * and no callback, so it holds nothing that must outlive the store, and
 * a store closed right after it finalizes all the same. For work the
 * store starts by itself (looking at what other processes committed). */
void
_xi_store_push_detached (XiStore     *self,
                         XiStoreFunc  func)
{
  StoreOp *op = g_new0 (StoreOp, 1);
  GTask *task = g_task_new (NULL, NULL, NULL, NULL);

  op->func = func;
  op->read_only = TRUE;
  g_task_set_task_data (task, op, store_op_free);
  queue_op (self, task);
}

/* Queues a write of many rows (an import, a new campaign), which has the
 * big page cache while it runs. */
void
_xi_store_push_bulk (XiStore             *self,
                     XiStoreFunc          func,
                     gpointer             data,
                     GDestroyNotify       destroy,
                     gpointer             source_tag,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  push_op (self, func, data, destroy, FALSE, TRUE, RIDERS_BEFORE, source_tag, cancellable, callback, user_data);
}

/* Queues a write that writes, in its own transaction, the riders queued
 * before it (_xi_store_run_riders ()). */
void
_xi_store_push_taking_riders (XiStore             *self,
                              XiStoreFunc          func,
                              gpointer             data,
                              GDestroyNotify       destroy,
                              gpointer             source_tag,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  push_op (self, func, data, destroy, FALSE, FALSE, RIDERS_TAKEN, source_tag, cancellable, callback, user_data);
}

/*
 * Queues a small write that needs no transaction of its own: it waits
 * for the next operation anybody queues, and is
 * written in the same transaction when that is a write that takes riders
 * (the WhatsApp key write before each message), otherwise just before it.
 * With nothing queued within RIDER_WAIT_MS it goes alone, whether or not
 * the caller's thread runs its main loop meanwhile. So a campaign
 * costs one commit, one fsync-free WAL append, per message rather than
 * one each for the keys, the outcome and the receipts. @func runs on the
 * store thread inside the transaction, in order with the other riders;
 * what it returns (NULL with an error on failure) completes the task once
 * the transaction is committed. When it @binds, its failure fails the
 * whole transaction: what rides with it (the keys that decrypted a
 * message, beside the message) is not written without it.
 */
void
_xi_store_push_rider (XiStore             *self,
                      XiStoreRiderFunc     func,
                      gpointer             data,
                      GDestroyNotify       destroy,
                      GDestroyNotify       result_destroy,
                      gboolean             binds,
                      gpointer             source_tag,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  Rider *rider = g_new0 (Rider, 1);
  gboolean first, wake;
  GTask *task;

  rider->func = func;
  rider->data = data;
  rider->destroy = destroy;
  rider->result_destroy = result_destroy;
  rider->binds = binds;

  task = new_task (self, rider, rider_free, source_tag, cancellable, callback, user_data);
  if (task == NULL)
    return;

  g_mutex_lock (&self->riders_lock);
  first = self->riders == NULL;
  if (first)
    {
      self->riders = g_ptr_array_new_with_free_func (g_object_unref);
      self->riders_since = g_get_monotonic_time ();
    }
  g_ptr_array_add (self->riders, task);
  g_mutex_unlock (&self->riders_lock);

  /* The store thread keeps the riders' time (next_op ()). */
  if (first)
    {
      g_mutex_lock (&self->ops_lock);
      self->rider_queued = TRUE;
      wake = self->ops_wait == XI_STORE_WAIT_LONG;
      if (wake)
        self->ops_wait = XI_STORE_WAIT_NONE;
      g_mutex_unlock (&self->ops_lock);
      if (wake)
        g_cond_signal (&self->ops_cond);
    }
}

/* A rider that refuses its input (a message whose file has no usable
 * checksum) wrote nothing it could be bound to: failing the transaction
 * for it would only lose the keys and receipts beside it, on every
 * retry. Only the database failing binds. */
static gboolean
is_refusal (const GError *error)
{
  return g_error_matches (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID);
}

/* Each rider in a savepoint of its own, so that one failing rolls back
 * only what it wrote. */
static gboolean
run_riders_apart (XiStore    *self,
                  GPtrArray  *riders,
                  GError    **error)
{
  for (guint i = 0; i < riders->len; i++)
    {
      Rider *rider = g_task_get_task_data (g_ptr_array_index (riders, i));

      if (!_xi_store_run (self, "SAVEPOINT rider", &rider->error))
        continue;
      rider->result = rider->func (self, rider->data, &rider->error);
      if (rider->result == NULL)
        _xi_store_run (self, "ROLLBACK TO rider", NULL);
      _xi_store_run (self, "RELEASE rider", NULL);
      if (rider->result == NULL && rider->binds && !is_refusal (rider->error))
        {
          g_propagate_error (error, g_error_copy (rider->error));
          return FALSE;
        }
    }
  return TRUE;
}

/*
 * Runs the riders @task took inside the open transaction, and then
 * writes the campaign counters they moved, once per campaign; their
 * answers wait for _xi_store_return_riders (). When the counters cannot
 * be written, the transaction must not commit.
 *
 * They run under one savepoint: a savepoint and its release cost a
 * rider about 14,000 instructions, a kept message's outcome and receipt
 * two of them, and riders almost never fail. When one does, all that
 * they wrote and counted is undone, and they run again one by one, each
 * in a savepoint of its own (run_riders_apart ()).
 */
gboolean
_xi_store_run_riders (XiStore  *self,
                      GTask    *task,
                      GError  **error)
{
  StoreOp *op = g_task_get_task_data (task);
  guint ran;

  if (op->riders == NULL)
    return TRUE;
  if (!_xi_store_run (self, "SAVEPOINT riders", error))
    return FALSE;
  for (ran = 0; ran < op->riders->len; ran++)
    {
      Rider *rider = g_task_get_task_data (g_ptr_array_index (op->riders, ran));

      rider->result = rider->func (self, rider->data, &rider->error);
      if (rider->result == NULL)
        break;
    }
  if (ran < op->riders->len)
    {
      _xi_store_run (self, "ROLLBACK TO riders", NULL);
      for (guint i = 0; i <= ran; i++)
        rider_forget_run (g_task_get_task_data (g_ptr_array_index (op->riders, i)));
      g_clear_pointer (&self->job_counts, g_hash_table_unref);
    }
  _xi_store_run (self, "RELEASE riders", NULL);
  if (ran < op->riders->len && !run_riders_apart (self, op->riders, error))
    return FALSE;
  return _xi_store_write_job_counts (self, error);
}

gboolean
_xi_store_has_riders (GTask *task)
{
  StoreOp *op = g_task_get_task_data (task);

  return op->riders != NULL;
}

/* After the commit: each rider gets what its function returned, and
 * then @task gets @value, with one wakeup of their thread. */
void
_xi_store_return_with_riders (XiStore  *self,
                              GTask    *task,
                              gboolean  value)
{
  StoreOp *op = g_task_get_task_data (task);

  answer_riders (self, g_steal_pointer (&op->riders), task, value);
}

/* Whether a rider @task took fails its transaction when it fails: a
 * customer's message beside the keys that decrypted it. */
gboolean
_xi_store_riders_bind (GTask *task)
{
  StoreOp *op = g_task_get_task_data (task);

  return op->riders != NULL && any_binds (op->riders);
}

/* When the transaction failed: each rider gets @error. */
void
_xi_store_fail_riders (XiStore      *self,
                       GTask        *task,
                       const GError *error)
{
  StoreOp *op = g_task_get_task_data (task);

  if (op->riders == NULL)
    return;
  return_riders_error (self, g_steal_pointer (&op->riders), error);
}

/* Queues an operation that only reads: skipped when @cancellable fired
 * before its turn, since nobody waits for its answer any more. */
void
_xi_store_push_read (XiStore             *self,
                     XiStoreFunc          func,
                     gpointer             data,
                     GDestroyNotify       destroy,
                     gpointer             source_tag,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  push_op (self, func, data, destroy, TRUE, FALSE, RIDERS_BEFORE, source_tag, cancellable, callback, user_data);
}

void
_xi_store_assert_thread (XiStore *self)
{
  g_assert (g_thread_self () == self->thread);
}

static void
xi_store_dispose (GObject *object)
{
  XiStore *self = (XiStore *)object;

  xi_store_close (self);

  G_OBJECT_CLASS (xi_store_parent_class)->dispose (object);
}

static void
xi_store_finalize (GObject *object)
{
  XiStore *self = (XiStore *)object;

  g_queue_clear_full (&self->ops, g_object_unref);
  g_mutex_clear (&self->ops_lock);
  g_cond_clear (&self->ops_cond);
  g_clear_pointer (&self->answer_sources, g_hash_table_unref);
  g_clear_pointer (&self->wakes_due, g_ptr_array_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->master_user_id, g_free);
  g_clear_pointer (&self->changes, g_hash_table_unref);
  g_clear_pointer (&self->pending_changes, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->changes_lock);
  g_mutex_clear (&self->riders_lock);
  g_clear_object (&self->secrets);

  G_OBJECT_CLASS (xi_store_parent_class)->finalize (object);
}

static void
xi_store_class_init (XiStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  /* Before any store opens its database. */
  xi_sqlite_memory_install ();

  object_class->dispose = xi_store_dispose;
  object_class->finalize = xi_store_finalize;

  /**
   * XiStore::changed:
   * @self: the store
   * @table: a synced table
   * @ids: the ids of its rows that changed
   *
   * Rows of a synced table that were inserted, changed or deleted, by
   * any operation of this store: a page's edit, the engine, or sync (a
   * pulled row, a push reply, a row marked rejected or in conflict).
   * Models showing them reload those rows. Emitted on the main context
   * the store was made on, at most once per table per main-loop turn,
   * with everything committed since; never for a transaction that rolled
   * back, nor for a write that left every column as it was. When more
   * rows changed than are worth listing, @ids is empty: read the whole
   * table again.
   *
   * The detail says where they came from: "local" when some of them
   * were written on this computer, by this store outside sync's applying
   * or by another process on the same data folder; "applied" when all
   * were rows sync applied from the server. Sync pushes after local
   * changes only; models follow both.
   */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRV);
}

static void
xi_store_init (XiStore *self)
{
  g_mutex_init (&self->ops_lock);
  g_cond_init (&self->ops_cond);
  g_queue_init (&self->ops);
  self->answer_sources = g_hash_table_new_full (NULL, NULL, NULL, answer_source_orphan);
  self->wakes_due = g_ptr_array_new_with_free_func ((GDestroyNotify) g_main_context_unref);
  self->master_user_id = g_strdup (XI_STORE_ANONYMOUS_USER);
  g_mutex_init (&self->changes_lock);
  g_mutex_init (&self->riders_lock);
  self->context = g_main_context_ref_thread_default ();
}

/* Indexed by XiStoreTestSetting. */
static const char * const test_setting_names[XI_STORE_N_TEST_SETTINGS] = {
  "XI_TEST_FAIL_KEY_WRITE",
  "XI_TEST_FAIL_INCOMING",
  "XI_TEST_HOLD_INCOMING",
  "XI_TEST_SLOW_INCOMING",
  "XI_TEST_FAIL_AUTO_REPLY_COUNT",
};

/* The test setting @setting, or %NULL (as in any real run); any thread. */
const char *
_xi_store_test_setting (XiStore            *self,
                        XiStoreTestSetting  setting)
{
  return g_atomic_pointer_get (&self->test_settings[setting]);
}

/* Sets the test setting @setting (%NULL: unset) for what runs from now
 * on, as its environment variable would at start; any thread. */
void
_xi_store_set_test_setting (XiStore            *self,
                            XiStoreTestSetting  setting,
                            const char         *value)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (setting < XI_STORE_N_TEST_SETTINGS);

  if (setting == XI_STORE_TEST_FAIL_AUTO_REPLY_COUNT)
    g_atomic_int_set (&self->test_counts_failed, 0);
  g_atomic_pointer_set (&self->test_settings[setting], g_intern_string (value));
}

/**
 * xi_store_new:
 * @path: the SQLite file; created on open if missing
 *
 * Creates a store and starts its thread. Nothing touches the disk until
 * xi_store_open_async().
 *
 * Returns: (transfer full): a new #XiStore
 */
XiStore *
xi_store_new (const char *path)
{
  XiStore *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (XI_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->secrets = xi_secret_store_new (path, xi_secret_store_backend_from_env ());
  for (guint i = 0; i < XI_STORE_N_TEST_SETTINGS; i++)
    self->test_settings[i] = g_intern_string (g_getenv (test_setting_names[i]));
  self->thread = g_thread_new ("xi-store", store_thread_func, self);

  return self;
}

const char *
xi_store_get_path (XiStore *self)
{
  g_return_val_if_fail (XI_IS_STORE (self), NULL);
  return self->path;
}

/**
 * xi_store_get_secret_store:
 * @self: a #XiStore
 *
 * Where the secrets that belong to this database are kept: the key that
 * seals the WhatsApp keys, and whatever else must not lie in the file.
 *
 * Returns: (transfer none): the secret store, usable from any thread
 */
XiSecretStore *
xi_store_get_secret_store (XiStore *self)
{
  g_return_val_if_fail (XI_IS_STORE (self), NULL);
  return self->secrets;
}

/**
 * xi_store_get_master_user_id:
 * @self: a #XiStore
 *
 * Every row belongs to one master user (the tenant). Until sign-in exists
 * this is the local anonymous user.
 *
 * Returns: the current master user id
 */
const char *
xi_store_get_master_user_id (XiStore *self)
{
  g_return_val_if_fail (XI_IS_STORE (self), NULL);
  return self->master_user_id;
}

/**
 * xi_store_set_master_user_id:
 * @self: a #XiStore, not opened yet
 * @master_user_id: the account's tenant (a UUID): the owner's user id,
 *   also for their staff
 *
 * Makes @self the data folder of a signed-in account: new rows belong to
 * @master_user_id, and reads and sync keep to it. Each account has its
 * own database file, so this is set once, before xi_store_open_async(),
 * when the store thread reads it for the first time.
 */
void
xi_store_set_master_user_id (XiStore    *self,
                             const char *master_user_id)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (!self->opened);
  g_return_if_fail (master_user_id != NULL && g_uuid_string_is_valid (master_user_id));

  g_free (self->master_user_id);
  self->master_user_id = g_ascii_strdown (master_user_id, -1);
}

/**
 * xi_store_ignore_other_processes:
 * @self: a #XiStore, not opened yet
 *
 * For a process where nothing listens to "changed" nor ever will, such
 * as the command line sending a campaign: the store then puts no watch
 * on its write-ahead log. Other processes' commits would be announced to
 * nobody, and the watch costs every write this process makes there an
 * inotify event in the kernel: several per message a campaign sends.
 */
void
xi_store_ignore_other_processes (XiStore *self)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (!self->opened);

  self->others_ignored = TRUE;
}

/* Secrets (WhatsApp keys) and customer data live in this file and its WAL.
 * SQLite creates a missing database 0644 and gives the -wal and -shm files
 * the database's mode: creating the file 0600 ourselves keeps all three
 * private from the first byte. A file left looser by an older version is
 * tightened. A link in the database's place is refused, as anything at
 * that path could be a trap set for this file. */
static gboolean
create_private (const char  *path,
                GError     **error)
{
  static const char *suffixes[] = { "", "-wal", "-shm" };
  int fd = g_open (path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

  if (fd < 0 || fchmod (fd, 0600) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_FAILED,
                   _("Cannot open the database “%s”: %s"), path,
                   saved_errno == ELOOP ? _("it is a symbolic link") : g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);

  for (guint i = 1; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      if (g_chmod (file, 0600) != 0 && errno != ENOENT)
        g_warning ("Could not make %s private: %s", file, g_strerror (errno));
    }
  return TRUE;
}

/*
 * A new file becomes a WAL database under an exclusive lock, which SQLite
 * does not always wait for: while another process converts the file, this
 * one may be told SQLITE_BUSY at once. Asking again until the busy timeout
 * has passed makes any number of processes opening one new folder agree.
 */
static gboolean
enter_wal_mode (XiStore  *self,
                GError  **error)
{
  gint64 deadline = g_get_monotonic_time () + BUSY_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  int rc;

  for (;;)
    {
      rc = sqlite3_exec (self->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
      if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
        break;
      if (g_get_monotonic_time () >= deadline)
        break;
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }

  if (rc != SQLITE_OK)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

static int wal_hook_cb (void       *user_data,
                        sqlite3    *db,
                        const char *name,
                        int         frames);

static void
open_func (XiStore  *self,
           GTask    *task,
           gpointer  data)
{
  g_autoptr(GError) error = NULL;
  int rc;

  _xi_store_assert_thread (self);

  if (self->db != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (!create_private (self->path, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                        SQLITE_OPEN_NOFOLLOW,
                        NULL);
  if (rc != SQLITE_OK)
    goto failed;

  sqlite3_extended_result_codes (self->db, 1);
  /* Before anything touches the file: another process may be creating or
   * upgrading it right now. */
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  self->stmts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, stmt_free);

  /* NORMAL: a commit is in the WAL, in the kernel's page cache, when
   * it returns, so it survives this process crashing; only a power cut
   * can take back the commits since the last checkpoint's sync. What a
   * campaign promises (each message's text and id) is synced on its own
   * (synchronous FULL around those commits), so after a power cut the
   * same messages go again under the same ids, never others. FULL for
   * every commit was measured on a campaign to kept sessions: an
   * fdatasync and a sleep of the store thread per message, about 60 %
   * more CPU per message (700 us against 440) and twice the context
   * switches. */
  if (!enter_wal_mode (self, &error) ||
      !_xi_store_exec (self,
                       "PRAGMA synchronous = NORMAL;"
                       "PRAGMA foreign_keys = ON;"
                       "PRAGMA cache_size = " G_STRINGIFY (SMALL_CACHE_KIB) ";"
                       "PRAGMA temp_store = MEMORY;",
                       &error))
    goto failed_with_error;
  sqlite3_wal_hook (self->db, wal_hook_cb, self);

  if (!_xi_store_schema_migrate (self->db, XI_STORE_SCHEMA_VERSION, &error) ||
      !_xi_store_sync_setup (self, &error) ||
      !_xi_store_changes_setup (self, &error) ||
      !_xi_store_contacts_setup (self, &error))
    goto failed_with_error;

  g_debug ("Store open at schema version %u", XI_STORE_SCHEMA_VERSION);
  g_task_return_boolean (task, TRUE);
  return;

failed:
  _xi_store_set_error (self, rc, &error);
failed_with_error:
  g_clear_pointer (&self->stmts, g_hash_table_unref);
  if (self->db != NULL)
    {
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }
  g_task_return_error (task, g_steal_pointer (&error));
}

/**
 * xi_store_open_async:
 * @self: a #XiStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the store is ready or failed
 * @user_data: closure
 *
 * Opens the database, creating it or upgrading its schema as needed.
 */
void
xi_store_open_async (XiStore             *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  _xi_store_push (self, open_func, NULL, NULL, xi_store_open_async,
                  cancellable, callback, user_data);
}

gboolean
xi_store_open_finish (XiStore       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (XI_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  ok = g_task_propagate_boolean (G_TASK (result), error);
  self->opened = self->opened || ok;
  if (ok && !self->others_ignored)
    _xi_store_changes_watch (self);
  return ok;
}

/**
 * xi_store_close:
 * @self: a #XiStore
 *
 * Lets every queued operation finish, closes the database and joins the
 * store thread. Blocks the caller for as long as the queued work takes;
 * meant for shutdown. Safe to call twice.
 */
void
xi_store_close (XiStore *self)
{
  g_return_if_fail (XI_IS_STORE (self));

  if (self->thread == NULL)
    return;

  /* The store thread must never drop the last reference to itself. */
  g_assert (g_thread_self () != self->thread);

  {
    GPtrArray *riders = take_riders (self);

    if (riders != NULL)
      push_riders_alone (self, riders);
  }

  {
    StoreOp *op = g_new0 (StoreOp, 1);
    GTask *task = g_task_new (NULL, NULL, NULL, NULL);

    op->func = close_func;
    g_task_set_task_data (task, op, store_op_free);
    queue_op (self, task);
  }
  /* The field stays set until the thread is gone: the operations still
   * queued before the close check it. */
  g_thread_join (self->thread);
  self->thread = NULL;
  self->opened = FALSE;

  _xi_store_changes_clear (self);
}

/* Whether anybody would hear "changed": a process without a window,
 * such as the command line sending a campaign, has nobody to tell, and
 * then the store thread need not wake the main thread after each commit.
 * Safe on any thread; a blocked handler still counts. */
gboolean
_xi_store_changed_is_heard (XiStore *self)
{
  /* Asked with a detail, GLib counts only the handlers of that detail. */
  return g_signal_has_handler_pending (self, signals[SIGNAL_CHANGED], 0, TRUE) ||
         g_signal_has_handler_pending (self, signals[SIGNAL_CHANGED],
                                       g_quark_from_static_string ("local"), TRUE) ||
         g_signal_has_handler_pending (self, signals[SIGNAL_CHANGED],
                                       g_quark_from_static_string ("applied"), TRUE);
}

void
_xi_store_emit_changed (XiStore            *self,
                        const char         *table,
                        const char * const *ids,
                        gboolean            local)
{
  g_signal_emit (self, signals[SIGNAL_CHANGED],
                 g_quark_from_static_string (local ? "local" : "applied"), table, ids);
}

/* Helpers for the store-*.c files, all on the store thread. */

void
_xi_store_set_error (XiStore  *self,
                     int       rc,
                     GError  **error)
{
  const char *message = self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);
  XiStoreError code;

  /* SQLite says "disk I/O error" when a write of the WAL meets a full
   * disk; the user needs to hear what to do about it. */
  if ((rc & 0xff) == SQLITE_FULL ||
      ((rc & 0xff) == SQLITE_IOERR && self->db != NULL && sqlite3_system_errno (self->db) == ENOSPC))
    {
      self->disk_full = TRUE;
      g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL,
                           _("The disk is full: free some space on it, then try again."));
      return;
    }

  switch (rc & 0xff)
    {
    /* SQLite says "database is locked", which reads as a fault of this
     * process; what to do about it is to wait for the other. */
    case SQLITE_BUSY:
      g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_BUSY,
                           _("Another Xender-In window or command is writing to this data folder. "
                             "Try again once it is done."));
      return;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = XI_STORE_ERROR_CORRUPT;
      g_set_error (error, XI_STORE_ERROR, code,
                   _("The database file is damaged or is not a Xender-In database (%s)."),
                   message);
      return;
    case SQLITE_CONSTRAINT:
      code = XI_STORE_ERROR_DUPLICATE;
      break;
    default:
      code = XI_STORE_ERROR_FAILED;
      break;
    }

  g_set_error (error, XI_STORE_ERROR, code, _("Database error: %s"), message);
}

sqlite3_stmt *
_xi_store_prepare (XiStore     *self,
                   const char  *sql,
                   GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  _xi_store_assert_thread (self);

  /* Keyed by the address of the static SQL text: every call site passes a
   * literal, so this is a cheap, exact cache. */
  stmt = g_hash_table_lookup (self->stmts, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _xi_store_set_error (self, rc, error);
      return NULL;
    }

  g_hash_table_insert (self->stmts, (gpointer)sql, stmt);
  return stmt;
}

/**
 * _xi_store_drop_trigger:
 * @self: a store, on its thread, in a write transaction
 * @name: a trigger of the main schema
 * @restore: (out) (transfer full) (nullable): the SQL that creates it
 *   again, exactly as sqlite_schema held it; %NULL when there is none
 * @error: return location for an error
 *
 * Pauses a trigger for the rest of a bulk write, which does its work
 * once for every row instead: a rollback or a crash puts it back with
 * the transaction, and no other connection ever sees it missing.
 *
 * Returns: whether it could
 */
gboolean
_xi_store_drop_trigger (XiStore     *self,
                        const char  *name,
                        char       **restore,
                        GError     **error)
{
  g_autofree char *drop = NULL;
  sqlite3_stmt *stmt;
  int rc;

  *restore = NULL;
  stmt = _xi_store_prepare (self, "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?1", error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text_static (stmt, 1, name);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *restore = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  if (*restore == NULL)
    return TRUE;
  drop = g_strdup_printf ("DROP TRIGGER \"%s\"", name);
  if (!_xi_store_exec (self, drop, error))
    {
      g_clear_pointer (restore, g_free);
      return FALSE;
    }
  return TRUE;
}

gboolean
_xi_store_exec (XiStore     *self,
                const char  *sql,
                GError     **error)
{
  char *errmsg = NULL;
  int rc;

  rc = sqlite3_exec (self->db, sql, NULL, NULL, &errmsg);
  sqlite3_free (errmsg);
  if (rc != SQLITE_OK)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

/*
 * Runs one statement without parameters, such as BEGIN or COMMIT, from
 * the statement cache: _xi_store_exec () would parse it again each time,
 * and a message costs several of these. Like _xi_store_prepare (), @sql
 * must be a literal.
 */
gboolean
_xi_store_run (XiStore     *self,
               const char  *sql,
               GError     **error)
{
  sqlite3_stmt *stmt = _xi_store_prepare (self, sql, error);

  return stmt != NULL && _xi_store_step_done (self, stmt, error);
}

gboolean
_xi_store_step_done (XiStore       *self,
                     sqlite3_stmt  *stmt,
                     GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return TRUE;
    }

  _xi_store_set_error (self, rc, error);
  sqlite3_reset (stmt);
  return FALSE;
}

gboolean
_xi_store_begin (XiStore  *self,
                 GError  **error)
{
  return _xi_store_run (self, "BEGIN IMMEDIATE", error);
}

gboolean
_xi_store_commit (XiStore  *self,
                  GError  **error)
{
  return _xi_store_run (self, "COMMIT", error);
}

static void
checkpoint_func (XiStore  *self,
                 GTask    *task,
                 gpointer  data)
{
  sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

/*
 * SQLite's own automatic checkpoint, with one difference: a commit that
 * asks for it is not made to wait for one (see below). A checkpoint
 * copies the WAL into the database and syncs both, so it runs only once
 * the WAL holds WAL_AUTOCHECKPOINT_PAGES, not after every commit.
 */
static int
wal_hook_cb (void       *user_data,
             sqlite3    *db,
             const char *name,
             int         frames)
{
  XiStore *self = user_data;

  _xi_store_changes_committed (self);
  self->wal_frames = frames;
  if (!self->deferring_checkpoint && frames >= WAL_AUTOCHECKPOINT_PAGES)
    sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  return SQLITE_OK;
}

/*
 * Commits a large transaction without copying it into the database file
 * right away: SQLite would otherwise checkpoint the whole WAL inside the
 * COMMIT, making the caller wait for a second copy of every page. When a
 * checkpoint is due, it is queued behind the result instead.
 */
gboolean
_xi_store_commit_deferring_checkpoint (XiStore  *self,
                                       GError  **error)
{
  StoreOp *op;
  GTask *task;
  gboolean ok;

  self->deferring_checkpoint = TRUE;
  ok = _xi_store_commit (self, error);
  self->deferring_checkpoint = FALSE;
  if (self->wal_frames < WAL_AUTOCHECKPOINT_PAGES)
    return ok;

  op = g_new0 (StoreOp, 1);
  op->func = checkpoint_func;
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_task_data (task, op, store_op_free);
  queue_op (self, task);

  return ok;
}

void
_xi_store_rollback (XiStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    _xi_store_run (self, "ROLLBACK", NULL);
  /* What the riders counted and the campaigns they found live were so
   * only in the transaction that is gone. */
  g_clear_pointer (&self->job_counts, g_hash_table_unref);
}

/* Writes @value as @width decimal digits ending before @end. */
static void
put_digits (char *end,
            int   value,
            int   width)
{
  while (width-- > 0)
    {
      *--end = (char)('0' + value % 10);
      value /= 10;
    }
}

/* The seconds GDateTime can hold: years 1 to 9999, four digits. */
#define FIRST_SECOND G_GINT64_CONSTANT (-62135596800)
#define END_SECOND   G_GINT64_CONSTANT (253402300800)

/* ISO 8601 in UTC with milliseconds, the form PostgREST returns. Local
 * timestamps are for display only; sync orders changes by server counters.
 * A message's writes ask for it about five times: through GDateTime and
 * its format parser it cost 6,000 instructions a call, through printf
 * 4,300, 4.6 and 3.3 % of the store thread's (bench-whatsapp, a second
 * campaign, under callgrind); the digits are put in place instead.
 *
 * Returns: (nullable): the text, or %NULL for a time outside years 1 to
 *   9999, which a peer's receipt may claim */
char *
_xi_store_time_text (gint64 seconds,
                     int    milliseconds)
{
  time_t whole = (time_t)seconds;
  char *text;
  struct tm tm;

  /* A 32-bit time_t ends in 2038: a receipt after it is dated now, not
   * written as a wrong date. */
  if (seconds < FIRST_SECOND || seconds >= END_SECOND || (gint64) whole != seconds ||
      milliseconds < 0 || milliseconds > 999 || gmtime_r (&whole, &tm) == NULL)
    return NULL;
  text = g_strdup ("0000-00-00T00:00:00.000Z");
  put_digits (text + 4, tm.tm_year + 1900, 4);
  put_digits (text + 7, tm.tm_mon + 1, 2);
  put_digits (text + 10, tm.tm_mday, 2);
  put_digits (text + 13, tm.tm_hour, 2);
  put_digits (text + 16, tm.tm_min, 2);
  put_digits (text + 19, tm.tm_sec, 2);
  put_digits (text + 23, milliseconds, 3);
  return text;
}

/* _xi_store_time_text () of Unix microseconds, which are negative
 * before 1970: the second is the one they fall in, rounding down, with
 * the milliseconds counted on from it. */
char *
_xi_store_time_text_usec (gint64 usec)
{
  gint64 seconds = usec / G_USEC_PER_SEC;
  gint64 rest = usec % G_USEC_PER_SEC;

  if (rest < 0)
    {
      seconds--;
      rest += G_USEC_PER_SEC;
    }
  return _xi_store_time_text (seconds, (int)(rest / 1000));
}

char *
_xi_store_now (void)
{
  return _xi_store_time_text_usec (g_get_real_time ());
}

/**
 * _xi_store_shrink_cache:
 * @self: a #XiStore, on its thread, in a bulk write
 *
 * Gives back the bulk write's page cache before it ends, for work that
 * needs memory of its own rather than cached pages: building an index
 * sorts its keys in memory. The dirty pages go to the WAL.
 */
void
_xi_store_shrink_cache (XiStore *self)
{
  _xi_store_assert_thread (self);
  _xi_store_exec (self, "PRAGMA cache_size = " G_STRINGIFY (SMALL_CACHE_KIB), NULL);
}

char *
_xi_store_new_id (void)
{
  return g_uuid_string_random ();
}

static char *
format_uuid (const guint8 bytes[16])
{
  static const char hex[] = "0123456789abcdef";
  char *out = g_malloc (37);
  char *p = out;

  for (guint i = 0; i < 16; i++)
    {
      if (i == 4 || i == 6 || i == 8 || i == 10)
        *p++ = '-';
      *p++ = hex[bytes[i] >> 4];
      *p++ = hex[bytes[i] & 0xf];
    }
  *p = '\0';
  return out;
}

/*
 * A time-ordered (version 7) UUID: milliseconds since 1970 in the first
 * 48 bits, then a counter that keeps ids made in the same millisecond (or
 * after the clock stepped back) in order, then 62 random bits, which keep
 * two devices' ids apart. Outbox ops are written in bulk by imports and
 * campaigns, and an op id that grows appends to the op_id index where a
 * random one lands on any of its pages; the server only asks that an op's
 * id be a UUID no other op has.
 */
char *
_xi_store_new_op_id (void)
{
  G_LOCK_DEFINE_STATIC (last_op_id);
  static guint64 last_ms;
  static guint counter;
  guint64 ms = g_get_real_time () / 1000;
  guint32 high = g_random_int ();
  guint32 low = g_random_int ();
  guint8 bytes[16];

  G_LOCK (last_op_id);
  if (ms > last_ms)
    {
      last_ms = ms;
      counter = 0;
    }
  else if (++counter > 0xfff)
    {
      last_ms++;
      counter = 0;
    }
  ms = last_ms;
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  G_UNLOCK (last_op_id);

  for (guint i = 0; i < 6; i++)
    bytes[i] = (ms >> (40 - 8 * i)) & 0xff;
  bytes[8] = 0x80 | ((high >> 24) & 0x3f);
  bytes[9] = (high >> 16) & 0xff;
  bytes[10] = (high >> 8) & 0xff;
  bytes[11] = high & 0xff;
  bytes[12] = (low >> 24) & 0xff;
  bytes[13] = (low >> 16) & 0xff;
  bytes[14] = (low >> 8) & 0xff;
  bytes[15] = low & 0xff;

  return format_uuid (bytes);
}

static gpointer
fetch_sha1 (gpointer data)
{
  return EVP_MD_fetch (NULL, "SHA1", NULL);
}

/* Each thread's digest context, set up again for every id: creating and
 * freeing one per id cost more than hashing the id. */
static GPrivate sha1_context = G_PRIVATE_INIT ((GDestroyNotify)EVP_MD_CTX_free);

/*
 * A name-based (version 5) UUID of the tenant and a natural key. Two
 * devices that import the same number, or add the same contact to the same
 * group, then create the same row, and their uploads merge instead of
 * clashing on a unique index (SYNC.md 3.2). An import derives two per
 * row, so the digest is libcrypto's (its SHA-1 uses the processor's
 * instructions, several times GChecksum's speed), fed in one piece: each
 * update call costs about as much as hashing a block. The bytes hashed
 * are what they always were, since every row synced so far carries the
 * ids.
 */
char *
_xi_store_derived_id (XiStore    *self,
                      const char *kind,
                      const char *a,
                      const char *b)
{
  static const guint8 namespace[16] = {
    0x6b, 0x1f, 0x3e, 0x52, 0x0d, 0x8a, 0x4c, 0x41,
    0x9f, 0x2e, 0x27, 0x8b, 0x44, 0xd0, 0x51, 0x93,
  };
  static GOnce sha1_once = G_ONCE_INIT;
  const EVP_MD *sha1 = g_once (&sha1_once, fetch_sha1, NULL);
  EVP_MD_CTX *ctx = g_private_get (&sha1_context);
  gsize tenant_len = strlen (self->master_user_id);
  gsize kind_len = strlen (kind);
  gsize a_len = strlen (a);
  gsize b_len = b != NULL ? strlen (b) : 0;
  gsize len = sizeof namespace + tenant_len + 1 + kind_len + 1 + a_len + (b != NULL ? 1 + b_len : 0);
  guint8 stack[256];
  g_autofree guint8 *heap = len > sizeof stack ? g_malloc (len) : NULL;
  guint8 *message = heap != NULL ? heap : stack;
  guint8 *p = message;
  guint8 digest[EVP_MAX_MD_SIZE];
  gboolean ok;

  memcpy (p, namespace, sizeof namespace);
  p += sizeof namespace;
  memcpy (p, self->master_user_id, tenant_len);
  p += tenant_len;
  *p++ = 0x1f;
  memcpy (p, kind, kind_len);
  p += kind_len;
  *p++ = 0x1f;
  memcpy (p, a, a_len);
  p += a_len;
  if (b != NULL)
    {
      *p++ = 0x1f;
      memcpy (p, b, b_len);
      p += b_len;
    }
  g_assert ((gsize)(p - message) == len);

  if (ctx == NULL)
    {
      ctx = EVP_MD_CTX_new ();
      g_private_set (&sha1_context, ctx);
    }
  g_assert (sha1 != NULL && ctx != NULL);
  ok = EVP_DigestInit_ex2 (ctx, sha1, NULL) &&
       EVP_DigestUpdate (ctx, message, len) &&
       EVP_DigestFinal_ex (ctx, digest, NULL);
  /* Only an allocation failure inside libcrypto gets here. */
  g_assert (ok);

  digest[6] = (digest[6] & 0x0f) | 0x50;
  digest[8] = (digest[8] & 0x3f) | 0x80;

  return format_uuid (digest);
}

/**
 * _xi_store_query_rows:
 * @self: a #XiStore
 * @sql: a SELECT whose only parameter, ?1, is the master user id
 * @row_func: turns the current row into an item
 * @free_func: frees an item
 * @error: return location for a #GError
 *
 * Returns: (transfer full): every row of the current user, as items
 */
GPtrArray *
_xi_store_query_rows (XiStore         *self,
                      const char      *sql,
                      XiStoreRowFunc   row_func,
                      GDestroyNotify   free_func,
                      GError         **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (free_func);
  sqlite3_stmt *stmt;
  int rc;

  if ((stmt = _xi_store_prepare (self, sql, error)) == NULL)
    return NULL;

  _xi_store_bind_text (stmt, 1, self->master_user_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items, row_func (stmt));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&items);
}

/* Hands a list query's result to the task. */
/* One row of the current user by id, or %XI_STORE_ERROR_NOT_FOUND with
 * @not_found, which says in words what is gone. @sql binds the user as
 * ?1 and the id as ?2. */
gpointer
_xi_store_query_one (XiStore         *self,
                     const char      *sql,
                     const char      *id,
                     XiStoreRowFunc   row_func,
                     const char      *not_found,
                     GError         **error)
{
  sqlite3_stmt *stmt;
  gpointer row = NULL;
  int rc;

  stmt = _xi_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;

  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    row = row_func (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND, not_found);
  else
    _xi_store_set_error (self, rc, error);
  sqlite3_reset (stmt);

  return row;
}

void
_xi_store_return_rows (XiStore        *self,
                       GTask          *task,
                       const char     *sql,
                       XiStoreRowFunc  row_func)
{
  GError *error = NULL;
  GPtrArray *items = _xi_store_query_rows (self, sql, row_func, g_object_unref, &error);

  if (items == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, items, (GDestroyNotify)g_ptr_array_unref);
}

/* As _xi_store_return_rows(), for a query that also binds ?2 to a LIMIT. */
void
_xi_store_return_rows_limit (XiStore        *self,
                             GTask          *task,
                             const char     *sql,
                             guint           limit,
                             XiStoreRowFunc  row_func)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  GError *error = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if ((stmt = _xi_store_prepare (self, sql, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  sqlite3_bind_int64 (stmt, 2, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items, row_func (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, &error);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&items), (GDestroyNotify)g_ptr_array_unref);
}

void
_xi_store_bind_text (sqlite3_stmt *stmt,
                     int           index,
                     const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

/* As _xi_store_bind_text (), without copying @text, which must stay as
 * it is until the statement has run: for the writes an import makes for
 * each of 100,000 rows, where copying every bound column was a twentieth
 * of the import's instructions. The store's next use of the statement
 * (_xi_store_prepare ()) clears the binding. */
void
_xi_store_bind_text_static (sqlite3_stmt *stmt,
                            int           index,
                            const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

/* The activity log is the user's history of significant actions. It never
 * holds message text or full phone numbers. */
gboolean
_xi_store_log_activity (XiStore     *self,
                        const char  *kind,
                        const char  *summary,
                        const char  *details_json,
                        GError     **error)
{
  return _xi_store_log_job_activity (self, kind, NULL, summary, details_json, error);
}

gboolean
_xi_store_log_job_activity (XiStore     *self,
                            const char  *kind,
                            const char  *job_id,
                            const char  *summary,
                            const char  *details_json,
                            GError     **error)
{
  g_autofree char *id = _xi_store_new_id ();
  g_autofree char *now = _xi_store_now ();
  sqlite3_stmt *stmt;

  stmt = _xi_store_prepare (self,
                            "INSERT INTO history (id, master_user_id, created_at, updated_at,"
                            " kind, job_id, summary, details) VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7)",
                            error);
  if (stmt == NULL)
    return FALSE;

  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  _xi_store_bind_text (stmt, 4, kind);
  _xi_store_bind_text (stmt, 5, job_id);
  _xi_store_bind_text (stmt, 6, summary);
  _xi_store_bind_text (stmt, 7, details_json != NULL ? details_json : "{}");

  return _xi_store_step_done (self, stmt, error);
}
