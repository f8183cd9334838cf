/* xi-loopback-transport.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-loopback"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xi-asset.h"
#include "xi-loopback-transport.h"

/*
 * The dry run: a transport that "sends" by appending a line to a journal
 * file and acknowledging. It is what a rehearsal uses, and what tests and
 * benchmarks check the engine against: the journal is the ground truth of
 * what reached "WhatsApp".
 *
 * Journal lines are "MESSAGE_ID TAB PHONE TAB TEXT LF", the text with
 * backslash, tab and newline escaped. Each line goes out in one write()
 * on a file opened with O_APPEND before the ack, so a line is either
 * whole in the file or the send was never acknowledged, whatever kills
 * the process. The file holds message text, so it is private (0600).
 */

struct _XiLoopbackTransport
{
  GObject            parent_instance;

  int                fd;
  char              *journal_path;
  XiLoopbackOptions  options;
  GRand             *rand;
  XiTransportState   state;
  guint              accepted;
  guint              accepted_since_connect;
  gboolean           held_back;  /* the receiver asked for no more messages */
  GSource           *reconnect;
  GHashTable        *timeouts;   /* GSource* set, removed on dispose */
  GThread           *owner;      /* the thread that made it; everything runs there */
};

#define assert_owner(self) g_assert ((self)->owner == g_thread_self ())

static void xi_loopback_transport_iface_init (XiTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (XiLoopbackTransport, xi_loopback_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (XI_TYPE_TRANSPORT,
                                                      xi_loopback_transport_iface_init))

enum {
  PROP_0,
  PROP_STATE,
};

static void
set_state (XiLoopbackTransport *self,
           XiTransportState     state)
{
  if (self->state == state)
    return;
  self->state = state;
  xi_transport_notify_state (XI_TRANSPORT (self));
}

typedef struct
{
  XiLoopbackTransport *self;
  GSourceFunc          func;
  gpointer             data;
  GDestroyNotify       destroy;
  GSource             *source;
} Later;

static void
later_free (Later *later)
{
  if (later->destroy != NULL)
    later->destroy (later->data);
  g_free (later);
}

static gboolean
later_cb (gpointer user_data)
{
  Later *later = user_data;

  g_hash_table_remove (later->self->timeouts, later->source);
  later->func (later->data);
  return G_SOURCE_REMOVE;
}

/* Runs @func after @delay_ms on the thread-default context; pending ones
 * are dropped with the transport, so nothing fires on a dead object. */
static void
run_later (XiLoopbackTransport *self,
           guint                delay_ms,
           GSourceFunc          func,
           gpointer             data,
           GDestroyNotify       destroy)
{
  Later *later = g_new0 (Later, 1);
  GSource *source = g_timeout_source_new (delay_ms);

  later->self = self;
  later->func = func;
  later->data = data;
  later->destroy = destroy;
  later->source = source;
  g_source_set_callback (source, later_cb, later, (GDestroyNotify)later_free);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_hash_table_add (self->timeouts, source);
}

static void
destroy_source (gpointer source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

static void
stop_reconnect (XiLoopbackTransport *self)
{
  if (self->reconnect == NULL)
    return;
  g_source_destroy (self->reconnect);
  g_clear_pointer (&self->reconnect, g_source_unref);
}

static void
xi_loopback_transport_dispose (GObject *object)
{
  XiLoopbackTransport *self = (XiLoopbackTransport *)object;

  stop_reconnect (self);
  g_hash_table_remove_all (self->timeouts);

  G_OBJECT_CLASS (xi_loopback_transport_parent_class)->dispose (object);
}

static void
xi_loopback_transport_finalize (GObject *object)
{
  XiLoopbackTransport *self = (XiLoopbackTransport *)object;

  if (self->fd >= 0)
    close (self->fd);
  g_free (self->journal_path);
  g_free (self->options.reply_text);
  g_clear_pointer (&self->rand, g_rand_free);
  g_hash_table_unref (self->timeouts);

  G_OBJECT_CLASS (xi_loopback_transport_parent_class)->finalize (object);
}

static void
xi_loopback_transport_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  XiLoopbackTransport *self = XI_LOOPBACK_TRANSPORT (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_loopback_transport_class_init (XiLoopbackTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xi_loopback_transport_dispose;
  object_class->finalize = xi_loopback_transport_finalize;
  object_class->get_property = xi_loopback_transport_get_property;

  g_object_class_override_property (object_class, PROP_STATE, "state");
}

static void
xi_loopback_transport_init (XiLoopbackTransport *self)
{
  self->fd = -1;
  self->timeouts = g_hash_table_new_full (NULL, NULL, destroy_source, NULL);
  self->owner = g_thread_self ();
}

static XiTransportState
loopback_get_state (XiTransport *transport)
{
  assert_owner (XI_LOOPBACK_TRANSPORT (transport));
  return XI_LOOPBACK_TRANSPORT (transport)->state;
}

static void
loopback_connect (XiTransport *transport)
{
  XiLoopbackTransport *self = XI_LOOPBACK_TRANSPORT (transport);

  assert_owner (self);
  stop_reconnect (self);
  self->accepted_since_connect = 0;
  set_state (self, XI_TRANSPORT_STATE_CONNECTED);
}

static void
loopback_disconnect (XiTransport *transport)
{
  XiLoopbackTransport *self = XI_LOOPBACK_TRANSPORT (transport);

  assert_owner (self);
  stop_reconnect (self);
  set_state (self, XI_TRANSPORT_STATE_DISCONNECTED);
}

static gboolean
reconnect_cb (gpointer user_data)
{
  XiLoopbackTransport *self = user_data;

  g_clear_pointer (&self->reconnect, g_source_unref);
  self->accepted_since_connect = 0;
  set_state (self, XI_TRANSPORT_STATE_CONNECTED);
  return G_SOURCE_REMOVE;
}

/* An attachment adds a fourth field, its SHA-256: what a resumed
 * campaign must send again is then checkable line by line. */
static char *
journal_line (const char *message_id,
              const char *phone,
              const char *text,
              XiAsset    *attachment)
{
  GString *line = g_string_sized_new (64 + strlen (text));

  g_string_append (line, message_id);
  g_string_append_c (line, '\t');
  g_string_append (line, phone);
  g_string_append_c (line, '\t');
  for (const char *p = text; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '\\':
          g_string_append (line, "\\\\");
          break;
        case '\t':
          g_string_append (line, "\\t");
          break;
        case '\n':
          g_string_append (line, "\\n");
          break;
        case '\r':
          g_string_append (line, "\\r");
          break;
        default:
          g_string_append_c (line, *p);
        }
    }
  if (attachment != NULL)
    {
      g_string_append_c (line, '\t');
      g_string_append (line, xi_asset_get_sha256 (attachment));
    }
  g_string_append_c (line, '\n');

  return g_string_free (line, FALSE);
}

static gboolean
append_journal (XiLoopbackTransport  *self,
                const char           *line,
                GError              **error)
{
  gsize length = strlen (line);
  off_t end = lseek (self->fd, 0, SEEK_END);
  gssize written;

  do
    written = write (self->fd, line, length);
  while (written < 0 && errno == EINTR);

  if (written != (gssize)length)
    {
      int saved_errno = written < 0 ? errno : ENOSPC;

      /* Half a line would be read as a message that was never sent. Only
       * this process appends (it holds the engine lock). */
      if (written > 0 && end >= 0 && ftruncate (self->fd, end) != 0)
        g_warning ("Could not take back half a journal line: %s", g_strerror (errno));

      /* Nothing wrong with the recipient: the campaign must wait for
       * room, not count the message as failed. */
      if (saved_errno == ENOSPC || saved_errno == EDQUOT)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                               _("The disk is full: the rehearsal journal could not be written."));
          return FALSE;
        }
      g_set_error (error, XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_TRANSIENT,
                   _("The rehearsal journal could not be written: %s"), g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  XiLoopbackTransport *self;
  char                *message_id;
  char                *phone;
  XiRecipientState     state;
} Echo;

static void
echo_free (Echo *echo)
{
  g_free (echo->message_id);
  g_free (echo->phone);
  g_free (echo);
}

static gboolean
receipt_cb (gpointer data)
{
  Echo *echo = data;

  xi_transport_emit_receipt (XI_TRANSPORT (echo->self), echo->message_id, echo->state,
                             g_get_real_time () / G_USEC_PER_SEC);
  return G_SOURCE_REMOVE;
}

static gboolean
reply_cb (gpointer data)
{
  Echo *echo = data;
  g_autofree char *reply_id = g_strdup_printf ("LB%s", echo->message_id);

  xi_transport_emit_incoming (XI_TRANSPORT (echo->self), echo->phone, reply_id,
                              echo->self->options.reply_text != NULL
                              ? echo->self->options.reply_text : "Terima kasih");
  return G_SOURCE_REMOVE;
}

static void
schedule_echo (XiLoopbackTransport *self,
               guint                delay_ms,
               GSourceFunc          func,
               const char          *message_id,
               const char          *phone,
               XiRecipientState     state)
{
  Echo *echo = g_new0 (Echo, 1);

  echo->self = self;
  echo->message_id = g_strdup (message_id);
  echo->phone = g_strdup (phone);
  echo->state = state;
  run_later (self, delay_ms, func, echo, (GDestroyNotify)echo_free);
}

static gboolean
return_ack_cb (gpointer data)
{
  GTask *task = data;

  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

/* The "server" has the message: journal it, then ack, echo and maybe
 * drop the connection. */
static void
accept_message (XiLoopbackTransport *self,
                GTask               *task,
                const char          *message_id,
                const char          *phone,
                const char          *text,
                XiAsset             *attachment)
{
  g_autofree char *line = journal_line (message_id, phone, text, attachment);
  GError *error = NULL;

  if (!append_journal (self, line, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  self->accepted++;
  self->accepted_since_connect++;

  if (self->options.receipts)
    {
      schedule_echo (self, 20, receipt_cb, message_id, phone, XI_RECIPIENT_STATE_DELIVERED);
      schedule_echo (self, 40, receipt_cb, message_id, phone, XI_RECIPIENT_STATE_READ);
    }
  if (self->options.reply_every > 0 && self->accepted % self->options.reply_every == 0)
    schedule_echo (self, 60, reply_cb, message_id, phone, XI_RECIPIENT_STATE_READ);

  if (self->options.ack_delay_ms > 0)
    run_later (self, self->options.ack_delay_ms, return_ack_cb, g_object_ref (task), g_object_unref);
  else
    g_task_return_boolean (task, TRUE);

  /* The drop comes after the ack: the message got through, the next one
   * finds the connection gone, as when a socket closes between frames. */
  if (self->options.drop_after > 0 && self->accepted_since_connect >= self->options.drop_after)
    {
      set_state (self, XI_TRANSPORT_STATE_DISCONNECTED);
      stop_reconnect (self);
      self->reconnect = g_timeout_source_new (MAX (self->options.reconnect_ms, 1));
      g_source_set_callback (self->reconnect, reconnect_cb, self, NULL);
      g_source_attach (self->reconnect, g_main_context_get_thread_default ());
    }
}

typedef struct
{
  GTask   *task;
  char    *message_id;
  char    *phone;
  char    *text;
  XiAsset *attachment;
} InFlight;

static void
in_flight_free (InFlight *message)
{
  g_object_unref (message->task);
  g_free (message->message_id);
  g_free (message->phone);
  g_free (message->text);
  g_clear_object (&message->attachment);
  g_free (message);
}

static gboolean
arrived_cb (gpointer data)
{
  InFlight *message = data;

  accept_message (g_task_get_source_object (message->task), message->task, message->message_id,
                  message->phone, message->text, message->attachment);
  return G_SOURCE_REMOVE;
}

static void
loopback_send_text_async (XiTransport         *transport,
                          const char          *phone,
                          const char          *message_id,
                          const char          *text,
                          XiAsset             *attachment,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  XiLoopbackTransport *self = XI_LOOPBACK_TRANSPORT (transport);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  InFlight *message;

  assert_owner (self);
  g_task_set_source_tag (task, loopback_send_text_async);

  if (self->state != XI_TRANSPORT_STATE_CONNECTED)
    {
      g_task_return_new_error (task, XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_DISCONNECTED,
                               _("Not connected."));
      return;
    }

  if (self->options.failure_rate > 0 &&
      g_rand_double (self->rand) < self->options.failure_rate)
    {
      g_task_return_new_error (task, XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_TRANSIENT,
                               _("The server did not answer in time."));
      return;
    }

  if (self->options.send_delay_ms == 0)
    {
      accept_message (self, task, message_id, phone, text, attachment);
      return;
    }

  /* On the wire for a while: a crash now loses a message that was
   * handed over but never arrived, which the engine must resend. */
  message = g_new0 (InFlight, 1);
  message->task = g_object_ref (task);
  message->message_id = g_strdup (message_id);
  message->phone = g_strdup (phone);
  message->text = g_strdup (text);
  message->attachment = attachment != NULL ? g_object_ref (attachment) : NULL;
  run_later (self, self->options.send_delay_ms, arrived_cb, message, (GDestroyNotify)in_flight_free);
}

static gboolean
loopback_send_text_finish (XiTransport   *transport,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, transport), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Its replies come one per message sent, too few to need holding back;
 * what the receiver asked is kept for whoever injects messages. */
static void
loopback_set_receiving (XiTransport *transport,
                        gboolean     receiving)
{
  XiLoopbackTransport *self = XI_LOOPBACK_TRANSPORT (transport);

  assert_owner (self);
  self->held_back = !receiving;
}

static void
xi_loopback_transport_iface_init (XiTransportInterface *iface)
{
  iface->get_state = loopback_get_state;
  iface->connect = loopback_connect;
  iface->disconnect = loopback_disconnect;
  iface->send_text_async = loopback_send_text_async;
  iface->send_text_finish = loopback_send_text_finish;
  iface->set_receiving = loopback_set_receiving;
}

/**
 * xi_loopback_transport_new:
 * @journal_path: the append-only journal; created 0600 if missing
 * @options: (nullable): how to misbehave; %NULL for a perfect network
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a connected dry-run transport
 */
XiLoopbackTransport *
xi_loopback_transport_new (const char               *journal_path,
                           const XiLoopbackOptions  *options,
                           GError                  **error)
{
  g_autoptr(XiLoopbackTransport) self = g_object_new (XI_TYPE_LOOPBACK_TRANSPORT, NULL);
  struct stat st;

  g_return_val_if_fail (journal_path != NULL, NULL);

  /* The journal holds every customer's number and message: a link
   * planted in its place must not send them elsewhere, and a journal
   * written by an older version is made private too. */
  self->fd = g_open (journal_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (self->fd < 0 && errno == ELOOP)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS,
                   _("Cannot open the rehearsal journal “%s”: it is a symbolic link; "
                     "remove it and a new journal is started."), journal_path);
      return NULL;
    }
  /* Only a regular file is made private: a journal sent to /dev/null is
   * not ours to change. */
  if (self->fd < 0 || fstat (self->fd, &st) != 0 ||
      (S_ISREG (st.st_mode) && fchmod (self->fd, 0600) != 0))
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot open the rehearsal journal “%s”: %s"), journal_path,
                   g_strerror (saved_errno));
      return NULL;
    }

  self->journal_path = g_strdup (journal_path);
  if (options != NULL)
    {
      self->options = *options;
      self->options.reply_text = g_strdup (options->reply_text);
    }
  self->rand = self->options.seed != 0 ? g_rand_new_with_seed (self->options.seed) : g_rand_new ();
  self->state = XI_TRANSPORT_STATE_CONNECTED;

  return g_steal_pointer (&self);
}

/**
 * xi_loopback_transport_get_accepted:
 *
 * Returns: messages written to the journal since it was created
 */
guint
xi_loopback_transport_get_accepted (XiLoopbackTransport *self)
{
  g_return_val_if_fail (XI_IS_LOOPBACK_TRANSPORT (self), 0);
  assert_owner (self);
  return self->accepted;
}

/**
 * xi_loopback_transport_get_receiving:
 *
 * Returns: whether the receiver takes messages now (see
 *   xi_transport_set_receiving())
 */
gboolean
xi_loopback_transport_get_receiving (XiLoopbackTransport *self)
{
  g_return_val_if_fail (XI_IS_LOOPBACK_TRANSPORT (self), FALSE);
  assert_owner (self);
  return !self->held_back;
}

static gboolean
env_uint (const char  *name,
          guint       *value,
          GError     **error)
{
  const char *text = g_getenv (name);
  guint64 number;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &number, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s must be a whole number, not “%s”."), name, text);
      return FALSE;
    }
  *value = number;
  return TRUE;
}

/**
 * xi_loopback_options_from_env:
 * @options: filled in; reply_text is newly allocated
 *
 * Reads the rehearsal's fault settings from the environment, for tests,
 * demos and the command line: XI_LOOPBACK_FAILURE_RATE (0–1),
 * XI_LOOPBACK_DROP_AFTER, XI_LOOPBACK_RECONNECT_MS, XI_LOOPBACK_RECEIPTS
 * (0/1), XI_LOOPBACK_REPLY_EVERY, XI_LOOPBACK_REPLY_TEXT,
 * XI_LOOPBACK_SEND_DELAY_MS, XI_LOOPBACK_ACK_DELAY_MS and XI_LOOPBACK_SEED.
 */
gboolean
xi_loopback_options_from_env (XiLoopbackOptions  *options,
                              GError            **error)
{
  const char *rate = g_getenv ("XI_LOOPBACK_FAILURE_RATE");
  guint receipts = 0, seed = 0;

  memset (options, 0, sizeof *options);
  options->reconnect_ms = 1000;

  if (rate != NULL)
    {
      char *end = NULL;

      options->failure_rate = g_ascii_strtod (rate, &end);
      if (end == rate || *end != '\0' || options->failure_rate < 0 || options->failure_rate > 1)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("XI_LOOPBACK_FAILURE_RATE must be a fraction between 0 and 1, not “%s”."),
                       rate);
          return FALSE;
        }
    }

  if (!env_uint ("XI_LOOPBACK_DROP_AFTER", &options->drop_after, error) ||
      !env_uint ("XI_LOOPBACK_RECONNECT_MS", &options->reconnect_ms, error) ||
      !env_uint ("XI_LOOPBACK_RECEIPTS", &receipts, error) ||
      !env_uint ("XI_LOOPBACK_REPLY_EVERY", &options->reply_every, error) ||
      !env_uint ("XI_LOOPBACK_SEND_DELAY_MS", &options->send_delay_ms, error) ||
      !env_uint ("XI_LOOPBACK_ACK_DELAY_MS", &options->ack_delay_ms, error) ||
      !env_uint ("XI_LOOPBACK_SEED", &seed, error))
    return FALSE;

  options->receipts = receipts != 0;
  options->seed = seed;
  options->reply_text = g_strdup (g_getenv ("XI_LOOPBACK_REPLY_TEXT"));
  return TRUE;
}

/**
 * xi_loopback_transport_factory:
 * @journal_path: (type utf8): where the journal goes
 * @error: return location for a #GError
 *
 * An #XiTransportFactory for the rehearsal, with the fault settings of
 * xi_loopback_options_from_env().
 *
 * Returns: (transfer full) (nullable): the transport
 */
XiTransport *
xi_loopback_transport_factory (gpointer   journal_path,
                               GError   **error)
{
  XiLoopbackOptions options;
  XiLoopbackTransport *transport;

  if (!xi_loopback_options_from_env (&options, error))
    return NULL;
  transport = xi_loopback_transport_new (journal_path, &options, error);
  g_free (options.reply_text);
  return transport != NULL ? XI_TRANSPORT (transport) : NULL;
}
