/* test-image-decoder.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "xi-image-decoder.h"
#include "xi-media-preview.h"
#include "xi-test-utils.h"

/*
 * Pictures decoded in xender-in-image-decoder, as the Inbox has them: the
 * usual formats come back at the size asked for, and once per key; a
 * picture that keeps the decoder busy for ever, a decoder that crashes,
 * hangs, or answers garbage or sizes that do not add up all end as an
 * error within the deadline while the main loop goes on turning. The
 * hostile decoders are small shell scripts given the same arguments as
 * the real one.
 */

/* What a decoder answers for a 2 × 1 RGB picture: the header, then two
 * pixels. */
#define TWO_PIXELS_HEADER "XIMG\\002\\000\\000\\000\\001\\000\\000\\000\\006\\000\\000\\000\\000\\000\\000\\000"
#define TWO_PIXELS        TWO_PIXELS_HEADER "\\377\\000\\000\\000\\377\\000"

typedef struct
{
  GdkTexture *texture;
  GError     *error;
  gboolean    done;
} Decoded;

static void
decoded_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Decoded *decoded = user_data;

  decoded->texture = xi_image_decoder_decode_finish (XI_IMAGE_DECODER (object), result, &decoded->error);
  decoded->done = TRUE;
}

static gboolean
tick_cb (gpointer user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

/* Waits for @decoded, counting how often a 20 ms timer fired meanwhile:
 * the main loop must not stall while a picture is decoded. */
static guint
wait_decoded (Decoded *decoded)
{
  guint ticks = 0;
  guint tick_id = g_timeout_add (20, tick_cb, &ticks);

  while (!decoded->done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick_id);
  return ticks;
}

static void
decoded_clear (Decoded *decoded)
{
  g_clear_object (&decoded->texture);
  g_clear_error (&decoded->error);
  decoded->done = FALSE;
}

static GdkTexture *
decode (XiImageDecoder *decoder,
        const char     *key,
        GBytes         *data,
        int             max_side,
        GError        **error)
{
  Decoded decoded = { NULL, NULL, FALSE };

  xi_image_decoder_decode_async (decoder, key, data, NULL, max_side, XI_MEDIA_PREVIEW_PICTURE_MAX_PIXELS, NULL,
                                 decoded_cb, &decoded);
  wait_decoded (&decoded);
  if (decoded.error != NULL)
    g_propagate_error (error, decoded.error);
  return decoded.texture;
}

static XiImageDecoder *
fake_decoder (const char *script)
{
  const char *argv[] = { "/bin/sh", "-c", script, "fake-decoder", NULL };

  return xi_image_decoder_new (argv);
}

static GBytes *
encode (const char *type,
        int         width,
        int         height,
        gboolean    alpha)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, width, height);
  g_autoptr(GError) error = NULL;
  char *buffer = NULL;
  gsize len = 0;

  gdk_pixbuf_fill (pixbuf, 0x3080c0ff);
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &len, type, &error, NULL));
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, len);
}

/* JPEG and PNG (WebP needs a loader this machine may not have), scaled
 * to the side asked for, from bytes and from a file; asked again, the same picture is not decoded
 * again. */
static void
test_pictures (void)
{
  g_autoptr(XiImageDecoder) decoder = xi_image_decoder_new (NULL);
  g_autoptr(GBytes) jpeg = encode ("jpeg", 480, 360, FALSE);
  g_autoptr(GBytes) png = encode ("png", 90, 300, TRUE);
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GdkTexture) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = xi_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "picture.jpg", NULL);
  Decoded decoded = { NULL, NULL, FALSE };

  texture = decode (decoder, "jpeg", jpeg, 120, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 120);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 90);
  g_assert_cmpuint (xi_image_decoder_get_n_spawned (decoder), ==, 1);

  again = decode (decoder, "jpeg", jpeg, 120, &error);
  g_assert_no_error (error);
  g_assert_true (again == texture);
  g_assert_cmpuint (xi_image_decoder_get_n_spawned (decoder), ==, 1);
  g_clear_object (&texture);

  texture = decode (decoder, "png", png, 120, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 36);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 120);
  g_clear_object (&texture);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg), NULL));
  xi_image_decoder_decode_async (decoder, "file", NULL, path, 48, XI_MEDIA_PREVIEW_PICTURE_MAX_PIXELS, NULL,
                                 decoded_cb, &decoded);
  wait_decoded (&decoded);
  g_assert_no_error (decoded.error);
  g_assert_cmpint (gdk_texture_get_width (decoded.texture), ==, 48);
  decoded_clear (&decoded);
  g_assert_cmpuint (xi_image_decoder_get_n_spawned (decoder), ==, 3);
  xi_test_rm_rf (dir);
}

/* The arithmetic-coded JPEG, let through the header check: the decoder
 * is stopped by its CPU limit or by the deadline, the answer is an error
 * within the deadline, and the main loop turned all along. */
static void
test_stalling_picture (void)
{
  g_autofree char *helper = xi_image_decoder_dup_helper_path ();
  const char *argv[] = { "/usr/bin/env", "XI_IMAGE_DECODER_TRUST_JPEG_HEADER=1", helper, NULL };
  g_autoptr(XiImageDecoder) decoder = xi_image_decoder_new (argv);
  g_autoptr(GBytes) picture = NULL;
  gsize len = 0;
  guint8 *data = g_base64_decode (XI_TEST_ARITHMETIC_JPEG, &len);
  Decoded decoded = { NULL, NULL, FALSE };
  gint64 started;
  guint ticks;

  picture = g_bytes_new_take (data, len);
  started = g_get_monotonic_time ();
  xi_image_decoder_decode_async (decoder, "arithmetic", picture, NULL, 280, XI_MEDIA_PREVIEW_THUMBNAIL_MAX_PIXELS,
                                 NULL, decoded_cb, &decoded);
  ticks = wait_decoded (&decoded);

  g_assert_null (decoded.texture);
  g_assert_nonnull (decoded.error);
  g_test_message ("ended after %" G_GINT64_FORMAT " ms: %s", (g_get_monotonic_time () - started) / 1000,
                  decoded.error->message);
  g_assert_cmpint (g_get_monotonic_time () - started, <, (XI_IMAGE_DECODER_TIMEOUT_MS + 1000) * 1000);
  /* 20 ms ticks over about two seconds of CPU at least: many, though a
   * loaded machine may skip some. */
  g_assert_cmpuint (ticks, >=, 20);
  decoded_clear (&decoded);
}

/* Decoders that answer what cannot be, exit badly, crash or hang. */
static void
test_hostile_decoders (void)
{
  struct {
    const char *script;
    int         code;
  } cases[] = {
    /* Garbage instead of the header. */
    { "cat >/dev/null; echo garbage", G_IO_ERROR_INVALID_DATA },
    /* One pixel short, and one byte too many. */
    { "cat >/dev/null; printf '" TWO_PIXELS_HEADER "\\377\\000\\000\\000\\377'", G_IO_ERROR_INVALID_DATA },
    { "cat >/dev/null; printf '" TWO_PIXELS "\\000'", G_IO_ERROR_INVALID_DATA },
    /* A stride that does not fit the width, sizes over the side asked
     * for, and a format nobody knows. */
    { "cat >/dev/null; printf 'XIMG\\002\\000\\000\\000\\001\\000\\000\\000\\007\\000\\000\\000\\000\\000\\000\\000"
      "\\377\\000\\000\\000\\377\\000\\000'", G_IO_ERROR_INVALID_DATA },
    { "cat >/dev/null; printf 'XIMG\\000\\001\\000\\000\\001\\000\\000\\000\\000\\003\\000\\000\\000\\000\\000\\000'",
      G_IO_ERROR_INVALID_DATA },
    { "cat >/dev/null; printf 'XIMG\\002\\000\\000\\000\\001\\000\\000\\000\\006\\000\\000\\000\\007\\000\\000\\000"
      "\\377\\000\\000\\000\\377\\000'", G_IO_ERROR_INVALID_DATA },
    /* Without end: more than any picture of that side can be. */
    { "cat >/dev/null; cat /dev/zero", G_IO_ERROR_MESSAGE_TOO_LARGE },
    /* A right answer, then a failure or a crash: not believed. */
    { "cat >/dev/null; printf '" TWO_PIXELS "'; exit 1", G_IO_ERROR_FAILED },
    { "cat >/dev/null; printf '" TWO_PIXELS "'; kill -SEGV $$", G_IO_ERROR_FAILED },
    { "kill -ABRT $$", G_IO_ERROR_FAILED },
    /* Reads nothing, answers nothing, never exits. */
    { "exec sleep 60", G_IO_ERROR_TIMED_OUT },
  };
  g_autoptr(GBytes) picture = encode ("jpeg", 16, 16, FALSE);

  /* The fake decoders speak the format: one that answers right is
   * believed, so the refusals below are for what they say. */
  {
    g_autoptr(XiImageDecoder) decoder = fake_decoder ("cat >/dev/null; printf '" TWO_PIXELS "'");
    g_autoptr(GdkTexture) texture = NULL;
    g_autoptr(GError) error = NULL;

    texture = decode (decoder, "fake", picture, 4, &error);
    g_assert_no_error (error);
    g_assert_cmpint (gdk_texture_get_width (texture), ==, 2);
    g_assert_cmpint (gdk_texture_get_height (texture), ==, 1);
  }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(XiImageDecoder) decoder = fake_decoder (cases[i].script);
      g_autoptr(GdkTexture) texture = NULL;
      g_autoptr(GError) error = NULL;
      gint64 started = g_get_monotonic_time ();

      texture = decode (decoder, "fake", picture, 4, &error);
      g_test_message ("%s: %s", cases[i].script, error != NULL ? error->message : "decoded");
      g_assert_error (error, G_IO_ERROR, cases[i].code);
      g_assert_null (texture);
      g_assert_cmpint (g_get_monotonic_time () - started, <, (XI_IMAGE_DECODER_TIMEOUT_MS + 1000) * 1000);
    }
}

/* A picture whose decoder ran out of time (the machine was busy) gets
 * another chance when it is asked for again; a picture the decoder
 * refused is not decoded again. */
static void
test_timeout_not_kept (void)
{
  g_autofree char *dir = g_dir_make_tmp ("xi-image-decoder-XXXXXX", NULL);
  g_autofree char *mark = g_build_filename (dir, "slow-once", NULL);
  g_autofree char *slow_once = g_strdup_printf ("cat >/dev/null; if [ -e '%s' ]; then printf '" TWO_PIXELS "'; "
                                                "else touch '%s'; exec sleep 60; fi", mark, mark);
  g_autoptr(XiImageDecoder) decoder = fake_decoder (slow_once);
  g_autoptr(XiImageDecoder) refusing = fake_decoder ("cat >/dev/null; exit 1");
  g_autoptr(GBytes) picture = encode ("jpeg", 16, 16, FALSE);
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (dir);
  texture = decode (decoder, "busy", picture, 4, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_null (texture);
  g_clear_error (&error);
  texture = decode (decoder, "busy", picture, 4, &error);
  g_assert_no_error (error);
  g_assert_nonnull (texture);
  g_assert_cmpuint (xi_image_decoder_get_n_spawned (decoder), ==, 2);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GdkTexture) refused = decode (refusing, "refused", picture, 4, &error);

      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
      g_assert_null (refused);
      g_clear_error (&error);
    }
  g_assert_cmpuint (xi_image_decoder_get_n_spawned (refusing), ==, 1);

  g_assert_cmpint (g_unlink (mark), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* No helper where it should be: an error, as for any other failure. */
static void
test_missing_helper (void)
{
  const char *argv[] = { "/nonexistent/xender-in-image-decoder", NULL };
  g_autoptr(XiImageDecoder) decoder = xi_image_decoder_new (argv);
  g_autoptr(GBytes) picture = encode ("jpeg", 16, 16, FALSE);
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  texture = decode (decoder, "missing", picture, 4, &error);
  g_assert_nonnull (error);
  g_assert_null (texture);
}

/* Five slow pictures at once: two decoders run at a time, so the last
 * ends after three turns; a request cancelled before its turn starts
 * nothing. */
static void
test_queue (void)
{
  g_autoptr(XiImageDecoder) decoder = fake_decoder ("cat >/dev/null; sleep 0.4; printf '" TWO_PIXELS "'");
  g_autoptr(GBytes) picture = encode ("jpeg", 16, 16, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Decoded decoded[6] = { { 0 } };
  gint64 started = g_get_monotonic_time ();

  for (guint i = 0; i < G_N_ELEMENTS (decoded); i++)
    {
      g_autofree char *key = g_strdup_printf ("slow %u", i);

      xi_image_decoder_decode_async (decoder, key, picture, NULL, 4, XI_MEDIA_PREVIEW_THUMBNAIL_MAX_PIXELS,
                                     i == 5 ? cancellable : NULL, decoded_cb, &decoded[i]);
    }
  g_cancellable_cancel (cancellable);
  for (guint i = 0; i < G_N_ELEMENTS (decoded); i++)
    {
      wait_decoded (&decoded[i]);
      if (i < 5)
        g_assert_no_error (decoded[i].error);
      else
        g_assert_error (decoded[i].error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      decoded_clear (&decoded[i]);
    }
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 3 * 400 * 1000);
  g_assert_cmpuint (xi_image_decoder_get_n_spawned (decoder), ==, 5);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xi/image-decoder/pictures", test_pictures);
  g_test_add_func ("/xi/image-decoder/stalling-picture", test_stalling_picture);
  g_test_add_func ("/xi/image-decoder/hostile-decoders", test_hostile_decoders);
  g_test_add_func ("/xi/image-decoder/timeout-not-kept", test_timeout_not_kept);
  g_test_add_func ("/xi/image-decoder/missing-helper", test_missing_helper);
  g_test_add_func ("/xi/image-decoder/queue", test_queue);

  return g_test_run ();
}
