/* fakewa-main.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gunixinputstream.h>
#include <stdio.h>

#include "fakewa-server.h"

/*
 * The fake server as a program, for tests that drive a real client in
 * another process (xender-in-cli, later Baileys). It prints, one per line:
 *   url ws://127.0.0.1:PORT/ws/chat
 *   root HEX                    (the root key clients must trust)
 * and later "paired JID LID" for every device it links and "relayed
 * FROM TO TYPE" for every copy of a message it hands to a device. It reads commands on
 * standard input, one per line:
 *   scan QR-TEXT PHONE          the phone scans a code
 *   drop                        every connection is cut
 *   drop-after N                every connection is cut when the N-th
 *                               node from now arrives, unanswered
 *   stream-error CODE [CONFLICT] every stream ends with that error; CODE
 *                               "-" for none, as with a conflict alone
 *   account PHONE               the number is on WhatsApp (usync says "in")
 *   refuse-logins REASON        every login fails with that reason ("-":
 *                               accept them again)
 *   delay MS                    every node waits MS before it is handled
 *   refuse-messages CODE        every message is acked with that error
 *                               ("-": relay them again)
 *   quit
 * and answers each with "ok" or "error MESSAGE".
 */

typedef struct
{
  FakewaServer     *server;
  GDataInputStream *input;
  GMainLoop        *loop;
} Program;

static void
say (const char *format,
     ...)
{
  va_list ap;

  va_start (ap, format);
  vprintf (format, ap);
  va_end (ap);
  putchar ('\n');
  fflush (stdout);
}

static void read_command (Program *program);

static void
run_command (Program    *program,
             const char *line)
{
  g_auto(GStrv) words = g_strsplit (line, " ", 3);
  g_autoptr(GError) error = NULL;

  if (g_str_equal (words[0], "scan") && g_strv_length (words) == 3)
    {
      if (fakewa_server_scan (program->server, words[1], words[2], &error))
        say ("ok");
      else
        say ("error %s", error->message);
    }
  else if (g_str_equal (words[0], "drop"))
    {
      fakewa_server_drop_all (program->server);
      say ("ok");
    }
  else if (g_str_equal (words[0], "drop-after") && g_strv_length (words) == 2)
    {
      guint64 n;

      if (g_ascii_string_to_unsigned (words[1], 10, 1, G_MAXUINT, &n, &error))
        {
          fakewa_server_drop_after (program->server, n);
          say ("ok");
        }
      else
        say ("error %s", error->message);
    }
  else if (g_str_equal (words[0], "stream-error") && g_strv_length (words) >= 2)
    {
      fakewa_server_stream_error (program->server, g_str_equal (words[1], "-") ? NULL : words[1], words[2]);
      say ("ok");
    }
  else if (g_str_equal (words[0], "account") && g_strv_length (words) == 2)
    {
      fakewa_server_add_account (program->server, words[1]);
      say ("ok");
    }
  else if (g_str_equal (words[0], "refuse-logins") && g_strv_length (words) == 2)
    {
      fakewa_server_refuse_logins (program->server, g_str_equal (words[1], "-") ? NULL : words[1]);
      say ("ok");
    }
  else if (g_str_equal (words[0], "refuse-messages") && g_strv_length (words) == 2)
    {
      fakewa_server_refuse_messages (program->server, g_str_equal (words[1], "-") ? NULL : words[1]);
      say ("ok");
    }
  else if (g_str_equal (words[0], "delay") && g_strv_length (words) == 2)
    {
      guint64 ms;

      if (g_ascii_string_to_unsigned (words[1], 10, 0, 60000, &ms, &error))
        {
          fakewa_server_set_reply_delay (program->server, ms);
          say ("ok");
        }
      else
        say ("error %s", error->message);
    }
  else if (g_str_equal (words[0], "quit"))
    g_main_loop_quit (program->loop);
  else
    say ("error unknown command");
}

static void
line_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Program *program = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object),
                                                                    result, NULL, &error);

  /* The end of standard input ends the server: its owner is gone. */
  if (line == NULL)
    {
      g_main_loop_quit (program->loop);
      return;
    }
  run_command (program, g_strstrip (line));
  if (g_main_loop_is_running (program->loop))
    read_command (program);
}

static void
read_command (Program *program)
{
  g_data_input_stream_read_line_async (program->input, G_PRIORITY_DEFAULT, NULL, line_read_cb, program);
}

static void
paired_cb (FakewaServer *server,
           const char   *jid)
{
  g_autofree char *lid = fakewa_server_dup_device_lid (server, jid);

  say ("paired %s %s", jid, lid);
}

static void
relayed_cb (FakewaServer *server,
            const char   *from,
            const char   *to,
            const char   *type)
{
  say ("relayed %s %s %s", from, to, type != NULL ? type : "-");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stdin_stream = g_unix_input_stream_new (0, FALSE);
  g_autofree char *root = NULL;
  Program program = { 0 };

  program.server = fakewa_server_new (&error);
  if (program.server == NULL)
    {
      g_printerr ("fakewa: %s\n", error->message);
      return 1;
    }
  g_signal_connect (program.server, "paired", G_CALLBACK (paired_cb), NULL);
  g_signal_connect (program.server, "relayed", G_CALLBACK (relayed_cb), NULL);

  root = g_malloc (WA_KEY_LEN * 2 + 1);
  for (guint i = 0; i < WA_KEY_LEN; i++)
    g_snprintf (root + 2 * i, 3, "%02x", fakewa_server_get_root_key (program.server)[i]);
  say ("url %s", fakewa_server_get_url (program.server));
  say ("root %s", root);

  program.input = g_data_input_stream_new (stdin_stream);
  program.loop = g_main_loop_new (NULL, FALSE);
  read_command (&program);
  g_main_loop_run (program.loop);

  g_object_unref (program.input);
  g_main_loop_unref (program.loop);
  g_object_unref (program.server);
  return 0;
}
