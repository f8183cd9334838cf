/* fakesupabase-main.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs-server.h"

/*
 * A PostgREST- and GoTrue-compatible gateway in front of a test
 * PostgreSQL cluster (tests/fakesupabase/README.md). When it listens it
 * prints, one per line:
 *   url http://127.0.0.1:PORT
 *   anon-key JWT
 *   service-key JWT
 *   control http://127.0.0.1:PORT/control
 * and runs until SIGINT or SIGTERM, or until its standard input ends when
 * started with --watch-stdin (so a test that dies takes it along).
 */

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
stdin_read_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GMainLoop *loop = user_data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, NULL);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      g_main_loop_quit (loop);
      return;
    }
  g_input_stream_read_bytes_async (G_INPUT_STREAM (object), 256, G_PRIORITY_DEFAULT, NULL,
                                   stdin_read_cb, loop);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *conninfo = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *auth_user = NULL;
  int port = 0;
  int max_rows = 0;
  int token_lifetime = 3600;
  gboolean confirm_email = FALSE;
  gboolean watch_stdin = FALSE;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_STRING, &conninfo,
      "libpq connection string for the authenticator role", "CONNINFO" },
    { "auth-user", 0, 0, G_OPTION_ARG_STRING, &auth_user,
      "role the auth half logs in as (default supabase_auth_admin)", "ROLE" },
    { "jwt-secret", 0, 0, G_OPTION_ARG_STRING, &secret, "HS256 secret of every token", "SECRET" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "port on 127.0.0.1 (default: any free one)", "N" },
    { "max-rows", 0, 0, G_OPTION_ARG_INT, &max_rows, "most rows one read returns (0: no cap)", "N" },
    { "token-lifetime", 0, 0, G_OPTION_ARG_INT, &token_lifetime,
      "seconds an access token lives (default 3600)", "S" },
    { "confirm-email", 0, 0, G_OPTION_ARG_NONE, &confirm_email,
      "sign-up waits for the address to be confirmed instead of signing in", NULL },
    { "watch-stdin", 0, 0, G_OPTION_ARG_NONE, &watch_stdin, "exit when standard input ends", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new ("— PostgREST and GoTrue for tests");
  g_autoptr(GError) error = NULL;
  g_autoptr(FsServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GInputStream) stdin_stream = NULL;

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("fakesupabase: %s\n", error->message);
      return 2;
    }
  if (conninfo == NULL || secret == NULL || strlen (secret) < 32 ||
      port < 0 || port > 65535 || max_rows < 0 || token_lifetime < 1)
    {
      g_printerr ("fakesupabase: give --db and a --jwt-secret of at least 32 characters; "
                  "--port, --max-rows and --token-lifetime take non-negative numbers\n");
      return 2;
    }

  server = fs_server_new (conninfo, auth_user != NULL ? auth_user : "supabase_auth_admin",
                          secret, (guint) port, &error);
  if (server == NULL)
    {
      g_printerr ("fakesupabase: %s\n", error->message);
      return 1;
    }
  fs_server_set_max_rows (server, (guint) max_rows);
  fs_server_set_token_lifetime (server, (guint) token_lifetime);
  fs_server_set_autoconfirm (server, !confirm_email);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  if (watch_stdin)
    {
      stdin_stream = g_unix_input_stream_new (0, FALSE);
      g_input_stream_read_bytes_async (stdin_stream, 256, G_PRIORITY_DEFAULT, NULL,
                                       stdin_read_cb, loop);
    }

  printf ("url %s\n", fs_server_get_url (server));
  printf ("anon-key %s\n", fs_server_get_anon_key (server));
  printf ("service-key %s\n", fs_server_get_service_key (server));
  printf ("control %s/control\n", fs_server_get_url (server));
  fflush (stdout);

  g_main_loop_run (loop);
  return 0;
}
