/* bench-media.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sys/resource.h>

#include "bench-utils.h"
#include "fakewa-server.h"
#include "wa-key-store.h"
#include "wa-messenger.h"

/*
 * A picture to many recipients at the protocol level: one account of the
 * fake server sends N people it never wrote to (default 1,000) a text,
 * then N others a 1 MB picture uploaded once and referred to by every
 * message, each message awaited until the server's ack.
 *  - media-uploads: uploads the media host took (1 expected);
 *  - media-upload-ms: encrypting and uploading the picture;
 *  - text-cpu / media-cpu: user + system CPU per message of each round;
 *  - media-rss: the process's peak RSS at the end.
 * The fake server runs in the same process, so the CPU figures include
 * its share (relaying, the phones' decryption and receipts), the same in
 * both rounds: their difference is what media costs per message.
 */

#define SHOP "6281900000001"
#define PICTURE_SIZE (1024 * 1024)

typedef struct
{
  guint   pending;
  guint   failed;
} Round;

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
         usage.ru_stime.tv_usec / 1e6;
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Round *round = user_data;
  g_autoptr(GError) error = NULL;

  if (!wa_messenger_send_text_finish (WA_MESSENGER (object), result, &error))
    {
      if (round->failed++ == 0)
        g_printerr ("A message failed: %s\n", error->message);
    }
  round->pending--;
}

static void
wait_round (Round *round)
{
  while (round->pending > 0)
    g_main_context_iteration (NULL, TRUE);
}

static char *
recipient (guint first,
           guint i)
{
  return g_strdup_printf ("62819%08u@s.whatsapp.net", first + i);
}

int
main (int   argc,
      char *argv[])
{
  guint rows = bench_parse_rows (&argc, &argv, 1000);
  g_autoptr(FakewaServer) server = NULL;
  g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
  g_autoptr(WaClient) client = NULL;
  g_autoptr(WaMessenger) messenger = NULL;
  g_autoptr(GBytes) picture = NULL;
  g_autoptr(WaMediaUpload) upload = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  WaMediaMessage media = { WA_MEDIA_IMAGE, NULL, "image/jpeg", "Promo", NULL, 1024, 1024, 0, NULL };
  struct rusage usage;
  Round round = { 0 };
  guint8 *bytes;
  gint64 started;
  double cpu;

  if (!wa_crypto_init (&error) || (server = fakewa_server_new (&error)) == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  client = wa_client_new (store, fakewa_server_get_url (server), fakewa_server_get_root_key (server));
  messenger = wa_messenger_new (client);
  fakewa_server_link_client (server, client, SHOP);
  for (guint i = 0; i < 2 * rows; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62819%08u", 1 + i);

      fakewa_server_add_account (server, phone);
    }

  cpu = cpu_seconds ();
  for (guint i = 0; i < rows; i++)
    {
      g_autofree char *to = recipient (1, i);
      g_autofree char *id = g_strdup_printf ("3EB0BE0C%012u", i);

      round.pending++;
      wa_messenger_send_text_async (messenger, to, id, "Promo akhir bulan", NULL, sent_cb, &round);
      wait_round (&round);
    }
  bench_report ("text-cpu", (cpu_seconds () - cpu) * 1e3 / rows, "ms/message");

  bytes = g_malloc (PICTURE_SIZE);
  for (guint i = 0; i < PICTURE_SIZE; i++)
    bytes[i] = g_random_int () & 0xff;
  picture = g_bytes_new_take (bytes, PICTURE_SIZE);
  cpu = cpu_seconds ();
  started = g_get_monotonic_time ();
  wa_media_upload_async (client, WA_MEDIA_IMAGE, picture, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  upload = wa_media_upload_finish (client, result, &error);
  if (upload == NULL)
    {
      g_printerr ("The upload failed: %s\n", error->message);
      return 1;
    }
  bench_report ("media-upload-ms", (g_get_monotonic_time () - started) / 1e3, "ms");
  media.upload = upload;
  for (guint i = 0; i < rows; i++)
    {
      g_autofree char *to = recipient (1 + rows, i);
      g_autofree char *id = g_strdup_printf ("3EB0BE0D%012u", i);

      round.pending++;
      wa_messenger_send_media_async (messenger, to, id, &media, NULL, sent_cb, &round);
      wait_round (&round);
    }
  bench_report ("media-cpu", (cpu_seconds () - cpu) * 1e3 / rows, "ms/message");
  bench_report ("media-uploads", fakewa_server_get_n_uploads (server), "uploads");
  getrusage (RUSAGE_SELF, &usage);
  bench_report ("media-rss", usage.ru_maxrss / 1024.0, "MB");
  if (round.failed > 0)
    {
      g_printerr ("%u messages failed\n", round.failed);
      return 1;
    }
  return 0;
}
