/* xi-engine-lock.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-engine-lock"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xi-engine-lock.h"

/*
 * One engine per data folder. Two engines on one folder would claim the
 * same campaign and send every message twice, from one WhatsApp account
 * in parallel. The engine's process holds an open file description lock
 * (F_OFD_SETLK) on `engine.lock` in the folder for as long as its engine
 * lives; the kernel drops it when the process ends, however it ends, so
 * a crashed holder never blocks the folder and its claim is taken over by
 * the next engine, which retries the rows left `sending` under their
 * stored message ids (DESIGN.md, "The campaign write-ahead log").
 *
 * The holder writes its pid and kind into the file, so the one turned
 * away can say who sends. The file is emptied on release and never
 * removed: a lock on a file that was unlinked and created again would
 * lock nothing. Someone else may still remove it (tidying a folder, a
 * restored backup), so the holder also holds flock () on the folder
 * itself, which cannot go while the database is in it: a second engine
 * that locked a new `engine.lock` is still turned away.
 *
 * Waiting for the lock watches the holder instead of polling: a pidfd
 * becomes readable when the holder's process ends, and a file monitor
 * sees the file emptied on release. Only when the holder's pid cannot be
 * watched (it runs in another pid namespace, as a Flatpak app does) the
 * lock is tried every few seconds.
 *
 * An XiEngineLock lives on the thread that created it, which asserts it.
 */

#define LOCK_FILE_NAME "engine.lock"

/* How long a holder may take between taking the lock and saying who it is. */
#define HOLDER_READ_TRIES    10
#define HOLDER_READ_PAUSE_MS 10

/* Trying the lock when the holder cannot be watched. */
#define FALLBACK_RETRY_SECONDS 3

struct _XiEngineLock
{
  GObject           parent_instance;

  GThread          *owner;
  char             *path;
  XiEngineLockKind  kind;
  int               fd;            /* holds the lock; -1 when not held */
  int               folder_fd;     /* holds flock () on the folder while fd holds */
  XiEngineLockKind  holder_kind;   /* as last seen */
  GPid              holder_pid;    /* as last seen; 0 when unknown */

  GTask            *wait_task;     /* the pending wait */
  GFileMonitor     *monitor;
  int               pidfd;         /* the watched holder; -1 when none */
  GSource          *pid_source;
  GSource          *retry_source;
  GSource          *cancel_source;
};

G_DEFINE_FINAL_TYPE (XiEngineLock, xi_engine_lock, G_TYPE_OBJECT)
G_DEFINE_QUARK (xi-engine-lock-error-quark, xi_engine_lock_error)

static const char *kind_names[] = {
  [XI_ENGINE_LOCK_KIND_UNKNOWN] = "unknown",
  [XI_ENGINE_LOCK_KIND_APP] = "app",
  [XI_ENGINE_LOCK_KIND_CLI] = "cli",
};

static void retry_wait (XiEngineLock *self);

static int
open_lock_file (XiEngineLock  *self,
                GError       **error)
{
  int fd = g_open (self->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, XI_ENGINE_LOCK_ERROR, XI_ENGINE_LOCK_ERROR_FAILED,
                   _("Cannot open the lock file “%s”: %s"), self->path,
                   saved_errno == ELOOP ? _("it is a symbolic link") : g_strerror (saved_errno));
    }
  return fd;
}

static gboolean
pid_is_alive (GPid pid)
{
  return kill (pid, 0) == 0 || errno == EPERM;
}

/* Reads who holds the lock. A holder that has just taken it may not have
 * written yet, and the file may still name the previous, dead holder. */
static void
read_holder (XiEngineLock *self,
             int           fd)
{
  self->holder_pid = 0;
  self->holder_kind = XI_ENGINE_LOCK_KIND_UNKNOWN;

  for (guint i = 0; i < HOLDER_READ_TRIES; i++)
    {
      char text[64] = { 0 };
      char kind[16] = { 0 };
      int pid = 0;

      if (i > 0)
        g_usleep (HOLDER_READ_PAUSE_MS * G_TIME_SPAN_MILLISECOND);
      if (pread (fd, text, sizeof text - 1, 0) <= 0 ||
          sscanf (text, "%d %15s", &pid, kind) != 2 || pid <= 0)
        continue;

      self->holder_pid = pid;
      for (guint k = 0; k < G_N_ELEMENTS (kind_names); k++)
        if (g_str_equal (kind, kind_names[k]))
          self->holder_kind = k;
      if (pid_is_alive (pid))
        return;
    }
}

static void
set_busy_error (XiEngineLock  *self,
                GError       **error)
{
  switch (self->holder_kind)
    {
    case XI_ENGINE_LOCK_KIND_APP:
      g_set_error (error, XI_ENGINE_LOCK_ERROR, XI_ENGINE_LOCK_ERROR_BUSY,
                   _("Xender-In is already sending from the app (pid %d); use it, or close it first."),
                   (int)self->holder_pid);
      break;
    case XI_ENGINE_LOCK_KIND_CLI:
      g_set_error (error, XI_ENGINE_LOCK_ERROR, XI_ENGINE_LOCK_ERROR_BUSY,
                   _("Xender-In is already sending from xender-in-cli (pid %d); wait for it to "
                     "finish, or stop it first."),
                   (int)self->holder_pid);
      break;
    case XI_ENGINE_LOCK_KIND_UNKNOWN:
    default:
      g_set_error_literal (error, XI_ENGINE_LOCK_ERROR, XI_ENGINE_LOCK_ERROR_BUSY,
                           _("Xender-In is already sending from another program; wait for it to "
                             "finish, or close it first."));
      break;
    }
}

/* With the lock file locked, the folder: only if nobody holds it (its
 * lock file removed under it) may the engine run here. Returns the
 * folder's descriptor, or -1: with @busy set when another engine holds
 * it. A folder that cannot be locked at all (some network file systems
 * refuse flock () on a folder) leaves the lock file alone in charge. */
static int
lock_folder (XiEngineLock *self,
             gboolean      wait,
             gboolean     *busy)
{
  g_autofree char *folder = g_path_get_dirname (self->path);
  int fd = g_open (folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  int rc;

  *busy = FALSE;
  if (fd < 0)
    {
      g_debug ("Cannot open %s to lock it: %s", folder, g_strerror (errno));
      return -1;
    }
  do
    rc = flock (fd, LOCK_EX | (wait ? 0 : LOCK_NB));
  while (rc != 0 && errno == EINTR);
  if (rc == 0)
    return fd;

  *busy = errno == EWOULDBLOCK;
  if (!*busy)
    g_debug ("Cannot lock %s: %s", folder, g_strerror (errno));
  close (fd);
  return -1;
}

static gboolean
take (XiEngineLock  *self,
      int            fd,
      gboolean       wait,
      GError       **error)
{
  g_autofree char *text = g_strdup_printf ("%d %s\n", (int)getpid (), kind_names[self->kind]);
  gssize length = strlen (text);
  gboolean busy;
  int folder_fd = lock_folder (self, wait, &busy);

  if (busy)
    {
      close (fd);
      /* Its holder's name went with the file. */
      self->holder_pid = 0;
      self->holder_kind = XI_ENGINE_LOCK_KIND_UNKNOWN;
      set_busy_error (self, error);
      return FALSE;
    }

  if (ftruncate (fd, 0) != 0 || pwrite (fd, text, length, 0) != length)
    {
      int saved_errno = errno;

      g_set_error (error, XI_ENGINE_LOCK_ERROR, XI_ENGINE_LOCK_ERROR_FAILED,
                   _("Cannot write the lock file “%s”: %s"), self->path, g_strerror (saved_errno));
      if (folder_fd >= 0)
        close (folder_fd);
      close (fd);
      return FALSE;
    }

  self->fd = fd;
  self->folder_fd = folder_fd;
  self->holder_pid = getpid ();
  self->holder_kind = self->kind;
  return TRUE;
}

/* Called with errno set by the failed fcntl (). */
static gboolean
lock_failed (XiEngineLock  *self,
             int            fd,
             GError       **error)
{
  int saved_errno = errno;

  g_set_error (error, XI_ENGINE_LOCK_ERROR, XI_ENGINE_LOCK_ERROR_FAILED,
               _("Cannot lock “%s”: %s"), self->path, g_strerror (saved_errno));
  close (fd);
  return FALSE;
}

/* Watching the holder while waiting */

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
stop_watching_holder (XiEngineLock *self)
{
  clear_source (&self->pid_source);
  clear_source (&self->retry_source);
  if (self->pidfd >= 0)
    {
      close (self->pidfd);
      self->pidfd = -1;
    }
}

static void
stop_watching (XiEngineLock *self)
{
  stop_watching_holder (self);
  clear_source (&self->cancel_source);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
}

static gboolean
holder_exited_cb (int           fd,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  XiEngineLock *self = user_data;

  g_clear_pointer (&self->pid_source, g_source_unref);
  retry_wait (self);
  return G_SOURCE_REMOVE;
}

static gboolean
retry_timeout_cb (gpointer user_data)
{
  XiEngineLock *self = user_data;

  g_clear_pointer (&self->retry_source, g_source_unref);
  retry_wait (self);
  return G_SOURCE_REMOVE;
}

static void
lock_file_changed_cb (GFileMonitor      *monitor,
                      GFile             *file,
                      GFile             *other_file,
                      GFileMonitorEvent  event,
                      XiEngineLock      *self)
{
  if (event == G_FILE_MONITOR_EVENT_CHANGED || event == G_FILE_MONITOR_EVENT_DELETED ||
      event == G_FILE_MONITOR_EVENT_CREATED)
    retry_wait (self);
}

static void
watch_holder (XiEngineLock *self)
{
  GMainContext *context = g_task_get_context (self->wait_task);

  if (self->monitor == NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (self->path);

      self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, NULL);
      if (self->monitor != NULL)
        g_signal_connect (self->monitor, "changed", G_CALLBACK (lock_file_changed_cb), self);
    }

  self->pidfd = self->holder_pid > 0 ? pidfd_open (self->holder_pid, 0) : -1;
  if (self->pidfd >= 0)
    {
      self->pid_source = g_unix_fd_source_new (self->pidfd, G_IO_IN);
      g_source_set_callback (self->pid_source, G_SOURCE_FUNC (holder_exited_cb), self, NULL);
      g_source_attach (self->pid_source, context);
    }
  else
    {
      self->retry_source = g_timeout_source_new_seconds (FALLBACK_RETRY_SECONDS);
      g_source_set_callback (self->retry_source, retry_timeout_cb, self, NULL);
      g_source_attach (self->retry_source, context);
    }
}

static void
finish_wait (XiEngineLock *self,
             GError       *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->wait_task);

  stop_watching (self);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
finish_wait_cancelled (XiEngineLock *self)
{
  finish_wait (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                          _("Stopped waiting for the sending engine.")));
}

static void
retry_wait (XiEngineLock *self)
{
  GError *error = NULL;

  if (self->wait_task == NULL)
    return;

  if (xi_engine_lock_try_acquire (self, &error))
    {
      finish_wait (self, NULL);
      return;
    }
  if (!g_error_matches (error, XI_ENGINE_LOCK_ERROR, XI_ENGINE_LOCK_ERROR_BUSY))
    {
      finish_wait (self, error);
      return;
    }
  g_error_free (error);

  /* Someone else took it in between, or it was a change of no matter:
   * watch whoever holds it now. */
  stop_watching_holder (self);
  watch_holder (self);
}

static gboolean
wait_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  XiEngineLock *self = user_data;

  g_clear_pointer (&self->cancel_source, g_source_unref);
  finish_wait_cancelled (self);
  return G_SOURCE_REMOVE;
}

static void
xi_engine_lock_dispose (GObject *object)
{
  XiEngineLock *self = (XiEngineLock *)object;

  stop_watching (self);
  xi_engine_lock_release (self);

  G_OBJECT_CLASS (xi_engine_lock_parent_class)->dispose (object);
}

static void
xi_engine_lock_finalize (GObject *object)
{
  XiEngineLock *self = (XiEngineLock *)object;

  g_free (self->path);

  G_OBJECT_CLASS (xi_engine_lock_parent_class)->finalize (object);
}

static void
xi_engine_lock_class_init (XiEngineLockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xi_engine_lock_dispose;
  object_class->finalize = xi_engine_lock_finalize;
}

static void
xi_engine_lock_init (XiEngineLock *self)
{
  self->fd = -1;
  self->folder_fd = -1;
  self->pidfd = -1;
}

/**
 * xi_engine_lock_new:
 * @data_dir: the data folder whose engine this is about
 * @kind: which program asks
 *
 * Nothing is locked until xi_engine_lock_try_acquire().
 *
 * Returns: (transfer full): a new #XiEngineLock
 */
XiEngineLock *
xi_engine_lock_new (const char       *data_dir,
                    XiEngineLockKind  kind)
{
  XiEngineLock *self;

  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (kind == XI_ENGINE_LOCK_KIND_APP || kind == XI_ENGINE_LOCK_KIND_CLI, NULL);

  self = g_object_new (XI_TYPE_ENGINE_LOCK, NULL);
  self->owner = g_thread_self ();
  self->path = g_build_filename (data_dir, LOCK_FILE_NAME, NULL);
  self->kind = kind;
  return self;
}

/* Takes the lock, waiting for its holder with @wait. */
static gboolean
acquire (XiEngineLock  *self,
         gboolean       wait,
         GError       **error)
{
  struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  int fd;
  int rc;

  if (self->fd >= 0)
    return TRUE;
  if ((fd = open_lock_file (self, error)) < 0)
    return FALSE;

  do
    rc = fcntl (fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &lock);
  while (rc != 0 && errno == EINTR);

  if (rc == 0)
    return take (self, fd, wait, error);
  if (wait || (errno != EAGAIN && errno != EACCES))
    return lock_failed (self, fd, error);

  read_holder (self, fd);
  /* An empty file under a lock is a holder between releasing (it empties
   * the file first) and closing: by now it is likely gone. */
  if (self->holder_pid == 0 && fcntl (fd, F_OFD_SETLK, &lock) == 0)
    return take (self, fd, FALSE, error);

  close (fd);
  set_busy_error (self, error);
  return FALSE;
}

/**
 * xi_engine_lock_try_acquire:
 * @self: a #XiEngineLock
 * @error: return location for a #GError
 *
 * Takes the folder's engine lock if nobody holds it. When another
 * process does, fails with %XI_ENGINE_LOCK_ERROR_BUSY and a sentence
 * that says who; xi_engine_lock_get_holder_kind() and
 * xi_engine_lock_get_holder_pid() tell the same.
 *
 * Returns: %TRUE when this process now runs the folder's engine
 */
gboolean
xi_engine_lock_try_acquire (XiEngineLock  *self,
                            GError       **error)
{
  g_return_val_if_fail (XI_IS_ENGINE_LOCK (self), FALSE);
  g_assert (g_thread_self () == self->owner);

  return acquire (self, FALSE, error);
}

/**
 * xi_engine_lock_acquire_waiting:
 * @self: a #XiEngineLock
 * @error: return location for a #GError
 *
 * Takes the lock, blocking the calling thread for as long as another
 * process holds it. For the command line's `--wait`.
 *
 * Returns: %TRUE when this process now runs the folder's engine
 */
gboolean
xi_engine_lock_acquire_waiting (XiEngineLock  *self,
                                GError       **error)
{
  g_return_val_if_fail (XI_IS_ENGINE_LOCK (self), FALSE);
  g_assert (g_thread_self () == self->owner);

  return acquire (self, TRUE, error);
}

/**
 * xi_engine_lock_release:
 * @self: a #XiEngineLock
 *
 * Lets another process run the engine. Call it once the engine stopped.
 * A wait still pending ends with %G_IO_ERROR_CANCELLED, at once, so an
 * application that quits is not kept alive by it. Safe to call when the
 * lock is not held.
 */
void
xi_engine_lock_release (XiEngineLock *self)
{
  g_return_if_fail (XI_IS_ENGINE_LOCK (self));
  g_assert (g_thread_self () == self->owner);

  if (self->wait_task != NULL)
    finish_wait_cancelled (self);
  if (self->fd < 0)
    return;

  /* Emptied while still held, so a new holder's name is never erased;
   * the change is what wakes a waiting app. */
  if (ftruncate (self->fd, 0) != 0)
    g_debug ("Could not empty %s: %s", self->path, g_strerror (errno));
  close (self->fd);
  self->fd = -1;
  if (self->folder_fd >= 0)
    close (self->folder_fd);
  self->folder_fd = -1;
}

gboolean
xi_engine_lock_is_held (XiEngineLock *self)
{
  g_return_val_if_fail (XI_IS_ENGINE_LOCK (self), FALSE);
  g_assert (g_thread_self () == self->owner);
  return self->fd >= 0;
}

/**
 * xi_engine_lock_get_holder_kind:
 * @self: a #XiEngineLock
 *
 * Returns: who held the lock when it was last tried
 */
XiEngineLockKind
xi_engine_lock_get_holder_kind (XiEngineLock *self)
{
  g_return_val_if_fail (XI_IS_ENGINE_LOCK (self), XI_ENGINE_LOCK_KIND_UNKNOWN);
  g_assert (g_thread_self () == self->owner);
  return self->holder_kind;
}

/**
 * xi_engine_lock_get_holder_pid:
 * @self: a #XiEngineLock
 *
 * Returns: the process that held the lock when it was last tried, 0 when
 *   it did not say
 */
GPid
xi_engine_lock_get_holder_pid (XiEngineLock *self)
{
  g_return_val_if_fail (XI_IS_ENGINE_LOCK (self), 0);
  g_assert (g_thread_self () == self->owner);
  return self->holder_pid;
}

/**
 * xi_engine_lock_wait_async:
 * @self: a #XiEngineLock
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once this process holds the lock
 * @user_data: closure
 *
 * Takes the lock as soon as its holder lets go of it, watching the holder
 * rather than the clock. One wait at a time.
 */
void
xi_engine_lock_wait_async (XiEngineLock        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (XI_IS_ENGINE_LOCK (self));
  g_assert (g_thread_self () == self->owner);
  g_return_if_fail (self->wait_task == NULL);

  self->wait_task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->wait_task, xi_engine_lock_wait_async);
  g_task_set_check_cancellable (self->wait_task, FALSE);

  /* A source, not a handler: finishing from inside g_cancellable_cancel ()
   * could not disconnect itself. */
  if (cancellable != NULL)
    {
      self->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->cancel_source, G_SOURCE_FUNC (wait_cancelled_cb), self, NULL);
      g_source_attach (self->cancel_source, g_task_get_context (self->wait_task));
    }

  retry_wait (self);
}

gboolean
xi_engine_lock_wait_finish (XiEngineLock  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
