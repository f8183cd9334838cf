/* xi-key-store.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-key-store"

#include "config.h"

#include <string.h>

#include "wa-lid-map.h"
#include "wa-privacy-token.h"
#include "xi-key-store.h"

/*
 * The WhatsApp key store on top of XiStore. libsignal asks for keys
 * synchronously, so reads come from memory: the device's own keys and
 * settings are loaded once at start-up; the kinds that grow with every
 * peer (sessions, identities) are loaded on demand into a cache of at
 * most XI_KEY_STORE_CACHE_SIZE values, which the messenger fills ahead of
 * each batch of recipients (prefetch), so memory stays flat however many
 * peers a campaign reaches. A value not in memory is read from the store
 * while the thread waits: rare, and never wrong.
 *
 * Every change updates memory at once and is queued for the store, which
 * writes the queue in one transaction when asked to flush (before a
 * message encrypted with those keys leaves: a session whose next key was
 * used but not saved would use it again after a crash, and the recipient
 * would drop the second message as a replay) or, failing that, when the
 * thread is next idle (a privacy token's issue time only rides along with
 * one of those). Several changes to one key between two writes are
 * written once. Once closed, it neither writes nor reads: the client
 * that still holds it was stopped, and its late changes would reach the
 * store after the next session's keys were read. Before anything is read from the store, the queue is
 * handed to it when it holds a change of the kind read: the store runs
 * its work in order, so the read sees every change, even of a value the
 * cache has dropped since. Lives on the network thread.
 *
 * A write asked for while another transaction is on its way is held,
 * and everything held goes in one transaction when that one lands (or
 * before anything is read): a campaign with several messages in flight
 * asks for a flush each, and one transaction for each cost six lock
 * calls and our own phone's session written again every time. Each
 * write keeps its flush, so each message still leaves once its own keys
 * are on disk, and a transaction that fails fails every flush it held.
 */

/* The kinds that grow with the peers, read on demand: the Signal
 * sessions and identities of their devices, and per account its LID
 * mapping and privacy tokens. */
static const char * const lazy_kinds[] = {
  "session", "identity", WA_LID_MAP_KIND_LID_PN, WA_LID_MAP_KIND_PN_LID, WA_TCTOKEN_KIND,
  WA_TCTOKEN_SENT_KIND, NULL
};

typedef struct
{
  GList   link;   /* in lru; data is the entry */
  char   *full;   /* "kind\x1fkey", the key in the table */
  GBytes *value;  /* NULL: known to have none */
} Entry;

struct _XiKeyStore
{
  GObject     parent_instance;

  XiStore    *store;
  WaKeyStore *cache;          /* the kinds loaded at start */
  GHashTable *lazy;           /* "kind\x1fkey" -> Entry*, of lazy_kinds */
  GQueue      lru;            /* Entry*, least recently used first */
  guint       cache_size;
  GHashTable *written;        /* "kind\x1fkey"s changed while prefetches run */
  GHashTable *reading;        /* kind -> (key -> the PrefetchKind reading it), keys not copied */
  guint       prefetching;    /* prefetches running */
  guint       generation;     /* bumped by a wipe */
  GPtrArray  *pending;        /* XiKeyChange*, in order */
  GHashTable *pending_index;  /* "kind\x1fkey" -> position in pending + 1 */
  GSource    *idle_write;     /* writes the queue when the thread is idle */
  gboolean    write_when_idle;
  guint       waits;          /* reads this thread waited for */
  GMainContext *wait_context; /* where those reads are waited for */
  guint       values_read;    /* values asked of the store, waiting or ahead */
  gboolean    closed;         /* its client was stopped: nothing more reaches the store */
  GQueue      writing;        /* Write*, on their way to the store or held, in order */
  GPtrArray  *held;           /* Write*, waiting for the transaction in flight to land */
  guint       in_flight;      /* transactions the store has not answered yet */
  guint       transactions;   /* asked of the store so far */
  GThread    *owner;
};

#define assert_owner(self) g_assert ((self)->owner == g_thread_self ())

static void xi_key_store_iface_init (WaKeyStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (XiKeyStore, xi_key_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WA_TYPE_KEY_STORE, xi_key_store_iface_init))

/* "kind\x1fkey", the name of a value in the cache and the queue. Built
 * on the stack when it fits, which is nearly always: values are looked
 * up about twenty-five times a message (sessions, identities, LID
 * mappings, tokens), and an allocation for each name cost more than the
 * lookup. */
typedef struct
{
  char  stack[128];
  char *heap;
} FullKey;

static const char *
full_key (FullKey    *full,
          const char *kind,
          const char *key)
{
  gsize kind_len = strlen (kind);
  gsize key_len = strlen (key);
  gsize size = kind_len + 1 + key_len + 1;
  char *out = size <= sizeof full->stack ? full->stack : (full->heap = g_malloc (size));

  memcpy (out, kind, kind_len);
  out[kind_len] = '\x1f';
  memcpy (out + kind_len + 1, key, key_len + 1);
  return out;
}

static void
full_key_clear (FullKey *full)
{
  g_free (full->heap);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FullKey, full_key_clear)

static void write_changes (XiStore    *store,
                           XiKeyStore *owner,
                           GPtrArray  *changes,
                           GTask      *flush,
                           gboolean    taken_along);
static void send_held     (XiKeyStore *self);

static GPtrArray *
take_pending (XiKeyStore *self)
{
  GPtrArray *changes = g_steal_pointer (&self->pending);

  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) xi_key_change_free);
  g_hash_table_remove_all (self->pending_index);
  self->write_when_idle = FALSE;
  return changes;
}

/*
 * Writes the queue once the thread is idle, as an idle source would. It
 * is made once: the first change of every message made an idle source,
 * which the flush before the message then destroyed, one attach and one
 * destroy a message for a write that almost never ran.
 */
typedef struct
{
  GSource     source;
  XiKeyStore *owner;  /* not held: its finalize destroys the source */
} IdleWrite;

static gboolean
idle_write_prepare (GSource *source,
                    int     *timeout)
{
  *timeout = -1;
  return ((IdleWrite *) source)->owner->write_when_idle;
}

static gboolean
idle_write_check (GSource *source)
{
  return ((IdleWrite *) source)->owner->write_when_idle;
}

static gboolean
idle_write_dispatch (GSource     *source,
                     GSourceFunc  callback,
                     gpointer     user_data)
{
  XiKeyStore *self = ((IdleWrite *) source)->owner;
  g_autoptr(GPtrArray) changes = take_pending (self);

  write_changes (self->store, self, changes, NULL, FALSE);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs idle_write_funcs = {
  idle_write_prepare,
  idle_write_check,
  idle_write_dispatch,
  NULL, NULL, NULL
};

/* When we last issued our privacy token to a contact is not worth a
 * transaction of its own: lost in a crash, the token is only issued
 * again. It rides with the next write (before the next message leaves,
 * another change's idle write, or closing); written when idle, it cost a
 * campaign to new contacts a second transaction for most messages
 * (bench-whatsapp). */
static gboolean
can_wait (const XiKeyChange *change)
{
  return g_strcmp0 (change->kind, WA_TCTOKEN_SENT_KIND) == 0;
}

static void
queue_change (XiKeyStore  *self,
              XiKeyChange *change)
{
  g_auto(FullKey) buffer = { { 0 } };
  const char *full;
  guint position;

  if (change->kind == NULL)
    {
      g_ptr_array_set_size (self->pending, 0);
      g_hash_table_remove_all (self->pending_index);
      g_ptr_array_add (self->pending, change);
    }
  else
    {
      full = full_key (&buffer, change->kind, change->key);
      position = GPOINTER_TO_UINT (g_hash_table_lookup (self->pending_index, full));
      if (position > 0)
        {
          xi_key_change_free (g_ptr_array_index (self->pending, position - 1));
          g_ptr_array_index (self->pending, position - 1) = change;
        }
      else
        {
          g_ptr_array_add (self->pending, change);
          g_hash_table_insert (self->pending_index, g_strdup (full),
                               GUINT_TO_POINTER (self->pending->len));
        }
    }

  if (!can_wait (change))
    self->write_when_idle = TRUE;
}

static void
entry_free (Entry *entry)
{
  g_free (entry->full);
  g_clear_pointer (&entry->value, g_bytes_unref);
  g_free (entry);
}

static gboolean
is_lazy (const char *kind)
{
  return g_strv_contains (lazy_kinds, kind);
}

static Entry *
cache_lookup (XiKeyStore *self,
              const char *full)
{
  Entry *entry = g_hash_table_lookup (self->lazy, full);

  if (entry != NULL)
    {
      g_queue_unlink (&self->lru, &entry->link);
      g_queue_push_tail_link (&self->lru, &entry->link);
    }
  return entry;
}

static void
trim (XiKeyStore *self)
{
  while (self->lru.length > self->cache_size)
    {
      Entry *oldest = self->lru.head->data;

      g_queue_unlink (&self->lru, &oldest->link);
      g_hash_table_remove (self->lazy, oldest->full);
    }
}

/* Dropping a value loses nothing: a change not yet written is in the
 * queue, which goes to the store before anything is read back. */
static void
cache_put (XiKeyStore *self,
           const char *full,
           GBytes     *value)
{
  Entry *entry = cache_lookup (self, full);

  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      entry->link.data = entry;
      entry->full = g_strdup (full);
      g_hash_table_insert (self->lazy, entry->full, entry);
      g_queue_push_tail_link (&self->lru, &entry->link);
    }
  g_clear_pointer (&entry->value, g_bytes_unref);
  entry->value = value != NULL ? g_bytes_ref (value) : NULL;
  trim (self);
}

static void
cache_clear (XiKeyStore *self)
{
  g_queue_init (&self->lru);
  g_hash_table_remove_all (self->lazy);
}

/* @taken_along: whether a read hands them over while keys are being
 * used, so the next flush counts on them (fail_flushes_behind ()) */
static void
push_pending (XiKeyStore *self,
              gboolean    taken_along)
{
  g_autoptr(GPtrArray) changes = take_pending (self);

  if (changes->len > 0)
    write_changes (self->store, self, changes, NULL, taken_along);
}

/* Whether a read of @kind could see a change still queued. */
static gboolean
pending_touches (XiKeyStore *self,
                 const char *kind)
{
  for (guint i = 0; i < self->pending->len; i++)
    {
      const XiKeyChange *change = g_ptr_array_index (self->pending, i);

      if (change->kind == NULL || g_str_equal (change->kind, kind))
        return TRUE;
    }
  return FALSE;
}

static void
waited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/* Reads from the store while this thread waits, on a context of its own
 * so that nothing else of this thread runs in between. The context is
 * made once: one for each wait cost an eventfd opened and closed, and a
 * source the store made anew to answer on it. */
static GHashTable *
get_now (XiKeyStore          *self,
         const char          *kind,
         const char * const  *keys,
         GError             **error)
{
  GMainContext *context = self->wait_context;
  g_autoptr(GAsyncResult) result = NULL;

  self->waits++;
  self->values_read += keys != NULL ? g_strv_length ((char **) keys) : 0;
  /* Only a queue the read could see goes first. Handing over the rest
   * as well would write the session that just decrypted a first message
   * (whose sender's identity is read next) before the message: the
   * receiver queues the message to ride with that write, and the receipt
   * waits for both (xi-receiver.c). */
  if (pending_touches (self, kind))
    push_pending (self, TRUE);
  send_held (self);
  g_main_context_push_thread_default (context);
  xi_store_get_keys_async (self->store, kind, keys, NULL, waited_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  return xi_store_get_keys_finish (self->store, result, error);
}

/* A write on its way to the store, alone or with others held with it. */
typedef struct
{
  GPtrArray  *changes;  /* XiKeyChange*, what it writes */
  GTask      *flush;    /* the flush it completes, or NULL */
  gboolean    reloaded; /* read back after a write before it failed */
  gboolean    taken_along; /* handed over by a read, for the next flush */
  GError     *earlier;  /* why a write before it failed that its flush counted on */
} Write;

/* The writes that go in one transaction. */
typedef struct
{
  GWeakRef    self;     /* not held: finalizing writes what is queued */
  GPtrArray  *writes;   /* Write*, in order */
} Batch;

/* The transaction that carried @changes rolled back, and with it any
 * customer's message that rode in it (xi-receiver.c): the values it
 * wrote go back to what the disk holds. Left ahead, the session that
 * read that message would read on, the copy WhatsApp delivers again
 * would be a duplicate to it, and the next write would put on disk a
 * session past a message that was never stored. A wipe that failed
 * cannot be undone and is left as it is. */
static void
reload (XiKeyStore *self,
        GPtrArray  *changes)
{
  g_autoptr(GHashTable) eager = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                       (GDestroyNotify) g_ptr_array_unref);
  GHashTableIter iter;
  gpointer kind, names_of_kind;

  for (guint i = 0; i < changes->len; i++)
    {
      const XiKeyChange *change = g_ptr_array_index (changes, i);
      g_auto(FullKey) buffer = { { 0 } };
      const char *full;
      GPtrArray *keys;

      if (change->kind == NULL)
        continue;
      full = full_key (&buffer, change->kind, change->key);
      if (is_lazy (change->kind))
        {
          /* Read from the disk again when next needed. */
          Entry *entry = g_hash_table_lookup (self->lazy, full);

          if (entry != NULL)
            {
              g_queue_unlink (&self->lru, &entry->link);
              g_hash_table_remove (self->lazy, full);
            }
          continue;
        }
      if ((keys = g_hash_table_lookup (eager, change->kind)) == NULL)
        {
          keys = g_ptr_array_new ();
          g_hash_table_insert (eager, change->kind, keys);
        }
      g_ptr_array_add (keys, change->key);
    }

  /* The device's own keys (a one-time prekey a first message used up)
   * are only ever in memory, so they are read back now. */
  g_hash_table_iter_init (&iter, eager);
  while (g_hash_table_iter_next (&iter, &kind, &names_of_kind))
    {
      GPtrArray *keys = names_of_kind;
      g_autoptr(GHashTable) found = NULL;
      g_autoptr(GError) error = NULL;

      g_ptr_array_add (keys, NULL);
      if ((found = get_now (self, kind, (const char * const *) keys->pdata, &error)) == NULL)
        {
          g_warning ("Could not read WhatsApp credentials back: %s", error->message);
          continue;
        }
      for (guint i = 0; i + 1 < keys->len; i++)
        {
          const char *key = g_ptr_array_index (keys, i);
          GBytes *value = g_hash_table_lookup (found, key);

          if (value != NULL)
            wa_key_store_save (self->cache, kind, key, value);
          else
            wa_key_store_remove (self->cache, kind, key);
        }
    }
}

/* After a failed write that lost a customer's message, the store fails
 * every key write until told the keys were read back
 * (xi_store_note_keys_reloaded ()): so the writes queued before the
 * failure was heard go back out of memory with it, and so do the changes
 * still waiting here, made from the same memory, which are sent ahead of
 * that word to fail too. After any other failure those land, and are
 * read back from the disk that holds them. */
static void
reload_writing (XiKeyStore *self)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new ();

  push_pending (self, FALSE);
  for (GList *l = self->writing.head; l != NULL; l = l->next)
    {
      Write *write = l->data;

      g_ptr_array_extend (changes, write->changes, NULL, NULL);
      write->reloaded = TRUE;
    }
  reload (self, changes);
}

/* A flush answers for what was queued before it (a message leaves once
 * it says its keys are on disk), and a write failed on the way. What a
 * read took along while keys were in use (the session of a message's
 * first device while its second was read) belongs to the flush that
 * comes next, the message's, which fails with it. A write nobody counts
 * on (a device list, an identity, a session written when idle) fails no
 * flush: the message behind it holds the whole of its own sessions, so
 * one whose keys landed goes out. A flush with nothing of its own, which
 * an unlink waits on to say the keys are gone, fails only with a wipe:
 * another write failing ahead of that wipe does not bring the keys back. */
static void
fail_flushes_behind (XiKeyStore   *self,
                     Write        *failed,
                     const GError *error)
{
  gboolean next_counts = failed->taken_along;
  gboolean wiped = failed->changes->len > 0 &&
                   ((const XiKeyChange *) g_ptr_array_index (failed->changes, 0))->kind == NULL;
  GList *l = g_queue_find (&self->writing, failed);

  for (l = l != NULL ? l->next : NULL; l != NULL && (next_counts || wiped); l = l->next)
    {
      Write *write = l->data;

      if (write->flush == NULL)
        continue;
      if ((next_counts || (wiped && write->changes->len == 0)) && write->earlier == NULL)
        write->earlier = g_error_copy (error);
      next_counts = FALSE;
    }
}

static void
write_free (Write *write)
{
  g_clear_object (&write->flush);
  g_clear_error (&write->earlier);
  g_ptr_array_unref (write->changes);
  g_free (write);
}

/* The whole batch failed: each write fails as it would have alone, and
 * the keys are read back once. */
static void
batch_failed (XiKeyStore *self,
              Batch      *batch,
              XiStore    *store,
              GError     *error)
{
  gboolean reloaded = TRUE;
  gboolean unflushed = FALSE;

  for (guint i = 0; i < batch->writes->len; i++)
    {
      Write *write = g_ptr_array_index (batch->writes, i);

      if (self != NULL)
        fail_flushes_behind (self, write, error);
      reloaded &= write->reloaded;
    }
  if (!reloaded)
    {
      if (self != NULL && !self->closed)
        {
          reload_writing (self);
          /* What was held is made of the memory just read back: it goes
           * ahead of the word, to fail as the writes before it did. */
          send_held (self);
        }
      xi_store_note_keys_reloaded (store);
    }
  /* A flush's caller hears why; never log a key or a value. */
  for (guint i = 0; i < batch->writes->len; i++)
    {
      Write *write = g_ptr_array_index (batch->writes, i);

      if (write->flush != NULL)
        g_task_return_error (write->flush, g_error_copy (error));
      else
        unflushed = TRUE;
    }
  if (unflushed)
    g_warning ("Could not save WhatsApp credentials: %s", error->message);
}

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Batch *batch = user_data;
  g_autoptr(XiKeyStore) self = g_weak_ref_get (&batch->self);
  g_autoptr(GError) error = NULL;

  if (!xi_store_put_keys_finish (XI_STORE (object), result, &error))
    batch_failed (self, batch, XI_STORE (object), error);
  else
    for (guint i = 0; i < batch->writes->len; i++)
      {
        Write *write = g_ptr_array_index (batch->writes, i);

        if (write->flush != NULL && write->earlier != NULL)
          g_task_return_error (write->flush, g_steal_pointer (&write->earlier));
        else if (write->flush != NULL)
          g_task_return_boolean (write->flush, TRUE);
      }
  for (guint i = 0; i < batch->writes->len; i++)
    {
      Write *write = g_ptr_array_index (batch->writes, i);

      if (self != NULL)
        g_queue_remove (&self->writing, write);
      write_free (write);
    }
  g_ptr_array_unref (batch->writes);
  g_weak_ref_clear (&batch->self);
  g_free (batch);
  if (self != NULL)
    {
      self->in_flight--;
      send_held (self);
    }
}

/* The changes of @writes in one list. A value changed by several (our
 * own phone's session, by every message) is written once, with its last
 * change, where it was first changed. A wipe erases what came before
 * it, so the list starts again with it: the store writes a list that
 * starts with a wipe even while it refuses other key writes (that is how
 * unreadable or unwritable keys are started afresh), and a change before
 * the wipe must not make the wipe fail with it. */
static GPtrArray *
merge_changes (GPtrArray *writes)
{
  g_autoptr(GHashTable) at = NULL;
  GPtrArray *merged;

  if (writes->len == 1)
    return g_ptr_array_ref (((Write *) g_ptr_array_index (writes, 0))->changes);
  merged = g_ptr_array_new ();
  at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < writes->len; i++)
    {
      GPtrArray *changes = ((Write *) g_ptr_array_index (writes, i))->changes;

      for (guint j = 0; j < changes->len; j++)
        {
          XiKeyChange *change = g_ptr_array_index (changes, j);
          g_auto(FullKey) buffer = { { 0 } };
          gpointer position;

          if (change->kind == NULL)
            {
              g_hash_table_remove_all (at);
              g_ptr_array_set_size (merged, 0);
              g_ptr_array_add (merged, change);
              continue;
            }
          if (g_hash_table_lookup_extended (at, full_key (&buffer, change->kind, change->key), NULL, &position))
            {
              g_ptr_array_index (merged, GPOINTER_TO_UINT (position)) = change;
              continue;
            }
          g_hash_table_insert (at, g_strdup (full_key (&buffer, change->kind, change->key)),
                               GUINT_TO_POINTER (merged->len));
          g_ptr_array_add (merged, change);
        }
    }
  return merged;
}

/* @owner: (nullable): the key store to reload if it fails, or %NULL
 * once it is gone; @writes: (transfer full): their changes stay theirs,
 * and outlive the transaction */
static void
send_batch (XiStore    *store,
            XiKeyStore *owner,
            GPtrArray  *writes)
{
  Batch *batch = g_new0 (Batch, 1);
  g_autoptr(GPtrArray) changes = merge_changes (writes);

  g_weak_ref_init (&batch->self, owner);
  batch->writes = writes;
  if (owner != NULL)
    {
      owner->in_flight++;
      owner->transactions++;
    }
  xi_store_put_keys_async (store, changes, NULL, written_cb, batch);
}

/* What was held goes now, in one transaction. */
static void
send_held (XiKeyStore *self)
{
  GPtrArray *held;

  if (self->held->len == 0)
    return;
  held = g_steal_pointer (&self->held);
  self->held = g_ptr_array_new ();
  send_batch (self->store, self, held);
}

/* @owner: (nullable): the key store to reload if it fails, or %NULL
 * once it is gone; @flush: (transfer full) (nullable): completed with
 * the write */
static void
write_changes (XiStore    *store,
               XiKeyStore *owner,
               GPtrArray  *changes,
               GTask      *flush,
               gboolean    taken_along)
{
  Write *write = g_new0 (Write, 1);
  GPtrArray *alone;

  write->taken_along = taken_along;
  write->changes = g_ptr_array_ref (changes);
  write->flush = flush;
  if (owner != NULL)
    {
      g_queue_push_tail (&owner->writing, write);
      if (owner->in_flight > 0)
        {
          g_ptr_array_add (owner->held, write);
          return;
        }
    }
  alone = g_ptr_array_new ();
  g_ptr_array_add (alone, write);
  send_batch (store, owner, alone);
}

static GBytes *
lazy_load (XiKeyStore *self,
           const char *kind,
           const char *key)
{
  g_auto(FullKey) buffer = { { 0 } };
  const char *full = full_key (&buffer, kind, key);
  const char *keys[] = { key, NULL };
  g_autoptr(GHashTable) found = NULL;
  g_autoptr(GError) error = NULL;
  Entry *entry = cache_lookup (self, full);
  GBytes *value;

  if (entry != NULL)
    return entry->value != NULL ? g_bytes_ref (entry->value) : NULL;
  if (self->closed)
    return NULL;

  found = get_now (self, kind, keys, &error);
  if (found == NULL)
    {
      /* Never log a key or a value. */
      g_warning ("Could not read WhatsApp credentials: %s", error->message);
      return NULL;
    }
  value = g_hash_table_lookup (found, key);
  cache_put (self, full, value);
  return value != NULL ? g_bytes_ref (value) : NULL;
}

static void
lazy_change (XiKeyStore *self,
             const char *kind,
             const char *key,
             GBytes     *value)
{
  g_auto(FullKey) buffer = { { 0 } };
  const char *full = full_key (&buffer, kind, key);

  cache_put (self, full, value);
  if (self->written != NULL)
    g_hash_table_add (self->written, g_strdup (full));
}

static GBytes *
key_store_load (WaKeyStore *store,
                const char *kind,
                const char *key)
{
  XiKeyStore *self = XI_KEY_STORE (store);

  assert_owner (self);
  if (is_lazy (kind))
    return lazy_load (self, kind, key);
  return wa_key_store_load (self->cache, kind, key);
}

static void
key_store_save (WaKeyStore *store,
                const char *kind,
                const char *key,
                GBytes     *value)
{
  XiKeyStore *self = XI_KEY_STORE (store);

  assert_owner (self);
  if (self->closed)
    return;
  if (is_lazy (kind))
    lazy_change (self, kind, key, value);
  else
    wa_key_store_save (self->cache, kind, key, value);
  queue_change (self, xi_key_change_new (kind, key, value));
}

static void
key_store_remove (WaKeyStore *store,
                  const char *kind,
                  const char *key)
{
  XiKeyStore *self = XI_KEY_STORE (store);

  assert_owner (self);
  if (self->closed)
    return;
  if (is_lazy (kind))
    lazy_change (self, kind, key, NULL);
  else
    wa_key_store_remove (self->cache, kind, key);
  queue_change (self, xi_key_change_new (kind, key, NULL));
}

static GPtrArray *
key_store_list (WaKeyStore *store,
                const char *kind)
{
  XiKeyStore *self = XI_KEY_STORE (store);
  g_autoptr(GHashTable) found = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *keys;
  GHashTableIter iter;
  gpointer key;

  assert_owner (self);
  if (!is_lazy (kind))
    return wa_key_store_list (self->cache, kind);

  keys = g_ptr_array_new_with_free_func (g_free);
  if (self->closed)
    return keys;
  found = get_now (self, kind, NULL, &error);
  if (found == NULL)
    {
      g_warning ("Could not read WhatsApp credentials: %s", error->message);
      return keys;
    }
  g_hash_table_iter_init (&iter, found);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, g_strdup (key));
  return keys;
}

static void
key_store_clear (WaKeyStore *store)
{
  XiKeyStore *self = XI_KEY_STORE (store);

  assert_owner (self);
  if (self->closed)
    return;
  wa_key_store_clear (self->cache);
  cache_clear (self);
  g_hash_table_remove_all (self->reading);
  self->generation++;
  queue_change (self, xi_key_change_new (NULL, NULL, NULL));
}

typedef struct
{
  GTask      *task;       /* the whole prefetch; its data is the count of reads it waits for,
                           * its own and those of earlier prefetches reading some of its keys */
  guint       generation;
  char       *kind;
  char      **keys;
  GPtrArray  *followers;  /* GTask*, later prefetches that wait for these keys too */
} PrefetchKind;

static void
prefetch_kind_free (PrefetchKind *part)
{
  g_object_unref (part->task);
  g_free (part->kind);
  g_strfreev (part->keys);
  g_ptr_array_unref (part->followers);
  g_free (part);
}

/* One read that @task waited for is in memory. */
static void
prefetch_step (GTask *task)
{
  XiKeyStore *self = g_task_get_source_object (task);
  guint *waiting = g_task_get_task_data (task);

  if (--*waiting > 0)
    return;
  if (--self->prefetching == 0)
    g_clear_pointer (&self->written, g_hash_table_unref);
  g_task_return_boolean (task, TRUE);
}

static void
prefetched_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  PrefetchKind *part = user_data;
  XiKeyStore *self = g_task_get_source_object (part->task);
  GHashTable *being_read = g_hash_table_lookup (self->reading, part->kind);
  g_autoptr(GHashTable) found = NULL;
  g_autoptr(GError) error = NULL;

  found = xi_store_get_keys_finish (XI_STORE (object), result, &error);
  if (found == NULL)
    g_debug ("Could not read WhatsApp credentials ahead: %s", error->message);
  for (guint i = 0; part->keys[i] != NULL; i++)
    {
      g_auto(FullKey) buffer = { { 0 } };
      const char *full = full_key (&buffer, part->kind, part->keys[i]);

      if (being_read != NULL && g_hash_table_lookup (being_read, part->keys[i]) == part)
        g_hash_table_remove (being_read, part->keys[i]);
      /* A value changed or wiped since it was asked for is newer here. */
      if (found != NULL && part->generation == self->generation &&
          !g_hash_table_contains (self->lazy, full) && !g_hash_table_contains (self->written, full))
        cache_put (self, full, g_hash_table_lookup (found, part->keys[i]));
    }

  /* The answers come in the order the reads were queued: a later
   * prefetch that left these keys to this read answers after it. */
  prefetch_step (part->task);
  for (guint i = 0; i < part->followers->len; i++)
    prefetch_step (g_ptr_array_index (part->followers, i));
  prefetch_kind_free (part);
}

/* Only what is neither in memory nor being read already is read: a
 * batch's accounts are asked for by number and then by LID while the
 * answer to the first is on its way, and reading a value twice costs a
 * second search and a second decryption on the store thread. The queue
 * goes first, so the store answers with every change made so far, and
 * what changes after is kept from being overwritten by the answer. */
static void
key_store_prefetch_async (WaKeyStore          *store,
                          const char * const  *kinds,
                          const char * const  *keys,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  XiKeyStore *self = XI_KEY_STORE (store);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  guint *waiting = g_new0 (guint, 1);

  assert_owner (self);
  g_task_set_source_tag (task, key_store_prefetch_async);
  g_task_set_task_data (task, waiting, g_free);
  push_pending (self, FALSE);
  send_held (self);

  for (guint k = 0; !self->closed && kinds[k] != NULL; k++)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_autoptr(GPtrArray) parts_waited = g_ptr_array_new ();
      GHashTable *being_read;
      PrefetchKind *part;

      if (!is_lazy (kinds[k]))
        continue;
      being_read = g_hash_table_lookup (self->reading, kinds[k]);
      if (being_read == NULL)
        {
          being_read = g_hash_table_new (g_str_hash, g_str_equal);
          g_hash_table_insert (self->reading, g_strdup (kinds[k]), being_read);
        }
      for (guint i = 0; keys[i] != NULL; i++)
        {
          g_auto(FullKey) buffer = { { 0 } };
          const char *full = full_key (&buffer, kinds[k], keys[i]);
          PrefetchKind *reader;

          if (g_hash_table_contains (self->lazy, full))
            continue;
          reader = g_hash_table_lookup (being_read, keys[i]);
          if (reader == NULL)
            g_strv_builder_add (builder, keys[i]);
          else if (!g_ptr_array_find (parts_waited, reader, NULL))
            {
              g_ptr_array_add (parts_waited, reader);
              g_ptr_array_add (reader->followers, g_object_ref (task));
              (*waiting)++;
            }
        }
      part = g_new0 (PrefetchKind, 1);
      part->keys = g_strv_builder_end (builder);
      if (part->keys[0] == NULL)
        {
          g_strfreev (part->keys);
          g_free (part);
          continue;
        }
      part->task = g_object_ref (task);
      part->generation = self->generation;
      part->kind = g_strdup (kinds[k]);
      part->followers = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; part->keys[i] != NULL; i++)
        g_hash_table_replace (being_read, part->keys[i], part);
      (*waiting)++;
      self->values_read += g_strv_length (part->keys);
      xi_store_get_keys_async (self->store, part->kind, (const char * const *) part->keys, NULL,
                               prefetched_cb, part);
    }

  if (*waiting == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->written == NULL)
    self->written = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->prefetching++;
}

static gboolean
key_store_prefetch_finish (WaKeyStore    *store,
                           GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The store runs its queue in order: once this batch (empty or not) is
 * written, so is everything before it. */
static void
key_store_flush_async (WaKeyStore          *store,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  XiKeyStore *self = XI_KEY_STORE (store);
  g_autoptr(GPtrArray) changes = NULL;
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  assert_owner (self);
  changes = take_pending (self);
  g_task_set_source_tag (task, key_store_flush_async);
  write_changes (self->store, self, changes, task, FALSE);
}

static gboolean
key_store_flush_finish (WaKeyStore    *store,
                        GAsyncResult  *result,
                        GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
xi_key_store_iface_init (WaKeyStoreInterface *iface)
{
  iface->load = key_store_load;
  iface->save = key_store_save;
  iface->remove = key_store_remove;
  iface->list = key_store_list;
  iface->clear = key_store_clear;
  iface->flush_async = key_store_flush_async;
  iface->flush_finish = key_store_flush_finish;
  iface->prefetch_async = key_store_prefetch_async;
  iface->prefetch_finish = key_store_prefetch_finish;
}

static void
xi_key_store_finalize (GObject *object)
{
  XiKeyStore *self = (XiKeyStore *)object;
  g_autoptr(GPtrArray) changes = take_pending (self);

  /* What is still held or queued goes to disk; the store outlives this. */
  if (self->held->len > 0)
    send_batch (self->store, NULL, g_steal_pointer (&self->held));
  g_clear_pointer (&self->held, g_ptr_array_unref);
  if (changes->len > 0)
    write_changes (self->store, NULL, changes, NULL, FALSE);
  /* Those writes answer to nobody now. */
  g_queue_clear (&self->writing);
  g_source_destroy (self->idle_write);
  g_source_unref (self->idle_write);
  g_ptr_array_unref (self->pending);
  g_hash_table_unref (self->pending_index);
  cache_clear (self);
  g_hash_table_unref (self->lazy);
  g_clear_pointer (&self->written, g_hash_table_unref);
  g_hash_table_unref (self->reading);
  g_main_context_unref (self->wait_context);
  g_clear_object (&self->cache);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (xi_key_store_parent_class)->finalize (object);
}

static void
xi_key_store_class_init (XiKeyStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = xi_key_store_finalize;
}

static void
xi_key_store_init (XiKeyStore *self)
{
  self->cache = wa_memory_key_store_new ();
  self->lazy = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) entry_free);
  g_queue_init (&self->lru);
  g_queue_init (&self->writing);
  self->held = g_ptr_array_new ();
  self->reading = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_hash_table_unref);
  self->cache_size = XI_KEY_STORE_CACHE_SIZE;
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) xi_key_change_free);
  self->pending_index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->owner = g_thread_self ();
  self->wait_context = g_main_context_new ();
  self->idle_write = g_source_new (&idle_write_funcs, sizeof (IdleWrite));
  ((IdleWrite *) self->idle_write)->owner = self;
  g_source_set_priority (self->idle_write, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_static_name (self->idle_write, "[xi-key-store] idle write");
  g_source_attach (self->idle_write, g_main_context_get_thread_default ());
}

/**
 * xi_key_store_new:
 * @store: the application store
 * @loaded: (transfer none): what xi_store_load_keys_finish() returned,
 *   "kind\x1fkey" -> value
 *
 * Returns: (transfer full): a key store for the protocol library
 */
XiKeyStore *
xi_key_store_new (XiStore    *store,
                  GHashTable *loaded)
{
  XiKeyStore *self;
  GHashTableIter iter;
  gpointer full, value;

  g_return_val_if_fail (XI_IS_STORE (store), NULL);
  g_return_val_if_fail (loaded != NULL, NULL);

  self = g_object_new (XI_TYPE_KEY_STORE, NULL);
  self->store = g_object_ref (store);

  g_hash_table_iter_init (&iter, loaded);
  while (g_hash_table_iter_next (&iter, &full, &value))
    {
      g_auto(GStrv) parts = g_strsplit (full, "\x1f", 2);

      /* Lazy kinds in @loaded (from a load that skipped none) are read
       * back from the store when needed, like any other. */
      if (parts[1] != NULL && !is_lazy (parts[0]))
        wa_key_store_save (self->cache, parts[0], parts[1], value);
    }

  return self;
}

/**
 * xi_key_store_close:
 * @self: a key store
 *
 * Hands the queued changes to the store now, and from then on writes and
 * reads nothing: call it when the client using it stops. That client
 * lives on until its pending operations unwind, and may change keys as
 * they do; those changes belong to the session that ended and would reach
 * the store after the keys were read again for the next one, failing
 * there if they were found unreadable, or landing in a new link after a
 * wipe.
 */
void
xi_key_store_close (XiKeyStore *self)
{
  g_return_if_fail (XI_IS_KEY_STORE (self));
  assert_owner (self);

  push_pending (self, FALSE);
  send_held (self);
  self->closed = TRUE;
}

/**
 * xi_key_store_lazy_kinds:
 *
 * Returns: (transfer none): the kinds to leave out of
 *   xi_store_load_keys_async(): they are read on demand
 */
const char * const *
xi_key_store_lazy_kinds (void)
{
  return lazy_kinds;
}

/**
 * xi_key_store_set_cache_size:
 * @self: a key store
 * @size: how many values of the lazy kinds to keep in memory, at least 1
 */
void
xi_key_store_set_cache_size (XiKeyStore *self,
                             guint       size)
{
  g_return_if_fail (XI_IS_KEY_STORE (self));
  g_return_if_fail (size > 0);
  assert_owner (self);

  self->cache_size = size;
  trim (self);
}

/**
 * xi_key_store_get_cached:
 * @self: a key store
 *
 * Returns: how many values of the lazy kinds are in memory now
 */
guint
xi_key_store_get_cached (XiKeyStore *self)
{
  g_return_val_if_fail (XI_IS_KEY_STORE (self), 0);
  assert_owner (self);

  return self->lru.length;
}

/**
 * xi_key_store_get_waits:
 * @self: a key store
 *
 * Returns: how many times the thread stopped to read from the store,
 *   for values no prefetch brought in time and for listings
 */
guint
xi_key_store_get_waits (XiKeyStore *self)
{
  g_return_val_if_fail (XI_IS_KEY_STORE (self), 0);
  assert_owner (self);

  return self->waits;
}

/**
 * xi_key_store_get_values_read:
 * @self: a key store
 *
 * Returns: how many values of the lazy kinds were asked of the store,
 *   ahead of time or while the thread waited
 */
guint
xi_key_store_get_values_read (XiKeyStore *self)
{
  g_return_val_if_fail (XI_IS_KEY_STORE (self), 0);
  assert_owner (self);

  return self->values_read;
}

/**
 * xi_key_store_get_transactions:
 * @self: a key store
 *
 * Returns: how many write transactions it asked of the store
 */
guint
xi_key_store_get_transactions (XiKeyStore *self)
{
  g_return_val_if_fail (XI_IS_KEY_STORE (self), 0);
  assert_owner (self);

  return self->transactions;
}
