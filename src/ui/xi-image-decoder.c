/* xi-image-decoder.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-image-decoder"

#include "config.h"

#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>

#include "xi-image-decoder.h"
#include "xi-image-decoder-wire.h"

/*
 * Pictures customers send are decoded in xender-in-image-decoder, one
 * short-lived process per picture, never in the app: the system's
 * loaders can be kept busy for ever or crashed by a few hundred bytes,
 * and a process can be killed where a thread cannot. The helper limits
 * its own CPU time and memory; here it gets no descriptor but its pipes
 * (GSubprocess closes the rest), is killed after
 * XI_IMAGE_DECODER_TIMEOUT_MS, and nothing it says is believed before it
 * is checked: a decoder that crashed or was subverted by the picture is
 * as hostile as the picture. Any failure is "no preview", nothing more.
 *
 * At most XI_IMAGE_DECODER_MAX_RUNNING helpers run at once and the rest
 * wait their turn; what a picture gave, a preview or a refusal, is kept
 * under the caller's key for the last CACHE_SIZE pictures, so scrolling
 * back to a message starts nothing. A helper that ran out of time or
 * could not be started says nothing of the picture, only of a busy
 * machine: that is not kept, and the next request tries again.
 */

/* A few screens of an Inbox conversation: previews are at most 280 × 280,
 * so this is at most 20 MB. */
#define CACHE_SIZE 64
#define READ_CHUNK 65536

typedef struct
{
  GdkTexture *texture;  /* or NULL, refused */
  GError     *error;
} Outcome;

typedef struct
{
  XiImageDecoder *self;
  char           *key;
  GBytes         *data;         /* the picture, or NULL: */
  char           *path;         /* read from this file */
  int             max_side;
  gint64          max_pixels;
  GPtrArray      *waiters;      /* GTask* */

  /* While it runs */
  GSubprocess    *process;
  GCancellable   *cancellable;
  GByteArray     *output;
  gsize           output_max;
  guint           timeout_id;
  guint           n_pending;    /* stdin, stdout and the exit, until done */
  gboolean        exited;       /* with status 0 */
  GError         *error;        /* the first thing that went wrong */
} Job;

struct _XiImageDecoder
{
  GObject     parent_instance;

  GStrv       argv;        /* the helper, and its arguments before ours */
  GQueue      waiting;     /* Job*, not started yet */
  GHashTable *jobs;        /* key -> Job*, waiting or running */
  GHashTable *cache;       /* key -> Outcome* */
  GQueue      cache_order; /* keys of cache, oldest first */
  guint       n_running;
  guint       n_spawned;
};

G_DEFINE_FINAL_TYPE (XiImageDecoder, xi_image_decoder, G_TYPE_OBJECT)

static void start_next (XiImageDecoder *self);

/* Auxiliary methods */

static void
outcome_free (Outcome *outcome)
{
  g_clear_object (&outcome->texture);
  g_clear_error (&outcome->error);
  g_free (outcome);
}

static void
job_free (Job *job)
{
  g_clear_handle_id (&job->timeout_id, g_source_remove);
  g_free (job->key);
  g_clear_pointer (&job->data, g_bytes_unref);
  g_free (job->path);
  g_ptr_array_unref (job->waiters);
  g_clear_object (&job->process);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->output, g_byte_array_unref);
  g_clear_error (&job->error);
  g_object_unref (job->self);
  g_free (job);
}

static void
return_outcome (GTask         *task,
                const Outcome *outcome)
{
  if (outcome->texture != NULL)
    g_task_return_pointer (task, g_object_ref (outcome->texture), g_object_unref);
  else
    g_task_return_error (task, g_error_copy (outcome->error));
}

static void
remember (XiImageDecoder *self,
          const char     *key,
          Outcome        *outcome)
{
  char *kept = g_strdup (key);

  g_hash_table_replace (self->cache, kept, outcome);
  g_queue_push_tail (&self->cache_order, kept);
  while (self->cache_order.length > CACHE_SIZE)
    g_hash_table_remove (self->cache, g_queue_pop_head (&self->cache_order));
}

static guint32
get_u32 (const guint8 *at)
{
  return (guint32) at[0] | (guint32) at[1] << 8 | (guint32) at[2] << 16 | (guint32) at[3] << 24;
}

/* What the helper wrote, if every number in it holds. */
static GdkTexture *
parse_output (Job     *job,
              GError **error)
{
  const guint8 *out = job->output->data;
  gsize len = job->output->len;
  guint32 width, height, stride, format, channels;
  g_autoptr(GBytes) pixels = NULL;

  if (len < XI_IMAGE_DECODER_HEADER_SIZE || memcmp (out, XI_IMAGE_DECODER_MAGIC, 4) != 0)
    goto refused;
  width = get_u32 (out + 4);
  height = get_u32 (out + 8);
  stride = get_u32 (out + 12);
  format = get_u32 (out + 16);
  if (format == XI_IMAGE_DECODER_FORMAT_RGB)
    channels = 3;
  else if (format == XI_IMAGE_DECODER_FORMAT_RGBA)
    channels = 4;
  else
    goto refused;
  /* Both sides within what was asked, so no product below overflows. */
  if (width < 1 || height < 1 || width > (guint32) job->max_side || height > (guint32) job->max_side ||
      stride != width * channels || len - XI_IMAGE_DECODER_HEADER_SIZE != (gsize) stride * height)
    goto refused;

  pixels = g_bytes_new (out + XI_IMAGE_DECODER_HEADER_SIZE, len - XI_IMAGE_DECODER_HEADER_SIZE);
  return gdk_memory_texture_new ((int) width, (int) height,
                                 channels == 4 ? GDK_MEMORY_R8G8B8A8 : GDK_MEMORY_R8G8B8, pixels, stride);

refused:
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The picture decoder answered nonsense"));
  return NULL;
}

static void
fail (Job    *job,
      GError *error)
{
  if (job->error == NULL)
    job->error = error;
  else
    g_error_free (error);
  g_cancellable_cancel (job->cancellable);
  if (job->process != NULL)
    g_subprocess_force_exit (job->process);
}

static void
finish (Job *job)
{
  XiImageDecoder *self = job->self;
  Outcome *outcome = g_new0 (Outcome, 1);

  g_clear_handle_id (&job->timeout_id, g_source_remove);
  if (job->error == NULL && !job->exited)
    g_set_error_literal (&job->error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The picture decoder failed"));
  if (job->error == NULL)
    outcome->texture = parse_output (job, &job->error);
  if (outcome->texture == NULL)
    outcome->error = g_error_copy (job->error);

  for (guint i = 0; i < job->waiters->len; i++)
    return_outcome (g_ptr_array_index (job->waiters, i), outcome);
  g_hash_table_remove (self->jobs, job->key);
  if (job->process != NULL && !g_error_matches (outcome->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    remember (self, job->key, outcome);
  else
    outcome_free (outcome);
  self->n_running--;
  job_free (job);
  start_next (self);
}

static void
settle (Job *job)
{
  if (--job->n_pending == 0)
    finish (job);
}

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Job *job = user_data;
  GError *error = NULL;

  /* A decoder that stops reading (it refused the picture early, or it
   * crashed) is judged by how it exits, not by the broken pipe. */
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    g_clear_error (&error);
  g_output_stream_close (G_OUTPUT_STREAM (object), NULL, NULL);
  settle (job);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Job *job = user_data;
  GError *error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);

  if (chunk == NULL)
    {
      fail (job, error);
      settle (job);
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      settle (job);
      return;
    }
  if (job->output->len + g_bytes_get_size (chunk) > job->output_max)
    {
      fail (job, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                                      _("The picture decoder answered nonsense")));
      settle (job);
      return;
    }
  g_byte_array_append (job->output, g_bytes_get_data (chunk, NULL), (guint) g_bytes_get_size (chunk));
  g_input_stream_read_bytes_async (G_INPUT_STREAM (object), READ_CHUNK, G_PRIORITY_DEFAULT, job->cancellable,
                                   read_cb, job);
}

static void
exited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Job *job = user_data;
  GError *error = NULL;

  if (g_subprocess_wait_finish (G_SUBPROCESS (object), result, &error))
    job->exited = g_subprocess_get_if_exited (job->process) && g_subprocess_get_exit_status (job->process) == 0;
  else
    fail (job, error);
  settle (job);
}

static gboolean
timed_out_cb (gpointer user_data)
{
  Job *job = user_data;

  job->timeout_id = 0;
  fail (job, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, _("The picture took too long to decode")));
  return G_SOURCE_REMOVE;
}

static gboolean
spawn_failed_cb (gpointer user_data)
{
  finish (user_data);
  return G_SOURCE_REMOVE;
}

/* Drops the waiters who left; whether any is still there. */
static gboolean
keep_waiters (Job *job)
{
  for (guint i = job->waiters->len; i > 0; i--)
    {
      GTask *task = g_ptr_array_index (job->waiters, i - 1);

      if (g_task_return_error_if_cancelled (task))
        g_ptr_array_remove_index (job->waiters, i - 1);
    }
  return job->waiters->len > 0;
}

static void
run (Job *job)
{
  XiImageDecoder *self = job->self;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;

  /* Standard error is silenced: what a hostile picture makes a loader
   * print is not for the app's log. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE |
                                        (job->path == NULL ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0));
  if (job->path != NULL)
    g_subprocess_launcher_set_stdin_file_path (launcher, job->path);
  for (guint i = 0; self->argv[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (self->argv[i]));
  g_ptr_array_add (argv, g_strdup_printf ("%d", job->max_side));
  g_ptr_array_add (argv, g_strdup_printf ("%" G_GINT64_FORMAT, job->max_pixels));
  g_ptr_array_add (argv, NULL);

  self->n_running++;
  job->cancellable = g_cancellable_new ();
  job->output = g_byte_array_new ();
  job->output_max = XI_IMAGE_DECODER_HEADER_SIZE + (gsize) job->max_side * job->max_side * 4;
  job->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  if (job->process == NULL)
    {
      /* Finished from the main loop, not from inside start_next (): a
       * missing helper must not recurse once per waiting picture. */
      job->error = error;
      g_idle_add (spawn_failed_cb, job);
      return;
    }
  self->n_spawned++;
  job->timeout_id = g_timeout_add (XI_IMAGE_DECODER_TIMEOUT_MS, timed_out_cb, job);
  job->n_pending = 2;
  if (job->path == NULL)
    {
      job->n_pending++;
      g_output_stream_write_all_async (g_subprocess_get_stdin_pipe (job->process), g_bytes_get_data (job->data, NULL),
                                       g_bytes_get_size (job->data), G_PRIORITY_DEFAULT, job->cancellable,
                                       written_cb, job);
    }
  g_input_stream_read_bytes_async (g_subprocess_get_stdout_pipe (job->process), READ_CHUNK, G_PRIORITY_DEFAULT,
                                   job->cancellable, read_cb, job);
  g_subprocess_wait_async (job->process, job->cancellable, exited_cb, job);
}

static void
start_next (XiImageDecoder *self)
{
  while (self->n_running < XI_IMAGE_DECODER_MAX_RUNNING && self->waiting.length > 0)
    {
      Job *job = g_queue_pop_head (&self->waiting);

      if (keep_waiters (job))
        {
          run (job);
          continue;
        }
      /* Everyone who asked has gone (scrolled past): nothing to start. */
      g_hash_table_remove (self->jobs, job->key);
      job_free (job);
    }
}

/* Life cycle */

static void
xi_image_decoder_finalize (GObject *object)
{
  XiImageDecoder *self = XI_IMAGE_DECODER (object);

  /* Every job holds a reference: none is left. */
  g_assert (self->waiting.length == 0 && self->n_running == 0);
  g_hash_table_unref (self->jobs);
  g_hash_table_unref (self->cache);
  g_queue_clear (&self->cache_order);
  g_strfreev (self->argv);

  G_OBJECT_CLASS (xi_image_decoder_parent_class)->finalize (object);
}

static void
xi_image_decoder_class_init (XiImageDecoderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = xi_image_decoder_finalize;

  /* A decoder that dies before reading all of a picture must not take
   * the app with it through the pipe; GSocket ignores SIGPIPE for the
   * whole process the same way. */
  signal (SIGPIPE, SIG_IGN);
}

static void
xi_image_decoder_init (XiImageDecoder *self)
{
  g_queue_init (&self->waiting);
  g_queue_init (&self->cache_order);
  self->jobs = g_hash_table_new (g_str_hash, g_str_equal);
  self->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) outcome_free);
}

/* Public API */

/**
 * xi_image_decoder_dup_helper_path:
 *
 * Returns: (transfer full): where xender-in-image-decoder is: the
 *   build folder's when `XENDER_IN_IMAGE_DECODER` names it (the tests,
 *   `meson devenv`, build-aux/run-app), else the installed one
 */
char *
xi_image_decoder_dup_helper_path (void)
{
  const char *env = g_getenv ("XENDER_IN_IMAGE_DECODER");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_build_filename (LIBEXECDIR, "xender-in-image-decoder", NULL);
}

/**
 * xi_image_decoder_new:
 * @argv: (nullable) (array zero-terminated=1): the decoder to run and
 *   its first arguments, the longest side and the most pixels being
 *   added after them; %NULL for xender-in-image-decoder
 *
 * Returns: (transfer full): a new #XiImageDecoder
 */
XiImageDecoder *
xi_image_decoder_new (const char * const *argv)
{
  XiImageDecoder *self = g_object_new (XI_TYPE_IMAGE_DECODER, NULL);

  if (argv != NULL)
    {
      g_return_val_if_fail (argv[0] != NULL, NULL);
      self->argv = g_strdupv ((char **) argv);
    }
  else
    {
      self->argv = g_new0 (char *, 2);
      self->argv[0] = xi_image_decoder_dup_helper_path ();
    }
  return self;
}

/**
 * xi_image_decoder_decode_async:
 * @key: what the picture is known by (the same key, the same picture):
 *   a second request for it is answered from the first
 * @data: (nullable): the encoded picture, as a stranger sent it
 * @path: (nullable): else a file that holds it, which the helper reads
 *   and the app does not
 * @max_side: the longest side the result may have
 * @max_pixels: the most pixels the picture may claim to hold
 *
 * Decodes a picture in a helper process; see xi_media_preview_decode ()
 * for what it accepts.
 */
void
xi_image_decoder_decode_async (XiImageDecoder      *self,
                               const char          *key,
                               GBytes              *data,
                               const char          *path,
                               int                  max_side,
                               gint64               max_pixels,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const Outcome *known;
  Job *job;

  g_return_if_fail (XI_IS_IMAGE_DECODER (self));
  g_return_if_fail (key != NULL && (data == NULL) != (path == NULL) && max_side > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_image_decoder_decode_async);
  known = g_hash_table_lookup (self->cache, key);
  if (known != NULL)
    {
      return_outcome (task, known);
      return;
    }
  job = g_hash_table_lookup (self->jobs, key);
  if (job == NULL)
    {
      job = g_new0 (Job, 1);
      job->self = g_object_ref (self);
      job->key = g_strdup (key);
      job->data = data != NULL ? g_bytes_ref (data) : NULL;
      job->path = g_strdup (path);
      job->max_side = max_side;
      job->max_pixels = max_pixels;
      job->waiters = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (self->jobs, job->key, job);
      g_queue_push_tail (&self->waiting, job);
    }
  g_ptr_array_add (job->waiters, g_steal_pointer (&task));
  start_next (self);
}

/**
 * xi_image_decoder_decode_finish:
 *
 * Returns: (transfer full) (nullable): the picture, or %NULL with @error
 *   set when it could not be decoded in time, when the decoder failed or
 *   answered what cannot be, or when the request was cancelled
 */
GdkTexture *
xi_image_decoder_decode_finish (XiImageDecoder  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xi_image_decoder_get_n_spawned:
 *
 * Returns: how many decoder processes were started, for the tests to see
 *   that a picture asked for again is not decoded again
 */
guint
xi_image_decoder_get_n_spawned (XiImageDecoder *self)
{
  g_return_val_if_fail (XI_IS_IMAGE_DECODER (self), 0);
  return self->n_spawned;
}
