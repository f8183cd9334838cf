/* test-wa-frame.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "wa-error.h"
#include "wa-frame.h"
#include "xi-test-utils.h"

/* The length-prefixed stream of WA-PROTOCOL.md §1, as a peer may cut it. */

static const char *const payloads[] = { "first", "", "the third frame", "4" };

/* Writes @payloads with one writer, as one side sends them. */
static GByteArray *
write_stream (WaFrameSide side)
{
  g_autoptr(WaFrameWriter) writer = wa_frame_writer_new (side);
  GByteArray *stream = g_byte_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (payloads); i++)
    {
      g_autoptr(GBytes) frame = NULL;
      g_autoptr(GError) error = NULL;

      frame = wa_frame_writer_write (writer, (const guint8 *) payloads[i], strlen (payloads[i]),
                                     &error);
      g_assert_no_error (error);
      g_byte_array_append (stream, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame));
    }
  return stream;
}

/* Feeds @len bytes and moves whatever frames they complete into @frames. */
static void
feed (WaFrameReader *reader,
      const guint8  *data,
      gsize          len,
      GPtrArray     *frames)
{
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GError) error = NULL;

  got = wa_frame_reader_feed (reader, data, len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
  for (guint i = 0; i < got->len; i++)
    g_ptr_array_add (frames, g_bytes_ref (g_ptr_array_index (got, i)));
}

static void
assert_payloads (GPtrArray *frames)
{
  g_assert_cmpuint (frames->len, ==, G_N_ELEMENTS (payloads));
  for (guint i = 0; i < frames->len; i++)
    {
      GBytes *frame = g_ptr_array_index (frames, i);

      g_assert_cmpmem (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame),
                       payloads[i], strlen (payloads[i]));
    }
}

static void
assert_finished (WaFrameReader *reader)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (wa_frame_reader_get_pending (reader), ==, 0);
  g_assert_true (wa_frame_reader_finish (reader, &error));
  g_assert_no_error (error);
}

static GPtrArray *
new_frames (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

/* Frames arrive cut anywhere by the WebSocket, or several at once. */
static void
test_split_anywhere (void)
{
  g_autoptr(GByteArray) stream = write_stream (WA_FRAME_SIDE_CLIENT);

  for (gsize cut = 0; cut <= stream->len; cut++)
    {
      g_autoptr(WaFrameReader) reader = wa_frame_reader_new (WA_FRAME_SIDE_SERVER);
      g_autoptr(GPtrArray) frames = new_frames ();

      feed (reader, stream->data, cut, frames);
      feed (reader, stream->data + cut, stream->len - cut, frames);
      assert_payloads (frames);
      assert_finished (reader);
    }

  /* One byte at a time: the length prefix itself arrives in pieces. */
  {
    g_autoptr(WaFrameReader) reader = wa_frame_reader_new (WA_FRAME_SIDE_SERVER);
    g_autoptr(GPtrArray) frames = new_frames ();

    for (guint i = 0; i < stream->len; i++)
      feed (reader, stream->data + i, 1, frames);
    assert_payloads (frames);
    assert_finished (reader);
  }

  /* The server's frames, with no header, read by the client. */
  {
    g_autoptr(GByteArray) replies = write_stream (WA_FRAME_SIDE_SERVER);
    g_autoptr(WaFrameReader) reader = wa_frame_reader_new (WA_FRAME_SIDE_CLIENT);
    g_autoptr(GPtrArray) frames = new_frames ();

    g_assert_cmpuint (replies->len, ==, stream->len - WA_FRAME_HEADER_LEN);
    feed (reader, replies->data, replies->len, frames);
    assert_payloads (frames);
    assert_finished (reader);
  }
}

static void
assert_prefix (gsize       len,
               const char *expected_hex)
{
  g_autoptr(WaFrameWriter) writer = wa_frame_writer_new (WA_FRAME_SIDE_SERVER);
  g_autofree guint8 *payload = g_malloc (MAX (len, 1));
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prefix = NULL;
  const guint8 *data;

  for (gsize i = 0; i < len; i++)
    payload[i] = (guint8) (i * 7);

  frame = wa_frame_writer_write (writer, payload, len, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (frame, NULL);
  g_assert_cmpuint (g_bytes_get_size (frame), ==, WA_FRAME_LENGTH_LEN + len);
  prefix = xi_test_hex (data, WA_FRAME_LENGTH_LEN);
  g_assert_cmpstr (prefix, ==, expected_hex);
  g_assert_cmpmem (data + WA_FRAME_LENGTH_LEN, len, payload, len);

  /* Read back in uneven pieces, which crosses every byte of the prefix. */
  {
    g_autoptr(WaFrameReader) reader = wa_frame_reader_new (WA_FRAME_SIDE_CLIENT);
    g_autoptr(GPtrArray) frames = new_frames ();
    gsize size = g_bytes_get_size (frame);
    gsize chunk = 1;

    for (gsize offset = 0; offset < size; chunk = chunk * 3 + 1)
      {
        gsize take = MIN (chunk, size - offset);

        feed (reader, data + offset, take, frames);
        offset += take;
      }
    g_assert_cmpuint (frames->len, ==, 1);
    g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (frames, 0), NULL),
                     g_bytes_get_size (g_ptr_array_index (frames, 0)), payload, len);
    assert_finished (reader);
  }
}

/* Three bytes, big-endian; each byte carries its own weight. */
static void
test_length_prefix (void)
{
  assert_prefix (0, "000000");
  assert_prefix (5, "000005");
  assert_prefix (0x0123, "000123");
  /* Larger than the reader's kept buffer (64 KiB): sized from the prefix. */
  assert_prefix (0x010203, "010203");
}

static void
test_connection_header (void)
{
  g_autoptr(WaFrameWriter) client = wa_frame_writer_new (WA_FRAME_SIDE_CLIENT);
  g_autoptr(WaFrameWriter) server = wa_frame_writer_new (WA_FRAME_SIDE_SERVER);
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  /* Only the client's first frame carries "WA", magic 6, dictionary 3. */
  first = wa_frame_writer_write (client, (const guint8 *) "ab", 2, &error);
  g_assert_no_error (error);
  second = wa_frame_writer_write (client, (const guint8 *) "cd", 2, &error);
  g_assert_no_error (error);
  reply = wa_frame_writer_write (server, (const guint8 *) "ef", 2, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (first, NULL), g_bytes_get_size (first),
                   "WA\x06\x03\x00\x00\x02" "ab", 9);
  g_assert_cmpmem (g_bytes_get_data (second, NULL), g_bytes_get_size (second),
                   "\x00\x00\x02" "cd", 5);
  g_assert_cmpmem (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                   "\x00\x00\x02" "ef", 5);

  /* The server strips it, even split; it is not a frame of its own. */
  {
    g_autoptr(WaFrameReader) reader = wa_frame_reader_new (WA_FRAME_SIDE_SERVER);
    g_autoptr(GPtrArray) frames = new_frames ();
    const guint8 *data = g_bytes_get_data (first, NULL);

    feed (reader, data, 1, frames);
    feed (reader, data + 1, 2, frames);
    g_assert_cmpuint (frames->len, ==, 0);
    g_assert_cmpuint (wa_frame_reader_get_pending (reader), ==, 0);
    feed (reader, data + 3, g_bytes_get_size (first) - 3, frames);
    g_assert_cmpuint (frames->len, ==, 1);
    g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (frames, 0), NULL),
                     g_bytes_get_size (g_ptr_array_index (frames, 0)), "ab", 2);
    assert_finished (reader);
  }

  /* A client announcing dictionary version 2 (Baileys 6) is served in
   * it; the reader says which version it heard. */
  {
    g_autoptr(WaFrameReader) reader = wa_frame_reader_new (WA_FRAME_SIDE_SERVER);
    g_autoptr(GPtrArray) frames = new_frames ();

    g_assert_cmpuint (wa_frame_reader_get_dict_version (reader), ==, 0);
    feed (reader, (const guint8 *) "WA\x06\x02\x00\x00\x02" "ab", 9, frames);
    g_assert_cmpuint (frames->len, ==, 1);
    g_assert_cmpuint (wa_frame_reader_get_dict_version (reader), ==, 2);
  }

  /* Anything else is refused at its first wrong byte, and for good: an
   * HTTP request, a dictionary version nobody speaks, a frame with no
   * header. */
  {
    static const struct
    {
      const char *data;
      gsize       len;
    } wrong[] = {
      { "GET / HTTP/1.1", 14 },
      { "WA\x06\x01", 4 },
      { "WA\x06\x04", 4 },
      { "WB", 2 },
      { "\x00\x00\x02" "ab", 5 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
      {
        g_autoptr(WaFrameReader) reader = wa_frame_reader_new (WA_FRAME_SIDE_SERVER);
        g_autoptr(GPtrArray) refused = NULL;

        refused = wa_frame_reader_feed (reader, (const guint8 *) wrong[i].data, wrong[i].len,
                                        &error);
        g_assert_null (refused);
        g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
        g_clear_error (&error);

        refused = wa_frame_reader_feed (reader, g_bytes_get_data (first, NULL),
                                        g_bytes_get_size (first), &error);
        g_assert_null (refused);
        g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
        g_clear_error (&error);
      }
  }

  /* The client expects no header: "WA\x06" reads as a length, and the
   * frame is simply not complete yet. */
  {
    g_autoptr(WaFrameReader) reader = wa_frame_reader_new (WA_FRAME_SIDE_CLIENT);
    g_autoptr(GPtrArray) frames = new_frames ();

    feed (reader, g_bytes_get_data (first, NULL), g_bytes_get_size (first), frames);
    g_assert_cmpuint (frames->len, ==, 0);
    g_assert_cmpuint (wa_frame_reader_get_pending (reader), ==, g_bytes_get_size (first));
  }
}

static void
assert_truncated (WaFrameReader *reader,
                  const char    *where)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (wa_frame_reader_finish (reader, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_TRUNCATED);
  if (strstr (error->message, where) == NULL)
    g_error ("expected \"%s\" in \"%s\"", where, error->message);
}

/* A stream cut short is told apart from one that ended between frames. */
static void
test_truncated (void)
{
  g_autoptr(WaFrameWriter) writer = wa_frame_writer_new (WA_FRAME_SIDE_CLIENT);
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  gsize len;

  frame = wa_frame_writer_write (writer, (const guint8 *) "abcdef", 6, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (frame, &len);

  for (gsize cut = 1; cut < len; cut++)
    {
      g_autoptr(WaFrameReader) reader = wa_frame_reader_new (WA_FRAME_SIDE_SERVER);
      g_autoptr(GPtrArray) frames = new_frames ();

      feed (reader, data, cut, frames);
      g_assert_cmpuint (frames->len, ==, 0);
      if (cut < WA_FRAME_HEADER_LEN)
        {
          g_assert_cmpuint (wa_frame_reader_get_pending (reader), ==, 0);
          assert_truncated (reader, "connection header");
        }
      else if (cut == WA_FRAME_HEADER_LEN)
        {
          /* The header alone: no frame was begun. */
          assert_finished (reader);
        }
      else if (cut < WA_FRAME_HEADER_LEN + WA_FRAME_LENGTH_LEN)
        {
          g_assert_cmpuint (wa_frame_reader_get_pending (reader), ==, cut - WA_FRAME_HEADER_LEN);
          assert_truncated (reader, "length");
        }
      else
        {
          g_assert_cmpuint (wa_frame_reader_get_pending (reader), ==, cut - WA_FRAME_HEADER_LEN);
          assert_truncated (reader, "inside a frame");
        }
    }

  /* Before anything, or after whole frames, the end is clean. */
  {
    g_autoptr(WaFrameReader) reader = wa_frame_reader_new (WA_FRAME_SIDE_SERVER);
    g_autoptr(GPtrArray) frames = new_frames ();

    assert_finished (reader);
    feed (reader, data, len, frames);
    g_assert_cmpuint (frames->len, ==, 1);
    assert_finished (reader);

    /* A whole frame and the start of the next: the first is delivered. */
    feed (reader, (const guint8 *) "\x00\x00\x01" "x\x00\x00\x09" "yz", 9, frames);
    g_assert_cmpuint (frames->len, ==, 2);
    g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (frames, 1), NULL),
                     g_bytes_get_size (g_ptr_array_index (frames, 1)), "x", 1);
    g_assert_cmpuint (wa_frame_reader_get_pending (reader), ==, 5);
    assert_truncated (reader, "(2 of 9 bytes)");
  }
}

/* The largest payload the 3-byte length can carry goes through; one more
 * byte is refused before anything is sent, header included. */
static void
test_oversized (void)
{
  g_autoptr(WaFrameWriter) writer = wa_frame_writer_new (WA_FRAME_SIDE_CLIENT);
  g_autoptr(WaFrameReader) reader = wa_frame_reader_new (WA_FRAME_SIDE_SERVER);
  g_autoptr(GPtrArray) frames = new_frames ();
  g_autofree guint8 *big = g_malloc (WA_FRAME_MAX_PAYLOAD + 1);
  g_autoptr(GBytes) refused = NULL;
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  gsize len;

  memset (big, 0x5a, WA_FRAME_MAX_PAYLOAD + 1);
  big[0] = 0x01;
  big[WA_FRAME_MAX_PAYLOAD - 1] = 0x02;

  refused = wa_frame_writer_write (writer, big, WA_FRAME_MAX_PAYLOAD + 1, &error);
  g_assert_null (refused);
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_clear_error (&error);

  frame = wa_frame_writer_write (writer, big, WA_FRAME_MAX_PAYLOAD, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (frame, &len);
  g_assert_cmpuint (len, ==, WA_FRAME_HEADER_LEN + WA_FRAME_LENGTH_LEN + WA_FRAME_MAX_PAYLOAD);
  g_assert_cmpmem (data, WA_FRAME_HEADER_LEN + WA_FRAME_LENGTH_LEN, "WA\x06\x03\xff\xff\xff", 7);

  feed (reader, data, len / 2, frames);
  g_assert_cmpuint (frames->len, ==, 0);
  feed (reader, data + len / 2, len - len / 2, frames);
  g_assert_cmpuint (frames->len, ==, 1);
  g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (frames, 0), NULL),
                   g_bytes_get_size (g_ptr_array_index (frames, 0)), big, WA_FRAME_MAX_PAYLOAD);
  assert_finished (reader);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wa/frame/split-anywhere", test_split_anywhere);
  g_test_add_func ("/wa/frame/length-prefix", test_length_prefix);
  g_test_add_func ("/wa/frame/connection-header", test_connection_header);
  g_test_add_func ("/wa/frame/truncated", test_truncated);
  g_test_add_func ("/wa/frame/oversized", test_oversized);

  return g_test_run ();
}
