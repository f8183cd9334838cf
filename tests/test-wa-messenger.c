/* test-wa-messenger.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/resource.h>

#include "fakewa-server.h"
#include "wa-e2e.pb-c.h"
#include "wa-ab-props.h"
#include "wa-error.h"
#include "wa-key-store.h"
#include "wa-messenger-private.h"
#include "xi-test-utils.h"
#include "wa-lid-map.h"
#include "wa-privacy-token.h"
#include "wa-proto.h"

/* Two accounts of ours, a shop and a customer, on one fake server: what
 * one sends, the other decrypts; receipts come back; nothing is lost
 * while one is offline, and sessions survive a restart. */

#define SHOP     "6281111111111"
#define CUSTOMER "6282222222222"
#define STRANGER "6283333333333"

#define SHOP_DEVICE     SHOP ":1@s.whatsapp.net"
#define CUSTOMER_DEVICE CUSTOMER ":2@s.whatsapp.net"

typedef struct
{
  WaKeyStore  *store;
  WaClient    *client;
  WaMessenger *messenger;
  GPtrArray   *received;   /* WaIncomingMessage* */
  GPtrArray   *receipts;   /* "id from type" */
  gboolean     keeps;      /* its app keeps what it receives, and confirms it then */
} Side;

typedef struct
{
  FakewaServer *server;
  Side          shop;
  Side          customer;
  Side          stranger;  /* linked by the tests that need a third account */
  GPtrArray    *relays;    /* "from to type" */
  gint64        clock_offset; /* added to the shop messenger's clock */
} Fixture;

static gboolean
message_cb (WaMessenger       *messenger,
            WaIncomingMessage *message,
            Side              *side)
{
  g_ptr_array_add (side->received, wa_incoming_message_copy (message));
  return side->keeps;
}

static void
receipt_cb (WaMessenger *messenger,
            const char  *id,
            const char  *from,
            const char  *type,
            gint64       timestamp,
            Side        *side)
{
  g_assert_cmpint (timestamp, >, 0);
  g_ptr_array_add (side->receipts, g_strdup_printf ("%s %s %s", id, from, type != NULL ? type : "delivered"));
}

static void
relayed_cb (FakewaServer *server,
            const char   *from,
            const char   *to,
            const char   *type,
            Fixture      *f)
{
  g_ptr_array_add (f->relays, g_strdup_printf ("%s %s %s", from, to, type));
}

static void
wait_until (gboolean (*done) (gpointer),
            gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
xi_spin_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static void
create_side (Fixture *f,
             Side    *side)
{
  side->client = wa_client_new (side->store, fakewa_server_get_url (f->server), fakewa_server_get_root_key (f->server));
  wa_client_set_backoff (side->client, 20, 200);
  side->messenger = wa_messenger_new (side->client);
  g_signal_connect (side->messenger, "message", G_CALLBACK (message_cb), side);
  wa_messenger_set_keeping (side->messenger, TRUE);
  g_signal_connect (side->messenger, "receipt", G_CALLBACK (receipt_cb), side);
}

static void
start_side (Fixture *f,
            Side    *side)
{
  create_side (f, side);
  wa_client_start (side->client);
}

static void
stop_side (Side *side)
{
  g_clear_object (&side->messenger);
  g_clear_object (&side->client);
}

static void
link_side (Fixture    *f,
           Side       *side,
           const char *phone,
           const char *push_name)
{
  g_autoptr(GBytes) name = g_bytes_new (push_name, strlen (push_name));

  side->store = wa_memory_key_store_new ();
  /* As app-state sync leaves it. */
  wa_key_store_save (side->store, WA_CLIENT_PUSH_NAME_KIND, WA_CLIENT_PUSH_NAME_KEY, name);
  side->received = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_incoming_message_free);
  side->receipts = g_ptr_array_new_with_free_func (g_free);
  create_side (f, side);
  fakewa_server_link_client (f->server, side->client, phone);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->server = fakewa_server_new (&error);
  g_assert_no_error (error);
  f->relays = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->server, "relayed", G_CALLBACK (relayed_cb), f);
  link_side (f, &f->shop, SHOP, "Toko @Budi");
  link_side (f, &f->customer, CUSTOMER, "Budi");
}

static void
side_clear (Side *side)
{
  stop_side (side);
  g_clear_object (&side->store);
  g_clear_pointer (&side->received, g_ptr_array_unref);
  g_clear_pointer (&side->receipts, g_ptr_array_unref);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  side_clear (&f->shop);
  side_clear (&f->customer);
  side_clear (&f->stranger);
  g_clear_object (&f->server);
  g_ptr_array_unref (f->relays);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

typedef struct
{
  gboolean  done;
  GError   *error;
} Sent;

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Sent *sent = user_data;

  wa_messenger_send_text_finish (WA_MESSENGER (object), result, &sent->error);
  sent->done = TRUE;
}

static gboolean
sent_done (gpointer data)
{
  return ((Sent *) data)->done;
}

static GError *
send_text (Side       *side,
           const char *to,
           const char *id,
           const char *text)
{
  Sent sent = { FALSE, NULL };

  wa_messenger_send_text_async (side->messenger, to, id, text, NULL, sent_cb, &sent);
  wait_until (sent_done, &sent);
  return sent.error;
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

static void
wait_for_length (GPtrArray *array,
                 guint      length)
{
  Count count = { array, length };

  wait_until (has_length, &count);
}

static gboolean
contains (GPtrArray  *strings,
          const char *wanted)
{
  for (guint i = 0; i < strings->len; i++)
    if (g_str_equal (g_ptr_array_index (strings, i), wanted))
      return TRUE;
  return FALSE;
}

static void
test_conversation (Fixture       *f,
                   gconstpointer  data)
{
  const char *text = "Halo Kak Budi, promo akhir bulan: diskon 20% 🙏";
  WaIncomingMessage *message;
  GError *error;

  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0AAAA000000000001", text);
  g_assert_no_error (error);
  wait_for_length (f->customer.received, 1);
  message = g_ptr_array_index (f->customer.received, 0);
  g_assert_cmpstr (message->id, ==, "3EB0AAAA000000000001");
  g_assert_cmpstr (message->text, ==, text);
  g_assert_cmpstr (message->chat, ==, SHOP "@s.whatsapp.net");
  g_assert_cmpstr (message->sender, ==, SHOP ":1@s.whatsapp.net");
  g_assert_cmpint (message->timestamp, >, 0);
  /* The customer's phone and companion were new to the shop. */
  g_assert_true (contains (f->relays, SHOP ":1@s.whatsapp.net " CUSTOMER ":2@s.whatsapp.net pkmsg"));
  g_assert_true (contains (f->relays, SHOP ":1@s.whatsapp.net " CUSTOMER "@s.whatsapp.net pkmsg"));

  /* Delivered: by the customer's companion and by the customer's phone. */
  wait_for_length (f->shop.receipts, 2);
  g_assert_true (contains (f->shop.receipts, "3EB0AAAA000000000001 " CUSTOMER ":2@s.whatsapp.net delivered"));
  g_assert_true (contains (f->shop.receipts, "3EB0AAAA000000000001 " CUSTOMER "@s.whatsapp.net delivered"));

  /* The reply rides the session the first message started. */
  error = send_text (&f->customer, SHOP "@s.whatsapp.net", "3EB0BBBB000000000001", "STOP");
  g_assert_no_error (error);
  wait_for_length (f->shop.received, 1);
  message = g_ptr_array_index (f->shop.received, 0);
  g_assert_cmpstr (message->text, ==, "STOP");
  g_assert_cmpstr (message->chat, ==, CUSTOMER "@s.whatsapp.net");
  g_assert_true (contains (f->relays, CUSTOMER ":2@s.whatsapp.net " SHOP ":1@s.whatsapp.net msg"));
}

/* How many receipts for @id came from @from. */
static guint
count_receipts_from (Side       *side,
                     const char *id,
                     const char *from)
{
  g_autofree char *prefix = g_strdup_printf ("%s %s ", id, from);
  guint count = 0;

  for (guint i = 0; i < side->receipts->len; i++)
    count += g_str_has_prefix (g_ptr_array_index (side->receipts, i), prefix);
  return count;
}

static gboolean
shop_caught_up (gpointer data)
{
  return wa_client_get_caught_up (((Fixture *) data)->shop.client);
}

static gboolean
shop_receipted (gpointer data)
{
  return count_receipts_from (&((Fixture *) data)->customer, "3EB0CAFE000000000001", SHOP_DEVICE) > 0;
}

/* A message the app keeps is receipted only once the app says it has
 * kept it: until then the server delivers it again on each connection,
 * and that copy (a duplicate to the session) is not receipted either. */
static void
test_receipt_when_kept (Fixture       *f,
                        gconstpointer  data)
{
  GError *error;

  f->shop.keeps = TRUE;
  error = send_text (&f->customer, SHOP "@s.whatsapp.net", "3EB0CAFE000000000001", "Masih ada?");
  g_assert_no_error (error);
  wait_for_length (f->shop.received, 1);

  fakewa_server_drop_all (f->server);
  fakewa_wait_for_client (f->shop.client, WA_CLIENT_STATE_WAITING);
  fakewa_wait_for_client (f->shop.client, WA_CLIENT_STATE_CONNECTED);
  wait_until (shop_caught_up, f);
  fakewa_wait_for_client (f->customer.client, WA_CLIENT_STATE_CONNECTED);
  g_assert_cmpuint (f->shop.received->len, ==, 1);
  g_assert_cmpuint (count_receipts_from (&f->customer, "3EB0CAFE000000000001", SHOP_DEVICE), ==, 0);

  wa_messenger_confirm (f->shop.messenger, "3EB0CAFE000000000001");
  wait_until (shop_receipted, f);
  wa_messenger_confirm (f->shop.messenger, "3EB0CAFE000000000001");
  error = send_text (&f->customer, SHOP "@s.whatsapp.net", "3EB0CAFE000000000002", "Halo?");
  g_assert_no_error (error);
  wait_for_length (f->shop.received, 2);
  g_assert_cmpuint (count_receipts_from (&f->customer, "3EB0CAFE000000000001", SHOP_DEVICE), ==, 1);
}

#define DEVICE_LISTS_MAX 4
#define BATCH            (3 * DEVICE_LISTS_MAX)

/* A campaign's batches of recipients keep no more device lists than the
 * bound, the most recently used among them, and a list dropped is asked
 * for again. */
static void
test_device_lists_bounded (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_free);
  GError *error;

  _wa_messenger_set_device_lists_max (f->shop.messenger, DEVICE_LISTS_MAX);
  for (guint i = 0; i < BATCH; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62844000%04u", i);

      fakewa_server_add_account (f->server, phone);
      g_ptr_array_add (users, g_strconcat (phone, "@s.whatsapp.net", NULL));
    }
  g_ptr_array_add (users, NULL);

  /* The send goes after the batch query on the same connection, so once
   * it is done, the batch's answer has been kept. */
  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0DDDD000000000001", "Halo");
  g_assert_no_error (error);
  wa_messenger_prefetch (f->shop.messenger, (const char * const *) users->pdata);
  error = send_text (&f->shop, g_ptr_array_index (users, BATCH - 1), "3EB0DDDD000000000002", "Halo");
  g_assert_no_error (error);
  g_assert_cmpuint (_wa_messenger_count_device_lists (f->shop.messenger), <=, DEVICE_LISTS_MAX);

  error = send_text (&f->shop, g_ptr_array_index (users, 0), "3EB0DDDD000000000003", "Halo");
  g_assert_no_error (error);
  g_assert_cmpuint (_wa_messenger_count_device_lists (f->shop.messenger), <=, DEVICE_LISTS_MAX);
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

static WaMediaUpload *
upload (Side        *side,
        WaMediaType  type,
        GBytes      *content)
{
  Awaited awaited = { NULL };
  g_autoptr(GError) error = NULL;
  WaMediaUpload *up;

  wa_media_upload_async (side->client, type, content, NULL, awaited_cb, &awaited);
  wait_until (awaited_done, &awaited);
  up = wa_media_upload_finish (side->client, awaited.result, &error);
  g_object_unref (awaited.result);
  g_assert_no_error (error);
  return up;
}

static GBytes *
download (Side                  *side,
          const WaIncomingMedia *media)
{
  Awaited awaited = { NULL };
  g_autoptr(GError) error = NULL;
  WaMediaRef ref = { media->direct_path, media->media_key, media->file_enc_sha256, media->file_sha256 };
  GBytes *content;

  wa_media_download_async (side->client, media->type, &ref, NULL, awaited_cb, &awaited);
  wait_until (awaited_done, &awaited);
  content = wa_media_download_finish (side->client, awaited.result, &error);
  g_object_unref (awaited.result);
  g_assert_no_error (error);
  return content;
}

static GError *
send_media (Side                 *side,
            const char           *to,
            const char           *id,
            const WaMediaMessage *media)
{
  Sent sent = { FALSE, NULL };

  wa_messenger_send_media_async (side->messenger, to, id, media, NULL, sent_cb, &sent);
  wait_until (sent_done, &sent);
  return sent.error;
}

/* A picture and a PDF reach the customer as media messages (type
 * "media", mediatype on each part) whose references download to the
 * same bytes; the caption is the message's text. */
static void
test_media (Fixture       *f,
            gconstpointer  data)
{
  static const char pdf_text[] = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
  g_autoptr(GBytes) picture = g_bytes_new_take (g_malloc0 (20000), 20000);
  g_autoptr(GBytes) pdf = g_bytes_new_static (pdf_text, sizeof pdf_text - 1);
  g_autoptr(GBytes) thumbnail = g_bytes_new_static ("\xff\xd8\xff\xd9", 4);
  g_autoptr(WaMediaUpload) picture_up = upload (&f->shop, WA_MEDIA_IMAGE, picture);
  g_autoptr(WaMediaUpload) pdf_up = upload (&f->shop, WA_MEDIA_DOCUMENT, pdf);
  WaMediaMessage image = { WA_MEDIA_IMAGE, picture_up, "image/jpeg", "Promo akhir bulan", NULL, 640, 480, 0,
                           thumbnail };
  WaMediaMessage document = { WA_MEDIA_DOCUMENT, pdf_up, "application/pdf", "Daftar harga", "harga.pdf", 0, 0, 1,
                              NULL };
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GBytes) short_sum = g_bytes_new_static ("x", 1);
  WaMediaUpload short_sum_up;
  WaIncomingMessage *message;
  GError *error;

  error = send_media (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0CCCC000000000001", &image);
  g_assert_no_error (error);
  error = send_media (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0CCCC000000000002", &document);
  g_assert_no_error (error);
  wait_for_length (f->customer.received, 2);
  g_assert_true (contains (f->relays, SHOP ":1@s.whatsapp.net " CUSTOMER ":2@s.whatsapp.net pkmsg media:image"));
  /* Still pkmsg: the customer has not answered on the session yet. */
  g_assert_true (contains (f->relays, SHOP ":1@s.whatsapp.net " CUSTOMER ":2@s.whatsapp.net pkmsg media:document"));

  message = g_ptr_array_index (f->customer.received, 0);
  g_assert_cmpstr (message->text, ==, "Promo akhir bulan");
  g_assert_nonnull (message->media);
  g_assert_cmpint (message->media->type, ==, WA_MEDIA_IMAGE);
  g_assert_cmpstr (message->media->mimetype, ==, "image/jpeg");
  g_assert_cmpuint (message->media->width, ==, 640);
  g_assert_cmpuint (message->media->height, ==, 480);
  g_assert_cmpuint (message->media->file_length, ==, 20000);
  g_assert_true (g_bytes_equal (message->media->jpeg_thumbnail, thumbnail));
  back = download (&f->customer, message->media);
  g_assert_true (g_bytes_equal (back, picture));
  g_clear_pointer (&back, g_bytes_unref);

  message = g_ptr_array_index (f->customer.received, 1);
  g_assert_cmpstr (message->text, ==, "Daftar harga");
  g_assert_cmpint (message->media->type, ==, WA_MEDIA_DOCUMENT);
  g_assert_cmpstr (message->media->mimetype, ==, "application/pdf");
  g_assert_cmpstr (message->media->file_name, ==, "harga.pdf");
  g_assert_null (message->media->jpeg_thumbnail);
  back = download (&f->customer, message->media);
  g_assert_true (g_bytes_equal (back, pdf));

  /* A text message has no media. */
  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0CCCC000000000003", "Terima kasih");
  g_assert_no_error (error);
  wait_for_length (f->customer.received, 3);
  message = g_ptr_array_index (f->customer.received, 2);
  g_assert_null (message->media);

  /* A picture whose checksum is not a SHA-256 (a modified client can
   * send one) could never be checked nor stored: it arrives as its
   * caption. */
  short_sum_up = *picture_up;
  short_sum_up.file_sha256 = short_sum;
  image.upload = &short_sum_up;
  error = send_media (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0CCCC000000000004", &image);
  g_assert_no_error (error);
  wait_for_length (f->customer.received, 4);
  message = g_ptr_array_index (f->customer.received, 3);
  g_assert_cmpstr (message->text, ==, "Promo akhir bulan");
  g_assert_null (message->media);
}

static void
test_not_on_whatsapp (Fixture       *f,
                      gconstpointer  data)
{
  GError *error = send_text (&f->shop, "6289999999999@s.whatsapp.net", "3EB0CCCC000000000001", "Halo");

  g_assert_error (error, WA_ERROR, WA_ERROR_NOT_ON_WHATSAPP);
  g_clear_error (&error);

  error = send_text (&f->shop, "6289999999999:3@s.whatsapp.net", "3EB0CCCC000000000002", "Halo");
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_clear_error (&error);

  fakewa_server_refuse_messages (f->server, "463");
  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0CCCC000000000003", "Halo");
  g_assert_error (error, WA_ERROR, WA_ERROR_NEEDS_PRIVACY_TOKEN);
  g_clear_error (&error);
}

/* The customer is offline when the shop writes; the messages wait on the
 * server, arrive in order when it is back, and the shop's sessions
 * outlive a restart of the shop. */
static void
test_offline_and_restart (Fixture       *f,
                          gconstpointer  data)
{
  GError *error;
  guint prekeys;

  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0DDDD000000000001", "Satu");
  g_assert_no_error (error);
  wait_for_length (f->customer.received, 1);

  stop_side (&f->customer);
  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0DDDD000000000002", "Dua");
  g_assert_no_error (error);
  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0DDDD000000000003", "Tiga");
  g_assert_no_error (error);

  /* The restarted shop goes on with the session it saved: it takes no
   * more of the customer's one-time prekeys. */
  prekeys = fakewa_server_get_prekey_count (f->server, CUSTOMER ":2@s.whatsapp.net");
  stop_side (&f->shop);
  start_side (f, &f->shop);
  fakewa_wait_for_client (f->shop.client, WA_CLIENT_STATE_CONNECTED);
  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0DDDD000000000004", "Empat");
  g_assert_no_error (error);
  g_assert_cmpuint (fakewa_server_get_prekey_count (f->server, CUSTOMER ":2@s.whatsapp.net"), ==, prekeys);

  start_side (f, &f->customer);
  wait_for_length (f->customer.received, 4);
  g_assert_cmpstr (((WaIncomingMessage *) g_ptr_array_index (f->customer.received, 1))->text, ==, "Dua");
  g_assert_cmpstr (((WaIncomingMessage *) g_ptr_array_index (f->customer.received, 2))->text, ==, "Tiga");
  g_assert_cmpstr (((WaIncomingMessage *) g_ptr_array_index (f->customer.received, 3))->text, ==, "Empat");
  g_assert_true (((WaIncomingMessage *) g_ptr_array_index (f->customer.received, 1))->timestamp > 0);
}

/* The customer lost its sessions (a reinstall that kept its keys): the
 * shop's next message does not decrypt; the customer asks again, the
 * shop first tries the old session, then starts a new one from the
 * server's bundle, and the message arrives once (§8.5). */
static void
test_retry_after_lost_sessions (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GPtrArray) sessions = NULL;
  GError *error;
  guint before;

  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0EEEE000000000001", "Satu");
  g_assert_no_error (error);
  wait_for_length (f->customer.received, 1);
  error = send_text (&f->customer, SHOP "@s.whatsapp.net", "3EB0EEEE000000000002", "Oke");
  g_assert_no_error (error);
  wait_for_length (f->shop.received, 1);

  stop_side (&f->customer);
  sessions = wa_key_store_list (f->customer.store, "session");
  g_assert_cmpuint (sessions->len, >, 0);
  for (guint i = 0; i < sessions->len; i++)
    wa_key_store_remove (f->customer.store, "session", g_ptr_array_index (sessions, i));
  start_side (f, &f->customer);
  fakewa_wait_for_client (f->customer.client, WA_CLIENT_STATE_CONNECTED);

  before = fakewa_server_get_prekey_count (f->server, CUSTOMER ":2@s.whatsapp.net");
  g_ptr_array_set_size (f->relays, 0);
  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0EEEE000000000003", "Dua");
  g_assert_no_error (error);
  wait_for_length (f->customer.received, 2);
  g_assert_cmpstr (((WaIncomingMessage *) g_ptr_array_index (f->customer.received, 1))->text, ==, "Dua");
  g_assert_cmpstr (((WaIncomingMessage *) g_ptr_array_index (f->customer.received, 1))->id, ==,
                   "3EB0EEEE000000000003");
  /* msg on the old session, msg again, then pkmsg on a new one. */
  g_assert_true (contains (f->relays, SHOP ":1@s.whatsapp.net " CUSTOMER ":2@s.whatsapp.net msg"));
  g_assert_true (contains (f->relays, SHOP ":1@s.whatsapp.net " CUSTOMER ":2@s.whatsapp.net pkmsg"));
  g_assert_cmpuint (fakewa_server_get_prekey_count (f->server, CUSTOMER ":2@s.whatsapp.net"), ==, before - 1);

  /* Nothing more comes: the message was read once. */
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (f->customer.received->len, ==, 2);
}

/* Replies come from LIDs more and more (FIELD-NOTES, pain 5): with the
 * number beside it, or alone once the mapping is known (here from the
 * device list the first send asked for), the reply decrypts on the
 * session the shop started and is filed under the customer's number. */
static void
test_lid_replies (Fixture       *f,
                  gconstpointer  data)
{
  WaIncomingMessage *message;
  GError *error;

  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0FFFF000000000001", "Halo");
  g_assert_no_error (error);
  wait_for_length (f->customer.received, 1);

  fakewa_server_set_lid_addressing (f->server, FAKEWA_LID_ADDRESSING_ONLY);
  error = send_text (&f->customer, SHOP "@s.whatsapp.net", "3EB0FFFF000000000002", "Berapa harganya?");
  g_assert_no_error (error);
  wait_for_length (f->shop.received, 1);
  message = g_ptr_array_index (f->shop.received, 0);
  g_assert_true (g_str_has_suffix (message->sender, "@lid"));
  g_assert_cmpstr (message->chat, ==, CUSTOMER "@s.whatsapp.net");
  g_assert_cmpstr (message->text, ==, "Berapa harganya?");

  fakewa_server_set_lid_addressing (f->server, FAKEWA_LID_ADDRESSING_WITH_PN);
  error = send_text (&f->customer, SHOP "@s.whatsapp.net", "3EB0FFFF000000000003", "STOP");
  g_assert_no_error (error);
  wait_for_length (f->shop.received, 2);
  message = g_ptr_array_index (f->shop.received, 1);
  g_assert_cmpstr (message->chat, ==, CUSTOMER "@s.whatsapp.net");
  g_assert_cmpstr (message->text, ==, "STOP");
}

/* Retry receipts, sent by hand from a side's own connection, as a
 * hostile or confused device would: the server names the sender. */
static void
ask_again (Side       *side,
           const char *id,
           const char *count)
{
  g_autoptr(WaNode) receipt = wa_node_new_with_attrs ("receipt", "id", id, "to", SHOP_DEVICE,
                                                      "type", "retry", NULL);
  g_autoptr(GError) error = NULL;
  const guint8 registration[4] = { 0, 0, 0x30, 0x39 };

  wa_node_add_child (receipt, wa_node_new_with_attrs ("retry", "count", count, "id", id, "t", "1767225600",
                                                      "v", "1", NULL));
  wa_node_set_content_data (wa_node_add_child (receipt, wa_node_new ("registration")), registration,
                            sizeof registration);
  g_assert_true (wa_connection_send_node (wa_client_get_connection (side->client), receipt, &error));
  g_assert_no_error (error);
}

/* Lets what is on its way arrive: a resend that should not happen would
 * be relayed well within this. */
static void
settle (void)
{
  gint64 until = g_get_monotonic_time () + 300 * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

static guint
count_prefixed (GPtrArray  *strings,
                const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < strings->len; i++)
    n += g_str_has_prefix (g_ptr_array_index (strings, i), prefix);
  return n;
}

/* Another account's device names the id of a message the shop sent to
 * the customer: it gets nothing, neither the message nor a session; the
 * customer asking the same right after is answered. */
static void
test_retry_from_stranger (Fixture       *f,
                          gconstpointer  data)
{
  GError *error;

  link_side (f, &f->stranger, STRANGER, "Orang Lain");
  fakewa_wait_for_client (f->stranger.client, WA_CLIENT_STATE_CONNECTED);
  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0A1A1000000000001", "Kode promo Budi: 7731");
  g_assert_no_error (error);
  wait_for_length (f->customer.received, 1);

  g_ptr_array_set_size (f->relays, 0);
  ask_again (&f->stranger, "3EB0A1A1000000000001", "1");
  ask_again (&f->stranger, "3EB0A1A1000000000001", "2");
  ask_again (&f->customer, "3EB0A1A1000000000001", "1");
  wait_for_length (f->relays, 1);
  settle ();
  g_assert_cmpuint (f->relays->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (f->relays, 0), SHOP_DEVICE " " CUSTOMER_DEVICE " "));
  g_assert_cmpuint (f->stranger.received->len, ==, 0);
}

#define SENT_AT_ONCE 8

static gboolean
all_sent (gpointer data)
{
  Sent *sent = data;

  for (guint i = 0; i < SENT_AT_ONCE; i++)
    if (!sent[i].done)
      return FALSE;
  return TRUE;
}

/* Whether @side received the message @id with @text. */
static gboolean
received (Side       *side,
          const char *id,
          const char *text)
{
  for (guint i = 0; i < side->received->len; i++)
    {
      WaIncomingMessage *message = g_ptr_array_index (side->received, i);

      if (g_str_equal (message->id, id))
        return g_str_equal (message->text, text);
    }
  return FALSE;
}

/* A campaign without delays has several messages on their way at once,
 * to two accounts new to the shop: each starts its sessions, the
 * answers come back in any order, and each account gets its own
 * messages, once, which it can read; a retry names one by its id and
 * is answered for that one. */
static void
test_sends_at_once (Fixture       *f,
                    gconstpointer  data)
{
  Sent sent[SENT_AT_ONCE] = { { FALSE, NULL } };
  g_autofree char *retried = NULL;

  link_side (f, &f->stranger, STRANGER, "Orang Lain");
  fakewa_wait_for_client (f->stranger.client, WA_CLIENT_STATE_CONNECTED);
  for (guint i = 0; i < SENT_AT_ONCE; i++)
    {
      g_autofree char *id = g_strdup_printf ("3EB0F1F10000000000%02u", i);
      g_autofree char *text = g_strdup_printf ("Halo, pesan %u", i);
      const char *to = i % 2 == 0 ? CUSTOMER "@s.whatsapp.net" : STRANGER "@s.whatsapp.net";

      wa_messenger_send_text_async (f->shop.messenger, to, id, text, NULL, sent_cb, &sent[i]);
    }
  wait_until (all_sent, sent);
  for (guint i = 0; i < SENT_AT_ONCE; i++)
    g_assert_no_error (sent[i].error);

  wait_for_length (f->customer.received, SENT_AT_ONCE / 2);
  wait_for_length (f->stranger.received, SENT_AT_ONCE / 2);
  settle ();
  g_assert_cmpuint (f->customer.received->len, ==, SENT_AT_ONCE / 2);
  g_assert_cmpuint (f->stranger.received->len, ==, SENT_AT_ONCE / 2);
  for (guint i = 0; i < SENT_AT_ONCE; i++)
    {
      g_autofree char *id = g_strdup_printf ("3EB0F1F10000000000%02u", i);
      g_autofree char *text = g_strdup_printf ("Halo, pesan %u", i);

      g_assert_true (received (i % 2 == 0 ? &f->customer : &f->stranger, id, text));
    }

  g_ptr_array_set_size (f->relays, 0);
  retried = g_strdup_printf ("3EB0F1F10000000000%02u", 2);
  ask_again (&f->customer, retried, "1");
  wait_for_length (f->relays, 1);
  settle ();
  g_assert_cmpuint (f->relays->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (f->relays, 0), SHOP_DEVICE " " CUSTOMER_DEVICE " "));
}

static gboolean
note_receipted (gpointer data)
{
  return count_receipts_from (&((Fixture *) data)->stranger, "3EB0A5A5000000000001", SHOP_DEVICE) > 0;
}

/* A note our account writes to itself from another device, here a
 * second copy of the app on the "stranger" side, is confirmed as ours
 * and not handed on: it is no customer's "STOP", nor anything to answer. */
static void
test_note_to_self (Fixture       *f,
                   gconstpointer  data)
{
  GError *error;

  link_side (f, &f->stranger, SHOP, "Toko @Budi");
  fakewa_wait_for_client (f->stranger.client, WA_CLIENT_STATE_CONNECTED);
  error = send_text (&f->stranger, SHOP "@s.whatsapp.net", "3EB0A5A5000000000001", "STOP");
  g_assert_no_error (error);

  wait_until (note_receipted, f);
  g_assert_true (contains (f->stranger.receipts, "3EB0A5A5000000000001 " SHOP_DEVICE " sender"));
  settle ();
  g_assert_cmpuint (f->shop.received->len, ==, 0);
}

/* A modified client chooses its message ids. One longer than any client
 * makes, empty, or not printable ASCII is not handed on: the app would
 * keep it, and the sync server refuse it for good. The longest allowed
 * is. */
static void
test_message_ids_bounded (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *longest = g_strnfill (WA_MESSENGER_MAX_ID_LEN, 'A');
  g_autofree char *too_long = g_strnfill (WA_MESSENGER_MAX_ID_LEN + 1, 'B');
  const char *refused[] = { too_long, "", "3EB0 0001", "3EB0\n0002", "3EB0\xc3\xa9" };
  WaIncomingMessage *message;
  GError *error;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      error = send_text (&f->customer, SHOP "@s.whatsapp.net", refused[i], "STOP");
      g_assert_no_error (error);
    }
  error = send_text (&f->customer, SHOP "@s.whatsapp.net", longest, "Halo");
  g_assert_no_error (error);

  wait_for_length (f->shop.received, 1);
  message = g_ptr_array_index (f->shop.received, 0);
  g_assert_cmpstr (message->id, ==, longest);
  g_assert_cmpstr (message->text, ==, "Halo");
  settle ();
  g_assert_cmpuint (f->shop.received->len, ==, 1);
}

/* A receipt may confirm many messages at once, in a <list>: the most a
 * stanza can hold (65,535) is cut to WA_MESSENGER_MAX_RECEIPT_IDS, said
 * once in the log, and an id no client makes is not passed on. */
static void
test_receipt_list_bounded (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(WaNode) receipt = wa_node_new_with_attrs ("receipt", "id", "3EB0F00D000000000000", "to", SHOP_DEVICE,
                                                      "type", "read", NULL);
  g_autofree char *too_long = g_strnfill (WA_MESSENGER_MAX_ID_LEN + 1, 'B');
  WaNode *list = wa_node_add_child (receipt, wa_node_new ("list"));
  g_autoptr(GError) error = NULL;

  wa_node_add_child (list, wa_node_new_with_attrs ("item", "id", too_long, NULL));
  wa_node_add_child (list, wa_node_new_with_attrs ("item", "id", "3EB0 F00D", NULL));
  for (guint i = 2; i < G_MAXUINT16; i++)
    {
      g_autofree char *id = g_strdup_printf ("3EB0F00D%012u", i);

      wa_node_add_child (list, wa_node_new_with_attrs ("item", "id", id, NULL));
    }
  fakewa_wait_for_client (f->customer.client, WA_CLIENT_STATE_CONNECTED);
  g_test_expect_message ("wa-messenger", G_LOG_LEVEL_WARNING, "A receipt listed 65536 messages;*");
  g_assert_true (wa_connection_send_node (wa_client_get_connection (f->customer.client), receipt, &error));
  g_assert_no_error (error);

  wait_for_length (f->shop.receipts, WA_MESSENGER_MAX_RECEIPT_IDS - 2);
  settle ();
  g_test_assert_expected_messages ();
  g_assert_cmpuint (f->shop.receipts->len, ==, WA_MESSENGER_MAX_RECEIPT_IDS - 2);
  g_assert_true (contains (f->shop.receipts, "3EB0F00D000000000000 " CUSTOMER_DEVICE " read"));
  g_assert_true (contains (f->shop.receipts, "3EB0F00D000000001022 " CUSTOMER_DEVICE " read"));
  g_assert_false (contains (f->shop.receipts, "3EB0F00D000000001023 " CUSTOMER_DEVICE " read"));
}

/* However often a device asks, and whatever count it claims, it gets
 * the message at most five times. */
static void
test_retry_count_bounded (Fixture       *f,
                          gconstpointer  data)
{
  const char *claims[] = { "1", "1", "1", "1", "1", "1", "1", "4294967295", "99999999999999999999" };
  GError *error;

  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0B2B2000000000001", "Halo");
  g_assert_no_error (error);
  wait_for_length (f->customer.received, 1);

  g_ptr_array_set_size (f->relays, 0);
  for (guint i = 0; i < G_N_ELEMENTS (claims); i++)
    ask_again (&f->customer, "3EB0B2B2000000000001", claims[i]);
  wait_for_length (f->relays, 5);
  settle ();
  g_assert_cmpuint (count_prefixed (f->relays, SHOP_DEVICE " " CUSTOMER_DEVICE " "), ==, 5);
  g_assert_cmpuint (f->relays->len, ==, 5);
}

static gint64
offset_clock (gpointer user_data)
{
  Fixture *f = user_data;

  return g_get_monotonic_time () + f->clock_offset;
}

/* Asks that would start a new session each time start one an hour at
 * most per device, each costing the customer a one-time prekey. */
static void
test_retry_session_hourly (Fixture       *f,
                           gconstpointer  data)
{
  const char *ids[] = { "3EB0C3C3000000000001", "3EB0C3C3000000000002" };
  GError *error;
  guint prekeys;

  _wa_messenger_set_clock (f->shop.messenger, offset_clock, f);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", ids[i], "Halo");
      g_assert_no_error (error);
    }
  wait_for_length (f->customer.received, 2);
  prekeys = fakewa_server_get_prekey_count (f->server, CUSTOMER_DEVICE);
  g_ptr_array_set_size (f->relays, 0);

  ask_again (&f->customer, ids[0], "2");
  wait_for_length (f->relays, 1);
  g_assert_cmpuint (fakewa_server_get_prekey_count (f->server, CUSTOMER_DEVICE), ==, prekeys - 1);

  ask_again (&f->customer, ids[0], "3");
  wait_for_length (f->relays, 2);
  ask_again (&f->customer, ids[1], "2");
  wait_for_length (f->relays, 3);
  ask_again (&f->customer, ids[1], "3");
  wait_for_length (f->relays, 4);
  g_assert_cmpuint (fakewa_server_get_prekey_count (f->server, CUSTOMER_DEVICE), ==, prekeys - 1);

  f->clock_offset += (gint64) 60 * 60 * G_USEC_PER_SEC + 1;
  ask_again (&f->customer, ids[1], "4");
  wait_for_length (f->relays, 5);
  g_assert_cmpuint (count_prefixed (f->relays, SHOP_DEVICE " " CUSTOMER_DEVICE " "), ==, 5);
  g_assert_cmpuint (fakewa_server_get_prekey_count (f->server, CUSTOMER_DEVICE), ==, prekeys - 2);
}

/* The customer asks from its LID: the message the shop sent to its
 * number is found, and goes again on the session started with it; its
 * number and its LID are one device, with one count of resends. */
static void
test_retry_from_lid (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *lid_device = fakewa_server_dup_device_lid (f->server, CUSTOMER_DEVICE);
  g_autofree char *by_lid = g_strdup_printf (SHOP_DEVICE " %s ", lid_device);
  GError *error;

  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0D4D4000000000001", "Halo");
  g_assert_no_error (error);
  wait_for_length (f->customer.received, 1);

  g_ptr_array_set_size (f->relays, 0);
  for (guint i = 0; i < 3; i++)
    ask_again (&f->customer, "3EB0D4D4000000000001", "1");
  wait_for_length (f->relays, 3);

  /* The receipts name no number; the resends name the shop's, so that
   * the customer finds the session it has with the shop. */
  fakewa_server_set_lid_addressing (f->server, FAKEWA_LID_ADDRESSING_WITH_PN);
  for (guint i = 0; i < 3; i++)
    ask_again (&f->customer, "3EB0D4D4000000000001", "1");
  wait_for_length (f->relays, 5);
  settle ();
  g_assert_cmpuint (f->relays->len, ==, 5);
  g_assert_cmpuint (count_prefixed (f->relays, by_lid), ==, 2);
  wait_for_length (f->customer.received, 6);
  g_assert_cmpstr (((WaIncomingMessage *) g_ptr_array_index (f->customer.received, 5))->id, ==,
                   "3EB0D4D4000000000001");
}

/* Each object lives on the thread that made it; a call from another is
 * a bug that must stop the program, not corrupt it quietly. */
static gpointer
touch_client (gpointer data)
{
  wa_client_get_state (data);
  return NULL;
}

static gpointer
touch_messenger (gpointer data)
{
  wa_messenger_forget_devices (data, CUSTOMER "@s.whatsapp.net");
  return NULL;
}

static void
test_owner_thread (gconstpointer data)
{
  GThreadFunc touch = (GThreadFunc) data;

  if (g_test_subprocess ())
    {
      const guint8 root_key[32] = { 0 };
      g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
      g_autoptr(WaClient) client = wa_client_new (store, "ws://127.0.0.1:9/ws/chat", root_key);
      g_autoptr(WaMessenger) messenger = wa_messenger_new (client);

      g_thread_join (g_thread_new ("intruder", touch, touch == touch_client ? (gpointer) client
                                                                             : (gpointer) messenger));
      return;
    }
  xi_test_expect_owner_abort ();
}

typedef struct
{
  WaKeyStore *store;
  const char *kind;
  const char *key;
  GBytes     *unlike;     /* nullable: wait for a value other than this */
} StoreWait;

static gboolean
store_has (gpointer data)
{
  StoreWait *wait = data;
  g_autoptr(GBytes) value = wa_key_store_load (wait->store, wait->kind, wait->key);

  return value != NULL && (wait->unlike == NULL || !g_bytes_equal (value, wait->unlike));
}

/* Waits until @side's store holds a value under (@kind, @key) other than
 * @unlike, and returns it. */
static GBytes *
wait_for_key (Side       *side,
              const char *kind,
              const char *key,
              GBytes     *unlike)
{
  StoreWait wait = { side->store, kind, key, unlike };

  wait_until (store_has, &wait);
  return wa_key_store_load (side->store, kind, key);
}

static char *
lid_user_of (Fixture    *f,
             const char *phone)
{
  g_autofree char *device = g_strdup_printf ("%s:1@s.whatsapp.net", phone);
  g_autofree char *lid = fakewa_server_dup_device_lid (f->server, device);

  return g_strndup (lid, strcspn (lid, ":"));
}

static guint
count_relays_to (Fixture    *f,
                 const char *phone)
{
  guint n = 0;

  for (guint i = 0; i < f->relays->len; i++)
    if (strstr (g_ptr_array_index (f->relays, i), phone) != NULL &&
        !g_str_has_prefix (g_ptr_array_index (f->relays, i), phone))
      n++;
  return n;
}

static gint64
week_later (gpointer user_data)
{
  return g_get_real_time () / G_USEC_PER_SEC + 7 * 24 * 60 * 60;
}

/* An account that must show a conversation (WA-FIDELITY §1): its first
 * message to a stranger is refused, and nothing is delivered. Once the
 * customer writes, its phone issues a token, which the shop keeps under
 * the customer's LID and attaches: the server lets the message through.
 * After a message the shop issues its own token to the customer, once
 * per bucket. */
static void
test_tokens_required (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *customer_lid = lid_user_of (f, CUSTOMER);
  g_autofree char *shop_lid = lid_user_of (f, SHOP);
  g_autoptr(GBytes) token = NULL;
  g_autoptr(GBytes) ours = NULL;
  g_autoptr(GBytes) ours_again = NULL;
  GError *error;

  fakewa_server_require_tokens (f->server, SHOP, TRUE);
  fakewa_server_set_auto_issue (f->server, CUSTOMER, TRUE);

  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0D0D0000000000001", "Promo");
  g_assert_error (error, WA_ERROR, WA_ERROR_NEEDS_PRIVACY_TOKEN);
  g_clear_error (&error);
  g_assert_cmpuint (count_relays_to (f, CUSTOMER), ==, 0);

  error = send_text (&f->customer, SHOP "@s.whatsapp.net", "3EB0D0D0000000000002", "Halo, ada stok?");
  g_assert_no_error (error);
  token = wait_for_key (&f->shop, WA_TCTOKEN_KIND, customer_lid, NULL);
  g_assert_cmpuint (g_bytes_get_size (token), >, 8);

  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0D0D0000000000003", "Ada, kak");
  g_assert_no_error (error);
  wait_for_length (f->customer.received, 1);
  g_assert_cmpstr (((WaIncomingMessage *) g_ptr_array_index (f->customer.received, 0))->text, ==, "Ada, kak");

  /* Our token reached the customer, and is not issued again this week. */
  ours = wait_for_key (&f->customer, WA_TCTOKEN_KIND, shop_lid, NULL);
  g_assert_cmpint (wa_tctoken_load_sent (f->shop.store, customer_lid), >, 0);
  g_assert_cmpuint (fakewa_server_count_tokens (f->server, SHOP, CUSTOMER), ==, 1);
  /* Each send's issuance would leave before the next send: once the
   * next is acked, the server has seen it. */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *id = g_strdup_printf ("3EB0D0D000000000001%u", i);

      error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", id, "Terima kasih");
      g_assert_no_error (error);
    }
  g_assert_cmpuint (fakewa_server_count_tokens (f->server, SHOP, CUSTOMER), ==, 1);

  /* A week on, a new bucket: issued again. */
  fakewa_server_advance_clock (f->server, 7 * 24 * 60 * 60);
  wa_privacy_set_clock (wa_messenger_get_privacy (f->shop.messenger), week_later, NULL);
  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0D0D0000000000020", "Minggu depan");
  g_assert_no_error (error);
  ours_again = wait_for_key (&f->customer, WA_TCTOKEN_KIND, shop_lid, ours);
  g_assert_cmpuint (fakewa_server_count_tokens (f->server, SHOP, CUSTOMER), ==, 2);
}

/* The shop logs in again and reads the server's AB props anew. */
static void
reread_props (Fixture *f)
{
  g_autoptr(GBytes) before = wa_key_store_load (f->shop.store, WA_AB_PROPS_KIND, "hash");
  g_autoptr(GBytes) after = NULL;

  fakewa_server_drop_all (f->server);
  fakewa_wait_for_client (f->shop.client, WA_CLIENT_STATE_WAITING);
  fakewa_wait_for_client (f->shop.client, WA_CLIENT_STATE_CONNECTED);
  after = wait_for_key (&f->shop, WA_AB_PROPS_KIND, "hash", before);
  fakewa_wait_for_client (f->customer.client, WA_CLIENT_STATE_CONNECTED);
}

/* AB props are read after login and kept: the server turning off
 * tokens on 1:1 messages (10518) and cstokens (24941) stops both, and a
 * token stays valid only as long as its buckets (865, 909) say. */
static void
test_ab_props (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *customer_lid = lid_user_of (f, CUSTOMER);
  WaPrivacy *privacy = wa_messenger_get_privacy (f->shop.messenger);
  g_autoptr(GBytes) token = NULL;
  g_autoptr(GBytes) duration = NULL;
  g_autoptr(WaNode) node = NULL;
  GError *error;

  duration = wait_for_key (&f->shop, WA_AB_PROPS_KIND, "865", NULL);
  g_assert_cmpmem (g_bytes_get_data (duration, NULL), g_bytes_get_size (duration), "604800", 6);

  fakewa_server_require_tokens (f->server, SHOP, TRUE);
  fakewa_server_set_auto_issue (f->server, CUSTOMER, TRUE);
  error = send_text (&f->customer, SHOP "@s.whatsapp.net", "3EB0AB0000000000000001", "Halo");
  g_assert_no_error (error);
  token = wait_for_key (&f->shop, WA_TCTOKEN_KIND, customer_lid, NULL);

  fakewa_server_set_ab_prop (f->server, SHOP, "10518", "0");
  reread_props (f);
  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0AB0000000000000002", "Tanpa token");
  g_assert_error (error, WA_ERROR, WA_ERROR_NEEDS_PRIVACY_TOKEN);
  g_clear_error (&error);

  fakewa_server_set_ab_prop (f->server, SHOP, "10518", "1");
  reread_props (f);
  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0AB0000000000000003", "Dengan token");
  g_assert_no_error (error);

  /* A week on the token still lives in the default four buckets of a
   * week; in buckets of one second it does not. */
  wa_privacy_set_clock (privacy, week_later, NULL);
  node = wa_privacy_token_node (privacy, CUSTOMER "@s.whatsapp.net");
  g_assert_nonnull (node);
  g_assert_cmpstr (wa_node_get_tag (node), ==, "tctoken");
  fakewa_server_set_ab_prop (f->server, SHOP, "865", "1");
  fakewa_server_set_ab_prop (f->server, SHOP, "909", "1");
  reread_props (f);
  g_clear_pointer (&node, wa_node_unref);
  node = wa_privacy_token_node (privacy, CUSTOMER "@s.whatsapp.net");
  g_assert_null (node);
}

/* No token, but the NCT salt the phone shared and the recipient's LID
 * (from the device list asked before the first message): the cstoken
 * gets a first message through. A wrong salt does not. (The salt is put
 * in the key store as history or app-state sync would.) */
static void
test_cstoken (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GBytes) salt = g_bytes_new_static ("0123456789abcdef0123456789abcdef", 32);
  g_autoptr(GBytes) wrong = g_bytes_new_static ("fedcba9876543210fedcba9876543210", 32);
  g_autofree char *customer_lid = lid_user_of (f, CUSTOMER);
  g_autofree char *mapped = NULL;
  GError *error;

  fakewa_server_require_tokens (f->server, SHOP, TRUE);
  fakewa_server_set_nct_salt (f->server, SHOP, salt);

  wa_key_store_save (f->shop.store, WA_NCT_SALT_KIND, WA_NCT_SALT_KEY, wrong);
  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0E0E0000000000001", "Promo");
  g_assert_error (error, WA_ERROR, WA_ERROR_NEEDS_PRIVACY_TOKEN);
  g_clear_error (&error);
  mapped = wa_lid_map_lid_of_pn (f->shop.store, CUSTOMER);
  g_assert_cmpstr (mapped, ==, customer_lid);

  wa_key_store_save (f->shop.store, WA_NCT_SALT_KIND, WA_NCT_SALT_KEY, salt);
  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0E0E0000000000002", "Promo");
  g_assert_no_error (error);
  wait_for_length (f->customer.received, 1);
}

static gboolean
timelock_is (gpointer data)
{
  gpointer *args = data;

  return (wa_privacy_get_timelock_until (args[0]) > 0) == GPOINTER_TO_INT (args[1]);
}

static void
wait_for_timelock (Side     *side,
                   gboolean  on)
{
  gpointer args[] = { wa_messenger_get_privacy (side->messenger), GINT_TO_POINTER (on) };

  wait_until (timelock_is, args);
}

/* A time-lock pushed mid-way stops new chats before they are tried (each
 * refused try counts against the account) but not a conversation the
 * customer started; lifted, new chats go again. A time-lock already on
 * is read at login. */
static void
test_timelock (Fixture       *f,
               gconstpointer  data)
{
  WaPrivacy *privacy = wa_messenger_get_privacy (f->shop.messenger);
  g_autofree char *customer_lid = lid_user_of (f, CUSTOMER);
  g_autoptr(GBytes) token = NULL;
  GError *error;

  fakewa_server_add_account (f->server, "6283333333333");
  fakewa_server_set_auto_issue (f->server, CUSTOMER, TRUE);
  error = send_text (&f->customer, SHOP "@s.whatsapp.net", "3EB0F1F1000000000001", "Halo");
  g_assert_no_error (error);
  token = wait_for_key (&f->shop, WA_TCTOKEN_KIND, customer_lid, NULL);

  fakewa_server_set_timelock (f->server, SHOP, 3600, "WEB_COMPANION_ONLY");
  wait_for_timelock (&f->shop, TRUE);
  g_assert_cmpint (wa_privacy_get_timelock_until (privacy), >, g_get_real_time () / G_USEC_PER_SEC + 3500);
  g_assert_cmpstr (wa_privacy_get_timelock_kind (privacy), ==, "WEB_COMPANION_ONLY");

  error = send_text (&f->shop, "6283333333333@s.whatsapp.net", "3EB0F1F1000000000002", "Promo");
  g_assert_error (error, WA_ERROR, WA_ERROR_TIME_LOCKED);
  g_clear_error (&error);
  g_assert_cmpuint (count_relays_to (f, "6283333333333"), ==, 0);

  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0F1F1000000000003", "Balasan");
  g_assert_no_error (error);
  wait_for_length (f->customer.received, 1);

  /* Read again at the next login, not only pushed. */
  stop_side (&f->shop);
  start_side (f, &f->shop);
  fakewa_wait_for_client (f->shop.client, WA_CLIENT_STATE_CONNECTED);
  wait_for_timelock (&f->shop, TRUE);

  fakewa_server_set_timelock (f->server, SHOP, 0, NULL);
  wait_for_timelock (&f->shop, FALSE);
  error = send_text (&f->shop, "6283333333333@s.whatsapp.net", "3EB0F1F1000000000004", "Promo");
  g_assert_no_error (error);
}

static guint
count_sessions (WaKeyStore *store,
                const char *name)
{
  g_autoptr(GPtrArray) keys = wa_key_store_list (store, "session");
  guint n = 0;

  for (guint i = 0; keys != NULL && i < keys->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (keys, i), name))
      n++;
  return n;
}

static gboolean
no_sessions_with (gpointer data)
{
  gpointer *args = data;

  return count_sessions (args[0], args[1]) == 0;
}

/* The customer reinstalled (§7): the shop drops its sessions with every
 * device of the customer, under the number and the LID, starts over with
 * pkmsg, and issues its token again so the customer's new install has it. */
static void
test_identity_change (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *shop_lid = lid_user_of (f, SHOP);
  g_autofree char *customer_lid = lid_user_of (f, CUSTOMER);
  g_autoptr(GBytes) ours = NULL;
  g_autoptr(GBytes) reissued = NULL;
  gpointer args[] = { f->shop.store, CUSTOMER };
  GError *error;

  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0A1A1000000000001", "Halo");
  g_assert_no_error (error);
  wait_for_length (f->customer.received, 1);
  ours = wait_for_key (&f->customer, WA_TCTOKEN_KIND, shop_lid, NULL);
  g_assert_cmpuint (count_sessions (f->shop.store, CUSTOMER), >, 0);

  fakewa_server_push_identity_change (f->server, CUSTOMER, SHOP);
  wait_until (no_sessions_with, args);
  g_assert_cmpuint (count_sessions (f->shop.store, customer_lid), ==, 0);
  reissued = wait_for_key (&f->customer, WA_TCTOKEN_KIND, shop_lid, ours);

  g_ptr_array_set_size (f->relays, 0);
  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0A1A1000000000002", "Halo lagi");
  g_assert_no_error (error);
  wait_for_length (f->customer.received, 2);
  g_assert_true (contains (f->relays, SHOP ":1@s.whatsapp.net " CUSTOMER ":2@s.whatsapp.net pkmsg"));
}

static gboolean
presence_is (gpointer data)
{
  gpointer *args = data;
  g_autofree char *presence = fakewa_server_dup_presence (args[0], args[1]);

  return g_strcmp0 (presence, args[2]) == 0;
}

/* Our presence carries the push name app-state sync stored (without the
 * "@" WhatsApp refuses), after the backlog; the recipient sees it as the
 * sender's name, and receipts are plain once we are available. On the
 * way out: "unavailable". A device with no name sends no presence, and
 * its receipts say "inactive", as WhatsApp Web's do. */
static void
test_presence (Fixture       *f,
               gconstpointer  data)
{
  gpointer shop_available[] = { f->server, SHOP ":1@s.whatsapp.net", "available Toko Budi" };
  gpointer customer_gone[] = { f->server, CUSTOMER ":2@s.whatsapp.net", "unavailable Budi" };
  WaIncomingMessage *message;
  GError *error;

  wait_until (presence_is, shop_available);
  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0B1B1000000000001", "Halo");
  g_assert_no_error (error);
  wait_for_length (f->customer.received, 1);
  message = g_ptr_array_index (f->customer.received, 0);
  g_assert_cmpstr (message->push_name, ==, "Toko Budi");
  wait_for_length (f->shop.receipts, 2);
  g_assert_true (contains (f->shop.receipts, "3EB0B1B1000000000001 " CUSTOMER ":2@s.whatsapp.net delivered"));

  wa_client_stop (f->customer.client);
  wait_until (presence_is, customer_gone);
  stop_side (&f->customer);

  wa_key_store_remove (f->customer.store, WA_CLIENT_PUSH_NAME_KIND, WA_CLIENT_PUSH_NAME_KEY);
  start_side (f, &f->customer);
  fakewa_wait_for_client (f->customer.client, WA_CLIENT_STATE_CONNECTED);
  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0B1B1000000000002", "Halo lagi");
  g_assert_no_error (error);
  wait_for_length (f->customer.received, 2);
  wait_for_length (f->shop.receipts, 4);
  g_assert_true (contains (f->shop.receipts, "3EB0B1B1000000000002 " CUSTOMER ":2@s.whatsapp.net inactive"));
  g_assert_false (wa_client_get_available (f->customer.client));
}

static gboolean
new_chats_paused (gpointer data)
{
  return wa_privacy_get_new_chats_paused_until (data) > 0;
}

/* The new-chat cap, read at login and counted as we go, is a throttle:
 * once this cycle's new chats are started the next is not even tried,
 * until the cycle ends. */
static void
test_new_chat_cap (Fixture       *f,
                   gconstpointer  data)
{
  WaPrivacy *privacy;
  GError *error;

  fakewa_server_add_account (f->server, "6283333333333");
  fakewa_server_set_new_chat_cap (f->server, SHOP, 1, 0, 3600);
  stop_side (&f->shop);
  start_side (f, &f->shop);
  fakewa_wait_for_client (f->shop.client, WA_CLIENT_STATE_CONNECTED);
  privacy = wa_messenger_get_privacy (f->shop.messenger);
  g_assert_cmpint (wa_privacy_get_new_chats_paused_until (privacy), ==, 0);

  error = send_text (&f->shop, CUSTOMER "@s.whatsapp.net", "3EB0C1C1000000000001", "Promo");
  g_assert_no_error (error);
  wait_until (new_chats_paused, privacy);
  g_assert_cmpint (wa_privacy_get_new_chats_paused_until (privacy), >, g_get_real_time () / G_USEC_PER_SEC + 3500);

  error = send_text (&f->shop, "6283333333333@s.whatsapp.net", "3EB0C1C1000000000002", "Promo");
  g_assert_error (error, WA_ERROR, WA_ERROR_TIME_LOCKED);
  g_clear_error (&error);
  g_assert_cmpuint (count_relays_to (f, "6283333333333"), ==, 0);
}

/* A customer the shop never wrote to answers from its LID alone: there
 * is no LID -> number query, but its phone issues the shop a token right
 * after, naming both, and the message waits for that: it reaches the shop
 * filed under the customer's number, so its STOP can be honoured. */
static void
test_unknown_lid_resolved (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *customer_lid = lid_user_of (f, CUSTOMER);
  g_autofree char *known = wa_lid_map_pn_of_lid (f->shop.store, customer_lid);
  g_autofree char *learned = NULL;
  WaIncomingMessage *message;
  GError *error;

  g_assert_null (known);
  fakewa_server_set_lid_addressing (f->server, FAKEWA_LID_ADDRESSING_ONLY);
  fakewa_server_set_auto_issue (f->server, CUSTOMER, TRUE);
  error = send_text (&f->customer, SHOP "@s.whatsapp.net", "3EB0D1D1000000000001", "STOP");
  g_assert_no_error (error);
  wait_for_length (f->shop.received, 1);
  message = g_ptr_array_index (f->shop.received, 0);
  g_assert_true (g_str_has_suffix (message->sender, "@lid"));
  g_assert_cmpstr (message->chat, ==, CUSTOMER "@s.whatsapp.net");
  g_assert_cmpstr (message->text, ==, "STOP");
  learned = wa_lid_map_pn_of_lid (f->shop.store, customer_lid);
  g_assert_cmpstr (learned, ==, CUSTOMER);
}

/* Without anything naming the number, the message is neither read nor
 * receipted while it waits (a "STOP" read under the LID would
 * find no contact to opt out, and a message receipted unstored is lost);
 * once the number is known, from whatever source, it is read under it.
 * A message still waiting when the client stops is left on the server,
 * which delivers it again on the next connection. */
static void
test_unknown_lid_waits_for_number (Fixture       *f,
                                   gconstpointer  data)
{
  g_autofree char *customer_lid = lid_user_of (f, CUSTOMER);
  g_autofree char *shop_lid = lid_user_of (f, SHOP);
  WaIncomingMessage *message;
  GError *error;

  f->shop.keeps = TRUE;
  _wa_messenger_set_unresolved_check (f->shop.messenger, 100);
  /* The customer issued its token this week already: none follows. */
  wa_lid_map_remember (f->customer.store, shop_lid, SHOP);
  wa_tctoken_save_sent (f->customer.store, shop_lid, g_get_real_time () / G_USEC_PER_SEC);
  fakewa_server_set_lid_addressing (f->server, FAKEWA_LID_ADDRESSING_ONLY);
  error = send_text (&f->customer, SHOP "@s.whatsapp.net", "3EB0D1D1000000000002", "STOP");
  g_assert_no_error (error);
  xi_spin_ms (500);
  g_assert_cmpuint (f->shop.received->len, ==, 0);
  g_assert_true (fakewa_server_awaits_receipt (f->server, SHOP_DEVICE, "3EB0D1D1000000000002"));
  wa_client_stop (f->shop.client);
  g_assert_cmpuint (f->shop.received->len, ==, 0);

  wa_client_start (f->shop.client);
  fakewa_wait_for_client (f->shop.client, WA_CLIENT_STATE_CONNECTED);
  xi_spin_ms (500);
  g_assert_cmpuint (f->shop.received->len, ==, 0);
  /* Learned on the way, as app state would. */
  wa_lid_map_remember (f->shop.store, customer_lid, CUSTOMER);
  wait_for_length (f->shop.received, 1);
  message = g_ptr_array_index (f->shop.received, 0);
  g_assert_cmpstr (message->chat, ==, CUSTOMER "@s.whatsapp.net");
  g_assert_cmpstr (message->text, ==, "STOP");
}

static gboolean
waited_out_receipted (gpointer data)
{
  return !fakewa_server_awaits_receipt (((Fixture *) data)->server, SHOP_DEVICE, "3EB0D1D1000000000020");
}

/* A message whose sender's number does not come within the time limit is
 * read under its LID and receipted (the app keeps it under the LID,
 * test-media-inbox.c), not held unreceipted for the whole connection:
 * WhatsApp may end a connection that leaves a message be. */
static void
test_unknown_lid_waited_out (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *customer_lid = lid_user_of (f, CUSTOMER);
  g_autofree char *shop_lid = lid_user_of (f, SHOP);
  g_autofree char *chat = g_strdup_printf ("%s@lid", customer_lid);
  WaIncomingMessage *message;
  GError *error;

  _wa_messenger_set_unresolved_check (f->shop.messenger, 100);
  _wa_messenger_set_unresolved_wait (f->shop.messenger, 600);
  wa_lid_map_remember (f->customer.store, shop_lid, SHOP);
  wa_tctoken_save_sent (f->customer.store, shop_lid, g_get_real_time () / G_USEC_PER_SEC);
  fakewa_server_set_lid_addressing (f->server, FAKEWA_LID_ADDRESSING_ONLY);
  error = send_text (&f->customer, SHOP "@s.whatsapp.net", "3EB0D1D1000000000020", "Halo");
  g_assert_no_error (error);
  xi_spin_ms (200);
  g_assert_cmpuint (f->shop.received->len, ==, 0);
  g_assert_true (fakewa_server_awaits_receipt (f->server, SHOP_DEVICE, "3EB0D1D1000000000020"));
  g_test_expect_message ("wa-messenger", G_LOG_LEVEL_MESSAGE, "1 messages waited * for their senders' numbers*under their LIDs");
  wait_for_length (f->shop.received, 1);
  g_test_assert_expected_messages ();
  message = g_ptr_array_index (f->shop.received, 0);
  g_assert_cmpstr (message->chat, ==, chat);
  g_assert_cmpstr (message->text, ==, "Halo");
  wait_until (waited_out_receipted, f);
}

/* Past the bound on held messages the oldest sender's are read at once,
 * in the order they were sent, under its LID (the app keeps them so, and
 * gives them the number once it is known): a flood of strangers holds no
 * more than the bound, and drops nothing. The sender's next message,
 * which names the number, comes after them. */
static void
test_unknown_lid_read_when_too_many (Fixture       *f,
                                     gconstpointer  data)
{
  static const char *texts[] = { "Satu", "Dua", "Tiga", "Terakhir" };
  g_autofree char *shop_lid = lid_user_of (f, SHOP);
  g_autofree char *customer_lid = lid_user_of (f, CUSTOMER);
  g_autofree char *lid_chat = g_strdup_printf ("%s@lid", customer_lid);
  GError *error;

  _wa_messenger_set_unresolved_max (f->shop.messenger, 2);
  wa_lid_map_remember (f->customer.store, shop_lid, SHOP);
  wa_tctoken_save_sent (f->customer.store, shop_lid, g_get_real_time () / G_USEC_PER_SEC);
  fakewa_server_set_lid_addressing (f->server, FAKEWA_LID_ADDRESSING_ONLY);
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *id = g_strdup_printf ("3EB0D1D100000000001%u", i);

      if (i == G_N_ELEMENTS (texts) - 1)
        fakewa_server_set_lid_addressing (f->server, FAKEWA_LID_ADDRESSING_WITH_PN);
      error = send_text (&f->customer, SHOP "@s.whatsapp.net", id, texts[i]);
      g_assert_no_error (error);
      if (i == 1)
        {
          xi_spin_ms (300);
          g_assert_cmpuint (f->shop.received->len, ==, 0);
        }
      if (i >= 2)
        wait_for_length (f->shop.received, i + 1);
    }
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      WaIncomingMessage *message = g_ptr_array_index (f->shop.received, i);

      g_assert_cmpstr (message->text, ==, texts[i]);
      g_assert_cmpstr (message->chat, ==, i < 3 ? lid_chat : CUSTOMER "@s.whatsapp.net");
    }
  xi_spin_ms (300);
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *id = g_strdup_printf ("3EB0D1D100000000001%u", i);

      g_assert_false (fakewa_server_awaits_receipt (f->server, SHOP_DEVICE, id));
    }
}

/* A message held for its sender's number waits unread: the shop's app
 * dies meanwhile (no stop, nothing handed on) and, restarted with its
 * keys as they were saved, reads the copy the server delivers again. Read
 * before it was held, its session would have been saved moved on, and
 * that copy would have been a duplicate, receipted and never seen. */
static void
test_unknown_lid_crash_while_held (Fixture       *f,
                                   gconstpointer  data)
{
  g_autofree char *customer_lid = lid_user_of (f, CUSTOMER);
  g_autofree char *shop_lid = lid_user_of (f, SHOP);
  WaIncomingMessage *message;
  GError *error;

  f->shop.keeps = TRUE;
  wa_lid_map_remember (f->customer.store, shop_lid, SHOP);
  wa_tctoken_save_sent (f->customer.store, shop_lid, g_get_real_time () / G_USEC_PER_SEC);
  fakewa_server_set_lid_addressing (f->server, FAKEWA_LID_ADDRESSING_ONLY);
  error = send_text (&f->customer, SHOP "@s.whatsapp.net", "3EB0D1D1000000000005", "Halo");
  g_assert_no_error (error);
  xi_spin_ms (300);
  g_assert_cmpuint (f->shop.received->len, ==, 0);

  stop_side (&f->shop);
  /* Say the number came while it was down. */
  wa_lid_map_remember (f->shop.store, customer_lid, CUSTOMER);
  start_side (f, &f->shop);
  wait_for_length (f->shop.received, 1);
  message = g_ptr_array_index (f->shop.received, 0);
  g_assert_cmpstr (message->id, ==, "3EB0D1D1000000000005");
  g_assert_cmpstr (message->chat, ==, CUSTOMER "@s.whatsapp.net");
  g_assert_cmpstr (message->text, ==, "Halo");
}

/* When keeping ends (the receiver stopping, before the client), a
 * message still held for its sender's number stays unread on the server,
 * as does one sent after: nobody would store them now. The next
 * connection that keeps reads both. */
static void
test_unknown_lid_left_when_keeping_ends (Fixture       *f,
                                         gconstpointer  data)
{
  g_autofree char *customer_lid = lid_user_of (f, CUSTOMER);
  g_autofree char *shop_lid = lid_user_of (f, SHOP);
  GError *error;

  f->shop.keeps = TRUE;
  wa_lid_map_remember (f->customer.store, shop_lid, SHOP);
  wa_tctoken_save_sent (f->customer.store, shop_lid, g_get_real_time () / G_USEC_PER_SEC);
  fakewa_server_set_lid_addressing (f->server, FAKEWA_LID_ADDRESSING_ONLY);
  error = send_text (&f->customer, SHOP "@s.whatsapp.net", "3EB0D1D1000000000003", "Halo");
  g_assert_no_error (error);
  xi_spin_ms (300);
  wa_messenger_set_keeping (f->shop.messenger, FALSE);
  error = send_text (&f->customer, SHOP "@s.whatsapp.net", "3EB0D1D1000000000004", "Halo lagi");
  g_assert_no_error (error);
  xi_spin_ms (300);
  wa_client_stop (f->shop.client);
  g_assert_cmpuint (f->shop.received->len, ==, 0);

  wa_lid_map_remember (f->shop.store, customer_lid, CUSTOMER);
  wa_messenger_set_keeping (f->shop.messenger, TRUE);
  wa_client_start (f->shop.client);
  wait_for_length (f->shop.received, 2);
  g_assert_cmpstr (((WaIncomingMessage *) g_ptr_array_index (f->shop.received, 0))->text, ==, "Halo");
  g_assert_cmpstr (((WaIncomingMessage *) g_ptr_array_index (f->shop.received, 1))->text, ==, "Halo lagi");
}

/* The copy for our own devices wraps the recipient's message as it is:
 * byte for byte what protobuf-c packs for the same fields, whatever
 * the lengths (one, two and three bytes of varint) and the chat. */
static void
test_sent_copy_bytes (void)
{
  const gsize lengths[] = { 0, 5, 127, 128, 300, 16383, 16384, 40000 };
  const char *chats[] = { "6281200000001@s.whatsapp.net", "100000000000001@lid" };

  for (guint c = 0; c < G_N_ELEMENTS (chats); c++)
    for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
      {
        g_autofree char *text = g_strnfill (lengths[i], 'a' + i);
        WaE2E__Message inner = WA_E2_E__MESSAGE__INIT;
        WaE2E__DeviceSentMessage sent = WA_E2_E__DEVICE_SENT_MESSAGE__INIT;
        WaE2E__Message outer = WA_E2_E__MESSAGE__INIT;
        g_autoptr(GBytes) content = NULL;
        g_autoptr(GBytes) expected = NULL;
        g_autoptr(GBytes) copy = NULL;

        inner.conversation = text;
        content = wa_proto_pack (&inner.base);
        sent.destinationjid = (char *) chats[c];
        sent.message = &inner;
        outer.devicesentmessage = &sent;
        expected = wa_proto_pack (&outer.base);
        copy = _wa_messenger_pack_sent_copy (chats[c], content);
        g_assert_true (g_bytes_equal (copy, expected));
      }
}

static void
append_varint (GByteArray *out,
               gsize       value)
{
  guint8 bytes[10];

  g_byte_array_append (out, bytes, wa_proto_put_varint (bytes, value) - bytes);
}

/* A wrapper field of Message and the wrapper's field that holds the
 * next Message, as tags on the wire. */
typedef struct
{
  guint8 message_tag[2];
  guint8 wrapper_tag;
} Wrapping;

static const Wrapping sent_copies = { { 0xfa, 0x01 }, 0x12 }; /* deviceSentMessage 31, message 2 */
static const Wrapping disappearing = { { 0xc2, 0x02 }, 0x0a }; /* ephemeralMessage 40, message 1 */

/* "STOP" in @levels wrappers, one inside the other, as a hostile peer
 * packs it; written outside in, from the sizes taken inside out. */
static GBytes *
nest (const Wrapping *wrapping,
      guint           levels)
{
  g_autofree gsize *message_sizes = g_new (gsize, levels + 1);
  g_autofree gsize *wrapper_sizes = g_new (gsize, levels + 1);
  GByteArray *out = g_byte_array_new ();
  static const guint8 stop[] = { 0x0a, 4, 'S', 'T', 'O', 'P' };

  message_sizes[0] = sizeof stop;
  for (guint i = 1; i <= levels; i++)
    {
      wrapper_sizes[i] = 1 + wa_proto_varint_size (message_sizes[i - 1]) + message_sizes[i - 1];
      message_sizes[i] = 2 + wa_proto_varint_size (wrapper_sizes[i]) + wrapper_sizes[i];
    }
  for (guint i = levels; i > 0; i--)
    {
      g_byte_array_append (out, wrapping->message_tag, sizeof wrapping->message_tag);
      append_varint (out, wrapper_sizes[i]);
      g_byte_array_append (out, &wrapping->wrapper_tag, 1);
      append_varint (out, message_sizes[i - 1]);
    }
  g_byte_array_append (out, stop, sizeof stop);
  return g_byte_array_free_to_bytes (out);
}

/* protobuf-c unpacks each level on the stack: wrappers nested ten
 * thousand deep (90 KB, any stranger may send them) would overflow it.
 * As deep as real messages go they parse; deeper they are refused, as
 * is a message cut short. */
static void
test_nested_copies (void)
{
  g_autoptr(GBytes) deepest = nest (&sent_copies, WA_PROTO_MAX_MESSAGE_DEPTH);
  g_autoptr(GBytes) too_deep = nest (&sent_copies, WA_PROTO_MAX_MESSAGE_DEPTH + 1);
  g_autoptr(GBytes) hostile = nest (&sent_copies, 10000);
  g_autoptr(GBytes) hostile_disappearing = nest (&disappearing, 10000);
  g_autoptr(GBytes) cut = g_bytes_new_from_bytes (deepest, 0, g_bytes_get_size (deepest) - 1);
  WaE2E__Message *message = wa_proto_unpack_message (deepest, NULL);
  WaE2E__Message *inner = message;

  g_assert_nonnull (message);
  for (guint i = 0; i < WA_PROTO_MAX_MESSAGE_DEPTH; i++)
    inner = inner->devicesentmessage->message;
  g_assert_cmpstr (inner->conversation, ==, "STOP");
  wa_e2_e__message__free_unpacked (message, NULL);

  g_assert_null (wa_proto_unpack_message (too_deep, NULL));
  g_assert_null (wa_proto_unpack_message (hostile, NULL));
  g_assert_null (wa_proto_unpack_message (hostile_disappearing, NULL));
  g_assert_null (wa_proto_unpack_message (cut, NULL));
}

/* The text the messenger reads in @message, and whether it is a copy
 * of ours. */
static char *
read_text (const WaE2E__Message *message,
           gboolean             *sent_copy)
{
  g_autoptr(GBytes) plaintext = wa_proto_pack (&message->base);
  g_autoptr(WaIncomingMedia) media = NULL;
  g_autoptr(GError) error = NULL;
  gboolean protocol = TRUE;
  char *text = NULL;

  g_assert_true (_wa_messenger_read (plaintext, &text, &media, sent_copy, &protocol, &error));
  g_assert_no_error (error);
  g_assert_false (protocol);
  return text;
}

/* A customer who turned disappearing messages on may write in a wrapper,
 * and a document's caption comes in one: "STOP" is read all the same,
 * and so is our own copy of such a message. */
static void
test_wrapped_messages (void)
{
  WaE2E__ExtendedTextMessage extended = WA_E2_E__EXTENDED_TEXT_MESSAGE__INIT;
  WaE2E__Message inner = WA_E2_E__MESSAGE__INIT;
  WaE2E__FutureProofMessage wrapper = WA_E2_E__FUTURE_PROOF_MESSAGE__INIT;
  WaE2E__Message disappearing_stop = WA_E2_E__MESSAGE__INIT;
  WaE2E__DocumentMessage document = WA_E2_E__DOCUMENT_MESSAGE__INIT;
  WaE2E__Message document_inner = WA_E2_E__MESSAGE__INIT;
  WaE2E__FutureProofMessage document_wrapper = WA_E2_E__FUTURE_PROOF_MESSAGE__INIT;
  WaE2E__Message captioned = WA_E2_E__MESSAGE__INIT;
  WaE2E__DeviceSentMessage copy = WA_E2_E__DEVICE_SENT_MESSAGE__INIT;
  WaE2E__Message our_copy = WA_E2_E__MESSAGE__INIT;
  g_autofree char *text = NULL;
  g_autofree char *caption = NULL;
  g_autofree char *copied = NULL;
  gboolean sent_copy = TRUE;

  extended.text = (char *) "STOP";
  inner.extendedtextmessage = &extended;
  wrapper.message = &inner;
  disappearing_stop.ephemeralmessage = &wrapper;
  text = read_text (&disappearing_stop, &sent_copy);
  g_assert_cmpstr (text, ==, "STOP");
  g_assert_false (sent_copy);

  document.caption = (char *) "Bukti transfer";
  document_inner.documentmessage = &document;
  document_wrapper.message = &document_inner;
  captioned.documentwithcaptionmessage = &document_wrapper;
  caption = read_text (&captioned, &sent_copy);
  g_assert_cmpstr (caption, ==, "Bukti transfer");

  copy.destinationjid = (char *) CUSTOMER "@s.whatsapp.net";
  copy.message = &disappearing_stop;
  our_copy.devicesentmessage = &copy;
  copied = read_text (&our_copy, &sent_copy);
  g_assert_cmpstr (copied, ==, "STOP");
  g_assert_true (sent_copy);
}

/* Whether the messenger reads a picture in @message, whose caption it
 * reads in any case. */
static gboolean
reads_picture (const WaE2E__Message *message)
{
  g_autoptr(GBytes) plaintext = wa_proto_pack (&message->base);
  g_autoptr(WaIncomingMedia) media = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *caption = NULL;
  gboolean sent_copy = TRUE;
  gboolean protocol = TRUE;

  g_assert_true (_wa_messenger_read (plaintext, &caption, &media, &sent_copy, &protocol, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (caption, ==, "Lihat ini");
  return media != NULL;
}

/* A sender chooses the key and path of the file it names. One that
 * could never be downloaded is not kept, however long: the message is
 * its caption alone. */
static void
test_media_reference_bounded (void)
{
  guint8 bytes[WA_KEY_LEN + 1] = { 0 };
  g_autofree char *longest = g_strnfill (WA_MEDIA_MAX_DIRECT_PATH, 'p');
  g_autofree char *too_long = g_strnfill (WA_MEDIA_MAX_DIRECT_PATH + 1, 'p');
  WaE2E__ImageMessage image = WA_E2_E__IMAGE_MESSAGE__INIT;
  WaE2E__Message message = WA_E2_E__MESSAGE__INIT;

  image.caption = (char *) "Lihat ini";
  image.mimetype = (char *) "image/jpeg";
  image.has_mediakey = image.has_filesha256 = image.has_fileencsha256 = TRUE;
  image.mediakey = (ProtobufCBinaryData) { WA_KEY_LEN, bytes };
  image.filesha256 = (ProtobufCBinaryData) { 32, bytes };
  image.fileencsha256 = (ProtobufCBinaryData) { 32, bytes };
  message.imagemessage = &image;
  longest[0] = too_long[0] = '/';

  image.directpath = longest;
  g_assert_true (reads_picture (&message));
  image.directpath = too_long;
  g_assert_false (reads_picture (&message));

  image.directpath = (char *) "/v/t62.7118-24/1_2_n.enc?ccb=11-4";
  g_assert_true (reads_picture (&message));
  image.mediakey.len = WA_KEY_LEN + 1;
  g_assert_false (reads_picture (&message));
  image.mediakey.len = WA_KEY_LEN - 1;
  g_assert_false (reads_picture (&message));
}

/* protobuf-c does not check strings, and a sender may put any bytes in
 * one: what the messenger hands on is UTF-8, the invalid bytes replaced,
 * and a picture whose path is not is dropped for its caption. Found by
 * fuzz-wa-message. An empty message, a NULL GBytes, reads as one without
 * text (a null pointer walked, which fuzz-wa-message's UBSan caught). */
static void
test_text_not_utf8 (void)
{
  guint8 bytes[WA_KEY_LEN] = { 0 };
  WaE2E__Message text = WA_E2_E__MESSAGE__INIT;
  WaE2E__DocumentMessage document = WA_E2_E__DOCUMENT_MESSAGE__INIT;
  WaE2E__Message file = WA_E2_E__MESSAGE__INIT;
  g_autoptr(GBytes) packed = NULL;
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(WaIncomingMedia) media = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *read = NULL;
  g_autofree char *caption = NULL;
  g_autofree char *nothing = NULL;
  gboolean sent_copy = TRUE;
  gboolean protocol = TRUE;

  text.conversation = (char *) "Halo \xff kak";
  read = read_text (&text, &sent_copy);
  g_assert_cmpstr (read, ==, "Halo \xef\xbf\xbd kak");

  document.caption = (char *) "Bukti \xc3";
  document.filename = (char *) "nota\xff.pdf";
  document.mimetype = (char *) "application/pdf\x80";
  document.directpath = (char *) "/v/t62.7119-24/1_2_n.enc";
  document.has_mediakey = document.has_filesha256 = document.has_fileencsha256 = TRUE;
  document.mediakey = (ProtobufCBinaryData) { WA_KEY_LEN, bytes };
  document.filesha256 = (ProtobufCBinaryData) { 32, bytes };
  document.fileencsha256 = (ProtobufCBinaryData) { 32, bytes };
  file.documentmessage = &document;
  packed = wa_proto_pack (&file.base);
  g_assert_true (_wa_messenger_read (packed, &caption, &media, &sent_copy, &protocol, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (caption, ==, "Bukti \xef\xbf\xbd");
  g_assert_nonnull (media);
  g_assert_cmpstr (media->file_name, ==, "nota\xef\xbf\xbd.pdf");
  g_assert_cmpstr (media->mimetype, ==, "application/pdf\xef\xbf\xbd");

  document.directpath = (char *) "/v/t62.7119-24/\xff.enc";
  g_clear_pointer (&packed, g_bytes_unref);
  g_clear_pointer (&caption, g_free);
  g_clear_pointer (&media, wa_incoming_media_free);
  packed = wa_proto_pack (&file.base);
  g_assert_true (_wa_messenger_read (packed, &caption, &media, &sent_copy, &protocol, &error));
  g_assert_cmpstr (caption, ==, "Bukti \xef\xbf\xbd");
  g_assert_null (media);

  g_assert_true (_wa_messenger_read (empty, &nothing, &media, &sent_copy, &protocol, &error));
  g_assert_null (nothing);
  g_assert_null (media);
  g_assert_false (protocol);
}

static gsize
max_resident_kb (void)
{
  struct rusage usage;

  g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);
  return (gsize) usage.ru_maxrss;
}

/* Empty unknown fields, two bytes each on the wire, take some 44 times
 * that unpacked: a stranger's 4 MB of them would take 180 MB. It is
 * refused for the memory, before it takes more than a few times its
 * size; a picture with a large preview, about its size, is read. Alone
 * in a process, whose peak resident size is its own. */
static void
test_unpack_bounded (void)
{
  if (g_test_subprocess ())
    {
      const gsize size = 4 * 1024 * 1024;
      guint8 *empty = g_malloc (size);
      g_autoptr(GBytes) hostile = NULL;
      g_autoptr(GBytes) preview = NULL;
      g_autoptr(WaIncomingMedia) media = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      gboolean sent_copy = FALSE;
      gboolean protocol = FALSE;
      WaE2E__Message picture = WA_E2_E__MESSAGE__INIT;
      WaE2E__ImageMessage image = WA_E2_E__IMAGE_MESSAGE__INIT;
      gsize before;

      for (gsize i = 0; i < size; i += 2)
        {
          empty[i] = 2 << 3;  /* field 2, not in Message, a varint */
          empty[i + 1] = 0;
        }
      hostile = g_bytes_new_take (empty, size);
      before = max_resident_kb ();
      g_assert_false (_wa_messenger_read (hostile, &text, &media, &sent_copy, &protocol, &error));
      g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
      g_assert_nonnull (strstr (error->message, "memory"));
      g_assert_cmpuint (max_resident_kb () - before, <, 64 * 1024);
      g_clear_error (&error);

      image.caption = (char *) "Yang ini";
      image.has_jpegthumbnail = TRUE;
      image.jpegthumbnail.len = 2 * 1024 * 1024;
      image.jpegthumbnail.data = g_malloc0 (image.jpegthumbnail.len);
      picture.imagemessage = &image;
      preview = wa_proto_pack (&picture.base);
      g_free (image.jpegthumbnail.data);
      g_assert_true (_wa_messenger_read (preview, &text, &media, &sent_copy, &protocol, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (text, ==, "Yang ini");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wa/messenger/sent-copy-bytes", test_sent_copy_bytes);
  g_test_add_func ("/wa/messenger/nested-copies", test_nested_copies);
  g_test_add_func ("/wa/messenger/unpack-bounded", test_unpack_bounded);
  g_test_add_func ("/wa/messenger/wrapped-messages", test_wrapped_messages);
  g_test_add_func ("/wa/messenger/media-reference-bounded", test_media_reference_bounded);
  g_test_add_func ("/wa/messenger/text-not-utf8", test_text_not_utf8);
  ADD ("/wa/messenger/conversation", test_conversation);
  ADD ("/wa/messenger/receipt-when-kept", test_receipt_when_kept);
  ADD ("/wa/messenger/device-lists-bounded", test_device_lists_bounded);
  ADD ("/wa/messenger/media", test_media);
  ADD ("/wa/messenger/not-on-whatsapp", test_not_on_whatsapp);
  ADD ("/wa/messenger/offline-and-restart", test_offline_and_restart);
  ADD ("/wa/messenger/retry-after-lost-sessions", test_retry_after_lost_sessions);
  ADD ("/wa/messenger/lid-replies", test_lid_replies);
  ADD ("/wa/messenger/retry-from-stranger", test_retry_from_stranger);
  ADD ("/wa/messenger/sends-at-once", test_sends_at_once);
  ADD ("/wa/messenger/note-to-self", test_note_to_self);
  ADD ("/wa/messenger/message-ids-bounded", test_message_ids_bounded);
  ADD ("/wa/messenger/receipt-list-bounded", test_receipt_list_bounded);
  ADD ("/wa/messenger/retry-count-bounded", test_retry_count_bounded);
  ADD ("/wa/messenger/retry-session-hourly", test_retry_session_hourly);
  ADD ("/wa/messenger/retry-from-lid", test_retry_from_lid);
  g_test_add_data_func ("/wa/messenger/owner-thread/client", touch_client, test_owner_thread);
  g_test_add_data_func ("/wa/messenger/owner-thread/messenger", touch_messenger, test_owner_thread);
  ADD ("/wa/messenger/tokens-required", test_tokens_required);
  ADD ("/wa/messenger/cstoken", test_cstoken);
  ADD ("/wa/messenger/ab-props", test_ab_props);
  ADD ("/wa/messenger/timelock", test_timelock);
  ADD ("/wa/messenger/identity-change", test_identity_change);
  ADD ("/wa/messenger/presence", test_presence);
  ADD ("/wa/messenger/new-chat-cap", test_new_chat_cap);
  ADD ("/wa/messenger/unknown-lid-resolved", test_unknown_lid_resolved);
  ADD ("/wa/messenger/unknown-lid-waits-for-number", test_unknown_lid_waits_for_number);
  ADD ("/wa/messenger/unknown-lid-read-when-too-many", test_unknown_lid_read_when_too_many);
  ADD ("/wa/messenger/unknown-lid-waited-out", test_unknown_lid_waited_out);
  ADD ("/wa/messenger/unknown-lid-left-when-keeping-ends", test_unknown_lid_left_when_keeping_ends);
  ADD ("/wa/messenger/unknown-lid-crash-while-held", test_unknown_lid_crash_while_held);
  return g_test_run ();
}
