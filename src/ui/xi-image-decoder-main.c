/* xi-image-decoder-main.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "xi-image-decoder-wire.h"
#include "xi-media-preview.h"

/*
 * xender-in-image-decoder MAX_SIDE MAX_PIXELS
 *
 * Decodes the picture on standard input with xi_media_preview_decode ()
 * and writes it as xi-image-decoder-wire.h says. The app starts one per
 * picture a customer sent, because the system's loaders are not made for
 * hostile input: one picture may keep them busy for ever or crash them,
 * and here that costs a short-lived process, not the app. The limits are
 * set before a byte is read, so they hold for whatever the picture does.
 * Exit status 0 with a picture written; anything else is "no preview".
 */

/* A 40-megapixel PNG is decoded whole before it is scaled: 160 MB of
 * pixels besides the libraries. */
#define ADDRESS_SPACE_LIMIT (768 * (rlim_t) 1024 * 1024)
#define CPU_SECONDS_LIMIT   2

static void
limit (int    resource,
       rlim_t soft,
       rlim_t hard)
{
  struct rlimit value = { soft, hard };

  if (setrlimit (resource, &value) != 0)
    {
      fprintf (stderr, "xender-in-image-decoder: setrlimit: %s\n", strerror (errno));
      exit (EXIT_FAILURE);
    }
}

static void
confine (void)
{
  /* Gone with the app, whatever the picture does. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  limit (RLIMIT_CPU, CPU_SECONDS_LIMIT, CPU_SECONDS_LIMIT + 1);
  limit (RLIMIT_AS, ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT);
  /* No file to write (a write to one fails rather than kills: the
   * message on a standard error sent to a file is lost, nothing else),
   * and no core files of a customer's picture. */
  signal (SIGXFSZ, SIG_IGN);
  limit (RLIMIT_FSIZE, 0, 0);
  limit (RLIMIT_CORE, 0, 0);
}

static GBytes *
read_input (void)
{
  g_autoptr(GByteArray) input = g_byte_array_new ();
  guint8 chunk[65536];

  for (;;)
    {
      ssize_t n = read (STDIN_FILENO, chunk, sizeof chunk);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return NULL;
      if (n == 0)
        return g_byte_array_free_to_bytes (g_steal_pointer (&input));
      /* One byte over the cap is enough for the decoder to refuse it. */
      if (input->len > XI_MEDIA_PREVIEW_MAX_BYTES)
        continue;
      g_byte_array_append (input, chunk, (guint) n);
    }
}

static void
put_u32 (guint8 *at,
         guint32 value)
{
  at[0] = value & 0xff;
  at[1] = (value >> 8) & 0xff;
  at[2] = (value >> 16) & 0xff;
  at[3] = (value >> 24) & 0xff;
}

static gboolean
write_picture (GdkPixbuf *pixbuf)
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  int rowstride = gdk_pixbuf_get_rowstride (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  guint32 stride = (guint32) (width * channels);
  guint8 header[XI_IMAGE_DECODER_HEADER_SIZE];

  if (gdk_pixbuf_get_bits_per_sample (pixbuf) != 8 || (channels != 3 && channels != 4))
    return FALSE;
  memcpy (header, XI_IMAGE_DECODER_MAGIC, 4);
  put_u32 (header + 4, (guint32) width);
  put_u32 (header + 8, (guint32) height);
  put_u32 (header + 12, stride);
  put_u32 (header + 16, channels == 4 ? XI_IMAGE_DECODER_FORMAT_RGBA : XI_IMAGE_DECODER_FORMAT_RGB);
  if (fwrite (header, sizeof header, 1, stdout) != 1)
    return FALSE;
  /* gdk-pixbuf pads rows; the app is sent them packed. */
  for (int y = 0; y < height; y++)
    if (fwrite (pixels + (gsize) y * rowstride, stride, 1, stdout) != 1)
      return FALSE;
  return fflush (stdout) == 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  XiMediaPreviewFlags flags = XI_MEDIA_PREVIEW_DEFAULT;
  gint64 max_side, max_pixels;

  confine ();
  if (argc != 3 || !g_ascii_string_to_signed (argv[1], 10, 1, XI_MEDIA_PREVIEW_MAX_SIDE, &max_side, NULL) ||
      !g_ascii_string_to_signed (argv[2], 10, 1, G_MAXINT64, &max_pixels, NULL))
    {
      fprintf (stderr, "Usage: xender-in-image-decoder MAX_SIDE MAX_PIXELS < PICTURE\n");
      return 2;
    }
  /* Only the tests set it, to show that a picture which once stalled
   * the decoder costs the app nothing now. */
  if (g_getenv ("XI_IMAGE_DECODER_TRUST_JPEG_HEADER") != NULL)
    flags |= XI_MEDIA_PREVIEW_TRUST_JPEG_HEADER;

  input = read_input ();
  if (input == NULL)
    return EXIT_FAILURE;
  pixbuf = xi_media_preview_decode_full (input, (int) max_side, max_pixels, flags, &error);
  if (pixbuf == NULL)
    {
      fprintf (stderr, "xender-in-image-decoder: %s\n", error->message);
      return EXIT_FAILURE;
    }
  return write_picture (pixbuf) ? EXIT_SUCCESS : EXIT_FAILURE;
}
