/* test-ui-inbox-media.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/resource.h>

#include "xi-inbox-page.h"
#include "xi-loopback-transport.h"
#include "xi-media-bubble.h"
#include "xi-media-preview.h"
#include "xi-preferences-window.h"
#include "xi-test-utils.h"
#include "xi-ui-test-utils.h"
#include "xi-window.h"

/*
 * Customers' pictures and files in the Inbox, against a real store: a
 * picture already downloaded shows the picture itself, a PDF too large to
 * have been fetched shows its icon, name, size and that it is not
 * downloaded, a voice note without a caption shows as a file, and a
 * message whose "thumbnail" claims an absurd size shows an icon instead.
 * Asking to open a file that is not here, while nothing connects to
 * WhatsApp, says so under it. Screenshots go to $XI_SCREENSHOT_DIR, or
 * <G_TEST_BUILDDIR>/screenshots/: look at them.
 */

#define BUDI "6281234567890"

typedef struct
{
  XiUiFixture       ui;
  XiCampaignRunner *runner;
} Fixture;

/* A picture of @width × @height in some colours, as a JPEG. */
static GBytes *
make_jpeg (int width,
           int height)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr(GError) error = NULL;
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  char *buffer = NULL;
  gsize len = 0;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = pixels + y * stride + x * 3;

        p[0] = (guint8) (40 + 180 * x / width);
        p[1] = (guint8) (120 + 100 * y / height);
        p[2] = (guint8) (200 - 150 * x / width);
      }
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &len, "jpeg", &error, "quality", "85", NULL));
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, len);
}

/* A PNG header that claims 100,000 × 100,000 pixels, and nothing else. */
static GBytes *
make_bomb (void)
{
  static const guint8 png[] = {
    0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
    0, 0, 0, 13, 'I', 'H', 'D', 'R',
    0x00, 0x01, 0x86, 0xa0, 0x00, 0x01, 0x86, 0xa0, 8, 2, 0, 0, 0,
    0x1b, 0x3f, 0x95, 0x04,
  };

  return g_bytes_new_static (png, sizeof png);
}

static GBytes *
random_bytes (gsize len)
{
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) g_random_int ();
  return g_bytes_new_take (data, len);
}

static GBytes *
sha256_of (GBytes *content)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;

  g_checksum_update (checksum, g_bytes_get_data (content, NULL), g_bytes_get_size (content));
  g_checksum_get_digest (checksum, digest, &len);
  return g_bytes_new (digest, len);
}

/* Stores a customer's message naming a file whose content is @content. */
static void
receive_media (Fixture    *f,
               const char *message_id,
               const char *caption,
               const char *kind,
               const char *mimetype,
               const char *file_name,
               GBytes     *content,
               guint64     size,
               GBytes     *thumbnail)
{
  g_autoptr(GBytes) key = random_bytes (32);
  g_autoptr(GBytes) file_sha = sha256_of (content);
  g_autoptr(GBytes) enc_sha = random_bytes (32);
  g_autoptr(XiIncoming) incoming = NULL;
  g_autoptr(GError) error = NULL;
  XiMediaInfo media = {
    .kind = (char *) kind,
    .mimetype = (char *) mimetype,
    .file_name = (char *) file_name,
    .size = size,
    .direct_path = (char *) "/v/t62.7118-24/test.enc?ccb=9-4",
    .media_key = key,
    .file_sha256 = file_sha,
    .file_enc_sha256 = enc_sha,
    .thumbnail = thumbnail,
  };

  XI_TEST_WAIT (xi_store_record_incoming_media_async (f->ui.store, BUDI, message_id, caption, NULL, &media,
                                                      NULL, xi_test_store_result_cb, &slot_),
                incoming = xi_store_record_incoming_finish (f->ui.store, result_, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (incoming);
  g_usleep (3000);
}

static void
keep (Fixture    *f,
      const char *message_id,
      GBytes     *content)
{
  g_autoptr(XiIncoming) saved = NULL;
  g_autoptr(GError) error = NULL;

  XI_TEST_WAIT (xi_store_save_incoming_media_async (f->ui.store, message_id, content, NULL,
                                                    xi_test_store_result_cb, &slot_),
                saved = xi_store_save_incoming_media_finish (f->ui.store, result_, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) picture = make_jpeg (480, 360);
  g_autoptr(GBytes) thumbnail = make_jpeg (48, 36);
  g_autoptr(GBytes) pdf = random_bytes (4096);
  g_autoptr(GBytes) voice = random_bytes (2048);
  g_autoptr(GBytes) bomb = make_bomb ();
  g_autoptr(GError) error = NULL;
  g_autofree char *journal = NULL;

  xi_ui_fixture_setup (&f->ui, data);
  receive_media (f, "3EB0MEDIAUI1", "Yang ini masih ada, Kak?", "image", "image/jpeg", NULL, picture,
                 g_bytes_get_size (picture), thumbnail);
  keep (f, "3EB0MEDIAUI1", picture);
  receive_media (f, "3EB0MEDIAUI2", "Ini daftar harga dari toko sebelah", "document", "application/pdf",
                 "Daftar harga Juni.pdf", pdf, 6 * 1024 * 1024 + 11, NULL);
  receive_media (f, "3EB0MEDIAUI3", NULL, "audio", "audio/ogg; codecs=opus", NULL, voice, 23456, NULL);
  receive_media (f, "3EB0MEDIAUI4", "Foto produk", "image", "image/jpeg", NULL, picture, 90000, bomb);

  journal = g_build_filename (f->ui.dir, "loopback-journal.tsv", NULL);
  f->runner = xi_campaign_runner_new (f->ui.store, xi_loopback_transport_factory,
                                      g_steal_pointer (&journal), g_free);
  g_assert_true (xi_campaign_runner_start (f->runner, &error));
  g_assert_no_error (error);
  xi_context_set_runner (f->ui.context, f->runner);
  xi_ui_reload (&f->ui);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  xi_campaign_runner_stop (f->runner);
  g_clear_object (&f->runner);
  xi_ui_fixture_teardown (&f->ui, data);
}

static void
collect_bubbles (GtkWidget *widget,
                 GPtrArray *bubbles)
{
  if (XI_IS_MEDIA_BUBBLE (widget))
    g_ptr_array_add (bubbles, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_bubbles (child, bubbles);
}

typedef struct
{
  XiInboxPage *page;
  GPtrArray   *bubbles;
} Bubbles;

static gboolean
has_four_bubbles (gpointer data)
{
  Bubbles *b = data;

  g_ptr_array_set_size (b->bubbles, 0);
  collect_bubbles (xi_inbox_page_get_messages_box (b->page), b->bubbles);
  return b->bubbles->len == 4;
}

static gboolean
has_preview (gpointer data)
{
  return xi_media_bubble_has_preview (data);
}

static gboolean
has_status (gpointer data)
{
  return *xi_media_bubble_get_status (data) != '\0' &&
         !g_str_equal (xi_media_bubble_get_status (data), "Downloading…");
}

static const char *
label_text_in (GtkWidget  *widget,
               const char *prefix)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *found;

      if (GTK_IS_LABEL (child) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (child)), prefix))
        return gtk_label_get_text (GTK_LABEL (child));
      if ((found = label_text_in (child, prefix)) != NULL)
        return found;
    }
  return NULL;
}

static void
test_media_rows (Fixture       *f,
                 gconstpointer  data)
{
  XiWindow *window = xi_window_new (NULL, f->ui.context);
  g_autoptr(GPtrArray) bubbles = g_ptr_array_new ();
  XiInboxPage *page;
  GtkListView *list_view;
  XiMediaBubble *picture, *pdf, *voice, *bomb;
  Bubbles wait = { NULL, bubbles };

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 860);
  gtk_window_present (GTK_WINDOW (window));
  xi_window_show_page (window, "inbox");
  page = XI_INBOX_PAGE (xi_window_get_page (window, "inbox"));
  wait.page = page;
  g_assert_true (xi_ui_wait_for ((gboolean (*) (gpointer)) g_list_model_get_n_items,
                                 xi_inbox_page_get_conversations (page), 5000));
  list_view = GTK_LIST_VIEW (xi_ui_find_widget (GTK_WIDGET (page), GTK_TYPE_LIST_VIEW));
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (gtk_list_view_get_model (list_view)), 0);
  g_assert_true (xi_ui_wait_for (has_four_bubbles, &wait, 5000));

  picture = g_ptr_array_index (bubbles, 0);
  pdf = g_ptr_array_index (bubbles, 1);
  voice = g_ptr_array_index (bubbles, 2);
  bomb = g_ptr_array_index (bubbles, 3);

  /* The downloaded picture is shown itself; its caption follows it. */
  g_assert_true (xi_ui_wait_for (has_preview, picture, 5000));
  g_assert_nonnull (xi_incoming_get_media (xi_media_bubble_get_incoming (picture))->asset_path);
  g_assert_nonnull (label_text_in (GTK_WIDGET (picture), "JPEG"));
  g_assert_null (strstr (label_text_in (GTK_WIDGET (picture), "JPEG"), "not downloaded"));
  g_assert_nonnull (label_text_in (gtk_widget_get_parent (GTK_WIDGET (picture)), "Yang ini masih ada"));

  /* The PDF: its name, type and size, not downloaded, no preview. */
  g_assert_false (xi_media_bubble_has_preview (pdf));
  g_assert_nonnull (label_text_in (GTK_WIDGET (pdf), "Daftar harga Juni.pdf"));
  g_assert_cmpstr (label_text_in (GTK_WIDGET (pdf), "PDF"), ==, "PDF document · 6.3\u00a0MB · not downloaded");

  /* A voice note without a caption is a file of its own. */
  g_assert_false (xi_media_bubble_has_preview (voice));
  g_assert_nonnull (label_text_in (GTK_WIDGET (voice), "Audio"));
  g_assert_nonnull (label_text_in (GTK_WIDGET (voice), "Ogg"));
  /* Its bubble holds the file and the time, no empty caption. */
  g_assert_null (gtk_widget_get_prev_sibling (GTK_WIDGET (voice)));
  g_assert_null (gtk_widget_get_next_sibling (gtk_widget_get_next_sibling (GTK_WIDGET (voice))));

  /* A thumbnail that claims 100,000 × 100,000 pixels is not decoded. */
  xi_ui_spin (300);
  g_assert_false (xi_media_bubble_has_preview (bomb));
  g_assert_nonnull (label_text_in (gtk_widget_get_parent (GTK_WIDGET (bomb)), "Foto produk"));
  xi_ui_screenshot (GTK_WIDGET (window), "inbox-media");

  /* Open on a file not here: only the linked account can fetch it. */
  gtk_widget_activate_action (GTK_WIDGET (pdf), "media.open", NULL);
  g_assert_true (xi_ui_wait_for (has_status, pdf, 5000));
  g_assert_nonnull (strstr (xi_media_bubble_get_status (pdf), "Not connected to WhatsApp"));
  xi_ui_spin (200);
  xi_ui_screenshot (GTK_WIDGET (window), "inbox-media-not-connected");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* 412 bytes that claim 65,048 × 50,448 pixels, as fuzz-media-preview
 * found them. */
#define GIANT_JPEG \
  "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZGNywt" \
  "QFdBRkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09PT09P" \
  "T09PT09PT09PT09PT09PT09PT0//wAARCMUQ/hgDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcI" \
  "CQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJpbWFnZS94LU1TLWJtcRQygZGhCCNCscEVUtHw" \
  "JDNicoIRChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHkaRwtAhoeIiYoxAAAA" \
  "lpeYmZqio6Slpqeoqaqys7S1yMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDwR//Z"

/* The preview decoder on its own: the shape is kept within the side it
 * is given, and what is not a picture it decodes is refused. */
static void
test_preview_decoder (void)
{
  g_autoptr(GBytes) jpeg = make_jpeg (480, 360);
  g_autoptr(GBytes) bomb = make_bomb ();
  g_autoptr(GBytes) text = g_bytes_new_static ("%PDF-1.4", 8);
  g_autoptr(GBytes) cut = g_bytes_new_from_bytes (jpeg, 0, 200);
  g_autoptr(GBytes) arithmetic = NULL;
  gsize arithmetic_len = 0;
  guint8 *arithmetic_data = g_base64_decode (XI_TEST_ARITHMETIC_JPEG, &arithmetic_len);
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GdkPixbuf) none = NULL;
  g_autoptr(GError) error = NULL;

  arithmetic = g_bytes_new_take (arithmetic_data, arithmetic_len);
  pixbuf = xi_media_preview_decode (jpeg, 120, XI_MEDIA_PREVIEW_THUMBNAIL_MAX_PIXELS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 120);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 90);

  none = xi_media_preview_decode (bomb, 120, XI_MEDIA_PREVIEW_PICTURE_MAX_PIXELS, &error);
  g_assert_error (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_CORRUPT_IMAGE);
  g_assert_null (none);
  g_clear_error (&error);
  none = xi_media_preview_decode (text, 120, XI_MEDIA_PREVIEW_PICTURE_MAX_PIXELS, &error);
  g_assert_error (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_UNKNOWN_TYPE);
  g_assert_null (none);
  g_clear_error (&error);
  none = xi_media_preview_decode (cut, 120, XI_MEDIA_PREVIEW_PICTURE_MAX_PIXELS, &error);
  g_assert_nonnull (error);
  g_assert_null (none);
  g_clear_error (&error);
  /* Arithmetic-coded: Debian 12's decoder never returned from this one. */
  none = xi_media_preview_decode (arithmetic, 120, XI_MEDIA_PREVIEW_PICTURE_MAX_PIXELS, &error);
  g_assert_error (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_UNKNOWN_TYPE);
  g_assert_null (none);
  g_clear_error (&error);
  /* A size no picture has is refused before its pixels exist: decoded
   * at the smallest size instead, it took 150 MB and seconds. */
  {
    gsize giant_len = 0;
    g_autofree guint8 *giant_data = g_base64_decode (GIANT_JPEG, &giant_len);
    g_autoptr(GBytes) giant = g_bytes_new (giant_data, giant_len);
    struct rusage before, after;

    getrusage (RUSAGE_SELF, &before);
    none = xi_media_preview_decode (giant, 120, XI_MEDIA_PREVIEW_PICTURE_MAX_PIXELS, &error);
    getrusage (RUSAGE_SELF, &after);
    g_assert_error (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_CORRUPT_IMAGE);
    g_assert_null (none);
    g_clear_error (&error);
    g_assert_cmpint (after.ru_maxrss - before.ru_maxrss, <, 64 * 1024);
  }
  /* 480 × 360 is too many pixels for a message's own thumbnail. */
  none = xi_media_preview_decode (jpeg, 120, 480 * 360 - 1, &error);
  g_assert_error (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_CORRUPT_IMAGE);
  g_assert_null (none);
}

static void
find_media_spin (GtkWidget      *widget,
                 GtkSpinButton **found)
{
  if (GTK_IS_SPIN_BUTTON (widget) &&
      gtk_adjustment_get_upper (gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (widget))) == 100)
    *found = GTK_SPIN_BUTTON (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    find_media_spin (child, found);
}

/* Preferences set the automatic download limit, in MB, both ways. */
static void
test_preferences (Fixture       *f,
                  gconstpointer  data)
{
  GtkWidget *window = xi_preferences_window_new (f->ui.context);
  GtkSpinButton *spin = NULL;

  gtk_window_present (GTK_WINDOW (window));
  xi_ui_spin (200);
  find_media_spin (window, &spin);
  g_assert_nonnull (spin);
  g_assert_cmpfloat (gtk_spin_button_get_value (spin), ==, 5);
  gtk_spin_button_set_value (spin, 12);
  g_assert_cmpuint (g_settings_get_uint (f->ui.settings, "media-auto-download-mb"), ==, 12);
  g_settings_set_uint (f->ui.settings, "media-auto-download-mb", 0);
  g_assert_cmpfloat (gtk_spin_button_get_value (spin), ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  int skip = xi_ui_init (&argc, &argv);

  if (skip != 0)
    return skip;

  g_test_add_func ("/xi/ui/inbox-media/preview-decoder", test_preview_decoder);
  g_test_add ("/xi/ui/inbox-media/rows", Fixture, NULL, fixture_setup, test_media_rows, fixture_teardown);
  g_test_add ("/xi/ui/inbox-media/preferences", Fixture, NULL, fixture_setup, test_preferences, fixture_teardown);

  return g_test_run ();
}
