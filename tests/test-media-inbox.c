/* test-media-inbox.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fakewa-server.h"
#include "wa-key-store.h"
#include "wa-lid-map.h"
#include "wa-media.h"
#include "wa-messenger-private.h"
#include "wa-privacy-token.h"
#include "xi-limits.h"
#include "xi-receiver.h"
#include "xi-store.h"
#include "xi-test-utils.h"
#include "xi-whatsapp-transport-private.h"

/*
 * A customer's pictures and files reaching the Inbox over the real
 * protocol: a customer account of ours uploads to the fake server's media
 * host and sends; the shop's transport, receiver and store (a real SQLite
 * file) keep the message with its media fields, fetch what is small
 * enough at once, and keep it as an asset (named by its SHA-256, mode
 * 0600). A larger file waits to be asked for; a download the media host
 * tampered with is refused and nothing is kept. So is a text from a
 * customer whose number WhatsApp hides.
 */

#define SHOP     "6281111111111"
#define CUSTOMER "6282222222222"

typedef struct
{
  FakewaServer *server;
  char         *dir;
  XiStore      *store;
  WaKeyStore   *shop_keys;
  WaClient     *shop;
  XiTransport  *transport;
  XiReceiver   *receiver;
  GPtrArray    *incoming;  /* XiIncoming* the receiver announced */
  WaKeyStore   *customer_keys;
  WaClient     *customer;
  WaMessenger  *messenger;
} Fixture;

static void
incoming_cb (XiReceiver *receiver,
             XiIncoming *incoming,
             Fixture    *f)
{
  g_ptr_array_add (f->incoming, g_object_ref (incoming));
}

static void
wait_until (gboolean (*done) (gpointer),
            gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  gboolean ok = FALSE;

  f->server = fakewa_server_new (&error);
  g_assert_no_error (error);
  f->dir = xi_test_make_tmpdir ();
  path = g_build_filename (f->dir, "store.db", NULL);
  f->store = xi_store_new (path);
  XI_TEST_WAIT (xi_store_open_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                ok = xi_store_open_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);

  f->shop_keys = wa_memory_key_store_new ();
  f->shop = wa_client_new (f->shop_keys, fakewa_server_get_url (f->server), fakewa_server_get_root_key (f->server));
  f->transport = xi_whatsapp_transport_new (f->shop);
  f->receiver = xi_receiver_new (f->store);
  f->incoming = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (f->receiver, "incoming", G_CALLBACK (incoming_cb), f);
  xi_receiver_add_transport (f->receiver, f->transport);
  fakewa_server_link_client (f->server, f->shop, SHOP);

  f->customer_keys = wa_memory_key_store_new ();
  f->customer = wa_client_new (f->customer_keys, fakewa_server_get_url (f->server),
                               fakewa_server_get_root_key (f->server));
  f->messenger = wa_messenger_new (f->customer);
  fakewa_server_link_client (f->server, f->customer, CUSTOMER);
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gboolean stopped = FALSE;

  if (f->receiver != NULL)
    {
      xi_receiver_stop (f->receiver, set_flag, &stopped);
      wait_until (flag_set, &stopped);
    }
  g_clear_object (&f->messenger);
  g_clear_object (&f->customer);
  g_clear_object (&f->customer_keys);
  g_clear_object (&f->receiver);
  g_clear_object (&f->transport);
  g_clear_object (&f->shop);
  g_clear_object (&f->shop_keys);
  g_ptr_array_unref (f->incoming);
  xi_store_close (f->store);
  g_assert_finalize_object (f->store);
  g_clear_object (&f->server);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  xi_test_rm_rf (f->dir);
  g_free (f->dir);
}

typedef struct
{
  GAsyncResult *result;
} Awaited;

static void
awaited_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  ((Awaited *) user_data)->result = g_object_ref (result);
}

static gboolean
awaited_done (gpointer data)
{
  return ((Awaited *) data)->result != NULL;
}

/* Some bytes of @size that are not a multiple of the AES block and differ
 * from test to test. */
static GBytes *
make_content (gsize   size,
              guint8  seed)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 31 + seed);
  return g_bytes_new_take (data, size);
}

static void
await_sent (Fixture *f,
            Awaited *awaited)
{
  g_autoptr(GError) error = NULL;

  wait_until (awaited_done, awaited);
  g_assert_true (wa_messenger_send_text_finish (f->messenger, awaited->result, &error));
  g_clear_object (&awaited->result);
  g_assert_no_error (error);
}

/* The customer uploads @content and sends it to the shop, saying it is
 * @announced bytes long (0: as long as it is). */
/* The size a sender announces when it tells the truth. */
#define TRUE_SIZE G_MAXSIZE

static void
customer_sends_announcing (Fixture     *f,
                           WaMediaType  type,
                           const char  *id,
                           GBytes      *content,
                           gsize        announced,
                           const char  *mimetype,
                           const char  *caption,
                           const char  *file_name,
                           GBytes      *thumbnail)
{
  g_autoptr(WaMediaUpload) upload = NULL;
  g_autoptr(GError) error = NULL;
  Awaited awaited = { NULL };
  WaMediaMessage media = {
    .type = type,
    .mimetype = mimetype,
    .caption = caption,
    .file_name = file_name,
    .width = type == WA_MEDIA_IMAGE ? 640 : 0,
    .height = type == WA_MEDIA_IMAGE ? 480 : 0,
    .jpeg_thumbnail = thumbnail,
  };

  wa_media_upload_async (f->customer, type, content, NULL, awaited_cb, &awaited);
  wait_until (awaited_done, &awaited);
  upload = wa_media_upload_finish (f->customer, awaited.result, &error);
  g_clear_object (&awaited.result);
  g_assert_no_error (error);

  if (announced != TRUE_SIZE)
    upload->file_length = announced;
  media.upload = upload;
  wa_messenger_send_media_async (f->messenger, SHOP "@s.whatsapp.net", id, &media, NULL, awaited_cb, &awaited);
  await_sent (f, &awaited);
}

static void
customer_sends (Fixture     *f,
                WaMediaType  type,
                const char  *id,
                GBytes      *content,
                const char  *mimetype,
                const char  *caption,
                const char  *file_name,
                GBytes      *thumbnail)
{
  customer_sends_announcing (f, type, id, content, TRUE_SIZE, mimetype, caption, file_name, thumbnail);
}

/* The customer sends @text as it is, whatever it holds. */
static void
customer_sends_text (Fixture    *f,
                     const char *id,
                     const char *text)
{
  Awaited awaited = { NULL };

  wa_messenger_send_text_async (f->messenger, SHOP "@s.whatsapp.net", id, text, NULL, awaited_cb, &awaited);
  await_sent (f, &awaited);
}

typedef struct
{
  GPtrArray *array;
  guint      length;
} Count;

static gboolean
has_length (gpointer data)
{
  Count *count = data;

  return count->array->len >= count->length;
}

static XiIncoming *
wait_for_incoming (Fixture *f,
                   guint    n)
{
  Count count = { f->incoming, n };

  wait_until (has_length, &count);
  return g_ptr_array_index (f->incoming, n - 1);
}

static void
assert_asset (const XiMediaInfo *media,
              GBytes            *content)
{
  g_autofree char *contents = NULL;
  g_autofree char *hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, content);
  g_autofree char *name = NULL;
  gsize len = 0;
  GStatBuf st;

  g_assert_nonnull (media->asset_path);
  name = g_path_get_basename (media->asset_path);
  g_assert_cmpstr (name, ==, hex);
  g_assert_true (g_file_get_contents (media->asset_path, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, g_bytes_get_data (content, NULL), g_bytes_get_size (content));
  g_assert_cmpint (g_stat (media->asset_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
download_asked (gpointer data)
{
  Fixture *f = data;

  return fakewa_server_get_n_downloads (f->server) > 0;
}

static guint
count_assets (Fixture *f)
{
  g_autofree char *folder = g_build_filename (f->dir, "assets", NULL);
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* A picture below the automatic limit arrives ready: its fields, caption
 * and preview are in the Inbox and its bytes are an asset. The same
 * message again (as after a reconnect) is neither stored nor fetched
 * twice. */
static void
test_picture_downloaded_at_once (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GBytes) picture = make_content (70001, 7);
  g_autoptr(GBytes) thumbnail = g_bytes_new_static ("\xff\xd8\xff\xd9", 4);
  const XiMediaInfo *media;
  XiIncoming *incoming;

  customer_sends (f, WA_MEDIA_IMAGE, "3EB0MEDIA00000000001", picture, "image/jpeg", "Yang ini ada?", NULL,
                  thumbnail);
  incoming = wait_for_incoming (f, 1);
  g_assert_cmpstr (xi_incoming_get_phone (incoming), ==, CUSTOMER);
  g_assert_cmpstr (xi_incoming_get_text (incoming), ==, "Yang ini ada?");
  media = xi_incoming_get_media (incoming);
  g_assert_nonnull (media);
  g_assert_cmpstr (media->kind, ==, "image");
  g_assert_cmpstr (media->mimetype, ==, "image/jpeg");
  g_assert_cmpuint (media->size, ==, 70001);
  g_assert_cmpuint (media->width, ==, 640);
  g_assert_cmpuint (media->height, ==, 480);
  g_assert_true (g_bytes_equal (media->thumbnail, thumbnail));
  assert_asset (media, picture);
  g_assert_cmpuint (count_assets (f), ==, 1);
}

/* A file above the limit waits; a download the media host corrupted or
 * cut short is refused as not the customer's file and nothing is kept;
 * an honest one is kept under the document's own name and type. */
/* A customer's phone can send any bytes for a text, a file's name or its
 * type, and up to a frame's 16 MB of them: what reaches the Inbox is
 * UTF-8 and no longer than WhatsApp's apps send, cut with an ellipsis.
 * A preview of megabytes is not kept at all. */
static void
test_hostile_text (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *huge = g_strnfill (300000, 'a');
  g_autoptr(GBytes) document = make_content (1000, 3);
  g_autoptr(GBytes) picture = make_content (2000, 5);
  g_autoptr(GBytes) preview = make_content (1024 * 1024, 9);
  const char *text;
  XiIncoming *incoming;

  customer_sends_text (f, "3EB0HOSTILE000000001", "Harga\xff\xfe berapa?");
  incoming = wait_for_incoming (f, 1);
  text = xi_incoming_get_text (incoming);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_true (g_str_has_prefix (text, "Harga"));
  g_assert_true (g_str_has_suffix (text, " berapa?"));

  customer_sends_text (f, "3EB0HOSTILE000000002", huge);
  incoming = wait_for_incoming (f, 2);
  text = xi_incoming_get_text (incoming);
  g_assert_cmpuint (g_utf8_strlen (text, -1), ==, XI_LIMIT_MESSAGE_CHARS);
  g_assert_true (g_str_has_suffix (text, "a…"));

  customer_sends (f, WA_MEDIA_DOCUMENT, "3EB0HOSTILE000000003", document, "application/pdf\xc0",
                  "Nota\xe2\x82", "nota\xff.pdf", NULL);
  incoming = wait_for_incoming (f, 3);
  g_assert_true (g_utf8_validate (xi_incoming_get_text (incoming), -1, NULL));
  g_assert_true (g_utf8_validate (xi_incoming_get_media (incoming)->file_name, -1, NULL));
  g_assert_true (g_utf8_validate (xi_incoming_get_media (incoming)->mimetype, -1, NULL));
  g_assert_true (g_str_has_prefix (xi_incoming_get_media (incoming)->file_name, "nota"));

  customer_sends (f, WA_MEDIA_IMAGE, "3EB0HOSTILE000000004", picture, "image/jpeg", NULL, NULL, preview);
  incoming = wait_for_incoming (f, 4);
  g_assert_nonnull (xi_incoming_get_media (incoming));
  g_assert_null (xi_incoming_get_media (incoming)->thumbnail);
}

static void
auto_replied_cb (XiReceiver *receiver,
                 XiIncoming *incoming,
                 const char *message_id,
                 guint      *answers)
{
  (*answers)++;
}

static gboolean
hidden_receipted (gpointer data)
{
  return !fakewa_server_awaits_receipt (((Fixture *) data)->server, SHOP ":1@s.whatsapp.net",
                                        "3EB0HIDDEN0000000001");
}

/* A customer whose number WhatsApp hides writes from its LID alone, and
 * nothing names the number while the message waits for it: the message
 * is kept all the same, under the LID, and only then receipted. Nobody
 * answers it, not even a rule that answers everything: answers go to
 * numbers. */
static void
test_hidden_number_kept (Fixture       *f,
                         gconstpointer  data)
{
  WaMessenger *shop = _xi_whatsapp_transport_get_messenger (XI_WHATSAPP_TRANSPORT (f->transport));
  g_autofree char *shop_lid = fakewa_server_dup_device_lid (f->server, SHOP ":1@s.whatsapp.net");
  g_autofree char *customer_lid = fakewa_server_dup_device_lid (f->server, CUSTOMER ":1@s.whatsapp.net");
  g_autofree char *address = g_strdup_printf ("%.*s@lid", (int) strcspn (customer_lid, ":"), customer_lid);
  g_autoptr(XiAutoReplyRule) rule = xi_auto_reply_rule_new ("Everything");
  g_autoptr(XiAutoReplyRule) saved = NULL;
  g_autoptr(GError) error = NULL;
  Awaited awaited = { NULL };
  XiIncoming *incoming;
  guint answers = 0;
  gboolean waited = FALSE;

  xi_auto_reply_rule_set_trigger (rule, XI_AUTO_REPLY_TRIGGER_ANY);
  xi_auto_reply_rule_set_reply_text (rule, "Terima kasih, kami balas segera");
  xi_store_save_auto_reply_rule_async (f->store, rule, NULL, awaited_cb, &awaited);
  wait_until (awaited_done, &awaited);
  saved = xi_store_save_auto_reply_rule_finish (f->store, awaited.result, &error);
  g_clear_object (&awaited.result);
  g_assert_no_error (error);
  g_signal_connect (f->receiver, "auto-replied", G_CALLBACK (auto_replied_cb), &answers);
  _wa_messenger_set_unresolved_check (shop, 100);
  _wa_messenger_set_unresolved_wait (shop, 500);
  /* The customer issued its token this week already: nothing names its
   * number. */
  shop_lid[strcspn (shop_lid, ":")] = '\0';
  wa_lid_map_remember (f->customer_keys, shop_lid, SHOP);
  wa_tctoken_save_sent (f->customer_keys, shop_lid, g_get_real_time () / G_USEC_PER_SEC);
  fakewa_server_set_lid_addressing (f->server, FAKEWA_LID_ADDRESSING_ONLY);

  g_test_expect_message ("wa-messenger", G_LOG_LEVEL_MESSAGE, "1 messages waited*");
  customer_sends_text (f, "3EB0HIDDEN0000000001", "Halo, masih buka?");
  incoming = wait_for_incoming (f, 1);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (xi_incoming_get_phone (incoming), ==, address);
  g_assert_cmpstr (xi_incoming_get_text (incoming), ==, "Halo, masih buka?");
  g_assert_null (xi_incoming_get_contact_id (incoming));
  wait_until (hidden_receipted, f);
  /* Time for an answer, were one coming. */
  g_timeout_add (300, set_flag, &waited);
  wait_until (flag_set, &waited);
  g_assert_cmpuint (answers, ==, 0);
}

typedef struct
{
  const char *id;
  gsize       size;       /* what the file weighs */
  gsize       announced;  /* what its message says */
} Announced;

/* A file announced far smaller than it is would be fetched at once, as
 * below the automatic limit: it is refused as soon as more arrives than
 * the announced size can encrypt to. One that does not say its size (0)
 * is not fetched at once: the limit could hold it to nothing, and the
 * download would take what the media host gives, up to 64 MB; it waits
 * to be asked for. Either way nothing is kept. */
static void
test_size_lies (Fixture       *f,
                gconstpointer  data)
{
  const Announced *announced = data;
  g_autoptr(GBytes) document = make_content (announced->size, 5);
  XiIncoming *incoming;

  customer_sends_announcing (f, WA_MEDIA_DOCUMENT, announced->id, document, announced->announced,
                             "application/pdf", NULL, "nota.pdf", NULL);
  incoming = wait_for_incoming (f, 1);
  g_assert_cmpuint (xi_incoming_get_media (incoming)->size, ==, announced->announced);
  g_assert_null (xi_incoming_get_media (incoming)->asset_path);
  g_assert_cmpuint (count_assets (f), ==, 0);
}

/* What the Inbox does when the shop opens a file that waits. */
static GBytes *
download_on_demand (Fixture            *f,
                    const XiMediaInfo  *media,
                    GError            **error)
{
  Awaited awaited = { NULL };
  GBytes *content;

  xi_transport_download_media_async (f->transport, media, NULL, awaited_cb, &awaited);
  wait_until (awaited_done, &awaited);
  content = xi_transport_download_media_finish (f->transport, awaited.result, error);
  g_clear_object (&awaited.result);
  return content;
}

static void
test_document_on_demand (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GBytes) pdf = make_content (300000, 3);
  g_autoptr(XiIncoming) saved = NULL;
  g_autoptr(XiIncoming) again = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GBytes) wrong = NULL;
  g_autoptr(GError) error = NULL;
  const FakewaMediaFault faults[] = { FAKEWA_MEDIA_FAULT_CORRUPT, FAKEWA_MEDIA_FAULT_TRUNCATE };
  const XiMediaInfo *media;
  XiIncoming *incoming;

  xi_receiver_set_auto_download_limit (f->receiver, 100000);
  customer_sends (f, WA_MEDIA_DOCUMENT, "3EB0MEDIA00000000002", pdf, "application/pdf", "Daftar harga",
                  "Daftar harga.pdf", NULL);
  incoming = wait_for_incoming (f, 1);
  media = xi_incoming_get_media (incoming);
  g_assert_cmpstr (media->kind, ==, "document");
  g_assert_cmpstr (media->file_name, ==, "Daftar harga.pdf");
  g_assert_cmpstr (xi_incoming_get_text (incoming), ==, "Daftar harga");
  g_assert_null (media->asset_path);
  g_assert_cmpuint (count_assets (f), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      fakewa_server_set_media_fault (f->server, faults[i]);
      content = download_on_demand (f, media, &error);
      g_assert_error (error, XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_CORRUPT);
      g_assert_null (content);
      g_clear_error (&error);
    }

  /* Nor does the store take bytes the message does not name. */
  wrong = make_content (300000, 4);
  XI_TEST_WAIT (xi_store_save_incoming_media_async (f->store, "3EB0MEDIA00000000002", wrong, NULL,
                                                    xi_test_store_result_cb, &slot_),
                saved = xi_store_save_incoming_media_finish (f->store, result_, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID);
  g_assert_null (saved);
  g_clear_error (&error);
  g_assert_cmpuint (count_assets (f), ==, 0);

  fakewa_server_set_media_fault (f->server, FAKEWA_MEDIA_FAULT_NONE);
  content = download_on_demand (f, media, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (content, pdf));
  XI_TEST_WAIT (xi_store_save_incoming_media_async (f->store, "3EB0MEDIA00000000002", content, NULL,
                                                    xi_test_store_result_cb, &slot_),
                saved = xi_store_save_incoming_media_finish (f->store, result_, &error));
  g_assert_no_error (error);
  assert_asset (xi_incoming_get_media (saved), pdf);
  g_assert_cmpuint (count_assets (f), ==, 1);

  XI_TEST_WAIT (xi_store_get_incoming_async (f->store, "3EB0MEDIA00000000002", NULL,
                                             xi_test_store_result_cb, &slot_),
                again = xi_store_get_incoming_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (xi_incoming_get_media (again)->asset_path, ==, xi_incoming_get_media (saved)->asset_path);
  g_assert_cmpstr (xi_incoming_get_media (again)->file_name, ==, "Daftar harga.pdf");
  g_assert_cmpstr (xi_incoming_get_media (again)->mimetype, ==, "application/pdf");
}

/* A customer sends bytes the library already holds (the shop's own price
 * list sent back): one asset, and the Inbox finds its file where the
 * library keeps it. */
static void
test_same_bytes_as_library (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GBytes) pdf = make_content (50000, 9);
  g_autofree char *file = g_build_filename (f->dir, "harga.pdf", NULL);
  g_autoptr(XiAsset) asset = NULL;
  g_autoptr(GError) error = NULL;
  XiIncoming *incoming;

  g_assert_true (g_file_set_contents (file, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), NULL));
  XI_TEST_WAIT (xi_store_add_asset_async (f->store, file, NULL, xi_test_store_result_cb, &slot_),
                asset = xi_store_add_asset_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_assets (f), ==, 1);

  customer_sends (f, WA_MEDIA_DOCUMENT, "3EB0MEDIA00000000003", pdf, "application/pdf", "", "harga.pdf", NULL);
  incoming = wait_for_incoming (f, 1);
  assert_asset (xi_incoming_get_media (incoming), pdf);
  g_assert_cmpstr (xi_incoming_get_media (incoming)->asset_path, ==, xi_asset_get_path (asset));
  g_assert_cmpuint (count_assets (f), ==, 1);
}

static gboolean
second_picture_stored (gpointer data)
{
  Fixture *f = data;

  return !fakewa_server_awaits_receipt (f->server, SHOP ":1@s.whatsapp.net", "3EB0STALLED000000002");
}

/* Two pictures small enough to fetch at once, from a media host that
 * never answers; the second waits behind the first. When the shop's
 * connection is let go (the account was unlinked or replaced) or, with
 * @data, the receiver stops, nobody waits for the download any more: the
 * message is shown at once without its file, the download stops (so
 * nothing holds the stopped receiver), and the second is shown without
 * its file too, never fetched, or the stop would wait on the host for
 * ever. Nothing is left in the media folder, and a file is fetched anew
 * when asked for. */
static void
test_download_abandoned (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GBytes) picture = make_content (1000, 13);
  g_autoptr(GBytes) second = make_content (1000, 14);
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GError) error = NULL;
  gboolean stopped = FALSE;
  XiIncoming *incoming;

  fakewa_server_set_media_fault (f->server, FAKEWA_MEDIA_FAULT_STALL);
  customer_sends (f, WA_MEDIA_IMAGE, "3EB0STALLED000000001", picture, "image/jpeg", "", NULL, NULL);
  wait_until (download_asked, f);
  customer_sends (f, WA_MEDIA_IMAGE, "3EB0STALLED000000002", second, "image/jpeg", "", NULL, NULL);
  wait_until (second_picture_stored, f);
  g_assert_cmpuint (f->incoming->len, ==, 0);

  if (data != NULL)
    {
      XiReceiver *receiver = g_steal_pointer (&f->receiver);

      xi_receiver_stop (receiver, set_flag, &stopped);
      wait_until (flag_set, &stopped);
      g_object_add_weak_pointer (G_OBJECT (receiver), (gpointer *) &receiver);
      g_object_unref (receiver);
      wait_until (pointer_cleared, &receiver);
    }
  else
    xi_receiver_remove_transport (f->receiver, f->transport);
  g_assert_null (xi_incoming_get_media (wait_for_incoming (f, 2))->asset_path);
  incoming = g_ptr_array_index (f->incoming, 0);
  g_assert_null (xi_incoming_get_media (incoming)->asset_path);
  g_assert_cmpuint (count_assets (f), ==, 0);
  g_assert_cmpuint (fakewa_server_get_n_downloads (f->server), ==, 1);

  fakewa_server_set_media_fault (f->server, FAKEWA_MEDIA_FAULT_NONE);
  content = download_on_demand (f, xi_incoming_get_media (incoming), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (content, picture));
  g_assert_cmpuint (fakewa_server_get_n_downloads (f->server), ==, 2);
}

/* The shop was away. The first message is a picture small enough to
 * fetch at once, which needs the media host from the server; what
 * follows fills the receiver's backlog past its mark while that question
 * is out, so the connection stops reading and its answer waits unread.
 * The picture is shown without its file, every message arrives, and the
 * file is fetched when asked for. */
static void
backlog_waits_for_first_picture (Fixture *f,
                                 void   (*send_rest) (Fixture *f, guint i),
                                 guint    rest)
{
  g_autoptr(GBytes) picture = make_content (1000, 11);
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GError) error = NULL;
  const XiMediaInfo *first;

  wa_client_stop (f->shop);
  customer_sends (f, WA_MEDIA_IMAGE, "3EB0BACKLOG000000000", picture, "image/jpeg", "Yang ini", NULL, NULL);
  for (guint i = 1; i <= rest; i++)
    send_rest (f, i);
  wa_client_start (f->shop);

  wait_for_incoming (f, rest + 1);
  first = xi_incoming_get_media (g_ptr_array_index (f->incoming, 0));
  g_assert_cmpstr (first->kind, ==, "image");
  g_assert_null (first->asset_path);

  content = download_on_demand (f, first, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (content, picture));
}

static void
send_picture_with_preview (Fixture *f,
                           guint    i)
{
  g_autoptr(GBytes) picture = make_content (1000, (guint8) i);
  g_autoptr(GBytes) preview = make_content (200 * 1024, (guint8) i);
  g_autofree char *id = g_strdup_printf ("3EB0PREVIEW%09u", i);

  customer_sends (f, WA_MEDIA_IMAGE, id, picture, "image/jpeg", "Lagi", NULL, preview);
}

/* 24 previews of 200 KB pass the backlog's 4 MB mark. */
static void
test_previews_past_the_mark (Fixture       *f,
                             gconstpointer  data)
{
  backlog_waits_for_first_picture (f, send_picture_with_preview, 24);
}

static void
send_text (Fixture *f,
           guint    i)
{
  g_autofree char *id = g_strdup_printf ("3EB0TEXT%012u", i);

  customer_sends_text (f, id, "Halo");
}

/* 520 texts pass the backlog's mark of 500 messages. */
static void
test_texts_past_the_mark (Fixture       *f,
                          gconstpointer  data)
{
  backlog_waits_for_first_picture (f, send_text, 520);
}

int
main (int   argc,
      char *argv[])
{
  static const Announced smaller = { "3EB0ANNOUNCED0000001", 2 * 1024 * 1024, 1000 };
  static const Announced unsaid = { "3EB0ANNOUNCED0000002", XI_RECEIVER_DEFAULT_AUTO_DOWNLOAD + 1, 0 };

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/media-inbox/picture-downloaded-at-once", Fixture, NULL, fixture_set_up,
              test_picture_downloaded_at_once, fixture_tear_down);
  g_test_add ("/media-inbox/same-bytes-as-library", Fixture, NULL, fixture_set_up,
              test_same_bytes_as_library, fixture_tear_down);
  g_test_add ("/media-inbox/hostile-text", Fixture, NULL, fixture_set_up, test_hostile_text, fixture_tear_down);
  g_test_add ("/media-inbox/hidden-number-kept", Fixture, NULL, fixture_set_up, test_hidden_number_kept,
              fixture_tear_down);
  g_test_add ("/media-inbox/larger-than-announced", Fixture, &smaller, fixture_set_up, test_size_lies,
              fixture_tear_down);
  g_test_add ("/media-inbox/size-not-announced", Fixture, &unsaid, fixture_set_up, test_size_lies,
              fixture_tear_down);
  g_test_add ("/media-inbox/download-abandoned-when-let-go", Fixture, NULL, fixture_set_up,
              test_download_abandoned, fixture_tear_down);
  g_test_add ("/media-inbox/download-abandoned-when-stopped", Fixture, "stop", fixture_set_up,
              test_download_abandoned, fixture_tear_down);
  g_test_add ("/media-inbox/document-on-demand", Fixture, NULL, fixture_set_up,
              test_document_on_demand, fixture_tear_down);
  g_test_add ("/media-inbox/previews-past-the-mark", Fixture, NULL, fixture_set_up,
              test_previews_past_the_mark, fixture_tear_down);
  g_test_add ("/media-inbox/texts-past-the-mark", Fixture, NULL, fixture_set_up,
              test_texts_past_the_mark, fixture_tear_down);
  return g_test_run ();
}
