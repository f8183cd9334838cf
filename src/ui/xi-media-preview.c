/* xi-media-preview.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "xi-media-preview.h"

/*
 * Previews of what customers send: the JPEG thumbnail inside a message,
 * or a downloaded picture. Both come from strangers, so only the three
 * formats WhatsApp uses are decoded, told apart by their first bytes (a
 * name or mimetype proves nothing), and the size a picture claims is
 * checked before its pixels are: a few bytes must not make us allocate
 * gigabytes. The picture is scaled while it decodes, so a large one never
 * exists at full size. This runs only in xender-in-image-decoder, never
 * in the app: what gets past these checks may still stall or crash the
 * system's loaders.
 */

typedef struct
{
  int      max_side;
  gint64   max_pixels;
  gboolean refused;
} Prepared;

static const char *
sniff_format (const guint8 *data,
              gsize         len)
{
  if (len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
    return "jpeg";
  if (len >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0)
    return "png";
  if (len >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    return "webp";
  return NULL;
}

/*
 * Whether the header of a JPEG leaves its decoding in doubt: arithmetic
 * coding (a frame marker from SOF9 to SOF15, or its conditioning table)
 * or anything other than well-formed segments before the first scan.
 * A few hundred bytes of arithmetic-coded data keep Debian 12's decoder
 * busy without end (found by fuzz-media-preview), and no phone or camera
 * writes it; a customer's picture must not stall the Inbox.
 */
static gboolean
jpeg_header_is_doubtful (const guint8 *data,
                         gsize         len)
{
  gsize at = 2;
  gsize segment;

  while (at + 1 < len)
    {
      guint8 marker = data[at + 1];

      if (data[at] != 0xff)
        return TRUE;
      if (marker == 0xff)
        {
          at++;
          continue;
        }
      if (marker == 0xda || marker == 0xd9)
        return FALSE;
      if (marker >= 0xc9 && marker <= 0xcf)
        return TRUE;
      if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7))
        {
          at += 2;
          continue;
        }
      if (marker < 0xc0)
        return TRUE;
      if (at + 3 >= len)
        return FALSE;
      segment = (gsize) data[at + 2] << 8 | data[at + 3];
      if (segment < 2)
        return TRUE;
      at += 2 + segment;
    }
  return FALSE;
}

static void
size_prepared_cb (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  Prepared        *prepared)
{
  double scale;

  if (width <= 0 || height <= 0 || width > XI_MEDIA_PREVIEW_MAX_SIDE || height > XI_MEDIA_PREVIEW_MAX_SIDE ||
      (gint64) width * height > prepared->max_pixels)
    {
      /* A size of nothing stops the loader before it allocates a pixel;
       * told to make the smallest picture instead, a JPEG claiming
       * 65,048 × 50,448 was still decoded at an eighth, 150 MB. */
      prepared->refused = TRUE;
      gdk_pixbuf_loader_set_size (loader, 0, 0);
      return;
    }
  scale = MIN (1.0, (double) prepared->max_side / MAX (width, height));
  gdk_pixbuf_loader_set_size (loader, MAX (1, (int) (width * scale)), MAX (1, (int) (height * scale)));
}

/**
 * xi_media_preview_sniff:
 * @data: what claims to be a picture
 * @flags: %XI_MEDIA_PREVIEW_TRUST_JPEG_HEADER lets a JPEG whose header
 *   is in doubt through
 *
 * Which of the formats WhatsApp uses @data is, told by its first bytes,
 * for gdk_pixbuf_loader_new_with_type (): nothing else is handed to a
 * loader.
 *
 * Returns: (nullable): "jpeg", "png" or "webp", or %NULL for anything
 *   else, for more than %XI_MEDIA_PREVIEW_MAX_BYTES, and for a JPEG whose
 *   decoding is in doubt
 */
const char *
xi_media_preview_sniff (GBytes              *data,
                        XiMediaPreviewFlags  flags)
{
  gsize len;
  const guint8 *bytes = g_bytes_get_data (data, &len);
  const char *format = sniff_format (bytes, len);

  if (format == NULL || len > XI_MEDIA_PREVIEW_MAX_BYTES ||
      (g_str_equal (format, "jpeg") && (flags & XI_MEDIA_PREVIEW_TRUST_JPEG_HEADER) == 0 &&
       jpeg_header_is_doubtful (bytes, len)))
    return NULL;
  return format;
}

/**
 * xi_media_preview_decode:
 * @data: a JPEG, PNG or WebP picture
 * @max_side: the longest side the result may have, in pixels
 * @max_pixels: the most pixels @data may claim to hold
 * @error: return location for a #GError
 *
 * Decodes @data into a picture that fits @max_side, keeping its shape.
 *
 * Returns: (transfer full) (nullable): the picture, or %NULL with
 *   @error set for anything else, for a picture that claims to be larger
 *   than %XI_MEDIA_PREVIEW_MAX_SIDE on a side or @max_pixels in all, and
 *   for more than
 *   %XI_MEDIA_PREVIEW_MAX_BYTES of data
 */
GdkPixbuf *
xi_media_preview_decode (GBytes  *data,
                         int      max_side,
                         gint64   max_pixels,
                         GError **error)
{
  return xi_media_preview_decode_full (data, max_side, max_pixels, XI_MEDIA_PREVIEW_DEFAULT, error);
}

/**
 * xi_media_preview_decode_full:
 * @flags: %XI_MEDIA_PREVIEW_TRUST_JPEG_HEADER lets a JPEG whose header
 *   is in doubt reach the decoder, which only the image decoder's tests
 *   want: they show that such a picture cannot stall the app any more
 *
 * Like xi_media_preview_decode ().
 */
GdkPixbuf *
xi_media_preview_decode_full (GBytes               *data,
                              int                   max_side,
                              gint64                max_pixels,
                              XiMediaPreviewFlags   flags,
                              GError              **error)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GError) local_error = NULL;
  Prepared prepared = { max_side, max_pixels, FALSE };
  const guint8 *bytes;
  const char *format;
  GdkPixbuf *pixbuf;
  gboolean written;
  gsize len;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (max_side > 0, NULL);

  bytes = g_bytes_get_data (data, &len);
  format = xi_media_preview_sniff (data, flags);
  if (format == NULL)
    {
      g_set_error_literal (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_UNKNOWN_TYPE,
                           _("Not a JPEG, PNG or WebP picture"));
      return NULL;
    }
  loader = gdk_pixbuf_loader_new_with_type (format, &local_error);
  if (loader == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), &prepared);

  written = gdk_pixbuf_loader_write (loader, bytes, len, &local_error);
  /* Closed in every case, or the loader complains when it is freed. */
  if ((!gdk_pixbuf_loader_close (loader, written ? &local_error : NULL) || !written) && !prepared.refused)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (prepared.refused || pixbuf == NULL)
    {
      g_set_error_literal (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_CORRUPT_IMAGE,
                           _("The picture claims a size no picture has"));
      return NULL;
    }
  return g_object_ref (pixbuf);
}
