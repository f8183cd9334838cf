/* bench-media.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <sys/resource.h>

#include "bench-utils.h"
#include "fakewa-server.h"
#include "wa-key-store.h"
#include "wa-messenger.h"
#include "xi-engine.h"
#include "xi-paths.h"
#include "xi-store.h"
#include "xi-whatsapp-transport.h"

/*
 * A picture to many recipients at the protocol level: one account of the
 * fake server sends N people it never wrote to (default 1,000) a text,
 * then N others a 1 MB picture uploaded once and referred to by every
 * message, each message awaited until the server's ack.
 *  - media-uploads: uploads the media host took (1 expected);
 *  - media-upload-ms: encrypting and uploading the picture;
 *  - text-cpu / media-cpu: user + system CPU per message of each round;
 *  - media-rss: the process's peak RSS after those two rounds;
 *  - campaign-text-* / campaign-media-*: the same through the app, each
 *    from another linked account: a stored campaign to N more new
 *    recipients, sent by the engine over the WhatsApp transport, its
 *    template text only, then attaching a 1 MB JPEG from the asset
 *    library: uploads (0, then 1 expected), CPU per message (the store's
 *    writes and the media cache included) and the peak RSS;
 *  - campaign-video-*: the same with a 16 MB video (--video-mb) sent as
 *    a document, which the media cache reads whole before its upload;
 *    campaign-video-total-cpu is the whole round's.
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
#define TEXT_SHOP "6281900000002"
#define MEDIA_SHOP "6281900000003"
#define BAILEYS_SHOP "6281900000004"
#define VIDEO_SHOP "6281900000005"
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

/* A photo-like 1 MB JPEG: noise does not compress, so its size is what
 * the quality makes it. */
static char *
write_picture (const char *dir,
               guint       megabytes)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 1024, 1024);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  char *path = g_build_filename (dir, "promo.jpg", NULL);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  gsize length = (gsize) gdk_pixbuf_get_rowstride (pixbuf) * gdk_pixbuf_get_height (pixbuf);
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < length; i++)
    pixels[i] = g_rand_int (rand) & 0xff;
  if (!gdk_pixbuf_save (pixbuf, path, "jpeg", &error, "quality", "92", NULL))
    g_error ("picture: %s", error->message);
  return path;
}

/* Random bytes: nothing the asset library recognises, so a document. */
static char *
write_video (const char *dir,
             guint       megabytes)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  gsize length = (gsize) megabytes * 1024 * 1024;
  g_autofree guint32 *words = g_malloc (length);
  char *path = g_build_filename (dir, "promo.mp4", NULL);
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < length / sizeof *words; i++)
    words[i] = g_rand_int (rand);
  if (!g_file_set_contents (path, (const char *) words, length, &error))
    g_error ("video: %s", error->message);
  return path;
}

/* Takes @result. */
static gpointer
finish_or_die (GAsyncResult *result,
               gpointer    (*finish) (XiStore *, GAsyncResult *, GError **),
               XiStore      *store,
               const char   *what)
{
  g_autoptr(GAsyncResult) owned = result;
  g_autoptr(GError) error = NULL;
  gpointer value = finish (store, owned, &error);

  if (value == NULL)
    g_error ("%s: %s", what, error->message);
  return value;
}

static void
campaign_changed_cb (XiEngine *engine,
                     XiJob    *job,
                     gboolean *finished)
{
  XiJobState state = xi_job_get_state (job);

  if (state == XI_JOB_STATE_COMPLETED || state == XI_JOB_STATE_FAILED || state == XI_JOB_STATE_CANCELLED)
    *finished = TRUE;
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The app's path: library, template, stored campaign, engine; from
 * @shop, which never wrote to the N recipients from @first on, with the
 * file @write_attachment makes, if any, attached. */
static void
campaign_round (FakewaServer *server,
                const char   *shop,
                guint         first,
                guint         rows,
                const char   *prefix,
                char *      (*write_attachment) (const char *dir, guint megabytes),
                guint         megabytes,
                GTlsDatabase *media_ca)
{
  g_autofree char *dir = bench_make_tmpdir ();
  g_autofree char *csv = bench_write_numbered_contacts_csv (dir, first, rows);
  g_autofree char *attachment = write_attachment != NULL ? write_attachment (dir, megabytes) : NULL;
  g_autofree char *total_name = g_strconcat (prefix, "-total-cpu", NULL);
  g_autofree char *size_name = g_strconcat (prefix, "-attachment", NULL);
  g_autofree char *cpu_name = g_strconcat (prefix, "-cpu", NULL);
  g_autofree char *uploads_name = g_strconcat (prefix, "-uploads", NULL);
  g_autofree char *rss_name = g_strconcat (prefix, "-rss", NULL);
  g_autofree char *db = xi_paths_dup_store_path (dir);
  g_autoptr(XiStore) store = xi_store_new (db);
  g_autoptr(WaKeyStore) keys = wa_memory_key_store_new ();
  g_autoptr(WaClient) client = NULL;
  g_autoptr(XiTransport) transport = NULL;
  g_autoptr(XiEngine) engine = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (csv);
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(XiAsset) asset = NULL;
  g_autoptr(XiTemplate) template_ = xi_template_new ("Promo");
  g_autoptr(XiTemplate) saved = NULL;
  g_autoptr(XiJobSpec) spec = xi_job_spec_new ();
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) done = NULL;
  g_autoptr(GAsyncResult) opened = NULL;
  g_autoptr(GAsyncResult) read = NULL;
  g_autoptr(GError) error = NULL;
  const char *variants[] = { "Halo {name}, promo akhir bulan!", NULL };
  GAsyncResult *slot = NULL;
  gboolean finished = FALSE, stopped = FALSE;
  guint uploads_before = fakewa_server_get_n_uploads (server);
  struct rusage usage;
  double cpu;

  for (guint i = first; i < first + rows; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812%04u%04u", i / 10000, i % 10000);

      fakewa_server_add_account (server, phone);
    }
  client = wa_client_new (keys, fakewa_server_get_url (server), fakewa_server_get_root_key (server));
  wa_media_set_tls_database (client, media_ca);
  fakewa_server_link_client (server, client, shop);

  xi_store_open_async (store, NULL, bench_result_cb, &slot);
  opened = bench_wait (&slot);
  if (!xi_store_open_finish (store, opened, &error))
    g_error ("open: %s", error->message);
  xi_import_read_file_async (file, "62", NULL, NULL, NULL, NULL, bench_result_cb, &slot);
  read = bench_wait (&slot);
  if ((batch = xi_import_read_file_finish (read, &error)) == NULL)
    g_error ("read: %s", error->message);
  xi_store_import_contacts_async (store, g_steal_pointer (&batch), "Bench", NULL, NULL, NULL, NULL,
                                  bench_result_cb, &slot);
  report = finish_or_die (bench_wait (&slot), (gpointer) xi_store_import_contacts_finish, store, "import");
  xi_store_list_groups_async (store, NULL, bench_result_cb, &slot);
  groups = finish_or_die (bench_wait (&slot), (gpointer) xi_store_list_groups_finish, store, "groups");
  xi_template_set_variants (template_, variants);
  if (attachment != NULL)
    {
      xi_store_add_asset_async (store, attachment, NULL, bench_result_cb, &slot);
      asset = finish_or_die (bench_wait (&slot), (gpointer) xi_store_add_asset_finish, store, "asset");
      bench_report (size_name, xi_asset_get_size (asset) / 1e6, "MB");
      xi_template_set_asset_id (template_, xi_asset_get_id (asset));
    }
  xi_store_save_template_async (store, template_, NULL, bench_result_cb, &slot);
  saved = finish_or_die (bench_wait (&slot), (gpointer) xi_store_save_template_finish, store, "template");
  spec->group_id = g_strdup (xi_group_get_id (g_ptr_array_index (groups, 0)));
  spec->template_id = g_strdup (xi_template_get_id (saved));
  spec->delay_min_ms = spec->delay_max_ms = 0;
  spec->batch_size = 0;
  spec->start = TRUE;
  xi_store_create_job_async (store, spec, NULL, bench_result_cb, &slot);
  job = finish_or_die (bench_wait (&slot), (gpointer) xi_store_create_job_finish, store, "campaign");

  transport = xi_whatsapp_transport_new (client);
  engine = xi_engine_new (store, transport);
  g_signal_connect (engine, "job-changed", G_CALLBACK (campaign_changed_cb), &finished);
  cpu = cpu_seconds ();
  xi_engine_wake (engine);
  while (!finished)
    g_main_context_iteration (NULL, TRUE);
  bench_report (cpu_name, (cpu_seconds () - cpu) * 1e3 / rows, "ms/message");
  if (attachment != NULL)
    bench_report (total_name, (cpu_seconds () - cpu) * 1e3, "ms");
  bench_report (uploads_name, fakewa_server_get_n_uploads (server) - uploads_before, "uploads");
  getrusage (RUSAGE_SELF, &usage);
  bench_report (rss_name, usage.ru_maxrss / 1024.0, "MB");

  xi_engine_shutdown (engine, set_flag, &stopped);
  while (!stopped)
    g_main_context_iteration (NULL, TRUE);
  xi_store_get_job_async (store, xi_job_get_id (job), NULL, bench_result_cb, &slot);
  done = finish_or_die (bench_wait (&slot), (gpointer) xi_store_get_job_finish, store, "job");
  if (xi_job_get_sent (done) != rows)
    g_error ("the campaign sent %u of %u", xi_job_get_sent (done), rows);
  wa_client_stop (client);
  xi_store_close (store);
  bench_rm_rf (dir);
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
  /* bench-baileys.js writes to 62812…: numbers 2N to 4N-1, after the
   * campaign rounds' 0 to 2N-1. */
  for (guint i = 2 * rows; i < 4 * rows; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62812%04u%04u", i / 10000, i % 10000);

      fakewa_server_add_account (server, phone);
    }

  baileys_link (&baileys);
  baseline = baileys_round (&baileys, "send", 2 * rows, 0);
  bench_report ("baileys-text-cpu", (baileys_round (&baileys, "send", 2 * rows, rows) - baseline) * 1e3 / rows,
                "ms/message");
  baseline = baileys_round (&baileys, "send-media", 2 * rows, 0);
  uploads = fakewa_server_get_n_uploads (server);
  bench_report ("baileys-media-cpu",
                (baileys_round (&baileys, "send-media", 3 * rows, rows) - baseline) * 1e3 / rows, "ms/message");
  bench_report ("baileys-media-uploads", fakewa_server_get_n_uploads (server) - uploads, "uploads");
  children_cpu_seconds (&usage);
  bench_report ("baileys-rss", usage.ru_maxrss / 1024.0, "MB");

  g_strfreev (baileys.env);
  g_free (baileys.node);
  g_free (baileys.script);
  g_free (baileys.state);
  g_free (baileys.picture);
}

/* The run's CA, and the server's media host on HTTPS with it: @client
 * trusts it, and so must every other client of ours the run makes. */
static GTlsDatabase *
serve_media_tls (FakewaServer *server,
                 WaClient     *client,
                 const char   *dir)
{
  g_autofree char *make_ca = g_build_filename (XI_SOURCE_ROOT, "tests", "fakewa", "make-test-ca", NULL);
  g_autofree char *host = g_build_filename (dir, "media.pem", NULL);
  g_autofree char *ca = g_build_filename (dir, "ca.pem", NULL);
  const char *argv[] = { make_ca, dir, NULL };
  g_autoptr(GTlsCertificate) certificate = NULL;
  GTlsDatabase *database = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error) ||
      (certificate = g_tls_certificate_new_from_file (host, &error)) == NULL ||
      fakewa_server_serve_media_tls (server, certificate, &error) == 0 ||
      (database = g_tls_file_database_new (ca, &error)) == NULL)
    g_error ("No HTTPS media host: %s", error->message);
  wa_media_set_tls_database (client, database);
  return database;
}

int
main (int   argc,
      char *argv[])
{
  guint video_mb = bench_parse_option (&argc, &argv, "--video-mb", 16);
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
  g_autoptr(GTlsDatabase) media_ca = NULL;
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
  media_ca = serve_media_tls (server, client, dir);
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

  campaign_round (server, TEXT_SHOP, 0, rows, "campaign-text", NULL, 0, media_ca);
  campaign_round (server, MEDIA_SHOP, rows, rows, "campaign-media", write_picture, 0, media_ca);
  campaign_round (server, VIDEO_SHOP, 2 * rows, rows, "campaign-video", write_video, video_mb, media_ca);
  bench_baileys (server, dir, picture, rows);
  bench_rm_rf (dir);
  return 0;
}
