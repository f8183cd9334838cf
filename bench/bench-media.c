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
 * both rounds: their difference is what media costs per message. The
 * media host speaks HTTPS with a certificate from a CA made for the run.
 *
 * Then Baileys (tests/interop/bench-baileys.js, when installed) does the
 * same in the same run against the same server: N texts, then the same
 * picture uploaded once and relayed to N others. Its rounds are separate
 * node processes; a round of no messages (start, login, and the upload)
 * is measured too and taken off, so
 *  - baileys-text-cpu / baileys-media-cpu: Baileys' CPU per message plus
 *    the server's share in this process, as ours is counted;
 *  - baileys-media-uploads: the uploads of its media round;
 *  - baileys-rss: the peak RSS of its largest process.
 */

#define SHOP "6281900000001"
#define BAILEYS_SHOP "6281900000002"
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

static double
children_cpu_seconds (struct rusage *usage)
{
  getrusage (RUSAGE_CHILDREN, usage);
  return usage->ru_utime.tv_sec + usage->ru_utime.tv_usec / 1e6 + usage->ru_stime.tv_sec +
         usage->ru_stime.tv_usec / 1e6;
}

static void
exited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_check_finish (G_SUBPROCESS (object), result, &error))
    g_error ("Baileys failed: %s", error->message);
  *(gboolean *) user_data = TRUE;
}

/* The server lives in this process: it is served while the child runs. */
static void
wait_child (GSubprocess *child)
{
  gboolean exited = FALSE;

  g_subprocess_wait_check_async (child, NULL, exited_cb, &exited);
  while (!exited)
    g_main_context_iteration (NULL, TRUE);
}

typedef struct
{
  FakewaServer *server;
  char        **env;     /* NODE_EXTRA_CA_CERTS: the run's CA */
  char         *node;
  char         *script;
  char         *state;
  char         *picture;
} Baileys;

static void
baileys_link (Baileys *baileys)
{
  const char *argv[] = { baileys->node, baileys->script, "link", fakewa_server_get_url (baileys->server),
                         baileys->state, NULL };
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *qr = NULL;
  GAsyncResult *slot = NULL;

  g_subprocess_launcher_set_environ (launcher, baileys->env);
  child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, bench_result_cb, &slot);
  result = bench_wait (&slot);
  qr = g_data_input_stream_read_line_finish_utf8 (out, result, NULL, &error);
  g_assert (qr != NULL && g_str_has_prefix (qr, "qr "));
  if (!fakewa_server_scan (baileys->server, qr + 3, BAILEYS_SHOP, &error))
    g_error ("The phone could not scan Baileys' code: %s", error->message);
  wait_child (child);
}

/* CPU seconds of one Baileys process, and of this process meanwhile (the
 * server's share). */
static double
baileys_round (Baileys    *baileys,
               const char *command,
               guint       first,
               guint       count)
{
  g_autofree char *first_text = g_strdup_printf ("%u", first);
  g_autofree char *count_text = g_strdup_printf ("%u", count);
  const char *argv[] = { baileys->node, baileys->script, command, fakewa_server_get_url (baileys->server),
                         baileys->state, first_text, count_text, baileys->picture, NULL };
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  struct rusage usage;
  double before = children_cpu_seconds (&usage) + cpu_seconds ();

  g_subprocess_launcher_set_environ (launcher, baileys->env);
  child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  wait_child (child);
  return children_cpu_seconds (&usage) + cpu_seconds () - before;
}

static void
bench_baileys (FakewaServer *server,
               const char   *dir,
               GBytes       *picture,
               guint         rows)
{
  g_autofree char *modules = g_build_filename (XI_SOURCE_ROOT, "tests", "interop", "node_modules", NULL);
  g_autofree char *ca = g_build_filename (dir, "ca.pem", NULL);
  g_autoptr(GError) error = NULL;
  struct rusage usage;
  double baseline;
  guint uploads;
  Baileys baileys = { server };

  baileys.node = g_find_program_in_path ("node");
  if (baileys.node == NULL || !g_file_test (modules, G_FILE_TEST_IS_DIR))
    {
      g_print ("# Baileys not installed (npm ci --prefix tests/interop): no comparison\n");
      return;
    }
  baileys.script = g_build_filename (XI_SOURCE_ROOT, "tests", "interop", "bench-baileys.js", NULL);
  baileys.state = g_build_filename (dir, "baileys-state.json", NULL);
  baileys.picture = g_build_filename (dir, "picture.jpg", NULL);
  baileys.env = g_environ_setenv (g_get_environ (), "NODE_EXTRA_CA_CERTS", ca, TRUE);
  if (!g_file_set_contents (baileys.picture, g_bytes_get_data (picture, NULL), g_bytes_get_size (picture), &error))
    g_error ("%s", error->message);
  /* bench-baileys.js writes to 62812…: numbers 1 to 2N. */
  for (guint i = 1; i <= 2 * rows; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812%04u%04u", i / 10000, i % 10000);

      fakewa_server_add_account (server, phone);
    }

  baileys_link (&baileys);
  baseline = baileys_round (&baileys, "send", 1, 0);
  bench_report ("baileys-text-cpu", (baileys_round (&baileys, "send", 1, rows) - baseline) * 1e3 / rows,
                "ms/message");
  baseline = baileys_round (&baileys, "send-media", 1, 0);
  uploads = fakewa_server_get_n_uploads (server);
  bench_report ("baileys-media-cpu",
                (baileys_round (&baileys, "send-media", 1 + rows, rows) - baseline) * 1e3 / rows, "ms/message");
  bench_report ("baileys-media-uploads", fakewa_server_get_n_uploads (server) - uploads, "uploads");
  children_cpu_seconds (&usage);
  bench_report ("baileys-rss", usage.ru_maxrss / 1024.0, "MB");

  g_strfreev (baileys.env);
  g_free (baileys.node);
  g_free (baileys.script);
  g_free (baileys.state);
  g_free (baileys.picture);
}

/* The run's CA, and the server's media host on HTTPS with it. */
static void
serve_media_tls (FakewaServer *server,
                 WaClient     *client,
                 const char   *dir)
{
  g_autofree char *make_ca = g_build_filename (XI_SOURCE_ROOT, "tests", "fakewa", "make-test-ca", NULL);
  g_autofree char *host = g_build_filename (dir, "media.pem", NULL);
  g_autofree char *ca = g_build_filename (dir, "ca.pem", NULL);
  const char *argv[] = { make_ca, dir, NULL };
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error) ||
      (certificate = g_tls_certificate_new_from_file (host, &error)) == NULL ||
      fakewa_server_serve_media_tls (server, certificate, &error) == 0 ||
      (database = g_tls_file_database_new (ca, &error)) == NULL)
    g_error ("No HTTPS media host: %s", error->message);
  wa_media_set_tls_database (client, database);
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
  g_autofree char *dir = bench_make_tmpdir ();
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
  serve_media_tls (server, client, dir);
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

  bench_baileys (server, dir, picture, rows);
  bench_rm_rf (dir);
  return 0;
}
