/* fakewa-main.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gunixinputstream.h>
#include <stdio.h>
#include <string.h>

#include "fakewa-server.h"

/*
 * The fake server as a program, for tests that drive a real client in
 * another process (xender-in-cli, later Baileys). It prints, one per line:
 *   url ws://127.0.0.1:PORT/ws/chat
 *   root HEX                    (the root key clients must trust)
 *   media https://127.0.0.1:PORT (with --media-tls FILE: the media host on
 *                               a port of its own, over TLS with FILE's
 *                               certificate and key)
 * and later "paired JID LID" for every device it links, "relayed FROM TO
 * TYPE" for every copy of a message it hands to a device and "refused FROM
 * TO CODE" for every message it refuses for want of a privacy token or
 * under a time-lock. It reads commands on standard input, one per line:
 *   scan QR-TEXT PHONE          the phone scans a code
 *   drop                        every connection is cut
 *   drop-after N                every connection is cut when the N-th
 *                               node from now arrives, unanswered
 *   stream-error CODE [CONFLICT] every stream ends with that error; CODE
 *                               "-" for none, as with a conflict alone
 *   account PHONE               the number is on WhatsApp (usync says "in")
 *   refuse-logins REASON        every login fails with that reason ("-":
 *                               accept them again)
 *   ban SECONDS                 every login fails as a temporary ban that
 *                               ends in SECONDS ("refuse-logins -" lifts it)
 *   lid-addressing none|with-pn|only
 *                               relayed messages name their sender by
 *                               number, by LID with sender_pn, or by LID
 *                               alone
 *   delay MS                    every node waits MS before it is handled
 *   presence DEVICE             prints "presence TYPE NAME", the last
 *                               presence DEVICE sent ("presence -": none)
 *   refuse-messages CODE        every message is acked with that error
 *                               ("-": relay them again)
 *   phone-name PHONE NAME       the account's phone sets its push name
 *   phone-contact PHONE CONTACT TOKEN NAME
 *                               the phone has CONTACT (a number) as NAME;
 *                               TOKEN (hex, "-" for none) is the privacy
 *                               token CONTACT issued to the account
 *   phone-write PHONE DEVICE ID TEXT
 *                               the phone writes TEXT to another
 *                               account's companion DEVICE, as a customer;
 *                               kept for DEVICE until it confirms it
 *   phone-salt PHONE HEX        the account's NCT salt ("-": removed)
 *   phone-new-key PHONE         the phone starts an app-state key it has
 *                               not shared
 *   phone-share PHONE           the phone shares its app-state keys and
 *                               history with its companions, and with
 *                               each one linked later
 *   require-tokens PHONE on|off the account needs a privacy token to reach
 *                               someone new
 *   auto-issue PHONE on|off     the account's phone issues its token to
 *                               whoever it writes to
 *   issue-token ISSUER HOLDER   ISSUER's phone issues a token to HOLDER
 *   salt PHONE HEX              the account's NCT salt ("-": none)
 *   timelock PHONE SECONDS [KIND] a reach-out time-lock, pushed to the
 *                               account's companions (0 lifts it)
 *   clock SECONDS               moves the server's clock on
 *   media-fault none|corrupt|truncate|expired
 *                               what the media host does to downloads
 *   uploads                     prints "uploads N", the uploads the media
 *                               host accepted so far
 *   refuse-uploads N            the next N uploads get 401, as with an
 *                               expired auth
 *   quit
 * and answers each with "ok" or "error MESSAGE". For the phones it prints
 * "phone-receipt TYPE ID" for each peer_msg or hist_sync receipt, and
 * for each receipt of what it wrote ("delivery" when it has no type), and
 * "key-request DEVICE" when a companion asks for app-state keys.
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

/* Hex, or "-" for nothing; %FALSE for anything else. */
static gboolean
parse_hex (const char  *text,
           GBytes     **bytes)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  gsize len = strlen (text);

  *bytes = NULL;
  if (g_str_equal (text, "-"))
    return TRUE;
  if (len == 0 || len % 2 != 0)
    return FALSE;
  for (gsize i = 0; i < len; i += 2)
    {
      int high = g_ascii_xdigit_value (text[i]);
      int low = g_ascii_xdigit_value (text[i + 1]);
      guint8 byte;

      if (high < 0 || low < 0)
        return FALSE;
      byte = high << 4 | low;
      g_byte_array_append (data, &byte, 1);
    }
  *bytes = g_byte_array_free_to_bytes (g_steal_pointer (&data));
  return TRUE;
}

/* The phone-* commands: what the account's phone holds and shares. */
static void
run_phone_command (Program  *program,
                   GStrv     words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *phone = words[1];

  if (phone == NULL)
    say ("error which phone?");
  else if (g_str_equal (words[0], "phone-name") && words[2] != NULL)
    {
      fakewa_server_phone_set_push_name (program->server, phone, words[2]);
      say ("ok");
    }
  else if (g_str_equal (words[0], "phone-contact") && words[2] != NULL)
    {
      g_auto(GStrv) rest = g_strsplit (words[2], " ", 3);

      if (g_strv_length (rest) != 3 || !parse_hex (rest[1], &bytes))
        say ("error phone-contact PHONE CONTACT TOKEN NAME");
      else
        {
          fakewa_server_phone_add_contact (program->server, phone, rest[0], rest[2], bytes);
          say ("ok");
        }
    }
  else if (g_str_equal (words[0], "phone-write") && words[2] != NULL)
    {
      g_auto(GStrv) rest = g_strsplit (words[2], " ", 3);

      if (g_strv_length (rest) != 3)
        say ("error phone-write PHONE DEVICE ID TEXT");
      else
        {
          fakewa_server_phone_write (program->server, phone, rest[0], rest[1], rest[2]);
          say ("ok");
        }
    }
  else if (g_str_equal (words[0], "phone-salt") && words[2] != NULL)
    {
      if (!parse_hex (words[2], &bytes))
        say ("error the salt is hex, or -");
      else
        {
          fakewa_server_phone_set_nct_salt (program->server, phone, bytes);
          say ("ok");
        }
    }
  else if (g_str_equal (words[0], "phone-new-key"))
    {
      fakewa_server_phone_new_key (program->server, phone);
      say ("ok");
    }
  else if (g_str_equal (words[0], "phone-share"))
    {
      if (fakewa_server_phone_share (program->server, phone, &error))
        say ("ok");
      else
        say ("error %s", error->message);
    }
  else
    say ("error unknown command");
}

static void
run_command (Program    *program,
             const char *line)
{
  g_auto(GStrv) words = g_strsplit (line, " ", 4);
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
  else if (g_str_equal (words[0], "lid-addressing") && g_strv_length (words) == 2 &&
           (g_str_equal (words[1], "none") || g_str_equal (words[1], "with-pn") || g_str_equal (words[1], "only")))
    {
      fakewa_server_set_lid_addressing (program->server,
                                        g_str_equal (words[1], "none") ? FAKEWA_LID_ADDRESSING_NONE
                                        : g_str_equal (words[1], "with-pn") ? FAKEWA_LID_ADDRESSING_WITH_PN
                                        : FAKEWA_LID_ADDRESSING_ONLY);
      say ("ok");
    }
  else if (g_str_equal (words[0], "ban") && g_strv_length (words) == 2)
    {
      guint64 seconds;

      if (g_ascii_string_to_unsigned (words[1], 10, 1, G_MAXUINT, &seconds, &error))
        {
          fakewa_server_ban_for (program->server, seconds);
          say ("ok");
        }
      else
        say ("error %s", error->message);
    }
  else if (g_str_equal (words[0], "refuse-messages") && g_strv_length (words) == 2)
    {
      fakewa_server_refuse_messages (program->server, g_str_equal (words[1], "-") ? NULL : words[1]);
      say ("ok");
    }
  else if (g_str_equal (words[0], "presence") && g_strv_length (words) == 2)
    {
      g_autofree char *presence = fakewa_server_dup_presence (program->server, words[1]);

      say ("presence %s", presence != NULL ? presence : "-");
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
  else if (g_str_has_prefix (words[0], "phone-"))
    {
      /* Names may hold spaces: the phone commands take the rest whole. */
      g_auto(GStrv) phone_words = g_strsplit (line, " ", 3);

      run_phone_command (program, phone_words);
    }
  else if (g_str_equal (words[0], "require-tokens") && g_strv_length (words) == 3)
    {
      fakewa_server_require_tokens (program->server, words[1], g_str_equal (words[2], "on"));
      say ("ok");
    }
  else if (g_str_equal (words[0], "auto-issue") && g_strv_length (words) == 3)
    {
      fakewa_server_set_auto_issue (program->server, words[1], g_str_equal (words[2], "on"));
      say ("ok");
    }
  else if (g_str_equal (words[0], "issue-token") && g_strv_length (words) == 3)
    {
      fakewa_server_issue_token (program->server, words[1], words[2]);
      say ("ok");
    }
  else if (g_str_equal (words[0], "salt") && g_strv_length (words) == 3)
    {
      g_autoptr(GBytes) salt = NULL;

      if (parse_hex (words[2], &salt))
        {
          fakewa_server_set_nct_salt (program->server, words[1], salt);
          say ("ok");
        }
      else
        say ("error not hex");
    }
  else if (g_str_equal (words[0], "timelock") && g_strv_length (words) >= 3)
    {
      guint64 seconds;

      if (g_ascii_string_to_unsigned (words[2], 10, 0, G_MAXUINT, &seconds, &error))
        {
          fakewa_server_set_timelock (program->server, words[1], seconds, words[3]);
          say ("ok");
        }
      else
        say ("error %s", error->message);
    }
  else if (g_str_equal (words[0], "clock") && g_strv_length (words) == 2)
    {
      gint64 seconds;

      if (g_ascii_string_to_signed (words[1], 10, -G_MAXINT, G_MAXINT, &seconds, &error))
        {
          fakewa_server_advance_clock (program->server, seconds);
          say ("ok");
        }
      else
        say ("error %s", error->message);
    }
  else if (g_str_equal (words[0], "media-fault") && g_strv_length (words) == 2)
    {
      static const char * const names[] = {
        [FAKEWA_MEDIA_FAULT_NONE] = "none",
        [FAKEWA_MEDIA_FAULT_CORRUPT] = "corrupt",
        [FAKEWA_MEDIA_FAULT_TRUNCATE] = "truncate",
        [FAKEWA_MEDIA_FAULT_EXPIRED] = "expired",
      };
      guint fault = 0;

      while (fault < G_N_ELEMENTS (names) && !g_str_equal (names[fault], words[1]))
        fault++;
      if (fault < G_N_ELEMENTS (names))
        {
          fakewa_server_set_media_fault (program->server, fault);
          say ("ok");
        }
      else
        say ("error media-fault takes none, corrupt, truncate or expired");
    }
  else if (g_str_equal (words[0], "uploads") && g_strv_length (words) == 1)
    {
      say ("uploads %u", fakewa_server_get_n_uploads (program->server));
      say ("ok");
    }
  else if (g_str_equal (words[0], "refuse-uploads") && g_strv_length (words) == 2)
    {
      guint64 count;

      if (g_ascii_string_to_unsigned (words[1], 10, 0, G_MAXUINT, &count, &error))
        {
          fakewa_server_refuse_uploads (program->server, count);
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
phone_receipt_cb (FakewaServer *server,
                  const char   *type,
                  const char   *id)
{
  say ("phone-receipt %s %s", type, id);
}

static void
key_request_cb (FakewaServer *server,
                const char   *device)
{
  say ("key-request %s", device);
}

static void
relayed_cb (FakewaServer *server,
            const char   *from,
            const char   *to,
            const char   *type)
{
  say ("relayed %s %s %s", from, to, type != NULL ? type : "-");
}

static void
refused_cb (FakewaServer *server,
            const char   *from,
            const char   *to,
            const char   *code)
{
  say ("refused %s %s %s", from, to, code);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stdin_stream = g_unix_input_stream_new (0, FALSE);
  g_autofree char *root = NULL;
  Program program = { 0 };
  guint16 media_port = 0;

  program.server = fakewa_server_new (&error);
  if (program.server == NULL)
    {
      g_printerr ("fakewa: %s\n", error->message);
      return 1;
    }
  /* As far away as a server across the internet: the interop tests drive
   * Baileys, which needs that moment after each handshake, and on a busy
   * machine its key derivation takes tens of milliseconds. */
  fakewa_server_set_first_answer_delay (program.server, 150);
  g_signal_connect (program.server, "paired", G_CALLBACK (paired_cb), NULL);
  g_signal_connect (program.server, "relayed", G_CALLBACK (relayed_cb), NULL);
  g_signal_connect (program.server, "phone-receipt", G_CALLBACK (phone_receipt_cb), NULL);
  g_signal_connect (program.server, "key-request", G_CALLBACK (key_request_cb), NULL);
  g_signal_connect (program.server, "refused", G_CALLBACK (refused_cb), NULL);

  root = g_malloc (WA_KEY_LEN * 2 + 1);
  for (guint i = 0; i < WA_KEY_LEN; i++)
    g_snprintf (root + 2 * i, 3, "%02x", fakewa_server_get_root_key (program.server)[i]);
  /* --media-tls FILE: the media host's certificate and key (PEM, one
   * file) from the tests' CA. */
  if (argc == 3 && g_str_equal (argv[1], "--media-tls"))
    {
      g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_file (argv[2], &error);
      guint16 port = certificate != NULL ? fakewa_server_serve_media_tls (program.server, certificate, &error) : 0;

      if (port == 0)
        {
          g_printerr ("fakewa: %s\n", error->message);
          return 1;
        }
      media_port = port;
    }
  else if (argc != 1)
    {
      g_printerr ("Usage: fakewa [--media-tls CERT-AND-KEY.pem]\n");
      return 2;
    }
  say ("url %s", fakewa_server_get_url (program.server));
  say ("root %s", root);
  if (media_port != 0)
    say ("media https://127.0.0.1:%u", media_port);

  program.input = g_data_input_stream_new (stdin_stream);
  program.loop = g_main_loop_new (NULL, FALSE);
  read_command (&program);
  g_main_loop_run (program.loop);

  g_object_unref (program.input);
  g_main_loop_unref (program.loop);
  g_object_unref (program.server);
  return 0;
}
