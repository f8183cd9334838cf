/* fuzz-media-preview.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for the thumbnail path: the preview a customer's
 * message carries (or a downloaded picture) decoded for the Inbox by
 * xi_media_preview_decode (), whatever the sender put there.
 *
 * The first input byte chooses the longest side asked for (1 to 128
 * pixels) and, in its lowest bit, the most pixels allowed (a message's
 * thumbnail or a downloaded picture); the rest is the picture.
 *
 * Besides sanitizer reports, a finding is: a picture returned larger than
 * asked for, or empty; a refusal without an error, or an error with a
 * picture; anything but JPEG, PNG and WebP (by their first bytes) getting
 * past the type check; or two decodings of the same bytes that differ. */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xi-media-preview.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static gboolean
known_format (const guint8 *data,
              gsize         len)
{
  return (len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff) ||
         (len >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0) ||
         (len >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0);
}

/* Every pixel is read, so a short buffer shows under ASan. */
static guint
checksum (GdkPixbuf *pixbuf)
{
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int row_bytes = gdk_pixbuf_get_width (pixbuf) * gdk_pixbuf_get_n_channels (pixbuf);
  guint sum = 0;

  for (int y = 0; y < gdk_pixbuf_get_height (pixbuf); y++)
    for (int x = 0; x < row_bytes; x++)
      sum = sum * 31 + pixels[y * stride + x];
  return sum;
}

static GdkPixbuf *
decode (GBytes *picture,
        int     side,
        gint64  max_pixels)
{
  g_autoptr(GError) error = NULL;
  GdkPixbuf *pixbuf = xi_media_preview_decode (picture, side, max_pixels, &error);

  if ((pixbuf == NULL) == (error == NULL))
    abort ();
  if (pixbuf == NULL)
    return NULL;
  if (gdk_pixbuf_get_width (pixbuf) < 1 || gdk_pixbuf_get_height (pixbuf) < 1 ||
      gdk_pixbuf_get_width (pixbuf) > side || gdk_pixbuf_get_height (pixbuf) > side)
    abort ();
  return pixbuf;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) picture = NULL;
  g_autoptr(GdkPixbuf) first = NULL;
  g_autoptr(GdkPixbuf) second = NULL;
  gint64 max_pixels;
  int side;

  if (size < 1)
    return 0;
  side = (data[0] >> 1) + 1;
  max_pixels = data[0] & 1 ? XI_MEDIA_PREVIEW_PICTURE_MAX_PIXELS : XI_MEDIA_PREVIEW_THUMBNAIL_MAX_PIXELS;
  picture = g_bytes_new (data + 1, size - 1);

  first = decode (picture, side, max_pixels);
  if (first != NULL && !known_format (data + 1, size - 1))
    abort ();
  second = decode (picture, side, max_pixels);
  if ((first == NULL) != (second == NULL))
    abort ();
  if (first != NULL &&
      (gdk_pixbuf_get_width (first) != gdk_pixbuf_get_width (second) ||
       gdk_pixbuf_get_height (first) != gdk_pixbuf_get_height (second) ||
       checksum (first) != checksum (second)))
    abort ();
  return 0;
}
