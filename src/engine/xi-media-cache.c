/* xi-media-cache.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-media-cache"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xi-media-cache.h"
#include "xi-media-preview.h"
#include "xi-transport.h"

/*
 * Each asset uploaded once for everyone it goes to: a campaign of 10,000
 * with a picture makes one upload, and every message refers to it, as a
 * forwarded picture does. Whoever asks while the upload is under way
 * waits for it rather than starting another. An upload that fails is
 * redone once before anyone hears of it (wa-media already redoes one the
 * media host refused for an expired auth), one the server refuses
 * messages for is made again once (xi_media_cache_forget()), and one
 * older than XI_MEDIA_CACHE_REUSE_S is made again.
 *
 * The file is read whole, never mapped: a mapped file that something
 * else truncates (the user saving over it, a sync client rewriting it)
 * kills the whole app with SIGBUS at the first page that is gone, while
 * bytes read stay what they were. An asset is at most
 * XI_ASSET_MAX_DOCUMENT_BYTES, which the upload needs in memory anyway.
 * Reading it, the preview and the page count are blocking work on a
 * worker thread; the upload itself runs on the client's thread.
 */

/* WhatsApp's own previews are about this big: enough for a chat bubble
 * to show something while the picture downloads, small enough for every
 * message to carry. */
#define THUMBNAIL_SIDE    72
#define THUMBNAIL_QUALITY "60"

/*
 * A picture may be a stranger's, forwarded: gdk-pixbuf's loaders are not
 * made for hostile input, and the preview is made here, in the app. So
 * only JPEG, PNG and WebP go to their own loader (a doubtful JPEG, which
 * can keep Debian 12's decoder busy for ever, to none), sizes are refused
 * before a pixel is allocated, and the bytes go in a chunk at a time
 * until PREVIEW_TIME_LIMIT_MS is spent: then the loader is closed on what
 * it has, which ends its work, and the message goes without a preview.
 * What is decoded holds at most PREVIEW_MAX_DECODED_PIXELS, 64 MB at four
 * bytes a pixel: a JPEG is decoded at an eighth of each side, so a 50 MP
 * phone photo is well within it (and only the side cap bounds a JPEG);
 * PNG and WebP are decoded whole before they are scaled, which still
 * admits the shop's own 4096 × 4096 pictures.
 */
#define PREVIEW_TIME_LIMIT_MS      2000
#define PREVIEW_CHUNK              16384
#define PREVIEW_MAX_DECODED_PIXELS (64 * 1024 * 1024 / 4)
#define PREVIEW_JPEG_SHRINK        8

typedef struct
{
  XiSentMedia *media;
  gint64       made_at;   /* monotonic, µs */
  gboolean     replaces;  /* made because an earlier one was refused */
} Entry;

/* Every field belongs to the client's thread, where it was made. */
struct _XiMediaCache
{
  GObject     parent_instance;

  GThread    *owner;
  WaClient   *client;
  guint       preview_time_limit_ms;
  GHashTable *ready;      /* SHA-256 hex -> Entry* */
  GHashTable *pending;    /* SHA-256 hex -> GPtrArray of GTask*, waiting */
  GHashTable *forgotten;  /* SHA-256 hex of uploads refused, to make again */
  guint       n_uploads;
};

G_DEFINE_FINAL_TYPE (XiMediaCache, xi_media_cache, G_TYPE_OBJECT)

#define assert_owner(self) g_assert ((self)->owner == g_thread_self ())

/* The worker may be the last to let go of the thread's task, and with
 * it of this: neither holds the cache, which would then be finalized,
 * and dispose its client, off their thread. The upload, which ends on
 * the cache's thread, keeps its reference here. */
typedef struct
{
  XiMediaCache *cache;            /* during the upload; uploaded_cb() takes it back */
  XiAsset      *asset;
  GBytes       *plain;
  GBytes       *thumbnail;
  const char   *format;           /* of a picture: what xi_media_preview_sniff () says */
  guint         preview_time_limit_ms;
  gboolean      preview_refused;
  guint         width;
  guint         height;
  guint         page_count;
  gboolean      retried;
} Preparation;

static void
preparation_free (Preparation *preparation)
{
  g_clear_object (&preparation->asset);
  g_clear_pointer (&preparation->plain, g_bytes_unref);
  g_clear_pointer (&preparation->thumbnail, g_bytes_unref);
  g_free (preparation);
}

/* The sent media */

static void
sent_media_clear (XiSentMedia *media)
{
  g_clear_pointer (&media->upload, wa_media_upload_free);
  g_clear_pointer (&media->jpeg_thumbnail, g_bytes_unref);
}

/**
 * xi_sent_media_ref:
 * @media: an #XiSentMedia
 *
 * Returns: (transfer full): @media
 */
XiSentMedia *
xi_sent_media_ref (XiSentMedia *media)
{
  return g_rc_box_acquire (media);
}

void
xi_sent_media_unref (XiSentMedia *media)
{
  g_rc_box_release_full (media, (GDestroyNotify) sent_media_clear);
}

static void
entry_free (Entry *entry)
{
  xi_sent_media_unref (entry->media);
  g_free (entry);
}

/* Preparing, on a worker thread */

static void
size_prepared_cb (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  Preparation     *preparation)
{
  gint64 shrink = g_str_equal (preparation->format, "jpeg") ? PREVIEW_JPEG_SHRINK : 1;
  gint64 decoded_pixels = (((gint64) width + shrink - 1) / shrink) * (((gint64) height + shrink - 1) / shrink);
  double scale = MIN (1.0, (double) THUMBNAIL_SIDE / MAX (MAX (width, height), 1));

  if (width <= 0 || height <= 0 || width > XI_MEDIA_PREVIEW_MAX_SIDE || height > XI_MEDIA_PREVIEW_MAX_SIDE ||
      decoded_pixels > PREVIEW_MAX_DECODED_PIXELS)
    {
      /* A size of nothing makes the loader stop before it allocates. */
      preparation->preview_refused = TRUE;
      gdk_pixbuf_loader_set_size (loader, 0, 0);
      return;
    }
  preparation->width = width;
  preparation->height = height;
  /* Decoding straight at the preview's size keeps a large picture from
   * ever being held whole as pixels. */
  gdk_pixbuf_loader_set_size (loader, MAX (1, (int) (width * scale)), MAX (1, (int) (height * scale)));
}

/* A preview is a nicety: a picture that gdk-pixbuf cannot read is still
 * sent, without one. */
/* Whether the loader took all of the picture in time. */
static gboolean
feed_loader (GdkPixbufLoader  *loader,
             Preparation      *preparation,
             GError          **error)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (preparation->plain, &length);
  gint64 deadline = g_get_monotonic_time () + (gint64) preparation->preview_time_limit_ms * 1000;

  for (gsize at = 0; at < length; at += PREVIEW_CHUNK)
    {
      if (preparation->preview_refused)
        return FALSE;
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "out of time");
          return FALSE;
        }
      if (!gdk_pixbuf_loader_write (loader, data + at, MIN (PREVIEW_CHUNK, length - at), error))
        return FALSE;
    }
  return !preparation->preview_refused;
}

static void
make_thumbnail (Preparation *preparation)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GdkPixbuf) upright = NULL;
  g_autoptr(GdkPixbuf) flat = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *buffer = NULL;
  const char *orientation;
  GdkPixbuf *decoded = NULL;
  gboolean written;
  gsize length;
  int width, height;

  preparation->format = xi_media_preview_sniff (preparation->plain, XI_MEDIA_PREVIEW_DEFAULT);
  if (preparation->format != NULL)
    loader = gdk_pixbuf_loader_new_with_type (preparation->format, &error);
  if (loader != NULL)
    {
      g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), preparation);
      written = feed_loader (loader, preparation, &error);
      /* Closed in every case, or the loader complains when it is freed;
       * closed early, it ends with what it has. */
      if (gdk_pixbuf_loader_close (loader, written ? &error : NULL) && written)
        decoded = gdk_pixbuf_loader_get_pixbuf (loader);
    }
  if (decoded == NULL)
    {
      g_debug ("No preview for a picture: %s", error != NULL ? error->message : "refused");
      preparation->width = preparation->height = 0;
      return;
    }

  /* A phone photo says which way is up in its EXIF; WhatsApp shows it
   * turned, so its size is given turned too. */
  orientation = gdk_pixbuf_get_option (decoded, "orientation");
  if (orientation != NULL && orientation[0] >= '5' && orientation[0] <= '8')
    {
      guint swap = preparation->width;

      preparation->width = preparation->height;
      preparation->height = swap;
    }
  upright = gdk_pixbuf_apply_embedded_orientation (decoded);
  width = gdk_pixbuf_get_width (upright);
  height = gdk_pixbuf_get_height (upright);

  /* JPEG has no transparency: a PNG's clear parts become white, as
   * WhatsApp shows them. */
  flat = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  gdk_pixbuf_fill (flat, 0xffffffff);
  gdk_pixbuf_composite (upright, flat, 0, 0, width, height, 0, 0, 1, 1, GDK_INTERP_BILINEAR, 255);
  if (!gdk_pixbuf_save_to_buffer (flat, &buffer, &length, "jpeg", &error, "quality", THUMBNAIL_QUALITY, NULL))
    {
      g_debug ("No preview for a picture: %s", error->message);
      return;
    }
  preparation->thumbnail = g_bytes_new_take (g_steal_pointer (&buffer), length);
}

/* Page objects ("/Type /Page", not "/Pages") of an unencrypted PDF; a
 * compressed object stream hides them, and the count is then 0, which
 * WhatsApp takes as unknown. */
static guint
count_pdf_pages (const char *data,
                 gsize       length)
{
  const char *end = data + length;
  const char *p = data;
  guint pages = 0;

  while (p < end && (p = memmem (p, end - p, "/Type", 5)) != NULL)
    {
      p += 5;
      while (p < end && g_ascii_isspace (*p))
        p++;
      if (end - p >= 5 && memcmp (p, "/Page", 5) == 0 && (end - p == 5 || !g_ascii_isalnum (p[5])))
        pages++;
    }
  return pages;
}

static GError *
asset_changed_error (XiAsset *asset)
{
  return g_error_new (XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_ATTACHMENT_CHANGED,
                      _("The attachment “%s” in the data folder was changed or damaged since the campaign "
                        "was made. Add the file to the assets again, then resume the campaign."),
                      xi_asset_get_name (asset));
}

/* Exactly the asset's size in bytes, or an error: a file that is no
 * longer a plain file (a FIFO would block the read for ever, a device
 * never ends; the app never puts a symbolic link there, so one is not
 * followed to whatever it names) or that is shorter or longer than when
 * it was added has changed, whatever it holds now. */
static GBytes *
read_asset (XiAsset  *asset,
            GError  **error)
{
  const char *path = xi_asset_get_path (asset);
  guint64 expected = xi_asset_get_size (asset);
  g_autofree char *data = NULL;
  gsize done = 0;
  struct stat info;
  char extra;
  int fd;

  fd = path != NULL ? g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW, 0) : -1;
  if (fd < 0 && errno == ELOOP)
    {
      g_propagate_error (error, asset_changed_error (asset));
      return NULL;
    }
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_ATTACHMENT_CHANGED,
                   _("The attachment “%s” is missing from the data folder (%s). Add the file to the assets "
                     "again, then resume the campaign."),
                   xi_asset_get_name (asset), path != NULL ? g_strerror (saved_errno) : _("not on this computer"));
      return NULL;
    }
  if (fstat (fd, &info) != 0 || !S_ISREG (info.st_mode) || (guint64) info.st_size != expected ||
      expected > XI_ASSET_MAX_DOCUMENT_BYTES)
    goto changed;

  data = g_malloc (MAX (expected, 1));
  while (done < expected)
    {
      gssize got = read (fd, data + done, expected - done);

      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        goto changed;
      done += got;
    }
  /* Grown since it was measured. */
  if (read (fd, &extra, 1) != 0)
    goto changed;
  g_close (fd, NULL);
  return g_bytes_new_take (g_steal_pointer (&data), expected);

changed:
  g_close (fd, NULL);
  g_propagate_error (error, asset_changed_error (asset));
  return NULL;
}

static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Preparation *preparation = task_data;
  GError *error = NULL;

  preparation->plain = read_asset (preparation->asset, &error);
  if (preparation->plain == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (xi_asset_get_kind (preparation->asset) == XI_ASSET_KIND_IMAGE)
    make_thumbnail (preparation);
  else if (g_str_equal (xi_asset_get_mime_type (preparation->asset), "application/pdf"))
    preparation->page_count = count_pdf_pages (g_bytes_get_data (preparation->plain, NULL),
                                               g_bytes_get_size (preparation->plain));
  g_task_return_boolean (task, TRUE);
}

/* Uploading, on the client's thread */

static void
finish_waiting (XiMediaCache *self,
                const char   *sha256,
                XiSentMedia  *media,
                const GError *error)
{
  g_autoptr(GPtrArray) waiting = NULL;
  g_autofree char *key = NULL;

  g_hash_table_steal_extended (self->pending, sha256, (gpointer *) &key, (gpointer *) &waiting);
  for (guint i = 0; waiting != NULL && i < waiting->len; i++)
    {
      GTask *task = g_ptr_array_index (waiting, i);

      if (media != NULL)
        g_task_return_pointer (task, xi_sent_media_ref (media), (GDestroyNotify) xi_sent_media_unref);
      else
        g_task_return_error (task, g_error_copy (error));
    }
}

static char *
hex_of (GBytes *bytes)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  GString *hex = g_string_sized_new (2 * length);

  for (gsize i = 0; i < length; i++)
    g_string_append_printf (hex, "%02x", data[i]);
  return g_string_free (hex, FALSE);
}

static void upload (XiMediaCache *self,
                    GTask        *task);

static void
uploaded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Preparation *preparation = g_task_get_task_data (task);
  g_autoptr(XiMediaCache) self = g_steal_pointer (&preparation->cache);
  const char *sha256 = xi_asset_get_sha256 (preparation->asset);
  g_autoptr(WaMediaUpload) made = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *made_sha256 = NULL;
  XiSentMedia *media;
  Entry *entry;

  made = wa_media_upload_finish (WA_CLIENT (object), result, &error);
  if (made == NULL && !preparation->retried && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_debug ("An upload failed (%s); making it once more", error->message);
      preparation->retried = TRUE;
      upload (g_steal_pointer (&self), g_steal_pointer (&task));
      return;
    }
  if (made == NULL)
    {
      finish_waiting (self, sha256, NULL, error);
      return;
    }

  /* The campaign promised these bytes; the hash the upload computed
   * anyway proves the file still holds them. */
  made_sha256 = hex_of (made->file_sha256);
  if (g_strcmp0 (made_sha256, sha256) != 0)
    {
      g_clear_error (&error);
      error = asset_changed_error (preparation->asset);
      finish_waiting (self, sha256, NULL, error);
      return;
    }

  self->n_uploads++;
  media = g_rc_box_new0 (XiSentMedia);
  media->upload = g_steal_pointer (&made);
  media->jpeg_thumbnail = preparation->thumbnail != NULL ? g_bytes_ref (preparation->thumbnail) : NULL;
  media->width = preparation->width;
  media->height = preparation->height;
  media->page_count = preparation->page_count;
  entry = g_new0 (Entry, 1);
  entry->media = media;
  entry->made_at = g_get_monotonic_time ();
  entry->replaces = g_hash_table_remove (self->forgotten, sha256);
  g_hash_table_replace (self->ready, g_strdup (sha256), entry);
  finish_waiting (self, sha256, media, NULL);
}

/* Takes @self's reference and @task's, and gives both back to
 * uploaded_cb() on this thread. */
static void
upload (XiMediaCache *self,
        GTask        *task)
{
  Preparation *preparation = g_task_get_task_data (task);
  WaMediaType type = xi_asset_get_kind (preparation->asset) == XI_ASSET_KIND_IMAGE
                     ? WA_MEDIA_IMAGE : WA_MEDIA_DOCUMENT;

  preparation->cache = self;
  wa_media_upload_async (self->client, type, preparation->plain, NULL, uploaded_cb, task);
}

static void
prepared_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(XiMediaCache) self = user_data;
  Preparation *preparation = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  assert_owner (self);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      finish_waiting (self, xi_asset_get_sha256 (preparation->asset), NULL, error);
      return;
    }
  upload (g_steal_pointer (&self), g_object_ref (G_TASK (result)));
}

/* Object */

static void
xi_media_cache_finalize (GObject *object)
{
  XiMediaCache *self = (XiMediaCache *)object;

  g_hash_table_unref (self->ready);
  g_hash_table_unref (self->pending);
  g_hash_table_unref (self->forgotten);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (xi_media_cache_parent_class)->finalize (object);
}

static void
xi_media_cache_class_init (XiMediaCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = xi_media_cache_finalize;
}

static void
xi_media_cache_init (XiMediaCache *self)
{
  self->owner = g_thread_self ();
  self->preview_time_limit_ms = PREVIEW_TIME_LIMIT_MS;
  self->ready = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) entry_free);
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  self->forgotten = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* Public API */

/**
 * xi_media_cache_new:
 * @client: the client to upload through, on this thread
 *
 * Returns: (transfer full): an empty cache
 */
XiMediaCache *
xi_media_cache_new (WaClient *client)
{
  XiMediaCache *self;

  g_return_val_if_fail (WA_IS_CLIENT (client), NULL);

  self = g_object_new (XI_TYPE_MEDIA_CACHE, NULL);
  self->client = g_object_ref (client);
  return self;
}

/**
 * xi_media_cache_get_async:
 * @self: a #XiMediaCache
 * @asset: the asset, with its bytes at its path
 * @cancellable: (nullable): stops this caller's wait, not the upload that
 *   others may be waiting for too
 * @callback: called on this thread with the upload
 * @user_data: closure
 *
 * The upload every message with @asset refers to: the one made earlier
 * when it is recent enough, else a new one.
 */
void
xi_media_cache_get_async (XiMediaCache        *self,
                          XiAsset             *asset,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) preparing = NULL;
  const char *sha256;
  GPtrArray *waiting;
  Preparation *preparation;
  Entry *entry;

  g_return_if_fail (XI_IS_MEDIA_CACHE (self));
  g_return_if_fail (XI_IS_ASSET (asset));
  assert_owner (self);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_media_cache_get_async);
  sha256 = xi_asset_get_sha256 (asset);

  entry = g_hash_table_lookup (self->ready, sha256);
  if (entry != NULL && g_get_monotonic_time () - entry->made_at < XI_MEDIA_CACHE_REUSE_S * G_USEC_PER_SEC)
    {
      g_task_return_pointer (task, xi_sent_media_ref (entry->media), (GDestroyNotify) xi_sent_media_unref);
      return;
    }

  waiting = g_hash_table_lookup (self->pending, sha256);
  if (waiting != NULL)
    {
      g_ptr_array_add (waiting, g_steal_pointer (&task));
      return;
    }
  waiting = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (waiting, g_steal_pointer (&task));
  g_hash_table_insert (self->pending, g_strdup (sha256), waiting);

  preparation = g_new0 (Preparation, 1);
  preparation->asset = g_object_ref (asset);
  preparation->preview_time_limit_ms = self->preview_time_limit_ms;
  preparing = g_task_new (NULL, NULL, prepared_cb, g_object_ref (self));
  g_task_set_source_tag (preparing, xi_media_cache_get_async);
  g_task_set_task_data (preparing, preparation, (GDestroyNotify) preparation_free);
  g_task_run_in_thread (preparing, prepare_thread);
}

/**
 * xi_media_cache_get_finish:
 *
 * Returns: (transfer full): the upload and what messages say about it
 */
XiSentMedia *
xi_media_cache_get_finish (XiMediaCache  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xi_media_cache_forget:
 * @self: a #XiMediaCache
 * @asset: the asset a message carried
 * @stale: the upload the message referred to
 *
 * Says the server refused a message that referred to @stale, which is
 * what it does once an upload expired. The next xi_media_cache_get_async()
 * uploads @asset again, once: the new upload is not forgotten in turn,
 * so a server that refuses media messages for another reason costs one
 * more upload, not one for each recipient.
 *
 * Returns: %TRUE when a message sent again gets another upload than
 *   @stale, %FALSE when @stale was already the one made again
 */
gboolean
xi_media_cache_forget (XiMediaCache *self,
                       XiAsset      *asset,
                       XiSentMedia  *stale)
{
  const char *sha256;
  Entry *entry;

  g_return_val_if_fail (XI_IS_MEDIA_CACHE (self), FALSE);
  g_return_val_if_fail (XI_IS_ASSET (asset), FALSE);
  g_return_val_if_fail (stale != NULL, FALSE);
  assert_owner (self);

  sha256 = xi_asset_get_sha256 (asset);
  entry = g_hash_table_lookup (self->ready, sha256);
  /* Others who sent with @stale are refused too; the first one here has
   * it made again, and the rest wait for or reuse that. */
  if (entry == NULL || entry->media != stale)
    return TRUE;
  if (entry->replaces)
    return FALSE;
  g_debug ("An upload was refused; it is made again");
  g_hash_table_add (self->forgotten, g_strdup (sha256));
  g_hash_table_remove (self->ready, sha256);
  return TRUE;
}

/**
 * xi_media_cache_set_preview_time_limit:
 * @self: a #XiMediaCache
 * @limit_ms: how long a picture's preview may take from now on
 *
 * For the tests, which show that a preview that overruns is given up.
 */
void
xi_media_cache_set_preview_time_limit (XiMediaCache *self,
                                       guint         limit_ms)
{
  g_return_if_fail (XI_IS_MEDIA_CACHE (self));
  assert_owner (self);
  self->preview_time_limit_ms = limit_ms;
}

/**
 * xi_media_cache_get_n_uploads:
 * @self: a #XiMediaCache
 *
 * Returns: uploads made so far
 */
guint
xi_media_cache_get_n_uploads (XiMediaCache *self)
{
  g_return_val_if_fail (XI_IS_MEDIA_CACHE (self), 0);
  return self->n_uploads;
}
